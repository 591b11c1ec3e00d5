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

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlparser::ast::{
    AlterColumnOperation, AlterIndexOperation, AlterTableOperation, AlterTypeAddValuePosition,
    AlterTypeOperation, CastKind, CharacterLength, ColumnDef, ColumnOption, CreateIndex,
    CreateTable, CreateTableLikeKind, CreateView, DataType, EnumMember, ExactNumberInfo, Expr,
    Ident, IndexColumn, ObjectName, ObjectType, Query, RenameTableNameKind, SelectItem, SetExpr,
    Spanned, Statement, TableConstraint, TableFactor, TableWithJoins, TimezoneInfo,
    UserDefinedTypeRepresentation, Value,
};
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{self, Token};

use super::{Change, Class, ContractErrors, Diff, Format, Rule, contract_files, display};
use crate::source::diagnostic::{Code, Diagnostic, Location};

use super::rules::declare as rule;

use Class::{Breaking as B, NonBreaking as N};

/// SQL rules, sorted by id.
pub const RULES: &[Rule] = &[
    rule(
        "sql.column.added",
        N,
        "a new column that is nullable or has a default; old writers that omit it still succeed",
    ),
    rule(
        "sql.column.added-not-null-without-default",
        B,
        "a new NOT NULL column without a default; old writers' INSERTs, which omit it, fail",
    ),
    rule(
        "sql.column.became-not-null",
        B,
        "a column became NOT NULL; writers that omit it (when it has no default) or set it to NULL fail",
    ),
    rule(
        "sql.column.became-nullable",
        B,
        "a column may now hold NULL; readers that decode it into a non-optional value fail on the first NULL",
    ),
    rule(
        "sql.column.default-changed",
        N,
        "a column's default was added or changed, or a nullable column lost its default",
    ),
    rule(
        "sql.column.default-removed",
        B,
        "a NOT NULL column lost its default; writers that omit it fail",
    ),
    rule(
        "sql.column.removed",
        B,
        "a column was dropped; readers selecting it and writers setting it fail",
    ),
    rule(
        "sql.column.renamed",
        B,
        "a column was renamed; readers and writers using the old name fail",
    ),
    rule(
        "sql.column.type-changed",
        B,
        "a column's type changed to an incompatible family (text to integer); readers and writers fail",
    ),
    rule(
        "sql.column.type-narrowed",
        B,
        "a column's type holds less than before (bigint to integer, varchar(255) to varchar(100)); writers of the lost values fail",
    ),
    rule(
        "sql.column.type-widened",
        N,
        "a column's type holds everything it held before (integer to bigint, varchar to text)",
    ),
    rule(
        "sql.constraint.check-added",
        B,
        "a CHECK constraint was added; writers of values it rejects fail",
    ),
    rule(
        "sql.constraint.foreign-key-added",
        B,
        "a foreign key was added; writers of rows without a referenced row fail",
    ),
    rule(
        "sql.constraint.primary-key-changed",
        B,
        "the primary key was added, removed or changed columns; writers and upserts keyed on it fail",
    ),
    rule(
        "sql.constraint.unique-added",
        B,
        "a unique constraint or unique index was added; writers of duplicate values fail",
    ),
    rule(
        "sql.constraint.unique-removed",
        B,
        "a unique constraint or unique index was removed; upserts keyed on it fail (ON CONFLICT) or insert duplicates (ON DUPLICATE KEY), and readers may see duplicates",
    ),
    rule(
        "sql.enum.removed",
        B,
        "an enum type was dropped; writers casting to it fail",
    ),
    rule("sql.enum.value-added", N, "an enum type has a new value"),
    rule(
        "sql.enum.value-removed",
        B,
        "an enum value was removed or renamed; writers of that value fail",
    ),
    rule(
        "sql.index.removed",
        N,
        "a non-unique index was dropped; queries stay correct but those it served may get slower",
    ),
    rule("sql.table.added", N, "a new table"),
    rule(
        "sql.table.removed",
        B,
        "a table was dropped; its readers and writers fail",
    ),
    rule(
        "sql.table.renamed",
        B,
        "a table was renamed; readers and writers using the old name fail",
    ),
    rule("sql.view.added", N, "a new view"),
    rule(
        "sql.view.column-removed",
        B,
        "a view no longer returns a column; readers selecting it fail",
    ),
    rule(
        "sql.view.removed",
        B,
        "a view was dropped; its readers fail",
    ),
    rule(
        "sql.view.renamed",
        B,
        "a view was renamed; readers using the old name fail",
    ),
];

/// Compare two SQL schemas, each a DDL file or a directory of migrations.
pub fn diff_paths(old: &Path, new: &Path) -> Result<Diff, ContractErrors> {
    let (old_schema, new_schema) = super::both(Schema::load(old), Schema::load(new))?;
    let mut cx = Cx {
        old: &old_schema,
        new: &new_schema,
        changes: Vec::new(),
    };
    cx.compare();
    let mut changes = cx.changes;
    super::sort(&mut changes);
    Ok(Diff {
        format: Format::Sql,
        old: display(old).to_string(),
        new: display(new).to_string(),
        old_version: None,
        new_version: None,
        changes,
    })
}

// ---------------------------------------------------------------------------------------------
// Migration files and their order.

/// The part a file plays in a migrations directory.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// Applied in version order: Flyway `V1_1__x.sql`, golang-migrate `000001_x.up.sql`, plain
    /// `001_x.sql` or `20240101120000_x.sql`.
    Versioned(Version),
    /// No version: applied after the versioned files, in natural order of their paths.
    Unversioned,
    /// Flyway `R__x.sql`: applied after everything else, by description, as Flyway does.
    Repeatable(String),
    /// Flyway `B5__x.sql`: the whole schema up to version 5, applied instead of `V1`..`V5` (the
    /// latest baseline wins).
    Baseline(Version),
}

/// A version such as `1.2.10`: numeric parts compared as numbers, trailing zero parts ignored
/// (`1.0` is `1`), so that `V1_1` sorts after `V1` and `V10` after `V9`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Version(Vec<Number>);

/// A decimal number of any length, without leading zeros, ordered by value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Number {
    digits: usize,
    text: String,
}

impl Number {
    fn parse(s: &str) -> Option<Number> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let text = s.trim_start_matches('0').to_owned();
        Some(Number {
            digits: text.len(),
            text,
        })
    }

    fn is_zero(&self) -> bool {
        self.digits == 0
    }
}

impl Version {
    fn parse(s: &str) -> Option<Version> {
        let mut parts = s
            .split(['.', '_'])
            .map(Number::parse)
            .collect::<Option<Vec<_>>>()?;
        while parts.len() > 1 && parts.last().is_some_and(Number::is_zero) {
            parts.pop();
        }
        Some(Version(parts))
    }
}

/// How a migration file named `name` is applied; `None` for files that are not applied (Flyway
/// undo scripts `U1__x.sql`, golang-migrate `.down.sql`).
fn step(name: &str) -> Option<Step> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".down.sql") {
        return None;
    }
    let stem = name.get(..name.len().saturating_sub(4)).unwrap_or(name);
    let stem = stem.strip_suffix(".up").unwrap_or(stem);
    let mut chars = stem.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    let rest = chars.as_str();
    if let Some(prefix @ ('V' | 'U' | 'R' | 'B')) = first
        && let Some((version, description)) = rest.split_once("__")
    {
        match prefix {
            'R' if version.is_empty() => return Some(Step::Repeatable(description.to_owned())),
            'U' if Version::parse(version).is_some() => return None,
            'V' | 'B' => {
                if let Some(v) = Version::parse(version) {
                    return Some(if prefix == 'V' {
                        Step::Versioned(v)
                    } else {
                        Step::Baseline(v)
                    });
                }
            }
            _ => {}
        }
    }
    let digits: String = stem.chars().take_while(char::is_ascii_digit).collect();
    let after = stem[digits.len()..].chars().next();
    if !digits.is_empty()
        && matches!(after, None | Some('_' | '-' | '.'))
        && let Some(n) = Number::parse(&digits)
    {
        return Some(Step::Versioned(Version(vec![n])));
    }
    Some(Step::Unversioned)
}

/// A path split into text and numbers, so that `2_x.sql` sorts before `10_x.sql`.
fn natural_key(s: &str) -> Vec<(String, Option<Number>)> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let text_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (text, tail) = rest.split_at(text_len);
        let digit_len = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (digits, tail) = tail.split_at(digit_len);
        out.push((text.to_owned(), Number::parse(digits)));
        rest = tail;
    }
    out
}

/// The `.sql` files of a contract in the order they apply: the file itself, or a directory's
/// migrations, versioned first, then unversioned, then Flyway repeatables.
fn migration_files(path: &Path) -> Result<Vec<PathBuf>, ContractErrors> {
    let files = contract_files(path)?;
    if files.len() == 1 && !path.is_dir() {
        return Ok(files);
    }
    // Sort key: group (versioned, unversioned, repeatable), version, repeatable description,
    // natural order of the relative path.
    type Key = (u8, Option<Version>, String, Vec<(String, Option<Number>)>);
    let mut steps: Vec<(Key, PathBuf)> = Vec::new();
    let mut baselines: Vec<(Version, PathBuf)> = Vec::new();
    for file in files {
        let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.to_ascii_lowercase().ends_with(".sql") {
            continue;
        }
        let relative = file
            .strip_prefix(path)
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        let natural = natural_key(&relative);
        let key = match step(name) {
            None => continue,
            Some(Step::Versioned(v)) => (0, Some(v), String::new(), natural),
            Some(Step::Unversioned) => (1, None, String::new(), natural),
            Some(Step::Repeatable(d)) => (2, None, d, natural),
            Some(Step::Baseline(v)) => {
                baselines.push((v.clone(), file.clone()));
                (0, Some(v), String::new(), natural)
            }
        };
        steps.push((key, file));
    }
    // A baseline stands for every versioned migration up to its version, and for the older
    // baselines.
    if let Some((base, base_file)) = baselines.into_iter().max() {
        steps.retain(|((group, version, ..), file)| {
            *group != 0 || *file == base_file || version.as_ref().is_none_or(|v| *v > base)
        });
    }
    steps.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(steps.into_iter().map(|(_, file)| file).collect())
}

/// The part of a migration that applies it: dbmate (`-- migrate:down`) and goose
/// (`-- +goose Down`) keep the undo statements in the same file, after a marker.
fn up_section(text: &str) -> &str {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let marker = line.trim().to_ascii_lowercase();
        let marker: String = marker.split_whitespace().collect::<Vec<_>>().join(" ");
        if marker == "-- migrate:down" || marker == "-- +goose down" {
            return &text[..offset];
        }
        offset += line.len();
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Parsing.

/// The SQL dialects tried on a file, most likely first: PostgreSQL, or MySQL when the file
/// quotes names with backticks; then the others, since a file that parses in any of them is
/// better read than refused.
fn dialects(text: &str) -> [(&'static str, Box<dyn Dialect>); 3] {
    if text.contains('`') {
        [
            ("MySQL", Box::new(MySqlDialect {})),
            ("generic SQL", Box::new(GenericDialect {})),
            ("PostgreSQL", Box::new(PostgreSqlDialect {})),
        ]
    } else {
        [
            ("PostgreSQL", Box::new(PostgreSqlDialect {})),
            ("generic SQL", Box::new(GenericDialect {})),
            ("MySQL", Box::new(MySqlDialect {})),
        ]
    }
}

/// A statement and where it starts.
type Located = (Statement, tokenizer::Location);

/// A parse problem: where and why.
struct ParseProblem {
    at: tokenizer::Location,
    reason: String,
}

/// Parse every statement of `text`, skipping to the next `;` after an error so that all of a
/// file's errors are reported at once.
fn parse_all(dialect: &dyn Dialect, text: &str) -> (Vec<Located>, Vec<ParseProblem>) {
    let mut statements = Vec::new();
    let mut problems = Vec::new();
    let mut parser = match Parser::new(dialect).try_with_sql(text) {
        Ok(p) => p,
        Err(e) => {
            problems.push(problem(e, tokenizer::Location { line: 1, column: 1 }));
            return (statements, problems);
        }
    };
    loop {
        while parser.consume_token(&Token::SemiColon) {}
        let start = parser.peek_token();
        if start.token == Token::EOF {
            break;
        }
        match parser.parse_statement() {
            Ok(statement) => {
                let next = parser.peek_token();
                if matches!(next.token, Token::SemiColon | Token::EOF) {
                    statements.push((statement, start.span.start));
                    continue;
                }
                problems.push(ParseProblem {
                    at: next.span.start,
                    reason: format!("Expected: end of statement, found: {}", next.token),
                });
            }
            Err(e) => problems.push(problem(e, start.span.start)),
        }
        loop {
            let token = parser.next_token();
            if matches!(token.token, Token::SemiColon | Token::EOF) {
                break;
            }
        }
    }
    (statements, problems)
}

/// The reason and place of a parser error; sqlparser appends ` at Line: 3, Column: 5` to its
/// messages, which becomes the diagnostic's location.
fn problem(e: ParserError, fallback: tokenizer::Location) -> ParseProblem {
    let text = match e {
        ParserError::TokenizerError(s) | ParserError::ParserError(s) => s,
        ParserError::RecursionLimitExceeded => "statement nested too deeply".to_owned(),
    };
    if let Some((reason, place)) = text.rsplit_once(" at Line: ")
        && let Some((line, column)) = place.split_once(", Column: ")
        && let (Ok(line), Ok(column)) = (line.trim().parse(), column.trim().parse())
    {
        return ParseProblem {
            at: tokenizer::Location { line, column },
            reason: reason.to_owned(),
        };
    }
    ParseProblem {
        at: fallback,
        reason: text,
    }
}

/// A file's statements, parsed in the first dialect that reads it all.
struct Parsed {
    statements: Vec<Located>,
    /// MySQL sizes some types differently (`text` holds 64 KiB, `float` is single precision).
    mysql: bool,
}

fn parse_file(file: &Arc<str>, text: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let mut first_failure = None;
    for (name, dialect) in dialects(text) {
        let (statements, problems) = parse_all(dialect.as_ref(), text);
        if problems.is_empty() {
            return Ok(Parsed {
                statements,
                mysql: name == "MySQL" || text.contains('`'),
            });
        }
        if first_failure.is_none() {
            first_failure = Some((name, problems));
        }
    }
    let (name, problems) = first_failure.unwrap_or(("SQL", Vec::new()));
    Err(problems
        .into_iter()
        .map(|p| {
            Diagnostic::error(
                Code::Syntax,
                location(file, p.at),
                format!("cannot parse SQL ({name}): {}{}", p.reason, hint(&p.reason)),
            )
        })
        .collect())
}

/// What to do about a statement sqlparser does not read.
fn hint(reason: &str) -> &'static str {
    if reason.ends_with("found: DO") {
        " (PostgreSQL `DO` blocks are not read: run their DDL as plain statements so that the schema can be followed)"
    } else {
        ""
    }
}

fn location(file: &Arc<str>, at: tokenizer::Location) -> Location {
    Location::new(
        file.clone(),
        u32::try_from(at.line).unwrap_or(u32::MAX),
        u32::try_from(at.column).unwrap_or(u32::MAX),
    )
}

// ---------------------------------------------------------------------------------------------
// Types.

/// A column type reduced to what decides compatibility: its family and capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ty {
    Int {
        bytes: u8,
        unsigned: bool,
    },
    /// `numeric(p, s)`; no precision is unbounded.
    Decimal {
        precision: Option<u64>,
        scale: u64,
    },
    Float {
        bytes: u8,
    },
    /// Character strings; no length is unbounded.
    Text {
        max: Option<u64>,
    },
    Bytes {
        max: Option<u64>,
    },
    Bool,
    Date,
    Time {
        tz: bool,
        precision: u64,
    },
    Timestamp {
        tz: bool,
        precision: u64,
    },
    Interval,
    Uuid,
    Json {
        binary: bool,
    },
    /// An inline enum (MySQL `enum('a','b')`).
    Enum(Vec<String>),
    Array(Box<Ty>),
    /// A user-defined type (a PostgreSQL enum by name) or one ripple does not size.
    Named(String),
}

/// How a column's type changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compat {
    Same,
    Widened,
    Narrowed,
    Changed,
}

/// PostgreSQL's serial pseudo-types: an integer with a sequence default.
fn serial_bytes(name: &str) -> Option<u8> {
    match name {
        "smallserial" | "serial2" => Some(2),
        "serial" | "serial4" => Some(4),
        "bigserial" | "serial8" => Some(8),
        _ => None,
    }
}

fn normalize(dt: &DataType, mysql: bool) -> Ty {
    use DataType as D;
    let int = |bytes, unsigned| Ty::Int { bytes, unsigned };
    let decimal = |info: &ExactNumberInfo| match *info {
        ExactNumberInfo::None if mysql => Ty::Decimal {
            precision: Some(10),
            scale: 0,
        },
        ExactNumberInfo::None => Ty::Decimal {
            precision: None,
            scale: 0,
        },
        ExactNumberInfo::Precision(p) => Ty::Decimal {
            precision: Some(p),
            scale: 0,
        },
        ExactNumberInfo::PrecisionAndScale(p, s) => Ty::Decimal {
            precision: Some(p),
            scale: u64::try_from(s).unwrap_or(0),
        },
    };
    let chars = |len: &Option<CharacterLength>, default: Option<u64>| match len {
        Some(CharacterLength::IntegerLength { length, .. }) => Ty::Text { max: Some(*length) },
        Some(CharacterLength::Max) => Ty::Text { max: None },
        None => Ty::Text { max: default },
    };
    let tz = |info: &TimezoneInfo| matches!(info, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz);
    match dt {
        D::TinyInt(_) => int(1, false),
        D::TinyIntUnsigned(_) | D::UTinyInt | D::UInt8 => int(1, true),
        D::Int2(_) | D::SmallInt(_) | D::Int16 => int(2, false),
        D::Int2Unsigned(_) | D::SmallIntUnsigned(_) | D::USmallInt | D::UInt16 => int(2, true),
        D::MediumInt(_) => int(3, false),
        D::MediumIntUnsigned(_) => int(3, true),
        D::Int(_) | D::Int4(_) | D::Integer(_) | D::Int32 | D::Signed | D::SignedInteger => {
            int(4, false)
        }
        D::IntUnsigned(_)
        | D::Int4Unsigned(_)
        | D::IntegerUnsigned(_)
        | D::UInt32
        | D::Unsigned
        | D::UnsignedInteger => int(4, true),
        D::BigInt(_) | D::Int8(_) | D::Int64 => int(8, false),
        D::BigIntUnsigned(_) | D::UBigInt | D::Int8Unsigned(_) | D::UInt64 => int(8, true),
        D::Int128 | D::HugeInt => int(16, false),
        D::UInt128 | D::UHugeInt => int(16, true),
        D::Int256 => int(32, false),
        D::UInt256 => int(32, true),
        D::Numeric(info)
        | D::Decimal(info)
        | D::DecimalUnsigned(info)
        | D::BigNumeric(info)
        | D::BigDecimal(info)
        | D::Dec(info)
        | D::DecUnsigned(info) => decimal(info),
        // PostgreSQL: `float(p)` is single precision up to 24 bits, `float` is double. MySQL:
        // `float` is single, `real` is double.
        D::Float(info) | D::FloatUnsigned(info) => match info {
            ExactNumberInfo::Precision(p) | ExactNumberInfo::PrecisionAndScale(p, _) => Ty::Float {
                bytes: if *p <= 24 { 4 } else { 8 },
            },
            ExactNumberInfo::None => Ty::Float {
                bytes: if mysql { 4 } else { 8 },
            },
        },
        D::Real | D::RealUnsigned => Ty::Float {
            bytes: if mysql { 8 } else { 4 },
        },
        D::Float4 | D::Float32 => Ty::Float { bytes: 4 },
        D::Double(_)
        | D::DoubleUnsigned(_)
        | D::DoublePrecision
        | D::DoublePrecisionUnsigned
        | D::Float8
        | D::Float64 => Ty::Float { bytes: 8 },
        D::Character(len) | D::Char(len) => chars(len, Some(1)),
        D::CharacterVarying(len) | D::CharVarying(len) | D::Varchar(len) | D::Nvarchar(len) => {
            chars(len, None)
        }
        D::Text => Ty::Text {
            max: if mysql { Some(65_535) } else { None },
        },
        D::TinyText => Ty::Text { max: Some(255) },
        D::MediumText => Ty::Text {
            max: Some(16_777_215),
        },
        D::LongText => Ty::Text {
            max: Some(4_294_967_295),
        },
        D::String(len) => Ty::Text { max: *len },
        D::Clob(_) | D::CharacterLargeObject(_) | D::CharLargeObject(_) => Ty::Text { max: None },
        D::Uuid => Ty::Uuid,
        D::Binary(len) => Ty::Bytes {
            max: Some(len.unwrap_or(1)),
        },
        D::Varbinary(_) | D::Bytea => Ty::Bytes { max: None },
        D::Blob(len) => Ty::Bytes {
            max: Some(len.unwrap_or(65_535)),
        },
        D::TinyBlob => Ty::Bytes { max: Some(255) },
        D::MediumBlob => Ty::Bytes {
            max: Some(16_777_215),
        },
        D::LongBlob => Ty::Bytes {
            max: Some(4_294_967_295),
        },
        D::Bytes(len) => Ty::Bytes { max: *len },
        D::Bool | D::Boolean => Ty::Bool,
        D::Date | D::Date32 => Ty::Date,
        D::Time(p, info) => Ty::Time {
            tz: tz(info),
            precision: p.unwrap_or(if mysql { 0 } else { 6 }),
        },
        D::Timestamp(p, info) => Ty::Timestamp {
            tz: tz(info),
            precision: p.unwrap_or(if mysql { 0 } else { 6 }),
        },
        D::Datetime(p) => Ty::Timestamp {
            tz: false,
            precision: p.unwrap_or(0),
        },
        D::TimestampNtz(p) => Ty::Timestamp {
            tz: false,
            precision: p.unwrap_or(6),
        },
        D::Datetime64(p, _) => Ty::Timestamp {
            tz: false,
            precision: *p,
        },
        D::Interval { .. } => Ty::Interval,
        D::JSON => Ty::Json { binary: false },
        D::JSONB => Ty::Json { binary: true },
        D::Enum(members, _) => Ty::Enum(
            members
                .iter()
                .map(|m| match m {
                    EnumMember::Name(s) | EnumMember::NamedValue(s, _) => s.clone(),
                })
                .collect(),
        ),
        D::Array(elem) => {
            use sqlparser::ast::ArrayElemTypeDef as A;
            match elem {
                A::AngleBracket(t)
                | A::SquareBracket(t, _)
                | A::Parenthesis(t)
                | A::Qualified(t, _) => Ty::Array(Box::new(normalize(t, mysql))),
                A::None => Ty::Array(Box::new(Ty::Named(String::new()))),
            }
        }
        D::Custom(name, modifiers) => {
            let name = object_name(name);
            if let Some(bytes) = serial_bytes(&name) {
                return int(bytes, false);
            }
            if modifiers.is_empty() {
                Ty::Named(name)
            } else {
                Ty::Named(format!("{name}({})", modifiers.join(",")))
            }
        }
        other => Ty::Named(other.to_string().to_lowercase()),
    }
}

/// The number of decimal digits every value of an integer type needs: all numbers of one digit
/// fewer fit in it.
fn int_digits(bytes: u8, unsigned: bool) -> u64 {
    match (bytes, unsigned) {
        (1, _) => 3,
        (2, _) => 5,
        (3, false) => 7,
        (3, true) => 8,
        (4, _) => 10,
        (8, false) => 19,
        (8, true) => 20,
        (16, _) => 39,
        _ => 78,
    }
}

/// Whether every value of type `from` is a value of type `to`, unchanged.
fn accepts(to: &Ty, from: &Ty) -> bool {
    fn cap(max: Option<u64>) -> u64 {
        max.unwrap_or(u64::MAX)
    }
    match (to, from) {
        (
            Ty::Int {
                bytes: a,
                unsigned: ua,
            },
            Ty::Int {
                bytes: b,
                unsigned: ub,
            },
        ) => match (ua, ub) {
            (false, false) | (true, true) => a >= b,
            (false, true) => a > b,
            (true, false) => false,
        },
        (
            Ty::Decimal {
                precision: pa,
                scale: sa,
            },
            Ty::Decimal {
                precision: pb,
                scale: sb,
            },
        ) => match (pa, pb) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(pa), Some(pb)) => {
                sa >= sb && i128::from(*pa) - i128::from(*sa) >= i128::from(*pb) - i128::from(*sb)
            }
        },
        (Ty::Decimal { precision, scale }, Ty::Int { bytes, unsigned }) => {
            precision.is_none_or(|p| {
                i128::from(p) - i128::from(*scale) >= i128::from(int_digits(*bytes, *unsigned))
            })
        }
        (
            Ty::Int { bytes, unsigned },
            Ty::Decimal {
                precision: Some(p),
                scale: 0,
            },
        ) => !unsigned && *p < int_digits(*bytes, false),
        // A float holds integers exactly up to its mantissa: 24 bits single, 53 double.
        (Ty::Float { bytes: f }, Ty::Int { bytes, .. }) => {
            if *f >= 8 {
                *bytes <= 4
            } else {
                *bytes <= 2
            }
        }
        (Ty::Float { bytes: a }, Ty::Float { bytes: b }) => a >= b,
        (Ty::Text { max: a }, Ty::Text { max: b })
        | (Ty::Bytes { max: a }, Ty::Bytes { max: b }) => cap(*a) >= cap(*b),
        (
            Ty::Timestamp {
                tz: ta,
                precision: pa,
            },
            Ty::Timestamp {
                tz: tb,
                precision: pb,
            },
        )
        | (
            Ty::Time {
                tz: ta,
                precision: pa,
            },
            Ty::Time {
                tz: tb,
                precision: pb,
            },
        ) => pa >= pb && (*ta || !*tb),
        (Ty::Json { .. }, Ty::Json { .. }) => true,
        (Ty::Enum(a), Ty::Enum(b)) => b.iter().all(|v| a.contains(v)),
        (Ty::Array(a), Ty::Array(b)) => accepts(a, b),
        (a, b) => a == b,
    }
}

/// Types whose values convert into each other, some with loss: a change within a family that
/// loses values is a narrowing, across families an incompatible change.
fn family(t: &Ty) -> u8 {
    match t {
        Ty::Int { .. } | Ty::Decimal { .. } | Ty::Float { .. } => 1,
        Ty::Text { .. } => 2,
        Ty::Bytes { .. } => 3,
        Ty::Timestamp { .. } => 4,
        Ty::Time { .. } => 5,
        Ty::Json { .. } => 6,
        Ty::Enum(_) => 7,
        Ty::Array(inner) => 100 + family(inner),
        _ => 0,
    }
}

fn compare_types(old: &Ty, new: &Ty) -> Compat {
    if old == new {
        return Compat::Same;
    }
    if accepts(new, old) {
        Compat::Widened
    } else if accepts(old, new) || (family(old) != 0 && family(old) == family(new)) {
        Compat::Narrowed
    } else {
        Compat::Changed
    }
}

// ---------------------------------------------------------------------------------------------
// The schema a set of statements builds.

/// The final state of a database after its migrations.
#[derive(Default)]
struct Schema {
    tables: BTreeMap<String, Table>,
    views: BTreeMap<String, View>,
    indexes: BTreeMap<String, Index>,
    enums: BTreeMap<String, Enum>,
    /// Where each dropped object was dropped, so that a removal points at the statement that
    /// removed it. Columns are keyed `table.column`.
    dropped: BTreeMap<(Object, String), Location>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Object {
    Table,
    Column,
    View,
    Index,
    Type,
}

#[derive(Clone, Debug)]
struct Table {
    columns: Vec<Column>,
    constraints: Vec<Constraint>,
    /// The statement that last created, renamed or altered the table.
    at: Location,
    /// Earlier names, oldest first, with the statement that renamed each.
    renamed_from: Vec<(String, Location)>,
}

#[derive(Clone, Debug)]
struct Column {
    name: String,
    ty: Ty,
    /// The type as written (`int8`, `varchar(255)`), for messages.
    written: String,
    not_null: bool,
    default: Option<String>,
    generated: Option<Generated>,
    at: Location,
    renamed_from: Vec<(String, Location)>,
}

/// A value the database supplies when a writer omits the column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Generated {
    /// A sequence: `serial`, `GENERATED ... AS IDENTITY`, `AUTO_INCREMENT`.
    Identity,
    /// `GENERATED ALWAYS AS (expr)`: computed, never written.
    Computed,
}

impl Column {
    /// What a writer that omits the column gets, if anything but NULL: `default 'EUR'`,
    /// `identity values`, `generated values`.
    fn supplied(&self) -> Option<String> {
        match (&self.default, self.generated) {
            (Some(d), _) => Some(format!("default {d}")),
            (None, Some(Generated::Identity)) => Some("identity values".to_owned()),
            (None, Some(Generated::Computed)) => Some("generated values".to_owned()),
            (None, None) => None,
        }
    }
}

#[derive(Clone, Debug)]
struct Constraint {
    /// The name given in the DDL, if any.
    name: Option<String>,
    kind: ConstraintKind,
    columns: Vec<String>,
    at: Location,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ConstraintKind {
    PrimaryKey,
    Unique,
    ForeignKey { table: String, columns: Vec<String> },
    Check { expr: String },
}

#[derive(Clone, Debug)]
struct Index {
    table: String,
    columns: Vec<String>,
    unique: bool,
    predicate: Option<String>,
    at: Location,
}

#[derive(Clone, Debug)]
struct View {
    /// The columns it returns; `None` when it selects `*`.
    columns: Option<BTreeSet<String>>,
    /// The tables and views it reads (its `FROM` clauses), which `DROP ... CASCADE` follows.
    reads: BTreeSet<String>,
    at: Location,
    renamed_from: Vec<(String, Location)>,
}

#[derive(Clone, Debug)]
struct Enum {
    values: Vec<String>,
    at: Location,
}

/// An identifier as the database stores it: unquoted names fold to lower case, and so do
/// MySQL's backtick-quoted ones (MySQL compares column names without case).
fn ident(i: &Ident) -> String {
    if i.quote_style.is_some_and(|q| q != '`') {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

/// A table, view, index or type name; `public.` is PostgreSQL's default schema and dropped.
fn object_name(name: &ObjectName) -> String {
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
fn index_column(c: &IndexColumn) -> String {
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
fn default_text(e: &Expr) -> Option<String> {
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
fn view_columns(query: &Query) -> Option<BTreeSet<String>> {
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
fn query_reads(query: &Query, out: &mut BTreeSet<String>) {
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

/// Where a statement is, and where the names inside it are.
struct Site<'a> {
    file: &'a Arc<str>,
    statement: Location,
}

impl Site<'_> {
    /// The place of a name, or of the statement when sqlparser kept no span for it.
    fn of(&self, i: &Ident) -> Location {
        self.span(i.span)
    }

    fn span(&self, span: tokenizer::Span) -> Location {
        if span.start.line == 0 {
            self.statement.clone()
        } else {
            location(self.file, span.start)
        }
    }
}

impl Schema {
    /// Replay a contract's statements, file after file.
    fn load(path: &Path) -> Result<Schema, ContractErrors> {
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
                        let site = Site {
                            file: &name,
                            statement: location(&name, *start),
                        };
                        schema.apply(statement, &site, parsed.mysql);
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

    fn apply(&mut self, statement: &Statement, site: &Site<'_>, mysql: bool) {
        match statement {
            Statement::CreateTable(create) => self.create_table(create, site, mysql),
            Statement::AlterTable(alter) => {
                let name = object_name(&alter.name);
                for op in &alter.operations {
                    self.alter_table(&name, op, site, mysql);
                }
            }
            Statement::RenameTable(renames) => {
                for r in renames {
                    let (from, to) = (object_name(&r.old_name), object_name(&r.new_name));
                    self.rename_relation(&from, &to, site.statement.clone());
                }
            }
            Statement::CreateIndex(create) => self.create_index(create, site),
            Statement::AlterIndex {
                name,
                operation: AlterIndexOperation::RenameIndex { index_name },
            } => {
                if let Some(index) = self.indexes.remove(&object_name(name)) {
                    self.indexes.insert(object_name(index_name), index);
                }
            }
            Statement::CreateView(create) => self.create_view(create, site),
            Statement::CreateType {
                name,
                representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
            } => {
                self.enums.insert(
                    object_name(name),
                    Enum {
                        values: labels.iter().map(|l| l.value.clone()).collect(),
                        at: site.statement.clone(),
                    },
                );
            }
            Statement::AlterType(alter) => {
                self.alter_type(&object_name(&alter.name), &alter.operation, site)
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
                        site,
                    );
                }
            }
            _ => {}
        }
    }

    fn create_table(&mut self, create: &CreateTable, site: &Site<'_>, mysql: bool) {
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
            at: site.statement.clone(),
            renamed_from: Vec::new(),
        });
        table.at = site.statement.clone();
        for def in &create.columns {
            let (column, constraints) = column_from_def(def, site, mysql);
            table.columns.retain(|c| c.name != column.name);
            table.columns.push(column);
            table.constraints.extend(constraints);
        }
        for c in &create.constraints {
            if let Some(constraint) = constraint(c, site) {
                table.constraints.push(constraint);
            } else if let Some((index_name, index)) = inline_index(&name, c, site) {
                self.indexes.insert(index_name, index);
            }
        }
        table.mark_key_not_null();
        self.tables.insert(name, table);
    }

    fn alter_table(&mut self, name: &str, op: &AlterTableOperation, site: &Site<'_>, mysql: bool) {
        use AlterTableOperation as Op;
        if let Op::RenameTable { table_name } = op {
            let (RenameTableNameKind::To(to) | RenameTableNameKind::As(to)) = table_name;
            self.rename_relation(name, &object_name(to), site.statement.clone());
            return;
        }
        let Some(table) = self.tables.get_mut(name) else {
            return;
        };
        table.at = site.statement.clone();
        match op {
            Op::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => {
                if *if_not_exists && table.column(&ident(&column_def.name)).is_some() {
                    return;
                }
                let (column, constraints) = column_from_def(column_def, site, mysql);
                table.columns.retain(|c| c.name != column.name);
                table.columns.push(column);
                table.constraints.extend(constraints);
                table.mark_key_not_null();
            }
            Op::DropColumn { column_names, .. } => {
                for c in column_names {
                    self.drop_column(name, &ident(c), site.of(c));
                }
            }
            Op::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let (from, to) = (ident(old_column_name), ident(new_column_name));
                self.rename_column(name, &from, &to, site.of(new_column_name));
            }
            Op::AlterColumn { column_name, op } => {
                let at = site.of(column_name);
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
                        column.ty = normalize(data_type, mysql);
                        column.written = data_type.to_string().to_lowercase();
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
                    self.rename_column(name, &from, &to, site.of(new_name));
                }
                self.redefine_column(name, new_name, data_type, options, site, mysql);
            }
            Op::ModifyColumn {
                col_name,
                data_type,
                options,
                ..
            } => self.redefine_column(name, col_name, data_type, options, site, mysql),
            Op::AddConstraint { constraint: c, .. } => {
                if let Some(constraint) = constraint(c, site) {
                    table.constraints.push(constraint);
                    table.mark_key_not_null();
                } else if let Some((index_name, index)) = inline_index(name, c, site) {
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
                    self.drop_index(&c, site.statement.clone());
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
            .insert((Object::Column, format!("{table_name}.{column}")), at);
    }

    /// MySQL `CHANGE`/`MODIFY COLUMN`: the column is defined anew, so that what the definition
    /// leaves out (`NOT NULL`, a default) is gone.
    fn redefine_column(
        &mut self,
        table_name: &str,
        column_name: &Ident,
        data_type: &DataType,
        options: &[ColumnOption],
        site: &Site<'_>,
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
        let (mut column, constraints) = column_from_def(&def, site, mysql);
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

    fn create_index(&mut self, create: &CreateIndex, site: &Site<'_>) {
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
                at: site.statement.clone(),
            },
        );
    }

    fn create_view(&mut self, create: &CreateView, site: &Site<'_>) {
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
                at: site.statement.clone(),
                renamed_from,
            },
        );
    }

    fn alter_type(&mut self, name: &str, op: &AlterTypeOperation, site: &Site<'_>) {
        match op {
            AlterTypeOperation::Rename(rename) => {
                let to = ident(&rename.new_name);
                if let Some(mut e) = self.enums.remove(name) {
                    e.at = site.statement.clone();
                    self.enums.insert(to.clone(), e);
                }
                // Columns refer to a type by identity, so they follow the rename.
                for table in self.tables.values_mut() {
                    for c in &mut table.columns {
                        if c.ty == Ty::Named(name.to_owned()) {
                            c.ty = Ty::Named(to.clone());
                            c.written.clone_from(&to);
                        }
                    }
                }
            }
            AlterTypeOperation::AddValue(add) => {
                let Some(e) = self.enums.get_mut(name) else {
                    return;
                };
                e.at = site.statement.clone();
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
                e.at = site.statement.clone();
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
        site: &Site<'_>,
    ) {
        let at = site.statement.clone();
        match object_type {
            ObjectType::Table => {
                let Some(_) = self.tables.remove(name) else {
                    return;
                };
                self.indexes.retain(|_, i| i.table != name);
                self.dropped
                    .insert((Object::Table, name.to_owned()), at.clone());
                if cascade {
                    self.drop_dependent_views(name, &at);
                }
            }
            ObjectType::View | ObjectType::MaterializedView => {
                let Some(_) = self.views.remove(name) else {
                    return;
                };
                self.dropped
                    .insert((Object::View, name.to_owned()), at.clone());
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
                        self.dropped.insert((Object::Index, name.to_owned()), at);
                        return;
                    }
                }
                self.drop_index(name, at);
            }
            ObjectType::Type => {
                if self.enums.remove(name).is_some() {
                    self.dropped
                        .insert((Object::Type, name.to_owned()), at.clone());
                }
                // `CASCADE` drops the columns of that type, with their indexes and constraints.
                if cascade {
                    let named = Ty::Named(name.to_owned());
                    let columns: Vec<(String, String)> = self
                        .tables
                        .iter()
                        .flat_map(|(t, table)| {
                            table
                                .columns
                                .iter()
                                .filter(|c| c.ty == named)
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
    /// the views that read those.
    fn drop_dependent_views(&mut self, relation: &str, at: &Location) {
        let dependent: Vec<String> = self
            .views
            .iter()
            .filter(|(_, v)| v.reads.contains(relation))
            .map(|(n, _)| n.clone())
            .collect();
        for view in dependent {
            if self.views.remove(&view).is_some() {
                self.dropped
                    .insert((Object::View, view.clone()), at.clone());
                self.drop_dependent_views(&view, at);
            }
        }
    }

    fn drop_index(&mut self, name: &str, at: Location) {
        if self.indexes.remove(name).is_some() {
            self.dropped.insert((Object::Index, name.to_owned()), at);
        }
    }
}

impl Table {
    fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    fn primary_key(&self) -> Option<&Constraint> {
        self.constraints
            .iter()
            .find(|c| c.kind == ConstraintKind::PrimaryKey)
    }

    /// Primary key columns are NOT NULL, whether or not the DDL says so.
    fn mark_key_not_null(&mut self) {
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
    fn answers_to(&self, table: &str, name: &str) -> bool {
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

/// A column and the constraints its definition declares inline.
fn column_from_def(def: &ColumnDef, site: &Site<'_>, mysql: bool) -> (Column, Vec<Constraint>) {
    let name = ident(&def.name);
    let at = site.of(&def.name);
    let serial =
        matches!(&def.data_type, DataType::Custom(n, _) if serial_bytes(&object_name(n)).is_some());
    let mut column = Column {
        name: name.clone(),
        ty: normalize(&def.data_type, mysql),
        written: def.data_type.to_string().to_lowercase(),
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
fn constraint(c: &TableConstraint, site: &Site<'_>) -> Option<Constraint> {
    let at = site.span(c.span());
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
fn inline_index(table: &str, c: &TableConstraint, site: &Site<'_>) -> Option<(String, Index)> {
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
            at: site.span(c.span()),
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// Comparison.

struct Cx<'s> {
    old: &'s Schema,
    new: &'s Schema,
    changes: Vec<Change>,
}

/// The element consumers name in `uses`.
fn table_element(name: &str) -> String {
    format!("table {name}")
}

fn column_element(table: &str, column: &str) -> String {
    format!("column {table}.{column}")
}

fn cols(columns: &[String]) -> String {
    format!("({})", columns.join(", "))
}

/// A uniqueness rule of a table: a unique constraint or a unique index, partial (`WHERE ...`)
/// or not.
struct Unique {
    /// Sorted.
    columns: Vec<String>,
    predicate: Option<String>,
    at: Location,
    /// `unique index orders_ref_key`, `unique constraint uq_ref`.
    label: String,
    /// The name a `DROP INDEX` would use (MySQL drops unique keys that way).
    index: Option<String>,
}

fn uniques(schema: &Schema, table_name: &str, table: &Table) -> Vec<Unique> {
    let mut out: Vec<Unique> = table
        .constraints
        .iter()
        .filter(|c| c.kind == ConstraintKind::Unique)
        .map(|c| Unique {
            columns: c.columns.clone(),
            at: c.at.clone(),
            predicate: None,
            label: format!("unique constraint{}", named(&c.name)),
            index: c.name.clone(),
        })
        .collect();
    out.extend(
        schema
            .indexes
            .iter()
            .filter(|(_, i)| i.unique && i.table == table_name)
            .map(|(n, i)| Unique {
                columns: i.columns.clone(),
                predicate: i.predicate.clone(),
                at: i.at.clone(),
                label: match &i.predicate {
                    Some(p) => format!("partial unique index {n} (WHERE {p})"),
                    None => format!("unique index {n}"),
                },
                index: Some(n.clone()),
            }),
    );
    for u in &mut out {
        u.columns.sort();
    }
    out
}

/// ` name` for a named constraint, nothing for an unnamed one.
fn named(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!(" {n}")).unwrap_or_default()
}

impl<'s> Cx<'s> {
    fn push(
        &mut self,
        rule: &'static str,
        element: String,
        message: String,
        old: Option<Location>,
        new: Option<Location>,
    ) {
        self.changes
            .push(Change::new(rule, element, message, old, new));
    }

    fn compare(&mut self) {
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
            let renamed = new.tables.iter().find_map(|(to, t)| {
                (!old.tables.contains_key(to))
                    .then(|| t.renamed_from.iter().find(|(from, _)| from == name))
                    .flatten()
                    .map(|(_, at)| (to.as_str(), at.clone()))
            });
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
        let shape = |t: &Table| -> Vec<(String, Ty)> {
            let mut s: Vec<(String, Ty)> = t
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone()))
                .collect();
            s.sort_by(|a, b| a.0.cmp(&b.0));
            s
        };
        let mut still_removed = Vec::new();
        for name in removed {
            let s = shape(&old.tables[name]);
            let candidates: Vec<&str> = added
                .iter()
                .copied()
                .filter(|a| !taken.contains(a) && !s.is_empty() && shape(&new.tables[*a]) == s)
                .collect();
            let rivals = old
                .tables
                .iter()
                .filter(|(n, t)| !new.tables.contains_key(*n) && shape(t) == s)
                .count();
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
                "sql.table.removed",
                table_element(name),
                format!("table {name} removed"),
                Some(t.at.clone()),
                new.dropped.get(&(Object::Table, name.to_owned())).cloned(),
            );
        }
        for name in added.iter().filter(|a| !taken.contains(*a)) {
            self.push(
                "sql.table.added",
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
                    "sql.table.renamed",
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
        for c in &a.columns {
            let element = column_element(name, &c.name);
            if let Some(nc) = b.column(&c.name) {
                renames.insert(&nc.name, &c.name);
                self.column(&element, c, nc);
                continue;
            }
            let renamed = b.columns.iter().find_map(|nc| {
                (a.column(&nc.name).is_none())
                    .then(|| nc.renamed_from.iter().find(|(from, _)| *from == c.name))
                    .flatten()
                    .map(|(_, at)| (nc, at.clone()))
            });
            match renamed {
                Some((nc, at)) => {
                    renames.insert(&nc.name, &c.name);
                    self.push(
                        "sql.column.renamed",
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
                        .get(&(Object::Column, format!("{new_name}.{}", c.name)))
                        .cloned();
                    self.push(
                        "sql.column.removed",
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
                    "sql.column.added-not-null-without-default",
                    "as NOT NULL without a default: old writers' INSERTs, which omit it, fail"
                        .to_owned(),
                ),
                (true, Some(d)) => ("sql.column.added", format!("as NOT NULL with {d}")),
                (false, _) => ("sql.column.added", "as nullable".to_owned()),
            };
            self.push(
                rule,
                element,
                format!("column {name}.{} ({}) added {what}", nc.name, nc.written),
                Some(a.at.clone()),
                Some(nc.at.clone()),
            );
        }
        self.constraints(name, new_name, a, b, &renames);
    }

    fn column(&mut self, element: &str, a: &Column, b: &Column) {
        let (old, new) = (Some(a.at.clone()), Some(b.at.clone()));
        let what = element.strip_prefix("column ").unwrap_or(element);
        let compat = compare_types(&a.ty, &b.ty);
        let typed = |how: &str| {
            format!(
                "column {what} changed type from {} to {} ({how})",
                a.written, b.written
            )
        };
        match compat {
            Compat::Same => {}
            Compat::Widened => {
                let how = if accepts(&a.ty, &b.ty) {
                    "compatible"
                } else {
                    "widening"
                };
                self.push(
                    "sql.column.type-widened",
                    element.to_owned(),
                    typed(how),
                    old.clone(),
                    new.clone(),
                );
            }
            Compat::Narrowed => self.push(
                "sql.column.type-narrowed",
                element.to_owned(),
                typed("narrowing"),
                old.clone(),
                new.clone(),
            ),
            Compat::Changed => self.push(
                "sql.column.type-changed",
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
                    "sql.column.became-not-null",
                    element.to_owned(),
                    format!("column {what} became NOT NULL: {detail}"),
                    old.clone(),
                    new.clone(),
                );
            }
            (true, false) => self.push(
                "sql.column.became-nullable",
                element.to_owned(),
                format!("column {what} became nullable: readers may now get NULL"),
                old.clone(),
                new.clone(),
            ),
            _ => {}
        }
        match (&was, &is) {
            (Some(d), None) if b.not_null => self.push(
                "sql.column.default-removed",
                element.to_owned(),
                format!("column {what} lost its {d} while NOT NULL: writers that omit it fail"),
                old,
                new,
            ),
            (Some(d), None) => self.push(
                "sql.column.default-changed",
                element.to_owned(),
                format!("column {what} lost its {d}: writers that omit it now store NULL"),
                old,
                new,
            ),
            (None, Some(d)) => self.push(
                "sql.column.default-changed",
                element.to_owned(),
                format!("column {what} now has {d}"),
                old,
                new,
            ),
            (Some(x), Some(y)) if x != y => self.push(
                "sql.column.default-changed",
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
            let show = |k: &Option<Vec<String>>| k.as_ref().map_or("none".to_owned(), |k| cols(k));
            self.push(
                "sql.constraint.primary-key-changed",
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
        let old_uniques = uniques(self.old, name, a);
        let new_uniques = uniques(self.new, new_name, b);
        let as_old = |u: &Unique| -> Option<Vec<String>> {
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
            let dropped = u
                .index
                .as_ref()
                .and_then(|i| self.new.dropped.get(&(Object::Index, i.clone())).cloned());
            self.push(
                "sql.constraint.unique-removed",
                element.clone(),
                format!(
                    "{} on {name} {} removed: upserts keyed on it break and readers may see duplicates",
                    u.label,
                    cols(&u.columns)
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
                "sql.constraint.unique-added",
                element.clone(),
                format!(
                    "{} added on {name} {}: writers of duplicate values fail",
                    u.label,
                    cols(&u.columns)
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
                    "sql.constraint.foreign-key-added",
                    format!(
                        "foreign key{} added on {name} {} referencing {table} {}: writers of rows without a referenced row fail",
                        named(&c.name),
                        cols(&c.columns),
                        cols(columns)
                    ),
                ),
                ConstraintKind::Check { expr } => (
                    "sql.constraint.check-added",
                    format!(
                        "check constraint{} added on {name}: CHECK ({expr}); writers of values it rejects fail",
                        named(&c.name)
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
            let Some((new_table_name, new_table)) = new_home(old, new, &index.table) else {
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
            let covered = new
                .indexes
                .values()
                .any(|i| i.table == new_table_name && i.columns == columns)
                || new_table.constraints.iter().any(|c| {
                    matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
                        && c.columns == columns
                });
            if covered {
                continue;
            }
            self.push(
                "sql.index.removed",
                table_element(&index.table),
                format!(
                    "index {name} on {} {} removed: queries it served may get slower",
                    index.table,
                    cols(&index.columns)
                ),
                Some(index.at.clone()),
                Some(
                    new.dropped
                        .get(&(Object::Index, name.clone()))
                        .cloned()
                        .unwrap_or_else(|| new_table.at.clone()),
                ),
            );
        }
    }

    fn views(&mut self) {
        let (old, new) = (self.old, self.new);
        let mut taken = BTreeSet::new();
        for (name, v) in &old.views {
            let element = format!("view {name}");
            let (to, nv, renamed_at) = if let Some(nv) = new.views.get(name) {
                (name.as_str(), nv, None)
            } else if let Some((to, nv, at)) = new.views.iter().find_map(|(to, nv)| {
                (!old.views.contains_key(to))
                    .then(|| nv.renamed_from.iter().find(|(f, _)| f == name))
                    .flatten()
                    .map(|(_, at)| (to.as_str(), nv, at.clone()))
            }) {
                (to, nv, Some(at))
            } else {
                self.push(
                    "sql.view.removed",
                    element,
                    format!("view {name} removed"),
                    Some(v.at.clone()),
                    new.dropped.get(&(Object::View, name.clone())).cloned(),
                );
                continue;
            };
            taken.insert(to);
            if let Some(at) = renamed_at {
                self.push(
                    "sql.view.renamed",
                    element.clone(),
                    format!("view {name} renamed to {to}"),
                    Some(v.at.clone()),
                    Some(at),
                );
            }
            if let (Some(a), Some(b)) = (&v.columns, &nv.columns) {
                for c in a.difference(b) {
                    self.push(
                        "sql.view.column-removed",
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
                    "sql.view.added",
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
                    "sql.enum.removed",
                    element,
                    format!("enum type {name} removed"),
                    Some(e.at.clone()),
                    new.dropped.get(&(Object::Type, name.clone())).cloned(),
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
                    "sql.enum.value-removed",
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
                    "sql.enum.value-added",
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
}

/// The new-side name and table of an old table: the same name, or the table it was renamed to.
fn new_home<'s>(old: &Schema, new: &'s Schema, name: &str) -> Option<(&'s str, &'s Table)> {
    if let Some((n, t)) = new.tables.get_key_value(name) {
        return Some((n.as_str(), t));
    }
    if !old.tables.contains_key(name) {
        return None;
    }
    new.tables
        .iter()
        .find(|(to, t)| {
            !old.tables.contains_key(*to) && t.renamed_from.iter().any(|(f, _)| f == name)
        })
        .map(|(n, t)| (n.as_str(), t))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(Version::parse("1.0"), Version::parse("1"));
        assert_eq!(Version::parse("001"), Version::parse("1"));
        assert!(Version::parse("1.10") > Version::parse("1.9"));
        assert!(Version::parse("99999999999999999999999") > Version::parse("20240101120000"));
        assert_eq!(Version::parse("1.x"), None);
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

    fn ty(sql: &str) -> Ty {
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
        normalize(&t.columns[0].data_type, mysql)
    }

    #[test]
    fn type_changes_are_classified() {
        use Compat::*;
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
                compare_types(&ty(old), &ty(new)),
                want,
                "{old} -> {new}: {:?} -> {:?}",
                ty(old),
                ty(new)
            );
        }
    }

    #[test]
    fn mysql_types_use_mysql_sizes() {
        let parse = |sql: &str| {
            let s = Parser::parse_sql(&MySqlDialect {}, &format!("CREATE TABLE `t` (c {sql})"))
                .unwrap();
            let Statement::CreateTable(t) = &s[0] else {
                panic!()
            };
            normalize(&t.columns[0].data_type, true)
        };
        use Compat::*;
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
        let Err(e) =
            schema("CREATE TABLE a (id int);\nCREATE TABLE b (id int,, x int);\nSELEC 1;\n")
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
    fn findings(old: &str, new: &str) -> Vec<(&'static str, String)> {
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
                ("sql.column.renamed", "column orders.ref".to_owned()),
                ("sql.column.renamed", "column orders.status".to_owned()),
                ("sql.table.renamed", "table orders".to_owned()),
            ]
        );
    }

    #[test]
    fn a_dropped_column_takes_its_index_and_unique_constraint() {
        let new = format!("{ORDERS} ALTER TABLE orders DROP COLUMN ref, DROP COLUMN status;");
        assert_eq!(
            findings(ORDERS, &new),
            [
                ("sql.column.removed", "column orders.ref".to_owned()),
                ("sql.column.removed", "column orders.status".to_owned()),
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
                ("sql.column.added", "column orders.code".to_owned()),
                ("sql.column.added", "column orders.parent".to_owned()),
            ]
        );
    }

    #[test]
    fn a_partial_unique_index_is_a_unique_constraint() {
        let old =
            format!("{ORDERS} CREATE UNIQUE INDEX one_open ON orders (ref) WHERE status = 'open';");
        assert_eq!(
            findings(&old, ORDERS),
            [("sql.constraint.unique-removed", "table orders".to_owned())]
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
                ("sql.column.became-nullable", "column t.a".to_owned()),
                ("sql.column.renamed", "column t.a".to_owned()),
                ("sql.column.default-changed", "column t.a".to_owned()),
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
                ("sql.table.removed", "table a".to_owned()),
                ("sql.view.removed", "view v".to_owned()),
                ("sql.view.removed", "view w".to_owned()),
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
}
