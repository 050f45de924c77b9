//! `--format markdown`: a compact report for GitHub job summaries and pull
//! request comments — counts by severity, a table of findings with links, the
//! effective auth of each CI context, and the rest folded away when long.

use super::SeverityCounts;
use crate::finding::{Finding, Severity};
use crate::scan::Stats;

/// Rows shown before the rest is folded into a `<details>` block.
pub const DEFAULT_VISIBLE_ROWS: usize = 20;

#[derive(Debug, Clone, Default)]
pub struct MarkdownOptions {
    /// Prefix for file links, e.g. `https://github.com/o/r/blob/<sha>/`;
    /// without it locations are plain `path:line`.
    pub link_base: Option<String>,
    /// Findings shown in the main table (the rest are folded).
    pub visible_rows: usize,
    /// The effective auth of each CI context, when known.
    pub contexts: Vec<ContextRow>,
}

/// One execution context's effective auth and routing, already redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextRow {
    /// `.github/workflows/ci.yml` job `review`, compose service `api`, ...
    pub context: String,
    /// `path:line` of where the context is defined.
    pub location: String,
    /// `api-key`, `oauth-token`, `cloud`, ...
    pub credential: String,
    /// `anthropic`, `bedrock`, `vertex`, ...
    pub provider: String,
    /// How the usage is billed, in words.
    pub billing: String,
}

pub fn render(findings: &[Finding], stats: &Stats, opts: &MarkdownOptions) -> String {
    let counts = SeverityCounts::of(findings);
    let mut out = String::new();
    out.push_str(&format!("## claudit: {}\n\n", headline(&counts)));
    out.push_str(&format!(
        "{} file{} scanned{}. Secrets are shown redacted.\n\n",
        stats.files_scanned,
        if stats.files_scanned == 1 { "" } else { "s" },
        if stats.files_skipped > 0 {
            format!(", {} skipped", stats.files_skipped)
        } else {
            String::new()
        }
    ));
    if !findings.is_empty() {
        out.push_str("| Severity | Count |\n|---|---:|\n");
        for (label, n) in [
            ("🔴 error", counts.error),
            ("🟠 warning", counts.warning),
            ("🔵 note", counts.note),
        ] {
            out.push_str(&format!("| {label} | {n} |\n"));
        }
        out.push('\n');
        let visible = if opts.visible_rows == 0 {
            DEFAULT_VISIBLE_ROWS
        } else {
            opts.visible_rows
        };
        let (shown, rest) = findings.split_at(findings.len().min(visible));
        out.push_str(&table(shown, opts));
        if !rest.is_empty() {
            out.push_str(&format!(
                "\n<details><summary>{} more finding{}</summary>\n\n{}\n</details>\n",
                rest.len(),
                if rest.len() == 1 { "" } else { "s" },
                table(rest, opts)
            ));
        }
    }
    if !opts.contexts.is_empty() {
        out.push_str("\n### Claude Code auth per CI context\n\n");
        out.push_str("| Context | Credential | Provider | Billing |\n|---|---|---|---|\n");
        for c in &opts.contexts {
            out.push_str(&format!(
                "| {} ({}) | {} | {} | {} |\n",
                cell(&c.context),
                cell(&c.location),
                cell(&c.credential),
                cell(&c.provider),
                cell(&c.billing)
            ));
        }
    }
    out
}

fn headline(c: &SeverityCounts) -> String {
    if c.error + c.warning + c.note == 0 {
        return "no findings ✅".to_string();
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {}",
        plural(c.error, "error"),
        plural(c.warning, "warning"),
        plural(c.note, "note")
    )
}

fn table(findings: &[Finding], opts: &MarkdownOptions) -> String {
    let mut t = String::from("| | Rule | Location | Finding |\n|---|---|---|---|\n");
    for f in findings {
        let rule = crate::catalog::rule(f.rule_id)
            .map(|r| format!("{} {}", f.rule_id, r.name))
            .unwrap_or_else(|| f.rule_id.to_string());
        t.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            match f.severity {
                Severity::Error => "🔴",
                Severity::Warning => "🟠",
                Severity::Note => "🔵",
            },
            cell(&rule),
            location(f, opts),
            cell(&f.message)
        ));
    }
    t
}

fn location(f: &Finding, opts: &MarkdownOptions) -> String {
    let line = f.region.map(|r| r.start.line).unwrap_or(1);
    let text = format!("{}:{}", f.path, line);
    match &opts.link_base {
        // Only paths inside the repository can be linked.
        Some(base) if !f.path.starts_with('/') => {
            format!(
                "[{}]({}{}#L{})",
                cell(&text),
                base,
                link_path(&f.path),
                line
            )
        }
        _ => format!("`{}`", text.replace('`', "'")),
    }
}

/// Percent-encodes what would break a Markdown link target.
fn link_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A table cell: no line breaks, no unescaped pipes, no raw HTML.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Confidence;
    use crate::source::{Position, Region};

    fn finding(
        rule: &'static str,
        severity: Severity,
        path: &str,
        line: usize,
        msg: &str,
    ) -> Finding {
        let mut f = Finding::new(rule, severity, Confidence::High).message(msg);
        f.path = path.to_string();
        f.region = Some(Region {
            start: Position { line, column: 1 },
            end: Position { line, column: 5 },
        });
        f
    }

    #[test]
    fn renders_counts_table_links_and_folds_the_rest() {
        let findings: Vec<Finding> = (1..=4)
            .map(|i| finding("CLD101", Severity::Error, "dir a/.env", i, "key | `x` <b>"))
            .chain([finding("CLD107", Severity::Warning, "/abs/f", 9, "jwt")])
            .collect();
        let stats = Stats {
            files_scanned: 3,
            ..Stats::default()
        };
        let md = render(
            &findings,
            &stats,
            &MarkdownOptions {
                link_base: Some("https://github.com/o/r/blob/abc/".into()),
                visible_rows: 3,
                contexts: vec![ContextRow {
                    context: "job review".into(),
                    location: ".github/workflows/c.yml:7".into(),
                    credential: "oauth-token".into(),
                    provider: "anthropic".into(),
                    billing: "subscription".into(),
                }],
            },
        );
        assert!(md.starts_with("## claudit: 4 errors, 1 warning, 0 notes\n"));
        assert!(md.contains("| 🔴 error | 4 |"));
        assert!(md.contains("[dir a/.env:1](https://github.com/o/r/blob/abc/dir%20a/.env#L1)"));
        assert!(md.contains("key \\| `x` &lt;b&gt;"));
        assert!(md.contains("<details><summary>2 more findings</summary>"));
        assert!(md.contains("`/abs/f:9`"), "absolute paths are not linked");
        assert!(md.contains(
            "| job review (.github/workflows/c.yml:7) | oauth-token | anthropic | subscription |"
        ));
    }

    #[test]
    fn clean_run_says_so() {
        let md = render(&[], &Stats::default(), &MarkdownOptions::default());
        assert!(md.contains("no findings"));
        assert!(!md.contains("| Severity |"));
    }
}
