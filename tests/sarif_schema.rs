//! The SARIF reporter's output against the OASIS SARIF 2.1.0 schema (errata
//! 01, draft-04, vendored in tests/fixtures) and the properties GitHub code
//! scanning requires, on findings from a real scan and on hand-made ones
//! with awkward paths.
//!
//! Set `CLAUDIT_SARIF_OUT=path` to also write the SARIF document, e.g. to
//! feed it to /work/shared/tools/validate-sarif.

use claudit::catalog;
use claudit::finding::{Confidence, Finding, Related, Severity};
use claudit::report::sarif::{SarifOptions, ToolNotification, to_sarif, to_sarif_with_line_hashes};
use claudit::source::{Position, Region};
use serde_json::Value;

const SCHEMA: &str = include_str!("fixtures/sarif-schema-2.1.0.json");
const EMOJI_PREFIX: &str = "# 😀😀 note: ";

fn env_file(key1: &str, key2: &str) -> String {
    format!("ANTHROPIC_API_KEY={key1}\n{EMOJI_PREFIX}{key2}\n")
}

fn scanned_findings() -> (Vec<Finding>, [String; 2]) {
    let keys = [
        claudit::testkeys::key("api03", 11),
        claudit::testkeys::key("api03", 12),
    ];
    let outcome = claudit::scan::scan_bytes("x/.env", env_file(&keys[0], &keys[1]).as_bytes());
    assert!(!outcome.findings.is_empty(), "the scan found nothing");
    (outcome.findings, keys)
}

fn region(l1: usize, c1: usize, l2: usize, c2: usize) -> Region {
    Region {
        start: Position {
            line: l1,
            column: c1,
        },
        end: Position {
            line: l2,
            column: c2,
        },
    }
}

fn hand_made_findings() -> Vec<Finding> {
    let mut odd_path = Finding::new("CLD101", Severity::Warning, Confidence::Medium)
        .at(4..30)
        .logical("/env/ANTHROPIC_API_KEY")
        .message("a [bracketed](1) message with `code` and \"quotes\"\nand a newline");
    odd_path.path = "dir with space/ünïcødé 😀#?%.json".to_string();
    odd_path.region = Some(region(1, 5, 1, 31));
    odd_path.related.push(Related {
        path: "other dir/Dockerfile".to_string(),
        span: 0..3,
        region: Some(region(2, 1, 2, 4)),
        message: "defined [here]".to_string(),
    });
    odd_path.related.push(Related {
        path: "no-region.txt".to_string(),
        span: 5..9,
        region: None,
        message: String::new(),
    });

    let mut absolute = Finding::new("CLD101", Severity::Note, Confidence::Low)
        .at(0..1)
        .logical("jobs.build.steps[0].env.KEY")
        .message("outside the working directory");
    absolute.path = "/tmp/some where/abs.env".to_string();
    absolute.region = Some(region(3, 1, 4, 1));

    let mut no_region = Finding::new("CLD101", Severity::Error, Confidence::High)
        .at(10..20)
        .message("no line index");
    no_region.path = "plain.env".to_string();

    let mut unknown_rule = Finding::new("CLD499", Severity::Warning, Confidence::Medium)
        .at(0..2)
        .message("a rule the catalog does not have");
    unknown_rule.path = "a:b/c.env".to_string();
    unknown_rule.region = Some(region(1, 1, 1, 3));

    vec![odd_path, absolute, no_region, unknown_rule]
}

fn notifications() -> Vec<ToolNotification> {
    vec![
        ToolNotification {
            level: Severity::Warning,
            message: "could not parse: expected a value".to_string(),
            path: Some("broken dir/settings.json".to_string()),
        },
        ToolNotification {
            level: Severity::Error,
            message: "cannot read: permission denied".to_string(),
            path: Some("/abs/secret.env".to_string()),
        },
        ToolNotification {
            level: Severity::Note,
            message: "no path".to_string(),
            path: None,
        },
    ]
}

/// RFC 3986 characters only, `%` always followed by two hex digits. Draft-04
/// has no `uri-reference` format, so the schema alone would not catch a
/// space in a URI, which GitHub rejects.
fn is_uri_reference(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b)) {
            return false;
        }
        i += 1;
    }
    true
}

fn schema_errors(sarif: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema fixture is JSON");
    // The draft comes from the schema's `$schema` (draft-04 here).
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_format("uri-reference", is_uri_reference)
        .build(&schema)
        .expect("schema compiles");
    validator
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn render_all() -> (String, [String; 2]) {
    let (mut findings, keys) = scanned_findings();
    findings.extend(hand_made_findings());
    let out = to_sarif(&findings, &notifications(), &SarifOptions::default());
    if let Ok(path) = std::env::var("CLAUDIT_SARIF_OUT") {
        std::fs::write(path, &out).expect("write CLAUDIT_SARIF_OUT");
    }
    (out, keys)
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("SARIF output is JSON")
}

#[test]
fn output_validates_against_the_oasis_schema() {
    let (out, _) = render_all();
    let errors = schema_errors(&parse(&out));
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn schema_check_catches_what_github_rejects() {
    // The checks above must be able to fail: a space in a URI, line 0.
    let (out, _) = render_all();
    let mut bad = parse(&out);
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        Value::from("my dir/.env");
    bad["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert_eq!(schema_errors(&bad).len(), 2, "{:#?}", schema_errors(&bad));
}

#[test]
fn output_with_line_hashes_validates() {
    let (findings, keys) = scanned_findings();
    let content = env_file(&keys[0], &keys[1]);
    let read = |path: &str| (path == "x/.env").then(|| content.clone().into_bytes());
    let out = to_sarif_with_line_hashes(&findings, &[], &SarifOptions::default(), &read);
    let sarif = parse(&out);
    let errors = schema_errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let expected = claudit::report::line_hash::line_hashes(content.as_bytes());
    for result in sarif["runs"][0]["results"].as_array().into_iter().flatten() {
        let line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .expect("startLine") as usize;
        assert_eq!(
            result["partialFingerprints"]["primaryLocationLineHash"],
            expected[line - 1].as_str()
        );
    }
}

#[test]
fn no_key_reaches_the_output() {
    let (out, keys) = render_all();
    for key in &keys {
        assert!(!out.contains(key.as_str()), "a key leaked into SARIF");
        // Not even the body without its prefix.
        assert!(
            !out.contains(&key["sk-ant-api03-".len()..]),
            "a key body leaked into SARIF"
        );
    }
}

#[test]
fn every_rule_has_what_github_requires() {
    let (out, _) = render_all();
    let sarif = parse(&out);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        rules.len() > catalog::rules().len(),
        "catalog rules plus the unknown one"
    );
    for rule in &rules {
        for field in ["shortDescription", "fullDescription", "help"] {
            let text = rule[field]["text"].as_str().unwrap_or("");
            assert!(
                !text.trim().is_empty(),
                "{} has an empty {field}",
                rule["id"]
            );
            assert!(
                text.chars().count() <= 1024 || field == "help",
                "{} {field} too long",
                rule["id"]
            );
        }
        assert!(rule["id"].as_str().is_some_and(|id| !id.is_empty()));
    }
    for (i, rule) in catalog::rules().iter().enumerate() {
        assert_eq!(rules[i]["id"], rule.id.as_str());
        if rule.is_security() {
            let tags = rules[i]["properties"]["tags"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(
                tags.contains(&Value::from("security")),
                "{} lacks the security tag",
                rule.id
            );
            let sev: f64 = rules[i]["properties"]["security-severity"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(-1.0);
            assert!(
                sev > 0.0 && sev <= 10.0,
                "{} security-severity {sev}",
                rule.id
            );
        }
    }
}

#[test]
fn rule_index_matches_rule_id() {
    let (out, _) = render_all();
    let sarif = parse(&out);
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().cloned().unwrap_or_default();
    assert!(!results.is_empty());
    for result in &results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["id"],
            result["ruleId"]
        );
        if let Some(catalog_index) = result["ruleId"].as_str().and_then(catalog::index_of) {
            assert_eq!(index, catalog_index);
        }
    }
}

#[test]
fn columns_count_utf16_units() {
    let (out, keys) = render_all();
    let sarif = parse(&out);
    let on_emoji_line: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "x/.env")
        .map(|r| &r["locations"][0]["physicalLocation"]["region"])
        .filter(|region| region["startLine"] == 2)
        .collect();
    assert!(
        !on_emoji_line.is_empty(),
        "no finding for the key after the emoji"
    );
    let start = EMOJI_PREFIX.encode_utf16().count() + 1;
    assert_ne!(
        start,
        EMOJI_PREFIX.len() + 1,
        "the prefix must tell units from bytes"
    );
    let region = on_emoji_line[0];
    assert_eq!(region["startColumn"], start);
    assert_eq!(region["endColumn"], start + keys[1].encode_utf16().count());
    assert_eq!(sarif["runs"][0]["columnKind"], "utf16CodeUnits");
}

#[test]
fn awkward_paths_become_valid_uris() {
    let (out, _) = render_all();
    let sarif = parse(&out);
    let uris: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert!(
        uris.contains(
            &"dir%20with%20space/%C3%BCn%C3%AFc%C3%B8d%C3%A9%20%F0%9F%98%80%23%3F%25.json"
                .to_string()
        ),
        "{uris:?}"
    );
    assert!(
        uris.contains(&"file:///tmp/some%20where/abs.env".to_string()),
        "{uris:?}"
    );
    assert!(uris.contains(&"a%3Ab/c.env".to_string()), "{uris:?}");
    assert!(uris.iter().all(|u| is_uri_reference(u)));
}

/// Every artifact location under `value` (results, related locations,
/// notifications), as (uri, uriBaseId).
fn artifact_locations(value: &Value, out: &mut Vec<(String, Option<String>)>) {
    match value {
        Value::Object(map) => {
            if let Some(a) = map.get("artifactLocation") {
                out.push((
                    a["uri"].as_str().unwrap_or("").to_string(),
                    a["uriBaseId"].as_str().map(str::to_string),
                ));
            }
            map.values().for_each(|v| artifact_locations(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| artifact_locations(v, out)),
        _ => {}
    }
}

#[test]
fn relative_uris_carry_srcroot_and_the_run_declares_it() {
    let (mut findings, _) = scanned_findings();
    findings.extend(hand_made_findings());
    let opts = SarifOptions {
        src_root: Some(claudit::report::sarif::dir_uri(std::path::Path::new(
            "/work/my repo",
        ))),
        ..SarifOptions::default()
    };
    let sarif = parse(&to_sarif(&findings, &notifications(), &opts));
    let run = &sarif["runs"][0];
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///work/my%20repo/"
    );
    let mut locations = Vec::new();
    artifact_locations(&run["results"], &mut locations);
    artifact_locations(&run["invocations"], &mut locations);
    let (mut relative, mut absolute) = (0, 0);
    for (uri, base) in &locations {
        if uri.starts_with("file://") {
            absolute += 1;
            assert_eq!(base, &None, "{uri}");
        } else {
            relative += 1;
            assert_eq!(base.as_deref(), Some("%SRCROOT%"), "{uri}");
        }
    }
    assert!(relative >= 4 && absolute >= 2, "{locations:?}");
    // Related locations and notifications are covered too.
    assert_eq!(
        run["results"]
            .as_array()
            .expect("results")
            .iter()
            .flat_map(|r| r["relatedLocations"]
                .as_array()
                .cloned()
                .unwrap_or_default())
            .filter(|l| l["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%")
            .count(),
        2
    );
    assert!(schema_errors(&sarif).is_empty());
    // Without a root (fleet's per-repository files): declared, no absolute path.
    let sarif = parse(&to_sarif(&findings, &[], &SarifOptions::default()));
    let base = &sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"];
    assert!(base.get("uri").is_none() && base["description"]["text"].is_string());
    assert!(schema_errors(&sarif).is_empty());
}
