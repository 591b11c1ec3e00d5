//! Bad input never panics: every fixture cut short at many points, and bytes flipped, loads to
//! either a graph or diagnostics.

use std::path::Path;

fn model_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            model_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

#[test]
fn truncated_and_corrupted_inputs_never_panic() {
    let mut files = Vec::new();
    model_files(&crate::util::repo_root().join("fixtures"), &mut files);
    files.sort();
    assert!(files.len() > 20, "fixtures found: {}", files.len());
    let mut errors = 0usize;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let step = (text.len() / 40).max(1);
        for cut in (0..text.len()).step_by(step) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let variants = [
                text[..cut].to_owned(),
                format!("{}\"{}", &text[..cut], &text[cut..]),
                format!("{}:\n  - ]{}", &text[..cut], &text[cut..]),
            ];
            for variant in variants {
                let result = std::panic::catch_unwind(|| ripple::load::load_text(name, &variant));
                match result {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => {
                        errors += 1;
                        for d in &e.errors {
                            assert!(!d.message.is_empty());
                            assert_eq!(&*d.location.file, name);
                        }
                    }
                    Err(_) => panic!("panic loading {} cut at {cut}", path.display()),
                }
            }
        }
    }
    assert!(
        errors > 100,
        "corruption should mostly be detected, got {errors} errors"
    );
}

#[test]
fn truncated_contracts_never_panic() {
    let mut files = Vec::new();
    let root = crate::util::repo_root().join("fixtures/contracts");
    for case in std::fs::read_dir(&root).unwrap() {
        let case = case.unwrap().path();
        for entry in std::fs::read_dir(&case).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_file() && name.starts_with("old.") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 100, "{}", files.len());
    let dir = tempfile::tempdir().unwrap();
    let mut refused = 0usize;
    let options = ripple::contract::DiffOptions::new(jiff::civil::date(2026, 11, 30));
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let ext = path.extension().unwrap().to_string_lossy().into_owned();
        let cut_file = dir.path().join(format!("cut.{ext}"));
        for cut in (0..text.len()).step_by((text.len() / 12).max(1)) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            std::fs::write(&cut_file, &text[..cut]).unwrap();
            let result = std::panic::catch_unwind(|| {
                ripple::contract::diff_paths(&path, &cut_file, &options)
            });
            match result {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    refused += 1;
                    assert!(e.errors.iter().all(|d| !d.message.is_empty()));
                }
                Err(_) => panic!(
                    "panic diffing {} against itself cut at {cut}",
                    path.display()
                ),
            }
        }
    }
    assert!(
        refused > 50,
        "truncation should often be refused, was {refused} times"
    );
}
