//! Strict JSON in Claude Code's configuration files (facts §2.1, §2.6,
//! §12.5, R27):
//!
//! - CLD301: text `JSON.parse` rejects (comments, trailing commas, single
//!   quotes, unquoted keys, …), every occurrence at its own span.
//! - CLD302: a UTF-8 byte order mark (behaviour undocumented).
//! - CLD303: an empty file (managed: documented as `{}`; others undocumented).
//! - CLD304: a settings file over 2 MiB (rejected at startup since v2.1.214).
//! - CLD305: a key repeated in one object (the earlier value is dropped).
//!
//! Shared by the settings check and the MCP check: the effect of each
//! problem depends on which file it is in, and the messages say so.

use std::collections::HashMap;

use super::{Findings, opening};
use crate::checks::FileContext;
use crate::claude::location::SettingsScope;
use crate::finding::{Finding, Related};
use crate::formats::json::{Node, NodeValue, pointer_join};
use crate::formats::json_strict::{StrictKind, StrictProblem, strict_problems};

/// Settings files over this size fail at startup (v2.1.214).
pub const MAX_SETTINGS_BYTES: usize = 2 * 1024 * 1024;

/// Findings of one kind reported per file before the rest are summarised.
const MAX_PER_KIND: usize = 25;

/// Which configuration file is being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFile {
    Settings(SettingsScope),
    /// `.mcp.json` (`managed: false`) or `managed-mcp.json`.
    Mcp {
        managed: bool,
    },
    /// `.claude.json`, Claude Code's state file (facts §1.4).
    State,
}

impl ConfigFile {
    /// What Claude Code does with a file `JSON.parse` rejects, and whether the facts document it.
    fn rejection_effect(self) -> (&'static str, bool) {
        match self {
            ConfigFile::Settings(scope) if scope.is_managed() => (
                "a managed settings document that does not parse stops Claude Code from starting (exit code 1, \
                 in every mode including `-p`) since v2.1.259; earlier versions ignored the whole file",
                true,
            ),
            ConfigFile::Settings(_) => (
                "Claude Code drops the whole file: an interactive session opens with a \"Settings Error\" dialog, \
                 and `claude -p` skips the file silently, so none of its permissions, hooks or env apply in CI",
                true,
            ),
            ConfigFile::Mcp { managed: true } => (
                "since v2.1.271 an unparseable `managed-mcp.json` keeps exclusive MCP control, so no user, \
                 project or plugin server loads, and none of the file's own servers can be read either",
                true,
            ),
            ConfigFile::State => (
                "Claude Code treats a corrupt `.claude.json` as broken: it copies it to \
                 `~/.claude/backups/.claude.json.corrupted.<timestamp>` and asks you to fix or reset it, and \
                 `claude -p` prints the error and exits, so headless runs stop",
                true,
            ),
            ConfigFile::Mcp { managed: false } => (
                "Claude Code cannot read the servers it defines; what it reports is undocumented",
                false,
            ),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            ConfigFile::Settings(_) => "settings file",
            ConfigFile::Mcp { managed: false } => "`.mcp.json`",
            ConfigFile::Mcp { managed: true } => "`managed-mcp.json`",
            ConfigFile::State => "`.claude.json`",
        }
    }
}

pub fn check(ctx: &FileContext, file: ConfigFile, out: &mut Vec<Finding>) {
    let mut findings = Findings { ctx, out };
    if matches!(file, ConfigFile::Settings(_)) && ctx.bytes.len() > MAX_SETTINGS_BYTES {
        findings.out.push(too_large(ctx.bytes.len() as u64));
    }
    if let Some(text) = ctx.text {
        report_strict_problems(&mut findings, file, &strict_problems(text));
    }
    if let Some(doc) = ctx.parsed.json.as_ref() {
        duplicate_keys(&mut findings, &doc.root, "");
    }
}

/// CLD304 for a settings file of `size` bytes (over [`MAX_SETTINGS_BYTES`]),
/// at the start of the file. Also used for files too large for claudit to parse.
pub fn too_large(size: u64) -> Finding {
    let (severity, confidence) = super::defaults("CLD304");
    Finding::new("CLD304", severity, confidence)
        .at(0..0)
        .message(format!(
            "the settings file is {size} bytes, over the 2 MiB (2,097,152 bytes) Claude Code accepts: since \
             v2.1.214 a larger settings file fails at startup with an error"
        ))
}

fn report_strict_problems(findings: &mut Findings, file: ConfigFile, problems: &[StrictProblem]) {
    let mut per_kind: HashMap<StrictKind, usize> = HashMap::new();
    for p in problems {
        *per_kind.entry(p.kind).or_default() += 1;
    }
    let mut seen: HashMap<StrictKind, usize> = HashMap::new();
    for p in problems {
        let count = seen.entry(p.kind).or_default();
        *count += 1;
        if *count > MAX_PER_KIND {
            continue;
        }
        let total = per_kind.get(&p.kind).copied().unwrap_or(0);
        let more = if *count == MAX_PER_KIND && total > MAX_PER_KIND {
            format!(
                " ({} more of this kind in the file are not reported separately)",
                total - MAX_PER_KIND
            )
        } else {
            String::new()
        };
        match p.kind {
            StrictKind::ByteOrderMark => byte_order_mark(findings, file, p),
            StrictKind::Empty => empty_file(findings, file, p),
            _ => invalid_json(findings, file, p, &more),
        }
    }
}

fn invalid_json(findings: &mut Findings, file: ConfigFile, p: &StrictProblem, more: &str) {
    let (effect, documented) = file.rejection_effect();
    let message = format!(
        "not valid JSON: {}{more}. Claude Code reads this {} as strict JSON, so `JSON.parse` rejects it: {effect}",
        p.description,
        file.noun()
    );
    if documented {
        findings.push("CLD301", p.span.clone(), "", message);
    } else {
        findings.push_lowered("CLD301", p.span.clone(), "", message);
    }
}

fn byte_order_mark(findings: &mut Findings, file: ConfigFile, p: &StrictProblem) {
    findings.push(
        "CLD302",
        p.span.clone(),
        "",
        format!(
            "the {} starts with a UTF-8 byte order mark (BOM). `JSON.parse` rejects a leading BOM unless the \
             reader strips it first, and Claude Code's documentation does not say whether it does (behaviour \
             undocumented); save the file as UTF-8 without BOM",
            file.noun()
        ),
    );
}

fn empty_file(findings: &mut Findings, file: ConfigFile, p: &StrictProblem) {
    if let ConfigFile::Settings(scope) = file
        && scope.is_managed()
    {
        return; // documented: an empty managed-settings.json counts as `{}` (v2.1.259)
    }
    findings.push(
        "CLD303",
        opening(&p.span),
        "",
        format!(
            "the {} holds no JSON value (it is empty, or only whitespace or comments). `JSON.parse` rejects \
             empty text; whether Claude Code treats this file as `{{}}` or as invalid is undocumented (only an \
             empty managed settings file is documented as `{{}}`); write `{{}}` or delete the file",
            file.noun()
        ),
    );
}

/// CLD305: every member whose key repeats later in the same object.
fn duplicate_keys(findings: &mut Findings, node: &Node, pointer: &str) {
    match &node.value {
        NodeValue::Object(members) => {
            let mut last: HashMap<&str, usize> = HashMap::new();
            for (i, m) in members.iter().enumerate() {
                last.insert(m.key.as_str(), i);
            }
            for (i, m) in members.iter().enumerate() {
                let Some(&winner) = last.get(m.key.as_str()) else {
                    continue;
                };
                if winner != i {
                    duplicate(findings, m, &members[winner], pointer);
                }
            }
            for m in members {
                duplicate_keys(findings, &m.value, &pointer_join(pointer, &m.key));
            }
        }
        NodeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                duplicate_keys(findings, item, &pointer_join(pointer, &i.to_string()));
            }
        }
        _ => {}
    }
}

fn duplicate(
    findings: &mut Findings,
    shadowed: &crate::formats::json::Member,
    winner: &crate::formats::json::Member,
    pointer: &str,
) {
    let name = findings.shown(&shadowed.key, &shadowed.key_span);
    let (severity, confidence) = super::defaults("CLD305");
    let message = format!(
        "{name} appears more than once in this object. The file is valid JSON, but `JSON.parse` keeps only the \
         last value, so this earlier one is silently ignored (Claude Code documents nothing else); merge the \
         two into one key"
    );
    let mut finding = Finding::new("CLD305", severity, confidence)
        .at(shadowed.key_span.clone())
        .logical(pointer_join(pointer, &shadowed.key))
        .message(message);
    finding.related.push(Related {
        path: String::new(),
        span: winner.key_span.clone(),
        region: None,
        message: "the later value, which is the one that takes effect".into(),
    });
    findings.out.push(finding);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claude::location::SettingsScope;

    #[test]
    fn effects_depend_on_the_file() {
        let (managed, documented) = ConfigFile::Settings(SettingsScope::Managed).rejection_effect();
        assert!(managed.contains("2.1.259") && documented);
        let (project, _) = ConfigFile::Settings(SettingsScope::Project).rejection_effect();
        assert!(project.contains("-p"));
        assert!(!ConfigFile::Mcp { managed: false }.rejection_effect().1);
        assert!(ConfigFile::Mcp { managed: true }.rejection_effect().1);
        let (state, documented) = ConfigFile::State.rejection_effect();
        assert!(state.contains("`claude -p` prints the error and exits") && documented);
        assert_eq!(opening(&(0..0)), 0..0);
    }
}
