//! CLD420–CLD426: Claude Code in GitHub Actions workflows (facts §6.3, §10 D
//! R23/R32, §12.8), read from the typed workflow in `Parsed.workflow` and the
//! composite steps of `action.yml`.
//!
//! - CLD420 claude-code-action inputs that `@v1` removed.
//! - CLD421 claude-code-action pinned to `@beta`/`@v0` (or a v1 tag older than
//!   the base-branch config restore).
//! - CLD422 claude-code-action after checking out the pull request's code on
//!   `pull_request_target`/`workflow_run`.
//! - CLD423 untrusted event text in a Claude prompt, directly or through `env`.
//! - CLD424 bypass-permissions Claude on triggers anyone can fire with text.
//! - CLD425 `allowed_non_write_users: "*"` / `allowed_bots: "*"`.
//! - CLD426 `claude -p` over a checked-out pull request without locking the
//!   project's settings out.
//! - CLD427 claude-code-action inputs that v1 does not have (typos, other
//!   actions' inputs), with a did-you-mean.
//!
//! The auth inputs (`anthropic_api_key`, `use_*`) belong to other rules.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::FileContext;
use crate::assign::{Assignment, Value};
use crate::classify::FileKind;
use crate::finding::{Confidence, Finding, Related, Severity};
use crate::formats::yaml::Text;
use crate::formats::yaml::workflow::{Job, Step, Workflow};

pub fn check(ctx: &FileContext, out: &mut Vec<Finding>) {
    match ctx.kind {
        FileKind::Workflow => {
            if let Some(wf) = ctx.parsed.workflow.as_ref() {
                workflow(ctx, wf, out);
            }
        }
        FileKind::ActionMetadata => {
            if let Some(action) = ctx.parsed.action.as_ref() {
                let env = EnvScope::new(&[&action.runs.env]);
                for step in &action.runs.steps {
                    step_inputs(ctx, "runs", step, &env, out);
                }
            }
        }
        _ => {}
    }
}

fn workflow(ctx: &FileContext, wf: &Workflow, out: &mut Vec<Finding>) {
    let triggers: Vec<&str> = wf.on.iter().map(|t| t.event.value.as_str()).collect();
    for job in &wf.jobs {
        let env = EnvScope::new(&[&wf.env, &job.env]);
        let prefix = format!("jobs.{}", job.id);
        for step in &job.steps {
            let step_env = env.with(&step.env);
            step_inputs(ctx, &prefix, step, &step_env, out);
            untrusted_text_in_run(ctx, &prefix, step, &step_env, out);
            bypass_on_untrusted_trigger(ctx, &triggers, job, step, out);
        }
        after_untrusted_checkout(&triggers, job, &env, out);
    }
}

/// Checks on one step's `uses:`/`with:`, shared by workflows and composite actions.
fn step_inputs(
    ctx: &FileContext,
    prefix: &str,
    step: &Step,
    env: &EnvScope,
    out: &mut Vec<Finding>,
) {
    let Some(action) = claude_action(step) else {
        return;
    };
    let reference = action_ref(ctx, &action);
    removed_inputs(step, &action, &reference, out);
    unknown_inputs(step, &action, &reference, out);
    outdated_ref(prefix, step, &action, &reference, out);
    untrusted_text_in_inputs(ctx, step, env, out);
    open_to_any_user(step, env, out);
}

fn defaults(id: &str) -> (Severity, Confidence) {
    crate::catalog::rule(id)
        .map(|r| (r.severity, r.confidence))
        .unwrap_or((Severity::Warning, Confidence::Medium))
}

fn finding(id: &'static str, span: Range<usize>, logical: String, message: String) -> Finding {
    let (severity, confidence) = defaults(id);
    Finding::new(id, severity, confidence)
        .at(span)
        .logical(logical)
        .message(message)
}

fn related(span: Range<usize>, message: impl Into<String>) -> Related {
    Related {
        path: String::new(),
        span,
        region: None,
        message: message.into(),
    }
}

// ------------------------------------------------------------ the steps

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActionKind {
    /// `anthropics/claude-code-action`.
    Main,
    /// `anthropics/claude-code-base-action` (no actor checks, no config restore).
    Base,
}

#[derive(Debug)]
struct ClaudeAction<'a> {
    kind: ActionKind,
    uses: &'a Text,
    /// The text after `@` (`v1`, `beta`, a commit SHA).
    git_ref: &'a str,
}

fn claude_action(step: &Step) -> Option<ClaudeAction<'_>> {
    let uses = step.uses.as_ref()?;
    let (path, git_ref) = uses
        .value
        .split_once('@')
        .unwrap_or((uses.value.as_str(), ""));
    let path = path.trim().to_ascii_lowercase();
    let kind = match path.as_str() {
        "anthropics/claude-code-action" => ActionKind::Main,
        "anthropics/claude-code-base-action" | "anthropics/claude-code-action/base-action" => {
            ActionKind::Base
        }
        _ => return None,
    };
    Some(ClaudeAction {
        kind,
        uses,
        git_ref: git_ref.trim(),
    })
}

/// The value text of input `name` (reference or literal).
fn input<'a>(step: &'a Step, name: &str) -> Option<&'a Assignment> {
    step.with.iter().find(|a| a.name == name)
}

fn value_text(value: &Value) -> Option<&str> {
    match value {
        Value::Literal(s) | Value::Reference(s) => Some(s),
        Value::Empty => None,
    }
}

/// `$ claude …` or `npx @anthropic-ai/claude-code …` as a command in a script.
fn invokes_claude(script: &str) -> bool {
    static CLAUDE: OnceLock<Regex> = OnceLock::new();
    CLAUDE
        .get_or_init(|| {
            Regex::new(r"(?m)(?:^|[\s;&|(`]|\$\()(?:npx\s+(?:-y\s+|--yes\s+)?@anthropic-ai/claude-code(?:@\S+)?|claude)(?:\s|$)")
                .expect("valid")
        })
        .is_match(script)
}

/// A headless run: `claude -p`, `claude --print`.
fn invokes_headless_claude(script: &str) -> bool {
    invokes_claude(script)
        && logical_lines(script).any(|line| {
            invokes_claude(&line) && line.split_whitespace().any(|w| w == "-p" || w == "--print")
        })
}

/// Lines with backslash continuations joined.
fn logical_lines(script: &str) -> impl Iterator<Item = String> + '_ {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in script.lines() {
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines.into_iter()
}

/// The file span of `needle` inside the scalar at `span` (block scalars lose
/// their indentation in the value, so positions are found in the file text).
fn span_in(ctx: &FileContext, span: &Range<usize>, needle: &str) -> Range<usize> {
    ctx.text
        .and_then(|t| t.get(span.clone()))
        .and_then(|raw| raw.find(needle))
        .map(|at| span.start + at..span.start + at + needle.len())
        .unwrap_or_else(|| span.clone())
}

// ------------------------------------------------------------ refs

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActionRef {
    /// `beta`, `v0`, `v0.x.y`: frozen at Claude Code 1.0.88 (2025-08-22).
    PreV1,
    /// `v1`, `main`, or `v1.0.N` (with `N`).
    V1(Option<u32>),
    Unknown,
}

/// The ref of the step, reading a `# v1.0.80` comment after a SHA pin.
fn action_ref(ctx: &FileContext, action: &ClaudeAction) -> ActionRef {
    let direct = classify_ref(action.git_ref);
    if direct != ActionRef::Unknown {
        return direct;
    }
    let comment = ctx
        .text
        .and_then(|t| {
            let rest = t.get(action.uses.span.end..)?;
            Some(rest.split('\n').next().unwrap_or(rest))
        })
        .and_then(|rest| rest.split_once('#'))
        .map(|(_, c)| c.trim().trim_start_matches("tag=").to_string());
    comment.map_or(ActionRef::Unknown, |c| classify_ref(&c))
}

fn classify_ref(git_ref: &str) -> ActionRef {
    let r = git_ref.trim();
    if r == "beta" || r == "v0" || r.starts_with("v0.") {
        return ActionRef::PreV1;
    }
    if r == "v1" || r == "main" || r == "v1.0" {
        return ActionRef::V1(None);
    }
    if let Some(patch) = r.strip_prefix("v1.0.") {
        return ActionRef::V1(patch.parse().ok());
    }
    if r.starts_with("v1.") {
        return ActionRef::V1(None);
    }
    ActionRef::Unknown
}

// ---------------------------------------------------------------- CLD420

/// Inputs of v0.x that v1 removed, and what replaces each (facts §6.3).
const REMOVED_INPUTS: &[(&str, &str)] = &[
    ("mode", "mode is detected automatically"),
    ("direct_prompt", "use `prompt`"),
    ("override_prompt", "use `prompt`"),
    (
        "custom_instructions",
        "use `claude_args: --append-system-prompt …`",
    ),
    ("max_turns", "use `claude_args: --max-turns …`"),
    ("model", "use `claude_args: --model …`"),
    ("allowed_tools", "use `claude_args: --allowedTools …`"),
    (
        "disallowed_tools",
        "use `claude_args: --disallowedTools …`; until then the tools you meant to block are allowed",
    ),
    (
        "claude_env",
        "use the `settings` input's `env`, or the step's `env:`",
    ),
    ("mcp_config", "use `claude_args: --mcp-config …`"),
    ("timeout_minutes", "use the job's `timeout-minutes`"),
];

/// The inputs CLD420 and CLD427 judge: those given to the main action
/// pinned to v1 (forks, `@beta` and the base action have their own sets).
fn v1_inputs<'s>(
    step: &'s Step,
    action: &ClaudeAction,
    reference: &ActionRef,
) -> &'s [crate::assign::Assignment] {
    if action.kind != ActionKind::Main || !matches!(reference, ActionRef::V1(_)) {
        return &[];
    }
    &step.with
}

fn removed_inputs(
    step: &Step,
    action: &ClaudeAction,
    reference: &ActionRef,
    out: &mut Vec<Finding>,
) {
    for a in v1_inputs(step, action, reference) {
        let Some((_, replacement)) = REMOVED_INPUTS.iter().find(|(name, _)| *name == a.name) else {
            continue;
        };
        out.push(finding(
            "CLD420",
            a.name_span.clone(),
            a.logical.clone(),
            format!(
                "input `{}` was removed in claude-code-action v1 and is ignored by `{}` (GitHub only warns \
                 \"Unexpected input\"), so the setting silently has no effect; {replacement}",
                a.name, action.uses.value
            ),
        ));
    }
}

// ---------------------------------------------------------------- CLD427

/// The inputs of claude-code-action v1 (`action.yml` of v1.0.200,
/// 2026-08-22, the newest snapshot; facts §6.1, §12.8).
const V1_INPUTS: &[&str] = &[
    "trigger_phrase",
    "assignee_trigger",
    "label_trigger",
    "base_branch",
    "branch_prefix",
    "branch_name_template",
    "allowed_bots",
    "allowed_non_write_users",
    "include_comments_by_actor",
    "exclude_comments_by_actor",
    "prompt",
    "settings",
    "anthropic_api_key",
    "claude_code_oauth_token",
    "anthropic_federation_rule_id",
    "anthropic_organization_id",
    "anthropic_service_account_id",
    "anthropic_workspace_id",
    "anthropic_oidc_audience",
    "github_token",
    "use_bedrock",
    "use_vertex",
    "use_foundry",
    "claude_args",
    "additional_permissions",
    "use_sticky_comment",
    "use_commit_signing",
    "ssh_signing_key",
    "bot_id",
    "bot_name",
    "track_progress",
    "include_fix_links",
    "path_to_claude_code_executable",
    "path_to_bun_executable",
    "show_full_output",
    "plugins",
    "plugin_marketplaces",
];

/// What to write instead of an input that is not in [`V1_INPUTS`].
fn input_hint(name: &str) -> Option<String> {
    let normal = name.trim().to_ascii_lowercase().replace('-', "_");
    if matches!(
        normal.as_str(),
        "timeout" | "timeout_min" | "timeout_minute"
    ) {
        return Some("set the job's `timeout-minutes` instead".into());
    }
    let known = |n: &str| {
        V1_INPUTS
            .contains(&n)
            .then(|| format!("did you mean `{n}`?"))
    };
    if let Some(hint) = known(&normal) {
        return Some(hint);
    }
    // `api-key`, `oauth_token`: the end of a documented name.
    if normal.len() >= 5
        && let Some(n) = V1_INPUTS
            .iter()
            .find(|n| n.ends_with(&format!("_{normal}")))
    {
        return Some(format!("did you mean `{n}`?"));
    }
    crate::claude::settings_model::did_you_mean(&normal, V1_INPUTS.iter().copied())
        .map(|n| format!("did you mean `{n}`?"))
}

fn unknown_inputs(
    step: &Step,
    action: &ClaudeAction,
    reference: &ActionRef,
    out: &mut Vec<Finding>,
) {
    for a in v1_inputs(step, action, reference) {
        let name = a.name.as_str();
        if V1_INPUTS.contains(&name) || REMOVED_INPUTS.iter().any(|(r, _)| *r == name) {
            continue;
        }
        let hint = input_hint(name)
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        let shown = if crate::claude::permission_rule::shown_tool(name).starts_with('`') {
            format!("`{name}`")
        } else {
            "this input".to_string()
        };
        out.push(finding(
            "CLD427",
            a.name_span.clone(),
            a.logical.clone(),
            format!(
                "{shown} is not an input of claude-code-action v1 (its inputs as of v1.0.200), so `{}` never \
                 reads it and GitHub only warns \"Unexpected input\"; the setting silently has no effect{hint}",
                action.uses.value
            ),
        ));
    }
}

// ---------------------------------------------------------------- CLD421

/// The first v1 release that restores `.claude/` and `.mcp.json` from the
/// base branch on pull-request events (claude-code-action #1066, 2026-03-18).
const RESTORE_PATCH: u32 = 74;

fn outdated_ref(
    prefix: &str,
    step: &Step,
    action: &ClaudeAction,
    reference: &ActionRef,
    out: &mut Vec<Finding>,
) {
    let logical = format!("{prefix}.{}.uses", step_path(step));
    if action.kind == ActionKind::Base {
        // The base action has no v1 tags; its `beta`/`v0.0.x` tags are the
        // same frozen pre-1.0 line (`beta` = base-action@28f8362, 2025-08-22,
        // installing Claude Code 1.0.88).
        if *reference == ActionRef::PreV1 {
            out.push(finding(
                "CLD421",
                action.uses.span.clone(),
                logical,
                format!(
                    "`{}` is the pre-1.0 line of claude-code-base-action, frozen on 2025-08-22 with Claude Code \
                     1.0.88: it misses every Claude Code security fix since (1.0.111, 2.0.65, 2.1.53, …); the base \
                     action has no v1 tag, so pin a current commit SHA, or move to \
                     `anthropics/claude-code-action@v1`",
                    action.uses.value
                ),
            ));
        }
        return;
    }
    match reference {
        ActionRef::PreV1 => out.push(finding(
            "CLD421",
            action.uses.span.clone(),
            logical,
            format!(
                "`{}` is the pre-1.0 line, frozen on 2025-08-22 with Claude Code 1.0.88: it misses every \
                 Claude Code security fix since (1.0.111, 2.0.65, 2.1.53, …), the base-branch restore of \
                 `.claude/` and `.mcp.json` on pull requests (v1.0.74), and the subprocess secret scrub; move to \
                 `@v1` (see the migration guide for renamed inputs)",
                action.uses.value
            ),
        )),
        ActionRef::V1(Some(patch)) if *patch < RESTORE_PATCH => {
            let mut f = finding(
                "CLD421",
                action.uses.span.clone(),
                logical,
                format!(
                    "claude-code-action v1.0.{patch} predates v1.0.{RESTORE_PATCH}, the first release that \
                     restores `.claude/`, `.mcp.json` and `CLAUDE.md` from the base branch on pull-request \
                     events, so a pull request's own hooks and settings run in this workflow; update the pin"
                ),
            );
            f.severity = f.severity.lowered();
            out.push(f);
        }
        _ => {}
    }
}

fn step_path(step: &Step) -> String {
    format!("steps[{}]", step.index)
}

// ---------------------------------------------------------------- CLD422

/// Events that run with the base repository's secrets on code a stranger wrote.
const PR_TARGET_TRIGGERS: &[&str] = &["pull_request_target", "workflow_run"];

/// Events that run with secrets and whose runs a stranger can start.
const UNTRUSTED_SECRET_TRIGGERS: &[&str] = &[
    "pull_request_target",
    "workflow_run",
    "issue_comment",
    "pull_request_review",
    "pull_request_review_comment",
];

/// Expressions that name the pull request's own code.
const HEAD_REFS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.merge_commit_sha",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "head.repo.full_name",
    "refs/pull/",
];

/// A step that puts the pull request's code in the workspace root.
fn untrusted_checkout(step: &Step) -> Option<Range<usize>> {
    if let Some(uses) = &step.uses
        && uses
            .value
            .to_ascii_lowercase()
            .starts_with("actions/checkout@")
    {
        let names_head = ["ref", "repository"].iter().any(|name| {
            input(step, name)
                .and_then(|a| value_text(&a.value))
                .is_some_and(|v| HEAD_REFS.iter().any(|h| v.replace(' ', "").contains(h)))
        });
        let at_root = input(step, "path")
            .and_then(|a| value_text(&a.value))
            .is_none_or(|p| matches!(p.trim(), "" | "." | "./" | "${{ github.workspace }}"));
        return (names_head && at_root).then(|| uses.span.clone());
    }
    let run = step.run.as_ref()?;
    let script = run.value.as_str();
    let gh_checkout = script.contains("gh pr checkout");
    let git_checkout = ["git checkout", "git switch", "git fetch", "git pull"]
        .iter()
        .any(|g| script.contains(g))
        && (HEAD_REFS.iter().any(|h| script.contains(h)) || script.contains("pull/"));
    (gh_checkout || git_checkout).then(|| run.span.clone())
}

fn after_untrusted_checkout(triggers: &[&str], job: &Job, env: &EnvScope, out: &mut Vec<Finding>) {
    let secret_triggers: Vec<&str> = triggers
        .iter()
        .copied()
        .filter(|t| UNTRUSTED_SECRET_TRIGGERS.contains(t))
        .collect();
    if secret_triggers.is_empty() {
        return;
    }
    let mut checkout: Option<Range<usize>> = None;
    for step in &job.steps {
        if let Some(span) = untrusted_checkout(step) {
            checkout.get_or_insert(span);
            continue;
        }
        let Some(checkout_span) = checkout.clone() else {
            continue;
        };
        let on = secret_triggers.join("`/`");
        if let Some(action) = claude_action(step) {
            if secret_triggers
                .iter()
                .any(|t| PR_TARGET_TRIGGERS.contains(t))
            {
                out.push(checkout_then_action(
                    &job.id,
                    step,
                    &action,
                    &on,
                    checkout_span,
                ));
            }
        } else if let Some(run) = &step.run
            && invokes_headless_claude(&run.value)
            && !settings_locked(&run.value, &env.with(&step.env))
        {
            out.push(
                finding(
                    "CLD426",
                    run.span.clone(),
                    format!("jobs.{}.{}.run", job.id, step_path(step)),
                    format!(
                        "`claude -p` runs on `{on}` after the job checked out the pull request's code, without \
                         `--setting-sources user` or `--settings '{{\"disableAllHooks\": true}}'`: headless runs \
                         never ask for workspace trust, so the pull request's `.claude/settings.json` hooks, \
                         `env` and helper commands and its `.mcp.json` servers run with this job's secrets \
                         (`--bare` alone still applies the project's `env`)"
                    ),
                )
                .with_related(related(checkout_span, "the pull request's code is checked out here")),
            );
        }
    }
}

fn checkout_then_action(
    job_id: &str,
    step: &Step,
    action: &ClaudeAction,
    on: &str,
    checkout_span: Range<usize>,
) -> Finding {
    let extra = if action.kind == ActionKind::Base {
        " claude-code-base-action does not restore `.claude/` from the base branch or check the actor, so the \
         pull request's hooks run too."
    } else {
        ""
    };
    finding(
        "CLD422",
        action.uses.span.clone(),
        format!("jobs.{job_id}.{}.uses", step_path(step)),
        format!(
            "`{}` runs on `{on}` after the pull request's code was checked out into the workspace root: the \
             run has the base repository's secrets and write token while Claude works in, and runs scripts \
             from, code the pull request's author controls; check out the base ref at the root and the head \
             into a subdirectory passed with `--add-dir`.{extra}",
            action.uses.value
        ),
    )
    .with_related(related(checkout_span, "the pull request's code is checked out here"))
}

/// `--setting-sources` without project/local, `--settings` turning hooks off,
/// or `--restricted`/`CLAUDE_CODE_RESTRICTED=1` (facts §1.5, §12.11 R32).
fn settings_locked(script: &str, env: &EnvScope) -> bool {
    static SOURCES: OnceLock<Regex> = OnceLock::new();
    let sources = SOURCES.get_or_init(|| {
        Regex::new(r#"--setting-sources(?:=|\s+)["']?([A-Za-z,]+)"#).expect("valid")
    });
    let sources_locked = sources.captures_iter(script).any(|c| {
        c.get(1)
            .is_some_and(|v| !v.as_str().contains("project") && !v.as_str().contains("local"))
    });
    let hooks_off = script.contains("--settings")
        && script.replace(' ', "").contains("\"disableAllHooks\":true");
    let restricted = script.contains("--restricted")
        || env
            .get("CLAUDE_CODE_RESTRICTED")
            .and_then(|a| value_text(&a.value))
            .is_some_and(|v| {
                matches!(
                    v.trim().to_ascii_lowercase().as_str(),
                    "1" | "true" | "yes" | "on"
                )
            });
    sources_locked || hooks_off || restricted
}

// ---------------------------------------------------------------- CLD423

/// Inputs that become Claude's prompt or system prompt.
const PROMPT_INPUTS: &[&str] = &[
    "prompt",
    "direct_prompt",
    "override_prompt",
    "custom_instructions",
    "claude_args",
    "append_system_prompt",
    "system_prompt",
];

/// Workflow, job and step `env:` visible to a step (later scopes win).
struct EnvScope<'a> {
    vars: HashMap<&'a str, &'a Assignment>,
}

impl<'a> EnvScope<'a> {
    fn new(levels: &[&'a Vec<Assignment>]) -> Self {
        let mut vars = HashMap::new();
        for level in levels {
            for a in level.iter() {
                vars.insert(a.name.as_str(), a);
            }
        }
        EnvScope { vars }
    }

    fn with(&self, step_env: &'a [Assignment]) -> EnvScope<'a> {
        let mut vars = self.vars.clone();
        for a in step_env {
            vars.insert(a.name.as_str(), a);
        }
        EnvScope { vars }
    }

    fn get(&self, name: &str) -> Option<&'a Assignment> {
        self.vars.get(name).copied()
    }

    /// The untrusted expression a variable is set from.
    fn tainted(&self, name: &str) -> Option<(&'a Assignment, String)> {
        let a = self.get(name)?;
        let expr = untrusted_expressions(value_text(&a.value)?)
            .into_iter()
            .next()?;
        Some((a, expr))
    }
}

/// Event fields whose text anyone who can open an issue, comment or pull
/// request chooses (titles, bodies, branch names, commit messages, …).
const UNTRUSTED_SUFFIXES: &[&str] = &[
    ".title",
    ".body",
    ".message",
    ".head_ref",
    ".head.ref",
    ".head.label",
    ".head_branch",
    ".page_name",
    ".display_title",
    ".author.name",
    ".author.email",
    ".committer.name",
    ".committer.email",
];

/// Whole event objects that carry such fields when serialised.
const UNTRUSTED_OBJECTS: &[&str] = &[
    "github.event",
    "github.event.issue",
    "github.event.pull_request",
    "github.event.comment",
    "github.event.review",
    "github.event.review_comment",
    "github.event.discussion",
    "github.event.head_commit",
    "github.event.commits",
    "github.event.workflow_run",
];

/// Each `${{ … }}` in `text` that reads untrusted event text, as written.
fn untrusted_expressions(text: &str) -> Vec<String> {
    static EXPR: OnceLock<Regex> = OnceLock::new();
    static PATH: OnceLock<Regex> = OnceLock::new();
    static TO_JSON: OnceLock<Regex> = OnceLock::new();
    let expr = EXPR.get_or_init(|| Regex::new(r"\$\{\{(.*?)\}\}").expect("valid"));
    let path = PATH.get_or_init(|| {
        Regex::new(r"(?i)\bgithub\.(?:head_ref\b|event\.[A-Za-z0-9_.*\[\]'-]+)").expect("valid")
    });
    let to_json = TO_JSON.get_or_init(|| {
        Regex::new(r"(?i)tojson\(\s*(github\.event[A-Za-z0-9_.]*)\s*\)").expect("valid")
    });
    let mut found = Vec::new();
    for caps in expr.captures_iter(text) {
        let (Some(whole), Some(inner)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let inner = inner.as_str();
        let reads_text = path.find_iter(inner).any(|m| is_untrusted_path(m.as_str()));
        let dumps_object = to_json.captures_iter(inner).any(|c| {
            c.get(1).is_some_and(|o| {
                UNTRUSTED_OBJECTS.contains(&o.as_str().to_ascii_lowercase().as_str())
            })
        });
        if reads_text || dumps_object {
            found.push(whole.as_str().to_string());
        }
    }
    found
}

fn is_untrusted_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower == "github.head_ref" {
        return true;
    }
    // `commits[0].message`, `commits.*.message` → `commits.message`
    let mut normalized = String::with_capacity(lower.len());
    let mut depth = 0;
    for c in lower.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth > 0 => {}
            _ => normalized.push(c),
        }
    }
    let normalized = normalized.replace(".*", "");
    UNTRUSTED_SUFFIXES.iter().any(|s| normalized.ends_with(s))
}

fn untrusted_text_in_inputs(
    ctx: &FileContext,
    step: &Step,
    env: &EnvScope,
    out: &mut Vec<Finding>,
) {
    static ENV_EXPR: OnceLock<Regex> = OnceLock::new();
    let env_expr = ENV_EXPR.get_or_init(|| {
        Regex::new(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}").expect("valid")
    });
    for a in step
        .with
        .iter()
        .filter(|a| PROMPT_INPUTS.contains(&a.name.as_str()))
    {
        let Some(text) = value_text(&a.value) else {
            continue;
        };
        if let Some(expr) = untrusted_expressions(text).into_iter().next() {
            out.push(finding(
                "CLD423",
                span_in(ctx, &a.value_span, &expr),
                a.logical.clone(),
                format!(
                    "input `{}` puts untrusted event text (`{expr}`) straight into Claude's prompt: whoever \
                     writes that issue, comment, branch name or commit message can give Claude instructions, \
                     and this path skips the action's own sanitising of hidden markdown; let the action fetch \
                     the context itself, or pass only numbers and ids",
                    a.name
                ),
            ));
            continue;
        }
        for caps in env_expr.captures_iter(text) {
            let Some(name) = caps.get(1) else {
                continue;
            };
            let Some((var, expr)) = env.tainted(name.as_str()) else {
                continue;
            };
            let whole = caps.get(0).map_or("", |m| m.as_str());
            out.push(
                finding(
                    "CLD423",
                    span_in(ctx, &a.value_span, whole),
                    a.logical.clone(),
                    format!(
                        "input `{}` puts `env.{}` into Claude's prompt, and that variable holds untrusted event \
                         text (`{expr}`): whoever writes it can give Claude instructions; pass only numbers and \
                         ids",
                        a.name, var.name
                    ),
                )
                .with_related(related(var.value_span.clone(), "the variable is set from event text here")),
            );
            break;
        }
    }
}

fn untrusted_text_in_run(
    ctx: &FileContext,
    prefix: &str,
    step: &Step,
    env: &EnvScope,
    out: &mut Vec<Finding>,
) {
    let Some(run) = &step.run else {
        return;
    };
    if !invokes_claude(&run.value) {
        return;
    }
    let logical = format!("{prefix}.{}.run", step_path(step));
    if let Some(expr) = untrusted_expressions(&run.value).into_iter().next() {
        let mut f = finding(
            "CLD423",
            span_in(ctx, &run.span, &expr),
            logical,
            format!(
                "a script that runs Claude Code expands untrusted event text (`{expr}`) into the script itself: \
                 the text's author can inject shell commands and give Claude instructions; pass it through \
                 `env:` and a file, never `${{{{ }}}}` in `run:`"
            ),
        );
        f.severity = Severity::Error;
        out.push(f);
        return;
    }
    if let Some((var, expr)) = tainted_shell_var(&run.value, env) {
        out.push(
            finding(
                "CLD423",
                span_in(ctx, &run.span, &format!("${}", var.name)),
                logical.clone(),
                format!(
                    "a script that runs Claude Code uses `${}`, which holds untrusted event text (`{expr}`): \
                     whoever writes it can give Claude instructions; keep that text out of the prompt or tell \
                     Claude to treat it as data, with no tools that act on it",
                    var.name
                ),
            )
            .with_related(related(var.value_span.clone(), "the variable is set from event text here")),
        );
    }
}

/// The first `$NAME` / `${NAME}` in a script whose `NAME` holds untrusted event text.
fn tainted_shell_var<'a>(script: &str, env: &EnvScope<'a>) -> Option<(&'a Assignment, String)> {
    static VAR: OnceLock<Regex> = OnceLock::new();
    let var = VAR.get_or_init(|| Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").expect("valid"));
    var.captures_iter(script)
        .filter_map(|caps| caps.get(1))
        .find_map(|name| env.tainted(name.as_str()))
}

// ---------------------------------------------------------------- CLD424

/// Events whose text anyone can write (issues, comments, reviews, forks).
const UNTRUSTED_TEXT_TRIGGERS: &[&str] = &[
    "issue_comment",
    "issues",
    "pull_request_review",
    "pull_request_review_comment",
    "discussion",
    "discussion_comment",
    "pull_request_target",
];

/// What makes a Claude run approve everything.
fn bypass_flag(args: &str) -> Option<String> {
    static MODE: OnceLock<Regex> = OnceLock::new();
    static TOOLS: OnceLock<Regex> = OnceLock::new();
    if args.contains("--dangerously-skip-permissions") {
        return Some("`--dangerously-skip-permissions`".into());
    }
    let mode = MODE.get_or_init(|| {
        Regex::new(r#"--permission-mode(?:=|\s+)["']?bypassPermissions"#).expect("valid")
    });
    if mode.is_match(args) {
        return Some("`--permission-mode bypassPermissions`".into());
    }
    if args
        .replace(' ', "")
        .contains("\"defaultMode\":\"bypassPermissions\"")
    {
        return Some("`defaultMode: bypassPermissions` in its settings".into());
    }
    let tools = TOOLS.get_or_init(|| {
        Regex::new(r#"--(?:allowedTools|allowed-tools)(?:=|\s+)("[^"]*"|'[^']*'|\S+)"#)
            .expect("valid")
    });
    let all_bash = tools.captures_iter(args).any(|c| {
        c.get(1).is_some_and(|list| {
            list.as_str()
                .trim_matches(['"', '\''])
                .split([',', ' '])
                .any(|t| matches!(t.trim(), "Bash" | "Bash(*)" | "Bash(:*)"))
        })
    });
    all_bash.then(|| "`--allowedTools Bash` (every shell command)".into())
}

/// A job or step condition that limits who can start the run.
fn actor_gated(job: &Job, step: &Step) -> bool {
    [&job.if_condition, &step.if_condition]
        .iter()
        .filter_map(|c| c.as_ref())
        .any(|c| {
            let v = c.value.replace(' ', "");
            v.contains("author_association")
                || v.contains("github.actor==")
                || v.contains(".login==")
                || v.contains("contains(fromJSON(")
        })
}

fn bypass_on_untrusted_trigger(
    ctx: &FileContext,
    triggers: &[&str],
    job: &Job,
    step: &Step,
    out: &mut Vec<Finding>,
) {
    let open: Vec<&str> = triggers
        .iter()
        .copied()
        .filter(|t| UNTRUSTED_TEXT_TRIGGERS.contains(t))
        .collect();
    if open.is_empty() {
        return;
    }
    let on = open.join("`/`");
    let logical_base = format!("jobs.{}.{}", job.id, step_path(step));
    let (span, logical, flag, who) = if claude_action(step).is_some() {
        let Some((a, flag)) = ["claude_args", "settings"].iter().find_map(|name| {
            let a = input(step, name)?;
            Some((a, bypass_flag(value_text(&a.value)?)?))
        }) else {
            return;
        };
        let span = span_in(ctx, &a.value_span, flag.trim_matches('`'));
        (
            span,
            a.logical.clone(),
            flag,
            "the action admits only users with write access unless `allowed_non_write_users` is set, but the \
             issue, pull request and comments Claude reads are written by anyone",
        )
    } else {
        let Some(run) = &step.run else {
            return;
        };
        if !invokes_claude(&run.value) {
            return;
        }
        let Some(flag) = bypass_flag(&run.value) else {
            return;
        };
        (
            span_in(ctx, &run.span, flag.trim_matches('`')),
            format!("{logical_base}.run"),
            flag,
            "nothing in a `run:` step checks who started the workflow",
        )
    };
    let mut f = finding(
        "CLD424",
        span,
        logical,
        format!(
            "Claude Code runs with {flag} on `{on}`, events anyone can trigger with text they write: a prompt \
             injection in that text then runs commands with this job's secrets and token without any \
             approval; {who}. Drop the flag and allow only the tools the task needs"
        ),
    );
    if actor_gated(job, step) {
        f.severity = f.severity.lowered();
    }
    out.push(f);
}

// ---------------------------------------------------------------- CLD425

fn open_to_any_user(step: &Step, env: &EnvScope, out: &mut Vec<Finding>) {
    for (name, who) in [
        (
            "allowed_non_write_users",
            "any GitHub user, including people without write access",
        ),
        ("allowed_bots", "any GitHub App or bot"),
    ] {
        let Some(a) = input(step, name) else {
            continue;
        };
        if value_text(&a.value).map(str::trim) != Some("*") {
            continue;
        }
        let mut notes = Vec::new();
        let mut severity = None;
        if name == "allowed_non_write_users" {
            match input(step, "github_token").and_then(|t| value_text(&t.value)) {
                Some(token) if !is_workflow_token(token) => {
                    notes.push(
                        " The step passes a `github_token` that is not the workflow's own `GITHUB_TOKEN`: a \
                         static token does not expire with the job and can be recovered through prompt injection.",
                    );
                    severity = Some(Severity::Error);
                }
                None => notes.push(
                    " (The setting only works together with `github_token: ${{ secrets.GITHUB_TOKEN }}`.)",
                ),
                _ => {}
            }
            let scrub_off = env
                .get("CLAUDE_CODE_SUBPROCESS_ENV_SCRUB")
                .and_then(|v| value_text(&v.value))
                .is_some_and(|v| matches!(v.trim(), "0" | "false"));
            if scrub_off {
                notes.push(
                    " `CLAUDE_CODE_SUBPROCESS_ENV_SCRUB` is `0`, which turns off the secret scrub the action \
                     applies in this mode.",
                );
            }
        }
        let mut f = finding(
            "CLD425",
            a.value_span.clone(),
            a.logical.clone(),
            format!(
                "`{name}: \"*\"` lets {who} start Claude in this workflow with a prompt they write; list the \
                 accounts you trust, and keep the workflow's `permissions:` and `--allowedTools` minimal.{}",
                notes.concat()
            ),
        );
        if let Some(s) = severity {
            f.severity = s;
        }
        out.push(f);
    }
}

fn is_workflow_token(value: &str) -> bool {
    let v = value.replace(' ', "");
    v.contains("secrets.GITHUB_TOKEN") || v.contains("github.token")
}

/// `Finding::related` push as a builder step.
trait WithRelated {
    fn with_related(self, r: Related) -> Self;
}

impl WithRelated for Finding {
    fn with_related(mut self, r: Related) -> Self {
        self.related.push(r);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Tree;

    fn run_at(rel_path: &str, text: &str) -> Vec<Finding> {
        crate::checks::run_check(check, rel_path, text, &Tree::default(), true)
    }

    fn run(text: &str) -> Vec<Finding> {
        run_at(".github/workflows/claude.yml", text)
    }

    fn ids(found: &[Finding]) -> Vec<&'static str> {
        found.iter().map(|f| f.rule_id).collect()
    }

    #[test]
    fn refs_classify() {
        assert_eq!(classify_ref("beta"), ActionRef::PreV1);
        assert_eq!(classify_ref("v0.0.63"), ActionRef::PreV1);
        assert_eq!(classify_ref("v1"), ActionRef::V1(None));
        assert_eq!(classify_ref("v1.0.51"), ActionRef::V1(Some(51)));
        assert_eq!(classify_ref("main"), ActionRef::V1(None));
        assert_eq!(
            classify_ref("0123456789abcdef0123456789abcdef01234567"),
            ActionRef::Unknown
        );
    }

    #[test]
    fn base_action_beta_pins_are_outdated_too() {
        let text = "\
on: push
jobs:
  claude:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-base-action@beta
        with:
          prompt: hi
      - uses: anthropics/claude-code-action/base-action@v0.0.63
        with:
          prompt: hi
      - uses: anthropics/claude-code-base-action@53ab25a0123456789abcdef0123456789abcdef0
        with:
          prompt: hi
";
        let found: Vec<Finding> = run(text)
            .into_iter()
            .filter(|f| f.rule_id == "CLD421")
            .collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(
            found[0].message.contains("claude-code-base-action")
                && found[0].message.contains("1.0.88"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn removed_inputs_on_v1_and_beta_pins() {
        let text = "\
on: issue_comment
jobs:
  claude:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-action@v1
        with:
          model: claude-sonnet-4-5
          disallowed_tools: Bash
          prompt: hi
      - uses: anthropics/claude-code-action@beta
        with:
          direct_prompt: hi
      - uses: anthropics/claude-code-action@0123456789abcdef0123456789abcdef01234567 # v1.0.51
        with:
          max_turns: 3
";
        let found = run(text);
        assert_eq!(
            ids(&found),
            ["CLD420", "CLD420", "CLD421", "CLD420", "CLD421"]
        );
        assert_eq!(&text[found[0].span.clone()], "model");
        assert!(
            found[1].message.contains("tools you meant to block"),
            "{}",
            found[1].message
        );
        assert_eq!(found[2].severity, Severity::Warning);
        assert!(found[2].message.contains("1.0.88"));
        assert_eq!(found[4].severity, Severity::Note);
        assert!(found[4].message.contains("v1.0.51"), "{}", found[4].message);
    }

    #[test]
    fn unknown_inputs_with_did_you_mean() {
        let text = "\
on: issue_comment
jobs:
  claude:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-action@v1
        with:
          api-key: ${{ secrets.ANTHROPIC_API_KEY }}
          timeout: 20
          use_sticky_comments: true
          claude-args: --max-turns 5
          frobnicate: yes
          prompt: hi
          anthropic_federation_rule_id: fdrl_x
          model: claude-sonnet-4-5
      - uses: anthropics/claude-code-action@beta
        with:
          api-key: x
      - uses: some/other-action@v1
        with:
          api-key: x
";
        let found = run(text);
        let unknown: Vec<_> = found.iter().filter(|f| f.rule_id == "CLD427").collect();
        let names: Vec<_> = unknown.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(
            names,
            [
                "api-key",
                "timeout",
                "use_sticky_comments",
                "claude-args",
                "frobnicate"
            ]
        );
        let hints: Vec<_> = unknown.iter().map(|f| f.message.as_str()).collect();
        assert!(
            hints[0].contains("did you mean `anthropic_api_key`?"),
            "{}",
            hints[0]
        );
        assert!(hints[1].contains("`timeout-minutes`"), "{}", hints[1]);
        assert!(
            hints[2].contains("did you mean `use_sticky_comment`?"),
            "{}",
            hints[2]
        );
        assert!(
            hints[3].contains("did you mean `claude_args`?"),
            "{}",
            hints[3]
        );
        assert!(!hints[4].contains("did you mean"), "{}", hints[4]);
        // `model` is CLD420's (removed in v1), not CLD427's.
        assert_eq!(found.iter().filter(|f| f.rule_id == "CLD420").count(), 1);
    }

    #[test]
    fn untrusted_expressions_are_recognised() {
        for bad in [
            "${{ github.event.issue.title }}",
            "${{github.event.comment.body}}",
            "${{ github.event.pull_request.head.ref }}",
            "${{ github.head_ref }}",
            "${{ github.event.commits[0].message }}",
            "${{ toJSON(github.event.issue) }}",
            "${{ github.event.review.body || 'none' }}",
        ] {
            assert_eq!(untrusted_expressions(bad).len(), 1, "{bad}");
        }
        for fine in [
            "${{ github.event.issue.number }}",
            "${{ github.repository }}",
            "${{ github.event.pull_request.head.sha }}",
            "${{ toJSON(github.event.issue.labels) }}",
            "${{ secrets.X }}",
        ] {
            assert!(untrusted_expressions(fine).is_empty(), "{fine}");
        }
    }

    #[test]
    fn untrusted_text_in_prompt_directly_and_through_env() {
        let text = "\
on: issues
env:
  TITLE: ${{ github.event.issue.title }}
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-action@v1
        with:
          prompt: |
            Triage issue #${{ github.event.issue.number }}:
            ${{ github.event.issue.body }}
      - uses: anthropics/claude-code-action@v1
        with:
          prompt: Label the issue titled ${{ env.TITLE }}
      - env:
          BODY: ${{ github.event.issue.body }}
        run: claude -p \"Summarise $BODY\"
      - run: claude -p \"Title ${{ github.event.issue.title }}\"
      - run: echo \"${{ github.event.issue.title }}\"
";
        let found = run(text);
        assert_eq!(ids(&found), ["CLD423"; 4]);
        assert_eq!(
            &text[found[0].span.clone()],
            "${{ github.event.issue.body }}"
        );
        assert_eq!(&text[found[1].span.clone()], "${{ env.TITLE }}");
        assert_eq!(found[1].related.len(), 1);
        assert_eq!(&text[found[2].span.clone()], "$BODY");
        assert_eq!(found[3].severity, Severity::Error);
    }

    #[test]
    fn bypass_on_comment_triggers() {
        let text = "\
on:
  issue_comment:
    types: [created]
jobs:
  claude:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-action@v1
        with:
          claude_args: --dangerously-skip-permissions --max-turns 5
      - if: github.event.comment.author_association == 'OWNER'
        run: claude -p --permission-mode bypassPermissions \"fix it\"
      - uses: anthropics/claude-code-action@v1
        with:
          claude_args: '--allowedTools \"Bash,Read\"'
";
        let found = run(text);
        assert_eq!(ids(&found), ["CLD424", "CLD424", "CLD424"]);
        assert_eq!(
            &text[found[0].span.clone()],
            "--dangerously-skip-permissions"
        );
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(found[1].severity, Severity::Note);
        assert!(
            found[2].message.contains("--allowedTools Bash"),
            "{}",
            found[2].message
        );
        let push = text.replace("  issue_comment:\n    types: [created]", "  push:");
        assert!(run(&push).is_empty());
    }

    #[test]
    fn any_user_and_tokens() {
        let text = "\
on: issues
jobs:
  label:
    runs-on: ubuntu-latest
    env:
      CLAUDE_CODE_SUBPROCESS_ENV_SCRUB: 0
    steps:
      - uses: anthropics/claude-code-action@v1
        with:
          allowed_non_write_users: \"*\"
          github_token: ${{ secrets.BOT_PAT }}
          allowed_bots: '*'
      - uses: anthropics/claude-code-action@v1
        with:
          allowed_non_write_users: alice,bob
          github_token: ${{ secrets.GITHUB_TOKEN }}
";
        let found = run(text);
        assert_eq!(ids(&found), ["CLD425", "CLD425"]);
        assert_eq!(found[0].severity, Severity::Error);
        assert!(
            found[0].message.contains("SUBPROCESS_ENV_SCRUB"),
            "{}",
            found[0].message
        );
        assert!(found[1].message.contains("GitHub App"));
    }

    #[test]
    fn pr_head_checkout_before_claude() {
        let text = "\
on: pull_request_target
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: anthropics/claude-code-action@v1
        with:
          prompt: review
      - run: claude -p \"review this\"
      - run: claude -p --setting-sources user \"review this\"
      - run: |
          claude -p --settings '{\"disableAllHooks\": true}' \"review\"
";
        let found = run(text);
        assert_eq!(ids(&found), ["CLD422", "CLD426"]);
        assert_eq!(found[0].related.len(), 1);
        assert_eq!(
            &text[found[0].related[0].span.clone()],
            "actions/checkout@v4"
        );
        let subdir = text.replace(
            "ref: ${{ github.event.pull_request.head.sha }}",
            "ref: ${{ github.event.pull_request.head.sha }}\n          path: pr",
        );
        assert!(run(&subdir).is_empty());
        let base = text.replace("pull_request_target", "pull_request");
        assert!(run(&base).is_empty());
    }

    #[test]
    fn gh_pr_checkout_on_comment_then_headless_claude() {
        let text = "\
on: issue_comment
jobs:
  fix:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: gh pr checkout ${{ github.event.issue.number }}
      - run: |
          claude -p \\
            --max-turns 3 \"fix the tests\"
";
        assert_eq!(ids(&run(text)), ["CLD426"]);
        let restricted = text.replace(
            "claude -p",
            "CLAUDE_CODE_RESTRICTED=1 claude --restricted -p",
        );
        assert!(run(&restricted).is_empty());
    }

    #[test]
    fn composite_actions_get_the_input_checks() {
        let text = "\
name: review
runs:
  using: composite
  steps:
    - uses: anthropics/claude-code-action@beta
      with:
        direct_prompt: ${{ github.event.pull_request.body }}
";
        assert_eq!(ids(&run_at("action.yml", text)), ["CLD421", "CLD423"]);
    }

    #[test]
    fn claude_invocations() {
        assert!(invokes_claude("claude -p hi"));
        assert!(invokes_claude(
            "set -e\nnpx -y @anthropic-ai/claude-code -p x"
        ));
        assert!(invokes_claude("out=$(claude -p x)"));
        assert!(!invokes_claude("mkdir -p ~/.claude"));
        assert!(!invokes_claude("npm i -g @anthropic-ai/claude-code"));
        assert!(!invokes_claude("echo claude-code"));
        assert!(invokes_headless_claude(
            "claude --model opus -p --verbose x"
        ));
        assert!(!invokes_headless_claude("claude --version"));
    }

    #[test]
    fn broken_workflows_do_not_panic() {
        for text in [
            "",
            "on: [",
            "jobs: 3",
            "on: push\njobs:\n  a:\n    steps: [1, {uses: 3}]",
        ] {
            run(text);
            run_at("action.yml", text);
        }
    }
}
