//! A YAML document tree that remembers where every value is.
//!
//! serde-based YAML loaders lose positions after parsing, but every validation error must name a
//! line and column, so the manifest and catalog readers walk this tree instead. Scalars stay
//! strings: the readers decide what a value means (`tier: 1`, `version: 1.10.0`), which also avoids
//! YAML 1.1 surprises such as `version: 1.10` turning into a float.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

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

/// How deeply collections may nest: 256 levels. Real catalogs and specs nest a few dozen levels
/// at most; the limit keeps the tree shallow enough for every recursive reader above (and for
/// dropping the tree) to stay far from the end of the stack. Aliases count with the depth of the
/// value they copy. (Flow collections, `[...]` and `{...}`, stop one level earlier, at the
/// scanner's own limit of 255.)
pub const MAX_DEPTH: usize = 256;

/// The least alias expansion every stream is allowed: 16 MiB.
pub const MIN_ALIAS_BUDGET: usize = 16 * 1024 * 1024;

/// How many bytes alias expansion may produce for a text of `len` bytes: ten times the text, at
/// least [`MIN_ALIAS_BUDGET`]. A value counts its text plus [`VALUE_OVERHEAD`] bytes, and copies
/// made for anchors count too. This bounds the memory a "billion laughs" document can take by
/// what it produces, whether it repeats many small values or one long string.
pub fn alias_budget(len: usize) -> usize {
    len.saturating_mul(10).max(MIN_ALIAS_BUDGET)
}

/// What a value costs besides its text, in the alias budget.
pub const VALUE_OVERHEAD: usize = 8;

/// Parse every document of a YAML stream.
///
/// Fails with a position when the text is malformed, nests deeper than [`MAX_DEPTH`], or its
/// aliases expand past [`alias_budget`].
pub fn parse(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let mut builder = Builder {
        budget: alias_budget(text.len()),
        expanded: 0,
        stack: Vec::new(),
        anchors: HashMap::new(),
        documents: Vec::new(),
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| SyntaxError {
            pos: Pos {
                line: e.marker().line() as u32,
                column: e.marker().col() as u32 + 1,
            },
            // The scanner counts flow levels in a byte.
            message: match e.info() {
                "recursion limit exceeded" => {
                    "flow collections nest deeper than 255 levels".to_owned()
                }
                other => other.to_owned(),
            },
        })?;
        builder.event(event, Pos::of(&span))?;
    }
    Ok(builder.documents)
}

/// A collection being built, with the height and weight of what it holds so far.
struct Open {
    pos: Pos,
    anchor: usize,
    items: Items,
    /// Levels of nesting below this collection.
    height: usize,
    /// Bytes of the values it holds, as the alias budget counts them.
    weight: usize,
}

enum Items {
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>, Option<Node>),
}

/// An anchored value with its height and weight, so that an alias costs no walk of the tree.
struct Anchored {
    node: Node,
    height: usize,
    weight: usize,
}

struct Builder {
    budget: usize,
    expanded: usize,
    stack: Vec<Open>,
    anchors: HashMap<usize, Anchored>,
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
                let Some(anchored) = self.anchors.get(&id) else {
                    return Err(SyntaxError {
                        pos,
                        message: "alias to an unknown anchor".to_owned(),
                    });
                };
                let (height, weight) = (anchored.height, anchored.weight);
                if self.stack.len() + height > MAX_DEPTH {
                    return Err(too_deep(pos));
                }
                // Aliases are copied: count what the copies produce so that a "billion laughs"
                // document cannot exhaust memory.
                self.spend(weight, pos)?;
                let node = self.anchors[&id].node.clone();
                self.push(Node { pos, ..node }, height, weight);
            }
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                let is_null_tag = tag.as_ref().is_some_and(|t| t.suffix == "null");
                let weight = text.len() + VALUE_OVERHEAD;
                let value = if is_null_tag || (plain && is_null(&text)) {
                    Value::Null
                } else {
                    Value::Scalar(Cow::into_owned(text), plain)
                };
                self.finish(Node { pos, value }, anchor, 0, weight)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(too_deep(pos));
                }
                let items = if matches!(event, Event::SequenceStart(..)) {
                    Items::Seq(Vec::new())
                } else {
                    Items::Map(Vec::new(), None)
                };
                self.stack.push(Open {
                    pos,
                    anchor,
                    items,
                    height: 0,
                    weight: VALUE_OVERHEAD,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Err(SyntaxError {
                        pos,
                        message: "unbalanced collection".to_owned(),
                    });
                };
                let value = match open.items {
                    Items::Seq(items) => Value::Seq(items),
                    Items::Map(entries, _) => Value::Map(merge_keys(entries)),
                };
                let node = Node {
                    pos: open.pos,
                    value,
                };
                self.finish(node, open.anchor, open.height + 1, open.weight)?;
            }
        }
        Ok(())
    }

    /// Count `weight` bytes against the alias budget.
    fn spend(&mut self, weight: usize, pos: Pos) -> Result<(), SyntaxError> {
        self.expanded = self.expanded.saturating_add(weight);
        if self.expanded > self.budget {
            return Err(SyntaxError {
                pos,
                message: format!(
                    "aliases expand to more than {} bytes (the limit is ten times the file size, at least {} MiB)",
                    self.budget,
                    MIN_ALIAS_BUDGET / (1024 * 1024)
                ),
            });
        }
        Ok(())
    }

    fn finish(
        &mut self,
        node: Node,
        anchor: usize,
        height: usize,
        weight: usize,
    ) -> Result<(), SyntaxError> {
        if anchor != 0 {
            // The anchor keeps a copy: it costs as much as an alias does.
            self.spend(weight, node.pos)?;
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    height,
                    weight,
                },
            );
        }
        self.push(node, height, weight);
        Ok(())
    }

    fn push(&mut self, node: Node, height: usize, weight: usize) {
        let Some(open) = self.stack.last_mut() else {
            self.documents.push(node);
            return;
        };
        open.height = open.height.max(height);
        open.weight = open.weight.saturating_add(weight);
        match &mut open.items {
            Items::Seq(items) => items.push(node),
            Items::Map(entries, pending) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
}

fn too_deep(pos: Pos) -> SyntaxError {
    SyntaxError {
        pos,
        message: format!("collections nest deeper than {MAX_DEPTH} levels"),
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
    let mut set: HashSet<Option<String>> = own.iter().map(|(k, _)| key_of(k)).collect();
    for (_, merged) in merges {
        let sources: Vec<Node> = match merged.value {
            Value::Seq(items) => items,
            _ => vec![merged],
        };
        for source in sources {
            if let Value::Map(inherited) = source.value {
                for (k, v) in inherited {
                    // Keys already set (by the mapping or an earlier merge) win; an index keeps
                    // this linear for large mappings.
                    if set.insert(key_of(&k)) {
                        own.push((k, v));
                    }
                }
            }
        }
    }
    own
}

/// A key as the merge compares it: its text, or `None` for keys that are not scalars (which,
/// as before, all count as one key).
fn key_of(node: &Node) -> Option<String> {
    node.as_str().map(str::to_owned)
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
    fn long_strings_aliased_many_times_are_refused() {
        // Few aliases, many bytes: 8 KiB × 30 × 30 × 1,000.
        let mut text = format!("s: &s {}\n", "A".repeat(8192));
        text.push_str(&format!("l1: &l1 [{}]\n", ["*s"; 30].join(",")));
        text.push_str(&format!("l2: &l2 [{}]\n", ["*l1"; 30].join(",")));
        text.push_str(&format!("l3: [{}]\n", ["*l2"; 1000].join(",")));
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("aliases expand"), "{err:?}");
        assert_eq!(err.pos.line, 4, "{err:?}");
        // Within the budget, aliases are copied as before.
        let docs = parse("s: &s abc\nl: [*s, *s]\n").unwrap();
        assert_eq!(
            docs[0].get("l").unwrap().as_seq().unwrap()[1].as_str(),
            Some("abc")
        );
    }

    #[test]
    fn the_budget_grows_with_the_file() {
        assert_eq!(alias_budget(10), MIN_ALIAS_BUDGET);
        assert_eq!(alias_budget(10 * MIN_ALIAS_BUDGET), 100 * MIN_ALIAS_BUDGET);
    }

    #[test]
    fn deep_nesting_is_refused_with_a_position() {
        // Flow collections: the scanner stops at its 256th level.
        let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse(&deep).unwrap_err();
        assert!(err.message.contains("nest deeper than 255"), "{err:?}");
        assert_eq!(
            err.pos,
            Pos {
                line: 1,
                column: 3 + 256
            }
        );
        // Block collections: ripple stops at its 257th level.
        let deep = format!("{}x", "- ".repeat(100_000));
        let err = parse(&deep).unwrap_err();
        assert!(err.message.contains("nest deeper than 256"), "{err:?}");
        assert_eq!(
            err.pos,
            Pos {
                line: 1,
                column: 1 + 2 * 256
            }
        );
        // At the limit is fine.
        let ok = format!("{}x", "- ".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn aliases_count_with_the_depth_they_copy() {
        // Each anchor nests the previous one 200 levels deeper: the text stays shallow, the
        // tree would not.
        let open = "[".repeat(200);
        let close = "]".repeat(200);
        let text = format!("a: &a {open}x{close}\nb: &b {open}*a{close}\n");
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nest deeper"), "{err:?}");
        assert_eq!(err.pos.line, 2);
    }

    #[test]
    fn merge_keys_of_large_mappings_stay_linear() {
        let n = 50_000;
        let mut text = String::from("d: &d {");
        for i in 0..n {
            text.push_str(&format!("k{i}: {i}, "));
        }
        text.push_str("}\ns:\n  <<: *d\n");
        for i in 0..n {
            text.push_str(&format!("  k{i}: own\n"));
        }
        let start = std::time::Instant::now();
        let docs = parse(&text).unwrap();
        let s = docs[0].get("s").unwrap().as_map().unwrap();
        assert_eq!(s.len(), n);
        assert!(s.iter().all(|(_, v)| v.as_str() == Some("own")));
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(err.pos.line >= 1, "{err:?}");
        assert!(!err.message.is_empty());
    }
}
