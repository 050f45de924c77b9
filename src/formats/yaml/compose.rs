//! Compose files (`compose.yaml`, `docker-compose.yml`, …): per service the
//! `environment:` and `build.args` assignments, in map form (`KEY: value`) or
//! list form (`- KEY=value`), and the typed facts later rules read (`image`,
//! `build.context`, `build.dockerfile`, `env_file`).
//!
//! Compose files share settings with anchors and `<<` merge keys
//! (`<<: *default-env`), so merge keys are expanded; a merged-in entry keeps
//! the spans of its definition.

use std::ops::Range;

use super::{Node, Place, ScalarStyle, Text, entry_assignment, load};
use crate::assign::{Assignment, Origin, Value, classify_value};
use crate::formats::Diagnostic;

#[derive(Debug, Clone, Default)]
pub struct Compose {
    pub services: Vec<Service>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub name_span: Range<usize>,
    pub image: Option<Text>,
    pub build: Option<Build>,
    pub env_file: Vec<EnvFile>,
    /// `environment:`, scope `services.<name>`; a key without a value is
    /// [`Value::Empty`] (taken from the host's environment).
    pub environment: Vec<Assignment>,
}

#[derive(Debug, Clone, Default)]
pub struct Build {
    /// `build: ./dir` or `build.context`.
    pub context: Option<Text>,
    pub dockerfile: Option<Text>,
    pub dockerfile_inline: Option<Text>,
    /// `build.args` as [`Origin::BuildArg`], scope `services.<name>`.
    pub args: Vec<Assignment>,
}

#[derive(Debug, Clone)]
pub struct EnvFile {
    pub path: Text,
    /// `required: false` lets compose skip a missing file; the default is true.
    pub required: bool,
}

/// Parses a compose file's first document. An empty file or one without
/// services gives no services; broken YAML gives a diagnostic.
pub fn parse_compose(text: &str) -> Result<Compose, Diagnostic> {
    Ok(load(text, true)?
        .map(|root| compose_from(text, &root))
        .unwrap_or_default())
}

/// The typed compose file of an already loaded document (merge keys applied).
pub fn compose_from(text: &str, root: &Node) -> Compose {
    let services = root
        .get("services")
        .map(|services| {
            services
                .entries()
                .iter()
                .filter_map(|entry| service(text, entry))
                .collect()
        })
        .unwrap_or_default();
    Compose { services }
}

impl Compose {
    /// Every service's environment, then its build args.
    pub fn assignments(&self) -> Vec<Assignment> {
        let mut all = Vec::new();
        for service in &self.services {
            all.extend(service.environment.iter().cloned());
            if let Some(build) = &service.build {
                all.extend(build.args.iter().cloned());
            }
        }
        all
    }
}

fn service(text: &str, entry: &super::Entry) -> Option<Service> {
    let name = entry.key.as_scalar()?.text.clone();
    let body = &entry.value;
    let scope = format!("services.{name}");
    let environment = assignments(
        text,
        body.get("environment"),
        Place {
            logical: &format!("{scope}.environment"),
            scope: &scope,
            origin: Origin::Env,
        },
    );
    Some(Service {
        name_span: entry.key.span.clone(),
        image: body.get("image").and_then(Text::from_node),
        build: body.get("build").map(|b| build(text, b, &scope)),
        env_file: body.get("env_file").map(env_files).unwrap_or_default(),
        environment,
        name,
    })
}

fn build(text: &str, node: &Node, scope: &str) -> Build {
    if node.as_scalar().is_some() {
        return Build {
            context: Text::from_node(node),
            ..Build::default()
        };
    }
    let field = |name: &str| node.get(name).and_then(Text::from_node);
    Build {
        context: field("context"),
        dockerfile: field("dockerfile"),
        dockerfile_inline: field("dockerfile_inline"),
        args: assignments(
            text,
            node.get("args"),
            Place {
                logical: &format!("{scope}.build.args"),
                scope,
                origin: Origin::BuildArg,
            },
        ),
    }
}

/// `env_file: path`, a list of paths, or a list of `{path, required}`.
fn env_files(node: &Node) -> Vec<EnvFile> {
    let one = |item: &Node| {
        if let Some(path) = Text::from_node(item) {
            return Some(EnvFile {
                path,
                required: true,
            });
        }
        let path = item.get("path").and_then(Text::from_node)?;
        let required = !item
            .get("required")
            .and_then(Node::as_str)
            .is_some_and(|r| r.eq_ignore_ascii_case("false"));
        Some(EnvFile { path, required })
    };
    if node.is_sequence() {
        node.items().iter().filter_map(one).collect()
    } else {
        one(node).into_iter().collect()
    }
}

/// `environment:` / `args:` in map form or list form.
fn assignments(text: &str, node: Option<&Node>, place: Place<'_>) -> Vec<Assignment> {
    let Some(node) = node else {
        return Vec::new();
    };
    if node.is_sequence() {
        node.items()
            .iter()
            .filter_map(|item| list_item_assignment(text, item, place))
            .collect()
    } else {
        node.entries()
            .iter()
            .filter_map(|entry| entry_assignment(entry, place))
            .collect()
    }
}

/// `- KEY=value` or `- KEY` (value from the host: [`Value::Empty`]). The value
/// is everything after the first `=`, quotes included: compose does not
/// unquote list items.
fn list_item_assignment(text: &str, item: &Node, place: Place<'_>) -> Option<Assignment> {
    let scalar = item.as_scalar()?;
    if scalar.is_null() {
        return None;
    }
    let (raw_name, raw_value) = match scalar.text.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (scalar.text.as_str(), None),
    };
    let name = raw_name.trim();
    if name.is_empty() {
        return None;
    }
    let (name_span, value_span) = item_spans(text, item, scalar.style, raw_name);
    let value = raw_value.map_or(Value::Empty, classify_value);
    let value_span = if value == Value::Empty || value_span.is_empty() {
        name_span.clone()
    } else {
        value_span
    };
    Some(Assignment {
        name: name.to_string(),
        name_span,
        value,
        value_span,
        logical: format!("{}.{name}", place.logical),
        origin: place.origin,
        scope: place.scope.to_string(),
    })
}

/// Spans of the name and the value inside a list item. They are read from
/// the source between the quotes; when the source does not spell the name
/// the same way as the parsed text (escapes, line folding), both fall back to
/// the whole item.
fn item_spans(
    text: &str,
    item: &Node,
    style: ScalarStyle,
    raw_name: &str,
) -> (Range<usize>, Range<usize>) {
    let whole = item.span.clone();
    let inner = if style.is_quoted() && whole.len() >= 2 {
        whole.start + 1..whole.end - 1
    } else {
        whole.clone()
    };
    let Some(source) = text.get(inner.clone()) else {
        return (whole.clone(), whole);
    };
    let (source_name, has_value) = match source.find('=') {
        Some(eq) => (&source[..eq], true),
        None => (source, false),
    };
    if source_name != raw_name {
        return (whole.clone(), whole);
    }
    let leading = source_name.len() - source_name.trim_start().len();
    let name_span = inner.start + leading..inner.start + source_name.trim_end().len();
    let value_span = if has_value {
        inner.start + source_name.len() + 1..inner.end
    } else {
        inner.end..inner.end
    };
    (name_span, value_span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'t>(text: &'t str, span: &Range<usize>) -> &'t str {
        &text[span.clone()]
    }

    fn literal(value: &Value) -> &str {
        match value {
            Value::Literal(s) => s,
            other => panic!("expected a literal, got {other:?}"),
        }
    }

    /// (logical, name as written, value as written, value)
    fn summary(text: &str) -> Vec<(String, String, String, Value)> {
        parse_compose(text)
            .expect("parses")
            .assignments()
            .into_iter()
            .map(|a| {
                (
                    a.logical.clone(),
                    at(text, &a.name_span).to_string(),
                    at(text, &a.value_span).to_string(),
                    a.value,
                )
            })
            .collect()
    }

    fn lit(s: &str) -> Value {
        Value::Literal(s.to_string())
    }

    #[test]
    fn environment_map_form() {
        let text = "\
services:
  api:
    image: app:1
    environment:
      ANTHROPIC_API_KEY: literal-value
      FROM_HOST:
      QUOTED: 'single'
      PORT: 8080
      REF: ${ANTHROPIC_API_KEY}
";
        assert_eq!(
            summary(text),
            [
                (
                    "services.api.environment.ANTHROPIC_API_KEY".into(),
                    "ANTHROPIC_API_KEY".into(),
                    "literal-value".into(),
                    lit("literal-value")
                ),
                (
                    "services.api.environment.FROM_HOST".into(),
                    "FROM_HOST".into(),
                    "FROM_HOST".into(),
                    Value::Empty
                ),
                (
                    "services.api.environment.QUOTED".into(),
                    "QUOTED".into(),
                    "'single'".into(),
                    lit("single")
                ),
                (
                    "services.api.environment.PORT".into(),
                    "PORT".into(),
                    "8080".into(),
                    lit("8080")
                ),
                (
                    "services.api.environment.REF".into(),
                    "REF".into(),
                    "${ANTHROPIC_API_KEY}".into(),
                    Value::Reference("${ANTHROPIC_API_KEY}".into())
                ),
            ]
        );
        let compose = parse_compose(text).expect("parses");
        let api = &compose.services[0];
        assert_eq!(api.name, "api");
        assert_eq!(at(text, &api.name_span), "api");
        assert_eq!(api.environment[0].scope, "services.api");
        assert_eq!(api.environment[0].origin, Origin::Env);
        assert_eq!(api.image.as_ref().map(|i| at(text, &i.span)), Some("app:1"));
    }

    #[test]
    fn environment_list_form() {
        let text = "\
services:
  api:
    environment:
      - PLAIN=value-1
      - \"DOUBLE=value 2\"
      - 'SINGLE=v3'
      - FROM_HOST
      - EMPTY=
      - KEEPS_QUOTES=\"q\"
      - EQ=a=b
      - \"ESC\\u0041=x\"
";
        assert_eq!(
            summary(text),
            [
                (
                    "services.api.environment.PLAIN".into(),
                    "PLAIN".into(),
                    "value-1".into(),
                    lit("value-1")
                ),
                (
                    "services.api.environment.DOUBLE".into(),
                    "DOUBLE".into(),
                    "value 2".into(),
                    lit("value 2")
                ),
                (
                    "services.api.environment.SINGLE".into(),
                    "SINGLE".into(),
                    "v3".into(),
                    lit("v3")
                ),
                (
                    "services.api.environment.FROM_HOST".into(),
                    "FROM_HOST".into(),
                    "FROM_HOST".into(),
                    Value::Empty
                ),
                (
                    "services.api.environment.EMPTY".into(),
                    "EMPTY".into(),
                    "EMPTY".into(),
                    Value::Empty
                ),
                (
                    "services.api.environment.KEEPS_QUOTES".into(),
                    "KEEPS_QUOTES".into(),
                    "\"q\"".into(),
                    lit("\"q\"")
                ),
                (
                    "services.api.environment.EQ".into(),
                    "EQ".into(),
                    "a=b".into(),
                    lit("a=b")
                ),
                // An escape in the name: spans fall back to the whole item.
                (
                    "services.api.environment.ESCA".into(),
                    "\"ESC\\u0041=x\"".into(),
                    "\"ESC\\u0041=x\"".into(),
                    lit("x")
                ),
            ]
        );
    }

    #[test]
    fn build_args_and_typed_facts() {
        let text = "\
services:
  web:
    build:
      context: ./web
      dockerfile: Dockerfile.dev
      args:
        TOKEN: build-secret
        FROM_ENV:
    env_file:
      - .env
      - path: ./override.env
        required: false
  worker:
    build: ./worker
    env_file: worker.env
    environment:
      - A=1
    build_args_not_here: x
  db:
    build:
      context: .
      args:
        - LIST_ARG=v
";
        let compose = parse_compose(text).expect("parses");
        let web = &compose.services[0];
        let build = web.build.as_ref().expect("build");
        assert_eq!(
            build.context.as_ref().map(|c| at(text, &c.span)),
            Some("./web")
        );
        assert_eq!(
            build.dockerfile.as_ref().map(|c| c.value.as_str()),
            Some("Dockerfile.dev")
        );
        let files: Vec<(&str, bool)> = web
            .env_file
            .iter()
            .map(|f| (at(text, &f.path.span), f.required))
            .collect();
        assert_eq!(files, [(".env", true), ("./override.env", false)]);
        let worker = &compose.services[1];
        assert_eq!(
            worker
                .build
                .as_ref()
                .and_then(|b| b.context.as_ref())
                .map(|c| c.value.as_str()),
            Some("./worker")
        );
        assert_eq!(worker.env_file.len(), 1);
        assert_eq!(worker.env_file[0].path.value, "worker.env");

        let assignments = compose.assignments();
        let args: Vec<(&str, &str, Origin)> = assignments
            .iter()
            .filter(|a| a.origin == Origin::BuildArg)
            .map(|a| (a.logical.as_str(), a.scope.as_str(), a.origin))
            .collect();
        assert_eq!(
            args,
            [
                (
                    "services.web.build.args.TOKEN",
                    "services.web",
                    Origin::BuildArg
                ),
                (
                    "services.web.build.args.FROM_ENV",
                    "services.web",
                    Origin::BuildArg
                ),
                (
                    "services.db.build.args.LIST_ARG",
                    "services.db",
                    Origin::BuildArg
                ),
            ]
        );
        let list_arg = assignments
            .iter()
            .find(|a| a.name == "LIST_ARG")
            .expect("arg");
        assert_eq!(at(text, &list_arg.value_span), "v");
    }

    #[test]
    fn merge_keys_expand_with_definition_spans() {
        let text = "\
x-env: &default-env
  SHARED: from-anchor
  OVERRIDDEN: anchor
x-more: &more
  EXTRA: more
  SHARED: loses
services:
  api:
    environment:
      <<: [*default-env, *more]
      OVERRIDDEN: local
";
        let compose = parse_compose(text).expect("parses");
        let env = &compose.services[0].environment;
        let names: Vec<&str> = env.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["OVERRIDDEN", "SHARED", "EXTRA"]);
        assert_eq!(literal(&env[0].value), "local");
        assert_eq!(at(text, &env[0].value_span), "local");
        assert_eq!(literal(&env[1].value), "from-anchor");
        // Merged-in entries keep the spans of their definition.
        assert_eq!(env[1].name_span.start, text.find("SHARED").expect("def"));
        assert_eq!(at(text, &env[1].value_span), "from-anchor");
        assert_eq!(env[1].logical, "services.api.environment.SHARED");
        assert_eq!(at(text, &env[2].value_span), "more");
    }

    #[test]
    fn merged_service_definitions() {
        let text = "\
x-base: &base
  image: base:1
  environment:
    LOG: debug
  build:
    args:
      <<: {TOKEN: x}
services:
  a:
    <<: *base
  b:
    <<: *base
    image: own:2
";
        let compose = parse_compose(text).expect("parses");
        assert_eq!(compose.services.len(), 2);
        assert_eq!(
            compose.services[0].image.as_ref().map(|i| i.value.as_str()),
            Some("base:1")
        );
        assert_eq!(
            compose.services[1].image.as_ref().map(|i| i.value.as_str()),
            Some("own:2")
        );
        let logicals: Vec<String> = compose
            .assignments()
            .into_iter()
            .map(|a| a.logical)
            .collect();
        assert_eq!(
            logicals,
            [
                "services.a.environment.LOG",
                "services.a.build.args.TOKEN",
                "services.b.environment.LOG",
                "services.b.build.args.TOKEN",
            ]
        );
    }

    #[test]
    fn non_ascii_and_crlf_spans() {
        let text = "# Überblick — ü\r\nservices:\r\n  \u{e9}t\u{e9}:\r\n    environment:\r\n      - \"KÉY=välue\"\r\n      - ANTHROPIC_API_KEY=lïteral\r\n      NAME: x\r\n";
        // The last line makes the list a syntax error; use a valid document.
        assert!(parse_compose(text).is_err());
        let text = "# Überblick — ü\r\nservices:\r\n  \u{e9}t\u{e9}:\r\n    environment:\r\n      - \"KÉY=välue\"\r\n      - ANTHROPIC_API_KEY=lïteral\r\n    build:\r\n      args:\r\n        ÄRG: \"wert\"\r\n";
        let summary = summary(text);
        assert_eq!(
            summary,
            [
                (
                    "services.été.environment.KÉY".into(),
                    "KÉY".into(),
                    "välue".into(),
                    lit("välue")
                ),
                (
                    "services.été.environment.ANTHROPIC_API_KEY".into(),
                    "ANTHROPIC_API_KEY".into(),
                    "lïteral".into(),
                    lit("lïteral")
                ),
                (
                    "services.été.build.args.ÄRG".into(),
                    "ÄRG".into(),
                    "\"wert\"".into(),
                    lit("wert")
                ),
            ]
        );
    }

    #[test]
    fn odd_shapes_yield_nothing() {
        for text in [
            "",
            "services:\n",
            "services: [a, b]\n",
            "services:\n  a:\n  b: 3\n  c:\n    environment: 5\n    build: {args: 1}\n",
            "services:\n  a:\n    environment:\n      - [x]\n      - =v\n      - ~\n",
        ] {
            let compose = parse_compose(text).expect(text);
            assert!(compose.assignments().is_empty(), "{text:?}");
        }
    }
}
