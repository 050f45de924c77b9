//! Changed-files mode (`--diff-base REF`): the files changed since the merge
//! base of `REF` and `HEAD` — committed since, staged, unstaged or untracked
//! (and not ignored) — found with `git merge-base` and `git diff --name-only`.
//!
//! Only the report is narrowed: context (compose `env_file`s, Dockerfile
//! `COPY` sources, settings in other folders) is still read from the whole
//! tree. When there is no merge base (a shallow clone, an unknown ref, not a
//! git work tree) the caller is told why and scans everything.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

/// The files changed since the merge base, as canonical absolute paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedFiles {
    pub reference: String,
    pub merge_base: String,
    files: HashSet<PathBuf>,
    /// Everything under these folders counts as in the set (file-argument
    /// scopes that also name folders).
    folders: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub enum DiffBase {
    Changed(ChangedFiles),
    /// No merge base: why, for a message; the caller scans everything.
    Unavailable(String),
}

impl ChangedFiles {
    pub fn contains(&self, abs: &Path) -> bool {
        self.files.contains(abs) || self.folders.iter().any(|d| abs.starts_with(d))
    }

    /// For a finding's display path (relative to `cwd`, or absolute).
    pub fn contains_display(&self, cwd: &Path, display: &str) -> bool {
        self.contains(&cwd.join(display))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// For tests and callers that know the set already.
    pub fn from_paths(reference: &str, files: impl IntoIterator<Item = PathBuf>) -> Self {
        ChangedFiles {
            reference: reference.to_string(),
            merge_base: String::new(),
            files: files.into_iter().collect(),
            folders: Vec::new(),
        }
    }

    /// The paths given on the command line: these files, and every file
    /// under these folders.
    pub fn given(files: impl IntoIterator<Item = PathBuf>, folders: Vec<PathBuf>) -> Self {
        // A name that is not UTF-8 is also kept as shown (invalid bytes
        // escaped), the form findings carry (see [`Self::contains_display`]).
        let files = files
            .into_iter()
            .flat_map(|f| {
                let shown = f
                    .to_str()
                    .is_none()
                    .then(|| PathBuf::from(crate::discover::shown(f.as_os_str()).into_owned()));
                std::iter::once(f).chain(shown)
            })
            .collect();
        ChangedFiles {
            reference: String::new(),
            merge_base: String::new(),
            files,
            folders,
        }
    }
}

/// The changed files, worked out by git on a background thread while the
/// scan discovers files (both walk the tree, so they overlap well). The scan
/// asks [`PendingDiff::may_have_changed`] per file; the first call waits for git.
#[derive(Debug)]
pub struct PendingDiff {
    result: OnceLock<DiffBase>,
    job: Mutex<Option<JoinHandle<DiffBase>>>,
}

impl PendingDiff {
    /// Starts `changed_since(dir, reference)` on its own thread.
    pub fn start(dir: PathBuf, reference: String) -> PendingDiff {
        let job = std::thread::spawn(move || changed_since(&dir, &reference));
        PendingDiff {
            result: OnceLock::new(),
            job: Mutex::new(Some(job)),
        }
    }

    /// An already known result (tests, callers without a thread).
    pub fn ready(result: DiffBase) -> PendingDiff {
        PendingDiff {
            result: OnceLock::from(result),
            job: Mutex::new(None),
        }
    }

    /// Waits for git the first time.
    pub fn get(&self) -> &DiffBase {
        self.result.get_or_init(|| {
            let job = self
                .job
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take();
            match job.map(JoinHandle::join) {
                Some(Ok(result)) => result,
                _ => DiffBase::Unavailable("git could not be run".to_string()),
            }
        })
    }

    /// False only for files git says did not change; everything may have
    /// changed when git could not tell.
    pub fn may_have_changed(&self, abs: &Path) -> bool {
        match self.get() {
            DiffBase::Changed(changed) => changed.contains(abs),
            DiffBase::Unavailable(_) => true,
        }
    }
}

/// Runs git in `dir` (a folder inside the work tree) to find what changed
/// since the merge base with `reference`.
pub fn changed_since(dir: &Path, reference: &str) -> DiffBase {
    if reference.is_empty() || reference.starts_with('-') {
        return DiffBase::Unavailable(format!("`{reference}` is not a git revision"));
    }
    let Some(top) = git(dir, &["rev-parse", "--show-toplevel"]) else {
        return DiffBase::Unavailable(format!("{} is not in a git work tree", dir.display()));
    };
    let top = PathBuf::from(top.trim_end_matches(['\n', '\r']));
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    let Some(base) = git(&top, &["merge-base", reference, "HEAD"]) else {
        return DiffBase::Unavailable(no_merge_base_reason(&top, reference));
    };
    let base = base.trim().to_string();
    // Both walk the work tree; run them side by side.
    let untracked = spawn_git(&top, &["ls-files", "--others", "--exclude-standard", "-z"]);
    let diff = git(
        &top,
        &[
            "diff",
            "--name-only",
            "-z",
            "--no-ext-diff",
            "--no-textconv",
            &base,
            "--",
        ],
    );
    let untracked = untracked.and_then(finish_git).unwrap_or_default();
    let Some(diff) = diff else {
        return DiffBase::Unavailable(format!("`git diff {base}` failed"));
    };
    let files = diff
        .split('\0')
        .chain(untracked.split('\0'))
        .filter(|p| !p.is_empty())
        .map(|p| top.join(p))
        .collect();
    DiffBase::Changed(ChangedFiles {
        reference: reference.to_string(),
        merge_base: base,
        files,
        folders: Vec::new(),
    })
}

fn no_merge_base_reason(top: &Path, reference: &str) -> String {
    let shallow =
        git(top, &["rev-parse", "--is-shallow-repository"]).is_some_and(|s| s.trim() == "true");
    let known = git(
        top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .is_some();
    match (known, shallow) {
        (_, true) => format!(
            "no merge base with `{reference}`: this is a shallow clone (fetch more history, e.g. actions/checkout with `fetch-depth: 0`)"
        ),
        (false, false) => format!("`{reference}` is not a known revision here"),
        (true, false) => format!("`{reference}` and HEAD have no common history"),
    }
}

/// Stdout of a successful git command, `None` on any failure.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    spawn_git(dir, args).and_then(finish_git)
}

fn spawn_git(dir: &Path, args: &[&str]) -> Option<std::process::Child> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

fn finish_git(child: std::process::Child) -> Option<String> {
    let out = child.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.email=t@example.invalid", "-c", "user.name=t"])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn finds_committed_modified_and_untracked_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        run(&root, &["init", "-q", "-b", "main"]);
        write("a.txt", "a");
        write("b.txt", "b");
        write("c.txt", "c");
        run(&root, &["add", "-A"]);
        run(&root, &["commit", "-q", "-m", "one"]);
        run(&root, &["checkout", "-q", "-b", "topic"]);
        write("a.txt", "a2");
        run(&root, &["commit", "-q", "-am", "two"]);
        write("b.txt", "b2");
        write("sub/new.txt", "n");
        let DiffBase::Changed(changed) = changed_since(&root.join("sub"), "main") else {
            panic!("expected a merge base");
        };
        let mut names: Vec<String> = changed
            .files
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        names.sort();
        assert_eq!(names, ["a.txt", "b.txt", "sub/new.txt"]);
        assert!(changed.contains_display(&root, "a.txt"));
        assert!(!changed.contains_display(&root, "c.txt"));

        let DiffBase::Unavailable(why) = changed_since(&root, "no-such-branch") else {
            panic!("unknown ref");
        };
        assert!(why.contains("not a known revision"), "{why}");
        assert!(matches!(
            changed_since(&root, "--output=x"),
            DiffBase::Unavailable(_)
        ));
        let outside = tempfile::tempdir().unwrap();
        assert!(matches!(
            changed_since(outside.path(), "main"),
            DiffBase::Unavailable(_)
        ));

        let pending = PendingDiff::start(root.clone(), "main".to_string());
        assert!(pending.may_have_changed(&root.join("a.txt")));
        assert!(!pending.may_have_changed(&root.join("c.txt")));
        let unknown = PendingDiff::start(root.clone(), "nope".to_string());
        assert!(
            unknown.may_have_changed(&root.join("c.txt")),
            "no diff: scan everything"
        );
        let ready = PendingDiff::ready(DiffBase::Unavailable("x".to_string()));
        assert!(ready.may_have_changed(&root.join("c.txt")));
    }
}
