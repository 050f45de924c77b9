//! Dockerfile parser, hand-written to follow BuildKit's
//! `frontend/dockerfile/parser` (parser.go, line_parsers.go, split_command.go,
//! directives.go) while keeping, for every key, value, flag and path, its byte
//! span in the original text, so that a finding can underline exactly the bytes
//! it is about (crates such as `dockerfile-parser-rs` keep no positions).
//!
//! The reading order is BuildKit's: strip a UTF-8 BOM; read parser directives
//! (`# syntax=`, `# escape=`, `# check=`) from the unbroken run of comment lines
//! at the top; join continuation lines (the escape character last on a line),
//! dropping comment lines and skipping empty lines inside a continuation; split
//! the logical line into keyword, `--flags` and arguments; then read heredoc
//! bodies (`RUN <<EOF`) from the physical lines that follow. A joined line keeps
//! a map back to the source, so spans stay exact across continuations.
//!
//! Nothing here fails: broken input becomes a [`Diagnostic`] and parsing goes on.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::{Diagnostic, Parsed};
use crate::assign::{Assignment, Origin, Value, classify_value};

/// A parsed Dockerfile: its parser directives, build stages and instructions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape character in effect: `\` or `` ` `` (from `# escape=`).
    pub escape: char,
    pub directives: Vec<Directive>,
    /// One per `FROM`, in order; `Stage::index` is the position here.
    pub stages: Vec<Stage>,
    pub instructions: Vec<Instruction>,
}

impl Default for Dockerfile {
    fn default() -> Self {
        Dockerfile {
            escape: '\\',
            directives: Vec::new(),
            stages: Vec::new(),
            instructions: Vec::new(),
        }
    }
}

/// A word as BuildKit would see it after quote removal, with the span of its raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// Byte span in the source of the word as written (quotes included).
    pub span: Range<usize>,
}

/// `# name=value` at the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower case (`syntax`, `escape`, `check`).
    pub name: String,
    pub value: String,
    pub span: Range<usize>,
    pub name_span: Range<usize>,
    pub value_span: Range<usize>,
}

/// A build stage, opened by `FROM image [AS name]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    pub image: Option<Word>,
    pub name: Option<Word>,
    /// Index of its `FROM` in [`Dockerfile::instructions`].
    pub from_instruction: usize,
}

impl Stage {
    /// `stage[1] builder`, or `stage[0]` for an unnamed stage.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("stage[{}] {}", self.index, name.text),
            None => format!("stage[{}]", self.index),
        }
    }

    /// `stage:builder`, or `stage:0` for an unnamed stage.
    pub fn scope(&self) -> String {
        match &self.name {
            Some(name) => format!("stage:{}", name.text),
            None => format!("stage:{}", self.index),
        }
    }
}

/// A `--name[=value]` flag before an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    /// Quotes removed; `None` for a bare `--link`.
    pub value: Option<String>,
    pub span: Range<usize>,
    pub name_span: Range<usize>,
    pub value_span: Option<Range<usize>>,
}

impl Flag {
    /// The comma-separated `key=value` fields of a `--mount=type=secret,id=x,env=Y` value.
    pub fn fields(&self) -> Vec<(&str, &str)> {
        let Some(value) = &self.value else {
            return Vec::new();
        };
        value
            .split(',')
            .filter(|f| !f.is_empty())
            .map(|f| f.split_once('=').unwrap_or((f, "")))
            .collect()
    }
}

/// `name=value` in `ENV`, `ARG` or `LABEL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Word,
    /// `None` for `ARG name` with no default; an empty word for `ARG name=`.
    pub value: Option<Word>,
    /// The value expands a variable (`$X`, `${X}` outside single quotes).
    pub expands: bool,
}

/// A heredoc opened on an instruction line (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter, quotes removed.
    pub name: String,
    pub fd: Option<u32>,
    /// `<<-`: leading tabs are stripped from the body and the delimiter line.
    pub chomp: bool,
    /// False when the delimiter was quoted: the body is not expanded.
    pub expand: bool,
    /// The `<<EOF` word on the instruction line.
    pub marker_span: Range<usize>,
    /// The body lines (without the delimiter line).
    pub body_span: Range<usize>,
    pub terminated: bool,
}

/// RUN/CMD/ENTRYPOINT/SHELL arguments: exec form (a JSON array) or shell form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Exec(Vec<Word>),
    /// The command line as written (no quote removal: the shell does that).
    Shell(Word),
}

/// An instruction's arguments, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    From {
        image: Option<Word>,
        alias: Option<Word>,
    },
    /// `ENV`, `ARG`, `LABEL`. `legacy` is the `ENV key value…` form.
    KeyValues {
        pairs: Vec<KeyValue>,
        legacy: bool,
    },
    /// `COPY`, `ADD`: sources (heredoc markers included) and destination.
    Files {
        sources: Vec<Word>,
        dest: Option<Word>,
        json: bool,
    },
    Command(Command),
    Onbuild(Box<Instruction>),
    /// Any other instruction: its argument text as written (`None` when empty).
    Raw(Option<Word>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper case (`ENV`); Dockerfile keywords are case-insensitive.
    pub keyword: String,
    pub keyword_span: Range<usize>,
    /// From the keyword to the end of its last line, heredoc bodies included.
    pub span: Range<usize>,
    /// Index into [`Dockerfile::stages`]; `None` before the first `FROM`.
    pub stage: Option<usize>,
    pub flags: Vec<Flag>,
    pub args: Args,
    pub heredocs: Vec<Heredoc>,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// True for the exec (JSON array) form of RUN/CMD/… and COPY/ADD.
    pub fn is_json_form(&self) -> bool {
        matches!(
            self.args,
            Args::Command(Command::Exec(_)) | Args::Files { json: true, .. }
        )
    }
}

impl Dockerfile {
    pub fn stage_of(&self, inst: &Instruction) -> Option<&Stage> {
        inst.stage.and_then(|i| self.stages.get(i))
    }

    /// `stage[1] builder`, or `global` before the first `FROM`.
    pub fn stage_label(&self, inst: &Instruction) -> String {
        self.stage_of(inst)
            .map(Stage::label)
            .unwrap_or_else(|| "global".to_string())
    }

    /// The assignment scope: `stage:builder`, `stage:0`, or `""` before the first `FROM`.
    pub fn scope(&self, inst: &Instruction) -> String {
        self.stage_of(inst).map(Stage::scope).unwrap_or_default()
    }

    /// A logical location: `stage[1] builder > ENV ANTHROPIC_API_KEY`.
    pub fn location(&self, inst: &Instruction, detail: &str) -> String {
        format!("{} > {}", self.stage_label(inst), detail)
    }
}

/// True when a COPY/ADD source word is a heredoc marker (`<<EOF`), not a path.
pub fn is_heredoc_source(word: &Word) -> bool {
    heredoc_marker(&word.text).is_some()
}

/// Parses a Dockerfile and lists its ENV/ARG assignments.
pub fn parse_file(text: &str) -> Parsed {
    let (doc, diagnostics) = parse(text);
    Parsed {
        assignments: assignments(&doc),
        dockerfile: Some(doc),
        diagnostics,
        ..Parsed::default()
    }
}

/// Parses a Dockerfile. Never fails: problems come back as diagnostics.
pub fn parse(text: &str) -> (Dockerfile, Vec<Diagnostic>) {
    let body = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut parser = Parser {
        src: text,
        lines: physical_lines(text, body),
        next: 0,
        stage: None,
        doc: Dockerfile::default(),
        diagnostics: Vec::new(),
    };
    parser.read_directives();
    while let Some(line) = parser.next_logical_line() {
        parser.instruction(&line);
    }
    (parser.doc, parser.diagnostics)
}

/// One `Assignment` per ENV pair and ARG name, in file order.
fn assignments(doc: &Dockerfile) -> Vec<Assignment> {
    let mut out = Vec::new();
    for inst in &doc.instructions {
        push_assignments(doc, inst, inst, "", &mut out);
    }
    out
}

/// The assignments of one `ENV` or `ARG`: `inst` itself, or (for the
/// instructions an `ONBUILD` defers) the one it wraps, `inner`, with
/// `label` ("ONBUILD ") in front of its logical name.
pub(crate) fn push_assignments(
    doc: &Dockerfile,
    inst: &Instruction,
    inner: &Instruction,
    label: &str,
    out: &mut Vec<Assignment>,
) {
    let origin = match inner.keyword.as_str() {
        "ENV" => Origin::DockerEnv,
        "ARG" => Origin::DockerArg,
        _ => return,
    };
    let Args::KeyValues { pairs, .. } = &inner.args else {
        return;
    };
    for kv in pairs {
        let (value, value_span) = match &kv.value {
            Some(v) => (docker_value(&v.text, kv.expands), v.span.clone()),
            None => (Value::Empty, kv.key.span.clone()),
        };
        out.push(Assignment {
            name: kv.key.text.clone(),
            name_span: kv.key.span.clone(),
            value,
            value_span,
            logical: doc.location(inst, &format!("{label}{} {}", inner.keyword, kv.key.text)),
            origin,
            scope: doc.scope(inst),
        });
    }
}

/// A value after quote removal. Docker expands `$X` anywhere outside single
/// quotes, so any expanding value is a reference; a single-quoted `'${X}'` is
/// the literal text.
fn docker_value(text: &str, expands: bool) -> Value {
    match (classify_value(text), expands) {
        (Value::Literal(_), true) => Value::Reference(text.to_string()),
        (Value::Reference(_), false) => Value::Literal(text.to_string()),
        (value, _) => value,
    }
}

// ---------------------------------------------------------------- lines

/// A physical line; `end` excludes the `\n` and any `\r` before it.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

/// Splits on `\n` only, like BuildKit's scanner (a lone `\r` is not a line end).
fn physical_lines(src: &str, from: usize) -> Vec<Line> {
    let bytes = src.as_bytes();
    let mut lines = Vec::new();
    let mut start = from;
    while start < bytes.len() {
        let stop = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let mut end = stop;
        while end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        lines.push(Line { start, end });
        start = stop + 1;
    }
    lines
}

/// An instruction with its continuation lines joined, and a map back to the source.
#[derive(Debug, Default)]
struct Logical {
    text: String,
    /// `(offset in text, offset in source)` where each joined piece starts.
    pieces: Vec<(usize, usize)>,
}

impl Logical {
    fn push(&mut self, src: &str, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.pieces.push((self.text.len(), range.start));
        self.text.push_str(&src[range]);
    }

    fn source_offset(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.0 <= at).saturating_sub(1);
        match self.pieces.get(i) {
            Some(&(text_at, src_at)) => src_at + at.saturating_sub(text_at),
            None => 0,
        }
    }

    /// Source span of `range` of the joined text; a span crossing a
    /// continuation covers the escape character and line break in between.
    fn span(&self, range: Range<usize>) -> Range<usize> {
        let start = self.source_offset(range.start);
        if range.end <= range.start {
            return start..start;
        }
        start..self.source_offset(range.end - 1) + 1
    }

    fn word(&self, range: Range<usize>, escape: char) -> Word {
        let (text, _) = unquote(&self.text[range.clone()], escape);
        Word {
            text,
            span: self.span(range),
        }
    }
}

/// If `line` continues on the next line, its length without the escape
/// character (BuildKit: `([^\\])\\[ \t]*$|^\\[ \t]*$`; an escaped escape does not continue).
fn continuation_cut(line: &str, escape: char) -> Option<usize> {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let before = trimmed.strip_suffix(escape)?;
    if before.ends_with(escape) {
        return None;
    }
    Some(before.len())
}

// ---------------------------------------------------------------- words

fn skip_ws(s: &str, pos: usize) -> usize {
    let rest = s.get(pos..).unwrap_or("");
    pos + rest.len() - rest.trim_start().len()
}

/// End of the word starting at `start`: whitespace ends it outside quotes;
/// the escape character protects the next character (not inside `'…'`).
fn word_end(s: &str, start: usize, escape: char) -> usize {
    let mut quote = None;
    let mut chars = s[start..].char_indices();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(q) if c == escape && q != '\'' => {
                chars.next();
            }
            Some(_) => {}
            None if c.is_whitespace() => return start + i,
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == escape => {
                chars.next();
            }
            None => {}
        }
    }
    s.len()
}

/// Raw word ranges from `from` on (BuildKit `parseWords`).
fn split_words(s: &str, from: usize, escape: char) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut pos = skip_ws(s, from);
    while pos < s.len() {
        let end = word_end(s, pos, escape);
        words.push(pos..end);
        pos = skip_ws(s, end);
    }
    words
}

/// Removes quotes and escapes as BuildKit's shell lexer does for one word,
/// and says whether the word expands a variable.
fn unquote(raw: &str, escape: char) -> (String, bool) {
    let mut out = String::with_capacity(raw.len());
    let mut expands = false;
    let mut chars = raw.chars().peekable();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('\''), _) => out.push(c),
            (Some(_), c) if c == escape => match chars.peek() {
                Some(&n) if n == '"' || n == '$' || n == escape => {
                    out.push(n);
                    chars.next();
                }
                _ => out.push(c),
            },
            (None, '\'' | '"') => quote = Some(c),
            (None, c) if c == escape => out.extend(chars.next()),
            (_, '$') => {
                expands |= chars
                    .peek()
                    .is_some_and(|n| *n == '{' || n.is_alphanumeric() || *n == '_');
                out.push('$');
            }
            _ => out.push(c),
        }
    }
    (out, expands)
}

/// `(fd, chomp, delimiter as written)` when `raw` matches `^(\d*)<<(-?)([^<]*)$`.
fn heredoc_marker(raw: &str) -> Option<(Option<u32>, bool, &str)> {
    let digits = raw.bytes().take_while(u8::is_ascii_digit).count();
    let rest = raw[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let fd = if digits > 0 {
        raw[..digits].parse().ok()
    } else {
        None
    };
    Some((fd, chomp, rest))
}

fn directive_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$").expect("directive regex")
    })
}

const DIRECTIVES: &[&str] = &["syntax", "escape", "check"];

const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

// ---------------------------------------------------------------- parser

const MAX_DIAGNOSTICS: usize = 20;

struct Parser<'a> {
    src: &'a str,
    lines: Vec<Line>,
    /// Index of the next physical line to read.
    next: usize,
    stage: Option<usize>,
    doc: Dockerfile,
    diagnostics: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn diag(&mut self, span: Range<usize>, message: impl Into<String>) {
        // A text file named like a Dockerfile (`Dockerfile.md`) would otherwise
        // produce one diagnostic per line.
        if self.diagnostics.len() < MAX_DIAGNOSTICS {
            self.diagnostics.push(Diagnostic::new(span, message));
        }
    }

    fn escape(&self) -> char {
        self.doc.escape
    }

    /// Parser directives: only in the unbroken run of comment lines at the top.
    fn read_directives(&mut self) {
        for index in 0..self.lines.len() {
            let line = self.lines[index];
            let raw = &self.src[line.start..line.end];
            let at = line.end - raw.trim_start().len();
            let Some(caps) = directive_regex().captures(&self.src[at..line.end]) else {
                return;
            };
            let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) else {
                return;
            };
            let name_span = at + name.start()..at + name.end();
            let value_span = at + value.start()..at + value.end();
            let name = name.as_str().to_ascii_lowercase();
            let value = value.as_str().to_string();
            if !DIRECTIVES.contains(&name.as_str()) {
                self.diag(
                    name_span,
                    format!(
                        "{} is not a parser directive name (syntax, escape, check): the line is read as a comment and ends the directives",
                        crate::secrets::quote_word(&name, 24)
                    ),
                );
                return;
            }
            if self.doc.directives.iter().any(|d| d.name == name) {
                self.diag(
                    name_span,
                    format!("only one `{name}` parser directive can be used"),
                );
                continue;
            }
            if name == "escape" {
                match value.as_str() {
                    "\\" => self.doc.escape = '\\',
                    "`" => self.doc.escape = '`',
                    _ => self.diag(
                        value_span.clone(),
                        "invalid escape character: it must be `\\` or a backtick",
                    ),
                }
            }
            self.doc.directives.push(Directive {
                name,
                value,
                span: at..line.end,
                name_span,
                value_span,
            });
        }
    }

    /// The next instruction's text, continuation lines joined.
    fn next_logical_line(&mut self) -> Option<Logical> {
        loop {
            let line = *self.lines.get(self.next)?;
            self.next += 1;
            let raw = &self.src[line.start..line.end];
            let content = raw.trim_start();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let mut logical = Logical::default();
            let mut continued = self.push_piece(&mut logical, line.end - content.len()..line.end);
            while continued {
                let Some(line) = self.lines.get(self.next).copied() else {
                    break;
                };
                self.next += 1;
                let content = self.src[line.start..line.end].trim_start();
                // BuildKit drops comment lines and skips empty lines inside a continuation.
                if content.is_empty() || content.starts_with('#') {
                    continue;
                }
                continued = self.push_piece(&mut logical, line.start..line.end);
            }
            if !logical.text.trim().is_empty() {
                return Some(logical);
            }
        }
    }

    /// Appends one physical line; true when it continues on the next one.
    fn push_piece(&self, logical: &mut Logical, range: Range<usize>) -> bool {
        match continuation_cut(&self.src[range.clone()], self.escape()) {
            Some(cut) => {
                logical.push(self.src, range.start..range.start + cut);
                true
            }
            None => {
                logical.push(self.src, range);
                false
            }
        }
    }

    fn instruction(&mut self, line: &Logical) {
        let mut inst = self.parse_instruction(line, 0, 0);
        if inst.keyword == "FROM" {
            self.start_stage(&inst);
        }
        inst.stage = self.stage;
        if let Args::Onbuild(inner) = &mut inst.args {
            inner.stage = self.stage;
        }
        let end = self.read_heredocs(line, &mut inst);
        inst.span.end = inst.span.end.max(end);
        self.doc.instructions.push(inst);
    }

    fn start_stage(&mut self, from: &Instruction) {
        let (image, name) = match &from.args {
            Args::From { image, alias } => (image.clone(), alias.clone()),
            _ => (None, None),
        };
        let index = self.doc.stages.len();
        self.doc.stages.push(Stage {
            index,
            image,
            name,
            from_instruction: self.doc.instructions.len(),
        });
        self.stage = Some(index);
    }

    /// Parses the instruction starting at `at` in the joined line (`at > 0` for ONBUILD's).
    fn parse_instruction(&mut self, line: &Logical, at: usize, depth: u8) -> Instruction {
        let text = line.text.as_str();
        let kw_end = text[at..]
            .find(char::is_whitespace)
            .map_or(text.len(), |i| at + i);
        let keyword = text[at..kw_end].to_ascii_uppercase();
        let keyword_span = line.span(at..kw_end);
        let (flags, args_at) = self.parse_flags(line, kw_end);
        let args_end = text.trim_end().len().max(args_at);
        let args = match keyword.as_str() {
            "FROM" => self.parse_from(line, args_at),
            "ENV" | "LABEL" => self.parse_name_val(line, args_at, args_end, &keyword),
            "ARG" => self.parse_arg(line, args_at),
            "COPY" | "ADD" => self.parse_files(line, args_at, &keyword),
            "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" => self.parse_command(line, args_at, args_end),
            "ONBUILD" if depth == 0 && args_at < args_end => {
                Args::Onbuild(Box::new(self.parse_instruction(line, args_at, 1)))
            }
            _ => {
                if !KEYWORDS.contains(&keyword.as_str()) || keyword == "ONBUILD" {
                    // The word may be anything a line starts with (a key
                    // pasted on its own line): never echo it in full.
                    let message = format!(
                        "unknown or misplaced instruction {}",
                        crate::secrets::quote_word(&keyword, 12)
                    );
                    self.diag(keyword_span.clone(), message);
                }
                Args::Raw((args_at < args_end).then(|| Word {
                    text: text[args_at..args_end].to_string(),
                    span: line.span(args_at..args_end),
                }))
            }
        };
        Instruction {
            keyword,
            keyword_span: keyword_span.clone(),
            span: keyword_span.start..line.span(at..args_end).end,
            stage: None,
            flags,
            args,
            heredocs: Vec::new(),
        }
    }

    /// Leading `--name[=value]` words (BuildKit `extractBuilderFlags`, which
    /// always uses `\` as its escape). Returns the flags and where arguments start.
    fn parse_flags(&self, line: &Logical, from: usize) -> (Vec<Flag>, usize) {
        let text = line.text.as_str();
        let mut flags = Vec::new();
        let mut pos = skip_ws(text, from);
        while text[pos..].starts_with("--") {
            let end = word_end(text, pos, '\\');
            if end - pos == 2 {
                pos = skip_ws(text, end); // a lone `--` ends the flags
                break;
            }
            let raw = &text[pos + 2..end];
            let (name, value) = match raw.find('=') {
                Some(eq) => (pos + 2..pos + 2 + eq, Some(pos + 3 + eq..end)),
                None => (pos + 2..end, None),
            };
            flags.push(Flag {
                name: text[name.clone()].to_string(),
                value: value.clone().map(|v| unquote(&text[v], '\\').0),
                span: line.span(pos..end),
                name_span: line.span(name),
                value_span: value.map(|v| line.span(v)),
            });
            pos = skip_ws(text, end);
        }
        (flags, pos)
    }

    fn parse_from(&mut self, line: &Logical, at: usize) -> Args {
        let escape = self.escape();
        let words: Vec<Word> = split_words(&line.text, at, escape)
            .into_iter()
            .map(|r| line.word(r, escape))
            .collect();
        let well_formed =
            words.len() == 1 || (words.len() == 3 && words[1].text.eq_ignore_ascii_case("as"));
        if !well_formed {
            let span = line.span(at..line.text.len());
            self.diag(span, "FROM expects `image [AS name]`");
        }
        let alias = (words.len() >= 3 && words[1].text.eq_ignore_ascii_case("as"))
            .then(|| words[2].clone());
        Args::From {
            image: words.into_iter().next(),
            alias,
        }
    }

    /// ENV/LABEL: `a=b c="d e"`, or the legacy `key value…` where everything
    /// after the first whitespace is the value (`ENV ONE TWO= THREE=world`).
    fn parse_name_val(&mut self, line: &Logical, at: usize, end: usize, keyword: &str) -> Args {
        let escape = self.escape();
        let text = line.text.as_str();
        let words = split_words(text, at, escape);
        let Some(first) = words.first() else {
            let span = line.span(at..end);
            self.diag(
                span,
                format!("{keyword} needs at least one name=value pair"),
            );
            return Args::KeyValues {
                pairs: Vec::new(),
                legacy: false,
            };
        };
        if !text[first.clone()].contains('=') {
            return self.parse_legacy_name_val(line, at, end, keyword);
        }
        let mut pairs = Vec::new();
        for word in words {
            match self.key_value(line, word.clone()) {
                Some(kv) if kv.value.is_some() => pairs.push(kv),
                _ => {
                    let span = line.span(word);
                    self.diag(span, format!("{keyword} expects name=value here"));
                }
            }
        }
        Args::KeyValues {
            pairs,
            legacy: false,
        }
    }

    fn parse_legacy_name_val(
        &mut self,
        line: &Logical,
        at: usize,
        end: usize,
        keyword: &str,
    ) -> Args {
        let text = line.text.as_str();
        let key_end = text[at..end]
            .find([' ', '\t', '\u{b}', '\u{c}', '\r'])
            .map_or(end, |i| at + i);
        let value_at = skip_ws(text, key_end).min(end);
        if value_at >= end {
            let span = line.span(at..end);
            self.diag(span, format!("{keyword} name value: the value is missing"));
            return Args::KeyValues {
                pairs: Vec::new(),
                legacy: true,
            };
        }
        let (value, expands) = unquote(&text[value_at..end], self.escape());
        let pair = KeyValue {
            key: Word {
                text: text[at..key_end].to_string(),
                span: line.span(at..key_end),
            },
            value: Some(Word {
                text: value,
                span: line.span(value_at..end),
            }),
            expands,
        };
        Args::KeyValues {
            pairs: vec![pair],
            legacy: true,
        }
    }

    /// ARG: `name` or `name=default`, repeatable.
    fn parse_arg(&mut self, line: &Logical, at: usize) -> Args {
        let mut pairs = Vec::new();
        for word in split_words(&line.text, at, self.escape()) {
            match self.key_value(line, word.clone()) {
                Some(kv) => pairs.push(kv),
                None => {
                    let span = line.span(word);
                    self.diag(span, "ARG expects name or name=default");
                }
            }
        }
        Args::KeyValues {
            pairs,
            legacy: false,
        }
    }

    /// One `name[=value]` word; `None` when the name is empty.
    fn key_value(&self, line: &Logical, word: Range<usize>) -> Option<KeyValue> {
        let raw = &line.text[word.clone()];
        let (key, value) = match raw.find('=') {
            Some(eq) => (
                word.start..word.start + eq,
                Some(word.start + eq + 1..word.end),
            ),
            None => (word.clone(), None),
        };
        if key.is_empty() {
            return None;
        }
        let (value, expands) = match value {
            Some(v) => {
                let (text, expands) = unquote(&line.text[v.clone()], self.escape());
                let span = line.span(v);
                (Some(Word { text, span }), expands)
            }
            None => (None, false),
        };
        Some(KeyValue {
            key: Word {
                text: line.text[key.clone()].to_string(),
                span: line.span(key),
            },
            value,
            expands,
        })
    }

    /// COPY/ADD: a JSON array, or whitespace-separated words; the last is the destination.
    fn parse_files(&mut self, line: &Logical, at: usize, keyword: &str) -> Args {
        let escape = self.escape();
        let (mut words, json) = match self.json_array(line, at) {
            Some(items) => (items, true),
            None => {
                let words = split_words(&line.text, at, escape);
                (
                    words.into_iter().map(|r| line.word(r, escape)).collect(),
                    false,
                )
            }
        };
        if words.len() < 2 {
            let span = line.span(at..line.text.len());
            self.diag(span, format!("{keyword} needs a source and a destination"));
        }
        let dest = if words.len() >= 2 { words.pop() } else { None };
        Args::Files {
            sources: words,
            dest,
            json,
        }
    }

    fn parse_command(&mut self, line: &Logical, at: usize, end: usize) -> Args {
        if let Some(items) = self.json_array(line, at) {
            return Args::Command(Command::Exec(items));
        }
        if at >= end {
            return Args::Raw(None);
        }
        Args::Command(Command::Shell(Word {
            text: line.text[at..end].to_string(),
            span: line.span(at..end),
        }))
    }

    /// The exec form: a JSON array of strings at `at` (trailing text ignored,
    /// as Go's decoder does). `None` means shell form, BuildKit's fallback.
    fn json_array(&mut self, line: &Logical, at: usize) -> Option<Vec<Word>> {
        let rest = line.text.get(at..)?;
        if !rest.starts_with('[') {
            return None;
        }
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
        let serde_json::Value::Array(items) = stream.next()?.ok()? else {
            return None;
        };
        let consumed = stream.byte_offset();
        if items.iter().any(|v| !v.is_string()) {
            let span = line.span(at..at + consumed);
            self.diag(span, "a JSON array form must hold strings only");
            return None;
        }
        let spans = json_string_spans(&rest[..consumed]);
        if spans.len() != items.len() {
            return None;
        }
        let words = items
            .into_iter()
            .zip(spans)
            .map(|(item, span)| Word {
                text: item.as_str().unwrap_or_default().to_string(),
                span: line.span(at + span.start..at + span.end),
            })
            .collect();
        Some(words)
    }

    /// Reads the bodies of the heredocs opened on the line; returns where the last one ends.
    fn read_heredocs(&mut self, line: &Logical, inst: &mut Instruction) -> usize {
        let owner = match &mut inst.args {
            Args::Onbuild(inner) => inner.as_mut(),
            _ => inst,
        };
        if !matches!(owner.keyword.as_str(), "RUN" | "COPY" | "ADD") || owner.is_json_form() {
            return 0;
        }
        let mut end = 0;
        // BuildKit splits the whole line with a `\` lexer to find heredoc words.
        for word in split_words(&line.text, 0, '\\') {
            let Some((fd, chomp, delimiter)) = heredoc_marker(&line.text[word.clone()]) else {
                continue;
            };
            let (name, _) = unquote(delimiter, '\\');
            if name.is_empty() {
                continue;
            }
            let quoted = delimiter.contains(['"', '\'']);
            let heredoc = self.read_heredoc_body(name, fd, chomp, !quoted, line.span(word));
            end = self
                .lines
                .get(self.next.saturating_sub(1))
                .map_or(end, |l| l.end);
            owner.heredocs.push(heredoc);
        }
        end
    }

    fn read_heredoc_body(
        &mut self,
        name: String,
        fd: Option<u32>,
        chomp: bool,
        expand: bool,
        marker_span: Range<usize>,
    ) -> Heredoc {
        let body_start = self
            .lines
            .get(self.next)
            .map_or(self.src.len(), |l| l.start);
        let mut body_end = body_start;
        let mut terminated = false;
        while let Some(line) = self.lines.get(self.next).copied() {
            self.next += 1;
            let mut candidate = &self.src[line.start..line.end];
            if chomp {
                candidate = candidate.trim_start_matches('\t');
            }
            if candidate == name {
                terminated = true;
                break;
            }
            body_end = line.end;
        }
        if !terminated {
            let message = format!(
                "unterminated heredoc: no line {} closes it",
                crate::secrets::quote_word(&name, 32)
            );
            self.diag(marker_span.clone(), message);
        }
        Heredoc {
            name,
            fd,
            chomp,
            expand,
            marker_span,
            body_span: body_start..body_end,
            terminated,
        }
    }
}

/// Spans of the string literals in a JSON array of strings.
fn json_string_spans(json: &str) -> Vec<Range<usize>> {
    let bytes = json.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        i = (i + 1).min(bytes.len());
        spans.push(start..i);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Dockerfile {
        parse(text).0
    }

    fn at<'a>(text: &'a str, span: &Range<usize>) -> &'a str {
        &text[span.clone()]
    }

    fn pairs(inst: &Instruction) -> &[KeyValue] {
        match &inst.args {
            Args::KeyValues { pairs, .. } => pairs,
            other => panic!("not key/values: {other:?}"),
        }
    }

    #[test]
    fn stages_and_logical_locations() {
        let text = "FROM node:20 AS builder\nARG ANTHROPIC_API_KEY\nFROM alpine\nENV ANTHROPIC_API_KEY=$ANTHROPIC_API_KEY\n";
        let parsed = parse_file(text);
        let d = parsed.dockerfile.as_ref().unwrap();
        assert_eq!(d.stages.len(), 2);
        assert_eq!(d.stages[0].name.as_ref().unwrap().text, "builder");
        assert_eq!(d.stages[1].image.as_ref().unwrap().text, "alpine");
        let a = &parsed.assignments;
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].logical, "stage[0] builder > ARG ANTHROPIC_API_KEY");
        assert_eq!(a[0].scope, "stage:builder");
        assert_eq!(a[0].origin, Origin::DockerArg);
        assert_eq!(a[0].value, Value::Empty);
        assert_eq!(a[0].value_span, a[0].name_span);
        assert_eq!(a[1].logical, "stage[1] > ENV ANTHROPIC_API_KEY");
        assert_eq!(a[1].scope, "stage:1");
        assert_eq!(a[1].value, Value::Reference("$ANTHROPIC_API_KEY".into()));
        assert_eq!(at(text, &a[1].value_span), "$ANTHROPIC_API_KEY");
    }

    #[test]
    fn global_args_before_from() {
        let parsed = parse_file("ARG VERSION=1.2 TOKEN\nFROM x:${VERSION}\n");
        assert_eq!(parsed.assignments[0].logical, "global > ARG VERSION");
        assert_eq!(parsed.assignments[0].scope, "");
        assert_eq!(parsed.assignments[0].value, Value::Literal("1.2".into()));
        assert_eq!(parsed.assignments[1].name, "TOKEN");
    }

    #[test]
    fn modern_env_with_quotes_and_escapes() {
        let text = "FROM a\nENV A=b C=\"d e\" F='g $H' I=j\\ k L=\"x\\\"y\"\n";
        let d = doc(text);
        let kv = pairs(&d.instructions[1]);
        let got: Vec<(&str, &str)> = kv
            .iter()
            .map(|p| (p.key.text.as_str(), p.value.as_ref().unwrap().text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("A", "b"),
                ("C", "d e"),
                ("F", "g $H"),
                ("I", "j k"),
                ("L", "x\"y")
            ]
        );
        assert_eq!(at(text, &kv[1].value.as_ref().unwrap().span), "\"d e\"");
        assert!(!kv[2].expands, "single quotes do not expand");
        let parsed = parse_file(text);
        assert_eq!(parsed.assignments[2].value, Value::Literal("g $H".into()));
    }

    #[test]
    fn legacy_env_takes_the_rest_of_the_line() {
        let text = "FROM a\nENV ONE TWO= THREE=world\nENV  KEY   \"quoted value\"  \n";
        let d = doc(text);
        assert!(matches!(
            d.instructions[1].args,
            Args::KeyValues { legacy: true, .. }
        ));
        let one = &pairs(&d.instructions[1])[0];
        assert_eq!(one.key.text, "ONE");
        assert_eq!(one.value.as_ref().unwrap().text, "TWO= THREE=world");
        let key = &pairs(&d.instructions[2])[0];
        assert_eq!(key.value.as_ref().unwrap().text, "quoted value");
        assert_eq!(
            at(text, &key.value.as_ref().unwrap().span),
            "\"quoted value\""
        );
    }

    #[test]
    fn continuations_keep_exact_spans() {
        let text = "FROM a\nENV A=1 \\\n    # a comment inside\n\n    ANTHROPIC_API_KEY=secret \\\n    B=2\n";
        let parsed = parse_file(text);
        let a = parsed
            .assignments
            .iter()
            .find(|a| a.name == "ANTHROPIC_API_KEY")
            .unwrap();
        assert_eq!(at(text, &a.name_span), "ANTHROPIC_API_KEY");
        assert_eq!(at(text, &a.value_span), "secret");
        assert_eq!(parsed.assignments.len(), 3);
        let inst = &parsed.dockerfile.as_ref().unwrap().instructions[1];
        assert!(at(text, &inst.span).starts_with("ENV A=1"));
        assert!(at(text, &inst.span).ends_with("B=2"));
    }

    #[test]
    fn a_word_split_by_a_continuation_spans_both_lines() {
        let text = "FROM a\nENV TOKEN=ab\\\ncd\n";
        let parsed = parse_file(text);
        assert_eq!(parsed.assignments[0].value, Value::Literal("abcd".into()));
        assert_eq!(at(text, &parsed.assignments[0].value_span), "ab\\\ncd");
    }

    #[test]
    fn escape_directive_and_bom() {
        let text = "\u{feff}# syntax=docker/dockerfile:1\n# escape=`\nFROM windows\nRUN dir c:\\ `\n  && echo hi\nENV P=c:\\path\n";
        let (d, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(d.escape, '`');
        assert_eq!(d.directives.len(), 2);
        assert_eq!(d.directives[0].name, "syntax");
        assert_eq!(at(text, &d.directives[0].value_span), "docker/dockerfile:1");
        let Args::Command(Command::Shell(cmd)) = &d.instructions[1].args else {
            panic!()
        };
        assert_eq!(cmd.text, "dir c:\\   && echo hi");
        assert_eq!(
            pairs(&d.instructions[2])[0].value.as_ref().unwrap().text,
            "c:\\path"
        );
    }

    #[test]
    fn directives_end_at_the_first_other_line() {
        let (d, _) = parse("# hello\n# escape=`\nFROM a\n");
        assert!(d.directives.is_empty());
        assert_eq!(d.escape, '\\');
        let (d, diags) = parse("# syntax=a\n# syntax=b\n# foo=bar\n# check=skip=all\nFROM a\n");
        assert_eq!(d.directives.len(), 1);
        assert_eq!(diags.len(), 2, "{diags:?}");
        let (d, diags) = parse("# escape=x\nFROM a\n");
        assert_eq!(d.escape, '\\');
        assert_eq!(diags.len(), 1);
    }

    #[test]
    fn copy_flags_sources_and_destination() {
        let text = "FROM a AS b\nCOPY --chown=1000:1000 --link --from=b ./a \"b c\" /dst/\nADD [\"x y\", \"/z\"]\n";
        let d = doc(text);
        let copy = &d.instructions[1];
        assert_eq!(copy.flags.len(), 3);
        assert_eq!(
            copy.flag("chown").unwrap().value.as_deref(),
            Some("1000:1000")
        );
        assert_eq!(copy.flag("link").unwrap().value, None);
        assert_eq!(
            at(
                text,
                copy.flag("from").unwrap().value_span.as_ref().unwrap()
            ),
            "b"
        );
        let Args::Files {
            sources,
            dest,
            json,
        } = &copy.args
        else {
            panic!()
        };
        assert!(!json);
        assert_eq!(sources[0].text, "./a");
        assert_eq!(sources[1].text, "b c");
        assert_eq!(at(text, &sources[1].span), "\"b c\"");
        assert_eq!(dest.as_ref().unwrap().text, "/dst/");
        let Args::Files {
            sources,
            dest,
            json,
        } = &d.instructions[2].args
        else {
            panic!()
        };
        assert!(json);
        assert_eq!(sources[0].text, "x y");
        assert_eq!(at(text, &sources[0].span), "\"x y\"");
        assert_eq!(dest.as_ref().unwrap().text, "/z");
    }

    #[test]
    fn run_mounts_exec_form_and_fallback() {
        let text = "FROM a\nRUN --mount=type=secret,id=anthropic,env=ANTHROPIC_API_KEY claude -p hi\nCMD [\"a\", \"b\\u0041\"]\nRUN [not json\n";
        let d = doc(text);
        let mount = d.instructions[1].flag("mount").unwrap();
        assert_eq!(
            mount.fields(),
            [
                ("type", "secret"),
                ("id", "anthropic"),
                ("env", "ANTHROPIC_API_KEY")
            ]
        );
        let Args::Command(Command::Exec(words)) = &d.instructions[2].args else {
            panic!()
        };
        assert_eq!(words[1].text, "bA");
        assert_eq!(at(text, &words[1].span), "\"b\\u0041\"");
        assert!(matches!(
            &d.instructions[3].args,
            Args::Command(Command::Shell(w)) if w.text == "[not json"
        ));
    }

    #[test]
    fn heredocs_several_per_line_chomp_and_quotes() {
        let text = "FROM a\nRUN <<EOF cat 3<<-'END'\necho one\nEOF\n\tsecret\n\tEND\nCOPY <<\"X\" /etc/x\nbody $V\nX\nENV A=1\n";
        let (d, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let run = &d.instructions[1];
        assert_eq!(run.heredocs.len(), 2);
        assert_eq!(run.heredocs[0].name, "EOF");
        assert!(run.heredocs[0].expand);
        assert_eq!(at(text, &run.heredocs[0].body_span), "echo one");
        let end = &run.heredocs[1];
        assert_eq!(
            (end.name.as_str(), end.fd, end.chomp, end.expand),
            ("END", Some(3), true, false)
        );
        assert_eq!(at(text, &end.body_span), "\tsecret");
        assert!(at(text, &run.span).ends_with("\tEND"));
        let copy = &d.instructions[2];
        assert_eq!(copy.heredocs[0].name, "X");
        let Args::Files { sources, .. } = &copy.args else {
            panic!()
        };
        assert!(is_heredoc_source(&sources[0]));
        assert_eq!(d.instructions[3].keyword, "ENV");
        assert_eq!(d.instructions.len(), 4);
    }

    #[test]
    fn unterminated_heredoc_is_a_diagnostic() {
        let (d, diags) = parse("FROM a\nRUN <<EOF\necho\nENV X=1\n");
        assert_eq!(d.instructions.len(), 2, "the body swallows the rest");
        assert!(!d.instructions[1].heredocs[0].terminated);
        assert!(diags[0].message.contains("unterminated heredoc"));
    }

    #[test]
    fn no_heredocs_in_exec_form_or_other_instructions() {
        let d = doc("FROM a\nRUN [\"cat\", \"<<EOF\"]\nENV A=<<EOF\nLABEL x=1\n");
        assert!(d.instructions.iter().all(|i| i.heredocs.is_empty()));
        assert_eq!(d.instructions.len(), 4);
    }

    #[test]
    fn onbuild_wraps_an_instruction() {
        let text = "FROM a\nONBUILD COPY <<EOF /x\nhi\nEOF\nonbuild run echo\n";
        let d = doc(text);
        let Args::Onbuild(inner) = &d.instructions[1].args else {
            panic!()
        };
        assert_eq!(inner.keyword, "COPY");
        assert_eq!(inner.heredocs.len(), 1);
        assert_eq!(inner.stage, Some(0));
        let Args::Onbuild(inner) = &d.instructions[2].args else {
            panic!()
        };
        assert_eq!(at(text, &inner.keyword_span), "run");
    }

    #[test]
    fn arg_forms_and_diagnostics() {
        let text = "ARG A B=\"\" C=x =bad\nFROM a b c d\nFOO bar\nENV\nENV X\n";
        let (d, diags) = parse(text);
        let kv = pairs(&d.instructions[0]);
        assert_eq!(kv.len(), 3);
        assert!(kv[0].value.is_none());
        assert_eq!(kv[1].value.as_ref().unwrap().text, "");
        let parsed = parse_file(text);
        assert_eq!(parsed.assignments[1].value, Value::Empty);
        assert_eq!(diags.len(), 5, "{diags:?}");
    }

    #[test]
    fn diagnostics_are_capped() {
        let text = "this is prose, not a Dockerfile\n".repeat(100);
        assert_eq!(parse(&text).1.len(), MAX_DIAGNOSTICS);
    }

    #[test]
    fn crlf_and_missing_final_newline() {
        let text = "FROM a\r\nENV K=v \\\r\n  W=x\r\nRUN echo";
        let parsed = parse_file(text);
        assert_eq!(parsed.assignments.len(), 2);
        assert_eq!(at(text, &parsed.assignments[1].value_span), "x");
        let d = parsed.dockerfile.unwrap();
        assert_eq!(at(text, &d.instructions[2].span), "RUN echo");
    }

    /// Every span the parser hands out, ONBUILD's inner instruction included.
    fn all_spans(d: &Dockerfile) -> Vec<Range<usize>> {
        fn instruction(inst: &Instruction, out: &mut Vec<Range<usize>>) {
            out.extend([inst.span.clone(), inst.keyword_span.clone()]);
            for f in &inst.flags {
                out.extend([f.span.clone(), f.name_span.clone()]);
                out.extend(f.value_span.clone());
            }
            for h in &inst.heredocs {
                out.extend([h.marker_span.clone(), h.body_span.clone()]);
            }
            let words: Vec<&Word> = match &inst.args {
                Args::From { image, alias } => image.iter().chain(alias).collect(),
                Args::KeyValues { pairs, .. } => pairs
                    .iter()
                    .flat_map(|kv| std::iter::once(&kv.key).chain(&kv.value))
                    .collect(),
                Args::Files { sources, dest, .. } => sources.iter().chain(dest).collect(),
                Args::Command(Command::Exec(words)) => words.iter().collect(),
                Args::Command(Command::Shell(word)) => vec![word],
                Args::Raw(word) => word.iter().collect(),
                Args::Onbuild(inner) => {
                    instruction(inner, out);
                    Vec::new()
                }
            };
            out.extend(words.into_iter().map(|w| w.span.clone()));
        }
        let mut out = Vec::new();
        for dir in &d.directives {
            out.extend([
                dir.span.clone(),
                dir.name_span.clone(),
                dir.value_span.clone(),
            ]);
        }
        for inst in &d.instructions {
            instruction(inst, &mut out);
        }
        out
    }

    fn assert_spans_valid(text: &str) {
        let parsed = parse_file(text);
        let mut spans = all_spans(parsed.dockerfile.as_ref().unwrap());
        spans.extend(parsed.diagnostics.iter().map(|d| d.span.clone()));
        for a in &parsed.assignments {
            spans.extend([a.name_span.clone(), a.value_span.clone()]);
        }
        for span in spans {
            assert!(
                span.start <= span.end && text.get(span.clone()).is_some(),
                "{span:?} in {text:?}"
            );
        }
    }

    #[test]
    fn never_panics_on_garbage_or_truncated_input() {
        let sample = "\u{feff}# escape=`\nFROM a AS b\nENV A=\"x `\n y\" B='z\nCOPY --from=b [\"é\", \"/\"]\nRUN <<-\"E\" 2<<F\n\tx\n\tE\nF\nARG Ω=ü\nADD \"unterminated\nONBUILD ONBUILD RUN [1, 2]\n";
        for end in 0..=sample.len() {
            if sample.is_char_boundary(end) {
                assert_spans_valid(&sample[..end]);
            }
        }
        let mut state: u64 = 0x1234_5678;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // Dockerfile-ish fragments, so the generator reaches deep parser states.
        let pieces = [
            "ENV ",
            "ARG ",
            "COPY ",
            "RUN ",
            "FROM ",
            "ONBUILD ",
            "ADD ",
            "# escape=`",
            "<<",
            "<<-",
            "EOF",
            "\"",
            "'",
            "`",
            "\\",
            "$",
            "${",
            "[",
            "]",
            "\"a\",",
            "=",
            "--mount=",
            "--",
            " ",
            "\t",
            "\n",
            "\r\n",
            "#",
            "é",
            "😀",
            "\0",
            "\u{feff}",
            "AS",
            "x",
        ];
        for round in 0..600 {
            let len = (next() % 60) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            assert_spans_valid(&text);
            // Raw bytes, made text the way the scanner would refuse or replace them.
            let bytes: Vec<u8> = (0..round % 97).map(|_| next() as u8).collect();
            assert_spans_valid(&String::from_utf8_lossy(&bytes));
        }
    }
}
