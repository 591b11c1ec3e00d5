//! Every class of bad input: the message, the file, the line and column, exit code 2, all errors
//! of a run reported (not only the first), and nothing on standard output.

use crate::util::{diagnostics, ripple};

/// Run `ripple validate DIR` and return its diagnostic lines, asserting exit 2 and the summary.
fn invalid(dir: &str, errors: usize) -> Vec<String> {
    let run = ripple(&["validate", &format!("fixtures/invalid/{dir}")]);
    run.expect_code(2);
    assert!(run.stdout.is_empty(), "nothing on stdout: {}", run.stdout);
    let noun = if errors == 1 { "error" } else { "errors" };
    assert!(
        run.stderr
            .contains(&format!("error: {errors} {noun} in the model")),
        "{}",
        run.stderr
    );
    diagnostics(&run.stderr)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn malformed_yaml_names_the_line() {
    let lines = invalid("yaml-syntax", 1);
    assert_eq!(lines.len(), 1);
    // The flow sequence opened on line 6 is never closed; the parser notices on line 7.
    assert!(
        lines[0].starts_with(
            "fixtures/invalid/yaml-syntax/ripple.yaml:7:9: error[syntax]: malformed YAML:"
        ),
        "{lines:?}"
    );
}

#[test]
fn malformed_json_names_the_trailing_comma() {
    assert_eq!(
        invalid("json-syntax", 1),
        [
            "fixtures/invalid/json-syntax/cart.ripple.json:6:3: error[syntax]: malformed JSON: trailing comma"
        ]
    );
}

#[test]
fn unknown_kinds_in_yaml_and_json() {
    assert_eq!(
        invalid("unknown-kind", 2),
        [
            "fixtures/invalid/unknown-kind/cart.ripple.json:8:65: error[unknown-kind]: unknown dependency kind `produces`, expected one of provides, consumes, publishes, subscribes, reads, writes, depends-on, calls",
            "fixtures/invalid/unknown-kind/ripple.yaml:6:9: error[unknown-kind]: unknown component kind `queue`, expected one of service, api, topic, datastore, library",
        ]
    );
}

#[test]
fn unknown_field_lists_the_expected_keys() {
    let lines = invalid("unknown-field", 1);
    assert!(
        lines[0].starts_with(
            "fixtures/invalid/unknown-field/ripple.yaml:4:5: error[unknown-field]: unknown key `owners` in `service:cart`, expected one of: description, owner,"
        ),
        "{lines:?}"
    );
}

#[test]
fn dangling_references_are_all_reported_with_a_suggestion() {
    assert_eq!(
        invalid("dangling-reference", 2),
        [
            "fixtures/invalid/dangling-reference/ripple.yaml:7:9: error[dangling-reference]: service:checkout consumes api:paymnts-api, which is not defined in any input (did you mean api:payments-api?)",
            "fixtures/invalid/dangling-reference/ripple.yaml:9:17: error[dangling-reference]: service:checkout publishes topic:order-placed, which is not defined in any input",
        ]
    );
}

#[test]
fn duplicate_ids_in_one_file_point_at_both_definitions() {
    let run = ripple(&["validate", "fixtures/invalid/duplicate-id"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr.lines().take(4).collect::<Vec<_>>(),
        [
            "fixtures/invalid/duplicate-id/cart.ripple.json:5:5: error[duplicate-id]: service:cart is defined twice in this file",
            "    fixtures/invalid/duplicate-id/cart.ripple.json:4:5: note: first defined here",
            "fixtures/invalid/duplicate-id/catalog-info.yaml:13:9: error[duplicate-id]: service:cart is defined twice in this file",
            "    fixtures/invalid/duplicate-id/catalog-info.yaml:4:9: note: first defined here",
        ]
    );
}

#[test]
fn invalid_semver_in_versions_environments_and_requirements() {
    let lines = invalid("invalid-semver", 3);
    let expected = [
        (
            "ripple.yaml:4:14",
            "version `1.4` of service:cart is not semver",
        ),
        (
            "ripple.yaml:6:19",
            "version `latest` of service:cart in environment `production` is not semver",
        ),
        (
            "ripple.yaml:10:18",
            "version requirement `>>2` in `consumes` of service:cart is not semver",
        ),
    ];
    for (line, (place, message)) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(&format!(
                "fixtures/invalid/invalid-semver/{place}: error[invalid-semver]: {message}:"
            )),
            "{line}"
        );
    }
    // `v1.5.0` (a git-tag style version) is accepted: it is not among the errors.
    assert!(!lines.iter().any(|l| l.contains("v1.5.0")));
}

#[test]
fn contradictory_facts_across_files_name_both_places() {
    let run = ripple(&["validate", "fixtures/invalid/conflict"]);
    run.expect_code(2);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "fixtures/invalid/conflict/orders-repo.ripple.json:4:76: error[conflict]: conflicting owner of api:orders-api: `team-orders` here, but `team-checkout` at fixtures/invalid/conflict/checkout-repo.ripple.json:4:76",
            "    fixtures/invalid/conflict/checkout-repo.ripple.json:4:76: note: owner of api:orders-api is `team-checkout` here",
            "fixtures/invalid/conflict/orders-repo.ripple.json:5:57: error[conflict]: conflicting version of api:orders-api in environment `production`: `2.4.0` here, but `2.3.1` at fixtures/invalid/conflict/checkout-repo.ripple.json:5:37",
            "    fixtures/invalid/conflict/checkout-repo.ripple.json:5:37: note: version of api:orders-api in environment `production` is `2.3.1` here",
        ]
    );
}

#[test]
fn conflicts_do_not_depend_on_argument_order() {
    let a = ripple(&[
        "validate",
        "fixtures/invalid/conflict/orders-repo.ripple.json",
        "fixtures/invalid/conflict/checkout-repo.ripple.json",
    ]);
    let b = ripple(&["validate", "fixtures/invalid/conflict"]);
    a.expect_code(2);
    assert_eq!(a.stderr, b.stderr);
}

#[test]
fn invalid_values_and_wrong_target_kinds() {
    assert_eq!(
        invalid("invalid-value", 3),
        [
            "fixtures/invalid/invalid-value/ripple.yaml:4:11: error[invalid-value]: tier `7` of service:cart is out of range: expected 1 (most critical) to 4",
            "fixtures/invalid/invalid-value/ripple.yaml:5:18: error[invalid-value]: expected true or false for `user-facing` of service:cart",
            "fixtures/invalid/invalid-value/ripple.yaml:7:9: error[invalid-value]: service:cart subscribes api:pricing-api, but `subscribes` must point at a topic",
        ]
    );
}

#[test]
fn a_file_of_another_format_is_refused_when_named() {
    let run = ripple(&[
        "validate",
        "fixtures/invalid/unknown-format/deployment.yaml",
    ]);
    run.expect_code(2);
    let lines = diagnostics(&run.stderr);
    assert!(
        lines[0].starts_with("fixtures/invalid/unknown-format/deployment.yaml:1:1: error[unknown-format]: not a model file"),
        "{lines:?}"
    );
}

#[test]
fn a_directory_without_model_files_is_an_error() {
    // A Kubernetes manifest is YAML, but not a model file: found while walking, it is skipped.
    assert_eq!(
        invalid("unknown-format", 1),
        [
            "fixtures/invalid/unknown-format: error[unknown-format]: no model files found: expected ripple.yaml, catalog-info.yaml, Backstage YAML or *.ripple.json"
        ]
    );
}

#[test]
fn errors_from_many_files_are_reported_together() {
    let run = ripple(&[
        "graph",
        "fixtures/invalid/json-syntax",
        "fixtures/invalid/dangling-reference",
        "fixtures/invalid/invalid-value",
    ]);
    run.expect_code(2);
    assert!(run.stdout.is_empty());
    assert_eq!(diagnostics(&run.stderr).len(), 1 + 2 + 3, "{}", run.stderr);
}

#[test]
fn missing_path_is_an_error_not_a_panic() {
    let run = ripple(&["graph", "fixtures/does-not-exist"]);
    run.expect_code(2);
    assert_eq!(
        diagnostics(&run.stderr),
        ["fixtures/does-not-exist: error[io]: cannot read: no such file or directory"]
    );
}

#[test]
fn bad_usage_exits_2() {
    ripple(&["export", "fixtures/example", "--format", "png"]).expect_code(2);
    ripple(&["graph"]).expect_code(2);
    let run = ripple(&["export", "fixtures/example", "--focus", "service:nope"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("--focus: service:nope is not in the model"),
        "{}",
        run.stderr
    );
}

#[test]
fn validate_reports_diagnostics_as_json_for_tools() {
    let run = ripple(&[
        "validate",
        "--format",
        "json",
        "fixtures/invalid/dangling-reference",
    ]);
    run.expect_code(2);
    let report = run.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["errors"], 2);
    let first = &report["diagnostics"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "dangling-reference");
    assert_eq!(
        first["location"]["file"],
        "fixtures/invalid/dangling-reference/ripple.yaml"
    );
    assert_eq!(first["location"]["line"], 7);
    assert_eq!(first["location"]["column"], 9);
    let ok = ripple(&["validate", "--format", "json", "fixtures/example"]);
    let report = ok.expect_code(0).json();
    assert_eq!(report["ok"], true);
    assert_eq!(report["components"], 64);
    assert_eq!(report["diagnostics"], serde_json::json!([]));
}

#[test]
fn lenient_loads_what_is_known_and_says_what_was_left_out() {
    let run = ripple(&[
        "--lenient",
        "graph",
        "fixtures/invalid/dangling-reference",
        "--format",
        "json",
    ]);
    let summary = run.expect_code(0).json();
    // checkout, payments and payments-api; only `payments provides payments-api` survives.
    assert_eq!(summary["components"], 3);
    assert_eq!(summary["dependencies"], 1);
    assert_eq!(
        diagnostics(&run.stderr),
        [
            "fixtures/invalid/dangling-reference/ripple.yaml:7:9: warning[dangling-reference]: service:checkout consumes api:paymnts-api, which is not defined in any input (did you mean api:payments-api?); the dependency is left out (--lenient)",
            "fixtures/invalid/dangling-reference/ripple.yaml:9:17: warning[dangling-reference]: service:checkout publishes topic:order-placed, which is not defined in any input; the dependency is left out (--lenient)",
        ]
    );
    // Other errors stay errors.
    ripple(&["--lenient", "validate", "fixtures/invalid/conflict"]).expect_code(2);
    let one = ripple(&[
        "--lenient",
        "validate",
        "fixtures/invalid/dangling-reference",
    ]);
    assert!(
        one.expect_code(0)
            .stdout
            .starts_with("ok: 1 model file read, 3 components, 1 dependency, 2 warnings"),
        "{}",
        one.stdout
    );
}
