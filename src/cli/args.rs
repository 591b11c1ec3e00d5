//! The command line's definitions (clap), apart from what the commands do (`super::commands`).
//!
//! Every command takes the model the same way: positional `PATH...` (files or directories),
//! the current directory when none is given to a command that can default. Options shared by
//! several commands are argument groups flattened into each (`--state`, `--format`, `-o`).

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::findings::FindingsFormat;

#[derive(Debug, Parser)]
#[command(
    name = "ripple",
    version,
    about = "What a change will break, and in which order to ship it",
    long_about = None,
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Load what is known when the model names components it does not define: dangling
    /// references become warnings and their dependencies are left out.
    #[arg(long, global = true)]
    pub lenient: bool,
    /// Follow references written inside files (Backstage Location targets, `$ref`s, protobuf
    /// imports) even where they lead outside the repositories named on the command line.
    #[arg(long, global = true)]
    pub allow_outside_root: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Summarise the model: counts by kind, systems, owners, cycles and orphans.
    Graph {
        #[command(flatten)]
        model: ModelPaths,
        /// Output format.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        format: SummaryFormat,
    },
    /// Write the model (or a neighbourhood of it) as JSON, Graphviz DOT or Mermaid.
    Export {
        #[command(flatten)]
        model: ModelPaths,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Only the components within --depth dependencies of this id (e.g. service:checkout).
        #[arg(long, value_name = "ID")]
        focus: Option<String>,
        /// How far from --focus to go, in dependencies, in either direction.
        #[arg(long, default_value_t = 1, requires = "focus")]
        depth: usize,
        #[command(flatten)]
        output: OutputFile,
    },
    /// Merge graph fragments (and any other model files) into one fragment.
    Merge {
        #[command(flatten)]
        model: ModelPaths,
        #[command(flatten)]
        output: OutputFile,
    },
    /// Compare two versions of a contract (OpenAPI/Swagger, AsyncAPI, protobuf, SQL); exit 1 if
    /// anything breaks.
    Diff(DiffArgs),
    /// Can these versions be deployed to ENV? Exit 0 safe, 1 unsafe, 2 error.
    Check(CheckArgs),
    /// Dependencies whose consumer's requirement and the provider running beside it disagree.
    Skew {
        #[command(flatten)]
        model: ModelPaths,
        /// Only this environment (default: every environment).
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        #[command(flatten)]
        state: StateDir,
        #[command(flatten)]
        report: FindingsOutput,
    },
    /// Deprecations still in use: what each consumer must migrate away from, and by when. Exit 1
    /// if a sunset has passed while a consumer still uses the element.
    #[command(alias = "windows")]
    Deprecations {
        #[command(flatten)]
        model: ModelPaths,
        #[command(flatten)]
        state: StateDir,
        #[command(flatten)]
        report: FindingsOutput,
    },
    /// Record what now runs in an environment, in its environment file.
    RecordDeployment(RecordArgs),
    /// List every rule a finding can name (id, class and meaning), or show one.
    Rules {
        /// Show only these rules (ids as `ripple rules` lists them).
        #[arg(value_name = "RULE")]
        ids: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Check the model files and report every problem; exit 2 if there is any error.
    Validate {
        #[command(flatten)]
        model: ModelPaths,
        /// `json` prints every diagnostic as JSON on standard output, for tools.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        format: SummaryFormat,
    },
}

/// The model: positional paths, at least one.
#[derive(Debug, Args)]
pub struct ModelPaths {
    /// Model files (ripple.yaml, catalog-info.yaml, fragment .json, pacts) or directories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Where environment state is kept.
#[derive(Debug, Args)]
pub struct StateDir {
    /// Directory of environment files (default: `environments/` beside the model).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
}

/// An output file instead of standard output.
#[derive(Debug, Args)]
pub struct OutputFile {
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How findings are written.
#[derive(Debug, Args)]
pub struct FindingsOutput {
    /// Output format: text for people, json for tools, markdown for pull-request comments,
    /// junit and sarif for CI dashboards, github for workflow annotations.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
    pub format: FindingsFormat,
    #[command(flatten)]
    pub output: OutputFile,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old contract: a file, or a directory (split spec, proto module, migrations folder).
    pub old: PathBuf,
    /// The new contract.
    pub new: PathBuf,
    /// Model files or directories: list the consumers each change breaks.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub graph: Vec<PathBuf>,
    /// The api the contract belongs to (default: the api whose `definition` is NEW or OLD).
    #[arg(long, value_name = "ID", requires = "graph")]
    pub api: Option<String>,
    /// The old contract's version, when it does not declare one (`info.version`); semver.
    #[arg(long, value_name = "VERSION", value_parser = parse_semver)]
    pub old_version: Option<String>,
    /// The new contract's version, when it does not declare one; semver.
    #[arg(long, value_name = "VERSION", value_parser = parse_semver)]
    pub new_version: Option<String>,
    #[command(flatten)]
    pub report: FindingsOutput,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The release, COMPONENT@VERSION (e.g. service:checkout@2.4.0), and the model's files or
    /// directories (default: the current directory), in any order.
    #[arg(required = true, value_name = "COMPONENT@VERSION|PATH")]
    pub items: Vec<String>,
    /// The environment to deploy to.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// Only this region of ENV (default: every version live anywhere in ENV).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Model files or directories (the same as giving them as positional paths).
    #[arg(long, value_name = "PATH", num_args = 1.., hide = true)]
    pub graph: Vec<PathBuf>,
    #[command(flatten)]
    pub state: StateDir,
    /// A candidate api's new contract, compared with the model's `definition` for the
    /// consumers running in ENV: ID=PATH (repeatable).
    #[arg(long, value_name = "ID=PATH")]
    pub contract: Vec<String>,
    #[command(flatten)]
    pub report: FindingsOutput,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// COMPONENT@VERSION (e.g. service:checkout@2.4.0; with --undeploy, COMPONENT alone removes
    /// every version), mixed with model files or directories (default: the current directory).
    #[arg(required = true, value_name = "PATH|COMPONENT@VERSION")]
    pub arguments: Vec<String>,
    /// The environment.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// Create ENV when no environment file holds it and the model does not name it.
    #[arg(long)]
    pub new_env: bool,
    /// The region; without it the version holds in every region.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Keep the versions already live (a rollout: two versions run at once).
    #[arg(long, conflicts_with = "undeploy")]
    pub add: bool,
    /// Remove the version (or every version) instead of deploying it.
    #[arg(long)]
    pub undeploy: bool,
    #[command(flatten)]
    pub state: StateDir,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SummaryFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RulesFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormat {
    Json,
    Dot,
    Mermaid,
}

/// The findings formats as command-line values; the renderer itself knows nothing of clap.
impl ValueEnum for FindingsFormat {
    fn value_variants<'a>() -> &'a [Self] {
        FindingsFormat::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

/// A semver version, as `--old-version`/`--new-version` take it.
fn parse_semver(text: &str) -> Result<String, String> {
    crate::model::parse_version(text)
        .map(|_| text.to_owned())
        .map_err(|e| format!("not a semver version (e.g. 2.4.0): {e}"))
}
