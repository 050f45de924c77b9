//! Which settings scope a file belongs to, judged from where it sits in the
//! scanned tree (facts §1.1). Dotfile repositories keep a user's home
//! `.claude/` folder: those files are user settings, not project settings.

use crate::formats::json::Node;
use crate::tree::{Tree, parent_dir};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SettingsScope {
    /// `.claude/settings.json` of a project: shared with everyone who clones it.
    Project,
    /// `.claude/settings.local.json`: personal, meant to stay uncommitted.
    Local,
    /// A user's `~/.claude/settings.json` kept in a dotfile repository.
    User,
    /// `managed-settings.json` / `managed-settings.d/*.json` at a documented system path.
    Managed,
    /// `managed-settings.json` elsewhere: managed settings kept in a repository.
    ManagedInRepo,
}

impl SettingsScope {
    pub fn as_str(self) -> &'static str {
        match self {
            SettingsScope::Project => "project",
            SettingsScope::Local => "local",
            SettingsScope::User => "user",
            SettingsScope::Managed => "managed",
            SettingsScope::ManagedInRepo => "managed (kept in a repository)",
        }
    }

    /// Shared with everyone who clones the repository (project, local when committed, managed in repo).
    pub fn is_managed(self) -> bool {
        matches!(self, SettingsScope::Managed | SettingsScope::ManagedInRepo)
    }
}

/// Shell start-up files whose presence beside `.claude/` marks a home directory.
const RC_FILES: &[&str] = &[
    ".bashrc",
    ".zshrc",
    ".profile",
    ".bash_profile",
    ".zprofile",
    ".gitconfig",
];

/// The scope of a Claude settings file at `rel` (relative to the scan root,
/// `/`-separated). `None` when `rel` is not a settings file location.
pub fn settings_scope(rel: &str, tree: &Tree) -> Option<SettingsScope> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let dir = parent_dir(rel);
    let dir_name = dir.rsplit('/').next().unwrap_or(dir);
    // Claude Code ignores hidden files in the drop-in folder (facts §1.1).
    let drop_in = dir_name == "managed-settings.d" && !name.starts_with('.');
    if name == "managed-settings.json" || drop_in {
        let system = rel.contains("etc/claude-code/")
            || rel.contains("Library/Application Support/ClaudeCode/")
            || rel.contains("Program Files/ClaudeCode/");
        return Some(if system {
            SettingsScope::Managed
        } else {
            SettingsScope::ManagedInRepo
        });
    }
    if dir_name != ".claude" || !(name == "settings.json" || name == "settings.local.json") {
        return None;
    }
    if is_home_claude_dir(dir, tree) {
        return Some(SettingsScope::User);
    }
    Some(if name == "settings.local.json" {
        SettingsScope::Local
    } else {
        SettingsScope::Project
    })
}

/// [`settings_scope`], with the file's parsed content as further evidence: a
/// `.claude/settings.json` whose commands all run from the user's own
/// `~/.claude/` and that holds keys only user settings read (`theme`,
/// `skipAutoPermissionPrompt`, …) is a user's settings kept in a repository
/// (a dotfile or sandbox-image repository), whatever its folder looks like.
pub fn settings_scope_of(rel: &str, tree: &Tree, root: Option<&Node>) -> Option<SettingsScope> {
    let scope = settings_scope(rel, tree)?;
    if scope == SettingsScope::Project && root.is_some_and(looks_like_user_settings) {
        return Some(SettingsScope::User);
    }
    Some(scope)
}

/// Both signs at once, so that a project that merely calls a personal hook
/// or sets a theme stays project settings.
fn looks_like_user_settings(root: &Node) -> bool {
    let commands: Vec<String> = crate::claude::hooks::settings_commands(root)
        .iter()
        .map(|site| site.command_line())
        .collect();
    let from_home = |c: &str| {
        ["~/.claude/", "$HOME/.claude/", "${HOME}/.claude/"]
            .iter()
            .any(|p| c.contains(p))
    };
    let from_project = |c: &str| {
        c.contains("CLAUDE_PROJECT_DIR")
            || c.split_whitespace().any(|w| {
                let w = w.trim_matches(['"', '\'']);
                w.starts_with("./") || w.starts_with(".claude/") || w.starts_with("../")
            })
    };
    if commands.is_empty() || !commands.iter().all(|c| from_home(c) && !from_project(c)) {
        return false;
    }
    root.as_object()
        .unwrap_or_default()
        .iter()
        .any(|m| is_user_only_key(&m.key))
}

/// Keys that take effect only in user (or user, local and managed) settings,
/// or that are one person's preferences about their terminal.
fn is_user_only_key(name: &str) -> bool {
    use crate::claude::settings_model::{KeyScope, SETTINGS_KEYS, find_key};
    const PERSONAL: &[&str] = &[
        "theme",
        "editorMode",
        "preferredNotifChannel",
        "agentPushNotifEnabled",
        "inputNeededNotifEnabled",
        "voiceEnabled",
        "prefersReducedMotion",
    ];
    PERSONAL.contains(&name)
        || find_key(SETTINGS_KEYS, name).is_some_and(|k| {
            matches!(
                k.scope,
                KeyScope::UserOrManaged | KeyScope::UserLocalManaged | KeyScope::GlobalConfig
            )
        })
}

/// A `.claude` folder that belongs to a home directory: its parent holds
/// `.claude.json` or shell rc files, or sits at `home/<user>/` or `Users/<user>/`.
/// Also a `.claude` folder that itself holds `.claude.json`: the layout of a
/// `CLAUDE_CONFIG_DIR`, where the state file sits beside `settings.json`
/// (facts §1.1), so its settings are user settings too.
fn is_home_claude_dir(claude_dir: &str, tree: &Tree) -> bool {
    if tree.contains(&format!("{claude_dir}/.claude.json")) {
        return true;
    }
    let home = parent_dir(claude_dir);
    let join = |name: &str| {
        if home.is_empty() {
            name.to_string()
        } else {
            format!("{home}/{name}")
        }
    };
    if tree.contains(&join(".claude.json")) || tree.contains(&join(".claude/.credentials.json")) {
        return true;
    }
    if RC_FILES.iter().any(|rc| tree.contains(&join(rc))) {
        return true;
    }
    let parts: Vec<&str> = home.split('/').filter(|p| !p.is_empty()).collect();
    parts.len() >= 2 && matches!(parts[parts.len() - 2], "home" | "Users")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> Tree {
        let mut files: Vec<String> = files.iter().map(|s| s.to_string()).collect();
        files.sort();
        Tree {
            files,
            ..Tree::default()
        }
    }

    #[test]
    fn scopes_by_location() {
        let t = tree(&[
            ".claude/settings.json",
            "dots/.bashrc",
            "dots/.claude/settings.json",
            "pkg/.claude/settings.local.json",
        ]);
        assert_eq!(
            settings_scope(".claude/settings.json", &t),
            Some(SettingsScope::Project)
        );
        assert_eq!(
            settings_scope("pkg/.claude/settings.local.json", &t),
            Some(SettingsScope::Local)
        );
        assert_eq!(
            settings_scope("dots/.claude/settings.json", &t),
            Some(SettingsScope::User)
        );
        assert_eq!(
            settings_scope("home/ana/.claude/settings.json", &t),
            Some(SettingsScope::User)
        );
        assert_eq!(
            settings_scope("etc/claude-code/managed-settings.json", &t),
            Some(SettingsScope::Managed)
        );
        assert_eq!(
            settings_scope("ops/managed-settings.d/10-policy.json", &t),
            Some(SettingsScope::ManagedInRepo)
        );
        assert_eq!(settings_scope("src/settings.json", &t), None);
        // Hidden drop-ins are ignored by Claude Code (facts §1.1).
        assert_eq!(
            settings_scope("etc/claude-code/managed-settings.d/.hidden.json", &t),
            None
        );
    }

    #[test]
    fn a_claude_config_dir_holding_the_state_file_is_user_settings() {
        let t = tree(&[
            "cfg/.claude/.claude.json",
            "cfg/.claude/settings.json",
            "proj/.claude/settings.json",
        ]);
        assert_eq!(
            settings_scope("cfg/.claude/settings.json", &t),
            Some(SettingsScope::User)
        );
        assert_eq!(
            settings_scope("proj/.claude/settings.json", &t),
            Some(SettingsScope::Project)
        );
    }

    #[test]
    fn user_settings_recognised_by_content() {
        let t = tree(&["image/.claude/settings.json"]);
        let scope = |text: &str| {
            let doc =
                crate::formats::json::parse_file(crate::classify::FileKind::ClaudeSettings, text)
                    .json
                    .unwrap_or_else(|| panic!("does not parse: {text}"));
            settings_scope_of("image/.claude/settings.json", &t, Some(&doc.root))
        };
        let user = r#"{
  "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "~/.claude/hooks/notify.sh"}]}]},
  "statusLine": {"type": "command", "command": "$HOME/.claude/statusline.sh"},
  "theme": "dark",
  "skipAutoPermissionPrompt": true
}"#;
        assert_eq!(scope(user), Some(SettingsScope::User));
        // Personal hooks without user-only keys, or user-only keys without
        // them, or any project command: still project settings.
        for project in [
            r#"{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "~/.claude/hooks/notify.sh"}]}]}}"#,
            r#"{"theme": "dark", "skipAutoPermissionPrompt": true}"#,
            r#"{"hooks": {"Stop": [{"hooks": [
                {"type": "command", "command": "~/.claude/hooks/notify.sh"},
                {"type": "command", "command": "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/lint.sh"}]}]},
               "theme": "dark"}"#,
            r#"{"statusLine": {"type": "command", "command": "bash ~/.claude/s.sh ./x"}, "theme": "dark"}"#,
        ] {
            assert_eq!(scope(project), Some(SettingsScope::Project), "{project}");
        }
        assert_eq!(
            settings_scope_of("image/.claude/settings.json", &t, None),
            Some(SettingsScope::Project)
        );
    }
}
