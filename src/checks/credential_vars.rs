//! CLD110: a credential variable or action input assigned a literal value in a
//! structured file (workflow, compose, devcontainer, dotenv, settings `env`, …),
//! even when the value is not `sk-ant-` shaped (gateway tokens).
//!
//! Dockerfile `ENV`/`ARG` are CLD111's; a value holding a recognised token is
//! the token rule's (one finding per span).

use super::FileContext;
use crate::assign::{Origin, Value, is_credential_name};
use crate::finding::Finding;
use crate::secrets::Secret;
use crate::secrets::placeholder::is_placeholder_value;

pub fn check(ctx: &FileContext, out: &mut Vec<Finding>) {
    let Some(rule) = crate::catalog::rule("CLD110") else {
        return;
    };
    for a in &ctx.parsed.assignments {
        if matches!(a.origin, Origin::DockerEnv | Origin::DockerArg) {
            continue;
        }
        if !is_credential_name(&a.name, a.origin) {
            continue;
        }
        let Value::Literal(value) = &a.value else {
            continue;
        };
        if is_placeholder_value(value)
            || ctx.token_within(&a.value_span)
            || !looks_like_credential(value)
        {
            continue;
        }
        let secret = Secret::new(value.as_bytes(), 0);
        let what = match a.origin {
            Origin::ActionInput => "action input",
            Origin::BuildArg => "build argument",
            _ => "variable",
        };
        out.push(
            Finding::new("CLD110", rule.severity, rule.confidence)
                .at(a.value_span.clone())
                .logical(a.logical.clone())
                .message(format!(
                    "credential {what} `{}` is set to a literal value (`{}`) instead of a reference to a secret",
                    a.name,
                    secret.redacted()
                ))
                .secret(secret.to_ref("credential-literal")),
        );
    }
}

/// A literal that could be a credential. Tokens never hold whitespace (a value
/// split across folded YAML lines breaks headers instead: the auth rules
/// report that).
fn looks_like_credential(value: &str) -> bool {
    !value.trim().contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::looks_like_credential;

    #[test]
    fn whitespace_and_rejected_sk_ant_values_are_not_credentials() {
        assert!(looks_like_credential("gw_8fK2nQ7xLm4Rt9Vb"));
        assert!(!looks_like_credential("sk-ant-api03-abc def"));
        assert!(!looks_like_credential("see the wiki"));
    }
}
