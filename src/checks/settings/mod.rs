//! Settings validity (CLD301–CLD323) for Claude Code settings files
//! (`.claude/settings.json`, `.claude/settings.local.json`,
//! `managed-settings.json`, `managed-settings.d/*.json`), judged against
//! claudit's own model of the documented keys ([`crate::claude::settings_model`]).
//!
//! - [`syntax`]: strict JSON (CLD301–CLD305), shared with the MCP check.
//! - [`keys`]: unknown keys, types, values, scope, deprecation (CLD306–CLD313).
//! - [`hooks`]: the `hooks` block (CLD309).
//! - [`permissions`]: permission rules (CLD320–CLD323).
//!
//! Every check here reads only the parsed tree and the file's bytes, and
//! never quotes a value: settings hold commands and rules that can carry
//! secrets. Key names are quoted only when they look like key names.

pub mod hooks;
pub mod keys;
pub mod permissions;
pub mod syntax;

use std::ops::Range;

use super::FileContext;
use crate::classify::FileKind;
use crate::claude::location::{SettingsScope, settings_scope_of};
use crate::finding::{Confidence, Finding, Severity};

/// The Claude Code version the settings rules reflect.
pub use crate::claude::settings_model::REFLECTS_VERSION;

pub fn check(ctx: &FileContext, out: &mut Vec<Finding>) {
    if ctx.kind != FileKind::ClaudeSettings {
        return;
    }
    let scope = file_scope(ctx);
    legacy_windows_path(ctx, out);
    syntax::check(ctx, syntax::ConfigFile::Settings(scope), out);
    let Some(doc) = ctx.parsed.json.as_ref() else {
        return;
    };
    let mut findings = Findings { ctx, out };
    keys::check_settings(&doc.root, scope, &mut findings);
}

/// `C:\ProgramData\ClaudeCode\` was deprecated in v2.1.2 and is no longer
/// read since v2.1.75 (facts §1.1, R29).
fn legacy_windows_path(ctx: &FileContext, out: &mut Vec<Finding>) {
    if !ctx
        .rel_path
        .to_ascii_lowercase()
        .contains("programdata/claudecode/")
    {
        return;
    }
    let (_, confidence) = defaults("CLD310");
    out.push(
        Finding::new("CLD310", Severity::Error, confidence)
            .at(0..0)
            .message(
                "managed settings under `C:\\ProgramData\\ClaudeCode\\` are not read any more: the path was \
                 deprecated in v2.1.2 and removed in v2.1.75, so this policy is not enforced; deploy it to \
                 `C:\\Program Files\\ClaudeCode\\managed-settings.json` (or through MDM/registry policy)",
            ),
    );
}

/// The scope of the settings file `ctx` (project when the location says nothing).
pub fn file_scope(ctx: &FileContext) -> SettingsScope {
    let root = ctx.parsed.json.as_ref().map(|doc| &doc.root);
    settings_scope_of(ctx.rel_path, ctx.tree, root).unwrap_or(SettingsScope::Project)
}

/// Default severity and confidence of a catalog rule (the catalog test
/// guarantees the rule exists; the fallback keeps a missing entry harmless).
pub fn defaults(id: &str) -> (Severity, Confidence) {
    crate::catalog::rule(id)
        .map(|r| (r.severity, r.confidence))
        .unwrap_or((Severity::Warning, Confidence::Medium))
}

/// Collects findings for one file, with the file's context at hand.
pub struct Findings<'a, 'b> {
    pub ctx: &'a FileContext<'b>,
    pub out: &'a mut Vec<Finding>,
}

impl Findings<'_, '_> {
    /// A finding of rule `id` at its catalog severity.
    pub fn push(&mut self, id: &'static str, span: Range<usize>, logical: &str, message: String) {
        let (severity, confidence) = defaults(id);
        self.push_with(id, severity, confidence, span, logical, message);
    }

    /// A finding of rule `id` one severity step below the catalog's.
    pub fn push_lowered(
        &mut self,
        id: &'static str,
        span: Range<usize>,
        logical: &str,
        message: String,
    ) {
        let (severity, confidence) = defaults(id);
        self.push_with(id, severity.lowered(), confidence, span, logical, message);
    }

    pub fn push_with(
        &mut self,
        id: &'static str,
        severity: Severity,
        confidence: Confidence,
        span: Range<usize>,
        logical: &str,
        message: String,
    ) {
        self.out.push(
            Finding::new(id, severity, confidence)
                .at(span)
                .logical(logical)
                .message(message),
        );
    }

    /// `name` in backticks when it is safe and useful to show, else a neutral phrase.
    pub fn shown(&self, name: &str, span: &Range<usize>) -> String {
        shown_name(name, self.ctx.token_within(span))
    }
}

/// `name` in backticks, unless it may be a secret (a recognised token lies in
/// its span, or it is long and mixes letters and digits) or cannot be shown
/// cleanly.
pub fn shown_name(name: &str, holds_token: bool) -> String {
    let token_like = name.len() >= 24
        && name.chars().any(|c| c.is_ascii_digit())
        && name.chars().any(|c| c.is_ascii_alphabetic());
    let printable = !name.is_empty()
        && name.chars().count() <= 64
        && !name.contains('`')
        && name.chars().all(|c| !c.is_control());
    if holds_token || token_like || !printable {
        "this key".to_string()
    } else {
        format!("`{name}`")
    }
}

/// The first byte of a node, for findings about a whole object (a missing key).
pub fn opening(span: &Range<usize>) -> Range<usize> {
    span.start..(span.start + 1).min(span.end.max(span.start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_may_be_secrets_are_not_shown() {
        assert_eq!(shown_name("permissions", false), "`permissions`");
        assert_eq!(shown_name("permissions", true), "this key");
        assert_eq!(
            shown_name("ghpAbcdef0123456789abcdefXYZ", false),
            "this key"
        );
        assert_eq!(shown_name("a`b", false), "this key");
        assert_eq!(shown_name("", false), "this key");
        assert_eq!(opening(&(5..9)), 5..6);
        assert_eq!(opening(&(5..5)), 5..5);
    }
}
