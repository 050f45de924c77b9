//! `claudit fleet DIR... [--manifest FILE] --out DIR` and
//! `claudit fleet merge DIR... --out DIR`.
//!
//! A fixed number of workers take repositories one at a time; each scans its
//! repository with the ordinary scan pipeline (one thread per repository),
//! writes `repos/<name>.sarif` and `repos/<name>.json` (the summary and the
//! stamp `--resume` compares), and hands back only the summary. Memory thus
//! follows the worker count, not the fleet size. The roll-up is built from
//! the summaries alone (see `crate::fleet`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};

use super::{ExitCode, TriageArgs, WalkArgs};
use crate::fleet::{self, AuthRow, Repo, RepoSummary, Rollup, Shard};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub command: Option<FleetCommand>,
    /// Folders whose sub-folders are the repositories to scan.
    pub dirs: Vec<PathBuf>,
    /// Repositories listed in a file: TSV `name<TAB>path[<TAB>tag,tag…]`, or `.json` `[{name, path, tags}]`.
    #[arg(long, value_name = "FILE")]
    pub manifest: Vec<PathBuf>,
    /// Output folder: `repos/<name>.sarif`, `fleet.json`, `fleet.md`, `fleet.html`, `run.json`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Configuration for repositories without their own `.claudit.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Scan only shard K of N (1 <= K <= N), chosen by a hash of each repository's name.
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Skip repositories whose outputs match their HEAD (or content), the claudit version and the configuration.
    #[arg(long)]
    pub resume: bool,
    /// Repositories scanned at the same time (default: the number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// `runAutomationDetails.id` of each SARIF run; keep it equal to the PR action's `category`.
    #[arg(long, value_name = "CATEGORY", default_value = "claudit/")]
    pub sarif_category: String,
    /// No progress or summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the repositories this run (and shard) would scan as manifest
    /// lines (`name<TAB>path<TAB>tags`) and exit; clone only those.
    #[arg(long)]
    pub list: bool,
}

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// Combine the outputs of `--shard` runs into one roll-up.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output folders of the shard runs.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Folder to write the merged outputs to.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// No summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: &FleetArgs) -> ExitCode {
    let result = match &args.command {
        Some(FleetCommand::Merge(merge_args)) => merge(merge_args),
        None => scan_fleet(args),
    };
    match result {
        Ok(()) => ExitCode::Clean,
        Err(message) => {
            eprintln!("claudit: error: {message}");
            ExitCode::Fatal
        }
    }
}

/// What every worker needs to scan a repository.
struct Job<'a> {
    out: &'a Path,
    config: Option<&'a Path>,
    category: &'a str,
    resume: bool,
}

/// A finished repository, for the progress line and the counts.
struct Done {
    summary: RepoSummary,
    resumed: bool,
}

fn scan_fleet(args: &FleetArgs) -> Result<(), String> {
    let started = (SystemTime::now(), Instant::now());
    let mut repos = collect_repos(args)?;
    if let Some(out) = &args.out {
        // `claudit fleet . --out audit`: the output folder is not a repository.
        let out = canonical(out);
        repos.retain(|r| canonical(&r.path) != out);
    }
    fleet::check_names(&mut repos)?;
    // A fleet-level config that cannot be used would fail every repository
    // without its own: a usage error, before anything is scanned.
    if let Some(config) = &args.config {
        crate::config::Config::load(Some(config), None)
            .map_err(|e| format!("--config: {}", e.0))?;
    }
    if let Some(shard) = args.shard {
        repos.retain(|r| shard.owns(&r.name));
    }
    if args.list {
        return print_manifest(&repos);
    }
    let out = args
        .out
        .as_deref()
        .ok_or("`claudit fleet` needs --out DIR")?;
    std::fs::create_dir_all(out.join("repos"))
        .map_err(|e| format!("cannot create {}: {e}", out.join("repos").display()))?;
    let workers = args
        .jobs
        .unwrap_or_else(crate::scan::default_threads)
        .clamp(1, repos.len().max(1));
    let job = Job {
        out,
        config: args.config.as_deref(),
        category: &args.sarif_category,
        resume: args.resume,
    };
    let mut progress = Progress::new(repos.len(), args.quiet);
    let done = run_workers(&repos, workers, &job, &mut progress);
    let resumed = done.iter().filter(|d| d.resumed).count();
    let summaries: Vec<RepoSummary> = done.into_iter().map(|d| d.summary).collect();
    let rollup = fleet::rollup(summaries);
    write_rollup(out, &rollup)?;
    let inputs: Vec<String> = args
        .dirs
        .iter()
        .chain(&args.manifest)
        .map(|p| absolute(p))
        .collect();
    let run = RunInfo::new("fleet", started, out, inputs, &rollup, resumed)
        .with_shard(args.shard, workers);
    write_json(&out.join("run.json"), &run)?;
    progress.finish(&rollup, resumed, out);
    Ok(())
}

/// `--list`: the selected repositories as TSV manifest lines on stdout.
fn print_manifest(repos: &[Repo]) -> Result<(), String> {
    use std::io::Write as _;
    let mut text = String::new();
    for r in repos {
        text.push_str(&format!(
            "{}\t{}\t{}\n",
            r.name,
            r.path.display(),
            r.tags.join(",")
        ));
    }
    let mut stdout = std::io::stdout();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write standard output: {e}"))
        }
        _ => Ok(()),
    }
}

fn collect_repos(args: &FleetArgs) -> Result<Vec<Repo>, String> {
    if args.dirs.is_empty() && args.manifest.is_empty() {
        return Err("`claudit fleet` needs a folder of repositories or --manifest FILE".into());
    }
    let mut repos = Vec::new();
    for dir in &args.dirs {
        repos.extend(fleet::repos_in_dir(dir)?);
    }
    for manifest in &args.manifest {
        repos.extend(fleet::repos_in_manifest(manifest)?);
    }
    Ok(repos)
}

/// Scans `repos` with `workers` threads; results come back in completion
/// order and are reported as they arrive.
fn run_workers(repos: &[Repo], workers: usize, job: &Job, progress: &mut Progress) -> Vec<Done> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<Done>();
    let mut done = Vec::with_capacity(repos.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(repo) = repos.get(i) else { break };
                    if tx.send(process_repo(repo, job)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for d in rx {
            progress.repo_done(&d);
            done.push(d);
        }
    });
    done
}

/// What `--resume` compares: the repository's state, the claudit version and
/// the configuration (with the SARIF category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    source: String,
    claudit: String,
    config: String,
}

/// `repos/<name>.json`: the stamp and the summary of the last scan.
#[derive(Debug, Serialize, Deserialize)]
struct RepoState {
    stamp: Stamp,
    summary: RepoSummary,
}

fn process_repo(repo: &Repo, job: &Job) -> Done {
    let stem = fleet::file_stem(&repo.name);
    let state_path = job.out.join("repos").join(format!("{stem}.json"));
    let sarif_path = job.out.join("repos").join(format!("{stem}.sarif"));
    let config = config_for(repo, job.config);
    let stamp = stamp(repo, config.as_deref(), job.category);
    if job.resume
        && let Some(summary) = resumable(&state_path, &sarif_path, &stamp, repo)
    {
        return Done {
            summary,
            resumed: true,
        };
    }
    let summary = match scan_repo(repo, config, job.category, &sarif_path) {
        Ok(summary) => summary,
        Err(reason) => RepoSummary::failed(repo, clean_reason(&reason, repo)),
    };
    if summary.is_ok() {
        let state = RepoState {
            stamp,
            summary: summary.clone(),
        };
        if let Err(e) = write_json(&state_path, &state) {
            return Done {
                summary: RepoSummary::failed(repo, clean_reason(&e, repo)),
                resumed: false,
            };
        }
    } else {
        // A failed repository is scanned again next time, with or without --resume.
        let _ = std::fs::remove_file(&state_path);
        let _ = std::fs::remove_file(&sarif_path);
    }
    Done {
        summary,
        resumed: false,
    }
}

/// A failure reason for the roll-up: one line (a TOML error's first line and
/// its last, without the caret drawing), and no path to the repository, which
/// may be absolute (`fleet.json` has none).
fn clean_reason(reason: &str, repo: &Repo) -> String {
    let lines: Vec<&str> = reason
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut text = match lines.as_slice() {
        [] => String::new(),
        [only] => only.to_string(),
        [first, .., last] => format!("{first}: {last}"),
    };
    let root = canonical(&repo.path);
    for prefix in [
        format!("{}/", repo.path.display()),
        display_prefix(&root),
        format!("{}/", root.display()),
    ] {
        if prefix.len() > 1 {
            text = text.replace(&prefix, "");
        }
    }
    without_absolute_paths(&text)
}

/// Any absolute path left in `text` (the output folder, a fleet-level
/// config, a home folder in an I/O error) shortened to its last component:
/// `fleet.json` holds no absolute path, whatever the error said.
fn without_absolute_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = absolute_start(rest) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | ',' | ';' | ')'))
            .unwrap_or(tail.len());
        // `…/name:` keeps a trailing colon outside the name.
        let path = tail[..end].trim_end_matches([':', '.']);
        let name = path
            .trim_end_matches(['/', '\\'])
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default();
        out.push_str("…/");
        out.push_str(name);
        rest = &tail[path.len()..];
    }
    out.push_str(rest);
    out
}

/// Where the first absolute path in `text` starts: `/x` or `C:\x` / `C:/x`
/// at the start of a word (so `a/b` and `--config` are left alone).
fn absolute_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| {
        let word_start = i == 0
            || bytes[i - 1].is_ascii_whitespace()
            || matches!(bytes[i - 1], b'`' | b'"' | b'\'' | b'(' | b'=');
        if !word_start {
            return false;
        }
        let unix = bytes[i] == b'/' && bytes.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace());
        let drive = bytes[i].is_ascii_alphabetic()
            && bytes.get(i + 1) == Some(&b':')
            && matches!(bytes.get(i + 2), Some(b'/' | b'\\'));
        unix || drive
    })
}

/// The repository's own `.claudit.toml`, else the fleet-level `--config`.
fn config_for(repo: &Repo, fleet_config: Option<&Path>) -> Option<PathBuf> {
    let own = repo.path.join(crate::config::FILE_NAME);
    if own.is_file() {
        Some(own)
    } else {
        fleet_config.map(Path::to_path_buf)
    }
}

fn resumable(
    state_path: &Path,
    sarif_path: &Path,
    stamp: &Stamp,
    repo: &Repo,
) -> Option<RepoSummary> {
    if !sarif_path.is_file() {
        return None;
    }
    let text = std::fs::read_to_string(state_path).ok()?;
    let state: RepoState = serde_json::from_str(&text).ok()?;
    if &state.stamp != stamp || !state.summary.is_ok() || state.summary.name != repo.name {
        return None;
    }
    // Tags come from the current input, not from the last run.
    Some(RepoSummary {
        tags: repo.tags.clone(),
        ..state.summary
    })
}

fn stamp(repo: &Repo, config: Option<&Path>, category: &str) -> Stamp {
    let config_text = config
        .map(|p| std::fs::read(p).unwrap_or_else(|e| format!("unreadable: {e}").into_bytes()))
        .unwrap_or_default();
    let mut config_input = config_text;
    config_input.extend_from_slice(b"\0category=");
    config_input.extend_from_slice(category.as_bytes());
    Stamp {
        source: git_state(&repo.path).unwrap_or_else(|| content_hash(&repo.path)),
        claudit: env!("CARGO_PKG_VERSION").to_string(),
        config: crate::secrets::hash_hex(&config_input),
    }
}

/// `git:<HEAD>` plus, when the work tree is dirty, a hash of `git status`
/// and of every dirty file's path and content (a file edited twice between
/// runs has the same status line both times); `None` when the folder is not
/// a git work tree.
fn git_state(dir: &Path) -> Option<String> {
    if !dir.join(".git").exists() {
        return None;
    }
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| o.stdout)
    };
    let head = git(&["rev-parse", "HEAD"])?;
    let status = git(&["status", "--porcelain", "-z", "--untracked-files=all"])?;
    let head = String::from_utf8_lossy(&head).trim().to_string();
    if status.is_empty() {
        return Some(format!("git:{head}"));
    }
    let mut input = status.clone();
    for rel in dirty_paths(&status) {
        input.push(0);
        input.extend_from_slice(rel.as_bytes());
        input.push(0);
        let path = dir.join(&rel);
        // Content by hash, so a large file costs no more memory than a read.
        match std::fs::read(&path) {
            Ok(bytes) => input.extend_from_slice(crate::secrets::hash_hex(&bytes).as_bytes()),
            Err(_) if path.is_dir() => input.extend_from_slice(&dir_marker(&path)),
            Err(_) => input.extend_from_slice(b"-"),
        }
    }
    Some(format!(
        "git:{head}+{}",
        &crate::secrets::hash_hex(&input)[..16]
    ))
}

/// The paths of `git status --porcelain -z` records (`XY path`, and for a
/// rename or copy a second record holding the original path, skipped).
fn dirty_paths(status: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut records = status.split(|&b| b == 0).filter(|r| !r.is_empty());
    while let Some(record) = records.next() {
        if record.len() < 4 {
            continue;
        }
        out.push(String::from_utf8_lossy(&record[3..]).into_owned());
        if matches!(record[0], b'R' | b'C') {
            records.next();
        }
    }
    out
}

/// A dirty entry that is a folder (a nested repository or submodule): its
/// content hash stands for its files.
fn dir_marker(path: &Path) -> Vec<u8> {
    content_hash(path).into_bytes()
}

/// SHA-256 over every file's relative path and content, in path order.
fn content_hash(dir: &Path) -> String {
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files);
    files.sort();
    let mut input = Vec::new();
    for rel in files {
        input.extend_from_slice(rel.as_bytes());
        input.push(0);
        let bytes = std::fs::read(dir.join(&rel)).unwrap_or_default();
        input.extend_from_slice(crate::secrets::hash_hex(&bytes).as_bytes());
        input.push(0);
    }
    format!("content:{}", crate::secrets::hash_hex(&input))
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_files(root, &path, out);
        } else if kind.is_file()
            && let Ok(rel) = path.strip_prefix(root)
        {
            out.push(rel.to_string_lossy().into_owned());
        }
    }
}

/// Scans one repository, writes its SARIF and returns its summary.
fn scan_repo(
    repo: &Repo,
    config: Option<PathBuf>,
    category: &str,
    sarif_path: &Path,
) -> Result<RepoSummary, String> {
    if !repo.path.is_dir() {
        return Err(match std::fs::metadata(&repo.path) {
            Ok(_) => "not a folder".to_string(),
            Err(e) => format!("cannot read: {}", crate::discover::describe_io(&e)),
        });
    }
    let walk = WalkArgs {
        config,
        exclude: Vec::new(),
        no_ignore: false,
        threads: Some(1),
        max_file_size: 256 * 1024 * 1024,
        max_parse_size: 4 * 1024 * 1024,
        skip_binary: false,
    };
    let mut outcome = super::scan::scan_paths_triaged(
        std::slice::from_ref(&repo.path),
        &walk,
        &TriageArgs::default(),
        true,
        true,
    )?;
    if outcome.stats.files_scanned == 0 && outcome.stats.files_unreadable > 0 {
        let why = outcome
            .notices
            .first()
            .map(|n| n.message.clone())
            .unwrap_or_default();
        return Err(format!("no file could be read: {why}"));
    }
    let root = canonical(&repo.path);
    relativize(&mut outcome, &display_prefix(&root));
    let notifications: Vec<crate::report::sarif::ToolNotification> =
        outcome.notices.iter().map(Into::into).collect();
    // Paths are relative to the repository root, which is `%SRCROOT%`. The
    // file declares that base by description only (`src_root: None`): a
    // per-repository SARIF is the same bytes wherever the fleet ran, and
    // holds no absolute path of the machine that made it.
    let options = crate::report::sarif::SarifOptions {
        category: category.to_string(),
        src_root: None,
        ..Default::default()
    };
    // The SARIF bypasses upload-sarif when it goes through the REST API, so
    // claudit computes primaryLocationLineHash itself, from this repository.
    let read = |rel: &str| std::fs::read(root.join(rel)).ok();
    let results = crate::triage::select(&outcome, false, true);
    let sarif =
        crate::report::sarif::to_sarif_with_line_hashes(&results, &notifications, &options, &read);
    std::fs::write(sarif_path, sarif)
        .map_err(|e| format!("cannot write {}: {e}", sarif_path.display()))?;
    let auth = outcome
        .contexts
        .iter()
        .map(|c| AuthRow {
            context: c.context.clone(),
            location: c.location.clone(),
            credential: c.credential.clone(),
            provider: c.provider.clone(),
            billing: c.billing.clone(),
        })
        .collect();
    Ok(RepoSummary::scanned(
        repo,
        &outcome.findings,
        outcome.stats.files_scanned,
        auth,
    ))
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The prefix the scan put before paths inside `root` (see `discover`):
/// the root relative to the current folder, or the absolute root.
fn display_prefix(root: &Path) -> String {
    let cwd = std::env::current_dir()
        .map(|c| canonical(&c))
        .unwrap_or_default();
    match root.strip_prefix(&cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", rel.to_string_lossy().replace('\\', "/")),
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

/// Makes every path relative to the repository root, as code scanning
/// expects for an upload to that repository.
fn relativize(outcome: &mut crate::scan::ScanOutcome, prefix: &str) {
    if prefix.is_empty() {
        return;
    }
    let strip = |p: &mut String| {
        if let Some(rest) = p.strip_prefix(prefix) {
            *p = rest.to_string();
        }
    };
    // Messages quote paths too (`org/web/.env` sets …).
    let unprefix = |text: &mut String| {
        if text.contains(prefix) {
            *text = text.replace(prefix, "");
        }
    };
    let t = &mut outcome.triage;
    for f in outcome
        .findings
        .iter_mut()
        .chain(t.outside_diff.iter_mut())
        .chain(t.suppressed.iter_mut())
        .chain(t.suppressed_outside_diff.iter_mut())
    {
        strip(&mut f.path);
        unprefix(&mut f.message);
        for r in &mut f.related {
            strip(&mut r.path);
            unprefix(&mut r.message);
        }
    }
    for n in &mut outcome.notices {
        strip(&mut n.path);
        unprefix(&mut n.message);
    }
    for c in &mut outcome.contexts {
        strip(&mut c.location);
        unprefix(&mut c.context);
    }
}

fn write_rollup(out: &Path, rollup: &Rollup) -> Result<(), String> {
    write_json(&out.join("fleet.json"), rollup)?;
    write_text(&out.join("fleet.md"), &fleet::render::markdown(rollup))?;
    write_text(&out.join("fleet.html"), &fleet::render::html(rollup))
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| format!("cannot serialise {}: {e}", path.display()))?;
    text.push('\n');
    write_text(path, &text)
}

fn write_text(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// `run.json`: what `fleet.json` leaves out on purpose (times, absolute paths).
#[derive(Debug, Serialize)]
struct RunInfo {
    version: u32,
    command: &'static str,
    claudit_version: &'static str,
    started_unix: u64,
    duration_ms: u128,
    out: String,
    inputs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workers: Option<usize>,
    repositories: usize,
    scanned: usize,
    resumed: usize,
    failed: usize,
}

impl RunInfo {
    fn new(
        command: &'static str,
        (started, clock): (SystemTime, Instant),
        out: &Path,
        inputs: Vec<String>,
        rollup: &Rollup,
        resumed: usize,
    ) -> RunInfo {
        RunInfo {
            version: fleet::FLEET_VERSION,
            command,
            claudit_version: env!("CARGO_PKG_VERSION"),
            started_unix: started
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            duration_ms: clock.elapsed().as_millis(),
            out: absolute(out),
            inputs,
            shard: None,
            workers: None,
            repositories: rollup.totals.repositories,
            scanned: rollup.totals.scanned.saturating_sub(resumed),
            resumed,
            failed: rollup.totals.failed,
        }
    }

    fn with_shard(mut self, shard: Option<Shard>, workers: usize) -> RunInfo {
        self.shard = shard.map(|s| format!("{}/{}", s.index, s.count));
        self.workers = Some(workers);
        self
    }
}

/// Progress on stderr: a progress bar (`indicatif`) when stderr is a
/// terminal, one plain line per repository when it is not, nothing with
/// --quiet. Failed repositories get a line of their own on a terminal too.
struct Progress {
    total: usize,
    done: usize,
    quiet: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "claudit: fleet {bar:30} {pos}/{len} {per_sec} eta {eta} {wide_msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            total,
            done: 0,
            quiet,
            bar,
        }
    }

    fn repo_done(&mut self, d: &Done) {
        self.done += 1;
        if self.quiet {
            return;
        }
        let s = &d.summary;
        let what = if !s.is_ok() {
            format!("failed: {}", s.reason.as_deref().unwrap_or_default())
        } else {
            let unchanged = if d.resumed {
                " (unchanged, skipped)"
            } else {
                ""
            };
            format!(
                "{} error, {} warning, {} note{unchanged}",
                s.findings.error, s.findings.warning, s.findings.note
            )
        };
        let line = format!(
            "claudit: fleet [{}/{}] {}: {what}",
            self.done, self.total, s.name
        );
        match &self.bar {
            Some(bar) => {
                if !s.is_ok() {
                    bar.println(&line);
                }
                bar.set_message(s.name.clone());
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self, rollup: &Rollup, resumed: usize, out: &Path) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.quiet {
            return;
        }
        let t = &rollup.totals;
        eprintln!(
            "claudit: fleet: {} repositories ({} scanned, {resumed} unchanged, {} failed), {} findings ({} error, {} warning, {} note); roll-up in {}",
            t.repositories,
            t.scanned.saturating_sub(resumed),
            t.failed,
            t.findings,
            t.by_severity.error,
            t.by_severity.warning,
            t.by_severity.note,
            out.join("fleet.md").display()
        );
    }
}

/// `claudit fleet merge`: the summaries of every shard's `fleet.json`, their
/// SARIF and state files copied, and the roll-up rebuilt from the summaries.
fn merge(args: &MergeArgs) -> Result<(), String> {
    let started = (SystemTime::now(), Instant::now());
    let repos_out = args.out.join("repos");
    std::fs::create_dir_all(&repos_out)
        .map_err(|e| format!("cannot create {}: {e}", repos_out.display()))?;
    let mut summaries: Vec<RepoSummary> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for dir in &args.dirs {
        let path = dir.join("fleet.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let part: Rollup =
            serde_json::from_str(&text).map_err(|e| format!("invalid {}: {e}", path.display()))?;
        if part.version != fleet::FLEET_VERSION {
            return Err(format!(
                "{} has version {}, this claudit reads version {}",
                path.display(),
                part.version,
                fleet::FLEET_VERSION
            ));
        }
        for summary in part.repositories {
            if !seen.insert(summary.name.clone()) {
                return Err(format!(
                    "repository `{}` appears in more than one input",
                    summary.name
                ));
            }
            copy_repo_files(dir, &args.out, &summary)?;
            summaries.push(summary);
        }
    }
    let rollup = fleet::rollup(summaries);
    write_rollup(&args.out, &rollup)?;
    let inputs = args.dirs.iter().map(|p| absolute(p)).collect();
    let run = RunInfo::new("merge", started, &args.out, inputs, &rollup, 0);
    write_json(&args.out.join("run.json"), &run)?;
    if !args.quiet {
        let t = &rollup.totals;
        eprintln!(
            "claudit: fleet merge: {} repositories ({} failed), {} findings; roll-up in {}",
            t.repositories,
            t.failed,
            t.findings,
            args.out.join("fleet.md").display()
        );
    }
    Ok(())
}

fn copy_repo_files(from: &Path, to: &Path, summary: &RepoSummary) -> Result<(), String> {
    if !summary.is_ok() {
        return Ok(());
    }
    let stem = fleet::file_stem(&summary.name);
    for ext in ["sarif", "json"] {
        let name = format!("{stem}.{ext}");
        let src = from.join("repos").join(&name);
        let dst = to.join("repos").join(&name);
        if canonical(&src) == canonical(&dst) {
            continue;
        }
        if ext == "json" && !src.is_file() {
            continue;
        }
        std::fs::copy(&src, &dst)
            .map_err(|e| format!("cannot copy {} to {}: {e}", src.display(), dst.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relativize_strips_the_repository_prefix() {
        let mut outcome = crate::scan::ScanOutcome::default();
        let mut f = crate::finding::Finding::new(
            "CLD101",
            crate::finding::Severity::Error,
            crate::finding::Confidence::High,
        );
        f.path = "org/web/.env".to_string();
        f.message = "`org/web/.env` sets a key".to_string();
        outcome.findings.push(f);
        relativize(&mut outcome, "org/web/");
        assert_eq!(outcome.findings[0].path, ".env");
        assert_eq!(outcome.findings[0].message, "`.env` sets a key");
    }

    #[test]
    fn failure_reasons_are_one_line_without_the_repository_path() {
        let repo = Repo {
            name: "web".to_string(),
            path: PathBuf::from("/srv/org/web"),
            tags: Vec::new(),
        };
        let reason = "invalid config /srv/org/web/.claudit.toml: TOML parse error at line 1\n  |\n1 | x = =\n  |     ^\nextra `=`\n";
        assert_eq!(
            clean_reason(reason, &repo),
            "invalid config .claudit.toml: TOML parse error at line 1: extra `=`"
        );
    }

    #[test]
    fn failure_reasons_hold_no_absolute_path() {
        let repo = Repo {
            name: "web".to_string(),
            path: PathBuf::from("/srv/org/web"),
            tags: Vec::new(),
        };
        for (reason, want) in [
            (
                "invalid config /etc/claudit/fleet.toml: TOML parse error",
                "invalid config …/fleet.toml: TOML parse error",
            ),
            (
                "cannot write /home/me/out/repos/web.json: No space left",
                "cannot write …/web.json: No space left",
            ),
            (
                "cannot read `C:\\Users\\me\\x.toml`",
                "cannot read `…/x.toml`",
            ),
            ("see app/.env and --config", "see app/.env and --config"),
        ] {
            let clean = clean_reason(reason, &repo);
            assert_eq!(clean, want);
            assert!(!clean.contains("/home") && !clean.contains("/etc"));
        }
    }

    #[test]
    fn dirty_paths_skip_rename_sources() {
        let status = b" M a.txt\0R  new.txt\0old.txt\0?? dir/b c.env\0";
        assert_eq!(dirty_paths(status), ["a.txt", "new.txt", "dir/b c.env"]);
    }

    #[test]
    fn content_hash_changes_with_content() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "one").unwrap();
        let before = content_hash(dir.path());
        assert_eq!(before, content_hash(dir.path()));
        std::fs::write(dir.path().join("a.txt"), "two").unwrap();
        assert_ne!(before, content_hash(dir.path()));
    }
}
