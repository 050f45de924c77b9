//! The token scan: every `sk-ant-` token in a buffer, classified by family and
//! shape. One `memmem` pass finds the shared prefix (tens of GB/s); each hit is
//! then parsed by hand, which is both faster and more exact than a regex with
//! emulated look-around.
//!
//! Shapes follow `shared/reference/claude-code-facts.md` §4: API and admin keys
//! have a documented-by-scanners shape (93 body characters then `AA`); the
//! other families' lengths are undocumented, so only a long-enough body is
//! required and the finding says the length is uncertain.

use std::ops::Range;

use memchr::memmem;

use super::placeholder::is_placeholder_body;

/// A token family: its prefix after `sk-ant-`, what it is, and which rule reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Family {
    /// e.g. `api03`, `admin01`, `cc`
    pub tag: &'static str,
    pub rule_id: &'static str,
    pub token_type: &'static str,
    pub what: &'static str,
    /// The body is `<93 chars>AA` for an exact match.
    pub exact_shape_known: bool,
    /// Session JWT families: body is `header.payload.signature`.
    pub jwt: bool,
}

pub const FAMILIES: &[Family] = &[
    Family {
        tag: "api03",
        rule_id: "CLD101",
        token_type: "anthropic-api-key",
        what: "Anthropic API key",
        exact_shape_known: true,
        jwt: false,
    },
    Family {
        tag: "admin01",
        rule_id: "CLD102",
        token_type: "anthropic-admin-key",
        what: "Anthropic Admin API key",
        exact_shape_known: true,
        jwt: false,
    },
    Family {
        tag: "api01",
        rule_id: "CLD103",
        token_type: "claude-enterprise-key",
        what: "Claude Enterprise compliance/admin key",
        exact_shape_known: false,
        jwt: false,
    },
    Family {
        tag: "oat01",
        rule_id: "CLD104",
        token_type: "claude-oauth-access-token",
        what: "Claude OAuth access token (claude setup-token / CLAUDE_CODE_OAUTH_TOKEN)",
        exact_shape_known: false,
        jwt: false,
    },
    Family {
        tag: "ort01",
        rule_id: "CLD105",
        token_type: "claude-oauth-refresh-token",
        what: "Claude OAuth refresh token",
        exact_shape_known: false,
        jwt: false,
    },
    Family {
        tag: "sid01",
        rule_id: "CLD106",
        token_type: "claude-session-key",
        what: "claude.ai session key",
        exact_shape_known: false,
        jwt: false,
    },
    Family {
        tag: "cc",
        rule_id: "CLD107",
        token_type: "claude-session-jwt",
        what: "Claude Code self-hosted session token (JWT)",
        exact_shape_known: false,
        jwt: true,
    },
    Family {
        tag: "si",
        rule_id: "CLD107",
        token_type: "claude-session-jwt",
        what: "Claude cloud session token (JWT)",
        exact_shape_known: false,
        jwt: true,
    },
];

/// Tokens of an unknown `sk-ant-<letters><2 digits>-` family (`api04`, `oat02`, ...).
pub const UNKNOWN_FAMILY: Family = Family {
    tag: "",
    rule_id: "CLD108",
    token_type: "anthropic-token-unknown-family",
    what: "Anthropic-style token of an undocumented family",
    exact_shape_known: false,
    jwt: false,
};

const PREFIX: &[u8] = b"sk-ant-";
/// Body length of an exact API/admin key: 93 characters plus `AA`.
pub const EXACT_BODY_LEN: usize = 95;
/// Shortest body accepted for families whose length is undocumented.
pub const MIN_BODY_LEN: usize = 40;
/// Longest token considered; longer runs are not tokens but blobs of text.
pub const MAX_TOKEN_LEN: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenMatch {
    pub family: Family,
    /// The whole token, `sk-ant-` included.
    pub span: Range<usize>,
    /// Length of the public prefix (`sk-ant-api03-`).
    pub prefix_len: usize,
    /// The token has the exact documented/observed shape.
    pub exact: bool,
}

fn is_body_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A searcher built once and shared by all threads.
pub struct TokenScanner {
    finder: memmem::Finder<'static>,
}

impl Default for TokenScanner {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenScanner {
    pub fn new() -> Self {
        TokenScanner {
            finder: memmem::Finder::new(PREFIX),
        }
    }

    /// Every real (non-placeholder) token in `hay`. `hay` may be a chunk of a
    /// larger file: spans are relative to it.
    pub fn scan(&self, hay: &[u8]) -> Vec<TokenMatch> {
        Self::tokens_at(hay, self.finder.find_iter(hay))
    }

    /// [`TokenScanner::scan`], and whether `hay` holds the ignore marker, in
    /// one pass over it (see [`crate::secrets::needles`]).
    pub fn scan_and_mark(&self, hay: &[u8]) -> (Vec<TokenMatch>, bool) {
        let mut starts = Vec::new();
        let marker = crate::secrets::needles::find_both(hay, &mut starts);
        (Self::tokens_at(hay, starts), marker)
    }

    /// The real tokens among the `sk-ant-` occurrences at `starts`.
    fn tokens_at(hay: &[u8], starts: impl IntoIterator<Item = usize>) -> Vec<TokenMatch> {
        let mut out = Vec::new();
        for at in starts {
            // A key preceded by a letter or digit (any script) is part of
            // another word.
            if preceded_by_word_char(hay, at) {
                continue;
            }
            if let Some(m) = parse_token(hay, at) {
                out.push(m);
            }
        }
        out
    }

    /// True when `hay` contains the shared prefix at all (a cheap gate).
    pub fn may_contain(&self, hay: &[u8]) -> bool {
        self.finder.find(hay).is_some()
    }
}

/// True when the character before `at` is a letter or digit: ASCII, or a
/// Unicode one (`é`, `ß`, `٣`) decoded from the UTF-8 bytes before `at`.
/// Bytes that do not decode (binary data, a chunk boundary) are no word.
fn preceded_by_word_char(hay: &[u8], at: usize) -> bool {
    let Some(&last) = at.checked_sub(1).and_then(|i| hay.get(i)) else {
        return false;
    };
    if last.is_ascii() {
        return last.is_ascii_alphanumeric();
    }
    // Back over continuation bytes to the lead byte (at most 4 bytes in all).
    let start = (at.saturating_sub(4)..at)
        .rev()
        .find(|&i| hay[i] & 0xC0 != 0x80)
        .unwrap_or(at - 1);
    std::str::from_utf8(&hay[start..at])
        .ok()
        .and_then(|s| s.chars().next_back())
        .is_some_and(char::is_alphanumeric)
}

/// Parses a token starting at `at` (which points at `sk-ant-`).
fn parse_token(hay: &[u8], at: usize) -> Option<TokenMatch> {
    let tag_start = at + PREFIX.len();
    let rest = &hay[tag_start..];
    // The family tag: letters then digits, then `-`.
    let letters = rest.iter().take_while(|b| b.is_ascii_lowercase()).count();
    let digits = rest[letters..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let tag_len = letters + digits;
    if letters == 0 || rest.get(tag_len) != Some(&b'-') {
        return None;
    }
    let tag = &rest[..tag_len];
    let body_start = tag_start + tag_len + 1;
    let family = FAMILIES
        .iter()
        .find(|f| f.tag.as_bytes() == tag)
        .copied()
        .or_else(|| (digits == 2).then_some(UNKNOWN_FAMILY))?;

    let limit = (body_start + MAX_TOKEN_LEN).min(hay.len());
    let body_end = if family.jwt {
        jwt_end(hay, body_start, limit)?
    } else {
        let n = hay[body_start..limit]
            .iter()
            .take_while(|&&b| is_body_byte(b))
            .count();
        body_start + n
    };
    if body_end == limit && limit < hay.len() && is_body_byte(hay[limit]) {
        return None; // an absurdly long run: not a token
    }
    let body = &hay[body_start..body_end];
    if !family.jwt && body.len() < MIN_BODY_LEN {
        return None;
    }
    if is_placeholder_body(body) {
        return None;
    }
    let exact = if family.jwt {
        true
    } else {
        body.len() == EXACT_BODY_LEN && body.ends_with(b"AA")
    };
    // API and admin keys of the wrong length are reported only when close to
    // the documented shape (80..=128 body characters), as other scanners do.
    if family.exact_shape_known && !exact && !(80..=128).contains(&body.len()) {
        return None;
    }
    Some(TokenMatch {
        family,
        span: at..body_end,
        prefix_len: body_start - at,
        exact,
    })
}

/// A JWT body: three base64url segments separated by dots, header starting `eyJ`.
fn jwt_end(hay: &[u8], start: usize, limit: usize) -> Option<usize> {
    let mut pos = start;
    for segment in 0..3 {
        let n = hay[pos..limit]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            .count();
        if n < 8 {
            return None;
        }
        if segment == 0 && !hay[pos..].starts_with(b"eyJ") {
            return None;
        }
        pos += n;
        if segment < 2 {
            if hay.get(pos) != Some(&b'.') {
                return None;
            }
            pos += 1;
        }
    }
    Some(pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkeys;

    fn scan(s: &str) -> Vec<TokenMatch> {
        TokenScanner::new().scan(s.as_bytes())
    }

    #[test]
    fn finds_exact_api_and_admin_keys() {
        for (tag, rule) in [("api03", "CLD101"), ("admin01", "CLD102")] {
            let key = testkeys::key(tag, 1);
            let text = format!("ANTHROPIC_API_KEY=\"{key}\"\n");
            let found = scan(&text);
            assert_eq!(found.len(), 1, "{tag}");
            assert_eq!(found[0].family.rule_id, rule);
            assert!(found[0].exact);
            assert_eq!(&text[found[0].span.clone()], key);
        }
    }

    #[test]
    fn word_boundary_before_the_key() {
        let key = testkeys::key("api03", 2);
        assert!(scan(&format!("x{key}")).is_empty());
        assert!(scan(&format!("9{key}")).is_empty());
        assert_eq!(scan(&format!("_{key}")).len(), 1);
        assert_eq!(scan(&format!("({key})")).len(), 1);
    }

    #[test]
    fn word_boundary_counts_unicode_letters_and_digits() {
        let key = testkeys::key("api03", 2);
        for word in ["é", "ß", "ж", "字", "٣", "Ⅻ"] {
            assert!(scan(&format!("{word}{key}")).is_empty(), "{word}");
        }
        // Punctuation, symbols and spaces outside ASCII are boundaries.
        for sep in ["«", "—", "\u{a0}", "😀", "“"] {
            assert_eq!(scan(&format!("{sep}{key}")).len(), 1, "{sep}");
        }
        // Bytes that are not UTF-8 (binary) are no word either.
        let mut bytes = vec![0xFFu8, 0x80];
        bytes.extend_from_slice(key.as_bytes());
        assert_eq!(TokenScanner::new().scan(&bytes).len(), 1);
    }

    #[test]
    fn wrong_suffix_or_length_is_not_exact() {
        let key = testkeys::key("api03", 3);
        let wrong_suffix = format!("{}BB", &key[..key.len() - 2]);
        let found = scan(&wrong_suffix);
        assert_eq!(found.len(), 1);
        assert!(!found[0].exact);
        let too_short = &key[..60];
        assert!(scan(too_short).is_empty());
    }

    #[test]
    fn placeholders_are_not_tokens() {
        let xs = format!("sk-ant-api03-{}AA", "x".repeat(93));
        let example = format!("sk-ant-oat01-EXAMPLE{}", testkeys::body(60, 1));
        for text in [
            "sk-ant-...",
            "sk-ant-api03-...",
            xs.as_str(),
            "sk-ant-oat01-YOUR_KEY_HERE",
            example.as_str(),
        ] {
            assert!(scan(text).is_empty(), "{text}");
        }
        let seq: String = (0..95).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        assert!(scan(&format!("sk-ant-api03-{seq}")).is_empty());
    }

    #[test]
    fn uncertain_families_need_forty_body_chars() {
        let t = testkeys::key("oat01", 4);
        let found = scan(&t);
        assert_eq!(found[0].family.rule_id, "CLD104");
        let short = testkeys::body(30, 9);
        assert!(scan(&format!("sk-ant-ort01-{short}")).is_empty());
        let long = testkeys::body(60, 9);
        let found = scan(&format!("sk-ant-ort01-{long}"));
        assert_eq!(found[0].family.rule_id, "CLD105");
        assert!(!found[0].exact);
    }

    #[test]
    fn session_jwts_and_unknown_families() {
        let jwt = testkeys::key("cc", 5);
        let found = scan(&format!("token: {jwt}\n"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].family.rule_id, "CLD107");
        let unknown = format!("sk-ant-api04-{}", testkeys::body(93, 6) + "AA");
        let found = scan(&unknown);
        assert_eq!(found[0].family.rule_id, "CLD108");
        assert!(scan("sk-ant-foo-bar").is_empty());
    }
}
