//! `.claudit.toml`: excludes, disabled rules, per-rule severity overrides,
//! thresholds, ignores, allowlists and custom token rules. The JSON schema is
//! `schemas/claudit-toml.schema.json`.
//!
//! ```toml
//! exclude = ["vendor/**", "testdata/**"]
//! disable = ["CLD108"]
//! min_severity = "note"
//! min_confidence = "low"
//!
//! [severity]
//! CLD110 = "warning"
//!
//! [[ignore]]                      # see `crate::triage`
//! rule = "CLD101"
//! path = ".claude/settings.json"
//! pointer = "/env"
//! reason = "revoked test key"
//!
//! [allowlist]
//! paths = ["testdata/**"]
//! regexes = ["EXAMPLE"]
//! secret_ids = []
//!
//! [[custom_rules]]                # see `crate::triage::custom`
//! id = "CLD901"
//! name = "acme-gateway-token"
//! regex = 'acme_gw_[A-Za-z0-9]{32}'
//! ```
//!
//! Unknown keys are an error that names the key and its position, so a typo
//! never silently turns a setting off.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::finding::{Confidence, Finding, Severity};
use crate::triage::custom::CustomRuleConfig;

pub const FILE_NAME: &str = ".claudit.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Globs (gitignore syntax) of paths not to scan.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rule ids or names that never report.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Rule id or name → severity.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Findings below this severity (after overrides) are dropped.
    #[serde(default)]
    pub min_severity: Option<Severity>,
    /// Findings below this confidence are dropped.
    #[serde(default)]
    pub min_confidence: Option<Confidence>,
    /// `[[ignore]]`: suppress findings by path glob, rule and logical location.
    #[serde(default, rename = "ignore")]
    pub ignores: Vec<IgnoreEntry>,
    /// Secrets never to report.
    #[serde(default)]
    pub allowlist: Allowlist,
    /// `[[custom_rules]]`: an organisation's own token shapes.
    #[serde(default)]
    pub custom_rules: Vec<CustomRuleConfig>,
    /// `[policy]`: allowed providers, credential kinds and base-URL hosts (see `crate::env::policy`).
    #[serde(default)]
    pub policy: Option<crate::env::policy::Policy>,
}

/// One `[[ignore]]` entry: findings in files matching `path` (a gitignore-style
/// glob relative to the config's folder), of `rule` when given, at `pointer`
/// (a JSON pointer or YAML path, and everything under it) when given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub path: String,
    #[serde(default)]
    pub rule: Option<String>,
    #[serde(default)]
    pub pointer: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

impl IgnoreEntry {
    /// `path = "…", rule = "…", pointer = "…"`, for messages.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("path = {:?}", self.path)];
        if let Some(rule) = &self.rule {
            parts.push(format!("rule = {rule:?}"));
        }
        if let Some(pointer) = &self.pointer {
            parts.push(format!("pointer = {pointer:?}"));
        }
        parts.join(", ")
    }
}

/// Secrets that are never reported: by file (glob), by value (regex on the
/// matched secret) or by `secret_id` (as shown in JSON and SARIF output).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowlist {
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub regexes: Vec<String>,
    #[serde(default)]
    pub secret_ids: Vec<String>,
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl Config {
    /// Loads `--config FILE` when given, else the `.claudit.toml` found by
    /// [`Config::find`] from the first scan path, else the defaults. Returns
    /// the file used, if any.
    pub fn load(
        explicit: Option<&Path>,
        first_root: Option<&Path>,
    ) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => first_root.and_then(Config::find),
        };
        let Some(path) = path else {
            return Ok((Config::default(), None));
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            ConfigError(format!(
                "cannot read config {}: {}",
                path.display(),
                crate::discover::describe_io(&e)
            ))
        })?;
        let mut config = Config::parse(&text)
            .map_err(|e| ConfigError(format!("invalid config {}: {}", path.display(), e)))?;
        if let Some(policy) = config.policy.as_mut() {
            policy.set_origin(&path, &text);
        }
        Ok((config, Some(path)))
    }

    /// The `.claudit.toml` that applies to a scan path: the nearest one in the
    /// path's folder (a file's folder) or its ancestors, up to and including
    /// the top level of its git work tree — or, outside a work tree, up to
    /// the current directory when the path is under it (else only the path's
    /// own folder). So `claudit scan .claude/settings.json` (a pre-commit
    /// hook's staged files) reads the repository's config. Shown relative to
    /// the current directory when under it.
    pub fn find(first: &Path) -> Option<PathBuf> {
        let abs = std::fs::canonicalize(first).ok()?;
        let start = if abs.is_dir() {
            abs
        } else {
            abs.parent()?.to_path_buf()
        };
        let cwd = std::env::current_dir()
            .ok()
            .map(|c| std::fs::canonicalize(&c).unwrap_or(c));
        let stop = crate::discover::git_toplevel(&start)
            .filter(|top| start.starts_with(top))
            .or_else(|| cwd.clone().filter(|c| start.starts_with(c)))
            .unwrap_or_else(|| start.clone());
        let found = start
            .ancestors()
            .take_while(|dir| dir.starts_with(&stop))
            .map(|dir| dir.join(FILE_NAME))
            .find(|p| p.is_file())?;
        Some(match &cwd {
            Some(cwd) => PathBuf::from(crate::discover::display_path(cwd, &found)),
            None => found,
        })
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        // toml's errors quote the offending line: never a token from it.
        let config: Config = toml::from_str(text)
            .map_err(|e| crate::secrets::redact_text(&e.to_string()).into_owned())?;
        config.validate()?;
        if let Some(policy) = &config.policy {
            policy.validate(text)?;
        }
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        // Custom rules first: the rule names below may refer to them.
        self.custom_token_rules()?;
        let ignore_rules = self.ignores.iter().filter_map(|i| i.rule.as_ref());
        for r in self
            .disable
            .iter()
            .chain(self.severity.keys())
            .chain(ignore_rules)
        {
            if self.resolve_rule(r).is_none() {
                return Err(format!(
                    "unknown rule `{r}` (see `claudit rules` for the list)"
                ));
            }
        }
        for glob in self
            .ignores
            .iter()
            .map(|i| &i.path)
            .chain(&self.allowlist.paths)
        {
            let mut builder = ignore::gitignore::GitignoreBuilder::new("");
            builder
                .add_line(None, glob)
                .map_err(|e| format!("invalid path glob `{glob}`: {e}"))?;
        }
        Ok(())
    }

    /// The rule id a query names: a catalog id (any case) or name, or a
    /// custom rule's id or name.
    pub fn resolve_rule<'a>(&'a self, query: &str) -> Option<&'a str> {
        if let Some(rule) = crate::catalog::find(query) {
            return Some(rule.id.as_str());
        }
        self.custom_rules
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(query) || r.name == query)
            .map(|r| r.id.as_str())
    }

    /// The compiled custom token rules and allowlist value regexes, or `None`
    /// when there are none (the scan then skips the extra pass).
    pub fn custom_token_rules(&self) -> Result<Option<crate::triage::custom::CustomRules>, String> {
        crate::triage::custom::CustomRules::compile(&self.custom_rules, &self.allowlist.regexes)
    }

    /// The custom rules as SARIF describes them, with their effective
    /// severity (after `[severity]` overrides).
    pub fn custom_rule_meta(&self) -> Vec<crate::report::sarif::CustomRuleMeta> {
        self.custom_rules
            .iter()
            .map(|r| {
                let severity = self
                    .severity
                    .iter()
                    .find(|(k, _)| self.resolve_rule(k) == Some(r.id.as_str()))
                    .map_or(r.severity, |(_, s)| *s);
                crate::report::sarif::CustomRuleMeta {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    description: r.description.clone(),
                    severity,
                }
            })
            .collect()
    }

    /// Drops disabled rules and applies severity overrides.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        let disabled: Vec<&str> = self
            .disable
            .iter()
            .filter_map(|r| self.resolve_rule(r))
            .collect();
        findings.retain(|f| !disabled.contains(&f.rule_id));
        for (rule, severity) in &self.severity {
            if let Some(id) = self.resolve_rule(rule) {
                for f in findings.iter_mut().filter(|f| f.rule_id == id) {
                    f.severity = *severity;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_unknown_keys_with_position() {
        let c = Config::parse("exclude = [\"a/**\"]\ndisable = [\"CLD101\"]\n[severity]\nanthropic-api-key = \"note\"\n")
            .expect("valid");
        assert_eq!(c.exclude, ["a/**"]);
        let err = Config::parse("exclude = []\nexclued = []\n").unwrap_err();
        assert!(err.contains("exclued") && err.contains("line 2"), "{err}");
        let err = Config::parse("disable = [\"CLD999\"]").unwrap_err();
        assert!(err.contains("CLD999"), "{err}");
    }

    #[test]
    fn apply_disables_and_overrides() {
        let c = Config::parse("disable = [\"CLD102\"]\n[severity]\nCLD101 = \"note\"\n")
            .expect("valid");
        let mut findings = vec![
            Finding::new("CLD101", Severity::Error, crate::finding::Confidence::High),
            Finding::new("CLD102", Severity::Error, crate::finding::Confidence::High),
        ];
        c.apply(&mut findings);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Note);
    }

    #[test]
    fn triage_keys_parse_and_are_checked() {
        let c = Config::parse(
            "min_severity = \"warning\"\nmin_confidence = \"medium\"\n\
             disable = [\"acme-token\"]\n[severity]\nACME001 = \"note\"\n\
             [[ignore]]\npath = \".claude/settings.json\"\nrule = \"CLD101\"\npointer = \"/env\"\n\
             [allowlist]\npaths = [\"testdata/**\"]\nregexes = [\"EXAMPLE\"]\nsecret_ids = [\"abc\"]\n\
             [[custom_rules]]\nid = \"ACME001\"\nname = \"acme-token\"\nregex = \"acme_[a-z]{8}\"\n",
        )
        .expect("valid");
        assert_eq!(c.min_severity, Some(Severity::Warning));
        assert_eq!(c.resolve_rule("acme-token"), Some("ACME001"));
        assert_eq!(c.resolve_rule("cld101"), Some("CLD101"));
        assert!(c.custom_token_rules().expect("compiles").is_some());
        for (bad, needle) in [
            ("[[ignore]]\nrule = \"CLD101\"\n", "path"),
            ("[[ignore]]\npath = \"a\"\nrule = \"CLD999\"\n", "CLD999"),
            ("[[ignore]]\npath = \"a\"\nrules = \"x\"\n", "rules"),
            ("[allowlist]\nregexes = [\"(\"]\n", "allowlist regex"),
            (
                "[[custom_rules]]\nid = \"CLD101\"\nname = \"x\"\nregex = \"x\"\n",
                "CLD101",
            ),
            ("min_severity = \"high\"\n", "min_severity"),
        ] {
            let err = Config::parse(bad).unwrap_err();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }
}
