//! `claudit scan --history`: every blob reachable from the repository's refs,
//! each unique blob scanned once, in parallel, with the same rules as the
//! working tree.
//!
//! Reading blobs is much cheaper than diffing every commit (`git log -p`, the
//! way gitleaks reads history): there is no diff, and each version of a file
//! is read once however many commits carry it. The price is that a secret
//! shows up in every blob that holds it, so findings are folded by their
//! fingerprint (rule, path, secret hash) and attributed to the earliest
//! commit that introduced one of those blobs at that path.
//!
//! Git access uses `gix` (pure Rust) behind the `history` cargo feature,
//! because it adds about 100 crates to the build; without the feature,
//! [`scan`] returns an error saying how to get it.

#[cfg(feature = "history")]
mod git;

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::scan::ScanOutcome;
use crate::triage::custom::CustomRules;

/// What to read from a repository.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// A folder inside the repository (its work tree or `.git`).
    pub repo: PathBuf,
    /// Only commits not reachable from this revision (`--since REF`).
    pub since: Option<String>,
    /// Start from these revisions instead of all refs (`--branch`).
    pub branches: Vec<String>,
    pub threads: usize,
    /// Larger blobs are skipped and counted as skipped.
    pub max_blob_size: u64,
    /// `exclude` globs (`.claudit.toml` and `--exclude`), matched against
    /// paths relative to the repository root as in a working-tree scan.
    pub excludes: Vec<String>,
    /// Custom token rules and allowlisted values from `.claudit.toml`.
    pub custom: Option<Arc<CustomRules>>,
    /// Resolves the rule names that ignore comments in old versions use.
    pub config: Arc<Config>,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            repo: PathBuf::from("."),
            since: None,
            branches: Vec::new(),
            threads: crate::scan::default_threads(),
            max_blob_size: 256 * 1024 * 1024,
            excludes: Vec::new(),
            custom: None,
            config: Arc::default(),
        }
    }
}

/// Whether this build can read history.
pub const AVAILABLE: bool = cfg!(feature = "history");

/// Scans the history of the repository at `opts.repo`. Each finding carries
/// an [`crate::finding::Origin`]. `Err` for fatal problems (not a repository,
/// a revision that does not resolve, a build without the `history` feature).
pub fn scan(opts: &HistoryOptions) -> Result<ScanOutcome, String> {
    #[cfg(feature = "history")]
    {
        git::scan(opts)
    }
    #[cfg(not(feature = "history"))]
    {
        let _ = opts;
        Err(
            "this claudit was built without git history support; rebuild with \
             `cargo install claudit --features history` to use --history"
                .to_string(),
        )
    }
}

/// The sentence appended to a history finding's message.
pub fn origin_note(origin: &crate::finding::Origin) -> String {
    let short = origin.commit.get(..12).unwrap_or(&origin.commit);
    let where_now = if origin.at_head {
        "still present at HEAD"
    } else {
        "not at HEAD, but still in history: rotate it even though the file changed"
    };
    format!(
        " [introduced in commit {short} ({}); {where_now}]",
        origin.author_date
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Origin;

    #[test]
    fn note_says_whether_the_leak_is_gone_from_head() {
        let mut origin = Origin {
            commit: "0123456789abcdef0123".to_string(),
            author_date: "2024-01-02T03:04:05+00:00".to_string(),
            at_head: false,
        };
        let gone = origin_note(&origin);
        assert!(gone.contains("0123456789ab ("), "{gone}");
        assert!(gone.contains("not at HEAD"), "{gone}");
        origin.at_head = true;
        assert!(origin_note(&origin).contains("still present at HEAD"));
    }

    #[cfg(not(feature = "history"))]
    #[test]
    fn without_the_feature_history_is_a_clear_error() {
        let err = scan(&HistoryOptions::default()).unwrap_err();
        assert!(err.contains("--features history"), "{err}");
    }
}
