//! YAML files: GitHub workflows, action metadata (`action.yml`) and compose
//! files, read with saphyr.
//!
//! We drive saphyr's `YamlLoader<MarkedYaml>` from the parser's event stream
//! ourselves instead of calling `MarkedYaml::load_from_str`, so that we can:
//! - stop after the first document;
//! - bound the nesting depth: saphyr's loader recurses once per level (and
//!   so do clone and drop of the tree), so `[[[[…` or `- - - …` ten thousand
//!   levels deep would overflow the stack;
//! - count alias expansion ourselves, keys included: saphyr's own budget
//!   counts a mapping key as one node whatever its size, so a bomb built from
//!   complex keys would get through;
//! - remember where each anchor was defined, so that an aliased scalar reports
//!   the span of the text it stands for.
//!
//! The loaded tree is converted into [`Node`]s with byte spans (saphyr's
//! markers count chars), with `<<` merge keys expanded when asked (compose).

pub mod compose;
pub mod workflow;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use saphyr::{MarkedYaml, YamlData, YamlLoader};
use saphyr_parser::{Event, Marker, Parser, ScanError, Span, SpannedEventReceiver};

use super::{Diagnostic, Parsed};
use crate::assign::{Assignment, Origin, Value, classify_value};
use crate::classify::FileKind;

/// Deepest nesting of collections we accept. Workflows and compose files
/// rarely pass 10; the bound keeps every recursive walk far from the stack limit.
pub const MAX_DEPTH: usize = 128;
/// Nodes that alias expansion may add to a document (billion laughs).
pub const ALIAS_NODE_BUDGET: usize = 100_000;
/// Entries that `<<` merge keys may copy into mappings, over the whole document.
pub const MERGE_ENTRY_BUDGET: usize = 100_000;

/// Parses a workflow, action metadata or compose file into assignments.
pub fn parse_file(kind: FileKind, text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let root = match load(text, kind == FileKind::Compose) {
        Ok(Some(root)) => root,
        Ok(None) => return parsed,
        Err(diagnostic) => {
            parsed.diagnostics.push(diagnostic);
            return parsed;
        }
    };
    match kind {
        FileKind::Workflow => {
            let w = workflow::workflow_from(&root);
            parsed.assignments = w.assignments();
            parsed.workflow = Some(w);
        }
        FileKind::ActionMetadata => {
            let a = workflow::action_from(&root);
            parsed.assignments = a.assignments();
            parsed.action = Some(a);
        }
        FileKind::Compose => {
            let c = compose::compose_from(text, &root);
            parsed.assignments = c.assignments();
            parsed.compose = Some(c);
        }
        _ => {}
    }
    parsed.yaml = Some(root);
    parsed
}

// ---------------------------------------------------------------------------
// The tree
// ---------------------------------------------------------------------------

/// A YAML node with byte spans into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Scalars: the scalar as written (quotes included; for block scalars the
    /// content lines, without the `|`/`>` header). Collections: from their
    /// first token to roughly their end (saphyr's collection ends reach to the
    /// next token, so prefer the spans of keys and scalars). A node produced
    /// by an alias has the span of its anchor's definition.
    pub span: Range<usize>,
    /// For a node produced by an alias (`*name`), the alias's span.
    pub alias: Option<Range<usize>>,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    /// Entries in file order; merge-key entries follow the explicit ones.
    Mapping(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Node {
    /// The YAML path (`jobs.build.steps[0].run`) of the innermost key or
    /// value holding `span`; `None` when the span is outside this node.
    pub fn path_at(&self, span: &Range<usize>) -> Option<String> {
        let within = |outer: &Range<usize>| outer.start <= span.start && span.end <= outer.end;
        let mut path = String::new();
        let mut node = self;
        'descend: loop {
            match &node.kind {
                NodeKind::Mapping(entries) => {
                    for e in entries {
                        let key = match &e.key.kind {
                            NodeKind::Scalar(s) => s.text.as_str(),
                            _ => "?",
                        };
                        if within(&e.key.span) || within(&e.value.span) {
                            if !path.is_empty() {
                                path.push('.');
                            }
                            path.push_str(key);
                            if within(&e.key.span) {
                                return Some(path);
                            }
                            node = &e.value;
                            continue 'descend;
                        }
                    }
                }
                NodeKind::Sequence(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if within(&item.span) {
                            path.push_str(&format!("[{i}]"));
                            node = item;
                            continue 'descend;
                        }
                    }
                }
                NodeKind::Scalar(_) => {}
            }
            return (!path.is_empty() || within(&self.span)).then_some(path);
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value: quotes removed, escapes applied, block scalars folded.
    pub text: String,
    pub style: ScalarStyle,
    /// The tag as written after resolution (`tag:yaml.org,2002:str`, `!custom`).
    pub tag: Option<String>,
}

impl fmt::Debug for Scalar {
    // A scalar may be a secret: never print its text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Scalar({:?}, <{} chars>)",
            self.style,
            self.text.chars().count()
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl From<saphyr_parser::ScalarStyle> for ScalarStyle {
    fn from(style: saphyr_parser::ScalarStyle) -> Self {
        match style {
            saphyr_parser::ScalarStyle::Plain => ScalarStyle::Plain,
            saphyr_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            saphyr_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            saphyr_parser::ScalarStyle::Literal => ScalarStyle::Literal,
            saphyr_parser::ScalarStyle::Folded => ScalarStyle::Folded,
        }
    }
}

impl ScalarStyle {
    fn is_block(self) -> bool {
        matches!(self, ScalarStyle::Literal | ScalarStyle::Folded)
    }

    fn is_quoted(self) -> bool {
        matches!(self, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
    }
}

impl Scalar {
    /// YAML 1.2 core-schema null: a plain `~`, `null`, `Null`, `NULL` or nothing.
    pub fn is_null(&self) -> bool {
        let untagged_or_null = match &self.tag {
            None => true,
            Some(tag) => tag == "tag:yaml.org,2002:null",
        };
        self.style == ScalarStyle::Plain
            && untagged_or_null
            && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }

    /// The value of an assignment whose value is this scalar: nulls are
    /// [`Value::Empty`], numbers and booleans literals of their text.
    pub fn value(&self) -> Value {
        if self.is_null() {
            Value::Empty
        } else {
            classify_value(&self.text)
        }
    }
}

impl Node {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's text, for scalars that are not null.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar()
            .filter(|s| !s.is_null())
            .map(|s| s.text.as_str())
    }

    /// A mapping's entries; empty for anything else.
    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            NodeKind::Mapping(entries) => entries,
            _ => &[],
        }
    }

    /// A sequence's items; empty for anything else.
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Sequence(items) => items,
            _ => &[],
        }
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.kind, NodeKind::Mapping(_))
    }

    pub fn is_sequence(&self) -> bool {
        matches!(self.kind, NodeKind::Sequence(_))
    }

    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(Scalar::is_null)
    }

    /// The entry of a mapping whose key is the scalar `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()
            .iter()
            .find(|e| e.key.as_scalar().is_some_and(|k| k.text == key))
    }

    /// The value of a mapping's entry whose key is the scalar `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }
}

/// A string value with the byte span of its scalar.
#[derive(Clone, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub span: Range<usize>,
}

impl fmt::Debug for Text {
    // Scripts and paths may embed secrets: print the span only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Text({:?}, <{} chars>)",
            self.span,
            self.value.chars().count()
        )
    }
}

impl Text {
    /// The node's text when it is a non-null scalar.
    pub fn from_node(node: &Node) -> Option<Text> {
        node.as_str().map(|value| Text {
            value: value.to_string(),
            span: node.span.clone(),
        })
    }

    /// The key of an entry as text (non-scalar keys give `None`).
    pub fn from_key(entry: &Entry) -> Option<Text> {
        entry.key.as_scalar().map(|s| Text {
            value: s.text.clone(),
            span: entry.key.span.clone(),
        })
    }
}

// ---------------------------------------------------------------------------
// Assignments shared by workflows and compose files
// ---------------------------------------------------------------------------

/// Where an assignment goes: `logical` is the YAML path of its mapping
/// (`jobs.build.env`); the entry's key is appended.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place<'a> {
    pub logical: &'a str,
    pub scope: &'a str,
    pub origin: Origin,
}

/// `KEY: value` with a scalar key and a scalar value; other shapes are not
/// assignments (GitHub rejects them, compose too).
pub(crate) fn entry_assignment(entry: &Entry, place: Place<'_>) -> Option<Assignment> {
    let key = entry.key.as_scalar()?;
    let value = entry.value.as_scalar()?;
    let name_span = entry.key.span.clone();
    let value_span = if entry.value.span.is_empty() {
        name_span.clone()
    } else {
        entry.value.span.clone()
    };
    Some(Assignment {
        name: key.text.clone(),
        name_span,
        value: value.value(),
        value_span,
        logical: format!("{}.{}", place.logical, key.text),
        origin: place.origin,
        scope: place.scope.to_string(),
    })
}

/// Every scalar entry of a mapping (`env:`, `with:`); anything else yields nothing.
pub(crate) fn mapping_assignments(node: Option<&Node>, place: Place<'_>) -> Vec<Assignment> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|e| entry_assignment(e, place))
            .collect()
    })
    .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

/// Loads the first document of `text`. `Ok(None)` when there is none (empty
/// file, comments only). `merge_keys` expands `<<` (YAML 1.1, used by compose;
/// GitHub Actions does not support it, so workflows keep `<<` as a key).
pub fn load(text: &str, merge_keys: bool) -> Result<Option<Node>, Diagnostic> {
    load_with_merge_budget(text, merge_keys, MERGE_ENTRY_BUDGET)
}

fn load_with_merge_budget(
    text: &str,
    merge_keys: bool,
    merge_budget: usize,
) -> Result<Option<Node>, Diagnostic> {
    let offsets = CharToByte::new(text);
    let mut driver = Driver::new();
    let mut parser = Parser::new_from_str(text);
    let loaded = driver.run(&mut parser);
    let to_diagnostic = |e: LoadFailure| e.into_diagnostic(text, &offsets);
    loaded.map_err(to_diagnostic)?;
    let Driver {
        loader,
        alias_sites,
        block_scalars_with_properties,
        ..
    } = driver;
    let Some(root) = loader.into_documents().into_iter().next() else {
        return Ok(None);
    };
    let mut converter = Converter {
        text,
        offsets: &offsets,
        alias_sites: &alias_sites,
        block_scalars_with_properties: &block_scalars_with_properties,
        merge_keys,
        merge_budget,
    };
    converter.node(&root).map(Some)
}

/// Why loading stopped: a char span and a message.
struct LoadFailure {
    span: Span,
    message: String,
}

impl LoadFailure {
    fn at(marker: Marker, message: impl Into<String>) -> Self {
        LoadFailure {
            span: Span::new(marker, marker),
            message: message.into(),
        }
    }

    fn from_scan(e: &ScanError) -> Self {
        LoadFailure::at(*e.marker(), e.info())
    }

    fn into_diagnostic(self, text: &str, offsets: &CharToByte<'_>) -> Diagnostic {
        let start = offsets.byte(self.span.start.index());
        let end = offsets.byte(self.span.end.index()).max(start);
        // A point error covers the character there, so it can be underlined.
        let end = if end == start {
            text[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8())
        } else {
            end
        };
        Diagnostic::new(start..end, format!("invalid YAML: {}", self.message))
    }
}

/// An open collection while events stream in.
struct Frame {
    anchor: usize,
    start: Marker,
    is_mapping: bool,
    /// In a mapping: whether the next complete node is a key.
    expecting_key: bool,
    /// In a mapping: the span of the latest key (for duplicate-key errors).
    key_span: Span,
    /// Levels below this collection, aliases expanded.
    child_height: usize,
    /// Nodes below this collection, aliases expanded.
    child_size: usize,
}

/// What an anchor stands for: where it is defined, how deep and how large.
#[derive(Clone, Copy)]
struct AnchorInfo {
    span: Span,
    height: usize,
    size: usize,
}

struct Driver<'input> {
    loader: YamlLoader<'input, MarkedYaml<'input>>,
    frames: Vec<Frame>,
    anchors: HashMap<usize, AnchorInfo>,
    /// Alias span (start, end char index) → span of the anchor's definition.
    alias_sites: HashMap<(usize, usize), Span>,
    /// Start char index of block scalars written with an anchor or tag: their
    /// span starts at the properties instead of at the content.
    block_scalars_with_properties: HashSet<usize>,
    alias_nodes: usize,
}

impl<'input> Driver<'input> {
    fn new() -> Self {
        let mut loader = YamlLoader::default();
        // Keep scalars as written: we need `1e3` and `0x1F` as their text.
        loader.early_parse(false);
        loader.alias_limit(ALIAS_NODE_BUDGET);
        Driver {
            loader,
            frames: Vec::new(),
            anchors: HashMap::new(),
            alias_sites: HashMap::new(),
            block_scalars_with_properties: HashSet::new(),
            alias_nodes: 0,
        }
    }

    /// Feeds events to the loader until the first document ends.
    fn run<I: saphyr_parser::Input>(
        &mut self,
        parser: &mut Parser<'input, I>,
    ) -> Result<(), LoadFailure> {
        for event in parser {
            let (event, span) = event.map_err(|e| LoadFailure::from_scan(&e))?;
            let document_ended = matches!(event, Event::DocumentEnd);
            self.event(event, span)?;
            if document_ended {
                break;
            }
        }
        Ok(())
    }

    fn event(&mut self, event: Event<'input>, span: Span) -> Result<(), LoadFailure> {
        match &event {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.frames.len() >= MAX_DEPTH {
                    return Err(LoadFailure::at(
                        span.start,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                self.frames.push(Frame {
                    anchor: *anchor,
                    start: span.start,
                    is_mapping: matches!(event, Event::MappingStart(..)),
                    expecting_key: true,
                    key_span: span,
                    child_height: 0,
                    child_size: 0,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.frames.pop() {
                    let info = AnchorInfo {
                        span: Span::new(frame.start, span.end),
                        height: frame.child_height.saturating_add(1),
                        size: frame.child_size.saturating_add(1),
                    };
                    if frame.anchor > 0 {
                        self.anchors.insert(frame.anchor, info);
                    }
                    self.complete_node(info.span, info.height, info.size);
                }
            }
            Event::Scalar(_, style, anchor, tag) => {
                if *anchor > 0 {
                    let info = AnchorInfo {
                        span,
                        height: 1,
                        size: 1,
                    };
                    self.anchors.insert(*anchor, info);
                }
                if (*anchor > 0 || tag.is_some()) && ScalarStyle::from(*style).is_block() {
                    self.block_scalars_with_properties
                        .insert(span.start.index());
                }
                self.complete_node(span, 1, 1);
            }
            Event::Alias(anchor) => match self.anchors.get(anchor).copied() {
                Some(info) => {
                    self.check_alias(info, span)?;
                    self.alias_sites
                        .insert((span.start.index(), span.end.index()), info.span);
                    self.complete_node(span, info.height, info.size);
                }
                // An alias inside its own anchor's collection: the loader
                // makes it a bad value, which we read as null.
                None => self.complete_node(span, 1, 1),
            },
            _ => {}
        }
        self.loader.on_event(event, span);
        match self.loader.error() {
            Some(e) if e.info().starts_with("duplicated key") => Err(LoadFailure {
                span: self.frames.last().map_or(span, |f| f.key_span),
                message: e.info().to_string(),
            }),
            Some(e) => Err(LoadFailure::from_scan(e)),
            None => Ok(()),
        }
    }

    /// Rejects an alias that would nest too deep or expand too much, before
    /// the loader clones the anchored tree.
    fn check_alias(&mut self, info: AnchorInfo, span: Span) -> Result<(), LoadFailure> {
        if self.frames.len().saturating_add(info.height) > MAX_DEPTH {
            return Err(LoadFailure::at(
                span.start,
                format!("alias nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.alias_nodes = self.alias_nodes.saturating_add(info.size);
        if self.alias_nodes > ALIAS_NODE_BUDGET {
            return Err(LoadFailure::at(
                span.start,
                format!(
                    "alias expansion exceeds {ALIAS_NODE_BUDGET} nodes (possible billion-laughs attack)"
                ),
            ));
        }
        Ok(())
    }

    /// A node (scalar, alias or collection) is complete: account for it in its parent.
    fn complete_node(&mut self, span: Span, height: usize, size: usize) {
        let Some(parent) = self.frames.last_mut() else {
            return;
        };
        parent.child_height = parent.child_height.max(height);
        parent.child_size = parent.child_size.saturating_add(size);
        if parent.is_mapping {
            if parent.expecting_key {
                parent.key_span = span;
            }
            parent.expecting_key = !parent.expecting_key;
        }
    }
}

// ---------------------------------------------------------------------------
// Conversion to byte-spanned nodes
// ---------------------------------------------------------------------------

struct Converter<'a> {
    text: &'a str,
    offsets: &'a CharToByte<'a>,
    alias_sites: &'a HashMap<(usize, usize), Span>,
    block_scalars_with_properties: &'a HashSet<usize>,
    merge_keys: bool,
    merge_budget: usize,
}

impl Converter<'_> {
    fn node(&mut self, yaml: &MarkedYaml<'_>) -> Result<Node, Diagnostic> {
        let site = (yaml.span.start.index(), yaml.span.end.index());
        let (span, alias) = match self.alias_sites.get(&site) {
            Some(definition) => (*definition, Some(self.byte_range(yaml.span))),
            None => (yaml.span, None),
        };
        let data = unwrap_tags(&yaml.data);
        let (kind, span) = match data {
            YamlData::Sequence(items) => {
                let items = items
                    .iter()
                    .map(|item| self.node(item))
                    .collect::<Result<Vec<_>, _>>()?;
                (NodeKind::Sequence(items), self.collection_span(span))
            }
            YamlData::Mapping(map) => (
                NodeKind::Mapping(self.mapping(map)?),
                self.collection_span(span),
            ),
            _ => {
                let scalar = scalar_of(data);
                let span = self.scalar_span(span, scalar.style);
                (NodeKind::Scalar(scalar), span)
            }
        };
        Ok(Node { span, alias, kind })
    }

    fn mapping<'y>(
        &mut self,
        map: &saphyr::AnnotatedMapping<'y, MarkedYaml<'y>>,
    ) -> Result<Vec<Entry>, Diagnostic> {
        let mut entries = Vec::with_capacity(map.len());
        let mut merge_sources = Vec::new();
        // saphyr's loader compares keys as written (we keep scalars
        // unparsed), so it misses `a` vs `"a"`; compare resolved values.
        let mut seen_keys = HashSet::new();
        for (key, value) in map {
            if self.merge_keys && is_merge_key(key) {
                merge_sources.push((key, value));
                continue;
            }
            let converted_key = self.node(key)?;
            if let Some(resolved) = resolved_scalar(key)
                && !seen_keys.insert(resolved)
            {
                return Err(Diagnostic::new(
                    converted_key.span,
                    "invalid YAML: duplicated key in mapping",
                ));
            }
            entries.push(Entry {
                key: converted_key,
                value: self.node(value)?,
            });
        }
        for (key, value) in merge_sources {
            let key = self.node(key)?;
            let value = self.node(value)?;
            if let Some(unmerged) = self.merge(&mut entries, value, &key.span)? {
                // Not a mapping or a list of mappings: keep it as written.
                entries.push(Entry {
                    key,
                    value: unmerged,
                });
            }
        }
        Ok(entries)
    }

    /// Appends the entries of `source` (a mapping, or a sequence of mappings
    /// where earlier ones win) whose keys `entries` does not have yet. Gives
    /// `source` back when it holds no mapping to merge.
    fn merge(
        &mut self,
        entries: &mut Vec<Entry>,
        source: Node,
        merge_key_span: &Range<usize>,
    ) -> Result<Option<Node>, Diagnostic> {
        let Node { span, alias, kind } = source;
        let sources: Vec<Vec<Entry>> = match kind {
            NodeKind::Mapping(merged) => vec![merged],
            NodeKind::Sequence(items) if items.iter().any(Node::is_mapping) => items
                .into_iter()
                .filter_map(|n| match n.kind {
                    NodeKind::Mapping(merged) => Some(merged),
                    _ => None,
                })
                .collect(),
            kind => return Ok(Some(Node { span, alias, kind })),
        };
        let mut seen: HashSet<String> = entries.iter().filter_map(scalar_key).collect();
        for entry in sources.into_iter().flatten() {
            if let Some(key) = scalar_key(&entry)
                && !seen.insert(key)
            {
                continue;
            }
            if self.merge_budget == 0 {
                return Err(Diagnostic::new(
                    merge_key_span.clone(),
                    "invalid YAML: merge keys expand to too many entries",
                ));
            }
            self.merge_budget -= 1;
            entries.push(entry);
        }
        Ok(None)
    }

    fn byte_range(&self, span: Span) -> Range<usize> {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index()).max(start);
        start..end
    }

    /// A collection's span without its anchor/tag and trailing blanks.
    fn collection_span(&self, span: Span) -> Range<usize> {
        let range = self.byte_range(span);
        let start = skip_properties(self.text, range.start, range.end);
        trim_end(self.text, start, range.end)
    }

    /// The scalar as written: quotes kept, anchor and tag dropped, and for a
    /// block scalar its content lines without the header or trailing breaks.
    fn scalar_span(&self, span: Span, style: ScalarStyle) -> Range<usize> {
        let range = self.byte_range(span);
        let mut start = range.start;
        if style.is_block() {
            // saphyr starts a block scalar's span at its content unless the
            // scalar has properties, in which case it starts at them.
            if self
                .block_scalars_with_properties
                .contains(&span.start.index())
            {
                start = skip_properties(self.text, start, range.end);
                start = skip_line(self.text, start, range.end);
            }
            start = skip_blanks_and_breaks(self.text, start, range.end);
        } else {
            start = skip_properties(self.text, start, range.end);
        }
        trim_end(self.text, start, range.end)
    }
}

fn unwrap_tags<'a, 'y>(
    mut data: &'a YamlData<'y, MarkedYaml<'y>>,
) -> &'a YamlData<'y, MarkedYaml<'y>> {
    while let YamlData::Tagged(_, inner) = data {
        data = &inner.data;
    }
    data
}

fn scalar_of<'y>(data: &YamlData<'y, MarkedYaml<'y>>) -> Scalar {
    match data {
        YamlData::Representation(text, style, tag) => Scalar {
            text: text.to_string(),
            style: (*style).into(),
            tag: tag.as_ref().map(|t| format!("{}{}", t.handle, t.suffix)),
        },
        YamlData::Value(value) => Scalar {
            text: scalar_value_text(value),
            style: ScalarStyle::Plain,
            tag: None,
        },
        // Bad values and unresolved aliases: treat as null.
        _ => Scalar {
            text: String::new(),
            style: ScalarStyle::Plain,
            tag: None,
        },
    }
}

/// Only reachable if saphyr parses scalars early, which we turn off.
fn scalar_value_text(value: &saphyr::Scalar<'_>) -> String {
    match value {
        saphyr::Scalar::Null => String::new(),
        saphyr::Scalar::Boolean(b) => b.to_string(),
        saphyr::Scalar::Integer(i) => i.to_string(),
        saphyr::Scalar::FloatingPoint(f) => f.to_string(),
        saphyr::Scalar::String(s) => s.to_string(),
    }
}

/// A scalar key's value as YAML resolves it (`1` and `0x1` are equal, `a` and `"a"` too).
fn resolved_scalar<'y>(key: &MarkedYaml<'y>) -> Option<saphyr::Scalar<'y>> {
    match unwrap_tags(&key.data) {
        YamlData::Representation(text, style, tag) => {
            saphyr::Scalar::parse_from_cow_and_metadata(text.clone(), *style, tag.as_ref())
        }
        _ => None,
    }
}

fn is_merge_key(key: &MarkedYaml<'_>) -> bool {
    match &key.data {
        YamlData::Representation(text, saphyr_parser::ScalarStyle::Plain, _) => text == "<<",
        _ => false,
    }
}

fn scalar_key(entry: &Entry) -> Option<String> {
    entry.key.as_scalar().map(|s| s.text.clone())
}

// ---------------------------------------------------------------------------
// Span helpers (byte offsets; all stay within `start..end` and on char boundaries
// because they only step over ASCII bytes)
// ---------------------------------------------------------------------------

/// Skips node properties (`&anchor`, `!tag`) and the blanks, comments and
/// line breaks after them.
fn skip_properties(text: &str, mut start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    while start < end && matches!(bytes[start], b'&' | b'!') {
        while start < end && !matches!(bytes[start], b' ' | b'\t' | b'\r' | b'\n') {
            start += 1;
        }
        start = skip_blanks_breaks_and_comments(text, start, end);
    }
    start
}

fn skip_blanks_breaks_and_comments(text: &str, mut start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    while start < end {
        match bytes[start] {
            b' ' | b'\t' | b'\r' | b'\n' => start += 1,
            b'#' => {
                while start < end && !matches!(bytes[start], b'\r' | b'\n') {
                    start += 1;
                }
            }
            _ => break,
        }
    }
    start
}

/// Moves past the end of the current line (past its line break).
fn skip_line(text: &str, mut start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    while start < end && !matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    if start < end && bytes[start] == b'\r' {
        start += 1;
    }
    if start < end && bytes[start] == b'\n' {
        start += 1;
    }
    start
}

fn skip_blanks_and_breaks(text: &str, mut start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    while start < end && matches!(bytes[start], b' ' | b'\r' | b'\n') {
        start += 1;
    }
    start
}

fn trim_end(text: &str, start: usize, mut end: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    while end > start && matches!(bytes[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
        end -= 1;
    }
    start..end
}

/// Converts saphyr's char indices to byte offsets. ASCII text needs no table;
/// otherwise we keep the byte offset of every 64th char and step from there,
/// so a lookup costs at most 63 char decodes and the table 1/64 of the chars.
struct CharToByte<'t> {
    text: &'t str,
    checkpoints: Option<Vec<usize>>,
}

const CHECKPOINT_STRIDE: usize = 64;

impl<'t> CharToByte<'t> {
    fn new(text: &'t str) -> Self {
        let checkpoints = (!text.is_ascii()).then(|| {
            text.char_indices()
                .step_by(CHECKPOINT_STRIDE)
                .map(|(byte, _)| byte)
                .collect()
        });
        CharToByte { text, checkpoints }
    }

    /// The byte offset of char `index`; the text's length past its end.
    fn byte(&self, index: usize) -> usize {
        let len = self.text.len();
        let Some(checkpoints) = &self.checkpoints else {
            return index.min(len);
        };
        let Some(&base) = checkpoints.get(index / CHECKPOINT_STRIDE) else {
            return len;
        };
        let rest = index % CHECKPOINT_STRIDE;
        match self.text[base..].char_indices().nth(rest) {
            Some((offset, _)) => base + offset,
            None => len,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        load(text, true).expect("valid YAML").expect("a document")
    }

    fn at<'t>(text: &'t str, span: &Range<usize>) -> &'t str {
        &text[span.clone()]
    }

    fn error(text: &str) -> Diagnostic {
        load(text, true).expect_err("invalid YAML")
    }

    #[test]
    fn scalar_spans_in_bytes() {
        let text =
            "é: ü\nplain: a b c\nsq: 'it''s'\ndq: \"x\\ty\"\nnum: 1e3\nmulti: first\n  second\n";
        let doc = root(text);
        let spans: Vec<(&str, &str, &str)> = doc
            .entries()
            .iter()
            .map(|e| {
                (
                    at(text, &e.key.span),
                    at(text, &e.value.span),
                    e.value.as_str().expect("scalar"),
                )
            })
            .collect();
        assert_eq!(
            spans,
            [
                ("é", "ü", "ü"),
                ("plain", "a b c", "a b c"),
                ("sq", "'it''s'", "it's"),
                ("dq", "\"x\\ty\"", "x\ty"),
                ("num", "1e3", "1e3"),
                ("multi", "first\n  second", "first second"),
            ]
        );
    }

    #[test]
    fn many_non_ascii_chars_before_a_value() {
        // More than one checkpoint stride of multi-byte chars.
        let prefix = "ß".repeat(300);
        let text = format!("a: {prefix}\nkey: value\n");
        let doc = root(&text);
        let entry = doc.entry("key").expect("key");
        assert_eq!(at(&text, &entry.key.span), "key");
        assert_eq!(at(&text, &entry.value.span), "value");
        assert_eq!(at(&text, &doc.entries()[0].value.span), prefix);
    }

    #[test]
    fn bom_is_skipped() {
        let text = "\u{feff}k: v\n";
        let doc = root(text);
        assert_eq!(at(text, &doc.entries()[0].key.span), "k");
        assert_eq!(at(text, &doc.entries()[0].value.span), "v");
    }

    #[test]
    fn quoted_keys_do_not_include_trailing_blanks() {
        let text = "\"a\" : 1\nm: {\"b\" : \"c\" }\n";
        let doc = root(text);
        assert_eq!(at(text, &doc.entries()[0].key.span), "\"a\"");
        let inner = &doc.entries()[1].value.entries()[0];
        assert_eq!(at(text, &inner.key.span), "\"b\"");
        assert_eq!(at(text, &inner.value.span), "\"c\"");
    }

    #[test]
    fn block_scalar_spans_cover_the_content() {
        let text = "a: |\n  one\n  two\n\n# comment\nb: >-\n\n   folded\n   text\nc: &anchor |\n  | starts with a bar\nd: !!str |\n  x\n";
        let doc = root(text);
        let value = |k: &str| doc.get(k).expect(k);
        assert_eq!(at(text, &value("a").span), "one\n  two");
        assert_eq!(value("a").as_str(), Some("one\ntwo\n"));
        assert_eq!(at(text, &value("b").span), "folded\n   text");
        assert_eq!(at(text, &value("c").span), "| starts with a bar");
        assert_eq!(value("c").as_str(), Some("| starts with a bar\n"));
        assert_eq!(at(text, &value("d").span), "x");
    }

    #[test]
    fn crlf_spans() {
        let text = "a: 1\r\nb: |\r\n  x\r\n  y\r\nc: \"q\"\r\n";
        let doc = root(text);
        assert_eq!(at(text, &doc.get("a").expect("a").span), "1");
        assert_eq!(at(text, &doc.get("b").expect("b").span), "x\r\n  y");
        assert_eq!(doc.get("b").and_then(Node::as_str), Some("x\ny\n"));
        assert_eq!(at(text, &doc.get("c").expect("c").span), "\"q\"");
    }

    #[test]
    fn nulls_and_empty_values() {
        let text = "a:\nb: ~\nc: null\nd: ''\ne: \"null\"\nf: !!str null\n";
        let doc = root(text);
        let null = |k: &str| doc.get(k).expect(k).is_null();
        assert!(null("a") && null("b") && null("c"));
        assert!(!null("d") && !null("e") && !null("f"));
        let a = doc.get("a").expect("a");
        assert!(a.span.is_empty());
    }

    #[test]
    fn anchors_keep_definition_spans_and_record_the_alias() {
        let text = "base: &b\n  k: v\nscalar: &s \"lit\"\nuse: *b\nref: *s\n";
        let doc = root(text);
        let aliased_map = doc.get("use").expect("use");
        assert_eq!(at(text, aliased_map.alias.as_ref().expect("alias")), "*b");
        let inner = &aliased_map.entries()[0];
        assert_eq!(inner.key.span, 11..12);
        assert_eq!(at(text, &inner.value.span), "v");
        let aliased_scalar = doc.get("ref").expect("ref");
        assert_eq!(at(text, &aliased_scalar.span), "\"lit\"");
        assert_eq!(
            at(text, aliased_scalar.alias.as_ref().expect("alias")),
            "*s"
        );
        assert_eq!(aliased_scalar.as_str(), Some("lit"));
        // The anchored definition itself spans without its anchor.
        assert_eq!(
            at(text, &doc.get("scalar").expect("scalar").span),
            "\"lit\""
        );
        assert!(doc.get("scalar").expect("scalar").alias.is_none());
    }

    #[test]
    fn block_mapping_starting_with_an_alias_key_is_not_an_alias() {
        let text = "k: &k name\nm:\n  *k : 2\n";
        let doc = root(text);
        let m = doc.get("m").expect("m");
        assert!(m.alias.is_none());
        assert!(m.is_mapping());
        let entry = &m.entries()[0];
        assert_eq!(entry.key.as_str(), Some("name"));
        assert_eq!(at(text, &entry.key.span), "name");
        assert_eq!(at(text, entry.key.alias.as_ref().expect("alias")), "*k");
    }

    #[test]
    fn merge_keys() {
        let text =
            "a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  x: 0\nd:\n  <<: *a\n";
        let doc = root(text);
        let c = doc.get("c").expect("c");
        let pairs: Vec<(&str, &str)> = c
            .entries()
            .iter()
            .map(|e| (e.key.as_str().expect("k"), e.value.as_str().expect("v")))
            .collect();
        assert_eq!(pairs, [("x", "0"), ("y", "2"), ("z", "4")]);
        let d = doc.get("d").expect("d");
        assert_eq!(at(text, &d.get("y").expect("y").span), "2");
        assert_eq!(
            d.get("y").expect("y").span.start,
            text.find("2}").expect("def")
        );
        // Without merge expansion `<<` is an ordinary key.
        let plain = load(text, false).expect("valid").expect("doc");
        assert!(plain.get("d").expect("d").get("<<").is_some());
        // A quoted "<<" is never a merge key; a scalar merge value is kept as written.
        let odd = root("a:\n  \"<<\": {x: 1}\nb:\n  <<: 3\n");
        assert!(odd.get("a").expect("a").get("x").is_none());
        assert!(odd.get("b").expect("b").get("<<").is_some());
    }

    #[test]
    fn nested_merges() {
        let text = "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n";
        let doc = root(text);
        let keys: Vec<&str> = doc
            .get("c")
            .expect("c")
            .entries()
            .iter()
            .map(|e| e.key.as_str().expect("k"))
            .collect();
        assert_eq!(keys, ["z", "y", "x"]);
    }

    #[test]
    fn merge_budget_is_a_diagnostic() {
        let text = "a: &a {x: 1, y: 2}\nb: {<<: *a}\nc: {<<: *a}\n";
        assert!(load_with_merge_budget(text, true, 4).is_ok());
        let d = load_with_merge_budget(text, true, 3).expect_err("over budget");
        assert!(d.message.contains("merge"), "{}", d.message);
        assert_eq!(at(text, &d.span), "<<");
        assert_eq!(d.span.start, text.rfind("<<").expect("second merge"));
    }

    #[test]
    fn merge_chains_stay_bounded() {
        // Each level merges the previous one twice over through a list; the
        // entries copied grow with the number of levels times the width.
        let mut text = String::from("l0: &l0 {");
        for i in 0..2000 {
            text.push_str(&format!("k{i}: v, "));
        }
        text.push_str("}\n");
        for level in 1..60 {
            text.push_str(&format!(
                "l{level}: &l{level} {{<<: *l{}, own{level}: x}}\n",
                level - 1
            ));
        }
        let started = std::time::Instant::now();
        let result = load(&text, true);
        assert!(started.elapsed().as_secs() < 20);
        let diagnostic = result.expect_err("budget");
        assert!(
            diagnostic.message.contains("merge") || diagnostic.message.contains("alias"),
            "{}",
            diagnostic.message
        );
    }

    #[test]
    fn duplicate_keys_are_reported_at_the_key() {
        let text = "a: 1\nb:\n  c: 1\n  c: {x: y}\n";
        let d = error(text);
        assert!(d.message.contains("duplicated key"), "{}", d.message);
        assert_eq!(d.span.start, text.rfind('c').expect("second c"));
        assert_eq!(at(text, &d.span), "c");
        let text = "é: 1\n\"é\": 2\n";
        let d = error(text);
        assert_eq!(at(text, &d.span), "\"é\"");
    }

    #[test]
    fn syntax_errors_point_into_the_text() {
        for text in [
            "a: [1\nb:\t2\n",
            "a:\n\tb: 2\n",
            "a: 'unterminated\n",
            "ü: \"bad \\q escape\"\n",
            "a: *missing\n",
            "a: b: c\n",
            "- a\nb: c\n",
            "{{{{",
            "]]]]",
            "a: \u{0}\n",
            "key: value\n  bad indent: x\n",
        ] {
            let d = error(text);
            assert!(d.span.end <= text.len(), "{text:?}");
            assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
            assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
        }
    }

    #[test]
    fn error_span_in_non_ascii_text() {
        let text = "ééé: 1\nx: [a\nb";
        let d = error(text);
        assert!(text.is_char_boundary(d.span.start));
        assert!(d.span.start >= "ééé: 1\n".len(), "{:?}", d.span);
    }

    #[test]
    fn recursive_alias_is_null_and_keeps_key_tracking() {
        let text = "a: &a {x: *a, y: 1, y: 2}\n";
        let d = error(text);
        assert_eq!(d.span.start, text.rfind('y').expect("second y"));
        let doc = root("a: &a [1, *a]\n");
        let items = doc.get("a").expect("a").items();
        assert_eq!(items.len(), 2);
        assert!(items[1].is_null());
    }

    #[test]
    fn only_the_first_document_is_read() {
        let text = "a: 1\n---\nb: 2\n---\n[broken\n";
        let doc = root(text);
        assert!(doc.get("a").is_some());
        assert!(doc.get("b").is_none());
        assert!(load("", true).expect("empty").is_none());
        assert!(load("# just a comment\n", true).expect("empty").is_none());
    }

    #[test]
    fn billion_laughs_is_a_diagnostic() {
        let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        let mut previous = 'a';
        for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
            let refs = vec![format!("*{previous}"); 9].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
            previous = name;
        }
        let started = std::time::Instant::now();
        let d = error(&text);
        assert!(started.elapsed().as_secs() < 5);
        assert!(d.message.contains("billion"), "{}", d.message);
    }

    #[test]
    fn complex_key_bomb_is_a_diagnostic() {
        // saphyr counts a mapping key as one node; we count what it expands to.
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x]\n");
        let mut previous = String::from("a");
        for level in 0..12 {
            let name = format!("m{level}");
            text.push_str(&format!(
                "{name}: &{name} {{? *{previous} : 1, ? [*{previous}] : 2, ? [[*{previous}]] : 3, ? [[[*{previous}]]] : 4}}\n"
            ));
            previous = name;
        }
        let started = std::time::Instant::now();
        let d = error(&text);
        assert!(started.elapsed().as_secs() < 5);
        assert!(
            d.message.contains("alias expansion exceeds"),
            "{}",
            d.message
        );
    }

    #[test]
    fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
        let flow = "[".repeat(10_000);
        assert!(load(&flow, true).is_err());
        let flow_map = "{a: ".repeat(200) + &"}".repeat(200);
        assert!(load(&flow_map, true).is_err());
        let block_seq = "- ".repeat(10_000) + "x\n";
        assert!(error(&block_seq).message.contains("nesting"));
        let mut block_map = String::new();
        for depth in 0..200 {
            block_map.push_str(&" ".repeat(depth));
            block_map.push_str("k:\n");
        }
        assert!(error(&block_map).message.contains("nesting"));
        // Aliases cannot be used to stack depth either.
        let mut stacked = String::new();
        let mut previous: Option<String> = None;
        for level in 0..5 {
            let inner = previous
                .as_ref()
                .map_or("x".to_string(), |p| format!("*{p}"));
            let name = format!("l{level}");
            stacked.push_str(&format!(
                "{name}: &{name} {}{inner}{}\n",
                "[".repeat(60),
                "]".repeat(60)
            ));
            previous = Some(name);
        }
        assert!(error(&stacked).message.contains("deeper"));
        // Reasonable depth is fine.
        let ok = "- ".repeat(100) + "x\n";
        assert!(load(&ok, true).is_ok());
    }

    #[test]
    fn never_panics_on_garbage() {
        let samples = [
            "\t\t\t",
            "\u{0}\u{1}\u{2}",
            ":::",
            "- - - -",
            "? ? ? ?",
            "&a &b c",
            "!<tag> !<other> x",
            "*",
            "&",
            "%YAML 1.2\n%YAML 1.2\n---\n",
            "--- |\n  \u{feff}x\n",
            "a: |0\n x\n",
            "a: >9\n x\n",
            "\"\\x\"",
            "'",
            "a: [b, {c: d, [e]: f}]\n? [x]\n: y\n",
            "\r\r\r\n\n\r",
            "key: \u{feff}value\n",
            "a: &x\nb: *x\n",
            "a: !!int not-a-number\n",
        ];
        for text in samples {
            let _ = load(text, true);
            let _ = workflow::parse_workflow(text);
            let _ = workflow::parse_action(text);
            let _ = compose::parse_compose(text);
        }
        // Pseudo-random bytes from YAML's alphabet.
        let alphabet: Vec<char> = "ab:-[]{}&*!|>'\"#?,\n\t é\r%@`~=<".chars().collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let len = (seed % 60) as usize;
            let mut s = String::new();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let parsed = parse_file(FileKind::Compose, &s);
            for d in &parsed.diagnostics {
                assert!(d.span.end <= s.len() && s.is_char_boundary(d.span.start));
            }
            for a in &parsed.assignments {
                assert!(s.get(a.name_span.clone()).is_some());
                assert!(s.get(a.value_span.clone()).is_some());
            }
            let _ = parse_file(FileKind::Workflow, &s);
        }
    }

    #[test]
    fn parse_file_reports_one_diagnostic() {
        let parsed = parse_file(FileKind::Workflow, "env:\n  A: 1\n  A: 2\n");
        assert!(parsed.assignments.is_empty());
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].span, 14..15);
        let parsed = parse_file(
            FileKind::Compose,
            "services:\n  a:\n    environment:\n      K: v\n",
        );
        assert_eq!(parsed.assignments.len(), 1);
        assert!(parsed.diagnostics.is_empty());
        let parsed = parse_file(FileKind::ActionMetadata, "runs:\n  env:\n    K: v\n");
        assert_eq!(parsed.assignments.len(), 1);
    }

    #[test]
    fn char_to_byte_table() {
        let text = "aé€😀b".repeat(100);
        let table = CharToByte::new(&text);
        for (char_index, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(table.byte(char_index), byte);
        }
        assert_eq!(table.byte(text.chars().count()), text.len());
        assert_eq!(table.byte(usize::MAX), text.len());
        let ascii = CharToByte::new("abc");
        assert_eq!(ascii.byte(2), 2);
        assert_eq!(ascii.byte(99), 3);
    }
}
