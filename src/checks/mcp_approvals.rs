//! CLD333: `enabledMcpjsonServers` in project or local settings naming a
//! server the project's `.mcp.json` does not define. Claude Code matches these
//! names exactly (facts §2.2), so a typo approves nothing and the intended
//! server keeps prompting. (Rejecting a server that is not defined is
//! harmless, so `disabledMcpjsonServers` is left alone.) Judged only when the
//! `.mcp.json` beside the `.claude/` folder was parsed, so a missing or broken
//! file does not make every name "unknown".

use crate::classify::FileKind;
use crate::claude::location::{SettingsScope, settings_scope};
use crate::finding::Finding;
use crate::formats::json::{mcp_servers, pointer_join};
use crate::project::Project;
use crate::tree::parent_dir;

const KEY: &str = "enabledMcpjsonServers";

pub fn check(project: &Project, out: &mut Vec<Finding>) {
    let Some(rule) = crate::catalog::rule("CLD333") else {
        return;
    };
    for settings in project.files_of_kind(FileKind::ClaudeSettings) {
        let scope = project
            .trees
            .get(settings.root)
            .and_then(|t| settings_scope(&settings.rel, t));
        if !matches!(scope, Some(SettingsScope::Project | SettingsScope::Local)) {
            continue;
        }
        let Some(doc) = &settings.parsed.json else {
            continue;
        };
        // `.claude/settings.json` → the project root holding `.mcp.json`.
        let project_dir = parent_dir(parent_dir(&settings.rel));
        let mcp_rel = if project_dir.is_empty() {
            ".mcp.json".to_string()
        } else {
            format!("{project_dir}/.mcp.json")
        };
        let Some(mcp) = project.file(settings.root, &mcp_rel) else {
            continue;
        };
        let Some(mcp_doc) = &mcp.parsed.json else {
            continue;
        };
        let defined: Vec<&str> = mcp_servers(&mcp_doc.root, "")
            .iter()
            .map(|(m, _)| m.key.as_str())
            .collect();
        let Some(list) = doc.root.get(KEY).and_then(|n| n.as_array()) else {
            continue;
        };
        for (i, item) in list.iter().enumerate() {
            let Some(name) = item.as_str() else { continue };
            if defined.contains(&name) {
                continue;
            }
            let finding = Finding::new("CLD333", rule.severity, rule.confidence)
                    .at(item.span.clone())
                    .logical(pointer_join(&pointer_join("", KEY), &i.to_string()))
                    .message(format!(
                        "`{KEY}` approves an MCP server that `{}` does not define (it defines {}): the name \
                         must match exactly, so this entry does nothing",
                        mcp.display,
                        if defined.is_empty() {
                            "none".to_string()
                        } else {
                            defined.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
                        }
                    ));
            let mut finding = settings.locate(finding);
            finding
                .related
                .push(mcp.related(0..0, "the project's MCP servers"));
            out.push(finding);
        }
    }
}
