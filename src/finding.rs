//! What a check reports: a rule, a severity, a confidence, a primary location
//! (byte span plus a logical location such as a JSON pointer), related
//! locations, and — for credential findings — a redacted secret and its hash.
//!
//! A `Finding` never holds a secret in clear text: checks build the message
//! from [`crate::secrets::Secret`], which only exposes the redacted form.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::source::Region;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// One step lower, for findings whose shape the facts call uncertain.
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Error => Severity::Warning,
            _ => Severity::Note,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret as a finding may carry it: redacted text and a hash, never the value.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretRef {
    /// e.g. `sk-ant-api03-Ab…yzAA`
    pub redacted: String,
    /// SHA-256 of the secret, hex. Used for fingerprints and `secret_id`.
    pub sha256: String,
    /// What kind of token it is (`anthropic-api-key`, `gateway-token`, ...).
    pub token_type: &'static str,
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretRef({}, {})", self.token_type, self.redacted)
    }
}

impl SecretRef {
    /// Path-free id of the secret: a truncated SHA-256 of the SHA-256, so the
    /// same key is recognisable across files and repositories and a short
    /// secret cannot be brute-forced from an id that leaves the machine.
    pub fn secret_id(&self) -> String {
        crate::secrets::hash_hex(self.sha256.as_bytes())[..24].to_string()
    }
}

/// A location in a file other than the primary one (the other side of a conflict, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub path: String,
    pub span: Range<usize>,
    pub region: Option<Region>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule_id: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Display path: relative to the working directory when under it, else absolute.
    pub path: String,
    /// Byte span of the offending text in the file.
    pub span: Range<usize>,
    /// Filled in by the scanner from the file's line index.
    pub region: Option<Region>,
    /// JSON pointer, YAML path or Dockerfile stage/instruction; stable when lines move.
    pub logical: Option<String>,
    /// Already redacted.
    pub message: String,
    pub secret: Option<SecretRef>,
    pub related: Vec<Related>,
}

impl Finding {
    pub fn new(rule_id: &'static str, severity: Severity, confidence: Confidence) -> Self {
        Finding {
            rule_id,
            severity,
            confidence,
            path: String::new(),
            span: 0..0,
            region: None,
            logical: None,
            message: String::new(),
            secret: None,
            related: Vec::new(),
        }
    }

    pub fn at(mut self, span: Range<usize>) -> Self {
        self.span = span;
        self
    }

    pub fn logical(mut self, logical: impl Into<String>) -> Self {
        self.logical = Some(logical.into());
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn secret(mut self, secret: SecretRef) -> Self {
        self.secret = Some(secret);
        self
    }

    /// The stable claudit fingerprint: rule, path and either the secret's hash
    /// or the logical location — never the line number, so moving lines keeps it.
    pub fn fingerprint(&self) -> String {
        let anchor = match (&self.secret, &self.logical) {
            (Some(s), _) => s.sha256.clone(),
            (None, Some(l)) => l.clone(),
            (None, None) => format!("{}:{}", self.span.start, self.span.end),
        };
        let mut data = Vec::new();
        data.extend_from_slice(self.rule_id.as_bytes());
        data.push(0);
        data.extend_from_slice(self.path.as_bytes());
        data.push(0);
        data.extend_from_slice(anchor.as_bytes());
        crate::secrets::hash_hex(&data)[..32].to_string()
    }

    /// Ordering used for deterministic output: path, position, rule.
    pub fn sort_key(&self) -> (&str, usize, usize, &str, &str) {
        (
            self.path.as_str(),
            self.span.start,
            self.span.end,
            self.rule_id,
            self.message.as_str(),
        )
    }
}
