//! `claudit scan --history [--since REF] [--branch REF]...`

use clap::Args;

use super::ScanArgs;
use crate::config::Config;
use crate::history::{self, HistoryOptions};
use crate::scan::ScanOutcome;
use crate::triage;

/// Git history (README "Beyond the working tree").
#[derive(Debug, Args, Clone, Default)]
pub struct HistoryArgs {
    /// Scan every blob reachable from the repository's refs (git history), not the working tree.
    #[arg(long)]
    pub history: bool,
    /// With --history: only commits not reachable from REF (e.g. the last scanned tag).
    #[arg(long, value_name = "REF", requires = "history")]
    pub since: Option<String>,
    /// With --history: start from REF instead of all refs (repeatable).
    #[arg(long, value_name = "REF", requires = "history")]
    pub branch: Vec<String>,
}

/// Scans the history of the repository holding the first scan path, then
/// applies the configuration and triage like a working-tree scan.
pub fn scan_history(args: &ScanArgs) -> Result<ScanOutcome, String> {
    if args.paths.len() > 1 {
        return Err("--history takes one repository path".to_string());
    }
    if args.triage.diff_base.is_some() {
        return Err("--diff-base cannot be combined with --history (use --since)".to_string());
    }
    let repo = args.paths.first().cloned().unwrap_or_else(|| ".".into());
    if repo == std::path::Path::new("-") {
        return Err("--history reads a repository, not standard input".to_string());
    }
    let (config, config_path) =
        Config::load(args.walk.config.as_deref(), Some(&repo)).map_err(|e| e.0)?;
    let opts = HistoryOptions {
        repo: repo.clone(),
        since: args.history.since.clone(),
        branches: args.history.branch.clone(),
        threads: args
            .walk
            .threads
            .unwrap_or_else(crate::scan::default_threads)
            .max(1),
        max_blob_size: args.walk.max_file_size,
        excludes: config
            .exclude
            .iter()
            .chain(&args.walk.exclude)
            .cloned()
            .collect(),
        custom: config.custom_token_rules()?.map(std::sync::Arc::new),
        config: std::sync::Arc::new(config.clone()),
    };
    let mut outcome = history::scan(&opts)?;
    config.apply(&mut outcome.findings);
    let settings = super::scan::settings_for(&config_path, &[repo], &args.triage, None)?;
    triage::apply(&mut outcome, &config, &settings)?;
    Ok(outcome)
}
