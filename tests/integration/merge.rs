//! `ripple merge`: fragments from many repositories become one graph; contradictions are
//! reported, never resolved by order.

use crate::util::{diagnostics, ripple};

fn export_to(dir: &std::path::Path, name: &str, input: &str) -> String {
    let path = dir.join(name);
    ripple(&[
        "export",
        input,
        "--format",
        "json",
        "-o",
        path.to_str().unwrap(),
    ])
    .expect_code(0);
    path.to_str().unwrap().to_owned()
}

#[test]
fn merging_fragments_equals_loading_their_sources_together() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = export_to(
        dir.path(),
        "catalog.ripple.json",
        "fixtures/example/catalog",
    );
    let manifests = export_to(
        dir.path(),
        "manifests.ripple.json",
        "fixtures/example/ripple",
    );
    let merged = dir.path().join("graph.json");
    let run = ripple(&[
        "merge",
        &catalog,
        &manifests,
        "-o",
        merged.to_str().unwrap(),
    ]);
    run.expect_code(0);
    assert!(
        run.stderr.starts_with("merged 2 files into"),
        "{}",
        run.stderr
    );
    let direct = export_to(dir.path(), "direct.json", "fixtures/example");
    assert_eq!(
        std::fs::read_to_string(&merged).unwrap(),
        std::fs::read_to_string(direct).unwrap()
    );
}

#[test]
fn a_merged_fragment_names_its_files_relative_to_itself_and_works_from_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let merged = dir.path().join("out/graph.json");
    ripple(&["merge", "fixtures/example", "-o", merged.to_str().unwrap()]).expect_code(0);
    let text = std::fs::read_to_string(&merged).unwrap();
    let fragment: serde_json::Value = serde_json::from_str(&text).unwrap();
    let definitions: Vec<&str> = fragment["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["definition"].as_str())
        .collect();
    assert!(definitions.len() >= 10, "{definitions:?}");
    for d in &definitions {
        assert!(
            dir.path().join("out").join(d).exists(),
            "{d} is not a file relative to the fragment"
        );
    }
    // Run from another directory, the fragment still finds its contracts: reading it from the
    // temporary directory resolves each definition to a file that exists from there.
    let run = crate::util::ripple_with(
        &["export", "out/graph.json", "--format", "json"],
        dir.path(),
        &[("RIPPLE_TODAY", crate::util::TODAY)],
    );
    let exported = run.expect_code(0).json();
    for n in exported["nodes"].as_array().unwrap() {
        if let Some(d) = n["definition"].as_str() {
            assert!(
                dir.path().join(d).exists(),
                "{d} from {}",
                dir.path().display()
            );
        }
    }
}

#[test]
fn merge_order_does_not_matter() {
    let dir = tempfile::tempdir().unwrap();
    let a = export_to(dir.path(), "a.ripple.json", "fixtures/example/catalog");
    let b = export_to(dir.path(), "b.ripple.json", "fixtures/example/ripple");
    let ab = ripple(&["merge", &a, &b]);
    let ba = ripple(&["merge", &b, &a]);
    ab.expect_code(0);
    assert_eq!(ab.stdout, ba.stdout);
}

#[test]
fn merge_combines_facts_that_each_side_knows_alone() {
    // The provider's repository knows the API's version; the consumer's knows who calls it.
    let dir = tempfile::tempdir().unwrap();
    let provider = dir.path().join("provider.ripple.json");
    let consumer = dir.path().join("consumer.ripple.json");
    std::fs::write(&provider, r#"{"ripple": 1, "nodes": [
        {"id": "api:ledger", "kind": "api", "version": "3.1.0", "environments": {"production": "3.1.0"}},
        {"id": "service:ledger", "kind": "service", "owner": "team-ledger"}],
      "edges": [{"from": "service:ledger", "to": "api:ledger", "kind": "provides",
        "evidence": [{"file": "api/ledger.yaml", "line": 1, "rule": "openapi.provides"}]}]}"#).unwrap();
    std::fs::write(
        &consumer,
        r#"{"ripple": 1, "nodes": [
        {"id": "api:ledger", "kind": "api", "owner": "team-ledger"},
        {"id": "service:billing", "kind": "service", "owner": "team-billing"}],
      "edges": [{"from": "service:billing", "to": "api:ledger", "kind": "consumes", "version": "^3",
        "evidence": [{"file": "src/ledger.go", "line": 17, "rule": "go.http.client"}]}]}"#,
    )
    .unwrap();
    let run = ripple(&[
        "merge",
        provider.to_str().unwrap(),
        consumer.to_str().unwrap(),
    ]);
    let json = run.expect_code(0).json();
    let api = &json["nodes"][0];
    assert_eq!(api["id"], "api:ledger");
    assert_eq!(api["owner"], "team-ledger");
    assert_eq!(api["version"], "3.1.0");
    assert_eq!(json["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(json["edges"].as_array().unwrap().len(), 2);
    assert_eq!(json["edges"][0]["version"], "^3");
}

#[test]
fn merge_reports_conflicts_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("graph.json");
    let run = ripple(&[
        "merge",
        "fixtures/invalid/conflict/orders-repo.ripple.json",
        "fixtures/invalid/conflict/checkout-repo.ripple.json",
        "-o",
        out.to_str().unwrap(),
    ]);
    run.expect_code(2);
    let lines = diagnostics(&run.stderr);
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(lines[0].contains("error[conflict]: conflicting owner of api:orders-api"));
    assert!(lines[1].contains("conflicting version of api:orders-api in environment `production`"));
    assert!(
        !out.exists(),
        "no output is written when the inputs contradict each other"
    );
}

#[test]
fn conflicting_version_requirements_on_one_edge() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.ripple.json");
    let b = dir.path().join("b.ripple.json");
    let edge = |req: &str| {
        format!(
            r#"{{"ripple": 1, "nodes": [
        {{"id": "api:x", "kind": "api"}}, {{"id": "service:y", "kind": "service"}}],
      "edges": [{{"from": "service:y", "to": "api:x", "kind": "consumes", "version": "{req}",
        "evidence": [{{"file": "f", "line": 1, "rule": "r"}}]}}]}}"#
        )
    };
    std::fs::write(&a, edge("^1.2")).unwrap();
    std::fs::write(&b, edge("^2.0")).unwrap();
    let run = ripple(&["merge", a.to_str().unwrap(), b.to_str().unwrap()]);
    run.expect_code(2);
    let lines = diagnostics(&run.stderr);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    // The edge of the second file, at its `to` value (line 3, after 44 characters).
    assert!(lines[0].contains("b.ripple.json:3:45: "), "{}", lines[0]);
    assert!(lines[0].contains("conflicting version requirement of service:y consumes api:x: `^2.0` here, but `^1.2` at"), "{}", lines[0]);
}
