//! Command-line interface: one file per subcommand. `main.rs` maps the
//! returned [`ExitCode`] to the process exit status.

pub mod baseline;
pub mod demo;
pub mod env;
pub mod explain;
pub mod fleet;
pub mod history;
pub mod image;
pub mod output;
pub mod rules;
pub mod scan;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use clap::builder::{PossibleValuesParser, TypedValueParser};

use crate::finding::{Confidence, Severity};

/// Exit codes, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// No finding at or above `--fail-on`.
    Clean = 0,
    /// Findings at or above `--fail-on`.
    Findings = 1,
    /// Usage error or fatal I/O error.
    Fatal = 2,
    /// Zero files were read.
    NothingScanned = 3,
}

#[derive(Debug, Parser)]
#[command(
    name = "claudit",
    version,
    about = "Finds leaked Anthropic credentials and Claude Code misconfiguration; reports SARIF for GitHub code scanning.",
    after_help = "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or fatal error, 3 no file was read."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and folders (default: the current folder; `-` reads stdin).
    Scan(ScanArgs),
    /// Write the bundled demo repository to a temporary folder and scan it.
    Demo(DemoArgs),
    /// List the rule catalog, one line per rule.
    Rules(RulesArgs),
    /// Explain a rule: what it finds, why it matters, how to fix it.
    Explain(ExplainArgs),
    /// Record today's findings in a baseline file (fingerprints, never secrets).
    Baseline(BaselineArgs),
    /// Show each execution context's effective auth and routing: provider, credential, billing, base URL.
    Env(env::EnvArgs),
    /// Scan container images (`docker save` archives, OCI layouts) without a daemon.
    Image(image::ImageArgs),
    /// Scan many repositories; write per-repository SARIF and a roll-up (`merge` combines shards).
    Fleet(fleet::FleetArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or folders to scan; `-` reads one file's content from stdin.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Path used to classify stdin content (e.g. `.github/workflows/ci.yml`).
    #[arg(long, value_name = "PATH", default_value = "<stdin>")]
    pub stdin_path: String,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub triage: TriageArgs,
    #[command(flatten)]
    pub history: history::HistoryArgs,
}

/// Triage: ignores, baselines, changed files and thresholds (README "Triage").
#[derive(Debug, Args, Clone, Default)]
pub struct TriageArgs {
    /// Report only findings that are not in this baseline (see `claudit baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report only findings in files changed since the merge base with REF (git).
    #[arg(long, value_name = "REF")]
    pub diff_base: Option<String>,
    /// With --diff-base, narrow the SARIF too (GitHub then closes alerts in other files).
    #[arg(long, requires = "diff_base")]
    pub diff_sarif: bool,
    /// Report what `claudit: ignore` comments, config ignores and allowlists would hide.
    #[arg(long)]
    pub no_ignores: bool,
    /// Also output suppressed and baselined findings (SARIF `suppressions`, JSON `suppression`).
    #[arg(long)]
    pub include_suppressed: bool,
    /// Drop findings below this severity (overrides `min_severity` in the config).
    #[arg(long, value_name = "LEVEL", value_parser = severity_parser())]
    pub min_severity: Option<Severity>,
    /// Drop findings below this confidence (overrides `min_confidence` in the config).
    #[arg(long, value_name = "LEVEL", value_parser = confidence_parser())]
    pub min_confidence: Option<Confidence>,
}

fn severity_parser() -> impl TypedValueParser<Value = Severity> {
    PossibleValuesParser::new(["error", "warning", "note"]).map(|s| match s.as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        _ => Severity::Note,
    })
}

fn confidence_parser() -> impl TypedValueParser<Value = Confidence> {
    PossibleValuesParser::new(["high", "medium", "low"]).map(|s| match s.as_str() {
        "high" => Confidence::High,
        "medium" => Confidence::Medium,
        _ => Confidence::Low,
    })
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Files or folders to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Baseline file to write; entries already in it keep their first-seen date, reason and expiry.
    #[arg(long, short, value_name = "FILE", default_value = crate::triage::baseline::DEFAULT_FILE)]
    pub output: PathBuf,
    /// Reason recorded with new entries.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Last day new entries suppress: a date (2025-12-31) or days from today (90d).
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// No summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub walk: WalkArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo repository in DIR instead of a temporary folder.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE (the summary still goes to stderr).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// `runAutomationDetails.id` of the SARIF run (GitHub's category).
    #[arg(long, value_name = "CATEGORY", default_value = DEFAULT_SARIF_CATEGORY)]
    pub sarif_category: String,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only findings (no summary or notices on stderr).
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write FORMAT to FILE (repeatable): text, json, sarif, github,
    /// markdown, or counts (`findings=N` lines for `$GITHUB_OUTPUT`).
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_report)]
    pub report: Vec<ExtraReport>,
    /// Link findings in markdown to this URL prefix (e.g. `https://github.com/o/r/blob/SHA/`).
    #[arg(long, value_name = "URL")]
    pub link_base: Option<String>,
    /// Not an option: set by commands whose SARIF has one run per part
    /// (`claudit image`: one per image, each with its own category).
    #[arg(skip)]
    pub sarif_runs: Vec<SarifRun>,
}

/// One SARIF run of a split report: the results whose path starts with
/// `path_prefix`, under `category`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SarifRun {
    pub category: String,
    pub path_prefix: String,
}

/// `--sarif-category`'s default (a repository scan's category).
pub const DEFAULT_SARIF_CATEGORY: &str = "claudit/";

/// An extra report written in the same run (`--report json=out.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraReport {
    pub format: ReportFormat,
    pub path: PathBuf,
}

/// Formats an extra report can take: the output formats plus `counts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Main(Format),
    Counts,
}

fn parse_report(value: &str) -> Result<ExtraReport, String> {
    let (format, path) = value
        .split_once('=')
        .filter(|(_, p)| !p.is_empty())
        .ok_or_else(|| format!("expected FORMAT=FILE, got `{value}`"))?;
    let format = match format {
        "counts" => ReportFormat::Counts,
        other => {
            ReportFormat::Main(<Format as ValueEnum>::from_str(other, true).map_err(|_| {
                format!(
                    "unknown report format `{other}` (text, json, sarif, github, markdown, counts)"
                )
            })?)
        }
    };
    Ok(ExtraReport {
        format,
        path: PathBuf::from(path),
    })
}

#[derive(Debug, Args, Clone)]
pub struct WalkArgs {
    /// Configuration file (default: the nearest `.claudit.toml` from the first path up to the git top level).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Skip paths matching GLOB (gitignore syntax; repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Scan everything: ignore .gitignore and .ignore files ("committed"
    /// still means tracked in the git index).
    #[arg(long)]
    pub no_ignore: bool,
    /// Worker threads (default: the number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Skip (and report) files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Parse files up to this many bytes; larger ones get the token scan only.
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_parse_size: u64,
    /// Do not token-scan binary files (NUL in the first 8 KiB).
    #[arg(long)]
    pub skip_binary: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    None,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::None => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format (`text` or `json`).
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule id (`CLD101`) or name (`anthropic-api-key`).
    pub rule: String,
    /// Print the rule's documentation page as Markdown.
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Baseline(args) => baseline::run(&args),
        Command::Env(args) => env::run(&args),
        Command::Image(args) => image::run(&args),
        Command::Fleet(args) => fleet::run(&args),
    }
}
