//! Claude Code permission rules: the grammar `Tool` / `Tool(specifier)` and
//! the documented ways a well-formed rule still does nothing where it stands
//! (facts §2.4, §12.3, R30).
//!
//! Rule text can hold secrets (approving a command stores the whole command
//! line as a rule), so nothing here ever quotes a rule's specifier. Tool
//! names are quoted only when they look like tool names.

use std::fmt;

use crate::claude::location::SettingsScope;

/// Which list of `permissions` a rule sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleList {
    Allow,
    Ask,
    Deny,
}

impl RuleList {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleList::Allow => "allow",
            RuleList::Ask => "ask",
            RuleList::Deny => "deny",
        }
    }

    pub fn from_key(key: &str) -> Option<RuleList> {
        match key {
            "allow" => Some(RuleList::Allow),
            "ask" => Some(RuleList::Ask),
            "deny" => Some(RuleList::Deny),
            _ => None,
        }
    }
}

impl fmt::Display for RuleList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule split into its tool name and optional specifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule<'a> {
    pub tool: &'a str,
    /// The text between the first `(` and the last `)`.
    pub specifier: Option<&'a str>,
}

/// Why a rule does not follow the `Tool` / `Tool(specifier)` grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxError {
    /// `""` or only whitespace.
    Empty,
    /// `(…)` with nothing before it.
    EmptyToolName,
    /// `Tool(…` with no closing parenthesis.
    Unclosed,
    /// `Tool(…) more`: reported as an invalid setting since v2.1.260 (silently ignored before).
    TextAfterClose,
    /// `Tool()`.
    EmptySpecifier,
}

impl SyntaxError {
    pub fn describe(self) -> &'static str {
        match self {
            SyntaxError::Empty => "the rule is empty",
            SyntaxError::EmptyToolName => "the rule has no tool name before `(`",
            SyntaxError::Unclosed => "the specifier's `(` is never closed with `)`",
            SyntaxError::TextAfterClose => {
                "text follows the closing `)`; Claude Code reports such a rule as an invalid setting \
                 since v2.1.260 (earlier versions silently ignored it)"
            }
            SyntaxError::EmptySpecifier => {
                "the parentheses are empty; write the bare tool name to match every use, or put a \
                 specifier inside (what Claude Code does with `Tool()` is undocumented)"
            }
        }
    }
}

/// Splits `raw` into tool and specifier.
pub fn parse(raw: &str) -> Result<Rule<'_>, SyntaxError> {
    if raw.trim().is_empty() {
        return Err(SyntaxError::Empty);
    }
    let Some(open) = raw.find('(') else {
        return Ok(Rule {
            tool: raw,
            specifier: None,
        });
    };
    let tool = &raw[..open];
    if tool.trim().is_empty() {
        return Err(SyntaxError::EmptyToolName);
    }
    let rest = &raw[open + 1..];
    let Some(close) = rest.rfind(')') else {
        return Err(SyntaxError::Unclosed);
    };
    if !rest[close + 1..].trim().is_empty() {
        return Err(SyntaxError::TextAfterClose);
    }
    let specifier = &rest[..close];
    if specifier.trim().is_empty() {
        return Err(SyntaxError::EmptySpecifier);
    }
    Ok(Rule {
        tool,
        specifier: Some(specifier),
    })
}

/// Canonical tool names from the tools reference (v2.1.240), plus `Cd`
/// (rules only) and the legacy `MultiEdit` that rules may still name.
/// `TaskOutput` was removed in v2.1.277 (facts §12.2, §12.10): see [`alias_of`].
pub const KNOWN_TOOLS: &[&str] = &[
    "Agent",
    "Artifact",
    "AskUserQuestion",
    "Bash",
    "Cd",
    "CronCreate",
    "CronDelete",
    "CronList",
    "Edit",
    "EndConversation",
    "EnterPlanMode",
    "EnterWorktree",
    "ExitPlanMode",
    "ExitWorktree",
    "Glob",
    "Grep",
    "ListAgents",
    "ListMcpResourcesTool",
    "LSP",
    "Monitor",
    "MultiEdit",
    "NotebookEdit",
    "PowerShell",
    "PushNotification",
    "Read",
    "ReadMcpResourceTool",
    "RemoteTrigger",
    "ReportFindings",
    "ScheduleWakeup",
    "SendMessage",
    "SendUserFile",
    "ShareOnboardingGuide",
    "Skill",
    "TaskCreate",
    "TaskGet",
    "TaskList",
    "TaskStop",
    "TaskUpdate",
    "TodoWrite",
    "ToolSearch",
    "WaitForMcpServers",
    "WebFetch",
    "WebSearch",
    "Workflow",
    "Write",
];

pub fn is_known_tool(name: &str) -> bool {
    KNOWN_TOOLS.contains(&name)
}

/// A name that is not canonical but points to a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alias {
    /// A label from the transcript (`Stop Task`): rules never match it.
    Label(&'static str),
    /// A tool's old name that Claude Code still accepts in rules: `Task`,
    /// renamed `Agent` in v2.1.63 (anthropics/claude-code#29677: settings
    /// rules and `--allowedTools` still match it).
    Deprecated {
        canonical: &'static str,
        since: &'static str,
    },
    /// A tool Claude Code no longer has.
    Removed { since: &'static str },
}

fn alias_of(name: &str) -> Option<Alias> {
    match name {
        "Stop Task" => Some(Alias::Label("TaskStop")),
        "Task" => Some(Alias::Deprecated {
            canonical: "Agent",
            since: "2.1.63",
        }),
        "TaskOutput" => Some(Alias::Removed { since: "2.1.277" }),
        _ => None,
    }
}

/// `mcp__server` / `mcp__server__tool`, split. `None` when `name` is not an MCP rule.
pub fn mcp_parts(name: &str) -> Option<(&str, Option<&str>)> {
    let rest = name.strip_prefix("mcp__")?;
    Some(match rest.find("__") {
        Some(at) => (&rest[..at], Some(&rest[at + 2..])),
        None => (rest, None),
    })
}

/// `Read[pattern]`: a tool name followed by a bracketed specifier (the
/// schema's negative test), not a tool-name wildcard. Returns the name.
fn bracketed_specifier(tool: &str) -> Option<&str> {
    let open = tool.find('[')?;
    let name = &tool[..open];
    let inner = tool[open + 1..].strip_suffix(']')?;
    let is_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (is_name && !inner.is_empty() && !name.ends_with('*')).then_some(name)
}

fn has_glob(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// `name` quoted for a message when it looks like a tool name, else a neutral phrase.
pub fn shown_tool(name: &str) -> String {
    // A long name mixing letters and digits may be a pasted token: never quote it.
    let token_like = name.len() >= 16
        && name.chars().any(|c| c.is_ascii_digit())
        && name.chars().any(|c| c.is_ascii_alphabetic());
    let plain = !name.is_empty()
        && name.len() <= 48
        && !token_like
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '*' | '-' | '.'));
    if plain {
        format!("`{name}`")
    } else {
        "this tool name".to_string()
    }
}

/// What kind of problem a rule has; the settings check maps each to a catalog rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    /// Not `Tool` / `Tool(specifier)`.
    Syntax,
    /// Well-formed, but Claude Code skips it or it can never match.
    Ignored,
    /// The tool name is not a tool Claude Code has.
    UnknownTool,
    /// A `/path` that is anchored somewhere other than the author expects.
    PathAnchor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub kind: IssueKind,
    /// One step below the catalog rule's severity (behaviour undocumented or version-dependent).
    pub lowered: bool,
    pub message: String,
}

impl Issue {
    fn new(kind: IssueKind, message: impl Into<String>) -> Issue {
        Issue {
            kind,
            lowered: false,
            message: message.into(),
        }
    }

    fn lowered(mut self) -> Issue {
        self.lowered = true;
        self
    }
}

/// Where a rule sits, for the checks that depend on it.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub list: RuleList,
    /// The settings file's scope; `None` outside a settings file (a hook's `if`).
    pub scope: Option<SettingsScope>,
    /// The rules listed before this one in the same list of the same file.
    pub earlier: &'a [&'a str],
}

/// Every problem of rule `raw` at `placement`.
pub fn lint(raw: &str, placement: &Placement) -> Vec<Issue> {
    let rule = match parse(raw) {
        Ok(rule) => rule,
        Err(e) => return vec![Issue::new(IssueKind::Syntax, e.describe())],
    };
    let mut issues = Vec::new();
    if raw.contains('\0') {
        issues.push(Issue::new(
            IssueKind::Ignored,
            "the rule contains a NUL character; since v2.1.281 such a rule matches nothing",
        ));
    }
    tool_issues(rule.tool, placement, &mut issues);
    if let Some(spec) = rule.specifier {
        specifier_issues(rule.tool, spec, placement, &mut issues);
    }
    issues
}

fn tool_issues(tool: &str, placement: &Placement, out: &mut Vec<Issue>) {
    let allow = placement.list == RuleList::Allow;
    if let Some((server, tool_part)) = mcp_parts(tool) {
        if server.is_empty() {
            out.push(Issue::new(
                IssueKind::Syntax,
                "the MCP rule names no server (`mcp__<server>` or `mcp__<server>__<tool>`)",
            ));
        } else if allow && has_glob(server) {
            out.push(Issue::new(
                IssueKind::Ignored,
                "an allow rule may use a wildcard only after a literal `mcp__<server>__` prefix; Claude Code \
                 skips this one with a warning and it approves nothing (deny and ask rules may use it)",
            ));
        } else if tool_part.is_some_and(str::is_empty) {
            out.push(Issue::new(
                IssueKind::Syntax,
                "the MCP rule ends in `__` with no tool name; write `mcp__<server>` or `mcp__<server>__*` \
                 for every tool of the server",
            ));
        }
        return;
    }
    if let Some(name) = bracketed_specifier(tool) {
        let fixed = if shown_tool(name).starts_with('`') {
            format!("`{name}(…)`")
        } else {
            "the tool name and `(…)`".to_string()
        };
        out.push(Issue::new(
            IssueKind::Syntax,
            format!(
                "the specifier is in square brackets; a rule is `Tool` or `Tool(specifier)`, so write {fixed} \
                 with parentheses. As written the rule names no tool Claude Code has and never matches"
            ),
        ));
        return;
    }
    if has_glob(tool) {
        if allow {
            out.push(Issue::new(
                IssueKind::Ignored,
                format!(
                    "{} is an unanchored tool-name wildcard: Claude Code skips it in allow rules with a \
                     warning, so it approves nothing (only deny and ask rules accept tool-name wildcards; an \
                     allow rule may glob only after `mcp__<server>__`)",
                    shown_tool(tool)
                ),
            ));
        }
        return;
    }
    if is_known_tool(tool) {
        return;
    }
    match alias_of(tool) {
        Some(Alias::Label(canonical)) => {
            out.push(
                Issue::new(
                    IssueKind::UnknownTool,
                    format!(
                        "{} is not a canonical tool name; rules match canonical names only, so write `{canonical}`",
                        shown_tool(tool)
                    ),
                )
                .lowered(),
            );
            return;
        }
        Some(Alias::Deprecated { canonical, since }) => {
            out.push(
                Issue::new(
                    IssueKind::UnknownTool,
                    format!(
                        "{} is the tool's name before v{since}, when it was renamed `{canonical}`; Claude Code \
                         still accepts it as an alias, so the rule works, but `{canonical}` is the name to write \
                         (hooks see `{canonical}` in `tool_name`)",
                        shown_tool(tool)
                    ),
                )
                .lowered(),
            );
            return;
        }
        Some(Alias::Removed { since }) => {
            out.push(
                Issue::new(
                    IssueKind::UnknownTool,
                    format!(
                        "{} was removed in v{since}: Claude Code no longer has that tool, so from v{since} on the \
                         rule matches nothing; delete it",
                        shown_tool(tool)
                    ),
                )
                .lowered(),
            );
            return;
        }
        None => {}
    }
    // The CLI exempts names with `_` from its own unknown-tool warning.
    if tool.contains('_') {
        return;
    }
    let message = if tool.trim() != tool || tool.contains(char::is_whitespace) {
        "the tool name contains spaces; a rule is `Tool` or `Tool(specifier)` with the specifier in parentheses, \
         so this rule names no tool Claude Code has and never matches"
            .to_string()
    } else {
        let hint = crate::claude::settings_model::did_you_mean(tool, KNOWN_TOOLS.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        let effect = if placement.list == RuleList::Allow {
            "so the rule approves nothing"
        } else {
            "so the rule protects nothing; Claude Code warns about it at startup"
        };
        format!(
            "{} is not in Claude Code's tool list (rules match canonical tool names, case-sensitively), \
             {effect}{hint}",
            shown_tool(tool)
        )
    };
    let issue = Issue::new(IssueKind::UnknownTool, message);
    // An allow rule that matches nothing only fails to approve; deny and ask fail to protect.
    out.push(if placement.list == RuleList::Allow {
        issue.lowered()
    } else {
        issue
    });
}

/// A tool's primary input field, which `Tool(param:value)` cannot match (facts §2.4).
fn primary_field(tool: &str) -> Option<&'static str> {
    match tool {
        "Bash" | "PowerShell" => Some("command"),
        "Read" | "Edit" | "Write" => Some("file_path"),
        "Grep" | "Glob" => Some("path"),
        "NotebookEdit" => Some("notebook_path"),
        "WebFetch" => Some("url"),
        _ => None,
    }
}

/// Scalar input parameters (other than the primary field) that `Tool(param:value)` can match.
fn known_parameters(tool: &str) -> &'static [&'static str] {
    match tool {
        // Only the documented example: `timeout` or `description` are also command names.
        "Bash" => &["run_in_background"],
        "Agent" => &["model", "isolation", "run_in_background", "subagent_type"],
        _ => &[],
    }
}

/// `name` of a `name:value` specifier, when the name is an identifier.
fn parameter_name(spec: &str) -> Option<&str> {
    let (name, _) = spec.split_once(':')?;
    let name = name.trim();
    let identifier = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    identifier.then_some(name)
}

fn specifier_issues(tool: &str, spec: &str, placement: &Placement, out: &mut Vec<Issue>) {
    // `Tool(*)` is the whole tool, as `Bash(*)` is `Bash` (documented for Bash and WebFetch).
    if spec.trim() == "*" {
        return;
    }
    // `Bash(name:*)` is the legacy prefix form, not a parameter rule.
    let legacy_prefix = spec.trim_end().ends_with(":*") && matches!(tool, "Bash" | "PowerShell");
    if let Some(param) = parameter_name(spec).filter(|_| !legacy_prefix) {
        if primary_field(tool) == Some(param) {
            out.push(Issue::new(
                IssueKind::Ignored,
                format!(
                    "`{tool}({param}:…)` tries to match the tool's primary field by parameter; Claude Code \
                     ignores such a rule with a startup warning (it would be bypassable); use the tool's own \
                     specifier instead"
                ),
            ));
            return;
        }
        if known_parameters(tool).contains(&param) && placement.list == RuleList::Allow {
            out.push(Issue::new(
                IssueKind::Ignored,
                format!(
                    "parameter rules such as `{tool}({param}:…)` work only in deny and ask lists; an allow \
                     rule uses the tool's own specifier, so this one approves nothing"
                ),
            ));
            return;
        }
    }
    match tool {
        "Bash" | "PowerShell" => command_pattern_issues(spec, out),
        "Read" | "Edit" | "Cd" => path_issues(tool, spec, placement, out),
        "Write" | "NotebookEdit" | "Glob" | "MultiEdit" => {
            let instead = if tool == "Glob" { "Read" } else { "Edit" };
            out.push(Issue::new(
                IssueKind::Ignored,
                format!(
                    "Claude Code checks file paths against `Edit(...)` and `Read(...)` rules only: a path rule \
                     for `{tool}` is accepted but never consulted (a startup warning since v2.1.210); write \
                     `{instead}(...)` with the same path"
                ),
            ));
        }
        "WebFetch" => webfetch_issues(spec, out),
        _ => {}
    }
}

/// `:*` is the legacy trailing wildcard; elsewhere in a pattern it is version-dependent.
fn command_pattern_issues(spec: &str, out: &mut Vec<Issue>) {
    let trimmed = spec.trim_end();
    let mid = trimmed
        .match_indices(":*")
        .any(|(at, _)| at + 2 != trimmed.len());
    if mid {
        out.push(Issue::new(
            IssueKind::Ignored,
            "`:*` is the legacy trailing wildcard and is documented only at the end of a pattern \
             (`Bash(ls:*)` ≡ `Bash(ls *)`); mid-pattern the docs call the colon literal so the rule never \
             matches, and v2.1.282 says such rules now apply with a startup warning about how they match. \
             Write the space form, e.g. `Bash(git * push)`",
        ));
    }
}

/// The first path segments of single-slash paths that were almost certainly meant as absolute.
const ABSOLUTE_ROOTS: &[&str] = &[
    "Users",
    "home",
    "etc",
    "var",
    "tmp",
    "opt",
    "usr",
    "root",
    "private",
    "Volumes",
    "mnt",
    "srv",
    "proc",
    "dev",
    "bin",
    "sbin",
    "Library",
    "System",
    "Applications",
    "nix",
    "run",
    "workspace",
    "workspaces",
];

fn path_issues(tool: &str, spec: &str, placement: &Placement, out: &mut Vec<Issue>) {
    let negated = spec.starts_with('!');
    if negated {
        negation_issues(tool, spec, placement, out);
    }
    let path = spec.strip_prefix('!').unwrap_or(spec).trim();
    if let Some(after) = path.strip_prefix('/')
        && !after.starts_with('/')
    {
        anchor_issues(tool, after, placement, out);
    }
}

fn anchor_issues(tool: &str, after_slash: &str, placement: &Placement, out: &mut Vec<Issue>) {
    match placement.scope {
        Some(SettingsScope::User) => out.push(Issue::new(
            IssueKind::PathAnchor,
            format!(
                "in user settings a single leading `/` anchors the path at `~/.claude/`, not at the project or \
                 the filesystem root, so this `{tool}` rule covers only files under `~/.claude/`; use `//` for \
                 an absolute path or `~/` for the home directory"
            ),
        )),
        Some(_) | None => {
            let first = after_slash.split('/').next().unwrap_or_default();
            if ABSOLUTE_ROOTS.contains(&first) {
                out.push(Issue::new(
                    IssueKind::PathAnchor,
                    format!(
                        "this `{tool}` path looks absolute, but a single leading `/` anchors it at the settings \
                         source (the project root for `.claude/settings.json`), not the filesystem root, so it \
                         never matches the file it names; write `//{first}/…` for an absolute path"
                    ),
                ));
            }
        }
    }
}

/// `!` carve-outs (facts §12.3): deny/ask only, after a relative rule for the same tool.
fn negation_issues(tool: &str, spec: &str, placement: &Placement, out: &mut Vec<Issue>) {
    if placement.list == RuleList::Allow {
        out.push(Issue::new(
            IssueKind::Ignored,
            "a path starting with `!` is a carve-out for deny and ask rules; in an allow rule it approves nothing",
        ));
        return;
    }
    if spec.trim() == "!" {
        out.push(Issue::new(
            IssueKind::Ignored,
            "a bare `!` carves out nothing; Claude Code ignores it since v2.1.269",
        ));
        return;
    }
    let carves_something = placement.earlier.iter().any(|earlier| {
        parse(earlier).ok().is_some_and(|r| {
            r.tool == tool
                && r.specifier.is_some_and(|s| {
                    let s = s.trim();
                    !s.starts_with('!') && !s.starts_with('/') && !s.starts_with('~')
                })
        })
    });
    if !carves_something {
        out.push(Issue::new(
            IssueKind::Ignored,
            format!(
                "a `!` carve-out only removes paths from relative (`path`, `./path`) `{tool}` rules listed before \
                 it in the same list of the same file; none precedes it, so it carves nothing"
            ),
        ));
    }
}

fn webfetch_issues(spec: &str, out: &mut Vec<Issue>) {
    // `prompt` is WebFetch's other input; deny/ask rules may match it by parameter.
    if spec.trim_start().starts_with("domain:") || parameter_name(spec) == Some("prompt") {
        return;
    }
    out.push(
        Issue::new(
            IssueKind::Ignored,
            "WebFetch rules match a host written as `WebFetch(domain:<host>)`; this specifier is not in that \
             form, and what Claude Code does with it is undocumented (it most likely never matches)",
        )
        .lowered(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(raw: &str, list: RuleList, scope: SettingsScope) -> Vec<IssueKind> {
        lint(
            raw,
            &Placement {
                list,
                scope: Some(scope),
                earlier: &[],
            },
        )
        .into_iter()
        .map(|i| i.kind)
        .collect()
    }

    fn project(raw: &str, list: RuleList) -> Vec<IssueKind> {
        issues(raw, list, SettingsScope::Project)
    }

    #[test]
    fn parses_tool_and_specifier() {
        assert_eq!(
            parse("Bash(npm run *)"),
            Ok(Rule {
                tool: "Bash",
                specifier: Some("npm run *")
            })
        );
        assert_eq!(parse("Bash(echo (x))").unwrap().specifier, Some("echo (x)"));
        assert_eq!(parse("WebSearch").unwrap().specifier, None);
        assert_eq!(parse(""), Err(SyntaxError::Empty));
        assert_eq!(parse("(x)"), Err(SyntaxError::EmptyToolName));
        assert_eq!(parse("WebFetch(invalid:syntax"), Err(SyntaxError::Unclosed));
        assert_eq!(parse("Bash(ls) x"), Err(SyntaxError::TextAfterClose));
        assert_eq!(parse("Bash()"), Err(SyntaxError::EmptySpecifier));
        assert_eq!(parse("Bash(ls) ").unwrap().specifier, Some("ls"));
    }

    #[test]
    fn valid_documented_rules_are_clean() {
        for (rule, list) in [
            ("Bash", RuleList::Allow),
            ("Bash(*)", RuleList::Allow),
            ("Bash(npm run *)", RuleList::Allow),
            ("Bash(ls:*)", RuleList::Allow),
            ("Bash(git * main)", RuleList::Allow),
            ("Read(./.env)", RuleList::Deny),
            ("Read(~/.ssh/**)", RuleList::Deny),
            ("Edit(//etc/**)", RuleList::Deny),
            ("Edit(/src/**/*.ts)", RuleList::Allow),
            ("WebFetch(domain:example.com)", RuleList::Allow),
            ("mcp__puppeteer", RuleList::Allow),
            ("mcp__puppeteer__*", RuleList::Allow),
            ("mcp__github__get_*", RuleList::Allow),
            ("mcp__*", RuleList::Deny),
            ("*", RuleList::Deny),
            ("Agent(Explore)", RuleList::Deny),
            ("Agent(model:opus)", RuleList::Deny),
            ("Bash(run_in_background:true)", RuleList::Ask),
            ("Cd(~/code/**)", RuleList::Allow),
            ("Skill(deploy *)", RuleList::Allow),
            ("PowerShell(Get-ChildItem *)", RuleList::Allow),
        ] {
            assert_eq!(project(rule, list), vec![], "{rule} in {list}");
        }
    }

    #[test]
    fn ignored_forms() {
        use IssueKind::*;
        assert_eq!(project("Bash(git:* push)", RuleList::Deny), vec![Ignored]);
        assert_eq!(project("Bash(command:rm *)", RuleList::Deny), vec![Ignored]);
        assert_eq!(project("Agent(model:opus)", RuleList::Allow), vec![Ignored]);
        assert_eq!(
            project("Bash(run_in_background:true)", RuleList::Allow),
            vec![Ignored]
        );
        assert_eq!(project("Bash(timeout:*)", RuleList::Allow), vec![]);
        assert_eq!(project("Write(*)", RuleList::Allow), vec![]);
        assert_eq!(project("WebFetch(*)", RuleList::Allow), vec![]);
        assert_eq!(project("Write(/etc/**)", RuleList::Deny), vec![Ignored]);
        assert_eq!(project("Glob(docs/**)", RuleList::Deny), vec![Ignored]);
        assert_eq!(project("*", RuleList::Allow), vec![Ignored]);
        assert_eq!(project("B*", RuleList::Allow), vec![Ignored]);
        assert_eq!(project("mcp__*", RuleList::Allow), vec![Ignored]);
        assert_eq!(project("mcp__gh*__x", RuleList::Allow), vec![Ignored]);
        assert_eq!(
            project("Read(!./public/**)", RuleList::Allow),
            vec![Ignored]
        );
        assert_eq!(project("Read(!)", RuleList::Deny), vec![Ignored]);
        assert_eq!(project("Read(!./public/**)", RuleList::Deny), vec![Ignored]);
        assert_eq!(project("Bash(a\0b)", RuleList::Deny), vec![Ignored]);
        let lowered = lint(
            "WebFetch(https://example.com)",
            &Placement {
                list: RuleList::Allow,
                scope: None,
                earlier: &[],
            },
        );
        assert_eq!(lowered.len(), 1);
        assert!(lowered[0].lowered);
    }

    #[test]
    fn carve_out_after_a_relative_rule_is_fine() {
        let earlier = ["Read(./secrets/**)"];
        let got = lint(
            "Read(!./secrets/public.txt)",
            &Placement {
                list: RuleList::Deny,
                scope: Some(SettingsScope::Project),
                earlier: &earlier,
            },
        );
        assert!(got.is_empty(), "{got:?}");
        let anchored = ["Read(/secrets/**)"];
        let got = lint(
            "Read(!/secrets/public.txt)",
            &Placement {
                list: RuleList::Deny,
                scope: Some(SettingsScope::Project),
                earlier: &anchored,
            },
        );
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn unknown_tools_and_aliases() {
        use IssueKind::*;
        assert_eq!(project("InvalidTool", RuleList::Deny), vec![UnknownTool]);
        assert_eq!(
            project("Bash without parentheses", RuleList::Allow),
            vec![UnknownTool]
        );
        assert_eq!(
            project("Read[wrong-brackets]", RuleList::Deny),
            vec![Syntax]
        );
        assert_eq!(project("LS[wrong-brackets]", RuleList::Deny), vec![Syntax]);
        let brackets = lint(
            "Read[wrong]",
            &Placement {
                list: RuleList::Allow,
                scope: None,
                earlier: &[],
            },
        );
        assert_eq!(brackets.len(), 1);
        assert!(
            brackets[0].message.contains("square brackets")
                && brackets[0].message.contains("`Read(…)`")
                && !brackets[0].message.contains("wildcard"),
            "{}",
            brackets[0].message
        );
        let removed = lint(
            "TaskOutput",
            &Placement {
                list: RuleList::Deny,
                scope: None,
                earlier: &[],
            },
        );
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].kind, UnknownTool);
        assert!(removed[0].lowered && removed[0].message.contains("v2.1.277"));
        assert_eq!(project("TaskOutput(x)", RuleList::Allow), vec![UnknownTool]);
        let got = lint(
            "bash(ls)",
            &Placement {
                list: RuleList::Deny,
                scope: None,
                earlier: &[],
            },
        );
        assert!(
            got[0].message.contains("did you mean `Bash`"),
            "{}",
            got[0].message
        );
        let task = lint(
            "Task(Explore)",
            &Placement {
                list: RuleList::Deny,
                scope: None,
                earlier: &[],
            },
        );
        assert!(task[0].lowered && task[0].message.contains("`Agent`"));
        assert!(
            task[0].message.contains("still accepts it") && !task[0].message.contains("match"),
            "{}",
            task[0].message
        );
        let label = lint(
            "Stop Task",
            &Placement {
                list: RuleList::Deny,
                scope: None,
                earlier: &[],
            },
        );
        assert!(label[0].message.contains("canonical names only"));
        assert_eq!(project("my_custom_tool", RuleList::Deny), vec![]);
        assert_eq!(project("mcp__", RuleList::Deny), vec![Syntax]);
        assert_eq!(project("mcp__srv__", RuleList::Deny), vec![Syntax]);
    }

    #[test]
    fn path_anchors() {
        use IssueKind::*;
        assert_eq!(
            project("Read(/Users/alice/secret)", RuleList::Deny),
            vec![PathAnchor]
        );
        assert_eq!(project("Read(/src/**)", RuleList::Deny), vec![]);
        assert_eq!(
            issues("Read(/secrets/**)", RuleList::Deny, SettingsScope::User),
            vec![PathAnchor]
        );
        assert_eq!(
            issues("Read(//Users/x)", RuleList::Deny, SettingsScope::User),
            vec![]
        );
    }

    #[test]
    fn messages_never_quote_the_specifier() {
        for raw in [
            "Bash(curl -H 'Authorization: Bearer hunter2secret' x:* y)",
            "Bash(command:hunter2secret)",
            "Write(hunter2secret)",
            "WebFetch(hunter2secret)",
            "Bash hunter2secret",
            "hunter2secretAbc123XYZ",
        ] {
            for issue in lint(
                raw,
                &Placement {
                    list: RuleList::Allow,
                    scope: Some(SettingsScope::Project),
                    earlier: &[],
                },
            ) {
                assert!(!issue.message.contains("hunter2"), "{}", issue.message);
            }
        }
    }
}
