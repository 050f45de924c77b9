//! Effective environment: the CLD2xx rules on fixtures built at run time,
//! each rule in each kind of file it applies to, positive and negative;
//! `claudit env` in text and JSON; the `[policy]` section; SARIF with
//! related locations.

mod common;

use std::path::Path;

use claudit::config::Config;
use claudit::finding::{Finding, Severity};
use claudit::scan::{self, ScanOptions};
use claudit::testkeys;
use common::{claudit, git, json, write};

/// Writes `files` into a fresh folder and scans it (with its `.claudit.toml`).
fn scan_files(files: &[(&str, &str)]) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        write(dir.path(), path, content);
    }
    scan_dir(dir.path())
}

fn scan_dir(root: &Path) -> Vec<Finding> {
    let (config, _) = Config::load(None, Some(root)).expect("config");
    scan::scan(&ScanOptions {
        paths: vec![root.to_path_buf()],
        threads: 1,
        policy: config.policy,
        ..ScanOptions::default()
    })
    .expect("scan")
    .findings
}

fn of<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule_id == rule).collect()
}

/// Asserts that `rule` fires exactly `count` times, and returns those findings.
#[track_caller]
fn expect<'a>(findings: &'a [Finding], rule: &str, count: usize) -> Vec<&'a Finding> {
    let hits = of(findings, rule);
    let all: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}: {}", f.rule_id, f.path, f.message))
        .collect();
    assert_eq!(hits.len(), count, "{rule}: {all:#?}");
    hits
}

fn ends_with(f: &Finding, suffix: &str) -> bool {
    f.path.ends_with(suffix)
}

const ACTION: &str = "anthropics/claude-code-action@v1";

fn workflow(body: &str) -> String {
    format!("on: pull_request\n{body}")
}

// ------------------------------------------------------------- CLD201

#[test]
fn multiple_providers_per_context() {
    // Workflow job env: warning; the winner is the primary, the other related.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(
            "jobs:\n  j:\n    runs-on: x\n    env:\n      CLAUDE_CODE_USE_VERTEX: \"1\"\n      CLAUDE_CODE_USE_BEDROCK: \"true\"\n    steps:\n      - run: claude -p hi\n",
        ),
    )]);
    let hit = expect(&f, "CLD201", 1)[0];
    assert_eq!(hit.severity, Severity::Warning);
    assert_eq!(
        hit.logical.as_deref(),
        Some("jobs.j.env.CLAUDE_CODE_USE_BEDROCK")
    );
    assert_eq!(hit.related.len(), 1);
    assert!(hit.message.contains("UNCERTAIN"), "{}", hit.message);
    // In claude-code-action inputs: the action refuses, an error.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          use_bedrock: true\n          use_vertex: true\n"
        )),
    )]);
    assert_eq!(expect(&f, "CLD201", 1)[0].severity, Severity::Error);
    // Documented precedence: Foundry over Claude Platform on AWS.
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"env": {"CLAUDE_CODE_USE_ANTHROPIC_AWS": "1", "CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_RESOURCE": "r", "ANTHROPIC_AWS_WORKSPACE_ID": "w"}}"#,
    )]);
    let hit = expect(&f, "CLD201", 1)[0];
    assert!(hit.message.contains("documented"), "{}", hit.message);
    assert_eq!(hit.logical.as_deref(), Some("/env/CLAUDE_CODE_USE_FOUNDRY"));
    // Across files: the Dockerfile's switch and the compose service's.
    let f = scan_files(&[
        (
            "compose.yaml",
            "services:\n  s:\n    build: ./img\n    environment:\n      CLAUDE_CODE_USE_VERTEX: 1\n",
        ),
        (
            "img/Dockerfile",
            "FROM node\nENV CLAUDE_CODE_USE_BEDROCK=1\n",
        ),
    ]);
    let hit = expect(&f, "CLD201", 1)[0];
    assert!(ends_with(hit, "img/Dockerfile"), "{}", hit.path);
    assert!(hit.related[0].path.ends_with("compose.yaml"));
    // Devcontainer: image ENV and containerEnv.
    let f = scan_files(&[
        (
            ".devcontainer/devcontainer.json",
            r#"{"build": {"dockerfile": "Dockerfile"}, "containerEnv": {"CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_RESOURCE": "r"}}"#,
        ),
        (
            ".devcontainer/Dockerfile",
            "FROM node\nENV CLAUDE_CODE_USE_VERTEX=yes\n",
        ),
    ]);
    expect(&f, "CLD201", 1);
    // A root dotenv file.
    let f = scan_files(&[(
        ".env",
        "CLAUDE_CODE_USE_BEDROCK=1\nCLAUDE_CODE_USE_VERTEX=on\n",
    )]);
    expect(&f, "CLD201", 1);
}

#[test]
fn separate_contexts_pairs_and_empty_switches_are_not_conflicts() {
    let f = scan_files(&[
        (
            ".github/workflows/a.yml",
            &workflow(
                "env:\n  CLAUDE_CODE_USE_BEDROCK: \"1\"\njobs:\n  a:\n    runs-on: x\n    env:\n      CLAUDE_CODE_USE_MANTLE: \"1\"\n    steps:\n      - run: claude -p hi\n  b:\n    runs-on: x\n    env:\n      CLAUDE_CODE_USE_BEDROCK: \"\"\n      CLAUDE_CODE_USE_VERTEX: \"1\"\n    steps:\n      - run: claude -p hi\n  c:\n    runs-on: x\n    steps:\n      - run: claude -p hi\n        env:\n          CLAUDE_CODE_USE_BEDROCK: \"0\"\n          CLAUDE_CODE_USE_FOUNDRY: \"1\"\n          ANTHROPIC_FOUNDRY_RESOURCE: r\n",
            ),
        ),
        // Two services are two contexts; a template is documentation.
        (
            "compose.yaml",
            "services:\n  a:\n    image: x\n    environment: {CLAUDE_CODE_USE_BEDROCK: 1}\n  b:\n    image: x\n    environment: {CLAUDE_CODE_USE_VERTEX: 1}\n",
        ),
        (
            ".env.example",
            "CLAUDE_CODE_USE_BEDROCK=1\nCLAUDE_CODE_USE_VERTEX=1\n",
        ),
    ]);
    expect(&f, "CLD201", 0);
}

// ------------------------------------------------------------- CLD202

#[test]
fn provider_makes_first_party_variables_dead() {
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    env:\n      AWS_REGION: us-east-1\n      ANTHROPIC_BASE_URL: https://gw.example.com\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-region: us-east-1\n      - uses: {ACTION}\n        with:\n          use_bedrock: \"true\"\n          anthropic_api_key: ${{{{ secrets.K }}}}\n"
        )),
    )]);
    let hits = expect(&f, "CLD202", 2);
    let logical: Vec<&str> = hits.iter().filter_map(|h| h.logical.as_deref()).collect();
    assert!(
        logical.contains(&"jobs.j.steps[1].with.anthropic_api_key"),
        "{logical:?}"
    );
    assert!(
        logical.contains(&"jobs.j.env.ANTHROPIC_BASE_URL"),
        "{logical:?}"
    );
    assert!(hits.iter().all(|h| h.related.len() == 1));
    // Settings and a Dockerfile.
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "ANTHROPIC_AUTH_TOKEN": "${T}"}, "apiKeyHelper": "k.sh"}"#,
    )]);
    let hits = expect(&f, "CLD202", 2);
    assert!(hits.iter().any(|h| h.message.contains("2.1.101")));
    let f = scan_files(&[(
        "Dockerfile",
        "FROM x\nENV CLAUDE_CODE_USE_VERTEX=1 CLAUDE_CODE_OAUTH_TOKEN=\"\" ANTHROPIC_API_KEY=$K\nARG K\n",
    )]);
    // The OAuth token is empty (unset); the key references an ARG declared after it: empty.
    expect(&f, "CLD202", 0);
    // Behind a gateway with skip-auth, a bearer token may be the gateway's credential.
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "CLAUDE_CODE_SKIP_BEDROCK_AUTH": "1", "ANTHROPIC_BEDROCK_BASE_URL": "https://gw.example.com", "ANTHROPIC_AUTH_TOKEN": "${T}"}}"#,
    )]);
    expect(&f, "CLD202", 0);
    // Compose pass-through: one severity lower.
    let f = scan_files(&[(
        "compose.yaml",
        "services:\n  s:\n    image: x\n    environment:\n      - CLAUDE_CODE_USE_VERTEX=1\n      - ANTHROPIC_API_KEY\n",
    )]);
    assert_eq!(expect(&f, "CLD202", 1)[0].severity, Severity::Note);
}

// ------------------------------------------------------------- CLD203

#[test]
fn api_key_beats_oauth_token() {
    // Both action inputs: error in CI, the key is the primary.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_api_key: ${{{{ secrets.K }}}}\n          claude_code_oauth_token: ${{{{ secrets.T }}}}\n"
        )),
    )]);
    let hit = expect(&f, "CLD203", 1)[0];
    // Two secrets: an undefined one expands to "", so the conflict holds
    // only once both are defined — one level below error, and said so.
    assert_eq!(hit.severity, Severity::Warning);
    assert!(
        hit.message
            .contains("if both secrets are defined, the API key wins"),
        "{}",
        hit.message
    );
    assert_eq!(
        hit.logical.as_deref(),
        Some("jobs.j.steps[0].with.anthropic_api_key")
    );
    assert!(hit.message.contains("billed"), "{}", hit.message);
    assert!(hit.related[0].message.contains("ignored"));
    // A secret next to a value written in the workflow: both certainly
    // set, an error in CI.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_api_key: ${{{{ secrets.K }}}}\n          claude_code_oauth_token: gw-token-written-here\n"
        )),
    )]);
    let hit = expect(&f, "CLD203", 1)[0];
    assert_eq!(hit.severity, Severity::Error);
    assert!(hit.message.contains("are both set."), "{}", hit.message);
    // Key in the job env, token as input; federation inputs too.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "permissions:\n  id-token: write\njobs:\n  j:\n    runs-on: x\n    env:\n      ANTHROPIC_API_KEY: ${{{{ secrets.K }}}}\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_federation_rule_id: fdrl_1\n          anthropic_organization_id: org\n"
        )),
    )]);
    assert!(expect(&f, "CLD203", 1)[0].message.contains("federation"));
    // Compose: a literal-ish default and a pass-through: lowered to a note.
    let f = scan_files(&[(
        "docker-compose.yml",
        "services:\n  s:\n    image: x\n    environment:\n      ANTHROPIC_API_KEY: ${KEY:-from-default}\n      CLAUDE_CODE_OAUTH_TOKEN:\n",
    )]);
    assert_eq!(expect(&f, "CLD203", 1)[0].severity, Severity::Note);
    // Settings local overriding project: still both present.
    let f = scan_files(&[
        (
            ".claude/settings.json",
            r#"{"env": {"CLAUDE_CODE_OAUTH_TOKEN": "${TOKEN}"}}"#,
        ),
        (
            ".claude/settings.local.json",
            r#"{"env": {"ANTHROPIC_API_KEY": "k-local"}}"#,
        ),
    ]);
    expect(&f, "CLD203", 1);
}

#[test]
fn api_key_and_oauth_in_separate_places_are_fine() {
    let f = scan_files(&[
        (
            ".github/workflows/a.yml",
            &workflow(&format!(
                "jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_api_key: ${{{{ secrets.K }}}}\n  b:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          claude_code_oauth_token: ${{{{ secrets.T }}}}\n          anthropic_api_key: \"\"\n"
            )),
        ),
        (
            "compose.yaml",
            "services:\n  s:\n    image: x\n    environment:\n      - ANTHROPIC_API_KEY\n      - CLAUDE_CODE_OAUTH_TOKEN=${CLAUDE_CODE_OAUTH_TOKEN:-}\n",
        ),
        (
            ".env.example",
            "ANTHROPIC_API_KEY=your-key\nCLAUDE_CODE_OAUTH_TOKEN=your-token\n",
        ),
    ]);
    expect(&f, "CLD203", 0);
}

// ------------------------------------------------------------- CLD204

#[test]
fn auth_token_beats_api_key_except_the_gateway_recipe() {
    let f = scan_files(&[(
        ".claude/settings.local.json",
        r#"{"env": {"ANTHROPIC_AUTH_TOKEN": "ollama", "ANTHROPIC_API_KEY": "k2"}}"#,
    )]);
    let hit = expect(&f, "CLD204", 1)[0];
    assert_eq!(hit.logical.as_deref(), Some("/env/ANTHROPIC_AUTH_TOKEN"));
    assert_eq!(hit.severity, Severity::Warning);
    let recipe = |secret: &str| {
        workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    env:\n      ANTHROPIC_BASE_URL: https://gw.example.com\n      ANTHROPIC_AUTH_TOKEN: ${{{{ secrets.GW }}}}\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_api_key: ${{{{ secrets.{secret} }}}}\n"
        ))
    };
    expect(
        &scan_files(&[(".github/workflows/a.yml", &recipe("GW"))]),
        "CLD204",
        0,
    );
    expect(
        &scan_files(&[(".github/workflows/a.yml", &recipe("OTHER"))]),
        "CLD204",
        1,
    );
}

// ------------------------------------------------------------- CLD205

#[test]
fn api_key_helper_with_env_credentials() {
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"apiKeyHelper": "k.sh", "env": {"CLAUDE_CODE_OAUTH_TOKEN": "${T}"}}"#,
    )]);
    // The helper wins over the OAuth token: it is the primary.
    let hit = expect(&f, "CLD205", 1)[0];
    assert_eq!(hit.logical.as_deref(), Some("/apiKeyHelper"));
    // Across files: the repository's settings apply where the action runs Claude.
    let wf = workflow(&format!(
        "jobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - uses: {ACTION}\n        with:\n          anthropic_api_key: ${{{{ secrets.K }}}}\n  other:\n    runs-on: x\n    env:\n      ANTHROPIC_API_KEY: ${{{{ secrets.K }}}}\n    steps:\n      - run: npm test\n"
    ));
    let f = scan_files(&[
        (".github/workflows/a.yml", &wf),
        (".claude/settings.json", r#"{"apiKeyHelper": "k.sh"}"#),
    ]);
    let hit = expect(&f, "CLD205", 1)[0];
    assert!(ends_with(hit, "a.yml") && hit.related[0].path.ends_with("settings.json"));
    // Devcontainer plus the repository's settings.
    let f = scan_files(&[
        (
            ".devcontainer/devcontainer.json",
            r#"{"image": "x", "remoteEnv": {"ANTHROPIC_AUTH_TOKEN": "${localEnv:GW}"}}"#,
        ),
        (".claude/settings.json", r#"{"apiKeyHelper": "k.sh"}"#),
    ]);
    // The token comes from the host only: one severity lower.
    assert_eq!(expect(&f, "CLD205", 1)[0].severity, Severity::Note);
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"apiKeyHelper": "k.sh", "env": {"ANTHROPIC_MODEL": "x"}}"#,
    )]);
    expect(&f, "CLD205", 0);
}

// ------------------------------------------------------ CLD206 – CLD208

#[test]
fn provider_header_and_skip_auth_rules() {
    let f = scan_files(&[(
        "compose.yaml",
        "services:\n  s:\n    image: x\n    environment:\n      CLAUDE_CODE_USE_BEDROCK: \"1\"\n      ANTHROPIC_CUSTOM_HEADERS: \"authorization: Bearer abc\"\n",
    )]);
    expect(&f, "CLD206", 1);
    let f = scan_files(&[(
        "compose.yaml",
        "services:\n  s:\n    image: x\n    environment:\n      CLAUDE_CODE_USE_BEDROCK: \"1\"\n      ANTHROPIC_CUSTOM_HEADERS: \"X-Team: a\"\n",
    )]);
    expect(&f, "CLD206", 0);

    // CLD207 in a Dockerfile, settings and a workflow; quiet with the gateway URL or the provider off.
    let f = scan_files(&[(
        "Dockerfile",
        "FROM x\nENV CLAUDE_CODE_USE_VERTEX=1 CLAUDE_CODE_SKIP_VERTEX_AUTH=1\n",
    )]);
    expect(&f, "CLD207", 1);
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"env": {"CLAUDE_CODE_SKIP_MANTLE_AUTH": "true"}}"#,
    )]);
    expect(&f, "CLD207", 1);
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(
            "jobs:\n  j:\n    runs-on: x\n    env:\n      CLAUDE_CODE_USE_ANTHROPIC_AWS: 1\n      ANTHROPIC_AWS_WORKSPACE_ID: w\n      CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH: 1\n    steps:\n      - run: claude -p x\n",
        ),
    )]);
    expect(&f, "CLD207", 1);
    let f = scan_files(&[
        (
            "Dockerfile",
            "FROM x\nENV CLAUDE_CODE_USE_VERTEX=1 CLAUDE_CODE_SKIP_VERTEX_AUTH=1 ANTHROPIC_VERTEX_BASE_URL=https://gw.example.com\n",
        ),
        (
            ".claude/settings.json",
            r#"{"env": {"CLAUDE_CODE_USE_BEDROCK": "0", "CLAUDE_CODE_SKIP_BEDROCK_AUTH": "1"}}"#,
        ),
    ]);
    expect(&f, "CLD207", 0);

    // CLD208: the Foundry key wins and is the primary.
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"env": {"CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_RESOURCE": "r", "CLAUDE_CODE_SKIP_FOUNDRY_AUTH": "1", "ANTHROPIC_FOUNDRY_AUTH_TOKEN": "${T}"}}"#,
    )]);
    let hit = expect(&f, "CLD208", 1)[0];
    assert_eq!(
        hit.logical.as_deref(),
        Some("/env/ANTHROPIC_FOUNDRY_AUTH_TOKEN")
    );
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"env": {"CLAUDE_CODE_USE_FOUNDRY": "1", "ANTHROPIC_FOUNDRY_RESOURCE": "r", "CLAUDE_CODE_SKIP_FOUNDRY_AUTH": "1"}}"#,
    )]);
    expect(&f, "CLD208", 0);
}

// ------------------------------------------------------------- CLD209

#[test]
fn missing_companions() {
    let action = |with: &str, env: &str, pre: &str| {
        workflow(&format!(
            "permissions:\n  id-token: write\njobs:\n  j:\n    runs-on: x\n    env:\n      X: y\n{env}    steps:\n{pre}      - uses: {ACTION}\n        with:\n{with}"
        ))
    };
    // Bedrock in the action without a region: error.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &action("          use_bedrock: \"true\"\n", "", ""),
    )]);
    let hit = expect(&f, "CLD209", 1)[0];
    assert_eq!(hit.severity, Severity::Error);
    assert!(hit.message.contains("AWS_REGION") && hit.message.contains("credentials"));
    // An earlier configure-aws-credentials step with aws-region counts for both.
    let pre = "      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: r\n          aws-region: eu-west-1\n";
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &action("          use_bedrock: \"true\"\n", "", pre),
    )]);
    expect(&f, "CLD209", 0);
    // Only the credentials missing: a warning.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &action(
            "          use_bedrock: \"true\"\n",
            "      AWS_DEFAULT_REGION: eu-west-1\n",
            "",
        ),
    )]);
    assert_eq!(expect(&f, "CLD209", 1)[0].severity, Severity::Warning);
    // Vertex: region missing although an auth step gives the project.
    let pre = "      - uses: google-github-actions/auth@v2\n        with:\n          workload_identity_provider: p\n";
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &action("          use_vertex: \"true\"\n", "", pre),
    )]);
    assert!(
        expect(&f, "CLD209", 1)[0]
            .message
            .contains("CLOUD_ML_REGION")
    );
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &action(
            "          use_vertex: \"true\"\n",
            "      CLOUD_ML_REGION: us-east5\n",
            pre,
        ),
    )]);
    expect(&f, "CLD209", 0);
    // Foundry and Claude Platform on AWS everywhere, one step lower outside CI.
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"env": {"CLAUDE_CODE_USE_FOUNDRY": "1"}}"#,
    )]);
    assert_eq!(expect(&f, "CLD209", 1)[0].severity, Severity::Warning);
    let f = scan_files(&[(
        "compose.yaml",
        "services:\n  s:\n    image: x\n    environment:\n      CLAUDE_CODE_USE_ANTHROPIC_AWS: 1\n",
    )]);
    expect(&f, "CLD209", 1);
    // Outside the action the CLI has fallbacks for Bedrock and Vertex.
    let f = scan_files(&[
        ("Dockerfile", "FROM x\nENV CLAUDE_CODE_USE_BEDROCK=1\n"),
        (".env", "CLAUDE_CODE_USE_VERTEX=1\n"),
    ]);
    expect(&f, "CLD209", 0);
}

// ------------------------------------------------------ CLD210 / CLD211

#[test]
fn switch_values() {
    let f = scan_files(&[
        (
            "compose.yaml",
            "services:\n  s:\n    image: x\n    environment:\n      - CLAUDE_CODE_USE_BEDROCK=\"1\"\n",
        ),
        (".env", "CLAUDE_CODE_SKIP_VERTEX_AUTH=always\n"),
        ("Dockerfile", "FROM x\nENV CLAUDE_CODE_USE_VERTEX=enabled\n"),
        (
            ".claude/settings.json",
            r#"{"env": {"CLAUDE_CODE_USE_FOUNDRY": 2, "DISABLE_TELEMETRY": "false", "DO_NOT_TRACK": "0"}}"#,
        ),
        (
            ".devcontainer/devcontainer.json",
            r#"{"image": "x", "containerEnv": {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "0"}}"#,
        ),
    ]);
    let hits = expect(&f, "CLD210", 4);
    assert!(
        hits.iter()
            .any(|h| h.message.contains("quotes are part of the value"))
    );
    expect(&f, "CLD211", 2);
    let f = scan_files(&[(
        "compose.yaml",
        "services:\n  s:\n    image: x\n    environment:\n      CLAUDE_CODE_USE_BEDROCK: \" Yes \"\n      CLAUDE_CODE_USE_VERTEX: \"\"\n      DISABLE_TELEMETRY: \"1\"\n",
    )]);
    expect(&f, "CLD210", 0);
    expect(&f, "CLD211", 0);
}

// ------------------------------------------------------ CLD212 – CLD214

#[test]
fn claude_code_action_inputs() {
    let f = scan_files(&[
        (
            ".github/workflows/a.yml",
            &workflow(&format!(
                "jobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          use_vertex: \"yes\"\n          use_foundry: False\n"
            )),
        ),
        (
            "action.yml",
            "name: x\nruns:\n  using: composite\n  steps:\n    - uses: anthropics/claude-code-base-action@beta\n      with:\n        use_bedrock: \"1\"\n",
        ),
    ]);
    let hits = expect(&f, "CLD212", 2);
    assert!(hits.iter().any(|h| ends_with(h, "action.yml")));
    // CLD213: a switch in env overridden by the action; quiet with the input.
    let wf = |with: &str| {
        workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    env:\n      CLAUDE_CODE_USE_VERTEX: \"1\"\n      CLOUD_ML_REGION: r\n      ANTHROPIC_VERTEX_PROJECT_ID: p\n    steps:\n      - uses: {ACTION}\n{with}"
        ))
    };
    let f = scan_files(&[(".github/workflows/a.yml", &wf(""))]);
    let hit = expect(&f, "CLD213", 1)[0];
    assert_eq!(
        hit.logical.as_deref(),
        Some("jobs.j.env.CLAUDE_CODE_USE_VERTEX")
    );
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &wf("        with:\n          use_vertex: true\n"),
    )]);
    expect(&f, "CLD213", 0);
    // CLD214: auth token alone; federation half set; federation without id-token.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    env:\n      ANTHROPIC_AUTH_TOKEN: ${{{{ secrets.GW }}}}\n    steps:\n      - uses: {ACTION}\n"
        )),
    )]);
    expect(&f, "CLD214", 1);
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "permissions:\n  id-token: write\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_federation_rule_id: fdrl_1\n"
        )),
    )]);
    assert!(expect(&f, "CLD214", 1)[0].message.contains("half"));
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    permissions:\n      contents: read\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_federation_rule_id: fdrl_1\n          anthropic_organization_id: o\n"
        )),
    )]);
    assert!(expect(&f, "CLD214", 1)[0].message.contains("id-token"));
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "permissions: write-all\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_federation_rule_id: fdrl_1\n          anthropic_organization_id: o\n"
        )),
    )]);
    expect(&f, "CLD214", 0);
}

// ------------------------------------------------------------- CLD215

#[test]
fn header_breaking_values() {
    let f = scan_files(&[
        (
            ".github/workflows/a.yml",
            &workflow(&format!(
                "jobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_api_key: >\n            ${{{{ secrets.K }}}}\n"
            )),
        ),
        (
            ".claude/settings.json",
            "{\"env\": {\"ANTHROPIC_AUTH_TOKEN\": \"tok\u{201d}en-value\"}}",
        ),
        (
            "compose.yaml",
            "services:\n  s:\n    image: x\n    environment:\n      CLAUDE_CODE_OAUTH_TOKEN: \" ${T} \"\n      ANTHROPIC_CUSTOM_HEADERS: \"a: 1\\nb: 2\"\n",
        ),
        (".env", "ANTHROPIC_API_KEY=\"abc\ndef\"\n"),
    ]);
    let hits = expect(&f, "CLD215", 4);
    // Never the value in a message.
    assert!(
        hits.iter()
            .all(|h| !h.message.contains("tok") && !h.message.contains("abc"))
    );
    assert!(hits.iter().any(|h| h.message.contains("U+201D")));
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_api_key: >-\n            ${{{{ secrets.K }}}}\n"
        )),
    )]);
    expect(&f, "CLD215", 0);
    // An emptied Bedrock credential: a note (it broke SigV4 before 2.1.97).
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_BEARER_TOKEN_BEDROCK": ""}}"#,
    )]);
    assert_eq!(expect(&f, "CLD215", 1)[0].severity, Severity::Note);
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"env": {"CLAUDE_CODE_USE_VERTEX": "1", "AWS_BEARER_TOKEN_BEDROCK": ""}}"#,
    )]);
    expect(&f, "CLD215", 0);
}

// ------------------------------------------------------ CLD216 – CLD218

#[test]
fn committed_base_urls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(
        root,
        ".claude/settings.json",
        r#"{"env": {"ANTHROPIC_BASE_URL": "https://collector.example.net/v1", "ANTHROPIC_VERTEX_BASE_URL": "https://us-east5-aiplatform.googleapis.com"}}"#,
    );
    write(
        root,
        ".claude/settings.local.json",
        r#"{"env": {"ANTHROPIC_BEDROCK_BASE_URL": "https://gw.example.net"}}"#,
    );
    git(root, &["add", ".claude/settings.json"]);
    let f = scan_dir(root);
    // The local file is not committed; the Vertex URL is Google's own host.
    let hit = expect(&f, "CLD216", 1)[0];
    assert_eq!(hit.severity, Severity::Error);
    assert_eq!(hit.logical.as_deref(), Some("/env/ANTHROPIC_BASE_URL"));
    expect(&f, "CLD218", 1);
    // Once committed, the local file's provider URL is reported as a warning.
    git(root, &["add", "-f", ".claude/settings.local.json"]);
    let f = scan_dir(root);
    let hits = expect(&f, "CLD216", 2);
    assert!(hits.iter().any(|h| h.severity == Severity::Warning));
    // A file that routes its own bearer token there: a warning.
    let f = scan_files(&[(
        ".claude/settings.json",
        r#"{"env": {"ANTHROPIC_BASE_URL": "https://api.deepseek.example/anthropic", "ANTHROPIC_AUTH_TOKEN": "${DEEPSEEK_KEY}"}}"#,
    )]);
    assert_eq!(expect(&f, "CLD216", 1)[0].severity, Severity::Warning);
    // Policy vouches for the organisation's gateway.
    write(
        root,
        ".claudit.toml",
        "[policy]\nbase_url_hosts = [\"collector.example.net\", \"*.example.net\"]\n",
    );
    expect(&scan_dir(root), "CLD216", 0);

    let f = scan_files(&[
        (
            ".github/workflows/a.yml",
            &workflow(
                "jobs:\n  j:\n    runs-on: x\n    env:\n      ANTHROPIC_BASE_URL: http://gateway.internal.example:8080\n    steps:\n      - run: claude -p x\n",
            ),
        ),
        (
            "compose.yaml",
            "services:\n  s:\n    image: x\n    environment:\n      ANTHROPIC_BASE_URL: http://litellm:4000\n      ANTHROPIC_BEDROCK_BASE_URL: http://localhost:8080/bedrock\n",
        ),
        (
            ".claude/settings.json",
            r#"{"env": {"ANTHROPIC_BASE_URL": "http://127.0.0.1:3456"}}"#,
        ),
    ]);
    expect(&f, "CLD217", 1);
    expect(&f, "CLD216", 0);
    expect(&f, "CLD218", 0);
}

// ------------------------------------------------------ CLD219 / CLD220

#[test]
fn dotenv_and_shared_environments() {
    let f = scan_files(&[
        (
            ".env",
            &format!(
                "ANTHROPIC_API_KEY={}\nANTHROPIC_BASE_URL=https://gw.example.com\n",
                testkeys::key("api03", 41)
            ),
        ),
        (".env.example", "ANTHROPIC_API_KEY=your-key\n"),
        ("deep/nested/.env", "ANTHROPIC_API_KEY=k\n"),
        ("svc/.env.local", "DEBUG=1\n"),
    ]);
    let hit = expect(&f, "CLD219", 1)[0];
    assert!(ends_with(hit, ".env") && hit.related.len() == 1);
    assert!(!hit.message.contains("sk-ant-api03-"), "{}", hit.message);

    let f = scan_files(&[
        ("Dockerfile", "FROM x\nENV CLAUDE_CODE_USE_BEDROCK=1\n"),
        (
            ".devcontainer/devcontainer.json",
            r#"{"image": "x", "remoteEnv": {"ANTHROPIC_BASE_URL": "https://gw.example.com"}}"#,
        ),
        (
            "compose.yaml",
            "services:\n  s:\n    image: x\n    environment:\n      CLAUDE_CODE_USE_VERTEX: 1\n",
        ),
    ]);
    let hits = expect(&f, "CLD220", 2);
    assert!(hits.iter().all(|h| h.severity == Severity::Note));
}

// ------------------------------------------------------------- policy

#[test]
fn policy_rules_point_at_the_policy_line() {
    let policy = "exclude = []\n\n[policy]\nproviders = [\"bedrock\"]\ncredentials = [\"oauth-token\", \"federation\", \"cloud\"]\nbase_url_hosts = [\"llm-gateway.example.com\"]\n";
    let f = scan_files(&[
        (".claudit.toml", policy),
        (
            ".github/workflows/a.yml",
            &workflow(&format!(
                "jobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_api_key: ${{{{ secrets.K }}}}\n"
            )),
        ),
        // In another folder, so that it does not apply to the workflow.
        (
            "tool/.claude/settings.json",
            r#"{"env": {"CLAUDE_CODE_USE_VERTEX": "1", "ANTHROPIC_VERTEX_BASE_URL": "https://other.example.org"}}"#,
        ),
    ]);
    let provider = expect(&f, "CLD250", 2);
    let related = &provider[0].related.last().expect("policy line");
    assert!(related.path.ends_with(".claudit.toml"), "{}", related.path);
    assert_eq!(related.region.map(|r| r.start.line), Some(4));
    // The API key is a disallowed credential in CI, and goes to api.anthropic.com.
    let cred = expect(&f, "CLD251", 1)[0];
    assert_eq!(
        cred.related
            .last()
            .and_then(|r| r.region)
            .map(|r| r.start.line),
        Some(5)
    );
    let hosts = expect(&f, "CLD252", 2);
    assert!(hosts.iter().all(|h| {
        h.related
            .last()
            .and_then(|r| r.region)
            .map(|r| r.start.line)
            == Some(6)
    }));

    let ok = scan_files(&[
        (".claudit.toml", policy),
        (
            ".github/workflows/a.yml",
            &workflow(&format!(
                "permissions:\n  id-token: write\njobs:\n  j:\n    runs-on: x\n    env:\n      AWS_REGION: us-east-1\n      ANTHROPIC_BEDROCK_BASE_URL: https://llm-gateway.example.com/bedrock\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-region: us-east-1\n      - uses: {ACTION}\n        with:\n          use_bedrock: \"true\"\n"
            )),
        ),
    ]);
    for rule in ["CLD250", "CLD251", "CLD252"] {
        expect(&ok, rule, 0);
    }
}

#[test]
fn repository_settings_apply_to_the_action_step() {
    // The project settings turn Vertex on where the action runs Claude: the
    // key input is dead, but the action's own validation never sees Vertex.
    let f = scan_files(&[
        (
            ".github/workflows/a.yml",
            &workflow(&format!(
                "jobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          anthropic_api_key: ${{{{ secrets.K }}}}\n"
            )),
        ),
        (
            ".claude/settings.json",
            r#"{"env": {"CLAUDE_CODE_USE_VERTEX": "1"}}"#,
        ),
    ]);
    let dead = expect(&f, "CLD202", 1)[0];
    assert!(ends_with(dead, "a.yml") && dead.related[0].path.ends_with("settings.json"));
    expect(&f, "CLD209", 0);
}

#[test]
fn policy_errors_name_their_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.txt", "x\n");
    for (text, needle) in [
        ("[policy]\nprovider = [\"bedrock\"]\n", "line 2"),
        ("[policy]\nproviders = [\"amazon\"]\n", "amazon"),
        ("[policy]\ncredentials = [\"pat\"]\n", "pat"),
        (
            "[policy]\nbase_url_hosts = [\"https://gw/x\"]\n",
            "line 2, column 19",
        ),
    ] {
        write(dir.path(), ".claudit.toml", text);
        let run = claudit(dir.path(), &["scan", "."]);
        assert_eq!(run.code, 2, "{text}");
        assert!(run.stderr.contains(needle), "{text}: {}", run.stderr);
    }
}

// ------------------------------------------------------- claudit env

fn env_fixture(root: &Path) {
    write(
        root,
        ".github/workflows/claude.yml",
        workflow(&format!(
            "env:\n  CLAUDE_CODE_USE_BEDROCK: \"1\"\njobs:\n  review:\n    runs-on: x\n    env:\n      ANTHROPIC_API_KEY: ${{{{ secrets.ANTHROPIC_API_KEY }}}}\n    steps:\n      - uses: {ACTION}\n        with:\n          claude_code_oauth_token: ${{{{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}}}\n"
        )),
    );
    write(
        root,
        "compose.yaml",
        format!(
            "services:\n  agent:\n    image: x\n    environment:\n      ANTHROPIC_AUTH_TOKEN: \"{}\"\n      ANTHROPIC_BASE_URL: https://user:pw@gw.example.com\n",
            testkeys::gateway_token(7)
        ),
    );
}

#[test]
fn env_command_explains_each_context() {
    let dir = tempfile::tempdir().expect("tempdir");
    env_fixture(dir.path());
    let run = claudit(dir.path(), &["env", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    // The action overrides the Bedrock switch: the API key is used and bills the API.
    assert!(
        out.contains("job `review`, steps[0] anthropics/claude-code-action@v1"),
        "{out}"
    );
    assert!(out.contains("credential: api-key"), "{out}");
    assert!(out.contains("API key (Claude Console"), "{out}");
    assert!(
        out.contains("overrides 1  (workflow env, .github/workflows/claude.yml:3)"),
        "{out}"
    );
    assert!(out.contains("warning CLD203"), "{out}");
    // The compose service goes through a gateway with a bearer token.
    assert!(out.contains("gateway (bearer token)"), "{out}");
    // Redacted: no literal token, no URL password.
    assert!(!out.contains(&testkeys::gateway_token(7)), "{out}");
    assert!(!out.contains("user:pw"), "{out}");

    let run = claudit(dir.path(), &["env", ".", "--format", "json"]);
    let v = json(&run);
    assert_eq!(v["version"], 1);
    let contexts = v["contexts"].as_array().expect("contexts");
    let action = contexts
        .iter()
        .find(|c| c["action"].is_string())
        .expect("action context");
    assert_eq!(action["credential"]["kind"], "api-key");
    assert_eq!(action["provider"]["name"], "anthropic");
    assert_eq!(action["not_used"][0]["what"], "oauth-token");
    let agent = contexts
        .iter()
        .find(|c| c["name"] == "service `agent`")
        .expect("agent");
    assert_eq!(agent["provider"]["name"], "customEndpoint");
    assert_eq!(agent["credential"]["kind"], "auth-token");
    assert!(!run.stdout.contains(&testkeys::gateway_token(7)));
}

#[test]
fn scan_sarif_with_related_locations_is_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    env_fixture(dir.path());
    write(
        dir.path(),
        ".claudit.toml",
        "[policy]\nproviders = [\"bedrock\"]\n",
    );
    let out = dir.path().join("out.sarif");
    let run = claudit(
        dir.path(),
        &[
            "scan",
            ".",
            "--format",
            "sarif",
            "--output",
            out.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("sarif")).expect("json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let cld203 = results
        .iter()
        .find(|r| r["ruleId"] == "CLD203")
        .expect("CLD203");
    let related = cld203["relatedLocations"].as_array().expect("related");
    assert!(!related.is_empty());
    assert!(related[0]["message"]["text"].as_str().is_some());
    let policy = results
        .iter()
        .find(|r| r["ruleId"] == "CLD250")
        .expect("CLD250");
    let uris: Vec<&str> = policy["relatedLocations"]
        .as_array()
        .expect("related")
        .iter()
        .filter_map(|l| l["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.iter().any(|u| u.ends_with(".claudit.toml")),
        "{uris:?}"
    );
}

#[test]
fn nothing_breaks_on_odd_input() {
    let f = scan_files(&[
        (
            "compose.yaml",
            "services:\n  s:\n    build:\n      context: ../../../outside\n    env_file: [/etc/passwd, ../x.env, \"${E}\"]\n    environment: [\"=\", \"A\"]\n",
        ),
        (
            ".devcontainer/devcontainer.json",
            r#"{"build": {"dockerfile": 5}, "dockerComposeFile": [1, "../nope.yml"], "service": "s", "remoteEnv": {"A": "${containerEnv:A}"}}"#,
        ),
        (
            "Dockerfile",
            "FROM a AS a\nFROM a AS b\nFROM b AS a\nENV X=${X}\n",
        ),
        (".github/workflows/a.yml", "jobs: [1, 2]\n"),
        (".claude/settings.json", r#"{"env": [], "apiKeyHelper": 5}"#),
    ]);
    assert!(f.iter().all(|x| !x.rule_id.starts_with("CLD2")), "{f:?}");
}

#[test]
fn truncated_and_mangled_files_never_panic() {
    let sources: Vec<(&str, String)> = vec![
        (
            ".github/workflows/a.yml",
            workflow(&format!(
                "env:\n  CLAUDE_CODE_USE_BEDROCK: \"1\"\njobs:\n  j:\n    runs-on: x\n    env:\n      ANTHROPIC_API_KEY: ${{{{ secrets.K }}}}\n    steps:\n      - run: echo \"AWS_REGION=x\" >> $GITHUB_ENV\n      - uses: {ACTION}\n        with:\n          use_bedrock: \"true\"\n          settings: '{{\"env\": {{\"ANTHROPIC_BASE_URL\": \"http://a.b/v1\"}}, \"apiKeyHelper\": \"k\"}}'\n"
            )),
        ),
        (
            "compose.yaml",
            "services:\n  s:\n    build: {context: ., dockerfile: Dockerfile, args: {A: \"${B:-1}\"}}\n    env_file: [x.env]\n    environment:\n      - CLAUDE_CODE_USE_VERTEX=${V:-1}\n      - ANTHROPIC_AUTH_TOKEN\n".to_string(),
        ),
        ("Dockerfile", "ARG A=0\nFROM node AS b\nARG A\nENV CLAUDE_CODE_USE_FOUNDRY=$A X=\"${A:-y}\"\nFROM b\nENV ANTHROPIC_BASE_URL=http://h.example/v1\n".to_string()),
        (".devcontainer/devcontainer.json", r#"{"build": {"dockerfile": "../Dockerfile", "target": "b", "args": {"A": "1"}}, "containerEnv": {"CLAUDE_CODE_USE_VERTEX": "${localEnv:V:1}"}, "remoteEnv": {"X": "${containerEnv:CLAUDE_CODE_USE_VERTEX}"}}"#.to_string()),
        (".claude/settings.json", r#"{"apiKeyHelper": "k", "env": {"ANTHROPIC_AUTH_TOKEN": "t\u00e9\u200b", "CLAUDE_CODE_SKIP_BEDROCK_AUTH": "on"}}"#.to_string()),
        ("x.env", "ANTHROPIC_API_KEY=\"a\nb\"\nCLAUDE_CODE_OAUTH_TOKEN='c'\n".to_string()),
    ];
    for (i, (path, text)) in sources.iter().enumerate() {
        let bytes = text.as_bytes();
        let step = (bytes.len() / 25).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let dir = tempfile::tempdir().expect("tempdir");
            for (j, (other, full)) in sources.iter().enumerate() {
                if i != j {
                    write(dir.path(), other, full);
                }
            }
            let mut mangled = bytes[..cut].to_vec();
            // Also splice in bytes that are not UTF-8 and quotes that never close.
            mangled.extend_from_slice(b"\"\xff${{");
            write(dir.path(), path, &mangled);
            let _ = scan_dir(dir.path());
        }
    }
}

#[test]
fn managed_allowed_providers_refuse_a_dev_containers_provider() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "etc/claude-code/managed-settings.json",
        "{ \"allowedProviders\": [\"bedrock\"] }\n",
    );
    write(
        dir.path(),
        ".devcontainer/devcontainer.json",
        "{ \"image\": \"node:20\", \"containerEnv\": { \"ANTHROPIC_BASE_URL\": \"https://llm.example.com\", \"ANTHROPIC_AUTH_TOKEN\": \"${localEnv:GW}\" } }\n",
    );
    let run = claudit(dir.path(), &["scan", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let f = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "CLD221")
        .unwrap_or_else(|| panic!("no CLD221: {}", run.stdout));
    assert_eq!(f["path"], ".devcontainer/devcontainer.json");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or("")
            .contains("customEndpoint")
    );
    assert_eq!(
        f["related"][0]["path"],
        "etc/claude-code/managed-settings.json"
    );
    assert_eq!(f["related"][0]["line"], 1);
}

// ------------------------------------------------ one finding per cause

#[test]
fn findings_are_kept_per_participant_and_variable() {
    // A workflow-level key beats job a's token and, separately, job b's.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "env:\n  ANTHROPIC_API_KEY: ${{{{secrets.K}}}}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          claude_code_oauth_token: ${{{{ secrets.T }}}}\n  b:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n        with:\n          claude_code_oauth_token: ${{{{ secrets.T }}}}\n"
        )),
    )]);
    let hits = expect(&f, "CLD203", 2);
    assert!(hits[0].message.contains("job `a`"), "{}", hits[0].message);
    assert!(hits[1].message.contains("job `b`"), "{}", hits[1].message);
    assert_eq!(hits[0].logical, hits[1].logical);
    // Every entry of the `settings` input shares its span: each variable
    // still gets its finding.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    env:\n      AWS_REGION: us-east-1\n      AWS_BEARER_TOKEN_BEDROCK: ${{{{ secrets.B }}}}\n    steps:\n      - uses: {ACTION}\n        with:\n          use_bedrock: \"true\"\n          settings: '{{\"env\": {{\"ANTHROPIC_BASE_URL\": \"https://gw.example.com\", \"CLAUDE_CODE_OAUTH_TOKEN\": \"$T\", \"CLAUDE_CODE_USE_FOUNDRY\": \"yep\", \"CLAUDE_CODE_SKIP_VERTEX_AUTH\": \"nah\"}}}}'\n"
        )),
    )]);
    let dead = expect(&f, "CLD202", 2);
    assert!(
        dead.iter()
            .any(|h| h.message.contains("ANTHROPIC_BASE_URL"))
    );
    assert!(
        dead.iter()
            .any(|h| h.message.contains("CLAUDE_CODE_OAUTH_TOKEN"))
    );
    assert_ne!(dead[0].logical, dead[1].logical);
    expect(&f, "CLD210", 2);
    // Several `$GITHUB_ENV` writes in one `run:` script.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(
            "jobs:\n  j:\n    runs-on: x\n    steps:\n      - run: |\n          echo \"CLAUDE_CODE_USE_FOUNDRY=yep\" >> \"$GITHUB_ENV\"\n          echo \"CLAUDE_CODE_USE_VERTEX=nah\" >> \"$GITHUB_ENV\"\n      - run: claude -p hi\n",
        ),
    )]);
    expect(&f, "CLD210", 2);
    // A missing companion is about each context's own chain.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(
            "env:\n  CLAUDE_CODE_USE_FOUNDRY: \"1\"\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: claude -p hi\n  b:\n    runs-on: x\n    steps:\n      - run: claude -p hi\n",
        ),
    )]);
    expect(&f, "CLD209", 2);
    // One conflict written once in the repository's settings, seen from
    // the settings and from every job that runs Claude: reported once.
    let f = scan_files(&[
        (
            ".claude/settings.json",
            r#"{"env": {"CLAUDE_CODE_USE_VERTEX": "1", "ANTHROPIC_BASE_URL": "https://api.anthropic.com"}}"#,
        ),
        (
            ".github/workflows/a.yml",
            &workflow(
                "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: claude -p hi\n  b:\n    runs-on: x\n    steps:\n      - run: claude -p hi\n",
            ),
        ),
    ]);
    let hit = expect(&f, "CLD202", 1)[0];
    assert!(ends_with(hit, "settings.json"));
    assert!(
        hit.message.starts_with("In Claude settings"),
        "{}",
        hit.message
    );
}

// ------------------------------------------- the action's `settings` input

#[test]
fn settings_input_with_expressions_is_still_json() {
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(&format!(
            "jobs:\n  j:\n    runs-on: x\n    env:\n      AWS_REGION: us-east-1\n      AWS_BEARER_TOKEN_BEDROCK: ${{{{ secrets.B }}}}\n    steps:\n      - uses: {ACTION}\n        with:\n          use_bedrock: \"true\"\n          settings: |\n            {{\n              \"env\": {{\n                \"ANTHROPIC_API_KEY\": \"${{{{ secrets.K }}}}\",\n                \"ANTHROPIC_BASE_URL\": ${{{{ vars.GATEWAY_URL }}}}\n              }}\n            }}\n"
        )),
    )]);
    let dead = expect(&f, "CLD202", 2);
    let key = dead
        .iter()
        .find(|h| h.message.contains("ANTHROPIC_API_KEY"))
        .expect("key");
    assert!(
        key.message.contains("`settings.env.ANTHROPIC_API_KEY`"),
        "{}",
        key.message
    );
    // A reference, not a literal: no header complaint about the block scalar.
    expect(&f, "CLD215", 0);
}

// ------------------------------------------------------- provenance

fn provenance_fixture(root: &Path) {
    write(root, ".env", "OAUTH=abc123\n");
    write(
        root,
        "compose.yaml",
        "services:\n  agent:\n    build:\n      context: .\n      args:\n        USE_BEDROCK: ${USE_BEDROCK:-1}\n    environment:\n      CLAUDE_CODE_OAUTH_TOKEN: ${OAUTH:-}\n",
    );
    write(
        root,
        "Dockerfile",
        "FROM node\nARG USE_BEDROCK=0\nENV CLAUDE_CODE_USE_BEDROCK=$USE_BEDROCK\n",
    );
}

#[test]
fn interpolated_values_show_where_they_come_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    provenance_fixture(dir.path());
    let run = claudit(dir.path(), &["env", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains("(Dockerfile ENV (stage[0]), Dockerfile:3, value from compose.yaml:6)"),
        "{out}"
    );
    assert!(
        out.contains("(compose environment, compose.yaml:8, value from .env:1)"),
        "{out}"
    );
    assert!(!out.contains("abc123"), "{out}");

    let v = json(&claudit(dir.path(), &["env", ".", "--format", "json"]));
    let agent = v["contexts"]
        .as_array()
        .expect("contexts")
        .iter()
        .find(|c| c["name"] == "service `agent`")
        .expect("agent");
    let var = |name: &str| {
        agent["variables"]
            .as_array()
            .expect("variables")
            .iter()
            .find(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {agent}"))
            .clone()
    };
    let token = var("CLAUDE_CODE_OAUTH_TOKEN");
    assert_eq!(token["value"]["via"]["file"], ".env");
    assert_eq!(token["value"]["via"]["line"], 1);
    let bedrock = var("CLAUDE_CODE_USE_BEDROCK");
    assert_eq!(bedrock["value"]["via"]["file"], "compose.yaml");
    assert_eq!(bedrock["value"]["via"]["line"], 6);
    assert!(var("CLAUDE_CODE_USE_BEDROCK")["value"]["file"] == "Dockerfile");

    // In findings (and so SARIF), as a related location.
    let f = scan_dir(dir.path());
    let baked = expect(&f, "CLD220", 1)[0];
    assert!(ends_with(baked, "Dockerfile"));
    let via = baked
        .related
        .iter()
        .find(|r| r.path.ends_with("compose.yaml"))
        .unwrap_or_else(|| panic!("{:?}", baked.related));
    assert_eq!(via.region.map(|r| r.start.line), Some(6));
    assert!(via.message.contains("USE_BEDROCK"), "{}", via.message);
}

#[test]
fn devcontainer_run_args_env_flags_are_checked_and_set_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"{
  "image": "node:22",
  "runArgs": ["-e", "ANTHROPIC_API_KEY=gw_8fK2nQ7xLm4Rt9Vb", "--env=ANTHROPIC_AUTH_TOKEN=gw_9fK2nQ7xLm4Rt9Vz",
    "--env", "CLAUDE_CODE_OAUTH_TOKEN=${localEnv:TOKEN}", "-e", "AWS_BEARER_TOKEN_BEDROCK"]
}
"#;
    write(dir.path(), ".devcontainer/devcontainer.json", text);
    let run = claudit(dir.path(), &["scan", ".", "--format", "json"]);
    let v = json(&run);
    let cld110: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "CLD110")
        .collect();
    assert_eq!(cld110.len(), 2, "{}", run.stdout);
    // The span is the value inside the JSON string.
    let col = |needle: &str| {
        text.lines()
            .nth(2)
            .and_then(|l| l.find(needle))
            .map(|c| c + 1)
    };
    assert_eq!(cld110[0]["line"], 3);
    assert_eq!(cld110[0]["column"].as_u64(), col("gw_8f").map(|c| c as u64));
    assert_eq!(
        cld110[0]["end_column"].as_u64(),
        col("gw_8f").map(|c| c as u64 + 19)
    );
    assert_eq!(cld110[0]["logical_location"], "/runArgs/1");
    assert_eq!(cld110[1]["logical_location"], "/runArgs/2");
    assert!(!run.stdout.contains("gw_8fK2nQ7xLm4Rt9Vb"));

    // The dev container's environment has them.
    let v = json(&claudit(dir.path(), &["env", ".", "--format", "json"]));
    let ctx = &v["contexts"][0];
    let var = |name: &str| {
        ctx["variables"]
            .as_array()
            .expect("variables")
            .iter()
            .find(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {ctx}"))
            .clone()
    };
    assert_eq!(
        var("ANTHROPIC_API_KEY")["value"]["layer"],
        "devcontainer runArgs"
    );
    assert_eq!(
        var("AWS_BEARER_TOKEN_BEDROCK")["value"]["layer"],
        "devcontainer runArgs"
    );
}

#[test]
fn compose_colon_default_applies_to_an_empty_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), ".env", "V=\nB=\n");
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  s:\n    image: x\n    environment:\n      CLAUDE_CODE_USE_VERTEX: ${V:-1}\n      CLAUDE_CODE_USE_BEDROCK: ${B-1}\n",
    );
    let v = json(&claudit(dir.path(), &["env", ".", "--format", "json"]));
    let s = v["contexts"]
        .as_array()
        .expect("contexts")
        .iter()
        .find(|c| c["name"] == "service `s`")
        .expect("service")
        .clone();
    // `:-` uses the default when `V` is empty; `-` only when `B` is unset.
    assert_eq!(s["provider"]["name"], "vertex", "{s}");
    let bedrock = s["variables"]
        .as_array()
        .expect("variables")
        .iter()
        .find(|x| x["name"] == "CLAUDE_CODE_USE_BEDROCK")
        .expect("bedrock")
        .clone();
    assert_eq!(bedrock["value"]["presence"], "unset", "{bedrock}");
    assert_eq!(bedrock["value"]["via"]["file"], ".env");
}

// ------------------------------------------------ CLD215, CLD209, CLD218

#[test]
fn github_env_writes_in_block_scripts_have_no_line_break() {
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(
            "jobs:\n  j:\n    runs-on: x\n    steps:\n      - run: |\n          echo \"ANTHROPIC_API_KEY=${{ secrets.K }}\" >> \"$GITHUB_ENV\"\n      - run: claude -p hi\n",
        ),
    )]);
    expect(&f, "CLD215", 0);
    // The step's own block scalar still counts.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &workflow(
            "jobs:\n  j:\n    runs-on: x\n    steps:\n      - run: claude -p hi\n        env:\n          ANTHROPIC_API_KEY: |\n            ${{ secrets.K }}\n",
        ),
    )]);
    assert!(expect(&f, "CLD215", 1)[0].message.contains("`|-`"));
}

#[test]
fn action_region_does_not_come_from_settings() {
    let wf = workflow(&format!(
        "jobs:\n  j:\n    runs-on: x\n    env:\n      AWS_BEARER_TOKEN_BEDROCK: ${{{{ secrets.B }}}}\n    steps:\n      - uses: {ACTION}\n        with:\n          use_bedrock: \"true\"\n"
    ));
    let f = scan_files(&[
        (".github/workflows/a.yml", &wf),
        (
            ".claude/settings.json",
            r#"{"env": {"AWS_REGION": "us-east-1"}}"#,
        ),
    ]);
    let hit = expect(&f, "CLD209", 1)[0];
    assert_eq!(hit.severity, Severity::Error);
    assert!(hit.message.contains("AWS_REGION"), "{}", hit.message);
    // From the workflow's env it counts.
    let f = scan_files(&[(
        ".github/workflows/a.yml",
        &wf.replace("    env:\n", "    env:\n      AWS_REGION: us-east-1\n"),
    )]);
    expect(&f, "CLD209", 0);
}

#[test]
fn v1_suffix_on_provider_base_urls() {
    let f = scan_files(&[(
        "compose.yaml",
        "services:\n  s:\n    image: x\n    environment:\n      ANTHROPIC_FOUNDRY_BASE_URL: https://r.services.ai.azure.com/anthropic/v1\n      ANTHROPIC_AWS_BASE_URL: https://aws-external-anthropic.us-east-1.api.aws/v1/\n      ANTHROPIC_VERTEX_BASE_URL: https://us-east5-aiplatform.googleapis.com/v1\n      ANTHROPIC_BEDROCK_BASE_URL: https://gw.example.com/bedrock/v1\n",
    )]);
    let hits = expect(&f, "CLD218", 2);
    assert!(
        hits.iter()
            .any(|h| h.message.contains("ANTHROPIC_FOUNDRY_BASE_URL")
                && h.message.contains("/anthropic"))
    );
    assert!(
        hits.iter()
            .any(|h| h.message.contains("ANTHROPIC_AWS_BASE_URL"))
    );
    let f = scan_files(&[(
        "compose.yaml",
        "services:\n  s:\n    image: x\n    environment:\n      ANTHROPIC_FOUNDRY_BASE_URL: https://r.services.ai.azure.com/anthropic\n",
    )]);
    expect(&f, "CLD218", 0);
}

// ------------------------------------------------------ policy `none`

#[test]
fn policy_credentials_must_list_none() {
    let wf = workflow(&format!(
        "jobs:\n  claude:\n    runs-on: x\n    steps:\n      - uses: {ACTION}\n  build:\n    runs-on: x\n    steps:\n      - run: npm test\n  review:\n    runs-on: x\n    steps:\n      - run: claude -p review\n"
    ));
    let f = scan_files(&[
        (
            ".claudit.toml",
            "[policy]\ncredentials = [\"oauth-token\"]\n",
        ),
        (".github/workflows/a.yml", &wf),
    ]);
    // The action step and the job that runs `claude`; not the build job.
    let hits = expect(&f, "CLD251", 2);
    assert!(hits.iter().all(|h| h.message.contains("`none`")));
    assert!(hits.iter().any(|h| h.message.contains("job `review`")));
    assert_eq!(
        hits[0]
            .related
            .last()
            .and_then(|r| r.region)
            .map(|r| r.start.line),
        Some(2)
    );
    let f = scan_files(&[
        (
            ".claudit.toml",
            "[policy]\ncredentials = [\"oauth-token\", \"none\"]\n",
        ),
        (".github/workflows/a.yml", &wf),
    ]);
    expect(&f, "CLD251", 0);
}

// ------------------------------------------------------------- CLD219

#[test]
fn only_shell_loaded_dotenv_files_get_the_note() {
    let f = scan_files(&[
        ("x.env", "ANTHROPIC_API_KEY=k\n"),
        (
            "compose.yaml",
            "services:\n  s:\n    image: x\n    env_file: [x.env]\n",
        ),
        (".env.local", "ANTHROPIC_BASE_URL=https://gw.example.com\n"),
    ]);
    let hit = expect(&f, "CLD219", 1)[0];
    assert!(ends_with(hit, ".env.local"));
}

// ------------------------------------------------------------- CLD203

#[test]
fn api_key_through_a_gateway_is_not_billed_by_the_console() {
    let f = scan_files(&[(
        "compose.yaml",
        "services:\n  s:\n    image: x\n    environment:\n      ANTHROPIC_BASE_URL: https://gw.example.com\n      ANTHROPIC_API_KEY: ${K:-x}\n      CLAUDE_CODE_OAUTH_TOKEN: ${T:-y}\n",
    )]);
    let hit = expect(&f, "CLD203", 1)[0];
    assert!(
        hit.message.contains("gw.example.com") && !hit.message.contains("Console organization"),
        "{}",
        hit.message
    );
    assert!(
        hit.related
            .iter()
            .any(|r| r.message.contains("ANTHROPIC_BASE_URL"))
    );
}

// ---------------------------------------------- CLAUDE_CODE_USE_GATEWAY

#[test]
fn use_gateway_is_the_gateway_provider() {
    let compose = |extra: &str| {
        format!(
            "services:\n  s:\n    image: x\n    environment:\n      CLAUDE_CODE_USE_GATEWAY: \"1\"\n      ANTHROPIC_AUTH_TOKEN: ${{GW}}\n{extra}"
        )
    };
    let with_url = compose("      ANTHROPIC_BASE_URL: https://gw.example.com\n");
    let f = scan_files(&[
        (".claudit.toml", "[policy]\nproviders = [\"gateway\"]\n"),
        ("compose.yaml", &with_url),
    ]);
    expect(&f, "CLD250", 0);
    let f = scan_files(&[
        (
            ".claudit.toml",
            "[policy]\nproviders = [\"customEndpoint\"]\n",
        ),
        ("compose.yaml", &with_url),
    ]);
    let hit = expect(&f, "CLD250", 1)[0];
    assert!(hit.message.contains("`gateway`"), "{}", hit.message);
    assert_eq!(
        hit.logical.as_deref(),
        Some("services.s.environment.CLAUDE_CODE_USE_GATEWAY")
    );

    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "compose.yaml", &with_url);
    let v = json(&claudit(dir.path(), &["env", ".", "--format", "json"]));
    assert_eq!(v["contexts"][0]["provider"]["name"], "gateway", "{v}");
    // Without a base URL it is ignored, and `claudit env` says so.
    write(dir.path(), "compose.yaml", compose(""));
    let v = json(&claudit(dir.path(), &["env", ".", "--format", "json"]));
    assert_eq!(v["contexts"][0]["provider"]["name"], "anthropic", "{v}");
    assert_eq!(v["contexts"][0]["not_used"][0]["what"], "gateway", "{v}");
    // An unrecognised value is reported like the other switches.
    let f = scan_files(&[(
        "compose.yaml",
        "services:\n  s:\n    image: x\n    environment:\n      CLAUDE_CODE_USE_GATEWAY: enabled\n",
    )]);
    expect(&f, "CLD210", 1);
}
