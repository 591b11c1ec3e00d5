//! Reading a YAML tree into typed values, reporting each mismatch where it is: the one reader the
//! loaders of YAML formats (ripple manifests, Backstage catalogs) share, so that "expected a
//! string for `owner`, found a mapping" reads the same, at `file:line:col`, in every format.

use std::collections::HashMap;
use std::sync::Arc;

use super::diagnostic::{Code, Diagnostic, Location};
use super::yaml::{Node, Pos, Value};

/// A file being read, and where its problems go.
pub struct YamlReader<'d> {
    /// The file's name as ripple shows it.
    pub file: Arc<str>,
    /// Problems found so far, every one tied to a place in `file`.
    pub diagnostics: &'d mut Vec<Diagnostic>,
}

impl<'d> YamlReader<'d> {
    /// A reader of `file` reporting into `diagnostics`.
    pub fn new(file: Arc<str>, diagnostics: &'d mut Vec<Diagnostic>) -> Self {
        YamlReader { file, diagnostics }
    }

    /// A place in this file.
    pub fn location(&self, pos: Pos) -> Location {
        Location::new(self.file.clone(), pos.line, pos.column)
    }

    /// Report an error at `pos`.
    pub fn error(&mut self, pos: Pos, code: Code, message: impl Into<String>) {
        let location = self.location(pos);
        self.diagnostics
            .push(Diagnostic::error(code, location, message));
    }

    /// A scalar's text; `None` for null, and for anything else after reporting "expected a
    /// string for WHAT".
    pub fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Scalar(s, _) => Some(s.clone()),
            Value::Null => None,
            _ => {
                self.error(
                    node.pos,
                    Code::InvalidValue,
                    format!("expected a string for {what}, found {}", node.describe()),
                );
                None
            }
        }
    }

    /// [`YamlReader::string`] of a value that may be absent.
    pub fn optional_string(&mut self, node: Option<&Node>, what: &str) -> Option<String> {
        self.string(node?, what)
    }

    /// A list of strings; a single scalar is a list of one, null an empty list. Items that are
    /// not strings, and a mapping in place of the list, are reported.
    pub fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|item| self.string(item, what))
                .collect(),
            Value::Scalar(s, _) => vec![s.clone()],
            Value::Null => Vec::new(),
            Value::Map(_) => {
                self.error(
                    node.pos,
                    Code::InvalidValue,
                    format!("expected a list of strings for {what}, found a mapping"),
                );
                Vec::new()
            }
        }
    }

    /// The entries of a mapping, in order: `(key, key position, value)`. Null is an empty
    /// mapping; anything else that is not a mapping, non-string keys, keys not in `allowed`
    /// (when given; `x-` extension keys are skipped silently then) and keys given twice are
    /// reported. A key given twice is a `duplicate-id` where any key is allowed (the key is an
    /// id), an `invalid-value` otherwise.
    pub fn entries<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: Option<&[&str]>,
    ) -> Vec<(&'n str, Pos, &'n Node)> {
        let map = match &node.value {
            Value::Map(map) => map,
            Value::Null => return Vec::new(),
            _ => {
                self.error(
                    node.pos,
                    Code::InvalidValue,
                    format!("expected a mapping for {what}, found {}", node.describe()),
                );
                return Vec::new();
            }
        };
        let mut out: Vec<(&str, Pos, &Node)> = Vec::with_capacity(map.len());
        // Where each key was first seen: a `services:` mapping of a whole organisation has
        // tens of thousands of keys, too many to compare each with all before it.
        let mut first_seen: HashMap<&str, Pos, foldhash::fast::FixedState> =
            HashMap::with_capacity_and_hasher(map.len(), Default::default());
        for (key, value) in map {
            let Some(k) = key.as_str() else {
                self.error(
                    key.pos,
                    Code::InvalidValue,
                    format!("expected a string key in {what}"),
                );
                continue;
            };
            // `x-` keys are extensions (as in compose files), e.g. a place for YAML anchors.
            if allowed.is_some() && k.starts_with("x-") {
                continue;
            }
            if let Some(allowed) = allowed
                && !allowed.contains(&k)
            {
                self.error(
                    key.pos,
                    Code::UnknownField,
                    format!(
                        "unknown key `{k}` in {what}, expected one of: {}",
                        allowed.join(", ")
                    ),
                );
                continue;
            }
            if let Some(first) = first_seen.get(k) {
                let first = self.location(*first);
                let code = if allowed.is_none() {
                    Code::DuplicateId
                } else {
                    Code::InvalidValue
                };
                let location = self.location(key.pos);
                self.diagnostics.push(
                    Diagnostic::error(code, location, format!("`{k}` is defined twice in {what}"))
                        .with_related(first, "first defined here"),
                );
                continue;
            }
            first_seen.insert(k, key.pos);
            out.push((k, key.pos, value));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatches_are_reported_where_they_are() {
        let docs =
            super::super::yaml::parse("a: {b: 1}\nc: [x, {y: 1}]\nd: x\nd: y\ne: 2\n").unwrap();
        let mut diagnostics = Vec::new();
        let mut r = YamlReader::new("f.yaml".into(), &mut diagnostics);
        let entries = r.entries(&docs[0], "the file", Some(&["a", "c", "d"]));
        let keys: Vec<&str> = entries.iter().map(|(k, _, _)| *k).collect();
        assert_eq!(keys, ["a", "c", "d"]);
        assert_eq!(r.string(entries[0].2, "`a`"), None);
        assert_eq!(r.strings(entries[1].2, "`c`"), ["x"]);
        assert_eq!(r.strings(entries[2].2, "`d`"), ["x"]);
        let messages: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            messages,
            [
                "f.yaml:4:1: error[invalid-value]: `d` is defined twice in the file\n    f.yaml:3:1: note: first defined here",
                "f.yaml:5:1: error[unknown-field]: unknown key `e` in the file, expected one of: a, c, d",
                "f.yaml:1:4: error[invalid-value]: expected a string for `a`, found a mapping",
                "f.yaml:2:8: error[invalid-value]: expected a string for `c`, found a mapping",
            ]
        );
    }
}
