//! `claudit env [PATH...]`: every execution context found, with the provider
//! and credential Claude Code would use there, how that bills, the base URL,
//! what is shadowed and why, each with file:line provenance. Values are
//! redacted. The answer to "why is my CI hitting Bedrock?".

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{ExitCode, WalkArgs};
use crate::config::Config;
use crate::env::summary::{BindingSummary, ContextSummary, is_configured, summarize};
use crate::env::{Workspace, contexts};
use crate::scan::{self, ScanOptions};

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Files or folders to read (default: the current folder).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EnvFormat::Text)]
    pub format: EnvFormat,
    /// Also list contexts that set no auth or routing variable.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub walk: WalkArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvFormat {
    Text,
    Json,
}

/// The JSON document (`--format json`).
#[derive(Debug, Serialize)]
pub struct EnvReport {
    pub version: u32,
    pub contexts: Vec<ContextSummary>,
}

pub fn run(args: &EnvArgs) -> ExitCode {
    match report(args) {
        Ok((report, files)) => {
            let rendered = match args.format {
                EnvFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
                    s.push('\n');
                    s
                }
                EnvFormat::Text => render_text(&report.contexts),
            };
            let mut stdout = anstream::stdout();
            if let Err(e) = stdout
                .write_all(rendered.as_bytes())
                .and_then(|_| stdout.flush())
            {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("claudit: error: cannot write standard output: {e}");
                }
                return ExitCode::Fatal;
            }
            if files == 0 {
                ExitCode::NothingScanned
            } else {
                ExitCode::Clean
            }
        }
        Err(message) => {
            eprintln!("claudit: error: {message}");
            ExitCode::Fatal
        }
    }
}

/// Reads the paths and summarises every context; also returns the number of files read.
pub fn report(args: &EnvArgs) -> Result<(EnvReport, usize), String> {
    let (config, _) = Config::load(
        args.walk.config.as_deref(),
        args.paths.first().map(|p| p.as_path()),
    )
    .map_err(|e| e.0)?;
    let mut excludes = config.exclude.clone();
    excludes.extend(args.walk.exclude.iter().cloned());
    let opts = ScanOptions {
        paths: args.paths.clone(),
        threads: args
            .walk
            .threads
            .unwrap_or_else(scan::default_threads)
            .max(1),
        no_ignore: args.walk.no_ignore,
        excludes,
        max_file_size: args.walk.max_file_size,
        max_parse_size: args.walk.max_parse_size.min(args.walk.max_file_size),
        skip_binary: args.walk.skip_binary,
        policy: config.policy.clone(),
        ..ScanOptions::default()
    };
    let (outcome, project) = scan::scan_project(&opts).map_err(|e| e.0)?;
    let ws = Workspace::new(&project);
    let mut summaries: Vec<ContextSummary> = contexts(&ws)
        .iter()
        .filter(|c| args.all || is_configured(c))
        .map(|c| {
            let findings = crate::checks::auth::context_findings(c, config.policy.as_ref());
            summarize(c, &findings)
        })
        .collect();
    summaries.sort_by(|a, b| (&a.file, a.line, &a.name).cmp(&(&b.file, b.line, &b.name)));
    Ok((
        EnvReport {
            version: 1,
            contexts: summaries,
        },
        outcome.stats.files_scanned,
    ))
}

/// The text report: one block per context.
pub fn render_text(contexts: &[ContextSummary]) -> String {
    let mut out = String::new();
    if contexts.is_empty() {
        out.push_str("No execution context sets Claude Code auth or routing variables.\n");
        return out;
    }
    for c in contexts {
        render_context(&mut out, c);
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} context(s). Values are redacted; `claudit scan` reports the findings with their locations.",
        contexts.len()
    );
    out
}

fn render_context(out: &mut String, c: &ContextSummary) {
    let mut tags = vec![c.kind.as_str().to_string()];
    if c.ci {
        tags.push("CI".to_string());
    }
    let _ = writeln!(
        out,
        "{}:{}  {}  [{}]",
        c.file,
        c.line,
        c.name,
        tags.join(", ")
    );
    let mut provider = c.provider.display.clone();
    if let Some(b) = &c.provider.set_by {
        let _ = write!(provider, " — {}", origin(b));
    }
    field(out, "provider", &provider);
    if let Some(note) = &c.provider.note {
        field(out, "", note);
    }
    let credential = match &c.credential.source {
        Some(b) => format!("{} — {}", c.credential.kind.as_str(), origin(b)),
        None => c.credential.kind.as_str().to_string(),
    };
    field(out, "credential", &credential);
    field(out, "billing", &c.credential.billing);
    match &c.base_url {
        Some(b) => field(out, "base URL", &origin(b)),
        None if c.provider.name == "anthropic" => {
            field(out, "base URL", "https://api.anthropic.com (default)")
        }
        None => {}
    }
    for n in &c.not_used {
        field(
            out,
            "not used",
            &format!("{} — {}: {}", n.what, origin(&n.binding), n.reason),
        );
    }
    if !c.variables.is_empty() {
        field(out, "variables", "");
        let width = c.variables.iter().map(|v| v.name.len()).max().unwrap_or(0);
        for v in &c.variables {
            let _ = writeln!(
                out,
                "    {:width$} = {}  ({}, {})",
                v.name,
                v.value.value,
                v.value.layer,
                v.value.at()
            );
            for s in &v.shadows {
                let _ = writeln!(
                    out,
                    "    {:width$}   overrides {}  ({}, {})",
                    "",
                    s.value,
                    s.layer,
                    s.at()
                );
            }
        }
    }
    for f in &c.findings {
        field(
            out,
            "finding",
            &format!("{} {}: {}", f.severity, f.rule_id, f.message),
        );
    }
}

fn field(out: &mut String, label: &str, value: &str) {
    let label = if label.is_empty() {
        String::new()
    } else {
        format!("{label}:")
    };
    if value.is_empty() {
        let _ = writeln!(out, "  {label}");
    } else {
        let _ = writeln!(out, "  {label:11} {value}");
    }
}

/// "`anthropic_api_key` (claude-code-action input) at .github/workflows/x.yml:24"
fn origin(b: &BindingSummary) -> String {
    let value = if b.presence == crate::env::Presence::Unset {
        String::new()
    } else {
        format!(" = {}", b.value)
    };
    format!("`{}`{value} ({}, {})", b.written, b.layer, b.at())
}
