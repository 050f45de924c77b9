//! rustc-style code frames: the offending span underlined, the secret
//! redacted (the snippet was redacted when the finding was made).

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

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
    let mut label = format!("{rule_name} (confidence: {})", f.confidence);
    if let Some(logical) = f.shown_logical() {
        label.push_str(&format!(" at {logical}"));
    }
    let title = level(f.severity)
        .primary_title(f.message.as_str())
        .id(f.rule_id);
    let mut group: Group = match &f.snippet {
        Some(snippet) => {
            let span = snippet.underline.start..snippet.underline.end.max(snippet.underline.start);
            // The path goes on the snippet, as in rustc's frames: a separate
            // origin element would make the snippet a secondary one, drawn
            // under an empty `::: ` line.
            title.element(
                Snippet::source(snippet.text.as_str())
                    .path(f.path.as_str())
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
    let rendered = renderer.render(&[group]).to_string();
    if f.snippet.is_some() {
        real_location(rendered, &f.path, line, column)
    } else {
        rendered
    }
}

/// The renderer derives the `--> path:line:column` of a frame from the
/// snippet text, which may be clipped or redacted: put the finding's real
/// line and UTF-16 column there instead.
fn real_location(rendered: String, path: &str, line: usize, column: usize) -> String {
    let Some(arrow) = rendered.find("--> ") else {
        return rendered;
    };
    let needle = format!("{path}:");
    let Some(at) = rendered[arrow..]
        .find(&needle)
        .map(|i| arrow + i + needle.len())
    else {
        return rendered;
    };
    let digits = rendered[at..]
        .find(|c: char| !(c.is_ascii_digit() || c == ':'))
        .unwrap_or(rendered.len() - at);
    let mut fixed = String::with_capacity(rendered.len());
    fixed.push_str(&rendered[..at]);
    fixed.push_str(&format!("{line}:{column}"));
    fixed.push_str(&rendered[at + digits..]);
    fixed
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
    let message = crate::secrets::redact_text(&n.message);
    // The kind already says "skipped": never "skipped X: skipped: …".
    let message = match n.kind {
        NoticeKind::Skipped => message
            .strip_prefix("skipped: ")
            .map(|m| std::borrow::Cow::Owned(m.to_string()))
            .unwrap_or(message),
        _ => message,
    };
    match (n.line, n.column) {
        (Some(l), Some(c)) => format!("{what} {}:{l}:{c}: {message}", n.path),
        _ => format!("{what} {}: {message}", n.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Snippet as Frame};
    use crate::source::{Position, Region};

    fn finding(
        text: &str,
        underline: std::ops::Range<usize>,
        line: usize,
        column: usize,
    ) -> Finding {
        let mut f = Finding::new("CLD442", Severity::Warning, Confidence::High)
            .at(0..1)
            .logical("/privileged")
            .message("the container is privileged");
        f.path = ".devcontainer/devcontainer.json".into();
        f.region = Some(Region {
            start: Position { line, column },
            end: Position {
                line,
                column: column + underline.len(),
            },
        });
        f.snippet = Some(Frame {
            line,
            text: text.into(),
            underline,
        });
        f
    }

    #[test]
    fn frames_carry_the_path_like_rustc_and_no_empty_origin_line() {
        let out = render(&[finding("  \"privileged\": true,", 16..20, 3, 17)], false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[..6],
            [
                "warning[CLD442]: the container is privileged",
                " --> .devcontainer/devcontainer.json:3:17",
                "  |",
                "3 |   \"privileged\": true,",
                "  |                 ^^^^ devcontainer-privileged (confidence: high) at /privileged",
                "  |",
            ],
            "{out}"
        );
        assert!(!out.contains(":::"), "{out}");
    }

    #[test]
    fn an_empty_logical_location_is_not_shown() {
        let mut f = finding("  \"privileged\": true,", 16..20, 3, 17);
        f.logical = Some(String::new());
        let out = render(&[f.clone()], false);
        assert!(out.contains("(confidence: high)\n"), "{out}");
        assert!(!out.contains(" at \n") && !out.contains(" at  "), "{out}");
        f.snippet = None;
        let out = render(&[f], false);
        assert!(out.contains("(confidence: high)"), "{out}");
        assert!(!out.contains("high) at"), "{out}");
    }

    #[test]
    fn skipped_notices_say_skipped_once() {
        for message in [
            "binary file (--skip-binary)",
            "skipped: binary file (--skip-binary)",
        ] {
            let n = Notice {
                path: "blob.bin".into(),
                line: None,
                column: None,
                kind: NoticeKind::Skipped,
                message: message.into(),
            };
            assert_eq!(
                render_notice(&n),
                "note: skipped blob.bin: binary file (--skip-binary)"
            );
        }
    }

    #[test]
    fn a_clipped_snippet_still_shows_the_real_column() {
        // The snippet starts with "…" after clipping: its own column is not the file's.
        let text = "…x\": true, \"privileged\": true";
        let at = text.rfind("true").expect("in text");
        let clipped = || finding(text, at..at + 4, 1, 412);
        let out = render(&[clipped()], false);
        assert!(
            out.contains("--> .devcontainer/devcontainer.json:1:412\n"),
            "{out}"
        );
        assert!(!out.contains(":::"), "{out}");
        let styled = render(&[clipped()], true);
        assert!(
            styled.contains(".devcontainer/devcontainer.json:1:412"),
            "{styled}"
        );
        assert!(!styled.contains(":::"), "{styled}");
    }
}
