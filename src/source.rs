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
    /// The last offset the index can place ([`LineIndex::up_to`]);
    /// `usize::MAX` for a whole file.
    covers: usize,
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
        Self::up_to(bytes, lf_only, usize::MAX)
    }

    /// An index of the lines up to the one holding offset `last` (and where
    /// the next one starts): enough to place every offset up to `last`.
    /// Findings in a large file are placed without indexing the lines after
    /// the last of them.
    pub fn up_to(bytes: &[u8], lf_only: bool, last: usize) -> Self {
        let mut starts = vec![0];
        let mut add = |start: usize| {
            starts.push(start);
            start <= last
        };
        if lf_only || !has_cr(bytes) {
            for at in memchr::memchr_iter(b'\n', bytes) {
                if !add(at + 1) {
                    break;
                }
            }
        } else {
            for start in next_line_starts(bytes, lf_only) {
                if !add(start) {
                    break;
                }
            }
        }
        LineIndex {
            starts,
            covers: last,
        }
    }

    /// How many line ends `bytes` holds and where its last line starts,
    /// without building the index (streamed files count lines per chunk).
    pub fn count_lines(bytes: &[u8], lf_only: bool) -> (usize, usize) {
        // Most text has no CR: then memchr counts LFs a vector at a time
        // (its iterator's `count` does not stop at each match).
        if lf_only || !has_cr(bytes) {
            let ends = memchr::memchr_iter(b'\n', bytes).count();
            let last = memchr::memrchr(b'\n', bytes).map_or(0, |at| at + 1);
            return (ends, last);
        }
        next_line_starts(bytes, lf_only).fold((0, 0), |(n, _), start| (n + 1, start))
    }

    /// 0-based line number holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        debug_assert!(offset <= self.covers, "offset {offset} past the index");
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> usize {
        self.starts[line0]
    }

    pub fn line_count(&self) -> usize {
        debug_assert!(self.covers == usize::MAX, "line count of a partial index");
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

/// The offset after each line end (LF, CR or CRLF; LF only for binary
/// data, where a stray CR is data).
fn has_cr(bytes: &[u8]) -> bool {
    memchr::memchr(b'\r', bytes).is_some()
}

fn next_line_starts(bytes: &[u8], lf_only: bool) -> impl Iterator<Item = usize> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let off = if lf_only {
            memchr::memchr(b'\n', &bytes[i..])?
        } else {
            memchr::memchr2(b'\n', b'\r', &bytes[i..])?
        };
        let at = i + off;
        i = if !lf_only && bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        };
        Some(i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counting without an index agrees with the index, for every kind of
    /// line end and both modes.
    /// The LF-only fast paths give what the general line-end walk gives.
    #[test]
    fn fast_paths_agree_with_the_general_walk() {
        for text in [
            "",
            "a",
            "\n",
            "a\n",
            "a\nb",
            "\n\n\nx\n",
            "é\n😀\n",
            "a\r\nb",
            "x\ry\n",
        ] {
            for lf_only in [false, true] {
                let bytes = text.as_bytes();
                let mut reference = vec![0];
                reference.extend(next_line_starts(bytes, lf_only));
                assert_eq!(
                    LineIndex::build(bytes, lf_only).starts,
                    reference,
                    "{text:?}"
                );
                let last = *reference.last().unwrap();
                assert_eq!(
                    LineIndex::count_lines(bytes, lf_only),
                    (reference.len() - 1, last),
                    "{text:?} lf_only={lf_only}"
                );
            }
        }
    }

    /// A partial index places every offset up to its limit as the whole one.
    #[test]
    fn partial_index_agrees_up_to_its_limit() {
        for text in ["a\nbb\n\nccc\nd", "a\r\nb\rc\n\nd\r", "x"] {
            let bytes = text.as_bytes();
            let whole = LineIndex::new(bytes);
            for last in 0..=bytes.len() {
                let part = LineIndex::up_to(bytes, false, last);
                for offset in 0..=last {
                    assert_eq!(part.position(bytes, offset), whole.position(bytes, offset));
                    let line0 = whole.line_of(offset);
                    assert_eq!(
                        part.line_range(bytes, line0),
                        whole.line_range(bytes, line0)
                    );
                }
            }
        }
    }

    #[test]
    fn count_lines_agrees_with_the_index() {
        for text in ["", "a", "a\n", "a\r\nb\rc\n\nd", "\r\r\n\n", "x\ry"] {
            for lf_only in [false, true] {
                let bytes = text.as_bytes();
                let idx = LineIndex::build(bytes, lf_only);
                let last = idx.line_start(idx.line_count() - 1);
                assert_eq!(
                    LineIndex::count_lines(bytes, lf_only),
                    (idx.line_count() - 1, last),
                    "{text:?} lf_only={lf_only}"
                );
            }
        }
    }

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
