//! Findings for people and for CI: text, JSON, Markdown, JUnit XML, SARIF 2.1.0 and GitHub
//! workflow commands. `diff` reports contract [`Change`]s and `check`, `skew` and `deprecations`
//! report analysis [`Finding`]s; both are shown as [`Item`]s, so they share these renderers.
//! Formatting only: the analyses decided every class and message.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::analyze::Finding;
use crate::analyze::consumers::DiffReport;
use crate::contract::{Change, Class, Rule};

/// One line item of a report: a contract change or an analysis finding, borrowed.
pub struct Item<'a> {
    pub rule: &'static Rule,
    pub class: Class,
    pub element: &'a str,
    pub message: &'a str,
    /// Where it is: the new contract's line, or where a finding's fact is written.
    pub at: Option<&'a Location>,
    /// Where it was in the old contract, for changes.
    pub was_at: Option<&'a Location>,
    /// One optional line after it (who a change breaks).
    pub note: Option<String>,
}

impl Item<'_> {
    /// The place to show first.
    fn location(&self) -> Option<&Location> {
        self.at.or(self.was_at)
    }
}

impl<'a> From<&'a Change> for Item<'a> {
    fn from(c: &'a Change) -> Self {
        Item {
            rule: c.rule,
            class: c.class,
            element: &c.element,
            message: &c.message,
            at: c.new.as_ref(),
            was_at: c.old.as_ref(),
            note: None,
        }
    }
}

impl<'a> From<&'a Finding> for Item<'a> {
    fn from(f: &'a Finding) -> Self {
        Item {
            rule: f.rule,
            class: f.class,
            element: &f.element,
            message: &f.message,
            at: f.location.as_ref(),
            was_at: None,
            note: None,
        }
    }
}

/// What a report shows, whatever computed it.
pub struct Findings<'a> {
    /// First line of text output, heading of Markdown, suite name of JUnit.
    pub title: String,
    pub items: Vec<Item<'a>>,
    /// Lines after the findings (an order, a grouping).
    pub footer: Vec<String>,
    /// The JSON form, built by the analysis' own serialisation.
    pub json: serde_json::Value,
    /// What one item is called in summaries: `change` for diffs, `finding` otherwise.
    pub noun: &'static str,
}

impl<'a> Findings<'a> {
    /// A report of analysis findings, with its title, the lines after the findings and its JSON.
    pub fn of_findings(
        title: String,
        findings: &'a [Finding],
        footer: Vec<String>,
        json: serde_json::Value,
    ) -> Self {
        Findings {
            title,
            items: findings.iter().map(Item::from).collect(),
            footer,
            json,
            noun: "finding",
        }
    }

    fn breaking(&self) -> usize {
        self.items
            .iter()
            .filter(|c| c.class == Class::Breaking)
            .count()
    }
}

/// A diff report as findings.
pub fn from_diff(report: &DiffReport) -> Findings<'_> {
    let diff = &report.diff;
    let items = diff
        .changes
        .iter()
        .enumerate()
        .map(|(i, change)| Item {
            note: report
                .verdicts
                .as_ref()
                .and_then(|v| v.get(i)?.as_ref())
                .map(|v| v.describe()),
            ..Item::from(change)
        })
        .collect();
    let mut json = serde_json::to_value(report).unwrap_or_default();
    let c = counts(diff.changes.iter().map(|c| c.class));
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
        items,
        footer: Vec::new(),
        json,
        noun: "change",
    }
}
use crate::source::diagnostic::Location;

fn counts(classes: impl Iterator<Item = Class>) -> BTreeMap<Class, usize> {
    let mut counts = BTreeMap::from([
        (Class::Breaking, 0),
        (Class::Deprecation, 0),
        (Class::NonBreaking, 0),
    ]);
    for class in classes {
        *counts.entry(class).or_default() += 1;
    }
    counts
}

fn summary_line(items: &[Item<'_>], noun: &str) -> String {
    let c = counts(items.iter().map(|i| i.class));
    format!(
        "{} {noun}{}: {} breaking, {} deprecation{}, {} non-breaking",
        items.len(),
        if items.len() == 1 { "" } else { "s" },
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
pub fn write(
    findings: &Findings<'_>,
    format: FindingsFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        FindingsFormat::Text => text(findings, out),
        FindingsFormat::Json => json(findings, out),
        FindingsFormat::Markdown => markdown(findings, out),
        FindingsFormat::Junit => junit(findings, out),
        FindingsFormat::Sarif => sarif(findings, out),
        FindingsFormat::Github => github(findings, out),
    }
}

/// The output formats of findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FindingsFormat {
    /// Human text.
    #[default]
    Text,
    /// Stable JSON (see the README).
    Json,
    /// Markdown for pull-request comments.
    Markdown,
    /// JUnit XML: one test case per finding, breaking ones failing.
    Junit,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl FindingsFormat {
    /// Every format, in the order `--help` lists them.
    pub const ALL: &'static [FindingsFormat] = &[
        FindingsFormat::Text,
        FindingsFormat::Json,
        FindingsFormat::Markdown,
        FindingsFormat::Junit,
        FindingsFormat::Sarif,
        FindingsFormat::Github,
    ];

    /// The format's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingsFormat::Text => "text",
            FindingsFormat::Json => "json",
            FindingsFormat::Markdown => "markdown",
            FindingsFormat::Junit => "junit",
            FindingsFormat::Sarif => "sarif",
            FindingsFormat::Github => "github",
        }
    }
}

/// Human text.
pub fn text(report: &Findings<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", report.title)?;
    for c in &report.items {
        writeln!(out)?;
        writeln!(out, "{:<12} {}  {}", c.class.as_str(), c.rule.id, c.element)?;
        writeln!(out, "  {}", c.message)?;
        match (c.was_at, c.at) {
            (Some(o), Some(n)) => writeln!(out, "  at {n} (was {o})")?,
            (None, Some(n)) => writeln!(out, "  at {n}")?,
            (Some(o), None) => writeln!(out, "  was at {o}")?,
            (None, None) => {}
        }
        if let Some(line) = &c.note {
            writeln!(out, "  {line}")?;
        }
    }
    writeln!(out)?;
    for line in &report.footer {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}", summary_line(&report.items, report.noun))?;
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
        summary_line(&report.items, report.noun)
    )?;
    for line in &report.footer {
        writeln!(out)?;
        writeln!(out, "{}", md_escape(line))?;
    }
    if report.items.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let with_notes = report.items.iter().any(|i| i.note.is_some());
    if with_notes {
        writeln!(out, "| | Rule | Element | Change | Where | Consumers |")?;
        writeln!(out, "|---|---|---|---|---|---|")?;
    } else {
        writeln!(out, "| | Rule | Element | Change | Where |")?;
        writeln!(out, "|---|---|---|---|---|")?;
    }
    for ch in &report.items {
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
            md_escape(ch.element),
            md_escape(ch.message)
        )?;
        if with_notes {
            write!(out, " {} |", md_escape(ch.note.as_deref().unwrap_or("")))?;
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
    let tests = report.items.len();
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
    for c in &report.items {
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
            let mut body = c.message.to_owned();
            if let Some(l) = c.location() {
                let _ = write!(body, "\nat {l}");
            }
            if let Some(line) = &c.note {
                let _ = write!(body, "\n{line}");
            }
            writeln!(
                out,
                r#"      <failure type="breaking" message="{}">{}</failure>"#,
                xml_escape(c.message),
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
    let mut rules_used: Vec<&Rule> = report.items.iter().map(|c| c.rule).collect();
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
    for c in &report.items {
        let mut text = format!("{}: {}", c.element, c.message);
        if let Some(line) = &c.note {
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
        if let (Some(_), Some(old)) = (c.at, c.was_at) {
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
    for c in &report.items {
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
        if let Some(line) = &c.note {
            message.push_str(&format!(" ({line})"));
        }
        writeln!(out, "::{command} {}::{}", params.join(","), data(&message))?;
    }
    Ok(())
}

/// The line after a safe `check`: the order to deploy in, or the groups that must go together.
pub fn order_line(order: &[Vec<String>]) -> String {
    let steps: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(i, step)| {
            if step.len() == 1 {
                format!("{}. {}", i + 1, step[0])
            } else {
                format!("{}. together: {}", i + 1, step.join(" + "))
            }
        })
        .collect();
    if order.iter().any(|s| s.len() > 1) {
        format!(
            "safe only when deployed together as grouped: {}\n(while a group rolls out, its old and new versions meet: keep the new paths behind a flag until every member runs its new version)",
            steps.join("  ")
        )
    } else {
        format!("deploy in this order: {}", steps.join("  "))
    }
}
