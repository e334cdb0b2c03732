//! Documents: the text of a YAML or JSON file → a small tree of located nodes.
//!
//! Takes a file's text; gives its documents (a YAML stream may hold many) as [`Node`]s that keep
//! the line of every key and value and the application tags YAML writes (`!Ref Bucket`), and an
//! error when the text stops being readable part way. Kubernetes and CloudFormation both read
//! from this tree, so neither knows which parser produced it.
//!
//! YAML is read from `saphyr-parser`'s event stream rather than through `saphyr`'s document
//! loader, for three reasons: the loader gives a tagged scalar's inner node a 0:0 span (CRATES.md)
//! where the event has the real one; anchors and aliases are expanded here against our own node
//! budget, so an alias bomb (a few lines that expand to billions of nodes) stops at
//! the run's node limit ([`Limits::max_yaml_nodes`]) with a readable reason; and nesting is
//! refused past the run's depth limit before anything recursive walks the tree. JSON is read with `jsonc-parser` in strict mode (the Terraform
//! reader's settings), which is several times faster than reading it as YAML and has no tab
//! quirks.
//!
//! Plain scalars are resolved as Kubernetes' YAML library (YAML 1.1) resolves them: `yes`/`no`
//! and `on`/`off` are booleans, as well as `true`/`false`, so `privileged: yes` is read as the
//! cluster would read it.

use crate::formats::terraform;
use crate::limits::Limits;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

// Nesting deeper than the run's limit is refused (a problem): everything that walks the tree
// recurses. The node limit, alias expansions included, bounds memory and time on an alias bomb.

/// The most documents one YAML stream may hold (a constant: each document is a unit's resource
/// list, and the node limit already bounds the work).
pub const MAX_DOCUMENTS: usize = 10_000;

/// A node and the 1-based line where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: u32,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// As written: `0`, `8080`, `1.5`.
    Number(String),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in document order, each with the line of its key. A repeated key keeps its last
    /// value (as Kubernetes' and CloudFormation's readers do), see [`Node::get`].
    Map(Vec<(String, u32, Node)>),
    /// An application tag and the node it tags: `!Ref Bucket` is `Tagged("!Ref", Str("Bucket"))`.
    Tagged(String, Box<Node>),
}

impl Node {
    fn new(line: usize, kind: Kind) -> Node {
        Node {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            kind,
        }
    }

    /// The value of `key` in a map (the last one written when repeated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _, _)| k == key)
                .map(|e| &e.2),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A map's entries, or none.
    pub fn entries(&self) -> &[(String, u32, Node)] {
        match &self.kind {
            Kind::Map(e) => e,
            _ => &[],
        }
    }

    /// Nodes in this subtree, counted up to `cap`.
    fn size(&self, cap: usize) -> usize {
        let mut n = 0usize;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            n += 1;
            if n > cap {
                break;
            }
            match &node.kind {
                Kind::Seq(items) => stack.extend(items.iter()),
                Kind::Map(entries) => stack.extend(entries.iter().map(|e| &e.2)),
                Kind::Tagged(_, inner) => stack.push(inner),
                _ => {}
            }
        }
        n
    }

    /// Levels of nesting below this node (0 for a scalar).
    fn height(&self) -> usize {
        let mut max = 0usize;
        let mut stack = vec![(self, 0usize)];
        while let Some((node, d)) = stack.pop() {
            max = max.max(d);
            match &node.kind {
                Kind::Seq(items) => stack.extend(items.iter().map(|c| (c, d + 1))),
                Kind::Map(entries) => stack.extend(entries.iter().map(|e| (&e.2, d + 1))),
                Kind::Tagged(_, inner) => stack.push((inner, d + 1)),
                _ => {}
            }
        }
        max
    }
}

/// The documents of a file, and why reading stopped early when it did.
#[derive(Debug, Default)]
pub struct Docs {
    pub docs: Vec<Node>,
    /// Set when the text could not be read to its end; `docs` holds the documents completed before.
    pub error: Option<String>,
}

enum Frame {
    Seq {
        line: usize,
        anchor: usize,
        tag: Option<String>,
        items: Vec<Node>,
    },
    Map {
        line: usize,
        anchor: usize,
        tag: Option<String>,
        entries: Vec<(String, u32, Node)>,
        key: Option<(String, u32)>,
    },
}

/// Reads a YAML stream under the default limits.
pub fn parse_yaml(text: &str) -> Docs {
    parse_yaml_with(text, &Limits::default())
}

/// How many lines [`parse_yaml_with`] re-indents before it gives up and reports the first error.
/// Each repair re-reads the file, so this bounds the work at this many reads.
const MAX_INDENT_REPAIRS: usize = 64;

/// Reads a YAML stream. Never panics; stops at the first error or limit, keeping the documents
/// completed before it.
///
/// The AWS CLI and CloudFormation read templates with a YAML 1.1 library (PyYAML) that accepts
/// two spellings the YAML spec and `saphyr-parser` refuse: continuation lines of a multi-line
/// quoted scalar, and the closing bracket or items of a flow collection, indented no deeper than
/// the key that holds them. Real templates use both (awslabs/aws-cloudformation-templates). When
/// the parser stops at such a line, the line is indented one space deeper than the line before it
/// and the text is read again. Leading spaces inside a quoted scalar's continuation line and
/// inside a flow collection carry no meaning, so the values are those PyYAML reads, and lines are
/// unchanged, so every location stays true.
pub fn parse_yaml_with(text: &str, limits: &Limits) -> Docs {
    let first = parse_once(text, limits);
    let Some(line) = first.1 else {
        return first.0;
    };
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut at = line;
    for _ in 0..MAX_INDENT_REPAIRS {
        if !reindent(&mut lines, at) {
            break;
        }
        let again = parse_once(&lines.join("\n"), limits);
        match again.1 {
            None => return again.0,
            Some(next) => at = next,
        }
    }
    first.0
}

/// Where the parser stopped on an indentation error: at the start of a quoted scalar (its
/// marker is where the scalar began, not the line that is too shallow), or at a line of a flow
/// collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shallow {
    Quoted(usize),
    Flow(usize),
}

fn indent_of(s: &str) -> usize {
    s.len() - s.trim_start_matches(' ').len()
}

/// Indents the too-shallow line one space deeper than the line before it. For a quoted scalar
/// starting on line `n`, that is the first later line no deeper than line `n`; for a flow
/// collection, the line itself, when it closes the collection or ends with a comma. A line that
/// starts with a tab, or one that is a block sequence item, is never moved: that would change
/// the structure, not the spelling.
fn reindent(lines: &mut [String], at: Shallow) -> bool {
    let i = match at {
        Shallow::Quoted(n) => {
            let Some(start) = n.checked_sub(1).filter(|&s| s < lines.len()) else {
                return false;
            };
            let base = indent_of(&lines[start]);
            let Some(i) = (start + 1..lines.len())
                .find(|&j| !lines[j].trim().is_empty() && indent_of(&lines[j]) <= base)
            else {
                return false;
            };
            i
        }
        Shallow::Flow(n) => {
            let Some(i) = n.checked_sub(1).filter(|&i| i < lines.len()) else {
                return false;
            };
            let body = lines[i].trim();
            if !(body.starts_with(']') || body.starts_with('}') || body.ends_with(',')) {
                return false;
            }
            i
        }
    };
    let body = lines[i].trim_start_matches(' ');
    if i == 0 || body.is_empty() || body.starts_with('\t') || body.starts_with("- ") || body == "-"
    {
        return false;
    }
    let Some(prev) = lines[..i].iter().rev().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    let pad = indent_of(prev).max(indent_of(&lines[i])) + 1 - indent_of(&lines[i]);
    lines[i].insert_str(0, &" ".repeat(pad));
    true
}

/// One reading of the stream; with where it stopped on an indentation error the lenient reading
/// may repair.
fn parse_once(text: &str, limits: &Limits) -> (Docs, Option<Shallow>) {
    let mut repairable = None;
    let mut b = Builder {
        limits: *limits,
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((ev, span)) => {
                if let Err(reason) = b.event(ev, span) {
                    b.out.error = Some(reason);
                    break;
                }
            }
            // saphyr-parser counts flow nesting (`[`, `{`) in a u8 and stops at 255 with this
            // message, before our own depth check sees the events: say what it means.
            Err(e) if e.info() == "recursion limit exceeded" => {
                b.out.error = Some(format!(
                    "nested deeper than the YAML parser's fixed limit of 255 flow levels ([ and {{) \
                     at line {}: not read",
                    e.marker().line()
                ));
                break;
            }
            Err(e) => {
                if e.info() == "invalid indentation in quoted scalar" {
                    repairable = Some(Shallow::Quoted(e.marker().line()));
                } else if e.info().starts_with("invalid indentation") {
                    repairable = Some(Shallow::Flow(e.marker().line()));
                }
                b.out.error = Some(format!("invalid YAML: {e}"));
                break;
            }
        }
    }
    (b.out, repairable)
}

#[derive(Default)]
struct Builder {
    out: Docs,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    limits: Limits,
}

impl Builder {
    fn event(&mut self, ev: Event<'_>, span: Span) -> Result<(), String> {
        let line = span.start.line();
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| tag_name(&t.handle, &t.suffix));
                let node = scalar(&value, style, tag.as_deref(), line);
                self.count(1)?;
                let node = wrap(node, tag, line);
                self.complete(node, anchor)
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| format!("line {line}: alias to an unknown anchor"))?;
                let left = self.limits.max_yaml_nodes.saturating_sub(self.nodes);
                self.count(node.size(left))?;
                if self.stack.len() + node.height() > self.limits.max_depth {
                    return Err(format!(
                        "line {line}: alias expands {}",
                        self.limits.too_deep()
                    ));
                }
                self.complete(Node::new(line, node.kind), 0)
            }
            Event::SequenceStart(anchor, tag) => {
                self.open()?;
                self.stack.push(Frame::Seq {
                    line,
                    anchor,
                    tag: tag.map(|t| tag_name(&t.handle, &t.suffix)),
                    items: Vec::new(),
                });
                Ok(())
            }
            Event::MappingStart(anchor, tag) => {
                self.open()?;
                self.stack.push(Frame::Map {
                    line,
                    anchor,
                    tag: tag.map(|t| tag_name(&t.handle, &t.suffix)),
                    entries: Vec::new(),
                    key: None,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        line,
                        anchor,
                        tag,
                        items,
                    }) => (wrap(Node::new(line, Kind::Seq(items)), tag, line), anchor),
                    Some(Frame::Map {
                        line,
                        anchor,
                        tag,
                        entries,
                        ..
                    }) => (wrap(Node::new(line, Kind::Map(entries)), tag, line), anchor),
                    None => return Err(format!("line {line}: unbalanced collection")),
                };
                self.complete(node, anchor)
            }
            Event::DocumentStart(_) => {
                self.anchors.clear();
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        }
    }

    fn count(&mut self, n: usize) -> Result<(), String> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_yaml_nodes {
            return Err(self.limits.too_many_nodes());
        }
        Ok(())
    }

    fn open(&mut self) -> Result<(), String> {
        self.count(1)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.limits.too_deep());
        }
        Ok(())
    }

    /// A node is finished: store it under its anchor and hand it to its parent.
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), String> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.out.docs.len() >= MAX_DOCUMENTS {
                    return Err(format!("more than {MAX_DOCUMENTS} documents: not read"));
                }
                self.out.docs.push(node);
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let k = match &node.kind {
                        Kind::Str(s) | Kind::Number(s) => s.clone(),
                        Kind::Bool(b) => b.to_string(),
                        Kind::Null => String::new(),
                        Kind::Tagged(_, inner) => inner.as_str().unwrap_or("?").to_string(),
                        _ => "?".to_string(),
                    };
                    *key = Some((k, node.line));
                }
                Some((k, kline)) if k == "<<" => merge(entries, node, kline),
                Some((k, kline)) => entries.push((k, kline, node)),
            },
        }
        Ok(())
    }
}

/// A merge key (`<<: *defaults`): the merged map's entries come in where not written explicitly.
fn merge(entries: &mut Vec<(String, u32, Node)>, node: Node, kline: u32) {
    let sources = match node.kind {
        Kind::Map(e) => vec![e],
        Kind::Seq(items) => items
            .into_iter()
            .filter_map(|n| match n.kind {
                Kind::Map(e) => Some(e),
                _ => None,
            })
            .collect(),
        other => {
            entries.push((
                "<<".into(),
                kline,
                Node {
                    kind: other,
                    ..node
                },
            ));
            return;
        }
    };
    for src in sources {
        for (k, l, v) in src {
            if !entries.iter().any(|(e, _, _)| *e == k) {
                entries.push((k, l, v));
            }
        }
    }
}

fn tag_name(handle: &str, suffix: &str) -> String {
    if handle == "!" {
        format!("!{suffix}")
    } else if handle == "tag:yaml.org,2002:" || handle == "!!" {
        format!("!!{suffix}")
    } else {
        format!("{handle}{suffix}")
    }
}

/// Wraps a node in its application tag; core-schema tags (`!!str`, `!!map`) are not kept.
fn wrap(node: Node, tag: Option<String>, line: usize) -> Node {
    match tag {
        Some(t) if !t.starts_with("!!") => Node::new(line, Kind::Tagged(t, Box::new(node))),
        _ => node,
    }
}

fn scalar(value: &str, style: ScalarStyle, tag: Option<&str>, line: usize) -> Node {
    let kind = match tag {
        Some("!!str") => Kind::Str(value.to_string()),
        Some("!!int") | Some("!!float") => Kind::Number(value.trim().to_string()),
        Some("!!bool") => resolve_plain(value),
        Some("!!null") => Kind::Null,
        _ if style != ScalarStyle::Plain => Kind::Str(value.to_string()),
        // An application tag on a plain scalar (`!Ref Bucket`): the text as written.
        Some(_) => Kind::Str(value.to_string()),
        None => resolve_plain(value),
    };
    Node::new(line, kind)
}

/// YAML 1.1 resolution of a plain scalar, as Kubernetes' reader does it.
fn resolve_plain(s: &str) -> Kind {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Kind::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Kind::Bool(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            Kind::Bool(false)
        }
        _ if is_number(s) => Kind::Number(s.to_string()),
        _ => Kind::Str(s.to_string()),
    }
}

fn is_number(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let Some(first) = body.chars().next() else {
        return false;
    };
    if let Some(hex) = body.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    (first.is_ascii_digit() || (first == '.' && body.len() > 1)) && body.parse::<f64>().is_ok()
}

/// Reads a JSON file under the default limits.
pub fn parse_json(text: &str) -> Docs {
    parse_json_with(text, &Limits::default())
}

/// Reads a JSON file (strict JSON) as one document.
pub fn parse_json_with(text: &str, limits: &Limits) -> Docs {
    if let Err(reason) = terraform::check_text(text.as_bytes(), limits) {
        return Docs {
            docs: Vec::new(),
            error: Some(reason),
        };
    }
    match terraform::parse_json(text) {
        Ok(v) => {
            let lines = LineIndex::new(text);
            let mut nodes = 0usize;
            match json_node(&v, &lines, 0, &mut nodes, limits) {
                Ok(n) => Docs {
                    docs: vec![n],
                    error: None,
                },
                Err(e) => Docs {
                    docs: Vec::new(),
                    error: Some(e),
                },
            }
        }
        Err(e) => Docs {
            docs: Vec::new(),
            error: Some(e),
        },
    }
}

fn json_node(
    v: &jsonc_parser::ast::Value<'_>,
    lines: &LineIndex,
    depth: usize,
    nodes: &mut usize,
    limits: &Limits,
) -> Result<Node, String> {
    use jsonc_parser::ast::Value as J;
    use jsonc_parser::common::Ranged;
    *nodes += 1;
    if *nodes > limits.max_yaml_nodes {
        return Err(limits.too_many_nodes());
    }
    if depth > limits.max_depth {
        return Err(limits.too_deep());
    }
    let line = lines.line(v.start());
    let kind = match v {
        J::NullKeyword(_) => Kind::Null,
        J::BooleanLit(b) => Kind::Bool(b.value),
        J::NumberLit(n) => Kind::Number(n.value.to_string()),
        J::StringLit(s) => Kind::Str(s.value.to_string()),
        J::Array(a) => Kind::Seq(
            a.elements
                .iter()
                .map(|e| json_node(e, lines, depth + 1, nodes, limits))
                .collect::<Result<_, _>>()?,
        ),
        J::Object(o) => Kind::Map(
            o.properties
                .iter()
                .map(|p| {
                    Ok((
                        p.name.as_str().to_string(),
                        u32::try_from(lines.line(p.name.start())).unwrap_or(u32::MAX),
                        json_node(&p.value, lines, depth + 1, nodes, limits)?,
                    ))
                })
                .collect::<Result<_, String>>()?,
        ),
    };
    Ok(Node::new(line, kind))
}

/// Byte offset → 1-based line, by binary search over the line starts.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_indented_continuations_are_read_as_the_aws_cli_reads_them() {
        // A quoted scalar whose second line is no deeper than its key, and a flow sequence whose
        // closing bracket sits at the key's column: PyYAML reads both, saphyr refuses them.
        let quoted = "Outputs:\n  W:\n    Value: 'Log in to the web: select\n    your instance, click \"actions\".'\n    Description: x\n";
        let d = parse_yaml(quoted);
        assert!(d.error.is_none(), "{:?}", d.error);
        let v = d.docs[0]
            .get("Outputs")
            .and_then(|o| o.get("W"))
            .expect("W");
        assert_eq!(
            v.get("Value").and_then(Node::as_str),
            Some("Log in to the web: select your instance, click \"actions\".")
        );
        assert_eq!(v.get("Description").map(|n| n.line), Some(5));
        let flow =
            "C:\n  S:\n    k: [\n        \"aws:kms\",\n        \"AES256\"\n    ]\n    next: 1\n";
        let d = parse_yaml(flow);
        assert!(d.error.is_none(), "{:?}", d.error);
        let s = d.docs[0].get("C").and_then(|c| c.get("S")).expect("S");
        assert_eq!(
            s.get("k").map(|k| k.kind.clone()),
            Some(Kind::Seq(vec![
                Node::new(4, Kind::Str("aws:kms".into())),
                Node::new(5, Kind::Str("AES256".into())),
            ]))
        );
        assert_eq!(s.get("next").map(|n| n.line), Some(7));
        // A key at the wrong column is still an error: structure is never guessed.
        let d = parse_yaml("a:\n  b: 1\n c: 2\n");
        assert!(d.error.is_some());
    }

    #[test]
    fn multi_document_yaml_keeps_lines_and_tags() {
        let d = parse_yaml("a: 1\nb:\n  c: !Ref X\n---\nkind: Pod\nprivileged: yes\n");
        assert!(d.error.is_none(), "{:?}", d.error);
        assert_eq!(d.docs.len(), 2);
        let b = d.docs[0].get("b").expect("b");
        let c = b.get("c").expect("c");
        assert_eq!(c.line, 3);
        match &c.kind {
            Kind::Tagged(t, inner) => {
                assert_eq!(t, "!Ref");
                assert_eq!(inner.as_str(), Some("X"));
            }
            other => panic!("not tagged: {other:?}"),
        }
        assert_eq!(
            d.docs[1].get("privileged").map(|n| &n.kind),
            Some(&Kind::Bool(true))
        );
        assert_eq!(d.docs[1].entries()[1].1, 6);
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let d = parse_yaml("a: \"true\"\nb: '0'\nc: 0\n");
        let n = &d.docs[0];
        assert_eq!(n.get("a").map(|n| &n.kind), Some(&Kind::Str("true".into())));
        assert_eq!(n.get("b").map(|n| &n.kind), Some(&Kind::Str("0".into())));
        assert_eq!(n.get("c").map(|n| &n.kind), Some(&Kind::Number("0".into())));
    }

    #[test]
    fn alias_bomb_is_refused_not_expanded() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let d = parse_yaml(&s);
        assert!(
            d.error.as_deref().is_some_and(|e| e.contains("nodes")),
            "{:?}",
            d.error
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        // saphyr-parser's own flow limit (255) comes first, and is said in words.
        let e = parse_yaml(&deep).error.expect("refused");
        assert!(e.contains("fixed limit of 255 flow levels"), "{e}");
        // Our limit, and its option, for block nesting under the parser's.
        let e = parse_yaml(&format!("{}1{}", "[".repeat(200), "]".repeat(200)))
            .error
            .expect("refused");
        assert!(e.contains("128 levels") && e.contains("--max-depth"), "{e}");
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(parse_yaml(&block).error.is_some());
        assert!(parse_json(&deep).error.is_some());
    }

    #[test]
    fn merge_keys_and_aliases() {
        let d = parse_yaml("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = d.docs[0].get("m").expect("m");
        assert_eq!(m.get("x").map(|n| &n.kind), Some(&Kind::Number("1".into())));
        assert_eq!(m.get("y").map(|n| &n.kind), Some(&Kind::Number("3".into())));
    }

    #[test]
    fn json_lines() {
        let d = parse_json("{\n  \"a\": {\n    \"b\": true\n  }\n}\n");
        let a = d.docs[0].get("a").expect("a");
        assert_eq!(a.get("b").map(|n| n.line), Some(3));
        assert_eq!(d.docs[0].entries()[0].1, 2);
    }

    #[test]
    fn errors_keep_completed_documents() {
        let d = parse_yaml("a: 1\n---\nb: [\n");
        assert_eq!(d.docs.len(), 1);
        assert!(d.error.is_some());
    }
}
