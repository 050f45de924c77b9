//! Compose services: the image's `ENV` (built from the service's Dockerfile
//! with its `build.args`), then its `env_file` files in order, then
//! `environment` — compose's own precedence. `${VAR}` in the compose file is
//! interpolated from the host, else from the `.env` file beside it.

use std::collections::HashSet;

use super::docker::{BuildArg, image_env};
use super::{Workspace, resolve};
use crate::assign::{Assignment, Origin, Value};
use crate::classify::FileKind;
use crate::env::model::{Binding, Context, ContextKind, Layer, Site};
use crate::env::value::{Presence, Val, whole_reference};
use crate::formats::yaml::compose::Service;
use crate::project::FileFacts;
use crate::tree::parent_dir;

/// `env_file` files the scan discovered but did not parse (names that are
/// not dotenv-shaped), parsed here as dotenv.
pub(super) fn side_files(ws: &Workspace<'_>) -> Vec<FileFacts> {
    let mut out: Vec<FileFacts> = Vec::new();
    for file in ws.files_of_kind(FileKind::Compose) {
        let Some(compose) = file.parsed.compose.as_ref() else {
            continue;
        };
        let dir = parent_dir(&file.rel);
        for service in &compose.services {
            for env_file in &service.env_file {
                let Some(rel) = resolve(dir, &env_file.path.value) else {
                    continue;
                };
                if out.iter().any(|f| f.root == file.root && f.rel == rel) {
                    continue;
                }
                if let Some(side) = ws.load_side_dotenv(file, &rel) {
                    out.push(side);
                }
            }
        }
    }
    out
}

pub(super) fn contexts<'w>(
    ws: &'w Workspace<'_>,
    consumed: &mut HashSet<(usize, String, usize)>,
) -> Vec<Context<'w>> {
    let mut out = Vec::new();
    for file in ws.files_of_kind(FileKind::Compose) {
        let Some(compose) = file.parsed.compose.as_ref() else {
            continue;
        };
        for service in &compose.services {
            out.push(Context {
                kind: ContextKind::Compose,
                name: format!("service `{}`", service.name),
                file,
                span: service.name_span.clone(),
                bindings: service_bindings(ws, file, service, consumed),
                action: None,
                ci: false,
                example: false,
                runs_claude: None,
            });
        }
    }
    out
}

/// Image `ENV` → `env_file` → `environment` for one service.
pub(super) fn service_bindings<'w>(
    ws: &'w Workspace<'_>,
    file: &'w FileFacts,
    service: &Service,
    consumed: &mut HashSet<(usize, String, usize)>,
) -> Vec<Binding<'w>> {
    let dir = parent_dir(&file.rel);
    let dotenv = resolve(dir, ".env").and_then(|rel| ws.file(file.root, &rel));
    let mut bindings = image_bindings(ws, file, service, dotenv, consumed);
    for env_file in &service.env_file {
        let Some(env) = resolve(dir, &env_file.path.value).and_then(|r| ws.file(file.root, &r))
        else {
            continue;
        };
        for a in &env.parsed.assignments {
            bindings.push(Binding {
                var: a.name.clone(),
                val: Val::from_value(&a.value, false, &a.name),
                layer: Layer::ComposeEnvFile,
                site: Site::of(env, a),
                via: None,
            });
        }
    }
    for a in &service.environment {
        let bare = !explicitly_empty(file, a);
        let (val, via) = interpolate(Val::from_value(&a.value, bare, &a.name), &a.value, dotenv);
        bindings.push(Binding {
            var: a.name.clone(),
            val,
            layer: Layer::ComposeEnvironment,
            site: Site::of(file, a),
            via,
        });
    }
    bindings
}

/// The `ENV` of the image the service builds, with its `build.args`.
fn image_bindings<'w>(
    ws: &'w Workspace<'_>,
    file: &'w FileFacts,
    service: &Service,
    dotenv: Option<&'w FileFacts>,
    consumed: &mut HashSet<(usize, String, usize)>,
) -> Vec<Binding<'w>> {
    let Some(build) = &service.build else {
        return Vec::new();
    };
    let dir = parent_dir(&file.rel);
    let context = build.context.as_ref().map_or(".", |c| c.value.as_str());
    let dockerfile_name = build
        .dockerfile
        .as_ref()
        .map_or("Dockerfile", |d| d.value.as_str());
    let Some(path) = resolve(dir, context).and_then(|c| resolve(&c, dockerfile_name)) else {
        return Vec::new();
    };
    let Some(dockerfile) = ws
        .file(file.root, &path)
        .filter(|f| f.kind == FileKind::Dockerfile)
    else {
        return Vec::new();
    };
    let args: Vec<BuildArg<'w>> = build
        .args
        .iter()
        .filter(|a| a.origin == Origin::BuildArg)
        .map(|a| BuildArg {
            name: a.name.clone(),
            val: interpolate(Val::from_value(&a.value, true, &a.name), &a.value, dotenv).0,
            site: Site::of(file, a),
        })
        .collect();
    match image_env(dockerfile, None, &args) {
        Some(image) => {
            consumed.insert((dockerfile.root, dockerfile.rel.clone(), image.stage));
            image.bindings
        }
        None => Vec::new(),
    }
}

/// `KEY: ""` or `- KEY=`: set to the empty string, unlike `KEY:` or `- KEY`,
/// which pass the host's value through.
fn explicitly_empty(file: &FileFacts, a: &Assignment) -> bool {
    let text = file.text();
    if a.value_span != a.name_span {
        let raw = text.get(a.value_span.clone()).unwrap_or("").trim();
        return raw == "\"\"" || raw == "''";
    }
    text.get(a.name_span.end..)
        .is_some_and(|rest| rest.starts_with('='))
}

/// `${X}` resolved from the `.env` file beside the compose file when the
/// host does not set `X` (the host still wins at run time). Compose's
/// defaults: `${X:-d}` uses `d` when `X` is unset *or empty*, `${X-d}` only
/// when it is unset, so an empty `X=` in `.env` leaves `${X:-d}` at its
/// default and makes `${X-d}` empty. `raw` is the value as written.
fn interpolate<'w>(
    val: Val,
    raw: &Value,
    dotenv: Option<&'w FileFacts>,
) -> (Val, Option<Site<'w>>) {
    let name = match &val {
        Val::Host(r) => match whole_reference(r) {
            Some((name, _)) => name.to_string(),
            None => return (val, None),
        },
        Val::Default { reference, .. } => reference.clone(),
        _ => return (val, None),
    };
    let Some(env) = dotenv else {
        return (val, None);
    };
    let Some(a) = env.parsed.assignments.iter().rev().find(|a| a.name == name) else {
        return (val, None);
    };
    let from_env = Val::from_value(&a.value, false, &a.name);
    let empty = from_env.presence() == Presence::Unset;
    if empty && matches!(val, Val::Default { .. }) && default_when_empty(raw) {
        // Still the host's value if it sets one, else the compose default.
        return (val, None);
    }
    (from_env, Some(Site::of(env, a)))
}

/// `${X:-d}` (or `${X:?e}`): the colon forms treat an empty `X` like an unset one.
fn default_when_empty(raw: &Value) -> bool {
    let Value::Reference(r) = raw else {
        return false;
    };
    let Some(inner) = r.trim().strip_prefix("${") else {
        return false;
    };
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    inner[name_end..].starts_with(':')
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

    #[test]
    fn service_chain_follows_compose_precedence() {
        let mut files = vec![
            facts(
                "app/compose.yaml",
                FileKind::Compose,
                "services:\n  api:\n    build:\n      context: ./svc\n      args:\n        FLAG: \"1\"\n    \
                 env_file: [common.env]\n    environment:\n      - ANTHROPIC_API_KEY\n      - TOKEN=${TOKEN}\n",
            ),
            facts("app/.env", FileKind::Dotenv, "TOKEN=from-dotenv\n"),
            facts(
                "app/common.env",
                FileKind::Dotenv,
                "CLAUDE_CODE_USE_VERTEX=0\n",
            ),
            facts(
                "app/svc/Dockerfile",
                FileKind::Dockerfile,
                "FROM node\nARG FLAG=0\nENV CLAUDE_CODE_USE_VERTEX=$FLAG\n",
            ),
        ];
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        let project = Project {
            files,
            trees: vec![Tree::default()],
            ..Project::default()
        };
        let ws = Workspace::new(&project);
        let mut consumed = HashSet::new();
        let ctxs = contexts(&ws, &mut consumed);
        assert_eq!(ctxs.len(), 1);
        let layers: Vec<(&str, &Layer, &Val)> = ctxs[0]
            .bindings
            .iter()
            .map(|b| (b.var.as_str(), &b.layer, &b.val))
            .collect();
        assert_eq!(
            layers,
            [
                (
                    "CLAUDE_CODE_USE_VERTEX",
                    &Layer::DockerEnv("stage[0]".into()),
                    &Val::Literal("1".into())
                ),
                (
                    "CLAUDE_CODE_USE_VERTEX",
                    &Layer::ComposeEnvFile,
                    &Val::Literal("0".into())
                ),
                (
                    "ANTHROPIC_API_KEY",
                    &Layer::ComposeEnvironment,
                    &Val::Host("${ANTHROPIC_API_KEY}".into())
                ),
                (
                    "TOKEN",
                    &Layer::ComposeEnvironment,
                    &Val::Literal("from-dotenv".into())
                ),
            ]
        );
        assert!(consumed.contains(&(0, "app/svc/Dockerfile".to_string(), 0)));
        assert_eq!(
            ctxs[0].get("CLAUDE_CODE_USE_VERTEX").map(|b| &b.layer),
            Some(&Layer::ComposeEnvFile)
        );
    }
}
