//! CLD2xx: auth and routing conflicts, evaluated on the effective
//! environment of each execution context ([`crate::env`]), and the org
//! policy rules (CLD250+). A finding's primary location is the binding that
//! wins or breaks things; the other participants are related locations.
//!
//! Contexts overlap (a job's env reaches each of its steps, a Dockerfile
//! stage each service built from it, the repository's settings every
//! workflow step that runs Claude), so one root cause can be seen from
//! several contexts. [`Sink`] keeps one finding per rule, primary binding
//! (file, span and variable) and set of participants (related locations):
//! see [`Sink::push`] for why that, and not the context, is the key.

mod conflicts;
mod managed;
mod policy;
mod providers;
mod values;

use std::collections::HashSet;

use rayon::prelude::*;

use crate::env::auth::Auth;
use crate::env::policy::Policy;
use crate::env::{self, Binding, Context, Workspace};
use crate::finding::{Confidence, Finding, Related, Severity};
use crate::project::Project;
use crate::secrets::Secret;

/// Runs every CLD2xx rule over the project's contexts; `policy` adds the
/// policy rules and lets `base_url_hosts` vouch for committed base URLs.
pub fn run(project: &Project, policy: Option<&Policy>, out: &mut Vec<Finding>) {
    let ws = Workspace::new(project);
    let contexts = env::contexts(&ws);
    // Contexts are checked side by side, each into its own sink; merging the
    // sinks in context order keeps the first report of each key, as one
    // sink filled context after context would.
    let per_context: Vec<Sink> = contexts
        .par_iter()
        .filter(|c| c.is_checked())
        .map(|ctx| {
            let mut sink = Sink::default();
            check_context(ctx, policy, &mut sink);
            sink
        })
        .collect();
    let mut sink = Sink::default();
    for other in per_context {
        sink.merge(other);
    }
    providers::check_action_inputs(project, &mut sink);
    managed::check(project, &contexts, &mut sink);
    out.extend(sink.findings);
}

/// The findings of one context on its own (for `claudit env`), without
/// the file-level input checks.
pub fn context_findings(ctx: &Context<'_>, policy: Option<&Policy>) -> Vec<Finding> {
    let mut sink = Sink::default();
    if ctx.is_checked() {
        check_context(ctx, policy, &mut sink);
    }
    sink.findings
}

fn check_context(ctx: &Context<'_>, policy: Option<&Policy>, sink: &mut Sink) {
    let auth = Auth::of(ctx);
    conflicts::check(ctx, &auth, sink);
    providers::check(ctx, &auth, sink);
    values::check(ctx, &auth, policy, sink);
    if let Some(policy) = policy {
        policy::check(ctx, &auth, policy, sink);
    }
}

/// What makes two findings the same: see [`Sink::push`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    rule: &'static str,
    file: String,
    span: (usize, usize),
    /// The variable, since several bindings can share one span (every
    /// entry of claude-code-action's `settings` input, every `$GITHUB_ENV`
    /// write of one `run:` script).
    var: String,
    /// The other participants: path and span of each related location.
    participants: Vec<(String, usize, usize)>,
    /// Set for findings about what one context lacks or does (see
    /// [`Report::per_context`]): the context's file and name.
    context: Option<(String, String)>,
}

/// Collects findings, one per [`Key`], in the order they are reported
/// (contexts come in a fixed order, so the output is deterministic).
#[derive(Default)]
pub(crate) struct Sink {
    seen: HashSet<Key>,
    /// The key of each finding, in the same order, for [`Sink::merge`].
    keys: Vec<Key>,
    findings: Vec<Finding>,
}

/// A finding under construction: rule, where, what, and who else is involved.
pub(crate) struct Report<'b, 'w> {
    pub rule: &'static str,
    pub primary: &'b Binding<'w>,
    pub message: String,
    pub related: Vec<Related>,
    /// Steps below the rule's severity (uncertain facts, values only the
    /// host may set).
    pub lower: u8,
    /// Replaces the rule's severity (before `lower`).
    pub severity: Option<Severity>,
    pub confidence: Option<Confidence>,
    /// The context, for findings that are about the context itself.
    pub context: Option<(String, String)>,
}

impl<'b, 'w> Report<'b, 'w> {
    pub fn new(rule: &'static str, primary: &'b Binding<'w>, message: String) -> Self {
        Report {
            rule,
            primary,
            message,
            related: Vec::new(),
            lower: 0,
            severity: None,
            confidence: None,
            context: None,
        }
    }

    /// Marks a finding as being about `ctx` itself (what its own chain
    /// lacks, or what its own step does), so that each context reports it
    /// even when the primary binding is shared with another context.
    pub fn per_context(mut self, ctx: &Context<'_>) -> Self {
        self.context = Some((ctx.file.display.clone(), ctx.name.clone()));
        self
    }

    pub fn related(mut self, b: &Binding<'_>, message: impl Into<String>) -> Self {
        self.related.push(related(b, message));
        self
    }

    /// A related location that is not a binding (a managed settings key).
    pub fn with_related(mut self, related: Related) -> Self {
        self.related.push(related);
        self
    }
}

/// A related location at a binding.
pub(crate) fn related(b: &Binding<'_>, message: impl Into<String>) -> Related {
    let mut message = message.into();
    if let Some(via) = &b.via {
        message.push_str(&format!(" (value from {})", via.at()));
    }
    b.site.file.related(b.site.span(), message)
}

/// Where an interpolated binding's value came from, as a related location
/// (`${X}` in compose read from `.env`, a Dockerfile `ARG` set by `build.args`).
fn via_related(b: &Binding<'_>) -> Option<Related> {
    let via = b.via.as_ref()?;
    Some(via.file.related(
        via.span(),
        format!(
            "the value of `{}` comes from `{}` here",
            b.site.written, via.written
        ),
    ))
}

impl Sink {
    pub fn push(&mut self, report: Report<'_, '_>) {
        let Some(rule) = crate::catalog::rule(report.rule) else {
            return;
        };
        let b = report.primary;
        // The key. A finding is its rule, its primary binding and its other
        // participants; the context it was seen from is only in the message.
        // * Two contexts that reach the same binding *and* the same
        //   participants see one conflict, written once in shared layers (a
        //   workflow `env`, an image's `ENV`, `.claude/settings.json` under
        //   every workflow step): reporting it per context would repeat one
        //   fix N times, so the first context keeps it. Contexts that own
        //   their bindings come first ([`env::contexts`]), so that one tells
        //   it from the file's own point of view.
        // * When the participants differ — a workflow-level
        //   `ANTHROPIC_API_KEY` beating job `a`'s OAuth input and, separately,
        //   job `b`'s — each is its own finding with its own fix, even
        //   though the primary location is the same line. Two jobs never
        //   share a context, so two jobs never share such a finding.
        // * Findings about what a context lacks (a missing companion, the
        //   action's validation) depend on the whole chain, not only on the
        //   bindings named: those carry the context in the key
        //   ([`Report::per_context`]).
        // * The variable is part of the primary: the entries of one
        //   `settings` input or one `run:` script share a span.
        let mut participants: Vec<(String, usize, usize)> = report
            .related
            .iter()
            .map(|r| (r.path.clone(), r.span.start, r.span.end))
            .collect();
        participants.sort();
        participants.dedup();
        let key = Key {
            rule: report.rule,
            file: b.site.file.display.clone(),
            span: (b.site.name_span.start, b.site.value_span.end),
            var: b.var.clone(),
            participants,
            context: report.context.clone(),
        };
        if !self.seen.insert(key.clone()) {
            return;
        }
        self.keys.push(key);
        let mut severity = report.severity.unwrap_or(rule.severity);
        for _ in 0..report.lower {
            severity = severity.lowered();
        }
        let confidence = report.confidence.unwrap_or(rule.confidence);
        let mut finding = Finding::new(report.rule, severity, confidence)
            .logical(b.site.logical.clone())
            .message(report.message);
        // A literal credential at the primary location: point at the value
        // and carry it as the finding's secret, so code frames redact it.
        finding = match literal_secret(b) {
            Some(value) => finding
                .at(b.site.value_span.clone())
                .secret(Secret::new(value.as_bytes(), 0).to_ref("credential-literal")),
            None => finding.at(b.site.span()),
        };
        finding.related = report.related;
        if let Some(via) = via_related(b) {
            finding.related.insert(0, via);
        }
        self.findings.push(b.site.file.locate(finding));
    }
}

impl Sink {
    /// A finding made without a binding (from a typed document), located in `file`.
    pub fn push_finding(&mut self, file: &crate::project::FileFacts, finding: Finding) {
        let key = Key {
            rule: finding.rule_id,
            file: file.display.clone(),
            span: (finding.span.start, finding.span.end),
            var: String::new(),
            participants: Vec::new(),
            context: None,
        };
        let Some(rule) = crate::catalog::rule(finding.rule_id) else {
            return;
        };
        if self.seen.insert(key.clone()) {
            self.keys.push(key);
            let mut finding = finding;
            finding.severity = rule.severity;
            finding.confidence = rule.confidence;
            self.findings.push(file.locate(finding));
        }
    }

    /// Appends `other`'s findings whose key this sink has not seen.
    fn merge(&mut self, other: Sink) {
        for (key, finding) in other.keys.into_iter().zip(other.findings) {
            if self.seen.insert(key.clone()) {
                self.keys.push(key);
                self.findings.push(finding);
            }
        }
    }
}

/// The literal value of a binding that holds a credential.
fn literal_secret<'a>(b: &'a Binding<'_>) -> Option<&'a str> {
    let credential = crate::assign::is_credential_variable(&b.var)
        || crate::assign::CREDENTIAL_ACTION_INPUTS.contains(&b.site.written.as_str());
    match &b.val {
        env::Val::Literal(s) if credential && !s.is_empty() => Some(s),
        _ => None,
    }
}

/// "In job `review`" for messages, with the context's file when the
/// primary location is in another one (a compose service's Dockerfile).
pub(crate) fn in_context(ctx: &Context<'_>, primary: &Binding<'_>) -> String {
    if std::ptr::eq(ctx.file, primary.site.file) {
        format!("In {}", ctx.name)
    } else {
        format!("In {}", ctx.title())
    }
}
