//! Org policy (`[policy]` in `.claudit.toml`), each finding with the policy
//! line it breaks as a related location.
//!
//! * CLD250: a context enables a provider the policy does not list.
//! * CLD251: a CI context configures a credential kind the policy does not
//!   list (`none` included: Claude runs in CI with no credential in the files).
//! * CLD252: a base URL points at a host the policy does not list.

use super::{Report, Sink, in_context};
use crate::env::auth::{Auth, url_host};
use crate::env::policy::{Policy, PolicyProvider};
use crate::env::value::Presence;
use crate::env::vars::{BASE_URL, BASE_URL_VARIABLES, CredentialKind};
use crate::env::{Binding, Context};
use crate::finding::{Confidence, Finding, Severity};

pub(super) fn check(ctx: &Context<'_>, auth: &Auth<'_, '_>, policy: &Policy, sink: &mut Sink) {
    providers(ctx, auth, policy, sink);
    credentials(ctx, auth, policy, sink);
    base_urls(ctx, auth, policy, sink);
}

fn with_policy_line<'b, 'w>(
    mut report: Report<'b, 'w>,
    policy: &Policy,
    span: Option<std::ops::Range<usize>>,
    message: String,
) -> Report<'b, 'w> {
    if let Some(r) = span.and_then(|s| policy.related(s, message)) {
        report.related.push(r);
    }
    report
}

// ---------------------------------------------------------------- CLD250

fn providers(ctx: &Context<'_>, auth: &Auth<'_, '_>, policy: &Policy, sink: &mut Sink) {
    let Some(list) = &policy.providers else {
        return;
    };
    let allowed: Vec<&str> = list
        .get_ref()
        .iter()
        .map(|p| p.get_ref().as_str())
        .collect();
    let allowed_text = if allowed.is_empty() {
        "none".to_string()
    } else {
        allowed.join(", ")
    };
    // Every switch that is on counts, not only the one used.
    let mut used: Vec<(PolicyProvider, &Binding<'_>)> = auth
        .providers_on
        .iter()
        .map(|(p, b)| (PolicyProvider::of(*p), *b))
        .collect();
    if let (true, Some(c)) = (used.is_empty(), auth.first_party()) {
        // `CLAUDE_CODE_USE_GATEWAY` (when it takes effect) makes the
        // endpoint a Claude gateway: `gateway` in `allowedProviders` terms.
        let (p, at) = if let Some(flag) = auth.gateway() {
            (PolicyProvider::Gateway, flag)
        } else if auth.custom_endpoint() {
            (
                PolicyProvider::CustomEndpoint,
                auth.base_url.unwrap_or(c.binding),
            )
        } else {
            (PolicyProvider::Anthropic, c.binding)
        };
        used.push((p, at));
    }
    for (p, b) in used {
        if policy.allows_provider(p) {
            continue;
        }
        let report = Report::new(
            "CLD250",
            b,
            format!(
                "{}: the API provider is `{}`, which the policy does not allow (allowed: {allowed_text}).",
                in_context(ctx, b),
                p.as_str()
            ),
        );
        sink.push(with_policy_line(
            report,
            policy,
            Some(list.span()),
            format!("policy: providers = [{allowed_text}]"),
        ));
    }
}

// ---------------------------------------------------------------- CLD251

fn credentials(ctx: &Context<'_>, auth: &Auth<'_, '_>, policy: &Policy, sink: &mut Sink) {
    let Some(list) = &policy.credentials else {
        return;
    };
    if !ctx.ci {
        return;
    }
    let allowed: Vec<&str> = list
        .get_ref()
        .iter()
        .map(|k| k.get_ref().as_str())
        .collect();
    let allowed_text = if allowed.is_empty() {
        "none".to_string()
    } else {
        allowed.join(", ")
    };
    let mut present: Vec<(CredentialKind, &Binding<'_>)> = auth
        .credentials
        .iter()
        .filter(|c| c.binding.presence() > Presence::Unset)
        .map(|c| (c.kind, c.binding))
        .collect();
    if let Some((_, flag)) = auth.provider() {
        present.push((CredentialKind::Cloud, flag));
    }
    // `none` is a kind like the others: a CI context where Claude runs with
    // no credential in the files (it relies on the runner's environment)
    // breaks a policy that does not list `none`. Only where Claude surely
    // runs (the action, or a `run:` that starts `claude`): other CI jobs
    // configure no credential because they need none.
    let runs_claude = ctx.action.is_some() || ctx.runs_claude == Some(true);
    if present.is_empty() && runs_claude && !policy.allows_credential(CredentialKind::None) {
        let mut finding = Finding::new("CLD251", Severity::Error, Confidence::High)
            .at(ctx.span.clone())
            .message(format!(
                "In {}: no credential is configured for Claude Code (kind `none`, so it depends on whatever the runner provides), which the policy does not allow in CI (allowed: {allowed_text}). Configure an allowed credential, or add `none` to the policy.",
                ctx.name
            ));
        if let Some(r) = policy.related(
            list.span(),
            format!("policy: credentials = [{allowed_text}]"),
        ) {
            finding.related.push(r);
        }
        sink.push_finding(ctx.file, finding);
        return;
    }
    for (kind, b) in present {
        if policy.allows_credential(kind) {
            continue;
        }
        let report = Report::new(
            "CLD251",
            b,
            format!(
                "{}: `{}` configures a credential of kind `{}`, which the policy does not allow in CI (allowed: {allowed_text}).",
                in_context(ctx, b),
                b.site.written,
                kind.as_str()
            ),
        );
        sink.push(with_policy_line(
            report,
            policy,
            Some(list.span()),
            format!("policy: credentials = [{allowed_text}]"),
        ));
    }
}

// ---------------------------------------------------------------- CLD252

fn base_urls(ctx: &Context<'_>, auth: &Auth<'_, '_>, policy: &Policy, sink: &mut Sink) {
    let Some(list) = &policy.base_url_hosts else {
        return;
    };
    let allowed: Vec<&str> = list
        .get_ref()
        .iter()
        .map(|h| h.get_ref().as_str())
        .collect();
    let allowed_text = allowed.join(", ");
    for b in &ctx.bindings {
        if !BASE_URL_VARIABLES.contains(&b.var.as_str()) {
            continue;
        }
        let Some(host) = b.val.known_text().and_then(url_host) else {
            continue;
        };
        if policy.allows_host(host) {
            continue;
        }
        let report = Report::new(
            "CLD252",
            b,
            format!(
                "{}: `{}` points at `{host}`, which is not among the policy's base URL hosts ({allowed_text}).",
                in_context(ctx, b),
                b.var
            ),
        );
        sink.push(with_policy_line(
            report,
            policy,
            Some(list.span()),
            format!("policy: base_url_hosts = [{allowed_text}]"),
        ));
    }
    // A first-party credential with no base URL goes to api.anthropic.com.
    if auth.provider().is_some()
        || auth.base_url.is_some()
        || policy.allows_host("api.anthropic.com")
    {
        return;
    }
    let Some(c) = auth.first_party() else {
        return;
    };
    let report = Report::new(
        "CLD252",
        c.binding,
        format!(
            "{}: `{}` is used without `{BASE_URL}`, so requests go to `api.anthropic.com`, which is not among the policy's base URL hosts ({allowed_text}).",
            in_context(ctx, c.binding),
            c.binding.site.written
        ),
    );
    sink.push(with_policy_line(
        report,
        policy,
        Some(list.span()),
        format!("policy: base_url_hosts = [{allowed_text}]"),
    ));
}
