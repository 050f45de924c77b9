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
    // Random bodies contain short words by chance (`ToDo`, `fAkE`): in a body
    // a marker counts only where a writer would put it — at the start or
    // after a separator (`YOUR_KEY_HERE`, `abc-example-key`).
    if has_marker_word_at_boundary(body)
        || memchr::memmem::find(&body.to_ascii_lowercase(), b"xxxx").is_some()
    {
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
    MARKER_WORDS.iter().any(|w| {
        memchr::memmem::find_iter(&lower, w.as_bytes())
            .any(|at| at == 0 || matches!(lower[at - 1], b'_' | b'-'))
    })
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
