//! JSON and JSONC documents (devcontainer.json, Claude settings, `.mcp.json`,
//! `.claude.json`, `.credentials.json`) parsed with `jsonc-parser` into an
//! owned tree where every key and value keeps its byte span.
//!
//! Each kind has a dialect: devcontainer.json is JSONC (comments and trailing
//! commas are legal), the Claude files are strict JSON. When a file breaks its
//! dialect, the first error becomes a [`Diagnostic`] at its exact span, and the
//! file is parsed again with every extension allowed so that later checks
//! still see a tree. Settings and MCP files are the exception: their checks
//! report every strict-JSON problem as a finding ([`super::json_strict`]), so
//! they get no diagnostic. Duplicate keys are kept, in order, because a credential
//! in a shadowed key is still committed.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use jsonc_parser::ParseOptions;
use jsonc_parser::ast::{ObjectPropName, Value as AstValue};
use jsonc_parser::errors::{ParseError, ParseErrorKind};
use jsonc_parser::{CollectOptions, ParseStringErrorKind};

use super::{Diagnostic, Parsed};
use crate::assign::{Assignment, Origin, Value, classify_value};
use crate::classify::FileKind;

/// A parsed JSON document; all spans are byte offsets into the original
/// file text (a leading BOM included).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonDoc {
    pub root: Node,
}

impl JsonDoc {
    /// [`Node::get`] on the root.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.root.get(key)
    }

    /// [`Node::pointer`] from the root: `doc.pointer("/build/dockerfile")`.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        self.root.pointer(pointer)
    }

    /// The JSON pointer of the innermost node (or key) holding `span`.
    pub fn pointer_at(&self, span: &Range<usize>) -> Option<String> {
        let within = |outer: &Range<usize>| outer.start <= span.start && span.end <= outer.end;
        if !within(&self.root.span) {
            return None;
        }
        let mut pointer = String::new();
        let mut node = &self.root;
        'descend: loop {
            match &node.value {
                NodeValue::Object(members) => {
                    for m in members {
                        if within(&m.value.span) || within(&m.key_span) {
                            pointer = pointer_join(&pointer, &m.key);
                            node = &m.value;
                            continue 'descend;
                        }
                    }
                }
                NodeValue::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if within(&item.span) {
                            pointer = pointer_join(&pointer, &i.to_string());
                            node = item;
                            continue 'descend;
                        }
                    }
                }
                _ => {}
            }
            return Some(pointer);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value as written: quotes, brackets and braces included.
    pub span: Range<usize>,
    pub value: NodeValue,
}

#[derive(Clone, PartialEq)]
pub enum NodeValue {
    /// Members in file order; duplicate keys are all kept.
    Object(Vec<Member>),
    Array(Vec<Node>),
    /// Decoded (escapes applied).
    String(String),
    /// The number as written (`1e3`, `-0.5`).
    Number(String),
    Bool(bool),
    Null,
}

impl fmt::Debug for NodeValue {
    // String values may be secrets: never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeValue::Object(members) => f.debug_tuple("Object").field(members).finish(),
            NodeValue::Array(items) => f.debug_tuple("Array").field(items).finish(),
            NodeValue::String(s) => write!(f, "String(<{} chars>)", s.chars().count()),
            NodeValue::Number(n) => write!(f, "Number({n})"),
            NodeValue::Bool(b) => write!(f, "Bool({b})"),
            NodeValue::Null => f.write_str("Null"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Decoded key.
    pub key: String,
    /// The key as written, quotes included (a bare word in lenient JSONC).
    pub key_span: Range<usize>,
    pub value: Node,
}

impl Node {
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            NodeValue::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            NodeValue::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, NodeValue::Null)
    }

    /// The member `key` of an object. With duplicate keys this is the last one,
    /// the one `JSON.parse` (and so Claude Code) keeps.
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().rev().find(|m| m.key == key)
    }

    /// Every member named `key`, in file order (duplicates included).
    pub fn members_named<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Member> + 'a {
        self.as_object()
            .unwrap_or_default()
            .iter()
            .filter(move |m| m.key == key)
    }

    /// The value of member `key` (the last one when duplicated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }

    /// Resolves an RFC 6901 JSON pointer (`""` is this node, `/a/0/b~1c` walks
    /// key `a`, index 0, key `b/c`).
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |node, raw| {
            let token = unescape_pointer_token(raw);
            match &node.value {
                NodeValue::Object(_) => node.get(&token),
                NodeValue::Array(items) => items.get(parse_array_index(&token)?),
                _ => None,
            }
        })
    }
}

/// An array index token: digits without a leading zero (RFC 6901 §4).
fn parse_array_index(token: &str) -> Option<usize> {
    let digits_only = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    token.parse().ok()
}

/// Escapes one reference token for a JSON pointer: `~` → `~0`, `/` → `~1`.
pub fn escape_pointer_token(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

fn unescape_pointer_token(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// `base` extended by one escaped token: `pointer_join("/env", "A/B")` is `/env/A~1B`.
pub fn pointer_join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape_pointer_token(token))
}

/// What syntax a file kind is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// RFC 8259 JSON, as `JSON.parse` reads it.
    Strict,
    /// JSON with comments and trailing commas, as VS Code and the devcontainer CLI read it.
    Jsonc,
}

impl Dialect {
    fn of(kind: FileKind) -> Dialect {
        match kind {
            FileKind::Devcontainer => Dialect::Jsonc,
            _ => Dialect::Strict,
        }
    }

    fn options(self) -> ParseOptions {
        let jsonc = self == Dialect::Jsonc;
        ParseOptions {
            allow_comments: jsonc,
            allow_trailing_commas: jsonc,
            allow_loose_object_property_names: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Dialect::Strict => "JSON",
            Dialect::Jsonc => "JSONC",
        }
    }
}

const BOM: &str = "\u{feff}";

/// Parses a devcontainer, Claude settings, MCP, state or credentials file.
pub fn parse_file(kind: FileKind, text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let dialect = Dialect::of(kind);
    let (offset, body) = match text.strip_prefix(BOM) {
        Some(rest) => (BOM.len(), rest),
        None => (0, text),
    };
    if offset > 0 && dialect == Dialect::Strict {
        parsed.diagnostics.push(Diagnostic::new(
            0..offset,
            "UTF-8 byte order mark before the JSON value: `JSON.parse` rejects it unless the reader strips it first",
        ));
    }
    if let Some(doc) = parse_tree(body, offset, dialect, &mut parsed.diagnostics) {
        parsed.assignments = assignments(kind, &doc, text);
        parsed.json = Some(doc);
    }
    if reports_syntax_as_findings(kind) {
        // The settings and MCP checks report every strict-JSON problem as a
        // finding (see [`strict_problems`]); a notice would say it twice.
        parsed.diagnostics.clear();
    }
    parsed
}

/// Kinds whose checks turn strict-JSON problems into findings: Claude Code
/// drops such a file, so the problem is a configuration defect, not a parse notice.
pub fn reports_syntax_as_findings(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::ClaudeSettings | FileKind::McpConfig | FileKind::ClaudeState
    )
}

/// Parses `body` (which starts at byte `offset` of the file) in `dialect`,
/// falling back to the most lenient reading after recording the first error.
fn parse_tree(
    body: &str,
    offset: usize,
    dialect: Dialect,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<JsonDoc> {
    let value = match parse_ast(body, &dialect.options()) {
        Ok(value) => value,
        Err(error) => {
            let lenient = parse_ast(body, &ParseOptions::default()).ok().flatten();
            diagnostics.push(syntax_diagnostic(
                &error,
                offset,
                dialect,
                lenient.is_some(),
            ));
            return lenient.map(|root| JsonDoc {
                root: to_node(root, offset),
            });
        }
    };
    match value {
        Some(root) => Some(JsonDoc {
            root: to_node(root, offset),
        }),
        None => {
            diagnostics.push(Diagnostic::new(
                offset..offset + body.len(),
                "no JSON value: the file is empty or holds only whitespace or comments",
            ));
            None
        }
    }
}

fn parse_ast<'a>(
    body: &'a str,
    options: &ParseOptions,
) -> Result<Option<AstValue<'a>>, ParseError> {
    jsonc_parser::parse_to_ast(body, &CollectOptions::default(), options).map(|r| r.value)
}

fn syntax_diagnostic(
    error: &ParseError,
    offset: usize,
    dialect: Dialect,
    recovered: bool,
) -> Diagnostic {
    let range = error.range();
    let recovery = if recovered {
        " (the rest of the file was read leniently so that it can still be checked)"
    } else {
        ""
    };
    Diagnostic::new(
        range.start + offset..range.end + offset,
        format!(
            "invalid {}: {}{recovery}",
            dialect.name(),
            describe_error(error.kind(), dialect)
        ),
    )
}

/// A strict-mode parse error in words that never quote the file's content.
pub(crate) fn describe_strict_error(error: &ParseError) -> String {
    describe_error(error.kind(), Dialect::Strict)
}

/// What went wrong, in words that never quote the file's content.
fn describe_error(kind: &ParseErrorKind, dialect: Dialect) -> String {
    use ParseErrorKind as K;
    let text = match kind {
        K::TrailingCommasNotAllowed => "trailing comma before a closing `}` or `]`",
        K::CommentsNotAllowed => "comment (`//` or `/* */`); JSON has no comments",
        K::SingleQuotedStringsNotAllowed => "single-quoted string; strings need double quotes",
        K::ExpectedStringObjectProperty => "object key is not a double-quoted string",
        K::HexadecimalNumbersNotAllowed => "hexadecimal number",
        K::UnaryPlusNumbersNotAllowed => "number with a leading `+`",
        K::BareDecimalPointNumbersNotAllowed => "number with a bare decimal point (`.5` or `5.`)",
        K::NonFiniteNumbersNotAllowed => "`Infinity` or `NaN` is not a JSON number",
        K::ExpectedComma => "missing comma between values",
        K::ExpectedColonAfterObjectKey => "missing `:` after an object key",
        K::ExpectedObjectValue => "missing value after `:`",
        K::UnterminatedObject => "unterminated object (no closing `}`)",
        K::UnterminatedArray => "unterminated array (no closing `]`)",
        K::UnterminatedCommentBlock => "unterminated `/*` comment",
        K::MultipleRootJsonValues => "text after the end of the JSON value",
        K::NestingDepthExceeded => "nesting too deep to read",
        K::String(ParseStringErrorKind::UnterminatedStringLiteral) => "unterminated string",
        K::String(
            ParseStringErrorKind::ExpectedFourHexDigits
            | ParseStringErrorKind::ExpectedTwoHexDigits
            | ParseStringErrorKind::InvalidUnicodeEscapeSequence(_),
        ) => "invalid `\\u` escape in a string",
        K::String(_) => "invalid escape sequence in a string",
        K::UnexpectedWord if dialect == Dialect::Strict => {
            "unexpected bare word (keys and strings need double quotes)"
        }
        // The remaining kinds' own wording holds no file content.
        other => return other.to_string().to_lowercase(),
    };
    text.to_string()
}

/// Converts the borrowed AST into the owned tree, shifting spans by `offset`.
fn to_node(value: AstValue<'_>, offset: usize) -> Node {
    let span = |r: jsonc_parser::common::Range| r.start + offset..r.end + offset;
    match value {
        AstValue::StringLit(s) => Node {
            span: span(s.range),
            value: NodeValue::String(s.value.into_owned()),
        },
        AstValue::NumberLit(n) => Node {
            span: span(n.range),
            value: NodeValue::Number(n.value.to_string()),
        },
        AstValue::BooleanLit(b) => Node {
            span: span(b.range),
            value: NodeValue::Bool(b.value),
        },
        AstValue::NullKeyword(n) => Node {
            span: span(n.range),
            value: NodeValue::Null,
        },
        AstValue::Array(a) => Node {
            span: span(a.range),
            value: NodeValue::Array(a.elements.into_iter().map(|v| to_node(v, offset)).collect()),
        },
        AstValue::Object(o) => Node {
            span: span(o.range),
            value: NodeValue::Object(
                o.properties
                    .into_iter()
                    .map(|p| {
                        let (key, key_range) = match p.name {
                            ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                            ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                        };
                        Member {
                            key,
                            key_span: span(key_range),
                            value: to_node(p.value, offset),
                        }
                    })
                    .collect(),
            ),
        },
    }
}

/// The environment-style assignments each kind defines.
fn assignments(kind: FileKind, doc: &JsonDoc, text: &str) -> Vec<Assignment> {
    let mut out = Vec::new();
    let root = &doc.root;
    match kind {
        FileKind::Devcontainer => {
            for key in ["containerEnv", "remoteEnv"] {
                for m in root.members_named(key) {
                    push_object_entries(
                        &mut out,
                        text,
                        &m.value,
                        &pointer_join("", key),
                        key,
                        Origin::Env,
                    );
                }
            }
            for run_args in root.members_named("runArgs") {
                push_run_args_env(&mut out, text, &run_args.value);
            }
            for build in root.members_named("build") {
                for args in build.value.members_named("args") {
                    let logical = pointer_join("/build", "args");
                    push_object_entries(
                        &mut out,
                        text,
                        &args.value,
                        &logical,
                        "build",
                        Origin::BuildArg,
                    );
                }
            }
        }
        FileKind::ClaudeSettings => {
            for env in root.members_named("env") {
                push_object_entries(&mut out, text, &env.value, "/env", "env", Origin::Env);
            }
        }
        FileKind::McpConfig => push_mcp_env(&mut out, text, root, "", ""),
        FileKind::ClaudeState => {
            push_mcp_env(&mut out, text, root, "", "");
            for projects in root.members_named("projects") {
                for project in projects.value.as_object().unwrap_or_default() {
                    let logical = pointer_join("/projects", &project.key);
                    let scope = format!("projects.{}.", project.key);
                    push_mcp_env(&mut out, text, &project.value, &logical, &scope);
                }
            }
        }
        _ => {}
    }
    out
}

/// MCP server environments under `container.mcpServers.<name>.env`.
fn push_mcp_env(
    out: &mut Vec<Assignment>,
    text: &str,
    container: &Node,
    base: &str,
    scope_prefix: &str,
) {
    for (server, server_pointer) in mcp_servers(container, base) {
        let scope = format!("{scope_prefix}mcpServers.{}", server.key);
        for env in server.value.members_named("env") {
            let logical = pointer_join(&server_pointer, "env");
            push_object_entries(out, text, &env.value, &logical, &scope, Origin::Env);
        }
    }
}

/// Each server under `container.mcpServers` (every occurrence), with its JSON pointer.
pub fn mcp_servers<'a>(container: &'a Node, base: &str) -> Vec<(&'a Member, String)> {
    let mut servers = Vec::new();
    for block in container.members_named("mcpServers") {
        let block_pointer = pointer_join(base, "mcpServers");
        for server in block.value.as_object().unwrap_or_default() {
            servers.push((server, pointer_join(&block_pointer, &server.key)));
        }
    }
    servers
}

/// One assignment per member of `object` (nothing when it is not an object).
fn push_object_entries(
    out: &mut Vec<Assignment>,
    text: &str,
    object: &Node,
    base_pointer: &str,
    scope: &str,
    origin: Origin,
) {
    for m in object.as_object().unwrap_or_default() {
        out.push(Assignment {
            name: m.key.clone(),
            name_span: m.key_span.clone(),
            value: assignment_value(&m.value, text),
            value_span: m.value.span.clone(),
            logical: pointer_join(base_pointer, &m.key),
            origin,
            scope: scope.to_string(),
        });
    }
}

/// `-e NAME=value`, `--env NAME=value`, `--env=NAME=value` and `-eNAME=value`
/// in devcontainer `runArgs`, scope `runArgs`. A bare `-e NAME` passes the
/// host's value through: its value is empty and its value span is its name's.
/// Spans point inside the JSON string (the whole string when it holds escapes).
fn push_run_args_env(out: &mut Vec<Assignment>, text: &str, run_args: &Node) {
    let NodeValue::Array(items) = &run_args.value else {
        return;
    };
    let mut i = 0;
    while i < items.len() {
        let Some(arg) = items[i].as_str() else {
            i += 1;
            continue;
        };
        let (node, index, offset) = match arg {
            "-e" | "--env" => match items.get(i + 1) {
                Some(next) if next.as_str().is_some() => {
                    i += 1;
                    (next, i, 0)
                }
                _ => (&items[i], i, arg.len()),
            },
            _ if arg.starts_with("--env=") => (&items[i], i, "--env=".len()),
            _ if arg.starts_with("-e") && arg.len() > 2 && !arg.starts_with("-e-") => {
                (&items[i], i, 2)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        i += 1;
        let Some(decoded) = node.as_str() else {
            continue;
        };
        let spec = &decoded[offset..];
        let (name, value) = match spec.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (spec, None),
        };
        if name.is_empty() {
            continue;
        }
        // The string as written, between its quotes: byte offsets map one to
        // one when it holds no escape.
        let inner = node.span.start + 1..node.span.end.saturating_sub(1);
        let exact = text.get(inner.clone()) == Some(decoded);
        let at = |from: usize, len: usize| {
            if exact {
                inner.start + from..inner.start + from + len
            } else {
                node.span.clone()
            }
        };
        let name_span = at(offset, name.len());
        let (value, value_span) = match value {
            Some(v) => (classify_value(v), at(offset + name.len() + 1, v.len())),
            None => (Value::Empty, name_span.clone()),
        };
        out.push(Assignment {
            name: name.to_string(),
            name_span,
            value,
            value_span,
            logical: format!("/runArgs/{index}"),
            origin: Origin::Env,
            scope: "runArgs".to_string(),
        });
    }
}

/// Strings are classified (reference, empty or literal); `null` is empty; any
/// other value is a literal of its source text.
fn assignment_value(node: &Node, text: &str) -> Value {
    match &node.value {
        NodeValue::String(s) => classify_value(s),
        NodeValue::Null => Value::Empty,
        _ => Value::Literal(text.get(node.span.clone()).unwrap_or_default().to_string()),
    }
}

#[cfg(test)]
mod pointer_at_tests {
    use super::*;

    #[test]
    fn finds_the_innermost_pointer() {
        let text = r#"{"a": {"b~c": ["x", "needle"]}, "k": 1}"#;
        let parsed = parse_file(FileKind::ClaudeSettings, text);
        let doc = parsed.json.expect("doc");
        let at = text.find("needle").expect("needle");
        assert_eq!(doc.pointer_at(&(at..at + 6)).as_deref(), Some("/a/b~0c/1"));
        assert_eq!(doc.pointer_at(&(0..1)).as_deref(), Some(""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &'a str, span: &Range<usize>) -> &'a str {
        &text[span.clone()]
    }

    fn single_diagnostic(kind: FileKind, text: &str) -> (Parsed, Diagnostic) {
        let parsed = parse_file(kind, text);
        assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
        let d = parsed.diagnostics[0].clone();
        (parsed, d)
    }

    #[test]
    fn tree_keeps_exact_spans_and_decoded_values() {
        let text = r#"{"a": {"b\/c": [1, true, null, "x\u0041"]}, "n": -1.5e3}"#;
        let parsed = parse_file(FileKind::ClaudeSettings, text);
        assert!(parsed.diagnostics.is_empty());
        let root = &parsed.json.as_ref().unwrap().root;
        assert_eq!(root.span, 0..text.len());
        let a = root.member("a").unwrap();
        assert_eq!(at(text, &a.key_span), r#""a""#);
        let inner = a.value.member("b/c").unwrap();
        assert_eq!(at(text, &inner.key_span), r#""b\/c""#);
        let items = inner.value.as_array().unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(items[1].as_bool(), Some(true));
        assert!(items[2].is_null());
        assert_eq!(items[3].as_str(), Some("xA"));
        assert_eq!(at(text, &items[3].span), r#""x\u0041""#);
        let n = root.get("n").unwrap();
        assert_eq!(n.value, NodeValue::Number("-1.5e3".into()));
        assert_eq!(at(text, &n.span), "-1.5e3");
    }

    #[test]
    fn duplicate_keys_are_kept_and_get_returns_the_last() {
        let text = r#"{"k": 1, "k": 2}"#;
        let root = parse_file(FileKind::McpConfig, text).json.unwrap().root;
        assert_eq!(root.as_object().unwrap().len(), 2);
        assert_eq!(root.get("k").unwrap().span, 14..15);
        assert_eq!(root.members_named("k").count(), 2);
    }

    #[test]
    fn pointer_walks_objects_arrays_and_escapes() {
        let text = r#"{"a/b": {"m~n": [10, {"z": "v"}]}, "": 0}"#;
        let root = parse_file(FileKind::ClaudeSettings, text)
            .json
            .unwrap()
            .root;
        assert_eq!(root.pointer("").unwrap().span, root.span);
        let z = root.pointer("/a~1b/m~0n/1/z").unwrap();
        assert_eq!(z.as_str(), Some("v"));
        assert_eq!(at(text, &z.span), r#""v""#);
        assert_eq!(at(text, &root.pointer("/").unwrap().span), "0");
        assert!(root.pointer("/a~1b/m~0n/01").is_none());
        assert!(root.pointer("/a~1b/m~0n/9").is_none());
        assert!(root.pointer("a").is_none());
        assert!(root.pointer("/missing/x").is_none());
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(escape_pointer_token("plain"), "plain");
        assert_eq!(escape_pointer_token("a/b~c"), "a~1b~0c");
        assert_eq!(
            pointer_join("/projects", "/home/u/~x"),
            "/projects/~1home~1u~1~0x"
        );
        assert_eq!(unescape_pointer_token("~01"), "~1");
    }

    #[test]
    fn strict_trailing_comma_is_reported_at_the_comma_and_tree_recovered() {
        let text = "{\n  \"env\": {\"A\": \"1\",}\n}";
        let (parsed, d) = single_diagnostic(FileKind::ClaudeCredentials, text);
        let comma = text.find(",}").unwrap();
        assert_eq!(d.span, comma..comma + 1);
        assert!(d.message.contains("trailing comma"), "{}", d.message);
        assert!(d.message.contains("read leniently"), "{}", d.message);
        assert!(parsed.json.is_some());
        // The recovered tree still yields a settings file's assignments.
        assert_eq!(
            parse_file(FileKind::ClaudeSettings, text).assignments.len(),
            1
        );
    }

    #[test]
    fn strict_comment_is_reported_at_the_comment() {
        let text = "{\n  // note\n  \"a\": 1\n}";
        let (parsed, d) = single_diagnostic(FileKind::ClaudeCredentials, text);
        let start = text.find("//").unwrap();
        assert_eq!(d.span, start..start + "// note".len());
        assert!(d.message.contains("comment"), "{}", d.message);
        assert!(parsed.json.is_some());
        let block = r#"{"a": /* x */ 1}"#;
        let (_, d) = single_diagnostic(FileKind::ClaudeCredentials, block);
        assert_eq!(d.span, 6..13);
    }

    #[test]
    fn strict_single_quotes_are_reported_at_the_quote() {
        let text = r#"{"a": 'b'}"#;
        let (parsed, d) = single_diagnostic(FileKind::ClaudeCredentials, text);
        assert_eq!(d.span, 6..7);
        assert!(d.message.contains("single-quoted"), "{}", d.message);
        assert_eq!(
            parsed.json.unwrap().root.get("a").unwrap().as_str(),
            Some("b")
        );
    }

    #[test]
    fn strict_unquoted_key_is_reported() {
        let text = r#"{a: 1}"#;
        let (parsed, d) = single_diagnostic(FileKind::ClaudeCredentials, text);
        assert_eq!(d.span, 1..2);
        assert!(d.message.contains("double-quoted"), "{}", d.message);
        let root = parsed.json.unwrap().root;
        assert_eq!(root.member("a").unwrap().key_span, 1..2);
    }

    #[test]
    fn bom_is_reported_in_strict_kinds_and_spans_count_it() {
        let text = "\u{feff}{\"env\": {\"A\": \"x\"}}";
        let (parsed, d) = single_diagnostic(FileKind::ClaudeCredentials, text);
        assert_eq!(d.span, 0..3);
        assert!(d.message.contains("byte order mark"));
        let root = &parsed.json.as_ref().unwrap().root;
        assert_eq!(root.span, 3..text.len());
        let settings = parse_file(FileKind::ClaudeSettings, text);
        assert_eq!(at(text, &settings.assignments[0].name_span), "\"A\"");

        let devc = parse_file(FileKind::Devcontainer, text);
        assert!(devc.diagnostics.is_empty());
        assert_eq!(devc.json.unwrap().root.span, 3..text.len());
    }

    #[test]
    fn bom_and_a_later_error_are_both_reported_at_file_offsets() {
        let text = "\u{feff}[1,]";
        let parsed = parse_file(FileKind::ClaudeCredentials, text);
        let spans: Vec<_> = parsed.diagnostics.iter().map(|d| d.span.clone()).collect();
        assert_eq!(spans, vec![0..3, 5..6]);
    }

    #[test]
    fn settings_and_mcp_kinds_leave_syntax_to_their_checks() {
        // Their checks report every strict-JSON problem as a finding (json_strict).
        for kind in [FileKind::ClaudeSettings, FileKind::McpConfig] {
            let parsed = parse_file(kind, "\u{feff}{\"a\": 1,} // x");
            assert!(parsed.diagnostics.is_empty(), "{kind:?}");
            assert!(parsed.json.is_some());
        }
    }

    #[test]
    fn empty_and_blank_files_have_no_tree() {
        let (parsed, d) = single_diagnostic(FileKind::ClaudeCredentials, "");
        assert_eq!(d.span, 0..0);
        assert!(d.message.contains("no JSON value"));
        assert!(parsed.json.is_none());
        let (_, d) = single_diagnostic(FileKind::Devcontainer, "  \n// only a comment\n");
        assert_eq!(d.span, 0..21);
        let parsed = parse_file(FileKind::ClaudeCredentials, "\u{feff}");
        let spans: Vec<_> = parsed.diagnostics.iter().map(|d| d.span.clone()).collect();
        assert_eq!(spans, vec![0..3, 3..3]);
    }

    #[test]
    fn unrecoverable_input_gives_one_diagnostic_and_no_tree() {
        let text = r#"{"a": [1, 2"#;
        let (parsed, d) = single_diagnostic(FileKind::ClaudeCredentials, text);
        assert!(parsed.json.is_none());
        assert_eq!(d.span, 6..text.len());
        assert!(d.message.contains("unterminated array"), "{}", d.message);
        assert!(!d.message.contains("leniently"));
        let (_, d) = single_diagnostic(FileKind::ClaudeCredentials, "{} {}");
        assert_eq!(d.span, 3..4);
    }

    #[test]
    fn error_messages_never_quote_content() {
        let text = r#"{"a": "\u12G4secretvalue"}"#;
        let (_, d) = single_diagnostic(FileKind::ClaudeCredentials, text);
        assert!(!d.message.contains("12G4"), "{}", d.message);
        assert!(!d.message.contains("secret"), "{}", d.message);
    }

    #[test]
    fn devcontainer_allows_comments_and_trailing_commas_but_not_more() {
        let text = "{\n  // c\n  \"image\": \"x\", /* b */\n  \"runArgs\": [\"--a\",],\n}";
        let parsed = parse_file(FileKind::Devcontainer, text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let root = parsed.json.unwrap().root;
        assert_eq!(at(text, &root.get("image").unwrap().span), "\"x\"");
        assert_eq!(root.pointer("/runArgs/0").unwrap().as_str(), Some("--a"));

        let (parsed, d) = single_diagnostic(FileKind::Devcontainer, "{'image': 'x'}");
        assert_eq!(d.span, 1..2);
        assert!(d.message.starts_with("invalid JSONC"), "{}", d.message);
        assert!(parsed.json.is_some());
    }

    #[test]
    fn devcontainer_run_args_env_flags_become_assignments() {
        let text = r#"{"runArgs": ["--rm", "-e", "A=lit", "--env=B=${localEnv:B}", "--env", "C",
  "-eD=x", "-e", "E=", "--env-file", "f.env", "-e", "F=a\"b", "--env"]}"#;
        let parsed = parse_file(FileKind::Devcontainer, text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let a = &parsed.assignments;
        let names: Vec<&str> = a.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "D", "E", "F"]);
        assert!(
            a.iter()
                .all(|a| a.scope == "runArgs" && a.origin == Origin::Env)
        );
        // Spans inside the JSON string.
        assert_eq!(at(text, &a[0].name_span), "A");
        assert_eq!(at(text, &a[0].value_span), "lit");
        assert_eq!(a[0].value, Value::Literal("lit".into()));
        assert_eq!(a[0].logical, "/runArgs/2");
        assert_eq!(at(text, &a[1].value_span), "${localEnv:B}");
        assert_eq!(a[1].value, Value::Reference("${localEnv:B}".into()));
        // A bare name passes the host value through: no value, value span = name span.
        assert_eq!(a[2].value, Value::Empty);
        assert_eq!(a[2].value_span, a[2].name_span);
        assert_eq!(at(text, &a[2].name_span), "C");
        assert_eq!(at(text, &a[3].value_span), "x");
        assert_eq!(a[4].value, Value::Empty);
        assert_ne!(a[4].value_span, a[4].name_span);
        // An escape inside the string: the whole string is the span.
        assert_eq!(a[5].value, Value::Literal("a\"b".into()));
        assert_eq!(at(text, &a[5].value_span), r#""F=a\"b""#);
    }

    #[test]
    fn devcontainer_env_and_build_args_become_assignments() {
        let text = r#"{
  "containerEnv": {"ANTHROPIC_API_KEY": "${localEnv:ANTHROPIC_API_KEY}", "N": 3},
  "remoteEnv": {"TOKEN": "lit", "E": "", "Z": null},
  "build": {"dockerfile": "Dockerfile", "args": {"A/B": "v"}},
}"#;
        let parsed = parse_file(FileKind::Devcontainer, text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let a = &parsed.assignments;
        assert_eq!(a.len(), 6);
        assert_eq!(a[0].name, "ANTHROPIC_API_KEY");
        assert_eq!(at(text, &a[0].name_span), "\"ANTHROPIC_API_KEY\"");
        assert_eq!(
            at(text, &a[0].value_span),
            "\"${localEnv:ANTHROPIC_API_KEY}\""
        );
        assert_eq!(
            a[0].value,
            Value::Reference("${localEnv:ANTHROPIC_API_KEY}".into())
        );
        assert_eq!(a[0].logical, "/containerEnv/ANTHROPIC_API_KEY");
        assert_eq!(
            (a[0].origin, a[0].scope.as_str()),
            (Origin::Env, "containerEnv")
        );
        assert_eq!(a[1].value, Value::Literal("3".into()));
        assert_eq!(at(text, &a[1].value_span), "3");
        assert_eq!(a[2].value, Value::Literal("lit".into()));
        assert_eq!(
            (a[2].scope.as_str(), a[2].logical.as_str()),
            ("remoteEnv", "/remoteEnv/TOKEN")
        );
        assert_eq!(a[3].value, Value::Empty);
        assert_eq!(a[4].value, Value::Empty);
        assert_eq!(at(text, &a[4].value_span), "null");
        assert_eq!(a[5].origin, Origin::BuildArg);
        assert_eq!(a[5].logical, "/build/args/A~1B");
        assert_eq!(a[5].scope, "build");
    }

    #[test]
    fn settings_env_becomes_assignments() {
        let text = r#"{"env": {"ANTHROPIC_AUTH_TOKEN": "gw"}, "permissions": {"env": {"X": "y"}}}"#;
        let parsed = parse_file(FileKind::ClaudeSettings, text);
        assert_eq!(parsed.assignments.len(), 1);
        let a = &parsed.assignments[0];
        assert_eq!((a.name_span.clone(), a.value_span.clone()), (9..31, 33..37));
        assert_eq!(a.logical, "/env/ANTHROPIC_AUTH_TOKEN");
        assert_eq!((a.origin, a.scope.as_str()), (Origin::Env, "env"));
    }

    #[test]
    fn mcp_server_env_becomes_assignments() {
        let text = r#"{"mcpServers": {"gh/x": {"command": "npx", "env": {"TOKEN": "${T}"}}}}"#;
        let parsed = parse_file(FileKind::McpConfig, text);
        assert_eq!(parsed.assignments.len(), 1);
        let a = &parsed.assignments[0];
        assert_eq!(a.logical, "/mcpServers/gh~1x/env/TOKEN");
        assert_eq!(a.scope, "mcpServers.gh/x");
        assert_eq!(at(text, &a.name_span), "\"TOKEN\"");
        assert_eq!(a.value, Value::Reference("${T}".into()));
    }

    #[test]
    fn claude_state_reads_user_and_project_mcp_servers() {
        let text = r#"{"mcpServers": {"a": {"env": {"K": "1"}}},
 "projects": {"/home/u/p": {"mcpServers": {"b": {"env": {"L": "2"}}}}}}"#;
        let parsed = parse_file(FileKind::ClaudeState, text);
        let a = &parsed.assignments;
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[0].logical.as_str(), a[0].scope.as_str()),
            ("/mcpServers/a/env/K", "mcpServers.a")
        );
        assert_eq!(a[1].logical, "/projects/~1home~1u~1p/mcpServers/b/env/L");
        assert_eq!(a[1].scope, "projects./home/u/p.mcpServers.b");
        assert_eq!(at(text, &a[1].value_span), "\"2\"");
        // A .mcp.json has no projects.
        assert_eq!(parse_file(FileKind::McpConfig, text).assignments.len(), 1);
        // Credentials files define no assignments.
        assert!(
            parse_file(FileKind::ClaudeCredentials, text)
                .assignments
                .is_empty()
        );
    }

    #[test]
    fn debug_hides_string_values() {
        let parsed = parse_file(FileKind::ClaudeSettings, r#"{"k": "hunter2-secret"}"#);
        let shown = format!("{:?}", parsed.json);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("String(<14 chars>)"), "{shown}");
    }

    #[test]
    fn deep_nesting_and_garbage_do_not_panic() {
        let deep = "[".repeat(5000) + &"]".repeat(5000);
        let parsed = parse_file(FileKind::ClaudeCredentials, &deep);
        assert!(parsed.json.is_none());
        assert_eq!(parsed.diagnostics.len(), 1);
        let deep_obj = "{\"a\":".repeat(200) + "1" + &"}".repeat(200);
        assert!(parse_file(FileKind::Devcontainer, &deep_obj).json.is_some());

        let sample = "\u{feff}{\"a\": [1, 'x', {\"b\": \"\\u00e9é\"}], // c\n \"c\": .5, d: +1, \"e\": \"\\x41\",}";
        for kind in [
            FileKind::ClaudeSettings,
            FileKind::Devcontainer,
            FileKind::ClaudeState,
        ] {
            for end in (0..=sample.len()).filter(|&i| sample.is_char_boundary(i)) {
                let parsed = parse_file(kind, &sample[..end]);
                for d in &parsed.diagnostics {
                    assert!(
                        d.span.start <= d.span.end && d.span.end <= end,
                        "{d:?} in {end}"
                    );
                }
            }
        }
        for weird in [
            "\0", "}", "]", ":", ",", "\"", "'", "/", "/*", "nul", "-", "1e", "\u{2028}", "é",
        ] {
            parse_file(FileKind::ClaudeSettings, weird);
            parse_file(FileKind::Devcontainer, weird);
        }
    }
}
