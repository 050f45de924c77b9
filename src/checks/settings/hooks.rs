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
use crate::finding::Severity;
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
                if let Some(value) = m.value.as_str() {
                    matcher_value(value, &m.value, event, &member_pointer, findings);
                } else if !m.value.is_null() {
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

/// Events whose hooks take no matcher: the hooks reference says a matcher
/// there is silently ignored. Not in claudit's fact sheet (§2.5 documents
/// only the matcher syntax), so findings about it are notes.
const EVENTS_WITHOUT_MATCHER: &[&str] = &[
    "UserPromptSubmit",
    "Stop",
    "TaskCreated",
    "TaskCompleted",
    "WorktreeCreate",
    "WorktreeRemove",
    "CwdChanged",
];

/// A matcher's value (facts §2.5): `"*"`, `""` = all; only letters, digits,
/// `_`, `-`, space, `,` and `|` = exact names; anything else = an unanchored
/// JavaScript regular expression. On tool events it is compared with the tool
/// name.
fn matcher_value(
    value: &str,
    node: &Node,
    event: Option<&HookEvent>,
    pointer: &str,
    findings: &mut Findings,
) {
    // Match-all forms, including the regex `.*`: nothing to report anywhere.
    if matches!(value, "" | "*" | ".*" | "^.*" | ".*$" | "^.*$") {
        return;
    }
    if let Some(e) = event
        && EVENTS_WITHOUT_MATCHER.contains(&e.name)
    {
        note(
            findings,
            node,
            pointer,
            format!(
                "`{}` hooks take no matcher: the hooks reference says a matcher on this event is silently \
                 ignored, so the hook runs on every occurrence whatever the matcher says (claudit's fact sheet \
                 does not list these events, hence a note); remove the matcher, or test the condition inside \
                 the hook",
                e.name
            ),
        );
        return;
    }
    let tool_event = event.is_some_and(|e| e.tool_event);
    if tool_event && let Some(tool) = permission_rule_form(value) {
        findings.push(
            RULE,
            node.span.clone(),
            pointer,
            format!(
                "this matcher is written as a permission rule (`Tool(…)`), but a matcher is compared with the \
                 tool name only: with `(` in it, it is read as a regular expression that no tool name matches, \
                 so the hook never runs. Match the tool ({}) and put the rule in the handler's `if` field \
                 (`\"if\": \"Bash(git commit *)\"`, evaluated on tool events)",
                permission_rule::shown_tool(tool)
            ),
        );
        return;
    }
    let exact = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' ' | ',' | '|'));
    if !exact {
        if let Some(problem) = js_regex_problem(value) {
            findings.push_lowered(
                RULE,
                node.span.clone(),
                pointer,
                format!(
                    "this matcher is read as a JavaScript regular expression (it has characters other than \
                     letters, digits, `_`, `-`, spaces, `,` and `|`), but it does not compile: {problem}. So it \
                     matches nothing; since v2.1.288 a `PreToolUse` or `PermissionRequest` hook whose matching \
                     fails blocks the tool call instead (what else Claude Code does with it is undocumented). \
                     Escape the character, or list tool names as `Edit|Write`"
                ),
            );
        }
        return;
    }
    if !tool_event {
        return;
    }
    for name in value.split(['|', ',']).map(str::trim) {
        if name.is_empty() || permission_rule::is_known_tool(name) {
            continue;
        }
        if let Some(canonical) = permission_rule::KNOWN_TOOLS
            .iter()
            .find(|t| t.eq_ignore_ascii_case(name))
        {
            note(
                findings,
                node,
                pointer,
                format!(
                    "{} differs from the tool name `{canonical}` only in letter case; a matcher of plain names \
                     is compared as exact strings, so it most likely never matches (claudit's fact sheet does \
                     not state whether matching ignores case, hence a note); write `{canonical}`",
                    permission_rule::shown_tool(name)
                ),
            );
        }
    }
}

fn note(findings: &mut Findings, node: &Node, pointer: &str, message: String) {
    let (_, confidence) = super::defaults(RULE);
    findings.push_with(
        RULE,
        Severity::Note,
        confidence,
        node.span.clone(),
        pointer,
        message,
    );
}

/// `Bash(git commit:*)`, `Read(./.env)`: a known tool name followed by a
/// parenthesised specifier that reads as rule text (a space, `:`, `/`, `~`,
/// `=`, `@` or a quote), not as a regular-expression group such as
/// `Notebook(Edit)?` or `Bash(.*)`. Returns the tool name.
fn permission_rule_form(value: &str) -> Option<&str> {
    let open = value.find('(')?;
    let tool = &value[..open];
    let inner = value[open + 1..].strip_suffix(')')?;
    let known = permission_rule::is_known_tool(tool) || tool.starts_with("mcp__");
    let rule_text = inner.contains([' ', ':', '/', '~', '=', '@', '"', '\'']);
    (known && rule_text).then_some(tool)
}

/// Why `pattern` is not a valid JavaScript regular expression (without the
/// `u` flag), for the errors that are plain to see: an unclosed `[` or `(`, an
/// unmatched `)`, a quantifier with nothing to repeat, a trailing `\`.
/// `None` when it compiles or when claudit cannot tell.
fn js_regex_problem(pattern: &str) -> Option<&'static str> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut depth = 0usize;
    // What the previous token was: something a quantifier may follow, a
    // quantifier (which a `?` may make lazy), or neither.
    #[derive(PartialEq)]
    enum Prev {
        Atom,
        Quantifier,
        LazyQuantifier,
        Nothing,
    }
    let mut prev = Prev::Nothing;
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if i + 1 >= chars.len() {
                    return Some("it ends with a lone `\\`");
                }
                i += 2;
                prev = Prev::Atom;
                continue;
            }
            '[' => {
                let mut j = i + 1;
                if chars.get(j) == Some(&'^') {
                    j += 1;
                }
                let mut closed = false;
                while j < chars.len() {
                    match chars[j] {
                        '\\' => j += 2,
                        ']' => {
                            closed = true;
                            break;
                        }
                        _ => j += 1,
                    }
                }
                if !closed {
                    return Some("a `[` is never closed with `]`");
                }
                i = j + 1;
                prev = Prev::Atom;
                continue;
            }
            '(' => {
                depth += 1;
                prev = Prev::Nothing;
                // Skip a group prefix such as `(?:`, `(?=`, `(?<name>`.
                if chars.get(i + 1) == Some(&'?') {
                    i += 2;
                    continue;
                }
            }
            ')' => {
                if depth == 0 {
                    return Some("a `)` has no matching `(`");
                }
                depth -= 1;
                prev = Prev::Atom;
            }
            '|' | '^' => prev = Prev::Nothing,
            '*' | '+' | '?' => {
                prev = match prev {
                    Prev::Atom => Prev::Quantifier,
                    Prev::Quantifier if chars[i] == '?' => Prev::LazyQuantifier,
                    _ => return Some("a `*`, `+` or `?` has nothing to repeat"),
                };
            }
            '{' => {
                let rest: String = chars[i..].iter().collect();
                let quantifier = rest.find('}').map(|end| &rest[1..end]).is_some_and(|body| {
                    let (min, max) = body.split_once(',').unwrap_or((body, "0"));
                    !min.is_empty()
                        && min.bytes().all(|b| b.is_ascii_digit())
                        && max.bytes().all(|b| b.is_ascii_digit())
                });
                if quantifier {
                    if prev != Prev::Atom {
                        return Some("a `{n}` quantifier has nothing to repeat");
                    }
                    i += rest.find('}').map_or(1, |end| rest[..=end].chars().count());
                    prev = Prev::Quantifier;
                    continue;
                }
                prev = Prev::Atom; // a literal `{` outside the `u` flag
            }
            _ => prev = Prev::Atom,
        }
        i += 1;
    }
    if depth > 0 {
        return Some("a `(` is never closed with `)`");
    }
    None
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
    fn javascript_regex_problems() {
        for ok in [
            "Edit.*",
            "mcp__memory__.*",
            "^Bash$",
            "Notebook(Edit)?",
            "(?:Edit|Write)+?",
            "a{2,3}",
            "a{",
            "[(]",
            "[^]",
            "\\(",
            "Bash(.*)",
        ] {
            assert_eq!(js_regex_problem(ok), None, "{ok}");
        }
        for bad in [
            "[", "Bash(", "Bash)", "*", "Edit|*", "a**", "{2}", "x\\", "(?:a",
        ] {
            assert!(js_regex_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(permission_rule_form("Bash(git commit:*)"), Some("Bash"));
        assert_eq!(permission_rule_form("Read(./.env)"), Some("Read"));
        assert_eq!(permission_rule_form("Notebook(Edit)"), None);
        assert_eq!(permission_rule_form("Bash(.*)"), None);
    }

    #[test]
    fn finds_variable_references() {
        assert_eq!(referenced_vars("Bearer $TOKEN"), vec!["TOKEN"]);
        assert_eq!(referenced_vars("${A}-${B_2} $1 ${C"), vec!["A", "B_2"]);
        assert!(referenced_vars("no vars $").is_empty());
    }
}
