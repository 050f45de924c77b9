//! An image config's `Env`: the environment every container of the image
//! starts with, so an execution context exactly like a Dockerfile's final
//! stage. It is scanned as one: written out as `ENV` lines of a Dockerfile
//! (single-quoted, so nothing expands), which gives it the auth and routing
//! rules of a Dockerfile, CLD220 included. Findings are then moved onto the
//! image's config (`image!config!/Env`, line N = the Nth `Env` entry),
//! messages and related locations included.

use std::collections::HashMap;

use crate::finding::{Finding, Snippet};
use crate::scan::ScanOutcome;
use crate::source::{Position, Region};

/// The synthetic Dockerfile's name while it is scanned.
const DOCKERFILE: &str = "Dockerfile";
/// Its first line; every `Env` entry comes after it.
const FROM: &str = "FROM scratch\n";
const ENV: &str = "ENV ";

/// Scans `env` (`KEY=VALUE` each) and adds its findings under `label`.
pub fn scan(env: &[String], label: &str, outcome: &mut ScanOutcome) {
    let lines: Vec<Line> = env.iter().map(|e| Line::of(e)).collect();
    let mut text = String::from(FROM);
    for line in &lines {
        text.push_str(&line.dockerfile);
        text.push('\n');
    }
    // The content line hashes are computed from: the entries as written.
    let listed: String = lines.iter().map(|l| format!("{}\n", l.entry)).collect();
    let scanned = crate::scan::scan_bytes(DOCKERFILE, text.as_bytes());
    let mut hashes = HashMap::new();
    let all = crate::report::line_hash::line_hashes(listed.as_bytes());
    for mut finding in scanned.findings {
        move_onto_entries(&mut finding, &lines, &listed);
        relabel(&mut finding, DOCKERFILE, label);
        finding.message = reword(&finding.message, label);
        for r in &mut finding.related {
            r.message = reword(&r.message, label);
        }
        let line = finding.region.map_or(1, |r| r.start.line);
        if let Some(h) = line.checked_sub(1).and_then(|i| all.get(i)) {
            hashes.insert(line, h.clone());
        }
        outcome.findings.push(finding);
    }
    outcome.line_hashes.insert(label.to_string(), hashes);
}

/// Moves a finding from `from` to `to`: its path, and related locations in
/// the same file.
pub fn relabel(finding: &mut Finding, from: &str, to: &str) {
    finding.path = to.to_string();
    for r in &mut finding.related {
        if r.path == from {
            r.path = to.to_string();
        }
    }
}

/// The Dockerfile's words for the image's: the context is the image's
/// environment, not a Dockerfile stage.
fn reword(message: &str, label: &str) -> String {
    let config = format!("image config Env ({label})");
    message
        .replace("Dockerfile ENV (stage[0])", "image config Env")
        .replace("image stage[0] (Dockerfile)", &config)
        .replace("image stage[0]", &config)
        .replace("`Dockerfile`", &format!("`{label}`"))
        .replace(&format!("{DOCKERFILE}:"), &format!("{label}:"))
}

/// One `Env` entry: as written, and as a Dockerfile line.
struct Line {
    entry: String,
    dockerfile: String,
    /// Where the value starts in each (bytes), to move columns across.
    value_at_entry: usize,
    value_at_dockerfile: usize,
}

impl Line {
    fn of(entry: &str) -> Line {
        // A line break would end the line early; an entry never has one in
        // practice, and the rules see the same value either way.
        let entry = entry.replace(['\n', '\r'], " ");
        let (key, value) = entry.split_once('=').unwrap_or((&entry, ""));
        // Single quotes: nothing is expanded or unescaped; a quote inside is
        // closed, written in double quotes, and reopened.
        let quoted = value.replace('\'', "'\"'\"'");
        let dockerfile = format!("{ENV}{key}='{quoted}'");
        Line {
            value_at_entry: key.len() + 1,
            value_at_dockerfile: ENV.len() + key.len() + 2,
            dockerfile,
            entry,
        }
    }

    /// A byte offset in the Dockerfile line, as one in the entry.
    fn offset(&self, at: usize) -> usize {
        let moved = if at >= self.value_at_dockerfile {
            at - self.value_at_dockerfile + self.value_at_entry
        } else {
            at.saturating_sub(ENV.len()).min(self.value_at_entry)
        };
        moved.min(self.entry.len())
    }
}

/// Puts the finding's region, span and snippet, and those of its related
/// locations in the same file, on the `Env` entries: line 1 of the
/// Dockerfile is `FROM`, line N+1 is entry N.
fn move_onto_entries(finding: &mut Finding, lines: &[Line], listed: &str) {
    let starts: Vec<usize> = lines
        .iter()
        .scan(0, |at, l| {
            let start = *at;
            *at += l.entry.len() + 1;
            Some(start)
        })
        .collect();
    let map = Mapper {
        lines,
        starts: &starts,
        listed,
    };
    if let Some(region) = finding.region {
        (finding.region, finding.span) = map.region(region);
    }
    finding.snippet = finding.snippet.take().and_then(|s| snippet(s, lines));
    for r in &mut finding.related {
        if r.path != DOCKERFILE {
            continue;
        }
        match r.region {
            Some(region) => (r.region, r.span) = map.region(region),
            None => r.span = 0..listed.len(),
        }
    }
}

struct Mapper<'a> {
    lines: &'a [Line],
    /// Byte offset of each entry in `listed`.
    starts: &'a [usize],
    listed: &'a str,
}

impl Mapper<'_> {
    /// A Dockerfile region as an `Env` region and span; the whole list when
    /// it is on the `FROM` line.
    fn region(&self, region: Region) -> (Option<Region>, std::ops::Range<usize>) {
        match (self.position(region.start), self.position(region.end)) {
            (Some((start, s)), Some((end, e))) => {
                (Some(Region { start: s, end: e }), start..end.max(start))
            }
            _ => (None, 0..self.listed.len()),
        }
    }

    fn position(&self, p: Position) -> Option<(usize, Position)> {
        let index = p.line.checked_sub(2)?;
        let line = self.lines.get(index)?;
        // Columns are UTF-16 units; map through the byte offset.
        let byte = utf16_to_byte(&line.dockerfile, p.column.saturating_sub(1));
        let moved = floor_char(&line.entry, line.offset(byte));
        let column = line.entry[..moved].encode_utf16().count() + 1;
        Some((
            self.starts[index] + moved,
            Position {
                line: index + 1,
                column,
            },
        ))
    }
}

/// The snippet (already redacted) moved onto its entry: `ENV K='v'` → `K=v`.
fn snippet(s: Snippet, lines: &[Line]) -> Option<Snippet> {
    let index = s.line.checked_sub(2)?;
    lines.get(index)?;
    let text = s.text.strip_prefix(ENV)?;
    let (key, value) = text.split_once("='")?;
    let value = value
        .strip_suffix('\'')
        .unwrap_or(value)
        .replace("'\"'\"'", "'");
    let shift = |at: usize| {
        let at = at.saturating_sub(ENV.len());
        if at > key.len() + 1 { at - 1 } else { at }
    };
    let text = format!("{key}={value}");
    let end = shift(s.underline.end).min(text.len());
    let start = shift(s.underline.start).min(end);
    Some(Snippet {
        line: index + 1,
        underline: floor_char(&text, start)..floor_char(&text, end),
        text,
    })
}

fn utf16_to_byte(text: &str, units: usize) -> usize {
    let mut count = 0;
    for (i, c) in text.char_indices() {
        if count >= units {
            return i;
        }
        count += c.len_utf16();
    }
    text.len()
}

fn floor_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkeys;

    fn scan_env(env: &[String]) -> ScanOutcome {
        let mut outcome = ScanOutcome::default();
        scan(env, "app:1!config!/Env", &mut outcome);
        outcome
    }

    #[test]
    fn values_are_quoted_so_nothing_expands() {
        let line = Line::of("A=it's $HOME \\n");
        assert_eq!(line.dockerfile, r#"ENV A='it'"'"'s $HOME \n'"#);
        // Columns of the value move back by `ENV ` and the opening quote.
        assert_eq!(line.offset("ENV A='".len()), "A=".len());
        assert_eq!(line.offset("ENV ".len()), 0);
    }

    #[test]
    fn findings_point_at_the_entry() {
        let key = testkeys::key("api03", 41);
        let env = vec![
            "PATH=/usr/bin".to_string(),
            "CLAUDE_CODE_USE_BEDROCK=1".to_string(),
            format!("ANTHROPIC_API_KEY={key}"),
        ];
        let out = scan_env(&env);
        let leak = out
            .findings
            .iter()
            .find(|f| f.rule_id == "CLD101")
            .expect("CLD101");
        assert_eq!(leak.path, "app:1!config!/Env");
        let region = leak.region.expect("region");
        assert_eq!(region.start.line, 3);
        assert_eq!(region.start.column, "ANTHROPIC_API_KEY=".len() + 1);
        assert!(out.findings.iter().any(|f| f.rule_id == "CLD220"));
        for f in &out.findings {
            assert!(!f.message.contains("Dockerfile"), "{}", f.message);
            assert!(!f.message.contains(".env"), "{}", f.message);
            for r in &f.related {
                assert_eq!(r.path, "app:1!config!/Env");
                let region = r.region.expect("related region");
                assert_eq!((region.start.line, region.start.column), (2, 1), "{r:?}");
                assert!(!r.message.contains("Dockerfile"), "{}", r.message);
            }
            assert!(!f.message.contains(&key));
        }
        let hashes = &out.line_hashes["app:1!config!/Env"];
        assert!(hashes.contains_key(&3), "{hashes:?}");
    }
}
