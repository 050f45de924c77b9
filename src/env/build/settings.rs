//! Claude settings in a repository: `.claude/settings.json` then
//! `.claude/settings.local.json` (local wins, facts §1.2); each file's `env`
//! and its `apiKeyHelper`, which counts as a credential source. A settings
//! `env` overrides the process environment (facts §3.1), so these bindings
//! go on top of any chain they join.

use std::collections::BTreeMap;

use super::Workspace;
use crate::assign::Origin;
use crate::classify::FileKind;
use crate::claude::location::{SettingsScope, settings_scope};
use crate::env::model::{Binding, Context, ContextKind, Layer, Site};
use crate::env::value::Val;
use crate::env::vars::API_KEY_HELPER;
use crate::formats::json::pointer_join;
use crate::project::FileFacts;
use crate::tree::parent_dir;

/// The bindings one settings file contributes: `env` entries, then `apiKeyHelper`.
pub(super) fn file_bindings<'w>(file: &'w FileFacts, scope: SettingsScope) -> Vec<Binding<'w>> {
    let layer = Layer::Settings(scope.as_str().to_string());
    let mut out: Vec<Binding<'w>> = file
        .parsed
        .assignments
        .iter()
        .filter(|a| a.scope == "env" && a.origin == Origin::Env)
        .map(|a| Binding {
            // Whether Claude Code expands `${X}` in settings `env` is not
            // documented: a reference counts as "maybe set".
            var: a.name.clone(),
            val: Val::from_value(&a.value, false, &a.name),
            layer: layer.clone(),
            site: Site::of(file, a),
            via: None,
        })
        .collect();
    let helper = file
        .parsed
        .json
        .as_ref()
        .and_then(|doc| doc.root.member(API_KEY_HELPER));
    if let Some(m) = helper {
        let val = match m.value.as_str() {
            Some(s) if !s.trim().is_empty() => Val::Literal(s.to_string()),
            _ => Val::Empty,
        };
        out.push(Binding {
            var: API_KEY_HELPER.to_string(),
            val,
            layer,
            site: Site {
                file,
                written: API_KEY_HELPER.to_string(),
                name_span: m.key_span.clone(),
                value_span: m.value.span.clone(),
                logical: pointer_join("", API_KEY_HELPER),
            },
            via: None,
        });
    }
    out
}

fn scope_of(ws: &Workspace<'_>, file: &FileFacts) -> Option<SettingsScope> {
    let tree = ws.project.trees.get(file.root)?;
    settings_scope(&file.rel, tree)
}

/// One context per `.claude/` folder (project then local settings), and one
/// per user or managed settings file.
pub(super) fn contexts<'w>(ws: &'w Workspace<'_>) -> Vec<Context<'w>> {
    let mut folders: BTreeMap<(usize, String), Vec<(&'w FileFacts, SettingsScope)>> =
        BTreeMap::new();
    let mut out = Vec::new();
    for file in ws.files_of_kind(FileKind::ClaudeSettings) {
        let Some(scope) = scope_of(ws, file) else {
            continue;
        };
        match scope {
            SettingsScope::Project | SettingsScope::Local => folders
                .entry((file.root, parent_dir(&file.rel).to_string()))
                .or_default()
                .push((file, scope)),
            _ => out.push(settings_context(vec![(file, scope)], scope)),
        }
    }
    for (_, mut files) in folders {
        // Project first, local on top.
        files.sort_by_key(|(_, s)| *s == SettingsScope::Local);
        out.push(settings_context(files, SettingsScope::Project));
    }
    out
}

fn settings_context<'w>(
    files: Vec<(&'w FileFacts, SettingsScope)>,
    scope: SettingsScope,
) -> Context<'w> {
    let (first, _) = files[0];
    let name = match scope {
        SettingsScope::Project | SettingsScope::Local => {
            format!("Claude settings in {}/", parent_dir(&first.rel))
        }
        other => format!("Claude {} settings", other.as_str()),
    };
    Context {
        kind: ContextKind::Settings,
        name,
        file: first,
        span: 0..0,
        bindings: files
            .iter()
            .flat_map(|(f, s)| file_bindings(f, *s))
            .collect(),
        action: None,
        ci: false,
        example: false,
        runs_claude: Some(true),
    }
}

/// The repository's own settings, as Claude Code started in `repo_dir`
/// reads them: `.claude/settings.json`, then `settings.local.json` when it
/// is committed (an uncommitted one is personal).
pub(super) fn project_overlay<'w>(
    ws: &'w Workspace<'_>,
    root: usize,
    repo_dir: &str,
) -> Vec<Binding<'w>> {
    let join = |name: &str| {
        if repo_dir.is_empty() {
            format!(".claude/{name}")
        } else {
            format!("{repo_dir}/.claude/{name}")
        }
    };
    let mut out = Vec::new();
    for (name, scope) in [
        ("settings.json", SettingsScope::Project),
        ("settings.local.json", SettingsScope::Local),
    ] {
        let Some(file) = ws.file(root, &join(name)) else {
            continue;
        };
        if file.kind != FileKind::ClaudeSettings || (scope == SettingsScope::Local && !file.tracked)
        {
            continue;
        }
        out.extend(file_bindings(file, scope));
    }
    out
}
