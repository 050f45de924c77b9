//! What `claudit env` reports for one execution context: the provider and
//! credential Claude Code would use, how that bills, the base URL, what is
//! shadowed, and every auth/routing variable with its provenance. Values
//! are redacted: a literal in a credential-like variable is never shown.

use serde::Serialize;

use super::auth::{Auth, url_host};
use super::model::{Binding, Context, ContextKind};
use super::value::{Presence, Val};
use super::vars::{self, API_KEY_HELPER, BASE_URL, CredentialKind, Provider};
use crate::finding::Finding;
use crate::secrets::Secret;

#[derive(Debug, Clone, Serialize)]
pub struct ContextSummary {
    pub kind: ContextKind,
    pub name: String,
    pub file: String,
    pub line: usize,
    /// Runs unattended in CI.
    pub ci: bool,
    /// The claude-code-action step, when the context is one.
    pub action: Option<String>,
    pub provider: ProviderSummary,
    pub credential: CredentialSummary,
    /// `ANTHROPIC_BASE_URL` (or the provider's base URL) when set.
    pub base_url: Option<BindingSummary>,
    /// Credentials and providers present but not used, and why.
    pub not_used: Vec<NotUsed>,
    pub variables: Vec<VariableSummary>,
    pub findings: Vec<FindingSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderSummary {
    /// `anthropic`, `customEndpoint`, `gateway`, or a provider's policy name (`bedrock`).
    pub name: &'static str,
    pub display: String,
    pub set_by: Option<BindingSummary>,
    /// Why this one, when several are on and the facts are uncertain.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CredentialSummary {
    pub kind: CredentialKind,
    pub billing: String,
    pub source: Option<BindingSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotUsed {
    /// A credential kind or a provider name.
    pub what: String,
    pub binding: BindingSummary,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VariableSummary {
    pub name: String,
    pub value: BindingSummary,
    /// Lower layers this one overrides, highest first.
    pub shadows: Vec<BindingSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BindingSummary {
    pub variable: String,
    /// The name as written (`anthropic_api_key` for an action input).
    pub written: String,
    /// Redacted: references as written, literal credentials masked.
    pub value: String,
    pub presence: Presence,
    pub layer: String,
    pub file: String,
    pub line: usize,
    pub logical: String,
    /// Where an interpolated value came from (the `.env` line a compose
    /// `${X}` reads, the `build.args` entry a Dockerfile `ARG` takes).
    pub via: Option<ViaSummary>,
}

/// The place a binding's value was taken from.
#[derive(Debug, Clone, Serialize)]
pub struct ViaSummary {
    pub file: String,
    pub line: usize,
    pub logical: String,
}

impl ViaSummary {
    /// `path:line`
    pub fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingSummary {
    pub rule_id: &'static str,
    pub severity: String,
    pub message: String,
}

impl BindingSummary {
    pub fn of(b: &Binding<'_>) -> Self {
        BindingSummary {
            variable: b.var.clone(),
            written: b.site.written.clone(),
            value: shown_value(&b.var, &b.val),
            presence: b.presence(),
            layer: b.layer.describe(),
            file: b.site.file.display.clone(),
            line: b.site.file.region(&b.site.name_span).start.line,
            logical: b.site.logical.clone(),
            via: b.via.as_ref().map(|v| ViaSummary {
                file: v.file.display.clone(),
                line: v.file.region(&v.name_span).start.line,
                logical: v.logical.clone(),
            }),
        }
    }

    /// `path:line`, and where the value came from when it was interpolated:
    /// `compose.yaml:6, value from .env:1`.
    pub fn at(&self) -> String {
        match &self.via {
            Some(via) => format!("{}:{}, value from {}", self.file, self.line, via.at()),
            None => format!("{}:{}", self.file, self.line),
        }
    }
}

/// Builds the summary of `ctx`; `findings` are the context's own findings.
pub fn summarize(ctx: &Context<'_>, findings: &[Finding]) -> ContextSummary {
    let auth = Auth::of(ctx);
    ContextSummary {
        kind: ctx.kind,
        name: ctx.name.clone(),
        file: ctx.file.display.clone(),
        line: ctx.file.region(&ctx.span).start.line,
        ci: ctx.ci,
        action: ctx.action.as_ref().map(|a| a.uses.clone()),
        provider: provider(&auth),
        credential: credential(ctx, &auth),
        base_url: base_url(ctx, &auth).map(BindingSummary::of),
        not_used: not_used(&auth),
        variables: variables(ctx),
        findings: findings
            .iter()
            .map(|f| FindingSummary {
                rule_id: f.rule_id,
                severity: f.severity.as_str().to_string(),
                message: f.message.clone(),
            })
            .collect(),
    }
}

/// Contexts worth showing: they set an auth or routing variable, or run
/// claude-code-action.
pub fn is_configured(ctx: &Context<'_>) -> bool {
    ctx.runs_claude != Some(false)
        && (ctx.action.is_some() || ctx.bindings.iter().any(|b| vars::is_relevant(&b.var)))
}

fn provider(auth: &Auth<'_, '_>) -> ProviderSummary {
    if let Some((p, b)) = auth.provider() {
        let others = auth.conflicting_providers();
        let note = (!others.is_empty()).then(|| {
            let documented = others.iter().all(|(o, _)| *o == Provider::AnthropicAws)
                && matches!(p, Provider::Bedrock | Provider::Foundry);
            if documented {
                "several providers are on; this one takes precedence (documented)".to_string()
            } else {
                "several providers are on; which one wins is not documented (UNCERTAIN: source analysis suggests this one)".to_string()
            }
        });
        let display = match auth
            .providers_on
            .iter()
            .any(|(o, _)| *o == Provider::Mantle)
        {
            true if p == Provider::Bedrock => {
                "Amazon Bedrock (with the Mantle endpoint)".to_string()
            }
            _ => p.display().to_string(),
        };
        return ProviderSummary {
            name: p.policy_name(),
            display,
            set_by: Some(BindingSummary::of(b)),
            note,
        };
    }
    if let Some(flag) = auth.gateway() {
        let host = auth
            .base_url
            .and_then(|b| b.val.known_text())
            .and_then(url_host)
            .map_or_else(|| "`ANTHROPIC_BASE_URL`".to_string(), |h| format!("`{h}`"));
        return ProviderSummary {
            name: "gateway",
            display: format!("Claude gateway at {host} (`{}`)", vars::USE_GATEWAY),
            set_by: Some(BindingSummary::of(flag)),
            note: Some(format!(
                "`{}` is undocumented; Claude Code 2.1.266+ honours it only with `ANTHROPIC_BASE_URL` and `ANTHROPIC_AUTH_TOKEN` both set",
                vars::USE_GATEWAY
            )),
        };
    }
    if auth.custom_endpoint() {
        let host = auth
            .base_url
            .and_then(|b| b.val.known_text())
            .and_then(url_host)
            .map_or_else(|| "a custom endpoint".to_string(), |h| format!("`{h}`"));
        return ProviderSummary {
            name: "customEndpoint",
            display: format!("Anthropic API protocol through {host} (a gateway or proxy)"),
            set_by: None,
            note: None,
        };
    }
    let display = match auth.base_url {
        Some(b) if b.val.known_text().is_none() => {
            "Anthropic API (first party), or wherever the host's `ANTHROPIC_BASE_URL` points"
                .to_string()
        }
        _ => "Anthropic API (first party)".to_string(),
    };
    ProviderSummary {
        name: "anthropic",
        display,
        set_by: None,
        note: None,
    }
}

/// A provider's own credential variables, most specific first.
fn cloud_credential_vars(p: Provider) -> &'static [&'static str] {
    match p {
        Provider::Bedrock | Provider::Mantle => &[
            "AWS_BEARER_TOKEN_BEDROCK",
            "AWS_ACCESS_KEY_ID",
            "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
        ],
        Provider::Vertex => &["GOOGLE_APPLICATION_CREDENTIALS"],
        Provider::Foundry => &["ANTHROPIC_FOUNDRY_AUTH_TOKEN", "ANTHROPIC_FOUNDRY_API_KEY"],
        Provider::AnthropicAws => &["ANTHROPIC_AWS_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"],
    }
}

fn credential(ctx: &Context<'_>, auth: &Auth<'_, '_>) -> CredentialSummary {
    let kind = auth.used_kind();
    let source = match auth.provider() {
        Some((p, _)) => cloud_credential_vars(p)
            .iter()
            .find_map(|v| ctx.present(v))
            .map(BindingSummary::of),
        None => auth.first_party().map(|c| BindingSummary::of(c.binding)),
    };
    let mut billing = auth.billing();
    if auth.provider().is_some() && source.is_none() {
        billing.push_str("; credentials from the provider's default chain");
    }
    if source
        .as_ref()
        .is_some_and(|s| s.presence == Presence::Maybe)
    {
        billing.push_str(" — only if the host environment sets it");
    }
    CredentialSummary {
        kind,
        billing,
        source,
    }
}

fn base_url<'c, 'w>(ctx: &'c Context<'w>, auth: &Auth<'c, 'w>) -> Option<&'c Binding<'w>> {
    match auth.provider() {
        Some((p, _)) => ctx.present(p.base_url_var()),
        None => auth.base_url,
    }
}

fn not_used(auth: &Auth<'_, '_>) -> Vec<NotUsed> {
    let mut out = Vec::new();
    if let Some((used, _)) = auth.provider() {
        for (p, b) in auth.conflicting_providers() {
            out.push(NotUsed {
                what: p.policy_name().to_string(),
                binding: BindingSummary::of(b),
                reason: format!("{} is used instead", used.display()),
            });
        }
        for c in &auth.credentials {
            out.push(NotUsed {
                what: c.kind.as_str().to_string(),
                binding: BindingSummary::of(c.binding),
                reason: format!("{} is on: its own credentials come first", used.display()),
            });
        }
        if let Some(b) = auth.base_url {
            out.push(NotUsed {
                what: "base-url".to_string(),
                binding: BindingSummary::of(b),
                reason: format!("`{BASE_URL}` does not route {} traffic", used.display()),
            });
        }
        return out;
    }
    if let (Some(flag), None) = (auth.gateway_switch, auth.gateway()) {
        out.push(NotUsed {
            what: "gateway".to_string(),
            binding: BindingSummary::of(flag),
            reason: format!(
                "ignored unless `{BASE_URL}` and `ANTHROPIC_AUTH_TOKEN` are both set (Claude Code 2.1.266+)"
            ),
        });
    }
    let Some(first) = auth.first_party() else {
        return out;
    };
    for c in &auth.credentials[1..] {
        out.push(NotUsed {
            what: c.kind.as_str().to_string(),
            binding: BindingSummary::of(c.binding),
            reason: format!("`{}` takes precedence", first.binding.site.written),
        });
    }
    out
}

fn variables(ctx: &Context<'_>) -> Vec<VariableSummary> {
    ctx.effective()
        .into_iter()
        .filter(|(name, _)| vars::is_relevant(name))
        .map(|(name, r)| VariableSummary {
            name: name.to_string(),
            value: BindingSummary::of(r.winner),
            shadows: r.shadowed.iter().map(|b| BindingSummary::of(b)).collect(),
        })
        .collect()
}

/// Variables whose literal values must never be shown.
fn is_sensitive(var: &str) -> bool {
    let upper = var.to_ascii_uppercase();
    crate::assign::is_credential_variable(var)
        || var == API_KEY_HELPER
        || var == vars::CUSTOM_HEADERS
        || ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"]
            .iter()
            .any(|w| upper.contains(w))
}

/// A value as `claudit env` shows it.
pub fn shown_value(var: &str, val: &Val) -> String {
    match val {
        Val::Empty => "\"\" (unset)".to_string(),
        Val::Expr(r) | Val::Host(r) => clip(r),
        Val::Default { reference, default } => {
            if is_sensitive(var) {
                format!(
                    "${{{reference}:-{}}}",
                    Secret::new(default.as_bytes(), 0).redacted()
                )
            } else {
                format!("${{{reference}:-{}}}", clip(default))
            }
        }
        Val::Literal(s) if is_sensitive(var) => {
            format!("{} (literal)", Secret::new(s.as_bytes(), 0).redacted())
        }
        Val::Literal(s) if vars::BASE_URL_VARIABLES.contains(&var) => clip(&strip_userinfo(s)),
        Val::Literal(s) => clip(s),
    }
}

/// `https://user:pw@host/x` → `https://…@host/x`.
fn strip_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// Printable and at most 80 characters.
fn clip(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect();
    if clean.chars().count() > 80 {
        let head: String = clean.chars().take(77).collect();
        format!("{head}…")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_redacted() {
        let secret = "gw-0123456789abcdefghijklmnop";
        let shown = shown_value("ANTHROPIC_AUTH_TOKEN", &Val::Literal(secret.into()));
        assert!(
            !shown.contains(secret) && shown.ends_with("(literal)"),
            "{shown}"
        );
        assert_eq!(
            shown_value(
                "ANTHROPIC_BASE_URL",
                &Val::Literal("https://u:pw@gw.example.com/x".into())
            ),
            "https://…@gw.example.com/x"
        );
        assert_eq!(
            shown_value("CLAUDE_CODE_USE_BEDROCK", &Val::Literal("1".into())),
            "1"
        );
        assert_eq!(
            shown_value("ANTHROPIC_API_KEY", &Val::Expr("${{ secrets.K }}".into())),
            "${{ secrets.K }}"
        );
        let d = shown_value(
            "MY_TOKEN",
            &Val::Default {
                reference: "T".into(),
                default: secret.into(),
            },
        );
        assert!(!d.contains(secret), "{d}");
        assert!(
            !shown_value(
                "apiKeyHelper",
                &Val::Literal("echo hunter2-very-secret".into())
            )
            .contains("hunter2")
        );
    }
}
