//! Plain text for terminals.

use std::io::{self, Write};

use crate::analyze::summary::Summary;
use crate::contract::Rule;
use crate::source::diagnostic::count;

/// `ripple graph` as text: counts, systems, cycles, orphans, owners.
pub fn summary(s: &Summary, files: usize, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}, {} from {}",
        count(s.components, "component", "components"),
        count(s.dependencies, "dependency", "dependencies"),
        count(files, "model file", "model files"),
    )?;
    writeln!(out)?;
    writeln!(out, "components by kind")?;
    for (kind, n) in &s.by_kind {
        writeln!(out, "  {:<12} {n:>7}", kind.as_str())?;
    }
    writeln!(out)?;
    writeln!(out, "dependencies by kind")?;
    for (kind, n) in &s.by_dependency_kind {
        writeln!(out, "  {:<12} {n:>7}", kind.as_str())?;
    }
    writeln!(out)?;
    writeln!(out, "systems ({})", s.systems.len())?;
    let width = s.systems.keys().map(String::len).max().unwrap_or(0).max(12);
    for (system, n) in &s.systems {
        writeln!(out, "  {system:<width$} {n:>7}")?;
    }
    writeln!(out)?;
    writeln!(out, "owners ({})", s.owners.len())?;
    let width = s.owners.keys().map(String::len).max().unwrap_or(0).max(12);
    for (owner, n) in &s.owners {
        writeln!(out, "  {owner:<width$} {n:>7}")?;
    }
    if !s.unowned.is_empty() {
        writeln!(out, "  {:<width$} {:>7}", "(no owner)", s.unowned.len())?;
    }
    writeln!(out)?;
    writeln!(out, "cycles ({})", s.cycles.len())?;
    for cycle in &s.cycles {
        writeln!(out, "  {}", cycle.join(", "))?;
    }
    writeln!(out)?;
    writeln!(out, "orphans ({})", s.orphans.len())?;
    for orphan in &s.orphans {
        writeln!(out, "  {orphan}")?;
    }
    Ok(())
}

/// The rules, one per line: id, class and meaning, in columns.
pub fn rules(rules: &[&Rule], out: &mut dyn Write) -> io::Result<()> {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in rules {
        writeln!(
            out,
            "{:<width$}  {:<12}  {}",
            r.id,
            r.class.as_str(),
            r.summary
        )?;
    }
    Ok(())
}

/// The rules as a Markdown table (the table of `docs/rules.md`).
pub fn rules_markdown(rules: &[&Rule], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "| rule | class | meaning |")?;
    writeln!(out, "|---|---|---|")?;
    for r in rules {
        writeln!(out, "| `{}` | {} | {} |", r.id, r.class.as_str(), r.summary)?;
    }
    Ok(())
}
