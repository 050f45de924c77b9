//! CLD309: the `hooks` block (facts §2.5, §12.4, R28). Event names, matcher
//! groups, handler `type` and its required fields, field types, `timeout`,
//! `onFailure`, and handlers that are valid but never run where they stand
//! (`if` on an event that is not a tool event, an `agent` handler on
//! `PermissionRequest`, `once` outside skill frontmatter).
//!
//! Since v2.1.101 an unknown event is skipped with a warning and since
//! v2.1.122 a malformed entry no longer voids the whole file: what is lost is
//! the hook itself, silently in `claude -p`. Findings that lose the hook are
//! errors; the others are warnings.

use super::keys::describe_node;
use super::{Findings, opening};
use crate::claude::permission_rule;
use crate::claude::settings_model::{
    self as model, HANDLER_TYPES, HookEvent, Key, MATCHER_GROUP_KEYS, Shape, did_you_mean,
    find_key, handler_keys, hook_event,
};
use crate::formats::json::{Member, Node, NodeValue, pointer_join};

const RULE: &str = "CLD309";

pub fn check(hooks: &Node, pointer: &str, findings: &mut Findings) {
    for m in hooks.as_object().unwrap_or_default() {
        let event_pointer = pointer_join(pointer, &m.key);
        let event = hook_event(&m.key);
        if event.is_none() {
            unknown_event(m, &event_pointer, findings);
        }
        let Some(groups) = m.value.as_array() else {
            findings.push(
                RULE,
                m.value.span.clone(),
                &event_pointer,
                format!(
                    "the value of a hook event must be an array of matcher groups (`[{{\"matcher\": …, \"hooks\": \
                     [...]}}]`), but it is {}; Claude Code drops the entry",
                    describe_node(&m.value)
                ),
            );
            continue;
        };
        for (i, group) in groups.iter().enumerate() {
            let group_pointer = pointer_join(&event_pointer, &i.to_string());
            matcher_group(group, event, &group_pointer, findings);
        }
    }
}

fn unknown_event(m: &Member, pointer: &str, findings: &mut Findings) {
    let name = findings.shown(&m.key, &m.key_span);
    let hint = did_you_mean(&m.key, model::HOOK_EVENTS.iter().map(|e| e.name))
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    findings.push_lowered(
        RULE,
        m.key_span.clone(),
        pointer,
        format!(
            "{name} is not a hook event{hint}; Claude Code knows {} events as of v{}. Since v2.1.101 its hooks \
             are skipped with a warning (older versions rejected the whole file), so they never run",
            model::HOOK_EVENTS.len(),
            model::REFLECTS_VERSION
        ),
    );
}

fn matcher_group(group: &Node, event: Option<&HookEvent>, pointer: &str, findings: &mut Findings) {
    if group.as_object().is_none() {
        findings.push(
            RULE,
            group.span.clone(),
            pointer,
            format!(
                "a matcher group must be an object (`{{\"matcher\": …, \"hooks\": [...]}}`), but this entry is {}; \
                 Claude Code drops it",
                describe_node(group)
            ),
        );
        return;
    }
    let looks_like_handler = group.get("type").is_some() || group.get("command").is_some();
    if group.get("hooks").is_none() {
        let message = if looks_like_handler {
            "this entry is a hook handler placed directly in the event's list; handlers go inside a matcher \
             group: `{\"matcher\": \"…\", \"hooks\": [ {\"type\": \"command\", …} ]}`. As written the hook \
             never runs"
        } else {
            "this matcher group has no `hooks` array, so it runs nothing"
        };
        findings.push(RULE, opening(&group.span), pointer, message.into());
        if looks_like_handler {
            return;
        }
    }
    for m in group.as_object().unwrap_or_default() {
        let member_pointer = pointer_join(pointer, &m.key);
        match m.key.as_str() {
            "matcher" => {
                if m.value.as_str().is_none() && !m.value.is_null() {
                    findings.push(
                        RULE,
                        m.value.span.clone(),
                        &member_pointer,
                        format!(
                            "`matcher` must be a string (a tool name, a `|`-separated list, or a regular \
                             expression), but it is {}",
                            describe_node(&m.value)
                        ),
                    );
                }
            }
            "hooks" => match m.value.as_array() {
                None => findings.push(
                    RULE,
                    m.value.span.clone(),
                    &member_pointer,
                    format!(
                        "`hooks` in a matcher group must be an array of handlers, but it is {}; the group runs \
                         nothing",
                        describe_node(&m.value)
                    ),
                ),
                Some(handlers) => {
                    for (i, h) in handlers.iter().enumerate() {
                        handler(h, event, &pointer_join(&member_pointer, &i.to_string()), findings);
                    }
                }
            },
            _ => unknown_key(m, MATCHER_GROUP_KEYS, "a matcher group", &member_pointer, findings),
        }
    }
}

fn unknown_key(m: &Member, keys: &[Key], place: &str, pointer: &str, findings: &mut Findings) {
    let name = findings.shown(&m.key, &m.key_span);
    let hint = did_you_mean(&m.key, keys.iter().map(|k| k.name))
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    findings.push_lowered(
        RULE,
        m.key_span.clone(),
        pointer,
        format!(
            "{name} is not a documented key of {place}{hint}; Claude Code ignores it (the schema rejects it, so \
             editors flag the file)"
        ),
    );
}

fn handler(h: &Node, event: Option<&HookEvent>, pointer: &str, findings: &mut Findings) {
    if h.as_object().is_none() {
        findings.push(
            RULE,
            h.span.clone(),
            pointer,
            format!(
                "a hook handler must be an object with a `type`, but this entry is {}; it never runs",
                describe_node(h)
            ),
        );
        return;
    }
    let Some(type_node) = h.get("type") else {
        findings.push(
            RULE,
            opening(&h.span),
            pointer,
            format!(
                "this hook handler has no `type` ({}); Claude Code drops it, so it never runs",
                model::list_quoted(HANDLER_TYPES)
            ),
        );
        return;
    };
    let Some(handler_type) = type_node.as_str() else {
        findings.push(
            RULE,
            type_node.span.clone(),
            &pointer_join(pointer, "type"),
            format!(
                "`type` must be one of the strings {}; this handler never runs",
                model::list_quoted(HANDLER_TYPES)
            ),
        );
        return;
    };
    let Some((common, specific)) = handler_keys(handler_type) else {
        let hint = did_you_mean(handler_type, HANDLER_TYPES.iter().copied())
            .map(|s| format!(" (did you mean `\"{s}\"`?)"))
            .unwrap_or_default();
        findings.push(
            RULE,
            type_node.span.clone(),
            &pointer_join(pointer, "type"),
            format!(
                "`type` must be {}{hint}; a handler of any other type is dropped and never runs",
                model::list_quoted(HANDLER_TYPES)
            ),
        );
        return;
    };
    for m in h.as_object().unwrap_or_default() {
        let member_pointer = pointer_join(pointer, &m.key);
        let key = find_key(common, &m.key).or_else(|| find_key(specific, &m.key));
        match key {
            Some(key) => field_value(m, key, handler_type, &member_pointer, findings),
            None => foreign_field(m, handler_type, common, specific, &member_pointer, findings),
        }
    }
    for key in specific.iter().filter(|k| k.required) {
        if h.get(key.name).is_none() {
            findings.push(
                RULE,
                opening(&h.span),
                pointer,
                format!(
                    "a `{handler_type}` hook handler requires `{}`; without it Claude Code drops the handler and \
                     it never runs",
                    key.name
                ),
            );
        }
    }
    placement_effects(h, handler_type, event, pointer, findings);
    if handler_type == "http" {
        http_env_references(h, pointer, findings);
    }
    if handler_type == "command" {
        exec_form(h, pointer, findings);
    }
}

/// Type and value of one documented handler field.
fn field_value(m: &Member, key: &Key, handler_type: &str, pointer: &str, findings: &mut Findings) {
    let node = &m.value;
    let ok = match &key.shape {
        Shape::Bool => node.as_bool().is_some(),
        Shape::Str => node.as_str().is_some(),
        Shape::StrArray => node
            .as_array()
            .is_some_and(|items| items.iter().all(|i| i.as_str().is_some())),
        Shape::MapOf(_) => node
            .as_object()
            .is_some_and(|ms| ms.iter().all(|m| m.value.as_str().is_some())),
        Shape::Enum(values) => {
            if let Some(v) = node.as_str()
                && !values.contains(&v)
            {
                findings.push(
                    RULE,
                    node.span.clone(),
                    pointer,
                    format!(
                        "`{}` of a `{handler_type}` handler must be {}",
                        key.name,
                        key.shape.describe()
                    ),
                );
                return;
            }
            node.as_str().is_some()
        }
        Shape::Number(bounds) => match &node.value {
            NodeValue::Number(n) => {
                if let Some(why) = n.parse::<f64>().ok().and_then(|v| bounds.violation(v)) {
                    findings.push(
                        RULE,
                        node.span.clone(),
                        pointer,
                        format!("`{}` {why} (seconds)", key.name),
                    );
                }
                true
            }
            _ => false,
        },
        _ => true,
    };
    if !ok {
        let shape = match key.shape {
            Shape::MapOf(_) => "an object of string values".to_string(),
            other => other.describe(),
        };
        findings.push(
            RULE,
            node.span.clone(),
            pointer,
            format!(
                "`{}` of a `{handler_type}` handler must be {shape}, but it is {}",
                key.name,
                describe_node(node)
            ),
        );
    }
}

/// A field that is not documented for this handler type.
fn foreign_field(
    m: &Member,
    handler_type: &str,
    common: &[Key],
    specific: &[Key],
    pointer: &str,
    findings: &mut Findings,
) {
    if model::any_handler_key(&m.key) {
        let extra = if m.key == "onFailure" {
            " (`onFailure` applies to `command` and `http` handlers only, from v2.1.295)"
        } else {
            ""
        };
        findings.push_lowered(
            RULE,
            m.key_span.clone(),
            pointer,
            format!(
                "`{}` belongs to another handler type; a `{handler_type}` handler ignores it{extra}",
                m.key
            ),
        );
        return;
    }
    let keys: Vec<Key> = common.iter().chain(specific).copied().collect();
    unknown_key(
        m,
        &keys,
        &format!("a `{handler_type}` hook handler"),
        pointer,
        findings,
    );
}

/// Handlers that are valid but do not run where they are.
fn placement_effects(
    h: &Node,
    handler_type: &str,
    event: Option<&HookEvent>,
    pointer: &str,
    findings: &mut Findings,
) {
    if let Some(once) = h.member("once") {
        findings.push_lowered(
            RULE,
            once.key_span.clone(),
            &pointer_join(pointer, "once"),
            "`once` is honoured only for hooks declared in skill frontmatter; Claude Code ignores it in settings \
             files, so this hook runs every time"
                .into(),
        );
    }
    if let Some(condition) = h.member("if") {
        let condition_pointer = pointer_join(pointer, "if");
        if let Some(e) = event
            && !e.tool_event
        {
            findings.push_lowered(
                RULE,
                condition.key_span.clone(),
                &condition_pointer,
                format!(
                    "`if` is evaluated only on tool events (PreToolUse, PostToolUse, PostToolUseFailure, \
                     PermissionRequest, PermissionDenied); on `{}` a hook with `if` set never runs",
                    e.name
                ),
            );
        }
        if let Some(rule) = condition.value.as_str()
            && let Err(e) = permission_rule::parse(rule)
        {
            findings.push(
                RULE,
                condition.value.span.clone(),
                &condition_pointer,
                format!(
                    "`if` must hold one permission rule (`Tool` or `Tool(pattern)`): {}",
                    e.describe()
                ),
            );
        }
    }
    if handler_type == "agent"
        && let Some(e) = event
        && e.name == "PermissionRequest"
    {
        findings.push_lowered(
            RULE,
            h.get("type").map_or_else(|| opening(&h.span), |t| t.span.clone()),
            pointer,
            "since v2.1.280 an `agent` hook on `PermissionRequest` no longer runs (Claude Code shows an error \
             pointing to command or http hooks); use a `command` or `http` handler"
                .into(),
        );
    }
}

/// HTTP header values interpolate only the variables listed in `allowedEnvVars`;
/// any other reference becomes an empty string.
fn http_env_references(h: &Node, pointer: &str, findings: &mut Findings) {
    let allowed: Vec<&str> = h
        .get("allowedEnvVars")
        .and_then(Node::as_array)
        .map(|items| items.iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    let Some(headers) = h.get("headers").and_then(Node::as_object) else {
        return;
    };
    for header in headers {
        let Some(value) = header.value.as_str() else {
            continue;
        };
        let missing: Vec<String> = referenced_vars(value)
            .into_iter()
            .filter(|v| !allowed.contains(&v.as_str()))
            .collect();
        if missing.is_empty() {
            continue;
        }
        findings.push_lowered(
            RULE,
            header.value.span.clone(),
            &pointer_join(&pointer_join(pointer, "headers"), &header.key),
            format!(
                "this header refers to {} but `allowedEnvVars` does not list {}: Claude Code resolves only \
                 listed variables and replaces any other reference with an empty string",
                missing
                    .iter()
                    .map(|v| format!("`${v}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if missing.len() == 1 { "it" } else { "them" }
            ),
        );
    }
}

/// Names referenced as `$NAME` or `${NAME}` in `text`.
pub fn referenced_vars(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let braced = bytes.get(i + 1) == Some(&b'{');
        let start = i + 1 + usize::from(braced);
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        let closed = !braced || bytes.get(end) == Some(&b'}');
        if end > start && !bytes[start].is_ascii_digit() && closed {
            names.push(text[start..end].to_string());
        }
        i = end.max(i + 1);
    }
    names
}

/// In exec form (`args` set), `command` is one executable; a bare name with
/// spaces cannot be spawned (Claude Code logs a warning).
fn exec_form(h: &Node, pointer: &str, findings: &mut Findings) {
    let (Some(command), Some(_)) = (h.get("command"), h.get("args")) else {
        return;
    };
    let Some(text) = command.as_str() else {
        return;
    };
    let bare_with_spaces = text.trim().contains(char::is_whitespace) && !text.contains(['/', '\\']);
    if bare_with_spaces {
        findings.push_lowered(
            RULE,
            command.span.clone(),
            &pointer_join(pointer, "command"),
            "with `args` set, `command` is spawned directly as one executable (no shell), but this `command` is \
             a bare name with spaces, so the spawn fails (Claude Code logs a warning); move the extra words into \
             `args`"
                .into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_variable_references() {
        assert_eq!(referenced_vars("Bearer $TOKEN"), vec!["TOKEN"]);
        assert_eq!(referenced_vars("${A}-${B_2} $1 ${C"), vec!["A", "B_2"]);
        assert!(referenced_vars("no vars $").is_empty());
    }
}
