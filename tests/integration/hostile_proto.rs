//! Hostile protobuf input through the binary: each case ends with exit 2 and a `file:line:col`
//! error, within a second or two; never a panic, an abort or a hang.

use crate::util::{HANG, Run, diagnostics, ripple_within};

/// `ripple diff FILE FILE`, failed if it hangs or panics.
fn diff_itself(path: &str) -> Run {
    ripple_within(HANG, &["diff", path, path])
}

#[test]
fn deeply_nested_messages_are_refused_not_a_stack_overflow() {
    let path = "fixtures/hostile/proto-deep-nested-message.proto";
    let run = diff_itself(path);
    run.expect_code(2);
    let errors = diagnostics(&run.stderr);
    assert!(!errors.is_empty(), "{}", run.stderr);
    // The 101st `{` of `message M{` repeated: column 10 per level.
    assert!(
        errors[0].starts_with(&format!(
            "{path}:2:1010: error[syntax]: nested more than 100 levels"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_message_declared_twice_is_an_error_at_the_second_not_a_parser_panic() {
    let path = "fixtures/hostile/proto-duplicate-message.proto";
    let run = diff_itself(path);
    run.expect_code(2);
    let errors = diagnostics(&run.stderr);
    assert!(
        errors[0].starts_with(&format!(
            "{path}:3:1: error[duplicate-id]: `W` is already defined"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("{path}:2:1: note: first defined here"))
    );
}

#[test]
fn names_declared_twice_in_one_scope_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // Two services: the parser panicked.
        (
            "service.proto",
            "syntax = \"proto3\";\nmessage R {}\nservice S { rpc A(R) returns (R); }\nservice S {}\n",
            "4:1",
            "`S` is already defined",
        ),
        // Two rpcs of one service: accepted silently.
        (
            "rpc.proto",
            "syntax = \"proto3\";\nmessage R {}\nservice S {\n  rpc A(R) returns (R);\n  rpc A(R) returns (R);\n}\n",
            "5:3",
            "`S/A` is already defined",
        ),
        // An enum value twice: diffed as a number change.
        (
            "value.proto",
            "syntax = \"proto3\";\nenum E {\n  E_A = 0;\n  E_A = 1;\n}\n",
            "4:3",
            "`E_A` is already defined",
        ),
    ];
    for (name, text, at, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        let run = diff_itself(path);
        run.expect_code(2);
        let expected = format!("{path}:{at}: error[duplicate-id]: {message}");
        assert!(
            diagnostics(&run.stderr)[0].starts_with(&expected),
            "{expected}\n{}",
            run.stderr
        );
    }
}

#[test]
fn nesting_of_100_levels_still_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let deep = |levels: usize| {
        format!(
            "syntax = \"proto3\";\n{}{}\n",
            "message M{".repeat(levels),
            "}".repeat(levels)
        )
    };
    let path = dir.path().join("deep.proto");
    std::fs::write(&path, deep(100)).unwrap();
    let path = path.to_str().unwrap();
    diff_itself(path).expect_code(0);
}

#[test]
fn deeply_nested_option_values_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("options.proto");
    let value = format!("{}{}", "{a:".repeat(500), "}".repeat(500));
    std::fs::write(
        &path,
        format!("syntax = \"proto3\";\nmessage M {{\n  option (x) = {value};\n}}\n"),
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let run = diff_itself(path);
    run.expect_code(2);
    assert!(
        diagnostics(&run.stderr)[0].starts_with(&format!("{path}:3:")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_long_import_chain_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..150 {
        let import = if i < 149 {
            format!("import \"f{}.proto\";\n", i + 1)
        } else {
            String::new()
        };
        std::fs::write(
            dir.path().join(format!("f{i}.proto")),
            format!("syntax = \"proto3\";\n{import}message M{i} {{}}\n"),
        )
        .unwrap();
    }
    let path = dir.path().to_str().unwrap();
    let run = diff_itself(path);
    run.expect_code(2);
    assert!(
        run.stderr.contains("imports nest more than 100 files deep"),
        "{}",
        run.stderr
    );
}

/// protobuf-parse itself refuses `..` and absolute import paths ("dot-dot in path", "empty
/// components"); the error still names the import's line and nothing outside is read.
#[test]
fn imports_that_leave_the_repository_are_refused() {
    for file in ["dotdot.proto", "absolute.proto"] {
        let path = format!("fixtures/hostile/proto-import-outside/{file}");
        let run = diff_itself(&path);
        run.expect_code(2);
        let errors = diagnostics(&run.stderr);
        assert!(
            errors[0].starts_with(&format!("{path}:4:")),
            "{}",
            run.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn an_import_through_a_symlink_out_of_the_repository_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(
        dir.path().join("secret.proto"),
        "syntax = \"proto3\";\nmessage Secret {}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.proto"), repo.join("link.proto")).unwrap();
    let path = repo.join("a.proto");
    std::fs::write(
        &path,
        "syntax = \"proto3\";\nimport \"link.proto\";\nmessage A { Secret s = 1; }\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let run = diff_itself(path);
    run.expect_code(2);
    let errors = diagnostics(&run.stderr);
    assert!(
        errors[0].starts_with(&format!("{path}:2:8: error[io]: import `link.proto`")),
        "{}",
        run.stderr
    );
}

/// A byte-order mark before a `.proto` file (editors on Windows write one) changes nothing: the
/// files are compared as without it, imports included, at the same lines.
#[test]
fn a_byte_order_mark_before_proto_files_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bom = "\u{feff}";
    for (side, fields) in [
        ("old", "  string id = 1;\n  int64 total = 2;\n"),
        ("new", "  string id = 1;\n"),
    ] {
        let module = dir.path().join(side);
        std::fs::create_dir_all(&module).unwrap();
        std::fs::write(
            module.join("common.proto"),
            format!("{bom}syntax = \"proto3\";\npackage shop.v1;\nmessage Money {{ int64 cents = 1; }}\n"),
        )
        .unwrap();
        std::fs::write(
            module.join("orders.proto"),
            format!(
                "{bom}syntax = \"proto3\";\npackage shop.v1;\nimport \"common.proto\";\nmessage Order {{\n{fields}  Money price = 3;\n}}\n"
            ),
        )
        .unwrap();
    }
    let old = dir.path().join("old");
    let new = dir.path().join("new");
    let run = ripple_within(
        HANG,
        &[
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    run.expect_code(1);
    let report = run.json();
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{report}");
    assert_eq!(changes[0]["rule"], "protobuf.field.removed-without-reserve");
    assert_eq!(changes[0]["element"], "shop.v1.Order.total");
    assert_eq!(changes[0]["old"]["line"], 6, "{report}");
}
