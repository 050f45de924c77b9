//! Finds the files to scan under each path given.
//!
//! Hidden files and folders are included (`.github`, `.claude`, `.env`), `.git/`
//! is skipped. In a git work tree every file tracked in the index is scanned,
//! and `.gitignore`/`.ignore` rules apply only to untracked files; the user's
//! global excludes file never applies (Claude Code puts `settings.local.json`
//! there, and a tracked one must still be found). Outside a work tree the
//! `.gitignore` files in the tree apply. `--no-ignore` scans everything, but
//! the index is still read: "committed" always means tracked in the index.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use ignore::overrides::{Override, OverrideBuilder};
use ignore::{ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use crate::tree::Tree;

#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    pub no_ignore: bool,
    pub excludes: Vec<String>,
    /// Walker threads (one: the sequential walk).
    pub threads: usize,
    /// Files given as arguments whose work tree is walked instead: each is
    /// kept in its tree even when an ignore rule or `--exclude` would drop it.
    pub force_include: Vec<PathBuf>,
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

    /// The real path, to open the file (a name that is not UTF-8 keeps its
    /// bytes here; [`Entry::rel`] is only for display and matching).
    pub fn abs(&self) -> PathBuf {
        self.tree.path_of(self.rel())
    }

    /// Relative to the current directory when under it, else absolute.
    pub fn display(&self) -> String {
        self.tree.display(self.rel())
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

#[derive(Debug, Default, Clone)]
pub struct Discovered {
    pub trees: Vec<Tree>,
    pub warnings: Vec<Warning>,
    /// The files that were not handed over while walking (see
    /// [`discover`]), as entry ids in root then path order.
    pub pending: Vec<(u32, u32)>,
}

/// A walked file, handed over as soon as the walk finds it.
pub struct Found {
    /// Index of its tree in [`Discovered::trees`].
    pub root: usize,
    /// The tree as known before the walk (root, display, git state), with no
    /// files yet: enough to open, show and judge a file that needs no other.
    pub tree: Arc<Tree>,
    /// Relative to the root, `/`-separated (always valid UTF-8 here).
    pub rel: String,
    /// Tracked in the index (outside a work tree: always).
    pub tracked: bool,
}

/// Where walked files go while the walk goes on (called from walker threads).
#[derive(Clone, Copy)]
pub struct Handover<'h> {
    /// Whether the file at this path is handed over; the others wait for the
    /// whole tree ([`Discovered::pending`]).
    pub wants: &'h (dyn Fn(&Path) -> bool + Sync),
    /// Receives the files handed over, a batch at a time.
    pub send: &'h (dyn Fn(Vec<Found>) + Sync),
}

/// Files handed over per batch: few enough that the scan starts at once,
/// enough that passing them costs nothing beside reading them.
const BATCH: usize = 128;

impl Discovered {
    pub fn entry(&self, id: (u32, u32)) -> Entry<'_> {
        let root = id.0 as usize;
        Entry {
            root,
            tree: &self.trees[root],
            index: id.1 as usize,
        }
    }
}

/// Error that stops the scan before it starts (a path that does not exist).
#[derive(Debug)]
pub struct FatalError(pub String);

/// Finds the files under `paths`. With `handover`, each walked file that it
/// [wants](Handover::wants) and whose name is UTF-8 is handed over as soon as
/// it is found, so that the scan can start before the walk ends; the others
/// (the files it does not want, tracked files an ignore rule hid, file
/// arguments, other names) are listed in [`Discovered::pending`].
/// Without it every file is pending.
pub fn discover(
    paths: &[PathBuf],
    opts: &DiscoverOptions,
    handover: Option<Handover<'_>>,
) -> Result<Discovered, FatalError> {
    let cwd = std::env::current_dir()
        .map_err(|e| FatalError(format!("cannot read the current directory: {e}")))?;
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let mut out = Discovered::default();
    // Trees made of file arguments only (never walked).
    let mut file_trees: Vec<usize> = Vec::new();
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
            // Outside a work tree (file arguments in one are turned into a
            // walk of the work tree by the caller, see [`file_scope`]): a
            // file under the current directory keeps its path relative to
            // it, so classification and settings scope match a scan of `.`.
            let canon = file_path(path).unwrap_or(canon);
            let root = if canon.starts_with(&cwd) {
                cwd.clone()
            } else {
                canon
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| canon.clone())
            };
            let rel_path = canon.strip_prefix(&root).unwrap_or(Path::new(""));
            let rel = rel_string(rel_path);
            let raw = is_lossy(rel_path).then(|| (rel.clone(), rel_path.to_path_buf()));
            // File arguments sharing a root share a tree (cross-file checks
            // look within one tree).
            if let Some(&i) = file_trees.iter().find(|&&i| out.trees[i].root == root) {
                let tree = &mut out.trees[i];
                if !tree.files.contains(&rel) {
                    tree.files.push(rel);
                    tree.files.sort();
                }
                tree.raw_paths.extend(raw);
                continue;
            }
            let (display_prefix, display_strip) = display_parts(&cwd, &root);
            out.trees.push(Tree {
                display_prefix,
                display_strip,
                root,
                files: vec![rel],
                in_git: false,
                untracked: Vec::new(),
                raw_paths: raw.into_iter().collect(),
            });
            file_trees.push(out.trees.len() - 1);
            continue;
        }
        let index = out.trees.len();
        let (tree, warnings, unsent) = walk_root((index, &canon), &cwd, opts, handover)?;
        out.pending.extend(ids_of(index, &tree, unsent));
        out.trees.push(tree);
        out.warnings.extend(warnings);
    }
    // File arguments are never walked: all of them are pending.
    for &i in &file_trees {
        let all = out.trees[i].files.clone();
        out.pending.extend(ids_of(i, &out.trees[i], all));
    }
    out.pending.sort_unstable();
    out.pending.dedup();
    Ok(out)
}

/// Entry ids of `rels` in `tree` (whose files are sorted).
fn ids_of(root: usize, tree: &Tree, rels: Vec<String>) -> impl Iterator<Item = (u32, u32)> + '_ {
    rels.into_iter().filter_map(move |rel| {
        let index = tree.files.binary_search(&rel).ok()?;
        Some((root as u32, index as u32))
    })
}

fn walk_root(
    (index, root): (usize, &Path),
    cwd: &Path,
    opts: &DiscoverOptions,
    handover: Option<Handover<'_>>,
) -> Result<(Tree, Vec<Warning>, Vec<String>), FatalError> {
    // The index is read even with `--no-ignore`: that flag only stops ignore
    // files from hiding files, "committed" still means tracked. git lists it
    // while the walk starts; the first batch handed over waits for the list.
    let listing: OnceLock<Option<Listed>> = OnceLock::new();
    let (display_prefix, display_strip) = display_parts(cwd, root);
    let known: OnceLock<Arc<Tree>> = OnceLock::new();
    let ahead = Ahead {
        listing: &listing,
        known: &known,
        root,
        display: (&display_prefix, &display_strip),
    };
    let overrides = build_overrides(root, &opts.excludes)?;
    let shared = Shared::default();
    let visitor = || Visitor {
        index,
        root,
        cwd,
        ahead: &ahead,
        handover,
        shared: &shared,
        local: Collected::default(),
        batch: Vec::new(),
    };
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_global(false)
        .follow_links(false)
        .overrides(overrides.clone())
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
    std::thread::scope(|scope| {
        scope.spawn(|| {
            // Set whatever happens: the walk's first batch waits for it.
            let listed = std::panic::catch_unwind(|| git_tracked_files(root));
            let _ = listing.set(listed.ok().flatten());
        });
        if opts.threads <= 1 {
            // One walker thread: the sequential walk costs less than half
            // the CPU of the parallel one, and the scan runs beside it.
            let mut one = visitor();
            for result in builder.build() {
                one.visit(result);
            }
        } else {
            builder.threads(opts.threads);
            builder
                .build_parallel()
                .visit(&mut VisitorBuilder { make: &visitor });
        }
    });
    let (tracked, mut raw_paths) = match listing.into_inner().flatten() {
        Some((tracked, raw)) => (Some(tracked), raw),
        None => (None, HashMap::new()),
    };
    let in_git = tracked.is_some();
    let Collected {
        mut files,
        raw: raw_found,
        mut unsent,
    } = shared.found.into_inner().unwrap_or_default();
    raw_paths.extend(raw_found);
    let mut warnings = shared.warnings.into_inner().unwrap_or_default();

    // Tracked files are scanned even when an ignore rule matches them.
    if let Some(tracked) = &tracked {
        let seen: HashSet<&str> = files.iter().map(String::as_str).collect();
        let mut extra = Vec::new();
        for rel in tracked {
            if seen.contains(rel.as_str()) || is_excluded(&overrides, root, rel) {
                continue;
            }
            let path = match raw_paths.get(rel) {
                Some(raw) => root.join(raw),
                None => root.join(rel),
            };
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
        unsent.extend(extra.iter().cloned());
        files.extend(extra);
    }
    // File arguments are scanned even when ignored or excluded.
    let walked: HashSet<&str> = if opts.force_include.is_empty() {
        HashSet::new()
    } else {
        files.iter().map(String::as_str).collect()
    };
    let mut forced = Vec::new();
    for file in &opts.force_include {
        if let Ok(rel) = file.strip_prefix(root)
            && std::fs::metadata(file).is_ok_and(|m| m.is_file())
        {
            let shown = rel_string(rel);
            if is_lossy(rel) {
                raw_paths.insert(shown.clone(), rel.to_path_buf());
            }
            if !walked.contains(shown.as_str()) {
                forced.push(shown);
            }
        }
    }
    drop(walked);
    unsent.extend(forced.iter().cloned());
    files.extend(forced);
    // Sorted on the walker's thread while the scan of handed-over files goes on.
    files.sort_unstable();
    files.dedup();
    raw_paths.retain(|shown, _| files.binary_search(shown).is_ok());
    warnings.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));

    // Outside a work tree every file counts as committed.
    let untracked = match &tracked {
        Some(t) => files.iter().map(|rel| !t.contains(rel)).collect(),
        None => Vec::new(),
    };
    let tree = Tree {
        display_prefix,
        display_strip,
        root: root.to_path_buf(),
        files,
        in_git,
        untracked,
        raw_paths,
    };
    Ok((tree, warnings, unsent))
}

/// [`Tree::display_prefix`] and [`Tree::display_strip`] of a root.
fn display_parts(cwd: &Path, root: &Path) -> (String, String) {
    let strip = match cwd.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => format!("{}/", rel_string(rel)),
        _ => String::new(),
    };
    (display_prefix_of(cwd, root), strip)
}

/// What goes before a relative path to display it: the root relative to the
/// current directory when under it, else the absolute root.
fn display_prefix_of(cwd: &Path, root: &Path) -> String {
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

/// What the walker threads found, gathered when each is done.
#[derive(Default)]
struct Shared {
    found: Mutex<Collected>,
    warnings: Mutex<Vec<Warning>>,
}

/// The files one walker thread found.
#[derive(Default)]
struct Collected {
    /// Every file, relative and as shown.
    files: Vec<String>,
    /// Names that are not UTF-8 (rare): shown path and real path.
    raw: Vec<(String, PathBuf)>,
    /// Files that were not handed over (see [`Discovered::pending`]).
    unsent: Vec<String>,
}

/// Builds one visitor per walker thread of a parallel walk.
struct VisitorBuilder<'s, 'v> {
    make: &'s (dyn Fn() -> Visitor<'v> + Sync),
}

impl<'s, 'v: 's> ParallelVisitorBuilder<'s> for VisitorBuilder<'s, 'v> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new((self.make)())
    }
}

/// Collects the files of one walker thread without taking a lock per file,
/// and hands each over as it is found when asked to.
struct Visitor<'v> {
    /// Index of the tree in [`Discovered::trees`].
    index: usize,
    root: &'v Path,
    cwd: &'v Path,
    ahead: &'v Ahead<'v>,
    handover: Option<Handover<'v>>,
    shared: &'v Shared,
    local: Collected,
    /// Files found but not yet handed over (relative paths).
    batch: Vec<String>,
}

/// The git index as `git ls-files` lists it: tracked paths as shown, and the
/// real paths of names that are not UTF-8.
type Listed = (HashSet<String>, HashMap<String, PathBuf>);

/// What handed-over files need to know about their tree, made ready while
/// the walk has begun.
struct Ahead<'a> {
    listing: &'a OnceLock<Option<Listed>>,
    /// The tree as known before the walk, for [`Found::tree`].
    known: &'a OnceLock<Arc<Tree>>,
    root: &'a Path,
    /// [`Tree::display_prefix`] and [`Tree::display_strip`].
    display: (&'a str, &'a str),
}

impl Ahead<'_> {
    /// Waits for the index, then makes each path a [`Found`].
    fn found(&self, root: usize, rels: Vec<String>) -> Vec<Found> {
        let listed = self.listing.wait();
        let tree = self.known.get_or_init(|| {
            Arc::new(Tree {
                display_prefix: self.display.0.to_string(),
                display_strip: self.display.1.to_string(),
                root: self.root.to_path_buf(),
                in_git: listed.is_some(),
                ..Tree::default()
            })
        });
        rels.into_iter()
            .map(|rel| Found {
                root,
                tree: Arc::clone(tree),
                tracked: listed.as_ref().is_none_or(|(t, _)| t.contains(&rel)),
                rel,
            })
            .collect()
    }
}

impl Visitor<'_> {
    fn visit(&mut self, result: Result<ignore::DirEntry, ignore::Error>) {
        let entry = match result {
            Ok(entry) => entry,
            Err(err) => {
                let path = walk_error_path(&err);
                return push_warning(&self.shared.warnings, path, err.to_string());
            }
        };
        let is_file = match entry.file_type() {
            Some(t) if t.is_file() => true,
            Some(t) if t.is_symlink() => {
                symlink_target_is_file(entry.path(), self.cwd, &self.shared.warnings)
            }
            _ => false,
        };
        let Some(rel) = is_file
            .then(|| relative_to(self.root, entry.path()))
            .flatten()
        else {
            return;
        };
        let shown = rel_string(rel);
        match self.handover {
            _ if is_lossy(rel) => {
                self.local.raw.push((shown.clone(), rel.to_path_buf()));
                self.local.unsent.push(shown.clone());
            }
            Some(handover) if (handover.wants)(entry.path()) => {
                self.batch.push(shown.clone());
                if self.batch.len() >= BATCH {
                    let batch = std::mem::take(&mut self.batch);
                    (handover.send)(self.ahead.found(self.index, batch));
                }
            }
            _ => self.local.unsent.push(shown.clone()),
        }
        self.local.files.push(shown);
    }
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, result: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        Visitor::visit(self, result);
        WalkState::Continue
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        if let Some(handover) = self.handover
            && !self.batch.is_empty()
        {
            let batch = std::mem::take(&mut self.batch);
            (handover.send)(self.ahead.found(self.index, batch));
        }
        if let Ok(mut found) = self.shared.found.lock() {
            let local = std::mem::take(&mut self.local);
            found.files.extend(local.files);
            found.raw.extend(local.raw);
            found.unsent.extend(local.unsent);
        }
    }
}

/// `path` below `root`, as [`Path::strip_prefix`] gives it. Called for every
/// file: on Unix it compares bytes instead of walking components, which
/// cost about a quarter of the walk's own time.
fn relative_to<'p>(root: &Path, path: &'p Path) -> Option<&'p Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let root = root.as_os_str().as_bytes();
        let rest = path.as_os_str().as_bytes().strip_prefix(root)?;
        let rest = match rest.split_first() {
            None => rest,
            Some((b'/', below)) => below,
            Some(_) if root.ends_with(b"/") => rest,
            Some(_) => return None, // `/a/bc` is not below `/a/b`
        };
        Some(Path::new(OsStr::from_bytes(rest)))
    }
    #[cfg(not(unix))]
    {
        path.strip_prefix(root).ok()
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

/// Files tracked in the git index under `root`, relative to `root`, as
/// shown (see [`rel_string`]), with the real paths of names that are not
/// UTF-8; `None` when `root` is not inside a git work tree or git is
/// unavailable.
#[allow(clippy::type_complexity)]
fn git_tracked_files(root: &Path) -> Option<(HashSet<String>, HashMap<String, PathBuf>)> {
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
    let mut tracked = HashSet::new();
    let mut raw = HashMap::new();
    for name in output.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        match std::str::from_utf8(name) {
            Ok(name) => {
                tracked.insert(name.to_string());
            }
            Err(_) => {
                let shown = escape_bytes(name);
                if let Some(path) = path_from_bytes(name) {
                    raw.insert(shown.clone(), path);
                }
                tracked.insert(shown);
            }
        }
    }
    Some((tracked, raw))
}

/// Git's path bytes as a path (`/`-separated; on Unix any bytes).
#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Some(PathBuf::from(OsStr::from_bytes(bytes)))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
    std::str::from_utf8(bytes).ok().map(PathBuf::from)
}

/// Bytes that are not UTF-8 shown with each invalid byte as `\xNN`, so two
/// names that differ only there stay apart (a lossy conversion would give
/// both the same replacement character).
fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// The name is not valid Unicode: its display string is not its path.
fn is_lossy(path: &Path) -> bool {
    path.to_str().is_none()
}

/// A file argument as an absolute path: its folder resolved, its own name
/// kept (a symlinked file keeps the name it was given).
pub fn file_path(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

/// The top level of the git work tree holding `dir`, canonical; `None`
/// outside a work tree or without git.
pub fn git_toplevel(dir: &Path) -> Option<PathBuf> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let top = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim_end_matches(['\n', '\r']));
    Some(std::fs::canonicalize(&top).unwrap_or(top))
}

/// What a scan with file arguments covers (see [`file_scope`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileScope {
    /// What to walk: the work tree's top level for a path inside a git work
    /// tree, else the path as given.
    pub roots: Vec<PathBuf>,
    /// The files given, absolute (see [`file_path`]).
    pub files: Vec<PathBuf>,
    /// The folders given, canonical.
    pub folders: Vec<PathBuf>,
}

/// File arguments keep their project context: when a path given is a file
/// inside a git work tree, the whole work tree is scanned (so a settings
/// file keeps its scope, a compose file finds its `env_file`) and the
/// report is narrowed to the paths given. `None` when no path is such a
/// file (folders alone are walked as before).
pub fn file_scope(paths: &[PathBuf]) -> Option<FileScope> {
    let mut scope = FileScope::default();
    let mut tops: std::collections::HashMap<PathBuf, Option<PathBuf>> = Default::default();
    let mut any_file_in_git = false;
    for path in paths {
        let meta = std::fs::metadata(path).ok()?;
        let (abs, dir) = if meta.is_file() {
            let abs = file_path(path)?;
            let dir = abs.parent()?.to_path_buf();
            (abs, dir)
        } else {
            let abs = std::fs::canonicalize(path).ok()?;
            (abs.clone(), abs)
        };
        let top = tops
            .entry(dir.clone())
            .or_insert_with(|| git_toplevel(&dir))
            .clone();
        match top {
            Some(top) => {
                any_file_in_git |= meta.is_file();
                if !scope.roots.contains(&top) {
                    scope.roots.push(top);
                }
            }
            None => scope.roots.push(path.clone()),
        }
        if meta.is_file() {
            scope.files.push(abs);
        } else {
            scope.folders.push(abs);
        }
    }
    any_file_in_git.then_some(scope)
}

/// A relative path as shown and matched: `/`-separated; a name that is not
/// UTF-8 gets its invalid bytes escaped (the real path is kept aside to
/// open it, see [`Tree::raw_paths`]).
fn rel_string(rel: &Path) -> String {
    let s = shown(rel.as_os_str());
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// A path or name as shown: itself when valid Unicode, else (on Unix) with
/// each invalid byte escaped as `\xNN`.
#[cfg(unix)]
pub fn shown(s: &OsStr) -> std::borrow::Cow<'_, str> {
    use std::os::unix::ffi::OsStrExt;
    match s.to_str() {
        Some(s) => s.into(),
        None => escape_bytes(s.as_bytes()).into(),
    }
}

#[cfg(not(unix))]
pub fn shown(s: &OsStr) -> std::borrow::Cow<'_, str> {
    s.to_string_lossy()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_to_agrees_with_strip_prefix() {
        for (root, path) in [
            ("/r", "/r/a/b"),
            ("/r", "/r"),
            ("/", "/x/y"),
            ("/r", "/rx/a"),
            ("/r/", "/r/a"),
            ("/a/b", "/a"),
        ] {
            let (root, path) = (Path::new(root), Path::new(path));
            assert_eq!(
                relative_to(root, path),
                path.strip_prefix(root).ok(),
                "{root:?} {path:?}"
            );
        }
    }
}
