//! Claude Code's own credential, state and transcript files committed to a
//! repository (facts §5, §10 R7):
//!
//! - CLD113: `.credentials.json` holding the `claudeAiOauth` login.
//! - CLD114: `.claude.json` holding `primaryApiKey` or `oauthAccount` (error),
//!   `customApiKeyResponses` entries or literal MCP server credentials (warning).
//! - CLD115: a transcript under `.claude/projects/` (warning).
//!
//! These findings are about the file being in the repository; a token inside
//! it is reported separately by the token rules at the token's own span.

use std::ops::Range;

use super::FileContext;
use crate::assign::{Value, classify_value};
use crate::catalog::Rule;
use crate::classify::FileKind;
use crate::finding::{Confidence, Finding, Severity};
use crate::formats::json::{Member, Node, mcp_servers, pointer_join};
use crate::secrets::Secret;
use crate::secrets::placeholder::is_placeholder_value;

pub fn check(ctx: &FileContext, out: &mut Vec<Finding>) {
    if !ctx.tracked {
        return;
    }
    match ctx.kind {
        FileKind::ClaudeCredentials => credentials_file(ctx, out),
        FileKind::ClaudeState => state_file(ctx, out),
        FileKind::ClaudeTranscript => transcript(ctx, out),
        _ => {}
    }
}

/// Default severity and confidence of a catalog rule (the catalog test
/// guarantees the rule exists; the fallback keeps a missing entry harmless).
fn defaults(id: &str) -> (Severity, Confidence) {
    crate::catalog::rule(id)
        .map(|r: &Rule| (r.severity, r.confidence))
        .unwrap_or((Severity::Warning, Confidence::Medium))
}

// ---------------------------------------------------------------- CLD113

const OAUTH_KEY: &str = "claudeAiOauth";
/// `token_type` of CLD113 findings.
const CREDENTIALS_FILE: &str = "claude-credentials-file";

fn credentials_file(ctx: &FileContext, out: &mut Vec<Finding>) {
    let (severity, confidence) = defaults("CLD113");
    let finding = match ctx.parsed.json.as_ref() {
        Some(doc) => {
            let Some(oauth) = doc.root.member(OAUTH_KEY) else {
                return;
            };
            if oauth.value.is_null() {
                return; // logged out: nothing stored
            }
            let message = format!(
                "Claude Code's OAuth login store is committed: `{OAUTH_KEY}` {}; log out (`/logout`) or \
                 revoke the session on claude.ai to invalidate the tokens, then delete the file from the \
                 repository and its history",
                describe_token_fields(&oauth.value)
            );
            Finding::new("CLD113", severity, confidence)
                .at(oauth.key_span.clone())
                .message(message)
                .credential_kind(CREDENTIALS_FILE)
        }
        None => {
            // Broken JSON: the key's bytes are enough to know what the file is.
            let Some(span) = find_quoted(ctx.bytes, OAUTH_KEY) else {
                return;
            };
            Finding::new("CLD113", severity, confidence).at(span).credential_kind(CREDENTIALS_FILE).message(format!(
                "Claude Code's OAuth login store is committed: the file names `{OAUTH_KEY}` (it does not parse \
                 as JSON, so its token fields were not read); revoke the session and delete the file from the \
                 repository and its history"
            ))
        }
    };
    out.push(finding.logical(pointer_join("", OAUTH_KEY)));
}

/// "holds an access token and a refresh token", from the non-empty string fields present.
fn describe_token_fields(oauth: &Node) -> String {
    let has = |key: &str| {
        oauth
            .get(key)
            .and_then(Node::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    };
    match (has("accessToken"), has("refreshToken")) {
        (true, true) => {
            "holds an access token (`accessToken`) and a refresh token (`refreshToken`)".into()
        }
        (true, false) => "holds an access token (`accessToken`)".into(),
        (false, true) => "holds a refresh token (`refreshToken`)".into(),
        (false, false) => {
            "is present (no `accessToken` or `refreshToken` value was found in it)".into()
        }
    }
}

/// Span of `"needle"` (quotes included) in `bytes`.
fn find_quoted(bytes: &[u8], needle: &str) -> Option<Range<usize>> {
    let quoted = format!("\"{needle}\"");
    memchr::memmem::find(bytes, quoted.as_bytes()).map(|at| at..at + quoted.len())
}

// ---------------------------------------------------------------- CLD114

fn state_file(ctx: &FileContext, out: &mut Vec<Finding>) {
    let (severity, confidence) = defaults("CLD114");
    let Some(doc) = ctx.parsed.json.as_ref() else {
        state_file_unparsed(ctx, severity, confidence, out);
        return;
    };
    let root = &doc.root;
    if let Some(m) = root.member("primaryApiKey")
        && m.value
            .as_str()
            .is_some_and(|v| !v.trim().is_empty() && !is_placeholder_value(v))
    {
        out.push(state_finding(
            m,
            severity,
            confidence,
            "`.claude.json` is committed with `primaryApiKey`, the Console API key Claude Code stored at login; \
             revoke the key in the Claude Console and remove the file from the repository and its history"
                .into(),
        ));
    }
    if let Some(m) = root.member("oauthAccount")
        && m.value.as_object().is_some_and(|o| !o.is_empty())
    {
        out.push(state_finding(
            m,
            severity,
            confidence,
            "`.claude.json` is committed with `oauthAccount`: a user's private Claude Code state with the \
             signed-in account's details (email address, organization); remove it from the repository and \
             add `.claude.json` to `.gitignore`"
                .into(),
        ));
    }
    if let Some(m) = root.member("customApiKeyResponses") {
        let entries = api_key_response_count(&m.value);
        if entries > 0 {
            out.push(state_finding(
                m,
                severity.lowered(),
                confidence,
                format!(
                    "`.claude.json` is committed with `customApiKeyResponses`: {entries} entr{} holding the last \
                     20 characters of API keys the user approved or declined; remove the file from the repository",
                    if entries == 1 { "y" } else { "ies" }
                ),
            ));
        }
    }
    mcp_credentials(root, "", severity.lowered(), out);
    for projects in root.members_named("projects") {
        for project in projects.value.as_object().unwrap_or_default() {
            let base = pointer_join("/projects", &project.key);
            mcp_credentials(&project.value, &base, severity.lowered(), out);
        }
    }
}

fn state_finding(
    m: &Member,
    severity: Severity,
    confidence: Confidence,
    message: String,
) -> Finding {
    Finding::new("CLD114", severity, confidence)
        .at(m.key_span.clone())
        .logical(pointer_join("", &m.key))
        .message(message)
        .credential_kind(state_kind(&m.key))
}

/// `token_type` of a CLD114 finding without a secret, by the key it is about.
fn state_kind(key: &str) -> &'static str {
    match key {
        "oauthAccount" => "claude-state-oauth-account",
        "primaryApiKey" => "claude-state-primary-api-key",
        "customApiKeyResponses" => "claude-state-api-key-responses",
        _ => "claude-state-file",
    }
}

/// A `.claude.json` that does not parse: only the two error keys are looked for, by their bytes.
fn state_file_unparsed(
    ctx: &FileContext,
    severity: Severity,
    confidence: Confidence,
    out: &mut Vec<Finding>,
) {
    for key in ["primaryApiKey", "oauthAccount"] {
        if let Some(span) = find_quoted(ctx.bytes, key) {
            out.push(
                Finding::new("CLD114", severity, confidence)
                    .at(span)
                    .logical(pointer_join("", key))
                    .credential_kind(state_kind(key))
                    .message(format!(
                        "`.claude.json` is committed and names `{key}` (the file does not parse as JSON, so the \
                         value was not read); remove the file from the repository and its history"
                    )),
            );
        }
    }
}

/// Entries in `customApiKeyResponses.approved` and `.rejected`.
fn api_key_response_count(responses: &Node) -> usize {
    ["approved", "rejected"]
        .iter()
        .filter_map(|k| responses.get(k).and_then(Node::as_array))
        .map(|items| {
            items
                .iter()
                .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
                .count()
        })
        .sum()
}

/// Literal credentials in `mcpServers.<name>.env` / `.headers` under `container`.
fn mcp_credentials(container: &Node, base: &str, severity: Severity, out: &mut Vec<Finding>) {
    for (server, server_pointer) in mcp_servers(container, base) {
        for (block, is_header) in [("env", false), ("headers", true)] {
            for entries in server.value.members_named(block) {
                let block_pointer = pointer_join(&server_pointer, block);
                for entry in entries.value.as_object().unwrap_or_default() {
                    let Some(value) = entry.value.as_str() else {
                        continue;
                    };
                    if holds_vendor_token(&entry.key, value) {
                        continue; // CLD130 names the vendor at the value's own span
                    }
                    let secret_part = if is_header {
                        header_credential(&entry.key, value)
                    } else {
                        env_credential(&entry.key, value)
                    };
                    let Some(secret_part) = secret_part else {
                        continue;
                    };
                    let secret = Secret::new(secret_part.as_bytes(), 0);
                    out.push(
                        Finding::new("CLD114", severity, Confidence::Medium)
                            .at(entry.key_span.clone())
                            .logical(pointer_join(&block_pointer, &entry.key))
                            .message(format!(
                                "`.claude.json` is committed with a literal credential for MCP server `{}` in \
                                 `{block}.{}` (`{}`); rotate it, and keep MCP servers with credentials out of \
                                 the repository or reference them as `${{VAR}}` in `.mcp.json`",
                                server.key,
                                entry.key,
                                secret.redacted()
                            ))
                            .secret(secret.to_ref("mcp-credential-literal")),
                    );
                }
            }
        }
    }
}

/// A value holding another vendor's well-known token, which CLD130 reports
/// (unless it sits in one of Claude Code's credential variables, CLD110's).
fn holds_vendor_token(name: &str, value: &str) -> bool {
    !crate::assign::is_credential_variable(name) && !crate::secrets::vendors::find(value).is_empty()
}

/// Name parts that mark an environment variable as a credential.
const SECRET_NAME_PARTS: &[&str] = &[
    "TOKEN",
    "KEY",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "AUTH",
    "CREDENTIAL",
];
/// Final name segments that mean the value only points at a credential (`API_KEY_FILE`).
const POINTER_NAME_ENDINGS: &[&str] = &[
    "PATH", "FILE", "DIR", "URL", "URI", "HOST", "MODE", "TYPE", "NAME",
];

/// The literal secret in an env entry whose name looks like a credential.
fn env_credential<'a>(name: &str, value: &'a str) -> Option<&'a str> {
    let upper = name.to_ascii_uppercase();
    let last_segment = upper.rsplit(['_', '-']).next().unwrap_or_default();
    if !SECRET_NAME_PARTS.iter().any(|p| upper.contains(p))
        || POINTER_NAME_ENDINGS.contains(&last_segment)
    {
        return None;
    }
    literal_secret(value)
}

/// The literal secret in a header: `Authorization: Bearer <literal>` or a
/// key/token/secret-named header with a literal value.
fn header_credential<'a>(name: &str, value: &'a str) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let credential_header = [
        "authorization",
        "token",
        "key",
        "secret",
        "auth",
        "cookie",
        "password",
    ]
    .iter()
    .any(|p| lower.contains(p));
    if !credential_header {
        return None;
    }
    literal_secret(strip_auth_scheme(value.trim()))
}

/// `Bearer abc` → `abc` (also `Basic`, `Token`, `Bot`); other values unchanged.
fn strip_auth_scheme(value: &str) -> &str {
    let Some((scheme, rest)) = value.split_once(' ') else {
        return value;
    };
    if ["bearer", "basic", "token", "bot"].contains(&scheme.to_ascii_lowercase().as_str()) {
        rest.trim()
    } else {
        value
    }
}

/// `value` when it is a literal that could be a credential: not a reference
/// (`${VAR}`), not a placeholder, at least 8 characters, and not a path or URL.
fn literal_secret(value: &str) -> Option<&str> {
    let Value::Literal(_) = classify_value(value) else {
        return None;
    };
    let v = value.trim();
    let looks_like_location = ["/", "./", "../", "~/", "http://", "https://", "file:"]
        .iter()
        .any(|p| v.starts_with(p));
    if v.chars().count() < 8 || looks_like_location || is_placeholder_value(v) {
        return None;
    }
    Some(v)
}

// ---------------------------------------------------------------- CLD115

fn transcript(ctx: &FileContext, out: &mut Vec<Finding>) {
    let (severity, confidence) = defaults("CLD115");
    let first_line_end = memchr::memchr2(b'\n', b'\r', ctx.bytes).unwrap_or(ctx.bytes.len());
    out.push(
        Finding::new("CLD115", severity, confidence)
            .at(0..first_line_end)
            .credential_kind("claude-transcript")
            .message(
                "a Claude Code session transcript is committed: transcripts are plaintext logs of the whole \
                 conversation, including file contents, command output and anything pasted, so they can hold \
                 secrets; remove it from the repository and ignore `.claude/projects/`",
            ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Tree;

    fn run_tracked(rel_path: &str, text: &str, tracked: bool) -> Vec<Finding> {
        crate::checks::run_check(check, rel_path, text, &Tree::default(), tracked)
    }

    fn run(rel_path: &str, text: &str) -> Vec<Finding> {
        run_tracked(rel_path, text, true)
    }

    fn spans<'a>(text: &'a str, findings: &[Finding]) -> Vec<&'a str> {
        findings.iter().map(|f| &text[f.span.clone()]).collect()
    }

    #[test]
    fn cld113_points_at_claude_ai_oauth_and_names_the_tokens() {
        let text = format!(
            "{{\n  \"claudeAiOauth\": {{\"accessToken\": \"{}\", \"refreshToken\": \"{}\", \"expiresAt\": 1}}\n}}",
            crate::testkeys::key("oat01", 1),
            crate::testkeys::key("ort01", 2)
        );
        let found = run(".claude/.credentials.json", &text);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.rule_id, "CLD113");
        assert_eq!(f.span, 4..19);
        assert_eq!(f.logical.as_deref(), Some("/claudeAiOauth"));
        assert!(
            f.message.contains("access token") && f.message.contains("refresh token"),
            "{}",
            f.message
        );
        assert!(!f.message.contains("sk-ant"), "{}", f.message);
        assert!(f.secret.is_none());
    }

    #[test]
    fn cld113_needs_tracked_file_and_the_key() {
        let text = r#"{"claudeAiOauth": {"accessToken": "x"}}"#;
        assert!(run_tracked(".credentials.json", text, false).is_empty());
        assert!(run(".credentials.json", r#"{"registry": {"token": "abc"}}"#).is_empty());
        assert!(run(".credentials.json", r#"{"claudeAiOauth": null}"#).is_empty());
        let found = run(".credentials.json", text);
        assert!(
            found[0]
                .message
                .contains("holds an access token (`accessToken`);"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn cld113_falls_back_to_bytes_when_the_file_does_not_parse() {
        let text = "{\"claudeAiOauth\": {\"accessToken\": \"x\"";
        let found = run(".credentials.json", text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span, 1..16);
        assert!(found[0].message.contains("does not parse"));
    }

    #[test]
    fn cld114_reports_each_state_key_with_its_severity() {
        let text = format!(
            r#"{{
  "theme": "dark",
  "primaryApiKey": "{}",
  "oauthAccount": {{"emailAddress": "a@b.c", "organizationUuid": "u"}},
  "customApiKeyResponses": {{"approved": ["{}"], "rejected": []}}
}}"#,
            crate::testkeys::body(40, 5),
            crate::testkeys::body(20, 6)
        );
        let text = text.as_str();
        let found = run("home/u/.claude.json", text);
        assert_eq!(
            spans(text, &found),
            vec![
                "\"primaryApiKey\"",
                "\"oauthAccount\"",
                "\"customApiKeyResponses\""
            ]
        );
        let sev: Vec<_> = found.iter().map(|f| f.severity).collect();
        assert_eq!(
            sev,
            vec![Severity::Error, Severity::Error, Severity::Warning]
        );
        assert_eq!(found[0].span, 23..38);
        assert_eq!(found[2].logical.as_deref(), Some("/customApiKeyResponses"));
        assert!(found[2].message.contains("1 entry"), "{}", found[2].message);
        assert!(!found.iter().any(|f| f.message.contains("a@b.c")));
    }

    #[test]
    fn cld114_ignores_empty_or_harmless_state() {
        let text = r#"{"theme": "dark", "hasCompletedOnboarding": true, "primaryApiKey": "",
 "oauthAccount": {}, "customApiKeyResponses": {"approved": [], "rejected": []},
 "mcpServers": {"fs": {"command": "npx", "env": {"API_KEY": "${API_KEY}", "KEY_FILE": "/run/secrets/k",
 "AUTH_MODE": "oauth", "TOKEN": "your-token-here"}, "headers": {"Authorization": "Bearer ${TOKEN}"}}}}"#;
        assert!(run(".claude.json", text).is_empty());
        let live = format!(r#"{{"primaryApiKey": "{}"}}"#, crate::testkeys::body(40, 5));
        assert!(run_tracked(".claude.json", &live, false).is_empty());
        assert_eq!(run(".claude.json", &live).len(), 1);
    }

    #[test]
    fn cld114_reports_literal_mcp_credentials_in_env_and_headers() {
        let token = crate::testkeys::gateway_token(3);
        let text = format!(
            r#"{{"mcpServers": {{"api": {{"env": {{"API_TOKEN": "{token}", "DEBUG": "1"}}}}}},
 "projects": {{"/w/p": {{"mcpServers": {{"h": {{"headers": {{"Authorization": "Bearer {token}"}}}}}}}}}}}}"#
        );
        let found = run(".claude.json", &text);
        assert_eq!(
            spans(&text, &found),
            vec!["\"API_TOKEN\"", "\"Authorization\""]
        );
        assert_eq!(
            found[0].logical.as_deref(),
            Some("/mcpServers/api/env/API_TOKEN")
        );
        assert_eq!(
            found[1].logical.as_deref(),
            Some("/projects/~1w~1p/mcpServers/h/headers/Authorization")
        );
        for f in &found {
            assert_eq!(
                (f.severity, f.confidence),
                (Severity::Warning, Confidence::Medium)
            );
            assert!(!f.message.contains(&token), "{}", f.message);
            assert_eq!(
                f.secret.as_ref().unwrap().sha256,
                crate::secrets::hash_hex(token.as_bytes())
            );
        }
        assert!(
            found[1].message.contains("MCP server `h`"),
            "{}",
            found[1].message
        );
    }

    #[test]
    fn cld114_falls_back_to_bytes_when_the_file_does_not_parse() {
        let text = "{\"oauthAccount\": {\"emailAddress\": \"a@b.c\"";
        let found = run(".claude.json", text);
        assert_eq!(spans(text, &found), vec!["\"oauthAccount\""]);
        assert_eq!(found[0].severity, Severity::Error);
    }

    #[test]
    fn cld115_points_at_the_first_line_of_a_transcript() {
        let text = "{\"type\":\"user\"}\r\n{\"type\":\"assistant\"}\n";
        let found = run(".claude/projects/-home-u-p/0b1c.jsonl", text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule_id, "CLD115");
        assert_eq!(found[0].span, 0..15);
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(run("logs/session.jsonl", text).is_empty());
        assert!(run_tracked(".claude/projects/p/a.jsonl", text, false).is_empty());
        assert_eq!(run(".claude/projects/p/a.jsonl", "")[0].span, 0..0);
    }

    #[test]
    fn auth_scheme_and_name_heuristics() {
        assert_eq!(strip_auth_scheme("Bearer  abc"), "abc");
        assert_eq!(strip_auth_scheme("Digest abc"), "Digest abc");
        assert_eq!(
            env_credential("GITHUB_PERSONAL_ACCESS_TOKEN", "q8Zr1mXk4LpT0wNs"),
            Some("q8Zr1mXk4LpT0wNs")
        );
        assert_eq!(env_credential("API_KEY_PATH", "q8Zr1mXk4LpT0wNs"), None);
        assert_eq!(env_credential("LOG_LEVEL", "q8Zr1mXk4LpT0wNs"), None);
        assert_eq!(env_credential("API_KEY", "short"), None);
        assert_eq!(
            header_credential("X-Api-Key", "q8Zr1mXk4LpT0wNs"),
            Some("q8Zr1mXk4LpT0wNs")
        );
        assert_eq!(header_credential("Accept", "application/json-long"), None);
    }
}
