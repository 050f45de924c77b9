//! Anthropic token recognition, placeholder filtering, redaction and hashing.
//!
//! Nothing in this module returns a secret in clear text to callers outside
//! the scan: [`Secret`] keeps the value private and hands out only its
//! redacted form and hash.

pub mod placeholder;
pub mod tokens;
pub mod vendors;

use std::fmt;

use sha2::{Digest, Sha256};

use crate::finding::SecretRef;

pub fn hash_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
