//! Contract diff rules: one before/after pair per rule under fixtures/contracts/<case>/, each with
//! the findings expected from the rule's meaning, written by hand in `expected.json`:
//!
//! ```json
//! {"exit": 1, "changes": [
//!   {"class": "breaking", "rule": "openapi.path.removed", "element": "GET /orders/{id}", "old": 12, "new": null}
//! ]}
//! ```
//!
//! `old`/`new` are the lines the change points at in the old and new contract (null when absent).
//! A case may hold `args.txt`: extra arguments for `ripple diff` (e.g. `--graph ...`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{repo_root, ripple};

fn cases() -> Vec<PathBuf> {
    let root = repo_root().join("fixtures/contracts");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// `old.*`/`new.*` files or `old/`/`new/` directories of a case.
fn side(case: &Path, name: &str) -> String {
    let entry = std::fs::read_dir(case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_stem().and_then(|s| s.to_str()) == Some(name)
                || p.file_name().and_then(|s| s.to_str()) == Some(name)
        })
        .unwrap_or_else(|| panic!("{} has no {name} contract", case.display()));
    entry
        .strip_prefix(repo_root())
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

fn line(location: &Value) -> Value {
    location.get("line").cloned().unwrap_or(Value::Null)
}

fn run_case(case: &Path) -> Result<(), String> {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(case.join("expected.json"))
            .map_err(|e| format!("no expected.json: {e}"))?,
    )
    .map_err(|e| format!("expected.json: {e}"))?;
    let (old, new) = (side(case, "old"), side(case, "new"));
    let extra = std::fs::read_to_string(case.join("args.txt")).unwrap_or_default();
    let mut args = vec!["diff", old.as_str(), new.as_str(), "--format", "json"];
    args.extend(extra.split_whitespace());
    let run = ripple(&args);
    if Some(i64::from(run.code)) != expected["exit"].as_i64() {
        return Err(format!(
            "exit {} instead of {}\n{}{}",
            run.code, expected["exit"], run.stdout, run.stderr
        ));
    }
    let report: Value = serde_json::from_str(&run.stdout)
        .map_err(|e| format!("output is not JSON ({e}): {}{}", run.stdout, run.stderr))?;
    let actual: Vec<Value> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            serde_json::json!({
                "class": c["class"], "rule": c["rule"], "element": c["element"],
                "old": line(&c["old"]), "new": line(&c["new"]),
            })
        })
        .collect();
    let mut want: Vec<Value> = expected["changes"].as_array().unwrap().clone();
    let key = |v: &Value| v.to_string();
    let mut got = actual.clone();
    got.sort_by_key(key);
    want.sort_by_key(key);
    if got != want {
        return Err(format!(
            "findings differ\n  expected: {}\n  actual:   {}\n  messages: {}",
            serde_json::to_string(&want).unwrap(),
            serde_json::to_string(&got).unwrap(),
            report["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["message"].as_str().unwrap_or("").to_owned())
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    Ok(())
}

#[test]
fn every_case_reports_exactly_the_expected_findings() {
    let cases = cases();
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run_case(case)
                .err()
                .map(|e| format!("{}: {e}", case.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_rule_has_a_case() {
    let mut covered = BTreeSet::new();
    for case in cases() {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap();
        for c in expected["changes"].as_array().unwrap() {
            covered.insert(c["rule"].as_str().unwrap().to_owned());
        }
    }
    // The analyses' rules (check, skew, deprecation, semver) have their own tests (deploy.rs).
    let missing: Vec<&str> = ripple::contract::rules::all()
        .map(|r| r.id)
        .filter(|id| !covered.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a fixture case: {missing:?}"
    );
}
