//! `claudit demo`: writes a small repository with problems of every kind
//! (keys assembled at run time, never stored) and scans it. A showcase: it
//! exits 0 whenever the scan ran.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{DemoArgs, ExitCode, WalkArgs, output};
use crate::catalog::fill_placeholders;

/// The demo repository: (path, content with `{{key:TAG:SEED}}` placeholders).
pub const FILES: &[(&str, &str)] = &[
    (
        ".env",
        "# Local settings (this file should never be committed)\nANTHROPIC_API_KEY={{key:api03:11}}\nCLAUDE_CODE_OAUTH_TOKEN={{key:oat01:12}}\nLOG_LEVEL=debug\n",
    ),
    (
        ".env.example",
        "# Copy to .env and fill in\nANTHROPIC_API_KEY=sk-ant-api03-...\nCLAUDE_CODE_OAUTH_TOKEN=\n",
    ),
    (
        ".github/workflows/claude.yml",
        r#"name: Claude review
on:
  pull_request:
env:
  CLAUDE_CODE_OAUTH_TOKEN: ${{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: anthropics/claude-code-action@v1
        with:
          anthropic_api_key: "{{gateway}}"
      - name: Summarise
        env:
          ANTHROPIC_AUTH_TOKEN: {{gateway}}
        run: claude -p "summarise the diff"
"#,
    ),
    (
        ".github/workflows/issue-triage.yml",
        r#"name: Triage issues with Claude
on:
  issue_comment:
    types: [created]
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-action@beta
        with:
          claude_code_oauth_token: ${{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}
          allowed_non_write_users: "*"
          prompt: "Triage this comment: ${{ github.event.comment.body }}"
          claude_args: --dangerously-skip-permissions
"#,
    ),
    (
        "Dockerfile",
        r#"FROM node:20-slim AS base
ARG ANTHROPIC_API_KEY
ENV ANTHROPIC_API_KEY=$ANTHROPIC_API_KEY
RUN npm install -g @anthropic-ai/claude-code
WORKDIR /app
COPY . /app
COPY .claude.json /root/.claude.json
CMD ["claude", "-p", "hello"]
"#,
    ),
    (
        "docker-compose.yml",
        r#"services:
  agent:
    build: .
    environment:
      ANTHROPIC_API_KEY: "{{gateway}}"
      CLAUDE_CODE_USE_BEDROCK: "1"
    env_file: .env
"#,
    ),
    (
        ".devcontainer/devcontainer.json",
        r#"{
  // Dev container for the agent
  "name": "agent",
  "build": { "dockerfile": "../Dockerfile" },
  "containerEnv": {
    "ANTHROPIC_API_KEY": "{{key:api03:13}}",
  },
  "remoteEnv": { "CLAUDE_CODE_OAUTH_TOKEN": "${localEnv:CLAUDE_CODE_OAUTH_TOKEN}" },
  "mounts": ["source=${localEnv:HOME}/.claude,target=/home/node/.claude,type=bind"]
}
"#,
    ),
    (
        ".claude/settings.json",
        r#"{
  "env": {
    "ANTHROPIC_AUTH_TOKEN": "{{gateway}}",
    "ANTHROPIC_BASE_URL": "https://llm-gateway.example.com"
  },
  "permissions": { "defaultMode": "bypassPermissions" }
}
"#,
    ),
    (
        ".claude/settings.local.json",
        "{\n  \"permissions\": {\n    \"allow\": [\"Bash(npm test)\",],\n  }\n}\n",
    ),
    (
        ".mcp.json",
        r#"{
  "mcpServers": {
    "billing": {
      "command": "npx",
      "args": ["billing-mcp"],
      "env": { "ANTHROPIC_ADMIN_KEY": "{{key:admin01:14}}" }
    },
    "github": {
      "type": "http",
      "url": "https://api.githubcopilot.com/mcp/",
      "headers": { "Authorization": "Bearer {{vendor:github}}" }
    }
  }
}
"#,
    ),
    (
        "home/dev/.claude/.credentials.json",
        r#"{"claudeAiOauth":{"accessToken":"{{key:oat01:15}}","refreshToken":"{{key:ort01:16}}","expiresAt":1893456000000,"scopes":["user:inference"],"subscriptionType":"max"}}
"#,
    ),
    (
        "home/dev/.claude.json",
        r#"{
  "hasCompletedOnboarding": true,
  "primaryApiKey": "{{key:api03:17}}",
  "oauthAccount": { "emailAddress": "dev@example.com" }
}
"#,
    ),
    (
        "home/dev/.claude/projects/-work-app/3f2a.jsonl",
        r#"{"type":"user","message":{"role":"user","content":"use my session cookie {{key:sid01:18}} to log in"}}
"#,
    ),
    (
        "scripts/deploy.sh",
        "#!/bin/sh\nset -eu\nexport ANTHROPIC_API_KEY={{gateway}}\nclaude -p \"deploy\"\n",
    ),
    (
        "config/session.yaml",
        "# self-hosted runner session\nsession_token: {{key:cc:19}}\n",
    ),
    (
        "notes/keys.txt",
        "new key format seen in the wild: {{key:api04:20}}\n",
    ),
    (
        "docs/setup.md",
        "# Setup\n\nExport `ANTHROPIC_API_KEY=sk-ant-api03-...` (never commit it).\nIn CI use `${{ secrets.ANTHROPIC_API_KEY }}`.\n",
    ),
];

pub fn run(args: &DemoArgs) -> ExitCode {
    match write_and_scan(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("claudit: error: {message}");
            ExitCode::Fatal
        }
    }
}

fn write_and_scan(args: &DemoArgs) -> Result<ExitCode, String> {
    let temp;
    let dir: PathBuf = match &args.keep {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile::Builder::new()
                .prefix("claudit-demo-")
                .tempdir()
                .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
            temp.path().to_path_buf()
        }
    };
    write_demo(&dir)?;
    if !args.output.quiet {
        eprintln!(
            "claudit demo: wrote {} files to {}",
            FILES.len(),
            dir.display()
        );
    }
    // Paths in the report are relative to the demo root; an --output path
    // given relative to where the user stands must still land there.
    let mut output_args = args.output.clone();
    if let Some(out) = output_args.output.as_ref().filter(|o| o.is_relative()) {
        let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
        output_args.output = Some(cwd.join(out));
    }
    let previous = std::env::current_dir().map_err(|e| e.to_string())?;
    std::env::set_current_dir(&dir).map_err(|e| format!("cannot enter {}: {e}", dir.display()))?;
    let result = super::scan::scan_paths(&[PathBuf::from(".")], &WalkArgs::default_for_demo())
        .map(|outcome| output::emit(&outcome, &output_args));
    let _ = std::env::set_current_dir(previous);
    let code = result?;
    // A showcase, not a gate: findings do not fail it, errors do.
    Ok(match code {
        ExitCode::Fatal | ExitCode::NothingScanned => code,
        _ => ExitCode::Clean,
    })
}

/// Writes the demo files under `dir` and, when git is available, makes it a
/// repository with every file staged, so "committed" rules see them tracked.
pub fn write_demo(dir: &Path) -> Result<(), String> {
    for (path, content) in FILES {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, fill_placeholders(content))
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if !dir.join(".git").exists() && git(&["init", "-q"]) {
        git(&["add", "-A"]);
    }
    Ok(())
}

impl WalkArgs {
    fn default_for_demo() -> WalkArgs {
        WalkArgs {
            config: None,
            exclude: Vec::new(),
            no_ignore: false,
            threads: None,
            max_file_size: 256 * 1024 * 1024,
            max_parse_size: 4 * 1024 * 1024,
            skip_binary: false,
        }
    }
}
