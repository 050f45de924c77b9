//! What the scan keeps of every structured file after the per-file pass, so
//! that cross-file checks (a compose service and its `env_file`, a
//! devcontainer and its Dockerfile, workflow → job → step environments) can
//! run once every file is parsed. Only structured files are kept, and they
//! are small (under `--max-parse-size`), so memory stays bounded.

use std::ops::Range;
use std::sync::OnceLock;

use crate::classify::FileKind;
use crate::finding::{Finding, Related, Snippet};
use crate::formats::Parsed;
use crate::secrets::tokens::TokenScanner;
use crate::source::{LineIndex, Region};
use crate::tree::Tree;

/// One parsed file.
#[derive(Debug)]
pub struct FileFacts {
    /// Index of the scan root this file was found under.
    pub root: usize,
    /// Relative to the root, `/`-separated.
    pub rel: String,
    /// As reported (relative to the working directory when under it).
    pub display: String,
    pub kind: FileKind,
    pub tracked: bool,
    pub parsed: Parsed,
    pub bytes: Vec<u8>,
    index: OnceLock<LineIndex>,
}

impl FileFacts {
    pub fn new(
        root: usize,
        rel: &str,
        display: &str,
        kind: FileKind,
        tracked: bool,
        parsed: Parsed,
        bytes: Vec<u8>,
    ) -> Self {
        FileFacts {
            root,
            rel: rel.to_string(),
            display: display.to_string(),
            kind,
            tracked,
            parsed,
            bytes,
            index: OnceLock::new(),
        }
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).unwrap_or("")
    }

    pub fn line_index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.bytes))
    }

    pub fn region(&self, span: &Range<usize>) -> Region {
        self.line_index().region(&self.bytes, span)
    }

    /// A related location in this file, with its region resolved.
    pub fn related(&self, span: Range<usize>, message: impl Into<String>) -> Related {
        Related {
            path: self.display.clone(),
            region: Some(self.region(&span)),
            span,
            message: message.into(),
        }
    }

    /// Fills in a cross-file finding's path, region, redacted snippet and
    /// logical location, as the per-file pass does for its own findings.
    pub fn locate(&self, mut finding: Finding) -> Finding {
        let tokens = TokenScanner::new().scan(&self.bytes);
        finding.path = self.display.clone();
        finding.region = Some(self.region(&finding.span));
        if finding.logical.is_none() {
            finding.logical = self.parsed.logical_at(&finding.span);
        }
        finding.note_content(&self.bytes);
        finding.snippet = Some(Snippet::build(
            &self.bytes,
            self.line_index(),
            &finding,
            &tokens,
        ));
        finding
    }
}

/// Every structured file of a scan, sorted by root then path, and the trees.
#[derive(Debug, Default)]
pub struct Project {
    pub files: Vec<FileFacts>,
    pub trees: Vec<Tree>,
    /// The scan's `[policy]`, for the policy rules.
    pub policy: Option<crate::env::policy::Policy>,
}

impl Project {
    /// The file at `rel` under the same root as `near`, if it was parsed.
    pub fn file(&self, root: usize, rel: &str) -> Option<&FileFacts> {
        self.files
            .binary_search_by(|f| (f.root, f.rel.as_str()).cmp(&(root, rel)))
            .ok()
            .map(|i| &self.files[i])
    }

    pub fn files_of_kind(&self, kind: FileKind) -> impl Iterator<Item = &FileFacts> {
        self.files.iter().filter(move |f| f.kind == kind)
    }
}
