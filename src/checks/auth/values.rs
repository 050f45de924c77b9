//! Values that break or redirect things, and configuration that changes
//! Claude Code's behaviour from a shared place.
//!
//! * CLD215: a credential value that breaks HTTP headers.
//! * CLD216: a committed settings file sends traffic to a non-Anthropic host.
//! * CLD217: a base URL over plain `http://` to another machine.
//! * CLD218: `ANTHROPIC_BASE_URL` (or Foundry's or Claude Platform on AWS's
//!   base URL) ending in `/v1`.
//! * CLD219: a root dotenv file sets Claude Code auth or routing.
//! * CLD220: a provider switch or base URL baked into an image or dev container.

use super::{Report, Sink, in_context, related};
use crate::claude::location::SettingsScope;
use crate::env::auth::{Auth, is_loopback, url_host};
use crate::env::model::Layer;
use crate::env::policy::Policy;
use crate::env::value::{Presence, Truth, Val};
use crate::env::vars::{
    API_KEY, AUTH_TOKEN, BASE_URL, BASE_URL_VARIABLES, CUSTOM_HEADERS, HEADER_VARIABLES,
    OAUTH_TOKEN, Provider, is_vendor_host,
};
use crate::env::{Binding, Context, ContextKind};
use crate::finding::Severity;

pub(super) fn check(
    ctx: &Context<'_>,
    auth: &Auth<'_, '_>,
    policy: Option<&Policy>,
    sink: &mut Sink,
) {
    emptied_bedrock_values(ctx, auth, sink);
    for b in &ctx.bindings {
        header_breaking(ctx, b, sink);
        if BASE_URL_VARIABLES.contains(&b.var.as_str()) {
            committed_base_url(b, policy, sink);
            plain_http(ctx, b, sink);
            v1_suffix(ctx, b, sink);
        }
        baked_into_image(ctx, b, sink);
    }
    dotenv_sets_auth(ctx, sink);
}

// ---------------------------------------------------------------- CLD215

fn header_breaking(ctx: &Context<'_>, b: &Binding<'_>, sink: &mut Sink) {
    if !HEADER_VARIABLES.contains(&b.var.as_str()) {
        return;
    }
    let block = block_scalar_keeps_newline(b);
    let problem = match &b.val {
        Val::Literal(s) => literal_problem(&b.var, s),
        Val::Expr(_) | Val::Host(_) | Val::Default { .. } => {
            if block && b.var != CUSTOM_HEADERS {
                Some("ends with a line break".to_string())
            } else {
                quoted_whitespace(b)
            }
        }
        Val::Empty => None,
    };
    let Some(problem) = problem else {
        return;
    };
    let hint = if block {
        " A YAML block scalar (`|` or `>`) keeps its final line break: use `|-`, or a plain scalar."
    } else {
        ""
    };
    sink.push(Report::new(
        "CLD215",
        b,
        format!(
            "{}: the value of `{}` {problem}. Claude Code rejects such a value before sending it as an HTTP header (\"Invalid request header value\"), or the server answers 401.{hint}",
            in_context(ctx, b),
            b.site.written
        ),
    ));
}

/// `AWS_BEARER_TOKEN_BEDROCK: ""` (or the Bedrock base URL) with Bedrock on:
/// before Claude Code 2.1.97 an empty value broke SigV4 signing.
fn emptied_bedrock_values(ctx: &Context<'_>, auth: &Auth<'_, '_>, sink: &mut Sink) {
    let Some((Provider::Bedrock, flag)) = auth.provider() else {
        return;
    };
    for var in ["AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_BEDROCK_BASE_URL"] {
        let Some(b) = ctx.get(var) else {
            continue;
        };
        // Written as an empty value, not a name without one.
        let written_empty = b.val == Val::Empty
            && b.site.value_span != b.site.name_span
            && !matches!(b.layer, Layer::ActionDefault);
        if !written_empty {
            continue;
        }
        let mut report = Report::new(
            "CLD215",
            b,
            format!(
                "{}: `{var}` is set to an empty string while Amazon Bedrock is on. Before Claude Code 2.1.97 an empty value broke SigV4 signing; remove the variable instead of emptying it.",
                in_context(ctx, b)
            ),
        )
        .related(flag, "Amazon Bedrock is turned on here");
        report.severity = Some(Severity::Note);
        sink.push(report);
    }
}

/// What in a literal value breaks a header, if anything.
fn literal_problem(var: &str, s: &str) -> Option<String> {
    let headers_list = var == CUSTOM_HEADERS;
    if !headers_list {
        if let Some((i, _)) = s.char_indices().find(|(_, c)| matches!(c, '\n' | '\r')) {
            let at = s[..i].chars().count() + 1;
            let lines = s.lines().count().max(1);
            let chars = s.chars().count();
            return Some(format!(
                "contains a line break at character {at} ({chars} character{} on {lines} line{})",
                plural(chars),
                plural(lines)
            ));
        }
        if s.trim() != s {
            return Some("has leading or trailing whitespace".to_string());
        }
    }
    let bad = s.chars().find(|c| *c == '\0' || u32::from(*c) > 0xFF)?;
    Some(format!(
        "contains {} (U+{:04X}), which is not allowed in a header",
        char_name(bad),
        u32::from(bad)
    ))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn char_name(c: char) -> &'static str {
    match c {
        '\u{2018}' | '\u{2019}' => "a curly single quote",
        '\u{201C}' | '\u{201D}' => "a curly double quote",
        '\u{200B}' => "a zero-width space",
        '\u{200C}' | '\u{200D}' | '\u{2060}' => "a zero-width joiner",
        '\u{FEFF}' => "a byte-order mark",
        '\u{2013}' | '\u{2014}' => "a dash",
        '\u{2026}' => "an ellipsis",
        '\0' => "a NUL byte",
        _ => "a character above U+00FF",
    }
}

/// The file's source for the value, when it is YAML and a block scalar
/// with the default (clip) or keep chomping: the value ends with `\n`.
fn block_scalar_keeps_newline(b: &Binding<'_>) -> bool {
    // Only when the binding's value *is* that scalar: a `$GITHUB_ENV` write
    // points at its whole `run: |` script and an entry of the action's
    // `settings` input at the whole input, but the value each writes ends
    // before the line break.
    let own_scalar = !matches!(
        b.layer,
        Layer::GithubEnvWrite | Layer::ActionOutput(_) | Layer::ActionDefault | Layer::Settings(_)
    );
    if !own_scalar {
        return false;
    }
    if !matches!(
        b.site.file.kind,
        crate::classify::FileKind::Workflow
            | crate::classify::FileKind::ActionMetadata
            | crate::classify::FileKind::Compose
    ) {
        return false;
    }
    let text = b.site.file.text();
    let Some(before) = text.get(..b.site.value_span.start) else {
        return false;
    };
    let header_line = before.trim_end().rsplit('\n').next().unwrap_or("");
    let Some((_, indicator)) = header_line.rsplit_once(':') else {
        return false;
    };
    let indicator = indicator.split('#').next().unwrap_or("").trim();
    (indicator.starts_with('|') || indicator.starts_with('>')) && !indicator.contains('-')
}

/// `" ${{ secrets.X }} "`: whitespace inside the quotes of a reference.
fn quoted_whitespace(b: &Binding<'_>) -> Option<String> {
    let raw = b.site.file.text().get(b.site.value_span.clone())?;
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')));
    if !quoted {
        return None;
    }
    let inner = &raw[1..raw.len() - 1];
    (inner.trim() != inner).then(|| "has whitespace inside the quotes".to_string())
}

// ---------------------------------------------------------------- CLD216

fn committed_base_url(b: &Binding<'_>, policy: Option<&Policy>, sink: &mut Sink) {
    let Layer::Settings(scope) = &b.layer else {
        return;
    };
    let file = b.site.file;
    // `tracked` is "in the git index" in a work tree, "present and not
    // ignored" outside one: what "committed" means for either scope.
    let shared_scope =
        scope == SettingsScope::Project.as_str() || scope == SettingsScope::Local.as_str();
    if !shared_scope || !file.tracked {
        return;
    }
    let Some(url) = b.val.known_text() else {
        return;
    };
    let Some(host) = url_host(url) else {
        return;
    };
    if is_vendor_host(&b.var, host) || is_internal(host) {
        return;
    }
    if policy.is_some_and(|p| p.allows_host(host)) {
        return;
    }
    // The file's own bearer token outranks every user credential, so users'
    // keys and logins are not what goes there (the token itself is, and
    // CLD110 reports a literal one).
    let own_token = b.var == BASE_URL
        && file.parsed.assignments.iter().any(|a| {
            a.scope == "env" && a.name == AUTH_TOKEN && a.value != crate::assign::Value::Empty
        });
    let whose = if own_token {
        "with the bearer token this file sets (which outranks users' own keys and logins)"
    } else {
        "with their API key or token"
    };
    let mut report = Report::new(
        "CLD216",
        b,
        format!(
            "`{}` is committed and sets `{}` to host `{host}`: everyone who runs Claude Code in this repository sends requests, {whose}, to that host (and `claude -p` in CI trusts the folder, so it applies at once). This is the pattern of CVE-2026-21852. If the host is your organisation's gateway, allow it with `[policy] base_url_hosts` in `.claudit.toml`; otherwise remove it.",
            file.display, b.var
        ),
    );
    if b.var != BASE_URL || own_token {
        report.severity = Some(Severity::Warning);
    }
    sink.push(report);
}

/// A host name without a dot (a compose service, `litellm`) or a loopback
/// address: traffic that stays on the machine or its container network.
fn is_internal(host: &str) -> bool {
    is_loopback(host) || (!host.contains('.') && !host.contains(':'))
}

// ---------------------------------------------------------------- CLD217

fn plain_http(ctx: &Context<'_>, b: &Binding<'_>, sink: &mut Sink) {
    let Some(url) = b.val.known_text() else {
        return;
    };
    let url = url.trim();
    if !url
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    {
        return;
    }
    let Some(host) = url_host(url) else {
        return;
    };
    if is_internal(host) {
        return;
    }
    sink.push(Report::new(
        "CLD217",
        b,
        format!(
            "{}: `{}` uses plain `http://` to `{host}`, so every request carries its API key or token in clear text across the network. Use `https://`.",
            in_context(ctx, b),
            b.var
        ),
    ));
}

// ---------------------------------------------------------------- CLD218

/// Base URLs that Claude Code extends with `/v1/messages` (the Anthropic
/// Messages API path): the first-party one; Microsoft Foundry's, whose
/// documented form is `https://{resource}.services.ai.azure.com/anthropic`
/// (facts §3.3), so a trailing `/v1` doubles the version the same way; and
/// Claude Platform on AWS's (default `https://aws-external-anthropic.{region}.api.aws`,
/// the Anthropic API on AWS). Bedrock's (`/model/{id}/invoke`) and Mantle's
/// paths are not built that way, and Vertex's own endpoints live under
/// `/v1/projects/…`, so a `/v1` there is not known to be a mistake: left out.
const V1_TRAP_VARIABLES: &[&str] = &[
    BASE_URL,
    "ANTHROPIC_FOUNDRY_BASE_URL",
    "ANTHROPIC_AWS_BASE_URL",
];

fn v1_suffix(ctx: &Context<'_>, b: &Binding<'_>, sink: &mut Sink) {
    if !V1_TRAP_VARIABLES.contains(&b.var.as_str()) {
        return;
    }
    let Some(url) = b.val.known_text() else {
        return;
    };
    let Some(rest) = url.trim().split_once("://").map(|(_, r)| r) else {
        return;
    };
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("");
    if !path
        .trim_end_matches('/')
        .to_ascii_lowercase()
        .ends_with("/v1")
    {
        return;
    }
    sink.push(Report::new(
        "CLD218",
        b,
        format!(
            "{}: `{}` ends in `/v1`, and Claude Code appends `/v1/messages` itself, so requests go to `…/v1/v1/messages` and most gateways answer 404. Drop the `/v1` unless your gateway expects the doubled path.{}",
            in_context(ctx, b),
            b.var,
            if b.var == "ANTHROPIC_FOUNDRY_BASE_URL" {
                " The documented form is `https://{resource}.services.ai.azure.com/anthropic`."
            } else {
                ""
            }
        ),
    ));
}

// ---------------------------------------------------------------- CLD219

fn dotenv_sets_auth(ctx: &Context<'_>, sink: &mut Sink) {
    if ctx.kind != ContextKind::Dotenv || !loaded_by_shell_tools(&ctx.file.rel) {
        return;
    }
    let routing: Vec<&Binding<'_>> = ctx
        .bindings
        .iter()
        .filter(|b| sets_for_the_shell(b))
        .filter(|b| {
            matches!(
                b.var.as_str(),
                API_KEY | AUTH_TOKEN | OAUTH_TOKEN | BASE_URL
            ) || (Provider::from_flag(&b.var).is_some() && b.val.truth() == Truth::On)
        })
        .collect();
    let Some((first, rest)) = routing.split_first() else {
        return;
    };
    let names: Vec<String> = routing.iter().map(|b| format!("`{}`", b.var)).collect();
    let mut report = Report::new(
        "CLD219",
        first,
        format!(
            "`{}` sets {}: shells with direnv or a dotenv plugin, IDE terminals and some tools load it, and Claude Code started there then uses it — a credential here beats a subscription login (and bills the API or a gateway); a base URL or provider switch reroutes every session started there. Keep Claude Code's credentials out of project `.env` files, or make sure nothing loads this one into your shell.",
            ctx.file.display,
            names.join(", ")
        ),
    );
    for b in rest {
        report
            .related
            .push(related(b, format!("`{}` is also set here", b.var)));
    }
    sink.push(report);
}

/// `.env`, `.env.local`, `.env.development`, …: the names direnv's
/// `dotenv`, dotenv shell plugins, IDEs and dotenv libraries load by
/// default. Other dotenv-shaped files (`x.env`, `prod.env`) are loaded only
/// by whatever names them, such as a compose `env_file`, whose context is
/// reported on its own.
fn loaded_by_shell_tools(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name == ".env" || name.starts_with(".env.")
}

/// Set by the file: a value, or a reference that copies another variable
/// (`ANTHROPIC_AUTH_TOKEN=${GATEWAY_TOKEN}`); `X=${X}` changes nothing.
fn sets_for_the_shell(b: &Binding<'_>) -> bool {
    match &b.val {
        Val::Host(r) => {
            crate::env::value::whole_reference(r).is_some_and(|(name, _)| name != b.var)
        }
        _ => b.presence() == Presence::Set,
    }
}

// ---------------------------------------------------------------- CLD220

fn baked_into_image(ctx: &Context<'_>, b: &Binding<'_>, sink: &mut Sink) {
    let shared = matches!(
        b.layer,
        Layer::DockerEnv(_)
            | Layer::DevcontainerContainerEnv
            | Layer::DevcontainerRunArgs
            | Layer::DevcontainerRemoteEnv
    );
    // Only what reaches Claude: a later layer may override the image's value.
    let wins = ctx.get(&b.var).is_some_and(|w| std::ptr::eq(w, b));
    if !shared || !wins {
        return;
    }
    let what = if let Some(p) = Provider::from_flag(&b.var) {
        if b.val.truth() != Truth::On {
            return;
        }
        format!("turns on {}", p.display())
    } else if b.var == BASE_URL {
        match b.val.known_text().and_then(url_host) {
            Some(host) if !is_vendor_host(BASE_URL, host) => {
                format!("points `ANTHROPIC_BASE_URL` at `{host}`")
            }
            _ => return,
        }
    } else {
        return;
    };
    let place = match b.layer {
        Layer::DockerEnv(_) => "the image",
        _ => "the dev container",
    };
    sink.push(Report::new(
        "CLD220",
        b,
        format!(
            "{}: {place} {what} for everyone who uses it. With a provider switch or a non-default base URL in its environment, Claude Code does not fetch your organisation's server-managed settings (policy set in the Claude admin console is not applied). If that policy matters, deliver the switch another way (managed settings file, or per-user environment).",
            in_context(ctx, b)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_header_problems() {
        assert!(literal_problem(API_KEY, "abc").is_none());
        let nl = literal_problem(AUTH_TOKEN, "abc\ndef").expect("line break");
        assert!(nl.contains("character 4") && nl.contains("2 lines"), "{nl}");
        let trailing = literal_problem(AUTH_TOKEN, "abc\n").expect("line break");
        assert!(trailing.contains("4 characters on 1 line)"), "{trailing}");
        assert!(
            literal_problem(API_KEY, " abc")
                .expect("space")
                .contains("whitespace")
        );
        let zw = literal_problem(OAUTH_TOKEN, "ab\u{200b}").expect("zero width");
        assert!(zw.contains("U+200B") && zw.contains("zero-width"), "{zw}");
        // Latin-1 is allowed; custom headers may span lines.
        assert!(literal_problem(API_KEY, "caf\u{e9}").is_none());
        assert!(literal_problem(CUSTOM_HEADERS, "A: 1\nB: 2").is_none());
        assert!(literal_problem(CUSTOM_HEADERS, "A: \u{201c}1\u{201d}").is_some());
    }

    #[test]
    fn internal_hosts() {
        assert!(is_internal("litellm") && is_internal("localhost") && is_internal("127.0.0.1"));
        assert!(!is_internal("gw.example.com") && !is_internal("10.0.0.1"));
    }
}
