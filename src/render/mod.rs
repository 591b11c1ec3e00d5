//! Output formats. Renderers only format what the model and the analyses computed; they never
//! decide anything, so every format tells the same story.

pub mod dot;
pub mod findings;
pub mod mermaid;
pub mod text;

/// Escape text for a double-quoted DOT string.
pub(crate) fn dot_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}
