//! CLD440–CLD442: dev containers that expose the host or run Claude Code
//! unsafely (facts §7, §10 A R12, §10 D R33).
//!
//! - CLD440: bind mounts of host credential folders (`~/.claude`,
//!   `~/.claude.json`, `~/.ssh`, `~/.aws`, `~/.config/gcloud`, …), in `mounts`
//!   (strings and objects) and in `runArgs` (`-v`, `--volume`, `--mount`),
//!   and in the `volumes` of compose services (short and long syntax).
//! - CLD441: `--dangerously-skip-permissions` in a lifecycle command of a
//!   container whose user is root (the CLI refuses to start as root).
//! - CLD442: a privileged container (`"privileged": true`, `--privileged`,
//!   `--cap-add=ALL`/`SYS_ADMIN`, the `docker-in-docker` feature) that runs
//!   Claude Code; as notes, `--security-opt` values that turn seccomp,
//!   AppArmor or SELinux confinement off.

use std::ops::Range;

use super::FileContext;
use crate::classify::FileKind;
use crate::finding::{Confidence, Finding, Severity};
use crate::formats::json::{Node, pointer_join};
use crate::tree::{join_rel, parent_dir};

pub fn check(ctx: &FileContext, out: &mut Vec<Finding>) {
    if ctx.kind == FileKind::Compose {
        if let Some(root) = ctx.parsed.yaml.as_ref() {
            compose_credential_mounts(root, out);
        }
        return;
    }
    if ctx.kind != FileKind::Devcontainer {
        return;
    }
    let Some(doc) = ctx.parsed.json.as_ref() else {
        return;
    };
    let root = &doc.root;
    credential_mounts(root, out);
    skip_permissions_as_root(ctx, root, out);
    privileged(ctx, root, out);
}

fn defaults(id: &str) -> (Severity, Confidence) {
    crate::catalog::rule(id)
        .map(|r| (r.severity, r.confidence))
        .unwrap_or((Severity::Warning, Confidence::Medium))
}

fn finding(id: &'static str, span: Range<usize>, pointer: String, message: String) -> Finding {
    let (severity, confidence) = defaults(id);
    Finding::new(id, severity, confidence)
        .at(span)
        .logical(pointer)
        .message(message)
}

// ---------------------------------------------------------------- CLD440

/// A mount found in the file: where it comes from on the host.
#[derive(Debug, PartialEq, Eq)]
struct Mount {
    source: String,
    bind: bool,
}

/// Host paths (relative to the home directory) that hold credentials, and what they hold.
pub(crate) const CREDENTIAL_PATHS: &[(&str, &str)] = &[
    (
        ".claude",
        "Claude Code's login (`.credentials.json`), settings and session transcripts",
    ),
    (
        ".claude.json",
        "Claude Code's account state and personal MCP servers",
    ),
    (".ssh", "SSH private keys"),
    (".aws", "AWS credentials"),
    (".config/gcloud", "Google Cloud credentials"),
    (".azure", "Azure credentials"),
    (".kube", "Kubernetes cluster credentials"),
    (".docker", "Docker registry credentials"),
    (".gnupg", "GPG private keys"),
    (".config/gh", "the GitHub CLI's token"),
    (".netrc", "stored passwords"),
    (".git-credentials", "stored git passwords and tokens"),
    (".npmrc", "npm registry tokens"),
    (".pypirc", "PyPI upload tokens"),
];

/// Files inside a credential folder that hold no secret: `~/.ssh/known_hosts`,
/// `~/.ssh/config`, public keys.
pub(crate) fn is_public_file(home_rel: &str) -> bool {
    let path = home_rel.trim_start_matches("~/").trim_end_matches('/');
    matches!(
        path,
        ".ssh/known_hosts" | ".ssh/known_hosts.old" | ".ssh/config"
    ) || (path.starts_with(".ssh/") && path.ends_with(".pub"))
}

/// `${localEnv:HOME}/.ssh` → `~/.ssh`; `C:\Users\me\.aws` → `~/.aws`;
/// `${HOME:-/root}/.aws` → `~/.aws`. The cross-platform form that names both
/// home variables, `${localEnv:HOME}${localEnv:USERPROFILE}/.claude` (one of
/// them is empty on each OS), and its compose analogue `${HOME}${USERPROFILE}`
/// count as one home directory.
fn home_relative(source: &str) -> Option<String> {
    let s = source.trim().replace('\\', "/");
    let rest = match s.strip_prefix('~') {
        Some(after) => Some(after),
        None => strip_home_variable(&s).map(|mut rest| {
            while let Some(after) = strip_home_variable(rest) {
                rest = after;
            }
            rest
        }),
    };
    if let Some(rest) = rest {
        return Some(format!("~{}", rest.trim_end_matches('/')));
    }
    // /home/<user>/…, /Users/<user>/…, C:/Users/<user>/…
    let lower = s.to_ascii_lowercase();
    for base in ["/home/", "/users/", "c:/users/"] {
        if let Some(rest) = lower.strip_prefix(base) {
            let user_end = rest.find('/').unwrap_or(rest.len());
            let offset = s.len() - rest.len() + user_end;
            return Some(format!("~{}", s[offset..].trim_end_matches('/')));
        }
    }
    None
}

/// `s` after one leading home-directory variable, or `None`.
fn strip_home_variable(s: &str) -> Option<&str> {
    // Compose's `${HOME:-default}` / `${HOME-default}`.
    for var in ["${HOME", "${USERPROFILE"] {
        if let Some(after) = s.strip_prefix(var)
            && after.starts_with([':', '-'])
            && let Some(close) = after.find('}')
        {
            return Some(&after[close + 1..]);
        }
    }
    const HOME_VARS: &[&str] = &[
        "${localEnv:HOME}",
        "${localEnv:USERPROFILE}",
        "${env:HOME}",
        "${env:USERPROFILE}",
        "${HOME}",
        "${USERPROFILE}",
        "$HOME",
        "$USERPROFILE",
        "%USERPROFILE%",
    ];
    HOME_VARS.iter().find_map(|var| s.strip_prefix(var))
}

/// The credential folder a host path exposes, and what it holds.
fn exposed_credentials(source: &str) -> Option<(String, &'static str)> {
    let rel = home_relative(source)?;
    if rel == "~" {
        return Some((rel, "every credential in the home directory"));
    }
    let path = rel.strip_prefix("~/")?;
    if is_public_file(path) {
        return None;
    }
    CREDENTIAL_PATHS.iter().find_map(|(p, what)| {
        let inside = path == *p || path.starts_with(&format!("{p}/"));
        inside.then(|| (rel.clone(), *what))
    })
}

/// `source=…,target=…,type=bind` (Docker `--mount` syntax).
fn parse_mount_spec(spec: &str) -> Mount {
    let mut source = String::new();
    let mut kind = None;
    for part in spec.split(',') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key.trim() {
            "source" | "src" => source = value.trim().to_string(),
            "type" => kind = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let bind = match kind.as_deref() {
        Some(k) => k == "bind",
        None => looks_like_host_path(&source),
    };
    Mount { source, bind }
}

/// `-v host:container[:opts]`: a bind mount when the host part is a path.
fn parse_volume_spec(spec: &str) -> Mount {
    let source = split_volume_source(spec).to_string();
    Mount {
        bind: looks_like_host_path(&source),
        source,
    }
}

/// The host part of `host:container[:ro]`, minding `C:\…` drive letters and
/// the colons inside `${localEnv:HOME}`.
fn split_volume_source(spec: &str) -> &str {
    let bytes = spec.as_bytes();
    let skip_drive = bytes.len() > 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic();
    let mut depth = 0usize;
    for (i, &b) in bytes
        .iter()
        .enumerate()
        .skip(if skip_drive { 2 } else { 0 })
    {
        match b {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b':' if depth == 0 => return &spec[..i],
            _ => {}
        }
    }
    spec
}

fn looks_like_host_path(source: &str) -> bool {
    let s = source.trim();
    s.starts_with('/')
        || s.starts_with('~')
        || s.starts_with('.')
        || s.starts_with('$')
        || s.starts_with('%')
        || (s.len() > 2 && s.as_bytes()[1] == b':')
}

/// Every mount in `mounts` and `runArgs`, with its node and pointer.
fn mounts(root: &Node) -> Vec<(Mount, &Node, String)> {
    let mut found = Vec::new();
    for (i, item) in root
        .get("mounts")
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let pointer = format!("/mounts/{i}");
        if let Some(spec) = item.as_str() {
            found.push((parse_mount_spec(spec), item, pointer));
        } else if item.as_object().is_some() {
            let source = item
                .get("source")
                .and_then(Node::as_str)
                .unwrap_or_default();
            let bind = match item.get("type").and_then(Node::as_str) {
                Some(t) => t == "bind",
                None => looks_like_host_path(source),
            };
            let node = item.get("source").unwrap_or(item);
            found.push((
                Mount {
                    source: source.to_string(),
                    bind,
                },
                node,
                pointer,
            ));
        }
    }
    found.extend(run_arg_mounts(root));
    found
}

/// `-v x:y`, `--volume=x:y`, `--mount type=bind,source=x,…` in `runArgs`.
fn run_arg_mounts(root: &Node) -> Vec<(Mount, &Node, String)> {
    let args = root
        .get("runArgs")
        .and_then(Node::as_array)
        .unwrap_or_default();
    let mut found = Vec::new();
    for (i, item) in args.iter().enumerate() {
        let Some(arg) = item.as_str() else {
            continue;
        };
        let arg = arg.trim();
        let next = || args.get(i + 1).and_then(|n| n.as_str().map(|s| (n, s)));
        let pointer = |j: usize| format!("/runArgs/{j}");
        if let Some(spec) = arg
            .strip_prefix("--volume=")
            .or_else(|| arg.strip_prefix("-v="))
        {
            found.push((parse_volume_spec(spec), item, pointer(i)));
        } else if let Some(spec) = arg.strip_prefix("--mount=") {
            found.push((parse_mount_spec(spec), item, pointer(i)));
        } else if matches!(arg, "-v" | "--volume")
            && let Some((node, spec)) = next()
        {
            found.push((parse_volume_spec(spec), node, pointer(i + 1)));
        } else if arg == "--mount"
            && let Some((node, spec)) = next()
        {
            found.push((parse_mount_spec(spec), node, pointer(i + 1)));
        } else if let Some(spec) = arg.strip_prefix("-v").filter(|s| s.contains(':')) {
            found.push((parse_volume_spec(spec.trim()), item, pointer(i)));
        }
    }
    found
}

fn credential_mounts(root: &Node, out: &mut Vec<Finding>) {
    for (mount, node, pointer) in mounts(root) {
        if !mount.bind {
            continue;
        }
        let Some((path, what)) = exposed_credentials(&mount.source) else {
            continue;
        };
        out.push(finding(
            "CLD440",
            node.span.clone(),
            pointer,
            format!(
                "the dev container bind-mounts the host's `{path}` ({what}): anything running in the container, \
                 including a prompt-injected Claude Code session, can read it and send it away (a read-only \
                 mount still allows reading); use a named volume with `CLAUDE_CONFIG_DIR`, or pass credentials \
                 as environment variables or Codespaces secrets"
            ),
        ));
    }
}

/// CLD440 for compose files: `services.<name>.volumes` in the short syntax
/// (`~/.ssh:/root/.ssh:ro`) and the long one (`type: bind`, `source: …`).
fn compose_credential_mounts(root: &crate::formats::yaml::Node, out: &mut Vec<Finding>) {
    let Some(services) = root.get("services") else {
        return;
    };
    for service in services.entries() {
        let Some(name) = service.key.as_scalar().map(|s| s.text.as_str()) else {
            continue;
        };
        let Some(volumes) = service.value.get("volumes").filter(|v| v.is_sequence()) else {
            continue;
        };
        for (i, item) in volumes.items().iter().enumerate() {
            let (mount, node) = if let Some(spec) = item.as_str() {
                (parse_volume_spec(spec), item)
            } else if item.is_mapping() {
                let Some(source) = item.get("source") else {
                    continue;
                };
                let bind = match item.get("type").and_then(|t| t.as_str()) {
                    Some(t) => t == "bind",
                    None => looks_like_host_path(source.as_str().unwrap_or_default()),
                };
                (
                    Mount {
                        source: source.as_str().unwrap_or_default().to_string(),
                        bind,
                    },
                    source,
                )
            } else {
                continue;
            };
            if !mount.bind {
                continue;
            }
            let Some((path, what)) = exposed_credentials(&mount.source) else {
                continue;
            };
            let shown = if name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            {
                format!("`{name}`")
            } else {
                "a service".to_string()
            };
            out.push(finding(
                "CLD440",
                node.span.clone(),
                format!("services.{name}.volumes[{i}]"),
                format!(
                    "compose service {shown} bind-mounts the host's `{path}` ({what}): anything running in the \
                     container, including a prompt-injected Claude Code session, can read it and send it away (a \
                     read-only mount still allows reading); use a named volume with `CLAUDE_CONFIG_DIR` for \
                     Claude Code's login, or pass credentials as environment variables or compose secrets"
                ),
            ));
        }
    }
}

// ---------------------------------------------------------------- CLD441

/// Lifecycle commands that run inside the container (`initializeCommand` runs on the host).
const LIFECYCLE: &[&str] = &[
    "onCreateCommand",
    "updateContentCommand",
    "postCreateCommand",
    "postStartCommand",
    "postAttachCommand",
];

/// Each command string of a lifecycle command: a string, an array, or an
/// object of strings and arrays. With it, the whole command line it belongs
/// to (an exec-form array's items joined with spaces).
fn command_strings<'a>(node: &'a Node, pointer: String, out: &mut Vec<(&'a Node, String, String)>) {
    if let Some(text) = node.as_str() {
        out.push((node, pointer, text.to_string()));
    } else if let Some(items) = node.as_array() {
        let line = items
            .iter()
            .filter_map(Node::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        for (i, item) in items.iter().enumerate() {
            if item.as_str().is_some() {
                out.push((item, format!("{pointer}/{i}"), line.clone()));
            }
        }
    } else if let Some(members) = node.as_object() {
        for m in members {
            command_strings(&m.value, pointer_join(&pointer, &m.key), out);
        }
    }
}

/// `sudo [options] … claude … --dangerously-skip-permissions` in one shell
/// command of `line`: the flag runs as root whoever the container user is
/// (unless `-u`/`--user` names another user).
fn skip_permissions_under_sudo(line: &str) -> bool {
    line.split(['&', ';', '|', '\n'])
        .filter(|segment| segment.contains("--dangerously-skip-permissions"))
        .any(|segment| {
            let words: Vec<&str> = segment.split_whitespace().collect();
            let Some(at) = words.iter().position(|w| *w == "sudo") else {
                return false;
            };
            let rest = &words[at + 1..];
            let claude = rest
                .iter()
                .position(|w| w.rsplit('/').next() == Some("claude"));
            let Some(claude) = claude else {
                return false;
            };
            let options = &rest[..claude];
            let user = options.iter().enumerate().find_map(|(i, w)| {
                if *w == "-u" || *w == "--user" {
                    options.get(i + 1).copied()
                } else {
                    w.strip_prefix("--user=")
                        .or_else(|| w.strip_prefix("-u").filter(|u| !u.is_empty()))
                }
            });
            user.is_none_or(|u| matches!(u, "root" | "0" | "#0"))
        })
}

/// Who the container's processes run as: `Some(true)` root, `Some(false)`
/// another user, `None` unknown.
fn runs_as_root(ctx: &FileContext, root: &Node) -> Option<bool> {
    for key in ["remoteUser", "containerUser"] {
        if let Some(user) = root.get(key).and_then(Node::as_str) {
            return Some(matches!(user.trim(), "root" | "0"));
        }
    }
    // Dev Containers images set a non-root `remoteUser` in their metadata.
    if root
        .get("image")
        .and_then(Node::as_str)
        .is_some_and(|i| i.starts_with("mcr.microsoft.com/devcontainers/"))
    {
        return Some(false);
    }
    let dockerfile = root
        .get("build")
        .and_then(|b| b.get("dockerfile"))
        .or_else(|| root.get("dockerFile"))
        .and_then(Node::as_str)?;
    let rel = join_rel(parent_dir(ctx.rel_path), dockerfile)?;
    let text = ctx.tree.read_side_file(&rel)?;
    let last_user = text
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (instr, rest) = l.split_once(char::is_whitespace)?;
            instr.eq_ignore_ascii_case("USER").then(|| rest.trim())
        })
        .next_back();
    Some(last_user.is_none_or(|u| matches!(u, "root" | "0" | "0:0" | "root:root")))
}

fn skip_permissions_as_root(ctx: &FileContext, root: &Node, out: &mut Vec<Finding>) {
    let mut commands = Vec::new();
    for key in LIFECYCLE {
        if let Some(node) = root.get(key) {
            command_strings(node, pointer_join("", key), &mut commands);
        }
    }
    let uses_flag: Vec<_> = commands
        .into_iter()
        .filter(|(n, _, _)| {
            n.as_str()
                .is_some_and(|c| c.contains("--dangerously-skip-permissions"))
        })
        .collect();
    if uses_flag.is_empty() {
        return;
    }
    let as_root = runs_as_root(ctx, root);
    let explicit = ["remoteUser", "containerUser"]
        .iter()
        .any(|k| root.get(k).is_some());
    for (node, pointer, line) in uses_flag {
        let sudo = skip_permissions_under_sudo(&line);
        if as_root == Some(false) && !sudo {
            continue;
        }
        let user = if sudo {
            "root: the command runs Claude Code through `sudo`, whatever the container's user"
                .to_string()
        } else if explicit {
            "root".to_string()
        } else {
            "root by default (no `remoteUser` or `containerUser`, and no non-root `USER` in the image)".to_string()
        };
        let fix = if sudo {
            "drop `sudo` and run Claude Code as the container's non-root user"
        } else {
            "set a non-root `remoteUser` (the reference container uses `node`)"
        };
        let mut f = finding(
            "CLD441",
            node.span.clone(),
            pointer,
            format!(
                "a lifecycle command runs Claude Code with `--dangerously-skip-permissions` as {user}: Claude \
                 Code refuses that flag as root (\"cannot be used with root/sudo privileges for security \
                 reasons\") outside a recognised sandbox, and as root a prompt-injected session owns the whole \
                 container; {fix}"
            ),
        );
        if !explicit && !sudo {
            f.confidence = Confidence::Medium;
        }
        out.push(f);
    }
}

// ---------------------------------------------------------------- CLD442

/// True when the container is set up to run Claude Code.
fn runs_claude_code(ctx: &FileContext) -> bool {
    let mentions = |text: &str| {
        let lower = text.to_ascii_lowercase();
        lower.contains("claude-code")
            || lower.contains("claude_config_dir")
            || lower.contains("claude ")
    };
    if ctx.text.is_some_and(mentions) {
        return true;
    }
    let dockerfile = ctx
        .parsed
        .json
        .as_ref()
        .and_then(|d| {
            d.root
                .get("build")
                .and_then(|b| b.get("dockerfile"))
                .or_else(|| d.root.get("dockerFile"))
        })
        .and_then(Node::as_str)
        .and_then(|f| join_rel(parent_dir(ctx.rel_path), f));
    dockerfile
        .and_then(|rel| ctx.tree.read_side_file(&rel))
        .is_some_and(|t| mentions(&t))
}

/// `ghcr.io/devcontainers/features/docker-in-docker:2` (any version or
/// digest, or the legacy short id): the feature declares `"privileged": true`.
fn is_docker_in_docker_feature(id: &str) -> bool {
    let id = id.trim();
    let id = id.split_once('@').map_or(id, |(name, _)| name);
    let name = match id.rsplit_once(':') {
        Some((name, version)) if !version.contains('/') => name,
        _ => id,
    };
    name == "docker-in-docker" || name.ends_with("/docker-in-docker")
}

/// `seccomp=unconfined`, `apparmor:unconfined`, `label=disable`: the
/// confinement a `--security-opt` value turns off.
fn unconfined(opt: &str) -> Option<&'static str> {
    let opt = opt.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    let (key, value) = opt.split_once(['=', ':'])?;
    match (key, value) {
        ("seccomp", "unconfined") => Some("seccomp system-call filtering"),
        ("apparmor", "unconfined") => Some("the AppArmor profile"),
        ("label", "disable") => Some("SELinux labelling"),
        _ => None,
    }
}

fn privileged(ctx: &FileContext, root: &Node, out: &mut Vec<Finding>) {
    let mut hits: Vec<(&Node, String, &str)> = Vec::new();
    if let Some(m) = root.member("privileged")
        && m.value.as_bool() == Some(true)
    {
        hits.push((&m.value, "/privileged".into(), "`\"privileged\": true`"));
    }
    // What lowers the container's confinement without making it privileged:
    // (node, pointer, what is turned off).
    let mut weakened: Vec<(&Node, String, &'static str)> = Vec::new();
    for (i, item) in root
        .get("securityOpt")
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(what) = item.as_str().and_then(unconfined) {
            weakened.push((item, format!("/securityOpt/{i}"), what));
        }
    }
    let mut dind: Vec<(Range<usize>, String)> = Vec::new();
    for m in root
        .get("features")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        if is_docker_in_docker_feature(&m.key) {
            dind.push((m.key_span.clone(), pointer_join("/features", &m.key)));
        }
    }
    let args = root
        .get("runArgs")
        .and_then(Node::as_array)
        .unwrap_or_default();
    for (i, item) in args.iter().enumerate() {
        let Some(arg) = item.as_str().map(str::trim) else {
            continue;
        };
        if let Some(value) = arg.strip_prefix("--security-opt=") {
            if let Some(what) = unconfined(value) {
                weakened.push((item, format!("/runArgs/{i}"), what));
            }
            continue;
        }
        if arg == "--security-opt" {
            if let Some(next) = args.get(i + 1)
                && let Some(what) = next.as_str().and_then(unconfined)
            {
                weakened.push((next, format!("/runArgs/{}", i + 1), what));
            }
            continue;
        }
        let cap = arg
            .strip_prefix("--cap-add=")
            .or_else(|| {
                (arg == "--cap-add")
                    .then(|| args.get(i + 1).and_then(Node::as_str))
                    .flatten()
            })
            .map(|c| c.trim().to_ascii_uppercase());
        let what = if arg == "--privileged" || arg == "--privileged=true" {
            "`--privileged`"
        } else if matches!(cap.as_deref(), Some("ALL" | "SYS_ADMIN" | "CAP_SYS_ADMIN")) {
            "`--cap-add` of every capability or `SYS_ADMIN`"
        } else {
            continue;
        };
        hits.push((item, format!("/runArgs/{i}"), what));
    }
    if (hits.is_empty() && weakened.is_empty() && dind.is_empty()) || !runs_claude_code(ctx) {
        return;
    }
    for (span, pointer) in dind {
        out.push(finding(
            "CLD442",
            span,
            pointer,
            "the dev container that runs Claude Code uses the `docker-in-docker` feature, which starts the \
             container privileged (the feature declares `\"privileged\": true`): it can reach the host's devices \
             and kernel, so a prompt-injected session (all the more with bypass permissions) can escape the \
             container; run Docker-in-Docker in a separate container without Claude Code"
                .to_string(),
        ));
    }
    for (node, pointer, what) in weakened {
        let mut f = finding(
            "CLD442",
            node.span.clone(),
            pointer,
            format!(
                "the dev container that runs Claude Code is started with {what} turned off (`--security-opt`): \
                 the container is not privileged, but it loses a layer of the kernel confinement Docker applies \
                 by default, which makes an escape by a prompt-injected session easier; keep the default profile, \
                 or allow the few system calls the setup needs in a custom one"
            ),
        );
        f.severity = f.severity.lowered();
        out.push(f);
    }
    for (node, pointer, what) in hits {
        out.push(finding(
            "CLD442",
            node.span.clone(),
            pointer,
            format!(
                "the dev container that runs Claude Code is started with {what}: it can reach the host's devices \
                 and kernel, so a prompt-injected session (all the more with bypass permissions) can escape the \
                 container; grant only the capabilities needed, as the reference container does with \
                 `NET_ADMIN`/`NET_RAW` for its firewall"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Tree;

    fn run_with(rel_path: &str, text: &str, tree: &Tree) -> Vec<Finding> {
        crate::checks::run_check(check, rel_path, text, tree, true)
    }

    fn run(text: &str) -> Vec<Finding> {
        run_with(".devcontainer/devcontainer.json", text, &Tree::default())
    }

    fn ids(found: &[Finding]) -> Vec<&'static str> {
        found.iter().map(|f| f.rule_id).collect()
    }

    #[test]
    fn home_paths_normalise() {
        assert_eq!(
            home_relative("${localEnv:HOME}/.ssh/").as_deref(),
            Some("~/.ssh")
        );
        assert_eq!(
            home_relative("C:\\Users\\ana\\.aws").as_deref(),
            Some("~/.aws")
        );
        assert_eq!(
            home_relative("/home/dev/.claude").as_deref(),
            Some("~/.claude")
        );
        assert_eq!(home_relative("/Users/dev").as_deref(), Some("~"));
        // The cross-platform form names both variables; one is empty on each OS.
        assert_eq!(
            home_relative("${localEnv:HOME}${localEnv:USERPROFILE}/.claude").as_deref(),
            Some("~/.claude")
        );
        assert_eq!(
            home_relative("${HOME}${USERPROFILE}/.ssh").as_deref(),
            Some("~/.ssh")
        );
        assert!(
            exposed_credentials("${localEnv:HOME}${localEnv:USERPROFILE}/.claude.json").is_some()
        );
        assert!(exposed_credentials("${localEnv:USERPROFILE}${localEnv:HOME}/.ssh").is_some());
        assert_eq!(home_relative("${localWorkspaceFolder}/x"), None);
        assert!(
            exposed_credentials("~/.config/gcloud/application_default_credentials.json").is_some()
        );
        assert!(exposed_credentials("~/.claude.json").is_some());
        assert!(exposed_credentials("~/.claude-backup").is_none());
        assert!(exposed_credentials("~/.gitconfig").is_none());
        assert_eq!(
            split_volume_source("C:\\Users\\a\\.ssh:/root/.ssh:ro"),
            "C:\\Users\\a\\.ssh"
        );
        assert_eq!(
            split_volume_source("${localEnv:HOME}/.ssh:/root/.ssh"),
            "${localEnv:HOME}/.ssh"
        );
    }

    #[test]
    fn credential_mounts_in_every_form() {
        let text = r#"{
  // JSONC comments and trailing commas are fine here
  "mounts": [
    "source=${localEnv:HOME}/.claude,target=/home/node/.claude,type=bind,readonly",
    "source=claude-code-config-${devcontainerId},target=/home/node/.claude,type=volume",
    {"source": "${localEnv:HOME}/.aws", "target": "/home/node/.aws", "type": "bind"},
    "source=${localWorkspaceFolder}/results,target=/workspace/results,type=bind",
  ],
  "runArgs": ["-v", "${localEnv:HOME}/.ssh:/home/node/.ssh:ro", "--volume=${env:HOME}/.config/gcloud:/gc",
              "--mount", "type=bind,source=${localEnv:HOME}/.claude.json,target=/home/node/.claude.json"],
}"#;
        let found = run(text);
        assert_eq!(ids(&found), ["CLD440"; 5]);
        let pointers: Vec<_> = found.iter().filter_map(|f| f.logical.as_deref()).collect();
        assert_eq!(
            pointers,
            [
                "/mounts/0",
                "/mounts/2",
                "/runArgs/1",
                "/runArgs/2",
                "/runArgs/4"
            ]
        );
        assert!(
            found[0].message.contains("`~/.claude`"),
            "{}",
            found[0].message
        );
        assert_eq!(&text[found[1].span.clone()], "\"${localEnv:HOME}/.aws\"");
    }

    #[test]
    fn skip_permissions_as_root() {
        let explicit = r#"{"image": "node:22", "remoteUser": "root",
 "postCreateCommand": "npm i -g @anthropic-ai/claude-code && claude --dangerously-skip-permissions -p hi"}"#;
        let found = run(explicit);
        assert_eq!(ids(&found), ["CLD441"]);
        assert_eq!(found[0].confidence, Confidence::High);
        let implicit = r#"{"image": "node:22", "postStartCommand": {"claude": ["claude", "--dangerously-skip-permissions"]}}"#;
        let found = run(implicit);
        assert_eq!(ids(&found), ["CLD441"]);
        assert_eq!(found[0].confidence, Confidence::Medium);
        assert_eq!(
            found[0].logical.as_deref(),
            Some("/postStartCommand/claude/1")
        );
        // `sudo` runs the flag as root whoever the container user is.
        for sudo in [
            r#"{"image": "node:22", "remoteUser": "node", "postCreateCommand": "npm ci && sudo claude --dangerously-skip-permissions -p hi"}"#,
            r#"{"image": "node:22", "remoteUser": "node", "postStartCommand": ["sudo", "-E", "/usr/local/bin/claude", "--dangerously-skip-permissions"]}"#,
            r#"{"image": "node:22", "remoteUser": "node", "postStartCommand": {"c": "sudo -u root claude --dangerously-skip-permissions"}}"#,
        ] {
            let found = run(sudo);
            assert_eq!(ids(&found), ["CLD441"], "{sudo}");
            assert_eq!(found[0].confidence, Confidence::High);
            assert!(found[0].message.contains("`sudo`"), "{}", found[0].message);
        }
        for fine in [
            r#"{"image": "node:22", "remoteUser": "node", "postCreateCommand": "sudo apt-get install -y jq && claude --dangerously-skip-permissions"}"#,
            r#"{"image": "node:22", "remoteUser": "node", "postCreateCommand": "sudo -u node claude --dangerously-skip-permissions"}"#,
            r#"{"image": "node:22", "remoteUser": "node", "postCreateCommand": "claude --dangerously-skip-permissions"}"#,
            r#"{"image": "mcr.microsoft.com/devcontainers/base:ubuntu", "postCreateCommand": "claude --dangerously-skip-permissions"}"#,
            r#"{"image": "node:22", "postCreateCommand": "claude -p hi"}"#,
        ] {
            assert!(run(fine).is_empty(), "{fine}");
        }
    }

    #[test]
    fn dockerfile_user_decides_when_the_json_is_silent() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(".devcontainer")).expect("mkdir");
        std::fs::write(
            dir.path().join(".devcontainer/Dockerfile"),
            "FROM node:22\nRUN npm i -g @anthropic-ai/claude-code\nUSER node\n",
        )
        .expect("write");
        let tree = Tree {
            root: dir.path().to_path_buf(),
            files: vec![
                ".devcontainer/Dockerfile".into(),
                ".devcontainer/devcontainer.json".into(),
            ],
            ..Tree::default()
        };
        let text = r#"{"build": {"dockerfile": "Dockerfile"}, "postCreateCommand": "claude --dangerously-skip-permissions"}"#;
        assert!(run_with(".devcontainer/devcontainer.json", text, &tree).is_empty());
        let privileged = r#"{"build": {"dockerfile": "Dockerfile"}, "runArgs": ["--privileged"]}"#;
        assert_eq!(
            ids(&run_with(
                ".devcontainer/devcontainer.json",
                privileged,
                &tree
            )),
            ["CLD442"]
        );
    }

    #[test]
    fn privileged_only_when_claude_runs_there() {
        let text = r#"{"image": "node:22", "features": {"ghcr.io/anthropics/devcontainer-features/claude-code:1": {}},
 "privileged": true, "runArgs": ["--cap-add=NET_ADMIN", "--cap-add", "SYS_ADMIN", "--privileged"]}"#;
        let found = run(text);
        assert_eq!(ids(&found), ["CLD442"; 3]);
        let other = r#"{"image": "node:22", "runArgs": ["--privileged"]}"#;
        assert!(run(other).is_empty());
        let caps = r#"{"image": "node:22", "postCreateCommand": "claude -v", "runArgs": ["--cap-add=NET_ADMIN", "--cap-add=NET_RAW"]}"#;
        assert!(run(caps).is_empty());
    }

    #[test]
    fn docker_in_docker_and_unconfined_security_options() {
        let text = r#"{"image": "node:22", "postCreateCommand": "npm i -g @anthropic-ai/claude-code",
 "features": {"ghcr.io/devcontainers/features/docker-in-docker:2": {}, "ghcr.io/devcontainers/features/node:1": {}},
 "securityOpt": ["seccomp=unconfined"],
 "runArgs": ["--security-opt", "apparmor=unconfined", "--security-opt=seccomp:unconfined", "--security-opt=no-new-privileges"]}"#;
        let found = run(text);
        assert_eq!(ids(&found), ["CLD442"; 4]);
        assert_eq!(
            &text[found[0].span.clone()],
            "\"ghcr.io/devcontainers/features/docker-in-docker:2\""
        );
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(
            found[0].message.contains("privileged"),
            "{}",
            found[0].message
        );
        let pointers: Vec<_> = found[1..]
            .iter()
            .filter_map(|f| f.logical.as_deref())
            .collect();
        assert_eq!(pointers, ["/securityOpt/0", "/runArgs/1", "/runArgs/2"]);
        for f in &found[1..] {
            assert_eq!(f.severity, Severity::Note);
            assert!(f.message.contains("not privileged"), "{}", f.message);
        }
        assert!(
            found[2].message.contains("AppArmor"),
            "{}",
            found[2].message
        );
        for id in [
            "ghcr.io/devcontainers/features/docker-in-docker",
            "ghcr.io/devcontainers/features/docker-in-docker:2.12.0",
            "ghcr.io/devcontainers/features/docker-in-docker@sha256:abc",
            "docker-in-docker",
        ] {
            assert!(is_docker_in_docker_feature(id), "{id}");
        }
        assert!(!is_docker_in_docker_feature(
            "ghcr.io/devcontainers/features/docker-outside-of-docker:1"
        ));
        // Without Claude Code in the container: out of scope.
        let other = r#"{"image": "node:22", "features": {"ghcr.io/devcontainers/features/docker-in-docker:2": {}}}"#;
        assert!(run(other).is_empty());
    }

    #[test]
    fn compose_volumes_short_and_long_syntax() {
        let text = "\
services:
  agent:
    image: node:22
    volumes:
      - ~/.claude:/home/node/.claude:ro
      - ${HOME}/.claude.json:/home/node/.claude.json
      - ${HOME}/.ssh/known_hosts:/home/node/.ssh/known_hosts:ro
      - ./src:/workspace/src
      - claude-config:/home/node/.claude
      - type: bind
        source: ${HOME:-/root}/.aws
        target: /home/node/.aws
        read_only: true
      - type: volume
        source: gcloud
        target: /home/node/.config/gcloud
  worker:
    image: python:3
    volumes:
      - /home/ana/.config/gcloud:/root/.config/gcloud
      - $HOME/.ssh:/root/.ssh
volumes:
  claude-config:
  gcloud:
";
        let found = run_with("docker-compose.yml", text, &Tree::default());
        let spans: Vec<_> = found.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(
            spans,
            [
                "~/.claude:/home/node/.claude:ro",
                "${HOME}/.claude.json:/home/node/.claude.json",
                "${HOME:-/root}/.aws",
                "/home/ana/.config/gcloud:/root/.config/gcloud",
                "$HOME/.ssh:/root/.ssh",
            ]
        );
        assert!(found.iter().all(|f| f.rule_id == "CLD440"));
        assert_eq!(
            found[2].logical.as_deref(),
            Some("services.agent.volumes[5]")
        );
        assert!(
            found[0].message.starts_with("compose service `agent`"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn odd_documents_do_not_panic() {
        for text in [
            "",
            "[]",
            r#"{"mounts": "x", "runArgs": {}}"#,
            r#"{"mounts": [1, null, {"source": 3}], "runArgs": ["-v"]}"#,
            r#"{"runArgs": ["--mount", "--cap-add"], "postCreateCommand": 3}"#,
            r#"{"mounts": ["source=C:"], "runArgs": ["-v", "é:é"]}"#,
        ] {
            run(text);
        }
    }
}
