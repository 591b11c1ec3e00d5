//! Backstage catalog files (`catalog-info.yaml`), as Backstage defines them.
//!
//! Lenient where Backstage is: unknown fields and kinds (`User`, `Location`, `Template`) are
//! ignored, because real catalogs carry plenty that ripple has no use for. Strict where a wrong
//! value would change the graph: malformed entity references, a tier out of range.

use std::collections::HashSet;

use super::{EdgeDecl, Fragment, NodeDecl, Origin, Sources, SystemDecl};
use crate::model::{
    Component, Dependency, DependencyKind, Evidence, Kind, SystemInfo, check_name, component_id,
};
use crate::source::diagnostic::{Code, Diagnostic, Location};
use crate::source::yaml::{Node, Pos, parse_bool};
use crate::source::yaml_reader::YamlReader;

type FoldSet<T> = HashSet<T, foldhash::fast::FixedState>;

/// Resource types that are message channels rather than stores.
const TOPIC_RESOURCE_TYPES: &[&str] = &[
    "event-stream",
    "kafka-topic",
    "pubsub-topic",
    "queue",
    "sns-topic",
    "sqs-queue",
    "stream",
    "topic",
];

/// Annotations that state precise dependencies, with the kind each one declares.
const EDGE_ANNOTATIONS: &[(&str, DependencyKind, &str)] = &[
    (
        "ripple.dev/calls",
        DependencyKind::Calls,
        "backstage.annotation.calls",
    ),
    (
        "ripple.dev/publishes",
        DependencyKind::Publishes,
        "backstage.annotation.publishes",
    ),
    (
        "ripple.dev/reads",
        DependencyKind::Reads,
        "backstage.annotation.reads",
    ),
    (
        "ripple.dev/subscribes",
        DependencyKind::Subscribes,
        "backstage.annotation.subscribes",
    ),
    (
        "ripple.dev/writes",
        DependencyKind::Writes,
        "backstage.annotation.writes",
    ),
];

pub(crate) fn read(
    sources: &Sources,
    file: u32,
    documents: &[Node],
    diagnostics: &mut Vec<Diagnostic>,
) -> Fragment {
    let mut reader = Reader {
        file,
        yaml: YamlReader::new(sources.name(file), diagnostics),
        fragment: Fragment::default(),
        pending: Vec::new(),
    };
    for doc in documents {
        if !doc.is_null() {
            reader.entity(doc);
        }
    }
    reader.resolve_pending();
    reader.fragment
}

/// A reference whose ripple kind depends on the type of an entity that may be in another file.
struct PendingRef {
    from: String,
    kind: DependencyKind,
    entity_kind: String,
    name: String,
    pos: Pos,
    rule: &'static str,
}

struct Reader<'d> {
    file: u32,
    yaml: YamlReader<'d>,
    fragment: Fragment,
    pending: Vec<PendingRef>,
}

/// A parsed entity reference `[kind:][namespace/]name`.
struct EntityRef {
    kind: String,
    name: String,
}

impl Reader<'_> {
    fn origin(&self, pos: Pos) -> Origin {
        Origin::Yaml {
            file: self.file,
            pos,
        }
    }

    fn entity(&mut self, doc: &Node) {
        if doc.as_map().is_none() {
            self.yaml.error(
                doc.pos,
                Code::InvalidValue,
                format!(
                    "expected a Backstage entity (a mapping), found {}",
                    doc.describe()
                ),
            );
            return;
        }
        let Some(kind) = self.yaml.optional_string(doc.get("kind"), "`kind`") else {
            self.yaml
                .error(doc.pos, Code::InvalidValue, "entity has no `kind`");
            return;
        };
        let metadata = doc.get("metadata");
        let Some(name_node) = metadata.and_then(|m| m.get("name")) else {
            self.yaml.error(
                metadata.map_or(doc.pos, |m| m.pos),
                Code::InvalidValue,
                format!("{kind} entity has no `metadata.name`"),
            );
            return;
        };
        let Some(raw_name) = self
            .yaml
            .optional_string(Some(name_node), "`metadata.name`")
        else {
            return;
        };
        // Software templates carry skeleton catalogs (`name: ${{ values.name }}`) that become
        // entities only once rendered.
        if raw_name.contains("{{") || raw_name.contains("${") {
            let location = Location::new(
                self.yaml.file.clone(),
                name_node.pos.line,
                name_node.pos.column,
            );
            self.yaml.diagnostics.push(Diagnostic::warning(
                Code::InvalidValue,
                location,
                format!("skipped: `{raw_name}` is a template placeholder, not an entity name"),
            ));
            return;
        }
        let namespace = self.yaml.optional_string(
            metadata.and_then(|m| m.get("namespace")),
            "`metadata.namespace`",
        );
        let name = qualify(namespace.as_deref(), &raw_name);
        if let Err(e) = check_name(&name) {
            self.yaml
                .error(name_node.pos, Code::InvalidValue, e.to_string());
            return;
        }
        let spec = doc.get("spec");
        match kind.to_ascii_lowercase().as_str() {
            "component" => {
                let kind = if self.spec_type(spec).as_deref() == Some("library") {
                    Kind::Library
                } else {
                    Kind::Service
                };
                self.component(kind, &name, name_node.pos, doc);
            }
            "api" => self.component(Kind::Api, &name, name_node.pos, doc),
            "resource" => {
                let is_topic = self.spec_type(spec).is_some_and(|t| {
                    TOPIC_RESOURCE_TYPES.contains(&t.to_ascii_lowercase().as_str())
                });
                let kind = if is_topic {
                    Kind::Topic
                } else {
                    Kind::Datastore
                };
                self.component(kind, &name, name_node.pos, doc);
            }
            "system" => {
                let info = SystemInfo {
                    owner: self.owner(spec),
                    domain: spec
                        .and_then(|s| s.get("domain"))
                        .and_then(|d| d.as_str())
                        .and_then(|d| parse_ref(d, "domain"))
                        .map(|r| r.name),
                    description: self.yaml.optional_string(
                        metadata.and_then(|m| m.get("description")),
                        "`description`",
                    ),
                };
                let origin = self.origin(name_node.pos);
                self.fragment
                    .systems
                    .push(SystemDecl { name, info, origin });
            }
            "location" => {
                let spec = spec.and_then(|s| s.as_map().map(|_| s));
                let targets = spec
                    .into_iter()
                    .flat_map(|s| {
                        let one = s.get("target").into_iter();
                        let many = s
                            .get("targets")
                            .and_then(Node::as_seq)
                            .unwrap_or(&[])
                            .iter();
                        one.chain(many)
                    })
                    .filter_map(|t| t.as_str().map(|text| (text.to_owned(), t.pos)));
                for (target, pos) in targets.collect::<Vec<_>>() {
                    let path = if target.contains("://") {
                        target
                    } else {
                        crate::source::path::relative_to_file(&self.yaml.file, &target)
                    };
                    let origin = self.origin(pos);
                    self.fragment.locations.push((path, origin));
                }
            }
            // Domains and groups describe the organisation; nothing in the graph refers to
            // them by id, so they are accepted without becoming components.
            _ => {}
        }
    }

    fn spec_type(&mut self, spec: Option<&Node>) -> Option<String> {
        self.yaml
            .optional_string(spec.and_then(|s| s.get("type")), "`spec.type`")
    }

    fn owner(&mut self, spec: Option<&Node>) -> Option<String> {
        let node = spec.and_then(|s| s.get("owner"))?;
        let text = self.yaml.optional_string(Some(node), "`spec.owner`")?;
        match parse_ref(&text, "group") {
            Some(r) if r.kind == "group" => Some(r.name),
            Some(r) => Some(format!("{}:{}", r.kind, r.name)),
            None => {
                self.yaml.error(
                    node.pos,
                    Code::InvalidValue,
                    format!("`{text}` is not an entity reference"),
                );
                None
            }
        }
    }

    fn component(&mut self, kind: Kind, name: &str, pos: Pos, doc: &Node) {
        let id = component_id(kind, name);
        let metadata = doc.get("metadata");
        let spec = doc.get("spec");
        let annotations = metadata.and_then(|m| m.get("annotations"));
        let annotation = |key: &str| annotations.and_then(|a| a.get(key));
        let mut decl = NodeDecl::new(Component::new(kind, name), self.origin(pos));

        let description = self
            .yaml
            .optional_string(metadata.and_then(|m| m.get("description")), "`description`");
        let owner = self.owner(spec);
        let system = spec
            .and_then(|s| s.get("system"))
            .and_then(|n| n.as_str())
            .and_then(|s| parse_ref(s, "system"))
            .map(|r| r.name);
        let lifecycle = self
            .yaml
            .optional_string(spec.and_then(|s| s.get("lifecycle")), "`spec.lifecycle`");
        let kind_detail = self.spec_type(spec);
        let tags: Vec<String> = metadata
            .and_then(|m| m.get("tags"))
            .and_then(|t| t.as_seq())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        for (field, node) in [
            ("description", metadata.and_then(|m| m.get("description"))),
            ("owner", spec.and_then(|s| s.get("owner"))),
            ("system", spec.and_then(|s| s.get("system"))),
            ("lifecycle", spec.and_then(|s| s.get("lifecycle"))),
            ("type", spec.and_then(|s| s.get("type"))),
            ("definition", spec.and_then(|s| s.get("definition"))),
            ("tier", annotation("ripple.dev/tier")),
            ("compliance", annotation("ripple.dev/compliance")),
            ("user-facing", annotation("ripple.dev/user-facing")),
            (
                "repository",
                annotation("ripple.dev/repository").or(annotation("backstage.io/source-location")),
            ),
        ] {
            if let Some(node) = node {
                decl.field_pos.push((field.into(), node.pos));
            }
        }
        let attrs = &mut decl.component.attrs;
        attrs.description = description;
        attrs.owner = owner;
        attrs.system = system;
        attrs.lifecycle = lifecycle;
        attrs.kind_detail = kind_detail;
        attrs.tags = tags.into_iter().collect();

        if let Some(node) = annotation("ripple.dev/tier") {
            match node.as_str().map(str::trim).map(str::parse::<u8>) {
                Some(Ok(t @ 1..=4)) => decl.component.attrs.tier = Some(t),
                _ => self.yaml.error(
                    node.pos,
                    Code::InvalidValue,
                    format!("annotation ripple.dev/tier of {id} must be \"1\" to \"4\""),
                ),
            }
        }
        for (key, slot) in [("ripple.dev/sunset", 0), ("ripple.dev/deprecated-since", 1)] {
            let Some(node) = annotation(key) else {
                continue;
            };
            match node.as_str().map(crate::model::parse_date) {
                Some(Ok(date)) if slot == 0 => decl.component.attrs.sunset = Some(date),
                Some(Ok(date)) => decl.component.attrs.deprecated_since = Some(date),
                _ => self.yaml.error(
                    node.pos,
                    Code::InvalidValue,
                    format!("annotation {key} of {id} must be a date YYYY-MM-DD"),
                ),
            }
            decl.field_pos.push((
                if slot == 0 {
                    "sunset"
                } else {
                    "deprecated-since"
                }
                .into(),
                node.pos,
            ));
        }
        if let Some(text) = annotation("ripple.dev/compliance").and_then(|n| n.as_str()) {
            decl.component.attrs.compliance = split_list(text).map(str::to_owned).collect();
        }
        if let Some(node) = annotation("ripple.dev/user-facing") {
            match node.as_str().and_then(parse_bool) {
                Some(b) => decl.component.attrs.user_facing = Some(b),
                None => self.yaml.error(
                    node.pos,
                    Code::InvalidValue,
                    format!(
                        "annotation ripple.dev/user-facing of {id} must be \"true\" or \"false\""
                    ),
                ),
            }
        }
        let repository = annotation("ripple.dev/repository")
            .or(annotation("backstage.io/source-location"))
            .and_then(|n| n.as_str());
        decl.component.attrs.repository =
            repository.map(|r| r.strip_prefix("url:").unwrap_or(r).to_owned());
        if kind == Kind::Api {
            decl.component.attrs.definition = spec
                .and_then(|s| s.get("definition"))
                .and_then(definition)
                .map(|d| crate::source::path::relative_to_file(&self.yaml.file, &d));
        }
        // Other kinds have no `definition` in Backstage: a schema or migrations folder of a
        // database, a message schema of a topic.
        if let Some(path) = annotation("ripple.dev/definition").and_then(|n| n.as_str()) {
            decl.component.attrs.definition =
                Some(crate::source::path::relative_to_file(&self.yaml.file, path));
            if let Some(node) = annotation("ripple.dev/definition") {
                decl.field_pos.push(("definition".into(), node.pos));
            }
        }
        self.fragment.nodes.push(decl);

        // Precise relations from annotations first: they replace a `dependsOn` to the same target.
        let mut precise: Vec<String> = Vec::new();
        for &(key, dep_kind, rule) in EDGE_ANNOTATIONS {
            let Some(node) = annotation(key) else {
                continue;
            };
            let Some(text) = node.as_str() else { continue };
            for item in split_list(text) {
                let Some(r) = self.reference(item, dep_kind.default_target().as_str(), node.pos)
                else {
                    continue;
                };
                if let Some(to) = self.resolve_now(&r) {
                    precise.push(to.clone());
                    self.edge(&id, to, dep_kind, node.pos, rule);
                } else {
                    precise.push(format!("{}:{}", r.kind, r.name));
                    self.defer(&id, dep_kind, r, node.pos, rule);
                }
            }
        }
        for (field, dep_kind, default_kind) in [
            ("providesApis", DependencyKind::Provides, "api"),
            ("consumesApis", DependencyKind::Consumes, "api"),
            ("dependsOn", DependencyKind::DependsOn, "component"),
            ("dependencyOf", DependencyKind::DependsOn, "component"),
        ] {
            let Some(list) = spec.and_then(|s| s.get(field)) else {
                continue;
            };
            let Some(items) = list.as_seq() else {
                self.yaml.error(
                    list.pos,
                    Code::InvalidValue,
                    format!("expected a list for `spec.{field}` of {id}"),
                );
                continue;
            };
            for item in items {
                let Some(text) = item.as_str() else {
                    self.yaml.error(
                        item.pos,
                        Code::InvalidValue,
                        format!("expected an entity reference in `spec.{field}`"),
                    );
                    continue;
                };
                let Some(r) = self.reference(text, default_kind, item.pos) else {
                    continue;
                };
                let rule = match field {
                    "providesApis" => "backstage.providesApis",
                    "consumesApis" => "backstage.consumesApis",
                    "dependencyOf" => "backstage.dependencyOf",
                    _ => "backstage.dependsOn",
                };
                if field == "dependencyOf" {
                    // The other entity depends on this one; the assembler resolves a
                    // `component:`/`resource:` source once every file is read.
                    let from = self
                        .resolve_now(&r)
                        .unwrap_or_else(|| format!("{}:{}", r.kind, r.name));
                    self.edge(&from, id.clone(), dep_kind, item.pos, rule);
                    continue;
                }
                match self.resolve_now(&r) {
                    Some(to) => {
                        if dep_kind == DependencyKind::DependsOn && precise.contains(&to) {
                            continue;
                        }
                        self.edge(&id, to, dep_kind, item.pos, rule);
                    }
                    None => {
                        if precise.contains(&format!("{}:{}", r.kind, r.name)) {
                            continue;
                        }
                        self.defer(&id, dep_kind, r, item.pos, rule)
                    }
                }
            }
        }
    }

    fn reference(&mut self, text: &str, default_kind: &str, pos: Pos) -> Option<EntityRef> {
        let parsed = parse_ref(text, default_kind);
        match parsed {
            Some(r) if check_name(&r.name).is_ok() => {
                const MODELLED: &[&str] = &[
                    "api",
                    "component",
                    "resource",
                    "service",
                    "topic",
                    "datastore",
                    "library",
                ];
                if MODELLED.contains(&r.kind.as_str()) {
                    return Some(r);
                }
                let location = Location::new(self.yaml.file.clone(), pos.line, pos.column);
                self.yaml.diagnostics.push(Diagnostic::warning(
                    Code::UnknownKind,
                    location,
                    format!("ignored `{text}`: ripple models dependencies on components, APIs and resources, not on `{}` entities", r.kind),
                ));
                None
            }
            _ => {
                self.yaml.error(
                    pos,
                    Code::InvalidValue,
                    format!(
                        "`{text}` is not an entity reference: expected `[kind:][namespace/]name`"
                    ),
                );
                None
            }
        }
    }

    /// The ripple id of a reference whose ripple kind follows from its Backstage kind alone.
    fn resolve_now(&self, r: &EntityRef) -> Option<String> {
        let kind = match r.kind.as_str() {
            "api" => Kind::Api,
            // A bare name in a ripple.dev annotation uses the annotation's own target kind.
            "service" => Kind::Service,
            "topic" => Kind::Topic,
            "datastore" => Kind::Datastore,
            "library" => Kind::Library,
            _ => return None,
        };
        Some(component_id(kind, &r.name))
    }

    fn defer(
        &mut self,
        from: &str,
        kind: DependencyKind,
        r: EntityRef,
        pos: Pos,
        rule: &'static str,
    ) {
        self.pending.push(PendingRef {
            from: from.to_owned(),
            kind,
            entity_kind: r.kind,
            name: r.name,
            pos,
            rule,
        });
    }

    fn edge(&mut self, from: &str, to: String, kind: DependencyKind, pos: Pos, rule: &str) {
        let mut dependency = Dependency::new(kind);
        dependency.evidence.push(Evidence {
            file: self.yaml.file.clone(),
            line: pos.line,
            rule: rule.into(),
        });
        let origin = self.origin(pos);
        self.fragment.edges.push(EdgeDecl {
            from: from.to_owned(),
            to,
            dependency,
            origin,
        });
    }

    /// `component:` and `resource:` references become `library:`/`service:` and
    /// `topic:`/`datastore:` ids. Entities of this file decide here; references to entities of
    /// other files are left as candidates that the assembler resolves across all inputs.
    fn resolve_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        // One index of the file's ids: a catalog of 100,000 entities in one file has as many
        // references to resolve, and a scan of the entities for each took minutes.
        let local_ids: FoldSet<&str> = self
            .fragment
            .nodes
            .iter()
            .map(|n| n.component.id.as_str())
            .collect();
        let mut resolved = Vec::with_capacity(self.pending.len());
        for p in std::mem::take(&mut self.pending) {
            let candidates: &[Kind] = if p.entity_kind == "component" {
                &[Kind::Service, Kind::Library]
            } else {
                &[Kind::Datastore, Kind::Topic]
            };
            let local = candidates
                .iter()
                .find(|k| local_ids.contains(component_id(**k, &p.name).as_str()));
            let to = match local {
                Some(k) => component_id(*k, &p.name),
                None => format!("{}:{}", p.entity_kind, p.name),
            };
            resolved.push((p, to));
        }
        drop(local_ids);
        for (p, to) in resolved {
            self.edge(&p.from, to, p.kind, p.pos, p.rule);
        }
    }
}

/// A Backstage API definition: inline text is not a path; `$text`, `$yaml`, `$json` references
/// name the file.
fn definition(node: &Node) -> Option<String> {
    if let Some(map) = node.as_map() {
        return map.iter().find_map(|(k, v)| {
            matches!(
                k.as_str(),
                Some("$text" | "$yaml" | "$json" | "$openapi" | "$asyncapi")
            )
            .then(|| v.as_str().map(str::to_owned))
            .flatten()
        });
    }
    let text = node.as_str()?;
    (!text.contains('\n')
        && !text.trim_start().starts_with(['{', '#'])
        && (text.ends_with(".yaml")
            || text.ends_with(".yml")
            || text.ends_with(".json")
            || text.ends_with(".proto")
            || text.ends_with(".graphql")))
    .then(|| text.to_owned())
}

/// Parse `[kind:][namespace/]name`. The kind is lower-cased, `default` namespaces dropped.
fn parse_ref(text: &str, default_kind: &str) -> Option<EntityRef> {
    let text = text.trim();
    let (kind, rest) = match text.split_once(':') {
        Some((k, rest)) => (k.to_ascii_lowercase(), rest),
        None => (default_kind.to_owned(), text),
    };
    let (namespace, name) = match rest.split_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, rest),
    };
    if name.is_empty() || kind.is_empty() {
        return None;
    }
    Some(EntityRef {
        kind,
        name: qualify(namespace, name),
    })
}

fn qualify(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        None | Some("default") | Some("") => name.to_owned(),
        Some(ns) => format!("{}/{name}", ns.to_ascii_lowercase()),
    }
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}
