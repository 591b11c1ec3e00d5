//! Parsing: the text of a migration into sqlparser statements, trying the dialects in turn, with
//! every syntax error as a diagnostic at its file, line and column.

use std::sync::Arc;

use sqlparser::ast::Statement;
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{self, Token, TokenWithSpan, Tokenizer};

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
pub(super) struct ParseProblem {
    at: tokenizer::Location,
    reason: String,
    /// The statement is too deep in every dialect: trying the others is pointless.
    too_deep: bool,
}

/// sqlparser's recursion limit (its default), named so that messages can cite it. A level of
/// parentheses costs it one (in an expression) or more (a subquery).
const PARSER_RECURSION_LIMIT: usize = 50;

/// How deep a statement's syntax tree may grow through the chains sqlparser builds in a loop,
/// without recursing, and so without counting them against its recursion limit: `a + b + c ...`,
/// `x::t::t ...`, `int[][] ...`, `SELECT ... UNION SELECT ...`. Every walk over the tree follows
/// such a chain by recursion (ripple's own walkers, and sqlparser's `Display`, `Clone` and
/// `Drop`), so a tree 100,000 deep overflows the stack. 500 levels use about 1.5 MB of stack in
/// a debug build (a type with 500 `[]`, the most expensive shape), which fits the 2 MB of a
/// spawned thread; real DDL stays far below.
pub(super) const MAX_STATEMENT_DEPTH: usize = 500;

/// Parse every statement of `text`, skipping to the next `;` after an error so that all of a
/// file's errors are reported at once.
fn parse_all(dialect: &dyn Dialect, text: &str) -> (Vec<LocatedStatement>, Vec<ParseProblem>) {
    let mut statements = Vec::new();
    let mut problems = Vec::new();
    let tokens = match Tokenizer::new(dialect, text).tokenize_with_location() {
        Ok(tokens) => tokens,
        Err(e) => {
            problems.push(parse_problem(
                e.into(),
                tokenizer::Location { line: 1, column: 1 },
            ));
            return (statements, problems);
        }
    };
    // A tree too deep to walk must not be built at all: dropping it would overflow the stack.
    let too_deep = too_deep(&tokens);
    if !too_deep.is_empty() {
        return (statements, too_deep);
    }
    let mut parser = Parser::new(dialect)
        .with_recursion_limit(PARSER_RECURSION_LIMIT)
        .with_tokens_with_locations(tokens);
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
                    too_deep: false,
                });
            }
            Err(ParserError::RecursionLimitExceeded) => {
                // The parser stopped where the limit was reached: point there.
                let stopped = parser.peek_token().span.start;
                problems.push(ParseProblem {
                    at: if stopped.line == 0 {
                        start.span.start
                    } else {
                        stopped
                    },
                    reason: format!(
                        "`{}` nests too deeply: sqlparser stops at {PARSER_RECURSION_LIMIT} levels of recursion (a nested parenthesis or subquery takes one or more)",
                        statement_head(text, start.span.start)
                    ),
                    too_deep: true,
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
        // `parse_all` reports the recursion limit itself, with the statement and place.
        ParserError::RecursionLimitExceeded => "statement nested too deeply".to_owned(),
    };
    if let Some((reason, place)) = text.rsplit_once(" at Line: ")
        && let Some((line, column)) = place.split_once(", Column: ")
        && let (Ok(line), Ok(column)) = (line.trim().parse(), column.trim().parse())
    {
        return ParseProblem {
            at: tokenizer::Location { line, column },
            reason: reason.to_owned(),
            too_deep: false,
        };
    }
    ParseProblem {
        at: fallback,
        reason: text,
        too_deep: false,
    }
}

/// A problem for each statement whose syntax tree could nest deeper than
/// [`MAX_STATEMENT_DEPTH`], at the token where it would: a bound read from the tokens alone,
/// before any tree is built. Every open bracket is a level; every operator since the last comma
/// inside a bracket may add one (`a + b + c` is two deep, `f(a + b, c + d)` one below `f`).
fn too_deep(tokens: &[TokenWithSpan]) -> Vec<ParseProblem> {
    let mut problems = Vec::new();
    // Per open bracket (the statement itself first), the operators since its last comma.
    let mut levels: Vec<usize> = vec![0];
    // The sum of `levels`.
    let mut operators = 0;
    let mut statement = 0;
    let mut reported = false;
    for (i, t) in tokens.iter().enumerate() {
        match &t.token {
            Token::SemiColon => {
                levels.truncate(1);
                levels[0] = 0;
                operators = 0;
                statement = i + 1;
                reported = false;
                continue;
            }
            Token::Comma => {
                if let Some(top) = levels.last_mut() {
                    operators -= *top;
                    *top = 0;
                }
            }
            Token::LParen | Token::LBrace => levels.push(0),
            // `int[][]` and `a[1][2]` chain: a bracket pair adds a level that stays.
            Token::LBracket => {
                if let Some(top) = levels.last_mut() {
                    *top += 1;
                    operators += 1;
                }
                levels.push(0);
            }
            Token::RParen | Token::RBrace | Token::RBracket if levels.len() > 1 => {
                operators -= levels.pop().unwrap_or(0);
            }
            token if chains(token) => {
                if let Some(top) = levels.last_mut() {
                    *top += 1;
                    operators += 1;
                }
            }
            _ => {}
        }
        if !reported && levels.len() - 1 + operators > MAX_STATEMENT_DEPTH {
            let head = statement_words(tokens[statement..].iter().map(|t| &t.token));
            problems.push(ParseProblem {
                at: t.span.start,
                reason: format!(
                    "`{head}` nests too deeply: ripple reads statements whose expressions and types nest up to {MAX_STATEMENT_DEPTH} levels (brackets, and operators or casts chained one after another)"
                ),
                too_deep: true,
            });
            reported = true;
        }
    }
    problems
}

/// Whether a token can make an expression, a type or a query one level deeper without a
/// bracket: an operator, a cast, or a keyword that joins two operands.
fn chains(token: &Token) -> bool {
    use sqlparser::keywords::Keyword as K;
    match token {
        Token::Word(w) => {
            w.quote_style.is_none()
                && matches!(
                    w.keyword,
                    K::AND
                        | K::OR
                        | K::XOR
                        | K::NOT
                        | K::IS
                        | K::IN
                        | K::LIKE
                        | K::ILIKE
                        | K::SIMILAR
                        | K::REGEXP
                        | K::RLIKE
                        | K::BETWEEN
                        | K::COLLATE
                        | K::AT
                        | K::DIV
                        | K::MOD
                        | K::OVERLAPS
                        | K::UNION
                        | K::EXCEPT
                        | K::INTERSECT
                        | K::MINUS
                )
        }
        Token::EOF
        | Token::Number(..)
        | Token::Char(_)
        | Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::TripleSingleQuotedString(_)
        | Token::TripleDoubleQuotedString(_)
        | Token::DollarQuotedString(_)
        | Token::SingleQuotedByteStringLiteral(_)
        | Token::DoubleQuotedByteStringLiteral(_)
        | Token::TripleSingleQuotedByteStringLiteral(_)
        | Token::TripleDoubleQuotedByteStringLiteral(_)
        | Token::SingleQuotedRawStringLiteral(_)
        | Token::DoubleQuotedRawStringLiteral(_)
        | Token::TripleSingleQuotedRawStringLiteral(_)
        | Token::TripleDoubleQuotedRawStringLiteral(_)
        | Token::NationalStringLiteral(_)
        | Token::QuoteDelimitedStringLiteral(_)
        | Token::NationalQuoteDelimitedStringLiteral(_)
        | Token::EscapedStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::HexStringLiteral(_)
        | Token::Placeholder(_)
        | Token::Comma
        | Token::Whitespace(_)
        | Token::Period
        | Token::SemiColon => false,
        _ => true,
    }
}

/// The words a statement starts with (`CREATE TABLE orders`), to name it in messages.
fn statement_words<'t>(tokens: impl Iterator<Item = &'t Token>) -> String {
    let mut head = String::new();
    let mut words = 0;
    for token in tokens {
        match token {
            Token::Whitespace(_) => {}
            Token::Word(w) if words < 5 => {
                if !head.is_empty() && !head.ends_with('.') {
                    head.push(' ');
                }
                head.push_str(&w.to_string());
                words += 1;
            }
            Token::Period if words > 0 => head.push('.'),
            _ => break,
        }
    }
    if head.is_empty() {
        "statement".to_owned()
    } else {
        head
    }
}

/// The words of the statement that starts at `start` in `text` (`CREATE VIEW v AS SELECT`), to
/// name it in messages.
fn statement_head(text: &str, start: tokenizer::Location) -> String {
    let line = usize::try_from(start.line.saturating_sub(1)).unwrap_or(usize::MAX);
    let column = usize::try_from(start.column.saturating_sub(1)).unwrap_or(usize::MAX);
    let rest: String = text
        .lines()
        .nth(line)
        .unwrap_or_default()
        .chars()
        .skip(column)
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '"' | '`' | ' ' | '\t'))
        .collect();
    let words: Vec<&str> = rest.split_whitespace().take(5).collect();
    if words.is_empty() {
        "statement".to_owned()
    } else {
        words.join(" ")
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
        let too_deep = problems.iter().any(|p| p.too_deep);
        if first_failure.is_none() {
            first_failure = Some((name, problems));
        }
        if too_deep {
            break;
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
