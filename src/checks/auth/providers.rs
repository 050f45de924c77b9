//! Provider configuration that cannot work as written.
//!
//! * CLD206: Bedrock signing clobbered by an `Authorization` custom header.
//! * CLD207: a skip-auth switch without its gateway base URL.
//! * CLD208: `CLAUDE_CODE_SKIP_FOUNDRY_AUTH` ignored because a Foundry key is set.
//! * CLD209: a provider without its required companions.
//! * CLD210: a provider or skip-auth switch with an unrecognised value.
//! * CLD211: an "any value disables" switch set to `0`/`false`.
//! * CLD212: a claude-code-action `use_*` input that is not `true`/`false`.
//! * CLD213: a provider switch in `env:` that claude-code-action overrides.
//! * CLD214: credentials claude-code-action's validation rejects.

use super::{Report, Sink, in_context};
use crate::assign::Value;
use crate::classify::FileKind;
use crate::env::Context;
use crate::env::auth::Auth;
use crate::env::model::Layer;
use crate::env::value::{Presence, Truth, truth_of};
use crate::env::vars::{
    CUSTOM_HEADERS, CredentialKind, FEDERATION_ORG, FEDERATION_RULE, PRESENCE_SWITCHES, PROVIDERS,
    Provider, USE_GATEWAY,
};
use crate::finding::{Finding, Severity};
use crate::formats::yaml::workflow::Step;
use crate::project::{FileFacts, Project};

pub(super) fn check(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    bedrock_authorization_header(ctx, auth, sink);
    skip_auth_without_gateway(ctx, sink);
    foundry_skip_auth_ignored(ctx, sink);
    missing_companions(ctx, auth, sink);
    switch_values(ctx, sink);
    action_overrides_env_switch(ctx, sink);
    action_credential_validation(ctx, auth, sink);
}

fn on(ctx: &Context<'_>, var: &str) -> bool {
    ctx.get(var).is_some_and(|b| b.val.truth() == Truth::On)
}

// ---------------------------------------------------------------- CLD206

fn bedrock_authorization_header(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    let Some((Provider::Bedrock, flag)) = auth.provider() else {
        return;
    };
    if on(ctx, Provider::Bedrock.skip_auth_flag()) {
        return;
    }
    let Some(headers) = ctx.present(CUSTOM_HEADERS) else {
        return;
    };
    let Some(text) = headers.val.written_text() else {
        return;
    };
    let sets_authorization = text.lines().any(|line| {
        line.split_once(':')
            .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("authorization"))
    });
    if !sets_authorization {
        return;
    }
    sink.push(
        Report::new(
            "CLD206",
            headers,
            format!(
                "{}: `ANTHROPIC_CUSTOM_HEADERS` sets an `Authorization` header while Amazon Bedrock signs requests with SigV4. Until Claude Code 2.1.101 this made Bedrock answer 403; later versions drop or ignore it. Remove the header, or set `CLAUDE_CODE_SKIP_BEDROCK_AUTH=1` with `ANTHROPIC_BEDROCK_BASE_URL` if a gateway checks it.",
                in_context(ctx, headers)
            ),
        )
        .related(flag, "Amazon Bedrock is turned on here"),
    );
}

// ---------------------------------------------------------------- CLD207

fn skip_auth_without_gateway(ctx: &Context<'_>, sink: &mut Sink) {
    for p in PROVIDERS {
        if p == Provider::Foundry {
            continue; // Foundry's skip flag has its own rule (CLD208).
        }
        let Some(skip) = ctx
            .get(p.skip_auth_flag())
            .filter(|b| b.val.truth() == Truth::On)
        else {
            continue;
        };
        if ctx.present(p.base_url_var()).is_some() {
            continue;
        }
        // A provider explicitly off makes the skip flag irrelevant.
        let flag = ctx.get(p.flag());
        if flag.is_some_and(|b| matches!(b.val.truth(), Truth::Off | Truth::Unset)) {
            continue;
        }
        let mut report = Report::new(
            "CLD207",
            skip,
            format!(
                "{}: `{}` turns off request signing for {}, which only makes sense behind a gateway that signs for Claude Code, but `{}` is not set: requests go unsigned to the provider's own endpoint and fail. Set the gateway URL, or remove the skip flag.",
                in_context(ctx, skip),
                p.skip_auth_flag(),
                p.display(),
                p.base_url_var()
            ),
        );
        if let Some(flag) = flag {
            report = report.related(flag, format!("{} is turned on here", p.display()));
        }
        sink.push(report);
    }
}

// ---------------------------------------------------------------- CLD208

fn foundry_skip_auth_ignored(ctx: &Context<'_>, sink: &mut Sink) {
    let Some(skip) = ctx
        .get(Provider::Foundry.skip_auth_flag())
        .filter(|b| b.val.truth() == Truth::On)
    else {
        return;
    };
    for var in ["ANTHROPIC_FOUNDRY_AUTH_TOKEN", "ANTHROPIC_FOUNDRY_API_KEY"] {
        let Some(key) = ctx.present(var) else {
            continue;
        };
        let mut report = Report::new(
            "CLD208",
            key,
            format!(
                "{}: `CLAUDE_CODE_SKIP_FOUNDRY_AUTH` is ignored because `{var}` is set: Claude Code sends the Foundry credential anyway, so a gateway that injects its own `Authorization` header sees this one. Remove the key, or the skip flag.",
                in_context(ctx, key)
            ),
        )
        .related(skip, "ignored while a Foundry key or token is set");
        if key.presence() == Presence::Maybe {
            report.lower = 1;
        }
        sink.push(report);
        return;
    }
}

// ---------------------------------------------------------------- CLD209

fn missing_companions(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    let Some((provider, flag)) = auth.provider() else {
        return;
    };
    // Outside a workflow the shell, `docker run -e` or the host may supply
    // what the files leave out.
    let elsewhere = if ctx.ci {
        ""
    } else {
        " (unless the environment that starts Claude Code sets it)"
    };
    let lower = u8::from(!ctx.ci);
    // The action validates the environment it starts Claude with, before
    // Claude Code reads any settings; a switch that only the repository's
    // settings turn on is not part of it, and neither is a region, project
    // or credential that only settings `env` (the repository's or the
    // `settings` input's) provide.
    let action = ctx.action.as_ref().filter(|_| !flag.layer.is_settings());
    let any = |vars: &[&str]| vars.iter().find_map(|v| ctx.present(v)).is_some();
    let any_for_action = |vars: &[&str]| vars.iter().any(|v| before_settings(ctx, v));
    let mut missing: Vec<(String, Severity)> = Vec::new();
    let foundry_target = ["ANTHROPIC_FOUNDRY_RESOURCE", "ANTHROPIC_FOUNDRY_BASE_URL"];
    let foundry_found = match action {
        Some(_) => any_for_action(&foundry_target),
        None => any(&foundry_target),
    };
    match provider {
        Provider::Foundry if !foundry_found => {
            missing.push((
                "Microsoft Foundry needs `ANTHROPIC_FOUNDRY_RESOURCE` or `ANTHROPIC_FOUNDRY_BASE_URL`".into(),
                Severity::Error,
            ));
        }
        Provider::AnthropicAws if !any(&["ANTHROPIC_AWS_WORKSPACE_ID"]) => {
            missing.push((
                "Claude Platform on AWS needs `ANTHROPIC_AWS_WORKSPACE_ID`".into(),
                Severity::Error,
            ));
        }
        _ => {}
    }
    if let Some(action) = action {
        let present = |var: &str| before_settings(ctx, var);
        let any = any_for_action;
        match provider {
            Provider::Bedrock => {
                if !any(&["AWS_REGION", "AWS_DEFAULT_REGION"]) {
                    missing.push((
                        "claude-code-action requires `AWS_REGION` for Amazon Bedrock (set it in `env:`, or give an earlier `aws-actions/configure-aws-credentials` step `aws-region`)".into(),
                        Severity::Error,
                    ));
                }
                let keys = present("AWS_ACCESS_KEY_ID") && present("AWS_SECRET_ACCESS_KEY");
                if !keys
                    && !present("AWS_BEARER_TOKEN_BEDROCK")
                    && action.aws_credentials_step.is_none()
                {
                    missing.push((
                        "claude-code-action finds no AWS credentials for Amazon Bedrock (`AWS_BEARER_TOKEN_BEDROCK`, `AWS_ACCESS_KEY_ID` with `AWS_SECRET_ACCESS_KEY`, or an earlier `aws-actions/configure-aws-credentials` step)".into(),
                        Severity::Warning,
                    ));
                }
            }
            Provider::Vertex => {
                if !any(&[
                    "ANTHROPIC_VERTEX_PROJECT_ID",
                    "GOOGLE_CLOUD_PROJECT",
                    "GCLOUD_PROJECT",
                ]) && !action.gcp_auth_step
                {
                    missing.push((
                        "claude-code-action requires `ANTHROPIC_VERTEX_PROJECT_ID` for Google Vertex AI (or an earlier `google-github-actions/auth` step)".into(),
                        Severity::Error,
                    ));
                }
                if !any(&["CLOUD_ML_REGION"]) {
                    missing.push((
                        "claude-code-action requires `CLOUD_ML_REGION` for Google Vertex AI".into(),
                        Severity::Error,
                    ));
                }
            }
            _ => {}
        }
    }
    let Some(severity) = missing.iter().map(|(_, s)| *s).max() else {
        return;
    };
    let what: Vec<String> = missing.into_iter().map(|(m, _)| m).collect();
    let mut report = Report::new(
        "CLD209",
        flag,
        format!(
            "{}: {} is on, but {}{elsewhere}.",
            in_context(ctx, flag),
            provider.display(),
            what.join("; and ")
        ),
    );
    report.severity = Some(severity);
    report.lower = lower;
    sink.push(report.per_context(ctx));
}

/// `var` is set in the environment claude-code-action starts with: by a
/// layer below Claude settings (the winning one of those layers counts).
fn before_settings(ctx: &Context<'_>, var: &str) -> bool {
    ctx.bindings
        .iter()
        .rev()
        .filter(|b| !b.layer.is_settings())
        .find(|b| b.var == var)
        .is_some_and(|b| b.presence() > Presence::Unset)
}

// ---------------------------------------------------------- CLD210 / CLD211

fn switch_values(ctx: &Context<'_>, sink: &mut Sink) {
    for b in &ctx.bindings {
        // Inputs mapped by the action carry the mapped value; CLD212 reads the input.
        if matches!(b.layer, Layer::ActionInput | Layer::ActionDefault) {
            continue;
        }
        let is_switch = Provider::from_flag(&b.var).is_some()
            || Provider::from_skip_flag(&b.var).is_some()
            || b.var == USE_GATEWAY;
        let Some(text) = b.val.known_text() else {
            continue;
        };
        if is_switch && truth_of(text) == Truth::Unrecognised {
            sink.push(Report::new(
                "CLD210",
                b,
                format!(
                    "{}: `{}` is set to `{}`, which is not one of `1`, `true`, `yes`, `on` (or `0`, `false`, `no`, `off`), any case. Claude Code reads it as off.{} Use `1` to turn it on.",
                    in_context(ctx, b),
                    b.var,
                    show_value(text),
                    quote_hint(text)
                ),
            ));
        }
        if PRESENCE_SWITCHES.contains(&b.var.as_str()) && truth_of(text) == Truth::Off {
            sink.push(Report::new(
                "CLD211",
                b,
                format!(
                    "{}: `{}={}` still turns the feature off: Claude Code checks only that the variable is non-empty. To keep it on, remove the variable.",
                    in_context(ctx, b),
                    b.var,
                    text.trim()
                ),
            ));
        }
    }
}

/// A switch's value for a message: short and printable.
fn show_value(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || c == '`' { '·' } else { c })
        .take(24)
        .collect()
}

fn quote_hint(text: &str) -> &'static str {
    let t = text.trim();
    if (t.starts_with('"') && t.ends_with('"')) || (t.starts_with('\'') && t.ends_with('\'')) {
        " The quotes are part of the value (compose keeps them in `- KEY=\"value\"` list items)."
    } else {
        ""
    }
}

// ---------------------------------------------------------------- CLD212

/// `use_bedrock: "1"` and friends, read from the steps themselves.
pub(super) fn check_action_inputs(project: &Project, sink: &mut Sink) {
    for file in &project.files {
        let steps: Vec<&Step> = match file.kind {
            FileKind::Workflow => file
                .parsed
                .workflow
                .iter()
                .flat_map(|w| w.jobs.iter().flat_map(|j| j.steps.iter()))
                .collect(),
            FileKind::ActionMetadata => file
                .parsed
                .action
                .iter()
                .flat_map(|a| a.runs.steps.iter())
                .collect(),
            _ => continue,
        };
        for step in steps {
            let is_action = step
                .uses
                .as_ref()
                .is_some_and(|u| crate::env::build::claude_action(&u.value).is_some());
            if is_action {
                provider_inputs(file, step, sink);
            }
        }
    }
}

fn provider_inputs(file: &FileFacts, step: &Step, sink: &mut Sink) {
    for a in &step.with {
        let Some(p) = PROVIDERS
            .into_iter()
            .find(|p| p.action_input() == Some(a.name.as_str()))
        else {
            continue;
        };
        let Value::Literal(text) = &a.value else {
            continue;
        };
        if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") {
            continue;
        }
        let read_as_on = truth_of(text) == Truth::On;
        let consequence = if read_as_on {
            format!(
                "{} stays off and Claude calls the Anthropic API directly (with whatever Anthropic credential the job has)",
                p.display()
            )
        } else {
            format!("{} stays off", p.display())
        };
        let finding = Finding::new("CLD212", Severity::Warning, crate::finding::Confidence::High)
            .at(a.value_span.clone())
            .logical(a.logical.clone())
            .message(format!(
                "`{}: {}` is not `true` or `false`: claude-code-action compares the input with 'true', so {consequence}. Write `{}: true`.",
                a.name,
                show_value(text),
                a.name
            ));
        sink.push_finding(file, finding);
    }
}

// ---------------------------------------------------------------- CLD213

fn action_overrides_env_switch(ctx: &Context<'_>, sink: &mut Sink) {
    let Some(action) = &ctx.action else {
        return;
    };
    for p in PROVIDERS {
        let Some(input) = p.action_input() else {
            continue;
        };
        let Some(resolved) = ctx.resolve(p.flag()) else {
            continue;
        };
        let winner = resolved.winner;
        if !matches!(winner.layer, Layer::ActionInput | Layer::ActionDefault)
            || winner.val.truth() == Truth::On
        {
            continue;
        }
        let Some(env) = resolved.shadowed.iter().find(|b| {
            b.val.truth() == Truth::On
                && !matches!(b.layer, Layer::ActionInput | Layer::ActionDefault)
        }) else {
            continue;
        };
        let how = if winner.layer == Layer::ActionDefault {
            format!("`{input}` is not given (default \"false\")")
        } else {
            format!("`{input}` is not `true`")
        };
        sink.push(
            Report::new(
                "CLD213",
                env,
                format!(
                    "{}: `{}` is set in the environment, but {} sets it from its `{input}` input, and {how}: Claude runs against the Anthropic API, not {}. Give the action `{input}: true` instead.",
                    in_context(ctx, env),
                    p.flag(),
                    if action.base { "claude-code-base-action" } else { "claude-code-action" },
                    p.display()
                ),
            )
            .related(winner, format!("{} sets `{}` to \"\" here", action.uses, p.flag())),
        );
    }
}

// ---------------------------------------------------------------- CLD214

fn action_credential_validation(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    let Some(action) = &ctx.action else {
        return;
    };
    let rule = ctx.present(FEDERATION_RULE);
    let org = ctx.present(FEDERATION_ORG);
    match (rule, org) {
        (Some(b), None) | (None, Some(b)) => {
            let (has, lacks) = if rule.is_some() {
                ("anthropic_federation_rule_id", "anthropic_organization_id")
            } else {
                ("anthropic_organization_id", "anthropic_federation_rule_id")
            };
            sink.push(
                Report::new(
                    "CLD214",
                    b,
                    format!(
                        "{}: workload identity federation is half configured: `{has}` is given without `{lacks}`, and claude-code-action stops with \"Workload identity federation requires both\". Give both.",
                        in_context(ctx, b)
                    ),
                )
                .per_context(ctx),
            );
        }
        (Some(b), Some(_)) if action.id_token_write == Some(false) => {
            sink.push(
                Report::new(
                    "CLD214",
                    b,
                    format!(
                        "{}: workload identity federation uses the job's GitHub OIDC token, but neither the job nor the workflow grants `permissions: id-token: write`, so the token exchange fails. Add `id-token: write`.",
                        in_context(ctx, b)
                    ),
                )
                .per_context(ctx),
            );
        }
        _ => {}
    }
    if auth.provider().is_some() {
        return;
    }
    let Some(token) = auth.credential(CredentialKind::AuthToken) else {
        return;
    };
    let accepted = auth.credentials.iter().any(|c| {
        matches!(
            c.kind,
            CredentialKind::ApiKey | CredentialKind::OauthToken | CredentialKind::Federation
        )
    });
    if accepted {
        return;
    }
    sink.push(
        Report::new(
            "CLD214",
            token.binding,
            format!(
                "{}: `ANTHROPIC_AUTH_TOKEN` is the only credential, and claude-code-action's validation requires `anthropic_api_key`, `claude_code_oauth_token` or federation inputs, so the step fails before Claude starts (claude-code-action#1119). For a bearer-token gateway pass the same secret as `anthropic_api_key` too.",
                in_context(ctx, token.binding)
            ),
        )
        .per_context(ctx),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_messages_are_short_and_printable() {
        assert_eq!(show_value("en\nabled`"), "en·abled·");
        assert_eq!(show_value(&"y".repeat(40)).len(), 24);
        assert!(quote_hint("\"1\"").contains("quotes"));
        assert_eq!(quote_hint("1"), "");
    }
}
