//! CLD101–CLD108: `sk-ant-` token literals anywhere in any file.

use super::FileContext;
use crate::finding::{Confidence, Finding, Severity};
use crate::secrets::Secret;
use crate::secrets::tokens::TokenMatch;

pub fn check(ctx: &FileContext, out: &mut Vec<Finding>) {
    for token in ctx.tokens {
        out.push(token_finding(ctx.bytes, token));
    }
}

/// The finding for one token match; shared with streamed (large-file) scanning.
pub fn token_finding(bytes: &[u8], token: &TokenMatch) -> Finding {
    let family = token.family;
    let secret = Secret::new(&bytes[token.span.clone()], token.prefix_len);
    let rule = crate::catalog::rule(family.rule_id);
    let default_severity = rule.map(|r| r.severity).unwrap_or(Severity::Error);
    let default_confidence = rule.map(|r| r.confidence).unwrap_or(Confidence::Medium);
    let (severity, confidence, shape_note) = if token.exact || family.jwt {
        (default_severity, default_confidence, "")
    } else if family.exact_shape_known {
        (
            default_severity.lowered(),
            Confidence::Medium,
            " (its length or suffix differs from the 108-character `…AA` shape, so it may be truncated or a variant)",
        )
    } else {
        (
            default_severity.lowered(),
            Confidence::Medium,
            " (Anthropic does not document this token's length; matched on prefix and a 40+ character body)",
        )
    };
    Finding::new(family.rule_id, severity, confidence)
        .at(token.span.clone())
        .message(format!(
            "{} `{}` is committed in plain text{}; revoke it and load it from a secret store",
            family.what,
            secret.redacted(),
            shape_note
        ))
        .secret(secret.to_ref(family.token_type))
}
