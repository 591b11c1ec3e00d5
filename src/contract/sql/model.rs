//! The schema a set of statements builds: tables, columns, constraints, indexes, views and enum
//! types, each with the place of the statement that last defined or changed it.

use std::collections::{BTreeMap, BTreeSet};

use super::types::ColumnType;
use crate::source::diagnostic::Location;

/// One side of a SQL comparison: the final state of a database after its migrations.
#[derive(Default)]
pub struct Schema {
    pub(super) tables: BTreeMap<String, Table>,
    pub(super) views: BTreeMap<String, View>,
    pub(super) indexes: BTreeMap<String, Index>,
    pub(super) enums: BTreeMap<String, Enum>,
    /// Where each dropped object was dropped, so that a removal points at the statement that
    /// removed it. Columns are keyed `table.column`.
    pub(super) dropped: BTreeMap<(ObjectKind, String), Location>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum ObjectKind {
    Table,
    Column,
    View,
    Index,
    Type,
}

#[derive(Clone, Debug)]
pub(super) struct Table {
    pub(super) columns: Vec<Column>,
    pub(super) constraints: Vec<Constraint>,
    /// The statement that last created, renamed or altered the table.
    pub(super) at: Location,
    /// Earlier names, oldest first, with the statement that renamed each.
    pub(super) renamed_from: Vec<(String, Location)>,
}

#[derive(Clone, Debug)]
pub(super) struct Column {
    pub(super) name: String,
    pub(super) column_type: ColumnType,
    /// The type as written (`int8`, `varchar(255)`), for messages.
    pub(super) written_type: String,
    pub(super) not_null: bool,
    pub(super) default: Option<String>,
    pub(super) generated: Option<Generated>,
    pub(super) at: Location,
    pub(super) renamed_from: Vec<(String, Location)>,
}

/// A value the database supplies when a writer omits the column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Generated {
    /// A sequence: `serial`, `GENERATED ... AS IDENTITY`, `AUTO_INCREMENT`.
    Identity,
    /// `GENERATED ALWAYS AS (expr)`: computed, never written.
    Computed,
}

impl Column {
    /// What a writer that omits the column gets, if anything but NULL: `default 'EUR'`,
    /// `identity values`, `generated values`.
    pub(super) fn supplied(&self) -> Option<String> {
        match (&self.default, self.generated) {
            (Some(d), _) => Some(format!("default {d}")),
            (None, Some(Generated::Identity)) => Some("identity values".to_owned()),
            (None, Some(Generated::Computed)) => Some("generated values".to_owned()),
            (None, None) => None,
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Constraint {
    /// The name given in the DDL, if any.
    pub(super) name: Option<String>,
    pub(super) kind: ConstraintKind,
    pub(super) columns: Vec<String>,
    pub(super) at: Location,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ConstraintKind {
    PrimaryKey,
    Unique,
    ForeignKey { table: String, columns: Vec<String> },
    Check { expr: String },
}

#[derive(Clone, Debug)]
pub(super) struct Index {
    pub(super) table: String,
    pub(super) columns: Vec<String>,
    pub(super) unique: bool,
    pub(super) predicate: Option<String>,
    pub(super) at: Location,
}

#[derive(Clone, Debug)]
pub(super) struct View {
    /// The columns it returns; `None` when it selects `*`.
    pub(super) columns: Option<BTreeSet<String>>,
    /// The tables and views it reads (its `FROM` clauses), which `DROP ... CASCADE` follows.
    pub(super) reads: BTreeSet<String>,
    pub(super) at: Location,
    pub(super) renamed_from: Vec<(String, Location)>,
}

#[derive(Clone, Debug)]
pub(super) struct Enum {
    pub(super) values: Vec<String>,
    pub(super) at: Location,
}

impl Table {
    pub(super) fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub(super) fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    pub(super) fn primary_key(&self) -> Option<&Constraint> {
        self.constraints
            .iter()
            .find(|c| c.kind == ConstraintKind::PrimaryKey)
    }

    /// Primary key columns are NOT NULL, whether or not the DDL says so.
    pub(super) fn mark_key_not_null(&mut self) {
        let key: Vec<String> = self
            .primary_key()
            .map(|k| k.columns.clone())
            .unwrap_or_default();
        for c in &mut self.columns {
            if key.contains(&c.name) {
                c.not_null = true;
            }
        }
    }
}

impl Constraint {
    /// Whether `DROP CONSTRAINT name` on `table` drops this constraint: its own name, or the
    /// name PostgreSQL (`orders_pkey`, `orders_email_key`, `orders_customer_id_fkey`) or MySQL
    /// (a unique key's first column) gives an unnamed one.
    pub(super) fn answers_to(&self, table: &str, name: &str) -> bool {
        if let Some(own) = &self.name {
            return own == name;
        }
        let table = table.rsplit('.').next().unwrap_or(table);
        let cols = self.columns.join("_");
        match &self.kind {
            ConstraintKind::PrimaryKey => name == format!("{table}_pkey") || name == "primary",
            ConstraintKind::Unique => {
                name == format!("{table}_{cols}_key")
                    || self.columns.first().is_some_and(|c| c == name)
            }
            ConstraintKind::ForeignKey { .. } => name == format!("{table}_{cols}_fkey"),
            ConstraintKind::Check { .. } => {
                name == format!("{table}_{cols}_check") || name == format!("{table}_check")
            }
        }
    }
}
