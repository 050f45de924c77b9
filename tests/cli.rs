//! End-to-end behaviour of the `claudit` binary: exit codes, discovery rules,
//! bad input, determinism, and that no secret ever reaches any output.

mod common;

use claudit::testkeys;
use common::{claudit, claudit_with_stdin, git, json, rule_ids, write};

#[test]
fn exit_codes_tell_the_truth() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Nothing to read: 3.
    let run = claudit(dir.path(), &["scan", "."]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    // Clean files: 0.
    write(dir.path(), "README.md", "nothing to see\n");
    assert_eq!(claudit(dir.path(), &["scan"]).code, 0);
    // A key: 1, and 0 with --fail-on none.
    write(
        dir.path(),
        "app.py",
        format!("KEY = '{}'\n", testkeys::key("api03", 1)),
    );
    assert_eq!(claudit(dir.path(), &["scan", "."]).code, 1);
    assert_eq!(
        claudit(dir.path(), &["scan", ".", "--fail-on", "none"]).code,
        0
    );
    // A path that does not exist: 2 with a clear message.
    let run = claudit(dir.path(), &["scan", "missing-dir"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("missing-dir") && run.stderr.contains("no such file"),
        "{}",
        run.stderr
    );
    // A usage error: 2.
    assert_eq!(claudit(dir.path(), &["scan", "--format", "nope"]).code, 2);
}

#[test]
fn fail_on_threshold_counts_severities() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A session JWT is a warning-level finding.
    write(
        dir.path(),
        "cfg.txt",
        format!("t={}\n", testkeys::key("cc", 3)),
    );
    assert_eq!(claudit(dir.path(), &["scan", "--fail-on", "error"]).code, 0);
    assert_eq!(
        claudit(dir.path(), &["scan", "--fail-on", "warning"]).code,
        1
    );
    assert_eq!(claudit(dir.path(), &["scan", "--fail-on", "note"]).code, 1);
}

#[test]
fn no_output_format_ever_contains_a_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys: Vec<String> = ["api03", "admin01", "api01", "oat01", "ort01", "sid01", "cc"]
        .iter()
        .enumerate()
        .map(|(i, tag)| testkeys::key(tag, 100 + i as u64))
        .collect();
    let gateway = testkeys::gateway_token(7);
    let mut env = format!("ANTHROPIC_AUTH_TOKEN={gateway}\n");
    for (i, k) in keys.iter().enumerate() {
        env.push_str(&format!("K{i}={k}\n"));
    }
    write(dir.path(), ".env", &env);
    write(dir.path(), "notes.txt", keys.join(" "));
    for format in ["text", "json", "sarif", "github"] {
        let run = claudit(
            dir.path(),
            &["scan", ".", "--format", format, "--color", "always"],
        );
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        for secret in keys.iter().chain(std::iter::once(&gateway)) {
            // Not the whole secret, and not its body's middle either.
            let middle = &secret[20..secret.len() - 8];
            for out in [&run.stdout, &run.stderr] {
                assert!(!out.contains(middle), "{format} output leaks a secret");
            }
        }
    }
}

#[test]
fn json_output_has_documented_fields_and_utf16_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = testkeys::key("api03", 5);
    // é is one UTF-16 unit, 😀 two: the key starts at column 1 + 1 + 2 + 1 = 5 (1-based).
    write(dir.path(), "x.txt", format!("line one\né😀 {key}\n"));
    let run = claudit(dir.path(), &["scan", ".", "--format", "json"]);
    let v = json(&run);
    assert_eq!(v["version"], 1);
    let f = &v["findings"][0];
    assert_eq!(f["rule_id"], "CLD101");
    assert_eq!(f["rule_name"], "anthropic-api-key");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["confidence"], "high");
    assert_eq!(f["path"], "x.txt");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(f["end_line"].as_u64(), Some(2));
    assert_eq!(f["end_column"].as_u64(), Some(5 + 108));
    assert_eq!(f["token_type"], "anthropic-api-key");
    assert_eq!(f["secret_id"].as_str().map(str::len), Some(24));
    assert_eq!(f["fingerprint"].as_str().map(str::len), Some(32));
    assert_eq!(v["summary"]["files_scanned"], 1);
    assert_eq!(v["summary"]["findings"]["error"], 1);
}

#[test]
fn same_key_in_two_files_has_one_secret_id_and_moving_lines_keeps_fingerprints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = testkeys::key("api03", 6);
    write(dir.path(), "a.txt", format!("{key}\n"));
    write(dir.path(), "b.txt", format!("\n\n  {key}\n"));
    let v = json(&claudit(dir.path(), &["scan", ".", "--format", "json"]));
    let f = v["findings"].as_array().expect("findings");
    assert_eq!(f.len(), 2);
    assert_eq!(f[0]["secret_id"], f[1]["secret_id"]);
    let before = f[1]["fingerprint"].clone();
    write(
        dir.path(),
        "b.txt",
        format!("# new first line\n\n\n  {key}\n"),
    );
    let v = json(&claudit(dir.path(), &["scan", ".", "--format", "json"]));
    assert_eq!(v["findings"][1]["fingerprint"], before);
    assert_ne!(v["findings"][0]["fingerprint"], before);
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..60u64 {
        let body = if i % 3 == 0 {
            format!("K={}\n", testkeys::key("api03", i))
        } else {
            "plain text\n".repeat(i as usize)
        };
        write(dir.path(), &format!("d{}/f{i}.txt", i % 7), body);
    }
    // Files the walk hands over at once (text) and files that wait for the
    // whole tree (structured kinds), mixed in the same folders.
    for i in 0..6u64 {
        let key = testkeys::key("api03", 100 + i);
        write(
            dir.path(),
            &format!("d{i}/.env"),
            format!("ANTHROPIC_API_KEY={key}\n"),
        );
        write(
            dir.path(),
            &format!("d{i}/Dockerfile"),
            "FROM alpine\nARG ANTHROPIC_API_KEY\nCOPY . .\n",
        );
    }
    let one = claudit(
        dir.path(),
        &["scan", ".", "--format", "json", "--threads", "1"],
    );
    for threads in ["2", "4", "8"] {
        let many = claudit(
            dir.path(),
            &["scan", ".", "--format", "json", "--threads", threads],
        );
        assert_eq!(one.stdout, many.stdout, "threads={threads}");
    }
    let ids = rule_ids(&one);
    assert_eq!(
        ids.iter().filter(|id| *id == "CLD101").count(),
        26,
        "{ids:?}"
    );
    assert!(ids.iter().any(|id| id == "CLD111"), "{ids:?}");
}

/// `CLAUDIT_TIMINGS` prints phase marks on stderr and leaves the report alone.
#[test]
fn timings_go_to_stderr_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.txt", "plain\n");
    let plain = claudit(dir.path(), &["scan", ".", "--format", "json"]);
    let timed = std::process::Command::new(env!("CARGO_BIN_EXE_claudit"))
        .current_dir(dir.path())
        .env("CLAUDIT_TIMINGS", "1")
        .args(["scan", ".", "--format", "json"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&timed.stderr);
    for phase in [
        "config loaded",
        "scanned",
        "project checks",
        "triaged",
        "written",
    ] {
        assert!(stderr.contains(phase), "{phase} missing: {stderr}");
    }
    assert_eq!(String::from_utf8_lossy(&timed.stdout), plain.stdout);
}

#[test]
fn hidden_files_are_scanned_and_dot_git_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".github/workflows/x.txt",
        testkeys::key("api03", 8),
    );
    write(dir.path(), ".git/config", testkeys::key("api03", 9));
    let v = json(&claudit(dir.path(), &["scan", ".", "--format", "json"]));
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(paths, [".github/workflows/x.txt"]);
}

#[test]
fn git_index_decides_what_is_committed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, ".gitignore", ".env\nsecret/\n");
    // Tracked although ignored (force-added): must be scanned.
    write(
        root,
        ".env",
        format!("ANTHROPIC_API_KEY={}\n", testkeys::key("api03", 10)),
    );
    // Ignored and untracked: not scanned.
    write(root, "secret/notes.txt", testkeys::key("api03", 11));
    // Untracked, not ignored: scanned.
    write(root, "new.txt", testkeys::key("api03", 12));
    git(root, &["add", "-f", ".env"]);
    git(root, &["add", ".gitignore"]);
    let run = claudit(root, &["scan", ".", "--format", "json"]);
    let v = json(&run);
    let mut paths: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    // A file may carry several findings (the key, and CLD219 for a root `.env`).
    paths.dedup();
    assert_eq!(paths, [".env", "new.txt"], "{}", run.stderr);
    // --no-ignore scans everything on disk.
    let run = claudit(root, &["scan", ".", "--format", "json", "--no-ignore"]);
    let keys = rule_ids(&run).iter().filter(|r| *r == "CLD101").count();
    assert_eq!(keys, 3);
}

#[test]
fn no_ignore_still_reads_the_index_for_committed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    let transcript = "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n";
    write(root, ".claude/projects/p/untracked.jsonl", transcript);
    write(root, ".claude/projects/p/tracked.jsonl", transcript);
    write(
        root,
        ".claude/settings.local.json",
        "{\"permissions\":{\"allow\":[\"Bash(*)\"]}}\n",
    );
    git(root, &["add", ".claude/projects/p/tracked.jsonl"]);
    let flagged = |run: &common::Run, rule: &str| -> Vec<String> {
        json(run)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule_id"] == rule)
            .filter_map(|f| f["path"].as_str().map(str::to_string))
            .collect()
    };
    for extra in [&[][..], &["--no-ignore"][..]] {
        let mut args = vec!["scan", ".", "--format", "json"];
        args.extend_from_slice(extra);
        let run = claudit(root, &args);
        assert_eq!(
            flagged(&run, "CLD115"),
            [".claude/projects/p/tracked.jsonl"],
            "{extra:?}: {}",
            run.stdout
        );
        assert!(
            flagged(&run, "CLD407").is_empty(),
            "{extra:?}: {}",
            run.stdout
        );
        // A single untracked file given by name is not committed either.
        for path in [
            ".claude/projects/p/untracked.jsonl",
            ".claude/settings.local.json",
        ] {
            let mut args = vec!["scan", path, "--format", "json"];
            args.extend_from_slice(extra);
            let run = claudit(root, &args);
            assert!(
                flagged(&run, "CLD115").is_empty() && flagged(&run, "CLD407").is_empty(),
                "{extra:?} {path}: {}",
                run.stdout
            );
        }
        let mut args = vec!["scan", "untracked.jsonl", "--format", "json"];
        args.extend_from_slice(extra);
        let run = claudit(&root.join(".claude/projects/p"), &args);
        assert!(
            flagged(&run, "CLD115").is_empty(),
            "{extra:?}: {}",
            run.stdout
        );
    }
    // Once in the index, the local settings file is committed, --no-ignore or not.
    git(root, &["add", ".claude/settings.local.json"]);
    let run = claudit(root, &["scan", ".", "--format", "json", "--no-ignore"]);
    assert_eq!(flagged(&run, "CLD407"), [".claude/settings.local.json"]);
}

/// Names that are not UTF-8 are opened by their real bytes; the escaped
/// form is only what is shown.
#[cfg(target_os = "linux")]
#[test]
fn non_utf8_file_names_are_read() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let a = OsStr::from_bytes(b"k\xff.txt");
    let b = OsStr::from_bytes(b"sub/k\xfe.txt");
    std::fs::create_dir_all(root.join("sub")).expect("mkdir");
    std::fs::write(root.join(a), testkeys::key("api03", 40)).expect("write");
    std::fs::write(root.join(b), testkeys::key("api03", 41)).expect("write");
    let paths = |run: &common::Run| -> Vec<String> {
        assert!(!run.stderr.contains("cannot read"), "{}", run.stderr);
        json(run)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["path"].as_str().map(str::to_string))
            .collect()
    };
    let both = ["k\\xFF.txt", "sub/k\\xFE.txt"];
    assert_eq!(
        paths(&claudit(root, &["scan", ".", "--format", "json"])),
        both
    );
    // In a work tree: tracked (one of them ignored too) and untracked.
    git(root, &["init", "-q"]);
    write(root, ".gitignore", "k*.txt\n");
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["add", "-f", "--"])
        .arg(a)
        .status()
        .expect("git add");
    assert!(status.success());
    assert_eq!(
        paths(&claudit(root, &["scan", ".", "--format", "json"])),
        [both[0]]
    );
    assert_eq!(
        paths(&claudit(
            root,
            &["scan", ".", "--format", "json", "--no-ignore"]
        )),
        both
    );
    // A file argument, inside and outside a work tree.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_claudit"))
        .current_dir(root)
        .env("NO_COLOR", "1")
        .args(["scan", "--format", "json"])
        .arg(b)
        .output()
        .expect("run");
    let run = common::Run {
        code: run.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
    };
    assert_eq!(paths(&run), [both[1]], "{}", run.stderr);
    std::fs::remove_dir_all(root.join(".git")).expect("rm .git");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_claudit"))
        .current_dir(root.join("sub"))
        .env("NO_COLOR", "1")
        .args(["scan", "--format", "json"])
        .arg(OsStr::from_bytes(b"k\xfe.txt"))
        .output()
        .expect("run");
    let run = common::Run {
        code: run.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
    };
    assert_eq!(paths(&run), ["k\\xFE.txt"], "{}", run.stderr);
}

#[test]
fn outside_git_gitignore_files_apply_and_exclude_works() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, ".gitignore", "ignored.txt\n");
    write(root, "ignored.txt", testkeys::key("api03", 13));
    write(root, "vendor/lib.txt", testkeys::key("api03", 14));
    write(root, "kept.txt", testkeys::key("api03", 15));
    let run = claudit(
        root,
        &["scan", ".", "--format", "json", "--exclude", "vendor/**"],
    );
    let v = json(&run);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["findings"][0]["path"], "kept.txt");
    // .claudit.toml excludes too.
    write(root, ".claudit.toml", "exclude = [\"kept.txt\"]\n");
    let run = claudit(
        root,
        &["scan", ".", "--format", "json", "--exclude", "vendor/**"],
    );
    assert_eq!(rule_ids(&run), Vec::<String>::new());
}

#[test]
fn config_errors_name_the_key_and_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.txt", "x");
    write(dir.path(), ".claudit.toml", "disable = []\nexclud = []\n");
    let run = claudit(dir.path(), &["scan", "."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("exclud") && run.stderr.contains("line 2"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_disables_rules_and_overrides_severity() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.txt",
        format!(
            "{}\n{}\n",
            testkeys::key("api03", 1),
            testkeys::key("admin01", 2)
        ),
    );
    write(
        dir.path(),
        ".claudit.toml",
        "disable = [\"CLD102\"]\n[severity]\nCLD101 = \"note\"\n",
    );
    let run = claudit(dir.path(), &["scan", ".", "--format", "json"]);
    let v = json(&run);
    assert_eq!(rule_ids(&run), ["CLD101"]);
    assert_eq!(v["findings"][0]["severity"], "note");
    assert_eq!(run.code, 0, "a note is below the default --fail-on warning");
}

#[test]
fn bad_input_is_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let key = testkeys::key("api03", 20);
    write(
        root,
        ".github/workflows/broken.yml",
        format!("on: [push\njobs: {{\n# {key}\n"),
    );
    write(root, ".claude/settings.json", "{ \"env\": { \"A\": 1, } ");
    let mut binary = vec![0u8, 1, 2, 3];
    binary.extend_from_slice(key.as_bytes());
    write(root, "blob.bin", &binary);
    let mut invalid = b"ANTHROPIC_API_KEY=\xff\xfe ".to_vec();
    invalid.extend_from_slice(key.as_bytes());
    write(root, ".env", &invalid);
    std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling")).expect("symlink");
    std::os::unix::fs::symlink(root.join("loop"), root.join("loop")).expect("symlink");
    let run = claudit(root, &["scan", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v = json(&run);
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "CLD101")
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(paths, [".env", ".github/workflows/broken.yml", "blob.bin"]);
    assert!(run.stderr.contains("dangling"), "{}", run.stderr);
    assert!(run.stderr.contains("loop"), "{}", run.stderr);
    assert!(run.stderr.contains("broken.yml"), "{}", run.stderr);
    assert!(run.stderr.contains("not valid UTF-8"), "{}", run.stderr);
    // --skip-binary opts out of scanning binaries, and says so.
    let run = claudit(root, &["scan", ".", "--format", "json", "--skip-binary"]);
    let v = json(&run);
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["path"] != "blob.bin")
    );
    assert!(
        run.stderr.contains("blob.bin") && run.stderr.contains("binary"),
        "{}",
        run.stderr
    );
}

#[test]
fn large_files_are_streamed_with_right_lines_and_oversized_ones_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // Keys before and after the 1 MiB chunk boundary.
    let line = "x".repeat(99) + "\n";
    let mut content = String::new();
    let mut expected = Vec::new();
    for (i, seed) in [(100usize, 1u64), (10_480, 2), (25_000, 3)] {
        while content.len() / 100 < i {
            content.push_str(&line);
        }
        let key = testkeys::key("api03", seed);
        content.push_str(&format!("k: {key}\n"));
        expected.push(content.matches('\n').count());
    }
    write(root, "big.log", &content);
    let run = claudit(
        root,
        &["scan", ".", "--format", "json", "--max-parse-size", "4096"],
    );
    let v = json(&run);
    let lines: Vec<usize> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["line"].as_u64().expect("line") as usize)
        .collect();
    assert_eq!(lines, expected);
    for f in v["findings"].as_array().expect("findings") {
        assert_eq!(f["column"], 4);
    }
    // Over --max-file-size: skipped, and said so.
    let run = claudit(root, &["scan", ".", "--max-file-size", "1000"]);
    assert_eq!(
        run.code, 3,
        "the only file was skipped, so zero files were read"
    );
    assert!(
        run.stderr.contains("big.log") && run.stderr.contains("max-file-size"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_key_across_the_stream_chunk_boundary_is_found_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = testkeys::key("api03", 30);
    for start in [(1 << 20) - 50, (1 << 20) - 4400, (1 << 20) + 10] {
        let (rules, column) = streamed_key(dir.path(), &"y".repeat(start - 1), &key);
        assert_eq!(rules, ["CLD101"], "start={start}");
        assert_eq!(column, Some(start as u64 + 1), "start={start}");
    }
}

/// Scans one file, `prefix`, a space, `key` and 5,000 more bytes, through
/// the streamed path (`--max-parse-size 4096`); the rules found and the
/// first finding's column.
fn streamed_key(dir: &std::path::Path, prefix: &str, key: &str) -> (Vec<String>, Option<u64>) {
    let content = format!("{prefix} {key}\n{}", "z".repeat(5000));
    write(dir, "one.txt", &content);
    let run = claudit(
        dir,
        &["scan", ".", "--format", "json", "--max-parse-size", "4096"],
    );
    let column = json(&run)["findings"][0]["column"].as_u64();
    (rule_ids(&run), column)
}

#[test]
fn stdin_is_scanned_as_the_named_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = format!("ANTHROPIC_API_KEY={}\n", testkeys::key("api03", 40));
    let run = claudit_with_stdin(
        dir.path(),
        &["scan", "-", "--stdin-path", ".env", "--format", "json"],
        Some(content.as_bytes()),
    );
    assert_eq!(run.code, 1);
    let v = json(&run);
    assert_eq!(v["findings"][0]["path"], ".env");
    assert_eq!(v["findings"][0]["rule_id"], "CLD101");
}

#[test]
fn stdin_over_the_size_limit_or_binary_is_skipped_not_cut() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The key sits past the limit: reading only the first bytes would miss it.
    let content = format!("{}\n{}\n", "x".repeat(200), testkeys::key("api03", 42));
    let run = claudit_with_stdin(
        dir.path(),
        &["scan", "-", "--max-file-size", "100", "--format", "json"],
        Some(content.as_bytes()),
    );
    let v = json(&run);
    assert_eq!(v["summary"]["files_skipped"], 1, "{}", run.stdout);
    assert_eq!(v["summary"]["files_scanned"], 0, "{}", run.stdout);
    assert!(run.stderr.contains("--max-file-size"), "{}", run.stderr);
    assert_eq!(run.code, 3, "zero files were read");
    // At the limit exactly it is scanned.
    let limit = content.len().to_string();
    let run = claudit_with_stdin(
        dir.path(),
        &["scan", "-", "--max-file-size", &limit, "--format", "json"],
        Some(content.as_bytes()),
    );
    assert_eq!(rule_ids(&run), ["CLD101"]);
    // --skip-binary holds for stdin too.
    let binary = format!("\0{}\n", testkeys::key("api03", 43));
    let run = claudit_with_stdin(
        dir.path(),
        &["scan", "-", "--skip-binary", "--format", "json"],
        Some(binary.as_bytes()),
    );
    let v = json(&run);
    assert_eq!(v["summary"]["files_skipped"], 1, "{}", run.stdout);
    assert!(run.stderr.contains("--skip-binary"), "{}", run.stderr);
    let run = claudit_with_stdin(
        dir.path(),
        &["scan", "-", "--format", "json"],
        Some(binary.as_bytes()),
    );
    assert_eq!(rule_ids(&run), ["CLD101"]);
}

#[test]
fn color_always_holds_when_piped_and_never_or_no_color_do_not_colour() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "notes.txt",
        format!("{}\n", testkeys::key("api03", 44)),
    );
    let run_with = |args: &[&str], no_color: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claudit"));
        cmd.current_dir(dir.path()).args(args);
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        let out = cmd.output().expect("run");
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let always = run_with(&["scan", ".", "--color", "always"], false);
    assert!(always.contains('\x1b'), "{always}");
    // An explicit choice wins over NO_COLOR.
    assert!(run_with(&["scan", ".", "--color", "always"], true).contains('\x1b'));
    for (args, no_color) in [
        (&["scan", ".", "--color", "never"][..], false),
        (&["scan", ".", "--color", "auto"][..], true),
        (&["scan", "."][..], false),
    ] {
        let text = run_with(args, no_color);
        assert!(
            text.contains("CLD101") && !text.contains('\x1b'),
            "{args:?}: {text}"
        );
    }
}

/// CLD112 judges `COPY . …` against the build context compose and dev
/// containers declare, not the Dockerfile's own folder.
#[test]
fn copy_all_uses_the_declared_build_context() {
    let cld112 = |root: &std::path::Path| -> Vec<(String, String, usize)> {
        let run = claudit(root, &["scan", ".", "--format", "json"]);
        json(&run)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule_id"] == "CLD112")
            .map(|f| {
                (
                    f["path"].as_str().unwrap_or("").to_string(),
                    f["message"].as_str().unwrap_or("").to_string(),
                    f["related"].as_array().map_or(0, Vec::len),
                )
            })
            .collect()
    };
    // compose: context `.`, Dockerfile in docker/.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "docker/Dockerfile", "FROM node\nCOPY . /app\n");
    write(
        root,
        "compose.yaml",
        "services:\n  app:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n",
    );
    write(root, ".env", "ANTHROPIC_API_KEY=${FROM_HOST}\n");
    write(root, ".credentials.json", "{}\n");
    let found = cld112(root);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "docker/Dockerfile");
    assert!(
        found[0].1.contains("`.credentials.json` and `.env`")
            && found[0].1.contains("`compose.yaml` service `app`"),
        "{}",
        found[0].1
    );
    assert_eq!(found[0].2, 1, "the compose context is a related location");
    // The context root's .dockerignore is the one that counts …
    write(root, "docker/.dockerignore", ".env\n.credentials.json\n");
    assert_eq!(cld112(root).len(), 1);
    write(root, ".dockerignore", ".env\n.credentials.json\n");
    assert_eq!(cld112(root), []);
    // … and `<Dockerfile>.dockerignore` beside the Dockerfile wins over it.
    write(root, "docker/Dockerfile.dockerignore", "node_modules\n");
    assert_eq!(cld112(root).len(), 1);

    // compose: a context that leaves the Dockerfile's folder out.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "docker/Dockerfile", "FROM node\nCOPY . /app\n");
    write(root, "docker/.env", "ANTHROPIC_API_KEY=${FROM_HOST}\n");
    write(root, "svc/main.js", "\n");
    write(
        root,
        "compose.yaml",
        "services:\n  app:\n    build:\n      context: ./svc\n      dockerfile: ../docker/Dockerfile\n",
    );
    assert_eq!(cld112(root), []);
    // Without compose, the Dockerfile's folder is the context.
    std::fs::remove_file(root.join("compose.yaml")).expect("rm");
    assert_eq!(cld112(root).len(), 1);

    // devcontainer: build.context `..` (relative to devcontainer.json).
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        ".devcontainer/Dockerfile",
        "FROM node\nCOPY . /work\n",
    );
    write(
        root,
        ".devcontainer/devcontainer.json",
        "{\"build\": {\"dockerfile\": \"Dockerfile\", \"context\": \"..\"}}\n",
    );
    write(root, ".env", "ANTHROPIC_API_KEY=${FROM_HOST}\n");
    let found = cld112(root);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("dev container"), "{}", found[0].1);
}

#[test]
fn nothing_is_written_into_the_scanned_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".env",
        format!("ANTHROPIC_API_KEY={}\n", testkeys::key("api03", 41)),
    );
    let before = std::fs::read_dir(dir.path()).expect("ls").count();
    claudit(dir.path(), &["scan", ".", "--format", "sarif"]);
    assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), before);
}

#[test]
fn output_file_gets_the_report_and_stderr_the_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "k.txt", testkeys::key("api03", 42));
    let target = out.path().join("r.json");
    let run = claudit(
        dir.path(),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--output",
            target.to_str().expect("utf8"),
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("1 file scanned"), "{}", run.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(target).expect("read")).expect("json");
    assert_eq!(v["findings"][0]["rule_id"], "CLD101");
}

#[test]
fn rules_and_explain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = claudit(dir.path(), &["rules"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("CLD101  anthropic-api-key"))
    );
    let run = claudit(dir.path(), &["explain", "CLD101"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Why it matters") && run.stdout.contains("How to fix"));
    let run = claudit(dir.path(), &["explain", "anthropic-api-key"]);
    assert_eq!(run.code, 0);
    assert_eq!(claudit(dir.path(), &["explain", "CLD999"]).code, 2);
}

#[test]
fn demo_runs_and_exits_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keep = dir.path().join("demo");
    let run = claudit(
        dir.path(),
        &[
            "demo",
            "--keep",
            keep.to_str().expect("utf8"),
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids = rule_ids(&run);
    // Every family: tokens, credential files, auth/routing, settings validity, posture.
    for id in [
        "CLD101", "CLD102", "CLD104", "CLD105", "CLD106", "CLD107", "CLD108", "CLD110", "CLD111",
        "CLD112", "CLD113", "CLD114", "CLD115", "CLD130", "CLD202", "CLD203", "CLD301", "CLD401",
        "CLD423", "CLD440",
    ] {
        assert!(ids.iter().any(|i| i == id), "demo lacks {id}: {ids:?}");
    }
    assert!(keep.join(".github/workflows/claude.yml").exists());
}

#[test]
fn this_repository_scans_clean() {
    let root = env!("CARGO_MANIFEST_DIR");
    let run = claudit(
        std::path::Path::new(root),
        &["scan", ".", "--format", "json"],
    );
    assert_eq!(rule_ids(&run), Vec::<String>::new(), "{}", run.stdout);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_large_committed_transcript_is_still_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut content = String::from("{\"type\":\"user\"}\n");
    let filler = "{\"type\":\"assistant\",\"message\":\"ok\"}\n";
    while content.len() < 20_000 {
        content.push_str(filler);
    }
    content.push_str(&format!(
        "{{\"content\":\"{}\"}}\n",
        testkeys::key("api03", 50)
    ));
    write(dir.path(), ".claude/projects/p/s.jsonl", &content);
    let run = claudit(
        dir.path(),
        &["scan", ".", "--format", "json", "--max-parse-size", "4096"],
    );
    assert_eq!(rule_ids(&run), ["CLD115", "CLD101"], "{}", run.stdout);
}

#[test]
fn token_findings_carry_the_logical_location_of_where_they_sit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = testkeys::key("api03", 60);
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        format!(
            "on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n      - run: |\n          curl -H 'x-api-key: {key}' https://example.com\n"
        ),
    );
    write(
        dir.path(),
        "Dockerfile",
        format!("FROM alpine AS base\nRUN echo {key} > /k\n"),
    );
    write(
        dir.path(),
        ".mcp.json",
        format!(
            "{{\"mcpServers\": {{\"a\": {{\"command\": \"srv\", \"args\": [\"--key\", \"{key}\"]}}}}}}\n"
        ),
    );
    let v = json(&claudit(dir.path(), &["scan", ".", "--format", "json"]));
    let logical: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or(""),
                f["logical_location"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        logical,
        [
            (".github/workflows/ci.yml", "jobs.build.steps[0].run"),
            (".mcp.json", "/mcpServers/a/args/1"),
            ("Dockerfile", "stage[0] base > RUN"),
        ]
    );
}

#[test]
fn markdown_summary_shows_findings_and_each_ci_contexts_auth() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".github/workflows/claude.yml",
        "on: pull_request\njobs:\n  review:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: anthropics/claude-code-action@v1\n        with:\n          claude_code_oauth_token: ${{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}\n",
    );
    write(dir.path(), "notes.txt", testkeys::key("api03", 80));
    let out = dir.path().join("counts");
    let run = claudit(
        dir.path(),
        &[
            "scan",
            ".",
            "--format",
            "markdown",
            "--report",
            &format!("counts={}", out.display()),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("## claudit: 1 error"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("`notes.txt:1`"), "{}", run.stdout);
    assert!(
        run.stdout.contains("### Claude Code auth per CI context"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("oauth-token"), "{}", run.stdout);
    let counts = std::fs::read_to_string(out).expect("counts written");
    assert!(counts.contains("findings=1\nerrors=1\n"), "{counts}");
    let bad = claudit(dir.path(), &["scan", ".", "--report", "yaml=x"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn markdown_matches_the_golden_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = testkeys::key("api03", 81);
    write(dir.path(), "a b/notes.txt", format!("first\nkey {key}\n"));
    write(dir.path(), "ok.txt", "nothing\n");
    // An ignored key: the summary says it was left out, and why.
    write(
        dir.path(),
        "fixture.py",
        format!(
            "# claudit: ignore[CLD101] revoked test key\nK = \"{}\"\n",
            testkeys::key("api03", 82)
        ),
    );
    let run = claudit(
        dir.path(),
        &[
            "scan",
            ".",
            "--format",
            "markdown",
            "--link-base",
            "https://github.com/o/r/blob/abc/",
        ],
    );
    // The golden report, assembled at run time around the redacted key.
    let redacted = claudit::secrets::redact(key.as_bytes(), 13);
    let golden = format!(
        "## claudit: 1 error, 0 warnings, 0 notes\n\n\
         3 files scanned. Secrets are shown redacted.\n\n\
         Not in this report: 1 finding — 1 ignored.\n\n\
         | Severity | Count |\n|---|---:|\n| 🔴 error | 1 |\n| 🟠 warning | 0 |\n| 🔵 note | 0 |\n\n\
         | | Rule | Location | Finding |\n|---|---|---|---|\n\
         | 🔴 | CLD101 anthropic-api-key | [a b/notes.txt:2](https://github.com/o/r/blob/abc/a%20b/notes.txt#L2) | \
         Anthropic API key `{redacted}` is committed in plain text; revoke it and load it from a secret store |\n"
    );
    assert_eq!(run.stdout, golden);
}

#[test]
fn a_closed_pipe_is_not_a_panic() {
    use std::process::{Command, Stdio};
    for args in [vec!["rules"], vec!["explain", "CLD203"], vec!["demo", "-q"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_claudit"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take()); // the reader goes away at once, like `| head -0`
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn text_frames_look_like_rustc_with_no_empty_origin_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".devcontainer/devcontainer.json",
        "{\n  \"image\": \"node:22\",\n  \"postCreateCommand\": \"npm i -g @anthropic-ai/claude-code\",\n  \"privileged\": true\n}\n",
    );
    let run = claudit(
        dir.path(),
        &[
            "scan",
            ".",
            "--no-ignore",
            "--format",
            "text",
            "--fail-on",
            "none",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("warning[CLD442]"))
        .unwrap_or_else(|| panic!("no CLD442 frame: {}", run.stdout));
    assert_eq!(
        lines[at + 1..at + 5],
        [
            " --> .devcontainer/devcontainer.json:4:17",
            "  |",
            "4 |   \"privileged\": true",
            "  |                 ^^^^ devcontainer-privileged (confidence: high) at /privileged",
        ],
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(":::"), "{}", run.stdout);
}

/// `(rule, path)` of every finding in a `--format json` run.
fn rules_at(run: &common::Run) -> Vec<(String, String)> {
    json(run)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn file_arguments_keep_their_project_context_and_config() {
    // What the pre-commit hook runs: `claudit scan --quiet --fail-on warning FILE...`
    // with the staged files, from the repository root.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        ".claude/settings.json",
        "{\"permissions\": {\"defaultMode\": \"bypassPermissions\"}}\n",
    );
    write(
        root,
        ".env.agent",
        "CLAUDE_CODE_OAUTH_TOKEN=from-the-vault-at-deploy\n",
    );
    write(
        root,
        "compose.yaml",
        "services:\n  agent:\n    image: node:20\n    env_file: .env.agent\n    environment:\n      ANTHROPIC_API_KEY: ${ANTHROPIC_API_KEY}\n",
    );
    write(
        root,
        "sub/app.py",
        format!("K = '{}'\n", testkeys::key("api03", 7)),
    );
    // The config at the repository root applies to files in sub-folders.
    write(root, ".claudit.toml", "[severity]\nCLD203 = \"error\"\n");
    git(root, &["add", "-A"]);

    let run = claudit(
        root,
        &[
            "scan",
            "--quiet",
            "--fail-on",
            "warning",
            "--format",
            "json",
            ".claude/settings.json",
            "compose.yaml",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = rules_at(&run);
    assert!(
        found.contains(&("CLD401".to_string(), ".claude/settings.json".to_string())),
        "settings keep their project scope: {found:?}"
    );
    let v = json(&run);
    let conflict: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "CLD203")
        .collect();
    assert_eq!(conflict.len(), 1, "compose reads its env_file: {found:?}");
    assert_eq!(conflict[0]["path"], "compose.yaml");
    assert_eq!(
        conflict[0]["severity"], "error",
        "the repository's .claudit.toml applies"
    );
    // Only the given files are reported: not the env_file read for context,
    // nor the key in an unrelated file.
    assert!(
        found
            .iter()
            .all(|(_, p)| p == ".claude/settings.json" || p == "compose.yaml"),
        "{found:?}"
    );

    // From a sub-folder, paths stay relative to the current directory and
    // the config is still the repository's.
    let sub = root.join("sub");
    let run = claudit(
        &sub,
        &["scan", "--format", "json", "app.py", "../compose.yaml"],
    );
    let found = rules_at(&run);
    assert!(
        found.contains(&("CLD101".to_string(), "app.py".to_string())),
        "{found:?}"
    );
    let compose = std::fs::canonicalize(root.join("compose.yaml")).expect("canonical");
    assert!(
        found.contains(&("CLD203".to_string(), compose.display().to_string())),
        "{found:?}"
    );

    // An ignored, untracked file given by name is still scanned.
    write(root, ".gitignore", "local.env\n");
    write(
        root,
        "local.env",
        format!("K={}\n", testkeys::key("api03", 8)),
    );
    let run = claudit(root, &["scan", "--format", "json", "local.env"]);
    assert_eq!(
        rules_at(&run),
        [("CLD101".to_string(), "local.env".to_string())]
    );
}

#[test]
fn notices_never_quote_a_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let key = testkeys::key("api03", 40);
    // A key on its own line reads as an unknown instruction.
    write(root, "Dockerfile", format!("FROM a\n{key}\n"));
    let middle = &key[20..key.len() - 8];
    let upper = middle.to_ascii_uppercase();
    for format in ["text", "json", "sarif"] {
        let run = claudit(
            root,
            &["scan", ".", "--format", format, "--fail-on", "none"],
        );
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.contains("misplaced instruction"), "{format}: {all}");
        assert!(
            !all.contains(middle) && !all.contains(&upper),
            "{format} output quotes the key in a notice"
        );
    }
    // A config error quoting the offending line masks the key too.
    write(root, ".claudit.toml", format!("{key} = 1\n"));
    let run = claudit(root, &["scan", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains(middle), "config error quotes the key");
}

#[test]
fn sarif_uris_are_relative_to_a_declared_srcroot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    write(
        &root,
        "sub dir/.env",
        format!("K={}\n", testkeys::key("api03", 41)),
    );
    let run = claudit(&root, &["scan", ".", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let sarif = json(&run);
    let run0 = &sarif["runs"][0];
    let base = run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("%SRCROOT% uri");
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    let expected = format!("file://{}/", root.display()).replace(' ', "%20");
    assert_eq!(base, expected);
    let location = &run0["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "sub%20dir/.env");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
}

#[test]
fn a_character_split_by_the_stream_chunk_boundary_counts_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = testkeys::key("api03", 42);
    // The first chunk keeps bytes from 1 MiB on: put each character across it.
    for (ch, units) in [("é", 1), ("€", 1), ("😀", 2)] {
        for before in 1..ch.len() {
            let prefix = format!("{}{ch}", "y".repeat((1 << 20) - before));
            let (rules, column) = streamed_key(dir.path(), &prefix, &key);
            assert_eq!(rules, ["CLD101"], "{ch} {before}");
            let expected = (1 << 20) - before + units + 2;
            assert_eq!(
                column,
                Some(expected as u64),
                "{ch} split after {before} bytes"
            );
        }
    }
}

#[test]
fn every_leaked_credential_finding_has_a_token_type_and_confidence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        ".credentials.json",
        r#"{"claudeAiOauth": {"accessToken": "a", "refreshToken": "b"}}"#,
    );
    write(
        root,
        ".claude.json",
        r#"{"oauthAccount": {"emailAddress": "u@example.invalid"}}"#,
    );
    write(root, ".claude/projects/p/s.jsonl", "{\"type\":\"user\"}\n");
    write(
        root,
        "Dockerfile",
        "FROM a\nARG ANTHROPIC_API_KEY\nCOPY .claude.json /root/\n",
    );
    let run = claudit(root, &["scan", ".", "--format", "json"]);
    let v = json(&run);
    let mut types = Vec::new();
    for f in v["findings"].as_array().expect("findings") {
        let id = f["rule_id"].as_str().expect("rule_id");
        if id.starts_with("CLD1") {
            let t = f["token_type"].as_str();
            assert!(
                t.is_some() && f["confidence"].is_string(),
                "{id} lacks a token type"
            );
            types.push((id.to_string(), t.unwrap_or("").to_string()));
        }
    }
    for (id, t) in [
        ("CLD111", "dockerfile-credential-variable"),
        ("CLD112", "credential-file-copy"),
        ("CLD113", "claude-credentials-file"),
        ("CLD114", "claude-state-oauth-account"),
        ("CLD115", "claude-transcript"),
    ] {
        assert!(
            types.contains(&(id.to_string(), t.to_string())),
            "{id} {t}: {types:?}"
        );
    }
    let sarif = json(&claudit(root, &["scan", ".", "--format", "sarif"]));
    for r in sarif["runs"][0]["results"].as_array().expect("results") {
        if r["ruleId"]
            .as_str()
            .is_some_and(|id| id.starts_with("CLD1"))
        {
            assert!(r["properties"]["tokenType"].is_string(), "{}", r["ruleId"]);
        }
    }
}

#[test]
fn a_dockerfiles_own_ignore_file_is_not_parsed_as_a_dockerfile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "Dockerfile", "FROM a\n");
    write(
        root,
        "Dockerfile.dockerignore",
        "node_modules\n*.log\n!keep.log\n",
    );
    write(root, "api.Dockerfile.dockerignore", "target\n");
    let run = claudit(root, &["scan", ".", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let notices = json(&run)["notices"].as_array().expect("notices").clone();
    assert!(notices.is_empty(), "{notices:?}");
    // Skipped files say "skipped" once.
    let run = claudit(root, &["scan", ".", "--max-file-size", "5"]);
    assert!(run.stderr.contains("note: skipped"), "{}", run.stderr);
    assert!(!run.stderr.contains("skipped: "), "{}", run.stderr);
}
