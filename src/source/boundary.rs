//! The tree a run may read: nothing outside the repositories the user named is read unless the
//! user asks for it.
//!
//! A CI gate runs on pull requests, so the files it reads are attacker-controlled: a Backstage
//! `Location` target or an OpenAPI `$ref` may name `/proc/self/environ`, `../../.ssh/id_rsa` or a
//! symlink that leaves the checkout. Every reader that follows a reference written *inside* a file
//! (Location targets and their globs, `$ref`s, protobuf imports) asks a [`Boundary`] first.
//! Paths the user typed on the command line are trusted as given and define the roots.

use std::path::{Path, PathBuf};

/// The roots a run may read under, and whether the user lifted the restriction
/// (`--allow-outside-root`).
#[derive(Clone, Debug)]
pub struct Boundary {
    /// Canonical (symlink-free, absolute) root directories.
    roots: Vec<PathBuf>,
    /// Read anything the files name; set only by an explicit flag.
    allow_outside: bool,
    /// The directory relative paths are resolved against (read once by the CLI); without it,
    /// relative paths are resolved by the operating system as when they are opened.
    cwd: Option<PathBuf>,
}

/// Why a reference was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The path resolves (after `..` and symlinks) outside every root.
    #[error(
        "`{path}` is outside the repository root {root}: not read (pass --allow-outside-root to read it)"
    )]
    OutsideRoot { path: String, root: String },
}

impl Boundary {
    /// A boundary around the repositories of `paths` (as typed by the user): for each path, the
    /// nearest ancestor directory that holds `.git` (a directory or a worktree's file), else the
    /// current directory `cwd` when the path lies inside it, else the path itself if it is a
    /// directory or its parent if it is a file. Paths that do not exist add no root.
    pub fn around(paths: &[PathBuf], cwd: &Path, allow_outside: bool) -> Boundary {
        let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
        Boundary::build(paths, Some(cwd), allow_outside)
    }

    /// A boundary around the repositories of `paths` for a caller that does not know the
    /// current directory (a library caller): as [`Boundary::around`], without the current
    /// directory as a root.
    pub fn around_paths(paths: &[PathBuf], allow_outside: bool) -> Boundary {
        Boundary::build(paths, None, allow_outside)
    }

    fn build(paths: &[PathBuf], cwd: Option<PathBuf>, allow_outside: bool) -> Boundary {
        let mut roots: Vec<PathBuf> = Vec::new();
        for path in paths {
            let Ok(canonical) = std::fs::canonicalize(path) else {
                continue;
            };
            let dir = if canonical.is_dir() {
                canonical.clone()
            } else {
                canonical
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or(canonical.clone())
            };
            let root = dir
                .ancestors()
                .find(|a| a.join(".git").exists())
                .map(Path::to_path_buf)
                .or_else(|| cwd.as_ref().filter(|cwd| dir.starts_with(cwd)).cloned())
                .unwrap_or(dir);
            roots.push(root);
        }
        roots.sort();
        roots.dedup();
        // A root inside another adds nothing.
        let all = roots.clone();
        roots.retain(|r| !all.iter().any(|o| o != r && r.starts_with(o)));
        Boundary {
            roots,
            allow_outside,
            cwd,
        }
    }

    /// A boundary that lets everything through (library callers that read trusted input, tests).
    pub fn unrestricted() -> Boundary {
        Boundary {
            roots: Vec::new(),
            allow_outside: true,
            cwd: None,
        }
    }

    /// Whether the user lifted the restriction.
    pub fn allows_everything(&self) -> bool {
        self.allow_outside
    }

    /// The canonical roots.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Check a path that a file named (already joined to the referring file's directory): `Ok`
    /// with the path when it may be read, whether or not it exists. A path that exists is judged
    /// by where it really is (symlinks resolved); one that does not, by its deepest existing ancestor.
    pub fn check(&self, path: &Path) -> Result<(), Refused> {
        if self.allow_outside {
            return Ok(());
        }
        let real = resolve(self.cwd.as_deref(), path);
        if self.roots.iter().any(|r| real.starts_with(r)) {
            return Ok(());
        }
        Err(Refused::OutsideRoot {
            path: path.display().to_string(),
            root: match self.roots.as_slice() {
                [] => "(none)".to_owned(),
                [one] => one.display().to_string(),
                many => many
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            },
        })
    }

    /// Whether a path may be read (see [`Boundary::check`]).
    pub fn contains(&self, path: &Path) -> bool {
        self.check(path).is_ok()
    }
}

/// Where `path` really is: the path itself with symlinks resolved when it exists; else its
/// deepest existing ancestor resolved, with the rest of the path appended (`.` and `..` applied
/// lexically). Relative paths are taken against `cwd` when known.
fn resolve(cwd: Option<&Path>, path: &Path) -> PathBuf {
    let joined;
    let path = match cwd {
        Some(cwd) if path.is_relative() => {
            joined = cwd.join(path);
            joined.as_path()
        }
        _ => path,
    };
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    for ancestor in path.ancestors().skip(1) {
        let existing = if ancestor.as_os_str().is_empty() {
            Path::new(".")
        } else {
            ancestor
        };
        let Ok(real) = std::fs::canonicalize(existing) else {
            continue;
        };
        let rest = path.strip_prefix(ancestor).unwrap_or(path);
        return super::path::normalize(&real.join(rest));
    }
    path.to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_past_the_root_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("specs")).unwrap();
        std::fs::write(repo.join("specs/a.yaml"), "a").unwrap();
        std::fs::write(dir.path().join("secret"), "s").unwrap();
        let b = Boundary::around(&[repo.join("specs/a.yaml")], dir.path(), false);
        assert!(b.contains(&repo.join("specs/../specs/a.yaml")));
        assert!(b.contains(&repo.join("specs/missing.yaml")));
        assert!(!b.contains(&repo.join("../secret")));
        assert!(!b.contains(Path::new("/proc/self/environ")));
        let open = Boundary::around(&[repo.join("specs/a.yaml")], dir.path(), true);
        assert!(open.contains(Path::new("/proc/self/environ")));
    }

    #[test]
    fn missing_paths_are_judged_by_their_existing_ancestor() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let b = Boundary::around_paths(std::slice::from_ref(&repo), false);
        assert!(b.contains(&repo.join("a/b/../c.yaml")));
        assert!(!b.contains(&repo.join("a/../../../x.yaml")));
        assert!(!b.contains(Path::new("/nonexistent/x.yaml")));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::write(dir.path().join("secret"), "s").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), repo.join("link")).unwrap();
        let b = Boundary::around(std::slice::from_ref(&repo), dir.path(), false);
        assert!(!b.contains(&repo.join("link")));
    }
}
