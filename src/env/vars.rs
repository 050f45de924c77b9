//! The variables Claude Code reads for authentication and routing (facts
//! §3.3, §6.1), grouped the way the rules and `claudit env` talk about them:
//! providers and their switches, first-party credentials, and the
//! claude-code-action inputs that map onto them.

use serde::Serialize;

/// A cloud provider Claude Code can route model calls through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Provider {
    Bedrock,
    Mantle,
    Vertex,
    Foundry,
    AnthropicAws,
}

/// Every provider, in the order Claude Code is believed to pick one when
/// several switches are on: Bedrock (with Mantle beside it) before Vertex
/// before Foundry is from unofficial source analysis (facts §3.4, UNCERTAIN);
/// Bedrock and Foundry before Claude Platform on AWS is documented.
pub const PROVIDERS: [Provider; 5] = [
    Provider::Bedrock,
    Provider::Mantle,
    Provider::Vertex,
    Provider::Foundry,
    Provider::AnthropicAws,
];

impl Provider {
    /// The switch that turns it on.
    pub fn flag(self) -> &'static str {
        match self {
            Provider::Bedrock => "CLAUDE_CODE_USE_BEDROCK",
            Provider::Mantle => "CLAUDE_CODE_USE_MANTLE",
            Provider::Vertex => "CLAUDE_CODE_USE_VERTEX",
            Provider::Foundry => "CLAUDE_CODE_USE_FOUNDRY",
            Provider::AnthropicAws => "CLAUDE_CODE_USE_ANTHROPIC_AWS",
        }
    }

    /// The switch that stops Claude Code from signing requests (a gateway signs).
    pub fn skip_auth_flag(self) -> &'static str {
        match self {
            Provider::Bedrock => "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
            Provider::Mantle => "CLAUDE_CODE_SKIP_MANTLE_AUTH",
            Provider::Vertex => "CLAUDE_CODE_SKIP_VERTEX_AUTH",
            Provider::Foundry => "CLAUDE_CODE_SKIP_FOUNDRY_AUTH",
            Provider::AnthropicAws => "CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH",
        }
    }

    /// The provider's own endpoint override.
    pub fn base_url_var(self) -> &'static str {
        match self {
            Provider::Bedrock => "ANTHROPIC_BEDROCK_BASE_URL",
            Provider::Mantle => "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
            Provider::Vertex => "ANTHROPIC_VERTEX_BASE_URL",
            Provider::Foundry => "ANTHROPIC_FOUNDRY_BASE_URL",
            Provider::AnthropicAws => "ANTHROPIC_AWS_BASE_URL",
        }
    }

    pub fn display(self) -> &'static str {
        match self {
            Provider::Bedrock => "Amazon Bedrock",
            Provider::Mantle => "Bedrock Mantle",
            Provider::Vertex => "Google Vertex AI",
            Provider::Foundry => "Microsoft Foundry",
            Provider::AnthropicAws => "Claude Platform on AWS",
        }
    }

    /// The name used by the managed `allowedProviders` list (facts §12.1)
    /// and by `[policy] providers`.
    pub fn policy_name(self) -> &'static str {
        match self {
            Provider::Bedrock => "bedrock",
            Provider::Mantle => "mantle",
            Provider::Vertex => "vertex",
            Provider::Foundry => "foundry",
            Provider::AnthropicAws => "anthropicAws",
        }
    }

    /// The claude-code-action input that turns it on, if there is one.
    pub fn action_input(self) -> Option<&'static str> {
        match self {
            Provider::Bedrock => Some("use_bedrock"),
            Provider::Vertex => Some("use_vertex"),
            Provider::Foundry => Some("use_foundry"),
            Provider::Mantle | Provider::AnthropicAws => None,
        }
    }

    /// Bedrock and Mantle may be on together (model IDs pick the endpoint).
    pub fn pairs_with(self, other: Provider) -> bool {
        matches!(
            (self, other),
            (Provider::Bedrock, Provider::Mantle) | (Provider::Mantle, Provider::Bedrock)
        )
    }

    pub fn from_flag(name: &str) -> Option<Provider> {
        PROVIDERS.into_iter().find(|p| p.flag() == name)
    }

    pub fn from_skip_flag(name: &str) -> Option<Provider> {
        PROVIDERS.into_iter().find(|p| p.skip_auth_flag() == name)
    }
}

/// How Claude Code authenticates a context: one list used by the rules,
/// `claudit env` and `[policy] credentials`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// `ANTHROPIC_API_KEY` / `anthropic_api_key`: `X-Api-Key`, API billing.
    ApiKey,
    /// `ANTHROPIC_AUTH_TOKEN`: `Authorization: Bearer`, usually a gateway.
    AuthToken,
    /// `apiKeyHelper` in settings: a command whose output is the key.
    ApiKeyHelper,
    /// `CLAUDE_CODE_OAUTH_TOKEN` / `claude_code_oauth_token`: a subscription.
    OauthToken,
    /// Workload identity federation or an Anthropic profile.
    Federation,
    /// A cloud provider's own credentials (AWS, Google, Azure).
    Cloud,
    /// Nothing found in the files.
    None,
}

pub const CREDENTIAL_KINDS: [CredentialKind; 7] = [
    CredentialKind::ApiKey,
    CredentialKind::AuthToken,
    CredentialKind::ApiKeyHelper,
    CredentialKind::OauthToken,
    CredentialKind::Federation,
    CredentialKind::Cloud,
    CredentialKind::None,
];

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::ApiKey => "api-key",
            CredentialKind::AuthToken => "auth-token",
            CredentialKind::ApiKeyHelper => "api-key-helper",
            CredentialKind::OauthToken => "oauth-token",
            CredentialKind::Federation => "federation",
            CredentialKind::Cloud => "cloud",
            CredentialKind::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<CredentialKind> {
        CREDENTIAL_KINDS.into_iter().find(|k| k.as_str() == s)
    }
}

/// The pseudo-variable under which a settings file's `apiKeyHelper` is bound.
pub const API_KEY_HELPER: &str = "apiKeyHelper";

pub const API_KEY: &str = "ANTHROPIC_API_KEY";
pub const AUTH_TOKEN: &str = "ANTHROPIC_AUTH_TOKEN";
pub const OAUTH_TOKEN: &str = "CLAUDE_CODE_OAUTH_TOKEN";
pub const BASE_URL: &str = "ANTHROPIC_BASE_URL";
pub const CUSTOM_HEADERS: &str = "ANTHROPIC_CUSTOM_HEADERS";
pub const FEDERATION_RULE: &str = "ANTHROPIC_FEDERATION_RULE_ID";
pub const FEDERATION_ORG: &str = "ANTHROPIC_ORGANIZATION_ID";
pub const PROFILE: &str = "ANTHROPIC_PROFILE";
/// Routes first-party traffic through a Claude gateway (facts §12.1:
/// undocumented, 2.1.266+ ignores it unless `ANTHROPIC_BASE_URL` and
/// `ANTHROPIC_AUTH_TOKEN` are both set). Not a cloud provider: the
/// `gateway` entry of `allowedProviders` and `[policy] providers`.
pub const USE_GATEWAY: &str = "CLAUDE_CODE_USE_GATEWAY";

/// First-party credentials in Claude Code's order (facts §3.2, tiers 2–6):
/// the first one present is used.
pub const FIRST_PARTY_ORDER: [(&str, CredentialKind); 5] = [
    (AUTH_TOKEN, CredentialKind::AuthToken),
    (API_KEY, CredentialKind::ApiKey),
    (API_KEY_HELPER, CredentialKind::ApiKeyHelper),
    (OAUTH_TOKEN, CredentialKind::OauthToken),
    (FEDERATION_RULE, CredentialKind::Federation),
];

/// Values whose characters go into an HTTP header (facts §3.2 "Header hygiene").
pub const HEADER_VARIABLES: &[&str] = &[API_KEY, AUTH_TOKEN, OAUTH_TOKEN, CUSTOM_HEADERS];

/// Switches read as "any non-empty value means on" (facts §3.5): `0` and
/// `false` still turn the feature off.
pub const PRESENCE_SWITCHES: &[&str] = &[
    "DISABLE_TELEMETRY",
    "DISABLE_ERROR_REPORTING",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
];

/// claude-code-action (and base-action) inputs that become environment
/// variables of the Claude process (facts §6.1).
pub fn action_input_variable(input: &str) -> Option<&'static str> {
    Some(match input {
        "anthropic_api_key" => API_KEY,
        "claude_code_oauth_token" => OAUTH_TOKEN,
        "anthropic_federation_rule_id" => FEDERATION_RULE,
        "anthropic_organization_id" => FEDERATION_ORG,
        "anthropic_service_account_id" => "ANTHROPIC_SERVICE_ACCOUNT_ID",
        "anthropic_workspace_id" => "ANTHROPIC_WORKSPACE_ID",
        "use_bedrock" => "CLAUDE_CODE_USE_BEDROCK",
        "use_vertex" => "CLAUDE_CODE_USE_VERTEX",
        "use_foundry" => "CLAUDE_CODE_USE_FOUNDRY",
        _ => return None,
    })
}

/// Base-URL variables, with the hosts that belong to their own service.
pub const BASE_URL_VARIABLES: &[&str] = &[
    BASE_URL,
    "ANTHROPIC_BEDROCK_BASE_URL",
    "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
    "ANTHROPIC_VERTEX_BASE_URL",
    "ANTHROPIC_FOUNDRY_BASE_URL",
    "ANTHROPIC_AWS_BASE_URL",
];

/// True when `host` is the service's own endpoint for base-URL variable `var`
/// (so pointing there sends credentials nowhere new).
pub fn is_vendor_host(var: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let under = |suffix: &str| host == suffix.trim_start_matches('.') || host.ends_with(suffix);
    match var {
        BASE_URL => host == "api.anthropic.com",
        "ANTHROPIC_BEDROCK_BASE_URL" | "ANTHROPIC_BEDROCK_MANTLE_BASE_URL" => {
            under(".amazonaws.com") || under(".amazonaws.com.cn") || under(".api.aws")
        }
        "ANTHROPIC_AWS_BASE_URL" => under(".api.aws") || under(".amazonaws.com"),
        "ANTHROPIC_VERTEX_BASE_URL" => under(".googleapis.com"),
        "ANTHROPIC_FOUNDRY_BASE_URL" => under(".azure.com"),
        _ => false,
    }
}

/// Variables that matter for auth and routing: a step whose own `env:` sets
/// one of these gets its own execution context in `claudit env`.
pub fn is_relevant(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "ANTHROPIC_",
        "CLAUDE_",
        "AWS_",
        "CLOUD_ML_",
        "VERTEX_",
        "GOOGLE_",
        "GCLOUD_",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
        || PRESENCE_SWITCHES.contains(&name)
        || name == API_KEY_HELPER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_tables_are_consistent() {
        for p in PROVIDERS {
            assert_eq!(Provider::from_flag(p.flag()), Some(p));
            assert_eq!(Provider::from_skip_flag(p.skip_auth_flag()), Some(p));
            assert!(BASE_URL_VARIABLES.contains(&p.base_url_var()));
        }
        assert!(Provider::Bedrock.pairs_with(Provider::Mantle));
        assert!(!Provider::Bedrock.pairs_with(Provider::Vertex));
    }

    #[test]
    fn credential_kinds_round_trip() {
        for k in CREDENTIAL_KINDS {
            assert_eq!(CredentialKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(CredentialKind::parse("apikey"), None);
    }

    #[test]
    fn vendor_hosts() {
        assert!(is_vendor_host(BASE_URL, "API.anthropic.com"));
        assert!(!is_vendor_host(BASE_URL, "api.anthropic.com.evil.example"));
        assert!(is_vendor_host(
            "ANTHROPIC_BEDROCK_BASE_URL",
            "bedrock-runtime.us-east-1.amazonaws.com"
        ));
        assert!(!is_vendor_host(
            "ANTHROPIC_BEDROCK_BASE_URL",
            "gw.example.com"
        ));
        assert!(!is_vendor_host(
            "ANTHROPIC_VERTEX_BASE_URL",
            "evilgoogleapis.com"
        ));
    }
}
