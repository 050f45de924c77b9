//! Finds the files to scan under each path given.
//!
//! Hidden files and folders are included (`.github`, `.claude`, `.env`), `.git/`
//! is skipped. In a git work tree every file tracked in the index is scanned,
//! and `.gitignore`/`.ignore` rules apply only to untracked files; the user's
//! global excludes file never applies (Claude Code puts `settings.local.json`
//! there, and a tracked one must still be found). Outside a work tree the
//! `.gitignore` files in the tree apply. `--no-ignore` scans everything.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use ignore::overrides::{Override, OverrideBuilder};
use ignore::{ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use crate::tree::Tree;

#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    pub no_ignore: bool,
    pub excludes: Vec<String>,
    pub threads: usize,
}

/// One file to scan: a view into its [`Tree`], so discovery stores one path
/// string per file and memory stays small on trees of a million files.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// Index of the root (in the order the paths were given).
    pub root: usize,
    pub tree: &'a Tree,
    /// Index into `tree.files`.
    pub index: usize,
}

impl<'a> Entry<'a> {
    /// Relative to the root directory, `/`-separated.
    pub fn rel(&self) -> &'a str {
        &self.tree.files[self.index]
    }

    pub fn abs(&self) -> PathBuf {
        self.tree.root.join(self.rel())
    }

    /// Relative to the current directory when under it, else absolute.
    pub fn display(&self) -> String {
        format!("{}{}", self.tree.display_prefix, self.rel())
    }

    pub fn tracked(&self) -> bool {
        self.tree.is_tracked(self.index)
    }
}

/// A problem met while discovering (dangling link, loop, unreadable folder).
#[derive(Debug, Clone)]
pub struct Warning {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub trees: Vec<Tree>,
    pub warnings: Vec<Warning>,
}

impl Discovered {
    /// (root, file index) of every file, in root then path order.
    pub fn entry_ids(&self) -> Vec<(u32, u32)> {
        self.trees
            .iter()
            .enumerate()
            .flat_map(|(r, t)| (0..t.files.len()).map(move |i| (r as u32, i as u32)))
            .collect()
    }

    pub fn entry(&self, id: (u32, u32)) -> Entry<'_> {
        let root = id.0 as usize;
        Entry {
            root,
            tree: &self.trees[root],
            index: id.1 as usize,
        }
    }

    pub fn file_count(&self) -> usize {
        self.trees.iter().map(|t| t.files.len()).sum()
    }
}

/// Error that stops the scan before it starts (a path that does not exist).
#[derive(Debug)]
pub struct FatalError(pub String);

pub fn discover(paths: &[PathBuf], opts: &DiscoverOptions) -> Result<Discovered, FatalError> {
    let cwd = std::env::current_dir()
        .map_err(|e| FatalError(format!("cannot read the current directory: {e}")))?;
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let mut out = Discovered::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            FatalError(format!(
                "cannot scan {}: {}",
                path.display(),
                describe_io(&e)
            ))
        })?;
        let canon = std::fs::canonicalize(path).map_err(|e| {
            FatalError(format!(
                "cannot resolve {}: {}",
                path.display(),
                describe_io(&e)
            ))
        })?;
        if meta.is_file() {
            let root = canon
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| canon.clone());
            let rel = canon
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.trees.push(Tree {
                display_prefix: display_prefix(&cwd, &root),
                root,
                files: vec![rel],
                in_git: false,
                untracked: Vec::new(),
            });
            continue;
        }
        let (tree, warnings) = walk_root(&canon, &cwd, opts)?;
        out.trees.push(tree);
        out.warnings.extend(warnings);
    }
    Ok(out)
}

fn walk_root(
    root: &Path,
    cwd: &Path,
    opts: &DiscoverOptions,
) -> Result<(Tree, Vec<Warning>), FatalError> {
    let tracked = if opts.no_ignore {
        None
    } else {
        git_tracked_files(root)
    };
    let in_git = tracked.is_some();
    let overrides = build_overrides(root, &opts.excludes)?;

    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_global(false)
        .follow_links(false)
        .overrides(overrides.clone())
        .threads(opts.threads.max(1))
        .filter_entry(|e| e.file_name() != ".git");
    if opts.no_ignore {
        builder
            .ignore(false)
            .git_ignore(false)
            .git_exclude(false)
            .parents(false);
    } else {
        builder.require_git(false);
    }

    let found: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let warnings: Mutex<Vec<Warning>> = Mutex::new(Vec::new());
    let mut visitors = VisitorBuilder {
        root,
        cwd,
        found: &found,
        warnings: &warnings,
    };
    builder.build_parallel().visit(&mut visitors);
    let mut files = found.into_inner().unwrap_or_default();
    let mut warnings = warnings.into_inner().unwrap_or_default();

    // Tracked files are scanned even when an ignore rule matches them.
    if let Some(tracked) = &tracked {
        let seen: HashSet<&str> = files.iter().map(String::as_str).collect();
        let mut extra = Vec::new();
        for rel in tracked {
            if seen.contains(rel.as_str()) || is_excluded(&overrides, root, rel) {
                continue;
            }
            let path = root.join(rel);
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_file() => extra.push(rel.clone()),
                Ok(m)
                    if m.file_type().is_symlink()
                        && symlink_target_is_file(&path, cwd, &Mutex::new(Vec::new())) =>
                {
                    extra.push(rel.clone())
                }
                _ => {} // deleted in the work tree, or a submodule
            }
        }
        files.extend(extra);
    }
    files.sort();
    files.dedup();
    warnings.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));

    // Outside a work tree every file counts as committed.
    let untracked = match &tracked {
        Some(t) => files.iter().map(|rel| !t.contains(rel)).collect(),
        None => Vec::new(),
    };
    let tree = Tree {
        display_prefix: display_prefix(cwd, root),
        root: root.to_path_buf(),
        files,
        in_git,
        untracked,
    };
    Ok((tree, warnings))
}

/// What goes before a relative path to display it: the root relative to the
/// current directory when under it, else the absolute root.
fn display_prefix(cwd: &Path, root: &Path) -> String {
    match root.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", rel_string(rel)),
        Err(_) => {
            let abs = root.display().to_string();
            if abs.ends_with('/') {
                abs
            } else {
                format!("{abs}/")
            }
        }
    }
}

/// Builds one visitor per walker thread; each buffers its paths and hands
/// them over when the thread is done, so the hot path takes no lock.
struct VisitorBuilder<'s> {
    root: &'s Path,
    cwd: &'s Path,
    found: &'s Mutex<Vec<String>>,
    warnings: &'s Mutex<Vec<Warning>>,
}

impl<'s> ParallelVisitorBuilder<'s> for VisitorBuilder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor {
            root: self.root,
            cwd: self.cwd,
            found: self.found,
            warnings: self.warnings,
            local: Vec::new(),
        })
    }
}

struct Visitor<'s> {
    root: &'s Path,
    cwd: &'s Path,
    found: &'s Mutex<Vec<String>>,
    warnings: &'s Mutex<Vec<Warning>>,
    local: Vec<String>,
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, result: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        match result {
            Ok(entry) => {
                let is_file = match entry.file_type() {
                    Some(t) if t.is_file() => true,
                    Some(t) if t.is_symlink() => {
                        symlink_target_is_file(entry.path(), self.cwd, self.warnings)
                    }
                    _ => false,
                };
                if let Some(rel) = entry
                    .path()
                    .strip_prefix(self.root)
                    .ok()
                    .filter(|_| is_file)
                {
                    self.local.push(rel_string(rel));
                }
            }
            Err(err) => push_warning(self.warnings, walk_error_path(&err), err.to_string()),
        }
        WalkState::Continue
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        if let Ok(mut found) = self.found.lock() {
            found.append(&mut self.local);
        }
    }
}

fn push_warning(warnings: &Mutex<Vec<Warning>>, path: String, message: String) {
    if let Ok(mut w) = warnings.lock() {
        w.push(Warning { path, message });
    }
}

fn walk_error_path(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { path, .. } => path.display().to_string(),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => child.display().to_string(),
        _ => String::new(),
    }
}

/// Follows a symlink found during the walk: a link to a file is scanned, a
/// dangling link or a loop is a warning, a link to a folder is not followed.
fn symlink_target_is_file(path: &Path, cwd: &Path, warnings: &Mutex<Vec<Warning>>) -> bool {
    match std::fs::metadata(path) {
        Ok(m) => m.is_file(),
        Err(e) => {
            let what = if e.raw_os_error() == Some(40) {
                "symlink loop".to_string()
            } else if e.kind() == std::io::ErrorKind::NotFound {
                "dangling symlink (its target does not exist)".to_string()
            } else {
                format!("cannot follow symlink: {}", describe_io(&e))
            };
            push_warning(warnings, display_path(cwd, path), what);
            false
        }
    }
}

pub(crate) fn build_overrides(root: &Path, excludes: &[String]) -> Result<Override, FatalError> {
    let mut builder = OverrideBuilder::new(root);
    for glob in excludes {
        builder
            .add(&format!("!{glob}"))
            .map_err(|e| FatalError(format!("invalid --exclude glob `{glob}`: {e}")))?;
    }
    builder
        .build()
        .map_err(|e| FatalError(format!("invalid exclude globs: {e}")))
}

pub(crate) fn is_excluded(overrides: &Override, root: &Path, rel: &str) -> bool {
    if overrides.is_empty() {
        return false;
    }
    // A file is excluded if it or any parent folder matches.
    let mut path = PathBuf::new();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let is_dir = i + 1 < parts.len();
        if overrides.matched(root.join(&path), is_dir).is_ignore() {
            return true;
        }
    }
    false
}

/// Files tracked in the git index under `root`, relative to `root`; `None`
/// when `root` is not inside a git work tree or git is unavailable.
fn git_tracked_files(root: &Path) -> Option<HashSet<String>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "core.quotepath=off", "ls-files", "-z", "--cached"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(
        output
            .stdout
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect(),
    )
}

fn rel_string(rel: &Path) -> String {
    let s = rel.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// Relative to the current directory when under it, else absolute.
pub fn display_path(cwd: &Path, abs: &Path) -> String {
    match abs.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel_string(rel),
        _ => abs.display().to_string(),
    }
}

pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
