//! The files discovered under one scan root, for checks that look beyond the
//! file in hand (a Dockerfile's build context, a compose file's `env_file`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone)]
pub struct Tree {
    /// The scan root (a directory; for a single-file root, its parent).
    pub root: PathBuf,
    /// Paths relative to `root`, `/`-separated, sorted.
    pub files: Vec<String>,
    /// Inside a git work tree (so "committed" means "in the index").
    pub in_git: bool,
    /// Prepended to a relative path to display it (`""`, `sub/`, `/abs/root/`).
    pub display_prefix: String,
    /// When the current directory is below the root (file arguments scan the
    /// whole work tree): the current directory relative to the root, with a
    /// trailing `/`. Paths under it display relative to it, others absolute.
    pub display_strip: String,
    /// Parallel to `files` in a git work tree: not in the index. Empty outside
    /// a work tree, where every file counts as committed.
    pub untracked: Vec<bool>,
    /// Files whose name is not valid UTF-8 (rare): the path as shown in
    /// `files` (invalid bytes escaped as `\xNN`) to the real relative path,
    /// which is what must be opened.
    pub raw_paths: HashMap<String, PathBuf>,
}

/// Files larger than this are never read as side files.
const SIDE_FILE_LIMIT: u64 = 1 << 20;

impl Tree {
    /// Whether `files[index]` is committed (tracked in the index, or present
    /// and not ignored outside a work tree).
    pub fn is_tracked(&self, index: usize) -> bool {
        !self.untracked.get(index).copied().unwrap_or(false)
    }

    /// How a file of this tree is shown: relative to the current directory
    /// when under it, else absolute.
    pub fn display(&self, rel: &str) -> String {
        match rel.strip_prefix(self.display_strip.as_str()) {
            Some(below) if !self.display_strip.is_empty() => below.to_string(),
            _ => format!("{}{}", self.display_prefix, rel),
        }
    }

    /// The absolute path of a file of this tree, to open it (`rel` as in
    /// `files`; a name that is not UTF-8 is mapped back to its real bytes).
    pub fn path_of(&self, rel: &str) -> PathBuf {
        // Hashing every name costs more than the lookup saves: names that
        // are not UTF-8 are rare.
        let raw = (!self.raw_paths.is_empty())
            .then(|| self.raw_paths.get(rel))
            .flatten();
        let rel = raw.map_or(Path::new(rel), PathBuf::as_path);
        // Sized once: `join` would grow the root's buffer for every file.
        let mut path =
            PathBuf::with_capacity(self.root.as_os_str().len() + rel.as_os_str().len() + 1);
        path.push(&self.root);
        path.push(rel);
        path
    }

    pub fn contains(&self, rel: &str) -> bool {
        self.files.binary_search_by(|f| f.as_str().cmp(rel)).is_ok()
    }

    /// Files whose path starts with `dir/` (all files for `dir == ""`).
    pub fn files_under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let prefix = if dir.is_empty() || dir == "." {
            String::new()
        } else {
            format!("{}/", dir.trim_end_matches('/'))
        };
        let start = self.files.partition_point(|f| f.as_str() < prefix.as_str());
        self.files[start..]
            .iter()
            .take_while(move |f| f.starts_with(&prefix))
            .map(String::as_str)
    }

    /// Reads a small side file (`.dockerignore`, an `env_file`) under the root.
    /// Returns `None` when it is missing, too large or not UTF-8.
    pub fn read_side_file(&self, rel: &str) -> Option<String> {
        let path = self.path_of(rel);
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > SIDE_FILE_LIMIT {
            return None;
        }
        String::from_utf8(std::fs::read(path).ok()?).ok()
    }
}

/// The directory part of a `/`-separated relative path (`""` at the root).
pub fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map(|i| &rel[..i]).unwrap_or("")
}

/// Joins and normalises `/`-separated relative paths (`a/b` + `../c` = `a/c`).
/// Returns `None` when the result would leave the root.
pub fn join_rel(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_and_joins() {
        let tree = Tree {
            files: vec![
                "a/.env".into(),
                "a/Dockerfile".into(),
                "ab/x".into(),
                "b".into(),
            ],
            ..Tree::default()
        };
        assert!(tree.contains("a/.env"));
        assert_eq!(
            tree.files_under("a").collect::<Vec<_>>(),
            ["a/.env", "a/Dockerfile"]
        );
        assert_eq!(tree.files_under("").count(), 4);
        assert_eq!(join_rel("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(join_rel("", "../c"), None);
        assert_eq!(parent_dir("a/b/c"), "a/b");
    }
}
