//! claudit's own model of Claude Code's settings files: which keys exist,
//! what type each takes, in which files each takes effect, and which are
//! deprecated or do nothing any more.
//!
//! Written from Claude Code's documentation as summarised in the facts sheet
//! (§1, §2, §12.2–§12.5): the settings reference's "All settings" index and
//! per-key types as of v2.1.240 (2026-08-22), plus the keys and scope changes
//! the CHANGELOG records up to v2.1.296. It is deliberately not SchemaStore's
//! schema: the CLI accepts keys the schema lacks and ignores keys the schema
//! lists (facts §2.2), so "unknown" here means "not documented by Anthropic".

use crate::claude::location::SettingsScope;
use crate::claude::permission_rule::RuleList;

/// The Claude Code version this model reflects (newest CHANGELOG section read).
pub const REFLECTS_VERSION: &str = "2.1.296";

/// Where a key takes effect (facts §2.2, settings reference "Scope").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyScope {
    /// User, project, local and managed settings.
    Any,
    /// Everywhere but the shared project file `.claude/settings.json`.
    UserLocalManaged,
    /// User or managed settings only: a repository cannot set it.
    UserOrManaged,
    /// Managed settings only.
    Managed,
    /// `~/.claude.json` only; ignored in every settings file.
    GlobalConfig,
}

impl KeyScope {
    /// Whether a key with this scope takes effect in a file of `scope`.
    pub fn applies_in(self, scope: SettingsScope) -> bool {
        use SettingsScope as S;
        match self {
            KeyScope::Any => true,
            KeyScope::UserLocalManaged => scope != S::Project,
            KeyScope::UserOrManaged => matches!(scope, S::User | S::Managed | S::ManagedInRepo),
            KeyScope::Managed => scope.is_managed(),
            KeyScope::GlobalConfig => false,
        }
    }

    /// "only in managed settings", for messages.
    pub fn describe(self) -> &'static str {
        match self {
            KeyScope::Any => "in any settings file",
            KeyScope::UserLocalManaged => {
                "only in user, local or managed settings (not in the shared `.claude/settings.json`)"
            }
            KeyScope::UserOrManaged => {
                "only in user settings (`~/.claude/settings.json`) or managed settings"
            }
            KeyScope::Managed => "only in managed settings",
            KeyScope::GlobalConfig => {
                "only in the global config file `~/.claude.json`, never in a settings file"
            }
        }
    }
}

/// What became of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Current,
    /// Still read, but replaced by another key.
    Deprecated {
        since: &'static str,
        replacement: &'static str,
    },
    /// Accepted but does nothing any more.
    NoEffect {
        since: &'static str,
    },
    /// Removed; setting it does nothing.
    Removed {
        since: &'static str,
    },
}

/// Inclusive numeric bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min: Option<f64>,
    /// `min` itself is not allowed (`> 0` rather than `>= 0`).
    pub min_exclusive: bool,
    pub max: Option<f64>,
    pub integer: bool,
}

impl Bounds {
    pub const ANY: Bounds = Bounds {
        min: None,
        min_exclusive: false,
        max: None,
        integer: false,
    };

    const fn at_least(min: f64) -> Bounds {
        Bounds {
            min: Some(min),
            ..Bounds::ANY
        }
    }

    const fn integer(self) -> Bounds {
        Bounds {
            integer: true,
            ..self
        }
    }

    const fn at_most(self, max: f64) -> Bounds {
        Bounds {
            max: Some(max),
            ..self
        }
    }

    /// Why `value` is out of bounds, or `None` when it fits.
    pub fn violation(&self, value: f64) -> Option<String> {
        if self.integer && value.fract() != 0.0 {
            return Some("must be a whole number".into());
        }
        if let Some(min) = self.min {
            if self.min_exclusive && value <= min {
                return Some(format!("must be greater than {}", fmt_num(min)));
            }
            if value < min {
                return Some(format!("must be at least {}", fmt_num(min)));
            }
        }
        if let Some(max) = self.max
            && value > max
        {
            return Some(format!("must be at most {}", fmt_num(max)));
        }
        None
    }
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The JSON shape a key takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// Not modelled (an object whose inner layout changes often, or a key too new to have stored docs).
    Any,
    Bool,
    Str,
    /// A string from a fixed set.
    Enum(&'static [&'static str]),
    Number(Bounds),
    StrArray,
    /// A string, or an array of strings.
    StrOrStrArray,
    ArrayOf(&'static Shape),
    /// An object with documented keys; other keys are unknown.
    Object(&'static [Key]),
    /// An object with free keys whose values share one shape.
    MapOf(&'static Shape),
    /// `permissions.allow` / `ask` / `deny`: an array of permission rules.
    Rules(RuleList),
    /// `env`: variable names to string values.
    Env,
    /// `hooks`: event names to matcher groups.
    Hooks,
    /// `attribution`: the object form, or `false` (v2.1.281+).
    Attribution,
}

impl Shape {
    /// "a boolean", "an array of strings", ... for messages.
    pub fn describe(&self) -> String {
        match self {
            Shape::Any => "any value".into(),
            Shape::Bool => "a boolean (`true` or `false`)".into(),
            Shape::Str => "a string".into(),
            Shape::Enum([only]) => format!("the string `\"{only}\"`"),
            Shape::Enum(values) => format!("one of the strings {}", list_quoted(values)),
            Shape::Number(b) if b.integer => "a whole number".into(),
            Shape::Number(_) => "a number".into(),
            Shape::StrArray | Shape::Rules(_) => "an array of strings".into(),
            Shape::StrOrStrArray => "a string or an array of strings".into(),
            Shape::ArrayOf(_) => "an array".into(),
            Shape::Object(_) | Shape::MapOf(_) | Shape::Hooks => "an object".into(),
            Shape::Env => "an object mapping variable names to string values".into(),
            Shape::Attribution => "an object (or `false`, from v2.1.281)".into(),
        }
    }
}

/// `"a"`, `"b"` or `"c"`.
pub fn list_quoted(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`\"{v}\"`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// One documented key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Key {
    pub name: &'static str,
    pub shape: Shape,
    pub scope: KeyScope,
    pub lifecycle: Lifecycle,
    /// Must be present when its object is.
    pub required: bool,
    /// First Claude Code version that reads it, when the docs say.
    pub since: Option<&'static str>,
}

impl Key {
    const fn new(name: &'static str, shape: Shape) -> Key {
        Key {
            name,
            shape,
            scope: KeyScope::Any,
            lifecycle: Lifecycle::Current,
            required: false,
            since: None,
        }
    }

    const fn scope(self, scope: KeyScope) -> Key {
        Key { scope, ..self }
    }

    const fn lifecycle(self, lifecycle: Lifecycle) -> Key {
        Key { lifecycle, ..self }
    }

    const fn required(self) -> Key {
        Key {
            required: true,
            ..self
        }
    }

    const fn since(self, version: &'static str) -> Key {
        Key {
            since: Some(version),
            ..self
        }
    }
}

/// Looks `name` up in a key table.
pub fn find_key<'a>(keys: &'a [Key], name: &str) -> Option<&'a Key> {
    keys.iter().find(|k| k.name == name)
}

// ------------------------------------------------------------------ shapes

const fn key(name: &'static str, shape: Shape) -> Key {
    Key::new(name, shape)
}

const BOOL: Shape = Shape::Bool;
const STR: Shape = Shape::Str;
const STRS: Shape = Shape::StrArray;
const ANY: Shape = Shape::Any;
const ANY_ARRAY: Shape = Shape::ArrayOf(&Shape::Any);
const ANY_MAP: Shape = Shape::MapOf(&Shape::Any);
const DISABLE: Shape = Shape::Enum(&["disable"]);
const COMMAND_TYPE: Shape = Shape::Enum(&["command"]);

/// `permissions.defaultMode` values (facts §2.3; `manual` from v2.1.200).
pub const DEFAULT_MODES: &[&str] = &[
    "default",
    "acceptEdits",
    "plan",
    "auto",
    "dontAsk",
    "bypassPermissions",
    "manual",
];

/// `allowedProviders` entries (facts §12.1, v2.1.285).
pub const PROVIDERS: &[&str] = &[
    "anthropic",
    "bedrock",
    "vertex",
    "foundry",
    "anthropicAws",
    "mantle",
    "customEndpoint",
    "gateway",
];

const PERMISSIONS: &[Key] = &[
    key("allow", Shape::Rules(RuleList::Allow)),
    key("ask", Shape::Rules(RuleList::Ask)),
    key("deny", Shape::Rules(RuleList::Deny)),
    key("additionalDirectories", STRS),
    key("defaultMode", Shape::Enum(DEFAULT_MODES)),
    key("disableBypassPermissionsMode", DISABLE),
    key("disableAutoMode", DISABLE),
    key("blockReadsOutsideWorkingDirectories", BOOL).since("2.1.257"),
];

const STATUS_LINE: &[Key] = &[
    key("type", COMMAND_TYPE).required(),
    key("command", STR).required(),
    key("padding", Shape::Number(Bounds::ANY)),
    key("refreshInterval", Shape::Number(Bounds::at_least(1.0))),
    key("hideVimModeIndicator", BOOL),
];

const COMMAND_OBJECT: &[Key] = &[
    key("type", COMMAND_TYPE).required(),
    key("command", STR).required(),
];

/// The object form of `attribution`.
pub const ATTRIBUTION_KEYS: &[Key] = &[key("commit", STR), key("pr", STR), key("sessionUrl", BOOL)];

const MCP_SERVER_MATCHER: &[Key] = &[
    key("serverName", STR),
    key("serverCommand", STRS),
    key("serverUrl", STR),
];

const SANDBOX_FILESYSTEM: &[Key] = &[
    key("allowWrite", STRS),
    key("denyWrite", STRS),
    key("denyRead", STRS),
    key("allowRead", STRS),
    key("allowManagedReadPathsOnly", BOOL).scope(KeyScope::Managed),
    key("disabled", BOOL).scope(KeyScope::UserOrManaged),
];

const SANDBOX_NETWORK: &[Key] = &[
    key("allowUnixSockets", STRS),
    key("allowAllUnixSockets", BOOL),
    key("allowLocalBinding", BOOL),
    key("allowMachLookup", STRS),
    key("allowedDomains", STRS),
    key("deniedDomains", STRS),
    key("strictAllowlist", BOOL).scope(KeyScope::UserOrManaged),
    key("allowManagedDomainsOnly", BOOL).scope(KeyScope::Managed),
    key(
        "httpProxyPort",
        Shape::Number(Bounds::at_least(0.0).integer()),
    ),
    key(
        "socksProxyPort",
        Shape::Number(Bounds::at_least(0.0).integer()),
    ),
    key(
        "tlsTerminate",
        Shape::Object(&[key("caCertPath", STR), key("caKeyPath", STR)]),
    )
    .scope(KeyScope::UserOrManaged),
];

const SANDBOX_CREDENTIALS: &[Key] = &[
    key("files", ANY_ARRAY),
    key("envVars", ANY_ARRAY),
    key("allowPlaintextInject", BOOL).scope(KeyScope::UserOrManaged),
    key("awsPairs", ANY_ARRAY).scope(KeyScope::UserOrManaged),
    key("sigv4", ANY).scope(KeyScope::UserOrManaged),
];

const SANDBOX: &[Key] = &[
    key("enabled", BOOL),
    key("failIfUnavailable", BOOL),
    key("autoAllowBashIfSandboxed", BOOL),
    key("excludedCommands", STRS),
    key("allowUnsandboxedCommands", BOOL),
    key("enableWeakerNestedSandbox", BOOL),
    key("enableWeakerNetworkIsolation", BOOL),
    key("allowAppleEvents", BOOL).scope(KeyScope::UserOrManaged),
    key("bwrapPath", STR).scope(KeyScope::Managed),
    key("socatPath", STR).scope(KeyScope::Managed),
    key("ignoreViolations", Shape::MapOf(&Shape::StrArray)),
    key(
        "ripgrep",
        Shape::Object(&[key("command", STR), key("args", STRS)]),
    )
    .scope(KeyScope::UserOrManaged),
    key("filesystem", Shape::Object(SANDBOX_FILESYSTEM)),
    key("network", Shape::Object(SANDBOX_NETWORK)),
    key("credentials", Shape::Object(SANDBOX_CREDENTIALS)),
];

const AUTO_MODE: &[Key] = &[
    key("environment", STRS),
    key("allow", STRS),
    key("soft_deny", STRS),
    key("hard_deny", STRS),
    key("classifyAllShell", BOOL),
];

const WORKTREE: &[Key] = &[
    key("baseRef", Shape::Enum(&["fresh", "head"])),
    key("symlinkDirectories", STRS),
    key("sparsePaths", STRS),
    key("bgIsolation", Shape::Enum(&["worktree", "none"])),
];

const POLICY_HELPER: &[Key] = &[
    key("path", STR),
    key(
        "timeoutMs",
        Shape::Number(Bounds::at_least(1000.0).integer()),
    ),
    key(
        "refreshIntervalMs",
        Shape::Number(Bounds::at_least(0.0).integer()),
    ),
];

const TIMEOUT_CHOICES: Shape = Shape::Enum(&["60s", "5m", "10m", "never"]);

/// Top-level keys of a settings file.
pub const SETTINGS_KEYS: &[Key] = &[
    key("$schema", STR),
    // --- any file (settings reference "All settings", v2.1.240)
    key("advisorModel", STR),
    key("agent", STR),
    key("agentPushNotifEnabled", BOOL),
    key("allowedHttpHookUrls", STRS),
    key(
        "allowedMcpServers",
        Shape::ArrayOf(&Shape::Object(MCP_SERVER_MATCHER)),
    ),
    key("alwaysThinkingEnabled", BOOL),
    key("apiKeyHelper", STR),
    key("attribution", Shape::Attribution),
    key("autoCompactEnabled", BOOL),
    key(
        "autoCompactWindow",
        Shape::Number(Bounds::at_least(100_000.0).at_most(1_000_000.0)),
    ),
    key("autoMemoryDirectory", STR),
    key("autoMemoryEnabled", BOOL),
    key("autoScrollEnabled", BOOL),
    key("autoUpdatesChannel", Shape::Enum(&["latest", "stable"])),
    key("availableModels", STRS),
    key("awaySummaryEnabled", BOOL),
    key("awsAuthRefresh", STR),
    key("awsCredentialExport", STR),
    key("axScreenReader", BOOL),
    key("claudeMdExcludes", STRS),
    key(
        "cleanupPeriodDays",
        Shape::Number(Bounds::at_least(1.0).integer()),
    ),
    key("companyAnnouncements", STRS),
    key(
        "crossSessionInbound",
        Shape::Enum(&["accept", "hold", "refuse"]),
    ),
    key("defaultShell", Shape::Enum(&["bash", "powershell"])),
    key(
        "deniedMcpServers",
        Shape::ArrayOf(&Shape::Object(MCP_SERVER_MATCHER)),
    ),
    key("disableAgentView", BOOL),
    key("disableAllHooks", BOOL),
    key("disableArtifact", BOOL),
    key("disableAutoMode", DISABLE),
    key("disableBundledSkills", BOOL),
    key("disableClaudeAiConnectors", BOOL),
    key("disableDeepLinkRegistration", DISABLE),
    key("disabledMcpjsonServers", STRS),
    key("disableRemoteControl", BOOL),
    key("disableSkillShellExecution", BOOL),
    key("disableWorkflows", BOOL),
    key("editorMode", Shape::Enum(&["normal", "vim"])),
    key(
        "effortLevel",
        Shape::Enum(&["low", "medium", "high", "xhigh"]),
    ),
    key("emojiCompletionEnabled", BOOL),
    key("enableAllProjectMcpServers", BOOL),
    key("enabledMcpjsonServers", STRS),
    key("enabledPlugins", Shape::MapOf(&Shape::Bool)),
    key("enableWorkflows", BOOL),
    key("enforceAvailableModels", BOOL),
    key("env", Shape::Env),
    key("extraKnownMarketplaces", ANY_MAP),
    // An array in the current docs; a plain string is tolerated (older form).
    key("fallbackModel", Shape::StrOrStrArray),
    key("fastMode", BOOL),
    key("fastModePerSessionOptIn", BOOL),
    key(
        "feedbackSurveyRate",
        Shape::Number(Bounds::at_least(0.0).at_most(1.0)),
    ),
    key("fileCheckpointingEnabled", BOOL),
    key("fileSuggestion", Shape::Object(COMMAND_OBJECT)),
    key(
        "forceLoginMethod",
        Shape::Enum(&["claudeai", "console", "gateway"]),
    ),
    key("forceLoginOrgUUID", Shape::StrOrStrArray),
    key("gcpAuthRefresh", STR),
    key("hooks", Shape::Hooks),
    key("httpHookAllowedEnvVars", STRS),
    key("includeCoAuthoredBy", BOOL).lifecycle(Lifecycle::Deprecated {
        since: "2.0.62",
        replacement: "attribution",
    }),
    key("includeGitInstructions", BOOL),
    key("inputNeededNotifEnabled", BOOL),
    key("isolatePeerMachines", BOOL),
    // Listed in the docs index without documented values, and inert since
    // v2.1.261 (facts §2.2, §12.2): its value is not judged, only its effect.
    key("keybindingFlavor", ANY).lifecycle(Lifecycle::NoEffect { since: "2.1.261" }),
    key("language", STR),
    key("minimumVersion", STR),
    key("model", STR),
    key("modelOverrides", Shape::MapOf(&Shape::Str)),
    key("otelHeadersHelper", STR),
    key("outputStyle", STR),
    key("permissions", Shape::Object(PERMISSIONS)),
    key("plansDirectory", STR),
    key(
        "preferredNotifChannel",
        Shape::Enum(&[
            "auto",
            "terminal_bell",
            "iterm2",
            "iterm2_with_bell",
            "kitty",
            "ghostty",
            "notifications_disabled",
        ]),
    ),
    key("prefersReducedMotion", BOOL),
    key("promptSuggestionEnabled", BOOL),
    key("prUrlTemplate", STR),
    key("remote", Shape::Object(&[key("defaultEnvironmentId", STR)])),
    key("remoteControlAtStartup", BOOL),
    key("respectGitignore", BOOL),
    key("respondToBashCommands", BOOL),
    key("sandbox", Shape::Object(SANDBOX)),
    key("showClearContextOnPlanAccept", BOOL),
    key("showThinkingSummaries", BOOL),
    key("showTurnDuration", BOOL),
    key(
        "skillListingBudgetFraction",
        Shape::Number(Bounds {
            min: Some(0.0),
            min_exclusive: true,
            max: Some(1.0),
            integer: false,
        }),
    ),
    key(
        "skillListingMaxDescChars",
        Shape::Number(Bounds::at_least(1.0).integer()),
    ),
    key(
        "skillOverrides",
        Shape::MapOf(&Shape::Enum(&[
            "on",
            "name-only",
            "user-invocable-only",
            "off",
        ])),
    ),
    key("skipWebFetchPreflight", BOOL),
    key("spinnerTipsEnabled", BOOL),
    // Its entry shape changed in v2.1.247; not modelled.
    key("spinnerTipsOverride", ANY),
    key(
        "spinnerVerbs",
        Shape::Object(&[
            key("verbs", STRS),
            key("mode", Shape::Enum(&["append", "replace"])),
        ]),
    ),
    key("statusLine", Shape::Object(STATUS_LINE)),
    key("subagentStatusLine", Shape::Object(COMMAND_OBJECT)),
    key("switchModelsOnFlag", BOOL),
    key("syntaxHighlightingDisabled", BOOL),
    key(
        "teammateMode",
        Shape::Enum(&["in-process", "auto", "tmux", "iterm2"]),
    ),
    key("terminalProgressBarEnabled", BOOL),
    key("terminalTitleFromRename", BOOL),
    // Built-in names or `custom:<slug>`.
    key("theme", STR),
    key("tui", Shape::Enum(&["default", "fullscreen"])),
    key("ultracode", BOOL),
    key("verbose", BOOL),
    key("viewMode", Shape::Enum(&["default", "verbose", "focus"])),
    key(
        "voice",
        Shape::Object(&[
            key("enabled", BOOL),
            key("autoSubmit", BOOL),
            key("mode", Shape::Enum(&["hold", "tap"])),
        ]),
    ),
    key("voiceEnabled", BOOL),
    key("wheelScrollAccelerationEnabled", BOOL),
    key("workflowKeywordTriggerEnabled", BOOL),
    key(
        "workflowSizeGuideline",
        Shape::Enum(&["unrestricted", "small", "medium", "large"]),
    ),
    key("worktree", Shape::Object(WORKTREE)),
    // --- any file, added after the 08-22 docs (facts §12.2); shapes not stored
    key("promptCacheTtl", ANY).since("2.1.243"),
    key("subagentPromptCacheTtl", ANY).since("2.1.243"),
    key("feedbackDrafts", ANY).since("2.1.247"),
    key("desktopSessionCleanupPeriodDays", ANY).since("2.1.248"),
    key("timeFormat", ANY).since("2.1.257"),
    key("timeZone", ANY).since("2.1.257"),
    key("bashOutputMaxChars", Shape::Number(Bounds::ANY)).since("2.1.261"),
    key("taskOutputMaxChars", ANY)
        .since("2.1.261")
        .lifecycle(Lifecycle::NoEffect { since: "2.1.277" }),
    key("maxEffortLevel", ANY).since("2.1.267"),
    key("modelSettings", ANY).since("2.1.267"),
    key("bashEditDiffEnabled", BOOL).since("2.1.269"),
    key("syncClaudeAiPlugins", ANY).since("2.1.275"),
    key("maxProseWidth", ANY).since("2.1.282"),
    // --- in SchemaStore but not in the docs index (facts §2.2): known, not modelled
    key("requireCoworkFullVmSandbox", ANY),
    key("skippedMarketplaces", ANY),
    key("skippedPlugins", ANY),
    // --- user, local or managed
    key("skipDangerousModePermissionPrompt", BOOL).scope(KeyScope::UserLocalManaged),
    key("syncClaudeAiSkills", BOOL).scope(KeyScope::UserLocalManaged),
    key("useAutoModeDuringPlan", BOOL).scope(KeyScope::UserLocalManaged),
    // --- user or managed
    key("askUserQuestionTimeout", TIMEOUT_CHOICES).scope(KeyScope::UserOrManaged),
    key("autoMode", Shape::Object(AUTO_MODE)).scope(KeyScope::UserOrManaged),
    key("dialogExpiry", TIMEOUT_CHOICES).scope(KeyScope::UserOrManaged),
    key("enableArtifact", BOOL).scope(KeyScope::UserOrManaged),
    key("footerLinksRegexes", ANY_ARRAY).scope(KeyScope::UserOrManaged),
    key("pluginConfigs", ANY_MAP).scope(KeyScope::UserOrManaged),
    key("processWrapper", STR).scope(KeyScope::UserOrManaged),
    key("skipAutoPermissionPrompt", BOOL).scope(KeyScope::UserOrManaged),
    key(
        "spellcheck",
        Shape::Object(&[
            key("enabled", BOOL),
            key(
                "checker",
                Shape::Enum(&["aspell", "hunspell", "ispell", "auto"]),
            ),
            key("language", STR),
            key("color", STR),
        ]),
    )
    .scope(KeyScope::UserOrManaged),
    key("sshConfigs", ANY_ARRAY).scope(KeyScope::UserOrManaged),
    key("vimInsertModeRemaps", Shape::MapOf(&Shape::Str)).scope(KeyScope::UserOrManaged),
    key("modelPicker", ANY)
        .scope(KeyScope::UserOrManaged)
        .since("2.1.243"),
    // Managed-only at 08-22; user settings too from v2.1.295 on machines with no managed settings.
    key("forceLoginGatewayUrl", STR).scope(KeyScope::UserOrManaged),
    // --- managed only
    key("allowAllClaudeAiMcps", BOOL).scope(KeyScope::Managed),
    key("allowedChannelPlugins", ANY_ARRAY).scope(KeyScope::Managed),
    key("allowManagedHooksOnly", BOOL).scope(KeyScope::Managed),
    key("allowManagedMcpServersOnly", BOOL).scope(KeyScope::Managed),
    key("allowManagedPermissionRulesOnly", BOOL).scope(KeyScope::Managed),
    key("blockedMarketplaces", ANY_ARRAY).scope(KeyScope::Managed),
    key("browserExternalPageTools", STR).scope(KeyScope::Managed),
    key("channelsEnabled", BOOL).scope(KeyScope::Managed),
    key("claudeMd", STR).scope(KeyScope::Managed),
    key("disableBrowserExternalNavigation", BOOL).scope(KeyScope::Managed),
    key("disableCommandPluginSources", BOOL).scope(KeyScope::Managed),
    key("disableMobileSimulatorTools", BOOL).scope(KeyScope::Managed),
    key("disableSideloadFlags", BOOL).scope(KeyScope::Managed),
    key("forceRemoteSettingsRefresh", BOOL).scope(KeyScope::Managed),
    key(
        "parentSettingsBehavior",
        Shape::Enum(&["first-wins", "merge"]),
    )
    .scope(KeyScope::Managed),
    key("pluginSuggestionMarketplaces", STRS).scope(KeyScope::Managed),
    key("pluginTrustMessage", STR).scope(KeyScope::Managed),
    key("policyHelper", Shape::Object(POLICY_HELPER)).scope(KeyScope::Managed),
    key("requiredMaximumVersion", STR).scope(KeyScope::Managed),
    key("requiredMinimumVersion", STR).scope(KeyScope::Managed),
    key("sshHostAllowlist", STRS).scope(KeyScope::Managed),
    key("strictKnownMarketplaces", ANY_ARRAY).scope(KeyScope::Managed),
    key("strictPluginOnlyCustomization", ANY).scope(KeyScope::Managed),
    key("wslInheritsWindowsSettings", BOOL).scope(KeyScope::Managed),
    key("managedSourcesBehavior", ANY)
        .scope(KeyScope::Managed)
        .since("2.1.242"),
    key("modelPricing", ANY)
        .scope(KeyScope::Managed)
        .since("2.1.243"),
    key("managedMcpServers", ANY)
        .scope(KeyScope::Managed)
        .since("2.1.259"),
    key("gatewayInternalNetworks", ANY)
        .scope(KeyScope::Managed)
        .since("2.1.268"),
    key("allowClaudeInChromeWithManagedMcp", ANY)
        .scope(KeyScope::Managed)
        .since("2.1.282"),
    key("availableModelsMatch", ANY)
        .scope(KeyScope::Managed)
        .since("2.1.283"),
    key("deniedModels", ANY)
        .scope(KeyScope::Managed)
        .since("2.1.283"),
    key("allowedProviders", Shape::ArrayOf(&Shape::Enum(PROVIDERS)))
        .scope(KeyScope::Managed)
        .since("2.1.285"),
    // --- global config (`~/.claude.json`), ignored in settings files
    key("autoConnectIde", BOOL).scope(KeyScope::GlobalConfig),
    key("autoInstallIdeExtension", BOOL).scope(KeyScope::GlobalConfig),
    key("diffTool", Shape::Enum(&["auto", "terminal"])).scope(KeyScope::GlobalConfig),
    key("externalEditorContext", BOOL).scope(KeyScope::GlobalConfig),
    key("permissionExplainerEnabled", BOOL).scope(KeyScope::GlobalConfig),
    key("teammateDefaultModel", ANY)
        .scope(KeyScope::GlobalConfig)
        .lifecycle(Lifecycle::Removed { since: "2.1.234" }),
];

/// Names of [`SETTINGS_KEYS`].
pub fn settings_key_names() -> impl Iterator<Item = &'static str> {
    SETTINGS_KEYS.iter().map(|k| k.name)
}

/// Keys that belong inside another key: a top-level `allow` is almost
/// certainly meant for `permissions`. Returns the parent's JSON path.
pub fn misplaced_parent(name: &str) -> Option<&'static str> {
    if find_key(PERMISSIONS, name).is_some() {
        return Some("permissions");
    }
    if hook_event(name).is_some() {
        return Some("hooks");
    }
    if find_key(SANDBOX, name).is_some() {
        return Some("sandbox");
    }
    None
}

/// Old names with a documented replacement (facts §1.4, §11: `allowedTools`
/// and `ignorePatterns` moved into settings in 1.0.7 and became permission rules).
pub fn renamed_key(name: &str) -> Option<&'static str> {
    match name {
        "allowedTools" => Some("permissions.allow"),
        "ignorePatterns" => Some("permissions.deny (as `Read(...)` rules)"),
        _ => None,
    }
}

// ------------------------------------------------------------------ hooks

/// A hook event (facts §2.5: 31 at v2.1.240, 33 from v2.1.251).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HookEvent {
    pub name: &'static str,
    /// Fires for a tool call, so a handler's `if` filter is evaluated.
    pub tool_event: bool,
    pub since: Option<&'static str>,
}

const fn event(name: &'static str) -> HookEvent {
    HookEvent {
        name,
        tool_event: false,
        since: None,
    }
}

const fn tool_event(name: &'static str) -> HookEvent {
    HookEvent {
        name,
        tool_event: true,
        since: None,
    }
}

const fn event_since(name: &'static str, version: &'static str) -> HookEvent {
    HookEvent {
        name,
        tool_event: false,
        since: Some(version),
    }
}

pub const HOOK_EVENTS: &[HookEvent] = &[
    event("ConfigChange"),
    event("CwdChanged"),
    event("DirectoryAdded"),
    event("Elicitation"),
    event("ElicitationResult"),
    event("FileChanged"),
    event("InstructionsLoaded"),
    event("MessageDisplay"),
    event("Notification"),
    tool_event("PermissionDenied"),
    tool_event("PermissionRequest"),
    event("PostCompact"),
    event_since("PostModelSwitch", "2.1.251"),
    event("PostToolBatch"),
    tool_event("PostToolUse"),
    tool_event("PostToolUseFailure"),
    event("PreCompact"),
    event_since("PreModelSwitch", "2.1.251"),
    tool_event("PreToolUse"),
    event("SessionEnd"),
    event("SessionStart"),
    event("Setup"),
    event("Stop"),
    event("StopFailure"),
    event("SubagentStart"),
    event("SubagentStop"),
    event("TaskCompleted"),
    event("TaskCreated"),
    event("TeammateIdle"),
    event("UserPromptExpansion"),
    event("UserPromptSubmit"),
    event("WorktreeCreate"),
    event("WorktreeRemove"),
];

pub fn hook_event(name: &str) -> Option<&'static HookEvent> {
    HOOK_EVENTS.iter().find(|e| e.name == name)
}

/// Keys of a matcher group (`{ "matcher": ..., "hooks": [...] }`).
pub const MATCHER_GROUP_KEYS: &[Key] = &[key("matcher", STR), key("hooks", ANY_ARRAY).required()];

/// Hook handler `type` values.
pub const HANDLER_TYPES: &[&str] = &["command", "http", "mcp_tool", "prompt", "agent"];

/// `onFailure` values (v2.1.295, command and http handlers only).
pub const ON_FAILURE: &[&str] = &["continue", "block"];

const HANDLER_COMMON: &[Key] = &[
    key("type", Shape::Enum(HANDLER_TYPES)).required(),
    key("if", STR),
    key(
        "timeout",
        Shape::Number(Bounds {
            min: Some(0.0),
            min_exclusive: true,
            max: None,
            integer: false,
        }),
    ),
    key("statusMessage", STR),
    // Honoured only in skill frontmatter; ignored in settings files.
    key("once", BOOL),
];

const HANDLER_COMMAND: &[Key] = &[
    key("command", STR).required(),
    key("args", STRS),
    key("async", BOOL),
    key("asyncRewake", BOOL),
    key("shell", Shape::Enum(&["bash", "powershell"])),
    key("onFailure", Shape::Enum(ON_FAILURE)).since("2.1.295"),
];

const HANDLER_HTTP: &[Key] = &[
    key("url", STR).required(),
    key("headers", Shape::MapOf(&Shape::Str)),
    key("allowedEnvVars", STRS),
    key("onFailure", Shape::Enum(ON_FAILURE)).since("2.1.295"),
];

const HANDLER_MCP_TOOL: &[Key] = &[
    key("server", STR).required(),
    key("tool", STR).required(),
    key("input", ANY),
];

const HANDLER_PROMPT: &[Key] = &[key("prompt", STR).required(), key("model", STR)];

/// The common keys and the keys specific to handler `type` (`None` for an unknown type).
pub fn handler_keys(handler_type: &str) -> Option<(&'static [Key], &'static [Key])> {
    let specific = match handler_type {
        "command" => HANDLER_COMMAND,
        "http" => HANDLER_HTTP,
        "mcp_tool" => HANDLER_MCP_TOOL,
        "prompt" | "agent" => HANDLER_PROMPT,
        _ => return None,
    };
    Some((HANDLER_COMMON, specific))
}

/// Every key any handler type documents, to tell "belongs to another type" from "unknown".
pub fn any_handler_key(name: &str) -> bool {
    [
        HANDLER_COMMON,
        HANDLER_COMMAND,
        HANDLER_HTTP,
        HANDLER_MCP_TOOL,
        HANDLER_PROMPT,
    ]
    .iter()
    .any(|keys| find_key(keys, name).is_some())
}

// ------------------------------------------------------------------ env

/// The documented form of an `env` variable name (facts §2.2, R28).
pub fn is_conventional_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('A'..='Z' | '_'))
        && chars.all(|c| matches!(c, 'A'..='Z' | '0'..='9' | '_'))
}

/// Why Claude Code ignores variable `name` in the `env` block of a file of
/// `scope`, with the version that started ignoring it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvIgnored {
    pub since: Option<&'static str>,
    pub reason: &'static str,
}

/// `value` is the variable's value when it is a string: a repository file
/// that sets an on/off switch Claude Code ignores there to off changes
/// nothing, so it is not reported.
pub fn env_ignored(name: &str, value: Option<&str>, scope: SettingsScope) -> Option<EnvIgnored> {
    if let Some(ignored) = env_ignored_everywhere(name) {
        return Some(ignored);
    }
    if matches!(scope, SettingsScope::Project | SettingsScope::Local) {
        if is_turn_on_switch(name) && value.is_some_and(is_falsy) {
            return None;
        }
        return env_ignored_in_repository(name);
    }
    None
}

/// Variables that repository files may no longer turn *on* (facts §12.6):
/// setting them off there is what Claude Code does anyway.
fn is_turn_on_switch(name: &str) -> bool {
    matches!(
        name,
        "CLAUDE_CODE_ENABLE_TELEMETRY" | "ENABLE_BETA_TRACING_DETAILED" | "OTEL_LOG_RAW_API_BODIES"
    ) || name.starts_with("OTEL_LOG_")
}

/// `0`, `false`, `no`, `off` in any casing, or empty (unset): the documented
/// off spellings of on/off variables (facts §3.5).
fn is_falsy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

fn env_ignored_everywhere(name: &str) -> Option<EnvIgnored> {
    let (since, reason) = match name {
        "CLAUDE_CODE_REMOTE" | "CLAUDE_CODE_ACCOUNT_UUID" => (
            None,
            "an identity variable owned by Claude Code's hosting environment; ignored in every settings file",
        ),
        "CLAUDE_CODE_MESSAGING_SOCKET" => (
            Some("2.1.224"),
            "exported by Claude Code itself; ignored in every settings file",
        ),
        "CLAUDE_CODE_MESSAGING_TOKEN" => (
            Some("2.1.228"),
            "exported by Claude Code itself; ignored in every settings file",
        ),
        "CLAUDE_CODE_PROJECT_DIR_NAME" => (
            Some("2.1.234"),
            "read from the launch environment only; ignored in every settings file",
        ),
        "CLAUDE_CODE_RESTRICTED" => (
            Some("2.1.248"),
            "read from the launch environment only (like `--restricted`); ignored in every `env` block",
        ),
        _ => return None,
    };
    Some(EnvIgnored { since, reason })
}

fn env_ignored_in_repository(name: &str) -> Option<EnvIgnored> {
    let user_or_managed =
        "project and local settings cannot set it; set it in user or managed settings";
    let (since, reason) = match name {
        "CLAUDE_CODE_PROCESS_WRAPPER"
        | "CLAUDE_CODE_SYNC_SKILLS"
        | "CLAUDE_CODE_SYNC_PLUGINS"
        | "CLAUDE_CODE_PLUGIN_CACHE_DIR"
        | "CLAUDE_CODE_PLUGIN_SEED_DIR" => (None, user_or_managed),
        "CLAUDE_CONFIG_DIR"
        | "CLAUDE_CODE_TMPDIR"
        | "TMPDIR"
        | "TMP"
        | "TEMP"
        | "HOME"
        | "OTEL_LOG_RAW_API_BODIES"
        | "ENABLE_BETA_TRACING_DETAILED"
        | "BETA_TRACING_ENDPOINT" => (Some("2.1.251"), user_or_managed),
        _ if name.starts_with("XDG_") => (Some("2.1.251"), user_or_managed),
        "CLAUDE_CODE_ENABLE_TELEMETRY" => (
            Some("2.1.282"),
            "project and local settings can no longer turn OpenTelemetry export on",
        ),
        _ if name.starts_with("OTEL_LOG_") => (
            Some("2.1.282"),
            "project and local settings can no longer make OpenTelemetry capture content",
        ),
        "ALLUSERSPROFILE"
        | "SystemDrive"
        | "CommonProgramFiles"
        | "CommonProgramFiles(x86)"
        | "CommonProgramW6432" => (Some("2.1.285"), user_or_managed),
        "CLAUDE_CODE_DISABLE_ATTACHMENTS" => (Some("2.1.290"), user_or_managed),
        _ => return None,
    };
    Some(EnvIgnored { since, reason })
}

// ------------------------------------------------------------------ .claude.json

/// Top-level `~/.claude.json` options removed in 2.0.8 (facts §1.4, R29),
/// with where they live now (`Some(None)`: nowhere, the option is gone).
pub fn legacy_state_key(name: &str) -> Option<Option<&'static str>> {
    match name {
        "allowedTools" => Some(Some("`permissions.allow` in a settings file")),
        "ignorePatterns" => Some(Some(
            "`Read(...)` rules in `permissions.deny` in a settings file",
        )),
        "env" => Some(Some("the `env` block of a settings file")),
        "todoFeatureEnabled" => Some(None),
        _ => None,
    }
}

/// Settings keys that do nothing at the top level of `~/.claude.json`: it is
/// not a settings layer (facts §1.4).
pub fn settings_key_in_state(name: &str) -> bool {
    matches!(
        name,
        "permissions" | "hooks" | "statusLine" | "apiKeyHelper"
    )
}

// ------------------------------------------------------------------ did you mean

/// The closest candidate to `word`, if close enough to be a likely typo:
/// a case-insensitive match, or an edit distance of at most 1 (short
/// words), 2 (up to 10 characters) or 3.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let limit = match word.chars().count() {
        0..=4 => 1,
        5..=10 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let distance = if candidate.to_lowercase() == lower {
            0
        } else {
            edit_distance(&lower, &candidate.to_lowercase())
        };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein plus adjacent swaps).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 8 {
        return a.len().abs_diff(b.len());
    }
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_table_has_no_duplicates() {
        let mut names: Vec<&str> = settings_key_names().collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total);
        assert_eq!(HOOK_EVENTS.len(), 33);
    }

    #[test]
    fn scopes_follow_the_docs() {
        use SettingsScope as S;
        let scope = |name: &str| find_key(SETTINGS_KEYS, name).unwrap().scope;
        assert!(scope("permissions").applies_in(S::Project));
        assert!(!scope("allowManagedHooksOnly").applies_in(S::Project));
        assert!(!scope("allowManagedHooksOnly").applies_in(S::User));
        assert!(scope("allowManagedHooksOnly").applies_in(S::ManagedInRepo));
        assert!(!scope("autoMode").applies_in(S::Local));
        assert!(scope("autoMode").applies_in(S::User));
        assert!(!scope("skipDangerousModePermissionPrompt").applies_in(S::Project));
        assert!(scope("skipDangerousModePermissionPrompt").applies_in(S::Local));
        assert!(!scope("diffTool").applies_in(S::User));
    }

    #[test]
    fn did_you_mean_finds_typos_and_case_slips() {
        let names = settings_key_names();
        assert_eq!(did_you_mean("permisions", names), Some("permissions"));
        assert_eq!(did_you_mean("Hooks", settings_key_names()), Some("hooks"));
        assert_eq!(
            did_you_mean("statusline", settings_key_names()),
            Some("statusLine")
        );
        assert_eq!(
            did_you_mean("enviroment", ["env", "environment"]),
            Some("environment")
        );
        assert_eq!(did_you_mean("zzzzzzzz", settings_key_names()), None);
        assert_eq!(did_you_mean("ab", ["ba"]), Some("ba"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn misplaced_and_renamed_keys() {
        assert_eq!(misplaced_parent("defaultMode"), Some("permissions"));
        assert_eq!(misplaced_parent("PreToolUse"), Some("hooks"));
        assert_eq!(misplaced_parent("model"), None);
        assert_eq!(renamed_key("allowedTools"), Some("permissions.allow"));
    }

    #[test]
    fn bounds_and_env_names() {
        let days = Bounds::at_least(1.0).integer();
        assert!(days.violation(0.0).is_some());
        assert!(days.violation(1.5).is_some());
        assert!(days.violation(30.0).is_none());
        assert!(is_conventional_env_name("ANTHROPIC_MODEL"));
        assert!(is_conventional_env_name("_X1"));
        assert!(!is_conventional_env_name("has-dashes"));
        assert!(!is_conventional_env_name("1ABC"));
        assert!(!is_conventional_env_name("lower"));
    }

    #[test]
    fn env_ignored_by_scope() {
        assert!(env_ignored("CLAUDE_CONFIG_DIR", None, SettingsScope::Project).is_some());
        assert!(env_ignored("CLAUDE_CONFIG_DIR", None, SettingsScope::User).is_none());
        assert!(env_ignored("XDG_CONFIG_HOME", None, SettingsScope::Local).is_some());
        assert!(env_ignored("CLAUDE_CODE_REMOTE", None, SettingsScope::Managed).is_some());
        assert!(env_ignored("ANTHROPIC_MODEL", None, SettingsScope::Project).is_none());
    }

    #[test]
    fn switching_telemetry_off_in_a_repository_is_not_ignored_setting() {
        let project = SettingsScope::Project;
        for on in ["1", "true", "ON"] {
            assert!(env_ignored("CLAUDE_CODE_ENABLE_TELEMETRY", Some(on), project).is_some());
        }
        for off in ["0", "false", "No", " off ", ""] {
            assert!(
                env_ignored("CLAUDE_CODE_ENABLE_TELEMETRY", Some(off), project).is_none(),
                "{off}"
            );
            assert!(
                env_ignored("OTEL_LOG_USER_PROMPTS", Some(off), SettingsScope::Local).is_none()
            );
        }
        // Not a switch: a value of "0" still is a value Claude Code drops.
        assert!(env_ignored("CLAUDE_CONFIG_DIR", Some("0"), project).is_some());
    }

    #[test]
    fn handler_tables() {
        let (common, command) = handler_keys("command").unwrap();
        assert!(find_key(common, "timeout").is_some());
        assert!(find_key(command, "command").unwrap().required);
        assert!(handler_keys("script").is_none());
        assert!(any_handler_key("allowedEnvVars"));
        assert!(!any_handler_key("cmd"));
        assert_eq!(list_quoted(&["a", "b", "c"]), "`\"a\"`, `\"b\"` or `\"c\"`");
    }
}
