//! `claudit scan [PATH...]`

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{ExitCode, ScanArgs, TriageArgs, WalkArgs, output};
use crate::config::Config;
use crate::scan::{self, ScanOptions, ScanOutcome};
use crate::triage::{self, baseline::Baseline, diff};

pub fn run(args: &ScanArgs) -> ExitCode {
    let outcome = if args.history.history {
        super::history::scan_history(args)
    } else if args.paths.len() == 1 && args.paths[0] == Path::new("-") {
        scan_stdin(args)
    } else {
        scan_paths_triaged(
            &args.paths,
            &args.walk,
            &args.triage,
            needs_whole_tree(args),
            needs_contexts(args),
        )
    };
    let view = output::View {
        include_suppressed: args.triage.include_suppressed,
        whole_tree_sarif: !args.triage.diff_sarif,
    };
    match outcome {
        Ok(outcome) => {
            let code = output::emit_with(&outcome, &args.output, &view);
            crate::timings::mark("written");
            // The process ends next: freeing every finding one by one would
            // only delay the exit.
            std::mem::forget(outcome);
            code
        }
        Err(message) => {
            eprintln!("claudit: error: {message}");
            ExitCode::Fatal
        }
    }
}

fn scan_stdin(args: &ScanArgs) -> Result<ScanOutcome, String> {
    let (config, config_path) = Config::load(args.walk.config.as_deref(), None).map_err(|e| e.0)?;
    let custom = config.custom_token_rules()?;
    let mut bytes = Vec::new();
    // One byte more than the limit tells an input over it from one at it.
    let limit = args.walk.max_file_size;
    std::io::stdin()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let skipped = if bytes.len() as u64 > limit {
        Some(format!(
            "skipped: standard input is over --max-file-size ({limit} bytes)"
        ))
    } else if args.walk.skip_binary && scan::is_binary(&bytes) {
        Some("skipped: binary file (--skip-binary)".to_string())
    } else {
        None
    };
    let mut outcome = match skipped {
        // Reported like a skipped file of a walk, never cut short silently.
        Some(message) => ScanOutcome {
            notices: vec![scan::Notice {
                path: args.stdin_path.clone(),
                line: None,
                column: None,
                kind: scan::NoticeKind::Skipped,
                message,
            }],
            stats: scan::Stats {
                files_skipped: 1,
                ..scan::Stats::default()
            },
            ..ScanOutcome::default()
        },
        None => scan::scan_bytes_with(&args.stdin_path, &bytes, custom.as_ref()),
    };
    outcome.custom_rules = config.custom_rule_meta();
    config.apply(&mut outcome.findings);
    if args.triage.diff_base.is_some() && !args.output.quiet {
        eprintln!(
            "claudit: warning: --diff-base does not apply to standard input; reporting everything"
        );
    }
    let triage_args = TriageArgs {
        diff_base: None,
        ..args.triage.clone()
    };
    let settings = settings_for(&config_path, &[], &triage_args, None)?;
    triage::apply(&mut outcome, &config, &settings)?;
    Ok(outcome)
}

/// Loads the configuration, scans, and applies the configuration's filters
/// and the default triage (inline and config ignores).
pub fn scan_paths(paths: &[PathBuf], walk: &WalkArgs) -> Result<ScanOutcome, String> {
    scan_paths_triaged(paths, walk, &TriageArgs::default(), true, true)
}

/// Only the markdown report shows each context's auth; working the contexts
/// out again after the checks is skipped for the other formats.
fn needs_contexts(args: &ScanArgs) -> bool {
    use super::{Format, ReportFormat};
    args.output.format == Format::Markdown
        || args
            .output
            .report
            .iter()
            .any(|r| r.format == ReportFormat::Main(Format::Markdown))
}

/// A whole-tree SARIF is asked for (the default with `--diff-base`, so that
/// code scanning does not close alerts in untouched files): then unchanged
/// files must be read too, and `--diff-base` narrows only the other reports.
fn needs_whole_tree(args: &ScanArgs) -> bool {
    use super::{Format, ReportFormat};
    let sarif = args.output.format == Format::Sarif
        || args
            .output
            .report
            .iter()
            .any(|r| r.format == ReportFormat::Main(Format::Sarif));
    sarif && !args.triage.diff_sarif
}

/// [`scan_paths`] with triage options. `whole_tree` reads unchanged files
/// even with `--diff-base` (a whole-tree SARIF needs them).
pub fn scan_paths_triaged(
    paths: &[PathBuf],
    walk: &WalkArgs,
    triage_args: &TriageArgs,
    whole_tree: bool,
    contexts: bool,
) -> Result<ScanOutcome, String> {
    if paths.iter().any(|p| p == Path::new("-")) {
        return Err("`-` (stdin) cannot be combined with other paths".to_string());
    }
    // git works out the diff while the config loads and the tree is walked.
    let pending = triage_args
        .diff_base
        .as_ref()
        .map(|reference| Arc::new(diff::PendingDiff::start(git_dir(paths), reference.clone())));
    // Both ask git for the work tree's top level: they run side by side.
    // File arguments in a git work tree: walk the work tree for context,
    // report only the paths given.
    let (loaded, file_scope) = std::thread::scope(|scope| {
        let config = scope
            .spawn(|| Config::load(walk.config.as_deref(), paths.first().map(|p| p.as_path())));
        let file_scope = crate::discover::file_scope(paths);
        let config = config
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (config, file_scope)
    });
    let (config, config_path) = loaded.map_err(|e| e.0)?;
    let mut excludes = config.exclude.clone();
    excludes.extend(walk.exclude.iter().cloned());
    let scope = file_scope
        .as_ref()
        .map(|s| diff::ChangedFiles::given(s.files.iter().cloned(), s.folders.clone()));
    let opts = ScanOptions {
        paths: file_scope
            .as_ref()
            .map(|s| s.roots.clone())
            .unwrap_or_else(|| paths.to_vec()),
        scope: scope.clone().map(Arc::new),
        force_include: file_scope.map(|s| s.files).unwrap_or_default(),
        threads: walk.threads.unwrap_or_else(scan::default_threads).max(1),
        no_ignore: walk.no_ignore,
        excludes,
        max_file_size: walk.max_file_size,
        max_parse_size: walk.max_parse_size.min(walk.max_file_size),
        skip_binary: walk.skip_binary,
        custom: config.custom_token_rules()?.map(Arc::new),
        only_changed: pending.clone().filter(|_| !whole_tree),
        policy: config.policy.clone(),
    };
    crate::timings::mark("config loaded");
    let (mut outcome, project) = scan::scan_project(&opts).map_err(|e| e.0)?;
    if contexts {
        outcome.contexts = context_rows(&project, config.policy.as_ref());
    }
    // Freeing every parsed file takes milliseconds that the report need not
    // wait for.
    std::thread::spawn(move || drop(project));
    outcome.custom_rules = config.custom_rule_meta();
    config.apply(&mut outcome.findings);
    let changed = match pending.as_deref().map(changed_files) {
        Some(Err(why)) => {
            outcome.stats.diff_base_unavailable = Some(why);
            None
        }
        Some(Ok(changed)) => Some(changed),
        None => None,
    };
    let mut settings = settings_for(&config_path, paths, triage_args, changed)?;
    settings.scope = scope;
    triage::apply(&mut outcome, &config, &settings)?;
    crate::timings::mark("triaged");
    Ok(outcome)
}

/// The folder git runs in: the first scan path, or a file's folder.
fn git_dir(paths: &[PathBuf]) -> PathBuf {
    let first = paths
        .first()
        .map(PathBuf::as_path)
        .unwrap_or(Path::new("."));
    if first.is_dir() {
        return first.to_path_buf();
    }
    first
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// The changed files for `--diff-base`, or why git could not tell: then
/// everything was scanned and is reported. The warning is printed even with
/// `--quiet` (the gate then covers the whole tree, which the user must know),
/// and recorded in the JSON summary and the SARIF notifications.
fn changed_files(pending: &diff::PendingDiff) -> Result<diff::ChangedFiles, String> {
    match pending.get() {
        diff::DiffBase::Changed(changed) => Ok(changed.clone()),
        diff::DiffBase::Unavailable(why) => {
            eprintln!("claudit: warning: --diff-base: {why}; scanning and reporting everything");
            Err(why.clone())
        }
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Folder a scan path stands for: itself, or a file's parent.
fn root_dir(path: &Path) -> PathBuf {
    let abs = canonical(path);
    if abs.is_dir() {
        abs
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    }
}

/// Triage settings from the CLI flags, the config's location and the scan roots.
pub fn settings_for(
    config_path: &Option<PathBuf>,
    paths: &[PathBuf],
    args: &TriageArgs,
    changed: Option<diff::ChangedFiles>,
) -> Result<triage::Settings, String> {
    let cwd = canonical(
        &std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?,
    );
    let config_dir = match (config_path, paths.first()) {
        (Some(config), _) => root_dir(config),
        (None, Some(first)) => root_dir(first),
        (None, None) => cwd.clone(),
    };
    let scanned_config_dir = paths
        .iter()
        .any(|p| canonical(p).is_dir() && canonical(p) == config_dir);
    let baseline = match &args.baseline {
        Some(path) => Some((path.display().to_string(), Baseline::load(path)?)),
        None => None,
    };
    Ok(triage::Settings {
        no_ignores: args.no_ignores,
        min_severity: args.min_severity,
        min_confidence: args.min_confidence,
        baseline,
        today: None,
        changed,
        scope: None,
        config_display: config_path.as_ref().map(|p| p.display().to_string()),
        cwd,
        config_dir,
        scanned_config_dir,
    })
}

/// One row per configured execution context: its effective credential,
/// provider and billing, for the markdown summary.
fn context_rows(
    project: &crate::project::Project,
    policy: Option<&crate::env::policy::Policy>,
) -> Vec<crate::report::markdown::ContextRow> {
    use crate::env::summary::{is_configured, summarize};
    let ws = crate::env::Workspace::new(project);
    let mut rows: Vec<(String, usize, crate::report::markdown::ContextRow)> =
        crate::env::contexts(&ws)
            .iter()
            .filter(|c| is_configured(c))
            .map(|c| {
                let findings = crate::checks::auth::context_findings(c, policy);
                let s = summarize(c, &findings);
                let row = crate::report::markdown::ContextRow {
                    context: format!("{} {}", s.kind.as_str(), s.name),
                    location: format!("{}:{}", s.file, s.line),
                    credential: s.credential.kind.as_str().to_string(),
                    provider: s.provider.display.clone(),
                    billing: s.credential.billing.clone(),
                };
                (s.file, s.line, row)
            })
            .collect();
    rows.sort_by(|a, b| (&a.0, a.1, &a.2.context).cmp(&(&b.0, b.1, &b.2.context)));
    rows.into_iter().map(|(_, _, r)| r).collect()
}
