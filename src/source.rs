//! A loaded file's bytes and a line index that maps byte offsets to the
//! 1-based line and UTF-16 column that SARIF and GitHub expect.
//!
//! Scanned files may be invalid UTF-8, so the index works on bytes and only
//! decodes the prefix of one line when a column is asked for.

use std::ops::Range;

/// A 1-based position: line, and column counted in UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Start and end (exclusive) of a span, as SARIF regions want them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Region {
    pub start: Position,
    pub end: Position,
}

/// Byte offsets at which each line starts. CRLF, LF and a lone CR all end a line.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(bytes: &[u8]) -> Self {
        Self::build(bytes, false)
    }

    /// For binary files: only LF ends a line (stray CR bytes are data), as
    /// ripgrep and `git grep` count them.
    pub fn lf_only(bytes: &[u8]) -> Self {
        Self::build(bytes, true)
    }

    fn build(bytes: &[u8], lf_only: bool) -> Self {
        let mut starts = vec![0];
        if lf_only {
            starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
            return LineIndex { starts };
        }
        let mut i = 0;
        while let Some(off) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + off;
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                i = at + 2;
            } else {
                i = at + 1;
            }
            starts.push(i);
        }
        LineIndex { starts }
    }

    /// 0-based line number holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> usize {
        self.starts[line0]
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte range of a 0-based line, without its terminator.
    pub fn line_range(&self, bytes: &[u8], line0: usize) -> Range<usize> {
        let start = self.starts[line0];
        let mut end = self.starts.get(line0 + 1).copied().unwrap_or(bytes.len());
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    pub fn position(&self, bytes: &[u8], offset: usize) -> Position {
        let offset = offset.min(bytes.len());
        let line0 = self.line_of(offset);
        let start = self.starts[line0];
        Position {
            line: line0 + 1,
            column: utf16_len(&bytes[start..offset]) + 1,
        }
    }

    pub fn region(&self, bytes: &[u8], span: &Range<usize>) -> Region {
        let start = self.position(bytes, span.start);
        let end = self.position(bytes, span.end.max(span.start));
        Region { start, end }
    }
}

/// Number of UTF-16 code units in `bytes`; invalid sequences count one unit per byte.
pub fn utf16_len(bytes: &[u8]) -> usize {
    if bytes.is_ascii() {
        return bytes.len();
    }
    let mut units = 0;
    for chunk in bytes.utf8_chunks() {
        units += chunk.valid().chars().map(char::len_utf16).sum::<usize>();
        units += chunk.invalid().len();
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_all_line_ends() {
        let text = "a\r\nbé😀x\rz\n".as_bytes();
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        let x = text.iter().position(|&b| b == b'x').unwrap();
        // b (1) + é (1) + 😀 (2) => x is at column 5
        assert_eq!(idx.position(text, x), Position { line: 2, column: 5 });
        let z = text.iter().position(|&b| b == b'z').unwrap();
        assert_eq!(idx.position(text, z), Position { line: 3, column: 1 });
        assert_eq!(idx.line_range(text, 0), 0..1);
    }

    #[test]
    fn invalid_utf8_counts_bytes() {
        assert_eq!(utf16_len(b"a\xffb"), 3);
    }
}
