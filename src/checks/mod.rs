//! Rule logic. Each check reads a file's parsed facts (never the file system
//! directly, except through [`Tree`]) and pushes findings.

pub mod action;
pub mod auth;
pub mod claude_files;
pub mod claude_secrets;
pub mod credential_vars;
pub mod devcontainer;
pub mod docker;
pub mod mcp;
pub mod mcp_approvals;
pub mod posture;
pub mod project;
pub mod settings;
pub mod tokens;

use crate::classify::FileKind;
use crate::finding::Finding;
use crate::formats::Parsed;
use crate::secrets::tokens::TokenMatch;
use crate::tree::Tree;

/// Everything a check may know about one file.
pub struct FileContext<'a> {
    /// Path relative to the scan root, `/`-separated (`.github/workflows/ci.yml`).
    pub rel_path: &'a str,
    pub kind: FileKind,
    pub bytes: &'a [u8],
    /// `None` for binary or non-UTF-8 files.
    pub text: Option<&'a str>,
    pub parsed: &'a Parsed,
    /// Tracked in the git index (outside a work tree: present and not ignored).
    pub tracked: bool,
    /// Token matches found in `bytes`.
    pub tokens: &'a [TokenMatch],
    /// The files discovered under the same scan root.
    pub tree: &'a Tree,
}

impl FileContext<'_> {
    /// True when a recognised token lies inside `span` (so a variable rule stays quiet).
    pub fn token_within(&self, span: &std::ops::Range<usize>) -> bool {
        self.tokens
            .iter()
            .any(|t| t.span.start < span.end && span.start < t.span.end)
    }
}

/// Runs every check on one file.
pub fn run_all(ctx: &FileContext, out: &mut Vec<Finding>) {
    tokens::check(ctx, out);
    credential_vars::check(ctx, out);
    docker::check(ctx, out);
    claude_files::check(ctx, out);
    settings::check(ctx, out);
    mcp::check(ctx, out);
    posture::check(ctx, out);
    claude_secrets::check(ctx, out);
    action::check(ctx, out);
    devcontainer::check(ctx, out);
}

/// Runs one file check on `text` as a file at `rel_path` (its kind from the
/// path), for the checks' unit tests.
#[cfg(test)]
pub(crate) fn run_check(
    check: fn(&FileContext, &mut Vec<Finding>),
    rel_path: &str,
    text: &str,
    tree: &Tree,
    tracked: bool,
) -> Vec<Finding> {
    let kind = crate::classify::classify(rel_path);
    let parsed = crate::formats::parse(kind, text);
    let ctx = FileContext {
        rel_path,
        kind,
        bytes: text.as_bytes(),
        text: Some(text),
        parsed: &parsed,
        tracked,
        tokens: &[],
        tree,
    };
    let mut out = Vec::new();
    check(&ctx, &mut out);
    out
}
