//! Execution contexts: the end of a chain of environment layers (workflow →
//! job → step, Dockerfile stages → compose `env_file` → `environment`, …),
//! each variable with the binding that wins and the ones it shadows.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Serialize;

use super::value::{Presence, Val};
use crate::assign::Assignment;
use crate::project::FileFacts;

/// Where a binding is written.
#[derive(Debug, Clone)]
pub struct Site<'w> {
    pub file: &'w FileFacts,
    /// The name as written (`anthropic_api_key`, `ANTHROPIC_API_KEY`).
    pub written: String,
    pub name_span: Range<usize>,
    pub value_span: Range<usize>,
    /// JSON pointer, YAML path or Dockerfile location.
    pub logical: String,
}

impl<'w> Site<'w> {
    pub fn of(file: &'w FileFacts, a: &Assignment) -> Self {
        Site {
            file,
            written: a.name.clone(),
            name_span: a.name_span.clone(),
            value_span: a.value_span.clone(),
            logical: a.logical.clone(),
        }
    }

    /// Span covering name and value (for primary locations).
    pub fn span(&self) -> Range<usize> {
        let start = self.name_span.start.min(self.value_span.start);
        let end = self.name_span.end.max(self.value_span.end);
        start..end
    }

    /// `path:line` for messages and `claudit env`.
    pub fn at(&self) -> String {
        let region = self.file.region(&self.name_span);
        format!("{}:{}", self.file.display, region.start.line)
    }
}

/// The environment layer a binding belongs to, lowest precedence first in
/// each chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "layer", content = "detail", rename_all = "kebab-case")]
pub enum Layer {
    /// A Dockerfile `ENV` in the named stage.
    DockerEnv(String),
    /// A compose `env_file` entry.
    ComposeEnvFile,
    /// A compose `environment` entry.
    ComposeEnvironment,
    DevcontainerContainerEnv,
    /// `-e NAME=value` / `--env` in a devcontainer's `runArgs`.
    DevcontainerRunArgs,
    DevcontainerRemoteEnv,
    /// A job's `container.env`.
    JobContainerEnv,
    WorkflowEnv,
    JobEnv,
    /// An earlier step's `echo X=… >> $GITHUB_ENV`.
    GithubEnvWrite,
    /// Set by an earlier action step (`aws-actions/configure-aws-credentials`, …).
    ActionOutput(String),
    StepEnv,
    /// A claude-code-action input mapped to the variable.
    ActionInput,
    /// What claude-code-action sets when an input is absent (`use_bedrock` defaults to false).
    ActionDefault,
    /// A composite or Docker action's `runs.env`.
    ActionRunsEnv,
    /// A dotenv file.
    Dotenv,
    /// A Claude settings file's `env` (or `apiKeyHelper`), by scope.
    Settings(String),
}

impl Layer {
    pub fn describe(&self) -> String {
        match self {
            Layer::DockerEnv(stage) => format!("Dockerfile ENV ({stage})"),
            Layer::ComposeEnvFile => "compose env_file".into(),
            Layer::ComposeEnvironment => "compose environment".into(),
            Layer::DevcontainerContainerEnv => "devcontainer containerEnv".into(),
            Layer::DevcontainerRunArgs => "devcontainer runArgs".into(),
            Layer::DevcontainerRemoteEnv => "devcontainer remoteEnv".into(),
            Layer::JobContainerEnv => "job container env".into(),
            Layer::WorkflowEnv => "workflow env".into(),
            Layer::JobEnv => "job env".into(),
            Layer::GithubEnvWrite => "$GITHUB_ENV write in an earlier step".into(),
            Layer::ActionOutput(action) => format!("exported by {action}"),
            Layer::StepEnv => "step env".into(),
            Layer::ActionInput => "claude-code-action input".into(),
            Layer::ActionDefault => "claude-code-action default".into(),
            Layer::ActionRunsEnv => "action runs.env".into(),
            Layer::Dotenv => "dotenv file".into(),
            Layer::Settings(scope) => format!("Claude {scope} settings"),
        }
    }

    /// Claude settings `env` overrides the process environment (facts §3.1).
    pub fn is_settings(&self) -> bool {
        matches!(self, Layer::Settings(_))
    }
}

/// One assignment of a variable in a context.
#[derive(Debug, Clone)]
pub struct Binding<'w> {
    /// The variable as Claude Code sees it.
    pub var: String,
    pub val: Val,
    pub layer: Layer,
    pub site: Site<'w>,
    /// Where an interpolated value came from (compose `.env`, a build arg).
    pub via: Option<Site<'w>>,
}

impl Binding<'_> {
    pub fn presence(&self) -> Presence {
        self.val.presence()
    }

    /// "`ANTHROPIC_API_KEY` (job env)", "`anthropic_api_key` (claude-code-action input)".
    pub fn describe(&self) -> String {
        format!("`{}` ({})", self.site.written, self.layer.describe())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContextKind {
    Workflow,
    CompositeAction,
    Dockerfile,
    Compose,
    Devcontainer,
    Settings,
    Dotenv,
}

impl ContextKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContextKind::Workflow => "workflow",
            ContextKind::CompositeAction => "action",
            ContextKind::Dockerfile => "dockerfile",
            ContextKind::Compose => "compose",
            ContextKind::Devcontainer => "devcontainer",
            ContextKind::Settings => "settings",
            ContextKind::Dotenv => "dotenv",
        }
    }
}

/// A step that runs claude-code-action or claude-code-base-action.
#[derive(Debug, Clone)]
pub struct ActionUse<'w> {
    pub file: &'w FileFacts,
    /// `anthropics/claude-code-action@v1`
    pub uses: String,
    pub uses_span: Range<usize>,
    pub base: bool,
    /// `permissions: id-token: write` at job or workflow level (or
    /// `write-all`); `None` when the caller decides (composite actions).
    pub id_token_write: Option<bool>,
    /// An earlier `aws-actions/configure-aws-credentials` step, and whether it set `aws-region`.
    pub aws_credentials_step: Option<bool>,
    /// An earlier `google-github-actions/auth` step.
    pub gcp_auth_step: bool,
}

/// An execution context: where Claude Code could run, with every binding
/// that reaches it.
#[derive(Debug, Clone)]
pub struct Context<'w> {
    pub kind: ContextKind,
    /// "job `review`, step 3 (anthropics/claude-code-action@v1)".
    pub name: String,
    /// The file that defines the context and where.
    pub file: &'w FileFacts,
    pub span: Range<usize>,
    /// Every binding, lowest precedence first: a later one wins.
    pub bindings: Vec<Binding<'w>>,
    pub action: Option<ActionUse<'w>>,
    /// Runs unattended in CI (`claude -p`: an API key is always used).
    pub ci: bool,
    /// A dotenv template (`.env.example`): documentation, not configuration.
    pub example: bool,
    /// Whether Claude Code runs here: `Some(false)` for the other steps of a
    /// job whose Claude step is elsewhere (their env is not Claude's),
    /// `None` when the files do not say.
    pub runs_claude: Option<bool>,
}

/// A variable's effective binding and the ones it shadows.
#[derive(Debug, Clone)]
pub struct Resolved<'c, 'w> {
    pub winner: &'c Binding<'w>,
    /// Highest precedence first.
    pub shadowed: Vec<&'c Binding<'w>>,
}

impl<'w> Context<'w> {
    /// The binding that wins for `var`, if any layer sets it.
    pub fn get(&self, var: &str) -> Option<&Binding<'w>> {
        self.bindings.iter().rev().find(|b| b.var == var)
    }

    /// The winning binding when it makes the variable (possibly) set.
    pub fn present(&self, var: &str) -> Option<&Binding<'w>> {
        self.get(var).filter(|b| b.presence() > Presence::Unset)
    }

    /// The winning binding when it certainly sets the variable.
    pub fn set(&self, var: &str) -> Option<&Binding<'w>> {
        self.get(var).filter(|b| b.presence() == Presence::Set)
    }

    pub fn resolve(&self, var: &str) -> Option<Resolved<'_, 'w>> {
        let mut all = self.bindings.iter().rev().filter(|b| b.var == var);
        let winner = all.next()?;
        Some(Resolved {
            winner,
            shadowed: all.collect(),
        })
    }

    /// Every variable, sorted by name.
    pub fn effective(&self) -> BTreeMap<&str, Resolved<'_, 'w>> {
        let mut out = BTreeMap::new();
        for b in &self.bindings {
            if out.contains_key(b.var.as_str()) {
                continue;
            }
            if let Some(r) = self.resolve(&b.var) {
                out.insert(b.var.as_str(), r);
            }
        }
        out
    }

    /// Rules judge this context: it is not a template, and Claude may run here.
    pub fn is_checked(&self) -> bool {
        !self.example && self.runs_claude != Some(false)
    }

    /// `.github/workflows/ci.yml: job `review``
    pub fn title(&self) -> String {
        format!("{} ({})", self.name, self.file.display)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::FileKind;
    use crate::formats::Parsed;

    fn facts() -> FileFacts {
        FileFacts::new(
            0,
            "a.env",
            "a.env",
            FileKind::Dotenv,
            true,
            Parsed::default(),
            b"A=1\nA=2\n".to_vec(),
        )
    }

    fn binding<'w>(file: &'w FileFacts, var: &str, val: Val, at: usize) -> Binding<'w> {
        Binding {
            var: var.into(),
            val,
            layer: Layer::Dotenv,
            site: Site {
                file,
                written: var.into(),
                name_span: at..at + 1,
                value_span: at + 2..at + 3,
                logical: var.into(),
            },
            via: None,
        }
    }

    #[test]
    fn later_bindings_win_and_shadow() {
        let file = facts();
        let ctx = Context {
            kind: ContextKind::Dotenv,
            name: "a.env".into(),
            file: &file,
            span: 0..0,
            bindings: vec![
                binding(&file, "A", Val::Literal("1".into()), 0),
                binding(&file, "A", Val::Empty, 4),
                binding(&file, "B", Val::Host("${B}".into()), 0),
            ],
            action: None,
            ci: false,
            example: false,
            runs_claude: None,
        };
        let a = ctx.resolve("A").expect("A");
        assert_eq!(a.winner.val, Val::Empty);
        assert_eq!(a.shadowed.len(), 1);
        assert!(ctx.present("A").is_none());
        assert!(ctx.present("B").is_some() && ctx.set("B").is_none());
        assert_eq!(ctx.effective().len(), 2);
        assert_eq!(a.winner.site.at(), "a.env:2");
    }
}
