//! Every rule proves itself: each bad example in `rules/*.toml` must trigger
//! its rule and each good example must not. Examples hold `{{key:…}}`
//! placeholders that are filled with keys built at run time.
//!
//! Also keeps `docs/rules/<ID>.md` (SARIF `helpUri`) in step with the catalog:
//! run `UPDATE_DOCS=1 cargo test --test catalog` after editing a rule.

use std::path::Path;

use claudit::catalog::{self, ExampleKind, fill_placeholders};
use claudit::cli::explain;
use claudit::scan::{self, ScanOptions};

fn fired(rule_id: &str, example: &catalog::Example) -> (bool, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |rel: &str, content: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, fill_placeholders(content)).expect("write");
    };
    write(&example.path, &example.content);
    for extra in &example.files {
        write(&extra.path, &extra.content);
    }
    // An example may carry a `.claudit.toml` (the policy rules need one).
    let (config, _) =
        claudit::config::Config::load(None, Some(dir.path())).expect("example config");
    let outcome = scan::scan(&ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        threads: 1,
        policy: config.policy,
        ..ScanOptions::default()
    })
    .expect("scan");
    let all: Vec<String> = outcome
        .findings
        .iter()
        .map(|f| format!("{} {}", f.rule_id, f.message))
        .collect();
    (outcome.findings.iter().any(|f| f.rule_id == rule_id), all)
}

#[test]
fn every_example_behaves_as_documented() {
    let mut failures = Vec::new();
    for rule in catalog::rules() {
        for (i, example) in rule.examples.iter().enumerate() {
            let (hit, all) = fired(&rule.id, example);
            let expected = example.kind == ExampleKind::Bad;
            if hit != expected {
                failures.push(format!(
                    "{} example #{} ({:?}, {}) {}; findings: {:?}",
                    rule.id,
                    i + 1,
                    example.kind,
                    example.path,
                    if expected { "did not fire" } else { "fired" },
                    all
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn rule_docs_are_generated_from_the_catalog() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for rule in catalog::rules() {
        let path = docs.join(format!("{}.md", rule.id));
        let want = explain::markdown(rule);
        if update {
            std::fs::create_dir_all(&docs).expect("mkdir docs/rules");
            std::fs::write(&path, &want).expect("write doc");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule docs (run `UPDATE_DOCS=1 cargo test --test catalog`): {stale:?}"
    );
}
