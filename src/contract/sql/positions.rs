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

/// The statement being applied: its file and where it starts, to place the names inside it.
pub(super) struct StatementLocation<'a> {
    pub(super) file: &'a Arc<str>,
    pub(super) start: Location,
}

impl StatementLocation<'_> {
    /// The place of a name, or of the statement when sqlparser kept no span for it.
    pub(super) fn of_name(&self, i: &Ident) -> Location {
        self.of_span(i.span)
    }

    /// The place of a span, or of the statement when sqlparser kept none.
    pub(super) fn of_span(&self, span: tokenizer::Span) -> Location {
        if span.start.line == 0 {
            self.start.clone()
        } else {
            location(self.file, span.start)
        }
    }
}
