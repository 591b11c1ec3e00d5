//! Reading an input file as text, with the limits every reader of models and contracts shares.
//!
//! Inputs come from pull requests, so a file may be anything: a 10 GB log committed by mistake,
//! `/dev/zero` behind a symlink, Latin-1 text, a byte-order mark from a Windows editor. This reads
//! at most [`MAX_FILE_BYTES`] (checked on the metadata first, and again while reading, since
//! `/proc` files and devices report a size of 0), strips a UTF-8 byte-order mark, and on invalid
//! UTF-8 names the line and column of the first bad byte.
//!
//! It must not interpret the text: formats are the callers' business.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::diagnostic::{Code, Diagnostic, Location};

/// The largest file ripple reads as a model or a contract: 512 MiB. The largest real inputs are
/// merged fragments: 100,000 components with 1,000,000 dependencies are 274 MB of JSON (the
/// `large` bench). Past twice that, a file is a mistake (a log, a dump, a device), and reading it
/// whole would cost memory that CI machines do not have.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// What a caller may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Files larger than this many bytes are refused without being read.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: MAX_FILE_BYTES,
        }
    }
}

/// Why a file could not be read as text. `line` and `column` are 1-based; both are 0 when the
/// problem is the file as a whole.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// The file is larger than the limit.
    TooLarge { size: u64, max: u64 },
    /// A byte sequence that is not UTF-8, at `line`:`column` (column in characters).
    NotUtf8 { line: u32, column: u32 },
}

impl ReadError {
    /// The (line, column) the error points at; (0, 0) for the whole file.
    pub fn position(&self) -> (u32, u32) {
        match self {
            ReadError::NotUtf8 { line, column } => (*line, *column),
            _ => (0, 0),
        }
    }

    /// Whether this is a problem of the bytes (a syntax error) rather than of reading.
    pub fn is_syntax(&self) -> bool {
        matches!(self, ReadError::NotUtf8 { .. })
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {}", super::path::io_reason(e)),
            ReadError::TooLarge { size, max } => write!(
                f,
                "cannot read: the file is {} and larger than the limit of {} for a model or contract file",
                human(*size),
                human(*max)
            ),
            ReadError::NotUtf8 { .. } => {
                write!(f, "invalid UTF-8: the file must be UTF-8 text")
            }
        }
    }
}

impl std::error::Error for ReadError {}

impl ReadError {
    /// The error as a diagnostic on `file`: `error[syntax]` at the bad byte for invalid UTF-8,
    /// `error[io]` on the whole file otherwise.
    pub fn to_diagnostic(&self, file: Arc<str>) -> Diagnostic {
        let (line, column) = self.position();
        let code = if self.is_syntax() {
            Code::Syntax
        } else {
            Code::Io
        };
        Diagnostic::error(code, Location::new(file, line, column), self.to_string())
    }
}

/// `300.0 MiB`, `256 MiB`.
fn human(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{bytes} bytes")
    }
}

/// Read `path` as UTF-8 text within `limits`, without a leading byte-order mark.
pub fn read_text(path: &Path, limits: Limits) -> Result<String, ReadError> {
    let mut file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let size = file.metadata().map_err(ReadError::Io)?.len();
    if size > limits.max_bytes {
        return Err(ReadError::TooLarge {
            size,
            max: limits.max_bytes,
        });
    }
    // The metadata may understate the size (`/proc`, pipes, devices): never read past the limit.
    let mut bytes = Vec::with_capacity(size as usize);
    (&mut file)
        .take(limits.max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            max: limits.max_bytes,
        });
    }
    decode(bytes)
}

/// UTF-8 bytes as text without a byte-order mark; the position of the first bad byte otherwise.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, ReadError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = &bytes[..e.utf8_error().valid_up_to()];
        // Everything before the bad byte is valid UTF-8, so it can be counted in characters.
        let before = std::str::from_utf8(valid).unwrap_or_default();
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        ReadError::NotUtf8 {
            line: line as u32,
            column: column as u32,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1\n".to_vec()).unwrap(), "a: 1\n");
        assert_eq!(decode(b"a: 1\n".to_vec()).unwrap(), "a: 1\n");
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = decode(b"a: 1\nb: \xC3\xA9\xFF\n".to_vec()).unwrap_err();
        assert_eq!(err.position(), (2, 5));
        assert!(err.to_string().contains("invalid UTF-8"), "{err}");
        // A character cut short at the end of the file.
        let err = decode(b"ab\xE2\x82".to_vec()).unwrap_err();
        assert_eq!(err.position(), (1, 3));
    }

    #[test]
    fn files_over_the_limit_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        std::fs::write(&path, vec![b'a'; 2048]).unwrap();
        let err = read_text(&path, Limits { max_bytes: 1024 }).unwrap_err();
        assert!(
            matches!(err, ReadError::TooLarge { size: 2048, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("larger than the limit"), "{err}");
        assert_eq!(
            read_text(&path, Limits { max_bytes: 2048 }).unwrap().len(),
            2048
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn files_that_understate_their_size_stop_at_the_limit() {
        // `/dev/zero` reports a size of 0 and never ends.
        let err = read_text(Path::new("/dev/zero"), Limits { max_bytes: 4096 }).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { .. }), "{err:?}");
    }
}
