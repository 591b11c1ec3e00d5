//! Paths as ripple shows and resolves them.

use std::path::Path;
use std::sync::Arc;

/// The display form of a path: as given, without a leading `./`.
pub fn display(path: &Path) -> Arc<str> {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).into()
}

/// A short, lower-case reason for an I/O error, for `cannot read: REASON` messages.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

/// A path written in a model file, made relative to where ripple runs: `../specs/a.yaml` in
/// `sys/ripple/x.yaml` is `sys/specs/a.yaml`. Two files that name one spec from different
/// directories then agree. URLs and absolute paths are kept as written.
pub fn relative_to_file(file: &str, path: &str) -> String {
    if path.contains("://") || path.starts_with('/') {
        return path.to_owned();
    }
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_from_the_declaring_file() {
        assert_eq!(
            relative_to_file("fx/catalog/a/catalog-info.yaml", "../../specs/x.yaml"),
            "fx/specs/x.yaml"
        );
        assert_eq!(
            relative_to_file("fx/ripple/o.yaml", "../specs/x.yaml"),
            "fx/specs/x.yaml"
        );
        assert_eq!(
            relative_to_file("ripple.yaml", "./specs/x.yaml"),
            "specs/x.yaml"
        );
        assert_eq!(relative_to_file("ripple.yaml", "../x.yaml"), "../x.yaml");
        assert_eq!(
            relative_to_file("a/ripple.yaml", "https://h/x.yaml"),
            "https://h/x.yaml"
        );
    }
}
