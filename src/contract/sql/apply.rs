//! Statements into the schema: each statement replayed, in file order, onto the schema the
//! earlier ones built.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sqlparser::ast::{
    AlterColumnOperation, AlterIndexOperation, AlterTableOperation, AlterTypeAddValuePosition,
    AlterTypeOperation, ColumnDef, ColumnOption, CreateIndex, CreateTable, CreateTableLikeKind,
    CreateView, DataType, Ident, ObjectName, ObjectType, RenameTableNameKind, Statement,
    UserDefinedTypeRepresentation,
};

use super::ast::{
    column_from_def, constraint, default_text, ident, index_column, inline_index, object_name,
    query_reads, view_columns,
};
use super::migrations::{migration_files, up_section};
use super::model::{ConstraintKind, Enum, Generated, Index, ObjectKind, Schema, Table, View};
use super::parse::parse_file;
use super::positions::{StatementLocation, location};
use super::types::ColumnType;
use crate::contract::{ContractErrors, display};
use crate::source::diagnostic::{Code, Diagnostic, Location};

impl Schema {
    /// Replay a contract's statements, file after file.
    pub(super) fn load(path: &Path) -> Result<Schema, ContractErrors> {
        let files = migration_files(path)?;
        if files.is_empty() {
            return Err(Diagnostic::error(
                Code::UnknownFormat,
                Location::new(display(path), 0, 0),
                "no .sql files to apply (migrations end in `.sql`; `.down.sql` and Flyway `U` undo scripts are skipped)",
            )
            .into());
        }
        let mut schema = Schema::default();
        let mut errors = Vec::new();
        for file in files {
            let name = display(&file);
            let text = match crate::source::file::read_text(&file, Default::default()) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(e.to_diagnostic(name));
                    continue;
                }
            };
            let text = text.as_str();
            match parse_file(&name, up_section(text)) {
                Ok(parsed) => {
                    for (statement, start) in &parsed.statements {
                        let place = StatementLocation {
                            file: &name,
                            start: location(&name, *start),
                        };
                        schema.apply(statement, &place, parsed.mysql);
                    }
                }
                Err(diagnostics) => errors.extend(diagnostics),
            }
        }
        if errors.is_empty() {
            Ok(schema)
        } else {
            Err(ContractErrors { errors })
        }
    }

    fn apply(&mut self, statement: &Statement, place: &StatementLocation<'_>, mysql: bool) {
        match statement {
            Statement::CreateTable(create) => self.create_table(create, place, mysql),
            Statement::AlterTable(alter) => {
                let name = object_name(&alter.name);
                for op in &alter.operations {
                    self.alter_table(&name, op, place, mysql);
                }
            }
            Statement::RenameTable(renames) => {
                for r in renames {
                    let (from, to) = (object_name(&r.old_name), object_name(&r.new_name));
                    self.rename_relation(&from, &to, place.start.clone());
                }
            }
            Statement::CreateIndex(create) => self.create_index(create, place),
            Statement::AlterIndex {
                name,
                operation: AlterIndexOperation::RenameIndex { index_name },
            } => {
                if let Some(index) = self.indexes.remove(&object_name(name)) {
                    self.indexes.insert(object_name(index_name), index);
                }
            }
            Statement::CreateView(create) => self.create_view(create, place),
            Statement::CreateType {
                name,
                representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
            } => {
                self.enums.insert(
                    object_name(name),
                    Enum {
                        values: labels.iter().map(|l| l.value.clone()).collect(),
                        at: place.start.clone(),
                    },
                );
            }
            Statement::AlterType(alter) => {
                self.alter_type(&object_name(&alter.name), &alter.operation, place)
            }
            Statement::Drop {
                object_type,
                names,
                cascade,
                table,
                ..
            } => {
                for name in names {
                    self.drop(
                        *object_type,
                        &object_name(name),
                        *cascade,
                        table.as_ref(),
                        place,
                    );
                }
            }
            _ => {}
        }
    }

    fn create_table(&mut self, create: &CreateTable, place: &StatementLocation<'_>, mysql: bool) {
        let name = object_name(&create.name);
        // A temporary table lives for one session: a migration's scratch space, not schema.
        if create.temporary || (create.if_not_exists && self.tables.contains_key(&name)) {
            return;
        }
        let mut table = match &create.like {
            Some(CreateTableLikeKind::Parenthesized(like) | CreateTableLikeKind::Plain(like)) => {
                self.tables
                    .get(&object_name(&like.name))
                    .cloned()
                    .map(|mut t| {
                        t.renamed_from.clear();
                        t
                    })
            }
            None => None,
        }
        .unwrap_or(Table {
            columns: Vec::new(),
            constraints: Vec::new(),
            at: place.start.clone(),
            renamed_from: Vec::new(),
        });
        table.at = place.start.clone();
        for def in &create.columns {
            let (column, constraints) = column_from_def(def, place, mysql);
            table.columns.retain(|c| c.name != column.name);
            table.columns.push(column);
            table.constraints.extend(constraints);
        }
        for c in &create.constraints {
            if let Some(constraint) = constraint(c, place) {
                table.constraints.push(constraint);
            } else if let Some((index_name, index)) = inline_index(&name, c, place) {
                self.indexes.insert(index_name, index);
            }
        }
        table.mark_key_not_null();
        self.tables.insert(name, table);
    }

    fn alter_table(
        &mut self,
        name: &str,
        op: &AlterTableOperation,
        place: &StatementLocation<'_>,
        mysql: bool,
    ) {
        use AlterTableOperation as Op;
        if let Op::RenameTable { table_name } = op {
            let (RenameTableNameKind::To(to) | RenameTableNameKind::As(to)) = table_name;
            self.rename_relation(name, &object_name(to), place.start.clone());
            return;
        }
        let Some(table) = self.tables.get_mut(name) else {
            return;
        };
        table.at = place.start.clone();
        match op {
            Op::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => {
                if *if_not_exists && table.column(&ident(&column_def.name)).is_some() {
                    return;
                }
                let (column, constraints) = column_from_def(column_def, place, mysql);
                table.columns.retain(|c| c.name != column.name);
                table.columns.push(column);
                table.constraints.extend(constraints);
                table.mark_key_not_null();
            }
            Op::DropColumn { column_names, .. } => {
                for c in column_names {
                    self.drop_column(name, &ident(c), place.of_name(c));
                }
            }
            Op::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let (from, to) = (ident(old_column_name), ident(new_column_name));
                self.rename_column(name, &from, &to, place.of_name(new_column_name));
            }
            Op::AlterColumn { column_name, op } => {
                let at = place.of_name(column_name);
                let Some(column) = table.column_mut(&ident(column_name)) else {
                    return;
                };
                column.at = at;
                match op {
                    AlterColumnOperation::SetNotNull => column.not_null = true,
                    AlterColumnOperation::DropNotNull => column.not_null = false,
                    AlterColumnOperation::SetDefault { value } => {
                        column.default = default_text(value);
                    }
                    AlterColumnOperation::DropDefault => {
                        column.default = None;
                        if column.generated == Some(Generated::Identity) {
                            column.generated = None;
                        }
                    }
                    AlterColumnOperation::SetDataType { data_type, .. } => {
                        column.column_type = ColumnType::from_data_type(data_type, mysql);
                        column.written_type = data_type.to_string().to_lowercase();
                    }
                    AlterColumnOperation::AddGenerated { .. } => {
                        column.generated = Some(Generated::Identity);
                    }
                }
            }
            Op::ChangeColumn {
                old_name,
                new_name,
                data_type,
                options,
                ..
            } => {
                let (from, to) = (ident(old_name), ident(new_name));
                if from != to {
                    self.rename_column(name, &from, &to, place.of_name(new_name));
                }
                self.redefine_column(name, new_name, data_type, options, place, mysql);
            }
            Op::ModifyColumn {
                col_name,
                data_type,
                options,
                ..
            } => self.redefine_column(name, col_name, data_type, options, place, mysql),
            Op::AddConstraint { constraint: c, .. } => {
                if let Some(constraint) = constraint(c, place) {
                    table.constraints.push(constraint);
                    table.mark_key_not_null();
                } else if let Some((index_name, index)) = inline_index(name, c, place) {
                    self.indexes.insert(index_name, index);
                }
            }
            Op::DropConstraint { name: c, .. }
            | Op::DropForeignKey { name: c, .. }
            | Op::DropIndex { name: c } => {
                let c = ident(c);
                let before = table.constraints.len();
                table.constraints.retain(|x| !x.answers_to(name, &c));
                if table.constraints.len() == before {
                    self.drop_index(&c, place.start.clone());
                }
            }
            Op::DropPrimaryKey { .. } => {
                table
                    .constraints
                    .retain(|x| x.kind != ConstraintKind::PrimaryKey);
            }
            Op::RenameConstraint { old_name, new_name } => {
                let (from, to) = (ident(old_name), ident(new_name));
                for c in &mut table.constraints {
                    if c.answers_to(name, &from) {
                        c.name = Some(to.clone());
                    }
                }
            }
            _ => {}
        }
    }

    /// `DROP COLUMN`, which also drops the constraints and indexes that use the column.
    fn drop_column(&mut self, table_name: &str, column: &str, at: Location) {
        let Some(table) = self.tables.get_mut(table_name) else {
            return;
        };
        if table.column(column).is_none() {
            return;
        }
        table.columns.retain(|x| x.name != column);
        table
            .constraints
            .retain(|x| !x.columns.iter().any(|c| c == column));
        self.indexes
            .retain(|_, i| i.table != table_name || !i.columns.iter().any(|c| c == column));
        self.dropped
            .insert((ObjectKind::Column, format!("{table_name}.{column}")), at);
    }

    /// MySQL `CHANGE`/`MODIFY COLUMN`: the column is defined anew, so that what the definition
    /// leaves out (`NOT NULL`, a default) is gone.
    fn redefine_column(
        &mut self,
        table_name: &str,
        column_name: &Ident,
        data_type: &DataType,
        options: &[ColumnOption],
        place: &StatementLocation<'_>,
        mysql: bool,
    ) {
        let Some(table) = self.tables.get_mut(table_name) else {
            return;
        };
        let def = ColumnDef {
            name: column_name.clone(),
            data_type: data_type.clone(),
            options: options
                .iter()
                .map(|o| sqlparser::ast::ColumnOptionDef {
                    name: None,
                    option: o.clone(),
                })
                .collect(),
        };
        let (mut column, constraints) = column_from_def(&def, place, mysql);
        if let Some(old) = table.column_mut(&column.name) {
            column.renamed_from = std::mem::take(&mut old.renamed_from);
            *old = column;
        }
        table.constraints.extend(constraints);
        table.mark_key_not_null();
    }

    fn rename_column(&mut self, table_name: &str, from: &str, to: &str, at: Location) {
        let Some(table) = self.tables.get_mut(table_name) else {
            return;
        };
        let Some(column) = table.column_mut(from) else {
            return;
        };
        column.renamed_from.push((from.to_owned(), at.clone()));
        column.name = to.to_owned();
        column.at = at;
        let rename = |cols: &mut Vec<String>| {
            for c in cols.iter_mut() {
                if c == from {
                    *c = to.to_owned();
                }
            }
        };
        for c in &mut table.constraints {
            rename(&mut c.columns);
        }
        for index in self.indexes.values_mut() {
            if index.table == table_name {
                rename(&mut index.columns);
            }
        }
    }

    /// `ALTER TABLE ... RENAME TO` and `RENAME TABLE`, which PostgreSQL also accepts for views.
    fn rename_relation(&mut self, from: &str, to: &str, at: Location) {
        // A new name in another schema keeps the old schema in PostgreSQL; only the last part
        // of `to` is the new name when it is unqualified.
        let to = match (from.rsplit_once('.'), to.contains('.')) {
            (Some((schema, _)), false) => format!("{schema}.{to}"),
            _ => to.to_owned(),
        };
        // Views refer to what they read by identity, so they follow the rename.
        for view in self.views.values_mut() {
            if view.reads.remove(from) {
                view.reads.insert(to.clone());
            }
        }
        if let Some(mut table) = self.tables.remove(from) {
            table.renamed_from.push((from.to_owned(), at.clone()));
            table.at = at;
            self.tables.insert(to.clone(), table);
            for index in self.indexes.values_mut() {
                if index.table == from {
                    index.table.clone_from(&to);
                }
            }
        } else if let Some(mut view) = self.views.remove(from) {
            view.renamed_from.push((from.to_owned(), at.clone()));
            view.at = at;
            self.views.insert(to, view);
        }
    }

    fn create_index(&mut self, create: &CreateIndex, place: &StatementLocation<'_>) {
        let table = object_name(&create.table_name);
        let columns: Vec<String> = create.columns.iter().map(index_column).collect();
        let name = match &create.name {
            Some(n) => object_name(n),
            None => format!("{table}_{}_idx", columns.join("_")),
        };
        if create.if_not_exists && self.indexes.contains_key(&name) {
            return;
        }
        self.indexes.insert(
            name,
            Index {
                table,
                columns,
                unique: create.unique,
                predicate: create.predicate.as_ref().map(|p| p.to_string()),
                at: place.start.clone(),
            },
        );
    }

    fn create_view(&mut self, create: &CreateView, place: &StatementLocation<'_>) {
        let name = object_name(&create.name);
        if create.if_not_exists && self.views.contains_key(&name) {
            return;
        }
        let columns = if create.columns.is_empty() {
            view_columns(&create.query)
        } else {
            Some(create.columns.iter().map(|c| ident(&c.name)).collect())
        };
        let mut reads = BTreeSet::new();
        query_reads(&create.query, &mut reads);
        // `CREATE OR REPLACE` keeps the view's identity, and so its history of names.
        let renamed_from = self
            .views
            .remove(&name)
            .map(|v| v.renamed_from)
            .unwrap_or_default();
        self.views.insert(
            name,
            View {
                columns,
                reads,
                at: place.start.clone(),
                renamed_from,
            },
        );
    }

    fn alter_type(&mut self, name: &str, op: &AlterTypeOperation, place: &StatementLocation<'_>) {
        match op {
            AlterTypeOperation::Rename(rename) => {
                let to = ident(&rename.new_name);
                if let Some(mut e) = self.enums.remove(name) {
                    e.at = place.start.clone();
                    self.enums.insert(to.clone(), e);
                }
                // Columns refer to a type by identity, so they follow the rename.
                for table in self.tables.values_mut() {
                    for c in &mut table.columns {
                        if c.column_type == ColumnType::Named(name.to_owned()) {
                            c.column_type = ColumnType::Named(to.clone());
                            c.written_type.clone_from(&to);
                        }
                    }
                }
            }
            AlterTypeOperation::AddValue(add) => {
                let Some(e) = self.enums.get_mut(name) else {
                    return;
                };
                e.at = place.start.clone();
                let value = add.value.value.clone();
                if e.values.contains(&value) {
                    return;
                }
                let at = match &add.position {
                    Some(AlterTypeAddValuePosition::Before(v)) => {
                        e.values.iter().position(|x| *x == v.value)
                    }
                    Some(AlterTypeAddValuePosition::After(v)) => {
                        e.values.iter().position(|x| *x == v.value).map(|i| i + 1)
                    }
                    None => None,
                };
                let at = at.unwrap_or(e.values.len());
                e.values.insert(at, value);
            }
            AlterTypeOperation::RenameValue(rename) => {
                let Some(e) = self.enums.get_mut(name) else {
                    return;
                };
                e.at = place.start.clone();
                for v in &mut e.values {
                    if *v == rename.from.value {
                        v.clone_from(&rename.to.value);
                    }
                }
            }
        }
    }

    fn drop(
        &mut self,
        object_type: ObjectType,
        name: &str,
        cascade: bool,
        table: Option<&ObjectName>,
        place: &StatementLocation<'_>,
    ) {
        let at = place.start.clone();
        match object_type {
            ObjectType::Table => {
                let Some(_) = self.tables.remove(name) else {
                    return;
                };
                self.indexes.retain(|_, i| i.table != name);
                self.dropped
                    .insert((ObjectKind::Table, name.to_owned()), at.clone());
                if cascade {
                    self.drop_dependent_views(name, &at);
                }
            }
            ObjectType::View | ObjectType::MaterializedView => {
                let Some(_) = self.views.remove(name) else {
                    return;
                };
                self.dropped
                    .insert((ObjectKind::View, name.to_owned()), at.clone());
                if cascade {
                    self.drop_dependent_views(name, &at);
                }
            }
            ObjectType::Index => {
                // MySQL `DROP INDEX i ON t` can name a unique key of `t`.
                if let Some(t) = table.map(object_name)
                    && let Some(table) = self.tables.get_mut(&t)
                {
                    let before = table.constraints.len();
                    table.constraints.retain(|c| !c.answers_to(&t, name));
                    if table.constraints.len() != before {
                        table.at = at.clone();
                        self.dropped
                            .insert((ObjectKind::Index, name.to_owned()), at);
                        return;
                    }
                }
                self.drop_index(name, at);
            }
            ObjectType::Type => {
                if self.enums.remove(name).is_some() {
                    self.dropped
                        .insert((ObjectKind::Type, name.to_owned()), at.clone());
                }
                // `CASCADE` drops the columns of that type, with their indexes and constraints.
                if cascade {
                    let named = ColumnType::Named(name.to_owned());
                    let columns: Vec<(String, String)> = self
                        .tables
                        .iter()
                        .flat_map(|(t, table)| {
                            table
                                .columns
                                .iter()
                                .filter(|c| c.column_type == named)
                                .map(|c| (t.clone(), c.name.clone()))
                        })
                        .collect();
                    for (table, column) in columns {
                        self.drop_column(&table, &column, at.clone());
                    }
                }
            }
            _ => {}
        }
    }

    /// PostgreSQL's `DROP ... CASCADE`: the views that read a dropped relation go with it, and
    /// the views that read those. A worklist over an index of readers, not a recursion over a
    /// scan of every view: a chain of 100,000 views is neither a stack overflow nor quadratic.
    fn drop_dependent_views(&mut self, relation: &str, at: &Location) {
        let mut readers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, view) in &self.views {
            for read in &view.reads {
                readers
                    .entry(read.as_str())
                    .or_default()
                    .push(name.as_str());
            }
        }
        let mut dropped: BTreeSet<String> = BTreeSet::new();
        let mut pending = vec![relation];
        while let Some(relation) = pending.pop() {
            for &view in readers.get(relation).into_iter().flatten() {
                if dropped.insert(view.to_owned()) {
                    pending.push(view);
                }
            }
        }
        for view in dropped {
            if self.views.remove(&view).is_some() {
                self.dropped.insert((ObjectKind::View, view), at.clone());
            }
        }
    }

    fn drop_index(&mut self, name: &str, at: Location) {
        if self.indexes.remove(name).is_some() {
            self.dropped
                .insert((ObjectKind::Index, name.to_owned()), at);
        }
    }
}
