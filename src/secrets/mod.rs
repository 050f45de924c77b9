//! Anthropic token recognition, placeholder filtering, redaction and hashing.
//!
//! Nothing in this module returns a secret in clear text to callers outside
//! the scan: [`Secret`] keeps the value private and hands out only its
//! redacted form and hash.

pub mod needles;
pub mod placeholder;
pub mod tokens;
pub mod vendors;

use std::fmt;

use sha2::{Digest, Sha256};

use crate::finding::SecretRef;

pub fn hash_hex(data: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(data);
    // Called for every finding's fingerprint: no `format!` per byte.
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// A secret value found in a file. `Debug` and `Display` print the redacted form only.
pub struct Secret<'a> {
    value: &'a [u8],
    prefix_len: usize,
}

impl<'a> Secret<'a> {
    /// `prefix_len` is the length of a public vendor prefix (`sk-ant-api03-`)
    /// that may be shown in full.
    pub fn new(value: &'a [u8], prefix_len: usize) -> Self {
        Secret {
            value,
            prefix_len: prefix_len.min(value.len()),
        }
    }

    pub fn redacted(&self) -> String {
        redact(self.value, self.prefix_len)
    }

    pub fn sha256(&self) -> String {
        hash_hex(self.value)
    }

    pub fn to_ref(&self, token_type: &'static str) -> SecretRef {
        SecretRef {
            redacted: self.redacted(),
            sha256: self.sha256(),
            token_type,
        }
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

/// `sk-ant-api03-Ab…yzAA`: the public prefix, then at most two characters of
/// each end of the body, and only when the body is long enough that this
/// reveals little. Short secrets show no body characters at all.
pub fn redact(value: &[u8], prefix_len: usize) -> String {
    let text = String::from_utf8_lossy(value);
    let chars: Vec<char> = text.chars().collect();
    let prefix_chars = String::from_utf8_lossy(&value[..prefix_len])
        .chars()
        .count();
    let (prefix, body) = chars.split_at(prefix_chars.min(chars.len()));
    let prefix: String = prefix.iter().collect();
    if body.len() >= 24 {
        let head: String = body[..2].iter().collect();
        let tail: String = body[body.len() - 4..].iter().collect();
        format!("{prefix}{head}…{tail}")
    } else if body.len() >= 12 {
        let head: String = body[..2].iter().collect();
        format!("{prefix}{head}…")
    } else {
        format!("{prefix}…")
    }
}

/// Masks every `sk-ant-` token in free text (messages, diagnostics) with its
/// redacted form: the safety net for text that may quote file content. Any
/// case counts (a parser may upper-case a word), with no word boundary and no
/// placeholder filter; runs too short to be a secret (`sk-ant-api03-Ab…`, an
/// already redacted form) are left as they are. Borrowed when nothing matched.
pub fn redact_text(text: &str) -> std::borrow::Cow<'_, str> {
    const NEEDLE: &[u8] = b"sk-ant-";
    let bytes = text.as_bytes();
    let lower = bytes.to_ascii_lowercase();
    let mut out = String::new();
    let mut copied = 0;
    let mut pos = 0;
    while let Some(i) = memchr::memmem::find(&lower[pos..], NEEDLE) {
        let at = pos + i;
        let is_token = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
        let end = at
            + NEEDLE.len()
            + bytes[at + NEEDLE.len()..]
                .iter()
                .take_while(|b| is_token(b))
                .count();
        // `sk-ant-<tag>-` is public; the rest is the body.
        let tag = bytes[at + NEEDLE.len()..end]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let prefix_len = if bytes.get(at + NEEDLE.len() + tag) == Some(&b'-') {
            NEEDLE.len() + tag + 1
        } else {
            NEEDLE.len()
        };
        if end - at >= prefix_len + MIN_REDACTED_BODY {
            out.push_str(&text[copied..at]);
            out.push_str(&redact(&bytes[at..end], prefix_len));
            copied = end;
        }
        pos = end.max(at + 1);
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// [`redact_text`] and also the given byte ranges of `text` (matches of
/// custom token rules), each replaced by its redacted form.
pub fn redact_text_and(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut ranges: Vec<std::ops::Range<usize>> = ranges
        .iter()
        .filter(|r| r.start < r.end && r.end <= text.len())
        .filter(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
        .cloned()
        .collect();
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for r in ranges {
        if r.start < pos {
            continue;
        }
        out.push_str(&text[pos..r.start]);
        out.push_str(&redact(&text.as_bytes()[r.clone()], 0));
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    redact_text(&out).into_owned()
}

/// Shorter bodies are not secrets worth masking (and may be redactions).
const MIN_REDACTED_BODY: usize = 8;

/// A word from a file quoted in a message, safe to show: verbatim when it is
/// short and made of letters, digits and `_` (an instruction keyword, a
/// heredoc delimiter), else only its first characters and its length, so a
/// secret that lands where a keyword belongs is never echoed.
pub fn quote_word(word: &str, max_len: usize) -> String {
    let clipped = clip_word(word, max_len);
    if clipped == word {
        format!("`{word}`")
    } else {
        format!("`{clipped}` ({} characters)", word.chars().count())
    }
}

/// [`quote_word`] without quotes or length: the word, or its first three
/// characters and `…` (for logical locations).
pub fn clip_word(word: &str, max_len: usize) -> String {
    let plain = word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain && word.len() <= max_len {
        return word.to_string();
    }
    let head: String = word.chars().take(3).collect();
    format!("{}…", redact_text(&head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_hex_is_lower_case_sha256() {
        assert_eq!(
            hash_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn redaction_hides_the_body() {
        let body = "Q".repeat(10) + &"w".repeat(80) + "xyAA";
        let value = format!("sk-ant-api03-{body}");
        let r = redact(value.as_bytes(), 13);
        assert_eq!(r, "sk-ant-api03-QQ…xyAA");
        assert_eq!(redact(b"hunter2", 0), "…");
        assert_eq!(redact(b"abcdefghijklmn", 0), "ab…");
    }

    #[test]
    fn debug_never_prints_the_value() {
        let value = "gateway-token-0123456789abcdefghij";
        let s = Secret::new(value.as_bytes(), 0);
        assert!(!format!("{s:?}").contains(value));
    }

    #[test]
    fn redact_text_masks_tokens_in_any_case() {
        let key = crate::testkeys::key("api03", 11);
        let upper = key.to_ascii_uppercase();
        let text = format!("unknown `{upper}` and {key}.");
        let masked = redact_text(&text);
        assert!(
            !masked.contains(&key) && !masked.contains(&upper),
            "{masked}"
        );
        assert!(masked.contains("sk-ant-api03-"), "{masked}");
        // Already redacted forms and short mentions stay as they are.
        let redacted = redact(key.as_bytes(), 13);
        assert_eq!(redact_text(&redacted), redacted);
        assert_eq!(redact_text("sk-ant-... example"), "sk-ant-... example");
        let custom = [6..32, 40..41];
        let masked = redact_text_and("token gw_abcdefghijklmnopqrstuvwx here", &custom);
        assert!(!masked.contains("abcdefghijklmnop"), "{masked}");
    }

    #[test]
    fn quoted_words_are_clipped() {
        assert_eq!(quote_word("FROM", 12), "`FROM`");
        let key = crate::testkeys::key("api03", 12).to_ascii_uppercase();
        let q = quote_word(&key, 12);
        assert!(q.len() < 30 && !q.contains(&key[..20]), "{q}");
    }
}
