//! Positions: sqlparser's line and column as ripple's [`Location`]s.

use std::sync::Arc;

use sqlparser::ast::Ident;
use sqlparser::tokenizer;

use crate::source::diagnostic::Location;

pub(super) fn location(file: &Arc<str>, at: tokenizer::Location) -> Location {
    Location::new(
        file.clone(),
        u32::try_from(at.line).unwrap_or(u32::MAX),
        u32::try_from(at.column).unwrap_or(u32::MAX),
    )
}

/// Where a statement is, and where the names inside it are.
pub(super) struct Site<'a> {
    pub(super) file: &'a Arc<str>,
    pub(super) statement: Location,
}

impl Site<'_> {
    /// The place of a name, or of the statement when sqlparser kept no span for it.
    pub(super) fn of(&self, i: &Ident) -> Location {
        self.span(i.span)
    }

    pub(super) fn span(&self, span: tokenizer::Span) -> Location {
        if span.start.line == 0 {
            self.statement.clone()
        } else {
            location(self.file, span.start)
        }
    }
}
