//! Writing a scan's results in the chosen format, shared by `scan` and `demo`.

use std::io::{IsTerminal, Write};

use super::{ColorChoice, ExitCode, Format, OutputArgs, ReportFormat};
use crate::report;
use crate::scan::ScanOutcome;

/// Writes `text` to standard output. A closed pipe (`claudit rules | head`)
/// ends the output quietly instead of panicking the way `print!` does.
pub fn print_stdout(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}

/// Which findings beyond the reported ones a report shows (triage).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    /// `--include-suppressed`: also suppressed and baselined findings.
    pub include_suppressed: bool,
    /// SARIF keeps findings outside the `--diff-base` diff (unless `--diff-sarif`).
    pub whole_tree_sarif: bool,
}

impl Default for View {
    fn default() -> Self {
        View {
            include_suppressed: false,
            whole_tree_sarif: true,
        }
    }
}

/// Renders `outcome`, writes it to stdout or `--output`, prints notices and the
/// summary on stderr, and returns the exit code the findings call for.
pub fn emit(outcome: &ScanOutcome, args: &OutputArgs) -> ExitCode {
    emit_with(outcome, args, &View::default())
}

/// [`emit`] with a triage view.
pub fn emit_with(outcome: &ScanOutcome, args: &OutputArgs, view: &View) -> ExitCode {
    let to_file = args.output.is_some();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let rendered = render(args.format, outcome, args, view, color);
    for extra in &args.report {
        let text = match extra.format {
            ReportFormat::Main(format) => render(format, outcome, args, view, false),
            ReportFormat::Counts => counts(outcome),
        };
        if let Err(e) = std::fs::write(&extra.path, text.as_bytes()) {
            eprintln!("claudit: error: cannot write {}: {e}", extra.path.display());
            return ExitCode::Fatal;
        }
    }
    let written = match &args.output {
        Some(path) => {
            std::fs::write(path, rendered.as_bytes()).map_err(|e| (path.display().to_string(), e))
        }
        None => {
            // The choice is made above: `anstream::stdout()` would strip the
            // colour of `--color always` whenever stdout is not a terminal.
            let choice = if color {
                anstream::ColorChoice::Always
            } else {
                anstream::ColorChoice::Never
            };
            let mut stdout = anstream::AutoStream::new(std::io::stdout().lock(), choice);
            stdout
                .write_all(rendered.as_bytes())
                .and_then(|_| stdout.flush())
                .map_err(|e| ("standard output".to_string(), e))
        }
    };
    if let Err((target, e)) = written {
        // A closed pipe (`| head`) is not worth a message, but it is not success either.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("claudit: error: cannot write {target}: {e}");
        }
        return ExitCode::Fatal;
    }
    if !args.quiet {
        for n in &outcome.notices {
            eprintln!("{}", report::text::render_notice(n));
        }
        eprintln!(
            "{}{}",
            report::summary_line(&outcome.findings, &outcome.notices, &outcome.stats),
            outcome.triage.summary_suffix(outcome.stats.files_unchanged)
        );
    }
    exit_code(outcome, args)
}

/// One report in `format`. SARIF covers the whole tree unless `--diff-sarif`;
/// the others show what the gate counts.
fn render(
    format: Format,
    outcome: &ScanOutcome,
    args: &OutputArgs,
    view: &View,
    color: bool,
) -> String {
    let shown = crate::triage::select(outcome, view.include_suppressed, false);
    match format {
        Format::Text => report::text::render(&shown, color),
        Format::Json => report::json::render(&shown, &outcome.notices, &outcome.stats),
        Format::Sarif => sarif(outcome, args, view),
        Format::Github => report::github::to_github(&shown),
        Format::Markdown => report::markdown::render(
            &shown,
            &outcome.stats,
            &report::markdown::MarkdownOptions {
                link_base: args.link_base.clone(),
                visible_rows: report::markdown::DEFAULT_VISIBLE_ROWS,
                contexts: outcome.contexts.clone(),
                hidden: hidden_by_triage(outcome, view),
                max_bytes: report::markdown::MAX_BYTES,
            },
        ),
    }
}

/// What triage kept out of a gate-narrowed report, for the markdown summary.
fn hidden_by_triage(outcome: &ScanOutcome, view: &View) -> report::markdown::Hidden {
    let t = &outcome.triage;
    let suppressed = !view.include_suppressed;
    report::markdown::Hidden {
        baselined: if suppressed { t.baselined } else { 0 },
        ignored: if suppressed { t.ignored } else { 0 },
        allowlisted: if suppressed { t.allowlisted } else { 0 },
        below_threshold: t.below_threshold,
        outside_diff: t.outside_diff.len(),
        diff_reference: t.diff.as_ref().map(|d| d.reference.clone()),
        diff_unavailable: outcome.stats.diff_base_unavailable.clone(),
    }
}

/// One SARIF run, or with [`OutputArgs::sarif_runs`] one run per group of
/// paths (each image of `claudit image`), each with its own category.
fn sarif(outcome: &ScanOutcome, args: &OutputArgs, view: &View) -> String {
    let results = crate::triage::select(outcome, view.include_suppressed, view.whole_tree_sarif);
    // Line hashes let uploads that bypass upload-sarif (the REST API) keep
    // alerts stable; only files with findings are read again, and content
    // that is not on disk (image layers) was hashed when it was scanned.
    let read = |path: &str| std::fs::read(path).ok();
    // Display paths are relative to the working directory: `%SRCROOT%`.
    let src_root = std::env::current_dir()
        .ok()
        .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
        .map(|d| report::sarif::dir_uri(&d));
    let run =
        |findings: &[crate::finding::Finding], notices: &[&crate::scan::Notice], category: &str| {
            let mut notifications: Vec<report::sarif::ToolNotification> =
                notices.iter().map(|n| (*n).into()).collect();
            if let Some(why) = &outcome.stats.diff_base_unavailable {
                notifications.push(report::sarif::ToolNotification {
                    level: crate::finding::Severity::Warning,
                    message: format!("--diff-base: {why}; scanned and reported everything"),
                    path: None,
                });
            }
            let options = report::sarif::SarifOptions {
                category: category.to_string(),
                custom_rules: outcome.custom_rules.clone(),
                src_root: src_root.clone(),
                ..Default::default()
            };
            report::sarif::to_sarif_with_known_line_hashes(
                findings,
                &notifications,
                &options,
                &read,
                &outcome.line_hashes,
            )
        };
    if args.sarif_runs.is_empty() {
        let notices: Vec<&crate::scan::Notice> = outcome.notices.iter().collect();
        return run(&results, &notices, &args.sarif_category);
    }
    // Runs with the same category are one run.
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for r in &args.sarif_runs {
        match groups.iter_mut().find(|(c, _)| *c == r.category) {
            Some((_, prefixes)) => prefixes.push(&r.path_prefix),
            None => groups.push((&r.category, vec![&r.path_prefix])),
        }
    }
    let owner = |path: &str| {
        groups
            .iter()
            .position(|(_, prefixes)| prefixes.iter().any(|p| path.starts_with(p)))
            .unwrap_or(0)
    };
    let mut log: Option<serde_json::Value> = None;
    let mut runs = Vec::new();
    for (i, (category, _)) in groups.iter().enumerate() {
        let findings: Vec<crate::finding::Finding> = results
            .iter()
            .filter(|f| owner(&f.path) == i)
            .cloned()
            .collect();
        let notices: Vec<&crate::scan::Notice> = outcome
            .notices
            .iter()
            .filter(|n| owner(&n.path) == i)
            .collect();
        let text = run(&findings, &notices, category);
        let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(&text) else {
            return text;
        };
        if let Some(serde_json::Value::Array(r)) = doc.get_mut("runs").map(serde_json::Value::take)
        {
            runs.extend(r);
        }
        log.get_or_insert(doc);
    }
    let mut log = log.unwrap_or_default();
    log["runs"] = serde_json::Value::Array(runs);
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

/// `findings=N`, `errors=N`, `warnings=N`, `notes=N`: what the gate counts,
/// in the `key=value` form of `$GITHUB_OUTPUT`.
fn counts(outcome: &ScanOutcome) -> String {
    let shown = crate::triage::select(outcome, false, false);
    let c = report::SeverityCounts::of(&shown);
    format!(
        "findings={}\nerrors={}\nwarnings={}\nnotes={}\n",
        shown.len(),
        c.error,
        c.warning,
        c.note
    )
}

pub fn exit_code(outcome: &ScanOutcome, args: &OutputArgs) -> ExitCode {
    if outcome.stats.files_scanned == 0 && outcome.stats.files_unchanged == 0 {
        return ExitCode::NothingScanned;
    }
    // Unused or invalid ignores and expired baseline entries are notes.
    let triage_notes = outcome
        .notices
        .iter()
        .any(|n| crate::triage::is_triage_notice(n.kind));
    if triage_notes && args.fail_on.threshold() == Some(crate::finding::Severity::Note) {
        return ExitCode::Findings;
    }
    match args.fail_on.threshold() {
        Some(min) if outcome.findings.iter().any(|f| f.severity >= min) => ExitCode::Findings,
        _ => ExitCode::Clean,
    }
}
