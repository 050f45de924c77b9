//! Reporters: one file per output format. A reporter only formats findings
//! it is given; it never reads or parses the scanned files.

pub mod github;
pub mod json;
pub mod line_hash;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::finding::{Finding, Severity};
use crate::scan::{Notice, Stats};

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SeverityCounts {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
}

impl SeverityCounts {
    pub fn of(findings: &[Finding]) -> Self {
        let mut c = SeverityCounts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.error += 1,
                Severity::Warning => c.warning += 1,
                Severity::Note => c.note += 1,
            }
        }
        c
    }
}

/// The one-line summary printed on stderr after every scan.
pub fn summary_line(findings: &[Finding], notices: &[Notice], stats: &Stats) -> String {
    let c = SeverityCounts::of(findings);
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let mut line = format!(
        "claudit: {} scanned ({:.1} MB)",
        plural(stats.files_scanned, "file"),
        stats.bytes_scanned as f64 / 1_000_000.0
    );
    if stats.files_skipped > 0 {
        line.push_str(&format!(", {} skipped", stats.files_skipped));
    }
    if stats.files_unreadable > 0 {
        line.push_str(&format!(", {} unreadable", stats.files_unreadable));
    }
    if stats.parse_errors > 0 {
        line.push_str(&format!(", {}", plural(stats.parse_errors, "parse error")));
    }
    let _ = notices;
    line.push_str(&format!(
        "; {}, {}, {}",
        plural(c.error, "error"),
        plural(c.warning, "warning"),
        plural(c.note, "note")
    ));
    line
}
