//! Triage: what happens to findings after the checks and before the
//! reporters. In order:
//!
//! 1. With file arguments, findings in other files (read only for context)
//!    are dropped.
//! 2. The allowlist (`[allowlist]` paths, value regexes, `secret_ids`),
//!    inline ignores (`claudit: ignore[...]` comments, see [`ignores`]) and
//!    `[[ignore]]` entries in `.claudit.toml` (path glob, optional rule and
//!    pointer) suppress findings. `--no-ignores` keeps them reported and says
//!    what would have hidden them.
//! 3. A baseline (`--baseline FILE`, see [`baseline`]) marks each finding
//!    `new` or `unchanged` and suppresses the unchanged ones, unless expired.
//! 4. `--min-severity` / `--min-confidence` (or the config's) drop findings —
//!    after ignores and the baseline, so an ignore or entry whose finding is
//!    below the threshold is in use, not stale.
//! 5. `--diff-base` (see [`diff`]) moves findings outside the changed files
//!    aside: they are left out of the exit code and the text/JSON/annotation
//!    output, and kept for SARIF unless `--diff-sarif`. The counts (baselined,
//!    ignored, baseline entries that no longer match) cover the diff only.
//!
//! Ignores and config entries that match nothing, malformed ignores and
//! expired baseline entries become notices. They are notes everywhere — the
//! text output, SARIF notification levels and `--fail-on` (only `--fail-on
//! note` fails on them): a malformed ignore suppresses nothing, so like a
//! stale one it is clutter to clean up, never a hidden finding.

pub mod baseline;
pub mod custom;
pub mod diff;
pub mod ignores;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::config::{Config, IgnoreEntry};
use crate::finding::{BaselineState, Confidence, Finding, Severity, Suppression, SuppressionKind};
use crate::scan::{Notice, NoticeKind, ScanOutcome};
use baseline::{Baseline, Date, Match, Matcher};
use diff::ChangedFiles;
use ignores::InlineIgnore;

/// Everything triage needs besides the config.
#[derive(Debug, Default)]
pub struct Settings {
    /// Report suppressed findings anyway (auditors).
    pub no_ignores: bool,
    /// Override the config's `min_severity` / `min_confidence`.
    pub min_severity: Option<Severity>,
    pub min_confidence: Option<Confidence>,
    /// The baseline and how to name it in messages.
    pub baseline: Option<(String, Baseline)>,
    pub today: Option<Date>,
    /// Narrow the report to these files (`--diff-base`).
    pub changed: Option<ChangedFiles>,
    /// File arguments: only findings in these files (or under these folders)
    /// are reported; the other files of the tree were read for context only.
    pub scope: Option<ChangedFiles>,
    /// The canonical current directory: display paths are relative to it.
    pub cwd: PathBuf,
    /// Canonical folder that `.claudit.toml` paths are relative to.
    pub config_dir: PathBuf,
    /// Display path of the config file, when one was read.
    pub config_display: Option<String>,
    /// Whether the scan covered the config's whole folder, so a config
    /// ignore that matched nothing is really stale.
    pub scanned_config_dir: bool,
}

/// What triage did, for the reporters and the summary.
#[derive(Debug, Default)]
pub struct Triage {
    /// Findings an ignore, allowlist or baseline entry hides (suppression active).
    pub suppressed: Vec<Finding>,
    /// Unsuppressed findings outside the changed files (`--diff-base`).
    pub outside_diff: Vec<Finding>,
    /// Suppressed findings outside the changed files.
    pub suppressed_outside_diff: Vec<Finding>,
    pub ignored: usize,
    pub allowlisted: usize,
    pub baselined: usize,
    /// Findings that are reported although an ignore covers them (`--no-ignores`).
    pub would_be_ignored: usize,
    pub below_threshold: usize,
    pub baseline_unmatched: usize,
    pub baseline_expired: usize,
    /// The diff the report was narrowed to.
    pub diff: Option<ChangedFiles>,
    pub baseline_used: bool,
}

impl Triage {
    /// Words appended to the summary line; empty when triage did nothing.
    /// `unchanged` is the number of files `--diff-base` let the scan skip.
    pub fn summary_suffix(&self, unchanged: usize) -> String {
        let mut parts = Vec::new();
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if self.ignored > 0 {
            parts.push(format!("{} ignored", self.ignored));
        }
        if self.allowlisted > 0 {
            parts.push(format!("{} allowlisted", self.allowlisted));
        }
        if self.would_be_ignored > 0 {
            parts.push(format!(
                "{} shown despite ignores (--no-ignores)",
                self.would_be_ignored
            ));
        }
        if self.below_threshold > 0 {
            parts.push(format!(
                "{} below --min-severity/--min-confidence",
                self.below_threshold
            ));
        }
        if self.baseline_used {
            parts.push(format!("{} baselined", self.baselined));
            parts.push(format!(
                "{} no longer {}",
                plural(
                    self.baseline_unmatched,
                    "baseline entry",
                    "baseline entries"
                ),
                if self.baseline_unmatched == 1 {
                    "matches"
                } else {
                    "match"
                }
            ));
            if self.baseline_expired > 0 {
                parts.push(format!("{} expired", self.baseline_expired));
            }
        }
        if let Some(diff) = &self.diff {
            parts.push(format!(
                "{} outside the diff against {} ({}, {} not read)",
                self.outside_diff.len(),
                diff.reference,
                plural(diff.len(), "changed file", "changed files"),
                plural(unchanged, "unchanged file", "unchanged files")
            ));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("; {}", parts.join(", "))
        }
    }
}

/// Notice kinds triage produces; they count as notes for `--fail-on`.
pub fn is_triage_notice(kind: NoticeKind) -> bool {
    matches!(
        kind,
        NoticeKind::UnusedIgnore | NoticeKind::InvalidIgnore | NoticeKind::ExpiredBaseline
    )
}

const BY_ALLOWLIST: &str = ".claudit.toml allowlist";
const BY_BASELINE: &str = "baseline";

/// The suppression an allowlist entry gives; `what` names the entry kind.
pub fn allowlist_suppression(what: &str) -> Suppression {
    Suppression {
        kind: SuppressionKind::External,
        by: format!("{BY_ALLOWLIST} ({what})"),
        justification: None,
        active: true,
    }
}

/// Which mechanism a suppression came from (read back from its `by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Ignore,
    Allowlist,
    Baseline,
}

impl Origin {
    fn of(s: &Suppression) -> Origin {
        if s.by.starts_with(BY_ALLOWLIST) {
            Origin::Allowlist
        } else if s.by.starts_with(BY_BASELINE) {
            Origin::Baseline
        } else {
            Origin::Ignore
        }
    }
}

/// Runs the triage steps on a scan's outcome (after `Config::apply`).
pub fn apply(
    outcome: &mut ScanOutcome,
    config: &Config,
    settings: &Settings,
) -> Result<(), String> {
    let mut findings = std::mem::take(&mut outcome.findings);
    // Fingerprints are unique in a run (history and other sources may have
    // added findings since the scan numbered its own), before any baseline
    // lookup or filter, so ignores and thresholds never renumber them.
    crate::finding::number_duplicates(&mut findings);
    let mut triage = Triage::default();
    let cwd = &settings.cwd;
    let in_scope = |path: &str| {
        settings
            .scope
            .as_ref()
            .is_none_or(|s| s.contains_display(cwd, path))
    };
    let in_diff = |path: &str| {
        settings
            .changed
            .as_ref()
            .is_none_or(|c| c.contains_display(cwd, path))
    };

    // File arguments: other files were read only for context.
    findings.retain(|f| in_scope(&f.path));

    // Ignores and the baseline see every finding, thresholds come after: an
    // ignore or baseline entry whose finding is below the threshold is still
    // in use, not stale.
    let paths = ConfigPaths::new(settings);
    apply_allowlist(&mut findings, config, &paths)?;
    let inline = std::mem::take(&mut outcome.inline_ignores);
    let mut notices = apply_inline_ignores(&mut findings, &inline, config);
    notices.extend(apply_config_ignores(
        &mut findings,
        config,
        &paths,
        settings,
    )?);
    if let Some((name, baseline)) = &settings.baseline {
        let today = settings.today.unwrap_or_else(Date::today);
        // Entries for files outside the report (other files than those
        // given, or outside the diff) cannot match: they are not counted.
        let reported = |path: &str| in_scope(path) && in_diff(path);
        notices.extend(apply_baseline(
            &mut findings,
            name,
            baseline,
            today,
            &reported,
            &mut triage,
        ));
    }
    if settings.no_ignores {
        for s in findings.iter_mut().filter_map(|f| f.suppression.as_mut()) {
            if Origin::of(s) != Origin::Baseline {
                s.active = false;
            }
        }
    }

    let min_severity = settings.min_severity.or(config.min_severity);
    let min_confidence = settings.min_confidence.or(config.min_confidence);
    let before = findings.len();
    findings.retain(|f| {
        min_severity.is_none_or(|m| f.severity >= m)
            && min_confidence.is_none_or(|m| f.confidence >= m)
    });
    triage.below_threshold = before - findings.len();

    for f in findings {
        match &f.suppression {
            Some(s) if s.active => triage.suppressed.push(f),
            _ => outcome.findings.push(f),
        }
    }

    if let Some(changed) = &settings.changed {
        let (inside, outside): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut outcome.findings)
            .into_iter()
            .partition(|f| changed.contains_display(cwd, &f.path));
        outcome.findings = inside;
        triage.outside_diff = outside;
        let (inside, outside): (Vec<Finding>, Vec<Finding>) =
            std::mem::take(&mut triage.suppressed)
                .into_iter()
                .partition(|f| changed.contains_display(cwd, &f.path));
        triage.suppressed = inside;
        triage.suppressed_outside_diff = outside;
        triage.diff = Some(changed.clone());
    }
    notices.retain(|n| in_diff(&n.path));
    // Counts cover what the report covers (inside the diff when narrowed).
    for f in &triage.suppressed {
        match f.suppression.as_ref().map(Origin::of) {
            Some(Origin::Baseline) => triage.baselined += 1,
            Some(Origin::Allowlist) => triage.allowlisted += 1,
            _ => triage.ignored += 1,
        }
    }
    triage.would_be_ignored = outcome
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .count();
    triage.baseline_expired = notices
        .iter()
        .filter(|n| n.kind == NoticeKind::ExpiredBaseline)
        .count();
    outcome.notices.retain(|n| in_scope(&n.path));
    outcome.notices.extend(notices);
    // Notices from any source (history, images) never quote a token.
    for n in &mut outcome.notices {
        n.redact();
    }
    outcome.triage = triage;
    Ok(())
}

/// Resolves display paths to paths relative to the config's folder, where
/// `.claudit.toml` globs apply.
struct ConfigPaths<'a> {
    settings: &'a Settings,
}

impl<'a> ConfigPaths<'a> {
    fn new(settings: &'a Settings) -> Self {
        ConfigPaths { settings }
    }

    fn relative(&self, display: &str) -> Option<String> {
        let abs = self.settings.cwd.join(display);
        let rel = abs.strip_prefix(&self.settings.config_dir).ok()?;
        let text = rel
            .to_string_lossy()
            .replace(std::path::MAIN_SEPARATOR, "/");
        (!text.is_empty()).then_some(text)
    }
}

/// A gitignore-style matcher for one glob, rooted at the config's folder.
fn glob_matcher(root: &Path, glob: &str) -> Result<Gitignore, String> {
    let mut builder = GitignoreBuilder::new(root);
    builder
        .add_line(None, glob)
        .map_err(|e| format!("invalid path glob `{glob}`: {e}"))?;
    builder
        .build()
        .map_err(|e| format!("invalid path glob `{glob}`: {e}"))
}

fn glob_matches(matcher: &Gitignore, rel: &str) -> bool {
    let path = Path::new(rel);
    // `matched_path_or_any_parents` requires a relative path under the root.
    !path.has_root() && matcher.matched_path_or_any_parents(path, false).is_ignore()
}

fn apply_allowlist(
    findings: &mut [Finding],
    config: &Config,
    paths: &ConfigPaths,
) -> Result<(), String> {
    let allow = &config.allowlist;
    if allow.paths.is_empty() && allow.secret_ids.is_empty() {
        return Ok(());
    }
    let globs = allow
        .paths
        .iter()
        .map(|g| glob_matcher(&paths.settings.config_dir, g))
        .collect::<Result<Vec<_>, _>>()?;
    for f in findings.iter_mut().filter(|f| f.suppression.is_none()) {
        let Some(secret) = &f.secret else { continue };
        if allow.secret_ids.iter().any(|id| *id == secret.secret_id()) {
            f.suppression = Some(allowlist_suppression("secret_id"));
        } else if let Some(rel) = paths.relative(&f.path)
            && globs.iter().any(|g| glob_matches(g, &rel))
        {
            f.suppression = Some(allowlist_suppression("path"));
        }
    }
    Ok(())
}

/// True when `query` (as written in an ignore) names the finding's rule.
fn names_rule(config: &Config, query: &str, rule_id: &str) -> bool {
    config.resolve_rule(query).is_some_and(|id| id == rule_id)
}

fn apply_inline_ignores(
    findings: &mut [Finding],
    inline: &[InlineIgnore],
    config: &Config,
) -> Vec<Notice> {
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, ig) in inline.iter().enumerate() {
        by_path.entry(ig.path.as_str()).or_default().push(i);
    }
    // used[i][r]: rule r of ignore i matched a finding.
    let mut used: Vec<Vec<bool>> = inline.iter().map(|i| vec![false; i.rules.len()]).collect();
    for f in findings.iter_mut() {
        let Some(line) = f.region.map(|r| r.start.line) else {
            continue;
        };
        let Some(candidates) = by_path.get(f.path.as_str()) else {
            continue;
        };
        for &i in candidates {
            let ig = &inline[i];
            if !ig.covers_line(line) {
                continue;
            }
            for (r, rule) in ig.rules.iter().enumerate() {
                if !names_rule(config, rule, f.rule_id) {
                    continue;
                }
                used[i][r] = true;
                if f.suppression.is_none() {
                    f.suppression = Some(Suppression {
                        kind: SuppressionKind::InSource,
                        by: format!("ignore comment at {}:{}", ig.path, ig.line),
                        justification: ig.reason.clone(),
                        active: true,
                    });
                }
            }
        }
    }
    let mut notices = Vec::new();
    for (ig, used) in inline.iter().zip(&used) {
        let notice = |kind, message: String| Notice {
            path: ig.path.clone(),
            line: Some(ig.line),
            column: Some(1),
            kind,
            message,
        };
        if let Some(problem) = &ig.problem {
            notices.push(notice(NoticeKind::InvalidIgnore, problem.clone()));
            continue;
        }
        for (rule, used) in ig.rules.iter().zip(used) {
            if config.resolve_rule(rule).is_none() {
                notices.push(notice(
                    NoticeKind::InvalidIgnore,
                    format!("`claudit: ignore[{rule}]` names no rule (see `claudit rules`)"),
                ));
            } else if !used {
                let covers = match ig.next_line {
                    Some(next) => format!("line {} or {next}", ig.line),
                    None => format!("line {}", ig.line),
                };
                notices.push(notice(
                    NoticeKind::UnusedIgnore,
                    format!("`claudit: ignore[{rule}]` matched no finding on {covers}; remove it"),
                ));
            }
        }
    }
    notices
}

/// True when a `.claudit.toml` pointer names the finding's logical location
/// or an ancestor of it (`/permissions` covers `/permissions/defaultMode`).
fn pointer_covers(pointer: &str, logical: Option<&str>) -> bool {
    let Some(logical) = logical else { return false };
    let pointer = pointer.trim_end_matches('/');
    match logical.strip_prefix(pointer) {
        Some("") => true,
        Some(rest) => rest.starts_with(['/', '.', '[']),
        None => false,
    }
}

fn entry_covers(
    entry: &IgnoreEntry,
    glob: &Gitignore,
    config: &Config,
    f: &Finding,
    rel: &str,
) -> bool {
    glob_matches(glob, rel)
        && entry
            .rule
            .as_deref()
            .is_none_or(|r| names_rule(config, r, f.rule_id))
        && entry
            .pointer
            .as_deref()
            .is_none_or(|p| pointer_covers(p, f.logical.as_deref()))
}

fn apply_config_ignores(
    findings: &mut [Finding],
    config: &Config,
    paths: &ConfigPaths,
    settings: &Settings,
) -> Result<Vec<Notice>, String> {
    if config.ignores.is_empty() {
        return Ok(Vec::new());
    }
    let globs = config
        .ignores
        .iter()
        .map(|e| glob_matcher(&settings.config_dir, &e.path))
        .collect::<Result<Vec<_>, _>>()?;
    let mut used = vec![false; config.ignores.len()];
    for f in findings.iter_mut() {
        let Some(rel) = paths.relative(&f.path) else {
            continue;
        };
        for (i, (entry, glob)) in config.ignores.iter().zip(&globs).enumerate() {
            if !entry_covers(entry, glob, config, f, &rel) {
                continue;
            }
            used[i] = true;
            if f.suppression.is_none() {
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::External,
                    by: format!(".claudit.toml ignore #{}", i + 1),
                    justification: entry.reason.clone(),
                    active: true,
                });
            }
        }
    }
    let config_path = settings
        .config_display
        .clone()
        .unwrap_or_else(|| crate::config::FILE_NAME.to_string());
    if !settings.scanned_config_dir {
        return Ok(Vec::new());
    }
    Ok(config
        .ignores
        .iter()
        .zip(&used)
        .enumerate()
        .filter(|(_, (_, used))| !**used)
        .map(|(i, (entry, _))| Notice {
            path: config_path.clone(),
            line: None,
            column: None,
            kind: NoticeKind::UnusedIgnore,
            message: format!(
                "ignore #{} ({}) matched no finding; remove it",
                i + 1,
                entry.describe()
            ),
        })
        .collect())
}

fn apply_baseline(
    findings: &mut [Finding],
    name: &str,
    baseline: &Baseline,
    today: Date,
    reported: &dyn Fn(&str) -> bool,
    triage: &mut Triage,
) -> Vec<Notice> {
    let mut matcher = Matcher::new(baseline, today);
    let mut notices = Vec::new();
    for f in findings.iter_mut() {
        match matcher.check(f) {
            Match::Absent => f.baseline_state = Some(BaselineState::New),
            Match::Accepted(i) => {
                f.baseline_state = Some(BaselineState::Unchanged);
                if f.suppression.is_none() {
                    let entry = matcher.entry(i);
                    f.suppression = Some(Suppression {
                        kind: SuppressionKind::External,
                        by: format!("{BY_BASELINE} {name} (first seen {})", entry.first_seen),
                        justification: entry.reason.clone(),
                        active: true,
                    });
                }
            }
            Match::Expired(i) => {
                // An expired entry counts as absent: the finding is new again.
                f.baseline_state = Some(BaselineState::New);
                let entry = matcher.entry(i);
                notices.push(Notice {
                    path: f.path.clone(),
                    line: f.region.map(|r| r.start.line),
                    column: f.region.map(|r| r.start.column),
                    kind: NoticeKind::ExpiredBaseline,
                    message: format!(
                        "the baseline entry for {} (first seen {}) in {name} expired on {}; the finding is reported again",
                        entry.rule,
                        entry.first_seen,
                        entry.expires.map(|d| d.to_string()).unwrap_or_default()
                    ),
                });
            }
        }
    }
    triage.baseline_used = true;
    triage.baseline_unmatched = matcher.unmatched_where(|e| reported(&e.path));
    notices
}

/// Findings to show in a report: the reported ones, plus (with
/// `include_suppressed`) the suppressed ones, plus (with `whole_tree`, for
/// SARIF without `--diff-sarif`) those outside the diff. In path order.
pub fn select(
    outcome: &ScanOutcome,
    include_suppressed: bool,
    whole_tree: bool,
) -> Cow<'_, [Finding]> {
    let t = &outcome.triage;
    let mut extra: Vec<&Finding> = Vec::new();
    if whole_tree {
        extra.extend(&t.outside_diff);
    }
    if include_suppressed {
        extra.extend(&t.suppressed);
        if whole_tree {
            extra.extend(&t.suppressed_outside_diff);
        }
    }
    if extra.is_empty() {
        return Cow::Borrowed(&outcome.findings);
    }
    let mut all: Vec<Finding> = outcome.findings.iter().chain(extra).cloned().collect();
    all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Cow::Owned(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Position, Region};

    fn at_line(rule: &'static str, path: &str, line: usize) -> Finding {
        let mut f =
            Finding::new(rule, Severity::Error, Confidence::High).logical(format!("/k{line}"));
        f.path = path.to_string();
        let pos = Position { line, column: 1 };
        f.region = Some(Region {
            start: pos,
            end: pos,
        });
        f
    }

    fn ignore(path: &str, line: usize, next: Option<usize>, rules: &[&str]) -> InlineIgnore {
        InlineIgnore {
            path: path.to_string(),
            line,
            next_line: next,
            rules: rules.iter().map(|r| r.to_string()).collect(),
            reason: Some("why".to_string()),
            problem: None,
        }
    }

    fn settings() -> Settings {
        Settings {
            cwd: PathBuf::from("/repo"),
            config_dir: PathBuf::from("/repo"),
            scanned_config_dir: true,
            ..Settings::default()
        }
    }

    fn run(
        findings: Vec<Finding>,
        inline: Vec<InlineIgnore>,
        config: &Config,
        s: &Settings,
    ) -> ScanOutcome {
        let mut outcome = ScanOutcome {
            findings,
            inline_ignores: inline,
            ..ScanOutcome::default()
        };
        apply(&mut outcome, config, s).expect("triage");
        outcome
    }

    #[test]
    fn inline_ignores_suppress_and_report_unused_rules() {
        let config = Config::default();
        let out = run(
            vec![at_line("CLD101", ".env", 2), at_line("CLD101", ".env", 5)],
            vec![
                ignore(".env", 1, Some(2), &["anthropic-api-key", "CLD102"]),
                ignore(".env", 4, None, &["CLD101"]),
                ignore(".env", 7, None, &["CLD999"]),
            ],
            &config,
            &settings(),
        );
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].region.unwrap().start.line, 5);
        let s = out.triage.suppressed[0].suppression.as_ref().unwrap();
        assert_eq!(
            (s.kind, s.justification.as_deref()),
            (SuppressionKind::InSource, Some("why"))
        );
        let kinds: Vec<(NoticeKind, Option<usize>)> =
            out.notices.iter().map(|n| (n.kind, n.line)).collect();
        assert_eq!(
            kinds,
            [
                (NoticeKind::UnusedIgnore, Some(1)),
                (NoticeKind::UnusedIgnore, Some(4)),
                (NoticeKind::InvalidIgnore, Some(7)),
            ]
        );
        assert!(
            out.notices[0].message.contains("CLD102"),
            "{}",
            out.notices[0].message
        );
        assert_eq!(out.triage.ignored, 1);
    }

    #[test]
    fn no_ignores_reports_with_what_would_have_hidden_it() {
        let s = Settings {
            no_ignores: true,
            ..settings()
        };
        let out = run(
            vec![at_line("CLD101", ".env", 2)],
            vec![ignore(".env", 1, Some(2), &["CLD101"])],
            &Config::default(),
            &s,
        );
        assert_eq!(out.findings.len(), 1);
        let sup = out.findings[0]
            .suppression
            .as_ref()
            .expect("would-be suppression");
        assert!(!sup.active && sup.by.contains(".env:1"), "{sup:?}");
        assert_eq!(out.triage.would_be_ignored, 1);
        assert!(out.notices.is_empty());
    }

    #[test]
    fn config_ignores_by_pointer_and_glob() {
        let config = Config::parse(
            "[[ignore]]\nrule = \"CLD101\"\npath = \".claude/settings.json\"\npointer = \"/env\"\nreason = \"ci\"\n\
             [[ignore]]\npath = \"fixtures/**\"\n\
             [[ignore]]\npath = \"nowhere/*.env\"\n",
        )
        .expect("config");
        let mut in_env = at_line("CLD101", ".claude/settings.json", 3);
        in_env.logical = Some("/env/ANTHROPIC_API_KEY".to_string());
        let mut elsewhere = at_line("CLD101", ".claude/settings.json", 9);
        elsewhere.logical = Some("/environment".to_string());
        let out = run(
            vec![in_env, elsewhere, at_line("CLD110", "fixtures/a/.env", 1)],
            Vec::new(),
            &config,
            &settings(),
        );
        assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
        assert_eq!(out.findings[0].logical.as_deref(), Some("/environment"));
        assert_eq!(out.triage.suppressed.len(), 2);
        let unused: Vec<&Notice> = out
            .notices
            .iter()
            .filter(|n| n.kind == NoticeKind::UnusedIgnore)
            .collect();
        assert_eq!(unused.len(), 1);
        assert!(
            unused[0].message.contains("#3") && unused[0].message.contains("nowhere"),
            "{}",
            unused[0].message
        );
        // Not reported when the scan did not cover the config's folder.
        let partial = Settings {
            scanned_config_dir: false,
            ..settings()
        };
        let out = run(Vec::new(), Vec::new(), &config, &partial);
        assert!(out.notices.is_empty());
    }

    #[test]
    fn pointers_cover_descendants_only() {
        assert!(pointer_covers("/env", Some("/env")));
        assert!(pointer_covers("/env/", Some("/env/A")));
        assert!(pointer_covers(
            "services.api",
            Some("services.api.environment.A")
        ));
        assert!(!pointer_covers("/env", Some("/environment")));
        assert!(!pointer_covers("/env", None));
    }

    #[test]
    fn allowlist_paths_and_secret_ids() {
        let secret = crate::secrets::Secret::new(b"sk-ant-api03-whatever", 13).to_ref("t");
        let id = secret.secret_id();
        let config = Config::parse(&format!(
            "[allowlist]\npaths = [\"testdata/**\"]\nsecret_ids = [\"{id}\"]\n"
        ))
        .expect("config");
        let with_secret = |path: &str, s: &crate::finding::SecretRef| {
            let mut f = at_line("CLD101", path, 1);
            f.secret = Some(s.clone());
            f
        };
        let other = crate::secrets::Secret::new(b"sk-ant-api03-another", 13).to_ref("t");
        let out = run(
            vec![
                with_secret("src/a.py", &secret),
                with_secret("testdata/b.py", &other),
                with_secret("src/c.py", &other),
                at_line("CLD110", "testdata/d.env", 1),
            ],
            Vec::new(),
            &config,
            &settings(),
        );
        let left: Vec<&str> = out.findings.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            left,
            ["src/c.py", "testdata/d.env"],
            "allowlists apply to secrets only"
        );
        assert_eq!(out.triage.allowlisted, 2);
    }

    #[test]
    fn thresholds_drop_findings() {
        let mut low = at_line("CLD101", "a", 1);
        low.confidence = Confidence::Low;
        let mut note = at_line("CLD101", "b", 1);
        note.severity = Severity::Note;
        let s = Settings {
            min_severity: Some(Severity::Warning),
            min_confidence: Some(Confidence::Medium),
            ..settings()
        };
        let out = run(
            vec![low, note, at_line("CLD101", "c", 1)],
            Vec::new(),
            &Config::default(),
            &s,
        );
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.triage.below_threshold, 2);
    }

    #[test]
    fn thresholds_apply_after_ignores_and_baseline() {
        let mut note = at_line("CLD101", ".env", 2);
        note.severity = Severity::Note;
        let today = Date::parse("2025-06-01").unwrap();
        let mut baselined = at_line("CLD101", "b.env", 1);
        baselined.severity = Severity::Note;
        let baseline = Baseline::build(std::slice::from_ref(&baselined), None, today, None, None);
        let s = Settings {
            min_severity: Some(Severity::Warning),
            baseline: Some(("base.json".to_string(), baseline)),
            today: Some(today),
            ..settings()
        };
        let out = run(
            vec![note, baselined],
            vec![ignore(".env", 1, Some(2), &["CLD101"])],
            &Config::default(),
            &s,
        );
        assert!(out.findings.is_empty());
        assert!(
            out.notices.is_empty(),
            "the ignore matched a finding below the threshold: {:?}",
            out.notices
        );
        assert_eq!(out.triage.baseline_unmatched, 0);
        assert_eq!(out.triage.below_threshold, 2);
    }

    #[test]
    fn narrowed_counts_cover_the_diff_only() {
        let today = Date::parse("2025-06-01").unwrap();
        let (a, b, gone) = (
            at_line("CLD101", "a.env", 1),
            at_line("CLD101", "b.env", 1),
            at_line("CLD101", "gone.env", 1),
        );
        let baseline = Baseline::build(&[a.clone(), b.clone(), gone], None, today, None, None);
        let s = Settings {
            baseline: Some(("base.json".to_string(), baseline)),
            today: Some(today),
            changed: Some(ChangedFiles::from_paths(
                "main",
                [PathBuf::from("/repo/b.env")],
            )),
            ..settings()
        };
        let out = run(vec![a, b], Vec::new(), &Config::default(), &s);
        assert_eq!(out.triage.baselined, 1, "a.env is outside the diff");
        assert_eq!(
            out.triage.baseline_unmatched, 0,
            "gone.env is outside the diff: its entry is not counted"
        );
        assert_eq!(out.triage.suppressed_outside_diff.len(), 1);
    }

    #[test]
    fn baseline_marks_states_and_narrowing_keeps_sarif_whole() {
        let a = at_line("CLD101", "a.env", 1);
        let b = at_line("CLD101", "b.env", 1);
        let today = Date::parse("2025-06-01").unwrap();
        let baseline = Baseline::build(std::slice::from_ref(&a), None, today, None, None);
        let s = Settings {
            baseline: Some(("base.json".to_string(), baseline)),
            today: Some(today),
            changed: Some(ChangedFiles::from_paths(
                "main",
                [PathBuf::from("/repo/b.env")],
            )),
            ..settings()
        };
        let out = run(
            vec![a, b, at_line("CLD101", "c.env", 1)],
            Vec::new(),
            &Config::default(),
            &s,
        );
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].path, "b.env");
        assert_eq!(out.findings[0].baseline_state, Some(BaselineState::New));
        assert_eq!(out.triage.baselined, 0, "a.env is outside the diff");
        assert_eq!(out.triage.suppressed_outside_diff.len(), 1);
        assert_eq!(out.triage.outside_diff.len(), 1);
        let paths = |v: Cow<[Finding]>| v.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(select(&out, false, false)), ["b.env"]);
        assert_eq!(paths(select(&out, false, true)), ["b.env", "c.env"]);
        assert_eq!(paths(select(&out, true, true)), ["a.env", "b.env", "c.env"]);
        assert_eq!(paths(select(&out, true, false)), ["b.env"]);
        let suffix = out.triage.summary_suffix(0);
        assert!(
            suffix.contains("0 baselined") && suffix.contains("0 baseline entries no longer match"),
            "{suffix}"
        );
        assert!(
            suffix.contains("1 outside the diff against main"),
            "{suffix}"
        );
    }
}
