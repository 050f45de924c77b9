//! Dev containers: the image's `ENV` (its `build.dockerfile`, resolved
//! relative to the devcontainer file, at `build.target` or the last stage,
//! with `build.args`) or a compose service (`dockerComposeFile` +
//! `service`), then `containerEnv`, then `runArgs` `-e`/`--env` flags, then
//! `remoteEnv`, then the repository's
//! Claude settings (Claude Code runs in the workspace folder).

use std::collections::HashSet;

use super::compose::service_bindings;
use super::docker::{BuildArg, image_env};
use super::settings::project_overlay;
use super::{Workspace, repository_dir, resolve};
use crate::assign::Origin;
use crate::classify::FileKind;
use crate::env::model::{Binding, Context, ContextKind, Layer, Site};
use crate::env::value::{Val, whole_reference};
use crate::formats::json::{JsonDoc, Node};
use crate::project::FileFacts;
use crate::tree::parent_dir;

pub(super) fn contexts<'w>(
    ws: &'w Workspace<'_>,
    consumed: &mut HashSet<(usize, String, usize)>,
) -> Vec<Context<'w>> {
    let mut out = Vec::new();
    for file in ws.files_of_kind(FileKind::Devcontainer) {
        let Some(doc) = file.parsed.json.as_ref() else {
            continue;
        };
        let mut bindings = base_bindings(ws, file, doc, consumed);
        // `runArgs` `-e` flags come after `containerEnv` on the `docker run`
        // line the dev container CLI builds, so they win over it.
        for (key, layer) in [
            ("containerEnv", Layer::DevcontainerContainerEnv),
            ("runArgs", Layer::DevcontainerRunArgs),
            ("remoteEnv", Layer::DevcontainerRemoteEnv),
        ] {
            let own: Vec<Binding<'w>> = file
                .parsed
                .assignments
                .iter()
                .filter(|a| a.scope == key && a.origin == Origin::Env)
                .map(|a| {
                    // A bare `-e NAME` passes the host's value through.
                    let bare = key == "runArgs" && a.value_span == a.name_span;
                    let val =
                        container_reference(Val::from_value(&a.value, bare, &a.name), &bindings);
                    Binding {
                        var: a.name.clone(),
                        val,
                        layer: layer.clone(),
                        site: Site::of(file, a),
                        via: None,
                    }
                })
                .collect();
            bindings.extend(own);
        }
        bindings.extend(project_overlay(ws, file.root, repository_dir(&file.rel)));
        out.push(Context {
            kind: ContextKind::Devcontainer,
            name: "dev container".to_string(),
            file,
            span: doc.root.span.start..doc.root.span.start + 1,
            bindings,
            action: None,
            ci: false,
            example: false,
            runs_claude: None,
        });
    }
    out
}

/// The image's `ENV`, or the compose service's environment.
fn base_bindings<'w>(
    ws: &'w Workspace<'_>,
    file: &'w FileFacts,
    doc: &JsonDoc,
    consumed: &mut HashSet<(usize, String, usize)>,
) -> Vec<Binding<'w>> {
    let dir = parent_dir(&file.rel);
    if let Some(service) = doc.get("service").and_then(Node::as_str) {
        return compose_service(ws, file, doc, service, consumed);
    }
    let build = doc.get("build");
    let field = |key: &str, legacy: &str| {
        build
            .and_then(|b| b.get(key))
            .or_else(|| doc.get(legacy))
            .and_then(Node::as_str)
    };
    let Some(dockerfile) = field("dockerfile", "dockerFile") else {
        return Vec::new();
    };
    let Some(path) = resolve(dir, dockerfile) else {
        return Vec::new();
    };
    let Some(dockerfile) = ws
        .file(file.root, &path)
        .filter(|f| f.kind == FileKind::Dockerfile)
    else {
        return Vec::new();
    };
    let target = build.and_then(|b| b.get("target")).and_then(Node::as_str);
    let args: Vec<BuildArg<'w>> = file
        .parsed
        .assignments
        .iter()
        .filter(|a| a.origin == Origin::BuildArg)
        .map(|a| BuildArg {
            name: a.name.clone(),
            val: Val::from_value(&a.value, false, &a.name),
            site: Site::of(file, a),
        })
        .collect();
    match image_env(dockerfile, target, &args) {
        Some(image) => {
            consumed.insert((dockerfile.root, dockerfile.rel.clone(), image.stage));
            image.bindings
        }
        None => Vec::new(),
    }
}

/// `dockerComposeFile` (a path or a list, relative to the devcontainer
/// file) and `service`: the service's environment, from the last file that
/// defines it.
fn compose_service<'w>(
    ws: &'w Workspace<'_>,
    file: &'w FileFacts,
    doc: &JsonDoc,
    service: &str,
    consumed: &mut HashSet<(usize, String, usize)>,
) -> Vec<Binding<'w>> {
    let dir = parent_dir(&file.rel);
    let paths: Vec<&str> = match doc.get("dockerComposeFile") {
        Some(n) => match n.as_array() {
            Some(items) => items.iter().filter_map(Node::as_str).collect(),
            None => n.as_str().into_iter().collect(),
        },
        None => Vec::new(),
    };
    let found = paths
        .iter()
        .rev()
        .filter_map(|p| resolve(dir, p))
        .filter_map(|rel| ws.file(file.root, &rel))
        .find_map(|compose_file| {
            let compose = compose_file.parsed.compose.as_ref()?;
            let s = compose.services.iter().find(|s| s.name == service)?;
            Some((compose_file, s))
        });
    match found {
        Some((compose_file, s)) => service_bindings(ws, compose_file, s, consumed),
        None => Vec::new(),
    }
}

/// `${containerEnv:X}` in `remoteEnv` is the container's `X`.
fn container_reference<'w>(val: Val, before: &[Binding<'w>]) -> Val {
    let Val::Host(r) = &val else {
        return val;
    };
    if !r.starts_with("${containerEnv:") {
        return val;
    }
    let Some((name, _)) = whole_reference(r) else {
        return val;
    };
    before
        .iter()
        .rev()
        .find(|b| b.var == name)
        .map(|b| b.val.clone())
        .unwrap_or(val)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats;
    use crate::project::Project;
    use crate::tree::Tree;

    fn facts(rel: &str, kind: FileKind, text: &str) -> FileFacts {
        FileFacts::new(
            0,
            rel,
            rel,
            kind,
            true,
            formats::parse(kind, text),
            text.as_bytes().to_vec(),
        )
    }

    fn project(mut files: Vec<FileFacts>) -> Project {
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        Project {
            files,
            trees: vec![Tree::default()],
            ..Project::default()
        }
    }

    #[test]
    fn dockerfile_target_then_container_then_remote_then_settings() {
        let project = project(vec![
            facts(
                ".devcontainer/devcontainer.json",
                FileKind::Devcontainer,
                r#"{"build": {"dockerfile": "../docker/Dockerfile", "target": "dev", "args": {"P": "1"}},
                    "containerEnv": {"A": "c", "K": "${localEnv:K}"},
                    "remoteEnv": {"A": "r", "B": "${containerEnv:A}"}}"#,
            ),
            facts(
                "docker/Dockerfile",
                FileKind::Dockerfile,
                "FROM x AS dev\nARG P=0\nENV CLAUDE_CODE_USE_BEDROCK=$P\nFROM dev AS prod\nENV Z=1\n",
            ),
            facts(
                ".claude/settings.json",
                FileKind::ClaudeSettings,
                r#"{"env": {"A": "s"}, "apiKeyHelper": "./key.sh"}"#,
            ),
        ]);
        let ws = Workspace::new(&project);
        let mut consumed = HashSet::new();
        let ctxs = contexts(&ws, &mut consumed);
        assert_eq!(ctxs.len(), 1);
        let c = &ctxs[0];
        let vars: Vec<(&str, &Val)> = c
            .bindings
            .iter()
            .map(|b| (b.var.as_str(), &b.val))
            .collect();
        assert_eq!(
            vars,
            [
                ("CLAUDE_CODE_USE_BEDROCK", &Val::Literal("1".into())),
                ("A", &Val::Literal("c".into())),
                ("K", &Val::Host("${localEnv:K}".into())),
                ("A", &Val::Literal("r".into())),
                ("B", &Val::Literal("c".into())),
                ("A", &Val::Literal("s".into())),
                ("apiKeyHelper", &Val::Literal("./key.sh".into())),
            ]
        );
        assert!(consumed.contains(&(0, "docker/Dockerfile".to_string(), 0)));
    }

    #[test]
    fn compose_based_devcontainer() {
        let project = project(vec![
            facts(
                ".devcontainer/devcontainer.json",
                FileKind::Devcontainer,
                r#"{"dockerComposeFile": ["../compose.yaml"], "service": "dev", "remoteEnv": {"B": "2"}}"#,
            ),
            facts(
                "compose.yaml",
                FileKind::Compose,
                "services:\n  dev:\n    environment:\n      A: \"1\"\n",
            ),
        ]);
        let ws = Workspace::new(&project);
        let ctxs = contexts(&ws, &mut HashSet::new());
        let vars: Vec<&str> = ctxs[0].bindings.iter().map(|b| b.var.as_str()).collect();
        assert_eq!(vars, ["A", "B"]);
    }
}
