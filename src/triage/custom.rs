//! Custom token rules and value allowlists from `.claudit.toml`.
//!
//! ```toml
//! [[custom_rules]]
//! id = "CLD901"                 # CLD900–CLD999, or your own prefix (ACME001)
//! name = "acme-gateway-token"
//! regex = 'acme_gw_[A-Za-z0-9]{32}'
//! keywords = ["acme_gw_"]       # optional prefilter: files without one are skipped
//! severity = "error"            # default error
//! ```
//!
//! A custom match is a secret like a built-in token: redacted everywhere,
//! fingerprinted by its hash, and subject to the allowlist. The scan runs
//! these rules in one extra pass per file only when some are configured, so
//! the default scan pays nothing for them.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::{Mutex, OnceLock};

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::finding::{Confidence, Finding, Severity};
use crate::secrets::Secret;
use crate::secrets::tokens::{Family, MAX_TOKEN_LEN, TokenMatch};

/// Compiled regexes may not grow past this (a typo'd pattern must not eat memory).
const REGEX_SIZE_LIMIT: usize = 8 << 20;
/// At most this many matches of one rule per file (a runaway pattern).
const MAX_HITS_PER_RULE: usize = 1000;

/// One `[[custom_rules]]` entry as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRuleConfig {
    /// `CLD900`–`CLD999`, or an id with your own prefix (`ACME001`).
    pub id: String,
    /// kebab-case, unique.
    pub name: String,
    /// Rust `regex` syntax, matched against raw bytes.
    pub regex: String,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
    /// Case-insensitive literals; when given, only files holding one are matched.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Capture group holding the secret (0, the default, is the whole match).
    #[serde(default)]
    pub secret_group: usize,
    /// What the token is, for messages ("ACME gateway token").
    #[serde(default)]
    pub description: Option<String>,
}

fn default_severity() -> Severity {
    Severity::Error
}

fn default_confidence() -> Confidence {
    Confidence::Medium
}

/// A compiled rule.
#[derive(Debug)]
struct Compiled {
    id: &'static str,
    name: &'static str,
    what: String,
    severity: Severity,
    confidence: Confidence,
    regex: Regex,
    keywords: Vec<String>,
    prefilter: Option<Regex>,
    secret_group: usize,
}

/// Custom rules and allowlisted-value regexes, compiled once per scan.
#[derive(Debug)]
pub struct CustomRules {
    rules: Vec<Compiled>,
    allow_values: Vec<Regex>,
}

/// A custom rule's match in a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomHit {
    rule: usize,
    pub span: Range<usize>,
    prefix_len: usize,
}

/// Stands in for custom matches when snippets of other findings on the same
/// line are redacted.
const CUSTOM_FAMILY: Family = Family {
    tag: "",
    rule_id: "",
    token_type: "custom-token",
    what: "custom token",
    exact_shape_known: false,
    jwt: false,
};

impl CustomRules {
    /// Compiles the rules and allowlist regexes; `Ok(None)` when there are
    /// neither, so the scan can skip the pass entirely.
    pub fn compile(
        rules: &[CustomRuleConfig],
        allow_values: &[String],
    ) -> Result<Option<CustomRules>, String> {
        if rules.is_empty() && allow_values.is_empty() {
            return Ok(None);
        }
        check_ids_and_names(rules)?;
        let compiled = rules
            .iter()
            .map(compile_rule)
            .collect::<Result<Vec<_>, _>>()?;
        let allow_values = allow_values
            .iter()
            .map(|r| build_regex(r).map_err(|e| format!("allowlist regex `{r}` is invalid: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(CustomRules {
            rules: compiled,
            allow_values,
        }))
    }

    pub fn has_rules(&self) -> bool {
        !self.rules.is_empty()
    }

    /// Every custom match in `bytes`.
    pub fn scan(&self, bytes: &[u8]) -> Vec<CustomHit> {
        let mut hits = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            if let Some(pre) = &rule.prefilter
                && !pre.is_match(bytes)
            {
                continue;
            }
            for caps in rule.regex.captures_iter(bytes).take(MAX_HITS_PER_RULE) {
                let Some(m) = caps.get(rule.secret_group) else {
                    continue;
                };
                if m.is_empty() || m.len() > MAX_TOKEN_LEN {
                    continue;
                }
                hits.push(CustomHit {
                    rule: index,
                    span: m.range(),
                    prefix_len: keyword_prefix_len(&rule.keywords, m.as_bytes()),
                });
            }
        }
        hits
    }

    /// The finding for one hit: the secret redacted, never in clear.
    pub fn finding(&self, bytes: &[u8], hit: &CustomHit) -> Finding {
        let rule = &self.rules[hit.rule];
        let secret = Secret::new(&bytes[hit.span.clone()], hit.prefix_len);
        Finding::new(rule.id, rule.severity, rule.confidence)
            .at(hit.span.clone())
            .message(format!(
                "{} `{}` is committed in plain text (custom rule `{}`)",
                rule.what,
                secret.redacted(),
                rule.name
            ))
            .secret(secret.to_ref(rule.name))
    }

    /// Hits as token matches, so snippets of other findings redact them too.
    pub fn redaction_tokens(hits: &[CustomHit]) -> Vec<TokenMatch> {
        hits.iter()
            .map(|h| TokenMatch {
                family: CUSTOM_FAMILY,
                span: h.span.clone(),
                prefix_len: h.prefix_len,
                exact: false,
            })
            .collect()
    }

    /// True when an allowlist regex matches a secret's value.
    pub fn is_allowed_value(&self, value: &[u8]) -> bool {
        self.allow_values.iter().any(|r| r.is_match(value))
    }

    /// Marks findings whose secret value an allowlist regex matches. The
    /// value is only readable during the scan, so this runs there.
    pub fn mark_allowed_values(&self, bytes: &[u8], findings: &mut [Finding]) {
        if self.allow_values.is_empty() {
            return;
        }
        for f in findings.iter_mut().filter(|f| f.secret.is_some()) {
            if let Some(value) = bytes.get(f.span.clone())
                && self.is_allowed_value(value)
            {
                f.suppression = Some(super::allowlist_suppression("a value regex"));
            }
        }
    }
}

fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

fn compile_rule(rule: &CustomRuleConfig) -> Result<Compiled, String> {
    let regex = build_regex(&rule.regex)
        .map_err(|e| format!("custom rule {}: invalid regex: {e}", rule.id))?;
    if rule.secret_group >= regex.captures_len() {
        return Err(format!(
            "custom rule {}: secret_group {} but the regex has {} group(s)",
            rule.id,
            rule.secret_group,
            regex.captures_len() - 1
        ));
    }
    let keywords: Vec<String> = rule
        .keywords
        .iter()
        .filter(|k| !k.is_empty())
        .cloned()
        .collect();
    let prefilter = if keywords.is_empty() {
        None
    } else {
        let alternatives: Vec<String> = keywords.iter().map(|k| regex::escape(k)).collect();
        Some(
            build_regex(&format!("(?i){}", alternatives.join("|")))
                .map_err(|e| format!("custom rule {}: keywords: {e}", rule.id))?,
        )
    };
    Ok(Compiled {
        id: intern(&rule.id),
        name: intern(&rule.name),
        what: rule
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| format!("Token matching `{}`", rule.name)),
        severity: rule.severity,
        confidence: rule.confidence,
        regex,
        keywords: keywords.iter().map(|k| k.to_ascii_lowercase()).collect(),
        prefilter,
        secret_group: rule.secret_group,
    })
}

/// Length of a keyword the value starts with: that part is shown unredacted,
/// like the public `sk-ant-api03-` prefix of a built-in token.
fn keyword_prefix_len(keywords: &[String], value: &[u8]) -> usize {
    keywords
        .iter()
        .filter(|k| value.len() > k.len() && value[..k.len()].eq_ignore_ascii_case(k.as_bytes()))
        .map(|k| k.len())
        .max()
        .unwrap_or(0)
}

/// True for an id a custom rule may take: `CLD900`–`CLD999`, or 2–32
/// characters of `A-Z0-9_-` starting with a letter and not with `CLD`.
pub fn is_valid_custom_id(id: &str) -> bool {
    if let Some(num) = id.strip_prefix("CLD") {
        return num.len() == 3 && num.starts_with('9') && num.bytes().all(|b| b.is_ascii_digit());
    }
    (2..=32).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_uppercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_ids_and_names(rules: &[CustomRuleConfig]) -> Result<(), String> {
    let mut seen = HashSet::new();
    for rule in rules {
        if !is_valid_custom_id(&rule.id) {
            return Err(format!(
                "custom rule id `{}` is not allowed: use CLD900–CLD999 or your own upper-case prefix (ACME001)",
                rule.id
            ));
        }
        if !is_kebab(&rule.name) {
            return Err(format!(
                "custom rule {}: name `{}` must be kebab-case",
                rule.id, rule.name
            ));
        }
        if crate::catalog::find(&rule.name).is_some() {
            return Err(format!(
                "custom rule {}: name `{}` is a built-in rule's name",
                rule.id, rule.name
            ));
        }
        if !seen.insert(rule.id.as_str()) || !seen.insert(rule.name.as_str()) {
            return Err(format!(
                "custom rule {}: id or name `{}` is used twice",
                rule.id, rule.name
            ));
        }
    }
    Ok(())
}

/// Findings carry `&'static str` rule ids; custom ids are leaked once each
/// (a handful per process) and reused.
fn intern(s: &str) -> &'static str {
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(existing) = seen.get(s) {
        return existing;
    }
    let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
    seen.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, name: &str, regex: &str) -> CustomRuleConfig {
        CustomRuleConfig {
            id: id.to_string(),
            name: name.to_string(),
            regex: regex.to_string(),
            severity: Severity::Error,
            confidence: Confidence::High,
            keywords: Vec::new(),
            secret_group: 0,
            description: None,
        }
    }

    fn token(seed: u64) -> String {
        format!("acme_gw_{}", crate::testkeys::body(32, seed))
    }

    #[test]
    fn ids_names_and_regexes_are_checked() {
        assert!(is_valid_custom_id("CLD901") && is_valid_custom_id("ACME001"));
        assert!(!is_valid_custom_id("CLD101") && !is_valid_custom_id("CLD9001"));
        assert!(!is_valid_custom_id("acme1") && !is_valid_custom_id("1ACME"));
        let err = |rules: &[CustomRuleConfig]| CustomRules::compile(rules, &[]).unwrap_err();
        assert!(err(&[rule("CLD101", "x", "a")]).contains("CLD101"));
        assert!(err(&[rule("CLD901", "anthropic-api-key", "a")]).contains("built-in"));
        assert!(err(&[rule("CLD901", "a", "a"), rule("CLD901", "b", "b")]).contains("twice"));
        assert!(err(&[rule("CLD901", "a", "(")]).contains("invalid regex"));
        let mut grouped = rule("CLD901", "a", "x(y)");
        grouped.secret_group = 2;
        assert!(err(&[grouped]).contains("secret_group"));
        assert!(CustomRules::compile(&[], &["(".to_string()]).is_err());
        assert!(CustomRules::compile(&[], &[]).unwrap().is_none());
    }

    #[test]
    fn matches_are_secret_findings_with_redaction() {
        let mut r = rule("ACME001", "acme-gateway-token", r"acme_gw_[A-Za-z0-9]{32}");
        r.keywords = vec!["ACME_GW_".to_string()];
        let rules = CustomRules::compile(&[r], &[]).unwrap().unwrap();
        let t = token(1);
        let text = format!("A={t}\nB=acme_gw_short\n");
        let hits = rules.scan(text.as_bytes());
        assert_eq!(hits.len(), 1);
        let f = rules.finding(text.as_bytes(), &hits[0]);
        assert_eq!(f.rule_id, "ACME001");
        assert!(
            !f.message.contains(&t) && f.message.contains("acme_gw_"),
            "{}",
            f.message
        );
        let secret = f.secret.expect("secret");
        assert_eq!(secret.token_type, "acme-gateway-token");
        assert_eq!(secret.sha256, crate::secrets::hash_hex(t.as_bytes()));
        // The keyword prefilter skips files without the keyword.
        assert!(rules.scan(b"nothing here").is_empty());
    }

    #[test]
    fn secret_group_picks_the_value() {
        let mut r = rule(
            "CLD901",
            "internal-token",
            r#"token\s*=\s*"([a-z0-9]{20,})""#,
        );
        r.secret_group = 1;
        let rules = CustomRules::compile(&[r], &[]).unwrap().unwrap();
        let text = b"token = \"abcdefghij0123456789xyz\"";
        let hits = rules.scan(text);
        assert_eq!(&text[hits[0].span.clone()], b"abcdefghij0123456789xyz");
    }

    #[test]
    fn allowlisted_values_are_marked() {
        let rules = CustomRules::compile(&[], &["^sk-ant-api03-TEST".to_string()])
            .unwrap()
            .unwrap();
        assert!(!rules.has_rules());
        let text = b"sk-ant-api03-TESTabc other";
        let mut findings = vec![
            Finding::new("CLD101", Severity::Error, Confidence::High)
                .at(0..20)
                .secret(Secret::new(&text[0..20], 13).to_ref("x")),
            Finding::new("CLD110", Severity::Error, Confidence::High).at(0..20),
        ];
        rules.mark_allowed_values(text, &mut findings);
        assert!(findings[0].suppression.is_some());
        assert!(
            findings[1].suppression.is_none(),
            "no secret, no value match"
        );
    }
}
