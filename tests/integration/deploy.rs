//! `ripple check`, `ripple skew` and `ripple record-deployment` on fixtures/deploy (a payments
//! platform mid-rollout) and fixtures/deploy-cycle (two services that must move together).

use serde_json::json;

use crate::util::{diagnostics, ripple};

fn check(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let run = ripple(&all);
    let code = run.code;
    (code, run.json())
}

#[test]
fn a_consumer_needing_a_newer_provider_is_unsafe_alone() {
    // checkout 3.0.0 requires payments-api ^2.5; production runs payments-api 2.4.3.
    let (code, report) = check(&[
        "service:checkout@3.0.0",
        "--env",
        "production",
        "--graph",
        "fixtures/deploy",
    ]);
    assert_eq!(code, 1);
    assert_eq!(report["safe"], false);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["rule"], "check.requirement-unmet");
    assert_eq!(
        findings[0]["element"],
        "service:checkout -> api:payments-api"
    );
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("requires api:payments-api ^2.5"),
        "{message}"
    );
    assert!(
        message.contains("api:payments-api@2.4.3 would run in production"),
        "{message}"
    );
}

#[test]
fn provider_and_consumer_together_are_ordered_provider_first() {
    // Named consumer first: the gate finds that the provider has to go first.
    let (code, report) = check(&[
        "service:checkout@3.0.0",
        "api:payments-api@2.5.0",
        "--env",
        "production",
        "--graph",
        "fixtures/deploy",
    ]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["safe"], true);
    assert_eq!(
        report["order"],
        json!([["api:payments-api@2.5.0"], ["service:checkout@3.0.0"]])
    );
    assert_eq!(report["findings"], json!([]));
}

#[test]
fn a_provider_breaking_a_deployed_consumer_is_unsafe_and_old_skew_is_not_blamed() {
    // Every consumer of ledger-api pins the 1.x line. reporting runs 1.2.0, the version the model
    // describes; checkout (2.9.1) and payments (2.4.3) run older versions than the model's, which
    // are assumed to require the same, and the findings say so. ledger-api 1.5.0 is already
    // rolling out in eu-west-1 against reporting's ~1.4: existing skew, not this release's fault.
    let (code, report) = check(&[
        "api:ledger-api@2.0.0",
        "--env",
        "production",
        "--graph",
        "fixtures/deploy",
    ]);
    assert_eq!(code, 1);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "service:checkout@2.9.1 requires api:ledger-api ^1.0 (uses GET /balances/{account}), but api:ledger-api@2.0.0 would run in production after the release (assuming 2.9.1 requires what 3.0.0 declares)",
            "service:payments@2.4.3 requires api:ledger-api >=1.4, <2 (uses POST /entries), but api:ledger-api@2.0.0 would run in production after the release (assuming 2.4.3 requires what 2.5.0 declares)",
            "service:reporting@1.2.0 requires api:ledger-api ~1.4 (uses GET /entries), but api:ledger-api@2.0.0 would run in production after the release",
        ]
    );
}

#[test]
fn a_mutual_upgrade_is_safe_only_together() {
    let (code, report) = check(&[
        "service:orders@2.0.0",
        "service:inventory@2.0.0",
        "--env",
        "production",
        "--graph",
        "fixtures/deploy-cycle",
    ]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        report["order"],
        json!([["service:orders@2.0.0", "service:inventory@2.0.0"]])
    );
    let text = ripple(&[
        "check",
        "service:orders@2.0.0",
        "service:inventory@2.0.0",
        "--env",
        "production",
        "--graph",
        "fixtures/deploy-cycle",
    ]);
    assert!(
        text.stdout.contains("safe only when deployed together"),
        "{}",
        text.stdout
    );
    // Alone, each blocks on the other.
    let (code, report) = check(&[
        "service:orders@2.0.0",
        "--env",
        "production",
        "--graph",
        "fixtures/deploy-cycle",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        report["findings"][0]["element"],
        "service:orders -> service:inventory"
    );
}

#[test]
fn check_refuses_bad_candidates_and_unknown_environments() {
    for (args, expected) in [
        (
            vec!["service:checkout", "--env", "production"],
            "is not COMPONENT@VERSION",
        ),
        (
            vec!["service:checkout@three", "--env", "production"],
            "`service:checkout@three`",
        ),
        (
            vec!["service:nope@1.0.0", "--env", "production"],
            "service:nope is not in the model",
        ),
        (
            vec!["service:checkout@3.0.0", "--env", "qa"],
            "no state is known for environment `qa` (known: production, staging)",
        ),
    ] {
        let mut all = vec!["check"];
        all.extend(args);
        all.extend(["--graph", "fixtures/deploy"]);
        let run = ripple(&all);
        run.expect_code(2);
        assert!(run.stderr.contains(expected), "{}", run.stderr);
    }
}

#[test]
fn skew_reports_region_rollouts_and_says_which_version_a_requirement_is_declared_for() {
    let run = ripple(&["skew", "fixtures/deploy", "--format", "json"]);
    let report = run.expect_code(1).json();
    assert_eq!(
        report["skew"],
        json!([
            {
                "environment": "production",
                "consumer": "service:checkout", "consumer_versions": ["2.9.1"],
                "provider": "api:payments-api", "provider_versions": ["2.4.3"],
                "dependency": "consumes", "requirement": "^2.5", "excluded": ["2.4.3"],
                "uses": ["POST /payments", "POST /payments/{id}/refunds"],
                "declared_for": "3.0.0"
            },
            {
                "environment": "production", "region": "eu-west-1",
                "consumer": "service:reporting", "consumer_versions": ["1.2.0"],
                "provider": "api:ledger-api", "provider_versions": ["1.4.2", "1.5.0"],
                "dependency": "consumes", "requirement": "~1.4", "excluded": ["1.5.0"],
                "uses": ["GET /entries"]
            },
            {
                "environment": "staging",
                "consumer": "service:checkout", "consumer_versions": ["3.0.0"],
                "provider": "api:payments-api", "provider_versions": ["2.4.3"],
                "dependency": "consumes", "requirement": "^2.5", "excluded": ["2.4.3"],
                "uses": ["POST /payments", "POST /payments/{id}/refunds"]
            }
        ])
    );
    let staging = ripple(&[
        "skew",
        "fixtures/deploy",
        "--env",
        "staging",
        "--format",
        "json",
    ])
    .json();
    assert_eq!(staging["skew"].as_array().unwrap().len(), 1);
}

#[test]
fn the_example_system_has_no_skew() {
    let run = ripple(&["skew", "fixtures/example"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .starts_with("skew in production, staging: 0 disagreements"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_and_skew_render_every_ci_format() {
    for format in ["text", "markdown", "junit", "sarif", "github"] {
        let run = ripple(&[
            "check",
            "service:checkout@3.0.0",
            "--env",
            "production",
            "--graph",
            "fixtures/deploy",
            "--format",
            format,
        ]);
        run.expect_code(1);
        assert!(
            run.stdout.contains("check.requirement-unmet"),
            "{format}: {}",
            run.stdout
        );
    }
    let junit = ripple(&["skew", "fixtures/deploy", "--format", "junit"]).stdout;
    assert!(junit.contains(r#"failures="3""#), "{junit}");
}

#[test]
fn record_deployment_writes_rollouts_and_undeploys() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("environments");
    let s = state.to_str().unwrap();
    let record = |args: &[&str]| {
        let mut all = vec![
            "record-deployment",
            "fixtures/deploy",
            "--env",
            "production",
            "--state",
            s,
        ];
        all.extend_from_slice(args);
        ripple(&all).expect_code(0);
    };
    record(&[
        "--new-env",
        "service:checkout@3.0.0",
        "api:payments-api@2.5.0",
    ]);
    record(&["--region", "eu-west-1", "--add", "api:payments-api@2.6.0"]);
    let text = std::fs::read_to_string(state.join("production.yaml")).unwrap();
    assert_eq!(
        text,
        "# What runs in production; maintained by `ripple record-deployment`.\n\
         environment: production\n\
         deployments:\n  \
           \"api:payments-api\":\n    \
             \"eu-west-1\": [2.5.0, 2.6.0]\n    \
             \"other-regions\": 2.5.0\n  \
           \"service:checkout\": 3.0.0\n"
    );
    record(&[
        "--region",
        "eu-west-1",
        "--undeploy",
        "api:payments-api@2.6.0",
    ]);
    let text = std::fs::read_to_string(state.join("production.yaml")).unwrap();
    assert!(text.contains("    \"eu-west-1\": 2.5.0\n"), "{text}");
    record(&["--undeploy", "api:payments-api"]);
    let text = std::fs::read_to_string(state.join("production.yaml")).unwrap();
    assert!(!text.contains("payments-api"), "{text}");
    // The written file is read back by the gate.
    let model = dir.path().join("ripple.yaml");
    std::fs::copy("fixtures/deploy/ripple.yaml", &model).unwrap();
    let run = ripple(&[
        "skew",
        model.to_str().unwrap(),
        "--state",
        s,
        "--format",
        "json",
    ]);
    // checkout 3.0.0 runs; payments-api is recorded nowhere now, so it is unknown, not missing.
    assert_eq!(run.expect_code(0).json()["skew"], json!([]));
}

#[test]
fn record_deployment_adds_a_rollout_version_in_a_region() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().to_str().unwrap();
    let record = |args: &[&str]| {
        let mut all = vec![
            "record-deployment",
            "fixtures/deploy",
            "--env",
            "staging",
            "--state",
            s,
        ];
        all.extend_from_slice(args);
        ripple(&all)
    };
    record(&["--new-env", "--region", "eu", "api:payments-api@1.0.0"]).expect_code(0);
    record(&["--region", "eu", "--add", "api:payments-api@1.1.0"]).expect_code(0);
    let text = std::fs::read_to_string(dir.path().join("staging.yaml")).unwrap();
    assert!(
        text.contains("  \"api:payments-api\":\n    \"eu\": [1.0.0, 1.1.0]\n"),
        "{text}"
    );
    let bad = record(&["api:payments-api@latest"]);
    bad.expect_code(2);
    assert!(
        bad.stderr
            .contains("`api:payments-api@latest`: not a semver version"),
        "{}",
        bad.stderr
    );
}

#[test]
fn environment_files_are_validated_against_the_model() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "fixtures/deploy/ripple.yaml",
        dir.path().join("ripple.yaml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    std::fs::write(
        dir.path().join("environments/production.yaml"),
        "deployments:\n  \"service:checkout\": 3.0.0\n  \"service:chekout\": 3.0.0\n  \"api:ledger-api\": latest\n",
    )
    .unwrap();
    let run = ripple(&["skew", dir.path().to_str().unwrap()]);
    run.expect_code(2);
    let lines = diagnostics(&run.stderr);
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(lines[0].ends_with("environments/production.yaml:3:3: error[dangling-reference]: service:chekout is deployed in `production` but is not defined in the model"), "{}", lines[0]);
    assert!(lines[1].contains("environments/production.yaml:4:21: error[invalid-semver]: version `latest` is not semver"), "{}", lines[1]);
}

#[test]
fn deprecations_list_each_consumer_of_a_deprecated_api_with_its_deadline() {
    // Tests run on 2026-11-22. orders-api-v1 names its sunset (2027-03-31: 129 days); payments-api-v1
    // was deprecated on 2026-09-01 under a 90-day window policy (2026-11-30: 8 days, due soon).
    let run = ripple(&["deprecations", "fixtures/example", "--format", "json"]);
    let report = run.expect_code(0).json();
    assert_eq!(report["today"], "2026-11-22");
    let rows: Vec<(String, String, String, i64, String)> = report["deprecations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["consumer"].as_str().unwrap().to_owned(),
                w["component"].as_str().unwrap().to_owned(),
                w["deadline"].as_str().unwrap().to_owned(),
                w["days_left"].as_i64().unwrap(),
                w["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let row = |c: &str, a: &str, d: &str, n: i64, s: &str| {
        (c.to_owned(), a.to_owned(), d.to_owned(), n, s.to_owned())
    };
    assert_eq!(
        rows,
        [
            row(
                "service:invoicing-service",
                "api:payments-api-v1",
                "2026-11-30",
                8,
                "due-soon"
            ),
            row(
                "service:invoicing-service",
                "api:orders-api-v1",
                "2027-03-31",
                129,
                "open"
            ),
            row(
                "service:shipping-service",
                "api:orders-api-v1",
                "2027-03-31",
                129,
                "open"
            ),
        ]
    );
    assert_eq!(
        report["deprecations"][1]["environments"],
        json!(["production", "staging"])
    );
    assert_eq!(report["deprecations"][0]["deadline_from"], "policy");
}

#[test]
fn deprecations_follow_operation_sunsets_and_fail_when_one_passed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ripple.yaml"),
        r#"ripple: 1
services:
  billing:
    version: 1.0.0
    environments: {production: 1.0.0}
    consumes:
      - api: ledger-api
        uses: ["GET /entries/{id}"]
  audit:
    consumes: [ledger-api]
  ledger:
    provides: [ledger-api]
apis:
  ledger-api:
    definition: ledger.yaml
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ledger.yaml"),
        "openapi: 3.0.3\ninfo: {title: Ledger, version: 1.0.0}\npaths:\n  /entries/{entryId}:\n    get:\n      deprecated: true\n      x-sunset: 2026-10-01\n      responses:\n        '200': {description: ok}\n  /balances:\n    get:\n      responses:\n        '200': {description: ok}\n",
    )
    .unwrap();
    let model = dir.path().join("ripple.yaml");
    let run = ripple(&["deprecations", model.to_str().unwrap(), "--format", "json"]);
    let report = run.expect_code(1).json();
    let windows = report["deprecations"].as_array().unwrap();
    assert_eq!(windows.len(), 2, "{report}");
    // audit does not say what it uses: it may use the deprecated operation.
    assert_eq!(windows[0]["consumer"], "service:audit");
    assert_eq!(windows[0]["uncertain"], true);
    assert_eq!(windows[1]["consumer"], "service:billing");
    assert_eq!(windows[1]["element"], "GET /entries/{entryId}");
    assert_eq!(windows[1]["status"], "overdue");
    assert_eq!(windows[1]["days_left"], -52);
    assert_eq!(windows[1]["environments"], json!(["production"]));
    assert!(
        windows[1]["declared_at"]["file"]
            .as_str()
            .unwrap()
            .ends_with("ledger.yaml")
    );
    // The operation's body starts on line 6 (`deprecated: true`, below `get:`).
    assert_eq!(windows[1]["declared_at"]["line"], 6);
    let text = ripple(&["deprecations", model.to_str().unwrap()]).stdout;
    assert!(
        text.contains("breaking     deprecation.sunset-passed  service:billing"),
        "{text}"
    );
    assert!(text.contains("uses deprecated api:ledger-api `GET /entries/{entryId}`: sunset 2026-10-01 passed 52 days ago; runs in production"), "{text}");
}

#[test]
fn check_with_a_new_contract_blames_removals_before_their_sunset_on_running_consumers() {
    let dir = tempfile::tempdir().unwrap();
    let spec = |ops: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: Ledger, version: 1.0.0}}\npaths:\n  /entries:\n    get:\n      responses:\n        '200': {{description: ok}}\n{ops}"
        )
    };
    let legacy = "  /entries/legacy:\n    get:\n      deprecated: true\n      x-sunset: 2027-06-30\n      responses:\n        '200': {description: ok}\n";
    std::fs::write(dir.path().join("ledger.yaml"), spec(legacy)).unwrap();
    std::fs::write(dir.path().join("ledger-next.yaml"), spec("")).unwrap();
    std::fs::write(
        dir.path().join("ripple.yaml"),
        "services:\n  billing:\n    consumes:\n      - api: ledger-api\n        uses: [\"GET /entries/legacy\"]\n  ledger:\n    provides: [ledger-api]\napis:\n  ledger-api:\n    definition: ledger.yaml\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    std::fs::write(
        dir.path().join("environments/production.yaml"),
        "deployments:\n  \"service:billing\": 1.0.0\n  \"api:ledger-api\": 1.0.0\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let contract = format!("api:ledger-api={d}/ledger-next.yaml");
    let run = ripple(&[
        "check",
        "api:ledger-api@1.1.0",
        "--env",
        "production",
        "--graph",
        d,
        "--contract",
        &contract,
        "--format",
        "json",
    ]);
    let report = run.expect_code(1).json();
    assert_eq!(report["safe"], false);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "openapi.operation.removed-before-sunset");
    assert_eq!(finding["element"], "GET /entries/legacy");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .ends_with("; breaks service:billing in production"),
        "{finding}"
    );
    // Without the removal there is nothing to blame.
    let same = format!("api:ledger-api={d}/ledger.yaml");
    ripple(&[
        "check",
        "api:ledger-api@1.1.0",
        "--env",
        "production",
        "--graph",
        d,
        "--contract",
        &same,
    ])
    .expect_code(0);
}

#[test]
fn deprecations_read_deprecated_rpcs_from_protobuf_contracts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("stock.proto"),
        "syntax = \"proto3\";\npackage stock.v1;\n\nservice StockService {\n  rpc GetLevel(GetLevelRequest) returns (Level);\n  rpc Reserve(ReserveRequest) returns (Level) {\n    option deprecated = true;\n  }\n}\n\nmessage GetLevelRequest { string sku = 1; }\nmessage ReserveRequest { string sku = 1; int32 quantity = 2; }\nmessage Level { string sku = 1; int32 available = 2; }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ripple.yaml"),
        "services:\n  checkout:\n    consumes:\n      - api: stock-api\n        uses: [Reserve]\n  catalog:\n    consumes:\n      - api: stock-api\n        uses: [GetLevel]\napis:\n  stock-api:\n    type: grpc\n    sunset: 2027-01-15\n    definition: stock.proto\n",
    )
    .unwrap();
    let model = dir.path().join("ripple.yaml");
    let report = ripple(&["deprecations", model.to_str().unwrap(), "--format", "json"])
        .expect_code(0)
        .json();
    let rows: Vec<(String, Option<String>)> = report["deprecations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["consumer"].as_str().unwrap().to_owned(),
                w["element"].as_str().map(str::to_owned),
            )
        })
        .collect();
    // The whole api has a sunset, so both consumers appear for it; checkout also for the
    // deprecated rpc it uses, whose deadline is the api's sunset (54 days after 2026-11-22).
    assert_eq!(
        rows,
        [
            ("service:catalog".to_owned(), None),
            ("service:checkout".to_owned(), None),
            (
                "service:checkout".to_owned(),
                Some("stock.v1.StockService/Reserve".to_owned())
            ),
        ]
    );
    let rpc = &report["deprecations"][2];
    assert_eq!(rpc["deadline"], "2027-01-15");
    assert_eq!(rpc["days_left"], 54);
    assert_eq!(rpc["declared_at"]["line"], 6);
}

#[test]
fn other_tools_files_in_an_environments_folder_are_left_alone() {
    // Backstage has `kind: Environment` entities, often kept in a folder of that name.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "fixtures/deploy/ripple.yaml",
        dir.path().join("ripple.yaml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    std::fs::write(
        dir.path().join("environments/prod.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Environment\nmetadata:\n  name: prod\nspec:\n  lifecycle: production\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("environments/staging.yaml"),
        "deployments:\n  \"service:checkout\": 3.0.0\n  \"api:payments-api\": 2.4.3\n",
    )
    .unwrap();
    let run = ripple(&["skew", dir.path().to_str().unwrap(), "--format", "json"]);
    let report = run.expect_code(1).json();
    assert_eq!(report["environments"], "staging");
    assert_eq!(report["skew"].as_array().unwrap().len(), 1);
}

#[test]
fn check_goes_region_by_region_so_old_skew_in_one_does_not_hide_a_new_problem_in_another() {
    // ledger-api 1.5.0 already runs in eu-west-1 next to reporting's ~1.4 (old skew, not blamed);
    // in us-east-1 it would be new.
    let (code, report) = check(&[
        "api:ledger-api@1.5.0",
        "--env",
        "production",
        "--graph",
        "fixtures/deploy",
    ]);
    assert_eq!(code, 1);
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.ends_with("after the release (in us-east-1)"),
        "{message}"
    );
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    let (code, report) = check(&[
        "api:ledger-api@1.5.0",
        "--env",
        "production",
        "--region",
        "eu-west-1",
        "--graph",
        "fixtures/deploy",
    ]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["region"], "eu-west-1");
    let (code, _) = check(&[
        "api:ledger-api@1.5.0",
        "--env",
        "production",
        "--region",
        "us-east-1",
        "--graph",
        "fixtures/deploy",
    ]);
    assert_eq!(code, 1);
}

#[test]
fn gate_arguments_that_cannot_work_are_errors() {
    for (args, expected) in [
        (
            vec![
                "check",
                "api:payments-api@2.5.0",
                "--env",
                "production",
                "--graph",
                "fixtures/deploy",
                "--contract",
                "payments.yaml",
            ],
            "`payments.yaml` is not ID=PATH",
        ),
        (
            vec![
                "check",
                "api:payments-api@2.5.0",
                "--env",
                "production",
                "--graph",
                "fixtures/deploy",
                "--contract",
                "api:payments-api=x.yaml",
            ],
            "api:payments-api has no `definition` to compare the new contract with",
        ),
        (
            vec![
                "check",
                "service:checkout@3.0.0",
                "--env",
                "production",
                "--graph",
                "fixtures/deploy",
                "--contract",
                "service:checkout=x.yaml",
            ],
            "service:checkout is not an api in the model",
        ),
        (
            vec!["skew", "fixtures/deploy", "--state", "fixtures/nowhere"],
            "--state fixtures/nowhere: no such directory",
        ),
        (
            vec!["skew", "fixtures/deploy", "--env", "qa"],
            "no state is known for environment `qa` (known: production, staging)",
        ),
        (
            vec![
                "record-deployment",
                "fixtures/deploy",
                "--env",
                "production",
                "--state",
                "target/ripple-test-env",
                "checkout@1.0.0",
            ],
            "`checkout@1.0.0`",
        ),
    ] {
        let run = ripple(&args);
        run.expect_code(2);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
    }
}
