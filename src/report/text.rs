//! rustc-style code frames: the offending span underlined, the secret
//! redacted (the snippet was redacted when the finding was made).

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::finding::{Finding, Severity};
use crate::scan::{Notice, NoticeKind};

/// Renders every finding. `color` chooses ANSI styling (decided by the caller
/// from the terminal, `NO_COLOR` and `--color`).
pub fn render(findings: &[Finding], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for f in findings {
        out.push_str(&render_one(&renderer, f));
        out.push_str("\n\n");
    }
    out
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

fn render_one(renderer: &Renderer, f: &Finding) -> String {
    let rule_name = crate::catalog::rule(f.rule_id)
        .map(|r| r.name.as_str())
        .unwrap_or("");
    let (line, column) = f
        .region
        .map(|r| (r.start.line, r.start.column))
        .unwrap_or((1, 1));
    let location = format!("{}:{}:{}", f.path, line, column);
    // The origin carries the real line and UTF-16 column: the snippet text may
    // be clipped or redacted, so its own columns would be off.
    let origin = Origin::path(f.path.as_str()).line(line).char_column(column);
    let mut label = format!("{rule_name} (confidence: {})", f.confidence);
    if let Some(logical) = &f.logical {
        label.push_str(&format!(" at {logical}"));
    }
    let title = level(f.severity)
        .primary_title(f.message.as_str())
        .id(f.rule_id);
    let mut group: Group = match &f.snippet {
        Some(snippet) => {
            let span = snippet.underline.start..snippet.underline.end.max(snippet.underline.start);
            title.element(origin).element(
                Snippet::source(snippet.text.as_str())
                    .line_start(snippet.line)
                    .annotation(AnnotationKind::Primary.span(span).label(label.clone())),
            )
        }
        None => title.element(Level::NOTE.message(format!("at {location}: {label}"))),
    };
    for r in &f.related {
        let at = r
            .region
            .map(|g| format!("{}:{}:{}", r.path, g.start.line, g.start.column))
            .unwrap_or_else(|| r.path.clone());
        group = group.element(Level::NOTE.message(format!("{}: {at}", r.message)));
    }
    if let Some(s) = &f.suppression {
        let reason = s
            .justification
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        let what = if s.active {
            "suppressed by"
        } else {
            "shown despite (--no-ignores)"
        };
        group = group.element(Level::NOTE.message(format!("{what} {}{reason}", s.by)));
    }
    group = group.element(Level::HELP.message(format!(
        "run `claudit explain {}` for how to fix",
        f.rule_id
    )));
    renderer.render(&[group]).to_string()
}

/// One line per notice, for stderr.
pub fn render_notice(n: &Notice) -> String {
    let what = match n.kind {
        NoticeKind::ParseError => "warning: could not parse",
        NoticeKind::Unreadable => "warning: could not read",
        NoticeKind::Skipped => "note: skipped",
        NoticeKind::UnusedIgnore => "note: unused ignore in",
        NoticeKind::InvalidIgnore => "note: invalid ignore in",
        NoticeKind::ExpiredBaseline => "note: expired baseline entry for",
    };
    match (n.line, n.column) {
        (Some(l), Some(c)) => format!("{what} {}:{l}:{c}: {}", n.path, n.message),
        _ => format!("{what} {}: {}", n.path, n.message),
    }
}
