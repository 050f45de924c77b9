//! `fleet.md` and `fleet.html`: the roll-up for people. Both show the same
//! sections as `fleet.json`; the HTML is one self-contained file (inline
//! style, no script, no external asset).

use std::fmt::Write as _;

use super::Rollup;

/// A table: a heading, column names, and rows of plain text cells.
struct Table {
    title: &'static str,
    empty: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<String>>,
    /// Shown folded (`<details>`), for long lists.
    collapsed: bool,
}

fn tables(r: &Rollup) -> Vec<Table> {
    let t = &r.totals;
    let totals = vec![
        vec!["repositories".into(), t.repositories.to_string()],
        vec!["scanned".into(), t.scanned.to_string()],
        vec!["failed".into(), t.failed.to_string()],
        vec!["with findings".into(), t.with_findings.to_string()],
        vec!["files scanned".into(), t.files_scanned.to_string()],
        vec!["findings".into(), t.findings.to_string()],
        vec!["error".into(), t.by_severity.error.to_string()],
        vec!["warning".into(), t.by_severity.warning.to_string()],
        vec!["note".into(), t.by_severity.note.to_string()],
    ];
    let rules = r
        .rules
        .iter()
        .map(|(rule, n)| vec![rule.clone(), n.to_string()])
        .collect();
    let worst = r
        .worst
        .iter()
        .map(|w| {
            vec![
                w.name.clone(),
                w.findings.error.to_string(),
                w.findings.warning.to_string(),
                w.findings.note.to_string(),
            ]
        })
        .collect();
    let auth = r
        .auth
        .iter()
        .map(|a| {
            vec![
                a.repository.clone(),
                a.row.context.clone(),
                a.row.location.clone(),
                a.row.credential.clone(),
                a.row.provider.clone(),
                a.row.billing.clone(),
            ]
        })
        .collect();
    let reuse = r
        .secret_reuse
        .iter()
        .map(|s| {
            vec![
                s.secret_id.clone(),
                s.token_types.join(", "),
                s.repositories.join(", "),
            ]
        })
        .collect();
    let failed = r
        .failed
        .iter()
        .map(|f| vec![f.name.clone(), f.reason.clone()])
        .collect();
    let repositories = r
        .repositories
        .iter()
        .map(|s| {
            let rules: Vec<String> = s.rules.iter().map(|(id, n)| format!("{id}×{n}")).collect();
            vec![
                s.name.clone(),
                s.tags.join(", "),
                s.status.clone(),
                s.files_scanned.to_string(),
                s.findings.error.to_string(),
                s.findings.warning.to_string(),
                s.findings.note.to_string(),
                rules.join(", "),
                s.secrets.len().to_string(),
                s.sarif
                    .clone()
                    .or_else(|| s.reason.clone())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    vec![
        Table {
            title: "Totals",
            empty: "",
            columns: &["", "count"],
            rows: totals,
            collapsed: false,
        },
        Table {
            title: "Findings by rule",
            empty: "No findings.",
            columns: &["rule", "findings"],
            rows: rules,
            collapsed: false,
        },
        Table {
            title: "Worst repositories",
            empty: "No repository has findings.",
            columns: &["repository", "error", "warning", "note"],
            rows: worst,
            collapsed: false,
        },
        Table {
            title: "Auth inventory",
            empty: "No execution context sets Claude Code auth or routing variables.",
            columns: &[
                "repository",
                "context",
                "location",
                "credential",
                "provider",
                "billing",
            ],
            rows: auth,
            collapsed: false,
        },
        Table {
            title: "Secret reuse",
            empty: "No secret appears in more than one repository.",
            columns: &["secret id", "types", "repositories"],
            rows: reuse,
            collapsed: false,
        },
        Table {
            title: "Repositories that failed to scan",
            empty: "None.",
            columns: &["repository", "reason"],
            rows: failed,
            collapsed: false,
        },
        Table {
            title: "Repositories",
            empty: "No repository.",
            columns: &[
                "repository",
                "tags",
                "status",
                "files",
                "error",
                "warning",
                "note",
                "rules",
                "secrets",
                "SARIF or reason",
            ],
            rows: repositories,
            collapsed: true,
        },
    ]
}

/// `fleet.md`.
pub fn markdown(r: &Rollup) -> String {
    let mut out = String::from("# claudit fleet audit\n");
    for table in tables(r) {
        let _ = write!(out, "\n## {}\n\n", table.title);
        if table.rows.is_empty() {
            let _ = writeln!(out, "{}", table.empty);
            continue;
        }
        if table.collapsed {
            // GitHub renders the table inside; the blank line is required.
            let _ = write!(
                out,
                "<details>\n<summary>{} ({})</summary>\n\n",
                table.title,
                table.rows.len()
            );
        }
        let _ = writeln!(out, "| {} |", table.columns.join(" | "));
        let _ = writeln!(
            out,
            "|{}",
            table.columns.iter().map(|_| "---|").collect::<String>()
        );
        for row in &table.rows {
            let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        if table.collapsed {
            out.push_str("\n</details>\n");
        }
    }
    out
}

/// Keeps a cell on one line and out of the table syntax.
fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin-bottom:1.5em}\
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}";

/// `fleet.html`: the same tables, self-contained.
pub fn html(r: &Rollup) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>claudit fleet audit</title>\n",
    );
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    out.push_str("<h1>claudit fleet audit</h1>\n");
    for table in tables(r) {
        let _ = writeln!(out, "<h2>{}</h2>", escape(table.title));
        if table.rows.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", escape(table.empty));
            continue;
        }
        if table.collapsed {
            let _ = writeln!(
                out,
                "<details><summary>{} ({})</summary>",
                escape(table.title),
                table.rows.len()
            );
        }
        out.push_str("<table>\n<tr>");
        for c in table.columns {
            let _ = write!(out, "<th>{}</th>", escape(c));
        }
        out.push_str("</tr>\n");
        for row in &table.rows {
            out.push_str("<tr>");
            for c in row {
                let _ = write!(out, "<td>{}</td>", escape(c));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
        if table.collapsed {
            out.push_str("</details>\n");
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::{Repo, RepoSummary, rollup};

    fn failed(name: &str, reason: &str) -> Rollup {
        let repo = Repo {
            name: name.to_string(),
            path: std::path::PathBuf::from(name),
            tags: Vec::new(),
        };
        rollup(vec![RepoSummary::failed(&repo, reason.to_string())])
    }

    #[test]
    fn html_escapes_and_has_no_external_assets() {
        let page = html(&failed("<script>", "a|b & \"c\""));
        assert!(page.contains("&lt;script&gt;"));
        assert!(!page.contains("<script>"));
        assert!(!page.contains("src=") && !page.contains("href="));
    }

    /// Every repository of `fleet.json`, with its tags, in both renderings.
    #[test]
    fn both_list_every_repository_with_its_tags() {
        let repo = |name: &str, tags: &[&str]| Repo {
            name: name.to_string(),
            path: std::path::PathBuf::from(name),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        };
        let ok = RepoSummary::scanned(&repo("web", &["prod", "team-a"]), &[], 3, Vec::new());
        let bad = RepoSummary::failed(&repo("api", &["legacy"]), "cannot read".to_string());
        let r = rollup(vec![ok, bad]);
        let md = markdown(&r);
        assert!(md.contains("<summary>Repositories (2)</summary>"), "{md}");
        assert!(
            md.contains("| web | prod, team-a | ok | 3 | 0 | 0 | 0 |  | 0 | repos/web.sarif |"),
            "{md}"
        );
        assert!(md.contains("| api | legacy | failed |"), "{md}");
        let page = html(&r);
        assert!(page.contains("<details><summary>Repositories (2)</summary>"));
        assert!(
            page.contains("<td>web</td><td>prod, team-a</td><td>ok</td>"),
            "{page}"
        );
        assert!(
            page.contains("<td>api</td><td>legacy</td><td>failed</td>"),
            "{page}"
        );
    }

    #[test]
    fn markdown_escapes_pipes_and_newlines() {
        let md = markdown(&failed("r", "a|b\nc"));
        assert!(md.contains("| r | a\\|b c |"), "{md}");
        assert!(md.contains("## Secret reuse\n\nNo secret appears"));
    }
}
