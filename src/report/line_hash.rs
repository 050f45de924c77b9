//! `partialFingerprints.primaryLocationLineHash`, computed the way GitHub's
//! codeql-action computes it (`src/fingerprints.ts`), so that a SARIF file
//! uploaded without upload-sarif (`gh api …/code-scanning/sarifs`) still
//! matches alerts across runs, and upload-sarif finds our value consistent.
//!
//! The algorithm, restated: the file is read as UTF-16 code units (what
//! JavaScript's `charCodeAt` yields after decoding UTF-8 lossily). Spaces and
//! tabs are skipped, CR and CRLF become LF, and one sentinel unit (0xFFFF)
//! marks the end of the input. A polynomial rolling hash (base 37, 64-bit
//! wrapping arithmetic) runs over a window of the next 100 kept units; the
//! hash of a line is the window's value once the line's first kept unit has
//! slid out of it (the input is padded with zeros so every line gets a
//! full window). Each hash is printed in lowercase hex without padding and
//! numbered by how often that same hash has already appeared in the file.
//!
//! There is one hash per line, where lines are what `\r\n`, `\r` or `\n`
//! separate: `"a\n"` has two lines, the second one empty.

use std::collections::HashMap;

/// How many kept UTF-16 units each line's hash covers.
const WINDOW: usize = 100;
const BASE: u64 = 37;
/// Marks the end of the input, so the last line hashes differently from padding.
const END_OF_INPUT: u16 = 0xFFFF;

/// One `"<hex>:<n>"` value per line of `content`, in line order.
pub fn line_hashes(content: &[u8]) -> Vec<String> {
    hash_lines(content, None)
        .into_iter()
        .map(|(_, hash)| hash)
        .collect()
}

/// The values of the 1-based `lines` only (sorted), by line. The file is
/// hashed only as far as the last of them, and only their values are
/// written out: a SARIF report hashes the few lines with a result in each
/// file, not every line of every file.
pub fn hashes_of_lines(content: &[u8], lines: &[usize]) -> HashMap<usize, String> {
    hash_lines(content, Some(lines)).into_iter().collect()
}

fn hash_lines(content: &[u8], wanted: Option<&[usize]>) -> Vec<(usize, String)> {
    let mut hasher = RollingHasher::new(wanted);
    // Decoded as `String::from_utf8_lossy` would (one U+FFFD per invalid
    // sequence), without copying the file first.
    for chunk in content.utf8_chunks() {
        let valid = chunk.valid();
        // Most text is ASCII: its bytes are its UTF-16 units.
        let done = if valid.is_ascii() {
            hasher.feed(valid.bytes().map(u16::from))
        } else {
            hasher.feed(valid.encode_utf16())
        };
        if done {
            break;
        }
        if !chunk.invalid().is_empty() {
            hasher.push(0xFFFD);
        }
    }
    if !hasher.done() {
        hasher.push(END_OF_INPUT);
        hasher.finish();
    }
    hasher.out
}

/// The value each line's first unit would be multiplied by once it leaves the
/// window: BASE^WINDOW, wrapping.
fn outgoing_factor() -> u64 {
    (0..WINDOW).fold(1u64, |acc, _| acc.wrapping_mul(BASE))
}

struct RollingHasher<'w> {
    /// The last `WINDOW` kept units, as a ring buffer.
    window: [u16; WINDOW],
    /// For each ring slot, the 1-based line that starts at that unit, if any.
    line_starts: [Option<usize>; WINDOW],
    next_slot: usize,
    hash: u64,
    outgoing_factor: u64,
    lines_seen: usize,
    at_line_start: bool,
    after_cr: bool,
    /// The lines whose values are wanted (sorted), or every line.
    wanted: Option<&'w [usize]>,
    /// Index into `wanted` of the next line to write out.
    next_wanted: usize,
    /// Output: line and value, in line order.
    out: Vec<(usize, String)>,
    /// How often each hash was seen (the hashes are their own keys).
    repeats: HashMap<u64, usize, std::hash::BuildHasherDefault<HashIsKey>>,
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
struct HashIsKey(u64);

impl std::hash::Hasher for HashIsKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl<'w> RollingHasher<'w> {
    fn new(wanted: Option<&'w [usize]>) -> Self {
        RollingHasher {
            window: [0; WINDOW],
            line_starts: [None; WINDOW],
            next_slot: 0,
            hash: 0,
            outgoing_factor: outgoing_factor(),
            lines_seen: 0,
            at_line_start: true,
            after_cr: false,
            wanted,
            next_wanted: 0,
            out: Vec::new(),
            repeats: HashMap::default(),
        }
    }

    /// Feeds `units` until every wanted line has its value; tells whether it has.
    fn feed(&mut self, units: impl Iterator<Item = u16>) -> bool {
        for unit in units {
            self.push(unit);
            if self.done() {
                return true;
            }
        }
        false
    }

    /// Every wanted line has its value: the rest of the file cannot change them.
    fn done(&self) -> bool {
        self.wanted
            .is_some_and(|wanted| self.next_wanted >= wanted.len())
    }

    /// Feeds one UTF-16 unit of the input (or the end marker).
    fn push(&mut self, unit: u16) {
        let is_blank = unit == u16::from(b' ') || unit == u16::from(b'\t');
        // The LF of a CRLF was already counted as the CR.
        if is_blank || (self.after_cr && unit == u16::from(b'\n')) {
            self.after_cr = false;
            return;
        }
        self.after_cr = unit == u16::from(b'\r');
        let unit = if self.after_cr {
            u16::from(b'\n')
        } else {
            unit
        };

        self.emit_if_line_leaves_window();
        if self.at_line_start {
            self.at_line_start = false;
            self.lines_seen += 1;
            self.line_starts[self.next_slot] = Some(self.lines_seen);
        }
        if unit == u16::from(b'\n') {
            self.at_line_start = true;
        }
        self.roll(unit);
    }

    /// Pads with zeros until every line still in the window has its hash.
    fn finish(&mut self) {
        for _ in 0..WINDOW {
            self.emit_if_line_leaves_window();
            self.roll(0);
        }
    }

    /// A full window has passed since the line starting in the next slot
    /// began, so the current hash is that line's.
    fn emit_if_line_leaves_window(&mut self) {
        let Some(line) = self.line_starts[self.next_slot].take() else {
            return;
        };
        let count = self.repeats.entry(self.hash).or_insert(0);
        *count += 1;
        let wanted = match self.wanted {
            None => true,
            Some(wanted) => {
                while wanted.get(self.next_wanted).is_some_and(|&w| w < line) {
                    self.next_wanted += 1;
                }
                let hit = wanted.get(self.next_wanted) == Some(&line);
                while wanted.get(self.next_wanted) == Some(&line) {
                    self.next_wanted += 1;
                }
                hit
            }
        };
        if wanted {
            self.out.push((line, format!("{:x}:{count}", self.hash)));
        }
    }

    fn roll(&mut self, unit: u16) {
        let leaving = self.window[self.next_slot];
        self.window[self.next_slot] = unit;
        self.hash = self
            .hash
            .wrapping_mul(BASE)
            .wrapping_add(u64::from(unit))
            .wrapping_sub(self.outgoing_factor.wrapping_mul(u64::from(leaving)));
        self.next_slot += 1;
        if self.next_slot == WINDOW {
            self.next_slot = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{hashes_of_lines, line_hashes};

    /// Hashing only some lines gives each of them what hashing the whole
    /// file gives it: for mixed line ends, invalid UTF-8, repeated lines,
    /// and wanted lines that repeat or lie past the end.
    #[test]
    fn some_lines_agree_with_all_lines() {
        let files: [&[u8]; 4] = [
            b"a\nb\r\nc\rd\n\n  e\n",
            b"x\nx\nx\ny\nx\n",
            b"ok\n\xff\xfe bad\nafter\n\xe2\x82 cut",
            b"\xc3\xa9t\xc3\xa9\n\xf0\x9f\x98\x80\nend",
        ];
        for content in files {
            let all = line_hashes(content);
            for wanted in [
                vec![1],
                vec![2, 2, 3],
                vec![1, 4],
                vec![all.len()],
                vec![3, 99],
            ] {
                let some = hashes_of_lines(content, &wanted);
                for line in wanted.iter().filter(|&&l| l <= all.len()) {
                    assert_eq!(
                        some.get(line),
                        Some(&all[line - 1]),
                        "{content:?} line {line}"
                    );
                }
                assert!(some.keys().all(|line| wanted.contains(line)));
            }
        }
    }

    /// Vectors from codeql-action's `src/fingerprints.test.ts`.
    fn check(input: &str, expected: &[&str]) {
        assert_eq!(line_hashes(input.as_bytes()), expected, "input {input:?}");
    }

    #[test]
    fn empty_file() {
        check("", &["c129715d7a2bc9a3:1"]);
    }

    #[test]
    fn leading_blanks_are_ignored() {
        check(
            " a\nb\n  \t\tc\n d",
            &[
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1",
            ],
        );
    }

    #[test]
    fn without_final_newline() {
        check(
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
            &[
                "8b7cf3e952e7aeb2:1",
                "b1ae1287ec4718d9:1",
                "bff680108adb0fcc:1",
                "c6805c5e1288b612:1",
                "b86d3392aea1be30:1",
                "e6ceba753e1a442:1",
            ],
        );
    }

    const WITH_FINAL_NEWLINE: [&str; 7] = [
        "e9496ae3ebfced30:1",
        "fb7c023a8b9ccb3f:1",
        "ce8ba1a563dcdaca:1",
        "e20e36e16fcb0cc8:1",
        "b3edc88f2938467e:1",
        "c8e28b0b4002a3a0:1",
        "c129715d7a2bc9a3:1",
    ];

    #[test]
    fn every_line_ending_hashes_alike() {
        for input in [
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        ] {
            check(input, &WITH_FINAL_NEWLINE);
        }
    }

    #[test]
    fn repeated_lines_are_numbered() {
        check(
            &"Lorem ipsum dolor sit amet.\n".repeat(10),
            &[
                "a7f2ff13bc495cf2:1",
                "a7f2ff13bc495cf2:2",
                "a7f2ff13bc495cf2:3",
                "a7f2ff13bc495cf2:4",
                "a7f2ff13bc495cf2:5",
                "a7f2ff13bc495cf2:6",
                "a7f2ff1481e87703:1",
                "a9cf91f7bbf1862b:1",
                "55ec222b86bcae53:1",
                "cc97dc7b1d7d8f7b:1",
                "c129715d7a2bc9a3:1",
            ],
        );
    }

    #[test]
    fn one_hash_per_line_for_any_bytes() {
        let weird: Vec<u8> = vec![
            0xff, b'\r', 0xc3, b'\n', 0xf0, 0x9f, 0x98, 0x80, b'\r', b'\r', b'\n',
        ];
        // Lines: "\xff", "\xc3", "😀", "", "" (CR, CRLF, final empty line).
        assert_eq!(line_hashes(&weird).len(), 5);
    }

    #[test]
    fn astral_characters_count_as_two_units() {
        // A line of 50 emoji fills the 100-unit window exactly, so what follows
        // does not change its hash; 51 would not fit.
        let fifty = "😀".repeat(50);
        let a = line_hashes(format!("{fifty}\nA").as_bytes());
        let b = line_hashes(format!("{fifty}\nB").as_bytes());
        assert_eq!(a[0], b[0]);
        let shorter = "😀".repeat(49);
        let c = line_hashes(format!("{shorter}\nA").as_bytes());
        let d = line_hashes(format!("{shorter}\nB").as_bytes());
        assert_ne!(c[0], d[0]);
    }
}
