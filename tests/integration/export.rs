//! `ripple export`: JSON round trip, determinism, DOT that Graphviz renders cleanly, Mermaid,
//! and neighbourhoods.

use std::process::Command;

use crate::util::{repo_root, ripple};

#[test]
fn json_round_trips_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.ripple.json");
    let second = dir.path().join("second.ripple.json");
    ripple(&[
        "export",
        "fixtures/example",
        "--format",
        "json",
        "-o",
        first.to_str().unwrap(),
    ])
    .expect_code(0);
    ripple(&[
        "export",
        first.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        second.to_str().unwrap(),
    ])
    .expect_code(0);
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        std::fs::read_to_string(&second).unwrap()
    );
    // Read back, the fragment names every file as the sources did.
    let direct = ripple(&["export", "fixtures/example", "--format", "json"]);
    let again = ripple(&["export", first.to_str().unwrap(), "--format", "json"]);
    assert_eq!(direct.stdout, again.stdout);
}

#[test]
fn exports_are_deterministic() {
    for format in ["json", "dot", "mermaid"] {
        let a = ripple(&["export", "fixtures/example", "--format", format]);
        let b = ripple(&[
            "export",
            "fixtures/example/catalog",
            "fixtures/example/ripple",
            "--format",
            format,
        ]);
        a.expect_code(0);
        assert_eq!(a.stdout, b.stdout, "{format} differs between runs");
    }
}

#[test]
fn json_is_sorted_and_carries_evidence() {
    let run = ripple(&["export", "fixtures/example", "--format", "json"]);
    let json = run.expect_code(0).json();
    let nodes = json["nodes"].as_array().unwrap();
    let ids: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let edges = json["edges"].as_array().unwrap();
    let keys: Vec<(&str, &str, &str)> = edges
        .iter()
        .map(|e| {
            (
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    for edge in edges {
        let evidence = edge["evidence"].as_array().unwrap();
        assert!(!evidence.is_empty(), "edge without evidence: {edge}");
        for e in evidence {
            assert!(
                e["file"].as_str().unwrap().starts_with("fixtures/example/"),
                "{e}"
            );
            assert!(e["line"].as_u64().unwrap() > 0);
        }
    }
}

fn graphviz(dot: &str) -> (bool, String, String) {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("Graphviz `dot` is installed (apt-get install -y graphviz)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn dot_renders_with_graphviz_without_warnings() {
    let run = ripple(&["export", "fixtures/example", "--format", "dot"]);
    run.expect_code(0);
    let (ok, svg, warnings) = graphviz(&run.stdout);
    assert!(ok, "dot failed: {warnings}");
    assert!(warnings.is_empty(), "Graphviz warned: {warnings}");
    assert!(svg.contains("<svg"));
    // Every component appears in the picture.
    assert!(svg.contains("order&#45;service") || svg.contains("order-service"));
}

#[test]
fn dot_has_a_cluster_per_system_and_shapes_per_kind() {
    let dot = ripple(&["export", "fixtures/example", "--format", "dot"]).stdout;
    let systems = ripple(&["graph", "fixtures/example", "--format", "json"]).json()["systems"]
        .as_object()
        .unwrap()
        .len();
    assert_eq!(dot.matches("subgraph cluster_").count(), systems);
    let line = |id: &str| {
        dot.lines()
            .find(|l| l.trim_start().starts_with(&format!("\"{id}\" [")))
            .unwrap_or_else(|| panic!("no node line for {id}"))
            .to_owned()
    };
    assert!(line("datastore:orders-db").contains("shape=cylinder"));
    assert!(line("topic:order-events").contains("shape=cds"));
    assert!(line("service:order-service").contains("shape=box"));
    assert!(line("api:orders-api-v2").contains("shape=component"));
    // Edge styles follow the dependency kind.
    let edge = dot
        .lines()
        .find(|l| l.contains("\"service:order-service\" -> \"topic:order-events\""))
        .unwrap();
    assert!(
        edge.contains("label=\"publishes\"") && edge.contains("style=dashed"),
        "{edge}"
    );
}

#[test]
fn focused_dot_renders_too() {
    let run = ripple(&[
        "export",
        "fixtures/example",
        "--format",
        "dot",
        "--focus",
        "api:orders-api-v1",
        "--depth",
        "2",
    ]);
    run.expect_code(0);
    let (ok, _, warnings) = graphviz(&run.stdout);
    assert!(ok && warnings.is_empty(), "{warnings}");
}

#[test]
fn mermaid_has_a_subgraph_per_system_and_every_edge() {
    let mermaid = ripple(&["export", "fixtures/example", "--format", "mermaid"]).stdout;
    let summary = ripple(&["graph", "fixtures/example", "--format", "json"]).json();
    assert!(mermaid.starts_with("flowchart LR\n"));
    assert_eq!(
        mermaid
            .lines()
            .filter(|l| l.trim_start().starts_with("subgraph "))
            .count(),
        summary["systems"].as_object().unwrap().len()
    );
    let edges = mermaid
        .lines()
        .filter(|l| {
            l.contains("|") && (l.contains("-->") || l.contains("==>") || l.contains("-.->"))
        })
        .count();
    assert_eq!(edges as u64, summary["dependencies"].as_u64().unwrap());
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.dot");
    let run = ripple(&[
        "export",
        "fixtures/example",
        "--format",
        "dot",
        "-o",
        path.to_str().unwrap(),
    ]);
    run.expect_code(0);
    assert!(run.stdout.is_empty());
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with("digraph {"));
    let _ = repo_root();
}

#[test]
fn focus_keeps_the_neighbourhood_within_depth() {
    let ids = |depth: &str| -> Vec<String> {
        ripple(&[
            "export",
            "fixtures/example",
            "--focus",
            "api:orders-api-v1",
            "--depth",
            depth,
        ])
        .expect_code(0)
        .json()["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // orders-api-v1 is provided by order-service and still consumed by invoicing and shipping
    // (fixtures/README.md): nothing else is one dependency away.
    assert_eq!(
        ids("1"),
        [
            "api:orders-api-v1",
            "service:invoicing-service",
            "service:order-service",
            "service:shipping-service"
        ]
    );
    assert_eq!(ids("0"), ["api:orders-api-v1"]);
    let two = ids("2");
    assert!(
        two.len() > 4 && two.contains(&"api:orders-api-v2".to_owned()),
        "{two:?}"
    );
}
