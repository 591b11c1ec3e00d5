//! Mermaid flowcharts, for pull requests and wikis that render them inline.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::model::{Component, DependencyKind, Graph, Kind};

/// Mermaid labels are double-quoted; quotes and angle brackets are entity-escaped.
fn escape(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn node(c: &Component, n: usize) -> String {
    let mut label = format!("{}<br/>{}", escape(&c.name), c.kind);
    if let Some(t) = c.attrs.tier {
        label.push_str(&format!(" · tier {t}"));
    }
    let (open, close) = match c.kind {
        Kind::Service => ("[", "]"),
        Kind::Api => ("([", "])"),
        Kind::Topic => (">", "]"),
        Kind::Datastore => ("[(", ")]"),
        Kind::Library => ("[[", "]]"),
    };
    format!("n{n}{open}\"{label}\"{close}")
}

fn arrow(kind: DependencyKind) -> &'static str {
    match kind {
        DependencyKind::Provides | DependencyKind::Writes => "==>",
        DependencyKind::Publishes | DependencyKind::Subscribes | DependencyKind::Reads => "-.->",
        _ => "-->",
    }
}

/// Write `graph` as a Mermaid flowchart, one subgraph per system.
pub fn write(graph: &Graph, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "flowchart LR")?;
    let mut by_system: BTreeMap<&str, Vec<(usize, &Component)>> = BTreeMap::new();
    let mut loose = Vec::new();
    for (ix, c) in graph.components() {
        match &c.attrs.system {
            Some(s) => by_system.entry(s).or_default().push((ix.index(), c)),
            None => loose.push((ix.index(), c)),
        }
    }
    for (i, (system, members)) in by_system.iter().enumerate() {
        writeln!(out, "  subgraph s{i}[\"system: {}\"]", escape(system))?;
        for (n, c) in members {
            writeln!(out, "    {}", node(c, *n))?;
        }
        writeln!(out, "  end")?;
    }
    for (n, c) in loose {
        writeln!(out, "  {}", node(c, n))?;
    }
    for dep in graph.dependencies() {
        let kind = dep.dependency().kind;
        writeln!(
            out,
            "  n{} {}|{}| n{}",
            dep.source.index(),
            arrow(kind),
            kind,
            dep.target.index()
        )?;
    }
    Ok(())
}
