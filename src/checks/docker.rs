//! Dockerfile credential rules.
//!
//! * CLD111: `ARG`/`ENV` of a credential variable. Build-arg values end up in
//!   the image history of the `RUN` steps that use them, `ENV` values in the
//!   image config; BuildKit's own `SecretsUsedInArgOrEnv` check says the same.
//! * CLD112: `COPY`/`ADD` of Claude Code credential files (`.claude.json`,
//!   `.credentials.json`, a `.claude` directory) or `.env` files — named
//!   directly, matched by a glob, or swept in by `COPY . .` because they sit
//!   in the build context and no `.dockerignore` excludes them.
//!
//! CLD112 runs once the project is parsed ([`copies_in_project`]): a
//! Dockerfile built by compose services or dev containers is judged with the
//! build contexts they declare (`build.context`); any other Dockerfile with
//! its own folder as the context (what `docker build <dir>` uses).

use std::collections::HashMap;

use regex::Regex;

use super::FileContext;
use crate::assign::{Assignment, Origin, Value, is_credential_variable};
use crate::catalog::Rule;
use crate::classify::FileKind;
use crate::finding::{Confidence, Finding, Related};
use crate::formats::dockerfile::{Args, Dockerfile, Instruction, Word, is_heredoc_source};
use crate::project::{FileFacts, Project};
use crate::secrets::Secret;
use crate::secrets::placeholder::is_placeholder_value;
use crate::tree::{join_rel, parent_dir};

pub fn check(ctx: &FileContext, out: &mut Vec<Finding>) {
    if ctx.kind != FileKind::Dockerfile {
        return;
    }
    let Some(doc) = ctx.parsed.dockerfile.as_ref() else {
        return;
    };
    if let Some(rule) = crate::catalog::rule("CLD111") {
        credential_args(ctx, &ctx.parsed.assignments, false, rule, out);
        // `ONBUILD ENV`/`ONBUILD ARG` run in every image built FROM this one;
        // they are not this image's environment, so they are not among the
        // parsed assignments.
        credential_args(ctx, &onbuild_assignments(doc), true, rule, out);
    }
}

// ---------------------------------------------------------------- CLD111

fn credential_args(
    ctx: &FileContext,
    assignments: &[Assignment],
    onbuild: bool,
    rule: &Rule,
    out: &mut Vec<Finding>,
) {
    for a in assignments {
        if !matches!(a.origin, Origin::DockerEnv | Origin::DockerArg)
            || !is_credential_variable(&a.name)
        {
            continue;
        }
        // `ENV ANTHROPIC_API_KEY=` clears the variable, and a placeholder
        // (`sk-ant-...`, `changeme`) stores nothing secret.
        let placeholder = matches!(&a.value, Value::Literal(v) if is_placeholder_value(v));
        if a.origin == Origin::DockerEnv && (a.value == Value::Empty || placeholder) {
            continue;
        }
        // A recognised token in the value is the token rule's finding.
        if ctx.token_within(&a.value_span) {
            continue;
        }
        let finding = Finding::new("CLD111", rule.severity, rule.confidence)
            .credential_kind("dockerfile-credential-variable")
            .logical(a.logical.clone())
            .message(credential_arg_message(a, onbuild));
        // The finding points at the variable name, unless a literal credential
        // is written there: then at the value, which carries the secret (code
        // frames redact the span of a finding's secret).
        let finding = match &a.value {
            Value::Literal(v) if !is_placeholder_value(v) => finding
                .at(a.value_span.clone())
                .secret(Secret::new(v.as_bytes(), 0).to_ref("credential-literal")),
            _ => finding.at(a.name_span.clone()),
        };
        out.push(finding);
    }
}

fn credential_arg_message(a: &Assignment, onbuild: bool) -> String {
    let name = &a.name;
    let stored = match (a.origin == Origin::DockerArg, onbuild) {
        (true, false) => format!(
            "build argument `{name}` holds a credential: BuildKit records build-arg values in the image history of every `RUN` that uses them (`docker history`)"
        ),
        (false, false) => format!(
            "`ENV {name}` stores a credential in the image configuration, readable by anyone who can pull the image (`docker inspect`)"
        ),
        (true, true) => format!(
            "`ONBUILD ARG {name}` declares a credential build argument in every image built FROM this one: BuildKit records build-arg values in the image history of every `RUN` that uses them (`docker history`)"
        ),
        (false, true) => format!(
            "`ONBUILD ENV {name}` stores a credential in the configuration of every image built FROM this one, readable by anyone who can pull those images (`docker inspect`); the trigger itself is in this image's configuration"
        ),
    };
    let default = match &a.value {
        Value::Literal(v) if !is_placeholder_value(v) => format!(
            ", and its value `{}` is committed in the Dockerfile",
            Secret::new(v.as_bytes(), 0).redacted()
        ),
        _ => String::new(),
    };
    format!("{stored}{default}; pass it with `RUN --mount=type=secret,id=…,env={name}` instead")
}

/// The ENV pairs and ARG names inside `ONBUILD` triggers, as assignments.
fn onbuild_assignments(doc: &Dockerfile) -> Vec<Assignment> {
    let mut out = Vec::new();
    for inst in &doc.instructions {
        if let Args::Onbuild(inner) = &inst.args {
            crate::formats::dockerfile::push_assignments(doc, inst, inner, "ONBUILD ", &mut out);
        }
    }
    out
}

// ---------------------------------------------------------------- CLD112

/// What a copied file exposes; credential files rank above `.env` files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Exposure {
    EnvFile,
    ClaudeCredential,
}

/// A build context a Dockerfile is built from.
#[derive(Debug, Clone)]
pub struct ContextRoot {
    /// Relative to the scan root (`""` for the root itself).
    pub dir: String,
    /// Who declared it (`compose.yaml` service `app`), and where; `None` for
    /// the Dockerfile's own folder.
    pub declared: Option<(String, Related)>,
}

impl ContextRoot {
    /// The Dockerfile's own folder (`docker build <dir>`).
    pub fn own(dockerfile: &str) -> Self {
        ContextRoot {
            dir: parent_dir(dockerfile).to_string(),
            declared: None,
        }
    }
}

/// CLD112 for every parsed Dockerfile, with the contexts compose services
/// and dev containers build it from, else its own folder.
pub fn copies_in_project(project: &Project, out: &mut Vec<Finding>) {
    let declared = declared_contexts(project);
    for file in project.files_of_kind(FileKind::Dockerfile) {
        if file.parsed.dockerfile.is_none() {
            continue;
        }
        let Some(tree) = project.trees.get(file.root) else {
            continue;
        };
        let ctx = FileContext {
            rel_path: &file.rel,
            kind: file.kind,
            bytes: &file.bytes,
            text: Some(file.text()),
            parsed: &file.parsed,
            tracked: file.tracked,
            tokens: &[],
            tree,
        };
        let roots = match declared.get(&(file.root, file.rel.as_str())) {
            Some(roots) => roots.clone(),
            None => vec![ContextRoot::own(&file.rel)],
        };
        let mut found = Vec::new();
        copies(&ctx, &roots, &mut found);
        out.extend(found.into_iter().map(|f| file.locate(f)));
    }
}

/// CLD112 for one Dockerfile built from `roots`: one finding per source
/// (the first context that exposes something through it).
pub fn copies(ctx: &FileContext, roots: &[ContextRoot], out: &mut Vec<Finding>) {
    let (Some(doc), Some(rule)) = (
        ctx.parsed.dockerfile.as_ref(),
        crate::catalog::rule("CLD112"),
    ) else {
        return;
    };
    let mut found: Vec<Finding> = Vec::new();
    for root in roots {
        let mut more = Vec::new();
        credential_copies(ctx, doc, root, rule, &mut more);
        for f in more {
            if !found.iter().any(|g| g.span == f.span) {
                found.push(f);
            }
        }
    }
    out.extend(found);
}

/// The contexts compose services (`build.context`, `build.dockerfile`
/// relative to it) and dev containers (`build.context` and
/// `build.dockerfile`, both relative to the devcontainer file) build each
/// Dockerfile from, by (root, Dockerfile path).
fn declared_contexts(project: &Project) -> HashMap<(usize, &str), Vec<ContextRoot>> {
    use crate::env::build::resolve;
    let mut out: HashMap<(usize, &str), Vec<ContextRoot>> = HashMap::new();
    let mut add = |file: &FileFacts,
                   context: Option<String>,
                   dockerfile: Option<String>,
                   who: String,
                   span| {
        let (Some(dir), Some(path)) = (context, dockerfile) else {
            return;
        };
        let Some(target) = project
            .file(file.root, &path)
            .filter(|f| f.kind == FileKind::Dockerfile)
        else {
            return;
        };
        let roots = out.entry((target.root, target.rel.as_str())).or_default();
        if roots.iter().any(|r| r.dir == dir) {
            return;
        }
        let shown = if dir.is_empty() {
            ".".to_string()
        } else {
            dir.clone()
        };
        let related = file.related(
            span,
            format!(
                "{who} builds `{}` from the context `{shown}`",
                target.display
            ),
        );
        roots.push(ContextRoot {
            dir,
            declared: Some((format!("`{}` {who}", file.display), related)),
        });
    };
    for file in project.files_of_kind(FileKind::Compose) {
        let Some(compose) = file.parsed.compose.as_ref() else {
            continue;
        };
        let dir = parent_dir(&file.rel);
        for service in &compose.services {
            let Some(build) = &service.build else {
                continue;
            };
            if build.dockerfile_inline.is_some() {
                continue;
            }
            let context = build.context.as_ref().map_or(".", |c| c.value.as_str());
            let dockerfile = build
                .dockerfile
                .as_ref()
                .map_or("Dockerfile", |d| d.value.as_str());
            let context_dir = resolve(dir, context);
            let path = context_dir.as_deref().and_then(|c| resolve(c, dockerfile));
            let span = build
                .context
                .as_ref()
                .map_or(service.name_span.clone(), |c| c.span.clone());
            add(
                file,
                context_dir,
                path,
                format!("service `{}`", service.name),
                span,
            );
        }
    }
    for file in project.files_of_kind(FileKind::Devcontainer) {
        let Some(doc) = file.parsed.json.as_ref() else {
            continue;
        };
        if doc.get("service").is_some() {
            continue; // a compose service: the compose file declares its build
        }
        let build = doc.get("build");
        let field =
            |key: &str, legacy: &str| build.and_then(|b| b.get(key)).or_else(|| doc.get(legacy));
        let Some(dockerfile) = field("dockerfile", "dockerFile").and_then(|n| n.as_str()) else {
            continue;
        };
        let dir = parent_dir(&file.rel);
        let context = field("context", "context");
        let context_dir = resolve(dir, context.and_then(|n| n.as_str()).unwrap_or("."));
        let span = context.map_or_else(
            || {
                field("dockerfile", "dockerFile")
                    .map(|n| n.span.clone())
                    .unwrap_or_default()
            },
            |n| n.span.clone(),
        );
        add(
            file,
            context_dir,
            resolve(dir, dockerfile),
            "dev container".to_string(),
            span,
        );
    }
    out
}

fn credential_copies(
    ctx: &FileContext,
    doc: &Dockerfile,
    root: &ContextRoot,
    rule: &Rule,
    out: &mut Vec<Finding>,
) {
    let mut context: Option<BuildContext> = None;
    for inst in &doc.instructions {
        if !matches!(inst.keyword.as_str(), "COPY" | "ADD") || inst.flag("from").is_some() {
            continue; // `--from` copies between stages or images, not from the context
        }
        let Args::Files { sources, .. } = &inst.args else {
            continue;
        };
        let context = context.get_or_insert_with(|| BuildContext::load(ctx, root));
        let excludes = PatternList::new(
            inst.flags
                .iter()
                .filter(|f| f.name == "exclude")
                .filter_map(|f| f.value.as_deref()),
        );
        for source in sources {
            if let Some(copied) = assess_source(context, &excludes, source) {
                out.push(copy_finding(doc, inst, source, &copied, context, rule));
            }
        }
    }
}

/// What one source would put into the image.
struct Copied {
    exposure: Exposure,
    /// Files named, relative to the context.
    files: Vec<String>,
    /// Found by listing the context (the context location is an assumption).
    from_context: bool,
}

fn assess_source(context: &BuildContext, excludes: &PatternList, source: &Word) -> Option<Copied> {
    let text = source.text.as_str();
    if is_heredoc_source(source) || is_remote(text) || text.contains('$') {
        return None;
    }
    // Sources are relative to the context, even with a leading `/`.
    let rel = join_rel("", text.trim_start_matches('/'))?;
    if !has_glob(&rel)
        && let Some(exposure) = named_exposure(&rel)
    {
        // `name.env` files are often version pins or settings: only one that
        // is in the context and holds a credential-like value counts.
        if is_suffix_env_name(base_name(&rel)) && !context.candidates.iter().any(|(p, _)| *p == rel)
        {
            return None;
        }
        let ignored = context.ignore.excludes(&rel) || excludes.excludes(base_name(&rel));
        return (!ignored).then(|| Copied {
            exposure,
            files: vec![rel.clone()],
            from_context: false,
        });
    }
    let glob = has_glob(&rel).then(|| Pattern::new(&rel, false)).flatten();
    let within = |path: &str| match &glob {
        Some(glob) => glob.matches_or_parent(path),
        None => {
            rel.is_empty()
                || path
                    .strip_prefix(rel.as_str())
                    .is_some_and(|r| r.starts_with('/'))
        }
    };
    let hits: Vec<&(String, Exposure)> = context
        .candidates
        .iter()
        .filter(|(path, _)| within(path) && !context.ignore.excludes(path))
        .filter(|(path, _)| !excluded_within_source(excludes, &rel, path))
        .collect();
    if let Some(exposure) = hits.iter().map(|(_, e)| *e).max() {
        return Some(Copied {
            exposure,
            files: hits.iter().map(|(p, _)| p.clone()).collect(),
            from_context: true,
        });
    }
    let exposure = glob.as_ref().and_then(|g| glob_intent(&rel, g))?;
    Some(Copied {
        exposure,
        files: vec![rel.clone()],
        from_context: false,
    })
}

/// `--exclude` patterns are relative to the copied directory.
fn excluded_within_source(excludes: &PatternList, source: &str, path: &str) -> bool {
    let inner = match path.strip_prefix(source) {
        Some(rest) if !source.is_empty() => rest.trim_start_matches('/'),
        _ => path,
    };
    excludes.excludes(inner)
}

fn copy_finding(
    doc: &Dockerfile,
    inst: &Instruction,
    source: &Word,
    copied: &Copied,
    context: &BuildContext,
    rule: &Rule,
) -> Finding {
    let severity = match copied.exposure {
        Exposure::ClaudeCredential => rule.severity,
        Exposure::EnvFile => rule.severity.lowered(),
    };
    let confidence = if copied.from_context {
        rule.confidence.min(Confidence::Medium)
    } else {
        rule.confidence
    };
    let what = match copied.exposure {
        Exposure::ClaudeCredential => {
            "Claude Code credentials (OAuth tokens, API-key state, MCP secrets)"
        }
        Exposure::EnvFile => "environment files, which usually hold API keys,",
    };
    let (files, them) = name_files(&copied.files);
    let copy = format!("`{} {}`", inst.keyword, source.text);
    let message = if copied.from_context {
        let build_context = match &context.root.declared {
            Some((who, _)) => format!(
                "the build context `{}` (set by {who})",
                if context.root.dir.is_empty() {
                    "."
                } else {
                    context.root.dir.as_str()
                }
            ),
            None => "the build context".to_string(),
        };
        format!(
            "{copy} copies {files} from {build_context} into the image, and {}: {what} stay readable in that layer even if a later step deletes {them}",
            context.ignore_note(them)
        )
    } else {
        format!(
            "{copy} copies {files} into the image: {what} stay readable in that layer even if a later step deletes {them}; give a build step its credentials with `RUN --mount=type=secret` instead"
        )
    };
    let mut finding = Finding::new("CLD112", severity, confidence)
        .credential_kind("credential-file-copy")
        .at(source.span.clone())
        .logical(doc.location(inst, &format!("{} {}", inst.keyword, source.text)))
        .message(message);
    if let Some((_, related)) = &context.root.declared {
        finding.related.push(related.clone());
    }
    finding
}

/// "`a`, `b` and 2 more", and the pronoun that goes with it.
fn name_files(files: &[String]) -> (String, &'static str) {
    const SHOWN: usize = 3;
    let mut names: Vec<String> = files.iter().take(SHOWN).map(|f| format!("`{f}`")).collect();
    if files.len() > SHOWN {
        names.push(format!("{} more", files.len() - SHOWN));
    }
    let them = if names.len() > 1 { "them" } else { "it" };
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    };
    (list, them)
}

fn is_remote(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@")
}

fn has_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Exposure of a source that names a file or directory directly.
fn named_exposure(rel: &str) -> Option<Exposure> {
    let name = base_name(rel);
    if matches!(name, ".claude.json" | ".credentials.json" | ".claude") {
        return Some(Exposure::ClaudeCredential);
    }
    if let Some(inside) = inside_claude_dir(rel)
        && claude_dir_entry_is_sensitive(inside)
    {
        return Some(Exposure::ClaudeCredential);
    }
    is_env_file(name).then_some(Exposure::EnvFile)
}

/// The part of `rel` after a `.claude/` component.
fn inside_claude_dir(rel: &str) -> Option<&str> {
    if let Some(rest) = rel.strip_prefix(".claude/") {
        return Some(rest);
    }
    rel.find("/.claude/").map(|i| &rel[i + "/.claude/".len()..])
}

/// In a `.claude` directory, project files (`settings.json`, `commands/`) are
/// meant to be shared; these are not.
fn claude_dir_entry_is_sensitive(inside: &str) -> bool {
    inside.is_empty()
        || has_glob(inside)
        || matches!(
            base_name(inside),
            ".credentials.json" | "settings.local.json" | ".claude.json"
        )
        || inside.starts_with("projects")
        || inside.starts_with("backups")
}

/// Exposure of a file found in the build context.
fn context_exposure(path: &str) -> Option<Exposure> {
    let name = base_name(path);
    if matches!(name, ".claude.json" | ".credentials.json") {
        return Some(Exposure::ClaudeCredential);
    }
    is_env_file(name).then_some(Exposure::EnvFile)
}

/// `name.env` rather than `.env` / `.env.*`.
fn is_suffix_env_name(name: &str) -> bool {
    !name.starts_with(".env") && name.ends_with(".env")
}

/// Whether a `name.env` file in the context sets a credential-like variable
/// to a literal (or holds an Anthropic token).
fn suffix_env_holds_secrets(ctx: &FileContext, prefix: &str, rel: &str) -> bool {
    let Some(text) = ctx.tree.read_side_file(&format!("{prefix}{rel}")) else {
        return false;
    };
    if crate::secrets::tokens::TokenScanner::new().may_contain(text.as_bytes()) {
        return true;
    }
    crate::formats::dotenv::parse_file(crate::classify::FileKind::Dotenv, &text)
        .assignments
        .iter()
        .any(|a| {
            let upper = a.name.to_ascii_uppercase();
            let credential_like = ["TOKEN", "KEY", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"]
                .iter()
                .any(|w| upper.contains(w))
                && !["_PATH", "_FILE", "_URL", "_ID"]
                    .iter()
                    .any(|s| upper.ends_with(s));
            credential_like
                && matches!(&a.value, crate::assign::Value::Literal(v)
                    if !crate::secrets::placeholder::is_placeholder_value(v))
        })
}

/// `.env`, `.env.*`, `*.env`, but not templates such as `.env.example`.
fn is_env_file(name: &str) -> bool {
    const TEMPLATES: &[&str] = &[
        "example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "schema",
    ];
    let env_named =
        name == ".env" || name.starts_with(".env.") || (name.len() > 4 && name.ends_with(".env"));
    env_named
        && !name
            .split('.')
            .any(|part| TEMPLATES.contains(&part.to_ascii_lowercase().as_str()))
}

/// A glob whose last component plainly aims at env or credential files
/// (`.env*`, `*.env`, `.claude*`), even when none is in the tree right now.
fn glob_intent(rel: &str, glob: &Pattern) -> Option<Exposure> {
    let last = base_name(rel);
    let dir = parent_dir(rel);
    let probe = |name: &str| {
        let path = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        glob.matches(&path)
    };
    if (last.contains(".claude") || last.contains(".credentials"))
        && (probe(".claude.json") || probe(".credentials.json") || probe(".claude"))
    {
        return Some(Exposure::ClaudeCredential);
    }
    if last.contains(".env") && (probe(".env") || probe(".env.local") || probe("prod.env")) {
        return Some(Exposure::EnvFile);
    }
    None
}

// ---------------------------------------------------------------- build context

struct BuildContext {
    root: ContextRoot,
    /// Credential and env files in the context, relative to it.
    candidates: Vec<(String, Exposure)>,
    ignore: PatternList,
    /// The ignore file in effect, relative to the scan root.
    ignore_file: Option<String>,
}

impl BuildContext {
    fn load(ctx: &FileContext, root: &ContextRoot) -> Self {
        let dir = root.dir.as_str();
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let candidates = ctx
            .tree
            .files_under(dir)
            .filter_map(|f| f.strip_prefix(prefix.as_str()))
            .filter_map(|f| context_exposure(f).map(|e| (f.to_string(), e)))
            .filter(|(f, _)| {
                !is_suffix_env_name(base_name(f)) || suffix_env_holds_secrets(ctx, &prefix, f)
            })
            .collect();
        // BuildKit prefers `<Dockerfile>.dockerignore` next to the Dockerfile.
        let own = format!("{}.dockerignore", ctx.rel_path);
        let shared = format!("{prefix}.dockerignore");
        let (ignore_file, ignore) = [own, shared]
            .into_iter()
            .find_map(|path| ctx.tree.read_side_file(&path).map(|text| (path, text)))
            .map(|(path, text)| (Some(path), PatternList::from_dockerignore(&text)))
            .unwrap_or((None, PatternList::default()));
        BuildContext {
            root: root.clone(),
            candidates,
            ignore,
            ignore_file,
        }
    }

    fn ignore_note(&self, them: &str) -> String {
        match &self.ignore_file {
            Some(path) => format!("`{path}` does not exclude {them}"),
            None => format!("no `.dockerignore` excludes {them}"),
        }
    }
}

// ---------------------------------------------------------------- .dockerignore

/// Patterns with moby/patternmatcher semantics: paths are relative to the
/// context root (`*.env` matches only at the top, `**/.env` at any depth), a
/// pattern matching a directory matches everything under it, `!` re-includes,
/// and the last matching pattern wins.
#[derive(Default)]
struct PatternList {
    patterns: Vec<Pattern>,
}

/// Enough for any real `.dockerignore`; bounds the work on hostile input.
const MAX_PATTERNS: usize = 2000;

impl PatternList {
    fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Self {
        let patterns = patterns
            .into_iter()
            .take(MAX_PATTERNS)
            .filter_map(|line| {
                let line = line.trim();
                match line.strip_prefix('!') {
                    Some(rest) => Pattern::new(rest.trim(), true),
                    None => Pattern::new(line, false),
                }
            })
            .collect();
        PatternList { patterns }
    }

    fn from_dockerignore(text: &str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        PatternList::new(text.lines().filter(|l| !l.starts_with('#')))
    }

    fn excludes(&self, path: &str) -> bool {
        let mut excluded = false;
        for pattern in &self.patterns {
            if pattern.negated == excluded && pattern.matches_or_parent(path) {
                excluded = !pattern.negated;
            }
        }
        excluded
    }
}

struct Pattern {
    regex: Regex,
    negated: bool,
}

impl Pattern {
    fn new(raw: &str, negated: bool) -> Option<Pattern> {
        let cleaned = join_rel("", raw.trim_start_matches('/')).unwrap_or_default();
        if cleaned.is_empty() && raw.trim_start_matches('/').is_empty() {
            return None;
        }
        let regex = Regex::new(&glob_to_regex(&cleaned)).ok()?;
        Some(Pattern { regex, negated })
    }

    fn matches(&self, path: &str) -> bool {
        self.regex.is_match(path)
    }

    fn matches_or_parent(&self, path: &str) -> bool {
        self.matches(path)
            || path
                .match_indices('/')
                .any(|(i, _)| self.matches(&path[..i]))
    }
}

/// `*` and `?` stay within one path component, `**` crosses them, `[…]` is a
/// class (`[!…]` negated), `\` escapes.
fn glob_to_regex(glob: &str) -> String {
    let chars: Vec<char> = glob.chars().collect();
    let mut re = String::from("^");
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 1;
                if chars.get(i + 1) == Some(&'/') {
                    i += 1;
                }
                re.push_str(if i + 1 >= chars.len() { ".*" } else { "(.*/)?" });
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '\\' if i + 1 < chars.len() => {
                i += 1;
                re.push_str(&regex::escape(&chars[i].to_string()));
            }
            '[' => match chars[i + 1..].iter().position(|&c| c == ']') {
                Some(len) => {
                    re.push_str(&char_class(&chars[i + 1..i + 1 + len]));
                    i += len + 1;
                }
                None => re.push_str(r"\["),
            },
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    re
}

fn char_class(inner: &[char]) -> String {
    let (negated, inner) = match inner.first() {
        Some('!' | '^') => (true, &inner[1..]),
        _ => (false, inner),
    };
    let mut class = String::from(if negated { "[^" } else { "[" });
    for &c in inner {
        if c == '-' {
            class.push('-');
        } else {
            class.push_str(&regex::escape(&c.to_string()));
        }
    }
    if inner.is_empty() {
        class.push_str(r"\x00");
    }
    class.push(']');
    class
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::formats::Parsed;
    use crate::secrets::tokens::TokenMatch;
    use crate::tree::Tree;

    struct Fixture {
        dir: tempfile::TempDir,
        files: Vec<String>,
    }

    impl Fixture {
        fn new(files: &[(&str, &str)]) -> Self {
            let dir = tempfile::tempdir().unwrap();
            for (path, content) in files {
                let full = dir.path().join(path);
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(full, content).unwrap();
            }
            let mut files: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
            files.sort();
            Fixture { dir, files }
        }

        fn scan(&self, path: &str, text: &str, tokens: &[TokenMatch]) -> Vec<Finding> {
            let tree = Tree {
                root: self.dir.path().to_path_buf(),
                files: self.files.clone(),
                ..Tree::default()
            };
            let parsed: Parsed = crate::formats::dockerfile::parse_file(text);
            let ctx = FileContext {
                rel_path: path,
                kind: FileKind::Dockerfile,
                bytes: text.as_bytes(),
                text: Some(text),
                parsed: &parsed,
                tracked: true,
                tokens,
                tree: &tree,
            };
            let mut out = Vec::new();
            check(&ctx, &mut out);
            copies(&ctx, &[ContextRoot::own(path)], &mut out);
            out
        }
    }

    fn scan(text: &str) -> Vec<Finding> {
        Fixture::new(&[]).scan("Dockerfile", text, &[])
    }

    fn ids(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.rule_id).collect()
    }

    #[test]
    fn onbuild_env_and_arg_are_checked() {
        let text = "FROM node\nONBUILD ENV ANTHROPIC_API_KEY=gateway-literal-1234 A=1\nonbuild ARG CLAUDE_CODE_OAUTH_TOKEN\nONBUILD ENV ANTHROPIC_AUTH_TOKEN=$TOKEN\nONBUILD ENV ANTHROPIC_API_KEY=\nONBUILD RUN echo ANTHROPIC_API_KEY=x\n";
        let found = scan(text);
        assert_eq!(ids(&found), ["CLD111", "CLD111", "CLD111"]);
        // A literal: the value, redacted in the message.
        assert_eq!(&text[found[0].span.clone()], "gateway-literal-1234");
        assert!(found[0].secret.is_some());
        assert!(!found[0].message.contains("gateway-literal"));
        assert!(found[0].message.contains("ONBUILD ENV ANTHROPIC_API_KEY"));
        assert_eq!(
            found[0].logical.as_deref(),
            Some("stage[0] > ONBUILD ENV ANTHROPIC_API_KEY")
        );
        assert_eq!(&text[found[1].span.clone()], "CLAUDE_CODE_OAUTH_TOKEN");
        assert!(found[1].message.contains("ONBUILD ARG"));
        // A reference in ENV is still a stored credential (as for plain ENV).
        assert_eq!(&text[found[2].span.clone()], "ANTHROPIC_AUTH_TOKEN");
    }

    #[test]
    fn credential_arg_and_env_point_at_the_name() {
        let text = "ARG ANTHROPIC_API_KEY\nFROM node AS app\nENV ANTHROPIC_API_KEY=$ANTHROPIC_API_KEY OTHER=1\nARG CLAUDE_CODE_OAUTH_TOKEN=\"\"\n";
        let found = scan(text);
        assert_eq!(ids(&found), ["CLD111", "CLD111", "CLD111"]);
        assert_eq!(&text[found[0].span.clone()], "ANTHROPIC_API_KEY");
        assert_eq!(
            found[0].logical.as_deref(),
            Some("global > ARG ANTHROPIC_API_KEY")
        );
        assert_eq!(
            found[1].logical.as_deref(),
            Some("stage[0] app > ENV ANTHROPIC_API_KEY")
        );
        assert!(found[1].message.contains("docker inspect"));
        assert!(found[2].message.contains("image history"));
        assert_eq!(found[0].severity, Severity::Error);
        assert!(found.iter().all(|f| f.secret.is_none()));
    }

    #[test]
    fn literal_credential_values_are_redacted_and_hashed() {
        let gateway = crate::testkeys::gateway_token(3);
        let text = format!("FROM a\nENV ANTHROPIC_AUTH_TOKEN {gateway}\n");
        let found = scan(&text);
        assert_eq!(ids(&found), ["CLD111"]);
        assert!(found[0].secret.is_some());
        assert_eq!(
            text[found[0].span.clone()],
            gateway,
            "the secret's span, for redaction"
        );
        assert!(!found[0].message.contains(&gateway));
    }

    #[test]
    fn quiet_for_tokens_cleared_env_and_other_names() {
        let key = crate::testkeys::key("api03", 5);
        let text = format!(
            "FROM a\nENV ANTHROPIC_API_KEY={key}\nENV ANTHROPIC_API_KEY=\nENV ANTHROPIC_BASE_URL=https://x\nARG NPM_TOKEN\n"
        );
        let tokens = crate::secrets::tokens::TokenScanner::new().scan(text.as_bytes());
        assert!(!tokens.is_empty());
        let found = Fixture::new(&[]).scan("Dockerfile", &text, &tokens);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn only_dockerfiles_are_checked() {
        let text = "ARG ANTHROPIC_API_KEY\n";
        let parsed = crate::formats::dockerfile::parse_file(text);
        let tree = Tree::default();
        let ctx = FileContext {
            rel_path: "notes.txt",
            kind: FileKind::Text,
            bytes: text.as_bytes(),
            text: Some(text),
            parsed: &parsed,
            tracked: true,
            tokens: &[],
            tree: &tree,
        };
        let mut out = Vec::new();
        check(&ctx, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn copies_of_named_credential_files() {
        let text = "FROM a\nCOPY .claude.json /root/\nADD --chown=1 ./home/.claude/ /root/.claude\nCOPY .env.production .env.example config/app.env pins/tool.env /app/\nCOPY [\".credentials.json\", \"/x/\"]\nCOPY .claude/settings.json /etc/claude-code/managed-settings.json\nCOPY .claude/settings.local.json /x\n";
        // `name.env` counts only when it is in the context and holds a credential.
        let fx = Fixture::new(&[
            ("Dockerfile", ""),
            ("config/app.env", "DB_PASSWORD=s3cr3t-Value-991\n"),
            ("pins/tool.env", "TOOL_VERSION=1.2.3\n"),
        ]);
        let found = fx.scan("Dockerfile", text, &[]);
        let got: Vec<(&str, Severity)> = found
            .iter()
            .map(|f| (&text[f.span.clone()], f.severity))
            .collect();
        assert_eq!(
            got,
            [
                (".claude.json", Severity::Error),
                ("./home/.claude/", Severity::Error),
                (".env.production", Severity::Warning),
                ("config/app.env", Severity::Warning),
                ("\".credentials.json\"", Severity::Error),
                (".claude/settings.local.json", Severity::Error),
            ]
        );
        assert_eq!(
            found[0].logical.as_deref(),
            Some("stage[0] > COPY .claude.json")
        );
        assert!(found[0].message.contains("`.claude.json`"));
    }

    #[test]
    fn copy_from_stage_heredoc_and_remote_are_skipped() {
        let text = "FROM a AS b\nFROM c\nCOPY --from=b /root/.claude.json /x\nCOPY <<EOF /app/.env\nA=1\nEOF\nADD https://example.com/.env /x\nCOPY $DIR/.env /x\n";
        assert!(scan(text).is_empty());
    }

    #[test]
    fn globs_match_the_tree_or_show_intent() {
        let fx = Fixture::new(&[
            ("svc/.env", "A=1"),
            ("svc/Dockerfile", ""),
            ("svc/main.py", ""),
        ]);
        let found = fx.scan(
            "svc/Dockerfile",
            "FROM a\nCOPY .e* /app/\nCOPY *.py /app/\n",
            &[],
        );
        assert_eq!(ids(&found), ["CLD112"]);
        assert!(found[0].message.contains("`.env`"));
        let found = scan("FROM a\nCOPY .env* /app/\nCOPY *.json /app/\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
    }

    #[test]
    fn copy_all_reports_context_files_not_dockerignored() {
        let fx = Fixture::new(&[
            ("app/.env", "A=1"),
            ("app/conf/.claude.json", "{}"),
            ("app/.env.example", "A="),
            ("app/Dockerfile", ""),
            ("other/.env", "B=1"),
        ]);
        let found = fx.scan("app/Dockerfile", "FROM a\nCOPY . .\nCOPY src/ /s\n", &[]);
        assert_eq!(ids(&found), ["CLD112"]);
        let f = &found[0];
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.message.contains("`.env`") && f.message.contains("`conf/.claude.json`"));
        assert!(!f.message.contains("example") && !f.message.contains("other"));
        assert!(
            f.message.contains("no `.dockerignore` excludes them"),
            "{}",
            f.message
        );
        let found = fx.scan("app/Dockerfile", "FROM a\nCOPY conf /c\n", &[]);
        assert_eq!(ids(&found), ["CLD112"]);
    }

    #[test]
    fn dockerignore_and_exclude_flags_silence_the_context_case() {
        let files = [
            ("Dockerfile", ""),
            (".env", "A=1"),
            ("sub/.env", "A=1"),
            (".dockerignore", "# secrets\n.env\n"),
        ];
        let found = Fixture::new(&files).scan("Dockerfile", "FROM a\nCOPY . /app\n", &[]);
        assert_eq!(
            found.len(),
            1,
            "`.env` is anchored: sub/.env is still copied"
        );
        assert!(found[0].message.contains("`sub/.env`"));
        assert!(
            found[0]
                .message
                .contains("`.dockerignore` does not exclude")
        );

        let files = [
            ("Dockerfile", ""),
            (".env", "A=1"),
            ("sub/.env", "A=1"),
            (".dockerignore", "**/.env\n"),
        ];
        assert!(
            Fixture::new(&files)
                .scan("Dockerfile", "FROM a\nCOPY . /app\nCOPY .env /x\n", &[])
                .is_empty()
        );

        let files = [("Dockerfile", ""), (".env", "A=1")];
        let fx = Fixture::new(&files);
        assert!(
            fx.scan("Dockerfile", "FROM a\nCOPY --exclude=.env . /app\n", &[])
                .is_empty()
        );

        let files = [
            ("api.Dockerfile", ""),
            (".env", "A=1"),
            ("api.Dockerfile.dockerignore", "*\n!src\n"),
        ];
        assert!(
            Fixture::new(&files)
                .scan("api.Dockerfile", "FROM a\nCOPY . /app\n", &[])
                .is_empty()
        );
    }

    #[test]
    fn dockerignore_semantics() {
        let list = PatternList::from_dockerignore("*\n!src/**\nsrc/**/*.env\n/build/\n# c\n");
        assert!(list.excludes("x.txt"));
        assert!(list.excludes("a/b/c"), "`*` matches the top-level dir");
        assert!(!list.excludes("src/a/b.py"));
        assert!(list.excludes("src/a/prod.env"));
        assert!(list.excludes("build/out"));
        let list = PatternList::from_dockerignore("conf\n!conf/keep.env\n");
        assert!(list.excludes("conf/x"));
        assert!(!list.excludes("conf/keep.env"));
        let list = PatternList::from_dockerignore("[!a]*.env\n.env.?\n");
        assert!(list.excludes("b.env") && !list.excludes("a.env"));
        assert!(list.excludes(".env.1"));
        assert!(PatternList::from_dockerignore("[\n\\\n**\n").excludes("anything/at/all"));
    }

    #[test]
    fn garbage_patterns_and_sources_never_panic() {
        let pieces = [
            "[", "]", "!", "*", "**", "?", "\\", "/", ".", "..", ".env", "é", "^", "-", "{", "$",
            " ",
        ];
        let mut state: u64 = 99;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut random = |n: u64| -> String {
            (0..next() % n)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect()
        };
        let fx = Fixture::new(&[
            ("Dockerfile", ""),
            (".env", "A=1"),
            ("a/b/.claude.json", "{}"),
        ]);
        for _ in 0..300 {
            let ignore = PatternList::from_dockerignore(&format!("{}\n{}\n", random(8), random(8)));
            let _ = ignore.excludes(&random(6));
            let text = format!(
                "FROM a\nCOPY {} {} /x\nADD [\"{}\", \"/y\"]\n",
                random(6),
                random(6),
                random(6)
            );
            let _ = fx.scan("Dockerfile", &text, &[]);
        }
    }

    #[test]
    fn env_file_names() {
        for name in [".env", ".env.local", "prod.env", ".env.production"] {
            assert!(is_env_file(name), "{name}");
        }
        for name in [
            ".envrc",
            ".env.example",
            "env",
            ".env.sample.local",
            "x.environment",
        ] {
            assert!(!is_env_file(name), "{name}");
        }
    }

    /// Every catalog example of CLD111/CLD112, scanned with its extra files:
    /// bad ones fire, good ones stay silent.
    #[test]
    fn catalog_examples_hold() {
        use crate::catalog::ExampleKind;
        for id in ["CLD111", "CLD112"] {
            let rule = crate::catalog::rule(id).expect("rule in catalog");
            assert!(rule.examples.len() >= 4, "{id} needs several examples");
            for (i, example) in rule.examples.iter().enumerate() {
                let content = crate::catalog::fill_placeholders(&example.content);
                let mut files: Vec<(String, String)> = example
                    .files
                    .iter()
                    .map(|f| {
                        (
                            f.path.clone(),
                            crate::catalog::fill_placeholders(&f.content),
                        )
                    })
                    .collect();
                files.push((example.path.clone(), content.clone()));
                let borrowed: Vec<(&str, &str)> = files
                    .iter()
                    .map(|(p, c)| (p.as_str(), c.as_str()))
                    .collect();
                let tokens = crate::secrets::tokens::TokenScanner::new().scan(content.as_bytes());
                let found = Fixture::new(&borrowed).scan(&example.path, &content, &tokens);
                let fired = found.iter().any(|f| f.rule_id == id);
                assert_eq!(
                    fired,
                    example.kind == ExampleKind::Bad,
                    "{id} example {i} ({}): {found:?}",
                    example.path
                );
            }
        }
    }
}
