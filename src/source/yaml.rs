//! A YAML document tree that remembers where every value is.
//!
//! serde-based YAML loaders lose positions after parsing, but every validation error must name a
//! line and column, so the manifest and catalog readers walk this tree instead. Scalars stay
//! strings: the readers decide what a value means (`tier: 1`, `version: 1.10.0`), which also avoids
//! YAML 1.1 surprises such as `version: 1.10` turning into a float.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// 1-based line and column of a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    fn of(span: &Span) -> Pos {
        Pos {
            line: span.start.line() as u32,
            column: span.start.col() as u32 + 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    /// The text and whether it was a plain (unquoted) scalar.
    Scalar(String, bool),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

impl Node {
    /// The scalar's text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// Number of values in this subtree.
    fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|(k, v)| k.size() + v.size()).sum(),
            _ => 0,
        }
    }

    /// A short description of the value's shape for error messages.
    pub fn describe(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing",
            Value::Scalar(..) => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Malformed YAML: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Parse every document of a YAML stream.
pub fn parse(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| SyntaxError {
            pos: Pos {
                line: e.marker().line() as u32,
                column: e.marker().col() as u32 + 1,
            },
            message: e.info().to_owned(),
        })?;
        builder.event(event, Pos::of(&span))?;
    }
    Ok(builder.documents)
}

enum Open {
    Seq(Pos, usize, Vec<Node>),
    Map(Pos, usize, Vec<(Node, Node)>, Option<Node>),
}

/// Values that alias expansion may create in one stream.
const MAX_ALIAS_EXPANSION: usize = 1_000_000;

#[derive(Default)]
struct Builder {
    expanded: usize,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    documents: Vec<Node>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, pos: Pos) -> Result<(), SyntaxError> {
        match event {
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => {}
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| SyntaxError {
                    pos,
                    message: "alias to an unknown anchor".to_owned(),
                })?;
                // Aliases are copied; cap the copies so that a "billion laughs" document cannot
                // exhaust memory.
                self.expanded += node.size();
                if self.expanded > MAX_ALIAS_EXPANSION {
                    return Err(SyntaxError {
                        pos,
                        message: format!(
                            "aliases expand to more than {MAX_ALIAS_EXPANSION} values"
                        ),
                    });
                }
                self.push(Node { pos, ..node });
            }
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                let is_null_tag = tag.as_ref().is_some_and(|t| t.suffix == "null");
                let value = if is_null_tag || (plain && is_null(&text)) {
                    Value::Null
                } else {
                    Value::Scalar(Cow::into_owned(text), plain)
                };
                self.finish(Node { pos, value }, anchor);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq(pos, anchor, Vec::new())),
            Event::MappingStart(anchor, _) => {
                self.stack.push(Open::Map(pos, anchor, Vec::new(), None))
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Seq(pos, anchor, items)) => (
                        Node {
                            pos,
                            value: Value::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Open::Map(pos, anchor, entries, _)) => (
                        Node {
                            pos,
                            value: Value::Map(merge_keys(entries)),
                        },
                        anchor,
                    ),
                    None => {
                        return Err(SyntaxError {
                            pos,
                            message: "unbalanced collection".to_owned(),
                        });
                    }
                };
                self.finish(node, anchor);
            }
        }
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.push(node);
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Open::Seq(_, _, items)) => items.push(node),
            Some(Open::Map(_, _, entries, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
}

/// Apply YAML merge keys (`<<: *defaults`): entries of the merged mappings that the mapping does
/// not set itself. Real catalogs and compose files use them.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    if !entries.iter().any(|(k, _)| is_merge_key(k)) {
        return entries;
    }
    let (merges, mut own): (Vec<_>, Vec<_>) =
        entries.into_iter().partition(|(k, _)| is_merge_key(k));
    for (_, merged) in merges {
        let sources: Vec<Node> = match merged.value {
            Value::Seq(items) => items,
            _ => vec![merged],
        };
        for source in sources {
            if let Value::Map(inherited) = source.value {
                for (k, v) in inherited {
                    if !own.iter().any(|(ok, _)| ok.as_str() == k.as_str()) {
                        own.push((k, v));
                    }
                }
            }
        }
    }
    own
}

fn is_merge_key(node: &Node) -> bool {
    matches!(&node.value, Value::Scalar(s, true) if s == "<<")
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Parse a YAML 1.2 core-schema boolean.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let docs = parse("a:\n  b: [x, 'y']\n---\n- ~\n").unwrap();
        assert_eq!(docs.len(), 2);
        let b = docs[0].get("a").unwrap().get("b").unwrap();
        assert_eq!(b.pos, Pos { line: 2, column: 6 });
        let items = b.as_seq().unwrap();
        assert_eq!(items[1].value, Value::Scalar("y".into(), false));
        assert_eq!(
            items[1].pos,
            Pos {
                line: 2,
                column: 10
            }
        );
        assert!(docs[1].as_seq().unwrap()[0].is_null());
    }

    #[test]
    fn anchors_and_merge_keys_resolve() {
        let docs = parse("d: &d {owner: x, tier: '2'}\ns:\n  <<: *d\n  tier: '1'\n").unwrap();
        let s = docs[0].get("s").unwrap();
        assert_eq!(s.get("owner").unwrap().as_str(), Some("x"));
        assert_eq!(s.get("tier").unwrap().as_str(), Some("1"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("aliases expand"), "{err:?}");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(err.pos.line >= 1, "{err:?}");
        assert!(!err.message.is_empty());
    }
}
