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
    /// What triage kept out of the table, so a summary never reads "no
    /// findings" without saying why.
    pub hidden: Hidden,
    /// Size budget of the whole summary in bytes (0: [`MAX_BYTES`]).
    pub max_bytes: usize,
}

/// Findings left out of the report by triage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hidden {
    pub baselined: usize,
    /// Inline and `.claudit.toml` ignores.
    pub ignored: usize,
    pub allowlisted: usize,
    pub below_threshold: usize,
    /// Findings outside the `--diff-base` diff, and the ref it was taken against.
    pub outside_diff: usize,
    pub diff_reference: Option<String>,
    /// `--diff-base` fell back to a full scan: why.
    pub diff_unavailable: Option<String>,
}

/// GitHub rejects job summaries over 1 MiB; stay well under it.
pub const MAX_BYTES: usize = 512 * 1024;
/// Longest message shown in a table cell, in characters.
const MAX_CELL: usize = 500;

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
    let budget = if opts.max_bytes == 0 {
        MAX_BYTES
    } else {
        opts.max_bytes
    };
    let mut out = String::new();
    let hidden = hidden_line(&opts.hidden);
    out.push_str(&format!(
        "## claudit: {}\n\n",
        headline(&counts, hidden.is_some())
    ));
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
    if let Some(line) = hidden {
        out.push_str(&line);
    }
    // The auth table is small and always shown; findings get what is left.
    let contexts = contexts_table(&opts.contexts);
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
        // Errors first, so the folded part holds the least severe.
        let mut sorted: Vec<&Finding> = findings.iter().collect();
        sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let visible = if opts.visible_rows == 0 {
            DEFAULT_VISIBLE_ROWS
        } else {
            opts.visible_rows
        };
        // Room for the tables' rows: the budget less what is written, the
        // auth table, the fold and the closing note.
        let mut room = budget.saturating_sub(out.len() + contexts.len() + 512);
        let (shown, rest) = sorted.split_at(sorted.len().min(visible));
        let (shown_rows, shown_n) = rows(shown, opts, &mut room);
        out.push_str(TABLE_HEAD);
        out.push_str(&shown_rows);
        let mut left_out = shown.len() - shown_n;
        if shown_n == shown.len() && !rest.is_empty() {
            let (rest_rows, rest_n) = rows(rest, opts, &mut room);
            left_out += rest.len() - rest_n;
            if rest_n > 0 {
                out.push_str(&format!(
                    "\n<details><summary>{} more finding{}</summary>\n\n{TABLE_HEAD}{rest_rows}\n</details>\n",
                    rest_n,
                    if rest_n == 1 { "" } else { "s" },
                ));
            }
        } else {
            left_out += rest.len();
        }
        if left_out > 0 {
            out.push_str(&format!(
                "\n{left_out} more finding{} left out to keep this summary under GitHub's 1 MiB limit; \
                 the SARIF and JSON reports have them all.\n",
                if left_out == 1 { " was" } else { "s were" }
            ));
        }
    }
    out.push_str(&contexts);
    out
}

const TABLE_HEAD: &str = "| | Rule | Location | Finding |\n|---|---|---|---|\n";

/// "Not shown: …" when triage kept findings out of the table.
fn hidden_line(h: &Hidden) -> Option<String> {
    let mut parts = Vec::new();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if h.baselined > 0 {
        parts.push(format!("{} baselined", h.baselined));
    }
    if h.ignored > 0 {
        parts.push(format!("{} ignored", h.ignored));
    }
    if h.allowlisted > 0 {
        parts.push(format!("{} allowlisted", h.allowlisted));
    }
    if h.below_threshold > 0 {
        parts.push(format!(
            "{} below --min-severity/--min-confidence",
            h.below_threshold
        ));
    }
    if h.outside_diff > 0 {
        let against = h
            .diff_reference
            .as_deref()
            .map(|r| format!(" against `{}`", r.replace('`', "'")))
            .unwrap_or_default();
        parts.push(format!(
            "{} in files outside the diff{against} (the SARIF upload has them)",
            h.outside_diff
        ));
    }
    let mut line = String::new();
    if !parts.is_empty() {
        let n = h.baselined + h.ignored + h.allowlisted + h.below_threshold + h.outside_diff;
        line.push_str(&format!(
            "Not in this report: {n} finding{} — {}.\n\n",
            plural(n),
            cell(&parts.join(", "))
        ));
    }
    if let Some(why) = &h.diff_unavailable {
        line.push_str(&format!(
            "⚠️ `--diff-base` could not be used ({}); the whole tree was scanned and reported.\n\n",
            cell(why)
        ));
    }
    (!line.is_empty()).then_some(line)
}

fn contexts_table(contexts: &[ContextRow]) -> String {
    let mut out = String::new();
    if contexts.is_empty() {
        return out;
    }
    out.push_str("\n### Claude Code auth per CI context\n\n");
    out.push_str("| Context | Credential | Provider | Billing |\n|---|---|---|---|\n");
    for c in contexts {
        out.push_str(&format!(
            "| {} ({}) | {} | {} | {} |\n",
            cell(&c.context),
            cell(&c.location),
            cell(&c.credential),
            cell(&c.provider),
            cell(&c.billing)
        ));
    }
    out
}

fn headline(c: &SeverityCounts, some_hidden: bool) -> String {
    if c.error + c.warning + c.note == 0 {
        return if some_hidden {
            "no findings in this report ✅".to_string()
        } else {
            "no findings ✅".to_string()
        };
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {}",
        plural(c.error, "error"),
        plural(c.warning, "warning"),
        plural(c.note, "note")
    )
}

/// Table rows for `findings` while they fit in `room` bytes (which shrinks);
/// returns the rows and how many fitted.
fn rows(findings: &[&Finding], opts: &MarkdownOptions, room: &mut usize) -> (String, usize) {
    let mut t = String::new();
    for (n, f) in findings.iter().enumerate() {
        let rule = crate::catalog::rule(f.rule_id)
            .map(|r| format!("{} {}", f.rule_id, r.name))
            .unwrap_or_else(|| f.rule_id.to_string());
        let row = format!(
            "| {} | {} | {} | {} |\n",
            match f.severity {
                Severity::Error => "🔴",
                Severity::Warning => "🟠",
                Severity::Note => "🔵",
            },
            cell(&rule),
            location(f, opts),
            cell(&clip(&f.message, MAX_CELL))
        );
        if row.len() > *room {
            return (t, n);
        }
        *room -= row.len();
        t.push_str(&row);
    }
    (t, findings.len())
}

/// At most `max` characters, ending in `…` when cut.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
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
                ..MarkdownOptions::default()
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
    fn errors_come_first_so_the_fold_holds_the_least_severe() {
        let findings = vec![
            finding("CLD107", Severity::Note, "a", 1, "n"),
            finding("CLD107", Severity::Warning, "b", 1, "w"),
            finding("CLD101", Severity::Error, "c", 1, "e"),
        ];
        let md = render(
            &findings,
            &Stats::default(),
            &MarkdownOptions {
                visible_rows: 2,
                ..MarkdownOptions::default()
            },
        );
        let (open, folded) = md.split_once("<details>").expect("folded");
        assert!(open.find("`c:1`") < open.find("`b:1`"), "{md}");
        assert!(folded.contains("`a:1`") && !open.contains("`a:1`"), "{md}");
    }

    #[test]
    fn size_is_capped_and_says_how_many_rows_were_left_out() {
        let long = "x".repeat(2000);
        let findings: Vec<Finding> = (1..=5000)
            .map(|i| finding("CLD101", Severity::Error, "f", i, &long))
            .collect();
        let md = render(&findings, &Stats::default(), &MarkdownOptions::default());
        assert!(md.len() <= MAX_BYTES, "{} bytes", md.len());
        assert!(
            md.contains("findings were left out to keep this summary under GitHub's 1 MiB limit"),
            "{}",
            &md[md.len() - 300..]
        );
        let rows = md.matches("| 🔴 | CLD101").count();
        let left: usize = md
            .rsplit("\n\n")
            .find_map(|p| p.split(' ').next()?.parse().ok())
            .expect("count of rows left out");
        assert_eq!(rows + left, 5000);
        // A small budget still keeps the headline and counts.
        let small = render(
            &findings,
            &Stats::default(),
            &MarkdownOptions {
                max_bytes: 4096,
                ..MarkdownOptions::default()
            },
        );
        assert!(small.len() <= 4096 + 600, "{}", small.len());
        assert!(small.starts_with("## claudit: 5000 errors"));
    }

    #[test]
    fn hidden_findings_are_explained() {
        let md = render(
            &[],
            &Stats::default(),
            &MarkdownOptions {
                hidden: Hidden {
                    baselined: 2,
                    ignored: 1,
                    outside_diff: 3,
                    diff_reference: Some("origin/main".into()),
                    ..Hidden::default()
                },
                ..MarkdownOptions::default()
            },
        );
        assert!(
            md.starts_with("## claudit: no findings in this report"),
            "{md}"
        );
        assert!(
            md.contains(
                "Not in this report: 6 findings — 2 baselined, 1 ignored, 3 in files outside the diff against `origin/main`"
            ),
            "{md}"
        );
        let md = render(
            &[],
            &Stats::default(),
            &MarkdownOptions {
                hidden: Hidden {
                    diff_unavailable: Some("shallow clone".into()),
                    ..Hidden::default()
                },
                ..MarkdownOptions::default()
            },
        );
        assert!(
            md.contains("`--diff-base` could not be used (shallow clone)"),
            "{md}"
        );
    }

    #[test]
    fn clean_run_says_so() {
        let md = render(&[], &Stats::default(), &MarkdownOptions::default());
        assert!(md.contains("no findings"));
        assert!(!md.contains("| Severity |"));
    }
}
