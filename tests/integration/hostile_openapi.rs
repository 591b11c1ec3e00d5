//! OpenAPI and AsyncAPI documents written to hurt: `$ref` graphs that explode or loop, nesting
//! deep enough to overflow a stack, references that leave the repository, and documents whose
//! format hides behind a byte-order mark or key order. Each must end, quickly, with a correct
//! answer or a clear error naming file, line and column.

use std::fmt::Write as _;

use crate::util::{HANG, diagnostics, ripple, ripple_within, scratch_repo, write};

/// An OpenAPI document whose operations (`/a`, `/b`) return `B0`, each `Bi` referring to
/// `B(i+1)` twice: 2^levels paths down to `B<levels>`, whose type is `leaf`.
fn openapi_bomb(levels: usize, leaf: &str) -> String {
    let mut s = String::from("openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths:\n");
    for path in ["a", "b"] {
        let _ = write!(
            s,
            "  /{path}:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/B0'}}\n"
        );
    }
    s.push_str("components:\n  schemas:\n");
    for i in 0..levels {
        let _ = writeln!(
            s,
            "    B{i}: {{properties: {{a: {{$ref: '#/components/schemas/B{n}'}}, b: {{$ref: '#/components/schemas/B{n}'}}}}}}",
            n = i + 1
        );
    }
    let _ = writeln!(s, "    B{levels}: {{type: {leaf}}}");
    s
}

/// The AsyncAPI form of [`openapi_bomb`]: messages on channels `a` and `b` carry `B0`.
fn asyncapi_bomb(levels: usize, leaf: &str) -> String {
    let mut s = String::from("asyncapi: 2.6.0\ninfo: {title: t, version: 1.0.0}\nchannels:\n");
    for channel in ["a", "b"] {
        let _ = write!(
            s,
            "  {channel}:\n    subscribe:\n      message:\n        name: Placed\n        payload: {{$ref: '#/components/schemas/B0'}}\n"
        );
    }
    s.push_str("components:\n  schemas:\n");
    for i in 0..levels {
        let _ = writeln!(
            s,
            "    B{i}: {{properties: {{a: {{$ref: '#/components/schemas/B{n}'}}, b: {{$ref: '#/components/schemas/B{n}'}}}}}}",
            n = i + 1
        );
    }
    let _ = writeln!(s, "    B{levels}: {{type: {leaf}}}");
    s
}

#[test]
fn openapi_ref_dag_bomb_finishes_at_once() {
    let f = "fixtures/hostile/openapi-ref-dag-bomb.yaml";
    let run = ripple_within(HANG, &["diff", f, f]);
    run.expect_code(0);
    assert!(run.stdout.contains("0 changes"), "{}", run.stdout);
}

#[test]
fn asyncapi_ref_dag_bomb_finishes_at_once() {
    let f = "fixtures/hostile/asyncapi-ref-dag-bomb.yaml";
    let run = ripple_within(HANG, &["diff", f, f]);
    run.expect_code(0);
    assert!(run.stdout.contains("0 changes"), "{}", run.stdout);
}

#[test]
fn a_change_deep_in_a_ref_dag_is_reported_once_with_every_operation_it_reaches() {
    let dir = scratch_repo();
    let old = write(
        &dir.path().join("repo/old.yaml"),
        openapi_bomb(40, "string"),
    );
    let new = write(
        &dir.path().join("repo/new.yaml"),
        openapi_bomb(40, "integer"),
    );
    let run = ripple_within(HANG, &["diff", &old, &new, "--format", "json"]);
    run.expect_code(1);
    let changes = contract_changes(&run);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0]["rule"], "openapi.response.type.changed");
    assert_eq!(changes[0]["element"], "schema B40");
    assert_eq!(
        changes[0]["affects"],
        serde_json::json!(["GET /a", "GET /b"])
    );
}

#[test]
fn a_change_deep_in_an_asyncapi_ref_dag_is_reported_once_with_every_message_it_reaches() {
    let dir = scratch_repo();
    let old = write(
        &dir.path().join("repo/old.yaml"),
        asyncapi_bomb(40, "string"),
    );
    let new = write(
        &dir.path().join("repo/new.yaml"),
        asyncapi_bomb(40, "integer"),
    );
    let run = ripple_within(HANG, &["diff", &old, &new, "--format", "json"]);
    run.expect_code(1);
    let changes = contract_changes(&run);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0]["rule"], "asyncapi.payload.type-changed");
    assert_eq!(changes[0]["element"], "schema B40");
    assert_eq!(
        changes[0]["affects"],
        serde_json::json!(["message a/Placed", "message b/Placed"])
    );
}

#[test]
fn schemas_that_refer_to_themselves_end() {
    let spec = |extra: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: 1.0.0}}\npaths:\n  /tree:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Node'}}\ncomponents:\n  schemas:\n    Node:\n      properties:\n        children: {{type: array, items: {{$ref: '#/components/schemas/Node'}}}}\n        parent: {{$ref: '#/components/schemas/Edge'}}\n{extra}    Edge:\n      properties:\n        to: {{$ref: '#/components/schemas/Node'}}\n"
        )
    };
    let dir = scratch_repo();
    let old = write(
        &dir.path().join("repo/old.yaml"),
        spec("        label: {type: string}\n"),
    );
    let new = write(&dir.path().join("repo/new.yaml"), spec(""));
    let run = ripple_within(HANG, &["diff", &old, &new, "--format", "json"]);
    run.expect_code(1);
    let changes = contract_changes(&run);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0]["rule"], "openapi.response.property.removed");
    assert_eq!(changes[0]["element"], "GET /tree");
}

/// The contract's changes in a JSON report (not the semver finding about `info.version`).
fn contract_changes(run: &crate::util::Run) -> Vec<serde_json::Value> {
    run.json()["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["rule"].as_str().unwrap_or("").starts_with("semver."))
        .cloned()
        .collect()
}

/// Every error line of a run names a file, a line and a column.
#[track_caller]
fn assert_placed(stderr: &str, file: &str, wanted: &str) {
    let lines = diagnostics(stderr);
    assert!(!lines.is_empty(), "no diagnostics:\n{stderr}");
    let line = lines
        .iter()
        .find(|l| l.contains(wanted))
        .unwrap_or_else(|| panic!("no diagnostic says `{wanted}`:\n{stderr}"));
    let place = line.split(": ").next().unwrap();
    let mut parts = place.rsplitn(3, ':');
    let (col, row, path) = (parts.next(), parts.next(), parts.next());
    assert_eq!(path, Some(file), "{line}");
    assert!(
        row.and_then(|r| r.parse::<u32>().ok())
            .is_some_and(|r| r > 0)
            && col
                .and_then(|c| c.parse::<u32>().ok())
                .is_some_and(|c| c > 0),
        "no line and column: {line}"
    );
}

#[test]
fn schemas_nested_10000_levels_deep_are_an_error_not_a_stack_overflow() {
    let dir = scratch_repo();
    // Through references: S0 → S1 → … → S9999.
    let mut chain = String::from(
        "openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths:\n  /deep:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/S0'}\n      responses:\n        '204': {description: ok}\ncomponents:\n  schemas:\n",
    );
    for i in 0..10_000 {
        let _ = writeln!(
            chain,
            "    S{i}: {{properties: {{next: {{$ref: '#/components/schemas/S{}'}}}}}}",
            i + 1
        );
    }
    chain.push_str("    S10000: {type: string}\n");
    let refs = write(&dir.path().join("repo/refs.yaml"), &chain);
    // Inline JSON, and block YAML (a list in a list, 10,000 times).
    let json = write(
        &dir.path().join("repo/inline.json"),
        format!(
            "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"t\", \"version\": \"1\"}}, \"paths\": {{}}, \"x-deep\": {}1{}}}",
            "{\"a\": ".repeat(10_000),
            "}".repeat(10_000)
        ),
    );
    let block = write(
        &dir.path().join("repo/block.yaml"),
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: 1.0.0}}\npaths: {{}}\nx-deep:\n{}x\n",
            "- ".repeat(10_000)
        ),
    );
    for (file, wanted) in [
        (&refs, "schema nested more than 128 levels deep"),
        (&json, "malformed YAML/JSON"),
        // The YAML reader stops block nesting first (256 levels), before the contract's own limit.
        (&block, "nest deeper than 256 levels"),
    ] {
        let run = ripple_within(HANG, &["diff", file, file]);
        run.expect_code(2);
        assert_placed(&run.stderr, file, wanted);
    }
}

/// A repository with `specs/api.yaml`, whose response schema is `$ref: <target>`.
fn spec_referring_to(dir: &std::path::Path, target: &str) -> String {
    write(
        &dir.join("repo/specs/api.yaml"),
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: 1.0.0}}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '{target}'}}\n"
        ),
    )
}

#[test]
fn refs_outside_the_repository_are_refused_at_the_ref() {
    let dir = scratch_repo();
    write(&dir.path().join("secret.yaml"), "type: string\n");
    let mut cases = vec![
        ("/etc/passwd".to_owned(), "/etc/passwd".to_owned()),
        ("../../secret.yaml".to_owned(), "secret.yaml".to_owned()),
    ];
    #[cfg(unix)]
    {
        std::fs::create_dir_all(dir.path().join("repo/specs")).unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("secret.yaml"),
            dir.path().join("repo/specs/link.yaml"),
        )
        .unwrap();
        cases.push(("link.yaml".to_owned(), "link.yaml".to_owned()));
    }
    for (target, named) in cases {
        let spec = spec_referring_to(dir.path(), &target);
        let run = ripple(&["diff", &spec, &spec]);
        run.expect_code(2);
        assert_placed(&run.stderr, &spec, "--allow-outside-root");
        let line = diagnostics(&run.stderr)[0];
        assert!(line.contains(":11:"), "not at the $ref's line: {line}");
        assert!(
            line.contains(&named) && line.contains("outside the repository root"),
            "{line}"
        );
    }
}

#[test]
fn a_remote_ref_is_a_warning_and_leaves_the_exit_code_alone() {
    let dir = scratch_repo();
    let spec = spec_referring_to(dir.path(), "https://example.com/schemas.yaml#/Order");
    let run = ripple(&["diff", &spec, &spec, "--format", "json"]);
    run.expect_code(0);
    assert_placed(&run.stderr, &spec, "is remote");
    assert!(
        diagnostics(&run.stderr)
            .iter()
            .all(|l| l.contains(": warning[")),
        "{}",
        run.stderr
    );
    let warnings = run.json()["warnings"].as_array().unwrap().clone();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0]["location"]["line"], 11);
}

#[test]
fn formats_are_detected_whatever_the_byte_order_mark_or_key_order() {
    let dir = scratch_repo();
    let bom = "\u{feff}";
    let cases = [
        ("fixtures/hostile/openapi-bom.yaml".to_owned(), "openapi"),
        (
            write(
                &dir.path().join("repo/bom.json"),
                format!(
                    "{bom}{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"t\", \"version\": \"1\"}}, \"paths\": {{}}}}"
                ),
            ),
            "openapi",
        ),
        (
            write(
                &dir.path().join("repo/minified.json"),
                r#"{"info":{"title":"openapi","version":"1"},"paths":{"/a":{"get":{"responses":{"204":{"description":"ok"}}}}},"openapi":"3.1.0"}"#,
            ),
            "openapi",
        ),
        (
            write(
                &dir.path().join("repo/bom-async.yaml"),
                format!(
                    "{bom}asyncapi: 2.6.0\ninfo: {{title: t, version: 1.0.0}}\nchannels: {{}}\n"
                ),
            ),
            "asyncapi",
        ),
        (
            write(
                &dir.path().join("repo/minified-async.json"),
                format!(
                    "{bom}{{\"info\":{{\"title\":\"t\",\"version\":\"1\"}},\"channels\":{{}},\"asyncapi\":\"3.0.0\"}}"
                ),
            ),
            "asyncapi",
        ),
    ];
    for (file, format) in cases {
        let run = ripple(&["diff", &file, &file]);
        run.expect_code(0);
        assert!(
            run.stdout.contains(&format!("diff ({format})")),
            "{file}: {}",
            run.stdout
        );
    }
}
