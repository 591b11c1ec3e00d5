//! One consistent command line: the model is taken the same way everywhere, every unknown name
//! gets a did-you-mean, and values that must be versions or dates are checked.

use crate::util::{TODAY, repo_root, ripple, ripple_with};

#[test]
fn check_takes_the_model_as_positional_paths_in_any_order() {
    let before = ripple(&[
        "check",
        "service:checkout@3.0.0",
        "fixtures/deploy",
        "--env",
        "production",
        "--format",
        "json",
    ]);
    let after = ripple(&[
        "check",
        "fixtures/deploy",
        "service:checkout@3.0.0",
        "--env",
        "production",
        "--format",
        "json",
    ]);
    let legacy = ripple(&[
        "check",
        "service:checkout@3.0.0",
        "--env",
        "production",
        "--graph",
        "fixtures/deploy",
        "--format",
        "json",
    ]);
    assert_eq!(before.code, after.code);
    assert_eq!(before.stdout, after.stdout);
    assert_eq!(before.stdout, legacy.stdout, "--graph still works");
    assert_eq!(before.json()["candidates"][0], "service:checkout@3.0.0");
}

#[test]
fn check_in_a_directory_of_conflicting_models_says_to_name_one() {
    let run = ripple_with(
        &["check", "service:checkout@3.0.0", "--env", "production"],
        &repo_root().join("fixtures"),
        &[("RIPPLE_TODAY", TODAY)],
    );
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("the current directory holds several models that disagree"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_names_get_a_did_you_mean() {
    for (args, expected) in [
        (
            vec![
                "check",
                "checkout@3.0.0",
                "fixtures/deploy",
                "--env",
                "production",
            ],
            "`checkout` is not a component id: ids are `kind:name` (did you mean service:checkout?)",
        ),
        (
            vec![
                "check",
                "service:chekout@3.0.0",
                "fixtures/deploy",
                "--env",
                "production",
            ],
            "service:chekout is not in the model (did you mean service:checkout?)",
        ),
        (
            vec![
                "check",
                "service:checkout@3.0.0",
                "fixtures/deploy",
                "--env",
                "prodution",
            ],
            "(did you mean production?)",
        ),
        (
            vec![
                "check",
                "service:checkout@3.0.0",
                "fixtures/deploy",
                "--env",
                "production",
                "--region",
                "eu-wst-1",
            ],
            "environment `production` has no region `eu-wst-1` (its regions: eu-west-1, us-east-1) (did you mean eu-west-1?)",
        ),
        (
            vec!["skew", "fixtures/deploy", "--env", "stagin"],
            "(did you mean staging?)",
        ),
        (
            vec!["export", "fixtures/deploy", "--focus", "service:chekout"],
            "(did you mean service:checkout?)",
        ),
        (
            vec!["rules", "openapi.path.removd"],
            "no rule `openapi.path.removd` (did you mean openapi.path.removed?)",
        ),
    ] {
        let run = ripple(&args);
        run.expect_code(2);
        assert!(run.stderr.contains(expected), "{args:?}\n{}", run.stderr);
    }
}

#[test]
fn rules_shows_the_rules_it_is_asked_for() {
    let run = ripple(&[
        "rules",
        "openapi.path.removed",
        "deprecation.sunset-passed",
        "--format",
        "json",
    ]);
    run.expect_code(0);
    let rules = run.json();
    assert_eq!(rules.as_array().unwrap().len(), 2);
    assert_eq!(rules[0]["id"], "openapi.path.removed");
    assert_eq!(rules[0]["class"], "breaking");
    assert_eq!(rules[1]["id"], "deprecation.sunset-passed");
}

#[test]
fn versions_given_on_the_command_line_must_be_semver() {
    let run = ripple(&[
        "diff",
        "fixtures/contracts/openapi.path.removed/old.yaml",
        "fixtures/contracts/openapi.path.removed/new.yaml",
        "--old-version",
        "latest",
    ]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("not a semver version"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_today_that_is_not_a_date_is_an_error_not_ignored() {
    let run = ripple_with(
        &["deprecations", "fixtures/example"],
        repo_root(),
        &[("RIPPLE_TODAY", "yesterday")],
    );
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("RIPPLE_TODAY=\"yesterday\" is not a date (expected YYYY-MM-DD)"),
        "{}",
        run.stderr
    );
}

#[test]
fn deprecation_reports_say_as_of_which_day() {
    let run = ripple(&["deprecations", "fixtures/example"]);
    assert!(
        run.stdout
            .starts_with(&format!("deprecations as of {TODAY}:")),
        "{}",
        run.stdout
    );
    let old_name = ripple(&["windows", "fixtures/example"]);
    assert_eq!(
        old_name.stdout, run.stdout,
        "the old command name still works"
    );
}

#[test]
fn a_removal_before_its_sunset_says_as_of_which_day() {
    let dir = "fixtures/contracts/openapi.operation.removed-before-sunset";
    let old = format!("{dir}/old.yaml");
    let new = format!("{dir}/new.yaml");
    let run = ripple(&["diff", &old, &new]);
    run.expect_code(1);
    assert!(
        run.stdout.contains(&format!("(as of {TODAY})")),
        "{}",
        run.stdout
    );
}

#[test]
fn deprecations_read_no_definition_outside_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(
        dir.path().join("outside.yaml"),
        "openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths:\n  /a:\n    get:\n      deprecated: true\n      responses:\n        '200': {description: ok}\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("ripple.yaml"),
        "services:\n  app:\n    consumes: [api]\n  provider:\n    provides: [api]\napis:\n  api:\n    definition: ../outside.yaml\n",
    )
    .unwrap();
    let repo_arg = repo.to_str().unwrap();
    let run = ripple(&["deprecations", repo_arg]);
    run.expect_code(0);
    assert!(
        run.stderr.contains("outside the repository root"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("0 consumers must migrate"),
        "{}",
        run.stdout
    );
    let allowed = ripple(&["deprecations", repo_arg, "--allow-outside-root"]);
    allowed.expect_code(0);
    assert!(
        allowed.stdout.contains("1 consumer must migrate"),
        "{}\n{}",
        allowed.stdout,
        allowed.stderr
    );
}
