//! `ripple graph` on the example system, against the facts counted by hand in fixtures/README.md.

use serde_json::json;

use crate::util::ripple;

fn summary(path: &str) -> serde_json::Value {
    ripple(&["graph", path, "--format", "json"])
        .expect_code(0)
        .json()
}

#[test]
fn counts_match_the_hand_counted_facts() {
    let s = summary("fixtures/example");
    assert_eq!(s["components"], 64);
    assert_eq!(s["dependencies"], 111);
    assert_eq!(
        s["by_kind"],
        json!({"service": 20, "api": 17, "topic": 7, "datastore": 16, "library": 4})
    );
    assert_eq!(
        s["by_dependency_kind"],
        json!({"provides": 17, "consumes": 31, "publishes": 8, "subscribes": 9,
               "reads": 15, "writes": 15, "depends-on": 14, "calls": 2})
    );
    assert_eq!(
        s["systems"],
        json!({"fulfilment": 10, "identity": 6, "orders": 11, "payments": 11,
               "pharmacy": 3, "platform": 10, "storefront": 13})
    );
    assert_eq!(
        s["owners"],
        json!({"team-catalog": 8, "team-data": 3, "team-fulfilment": 10, "team-identity": 6,
               "team-orders": 11, "team-payments": 11, "team-pharmacy": 3, "team-platform": 7,
               "team-web": 5})
    );
    assert_eq!(s["unowned"], json!([]));
}

#[test]
fn the_order_inventory_cycle_is_found_with_the_apis_it_runs_through() {
    let s = summary("fixtures/example");
    assert_eq!(
        s["cycles"],
        json!([[
            "api:inventory-api",
            "api:orders-api-v2",
            "service:inventory-service",
            "service:order-service"
        ]])
    );
    assert_eq!(s["orphans"], json!(["datastore:legacy-reports-db"]));
}

#[test]
fn both_input_formats_give_the_same_summary() {
    assert_eq!(
        summary("fixtures/example/catalog"),
        summary("fixtures/example/ripple")
    );
}

#[test]
fn text_summary_reads_well() {
    let run = ripple(&["graph", "fixtures/example"]);
    run.expect_code(0);
    let out = run.stdout;
    assert!(
        out.starts_with("64 components, 111 dependencies from 16 model files\n"),
        "{out}"
    );
    assert!(out.contains("\ncycles (1)\n  api:inventory-api, api:orders-api-v2, service:inventory-service, service:order-service\n"));
    assert!(out.contains("\norphans (1)\n  datastore:legacy-reports-db\n"));
    assert!(out.contains("\n  depends-on        14\n"), "{out}");
}

#[test]
fn a_cycle_through_calls_and_a_self_loop_are_cycles_a_shared_datastore_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ripple.yaml");
    std::fs::write(
        &path,
        "services:\n  a:\n    calls: [b]\n    writes: [db]\n  b:\n    calls: [a]\n    reads: [db]\n  c:\n    calls: [c]\ndatastores:\n  db: {}\n",
    )
    .unwrap();
    let run = ripple(&["graph", path.to_str().unwrap(), "--format", "json"]);
    let s = run.expect_code(0).json();
    assert_eq!(
        s["cycles"],
        json!([["service:a", "service:b"], ["service:c"]])
    );
}
