//! `.claudit.toml`: excludes, disabled rules and per-rule severity overrides.
//!
//! ```toml
//! exclude = ["vendor/**", "testdata/**"]
//! disable = ["CLD108"]
//!
//! [severity]
//! CLD110 = "warning"
//! ```
//!
//! Unknown keys are an error that names the key and its position, so a typo
//! never silently turns a setting off.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::finding::{Finding, Severity};

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
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl Config {
    /// Loads `--config FILE` when given, else `.claudit.toml` at the first scan
    /// root when present, else the defaults. Returns the file used, if any.
    pub fn load(
        explicit: Option<&Path>,
        first_root: Option<&Path>,
    ) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => first_root
                .map(|r| {
                    if r.is_dir() {
                        r.join(FILE_NAME)
                    } else {
                        r.with_file_name(FILE_NAME)
                    }
                })
                .filter(|p| p.is_file()),
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
        let config = Config::parse(&text)
            .map_err(|e| ConfigError(format!("invalid config {}: {}", path.display(), e)))?;
        Ok((config, Some(path)))
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        for r in self.disable.iter().chain(self.severity.keys()) {
            if crate::catalog::find(r).is_none() {
                return Err(format!(
                    "unknown rule `{r}` (see `claudit rules` for the list)"
                ));
            }
        }
        Ok(())
    }

    /// Drops disabled rules and applies severity overrides.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        let disabled: Vec<&str> = self
            .disable
            .iter()
            .filter_map(|r| crate::catalog::find(r))
            .map(|r| r.id.as_str())
            .collect();
        findings.retain(|f| !disabled.contains(&f.rule_id));
        for (rule, severity) in &self.severity {
            if let Some(rule) = crate::catalog::find(rule) {
                for f in findings.iter_mut().filter(|f| f.rule_id == rule.id) {
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
}
