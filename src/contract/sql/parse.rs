//! Parsing: the text of a migration into sqlparser statements, trying the dialects in turn, with
//! every syntax error as a diagnostic at its file, line and column.

use std::sync::Arc;

use sqlparser::ast::Statement;
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{self, Token};

use super::positions::location;
use crate::source::diagnostic::{Code, Diagnostic};

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
pub(super) type LocatedStatement = (Statement, tokenizer::Location);

/// A parse problem: where and why.
struct ParseProblem {
    at: tokenizer::Location,
    reason: String,
}

/// Parse every statement of `text`, skipping to the next `;` after an error so that all of a
/// file's errors are reported at once.
fn parse_all(dialect: &dyn Dialect, text: &str) -> (Vec<LocatedStatement>, Vec<ParseProblem>) {
    let mut statements = Vec::new();
    let mut problems = Vec::new();
    let mut parser = match Parser::new(dialect).try_with_sql(text) {
        Ok(p) => p,
        Err(e) => {
            problems.push(parse_problem(e, tokenizer::Location { line: 1, column: 1 }));
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
            Err(e) => problems.push(parse_problem(e, start.span.start)),
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
fn parse_problem(e: ParserError, fallback: tokenizer::Location) -> ParseProblem {
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
pub(super) struct Parsed {
    pub(super) statements: Vec<LocatedStatement>,
    /// MySQL sizes some types differently (`text` holds 64 KiB, `float` is single precision).
    pub(super) mysql: bool,
}

pub(super) fn parse_file(file: &Arc<str>, text: &str) -> Result<Parsed, Vec<Diagnostic>> {
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
                format!(
                    "cannot parse SQL ({name}): {}{}",
                    p.reason,
                    syntax_hint(&p.reason)
                ),
            )
        })
        .collect())
}

/// What to do about a statement sqlparser does not read.
fn syntax_hint(reason: &str) -> &'static str {
    if reason.ends_with("found: DO") {
        " (PostgreSQL `DO` blocks are not read: run their DDL as plain statements so that the schema can be followed)"
    } else {
        ""
    }
}
