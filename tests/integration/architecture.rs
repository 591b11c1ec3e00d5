//! The parts of ripple depend on each other only downwards (the table in `../shared/DESIGN.md`):
//! this test reads every source file and fails when a part names a part it must not use.
//!
//! A part is the first folder (or file) under `src/`. A use is any `crate::PART` path in code
//! (comments are skipped), including grouped imports (`use crate::{model, source}`) and
//! `super::` paths that climb out of the part.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::util::repo_root;

/// What each part may use besides itself. `lib` and `main` are the crate roots; `cli` may use
/// everything.
const ALLOWED: &[(&str, &[&str])] = &[
    ("source", &[]),
    ("model", &["source"]),
    ("contract", &["model", "source"]),
    ("load", &["model", "contract", "source"]),
    ("scan", &["model", "contract", "source"]),
    ("analyze", &["model", "contract", "source"]),
    ("plan", &["analyze", "model", "contract", "source"]),
    // Render formats result types; it computes nothing and never loads.
    (
        "render",
        &["analyze", "plan", "model", "contract", "source"],
    ),
];

/// Crates a part must not use: rendering has nothing to do with the command line.
const FORBIDDEN_CRATES: &[(&str, &[&str])] = &[
    ("render", &["clap"]),
    ("source", &["clap", "petgraph"]),
    ("model", &["clap"]),
    ("contract", &["clap", "petgraph"]),
    ("analyze", &["clap"]),
    ("load", &["clap"]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The part a source file belongs to: `src/contract/proto/mod.rs` → `contract`.
fn part_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The code of a file without line and doc comments. (A `crate::` path inside a block comment is
/// still seen: a false alarm at worst, never a miss.)
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        // A trailing comment after code: cut at `//` outside a string, roughly (a `//` inside a
        // string literal only makes the scan see less, never more).
        let mut in_string = false;
        let mut cut = line.len();
        let bytes = line.as_bytes();
        for i in 0..bytes.len() {
            match bytes[i] {
                b'"' if i == 0 || bytes[i - 1] != b'\\' => in_string = !in_string,
                b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                    cut = i;
                    break;
                }
                _ => {}
            }
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// Every part of ours that `code` names: `crate::X`, `crate::{X, Y::…}`.
fn parts_used(code: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        // `$crate::` in a macro is used where the macro expands, not here.
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // A grouped import: the first segment of each item at depth 0.
            let mut depth = 0;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_ascii_alphanumeric() || c == '_') => {
                        used.insert(ident(&group[j..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            used.insert(ident(rest));
        }
    }
    used
}

/// Parts named through `super::` chains that climb above the file's part.
fn parts_via_super(src: &Path, file: &Path, code: &str) -> BTreeSet<String> {
    let rel = file.strip_prefix(src).unwrap();
    // Module depth below the crate root: src/a/b.rs is a::b (2), src/a/mod.rs is a (1).
    let mut depth = rel.components().count();
    if rel.file_name().is_some_and(|n| n == "mod.rs") {
        depth -= 1;
    }
    let mut used = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("super::") {
        rest = &rest[i..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        // Climbing `depth` times reaches the crate root; the next segment is a part.
        if ups >= depth {
            let next: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !next.is_empty() {
                used.insert(next);
            }
        }
    }
    used
}

#[test]
fn parts_use_only_the_parts_below_them() {
    let src = repo_root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 20, "the source tree was not found");
    let parts: BTreeSet<String> = files.iter().map(|f| part_of(&src, f)).collect();
    let mut violations = Vec::new();
    for file in &files {
        let part = part_of(&src, file);
        let text = std::fs::read_to_string(file).unwrap();
        let code = code_of(&text);
        let Some((_, allowed)) = ALLOWED.iter().find(|(p, _)| *p == part) else {
            continue; // lib, main and cli may use everything
        };
        let mut used = parts_used(&code);
        used.extend(parts_via_super(&src, file, &code));
        for u in used {
            if u != part && parts.contains(&u) && !allowed.contains(&u.as_str()) {
                violations.push(format!(
                    "{} ({part}) uses {u}",
                    file.strip_prefix(repo_root()).unwrap().display()
                ));
            }
        }
        if let Some((_, crates)) = FORBIDDEN_CRATES.iter().find(|(p, _)| *p == part) {
            for krate in *crates {
                if code.contains(&format!("{krate}::")) {
                    violations.push(format!(
                        "{} ({part}) uses the {krate} crate",
                        file.strip_prefix(repo_root()).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "parts import what they must not (see the table in DESIGN.md):\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_scanner_sees_every_form_of_use() {
    let code =
        "use crate::{model::Graph, source::{yaml, diagnostic}};\nfn f() { crate::load::x(); }\n";
    let used = parts_used(code);
    assert_eq!(
        used.into_iter().collect::<Vec<_>>(),
        ["load", "model", "source"]
    );
    assert!(
        parts_used(&code_of(
            "// crate::cli in a comment\nlet x = 1; // crate::plan\n"
        ))
        .is_empty()
    );
    assert!(parts_used("$crate::contract::Rule").is_empty());
    let src = Path::new("/r/src");
    let via = parts_via_super(
        src,
        Path::new("/r/src/contract/proto/compare.rs"),
        "use super::super::super::load::x;",
    );
    assert_eq!(via.into_iter().collect::<Vec<_>>(), ["load"]);
    let inside = parts_via_super(
        src,
        Path::new("/r/src/contract/proto/compare.rs"),
        "use super::super::rules;",
    );
    assert!(inside.is_empty(), "{inside:?}");
}
