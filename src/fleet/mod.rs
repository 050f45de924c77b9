//! Fleet audits: many repositories in one run (`claudit fleet`).
//!
//! This module holds the data side: which repositories to scan (a folder of
//! repositories or a manifest), how a shard picks its share, the small
//! per-repository summary a worker hands back after it wrote the
//! repository's SARIF, and the roll-up built from those summaries. The roll-up
//! depends only on the set of summaries (sorted by name), which is why
//! `claudit fleet merge` of shard outputs equals an unsharded run.
//! Scanning itself lives in `cli::fleet`, which reuses the scan pipeline.

pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Version of the `fleet.json` document; bumped on incompatible changes.
pub const FLEET_VERSION: u32 = 1;
/// How many repositories the "worst repositories" table lists.
pub const WORST_LIMIT: usize = 10;

/// One repository to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    /// Unique name; the roll-up and the output file names use it.
    pub name: String,
    pub path: PathBuf,
    pub tags: Vec<String>,
}

/// The repositories of a folder: each sub-folder (hidden ones aside) is one,
/// named after the folder.
pub fn repos_in_dir(dir: &Path) -> Result<Vec<Repo>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut repos = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.path().is_dir() {
            continue;
        }
        repos.push(Repo {
            name,
            path: entry.path(),
            tags: Vec::new(),
        });
    }
    repos.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(repos)
}

#[derive(Deserialize)]
struct ManifestEntry {
    name: String,
    path: PathBuf,
    #[serde(default)]
    tags: Vec<String>,
}

/// Reads a manifest: `.json` (an array of `{name, path, tags}`) or TSV
/// (`name<TAB>path[<TAB>tag,tag…]`, `#` comments and blank lines ignored).
/// Relative paths are relative to the manifest's folder.
pub fn repos_in_manifest(manifest: &Path) -> Result<Vec<Repo>, String> {
    let text = std::fs::read_to_string(manifest)
        .map_err(|e| format!("cannot read manifest {}: {e}", manifest.display()))?;
    let base = manifest.parent().unwrap_or(Path::new("."));
    let is_json = manifest
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let entries = if is_json {
        serde_json::from_str::<Vec<ManifestEntry>>(&text)
            .map_err(|e| format!("invalid manifest {}: {e}", manifest.display()))?
    } else {
        parse_tsv(&text).map_err(|e| format!("invalid manifest {}: {e}", manifest.display()))?
    };
    Ok(entries
        .into_iter()
        .map(|e| Repo {
            name: e.name,
            path: base.join(e.path),
            tags: e.tags,
        })
        .collect())
}

fn parse_tsv(text: &str) -> Result<Vec<ManifestEntry>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        let name = fields.next().unwrap_or_default().trim();
        let path = fields.next().map(str::trim).unwrap_or_default();
        if name.is_empty() || path.is_empty() {
            return Err(format!("line {}: expected name<TAB>path[<TAB>tags]", i + 1));
        }
        let tags = fields
            .next()
            .map(|t| {
                t.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        out.push(ManifestEntry {
            name: name.to_string(),
            path: PathBuf::from(path),
            tags,
        });
    }
    Ok(out)
}

/// Rejects duplicate names and names that cannot be file names; sorts by name.
pub fn check_names(repos: &mut [Repo]) -> Result<(), String> {
    repos.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in repos.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(format!("repository name `{}` appears twice", pair[0].name));
        }
    }
    let mut stems = BTreeMap::new();
    for r in repos.iter() {
        if r.name.is_empty() || r.name == "." || r.name == ".." {
            return Err(format!("invalid repository name `{}`", r.name));
        }
        if let Some(other) = stems.insert(file_stem(&r.name), &r.name) {
            return Err(format!(
                "repositories `{other}` and `{}` would write the same output file",
                r.name
            ));
        }
    }
    Ok(())
}

/// The output file stem of a repository: its name with anything but
/// `[A-Za-z0-9._-]` replaced by `_` (`org/repo` → `org_repo`).
pub fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A shard `K/N` (1 ≤ K ≤ N).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("invalid shard `{text}`: expected K/N with 1 <= K <= N");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard scans the repository called `name`: the first
    /// eight bytes of the name's SHA-256, modulo N. Depends on the name only,
    /// so reordering the input never moves a repository to another shard.
    pub fn owns(&self, name: &str) -> bool {
        let hex = crate::secrets::hash_hex(name.as_bytes());
        let value = u64::from_str_radix(&hex[..16], 16).unwrap_or(0);
        value % self.count == self.index - 1
    }
}

/// One execution context's effective auth, as in `claudit env` (redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRow {
    pub context: String,
    pub location: String,
    pub credential: String,
    pub provider: String,
    pub billing: String,
}

/// A secret seen in a repository, by id (never the value).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SecretSeen {
    pub secret_id: String,
    pub token_type: String,
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.error + self.warning + self.note
    }

    fn add(&mut self, other: &Counts) {
        self.error += other.error;
        self.warning += other.warning;
        self.note += other.note;
    }
}

/// What a worker keeps of a repository after writing its SARIF: counts and
/// inventories, never findings or secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoSummary {
    pub name: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// `ok` or `failed`.
    pub status: String,
    /// Why the scan failed (status `failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `repos/<stem>.sarif`, relative to the output folder (status `ok`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sarif: Option<String>,
    pub files_scanned: usize,
    pub findings: Counts,
    /// Findings per rule id.
    pub rules: BTreeMap<String, usize>,
    pub auth: Vec<AuthRow>,
    pub secrets: Vec<SecretSeen>,
}

impl RepoSummary {
    pub fn failed(repo: &Repo, reason: String) -> RepoSummary {
        RepoSummary {
            name: repo.name.clone(),
            tags: repo.tags.clone(),
            status: "failed".to_string(),
            reason: Some(reason),
            sarif: None,
            files_scanned: 0,
            findings: Counts::default(),
            rules: BTreeMap::new(),
            auth: Vec::new(),
            secrets: Vec::new(),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }

    /// Builds the summary of a scanned repository from its reported findings.
    pub fn scanned(
        repo: &Repo,
        findings: &[crate::finding::Finding],
        files_scanned: usize,
        auth: Vec<AuthRow>,
    ) -> RepoSummary {
        use crate::finding::Severity;
        let mut counts = Counts::default();
        let mut rules = BTreeMap::new();
        let mut secrets = BTreeSet::new();
        for f in findings {
            match f.severity {
                Severity::Error => counts.error += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Note => counts.note += 1,
            }
            *rules.entry(f.rule_id.to_string()).or_insert(0) += 1;
            if let Some(s) = &f.secret {
                secrets.insert(SecretSeen {
                    secret_id: s.secret_id(),
                    token_type: s.token_type.to_string(),
                });
            }
        }
        RepoSummary {
            name: repo.name.clone(),
            tags: repo.tags.clone(),
            status: "ok".to_string(),
            reason: None,
            sarif: Some(format!("repos/{}.sarif", file_stem(&repo.name))),
            files_scanned,
            findings: counts,
            rules,
            auth,
            secrets: secrets.into_iter().collect(),
        }
    }
}

/// `fleet.json`: the roll-up. No timestamps, no absolute paths (see
/// `run.json` for those), and a pure function of the summaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollup {
    pub version: u32,
    pub totals: Totals,
    /// Findings per rule id, over every repository.
    pub rules: BTreeMap<String, usize>,
    /// Repositories with findings, the most severe first (at most [`WORST_LIMIT`]).
    pub worst: Vec<WorstRepo>,
    /// One row per repository and configured execution context.
    pub auth: Vec<AuthInventoryRow>,
    /// Secrets found in more than one repository, by id.
    pub secret_reuse: Vec<SecretReuse>,
    pub failed: Vec<FailedRepo>,
    /// Every repository's summary, by name.
    pub repositories: Vec<RepoSummary>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub repositories: usize,
    pub scanned: usize,
    pub failed: usize,
    pub files_scanned: usize,
    pub with_findings: usize,
    pub findings: usize,
    pub by_severity: Counts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorstRepo {
    pub name: String,
    pub findings: Counts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthInventoryRow {
    pub repository: String,
    #[serde(flatten)]
    pub row: AuthRow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretReuse {
    pub secret_id: String,
    /// Every type a finding gave the secret (a key also seen as a generic
    /// credential literal has two).
    pub token_types: Vec<String>,
    pub repositories: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedRepo {
    pub name: String,
    pub reason: String,
}

/// Builds the roll-up; the order of `summaries` does not matter.
pub fn rollup(mut summaries: Vec<RepoSummary>) -> Rollup {
    summaries.sort_by(|a, b| a.name.cmp(&b.name));
    let mut totals = Totals {
        repositories: summaries.len(),
        ..Totals::default()
    };
    let mut rules: BTreeMap<String, usize> = BTreeMap::new();
    let mut auth = Vec::new();
    let mut by_secret: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    let mut failed = Vec::new();
    for s in &summaries {
        if !s.is_ok() {
            totals.failed += 1;
            failed.push(FailedRepo {
                name: s.name.clone(),
                reason: s.reason.clone().unwrap_or_default(),
            });
            continue;
        }
        totals.scanned += 1;
        totals.files_scanned += s.files_scanned;
        totals.by_severity.add(&s.findings);
        if s.findings.total() > 0 {
            totals.with_findings += 1;
        }
        for (rule, n) in &s.rules {
            *rules.entry(rule.clone()).or_insert(0) += n;
        }
        auth.extend(s.auth.iter().map(|row| AuthInventoryRow {
            repository: s.name.clone(),
            row: row.clone(),
        }));
        for secret in &s.secrets {
            let (types, repos) = by_secret.entry(secret.secret_id.clone()).or_default();
            types.insert(secret.token_type.clone());
            repos.insert(s.name.clone());
        }
    }
    totals.findings = totals.by_severity.total();
    let secret_reuse = by_secret
        .into_iter()
        .filter(|(_, (_, repos))| repos.len() > 1)
        .map(|(secret_id, (types, repos))| SecretReuse {
            secret_id,
            token_types: types.into_iter().collect(),
            repositories: repos.into_iter().collect(),
        })
        .collect();
    Rollup {
        version: FLEET_VERSION,
        totals,
        rules,
        worst: worst(&summaries),
        auth,
        secret_reuse,
        failed,
        repositories: summaries,
    }
}

/// Most errors first, then warnings, then notes; ties by name.
fn worst(summaries: &[RepoSummary]) -> Vec<WorstRepo> {
    let mut ranked: Vec<&RepoSummary> = summaries
        .iter()
        .filter(|s| s.is_ok() && s.findings.total() > 0)
        .collect();
    ranked.sort_by(|a, b| {
        let key = |s: &RepoSummary| (s.findings.error, s.findings.warning, s.findings.note);
        key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name))
    });
    ranked
        .into_iter()
        .take(WORST_LIMIT)
        .map(|s| WorstRepo {
            name: s.name.clone(),
            findings: s.findings,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(name: &str, error: usize, secrets: &[&str]) -> RepoSummary {
        RepoSummary {
            name: name.to_string(),
            tags: Vec::new(),
            status: "ok".to_string(),
            reason: None,
            sarif: Some(format!("repos/{name}.sarif")),
            files_scanned: 2,
            findings: Counts {
                error,
                warning: 1,
                note: 0,
            },
            rules: BTreeMap::from([("CLD101".to_string(), error + 1)]),
            auth: Vec::new(),
            secrets: secrets
                .iter()
                .map(|s| SecretSeen {
                    secret_id: s.to_string(),
                    token_type: "anthropic-api-key".to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn shard_parse_rejects_out_of_range() {
        assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_partition_names() {
        let names: Vec<String> = (0..200).map(|i| format!("repo-{i}")).collect();
        let shards: Vec<Shard> = (1..=3).map(|k| Shard { index: k, count: 3 }).collect();
        for name in &names {
            let owners = shards.iter().filter(|s| s.owns(name)).count();
            assert_eq!(owners, 1, "{name}");
        }
        // Every shard gets some share.
        for s in &shards {
            assert!(names.iter().any(|n| s.owns(n)));
        }
    }

    #[test]
    fn rollup_ignores_input_order_and_finds_reuse() {
        let a = summary("a", 1, &["s1", "s2"]);
        let b = summary("b", 3, &["s1"]);
        let mut c = RepoSummary::failed(
            &Repo {
                name: "c".to_string(),
                path: PathBuf::from("c"),
                tags: Vec::new(),
            },
            "cannot scan c".to_string(),
        );
        c.tags = vec!["x".to_string()];
        let one = rollup(vec![a.clone(), b.clone(), c.clone()]);
        let two = rollup(vec![c, b, a]);
        assert_eq!(one, two);
        assert_eq!(one.totals.scanned, 2);
        assert_eq!(one.totals.failed, 1);
        assert_eq!(one.totals.by_severity.error, 4);
        assert_eq!(one.rules["CLD101"], 6);
        assert_eq!(one.worst[0].name, "b");
        assert_eq!(one.secret_reuse.len(), 1);
        assert_eq!(one.secret_reuse[0].repositories, vec!["a", "b"]);
        assert_eq!(one.failed[0].reason, "cannot scan c");
    }

    #[test]
    fn tsv_manifest_reads_tags_and_rejects_missing_path() {
        let entries = parse_tsv("# comment\n\nweb\trepos/web\tprod, team-a\napi\tapi\n").unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].tags, vec!["prod", "team-a"]);
        assert!(entries[1].tags.is_empty());
        assert!(parse_tsv("lonely\n").is_err());
    }

    #[test]
    fn names_must_be_unique_and_stems_safe() {
        let repo = |n: &str| Repo {
            name: n.to_string(),
            path: PathBuf::from(n),
            tags: Vec::new(),
        };
        let mut dup = vec![repo("a"), repo("b"), repo("a")];
        assert!(check_names(&mut dup).is_err());
        assert_eq!(file_stem("org/re po"), "org_re_po");
        assert_eq!(file_stem("../x"), ".._x");
    }
}
