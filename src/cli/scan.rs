//! `claudit scan [PATH...]`

use std::io::Read;
use std::path::Path;

use super::{ExitCode, ScanArgs, WalkArgs, output};
use crate::config::Config;
use crate::scan::{self, ScanOptions, ScanOutcome};

pub fn run(args: &ScanArgs) -> ExitCode {
    let outcome = if args.paths.len() == 1 && args.paths[0] == Path::new("-") {
        scan_stdin(args)
    } else {
        scan_paths(&args.paths, &args.walk)
    };
    match outcome {
        Ok(outcome) => output::emit(&outcome, &args.output),
        Err(message) => {
            eprintln!("claudit: error: {message}");
            ExitCode::Fatal
        }
    }
}

fn scan_stdin(args: &ScanArgs) -> Result<ScanOutcome, String> {
    let (config, _) = Config::load(args.walk.config.as_deref(), None).map_err(|e| e.0)?;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(args.walk.max_file_size)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let mut outcome = scan::scan_bytes(&args.stdin_path, &bytes);
    config.apply(&mut outcome.findings);
    Ok(outcome)
}

/// Loads the configuration, scans, and applies the configuration's filters.
pub fn scan_paths(paths: &[std::path::PathBuf], walk: &WalkArgs) -> Result<ScanOutcome, String> {
    if paths.iter().any(|p| p == Path::new("-")) {
        return Err("`-` (stdin) cannot be combined with other paths".to_string());
    }
    let (config, _) = Config::load(walk.config.as_deref(), paths.first().map(|p| p.as_path()))
        .map_err(|e| e.0)?;
    let mut excludes = config.exclude.clone();
    excludes.extend(walk.exclude.iter().cloned());
    let opts = ScanOptions {
        paths: paths.to_vec(),
        threads: walk.threads.unwrap_or_else(scan::default_threads).max(1),
        no_ignore: walk.no_ignore,
        excludes,
        max_file_size: walk.max_file_size,
        max_parse_size: walk.max_parse_size.min(walk.max_file_size),
        skip_binary: walk.skip_binary,
    };
    let mut outcome = scan::scan(&opts).map_err(|e| e.0)?;
    config.apply(&mut outcome.findings);
    Ok(outcome)
}
