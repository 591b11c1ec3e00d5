//! Hostile SQL: statements nested or chained far deeper than any schema, and schemas far larger
//! than most. Each ends, through the binary, in a correct answer or in exit 2 with an error that
//! names the file, line, column and statement, within seconds, and never in a panic, an abort or
//! a hang. The big inputs are generated into a temporary directory; the small ones are under
//! fixtures/hostile/.

use crate::util::{HANG, Run, diagnostics, ripple, ripple_within};
use std::fmt::Write as _;
use std::path::Path;

/// `ripple diff old new` on two generated SQL files, timed.
fn diff_sql(old: &str, new: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("old.sql"), dir.path().join("new.sql"));
    std::fs::write(&a, old).unwrap();
    std::fs::write(&b, new).unwrap();
    diff_paths(&a, &b)
}

/// `ripple diff OLD NEW --format json`, failed if it hangs, panics or overflows its stack.
fn diff_paths(old: &Path, new: &Path) -> Run {
    ripple_within(
        HANG,
        &[
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--format",
            "json",
        ],
    )
}

/// The statement is refused, on each side, as too deep, at `line:column` of `old.sql`.
#[track_caller]
fn refused_as_too_deep(run: &Run, statement: &str, line_column: &str) {
    run.expect_code(2);
    let errors = diagnostics(&run.stderr);
    assert_eq!(errors.len(), 2, "{}", run.stderr);
    let old = errors
        .iter()
        .find(|e| e.contains("old.sql:"))
        .unwrap_or_else(|| panic!("no error for old.sql:\n{}", run.stderr));
    assert!(
        old.contains(&format!("old.sql:{line_column}: error[syntax]"))
            && old.contains(&format!("`{statement}` nests too deeply")),
        "{old}"
    );
}

fn changes(run: &Run) -> Vec<(String, String)> {
    run.json()["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["rule"].as_str().unwrap().to_owned(),
                c["element"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_select_of_100000_nested_parentheses_is_refused_not_a_stack_overflow() {
    let sql = format!("SELECT {}1{};\n", "(".repeat(100_000), ")".repeat(100_000));
    // The 501st bracket, at column 8 + 500.
    refused_as_too_deep(&diff_sql(&sql, &sql), "SELECT", "1:508");
}

#[test]
fn a_default_of_100000_nested_parentheses_is_refused() {
    let sql = format!(
        "CREATE TABLE t (id int);\nCREATE TABLE t2 (a int DEFAULT {}1{});\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    refused_as_too_deep(&diff_sql(&sql, &sql), "CREATE TABLE t2", "2:531");
}

#[test]
fn a_check_of_100000_nested_parentheses_is_refused() {
    let sql = format!(
        "CREATE TABLE t (a int CHECK {}a > 1{});\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    refused_as_too_deep(&diff_sql(&sql, &sql), "CREATE TABLE t", "1:528");
}

/// sqlparser builds `1 + 1 + ...` and `1::int::int ...` in a loop, below its recursion limit,
/// into trees that every walk (and `Drop`) follows by recursion.
#[test]
fn a_default_chaining_100000_operators_or_casts_is_refused() {
    for (what, chain) in [("operators", "1 + "), ("casts", "::int"), ("nots", "NOT ")] {
        let expr = match what {
            "casts" => format!("1{}", chain.repeat(100_000)),
            _ => format!("{}1", chain.repeat(100_000)),
        };
        let sql = format!("CREATE TABLE t (a int DEFAULT {expr});\n");
        let run = diff_sql(&sql, &sql);
        run.expect_code(2);
        assert!(
            diagnostics(&run.stderr)
                .iter()
                .all(|e| e.contains("`CREATE TABLE t` nests too deeply")),
            "{what}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_type_of_100000_array_dimensions_or_nested_generics_is_refused() {
    for ty in [
        format!("int{}", "[]".repeat(100_000)),
        format!("{}int{}", "ARRAY<".repeat(100_000), ">".repeat(100_000)),
    ] {
        let sql = format!("CREATE TABLE t (a {ty});\n");
        let run = diff_sql(&sql, &sql);
        run.expect_code(2);
        assert!(
            run.stderr.contains("`CREATE TABLE t` nests too deeply"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_view_of_100000_unions_or_nested_subqueries_is_refused() {
    for query in [
        format!("SELECT 1 AS a{}", " UNION SELECT 1".repeat(100_000)),
        format!(
            "{}SELECT 1 AS a{}",
            "SELECT * FROM (".repeat(100_000),
            ") x".repeat(100_000)
        ),
    ] {
        let sql = format!("CREATE VIEW v AS {query};\n");
        let run = diff_sql(&sql, &sql);
        run.expect_code(2);
        assert!(
            run.stderr
                .contains("`CREATE VIEW v AS SELECT` nests too deeply"),
            "{}",
            run.stderr
        );
    }
}

/// Twenty-odd parentheses reach sqlparser's own recursion limit: the error names the statement
/// and the place the parser stopped, and the statements around it are not blamed.
#[test]
fn nesting_past_the_parser_recursion_limit_names_the_statement_and_place() {
    let run = ripple(&[
        "diff",
        "fixtures/hostile/sql-parens-past-parser-limit.sql",
        "fixtures/hostile/sql-parens-past-parser-limit.sql",
    ]);
    run.expect_code(2);
    let errors = diagnostics(&run.stderr);
    // The same file on both sides: its error is reported once.
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    for e in errors {
        assert!(
            e.starts_with("fixtures/hostile/sql-parens-past-parser-limit.sql:3:")
                && e.contains("`CREATE TABLE deep` nests too deeply: sqlparser stops at 50 levels"),
            "{e}"
        );
    }
}

/// Below the limits, deep statements still load and compare, in a debug build's stack.
#[test]
fn statements_nested_within_the_limits_still_compare() {
    let old = format!(
        "CREATE TABLE t (a int DEFAULT {p}1{q}, b int CHECK ({chain}b > 0), c int{dims});
         CREATE VIEW v AS SELECT 1 AS a{unions};\n",
        p = "(".repeat(15),
        q = ")".repeat(15),
        chain = "b > 0 AND ".repeat(200),
        dims = "[]".repeat(400),
        unions = " UNION SELECT 1".repeat(400),
    );
    let new = format!("{old}ALTER TABLE t ADD COLUMN d int;\n");
    let run = diff_sql(&old, &new);
    run.expect_code(0);
    assert_eq!(
        changes(&run),
        [("sql.column.added".to_owned(), "column t.d".to_owned())]
    );
}

/// `DROP TABLE ... CASCADE` follows views that read views: a chain of 20,000 is neither a deep
/// recursion nor a scan of every view per view dropped.
#[test]
fn drop_cascade_through_a_chain_of_20000_views() {
    let mut old =
        String::from("CREATE TABLE base (id int);\nCREATE VIEW v0 AS SELECT id FROM base;\n");
    for i in 1..20_000 {
        let _ = writeln!(old, "CREATE VIEW v{i} AS SELECT id FROM v{};", i - 1);
    }
    let new = format!("{old}DROP TABLE base CASCADE;\n");
    let run = diff_sql(&old, &new);
    run.expect_code(1);
    let found = changes(&run);
    assert_eq!(found.len(), 20_001);
    assert_eq!(
        found
            .iter()
            .filter(|(rule, _)| rule == "sql.view.removed")
            .count(),
        20_000
    );
}
