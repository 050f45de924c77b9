//! Every way a file breaks strict JSON (RFC 8259, as `JSON.parse` reads it),
//! not only the first.
//!
//! [`super::json::parse_file`] stops at the first strict-mode error and then
//! reads the file leniently. Claude Code drops a settings file that
//! `JSON.parse` rejects, so a user fixing one trailing comma only to meet the
//! next one deserves the whole list at once: this module tokenizes the file
//! with every JSONC/JSON5 extension allowed and reports each token that strict
//! JSON forbids (comments, trailing commas, single quotes, unquoted keys, bare
//! words, non-JSON numbers, bad escapes, raw control characters, non-JSON
//! whitespace, missing commas), then adds the structural errors (unterminated
//! objects, text after the value, ...) that only a parse can find.
//!
//! Spans are byte offsets into the whole file (a leading BOM included).
//! Messages never quote the file's content.

use std::ops::Range;

use jsonc_parser::{CollectOptions, ParseOptions};

const BOM: &str = "\u{feff}";

/// What kind of strict-JSON problem a span holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrictKind {
    /// A UTF-8 byte order mark before the value.
    ByteOrderMark,
    /// No JSON value at all: empty, whitespace or comments only.
    Empty,
    /// `// …` or `/* … */`.
    Comment,
    /// A comma right before `}` or `]`.
    TrailingComma,
    /// `'text'`.
    SingleQuotedString,
    /// `{key: 1}` (a word, number or literal where a quoted key belongs).
    UnquotedKey,
    /// A bare word where a value belongs (`{"a": yes}`).
    BareWord,
    /// `0x1F`, `+1`, `.5`, `5.`, `01`, `Infinity`, `NaN`.
    NonJsonNumber,
    /// An escape JSON does not have (`\x41`, `\'`, `\v`, a line continuation).
    InvalidEscape,
    /// A raw control character (U+0000–U+001F) inside a string.
    ControlCharacter,
    /// Whitespace JSON does not allow between tokens (no-break space, form feed, …).
    NonJsonWhitespace,
    /// Two values or members with no comma between them.
    MissingComma,
    /// Anything else a strict parse rejects (unterminated object, text after the value, …).
    Structure,
}

impl StrictKind {
    /// Stable short name, for tests and grouping.
    pub fn as_str(self) -> &'static str {
        match self {
            StrictKind::ByteOrderMark => "byte-order-mark",
            StrictKind::Empty => "empty",
            StrictKind::Comment => "comment",
            StrictKind::TrailingComma => "trailing-comma",
            StrictKind::SingleQuotedString => "single-quoted-string",
            StrictKind::UnquotedKey => "unquoted-key",
            StrictKind::BareWord => "bare-word",
            StrictKind::NonJsonNumber => "non-json-number",
            StrictKind::InvalidEscape => "invalid-escape",
            StrictKind::ControlCharacter => "control-character",
            StrictKind::NonJsonWhitespace => "non-json-whitespace",
            StrictKind::MissingComma => "missing-comma",
            StrictKind::Structure => "structure",
        }
    }

    /// True when `JSON.parse` itself rejects the text (a BOM and an empty
    /// file depend on how the reader prepares the text first).
    pub fn is_syntax_error(self) -> bool {
        !matches!(self, StrictKind::ByteOrderMark | StrictKind::Empty)
    }
}

/// One problem: where, what, and a description that never quotes content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrictProblem {
    pub kind: StrictKind,
    pub span: Range<usize>,
    pub description: String,
}

impl StrictProblem {
    fn new(kind: StrictKind, span: Range<usize>, description: impl Into<String>) -> Self {
        StrictProblem {
            kind,
            span,
            description: description.into(),
        }
    }
}

/// Every strict-JSON problem in `text`, in file order.
pub fn strict_problems(text: &str) -> Vec<StrictProblem> {
    let (offset, body) = match text.strip_prefix(BOM) {
        Some(rest) => (BOM.len(), rest),
        None => (0, text),
    };
    let mut problems = Vec::new();
    if offset > 0 {
        problems.push(StrictProblem::new(
            StrictKind::ByteOrderMark,
            0..offset,
            "UTF-8 byte order mark (BOM) before the JSON value",
        ));
    }
    let mut body_problems = Vec::new();
    let tokens = lex(body, &mut body_problems);
    let lexed = body_problems.len();
    for t in tokens.iter().filter(|t| t.is_comment()) {
        body_problems.push(StrictProblem::new(
            StrictKind::Comment,
            t.span.clone(),
            "comment (`//` or `/* */`); JSON has no comments",
        ));
    }
    let significant: Vec<&Tok> = tokens.iter().filter(|t| !t.is_comment()).collect();
    if significant.is_empty() && lexed == 0 {
        body_problems.push(StrictProblem::new(
            StrictKind::Empty,
            0..body.len(),
            "no JSON value: the file is empty or holds only whitespace or comments",
        ));
    } else {
        Grammar::new(body, &mut body_problems).run(&significant);
        if body_problems.is_empty() {
            safety_net(body, &mut body_problems);
        }
    }
    problems.extend(body_problems.into_iter().map(|mut p| {
        p.span = p.span.start + offset..p.span.end + offset;
        p
    }));
    problems.sort_by_key(|p| (p.span.start, p.span.end));
    problems
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokKind {
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    Comma,
    Colon,
    /// A double- or single-quoted string (quotes included in the span).
    Str,
    /// `true`, `false`, `null`.
    Literal,
    /// Anything that starts like a number (`-1`, `+1`, `.5`, `0x1F`, `01`, `1e`).
    Number,
    /// A bare identifier (`yes`, `Infinity`, `key`).
    Word,
    Comment,
}

struct Tok {
    kind: TokKind,
    span: Range<usize>,
}

impl Tok {
    fn is_comment(&self) -> bool {
        self.kind == TokKind::Comment
    }

    fn starts_value(&self) -> bool {
        matches!(
            self.kind,
            TokKind::Str
                | TokKind::Literal
                | TokKind::Number
                | TokKind::Word
                | TokKind::OpenBrace
                | TokKind::OpenBracket
        )
    }
}

/// Splits `body` into tokens, tolerating every JSONC and JSON5 form so that
/// one problem never hides the next. Characters that start no token, and
/// non-JSON whitespace, become problems here; an unterminated string or
/// block comment ends the scan (everything after it would be misread).
fn lex(body: &str, out: &mut Vec<StrictProblem>) -> Vec<Tok> {
    let bytes = body.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut odd_space: Option<Range<usize>> = None;
    while i < body.len() {
        let Some(c) = body[i..].chars().next() else {
            break;
        };
        let start = i;
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            flush_space(&mut odd_space, out);
            i += 1;
            continue;
        }
        if c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}') {
            let end = i + c.len_utf8();
            odd_space = Some(odd_space.map_or(start..end, |r| r.start..end));
            i = end;
            continue;
        }
        flush_space(&mut odd_space, out);
        let punct = match c {
            '{' => Some(TokKind::OpenBrace),
            '}' => Some(TokKind::CloseBrace),
            '[' => Some(TokKind::OpenBracket),
            ']' => Some(TokKind::CloseBracket),
            ',' => Some(TokKind::Comma),
            ':' => Some(TokKind::Colon),
            _ => None,
        };
        if let Some(kind) = punct {
            tokens.push(Tok {
                kind,
                span: i..i + 1,
            });
            i += 1;
            continue;
        }
        match c {
            '"' | '\'' => match string_end(bytes, i) {
                Some(end) => {
                    tokens.push(Tok {
                        kind: TokKind::Str,
                        span: start..end,
                    });
                    i = end;
                }
                None => {
                    out.push(StrictProblem::new(
                        StrictKind::Structure,
                        start..body.len(),
                        "unterminated string",
                    ));
                    return tokens;
                }
            },
            '/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = body[i..].find('\n').map_or(body.len(), |n| i + n);
                let end = if body[..end].ends_with('\r') {
                    end - 1
                } else {
                    end
                };
                tokens.push(Tok {
                    kind: TokKind::Comment,
                    span: start..end,
                });
                i = end;
            }
            '/' if bytes.get(i + 1) == Some(&b'*') => match body[i + 2..].find("*/") {
                Some(n) => {
                    let end = i + 2 + n + 2;
                    tokens.push(Tok {
                        kind: TokKind::Comment,
                        span: start..end,
                    });
                    i = end;
                }
                None => {
                    out.push(StrictProblem::new(
                        StrictKind::Structure,
                        start..body.len(),
                        "unterminated `/*` comment",
                    ));
                    return tokens;
                }
            },
            _ if is_word_char(c) => {
                let len = body[i..]
                    .char_indices()
                    .find(|&(_, ch)| !is_word_char(ch))
                    .map_or(body.len() - i, |(n, _)| n);
                let word = &body[i..i + len];
                let kind = match word {
                    "true" | "false" | "null" => TokKind::Literal,
                    _ if word.starts_with(|ch: char| {
                        ch.is_ascii_digit() || matches!(ch, '-' | '+' | '.')
                    }) =>
                    {
                        TokKind::Number
                    }
                    _ => TokKind::Word,
                };
                tokens.push(Tok {
                    kind,
                    span: start..start + len,
                });
                i += len;
            }
            _ => {
                let end = i + c.len_utf8();
                out.push(StrictProblem::new(
                    StrictKind::Structure,
                    start..end,
                    "unexpected character (not part of any JSON token)",
                ));
                i = end;
            }
        }
    }
    flush_space(&mut odd_space, out);
    tokens
}

fn flush_space(run: &mut Option<Range<usize>>, out: &mut Vec<StrictProblem>) {
    if let Some(span) = run.take() {
        out.push(StrictProblem::new(
            StrictKind::NonJsonWhitespace,
            span,
            "whitespace JSON does not allow (only space, tab, line feed and carriage return are JSON whitespace)",
        ));
    }
}

/// Characters of bare words and numbers in JSON5-ish text.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '$' | '-' | '+' | '.')
}

/// The end (exclusive) of the string starting with the quote at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Where the grammar is inside an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InObject {
    /// After `{` or `,`: a key or `}`.
    Key { after_comma: bool },
    /// After a key: `:`.
    Colon,
    /// After `:`: a value.
    Value,
    /// After a value: `,` or `}`.
    CommaOrEnd,
}

/// Where the grammar is inside an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InArray {
    /// After `[` or `,`: a value or `]`.
    Value { after_comma: bool },
    /// After a value: `,` or `]`.
    CommaOrEnd,
}

#[derive(Debug, Clone)]
enum Frame {
    Object(InObject, Range<usize>),
    Array(InArray, Range<usize>),
}

/// A tolerant JSON grammar over the tokens: it reports each strict-JSON
/// violation once, at the token where it shows, and carries on as a lenient
/// reader would (a missing comma is assumed, a trailing comma skipped, ...).
struct Grammar<'a, 'o> {
    body: &'a str,
    out: &'o mut Vec<StrictProblem>,
    stack: Vec<Frame>,
    root_done: bool,
}

impl<'a, 'o> Grammar<'a, 'o> {
    fn new(body: &'a str, out: &'o mut Vec<StrictProblem>) -> Self {
        Grammar {
            body,
            out,
            stack: Vec::new(),
            root_done: false,
        }
    }

    fn problem(&mut self, kind: StrictKind, span: &Range<usize>, description: &str) {
        self.out
            .push(StrictProblem::new(kind, span.clone(), description));
    }

    fn run(mut self, tokens: &[&Tok]) {
        for t in tokens {
            if !self.step(t) {
                return;
            }
        }
        if let Some(frame) = self.stack.first().cloned() {
            let (span, what) = match frame {
                Frame::Object(_, span) => (span, "unterminated object (no closing `}`)"),
                Frame::Array(_, span) => (span, "unterminated array (no closing `]`)"),
            };
            self.problem(StrictKind::Structure, &span, what);
        }
    }

    /// Handles one token; `false` stops the walk (text after the root value).
    fn step(&mut self, t: &Tok) -> bool {
        match self.stack.last().cloned() {
            None => self.at_root(t),
            Some(Frame::Object(state, _)) => {
                self.in_object(state, t);
                true
            }
            Some(Frame::Array(state, _)) => {
                self.in_array(state, t);
                true
            }
        }
    }

    fn at_root(&mut self, t: &Tok) -> bool {
        if self.root_done {
            self.problem(
                StrictKind::Structure,
                &t.span,
                "text after the end of the JSON value",
            );
            return false;
        }
        if t.starts_value() {
            self.value(t);
        } else {
            self.unexpected(t);
        }
        true
    }

    fn set_top(&mut self, frame_state: FrameState) {
        if let Some(top) = self.stack.last_mut() {
            match (top, frame_state) {
                (Frame::Object(state, _), FrameState::Object(new)) => *state = new,
                (Frame::Array(state, _), FrameState::Array(new)) => *state = new,
                _ => {}
            }
        }
    }

    fn in_object(&mut self, state: InObject, t: &Tok) {
        use InObject as S;
        match (state, t.kind) {
            (S::Key { after_comma }, TokKind::CloseBrace) => {
                if after_comma {
                    self.trailing_comma_before(t);
                }
                self.close();
            }
            (S::Key { .. }, TokKind::Str) => {
                self.string(t);
                self.set_top(FrameState::Object(S::Colon));
            }
            (S::Key { .. }, TokKind::Word | TokKind::Number | TokKind::Literal) => {
                self.problem(
                    StrictKind::UnquotedKey,
                    &t.span,
                    "object key is not a double-quoted string",
                );
                self.set_top(FrameState::Object(S::Colon));
            }
            (S::Key { .. }, TokKind::Comma) => self.problem(
                StrictKind::Structure,
                &t.span,
                "extra comma (an empty member) in an object",
            ),
            (S::Colon, TokKind::Colon) => self.set_top(FrameState::Object(S::Value)),
            (S::Colon, _) => {
                self.problem(
                    StrictKind::Structure,
                    &t.span,
                    "missing `:` after an object key",
                );
                self.set_top(FrameState::Object(S::Value));
                if t.starts_value() {
                    self.value(t);
                } else if t.kind == TokKind::CloseBrace {
                    self.close();
                }
            }
            (S::Value, _) if t.starts_value() => self.value(t),
            (S::Value, TokKind::CloseBrace) => {
                self.problem(StrictKind::Structure, &t.span, "missing value after `:`");
                self.close();
            }
            (S::Value, TokKind::Comma) => {
                self.problem(StrictKind::Structure, &t.span, "missing value after `:`");
                self.set_top(FrameState::Object(S::Key { after_comma: true }));
            }
            (S::CommaOrEnd, TokKind::Comma) => {
                self.set_top(FrameState::Object(S::Key { after_comma: true }));
            }
            (S::CommaOrEnd, TokKind::CloseBrace) => self.close(),
            (S::CommaOrEnd, TokKind::Str | TokKind::Word | TokKind::Number | TokKind::Literal) => {
                self.missing_comma(t);
                self.set_top(FrameState::Object(S::Key { after_comma: false }));
                self.in_object(S::Key { after_comma: false }, t);
            }
            _ => self.unexpected(t),
        }
    }

    fn in_array(&mut self, state: InArray, t: &Tok) {
        use InArray as S;
        match (state, t.kind) {
            (S::Value { after_comma }, TokKind::CloseBracket) => {
                if after_comma {
                    self.trailing_comma_before(t);
                }
                self.close();
            }
            (S::Value { .. }, _) if t.starts_value() => self.value(t),
            (S::Value { .. }, TokKind::Comma) => self.problem(
                StrictKind::Structure,
                &t.span,
                "extra comma (an empty element) in an array",
            ),
            (S::CommaOrEnd, TokKind::Comma) => {
                self.set_top(FrameState::Array(S::Value { after_comma: true }));
            }
            (S::CommaOrEnd, TokKind::CloseBracket) => self.close(),
            (S::CommaOrEnd, _) if t.starts_value() => {
                self.missing_comma(t);
                self.value(t);
            }
            _ => self.unexpected(t),
        }
    }

    /// A value token in value position: a scalar completes it, `{`/`[` opens a frame.
    fn value(&mut self, t: &Tok) {
        match self.stack.last_mut() {
            Some(Frame::Object(state, _)) => *state = InObject::CommaOrEnd,
            Some(Frame::Array(state, _)) => *state = InArray::CommaOrEnd,
            None => {}
        }
        match t.kind {
            TokKind::OpenBrace => {
                self.stack.push(Frame::Object(
                    InObject::Key { after_comma: false },
                    t.span.clone(),
                ));
                return;
            }
            TokKind::OpenBracket => {
                self.stack.push(Frame::Array(
                    InArray::Value { after_comma: false },
                    t.span.clone(),
                ));
                return;
            }
            TokKind::Str => self.string(t),
            TokKind::Word => {
                let text = self.body.get(t.span.clone()).unwrap_or_default();
                if matches!(text, "Infinity" | "NaN") {
                    self.out.push(non_json_number(t, text));
                } else {
                    self.problem(
                        StrictKind::BareWord,
                        &t.span,
                        "bare word where a value belongs (strings need double quotes; the literals are `true`, `false` and `null`)",
                    );
                }
            }
            TokKind::Number => {
                let text = self.body.get(t.span.clone()).unwrap_or_default();
                if !is_json_number(text) {
                    self.out.push(non_json_number(t, text));
                }
            }
            _ => {}
        }
        if self.stack.is_empty() {
            self.root_done = true;
        }
    }

    fn string(&mut self, t: &Tok) {
        string_problems(self.body, &t.span, self.out);
    }

    fn close(&mut self) {
        self.stack.pop();
        if self.stack.is_empty() {
            self.root_done = true;
        }
    }

    /// The comma before the closing token `t` (the last comma token seen).
    fn trailing_comma_before(&mut self, t: &Tok) {
        let before = &self.body[..t.span.start];
        let at = before.rfind(',').unwrap_or(t.span.start);
        self.problem(
            StrictKind::TrailingComma,
            &(at..at + 1),
            "trailing comma before a closing `}` or `]`",
        );
    }

    fn missing_comma(&mut self, t: &Tok) {
        self.problem(
            StrictKind::MissingComma,
            &t.span,
            "missing comma before this value or member",
        );
    }

    fn unexpected(&mut self, t: &Tok) {
        let what = match t.kind {
            TokKind::CloseBrace => "unexpected `}` (it closes nothing that is open here)",
            TokKind::CloseBracket => "unexpected `]` (it closes nothing that is open here)",
            TokKind::Comma => "unexpected comma",
            TokKind::Colon => "unexpected `:`",
            _ => "unexpected token",
        };
        self.problem(StrictKind::Structure, &t.span, what);
        // A closer that matches an outer frame closes the inner ones (as a lenient reader recovers).
        let closes = match t.kind {
            TokKind::CloseBrace => Some(true),
            TokKind::CloseBracket => Some(false),
            _ => None,
        };
        if let Some(object) = closes
            && let Some(depth) = self
                .stack
                .iter()
                .rposition(|f| matches!(f, Frame::Object(..)) == object)
        {
            self.stack.truncate(depth);
            if self.stack.is_empty() {
                self.root_done = true;
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum FrameState {
    Object(InObject),
    Array(InArray),
}

fn non_json_number(t: &Tok, text: &str) -> StrictProblem {
    StrictProblem::new(
        StrictKind::NonJsonNumber,
        t.span.clone(),
        format!(
            "{}, which JSON does not allow (numbers are plain decimal)",
            describe_non_json_number(text)
        ),
    )
}

/// What kind of non-JSON number `text` is ("a hexadecimal number"), without quoting it.
pub fn describe_non_json_number(text: &str) -> &'static str {
    let unsigned = text.trim_start_matches(['+', '-']);
    if matches!(unsigned, "Infinity" | "NaN") {
        "`Infinity` or `NaN`"
    } else if unsigned.starts_with("0x") || unsigned.starts_with("0X") {
        "a hexadecimal number"
    } else if unsigned.starts_with("0o")
        || unsigned.starts_with("0O")
        || unsigned.starts_with("0b")
        || unsigned.starts_with("0B")
    {
        "an octal or binary number"
    } else if text.starts_with('+') {
        "a number with a leading `+`"
    } else if unsigned.starts_with('.') || unsigned.ends_with('.') || unsigned.contains(".e") {
        "a number with a bare decimal point"
    } else if unsigned.len() > 1
        && unsigned.starts_with('0')
        && unsigned.as_bytes()[1].is_ascii_digit()
    {
        "a number with a leading zero"
    } else {
        "a number literal"
    }
}

/// Single quotes, escapes JSON lacks and raw control characters in one string token.
fn string_problems(body: &str, span: &Range<usize>, out: &mut Vec<StrictProblem>) {
    let Some(raw) = body.get(span.clone()) else {
        return;
    };
    if raw.starts_with('\'') {
        out.push(StrictProblem::new(
            StrictKind::SingleQuotedString,
            span.clone(),
            "single-quoted string; strings need double quotes",
        ));
    }
    // The characters between the quotes.
    let inner_start = span.start + 1;
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    let mut chars = inner.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = inner_start + i;
        if (c as u32) < 0x20 {
            out.push(StrictProblem::new(
                StrictKind::ControlCharacter,
                at..at + c.len_utf8(),
                "raw control character (a line break, tab or other character below U+0020) inside a string; JSON needs it escaped",
            ));
            continue;
        }
        if c != '\\' {
            continue;
        }
        let Some((j, escaped)) = chars.next() else {
            break;
        };
        let end = inner_start + j + escaped.len_utf8();
        match escaped {
            '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' => {}
            'u' => {
                let hex: String = chars.clone().take(4).map(|(_, h)| h).collect();
                if hex.len() == 4 && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                    for _ in 0..4 {
                        chars.next();
                    }
                } else {
                    out.push(invalid_escape(at..end));
                }
            }
            _ => out.push(invalid_escape(at..end)),
        }
    }
}

fn invalid_escape(span: Range<usize>) -> StrictProblem {
    StrictProblem::new(
        StrictKind::InvalidEscape,
        span,
        "escape sequence JSON does not have (JSON knows `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`)",
    )
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
pub fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let int_len = digits(&mut i);
    if int_len == 0 || (int_len > 1 && b[int_start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The walk above found nothing: confirm with a strict parse, so that a
/// case the walk does not model can never make an invalid file look valid.
fn safety_net(body: &str, out: &mut Vec<StrictProblem>) {
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    if let Err(error) = jsonc_parser::parse_to_ast(body, &CollectOptions::default(), &strict) {
        let range = error.range();
        out.push(StrictProblem::new(
            StrictKind::Structure,
            range.start..range.end,
            super::json::describe_strict_error(&error),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&'static str, String)> {
        strict_problems(text)
            .into_iter()
            .map(|p| (p.kind.as_str(), text[p.span].to_string()))
            .collect()
    }

    #[test]
    fn valid_json_has_no_problems() {
        let text = r#"{"a": [1, -0.5e3, true, null, "x\u00e9\n\/"], "b": {}}"#;
        assert!(strict_problems(text).is_empty(), "{:?}", kinds(text));
        assert!(strict_problems("  [ ]\r\n").is_empty());
    }

    #[test]
    fn every_comment_and_trailing_comma_is_reported() {
        let text = "{\n  // one\n  \"a\": [1,],\n  /* two */ \"b\": {\"c\": 1,},\n}";
        assert_eq!(
            kinds(text),
            vec![
                ("comment", "// one".into()),
                ("trailing-comma", ",".into()),
                ("comment", "/* two */".into()),
                ("trailing-comma", ",".into()),
                ("trailing-comma", ",".into()),
            ]
        );
    }

    #[test]
    fn json5_forms_are_each_reported_at_their_token() {
        let text =
            "{a: 'x', \"n\": +1, \"h\": 0x1F, \"d\": .5, \"z\": 01, \"w\": yes, 1: Infinity}";
        assert_eq!(
            kinds(text),
            vec![
                ("unquoted-key", "a".into()),
                ("single-quoted-string", "'x'".into()),
                ("non-json-number", "+1".into()),
                ("non-json-number", "0x1F".into()),
                ("non-json-number", ".5".into()),
                ("non-json-number", "01".into()),
                ("bare-word", "yes".into()),
                ("unquoted-key", "1".into()),
                ("non-json-number", "Infinity".into()),
            ]
        );
    }

    #[test]
    fn escapes_control_characters_and_whitespace() {
        let text = "{\"a\": \"x\\x41\\q\\u12G4\", \"b\": \"line\nbreak\",\u{a0}\"c\": 1}";
        let got = kinds(text);
        assert_eq!(
            got,
            vec![
                ("invalid-escape", "\\x".into()),
                ("invalid-escape", "\\q".into()),
                ("invalid-escape", "\\u".into()),
                ("control-character", "\n".into()),
                ("non-json-whitespace", "\u{a0}".into()),
            ]
        );
    }

    #[test]
    fn missing_commas_but_not_between_key_and_value() {
        let text = "{\"a\": 1 \"b\": [1 2] \"c\": {}}";
        assert_eq!(
            kinds(text),
            vec![
                ("missing-comma", "\"b\"".into()),
                ("missing-comma", "2".into()),
                ("missing-comma", "\"c\"".into()),
            ]
        );
    }

    #[test]
    fn structural_errors_come_from_the_parse() {
        let got = kinds("{\"a\": [1, 2");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, "structure");
        let got = kinds("{} {}");
        assert_eq!(got, vec![("structure", "{".into())]);
        // A structural error after a token problem is still found.
        let got = kinds("{\"a\": 1,, \"b\": 2}");
        assert!(got.iter().any(|(k, _)| *k == "structure"), "{got:?}");
    }

    #[test]
    fn bom_and_empty_files() {
        let text = "\u{feff}{\"a\": 1,}";
        let problems = strict_problems(text);
        assert_eq!(problems[0].kind, StrictKind::ByteOrderMark);
        assert_eq!(problems[0].span, 0..3);
        assert_eq!(problems[1].kind, StrictKind::TrailingComma);
        assert_eq!(&text[problems[1].span.clone()], ",");
        assert_eq!(kinds(""), vec![("empty", "".into())]);
        assert_eq!(
            kinds(" // just a note\n"),
            vec![
                ("empty", " // just a note\n".into()),
                ("comment", "// just a note".into())
            ]
        );
        let bom_only = strict_problems("\u{feff}");
        assert_eq!(
            bom_only.iter().map(|p| p.kind).collect::<Vec<_>>(),
            vec![StrictKind::ByteOrderMark, StrictKind::Empty]
        );
    }

    #[test]
    fn unterminated_string_stops_the_scan_without_panic() {
        let got = kinds("{\"a\": 1,} \"open");
        assert_eq!(got[0], ("trailing-comma", ",".into()));
        assert!(got.iter().any(|(k, _)| *k == "structure"), "{got:?}");
    }

    #[test]
    fn descriptions_never_quote_content() {
        for text in [
            "{\"k\": 'hunter2secret'}",
            "{hunter2secret: 1}",
            "{\"k\": hunter2secret}",
        ] {
            for p in strict_problems(text) {
                assert!(!p.description.contains("hunter2"), "{}", p.description);
            }
        }
    }

    #[test]
    fn weird_input_never_panics_and_spans_stay_in_bounds() {
        let sample = "\u{feff}{\"a\": [1, 'x', {\"b\": \"\\u00e9é\"}], // c\n \"c\": .5, d: +1, \"e\": \"\\x41\",}";
        for end in (0..=sample.len()).filter(|&i| sample.is_char_boundary(i)) {
            for p in strict_problems(&sample[..end]) {
                assert!(
                    p.span.start <= p.span.end && p.span.end <= end,
                    "{p:?} in {end}"
                );
            }
        }
        for weird in [
            "\0", "}", "]", ":", ",", "\"", "'", "/", "/*", "nul", "-", "1e", "\u{2028}", "é", "\\",
        ] {
            strict_problems(weird);
        }
        let deep = "[".repeat(5000) + &"]".repeat(5000);
        assert!(!strict_problems(&deep).is_empty());
    }
}
