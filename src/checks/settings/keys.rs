//! The settings tree against the documented keys (facts §2.2, §2.3, §12.2,
//! R28, R29):
//!
//! - CLD306: a key the docs do not have, with a did-you-mean.
//! - CLD307: a value of the wrong JSON type, or a missing required key.
//! - CLD308: a value outside its documented set or range.
//! - CLD310: a key or value that has no effect in this file (managed-only keys
//!   in project settings, global-config keys, `mcpServers` in settings, env
//!   variables a repository cannot set, `defaultMode: "auto"` in a project).
//! - CLD311: a deprecated key, or one that no longer does anything.
//! - CLD312: `attribution: false`, which CLIs older than v2.1.281 reject.
//! - CLD313: an `env` name outside the documented `^[A-Z_][A-Z0-9_]*$` form.
//!
//! `hooks` and permission rules have their own modules.

use super::{Findings, hooks, opening, permissions};
use crate::claude::location::SettingsScope;
use crate::claude::settings_model::{
    self as model, ATTRIBUTION_KEYS, Key, KeyScope, Lifecycle, SETTINGS_KEYS, Shape, did_you_mean,
    find_key,
};
use crate::finding::Severity;
use crate::formats::json::{Member, Node, NodeValue, pointer_join};

/// Checks a settings file's root object.
pub fn check_settings(root: &Node, scope: SettingsScope, findings: &mut Findings) {
    if root.as_object().is_none() {
        findings.push(
            "CLD307",
            opening(&root.span),
            "",
            format!(
                "a settings file must hold a JSON object, but this one holds {}; Claude Code cannot read any \
                 setting from it",
                describe_node(root)
            ),
        );
        return;
    }
    let mut walker = Walker { scope, findings };
    walker.object(root, SETTINGS_KEYS, "", "");
}

/// "a string", "an array", ... for the value actually found.
pub fn describe_node(node: &Node) -> &'static str {
    match node.value {
        NodeValue::Object(_) => "an object",
        NodeValue::Array(_) => "an array",
        NodeValue::String(_) => "a string",
        NodeValue::Number(_) => "a number",
        NodeValue::Bool(_) => "a boolean",
        NodeValue::Null => "`null`",
    }
}

struct Walker<'f, 'a, 'b> {
    scope: SettingsScope,
    findings: &'f mut Findings<'a, 'b>,
}

impl Walker<'_, '_, '_> {
    /// Checks every member of `node` against `keys`. `path` is the dotted key
    /// path for messages (`permissions`), `pointer` the JSON pointer.
    fn object(&mut self, node: &Node, keys: &'static [Key], pointer: &str, path: &str) {
        let Some(members) = node.as_object() else {
            return;
        };
        for m in members {
            let member_pointer = pointer_join(pointer, &m.key);
            match find_key(keys, &m.key) {
                Some(key) => self.known(m, key, &member_pointer, &dotted(path, &m.key)),
                None => self.unknown(m, keys, &member_pointer, path),
            }
        }
        for key in keys.iter().filter(|k| k.required) {
            if node.member(key.name).is_none() {
                let where_ = if path.is_empty() {
                    "the settings file".to_string()
                } else {
                    format!("`{path}`")
                };
                self.findings.push(
                    "CLD307",
                    opening(&node.span),
                    pointer,
                    format!(
                        "{where_} is missing the required key `{}` ({}); Claude Code rejects the value without it",
                        key.name,
                        key.shape.describe()
                    ),
                );
            }
        }
    }

    fn known(&mut self, m: &Member, key: &Key, pointer: &str, path: &str) {
        if !key.scope.applies_in(self.scope) {
            self.wrong_scope(m, key, pointer, path);
        }
        self.lifecycle(m, key, pointer, path);
        self.value(&m.value, &key.shape, pointer, path);
        self.value_effect(m, pointer, path);
    }

    fn wrong_scope(&mut self, m: &Member, key: &Key, pointer: &str, path: &str) {
        let message = format!(
            "`{path}` takes effect {}, so in this {} settings file it does nothing{}",
            key.scope.describe(),
            self.scope.as_str(),
            match key.scope {
                KeyScope::Managed => "; deploy it through managed settings",
                KeyScope::UserOrManaged => "; a repository cannot set it",
                KeyScope::GlobalConfig => "; `/config` writes it to `~/.claude.json`",
                _ => "",
            }
        );
        self.findings
            .push("CLD310", m.key_span.clone(), pointer, message);
    }

    fn lifecycle(&mut self, m: &Member, key: &Key, pointer: &str, path: &str) {
        let message = match key.lifecycle {
            Lifecycle::Current => return,
            Lifecycle::Deprecated { since, replacement } => format!(
                "`{path}` is deprecated since v{since}; use `{replacement}` instead (when both are set, \
                 `{replacement}` wins)"
            ),
            Lifecycle::NoEffect { since } => {
                format!("`{path}` has no effect since v{since}; remove it")
            }
            Lifecycle::Removed { since } => format!("`{path}` was removed in v{since}; remove it"),
        };
        self.findings
            .push("CLD311", m.key_span.clone(), pointer, message);
    }

    fn unknown(&mut self, m: &Member, siblings: &'static [Key], pointer: &str, path: &str) {
        let top = path.is_empty();
        let name = self.findings.shown(&m.key, &m.key_span);
        if top && m.key == "mcpServers" {
            self.findings.push(
                "CLD310",
                m.key_span.clone(),
                pointer,
                "`mcpServers` is not read from a settings file: Claude Code loads project MCP servers from \
                 `.mcp.json` at the project root and user or local servers from `~/.claude.json` (managed \
                 deployments use `managed-mcp.json`); move the servers there"
                    .into(),
            );
            return;
        }
        if top && crate::checks::mcp::is_annotation(&m.key) {
            return; // a comment key: meant to do nothing, and the top level accepts any key
        }
        let suggestion = if top {
            top_level_suggestion(&m.key)
        } else {
            did_you_mean(&m.key, siblings.iter().map(|k| k.name))
                .map(|s| format!("`{}`", dotted(path, s)))
        };
        let place = if top {
            "at the top level of a settings file".to_string()
        } else {
            format!("in `{path}`")
        };
        match suggestion {
            Some(s) => self.findings.push(
                "CLD306",
                m.key_span.clone(),
                pointer,
                format!(
                    "{name} is not a documented Claude Code setting {place}; did you mean {s}? Claude Code does \
                     not apply a key it does not know, so this value has no effect"
                ),
            ),
            None => self.findings.push_lowered(
                "CLD306",
                m.key_span.clone(),
                pointer,
                format!(
                    "{name} is not a documented Claude Code setting {place} (checked against the settings \
                     reference up to v{}); if it is a typo it has no effect, if it is newer than that, ignore \
                     this note",
                    model::REFLECTS_VERSION
                ),
            ),
        }
    }

    fn value(&mut self, node: &Node, shape: &Shape, pointer: &str, path: &str) {
        match shape {
            Shape::Any => {}
            Shape::Bool => {
                if node.as_bool().is_none() {
                    self.wrong_type(node, shape, pointer, path);
                }
            }
            Shape::Str => {
                if node.as_str().is_none() {
                    self.wrong_type(node, shape, pointer, path);
                }
            }
            Shape::Enum(values) => self.enumerated(node, shape, values, pointer, path),
            Shape::Number(bounds) => match number(node) {
                None => self.wrong_type(node, shape, pointer, path),
                Some(n) => {
                    if let Some(why) = bounds.violation(n) {
                        self.findings.push(
                            "CLD308",
                            node.span.clone(),
                            pointer,
                            format!("`{path}` {why}; Claude Code rejects the value"),
                        );
                    }
                }
            },
            Shape::StrArray => self.string_array(node, shape, pointer, path),
            Shape::StrOrStrArray => {
                if node.as_str().is_none() {
                    self.string_array(node, shape, pointer, path);
                }
            }
            Shape::ArrayOf(inner) => match node.as_array() {
                None => self.wrong_type(node, shape, pointer, path),
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let p = pointer_join(pointer, &i.to_string());
                        self.value(item, inner, &p, &format!("{path}[{i}]"));
                    }
                }
            },
            Shape::Object(keys) => {
                if node.as_object().is_none() {
                    self.wrong_type(node, shape, pointer, path);
                } else {
                    self.object(node, keys, pointer, path);
                }
            }
            Shape::MapOf(inner) => match node.as_object() {
                None => self.wrong_type(node, shape, pointer, path),
                Some(members) => {
                    for m in members {
                        let p = pointer_join(pointer, &m.key);
                        self.value(&m.value, inner, &p, path);
                    }
                }
            },
            Shape::Rules(list) => {
                if node.as_array().is_none() {
                    self.wrong_type(node, shape, pointer, path);
                } else {
                    permissions::check_list(node, *list, self.scope, pointer, self.findings);
                }
            }
            Shape::Env => self.env(node, shape, pointer, path),
            Shape::Hooks => {
                if node.as_object().is_none() {
                    self.wrong_type(node, shape, pointer, path);
                } else {
                    hooks::check(node, pointer, self.findings);
                }
            }
            Shape::Attribution => self.attribution(node, shape, pointer, path),
        }
    }

    fn wrong_type(&mut self, node: &Node, shape: &Shape, pointer: &str, path: &str) {
        if let NodeValue::Number(text) = &node.value
            && !crate::formats::json_strict::is_json_number(text)
        {
            // Not a wrong type: not JSON at all (`0x10`). CLD301 reports it at
            // this span, and `JSON.parse` rejects the whole file for it.
            return;
        }
        self.findings.push(
            "CLD307",
            node.span.clone(),
            pointer,
            format!(
                "`{path}` must be {}, but it is {}; a value of the wrong type is a schema error, so Claude Code \
                 shows a \"Settings Error\" interactively and skips it silently in `-p`",
                shape.describe(),
                describe_node(node)
            ),
        );
    }

    fn enumerated(
        &mut self,
        node: &Node,
        shape: &Shape,
        values: &[&str],
        pointer: &str,
        path: &str,
    ) {
        let Some(value) = node.as_str() else {
            self.wrong_type(node, shape, pointer, path);
            return;
        };
        if values.contains(&value) {
            return;
        }
        if path == "permissions.defaultMode" && value == "delegate" {
            // Graded N in the facts (R28): accepted by the schema, undocumented in the CLI.
            let (_, confidence) = super::defaults("CLD308");
            self.findings.push_with(
                "CLD308",
                Severity::Note,
                confidence,
                node.span.clone(),
                pointer,
                "`permissions.defaultMode` `\"delegate\"` is accepted by SchemaStore's schema but is not a \
                 documented mode; what Claude Code does with it is undocumented"
                    .into(),
            );
            return;
        }
        let hint = did_you_mean(value, values.iter().copied())
            .map(|s| format!(" (did you mean `\"{s}\"`?)"))
            .unwrap_or_default();
        self.findings.push(
            "CLD308",
            node.span.clone(),
            pointer,
            format!(
                "`{path}` must be {}{hint}; Claude Code rejects any other value (before v2.1.121 an invalid \
                 value voided the whole file, since then the entry is dropped)",
                shape.describe()
            ),
        );
    }

    fn string_array(&mut self, node: &Node, shape: &Shape, pointer: &str, path: &str) {
        let Some(items) = node.as_array() else {
            self.wrong_type(node, shape, pointer, path);
            return;
        };
        for (i, item) in items.iter().enumerate() {
            if item.as_str().is_none() {
                self.findings.push(
                    "CLD307",
                    item.span.clone(),
                    &pointer_join(pointer, &i.to_string()),
                    format!(
                        "every entry of `{path}` must be a string, but entry {i} is {}",
                        describe_node(item)
                    ),
                );
            }
        }
    }

    fn env(&mut self, node: &Node, shape: &Shape, pointer: &str, path: &str) {
        let Some(members) = node.as_object() else {
            self.wrong_type(node, shape, pointer, path);
            return;
        };
        for m in members {
            let p = pointer_join(pointer, &m.key);
            let name = self.findings.shown(&m.key, &m.key_span);
            if m.value.as_str().is_none() {
                self.findings.push_lowered(
                    "CLD307",
                    m.value.span.clone(),
                    &p,
                    format!(
                        "the `env` value of {name} must be a string, but it is {}: Claude Code crashed on a \
                         non-string value before v2.1.101, and how later versions treat it is undocumented; \
                         quote it (`\"1\"`, `\"true\"`)",
                        describe_node(&m.value)
                    ),
                );
            }
            if !model::is_conventional_env_name(&m.key) {
                self.findings.push(
                    "CLD313",
                    m.key_span.clone(),
                    &p,
                    format!(
                        "the `env` name {name} is outside the documented form (upper-case letters, digits and \
                         `_`, not starting with a digit); Claude Code's documentation does not say what it does \
                         with other names, and names with `-` or spaces cannot be read from a shell"
                    ),
                );
            }
            if let Some(ignored) = model::env_ignored(&m.key, m.value.as_str(), self.scope) {
                let since = ignored
                    .since
                    .map(|v| format!(" (since v{v})"))
                    .unwrap_or_default();
                self.findings.push(
                    "CLD310",
                    m.key_span.clone(),
                    &p,
                    format!(
                        "Claude Code ignores {name} in the `env` block of this {} settings file{since}: {}",
                        self.scope.as_str(),
                        ignored.reason
                    ),
                );
            }
        }
    }

    fn attribution(&mut self, node: &Node, shape: &Shape, pointer: &str, path: &str) {
        match &node.value {
            NodeValue::Object(_) => self.object(node, ATTRIBUTION_KEYS, pointer, path),
            NodeValue::Bool(false) => {
                if self.scope != SettingsScope::User {
                    self.findings.push(
                        "CLD312",
                        node.span.clone(),
                        pointer,
                        format!(
                            "`attribution: false` is valid only from v2.1.281; older Claude Code versions skip a \
                             settings file that holds it, so teammates or CI on an older CLI lose every setting \
                             in this {} file. Use the object form, `{{\"commit\": \"\", \"pr\": \"\"}}`, which \
                             every version reads",
                            self.scope.as_str()
                        ),
                    );
                }
            }
            _ => self.wrong_type(node, shape, pointer, path),
        }
    }

    /// Values that are valid but do nothing in this file (R29, §12.11).
    fn value_effect(&mut self, m: &Member, pointer: &str, path: &str) {
        let repository = matches!(self.scope, SettingsScope::Project | SettingsScope::Local);
        if !repository {
            return;
        }
        let value = m.value.as_str();
        let message = match (path, value, m.value.as_bool()) {
            ("permissions.defaultMode", Some("auto"), _) => format!(
                "`permissions.defaultMode: \"auto\"` does not take effect from {} settings (since v2.1.142); \
                 set it in user settings or pass `--permission-mode auto`",
                self.scope.as_str()
            ),
            ("remoteControlAtStartup", _, Some(true)) => format!(
                "repository files can no longer turn `remoteControlAtStartup` on (since v2.1.222), so `true` in \
                 this {} settings file does nothing",
                self.scope.as_str()
            ),
            ("forceLoginMethod", Some("gateway"), _) => format!(
                "`forceLoginMethod: \"gateway\"` is honoured only from managed settings (and, from v2.1.295, \
                 from user settings on machines without managed settings), not from {} settings",
                self.scope.as_str()
            ),
            _ => return,
        };
        self.findings
            .push("CLD310", m.value.span.clone(), pointer, message);
    }
}

/// `a.b` from `a` and `b` (`b` alone at the top).
fn dotted(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn number(node: &Node) -> Option<f64> {
    match &node.value {
        NodeValue::Number(n) => n.parse().ok(),
        _ => None,
    }
}

/// What an unknown top-level key was probably meant to be.
fn top_level_suggestion(key: &str) -> Option<String> {
    if let Some(renamed) = model::renamed_key(key) {
        return Some(format!("`{renamed}`"));
    }
    if let Some(parent) = model::misplaced_parent(key) {
        return Some(format!("`{parent}.{key}` (it belongs inside `{parent}`)"));
    }
    if let Some(s) = did_you_mean(key, model::settings_key_names()) {
        return Some(format!("`{s}`"));
    }
    if key.contains('_') && key.len() <= 48 && model::is_conventional_env_name(key) {
        return Some(format!(
            "`env.{key}` (environment variables go inside the `env` object)"
        ));
    }
    None
}
