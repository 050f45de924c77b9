//! Walking the `hooks` block of a settings document: every handler of every
//! matcher group of every event, with its JSON pointer. Checks that look at
//! handler fields (commands, URLs, headers) share this one walk, and
//! [`settings_commands`] adds the helper and status-line commands to it.

use crate::formats::json::{Node, pointer_join};

/// One hook handler (`hooks.<Event>[g].hooks[h]`).
pub struct Handler<'a> {
    /// The event name (`PreToolUse`).
    pub event: &'a str,
    /// JSON pointer of the handler object (`/hooks/PreToolUse/0/hooks/1`).
    pub pointer: String,
    pub node: &'a Node,
}

/// Every handler in `root.hooks`, in document order; malformed parts are skipped.
pub fn handlers(root: &Node) -> Vec<Handler<'_>> {
    let mut out = Vec::new();
    for event in root
        .get("hooks")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        let event_pointer = pointer_join("/hooks", &event.key);
        for (g, group) in event
            .value
            .as_array()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let list = group
                .get("hooks")
                .and_then(Node::as_array)
                .unwrap_or_default();
            for (h, node) in list.iter().enumerate() {
                out.push(Handler {
                    event: &event.key,
                    pointer: format!("{event_pointer}/{g}/hooks/{h}"),
                    node,
                });
            }
        }
    }
    out
}

// ------------------------------------------------------ commands in settings

/// A shell command kept in settings: a hook handler, `statusLine`, a helper.
#[derive(Debug)]
pub struct CommandSite<'a> {
    /// What runs it: "`PreToolUse` hook", "`apiKeyHelper`".
    pub label: String,
    pub pointer: String,
    /// The string node holding the command.
    pub node: &'a Node,
    /// Exec-form arguments (`command` hooks with `args`).
    pub args: &'a [Node],
}

impl CommandSite<'_> {
    /// The command line, with exec-form arguments appended.
    pub fn command_line(&self) -> String {
        let mut line = self.node.as_str().unwrap_or_default().to_string();
        for a in self.args.iter().filter_map(Node::as_str) {
            line.push(' ');
            line.push_str(a);
        }
        line
    }
}

/// Settings keys whose string value is a command Claude Code runs (facts §2.2).
const HELPER_KEYS: &[&str] = &[
    "apiKeyHelper",
    "awsAuthRefresh",
    "awsCredentialExport",
    "gcpAuthRefresh",
    "otelHeadersHelper",
];

/// Settings objects with a `command` (facts §2.2).
const COMMAND_OBJECTS: &[&str] = &["statusLine", "subagentStatusLine", "fileSuggestion"];

/// Every command a settings document makes Claude Code run.
pub fn settings_commands(root: &Node) -> Vec<CommandSite<'_>> {
    let mut sites = Vec::new();
    for key in HELPER_KEYS {
        if let Some(m) = root.member(key)
            && m.value.as_str().is_some()
        {
            sites.push(CommandSite {
                label: format!("`{key}`"),
                pointer: pointer_join("", key),
                node: &m.value,
                args: &[],
            });
        }
    }
    for key in COMMAND_OBJECTS {
        if let Some(command) = root.get(key).and_then(|o| o.get("command"))
            && command.as_str().is_some()
        {
            sites.push(CommandSite {
                label: format!("`{key}`"),
                pointer: format!("{}/command", pointer_join("", key)),
                node: command,
                args: &[],
            });
        }
    }
    hook_commands(root, &mut sites);
    sites
}

fn hook_commands<'a>(root: &'a Node, sites: &mut Vec<CommandSite<'a>>) {
    for handler in handlers(root) {
        let Some(command) = handler.node.get("command").filter(|c| c.as_str().is_some()) else {
            continue;
        };
        sites.push(CommandSite {
            label: format!("`{}` hook", handler.event),
            pointer: format!("{}/command", handler.pointer),
            node: command,
            args: handler
                .node
                .get("args")
                .and_then(Node::as_array)
                .unwrap_or_default(),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::classify::FileKind;

    #[test]
    fn lists_every_handler_with_its_pointer() {
        let text = r#"{"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "a"}, {"type": "http", "url": "u"}]}], "Stop": [{"hooks": [{"type": "command", "command": "b"}]}, "bad"], "x/y": 3}}"#;
        let parsed = crate::formats::json::parse_file(FileKind::ClaudeSettings, text);
        let doc = parsed.json.expect("doc");
        let found: Vec<(String, String)> = super::handlers(&doc.root)
            .iter()
            .map(|h| (h.event.to_string(), h.pointer.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "PreToolUse".to_string(),
                    "/hooks/PreToolUse/0/hooks/0".to_string()
                ),
                (
                    "PreToolUse".to_string(),
                    "/hooks/PreToolUse/0/hooks/1".to_string()
                ),
                ("Stop".to_string(), "/hooks/Stop/0/hooks/0".to_string()),
            ]
        );
    }
}
