//! JSON/YAML contract documents split over files and joined by `$ref`s (OpenAPI, AsyncAPI).
//!
//! Documents are parsed into the position-keeping YAML tree (JSON is YAML), so that every change
//! and every error can name a line and column. All files reachable through `$ref` are loaded up
//! front and every reference is checked, so a dangling `$ref` is reported with its place before any
//! comparison starts, together with every other dangling one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{ContractErrors, display};
use crate::source::diagnostic::{Code, Diagnostic, Location};
use crate::source::yaml::{self, Node, Value};

/// A node of one of the loaded files.
#[derive(Clone, Copy, Debug)]
pub(crate) struct At<'d> {
    pub file: u32,
    pub node: &'d Node,
}

impl<'d> At<'d> {
    /// The value under `key` (without following `$ref`).
    pub(crate) fn get(self, key: &str) -> Option<At<'d>> {
        self.node.get(key).map(|node| At {
            file: self.file,
            node,
        })
    }

    pub(crate) fn str(self, key: &str) -> Option<&'d str> {
        self.node.get(key).and_then(Node::as_str)
    }

    /// Entries of a mapping, in document order.
    pub(crate) fn entries(self) -> impl Iterator<Item = (&'d str, At<'d>)> {
        let file = self.file;
        self.node
            .as_map()
            .unwrap_or(&[])
            .iter()
            .filter_map(move |(k, v)| k.as_str().map(|k| (k, At { file, node: v })))
    }

    /// Items of a sequence.
    pub(crate) fn items(self) -> impl Iterator<Item = At<'d>> {
        let file = self.file;
        self.node
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .map(move |node| At { file, node })
    }

    /// A boolean value under `key` (`true`/`false`), default false.
    pub(crate) fn flag(self, key: &str) -> bool {
        self.str(key).and_then(yaml::parse_bool).unwrap_or(false)
    }

    /// Identity of the node, for cycle detection.
    pub(crate) fn ptr(self) -> (u32, *const Node) {
        (self.file, self.node as *const Node)
    }
}

/// A resolved reference: the target's file and its child indices from that file's root.
type Resolved = (u32, Vec<u32>);

/// A JSON or YAML contract (OpenAPI, AsyncAPI): its root document and every file it references,
/// with positions, read once and navigated through resolved `$ref`s.
pub struct Docs {
    names: Vec<Arc<str>>,
    paths: Vec<PathBuf>,
    roots: Vec<Node>,
    /// Resolved references: (file, `$ref` text) → the target as child indices from its file's
    /// root. A large spec resolves `#/components/schemas/X` thousands of times, and each fresh
    /// resolution scans mappings of thousands of keys.
    resolved: std::cell::RefCell<HashMap<(u32, Box<str>), Resolved>>,
}

impl Docs {
    /// Load a contract from a file, or from a directory holding one root document (a file whose
    /// top level has one of `root_keys`) and the files it references.
    pub(crate) fn load(path: &Path, root_keys: &[&str]) -> Result<Docs, ContractErrors> {
        let root = find_root(path, root_keys)?;
        let mut docs = Docs {
            names: Vec::new(),
            paths: Vec::new(),
            roots: Vec::new(),
            resolved: Default::default(),
        };
        let mut errors = Vec::new();
        docs.add(&root, &mut errors);
        // Load every referenced file, breadth first, then check every pointer.
        let mut next = 0;
        while next < docs.roots.len() {
            let mut refs = Vec::new();
            collect_refs(&docs.roots[next], &mut refs);
            let base = docs.paths[next].clone();
            for (text, pos) in refs {
                let (file_part, _) = split_ref(&text);
                if file_part.is_empty() || file_part.contains("://") {
                    continue;
                }
                let target = base
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(percent_decode(file_part));
                let target = normalize(&target);
                if docs.paths.contains(&target) {
                    continue;
                }
                if !target.is_file() {
                    errors.push(Diagnostic::error(
                        Code::DanglingReference,
                        Location::new(docs.names[next].clone(), pos.line, pos.column),
                        format!(
                            "`$ref: {text}` names {}, which does not exist",
                            display(&target)
                        ),
                    ));
                    continue;
                }
                docs.add(&target, &mut errors);
            }
            next += 1;
        }
        // Every pointer too, so that all dangling references are reported in one run (those into
        // missing files were reported above).
        docs.check_pointers(&mut errors);
        if errors.is_empty() {
            Ok(docs)
        } else {
            crate::source::diagnostic::sort(&mut errors);
            Err(ContractErrors { errors })
        }
    }

    fn add(&mut self, path: &Path, errors: &mut Vec<Diagnostic>) {
        let name = display(path);
        let node = match crate::source::file::read_text(path, Default::default()) {
            Ok(text) => match yaml::parse(&text) {
                Ok(mut documents) if !documents.is_empty() => documents.swap_remove(0),
                Ok(_) => Node {
                    pos: yaml::Pos { line: 1, column: 1 },
                    value: Value::Null,
                },
                Err(e) => {
                    errors.push(Diagnostic::error(
                        Code::Syntax,
                        Location::new(name.clone(), e.pos.line, e.pos.column),
                        format!("malformed YAML/JSON: {}", e.message),
                    ));
                    Node {
                        pos: yaml::Pos::default(),
                        value: Value::Null,
                    }
                }
            },
            Err(e) => {
                errors.push(e.to_diagnostic(name.clone()));
                Node {
                    pos: yaml::Pos::default(),
                    value: Value::Null,
                }
            }
        };
        self.names.push(name);
        self.paths.push(normalize(path));
        self.roots.push(node);
    }

    fn check_pointers(&self, errors: &mut Vec<Diagnostic>) {
        for file in 0..self.roots.len() {
            let mut refs = Vec::new();
            collect_refs(&self.roots[file], &mut refs);
            for (text, pos) in refs {
                if text.contains("://") {
                    continue;
                }
                match self.target(file as u32, &text) {
                    Err(reason) if !reason.contains("which is not loaded") => {
                        errors.push(Diagnostic::error(
                            Code::DanglingReference,
                            Location::new(self.names[file].clone(), pos.line, pos.column),
                            format!("`$ref: {text}` {reason}"),
                        ));
                    }
                    _ => {}
                }
            }
        }
    }

    /// The root document.
    pub(crate) fn root(&self) -> At<'_> {
        At {
            file: 0,
            node: &self.roots[0],
        }
    }

    /// Where a node is.
    pub(crate) fn location(&self, at: At<'_>) -> Location {
        Location::new(
            self.names[at.file as usize].clone(),
            at.node.pos.line,
            at.node.pos.column,
        )
    }

    /// Follow `$ref`s until a node that is not a reference. Dangling references were rejected at
    /// load time; a cycle of references resolves to the last node reached.
    pub(crate) fn resolve<'d>(&'d self, mut at: At<'d>) -> At<'d> {
        for _ in 0..64 {
            let Some(text) = at.str("$ref") else {
                return at;
            };
            match self.target(at.file, text) {
                Ok(next) => at = next,
                Err(_) => return at,
            }
        }
        at
    }

    /// `resolve(at.get(key))`.
    pub(crate) fn get<'d>(&'d self, at: At<'d>, key: &str) -> Option<At<'d>> {
        at.get(key).map(|a| self.resolve(a))
    }

    fn target<'d>(&'d self, file: u32, text: &str) -> Result<At<'d>, String> {
        let key = (file, Box::<str>::from(text));
        if let Some((file, indices)) = self.resolved.borrow().get(&key) {
            return Ok(self.walk(*file, indices));
        }
        let mut indices = Some(Vec::new());
        let at = self.target_at(file, text, 0, &mut indices)?;
        if let Some(indices) = indices {
            self.resolved.borrow_mut().insert(key, (at.file, indices));
        }
        Ok(at)
    }

    /// The node reached by following child indices from a file's root.
    fn walk(&self, file: u32, indices: &[u32]) -> At<'_> {
        let mut node = &self.roots[file as usize];
        for &i in indices {
            node = match &node.value {
                Value::Map(entries) => &entries[i as usize].1,
                Value::Seq(items) => &items[i as usize],
                _ => node,
            };
        }
        At { file, node }
    }

    fn resolve_checked<'d>(&'d self, at: At<'d>, depth: usize) -> Result<At<'d>, String> {
        match at.str("$ref") {
            Some(text) if depth < 32 => self.target_at(at.file, text, depth + 1, &mut None),
            Some(_) => Err("is part of a cycle of references".to_owned()),
            None => Ok(at),
        }
    }

    /// Resolve `text` from `file`. `indices`, when given, collects the child positions walked,
    /// and is cleared when the walk passes through another reference (not cacheable then).
    fn target_at<'d>(
        &'d self,
        file: u32,
        text: &str,
        depth: usize,
        indices: &mut Option<Vec<u32>>,
    ) -> Result<At<'d>, String> {
        let (file_part, pointer) = split_ref(text);
        let file = if file_part.is_empty() {
            file
        } else {
            let base = &self.paths[file as usize];
            let target = normalize(
                &base
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(percent_decode(file_part)),
            );
            self.paths
                .iter()
                .position(|p| *p == target)
                .ok_or_else(|| format!("names {}, which is not loaded", display(&target)))?
                as u32
        };
        let mut at = At {
            file,
            node: &self.roots[file as usize],
        };
        for segment in pointer.split('/').filter(|s| !s.is_empty()) {
            let key = percent_decode(segment)
                .replace("~1", "/")
                .replace("~0", "~");
            // A pointer may pass through a reference (`#/channels/x/messages/y` where channel x
            // is itself a `$ref`): follow it, as the specification's resolvers do.
            if at.node.get(&key).is_none() && at.str("$ref").is_some() {
                at = self.resolve_checked(at, depth)?;
                *indices = None;
            }
            let found = match &at.node.value {
                Value::Map(entries) => entries
                    .iter()
                    .position(|(k, _)| k.as_str() == Some(key.as_str()))
                    .map(|i| (i, &entries[i].1)),
                Value::Seq(items) => key
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).map(|n| (i, n))),
                _ => None,
            };
            if let (Some(path), Some((i, _))) = (indices.as_mut(), found) {
                path.push(i as u32);
            }
            let node = found.map(|(_, n)| n).ok_or_else(|| {
                format!(
                    "points at nothing: `{key}` is not in {}",
                    self.names[at.file as usize]
                )
            })?;
            at = At {
                file: at.file,
                node,
            };
        }
        let (file, node) = (at.file, at.node);
        Ok(At { file, node })
    }
}

/// Split `file.yaml#/a/b` into the file part and the pointer.
fn split_ref(text: &str) -> (&str, &str) {
    match text.split_once('#') {
        Some((file, pointer)) => (file, pointer),
        None => (text, ""),
    }
}

fn collect_refs(node: &Node, out: &mut Vec<(String, yaml::Pos)>) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                if k.as_str() == Some("$ref")
                    && let Some(text) = v.as_str()
                {
                    out.push((text.to_owned(), v.pos));
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if bytes[i] == b'%'
            && let Some(b) = hex
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Lexically normalise `a/b/../c` to `a/c`.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The root document of a contract: the file itself, or the one file in a directory whose top
/// level has one of `root_keys`.
fn find_root(path: &Path, root_keys: &[&str]) -> Result<PathBuf, ContractErrors> {
    let files = super::contract_files(path)?;
    if !path.is_dir() {
        return Ok(path.to_path_buf());
    }
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut seen: HashMap<PathBuf, ()> = HashMap::new();
    for file in files {
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "yaml" | "yml" | "json") {
            continue;
        }
        let Ok(text) = crate::source::file::read_text(&file, Default::default()) else {
            continue;
        };
        let is_root = text.lines().take(200).any(|line| {
            let key = line.trim_start_matches(['{', ' ', '\t', '"']);
            root_keys
                .iter()
                .any(|k| key.starts_with(&format!("{k}:")) || key.starts_with(&format!("{k}\"")))
        });
        if is_root && seen.insert(file.clone(), ()).is_none() {
            roots.push(file);
        }
    }
    match roots.len() {
        1 => Ok(roots.remove(0)),
        0 => Err(Diagnostic::error(
            Code::UnknownFormat,
            Location::new(display(path), 0, 0),
            format!(
                "no root document found: no file has a top-level `{}`",
                root_keys.join("`/`")
            ),
        )
        .into()),
        _ => Err(Diagnostic::error(
            Code::UnknownFormat,
            Location::new(display(path), 0, 0),
            format!(
                "several root documents ({}): name the one to compare",
                roots
                    .iter()
                    .map(|r| display(r).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_unescape() {
        assert_eq!(percent_decode("a%7Bb%7D"), "a{b}");
        assert_eq!(split_ref("x.yaml#/a/b"), ("x.yaml", "/a/b"));
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
    }
}
