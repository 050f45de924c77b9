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
    /// The first line of the region, with every secret on it redacted.
    pub snippet: Option<Snippet>,
    /// Set by triage (`crate::triage`) when an ignore, an allowlist or a
    /// baseline entry covers this finding.
    pub suppression: Option<Suppression>,
    /// Set by triage when a baseline was given: whether the finding is in it.
    pub baseline_state: Option<BaselineState>,
    /// Set by `scan --history`: the commit that introduced the finding.
    pub origin: Option<Origin>,
    /// Hash of the finding's own text (see [`Finding::note_content`]), so
    /// fingerprints need no array index or byte offset.
    pub content_hash: Option<String>,
    /// What credential a finding without a secret is about (a committed
    /// credential file, a transcript); see [`Finding::token_type`].
    pub credential_kind: Option<&'static str>,
    /// 2, 3, … for the second and later findings of a run that share a base
    /// fingerprint (the same key twice in a file); set by
    /// [`number_duplicates`], 0 or 1 otherwise.
    pub occurrence: u32,
}

/// Where in git history a finding comes from (`claudit scan --history`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Full id of the earliest commit in which the blob appears at the path.
    pub commit: String,
    /// That commit's author date, ISO 8601.
    pub author_date: String,
    /// Whether the secret (or, for findings without one, the finding) is
    /// still present in the tree of HEAD.
    pub at_head: bool,
}

/// What covers a finding: an inline ignore, a `.claudit.toml` ignore or
/// allowlist entry, or a baseline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// SARIF `inSource` (an ignore comment in the file) or `external`.
    pub kind: SuppressionKind,
    /// Where the suppression comes from, e.g. `ignore comment at .env:3`.
    pub by: String,
    /// The reason given with it, if any (already redacted).
    pub justification: Option<String>,
    /// False under `--no-ignores`: the finding is still reported, and the
    /// suppression only says what would have hidden it.
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionKind {
    InSource,
    External,
}

impl SuppressionKind {
    /// The SARIF `suppression.kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::External => "external",
        }
    }
}

/// SARIF `baselineState`. `absent` is never emitted: GitHub ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineState {
    New,
    Unchanged,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

/// One source line for code frames, already redacted and clipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// 1-based line number of `text`.
    pub line: usize,
    pub text: String,
    /// Byte range in `text` to underline.
    pub underline: Range<usize>,
}

/// Longest snippet shown; minified lines are clipped around the span.
const SNIPPET_MAX: usize = 200;

impl Snippet {
    /// Builds the snippet of `finding` from the file's bytes: secrets that
    /// `tokens` found on the line and the finding's own secret are replaced
    /// by their redacted forms before anything else sees the line.
    /// `tokens` must be sorted by start offset (the token scan's order): only
    /// those near the line are looked at, so a file with many tokens costs
    /// time in proportion to its findings, not their square.
    pub fn build(
        bytes: &[u8],
        index: &crate::source::LineIndex,
        finding: &Finding,
        tokens: &[crate::secrets::tokens::TokenMatch],
    ) -> Snippet {
        let line0 = index.line_of(finding.span.start.min(bytes.len()));
        let line = index.line_range(bytes, line0);
        let span_start = finding.span.start.clamp(line.start, line.end);
        let span_end = finding.span.end.clamp(span_start, line.end);
        let cuts = redaction_cuts(bytes, &line, finding, tokens);

        let mut text = String::new();
        // Where the span's start and end land in the rewritten line.
        let targets = [span_start, span_end];
        let mut mapped: [Option<usize>; 2] = [None, None];
        let mut pos = line.start;
        for (range, redacted) in cuts {
            copy_raw(bytes, &mut text, pos..range.start, targets, &mut mapped);
            // A span end inside a redaction maps to the redaction's edges.
            if mapped[0].is_none() && range.contains(&span_start) {
                mapped[0] = Some(text.len());
            }
            text.push_str(&redacted);
            if mapped[1].is_none() && span_end > range.start && span_end <= range.end {
                mapped[1] = Some(text.len());
            }
            pos = range.end;
        }
        copy_raw(bytes, &mut text, pos..line.end, targets, &mut mapped);
        let start = mapped[0].unwrap_or(0);
        let end = mapped[1].unwrap_or(text.len()).max(start);
        clip(text, start..end, line0 + 1)
    }
}

/// Appends raw bytes `range` to `text`, noting where each target offset lands.
fn copy_raw(
    bytes: &[u8],
    text: &mut String,
    range: Range<usize>,
    targets: [usize; 2],
    mapped: &mut [Option<usize>; 2],
) {
    for (target, slot) in targets.iter().zip(mapped.iter_mut()) {
        if slot.is_none() && (range.start..=range.end).contains(target) {
            *slot = Some(text.len() + lossy_len(&bytes[range.start..*target]));
        }
    }
    text.push_str(&String::from_utf8_lossy(&bytes[range]));
}

/// Secret spans on `line` with their redacted text, sorted and clipped to the line.
fn redaction_cuts(
    bytes: &[u8],
    line: &Range<usize>,
    finding: &Finding,
    tokens: &[crate::secrets::tokens::TokenMatch],
) -> Vec<(Range<usize>, String)> {
    let mut cuts: Vec<(Range<usize>, String)> = tokens_near(tokens, line)
        .iter()
        .filter(|t| t.span.start < line.end && line.start < t.span.end)
        .map(|t| {
            let secret = crate::secrets::Secret::new(&bytes[t.span.clone()], t.prefix_len);
            (t.span.clone(), secret.redacted())
        })
        .collect();
    if let Some(s) = &finding.secret {
        let overlaps = cuts
            .iter()
            .any(|(r, _)| r.start < finding.span.end && finding.span.start < r.end);
        if !overlaps && !finding.span.is_empty() {
            cuts.push((finding.span.clone(), s.redacted.clone()));
        }
    }
    let mut clipped: Vec<(Range<usize>, String)> = cuts
        .into_iter()
        .filter_map(|(r, text)| {
            let (start, end) = (r.start.max(line.start), r.end.min(line.end));
            (start < end).then_some((start..end, text))
        })
        .collect();
    clipped.sort_by_key(|(r, _)| r.start);
    // Drop overlaps: the earlier cut wins.
    let mut out: Vec<(Range<usize>, String)> = Vec::new();
    for (r, text) in clipped {
        if out.last().is_none_or(|(last, _)| last.end <= r.start) {
            out.push((r, text));
        }
    }
    out
}

/// The slice of `tokens` (sorted by start) that may overlap `line`: those
/// starting before its end, back to the longest a token can reach. Token-scan
/// tokens never cross a line end; custom-rule matches may, but are at most
/// [`MAX_TOKEN_LEN`](crate::secrets::tokens::MAX_TOKEN_LEN) bytes long.
fn tokens_near<'t>(
    tokens: &'t [crate::secrets::tokens::TokenMatch],
    line: &Range<usize>,
) -> &'t [crate::secrets::tokens::TokenMatch] {
    debug_assert!(tokens.is_sorted_by_key(|t| t.span.start));
    let reach = crate::secrets::tokens::MAX_TOKEN_LEN + 64;
    let hi = tokens.partition_point(|t| t.span.start < line.end);
    let lo = tokens[..hi].partition_point(|t| t.span.start + reach < line.start);
    &tokens[lo..hi]
}

fn lossy_len(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).len()
}

/// Replaces control characters (binary files, terminal escapes) with dots of
/// the same byte length, so offsets stay valid and nothing reaches a terminal raw.
fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\t' && c.is_control() {
            out.extend(std::iter::repeat_n('.', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Clips very long lines to a window around the underline.
fn clip(text: String, underline: Range<usize>, line: usize) -> Snippet {
    let text = sanitize(&text);
    if text.len() <= SNIPPET_MAX {
        return Snippet {
            line,
            text,
            underline,
        };
    }
    let mut start = underline.start.saturating_sub(40);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + SNIPPET_MAX)
        .min(text.len())
        .max(underline.end.min(text.len()));
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < text.len() { "…" } else { "" };
    let shown = format!("{prefix}{}{suffix}", &text[start..end]);
    let off = prefix.len();
    Snippet {
        line,
        text: shown,
        underline: (underline.start - start + off)..(underline.end.min(end) - start + off),
    }
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
            snippet: None,
            suppression: None,
            baseline_state: None,
            origin: None,
            content_hash: None,
            credential_kind: None,
            occurrence: 0,
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

    /// Sets what credential the finding is about when it carries no secret.
    pub fn credential_kind(mut self, kind: &'static str) -> Self {
        self.credential_kind = Some(kind);
        self
    }

    /// The logical location as reports show it: `None` when empty (a JSON
    /// pointer to the whole document), so no report reads `at ` with nothing after.
    pub fn shown_logical(&self) -> Option<&str> {
        self.logical.as_deref().filter(|l| !l.trim().is_empty())
    }

    /// The `token_type` reports show: the secret's type, else what the
    /// finding says it is about, else the rule's own for leaked-credential
    /// rules whose findings hold no secret. Every CLD1xx finding has one.
    pub fn token_type(&self) -> Option<&'static str> {
        self.secret
            .as_ref()
            .map(|s| s.token_type)
            .or(self.credential_kind)
    }

    /// Records a hash of the finding's text in `bytes` (its span, or its line
    /// when the span is empty; whitespace runs count as one space), which
    /// [`Finding::fingerprint`] uses instead of positions.
    pub fn note_content(&mut self, bytes: &[u8]) {
        let start = self.span.start.min(bytes.len());
        let end = self.span.end.clamp(start, bytes.len());
        let text = if start < end {
            &bytes[start..end]
        } else {
            let line_start = bytes[..start]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line_end = bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| start + i);
            &bytes[line_start..line_end]
        };
        let normalized: Vec<&[u8]> = text
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        self.content_hash =
            Some(crate::secrets::hash_hex(&normalized.join(&b' '))[..24].to_string());
    }

    /// The stable claudit fingerprint: rule, path and either the secret's
    /// hash or the logical location — never the line number, so moving lines
    /// keeps it. Positions never count: array indexes in the logical location
    /// (`/permissions/allow/0`, `steps[2]`, `stage[0]`) are replaced by a hash
    /// of the finding's text, and a finding without a logical location is
    /// anchored by that hash instead of its byte offset. Inserting an allow
    /// rule or a step above a finding therefore keeps its fingerprint.
    ///
    /// Findings of one run that would share it (the same key twice in one
    /// file) are told apart by their ordinal in output order, as GitHub does
    /// for line hashes: the second is `<hash>:2`, the third `<hash>:3` (see
    /// [`number_duplicates`]); GitHub would otherwise merge them into one alert.
    pub fn fingerprint(&self) -> String {
        let base = self.base_fingerprint();
        if self.occurrence >= 2 {
            format!("{base}:{}", self.occurrence)
        } else {
            base
        }
    }

    /// [`Finding::fingerprint`] without the occurrence ordinal.
    pub fn base_fingerprint(&self) -> String {
        let anchor = match (&self.secret, &self.logical, &self.content_hash) {
            (Some(s), _, _) => s.sha256.clone(),
            (None, Some(l), Some(content)) => match strip_indexes(l) {
                Some(stripped) => format!("{stripped}#{content}"),
                None => l.clone(),
            },
            (None, Some(l), None) => l.clone(),
            (None, None, Some(content)) => format!("#{content}"),
            (None, None, None) => format!("{}:{}", self.span.start, self.span.end),
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

/// Numbers the findings of a run that share a base fingerprint: in output
/// order (path, position, rule, message), the first keeps the plain
/// fingerprint and the next ones get `:2`, `:3`, … Depends only on the
/// findings, not on their order in `findings` or on line numbers, and gives
/// the same result when run again.
pub fn number_duplicates(findings: &mut [Finding]) {
    let bases: Vec<String> = findings.iter().map(Finding::base_fingerprint).collect();
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        findings[a]
            .sort_key()
            .cmp(&findings[b].sort_key())
            .then_with(|| a.cmp(&b))
    });
    let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let mut ordinals = vec![0u32; findings.len()];
    for i in order {
        let n = seen.entry(bases[i].as_str()).or_insert(0);
        *n += 1;
        ordinals[i] = *n;
    }
    for (f, n) in findings.iter_mut().zip(ordinals) {
        f.occurrence = if n >= 2 { n } else { 0 };
    }
}

/// A logical location without its array positions: `[3]` becomes `[]` and an
/// all-digit JSON pointer segment (`/allow/0`) becomes `/[]`. `None` when it
/// holds no position.
fn strip_indexes(logical: &str) -> Option<String> {
    let mut out = String::with_capacity(logical.len());
    let mut changed = false;
    let bytes = logical.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let digits_from = |j: usize| bytes[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if c == b'[' {
            let n = digits_from(i + 1);
            if n > 0 && bytes.get(i + 1 + n) == Some(&b']') {
                out.push_str("[]");
                i += n + 2;
                changed = true;
                continue;
            }
        }
        if c == b'/' && logical.starts_with('/') {
            let n = digits_from(i + 1);
            let end = i + 1 + n;
            if n > 0 && (end == bytes.len() || bytes[end] == b'/') {
                out.push_str("/[]");
                i = end;
                changed = true;
                continue;
            }
        }
        let ch = logical[i..].chars().next().unwrap_or_default();
        out.push(ch);
        i += ch.len_utf8();
    }
    changed.then_some(out)
}

#[cfg(test)]
mod fingerprint_tests {
    use super::*;

    #[test]
    fn duplicates_in_a_run_get_ordinals_in_output_order() {
        let secret = SecretRef {
            redacted: "r".to_string(),
            sha256: "same".to_string(),
            token_type: "anthropic-api-key",
        };
        let at = |start: usize| {
            let mut f = Finding::new("CLD101", Severity::Error, Confidence::High)
                .at(start..start + 10)
                .secret(secret.clone());
            f.path = ".env".to_string();
            f
        };
        // Given out of order: numbering follows positions, not input order.
        let mut findings = vec![at(300), at(10), at(120)];
        let other = {
            let mut f = at(50);
            f.path = "b.env".to_string();
            f
        };
        findings.push(other);
        number_duplicates(&mut findings);
        let base = findings[1].base_fingerprint();
        assert_eq!(findings[1].fingerprint(), base);
        assert_eq!(findings[2].fingerprint(), format!("{base}:2"));
        assert_eq!(findings[0].fingerprint(), format!("{base}:3"));
        // Another file: its own numbering.
        assert_eq!(findings[3].fingerprint(), findings[3].base_fingerprint());
        // Moving lines (all positions shift) keeps every fingerprint.
        let before: Vec<String> = findings.iter().map(Finding::fingerprint).collect();
        for f in &mut findings {
            f.span = f.span.start + 7..f.span.end + 7;
        }
        number_duplicates(&mut findings);
        let after: Vec<String> = findings.iter().map(Finding::fingerprint).collect();
        assert_eq!(before, after);
    }

    #[test]
    fn indexes_are_stripped() {
        assert_eq!(
            strip_indexes("/permissions/allow/0").as_deref(),
            Some("/permissions/allow/[]")
        );
        assert_eq!(
            strip_indexes("jobs.x.steps[12].uses").as_deref(),
            Some("jobs.x.steps[].uses")
        );
        assert_eq!(
            strip_indexes("stage[0] app > ENV K").as_deref(),
            Some("stage[] app > ENV K")
        );
        assert_eq!(strip_indexes("/env/ANTHROPIC_API_KEY"), None);
        assert_eq!(strip_indexes("services.api.environment.K1"), None);
    }

    fn at(bytes: &[u8], needle: &str, logical: Option<&str>) -> Finding {
        let start = String::from_utf8_lossy(bytes).find(needle).expect("needle");
        let mut f = Finding::new("CLD404", Severity::Warning, Confidence::High)
            .at(start..start + needle.len());
        f.logical = logical.map(str::to_string);
        f.path = ".claude/settings.json".to_string();
        f.note_content(bytes);
        f
    }

    #[test]
    fn inserting_an_element_before_keeps_the_fingerprint() {
        let before = br#"{"permissions": {"allow": ["Bash(*)"]}}"#;
        let after = br#"{"permissions": {"allow": ["Read", "Bash(*)"]}}"#;
        let a = at(before, "\"Bash(*)\"", Some("/permissions/allow/0"));
        let b = at(after, "\"Bash(*)\"", Some("/permissions/allow/1"));
        assert_eq!(a.fingerprint(), b.fingerprint());
        let other = at(after, "\"Read\"", Some("/permissions/allow/0"));
        assert_ne!(a.fingerprint(), other.fingerprint());
        // No logical location: the text anchors it, not the byte offset.
        let a = at(before, "\"Bash(*)\"", None);
        let b = at(after, "\"Bash(*)\"", None);
        assert_eq!(a.fingerprint(), b.fingerprint());
    }
}

#[cfg(test)]
mod snippet_tests {
    use super::*;
    use crate::secrets::tokens::TokenScanner;
    use crate::source::LineIndex;

    #[test]
    fn snippets_look_only_at_tokens_near_their_line() {
        let mut text = String::new();
        for seed in 0..300 {
            let a = crate::testkeys::key("api03", seed);
            let b = crate::testkeys::key("oat01", seed + 1000);
            text.push_str(&format!("k{seed}: {a} {b}\n"));
        }
        let bytes = text.as_bytes();
        let tokens = TokenScanner::new().scan(bytes);
        assert_eq!(tokens.len(), 600);
        let index = LineIndex::new(bytes);
        let line = index.line_range(bytes, 150);
        let near = tokens_near(&tokens, &line);
        // A bounded window (the longest a token can reach), not the whole file.
        assert!(near.len() < 60, "{} tokens looked at", near.len());
        assert!(near.iter().any(|t| t.span == tokens[300].span));
        let finding =
            Finding::new("CLD101", Severity::Error, Confidence::High).at(tokens[300].span.clone());
        let snippet = Snippet::build(bytes, &index, &finding, &tokens);
        assert_eq!(snippet.line, 151);
        assert!(
            snippet.text.starts_with("k150: sk-ant-api03-"),
            "{}",
            snippet.text
        );
        // Both tokens of the line are redacted.
        assert_eq!(snippet.text.matches('…').count(), 2, "{}", snippet.text);
        for t in &tokens[300..302] {
            let raw = std::str::from_utf8(&bytes[t.span.clone()]).expect("utf8");
            assert!(!snippet.text.contains(&raw[20..]));
        }
    }
}
