//! One short function per command: load, call the library, hand the result to a renderer, and
//! say which exit code the result means. Decisions (what is safe) are the analyses'; wording is
//! the renderers'; state writing is the loader's.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::args::{
    CheckArgs, DiffArgs, ExportFormat, FindingsOutput, ModelPaths, RecordArgs, RulesFormat,
    StateDir, SummaryFormat,
};
use super::{EXIT_ERROR, EXIT_OK, EXIT_UNSAFE, Session};
use crate::analyze::{check, consumers, deprecations, skew, summary};
use crate::contract::Rule;
use crate::load;
use crate::render;
use crate::render::findings::Findings;
use crate::source::diagnostic::{count, plural};

pub(super) fn graph(session: &Session, model: &ModelPaths, format: SummaryFormat) -> Result<u8> {
    let loaded = session.load(&model.paths)?;
    let s = summary::summarize(&loaded.graph);
    let mut out = super::output(None)?;
    match format {
        SummaryFormat::Text => render::text::summary(&s, loaded.files.len(), &mut out)?,
        SummaryFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &s)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(EXIT_OK)
}

pub(super) fn export(
    session: &Session,
    model: &ModelPaths,
    format: ExportFormat,
    focus: Option<&str>,
    depth: usize,
    path: Option<&Path>,
) -> Result<u8> {
    let mut graph = session.load(&model.paths)?.graph;
    let mut title = String::from("ripple");
    if let Some(id) = focus {
        let Some(ix) = graph.index_of(id) else {
            bail!("--focus: {}", graph.unknown_component_message(id));
        };
        graph = graph.subgraph(&graph.neighbourhood(ix, depth));
        title = format!("ripple: {id} and its neighbours within {depth}");
    }
    let mut out = super::output(path)?;
    match format {
        ExportFormat::Json => write_fragment(session, &graph, &mut out, path)?,
        ExportFormat::Dot => render::dot::write(&graph, &title, &mut out)?,
        ExportFormat::Mermaid => render::mermaid::write(&graph, &mut out)?,
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// A fragment names the files it records relative to itself, as readers resolve them: one on
/// standard output relative to the current directory, one written to a file relative to that
/// file's directory.
fn write_fragment(
    session: &Session,
    graph: &crate::model::Graph,
    out: &mut dyn Write,
    path: Option<&Path>,
) -> Result<()> {
    let dir = path
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    load::fragment::write_beside(graph, out, dir, &session.cwd)?;
    Ok(())
}

pub(super) fn merge(session: &Session, model: &ModelPaths, path: Option<&Path>) -> Result<u8> {
    let loaded = session.load(&model.paths)?;
    let mut out = super::output(path)?;
    write_fragment(session, &loaded.graph, &mut out, path)?;
    out.flush()?;
    if let Some(p) = path {
        eprintln!(
            "merged {} into {}: {} components, {} dependencies",
            plural(loaded.files.len(), "file"),
            p.display(),
            loaded.graph.component_count(),
            loaded.graph.dependency_count()
        );
    }
    Ok(EXIT_OK)
}

pub(super) fn diff(session: &Session, args: &DiffArgs) -> Result<u8> {
    let options = session.diff_options(&[&args.old, &args.new])?;
    let mut diff = crate::contract::diff_paths(&args.old, &args.new, &options)?;
    super::warn(&diff.warnings);
    if args.old_version.is_some() {
        diff.old_version.clone_from(&args.old_version);
    }
    if args.new_version.is_some() {
        diff.new_version.clone_from(&args.new_version);
    }
    let model = if args.graph.is_empty() {
        None
    } else {
        Some(session.load(&args.graph)?.graph)
    };
    let report = consumers::report(diff, model.as_ref(), args.api.as_deref())?;
    super::write_findings(&render::findings::from_diff(&report), &args.report)?;
    Ok(if report.breaking() > 0 {
        EXIT_UNSAFE
    } else {
        EXIT_OK
    })
}

/// Positional arguments that mix what to deploy (`kind:name@version`) with model paths, in any
/// order, as `check` and `record-deployment` take them ([`load::state::Argument::classify`]):
/// the deployments, and the model paths (the current directory when none is given, and `true`
/// then).
fn split_deployments_and_model(
    items: &[String],
    action: load::state::Action,
) -> (Vec<String>, Vec<PathBuf>, bool) {
    use load::state::Argument;
    let (mut deployments, mut paths) = (Vec::new(), Vec::new());
    for item in items {
        match Argument::classify(item, action) {
            Argument::Deployment(d) => deployments.push(d),
            Argument::Path(p) => paths.push(p),
        }
    }
    let defaulted = paths.is_empty();
    if defaulted {
        paths.push(PathBuf::from("."));
    }
    (deployments, paths, defaulted)
}

pub(super) fn check(session: &Session, args: &CheckArgs) -> Result<u8> {
    let (candidates, mut paths, mut defaulted) =
        split_deployments_and_model(&args.items, load::state::Action::Deploy);
    if candidates.is_empty() {
        bail!(
            "no release to check: name at least one COMPONENT@VERSION (e.g. service:checkout@2.4.0)"
        );
    }
    // `--graph PATH...`, the older spelling of the model paths.
    if !args.graph.is_empty() {
        if defaulted {
            paths.clear();
            defaulted = false;
        }
        paths.extend(args.graph.iter().cloned());
    }
    let loaded = session.load_model_in(&paths, defaulted)?;
    let deployments = session.deployments(&loaded.graph, &paths, &args.state)?;
    let candidates = candidates
        .iter()
        .map(|c| check::parse_candidate(&loaded.graph, c))
        .collect::<Result<Vec<_>, _>>()?;
    let contracts = args
        .contract
        .iter()
        .map(|text| check::parse_contract(text))
        .collect::<Result<Vec<_>, _>>()?;
    let contract_paths: Vec<&Path> = contracts.iter().map(|c| c.path.as_path()).collect();
    let report = check::check_release(
        &loaded.graph,
        &deployments,
        &args.env,
        args.region.as_deref(),
        &candidates,
        &contracts,
        &session.diff_options(&contract_paths)?,
    )?;
    let footer = if report.safe {
        vec![render::findings::order_line(&report.order)]
    } else {
        Vec::new()
    };
    let title = format!(
        "check {} in {}{}: {}",
        report.candidates.join(", "),
        report.environment,
        report
            .region
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default(),
        if report.safe { "safe" } else { "unsafe" }
    );
    let json = serde_json::to_value(&report)?;
    super::write_findings(
        &Findings::of_findings(title, &report.findings, footer, json),
        &args.report,
    )?;
    Ok(if report.safe { EXIT_OK } else { EXIT_UNSAFE })
}

pub(super) fn skew(
    session: &Session,
    model: &ModelPaths,
    env: Option<&str>,
    state: &StateDir,
    report: &FindingsOutput,
) -> Result<u8> {
    let loaded = session.load(&model.paths)?;
    let deployments = session.deployments(&loaded.graph, &model.paths, state)?;
    if let Some(e) = env {
        check::check_scope(&deployments, e, None)?;
    }
    let skews = skew::skew(&loaded.graph, &deployments, env);
    let findings: Vec<_> = skews.iter().map(skew::Skew::to_finding).collect();
    let scope = env
        .map(str::to_owned)
        .unwrap_or_else(|| deployments.environments().collect::<Vec<_>>().join(", "));
    let title = format!("skew in {scope}: {}", plural(skews.len(), "disagreement"));
    let json = serde_json::json!({"environments": scope, "skew": skews});
    super::write_findings(
        &Findings::of_findings(title, &findings, Vec::new(), json),
        report,
    )?;
    Ok(if skews.is_empty() {
        EXIT_OK
    } else {
        EXIT_UNSAFE
    })
}

pub(super) fn deprecations(
    session: &Session,
    model: &ModelPaths,
    state: &StateDir,
    report: &FindingsOutput,
) -> Result<u8> {
    let loaded = session.load(&model.paths)?;
    let deployments = session.deployments(&loaded.graph, &model.paths, state)?;
    let today = session.today()?;
    let roots: Vec<&Path> = model.paths.iter().map(PathBuf::as_path).collect();
    let (found, problems) = deprecations::deprecations(
        &loaded.graph,
        &deployments,
        today,
        &session.boundary(&roots),
    );
    super::warn(&problems);
    let findings: Vec<_> = found
        .iter()
        .map(deprecations::Deprecation::to_finding)
        .collect();
    let consumers: BTreeSet<&str> = found.iter().map(|d| d.consumer.as_str()).collect();
    let title = format!(
        "deprecations as of {today}: {} must migrate",
        plural(consumers.len(), "consumer")
    );
    let json = serde_json::json!({"today": today.to_string(), "deprecations": found});
    super::write_findings(
        &Findings::of_findings(title, &findings, Vec::new(), json),
        report,
    )?;
    let overdue = found
        .iter()
        .any(|d| d.status == deprecations::Status::Overdue);
    Ok(if overdue { EXIT_UNSAFE } else { EXIT_OK })
}

pub(super) fn record_deployment(session: &Session, args: &RecordArgs) -> Result<u8> {
    use load::state::{Action, RecordError, Request};
    let action = match (args.add, args.undeploy) {
        (true, _) => Action::Add,
        (_, true) => Action::Undeploy,
        _ => Action::Deploy,
    };
    let (deployments, paths, defaulted) = split_deployments_and_model(&args.arguments, action);
    let loaded = session.load_model_in(&paths, defaulted)?;
    let dir = args
        .state
        .state
        .clone()
        .or_else(|| load::environments::default_dir(&paths))
        .unwrap_or_else(|| PathBuf::from("environments"));
    let recorded = load::state::record(&Request {
        graph: &loaded.graph,
        dir: &dir,
        env: &args.env,
        new_env: args.new_env,
        region: args.region.as_deref(),
        action,
        deployments: &deployments,
    })
    .map_err(|e| match e {
        RecordError::File(errors) => anyhow::Error::new(errors),
        other => anyhow::Error::new(other),
    })?;
    let file = crate::source::path::display(&recorded.file);
    match (recorded.created, recorded.changed) {
        (true, _) => eprintln!("recorded in {file} (a new file)"),
        (false, true) => eprintln!("recorded in {file}"),
        (false, false) => eprintln!("{file} already records this; unchanged"),
    }
    Ok(EXIT_OK)
}

pub(super) fn rules(ids: &[String], format: RulesFormat) -> Result<u8> {
    let all: Vec<&'static Rule> = crate::analyze::rules::all().collect();
    let rules: Vec<&Rule> = if ids.is_empty() {
        all.clone()
    } else {
        let mut chosen = Vec::new();
        for id in ids {
            match all.iter().find(|r| r.id == id) {
                Some(r) => chosen.push(*r),
                None => bail!(
                    "no rule `{id}`{} (`ripple rules` lists them all)",
                    crate::source::suggest::did_you_mean(id, all.iter().map(|r| r.id))
                ),
            }
        }
        chosen
    };
    let mut out = super::output(None)?;
    match format {
        RulesFormat::Text => render::text::rules(&rules, &mut out)?,
        RulesFormat::Markdown => render::text::rules_markdown(&rules, &mut out)?,
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rules)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(EXIT_OK)
}

pub(super) fn validate(session: &Session, model: &ModelPaths, format: SummaryFormat) -> Result<u8> {
    match format {
        SummaryFormat::Json => {
            let (loaded, errors, warnings) =
                match load::load_with(&model.paths, session.load_options()) {
                    Ok(loaded) => {
                        let warnings = loaded.warnings.clone();
                        (Some(loaded), Vec::new(), warnings)
                    }
                    Err(e) => (None, e.errors, e.warnings),
                };
            let report = serde_json::json!({
                "ok": errors.is_empty(),
                "files": loaded.as_ref().map(|l| l.files.len()),
                "components": loaded.as_ref().map(|l| l.graph.component_count()),
                "dependencies": loaded.as_ref().map(|l| l.graph.dependency_count()),
                "errors": errors.len(),
                "warnings": warnings.len(),
                "diagnostics": errors.iter().chain(&warnings).collect::<Vec<_>>(),
            });
            let mut out = super::output(None)?;
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
            out.flush()?;
            Ok(if errors.is_empty() {
                EXIT_OK
            } else {
                EXIT_ERROR
            })
        }
        SummaryFormat::Text => {
            let loaded = session.load(&model.paths)?;
            println!(
                "ok: {} read, {}, {}{}",
                plural(loaded.files.len(), "model file"),
                count(loaded.graph.component_count(), "component", "components"),
                count(
                    loaded.graph.dependency_count(),
                    "dependency",
                    "dependencies"
                ),
                if loaded.warnings.is_empty() {
                    String::new()
                } else {
                    format!(", {}", plural(loaded.warnings.len(), "warning"))
                }
            );
            Ok(EXIT_OK)
        }
    }
}

/// Run a parsed command line.
pub(super) fn execute(cli: super::args::Cli) -> Result<u8> {
    use super::args::Command;
    let session = Session::new(&cli.global)?;
    match &cli.command {
        Command::Graph { model, format } => graph(&session, model, *format),
        Command::Export {
            model,
            format,
            focus,
            depth,
            output,
        } => export(
            &session,
            model,
            *format,
            focus.as_deref(),
            *depth,
            output.output.as_deref(),
        ),
        Command::Merge { model, output } => merge(&session, model, output.output.as_deref()),
        Command::Diff(args) => diff(&session, args),
        Command::Check(args) => check(&session, args),
        Command::Skew {
            model,
            env,
            state,
            report,
        } => skew(&session, model, env.as_deref(), state, report),
        Command::Deprecations {
            model,
            state,
            report,
        } => deprecations(&session, model, state, report),
        Command::RecordDeployment(args) => record_deployment(&session, args),
        Command::Rules { ids, format } => rules(ids, *format),
        Command::Validate { model, format } => validate(&session, model, *format),
    }
}
