//! Reading a document: JSON when it starts with `{` (as Heat decides), YAML
//! otherwise, with PyYAML's YAML 1.1 scalar rules and CloudFormation's
//! short-form tags.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use super::node::{Map, Node, Number, Value};
use super::scalars::{core_tag, resolve_plain};

/// How a document was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (the text starts with `{`).
    Json,
    /// YAML.
    Yaml,
}

impl Format {
    /// `"json"` or `"yaml"`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }
}

/// Bounds that keep a hostile document from exhausting memory or the stack.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most values a document may hold once YAML aliases are expanded.
    pub max_nodes: usize,
    /// Most values YAML aliases may add (counted before any is copied: an
    /// alias bomb is refused early and cheaply).
    pub max_alias_values: usize,
    /// Deepest nesting of lists and maps.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: 2_000_000,
            max_alias_values: 100_000,
            max_depth: 200,
        }
    }
}

/// A document that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// The line (1-based), 0 when unknown.
    pub line: u32,
    /// The column (1-based), 0 when unknown.
    pub column: u32,
}

impl SyntaxError {
    pub(super) fn at(message: impl Into<String>, span: &Span) -> Self {
        SyntaxError {
            message: message.into(),
            line: span.start.line() as u32,
            column: span.start.col() as u32 + 1,
        }
    }
}

/// Reads a template or environment document. `None` is an empty YAML
/// document (Heat reads it as `{}`).
pub fn parse_document(text: &str, limits: Limits) -> Result<(Format, Option<Node>), SyntaxError> {
    let stripped = text.trim_matches(|c: char| c.is_whitespace());
    if stripped.starts_with('{') {
        // Python's json decides what is valid JSON; serde_json agrees on every
        // document Heat can load. Lines come from the YAML reader, which reads
        // JSON too; in the rare case it cannot, values simply have no line.
        // Heat tries JSON first and falls back to YAML (which accepts, for
        // example, trailing commas).
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(stripped) {
            let node = Builder::new(text, limits, true)
                .run()
                .ok()
                .flatten()
                .unwrap_or_else(|| Node::from_json(&json));
            check_depth(&node, limits.max_depth)?;
            return Ok((Format::Json, Some(node)));
        }
    }
    // PyYAML takes a quoted scalar's continuation lines at any
    // indentation; the YAML reader wants them indented. Indenting them
    // changes nothing (the lines are folded, their leading spaces dropped),
    // and keeps every line where it was.
    let mut text = std::borrow::Cow::Borrowed(text);
    for _ in 0..64 {
        match Builder::new(&text, limits, false).run() {
            Err(e) if e.message.contains("invalid indentation in quoted scalar") => {
                match indent_quoted(&text, e.line) {
                    Some(fixed) => text = std::borrow::Cow::Owned(fixed),
                    None => return Err(e),
                }
            }
            other => return other.map(|node| (Format::Yaml, node)),
        }
    }
    Builder::new(&text, limits, false)
        .run()
        .map(|node| (Format::Yaml, node))
}

/// The text with the continuation lines of the quoted scalar that opens
/// on `line` (1-based) indented past that line; `None` when there is none.
fn indent_quoted(text: &str, line: u32) -> Option<String> {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let start = (line as usize).checked_sub(1)?;
    let first = lines.get(start)?;
    // The quote left open at the end of the first line.
    let mut open: Option<char> = None;
    let mut chars = first.chars().peekable();
    while let Some(c) = chars.next() {
        match (open, c) {
            (None, '#') => break,
            (None, '"') | (None, '\'') => open = Some(c),
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some('\''), '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
            }
            (Some(q), c) if c == q => open = None,
            _ => {}
        }
    }
    let quote = open?;
    let base = first.len() - first.trim_start().len();
    let pad = " ".repeat(base + 2);
    let mut changed = false;
    for l in lines.iter_mut().skip(start + 1) {
        let indent = l.len() - l.trim_start().len();
        if !l.trim().is_empty() && indent <= base {
            *l = format!("{pad}{}", l.trim_start());
            changed = true;
        }
        // Where the scalar closes.
        let mut escaped = false;
        let mut closes = false;
        let mut it = l.chars().peekable();
        while let Some(c) = it.next() {
            if quote == '"' {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    closes = true;
                    break;
                }
            } else if c == '\'' {
                if it.peek() == Some(&'\'') {
                    it.next();
                } else {
                    closes = true;
                    break;
                }
            }
        }
        if closes {
            break;
        }
    }
    changed.then(|| lines.join("\n"))
}

fn check_depth(node: &Node, max: usize) -> Result<(), SyntaxError> {
    fn depth(node: &Node, level: usize, max: usize) -> bool {
        if level > max {
            return false;
        }
        match &node.value {
            Value::List(l) => l.iter().all(|n| depth(n, level + 1, max)),
            Value::Map(m) => m.iter().all(|(_, n)| depth(n, level + 1, max)),
            _ => true,
        }
    }
    if depth(node, 0, max) {
        Ok(())
    } else {
        Err(SyntaxError {
            message: format!("the document nests deeper than {max} levels"),
            line: 0,
            column: 0,
        })
    }
}

/// A collection being built.
enum Frame {
    List {
        anchor: usize,
        line: u32,
        tag: Option<String>,
        items: Vec<Node>,
    },
    Map {
        anchor: usize,
        line: u32,
        tag: Option<String>,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

struct Builder<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    limits: Limits,
    json: bool,
    nodes: usize,
    aliased: usize,
    anchors: HashMap<usize, (Node, usize)>,
    stack: Vec<Frame>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, limits: Limits, json: bool) -> Self {
        Builder {
            parser: Parser::new_from_str(text),
            limits,
            json,
            nodes: 0,
            aliased: 0,
            anchors: HashMap::new(),
            stack: Vec::new(),
        }
    }

    fn count(&mut self, n: usize, span: &Span) -> Result<(), SyntaxError> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(SyntaxError::at(
                format!(
                    "the document expands to more than {} values (YAML aliases nested too deeply?)",
                    self.limits.max_nodes
                ),
                span,
            ));
        }
        Ok(())
    }

    fn run(mut self) -> Result<Option<Node>, SyntaxError> {
        let mut root: Option<Node> = None;
        let mut documents = 0;
        while let Some(next) = self.parser.next_event() {
            let (event, span) = next.map_err(|e| SyntaxError {
                message: if e.info().contains("recursion limit") {
                    format!(
                        "the document nests deeper than {} levels",
                        self.limits.max_depth
                    )
                } else {
                    e.info().to_string()
                },
                line: e.marker().line() as u32,
                column: e.marker().col() as u32 + 1,
            })?;
            let line = span.start.line() as u32;
            let done = match event {
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => None,
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(SyntaxError::at(
                            "expected a single document in the stream but found another document",
                            &span,
                        ));
                    }
                    None
                }
                Event::Alias(id) => {
                    let Some(size) = self.anchors.get(&id).map(|(_, size)| *size) else {
                        return Err(SyntaxError::at("found undefined alias", &span));
                    };
                    // Counted before anything is copied.
                    self.aliased += size;
                    if self.aliased > self.limits.max_alias_values {
                        return Err(SyntaxError::at(
                            format!(
                                "YAML aliases expand to more than {} values (an alias bomb?)",
                                self.limits.max_alias_values
                            ),
                            &span,
                        ));
                    }
                    self.count(size, &span)?;
                    let node = self.anchors[&id].0.clone();
                    Some((node, 0usize, size))
                }
                Event::Scalar(text, style, anchor, tag) => {
                    self.count(1, &span)?;
                    let node = self.scalar(&text, style, tag.as_deref(), line, &span)?;
                    Some((node, anchor, 1))
                }
                Event::SequenceStart(anchor, tag) => {
                    self.open(&span)?;
                    self.stack.push(Frame::List {
                        anchor,
                        line,
                        tag: short_tag(tag.as_deref(), &span)?,
                        items: Vec::new(),
                    });
                    None
                }
                Event::MappingStart(anchor, tag) => {
                    self.open(&span)?;
                    self.stack.push(Frame::Map {
                        anchor,
                        line,
                        tag: short_tag(tag.as_deref(), &span)?,
                        entries: Vec::new(),
                        key: None,
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let frame = self.stack.pop().expect("parser balances collections");
                    let (node, anchor) = self.close(frame, &span)?;
                    let size = node_size(&node);
                    Some((node, anchor, size))
                }
            };
            if let Some((node, anchor, size)) = done {
                if anchor != 0 {
                    self.anchors.insert(anchor, (node.clone(), size));
                }
                match self.stack.last_mut() {
                    None => root = Some(node),
                    Some(Frame::List { items, .. }) => items.push(node),
                    Some(Frame::Map { entries, key, .. }) => match key.take() {
                        None => *key = Some(node),
                        Some(k) => entries.push((k, node)),
                    },
                }
            }
        }
        Ok(root)
    }

    fn open(&mut self, span: &Span) -> Result<(), SyntaxError> {
        self.count(1, span)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(SyntaxError::at(
                format!(
                    "the document nests deeper than {} levels",
                    self.limits.max_depth
                ),
                span,
            ));
        }
        Ok(())
    }

    fn close(&mut self, frame: Frame, span: &Span) -> Result<(Node, usize), SyntaxError> {
        match frame {
            Frame::List {
                anchor,
                line,
                tag,
                items,
            } => {
                let node = Node::at(Value::List(items), line);
                Ok((apply_short_tag(tag, node, span)?, anchor))
            }
            Frame::Map {
                anchor,
                line,
                tag,
                entries,
                ..
            } => {
                let mut map = Map::new();
                // PyYAML's merge keys: merged entries first, own keys win.
                let (merges, own): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| {
                    !self.json && k.as_str() == Some("<<") && k.line != u32::MAX
                });
                for (_, merged) in merges {
                    let sources: Vec<Node> = match merged.value {
                        Value::Map(_) => vec![merged],
                        Value::List(l) => l.into_iter().rev().collect(),
                        _ => {
                            return Err(SyntaxError::at(
                                "while constructing a mapping: expected a mapping or list of mappings for merging",
                                span,
                            ))
                        }
                    };
                    for source in sources {
                        let Value::Map(m) = source.value else {
                            return Err(SyntaxError::at(
                                "while constructing a mapping: expected a mapping for merging",
                                span,
                            ));
                        };
                        for (k, v) in m.entries_owned() {
                            map.insert(k, v);
                        }
                    }
                }
                for (k, v) in own {
                    map.insert(key_text(&k, span)?, v);
                }
                let node = Node::at(Value::Map(map), line);
                Ok((apply_short_tag(tag, node, span)?, anchor))
            }
        }
    }

    fn scalar(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        line: u32,
        span: &Span,
    ) -> Result<Node, SyntaxError> {
        let plain = style == ScalarStyle::Plain;
        let value = match tag {
            Some(t) if t.handle == "tag:yaml.org,2002:" || t.handle == "!!" => {
                core_tag(&t.suffix, text, span)?
            }
            Some(t) if t.handle == "!" && t.suffix.is_empty() => Value::String(text.to_string()),
            Some(_) => {
                let name = short_tag(tag, span)?.expect("a tag");
                let inner = Node::at(
                    if plain {
                        resolve_plain(text, self.json, span)?
                    } else {
                        Value::String(text.to_string())
                    },
                    line,
                );
                return apply_short_tag(Some(name), inner, span);
            }
            None if plain => resolve_plain(text, self.json, span)?,
            None => Value::String(text.to_string()),
        };
        Ok(Node::at(value, line))
    }
}

impl Map {
    fn entries_owned(self) -> impl Iterator<Item = (String, Node)> {
        let mut out = Vec::with_capacity(self.len());
        for (k, v) in self.iter() {
            out.push((k.clone(), v.clone()));
        }
        out.into_iter()
    }
}

fn node_size(node: &Node) -> usize {
    match &node.value {
        Value::List(l) => 1 + l.iter().map(node_size).sum::<usize>(),
        Value::Map(m) => 1 + m.iter().map(|(_, v)| 1 + node_size(v)).sum::<usize>(),
        _ => 1,
    }
}

/// A mapping key as the string Heat ends up with (Python keys become JSON
/// object keys).
fn key_text(key: &Node, span: &Span) -> Result<String, SyntaxError> {
    Ok(match &key.value {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(Number::Int(i)) => i.to_string(),
        Value::Number(Number::Float(f)) => format!("{f:?}"),
        Value::List(_) | Value::Map(_) => {
            return Err(SyntaxError::at(
                "while constructing a mapping: found unhashable key (a key must be a scalar, \
                 not a list or a map)",
                span,
            ))
        }
    })
}

/// The CloudFormation function a short-form tag stands for.
fn short_tag(tag: Option<&Tag>, span: &Span) -> Result<Option<String>, SyntaxError> {
    let Some(tag) = tag else { return Ok(None) };
    if tag.handle == "!" {
        let long = match tag.suffix.as_str() {
            "Ref" | "Condition" => tag.suffix.clone(),
            "GetAtt" | "Sub" | "Join" | "Select" | "Split" | "Base64" | "FindInMap" | "GetAZs"
            | "ImportValue" | "If" | "Equals" | "Not" | "And" | "Or" | "Cidr" | "Length"
            | "ToJsonString" | "Transform" | "ValueOf" | "Contains" | "EachMemberEquals"
            | "EachMemberIn" | "RefAll" | "ValueOfAll" => format!("Fn::{}", tag.suffix),
            _ => String::new(),
        };
        if !long.is_empty() {
            return Ok(Some(long));
        }
    }
    if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
        return match tag.suffix.as_str() {
            "map" | "seq" | "omap" => Ok(None),
            other => Err(SyntaxError::at(
                format!(
                    "could not determine a constructor for the tag 'tag:yaml.org,2002:{other}'"
                ),
                span,
            )),
        };
    }
    Err(SyntaxError::at(
        format!(
            "could not determine a constructor for the tag '{}{}'",
            tag.handle, tag.suffix
        ),
        span,
    ))
}

/// Rewrites `!Fn value` to `{"Fn::Fn": value}`; `!GetAtt a.b` becomes
/// `{"Fn::GetAtt": ["a", "b"]}` as CloudFormation defines it.
fn apply_short_tag(tag: Option<String>, node: Node, _span: &Span) -> Result<Node, SyntaxError> {
    let Some(name) = tag else { return Ok(node) };
    let line = node.line;
    let arg = match (&name[..], &node.value) {
        ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
            Some((res, attr)) => Node::at(
                Value::List(vec![
                    Node::at(Value::String(res.to_string()), line),
                    Node::at(Value::String(attr.to_string()), line),
                ]),
                line,
            ),
            None => node,
        },
        _ => node,
    };
    let mut map = Map::new();
    map.insert(name, arg);
    Ok(Node::at(Value::Map(map), line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> serde_json::Value {
        parse_document(text, Limits::default())
            .unwrap()
            .1
            .unwrap()
            .to_json()
    }

    #[test]
    fn yaml_1_1_scalars_resolve_as_pyyaml_does() {
        let v = yaml("a: yes\nb: off\nc: 2013-05-23\nd: 010\ne: 0x1f\nf: 1:20\ng: 1e3\nh: 1.5\ni: ~\nj: '1'\nk: 1_000\nl: .5\n");
        assert_eq!(
            v,
            serde_json::json!({"a": true, "b": false, "c": "2013-05-23", "d": 8, "e": 31, "f": 80,
                "g": "1e3", "h": 1.5, "i": null, "j": "1", "k": 1000, "l": 0.5})
        );
    }

    #[test]
    fn lines_are_kept() {
        let (_, node) = parse_document("a:\n  b:\n    - x\n    - y\n", Limits::default()).unwrap();
        let node = node.unwrap();
        let b = node
            .as_map()
            .unwrap()
            .get("a")
            .unwrap()
            .as_map()
            .unwrap()
            .get("b")
            .unwrap();
        assert_eq!(b.as_list().unwrap()[1].line, 4);
    }

    #[test]
    fn quoted_scalars_continue_at_any_indentation_as_in_pyyaml() {
        let v = yaml("a:\n  b: \"line one\n continued\nand more\"\n  c: 'x\ny'\nd: 1\n");
        assert_eq!(
            v,
            serde_json::json!({"a": {"b": "line one continued and more", "c": "x y"}, "d": 1})
        );
        // Lines stay where they were: a later error is still on its line.
        let e = parse_document("a: \"x\ny\"\nb: [1,\n", Limits::default()).unwrap_err();
        assert!(e.line >= 3, "{e}");
    }

    #[test]
    fn merge_keys_and_aliases() {
        let v = yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n");
        assert_eq!(v["other"], serde_json::json!({"x": 1, "y": 3}));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("a{}", i - 1)
            };
            doc.push_str(&format!("a{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let err = parse_document(&doc, Limits::default()).unwrap_err();
        assert!(err.message.contains("an alias bomb"), "{err}");
        // Refused where the aliases' expansion crosses the budget (10^5
        // values, on line 5), long before the document's end.
        assert_eq!(err.line, 5, "{err}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = "[".repeat(500) + &"]".repeat(500);
        let err = parse_document(&format!("a: {doc}"), Limits::default()).unwrap_err();
        assert!(err.message.contains("nests deeper"), "{err}");
    }

    #[test]
    fn short_form_tags_become_long_form() {
        let v = yaml("a: !Ref x\nb: !GetAtt r.attr\nc: !Join [',', [a, b]]\n");
        assert_eq!(
            v,
            serde_json::json!({"a": {"Ref": "x"}, "b": {"Fn::GetAtt": ["r", "attr"]},
                "c": {"Fn::Join": [",", ["a", "b"]]}})
        );
    }

    #[test]
    fn unknown_tags_are_errors_with_a_line() {
        let err = parse_document("a: 1\nb: !Nope x\n", Limits::default()).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("'!Nope'"), "{err}");
    }

    #[test]
    fn json_keeps_number_kinds_and_lines() {
        let (format, node) = parse_document(
            "{\n \"a\": 1,\n \"b\": 1.0,\n \"c\": [true, null]\n}",
            Limits::default(),
        )
        .unwrap();
        assert_eq!(format, Format::Json);
        let node = node.unwrap();
        assert_eq!(
            node.to_json(),
            serde_json::json!({"a": 1, "b": 1.0, "c": [true, null]})
        );
        assert_eq!(node.as_map().unwrap().get("c").unwrap().line, 4);
    }
}
