//! dotenv files at a repository's root: their own context. Shells with
//! direnv or a dotenv plugin, IDE terminals and (before 2.0.64) Claude
//! Code's native build load them into the environment Claude Code starts
//! in (facts §3.1). Templates (`.env.example`) are documentation: their
//! contexts are marked so that conflict rules skip them.

use super::Workspace;
use crate::classify::FileKind;
use crate::env::model::{Binding, Context, ContextKind, Layer, Site};
use crate::env::value::Val;
use crate::project::FileFacts;
use crate::tree::{Tree, parent_dir};

/// Files whose presence marks a folder as a project root.
const ROOT_MARKERS: &[&str] = &[
    ".git",
    ".gitignore",
    "package.json",
    "pyproject.toml",
    "requirements.txt",
    "go.mod",
    "Cargo.toml",
    "composer.json",
    "Gemfile",
    "pom.xml",
    "README.md",
    ".claude/settings.json",
];

pub(super) fn contexts<'w>(ws: &'w Workspace<'_>) -> Vec<Context<'w>> {
    ws.files_of_kind(FileKind::Dotenv)
        .filter(|f| is_at_project_root(ws, f))
        .map(|file| Context {
            kind: ContextKind::Dotenv,
            name: format!("dotenv file {}", file.rel),
            file,
            span: 0..0,
            bindings: file
                .parsed
                .assignments
                .iter()
                .map(|a| Binding {
                    var: a.name.clone(),
                    val: Val::from_value(&a.value, false, &a.name),
                    layer: Layer::Dotenv,
                    site: Site::of(file, a),
                    via: None,
                })
                .collect(),
            action: None,
            ci: false,
            example: is_template(&file.rel),
            runs_claude: None,
        })
        .collect()
}

/// At the scan root, or in a folder that holds a project marker file.
fn is_at_project_root(ws: &Workspace<'_>, file: &FileFacts) -> bool {
    let dir = parent_dir(&file.rel);
    if dir.is_empty() {
        return true;
    }
    let Some(tree) = ws.project.trees.get(file.root) else {
        return false;
    };
    has_marker(tree, dir)
}

fn has_marker(tree: &Tree, dir: &str) -> bool {
    ROOT_MARKERS
        .iter()
        .any(|m| tree.contains(&format!("{dir}/{m}")))
        || tree.files_under(&format!("{dir}/.git")).next().is_some()
}

/// `.env.example`, `.env.sample`, `.env.template`, `example.env`, …
pub fn is_template(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.split('.').any(|part| {
        matches!(
            part,
            "example" | "examples" | "sample" | "template" | "tmpl" | "tpl" | "dist" | "defaults"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_recognised() {
        for t in [
            ".env.example",
            ".env.sample",
            "x/.env.template",
            "example.env",
            ".env.dist",
        ] {
            assert!(is_template(t), "{t}");
        }
        for f in [".env", ".env.local", "prod.env", ".env.examples-not"] {
            assert!(!is_template(f), "{f}");
        }
    }
}
