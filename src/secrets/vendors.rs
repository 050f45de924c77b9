//! Well-known token formats of vendors other than Anthropic (GitHub, AWS,
//! Google, Slack, Stripe, OpenAI, Supabase, npm, JWTs, private keys, …).
//!
//! These formats are applied only inside Claude Code configuration (settings,
//! `.mcp.json`, `.claude.json`): that is where approving a command or adding an
//! MCP server stores a credential, and keeping the scan there keeps it cheap and
//! free of the noise a whole-repository generic scan would bring. Anthropic's
//! own `sk-ant-` tokens are [`super::tokens`]' job.
//!
//! Each format is a literal prefix (a cheap `memmem` prefilter) plus a regex for
//! the whole token. The regex crate has no look-around, so word boundaries are
//! checked by hand around each match, and a placeholder filter runs on the body.

use std::ops::Range;
use std::sync::OnceLock;

use memchr::memmem;
use regex::Regex;

use super::placeholder::is_placeholder_body;

/// How much a matched token grants on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// A usable credential.
    Full,
    /// A credential with a narrow reach on its own: an AWS key id without its
    /// secret, a test-mode key, a short-lived installation token.
    Limited,
}

/// One token format.
#[derive(Debug, PartialEq, Eq)]
pub struct Format {
    /// Vendor name shown to users (`GitHub`).
    pub vendor: &'static str,
    /// What the token is (`personal access token (classic)`).
    pub what: &'static str,
    /// `SecretRef::token_type` (`github-pat`).
    pub token_type: &'static str,
    /// A literal every token starts with (or contains, for `contains_prefix`).
    prefix: &'static str,
    /// The whole token. Must start with `prefix` (unless `prefix_inside`).
    pattern: &'static str,
    /// The prefix may sit inside the match rather than at its start.
    prefix_inside: bool,
    /// Bytes of the token that are a public, fixed prefix (shown unredacted).
    pub shown_prefix: usize,
    pub strength: Strength,
}

const fn format(
    vendor: &'static str,
    what: &'static str,
    token_type: &'static str,
    prefix: &'static str,
    pattern: &'static str,
) -> Format {
    Format {
        vendor,
        what,
        token_type,
        prefix,
        pattern,
        prefix_inside: false,
        shown_prefix: prefix.len(),
        strength: Strength::Full,
    }
}

const fn limited(mut f: Format) -> Format {
    f.strength = Strength::Limited;
    f
}

/// A format whose prefilter literal sits inside the token, not at its start.
const fn inside(mut f: Format, shown_prefix: usize) -> Format {
    f.prefix_inside = true;
    f.shown_prefix = shown_prefix;
    f
}

/// The formats, most specific first (an earlier format wins an overlapping span).
pub static FORMATS: &[Format] = &[
    format(
        "GitHub",
        "fine-grained personal access token",
        "github-fine-grained-pat",
        "github_pat_",
        r"github_pat_[A-Za-z0-9_]{82}",
    ),
    format(
        "GitHub",
        "personal access token (classic)",
        "github-pat",
        "ghp_",
        r"ghp_[A-Za-z0-9]{36}",
    ),
    format(
        "GitHub",
        "OAuth access token",
        "github-oauth-token",
        "gho_",
        r"gho_[A-Za-z0-9]{36}",
    ),
    format(
        "GitHub",
        "user-to-server token",
        "github-user-token",
        "ghu_",
        r"ghu_[A-Za-z0-9]{36}",
    ),
    limited(format(
        "GitHub",
        "app installation token (expires after an hour)",
        "github-installation-token",
        "ghs_",
        r"ghs_[A-Za-z0-9]{36}",
    )),
    format(
        "GitHub",
        "refresh token",
        "github-refresh-token",
        "ghr_",
        r"ghr_[A-Za-z0-9]{36,76}",
    ),
    format(
        "GitLab",
        "personal access token",
        "gitlab-pat",
        "glpat-",
        r"glpat-[A-Za-z0-9_-]{20,}(?:\.[a-z0-9]{9,})?",
    ),
    format(
        "AWS",
        "access key id",
        "aws-access-key-id",
        "AKIA",
        r"AKIA[A-Z2-7]{16}",
    ),
    limited(format(
        "AWS",
        "temporary access key id (needs its session token)",
        "aws-temporary-access-key-id",
        "ASIA",
        r"ASIA[A-Z2-7]{16}",
    )),
    format(
        "Google",
        "API key",
        "google-api-key",
        "AIza",
        r"AIza[0-9A-Za-z_-]{35}",
    ),
    format(
        "Google",
        "OAuth client secret",
        "google-oauth-client-secret",
        "GOCSPX-",
        r"GOCSPX-[A-Za-z0-9_-]{28}",
    ),
    format(
        "Slack",
        "token",
        "slack-token",
        "xox",
        r"xox[abposr]-[0-9]{6,}-[0-9A-Za-z-]{8,}",
    ),
    format(
        "Slack",
        "app-level token",
        "slack-app-token",
        "xapp-",
        r"xapp-[0-9]-[A-Z0-9]{8,}-[0-9]{6,}-[a-f0-9]{32,}",
    ),
    inside(
        format(
            "Slack",
            "incoming webhook URL",
            "slack-webhook",
            "hooks.slack.com/",
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9]{8,}/[A-Za-z0-9]{8,}/[A-Za-z0-9]{16,}",
        ),
        24,
    ),
    inside(
        format(
            "Discord",
            "webhook URL",
            "discord-webhook",
            "/api/webhooks/",
            r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{15,22}/[A-Za-z0-9_-]{60,}",
        ),
        0,
    ),
    format(
        "Stripe",
        "live secret key",
        "stripe-live-secret-key",
        "sk_live_",
        r"sk_live_[0-9A-Za-z]{20,247}",
    ),
    format(
        "Stripe",
        "live restricted key",
        "stripe-live-restricted-key",
        "rk_live_",
        r"rk_live_[0-9A-Za-z]{20,247}",
    ),
    limited(format(
        "Stripe",
        "test-mode secret key",
        "stripe-test-secret-key",
        "sk_test_",
        r"sk_test_[0-9A-Za-z]{20,247}",
    )),
    format(
        "OpenAI",
        "project API key",
        "openai-project-key",
        "sk-proj-",
        r"sk-proj-[A-Za-z0-9_-]{40,}",
    ),
    format(
        "OpenAI",
        "service account key",
        "openai-service-account-key",
        "sk-svcacct-",
        r"sk-svcacct-[A-Za-z0-9_-]{40,}",
    ),
    format(
        "OpenAI",
        "admin key",
        "openai-admin-key",
        "sk-admin-",
        r"sk-admin-[A-Za-z0-9_-]{40,}",
    ),
    inside(
        format(
            "OpenAI",
            "API key",
            "openai-api-key",
            "T3BlbkFJ",
            r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}",
        ),
        3,
    ),
    format(
        "Supabase",
        "personal access token",
        "supabase-pat",
        "sbp_",
        r"sbp_[a-f0-9]{40}",
    ),
    format(
        "Supabase",
        "secret API key",
        "supabase-secret-key",
        "sb_secret_",
        r"sb_secret_[A-Za-z0-9_-]{20,}",
    ),
    format(
        "npm",
        "access token",
        "npm-token",
        "npm_",
        r"npm_[A-Za-z0-9]{36}",
    ),
    format(
        "PyPI",
        "API token",
        "pypi-token",
        "pypi-AgEIcHlwaS5vcmc",
        r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
    ),
    format(
        "Hugging Face",
        "access token",
        "huggingface-token",
        "hf_",
        r"hf_[A-Za-z0-9]{34}",
    ),
    format(
        "Groq",
        "API key",
        "groq-api-key",
        "gsk_",
        r"gsk_[A-Za-z0-9]{52}",
    ),
    format(
        "Perplexity",
        "API key",
        "perplexity-api-key",
        "pplx-",
        r"pplx-[A-Za-z0-9]{48}",
    ),
    format(
        "xAI",
        "API key",
        "xai-api-key",
        "xai-",
        r"xai-[A-Za-z0-9]{80}",
    ),
    format(
        "Replicate",
        "API token",
        "replicate-token",
        "r8_",
        r"r8_[A-Za-z0-9]{37}",
    ),
    format(
        "Linear",
        "API key",
        "linear-api-key",
        "lin_api_",
        r"lin_api_[A-Za-z0-9]{40}",
    ),
    format(
        "Notion",
        "integration token",
        "notion-token",
        "ntn_",
        r"ntn_[0-9]{11}[A-Za-z0-9]{35}",
    ),
    format(
        "Figma",
        "personal access token",
        "figma-pat",
        "figd_",
        r"figd_[A-Za-z0-9_-]{40,}",
    ),
    format(
        "SendGrid",
        "API key",
        "sendgrid-api-key",
        "SG.",
        r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}",
    ),
    inside(
        format(
            "DigitalOcean",
            "token",
            "digitalocean-token",
            "_v1_",
            r"do[por]_v1_[a-f0-9]{64}",
        ),
        7,
    ),
    format(
        "Shopify",
        "access token",
        "shopify-token",
        "shp",
        r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
    ),
    format(
        "Docker Hub",
        "personal access token",
        "dockerhub-pat",
        "dckr_pat_",
        r"dckr_pat_[A-Za-z0-9_-]{27}",
    ),
    format(
        "Atlassian",
        "API token",
        "atlassian-api-token",
        "ATATT3",
        r"ATATT3[A-Za-z0-9_=-]{150,}",
    ),
    format(
        "Tavily",
        "API key",
        "tavily-api-key",
        "tvly-",
        r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}",
    ),
    format(
        "Firecrawl",
        "API key",
        "firecrawl-api-key",
        "fc-",
        r"fc-[a-f0-9]{32}",
    ),
    format(
        "Context7",
        "API key",
        "context7-api-key",
        "ctx7sk",
        r"ctx7sk[-_][A-Za-z0-9-]{30,}",
    ),
    format(
        "Apify",
        "API token",
        "apify-token",
        "apify_api_",
        r"apify_api_[A-Za-z0-9]{36}",
    ),
    format(
        "Sentry",
        "auth token",
        "sentry-auth-token",
        "sntry",
        r"sntry[su]_[A-Za-z0-9+/=_-]{60,}",
    ),
    format(
        "Postman",
        "API key",
        "postman-api-key",
        "PMAK-",
        r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}",
    ),
    format(
        "Mapbox",
        "secret access token",
        "mapbox-secret-token",
        "sk.eyJ",
        r"sk\.eyJ[A-Za-z0-9_-]{50,}\.[A-Za-z0-9_-]{20,}",
    ),
    format(
        "Azure",
        "storage account key",
        "azure-storage-account-key",
        "AccountKey=",
        r"AccountKey=[A-Za-z0-9+/]{86}==",
    ),
    Format {
        shown_prefix: 0,
        ..format(
            "",
            "private key",
            "private-key",
            "-----BEGIN",
            r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|\s)*[A-Za-z0-9+/=]{40,}",
        )
    },
    Format {
        shown_prefix: 0,
        ..format(
            "",
            "JSON Web Token",
            "jwt",
            "eyJ",
            r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}",
        )
    },
];

/// A token found in a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorMatch {
    pub format: &'static Format,
    /// Byte span of the token.
    pub span: Range<usize>,
    pub strength: Strength,
    /// A more specific name decided from the content (`Supabase service-role key`).
    pub refined_what: Option<&'static str>,
    /// For an AWS access key id: the span of a secret access key found near it.
    pub paired_secret: Option<Range<usize>>,
}

impl VendorMatch {
    /// `GitHub personal access token (classic)`.
    pub fn describe(&self) -> String {
        let what = self.refined_what.unwrap_or(self.format.what);
        if self.format.vendor.is_empty() {
            let mut s = what.to_string();
            if let Some(first) = s.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            s
        } else {
            format!("{} {}", self.format.vendor, what)
        }
    }
}

fn compiled() -> &'static [Regex] {
    static COMPILED: OnceLock<Vec<Regex>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        FORMATS
            .iter()
            .map(|f| Regex::new(f.pattern).expect("vendor patterns are valid"))
            .collect()
    })
}

/// Every vendor token in `text`, sorted by position, without overlaps (the
/// earlier format in [`FORMATS`] wins a contested span).
pub fn find(text: &str) -> Vec<VendorMatch> {
    let bytes = text.as_bytes();
    let mut found: Vec<VendorMatch> = Vec::new();
    for (format, regex) in FORMATS.iter().zip(compiled()) {
        if memmem::find(bytes, format.prefix.as_bytes()).is_none() {
            continue;
        }
        for m in regex.find_iter(text) {
            let span = m.range();
            if found.iter().any(|f| overlaps(&f.span, &span)) {
                continue;
            }
            if let Some(hit) = accept(format, text, span) {
                found.push(hit);
            }
        }
    }
    found.sort_by_key(|m| m.span.start);
    found
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The match as a finding-worthy token, or `None` when it is glued to other
/// word characters, a placeholder, or (for JWTs) not a real or not a secret token.
fn accept(format: &'static Format, text: &str, span: Range<usize>) -> Option<VendorMatch> {
    let bytes = text.as_bytes();
    if !bounded(bytes, &span) {
        return None;
    }
    let token = &text[span.clone()];
    let body_start = if format.prefix_inside {
        0
    } else {
        format.prefix.len()
    };
    let body = &token.as_bytes()[body_start.min(token.len())..];
    if is_placeholder_body(body) || is_documentation_example(body) {
        return None;
    }
    let mut hit = VendorMatch {
        format,
        span,
        strength: format.strength,
        refined_what: None,
        paired_secret: None,
    };
    match format.token_type {
        "jwt" => refine_jwt(&mut hit, token)?,
        "aws-access-key-id" => pair_aws_secret(&mut hit, text),
        _ => {}
    }
    Some(hit)
}

/// Vendor documentation marks its sample keys with the word itself
/// (`AKIAIOSFODNN7EXAMPLE`); seven fixed letters never occur by chance.
fn is_documentation_example(body: &[u8]) -> bool {
    ["EXAMPLE", "example", "Example"]
        .iter()
        .any(|w| memmem::find(body, w.as_bytes()).is_some())
}

/// A token must not continue a longer word on either side.
fn bounded(bytes: &[u8], span: &Range<usize>) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let before_ok = span.start == 0 || !word(bytes[span.start - 1]);
    let after_ok = span.end >= bytes.len() || !word(bytes[span.end]);
    before_ok && after_ok
}

// ------------------------------------------------------------------ JWTs

/// JWTs: the header must name an algorithm; Supabase `anon` keys are public by
/// design and dropped; Supabase `service_role` keys are named as such.
fn refine_jwt(hit: &mut VendorMatch, token: &str) -> Option<()> {
    let mut parts = token.split('.');
    let header = base64url_decode(parts.next()?)?;
    let payload = base64url_decode(parts.next()?)?;
    let header = String::from_utf8_lossy(&header);
    let payload = String::from_utf8_lossy(&payload);
    if !header.contains("\"alg\"") {
        return None;
    }
    let compact: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains("\"role\":\"anon\"") {
        return None; // a Supabase anon key: meant to ship in client code
    }
    if compact.contains("\"role\":\"service_role\"") {
        hit.refined_what = Some("Supabase service-role key (JWT; bypasses row-level security)");
    }
    Some(())
}

/// Decodes unpadded base64url; `None` on any other character.
pub fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        } as u32)
    };
    let trimmed = input.trim_end_matches('=');
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in trimmed.as_bytes() {
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

// ------------------------------------------------------------------- AWS

/// How far from an access key id a secret access key counts as its pair.
const AWS_PAIR_WINDOW: usize = 400;

/// An access key id alone grants nothing; with a 40-character secret access
/// key near it, the pair is a full credential.
fn pair_aws_secret(hit: &mut VendorMatch, text: &str) {
    let start = floor_boundary(text, hit.span.start.saturating_sub(AWS_PAIR_WINDOW));
    let end = ceil_boundary(text, (hit.span.end + AWS_PAIR_WINDOW).min(text.len()));
    let window = &text[start..end];
    hit.paired_secret = aws_secret_candidates(window)
        .map(|r| r.start + start..r.end + start)
        .find(|r| !overlaps(r, &hit.span));
    if hit.paired_secret.is_none() {
        hit.strength = Strength::Limited;
    }
}

/// Runs of exactly 40 `[A-Za-z0-9/+]` characters that mix cases and digits.
fn aws_secret_candidates(window: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    static SECRET: OnceLock<Regex> = OnceLock::new();
    let regex = SECRET.get_or_init(|| Regex::new(r"[A-Za-z0-9/+]{40}").expect("valid"));
    let bytes = window.as_bytes();
    regex.find_iter(window).map(|m| m.range()).filter(move |r| {
        let edge = |b: u8| b.is_ascii_alphanumeric() || b == b'/' || b == b'+';
        let alone = (r.start == 0 || !edge(bytes[r.start - 1]))
            && (r.end >= bytes.len() || !edge(bytes[r.end]));
        let s = &bytes[r.clone()];
        alone
            && s.iter().any(u8::is_ascii_lowercase)
            && s.iter().any(u8::is_ascii_uppercase)
            && s.iter().any(u8::is_ascii_digit)
            && !is_placeholder_body(s)
            && !is_documentation_example(s)
    })
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkeys::body;

    /// Alphanumeric body of `len` characters (the test generator's `_`/`-` removed).
    fn alnum(len: usize, seed: u64) -> String {
        body(len * 2, seed)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(len)
            .collect()
    }

    fn hex(len: usize, seed: u64) -> String {
        body(len * 2, seed)
            .bytes()
            .map(|b| b"0123456789abcdef"[(b % 16) as usize] as char)
            .take(len)
            .collect()
    }

    fn types(text: &str) -> Vec<&'static str> {
        find(text).iter().map(|m| m.format.token_type).collect()
    }

    fn b64url(data: &str) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let bytes = data.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n =
                chunk.iter().fold(0u32, |acc, &b| (acc << 8) | b as u32) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    fn jwt(payload: &str, seed: u64) -> String {
        format!(
            "{}.{}.{}",
            b64url(r#"{"alg":"HS256","typ":"JWT"}"#),
            b64url(payload),
            alnum(43, seed)
        )
    }

    #[test]
    fn patterns_compile() {
        assert_eq!(compiled().len(), FORMATS.len());
        for f in FORMATS {
            let literal_start = f.pattern.replace('\\', "");
            assert!(
                f.prefix_inside || literal_start.starts_with(f.prefix),
                "{} must start with its prefix or be marked `inside`",
                f.token_type
            );
            assert!(f.shown_prefix <= f.prefix.len() + 24, "{}", f.token_type);
        }
    }

    #[test]
    fn finds_each_common_vendor_with_its_name() {
        let cases = [
            (
                format!("ghp_{}", alnum(36, 1)),
                "github-pat",
                "GitHub personal access token (classic)",
            ),
            (
                format!("github_pat_{}_{}", alnum(22, 2), alnum(59, 3)),
                "github-fine-grained-pat",
                "GitHub fine-grained personal access token",
            ),
            (
                format!("AIza{}", alnum(35, 4)),
                "google-api-key",
                "Google API key",
            ),
            (
                format!("xoxb-1234567890-1234567890123-{}", alnum(24, 5)),
                "slack-token",
                "Slack token",
            ),
            (
                format!("sk_live_{}", alnum(24, 6)),
                "stripe-live-secret-key",
                "Stripe live secret key",
            ),
            (
                format!("sk-proj-{}", body(120, 7)),
                "openai-project-key",
                "OpenAI project API key",
            ),
            (
                format!("sk-{}T3BlbkFJ{}", alnum(20, 8), alnum(20, 9)),
                "openai-api-key",
                "OpenAI API key",
            ),
            (
                format!("sbp_{}", hex(40, 10)),
                "supabase-pat",
                "Supabase personal access token",
            ),
            (
                format!("npm_{}", alnum(36, 11)),
                "npm-token",
                "npm access token",
            ),
            (
                format!("glpat-{}", alnum(20, 12)),
                "gitlab-pat",
                "GitLab personal access token",
            ),
            (
                format!("hf_{}", alnum(34, 13)),
                "huggingface-token",
                "Hugging Face access token",
            ),
        ];
        for (token, token_type, name) in cases {
            let text = format!("{{\"env\": {{\"X\": \"{token}\"}}}}");
            let found = find(&text);
            assert_eq!(found.len(), 1, "{token_type}: {found:?}");
            assert_eq!(found[0].format.token_type, token_type);
            assert_eq!(&text[found[0].span.clone()], token);
            assert_eq!(found[0].describe(), name);
        }
    }

    #[test]
    fn boundaries_and_placeholders() {
        let token = format!("ghp_{}", alnum(36, 21));
        assert_eq!(types(&format!("Bearer {token}")), ["github-pat"]);
        assert_eq!(types(&format!("GITHUB_TOKEN={token}\"")), ["github-pat"]);
        assert!(types(&format!("x{token}")).is_empty(), "glued on the left");
        assert!(
            types(&format!("{token}a")).is_empty(),
            "37 characters is not a classic PAT"
        );
        assert!(types(&format!("ghp_{}", "x".repeat(36))).is_empty());
        assert!(types("ghp_YOUR_TOKEN_HERE_0123456789abcdefghijk").is_empty());
        assert!(types("AKIAIOSFODNN7EXAMPLE").is_empty());
        assert!(types("sk_live_...").is_empty());
        // `pk_live_` publishable keys are public.
        assert!(types(&format!("pk_live_{}", alnum(24, 22))).is_empty());
    }

    #[test]
    fn test_tokens_from_testkeys_are_recognised() {
        for (kind, token_type) in [
            ("github", "github-pat"),
            ("aws", "aws-access-key-id"),
            ("slack", "slack-token"),
            ("stripe", "stripe-live-secret-key"),
            ("openai", "openai-project-key"),
            ("google", "google-api-key"),
            ("npm", "npm-token"),
            ("supabase", "supabase-pat"),
            ("jwt", "jwt"),
        ] {
            for seed in 1..20 {
                let token = crate::testkeys::vendor_token(kind, seed);
                assert_eq!(types(&token), [token_type], "{kind} seed {seed}");
            }
        }
        let pair = format!(
            "{} {}",
            crate::testkeys::vendor_token("aws", 3),
            crate::testkeys::vendor_token("aws-secret", 3)
        );
        assert_eq!(find(&pair)[0].strength, Strength::Full);
    }

    #[test]
    fn anthropic_tokens_are_not_vendor_tokens() {
        let text = crate::testkeys::key("api03", 3);
        assert!(types(&text).is_empty());
    }

    #[test]
    fn aws_key_id_pairs_with_a_nearby_secret() {
        let id = format!("AKIA{}", "QZRT2X7WV3MNBKPL");
        let alone = find(&format!("aws_access_key_id={id}"));
        assert_eq!(alone.len(), 1);
        assert_eq!(alone[0].strength, Strength::Limited);
        assert!(alone[0].paired_secret.is_none());
        let secret = format!("{}/{}", alnum(20, 31), alnum(19, 32));
        let text = format!("AWS_ACCESS_KEY_ID={id} AWS_SECRET_ACCESS_KEY={secret}");
        let paired = find(&text);
        assert_eq!(paired.len(), 1);
        assert_eq!(paired[0].strength, Strength::Full);
        let span = paired[0].paired_secret.clone().expect("paired");
        assert_eq!(&text[span], secret);
    }

    #[test]
    fn jwts_are_decoded_and_public_supabase_keys_dropped() {
        let service = jwt(r#"{"iss":"supabase","role":"service_role","iat":1}"#, 41);
        let found = find(&service);
        assert_eq!(found.len(), 1);
        assert!(found[0].describe().starts_with("Supabase service-role key"));
        let anon = jwt(r#"{"iss":"supabase","role":"anon","iat":1}"#, 42);
        assert!(find(&anon).is_empty());
        let plain = jwt(r#"{"sub":"1234567890","iat":1}"#, 43);
        assert_eq!(find(&plain)[0].describe(), "JSON Web Token");
        // Three base64 segments that are not a JWT header.
        let fake = format!(
            "eyJ{}.eyJ{}.{}",
            alnum(20, 44),
            alnum(20, 45),
            alnum(20, 46)
        );
        assert!(find(&fake).is_empty());
    }

    #[test]
    fn private_keys_need_key_material() {
        let pem = format!(
            "-----BEGIN RSA PRIVATE KEY-----\\n{}\\n",
            body(64, 51).replace(['_', '-'], "A")
        );
        assert_eq!(types(&pem), ["private-key"]);
        assert!(types("-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----").is_empty());
    }

    #[test]
    fn base64url_roundtrip_and_garbage() {
        assert_eq!(base64url_decode(&b64url("hello!")).unwrap(), b"hello!");
        assert_eq!(base64url_decode(&b64url("hi")).unwrap(), b"hi");
        assert!(base64url_decode("a b").is_none());
    }

    #[test]
    fn weird_input_does_not_panic() {
        for text in ["", "é", "ghp_", "AKIA", "eyJ.eyJ.", "-----BEGIN", "AKIAé€"] {
            find(text);
        }
        let long = format!(
            "{}AKIA{}{}",
            "é".repeat(300),
            "QZRT2X7WV3MNBKPL",
            "€".repeat(300)
        );
        assert_eq!(find(&long).len(), 1);
    }
}
