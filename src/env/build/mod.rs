//! Context builders, one per source kind. Each reads the parsed facts of the
//! [`Project`] (never the file system, except compose `env_file` files the
//! scan did not parse, read through the scan root's [`crate::tree::Tree`])
//! and chains their layers into [`Context`]s.

mod compose;
mod devcontainer;
mod docker;
mod dotenv;
mod settings;
mod workflow;

pub use workflow::claude_action;

use std::collections::HashSet;

use super::model::Context;
use crate::classify::FileKind;
use crate::formats;
use crate::project::{FileFacts, Project};
use crate::tree::{join_rel, parent_dir};

/// The project plus the side files (compose `env_file`s with names the
/// scan does not parse) that contexts point into.
pub struct Workspace<'p> {
    pub project: &'p Project,
    side: Vec<FileFacts>,
}

impl<'p> Workspace<'p> {
    pub fn new(project: &'p Project) -> Self {
        let mut ws = Workspace {
            project,
            side: Vec::new(),
        };
        ws.side = compose::side_files(&ws);
        ws
    }

    /// A parsed file under scan root `root`, from the project or the side files.
    pub fn file(&self, root: usize, rel: &str) -> Option<&FileFacts> {
        self.project
            .file(root, rel)
            .or_else(|| self.side.iter().find(|f| f.root == root && f.rel == rel))
    }

    pub fn files_of_kind(&self, kind: FileKind) -> impl Iterator<Item = &FileFacts> {
        self.project.files_of_kind(kind)
    }

    /// Reads and parses `rel` as a dotenv file when the scan discovered it
    /// but did not parse it (`env_file: config/app.vars`).
    fn load_side_dotenv(&self, near: &FileFacts, rel: &str) -> Option<FileFacts> {
        if self.file(near.root, rel).is_some() {
            return None;
        }
        let tree = self.project.trees.get(near.root)?;
        if !tree.contains(rel) {
            return None;
        }
        let text = tree.read_side_file(rel)?;
        let parsed = formats::parse(FileKind::Dotenv, &text);
        Some(FileFacts::new(
            near.root,
            rel,
            &sibling_display(near, rel),
            FileKind::Dotenv,
            near.tracked,
            parsed,
            text.into_bytes(),
        ))
    }
}

/// The display path of `rel`, a file under the same root as `near`.
fn sibling_display(near: &FileFacts, rel: &str) -> String {
    match near.display.strip_suffix(near.rel.as_str()) {
        Some(prefix) => format!("{prefix}{rel}"),
        None => rel.to_string(),
    }
}

/// `dir` joined with `path` (relative), normalised; `None` outside the root
/// or for absolute paths.
pub(crate) fn resolve(dir: &str, path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains("${") || path.contains("://") {
        return None;
    }
    join_rel(dir, path)
}

/// Every execution context found in the project.
pub fn contexts<'w>(ws: &'w Workspace<'_>) -> Vec<Context<'w>> {
    // Contexts that own their bindings come first, so that a finding about
    // one binding is told from its own file's point of view; those that
    // layer other files on top (workflows and dev containers add the
    // repository's settings, compose adds Dockerfiles) come after.
    // Workflows depend on no other family: they are worked out beside the
    // rest (this runs after the scan, when nothing else does).
    let (mut out, workflows) = rayon::join(
        || {
            let mut consumed: HashSet<(usize, String, usize)> = HashSet::new();
            let mut out = Vec::new();
            out.extend(settings::contexts(ws));
            out.extend(dotenv::contexts(ws));
            let composed = compose::contexts(ws, &mut consumed);
            let devcontainers = devcontainer::contexts(ws, &mut consumed);
            out.extend(docker::contexts(ws, &consumed));
            out.extend(composed);
            out.extend(devcontainers);
            out
        },
        || workflow::contexts(ws),
    );
    out.extend(workflows);
    out
}

/// The directory a repository's `.claude/` sits in, judged from a file
/// that belongs to the repository (`.github/workflows/x.yml`,
/// `.devcontainer/devcontainer.json`).
fn repository_dir(rel: &str) -> &str {
    for marker in ["/.github/workflows/", "/.devcontainer/"] {
        if let Some(i) = format!("/{rel}").find(marker) {
            return &rel[..i.saturating_sub(1).min(rel.len())];
        }
    }
    parent_dir(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_dirs() {
        assert_eq!(repository_dir(".github/workflows/ci.yml"), "");
        assert_eq!(repository_dir("a/b/.github/workflows/ci.yml"), "a/b");
        assert_eq!(repository_dir(".devcontainer/devcontainer.json"), "");
        assert_eq!(repository_dir("x/.devcontainer/py/devcontainer.json"), "x");
        assert_eq!(repository_dir("x/.devcontainer.json"), "x");
        assert_eq!(resolve("a", "../b/.env").as_deref(), Some("b/.env"));
        assert_eq!(resolve("a", "/etc/env"), None);
    }
}
