//! The synthetic organisations of the benches (`benches/support/synth.rs`, included here by path
//! as the benches include it): they load without a warning, in the shape asked for, the same way
//! every time.

use std::collections::BTreeMap;

use ripple::load::load_text;
use ripple::model::DependencyDirection;
use ripple::model::{DependencyKind, Kind};

#[path = "../../benches/support/synth.rs"]
mod generator;

use generator::{OrgShape, fragment_json};

fn small() -> OrgShape {
    OrgShape::new(500, 4000)
}

#[test]
fn a_small_organisation_loads_cleanly_with_the_shape_asked_for() {
    let shape = small();
    let loaded = load_text("org.ripple.json", &fragment_json(&shape)).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let graph = &loaded.graph;
    assert_eq!(graph.component_count(), shape.components);
    assert_eq!(graph.dependency_count(), shape.edges);
    let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    for (_, c) in graph.components() {
        *by_kind.entry(c.kind).or_default() += 1;
    }
    assert_eq!(by_kind[&Kind::Service], 200);
    assert_eq!(by_kind[&Kind::Api], 125);
    assert_eq!(by_kind[&Kind::Topic], 50);
    assert_eq!(by_kind[&Kind::Datastore], 75);
    assert_eq!(by_kind[&Kind::Library], 50);
}

#[test]
fn every_api_has_exactly_one_provider() {
    let loaded = load_text("org.ripple.json", &fragment_json(&small())).unwrap();
    let graph = &loaded.graph;
    for (ix, c) in graph.components().filter(|(_, c)| c.kind == Kind::Api) {
        let providers = graph
            .dependencies_of(ix, DependencyDirection::Reverse)
            .filter(|d| d.dependency().kind == DependencyKind::Provides)
            .count();
        assert_eq!(providers, 1, "{}", c.id);
    }
}

#[test]
fn consumers_accept_what_providers_run_and_a_few_apis_are_hubs() {
    let loaded = load_text(
        "org.ripple.json",
        &fragment_json(&OrgShape::new(2000, 15000)),
    )
    .unwrap();
    let graph = &loaded.graph;
    let mut fan_in = Vec::new();
    for (ix, api) in graph.components().filter(|(_, c)| c.kind == Kind::Api) {
        let mut consumers = 0;
        for dep in graph.dependencies_of(ix, DependencyDirection::Reverse) {
            let d = dep.dependency();
            assert_eq!(d.evidence.len(), 1);
            if d.kind != DependencyKind::Consumes {
                continue;
            }
            consumers += 1;
            let req = d.version.as_ref().expect("consumers state a requirement");
            assert!(
                req.matches(api.attrs.version.as_ref().unwrap()),
                "{req} {}",
                api.id
            );
            for v in api.attrs.environments.values() {
                assert!(req.matches(v), "{req} {v} {}", api.id);
            }
            assert!((1..=3).contains(&d.uses.len()));
        }
        fan_in.push(consumers);
    }
    fan_in.sort_unstable();
    let median = fan_in[fan_in.len() / 2];
    let top = fan_in[fan_in.len() - 1];
    assert!(top >= 10 * median.max(1), "top {top}, median {median}");
    // Only the deliberate mutual calls make cycles, and they stay small.
    let cycles = graph.cycles();
    assert!(!cycles.is_empty());
    assert!(cycles.iter().all(|c| c.len() <= 12), "{cycles:?}");
}

#[test]
fn output_depends_on_the_seed_only() {
    let shape = small();
    assert_eq!(fragment_json(&shape), fragment_json(&shape));
    assert_ne!(fragment_json(&shape), fragment_json(&shape.with_seed(7)));
}

#[test]
fn tiny_and_edge_starved_shapes_still_load() {
    for (components, edges) in [(0, 0), (1, 0), (7, 3), (40, 200), (100, 10)] {
        let text = fragment_json(&OrgShape::new(components, edges));
        let loaded = load_text("org.ripple.json", &text).unwrap();
        assert_eq!(loaded.graph.component_count(), components);
        assert_eq!(loaded.graph.dependency_count(), edges);
    }
}

#[test]
#[should_panic(expected = "cannot hold")]
fn impossible_density_is_refused() {
    fragment_json(&OrgShape::new(10, 10_000));
}

#[test]
fn the_fragment_is_what_the_loader_reads_and_the_same_every_time() {
    let shape = OrgShape::new(300, 2500);
    let text = fragment_json(&shape);
    assert_eq!(text, fragment_json(&shape), "same shape, same bytes");
    // Plain JSON with the keys of the fragment format, one node or edge per line.
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["edges", "nodes", "ripple", "systems"]);
    assert_eq!(value["ripple"], 1);
    assert_eq!(
        text.lines().count(),
        // `{`, `"ripple"`, the systems' key and closer, the nodes', the edges', `}`.
        1 + 1
            + value["systems"].as_object().unwrap().len()
            + 2
            + shape.components
            + 2
            + shape.edges
            + 2
            + 1
    );
    // Loading it warns about nothing, and writing the graph back gives the same nodes and edges:
    // every field the generator writes is one the loader keeps.
    let loaded = load_text("org.ripple.json", &text).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let mut exported = Vec::new();
    ripple::load::fragment::write(&loaded.graph, &mut exported).unwrap();
    let exported: serde_json::Value = serde_json::from_slice(&exported).unwrap();
    assert_eq!(exported["nodes"], value["nodes"]);
    assert_eq!(exported["edges"], value["edges"]);
    assert_eq!(exported["systems"], value["systems"]);
}
