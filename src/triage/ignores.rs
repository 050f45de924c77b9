//! Inline ignores: `claudit: ignore[CLD101, CLD203] reason` in a real comment.
//!
//! Only comments count. Each file kind is lexed with its own comment syntax,
//! so text that merely shows the syntax — a YAML string, a block scalar, a
//! Markdown page, a strict JSON file — is never an ignore:
//!
//! | files | comments |
//! |---|---|
//! | YAML (workflows, actions, compose, `*.yml`) | `#` at the start of a line or after a blank, outside quoted scalars and block scalars |
//! | Dockerfiles | lines whose first non-blank character is `#`, outside heredoc bodies |
//! | devcontainer.json, `*.jsonc`, `*.json5` | `//` and `/* */` outside strings |
//! | dotenv, shell (`.env*`, `.envrc`, `*.sh`, rc files) | `#` at the start of a word, outside quotes and heredoc bodies |
//! | source code | `//` and `/* */` (C family, Rust, Go, JS/TS, Java, …), `#` (Python, Ruby, TOML, HCL, …), `--` (SQL, Lua, Haskell) |
//! | Markdown, prose, strict JSON, anything else | none: never read |
//!
//! Which lines an ignore covers (the same in every kind):
//! - its own line — a trailing comment covers the code it follows;
//! - when the comment stands alone on its line, also the next line that holds
//!   code. Comment-only lines in between are skipped (so ignores can stack);
//!   a blank line ends the search, and then the ignore covers only its own line.
//!
//! A finding is covered when its primary location starts on a covered line and
//! its rule is listed (by id or name). The text after `]` is the reason.

use std::ops::Range;
use std::sync::OnceLock;

use memchr::memmem;

use crate::classify::FileKind;
use crate::formats::Parsed;
use crate::source::LineIndex;

/// What starts every directive inside a comment.
pub const MARKER: &str = "claudit:";
/// Longest reason kept; longer ones are clipped.
const MAX_REASON: usize = 200;

/// One `claudit: ignore[...]` comment (or a malformed one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineIgnore {
    /// Display path of the file, as findings carry it.
    pub path: String,
    /// 1-based line of the comment.
    pub line: usize,
    /// 1-based line of the code below a stand-alone comment.
    pub next_line: Option<usize>,
    /// Rule ids or names as written.
    pub rules: Vec<String>,
    /// The reason, redacted and clipped; `None` when none was given.
    pub reason: Option<String>,
    /// Set when the directive could not be read; it then ignores nothing.
    pub problem: Option<String>,
}

impl InlineIgnore {
    /// True when a finding starting on 1-based `line` is covered.
    pub fn covers_line(&self, line: usize) -> bool {
        self.problem.is_none() && (line == self.line || self.next_line == Some(line))
    }
}

/// Does `bytes` mention the marker at all? (The scan learns this from its
/// one-pass needle search, `crate::secrets::needles`; history asks here.)
pub fn has_marker(bytes: &[u8]) -> bool {
    static FINDER: OnceLock<memmem::Finder<'static>> = OnceLock::new();
    FINDER
        .get_or_init(|| memmem::Finder::new(MARKER.as_bytes()))
        .find(bytes)
        .is_some()
}

/// The ignores written in `bytes`, a file of `kind` at `rel` (for its name),
/// shown as `display`. `parsed` lends the parser's knowledge where the lexer
/// alone cannot tell (Dockerfile heredoc bodies).
pub fn find(
    display: &str,
    rel: &str,
    kind: FileKind,
    bytes: &[u8],
    parsed: Option<&Parsed>,
) -> Vec<InlineIgnore> {
    if !has_marker(bytes) {
        return Vec::new();
    }
    let Some(syntax) = syntax_for(kind, rel) else {
        return Vec::new();
    };
    let index = LineIndex::new(bytes);
    let lexed = match syntax {
        Syntax::Yaml => lex_yaml(bytes, &index),
        Syntax::Dockerfile => lex_dockerfile(bytes, &index, parsed),
        Syntax::Code(lang) => lex_code(bytes, &index, lang),
    };
    lexed
        .comments
        .iter()
        .filter_map(|c| {
            let directive = directive_in(&bytes[c.text.clone()])?;
            let next_line = if lexed.classes[c.line] == LineClass::CommentOnly {
                next_code_line(&lexed.classes, c.line)
            } else {
                None
            };
            Some(InlineIgnore {
                path: display.to_string(),
                line: c.line + 1,
                next_line: next_line.map(|l| l + 1),
                rules: directive.rules,
                reason: directive.reason,
                problem: directive.problem,
            })
        })
        .collect()
}

/// The first line after `line0` holding code, skipping comment-only lines and
/// stopping at a blank one.
fn next_code_line(classes: &[LineClass], line0: usize) -> Option<usize> {
    for (l, class) in classes.iter().enumerate().skip(line0 + 1) {
        match class {
            LineClass::CommentOnly => continue,
            LineClass::Code => return Some(l),
            LineClass::Blank => return None,
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Directives

#[derive(Debug, PartialEq, Eq)]
struct Directive {
    rules: Vec<String>,
    reason: Option<String>,
    problem: Option<String>,
}

/// Reads a comment's text (after its leader). `None` when the comment is not
/// a claudit ignore at all (it must start with `claudit:` then `ignore`).
fn directive_in(comment: &[u8]) -> Option<Directive> {
    let text = String::from_utf8_lossy(comment);
    // Continuation lines of block comments often start with `*`.
    let text = text.trim_start().trim_start_matches('*').trim_start();
    let rest = text.strip_prefix(MARKER)?.trim_start();
    let rest = rest.strip_prefix("ignore")?;
    let malformed = |why: &str| Directive {
        rules: Vec::new(),
        reason: None,
        problem: Some(format!(
            "{why}; the form is `claudit: ignore[RULE, ...] reason`"
        )),
    };
    let Some(inner) = rest.strip_prefix('[') else {
        return Some(malformed("`ignore` is not followed by `[`"));
    };
    let Some(close) = inner.find(']') else {
        return Some(malformed("the rule list has no closing `]`"));
    };
    let rules: Vec<String> = inner[..close]
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if rules.is_empty() {
        return Some(malformed("the rule list is empty"));
    }
    if let Some(bad) = rules.iter().find(|r| {
        !r.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }) {
        return Some(malformed(&format!("`{bad}` is not a rule id or name")));
    }
    Some(Directive {
        rules,
        reason: reason_of(&inner[close + 1..]),
        problem: None,
    })
}

/// The reason after `]`: leading separators dropped, secrets redacted, clipped.
fn reason_of(text: &str) -> Option<String> {
    let text = text
        .trim_end()
        .trim_end_matches("*/")
        .trim_end()
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | ':' | '–' | '—'));
    if text.is_empty() {
        return None;
    }
    let redacted = redact_tokens(text);
    let mut clipped: String = redacted.chars().take(MAX_REASON).collect();
    if clipped.len() < redacted.len() {
        clipped.push('…');
    }
    Some(clipped)
}

/// A reason is shown in reports: any token in it is replaced by its redacted form.
fn redact_tokens(text: &str) -> String {
    let bytes = text.as_bytes();
    let tokens = crate::secrets::tokens::TokenScanner::new().scan(bytes);
    if tokens.is_empty() {
        return text.to_string();
    }
    let mut out = String::new();
    let mut pos = 0;
    for t in tokens {
        out.push_str(&String::from_utf8_lossy(&bytes[pos..t.span.start]));
        out.push_str(&crate::secrets::Secret::new(&bytes[t.span.clone()], t.prefix_len).redacted());
        pos = t.span.end;
    }
    out.push_str(&String::from_utf8_lossy(&bytes[pos..]));
    out
}

// ---------------------------------------------------------------------------
// Which syntax a file has

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Yaml,
    Dockerfile,
    Code(&'static Lang),
}

/// A comment syntax for the generic lexer.
#[derive(Debug, PartialEq, Eq)]
struct Lang {
    line: &'static [&'static str],
    block: Option<(&'static str, &'static str)>,
    /// `#` (or the line leader) counts only at the start of a word (shell, dotenv).
    word_start: bool,
    double: Quote,
    single: Quote,
    /// Backtick strings spanning lines (JS/TS templates, Go raw strings).
    backtick: bool,
    /// Python/TOML `"""` and `'''` strings spanning lines.
    triple: bool,
    /// Shell heredocs (`<<EOF` … `EOF`).
    heredocs: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    /// Backslash escapes; ends at the end of the line when unclosed.
    Escaped,
    /// Backslash escapes; may span lines (shell and dotenv double quotes).
    EscapedMultiline,
    /// No escapes; may span lines (shell single quotes).
    RawMultiline,
    /// No backslash escapes, doubled quote escapes (SQL); one line.
    Raw,
    /// A character literal: only when it closes right after one character or
    /// escape, so Rust lifetimes (`'a`) are not strings.
    Char,
}

const C_LIKE: Lang = Lang {
    line: &["//"],
    block: Some(("/*", "*/")),
    word_start: false,
    double: Quote::Escaped,
    single: Quote::Char,
    backtick: false,
    triple: false,
    heredocs: false,
};
const JS_LIKE: Lang = Lang {
    backtick: true,
    single: Quote::Escaped,
    ..C_LIKE
};
const CSS: Lang = Lang {
    line: &[],
    single: Quote::Escaped,
    ..C_LIKE
};
const JSONC: Lang = Lang {
    single: Quote::None,
    ..C_LIKE
};
const HASH: Lang = Lang {
    line: &["#"],
    block: None,
    word_start: false,
    double: Quote::Escaped,
    single: Quote::Escaped,
    backtick: false,
    triple: false,
    heredocs: false,
};
const PYTHON: Lang = Lang {
    triple: true,
    ..HASH
};
const TOML: Lang = Lang {
    triple: true,
    single: Quote::Raw,
    ..HASH
};
const HCL: Lang = Lang {
    line: &["#", "//"],
    block: Some(("/*", "*/")),
    ..HASH
};
const PHP: Lang = Lang {
    line: &["//", "#"],
    single: Quote::Escaped,
    ..C_LIKE
};
const SHELL: Lang = Lang {
    line: &["#"],
    block: None,
    word_start: true,
    double: Quote::EscapedMultiline,
    single: Quote::RawMultiline,
    backtick: false,
    triple: false,
    heredocs: true,
};
const DOTENV: Lang = Lang {
    heredocs: false,
    ..SHELL
};
const SQL: Lang = Lang {
    line: &["--"],
    block: Some(("/*", "*/")),
    word_start: false,
    double: Quote::Raw,
    single: Quote::Raw,
    backtick: false,
    triple: false,
    heredocs: false,
};
const DASH: Lang = Lang {
    block: None,
    double: Quote::Escaped,
    ..SQL
};

fn syntax_for(kind: FileKind, rel: &str) -> Option<Syntax> {
    match kind {
        FileKind::Workflow | FileKind::ActionMetadata | FileKind::Compose => Some(Syntax::Yaml),
        FileKind::Dockerfile => Some(Syntax::Dockerfile),
        FileKind::Devcontainer => Some(Syntax::Code(&JSONC)),
        FileKind::Dotenv => Some(Syntax::Code(&DOTENV)),
        FileKind::ShellEnv => Some(Syntax::Code(&SHELL)),
        // Strict JSON has no comments: use `.claudit.toml` ignores for these.
        FileKind::ClaudeSettings
        | FileKind::McpConfig
        | FileKind::ClaudeState
        | FileKind::ClaudeCredentials
        | FileKind::ClaudeTranscript => None,
        FileKind::Text => syntax_by_name(rel),
    }
}

/// Source and config files by extension (or well-known name). Markdown,
/// prose and strict JSON have no entry, so they never hold ignores.
fn syntax_by_name(rel: &str) -> Option<Syntax> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "makefile"
            | "gnumakefile"
            | "cmakelists.txt"
            | "gemfile"
            | "rakefile"
            | "podfile"
            | "vagrantfile"
            | "brewfile"
            | ".gitignore"
            | ".dockerignore"
            | ".gitattributes"
            | "requirements.txt"
            | "pipfile"
            | "procfile"
    ) {
        return Some(Syntax::Code(&HASH));
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
    let lang: &'static Lang = match ext {
        "yml" | "yaml" => return Some(Syntax::Yaml),
        "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" | "m" | "mm" | "cs" | "java"
        | "kt" | "kts" | "scala" | "sc" | "swift" | "dart" | "groovy" | "gradle" | "proto"
        | "rs" | "zig" | "sol" | "v" | "fs" | "fsx" => &C_LIKE,
        "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" | "go" | "vue" | "svelte" => {
            &JS_LIKE
        }
        "css" | "scss" | "less" => {
            if ext == "css" {
                &CSS
            } else {
                &JS_LIKE
            }
        }
        "jsonc" | "json5" => &JSONC,
        "php" => &PHP,
        "py" | "pyi" | "pyw" => &PYTHON,
        "toml" => &TOML,
        "tf" | "tfvars" | "hcl" | "nomad" => &HCL,
        "rb" | "pl" | "pm" | "r" | "jl" | "ex" | "exs" | "cr" | "nim" | "tcl" | "awk" | "cmake"
        | "mk" | "ini" | "cfg" | "conf" | "properties" | "ps1" | "psm1" | "nix" | "coffee" => &HASH,
        "sh" | "bash" | "zsh" | "ksh" | "fish" => &SHELL,
        "env" => &DOTENV,
        "sql" => &SQL,
        "lua" | "hs" | "elm" | "ada" | "adb" | "ads" => &DASH,
        _ => return None,
    };
    Some(Syntax::Code(lang))
}

// ---------------------------------------------------------------------------
// Lexing

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineClass {
    Blank,
    CommentOnly,
    Code,
}

/// A comment, cut per line: a block comment over three lines is three pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Comment {
    /// 0-based line.
    line: usize,
    /// The comment's text after its leader, up to its end on this line.
    text: Range<usize>,
}

#[derive(Debug, Default)]
struct Lexed {
    comments: Vec<Comment>,
    classes: Vec<LineClass>,
}

impl Lexed {
    fn new(lines: usize) -> Self {
        Lexed {
            comments: Vec::new(),
            classes: vec![LineClass::Blank; lines],
        }
    }

    fn code(&mut self, line: usize) {
        self.classes[line] = LineClass::Code;
    }

    fn comment(&mut self, line: usize, text: Range<usize>) {
        if self.classes[line] == LineClass::Blank {
            self.classes[line] = LineClass::CommentOnly;
        }
        self.comments.push(Comment { line, text });
    }
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Dockerfiles: a line is a comment when its first non-blank byte is `#`,
/// except in heredoc bodies (which are file or script content).
fn lex_dockerfile(bytes: &[u8], index: &LineIndex, parsed: Option<&Parsed>) -> Lexed {
    let heredoc_bodies: Vec<Range<usize>> = parsed
        .and_then(|p| p.dockerfile.as_ref())
        .map(|d| {
            d.instructions
                .iter()
                .flat_map(|i| i.heredocs.iter().map(|h| h.body_span.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut lexed = Lexed::new(index.line_count());
    for line0 in 0..index.line_count() {
        let range = index.line_range(bytes, line0);
        let line = &bytes[range.clone()];
        let Some(first) = line.iter().position(|&b| !is_blank(b)) else {
            continue;
        };
        let at = range.start + first;
        let in_heredoc = heredoc_bodies.iter().any(|b| b.contains(&at));
        if line[first] == b'#' && !in_heredoc {
            lexed.comment(line0, at + 1..range.end);
        } else {
            lexed.code(line0);
        }
    }
    lexed
}

/// Carried from one line to the next by the generic lexer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Normal,
    Block,
    String(u8, Quote),
    Triple(u8),
    Heredoc {
        delimiter: Vec<u8>,
        strip_tabs: bool,
    },
}

fn lex_code(bytes: &[u8], index: &LineIndex, lang: &Lang) -> Lexed {
    let mut lexed = Lexed::new(index.line_count());
    let mut state = State::Normal;
    for line0 in 0..index.line_count() {
        let range = index.line_range(bytes, line0);
        state = lex_code_line(bytes, range, line0, lang, state, &mut lexed);
    }
    lexed
}

/// Lexes one line; returns the state the next line starts in.
fn lex_code_line(
    bytes: &[u8],
    range: Range<usize>,
    line0: usize,
    lang: &Lang,
    mut state: State,
    lexed: &mut Lexed,
) -> State {
    let end = range.end;
    if let State::Heredoc {
        delimiter,
        strip_tabs,
    } = &state
    {
        lexed.code(line0);
        let mut line = &bytes[range.clone()];
        if *strip_tabs {
            while let [b'\t', rest @ ..] = line {
                line = rest;
            }
        }
        return if line == delimiter.as_slice() {
            State::Normal
        } else {
            state
        };
    }
    let mut pending_heredoc: Option<State> = None;
    let mut i = range.start;
    while i < end {
        match state {
            State::Block => {
                let close = lang.block.map_or("*/", |(_, close)| close);
                match memmem::find(&bytes[i..end], close.as_bytes()) {
                    Some(off) => {
                        lexed.comment(line0, i..i + off);
                        i += off + close.len();
                        state = State::Normal;
                    }
                    None => {
                        lexed.comment(line0, i..end);
                        i = end;
                    }
                }
            }
            State::String(q, kind) => {
                lexed.code(line0);
                match string_end(bytes, i, end, q, kind) {
                    Some(after) => {
                        i = after;
                        state = State::Normal;
                    }
                    None => {
                        i = end;
                        if !matches!(kind, Quote::EscapedMultiline | Quote::RawMultiline) {
                            state = State::Normal;
                        }
                    }
                }
            }
            State::Triple(q) => {
                lexed.code(line0);
                let close = [q, q, q];
                match memmem::find(&bytes[i..end], &close) {
                    Some(off) => {
                        i += off + 3;
                        state = State::Normal;
                    }
                    None => i = end,
                }
            }
            // Heredoc bodies are whole lines, handled before this loop.
            State::Heredoc { .. } => i = end,
            State::Normal => {
                let b = bytes[i];
                if is_blank(b) {
                    i += 1;
                    continue;
                }
                let rest = &bytes[i..end];
                let word_start = i == range.start || is_blank(bytes[i - 1]);
                if let Some((open, _)) = lang.block
                    && rest.starts_with(open.as_bytes())
                {
                    i += open.len();
                    state = State::Block;
                    continue;
                }
                if let Some(leader) = lang.line.iter().find(|l| rest.starts_with(l.as_bytes()))
                    && (!lang.word_start || word_start)
                {
                    lexed.comment(line0, i + leader.len()..end);
                    i = end;
                    continue;
                }
                lexed.code(line0);
                if lang.triple && (rest.starts_with(b"\"\"\"") || rest.starts_with(b"'''")) {
                    state = State::Triple(b);
                    i += 3;
                    continue;
                }
                let quote = match b {
                    b'"' => lang.double,
                    b'\'' => lang.single,
                    b'`' if lang.backtick => Quote::RawMultiline,
                    _ => Quote::None,
                };
                if quote == Quote::Char {
                    i = char_literal_end(bytes, i, end).unwrap_or(i + 1);
                    continue;
                }
                if quote != Quote::None {
                    state = State::String(b, quote);
                    i += 1;
                    continue;
                }
                if lang.heredocs
                    && rest.starts_with(b"<<")
                    && !rest.starts_with(b"<<<")
                    && let Some((heredoc, after)) = heredoc_start(bytes, i + 2, end)
                {
                    pending_heredoc = Some(heredoc);
                    i = after;
                    continue;
                }
                if b == b'\\' {
                    i += 2; // an escaped character is never a quote or leader
                    continue;
                }
                i += 1;
            }
        }
    }
    match (state, pending_heredoc) {
        (State::Normal, Some(heredoc)) => heredoc,
        (state, _) => state,
    }
}

/// The byte after the quote `q` that closes a string, searching from `from`;
/// `None` when it does not close before `end`.
fn string_end(bytes: &[u8], from: usize, end: usize, q: u8, kind: Quote) -> Option<usize> {
    let escapes = matches!(kind, Quote::Escaped | Quote::EscapedMultiline);
    let mut i = from;
    while i < end {
        let b = bytes[i];
        if escapes && b == b'\\' {
            i += 2;
            continue;
        }
        if b == q {
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// The byte after a character literal starting at `at` (`'x'`, `'\n'`,
/// `'\u{1F600}'`), or `None` when this quote does not start one.
fn char_literal_end(bytes: &[u8], at: usize, end: usize) -> Option<usize> {
    let line = bytes.get(at..end)?;
    let next = *line.get(1)?;
    if next == b'\\' {
        // `'\` then up to 12 bytes of escape, then the closing quote.
        let close = line.iter().skip(3).take(12).position(|&b| b == b'\'')?;
        return Some(at + 3 + close + 1);
    }
    let width = match next {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    };
    (line.get(1 + width) == Some(&b'\'')).then_some(at + 2 + width)
}

/// Reads a heredoc delimiter after `<<` (`EOF`, `-EOF`, `'EOF'`, `"EOF"`).
fn heredoc_start(bytes: &[u8], mut i: usize, end: usize) -> Option<(State, usize)> {
    let strip_tabs = bytes.get(i) == Some(&b'-');
    if strip_tabs {
        i += 1;
    }
    while i < end && is_blank(bytes[i]) {
        i += 1;
    }
    let quote = match bytes.get(i) {
        Some(&q @ (b'\'' | b'"')) if i < end => {
            i += 1;
            Some(q)
        }
        _ => None,
    };
    let start = i;
    while i < end && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'-') {
        i += 1;
    }
    // `1<<2` is arithmetic, not a heredoc: delimiters start with a letter.
    if i == start || !(bytes[start].is_ascii_alphabetic() || bytes[start] == b'_') {
        return None;
    }
    let delimiter = bytes[start..i].to_vec();
    if let Some(q) = quote {
        if bytes.get(i) != Some(&q) || i >= end {
            return None;
        }
        i += 1;
    }
    Some((
        State::Heredoc {
            delimiter,
            strip_tabs,
        },
        i,
    ))
}

// ---------------------------------------------------------------------------
// YAML

/// Carried between YAML lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum YamlState {
    Normal,
    /// Inside a quoted scalar that spans lines.
    Quoted(u8),
    /// Inside a block scalar (`|`, `>`) whose owner sits at column `owner`
    /// (-1 at the document root); `content` is the indentation of its first
    /// non-blank line once seen.
    BlockScalar {
        owner: isize,
        content: Option<usize>,
    },
}

fn lex_yaml(bytes: &[u8], index: &LineIndex) -> Lexed {
    let mut lexed = Lexed::new(index.line_count());
    let mut state = YamlState::Normal;
    for line0 in 0..index.line_count() {
        let range = index.line_range(bytes, line0);
        state = lex_yaml_line(bytes, range, line0, state, &mut lexed);
    }
    lexed
}

fn indentation(line: &[u8]) -> usize {
    line.iter().take_while(|&&b| b == b' ').count()
}

fn lex_yaml_line(
    bytes: &[u8],
    range: Range<usize>,
    line0: usize,
    state: YamlState,
    lexed: &mut Lexed,
) -> YamlState {
    let line = &bytes[range.clone()];
    let indent = indentation(line);
    let blank = line.iter().all(|&b| is_blank(b));
    if let YamlState::BlockScalar { owner, content } = state {
        if blank {
            return state;
        }
        let inside = match content {
            Some(c) => indent >= c,
            None => indent as isize > owner,
        };
        if inside {
            lexed.code(line0);
            return YamlState::BlockScalar {
                owner,
                content: Some(content.unwrap_or(indent)),
            };
        }
        // The scalar ended above: this line is ordinary YAML.
        return lex_yaml_line(bytes, range, line0, YamlState::Normal, lexed);
    }
    let mut lexer = YamlLine {
        bytes,
        end: range.end,
        line0,
        i: range.start,
        expect_node: true,
        owner: indent as isize,
        node_col: indent,
        line_start: range.start,
    };
    if let YamlState::Quoted(q) = state {
        lexed.code(line0);
        match lexer.close_quote(q) {
            Some(after) => lexer.i = after,
            None => return state,
        }
        lexer.expect_node = false;
    }
    lexer.run(lexed)
}

struct YamlLine<'a> {
    bytes: &'a [u8],
    end: usize,
    line0: usize,
    i: usize,
    /// A node may start here (after `- `, `: `, `? `, `[`, `{`, `,` or at the
    /// start of the line): only there do quotes and `|`/`>` have meaning.
    expect_node: bool,
    /// Column a block scalar's content must be indented past.
    owner: isize,
    /// Column where the current node (key) started.
    node_col: usize,
    line_start: usize,
}

impl YamlLine<'_> {
    fn col(&self) -> usize {
        self.i - self.line_start
    }

    fn next_is_blank_or_end(&self, at: usize) -> bool {
        at >= self.end || is_blank(self.bytes[at])
    }

    fn run(mut self, lexed: &mut Lexed) -> YamlState {
        if self.col() == 0 && self.starts_with(b"---") && self.next_is_blank_or_end(self.i + 3) {
            lexed.code(self.line0);
            self.i += 3;
            self.owner = -1;
        }
        while self.i < self.end {
            let b = self.bytes[self.i];
            if is_blank(b) {
                self.i += 1;
                continue;
            }
            let after_blank = self.i == self.line_start || is_blank(self.bytes[self.i - 1]);
            if b == b'#' && after_blank {
                lexed.comment(self.line0, self.i + 1..self.end);
                return YamlState::Normal;
            }
            lexed.code(self.line0);
            if self.expect_node {
                if let Some(state) = self.node_start(b) {
                    return state;
                }
                continue;
            }
            self.plain_byte(b);
        }
        YamlState::Normal
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        self.bytes[self.i..self.end].starts_with(s)
    }

    /// At a place where a node may start. Returns a state when the rest of
    /// the line belongs to a multi-line construct.
    fn node_start(&mut self, b: u8) -> Option<YamlState> {
        match b {
            b'-' | b'?' if self.next_is_blank_or_end(self.i + 1) => {
                self.owner = self.col() as isize;
                self.i += 1;
                self.node_col = self.col() + 1;
                return None;
            }
            b'"' | b'\'' => {
                self.node_col = self.col();
                self.i += 1;
                match self.close_quote(b) {
                    Some(after) => self.i = after,
                    None => return Some(YamlState::Quoted(b)),
                }
                self.expect_node = false;
                return None;
            }
            b'|' | b'>' if self.block_header_ends_line() => {
                return Some(YamlState::BlockScalar {
                    owner: self.owner,
                    content: None,
                });
            }
            b'&' | b'!' => {
                // Anchors and tags come before the node they describe.
                while self.i < self.end && !is_blank(self.bytes[self.i]) {
                    self.i += 1;
                }
                return None;
            }
            b'[' | b'{' | b',' => {
                self.i += 1;
                return None;
            }
            _ => {}
        }
        self.node_col = self.col();
        self.expect_node = false;
        None
    }

    /// `|` or `>` with optional indicators, then nothing but a comment.
    fn block_header_ends_line(&self) -> bool {
        let mut j = self.i + 1;
        while j < self.end && matches!(self.bytes[j], b'1'..=b'9' | b'+' | b'-') {
            j += 1;
        }
        if !self.next_is_blank_or_end(j) {
            return false;
        }
        while j < self.end && is_blank(self.bytes[j]) {
            j += 1;
        }
        j >= self.end || self.bytes[j] == b'#'
    }

    /// A byte inside a plain scalar or after a closed quote.
    fn plain_byte(&mut self, b: u8) {
        match b {
            b':' if self.next_is_blank_or_end(self.i + 1) => {
                // `key: value` — the value's owner is the key.
                self.owner = self.node_col as isize;
                self.expect_node = true;
            }
            b',' | b'[' | b'{' => self.expect_node = true,
            _ => {}
        }
        self.i += 1;
    }

    /// From inside a quoted scalar: the byte after its closing quote.
    fn close_quote(&self, q: u8) -> Option<usize> {
        let mut j = self.i;
        while j < self.end {
            let b = self.bytes[j];
            if q == b'"' && b == b'\\' {
                j += 2;
                continue;
            }
            if b == q {
                if q == b'\'' && self.bytes.get(j + 1) == Some(&b'\'') && j + 1 < self.end {
                    j += 2; // '' is an escaped quote
                    continue;
                }
                return Some(j + 1);
            }
            j += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignores(rel: &str, text: &str) -> Vec<InlineIgnore> {
        let kind = crate::classify::classify(rel);
        let parsed = crate::formats::parse(kind, text);
        find(rel, rel, kind, text.as_bytes(), Some(&parsed))
    }

    /// (line, next_line, rules) of each ignore.
    fn summary(rel: &str, text: &str) -> Vec<(usize, Option<usize>, Vec<String>)> {
        ignores(rel, text)
            .into_iter()
            .map(|i| {
                assert!(i.problem.is_none(), "{i:?}");
                (i.line, i.next_line, i.rules)
            })
            .collect()
    }

    fn rules(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn directive_grammar() {
        let d = directive_in(b" claudit: ignore[CLD101, anthropic-api-key] test fixture")
            .expect("directive");
        assert_eq!(d.rules, rules(&["CLD101", "anthropic-api-key"]));
        assert_eq!(d.reason.as_deref(), Some("test fixture"));
        let d = directive_in(b"claudit:ignore[CLD101] -- why").expect("directive");
        assert_eq!(d.reason.as_deref(), Some("why"));
        assert_eq!(
            directive_in(b" claudit: ignore[CLD101]").unwrap().reason,
            None
        );
        assert!(directive_in(b" see claudit: ignore[CLD101]").is_none());
        assert!(directive_in(b" claudit: scanned weekly").is_none());
        for bad in [
            &b" claudit: ignore CLD101"[..],
            b" claudit: ignore[CLD101",
            b" claudit: ignore[]",
            b" claudit: ignore[CLD 101]",
        ] {
            let d = directive_in(bad).expect("malformed is still a directive");
            assert!(d.problem.is_some() && d.rules.is_empty(), "{d:?}");
        }
        // Block comment continuation lines.
        let d = directive_in(b" * claudit: ignore[CLD101] why */").expect("directive");
        assert_eq!(d.reason.as_deref(), Some("why"));
    }

    #[test]
    fn reasons_are_redacted_and_clipped() {
        let key = crate::testkeys::key("api03", 3);
        let d = directive_in(format!(" claudit: ignore[CLD101] was {key}").as_bytes())
            .expect("directive");
        let reason = d.reason.expect("reason");
        assert!(
            !reason.contains(&key) && reason.contains("sk-ant-api03-"),
            "{reason}"
        );
        let long = "x".repeat(500);
        let d = directive_in(format!("claudit: ignore[CLD101] {long}").as_bytes()).unwrap();
        assert_eq!(d.reason.unwrap().chars().count(), MAX_REASON + 1);
    }

    #[test]
    fn yaml_comments_and_the_lines_they_cover() {
        let text = "\
# claudit: ignore[CLD101] own line
# another comment
key: value  # claudit: ignore[CLD102] trailing
other: 'quoted # claudit: ignore[CLD103] not a comment'
msg: don't # claudit: ignore[CLD104] after an apostrophe
url: http://x#claudit: ignore[CLD105] no blank before

# claudit: ignore[CLD106] blank line below
";
        assert_eq!(
            summary("config.yml", text),
            vec![
                (1, Some(3), rules(&["CLD101"])),
                (3, None, rules(&["CLD102"])),
                (5, None, rules(&["CLD104"])),
                (8, None, rules(&["CLD106"])),
            ]
        );
    }

    #[test]
    fn yaml_block_scalars_and_multiline_quotes_hold_no_comments() {
        let text = "\
jobs:
  a:
    steps:
      - run: |
          # claudit: ignore[CLD101] shell comment inside a block scalar
          echo hi
        # claudit: ignore[CLD102] after the scalar, at the key's column
        env:
          A: \"two
            # claudit: ignore[CLD103] inside a double-quoted scalar
            lines\"
          B: >-
            folded
          # claudit: ignore[CLD104] less indented than the content
          C: x
      - |
        # claudit: ignore[CLD105] sequence block scalar
      - key: &anchor |
          # claudit: ignore[CLD106] after an anchor
";
        assert_eq!(
            summary(".github/workflows/ci.yml", text),
            vec![
                (7, Some(8), rules(&["CLD102"])),
                (14, Some(15), rules(&["CLD104"])),
            ]
        );
    }

    #[test]
    fn yaml_flow_and_document_markers() {
        let text = "--- |\n  # claudit: ignore[CLD101] root scalar\n---\nlist: [a, 'b # c', \"d\"] # claudit: ignore[CLD102]\n";
        assert_eq!(summary("x.yaml", text), vec![(4, None, rules(&["CLD102"]))]);
    }

    #[test]
    fn dockerfile_comment_lines_not_heredocs_or_trailing() {
        let text = "\
# claudit: ignore[CLD111] directive-like top comment
FROM alpine
  # claudit: ignore[CLD111] indented comment
ENV ANTHROPIC_API_KEY=x
RUN echo 1 # claudit: ignore[CLD101] not a Dockerfile comment
COPY <<EOF /etc/app.conf
# claudit: ignore[CLD101] heredoc body
EOF
";
        assert_eq!(
            summary("Dockerfile", text),
            vec![
                (1, Some(2), rules(&["CLD111"])),
                (3, Some(4), rules(&["CLD111"])),
            ]
        );
    }

    #[test]
    fn jsonc_devcontainer_comments() {
        let text = "{\n  // claudit: ignore[CLD101] line comment\n  \"containerEnv\": {\"K\": \"v\"}, /* claudit: ignore[CLD110] block */\n  \"x\": \"// claudit: ignore[CLD102] in a string\",\n  /*\n   * claudit: ignore[CLD103] inside a block\n   */\n  \"y\": 1\n}\n";
        assert_eq!(
            summary(".devcontainer/devcontainer.json", text),
            vec![
                (2, Some(3), rules(&["CLD101"])),
                (3, None, rules(&["CLD110"])),
                (6, Some(8), rules(&["CLD103"])),
            ]
        );
    }

    #[test]
    fn dotenv_and_shell_comments() {
        let env = "# claudit: ignore[CLD101]\nA=1\nB=\"x # claudit: ignore[CLD102] quoted\"\nC=y # claudit: ignore[CLD103]\nD=a#claudit: ignore[CLD104]\n";
        assert_eq!(
            summary(".env", env),
            vec![
                (1, Some(2), rules(&["CLD101"])),
                (4, None, rules(&["CLD103"]))
            ]
        );
        let sh = "echo 'it''s # claudit: ignore[CLD101] quoted'\ncat <<EOF\n# claudit: ignore[CLD102] heredoc body\nEOF\nexport K=v # claudit: ignore[CLD103]\necho \"multi\n# claudit: ignore[CLD104] still quoted\n\"\n";
        assert_eq!(
            summary("scripts/setup.sh", sh),
            vec![(5, None, rules(&["CLD103"]))]
        );
    }

    #[test]
    fn source_code_comment_syntaxes() {
        let rust = "// claudit: ignore[CLD101]\nlet k = \"// claudit: ignore[CLD102]\";\nfn f<'a>(x: &'a str) {} // claudit: ignore[CLD103]\nlet c = '\"'; // claudit: ignore[CLD104]\n";
        assert_eq!(
            summary("src/main.rs", rust),
            vec![
                (1, Some(2), rules(&["CLD101"])),
                (3, None, rules(&["CLD103"])),
                (4, None, rules(&["CLD104"])),
            ]
        );
        let js =
            "const a = `\n// claudit: ignore[CLD101] template\n`; /* claudit: ignore[CLD102] */\n";
        assert_eq!(summary("app.ts", js), vec![(3, None, rules(&["CLD102"]))]);
        let py = "\"\"\"\n# claudit: ignore[CLD101] docstring\n\"\"\"\nx = 'a#b'  # claudit: ignore[CLD102]\n";
        assert_eq!(summary("tool.py", py), vec![(4, None, rules(&["CLD102"]))]);
        let sql = "SELECT '-- claudit: ignore[CLD101]'; -- claudit: ignore[CLD102]\n";
        assert_eq!(summary("q.sql", sql), vec![(1, None, rules(&["CLD102"]))]);
        let toml = "# claudit: ignore[CLD101]\nk = 'x'\n";
        assert_eq!(
            summary("c.toml", toml),
            vec![(1, Some(2), rules(&["CLD101"]))]
        );
        let tf = "# claudit: ignore[CLD101]\n// claudit: ignore[CLD102]\nx = 1\n";
        assert_eq!(
            summary("main.tf", tf),
            vec![
                (1, Some(3), rules(&["CLD101"])),
                (2, Some(3), rules(&["CLD102"]))
            ]
        );
        let lua = "-- claudit: ignore[CLD101]\nx = 1\n";
        assert_eq!(
            summary("init.lua", lua),
            vec![(1, Some(2), rules(&["CLD101"]))]
        );
    }

    #[test]
    fn markdown_prose_and_strict_json_never_hold_ignores() {
        let md = "# claudit: ignore[CLD101]\n<!-- claudit: ignore[CLD101] -->\n";
        assert!(ignores("README.md", md).is_empty());
        assert!(ignores("notes.txt", md).is_empty());
        let json = "{\"a\": \"x\"} // claudit: ignore[CLD101]\n";
        assert!(ignores(".claude/settings.json", json).is_empty());
        assert!(ignores("package.json", json).is_empty());
    }

    #[test]
    fn crlf_and_malformed_directives() {
        let text = "# claudit: ignore[CLD101]\r\nA=1\r\n# claudit: ignore CLD101\r\n";
        let found = ignores(".env", text);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].line, found[0].next_line), (1, Some(2)));
        assert!(found[1].problem.is_some());
        assert!(!found[1].covers_line(3));
    }

    #[test]
    fn weird_input_never_panics() {
        let samples: [&[u8]; 8] = [
            b"claudit:",
            b"'claudit: ignore[",
            b"a: |\nclaudit:",
            b"\"\\",
            b"<<",
            b"x = '\\",
            b"/* claudit: ignore[X]",
            b"\xff\xfe claudit: ignore[\xff]",
        ];
        for kind_path in [
            "a.yml",
            "Dockerfile",
            "a.rs",
            "a.sh",
            ".env",
            "a.py",
            "a.sql",
        ] {
            for s in samples {
                let kind = crate::classify::classify(kind_path);
                let _ = find(kind_path, kind_path, kind, s, None);
            }
        }
    }
}
