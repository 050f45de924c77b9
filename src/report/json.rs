//! `--format json`: a documented, versioned schema (see README "JSON output").
//! Lines and columns are 1-based, columns count UTF-16 code units, ends are
//! exclusive — the same as SARIF.

use serde::Serialize;

use super::SeverityCounts;
use crate::finding::Finding;
use crate::scan::{Notice, NoticeKind, Stats};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    notices: Vec<JsonNotice<'a>>,
    summary: Summary<'a>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    rule_name: &'a str,
    severity: &'a str,
    confidence: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    logical_location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redacted: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    /// Triage: what suppresses (or, under `--no-ignores`, would suppress) it.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<JsonSuppression<'a>>,
    /// Triage: `new` or `unchanged` when a baseline was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    /// `scan --history`: introducing commit, its author date, still at HEAD.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    introduced_at: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_head: Option<bool>,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'static str,
    by: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    active: bool,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonNotice<'a> {
    kind: &'static str,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    message: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    stats: &'a Stats,
    findings: SeverityCounts,
}

pub fn render(findings: &[Finding], notices: &[Notice], stats: &Stats) -> String {
    let output = Output {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "claudit",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: findings.iter().map(json_finding).collect(),
        notices: notices.iter().map(json_notice).collect(),
        summary: Summary {
            stats,
            findings: SeverityCounts::of(findings),
        },
    };
    let mut s = serde_json::to_string_pretty(&output).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

fn json_finding(f: &Finding) -> JsonFinding<'_> {
    let region = f.region.unwrap_or(crate::source::Region {
        start: crate::source::Position { line: 1, column: 1 },
        end: crate::source::Position { line: 1, column: 1 },
    });
    JsonFinding {
        rule_id: f.rule_id,
        rule_name: crate::catalog::rule(f.rule_id)
            .map(|r| r.name.as_str())
            .unwrap_or(""),
        severity: f.severity.as_str(),
        confidence: f.confidence.as_str(),
        path: &f.path,
        line: region.start.line,
        column: region.start.column,
        end_line: region.end.line,
        end_column: region.end.column,
        message: &f.message,
        fingerprint: f.fingerprint(),
        logical_location: f.shown_logical(),
        token_type: f.token_type(),
        secret_id: f.secret.as_ref().map(|s| s.secret_id()),
        redacted: f.secret.as_ref().map(|s| s.redacted.as_str()),
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                path: &r.path,
                line: r.region.map(|g| g.start.line),
                column: r.region.map(|g| g.start.column),
                message: &r.message,
            })
            .collect(),
        suppression: f.suppression.as_ref().map(|s| JsonSuppression {
            kind: s.kind.as_str(),
            by: &s.by,
            reason: s.justification.as_deref(),
            active: s.active,
        }),
        baseline_state: f.baseline_state.map(|b| b.as_str()),
        commit: f.origin.as_ref().map(|o| o.commit.as_str()),
        introduced_at: f.origin.as_ref().map(|o| o.author_date.as_str()),
        at_head: f.origin.as_ref().map(|o| o.at_head),
    }
}

fn json_notice(n: &Notice) -> JsonNotice<'_> {
    JsonNotice {
        kind: match n.kind {
            NoticeKind::ParseError => "parse-error",
            NoticeKind::Unreadable => "unreadable",
            NoticeKind::Skipped => "skipped",
            NoticeKind::UnusedIgnore => "unused-ignore",
            NoticeKind::InvalidIgnore => "invalid-ignore",
            NoticeKind::ExpiredBaseline => "expired-baseline",
        },
        path: &n.path,
        line: n.line,
        column: n.column,
        message: crate::secrets::redact_text(&n.message),
    }
}
