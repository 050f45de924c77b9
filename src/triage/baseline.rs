//! Baselines: the fingerprints of accepted findings, so an old repository can
//! adopt claudit and fail only on what is new.
//!
//! ```json
//! { "version": 1,
//!   "entries": [{ "rule": "CLD101", "path": "tests/fixture.env", "fingerprint": "32 hex",
//!                 "first_seen": "2025-06-01", "reason": "revoked test key", "expires": "2025-12-31" }] }
//! ```
//!
//! An entry matches a finding with the same [`Finding::fingerprint`] (rule,
//! path, and the secret's hash or the logical location — never the line, so
//! moving lines does not make a finding new). The secret itself is never
//! stored. An entry past its `expires` date no longer suppresses.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::finding::Finding;

pub const DEFAULT_FILE: &str = ".claudit-baseline.json";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    #[serde(default)]
    pub entries: Vec<Entry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
    pub first_seen: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The last day the entry suppresses; from the next day on the finding is reported again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
}

impl Baseline {
    /// Reads and checks a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read baseline {}: {}",
                path.display(),
                crate::discover::describe_io(&e)
            )
        })?;
        Baseline::parse(&text).map_err(|e| format!("invalid baseline {}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if baseline.version != VERSION {
            return Err(format!(
                "version {} is not supported (this claudit writes version {VERSION})",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// Pretty JSON with a trailing newline, entries in a stable order.
    pub fn to_json(&self) -> String {
        let mut text =
            serde_json::to_string_pretty(self).expect("baseline structures always serialize");
        text.push('\n');
        text
    }

    /// A baseline of `findings`. Entries already in `previous` keep their
    /// first-seen date, reason and expiry; new ones get `today`, `reason` and
    /// `expires`. Fingerprints are unique in a run ([`crate::finding::number_duplicates`]), so each finding gets its own entry.
    pub fn build(
        findings: &[Finding],
        previous: Option<&Baseline>,
        today: Date,
        reason: Option<&str>,
        expires: Option<Date>,
    ) -> Baseline {
        let old: HashMap<&str, &Entry> = previous
            .map(|b| {
                b.entries
                    .iter()
                    .map(|e| (e.fingerprint.as_str(), e))
                    .collect()
            })
            .unwrap_or_default();
        let mut entries: Vec<Entry> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for f in findings {
            let fingerprint = f.fingerprint();
            if !seen.insert(fingerprint.clone()) {
                continue;
            }
            let entry = match old.get(fingerprint.as_str()) {
                Some(e) => (*e).clone(),
                None => Entry {
                    rule: f.rule_id.to_string(),
                    path: f.path.clone(),
                    fingerprint,
                    first_seen: today,
                    reason: reason.map(str::to_string),
                    expires,
                },
            };
            entries.push(entry);
        }
        entries.sort_by(|a, b| {
            (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint))
        });
        Baseline {
            version: VERSION,
            entries,
        }
    }
}

/// Looks findings up in a baseline and remembers which entries matched.
pub struct Matcher<'a> {
    baseline: &'a Baseline,
    by_fingerprint: HashMap<&'a str, usize>,
    matched: Vec<bool>,
    today: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// Not in the baseline: a new finding.
    Absent,
    /// In the baseline and still in force.
    Accepted(usize),
    /// In the baseline, but the entry has expired: reported again.
    Expired(usize),
}

impl<'a> Matcher<'a> {
    pub fn new(baseline: &'a Baseline, today: Date) -> Self {
        let mut by_fingerprint = HashMap::new();
        for (i, e) in baseline.entries.iter().enumerate() {
            by_fingerprint.entry(e.fingerprint.as_str()).or_insert(i);
        }
        Matcher {
            baseline,
            by_fingerprint,
            matched: vec![false; baseline.entries.len()],
            today,
        }
    }

    pub fn check(&mut self, finding: &Finding) -> Match {
        let Some(&i) = self.by_fingerprint.get(finding.fingerprint().as_str()) else {
            return Match::Absent;
        };
        self.matched[i] = true;
        match self.baseline.entries[i].expires {
            Some(last_day) if last_day < self.today => Match::Expired(i),
            _ => Match::Accepted(i),
        }
    }

    pub fn entry(&self, i: usize) -> &'a Entry {
        &self.baseline.entries[i]
    }

    /// Entries that matched no finding (fixed, moved to another path, or
    /// left out of this scan).
    pub fn unmatched(&self) -> usize {
        self.unmatched_where(|_| true)
    }

    /// [`Matcher::unmatched`] among the entries `keep` selects (those a
    /// narrowed scan could have matched).
    pub fn unmatched_where(&self, keep: impl Fn(&Entry) -> bool) -> usize {
        self.matched
            .iter()
            .zip(&self.baseline.entries)
            .filter(|(m, e)| !**m && keep(e))
            .count()
    }
}

// ---------------------------------------------------------------------------
// Dates

/// A calendar day (UTC), written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

impl Date {
    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_days((secs / 86_400) as i64)
    }

    /// The day `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Days since 1970-01-01 (`days_from_civil`).
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn plus_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("`{text}` is not a date (YYYY-MM-DD)");
        let mut parts = text.trim().splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        let day: u32 = d.parse().map_err(|_| bad())?;
        let date = Date { year, month, day };
        // Round-tripping through day numbers rejects 2025-02-30 and month 13.
        if !(1..=12).contains(&month) || day == 0 || Date::from_days(date.to_days()) != date {
            return Err(bad());
        }
        Ok(date)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Severity};

    fn finding(rule: &'static str, path: &str, logical: &str) -> Finding {
        let mut f = Finding::new(rule, Severity::Error, Confidence::High).logical(logical);
        f.path = path.to_string();
        f
    }

    #[test]
    fn dates_round_trip_and_validate() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert_eq!(
            Date::parse("2024-12-31").unwrap().plus_days(1).to_string(),
            "2025-01-01"
        );
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "soon",
            "2025-00-10",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        for days in [-1000, 0, 11_016, 20_000, 60_000] {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert!(Date::today() > Date::parse("2024-01-01").unwrap());
    }

    #[test]
    fn build_keeps_old_entries_and_dedups() {
        let today = Date::parse("2025-06-01").unwrap();
        let a = finding("CLD110", ".env", "A");
        let b = finding("CLD110", ".env", "B");
        let first = Baseline::build(&[a.clone(), a.clone()], None, today, Some("old"), None);
        assert_eq!(first.entries.len(), 1);
        let later = today.plus_days(10);
        let second = Baseline::build(&[b.clone(), a.clone()], Some(&first), later, None, None);
        assert_eq!(second.entries.len(), 2);
        let kept = second
            .entries
            .iter()
            .find(|e| e.fingerprint == a.fingerprint())
            .unwrap();
        assert_eq!(
            (kept.first_seen, kept.reason.as_deref()),
            (today, Some("old"))
        );
        let added = second
            .entries
            .iter()
            .find(|e| e.fingerprint == b.fingerprint())
            .unwrap();
        assert_eq!((added.first_seen, added.reason.as_deref()), (later, None));
        let json = second.to_json();
        assert_eq!(Baseline::parse(&json).unwrap(), second);
    }

    #[test]
    fn matcher_accepts_expires_and_counts_unmatched() {
        let today = Date::parse("2025-06-01").unwrap();
        let a = finding("CLD110", ".env", "A");
        let b = finding("CLD110", ".env", "B");
        let c = finding("CLD110", ".env", "C");
        let mut baseline = Baseline::build(&[a.clone(), b.clone(), c], None, today, None, None);
        let b_fp = b.fingerprint();
        for e in &mut baseline.entries {
            if e.fingerprint == b_fp {
                e.expires = Some(today.plus_days(-1));
            }
        }
        let mut m = Matcher::new(&baseline, today);
        assert!(matches!(m.check(&a), Match::Accepted(_)));
        assert!(matches!(m.check(&b), Match::Expired(_)));
        assert_eq!(m.check(&finding("CLD110", ".env", "D")), Match::Absent);
        assert_eq!(m.unmatched(), 1);
        // Expiry is inclusive: the entry still holds on its last day.
        let mut same_day = Matcher::new(&baseline, today.plus_days(-1));
        assert!(matches!(same_day.check(&b), Match::Accepted(_)));
    }

    #[test]
    fn parse_rejects_unknown_fields_and_versions() {
        assert!(Baseline::parse(r#"{"version": 2, "entries": []}"#).is_err());
        let err = Baseline::parse(
            r#"{"version": 1, "entries": [{"rule": "CLD101", "path": "a", "fingerprint": "f", "first_seen": "2025-01-01", "expire": "2025-02-01"}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("expire"), "{err}");
        assert!(Baseline::parse("not json").is_err());
    }
}
