//! Findings for people and for CI: text, JSON, Markdown, JUnit XML, SARIF 2.1.0 and GitHub
//! workflow commands. `diff`, `check` and `skew` all report classified [`Change`]s, so they share
//! these renderers. Formatting only: the analyses decided every class and message.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::analyze::consumers::DiffReport;
use crate::contract::{Change, Class, Rule};

/// What a report shows, whatever computed it.
pub struct Findings<'a> {
    /// First line of text output, heading of Markdown, suite name of JUnit.
    pub title: String,
    pub changes: &'a [Change],
    /// One optional line per change (who it breaks).
    pub notes: Vec<Option<String>>,
    /// Lines after the findings (an order, a grouping).
    pub footer: Vec<String>,
    /// The JSON form, built by the analysis' own serialisation.
    pub json: serde_json::Value,
    /// What one item is called in summaries: `change` for diffs, `finding` otherwise.
    pub noun: &'static str,
}

impl Findings<'_> {
    fn note(&self, i: usize) -> Option<&str> {
        self.notes.get(i)?.as_deref()
    }

    fn breaking(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.class == Class::Breaking)
            .count()
    }
}

/// A diff report as findings.
pub fn from_diff(report: &DiffReport) -> Findings<'_> {
    let diff = &report.diff;
    let notes = diff
        .changes
        .iter()
        .enumerate()
        .map(|(i, _)| {
            report
                .verdicts
                .as_ref()
                .and_then(|v| v.get(i)?.as_ref())
                .map(|v| v.describe())
        })
        .collect();
    let mut json = serde_json::to_value(report).unwrap_or_default();
    let c = counts(&diff.changes);
    json["summary"] = serde_json::json!({
        "breaking": c[&Class::Breaking],
        "deprecation": c[&Class::Deprecation],
        "non_breaking": c[&Class::NonBreaking],
    });
    if let (Some(verdicts), Some(changes)) = (&report.verdicts, json["changes"].as_array_mut()) {
        for (change, verdict) in changes.iter_mut().zip(verdicts) {
            if let Some(v) = verdict {
                change["consumers"] = serde_json::to_value(v).unwrap_or_default();
            }
        }
    }
    Findings {
        title: format!(
            "diff ({}): {}{} -> {}{}",
            diff.format.as_str(),
            diff.old,
            version(&diff.old_version),
            diff.new,
            version(&diff.new_version)
        ),
        changes: &diff.changes,
        notes,
        footer: Vec::new(),
        json,
        noun: "change",
    }
}
use crate::source::diagnostic::Location;

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

fn summary_line(changes: &[Change], noun: &str) -> String {
    let c = counts(changes);
    format!(
        "{} {noun}{}: {} breaking, {} deprecation{}, {} non-breaking",
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

/// Write `findings` in `format`.
pub fn write(findings: &Findings<'_>, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text(findings, out),
        Format::Json => json(findings, out),
        Format::Markdown => markdown(findings, out),
        Format::Junit => junit(findings, out),
        Format::Sarif => sarif(findings, out),
        Format::Github => github(findings, out),
    }
}

/// The output formats of findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
    Junit,
    Sarif,
    Github,
}

/// Human text.
pub fn text(report: &Findings<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", report.title)?;
    for (i, c) in report.changes.iter().enumerate() {
        writeln!(out)?;
        writeln!(out, "{:<12} {}  {}", c.class.as_str(), c.rule.id, c.element)?;
        writeln!(out, "  {}", c.message)?;
        match (&c.old, &c.new) {
            (Some(o), Some(n)) => writeln!(out, "  at {n} (was {o})")?,
            (None, Some(n)) => writeln!(out, "  at {n}")?,
            (Some(o), None) => writeln!(out, "  was at {o}")?,
            (None, None) => {}
        }
        if let Some(line) = report.note(i) {
            writeln!(out, "  {line}")?;
        }
    }
    writeln!(out)?;
    for line in &report.footer {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}", summary_line(report.changes, report.noun))?;
    Ok(())
}

/// The report as JSON (stable field names; see the README).
pub fn json(report: &Findings<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report.json)?;
    writeln!(out)
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown report for pull-request comments.
pub fn markdown(report: &Findings<'_>, out: &mut dyn Write) -> io::Result<()> {
    let breaking = report.breaking();
    let headline = if breaking > 0 {
        format!(
            "❌ **{breaking} breaking change{}**",
            if breaking == 1 { "" } else { "s" }
        )
    } else {
        "✅ **Nothing breaks**".to_owned()
    };
    writeln!(out, "### ripple {}", md_escape(&report.title))?;
    writeln!(out)?;
    writeln!(
        out,
        "{headline} ({})",
        summary_line(report.changes, report.noun)
    )?;
    for line in &report.footer {
        writeln!(out)?;
        writeln!(out, "{}", md_escape(line))?;
    }
    if report.changes.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let with_notes = report.notes.iter().any(Option::is_some);
    if with_notes {
        writeln!(out, "| | Rule | Element | Change | Where | Consumers |")?;
        writeln!(out, "|---|---|---|---|---|---|")?;
    } else {
        writeln!(out, "| | Rule | Element | Change | Where |")?;
        writeln!(out, "|---|---|---|---|---|")?;
    }
    for (i, ch) in report.changes.iter().enumerate() {
        let icon = match ch.class {
            Class::Breaking => "❌",
            Class::Deprecation => "⚠️",
            Class::NonBreaking => "➕",
        };
        let place = ch.location().map_or(String::new(), |l| format!("`{l}`"));
        write!(
            out,
            "| {icon} | `{}` | `{}` | {} | {place} |",
            ch.rule.id,
            md_escape(&ch.element),
            md_escape(&ch.message)
        )?;
        if with_notes {
            write!(out, " {} |", md_escape(report.note(i).unwrap_or("")))?;
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
pub fn junit(report: &Findings<'_>, out: &mut dyn Write) -> io::Result<()> {
    let failures = report.breaking();
    let tests = report.changes.len();
    let suite = format!("ripple {}", report.title);
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
    for (i, c) in report.changes.iter().enumerate() {
        let name = format!("{}: {}", c.element, c.message);
        let file = c
            .location()
            .map(|l| format!(r#" file="{}""#, xml_escape(&l.file)))
            .unwrap_or_default();
        write!(
            out,
            r#"    <testcase classname="{}" name="{}"{file}"#,
            xml_escape(c.rule.id),
            xml_escape(&name)
        )?;
        if c.class == Class::Breaking {
            writeln!(out, ">")?;
            let mut body = c.message.clone();
            if let Some(l) = c.location() {
                let _ = write!(body, "\nat {l}");
            }
            if let Some(line) = report.note(i) {
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
pub fn sarif(report: &Findings<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut rules_used: Vec<&Rule> = report.changes.iter().map(|c| c.rule).collect();
    rules_used.sort_unstable_by_key(|r| r.id);
    rules_used.dedup_by_key(|r| r.id);
    let rules: Vec<serde_json::Value> = rules_used
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "shortDescription": {"text": r.summary},
                "properties": {"class": r.class.as_str()},
                "defaultConfiguration": {"level": level(r.class)},
            })
        })
        .collect();
    let mut results: Vec<serde_json::Value> = Vec::new();
    for (i, c) in report.changes.iter().enumerate() {
        let mut text = format!("{}: {}", c.element, c.message);
        if let Some(line) = report.note(i) {
            text.push_str(&format!(" ({line})"));
        }
        let mut result = serde_json::json!({
            "ruleId": c.rule.id,
            "ruleIndex": rules_used.binary_search_by_key(&c.rule.id, |r| r.id).unwrap_or(0),
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
pub fn github(report: &Findings<'_>, out: &mut dyn Write) -> io::Result<()> {
    fn data(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    for (i, c) in report.changes.iter().enumerate() {
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
        params.push(format!("title={}", property(c.rule.id)));
        let mut message = format!("{}: {}", c.element, c.message);
        if let Some(line) = report.note(i) {
            message.push_str(&format!(" ({line})"));
        }
        writeln!(out, "::{command} {}::{}", params.join(","), data(&message))?;
    }
    Ok(())
}
