//! JSON/YAML contract documents split over files and joined by `$ref`s (OpenAPI, AsyncAPI).
//!
//! Documents are parsed into the position-keeping YAML tree (JSON is YAML), so that every change
//! and every error can name a line and column. All files reachable through `$ref` are loaded up
//! front and every reference is checked, so a dangling `$ref` is reported with its place before any
//! comparison starts, together with every other dangling one.
//!
//! Contracts come from pull requests, so this module trusts none of them:
//!
//! - a file `$ref` is read only where the run's [`Boundary`] allows (not `/etc/passwd`, not
//!   `../../` past the repository root, not through a symlink that leaves it);
//! - a remote `$ref` (`https://…`) is never fetched: it is a warning, and what it names is not
//!   compared;
//! - documents nest at most [`MAX_NESTING`] levels and chains of references pass through at most
//!   [`MAX_REF_CHAIN`] `$ref`s, so that no walker here or in the comparisons above can exhaust the
//!   stack;
//! - lookups in large mappings go through a key index built on first use, so that resolving
//!   thousands of `#/components/schemas/X` stays linear.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{ContractErrors, display};
use crate::source::boundary::Boundary;
use crate::source::diagnostic::{Code, Diagnostic, Location};
use crate::source::yaml::{self, Node, Value};

/// How deeply mappings and lists may nest in one file. Real contracts stay far below; a file
/// nested deeper is refused at load with the place where the limit is crossed, so that the
/// recursive walkers (reference collection here, schema comparison, payload equality) never go
/// deeper than this within one file.
pub const MAX_NESTING: usize = 200;

/// How many `$ref`s a chain of references to references may pass through (`A` → `B` → `A` is a
/// cycle and stops here too).
pub const MAX_REF_CHAIN: usize = 64;

/// Mappings with more entries than this get a key index on their first lookup by pointer.
const INDEXED_MAPPING: usize = 16;

/// A node of one of the loaded files: which file, and the node.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeRef<'d> {
    pub file: u32,
    pub node: &'d Node,
}

impl<'d> NodeRef<'d> {
    /// The value under `key` (without following `$ref`).
    pub(crate) fn get(self, key: &str) -> Option<NodeRef<'d>> {
        self.node.get(key).map(|node| NodeRef {
            file: self.file,
            node,
        })
    }

    pub(crate) fn str(self, key: &str) -> Option<&'d str> {
        self.node.get(key).and_then(Node::as_str)
    }

    /// Entries of a mapping, in document order.
    pub(crate) fn entries(self) -> impl Iterator<Item = (&'d str, NodeRef<'d>)> {
        let file = self.file;
        self.node
            .as_map()
            .unwrap_or(&[])
            .iter()
            .filter_map(move |(k, v)| k.as_str().map(|k| (k, NodeRef { file, node: v })))
    }

    /// Items of a sequence.
    pub(crate) fn items(self) -> impl Iterator<Item = NodeRef<'d>> {
        let file = self.file;
        self.node
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .map(move |node| NodeRef { file, node })
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

/// `$ref`s of one file: their text and where each is.
type Refs = Vec<(String, yaml::Pos)>;

/// A JSON or YAML contract (OpenAPI, AsyncAPI): its root document and every file it references,
/// with positions, read once and navigated through resolved `$ref`s.
pub struct ContractDocuments {
    names: Vec<Arc<str>>,
    paths: Vec<PathBuf>,
    roots: Vec<Node>,
    /// Resolved references per file: `$ref` text → the target as child indices from its file's
    /// root. A large spec resolves `#/components/schemas/X` thousands of times.
    resolved: RefCell<Vec<HashMap<Box<str>, Resolved>>>,
    /// Key → entry index of each large mapping looked up by pointer, by the mapping's address
    /// (nodes do not move once loaded).
    key_index: RefCell<HashMap<*const Node, HashMap<Box<str>, u32>>>,
    /// Problems that do not stop a comparison (remote `$ref`s), in file order.
    warnings: Vec<Diagnostic>,
}

impl ContractDocuments {
    /// Load a contract from a file, or from a directory holding one root document (a file whose
    /// top level has one of `root_keys`) and the files it references. File `$ref`s are read only
    /// where `boundary` allows.
    pub(crate) fn load(
        path: &Path,
        root_keys: &[&str],
        boundary: &Boundary,
    ) -> Result<ContractDocuments, ContractErrors> {
        let root = find_root(path, root_keys)?;
        let mut docs = ContractDocuments {
            names: Vec::new(),
            paths: Vec::new(),
            roots: Vec::new(),
            resolved: Default::default(),
            key_index: Default::default(),
            warnings: Vec::new(),
        };
        let mut errors = Vec::new();
        docs.add(&root, &mut errors);
        // Load every referenced file, breadth first, then check every pointer.
        let mut all_refs: Vec<Refs> = Vec::new();
        let mut next = 0;
        while next < docs.roots.len() {
            let mut refs = Vec::new();
            if let Err(pos) = collect_refs(&docs.roots[next], 0, &mut refs) {
                errors.push(Diagnostic::error(
                    Code::InvalidValue,
                    Location::new(docs.names[next].clone(), pos.line, pos.column),
                    format!(
                        "nested more than {MAX_NESTING} levels deep: ripple reads contracts nested at most {MAX_NESTING} levels"
                    ),
                ));
                // Nothing of it is compared: take the tree apart without deep recursion.
                dismantle(std::mem::replace(
                    &mut docs.roots[next],
                    Node {
                        pos: yaml::Pos::default(),
                        value: Value::Null,
                    },
                ));
                refs.clear();
            }
            let base = docs.paths[next].clone();
            let mut remote_seen = std::collections::HashSet::new();
            for (text, pos) in &refs {
                let here = Location::new(docs.names[next].clone(), pos.line, pos.column);
                let (file_part, _) = split_ref(text);
                if is_remote(file_part) {
                    if remote_seen.insert(text.clone()) {
                        docs.warnings.push(Diagnostic::warning(
                            Code::DanglingReference,
                            here,
                            format!(
                                "`$ref: {text}` is remote: ripple does not fetch it, so what it names is not compared"
                            ),
                        ));
                    }
                    continue;
                }
                if file_part.is_empty() {
                    continue;
                }
                let target = base
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(percent_decode(file_part));
                let target = normalize(&target);
                if let Err(refused) = boundary.check(&target) {
                    errors.push(Diagnostic::error(
                        Code::Io,
                        here,
                        format!("`$ref: {text}`: {refused}"),
                    ));
                    continue;
                }
                if docs.paths.contains(&target) {
                    continue;
                }
                if !target.is_file() {
                    errors.push(Diagnostic::error(
                        Code::DanglingReference,
                        here,
                        format!(
                            "`$ref: {text}` names {}, which does not exist",
                            display(&target)
                        ),
                    ));
                    continue;
                }
                docs.add(&target, &mut errors);
            }
            all_refs.push(refs);
            next += 1;
        }
        docs.resolved = RefCell::new(vec![HashMap::new(); docs.roots.len()]);
        // Every pointer too, so that all dangling references are reported in one run (those into
        // missing files were reported above).
        docs.check_pointers(&all_refs, &mut errors);
        if errors.is_empty() {
            Ok(docs)
        } else {
            crate::source::diagnostic::sort(&mut errors);
            Err(ContractErrors { errors })
        }
    }

    /// Problems found loading that do not stop a comparison (remote `$ref`s), in file order.
    pub(crate) fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
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

    fn check_pointers(&self, all_refs: &[Refs], errors: &mut Vec<Diagnostic>) {
        for (file, refs) in all_refs.iter().enumerate() {
            for (text, pos) in refs {
                if is_remote(split_ref(text).0) {
                    continue;
                }
                match self.target(file as u32, text) {
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
    pub(crate) fn root(&self) -> NodeRef<'_> {
        NodeRef {
            file: 0,
            node: &self.roots[0],
        }
    }

    /// The version the document declares, `info.version` (OpenAPI, Swagger and AsyncAPI alike).
    pub(crate) fn info_version(&self) -> Option<String> {
        let info = self.get(self.root(), "info")?;
        info.str("version").map(str::to_owned)
    }

    /// Where a node is.
    pub(crate) fn location(&self, at: NodeRef<'_>) -> Location {
        Location::new(
            self.names[at.file as usize].clone(),
            at.node.pos.line,
            at.node.pos.column,
        )
    }

    /// Follow `$ref`s until a node that is not a reference. Dangling references were rejected at
    /// load time; a cycle of references resolves to the last node reached.
    pub(crate) fn resolve<'d>(&'d self, mut at: NodeRef<'d>) -> NodeRef<'d> {
        for _ in 0..MAX_REF_CHAIN {
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
    pub(crate) fn get<'d>(&'d self, at: NodeRef<'d>, key: &str) -> Option<NodeRef<'d>> {
        at.get(key).map(|a| self.resolve(a))
    }

    fn target<'d>(&'d self, file: u32, text: &str) -> Result<NodeRef<'d>, String> {
        if let Some((file, indices)) = self.resolved.borrow()[file as usize].get(text) {
            return Ok(self.walk(*file, indices));
        }
        let mut indices = Some(Vec::new());
        let at = self.target_at(file, text, 0, &mut indices)?;
        if let Some(indices) = indices {
            self.resolved.borrow_mut()[file as usize].insert(text.into(), (at.file, indices));
        }
        Ok(at)
    }

    /// The child of a mapping under `key`, or of a sequence at index `key`, with its position.
    fn child<'d>(&self, node: &'d Node, key: &str) -> Option<(usize, &'d Node)> {
        match &node.value {
            Value::Map(entries) => self
                .entry_index(node, entries, key)
                .map(|i| (i, &entries[i].1)),
            Value::Seq(items) => key
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i).map(|n| (i, n))),
            _ => None,
        }
    }

    /// The index of `key` among a mapping's entries: a scan for small mappings, a key index
    /// (built on the first lookup) for large ones.
    fn entry_index(&self, map: &Node, entries: &[(Node, Node)], key: &str) -> Option<usize> {
        if entries.len() <= INDEXED_MAPPING {
            return entries.iter().position(|(k, _)| k.as_str() == Some(key));
        }
        let mut indexes = self.key_index.borrow_mut();
        let index = indexes.entry(map as *const Node).or_insert_with(|| {
            let mut index = HashMap::with_capacity(entries.len());
            for (i, (k, _)) in entries.iter().enumerate() {
                if let Some(k) = k.as_str() {
                    // The first of duplicate keys wins, as in a scan.
                    index.entry(k.into()).or_insert(i as u32);
                }
            }
            index
        });
        index.get(key).map(|i| *i as usize)
    }

    /// The node reached by following child indices from a file's root.
    fn walk(&self, file: u32, indices: &[u32]) -> NodeRef<'_> {
        let mut node = &self.roots[file as usize];
        for &i in indices {
            node = match &node.value {
                Value::Map(entries) => &entries[i as usize].1,
                Value::Seq(items) => &items[i as usize],
                _ => node,
            };
        }
        NodeRef { file, node }
    }

    fn resolve_checked<'d>(&'d self, at: NodeRef<'d>, depth: usize) -> Result<NodeRef<'d>, String> {
        match at.str("$ref") {
            Some(text) if depth < MAX_REF_CHAIN => {
                self.target_at(at.file, text, depth + 1, &mut None)
            }
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
    ) -> Result<NodeRef<'d>, String> {
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
        let mut at = NodeRef {
            file,
            node: &self.roots[file as usize],
        };
        for segment in pointer.split('/').filter(|s| !s.is_empty()) {
            let key = percent_decode(segment)
                .replace("~1", "/")
                .replace("~0", "~");
            let mut found = self.child(at.node, &key);
            // A pointer may pass through a reference (`#/channels/x/messages/y` where channel x
            // is itself a `$ref`): follow it, as the specification's resolvers do.
            if found.is_none() && at.str("$ref").is_some() {
                at = self.resolve_checked(at, depth)?;
                *indices = None;
                found = self.child(at.node, &key);
            }
            if let (Some(path), Some((i, _))) = (indices.as_mut(), found) {
                path.push(i as u32);
            }
            let node = found.map(|(_, n)| n).ok_or_else(|| {
                format!(
                    "points at nothing: `{key}` is not in {}",
                    self.names[at.file as usize]
                )
            })?;
            at = NodeRef {
                file: at.file,
                node,
            };
        }
        let (file, node) = (at.file, at.node);
        Ok(NodeRef { file, node })
    }
}

/// Split `file.yaml#/a/b` into the file part and the pointer.
fn split_ref(text: &str) -> (&str, &str) {
    match text.split_once('#') {
        Some((file, pointer)) => (file, pointer),
        None => (text, ""),
    }
}

/// A `$ref` to another host, which ripple never fetches.
fn is_remote(file_part: &str) -> bool {
    file_part.contains("://")
}

/// Every `$ref` under `node`, or the place of the first node nested deeper than [`MAX_NESTING`].
fn collect_refs(node: &Node, depth: usize, out: &mut Refs) -> Result<(), yaml::Pos> {
    if depth > MAX_NESTING {
        return Err(node.pos);
    }
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                if k.as_str() == Some("$ref")
                    && let Some(text) = v.as_str()
                {
                    out.push((text.to_owned(), v.pos));
                } else {
                    collect_refs(v, depth + 1, out)?;
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                collect_refs(item, depth + 1, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Drop a tree of any depth without recursion (the derived drop recurses once per level).
fn dismantle(node: Node) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node.value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
            Value::Seq(items) => stack.extend(items),
            _ => {}
        }
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
        let is_root = super::first_top_level_key(&text, root_keys).is_some();
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

    #[test]
    fn large_mappings_resolve_through_their_key_index_with_positions() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("root: {$ref: '#/schemas/S99'}\nschemas:\n");
        for i in 0..100 {
            text.push_str(&format!("  S{i}: {{title: s{i}}}\n"));
        }
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, text).unwrap();
        let docs = ContractDocuments::load(&path, &[], &Boundary::unrestricted()).unwrap();
        let target = docs.get(docs.root(), "root").unwrap();
        assert_eq!(target.str("title"), Some("s99"));
        assert_eq!(docs.location(target).line, 102);
        assert_eq!(docs.key_index.borrow().len(), 1);
    }

    #[test]
    fn deep_documents_are_refused_where_the_limit_is_crossed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep.yaml");
        // Deeper than this limit, shallower than the YAML reader's own (256): this one speaks.
        std::fs::write(&path, format!("a:\n{}x\n", "- ".repeat(230))).unwrap();
        let errors = ContractDocuments::load(&path, &[], &Boundary::unrestricted())
            .err()
            .unwrap()
            .errors;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("nested more than"), "{errors:?}");
        assert_eq!(errors[0].location.line, 2);
    }
}
