//! Contract diffs for people and for CI: text, JSON, Markdown, JUnit XML, SARIF 2.1.0 and GitHub
//! workflow commands. Formatting only: the diff decided every class and message.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::analyze::consumers::DiffReport;
use crate::contract::{Change, Class, rule};
use crate::diagnostic::Location;

fn counts(changes: &[Change]) -> BTreeMap<Class, usize> {
    let mut counts = BTreeMap::from([
        (Class::Breaking, 0),
        (Class::Deprecation, 0),
        (Class::NonBreaking, 0),
    ]);
    for c in changes {
        *counts.entry(c.class).or_default() += 1;
    }
    counts
}

fn summary_line(changes: &[Change]) -> String {
    let c = counts(changes);
    format!(
        "{} change{}: {} breaking, {} deprecation{}, {} non-breaking",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        c[&Class::Breaking],
        c[&Class::Deprecation],
        if c[&Class::Deprecation] == 1 { "" } else { "s" },
        c[&Class::NonBreaking]
    )
}

fn version(v: &Option<String>) -> String {
    v.as_ref().map_or(String::new(), |v| format!(" ({v})"))
}

fn consumers_line(report: &DiffReport, i: usize) -> Option<String> {
    let verdict = report.verdicts.as_ref()?.get(i)?.as_ref()?;
    Some(verdict.describe())
}

/// Human text.
pub fn text(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    let diff = &report.diff;
    writeln!(
        out,
        "{}: {}{} -> {}{}",
        diff.format.as_str(),
        diff.old,
        version(&diff.old_version),
        diff.new,
        version(&diff.new_version)
    )?;
    for (i, c) in diff.changes.iter().enumerate() {
        writeln!(out)?;
        writeln!(out, "{:<12} {}  {}", c.class.as_str(), c.rule, c.element)?;
        writeln!(out, "  {}", c.message)?;
        match (&c.old, &c.new) {
            (Some(o), Some(n)) => writeln!(out, "  at {n} (was {o})")?,
            (None, Some(n)) => writeln!(out, "  at {n}")?,
            (Some(o), None) => writeln!(out, "  was at {o}")?,
            (None, None) => {}
        }
        if let Some(line) = consumers_line(report, i) {
            writeln!(out, "  {line}")?;
        }
    }
    if !diff.changes.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(&diff.changes))?;
    Ok(())
}

/// The report as JSON (stable field names; see the README).
pub fn json(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    let mut value = serde_json::to_value(report)?;
    let c = counts(&report.diff.changes);
    value["summary"] = serde_json::json!({
        "breaking": c[&Class::Breaking],
        "deprecation": c[&Class::Deprecation],
        "non_breaking": c[&Class::NonBreaking],
    });
    if let (Some(verdicts), Some(changes)) = (&report.verdicts, value["changes"].as_array_mut()) {
        for (change, verdict) in changes.iter_mut().zip(verdicts) {
            if let Some(v) = verdict {
                change["consumers"] = serde_json::to_value(v)?;
            }
        }
    }
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown report for pull-request comments.
pub fn markdown(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    let diff = &report.diff;
    let c = counts(&diff.changes);
    let breaking = c[&Class::Breaking];
    let headline = if breaking > 0 {
        format!(
            "❌ **{breaking} breaking change{}**",
            if breaking == 1 { "" } else { "s" }
        )
    } else {
        "✅ **No breaking changes**".to_owned()
    };
    writeln!(
        out,
        "### ripple diff: `{}` → `{}`",
        md_escape(&diff.old),
        md_escape(&diff.new)
    )?;
    writeln!(out)?;
    writeln!(out, "{headline} ({})", summary_line(&diff.changes))?;
    if diff.changes.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let with_consumers = report.verdicts.is_some();
    if with_consumers {
        writeln!(out, "| | Rule | Element | Change | Where | Consumers |")?;
        writeln!(out, "|---|---|---|---|---|---|")?;
    } else {
        writeln!(out, "| | Rule | Element | Change | Where |")?;
        writeln!(out, "|---|---|---|---|---|")?;
    }
    for (i, ch) in diff.changes.iter().enumerate() {
        let icon = match ch.class {
            Class::Breaking => "❌",
            Class::Deprecation => "⚠️",
            Class::NonBreaking => "➕",
        };
        let place = ch.location().map_or(String::new(), |l| format!("`{l}`"));
        write!(
            out,
            "| {icon} | `{}` | `{}` | {} | {place} |",
            ch.rule,
            md_escape(&ch.element),
            md_escape(&ch.message)
        )?;
        if with_consumers {
            write!(
                out,
                " {} |",
                md_escape(&consumers_line(report, i).unwrap_or_default())
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test case per change; breaking changes are failures.
pub fn junit(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    let diff = &report.diff;
    let failures = report.diff.breaking();
    let tests = diff.changes.len();
    let suite = format!("ripple diff {} -> {}", diff.old, diff.new);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="ripple" tests="{tests}" failures="{failures}" errors="0">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failures}" errors="0" skipped="0">"#,
        xml_escape(&suite)
    )?;
    for (i, c) in diff.changes.iter().enumerate() {
        let name = format!("{}: {}", c.element, c.message);
        let file = c
            .location()
            .map(|l| format!(r#" file="{}""#, xml_escape(&l.file)))
            .unwrap_or_default();
        write!(
            out,
            r#"    <testcase classname="{}" name="{}"{file}"#,
            xml_escape(c.rule),
            xml_escape(&name)
        )?;
        if c.class == Class::Breaking {
            writeln!(out, ">")?;
            let mut body = c.message.clone();
            if let Some(l) = c.location() {
                let _ = write!(body, "\nat {l}");
            }
            if let Some(line) = consumers_line(report, i) {
                let _ = write!(body, "\n{line}");
            }
            writeln!(
                out,
                r#"      <failure type="breaking" message="{}">{}</failure>"#,
                xml_escape(&c.message),
                xml_escape(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        } else {
            writeln!(out, "/>")?;
        }
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn sarif_location(l: &Location) -> serde_json::Value {
    let mut region = serde_json::Map::new();
    if l.line > 0 {
        region.insert("startLine".into(), l.line.into());
        region.insert("startColumn".into(), l.column.max(1).into());
    }
    let mut physical = serde_json::json!({"artifactLocation": {"uri": l.file.as_ref()}});
    if !region.is_empty() {
        physical["region"] = serde_json::Value::Object(region);
    }
    serde_json::json!({"physicalLocation": physical})
}

/// SARIF 2.1.0, for code-scanning dashboards.
pub fn sarif(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    let diff = &report.diff;
    let mut rule_ids: Vec<&str> = diff.changes.iter().map(|c| c.rule).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<serde_json::Value> = rule_ids
        .iter()
        .map(|id| {
            let r = rule(id);
            serde_json::json!({
                "id": r.id,
                "shortDescription": {"text": r.summary},
                "properties": {"class": r.class.as_str()},
                "defaultConfiguration": {"level": level(r.class)},
            })
        })
        .collect();
    let mut results: Vec<serde_json::Value> = Vec::new();
    for (i, c) in diff.changes.iter().enumerate() {
        let mut text = format!("{}: {}", c.element, c.message);
        if let Some(line) = consumers_line(report, i) {
            text.push_str(&format!(" ({line})"));
        }
        let mut result = serde_json::json!({
            "ruleId": c.rule,
            "ruleIndex": rule_ids.binary_search(&c.rule).unwrap_or(0),
            "level": level(c.class),
            "message": {"text": text},
        });
        if let Some(l) = c.location() {
            result["locations"] = serde_json::json!([sarif_location(l)]);
        }
        if let (Some(_), Some(old)) = (&c.new, &c.old) {
            result["relatedLocations"] = serde_json::json!([{
                "id": 1,
                "message": {"text": "in the old contract"},
                "physicalLocation": sarif_location(old)["physicalLocation"],
            }]);
        }
        results.push(result);
    }
    let log = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ripple",
                "informationUri": "https://github.com/ripple-release/ripple",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn level(class: Class) -> &'static str {
    match class {
        Class::Breaking => "error",
        Class::Deprecation => "warning",
        Class::NonBreaking => "note",
    }
}

/// GitHub Actions workflow commands: annotations on the changed lines.
pub fn github(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    fn data(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    for (i, c) in report.diff.changes.iter().enumerate() {
        let command = match c.class {
            Class::Breaking => "error",
            Class::Deprecation => "warning",
            Class::NonBreaking => "notice",
        };
        let mut params = Vec::new();
        if let Some(l) = c.location() {
            params.push(format!("file={}", property(&l.file)));
            if l.line > 0 {
                params.push(format!("line={}", l.line));
                params.push(format!("col={}", l.column));
            }
        }
        params.push(format!("title={}", property(c.rule)));
        let mut message = format!("{}: {}", c.element, c.message);
        if let Some(line) = consumers_line(report, i) {
            message.push_str(&format!(" ({line})"));
        }
        writeln!(out, "::{command} {}::{}", params.join(","), data(&message))?;
    }
    Ok(())
}
