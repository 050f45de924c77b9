//! The rule catalog: `rules/*.toml`, compiled in by `build.rs`. Serves
//! `claudit rules`, `claudit explain`, SARIF rule metadata, and the example
//! test that proves every rule fires on its bad examples and not on its good ones.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::finding::{Confidence, Severity};

include!(concat!(env!("OUT_DIR"), "/rule_sources.rs"));

/// Where each rule's documentation page lives (SARIF `helpUri`).
pub const DOCS_BASE: &str = "https://github.com/claudit/claudit/blob/main/docs/rules/";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    /// kebab-case, unique, never reused.
    pub name: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// One line.
    pub summary: String,
    /// Why it matters (markdown), with sources.
    pub why: String,
    /// How to fix (markdown).
    pub fix: String,
    /// Source links.
    #[serde(default)]
    pub references: Vec<String>,
    /// Claude Code version or facts-sheet note the rule reflects.
    #[serde(default)]
    pub reflects: Option<String>,
    /// SARIF `security-severity` (0.0–10.0) for security rules.
    #[serde(default)]
    pub security_severity: Option<f32>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub examples: Vec<Example>,
}

/// A file the rule must (bad) or must not (good) fire on. `{{key:TAG}}` and
/// `{{gateway}}` placeholders are replaced by keys built at run time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub kind: ExampleKind,
    /// Path of the file inside the example tree, e.g. `.github/workflows/ci.yml`.
    pub path: String,
    pub content: String,
    /// Extra files the example needs (a `.env` beside a Dockerfile, ...).
    #[serde(default)]
    pub files: Vec<ExtraFile>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraFile {
    pub path: String,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleKind {
    Bad,
    Good,
}

impl Rule {
    pub fn help_uri(&self) -> String {
        format!("{DOCS_BASE}{}.md", self.id)
    }

    pub fn is_security(&self) -> bool {
        self.security_severity.is_some()
    }
}

/// All rules, sorted by id. Panics at first use if the compiled-in catalog is
/// malformed; the catalog test makes that impossible to ship.
pub fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: Vec<Rule> = RULE_SOURCES
            .iter()
            .map(|(file, text)| {
                toml::from_str::<Rule>(text)
                    .unwrap_or_else(|e| panic!("rules/{file} is not a valid rule: {e}"))
            })
            .collect();
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        rules
    })
}

pub fn rule(id: &str) -> Option<&'static Rule> {
    let rules = rules();
    rules
        .binary_search_by(|r| r.id.as_str().cmp(id))
        .ok()
        .map(|i| &rules[i])
}

/// Looks a rule up by id (`CLD101`, case-insensitive) or name (`anthropic-api-key`).
pub fn find(query: &str) -> Option<&'static Rule> {
    rules()
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(query) || r.name == query)
}

pub fn index_of(id: &str) -> Option<usize> {
    rules().binary_search_by(|r| r.id.as_str().cmp(id)).ok()
}

/// Replaces `{{key:TAG}}`, `{{key:TAG:SEED}}`, `{{gateway}}`, `{{vendor:KIND}}` (see
/// [`crate::testkeys::vendor_token`]) and `{{pad:BYTES}}` with values built at run time.
pub fn fill_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 128);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &after[..end];
        let mut parts = inner.split(':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("key"), Some(tag), seed) => {
                let seed = seed.and_then(|s| s.parse().ok()).unwrap_or(1);
                out.push_str(&crate::testkeys::key(tag, seed));
            }
            (Some("gateway"), _, _) => out.push_str(&crate::testkeys::gateway_token(1)),
            (Some("vendor"), Some(kind), seed) => {
                let seed = seed.and_then(|s| s.parse().ok()).unwrap_or(1);
                out.push_str(&crate::testkeys::vendor_token(kind, seed));
            }
            // `{{pad:BYTES}}`: that many spaces (size-limit examples), at most 8 MiB.
            (Some("pad"), Some(n), None) if n.parse::<usize>().is_ok_and(|n| n <= 8 << 20) => {
                out.push_str(&" ".repeat(n.parse().unwrap_or(0)));
            }
            _ => {
                out.push_str("{{");
                out.push_str(inner);
                out.push_str("}}");
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_well_formed() {
        let rules = rules();
        assert!(!rules.is_empty());
        let mut names = std::collections::HashSet::new();
        for r in rules {
            let num: u32 =
                r.id.strip_prefix("CLD")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
            assert!((101..500).contains(&num), "{} is not a CLD1xx-4xx id", r.id);
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} name {} is not kebab-case",
                r.id,
                r.name
            );
            assert!(names.insert(r.name.clone()), "duplicate name {}", r.name);
            assert!(
                !r.summary.trim().is_empty()
                    && !r.why.trim().is_empty()
                    && !r.fix.trim().is_empty()
            );
            assert!(
                r.examples.iter().any(|e| e.kind == ExampleKind::Bad),
                "{} has no bad example",
                r.id
            );
            assert!(
                r.examples.iter().any(|e| e.kind == ExampleKind::Good),
                "{} has no good example",
                r.id
            );
            let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs/rules")
                .join(format!("{}.md", r.id));
            assert!(doc.exists(), "missing {}", doc.display());
        }
    }

    #[test]
    fn placeholders_fill_with_runtime_keys() {
        let filled = fill_placeholders("A={{key:api03}} B={{gateway}} C={{other}}");
        assert!(filled.starts_with("A=sk-ant-api03-"));
        assert!(filled.contains(" B=gw_"));
        assert!(filled.ends_with("C={{other}}"));
    }
}
