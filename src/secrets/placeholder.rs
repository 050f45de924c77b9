//! Recognises documentation placeholders (`sk-ant-api03-xxxx…`, `YOUR_KEY_HERE`,
//! `<your-key>`, one repeated character, `abcdef…` runs) so they are not reported
//! as leaks. Applied only after a match, so it costs nothing on clean bytes.

/// Words that mark a value as an example rather than a credential.
const MARKER_WORDS: &[&str] = &[
    "example",
    "sample",
    "dummy",
    "placeholder",
    "your",
    "redacted",
    "changeme",
    "change_me",
    "insert",
    "replace",
    "fake",
    "xxxx",
    "todo",
    "notreal",
    "not_real",
    "not-real",
];

/// True when a token body (the part after the vendor prefix) is a placeholder.
pub fn is_placeholder_body(body: &[u8]) -> bool {
    if body.is_empty() {
        return true;
    }
    // Random bodies contain short words by chance (`ToDo`, `fAkE`, `xXxx`:
    // one key in ~10,000 holds four x's in a row): in a body a marker counts
    // only where a writer would put it — at the start or after a separator
    // (`YOUR_KEY_HERE`, `abc-example-key`) — and a short one only when a
    // separator or the end follows too. Masking x's count only as a long
    // run or a large share of the body (`xxxx-xxxx-…`).
    if has_marker_word_at_boundary(body) || is_mostly_xs(body) {
        return true;
    }
    if dominant_char_share(body) * 10 > body.len() * 4 {
        return true; // one character fills more than 40 %
    }
    if sequential_share(body) * 2 > body.len() {
        return true; // abcdef…, 0123…
    }
    distinct_chars(body) < 8 && body.len() >= 16
}

/// True when a value assigned to a credential variable is a placeholder or
/// obviously not a credential (`changeme`, `<your key>`, `***`, `...`, `none`).
/// An `sk-ant-` value counts as a placeholder here: when it is a real token
/// the token rules report it, and when the token scan rejects it, it is a
/// truncated example.
pub fn is_placeholder_value(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v.starts_with("sk-ant-") {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "none" | "null" | "nil" | "false" | "true" | "undefined" | "unset" | "empty" | "-" | "x"
    ) {
        return true;
    }
    if (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('[') && v.ends_with(']'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || (v.starts_with('%') && v.ends_with('%') && v.len() > 2)
        || (v.starts_with('@') && v.ends_with('@') && v.len() > 2)
    {
        return true;
    }
    if v.contains("...") || v.contains('…') || v.contains("***") {
        return true;
    }
    let bytes = v.as_bytes();
    if has_marker_word(bytes) {
        return true;
    }
    // A run of one character (`xxxxxx`, `000000`, `******`).
    dominant_char_share(bytes) * 10 > bytes.len() * 6
}

fn has_marker_word_at_boundary(bytes: &[u8]) -> bool {
    let lower: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
    let separator = |b: Option<&u8>| matches!(b, None | Some(b'_' | b'-' | b'.'));
    MARKER_WORDS.iter().any(|w| {
        memchr::memmem::find_iter(&lower, w.as_bytes()).any(|at| {
            let starts = at == 0 || separator(lower.get(at - 1));
            // Four random letters at a boundary happen; six do not.
            let ends = w.len() >= 5 || separator(lower.get(at + w.len()));
            starts && ends
        })
    })
}

/// A run of at least 8 x's (either case), or runs of 3 or more making up at
/// least a quarter of the body: `xxxxxxxx…`, `xxxx-xxxx-xxxx-xxxx`.
fn is_mostly_xs(bytes: &[u8]) -> bool {
    let mut longest = 0;
    let mut in_runs = 0;
    let mut run = 0;
    for &b in bytes.iter().chain(std::iter::once(&0)) {
        if b == b'x' || b == b'X' {
            run += 1;
            continue;
        }
        longest = longest.max(run);
        if run >= 3 {
            in_runs += run;
        }
        run = 0;
    }
    longest >= 8 || (in_runs > 0 && in_runs * 4 >= bytes.len())
}

fn has_marker_word(bytes: &[u8]) -> bool {
    let lower: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
    MARKER_WORDS
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
}

fn dominant_char_share(bytes: &[u8]) -> usize {
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    counts.into_iter().max().unwrap_or(0)
}

fn distinct_chars(bytes: &[u8]) -> usize {
    let mut seen = [false; 256];
    for &b in bytes {
        seen[b as usize] = true;
    }
    seen.iter().filter(|&&s| s).count()
}

/// How many adjacent pairs step by one (`ab`, `12`, `ba`).
fn sequential_share(bytes: &[u8]) -> usize {
    bytes
        .windows(2)
        .filter(|w| w[1] as i16 - w[0] as i16 == 1 || w[0] as i16 - w[1] as i16 == 1)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_bodies_are_not_placeholders() {
        for seed in 0..200 {
            let body = crate::testkeys::body(95, seed);
            assert!(!is_placeholder_body(body.as_bytes()), "seed {seed}");
        }
    }

    #[test]
    fn words_inside_random_bodies_do_not_make_placeholders() {
        let body = format!(
            "{}ToDoO{}",
            crate::testkeys::body(40, 3),
            crate::testkeys::body(48, 4)
        );
        assert!(!is_placeholder_body(body.as_bytes()));
        let body = format!("abc_example_{}", crate::testkeys::body(60, 5));
        assert!(is_placeholder_body(body.as_bytes()));
    }

    /// Random keys, as a generator of real keys would make them, are never
    /// taken for placeholders (the filter used to drop one in ~10,000 for
    /// holding `xxxx`). Deterministic: the same bodies every run.
    #[test]
    fn random_bodies_are_never_placeholders() {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        let mut state: u64 = 0x0005_EED0_FC1A_0D17;
        let mut next = || {
            // splitmix64
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let mut dropped = Vec::new();
        let mut with_xxxx = 0;
        for i in 0..60_000 {
            // Exact api03 bodies (93 + `AA`), and some of other lengths.
            let len = if i % 4 == 0 { 40 + (i % 80) } else { 93 };
            let mut body: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() >> 58) as usize])
                .collect();
            if len == 93 {
                body.extend_from_slice(b"AA");
            }
            if body.to_ascii_lowercase().windows(4).any(|w| w == b"xxxx") {
                with_xxxx += 1;
            }
            if is_placeholder_body(&body) {
                dropped.push(String::from_utf8_lossy(&body[..6]).into_owned());
            }
        }
        assert!(with_xxxx > 0, "the sample should hold bodies with `xxxx`");
        assert!(
            dropped.is_empty(),
            "{} random bodies dropped",
            dropped.len()
        );
    }

    #[test]
    fn masked_bodies_are_placeholders() {
        let body = crate::testkeys::body(60, 7);
        for masked in [
            format!("xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-{}", &body[..10]),
            format!("{}XXXXXXXXXXXX{}", &body[..30], &body[30..50]),
            format!("{}xxxxxxxx", &body[..40]),
            format!("xxxx_{}", &body[..50]),
            format!("{}-fake", &body[..50]),
            format!("your-key-{}", &body[..40]),
        ] {
            assert!(is_placeholder_body(masked.as_bytes()), "{masked}");
        }
        // Four x's, or a short marker glued to random text, are not enough.
        for real in [
            format!("{}xxxx{}", &body[..40], &body[40..]),
            format!("{}-todoQ{}", &body[..30], &body[30..]),
            format!("fakeZ{}", &body[..50]),
        ] {
            assert!(!is_placeholder_body(real.as_bytes()), "{real}");
        }
    }

    #[test]
    fn obvious_placeholders() {
        assert!(is_placeholder_body(b"..."));
        assert!(is_placeholder_body("x".repeat(95).as_bytes()));
        assert!(is_placeholder_body(
            b"YOUR_KEY_HERE_0000000000000000000000000000000"
        ));
        assert!(is_placeholder_body(
            b"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
        ));
        assert!(is_placeholder_value("<your-api-key>"));
        assert!(is_placeholder_value("changeme"));
        assert!(is_placeholder_value("********"));
        assert!(is_placeholder_value("sk-ant-..."));
        assert!(!is_placeholder_value("gw_8fK2nQ7xLm4Rt9Vb"));
    }
}
