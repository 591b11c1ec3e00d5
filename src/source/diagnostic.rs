//! Problems found in the inputs, each tied to a place in a file.
//!
//! Loading never stops at the first problem: every problem of a run is collected as a
//! [`Diagnostic`] and reported together, so that a user fixes them in one pass.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// A place in a file. Lines and columns are 1-based; column counts characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(file: Arc<str>, line: u32, column: u32) -> Self {
        Location { file, line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

/// The class of a problem; its spelling is stable and shown as `error[code]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// A file could not be read.
    Io,
    /// Malformed YAML or JSON.
    Syntax,
    /// A value of the wrong shape or out of range (`tier: 7`, a list where a mapping belongs).
    InvalidValue,
    /// A key that the format does not define.
    UnknownField,
    /// A component or dependency kind that does not exist.
    UnknownKind,
    /// A reference to a component defined nowhere in the inputs.
    DanglingReference,
    /// One id defined twice in one file.
    DuplicateId,
    /// A version or version requirement that is not semver.
    InvalidSemver,
    /// Two files (or two places) state different values for one fact.
    Conflict,
    /// A file or document that is not of a format ripple reads.
    UnknownFormat,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "io",
            Code::Syntax => "syntax",
            Code::InvalidValue => "invalid-value",
            Code::UnknownField => "unknown-field",
            Code::UnknownKind => "unknown-kind",
            Code::DanglingReference => "dangling-reference",
            Code::DuplicateId => "duplicate-id",
            Code::InvalidSemver => "invalid-semver",
            Code::Conflict => "conflict",
            Code::UnknownFormat => "unknown-format",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, with where it is and, for conflicts, where the other side is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub location: Location,
    pub message: String,
    /// Other places that explain the problem (the first definition of a duplicate, the other
    /// side of a conflict).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

/// Another place that explains a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    pub location: Location,
    pub note: String,
}

impl Diagnostic {
    pub fn error(code: Code, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            location,
            message: message.into(),
            related: Vec::new(),
        }
    }

    pub fn warning(code: Code, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, location, message)
        }
    }

    pub fn with_related(mut self, location: Location, note: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            note: note.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (&Location, Code, &str) {
        (&self.location, self.code, &self.message)
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:col: error[code]: message`, then one indented line per related place.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}: {}[{}]: {}",
            self.location,
            severity,
            self.code.as_str(),
            self.message
        )?;
        for Related { location, note } in &self.related {
            write!(f, "\n    {location}: note: {note}")?;
        }
        Ok(())
    }
}

/// Sort diagnostics by place so that a report reads top to bottom, file by file.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// The model could not be loaded: every error of the run, in file order.
#[derive(Debug, thiserror::Error)]
#[error("{} in the model", plural(errors.len(), "error"))]
pub struct ModelErrors {
    pub errors: Vec<Diagnostic>,
    /// Warnings found on the way, reported with the errors.
    pub warnings: Vec<Diagnostic>,
}

/// `1 dependency`, `3 dependencies`: for words whose plural is not `-s`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `1 error`, `3 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
