//! The scan: discovered files are read in parallel (one reused buffer per
//! thread), token-scanned, parsed when their kind needs it, and checked.
//! Findings are collected per file and come out in path order, so the output
//! is the same for any thread count.

use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::checks::{self, FileContext};
use crate::classify::{FileKind, classify};
use crate::discover::{self, DiscoverOptions, Discovered, Entry, describe_io};
use crate::finding::{Finding, Snippet};
use crate::formats::{self, Parsed};
use crate::project::{FileFacts, Project};
use crate::secrets::tokens::{MAX_TOKEN_LEN, TokenMatch, TokenScanner};
use crate::source::LineIndex;
use crate::tree::Tree;
use crate::triage::custom::CustomRules;
use crate::triage::ignores::{self, InlineIgnore};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub threads: usize,
    pub no_ignore: bool,
    pub excludes: Vec<String>,
    /// Larger files are skipped (and reported as skipped).
    pub max_file_size: u64,
    /// Files up to this size are parsed; larger ones get the streamed token scan only.
    pub max_parse_size: u64,
    pub skip_binary: bool,
    /// Custom token rules and allowlisted values (`.claudit.toml`); `None`
    /// keeps the per-file pass out of the scan.
    pub custom: Option<Arc<CustomRules>>,
    /// `--diff-base`: only changed files and the files cross-file checks
    /// read for context are scanned; the rest count as unchanged.
    pub only_changed: Option<Arc<crate::triage::diff::PendingDiff>>,
    /// File arguments (see [`discover::file_scope`]): the work tree is walked,
    /// files outside this set are read only when they give context.
    pub scope: Option<Arc<crate::triage::diff::ChangedFiles>>,
    /// Files to keep in the walk even when ignored or excluded (file arguments).
    pub force_include: Vec<PathBuf>,
    /// `[policy]` of `.claudit.toml`, for the policy rules (CLD250+).
    pub policy: Option<crate::env::policy::Policy>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            paths: vec![PathBuf::from(".")],
            threads: default_threads(),
            no_ignore: false,
            excludes: Vec::new(),
            max_file_size: 256 * 1024 * 1024,
            max_parse_size: 4 * 1024 * 1024,
            skip_binary: false,
            custom: None,
            only_changed: None,
            scope: None,
            force_include: Vec::new(),
            policy: None,
        }
    }
}

pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// A message about one file that is not a finding: parse errors, unreadable
/// files, skipped files. Printed on stderr and counted in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub kind: NoticeKind,
    pub message: String,
}

impl Notice {
    /// Masks every `sk-ant-` token in the message. Messages may quote file
    /// content (a parser naming the word it did not understand), so every
    /// notice passes through this before it is stored and before it is written.
    pub fn redact(&mut self) {
        if let std::borrow::Cow::Owned(m) = crate::secrets::redact_text(&self.message) {
            self.message = m;
        }
    }

    /// [`Notice::redact`], and also masks what the custom token rules match.
    pub fn redact_with(&mut self, custom: Option<&CustomRules>) {
        match custom {
            Some(c) if c.has_rules() => {
                let hits: Vec<std::ops::Range<usize>> = c
                    .scan(self.message.as_bytes())
                    .into_iter()
                    .map(|h| h.span)
                    .collect();
                self.message = crate::secrets::redact_text_and(&self.message, &hits);
            }
            _ => self.redact(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// The file could not be parsed; it was still token-scanned.
    ParseError,
    /// The file could not be read at all.
    Unreadable,
    /// The file was skipped on purpose (too large, binary with --skip-binary).
    Skipped,
    /// An inline or `.claudit.toml` ignore that matched no finding (triage).
    UnusedIgnore,
    /// A `claudit: ignore` comment that could not be read or names no rule.
    InvalidIgnore,
    /// A baseline entry past its expiry date: its finding is reported again.
    ExpiredBaseline,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub files_scanned: usize,
    pub files_skipped: usize,
    pub files_unreadable: usize,
    pub parse_errors: usize,
    pub bytes_scanned: u64,
    /// Files not read because `--diff-base` says they did not change.
    #[serde(skip_serializing_if = "is_zero")]
    pub files_unchanged: usize,
    /// `--diff-base` was given but git found no merge base: why. Everything
    /// was then scanned and reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_base_unavailable: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Default)]
pub struct ScanOutcome {
    pub findings: Vec<Finding>,
    pub notices: Vec<Notice>,
    pub stats: Stats,
    /// `claudit: ignore` comments found in the scanned files.
    pub inline_ignores: Vec<InlineIgnore>,
    /// Filled by [`crate::triage::apply`].
    pub triage: crate::triage::Triage,
    /// The effective auth of each configured execution context (for the
    /// markdown summary); filled by the CLI from the scanned project.
    pub contexts: Vec<crate::report::markdown::ContextRow>,
    /// The config's custom rules, for SARIF rule descriptors.
    pub custom_rules: Vec<crate::report::sarif::CustomRuleMeta>,
    /// `primaryLocationLineHash` of findings whose content is not on disk
    /// (image layers and configs), by display path and line, computed when
    /// the content was read. SARIF uses these instead of reading the path.
    pub line_hashes: std::collections::HashMap<String, std::collections::HashMap<usize, String>>,
}

/// Scans the given paths. `Err` only for fatal problems (a path that does not exist).
pub fn scan(opts: &ScanOptions) -> Result<ScanOutcome, discover::FatalError> {
    scan_project(opts).map(|(outcome, _)| outcome)
}

/// [`scan`], also returning the parsed project (`claudit env` reads its
/// execution contexts).
pub fn scan_project(opts: &ScanOptions) -> Result<(ScanOutcome, Project), discover::FatalError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| discover::FatalError(format!("cannot start worker threads: {e}")))?;
    let walk = DiscoverOptions {
        no_ignore: opts.no_ignore,
        excludes: opts.excludes.clone(),
        threads: walker_threads(opts.threads),
        force_include: opts.force_include.clone(),
    };
    let scanner = TokenScanner::new();
    // The walk and the scan run side by side: the walker hands over the
    // files that need no other file (plain text, nearly all of a tree) as it
    // finds them, and the others (a Dockerfile's build context, a settings
    // file's scope) once the whole tree is known. Bounded, so a walk far
    // ahead of the scan does not queue a whole tree.
    let (send, receive) = std::sync::mpsc::sync_channel::<Work>(64);
    let (discovered, gathered) = std::thread::scope(|scope| {
        let walker = scope.spawn(move || {
            let wants = |path: &Path| kind_of(path) == FileKind::Text;
            let early = |batch| {
                let _ = send.send(Work::Walked(batch));
            };
            let handover = discover::Handover {
                wants: &wants,
                send: &early,
            };
            let discovered = Arc::new(discover::discover(&opts.paths, &walk, Some(handover))?);
            for ids in discovered.pending.chunks(16) {
                let _ = send.send(Work::Pending(Arc::clone(&discovered), ids.to_vec()));
            }
            Ok(discovered)
        });
        let gathered: Gathered = pool.install(|| {
            receive
                .into_iter()
                .par_bridge()
                .map_init(Vec::new, |buf, work| work.scan(&scanner, opts, buf))
                .fold(Gathered::default, |g, batch| {
                    batch.into_iter().fold(g, Gathered::add)
                })
                .reduce(Gathered::default, Gathered::merge)
        });
        let discovered: Result<Arc<Discovered>, discover::FatalError> = walker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (discovered, gathered)
    });
    // Every message (and its share of the tree) is gone: this is the last.
    let discovered = Arc::unwrap_or_clone(discovered?);
    crate::timings::mark("scanned");
    // Results in entry order (root, then path), whatever the thread count
    // and the order files were found in.
    let mut kept: Vec<((u32, u32), FileResult)> = gathered
        .kept
        .into_iter()
        .filter_map(|(key, result)| Some((key.id(&discovered)?, result)))
        .collect();
    kept.sort_unstable_by_key(|(id, _)| *id);
    let mut collected = kept
        .into_iter()
        .fold(Collected::default(), |c, (_, result)| c.add(result));
    collected.stats.absorb(&gathered.stats);

    let mut outcome = ScanOutcome {
        findings: collected.findings,
        notices: Vec::new(),
        stats: collected.stats,
        inline_ignores: collected.inline_ignores,
        ..ScanOutcome::default()
    };
    for w in discovered.warnings {
        outcome.notices.push(Notice {
            path: w.path,
            line: None,
            column: None,
            kind: NoticeKind::Unreadable,
            message: w.message,
        });
        outcome.stats.files_unreadable += 1;
    }
    outcome.notices.extend(collected.notices);
    let custom = opts.custom.as_deref();
    for n in &mut outcome.notices {
        n.redact_with(custom);
    }
    let project = Project {
        files: collected.facts,
        trees: discovered.trees,
        policy: opts.policy.clone(),
    };
    pool.install(|| checks::project::run_all(&project, &mut outcome.findings));
    crate::timings::mark("project checks");
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    crate::finding::number_duplicates(&mut outcome.findings);
    crate::timings::mark("numbered");
    Ok((outcome, project))
}

/// Scans one in-memory buffer (stdin) as if it were a file at `path`.
pub fn scan_bytes(path: &str, bytes: &[u8]) -> ScanOutcome {
    scan_bytes_with(path, bytes, None)
}

/// [`scan_bytes`] with custom token rules.
pub fn scan_bytes_with(path: &str, bytes: &[u8], custom: Option<&CustomRules>) -> ScanOutcome {
    let scanner = TokenScanner::new();
    let tree = Tree::default();
    let kind = classify(path);
    let result = scan_buffer(
        &|| path.to_string(),
        path,
        kind,
        true,
        bytes,
        &tree,
        &scanner,
        custom,
    );
    let (mut findings, mut notices) = (result.findings, result.notices);
    for n in &mut notices {
        n.redact_with(custom);
    }
    let inline_ignores = result.inline_ignores;
    if let Some(parsed) = result.parsed {
        let project = Project {
            files: vec![FileFacts::new(
                0,
                path,
                path,
                kind,
                true,
                parsed,
                bytes.to_vec(),
            )],
            trees: vec![tree],
            policy: None,
        };
        checks::project::run_all(&project, &mut findings);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    crate::finding::number_duplicates(&mut findings);
    let mut stats = Stats {
        files_scanned: 1,
        bytes_scanned: bytes.len() as u64,
        ..Stats::default()
    };
    stats.parse_errors = notices.len();
    ScanOutcome {
        findings,
        notices,
        stats,
        inline_ignores,
        ..ScanOutcome::default()
    }
}

/// Walker threads for `threads` scan threads: on few cores one sequential
/// walker (it costs less than half the CPU of a parallel walk and runs beside
/// the scan); on many, enough that the walk keeps ahead of the scan.
fn walker_threads(threads: usize) -> usize {
    if threads <= 2 { 1 } else { threads / 4 + 1 }
}

/// Files for the scan workers, from the walker.
enum Work {
    /// Found by the walk and handed over at once (see [`discover::Handover`]).
    Walked(Vec<discover::Found>),
    /// Files that waited for the whole tree, by entry id.
    Pending(Arc<Discovered>, Vec<(u32, u32)>),
}

/// Which file a result is for: as handed over, or by entry id.
enum Key {
    Walked(usize, String),
    Entry((u32, u32)),
}

impl Key {
    fn id(&self, discovered: &Discovered) -> Option<(u32, u32)> {
        match self {
            Key::Entry(id) => Some(*id),
            Key::Walked(root, rel) => {
                let index = discovered.trees.get(*root)?.files.binary_search(rel).ok()?;
                Some((*root as u32, index as u32))
            }
        }
    }
}

impl Work {
    fn scan(
        self,
        scanner: &TokenScanner,
        opts: &ScanOptions,
        buf: &mut Vec<u8>,
    ) -> Vec<(Key, FileResult)> {
        match self {
            // The walker handed these over as plain text (see `scan_project`).
            Work::Walked(batch) => batch
                .into_iter()
                .map(|found| {
                    let target = Target {
                        root: found.root,
                        tree: &found.tree,
                        rel: &found.rel,
                        tracked: found.tracked,
                    };
                    let abs = target.abs();
                    let result = scan_entry(&target, &abs, FileKind::Text, scanner, opts, buf);
                    (Key::Walked(found.root, found.rel), result)
                })
                .collect(),
            Work::Pending(discovered, ids) => ids
                .into_iter()
                .map(|id| {
                    let target = Target::of(&discovered.entry(id));
                    let abs = target.abs();
                    let result = scan_entry(&target, &abs, kind_of(&abs), scanner, opts, buf);
                    (Key::Entry(id), result)
                })
                .collect(),
        }
    }
}

/// One file to scan: its tree (as known when it is scanned), its path in it,
/// and whether it is committed.
struct Target<'a> {
    root: usize,
    tree: &'a Tree,
    rel: &'a str,
    tracked: bool,
}

impl<'a> Target<'a> {
    fn of(entry: &Entry<'a>) -> Self {
        Target {
            root: entry.root,
            tree: entry.tree,
            rel: entry.rel(),
            tracked: entry.tracked(),
        }
    }

    fn abs(&self) -> PathBuf {
        self.tree.path_of(self.rel)
    }

    fn display(&self) -> String {
        self.tree.display(self.rel)
    }
}

/// The kind of the file at `abs`. `to_str` first: validating is cheaper than
/// the lossy conversion's chunked walk, and names are almost always UTF-8.
fn kind_of(abs: &Path) -> FileKind {
    match abs.to_str() {
        Some(path) => classify(path),
        None => classify(&abs.to_string_lossy()),
    }
}

/// Per-file results in the order they come: the counts of files that
/// produced nothing, and the others kept under their key.
#[derive(Default)]
struct Gathered {
    stats: Stats,
    kept: Vec<(Key, FileResult)>,
}

impl Gathered {
    fn add(mut self, (key, result): (Key, FileResult)) -> Self {
        if result.holds_nothing() {
            self.stats.count(&result);
        } else {
            self.kept.push((key, result));
        }
        self
    }

    fn merge(mut self, other: Gathered) -> Self {
        self.stats.absorb(&other.stats);
        self.kept.extend(other.kept);
        self
    }
}

/// Results gathered across files.
#[derive(Default)]
struct Collected {
    stats: Stats,
    findings: Vec<Finding>,
    notices: Vec<Notice>,
    facts: Vec<FileFacts>,
    inline_ignores: Vec<InlineIgnore>,
}

impl Collected {
    fn add(mut self, r: FileResult) -> Self {
        self.stats.count(&r);
        self.findings.extend(r.findings);
        self.notices.extend(r.notices);
        self.facts.extend(r.facts.map(|f| *f));
        self.inline_ignores.extend(r.inline_ignores);
        self
    }
}

impl Stats {
    /// Counts one file's outcome.
    fn count(&mut self, r: &FileResult) {
        match r.status {
            FileStatus::Scanned => self.files_scanned += 1,
            FileStatus::Skipped => self.files_skipped += 1,
            FileStatus::Unreadable => self.files_unreadable += 1,
            FileStatus::Unchanged => self.files_unchanged += 1,
            FileStatus::OutOfScope => {}
        }
        self.bytes_scanned += r.bytes;
        self.parse_errors += r
            .notices
            .iter()
            .filter(|n| n.kind == NoticeKind::ParseError)
            .count();
    }

    /// Adds the counts of `other` (which holds only per-file counts).
    fn absorb(&mut self, other: &Stats) {
        self.files_scanned += other.files_scanned;
        self.files_skipped += other.files_skipped;
        self.files_unreadable += other.files_unreadable;
        self.files_unchanged += other.files_unchanged;
        self.bytes_scanned += other.bytes_scanned;
        self.parse_errors += other.parse_errors;
    }
}

enum FileStatus {
    Scanned,
    Skipped,
    Unreadable,
    Unchanged,
    /// Not among the file arguments and not needed for context.
    OutOfScope,
}

struct FileResult {
    status: FileStatus,
    bytes: u64,
    findings: Vec<Finding>,
    notices: Vec<Notice>,
    facts: Option<Box<FileFacts>>,
    inline_ignores: Vec<InlineIgnore>,
}

impl FileResult {
    /// Nothing to report or keep: only the file's counts matter.
    fn holds_nothing(&self) -> bool {
        self.findings.is_empty()
            && self.notices.is_empty()
            && self.facts.is_none()
            && self.inline_ignores.is_empty()
    }

    fn notice(status: FileStatus, entry: &Target, kind: NoticeKind, message: String) -> Self {
        FileResult {
            status,
            bytes: 0,
            findings: Vec::new(),
            notices: vec![Notice {
                path: entry.display(),
                line: None,
                column: None,
                kind,
                message,
            }],
            facts: None,
            inline_ignores: Vec::new(),
        }
    }

    fn unchanged() -> Self {
        FileResult::not_read(FileStatus::Unchanged)
    }

    fn out_of_scope() -> Self {
        FileResult::not_read(FileStatus::OutOfScope)
    }

    fn not_read(status: FileStatus) -> Self {
        FileResult {
            status,
            bytes: 0,
            findings: Vec::new(),
            notices: Vec::new(),
            facts: None,
            inline_ignores: Vec::new(),
        }
    }
}

fn scan_entry(
    entry: &Target,
    abs: &Path,
    kind: FileKind,
    scanner: &TokenScanner,
    opts: &ScanOptions,
    buf: &mut Vec<u8>,
) -> FileResult {
    let tree = entry.tree;
    let unreadable = |e: io::Error| {
        FileResult::notice(
            FileStatus::Unreadable,
            entry,
            NoticeKind::Unreadable,
            format!("cannot read: {}", describe_io(&e)),
        )
    };
    // File arguments and changed-files mode: other files are read only when
    // they give context.
    if (opts.scope.is_some() || opts.only_changed.is_some()) && !kind.is_cross_file() {
        if let Some(scope) = &opts.scope
            && !scope.contains(abs)
        {
            return FileResult::out_of_scope();
        }
        if let Some(changed) = &opts.only_changed
            && !changed.may_have_changed(abs)
        {
            return FileResult::unchanged();
        }
    }
    // Most files report nothing: their display path is never made.
    let display = || entry.display();
    let mut file = match File::open(abs) {
        Ok(f) => f,
        Err(e) => return unreadable(e),
    };
    // Most files are small: read up to the parse limit without asking for
    // the size first (a system call fewer per file; ripgrep does not stat
    // either). Discovery lists regular files only (symlink targets
    // included), so the read does not block on a pipe.
    buf.clear();
    let limit = opts.max_parse_size;
    if let Err(e) = Read::read_to_end(&mut Read::take(&mut file, limit + 1), buf) {
        return unreadable(e);
    }
    if buf.len() as u64 > limit {
        let size = match file.metadata() {
            Ok(m) if m.is_file() => m.len(),
            Ok(_) => return unreadable(io::Error::other("not a regular file")),
            Err(e) => return unreadable(e),
        };
        if size > opts.max_file_size {
            return FileResult::notice(
                FileStatus::Skipped,
                entry,
                NoticeKind::Skipped,
                format!(
                    "{} bytes, over --max-file-size ({} bytes)",
                    size, opts.max_file_size
                ),
            );
        }
        if let Err(e) = file.seek(io::SeekFrom::Start(0)) {
            return unreadable(e);
        }
        return match stream_tokens(&mut file, &display, scanner, opts.skip_binary) {
            Ok(Some((mut findings, bytes))) => {
                findings.extend(large_file_checks(entry, kind, tree, scanner));
                FileResult {
                    status: FileStatus::Scanned,
                    bytes,
                    findings,
                    notices: Vec::new(),
                    facts: None,
                    inline_ignores: Vec::new(),
                }
            }
            Ok(None) => skipped_binary(entry),
            Err(e) => unreadable(e),
        };
    }
    if opts.skip_binary && is_binary(buf) {
        return skipped_binary(entry);
    }
    let result = scan_buffer(
        &display,
        entry.rel,
        kind,
        entry.tracked,
        buf,
        tree,
        scanner,
        opts.custom.as_deref(),
    );
    let facts = result
        .parsed
        .filter(|_| kind.is_cross_file())
        .map(|parsed| {
            Box::new(FileFacts::new(
                entry.root,
                entry.rel,
                &display(),
                kind,
                entry.tracked,
                parsed,
                buf.clone(),
            ))
        });
    FileResult {
        status: FileStatus::Scanned,
        bytes: buf.len() as u64,
        findings: result.findings,
        notices: result.notices,
        facts,
        inline_ignores: result.inline_ignores,
    }
}

/// Checks that judge a file by its kind and first line still apply to files
/// too large to parse: a committed transcript is one, whatever its size.
fn large_file_checks(
    entry: &Target,
    kind: FileKind,
    tree: &Tree,
    scanner: &TokenScanner,
) -> Vec<Finding> {
    let size = std::fs::metadata(entry.abs()).map_or(0, |m| m.len());
    if kind == FileKind::ClaudeSettings
        && size > checks::settings::syntax::MAX_SETTINGS_BYTES as u64
    {
        // Too large to parse, and over Claude Code's 2 MiB limit (CLD304).
        let mut finding = checks::settings::syntax::too_large(size);
        finding.path = entry.display().to_string();
        finding.region = Some(LineIndex::new(b"").region(b"", &(0..0)));
        return vec![finding];
    }
    if kind != FileKind::ClaudeTranscript {
        return Vec::new();
    }
    let mut head = Vec::new();
    let read = File::open(entry.abs()).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    if read.is_err() {
        return Vec::new();
    }
    let result = scan_buffer(
        &|| entry.display(),
        entry.rel,
        kind,
        entry.tracked,
        &head,
        tree,
        scanner,
        None,
    );
    // Tokens in the head were already found by the streamed scan.
    result
        .findings
        .into_iter()
        .filter(|f| f.secret.is_none())
        .collect()
}

fn skipped_binary(entry: &Target) -> FileResult {
    FileResult::notice(
        FileStatus::Skipped,
        entry,
        NoticeKind::Skipped,
        "binary file (--skip-binary)".to_string(),
    )
}

/// NUL in the first 8 KiB, as ripgrep and git decide.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// Scans a whole file held in memory: tokens, then structure when the kind
/// has one and the bytes are text.
#[allow(clippy::too_many_arguments)]
fn scan_buffer(
    display: &dyn Fn() -> String,
    rel: &str,
    kind: FileKind,
    tracked: bool,
    bytes: &[u8],
    tree: &Tree,
    scanner: &TokenScanner,
    custom: Option<&CustomRules>,
) -> BufferResult {
    // The key prefix and the ignore marker are looked for in one pass.
    let (tokens, marker) = scanner.scan_and_mark(bytes);
    let binary = is_binary(bytes);
    let needs_parse = kind.is_structured() || kind == FileKind::ClaudeTranscript;
    // Triage: custom token rules (only when configured) and ignore comments.
    let custom_hits = match custom {
        Some(c) if c.has_rules() && !binary => c.scan(bytes),
        _ => Vec::new(),
    };
    let may_hold_ignores = !binary && marker;
    if tokens.is_empty() && custom_hits.is_empty() && !needs_parse && !may_hold_ignores {
        return BufferResult::default(); // the common case: nothing to do
    }
    let display = &display();
    let mut notices = Vec::new();
    let text = if binary {
        None
    } else {
        std::str::from_utf8(bytes).ok()
    };
    let parsed = match (text, kind.is_structured()) {
        (Some(_), true) if kind == FileKind::ShellEnv && !names_a_credential(bytes) => {
            Parsed::default()
        }
        (Some(text), true) => formats::parse(kind, text),
        (None, true) if !binary => {
            notices.push(Notice {
                path: display.to_string(),
                line: None,
                column: None,
                kind: NoticeKind::ParseError,
                message: format!(
                    "not valid UTF-8, so it was not parsed as {}; scanned for tokens only",
                    kind.as_str()
                ),
            });
            Parsed::default()
        }
        _ => Parsed::default(),
    };
    let ctx = FileContext {
        rel_path: rel,
        kind,
        bytes,
        text,
        parsed: &parsed,
        tracked,
        tokens: &tokens,
        tree,
    };
    let mut findings = Vec::new();
    checks::run_all(&ctx, &mut findings);
    let inline_ignores = if may_hold_ignores {
        ignores::find(display, rel, kind, bytes, Some(&parsed))
    } else {
        Vec::new()
    };
    if let Some(c) = custom {
        findings.extend(custom_hits.iter().map(|h| c.finding(bytes, h)));
        c.mark_allowed_values(bytes, &mut findings);
    }
    if findings.is_empty() && parsed.diagnostics.is_empty() && notices.is_empty() {
        return BufferResult {
            findings,
            notices,
            parsed: keep_parsed(kind, text, parsed),
            inline_ignores,
        };
    }
    // Snippets redact every secret on their line, custom ones included.
    let redact: std::borrow::Cow<[TokenMatch]> = if custom_hits.is_empty() {
        std::borrow::Cow::Borrowed(&tokens)
    } else {
        let mut all = tokens.clone();
        all.extend(CustomRules::redaction_tokens(&custom_hits));
        // Snippets look tokens up by offset.
        all.sort_by_key(|t| t.span.start);
        std::borrow::Cow::Owned(all)
    };
    // Lines are indexed only as far as the last offset placed.
    let last = parsed
        .diagnostics
        .iter()
        .map(|d| d.span.start)
        .chain(findings.iter().flat_map(|f| {
            let related = f.related.iter().filter(|r| r.path.is_empty());
            std::iter::once(f.span.end.max(f.span.start))
                .chain(related.map(|r| r.span.end.max(r.span.start)))
        }))
        .max()
        .unwrap_or(0);
    let index = LineIndex::up_to(bytes, binary, last);
    for d in &parsed.diagnostics {
        let pos = index.position(bytes, d.span.start);
        notices.push(Notice {
            path: display.to_string(),
            line: Some(pos.line),
            column: Some(pos.column),
            kind: NoticeKind::ParseError,
            message: d.message.clone(),
        });
    }
    for f in &mut findings {
        if f.logical.is_none() {
            f.logical = parsed.logical_at(&f.span);
        }
        if let Some(logical) = f.logical.as_mut() {
            redact_tokens_in(logical, bytes, &tokens);
            if let std::borrow::Cow::Owned(masked) = crate::secrets::redact_text(logical) {
                *logical = masked;
            }
        }
        f.path = display.to_string();
        f.region = Some(index.region(bytes, &f.span));
        f.note_content(bytes);
        f.snippet = Some(Snippet::build(bytes, &index, f, &redact));
        for r in &mut f.related {
            if r.path.is_empty() {
                r.path = display.to_string();
                r.region = Some(index.region(bytes, &r.span));
            }
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.rule_id == b.rule_id && a.span == b.span);
    BufferResult {
        findings,
        notices,
        parsed: keep_parsed(kind, text, parsed),
        inline_ignores,
    }
}

/// A logical location built from key names holds a token when a key is
/// named after a secret (`{"sk-ant-…": true}`): show its redacted form.
fn redact_tokens_in(text: &mut String, bytes: &[u8], tokens: &[TokenMatch]) {
    // Most logical locations hold no token: skip the per-token search then.
    if memchr::memmem::find(text.as_bytes(), b"sk-ant-").is_none() {
        return;
    }
    for t in tokens {
        if let Some(raw) = bytes
            .get(t.span.clone())
            .and_then(|b| std::str::from_utf8(b).ok())
            && text.contains(raw)
        {
            *text = text.replace(raw, &crate::secrets::redact(raw.as_bytes(), t.prefix_len));
        }
    }
}

#[derive(Default)]
struct BufferResult {
    findings: Vec<Finding>,
    notices: Vec<Notice>,
    /// Kept for cross-file checks: structured text files only.
    parsed: Option<Parsed>,
    inline_ignores: Vec<InlineIgnore>,
}

fn keep_parsed(kind: FileKind, text: Option<&str>, parsed: Parsed) -> Option<Parsed> {
    (kind.is_structured() && text.is_some()).then_some(parsed)
}

/// Token scan of a file too large to parse, in chunks that overlap by the
/// longest token, counting lines as it goes. `Ok(None)` when the file is
/// binary and binary files are skipped.
fn stream_tokens(
    file: &mut File,
    display: &dyn Fn() -> String,
    scanner: &TokenScanner,
    skip_binary: bool,
) -> io::Result<Option<(Vec<Finding>, u64)>> {
    const CHUNK: usize = 1 << 20;
    let overlap = MAX_TOKEN_LEN + 256;
    let mut buf = vec![0u8; CHUNK + overlap];
    let mut carried = 0; // bytes at the start of buf kept from the previous chunk
    let mut base = 0u64; // file offset of buf[0]
    let mut line_base = 0usize; // newlines before buf[0]
    let mut column_base = 0usize; // UTF-16 units between the last line start and buf[0]
    let mut findings = Vec::new();
    let mut total = 0u64;
    let mut first = true;
    let mut binary = false;
    let mut done_until = 0u64; // tokens starting before this file offset were reported
    loop {
        let n = read_full(file, &mut buf[carried..])?;
        total += n as u64;
        let len = carried + n;
        if first {
            binary = is_binary(&buf[..len]);
            if binary && skip_binary {
                return Ok(None);
            }
        }
        first = false;
        let at_end = n == 0 || len < buf.len();
        // Tokens starting in the overlap tail are found again in the next chunk.
        let accept_before = if at_end { len } else { len - overlap };
        let chunk = &buf[..len];
        let tokens: Vec<TokenMatch> = scanner
            .scan(chunk)
            .into_iter()
            .filter(|t| t.span.start < accept_before && base + t.span.start as u64 >= done_until)
            .collect();
        done_until = base + accept_before as u64;
        if !tokens.is_empty() {
            let last = tokens.iter().map(|t| t.span.end).max().unwrap_or(0);
            let index = LineIndex::up_to(chunk, binary, last);
            for t in &tokens {
                let mut f = checks::tokens::token_finding(chunk, t);
                let mut region = index.region(chunk, &t.span);
                // On the chunk's first line, columns continue the line carried in.
                for pos in [&mut region.start, &mut region.end] {
                    if pos.line == 1 {
                        pos.column += column_base;
                    }
                    pos.line += line_base;
                }
                f.snippet = Some(Snippet::build(chunk, &index, &f, std::slice::from_ref(t)));
                if let Some(s) = &mut f.snippet {
                    s.line += line_base;
                }
                f.span = (base as usize + t.span.start)..(base as usize + t.span.end);
                f.path = display();
                f.region = Some(region);
                findings.push(f);
            }
        }
        if at_end {
            break;
        }
        // Keep the overlap; count the lines and the partial line that leave the buffer.
        let mut keep_from = len - overlap;
        // Never split a character: the partial line leaving the buffer is
        // counted in UTF-16 units, and half a character counts as more.
        while keep_from > 0 && (buf[keep_from] & 0xC0) == 0x80 && len - keep_from < overlap + 3 {
            keep_from -= 1;
        }
        if buf[keep_from - 1] == b'\r' && buf[keep_from] == b'\n' {
            keep_from -= 1; // never split a CRLF: it is one line end
        }
        let (ends, last_start) = LineIndex::count_lines(&buf[..keep_from], binary);
        line_base += ends;
        let partial = crate::source::utf16_len(&buf[last_start..keep_from]);
        column_base = if last_start > 0 {
            partial
        } else {
            column_base + partial
        };
        buf.copy_within(keep_from..len, 0);
        carried = len - keep_from;
        base += keep_from as u64;
        if buf.len() < carried + CHUNK {
            buf.resize(carried + CHUNK, 0);
        }
    }
    Ok(Some((findings, total)))
}

/// Shell scripts are parsed only for credential variables assigned in them
/// (CLD110); most scripts name none, and parsing every `*.sh` in a large
/// tree cost about 6% of a scan.
fn names_a_credential(bytes: &[u8]) -> bool {
    static FINDERS: std::sync::OnceLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::OnceLock::new();
    FINDERS
        .get_or_init(|| {
            CREDENTIAL_NAME_PARTS
                .iter()
                .map(|part| memchr::memmem::Finder::new(part.as_bytes()))
                .collect()
        })
        .iter()
        .any(|finder| finder.find(bytes).is_some())
        && crate::assign::CREDENTIAL_VARIABLES
            .iter()
            .any(|name| memchr::memmem::find(bytes, name.as_bytes()).is_some())
}

/// Every credential variable holds one of these: three searches instead of
/// one per variable for the many scripts that name none of them.
const CREDENTIAL_NAME_PARTS: &[&str] = &["ANTHROPIC_", "CLAUDE_CODE_OAUTH_", "AWS_BEARER_TOKEN_"];

fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shell-script gate finds every credential variable.
    #[test]
    fn every_credential_variable_passes_the_gate() {
        for name in crate::assign::CREDENTIAL_VARIABLES {
            assert!(
                names_a_credential(format!("export {name}=x").as_bytes()),
                "{name}"
            );
        }
        assert!(!names_a_credential(b"export PATH=/bin"));
        // Only the variables themselves: a parsed script gets logical
        // locations, so a near miss must not change the report.
        assert!(!names_a_credential(b"export ANTHROPIC_ADMIN_KEY=x"));
    }
}
