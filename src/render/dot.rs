//! Graphviz DOT for architecture and CAB reviews: one cluster per system, node shape by kind,
//! fill by tier, edge style by dependency kind.

use std::collections::BTreeMap;
use std::io::{self, Write};

use dot_writer::{Attributes, DotWriter};

use super::dot_escape;
use crate::model::{Component, DependencyKind, Graph, Kind};

fn shape(kind: Kind) -> &'static str {
    match kind {
        Kind::Service => "box",
        Kind::Api => "component",
        Kind::Topic => "cds",
        Kind::Datastore => "cylinder",
        Kind::Library => "folder",
    }
}

/// Fill by tier: the more critical, the warmer.
fn fill(tier: Option<u8>) -> &'static str {
    match tier {
        Some(1) => "#f8cbad",
        Some(2) => "#fde9a9",
        Some(3) => "#dde8cb",
        Some(4) => "#deebf7",
        _ => "#ffffff",
    }
}

/// (style, colour, arrowhead) per dependency kind.
fn edge_style(kind: DependencyKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        DependencyKind::Provides => ("bold", "#2e75b6", "normal"),
        DependencyKind::Consumes => ("solid", "#404040", "normal"),
        DependencyKind::Publishes => ("dashed", "#c55a11", "normal"),
        DependencyKind::Subscribes => ("dashed", "#7030a0", "normal"),
        DependencyKind::Reads => ("dotted", "#548235", "normal"),
        DependencyKind::Writes => ("bold", "#548235", "normal"),
        DependencyKind::DependsOn => ("solid", "#7f7f7f", "onormal"),
        DependencyKind::Calls => ("solid", "#c00000", "vee"),
    }
}

fn label(c: &Component) -> String {
    let mut second = c.kind.as_str().to_owned();
    if let Some(t) = c.attrs.tier {
        second.push_str(&format!(" · tier {t}"));
    }
    if let Some(v) = &c.attrs.version {
        second.push_str(&format!(" · {v}"));
    }
    let mut text = format!("{}\n{second}", c.name);
    if !c.attrs.compliance.is_empty() {
        let tags: Vec<&str> = c.attrs.compliance.iter().map(String::as_str).collect();
        text.push_str(&format!("\n[{}]", tags.join(", ")));
    }
    text
}

fn quoted(id: &str) -> String {
    format!("\"{}\"", dot_escape(id))
}

fn node(scope: &mut dot_writer::Scope<'_, '_>, c: &Component) {
    let mut n = scope.node_named(quoted(&c.id));
    n.set("label", &dot_escape(&label(c)), true)
        .set("shape", shape(c.kind), false)
        .set("style", "\"filled,rounded\"", false)
        .set("fillcolor", fill(c.attrs.tier), true);
    if c.attrs.user_facing == Some(true) {
        n.set("penwidth", "2", false);
    }
}

/// Write `graph` as DOT.
pub fn write(graph: &Graph, title: &str, out: &mut dyn Write) -> io::Result<()> {
    let mut bytes = Vec::new();
    {
        let mut writer = DotWriter::from(&mut bytes);
        writer.set_pretty_print(true);
        let mut g = writer.digraph();
        g.set("label", &dot_escape(title), true)
            .set("labelloc", "t", false)
            .set("rankdir", "LR", false)
            // The default ranking fails ("trouble in init_rank") on clusters with many edges
            // between them; newrank ranks the whole graph at once.
            .set("newrank", "true", false)
            .set("fontname", "Helvetica", true)
            .set("nodesep", "0.3", false)
            .set("ranksep", "0.8", false);
        g.node_attributes()
            .set("fontname", "Helvetica", true)
            .set("fontsize", "10", false);
        g.edge_attributes()
            .set("fontname", "Helvetica", true)
            .set("fontsize", "8", false);
        let mut by_system: BTreeMap<&str, Vec<&Component>> = BTreeMap::new();
        let mut loose = Vec::new();
        for (_, c) in graph.components() {
            match &c.attrs.system {
                Some(s) => by_system.entry(s).or_default().push(c),
                None => loose.push(c),
            }
        }
        for (system, members) in &by_system {
            let mut cluster = g.cluster();
            let mut title = format!("system: {system}");
            if let Some(owner) = graph.systems().get(*system).and_then(|s| s.owner.as_ref()) {
                title.push_str(&format!("\nowner: {owner}"));
            }
            cluster
                .set("label", &dot_escape(&title), true)
                .set("style", "\"rounded,filled\"", false)
                .set("fillcolor", "#f7f7f7", true)
                .set("color", "#bfbfbf", true);
            for c in members {
                node(&mut cluster, c);
            }
        }
        for c in loose {
            node(&mut g, c);
        }
        for dep in graph.dependencies() {
            let d = dep.dependency();
            let (style, color, arrow) = edge_style(d.kind);
            let mut text = d.kind.as_str().to_owned();
            if let Some(req) = &d.version {
                text.push_str(&format!(" {req}"));
            }
            g.edge(quoted(&dep.from().id), quoted(&dep.to().id))
                .attributes()
                .set("label", &dot_escape(&text), true)
                .set("style", style, false)
                .set("color", color, true)
                .set("fontcolor", color, true)
                .set("arrowhead", arrow, false);
        }
    }
    out.write_all(&bytes)?;
    out.write_all(b"\n")
}
