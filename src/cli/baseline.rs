//! `claudit baseline [PATH...] --output .claudit-baseline.json`: records the
//! fingerprints of today's findings (after ignores), never the secrets.

use super::{BaselineArgs, ExitCode};
use crate::triage::baseline::{Baseline, Date};

pub fn run(args: &BaselineArgs) -> ExitCode {
    match write_baseline(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("claudit: error: {message}");
            ExitCode::Fatal
        }
    }
}

fn write_baseline(args: &BaselineArgs) -> Result<ExitCode, String> {
    let today = Date::today();
    let expires = args
        .expires
        .as_deref()
        .map(|e| parse_expiry(e, today))
        .transpose()?;
    // Entries already recorded keep their history; a broken file is an error,
    // not something to overwrite silently.
    let previous = if args.output.is_file() {
        Some(Baseline::load(&args.output)?)
    } else {
        None
    };
    let outcome = super::scan::scan_paths(&args.paths, &args.walk)?;
    if outcome.stats.files_scanned == 0 {
        eprintln!("claudit: error: no file was read; the baseline was not written");
        return Ok(ExitCode::NothingScanned);
    }
    let baseline = Baseline::build(
        &outcome.findings,
        previous.as_ref(),
        today,
        args.reason.as_deref(),
        expires,
    );
    std::fs::write(&args.output, baseline.to_json())
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    if !args.quiet {
        let kept = previous.as_ref().map_or(0, |p| {
            baseline
                .entries
                .iter()
                .filter(|e| p.entries.iter().any(|o| o.fingerprint == e.fingerprint))
                .count()
        });
        eprintln!(
            "claudit: wrote {} with {} entries ({} new, {} kept) from {} findings",
            args.output.display(),
            baseline.entries.len(),
            baseline.entries.len() - kept,
            kept,
            outcome.findings.len()
        );
    }
    Ok(ExitCode::Clean)
}

/// `2025-12-31`, or `90d` for 90 days from today.
fn parse_expiry(text: &str, today: Date) -> Result<Date, String> {
    if let Some(days) = text.strip_suffix('d') {
        let days: i64 = days.parse().map_err(|_| {
            format!("--expires `{text}`: expected a date (2025-12-31) or days (90d)")
        })?;
        return Ok(today.plus_days(days));
    }
    Date::parse(text).map_err(|e| format!("--expires: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_a_date_or_days() {
        let today = Date::parse("2025-01-30").unwrap();
        assert_eq!(parse_expiry("3d", today).unwrap().to_string(), "2025-02-02");
        assert_eq!(
            parse_expiry("2025-03-01", today).unwrap().to_string(),
            "2025-03-01"
        );
        assert!(parse_expiry("soon", today).is_err());
        assert!(parse_expiry("xd", today).is_err());
    }
}
