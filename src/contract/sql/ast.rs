//! Reading sqlparser's syntax tree: names as the database stores them, defaults, what a view
//! returns and reads, and column and table constraint definitions as model values.

use std::collections::BTreeSet;

use sqlparser::ast::{
    CastKind, ColumnDef, ColumnOption, DataType, Expr, Ident, IndexColumn, ObjectName, Query,
    SelectItem, SetExpr, Spanned, TableConstraint, TableFactor, TableWithJoins, Value,
};
use sqlparser::tokenizer::Token;

use super::model::{Column, Constraint, ConstraintKind, Generated, Index};
use super::positions::StatementLocation;
use super::types::{ColumnType, serial_bytes};

/// An identifier as the database stores it: unquoted names fold to lower case, and so do
/// MySQL's backtick-quoted ones (MySQL compares column names without case).
pub(super) fn ident(i: &Ident) -> String {
    if i.quote_style.is_some_and(|q| q != '`') {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

/// A table, view, index or type name; `public.` is PostgreSQL's default schema and dropped.
pub(super) fn object_name(name: &ObjectName) -> String {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p.as_ident() {
            Some(i) => ident(i),
            None => p.to_string(),
        })
        .collect();
    match parts.as_slice() {
        [schema, rest @ ..] if schema == "public" && !rest.is_empty() => rest.join("."),
        _ => parts.join("."),
    }
}

/// The column an index or constraint entry names, or the expression's text.
pub(super) fn index_column(c: &IndexColumn) -> String {
    expr_column(&c.column.expr)
}

fn expr_column(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => ident(i),
        Expr::CompoundIdentifier(parts) => parts.last().map(ident).unwrap_or_default(),
        other => other.to_string().to_lowercase(),
    }
}

/// A default as written, without the casts PostgreSQL adds (`'new'::order_status`); `None` for
/// `DEFAULT NULL`, which is no default.
pub(super) fn default_text(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) if v.value == Value::Null => None,
        Expr::Cast {
            kind: CastKind::DoubleColon,
            expr,
            ..
        }
        | Expr::Nested(expr) => default_text(expr),
        other => Some(other.to_string()),
    }
}

/// The names a view's query returns, or `None` when it selects `*`.
pub(super) fn view_columns(query: &Query) -> Option<BTreeSet<String>> {
    fn of_set(body: &SetExpr) -> Option<BTreeSet<String>> {
        match body {
            SetExpr::Select(select) => {
                let mut names = BTreeSet::new();
                for item in &select.projection {
                    match item {
                        SelectItem::UnnamedExpr(e) => {
                            if let Some(n) = expr_name(e) {
                                names.insert(n);
                            }
                        }
                        SelectItem::ExprWithAlias { alias, .. } => {
                            names.insert(ident(alias));
                        }
                        SelectItem::ExprWithAliases { aliases, .. } => {
                            names.extend(aliases.iter().map(ident));
                        }
                        SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => return None,
                    }
                }
                Some(names)
            }
            SetExpr::Query(q) => view_columns(q),
            SetExpr::SetOperation { left, .. } => of_set(left),
            _ => None,
        }
    }
    /// The name PostgreSQL gives an unaliased output column.
    fn expr_name(e: &Expr) -> Option<String> {
        match e {
            Expr::Identifier(i) => Some(ident(i)),
            Expr::CompoundIdentifier(parts) => parts.last().map(ident),
            Expr::Cast { expr, .. } | Expr::Nested(expr) => expr_name(expr),
            Expr::Function(f) => f.name.0.last().and_then(|p| p.as_ident()).map(ident),
            _ => None,
        }
    }
    of_set(&query.body)
}

/// The relations a query reads, in its `FROM` clauses, joins, subqueries in `FROM` and CTEs.
pub(super) fn query_reads(query: &Query, out: &mut BTreeSet<String>) {
    fn factor(f: &TableFactor, out: &mut BTreeSet<String>) {
        match f {
            TableFactor::Table { name, .. } => {
                out.insert(object_name(name));
            }
            TableFactor::Derived { subquery, .. } => query_reads(subquery, out),
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => from(table_with_joins, out),
            _ => {}
        }
    }
    fn from(t: &TableWithJoins, out: &mut BTreeSet<String>) {
        factor(&t.relation, out);
        for j in &t.joins {
            factor(&j.relation, out);
        }
    }
    fn set(body: &SetExpr, out: &mut BTreeSet<String>) {
        match body {
            SetExpr::Select(select) => {
                for t in &select.from {
                    from(t, out);
                }
            }
            SetExpr::Query(q) => query_reads(q, out),
            SetExpr::SetOperation { left, right, .. } => {
                set(left, out);
                set(right, out);
            }
            _ => {}
        }
    }
    if let Some(with) = &query.with {
        for cte in &with.cte_tables {
            query_reads(&cte.query, out);
        }
    }
    set(&query.body, out);
}

/// A column and the constraints its definition declares inline.
pub(super) fn column_from_def(
    def: &ColumnDef,
    place: &StatementLocation<'_>,
    mysql: bool,
) -> (Column, Vec<Constraint>) {
    let name = ident(&def.name);
    let at = place.of_name(&def.name);
    let serial =
        matches!(&def.data_type, DataType::Custom(n, _) if serial_bytes(&object_name(n)).is_some());
    let mut column = Column {
        name: name.clone(),
        column_type: ColumnType::from_data_type(&def.data_type, mysql),
        written_type: def.data_type.to_string().to_lowercase(),
        not_null: serial,
        default: None,
        generated: serial.then_some(Generated::Identity),
        at: at.clone(),
        renamed_from: Vec::new(),
    };
    let mut constraints = Vec::new();
    let mut add = |kind, constraint_name: &Option<Ident>| {
        constraints.push(Constraint {
            name: constraint_name.as_ref().map(ident),
            kind,
            columns: vec![name.clone()],
            at: at.clone(),
        });
    };
    for option in &def.options {
        match &option.option {
            ColumnOption::Null => column.not_null = false,
            ColumnOption::NotNull => column.not_null = true,
            ColumnOption::Default(e) => column.default = default_text(e),
            ColumnOption::PrimaryKey(_) => {
                column.not_null = true;
                add(ConstraintKind::PrimaryKey, &option.name);
            }
            ColumnOption::Unique(_) => add(ConstraintKind::Unique, &option.name),
            ColumnOption::ForeignKey(fk) => add(
                ConstraintKind::ForeignKey {
                    table: object_name(&fk.foreign_table),
                    columns: fk.referred_columns.iter().map(ident).collect(),
                },
                &option.name,
            ),
            ColumnOption::Check(check) => add(
                ConstraintKind::Check {
                    expr: check.expr.to_string(),
                },
                &option.name,
            ),
            ColumnOption::Generated {
                generation_expr, ..
            } => {
                if generation_expr.is_some() {
                    column.generated = Some(Generated::Computed);
                } else {
                    // An identity column is NOT NULL, as a serial one is.
                    column.generated = Some(Generated::Identity);
                    column.not_null = true;
                }
            }
            ColumnOption::Identity(_) => column.generated = Some(Generated::Identity),
            ColumnOption::DialectSpecific(tokens) => {
                let auto = tokens.iter().any(|t| {
                    matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case("auto_increment")
                        || w.value.eq_ignore_ascii_case("autoincrement"))
                });
                if auto {
                    column.generated = Some(Generated::Identity);
                }
            }
            _ => {}
        }
    }
    (column, constraints)
}

/// A table constraint that ripple compares: primary key, unique, foreign key, check.
pub(super) fn constraint(c: &TableConstraint, place: &StatementLocation<'_>) -> Option<Constraint> {
    let at = place.of_span(c.span());
    let (name, kind, columns) = match c {
        TableConstraint::PrimaryKey(pk) => (
            pk.name.as_ref(),
            ConstraintKind::PrimaryKey,
            pk.columns.iter().map(index_column).collect(),
        ),
        TableConstraint::Unique(u) => (
            u.name.as_ref().or(u.index_name.as_ref()),
            ConstraintKind::Unique,
            u.columns.iter().map(index_column).collect(),
        ),
        TableConstraint::ForeignKey(fk) => (
            fk.name.as_ref(),
            ConstraintKind::ForeignKey {
                table: object_name(&fk.foreign_table),
                columns: fk.referred_columns.iter().map(ident).collect(),
            },
            fk.columns.iter().map(ident).collect(),
        ),
        TableConstraint::Check(check) => (
            check.name.as_ref(),
            ConstraintKind::Check {
                expr: check.expr.to_string(),
            },
            Vec::new(),
        ),
        _ => return None,
    };
    Some(Constraint {
        name: name.map(ident),
        kind,
        columns,
        at,
    })
}

/// A MySQL `KEY name (cols)` inside `CREATE TABLE`: a plain index.
pub(super) fn inline_index(
    table: &str,
    c: &TableConstraint,
    place: &StatementLocation<'_>,
) -> Option<(String, Index)> {
    let TableConstraint::Index(index) = c else {
        return None;
    };
    let columns: Vec<String> = index.columns.iter().map(index_column).collect();
    let name = match &index.name {
        Some(n) => ident(n),
        None => columns.first().cloned().unwrap_or_default(),
    };
    Some((
        name,
        Index {
            table: table.to_owned(),
            columns,
            unique: false,
            predicate: None,
            at: place.of_span(c.span()),
        },
    ))
}
