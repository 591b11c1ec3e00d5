//! Comparison: the old and new schemas paired table by table, column by column, with a
//! [`Change`] for each difference a reader or writer can notice.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::model::{Column, ConstraintKind, Index, ObjectKind, Schema, Table};
use super::rules;
use super::types::{ColumnType, TypeCompatibility, accepts, compare_types};
use crate::contract::{Change, Rule};
use crate::source::diagnostic::Location;

pub(super) struct SchemaComparison<'s> {
    old: &'s Schema,
    new: &'s Schema,
    pub(super) changes: Vec<Change>,
    /// Each side's indexes by the table they index, in index name order.
    old_indexes: IndexesByTable<'s>,
    new_indexes: IndexesByTable<'s>,
    /// Old table name -> the new table renamed from it, and the statement that renamed it.
    table_renames: Renames<'s>,
}

type IndexesByTable<'s> = BTreeMap<&'s str, Vec<(&'s str, &'s Index)>>;

/// Old name -> the first new object (in name order) that is not an old one and was renamed from
/// it, with the statement that renamed it.
type Renames<'s> = BTreeMap<&'s str, (&'s str, &'s Location)>;

fn indexes_by_table(schema: &Schema) -> IndexesByTable<'_> {
    let mut by_table: IndexesByTable<'_> = BTreeMap::new();
    for (name, index) in &schema.indexes {
        by_table
            .entry(index.table.as_str())
            .or_default()
            .push((name.as_str(), index));
    }
    by_table
}

/// [`Renames`] over `new`'s objects with their earlier names; `is_old` tells the old names.
fn renames<'s>(
    new: impl Iterator<Item = (&'s String, &'s [(String, Location)])>,
    is_old: impl Fn(&str) -> bool,
) -> Renames<'s> {
    let mut renames = Renames::new();
    for (to, renamed_from) in new {
        if is_old(to) {
            continue;
        }
        for (from, at) in renamed_from {
            renames.entry(from.as_str()).or_insert((to.as_str(), at));
        }
    }
    renames
}

/// The element consumers name in `uses`.
fn table_element(name: &str) -> String {
    format!("table {name}")
}

fn column_element(table: &str, column: &str) -> String {
    format!("column {table}.{column}")
}

fn column_list(columns: &[String]) -> String {
    format!("({})", columns.join(", "))
}

/// A uniqueness rule of a table: a unique constraint or a unique index, partial (`WHERE ...`)
/// or not.
struct UniqueKey {
    /// Sorted.
    columns: Vec<String>,
    predicate: Option<String>,
    at: Location,
    /// `unique index orders_ref_key`, `unique constraint uq_ref`.
    label: String,
    /// The name a `DROP INDEX` would use (MySQL drops unique keys that way).
    index: Option<String>,
}

fn uniques(indexes: &IndexesByTable<'_>, table_name: &str, table: &Table) -> Vec<UniqueKey> {
    let mut out: Vec<UniqueKey> = table
        .constraints
        .iter()
        .filter(|c| c.kind == ConstraintKind::Unique)
        .map(|c| UniqueKey {
            columns: c.columns.clone(),
            at: c.at.clone(),
            predicate: None,
            label: format!("unique constraint{}", name_suffix(&c.name)),
            index: c.name.clone(),
        })
        .collect();
    out.extend(
        indexes
            .get(table_name)
            .into_iter()
            .flatten()
            .filter(|(_, i)| i.unique)
            .map(|(n, i)| UniqueKey {
                columns: i.columns.clone(),
                predicate: i.predicate.clone(),
                at: i.at.clone(),
                label: match &i.predicate {
                    Some(p) => format!("partial unique index {n} (WHERE {p})"),
                    None => format!("unique index {n}"),
                },
                index: Some((*n).to_owned()),
            }),
    );
    for u in &mut out {
        u.columns.sort();
    }
    out
}

/// ` name` for a named constraint, nothing for an unnamed one.
fn name_suffix(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!(" {n}")).unwrap_or_default()
}

impl<'s> SchemaComparison<'s> {
    pub(super) fn new(old: &'s Schema, new: &'s Schema) -> SchemaComparison<'s> {
        SchemaComparison {
            old,
            new,
            changes: Vec::new(),
            old_indexes: indexes_by_table(old),
            new_indexes: indexes_by_table(new),
            table_renames: renames(
                new.tables
                    .iter()
                    .map(|(n, t)| (n, t.renamed_from.as_slice())),
                |n| old.tables.contains_key(n),
            ),
        }
    }

    fn push(
        &mut self,
        rule: &'static Rule,
        element: String,
        message: String,
        old: Option<Location>,
        new: Option<Location>,
    ) {
        self.changes
            .push(Change::new(rule, element, message, old, new));
    }

    pub(super) fn compare(&mut self) {
        self.tables();
        self.views();
        self.enums();
    }

    /// Pair each old table with its new self: same name, renamed by a statement, or (failing
    /// both) the one added table with exactly its columns.
    fn tables(&mut self) {
        let (old, new) = (self.old, self.new);
        let mut pairs: Vec<(&str, &str, Option<Location>)> = Vec::new();
        let mut removed: Vec<&str> = Vec::new();
        let mut taken: BTreeSet<&str> = BTreeSet::new();
        for name in old.tables.keys() {
            if new.tables.contains_key(name) {
                pairs.push((name, name, None));
                continue;
            }
            let renamed = self
                .table_renames
                .get(name.as_str())
                .map(|&(to, at)| (to, at.clone()));
            match renamed {
                Some((to, at)) if !taken.contains(to) => {
                    taken.insert(to);
                    pairs.push((name, to, Some(at)));
                }
                _ => removed.push(name),
            }
        }
        let added: Vec<&str> = new
            .tables
            .keys()
            .map(String::as_str)
            .filter(|n| !old.tables.contains_key(*n) && !taken.contains(n))
            .collect();
        let shape = |t: &Table| -> Vec<(String, ColumnType)> {
            let mut s: Vec<(String, ColumnType)> = t
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.column_type.clone()))
                .collect();
            s.sort_by(|a, b| a.0.cmp(&b.0));
            s
        };
        // Added tables by shape, in name order, and how many old tables not kept have each shape.
        let mut added_by_shape: HashMap<Vec<(String, ColumnType)>, Vec<&str>> = HashMap::new();
        for a in &added {
            added_by_shape
                .entry(shape(&new.tables[*a]))
                .or_default()
                .push(a);
        }
        let mut gone_by_shape: HashMap<Vec<(String, ColumnType)>, usize> = HashMap::new();
        for (_, t) in old
            .tables
            .iter()
            .filter(|(n, _)| !new.tables.contains_key(*n))
        {
            *gone_by_shape.entry(shape(t)).or_default() += 1;
        }
        let mut still_removed = Vec::new();
        for name in removed {
            let s = shape(&old.tables[name]);
            let candidates: Vec<&str> = if s.is_empty() {
                Vec::new()
            } else {
                added_by_shape
                    .get(&s)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|a| !taken.contains(a))
                    .collect()
            };
            let rivals = gone_by_shape.get(&s).copied().unwrap_or(0);
            match candidates.as_slice() {
                [one] if rivals == 1 => {
                    taken.insert(one);
                    pairs.push((name, one, None));
                }
                _ => still_removed.push(name),
            }
        }
        for name in still_removed {
            let t = &old.tables[name];
            self.push(
                rules::TABLE_REMOVED,
                table_element(name),
                format!("table {name} removed"),
                Some(t.at.clone()),
                new.dropped
                    .get(&(ObjectKind::Table, name.to_owned()))
                    .cloned(),
            );
        }
        for name in added.iter().filter(|a| !taken.contains(*a)) {
            self.push(
                rules::TABLE_ADDED,
                table_element(name),
                format!("table {name} added"),
                None,
                Some(new.tables[*name].at.clone()),
            );
        }
        for (from, to, at) in pairs {
            let (a, b) = (&old.tables[from], &new.tables[to]);
            if from != to {
                let how = if at.is_some() { "" } else { " (same columns)" };
                self.push(
                    rules::TABLE_RENAMED,
                    table_element(from),
                    format!("table {from} renamed to {to}{how}"),
                    Some(a.at.clone()),
                    Some(at.unwrap_or_else(|| b.at.clone())),
                );
            }
            self.table(from, to, a, b);
        }
        self.indexes();
    }

    /// Compare the columns and constraints of one table; elements use the old name, which is
    /// what consumers know.
    fn table(&mut self, name: &str, new_name: &str, a: &Table, b: &Table) {
        // New column name -> old column name, for columns present on both sides.
        let mut renames: BTreeMap<&str, &str> = BTreeMap::new();
        // Indexes of the columns by name, so that wide tables are not quadratic.
        let old_columns: BTreeSet<&str> = a.columns.iter().map(|c| c.name.as_str()).collect();
        let new_columns: HashMap<&str, &Column> = b
            .columns
            .iter()
            .rev()
            .map(|c| (c.name.as_str(), c))
            .collect();
        // Old column name -> the first new column renamed from it.
        let mut renamed_columns: HashMap<&str, (&Column, &Location)> = HashMap::new();
        for nc in b
            .columns
            .iter()
            .filter(|nc| !old_columns.contains(nc.name.as_str()))
        {
            for (from, at) in &nc.renamed_from {
                renamed_columns.entry(from.as_str()).or_insert((nc, at));
            }
        }
        for c in &a.columns {
            let element = column_element(name, &c.name);
            if let Some(&nc) = new_columns.get(c.name.as_str()) {
                renames.insert(&nc.name, &c.name);
                self.column(&element, c, nc);
                continue;
            }
            let renamed = renamed_columns
                .get(c.name.as_str())
                .map(|&(nc, at)| (nc, at.clone()));
            match renamed {
                Some((nc, at)) => {
                    renames.insert(&nc.name, &c.name);
                    self.push(
                        rules::COLUMN_RENAMED,
                        element.clone(),
                        format!("column {name}.{} renamed to {}", c.name, nc.name),
                        Some(c.at.clone()),
                        Some(at),
                    );
                    self.column(&element, c, nc);
                }
                None => {
                    let dropped = self
                        .new
                        .dropped
                        .get(&(ObjectKind::Column, format!("{new_name}.{}", c.name)))
                        .cloned();
                    self.push(
                        rules::COLUMN_REMOVED,
                        element,
                        format!("column {name}.{} removed", c.name),
                        Some(c.at.clone()),
                        Some(dropped.unwrap_or_else(|| b.at.clone())),
                    );
                }
            }
        }
        for nc in &b.columns {
            if renames.contains_key(nc.name.as_str()) {
                continue;
            }
            let element = column_element(name, &nc.name);
            let (rule, what) = match (nc.not_null, nc.supplied()) {
                (true, None) => (
                    rules::COLUMN_ADDED_NOT_NULL_WITHOUT_DEFAULT,
                    "as NOT NULL without a default: old writers' INSERTs, which omit it, fail"
                        .to_owned(),
                ),
                (true, Some(d)) => (rules::COLUMN_ADDED, format!("as NOT NULL with {d}")),
                (false, _) => (rules::COLUMN_ADDED, "as nullable".to_owned()),
            };
            self.push(
                rule,
                element,
                format!(
                    "column {name}.{} ({}) added {what}",
                    nc.name, nc.written_type
                ),
                Some(a.at.clone()),
                Some(nc.at.clone()),
            );
        }
        self.constraints(name, new_name, a, b, &renames);
    }

    fn column(&mut self, element: &str, a: &Column, b: &Column) {
        let (old, new) = (Some(a.at.clone()), Some(b.at.clone()));
        let what = element.strip_prefix("column ").unwrap_or(element);
        let compatibility = compare_types(&a.column_type, &b.column_type);
        let typed = |how: &str| {
            format!(
                "column {what} changed type from {} to {} ({how})",
                a.written_type, b.written_type
            )
        };
        match compatibility {
            TypeCompatibility::Same => {}
            TypeCompatibility::Widened => {
                let how = if accepts(&a.column_type, &b.column_type) {
                    "compatible"
                } else {
                    "widening"
                };
                self.push(
                    rules::COLUMN_TYPE_WIDENED,
                    element.to_owned(),
                    typed(how),
                    old.clone(),
                    new.clone(),
                );
            }
            TypeCompatibility::Narrowed => self.push(
                rules::COLUMN_TYPE_NARROWED,
                element.to_owned(),
                typed("narrowing"),
                old.clone(),
                new.clone(),
            ),
            TypeCompatibility::Changed => self.push(
                rules::COLUMN_TYPE_CHANGED,
                element.to_owned(),
                typed("incompatible"),
                old.clone(),
                new.clone(),
            ),
        }
        let (was, is) = (a.supplied(), b.supplied());
        match (a.not_null, b.not_null) {
            (false, true) => {
                // Breaking even with a default: old writers were allowed to write NULL, and
                // those that do (ORMs inserting every mapped column, `SET col = NULL`) fail.
                let detail = match &is {
                    Some(d) => format!(
                        "writers that omit it get {d}, but writers that set it to NULL fail"
                    ),
                    None => "writers that omit it or set it to NULL fail".to_owned(),
                };
                self.push(
                    rules::COLUMN_BECAME_NOT_NULL,
                    element.to_owned(),
                    format!("column {what} became NOT NULL: {detail}"),
                    old.clone(),
                    new.clone(),
                );
            }
            (true, false) => self.push(
                rules::COLUMN_BECAME_NULLABLE,
                element.to_owned(),
                format!("column {what} became nullable: readers may now get NULL"),
                old.clone(),
                new.clone(),
            ),
            _ => {}
        }
        match (&was, &is) {
            (Some(d), None) if b.not_null => self.push(
                rules::COLUMN_DEFAULT_REMOVED,
                element.to_owned(),
                format!("column {what} lost its {d} while NOT NULL: writers that omit it fail"),
                old,
                new,
            ),
            (Some(d), None) => self.push(
                rules::COLUMN_DEFAULT_CHANGED,
                element.to_owned(),
                format!("column {what} lost its {d}: writers that omit it now store NULL"),
                old,
                new,
            ),
            (None, Some(d)) => self.push(
                rules::COLUMN_DEFAULT_CHANGED,
                element.to_owned(),
                format!("column {what} now has {d}"),
                old,
                new,
            ),
            (Some(x), Some(y)) if x != y => self.push(
                rules::COLUMN_DEFAULT_CHANGED,
                element.to_owned(),
                match (&a.default, &b.default) {
                    (Some(x), Some(y)) => format!("column {what} default changed from {x} to {y}"),
                    _ => format!("column {what} changed from {x} to {y}"),
                },
                old,
                new,
            ),
            _ => {}
        }
    }

    /// Primary key, unique, foreign key and check constraints, with unique indexes counted as
    /// unique constraints. New columns are translated to their old names; constraints that
    /// involve a column only one side has are left to the column's own finding.
    fn constraints(
        &mut self,
        name: &str,
        new_name: &str,
        a: &Table,
        b: &Table,
        renames: &BTreeMap<&str, &str>,
    ) {
        let element = table_element(name);
        let translate = |columns: &[String]| -> Option<Vec<String>> {
            columns
                .iter()
                .map(|c| renames.get(c.as_str()).map(|o| (*o).to_owned()))
                .collect()
        };
        // Whether the new table still has every one of these old columns.
        let kept = |columns: &[String]| columns.iter().all(|c| renames.values().any(|o| o == c));
        // Primary key.
        let old_key = a.primary_key().map(|k| k.columns.clone());
        let new_key = b.primary_key().map(|k| translate(&k.columns));
        let new_key_cols = b.primary_key().map(|k| k.columns.clone());
        let differs = match (&old_key, &new_key) {
            (None, None) => false,
            (Some(x), Some(Some(y))) => x != y,
            _ => true,
        };
        if differs {
            let show =
                |k: &Option<Vec<String>>| k.as_ref().map_or("none".to_owned(), |k| column_list(k));
            self.push(
                rules::CONSTRAINT_PRIMARY_KEY_CHANGED,
                element.clone(),
                format!(
                    "primary key of {name} changed from {} to {}",
                    show(&old_key),
                    show(&new_key_cols)
                ),
                Some(
                    a.primary_key()
                        .map_or_else(|| a.at.clone(), |k| k.at.clone()),
                ),
                Some(
                    b.primary_key()
                        .map_or_else(|| b.at.clone(), |k| k.at.clone()),
                ),
            );
        }
        // Unique constraints and unique indexes, compared by their (sorted) columns.
        let old_uniques = uniques(&self.old_indexes, name, a);
        let new_uniques = uniques(&self.new_indexes, new_name, b);
        let as_old = |u: &UniqueKey| -> Option<Vec<String>> {
            let mut columns = translate(&u.columns)?;
            columns.sort();
            Some(columns)
        };
        for u in &old_uniques {
            let still = new_uniques
                .iter()
                .any(|n| as_old(n).as_ref() == Some(&u.columns) && n.predicate == u.predicate);
            if still || !kept(&u.columns) {
                continue;
            }
            let dropped = u.index.as_ref().and_then(|i| {
                self.new
                    .dropped
                    .get(&(ObjectKind::Index, i.clone()))
                    .cloned()
            });
            self.push(
                rules::CONSTRAINT_UNIQUE_REMOVED,
                element.clone(),
                format!(
                    "{} on {name} {} removed: upserts keyed on it break and readers may see duplicates",
                    u.label,
                    column_list(&u.columns)
                ),
                Some(u.at.clone()),
                Some(dropped.unwrap_or_else(|| b.at.clone())),
            );
        }
        for u in &new_uniques {
            let Some(columns) = as_old(u) else {
                continue;
            };
            if old_uniques
                .iter()
                .any(|o| o.columns == columns && o.predicate == u.predicate)
            {
                continue;
            }
            self.push(
                rules::CONSTRAINT_UNIQUE_ADDED,
                element.clone(),
                format!(
                    "{} added on {name} {}: writers of duplicate values fail",
                    u.label,
                    column_list(&u.columns)
                ),
                Some(a.at.clone()),
                Some(u.at.clone()),
            );
        }
        // Foreign keys and checks: only additions break anyone.
        for c in &b.constraints {
            let Some(translated) = translate(&c.columns) else {
                continue;
            };
            let (rule, what) = match &c.kind {
                ConstraintKind::ForeignKey { table, columns } => (
                    rules::CONSTRAINT_FOREIGN_KEY_ADDED,
                    format!(
                        "foreign key{} added on {name} {} referencing {table} {}: writers of rows without a referenced row fail",
                        name_suffix(&c.name),
                        column_list(&c.columns),
                        column_list(columns)
                    ),
                ),
                ConstraintKind::Check { expr } => (
                    rules::CONSTRAINT_CHECK_ADDED,
                    format!(
                        "check constraint{} added on {name}: CHECK ({expr}); writers of values it rejects fail",
                        name_suffix(&c.name)
                    ),
                ),
                _ => continue,
            };
            let existed = a.constraints.iter().any(|o| {
                o.columns == translated
                    && match (&o.kind, &c.kind) {
                        (
                            ConstraintKind::ForeignKey {
                                table: t1,
                                columns: c1,
                            },
                            ConstraintKind::ForeignKey {
                                table: t2,
                                columns: c2,
                            },
                        ) => t1 == t2 && c1 == c2,
                        (
                            ConstraintKind::Check { expr: e1 },
                            ConstraintKind::Check { expr: e2 },
                        ) => e1 == e2,
                        _ => false,
                    }
            });
            if !existed {
                self.push(
                    rule,
                    element.clone(),
                    what,
                    Some(a.at.clone()),
                    Some(c.at.clone()),
                );
            }
        }
    }

    /// Non-unique indexes of tables present on both sides: an index is gone when no index,
    /// unique constraint or primary key of the new table covers the same columns.
    fn indexes(&mut self) {
        let (old, new) = (self.old, self.new);
        for (name, index) in &old.indexes {
            if index.unique {
                continue;
            }
            let Some((new_table_name, new_table)) = self.new_home(&index.table) else {
                continue;
            };
            let Some(old_table) = old.tables.get(&index.table) else {
                continue;
            };
            // Columns as the new table names them; an expression keeps its text. An index on a
            // dropped column went with it, and the column's removal is the finding.
            let columns: Option<Vec<String>> = index
                .columns
                .iter()
                .map(|c| match old_table.column(c) {
                    None => Some(c.clone()),
                    Some(_) => new_table
                        .columns
                        .iter()
                        .find(|n| n.name == *c || n.renamed_from.iter().any(|(f, _)| f == c))
                        .map(|n| n.name.clone()),
                })
                .collect();
            let Some(columns) = columns else {
                continue;
            };
            let covered = self
                .new_indexes
                .get(new_table_name)
                .into_iter()
                .flatten()
                .any(|(_, i)| i.columns == columns)
                || new_table.constraints.iter().any(|c| {
                    matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
                        && c.columns == columns
                });
            if covered {
                continue;
            }
            self.push(
                rules::INDEX_REMOVED,
                table_element(&index.table),
                format!(
                    "index {name} on {} {} removed: queries it served may get slower",
                    index.table,
                    column_list(&index.columns)
                ),
                Some(index.at.clone()),
                Some(
                    new.dropped
                        .get(&(ObjectKind::Index, name.clone()))
                        .cloned()
                        .unwrap_or_else(|| new_table.at.clone()),
                ),
            );
        }
    }

    fn views(&mut self) {
        let (old, new) = (self.old, self.new);
        let view_renames = renames(
            new.views
                .iter()
                .map(|(n, v)| (n, v.renamed_from.as_slice())),
            |n| old.views.contains_key(n),
        );
        let mut taken = BTreeSet::new();
        for (name, v) in &old.views {
            let element = format!("view {name}");
            let (to, nv, renamed_at) = if let Some(nv) = new.views.get(name) {
                (name.as_str(), nv, None)
            } else if let Some(&(to, at)) = view_renames.get(name.as_str()) {
                (to, &new.views[to], Some(at.clone()))
            } else {
                self.push(
                    rules::VIEW_REMOVED,
                    element,
                    format!("view {name} removed"),
                    Some(v.at.clone()),
                    new.dropped.get(&(ObjectKind::View, name.clone())).cloned(),
                );
                continue;
            };
            taken.insert(to);
            if let Some(at) = renamed_at {
                self.push(
                    rules::VIEW_RENAMED,
                    element.clone(),
                    format!("view {name} renamed to {to}"),
                    Some(v.at.clone()),
                    Some(at),
                );
            }
            if let (Some(a), Some(b)) = (&v.columns, &nv.columns) {
                for c in a.difference(b) {
                    self.push(
                        rules::VIEW_COLUMN_REMOVED,
                        element.clone(),
                        format!("view {name} no longer returns column {c}"),
                        Some(v.at.clone()),
                        Some(nv.at.clone()),
                    );
                }
            }
        }
        for (name, v) in &new.views {
            if !old.views.contains_key(name) && !taken.contains(name.as_str()) {
                self.push(
                    rules::VIEW_ADDED,
                    format!("view {name}"),
                    format!("view {name} added"),
                    None,
                    Some(v.at.clone()),
                );
            }
        }
    }

    fn enums(&mut self) {
        let (old, new) = (self.old, self.new);
        for (name, e) in &old.enums {
            let element = format!("type {name}");
            let Some(ne) = new.enums.get(name) else {
                self.push(
                    rules::ENUM_REMOVED,
                    element,
                    format!("enum type {name} removed"),
                    Some(e.at.clone()),
                    new.dropped.get(&(ObjectKind::Type, name.clone())).cloned(),
                );
                continue;
            };
            let quoted = |values: Vec<&String>| {
                values
                    .iter()
                    .map(|v| format!("'{v}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let removed: Vec<&String> =
                e.values.iter().filter(|v| !ne.values.contains(v)).collect();
            let added: Vec<&String> = ne.values.iter().filter(|v| !e.values.contains(v)).collect();
            if !removed.is_empty() {
                let n = removed.len();
                self.push(
                    rules::ENUM_VALUE_REMOVED,
                    element.clone(),
                    format!(
                        "enum type {name}: value{} {} removed",
                        if n == 1 { "" } else { "s" },
                        quoted(removed)
                    ),
                    Some(e.at.clone()),
                    Some(ne.at.clone()),
                );
            }
            if !added.is_empty() {
                let n = added.len();
                self.push(
                    rules::ENUM_VALUE_ADDED,
                    element,
                    format!(
                        "enum type {name}: value{} {} added",
                        if n == 1 { "" } else { "s" },
                        quoted(added)
                    ),
                    Some(e.at.clone()),
                    Some(ne.at.clone()),
                );
            }
        }
    }

    /// The new-side name and table of an old table: the same name, or the table it was renamed
    /// to.
    fn new_home(&self, name: &str) -> Option<(&'s str, &'s Table)> {
        let new = self.new;
        if let Some((n, t)) = new.tables.get_key_value(name) {
            return Some((n.as_str(), t));
        }
        if !self.old.tables.contains_key(name) {
            return None;
        }
        let &(to, _) = self.table_renames.get(name)?;
        new.tables.get_key_value(to).map(|(n, t)| (n.as_str(), t))
    }
}
