//! Environment-style assignments that parsers extract from structured files:
//! `ENV A=b`, `environment: {A: b}`, `containerEnv`, `with: {anthropic_api_key: …}`,
//! `A=b` in a dotenv file. The credential rules (and later the effective
//! environment resolver) read only these, never the files.

use std::ops::Range;

/// Where an assignment came from; decides how rules word their findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// An environment variable (`env:`, `environment:`, `containerEnv`, dotenv, `export`).
    Env,
    /// A GitHub Action input (`with:`).
    ActionInput,
    /// A build argument value (`build.args` in compose or devcontainer).
    BuildArg,
    /// Dockerfile `ENV`.
    DockerEnv,
    /// Dockerfile `ARG`.
    DockerArg,
}

/// The value side of an assignment.
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    /// A literal as written (quotes removed, escapes applied).
    Literal(String),
    /// A reference to a value held elsewhere: `${{ secrets.X }}`, `$X`, `${X:-d}`,
    /// `${localEnv:X}`. The string is the reference text.
    Reference(String),
    /// Declared with no value (`ARG X`, `X=`, `X:` with null).
    Empty,
}

impl std::fmt::Debug for Value {
    // Values may be secrets: never print a literal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Literal(s) => write!(f, "Literal(<{} chars>)", s.chars().count()),
            Value::Reference(r) => write!(f, "Reference({r})"),
            Value::Empty => f.write_str("Empty"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    /// Byte span of the name in the file.
    pub name_span: Range<usize>,
    pub value: Value,
    /// Byte span of the value as written (quotes included when quoted);
    /// equal to `name_span` when there is no value.
    pub value_span: Range<usize>,
    /// Logical location: a JSON pointer (`/containerEnv/ANTHROPIC_API_KEY`), a YAML
    /// path (`jobs.build.steps[0].env.ANTHROPIC_API_KEY`) or a Dockerfile
    /// location (`stage[1] builder > ENV ANTHROPIC_API_KEY`).
    pub logical: String,
    pub origin: Origin,
    /// The scope this assignment belongs to: `""` for file level, `jobs.build`,
    /// `jobs.build.steps[2]`, `services.api`, `stage:builder`, … Later issues
    /// chain scopes into execution contexts.
    pub scope: String,
}

/// Classifies a raw value (quotes already removed) as reference, empty or literal.
///
/// A value counts as a reference only when the *whole* value is one reference
/// (`${{ secrets.X }}`, `$X`, `${X}`, `${X:-default}`, `${localEnv:X}`,
/// `${containerEnv:X}`); `prefix-${X}` is a literal with an interpolation and
/// is treated as a reference too, since its secret part comes from elsewhere.
pub fn classify_value(raw: &str) -> Value {
    let v = raw.trim();
    if v.is_empty() {
        return Value::Empty;
    }
    if v.contains("${{") || is_shell_reference(v) || v.contains("${") {
        return Value::Reference(v.to_string());
    }
    Value::Literal(raw.to_string())
}

/// `$NAME` or `${…}` covering the whole value.
fn is_shell_reference(v: &str) -> bool {
    if let Some(rest) = v.strip_prefix("${") {
        return rest.ends_with('}');
    }
    if let Some(rest) = v.strip_prefix('$') {
        return !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    }
    false
}

/// Variables that hold a credential for Claude Code or its providers.
pub const CREDENTIAL_VARIABLES: &[&str] = &[
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_REFRESH_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
    "ANTHROPIC_FOUNDRY_API_KEY",
    "ANTHROPIC_FOUNDRY_AUTH_TOKEN",
    "ANTHROPIC_AWS_API_KEY",
];

/// claude-code-action inputs that hold a credential.
pub const CREDENTIAL_ACTION_INPUTS: &[&str] = &["anthropic_api_key", "claude_code_oauth_token"];

pub fn is_credential_variable(name: &str) -> bool {
    CREDENTIAL_VARIABLES.contains(&name)
}

pub fn is_credential_name(name: &str, origin: Origin) -> bool {
    match origin {
        Origin::ActionInput => CREDENTIAL_ACTION_INPUTS.contains(&name),
        _ => is_credential_variable(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_literals() {
        for r in [
            "${{ secrets.ANTHROPIC_API_KEY }}",
            "$ANTHROPIC_API_KEY",
            "${ANTHROPIC_API_KEY}",
            "${ANTHROPIC_API_KEY:-}",
            "${localEnv:ANTHROPIC_API_KEY}",
            "${containerEnv:X}",
            "Bearer ${TOKEN}",
        ] {
            assert!(matches!(classify_value(r), Value::Reference(_)), "{r}");
        }
        assert_eq!(classify_value("  "), Value::Empty);
        assert!(matches!(classify_value("gw-abc"), Value::Literal(_)));
        assert!(matches!(classify_value("$"), Value::Literal(_)));
    }
}
