//! The `gix` side of `scan --history`: commits, trees, blobs.
//!
//! Three passes. (1) List the commits to read, oldest first. (2) Walk each
//! commit's tree, skipping any subtree already seen at the same path, and
//! record for every (blob, path) the first commit that has it: that is the
//! introducing commit. (3) Read each unique blob once, in parallel, and scan
//! it; then fold the findings by fingerprint, keeping the oldest commit.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use gix::ObjectId;
use rayon::prelude::*;

use super::HistoryOptions;
use crate::classify::{FileKind, classify};
use crate::config::Config;
use crate::finding::{Finding, Origin, Suppression, SuppressionKind};
use crate::scan::{Notice, NoticeKind, ScanOutcome, Stats};
use crate::triage::ignores::InlineIgnore;

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
    let mut introductions = introductions(&repo, &commits, &hidden)?;
    drop_excluded(&mut introductions, opts)?;
    let head = head_blobs(&repo);
    let scanned = scan_blobs(&repo.into_sync(), &introductions, opts)?;
    Ok(fold(scanned, &commits, &head, &opts.config))
}

/// Leaves out the paths `exclude` globs name, as a working-tree scan would.
fn drop_excluded(introductions: &mut Introductions, opts: &HistoryOptions) -> Result<(), String> {
    if opts.excludes.is_empty() {
        return Ok(());
    }
    let root = &opts.repo;
    let overrides = crate::discover::build_overrides(root, &opts.excludes).map_err(|e| e.0)?;
    introductions.retain(|_, paths| {
        paths.retain(|(path, _)| !crate::discover::is_excluded(&overrides, root, path));
        !paths.is_empty()
    });
    Ok(())
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
    /// The `claudit: ignore[...]` comments of this version of the file.
    ignores: Vec<InlineIgnore>,
}

#[derive(Default)]
struct BlobBatch {
    scanned: Vec<Scanned>,
    notices: Vec<Notice>,
    stats: Stats,
}

/// Reads and scans each blob once, in parallel: first by walking every pack
/// whole, then object by object for whatever the packs did not hold (loose
/// objects, alternates, a pack that could not be traversed).
fn scan_blobs(
    repo: &gix::ThreadSafeRepository,
    introductions: &Introductions,
    opts: &HistoryOptions,
) -> Result<BlobBatch, String> {
    let local = repo.to_thread_local();
    let claimed = Mutex::new(HashSet::with_capacity(introductions.len()));
    let from_packs = Mutex::new(BlobBatch::default());
    for bundle in pack_bundles(&local) {
        // A pack that cannot be traversed is read object by object below.
        let _ = traverse_pack(&bundle, introductions, &claimed, &from_packs, opts);
    }
    let claimed = claimed.into_inner().unwrap_or_else(|e| e.into_inner());
    let from_packs = from_packs.into_inner().unwrap_or_else(|e| e.into_inner());
    if claimed.len() == introductions.len() {
        return Ok(from_packs);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    let mut blobs: Vec<(&ObjectId, &Vec<(String, usize)>)> = introductions
        .iter()
        .filter(|(id, _)| !claimed.contains(*id))
        .collect();
    sort_in_pack_order(&local, &mut blobs, introductions);
    // Contiguous runs, one repository handle (and delta cache) each; a few
    // runs per thread keep the threads busy when runs differ in cost.
    let runs = (opts.threads.max(1) * 4).min(blobs.len().max(1));
    let run_len = blobs.len().div_ceil(runs).max(1);
    let rest = pool.install(|| {
        blobs
            .par_chunks(run_len)
            .map(|run| {
                let repo = repo.to_thread_local();
                run.iter()
                    .map(|(blob, paths)| scan_blob(&repo, **blob, paths, opts))
                    .fold(BlobBatch::default(), merge)
            })
            .reduce(BlobBatch::default, merge)
    });
    Ok(merge(from_packs, rest))
}

/// Every pack of the repository's object database, opened with its index.
fn pack_bundles(repo: &gix::Repository) -> Vec<gix::odb::pack::Bundle> {
    let dir = repo.common_dir().join("objects").join("pack");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut indexes: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "idx"))
        .collect();
    indexes.sort();
    indexes
        .iter()
        .filter_map(|idx| gix::odb::pack::Bundle::at(idx, repo.object_hash()).ok())
        .collect()
}

/// Decodes every object of one pack the way `git index-pack` does: the
/// pack's delta tree is walked from each base down to its deltas, so every
/// base is inflated once and each delta applied once, on all threads. Looking
/// blobs up one by one instead rebuilds delta chains over and over (measured
/// on a 5,000-commit repository: several times the CPU). Object checksums
/// are not verified: claudit reads the repository, it does not repair it.
fn traverse_pack(
    bundle: &gix::odb::pack::Bundle,
    introductions: &Introductions,
    claimed: &Mutex<HashSet<ObjectId>>,
    out: &Mutex<BlobBatch>,
    opts: &HistoryOptions,
) -> Result<(), String> {
    use gix::odb::pack::index::traverse::{SafetyCheck, with_index};
    let processor = |kind: gix::object::Kind,
                     data: &[u8],
                     entry: &gix::odb::pack::index::Entry,
                     _: &dyn gix::progress::Progress|
     -> gix::error::Result {
        if kind != gix::object::Kind::Blob {
            return Ok(());
        }
        let Some(paths) = introductions.get(&entry.oid) else {
            return Ok(());
        };
        // The same blob can sit in two packs; the first reader scans it.
        let first = claimed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(entry.oid);
        if first {
            let batch = scan_blob_data(entry.oid, paths, data, opts);
            let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
            *out = merge(std::mem::take(&mut *out), batch);
        }
        Ok(())
    };
    let interrupt = AtomicBool::new(false);
    bundle
        .index
        .traverse_with_index(
            &bundle.pack,
            processor,
            &mut gix::progress::Discard,
            &interrupt,
            with_index::Options {
                check: SafetyCheck::SkipFileAndObjectChecksumVerification,
                thread_limit: Some(opts.threads.max(1)),
                alloc_limit_bytes: None,
            },
        )
        .map(|_| ())
        .map_err(|e| format!("cannot traverse pack: {e}"))
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
    opts: &HistoryOptions,
) -> BlobBatch {
    let mut batch = BlobBatch::default();
    let first_path = paths.first().map(|(p, _)| p.as_str()).unwrap_or("");
    let size = repo.find_header(blob).map(|h| h.size());
    if size.is_ok_and(|s| s > opts.max_blob_size) {
        return skipped(blob, paths);
    }
    match repo.find_blob(blob) {
        Ok(mut b) => scan_blob_data(blob, paths, &b.take_data(), opts),
        Err(e) => {
            batch.stats.files_unreadable += 1;
            batch.notices.push(notice(
                first_path,
                NoticeKind::Unreadable,
                format!("cannot read blob {blob}: {e}"),
            ));
            batch
        }
    }
}

/// Scans one blob's content: once for the token rules (the same at any
/// path), and once more per path whose kind has structural rules.
fn scan_blob_data(
    blob: ObjectId,
    paths: &[(String, usize)],
    data: &[u8],
    opts: &HistoryOptions,
) -> BlobBatch {
    let mut batch = BlobBatch::default();
    if data.len() as u64 > opts.max_blob_size {
        return skipped(blob, paths);
    }
    batch.stats.files_scanned += 1;
    batch.stats.bytes_scanned += data.len() as u64;
    let custom = opts.custom.as_deref();
    // Plain-text paths share one token scan; the path only changes the label.
    // Not when the blob holds ignore comments: their syntax follows the path.
    let shareable = !crate::triage::ignores::has_marker(data);
    let mut text_findings: Option<Vec<Finding>> = None;
    for (path, commit) in paths {
        let kind = classify(path);
        let (findings, ignores) = if kind == FileKind::Text && shareable {
            let base = text_findings
                .get_or_insert_with(|| crate::scan::scan_bytes_with(path, data, custom).findings);
            let relabelled = base
                .iter()
                .cloned()
                .map(|mut f| {
                    f.path = path.clone();
                    f
                })
                .collect();
            (relabelled, Vec::new())
        } else {
            let outcome = crate::scan::scan_bytes_with(path, data, custom);
            batch.stats.parse_errors += outcome.notices.len();
            batch.notices.extend(outcome.notices);
            (outcome.findings, outcome.inline_ignores)
        };
        batch.scanned.push(Scanned {
            blob,
            path: path.clone(),
            commit: *commit,
            findings,
            ignores,
        });
    }
    batch
}

fn skipped(blob: ObjectId, paths: &[(String, usize)]) -> BlobBatch {
    let first_path = paths.first().map(|(p, _)| p.as_str()).unwrap_or("");
    let mut batch = BlobBatch::default();
    batch.stats.files_skipped += 1;
    batch.notices.push(notice(
        first_path,
        NoticeKind::Skipped,
        format!("blob {blob} is larger than --max-file-size; not scanned"),
    ));
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

/// What one fingerprint collected across the versions of files that hold it.
struct Seen {
    /// The oldest introducing commit, with that version's finding.
    oldest: (usize, Finding),
    /// The version in HEAD's tree: its lines are the working tree's, so a
    /// history finding and a working-tree finding point at the same place.
    at_head: Option<Finding>,
    /// An ignore comment in an old version that covered it there (the
    /// oldest such version, so the choice does not depend on thread timing).
    ignored_by: Option<(usize, Suppression)>,
}

/// One finding per fingerprint, attributed to its oldest introducing commit,
/// located where HEAD has it when HEAD still has it, and marked as present
/// at HEAD or not. HEAD's ignore comments go to triage like a working-tree
/// scan's; a finding gone from HEAD is covered by the ignore comments of the
/// versions that held it.
fn fold(
    batch: BlobBatch,
    commits: &[CommitInfo],
    head: &HashSet<(ObjectId, String)>,
    config: &Config,
) -> ScanOutcome {
    let mut seen: HashMap<String, Seen> = HashMap::new();
    let mut head_ignores = Vec::new();
    for scanned in batch.scanned {
        let at_head = head.contains(&(scanned.blob, scanned.path.clone()));
        for finding in scanned.findings {
            let cover = (!at_head)
                .then(|| {
                    covering_ignore(&scanned.ignores, &finding, config, commits, scanned.commit)
                })
                .flatten();
            let entry = seen.entry(finding.fingerprint()).or_insert_with(|| Seen {
                oldest: (scanned.commit, finding.clone()),
                at_head: None,
                ignored_by: None,
            });
            if scanned.commit < entry.oldest.0 {
                entry.oldest = (scanned.commit, finding.clone());
            }
            if let Some(cover) = cover
                && entry
                    .ignored_by
                    .as_ref()
                    .is_none_or(|(c, _)| scanned.commit < *c)
            {
                entry.ignored_by = Some((scanned.commit, cover));
            }
            if at_head {
                entry.at_head = Some(finding);
            }
        }
        if at_head {
            head_ignores.extend(scanned.ignores);
        }
    }
    let mut findings: Vec<Finding> = seen
        .into_values()
        .map(|seen| {
            let (commit, oldest) = seen.oldest;
            let at_head = seen.at_head.is_some();
            let mut finding = seen.at_head.unwrap_or(oldest);
            if !at_head && finding.suppression.is_none() {
                finding.suppression = seen.ignored_by.map(|(_, s)| s);
            }
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
    head_ignores.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    let mut notices = batch.notices;
    notices.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    ScanOutcome {
        findings,
        notices,
        stats: batch.stats,
        inline_ignores: head_ignores,
        ..ScanOutcome::default()
    }
}

/// The ignore comment of one version of a file that covers `finding` there.
fn covering_ignore(
    ignores: &[InlineIgnore],
    finding: &Finding,
    config: &Config,
    commits: &[CommitInfo],
    commit: usize,
) -> Option<Suppression> {
    let line = finding.region.map(|r| r.start.line)?;
    let ignore = ignores.iter().find(|ig| {
        ig.covers_line(line)
            && ig.rules.iter().any(|rule| {
                config
                    .resolve_rule(rule)
                    .is_some_and(|id| id == finding.rule_id)
            })
    })?;
    let id = commits[commit].id.to_string();
    Some(Suppression {
        kind: SuppressionKind::InSource,
        by: format!(
            "ignore comment at {}:{} in commit {}",
            ignore.path,
            ignore.line,
            id.get(..12).unwrap_or(&id)
        ),
        justification: ignore.reason.clone(),
        active: true,
    })
}
