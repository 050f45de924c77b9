//! Triage end to end: inline ignores in every comment syntax, `.claudit.toml`
//! ignores and allowlists, stale-ignore notes, `--no-ignores`, baselines,
//! SARIF `baselineState`/`suppressions`, `--diff-base` on a real git
//! repository, custom token rules, thresholds, and the config's JSON schema.

mod common;

use std::path::Path;

use claudit::testkeys;
use common::{Run, claudit, git, json, write};
use serde_json::Value;

fn key(seed: u64) -> String {
    testkeys::key("api03", seed)
}

/// `(path, rule)` of every finding in a `--format json` run.
fn found(run: &Run) -> Vec<(String, String)> {
    json(run)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["rule_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn paths_with(run: &Run, rule: &str) -> Vec<String> {
    let mut paths: Vec<String> = found(run)
        .into_iter()
        .filter(|(_, r)| r == rule)
        .map(|(p, _)| p)
        .collect();
    paths.dedup();
    paths
}

fn notices_of(run: &Run, kind: &str) -> Vec<Value> {
    json(run)["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .filter(|n| n["kind"] == kind)
        .cloned()
        .collect()
}

fn assert_no_secret(run: &Run, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !run.stdout.contains(s) && !run.stderr.contains(s),
            "a secret was printed"
        );
    }
}

#[test]
fn inline_ignores_in_every_comment_syntax_and_only_in_comments() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let k = |seed| key(seed);
    // Each file has an ignored key; the controls show the syntax outside a comment.
    let ignored: Vec<(&str, String)> = vec![
        (
            ".github/workflows/ci.yml",
            format!(
                "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      # claudit: ignore[CLD101] fixture\n      - run: echo {}\n",
                k(1)
            ),
        ),
        (
            "compose.yaml",
            format!(
                "services:\n  a:\n    image: x\n    command: [\"{}\"] # claudit: ignore[anthropic-api-key]\n",
                k(2)
            ),
        ),
        (
            "Dockerfile",
            format!(
                "FROM alpine\n# claudit: ignore[CLD101] build-time test key\n# (a second comment line)\nRUN echo {}\n",
                k(3)
            ),
        ),
        (
            ".devcontainer/devcontainer.json",
            format!(
                "{{\n  /* claudit: ignore[CLD101] */\n  \"remoteEnv\": {{ \"X\": \"{}\" }}\n}}\n",
                k(4)
            ),
        ),
        (
            ".env.test",
            format!("X={} # claudit: ignore[CLD101] test\n", k(5)),
        ),
        (
            "scripts/run.sh",
            format!(
                "#!/bin/sh\n# claudit: ignore[CLD101]\nexport X=\"{}\"\n",
                k(6)
            ),
        ),
        (
            "tool.py",
            format!("# claudit: ignore[CLD101]\nX = \"{}\"\n", k(7)),
        ),
        (
            "src/lib.rs",
            format!("const X: &str = \"{}\"; // claudit: ignore[CLD101]\n", k(8)),
        ),
        (
            "web/app.ts",
            format!(
                "/*\n * claudit: ignore[CLD101] docs example\n */\nconst x = \"{}\";\n",
                k(9)
            ),
        ),
        (
            "db/seed.sql",
            format!(
                "-- claudit: ignore[CLD101]\nINSERT INTO t VALUES ('{}');\n",
                k(10)
            ),
        ),
        (
            "infra/main.tf",
            format!("# claudit: ignore[CLD101]\nx = \"{}\"\n", k(11)),
        ),
    ];
    let controls: Vec<(&str, String)> = vec![
        (
            "README.md",
            format!("# claudit: ignore[CLD101]\n{}\n", k(20)),
        ),
        ("notes.txt", format!("claudit: ignore[CLD101]\n{}\n", k(21))),
        (
            "config.yml",
            format!("a: \"{} # claudit: ignore[CLD101]\"\n", k(22)),
        ),
        (
            "tool2.py",
            format!("X = \"# claudit: ignore[CLD101]\"\nY = \"{}\"\n", k(23)),
        ),
        (
            "run2.sh",
            format!("cat <<EOF\n# claudit: ignore[CLD101]\n{}\nEOF\n", k(24)),
        ),
    ];
    for (path, text) in ignored.iter().chain(&controls) {
        write(root, path, text);
    }
    let run = claudit(root, &["scan", ".", "--format", "json"]);
    let mut reported = paths_with(&run, "CLD101");
    reported.sort();
    assert_eq!(
        reported,
        [
            "README.md",
            "config.yml",
            "notes.txt",
            "run2.sh",
            "tool2.py"
        ],
        "{}",
        run.stderr
    );
    assert!(
        notices_of(&run, "unused-ignore").is_empty(),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{} ignored", ignored.len())),
        "{}",
        run.stderr
    );
    let keys: Vec<String> = (1..=24).map(k).collect();
    assert_no_secret(&run, &keys.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn ignore_covers_its_own_line_and_the_next_code_line_only() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "# claudit: ignore[CLD101]\nA={}\nB={}\n\n# claudit: ignore[CLD101]\n\nC={}\n",
        key(1),
        key(2),
        key(3)
    );
    write(dir.path(), ".env", &text);
    let run = claudit(dir.path(), &["scan", ".", "--format", "json"]);
    let lines: Vec<u64> = json(&run)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "CLD101")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        [3, 7],
        "line 2 is covered; a blank line ends the search"
    );
    let unused = notices_of(&run, "unused-ignore");
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["line"], 5);
}

#[test]
fn stale_and_invalid_ignores_are_notes_that_fail_on_note() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        "# claudit: ignore[CLD101] nothing here\nA=1\nB=2 # claudit: ignore[CLD999]\nC=3 # claudit: ignore CLD101\n",
    );
    let run = claudit(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(run.code, 0, "notes do not fail by default: {}", run.stderr);
    let unused = notices_of(&run, "unused-ignore");
    assert_eq!(unused.len(), 1);
    assert_eq!(
        (unused[0]["path"].as_str(), unused[0]["line"].as_u64()),
        (Some(".env"), Some(1))
    );
    assert_eq!(notices_of(&run, "invalid-ignore").len(), 2);
    let text = claudit(dir.path(), &["scan", "."]);
    assert!(
        text.stderr.contains("note: unused ignore in .env:1"),
        "{}",
        text.stderr
    );
    // An invalid ignore is a note in every output, as the exit code treats it.
    assert!(
        text.stderr.contains("note: invalid ignore in .env:3")
            && !text.stderr.contains("warning: invalid ignore"),
        "{}",
        text.stderr
    );
    let sarif = claudit(dir.path(), &["scan", ".", "--format", "sarif"]);
    let v: Value = serde_json::from_str(&sarif.stdout).expect("SARIF");
    let levels: Vec<&str> = v["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| n["level"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(levels, ["note", "note", "note"], "{}", sarif.stdout);
    let strict = claudit(dir.path(), &["scan", ".", "--fail-on", "note"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
}

#[test]
fn config_ignores_by_pointer_and_path_glob() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".claude/settings.json",
        format!(
            "{{\"env\": {{\"ANTHROPIC_API_KEY\": \"{}\", \"OTHER\": \"{}\"}}}}\n",
            key(1),
            key(2)
        ),
    );
    write(root, "fixtures/deep/a.txt", key(3));
    write(root, "src/a.txt", key(4));
    write(
        root,
        ".claudit.toml",
        "[[ignore]]\nrule = \"CLD101\"\npath = \".claude/settings.json\"\npointer = \"/env/ANTHROPIC_API_KEY\"\nreason = \"sandboxed CI image\"\n\n\
         [[ignore]]\npath = \"fixtures/\"\n\n\
         [[ignore]]\npath = \".mcp.json\"\npointer = \"/mcpServers\"\n",
    );
    let run = claudit(root, &["scan", ".", "--format", "json"]);
    let findings = json(&run)["findings"].clone();
    let logical: Vec<(&str, &str)> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "CLD101")
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["logical_location"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        logical.contains(&(".claude/settings.json", "/env/OTHER")),
        "{logical:?}"
    );
    assert!(logical.contains(&("src/a.txt", "")), "{logical:?}");
    assert!(
        !logical
            .iter()
            .any(|(p, l)| *l == "/env/ANTHROPIC_API_KEY" || p.starts_with("fixtures")),
        "{logical:?}"
    );
    let unused = notices_of(&run, "unused-ignore");
    assert_eq!(unused.len(), 1, "{unused:?}");
    assert!(unused[0]["message"].as_str().unwrap().contains("#3"));

    // The suppressed finding, with its reason, is in SARIF only when asked for.
    let sarif = claudit(
        root,
        &["scan", ".", "--format", "sarif", "--include-suppressed"],
    );
    let v: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let suppressed: Vec<&Value> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
    assert!(suppressed.iter().any(|r| {
        r["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .starts_with("sandboxed CI image")
    }));
    assert!(
        suppressed
            .iter()
            .all(|r| r["suppressions"][0]["kind"] == "external")
    );
}

#[test]
fn no_ignores_reports_everything_with_what_would_have_hidden_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        format!("A={} # claudit: ignore[CLD101] fixture\n", key(1)),
    );
    let run = claudit(
        dir.path(),
        &["scan", ".", "--format", "json", "--no-ignores"],
    );
    assert_eq!(run.code, 1);
    let f = &json(&run)["findings"][0];
    assert_eq!(f["rule_id"], "CLD101");
    assert_eq!(f["suppression"]["active"], false);
    assert_eq!(f["suppression"]["reason"], "fixture");
    assert!(f["suppression"]["by"].as_str().unwrap().contains(".env:1"));
    let text = claudit(dir.path(), &["scan", ".", "--no-ignores"]);
    assert!(
        text.stdout
            .contains("shown despite (--no-ignores) ignore comment at .env:1: fixture"),
        "{}",
        text.stdout
    );
}

fn sarif_results(run: &Run) -> Vec<Value> {
    let v: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    v["runs"][0]["results"].as_array().expect("results").clone()
}

#[test]
fn baseline_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let env = |keys: &[&String]| {
        keys.iter()
            .enumerate()
            .map(|(i, k)| format!("K{i}={k}\n"))
            .collect::<String>()
    };
    let (k1, k2, k3) = (key(1), key(2), key(3));
    write(root, "app/.env", env(&[&k1, &k2]));
    let made = claudit(
        root,
        &[
            "baseline",
            ".",
            "--reason",
            "legacy keys, rotation ticket 42",
        ],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    let text = std::fs::read_to_string(root.join(".claudit-baseline.json")).unwrap();
    assert!(
        !text.contains(&k1) && !text.contains(&k2),
        "the baseline holds no secret"
    );
    let saved: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(saved["entries"].as_array().unwrap().len(), 2);
    assert_eq!(
        saved["entries"][0]["reason"],
        "legacy keys, rotation ticket 42"
    );
    let base = ["scan", ".", "--baseline", ".claudit-baseline.json"];

    // Rescan: nothing new.
    let run = claudit(root, &[&base[..], &["--format", "json"]].concat());
    assert_eq!((run.code, found(&run).len()), (0, 0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("2 baselined, 0 baseline entries no longer match"),
        "{}",
        run.stderr
    );

    // Move lines around (and add blank lines): still nothing new.
    write(
        root,
        "app/.env",
        format!("\n\n# moved\nK1={k2}\n\nK0={k1}\n"),
    );
    let run = claudit(root, &[&base[..], &["--format", "json"]].concat());
    assert_eq!(found(&run).len(), 0, "{}", run.stderr);

    // Add a key: exactly one new finding, `new` in SARIF; the others stay out.
    write(root, "app/.env", format!("K1={k2}\nK0={k1}\nK2={k3}\n"));
    let run = claudit(root, &[&base[..], &["--format", "json"]].concat());
    assert_eq!(
        found(&run),
        [("app/.env".to_string(), "CLD101".to_string())]
    );
    assert_eq!(run.code, 1);
    let sarif = claudit(root, &[&base[..], &["--format", "sarif"]].concat());
    let results = sarif_results(&sarif);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["baselineState"], "new");
    assert!(results[0].get("suppressions").is_none());
    let all = claudit(
        root,
        &[&base[..], &["--format", "sarif", "--include-suppressed"]].concat(),
    );
    let mut states: Vec<String> = sarif_results(&all)
        .iter()
        .map(|r| r["baselineState"].as_str().unwrap().to_string())
        .collect();
    states.sort();
    assert_eq!(states, ["new", "unchanged", "unchanged"]);
    assert!(
        sarif_results(&all)
            .iter()
            .filter(|r| r["baselineState"] == "unchanged")
            .all(|r| r["suppressions"][0]["kind"] == "external"
                && r["suppressions"][0]["status"] == "accepted")
    );
    assert!(!all.stdout.contains("\"absent\""));

    // Rebuilding keeps the old entries' history and adds the new one.
    let again = claudit(root, &["baseline", "."]);
    assert!(
        again.stderr.contains("3 entries (1 new, 2 kept)"),
        "{}",
        again.stderr
    );
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(".claudit-baseline.json")).unwrap(),
    )
    .unwrap();
    let reasons = saved["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"].is_string())
        .count();
    assert_eq!(reasons, 2);

    // A fixed finding leaves an entry that no longer matches.
    write(root, "app/.env", format!("K1={k2}\nK2={k3}\n"));
    let run = claudit(root, &base);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .contains("2 baselined, 1 baseline entry no longer matches"),
        "{}",
        run.stderr
    );
    assert_no_secret(&run, &[&k1, &k2, &k3]);
}

#[test]
fn expired_baseline_entries_stop_suppressing_and_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".env", format!("A={}\nB={}\n", key(1), key(2)));
    let made = claudit(
        root,
        &["baseline", ".", "--expires", "2000-01-31", "-o", "old.json"],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    let run = claudit(
        root,
        &["scan", ".", "--baseline", "old.json", "--format", "json"],
    );
    assert_eq!(run.code, 1);
    assert_eq!(found(&run).len(), 2);
    let expired = notices_of(&run, "expired-baseline");
    assert_eq!(expired.len(), 2);
    assert!(
        expired[0]["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2000-01-31")
    );
    assert!(run.stderr.contains("2 expired"), "{}", run.stderr);
    let sarif = claudit(
        root,
        &["scan", ".", "--baseline", "old.json", "--format", "sarif"],
    );
    assert!(
        sarif_results(&sarif)
            .iter()
            .all(|r| r["baselineState"] == "new")
    );
    // A future expiry still suppresses.
    claudit(
        root,
        &["baseline", ".", "--expires", "3650d", "-o", "new.json"],
    );
    let run = claudit(root, &["scan", ".", "--baseline", "new.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A broken baseline is an error, not an empty one.
    write(
        root,
        "bad.json",
        "{\"version\": 1, \"entries\": [{\"rule\": 1}]}",
    );
    let bad = claudit(root, &["scan", ".", "--baseline", "bad.json"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("invalid baseline"), "{}", bad.stderr);
}

/// A repository on `main` with a topic branch that changes one file and adds another.
fn repo_with_topic(root: &Path) {
    write(root, ".env", format!("OLD={}\n", key(1)));
    write(root, "src/app.py", format!("X = \"{}\"\n", key(2)));
    write(root, "src/util.py", format!("Y = \"{}\"\n", key(3)));
    write(root, "docs/readme.txt", "hello\n");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    git(root, &["checkout", "-q", "-b", "topic"]);
    write(
        root,
        "src/app.py",
        format!("X = \"{}\"\nZ = \"{}\"\n", key(2), key(4)),
    );
    git(root, &["commit", "-q", "-am", "change"]);
    write(root, "src/new.py", format!("N = \"{}\"\n", key(5)));
}

#[test]
fn diff_base_reports_only_changed_files_and_keeps_sarif_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    repo_with_topic(root);
    let run = claudit(
        root,
        &["scan", ".", "--diff-base", "main", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut paths: Vec<String> = found(&run).into_iter().map(|(p, _)| p).collect();
    paths.dedup();
    assert_eq!(paths, ["src/app.py", "src/new.py"], "{}", run.stderr);
    assert!(
        run.stderr.contains("outside the diff against main"),
        "{}",
        run.stderr
    );
    let summary = &json(&run)["summary"];
    assert!(
        summary["files_unchanged"].as_u64().unwrap() >= 2,
        "{summary}"
    );

    // SARIF keeps the whole tree (GitHub would close the other alerts) …
    let sarif = claudit(
        root,
        &["scan", ".", "--diff-base", "main", "--format", "sarif"],
    );
    let uris: Vec<String> = sarif_results(&sarif)
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        uris.contains(&".env".to_string()) && uris.contains(&"src/new.py".to_string()),
        "{uris:?}"
    );
    // … unless --diff-sarif narrows it too.
    let narrow = claudit(
        root,
        &[
            "scan",
            ".",
            "--diff-base",
            "main",
            "--diff-sarif",
            "--format",
            "sarif",
        ],
    );
    let uris: Vec<String> = sarif_results(&narrow)
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        !uris.contains(&".env".to_string()) && !uris.contains(&"src/util.py".to_string()),
        "{uris:?}"
    );

    // Nothing changed in the reported files: exit 0.
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "more"]);
    git(root, &["checkout", "-q", "-b", "later"]);
    let clean = claudit(root, &["scan", ".", "--diff-base", "topic"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);

    // Context files are read even when unchanged: the untouched .env is
    // scanned (a cross-file kind), the untouched text files are not.
    let run = claudit(
        root,
        &["scan", ".", "--diff-base", "main", "--format", "json"],
    );
    let summary = &json(&run)["summary"];
    assert_eq!(
        summary["files_scanned"], 3,
        "app.py, new.py and the .env: {summary}"
    );
    assert_eq!(
        summary["files_unchanged"], 2,
        "util.py and readme.txt: {summary}"
    );
}

#[test]
fn diff_base_without_a_merge_base_scans_everything_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let origin = dir.path().join("origin");
    std::fs::create_dir_all(&origin).unwrap();
    repo_with_topic(&origin);
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-q", "-m", "third"]);
    let url = format!("file://{}", origin.display());
    let shallow = dir.path().join("shallow");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "topic",
            &url,
            shallow.to_str().unwrap(),
        ],
    );
    let run = claudit(
        &shallow,
        &[
            "scan",
            ".",
            "--diff-base",
            "origin/main",
            "--format",
            "json",
        ],
    );
    assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
    assert!(
        run.stderr.contains("scanning and reporting everything"),
        "{}",
        run.stderr
    );
    let mut paths: Vec<String> = found(&run).into_iter().map(|(p, _)| p).collect();
    paths.dedup();
    assert!(
        paths.contains(&".env".to_string()) && paths.contains(&"src/util.py".to_string()),
        "{paths:?}"
    );
    // With --quiet the warning stays, and machine outputs record the fallback.
    let quiet = claudit(
        &shallow,
        &[
            "scan",
            ".",
            "--quiet",
            "--diff-base",
            "origin/main",
            "--format",
            "json",
        ],
    );
    assert!(quiet.stderr.contains("shallow clone"), "{}", quiet.stderr);
    let why = json(&quiet)["summary"]["diff_base_unavailable"].clone();
    assert!(
        why.as_str().is_some_and(|w| w.contains("shallow clone")),
        "{why}"
    );
    let sarif = claudit(
        &shallow,
        &[
            "scan",
            ".",
            "-q",
            "--diff-base",
            "origin/main",
            "--format",
            "sarif",
        ],
    );
    let v: Value = serde_json::from_str(&sarif.stdout).expect("SARIF");
    let notes = v["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(
        notes.contains("shallow clone") && notes.contains("scanned and reported everything"),
        "{notes}"
    );
    let unknown = claudit(&origin, &["scan", ".", "--diff-base", "no-such-ref"]);
    assert!(
        unknown.stderr.contains("not a known revision"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn custom_rules_and_allowlists() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let acme = format!("acme_gw_{}", testkeys::body(32, 9));
    let allowed_by_id = key(2);
    let allowed_by_value = key(6);
    write(
        root,
        "deploy/.env",
        format!(
            "GW={acme}\nA={}\nB={allowed_by_id}\nC={allowed_by_value}\n",
            key(1)
        ),
    );
    write(root, "testdata/keys.txt", key(3));
    let probe = claudit(root, &["scan", ".", "--format", "json"]);
    let secret_id = json(&probe)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["line"] == 3)
        .and_then(|f| f["secret_id"].as_str())
        .expect("secret id of line 3")
        .to_string();
    write(
        root,
        ".claudit.toml",
        format!(
            "[[custom_rules]]\nid = \"ACME001\"\nname = \"acme-gateway-token\"\nregex = 'acme_gw_[A-Za-z0-9]{{32}}'\nkeywords = [\"acme_gw_\"]\ndescription = \"ACME gateway token\"\n\n\
             [allowlist]\npaths = [\"testdata/**\"]\nregexes = ['^{}']\nsecret_ids = [\"{secret_id}\"]\n",
            &allowed_by_value[..24]
        ),
    );
    let run = claudit(root, &["scan", ".", "--format", "json"]);
    let mut got = found(&run);
    got.sort();
    assert_eq!(
        got,
        [
            ("deploy/.env".to_string(), "ACME001".to_string()),
            ("deploy/.env".to_string(), "CLD101".to_string()),
        ],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("3 allowlisted"), "{}", run.stderr);
    let text = claudit(root, &["scan", "."]);
    assert!(
        text.stdout.contains("ACME gateway token `acme_gw_"),
        "{}",
        text.stdout
    );
    assert_no_secret(&text, &[&acme, &key(1), &allowed_by_id]);
    // SARIF describes the custom rule like a built-in one.
    let sarif = claudit(root, &["scan", ".", "--format", "sarif"]);
    let v: Value = serde_json::from_str(&sarif.stdout).expect("SARIF");
    let rule = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == "ACME001")
        .cloned()
        .expect("ACME001 is described");
    assert_eq!(rule["name"], "acme-gateway-token", "{rule}");
    assert_eq!(rule["defaultConfiguration"]["level"], "error", "{rule}");
    assert_eq!(rule["properties"]["tags"][0], "security", "{rule}");
    assert!(
        rule["properties"]["security-severity"].is_string(),
        "{rule}"
    );
    assert_no_secret(&sarif, &[&acme, &key(1), &allowed_by_id]);
    // Custom ids work in ignores and severity overrides.
    write(
        root,
        "deploy/.env",
        format!("GW={acme} # claudit: ignore[acme-gateway-token]\n"),
    );
    let run = claudit(root, &["scan", ".", "--format", "json"]);
    assert!(found(&run).is_empty(), "{:?}", found(&run));
}

#[test]
fn thresholds_from_flags() {
    let dir = tempfile::tempdir().unwrap();
    // A token of an undocumented family is reported one level lower (warning, medium).
    write(
        dir.path(),
        "a.txt",
        format!("{}\n{}\n", key(1), testkeys::key("api04", 2)),
    );
    let all = claudit(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(found(&all).len(), 2, "{}", all.stderr);
    let errors = claudit(
        dir.path(),
        &["scan", ".", "--format", "json", "--min-severity", "error"],
    );
    assert_eq!(found(&errors).len(), 1);
    assert!(
        errors
            .stderr
            .contains("1 below --min-severity/--min-confidence"),
        "{}",
        errors.stderr
    );
    let sure = claudit(
        dir.path(),
        &["scan", ".", "--format", "json", "--min-confidence", "high"],
    );
    assert_eq!(found(&sure).len(), 1);
    let bad = claudit(dir.path(), &["scan", ".", "--min-severity", "critical"]);
    assert_eq!(bad.code, 2);
}

/// The first ```toml block of the README's triage section.
fn readme_example_config() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("## Triage: ignores, baselines and pull requests")
        .nth(1)
        .expect("README has the triage section");
    let block = section.split("```toml\n").nth(1).expect("a toml block");
    block.split("```").next().unwrap().to_string()
}

fn schema_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/claudit-toml.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn toml_to_json(text: &str) -> Value {
    let value: toml::Value = toml::from_str(text).expect("valid TOML");
    serde_json::to_value(value).expect("TOML converts to JSON")
}

#[test]
fn schema_accepts_the_readme_example_and_rejects_unknown_keys() {
    let example = readme_example_config();
    // The example is a real config: claudit itself accepts it.
    claudit::config::Config::parse(&example).expect("README example parses");
    let validator = schema_validator();
    let instance = toml_to_json(&example);
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    for bad in [
        format!("unknown_key = 1\n{example}"),
        "[[ignore]]\nrule = \"CLD101\"\n".to_string(),
        "[[ignore]]\npath = \"a\"\npointr = \"/x\"\n".to_string(),
        "[allowlist]\npath = [\"a\"]\n".to_string(),
        "min_severity = \"critical\"\n".to_string(),
        "[[custom_rules]]\nid = \"CLD101\"\nname = \"x\"\nregex = \"x\"\n".to_string(),
    ] {
        assert!(
            !validator.is_valid(&toml_to_json(&bad)),
            "schema accepted:\n{bad}"
        );
        assert!(
            claudit::config::Config::parse(&bad).is_err(),
            "claudit accepted:\n{bad}"
        );
    }
    let policy = "[policy]\nproviders = [\"anthropic\", \"bedrock\"]\ncredentials = [\"api-key\"]\nbase_url_hosts = [\"*.example.com\"]\n";
    assert!(validator.is_valid(&toml_to_json(policy)), "policy");
    claudit::config::Config::parse(policy).expect("policy parses");
    for id in ["CLD901", "ACME001", "CL", "CLX1", "C1"] {
        let good = format!("[[custom_rules]]\nid = \"{id}\"\nname = \"x-token\"\nregex = \"x\"\n");
        assert!(validator.is_valid(&toml_to_json(&good)), "{id}");
        assert!(claudit::config::Config::parse(&good).is_ok(), "{id}");
    }
}

#[test]
fn sarif_with_suppressions_and_baseline_state_validates_against_the_oasis_schema() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".env",
        format!(
            "A={}\nB={} # claudit: ignore[CLD101] fixture\n",
            key(1),
            key(2)
        ),
    );
    claudit(root, &["baseline", ".", "--reason", "old"]);
    write(
        root,
        ".env",
        format!(
            "A={}\nB={} # claudit: ignore[CLD101] fixture\nC={}\n",
            key(1),
            key(2),
            key(3)
        ),
    );
    let run = claudit(
        root,
        &[
            "scan",
            ".",
            "--baseline",
            ".claudit-baseline.json",
            "--include-suppressed",
            "--format",
            "sarif",
        ],
    );
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["baselineState"].as_str().unwrap(),
                r["suppressions"][0]["kind"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("unchanged", "external"), ("new", "inSource"), ("new", "-")]
    );
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-schema-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn diff_base_reports_a_new_conflict_with_an_untouched_env_file_but_not_old_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        ".env.agent",
        "CLAUDE_CODE_OAUTH_TOKEN=from-the-vault-at-deploy\n",
    );
    write(
        root,
        "compose.yaml",
        "services:\n  agent:\n    image: node:20\n    env_file: .env.agent\n",
    );
    // An old conflict in files the pull request does not touch.
    write(
        root,
        "old/.env.old",
        "CLAUDE_CODE_OAUTH_TOKEN=from-the-vault-at-deploy\n",
    );
    write(
        root,
        "old/compose.yaml",
        "services:\n  old:\n    image: node:20\n    env_file: .env.old\n    environment:\n      ANTHROPIC_API_KEY: ${ANTHROPIC_API_KEY}\n",
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["checkout", "-qb", "feature"]);
    write(
        root,
        "compose.yaml",
        "services:\n  agent:\n    image: node:20\n    env_file: .env.agent\n    environment:\n      ANTHROPIC_API_KEY: ${ANTHROPIC_API_KEY}\n",
    );
    git(root, &["commit", "-qam", "add an API key"]);
    let full = claudit(root, &["scan", ".", "--format", "json"]);
    let full_paths: Vec<String> = json(&full)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "CLD203")
        .map(|f| f["path"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        full_paths,
        ["compose.yaml", "old/compose.yaml"],
        "{}",
        full.stdout
    );
    let run = claudit(
        root,
        &["scan", ".", "--format", "json", "--diff-base", "main"],
    );
    let v = json(&run);
    let gated: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        gated,
        [("CLD203".to_string(), "compose.yaml".to_string())],
        "{}",
        run.stdout
    );
}

#[test]
fn baseline_survives_inserting_an_array_element_or_a_step_above() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".claude/settings.json",
        "{\"permissions\": {\"allow\": [\"Bash(*)\"]}}\n",
    );
    let step = "      - uses: anthropics/claude-code-action@v1\n        with:\n          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n          claude_code_oauth_token: ${{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}\n";
    let workflow = |extra: &str| {
        format!(
            "on: pull_request\njobs:\n  review:\n    runs-on: ubuntu-latest\n    steps:\n{extra}{step}"
        )
    };
    write(root, ".github/workflows/review.yml", workflow(""));
    let made = claudit(root, &["baseline", "."]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let base = [
        "scan",
        ".",
        "--baseline",
        ".claudit-baseline.json",
        "--format",
        "json",
    ];
    let run = claudit(root, &base);
    assert!(
        run.stderr.contains("2 baselined"),
        "a CLD404 and a CLD203 are baselined: {}",
        run.stderr
    );

    // An allow rule inserted before the baselined one, and a step above the action step.
    write(
        root,
        ".claude/settings.json",
        "{\"permissions\": {\"allow\": [\"Read\", \"Bash(*)\"]}}\n",
    );
    write(
        root,
        ".github/workflows/review.yml",
        workflow("      - uses: actions/checkout@v4\n"),
    );
    let run = claudit(root, &base);
    assert_eq!(found(&run), [], "{}", run.stderr);
    assert!(
        run.stderr
            .contains("2 baselined, 0 baseline entries no longer match"),
        "{}",
        run.stderr
    );
    // SARIF partialFingerprints are the same fingerprints: unchanged.
    let sarif = claudit(
        root,
        &[
            "scan",
            ".",
            "--baseline",
            ".claudit-baseline.json",
            "--format",
            "sarif",
            "--include-suppressed",
        ],
    );
    assert!(
        sarif_results(&sarif)
            .iter()
            .all(|r| r["baselineState"] == "unchanged"),
        "{}",
        sarif.stdout
    );
}

#[test]
fn fingerprints_are_unique_in_a_run_and_baselines_keep_each_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let k = key(7);
    // The same key twice in one file, and one workflow-level key that
    // CLD203 reports for two jobs at the same primary location.
    write(root, "app/.env", format!("A={k}\nB={k}\n"));
    let step = "      - uses: anthropics/claude-code-action@v1\n        with:\n          \
                claude_code_oauth_token: ${{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}\n";
    write(
        root,
        ".github/workflows/claude.yml",
        format!(
            "on: issue_comment\nenv:\n  ANTHROPIC_API_KEY: ${{{{ secrets.ANTHROPIC_API_KEY }}}}\njobs:\n  \
             a:\n    runs-on: ubuntu-latest\n    steps:\n{step}  b:\n    runs-on: ubuntu-latest\n    steps:\n{step}"
        ),
    );
    let run = claudit(root, &["scan", ".", "--format", "json"]);
    let findings = json(&run)["findings"].as_array().unwrap().clone();
    let prints: Vec<&str> = findings
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let mut unique = prints.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), prints.len(), "{prints:?}");
    let of = |rule: &str| -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f["rule_id"] == rule)
            .map(|f| f["fingerprint"].as_str().unwrap())
            .collect()
    };
    for rule in ["CLD101", "CLD203"] {
        let fps = of(rule);
        assert_eq!(fps.len(), 2, "{rule}: {fps:?}");
        assert_eq!(fps[1], format!("{}:2", fps[0]), "{rule}");
    }
    // SARIF: the same values, unique per result.
    let sarif = claudit(root, &["scan", ".", "--format", "sarif"]);
    let mut keys: Vec<String> = sarif_results(&sarif)
        .iter()
        .map(|r| {
            r["partialFingerprints"]["claudit/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    keys.sort();
    let mut expected: Vec<String> = prints.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(keys, expected);
    // Moving lines keeps them; a baseline has one entry per finding and
    // accepts both copies of the key.
    write(root, "app/.env", format!("\n# moved\nB={k}\n\nA={k}\n"));
    let moved = claudit(root, &["scan", ".", "--format", "json"]);
    let mut again: Vec<String> = json(&moved)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    again.sort();
    assert_eq!(again, expected);
    let made = claudit(root, &["baseline", "."]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(".claudit-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(saved["entries"].as_array().unwrap().len(), prints.len());
    let run = claudit(
        root,
        &[
            "scan",
            ".",
            "--baseline",
            ".claudit-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!((run.code, found(&run).len()), (0, 0), "{}", run.stderr);
    // A third copy of the key is new.
    write(root, "app/.env", format!("A={k}\nB={k}\nC={k}\n"));
    let run = claudit(
        root,
        &[
            "scan",
            ".",
            "--baseline",
            ".claudit-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        found(&run),
        [("app/.env".to_string(), "CLD101".to_string())]
    );
}
