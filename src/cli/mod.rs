//! The command line: clap definitions ([`args`]), then one function per command
//! (`commands`). This module holds what every command shares: the exit codes, reading the
//! model and environment state, the clock and the current directory (read here, once, and passed
//! to the library), and reporting errors.
//!
//! Exit codes are the same for every command: 0 safe, 1 unsafe findings, 2 error (bad input or
//! usage).

pub mod args;
mod commands;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;

use crate::contract::{ContractErrors, DiffOptions};
use crate::load::{self, Loaded, environments};
use crate::model::{Deployments, Graph};
use crate::render;
use crate::source::boundary::Boundary;
use crate::source::diagnostic::{Code, Diagnostic, ModelErrors, plural};

pub use args::Cli;

/// Exit code for "the inputs are fine and nothing is unsafe".
pub const EXIT_OK: u8 = 0;
/// Exit code for "unsafe findings" (breaking changes, incompatible versions).
pub const EXIT_UNSAFE: u8 = 1;
/// Exit code for errors: bad input, bad usage.
pub const EXIT_ERROR: u8 = 2;

/// Parse `args` and run the command. Errors that are the user's (bad input) are reported here
/// and become exit code 2.
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
    match commands::execute(cli) {
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

/// What every command of one run shares: the global options, and the process state the library
/// never reads itself (the current directory, the clock, `RIPPLE_TODAY`).
struct Session {
    lenient: bool,
    allow_outside_root: bool,
    /// The directory ripple runs in, read once.
    cwd: PathBuf,
}

impl Session {
    fn new(global: &args::Global) -> Result<Self> {
        Ok(Session {
            lenient: global.lenient,
            allow_outside_root: global.allow_outside_root,
            cwd: std::env::current_dir().context("cannot read the current directory")?,
        })
    }

    fn load_options(&self) -> load::Options {
        load::Options {
            lenient: self.lenient,
            allow_outside_root: self.allow_outside_root,
            cwd: Some(self.cwd.clone()),
        }
    }

    /// Load the model at `paths`, printing its warnings.
    fn load(&self, paths: &[PathBuf]) -> Result<Loaded> {
        self.load_model_in(paths, false)
    }

    /// Load the model; `defaulted` says the path is the current directory because none was
    /// given, so that conflicting models there get a hint to name one.
    fn load_model_in(&self, paths: &[PathBuf], defaulted: bool) -> Result<Loaded> {
        match load::load_with(paths, self.load_options()) {
            Ok(loaded) => {
                warn(&loaded.warnings);
                Ok(loaded)
            }
            Err(errors) if defaulted && conflicting(&errors) => {
                report(&errors);
                bail!(
                    "the current directory holds several models that disagree (the same components defined in more than one place): name the model's files or directory, e.g. `ripple check service:x@1.2.0 ripple/`"
                )
            }
            Err(errors) => Err(errors.into()),
        }
    }

    /// Today, read once: `RIPPLE_TODAY=YYYY-MM-DD` (for reproducible CI runs and tests) or the
    /// clock. A `RIPPLE_TODAY` that is not a date is an error, not silently ignored.
    fn today(&self) -> Result<jiff::civil::Date> {
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

    /// A boundary around the repositories of `paths`.
    fn boundary(&self, paths: &[&Path]) -> Boundary {
        let paths: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
        Boundary::around(&paths, &self.cwd, self.allow_outside_root)
    }

    /// The options of a contract diff whose inputs are `paths`.
    fn diff_options(&self, paths: &[&Path]) -> Result<DiffOptions> {
        Ok(DiffOptions {
            today: self.today()?,
            boundary: self.boundary(paths),
        })
    }

    /// The environment state for a model: declared versions, overlaid by environment files.
    fn deployments(
        &self,
        graph: &Graph,
        paths: &[PathBuf],
        state: &args::StateDir,
    ) -> Result<Deployments> {
        let mut deployments = Deployments::from_graph(graph);
        let dir = match &state.state {
            Some(dir) => {
                if !dir.is_dir() {
                    bail!("--state {}: no such directory", dir.display());
                }
                Some(dir.clone())
            }
            None => environments::default_dir(paths),
        };
        if let Some(dir) = dir {
            let recorded = environments::read(&environments::files(&dir), Some(graph))?;
            deployments.overlay(&recorded);
        }
        Ok(deployments)
    }
}

/// Whether a failed load failed because models disagree (the same ids from several files).
fn conflicting(errors: &ModelErrors) -> bool {
    errors
        .errors
        .iter()
        .any(|d| matches!(d.code, Code::Conflict | Code::DuplicateId))
}

/// Standard output, or a file created (and only created) once there is something to write.
fn output(path: Option<&Path>) -> Result<Box<dyn Write>> {
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
    to: &args::FindingsOutput,
) -> Result<()> {
    let mut out = output(to.output.output.as_deref())?;
    render::findings::write(findings, to.format, &mut out)?;
    out.flush()?;
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
    fn every_argument_has_help() {
        let cli = Cli::command();
        let mut missing = Vec::new();
        for command in cli.get_subcommands() {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" || arg.is_hide_set() {
                    continue;
                }
                if arg.get_help().is_none() {
                    missing.push(format!("{} {id}", command.get_name()));
                }
            }
        }
        assert!(missing.is_empty(), "arguments without help: {missing:?}");
    }

    #[test]
    fn exit_codes_are_distinct() {
        assert_ne!(EXIT_OK, EXIT_UNSAFE);
        assert_ne!(EXIT_UNSAFE, EXIT_ERROR);
    }
}
