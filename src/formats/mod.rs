//! One parser per file kind. Each returns a [`Parsed`] document: the
//! assignments it found (with byte spans), kind-specific typed documents, and
//! diagnostics for input it could not parse. A parser never fails the scan: a
//! broken file yields a diagnostic, and the token scan still reads its bytes.

pub mod dockerfile;
pub mod dotenv;
pub mod json;
pub mod json_strict;
pub mod yaml;

use std::ops::Range;

use crate::assign::Assignment;
use crate::classify::FileKind;

/// A problem parsing a file: not a finding, reported on stderr and counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Byte span in the file where the problem is.
    pub span: Range<usize>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            message: message.into(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub assignments: Vec<Assignment>,
    pub dockerfile: Option<dockerfile::Dockerfile>,
    pub json: Option<json::JsonDoc>,
    pub workflow: Option<yaml::workflow::Workflow>,
    pub action: Option<yaml::workflow::Action>,
    pub compose: Option<yaml::compose::Compose>,
    /// The YAML tree of a workflow, action or compose file.
    pub yaml: Option<yaml::Node>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// The logical location (JSON pointer, YAML path, Dockerfile instruction)
    /// of the innermost parsed element holding `span`, for findings that were
    /// made from bytes (token matches) rather than from the parsed document.
    pub fn logical_at(&self, span: &Range<usize>) -> Option<String> {
        let within = |outer: &Range<usize>| outer.start <= span.start && span.end <= outer.end;
        if let Some(a) = self
            .assignments
            .iter()
            .find(|a| within(&a.value_span) || within(&a.name_span))
        {
            return Some(a.logical.clone());
        }
        if let Some(doc) = &self.json {
            return doc.pointer_at(span);
        }
        if let Some(root) = &self.yaml {
            return root.path_at(span).filter(|p| !p.is_empty());
        }
        if let Some(doc) = &self.dockerfile {
            let inst = doc
                .instructions
                .iter()
                .find(|i| i.span.start <= span.start && span.end <= i.span.end)?;
            // An unknown instruction's "keyword" is whatever the line starts
            // with, perhaps a key: never more than a clipped prefix of it.
            return Some(doc.location(inst, &crate::secrets::clip_word(&inst.keyword, 12)));
        }
        None
    }
}

/// Parses `text` as `kind`. Text and transcripts are not parsed.
pub fn parse(kind: FileKind, text: &str) -> Parsed {
    match kind {
        FileKind::Dockerfile => dockerfile::parse_file(text),
        FileKind::Workflow | FileKind::ActionMetadata | FileKind::Compose => {
            yaml::parse_file(kind, text)
        }
        FileKind::Devcontainer
        | FileKind::ClaudeSettings
        | FileKind::McpConfig
        | FileKind::ClaudeState
        | FileKind::ClaudeCredentials => json::parse_file(kind, text),
        FileKind::Dotenv | FileKind::ShellEnv => dotenv::parse_file(kind, text),
        FileKind::Text | FileKind::ClaudeTranscript => Parsed::default(),
    }
}
