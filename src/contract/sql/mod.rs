//! SQL schemas: a DDL file, or a directory of migrations applied in order, compared as the
//! contract between a database and the services that read and write it.
//!
//! Each side is parsed with `sqlparser` and replayed statement by statement into a schema:
//! tables with their columns and constraints, indexes, views and enum types, each remembering
//! the file, line and column of the statement that last defined or changed it. The two final
//! schemas are then compared. A schema has two kinds of users, and each rule says which of them
//! fails: writers (`INSERT`/`UPDATE`), who break when the database accepts less than before, and
//! readers (`SELECT`), who break when something they read disappears or may now hold values
//! (wider types, `NULL`s) they do not expect.
//!
//! This module does not connect to a database, does not check that statements would succeed
//! (an `ALTER TABLE` on an unknown table is skipped, not reported), and ignores statements that
//! do not shape the schema (`INSERT`, `GRANT`, `SET`, functions, triggers).

mod apply;
mod ast;
mod compare;
mod migrations;
mod model;
mod parse;
mod positions;
pub mod rules;
mod types;

#[cfg(test)]
mod tests;

use std::path::Path;

use super::{Change, ContractErrors, ContractFormat};
use compare::SchemaComparison;
pub use model::Schema;

pub use rules::RULES;

/// SQL schemas: DDL files or migrations folders.
pub struct Sql;

impl super::Differ for Sql {
    const FORMAT: ContractFormat = ContractFormat::Sql;
    type Contract = Schema;

    fn load(path: &Path, _options: &super::DiffOptions) -> Result<Schema, ContractErrors> {
        Schema::load(path)
    }

    fn compare(
        old: &Schema,
        new: &Schema,
        _options: &super::DiffOptions,
    ) -> Result<Vec<Change>, ContractErrors> {
        let mut comparison = SchemaComparison::new(old, new);
        comparison.compare();
        Ok(comparison.changes)
    }
}
