//! MCP server configuration (CLD330–CLD332) in `.mcp.json`,
//! `managed-mcp.json` and `.claude.json` (user and per-project servers),
//! plus strict JSON for the two MCP files (CLD301–CLD305, shared with the
//! settings check) and the keys of `.claude.json` that settings belong in
//! (CLD310, CLD311).
//!
//! From the MCP docs as of v2.1.240 (facts §1.1, §1.4, §10 R10; Claude Code's
//! MCP page "Installing MCP servers", "Environment variable expansion in
//! `.mcp.json`", "Configuration warnings"):
//!
//! - CLD330: a server entry Claude Code cannot start or skips — a stdio
//!   server without `command`, a remote server without `url`, a `url` with
//!   no `type` (read as stdio and skipped since v2.1.202), an unknown `type`,
//!   wrong field types, a reserved server name, hidden whitespace in values,
//!   VS Code's `servers` layout.
//! - CLD331: a field Claude Code does not document for that server type
//!   (with the other clients' fields it is often copied from).
//! - CLD332: variable references Claude Code does not expand — only
//!   `${VAR}` and `${VAR:-default}` in `command`, `args`, `env`, `url` and
//!   `headers` are.

use std::ops::Range;

use super::FileContext;
use super::settings::syntax::{self, ConfigFile};
use super::settings::{Findings, keys::describe_node, opening};
use crate::classify::FileKind;
use crate::claude::settings_model::{self as model, did_you_mean};
use crate::finding::Finding;
use crate::formats::json::{Member, Node, NodeValue, pointer_join};

pub fn check(ctx: &FileContext, out: &mut Vec<Finding>) {
    match ctx.kind {
        FileKind::McpConfig => {
            let managed = ctx.rel_path.rsplit('/').next() == Some("managed-mcp.json");
            syntax::check(ctx, ConfigFile::Mcp { managed }, out);
            if let Some(doc) = ctx.parsed.json.as_ref() {
                let mut findings = Findings { ctx, out };
                mcp_file(&doc.root, &mut findings);
            }
        }
        FileKind::ClaudeState => {
            syntax::check(ctx, ConfigFile::State, out);
            if let Some(doc) = ctx.parsed.json.as_ref() {
                let mut findings = Findings { ctx, out };
                state_file(&doc.root, &mut findings);
            }
        }
        _ => {}
    }
}

/// `.mcp.json` / `managed-mcp.json`: `{"mcpServers": {...}}`.
fn mcp_file(root: &Node, findings: &mut Findings) {
    let Some(members) = root.as_object() else {
        findings.push(
            "CLD330",
            opening(&root.span),
            "",
            format!(
                "an MCP configuration file must hold a JSON object with `mcpServers`, but this one holds {}; \
                 Claude Code reads no server from it",
                describe_node(root)
            ),
        );
        return;
    };
    for m in members {
        let pointer = pointer_join("", &m.key);
        match m.key.as_str() {
            "mcpServers" => servers(&m.value, &pointer, findings),
            "servers" if root.get("mcpServers").is_none() => findings.push(
                "CLD330",
                m.key_span.clone(),
                &pointer,
                "Claude Code reads MCP servers from `mcpServers`; `servers` is the layout of VS Code's \
                 `mcp.json`, so none of these servers load. Rename the key to `mcpServers` (and give remote \
                 servers a `type`)"
                    .into(),
            ),
            _ if is_annotation(&m.key) => {}
            _ => {
                let name = findings.shown(&m.key, &m.key_span);
                findings.push_lowered(
                    "CLD331",
                    m.key_span.clone(),
                    &pointer,
                    format!(
                        "{name} is not a documented top-level key of an MCP configuration file (Claude Code \
                         reads only `mcpServers`); it has no effect"
                    ),
                );
            }
        }
    }
}

/// `.claude.json`: user-scope servers at the top, local-scope servers per
/// project, and keys that belong in settings files.
fn state_file(root: &Node, findings: &mut Findings) {
    let Some(members) = root.as_object() else {
        return;
    };
    for m in members {
        let pointer = pointer_join("", &m.key);
        if m.key == "mcpServers" {
            servers(&m.value, &pointer, findings);
        } else if let Some(now) = model::legacy_state_key(&m.key) {
            legacy_state_key(m, now, &pointer, findings);
        } else if model::settings_key_in_state(&m.key) {
            findings.push(
                "CLD310",
                m.key_span.clone(),
                &pointer,
                format!(
                    "`{}` is a settings key, and `~/.claude.json` is not a settings layer (it holds Claude Code's \
                     own state and a few global-config keys), so it has no effect here; put it in \
                     `~/.claude/settings.json`",
                    m.key
                ),
            );
        }
    }
    for projects in root.members_named("projects") {
        let projects_pointer = pointer_join("", "projects");
        for project in projects.value.as_object().unwrap_or_default() {
            let project_pointer = pointer_join(&projects_pointer, &project.key);
            for m in project.value.as_object().unwrap_or_default() {
                let pointer = pointer_join(&project_pointer, &m.key);
                if m.key == "mcpServers" {
                    servers(&m.value, &pointer, findings);
                } else if let Some(now) = model::legacy_state_key(&m.key) {
                    legacy_state_key(m, now, &pointer, findings);
                }
            }
        }
    }
}

/// Legacy `.claude.json` options (removed in 2.0.8). Empty leftovers, which
/// Claude Code itself still writes, are not reported.
fn legacy_state_key(m: &Member, now: Option<&str>, pointer: &str, findings: &mut Findings) {
    let empty = match &m.value.value {
        NodeValue::Array(items) => items.is_empty(),
        NodeValue::Object(members) => members.is_empty(),
        NodeValue::Null | NodeValue::Bool(false) => true,
        _ => false,
    };
    if empty {
        return;
    }
    findings.push_with(
        "CLD311",
        crate::finding::Severity::Warning,
        super::settings::defaults("CLD311").1,
        m.key_span.clone(),
        pointer,
        match now {
            Some(now) => format!(
                "`{}` in `.claude.json` is a legacy option that Claude Code stopped reading in v2.0.8, so these \
                 values have no effect; move them to {now}",
                m.key
            ),
            None => format!(
                "`{}` in `.claude.json` is a legacy option that Claude Code removed in v2.0.8 without a \
                 replacement, so it has no effect; delete it",
                m.key
            ),
        },
    );
}

/// Names Claude Code reserves for its built-in servers (skipped at load time).
const RESERVED_NAMES: &[&str] = &[
    "workspace",
    "claude-in-chrome",
    "computer-use",
    "Claude Preview",
    "Claude Browser",
];

/// `type` values Claude Code accepts (`streamable-http` is an alias of `http`).
const TRANSPORTS: &[&str] = &["stdio", "http", "sse", "ws", "streamable-http"];

/// Fields of a stdio server; `cwd`, the server's working directory, is in the
/// plugins reference's MCP server format and honoured for `.mcp.json` too.
const STDIO_FIELDS: &[&str] = &[
    "type",
    "command",
    "args",
    "env",
    "cwd",
    "timeout",
    "alwaysLoad",
];
const REMOTE_FIELDS: &[&str] = &[
    "type",
    "url",
    "headers",
    "headersHelper",
    "timeout",
    "alwaysLoad",
    "oauth",
];
const OAUTH_FIELDS: &[&str] = &[
    "clientId",
    "callbackPort",
    "authServerMetadataUrl",
    "scopes",
];

fn servers(node: &Node, pointer: &str, findings: &mut Findings) {
    let Some(members) = node.as_object() else {
        findings.push(
            "CLD330",
            node.span.clone(),
            pointer,
            format!(
                "`mcpServers` must be an object mapping server names to server entries, but it is {}; no server \
                 loads",
                describe_node(node)
            ),
        );
        return;
    };
    for server in members {
        let server_pointer = pointer_join(pointer, &server.key);
        check_server(server, &server_pointer, findings);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Stdio,
    Remote,
}

fn check_server(server: &Member, pointer: &str, findings: &mut Findings) {
    let name = findings.shown(&server.key, &server.key_span);
    if RESERVED_NAMES.contains(&server.key.as_str()) {
        findings.push_lowered(
            "CLD330",
            server.key_span.clone(),
            pointer,
            format!(
                "{name} is reserved for one of Claude Code's built-in servers; Claude Code skips a configured \
                 server with this name at load time (with a warning); rename it"
            ),
        );
    }
    let entry = &server.value;
    if entry.as_object().is_none() {
        findings.push(
            "CLD330",
            entry.span.clone(),
            pointer,
            format!(
                "the MCP server entry {name} must be an object, but it is {}; the server cannot load",
                describe_node(entry)
            ),
        );
        return;
    }
    let Some(transport) = transport(entry, &name, pointer, findings) else {
        return;
    };
    required_fields(entry, transport, &name, pointer, findings);
    for m in entry.as_object().unwrap_or_default() {
        let field_pointer = pointer_join(pointer, &m.key);
        field(m, transport, &field_pointer, findings);
    }
    let shell = entry
        .get("command")
        .and_then(Node::as_str)
        .is_some_and(is_shell);
    for (node, field_pointer, bare_dollar) in expandable_values(entry, pointer, shell) {
        expansion(node, &field_pointer, bare_dollar, transport, findings);
        hidden_whitespace(node, &field_pointer, findings);
    }
}

/// The server's transport from `type`, or `None` when it cannot be told.
fn transport(
    entry: &Node,
    name: &str,
    pointer: &str,
    findings: &mut Findings,
) -> Option<Transport> {
    let Some(type_node) = entry.get("type") else {
        if entry.get("url").is_some() && entry.get("command").is_none() {
            findings.push(
                "CLD330",
                opening(&entry.span),
                pointer,
                format!(
                    "the MCP server {name} has a `url` but no `type`: Claude Code reads an entry without `type` as \
                     a stdio server, so it skips this one (\"has a \\\"url\\\" but no \\\"type\\\"\", since \
                     v2.1.202); add `\"type\": \"http\"` (or `\"sse\"` / `\"ws\"`)"
                ),
            );
            return None;
        }
        return Some(Transport::Stdio);
    };
    let type_pointer = pointer_join(pointer, "type");
    let Some(value) = type_node.as_str() else {
        findings.push(
            "CLD330",
            type_node.span.clone(),
            &type_pointer,
            format!(
                "`type` must be one of the strings {}, but it is {}",
                model::list_quoted(TRANSPORTS),
                describe_node(type_node)
            ),
        );
        return None;
    };
    match value {
        "stdio" => Some(Transport::Stdio),
        "http" | "sse" | "ws" | "streamable-http" => Some(Transport::Remote),
        other => {
            let hint = did_you_mean(other, TRANSPORTS.iter().copied())
                .or(match other {
                    "streamableHttp" | "streamable_http" | "http-stream" => Some("http"),
                    "websocket" => Some("ws"),
                    _ => None,
                })
                .map(|s| format!(" (did you mean `\"{s}\"`?)"))
                .unwrap_or_default();
            findings.push(
                "CLD330",
                type_node.span.clone(),
                &type_pointer,
                format!(
                    "`type` must be {}{hint}; Claude Code cannot load the server {name} with another transport",
                    model::list_quoted(TRANSPORTS)
                ),
            );
            None
        }
    }
}

fn required_fields(
    entry: &Node,
    transport: Transport,
    name: &str,
    pointer: &str,
    findings: &mut Findings,
) {
    let (field, what) = match transport {
        Transport::Stdio => (
            "command",
            "a stdio server (no `type`, or `\"type\": \"stdio\"`) needs `command`, the executable to run",
        ),
        Transport::Remote => ("url", "a remote server (`http`, `sse` or `ws`) needs `url`"),
    };
    match entry.get(field) {
        None => findings.push(
            "CLD330",
            opening(&entry.span),
            pointer,
            format!("the MCP server {name} cannot start: {what}"),
        ),
        Some(node) if node.as_str().is_none() => findings.push(
            "CLD330",
            node.span.clone(),
            &pointer_join(pointer, field),
            format!(
                "`{field}` must be a string, but it is {}; the server {name} cannot start",
                describe_node(node)
            ),
        ),
        Some(node) => {
            if transport == Transport::Stdio && node.as_str().is_some_and(|c| c.trim().is_empty()) {
                findings.push(
                    "CLD330",
                    node.span.clone(),
                    &pointer_join(pointer, field),
                    format!("`command` is empty, so the stdio server {name} cannot start"),
                );
            }
        }
    }
}

/// One field of a server entry: documented for its transport, another
/// transport's, another client's, or unknown.
fn field(m: &Member, transport: Transport, pointer: &str, findings: &mut Findings) {
    let own = match transport {
        Transport::Stdio => STDIO_FIELDS,
        Transport::Remote => REMOTE_FIELDS,
    };
    if own.contains(&m.key.as_str()) {
        field_type(m, pointer, findings);
        return;
    }
    let other = match transport {
        Transport::Stdio => REMOTE_FIELDS,
        Transport::Remote => STDIO_FIELDS,
    };
    let name = findings.shown(&m.key, &m.key_span);
    if other.contains(&m.key.as_str()) {
        let kind = if transport == Transport::Stdio {
            "stdio server (no `type`, or `\"type\": \"stdio\"`)"
        } else {
            "remote server"
        };
        findings.push_lowered(
            "CLD331",
            m.key_span.clone(),
            pointer,
            format!("{name} is not used by a {kind}; Claude Code ignores it here"),
        );
        return;
    }
    if is_annotation(&m.key) {
        return;
    }
    if let Some(message) = other_client_field(&m.key, &m.value) {
        findings.push("CLD331", m.key_span.clone(), pointer, message);
        return;
    }
    let hint = did_you_mean(&m.key, STDIO_FIELDS.iter().chain(REMOTE_FIELDS).copied());
    let message = format!(
        "{name} is not a field Claude Code documents for an MCP server entry{}; Claude Code most likely \
         ignores it",
        hint.map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default()
    );
    if hint.is_some() {
        findings.push("CLD331", m.key_span.clone(), pointer, message);
    } else {
        findings.push_lowered("CLD331", m.key_span.clone(), pointer, message);
    }
}

/// Keys people add to document a file (`description`, `_comment`, `$schema`):
/// unknown to Claude Code, and meant to have no effect.
pub fn is_annotation(key: &str) -> bool {
    key.starts_with(['_', '$', '/', '#'])
        || matches!(
            key.to_ascii_lowercase().as_str(),
            "description" | "comment" | "comments" | "note" | "notes" | "readme"
        )
}

/// Fields other MCP clients read, whose absence in Claude Code changes what the author expects.
fn other_client_field(key: &str, value: &Node) -> Option<String> {
    Some(match key {
        "disabled" if value.as_bool() == Some(true) => {
            "`disabled` is not a Claude Code field (other MCP clients read it): Claude Code still loads this \
             server. To keep it off, list it in `disabledMcpjsonServers` or toggle it off in `/mcp`"
                .into()
        }
        "autoApprove" | "alwaysAllow" => format!(
            "`{key}` is not a Claude Code field (other MCP clients read it), so it approves nothing; approve tools \
             with `permissions.allow` rules such as `mcp__<server>__<tool>`"
        ),
        "transport" | "transportType" => format!(
            "`{key}` is not a Claude Code field; Claude Code reads the transport from `type` (`\"stdio\"`, \
             `\"http\"`, `\"sse\"` or `\"ws\"`)"
        ),
        "serverUrl" | "httpUrl" | "endpoint" => format!(
            "`{key}` is not a Claude Code field; Claude Code reads a remote server's address from `url` (with a \
             `type`)"
        ),
        _ => return None,
    })
}

/// Types of documented fields.
fn field_type(m: &Member, pointer: &str, findings: &mut Findings) {
    let node = &m.value;
    let expected = match m.key.as_str() {
        "args" if !is_string_array(node) => "an array of strings",
        "env" | "headers" if !is_string_map(node) => "an object of string values",
        "headersHelper" if node.as_str().is_none() => "a string (a command)",
        "cwd" if node.as_str().is_none() => "a string (a directory)",
        "alwaysLoad" if node.as_bool().is_none() => "a boolean",
        "timeout" => return timeout(node, pointer, findings),
        "oauth" => return oauth(node, pointer, findings),
        _ => return,
    };
    findings.push(
        "CLD330",
        node.span.clone(),
        pointer,
        format!(
            "`{}` must be {expected}, but it {}; Claude Code rejects the server entry",
            m.key,
            mismatch(node, expected)
        ),
    );
}

fn mismatch(node: &Node, expected: &str) -> String {
    match (&node.value, expected) {
        (NodeValue::Array(_), "an array of strings") => "holds a value that is not a string".into(),
        (NodeValue::Object(_), "an object of string values") => {
            "holds a value that is not a string".into()
        }
        _ => format!("is {}", describe_node(node)),
    }
}

fn timeout(node: &Node, pointer: &str, findings: &mut Findings) {
    let NodeValue::Number(text) = &node.value else {
        findings.push(
            "CLD330",
            node.span.clone(),
            pointer,
            format!(
                "`timeout` must be a number of milliseconds, but it is {}",
                describe_node(node)
            ),
        );
        return;
    };
    if text.parse::<f64>().is_ok_and(|ms| ms < 1000.0) {
        findings.push_lowered(
            "CLD330",
            node.span.clone(),
            pointer,
            "the per-server `timeout` is in milliseconds, and Claude Code ignores values below 1000 (falling back \
             to `MCP_TOOL_TIMEOUT`); was this meant in seconds?"
                .into(),
        );
    }
}

fn oauth(node: &Node, pointer: &str, findings: &mut Findings) {
    let Some(members) = node.as_object() else {
        findings.push(
            "CLD330",
            node.span.clone(),
            pointer,
            format!(
                "`oauth` must be an object, but it is {}",
                describe_node(node)
            ),
        );
        return;
    };
    for m in members {
        let field_pointer = pointer_join(pointer, &m.key);
        if !OAUTH_FIELDS.contains(&m.key.as_str()) {
            let name = findings.shown(&m.key, &m.key_span);
            let hint = did_you_mean(&m.key, OAUTH_FIELDS.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            findings.push_lowered(
                "CLD331",
                m.key_span.clone(),
                &field_pointer,
                format!(
                    "{name} is not a documented `oauth` field{hint}; it has no effect (pass a client secret with \
                     `claude mcp add --client-secret`, never in the file)"
                ),
            );
        } else if m.key == "authServerMetadataUrl"
            && m.value.as_str().is_some_and(|u| !u.starts_with("https://"))
        {
            findings.push(
                "CLD330",
                m.value.span.clone(),
                &field_pointer,
                "`oauth.authServerMetadataUrl` must use `https://`".into(),
            );
        }
    }
}

fn is_string_array(node: &Node) -> bool {
    node.as_array()
        .is_some_and(|items| items.iter().all(|i| i.as_str().is_some()))
}

fn is_string_map(node: &Node) -> bool {
    node.as_object()
        .is_some_and(|ms| ms.iter().all(|m| m.value.as_str().is_some()))
}

/// A command that runs its arguments through a shell, which expands `$VAR` itself.
fn is_shell(command: &str) -> bool {
    let base = command
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(command)
        .trim_end_matches(".exe")
        .to_ascii_lowercase();
    matches!(
        base.as_str(),
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "fish" | "cmd" | "powershell" | "pwsh" | "env"
    )
}

/// String values Claude Code expands: `command`, `args`, `env`, `url`,
/// `headers`. The flag says whether a bare `$VAR` is worth reporting there
/// (not in the arguments of a shell, which expands it itself).
fn expandable_values<'a>(
    entry: &'a Node,
    pointer: &str,
    shell: bool,
) -> Vec<(&'a Node, String, bool)> {
    let mut values = Vec::new();
    for field in ["command", "url"] {
        if let Some(node) = entry.get(field) {
            values.push((node, pointer_join(pointer, field), true));
        }
    }
    if let Some(args) = entry.get("args").and_then(Node::as_array) {
        let args_pointer = pointer_join(pointer, "args");
        for (i, arg) in args.iter().enumerate() {
            values.push((arg, pointer_join(&args_pointer, &i.to_string()), !shell));
        }
    }
    for field in ["env", "headers"] {
        let field_pointer = pointer_join(pointer, field);
        for m in entry
            .get(field)
            .and_then(Node::as_object)
            .unwrap_or_default()
        {
            values.push((&m.value, pointer_join(&field_pointer, &m.key), true));
        }
    }
    values.retain(|(node, _, _)| node.as_str().is_some());
    values
}

/// One problem in a value's variable references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpansionIssue {
    /// Byte range in the decoded string.
    pub range: Range<usize>,
    pub message: String,
    /// Behaviour undocumented: one severity step lower.
    pub lowered: bool,
}

/// Variable references in `value` that Claude Code does not expand as the
/// author probably intends. `bare_dollar`: report `$VAR` without braces.
pub fn expansion_issues(value: &str, bare_dollar: bool) -> Vec<ExpansionIssue> {
    let bytes = value.as_bytes();
    let mut issues = Vec::new();
    let mut i = 0;
    let issue = |range: Range<usize>, message: &str, lowered: bool| ExpansionIssue {
        range,
        message: message.to_string(),
        lowered,
    };
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(len) = windows_var_len(&bytes[i..]) {
                issues.push(issue(
                    i..i + len,
                    "`%VAR%` is Windows `cmd` syntax; Claude Code expands only `${VAR}` and `${VAR:-default}`, so \
                     the text stays literal",
                    true,
                ));
                i += len;
                continue;
            }
            i += 1;
            continue;
        }
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'{') if bytes.get(i + 2) == Some(&b'{') => {
                let end = value[i..].find("}}").map_or(bytes.len(), |n| i + n + 2);
                issues.push(issue(
                    i..end,
                    "`${{ … }}` is GitHub Actions expression syntax; Claude Code does not evaluate it, so the text \
                     reaches the server literally. Use `${VAR}` and set the variable in the environment",
                    false,
                ));
                i = end;
            }
            Some(b'{') => match value[i + 2..].find('}') {
                None => {
                    issues.push(issue(
                        i..bytes.len(),
                        "`${` is never closed with `}`, so it is not a variable reference and stays literal",
                        false,
                    ));
                    break;
                }
                Some(n) => {
                    let end = i + 2 + n + 1;
                    if let Some((message, lowered)) = braced_issue(&value[i + 2..end - 1]) {
                        issues.push(issue(i..end, &message, lowered));
                    }
                    i = end;
                }
            },
            Some(c) if bare_dollar && (c.is_ascii_alphabetic() || *c == b'_') => {
                let mut end = i + 1;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                issues.push(issue(
                    i..end,
                    "`$VAR` without braces is not expanded: Claude Code expands only `${VAR}` and \
                     `${VAR:-default}` (the server is started without a shell), so the text stays literal",
                    false,
                ));
                i = end;
            }
            _ => i += 1,
        }
    }
    issues
}

/// `%NAME%` at the start of `bytes`: its length.
fn windows_var_len(bytes: &[u8]) -> Option<usize> {
    let close = bytes[1..].iter().position(|&b| b == b'%')? + 1;
    let name = &bytes[1..close];
    let ok = !name.is_empty()
        && (name[0].is_ascii_alphabetic() || name[0] == b'_')
        && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_');
    ok.then_some(close + 1)
}

/// What is wrong with the inside of `${…}`, if anything.
fn braced_issue(inner: &str) -> Option<(String, bool)> {
    let is_name = |s: &str| {
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if inner.is_empty() {
        return Some(("`${}` names no variable and stays literal".into(), false));
    }
    if is_name(inner) {
        return match inner {
            "CLAUDE_PLUGIN_ROOT" | "CLAUDE_PLUGIN_DATA" => Some((
                format!(
                    "`${{{inner}}}` is a placeholder of plugin-provided MCP configurations; in `.mcp.json` or \
                     `~/.claude.json` it is an ordinary environment variable, normally unset, so the text stays \
                     literal"
                ),
                false,
            )),
            "workspaceFolder" | "workspaceRoot" | "userHome" | "cwd" => Some((
                format!(
                    "`${{{inner}}}` is a VS Code variable, not an environment variable; Claude Code leaves it \
                     literal unless a variable of that name is set (use `${{CLAUDE_PROJECT_DIR:-.}}` for the \
                     project root in `args`)"
                ),
                false,
            )),
            _ => None,
        };
    }
    if let Some((name, _default)) = inner.split_once(":-") {
        return (!is_name(name)).then(|| {
            (
                "the part before `:-` is not a variable name, so this reference is not expanded"
                    .to_string(),
                false,
            )
        });
    }
    if let Some(rest) = inner.strip_prefix("env:") {
        let name = if is_name(rest) { rest } else { "NAME" };
        return Some((
            format!(
                "`${{env:{name}}}` is VS Code syntax; Claude Code expands `${{{name}}}` (or \
                 `${{{name}:-default}}`) and leaves this text literal"
            ),
            false,
        ));
    }
    if inner.starts_with("input:") || inner.starts_with("user_config.") {
        return Some((
            "this is another tool's placeholder (VS Code inputs or plugin `user_config`), not an environment \
             variable; Claude Code leaves it literal here"
                .into(),
            false,
        ));
    }
    for op in [":=", ":?", ":+", "-", "=", "?", "+", ":"] {
        if let Some((name, _)) = inner.split_once(op)
            && is_name(name)
        {
            return Some((
                format!(
                    "`${{NAME{op}…}}` is shell syntax Claude Code's docs do not list: only `${{VAR}}` and \
                     `${{VAR:-default}}` are documented, so how this is expanded is undocumented"
                ),
                true,
            ));
        }
    }
    Some((
        "the text inside `${…}` is not a variable name, so it is not expanded".into(),
        false,
    ))
}

fn expansion(
    node: &Node,
    pointer: &str,
    bare_dollar: bool,
    transport: Transport,
    findings: &mut Findings,
) {
    let Some(value) = node.as_str() else {
        return;
    };
    for issue in expansion_issues(value, bare_dollar) {
        let message = format!("{} (in `{}`)", issue.message, field_name(pointer));
        if issue.lowered {
            findings.push_lowered("CLD332", node.span.clone(), pointer, message);
        } else {
            findings.push("CLD332", node.span.clone(), pointer, message);
        }
    }
    // `CLAUDE_PROJECT_DIR` is set in the server's environment, not Claude Code's (docs "Option 3").
    let in_command_or_args = pointer.ends_with("/command") || pointer.contains("/args/");
    if transport == Transport::Stdio
        && in_command_or_args
        && value.contains("${CLAUDE_PROJECT_DIR}")
    {
        findings.push(
            "CLD332",
            node.span.clone(),
            pointer,
            "`${CLAUDE_PROJECT_DIR}` is set in the server's own environment, not in Claude Code's, so in \
             `command` or `args` of `.mcp.json` or `~/.claude.json` it needs a default, such as \
             `${CLAUDE_PROJECT_DIR:-.}`; without one the text stays literal"
                .into(),
        );
    }
}

/// The last segment of a pointer, for messages: `args`, `env`, `headers`, `url`.
fn field_name(pointer: &str) -> String {
    let segments: Vec<&str> = pointer.rsplit('/').take(3).collect();
    for field in ["args", "env", "headers"] {
        if segments.get(1) == Some(&field) {
            return field.to_string();
        }
    }
    segments.first().copied().unwrap_or_default().to_string()
}

/// Leading or trailing whitespace in a value (Claude Code warns and uses it as written).
fn hidden_whitespace(node: &Node, pointer: &str, findings: &mut Findings) {
    let Some(value) = node.as_str() else {
        return;
    };
    if value.is_empty() || value.trim() == value {
        return;
    }
    findings.push_lowered(
        "CLD330",
        node.span.clone(),
        pointer,
        format!(
            "this `{}` value has leading or trailing whitespace (often a pasted newline); Claude Code warns about \
             it and uses the value exactly as written, so the command, URL or credential is wrong",
            field_name(pointer)
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(value: &str) -> Vec<String> {
        expansion_issues(value, true)
            .into_iter()
            .map(|i| value[i.range].to_string())
            .collect()
    }

    #[test]
    fn documented_expansions_are_clean() {
        for ok in [
            "${API_KEY}",
            "Bearer ${API_KEY}",
            "${API_BASE_URL:-https://api.example.com}/mcp",
            "${CLAUDE_PROJECT_DIR:-.}/server.js",
            "plain",
            "100%",
            "$",
            "cost $5",
        ] {
            assert!(expansion_issues(ok, true).is_empty(), "{ok}");
        }
    }

    #[test]
    fn undocumented_forms() {
        assert_eq!(messages("Bearer $TOKEN"), vec!["$TOKEN"]);
        assert_eq!(messages("${{ secrets.X }}"), vec!["${{ secrets.X }}"]);
        assert_eq!(messages("${env:GITHUB_TOKEN}"), vec!["${env:GITHUB_TOKEN}"]);
        assert_eq!(messages("${workspaceFolder}/x"), vec!["${workspaceFolder}"]);
        assert_eq!(messages("%APPDATA%\\x"), vec!["%APPDATA%"]);
        assert_eq!(messages("${OPEN"), vec!["${OPEN"]);
        assert_eq!(messages("${}"), vec!["${}"]);
        assert_eq!(messages("${A:default}"), vec!["${A:default}"]);
        assert!(expansion_issues("${A-default}", true)[0].lowered);
        assert_eq!(
            messages("${CLAUDE_PLUGIN_ROOT}/s"),
            vec!["${CLAUDE_PLUGIN_ROOT}"]
        );
        assert!(expansion_issues("echo $HOME", false).is_empty());
    }

    #[test]
    fn shells_and_field_names() {
        assert!(is_shell("/bin/bash"));
        assert!(is_shell("cmd.exe"));
        assert!(!is_shell("npx"));
        assert_eq!(field_name("/mcpServers/a/args/2"), "args");
        assert_eq!(field_name("/mcpServers/a/headers/Authorization"), "headers");
        assert_eq!(field_name("/mcpServers/a/url"), "url");
    }
}
