//! Merging the fragments of a run into one [`Graph`].
//!
//! The same component may be declared by several files (the provider's repository and each
//! consumer's, or a manifest and a catalog). Their facts are combined; two different values for one
//! fact are a conflict that names both places, never resolved by which file came first.

use std::collections::BTreeMap;
use std::fmt::Display;

use crate::model::ComponentIndex;

use super::{EdgeDecl, Fragment, NodeDecl, Origin, Sources, SystemDecl};
use crate::model::{Attributes, Component, Dependency, DependencyKind, Graph, Kind, SystemInfo};
use crate::source::diagnostic::{Code, Diagnostic};

/// Suggestions for dangling references cost a scan of the graph each; a run with more than this
/// many dangling references gets suggestions for the first ones only.
const MAX_SUGGESTIONS: usize = 64;

pub(crate) fn assemble(
    sources: &Sources,
    fragments: Vec<Fragment>,
    diagnostics: &mut Vec<Diagnostic>,
    options: &super::Options,
) -> Graph {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut systems = Vec::new();
    let mut policies = Vec::new();
    for fragment in fragments {
        nodes.extend(fragment.nodes);
        edges.extend(fragment.edges);
        systems.extend(fragment.systems);
        policies.extend(fragment.policies);
    }
    let components = merge_nodes(sources, nodes, diagnostics);
    let systems = merge_systems(sources, systems, &components, diagnostics);
    let mut graph = Graph::with_components(components, systems);
    let dependencies = merge_edges(sources, &graph, edges, diagnostics, options.lenient);
    graph.set_dependencies(dependencies);
    graph.set_policies(merge_policies(sources, policies, diagnostics));
    graph
}

struct Ctx<'a> {
    sources: &'a Sources,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn conflict(&mut self, what: String, first: (&Origin, String), second: (&Origin, String)) {
        let here = self.sources.locate(second.0);
        let there = self.sources.locate(first.0);
        let message = format!(
            "conflicting {what}: `{}` here, but `{}` at {there}",
            second.1, first.1
        );
        self.diagnostics.push(
            Diagnostic::error(Code::Conflict, here, message)
                .with_related(there, format!("{what} is `{}` here", first.1)),
        );
    }
}

fn merge_nodes(
    sources: &Sources,
    mut decls: Vec<NodeDecl>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Component> {
    // Stable: within one id, declarations stay in file order, so "first" means the first file.
    decls.sort_by(|a, b| a.component.id.cmp(&b.component.id));
    let mut ctx = Ctx {
        sources,
        diagnostics,
    };
    let mut out = Vec::with_capacity(decls.len());
    let mut iter = decls.into_iter().peekable();
    let mut group: Vec<NodeDecl> = Vec::new();
    while let Some(first) = iter.next() {
        if iter
            .peek()
            .is_none_or(|next| next.component.id != first.component.id)
        {
            // The common case, one declaration: move it, no merging to do.
            out.push(first.component);
            continue;
        }
        group.clear();
        group.push(first);
        while let Some(next) = iter.next_if(|n| n.component.id == group[0].component.id) {
            group.push(next);
        }
        let mut kept: Vec<&NodeDecl> = Vec::with_capacity(group.len());
        for decl in &group {
            if let Some(earlier) = kept.iter().find(|k| k.origin.file() == decl.origin.file()) {
                let here = ctx.sources.locate(&decl.origin);
                let there = ctx.sources.locate(&earlier.origin);
                ctx.diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateId,
                        here,
                        format!("{} is defined twice in this file", decl.component.id),
                    )
                    .with_related(there, "first defined here"),
                );
            } else {
                kept.push(decl);
            }
        }
        out.push(merge_component(&mut ctx, &kept));
    }
    out
}

fn merge_component(ctx: &mut Ctx<'_>, decls: &[&NodeDecl]) -> Component {
    let first = &decls[0].component;
    let id = &first.id;
    let mut attrs = Attributes {
        description: merge_one(ctx, id, "description", decls, |a| a.description.as_ref()),
        owner: merge_one(ctx, id, "owner", decls, |a| a.owner.as_ref()),
        system: merge_one(ctx, id, "system", decls, |a| a.system.as_ref()),
        tier: merge_one(ctx, id, "tier", decls, |a| a.tier.as_ref()),
        user_facing: merge_one(ctx, id, "user-facing", decls, |a| a.user_facing.as_ref()),
        repository: merge_one(ctx, id, "repository", decls, |a| a.repository.as_ref()),
        lifecycle: merge_one(ctx, id, "lifecycle", decls, |a| a.lifecycle.as_ref()),
        kind_detail: merge_one(ctx, id, "type", decls, |a| a.kind_detail.as_ref()),
        version: merge_one(ctx, id, "version", decls, |a| a.version.as_ref()),
        definition: merge_one(ctx, id, "definition", decls, |a| a.definition.as_ref()),
        sunset: merge_one(ctx, id, "sunset", decls, |a| a.sunset.as_ref()),
        deprecated_since: merge_one(ctx, id, "deprecated-since", decls, |a| {
            a.deprecated_since.as_ref()
        }),
        ..Attributes::default()
    };
    for decl in decls {
        let a = &decl.component.attrs;
        attrs.compliance.extend(a.compliance.iter().cloned());
        attrs.tags.extend(a.tags.iter().cloned());
    }
    let mut seen: BTreeMap<&str, &NodeDecl> = BTreeMap::new();
    for decl in decls {
        for (env, version) in &decl.component.attrs.environments {
            match seen.get(env.as_str()) {
                None => {
                    seen.insert(env, decl);
                    attrs.environments.insert(env.clone(), version.clone());
                }
                Some(earlier) => {
                    let before = &earlier.component.attrs.environments[env];
                    if before != version {
                        ctx.conflict(
                            format!("version of {id} in environment `{env}`"),
                            (
                                &earlier.field_origin("environments", Some(env)),
                                before.to_string(),
                            ),
                            (
                                &decl.field_origin("environments", Some(env)),
                                version.to_string(),
                            ),
                        );
                    }
                }
            }
        }
    }
    Component {
        attrs,
        ..first.clone()
    }
}

/// The one value all declarations that state `field` agree on; a conflict for each that differs.
fn merge_one<T: PartialEq + Clone + Display>(
    ctx: &mut Ctx<'_>,
    id: &str,
    field: &'static str,
    decls: &[&NodeDecl],
    get: impl Fn(&Attributes) -> Option<&T>,
) -> Option<T> {
    let mut stated = decls
        .iter()
        .filter_map(|d| get(&d.component.attrs).map(|v| (*d, v)));
    let (first, value) = stated.next()?;
    for (other, v) in stated {
        if v != value {
            ctx.conflict(
                format!("{field} of {id}"),
                (&first.field_origin(field, None), value.to_string()),
                (&other.field_origin(field, None), v.to_string()),
            );
        }
    }
    Some(value.clone())
}

fn merge_policies(
    sources: &Sources,
    stated: Vec<(crate::model::Policies, Origin)>,
    diagnostics: &mut Vec<Diagnostic>,
) -> crate::model::Policies {
    let mut ctx = Ctx {
        sources,
        diagnostics,
    };
    let mut merged = crate::model::Policies::default();
    let mut first: Option<&Origin> = None;
    for (policies, origin) in &stated {
        if let Some(days) = policies.deprecation_window_days {
            match (merged.deprecation_window_days, first) {
                (Some(mine), Some(there)) if mine != days => ctx.conflict(
                    "policy deprecation-window-days".to_owned(),
                    (there, mine.to_string()),
                    (origin, days.to_string()),
                ),
                (Some(_), _) => {}
                (None, _) => {
                    merged.deprecation_window_days = Some(days);
                    first = Some(origin);
                }
            }
        }
    }
    merged
}

fn merge_systems(
    sources: &Sources,
    decls: Vec<SystemDecl>,
    components: &[Component],
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, SystemInfo> {
    let mut ctx = Ctx {
        sources,
        diagnostics,
    };
    let mut merged: BTreeMap<String, (SystemInfo, Vec<&SystemDecl>)> = BTreeMap::new();
    for decl in &decls {
        let (info, seen) = merged.entry(decl.name.clone()).or_default();
        for (field, mine, theirs) in [
            ("owner", &mut info.owner, &decl.info.owner),
            ("domain", &mut info.domain, &decl.info.domain),
            ("description", &mut info.description, &decl.info.description),
        ] {
            let Some(theirs) = theirs else { continue };
            match mine {
                None => *mine = Some(theirs.clone()),
                Some(m) if m != theirs => {
                    let first = seen
                        .iter()
                        .find(|d| match field {
                            "owner" => d.info.owner.is_some(),
                            "domain" => d.info.domain.is_some(),
                            _ => d.info.description.is_some(),
                        })
                        .map_or(&decl.origin, |d| &d.origin);
                    ctx.conflict(
                        format!("{field} of system `{}`", decl.name),
                        (first, m.clone()),
                        (&decl.origin, theirs.clone()),
                    );
                }
                Some(_) => {}
            }
        }
        seen.push(decl);
    }
    let mut systems: BTreeMap<String, SystemInfo> =
        merged.into_iter().map(|(k, (info, _))| (k, info)).collect();
    for c in components {
        if let Some(s) = &c.attrs.system {
            systems.entry(s.clone()).or_default();
        }
    }
    systems
}

/// The kind of component each dependency kind must point at (`depends-on` may point at any).
fn expected_target(kind: DependencyKind) -> Option<Kind> {
    match kind {
        DependencyKind::DependsOn => None,
        other => Some(other.default_target()),
    }
}

fn merge_edges(
    sources: &Sources,
    graph: &Graph,
    decls: Vec<EdgeDecl>,
    diagnostics: &mut Vec<Diagnostic>,
    lenient: bool,
) -> Vec<(ComponentIndex, ComponentIndex, Dependency)> {
    let mut ctx = Ctx {
        sources,
        diagnostics,
    };
    let mut suggestions_left = MAX_SUGGESTIONS;
    let mut resolved: Vec<(ComponentIndex, ComponentIndex, usize)> =
        Vec::with_capacity(decls.len());
    for (i, decl) in decls.iter().enumerate() {
        let from = resolve(graph, &decl.from);
        let to = resolve(graph, &decl.to);
        let (Some(from), Some(to)) = (from, to) else {
            for (end, ix) in [(&decl.from, from), (&decl.to, to)] {
                if ix.is_some() {
                    continue;
                }
                let mut message = format!(
                    "{} {} {end}, which is not defined in any input",
                    decl.from, decl.dependency.kind
                );
                if suggestions_left > 0 {
                    suggestions_left -= 1;
                    if let Some(close) = suggest(graph, end) {
                        message.push_str(&format!(" (did you mean {close}?)"));
                    }
                }
                let here = ctx.sources.locate(&decl.origin);
                ctx.diagnostics.push(if lenient {
                    message.push_str("; the dependency is left out (--lenient)");
                    Diagnostic::warning(Code::DanglingReference, here, message)
                } else {
                    Diagnostic::error(Code::DanglingReference, here, message)
                });
            }
            continue;
        };
        let target = graph.component(to);
        if let Some(expected) = expected_target(decl.dependency.kind)
            && target.kind != expected
        {
            let here = ctx.sources.locate(&decl.origin);
            ctx.diagnostics.push(Diagnostic::error(
                Code::InvalidValue,
                here,
                format!(
                    "{} {} {}, but `{}` must point at a {expected}",
                    decl.from, decl.dependency.kind, target.id, decl.dependency.kind
                ),
            ));
            continue;
        }
        resolved.push((from, to, i));
    }
    resolved.sort_by_key(|&(from, to, i)| (from, to, decls[i].dependency.kind, i));
    let mut decls = decls;
    let mut out: Vec<(ComponentIndex, ComponentIndex, Dependency)> =
        Vec::with_capacity(resolved.len());
    let mut first_of_group = 0usize;
    for (n, &(from, to, i)) in resolved.iter().enumerate() {
        let kind = decls[i].dependency.kind;
        // Move the dependency out: the declarations are not needed after this.
        let incoming = std::mem::replace(&mut decls[i].dependency, Dependency::new(kind));
        match out.last_mut() {
            Some((f, t, dep)) if *f == from && *t == to && dep.kind == kind => {
                if let (Some(mine), Some(theirs)) = (&dep.version, &incoming.version)
                    && mine != theirs
                {
                    let first = &decls[resolved[first_of_group].2];
                    let decl = &decls[i];
                    ctx.conflict(
                        format!("version requirement of {} {kind} {}", decl.from, decl.to),
                        (&first.origin, mine.to_string()),
                        (&decl.origin, theirs.to_string()),
                    );
                }
                if dep.version.is_none() {
                    dep.version = incoming.version;
                }
                dep.uses.extend(incoming.uses);
                dep.evidence.extend(incoming.evidence);
            }
            _ => {
                first_of_group = n;
                out.push((from, to, incoming));
            }
        }
    }
    for (_, _, dep) in &mut out {
        dep.evidence.sort_unstable();
        dep.evidence.dedup();
    }
    out
}

/// The node of an id. Backstage `component:`/`resource:` references from another file name a
/// ripple kind only once every file is read: a component is a service or a library, a resource a
/// datastore or a topic.
fn resolve(graph: &Graph, id: &str) -> Option<ComponentIndex> {
    if let Some(ix) = graph.index_of(id) {
        return Some(ix);
    }
    let (kind, name) = id.split_once(':')?;
    let candidates: &[Kind] = match kind {
        "component" => &[Kind::Service, Kind::Library],
        "resource" => &[Kind::Datastore, Kind::Topic],
        _ => return None,
    };
    candidates
        .iter()
        .find_map(|k| graph.index_of(&crate::model::component_id(*k, name)))
}

/// The closest id of the same kind, if one is close enough to be a likely typo.
pub(crate) fn suggest(graph: &Graph, id: &str) -> Option<String> {
    let (kind, name) = id.split_once(':')?;
    let same_kind: Vec<_> = graph
        .components()
        .map(|(_, c)| c)
        .filter(|c| match kind {
            "component" => matches!(c.kind, Kind::Service | Kind::Library),
            "resource" => matches!(c.kind, Kind::Datastore | Kind::Topic),
            k => c.kind.as_str() == k,
        })
        .collect();
    let close = crate::source::suggest::closest(name, same_kind.iter().map(|c| c.name.as_str()))?;
    same_kind
        .iter()
        .find(|c| c.name == close)
        .map(|c| c.id.clone())
}
