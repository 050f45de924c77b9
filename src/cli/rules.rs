//! `claudit rules`: the catalog, one line per rule.

use super::{ExitCode, ListFormat, RulesArgs};
use crate::catalog;

pub fn run(args: &RulesArgs) -> ExitCode {
    match args.format {
        ListFormat::Text => {
            let mut text = String::new();
            for r in catalog::rules() {
                text.push_str(&format!(
                    "{}  {:<40} {:<8} {:<7} {}\n",
                    r.id,
                    r.name,
                    r.severity.as_str(),
                    r.confidence.as_str(),
                    r.summary
                ));
            }
            super::output::print_stdout(&text);
        }
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = catalog::rules()
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "name": r.name,
                        "severity": r.severity,
                        "confidence": r.confidence,
                        "summary": r.summary,
                        "help_uri": r.help_uri(),
                    })
                })
                .collect();
            let json = serde_json::to_string_pretty(&list).unwrap_or_default();
            super::output::print_stdout(&(json + "\n"));
        }
    }
    ExitCode::Clean
}
