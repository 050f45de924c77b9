//! GitHub workflows and composite actions. A job's steps see the job
//! container's `env`, what earlier steps exported (`$GITHUB_ENV`,
//! `aws-actions/configure-aws-credentials`, `google-github-actions/auth`),
//! the workflow `env`, the job `env`, then their own `env`. Two jobs never
//! share a context.
//!
//! A claude-code-action (or claude-code-base-action) step gets its own
//! context, with its inputs mapped the way the action maps them (facts
//! §6.1): `anthropic_api_key` → `ANTHROPIC_API_KEY` unless empty,
//! `use_bedrock` → `CLAUDE_CODE_USE_BEDROCK` = `1` when the input equals
//! `true` (GitHub compares strings case-insensitively) and `""` otherwise —
//! so a provider switch in `env:` alone is overridden. Claude Code then
//! runs in the checkout, so the repository's `.claude/settings.json` `env`
//! goes on top.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::settings::{file_bindings, project_overlay};
use super::{Workspace, repository_dir};
use crate::assign::{Assignment, Value};
use crate::classify::FileKind;
use rayon::prelude::*;

use crate::claude::location::SettingsScope;
use crate::env::model::{ActionUse, Binding, Context, ContextKind, Layer, Site};
use crate::env::value::Val;
use crate::env::vars::{PROVIDERS, action_input_variable, is_relevant};
use crate::formats::yaml::Node;
use crate::formats::yaml::workflow::Step;
use crate::formats::{self};
use crate::project::FileFacts;

pub(super) fn contexts<'w>(ws: &'w Workspace<'_>) -> Vec<Context<'w>> {
    // Workflows are independent of each other: worked out side by side,
    // joined in file order.
    let workflows: Vec<&FileFacts> = ws.files_of_kind(FileKind::Workflow).collect();
    let mut out: Vec<Context<'w>> = workflows
        .par_iter()
        .map(|file| workflow_contexts(ws, file))
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect();
    for file in ws.files_of_kind(FileKind::ActionMetadata) {
        let Some(action) = file.parsed.action.as_ref() else {
            continue;
        };
        let chain = JobChain {
            ws,
            file,
            job_name: "action".to_string(),
            outer: [
                Vec::new(),
                Vec::new(),
                bindings(file, &action.runs.env, Layer::ActionRunsEnv),
                Vec::new(),
            ],
            id_token_write: None,
            span: action.name.as_ref().map_or(0..0, |n| n.span.clone()),
            prefix: "runs".to_string(),
        };
        out.extend(chain.contexts(&action.runs.steps, ContextKind::CompositeAction));
    }
    out
}

/// The contexts of one workflow file: one per step of every job that runs
/// steps.
fn workflow_contexts<'w>(ws: &'w Workspace<'_>, file: &'w FileFacts) -> Vec<Context<'w>> {
    let mut out = Vec::new();
    let Some(wf) = file.parsed.workflow.as_ref() else {
        return out;
    };
    for job in wf.jobs.iter().filter(|j| j.uses.is_none()) {
        let permissions = job.permissions.as_ref().or(wf.permissions.as_ref());
        let chain = JobChain {
            ws,
            file,
            job_name: format!("job `{}`", job.id),
            outer: [
                bindings(file, &job.container_env, Layer::JobContainerEnv),
                Vec::new(),
                bindings(file, &wf.env, Layer::WorkflowEnv),
                bindings(file, &job.env, Layer::JobEnv),
            ],
            id_token_write: Some(permissions.is_some_and(allows_id_token)),
            span: job.id_span.clone(),
            prefix: format!("jobs.{}", job.id),
        };
        out.extend(chain.contexts(&job.steps, ContextKind::Workflow));
    }
    out
}

fn bindings<'w>(file: &'w FileFacts, assignments: &[Assignment], layer: Layer) -> Vec<Binding<'w>> {
    assignments
        .iter()
        .map(|a| Binding {
            var: a.name.clone(),
            val: Val::from_value(&a.value, false, &a.name),
            layer: layer.clone(),
            site: Site::of(file, a),
            via: None,
        })
        .collect()
}

/// `permissions: write-all`, or a mapping with `id-token: write`.
fn allows_id_token(permissions: &Node) -> bool {
    if let Some(s) = permissions.as_str() {
        return s == "write-all";
    }
    permissions.get("id-token").and_then(Node::as_str) == Some("write")
}

/// The layers every step of one job (or composite action) shares.
struct JobChain<'w, 'p> {
    ws: &'w Workspace<'p>,
    file: &'w FileFacts,
    job_name: String,
    /// Container env, (exports: filled per step), workflow env, job env.
    outer: [Vec<Binding<'w>>; 4],
    id_token_write: Option<bool>,
    span: Range<usize>,
    /// `jobs.<id>` or `runs`: the YAML path steps live under.
    prefix: String,
}

impl<'w> JobChain<'w, '_> {
    fn contexts(&self, steps: &[Step], kind: ContextKind) -> Vec<Context<'w>> {
        let mut out = Vec::new();
        let mut exports: Vec<Binding<'w>> = Vec::new();
        let mut aws_step: Option<bool> = None;
        let mut gcp_step = false;
        let mut plain_runs_claude = false;
        let mut has_plain = steps.is_empty();
        // When some step runs Claude, the others' environments are not Claude's.
        let job_runs_claude = steps.iter().any(|s| {
            s.uses
                .as_ref()
                .is_some_and(|u| claude_action(&u.value).is_some())
                || s.run.as_ref().is_some_and(|r| runs_claude(&r.value))
        });
        let unless_elsewhere = |here: bool| {
            if here {
                Some(true)
            } else if job_runs_claude {
                Some(false)
            } else {
                None
            }
        };
        for step in steps {
            let action = step.uses.as_ref().and_then(|u| claude_action(&u.value));
            let own_env = step.env.iter().any(|a| is_relevant(&a.name));
            let runs_claude = step.run.as_ref().is_some_and(|r| runs_claude(&r.value));
            if let Some(base) = action {
                let action = ActionUse {
                    file: self.file,
                    uses: step
                        .uses
                        .as_ref()
                        .map(|u| u.value.clone())
                        .unwrap_or_default(),
                    uses_span: step
                        .uses
                        .as_ref()
                        .map_or(step.span.clone(), |u| u.span.clone()),
                    base,
                    id_token_write: self.id_token_write,
                    aws_credentials_step: aws_step,
                    gcp_auth_step: gcp_step,
                };
                out.push(self.step_context(step, &exports, Some(action), kind));
            } else if own_env {
                let mut ctx = self.step_context(step, &exports, None, kind);
                if !runs_claude {
                    ctx.bindings.retain(|b| !b.layer.is_settings());
                }
                ctx.runs_claude = unless_elsewhere(runs_claude);
                out.push(ctx);
            } else {
                has_plain = true;
                plain_runs_claude |= runs_claude;
            }
            // What this step leaves for the steps after it.
            if let Some(uses) = &step.uses {
                let uses_lower = uses.value.to_ascii_lowercase();
                if uses_lower.starts_with("aws-actions/configure-aws-credentials") {
                    let region = step.with.iter().any(|a| a.name == "aws-region");
                    aws_step = Some(aws_step.unwrap_or(false) || region);
                    exports.extend(self.aws_exports(step, uses));
                } else if uses_lower.starts_with("google-github-actions/auth") {
                    gcp_step = true;
                    exports.extend(self.gcp_exports(step, uses));
                }
            }
            if let Some(run) = &step.run {
                exports.extend(self.github_env_writes(step, &run.value, &run.span));
            }
        }
        if has_plain {
            let mut bindings = self.outer_bindings(&exports);
            if plain_runs_claude {
                bindings.extend(self.overlay());
            }
            out.insert(
                0,
                Context {
                    kind,
                    name: self.job_name.clone(),
                    file: self.file,
                    span: self.span.clone(),
                    bindings,
                    action: None,
                    ci: true,
                    example: false,
                    runs_claude: unless_elsewhere(plain_runs_claude),
                },
            );
        }
        out
    }

    fn step_path(&self, step: &Step) -> String {
        format!("{}.steps[{}]", self.prefix, step.index)
    }

    fn outer_bindings(&self, exports: &[Binding<'w>]) -> Vec<Binding<'w>> {
        let [container, _, workflow, job] = &self.outer;
        let mut all = container.clone();
        all.extend(exports.iter().cloned());
        all.extend(workflow.iter().cloned());
        all.extend(job.iter().cloned());
        all
    }

    fn overlay(&self) -> Vec<Binding<'w>> {
        project_overlay(self.ws, self.file.root, repository_dir(&self.file.rel))
    }

    fn step_context(
        &self,
        step: &Step,
        exports: &[Binding<'w>],
        action: Option<ActionUse<'w>>,
        kind: ContextKind,
    ) -> Context<'w> {
        let mut all = self.outer_bindings(exports);
        all.extend(bindings(self.file, &step.env, Layer::StepEnv));
        if let Some(a) = &action {
            all.extend(self.action_inputs(step, a));
            all.extend(self.settings_input(step));
        }
        all.extend(self.overlay());
        let what = match (&step.name, &step.uses) {
            (Some(n), _) => format!("`{}`", n.value),
            (None, Some(u)) => u.value.clone(),
            (None, None) => "run".to_string(),
        };
        Context {
            kind,
            name: format!("{}, steps[{}] {what}", self.job_name, step.index),
            file: self.file,
            span: step
                .uses
                .as_ref()
                .map_or(step.span.clone(), |u| u.span.clone()),
            bindings: all,
            runs_claude: action.is_some().then_some(true),
            action,
            ci: true,
            example: false,
        }
    }

    /// claude-code-action inputs as the variables the action sets.
    fn action_inputs(&self, step: &Step, action: &ActionUse<'w>) -> Vec<Binding<'w>> {
        let mut out = Vec::new();
        for a in &step.with {
            let Some(var) = action_input_variable(&a.name) else {
                continue;
            };
            let val = if a.name.starts_with("use_") {
                provider_input_value(&a.value)
            } else {
                match Val::from_value(&a.value, false, &a.name) {
                    // `inputs.x || env.X`: an empty input falls back to the env.
                    v if v.presence() == crate::env::value::Presence::Unset => continue,
                    v => v,
                }
            };
            out.push(Binding {
                var: var.to_string(),
                val,
                layer: Layer::ActionInput,
                site: Site::of(self.file, a),
                via: None,
            });
        }
        // `use_bedrock` and friends default to "false", which the action maps to "".
        for p in PROVIDERS {
            let Some(input) = p.action_input() else {
                continue;
            };
            if step.with.iter().any(|a| a.name == input) {
                continue;
            }
            out.push(Binding {
                var: p.flag().to_string(),
                val: Val::Empty,
                layer: Layer::ActionDefault,
                site: Site {
                    file: self.file,
                    written: format!("{input} (default \"false\")"),
                    name_span: action.uses_span.clone(),
                    value_span: action.uses_span.clone(),
                    logical: format!("{}.uses", self.step_path(step)),
                },
                via: None,
            });
        }
        out
    }

    /// The `settings` input as JSON: written to the user's settings, whose
    /// `env` and `apiKeyHelper` apply (under the repository's own settings).
    fn settings_input(&self, step: &Step) -> Vec<Binding<'w>> {
        let Some(a) = step.with.iter().find(|a| a.name == "settings") else {
            return Vec::new();
        };
        // `${{ … }}` inside the JSON makes the input a reference, but it is
        // still JSON: an expression inside a string value stays there (and
        // reads as a reference, since the value contains `${{`), and one
        // written bare where a value goes is quoted first.
        let text = match &a.value {
            Value::Literal(text) => text.clone(),
            Value::Reference(text) => quote_bare_expressions(text),
            Value::Empty => return Vec::new(),
        };
        if !text.trim_start().starts_with('{') {
            return Vec::new();
        }
        let parsed = formats::parse(FileKind::ClaudeSettings, &text);
        let inner = FileFacts::new(
            self.file.root,
            &self.file.rel,
            &self.file.display,
            FileKind::ClaudeSettings,
            self.file.tracked,
            parsed,
            text.as_bytes().to_vec(),
        );
        // Positions inside the input do not map onto the workflow file:
        // every binding points at the `settings` input itself.
        file_bindings(&inner, SettingsScope::User)
            .into_iter()
            .map(|b| Binding {
                var: b.var.clone(),
                val: b.val.clone(),
                layer: Layer::Settings("`settings` input (user)".into()),
                site: Site {
                    file: self.file,
                    written: format!("settings{}", b.site.logical.replace('/', ".")),
                    name_span: a.name_span.clone(),
                    value_span: a.value_span.clone(),
                    // The span is shared; the path tells the entries apart.
                    logical: format!("{}{}", a.logical, b.site.logical.replace('/', ".")),
                },
                via: None,
            })
            .collect()
    }

    fn action_export(
        &self,
        step: &Step,
        uses: &crate::formats::yaml::Text,
        var: &str,
        action: &str,
    ) -> Binding<'w> {
        Binding {
            var: var.to_string(),
            val: Val::Host(format!("set by {action}")),
            layer: Layer::ActionOutput(action.to_string()),
            site: Site {
                file: self.file,
                written: var.to_string(),
                name_span: uses.span.clone(),
                value_span: uses.span.clone(),
                logical: format!("{}.uses", self.step_path(step)),
            },
            via: None,
        }
    }

    fn aws_exports(&self, step: &Step, uses: &crate::formats::yaml::Text) -> Vec<Binding<'w>> {
        let action = "aws-actions/configure-aws-credentials";
        let mut out: Vec<Binding<'w>> = [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ]
        .iter()
        .map(|v| self.action_export(step, uses, v, action))
        .collect();
        if let Some(region) = step.with.iter().find(|a| a.name == "aws-region") {
            for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
                out.push(Binding {
                    var: var.to_string(),
                    val: Val::from_value(&region.value, false, var),
                    layer: Layer::ActionOutput(action.to_string()),
                    site: Site::of(self.file, region),
                    via: None,
                });
            }
        }
        out
    }

    fn gcp_exports(&self, step: &Step, uses: &crate::formats::yaml::Text) -> Vec<Binding<'w>> {
        let action = "google-github-actions/auth";
        let mut out =
            vec![self.action_export(step, uses, "GOOGLE_APPLICATION_CREDENTIALS", action)];
        for var in [
            "GOOGLE_CLOUD_PROJECT",
            "GCLOUD_PROJECT",
            "CLOUDSDK_CORE_PROJECT",
        ] {
            out.push(self.action_export(step, uses, var, action));
        }
        out
    }

    /// `echo "NAME=value" >> $GITHUB_ENV` lines of a `run:` script.
    fn github_env_writes(
        &self,
        step: &Step,
        script: &str,
        span: &Range<usize>,
    ) -> Vec<Binding<'w>> {
        static WRITE: OnceLock<Regex> = OnceLock::new();
        let re = WRITE.get_or_init(|| {
            Regex::new(
                r#"(?m)^[^\n#]*?\b(?:echo|printf)\s+(?:-e\s+)?["']?([A-Za-z_][A-Za-z0-9_]*)=([^"'\n>]*)["']?\s*>>\s*["']?\$\{?GITHUB_ENV\b"#,
            )
            .expect("valid regex")
        });
        re.captures_iter(script)
            .filter_map(|c| {
                let name = c.get(1)?.as_str();
                let value = c.get(2)?.as_str().trim();
                let val = if value.is_empty() {
                    Val::Empty
                } else if value.contains('$') {
                    Val::from_reference(value)
                } else {
                    Val::Literal(value.to_string())
                };
                Some(Binding {
                    var: name.to_string(),
                    val,
                    layer: Layer::GithubEnvWrite,
                    site: Site {
                        file: self.file,
                        written: name.to_string(),
                        name_span: span.clone(),
                        value_span: span.clone(),
                        logical: format!("{}.run", self.step_path(step)),
                    },
                    via: None,
                })
            })
            .collect()
    }
}

/// `{"A": ${{ vars.X }}}` → `{"A": "${{ vars.X }}"}`: a GitHub expression
/// written outside a JSON string (GitHub substitutes it before the action
/// parses the JSON) becomes a string holding the expression, so the rest of
/// the document still parses. Expressions inside strings are left as they
/// are; GitHub expressions quote their own strings with `'`.
fn quote_bare_expressions(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some(end) = rest.starts_with("${{").then(|| rest.find("}}")).flatten() {
            let expr = &rest[..end + 2];
            out.push('"');
            out.push_str(&expr.replace('"', "'"));
            out.push('"');
            rest = &rest[end + 2..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `Some(base)` for claude-code-action (`false`) or claude-code-base-action (`true`).
pub fn claude_action(uses: &str) -> Option<bool> {
    let repo = uses.split('@').next()?.trim().to_ascii_lowercase();
    match repo.as_str() {
        "anthropics/claude-code-action" => Some(false),
        "anthropics/claude-code-base-action" => Some(true),
        _ => None,
    }
}

/// `use_bedrock: true` → `1`; anything else the action maps to `""`.
fn provider_input_value(value: &Value) -> Val {
    match value {
        Value::Literal(s) if s.eq_ignore_ascii_case("true") => Val::Literal("1".into()),
        Value::Literal(_) | Value::Empty => Val::Empty,
        Value::Reference(r) => Val::from_reference(r),
    }
}

/// A `run:` script that starts Claude Code.
fn runs_claude(script: &str) -> bool {
    static CLAUDE: OnceLock<Regex> = OnceLock::new();
    CLAUDE
        .get_or_init(|| {
            Regex::new(
                r"(?m)(?:^|[\s;&|(`])(?:claude|npx\s+(?:-y\s+)?@anthropic-ai/claude-code)(?:\s|$)",
            )
            .expect("valid regex")
        })
        .is_match(script)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Project;
    use crate::tree::Tree;

    fn project(files: Vec<(&str, FileKind, &str)>) -> Project {
        let mut files: Vec<FileFacts> = files
            .into_iter()
            .map(|(rel, kind, text)| {
                FileFacts::new(
                    0,
                    rel,
                    rel,
                    kind,
                    true,
                    formats::parse(kind, text),
                    text.as_bytes().to_vec(),
                )
            })
            .collect();
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        Project {
            files,
            trees: vec![Tree::default()],
            ..Project::default()
        }
    }

    const WF: &str = "\
on: push
permissions:
  id-token: write
env:
  CLAUDE_CODE_USE_BEDROCK: \"1\"
jobs:
  one:
    runs-on: ubuntu-latest
    env:
      ANTHROPIC_API_KEY: ${{ secrets.KEY }}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-region: us-east-1
      - run: echo \"CLOUD_ML_REGION=us-east5\" >> $GITHUB_ENV
      - uses: anthropics/claude-code-action@v1
        with:
          claude_code_oauth_token: ${{ secrets.TOKEN }}
          anthropic_api_key: \"\"
          use_vertex: \"True\"
      - run: npm test
  two:
    runs-on: ubuntu-latest
    steps:
      - run: claude -p hi
        env:
          ANTHROPIC_AUTH_TOKEN: x
";

    #[test]
    fn jobs_steps_and_action_inputs() {
        let project = project(vec![
            (".github/workflows/ci.yml", FileKind::Workflow, WF),
            (
                ".claude/settings.json",
                FileKind::ClaudeSettings,
                r#"{"env": {"DISABLE_TELEMETRY": "1"}}"#,
            ),
        ]);
        let ws = Workspace::new(&project);
        let ctxs = contexts(&ws);
        let names: Vec<&str> = ctxs.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "job `one`",
                "job `one`, steps[2] anthropics/claude-code-action@v1",
                "job `two`, steps[0] run"
            ]
        );
        let action = &ctxs[1];
        let a = action.action.as_ref().expect("action");
        assert_eq!(a.aws_credentials_step, Some(true));
        assert_eq!(a.id_token_write, Some(true));
        // The empty input falls back to the job env; the token input applies.
        assert_eq!(
            action.get("ANTHROPIC_API_KEY").map(|b| &b.layer),
            Some(&Layer::JobEnv)
        );
        assert_eq!(
            action.get("CLAUDE_CODE_OAUTH_TOKEN").map(|b| &b.layer),
            Some(&Layer::ActionInput)
        );
        // The env switch is overridden by the action's default for use_bedrock.
        assert_eq!(
            action.get("CLAUDE_CODE_USE_BEDROCK").map(|b| &b.layer),
            Some(&Layer::ActionDefault)
        );
        assert_eq!(
            action.get("CLAUDE_CODE_USE_VERTEX").map(|b| b.val.clone()),
            Some(Val::Literal("1".into()))
        );
        assert_eq!(
            action.get("AWS_REGION").map(|b| b.val.clone()),
            Some(Val::Literal("us-east-1".into()))
        );
        assert_eq!(
            action.get("CLOUD_ML_REGION").map(|b| b.val.clone()),
            Some(Val::Literal("us-east5".into()))
        );
        assert!(action.get("DISABLE_TELEMETRY").is_some());
        // Job one's plain steps do not run claude: no settings overlay.
        assert!(ctxs[0].get("DISABLE_TELEMETRY").is_none());
        // Job two never sees job one's env.
        assert!(ctxs[2].get("ANTHROPIC_API_KEY").is_none());
        assert!(ctxs[2].get("DISABLE_TELEMETRY").is_some());
    }

    #[test]
    fn bare_expressions_in_settings_json_are_quoted() {
        assert_eq!(
            quote_bare_expressions(r#"{"env": {"A": ${{ vars.A }}, "B": "x ${{ secrets.B }}"}}"#),
            r#"{"env": {"A": "${{ vars.A }}", "B": "x ${{ secrets.B }}"}}"#
        );
        assert_eq!(
            quote_bare_expressions(r#"{"A": "q\"${{ x }}"}"#),
            r#"{"A": "q\"${{ x }}"}"#
        );
        assert_eq!(quote_bare_expressions("{${{"), "{${{");
    }

    #[test]
    fn detects_claude_runs_and_actions() {
        assert!(runs_claude("claude -p \"review\""));
        assert!(runs_claude(
            "set -e\nnpx -y @anthropic-ai/claude-code --help"
        ));
        assert!(!runs_claude("echo claude-code is nice"));
        assert_eq!(
            claude_action("anthropics/claude-code-action@v1"),
            Some(false)
        );
        assert_eq!(
            claude_action("Anthropics/Claude-Code-Base-Action@beta"),
            Some(true)
        );
        assert_eq!(claude_action("actions/checkout@v4"), None);
    }
}
