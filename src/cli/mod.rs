//! The command line: clap definitions, then one function per command.
//!
//! Commands load the model, call the library, and hand results to a renderer. Exit codes are the
//! same for every command: 0 safe, 1 unsafe findings, 2 error (bad input or usage).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::analyze::{check, consumers, deprecations, skew, summary};
use crate::contract::{self, ContractErrors};
use crate::load::environments;
use crate::load::{self, Loaded};
use crate::render;
use crate::render::findings::Format as FindingsFormat;
use crate::source::diagnostic::{Diagnostic, ModelErrors, count, plural};

/// Exit code for "the inputs are fine and nothing is unsafe".
pub const EXIT_OK: u8 = 0;
/// Exit code for "unsafe findings" (breaking changes, incompatible versions).
pub const EXIT_UNSAFE: u8 = 1;
/// Exit code for errors: bad input, bad usage.
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "ripple",
    version,
    about = "What a change will break, and in which order to ship it",
    long_about = None,
)]
pub struct Cli {
    /// Load what is known when the model names components it does not define: dangling
    /// references become warnings and their dependencies are left out.
    #[arg(long, global = true)]
    lenient: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Summarise the model: counts by kind, systems, owners, cycles and orphans.
    Graph {
        /// Model files (ripple.yaml, catalog-info.yaml, fragment .json) or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        format: SummaryFormat,
    },
    /// Write the model (or a neighbourhood of it) as JSON, Graphviz DOT or Mermaid.
    Export {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Only the components within --depth dependencies of this id (e.g. service:checkout).
        #[arg(long, value_name = "ID")]
        focus: Option<String>,
        /// How far from --focus to go, in dependencies, in either direction.
        #[arg(long, default_value_t = 1, requires = "focus")]
        depth: usize,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Merge graph fragments (and any other model files) into one fragment.
    Merge {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Compare two versions of a contract (OpenAPI/Swagger, AsyncAPI, protobuf, SQL); exit 1 if
    /// anything breaks.
    Diff {
        /// The old contract: a file, or a directory (split spec, proto module, migrations folder).
        old: PathBuf,
        /// The new contract.
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
        format: FindingsFormat,
        /// Model files or directories: list the consumers each change breaks.
        #[arg(long, value_name = "PATH", num_args = 1..)]
        graph: Vec<PathBuf>,
        /// The api the contract belongs to (default: the api whose `definition` is NEW or OLD).
        #[arg(long, value_name = "ID", requires = "graph")]
        api: Option<String>,
        /// The old contract's version, when it does not declare one (`info.version`).
        #[arg(long, value_name = "VERSION")]
        old_version: Option<String>,
        /// The new contract's version, when it does not declare one.
        #[arg(long, value_name = "VERSION")]
        new_version: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Can these versions be deployed to ENV? Exit 0 safe, 1 unsafe, 2 error.
    Check {
        /// The release: one or more COMPONENT@VERSION (e.g. service:checkout@2.4.0).
        #[arg(required = true, value_name = "COMPONENT@VERSION")]
        candidates: Vec<String>,
        #[arg(long, value_name = "ENV")]
        env: String,
        /// Only this region of ENV (default: every version live anywhere in ENV).
        #[arg(long, value_name = "REGION")]
        region: Option<String>,
        /// Model files or directories (default: the current directory).
        #[arg(long, value_name = "PATH", num_args = 1.., default_value = ".")]
        graph: Vec<PathBuf>,
        /// Directory of environment files (default: `environments/` beside the model).
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
        /// A candidate api's new contract, compared with the model's `definition` for the
        /// consumers running in ENV: ID=PATH (repeatable).
        #[arg(long, value_name = "ID=PATH")]
        contract: Vec<String>,
        #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
        format: FindingsFormat,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Dependencies whose consumer's requirement and the provider running beside it disagree.
    Skew {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Only this environment (default: every environment).
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// Directory of environment files (default: `environments/` beside the model).
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
        format: FindingsFormat,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Deprecations still in use: what each consumer must migrate away from, and by when. Exit 1
    /// if a sunset has passed while a consumer still uses the element.
    #[command(alias = "windows")]
    Deprecations {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Directory of environment files (default: `environments/` beside the model).
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
        format: FindingsFormat,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Record what now runs in an environment, in its environment file.
    RecordDeployment {
        /// COMPONENT@VERSION (or COMPONENT with --undeploy, to remove every version).
        #[arg(required = true, value_name = "COMPONENT@VERSION")]
        deployments: Vec<String>,
        #[arg(long, value_name = "ENV")]
        env: String,
        /// The region; without it the version holds in every region.
        #[arg(long, value_name = "REGION")]
        region: Option<String>,
        /// Keep the versions already live (a rollout: two versions run at once).
        #[arg(long, conflicts_with = "undeploy")]
        add: bool,
        /// Remove the version (or every version) instead of deploying it.
        #[arg(long)]
        undeploy: bool,
        /// Directory of environment files.
        #[arg(long, value_name = "DIR", default_value = "environments")]
        state: PathBuf,
    },
    /// List every rule a finding can name: id, class and meaning.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Check the model files and report every problem; exit 2 if there is any error.
    Validate {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// `json` prints every diagnostic as JSON on standard output, for tools.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        format: SummaryFormat,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SummaryFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RulesFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ExportFormat {
    Json,
    Dot,
    Mermaid,
}

/// Parse `args` and run the command. Errors that are the user's (bad input) are reported here
/// and become exit code 2; `Err` is left for failures writing output.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match execute(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::from(EXIT_OK);
            }
            if let Some(errors) = e.downcast_ref::<ModelErrors>() {
                report(errors);
            } else if let Some(errors) = e.downcast_ref::<ContractErrors>() {
                for d in &errors.errors {
                    eprintln!("{d}");
                }
                eprintln!("error: {errors}; nothing was compared");
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn report(errors: &ModelErrors) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for d in errors.errors.iter().chain(&errors.warnings) {
        let _ = writeln!(err, "{d}");
    }
    let _ = writeln!(
        err,
        "error: {}{}; nothing was produced",
        errors,
        if errors.warnings.is_empty() {
            String::new()
        } else {
            format!(" and {}", plural(errors.warnings.len(), "warning"))
        }
    );
}

fn warn(warnings: &[Diagnostic]) {
    for w in warnings {
        eprintln!("{w}");
    }
}

fn load_model(paths: &[PathBuf], options: load::Options) -> Result<Loaded> {
    let loaded = load::load_with(paths, options)?;
    warn(&loaded.warnings);
    Ok(loaded)
}

/// Standard output, or a file created (and only created) once there is something to write.
fn output(path: Option<&PathBuf>) -> Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

/// Render findings to standard output or a file.
fn write_findings(
    findings: &render::findings::Findings<'_>,
    format: FindingsFormat,
    path: Option<&PathBuf>,
) -> Result<()> {
    let mut out = output(path)?;
    render::findings::write(findings, format, &mut out)?;
    out.flush()?;
    Ok(())
}

fn execute(cli: Cli) -> Result<u8> {
    let options = load::Options {
        lenient: cli.lenient,
    };
    match cli.command {
        Command::Graph { paths, format } => {
            let loaded = load_model(&paths, options)?;
            let s = summary::summarize(&loaded.graph);
            let mut out = output(None)?;
            match format {
                SummaryFormat::Text => render::text::summary(&s, loaded.files.len(), &mut out)?,
                SummaryFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &s)?;
                    writeln!(out)?;
                }
            }
            out.flush()?;
        }
        Command::Export {
            paths,
            format,
            focus,
            depth,
            output: path,
        } => {
            let loaded = load_model(&paths, options)?;
            let mut graph = loaded.graph;
            let mut title = String::from("ripple");
            if let Some(id) = &focus {
                let Some(ix) = graph.index_of(id) else {
                    bail!(
                        "--focus {id}: no such component in the model (ids are `kind:name`, e.g. service:checkout)"
                    );
                };
                graph = graph.subgraph(&graph.neighbourhood(ix, depth));
                title = format!("ripple: {id} and its neighbours within {depth}");
            }
            let mut out = output(path.as_ref())?;
            match format {
                ExportFormat::Json => load::fragment::write(&graph, &mut out)?,
                ExportFormat::Dot => render::dot::write(&graph, &title, &mut out)?,
                ExportFormat::Mermaid => render::mermaid::write(&graph, &mut out)?,
            }
            out.flush()?;
        }
        Command::Merge {
            paths,
            output: path,
        } => {
            let loaded = load_model(&paths, options)?;
            let mut out = output(path.as_ref())?;
            load::fragment::write(&loaded.graph, &mut out)?;
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
        }
        Command::Diff {
            old,
            new,
            format,
            graph,
            api,
            old_version,
            new_version,
            output: path,
        } => {
            let mut diff = contract::diff_paths(&old, &new, &diff_options(&[&old, &new])?)?;
            for warning in &diff.warnings {
                eprintln!("{warning}");
            }
            if old_version.is_some() {
                diff.old_version = old_version;
            }
            if new_version.is_some() {
                diff.new_version = new_version;
            }
            let model = if graph.is_empty() {
                None
            } else {
                Some(load_model(&graph, options)?.graph)
            };
            let report = consumers::report(diff, model.as_ref(), api.as_deref())?;
            write_findings(&render::findings::from_diff(&report), format, path.as_ref())?;
            return Ok(if report.breaking() > 0 {
                EXIT_UNSAFE
            } else {
                EXIT_OK
            });
        }
        Command::Check {
            candidates,
            env,
            region,
            graph,
            state,
            contract,
            format,
            output: path,
        } => {
            let loaded = load_model(&graph, options)?;
            let deployments = deployments(&loaded.graph, &graph, state.as_deref())?;
            let candidates = candidates
                .iter()
                .map(|c| check::parse_candidate(&loaded.graph, c))
                .collect::<Result<Vec<_>, _>>()?;
            let region = region.as_deref();
            let mut report = check::check(&loaded.graph, &deployments, &env, region, &candidates)?;
            for text in &contract {
                let new = check::parse_contract(text)?;
                let findings = check::contract_findings(
                    &loaded.graph,
                    &deployments,
                    &env,
                    region,
                    &new,
                    &diff_options(&[new.path.as_path()])?,
                )?;
                if !findings.is_empty() {
                    report.safe = false;
                    report.order.clear();
                }
                report.findings.extend(findings);
            }
            contract::sort(&mut report.findings);
            let mut footer = Vec::new();
            if report.safe {
                footer.push(order_line(&report.order));
            }
            let findings = render::findings::Findings {
                title: format!(
                    "check {} in {}{}: {}",
                    report.candidates.join(", "),
                    report.environment,
                    report
                        .region
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default(),
                    if report.safe { "safe" } else { "unsafe" }
                ),
                changes: &report.findings,
                notes: Vec::new(),
                footer,
                json: serde_json::to_value(&report)?,
                noun: "finding",
            };
            write_findings(&findings, format, path.as_ref())?;
            return Ok(if report.safe { EXIT_OK } else { EXIT_UNSAFE });
        }
        Command::Skew {
            paths,
            env,
            state,
            format,
            output: path,
        } => {
            let loaded = load_model(&paths, options)?;
            let deployments = deployments(&loaded.graph, &paths, state.as_deref())?;
            if let Some(e) = &env
                && !deployments.has_environment(e)
            {
                let known: Vec<&str> = deployments.environments().collect();
                bail!(
                    "no state is known for environment `{e}` (known: {})",
                    known.join(", ")
                );
            }
            let skews = skew::skew(&loaded.graph, &deployments, env.as_deref());
            let changes: Vec<contract::Change> = skews.iter().map(skew::Skew::to_change).collect();
            let scope = env
                .clone()
                .unwrap_or_else(|| deployments.environments().collect::<Vec<_>>().join(", "));
            let findings = render::findings::Findings {
                title: format!("skew in {scope}: {}", plural(skews.len(), "disagreement")),
                changes: &changes,
                notes: Vec::new(),
                footer: Vec::new(),
                json: serde_json::json!({"environments": scope, "skew": skews}),
                noun: "finding",
            };
            write_findings(&findings, format, path.as_ref())?;
            return Ok(if skews.is_empty() {
                EXIT_OK
            } else {
                EXIT_UNSAFE
            });
        }
        Command::Deprecations {
            paths,
            state,
            format,
            output: path,
        } => {
            let loaded = load_model(&paths, options)?;
            let deployments = deployments(&loaded.graph, &paths, state.as_deref())?;
            let today = today()?;
            let (windows, problems) =
                deprecations::deprecations(&loaded.graph, &deployments, today);
            warn(&problems);
            let changes: Vec<contract::Change> = windows
                .iter()
                .map(deprecations::Deprecation::to_change)
                .collect();
            let consumers: std::collections::BTreeSet<&str> =
                windows.iter().map(|w| w.consumer.as_str()).collect();
            let findings = render::findings::Findings {
                title: format!(
                    "deprecations as of {today}: {} must migrate",
                    plural(consumers.len(), "consumer")
                ),
                changes: &changes,
                notes: Vec::new(),
                footer: Vec::new(),
                json: serde_json::json!({"today": today.to_string(), "deprecations": windows}),
                noun: "finding",
            };
            write_findings(&findings, format, path.as_ref())?;
            let overdue = windows
                .iter()
                .any(|w| w.status == deprecations::Status::Overdue);
            return Ok(if overdue { EXIT_UNSAFE } else { EXIT_OK });
        }
        Command::RecordDeployment {
            deployments: items,
            env,
            region,
            add,
            undeploy,
            state,
        } => {
            record_deployment(&items, &env, region.as_deref(), add, undeploy, &state)?;
        }
        Command::Rules { format } => {
            let mut out = output(None)?;
            let rules: Vec<&contract::Rule> = crate::analyze::rules::all().collect();
            match format {
                RulesFormat::Text => {
                    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
                    for r in &rules {
                        writeln!(
                            out,
                            "{:<width$}  {:<12}  {}",
                            r.id,
                            r.class.as_str(),
                            r.summary
                        )?;
                    }
                }
                RulesFormat::Markdown => {
                    writeln!(out, "| rule | class | meaning |")?;
                    writeln!(out, "|---|---|---|")?;
                    for r in &rules {
                        writeln!(out, "| `{}` | {} | {} |", r.id, r.class.as_str(), r.summary)?;
                    }
                }
                RulesFormat::Json => {
                    let list: Vec<serde_json::Value> = rules
                        .iter()
                        .map(|r| serde_json::json!({"id": r.id, "class": r.class, "summary": r.summary}))
                        .collect();
                    serde_json::to_writer_pretty(&mut out, &list)?;
                    writeln!(out)?;
                }
            }
            out.flush()?;
        }
        Command::Validate {
            paths,
            format: SummaryFormat::Json,
        } => {
            let (loaded, errors, warnings) = match load::load_with(&paths, options) {
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
            let mut out = output(None)?;
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
            out.flush()?;
            return Ok(if errors.is_empty() {
                EXIT_OK
            } else {
                EXIT_ERROR
            });
        }
        Command::Validate {
            paths,
            format: SummaryFormat::Text,
        } => {
            let loaded = load_model(&paths, options)?;
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
        }
    }
    Ok(EXIT_OK)
}

/// Today, read once: `RIPPLE_TODAY=YYYY-MM-DD` (for reproducible CI runs and tests) or the
/// clock. A `RIPPLE_TODAY` that is not a date is an error, not silently ignored.
fn today() -> Result<jiff::civil::Date> {
    match std::env::var("RIPPLE_TODAY") {
        Ok(text) => crate::model::parse_date(&text).map_err(|e| {
            anyhow::anyhow!("RIPPLE_TODAY={text:?} is not a date (expected YYYY-MM-DD): {e}")
        }),
        Err(std::env::VarError::NotPresent) => Ok(jiff::Zoned::now().date()),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("RIPPLE_TODAY is not a date (expected YYYY-MM-DD)")
        }
    }
}

/// The options of a contract diff whose inputs are `paths`: today, and a boundary around the
/// repositories they are in.
fn diff_options(paths: &[&std::path::Path]) -> Result<contract::DiffOptions> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let paths: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
    Ok(contract::DiffOptions {
        today: today()?,
        boundary: crate::source::boundary::Boundary::around(&paths, &cwd, false),
    })
}

/// The environment state for a model: declared versions, overlaid by environment files.
fn deployments(
    graph: &crate::model::Graph,
    paths: &[PathBuf],
    state: Option<&std::path::Path>,
) -> Result<crate::model::Deployments> {
    let mut deployments = crate::model::Deployments::from_graph(graph);
    let dir = match state {
        Some(dir) => {
            if !dir.is_dir() {
                bail!("--state {}: no such directory", dir.display());
            }
            Some(dir.to_path_buf())
        }
        None => environments::default_dir(paths),
    };
    if let Some(dir) = dir {
        let recorded = environments::read(&environments::files(&dir), Some(graph))?;
        deployments.overlay(&recorded);
    }
    Ok(deployments)
}

fn order_line(order: &[Vec<String>]) -> String {
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

/// Update the environment file of `env` in `dir` with `items`.
fn record_deployment(
    items: &[String],
    env: &str,
    region: Option<&str>,
    add: bool,
    undeploy: bool,
    dir: &std::path::Path,
) -> Result<()> {
    let region = region.unwrap_or(crate::model::ALL_REGIONS);
    // The file that holds `env`, or a new `<env>.yaml`.
    let mut target = dir.join(format!("{env}.yaml"));
    for file in environments::files(dir) {
        let one = environments::read(std::slice::from_ref(&file), None)?;
        if one.has_environment(env) {
            target = file;
            break;
        }
    }
    let mut state = if target.exists() {
        environments::read(std::slice::from_ref(&target), None)?
    } else {
        crate::model::Deployments::default()
    };
    for item in items {
        let (id, version) = match item.rsplit_once('@') {
            Some((id, v)) => (
                id,
                Some(
                    crate::model::parse_version(v)
                        .with_context(|| format!("`{item}`: not a semver version"))?,
                ),
            ),
            None if undeploy => (item.as_str(), None),
            None => bail!("`{item}` is not COMPONENT@VERSION (e.g. service:checkout@2.4.0)"),
        };
        crate::model::parse_id(id).with_context(|| format!("`{item}`"))?;
        match (undeploy, version) {
            (true, v) => state.remove(env, id, region, v.as_ref()),
            (false, Some(v)) if add => state.add(env, id, region, v),
            (false, Some(v)) => state.set(env, id, region, [v]),
            (false, None) => unreachable!("a version is required unless undeploying"),
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut text = Vec::new();
    environments::write(&state, env, &mut text)?;
    let tmp = target.with_extension("yaml.tmp");
    std::fs::write(&tmp, &text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &target).with_context(|| format!("cannot write {}", target.display()))?;
    eprintln!("recorded in {}", target.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exit_codes_are_distinct() {
        assert_ne!(EXIT_OK, EXIT_UNSAFE);
        assert_ne!(EXIT_UNSAFE, EXIT_ERROR);
    }
}
