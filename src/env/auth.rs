//! Effective auth and routing of one context: which provider Claude Code
//! uses, which credential (facts §3.2: a provider first, then
//! `ANTHROPIC_AUTH_TOKEN`, `ANTHROPIC_API_KEY`, `apiKeyHelper`,
//! `CLAUDE_CODE_OAUTH_TOKEN`, federation), how that bills, which base URL,
//! and what is shadowed.

use super::model::{Binding, Context};
use super::value::{Presence, Truth};
use super::vars::{
    self, API_KEY_HELPER, BASE_URL, CredentialKind, FEDERATION_ORG, FEDERATION_RULE,
    FIRST_PARTY_ORDER, PROFILE, PROVIDERS, Provider, USE_GATEWAY,
};

/// A credential present in a context.
#[derive(Debug, Clone)]
pub struct Credential<'c, 'w> {
    pub kind: CredentialKind,
    pub binding: &'c Binding<'w>,
}

#[derive(Debug, Clone)]
pub struct Auth<'c, 'w> {
    /// Provider switches that are on, in the order Claude Code is believed to
    /// pick from (see [`PROVIDERS`]).
    pub providers_on: Vec<(Provider, &'c Binding<'w>)>,
    /// First-party credentials present (possibly only from the host), in
    /// precedence order: the first is used when no provider is on.
    pub credentials: Vec<Credential<'c, 'w>>,
    /// `ANTHROPIC_BASE_URL` when present.
    pub base_url: Option<&'c Binding<'w>>,
    /// `CLAUDE_CODE_USE_GATEWAY` when it is on (whether or not it takes
    /// effect: see [`Auth::gateway`]).
    pub gateway_switch: Option<&'c Binding<'w>>,
}

impl<'c, 'w> Auth<'c, 'w> {
    pub fn of(ctx: &'c Context<'w>) -> Self {
        let providers_on = PROVIDERS
            .into_iter()
            .filter_map(|p| {
                ctx.get(p.flag())
                    .filter(|b| b.val.truth() == Truth::On)
                    .map(|b| (p, b))
            })
            .collect();
        let mut credentials = Vec::new();
        for (var, kind) in FIRST_PARTY_ORDER {
            if kind == CredentialKind::Federation {
                if let Some(b) = federation(ctx) {
                    credentials.push(Credential { kind, binding: b });
                }
                continue;
            }
            if let Some(b) = ctx.present(var) {
                credentials.push(Credential { kind, binding: b });
            }
        }
        Auth {
            providers_on,
            credentials,
            base_url: ctx.present(BASE_URL),
            gateway_switch: ctx.get(USE_GATEWAY).filter(|b| b.val.truth() == Truth::On),
        }
    }

    /// `CLAUDE_CODE_USE_GATEWAY` when it takes effect: on, with no cloud
    /// provider, and with both `ANTHROPIC_BASE_URL` and
    /// `ANTHROPIC_AUTH_TOKEN` present (facts §12.1, Claude Code 2.1.266+;
    /// the variable is undocumented, so this is the changelog's word).
    pub fn gateway(&self) -> Option<&'c Binding<'w>> {
        let token = self.credential(CredentialKind::AuthToken).is_some();
        self.gateway_switch
            .filter(|_| self.provider().is_none() && self.base_url.is_some() && token)
    }

    /// The provider in use: the first switch that is on.
    pub fn provider(&self) -> Option<(Provider, &'c Binding<'w>)> {
        self.providers_on.first().copied()
    }

    /// Every provider on apart from the one used, leaving out Mantle beside
    /// Bedrock (a supported pair).
    pub fn conflicting_providers(&self) -> Vec<(Provider, &'c Binding<'w>)> {
        let Some((used, _)) = self.provider() else {
            return Vec::new();
        };
        self.providers_on[1..]
            .iter()
            .copied()
            .filter(|(p, _)| !p.pairs_with(used))
            .collect()
    }

    /// The first-party credential Claude Code would use when no provider is on.
    pub fn first_party(&self) -> Option<&Credential<'c, 'w>> {
        self.credentials.first()
    }

    pub fn credential(&self, kind: CredentialKind) -> Option<&Credential<'c, 'w>> {
        self.credentials.iter().find(|c| c.kind == kind)
    }

    /// The credential kind in use.
    pub fn used_kind(&self) -> CredentialKind {
        if self.provider().is_some() {
            return CredentialKind::Cloud;
        }
        self.first_party().map_or(CredentialKind::None, |c| c.kind)
    }

    /// True when `ANTHROPIC_BASE_URL` is known to point somewhere other
    /// than the Anthropic API (a gateway or proxy); a value the files leave
    /// to the host is not counted.
    pub fn custom_endpoint(&self) -> bool {
        self.base_url
            .and_then(|b| b.val.known_text())
            .is_some_and(|url| url_host(url).is_none_or(|h| !vars::is_vendor_host(BASE_URL, h)))
    }

    /// How the context's model calls are paid for.
    pub fn billing(&self) -> String {
        if let Some((p, _)) = self.provider() {
            return format!("cloud account ({})", p.display());
        }
        let gateway = self.custom_endpoint();
        match (self.used_kind(), gateway) {
            (CredentialKind::AuthToken, true) => "gateway (bearer token)".into(),
            (CredentialKind::AuthToken, false) => "Anthropic API (bearer token)".into(),
            (CredentialKind::ApiKey | CredentialKind::ApiKeyHelper, true) => {
                "gateway (API key)".into()
            }
            (CredentialKind::ApiKey | CredentialKind::ApiKeyHelper, false) => {
                "API key (Claude Console, pay as you go)".into()
            }
            (CredentialKind::OauthToken, _) => {
                "subscription token (Claude Pro/Max/Team/Enterprise)".into()
            }
            (CredentialKind::Federation, _) => {
                "Anthropic API (workload identity federation)".into()
            }
            _ => "none in these files (a /login session, or nothing in CI)".into(),
        }
    }
}

/// Federation needs both the rule and the organization (facts §3.3), or a profile.
fn federation<'c, 'w>(ctx: &'c Context<'w>) -> Option<&'c Binding<'w>> {
    match (ctx.present(FEDERATION_RULE), ctx.present(FEDERATION_ORG)) {
        (Some(rule), Some(_)) => Some(rule),
        _ => ctx.present(PROFILE),
    }
}

/// The `apiKeyHelper` binding when set (it is not a variable but binds like one).
pub fn api_key_helper<'c, 'w>(ctx: &'c Context<'w>) -> Option<&'c Binding<'w>> {
    ctx.get(API_KEY_HELPER)
        .filter(|b| b.presence() > Presence::Unset)
}

/// The host of an `http(s)://` URL (lowercase, without port or user info).
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.trim().split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

/// `localhost`, `127.0.0.0/8`, `::1`, `host.docker.internal` and the like:
/// traffic that does not leave the machine (or the container host).
pub fn is_loopback(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost"
        || h.ends_with(".localhost")
        || h.starts_with("127.")
        || h == "::1"
        || h == "0.0.0.0"
        || h == "host.docker.internal"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://api.anthropic.com/v1"),
            Some("api.anthropic.com")
        );
        assert_eq!(url_host("http://user:pw@10.0.0.1:8080/x"), Some("10.0.0.1"));
        assert_eq!(url_host("http://[::1]:3000"), Some("::1"));
        assert_eq!(url_host("gateway.example.com"), None);
        assert!(is_loopback("127.0.0.1") && is_loopback("LOCALHOST"));
        assert!(!is_loopback("10.0.0.1"));
    }
}
