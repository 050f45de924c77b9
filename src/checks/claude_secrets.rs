//! CLD130–CLD133: credentials inside Claude Code configuration (facts §1.3,
//! §5, §10 A R9/R10), which is how real repositories leak them: approving a
//! command stores the whole command line as a permission rule, and MCP servers
//! carry `env`, `headers`, arguments and URLs.
//!
//! - CLD130: a well-known token of another vendor (GitHub, AWS, Google, Slack,
//!   Stripe, OpenAI, Supabase, JWT, …) anywhere in Claude config.
//! - CLD131: a credential inside a permission rule (`NAME=value`, `--token x`,
//!   `Authorization: Bearer x`, a password in a URL).
//! - CLD132: a literal under a credential-like name in `env` or `headers`
//!   (settings `env`, MCP server `env`/`headers`, HTTP hook `headers`), a
//!   password in a URL value, or a credential header inside an `env` value.
//! - CLD133: a credential on a command line or URL that Claude Code runs or
//!   connects to (MCP `command`/`args`/`url`, hook and helper commands).
//!
//! One finding per span: `sk-ant-` tokens belong to CLD101–CLD108, credential
//! *variables* (`ANTHROPIC_API_KEY`, …) to CLD110, and other literal MCP `env`
//! and `headers` in a committed `.claude.json` to CLD114. A vendor token is
//! CLD130 wherever it sits (a committed `.claude.json` included), so the other
//! rules, CLD114 among them, skip values that hold one.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::FileContext;
use super::posture::settings_commands;
use crate::assign::is_credential_variable;
use crate::classify::FileKind;
use crate::finding::{Confidence, Finding, Severity};
use crate::formats::json::{JsonDoc, Node, mcp_servers, pointer_join};
use crate::secrets::Secret;
use crate::secrets::placeholder::is_placeholder_value;
use crate::secrets::vendors::{self, Strength, VendorMatch};

pub fn check(ctx: &FileContext, out: &mut Vec<Finding>) {
    if !matches!(
        ctx.kind,
        FileKind::ClaudeSettings | FileKind::McpConfig | FileKind::ClaudeState
    ) {
        return;
    }
    let Some(text) = ctx.text else {
        return;
    };
    let doc = ctx.parsed.json.as_ref();
    let vendor_spans = vendor_tokens(ctx, text, doc, out);
    let Some(doc) = doc else {
        return;
    };
    let scan = Scan {
        ctx,
        text,
        vendor_spans,
    };
    permission_rules(&scan, &doc.root, out);
    env_and_headers(&scan, &doc.root, out);
    commands_and_urls(&scan, &doc.root, out);
}

/// What every sub-check needs: the file and the spans already reported.
struct Scan<'a> {
    ctx: &'a FileContext<'a>,
    text: &'a str,
    vendor_spans: Vec<Range<usize>>,
}

impl Scan<'_> {
    /// A node already covered by a vendor token (CLD130) or an `sk-ant-` token.
    fn already_reported(&self, node: &Node) -> bool {
        self.ctx.token_within(&node.span)
            || self
                .vendor_spans
                .iter()
                .any(|s| s.start < node.span.end && node.span.start < s.end)
    }
}

fn defaults(id: &str) -> (Severity, Confidence) {
    crate::catalog::rule(id)
        .map(|r| (r.severity, r.confidence))
        .unwrap_or((Severity::Warning, Confidence::Medium))
}

/// "settings", ".mcp.json", "`.claude.json`" for messages.
fn file_words(kind: FileKind) -> &'static str {
    match kind {
        FileKind::ClaudeSettings => "Claude Code settings",
        FileKind::McpConfig => "an MCP configuration file",
        _ => "Claude Code's state file `.claude.json`",
    }
}

// ---------------------------------------------------------------- CLD130

/// Reports every vendor token; returns their spans (and paired AWS secrets).
fn vendor_tokens(
    ctx: &FileContext,
    text: &str,
    doc: Option<&JsonDoc>,
    out: &mut Vec<Finding>,
) -> Vec<Range<usize>> {
    let (severity, confidence) = defaults("CLD130");
    let mut spans = Vec::new();
    for hit in vendors::find(text) {
        if ctx.token_within(&hit.span) || in_credential_variable(ctx, &hit.span) {
            continue;
        }
        let pointer = doc.and_then(|d| d.pointer_at(&hit.span));
        if pointer.as_deref().is_some_and(is_key_ending_list) {
            continue;
        }
        spans.push(hit.span.clone());
        spans.extend(hit.paired_secret.clone());
        let mut f = Finding::new("CLD130", severity, confidence)
            .at(hit.span.clone())
            .message(vendor_message(ctx, text, &hit, pointer.as_deref()))
            .secret(
                Secret::new(&text.as_bytes()[hit.span.clone()], hit.format.shown_prefix)
                    .to_ref(hit.format.token_type),
            );
        if hit.strength == Strength::Limited {
            f.severity = f.severity.lowered();
        }
        if let Some(p) = pointer {
            f = f.logical(p);
        }
        out.push(f);
    }
    spans
}

/// Inside the value of `ANTHROPIC_API_KEY` & co., which CLD110 reports.
fn in_credential_variable(ctx: &FileContext, span: &Range<usize>) -> bool {
    ctx.parsed.assignments.iter().any(|a| {
        is_credential_variable(&a.name)
            && a.value_span.start <= span.start
            && span.end <= a.value_span.end
    })
}

fn vendor_message(
    ctx: &FileContext,
    text: &str,
    hit: &VendorMatch,
    pointer: Option<&str>,
) -> String {
    let secret = Secret::new(&text.as_bytes()[hit.span.clone()], hit.format.shown_prefix);
    let place = pointer.map(describe_pointer).unwrap_or_default();
    let pair = match (&hit.paired_secret, hit.format.token_type) {
        (Some(_), _) => " together with its secret access key",
        (None, "aws-access-key-id") => {
            " (no secret access key was found next to it; the key id alone does not grant access, but find \
             its secret before deciding it is harmless)"
        }
        _ => "",
    };
    let vendor = if hit.format.vendor.is_empty() {
        "its issuer".to_string()
    } else {
        hit.format.vendor.to_string()
    };
    format!(
        "{} `{}` is committed in {}{place}{pair}; revoke it at {vendor}, then keep it out of Claude config \
         (reference it as `${{VAR}}` in `.mcp.json`, or let a helper fetch it)",
        hit.describe(),
        secret.redacted(),
        file_words(ctx.kind)
    )
}

/// " in permission rule `permissions.allow[3]` (approving a command stores the whole command line)".
fn describe_pointer(pointer: &str) -> String {
    let dotted = dotted_path(pointer);
    if dotted.is_empty() {
        String::new()
    } else if is_permission_rule(pointer) {
        format!(
            " in permission rule `{dotted}` (approving a command with \"don't ask again\" stores the whole \
             command line)"
        )
    } else {
        format!(" at `{dotted}`")
    }
}

/// `/permissions/allow/3` → `permissions.allow[3]`; `/mcpServers/a~1b` → `mcpServers.a/b`.
fn dotted_path(pointer: &str) -> String {
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

fn is_permission_rule(pointer: &str) -> bool {
    [
        "/permissions/allow/",
        "/permissions/deny/",
        "/permissions/ask/",
    ]
    .iter()
    .any(|p| pointer.starts_with(p))
}

/// `.claude.json` `customApiKeyResponses` holds the last 20 characters of keys:
/// partial values, not secrets.
fn is_key_ending_list(pointer: &str) -> bool {
    pointer.starts_with("/customApiKeyResponses")
}

// ------------------------------------------------- inline credential detection

/// A credential found inside a larger string (a command line, a URL, a header).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Inline {
    /// Byte range of the secret within the decoded string.
    range: Range<usize>,
    /// How it was recognised: "`GH_TOKEN=` assignment", "password in a URL".
    how: String,
}

fn inline_patterns() -> &'static InlinePatterns {
    static PATTERNS: OnceLock<InlinePatterns> = OnceLock::new();
    PATTERNS.get_or_init(|| InlinePatterns {
        assignment: Regex::new(r#"(?:^|[\s;&|(])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s"';&|)]+)"#)
            .expect("valid"),
        flag: Regex::new(
            r#"(?i)(?:^|\s)(--?(?:api[-_]?key|apikey|token|access[-_]token|auth[-_]token|bearer[-_]token|password|passwd|secret|client[-_]secret|private[-_]key|pat))(?:=|\s+)("[^"]*"|'[^']*'|[^\s"']+)"#,
        )
        .expect("valid"),
        header: Regex::new(
            r#"(?i)\b(authorization|proxy-authorization|x-api-key|api-key|x-auth-token|private-token|x-access-token)\s*:\s*(?:(?:bearer|basic|token|bot|apikey)\s+)?([^\s"',;]+)"#,
        )
        .expect("valid"),
        url_userinfo: Regex::new(r"(?i)\b[a-z][a-z0-9+.-]*://([^/\s:@]+):([^/\s@]+)@([^/\s:?#]+)").expect("valid"),
        url_query: Regex::new(
            r"(?i)[?&](api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|key|secret|client[_-]?secret|password|pwd)=([^&#\s]+)",
        )
        .expect("valid"),
    })
}

struct InlinePatterns {
    assignment: Regex,
    flag: Regex,
    header: Regex,
    url_userinfo: Regex,
    url_query: Regex,
}

/// Credentials on a command line: credential-named assignments, credential
/// flags, credential headers and credentials in URLs.
fn command_credentials(command: &str) -> Vec<Inline> {
    let p = inline_patterns();
    let mut found = Vec::new();
    // Claude Code's own credential variables count here too: CLD110 reads
    // parsed assignments, never a command line kept in a string.
    for caps in p.assignment.captures_iter(command) {
        let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        if is_credential_name(name.as_str()) {
            push_value(
                &mut found,
                command,
                value.range(),
                format!("`{}=` assignment", name.as_str()),
            );
        }
    }
    for caps in p.flag.captures_iter(command) {
        let (Some(flag), Some(value)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        push_value(
            &mut found,
            command,
            value.range(),
            format!("`{}` argument", flag.as_str()),
        );
    }
    found.extend(header_credentials(command));
    found.extend(url_credentials(command));
    dedup(found)
}

/// `Authorization: Bearer x` and key headers written as text.
fn header_credentials(text: &str) -> Vec<Inline> {
    let mut found = Vec::new();
    for caps in inline_patterns().header.captures_iter(text) {
        let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        push_value(
            &mut found,
            text,
            value.range(),
            format!("`{}` header", name.as_str()),
        );
    }
    found
}

/// Passwords in `scheme://user:password@host` and credential query parameters.
fn url_credentials(text: &str) -> Vec<Inline> {
    let p = inline_patterns();
    let mut found = Vec::new();
    for caps in p.url_userinfo.captures_iter(text) {
        let (Some(password), Some(host)) = (caps.get(2), caps.get(3)) else {
            continue;
        };
        if is_local_host(host.as_str()) {
            continue; // a local development database's default password
        }
        push_value(
            &mut found,
            text,
            password.range(),
            "password in a URL".into(),
        );
    }
    for caps in p.url_query.captures_iter(text) {
        let (Some(param), Some(value)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        push_value(
            &mut found,
            text,
            value.range(),
            format!("`{}` URL parameter", param.as_str()),
        );
    }
    found
}

fn is_local_host(host: &str) -> bool {
    matches!(
        host.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "0.0.0.0" | "::1" | "host.docker.internal"
    )
}

/// Records `range` of `text` (quotes trimmed) when its value looks like a secret.
fn push_value(found: &mut Vec<Inline>, text: &str, range: Range<usize>, how: String) {
    let range = trim_quotes(text, range);
    if looks_like_secret(&text[range.clone()]) {
        found.push(Inline { range, how });
    }
}

fn trim_quotes(text: &str, range: Range<usize>) -> Range<usize> {
    let value = &text[range.clone()];
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return range.start + 1..range.end - 1;
        }
    }
    range
}

/// One finding per secret: overlapping detections keep the first.
fn dedup(mut found: Vec<Inline>) -> Vec<Inline> {
    found.sort_by_key(|f| f.range.start);
    let mut out: Vec<Inline> = Vec::new();
    for f in found {
        if out
            .last()
            .is_none_or(|last| last.range.end <= f.range.start)
        {
            out.push(f);
        }
    }
    out
}

/// A literal that could be a credential: not a reference or placeholder, at
/// least 8 characters, not a path or URL, not a number, and either mixing
/// letter cases and digits or long.
fn looks_like_secret(value: &str) -> bool {
    let v = value.trim();
    let is_reference = ["$", "%", "<", "{", "["].iter().any(|p| v.starts_with(p))
        || v.contains("${")
        || v.contains("$(")
        || v.contains("{{");
    if is_reference || v.chars().count() < 8 || is_placeholder_value(v) {
        return false;
    }
    let is_location = ["/", "./", "../", "~/", "http://", "https://", "file:"]
        .iter()
        .any(|p| v.starts_with(p));
    if is_location || v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return false;
    }
    let classes = [
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
    ]
    .iter()
    .filter(|&&c| c)
    .count();
    classes >= 2 || v.len() >= 20
}

/// Segments after which a credential-like name only points at a credential or
/// describes it (`API_KEY_FILE`, `TOKEN_LIMIT`, `SECRET_NAME`).
const DESCRIPTIVE_ENDINGS: &[&str] = &[
    "path",
    "file",
    "dir",
    "directory",
    "url",
    "uri",
    "host",
    "hostname",
    "port",
    "mode",
    "type",
    "name",
    "id",
    "env",
    "var",
    "variable",
    "header",
    "prefix",
    "suffix",
    "format",
    "length",
    "limit",
    "timeout",
    "ttl",
    "count",
    "enabled",
    "enable",
    "disabled",
    "expiry",
    "expires",
    "endpoint",
    "region",
    "scope",
    "scopes",
    "user",
    "username",
    "field",
    "location",
    "source",
    "provider",
    "method",
    "version",
    "policy",
    "helper",
    "command",
    "cmd",
    "store",
    "hint",
];

/// Segments that mark a key as public (`SUPABASE_ANON_KEY`, `NEXT_PUBLIC_*`).
const PUBLIC_SEGMENTS: &[&str] = &["public", "publishable", "anon", "pub"];

/// Variable names that hold a credential: a `token`/`secret`/`password`
/// segment, or ending in `key`/`auth` (`OPENAI_API_KEY`, `BASIC_AUTH`,
/// `githubToken`); not plural counters (`MAX_TOKENS`) or pointers (`KEY_FILE`).
fn is_credential_name(name: &str) -> bool {
    let segments = name_segments(name);
    let Some(last) = segments.last() else {
        return false;
    };
    if DESCRIPTIVE_ENDINGS.contains(&last.as_str())
        || segments
            .iter()
            .any(|s| PUBLIC_SEGMENTS.contains(&s.as_str()))
    {
        return false;
    }
    // `PGPASSWORD`, `githubtoken`: the word may be glued to a prefix, but a
    // plural (`MAX_TOKENS`) is a count, not a credential.
    let secret_segment = segments.iter().any(|s| {
        [
            "token",
            "secret",
            "password",
            "passwd",
            "apikey",
            "credential",
            "credentials",
            "passphrase",
        ]
        .iter()
        .any(|w| s.ends_with(w))
            || matches!(s.as_str(), "pwd" | "pat" | "cookie")
    });
    secret_segment || matches!(last.as_str(), "key" | "auth")
}

/// `GITHUB_PERSONAL_ACCESS_TOKEN` → `[github, personal, access, token]`;
/// `githubApiKey` → `[github, api, key]`.
fn name_segments(name: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if matches!(c, '_' | '-' | '.' | ' ') {
            if !current.is_empty() {
                segments.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            segments.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// Header names that carry a credential.
fn is_credential_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "authorization" | "proxy-authorization" | "cookie"
    ) || ["token", "api-key", "apikey", "secret", "password", "auth"]
        .iter()
        .any(|p| lower.contains(p))
        || lower.ends_with("-key")
}

/// `Bearer abc` → the range of `abc` (also `Basic`, `Token`, `Bot`).
fn after_auth_scheme(value: &str) -> Range<usize> {
    let trimmed_start = value.len() - value.trim_start().len();
    let v = value.trim();
    if let Some((scheme, rest)) = v.split_once(' ')
        && ["bearer", "basic", "token", "bot", "apikey"]
            .contains(&scheme.to_ascii_lowercase().as_str())
    {
        let rest_start =
            trimmed_start + scheme.len() + (v.len() - scheme.len() - rest.trim_start().len());
        return rest_start..trimmed_start + v.len();
    }
    trimmed_start..trimmed_start + v.len()
}

// ------------------------------------------------------------- reporting

/// The file span of `sub` (a range of the decoded string `node`): exact when
/// the string is written without escapes before it, else the whole string.
fn file_span(text: &str, node: &Node, decoded: &str, sub: &Range<usize>) -> Range<usize> {
    let Some(raw) = text.get(node.span.clone()) else {
        return node.span.clone();
    };
    let inner_start = node.span.start + 1;
    if raw.len() >= 2 && &raw[1..raw.len() - 1] == decoded {
        return inner_start + sub.start..inner_start + sub.end;
    }
    let needle = &decoded[sub.clone()];
    match raw.find(needle) {
        Some(at) if !needle.is_empty() => node.span.start + at..node.span.start + at + needle.len(),
        _ => node.span.clone(),
    }
}

fn inline_finding(
    scan: &Scan,
    id: &'static str,
    node: &Node,
    decoded: &str,
    inline: &Inline,
    pointer: &str,
    message: impl FnOnce(&str) -> String,
) -> Finding {
    let (severity, confidence) = defaults(id);
    let secret = Secret::new(&decoded.as_bytes()[inline.range.clone()], 0);
    Finding::new(id, severity, confidence)
        .at(file_span(scan.text, node, decoded, &inline.range))
        .logical(pointer.to_string())
        .message(message(&secret.redacted()))
        .secret(secret.to_ref("credential-literal"))
}

// ---------------------------------------------------------------- CLD131

fn permission_rules(scan: &Scan, root: &Node, out: &mut Vec<Finding>) {
    let mut lists: Vec<(String, &Node)> = Vec::new();
    if let Some(permissions) = root.get("permissions") {
        for list in ["allow", "deny", "ask"] {
            if let Some(node) = permissions.get(list) {
                lists.push((format!("/permissions/{list}"), node));
            }
        }
    }
    // `.claude.json` kept approved tools per project before 2.0.8 (facts §1.4).
    if scan.ctx.kind == FileKind::ClaudeState {
        for project in root
            .get("projects")
            .and_then(Node::as_object)
            .unwrap_or_default()
        {
            if let Some(node) = project.value.get("allowedTools") {
                let base = pointer_join("/projects", &project.key);
                lists.push((format!("{base}/allowedTools"), node));
            }
        }
    }
    for (base, list) in lists {
        for (i, rule) in list.as_array().unwrap_or_default().iter().enumerate() {
            let Some(decoded) = rule.as_str() else {
                continue;
            };
            if scan.already_reported(rule) {
                continue;
            }
            let pointer = format!("{base}/{i}");
            let specifier = rule_specifier(decoded);
            for mut inline in command_credentials(&decoded[specifier.clone()]) {
                inline.range =
                    inline.range.start + specifier.start..inline.range.end + specifier.start;
                out.push(inline_finding(scan, "CLD131", rule, decoded, &inline, &pointer, |redacted| {
                    format!(
                        "permission rule `{}` holds a credential ({}: `{redacted}`): approving a command with \
                         \"don't ask again\" stores the whole command line, secrets included; rotate the \
                         credential and replace the rule with a pattern such as `Bash(curl:*)`",
                        dotted_path(&pointer),
                        inline.how
                    )
                }));
            }
        }
    }
}

/// The part of a permission rule that holds the command line: inside the
/// parentheses of `Tool(…)` (so a value at the end stops before the `)` that
/// closes the rule, while a `)` inside the value stays), without a legacy
/// trailing `:*`; the whole rule when it is not `Tool(…)`-wrapped.
fn rule_specifier(rule: &str) -> Range<usize> {
    let Some(open) = rule.find('(') else {
        return 0..rule.len();
    };
    let is_tool = open > 0
        && rule[..open]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !is_tool || !rule.ends_with(')') {
        return 0..rule.len();
    }
    let inner = &rule[open + 1..rule.len() - 1];
    let end = open + 1 + inner.strip_suffix(":*").unwrap_or(inner).len();
    open + 1..end
}

// ---------------------------------------------------------------- CLD132

/// An `env` or `headers` object and what owns it.
struct Block<'a> {
    owner: String,
    pointer: String,
    node: &'a Node,
    headers: bool,
}

fn env_and_headers(scan: &Scan, root: &Node, out: &mut Vec<Finding>) {
    for block in blocks(scan.ctx.kind, root) {
        for entry in block.node.as_object().unwrap_or_default() {
            let Some(decoded) = entry.value.as_str() else {
                continue;
            };
            if is_credential_variable(&entry.key) || scan.already_reported(&entry.value) {
                continue; // CLD110, a token rule or CLD130
            }
            let pointer = pointer_join(&block.pointer, &entry.key);
            let Some(inline) = entry_credential(&entry.key, decoded, block.headers) else {
                continue;
            };
            let kind = if block.headers { "header" } else { "variable" };
            out.push(inline_finding(scan, "CLD132", &entry.value, decoded, &inline, &pointer, |redacted| {
                format!(
                    "{} `{}` of {} is a literal credential ({}: `{redacted}`) in {}; rotate it and reference it \
                     instead ({})",
                    kind,
                    entry.key,
                    block.owner,
                    inline.how,
                    file_words(scan.ctx.kind),
                    fix_hint(scan.ctx.kind, block.headers)
                )
            }));
        }
    }
}

fn fix_hint(kind: FileKind, headers: bool) -> &'static str {
    match (kind, headers) {
        (FileKind::McpConfig, _) => {
            "`.mcp.json` expands `${VAR}` and `${VAR:-default}` in `env` and `headers`"
        }
        (_, true) => "HTTP hooks interpolate only variables listed in `allowedEnvVars`",
        _ => {
            "settings `env` values are plain text that every subprocess sees; use `apiKeyHelper` or the shell"
        }
    }
}

/// The credential in one `env` or `headers` entry.
fn entry_credential(name: &str, value: &str, is_header: bool) -> Option<Inline> {
    let named = if is_header {
        is_credential_header(name)
    } else {
        is_credential_name(name)
    };
    if named {
        let range = if is_header {
            after_auth_scheme(value)
        } else {
            let start = value.len() - value.trim_start().len();
            start..value.trim_end().len().max(start)
        };
        let literal = &value[range.clone()];
        if looks_like_secret(literal) && !literal.contains("://") {
            let how = if is_header {
                "credential header"
            } else {
                "credential-named variable"
            };
            return Some(Inline {
                range,
                how: how.into(),
            });
        }
    }
    // Any name: a password in a URL, or credential headers in a header list
    // (`ANTHROPIC_CUSTOM_HEADERS`, `OTEL_EXPORTER_OTLP_HEADERS`).
    url_credentials(value)
        .into_iter()
        .chain(header_credentials(value))
        .next()
}

/// Every `env`/`headers` object this kind of file defines.
fn blocks(kind: FileKind, root: &Node) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    if kind == FileKind::ClaudeSettings
        && let Some(env) = root.get("env")
    {
        out.push(Block {
            owner: "the settings `env`".into(),
            pointer: "/env".into(),
            node: env,
            headers: false,
        });
    }
    if kind == FileKind::ClaudeSettings {
        hook_header_blocks(root, &mut out);
    }
    // A committed `.claude.json`'s MCP `env`/`headers` are CLD114's.
    if kind != FileKind::ClaudeState {
        for (server, server_pointer) in mcp_servers(root, "") {
            for (key, headers) in [("env", false), ("headers", true)] {
                if let Some(node) = server.value.get(key) {
                    out.push(Block {
                        owner: format!("MCP server `{}`", server.key),
                        pointer: pointer_join(&server_pointer, key),
                        node,
                        headers,
                    });
                }
            }
        }
    }
    out
}

fn hook_header_blocks<'a>(root: &'a Node, out: &mut Vec<Block<'a>>) {
    for handler in crate::claude::hooks::handlers(root) {
        if let Some(headers) = handler.node.get("headers") {
            out.push(Block {
                owner: format!("a `{}` HTTP hook", handler.event),
                pointer: format!("{}/headers", handler.pointer),
                node: headers,
                headers: true,
            });
        }
    }
}

// ---------------------------------------------------------------- CLD133

/// A string Claude Code runs or connects to, with its owner.
struct Site<'a> {
    owner: String,
    pointer: String,
    node: &'a Node,
}

fn commands_and_urls(scan: &Scan, root: &Node, out: &mut Vec<Finding>) {
    let mut sites: Vec<Site> = Vec::new();
    let mut arg_lists: Vec<(String, String, &Node)> = Vec::new();
    if scan.ctx.kind == FileKind::ClaudeSettings {
        for site in settings_commands(root) {
            sites.push(Site {
                owner: site.label.clone(),
                pointer: site.pointer.clone(),
                node: site.node,
            });
        }
        hook_urls(root, &mut sites);
    }
    let mut containers: Vec<(&Node, String)> = vec![(root, String::new())];
    if scan.ctx.kind == FileKind::ClaudeState {
        for project in root
            .get("projects")
            .and_then(Node::as_object)
            .unwrap_or_default()
        {
            containers.push((&project.value, pointer_join("/projects", &project.key)));
        }
    }
    for (container, base) in containers {
        for (server, server_pointer) in mcp_servers(container, &base) {
            let owner = format!("MCP server `{}`", server.key);
            for key in ["command", "url"] {
                if let Some(node) = server.value.get(key).filter(|n| n.as_str().is_some()) {
                    sites.push(Site {
                        owner: owner.clone(),
                        pointer: pointer_join(&server_pointer, key),
                        node,
                    });
                }
            }
            if let Some(args) = server.value.get("args") {
                arg_lists.push((owner, pointer_join(&server_pointer, "args"), args));
            }
        }
    }
    for site in &sites {
        site_credentials(scan, site, out);
    }
    for (owner, pointer, args) in arg_lists {
        args_credentials(scan, &owner, &pointer, args, out);
    }
}

fn hook_urls<'a>(root: &'a Node, sites: &mut Vec<Site<'a>>) {
    for handler in crate::claude::hooks::handlers(root) {
        if let Some(url) = handler.node.get("url").filter(|n| n.as_str().is_some()) {
            sites.push(Site {
                owner: format!("a `{}` HTTP hook", handler.event),
                pointer: format!("{}/url", handler.pointer),
                node: url,
            });
        }
    }
}

fn site_credentials(scan: &Scan, site: &Site, out: &mut Vec<Finding>) {
    let Some(decoded) = site.node.as_str() else {
        return;
    };
    if scan.already_reported(site.node) {
        return;
    }
    let mut found = command_credentials(decoded);
    if site.owner == "`apiKeyHelper`"
        && let Some(inline) = echoed_key(decoded)
    {
        found.insert(0, inline);
    }
    for inline in dedup(found) {
        out.push(command_finding(
            scan,
            site.node,
            decoded,
            &inline,
            &site.owner,
            &site.pointer,
        ));
    }
}

/// `apiKeyHelper: "echo abc…"` prints a literal: the helper *is* the key.
fn echoed_key(command: &str) -> Option<Inline> {
    static ECHO: OnceLock<Regex> = OnceLock::new();
    let regex = ECHO.get_or_init(|| {
        Regex::new(r#"^\s*(?:echo|printf)\s+(?:-[a-z]+\s+)*("[^"$`]+"|'[^']+'|[^\s"'$`|;&]+)\s*$"#)
            .expect("valid")
    });
    let value = regex.captures(command)?.get(1)?;
    let range = trim_quotes(command, value.range());
    let literal = &command[range.clone()];
    (literal.len() >= 8 && !is_placeholder_value(literal)).then(|| Inline {
        range,
        how: "the helper echoes a literal key".into(),
    })
}

/// MCP `args`: `["--api-key", "x"]` splits a flag and its value over two items.
fn args_credentials(scan: &Scan, owner: &str, pointer: &str, args: &Node, out: &mut Vec<Finding>) {
    let items = args.as_array().unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        let Some(decoded) = item.as_str() else {
            continue;
        };
        if scan.already_reported(item) {
            continue;
        }
        let item_pointer = format!("{pointer}/{i}");
        let mut found = command_credentials(decoded);
        if found.is_empty()
            && let Some(flag) = i.checked_sub(1).and_then(|p| items[p].as_str())
            && is_credential_flag(flag)
            && looks_like_secret(decoded)
        {
            found.push(Inline {
                range: 0..decoded.len(),
                how: format!("value of the `{}` argument", flag.trim()),
            });
        }
        for inline in found {
            out.push(command_finding(
                scan,
                item,
                decoded,
                &inline,
                owner,
                &item_pointer,
            ));
        }
    }
}

/// `--api-key`, `--token`, `-password` with no `=value`.
fn is_credential_flag(flag: &str) -> bool {
    let f = flag.trim();
    let Some(name) = f.strip_prefix("--").or_else(|| f.strip_prefix('-')) else {
        return false;
    };
    !name.contains('=') && is_credential_name(name)
}

fn command_finding(
    scan: &Scan,
    node: &Node,
    decoded: &str,
    inline: &Inline,
    owner: &str,
    pointer: &str,
) -> Finding {
    let hint = if scan.ctx.kind == FileKind::ClaudeSettings {
        "read it from the environment when the command runs"
    } else {
        "`.mcp.json` expands `${VAR}` in `command`, `args` and `url`"
    };
    inline_finding(scan, "CLD133", node, decoded, inline, pointer, |redacted| {
        format!(
            "{owner} is given a literal credential ({}: `{redacted}`) in {}; rotate it and {hint}",
            inline.how,
            file_words(scan.ctx.kind)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Parsed;
    use crate::testkeys::{body, gateway_token};
    use crate::tree::Tree;

    fn run_tracked(rel_path: &str, text: &str, tracked: bool) -> Vec<Finding> {
        let kind = crate::classify::classify(rel_path);
        let parsed: Parsed = crate::formats::parse(kind, text);
        let tokens = crate::secrets::tokens::TokenScanner::new().scan(text.as_bytes());
        let tree = Tree::default();
        let ctx = FileContext {
            rel_path,
            kind,
            bytes: text.as_bytes(),
            text: Some(text),
            parsed: &parsed,
            tracked,
            tokens: &tokens,
            tree: &tree,
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out.sort_by_key(|f| f.span.start);
        out
    }

    fn run(rel_path: &str, text: &str) -> Vec<Finding> {
        run_tracked(rel_path, text, true)
    }

    fn summary<'a>(text: &'a str, found: &[Finding]) -> Vec<(&'static str, &'a str)> {
        found
            .iter()
            .map(|f| (f.rule_id, &text[f.span.clone()]))
            .collect()
    }

    fn ghp(seed: u64) -> String {
        let alnum: String = body(80, seed)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(36)
            .collect();
        format!("ghp_{alnum}")
    }

    #[test]
    fn vendor_tokens_anywhere_in_claude_config_with_their_place() {
        let token = ghp(1);
        let text = format!(
            r#"{{"permissions": {{"allow": ["Bash(GH_TOKEN={token} gh pr list)"]}},
 "env": {{"GITHUB_TOKEN": "{token}"}}}}"#
        );
        let found = run(".claude/settings.json", &text);
        assert_eq!(
            summary(&text, &found),
            [("CLD130", token.as_str()), ("CLD130", token.as_str())]
        );
        assert!(
            found[0]
                .message
                .contains("GitHub personal access token (classic)"),
            "{}",
            found[0].message
        );
        assert!(
            found[0]
                .message
                .contains("permission rule `permissions.allow[0]`"),
            "{}",
            found[0].message
        );
        assert!(
            found[1].message.contains("at `env.GITHUB_TOKEN`"),
            "{}",
            found[1].message
        );
        assert_eq!(found[0].logical.as_deref(), Some("/permissions/allow/0"));
        for f in &found {
            assert!(!f.message.contains(&token));
            assert_eq!(f.secret.as_ref().unwrap().token_type, "github-pat");
            assert!(f.secret.as_ref().unwrap().redacted.starts_with("ghp_"));
        }
    }

    #[test]
    fn vendor_scan_is_limited_to_claude_config() {
        let text = format!("{{\"env\": {{\"X\": \"{}\"}}}}", ghp(2));
        assert!(run("config/app.json", &text).is_empty());
        assert!(run(".devcontainer/devcontainer.json", &text).is_empty());
        assert_eq!(run(".mcp.json", &text).len(), 1);
    }

    #[test]
    fn key_endings_are_not_reported_and_vendor_tokens_in_claude_json_are() {
        let token = ghp(3);
        let text = format!(
            r#"{{"customApiKeyResponses": {{"approved": ["{}"]}},
 "mcpServers": {{"gh": {{"command": "npx", "env": {{"GITHUB_TOKEN": "{token}"}}}}}}}}"#,
            body(20, 4)
        );
        // Committed or not, the vendor token is CLD130 (CLD114 leaves it alone).
        for tracked in [true, false] {
            let found = run_tracked(".claude.json", &text, tracked);
            assert_eq!(summary(&text, &found), [("CLD130", token.as_str())]);
            assert!(found[0].message.contains("GitHub"), "{}", found[0].message);
            assert!(
                found[0]
                    .message
                    .contains("at `mcpServers.gh.env.GITHUB_TOKEN`"),
                "{}",
                found[0].message
            );
        }
    }

    #[test]
    fn permission_rules_with_credentials() {
        let secret = format!("Zq8{}", body(20, 5).replace(['-', '_'], "x"));
        let text = format!(
            r#"{{"permissions": {{"allow": [
  "Bash(npm test)",
  "Bash(PGPASSWORD={secret} psql -h db.internal -c 'select 1')",
  "Bash(curl -H \"Authorization: Bearer {secret}\" https://api.example.com/v1/items)",
  "Bash(mysql --password={secret} -e 'show tables')",
  "Bash(GEMINI_API_KEY=\"\" npm run test)",
  "Bash(export API_KEY=$API_KEY)",
  "Bash(psql postgres://app:{secret}@db.example.com/app)",
  "Bash(psql postgres://postgres:postgres@localhost/app)"
]}}}}"#
        );
        let found = run(".claude/settings.local.json", &text);
        let rules: Vec<_> = found.iter().map(|f| f.rule_id).collect();
        assert_eq!(rules, ["CLD131"; 4]);
        let pointers: Vec<_> = found.iter().filter_map(|f| f.logical.as_deref()).collect();
        assert_eq!(
            pointers,
            [
                "/permissions/allow/1",
                "/permissions/allow/2",
                "/permissions/allow/3",
                "/permissions/allow/6"
            ]
        );
        for f in &found {
            assert_eq!(&text[f.span.clone()], secret, "{}", f.message);
            assert!(!f.message.contains(&secret));
        }
        assert!(
            found[0].message.contains("`PGPASSWORD=` assignment"),
            "{}",
            found[0].message
        );
        assert!(
            found[1].message.contains("`Authorization` header"),
            "{}",
            found[1].message
        );
    }

    #[test]
    fn rule_credentials_stop_before_the_closing_parenthesis() {
        let secret = format!("Zq8{}", body(20, 6).replace(['-', '_', ')'], "x"));
        let inner_paren = format!("Zq8(a){}", body(16, 7).replace(['-', '_', ')'], "x"));
        let text = format!(
            r#"{{"permissions": {{"allow": [
  "Bash(deploy --token {secret})",
  "Bash(curl https://api.example.com/v1/items?api_key={secret})",
  "Bash(curl -H X-Api-Key:{secret})",
  "Bash(deploy --token {secret}:*)",
  "Bash(login --password {inner_paren})"
]}}}}"#
        );
        let found = run(".claude/settings.local.json", &text);
        let spans: Vec<&str> = found.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(
            spans,
            [
                secret.as_str(),
                secret.as_str(),
                secret.as_str(),
                secret.as_str(),
                inner_paren.as_str()
            ]
        );
        for f in &found {
            let redacted = &f.secret.as_ref().expect("secret").redacted;
            assert!(!redacted.ends_with(')'), "{redacted}");
        }
        assert_eq!(rule_specifier("Bash(ls)"), 5..7);
        assert_eq!(rule_specifier("Bash(ls:*)"), 5..7);
        assert_eq!(rule_specifier("deploy --token x)"), 0..17);
    }

    #[test]
    fn env_and_header_literals() {
        let token = gateway_token(6);
        let text = format!(
            r#"{{"mcpServers": {{"api": {{"type": "http", "url": "https://mcp.example.com",
   "headers": {{"Authorization": "Bearer {token}", "X-Trace": "abcDEF123456"}},
   "env": {{"SERVICE_TOKEN": "{token}", "MAX_TOKENS": "8192", "TOKEN_FILE": "/run/t", "ANON_KEY": "{token}",
            "DATABASE_URL": "postgres://svc:{token}@db.example.com/x", "ANTHROPIC_API_KEY": "{token}",
            "LOOKUP_TOKEN": "${{LOOKUP_TOKEN}}"}}}}}}}}"#
        );
        let found = run(".mcp.json", &text);
        assert_eq!(
            summary(&text, &found),
            [
                ("CLD132", token.as_str()),
                ("CLD132", token.as_str()),
                ("CLD132", token.as_str())
            ]
        );
        let pointers: Vec<_> = found.iter().filter_map(|f| f.logical.as_deref()).collect();
        assert_eq!(
            pointers,
            [
                "/mcpServers/api/headers/Authorization",
                "/mcpServers/api/env/SERVICE_TOKEN",
                "/mcpServers/api/env/DATABASE_URL"
            ]
        );
        assert!(
            found[0].message.contains("`${VAR}`"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn settings_env_and_custom_headers() {
        let token = gateway_token(7);
        let text = format!(
            r#"{{"env": {{"NPM_TOKEN": "{token}", "CLAUDE_CODE_MAX_OUTPUT_TOKENS": "32000",
 "ANTHROPIC_CUSTOM_HEADERS": "X-Team: ml\nAuthorization: Bearer {token}", "DISABLE_TELEMETRY": "1"}}}}"#
        );
        let found = run(".claude/settings.json", &text);
        assert_eq!(
            summary(&text, &found),
            [("CLD132", token.as_str()), ("CLD132", token.as_str())]
        );
        assert!(
            found[1].message.contains("`Authorization` header"),
            "{}",
            found[1].message
        );
    }

    #[test]
    fn commands_args_and_urls() {
        let token = gateway_token(8);
        let text = format!(
            r#"{{"mcpServers": {{
  "ctx": {{"command": "npx", "args": ["-y", "@acme/mcp", "--api-key", "{token}"]}},
  "db": {{"command": "npx", "args": ["-y", "pg-mcp", "postgresql://ro:{token}@db.example.com/app"]}},
  "remote": {{"type": "sse", "url": "https://mcp.example.com/sse?api_key={token}&profile=x"}},
  "fine": {{"command": "npx", "args": ["--token", "${{TOKEN}}", "--api-key=$KEY", "--password-file", "/run/p"]}}
}}}}"#
        );
        let found = run(".mcp.json", &text);
        assert_eq!(summary(&text, &found), [("CLD133", token.as_str()); 3]);
        let pointers: Vec<_> = found.iter().filter_map(|f| f.logical.as_deref()).collect();
        assert_eq!(
            pointers,
            [
                "/mcpServers/ctx/args/3",
                "/mcpServers/db/args/2",
                "/mcpServers/remote/url"
            ]
        );
        assert!(
            found[0].message.contains("MCP server `ctx`"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn hook_and_helper_commands() {
        let token = gateway_token(9);
        let text = format!(
            r#"{{"apiKeyHelper": "echo '{token}'",
 "hooks": {{"Stop": [{{"hooks": [
   {{"type": "command", "command": "curl -s -H 'X-Api-Key: {token}' https://notify.example.com"}},
   {{"type": "http", "url": "https://hooks.example.com/x", "headers": {{"Authorization": "Bearer {token}"}}}},
   {{"type": "http", "url": "https://hooks.example.com/y", "headers": {{"Authorization": "Bearer $MY_TOKEN"}}}}
 ]}}]}}}}"#
        );
        let found = run(".claude/settings.json", &text);
        let rules: Vec<_> = found.iter().map(|f| f.rule_id).collect();
        assert_eq!(rules, ["CLD133", "CLD133", "CLD132"]);
        assert!(found.iter().all(|f| text[f.span.clone()] == token));
        assert!(
            found[0].message.contains("`apiKeyHelper`"),
            "{}",
            found[0].message
        );
        assert!(
            found[0].message.contains("echoes a literal key"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn gateway_tokens_in_approved_commands_are_reported() {
        let token = gateway_token(12);
        let text = format!(
            r#"{{"permissions": {{"allow": ["Bash(ANTHROPIC_AUTH_TOKEN={token} claude -p hi)"]}}}}"#
        );
        let found = run(".claude/settings.local.json", &text);
        assert_eq!(summary(&text, &found), [("CLD131", token.as_str())]);
    }

    #[test]
    fn claude_credential_variables_are_left_to_cld110() {
        let text = format!(r#"{{"env": {{"ANTHROPIC_AUTH_TOKEN": "{}"}}}}"#, ghp(13));
        assert!(run(".claude/settings.json", &text).is_empty());
    }

    #[test]
    fn anthropic_tokens_are_left_to_the_token_rules() {
        let key = crate::testkeys::key("api03", 10);
        let text = format!(
            r#"{{"permissions": {{"allow": ["Bash(ANTHROPIC_KEY={key} claude -p hi)"]}},
 "env": {{"MY_SECRET": "{key}"}}, "apiKeyHelper": "echo {key}"}}"#
        );
        assert!(run(".claude/settings.json", &text).is_empty());
    }

    #[test]
    fn pointers_read_as_paths() {
        assert_eq!(dotted_path("/permissions/allow/3"), "permissions.allow[3]");
        assert_eq!(
            dotted_path("/mcpServers/a~1b/env/X"),
            "mcpServers.a/b.env.X"
        );
        assert_eq!(dotted_path(""), "");
        assert!(describe_pointer("/permissions/deny/0").contains("permission rule"));
        assert_eq!(describe_pointer("/env/X"), " at `env.X`");
    }

    #[test]
    fn name_heuristics() {
        for yes in [
            "GITHUB_PERSONAL_ACCESS_TOKEN",
            "OPENAI_API_KEY",
            "githubToken",
            "apiKey",
            "DB_PASSWORD",
            "BASIC_AUTH",
            "NPM_TOKEN",
            "client_secret",
            "STRIPE_SECRET_KEY",
        ] {
            assert!(is_credential_name(yes), "{yes}");
        }
        for no in [
            "MAX_TOKENS",
            "CLAUDE_CODE_MAX_OUTPUT_TOKENS",
            "API_KEY_FILE",
            "TOKEN_LIMIT",
            "SUPABASE_ANON_KEY",
            "NEXT_PUBLIC_API_KEY",
            "AWS_ACCESS_KEY_ID",
            "KEYBOARD",
            "MONKEY_MODE",
            "AUTH_MODE",
            "",
        ] {
            assert!(!is_credential_name(no), "{no}");
        }
        assert!(is_credential_header("X-Goog-Api-Key"));
        assert!(!is_credential_header("Content-Type"));
        assert!(looks_like_secret("hunter2Hunter"));
        for no in [
            "password",
            "changeme",
            "12345678901",
            "${TOKEN}",
            "short",
            "/run/secrets/x",
            "readonly-user",
        ] {
            assert!(!looks_like_secret(no), "{no}");
        }
        assert_eq!(after_auth_scheme("  Bearer  abc "), 10..13);
        assert_eq!(after_auth_scheme("abc"), 0..3);
    }

    #[test]
    fn escaped_strings_fall_back_to_the_found_text() {
        let token = gateway_token(11);
        let text = format!(r#"{{"env": {{"SVC_TOKEN": "{token}\u0020"}}}}"#);
        let found = run(".claude/settings.json", &text);
        assert_eq!(summary(&text, &found), [("CLD132", token.as_str())]);
    }

    #[test]
    fn odd_documents_do_not_panic() {
        for text in [
            "",
            "{",
            "[1, 2]",
            r#"{"permissions": {"allow": [1, null, {"a": "b"}]}}"#,
            r#"{"env": "x", "mcpServers": []}"#,
            r#"{"mcpServers": {"a": {"args": "--token x", "headers": [1]}}}"#,
            r#"{"hooks": {"Stop": {"hooks": 1}}}"#,
            r#"{"apiKeyHelper": "echo é"}"#,
        ] {
            for path in [".claude/settings.json", ".mcp.json", ".claude.json"] {
                run(path, text);
            }
        }
    }
}
