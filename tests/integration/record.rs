//! `ripple record-deployment`: writes that cannot damage anything. Each test is named after what
//! broke, and runs the binary on a copy of fixtures/deploy in a temporary folder.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::util::{Run, ripple};

/// A copy of fixtures/deploy (model and environment files) in a temporary folder.
struct Copy {
    dir: tempfile::TempDir,
}

impl Copy {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("environments")).unwrap();
        std::fs::copy(
            "fixtures/deploy/ripple.yaml",
            dir.path().join("ripple.yaml"),
        )
        .unwrap();
        for env in ["production", "staging"] {
            std::fs::copy(
                format!("fixtures/deploy/environments/{env}.yaml"),
                dir.path().join(format!("environments/{env}.yaml")),
            )
            .unwrap();
        }
        Copy { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn state(&self) -> PathBuf {
        self.root().join("environments")
    }

    fn file(&self, env: &str) -> PathBuf {
        self.state().join(format!("{env}.yaml"))
    }

    fn read(&self, env: &str) -> String {
        std::fs::read_to_string(self.file(env)).unwrap()
    }

    /// `ripple record-deployment MODEL ARGS...` (the state folder is beside the model).
    fn record(&self, args: &[&str]) -> Run {
        let model = self.root().join("ripple.yaml");
        let mut all = vec!["record-deployment", model.to_str().unwrap()];
        all.extend_from_slice(args);
        ripple(&all)
    }
}

#[track_caller]
fn fails_with(run: &Run, expected: &str) {
    run.expect_code(2);
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn an_environment_name_that_is_a_path_writes_nothing_outside_the_state_folder() {
    let copy = Copy::new();
    for bad in ["../x", "a/b", "a\\b", ".hidden", "x..y", ""] {
        let run = copy.record(&["--env", bad, "--new-env", "service:checkout@3.0.0"]);
        fails_with(&run, &format!("`{bad}` is not an environment name"));
        assert!(run.stderr.contains("environments"), "{}", run.stderr);
    }
    assert!(!copy.root().join("x.yaml").exists());
    let mut names: Vec<String> = std::fs::read_dir(copy.state())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["production.yaml", "staging.yaml"]);
    fails_with(
        &copy.record(&[
            "--env",
            "production",
            "--region",
            "../eu",
            "service:checkout@3.0.0",
        ]),
        "`../eu` is not a region name",
    );
}

#[cfg(unix)]
#[test]
fn a_planted_temporary_file_symlink_is_not_followed() {
    let copy = Copy::new();
    let victim = copy.root().join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    for name in ["production.yaml.tmp", ".production.yaml.tmp"] {
        std::os::unix::fs::symlink(&victim, copy.state().join(name)).unwrap();
    }
    copy.record(&["--env", "production", "service:checkout@3.0.0"])
        .expect_code(0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(
        copy.read("production")
            .contains("\"service:checkout\": 3.0.0\n")
    );
    // The planted links are still links, to the untouched file.
    assert!(
        std::fs::symlink_metadata(copy.state().join("production.yaml.tmp"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[cfg(unix)]
#[test]
fn an_environment_file_linked_outside_the_state_folder_is_not_written() {
    let copy = Copy::new();
    let outside = copy.root().join("outside.yaml");
    std::fs::copy(copy.file("production"), &outside).unwrap();
    std::fs::remove_file(copy.file("production")).unwrap();
    std::os::unix::fs::symlink(&outside, copy.file("production")).unwrap();
    let before = std::fs::read_to_string(&outside).unwrap();
    let run = copy.record(&["--env", "production", "service:checkout@3.0.0"]);
    fails_with(&run, "production.yaml: is a symbolic link to");
    assert!(
        run.stderr.contains("outside the state folder"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), before);

    // A link inside the folder is written through, and stays a link.
    let copy = Copy::new();
    std::fs::rename(copy.file("production"), copy.state().join("prod-real.yml")).unwrap();
    std::os::unix::fs::symlink("prod-real.yml", copy.file("production")).unwrap();
    copy.record(&["--env", "production", "service:checkout@3.0.0"])
        .expect_code(0);
    let link = std::fs::symlink_metadata(copy.file("production")).unwrap();
    assert!(link.file_type().is_symlink());
    let real = std::fs::read_to_string(copy.state().join("prod-real.yml")).unwrap();
    assert!(real.contains("\"service:checkout\": 3.0.0\n"), "{real}");
}

#[test]
fn an_unknown_component_is_an_error_with_a_suggestion() {
    let copy = Copy::new();
    let before = copy.read("production");
    fails_with(
        &copy.record(&["--env", "production", "service:chekout@3.0.0"]),
        "production.yaml: service:chekout is not defined in the model (did you mean service:checkout?)",
    );
    fails_with(
        &copy.record(&["--env", "production", "checkout@2.0.0"]),
        "`checkout@2.0.0` names no component kind: ids are `kind:name` (did you mean service:checkout@2.0.0?)",
    );
    fails_with(
        &copy.record(&["--env", "production", "svc:checkout@2.0.0"]),
        "unknown component kind `svc`",
    );
    fails_with(
        &copy.record(&["--env", "production", "service:checkout@latest"]),
        "`service:checkout@latest`: not a semver version",
    );
    fails_with(
        &copy.record(&["--env", "production", "service:checkout"]),
        "`service:checkout` is not COMPONENT@VERSION",
    );
    assert_eq!(copy.read("production"), before);
}

#[test]
fn an_unknown_version_to_undeploy_is_an_error_with_a_suggestion() {
    let copy = Copy::new();
    let before = copy.read("production");
    fails_with(
        &copy.record(&[
            "--env",
            "production",
            "--undeploy",
            "service:checkout@2.9.2",
        ]),
        "production.yaml: cannot undeploy service:checkout@2.9.2: this environment runs 2.9.1 (did you mean service:checkout@2.9.1?)",
    );
    fails_with(
        &copy.record(&[
            "--env",
            "production",
            "--region",
            "eu-west-1",
            "--undeploy",
            "api:ledger-api@1.6.0",
        ]),
        "cannot undeploy api:ledger-api@1.6.0: region eu-west-1 runs 1.4.2, 1.5.0 (did you mean api:ledger-api@1.5.0?)",
    );
    assert_eq!(copy.read("production"), before);
}

#[test]
fn a_new_environment_needs_new_env() {
    let copy = Copy::new();
    let run = copy.record(&["--env", "prod", "service:checkout@3.0.0"]);
    let state = copy.state();
    fails_with(
        &run,
        &format!(
            "no environment `prod` in {} (known: production, staging; did you mean production?) — pass --new-env to create it",
            state.display()
        ),
    );
    assert!(!copy.file("prod").exists());
    copy.record(&["--env", "qa", "--new-env", "service:checkout@3.0.0"])
        .expect_code(0);
    assert_eq!(
        copy.read("qa"),
        "# What runs in qa; maintained by `ripple record-deployment`.\n\
         environment: qa\n\
         deployments:\n  \
           \"service:checkout\": 3.0.0\n"
    );
    // Known now: no flag needed.
    copy.record(&["--env", "qa", "api:payments-api@2.5.0"])
        .expect_code(0);
    assert!(copy.read("qa").ends_with("  \"api:payments-api\": 2.5.0\n"));
}

#[test]
fn adding_in_a_region_keeps_the_version_from_every_region() {
    let copy = Copy::new();
    copy.record(&[
        "--env",
        "production",
        "--region",
        "eu-west-1",
        "--add",
        "service:checkout@3.0.0",
    ])
    .expect_code(0);
    let text = copy.read("production");
    assert!(
        text.contains(
            "  \"service:checkout\":\n    \"eu-west-1\": [2.9.1, 3.0.0]\n    \"other-regions\": 2.9.1\n  \"service:payments\""
        ),
        "{text}"
    );
    // The gate reads it: in eu-west-1 both versions run, elsewhere 2.9.1.
    let run = ripple(&[
        "skew",
        copy.root().join("ripple.yaml").to_str().unwrap(),
        "--env",
        "production",
        "--format",
        "json",
    ]);
    let skew = run.json()["skew"].clone();
    let checkout_eu = skew
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["consumer"] == "service:checkout" && s["region"] == "eu-west-1")
        .cloned()
        .unwrap_or_else(|| panic!("{skew}"));
    assert_eq!(checkout_eu["consumer_versions"], json!(["2.9.1", "3.0.0"]));
}

#[test]
fn files_with_the_old_star_key_are_still_read_and_edited() {
    let copy = Copy::new();
    std::fs::write(
        copy.file("production"),
        "deployments:\n  \"service:checkout\":\n    \"*\": 2.9.1       # everywhere else\n    \"eu-west-1\": 3.0.0\n",
    )
    .unwrap();
    copy.record(&[
        "--env",
        "production",
        "--region",
        "us-east-1",
        "--add",
        "service:checkout@3.0.0",
    ])
    .expect_code(0);
    assert_eq!(
        copy.read("production"),
        "deployments:\n  \"service:checkout\":\n    \"*\": 2.9.1       # everywhere else\n    \"eu-west-1\": 3.0.0\n    \"us-east-1\": [2.9.1, 3.0.0]\n"
    );
    copy.record(&[
        "--env",
        "production",
        "--undeploy",
        "service:checkout@2.9.1",
    ])
    .expect_code(0);
    assert_eq!(
        copy.read("production"),
        "deployments:\n  \"service:checkout\":\n    \"eu-west-1\": 3.0.0\n    \"us-east-1\": 3.0.0\n"
    );
}

#[test]
fn comments_and_key_order_survive_a_write() {
    for (args, expected) in [
        (
            vec!["service:payments@2.5.0"],
            "fixtures/deploy-record/expected/production-payments.yaml",
        ),
        (
            vec![
                "--region",
                "eu-west-1",
                "--undeploy",
                "api:ledger-api@1.4.2",
            ],
            "fixtures/deploy-record/expected/production.yaml",
        ),
    ] {
        let copy = Copy::new();
        std::fs::copy(
            "fixtures/deploy-record/environments/production.yaml",
            copy.file("production"),
        )
        .unwrap();
        let mut all = vec!["--env", "production"];
        all.extend_from_slice(&args);
        copy.record(&all).expect_code(0);
        assert_eq!(
            copy.read("production"),
            std::fs::read_to_string(expected).unwrap(),
            "{args:?}"
        );
    }
}

#[test]
fn recording_what_is_recorded_changes_nothing() {
    let copy = Copy::new();
    let before = copy.read("production");
    let run = copy.record(&["--env", "production", "service:checkout@2.9.1"]);
    run.expect_code(0);
    assert!(run.stderr.contains("unchanged"), "{}", run.stderr);
    assert_eq!(copy.read("production"), before);
}

#[test]
fn undeploying_a_component_removes_its_lines_only() {
    let copy = Copy::new();
    copy.record(&["--env", "production", "--undeploy", "api:ledger-api"])
        .expect_code(0);
    let expected = std::fs::read_to_string("fixtures/deploy/environments/production.yaml")
        .unwrap()
        .replace(
            "  \"api:ledger-api\":\n    \"eu-west-1\": [1.4.2, 1.5.0]    # a rollout of ledger-api 1.5.0 in progress\n    \"us-east-1\": 1.4.2\n",
            "",
        );
    assert_eq!(copy.read("production"), expected);
}

#[test]
fn an_invalid_environment_file_is_reported_with_its_position() {
    let copy = Copy::new();
    std::fs::write(
        copy.file("production"),
        "deployments:\n  \"service:checkout\": latest\n",
    )
    .unwrap();
    let run = copy.record(&["--env", "production", "service:checkout@3.0.0"]);
    fails_with(&run, "production.yaml:2:23: error[invalid-semver]");
}
