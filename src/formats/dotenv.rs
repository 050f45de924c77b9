//! dotenv files (`.env`, `.env.*`, `*.env`) and shell environment files
//! (`.envrc`, `.bashrc`, `*.sh`): `KEY=value` and `export KEY=value` lines,
//! single and double quotes, inline comments, escapes, and double-quoted
//! values that run over several lines.
//!
//! In shell files only assignment lines are read; everything else is code
//! and is left to the token scan.

use std::ops::Range;

use super::{Diagnostic, Parsed};
use crate::assign::{Assignment, Origin, Value, classify_value};
use crate::classify::FileKind;

pub fn parse_file(kind: FileKind, text: &str) -> Parsed {
    let strict = kind == FileKind::Dotenv;
    let mut parsed = Parsed::default();
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let line_end = find_line_end(bytes, pos);
        let line = &text[pos..line_end];
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            pos = next_line(bytes, line_end);
            continue;
        }
        match parse_assignment(text, pos + indent) {
            Some((assignment, end)) => {
                parsed.assignments.push(assignment);
                pos = next_line(bytes, find_line_end(bytes, end.max(pos)));
            }
            None => {
                if strict {
                    parsed.diagnostics.push(Diagnostic::new(
                        pos..line_end,
                        "line is not a KEY=value assignment; dotenv loaders skip or reject it",
                    ));
                }
                pos = next_line(bytes, line_end);
            }
        }
    }
    parsed
}

fn find_line_end(bytes: &[u8], from: usize) -> usize {
    memchr::memchr2(b'\n', b'\r', &bytes[from..])
        .map(|i| from + i)
        .unwrap_or(bytes.len())
}

fn next_line(bytes: &[u8], line_end: usize) -> usize {
    match bytes.get(line_end) {
        Some(b'\r') if bytes.get(line_end + 1) == Some(&b'\n') => line_end + 2,
        Some(_) => line_end + 1,
        None => line_end,
    }
}

/// Parses `[export ]NAME=value` starting at `start`; returns the assignment and
/// the byte offset where its value ends.
fn parse_assignment(text: &str, start: usize) -> Option<(Assignment, usize)> {
    let bytes = text.as_bytes();
    let mut i = start;
    if text[i..].starts_with("export ") || text[i..].starts_with("export\t") {
        i += "export".len();
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
    }
    let name_start = i;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.')) {
        i += 1;
    }
    let name_end = i;
    if name_end == name_start || bytes[name_start].is_ascii_digit() {
        return None;
    }
    // dotenv tolerates spaces around `=`; shells do not, but reading them is harmless.
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if bytes.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let (raw, value_span, end, quoted_single) = read_value(text, i);
    let value = if quoted_single {
        // Single quotes: no expansion, so `$X` inside is literal text.
        if raw.is_empty() {
            Value::Empty
        } else {
            Value::Literal(raw)
        }
    } else {
        classify_value(&raw)
    };
    let name = text[name_start..name_end].to_string();
    Some((
        Assignment {
            logical: name.clone(),
            name,
            name_span: name_start..name_end,
            value,
            value_span,
            origin: Origin::Env,
            scope: String::new(),
        },
        end,
    ))
}

/// Reads a value at `i`: returns (value, span as written, end offset, single-quoted).
fn read_value(text: &str, i: usize) -> (String, Range<usize>, usize, bool) {
    let bytes = text.as_bytes();
    match bytes.get(i) {
        Some(&q @ (b'"' | b'\'' | b'`')) => {
            let mut out = String::new();
            let mut j = i + 1;
            while j < bytes.len() {
                let c = bytes[j];
                if c == q {
                    return (out, i..j + 1, j + 1, q == b'\'');
                }
                if c == b'\\' && q == b'"' && j + 1 < bytes.len() {
                    let next = bytes[j + 1];
                    match next {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'\n' => {}
                        _ => {
                            let ch = text[j + 1..].chars().next().unwrap_or('\\');
                            out.push(ch);
                            j += ch.len_utf8() + 1;
                            continue;
                        }
                    }
                    j += 2;
                    continue;
                }
                let ch = text[j..].chars().next().unwrap_or('\u{fffd}');
                out.push(ch);
                j += ch.len_utf8();
            }
            // Unterminated quote: take the rest of the line as the value.
            let end = find_line_end(bytes, i);
            (text[i + 1..end].to_string(), i..end, end, q == b'\'')
        }
        _ => {
            let end = find_line_end(bytes, i);
            let line = &text[i..end];
            // An inline comment starts at ` #` in an unquoted value.
            let value_len = line
                .find(" #")
                .or_else(|| line.find("\t#"))
                .unwrap_or(line.len());
            let value = line[..value_len].trim_end();
            (value.to_string(), i..i + value.len(), end, false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_values(text: &str) -> Vec<(String, Value, String)> {
        parse_file(FileKind::Dotenv, text)
            .assignments
            .into_iter()
            .map(|a| {
                let written = text[a.value_span.clone()].to_string();
                (a.name, a.value, written)
            })
            .collect()
    }

    #[test]
    fn reads_the_common_forms() {
        let text = "# c\nA=1\nexport B = \"two words\" # note\nC='$NOT_REF'\nD=$REF\nE=\nF=x # c\r\nG=\"multi\nline\"\nH=last";
        let got = names_values(text);
        let lit = |s: &str| Value::Literal(s.to_string());
        assert_eq!(got[0], ("A".into(), lit("1"), "1".into()));
        assert_eq!(
            got[1],
            ("B".into(), lit("two words"), "\"two words\"".into())
        );
        assert_eq!(got[2].1, lit("$NOT_REF"));
        assert_eq!(got[3].1, Value::Reference("$REF".into()));
        assert_eq!(got[4].1, Value::Empty);
        assert_eq!(got[5], ("F".into(), lit("x"), "x".into()));
        assert_eq!(got[6].1, lit("multi\nline"));
        assert_eq!(got[7].1, lit("last"));
        assert_eq!(got.len(), 8);
    }

    #[test]
    fn shell_files_skip_code_without_diagnostics() {
        let text = "if [ -x foo ]; then\n  export ANTHROPIC_API_KEY=abc\nfi\n";
        let parsed = parse_file(FileKind::ShellEnv, text);
        assert_eq!(parsed.assignments.len(), 1);
        assert!(parsed.diagnostics.is_empty());
        let parsed = parse_file(FileKind::Dotenv, "not an assignment\n");
        assert_eq!(parsed.diagnostics.len(), 1);
    }
}
