//! SARIF 2.1.0 for GitHub code scanning: one run, every catalog rule, and
//! the subset of SARIF that GitHub reads (see the crate notes, §1).
//!
//! Choices that matter for GitHub:
//! - `driver.rules` lists every rule, so `ruleIndex` is the catalog index and
//!   the rule set stays the same between uploads whatever fired.
//! - Columns are UTF-16 code units and declared as such (`columnKind`).
//! - URIs are relative to the working directory and percent-encoded; a space
//!   in a URI makes the upload invalid. Relative URIs carry
//!   `uriBaseId: "%SRCROOT%"`, which `run.originalUriBaseIds` declares: the
//!   working directory as a `file:///…/` URI when the caller gives it
//!   ([`SarifOptions::src_root`]), else a description only (fleet's
//!   per-repository files, which hold no absolute path). Absolute paths are
//!   `file://` URIs without a base id.
//! - `partialFingerprints["claudit/v1"]` is our own stable key;
//!   `primaryLocationLineHash` is only written when the caller lets us read
//!   the files ([`to_sarif_with_line_hashes`]), else upload-sarif computes it.
//! - At most [`MAX_RESULTS`] results, the most severe first; the rest are
//!   counted in a tool notification rather than failing the upload.
//! - Never a snippet. Suppressed and baselined findings are left out by the
//!   caller (GitHub ignores `suppressions` and would open alerts for them);
//!   when a caller includes them (`--include-suppressed`) they carry
//!   `suppressions` with status `accepted`. `baselineState` is `new` or
//!   `unchanged` when a baseline was given, never `absent` (GitHub ignores it).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::catalog::{self, Rule};
use crate::finding::{Confidence, Finding, Related, Severity};
use crate::source::Region;

use super::line_hash;

/// GitHub rejects runs with more results than this.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub's limits on rule metadata, in characters.
const MAX_NAME: usize = 255;
const MAX_DESCRIPTION: usize = 1024;
/// GitHub accepts 20 tags per rule (and shows 10).
const MAX_TAGS: usize = 20;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const FINGERPRINT_KEY: &str = "claudit/v1";
const LINE_HASH_KEY: &str = "primaryLocationLineHash";

/// Reads a scanned file's bytes by its display path; `None` when unreadable.
pub type ReadFile<'a> = dyn Fn(&str) -> Option<Vec<u8>> + Sync + 'a;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SarifOptions {
    /// `run.automationDetails.id`: the code-scanning category, ending in `/`
    /// (one is appended if missing). Empty means no automationDetails, so
    /// upload-sarif's `category:` input applies.
    pub category: String,
    /// List every catalog rule (the default), or only the rules that fired.
    pub include_all_rules: bool,
    /// `[[custom_rules]]` of `.claudit.toml`, described like catalog rules
    /// when they fire.
    pub custom_rules: Vec<CustomRuleMeta>,
    /// What `%SRCROOT%`, the base of every relative URI, stands for: an
    /// absolute `file:///…/` URI (see [`dir_uri`]), or `None` to declare the
    /// base with a description only, writing no absolute path.
    pub src_root: Option<String>,
}

/// The base id of every relative artifact URI.
pub const SRCROOT: &str = "%SRCROOT%";

/// What SARIF says about a custom rule from `.claudit.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRuleMeta {
    pub id: String,
    pub name: String,
    /// What the token is ("ACME gateway token").
    pub description: Option<String>,
    /// The effective severity (after `[severity]` overrides).
    pub severity: Severity,
}

impl Default for SarifOptions {
    fn default() -> Self {
        SarifOptions {
            category: "claudit/".to_string(),
            include_all_rules: true,
            custom_rules: Vec::new(),
            src_root: None,
        }
    }
}

/// Something to tell the SARIF consumer that is not a finding: an unreadable
/// file, a parse error, results left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolNotification {
    pub level: Severity,
    pub message: String,
    pub path: Option<String>,
}

impl From<&crate::scan::Notice> for ToolNotification {
    fn from(notice: &crate::scan::Notice) -> Self {
        use crate::scan::NoticeKind;
        let level = match notice.kind {
            NoticeKind::ParseError | NoticeKind::Unreadable => Severity::Warning,
            // Triage notices are notes, as `--fail-on` counts them.
            NoticeKind::Skipped
            | NoticeKind::UnusedIgnore
            | NoticeKind::InvalidIgnore
            | NoticeKind::ExpiredBaseline => Severity::Note,
        };
        let at = match (notice.line, notice.column) {
            (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
            (Some(l), None) => format!(" (line {l})"),
            _ => String::new(),
        };
        // Alone in a notification, a skipped file's reason says so.
        let skipped =
            if notice.kind == NoticeKind::Skipped && !notice.message.starts_with("skipped") {
                "skipped: "
            } else {
                ""
            };
        ToolNotification {
            level,
            message: format!("{skipped}{}{at}", notice.message),
            path: Some(notice.path.clone()),
        }
    }
}

/// Renders `findings` as one pretty-printed SARIF run.
pub fn to_sarif(
    findings: &[Finding],
    notifications: &[ToolNotification],
    opts: &SarifOptions,
) -> String {
    render(findings, notifications, opts, None)
}

/// Like [`to_sarif`], and also writes `primaryLocationLineHash` for every
/// result whose file `read_file(path)` returns. Each file is read once.
/// Use it for uploads that bypass upload-sarif, and for findings in files
/// that are not in the checkout (images, history).
pub fn to_sarif_with_line_hashes(
    findings: &[Finding],
    notifications: &[ToolNotification],
    opts: &SarifOptions,
    read_file: &ReadFile<'_>,
) -> String {
    render(findings, notifications, opts, Some(read_file))
}

/// Like [`to_sarif_with_line_hashes`], with line hashes already computed
/// for some paths (`known`, by display path and line: content that is not on
/// disk, such as image layers); other paths are read with `read_file`.
pub fn to_sarif_with_known_line_hashes(
    findings: &[Finding],
    notifications: &[ToolNotification],
    opts: &SarifOptions,
    read_file: &ReadFile<'_>,
    known: &HashMap<String, HashMap<usize, String>>,
) -> String {
    let read = LineHashes::read(findings, read_file, known);
    let mut lookup = |path: &str, line: usize| match known.get(path) {
        Some(lines) => lines.get(&line).cloned(),
        None => read.get(path, line),
    };
    render_with(findings, notifications, opts, &mut lookup)
}

fn render(
    findings: &[Finding],
    notifications: &[ToolNotification],
    opts: &SarifOptions,
    read_file: Option<&ReadFile<'_>>,
) -> String {
    let read = match read_file {
        Some(read_file) => LineHashes::read(findings, read_file, &HashMap::new()),
        None => LineHashes::default(),
    };
    render_with(findings, notifications, opts, &mut |path, line| {
        read.get(path, line)
    })
}

/// `line_hash(path, line)`: the `primaryLocationLineHash` of a line, if known.
fn render_with(
    findings: &[Finding],
    notifications: &[ToolNotification],
    opts: &SarifOptions,
    line_hash: &mut dyn FnMut(&str, usize) -> Option<String>,
) -> String {
    let (kept, dropped) = select_results(findings, MAX_RESULTS);
    let rules = RuleTable::new(
        kept.iter().map(|f| f.rule_id),
        opts.include_all_rules,
        &opts.custom_rules,
    );
    let results = kept
        .iter()
        .map(|f| result_of(f, &rules, line_hash))
        .collect();

    let mut tool_notifications: Vec<Notification> =
        notifications.iter().map(notification_of).collect();
    if dropped > 0 {
        tool_notifications.push(Notification {
            level: "warning",
            message: Message::new(format!(
                "{dropped} of {} results were left out: GitHub accepts at most {MAX_RESULTS} results per run, \
                 so only the most severe were kept",
                findings.len()
            )),
            locations: Vec::new(),
        });
    }

    let log = SarifLog {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "claudit",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: rules.descriptors,
                },
            },
            automation_details: automation_details(&opts.category),
            original_uri_base_ids: original_uri_base_ids(opts.src_root.as_deref()),
            column_kind: "utf16CodeUnits",
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: tool_notifications,
            }],
            results,
        }],
    };
    // Only string-keyed maps and plain structs: serializing cannot fail.
    serde_json::to_string_pretty(&log).expect("SARIF structures always serialize")
}

/// Keeps at most `limit` findings, preferring severity, then confidence, then
/// the order given; the kept ones stay in the order given. Returns them and
/// how many were left out.
fn select_results(findings: &[Finding], limit: usize) -> (Vec<&Finding>, usize) {
    if findings.len() <= limit {
        return (findings.iter().collect(), 0);
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| {
        let f = &findings[i];
        (
            std::cmp::Reverse(f.severity),
            std::cmp::Reverse(f.confidence),
            i,
        )
    });
    order.truncate(limit);
    order.sort_unstable();
    let kept = order.into_iter().map(|i| &findings[i]).collect();
    (kept, findings.len() - limit)
}

/// `run.originalUriBaseIds`: `%SRCROOT%` as an absolute directory URI, or
/// described only (SARIF §3.14.14 allows an entry without `uri`).
fn original_uri_base_ids(src_root: Option<&str>) -> BTreeMap<&'static str, BaseLocation> {
    let base = match src_root {
        Some(uri) => BaseLocation {
            uri: Some(if uri.ends_with('/') {
                uri.to_string()
            } else {
                format!("{uri}/")
            }),
            description: None,
        },
        None => BaseLocation {
            uri: None,
            description: Some(Message::new(
                "The root of the scanned repository; relative URIs are relative to it.".to_string(),
            )),
        },
    };
    BTreeMap::from([(SRCROOT, base)])
}

/// A directory as an absolute `file:///…/` URI (percent-encoded, ending in
/// `/`), for [`SarifOptions::src_root`].
pub fn dir_uri(dir: &std::path::Path) -> String {
    let text = dir.to_string_lossy().replace('\\', "/");
    let mut uri = path_to_uri(&text);
    if !uri.starts_with("file://") {
        // Not absolute: nothing to anchor it to.
        uri = format!("file:///{uri}");
    }
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn automation_details(category: &str) -> Option<AutomationDetails> {
    if category.is_empty() {
        return None;
    }
    let id = if category.ends_with('/') {
        category.to_string()
    } else {
        format!("{category}/")
    };
    Some(AutomationDetails { id })
}

// ---------------------------------------------------------------------------
// Rules

/// The `driver.rules` array and where each rule id landed in it.
struct RuleTable {
    descriptors: Vec<ReportingDescriptor>,
    index: HashMap<String, usize>,
}

impl RuleTable {
    /// Catalog rules (all, or those in `fired`), in catalog order, then a
    /// descriptor for any fired id the catalog does not know — a custom
    /// rule's, or a minimal one — so that every result's `ruleId` resolves.
    fn new<'a>(
        fired: impl Iterator<Item = &'a str>,
        include_all: bool,
        custom: &[CustomRuleMeta],
    ) -> Self {
        let fired: Vec<&str> = fired.collect();
        let mut table = RuleTable {
            descriptors: Vec::new(),
            index: HashMap::new(),
        };
        for rule in catalog::rules() {
            if include_all || fired.contains(&rule.id.as_str()) {
                table.push(rule.id.clone(), descriptor_of(rule));
            }
        }
        for id in fired {
            if !table.index.contains_key(id) {
                let descriptor = match custom.iter().find(|c| c.id == id) {
                    Some(c) => custom_descriptor(c),
                    None => unknown_descriptor(id),
                };
                table.push(id.to_string(), descriptor);
            }
        }
        table
    }

    fn push(&mut self, id: String, descriptor: ReportingDescriptor) {
        self.index.insert(id, self.descriptors.len());
        self.descriptors.push(descriptor);
    }
}

fn descriptor_of(rule: &Rule) -> ReportingDescriptor {
    let full = format!("{} {}", rule.summary.trim(), first_paragraph(&rule.why));
    ReportingDescriptor {
        id: rule.id.clone(),
        name: Some(clip(&rule.name, MAX_NAME)),
        short_description: Message::new(clip(rule.summary.trim(), MAX_DESCRIPTION)),
        full_description: Message::new(clip(&full, MAX_DESCRIPTION)),
        help: Help {
            text: help_text(rule),
            markdown: Some(help_markdown(rule)),
        },
        help_uri: Some(rule.help_uri()),
        default_configuration: Configuration {
            level: rule.severity.as_str(),
        },
        properties: RuleProperties {
            tags: tags_of(rule),
            precision: precision_of(rule.confidence),
            security_severity: security_severity_of(rule.security_severity),
            problem_severity: problem_severity_of(rule.severity),
        },
    }
}

/// A custom token rule: a leaked credential of the organisation's own
/// shape, so a security rule like the built-in token rules, its
/// `security-severity` following its severity (GitHub's bands: error → high,
/// warning → medium, note → low).
fn custom_descriptor(rule: &CustomRuleMeta) -> ReportingDescriptor {
    let what = rule
        .description
        .clone()
        .unwrap_or_else(|| format!("`{}` token", rule.name));
    let short = format!("{what} committed in plain text (custom rule from .claudit.toml).");
    let help = format!(
        "{short} Remove it from the repository, rotate it, and load it from a secret store at run time."
    );
    ReportingDescriptor {
        id: rule.id.clone(),
        name: Some(clip(&rule.name, MAX_NAME)),
        short_description: Message::new(clip(&short, MAX_DESCRIPTION)),
        full_description: Message::new(clip(&short, MAX_DESCRIPTION)),
        help: Help {
            text: help.clone(),
            markdown: Some(help),
        },
        help_uri: None,
        default_configuration: Configuration {
            level: rule.severity.as_str(),
        },
        properties: RuleProperties {
            tags: vec![
                "security".to_string(),
                "secret".to_string(),
                "custom".to_string(),
            ],
            precision: precision_of(Confidence::Medium),
            security_severity: security_severity_of(Some(custom_security_severity(rule.severity))),
            problem_severity: problem_severity_of(rule.severity),
        },
    }
}

fn custom_security_severity(severity: Severity) -> f32 {
    match severity {
        Severity::Error => 8.0,
        Severity::Warning => 5.0,
        Severity::Note => 2.0,
    }
}

fn unknown_descriptor(id: &str) -> ReportingDescriptor {
    let text = format!("claudit rule {id}.");
    ReportingDescriptor {
        id: id.to_string(),
        name: None,
        short_description: Message::new(text.clone()),
        full_description: Message::new(text.clone()),
        help: Help {
            text,
            markdown: None,
        },
        help_uri: None,
        default_configuration: Configuration { level: "warning" },
        properties: RuleProperties {
            tags: Vec::new(),
            precision: precision_of(Confidence::Medium),
            security_severity: None,
            problem_severity: "warning",
        },
    }
}

/// The first paragraph of a markdown text, its hard line breaks joined.
fn first_paragraph(markdown: &str) -> String {
    markdown
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn help_text(rule: &Rule) -> String {
    let mut text = format!("{}\n\nHow to fix:\n{}\n", rule.why.trim(), rule.fix.trim());
    if !rule.references.is_empty() {
        text.push_str("\nReferences:\n");
        for reference in &rule.references {
            text.push_str(&format!("- {reference}\n"));
        }
    }
    text.push_str(&format!("\nDocumentation: {}\n", rule.help_uri()));
    text
}

fn help_markdown(rule: &Rule) -> String {
    let mut md = format!(
        "**{}**\n\n## Why\n\n{}\n\n## How to fix\n\n{}\n",
        rule.summary.trim(),
        rule.why.trim(),
        rule.fix.trim()
    );
    if !rule.references.is_empty() {
        md.push_str("\n## References\n\n");
        for reference in &rule.references {
            md.push_str(&format!("- <{reference}>\n"));
        }
    }
    md.push_str(&format!("\n[Rule documentation]({})\n", rule.help_uri()));
    md
}

/// The rule's tags, with `security` first for security rules, without repeats.
fn tags_of(rule: &Rule) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    if rule.is_security() {
        tags.push("security".to_string());
    }
    for tag in &rule.tags {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    tags.truncate(MAX_TAGS);
    tags
}

fn precision_of(confidence: Confidence) -> &'static str {
    confidence.as_str()
}

/// A decimal string in (0, 10], as GitHub wants; anything else means none.
fn security_severity_of(value: Option<f32>) -> Option<String> {
    value
        .filter(|v| *v > 0.0 && *v <= 10.0)
        .map(|v| format!("{v:.1}"))
}

fn problem_severity_of(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "recommendation",
    }
}

/// At most `max` characters, ending in `…` when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

// ---------------------------------------------------------------------------
// Results

fn result_of(
    finding: &Finding,
    rules: &RuleTable,
    line_hash: &mut dyn FnMut(&str, usize) -> Option<String>,
) -> SarifResult {
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), finding.fingerprint());
    if let Some(hash) = hashed_line(finding).and_then(|line| line_hash(&finding.path, line)) {
        fingerprints.insert(LINE_HASH_KEY.to_string(), hash);
    }
    let primary = Location {
        id: None,
        physical_location: Some(physical_location(
            &finding.path,
            primary_region(finding.region),
        )),
        logical_locations: finding
            .shown_logical()
            .map(logical_location)
            .into_iter()
            .collect(),
        message: None,
    };
    SarifResult {
        rule_id: finding.rule_id.to_string(),
        rule_index: rules.index.get(finding.rule_id).copied(),
        level: finding.severity.as_str(),
        message: Message::new(result_text(finding)),
        locations: vec![primary],
        related_locations: finding
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| related_location(i + 1, r))
            .collect(),
        partial_fingerprints: fingerprints,
        suppressions: finding
            .suppression
            .iter()
            .filter(|s| s.active)
            .map(suppression_of)
            .collect(),
        baseline_state: finding.baseline_state.map(|b| b.as_str()),
        properties: ResultProperties {
            confidence: finding.confidence.as_str(),
            token_type: finding.token_type(),
            secret_id: finding.secret.as_ref().map(|s| s.secret_id()),
            would_be_suppressed_by: finding
                .suppression
                .as_ref()
                .filter(|s| !s.active)
                .map(|s| s.by.clone()),
            commit: finding.origin.as_ref().map(|o| o.commit.clone()),
            introduced_at: finding.origin.as_ref().map(|o| o.author_date.clone()),
            at_head: finding.origin.as_ref().map(|o| o.at_head),
        },
    }
}

/// SARIF §3.35: an accepted suppression, its reason and where it comes from.
fn suppression_of(s: &crate::finding::Suppression) -> SarifSuppression {
    let justification = match &s.justification {
        Some(reason) => format!("{reason} ({})", s.by),
        None => s.by.clone(),
    };
    SarifSuppression {
        kind: s.kind.as_str(),
        status: "accepted",
        justification,
    }
}

/// The finding's (redacted) message, where it is in the file's structure, and
/// links to the related locations, which is how GitHub shows those.
fn result_text(finding: &Finding) -> String {
    let mut text = escape_links(finding.message.trim());
    if text.is_empty() {
        text = format!("{} finding", finding.rule_id);
    }
    if let Some(logical) = finding.shown_logical() {
        text.push_str(&format!(" (at {})", escape_links(logical)));
    }
    if !finding.related.is_empty() {
        let links: Vec<String> = finding
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| format!("[{}]({})", escape_link_text(related_text(r)), i + 1))
            .collect();
        text.push_str(&format!("; see {}", links.join(", ")));
    }
    text
}

/// SARIF reads `[text](target)` in plain-text messages as a link; text that
/// is not ours must not form one, so `](` loses its meaning.
fn escape_links(text: &str) -> String {
    text.replace("](", "\\](")
}

/// Inside a link's text, brackets and backslashes are escaped (SARIF §3.11.6).
fn escape_link_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

fn related_text(related: &Related) -> &str {
    let text = related.message.trim();
    if text.is_empty() {
        "related location"
    } else {
        text
    }
}

fn related_location(id: usize, related: &Related) -> Location {
    Location {
        id: Some(id),
        physical_location: Some(physical_location(
            &related.path,
            related_region(related.region, &related.span),
        )),
        logical_locations: Vec::new(),
        message: Some(Message::new(related_text(related).to_string())),
    }
}

fn physical_location(path: &str, region: SarifRegion) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: artifact_location(path),
        region: Some(region),
    }
}

/// A path's URI; relative ones are relative to `%SRCROOT%`.
fn artifact_location(path: &str) -> ArtifactLocation {
    let uri = path_to_uri(path);
    let uri_base_id = (!uri.starts_with("file:")).then_some(SRCROOT);
    ArtifactLocation { uri, uri_base_id }
}

/// GitHub requires `startLine` on the primary location (GH1003). Without a
/// line index the finding is shown at the top of its file, as upload-sarif
/// itself does for results without a line; byte offsets are left out, since
/// a region's line and byte properties must describe the same text.
fn primary_region(region: Option<Region>) -> SarifRegion {
    match region {
        Some(r) => line_region(r),
        None => SarifRegion {
            start_line: Some(1),
            ..SarifRegion::default()
        },
    }
}

/// Related locations are only linked, so the byte span is region enough.
fn related_region(region: Option<Region>, span: &std::ops::Range<usize>) -> SarifRegion {
    match region {
        Some(r) => line_region(r),
        None => SarifRegion {
            byte_offset: Some(span.start),
            byte_length: Some(span.end.saturating_sub(span.start)),
            ..SarifRegion::default()
        },
    }
}

/// Line and UTF-16 columns as the scanner computed them, clamped to what the
/// schema allows (1-based, end not before start).
fn line_region(r: Region) -> SarifRegion {
    let start_line = r.start.line.max(1);
    let start_column = r.start.column.max(1);
    let end_line = r.end.line.max(start_line);
    let end_column = if end_line == start_line {
        r.end.column.max(start_column)
    } else {
        r.end.column.max(1)
    };
    SarifRegion {
        start_line: Some(start_line),
        start_column: Some(start_column),
        end_line: Some(end_line),
        end_column: Some(end_column),
        ..SarifRegion::default()
    }
}

fn logical_location(logical: &str) -> LogicalLocation {
    LogicalLocation {
        fully_qualified_name: logical.to_string(),
        kind: logical_kind(logical),
    }
}

/// JSON pointers and YAML paths name a member of an object; a dotenv name or
/// a Dockerfile `stage > ENV NAME` names a variable.
fn logical_kind(logical: &str) -> &'static str {
    if logical.contains(" > ") || !(logical.starts_with('/') || logical.contains(['.', '['])) {
        "variable"
    } else {
        "member"
    }
}

/// A display path as a URI reference: relative paths stay relative, absolute
/// ones become `file://` URIs; everything but unreserved characters and `/`
/// is percent-encoded (UTF-8), which GitHub decodes back to the path.
pub fn path_to_uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let bytes = path.as_bytes();
    // `C:/…` or `C:\…` on Windows; `a:b/c` elsewhere is a relative name.
    let is_drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'/' | b'\\');
    if is_drive {
        let rest = path[2..].replace('\\', "/");
        return format!("file:///{}:{}", &path[..1], percent_encode(&rest));
    }
    if path.starts_with('/') {
        return format!("file://{}", percent_encode(path));
    }
    percent_encode(path)
}

fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn notification_of(n: &ToolNotification) -> Notification {
    Notification {
        level: n.level.as_str(),
        message: Message::new(crate::secrets::redact_text(&n.message).into_owned()),
        locations: n
            .path
            .iter()
            .map(|p| Location {
                id: None,
                physical_location: Some(PhysicalLocation {
                    artifact_location: artifact_location(p),
                    region: None,
                }),
                logical_locations: Vec::new(),
                message: None,
            })
            .collect(),
    }
}

/// `primaryLocationLineHash` values read from the files with results, by
/// path and line: only the lines with a result are hashed, each file only as
/// far as its last one, files side by side (a report on a large tree hashes
/// hundreds of files, some of them large). Each file is read once.
#[derive(Default)]
struct LineHashes(HashMap<String, HashMap<usize, String>>);

impl LineHashes {
    /// Reads the files of `findings` that `known` does not cover.
    fn read(
        findings: &[Finding],
        read_file: &ReadFile<'_>,
        known: &HashMap<String, HashMap<usize, String>>,
    ) -> Self {
        use rayon::prelude::*;
        let mut wanted: HashMap<&str, Vec<usize>> = HashMap::new();
        for f in findings.iter().filter(|f| !known.contains_key(&f.path)) {
            if let Some(line) = hashed_line(f) {
                wanted.entry(f.path.as_str()).or_default().push(line);
            }
        }
        let wanted: Vec<(&str, Vec<usize>)> = wanted
            .into_iter()
            .map(|(path, mut lines)| {
                lines.sort_unstable();
                lines.dedup();
                (path, lines)
            })
            .collect();
        let read = wanted
            .par_iter()
            .filter_map(|(path, lines)| {
                let bytes = read_file(path)?;
                Some((path.to_string(), line_hash::hashes_of_lines(&bytes, lines)))
            })
            .collect();
        LineHashes(read)
    }

    fn get(&self, path: &str, line: usize) -> Option<String> {
        self.0.get(path)?.get(&line).cloned()
    }
}

/// The line whose `primaryLocationLineHash` a result carries: its region's
/// first line, or 1 when it has none (matching the region emitted for it).
/// `None` for a leak that is only in history: it has no line in the working
/// tree to hash.
fn hashed_line(finding: &Finding) -> Option<usize> {
    let in_tree = finding.origin.as_ref().is_none_or(|o| o.at_head);
    in_tree.then(|| finding.region.map_or(1, |r| r.start.line))
}

// ---------------------------------------------------------------------------
// The SARIF object model: only what we emit.

#[derive(Serialize)]
struct SarifLog {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    #[serde(skip_serializing_if = "Option::is_none")]
    automation_details: Option<AutomationDetails>,
    original_uri_base_ids: BTreeMap<&'static str, BaseLocation>,
    column_kind: &'static str,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    short_description: Message,
    full_description: Message,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Help {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn new(text: String) -> Self {
        Message { text }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct SarifSuppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    confidence: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_id: Option<String>,
    /// `--no-ignores`: what would have suppressed this result.
    #[serde(skip_serializing_if = "Option::is_none")]
    would_be_suppressed_by: Option<String>,
    /// `scan --history`: the commit that introduced the finding, its author
    /// date, and whether the leak is still in HEAD.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    introduced_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_head: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<SarifRegion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// An entry of `run.originalUriBaseIds`.
#[derive(Serialize)]
struct BaseLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Message>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    #[serde(skip_serializing_if = "Option::is_none")]
    start_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_offset: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_length: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::SecretRef;
    use crate::source::Position;
    use serde_json::Value;

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

    fn finding(rule: &'static str, severity: Severity, path: &str) -> Finding {
        let mut f = Finding::new(rule, severity, Confidence::High)
            .at(10..20)
            .message("something is wrong");
        f.path = path.to_string();
        f.region = Some(region(2, 3, 2, 13));
        f
    }

    fn parse(findings: &[Finding], notes: &[ToolNotification], opts: &SarifOptions) -> Value {
        serde_json::from_str(&to_sarif(findings, notes, opts)).expect("valid JSON")
    }

    fn run(v: &Value) -> &Value {
        &v["runs"][0]
    }

    #[test]
    fn an_empty_logical_location_is_left_out() {
        let f = finding("CLD407", Severity::Warning, ".claude/settings.json").logical("");
        let v = parse(&[f], &[], &SarifOptions::default());
        let result = &run(&v)["results"][0];
        assert_eq!(result["message"]["text"], "something is wrong");
        assert!(result["locations"][0].get("logicalLocations").is_none());
    }

    #[test]
    fn skipped_notices_say_so_once() {
        let notice = |message: &str| crate::scan::Notice {
            path: "big.log".into(),
            line: None,
            column: None,
            kind: crate::scan::NoticeKind::Skipped,
            message: message.into(),
        };
        for message in [
            "binary file (--skip-binary)",
            "skipped: binary file (--skip-binary)",
        ] {
            let n: ToolNotification = (&notice(message)).into();
            assert_eq!(n.message, "skipped: binary file (--skip-binary)");
        }
    }

    #[test]
    fn log_header_and_driver() {
        let v = parse(&[], &[], &SarifOptions::default());
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["$schema"], SCHEMA_URI);
        assert_eq!(v["runs"].as_array().map(Vec::len), Some(1));
        let driver = &run(&v)["tool"]["driver"];
        assert_eq!(driver["name"], "claudit");
        assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
        assert_eq!(driver["informationUri"], env!("CARGO_PKG_REPOSITORY"));
        assert_eq!(run(&v)["columnKind"], "utf16CodeUnits");
        assert_eq!(run(&v)["automationDetails"]["id"], "claudit/");
        // An empty results array is how GitHub closes fixed alerts.
        assert_eq!(run(&v)["results"], Value::Array(Vec::new()));
        assert_eq!(run(&v)["invocations"][0]["executionSuccessful"], true);
    }

    #[test]
    fn every_catalog_rule_is_listed_at_its_catalog_index() {
        let v = parse(&[], &[], &SarifOptions::default());
        let rules = run(&v)["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(rules.len(), catalog::rules().len());
        for (i, rule) in catalog::rules().iter().enumerate() {
            assert_eq!(rules[i]["id"], rule.id.as_str());
            assert_eq!(catalog::index_of(&rule.id), Some(i));
        }
    }

    #[test]
    fn rule_metadata_for_github() {
        let v = parse(&[], &[], &SarifOptions::default());
        let cld101 = &run(&v)["tool"]["driver"]["rules"][catalog::index_of("CLD101").unwrap_or(0)];
        assert_eq!(cld101["name"], "anthropic-api-key");
        assert_eq!(cld101["defaultConfiguration"]["level"], "error");
        assert_eq!(cld101["properties"]["precision"], "high");
        assert_eq!(cld101["properties"]["security-severity"], "9.1");
        assert_eq!(cld101["properties"]["problem.severity"], "error");
        assert_eq!(cld101["properties"]["tags"][0], "security");
        assert!(
            cld101["helpUri"]
                .as_str()
                .is_some_and(|u| u.ends_with("CLD101.md"))
        );
        let full = cld101["fullDescription"]["text"].as_str().unwrap_or("");
        assert!(full.starts_with("An Anthropic API key"));
        assert!(full.contains("Claude Console API key grants"));
        assert!(!full.contains('\n'));
        let md = cld101["help"]["markdown"].as_str().unwrap_or("");
        assert!(md.contains("## How to fix") && md.contains("- <https://"));
        assert!(
            cld101["help"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("How to fix:"))
        );
    }

    #[test]
    fn only_fired_rules_when_asked() {
        let opts = SarifOptions {
            include_all_rules: false,
            ..SarifOptions::default()
        };
        let v = parse(&[finding("CLD101", Severity::Error, "a")], &[], &opts);
        let rules = run(&v)["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(rules.len(), 1);
        assert_eq!(run(&v)["results"][0]["ruleIndex"], 0);
    }

    #[test]
    fn unknown_rule_gets_a_descriptor() {
        let v = parse(
            &[finding("CLD999", Severity::Warning, "a")],
            &[],
            &SarifOptions::default(),
        );
        let index = run(&v)["results"][0]["ruleIndex"].as_u64().unwrap_or(0) as usize;
        assert_eq!(index, catalog::rules().len());
        let rule = &run(&v)["tool"]["driver"]["rules"][index];
        assert_eq!(rule["id"], "CLD999");
        assert!(!rule["help"]["text"].as_str().unwrap_or("").is_empty());
    }

    #[test]
    fn custom_rules_get_their_own_descriptor() {
        let opts = SarifOptions {
            custom_rules: vec![CustomRuleMeta {
                id: "ACME001".into(),
                name: "acme-gateway-token".into(),
                description: Some("ACME gateway token".into()),
                severity: Severity::Warning,
            }],
            ..SarifOptions::default()
        };
        let v = parse(&[finding("ACME001", Severity::Warning, "a")], &[], &opts);
        let index = run(&v)["results"][0]["ruleIndex"].as_u64().unwrap_or(0) as usize;
        let rule = &run(&v)["tool"]["driver"]["rules"][index];
        assert_eq!(rule["id"], "ACME001");
        assert_eq!(rule["name"], "acme-gateway-token");
        assert!(
            rule["shortDescription"]["text"]
                .as_str()
                .unwrap_or("")
                .contains("ACME gateway token"),
            "{rule}"
        );
        assert_eq!(rule["defaultConfiguration"]["level"], "warning");
        assert_eq!(rule["properties"]["security-severity"], "5.0");
        assert_eq!(rule["properties"]["tags"][0], "security");
    }

    #[test]
    fn result_shape() {
        let mut f = finding("CLD101", Severity::Warning, "dir/.env").logical("/env/KEY");
        f.confidence = Confidence::Medium;
        f.secret = Some(SecretRef {
            redacted: "sk-ant-api03-Ab…(redacted)".to_string(),
            sha256: "00".repeat(32),
            token_type: "anthropic-api-key",
        });
        let v = parse(std::slice::from_ref(&f), &[], &SarifOptions::default());
        let r = &run(&v)["results"][0];
        assert_eq!(r["ruleId"], "CLD101");
        assert_eq!(
            r["ruleIndex"],
            catalog::index_of("CLD101").unwrap_or(usize::MAX)
        );
        assert_eq!(r["level"], "warning");
        assert_eq!(r["message"]["text"], "something is wrong (at /env/KEY)");
        let loc = &r["locations"][0];
        assert_eq!(
            loc["physicalLocation"]["artifactLocation"]["uri"],
            "dir/.env"
        );
        assert_eq!(
            loc["physicalLocation"]["region"],
            serde_json::json!({"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 13})
        );
        assert_eq!(loc["logicalLocations"][0]["fullyQualifiedName"], "/env/KEY");
        assert_eq!(loc["logicalLocations"][0]["kind"], "member");
        assert_eq!(r["partialFingerprints"]["claudit/v1"], f.fingerprint());
        assert!(r["partialFingerprints"].get(LINE_HASH_KEY).is_none());
        assert_eq!(r["properties"]["confidence"], "medium");
        assert_eq!(r["properties"]["tokenType"], "anthropic-api-key");
        assert_eq!(
            r["properties"]["secretId"],
            f.secret.as_ref().map(|s| s.secret_id()).unwrap_or_default()
        );
        assert!(r.get("suppressions").is_none() && r.get("baselineState").is_none());
    }

    #[test]
    fn suppressions_and_baseline_state() {
        use crate::finding::{BaselineState, Suppression, SuppressionKind};
        let mut kept = finding("CLD101", Severity::Error, "a.env");
        kept.baseline_state = Some(BaselineState::Unchanged);
        kept.suppression = Some(Suppression {
            kind: SuppressionKind::InSource,
            by: "ignore comment at a.env:1".to_string(),
            justification: Some("test key".to_string()),
            active: true,
        });
        let mut shown = finding("CLD101", Severity::Error, "b.env");
        shown.baseline_state = Some(BaselineState::New);
        shown.suppression = Some(Suppression {
            kind: SuppressionKind::External,
            by: ".claudit.toml ignore #1".to_string(),
            justification: None,
            active: false,
        });
        let v = parse(&[kept, shown], &[], &SarifOptions::default());
        let results = &run(&v)["results"];
        assert_eq!(results[0]["baselineState"], "unchanged");
        assert_eq!(
            results[0]["suppressions"],
            serde_json::json!([{"kind": "inSource", "status": "accepted",
                                "justification": "test key (ignore comment at a.env:1)"}])
        );
        assert_eq!(results[1]["baselineState"], "new");
        assert!(results[1].get("suppressions").is_none());
        assert_eq!(
            results[1]["properties"]["wouldBeSuppressedBy"],
            ".claudit.toml ignore #1"
        );
    }

    #[test]
    fn no_secret_no_secret_properties() {
        let v = parse(
            &[finding("CLD101", Severity::Error, "a")],
            &[],
            &SarifOptions::default(),
        );
        let props = &run(&v)["results"][0]["properties"];
        assert!(props.get("tokenType").is_none() && props.get("secretId").is_none());
        assert!(
            run(&v)["results"][0]["locations"][0]
                .get("logicalLocations")
                .is_none()
        );
    }

    #[test]
    fn snippet_never_reaches_sarif() {
        let mut f = finding("CLD101", Severity::Error, "a");
        f.snippet = Some(crate::finding::Snippet {
            line: 2,
            text: "SNIPPET-TEXT-MARKER".to_string(),
            underline: 0..3,
        });
        let out = to_sarif(&[f], &[], &SarifOptions::default());
        assert!(!out.contains("SNIPPET-TEXT-MARKER"));
        assert!(!out.contains("\"snippet\""));
    }

    #[test]
    fn related_locations_are_linked_from_the_message() {
        let mut f = finding("CLD101", Severity::Error, "a.json");
        f.related.push(Related {
            path: "b dir/c.yml".to_string(),
            span: 0..4,
            region: Some(region(5, 1, 5, 5)),
            message: "the other [definition]".to_string(),
        });
        f.related.push(Related {
            path: "d".to_string(),
            span: 7..9,
            region: None,
            message: String::new(),
        });
        let v = parse(&[f], &[], &SarifOptions::default());
        let r = &run(&v)["results"][0];
        assert_eq!(
            r["message"]["text"],
            "something is wrong; see [the other \\[definition\\]](1), [related location](2)"
        );
        let related = &r["relatedLocations"];
        assert_eq!(related[0]["id"], 1);
        assert_eq!(
            related[0]["physicalLocation"]["artifactLocation"]["uri"],
            "b%20dir/c.yml"
        );
        assert_eq!(related[0]["message"]["text"], "the other [definition]");
        assert_eq!(related[1]["id"], 2);
        assert_eq!(
            related[1]["physicalLocation"]["region"],
            serde_json::json!({"byteOffset": 7, "byteLength": 2})
        );
    }

    #[test]
    fn message_cannot_forge_links() {
        let f = finding("CLD101", Severity::Error, "a").message("see [x](1) here");
        let v = parse(&[f], &[], &SarifOptions::default());
        assert_eq!(
            run(&v)["results"][0]["message"]["text"],
            "see [x\\](1) here"
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(path_to_uri("src/main.rs"), "src/main.rs");
        assert_eq!(path_to_uri("./.env"), ".env");
        assert_eq!(path_to_uri("my dir/.env"), "my%20dir/.env");
        assert_eq!(
            path_to_uri("ünï/😀 x#?%.env"),
            "%C3%BCn%C3%AF/%F0%9F%98%80%20x%23%3F%25.env"
        );
        // A colon in a relative path would read as a URI scheme.
        assert_eq!(path_to_uri("a:b/c"), "a%3Ab/c");
        assert_eq!(
            path_to_uri("/home/me/my repo/.env"),
            "file:///home/me/my%20repo/.env"
        );
        assert_eq!(
            path_to_uri("C:/Users/me/x y.env"),
            "file:///C:/Users/me/x%20y.env"
        );
        assert_eq!(path_to_uri("C:\\Users\\x"), "file:///C:/Users/x");
    }

    #[test]
    fn logical_kinds() {
        assert_eq!(logical_kind("/containerEnv/KEY"), "member");
        assert_eq!(logical_kind("jobs.build.steps[0].env.KEY"), "member");
        assert_eq!(logical_kind("ANTHROPIC_API_KEY"), "variable");
        assert_eq!(logical_kind("stage[1] builder > ENV KEY"), "variable");
    }

    #[test]
    fn region_is_clamped_to_valid_values() {
        let r = line_region(region(0, 0, 0, 0));
        assert_eq!(
            (r.start_line, r.start_column, r.end_line, r.end_column),
            (Some(1), Some(1), Some(1), Some(1))
        );
        let r = line_region(region(3, 9, 4, 1));
        assert_eq!((r.end_line, r.end_column), (Some(4), Some(1)));
        let r = line_region(region(3, 9, 3, 2));
        assert_eq!((r.end_line, r.end_column), (Some(3), Some(9)));
    }

    #[test]
    fn primary_location_without_region_still_has_a_line() {
        let mut f = finding("CLD101", Severity::Error, "a");
        f.region = None;
        let v = parse(&[f], &[], &SarifOptions::default());
        assert_eq!(
            run(&v)["results"][0]["locations"][0]["physicalLocation"]["region"],
            serde_json::json!({"startLine": 1})
        );
    }

    #[test]
    fn notifications_go_to_the_invocation() {
        let notes = [
            ToolNotification {
                level: Severity::Warning,
                message: "cannot parse".to_string(),
                path: Some("x y.json".to_string()),
            },
            ToolNotification {
                level: Severity::Note,
                message: "general".to_string(),
                path: None,
            },
        ];
        let v = parse(&[], &notes, &SarifOptions::default());
        let n = &run(&v)["invocations"][0]["toolExecutionNotifications"];
        assert_eq!(n[0]["level"], "warning");
        assert_eq!(n[0]["message"]["text"], "cannot parse");
        assert_eq!(
            n[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "x%20y.json"
        );
        assert_eq!(n[1]["level"], "note");
        assert!(n[1].get("locations").is_none());
    }

    #[test]
    fn notice_converts_with_position() {
        let notice = crate::scan::Notice {
            path: "a.json".to_string(),
            line: Some(3),
            column: Some(7),
            kind: crate::scan::NoticeKind::ParseError,
            message: "expected a value".to_string(),
        };
        let n = ToolNotification::from(&notice);
        assert_eq!(n.level, Severity::Warning);
        assert_eq!(n.message, "expected a value (line 3, column 7)");
        assert_eq!(n.path.as_deref(), Some("a.json"));
    }

    #[test]
    fn category_gets_a_trailing_slash_or_is_left_out() {
        let opts = SarifOptions {
            category: "claudit/repo".to_string(),
            ..SarifOptions::default()
        };
        assert_eq!(
            run(&parse(&[], &[], &opts))["automationDetails"]["id"],
            "claudit/repo/"
        );
        let opts = SarifOptions {
            category: String::new(),
            ..SarifOptions::default()
        };
        assert!(
            run(&parse(&[], &[], &opts))
                .get("automationDetails")
                .is_none()
        );
    }

    #[test]
    fn selection_keeps_the_most_severe_in_input_order() {
        let mut fs = vec![
            finding("CLD101", Severity::Note, "n"),
            finding("CLD101", Severity::Error, "e1"),
            finding("CLD101", Severity::Warning, "w-low"),
            finding("CLD101", Severity::Warning, "w-high"),
            finding("CLD101", Severity::Error, "e2"),
        ];
        fs[2].confidence = Confidence::Low;
        let (kept, dropped) = select_results(&fs, 3);
        let paths: Vec<&str> = kept.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["e1", "w-high", "e2"]);
        assert_eq!(dropped, 2);
        let (kept, dropped) = select_results(&fs, 10);
        assert_eq!((kept.len(), dropped), (5, 0));
    }

    #[test]
    fn results_beyond_the_limit_are_dropped_with_a_notification() {
        let fs: Vec<Finding> = (0..MAX_RESULTS + 2)
            .map(|i| {
                finding(
                    "CLD101",
                    if i == 0 {
                        Severity::Note
                    } else {
                        Severity::Error
                    },
                    "f",
                )
            })
            .collect();
        let v = parse(&fs, &[], &SarifOptions::default());
        let results = run(&v)["results"].as_array().cloned().unwrap_or_default();
        assert_eq!(results.len(), MAX_RESULTS);
        assert!(results.iter().all(|r| r["level"] == "error"));
        let n = &run(&v)["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(n["level"], "warning");
        assert!(
            n["message"]["text"]
                .as_str()
                .unwrap_or("")
                .starts_with("2 of 25002 results were left out")
        );
        assert_eq!(run(&v)["invocations"][0]["executionSuccessful"], true);
    }

    #[test]
    fn line_hashes_when_files_are_readable() {
        let mut f = finding("CLD101", Severity::Error, "a.env");
        f.region = Some(region(1, 1, 1, 2));
        let mut g = finding("CLD101", Severity::Error, "missing.env");
        g.region = Some(region(1, 1, 1, 2));
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let read = |p: &str| {
            reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            (p == "a.env").then(Vec::new)
        };
        let out =
            to_sarif_with_line_hashes(&[f.clone(), f, g], &[], &SarifOptions::default(), &read);
        let v: Value = serde_json::from_str(&out).expect("valid JSON");
        let results = &run(&v)["results"];
        assert_eq!(
            results[0]["partialFingerprints"][LINE_HASH_KEY],
            "c129715d7a2bc9a3:1"
        );
        assert_eq!(
            results[1]["partialFingerprints"][LINE_HASH_KEY],
            "c129715d7a2bc9a3:1"
        );
        assert!(
            results[2]["partialFingerprints"]
                .get(LINE_HASH_KEY)
                .is_none()
        );
        assert_eq!(reads.into_inner(), 2, "each file is read once");
    }

    #[test]
    fn security_severity_and_precision_helpers() {
        assert_eq!(security_severity_of(Some(9.1)), Some("9.1".to_string()));
        assert_eq!(security_severity_of(Some(5.0)), Some("5.0".to_string()));
        assert_eq!(security_severity_of(Some(0.0)), None);
        assert_eq!(security_severity_of(Some(11.0)), None);
        assert_eq!(security_severity_of(None), None);
        assert_eq!(precision_of(Confidence::Low), "low");
        assert_eq!(problem_severity_of(Severity::Note), "recommendation");
    }

    #[test]
    fn clip_and_first_paragraph() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
        assert_eq!(first_paragraph("\nOne\ntwo.\n\nThree."), "One two.");
    }
}
