//! `ripple graph`: what the model holds, at a glance.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{DependencyKind, Graph, Kind};

/// Counts, cycles, orphans and owners of a graph. Every collection is sorted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub components: usize,
    pub dependencies: usize,
    /// Components per kind, every kind present (zero included) in report order.
    pub by_kind: BTreeMap<Kind, usize>,
    /// Dependencies per kind, every kind present in report order.
    pub by_dependency_kind: BTreeMap<DependencyKind, usize>,
    pub systems: BTreeMap<String, usize>,
    /// Dependency cycles (strongly connected components of the "needs" relation), members by id.
    pub cycles: Vec<Vec<String>>,
    /// Components with no dependency in either direction.
    pub orphans: Vec<String>,
    /// Components per owner; components with no owner are counted under `unowned`.
    pub owners: BTreeMap<String, usize>,
    pub unowned: Vec<String>,
}

/// Summarise `graph`.
pub fn summarize(graph: &Graph) -> Summary {
    let mut by_kind: BTreeMap<Kind, usize> = Kind::ALL.iter().map(|k| (*k, 0)).collect();
    let mut by_dependency_kind: BTreeMap<DependencyKind, usize> =
        DependencyKind::ALL.iter().map(|k| (*k, 0)).collect();
    let mut owners: BTreeMap<String, usize> = BTreeMap::new();
    let mut systems: BTreeMap<String, usize> =
        graph.systems().keys().map(|s| (s.clone(), 0)).collect();
    let mut unowned = Vec::new();
    let mut orphans = Vec::new();
    for (ix, c) in graph.components() {
        *by_kind.entry(c.kind).or_default() += 1;
        match &c.attrs.owner {
            Some(owner) => *owners.entry(owner.clone()).or_default() += 1,
            None => unowned.push(c.id.clone()),
        }
        if let Some(system) = &c.attrs.system {
            *systems.entry(system.clone()).or_default() += 1;
        }
        if graph.is_isolated(ix) {
            orphans.push(c.id.clone());
        }
    }
    for dep in graph.dependencies() {
        *by_dependency_kind.entry(dep.dependency().kind).or_default() += 1;
    }
    let cycles = graph
        .cycles()
        .iter()
        .map(|scc| {
            scc.iter()
                .map(|ix| graph.component(*ix).id.clone())
                .collect()
        })
        .collect();
    Summary {
        components: graph.component_count(),
        dependencies: graph.dependency_count(),
        by_kind,
        by_dependency_kind,
        systems,
        cycles,
        orphans,
        owners,
        unowned,
    }
}
