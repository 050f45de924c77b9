//! GitHub Actions workflows (`.github/workflows/*.yml`) and action metadata
//! (`action.yml`): a typed view of the parts rules read, and the
//! environment-style assignments in them (`env:` at every level, `with:` inputs).
//!
//! GitHub supports anchors and aliases in workflows but not `<<` merge keys,
//! so `<<` stays an ordinary key here.

use std::ops::Range;

use super::{Node, Place, Text, load, mapping_assignments};
use crate::assign::{Assignment, Origin};
use crate::formats::Diagnostic;

#[derive(Debug, Clone, Default)]
pub struct Workflow {
    pub name: Option<Text>,
    /// The events under `on:` (a string, a list, or a mapping's keys).
    pub on: Vec<Trigger>,
    pub permissions: Option<Node>,
    /// Workflow-level `env:`, scope `""`.
    pub env: Vec<Assignment>,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Clone)]
pub struct Trigger {
    pub event: Text,
    /// The event's configuration (`types:`, `branches:`, `inputs:`), when given.
    pub config: Option<Node>,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub id_span: Range<usize>,
    pub name: Option<Text>,
    pub runs_on: Option<Node>,
    pub if_condition: Option<Text>,
    pub permissions: Option<Node>,
    /// A reusable workflow called by this job (`jobs.<id>.uses`).
    pub uses: Option<Text>,
    /// Inputs to the reusable workflow, as [`Origin::ActionInput`].
    pub with: Vec<Assignment>,
    /// `secrets:` passed to the reusable workflow (`inherit` or a mapping).
    pub secrets: Option<Node>,
    /// Job-level `env:`, scope `jobs.<id>`.
    pub env: Vec<Assignment>,
    /// `container.env`, scope `jobs.<id>` (steps run in that container).
    pub container_env: Vec<Assignment>,
    /// `services.<name>.env`, scope `jobs.<id>.services.<name>`.
    pub service_env: Vec<Assignment>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// Position in `steps:`.
    pub index: usize,
    /// The step's mapping (from its first key; the end is approximate).
    pub span: Range<usize>,
    pub id: Option<Text>,
    pub name: Option<Text>,
    pub if_condition: Option<Text>,
    /// `uses:` (`owner/repo@ref`, `./path`, `docker://…`).
    pub uses: Option<Text>,
    /// `run:` script; for a block scalar the text is its content and the
    /// span covers the content lines.
    pub run: Option<Text>,
    pub shell: Option<Text>,
    /// `with:` inputs as [`Origin::ActionInput`], scope of the step.
    pub with: Vec<Assignment>,
    /// Step-level `env:`, scope of the step.
    pub env: Vec<Assignment>,
}

/// Action metadata (`action.yml` / `action.yaml`).
#[derive(Debug, Clone, Default)]
pub struct Action {
    pub name: Option<Text>,
    /// Declared inputs; their defaults are not assignments.
    pub inputs: Vec<ActionInputDefinition>,
    pub runs: Runs,
}

#[derive(Debug, Clone)]
pub struct ActionInputDefinition {
    pub name: Text,
    pub default: Option<Text>,
    pub required: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct Runs {
    /// `composite`, `docker`, `node20`, …
    pub using: Option<Text>,
    /// Docker actions: the image (`Dockerfile` or `docker://…`).
    pub image: Option<Text>,
    /// JavaScript actions: the entry point.
    pub main: Option<Text>,
    /// Docker actions: `runs.env`, scope `runs`.
    pub env: Vec<Assignment>,
    /// Composite actions: `runs.steps`, scopes `runs.steps[<i>]`.
    pub steps: Vec<Step>,
}

/// Parses a workflow's first document. An empty file or a top level that is
/// not a mapping gives an empty workflow; broken YAML gives a diagnostic.
pub fn parse_workflow(text: &str) -> Result<Workflow, Diagnostic> {
    Ok(load(text, false)?
        .map(|root| workflow_from(&root))
        .unwrap_or_default())
}

/// The typed workflow of an already loaded document.
pub fn workflow_from(root: &Node) -> Workflow {
    if !root.is_mapping() {
        return Workflow::default();
    }
    Workflow {
        name: root.get("name").and_then(Text::from_node),
        on: root.get("on").map(triggers).unwrap_or_default(),
        permissions: root.get("permissions").cloned(),
        env: mapping_assignments(root.get("env"), env_place("env", "")),
        jobs: root
            .get("jobs")
            .map(|jobs| jobs.entries().iter().filter_map(job).collect())
            .unwrap_or_default(),
    }
}

/// Parses action metadata's first document, like [`parse_workflow`].
pub fn parse_action(text: &str) -> Result<Action, Diagnostic> {
    Ok(load(text, false)?
        .map(|root| action_from(&root))
        .unwrap_or_default())
}

/// The typed action metadata of an already loaded document.
pub fn action_from(root: &Node) -> Action {
    let runs = root.get("runs");
    let field = |name: &str| runs.and_then(|r| r.get(name)).and_then(Text::from_node);
    Action {
        name: root.get("name").and_then(Text::from_node),
        inputs: root
            .get("inputs")
            .map(|inputs| {
                inputs
                    .entries()
                    .iter()
                    .filter_map(input_definition)
                    .collect()
            })
            .unwrap_or_default(),
        runs: Runs {
            using: field("using"),
            image: field("image"),
            main: field("main"),
            env: mapping_assignments(
                runs.and_then(|r| r.get("env")),
                env_place("runs.env", "runs"),
            ),
            steps: steps(runs.and_then(|r| r.get("steps")), "runs"),
        },
    }
}

impl Workflow {
    /// Every assignment, workflow level first, then job by job.
    pub fn assignments(&self) -> Vec<Assignment> {
        let mut all = self.env.clone();
        for job in &self.jobs {
            all.extend(job.env.iter().cloned());
            all.extend(job.container_env.iter().cloned());
            all.extend(job.service_env.iter().cloned());
            all.extend(job.with.iter().cloned());
            for step in &job.steps {
                all.extend(step.assignments());
            }
        }
        all
    }
}

impl Action {
    pub fn assignments(&self) -> Vec<Assignment> {
        let mut all = self.runs.env.clone();
        for step in &self.runs.steps {
            all.extend(step.assignments());
        }
        all
    }
}

impl Step {
    pub fn assignments(&self) -> impl Iterator<Item = Assignment> + '_ {
        self.env.iter().chain(&self.with).cloned()
    }
}

fn env_place<'a>(logical: &'a str, scope: &'a str) -> Place<'a> {
    Place {
        logical,
        scope,
        origin: Origin::Env,
    }
}

fn triggers(on: &Node) -> Vec<Trigger> {
    let event = |node: &Node| {
        Text::from_node(node).map(|event| Trigger {
            event,
            config: None,
        })
    };
    if on.is_mapping() {
        on.entries()
            .iter()
            .filter_map(|e| {
                Text::from_key(e).map(|event| Trigger {
                    event,
                    config: (!e.value.is_null()).then(|| e.value.clone()),
                })
            })
            .collect()
    } else if on.is_sequence() {
        on.items().iter().filter_map(event).collect()
    } else {
        event(on).into_iter().collect()
    }
}

fn job(entry: &super::Entry) -> Option<Job> {
    let id = entry.key.as_scalar()?.text.clone();
    let body = &entry.value;
    let scope = format!("jobs.{id}");
    Some(Job {
        id_span: entry.key.span.clone(),
        name: body.get("name").and_then(Text::from_node),
        runs_on: body.get("runs-on").cloned(),
        if_condition: body.get("if").and_then(Text::from_node),
        permissions: body.get("permissions").cloned(),
        uses: body.get("uses").and_then(Text::from_node),
        with: mapping_assignments(
            body.get("with"),
            Place {
                logical: &format!("{scope}.with"),
                scope: &scope,
                origin: Origin::ActionInput,
            },
        ),
        secrets: body.get("secrets").cloned(),
        env: mapping_assignments(body.get("env"), env_place(&format!("{scope}.env"), &scope)),
        container_env: mapping_assignments(
            body.get("container").and_then(|c| c.get("env")),
            env_place(&format!("{scope}.container.env"), &scope),
        ),
        service_env: service_env(body.get("services"), &scope),
        steps: steps(body.get("steps"), &scope),
        id,
    })
}

fn service_env(services: Option<&Node>, job_scope: &str) -> Vec<Assignment> {
    let Some(services) = services else {
        return Vec::new();
    };
    let mut all = Vec::new();
    for service in services.entries() {
        let Some(name) = service.key.as_scalar() else {
            continue;
        };
        let scope = format!("{job_scope}.services.{}", name.text);
        all.extend(mapping_assignments(
            service.value.get("env"),
            env_place(&format!("{scope}.env"), &scope),
        ));
    }
    all
}

/// The steps under `<parent>.steps`, with scopes `<parent>.steps[<i>]`.
fn steps(steps: Option<&Node>, parent: &str) -> Vec<Step> {
    let Some(steps) = steps else {
        return Vec::new();
    };
    steps
        .items()
        .iter()
        .enumerate()
        .filter(|(_, node)| node.is_mapping())
        .map(|(index, node)| step(node, index, &format!("{parent}.steps[{index}]")))
        .collect()
}

fn step(node: &Node, index: usize, scope: &str) -> Step {
    let text = |key: &str| node.get(key).and_then(Text::from_node);
    Step {
        index,
        span: node.span.clone(),
        id: text("id"),
        name: text("name"),
        if_condition: text("if"),
        uses: text("uses"),
        run: text("run"),
        shell: text("shell"),
        with: mapping_assignments(
            node.get("with"),
            Place {
                logical: &format!("{scope}.with"),
                scope,
                origin: Origin::ActionInput,
            },
        ),
        env: mapping_assignments(node.get("env"), env_place(&format!("{scope}.env"), scope)),
    }
}

fn input_definition(entry: &super::Entry) -> Option<ActionInputDefinition> {
    Some(ActionInputDefinition {
        name: Text::from_key(entry)?,
        default: entry.value.get("default").and_then(Text::from_node),
        required: entry.value.get("required").and_then(Text::from_node),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::Value;

    fn at<'t>(text: &'t str, span: &Range<usize>) -> &'t str {
        &text[span.clone()]
    }

    fn literal(value: &Value) -> &str {
        match value {
            Value::Literal(s) => s,
            other => panic!("expected a literal, got {other:?}"),
        }
    }

    const WORKFLOW: &str = "\
name: Claude review
on:
  pull_request:
    types: [opened]
  workflow_dispatch:
env:
  GLOBAL: top
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}
      DEBUG: 1
    steps:
      - uses: actions/checkout@v4
      - name: Claude
        uses: anthropics/claude-code-action@v1
        with:
          anthropic_api_key: \"plain-literal\"
          prompt: |
            Review this PR.
            Be brief.
        env:
          EMPTY:
      - run: echo hi
  call:
    uses: org/repo/.github/workflows/x.yml@main
    with:
      anthropic_api_key: lit
    secrets: inherit
";

    #[test]
    fn workflow_structure() {
        let wf = parse_workflow(WORKFLOW).expect("parses");
        assert_eq!(
            wf.name.as_ref().map(|t| t.value.as_str()),
            Some("Claude review")
        );
        let events: Vec<&str> = wf.on.iter().map(|t| t.event.value.as_str()).collect();
        assert_eq!(events, ["pull_request", "workflow_dispatch"]);
        assert!(wf.on[0].config.is_some());
        assert!(wf.on[1].config.is_none());
        assert_eq!(wf.jobs.len(), 2);
        let build = &wf.jobs[0];
        assert_eq!(build.id, "build");
        assert_eq!(at(WORKFLOW, &build.id_span), "build");
        assert_eq!(build.steps.len(), 3);
        let claude = &build.steps[1];
        assert_eq!(claude.index, 1);
        let uses = claude.uses.as_ref().expect("uses");
        assert_eq!(uses.value, "anthropics/claude-code-action@v1");
        assert_eq!(at(WORKFLOW, &uses.span), "anthropics/claude-code-action@v1");
        let run = build.steps[2].run.as_ref().expect("run");
        assert_eq!(at(WORKFLOW, &run.span), "echo hi");
        let call = &wf.jobs[1];
        assert_eq!(
            call.uses.as_ref().map(|u| u.value.as_str()),
            Some("org/repo/.github/workflows/x.yml@main")
        );
        assert_eq!(
            call.secrets.as_ref().and_then(Node::as_str),
            Some("inherit")
        );
    }

    #[test]
    fn workflow_assignments() {
        let assignments = parse_workflow(WORKFLOW).expect("parses").assignments();
        let summary: Vec<(&str, &str, &str, Origin)> = assignments
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.logical.as_str(),
                    a.scope.as_str(),
                    a.origin,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("GLOBAL", "env.GLOBAL", "", Origin::Env),
                (
                    "ANTHROPIC_API_KEY",
                    "jobs.build.env.ANTHROPIC_API_KEY",
                    "jobs.build",
                    Origin::Env
                ),
                ("DEBUG", "jobs.build.env.DEBUG", "jobs.build", Origin::Env),
                (
                    "EMPTY",
                    "jobs.build.steps[1].env.EMPTY",
                    "jobs.build.steps[1]",
                    Origin::Env
                ),
                (
                    "anthropic_api_key",
                    "jobs.build.steps[1].with.anthropic_api_key",
                    "jobs.build.steps[1]",
                    Origin::ActionInput
                ),
                (
                    "prompt",
                    "jobs.build.steps[1].with.prompt",
                    "jobs.build.steps[1]",
                    Origin::ActionInput
                ),
                (
                    "anthropic_api_key",
                    "jobs.call.with.anthropic_api_key",
                    "jobs.call",
                    Origin::ActionInput
                ),
            ]
        );
        let by_logical = |l: &str| assignments.iter().find(|a| a.logical == l).expect(l);

        let key = by_logical("jobs.build.env.ANTHROPIC_API_KEY");
        assert_eq!(
            key.value,
            Value::Reference("${{ secrets.ANTHROPIC_API_KEY }}".into())
        );
        assert_eq!(at(WORKFLOW, &key.name_span), "ANTHROPIC_API_KEY");
        assert_eq!(
            at(WORKFLOW, &key.value_span),
            "${{ secrets.ANTHROPIC_API_KEY }}"
        );

        let debug = by_logical("jobs.build.env.DEBUG");
        assert_eq!(literal(&debug.value), "1");

        let input = by_logical("jobs.build.steps[1].with.anthropic_api_key");
        assert_eq!(literal(&input.value), "plain-literal");
        assert_eq!(at(WORKFLOW, &input.value_span), "\"plain-literal\"");

        let prompt = by_logical("jobs.build.steps[1].with.prompt");
        assert_eq!(literal(&prompt.value), "Review this PR.\nBe brief.\n");
        assert_eq!(
            at(WORKFLOW, &prompt.value_span),
            "Review this PR.\n            Be brief."
        );

        let empty = by_logical("jobs.build.steps[1].env.EMPTY");
        assert_eq!(empty.value, Value::Empty);
        assert_eq!(empty.value_span, empty.name_span);
    }

    #[test]
    fn container_and_service_env() {
        let text = "\
jobs:
  t:
    container:
      image: node
      env:
        A: a
    services:
      db:
        image: postgres
        env:
          B: b
";
        let assignments = parse_workflow(text).expect("parses").assignments();
        let summary: Vec<(&str, &str)> = assignments
            .iter()
            .map(|a| (a.logical.as_str(), a.scope.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("jobs.t.container.env.A", "jobs.t"),
                ("jobs.t.services.db.env.B", "jobs.t.services.db"),
            ]
        );
    }

    #[test]
    fn triggers_as_string_and_list() {
        let wf = parse_workflow("on: push\njobs: {}\n").expect("parses");
        assert_eq!(wf.on.len(), 1);
        assert_eq!(wf.on[0].event.value, "push");
        assert_eq!(wf.on[0].event.span, 4..8);
        let wf = parse_workflow("on: [push, pull_request_target]\n").expect("parses");
        let events: Vec<&str> = wf.on.iter().map(|t| t.event.value.as_str()).collect();
        assert_eq!(events, ["push", "pull_request_target"]);
    }

    #[test]
    fn anchors_in_workflows_report_the_definition() {
        let text = "\
env:
  SHARED: &key \"lit-value\"
jobs:
  a:
    env: &common
      X: 1
    steps:
      - env:
          K: *key
  b:
    env: *common
";
        let assignments = parse_workflow(text).expect("parses").assignments();
        let k = assignments
            .iter()
            .find(|a| a.logical == "jobs.a.steps[0].env.K")
            .expect("K");
        assert_eq!(literal(&k.value), "lit-value");
        assert_eq!(at(text, &k.name_span), "K");
        assert_eq!(at(text, &k.value_span), "\"lit-value\"");
        let shared: Vec<&Assignment> = assignments.iter().filter(|a| a.name == "X").collect();
        assert_eq!(shared.len(), 2);
        assert_eq!(shared[1].logical, "jobs.b.env.X");
        assert_eq!(shared[1].scope, "jobs.b");
        // The aliased mapping's entries keep their definition spans.
        assert_eq!(shared[0].name_span, shared[1].name_span);
        assert_eq!(at(text, &shared[1].value_span), "1");
    }

    #[test]
    fn merge_keys_are_not_expanded_in_workflows() {
        let text = "env:\n  base: &b {A: 1}\n  <<: *b\n";
        let assignments = parse_workflow(text).expect("parses").assignments();
        assert!(assignments.iter().all(|a| a.name != "A"));
    }

    #[test]
    fn composite_action() {
        let text = "\
name: x
inputs:
  anthropic_api_key:
    description: key
    default: not-an-assignment
runs:
  using: composite
  steps:
    - run: echo
      shell: bash
      env:
        ANTHROPIC_API_KEY: ${{ inputs.anthropic_api_key }}
    - uses: anthropics/claude-code-action@v1
      with:
        anthropic_api_key: ${{ inputs.anthropic_api_key }}
";
        let action = parse_action(text).expect("parses");
        assert_eq!(
            action.runs.using.as_ref().map(|u| u.value.as_str()),
            Some("composite")
        );
        assert_eq!(action.inputs.len(), 1);
        assert_eq!(
            action.inputs[0].default.as_ref().map(|d| d.value.as_str()),
            Some("not-an-assignment")
        );
        let assignments = action.assignments();
        let summary: Vec<(&str, &str, Origin)> = assignments
            .iter()
            .map(|a| (a.logical.as_str(), a.scope.as_str(), a.origin))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "runs.steps[0].env.ANTHROPIC_API_KEY",
                    "runs.steps[0]",
                    Origin::Env
                ),
                (
                    "runs.steps[1].with.anthropic_api_key",
                    "runs.steps[1]",
                    Origin::ActionInput
                ),
            ]
        );
        assert!(matches!(assignments[0].value, Value::Reference(_)));
    }

    #[test]
    fn docker_action_env() {
        let text = "runs:\n  using: docker\n  image: Dockerfile\n  env:\n    TOKEN: abc\n";
        let action = parse_action(text).expect("parses");
        assert_eq!(
            action.runs.image.as_ref().map(|i| i.value.as_str()),
            Some("Dockerfile")
        );
        let assignments = action.assignments();
        assert_eq!(assignments.len(), 1);
        assert_eq!(assignments[0].logical, "runs.env.TOKEN");
        assert_eq!(assignments[0].scope, "runs");
        assert_eq!(at(text, &assignments[0].value_span), "abc");
    }

    #[test]
    fn odd_shapes_yield_nothing() {
        for text in [
            "",
            "# only a comment\n",
            "- a\n- b\n",
            "just a string",
            "jobs: 3\n",
            "jobs:\n  a: 1\n  b:\n    steps: x\n    env: [1, 2]\n",
            "env:\n  A: [1]\n  B: {c: d}\n  [x]: y\n",
        ] {
            let wf = parse_workflow(text).expect(text);
            assert!(wf.assignments().is_empty(), "{text:?}");
        }
    }

    #[test]
    fn crlf_and_non_ascii() {
        let text = "# é – ünïcode\r\nenv:\r\n  NOTE: \"ça va\"\r\n  KEY: välue\r\n  RUN: |\r\n    line1\r\n    line2\r\n";
        let assignments = parse_workflow(text).expect("parses").assignments();
        assert_eq!(assignments.len(), 3);
        assert_eq!(at(text, &assignments[0].value_span), "\"ça va\"");
        assert_eq!(at(text, &assignments[1].name_span), "KEY");
        assert_eq!(at(text, &assignments[1].value_span), "välue");
        assert_eq!(literal(&assignments[2].value), "line1\nline2\n");
        assert_eq!(at(text, &assignments[2].value_span), "line1\r\n    line2");
    }
}
