//! The `gix` side of `scan --history`: commits, trees, blobs.
//!
//! Three passes. (1) List the commits to read, oldest first. (2) Walk each
//! commit's tree, skipping any subtree already seen at the same path, and
//! record for every (blob, path) the first commit that has it: that is the
//! introducing commit. (3) Read each unique blob once, in parallel, and scan
//! it; then fold the findings by fingerprint, keeping the oldest commit.

use std::collections::{HashMap, HashSet};

use gix::ObjectId;
use rayon::prelude::*;

use super::HistoryOptions;
use crate::classify::{FileKind, classify};
use crate::finding::{Finding, Origin};
use crate::scan::{Notice, NoticeKind, ScanOutcome, Stats};

/// A commit to read, in oldest-first order (its index is its age rank).
struct CommitInfo {
    id: ObjectId,
    author_date: String,
}

/// Every path a blob appears at, with the index of its introducing commit.
type Introductions = HashMap<ObjectId, Vec<(String, usize)>>;

pub fn scan(opts: &HistoryOptions) -> Result<ScanOutcome, String> {
    let mut repo = gix::discover(&opts.repo)
        .map_err(|e| format!("{}: not a git repository: {e}", opts.repo.display()))?;
    ensure_delta_cache(&mut repo);
    let tips = tips(&repo, &opts.branches)?;
    let hidden = match &opts.since {
        Some(rev) => vec![resolve_commit(&repo, rev)?],
        None => Vec::new(),
    };
    let commits = commits_oldest_first(&repo, tips, hidden.clone())?;
    let introductions = introductions(&repo, &commits, &hidden)?;
    let head = head_blobs(&repo);
    let scanned = scan_blobs(&repo.into_sync(), &introductions, opts)?;
    Ok(fold(scanned, &commits, &head))
}

/// Older versions of a file are stored as deltas on newer ones, so reading
/// every version rebuilds the same bases again and again unless they are
/// cached. gix's default holds 64 objects; git's own default is 96 MiB.
/// 64 MiB per worker halved the read time on a 5,000-commit repository.
/// A limit the user set (`core.deltaBaseCacheLimit`, `GIX_PACK_CACHE_MEMORY`)
/// wins.
fn ensure_delta_cache(repo: &mut gix::Repository) {
    let user_set = std::env::var_os("GIX_PACK_CACHE_MEMORY").is_some()
        || repo
            .config_snapshot()
            .integer("core.deltaBaseCacheLimit")
            .is_some();
    if user_set {
        return;
    }
    let mut config = repo.config_snapshot_mut();
    // Without the cache the scan is slower, not wrong.
    let _ = config.set_value(&gix::config::tree::Core::DELTA_BASE_CACHE_LIMIT, "67108864");
    let _ = config.commit();
}

/// The revisions to start from: the given ones, or every ref plus HEAD.
fn tips(repo: &gix::Repository, branches: &[String]) -> Result<Vec<ObjectId>, String> {
    if !branches.is_empty() {
        return branches.iter().map(|b| resolve_commit(repo, b)).collect();
    }
    let mut tips = Vec::new();
    let platform = repo
        .references()
        .map_err(|e| format!("cannot list refs: {e}"))?;
    let refs = platform
        .all()
        .map_err(|e| format!("cannot list refs: {e}"))?;
    for reference in refs.flatten() {
        let mut reference = reference;
        // Refs to trees or blobs (rare tags) have no history to walk.
        if let Ok(commit) = reference.peel_to_commit() {
            tips.push(commit.id);
        }
    }
    if let Ok(head) = repo.head_commit() {
        tips.push(head.id);
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

fn resolve_commit(repo: &gix::Repository, rev: &str) -> Result<ObjectId, String> {
    let id = repo
        .rev_parse_single(rev)
        .map_err(|e| format!("cannot resolve `{rev}`: {e}"))?;
    let commit = id
        .object()
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| format!("`{rev}` is not a commit: {e}"))?;
    Ok(commit.id)
}

/// Commits reachable from `tips` and not from `hidden`, oldest first. The
/// walk yields children before parents; reversing it and then sorting by
/// commit time (stably) keeps parents first even when times tie.
fn commits_oldest_first(
    repo: &gix::Repository,
    tips: Vec<ObjectId>,
    hidden: Vec<ObjectId>,
) -> Result<Vec<CommitInfo>, String> {
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let walk = repo
        .rev_walk(tips)
        .with_hidden(hidden)
        .all()
        .map_err(|e| format!("cannot walk commits: {e}"))?;
    let mut infos = Vec::new();
    for info in walk {
        let info = info.map_err(|e| format!("cannot walk commits: {e}"))?;
        let commit = info
            .object()
            .map_err(|e| format!("cannot read commit {}: {e}", info.id))?;
        let time = commit.committer().and_then(|s| s.time()).ok();
        let author = commit.author().and_then(|s| s.time()).ok();
        let author_date = author
            .map(|t| t.format_or_unix(gix::date::time::format::ISO8601_STRICT))
            .unwrap_or_default();
        infos.push((time.map_or(0, |t| t.seconds), info.id, author_date));
    }
    infos.reverse();
    infos.sort_by_key(|(time, _, _)| *time);
    Ok(infos
        .into_iter()
        .map(|(_, id, author_date)| CommitInfo { id, author_date })
        .collect())
}

/// Walks the trees of `commits` in order and records where each blob first
/// appears. A subtree already walked at the same path holds nothing new.
/// What the `hidden` commits (`--since`) already have counts as seen.
fn introductions(
    repo: &gix::Repository,
    commits: &[CommitInfo],
    hidden: &[ObjectId],
) -> Result<Introductions, String> {
    let mut seen_trees: HashSet<(ObjectId, String)> = HashSet::new();
    let mut seen_blobs: HashSet<(ObjectId, String)> = HashSet::new();
    for id in hidden {
        let tree = repo
            .find_commit(*id)
            .and_then(|c| Ok(c.tree_id()?.detach()))
            .map_err(|e| format!("cannot read commit {id}: {e}"))?;
        for_each_blob(repo, tree, &mut seen_trees, |blob, path| {
            seen_blobs.insert((blob, path));
        })?;
    }
    let mut out: Introductions = HashMap::new();
    for (index, commit) in commits.iter().enumerate() {
        let tree = repo
            .find_commit(commit.id)
            .and_then(|c| Ok(c.tree_id()?.detach()))
            .map_err(|e| format!("cannot read commit {}: {e}", commit.id))?;
        for_each_blob(repo, tree, &mut seen_trees, |blob, path| {
            if seen_blobs.insert((blob, path.clone())) {
                out.entry(blob).or_default().push((path, index));
            }
        })?;
    }
    Ok(out)
}

/// Calls `visit(blob, path)` for each blob under `root` whose subtree was
/// not seen before at the same path (`seen` is shared across commits; pass
/// a fresh set to list every blob). Submodules and symlinks are skipped.
fn for_each_blob(
    repo: &gix::Repository,
    root: ObjectId,
    seen: &mut HashSet<(ObjectId, String)>,
    mut visit: impl FnMut(ObjectId, String),
) -> Result<(), String> {
    let mut stack = vec![(root, String::new())];
    while let Some((tree_id, prefix)) = stack.pop() {
        if !seen.insert((tree_id, prefix.clone())) {
            continue;
        }
        let tree = repo
            .find_tree(tree_id)
            .map_err(|e| format!("cannot read tree {tree_id}: {e}"))?;
        let decoded = tree
            .decode()
            .map_err(|e| format!("cannot decode tree {tree_id}: {e}"))?;
        for entry in &decoded.entries {
            let name = String::from_utf8_lossy(entry.filename);
            let path = if prefix.is_empty() {
                name.into_owned()
            } else {
                format!("{prefix}/{name}")
            };
            if entry.mode.is_tree() {
                stack.push((entry.oid.to_owned(), path));
            } else if entry.mode.is_blob() {
                visit(entry.oid.to_owned(), path);
            }
        }
    }
    Ok(())
}

/// Every (blob, path) in the tree of HEAD; empty for an unborn HEAD.
fn head_blobs(repo: &gix::Repository) -> HashSet<(ObjectId, String)> {
    let mut out = HashSet::new();
    let Ok(tree) = repo.head_tree_id() else {
        return out;
    };
    let mut seen = HashSet::new();
    // A damaged HEAD tree only means fewer findings are marked "at HEAD".
    let _ = for_each_blob(repo, tree.detach(), &mut seen, |blob, path| {
        out.insert((blob, path));
    });
    out
}

/// The findings of one blob at one of its paths.
struct Scanned {
    blob: ObjectId,
    path: String,
    commit: usize,
    findings: Vec<Finding>,
}

#[derive(Default)]
struct BlobBatch {
    scanned: Vec<Scanned>,
    notices: Vec<Notice>,
    stats: Stats,
}

/// Reads and scans each blob once, in parallel.
fn scan_blobs(
    repo: &gix::ThreadSafeRepository,
    introductions: &Introductions,
    opts: &HistoryOptions,
) -> Result<BlobBatch, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    let mut blobs: Vec<(&ObjectId, &Vec<(String, usize)>)> = introductions.iter().collect();
    sort_in_pack_order(&repo.to_thread_local(), &mut blobs, introductions);
    // Contiguous runs, one repository handle (and delta cache) each; a few
    // runs per thread keep the threads busy when runs differ in cost.
    let runs = (opts.threads.max(1) * 4).min(blobs.len().max(1));
    let run_len = blobs.len().div_ceil(runs).max(1);
    let batch = pool.install(|| {
        blobs
            .par_chunks(run_len)
            .map(|run| {
                let repo = repo.to_thread_local();
                run.iter()
                    .map(|(blob, paths)| scan_blob(&repo, **blob, paths, opts.max_blob_size))
                    .fold(BlobBatch::default(), merge)
            })
            .reduce(BlobBatch::default, merge)
    });
    Ok(batch)
}

/// Sorts blobs by their position in the packs. Versions of a file are
/// stored as chains of deltas; reading them in pack order lets each worker's
/// delta-base cache serve the next blob (rayon splits the slice into
/// contiguous runs), where hash order rebuilds every chain from scratch
/// (measured: several times slower on a repository with thousands of commits).
fn sort_in_pack_order(
    repo: &gix::Repository,
    blobs: &mut [(&ObjectId, &Vec<(String, usize)>)],
    introductions: &Introductions,
) {
    use gix::odb::store::iter::Ordering;
    let Ok(all) = repo.objects.iter() else {
        return; // unordered still works, only slower
    };
    let mut rank: HashMap<ObjectId, usize> = HashMap::with_capacity(blobs.len());
    let ordered = all.with_ordering(Ordering::PackAscendingOffsetThenLooseLexicographical);
    for (position, id) in ordered.flatten().enumerate() {
        if introductions.contains_key(&id) {
            rank.entry(id).or_insert(position);
        }
    }
    blobs.sort_by_key(|(id, _)| rank.get(*id).copied().unwrap_or(usize::MAX));
}

fn merge(mut a: BlobBatch, b: BlobBatch) -> BlobBatch {
    a.scanned.extend(b.scanned);
    a.notices.extend(b.notices);
    a.stats.files_scanned += b.stats.files_scanned;
    a.stats.files_skipped += b.stats.files_skipped;
    a.stats.files_unreadable += b.stats.files_unreadable;
    a.stats.parse_errors += b.stats.parse_errors;
    a.stats.bytes_scanned += b.stats.bytes_scanned;
    a
}

/// Scans one blob: once for the token rules (the same at any path), and
/// once more per path whose kind has structural rules.
fn scan_blob(
    repo: &gix::Repository,
    blob: ObjectId,
    paths: &[(String, usize)],
    max_blob_size: u64,
) -> BlobBatch {
    let mut batch = BlobBatch::default();
    let first_path = paths.first().map(|(p, _)| p.as_str()).unwrap_or("");
    let size = repo.find_header(blob).map(|h| h.size());
    if size.is_ok_and(|s| s > max_blob_size) {
        batch.stats.files_skipped += 1;
        batch.notices.push(notice(
            first_path,
            NoticeKind::Skipped,
            format!("blob {blob} is larger than --max-file-size; not scanned"),
        ));
        return batch;
    }
    let data = match repo.find_blob(blob) {
        Ok(mut b) => b.take_data(),
        Err(e) => {
            batch.stats.files_unreadable += 1;
            batch.notices.push(notice(
                first_path,
                NoticeKind::Unreadable,
                format!("cannot read blob {blob}: {e}"),
            ));
            return batch;
        }
    };
    batch.stats.files_scanned += 1;
    batch.stats.bytes_scanned += data.len() as u64;
    // Plain-text paths share one token scan; the path only changes the label.
    let mut text_findings: Option<Vec<Finding>> = None;
    for (path, commit) in paths {
        let kind = classify(path);
        let findings = if kind == FileKind::Text {
            let base =
                text_findings.get_or_insert_with(|| crate::scan::scan_bytes(path, &data).findings);
            base.iter()
                .cloned()
                .map(|mut f| {
                    f.path = path.clone();
                    f
                })
                .collect()
        } else {
            let outcome = crate::scan::scan_bytes(path, &data);
            batch.stats.parse_errors += outcome.notices.len();
            batch.notices.extend(outcome.notices);
            outcome.findings
        };
        batch.scanned.push(Scanned {
            blob,
            path: path.clone(),
            commit: *commit,
            findings,
        });
    }
    batch
}

fn notice(path: &str, kind: NoticeKind, message: String) -> Notice {
    Notice {
        path: path.to_string(),
        line: None,
        column: None,
        kind,
        message,
    }
}

/// One finding per fingerprint, attributed to its oldest introducing commit
/// and marked as present at HEAD or not.
fn fold(
    batch: BlobBatch,
    commits: &[CommitInfo],
    head: &HashSet<(ObjectId, String)>,
) -> ScanOutcome {
    let mut head_secrets: HashSet<String> = HashSet::new();
    let mut head_fingerprints: HashSet<String> = HashSet::new();
    let mut oldest: HashMap<String, (usize, Finding)> = HashMap::new();
    for scanned in batch.scanned {
        let at_head = head.contains(&(scanned.blob, scanned.path));
        for finding in scanned.findings {
            let fingerprint = finding.fingerprint();
            if at_head {
                head_fingerprints.insert(fingerprint.clone());
                if let Some(secret) = &finding.secret {
                    head_secrets.insert(secret.sha256.clone());
                }
            }
            let older = oldest
                .get(&fingerprint)
                .is_none_or(|(commit, _)| scanned.commit < *commit);
            if older {
                oldest.insert(fingerprint, (scanned.commit, finding));
            }
        }
    }
    let mut findings: Vec<Finding> = oldest
        .into_iter()
        .map(|(fingerprint, (commit, mut finding))| {
            let at_head = match &finding.secret {
                Some(secret) => head_secrets.contains(&secret.sha256),
                None => head_fingerprints.contains(&fingerprint),
            };
            let info = &commits[commit];
            let origin = Origin {
                commit: info.id.to_string(),
                author_date: info.author_date.clone(),
                at_head,
            };
            finding.message.push_str(&super::origin_note(&origin));
            finding.origin = Some(origin);
            finding
        })
        .collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut notices = batch.notices;
    notices.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    ScanOutcome {
        findings,
        notices,
        stats: batch.stats,
        ..ScanOutcome::default()
    }
}
