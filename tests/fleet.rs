//! `claudit fleet`: a fleet of repositories generated at run time (planted
//! keys, a key reused across repositories, a per-repository config, a
//! repository that cannot be read), the roll-up numbers, shards merged
//! against an unsharded run, and `--resume`.

mod common;

use std::path::Path;

use claudit::testkeys;
use common::{claudit, git, write};
use serde_json::Value;

fn dotenv(seed: u64) -> String {
    format!("ANTHROPIC_API_KEY={}\n", testkeys::key("api03", seed))
}

/// `org/` with five repositories:
/// - `alpha` (git, committed): key 1 in `.env`;
/// - `beta` (plain folder): key 1 again in `app/.env`, and its own `.claudit.toml`;
/// - `gamma`: key 2, scanned with the fleet-level config;
/// - `delta`: nothing to report;
/// - `epsilon`: an auth conflict (an API key and an OAuth token given to claude-code-action);
/// - `broken`: an invalid `.claudit.toml`, so it cannot be scanned.
fn fleet(root: &Path) {
    let org = root.join("org");
    write(&org, "alpha/.env", dotenv(1));
    git(&org.join("alpha"), &["init", "-q"]);
    git(&org.join("alpha"), &["add", "."]);
    git(&org.join("alpha"), &["commit", "-q", "-m", "init"]);
    write(&org, "beta/app/.env", dotenv(1));
    write(&org, "beta/.claudit.toml", "exclude = []\n");
    write(&org, "gamma/.env", dotenv(2));
    write(&org, "delta/README.md", "nothing here\n");
    write(&org, "epsilon/.claudit.toml", "exclude = []\n");
    write(
        &org,
        "epsilon/.github/workflows/claude.yml",
        "on: pull_request\njobs:\n  review:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: anthropics/claude-code-action@v1\n        with:\n          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n          claude_code_oauth_token: ${{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}\n",
    );
    write(&org, "broken/.claudit.toml", "this is not toml = = =\n");
    // The fleet-level config: applies to repositories without their own.
    write(root, "fleet.toml", "min_severity = \"error\"\n");
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Error/warning/note counts of `claudit scan --format json` on one folder, with a config.
fn scan_counts(dir: &Path, config: Option<&Path>) -> (u64, u64, u64) {
    let mut args = vec!["scan", ".", "--format", "json", "--fail-on", "none"];
    let config_arg;
    if let Some(c) = config {
        config_arg = c.display().to_string();
        args.extend(["--config", &config_arg]);
    }
    let run = claudit(dir, &args);
    let json: Value = serde_json::from_str(&run.stdout).expect("scan JSON");
    let findings = json["findings"].as_array().expect("findings").clone();
    let count = |level: &str| findings.iter().filter(|f| f["severity"] == level).count() as u64;
    (count("error"), count("warning"), count("note"))
}

fn repo<'a>(rollup: &'a Value, name: &str) -> &'a Value {
    rollup["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no repository {name}"))
}

#[test]
fn roll_up_counts_reuse_auth_and_failures_exactly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    fleet(root);
    let manifest = "alpha\torg/alpha\tprod,team-a\nbeta\torg/beta\ngamma\torg/gamma\ndelta\torg/delta\n\
                    epsilon\torg/epsilon\nbroken\torg/broken\nmissing\torg/missing\n";
    write(root, "repos.tsv", manifest);
    let run = claudit(
        root,
        &[
            "fleet",
            "--manifest",
            "repos.tsv",
            "--config",
            "fleet.toml",
            "--out",
            "out",
            "-j",
            "2",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rollup = read_json(&root.join("out/fleet.json"));
    assert_eq!(rollup["version"], 1);
    let totals = &rollup["totals"];
    assert_eq!(totals["repositories"], 7);
    assert_eq!(totals["scanned"], 5);
    assert_eq!(totals["failed"], 2);

    // Each repository's counts are exactly what `claudit scan` reports for it.
    let fleet_config = root.join("fleet.toml");
    let expected = [
        (
            "alpha",
            scan_counts(&root.join("org/alpha"), Some(&fleet_config)),
        ),
        ("beta", scan_counts(&root.join("org/beta"), None)),
        (
            "gamma",
            scan_counts(&root.join("org/gamma"), Some(&fleet_config)),
        ),
        (
            "delta",
            scan_counts(&root.join("org/delta"), Some(&fleet_config)),
        ),
        ("epsilon", scan_counts(&root.join("org/epsilon"), None)),
    ];
    let mut sum = (0, 0, 0);
    for (name, (e, w, n)) in expected {
        let f = &repo(&rollup, name)["findings"];
        assert_eq!(
            (
                f["error"].as_u64(),
                f["warning"].as_u64(),
                f["note"].as_u64()
            ),
            (Some(e), Some(w), Some(n)),
            "{name}"
        );
        sum = (sum.0 + e, sum.1 + w, sum.2 + n);
    }
    let by = &totals["by_severity"];
    assert_eq!(
        (
            by["error"].as_u64(),
            by["warning"].as_u64(),
            by["note"].as_u64()
        ),
        (Some(sum.0), Some(sum.1), Some(sum.2))
    );
    assert_eq!(totals["findings"].as_u64(), Some(sum.0 + sum.1 + sum.2));
    assert!(sum.0 >= 3, "each planted key is an error");
    // The fleet config (errors only) applied to gamma, beta's own config to beta.
    assert_eq!(repo(&rollup, "gamma")["findings"]["warning"], 0);
    assert_eq!(
        repo(&rollup, "alpha")["tags"],
        serde_json::json!(["prod", "team-a"])
    );
    let rule_sum: u64 = rollup["rules"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(rule_sum, sum.0 + sum.1 + sum.2);

    // Key 1 is in alpha and beta; key 2 only in gamma. Ids only, never the key.
    let reuse = rollup["secret_reuse"].as_array().expect("secret_reuse");
    assert_eq!(reuse.len(), 1, "{reuse:?}");
    assert_eq!(
        reuse[0]["repositories"],
        serde_json::json!(["alpha", "beta"])
    );
    assert!(
        reuse[0]["token_types"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("anthropic-api-key")),
        "{reuse:?}"
    );
    for file in [
        "fleet.json",
        "fleet.md",
        "fleet.html",
        "run.json",
        "repos/alpha.sarif",
        "repos/alpha.json",
    ] {
        let text = read(&root.join("out").join(file));
        assert!(
            !text.contains(&testkeys::key("api03", 1)),
            "{file} leaks a key"
        );
        assert!(
            !text.contains(&testkeys::body(40, 1)),
            "{file} leaks a key body"
        );
    }

    // Auth inventory: the repositories whose root `.env` sets a key have an api-key row.
    let auth = rollup["auth"].as_array().expect("auth");
    for name in ["alpha", "gamma"] {
        assert!(
            auth.iter()
                .any(|a| a["repository"] == name && a["credential"] == "api-key"),
            "{name}: {auth:?}"
        );
    }
    assert!(
        !auth.iter().any(|a| a["repository"] == "beta"),
        "app/.env is not a context"
    );
    assert!(!auth.iter().any(|a| a["repository"] == "delta"));
    // The conflict: the key wins over the subscription token, and the roll-up says so.
    assert_eq!(rollup["rules"]["CLD203"], 1, "{}", rollup["rules"]);
    assert!(
        auth.iter()
            .any(|a| a["repository"] == "epsilon" && a["credential"] == "api-key"),
        "{auth:?}"
    );

    // Failures, with their reasons.
    let failed = rollup["failed"].as_array().expect("failed");
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["name"], "broken");
    assert!(
        failed[0]["reason"]
            .as_str()
            .unwrap()
            .contains("invalid config"),
        "{failed:?}"
    );
    assert_eq!(failed[1]["name"], "missing");
    assert!(
        failed[1]["reason"]
            .as_str()
            .unwrap()
            .contains("no such file"),
        "{failed:?}"
    );
    assert!(!root.join("out/repos/broken.sarif").exists());

    // Worst first; no timestamps or absolute paths in the roll-up.
    assert_eq!(rollup["worst"].as_array().unwrap().len(), 4);
    let text = read(&root.join("out/fleet.json"));
    assert!(!text.contains(&root.display().to_string()));
    assert!(!text.contains("unix"));
    let run_json = read_json(&root.join("out/run.json"));
    assert!(run_json["started_unix"].as_u64().unwrap() > 0);
    assert!(run_json["out"].as_str().unwrap().starts_with('/'));

    // The markdown and HTML tell the same story.
    let md = read(&root.join("out/fleet.md"));
    assert!(md.contains("| alpha, beta |"), "{md}");
    assert!(md.contains("| missing |"), "{md}");
    let html = read(&root.join("out/fleet.html"));
    assert!(html.contains("<td>alpha, beta</td>"));
    assert!(!html.contains("<script") && !html.contains("<link"));
}

#[test]
fn per_repository_sarif_matches_the_pr_action() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    fleet(root);
    // The output folder inside the fleet folder is not taken for a repository.
    let run = claudit(root, &["fleet", "org", "--out", "org/audit", "--quiet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let inner = read_json(&root.join("org/audit/fleet.json"));
    assert!(
        inner["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"] != "audit")
    );
    let run = claudit(root, &["fleet", "org", "--out", "out", "--quiet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "", "--quiet prints nothing");
    let sarif = read_json(&root.join("out/repos/alpha.sarif"));
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    // action.yml's `category` input defaults to `claudit/`.
    assert_eq!(runs[0]["automationDetails"]["id"], "claudit/");
    let result = &runs[0]["results"][0];
    let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, ".env", "relative to the repository root");
    let location = &result["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    // The base is the repository root, declared without an absolute path.
    let base = &runs[0]["originalUriBaseIds"]["%SRCROOT%"];
    assert!(base.get("uri").is_none() && base["description"]["text"].is_string());
    let hash = result["partialFingerprints"]["primaryLocationLineHash"]
        .as_str()
        .expect("primaryLocationLineHash");
    let expected = &claudit::report::line_hash::line_hashes(dotenv(1).as_bytes())[0];
    assert_eq!(hash, expected);
    // The same repository scanned on its own gives the same results (a PR upload would match).
    let alone = claudit(
        &root.join("org/alpha"),
        &["scan", "--format", "sarif", "--fail-on", "none"],
    );
    let alone: Value = serde_json::from_str(&alone.stdout).expect("sarif");
    assert_eq!(alone["runs"][0]["results"], runs[0]["results"]);
    // From another folder, with absolute paths: the same bytes, no absolute path.
    let elsewhere = root.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    let org = root.join("org").display().to_string();
    let out = root.join("out-abs").display().to_string();
    let run = claudit(&elsewhere, &["fleet", &org, "--out", &out, "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in ["repos/alpha.sarif", "repos/broken.sarif", "fleet.json"] {
        let a = root.join("out").join(file);
        let b = root.join("out-abs").join(file);
        if file.contains("broken") {
            assert!(!a.exists() && !b.exists());
            continue;
        }
        let text = read(&b);
        assert_eq!(read(&a), text, "{file}");
        assert!(!text.contains(&root.display().to_string()), "{file}");
    }
}

#[test]
fn shards_merged_equal_the_unsharded_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    fleet(root);
    for i in 0..9 {
        write(
            &root.join("org"),
            &format!("extra-{i}/.env"),
            dotenv(10 + i % 3),
        );
    }
    let all = claudit(root, &["fleet", "org", "--out", "all", "-q"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = format!("shard-{k}");
        let run = claudit(
            root,
            &["fleet", "org", "--shard", &shard, "--out", &out, "-q"],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let shard_sizes: Vec<u64> = (1..=3)
        .map(|k| {
            read_json(&root.join(format!("shard-{k}/fleet.json")))["totals"]["repositories"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(shard_sizes.iter().sum::<u64>(), 15, "{shard_sizes:?}");
    assert!(shard_sizes.iter().all(|&n| n < 15), "{shard_sizes:?}");
    let merge = claudit(
        root,
        &[
            "fleet", "merge", "shard-1", "shard-2", "shard-3", "--out", "merged",
        ],
    );
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    for file in [
        "fleet.json",
        "fleet.md",
        "fleet.html",
        "repos/alpha.sarif",
        "repos/extra-4.sarif",
    ] {
        assert_eq!(
            read(&root.join("all").join(file)),
            read(&root.join("merged").join(file)),
            "{file} differs"
        );
    }
    // Merging the same repository twice is refused.
    let twice = claudit(
        root,
        &["fleet", "merge", "shard-1", "shard-1", "--out", "bad"],
    );
    assert_eq!(twice.code, 2);
    assert!(
        twice.stderr.contains("more than one input"),
        "{}",
        twice.stderr
    );
}

#[test]
fn shard_membership_does_not_depend_on_input_order() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let mut lines = Vec::new();
    for i in 0..12 {
        write(root, &format!("r{i}/README.md"), "x\n");
        lines.push(format!("{{\"name\": \"r{i}\", \"path\": \"r{i}\"}}"));
    }
    write(root, "a.json", format!("[{}]", lines.join(",")));
    lines.reverse();
    write(root, "b.json", format!("[{}]", lines.join(",")));
    for (manifest, out) in [("a.json", "a"), ("b.json", "b")] {
        let run = claudit(
            root,
            &[
                "fleet",
                "--manifest",
                manifest,
                "--shard",
                "2/3",
                "--out",
                out,
                "-q",
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert_eq!(
        read(&root.join("a/fleet.json")),
        read(&root.join("b/fleet.json"))
    );
    // `--list` names the same repositories, as a manifest, without scanning.
    let listed = claudit(
        root,
        &["fleet", "--manifest", "b.json", "--shard", "2/3", "--list"],
    );
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let names: Vec<&str> = listed
        .stdout
        .lines()
        .filter_map(|l| l.split('\t').next())
        .collect();
    let rollup = read_json(&root.join("a/fleet.json"));
    let scanned: Vec<&str> = rollup["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(!names.is_empty());
    assert_eq!(names, scanned);
}

#[test]
fn resume_skips_unchanged_repositories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    fleet(root);
    let args = ["fleet", "org", "--out", "out", "--resume"];
    let first = claudit(root, &args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        !first.stderr.contains("unchanged, skipped"),
        "{}",
        first.stderr
    );
    let before = read(&root.join("out/fleet.json"));

    let second = claudit(root, &args);
    // Non-TTY progress: one plain line per repository.
    for name in ["alpha", "beta", "gamma", "delta"] {
        assert!(
            second.stderr.contains(&format!("{name}: "))
                && second
                    .stderr
                    .lines()
                    .any(|l| l.contains(&format!("] {name}: "))
                        && l.ends_with("(unchanged, skipped)")),
            "{name}: {}",
            second.stderr
        );
    }
    assert!(
        second.stderr.contains("] broken: failed"),
        "failed ones are retried: {}",
        second.stderr
    );
    assert!(!second.stderr.contains('\r'));
    assert_eq!(before, read(&root.join("out/fleet.json")));

    // A new commit in alpha, a changed file in gamma: both scanned again.
    write(&root.join("org"), "alpha/more.env", dotenv(3));
    git(&root.join("org/alpha"), &["add", "."]);
    git(&root.join("org/alpha"), &["commit", "-q", "-m", "more"]);
    write(&root.join("org"), "gamma/.env", dotenv(4));
    let third = claudit(root, &args);
    let line = |name: &str| {
        third
            .stderr
            .lines()
            .find(|l| l.contains(&format!("] {name}: ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(!line("alpha").contains("skipped"), "{}", third.stderr);
    assert!(!line("gamma").contains("skipped"), "{}", third.stderr);
    assert!(line("beta").contains("skipped"), "{}", third.stderr);
    let rollup = read_json(&root.join("out/fleet.json"));
    // alpha now has two distinct keys, so more errors than before.
    let before: Value = serde_json::from_str(&before).expect("JSON");
    assert!(
        repo(&rollup, "alpha")["findings"]["error"].as_u64()
            > repo(&before, "alpha")["findings"]["error"].as_u64()
    );

    // Another configuration scans everything again.
    write(root, "fleet.toml", "min_severity = \"error\"\n");
    let fourth = claudit(
        root,
        &[
            "fleet",
            "org",
            "--out",
            "out",
            "--resume",
            "--config",
            "fleet.toml",
        ],
    );
    assert!(
        line_of(&fourth.stderr, "gamma")
            .map(|l| !l.contains("skipped"))
            .unwrap_or(false),
        "{}",
        fourth.stderr
    );
    assert!(
        line_of(&fourth.stderr, "beta")
            .map(|l| l.contains("skipped"))
            .unwrap_or(false),
        "beta has its own config: {}",
        fourth.stderr
    );
}

fn line_of<'a>(stderr: &'a str, name: &str) -> Option<&'a str> {
    stderr.lines().find(|l| l.contains(&format!("] {name}: ")))
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let no_out = claudit(root, &["fleet", "."]);
    assert_eq!(no_out.code, 2);
    let bad_shard = claudit(root, &["fleet", ".", "--out", "o", "--shard", "4/3"]);
    assert_eq!(bad_shard.code, 2);
    write(root, "dup.tsv", "a\tx\na\ty\n");
    let dup = claudit(root, &["fleet", "--manifest", "dup.tsv", "--out", "o"]);
    assert_eq!(dup.code, 2);
    assert!(dup.stderr.contains("appears twice"), "{}", dup.stderr);
}

/// A fleet-level config that cannot be used is a usage error before any
/// scan, not a roll-up in which every repository failed.
#[test]
fn a_bad_fleet_config_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write(root, "org/alpha/.env", dotenv(1));
    write(root, "bad.toml", "this is not toml = = =\n");
    let bad = root.join("bad.toml").display().to_string();
    let missing = root.join("missing.toml").display().to_string();
    for config in [bad.as_str(), missing.as_str()] {
        let run = claudit(root, &["fleet", "org", "--out", "out", "--config", config]);
        assert_eq!(run.code, 2, "{config}: {}", run.stderr);
        assert!(run.stderr.contains("--config"), "{}", run.stderr);
        assert!(
            !root.join("out/fleet.json").exists(),
            "nothing is scanned or written"
        );
    }
}

/// A dirty work tree edited again between runs has the same `git status`
/// both times; its content changed, so `--resume` scans it again.
#[test]
fn resume_rescans_a_dirty_repository_whose_content_changed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let org = root.join("org");
    write(&org, "alpha/README.md", "hello\n");
    git(&org.join("alpha"), &["init", "-q"]);
    git(&org.join("alpha"), &["add", "."]);
    git(&org.join("alpha"), &["commit", "-q", "-m", "init"]);
    // Dirty: a modified tracked file and an untracked one.
    write(&org, "alpha/README.md", "changed\n");
    write(&org, "alpha/.env", "NOTHING=here\n");
    let args = ["fleet", "org", "--out", "out", "--resume"];
    let first = claudit(root, &args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let again = claudit(root, &args);
    assert!(
        line_of(&again.stderr, "alpha").is_some_and(|l| l.contains("skipped")),
        "unchanged dirty tree is skipped: {}",
        again.stderr
    );
    // Same status lines (` M README.md`, `?? .env`), different content.
    write(&org, "alpha/.env", dotenv(5));
    let third = claudit(root, &args);
    assert!(
        line_of(&third.stderr, "alpha").is_some_and(|l| !l.contains("skipped")),
        "{}",
        third.stderr
    );
    let rollup = read_json(&root.join("out/fleet.json"));
    assert_eq!(repo(&rollup, "alpha")["rules"]["CLD101"], 1, "{rollup}");
}

/// The example org workflow's merge job runs after a failed shard (to keep
/// what there is), so it must say the roll-up is partial and fail.
#[test]
fn org_workflow_marks_a_partial_roll_up_and_fails() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/workflows/org-audit.yml");
    let text = read(&path);
    let merge = &text[text.find("\n  merge:").expect("merge job")..];
    assert!(merge.contains("if: ${{ !cancelled() }}"), "{merge}");
    assert!(
        merge.contains("SHARDS_RESULT: ${{ needs.shard.result }}"),
        "{merge}"
    );
    assert!(merge.contains("PARTIAL roll-up"), "{merge}");
    let fail = &merge[merge
        .find("- name: Fail when the roll-up is partial")
        .expect("a failing step")..];
    assert!(
        fail.contains("if: ${{ needs.shard.result != 'success' }}") && fail.contains("exit 1"),
        "{fail}"
    );
}
