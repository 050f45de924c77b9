//! Permission rules in `permissions.allow` / `ask` / `deny` (facts §2.4,
//! §12.3, R30):
//!
//! - CLD320: a rule that is not `Tool` / `Tool(specifier)`.
//! - CLD321: a well-formed rule Claude Code skips or that can never match.
//! - CLD322: a tool name Claude Code does not have.
//! - CLD323: a `/path` anchored somewhere else than its author expects.
//!
//! The grammar and the documented cases live in
//! [`crate::claude::permission_rule`]; this module maps them to findings.
//! Rules can hold secrets (an approved command line), so messages never
//! quote a rule.

use super::Findings;
use super::keys::describe_node;
use crate::claude::location::SettingsScope;
use crate::claude::permission_rule::{IssueKind, Placement, RuleList, lint};
use crate::formats::json::{Node, pointer_join};

pub fn check_list(
    node: &Node,
    list: RuleList,
    scope: SettingsScope,
    pointer: &str,
    findings: &mut Findings,
) {
    let items = node.as_array().unwrap_or_default();
    let mut earlier: Vec<&str> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_pointer = pointer_join(pointer, &i.to_string());
        let Some(raw) = item.as_str() else {
            findings.push(
                "CLD320",
                item.span.clone(),
                &item_pointer,
                format!(
                    "entry {i} of `permissions.{list}` is {}, not a rule string; Claude Code rejects the value",
                    describe_node(item)
                ),
            );
            continue;
        };
        let placement = Placement {
            list,
            scope: Some(scope),
            earlier: &earlier,
        };
        for issue in lint(raw, &placement) {
            let id = match issue.kind {
                IssueKind::Syntax => "CLD320",
                IssueKind::Ignored => "CLD321",
                IssueKind::UnknownTool => "CLD322",
                IssueKind::PathAnchor => "CLD323",
            };
            let message = format!(
                "`permissions.{list}` entry {i}: {}{}",
                issue.message,
                consequence(issue.kind, list)
            );
            // A broken allow rule only fails to approve; a broken deny or ask rule fails to protect.
            let lowered =
                issue.lowered || (issue.kind == IssueKind::Syntax && list == RuleList::Allow);
            if lowered {
                findings.push_lowered(id, item.span.clone(), &item_pointer, message);
            } else {
                findings.push(id, item.span.clone(), &item_pointer, message);
            }
        }
        earlier.push(raw);
    }
}

fn consequence(kind: IssueKind, list: RuleList) -> &'static str {
    match (kind, list) {
        (IssueKind::Syntax, RuleList::Allow) => {
            ". Claude Code skips a malformed entry with a \"Settings Warning\" (silently in `-p`), so it approves nothing"
        }
        (IssueKind::Syntax, _) => {
            ". Claude Code skips a malformed entry with a \"Settings Warning\" (silently in `-p`), so it protects nothing"
        }
        _ => "",
    }
}
