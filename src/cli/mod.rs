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

use crate::analyze::{consumers, summary};
use crate::contract::{self, ContractErrors};
use crate::diagnostic::{Diagnostic, ModelErrors, plural};
use crate::load::{self, Loaded};
use crate::render;

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
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
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
enum DiffFormat {
    Text,
    Json,
    Markdown,
    Junit,
    Sarif,
    Github,
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

fn load_model(paths: &[PathBuf]) -> Result<Loaded> {
    let loaded = load::load(paths)?;
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

fn execute(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Graph { paths, format } => {
            let loaded = load_model(&paths)?;
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
            let loaded = load_model(&paths)?;
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
            let loaded = load_model(&paths)?;
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
            let mut diff = contract::diff_paths(&old, &new)?;
            if old_version.is_some() {
                diff.old_version = old_version;
            }
            if new_version.is_some() {
                diff.new_version = new_version;
            }
            let model = if graph.is_empty() {
                None
            } else {
                Some(load_model(&graph)?.graph)
            };
            let report = consumers::report(diff, model.as_ref(), api.as_deref())?;
            let mut out = output(path.as_ref())?;
            match format {
                DiffFormat::Text => render::diff::text(&report, &mut out)?,
                DiffFormat::Json => render::diff::json(&report, &mut out)?,
                DiffFormat::Markdown => render::diff::markdown(&report, &mut out)?,
                DiffFormat::Junit => render::diff::junit(&report, &mut out)?,
                DiffFormat::Sarif => render::diff::sarif(&report, &mut out)?,
                DiffFormat::Github => render::diff::github(&report, &mut out)?,
            }
            out.flush()?;
            return Ok(if report.breaking() > 0 {
                EXIT_UNSAFE
            } else {
                EXIT_OK
            });
        }
        Command::Validate {
            paths,
            format: SummaryFormat::Json,
        } => {
            let (loaded, errors, warnings) = match load::load(&paths) {
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
            let loaded = load_model(&paths)?;
            println!(
                "ok: {} read, {} components, {} dependencies{}",
                plural(loaded.files.len(), "model file"),
                loaded.graph.component_count(),
                loaded.graph.dependency_count(),
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
