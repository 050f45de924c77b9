//! Settings validity (CLD301–CLD323) and MCP configuration (CLD330–CLD332)
//! end to end: fixtures built at run time at every settings location, scanned
//! with the binary, checked through `--format json`.

mod common;

use common::{claudit, json, write};
use serde_json::Value;

/// CLD3xx findings of a scan of `dir`: (rule, path suffix, line, column, severity).
fn cld3(dir: &std::path::Path) -> Vec<(String, String, u64, u64, String)> {
    let run = claudit(dir, &["scan", ".", "--no-ignore", "--format", "json"]);
    assert_ne!(run.code, 2, "scan failed: {}", run.stderr);
    json(&run)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"].as_str().is_some_and(|r| r.starts_with("CLD3")))
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn findings(dir: &std::path::Path) -> Vec<Value> {
    let run = claudit(dir, &["scan", ".", "--no-ignore", "--format", "json"]);
    assert_ne!(run.code, 2, "scan failed: {}", run.stderr);
    json(&run)["findings"].as_array().expect("findings").clone()
}

const RICH_PROJECT_SETTINGS: &str = r#"{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "model": "claude-sonnet-5",
  "effortLevel": "high",
  "permissions": {
    "defaultMode": "acceptEdits",
    "allow": [
      "Bash(npm run *)",
      "Bash(git commit:*)",
      "Bash(git * main)",
      "Bash(timeout:*)",
      "Edit(/src/**/*.ts)",
      "Read(~/.config/app/**)",
      "WebFetch(domain:docs.example.com)",
      "WebSearch",
      "mcp__github__get_*",
      "mcp__docs",
      "Skill(deploy *)",
      "Agent(Explore)"
    ],
    "ask": ["Bash(git push *)", "Agent(isolation:worktree)", "Bash(run_in_background:true)"],
    "deny": [
      "Read(./.env)",
      "Read(./.env.*)",
      "Read(./secrets/**)",
      "Read(!./secrets/README.md)",
      "Edit(//etc/**)",
      "Bash(curl *)",
      "mcp__*",
      "*",
      "Cd(~/private/**)"
    ],
    "additionalDirectories": ["../shared-lib"],
    "disableBypassPermissionsMode": "disable"
  },
  "env": {
    "ANTHROPIC_MODEL": "claude-sonnet-5",
    "BASH_DEFAULT_TIMEOUT_MS": "600000",
    "DISABLE_TELEMETRY": "1"
  },
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          { "type": "command", "command": "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/check-bash.sh", "timeout": 30 },
          { "type": "command", "command": "node", "args": ["scripts/guard.js"], "if": "Bash(git *)", "onFailure": "block" }
        ]
      }
    ],
    "PostToolUse": [
      { "matcher": "Edit|Write", "hooks": [ { "type": "command", "command": "npx prettier --write .", "async": true } ] },
      { "matcher": "mcp__memory__.*", "hooks": [ { "type": "mcp_tool", "server": "memory", "tool": "log", "input": { "path": "${tool_input.file_path}" } } ] }
    ],
    "UserPromptSubmit": [
      { "hooks": [ { "type": "prompt", "prompt": "Check $ARGUMENTS for secrets", "model": "haiku" } ] }
    ],
    "Stop": [
      { "hooks": [ { "type": "agent", "prompt": "Verify the tests pass", "timeout": 120 } ] },
      { "hooks": [ { "type": "http", "url": "http://localhost:8080/stop", "headers": { "Authorization": "Bearer $HOOK_TOKEN" }, "allowedEnvVars": ["HOOK_TOKEN"] } ] }
    ],
    "SessionStart": [ { "matcher": "startup", "hooks": [ { "type": "command", "command": "echo ready", "statusMessage": "Starting" } ] } ],
    "PreModelSwitch": [ { "hooks": [ { "type": "command", "command": "true" } ] } ]
  },
  "statusLine": { "type": "command", "command": "~/.claude/statusline.sh", "padding": 0, "refreshInterval": 5 },
  "apiKeyHelper": "~/bin/get-gateway-key.sh",
  "awsAuthRefresh": "aws sso login --profile dev",
  "enableAllProjectMcpServers": false,
  "enabledMcpjsonServers": ["docs", "github"],
  "disabledMcpjsonServers": ["experimental"],
  "attribution": { "commit": "Co-Authored-By: Claude", "pr": "", "sessionUrl": false },
  "sandbox": {
    "enabled": true,
    "excludedCommands": ["docker"],
    "filesystem": { "denyRead": ["~/.aws"] },
    "network": { "allowedDomains": ["github.com", "*.npmjs.org"], "allowLocalBinding": true }
  },
  "enabledPlugins": { "formatter@acme-tools": true },
  "extraKnownMarketplaces": { "acme-tools": { "source": { "source": "github", "repo": "acme/plugins" } } },
  "cleanupPeriodDays": 30,
  "includeGitInstructions": true,
  "outputStyle": "Explanatory",
  "worktree": { "baseRef": "fresh", "symlinkDirectories": ["node_modules"] },
  "spinnerVerbs": { "mode": "append", "verbs": ["Pondering"] },
  "fileSuggestion": { "type": "command", "command": "~/.claude/file-suggestion.sh" },
  "forceLoginMethod": "claudeai"
}
"#;

const RICH_MCP: &str = r#"{
  "mcpServers": {
    "docs": {
      "type": "http",
      "url": "${DOCS_URL:-https://mcp.example.com}/mcp",
      "headers": { "Authorization": "Bearer ${DOCS_TOKEN}" },
      "timeout": 600000,
      "alwaysLoad": true,
      "oauth": { "clientId": "claudit-test", "callbackPort": 8080, "scopes": "read" }
    },
    "github": { "type": "streamable-http", "url": "https://api.githubcopilot.com/mcp/", "headersHelper": "~/bin/gh-header.sh" },
    "events": { "type": "ws", "url": "wss://mcp.example.com/socket" },
    "legacy": { "type": "sse", "url": "https://mcp.example.com/sse" },
    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": { "MEMORY_FILE": "${CLAUDE_PROJECT_DIR:-.}/memory.json" } },
    "local": { "type": "stdio", "command": "${CLAUDE_PROJECT_DIR:-.}/bin/server", "description": "in-repo server" },
    "shell": { "command": "bash", "args": ["-c", "exec \"$HOME/bin/mcp\""] },
    "placeholder": { "type": "http", "url": "" }
  }
}
"#;

#[test]
fn rich_valid_configuration_has_no_cld3_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, ".claude/settings.json", RICH_PROJECT_SETTINGS);
    write(root, ".mcp.json", RICH_MCP);
    write(
        root,
        ".claude/settings.local.json",
        r#"{ "permissions": { "allow": ["Bash(make test)"] }, "skipDangerousModePermissionPrompt": false, "useAutoModeDuringPlan": true }"#,
    );
    write(
        root,
        "etc/claude-code/managed-settings.json",
        r#"{
  "allowManagedHooksOnly": true,
  "allowManagedPermissionRulesOnly": false,
  "permissions": { "disableBypassPermissionsMode": "disable", "deny": ["Read(//etc/shadow)"] },
  "forceLoginMethod": "gateway",
  "forceLoginGatewayUrl": "https://gateway.example.com",
  "allowedProviders": ["anthropic", "bedrock"],
  "requiredMinimumVersion": "2.1.250",
  "strictKnownMarketplaces": [],
  "sandbox": { "network": { "allowManagedDomainsOnly": true } },
  "env": { "CLAUDE_CODE_ENABLE_TELEMETRY": "1" }
}"#,
    );
    write(
        root,
        "etc/claude-code/managed-settings.d/20-hooks.json",
        "{}",
    );
    write(
        root,
        "home/ana/.claude/settings.json",
        r#"{ "autoMode": { "allow": ["run the test suite"] }, "skipAutoPermissionPrompt": true, "permissions": { "deny": ["Read(//Users/ana/.ssh/**)"] }, "attribution": false }"#,
    );
    write(
        root,
        "home/ana/.claude.json",
        r#"{ "autoConnectIde": true, "mcpServers": { "notes": { "command": "notes-mcp" } }, "projects": { "/home/ana/app": { "allowedTools": [], "mcpServers": {} } } }"#,
    );
    let found = cld3(root);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn devcontainer_jsonc_is_never_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".devcontainer/devcontainer.json",
        "{\n  // image\n  \"image\": \"mcr.microsoft.com/devcontainers/base\", /* x */\n  \"runArgs\": [\"--init\",],\n}\n",
    );
    let run = claudit(
        dir.path(),
        &["scan", ".", "--no-ignore", "--format", "json"],
    );
    let doc = json(&run);
    assert!(
        doc["findings"].as_array().expect("findings").is_empty(),
        "{doc:#}"
    );
    assert!(
        doc["notices"].as_array().is_none_or(|n| n.is_empty()),
        "{doc:#}"
    );
}

#[test]
fn every_strict_json_problem_is_reported_at_its_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".claude/settings.json",
        "{\n  // note\n  \"permissions\": {\n    \"deny\": ['Read(./.env)', \"Read(./secrets/**)\",],\n  },\n  env: {\"A\": \"1\"}\n}\n",
    );
    let found = cld3(dir.path());
    let syntax: Vec<(u64, u64)> = found
        .iter()
        .filter(|f| f.0 == "CLD301")
        .map(|f| (f.2, f.3))
        .collect();
    // comment, single quotes, trailing comma in the array, trailing comma in the object (after `]`), unquoted key
    assert_eq!(
        syntax,
        vec![(2, 3), (4, 14), (4, 50), (4, 52), (6, 3)],
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .filter(|f| f.0 == "CLD301")
            .all(|f| f.4 == "error")
    );
    // The problems are findings, not parse notices as well.
    let run = claudit(
        dir.path(),
        &["scan", ".", "--no-ignore", "--format", "json"],
    );
    let notices = json(&run)["notices"].clone();
    assert!(
        notices.as_array().is_none_or(|n| n.is_empty()),
        "{notices:#}"
    );
}

#[test]
fn effect_of_invalid_json_depends_on_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "etc/claude-code/managed-settings.json",
        "{\"a\": 1,}",
    );
    write(dir.path(), "pkg/.claude/settings.local.json", "{\"a\": 1,}");
    write(dir.path(), ".mcp.json", "{\"mcpServers\": {},}");
    write(
        dir.path(),
        "etc/claude-code/managed-mcp.json",
        "{\"mcpServers\": {},}",
    );
    let all = findings(dir.path());
    let message = |suffix: &str| -> (String, String) {
        let f = all
            .iter()
            .find(|f| {
                f["rule_id"] == "CLD301" && f["path"].as_str().is_some_and(|p| p.ends_with(suffix))
            })
            .unwrap_or_else(|| panic!("no CLD301 in {suffix}: {all:#?}"));
        (
            f["severity"].as_str().unwrap_or_default().to_string(),
            f["message"].as_str().unwrap_or_default().to_string(),
        )
    };
    let (severity, text) = message("managed-settings.json");
    assert_eq!(severity, "error");
    assert!(text.contains("stops Claude Code from starting"), "{text}");
    let (severity, text) = message("settings.local.json");
    assert_eq!(severity, "error");
    assert!(
        text.contains("`claude -p` skips the file silently"),
        "{text}"
    );
    let (severity, text) = message(".mcp.json");
    assert_eq!(severity, "warning");
    assert!(text.contains("undocumented"), "{text}");
    let (severity, text) = message("managed-mcp.json");
    assert_eq!(severity, "error");
    assert!(text.contains("2.1.271"), "{text}");
}

#[test]
fn a_corrupt_claude_json_is_a_syntax_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "home/ana/.claude.json",
        "{\n  \"theme\": \"dark\",\n  // note\n  \"autoUpdates\": false,\n}\n",
    );
    let run = claudit(
        dir.path(),
        &["scan", ".", "--no-ignore", "--format", "json"],
    );
    assert_ne!(run.code, 2, "{}", run.stderr);
    let found: Vec<(String, u64, String, String)> = json(&run)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "CLD301")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!((found[0].1, found[1].1), (3, 4), "{found:#?}");
    for (_, _, severity, message) in &found {
        assert_eq!(severity, "error");
        assert!(
            message.contains("`claude -p` prints the error and exits"),
            "{message}"
        );
        assert!(message.contains(".claude.json.corrupted"), "{message}");
    }
    // Reported as findings, not also as a parse notice.
    assert!(!run.stderr.contains("claude.json"), "{}", run.stderr);
}

#[test]
fn removed_tools_and_bracketed_specifiers_in_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".claude/settings.json",
        r#"{ "permissions": { "allow": ["TaskOutput", "Read[wrong]"], "deny": ["Read[./.env]"] } }"#,
    );
    let all = findings(dir.path());
    let got: Vec<(&str, &str, &str)> = all
        .iter()
        .filter(|f| {
            f["rule_id"]
                .as_str()
                .is_some_and(|r| r.starts_with("CLD32"))
        })
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(got.len(), 3, "{got:#?}");
    assert_eq!((got[0].0, got[0].1), ("CLD322", "note"), "{got:#?}");
    assert!(got[0].2.contains("removed in v2.1.277"), "{}", got[0].2);
    assert_eq!((got[1].0, got[1].1), ("CLD320", "warning"), "{got:#?}");
    assert_eq!((got[2].0, got[2].1), ("CLD320", "error"), "{got:#?}");
    for (_, _, message) in &got[1..] {
        assert!(message.contains("square brackets"), "{message}");
        assert!(!message.contains("wildcard"), "{message}");
    }
}

#[test]
fn scope_decides_where_a_key_has_effect() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let policy = r#"{ "allowManagedHooksOnly": true, "autoMode": { "allow": ["x"] } }"#;
    write(root, ".claude/settings.json", policy);
    write(root, "ops/managed-settings.d/10-policy.json", policy);
    write(root, "dots/.claude/settings.json", policy);
    write(root, "dots/.zshrc", "export EDITOR=vim\n");
    let found = cld3(root);
    let at = |suffix: &str| -> Vec<&str> {
        found
            .iter()
            .filter(|f| f.1.ends_with(suffix))
            .map(|f| f.0.as_str())
            .collect()
    };
    assert_eq!(at(".claude/settings.json").len(), 3, "{found:#?}"); // project + dots
    assert_eq!(
        at("dots/.claude/settings.json"),
        vec!["CLD310"],
        "{found:#?}"
    ); // user: managed-only key
    assert!(at("10-policy.json").is_empty(), "{found:#?}");
}

#[test]
fn hidden_drop_ins_are_not_managed_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let broken = r#"{ "permissions": { "defaultMode": "nope" }, "allowManagedHooksOnly": "yes", }"#;
    write(
        root,
        "etc/claude-code/managed-settings.d/.hidden.json",
        broken,
    );
    write(
        root,
        "etc/claude-code/managed-settings.d/10-policy.json",
        broken,
    );
    let found = cld3(root);
    assert!(
        found.iter().all(|f| !f.1.ends_with(".hidden.json")),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|f| f.1.ends_with("10-policy.json")),
        "{found:#?}"
    );
}

#[test]
fn a_claude_config_dir_with_its_state_file_is_user_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // `CLAUDE_CONFIG_DIR` layout: `.claude.json` sits inside the folder.
    let policy = r#"{ "allowManagedHooksOnly": true, "autoMode": { "allow": ["x"] } }"#;
    write(root, ".claude/settings.json", policy);
    write(root, ".claude/.claude.json", "{}");
    let found = cld3(root);
    let ids: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(ids, ["CLD310"], "{found:#?}"); // user settings: only the managed-only key
}

#[test]
fn delegate_mode_is_a_note_and_keybinding_flavor_values_are_not_judged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        ".claude/settings.json",
        r#"{ "permissions": { "defaultMode": "delegate" } }"#,
    );
    write(
        root,
        "u/.claude/settings.json",
        r#"{ "keybindingFlavor": "vim" }"#,
    );
    write(root, "u/.zshrc", "");
    let found = cld3(root);
    let got: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.1.as_str(), f.4.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("CLD308", ".claude/settings.json", "note"),
            ("CLD311", "u/.claude/settings.json", "note"),
        ],
        "{found:#?}"
    );
}

#[test]
fn hook_matchers_that_never_match_or_are_ignored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handler = r#"[{ "type": "command", "command": "true" }]"#;
    write(
        dir.path(),
        ".claude/settings.json",
        format!(
            r#"{{ "hooks": {{
  "PreToolUse": [
    {{ "matcher": "[", "hooks": {handler} }},
    {{ "matcher": "Bash(git commit:*)", "hooks": {handler} }},
    {{ "matcher": "bash|Edit", "hooks": {handler} }},
    {{ "matcher": "Bash", "hooks": {handler} }}
  ],
  "Stop": [ {{ "matcher": "Bash", "hooks": {handler} }}, {{ "matcher": ".*", "hooks": {handler} }} ],
  "SessionStart": [ {{ "matcher": "startup", "hooks": {handler} }} ]
}} }}"#
        ),
    );
    let found = cld3(dir.path());
    let got: Vec<(&str, u64, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.2, f.4.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("CLD309", 3, "warning"),
            ("CLD309", 4, "error"),
            ("CLD309", 5, "note"),
            ("CLD309", 8, "note"),
        ],
        "{found:#?}"
    );
}

#[test]
fn hex_numbers_and_legacy_state_options_are_worded_for_what_they_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        ".claude/settings.json",
        "{ \"cleanupPeriodDays\": 0x10 }\n",
    );
    write(
        root,
        "home/ana/.claude.json",
        r#"{ "todoFeatureEnabled": true, "allowedTools": ["Bash(ls)"] }"#,
    );
    let all = findings(root);
    let at = |path: &str| -> Vec<(String, String)> {
        all.iter()
            .filter(|f| f["path"] == path)
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap_or_default().to_string(),
                    f["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let settings = at(".claude/settings.json");
    assert_eq!(settings.len(), 1, "{settings:#?}");
    assert_eq!(settings[0].0, "CLD301");
    assert!(
        settings[0]
            .1
            .contains("a hexadecimal number, which JSON does not allow"),
        "{}",
        settings[0].1
    );
    let state = at("home/ana/.claude.json");
    let legacy: Vec<&String> = state
        .iter()
        .filter(|(id, _)| id == "CLD311")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(legacy.len(), 2, "{state:#?}");
    assert!(
        legacy[0].contains("without a replacement") && legacy[0].contains("delete it"),
        "{}",
        legacy[0]
    );
    assert!(!legacy[0].contains("move them to"), "{}", legacy[0]);
    assert!(
        legacy[1].contains("move them to `permissions.allow`"),
        "{}",
        legacy[1]
    );
}

#[test]
fn legacy_windows_managed_path_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "ProgramData/ClaudeCode/managed-settings.json",
        r#"{ "allowManagedHooksOnly": true }"#,
    );
    write(
        dir.path(),
        "Program Files/ClaudeCode/managed-settings.json",
        r#"{ "allowManagedHooksOnly": true }"#,
    );
    let found = cld3(dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "CLD310");
    assert_eq!(found[0].4, "error");
    assert!(found[0].1.starts_with("ProgramData/"), "{found:#?}");
}

#[test]
fn duplicates_empty_files_and_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        ".claude/settings.json",
        "{\n  \"permissions\": {\"deny\": [\"Read(./.env)\"]},\n  \"permissions\": {\"allow\": []}\n}\n",
    );
    write(root, "a/.claude/settings.local.json", "");
    write(root, "etc/claude-code/managed-settings.json", "");
    let big = format!(
        "{{\"companyAnnouncements\": [\"{}\"]}}",
        " ".repeat(2 * 1024 * 1024)
    );
    write(root, "b/.claude/settings.json", big);
    let all = findings(root);
    let dup = all
        .iter()
        .find(|f| f["rule_id"] == "CLD305")
        .expect("duplicate key finding");
    assert_eq!(dup["line"], 2);
    assert_eq!(dup["logical_location"], "/permissions");
    assert_eq!(dup["severity"], "note"); // facts R27: duplicate keys are N
    let rules: Vec<(&str, &str)> = all
        .iter()
        .filter_map(|f| Some((f["rule_id"].as_str()?, f["path"].as_str()?)))
        .filter(|(r, _)| r.starts_with("CLD3"))
        .collect();
    assert!(
        rules.contains(&("CLD303", "a/.claude/settings.local.json")),
        "{rules:?}"
    );
    assert!(
        !rules
            .iter()
            .any(|(_, p)| p.ends_with("managed-settings.json")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("CLD304", "b/.claude/settings.json")),
        "{rules:?}"
    );
}

#[test]
fn mcp_shapes_and_expansion() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".mcp.json",
        r#"{
  "mcpServers": {
    "remote": { "url": "https://mcp.example.com/mcp" },
    "bad-type": { "type": "websocket", "url": "wss://x" },
    "no-command": { "args": ["x"] },
    "copied": { "command": "npx", "args": ["srv"], "disabled": true, "env": { "TOKEN": "$TOKEN", "N": 3 } },
    "root": { "command": "node", "args": ["${CLAUDE_PROJECT_DIR}/server.js"] },
    "in-dir": { "command": "uv", "args": ["run", "server.py"], "cwd": "tools/mcp" }
  }
}"#,
    );
    let found = cld3(dir.path());
    let count = |rule: &str| found.iter().filter(|f| f.0 == rule).count();
    assert_eq!(count("CLD330"), 4, "{found:#?}"); // url without type, bad type, no command, non-string env
    assert_eq!(count("CLD331"), 1, "{found:#?}"); // disabled (`cwd` is a documented stdio field)
    assert_eq!(count("CLD332"), 2, "{found:#?}"); // $TOKEN, CLAUDE_PROJECT_DIR without default
}

#[test]
fn secrets_in_rules_and_keys_are_never_printed() {
    let key = claudit::testkeys::key("api03", 7);
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".claude/settings.json",
        format!(
            r#"{{
  "permissions": {{
    "allow": ["Bash(curl -H 'x-api-key: {key}' https://api.anthropic.com) x", "Write(/tmp/{key})", "{key}"],
    "deny": ["Bash(command:{key})"]
  }},
  "{key}": true,
  "env": {{ "{key}": 1 }}
}}"#
        ),
    );
    let run = claudit(
        dir.path(),
        &["scan", ".", "--no-ignore", "--format", "json"],
    );
    assert_ne!(run.code, 2);
    let body_start = &key[..30];
    for f in json(&run)["findings"].as_array().expect("findings") {
        let message = f["message"].as_str().unwrap_or_default();
        assert!(!message.contains(body_start), "{message}");
    }
    let text = claudit(dir.path(), &["scan", ".", "--no-ignore"]);
    assert!(!text.stdout.contains(&key), "{}", text.stdout);
}

#[test]
fn broken_files_never_crash_the_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, ".claude/settings.json", "[".repeat(100_000));
    write(
        root,
        "x/.claude/settings.json",
        b"\xff\xfe{\"a\": 1}".as_slice(),
    );
    write(
        root,
        "y/.claude/settings.json",
        "{\"hooks\": {\"Stop\": [[], 1, {\"hooks\": {}}, {\"hooks\": [null, {\"type\": 3}]}]}, \"permissions\": {\"allow\": {}}}",
    );
    write(
        root,
        ".mcp.json",
        "{\"mcpServers\": {\"a\": [], \"b\": {\"type\": null, \"url\": 5}, \"c\": {\"command\": \"x\", \"args\": \"y\", \"oauth\": 1}}}",
    );
    write(root, "z/.mcp.json", "\"just a string\"");
    let run = claudit(root, &["scan", ".", "--no-ignore", "--format", "json"]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let ids: Vec<String> = json(&run)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule_id"].as_str().map(str::to_string))
        .collect();
    assert!(ids.iter().any(|r| r == "CLD301"), "{ids:?}");
    assert!(ids.iter().any(|r| r == "CLD309"), "{ids:?}");
    assert!(ids.iter().any(|r| r == "CLD330"), "{ids:?}");
}

#[test]
fn settings_too_large_to_parse_are_still_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = format!(
        "{{\"companyAnnouncements\": [\"{}\"]}}",
        " ".repeat(2_200_000)
    );
    write(dir.path(), ".claude/settings.json", &big);
    write(
        dir.path(),
        "a/.claude/settings.json",
        format!("{{\"x\": \"{}\"}}", " ".repeat(600_000)),
    );
    let run = claudit(
        dir.path(),
        &[
            "scan",
            ".",
            "--no-ignore",
            "--format",
            "json",
            "--max-parse-size",
            "500000",
        ],
    );
    assert_ne!(run.code, 2, "{}", run.stderr);
    let hits: Vec<String> = json(&run)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "CLD304")
        .filter_map(|f| Some(format!("{}:{}", f["path"].as_str()?, f["line"])))
        .collect();
    assert_eq!(hits, vec![".claude/settings.json:1"], "{hits:?}");
}
