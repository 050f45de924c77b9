//! CLD221: managed settings kept in the repository that would refuse a
//! context's own auth or provider (facts §10 B R34, §12.1): a managed
//! `forceLoginMethod`/`forceLoginOrgUUID` beside an API key, bearer token or
//! `apiKeyHelper` blocks startup, and a managed `allowedProviders` list
//! refuses any provider (or gateway) not on it.
//!
//! Only contexts that build machines or containers are judged (Dockerfiles,
//! compose services, dev containers, project settings): that is where a
//! managed file from the repository gets deployed. Workflows run on runners
//! that never see it.

use super::{Report, Sink};
use crate::classify::FileKind;
use crate::claude::location::settings_scope;
use crate::env::auth::Auth;
use crate::env::{Context, ContextKind, CredentialKind};
use crate::finding::Related;
use crate::formats::json::Node;
use crate::project::{FileFacts, Project};

/// What a managed settings file enforces, with where it says so.
struct Managed<'p> {
    file: &'p FileFacts,
    force_login: Option<(&'p str, std::ops::Range<usize>)>,
    allowed: Option<(Vec<String>, std::ops::Range<usize>)>,
}

fn managed_files(project: &Project) -> Vec<Managed<'_>> {
    project
        .files_of_kind(FileKind::ClaudeSettings)
        .filter(|f| {
            project
                .trees
                .get(f.root)
                .and_then(|t| settings_scope(&f.rel, t))
                .is_some_and(|s| s.is_managed())
        })
        .filter_map(|file| {
            let root = &file.parsed.json.as_ref()?.root;
            let force_login = ["forceLoginMethod", "forceLoginOrgUUID"]
                .iter()
                .find_map(|k| root.member(k).map(|m| (*k, m.key_span.clone())));
            let allowed = root.member("allowedProviders").and_then(|m| {
                let list: Vec<String> = m
                    .value
                    .as_array()?
                    .iter()
                    .filter_map(Node::as_str)
                    .map(str::to_string)
                    .collect();
                Some((list, m.key_span.clone()))
            });
            (force_login.is_some() || allowed.is_some()).then_some(Managed {
                file,
                force_login,
                allowed,
            })
        })
        .collect()
}

pub(super) fn check(project: &Project, contexts: &[Context<'_>], sink: &mut Sink) {
    let managed = managed_files(project);
    if managed.is_empty() {
        return;
    }
    for ctx in contexts.iter().filter(|c| c.is_checked()) {
        if !matches!(
            ctx.kind,
            ContextKind::Dockerfile
                | ContextKind::Compose
                | ContextKind::Devcontainer
                | ContextKind::Settings
        ) {
            continue;
        }
        let auth = Auth::of(ctx);
        for m in managed.iter().filter(|m| m.file.root == ctx.file.root) {
            forced_login(ctx, &auth, m, sink);
            provider_not_allowed(ctx, &auth, m, sink);
        }
    }
}

fn managed_related(m: &Managed<'_>, span: &std::ops::Range<usize>, what: &str) -> Related {
    m.file
        .related(span.clone(), format!("managed settings: {what}"))
}

fn forced_login(ctx: &Context<'_>, auth: &Auth<'_, '_>, m: &Managed<'_>, sink: &mut Sink) {
    let Some((key, span)) = &m.force_login else {
        return;
    };
    if auth.provider().is_some() {
        return;
    }
    let Some(credential) = auth.first_party() else {
        return;
    };
    if !matches!(
        credential.kind,
        CredentialKind::ApiKey | CredentialKind::AuthToken | CredentialKind::ApiKeyHelper
    ) {
        return;
    }
    let message = format!(
        "{}: {} is set, but the managed settings in `{}` set `{key}`: with a forced login, Claude Code refuses \
         to start when an API key, bearer token or `apiKeyHelper` is present (wherever that managed file is \
         deployed). Drop the credential here, or the forced login there.",
        super::in_context(ctx, credential.binding),
        credential.binding.describe(),
        m.file.display
    );
    sink.push(
        Report::new("CLD221", credential.binding, message).with_related(managed_related(
            m,
            span,
            &format!("`{key}` forces a login"),
        )),
    );
}

fn provider_not_allowed(ctx: &Context<'_>, auth: &Auth<'_, '_>, m: &Managed<'_>, sink: &mut Sink) {
    let Some((allowed, span)) = &m.allowed else {
        return;
    };
    // What this context would use, in `allowedProviders` terms.
    // `CLAUDE_CODE_USE_GATEWAY` is undocumented: whether Claude Code then
    // checks `gateway` or `customEndpoint` is not known, so either admits it.
    if auth.gateway().is_some()
        && allowed
            .iter()
            .any(|a| a == "gateway" || a == "customEndpoint")
    {
        return;
    }
    let (name, binding) = match auth.provider() {
        Some((p, b)) => (p.policy_name(), b),
        None if auth.custom_endpoint() => match auth.base_url {
            Some(b) => ("customEndpoint", b),
            None => return,
        },
        None => match auth.first_party() {
            Some(c) => ("anthropic", c.binding),
            None => return,
        },
    };
    if allowed.iter().any(|a| a == name) {
        return;
    }
    let message = format!(
        "{}: {} makes Claude Code use `{name}`, which the managed `allowedProviders` list in `{}` does not \
         allow ({}): Claude Code refuses it at startup (\"Managed settings don't allow this API provider\") \
         wherever that managed file is deployed (Claude Code 2.1.285 and later).",
        super::in_context(ctx, binding),
        binding.describe(),
        m.file.display,
        if allowed.is_empty() {
            "the list is empty".to_string()
        } else {
            format!("it allows {}", allowed.join(", "))
        }
    );
    sink.push(
        Report::new("CLD221", binding, message).with_related(managed_related(
            m,
            span,
            "`allowedProviders`",
        )),
    );
}
