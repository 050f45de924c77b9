//! Which switch or credential wins, when several are set in one context.
//!
//! * CLD201: more than one provider on (Bedrock + Mantle is a supported pair).
//! * CLD202: a provider on, so first-party auth and routing variables are dead.
//! * CLD203: `ANTHROPIC_API_KEY` with `CLAUDE_CODE_OAUTH_TOKEN` or federation:
//!   the key wins and billing moves to the API.
//! * CLD204: `ANTHROPIC_AUTH_TOKEN` with `ANTHROPIC_API_KEY`: the bearer token wins.
//! * CLD205: `apiKeyHelper` with an env credential.

use super::{Report, Sink, in_context};
use crate::env::auth::{Auth, Credential, api_key_helper, url_host};
use crate::env::model::Layer;
use crate::env::value::{Presence, Truth, Val};
use crate::env::vars::{
    API_KEY, API_KEY_HELPER, AUTH_TOKEN, BASE_URL, CredentialKind, OAUTH_TOKEN, Provider,
};
use crate::env::{Binding, Context, ContextKind};
use crate::finding::Severity;

pub(super) fn check(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    multiple_providers(ctx, auth, sink);
    provider_shadows_first_party(ctx, auth, sink);
    api_key_beats_oauth(ctx, auth, sink);
    auth_token_beats_api_key(ctx, auth, sink);
    api_key_helper_conflict(ctx, auth, sink);
}

/// One step lower for every participant that only the host may set.
/// For a conflict between credentials: one step lower unless at least two
/// of them are certainly set (a single certain one conflicts only when the
/// host adds another).
fn uncertain_conflict(bindings: &[&Binding<'_>]) -> u8 {
    let certain = bindings
        .iter()
        .filter(|b| b.presence() == Presence::Set)
        .count();
    u8::from(certain < 2)
}

fn maybe_steps(bindings: &[&Binding<'_>]) -> u8 {
    u8::from(bindings.iter().any(|b| b.presence() == Presence::Maybe))
}

// ---------------------------------------------------------------- CLD201

fn multiple_providers(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    let others = auth.conflicting_providers();
    let Some((used, used_b)) = auth.provider() else {
        return;
    };
    if others.is_empty() {
        return;
    }
    // The order against Claude Platform on AWS is documented (Bedrock and
    // Foundry win); between Bedrock, Vertex and Foundry it is not.
    let documented = others.iter().all(|(p, _)| *p == Provider::AnthropicAws)
        && matches!(used, Provider::Bedrock | Provider::Foundry);
    // The action checks the switches it starts Claude with (its inputs and
    // env), not those the repository's settings add afterwards.
    let action_checked =
        |p: Provider, b: &Binding<'_>| p.action_input().is_some() && !b.layer.is_settings();
    let action_refuses = ctx.action.is_some()
        && action_checked(used, used_b)
        && others.iter().any(|(p, b)| action_checked(*p, b));
    let names: Vec<String> = std::iter::once(used)
        .chain(others.iter().map(|(p, _)| *p))
        .map(|p| format!("{} (`{}`)", p.display(), p.flag()))
        .collect();
    let outcome = if action_refuses {
        "claude-code-action stops before running Claude: \"Cannot use multiple providers simultaneously\"".to_string()
    } else if documented {
        format!(
            "Claude Code uses {} without a warning (documented: Bedrock and Foundry take precedence over Claude Platform on AWS)",
            used.display()
        )
    } else {
        format!(
            "Claude Code picks one without a warning; which one is not documented (UNCERTAIN: source analysis suggests {}, checked in the order Bedrock, Vertex, Foundry)",
            used.display()
        )
    };
    let mut report = Report::new(
        "CLD201",
        used_b,
        format!(
            "{}: {} providers are on: {}. {outcome}. Turn on exactly one.",
            in_context(ctx, used_b),
            names.len(),
            names.join(", ")
        ),
    );
    if action_refuses {
        report.severity = Some(Severity::Error);
    }
    for (p, b) in &others {
        let note = if action_refuses {
            format!("{} is also on here", p.display())
        } else {
            format!("{} is also on here, and is not used", p.display())
        };
        report = report.related(b, note);
    }
    sink.push(report);
}

// ---------------------------------------------------------------- CLD202

fn provider_shadows_first_party(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    let Some((provider, flag)) = auth.provider() else {
        return;
    };
    // Behind a gateway (skip-auth on) a bearer token or helper may be what
    // the gateway checks (facts §12.1: availability checks send the same
    // Authorization header); don't call those dead.
    let skip_auth = ctx
        .get(provider.skip_auth_flag())
        .is_some_and(|b| b.val.truth() == Truth::On);
    for var in [API_KEY, AUTH_TOKEN, OAUTH_TOKEN, API_KEY_HELPER, BASE_URL] {
        let Some(b) = ctx.present(var) else {
            continue;
        };
        if skip_auth && matches!(var, AUTH_TOKEN | API_KEY_HELPER) {
            continue;
        }
        let why = match var {
            BASE_URL => format!(
                "`ANTHROPIC_BASE_URL` only routes first-party calls; a gateway in front of {} is set with `{}`",
                provider.display(),
                provider.base_url_var()
            ),
            _ => format!(
                "with a provider on, Claude Code authenticates with the provider's own credentials and never reads `{var}`"
            ),
        };
        let sigv4 = if provider == Provider::Bedrock && matches!(var, AUTH_TOKEN | API_KEY_HELPER) {
            " Before Claude Code 2.1.101 its `Authorization` header also broke Bedrock's SigV4 signing (403)."
        } else {
            ""
        };
        let written = if b.site.written == b.var {
            format!("`{var}`")
        } else {
            format!("`{}` (which sets `{var}`)", b.site.written)
        };
        let mut report = Report::new(
            "CLD202",
            b,
            format!(
                "{}: {written} is dead configuration: {} is on ({}), and {why}.{sigv4} Remove it, or turn the provider off.",
                in_context(ctx, b),
                provider.display(),
                flag.describe()
            ),
        )
        .related(flag, format!("{} is turned on here", provider.display()));
        report.lower = maybe_steps(&[b, flag]);
        sink.push(report);
    }
}

// ---------------------------------------------------------------- CLD203

fn api_key_beats_oauth(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    if auth.provider().is_some() || auth.credential(CredentialKind::AuthToken).is_some() {
        return;
    }
    let Some(key) = auth.credential(CredentialKind::ApiKey) else {
        return;
    };
    let losers: Vec<&Credential> = auth
        .credentials
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                CredentialKind::OauthToken | CredentialKind::Federation
            )
        })
        .collect();
    if losers.is_empty() {
        return;
    }
    // Both only passed through from the host: a choice left to whoever
    // runs it, not a conflict in the files.
    if key.binding.presence() == Presence::Maybe
        && losers
            .iter()
            .all(|c| c.binding.presence() == Presence::Maybe)
    {
        return;
    }
    let what: Vec<String> = losers.iter().map(|c| describe_credential(c)).collect();
    let unattended = if ctx.ci {
        " In CI (`claude -p`) an API key is always used when present."
    } else {
        ""
    };
    let federation = if losers.iter().any(|c| c.kind == CredentialKind::Federation) {
        " A static credential also takes precedence over workload identity federation, which is then not used."
    } else {
        ""
    };
    // Where the key goes decides who bills it: the Console organization
    // for api.anthropic.com, whatever a gateway does with it otherwise.
    let outcome = if auth.custom_endpoint() {
        let host = auth
            .base_url
            .and_then(|b| b.val.known_text())
            .and_then(url_host)
            .map_or_else(
                || "the gateway".to_string(),
                |h| format!("the gateway at `{h}`"),
            );
        format!(
            "The API key wins and goes to {host} (`ANTHROPIC_BASE_URL`) instead of the subscription or federated identity, so usage is billed however that gateway bills the key, not to the subscription."
        )
    } else if auth.base_url.is_some() {
        "The API key wins, so usage is billed to the API key's Console organization (or, if the host's `ANTHROPIC_BASE_URL` points at a gateway, however that gateway bills the key) instead of the subscription or federated identity.".to_string()
    } else {
        "The API key wins, so usage is billed to the API key's Console organization instead of the subscription or federated identity.".to_string()
    };
    // Every participant a CI secret: an undefined secret expands to "", so
    // the conflict exists only once both secrets are defined (workflows that
    // say "set one of these" are common). Still reported: adding the second
    // secret later switches billing without a change to the workflow.
    let only_secrets =
        is_secret_ref(key.binding) && losers.iter().all(|c| is_secret_ref(c.binding));
    let (both, outcome) = if only_secrets {
        let mut lowered = outcome;
        lowered.replace_range(..1, "t");
        ("are both passed: if both secrets are defined,", lowered)
    } else {
        ("are both set.", outcome)
    };
    let mut report = Report::new(
        "CLD203",
        key.binding,
        format!(
            "{}: {} and {} {both} {outcome}{unattended}{federation} Keep one credential.",
            in_context(ctx, key.binding),
            key.binding.describe(),
            what.join(" and ")
        ),
    );
    if let Some(base) = auth.base_url {
        report = report.related(base, "`ANTHROPIC_BASE_URL` sends the API key here");
    }
    if ctx.ci {
        report.severity = Some(Severity::Error);
    }
    let mut all = vec![key.binding];
    for c in &losers {
        report = report.related(
            c.binding,
            format!(
                "{} is ignored: the API key takes precedence",
                credential_name(c)
            ),
        );
        all.push(c.binding);
    }
    report.lower = uncertain_conflict(&all) + u8::from(only_secrets);
    sink.push(report);
}

/// A value that is only a reference to a CI secret (`${{ secrets.X }}`).
fn is_secret_ref(binding: &Binding<'_>) -> bool {
    match &binding.val {
        Val::Expr(text) => {
            let inner = text
                .trim()
                .trim_start_matches("${{")
                .trim_end_matches("}}")
                .trim();
            inner.starts_with("secrets.") && !inner.contains(['|', '&', ' '])
        }
        _ => false,
    }
}

fn credential_name(c: &Credential<'_, '_>) -> String {
    match c.kind {
        CredentialKind::Federation => "workload identity federation".to_string(),
        _ => format!("`{}`", c.binding.site.written),
    }
}

fn describe_credential(c: &Credential<'_, '_>) -> String {
    match c.kind {
        CredentialKind::Federation => format!("federation ({})", c.binding.describe()),
        _ => c.binding.describe(),
    }
}

// ---------------------------------------------------------------- CLD204

fn auth_token_beats_api_key(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    if auth.provider().is_some() {
        return;
    }
    let (Some(token), Some(key)) = (
        auth.credential(CredentialKind::AuthToken),
        auth.credential(CredentialKind::ApiKey),
    ) else {
        return;
    };
    let (token, key) = (token.binding, key.binding);
    if token.presence() == Presence::Maybe && key.presence() == Presence::Maybe {
        return;
    }
    // The documented gateway recipe for claude-code-action passes one
    // secret as both `anthropic_api_key` and `ANTHROPIC_AUTH_TOKEN`
    // (facts §6.2, [D:gateway]): not a conflict.
    if same_secret(token, key)
        && matches!(
            ctx.kind,
            ContextKind::Workflow | ContextKind::CompositeAction
        )
        && key.layer == Layer::ActionInput
    {
        return;
    }
    let mut report = Report::new(
        "CLD204",
        token,
        format!(
            "{}: {} and {} are both set. The bearer token wins (sent as `Authorization: Bearer`, without approval) and the API key is ignored; Claude Code prints an auth-conflict warning. Keep the one your endpoint expects.",
            in_context(ctx, token),
            token.describe(),
            key.describe()
        ),
    )
    .related(key, "ignored: `ANTHROPIC_AUTH_TOKEN` takes precedence");
    if same_secret(token, key) {
        report.lower = 1;
    }
    if let Some(oauth) = auth.credential(CredentialKind::OauthToken) {
        report = report.related(
            oauth.binding,
            "also ignored: the bearer token takes precedence",
        );
    }
    report.lower = report.lower.max(uncertain_conflict(&[token, key]));
    sink.push(report);
}

/// Both bindings are the same CI expression (`${{ secrets.GW }}`).
fn same_secret(a: &Binding<'_>, b: &Binding<'_>) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<String>();
    match (&a.val, &b.val) {
        (Val::Expr(x), Val::Expr(y)) => norm(x) == norm(y),
        _ => false,
    }
}

// ---------------------------------------------------------------- CLD205

fn api_key_helper_conflict(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    if auth.provider().is_some() {
        return;
    }
    let Some(helper) = api_key_helper(ctx) else {
        return;
    };
    let env_credentials: Vec<&Credential> = auth
        .credentials
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                CredentialKind::AuthToken | CredentialKind::ApiKey | CredentialKind::OauthToken
            )
        })
        .collect();
    if env_credentials.is_empty() {
        return;
    }
    // Precedence: auth token, API key, then the helper, then the OAuth token.
    let Some(winner) = auth.first_party() else {
        return;
    };
    let outcome = if winner.kind == CredentialKind::ApiKeyHelper {
        "the helper's key wins".to_string()
    } else {
        format!("`{}` wins and the helper is not used", winner.binding.var)
    };
    let others: Vec<String> = env_credentials
        .iter()
        .map(|c| format!("`{}`", c.binding.var))
        .collect();
    let mut report = Report::new(
        "CLD205",
        winner.binding,
        format!(
            "{}: `apiKeyHelper` ({}) and {} are both configured: {outcome}. Claude Code warns about the conflict, and a stale one fails with `Invalid API key · Fix external API key`. Keep one credential source.",
            in_context(ctx, winner.binding),
            helper.layer.describe(),
            others.join(", ")
        ),
    );
    let mut all = vec![winner.binding];
    for c in auth
        .credentials
        .iter()
        .filter(|c| !std::ptr::eq(c.binding, winner.binding))
    {
        if c.kind == CredentialKind::Federation {
            continue;
        }
        report = report.related(
            c.binding,
            format!("`{}` is configured here and not used", c.binding.var),
        );
        all.push(c.binding);
    }
    report.lower = uncertain_conflict(&all);
    sink.push(report);
}
