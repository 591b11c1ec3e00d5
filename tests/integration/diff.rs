//! `ripple diff` end to end: consumer verdicts from the example system's graph, semver discipline,
//! every output format, and bad contracts (exit 2 with file, line and reason).

use crate::util::ripple;

const OLD: &str = "fixtures/example/specs/orders-api-v2.openapi.yaml";
const NEW: &str = "fixtures/example/proposed/orders-api-v2.openapi.yaml";

#[test]
fn breaking_changes_name_the_consumers_they_break() {
    // The proposal adds a `refunded` order status (every operation returning an Order: one change
    // to the shared schema, affecting all three), removes the cancel operation (no consumer lists
    // it in `uses`) and ships as 2.5.0, a minor bump.
    let run = ripple(&[
        "diff",
        OLD,
        NEW,
        "--graph",
        "fixtures/example",
        "--format",
        "json",
    ]);
    let report = run.expect_code(1).json();
    assert_eq!(report["api"], "api:orders-api-v2");
    assert_eq!(report["summary"]["breaking"], 3);
    let changes = report["changes"].as_array().unwrap();
    let find = |rule: &str, element: &str| {
        changes
            .iter()
            .find(|c| c["rule"] == rule && c["element"] == element)
            .unwrap_or_else(|| panic!("no {rule} on {element}: {report}"))
    };
    let status = find("openapi.response.enum.value-added", "schema Order");
    assert_eq!(
        status["affects"],
        serde_json::json!(["GET /orders", "GET /orders/{orderId}", "POST /orders"])
    );
    assert_eq!(
        status["consumers"]["breaks"],
        serde_json::json!([
            "service:checkout-service",
            "service:inventory-service",
            "service:storefront-bff"
        ])
    );
    let cancel = find("openapi.path.removed", "POST /orders/{orderId}/cancel");
    assert_eq!(cancel["consumers"]["breaks"], serde_json::json!([]));
    assert_eq!(cancel["old"]["line"], 73);
    let semver = find("semver.breaking-change-without-major", "version");
    assert!(
        semver["message"]
            .as_str()
            .unwrap()
            .contains("2.4.0 -> 2.5.0")
    );
    let added = find("openapi.request.property.added-optional", "POST /orders");
    assert_eq!(added["class"], "non-breaking");
    assert!(added.get("consumers").is_none());
    let text = ripple(&["diff", OLD, NEW, "--graph", "fixtures/example"]).stdout;
    assert!(text.contains("  no known consumer uses it\n"), "{text}");
}

#[test]
fn without_breaking_changes_diff_exits_0() {
    let run = ripple(&["diff", OLD, OLD]);
    run.expect_code(0);
    assert!(
        run.stdout
            .ends_with("0 changes: 0 breaking, 0 deprecations, 0 non-breaking\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn every_ci_format_reports_the_same_findings() {
    let junit = ripple(&["diff", OLD, NEW, "--format", "junit"]);
    junit.expect_code(1);
    assert!(
        junit
            .stdout
            .contains(r#"<testsuites name="ripple" tests="4" failures="3" errors="0">"#),
        "{}",
        junit.stdout
    );
    let sarif = ripple(&["diff", OLD, NEW, "--format", "sarif"]).json();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let errors = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(errors, 3);
    let located = results
        .iter()
        .find(|r| r["ruleId"] == "openapi.path.removed")
        .unwrap();
    assert_eq!(
        located["locations"][0]["physicalLocation"]["region"]["startLine"],
        73
    );
    let rules: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"semver.breaking-change-without-major"),
        "{rules:?}"
    );
    let github = ripple(&["diff", OLD, NEW, "--format", "github"]).stdout;
    assert_eq!(
        github.lines().filter(|l| l.starts_with("::error ")).count(),
        3,
        "{github}"
    );
    assert!(github.contains("::error file=fixtures/example/specs/orders-api-v2.openapi.yaml,line=73,col=7,title=openapi.path.removed::"), "{github}");
    assert_eq!(
        github
            .lines()
            .filter(|l| l.starts_with("::notice "))
            .count(),
        1
    );
    let markdown = ripple(&["diff", OLD, NEW, "--format", "markdown"]).stdout;
    assert!(markdown.contains("❌ **3 breaking changes**"), "{markdown}");
    assert_eq!(
        markdown.lines().filter(|l| l.starts_with("| ❌ |")).count(),
        3
    );
}

#[test]
fn an_unparsable_contract_names_the_place() {
    let run = ripple(&["diff", "fixtures/contracts-invalid/unparsable.yaml", OLD]);
    run.expect_code(2);
    assert!(run.stdout.is_empty());
    let first = run.stderr.lines().next().unwrap();
    assert!(
        first.starts_with("fixtures/contracts-invalid/unparsable.yaml:")
            && first.contains(": error[syntax]: malformed YAML/JSON:"),
        "{}",
        run.stderr
    );
}

#[test]
fn dangling_refs_are_all_reported_with_their_places() {
    let run = ripple(&["diff", "fixtures/contracts-invalid/dangling-ref.yaml", OLD]);
    run.expect_code(2);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "fixtures/contracts-invalid/dangling-ref.yaml:14:23: error[dangling-reference]: `$ref: #/components/schemas/Order` points at nothing: `Order` is not in fixtures/contracts-invalid/dangling-ref.yaml",
            "fixtures/contracts-invalid/dangling-ref.yaml:18:17: error[dangling-reference]: `$ref: ./parameters.yaml#/OrderId` names fixtures/contracts-invalid/parameters.yaml, which does not exist",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_and_mismatched_formats_are_errors() {
    let run = ripple(&[
        "diff",
        "fixtures/contracts-invalid/not-a-contract.yaml",
        OLD,
    ]);
    run.expect_code(2);
    assert!(run.stderr.contains("fixtures/contracts-invalid/not-a-contract.yaml: error[unknown-format]: unknown contract format"), "{}", run.stderr);
    let run = ripple(&["diff", OLD, "fixtures/example/specs/cart.proto"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("is openapi but fixtures/example/specs/cart.proto is protobuf"),
        "{}",
        run.stderr
    );
    let run = ripple(&["diff", OLD, "fixtures/nope.yaml"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("fixtures/nope.yaml: error[io]: cannot read: no such file or directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_api_that_is_not_in_the_graph_is_an_error() {
    let run = ripple(&[
        "diff",
        OLD,
        NEW,
        "--graph",
        "fixtures/example",
        "--api",
        "api:nope",
    ]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("--api api:nope: no such component in the model"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_protobuf_field_change_reaches_consumers_of_the_rpcs_that_carry_it() {
    // StockLevel.allocated is returned by GetStock, ReserveStock and WatchStock. A consumer that
    // lists `ReserveStock` is broken by its removal; one that lists only `ListWarehouses` is not.
    let dir = tempfile::tempdir().unwrap();
    let case = "fixtures/contracts/protobuf.field.removed-without-reserve";
    let root = crate::util::repo_root();
    std::fs::write(
        dir.path().join("ripple.yaml"),
        format!(
            "services:\n  checkout:\n    consumes:\n      - api: inventory-api\n        uses: [ReserveStock]\n  reports:\n    consumes:\n      - api: inventory-api\n        uses: [ListWarehouses]\napis:\n  inventory-api:\n    definition: {}\n",
            root.join(case).join("old.proto").display()
        ),
    )
    .unwrap();
    let model = dir.path().join("ripple.yaml");
    let run = ripple(&[
        "diff",
        &format!("{case}/old.proto"),
        &format!("{case}/new.proto"),
        "--graph",
        model.to_str().unwrap(),
        "--api",
        "api:inventory-api",
        "--format",
        "json",
    ]);
    let report = run.expect_code(1).json();
    let change = &report["changes"][0];
    assert_eq!(change["rule"], "protobuf.field.removed-without-reserve");
    assert_eq!(
        change["consumers"]["breaks"],
        serde_json::json!(["service:checkout"])
    );
}

#[test]
fn a_migration_breaks_the_readers_that_use_the_changed_table() {
    // The proposed V5 drops orders.total_cents and narrows orders.status. finance-reporting says it
    // reads `table orders`; order-service reads and writes the store without saying what it uses.
    let run = ripple(&[
        "diff",
        "fixtures/example/migrations/orders-db",
        "fixtures/example/proposed/orders-db",
        "--graph",
        "fixtures/example",
        "--format",
        "json",
    ]);
    let report = run.expect_code(1).json();
    assert_eq!(report["format"], "sql");
    assert_eq!(report["api"], "datastore:orders-db");
    let removed = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "sql.column.removed")
        .unwrap();
    assert_eq!(removed["element"], "column orders.total_cents");
    assert_eq!(
        removed["old"]["file"],
        "fixtures/example/migrations/orders-db/V1__orders.sql"
    );
    assert_eq!(removed["old"]["line"], 6);
    assert_eq!(
        removed["new"]["file"],
        "fixtures/example/proposed/orders-db/V5__money_columns.sql"
    );
    assert_eq!(removed["new"]["line"], 3);
    assert_eq!(
        removed["consumers"]["breaks"],
        serde_json::json!(["service:finance-reporting"])
    );
    assert_eq!(
        removed["consumers"]["may_break"],
        serde_json::json!(["service:order-service"])
    );
}

#[test]
fn pact_files_tell_which_consumers_exercise_an_operation() {
    // storefront-bff's pact exercises POST /orders/ord-1001/cancel: with the pacts, the removed
    // cancel operation breaks it, where the manifests alone knew no consumer of it.
    let run = ripple(&[
        "diff",
        OLD,
        NEW,
        "--graph",
        "fixtures/example",
        "fixtures/pacts",
        "--format",
        "json",
    ]);
    let report = run.expect_code(1).json();
    let cancel = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["element"] == "POST /orders/{orderId}/cancel")
        .unwrap();
    assert_eq!(
        cancel["consumers"]["breaks"],
        serde_json::json!(["service:storefront-bff"])
    );
}

#[test]
fn pacts_load_as_calls_with_the_requests_they_exercise() {
    let graph = ripple(&["export", "fixtures/pacts", "--format", "json"])
        .expect_code(0)
        .json();
    let ids: Vec<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    // "Shipping Service" and "Order Service" are pact names: lower-cased, spaces as dashes.
    assert_eq!(
        ids,
        [
            "service:order-service",
            "service:shipping-service",
            "service:storefront-bff"
        ]
    );
    let edges = graph["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["from"], "service:shipping-service");
    assert_eq!(edges[0]["kind"], "calls");
    assert_eq!(
        edges[0]["uses"],
        serde_json::json!(["GET /orders/ord-2002", "an order-paid event"])
    );
    assert_eq!(edges[0]["evidence"][0]["rule"], "pact.interaction");
    assert_eq!(
        edges[1]["uses"],
        serde_json::json!([
            "GET /orders",
            "GET /orders/ord-1001",
            "POST /orders/ord-1001/cancel"
        ])
    );
}

#[test]
fn versions_come_from_info_version_and_the_command_line_overrides_them() {
    let old = "fixtures/example/specs/orders-api-v2.openapi.yaml";
    let new = "fixtures/example/proposed/orders-api-v2.openapi.yaml";
    let report = ripple(&["diff", old, new, "--format", "json"]).json();
    assert_eq!(report["old_version"], "2.4.0");
    assert_eq!(report["new_version"], "2.5.0");
    let overridden = ripple(&[
        "diff",
        old,
        new,
        "--format",
        "json",
        "--new-version",
        "3.0.0",
    ])
    .json();
    assert_eq!(overridden["old_version"], "2.4.0");
    assert_eq!(overridden["new_version"], "3.0.0");
    let events = "fixtures/example/specs/order-events.asyncapi.yaml";
    let same = ripple(&["diff", events, events, "--format", "json"]).json();
    assert_eq!(same["old_version"], "1.3.0");
    assert_eq!(same["new_version"], "1.3.0");
}
