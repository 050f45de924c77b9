//! `[policy]` in `.claudit.toml`: what an organisation allows.
//!
//! ```toml
//! [policy]
//! providers = ["bedrock"]                       # only these may be enabled
//! credentials = ["oauth-token", "federation"]   # credential kinds allowed in CI contexts
//! base_url_hosts = ["llm-gateway.example.com"]  # base URLs must point here
//! ```
//!
//! Provider names are those of Claude Code's managed `allowedProviders`
//! list (facts §12.1): `anthropic` (first party), `bedrock`, `vertex`,
//! `foundry`, `anthropicAws`, `mantle`, `customEndpoint` (first party
//! through a non-Anthropic `ANTHROPIC_BASE_URL`) and `gateway`. Credential
//! kinds are [`CredentialKind`]'s. Unknown keys or values are errors that
//! name their line and column. Every entry keeps its span, so a finding can
//! point at the policy line it breaks.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::vars::{CredentialKind, Provider};
use crate::finding::Related;
use crate::source::LineIndex;

/// A provider name as `[policy] providers` accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum PolicyProvider {
    #[serde(rename = "anthropic")]
    Anthropic,
    #[serde(rename = "bedrock")]
    Bedrock,
    #[serde(rename = "vertex")]
    Vertex,
    #[serde(rename = "foundry")]
    Foundry,
    #[serde(rename = "anthropicAws")]
    AnthropicAws,
    #[serde(rename = "mantle")]
    Mantle,
    #[serde(rename = "customEndpoint")]
    CustomEndpoint,
    #[serde(rename = "gateway")]
    Gateway,
}

impl PolicyProvider {
    pub fn of(p: Provider) -> PolicyProvider {
        match p {
            Provider::Bedrock => PolicyProvider::Bedrock,
            Provider::Mantle => PolicyProvider::Mantle,
            Provider::Vertex => PolicyProvider::Vertex,
            Provider::Foundry => PolicyProvider::Foundry,
            Provider::AnthropicAws => PolicyProvider::AnthropicAws,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PolicyProvider::Anthropic => "anthropic",
            PolicyProvider::Bedrock => "bedrock",
            PolicyProvider::Vertex => "vertex",
            PolicyProvider::Foundry => "foundry",
            PolicyProvider::AnthropicAws => "anthropicAws",
            PolicyProvider::Mantle => "mantle",
            PolicyProvider::CustomEndpoint => "customEndpoint",
            PolicyProvider::Gateway => "gateway",
        }
    }
}

impl<'de> Deserialize<'de> for CredentialKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CredentialKind::parse(&s).ok_or_else(|| {
            let all: Vec<&str> = super::vars::CREDENTIAL_KINDS
                .iter()
                .map(|k| k.as_str())
                .collect();
            serde::de::Error::custom(format!(
                "unknown credential kind `{s}`, expected one of {}",
                all.join(", ")
            ))
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub providers: Option<Spanned<Vec<Spanned<PolicyProvider>>>>,
    #[serde(default)]
    pub credentials: Option<Spanned<Vec<Spanned<CredentialKind>>>>,
    #[serde(default)]
    pub base_url_hosts: Option<Spanned<Vec<Spanned<String>>>>,
    /// Where the policy was read from, for related locations.
    #[serde(skip)]
    pub source: Option<PolicySource>,
}

/// The configuration file's display path and text.
#[derive(Debug, Clone, Default)]
pub struct PolicySource {
    pub display: String,
    pub text: String,
}

impl Policy {
    /// Checks what serde cannot: host entries are host names (`gw.example.com`
    /// or `*.example.com`), not URLs. `text` is the configuration file.
    pub fn validate(&self, text: &str) -> Result<(), String> {
        let Some(hosts) = &self.base_url_hosts else {
            return Ok(());
        };
        for h in hosts.get_ref() {
            let value = h.get_ref();
            let wildcard = value.strip_prefix("*.").unwrap_or(value);
            let valid = !wildcard.is_empty()
                && wildcard
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
            if !valid {
                let at = position(text, h.span().start);
                return Err(format!(
                    "{at}: `policy.base_url_hosts` entry `{value}` is not a host name (write `gateway.example.com` or `*.example.com`, without scheme or path)"
                ));
            }
        }
        Ok(())
    }

    /// Remembers the configuration file, for related locations: its path as
    /// shown (relative to the working directory when under it) and its text.
    pub fn set_origin(&mut self, path: &std::path::Path, text: &str) {
        let display = match std::env::current_dir() {
            Ok(cwd) if path.is_absolute() => crate::discover::display_path(&cwd, path),
            _ => path.to_string_lossy().trim_start_matches("./").to_string(),
        };
        self.source = Some(PolicySource {
            display,
            text: text.to_string(),
        });
    }

    pub fn allows_provider(&self, p: PolicyProvider) -> bool {
        self.providers
            .as_ref()
            .is_none_or(|list| list.get_ref().iter().any(|x| *x.get_ref() == p))
    }

    pub fn allows_credential(&self, k: CredentialKind) -> bool {
        self.credentials
            .as_ref()
            .is_none_or(|list| list.get_ref().iter().any(|x| *x.get_ref() == k))
    }

    /// True when `host` is listed (case-insensitive; `*.example.com` matches
    /// its subdomains), or when the policy has no host list.
    pub fn allows_host(&self, host: &str) -> bool {
        let Some(list) = &self.base_url_hosts else {
            return true;
        };
        let host = host.to_ascii_lowercase();
        list.get_ref().iter().any(|h| {
            let allowed = h.get_ref().to_ascii_lowercase();
            match allowed.strip_prefix("*.") {
                Some(suffix) => host.ends_with(&format!(".{suffix}")),
                None => host == allowed,
            }
        })
    }

    /// A related location at a policy entry's line, when the source is known.
    pub fn related(&self, span: Range<usize>, message: impl Into<String>) -> Option<Related> {
        let source = self.source.as_ref()?;
        let bytes = source.text.as_bytes();
        let span = span.start.min(bytes.len())..span.end.min(bytes.len());
        let region = LineIndex::new(bytes).region(bytes, &span);
        Some(Related {
            path: source.display.clone(),
            region: Some(region),
            span,
            message: message.into(),
        })
    }
}

/// `line L, column C` of a byte offset.
fn position(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Wrapper {
        policy: Policy,
    }

    fn parse(text: &str) -> Result<Policy, String> {
        let w: Wrapper = toml::from_str(text).map_err(|e| e.to_string())?;
        w.policy.validate(text)?;
        Ok(w.policy)
    }

    #[test]
    fn parses_and_answers() {
        let text = "[policy]\nproviders = [\"bedrock\", \"anthropic\"]\ncredentials = [\"oauth-token\"]\nbase_url_hosts = [\"gw.example.com\", \"*.corp.example\"]\n";
        let p = parse(text).expect("valid");
        assert!(p.allows_provider(PolicyProvider::Bedrock));
        assert!(!p.allows_provider(PolicyProvider::Vertex));
        assert!(p.allows_credential(CredentialKind::OauthToken));
        assert!(!p.allows_credential(CredentialKind::ApiKey));
        assert!(p.allows_host("GW.example.com") && p.allows_host("a.corp.example"));
        assert!(!p.allows_host("corp.example") && !p.allows_host("api.anthropic.com"));
        let span = p.providers.as_ref().expect("providers").get_ref()[0].span();
        assert_eq!(&text[span], "\"bedrock\"");
        assert!(Policy::default().allows_host("anything"));
    }

    #[test]
    fn unknown_keys_and_values_are_errors_with_position() {
        let err = parse("[policy]\nprovider = [\"bedrock\"]\n").expect_err("error");
        assert!(err.contains("provider") && err.contains("line 2"), "{err}");
        let err = parse("[policy]\nproviders = [\"bedrok\"]\n").expect_err("error");
        assert!(err.contains("bedrok") && err.contains("line 2"), "{err}");
        let err = parse("[policy]\ncredentials = [\"api-key\", \"apikey\"]\n").expect_err("error");
        assert!(err.contains("apikey") && err.contains("line 2"), "{err}");
        let err = parse("[policy]\n\nbase_url_hosts = [\"https://gw.example.com/x\"]\n")
            .expect_err("error");
        assert!(err.contains("line 3, column 19"), "{err}");
    }
}
