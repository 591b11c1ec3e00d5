//! Hostile input through the binary: each kind of input that crashed, hung or exhausted memory
//! ends in exit 2 with a `file:line:col` error, or in a correct answer, quickly.

use std::path::PathBuf;

use crate::util::{HANG, Run, diagnostics, ripple_within, write};

fn run(args: &[&str]) -> Run {
    ripple_within(HANG, args)
}

/// The one error of a failed run (a diagnostic: [`ripple_within`] fails on a panic).
#[track_caller]
fn single_error(run: &Run) -> String {
    run.expect_code(2);
    let lines = diagnostics(&run.stderr);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    lines[0].to_owned()
}

#[test]
fn a_character_across_byte_4096_of_a_fragment_does_not_panic() {
    // The pact sniffer looked at the first 4,096 bytes with a byte slice.
    let dir = tempfile::tempdir().unwrap();
    let head = r#"{"ripple": 1, "nodes": [], "edges": [], "x": ""#;
    let mut text = head.to_owned();
    text.push_str(&"a".repeat(4095 - head.len()));
    text.push_str("é\"}\n");
    assert!(!text.is_char_boundary(4096));
    let path = write(&dir.path().join("f.ripple.json"), &text);
    run(&["graph", &path]).expect_code(0);
    // The same as a pact candidate.
    let path = write(&dir.path().join("p.pact.json"), &text);
    let run = run(&["graph", &path]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn invalid_utf8_names_the_line_and_column_of_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir.path().join("ripple.yaml"),
        b"ripple: 1\nservices:\n  caf\xC3\xA9-\xFF:\n    owner: x\n",
    );
    let error = single_error(&run(&["validate", &path]));
    assert!(
        error.ends_with(
            "ripple.yaml:3:8: error[syntax]: invalid UTF-8: the file must be UTF-8 text"
        ),
        "{error}"
    );
}

#[test]
fn a_byte_order_mark_does_not_change_detection() {
    // Met while walking a directory, a catalog is recognised by its `apiVersion` line; a BOM
    // before it hid the line.
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("services.yaml"),
        "\u{feff}apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service}\n",
    );
    write(
        &dir.path().join("more.yaml"),
        "\u{feff}ripple: 1\nservices:\n  b: {owner: x}\n",
    );
    let run = run(&["graph", dir.path().to_str().unwrap(), "--format", "json"]);
    run.expect_code(0);
    assert_eq!(run.json()["components"], 2, "{}", run.stdout);
}

#[test]
fn deep_nesting_is_refused_with_a_position_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 100_000;
    let yaml = format!(
        "ripple: 1\nservices: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let path = write(&dir.path().join("deep.ripple.yaml"), yaml);
    let error = single_error(&run(&["validate", &path]));
    assert!(
        error.contains("deep.ripple.yaml:2:")
            && error.contains(
                "error[syntax]: malformed YAML: flow collections nest deeper than 255 levels"
            ),
        "{error}"
    );
    // Block collections, which the scanner does not limit.
    let yaml = format!("ripple: 1\nservices:\n{}x\n", "- ".repeat(depth));
    let path = write(&dir.path().join("block.ripple.yaml"), yaml);
    let error = single_error(&run(&["validate", &path]));
    assert!(
        error.contains("block.ripple.yaml:3:")
            && error
                .contains("error[syntax]: malformed YAML: collections nest deeper than 256 levels"),
        "{error}"
    );
    // JSON: serde_json skips an unknown field without recursion, so a deep one is harmless...
    let json = format!(
        "{{\"nodes\": [{{\"id\": \"service:a\", \"kind\": \"service\", \"x\": {}{}}}]}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let path = write(&dir.path().join("deep.ripple.json"), json);
    let loaded = run(&["graph", &path, "--format", "json"]);
    loaded.expect_code(0);
    assert_eq!(loaded.json()["components"], 1);
    // ...and stops a value it builds at 128 levels, with the position.
    let pact = format!(
        "{{\"consumer\": {{\"name\": \"a\"}}, \"provider\": {{\"name\": \"b\"}}, \"interactions\": [{{\"request\": {{\"path\": {}{}}}}}]}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let path = write(&dir.path().join("deep.pact.json"), pact);
    let error = single_error(&run(&["validate", &path]));
    assert!(
        error.contains("deep.pact.json:1:") && error.contains("recursion limit exceeded"),
        "{error}"
    );
    // Flow mappings in a contract document are read by the same YAML reader.
    let spec = format!(
        "openapi: 3.0.0\ninfo: {{title: t, version: 1.0.0}}\npaths: {}{}\n",
        "{a: ".repeat(depth),
        "}".repeat(depth)
    );
    let path = write(&dir.path().join("deep.yaml"), spec);
    let run = run(&["diff", &path, &path]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("nest deeper than 255 levels"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_alias_bomb_of_long_strings_is_refused_at_the_alias() {
    // 9 KB that expand to 8 GB: an 8 KiB string aliased 30 × 30 × 1,000 times. The count of
    // aliases stayed small; the bytes they produce did not.
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("ripple: 1\nx-s: &s {}\n", "A".repeat(8192));
    text.push_str(&format!("x-l1: &l1 [{}]\n", ["*s"; 30].join(",")));
    text.push_str(&format!("x-l2: &l2 [{}]\n", ["*l1"; 30].join(",")));
    text.push_str(&format!("x-l3: [{}]\n", ["*l2"; 1000].join(",")));
    text.push_str("services:\n  a:\n    version: 1.0.0\n");
    let path = write(&dir.path().join("bomb.ripple.yaml"), text);
    let error = single_error(&run(&["graph", &path]));
    assert!(
        error.contains("bomb.ripple.yaml:5:")
            && error.contains("error[syntax]: malformed YAML: aliases expand to more than"),
        "{error}"
    );
}

#[test]
fn a_file_too_large_is_refused_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.ripple.yaml");
    // Sparse: takes no disk, and a read of it would take seconds and 600 MiB.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(600 * 1024 * 1024)
        .unwrap();
    let error = single_error(&run(&["validate", path.to_str().unwrap()]));
    assert!(
        error.ends_with("huge.ripple.yaml: error[io]: cannot read: the file is 600 MiB and larger than the limit of 512 MiB for a model or contract file"),
        "{error}"
    );
    // A contract too (SQL: its format is known by the name, before anything is read).
    let sql = dir.path().join("huge.sql");
    std::fs::rename(&path, &sql).unwrap();
    let run = run(&["diff", sql.to_str().unwrap(), sql.to_str().unwrap()]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("larger than the limit"),
        "{}",
        run.stderr
    );
    // And a YAML contract, whose format is found by reading it: the size is the error, not an
    // unknown format.
    let yaml = dir.path().join("huge.openapi.yaml");
    std::fs::rename(&sql, &yaml).unwrap();
    let yaml_run = ripple_within(
        HANG,
        &["diff", yaml.to_str().unwrap(), yaml.to_str().unwrap()],
    );
    yaml_run.expect_code(2);
    assert!(
        yaml_run.stderr.contains("larger than the limit") && !yaml_run.stderr.contains("unknown"),
        "{}",
        yaml_run.stderr
    );
}

/// A repository (`repo/.git`) beside a directory outside it that holds a valid catalog.
struct Tree {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    outside: PathBuf,
}

impl Tree {
    fn new() -> Tree {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let outside = dir.path().join("outside");
        write(
            &outside.join("secret.yaml"),
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: secret}\nspec: {type: service}\n",
        );
        write(
            &repo.join("teams/a/catalog-info.yaml"),
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service}\n",
        );
        Tree {
            _dir: dir,
            repo,
            outside,
        }
    }

    /// A Location entity in `repo/catalog-info.yaml` whose targets start on line 6, column 7.
    fn location(&self, targets: &[&str]) -> String {
        let mut text = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\nspec:\n  targets:\n".to_owned();
        for t in targets {
            text.push_str(&format!("    - {t}\n"));
        }
        write(&self.repo.join("catalog-info.yaml"), text)
    }
}

#[test]
fn location_targets_outside_the_repository_are_refused() {
    let tree = Tree::new();
    let absolute = tree.outside.join("secret.yaml");
    let root = tree.location(&[
        absolute.to_str().unwrap(),
        "../outside/secret.yaml",
        "/proc/self/environ",
        "../outside/*.yaml",
        "./teams/*/catalog-info.yaml",
    ]);
    let run = run(&["graph", &root, "--format", "json"]);
    run.expect_code(2);
    let lines = diagnostics(&run.stderr);
    assert_eq!(lines.len(), 4, "{}", run.stderr);
    for (i, line) in lines.iter().enumerate() {
        let at = format!(
            "catalog-info.yaml:{}:7: error[io]: location target `",
            6 + i
        );
        assert!(line.contains(&at), "{line}");
        assert!(
            line.contains("is outside the repository root")
                && line.ends_with("not read (pass --allow-outside-root to read it)"),
            "{line}"
        );
    }
    assert!(
        lines[0].contains(absolute.to_str().unwrap()),
        "{}",
        lines[0]
    );
    assert!(lines[2].contains("`/proc/self/environ`"), "{}", lines[2]);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    // Lifted, the same targets are read (all but /proc/self/environ, which is no model file).
    let root = tree.location(&[
        absolute.to_str().unwrap(),
        "../outside/secret.yaml",
        "../outside/*.yaml",
        "./teams/*/catalog-info.yaml",
    ]);
    let run = ripple_within(
        HANG,
        &["graph", &root, "--format", "json", "--allow-outside-root"],
    );
    run.expect_code(0);
    assert_eq!(run.json()["components"], 2, "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn symlinks_to_files_outside_the_repository_are_refused() {
    let tree = Tree::new();
    std::os::unix::fs::symlink(
        tree.outside.join("secret.yaml"),
        tree.repo.join("link.yaml"),
    )
    .unwrap();
    let root = tree.location(&["./link.yaml", "./*.yaml"]);
    let run = run(&["graph", &root]);
    run.expect_code(2);
    let lines = diagnostics(&run.stderr);
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0].contains("catalog-info.yaml:6:7: error[io]: location target `")
            && lines[0].contains("link.yaml` is outside the repository root"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains(":7:7: error[io]"), "{}", lines[1]);
    let run = ripple_within(HANG, &["graph", &root, "--allow-outside-root"]);
    run.expect_code(0);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_next_to_a_recursive_glob_finishes() {
    let tree = Tree::new();
    std::os::unix::fs::symlink(&tree.repo, tree.repo.join("teams/loop")).unwrap();
    std::os::unix::fs::symlink(".", tree.repo.join("teams/a/self")).unwrap();
    std::os::unix::fs::symlink(&tree.outside, tree.repo.join("teams/out")).unwrap();
    let root = tree.location(&["./**/*.yaml"]);
    let run = run(&["graph", &root, "--format", "json"]);
    run.expect_code(0);
    // The team's file, not the one behind the link out of the tree.
    assert_eq!(run.json()["components"], 1, "{}", run.stdout);
}
