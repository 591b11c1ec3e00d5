//! The documentation stays true: every command has a README section, every rule is in
//! docs/rules.md exactly as `ripple rules` prints it.

use crate::util::{repo_root, ripple};

#[test]
fn docs_rules_md_is_the_output_of_ripple_rules() {
    let table = ripple(&["rules", "--format", "markdown"]).stdout;
    let doc = std::fs::read_to_string(repo_root().join("docs/rules.md")).unwrap();
    assert!(
        doc.ends_with(&table),
        "docs/rules.md is out of date: regenerate its table with `ripple rules --format markdown`"
    );
    let rules = ripple(&["rules", "--format", "json"]).json();
    assert!(rules.as_array().unwrap().len() > 100);
}

#[test]
fn every_command_has_a_readme_section() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let help = ripple(&["--help"]).stdout;
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 10, "{help}");
    for command in commands {
        assert!(
            readme.contains(&format!("### `ripple {command}")),
            "README has no section for `ripple {command}`"
        );
    }
}
