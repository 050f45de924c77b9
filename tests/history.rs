//! `claudit scan --history`: repositories built at run time with `git`,
//! keys from `claudit::testkeys`.

mod common;

use std::path::Path;

use common::claudit;

#[cfg(feature = "history")]
/// Commits everything in `dir` with fixed author and committer dates, so
/// that commit order does not depend on how fast the test runs; returns the
/// new commit's id.
fn commit(dir: &Path, message: &str, date: &str) -> String {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.email=t@example.invalid", "-c", "user.name=t"])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .stderr(std::process::Stdio::null())
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?} failed");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    run(&["add", "-A"]);
    run(&["commit", "-q", "--allow-empty", "-m", message]);
    run(&["rev-parse", "HEAD"])
}

fn init(dir: &Path) {
    common::git(dir, &["init", "-q", "-b", "main"]);
}

#[cfg(not(feature = "history"))]
#[test]
fn without_the_feature_history_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    init(dir.path());
    let run = claudit(dir.path(), &["scan", "--history", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--features history"), "{}", run.stderr);
}

#[test]
fn since_and_branch_need_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = claudit(dir.path(), &["scan", "--since", "main", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[cfg(feature = "history")]
mod with_history {
    use super::*;
    use claudit::testkeys;
    use common::json;

    fn findings(run: &common::Run) -> Vec<serde_json::Value> {
        json(run)["findings"].as_array().expect("findings").clone()
    }

    /// A key added in one commit and removed in the next is still found, at
    /// the commit that added it, and marked as gone from HEAD.
    #[test]
    fn a_removed_key_is_found_at_its_introducing_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        init(root);
        common::write(root, "README.md", "hello\n");
        commit(root, "first", "2024-01-01T10:00:00+00:00");
        let key = testkeys::key("api03", 81);
        common::write(root, "src/config.py", format!("x = 1\nKEY = \"{key}\"\n"));
        let added = commit(root, "add key", "2024-02-03T10:00:00+00:00");
        common::write(root, "src/config.py", "x = 1\nKEY = os.environ[\"KEY\"]\n");
        commit(root, "remove key", "2024-03-01T10:00:00+00:00");

        let run = claudit(root, &["scan", "--history", "--format", "json", "."]);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert!(!run.stdout.contains(&key), "the key is printed");
        let found = findings(&run);
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f["rule_id"], "CLD101");
        assert_eq!(f["path"], "src/config.py");
        assert_eq!(f["line"], 2);
        assert_eq!(f["commit"], added.as_str());
        assert_eq!(f["at_head"], false);
        assert!(
            f["introduced_at"]
                .as_str()
                .is_some_and(|d| d.starts_with("2024-02-03")),
            "{f}"
        );
        let message = f["message"].as_str().expect("message");
        assert!(message.contains(&added[..12]), "{message}");
        assert!(message.contains("not at HEAD"), "{message}");

        // The working tree alone no longer shows it.
        let tree = claudit(root, &["scan", "--format", "json", "."]);
        assert_eq!(tree.code, 0, "{}", tree.stdout);
    }

    /// A key still in HEAD and also in older blobs is one finding, at its
    /// oldest commit, present at HEAD, with the fingerprint of the
    /// working-tree finding (one alert in code scanning, not two).
    #[test]
    fn a_key_still_at_head_is_one_finding_with_the_tree_fingerprint() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        init(root);
        let key = testkeys::key("api03", 82);
        common::write(root, ".env", format!("ANTHROPIC_API_KEY={key}\n"));
        let added = commit(root, "add", "2024-01-01T10:00:00+00:00");
        common::write(root, ".env", format!("OTHER=1\nANTHROPIC_API_KEY={key}\n"));
        commit(root, "edit", "2024-01-02T10:00:00+00:00");

        let history = claudit(root, &["scan", "--history", "--format", "json", "."]);
        let tree = claudit(root, &["scan", "--format", "json", "."]);
        let in_history: Vec<_> = findings(&history)
            .into_iter()
            .filter(|f| f["rule_id"] == "CLD101")
            .collect();
        let in_tree: Vec<_> = findings(&tree)
            .into_iter()
            .filter(|f| f["rule_id"] == "CLD101")
            .collect();
        assert_eq!(in_history.len(), 1, "{in_history:#?}");
        assert_eq!(in_tree.len(), 1, "{in_tree:#?}");
        assert_eq!(in_history[0]["commit"], added.as_str());
        assert_eq!(in_history[0]["at_head"], true);
        assert_eq!(in_history[0]["fingerprint"], in_tree[0]["fingerprint"]);
        // Located where HEAD has it (line 2 since the edit), not where the
        // oldest version had it: the same place as the working-tree alert.
        assert_eq!(in_history[0]["line"], 2);
        assert_eq!(in_history[0]["line"], in_tree[0]["line"]);

        let sarif = claudit(root, &["scan", "--history", "--format", "sarif", "."]);
        let doc = json(&sarif);
        let results = doc["runs"][0]["results"].as_array().expect("results");
        let r = results
            .iter()
            .find(|r| r["ruleId"] == "CLD101")
            .expect("CLD101 result");
        assert_eq!(r["properties"]["commit"], added.as_str());
        assert_eq!(r["properties"]["atHead"], true);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], ".env");
        assert_eq!(loc["region"]["startLine"], 2);
        assert!(
            r["message"]["text"]
                .as_str()
                .is_some_and(|t| t.contains(&added[..12]))
        );
        assert_eq!(
            r["partialFingerprints"]["claudit/v1"],
            in_tree[0]["fingerprint"]
        );
    }

    /// Keys on other branches count; `--branch` narrows to one, `--since`
    /// skips what a revision already has.
    #[test]
    fn branch_and_since_narrow_the_commits_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        init(root);
        let old_key = testkeys::key("api03", 83);
        let side_key = testkeys::key("admin01", 84);
        common::write(root, "old.txt", format!("{old_key}\n"));
        commit(root, "old", "2024-01-01T10:00:00+00:00");
        common::git(root, &["tag", "v1"]);
        common::git(root, &["checkout", "-q", "-b", "side"]);
        common::write(root, "side.txt", format!("{side_key}\n"));
        commit(root, "side", "2024-01-02T10:00:00+00:00");
        common::git(root, &["checkout", "-q", "main"]);

        let ids = |args: &[&str]| -> Vec<String> {
            let run = claudit(root, args);
            let mut ids: Vec<String> = findings(&run)
                .iter()
                .map(|f| format!("{}:{}", f["rule_id"].as_str().unwrap_or(""), f["path"]))
                .collect();
            ids.sort();
            ids
        };
        let all = ids(&["scan", "--history", "--format", "json", "."]);
        assert_eq!(all, ["CLD101:\"old.txt\"", "CLD102:\"side.txt\""]);
        let main_only = ids(&[
            "scan",
            "--history",
            "--branch",
            "main",
            "--format",
            "json",
            ".",
        ]);
        assert_eq!(main_only, ["CLD101:\"old.txt\""]);
        let since = ids(&[
            "scan",
            "--history",
            "--since",
            "v1",
            "--format",
            "json",
            ".",
        ]);
        assert_eq!(since, ["CLD102:\"side.txt\""]);
    }

    /// Structural rules run on blobs whose path classifies: a settings
    /// file that once bypassed permissions is reported from history.
    #[test]
    fn structural_rules_run_on_classified_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        init(root);
        common::write(
            root,
            ".claude/settings.json",
            "{\"permissions\": {\"defaultMode\": \"bypassPermissions\"}}\n",
        );
        commit(root, "settings", "2024-01-01T10:00:00+00:00");
        common::write(root, ".claude/settings.json", "{}\n");
        commit(root, "clean", "2024-01-02T10:00:00+00:00");
        let tree = claudit(root, &["scan", "--format", "json", "."]);
        let run = claudit(root, &["scan", "--history", "--format", "json", "."]);
        let rules: Vec<String> = findings(&run)
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(tree.code, 0, "{}", tree.stdout);
        assert!(rules.iter().any(|r| r == "CLD401"), "{rules:?}");
        let f = &findings(&run)[0];
        assert_eq!(f["path"], ".claude/settings.json");
        assert_eq!(f["at_head"], false);
    }

    /// Packed repositories are read by walking each pack's delta tree;
    /// loose objects one by one. Both give the same findings.
    #[test]
    fn packed_and_loose_objects_give_the_same_findings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        init(root);
        let mut body = String::new();
        for n in 0..40 {
            body.push_str(&format!(
                "line {n} of some text that deltas compress well\n"
            ));
            let key = testkeys::key("api03", 100 + n);
            let text = if n % 10 == 3 {
                format!("{body}KEY = \"{key}\"\n")
            } else {
                body.clone()
            };
            common::write(root, "src/app.py", text);
            common::write(
                root,
                &format!("notes/{}.txt", n % 4),
                format!("{n}\n{body}"),
            );
            commit(
                root,
                &format!("c{n}"),
                &format!("2024-01-{:02}T10:00:00+00:00", n % 28 + 1),
            );
        }
        let loose = claudit(root, &["scan", "--history", "--format", "json", "."]);
        common::git(root, &["gc", "-q", "--aggressive"]);
        assert!(
            std::fs::read_dir(root.join(".git/objects/pack"))
                .expect("pack dir")
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "pack")),
            "git gc wrote no pack"
        );
        let packed = claudit(root, &["scan", "--history", "--format", "json", "."]);
        assert_eq!(findings(&loose).len(), 4, "{}", loose.stdout);
        assert_eq!(findings(&loose), findings(&packed));
        assert_eq!(
            json(&loose)["summary"]["files_scanned"],
            json(&packed)["summary"]["files_scanned"]
        );
    }

    /// `.claudit.toml` applies to history as to the working tree: `exclude`
    /// globs, custom token rules, and ignore comments — HEAD's through
    /// triage, an old version's for what only that version held.
    #[test]
    fn configuration_and_ignore_comments_apply_to_history() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        init(root);
        common::write(
            root,
            ".claudit.toml",
            "exclude = [\"vendor/**\"]\n\n[[custom_rules]]\nid = \"ACME001\"\nname = \"acme-token\"\nregex = 'acme_gw_[a-z0-9]{12}'\nkeywords = [\"acme_gw_\"]\nseverity = \"error\"\n",
        );
        let vendored = testkeys::key("api03", 91);
        let ignored = testkeys::key("api03", 92);
        common::write(root, "vendor/lib.py", format!("K = \"{vendored}\"\n"));
        common::write(
            root,
            "fixtures/sample.py",
            format!("# claudit: ignore[CLD101] test fixture\nK = \"{ignored}\"\n"),
        );
        common::write(
            root,
            "gw.txt",
            format!("token {}{}\n", "acme_gw_", "abcdef123456"),
        );
        commit(root, "add", "2024-01-01T10:00:00+00:00");
        for gone in ["vendor/lib.py", "fixtures/sample.py", "gw.txt"] {
            std::fs::remove_file(root.join(gone)).expect("remove");
        }
        commit(root, "remove", "2024-01-02T10:00:00+00:00");

        let run = claudit(root, &["scan", "--history", "--format", "json", "."]);
        let rules: Vec<String> = findings(&run)
            .iter()
            .map(|f| format!("{}:{}", f["rule_id"].as_str().unwrap_or(""), f["path"]))
            .collect();
        assert_eq!(rules, ["ACME001:\"gw.txt\""], "{}", run.stdout);
        let audit = claudit(
            root,
            &["scan", "--history", "--no-ignores", "--format", "json", "."],
        );
        let paths: Vec<String> = findings(&audit)
            .iter()
            .map(|f| f["path"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(paths.iter().any(|p| p == "fixtures/sample.py"), "{paths:?}");
        assert!(!paths.iter().any(|p| p == "vendor/lib.py"), "{paths:?}");
    }

    #[test]
    fn not_a_repository_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = claudit(dir.path(), &["scan", "--history", "."]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("not a git repository"),
            "{}",
            run.stderr
        );
    }

    #[test]
    fn an_unknown_revision_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        init(dir.path());
        common::write(dir.path(), "a.txt", "a\n");
        commit(dir.path(), "a", "2024-01-01T10:00:00+00:00");
        let run = claudit(
            dir.path(),
            &["scan", "--history", "--since", "no-such-ref", "."],
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("no-such-ref"), "{}", run.stderr);
    }
}
