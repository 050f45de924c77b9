//! What a variable's value is in an execution context, and how Claude Code
//! reads it: set or not (facts §3.1: an empty string is unset), and for
//! switches on, off or unrecognised (facts §3.5, §12.1).

use std::fmt;

use serde::Serialize;

use crate::assign::Value;

/// A value as the context sees it, after references were resolved where
/// the files allow it.
#[derive(Clone, PartialEq, Eq)]
pub enum Val {
    /// Known when the files are read.
    Literal(String),
    /// A CI expression (`${{ secrets.X }}`): assumed set, value unknown.
    Expr(String),
    /// Taken from the host or an outer environment (`${X}`, `${localEnv:X}`,
    /// compose's bare `- X`): set only when the host sets it.
    Host(String),
    /// `${X:-default}`: the host's value, else the default.
    Default { reference: String, default: String },
    /// Explicitly empty, which Claude Code treats as unset.
    Empty,
}

impl fmt::Debug for Val {
    // Literals may be secrets: never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Literal(s) => write!(f, "Literal(<{} chars>)", s.chars().count()),
            Val::Expr(r) => write!(f, "Expr({r})"),
            Val::Host(r) => write!(f, "Host({r})"),
            Val::Default { reference, .. } => write!(f, "Default({reference}, <default>)"),
            Val::Empty => f.write_str("Empty"),
        }
    }
}

/// Whether a variable is set, as far as the files tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    Unset,
    /// Set only if the host environment provides it.
    Maybe,
    Set,
}

/// How Claude Code reads an on/off switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Truth {
    On,
    Off,
    /// Empty: unset.
    Unset,
    /// A value outside `1/true/yes/on/0/false/no/off`: read as off.
    Unrecognised,
    /// Not known from the files (a CI expression, a host variable).
    Unknown,
}

impl Val {
    /// Reads an assignment's value. `bare_means_host` is for compose, where
    /// `- X` or `X:` without a value passes the host's `X` through.
    pub fn from_value(value: &Value, bare_means_host: bool, name: &str) -> Val {
        match value {
            Value::Literal(s) => Val::Literal(s.clone()),
            Value::Empty if bare_means_host => Val::Host(format!("${{{name}}}")),
            Value::Empty => Val::Empty,
            Value::Reference(r) => Val::from_reference(r),
        }
    }

    /// Classifies a reference's text.
    pub fn from_reference(r: &str) -> Val {
        let r = r.trim();
        if r.contains("${{") {
            return Val::Expr(r.to_string());
        }
        if let Some((name, default)) = whole_reference(r) {
            return match default {
                Some(d) if !d.is_empty() => Val::Default {
                    reference: name.to_string(),
                    default: d.to_string(),
                },
                _ => Val::Host(r.to_string()),
            };
        }
        Val::Host(r.to_string())
    }

    pub fn presence(&self) -> Presence {
        match self {
            Val::Literal(s) if s.trim().is_empty() => Presence::Unset,
            Val::Literal(_) | Val::Expr(_) | Val::Default { .. } => Presence::Set,
            Val::Host(_) => Presence::Maybe,
            Val::Empty => Presence::Unset,
        }
    }

    /// The literal text when it is known (a default counts: it is what the
    /// files say unless the host overrides).
    pub fn known_text(&self) -> Option<&str> {
        match self {
            Val::Literal(s) => Some(s),
            Val::Default { default, .. } => Some(default),
            _ => None,
        }
    }

    /// The value as written: a literal, a reference's text, or a default.
    /// For values parsed as text (header lists) whatever their references.
    pub fn written_text(&self) -> Option<&str> {
        match self {
            Val::Literal(s) | Val::Expr(s) | Val::Host(s) => Some(s),
            Val::Default { default, .. } => Some(default),
            Val::Empty => None,
        }
    }

    /// How Claude Code reads this value as a switch (facts §3.5).
    pub fn truth(&self) -> Truth {
        match self {
            Val::Empty => Truth::Unset,
            Val::Literal(s) => truth_of(s),
            Val::Default { default, .. } => truth_of(default),
            Val::Expr(_) | Val::Host(_) => Truth::Unknown,
        }
    }
}

/// `1/true/yes/on` on, `0/false/no/off` off, any case, trimmed; `""` unset.
pub fn truth_of(text: &str) -> Truth {
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "" => Truth::Unset,
        "1" | "true" | "yes" | "on" => Truth::On,
        "0" | "false" | "no" | "off" => Truth::Off,
        _ => Truth::Unrecognised,
    }
}

/// `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${localEnv:X}`, `${localEnv:X:d}`,
/// `${containerEnv:X}` covering the whole text: the variable and its default.
pub fn whole_reference(r: &str) -> Option<(&str, Option<&str>)> {
    if let Some(inner) = r.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
        if inner.contains(['{', '}', '$']) {
            return None;
        }
        for prefix in ["localEnv:", "containerEnv:"] {
            if let Some(rest) = inner.strip_prefix(prefix) {
                return Some(match rest.split_once(':') {
                    Some((name, d)) => (name, Some(d)),
                    None => (rest, None),
                });
            }
        }
        for sep in [":-", "-", ":=", "="] {
            if let Some((name, d)) = inner.split_once(sep).filter(|(n, _)| is_name(n)) {
                return Some((name, Some(d)));
            }
        }
        return is_name(inner).then_some((inner, None));
    }
    let name = r.strip_prefix('$')?;
    is_name(name).then_some((name, None))
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truthiness_follows_claude_code() {
        for on in ["1", "true", "TRUE", " yes ", "On"] {
            assert_eq!(truth_of(on), Truth::On, "{on}");
        }
        for off in ["0", "false", "No", "OFF"] {
            assert_eq!(truth_of(off), Truth::Off, "{off}");
        }
        assert_eq!(truth_of(""), Truth::Unset);
        assert_eq!(truth_of("  "), Truth::Unset);
        for odd in ["enabled", "y", "2", "\"1\""] {
            assert_eq!(truth_of(odd), Truth::Unrecognised, "{odd}");
        }
    }

    #[test]
    fn references_resolve_to_presence() {
        assert_eq!(
            Val::from_reference("${{ secrets.KEY }}").presence(),
            Presence::Set
        );
        assert_eq!(Val::from_reference("${KEY}").presence(), Presence::Maybe);
        assert_eq!(Val::from_reference("${KEY:-}").presence(), Presence::Maybe);
        let d = Val::from_reference("${USE:-1}");
        assert_eq!(d.presence(), Presence::Set);
        assert_eq!(d.truth(), Truth::On);
        assert_eq!(
            Val::from_reference("${localEnv:KEY}"),
            Val::Host("${localEnv:KEY}".into())
        );
        assert_eq!(
            whole_reference("${localEnv:KEY:fallback}"),
            Some(("KEY", Some("fallback")))
        );
        assert_eq!(whole_reference("$KEY"), Some(("KEY", None)));
        assert_eq!(whole_reference("Bearer ${T}"), None);
        assert_eq!(Val::Literal(String::new()).presence(), Presence::Unset);
        assert_eq!(
            Val::from_value(&Value::Empty, true, "K"),
            Val::Host("${K}".into())
        );
        assert_eq!(Val::from_value(&Value::Empty, false, "K"), Val::Empty);
    }

    #[test]
    fn debug_hides_literals() {
        let v = Val::Literal("secret-value".into());
        assert!(!format!("{v:?}").contains("secret"));
    }
}
