//! A local harness for `action.yml`: GitHub is not reachable from CI, so this
//! reads the composite action, runs its `run:` steps in order with bash in a
//! simulated runner environment, and records what each `uses:` step would
//! receive. The cache step is simulated as a hit with the binary under test,
//! so claudit is not built twice.
//!
//! Set `CLAUDIT_ACTION_SARIF=path` to keep a SARIF file the harness produced
//! (for `shared/tools/validate-sarif`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use claudit::formats::yaml::{self, Node};
use claudit::testkeys;
use common::{git, write};

/// One step of the composite action.
struct Step {
    id: Option<String>,
    name: String,
    uses: Option<String>,
    run: Option<String>,
    condition: Option<String>,
    env: Vec<(String, String)>,
    with: Vec<(String, String)>,
}

/// What a `uses:` step would have received.
#[derive(Debug)]
struct UsesCall {
    uses: String,
    ran: bool,
    with: BTreeMap<String, String>,
}

struct Outcome {
    exit: i32,
    outputs: BTreeMap<String, String>,
    summary: String,
    log: String,
    uses: Vec<UsesCall>,
}

struct Harness {
    action_path: PathBuf,
    workspace: PathBuf,
    temp: tempfile::TempDir,
    inputs: BTreeMap<String, String>,
    event: String,
    base_ref: Option<String>,
}

fn text(node: Option<&Node>) -> Option<String> {
    node.and_then(|n| n.as_str()).map(str::to_string)
}

fn pairs(node: Option<&Node>) -> Vec<(String, String)> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
            .collect()
    })
    .unwrap_or_default()
}

fn load_action(path: &Path) -> (Vec<(String, String)>, Vec<Step>) {
    let source = std::fs::read_to_string(path.join("action.yml")).expect("action.yml");
    let root = yaml::load(&source, false)
        .expect("valid YAML")
        .expect("a document");
    let defaults = root
        .get("inputs")
        .map(|inputs| {
            inputs
                .entries()
                .iter()
                .filter_map(|e| {
                    let name = e.key.as_str()?.to_string();
                    Some((name, text(e.value.get("default")).unwrap_or_default()))
                })
                .collect()
        })
        .unwrap_or_default();
    let steps = root
        .get("runs")
        .and_then(|r| r.get("steps"))
        .expect("runs.steps")
        .items()
        .iter()
        .map(|s| Step {
            id: text(s.get("id")),
            name: text(s.get("name")).unwrap_or_default(),
            uses: text(s.get("uses")),
            run: text(s.get("run")),
            condition: text(s.get("if")),
            env: pairs(s.get("env")),
            with: pairs(s.get("with")),
        })
        .collect();
    (defaults, steps)
}

impl Harness {
    fn new(workspace: &Path) -> Self {
        Harness {
            action_path: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            workspace: workspace.to_path_buf(),
            temp: tempfile::tempdir().expect("tempdir"),
            inputs: BTreeMap::new(),
            event: "push".into(),
            base_ref: None,
        }
    }

    fn input(mut self, name: &str, value: &str) -> Self {
        self.inputs.insert(name.into(), value.into());
        self
    }

    /// Expands `${{ … }}` with the contexts a composite action sees.
    fn expand(
        &self,
        value: &str,
        inputs: &BTreeMap<String, String>,
        steps: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> String {
        let mut out = String::new();
        let mut rest = value;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find("}}")
                .map(|e| start + e)
                .expect("closed expression");
            out.push_str(&self.eval(rest[start + 3..end].trim(), inputs, steps));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn eval(
        &self,
        expr: &str,
        inputs: &BTreeMap<String, String>,
        steps: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> String {
        let parts: Vec<&str> = expr.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => inputs.get(*name).cloned().unwrap_or_default(),
            ["steps", id, "outputs", name] => steps
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            ["github", "token"] => String::new(),
            ["github", "action_path"] => self.action_path.display().to_string(),
            ["runner", "temp"] => self.temp.path().display().to_string(),
            _ => panic!("the harness does not know the expression `{expr}`"),
        }
    }

    /// `A == 'x' && B != ''`: the only `if:` forms the action uses.
    fn condition(
        &self,
        expr: &str,
        inputs: &BTreeMap<String, String>,
        steps: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> bool {
        expr.split("&&").all(|clause| {
            let (lhs, rhs, equal) = match clause.split_once("!=") {
                Some((l, r)) => (l, r, false),
                None => {
                    let (l, r) = clause.split_once("==").expect("a comparison");
                    (l, r, true)
                }
            };
            let value = self.eval(lhs.trim(), inputs, steps);
            let literal = rhs.trim().trim_matches('\'');
            (value == literal) == equal
        })
    }

    fn run(self) -> Outcome {
        let (defaults, steps) = load_action(&self.action_path);
        let mut inputs: BTreeMap<String, String> = BTreeMap::new();
        let no_steps = BTreeMap::new();
        for (name, default) in defaults {
            let value = match self.inputs.get(&name) {
                Some(v) => v.clone(),
                None => self.expand(&default, &BTreeMap::new(), &no_steps),
            };
            inputs.insert(name, value);
        }
        let summary = self.temp.path().join("step-summary.md");
        std::fs::write(&summary, "").expect("summary file");
        let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut log = String::new();
        let mut uses = Vec::new();
        let mut exit = 0;
        for (i, step) in steps.iter().enumerate() {
            let ran = step
                .condition
                .as_deref()
                .is_none_or(|c| self.condition(c, &inputs, &step_outputs));
            if let Some(action) = &step.uses {
                let with: BTreeMap<String, String> = step
                    .with
                    .iter()
                    .map(|(k, v)| (k.clone(), self.expand(v, &inputs, &step_outputs)))
                    .collect();
                if ran && action.starts_with("actions/cache/restore@") {
                    // A warm cache: the binary under test is the restored build.
                    let bin = Path::new(&with["path"]).join("bin");
                    std::fs::create_dir_all(&bin).expect("cache dir");
                    std::fs::copy(env!("CARGO_BIN_EXE_claudit"), bin.join("claudit"))
                        .expect("copy binary");
                    if let Some(id) = &step.id {
                        step_outputs.insert(
                            id.clone(),
                            BTreeMap::from([("cache-hit".to_string(), "true".to_string())]),
                        );
                    }
                }
                uses.push(UsesCall {
                    uses: action.clone(),
                    ran,
                    with,
                });
                continue;
            }
            let script = step.run.as_deref().expect("run or uses");
            assert!(
                !script.contains("${{"),
                "step `{}` expands an expression inside run:",
                step.name
            );
            if !ran {
                continue;
            }
            let output_file = self.temp.path().join(format!("output-{i}"));
            std::fs::write(&output_file, "").expect("output file");
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
                .current_dir(&self.workspace)
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_ACTION_PATH", &self.action_path)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("GITHUB_EVENT_NAME", &self.event)
                .env("GITHUB_REPOSITORY", "octo/repo")
                .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
                .env("GITHUB_SERVER_URL", "https://github.com")
                .env("RUNNER_TEMP", self.temp.path())
                .env("RUNNER_OS", "Linux")
                .env("NO_COLOR", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env_remove("GITHUB_BASE_REF")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            if let Some(base) = &self.base_ref {
                cmd.env("GITHUB_BASE_REF", base);
            }
            for (k, v) in &step.env {
                cmd.env(k, self.expand(v, &inputs, &step_outputs));
            }
            let out = cmd.output().expect("bash runs");
            log.push_str(&format!("== {}\n", step.name));
            log.push_str(&String::from_utf8_lossy(&out.stdout));
            log.push_str(&String::from_utf8_lossy(&out.stderr));
            if let Some(id) = &step.id {
                let text = std::fs::read_to_string(&output_file).expect("outputs");
                step_outputs.insert(id.clone(), parse_outputs(&text));
            }
            if !out.status.success() {
                exit = out.status.code().unwrap_or(-1);
                break;
            }
        }
        let outputs = ["findings", "errors", "sarif-file"]
            .iter()
            .map(|k| {
                let v = step_outputs
                    .get("scan")
                    .and_then(|o| o.get(*k))
                    .cloned()
                    .unwrap_or_default();
                (k.to_string(), v)
            })
            .collect();
        Outcome {
            exit,
            outputs,
            summary: std::fs::read_to_string(&summary).expect("summary"),
            log,
            uses,
        }
    }
}

/// `key=value` lines and `key<<EOF … EOF` blocks, as `$GITHUB_OUTPUT` holds them.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((key, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            out.insert(key.to_string(), value.join("\n"));
        } else if let Some((key, value)) = line.split_once('=') {
            out.insert(key.to_string(), value.to_string());
        }
    }
    out
}

fn sarif_results(workspace: &Path, file: &str) -> Vec<serde_json::Value> {
    let path = workspace.join(file);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("SARIF written"))
            .expect("JSON");
    if let Ok(keep) = std::env::var("CLAUDIT_ACTION_SARIF") {
        std::fs::copy(&path, keep).expect("keep SARIF");
    }
    v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn cld101(results: &[serde_json::Value]) -> usize {
    results.iter().filter(|r| r["ruleId"] == "CLD101").count()
}

fn upload_call(outcome: &Outcome) -> &UsesCall {
    outcome
        .uses
        .iter()
        .find(|u| u.uses.starts_with("github/codeql-action/upload-sarif@"))
        .expect("an upload step")
}

#[test]
fn every_third_party_action_is_pinned_by_sha_and_inputs_go_through_env() {
    let (_, steps) = load_action(Path::new(env!("CARGO_MANIFEST_DIR")));
    for step in &steps {
        if let Some(uses) = &step.uses {
            let sha = uses.split_once('@').map(|(_, r)| r).unwrap_or("");
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{uses} is not pinned by commit SHA"
            );
        }
        if let Some(run) = &step.run {
            assert!(
                !run.contains("${{"),
                "step `{}` expands inputs in run:",
                step.name
            );
        }
    }
}

/// `actions/cache` saves in a post step that runs only when the job succeeds,
/// so a failing gate would never cache the build: the action restores and
/// saves explicitly, the save right after the build and skipped on a hit.
#[test]
fn the_build_is_cached_right_after_it_is_built() {
    let (_, steps) = load_action(Path::new(env!("CARGO_MANIFEST_DIR")));
    let uses = |s: &Step| s.uses.clone().unwrap_or_default();
    assert!(
        !steps.iter().any(|s| uses(s).starts_with("actions/cache@")),
        "actions/cache saves only when the job succeeds"
    );
    let restore = steps
        .iter()
        .position(|s| uses(s).starts_with("actions/cache/restore@"))
        .expect("a restore step");
    let build = steps
        .iter()
        .position(|s| s.name.starts_with("Build claudit"))
        .expect("a build step");
    let save = steps
        .iter()
        .position(|s| uses(s).starts_with("actions/cache/save@"))
        .expect("a save step");
    assert!(
        restore < build && save == build + 1,
        "save right after the build"
    );
    let sha = |i: usize| uses(&steps[i]).split_once('@').map(|(_, r)| r.to_string());
    assert_eq!(sha(restore), sha(save), "one pinned actions/cache commit");
    assert_eq!(steps[restore].with, steps[save].with, "same path and key");
    let id = steps[restore]
        .id
        .as_deref()
        .expect("the restore step has an id");
    assert_eq!(
        steps[save].condition.as_deref(),
        Some(format!("steps.{id}.outputs.cache-hit != 'true'").as_str()),
        "skipped on a cache hit"
    );
    // In the simulated run the cache hits: nothing is saved.
    let ws = tempfile::tempdir().expect("tempdir");
    write(ws.path(), "README.md", "nothing here\n");
    let outcome = Harness::new(ws.path()).run();
    let saved = outcome
        .uses
        .iter()
        .find(|u| u.uses.starts_with("actions/cache/save@"))
        .expect("the save step is recorded");
    assert!(!saved.ran, "a cache hit is not saved again");
}

#[test]
fn clean_tree_passes_with_an_empty_sarif_and_a_summary() {
    let ws = tempfile::tempdir().expect("tempdir");
    write(ws.path(), "README.md", "nothing here\n");
    let outcome = Harness::new(ws.path()).run();
    assert_eq!(outcome.exit, 0, "{}", outcome.log);
    assert_eq!(outcome.outputs["findings"], "0");
    assert_eq!(outcome.outputs["errors"], "0");
    assert_eq!(outcome.outputs["sarif-file"], "claudit.sarif");
    assert!(sarif_results(ws.path(), "claudit.sarif").is_empty());
    assert!(
        outcome.summary.contains("no findings"),
        "{}",
        outcome.summary
    );
    // Offline, `auto` finds no code scanning: no upload, annotations instead.
    assert!(!upload_call(&outcome).ran);
}

#[test]
fn findings_fail_only_after_the_sarif_is_uploaded() {
    let ws = tempfile::tempdir().expect("tempdir");
    write(
        ws.path(),
        ".env",
        format!("ANTHROPIC_API_KEY={}\n", testkeys::key("api03", 70)),
    );
    let outcome = Harness::new(ws.path())
        .input("upload-sarif", "true")
        .input("format", "json")
        .run();
    assert_eq!(outcome.exit, 1, "{}", outcome.log);
    let upload = upload_call(&outcome);
    assert!(upload.ran, "the upload runs before the gate fails");
    assert_eq!(upload.with["sarif_file"], "claudit.sarif");
    // The key (CLD101) and a note that a root `.env` sets an auth variable (CLD219).
    assert_eq!(outcome.outputs["findings"], "2");
    assert_eq!(outcome.outputs["errors"], "1");
    assert_eq!(cld101(&sarif_results(ws.path(), "claudit.sarif")), 1);
    assert!(
        ws.path().join("claudit.json").exists(),
        "format extras are written"
    );
    assert!(outcome.summary.contains("CLD101"), "{}", outcome.summary);
    assert!(
        outcome
            .summary
            .contains("https://github.com/octo/repo/blob/"),
        "summary links to the file"
    );
    // Uploading: no annotations by default.
    assert!(!outcome.log.contains("::error file="), "{}", outcome.log);
    let key = testkeys::key("api03", 70);
    assert!(!outcome.log.contains(&key[20..80]) && !outcome.summary.contains(&key[20..80]));
}

#[test]
fn fail_on_none_reports_and_passes_with_annotations() {
    let ws = tempfile::tempdir().expect("tempdir");
    write(
        ws.path(),
        ".env",
        format!("ANTHROPIC_API_KEY={}\n", testkeys::key("api03", 71)),
    );
    let outcome = Harness::new(ws.path()).input("fail-on", "none").run();
    assert_eq!(outcome.exit, 0, "{}", outcome.log);
    assert_eq!(outcome.outputs["errors"], "1");
    assert!(
        outcome.log.contains("::error file=.env,line=1"),
        "{}",
        outcome.log
    );
}

#[test]
fn pull_request_gate_covers_changed_files_but_sarif_the_whole_tree() {
    let ws = tempfile::tempdir().expect("tempdir");
    let root = ws.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, "old.txt", testkeys::key("api03", 72));
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "old"]);
    git(root, &["checkout", "-qb", "feature"]);
    write(
        root,
        "new.env",
        format!("ANTHROPIC_API_KEY={}\n", testkeys::key("api03", 73)),
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "new"]);
    let mut harness = Harness::new(root).input("upload-sarif", "false");
    harness.event = "pull_request".into();
    harness.base_ref = Some("main".into());
    let outcome = harness.run();
    assert_eq!(outcome.exit, 1, "{}", outcome.log);
    assert_eq!(
        outcome.outputs["errors"], "1",
        "only the changed file gates"
    );
    assert_eq!(
        cld101(&sarif_results(root, "claudit.sarif")),
        2,
        "SARIF covers the whole tree"
    );
    assert!(outcome.summary.contains("new.env"), "{}", outcome.summary);
    assert!(!outcome.summary.contains("old.txt"), "{}", outcome.summary);
}
