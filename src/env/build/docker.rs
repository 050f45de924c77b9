//! Dockerfile stage chains: a stage built `FROM` an earlier stage inherits
//! its `ENV`; `ARG` values (defaults, or build args from compose or a
//! devcontainer) feed `ENV` values that reference them. `ARG`s themselves
//! are build-time only and are not part of the run-time environment.

use std::collections::{HashMap, HashSet};

use super::Workspace;
use crate::assign::{Assignment, Origin, Value};
use crate::classify::FileKind;
use crate::env::model::{Binding, Context, ContextKind, Layer, Site};
use crate::env::value::{Val, whole_reference};
use crate::formats::dockerfile::{Dockerfile, Stage};
use crate::project::FileFacts;

/// A build argument passed from outside (compose `build.args`, devcontainer `build.args`).
#[derive(Debug, Clone)]
pub(super) struct BuildArg<'w> {
    pub name: String,
    pub val: Val,
    pub site: Site<'w>,
}

/// The run-time environment a Dockerfile's image gets.
pub(super) struct ImageEnv<'w> {
    pub bindings: Vec<Binding<'w>>,
    pub stage: usize,
}

/// Picks the stage named `target` (case-insensitive), else the last one.
fn pick_stage<'d>(doc: &'d Dockerfile, target: Option<&str>) -> Option<&'d Stage> {
    match target {
        Some(t) => doc.stages.iter().find(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.text.eq_ignore_ascii_case(t))
        }),
        None => doc.stages.last(),
    }
}

/// The stage `FROM` an earlier stage names, if any.
fn parent(doc: &Dockerfile, stage: &Stage) -> Option<usize> {
    let image = stage.image.as_ref()?.text.as_str();
    doc.stages[..stage.index]
        .iter()
        .rev()
        .find(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.text.eq_ignore_ascii_case(image))
        })
        .map(|s| s.index)
}

/// Stage indexes from the root of the chain to `stage`.
fn chain(doc: &Dockerfile, stage: &Stage) -> Vec<usize> {
    let mut out = vec![stage.index];
    let mut current = stage.index;
    while let Some(p) = doc.stages.get(current).and_then(|s| parent(doc, s)) {
        // Parents are always earlier stages, so this ends.
        out.push(p);
        current = p;
    }
    out.reverse();
    out
}

/// The `ENV` bindings of the image built from `file` at `target` (or its
/// last stage), with `args` overriding `ARG` defaults.
pub(super) fn image_env<'w>(
    file: &'w FileFacts,
    target: Option<&str>,
    args: &[BuildArg<'w>],
) -> Option<ImageEnv<'w>> {
    let doc = file.parsed.dockerfile.as_ref()?;
    let stage = pick_stage(doc, target)?;
    Some(stage_env(file, doc, stage, args))
}

/// The `ENV` bindings of `stage` and the stages it is built from.
fn stage_env<'w>(
    file: &'w FileFacts,
    doc: &Dockerfile,
    stage: &Stage,
    args: &[BuildArg<'w>],
) -> ImageEnv<'w> {
    let globals: HashMap<&str, &Assignment> = file
        .parsed
        .assignments
        .iter()
        .filter(|a| a.origin == Origin::DockerArg && a.scope.is_empty())
        .map(|a| (a.name.as_str(), a))
        .collect();
    let mut bindings: Vec<Binding<'w>> = Vec::new();
    for index in chain(doc, stage) {
        let Some(s) = doc.stages.get(index) else {
            continue;
        };
        let scope = s.scope();
        let label = s.label();
        // ARGs go out of scope at the end of their stage.
        let mut arg_scope: HashMap<String, (Val, Option<Site<'w>>)> = HashMap::new();
        for a in file.parsed.assignments.iter().filter(|a| a.scope == scope) {
            match a.origin {
                Origin::DockerArg => {
                    let declared = arg_value(file, a, globals.get(a.name.as_str()).copied());
                    let value = match args.iter().rev().find(|b| b.name == a.name) {
                        Some(b) => (b.val.clone(), Some(b.site.clone())),
                        None => declared,
                    };
                    arg_scope.insert(a.name.clone(), value);
                }
                Origin::DockerEnv => {
                    let (val, via) = env_value(&a.value, &arg_scope, &bindings);
                    bindings.push(Binding {
                        var: a.name.clone(),
                        val,
                        layer: Layer::DockerEnv(label.clone()),
                        site: Site::of(file, a),
                        via,
                    });
                }
                _ => {}
            }
        }
    }
    ImageEnv {
        bindings,
        stage: stage.index,
    }
}

/// An `ARG`'s own default, else the default of the global `ARG` it re-declares.
fn arg_value<'w>(
    file: &'w FileFacts,
    a: &Assignment,
    global: Option<&Assignment>,
) -> (Val, Option<Site<'w>>) {
    match (&a.value, global) {
        (Value::Empty, Some(g)) if g.value != Value::Empty => (
            Val::from_value(&g.value, false, &g.name),
            Some(Site::of(file, g)),
        ),
        // An ARG without a default and without a build arg is empty, unless
        // `--build-arg` sets it on the command line.
        (Value::Empty, _) => (Val::Host(format!("--build-arg {}", a.name)), None),
        (value, _) => (Val::from_value(value, false, &a.name), None),
    }
}

/// An `ENV` value, with a whole-value `$X` reference resolved against the
/// stage's `ARG`s and the `ENV`s before it. Docker expands only those, so an
/// unknown `$X` is empty.
fn env_value<'w>(
    value: &Value,
    args: &HashMap<String, (Val, Option<Site<'w>>)>,
    env: &[Binding<'w>],
) -> (Val, Option<Site<'w>>) {
    let Value::Reference(r) = value else {
        return (Val::from_value(value, false, ""), None);
    };
    let Some((name, default)) = whole_reference(r.trim()) else {
        return (Val::Host(r.clone()), None);
    };
    let found = args.get(name).cloned().or_else(|| {
        env.iter()
            .rev()
            .find(|b| b.var == name)
            .map(|b| (b.val.clone(), Some(b.site.clone())))
    });
    match (found, default) {
        (Some((Val::Empty, _)) | None, Some(d)) if !d.is_empty() => (Val::Literal(d.into()), None),
        (Some(v), _) => v,
        (None, _) => (Val::Empty, None),
    }
}

/// Standalone Dockerfile contexts: each final stage (one no later stage
/// builds `FROM`) that no compose service or devcontainer already covers.
pub(super) fn contexts<'w>(
    ws: &'w Workspace<'_>,
    consumed: &HashSet<(usize, String, usize)>,
) -> Vec<Context<'w>> {
    let mut out = Vec::new();
    for file in ws.files_of_kind(FileKind::Dockerfile) {
        let Some(doc) = file.parsed.dockerfile.as_ref() else {
            continue;
        };
        let bases: HashSet<usize> = doc.stages.iter().filter_map(|s| parent(doc, s)).collect();
        for stage in doc.stages.iter().filter(|s| !bases.contains(&s.index)) {
            if consumed.contains(&(file.root, file.rel.clone(), stage.index)) {
                continue;
            }
            let image = stage_env(file, doc, stage, &[]);
            let span = doc
                .instructions
                .get(stage.from_instruction)
                .map(|i| i.span.clone())
                .unwrap_or(0..0);
            out.push(Context {
                kind: ContextKind::Dockerfile,
                name: format!("image {}", stage.label()),
                file,
                span,
                bindings: image.bindings,
                action: None,
                ci: false,
                example: false,
                runs_claude: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats;

    fn facts(text: &str) -> FileFacts {
        FileFacts::new(
            0,
            "Dockerfile",
            "Dockerfile",
            FileKind::Dockerfile,
            true,
            formats::parse(FileKind::Dockerfile, text),
            text.as_bytes().to_vec(),
        )
    }

    fn summary(env: &ImageEnv) -> Vec<(String, Val)> {
        env.bindings
            .iter()
            .map(|b| (b.var.clone(), b.val.clone()))
            .collect()
    }

    #[test]
    fn stages_inherit_env_and_args_feed_env() {
        let file = facts(
            "ARG GLOBAL=g\nFROM node AS base\nENV CLAUDE_CODE_USE_BEDROCK=1\n\
             FROM base AS app\nARG GLOBAL\nARG KEY\nARG FLAG=0\n\
             ENV A=$GLOBAL B=${KEY} C=${FLAG} D=$UNKNOWN E=${UNKNOWN:-x}\n\
             FROM alpine AS other\nENV X=1\n",
        );
        let env = image_env(&file, Some("app"), &[]).expect("env");
        assert_eq!(
            summary(&env),
            [
                ("CLAUDE_CODE_USE_BEDROCK".into(), Val::Literal("1".into())),
                ("A".into(), Val::Literal("g".into())),
                ("B".into(), Val::Host("--build-arg KEY".into())),
                ("C".into(), Val::Literal("0".into())),
                ("D".into(), Val::Empty),
                ("E".into(), Val::Literal("x".into())),
            ]
        );
        let args = [BuildArg {
            name: "FLAG".into(),
            val: Val::Literal("1".into()),
            site: env.bindings[0].site.clone(),
        }];
        let env = image_env(&file, Some("app"), &args).expect("env");
        assert_eq!(env.bindings[3].val, Val::Literal("1".into()));
        assert!(env.bindings[3].via.is_some());
        // Without a target the last stage is used: its chain is its own.
        let last = image_env(&file, None, &[]).expect("env");
        assert_eq!(summary(&last), [("X".into(), Val::Literal("1".into()))]);
    }

    #[test]
    fn standalone_contexts_are_leaf_stages() {
        let file = facts("FROM a AS base\nENV P=1\nFROM base AS app\nENV Q=2\nFROM b\nENV R=3\n");
        let project = Project {
            files: vec![file],
            trees: vec![Default::default()],
            ..Project::default()
        };
        let ws = Workspace::new(&project);
        let ctxs = contexts(&ws, &HashSet::new());
        let names: Vec<(String, usize)> = ctxs
            .iter()
            .map(|c| (c.name.clone(), c.bindings.len()))
            .collect();
        assert_eq!(
            names,
            [
                ("image stage[1] app".to_string(), 2),
                ("image stage[2]".to_string(), 1)
            ]
        );
    }

    use crate::project::Project;
}
