//! Paths as ripple shows and resolves them.

use std::path::{Path, PathBuf};
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

/// `path` with `.` and `..` removed lexically (no file-system access); `..` above the root or
/// above the start of a relative path is kept.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// A path written in a file that lives in `dir`, for a file ripple names `target` (both relative
/// to `cwd`, or absolute): `../specs/a.yaml` from `out` to `specs/a.yaml`. A target that shares
/// nothing but the root with `dir` is absolute; URLs are kept as written. The result uses `/`
/// and never starts with `./`.
pub fn relative_from(dir: &Path, target: &str, cwd: &Path) -> String {
    use std::path::Component;
    if target.contains("://") {
        return target.to_owned();
    }
    let dir = normalize(&cwd.join(dir));
    let target = normalize(&cwd.join(target));
    let common = dir
        .components()
        .zip(target.components())
        .take_while(|(a, b)| a == b)
        .count();
    let roots = dir
        .components()
        .take_while(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
        .count();
    if common <= roots {
        // Nothing shared but the root: an absolute path says where it is more plainly.
        return target.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = Vec::new();
    for _ in dir.components().skip(common) {
        parts.push("..".to_owned());
    }
    for c in target.components().skip(common) {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_rewritten_for_a_file_in_another_directory() {
        let cwd = Path::new("/repo");
        assert_eq!(
            relative_from(Path::new("out"), "specs/a.yaml", cwd),
            "../specs/a.yaml"
        );
        assert_eq!(
            relative_from(Path::new("."), "specs/a.yaml", cwd),
            "specs/a.yaml"
        );
        assert_eq!(
            relative_from(Path::new("/tmp/x"), "specs/a.yaml", cwd),
            "/repo/specs/a.yaml"
        );
        assert_eq!(
            relative_from(Path::new("specs"), "specs/a.yaml", cwd),
            "a.yaml"
        );
        assert_eq!(
            relative_from(Path::new("out"), "https://h/a.yaml", cwd),
            "https://h/a.yaml"
        );
        // Written from `out`, read back relative to a file in `out`: the same file.
        assert_eq!(
            relative_to_file("out/merged.json", "../specs/a.yaml"),
            "specs/a.yaml"
        );
        assert_eq!(
            normalize(Path::new("/a/../../b/./c")),
            PathBuf::from("/b/c")
        );
    }

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
