//! Decides what kind of file a path is, from its path alone. Content sniffing
//! (binary or not) happens when the file is read.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Dockerfile,
    Workflow,
    ActionMetadata,
    Devcontainer,
    Compose,
    Dotenv,
    ClaudeSettings,
    McpConfig,
    ClaudeState,
    ClaudeCredentials,
    ClaudeTranscript,
    ShellEnv,
    Text,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Workflow => "workflow",
            FileKind::ActionMetadata => "action",
            FileKind::Devcontainer => "devcontainer",
            FileKind::Compose => "compose",
            FileKind::Dotenv => "dotenv",
            FileKind::ClaudeSettings => "claude-settings",
            FileKind::McpConfig => "mcp-config",
            FileKind::ClaudeState => "claude-state",
            FileKind::ClaudeCredentials => "claude-credentials",
            FileKind::ClaudeTranscript => "claude-transcript",
            FileKind::ShellEnv => "shell-env",
            FileKind::Text => "text",
        }
    }

    /// Kinds whose parsed facts cross-file checks read (execution contexts,
    /// settings layers); only these are kept after the per-file pass.
    pub fn is_cross_file(self) -> bool {
        matches!(
            self,
            FileKind::Dockerfile
                | FileKind::Workflow
                | FileKind::ActionMetadata
                | FileKind::Devcontainer
                | FileKind::Compose
                | FileKind::Dotenv
                | FileKind::ClaudeSettings
                | FileKind::McpConfig
        )
    }

    /// Kinds whose structure claudit parses (the rest only get the token scan).
    pub fn is_structured(self) -> bool {
        !matches!(self, FileKind::Text | FileKind::ClaudeTranscript)
    }
}

/// Classifies a path given with `/` separators (relative or absolute).
pub fn classify(path: &str) -> FileKind {
    // Called once per file: walk the components from the end instead of
    // collecting them (only the name and two parents matter, except for
    // transcripts).
    let mut parts = components(path).rev();
    let Some(name) = parts.next() else {
        return FileKind::Text;
    };
    if surely_text(name) {
        return FileKind::Text;
    }
    let parent = parts.next().unwrap_or("");
    let grandparent = parts.next().unwrap_or("");
    let lower = name.to_ascii_lowercase();

    if is_dockerfile(name, &lower) {
        return FileKind::Dockerfile;
    }
    if is_yaml(&lower) {
        if parent == "workflows" && grandparent == ".github" {
            return FileKind::Workflow;
        }
        if lower == "action.yml" || lower == "action.yaml" {
            return FileKind::ActionMetadata;
        }
        if lower.starts_with("compose.") || lower.starts_with("docker-compose") {
            return FileKind::Compose;
        }
    }
    if name == ".devcontainer.json"
        || (name == "devcontainer.json"
            && (parent == ".devcontainer" || grandparent == ".devcontainer"))
    {
        return FileKind::Devcontainer;
    }
    if (parent == ".claude" && (name == "settings.json" || name == "settings.local.json"))
        || name == "managed-settings.json"
        || (parent == "managed-settings.d" && lower.ends_with(".json") && !name.starts_with('.'))
    {
        return FileKind::ClaudeSettings;
    }
    if name == ".mcp.json" || name == "managed-mcp.json" {
        return FileKind::McpConfig;
    }
    if name == ".claude.json" {
        return FileKind::ClaudeState;
    }
    if name == ".credentials.json" {
        return FileKind::ClaudeCredentials;
    }
    if lower.ends_with(".jsonl") && is_under_claude_projects(path) {
        return FileKind::ClaudeTranscript;
    }
    if name == ".env" || name.starts_with(".env.") || (lower.ends_with(".env") && name.len() > 4) {
        return FileKind::Dotenv;
    }
    if matches!(
        name,
        ".envrc" | ".bashrc" | ".zshrc" | ".profile" | ".bash_profile" | ".zprofile" | ".zshenv"
    ) || lower.ends_with(".sh")
    {
        return FileKind::ShellEnv;
    }
    FileKind::Text
}

/// Nearly every file of a tree is plain text, and its name says so at once:
/// no leading dot, an extension no other kind uses, no Dockerfile or
/// Containerfile prefix. The full rules below decide the rest.
fn surely_text(name: &str) -> bool {
    const OTHER_KINDS: &[&str] = &["yml", "yaml", "json", "jsonl", "env", "sh", "dockerfile"];
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && !name.starts_with('.')
        && !OTHER_KINDS
            .iter()
            .any(|e| extension.eq_ignore_ascii_case(e))
        && !["Dockerfile", "dockerfile", "Containerfile"]
            .iter()
            .any(|prefix| name.starts_with(prefix))
}

fn is_dockerfile(name: &str, lower: &str) -> bool {
    // `Dockerfile.dockerignore` is the ignore file BuildKit reads for that
    // Dockerfile (`*.dockerignore` in general): patterns, not instructions.
    if lower.ends_with(".dockerignore") {
        return false;
    }
    name == "Dockerfile"
        || name == "dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.starts_with("Containerfile.")
        || lower.ends_with(".dockerfile")
}

fn is_yaml(lower: &str) -> bool {
    lower.ends_with(".yml") || lower.ends_with(".yaml")
}

fn is_under_claude_projects(path: &str) -> bool {
    let mut previous = "";
    components(path).any(|part| {
        let found = previous == ".claude" && part == "projects";
        previous = part;
        found
    })
}

/// The non-empty components of a `/`-separated path, `.` left out.
fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|p| !p.is_empty() && *p != ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut for plain text never hides another kind, whatever the case.
    #[test]
    fn the_plain_text_shortcut_keeps_every_other_kind() {
        let cases = [
            ("deploy/API.ENV", FileKind::Dotenv),
            ("bin/Run.SH", FileKind::ShellEnv),
            ("x/web.DOCKERFILE", FileKind::Dockerfile),
            ("Dockerfile.prod", FileKind::Dockerfile),
            ("Containerfile.dev", FileKind::Dockerfile),
            (".github/workflows/CI.YML", FileKind::Workflow),
            ("docker-compose.Yaml", FileKind::Compose),
            (".envrc", FileKind::ShellEnv),
            ("a/.claude/projects/p/s.JSONL", FileKind::ClaudeTranscript),
            ("src/app.js", FileKind::Text),
            ("README", FileKind::Text),
        ];
        for (path, kind) in cases {
            assert_eq!(classify(path), kind, "{path}");
        }
    }

    #[test]
    fn classifies_the_documented_names() {
        let cases = [
            ("Dockerfile", FileKind::Dockerfile),
            ("x/Dockerfile.dev", FileKind::Dockerfile),
            ("api.Dockerfile", FileKind::Dockerfile),
            ("Containerfile", FileKind::Dockerfile),
            ("dockerfile", FileKind::Dockerfile),
            ("Dockerfile.dockerignore", FileKind::Text),
            ("x/api.Dockerfile.dockerignore", FileKind::Text),
            ("Containerfile.dockerignore", FileKind::Text),
            (".github/workflows/ci.yml", FileKind::Workflow),
            ("./.github/workflows/ci.yaml", FileKind::Workflow),
            ("a/action.yml", FileKind::ActionMetadata),
            (".devcontainer.json", FileKind::Devcontainer),
            (".devcontainer/devcontainer.json", FileKind::Devcontainer),
            (".devcontainer/py/devcontainer.json", FileKind::Devcontainer),
            ("compose.yaml", FileKind::Compose),
            ("docker-compose.prod.yml", FileKind::Compose),
            (".env", FileKind::Dotenv),
            (".env.local", FileKind::Dotenv),
            ("prod.env", FileKind::Dotenv),
            (".claude/settings.json", FileKind::ClaudeSettings),
            ("sub/.claude/settings.local.json", FileKind::ClaudeSettings),
            (
                "etc/claude-code/managed-settings.json",
                FileKind::ClaudeSettings,
            ),
            ("managed-settings.d/10-a.json", FileKind::ClaudeSettings),
            (".mcp.json", FileKind::McpConfig),
            ("managed-mcp.json", FileKind::McpConfig),
            ("home/u/.claude.json", FileKind::ClaudeState),
            (
                "home/u/.claude/.credentials.json",
                FileKind::ClaudeCredentials,
            ),
            (".claude/projects/p/abc.jsonl", FileKind::ClaudeTranscript),
            (".envrc", FileKind::ShellEnv),
            ("scripts/setup.sh", FileKind::ShellEnv),
            ("src/main.rs", FileKind::Text),
            ("settings.json", FileKind::Text),
            ("workflows/ci.yml", FileKind::Text),
        ];
        for (path, kind) in cases {
            assert_eq!(classify(path), kind, "{path}");
        }
    }
}
