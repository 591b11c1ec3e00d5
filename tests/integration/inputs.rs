//! The two hand-written input formats: ripple.yaml and Backstage catalogs.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::{diagnostics, ripple};

fn export(path: &str) -> Value {
    ripple(&["export", path, "--format", "json"])
        .expect_code(0)
        .json()
}

fn edge_set(graph: &Value) -> BTreeSet<(String, String, String)> {
    graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["from"].as_str().unwrap().to_owned(),
                e["to"].as_str().unwrap().to_owned(),
                e["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn manifests_and_catalog_describe_the_same_graph() {
    let manifests = export("fixtures/example/ripple");
    let catalog = export("fixtures/example/catalog");
    assert_eq!(edge_set(&manifests), edge_set(&catalog));
    let m = manifests["nodes"].as_array().unwrap();
    let c = catalog["nodes"].as_array().unwrap();
    assert_eq!(m.len(), c.len());
    for (m, c) in m.iter().zip(c) {
        let mut m = m.clone();
        // Backstage has no versions: only the manifests know them.
        m.as_object_mut().unwrap().remove("version");
        m.as_object_mut().unwrap().remove("environments");
        assert_eq!(&m, c);
    }
    assert_eq!(manifests["systems"], catalog["systems"]);
}

#[test]
fn manifests_carry_versions_requirements_and_uses() {
    let graph = export("fixtures/example/ripple");
    let node = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "service:order-service")
        .unwrap();
    assert_eq!(node["version"], "2.5.0");
    assert_eq!(node["environments"]["production"], "2.4.0");
    assert_eq!(node["environments"]["staging"], "2.5.0");
    assert_eq!(node["tier"], 1);
    assert_eq!(node["compliance"], serde_json::json!(["gdpr", "sox"]));
    let edge = graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == "service:order-service" && e["to"] == "api:inventory-api")
        .unwrap();
    assert_eq!(edge["kind"], "consumes");
    assert_eq!(edge["version"], "^3.1");
    assert_eq!(
        edge["uses"],
        serde_json::json!(["ReleaseReservation", "ReserveStock"])
    );
    assert_eq!(
        edge["evidence"][0]["file"],
        "fixtures/example/ripple/orders.ripple.yaml"
    );
    assert_eq!(edge["evidence"][0]["line"], 93);
    assert_eq!(edge["evidence"][0]["rule"], "ripple-yaml.consumes");
}

#[test]
fn definitions_resolve_relative_to_the_declaring_file() {
    let graph = export("fixtures/example");
    let api = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "api:cart-api")
        .unwrap();
    assert_eq!(api["definition"], "fixtures/example/specs/cart.proto");
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn backstage_references_namespaces_and_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "catalog-info.yaml",
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: invoicer
  namespace: billing
  annotations:
    ripple.dev/tier: "2"
    ripple.dev/compliance: "sox, pci"
    ripple.dev/publishes: invoice-issued
    backstage.io/source-location: url:https://git.example.com/billing/invoicer/
spec:
  type: service
  owner: group:billing/team-invoicing
  system: system:default/finance
  providesApis: [billing/invoices]
  dependsOn: [component:pdf-kit, resource:default/invoices-db, system:finance]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: invoices, namespace: billing}
spec:
  type: openapi
  owner: team-invoicing
  definition:
    $text: ./openapi/invoices.yaml
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: pdf-kit}
spec: {type: library, owner: team-invoicing}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: invoices-db}
spec: {type: database, owner: team-invoicing}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: invoice-issued}
spec: {type: kafka-topic, owner: team-invoicing}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: jdoe}
spec: {memberOf: [team-invoicing]}
"#,
    );
    let run = ripple(&["export", &path, "--format", "json"]);
    let graph = run.expect_code(0).json();
    // `dependsOn: system:finance` is valid Backstage that ripple does not model: a warning.
    assert_eq!(diagnostics(&run.stderr).len(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning[unknown-kind]: ignored `system:finance`")
    );
    let ids: Vec<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "api:billing/invoices",
            "datastore:invoices-db",
            "library:pdf-kit",
            "service:billing/invoicer",
            "topic:invoice-issued"
        ]
    );
    let invoicer = &graph["nodes"][3];
    assert_eq!(invoicer["owner"], "billing/team-invoicing");
    assert_eq!(invoicer["system"], "finance");
    assert_eq!(invoicer["tier"], 2);
    assert_eq!(invoicer["compliance"], serde_json::json!(["pci", "sox"]));
    assert_eq!(
        invoicer["repository"],
        "https://git.example.com/billing/invoicer/"
    );
    let definition = graph["nodes"][0]["definition"].as_str().unwrap();
    assert!(
        definition.ends_with("/openapi/invoices.yaml") && !definition.contains("./"),
        "{definition}"
    );
    let edges: Vec<(String, String, String)> = edge_set(&graph).into_iter().collect();
    assert_eq!(
        edges,
        [
            (
                "service:billing/invoicer",
                "api:billing/invoices",
                "provides"
            ),
            (
                "service:billing/invoicer",
                "datastore:invoices-db",
                "depends-on"
            ),
            ("service:billing/invoicer", "library:pdf-kit", "depends-on"),
            (
                "service:billing/invoicer",
                "topic:invoice-issued",
                "publishes"
            ),
        ]
        .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
    );
}

#[test]
fn backstage_component_refs_resolve_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        &dir,
        "a.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\nspec:\n  type: website\n  dependsOn: [component:ui-kit, resource:sessions]\n",
    );
    let b = write(
        &dir,
        "b.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: ui-kit}\nspec: {type: library}\n---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: sessions}\nspec: {type: sqs-queue}\n",
    );
    let graph = ripple(&["export", &a, &b, "--format", "json"])
        .expect_code(0)
        .json();
    let edges: Vec<_> = edge_set(&graph).into_iter().map(|(_, to, _)| to).collect();
    assert_eq!(edges, ["library:ui-kit", "topic:sessions"]);
}

#[test]
fn manifest_defaults_shorthands_and_full_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "ripple.yaml",
        r#"ripple: 1
system: shop
owner: team-shop
services:
  web:
    owner: team-web
    consumes:
      - catalog                 # shorthand: an api
      - api: search
        version: ">=1.2, <2"
    depends-on: [ui, "service:auth"]
    calls: [auth]
  auth: {}
apis:
  catalog: {}
  search: {system: discovery}
libraries:
  ui: {}
"#,
    );
    let graph = export(&path);
    let nodes = graph["nodes"].as_array().unwrap();
    let find = |id: &str| nodes.iter().find(|n| n["id"] == id).unwrap();
    assert_eq!(find("service:web")["owner"], "team-web");
    assert_eq!(find("service:auth")["owner"], "team-shop");
    assert_eq!(find("api:search")["system"], "discovery");
    assert_eq!(find("library:ui")["system"], "shop");
    let edges: Vec<(String, String, String)> = edge_set(&graph).into_iter().collect();
    assert_eq!(
        edges,
        [
            ("service:web", "api:catalog", "consumes"),
            ("service:web", "api:search", "consumes"),
            ("service:web", "library:ui", "depends-on"),
            ("service:web", "service:auth", "calls"),
            ("service:web", "service:auth", "depends-on"),
        ]
        .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
    );
    assert_eq!(graph["edges"][1]["version"], ">=1.2, <2");
}

#[test]
fn yaml_anchors_and_merge_keys_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "ripple.yaml",
        "x-defaults: &defaults\n  owner: team-a\n  tier: 2\nservices:\n  a:\n    <<: *defaults\n    tier: 1\n",
    );
    // `x-` keys are extensions that hold anchors; other unknown keys are still errors.
    let graph = export(&path);
    assert_eq!(graph["nodes"][0]["owner"], "team-a");
    assert_eq!(graph["nodes"][0]["tier"], 1);
    let path = write(&dir, "ripple.yaml", "defaults: {}\nservices: {}\n");
    let run = ripple(&["validate", &path]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("ripple.yaml:1:1: error[unknown-field]: unknown key `defaults`"),
        "{}",
        run.stderr
    );
    let path = write(
        &dir,
        "ripple.yaml",
        "services:\n  a: &a\n    owner: team-a\n    tier: 2\n  b:\n    <<: *a\n    tier: 1\n",
    );
    let graph = export(&path);
    assert_eq!(graph["nodes"][1]["owner"], "team-a");
    assert_eq!(graph["nodes"][1]["tier"], 1);
}

#[test]
fn a_root_location_file_loads_the_whole_catalog() {
    // catalog/catalog-info.yaml holds only a Location entity listing the other files.
    let from_root = ripple(&[
        "graph",
        "fixtures/example/catalog/catalog-info.yaml",
        "--format",
        "json",
    ]);
    let from_dir = ripple(&["graph", "fixtures/example/catalog", "--format", "json"]);
    assert_eq!(
        from_root.expect_code(0).json(),
        from_dir.expect_code(0).json()
    );
}

#[test]
fn location_targets_that_match_nothing_are_errors_urls_are_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\nspec:\n  targets:\n    - ./teams/*/catalog-info.yaml\n    - https://github.com/acme/x/blob/main/catalog-info.yaml\n    - ./missing.yaml\n",
    );
    std::fs::create_dir_all(dir.path().join("teams/a")).unwrap();
    write(
        &dir,
        "teams/a/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service}\n",
    );
    let run = ripple(&["validate", &path]);
    run.expect_code(2);
    let lines = diagnostics(&run.stderr);
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0].ends_with("catalog-info.yaml:8:7: error[io]: location target `")
            || lines[0].contains(":8:7: error[io]: location target `"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with("/missing.yaml` matches no file"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains(":7:7: warning[io]: not followed: location target `https://github.com/acme/x/blob/main/catalog-info.yaml` is a URL"), "{}", lines[1]);
    // Without the missing target, the glob's file is loaded.
    std::fs::write(dir.path().join("missing.yaml"), "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: b}\nspec: {type: library}\n").unwrap();
    let run = ripple(&["validate", &path]);
    run.expect_code(0);
    assert!(
        run.stdout
            .starts_with("ok: 3 model files read, 2 components, 0 dependencies"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_real_repository_s_other_yaml_is_left_alone() {
    // Helm templates, Kubernetes manifests with backstage.io labels, compose files, CI files and
    // scaffolder templates are not model files and must not break a scan of the repository.
    let run = ripple(&["export", "fixtures/messy-repo", "--format", "json"]);
    // The software template's skeleton catalog is skipped with a warning, not an error.
    assert_eq!(
        diagnostics(&run.stderr),
        [
            "fixtures/messy-repo/templates/new-service/skeleton/catalog-info.yaml:4:9: warning[invalid-value]: skipped: `${{ values.component_id | dump }}` is a template placeholder, not an entity name"
        ]
    );
    let graph = run.expect_code(0).json();
    let ids: Vec<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "api:label-printer-api",
            "datastore:label-templates",
            "service:label-printer"
        ]
    );
    // An inline definition is not a path.
    assert!(graph["nodes"][0].get("definition").is_none());
    assert_eq!(graph["edges"][1]["kind"], "reads");
    assert_eq!(
        graph["edges"][1]["evidence"][0]["rule"],
        "backstage.annotation.reads"
    );
}

#[test]
fn backstage_dependency_of_is_the_reverse_of_depends_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: ledger-db}\nspec:\n  type: database\n  dependencyOf: [component:ledger]\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: ledger}\nspec: {type: service}\n",
    );
    let graph = export(&path);
    let edges: Vec<_> = edge_set(&graph).into_iter().collect();
    assert_eq!(
        edges,
        [(
            "service:ledger".to_owned(),
            "datastore:ledger-db".to_owned(),
            "depends-on".to_owned()
        )]
    );
}
