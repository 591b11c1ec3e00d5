use std::path::Path;

use sqlparser::ast::Statement;
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect};
use sqlparser::parser::Parser;

use super::migrations::{MigrationVersion, migration_files, up_section};
use super::model::Schema;
use super::types::{ColumnType, TypeCompatibility, compare_types};
use super::{RULES, Sql, rules};
use crate::contract::{ContractErrors, Diff, Rule};
use crate::source::diagnostic::Code;

fn diff_paths(old: &Path, new: &Path) -> Result<Diff, ContractErrors> {
    let today = jiff::civil::date(2026, 11, 30);
    crate::contract::diff_as::<Sql>(old, new, &crate::contract::DiffOptions::new(today))
}

#[test]
fn rules_are_sorted() {
    assert!(RULES.windows(2).all(|w| w[0].id < w[1].id));
}

fn order(names: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for n in names {
        std::fs::write(dir.path().join(n), "SELECT 1;").unwrap();
    }
    migration_files(dir.path())
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn flyway_versions_compare_numerically_and_skip_undo() {
    assert_eq!(
        order(&[
            "V10__late.sql",
            "V2__second.sql",
            "V1_1__patch.sql",
            "V1__init.sql",
            "U2__undo_second.sql",
            "R__views.sql",
            "V1.2__dotted.sql",
        ]),
        [
            "V1__init.sql",
            "V1_1__patch.sql",
            "V1.2__dotted.sql",
            "V2__second.sql",
            "V10__late.sql",
            "R__views.sql",
        ]
    );
}

#[test]
fn a_flyway_baseline_replaces_the_migrations_it_covers() {
    assert_eq!(
        order(&[
            "B1__old_baseline.sql",
            "V1__init.sql",
            "V2__payments.sql",
            "B2__baseline.sql",
            "V3__refunds.sql",
        ]),
        ["B2__baseline.sql", "V3__refunds.sql"]
    );
}

#[test]
fn prisma_folders_apply_in_timestamp_order() {
    let dir = tempfile::tempdir().unwrap();
    for d in ["20240301_refunds", "20240101_init", "20240201_payments"] {
        std::fs::create_dir(dir.path().join(d)).unwrap();
        std::fs::write(dir.path().join(d).join("migration.sql"), "SELECT 1;").unwrap();
    }
    std::fs::write(dir.path().join("migration_lock.toml"), "").unwrap();
    let files: Vec<String> = migration_files(dir.path())
        .unwrap()
        .iter()
        .map(|p| {
            p.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        files,
        [
            "20240101_init/migration.sql",
            "20240201_payments/migration.sql",
            "20240301_refunds/migration.sql",
        ]
    );
}

#[test]
fn golang_migrate_applies_up_files_by_number() {
    assert_eq!(
        order(&[
            "000010_ten.up.sql",
            "000002_two.down.sql",
            "000002_two.up.sql",
            "000001_init.down.sql",
            "000001_init.up.sql",
        ]),
        [
            "000001_init.up.sql",
            "000002_two.up.sql",
            "000010_ten.up.sql"
        ]
    );
}

#[test]
fn plain_and_timestamped_files_sort_naturally() {
    assert_eq!(
        order(&["10_c.sql", "2_b.sql", "001_a.sql", "notes.txt"]),
        ["001_a.sql", "2_b.sql", "10_c.sql"]
    );
    assert_eq!(
        order(&[
            "20240301090000_b.sql",
            "20240101120000_a.sql",
            "seed.sql",
            "20231231235959_z.sql",
        ]),
        [
            "20231231235959_z.sql",
            "20240101120000_a.sql",
            "20240301090000_b.sql",
            "seed.sql",
        ]
    );
}

#[test]
fn versions_ignore_leading_and_trailing_zeros() {
    assert_eq!(MigrationVersion::parse("1.0"), MigrationVersion::parse("1"));
    assert_eq!(MigrationVersion::parse("001"), MigrationVersion::parse("1"));
    assert!(MigrationVersion::parse("1.10") > MigrationVersion::parse("1.9"));
    assert!(
        MigrationVersion::parse("99999999999999999999999")
            > MigrationVersion::parse("20240101120000")
    );
    assert_eq!(MigrationVersion::parse("1.x"), None);
}

#[test]
fn down_sections_are_cut() {
    let text = "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n";
    assert_eq!(
        up_section(text),
        "-- migrate:up\nCREATE TABLE a (id int);\n"
    );
    let goose = "-- +goose Up\nCREATE TABLE a (id int);\n--  +goose   Down\nDROP TABLE a;";
    assert!(!up_section(goose).contains("DROP"));
}

fn column_type(sql: &str) -> ColumnType {
    let create = format!("CREATE TABLE t (c {sql})");
    let mysql = sql.contains('`') || sql.contains("unsigned");
    let dialect: Box<dyn Dialect> = if mysql {
        Box::new(MySqlDialect {})
    } else {
        Box::new(PostgreSqlDialect {})
    };
    let statements = Parser::parse_sql(dialect.as_ref(), &create).unwrap();
    let Statement::CreateTable(t) = &statements[0] else {
        panic!("{sql}");
    };
    ColumnType::from_data_type(&t.columns[0].data_type, mysql)
}

#[test]
fn type_changes_are_classified() {
    use TypeCompatibility::*;
    let table = [
        // Integers.
        ("integer", "bigint", Widened),
        ("bigint", "integer", Narrowed),
        ("smallint", "int4", Widened),
        ("int8", "bigint", Same),
        ("serial", "integer", Same),
        ("int unsigned", "bigint", Widened),
        ("int", "int unsigned", Narrowed),
        // Exact numerics.
        ("numeric(12,2)", "numeric(10,2)", Narrowed),
        ("numeric(10,2)", "numeric(12,2)", Widened),
        ("numeric(10,2)", "numeric(12,4)", Widened),
        ("numeric(12,2)", "numeric(12,4)", Narrowed),
        ("numeric(10,2)", "numeric", Widened),
        ("integer", "numeric(12,0)", Widened),
        ("bigint", "numeric(12,0)", Narrowed),
        ("numeric(9,0)", "integer", Widened),
        ("numeric(10,2)", "integer", Narrowed),
        // Floats.
        ("real", "double precision", Widened),
        ("float8", "float4", Narrowed),
        ("integer", "double precision", Widened),
        ("bigint", "double precision", Narrowed),
        // Strings.
        ("varchar(100)", "varchar(255)", Widened),
        ("varchar(255)", "varchar(100)", Narrowed),
        ("varchar(255)", "text", Widened),
        ("text", "varchar(40)", Narrowed),
        ("character varying", "text", Same),
        ("char(2)", "varchar(2)", Same),
        // Time.
        ("timestamp with time zone", "timestamp", Narrowed),
        ("timestamp", "timestamptz", Widened),
        ("timestamp(6)", "timestamp(3)", Narrowed),
        ("timestamp", "date", Changed),
        // Other families.
        ("text", "integer", Changed),
        ("integer", "text", Changed),
        ("uuid", "text", Changed),
        ("json", "jsonb", Widened),
        ("order_status", "text", Changed),
        ("order_status", "order_state", Changed),
        ("text[]", "varchar(10)[]", Narrowed),
        ("boolean", "boolean", Same),
    ];
    for (old, new, want) in table {
        assert_eq!(
            compare_types(&column_type(old), &column_type(new)),
            want,
            "{old} -> {new}: {:?} -> {:?}",
            column_type(old),
            column_type(new),
        );
    }
}

#[test]
fn mysql_types_use_mysql_sizes() {
    let parse = |sql: &str| {
        let s =
            Parser::parse_sql(&MySqlDialect {}, &format!("CREATE TABLE `t` (c {sql})")).unwrap();
        let Statement::CreateTable(t) = &s[0] else {
            panic!()
        };
        ColumnType::from_data_type(&t.columns[0].data_type, true)
    };
    use TypeCompatibility::*;
    for (old, new, want) in [
        ("mediumtext", "text", Narrowed),
        ("text", "varchar(255)", Narrowed),
        ("enum('a','b')", "enum('a','b','c')", Widened),
        ("enum('a','b','c')", "enum('a','c')", Narrowed),
        ("float", "double", Widened),
        ("decimal", "decimal(10,0)", Same),
    ] {
        assert_eq!(
            compare_types(&parse(old), &parse(new)),
            want,
            "{old} -> {new}"
        );
    }
}

fn schema(sql: &str) -> Result<Schema, ContractErrors> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.sql");
    std::fs::write(&path, sql).unwrap();
    Schema::load(&path)
}

#[test]
fn statements_build_the_schema() {
    let s = schema(
        "BEGIN;
         CREATE TABLE orders (id bigserial PRIMARY KEY, note text, total int NOT NULL DEFAULT 0);
         ALTER TABLE orders RENAME COLUMN note TO notes;
         ALTER TABLE orders ALTER COLUMN total DROP DEFAULT, ALTER COLUMN notes SET NOT NULL;
         CREATE UNIQUE INDEX orders_notes_key ON orders (notes);
         ALTER TABLE orders RENAME TO purchase_orders;
         INSERT INTO purchase_orders (total) VALUES (1);
         GRANT SELECT ON purchase_orders TO reporting;
         COMMIT;",
    )
    .unwrap();
    let t = &s.tables["purchase_orders"];
    assert_eq!(t.renamed_from[0].0, "orders");
    let notes = t.column("notes").unwrap();
    assert!(notes.not_null);
    assert_eq!(notes.renamed_from[0].0, "note");
    assert_eq!(notes.at.line, 4);
    let total = t.column("total").unwrap();
    assert_eq!(total.default, None);
    assert!(t.column("id").unwrap().not_null);
    assert_eq!(s.indexes["orders_notes_key"].table, "purchase_orders");
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let Err(e) = schema("CREATE TABLE a (id int);\nCREATE TABLE b (id int,, x int);\nSELEC 1;\n")
    else {
        panic!("parsed");
    };
    let lines: Vec<(u32, u32)> = e
        .errors
        .iter()
        .map(|d| (d.location.line, d.location.column))
        .collect();
    assert_eq!(lines, [(2, 24), (3, 1)]);
    assert!(e.errors.iter().all(|d| {
        d.code == Code::Syntax
            && d.location.file.ends_with("schema.sql")
            && d.message
                .starts_with("cannot parse SQL (PostgreSQL): Expected:")
    }));
}

/// The rule and element of each finding between two single-file schemas.
fn findings(old: &str, new: &str) -> Vec<(&'static Rule, String)> {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("old.sql"), dir.path().join("new.sql"));
    std::fs::write(&a, old).unwrap();
    std::fs::write(&b, new).unwrap();
    let diff = diff_paths(&a, &b).unwrap();
    diff.changes
        .into_iter()
        .map(|c| (c.rule, c.element))
        .collect()
}

const ORDERS: &str = "CREATE TABLE orders (
    id bigint PRIMARY KEY,
    ref text NOT NULL,
    status text,
    total integer NOT NULL
);
CREATE UNIQUE INDEX orders_ref_key ON orders (ref);
CREATE INDEX orders_status_idx ON orders (status);
";

#[test]
fn renames_carry_indexes_and_constraints_along() {
    let new = format!(
        "{ORDERS}
        ALTER TABLE orders RENAME TO purchases;
        ALTER TABLE purchases RENAME COLUMN ref TO reference;
        ALTER TABLE purchases RENAME COLUMN status TO state;"
    );
    assert_eq!(
        findings(ORDERS, &new),
        [
            (rules::COLUMN_RENAMED, "column orders.ref".to_owned()),
            (rules::COLUMN_RENAMED, "column orders.status".to_owned()),
            (rules::TABLE_RENAMED, "table orders".to_owned()),
        ]
    );
}

#[test]
fn a_dropped_column_takes_its_index_and_unique_constraint() {
    let new = format!("{ORDERS} ALTER TABLE orders DROP COLUMN ref, DROP COLUMN status;");
    assert_eq!(
        findings(ORDERS, &new),
        [
            (rules::COLUMN_REMOVED, "column orders.ref".to_owned()),
            (rules::COLUMN_REMOVED, "column orders.status".to_owned()),
        ]
    );
}

#[test]
fn constraints_on_new_columns_are_the_column_finding() {
    let new = format!(
        "{ORDERS} ALTER TABLE orders ADD COLUMN code text UNIQUE CHECK (code <> ''),
            ADD COLUMN parent bigint REFERENCES orders (id);"
    );
    assert_eq!(
        findings(ORDERS, &new),
        [
            (rules::COLUMN_ADDED, "column orders.code".to_owned()),
            (rules::COLUMN_ADDED, "column orders.parent".to_owned()),
        ]
    );
}

#[test]
fn a_partial_unique_index_is_a_unique_constraint() {
    let old =
        format!("{ORDERS} CREATE UNIQUE INDEX one_open ON orders (ref) WHERE status = 'open';");
    assert_eq!(
        findings(&old, ORDERS),
        [(rules::CONSTRAINT_UNIQUE_REMOVED, "table orders".to_owned())]
    );
}

#[test]
fn mysql_change_column_redefines_nullability_and_default() {
    let old = "CREATE TABLE `t` (`a` varchar(10) NOT NULL DEFAULT 'x');";
    let new = "CREATE TABLE `t` (`a` varchar(10) NOT NULL DEFAULT 'x');
        ALTER TABLE `t` CHANGE COLUMN `a` `b` varchar(10);";
    assert_eq!(
        findings(old, new),
        [
            (rules::COLUMN_BECAME_NULLABLE, "column t.a".to_owned()),
            (rules::COLUMN_RENAMED, "column t.a".to_owned()),
            (rules::COLUMN_DEFAULT_CHANGED, "column t.a".to_owned()),
        ]
    );
}

#[test]
fn drop_cascade_takes_the_views_that_read_the_table() {
    let old = "CREATE TABLE a (id int); CREATE VIEW v AS SELECT id FROM a;
        CREATE VIEW w AS SELECT * FROM v; CREATE VIEW other AS SELECT 1 AS one;";
    let new = format!("{old} DROP TABLE a CASCADE;");
    assert_eq!(
        findings(old, &new),
        [
            (rules::TABLE_REMOVED, "table a".to_owned()),
            (rules::VIEW_REMOVED, "view v".to_owned()),
            (rules::VIEW_REMOVED, "view w".to_owned()),
        ]
    );
}

#[test]
fn cut_and_corrupted_sql_never_panics() {
    let text = "CREATE TYPE s AS ENUM ('a', 'b');
CREATE TABLE `o` (id bigint unsigned NOT NULL AUTO_INCREMENT, s s DEFAULT 'a'::s, PRIMARY KEY (id));
ALTER TABLE o ADD COLUMN x numeric(10,2) CHECK (x > 0) REFERENCES p (id), DROP COLUMN y;
CREATE VIEW v AS SELECT id, x AS y FROM o; DROP INDEX i; ALTER TYPE s ADD VALUE 'c' BEFORE 'a';";
    for cut in 0..text.len() {
        for variant in [
            text[..cut].to_owned(),
            format!("{}'{}", &text[..cut], &text[cut..]),
            format!("{}$$({}", &text[..cut], &text[cut..]),
        ] {
            let result = std::panic::catch_unwind(|| schema(&variant).map(|_| ()));
            assert!(result.is_ok(), "panic at {cut}: {variant}");
        }
    }
}
