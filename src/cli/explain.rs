//! `claudit explain RULE`: what a rule finds, why it matters, how to fix it,
//! with examples. `--markdown` prints the page kept under `docs/rules/`.

use super::{ExitCode, ExplainArgs};
use crate::catalog::{self, ExampleKind, Rule};

pub fn run(args: &ExplainArgs) -> ExitCode {
    match catalog::find(&args.rule) {
        Some(rule) => {
            if args.markdown {
                super::output::print_stdout(&markdown(rule));
            } else {
                super::output::print_stdout(&text(rule));
            }
            ExitCode::Clean
        }
        None => {
            eprintln!(
                "claudit: error: no rule `{}` (see `claudit rules`)",
                args.rule
            );
            ExitCode::Fatal
        }
    }
}

/// Plain text for the terminal.
pub fn text(rule: &Rule) -> String {
    let mut s = format!(
        "{} {} ({}, confidence {})\n\n{}\n\nWhy it matters\n{}\n\nHow to fix\n{}\n",
        rule.id,
        rule.name,
        rule.severity,
        rule.confidence,
        rule.summary,
        indent(rule.why.trim()),
        indent(rule.fix.trim())
    );
    if let Some(r) = &rule.reflects {
        s.push_str(&format!("\nReflects\n{}\n", indent(r.trim())));
    }
    for (kind, title) in [
        (ExampleKind::Bad, "Flagged"),
        (ExampleKind::Good, "Not flagged"),
    ] {
        for e in rule.examples.iter().filter(|e| e.kind == kind) {
            s.push_str(&format!(
                "\n{title}: {}\n{}\n",
                e.path,
                indent(e.content.trim_end())
            ));
        }
    }
    if !rule.references.is_empty() {
        s.push_str("\nReferences\n");
        for r in &rule.references {
            s.push_str(&format!("  {r}\n"));
        }
    }
    s
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rule's documentation page (`docs/rules/<ID>.md`, SARIF `helpUri`).
/// Examples keep their `{{key:…}}` placeholders: the page never holds a key.
pub fn markdown(rule: &Rule) -> String {
    let mut s = format!(
        "<!-- generated from rules/{id}.toml by `claudit explain {id} --markdown`; edit the TOML, not this file -->\n\
         # {id} {name}\n\n\
         **Default severity:** {sev} · **Confidence:** {conf}\n\n\
         {summary}\n\n\
         ## Why it matters\n\n{why}\n\n\
         ## How to fix\n\n{fix}\n",
        id = rule.id,
        name = rule.name,
        sev = rule.severity,
        conf = rule.confidence,
        summary = rule.summary.trim(),
        why = rule.why.trim(),
        fix = rule.fix.trim(),
    );
    if let Some(r) = &rule.reflects {
        s.push_str(&format!("\n## What this rule reflects\n\n{}\n", r.trim()));
    }
    s.push_str("\n## Examples\n\nValues written `{{key:TAG}}` stand for keys of that family; the test suite fills them in at run time.\n");
    for (kind, title) in [
        (ExampleKind::Bad, "Flagged"),
        (ExampleKind::Good, "Not flagged"),
    ] {
        for e in rule.examples.iter().filter(|e| e.kind == kind) {
            s.push_str(&format!(
                "\n{title} — `{}`:\n\n```{}\n{}\n```\n",
                e.path,
                fence_lang(&e.path),
                e.content.trim_matches('\n')
            ));
            if let Some(note) = &e.note {
                s.push_str(&format!("\n{}\n", note.trim()));
            }
        }
    }
    if !rule.references.is_empty() {
        s.push_str("\n## References\n\n");
        for r in &rule.references {
            s.push_str(&format!("- <{r}>\n"));
        }
    }
    s
}

fn fence_lang(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".yml") || lower.ends_with(".yaml") {
        "yaml"
    } else if lower.ends_with(".json") || lower.ends_with(".jsonc") {
        "json"
    } else if lower.contains("dockerfile") || lower.contains("containerfile") {
        "dockerfile"
    } else if lower.ends_with(".py") {
        "python"
    } else if lower.ends_with(".sh") || lower.contains(".env") || lower.ends_with("rc") {
        "sh"
    } else {
        "text"
    }
}
