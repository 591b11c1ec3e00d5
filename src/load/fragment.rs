//! Graph fragments: the JSON that `ripple scan` emits and `ripple merge` combines.
//!
//! Reading deserialises borrowed wire structs (no copy of strings that need no unescaping) and
//! interns evidence paths and rule ids, which repeat on most edges. Writing streams one node or
//! edge per line, in graph order, so that output is deterministic and diffs of it stay readable.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{EdgeDecl, Fragment, JsonItem, JsonPath, NodeDecl, Origin, Sources, SystemDecl};
use crate::model::{
    Attributes, Component, Dependency, DependencyKind, Evidence, Graph, Kind, Policies, SystemInfo,
    check_name, parse_id, parse_requirement, parse_version,
};
use crate::source::diagnostic::{Code, Diagnostic, Location};
use crate::source::path::relative_to_file;

/// The evidence rule of an edge that a fragment states without evidence of its own.
pub const FRAGMENT_RULE: &str = "fragment.edge";

/// The fragment format version written in the `ripple` key.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Deserialize, Serialize)]
struct Wire<'a> {
    #[serde(default)]
    ripple: Option<u32>,
    #[serde(default, borrow, skip_serializing_if = "BTreeMap::is_empty")]
    systems: BTreeMap<Cow<'a, str>, SystemInfo>,
    #[serde(default, skip_serializing_if = "Policies::is_empty")]
    policies: Policies,
    #[serde(borrow)]
    nodes: Vec<WireNode<'a>>,
    #[serde(default, borrow)]
    edges: Vec<WireEdge<'a>>,
}

#[derive(Deserialize, Serialize)]
struct WireNode<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    name: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    description: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    owner: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    system: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tier: Option<i64>,
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    compliance: Vec<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_facing: Option<bool>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    repository: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    lifecycle: Option<Cow<'a, str>>,
    #[serde(
        default,
        borrow,
        rename = "type",
        skip_serializing_if = "Option::is_none"
    )]
    kind_detail: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    version: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "BTreeMap::is_empty")]
    environments: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    definition: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    sunset: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    deprecated_since: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Serialize)]
struct WireEdge<'a> {
    #[serde(borrow)]
    from: Cow<'a, str>,
    #[serde(borrow)]
    to: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    version: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    uses: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    evidence: Vec<WireEvidence<'a>>,
}

#[derive(Deserialize, Serialize)]
struct WireEvidence<'a> {
    #[serde(borrow)]
    file: Cow<'a, str>,
    #[serde(default)]
    line: u32,
    #[serde(borrow)]
    rule: Cow<'a, str>,
}

/// Read a fragment. Problems are pushed to `diagnostics`; what is valid is still returned.
pub(crate) fn read(
    sources: &Sources,
    file: u32,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Fragment {
    let wire: Wire<'_> = match serde_json::from_str(text) {
        Ok(wire) => wire,
        Err(e) => {
            let what = if e.is_syntax() || e.is_eof() {
                "malformed JSON"
            } else {
                "not a graph fragment"
            };
            diagnostics.push(Diagnostic::error(
                Code::Syntax,
                Location::new(sources.name(file), e.line() as u32, e.column() as u32),
                format!("{what}: {}", strip_position(&e.to_string())),
            ));
            return Fragment::default();
        }
    };
    let mut reader = Reader {
        sources,
        file,
        text,
        diagnostics,
        interned: HashMap::new(),
        resolved_paths: HashMap::new(),
    };
    if let Some(version) = wire.ripple
        && version != FORMAT_VERSION
    {
        let (line, column) =
            crate::source::json_locate::locate(text, &[super::Segment::Key("ripple")])
                .unwrap_or((1, 1));
        reader.diagnostics.push(Diagnostic::error(
            Code::InvalidValue,
            Location::new(sources.name(file), line, column),
            format!("unsupported fragment format version {version}, expected {FORMAT_VERSION}"),
        ));
    }
    let mut fragment = Fragment::default();
    if !wire.policies.is_empty() {
        let origin = Origin::Json {
            file,
            path: JsonPath {
                section: "policies",
                item: JsonItem::Key("".into()),
                field: None,
                key: None,
            },
        };
        fragment.policies.push((wire.policies, origin));
    }
    for (name, info) in wire.systems {
        fragment.systems.push(SystemDecl {
            origin: Origin::Json {
                file,
                path: JsonPath {
                    section: "systems",
                    item: JsonItem::Key(name.as_ref().into()),
                    field: None,
                    key: None,
                },
            },
            name: name.into_owned(),
            info,
        });
    }
    fragment.nodes.reserve(wire.nodes.len());
    for (i, node) in wire.nodes.into_iter().enumerate() {
        if let Some(decl) = reader.node(i as u32, node) {
            fragment.nodes.push(decl);
        }
    }
    fragment.edges.reserve(wire.edges.len());
    for (i, edge) in wire.edges.into_iter().enumerate() {
        if let Some(decl) = reader.edge(i as u32, edge) {
            fragment.edges.push(decl);
        }
    }
    fragment
}

/// serde_json appends " at line X column Y", which the location already says.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

struct Reader<'s, 'd> {
    sources: &'s Sources,
    file: u32,
    text: &'s str,
    diagnostics: &'d mut Vec<Diagnostic>,
    interned: HashMap<String, Arc<str>>,
    /// File paths as written in the fragment → as ripple names them (relative to where it runs).
    resolved_paths: HashMap<String, Arc<str>>,
}

impl Reader<'_, '_> {
    fn path(
        &self,
        section: &'static str,
        item: JsonItem,
        field: Option<&'static str>,
        key: Option<&str>,
    ) -> JsonPath {
        JsonPath {
            section,
            item,
            field,
            key: key.map(Into::into),
        }
    }

    fn error(
        &mut self,
        code: Code,
        section: &'static str,
        item: JsonItem,
        field: Option<&'static str>,
        message: String,
    ) {
        let path = self.path(section, item, field, None);
        let location = self.sources.locate_in(self.file, self.text, &path);
        self.diagnostics
            .push(Diagnostic::error(code, location, message));
    }

    /// A file path written in the fragment, which is relative to the fragment file, as ripple
    /// names it: `../specs/a.yaml` in `out/merged.json` is `specs/a.yaml`. Each distinct path is
    /// resolved once.
    fn path_in_fragment(&mut self, written: &str) -> Arc<str> {
        if let Some(a) = self.resolved_paths.get(written) {
            return a.clone();
        }
        let name = self.sources.name(self.file);
        let a: Arc<str> = relative_to_file(&name, written).into();
        self.resolved_paths.insert(written.to_owned(), a.clone());
        a
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.interned.get(s) {
            return a.clone();
        }
        let a: Arc<str> = s.into();
        self.interned.insert(s.to_owned(), a.clone());
        a
    }

    fn node(&mut self, i: u32, node: WireNode<'_>) -> Option<NodeDecl> {
        let item = || JsonItem::Index(i);
        let (kind, name) = match parse_id(&node.id) {
            Ok(parsed) => parsed,
            Err(e) => {
                let code = match e {
                    crate::model::IdError::UnknownKind(_) => Code::UnknownKind,
                    _ => Code::InvalidValue,
                };
                self.error(code, "nodes", item(), Some("id"), e.to_string());
                return None;
            }
        };
        match node.kind.parse::<Kind>() {
            Ok(k) if k == kind => {}
            Ok(k) => {
                self.error(
                    Code::InvalidValue,
                    "nodes",
                    item(),
                    Some("kind"),
                    format!("kind `{k}` does not match the id `{}`", node.id),
                );
                return None;
            }
            Err(e) => {
                self.error(
                    Code::UnknownKind,
                    "nodes",
                    item(),
                    Some("kind"),
                    e.to_string(),
                );
                return None;
            }
        }
        if let Some(n) = &node.name
            && n != name
        {
            self.error(
                Code::InvalidValue,
                "nodes",
                item(),
                Some("name"),
                format!("name `{n}` does not match the id `{}`", node.id),
            );
        }
        let mut component = Component::new(kind, name);
        let attrs = &mut component.attrs;
        attrs.description = node.description.map(Cow::into_owned);
        attrs.owner = node.owner.map(Cow::into_owned);
        attrs.system = node.system.map(Cow::into_owned);
        if let Some(tier) = node.tier {
            if (1..=4).contains(&tier) {
                attrs.tier = Some(tier as u8);
            } else {
                self.error(
                    Code::InvalidValue,
                    "nodes",
                    item(),
                    Some("tier"),
                    format!("tier {tier} is out of range: expected 1 (most critical) to 4"),
                );
            }
        }
        attrs.compliance = node.compliance.into_iter().map(Cow::into_owned).collect();
        attrs.user_facing = node.user_facing;
        attrs.repository = node.repository.map(Cow::into_owned);
        attrs.lifecycle = node.lifecycle.map(Cow::into_owned);
        attrs.kind_detail = node.kind_detail.map(Cow::into_owned);
        attrs.tags = node.tags.into_iter().map(Cow::into_owned).collect();
        attrs.definition = node
            .definition
            .map(|d| self.path_in_fragment(&d).to_string());
        if let Some(v) = node.version {
            match parse_version(&v) {
                Ok(v) => attrs.version = Some(v),
                Err(e) => self.error(
                    Code::InvalidSemver,
                    "nodes",
                    item(),
                    Some("version"),
                    format!("version `{v}` is not semver: {e}"),
                ),
            }
        }
        for (env, v) in node.environments {
            match parse_version(&v) {
                Ok(version) => {
                    component
                        .attrs
                        .environments
                        .insert(env.into_owned(), version);
                }
                Err(e) => {
                    let path = self.path("nodes", item(), Some("environments"), Some(&env));
                    let location = self.sources.locate_in(self.file, self.text, &path);
                    self.diagnostics.push(Diagnostic::error(
                        Code::InvalidSemver,
                        location,
                        format!("version `{v}` for environment `{env}` is not semver: {e}"),
                    ));
                }
            }
        }
        for (field, value) in [
            ("sunset", &node.sunset),
            ("deprecated_since", &node.deprecated_since),
        ] {
            let Some(text) = value else { continue };
            match crate::model::parse_date(text) {
                Ok(date) if field == "sunset" => component.attrs.sunset = Some(date),
                Ok(date) => component.attrs.deprecated_since = Some(date),
                Err(_) => self.error(
                    Code::InvalidValue,
                    "nodes",
                    item(),
                    Some(field),
                    format!("{field} `{text}` is not a date YYYY-MM-DD"),
                ),
            }
        }
        Some(NodeDecl::new(
            component,
            Origin::Json {
                file: self.file,
                path: self.path("nodes", item(), None, None),
            },
        ))
    }

    fn edge(&mut self, i: u32, edge: WireEdge<'_>) -> Option<EdgeDecl> {
        let item = || JsonItem::Index(i);
        let mut ok = true;
        for (field, id) in [("from", &edge.from), ("to", &edge.to)] {
            if let Err(e) = parse_id(id) {
                let code = match e {
                    crate::model::IdError::UnknownKind(_) => Code::UnknownKind,
                    _ => Code::InvalidValue,
                };
                self.error(code, "edges", item(), Some(field), e.to_string());
                ok = false;
            }
        }
        let kind = match edge.kind.parse::<DependencyKind>() {
            Ok(kind) => kind,
            Err(e) => {
                self.error(
                    Code::UnknownKind,
                    "edges",
                    item(),
                    Some("kind"),
                    e.to_string(),
                );
                return None;
            }
        };
        let mut dependency = Dependency::new(kind);
        if let Some(req) = &edge.version {
            match parse_requirement(req) {
                Ok(req) => dependency.version = Some(req),
                Err(e) => {
                    self.error(
                        Code::InvalidSemver,
                        "edges",
                        item(),
                        Some("version"),
                        format!("version requirement `{req}` is not semver: {e}"),
                    );
                    ok = false;
                }
            }
        }
        dependency.uses = edge.uses.into_iter().map(Cow::into_owned).collect();
        dependency.evidence = edge
            .evidence
            .iter()
            .map(|e| Evidence {
                file: self.path_in_fragment(&e.file),
                line: e.line,
                rule: self.intern(&e.rule),
            })
            .collect();
        if dependency.evidence.is_empty() {
            // Every edge carries evidence: a hand-written fragment that gives none is its own.
            let file = self.sources.name(self.file);
            dependency.evidence.push(Evidence {
                file,
                line: 0,
                rule: self.intern(FRAGMENT_RULE),
            });
        }
        dependency.evidence.sort_unstable();
        dependency.evidence.dedup();
        if !ok {
            return None;
        }
        Some(EdgeDecl {
            from: edge.from.into_owned(),
            to: edge.to.into_owned(),
            dependency,
            origin: Origin::Json {
                file: self.file,
                path: self.path("edges", item(), Some("to"), None),
            },
        })
    }
}

/// Write `graph` as a fragment: one node or edge per line, in id order.
pub fn write(graph: &Graph, out: &mut dyn Write) -> io::Result<()> {
    write_in(graph, out, None)
}

/// [`write()`] for a fragment file that will live in `dir` (relative to `cwd`, or absolute): the
/// file paths it records (definitions, evidence) are written relative to `dir`, as the reader
/// resolves them, so the fragment means the same wherever it is read from.
pub fn write_beside(graph: &Graph, out: &mut dyn Write, dir: &Path, cwd: &Path) -> io::Result<()> {
    write_in(graph, out, Some((dir, cwd)))
}

fn write_in(graph: &Graph, out: &mut dyn Write, base: Option<(&Path, &Path)>) -> io::Result<()> {
    // Paths as ripple names them are already relative to the current directory, so for a
    // fragment written there only absolute ones change.
    let base = base.filter(|(dir, _)| {
        !(dir.as_os_str().is_empty() || *dir == Path::new(".")) || graph_has_absolute_paths(graph)
    });
    // Evidence repeats a few interned files on most edges: each is rebased once, found again by
    // its address (the graph keeps every string alive while it is written).
    let mut rebased: HashMap<(usize, usize), String> = HashMap::new();
    let mut rebase = |p: &str| -> Option<String> {
        let (dir, cwd) = base?;
        let key = (p.as_ptr() as usize, p.len());
        if let Some(r) = rebased.get(&key) {
            return Some(r.clone());
        }
        let r = crate::source::path::relative_from(dir, p, cwd);
        rebased.insert(key, r.clone());
        Some(r)
    };
    writeln!(out, "{{")?;
    writeln!(out, "  \"ripple\": {FORMAT_VERSION},")?;
    if !graph.policies().is_empty() {
        write!(out, "  \"policies\": ")?;
        serde_json::to_writer(&mut *out, graph.policies())?;
        writeln!(out, ",")?;
    }
    if !graph.systems().is_empty() {
        write!(out, "  \"systems\": ")?;
        serde_json::to_writer(&mut *out, graph.systems())?;
        writeln!(out, ",")?;
    }
    writeln!(out, "  \"nodes\": [")?;
    let count = graph.component_count();
    // One line at a time into a buffer, one write per line: serde_json makes many tiny writes.
    let mut line: Vec<u8> = Vec::with_capacity(1024);
    let mut emit = |out: &mut dyn Write, value: &dyn erased::Serialize, last: bool| {
        line.clear();
        line.extend_from_slice(b"    ");
        value.write_json(&mut line)?;
        line.extend_from_slice(if last { b"\n" } else { b",\n" });
        out.write_all(&line)
    };
    for (i, (_, component)) in graph.components().enumerate() {
        let mut node = wire_node(component);
        if let Some(d) = component.attrs.definition.as_deref().and_then(&mut rebase) {
            node.definition = Some(Cow::Owned(d));
        }
        emit(out, &node, i + 1 == count)?;
    }
    writeln!(out, "  ],")?;
    writeln!(out, "  \"edges\": [")?;
    let count = graph.dependency_count();
    for (i, dep) in graph.dependencies().enumerate() {
        let d = dep.dependency();
        let edge = WireEdge {
            from: Cow::Borrowed(&dep.from().id),
            to: Cow::Borrowed(&dep.to().id),
            kind: Cow::Borrowed(d.kind.as_str()),
            version: d.version.as_ref().map(|v| Cow::Owned(v.to_string())),
            uses: d.uses.iter().map(|u| Cow::Borrowed(u.as_str())).collect(),
            evidence: d
                .evidence
                .iter()
                .map(|e| WireEvidence {
                    file: match rebase(&e.file) {
                        Some(f) => Cow::Owned(f),
                        None => Cow::Borrowed(&e.file),
                    },
                    line: e.line,
                    rule: Cow::Borrowed(&e.rule),
                })
                .collect(),
        };
        emit(out, &edge, i + 1 == count)?;
    }
    writeln!(out, "  ]")?;
    writeln!(out, "}}")?;
    Ok(())
}

/// Whether any file path the graph records is absolute (and so must be rewritten even for a
/// fragment written in the current directory).
fn graph_has_absolute_paths(graph: &Graph) -> bool {
    let absolute = |p: &str| p.starts_with('/') || Path::new(p).is_absolute();
    graph
        .components()
        .any(|(_, c)| c.attrs.definition.as_deref().is_some_and(absolute))
        || graph
            .dependencies()
            .any(|d| d.dependency().evidence.iter().any(|e| absolute(&e.file)))
}

/// Serialising wire nodes and edges through one closure.
mod erased {
    pub trait Serialize {
        fn write_json(&self, out: &mut Vec<u8>) -> std::io::Result<()>;
    }

    impl<T: serde::Serialize> Serialize for T {
        fn write_json(&self, out: &mut Vec<u8>) -> std::io::Result<()> {
            serde_json::to_writer(out, self).map_err(std::io::Error::other)
        }
    }
}

fn borrowed(o: &Option<String>) -> Option<Cow<'_, str>> {
    o.as_deref().map(Cow::Borrowed)
}

fn wire_node(c: &Component) -> WireNode<'_> {
    let s = borrowed;
    let a: &Attributes = &c.attrs;
    WireNode {
        id: Cow::Borrowed(&c.id),
        kind: Cow::Borrowed(c.kind.as_str()),
        name: Some(Cow::Borrowed(&c.name)),
        description: s(&a.description),
        owner: s(&a.owner),
        system: s(&a.system),
        tier: a.tier.map(i64::from),
        compliance: a
            .compliance
            .iter()
            .map(|t| Cow::Borrowed(t.as_str()))
            .collect(),
        user_facing: a.user_facing,
        repository: s(&a.repository),
        lifecycle: s(&a.lifecycle),
        kind_detail: s(&a.kind_detail),
        tags: a.tags.iter().map(|t| Cow::Borrowed(t.as_str())).collect(),
        version: a.version.as_ref().map(|v| Cow::Owned(v.to_string())),
        environments: a
            .environments
            .iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Owned(v.to_string())))
            .collect(),
        definition: s(&a.definition),
        sunset: a.sunset.map(|d| Cow::Owned(d.to_string())),
        deprecated_since: a.deprecated_since.map(|d| Cow::Owned(d.to_string())),
    }
}

/// Whether a system name is well-formed (used by manifests and catalogs alike).
pub(crate) fn valid_system_name(name: &str) -> bool {
    check_name(name).is_ok()
}
