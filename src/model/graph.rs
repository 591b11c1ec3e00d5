//! [`Graph`]: the one model every command reads.
//!
//! A petgraph `DiGraph` wrapped in a domain type with an id index. Nodes are stored in id order and
//! edges in (source id, target id, kind) order, so that iterating the graph is already the
//! deterministic output order and no renderer needs to sort.

use std::collections::{BTreeMap, VecDeque};
use std::sync::OnceLock;

use petgraph::Direction;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use super::component::{Component, Dependency, Policies, SystemInfo};

/// A component's place in one [`Graph`], valid for that graph only. Components are stored in id
/// order, so indices compare as their ids do. (petgraph's index type stays inside the model.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ComponentIndex(NodeIndex);

impl ComponentIndex {
    /// The position, `0..graph.component_count()`, for per-component arrays.
    pub fn index(self) -> usize {
        self.0.index()
    }
}

/// A dependency's place in one [`Graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DependencyIndex(EdgeIndex);

/// Which way to follow dependencies from a component, as guppy's `DependencyDirection`:
/// `Forward` to what it depends on (its outgoing edges), `Reverse` to what depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DependencyDirection {
    /// From a component to its dependencies (the targets of its edges).
    Forward,
    /// From a component to its dependents (the sources of the edges that reach it).
    Reverse,
}

impl DependencyDirection {
    /// The other direction.
    pub fn opposite(self) -> Self {
        match self {
            DependencyDirection::Forward => DependencyDirection::Reverse,
            DependencyDirection::Reverse => DependencyDirection::Forward,
        }
    }

    fn petgraph(self) -> Direction {
        match self {
            DependencyDirection::Forward => Direction::Outgoing,
            DependencyDirection::Reverse => Direction::Incoming,
        }
    }
}

type IdIndex = std::collections::HashMap<Box<str>, NodeIndex, foldhash::fast::FixedState>;

/// The organisation as a graph of components and dependencies.
#[derive(Debug)]
pub struct Graph {
    inner: DiGraph<Component, Dependency>,
    index: IdIndex,
    systems: BTreeMap<String, SystemInfo>,
    policies: Policies,
    cycles: OnceLock<Vec<Vec<ComponentIndex>>>,
}

impl Graph {
    /// A graph of `components` without dependencies. Components are sorted by id; ids must be
    /// unique (the loader merges duplicates before it gets here).
    pub fn with_components(
        mut components: Vec<Component>,
        systems: BTreeMap<String, SystemInfo>,
    ) -> Self {
        components.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        debug_assert!(components.windows(2).all(|w| w[0].id != w[1].id));
        let mut inner = DiGraph::with_capacity(components.len(), 0);
        let mut index = IdIndex::with_capacity_and_hasher(components.len(), Default::default());
        for component in components {
            let id: Box<str> = component.id.as_str().into();
            let ix = inner.add_node(component);
            index.insert(id, ix);
        }
        Graph {
            inner,
            index,
            systems,
            policies: Policies::default(),
            cycles: OnceLock::new(),
        }
    }

    /// Organisation-wide policies.
    pub fn policies(&self) -> &Policies {
        &self.policies
    }

    pub fn set_policies(&mut self, policies: Policies) {
        self.policies = policies;
    }

    /// Set the dependencies. Each (source, target, kind) must appear once; they are stored sorted.
    pub fn set_dependencies(
        &mut self,
        mut edges: Vec<(ComponentIndex, ComponentIndex, Dependency)>,
    ) {
        edges.sort_unstable_by_key(|e| (e.0, e.1, e.2.kind));
        debug_assert!(
            edges
                .windows(2)
                .all(|w| (w[0].0, w[0].1, w[0].2.kind) != (w[1].0, w[1].1, w[1].2.kind))
        );
        self.inner.clear_edges();
        self.inner.reserve_edges(edges.len());
        for (from, to, dep) in edges {
            self.inner.add_edge(from.0, to.0, dep);
        }
        self.cycles = OnceLock::new();
    }

    /// Number of components.
    pub fn component_count(&self) -> usize {
        self.inner.node_count()
    }

    /// Number of dependencies.
    pub fn dependency_count(&self) -> usize {
        self.inner.edge_count()
    }

    /// The node index of a component id.
    pub fn index_of(&self, id: &str) -> Option<ComponentIndex> {
        self.index.get(id).copied().map(ComponentIndex)
    }

    /// The component at `ix`.
    pub fn component(&self, ix: ComponentIndex) -> &Component {
        &self.inner[ix.0]
    }

    /// The component with this id.
    pub fn get(&self, id: &str) -> Option<&Component> {
        self.index_of(id).map(|ix| &self.inner[ix.0])
    }

    /// What a user who typed `text` for a component id probably meant: for a name without a
    /// kind (`checkout`), every `kind:checkout` in the model; for an id, the closest id of the
    /// same kind. Empty when nothing is close.
    pub fn suggest(&self, text: &str) -> Vec<String> {
        match text.split_once(':') {
            None => self
                .components()
                .filter(|(_, c)| c.name == text)
                .map(|(_, c)| c.id.clone())
                .collect(),
            Some((kind, name)) => {
                let same_kind = self
                    .components()
                    .filter(|(_, c)| c.kind.as_str() == kind)
                    .map(|(_, c)| c.name.as_str());
                match crate::source::suggest::closest(name, same_kind) {
                    Some(close) => vec![format!("{kind}:{close}")],
                    None => Vec::new(),
                }
            }
        }
    }

    /// `COMPONENT is not in the model`, with what the user probably meant.
    pub fn unknown_component_message(&self, text: &str) -> String {
        let suggestions = self.suggest(text);
        match suggestions.as_slice() {
            [] if !text.contains(':') => {
                format!("`{text}` is not a component id: ids are `kind:name` (e.g. service:{text})")
            }
            [] => format!("{text} is not in the model"),
            [one] if !text.contains(':') => {
                format!("`{text}` is not a component id: ids are `kind:name` (did you mean {one}?)")
            }
            [one] => format!("{text} is not in the model (did you mean {one}?)"),
            many => format!(
                "`{text}` is not a component id: ids are `kind:name` (did you mean one of {}?)",
                many.join(", ")
            ),
        }
    }

    /// All components in id order.
    pub fn components(&self) -> impl ExactSizeIterator<Item = (ComponentIndex, &Component)> + '_ {
        self.inner
            .node_indices()
            .map(move |ix| (ComponentIndex(ix), &self.inner[ix]))
    }

    /// All dependencies in (source id, target id, kind) order.
    pub fn dependencies(&self) -> impl ExactSizeIterator<Item = DependencyRef<'_>> + '_ {
        self.inner.edge_references().map(move |e| DependencyRef {
            index: DependencyIndex(e.id()),
            source: ComponentIndex(e.source()),
            target: ComponentIndex(e.target()),
            graph: self,
        })
    }

    /// A component's dependencies (`Forward`: the edges leaving it) or dependents (`Reverse`:
    /// the edges reaching it).
    pub fn dependencies_of(
        &self,
        ix: ComponentIndex,
        direction: DependencyDirection,
    ) -> impl Iterator<Item = DependencyRef<'_>> + '_ {
        self.inner
            .edges_directed(ix.0, direction.petgraph())
            .map(move |e| DependencyRef {
                index: DependencyIndex(e.id()),
                source: ComponentIndex(e.source()),
                target: ComponentIndex(e.target()),
                graph: self,
            })
    }

    /// Whether a component has no dependency in either direction.
    pub fn is_isolated(&self, ix: ComponentIndex) -> bool {
        self.inner.neighbors_undirected(ix.0).next().is_none()
    }

    /// Systems with their descriptions, including systems only named by a component.
    pub fn systems(&self) -> &BTreeMap<String, SystemInfo> {
        &self.systems
    }

    /// Components within `depth` dependencies of `focus`, in either direction, in id order.
    pub fn neighbourhood(&self, focus: ComponentIndex, depth: usize) -> Vec<ComponentIndex> {
        let focus = focus.0;
        let mut distance = vec![usize::MAX; self.inner.node_count()];
        let mut queue = VecDeque::from([focus]);
        distance[focus.index()] = 0;
        while let Some(ix) = queue.pop_front() {
            let d = distance[ix.index()];
            if d == depth {
                continue;
            }
            for next in self.inner.neighbors_undirected(ix) {
                if distance[next.index()] == usize::MAX {
                    distance[next.index()] = d + 1;
                    queue.push_back(next);
                }
            }
        }
        self.inner
            .node_indices()
            .filter(|ix| distance[ix.index()] != usize::MAX)
            .map(ComponentIndex)
            .collect()
    }

    /// The graph restricted to `keep` and the dependencies among them. Systems named by no kept
    /// component are dropped.
    pub fn subgraph(&self, keep: &[ComponentIndex]) -> Graph {
        let mut kept = vec![false; self.inner.node_count()];
        for ix in keep {
            kept[ix.index()] = true;
        }
        let inner = self.inner.filter_map(
            |ix, c| kept[ix.index()].then(|| c.clone()),
            |_, d| Some(d.clone()),
        );
        let index = inner
            .node_indices()
            .map(|ix| (inner[ix].id.as_str().into(), ix))
            .collect();
        let used: std::collections::BTreeSet<&str> = inner
            .node_weights()
            .filter_map(|c| c.attrs.system.as_deref())
            .collect();
        let systems = self
            .systems
            .iter()
            .filter(|(name, _)| used.contains(name.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Graph {
            inner,
            index,
            systems,
            policies: self.policies.clone(),
            cycles: OnceLock::new(),
        }
    }

    /// Dependency cycles: strongly connected components of the "needs" graph (see
    /// [`DependencyKind::source_needs_target`](super::DependencyKind::source_needs_target)) with
    /// more than one member or a self-loop. Members and cycles are in id order.
    pub fn cycles(&self) -> &[Vec<ComponentIndex>] {
        self.cycles.get_or_init(|| {
            let needs = self
                .inner
                .map(|_, _| (), |_, d| d.kind.source_needs_target());
            let mut oriented: DiGraph<(), ()> =
                DiGraph::with_capacity(needs.node_count(), needs.edge_count());
            for _ in needs.node_indices() {
                oriented.add_node(());
            }
            for e in needs.edge_references() {
                let (a, b) = if *e.weight() {
                    (e.source(), e.target())
                } else {
                    (e.target(), e.source())
                };
                oriented.add_edge(a, b, ());
            }
            let mut cycles: Vec<Vec<ComponentIndex>> = petgraph::algo::tarjan_scc(&oriented)
                .into_iter()
                .filter(|scc| scc.len() > 1 || oriented.contains_edge(scc[0], scc[0]))
                .map(|scc| {
                    let mut scc: Vec<ComponentIndex> =
                        scc.into_iter().map(ComponentIndex).collect();
                    scc.sort_unstable();
                    scc
                })
                .collect();
            cycles.sort_unstable();
            cycles
        })
    }
}

/// A dependency together with its endpoints.
#[derive(Clone, Copy)]
pub struct DependencyRef<'g> {
    pub index: DependencyIndex,
    pub source: ComponentIndex,
    pub target: ComponentIndex,
    graph: &'g Graph,
}

impl<'g> DependencyRef<'g> {
    pub fn from(&self) -> &'g Component {
        &self.graph.inner[self.source.0]
    }

    pub fn to(&self) -> &'g Component {
        &self.graph.inner[self.target.0]
    }

    pub fn dependency(&self) -> &'g Dependency {
        &self.graph.inner[self.index.0]
    }
}
