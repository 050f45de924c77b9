//! Walking the `hooks` block of a settings document: every handler of every
//! matcher group of every event, with its JSON pointer. Checks that look at
//! handler fields (commands, URLs, headers) share this one walk.

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
