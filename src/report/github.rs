//! GitHub Actions workflow commands (`::error file=…,line=…::message`), one
//! per finding, so a plain `claudit` step annotates the run and the pull
//! request without a SARIF upload.
//!
//! The runner's rules (actions/runner `ActionCommandManager`): properties are
//! escaped more strictly than the message, because `,` and `:` delimit them;
//! columns only count when the start and end line are the same, otherwise
//! the runner drops them, so we leave them out. `endColumn` is exclusive,
//! as in SARIF.

use crate::catalog;
use crate::finding::{Finding, Severity};

/// One workflow command line per finding, each ending in `\n`.
pub fn to_github(findings: &[Finding]) -> String {
    findings.iter().map(command_for).collect()
}

fn command_for(finding: &Finding) -> String {
    let mut properties = vec![("file", finding.path.clone())];
    if let Some(region) = &finding.region {
        let (start, end) = (region.start, region.end);
        properties.push(("line", start.line.max(1).to_string()));
        if end.line > start.line {
            properties.push(("endLine", end.line.to_string()));
        } else {
            properties.push(("col", start.column.max(1).to_string()));
            properties.push(("endLine", start.line.max(1).to_string()));
            properties.push(("endColumn", end.column.max(start.column).max(1).to_string()));
        }
    }
    properties.push(("title", title_of(finding)));
    let properties: Vec<String> = properties
        .into_iter()
        .map(|(key, value)| format!("{key}={}", escape_property(&value)))
        .collect();
    format!(
        "::{} {}::{}\n",
        command_name(finding.severity),
        properties.join(","),
        escape_data(&finding.message)
    )
}

/// GitHub has `notice` where SARIF has `note`.
fn command_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// `CLD101 anthropic-api-key`, or the bare id for a rule the catalog lacks.
fn title_of(finding: &Finding) -> String {
    match catalog::rule(finding.rule_id) {
        Some(rule) => format!("{} {}", rule.id, rule.name),
        None => finding.rule_id.to_string(),
    }
}

/// The message part: only what would end the command or look like an escape.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,`, which delimit properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Confidence;
    use crate::source::{Position, Region};

    fn finding(severity: Severity, region: Option<Region>) -> Finding {
        let mut f = Finding::new("CLD101", severity, Confidence::High).message("leaked key");
        f.path = "dir/.env".to_string();
        f.region = region;
        f
    }

    fn region(l1: usize, c1: usize, l2: usize, c2: usize) -> Region {
        Region {
            start: Position {
                line: l1,
                column: c1,
            },
            end: Position {
                line: l2,
                column: c2,
            },
        }
    }

    #[test]
    fn single_line_finding_has_columns_and_title() {
        let out = to_github(&[finding(Severity::Error, Some(region(3, 5, 3, 20)))]);
        assert_eq!(
            out,
            "::error file=dir/.env,line=3,col=5,endLine=3,endColumn=20,title=CLD101 anthropic-api-key::leaked key\n"
        );
    }

    #[test]
    fn multi_line_finding_drops_columns() {
        let out = to_github(&[finding(Severity::Warning, Some(region(3, 5, 4, 2)))]);
        assert_eq!(
            out,
            "::warning file=dir/.env,line=3,endLine=4,title=CLD101 anthropic-api-key::leaked key\n"
        );
    }

    #[test]
    fn note_becomes_notice_and_missing_region_gives_file_only() {
        let out = to_github(&[finding(Severity::Note, None)]);
        assert_eq!(
            out,
            "::notice file=dir/.env,title=CLD101 anthropic-api-key::leaked key\n"
        );
    }

    #[test]
    fn escapes_properties_and_data() {
        let mut f = finding(Severity::Error, None);
        f.path = "a,b:c%d\ne.env".to_string();
        f.message = "100% bad:\r\nnext, line".to_string();
        let out = to_github(&[f]);
        assert_eq!(
            out,
            "::error file=a%2Cb%3Ac%25d%0Ae.env,title=CLD101 anthropic-api-key::100%25 bad:%0D%0Anext, line\n"
        );
        assert_eq!(out.matches('\n').count(), 1);
    }

    #[test]
    fn unknown_rule_uses_bare_id() {
        let mut f = finding(Severity::Error, None);
        f.rule_id = "CLD999";
        assert!(to_github(&[f]).contains("title=CLD999::"));
    }

    #[test]
    fn one_line_per_finding() {
        let fs = vec![
            finding(Severity::Error, None),
            finding(Severity::Note, None),
        ];
        assert_eq!(to_github(&fs).lines().count(), 2);
    }
}
