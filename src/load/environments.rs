//! Environment files: `environments/<env>.yaml`, what runs where, kept in the repository so that
//! CI reads the same state people review.
//!
//! ```yaml
//! environment: production          # optional, defaults to the file name
//! deployments:
//!   service:order-service: 2.4.0   # every region
//!   service:checkout-service:
//!     eu-west-1: 3.2.0
//!     us-east-1: [3.2.0, 3.3.0]    # two versions live: a rollout in progress
//!     other-regions: 3.1.0         # every region not listed
//!   api:payments-api: []           # runs nowhere here (overrides the model's `environments`)
//! ```
//!
//! `"*"` is read as `other-regions`, as older files wrote it. Writing is [`crate::load::state`]'s
//! business: this module reads, and writes whole new files.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{ALL_REGIONS, Deployments, Graph, parse_id, parse_version};
use crate::source::diagnostic::{Code, Diagnostic, Location, ModelErrors};
use crate::source::yaml::{self, Node, Value};

/// How environment files spell the region key of versions that run in every region without an
/// entry of its own ([`ALL_REGIONS`]).
pub const OTHER_REGIONS: &str = "other-regions";

/// The region a key of a component's region map names: `other-regions` and `"*"` are
/// [`ALL_REGIONS`].
pub fn region_of_key(key: &str) -> &str {
    if key == OTHER_REGIONS || key == ALL_REGIONS {
        ALL_REGIONS
    } else {
        key
    }
}

/// How a region is written as a key in an environment file.
pub fn key_of_region(region: &str) -> &str {
    if region == ALL_REGIONS {
        OTHER_REGIONS
    } else {
        region
    }
}

/// The environment an environment file holds: its `environment:` value, or its file name
/// without the extension. `None` for a file that cannot be read or parsed, or that is another
/// tool's (it has `apiVersion` or `kind`).
pub fn environment_name(path: &Path) -> Option<String> {
    let text = crate::source::file::read_text(path, Default::default()).ok()?;
    let doc = yaml::parse(&text).ok()?.into_iter().next();
    if let Some(doc) = &doc {
        if doc.get("apiVersion").is_some() || doc.get("kind").is_some() {
            return None;
        }
        if let Some(env) = doc.get("environment").and_then(Node::as_str) {
            return Some(env.to_owned());
        }
    }
    path.file_stem()
        .and_then(|s| s.to_str())
        .map(ToOwned::to_owned)
}

/// The environment files in `dir` (`*.yaml`, `*.yml`), sorted. A missing directory has none.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
}

/// Where environment files live for a model given as `paths`: `environments/` inside the first
/// directory, or beside the first file.
pub fn default_dir(paths: &[PathBuf]) -> Option<PathBuf> {
    let first = paths.first()?;
    let base = if first.is_dir() {
        first.clone()
    } else {
        first.parent().unwrap_or(Path::new(".")).to_path_buf()
    };
    Some(base.join("environments"))
}

/// Read environment files. Component ids must exist in `graph` when one is given.
pub fn read(files: &[PathBuf], graph: Option<&Graph>) -> Result<Deployments, ModelErrors> {
    let mut state = Deployments::default();
    let mut errors = Vec::new();
    for path in files {
        read_one(path, graph, &mut state, &mut errors);
    }
    state_or_errors(state, errors)
}

/// The state read, or every error found reading it, sorted.
fn state_or_errors(
    state: Deployments,
    mut errors: Vec<Diagnostic>,
) -> Result<Deployments, ModelErrors> {
    if errors.is_empty() {
        Ok(state)
    } else {
        crate::source::diagnostic::sort(&mut errors);
        Err(ModelErrors {
            errors,
            warnings: Vec::new(),
        })
    }
}

fn read_one(
    path: &Path,
    graph: Option<&Graph>,
    state: &mut Deployments,
    errors: &mut Vec<Diagnostic>,
) {
    let name: Arc<str> = crate::source::path::display(path);
    let text = match crate::source::file::read_text(path, Default::default()) {
        Ok(t) => t,
        Err(e) => {
            errors.push(e.to_diagnostic(name));
            return;
        }
    };
    read_text(path, &text, graph, state, errors);
}

/// Read the text of the environment file `path` (named in messages; its file name gives the
/// environment when the text does not), as [`read`] reads files.
pub fn parse(path: &Path, text: &str, graph: Option<&Graph>) -> Result<Deployments, ModelErrors> {
    let mut state = Deployments::default();
    let mut errors = Vec::new();
    read_text(path, text, graph, &mut state, &mut errors);
    state_or_errors(state, errors)
}

fn read_text(
    path: &Path,
    text: &str,
    graph: Option<&Graph>,
    state: &mut Deployments,
    errors: &mut Vec<Diagnostic>,
) {
    let name: Arc<str> = crate::source::path::display(path);
    let at = |pos: yaml::Pos| Location::new(name.clone(), pos.line, pos.column);
    let doc = match yaml::parse(text) {
        Ok(mut docs) if !docs.is_empty() => docs.swap_remove(0),
        Ok(_) => return,
        Err(e) => {
            errors.push(Diagnostic::error(
                Code::Syntax,
                at(e.pos),
                format!("malformed YAML: {}", e.message),
            ));
            return;
        }
    };
    if doc.is_null() {
        return;
    }
    // A folder called `environments` may hold other tools' files (Backstage's `kind:
    // Environment` entities, Helm values): only ripple's own environment files are read.
    if doc.get("apiVersion").is_some() || doc.get("kind").is_some() {
        return;
    }
    let Some(map) = doc.as_map() else {
        errors.push(Diagnostic::error(
            Code::InvalidValue,
            at(doc.pos),
            "expected a mapping with `deployments:`",
        ));
        return;
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_owned();
    let mut env = stem;
    let mut deployments = None;
    for (key, value) in map {
        match key.as_str() {
            Some("environment") => match value.as_str() {
                Some(e) => env = e.to_owned(),
                None => errors.push(Diagnostic::error(
                    Code::InvalidValue,
                    at(value.pos),
                    "expected the environment's name",
                )),
            },
            Some("deployments") => deployments = Some(value),
            Some(other) if other.starts_with("x-") => {}
            Some(other) => errors.push(Diagnostic::error(
                Code::UnknownField,
                at(key.pos),
                format!("unknown key `{other}` in an environment file, expected `environment` or `deployments`"),
            )),
            None => {}
        }
    }
    let Some(deployments) = deployments else {
        return;
    };
    let Some(entries) = deployments.as_map() else {
        if !deployments.is_null() {
            errors.push(Diagnostic::error(
                Code::InvalidValue,
                at(deployments.pos),
                "expected `deployments:` to map component ids to versions",
            ));
        }
        return;
    };
    for (key, value) in entries {
        let Some(id) = key.as_str() else { continue };
        if let Err(e) = parse_id(id) {
            errors.push(Diagnostic::error(
                Code::InvalidValue,
                at(key.pos),
                e.to_string(),
            ));
            continue;
        }
        if let Some(graph) = graph
            && graph.get(id).is_none()
        {
            errors.push(Diagnostic::error(
                Code::DanglingReference,
                at(key.pos),
                format!("{id} is deployed in `{env}` but is not defined in the model"),
            ));
            continue;
        }
        match &value.value {
            Value::Map(regions) => {
                for (region, versions) in regions {
                    let Some(region) = region.as_str() else {
                        continue;
                    };
                    let parsed = versions_of(versions, &name, errors);
                    state.set(&env, id, region_of_key(region), parsed);
                }
            }
            _ => {
                let parsed = versions_of(value, &name, errors);
                state.set(&env, id, ALL_REGIONS, parsed);
            }
        }
    }
}

fn versions_of(node: &Node, name: &Arc<str>, errors: &mut Vec<Diagnostic>) -> Vec<semver::Version> {
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        _ => vec![node],
    };
    items
        .into_iter()
        .filter_map(|item| {
            let location = Location::new(name.clone(), item.pos.line, item.pos.column);
            match item.as_str().map(parse_version) {
                Some(Ok(v)) => Some(v),
                Some(Err(e)) => {
                    errors.push(Diagnostic::error(
                        Code::InvalidSemver,
                        location,
                        format!(
                            "version `{}` is not semver: {e}",
                            item.as_str().unwrap_or("")
                        ),
                    ));
                    None
                }
                None => {
                    errors.push(Diagnostic::error(
                        Code::InvalidValue,
                        location,
                        "expected a version or a list of versions",
                    ));
                    None
                }
            }
        })
        .collect()
}

/// Versions as an environment file writes them: `1.2.0`, `[1.2.0, 1.3.0]`, or `[]` for none.
pub fn versions_text(versions: &BTreeSet<semver::Version>) -> String {
    if versions.len() == 1 {
        versions
            .iter()
            .next()
            .map(ToString::to_string)
            .unwrap_or_default()
    } else {
        let list: Vec<String> = versions.iter().map(ToString::to_string).collect();
        format!("[{}]", list.join(", "))
    }
}

/// The lines of one component's entry, without the final newline, indented by `indent` spaces:
/// a single line when the component runs the same versions in every region, otherwise a
/// mapping of regions (`other-regions` for [`ALL_REGIONS`]).
pub fn entry_lines(
    component: &str,
    regions: &BTreeMap<String, BTreeSet<semver::Version>>,
    indent: usize,
) -> Vec<String> {
    let pad = " ".repeat(indent);
    match (regions.len(), regions.get(ALL_REGIONS)) {
        (0, _) => vec![format!("{pad}\"{component}\": []")],
        (1, Some(versions)) => vec![format!("{pad}\"{component}\": {}", versions_text(versions))],
        _ => {
            let mut lines = vec![format!("{pad}\"{component}\":")];
            // Named regions first, then the default for the others.
            let named = regions.iter().filter(|(r, _)| *r != ALL_REGIONS);
            let rest = regions.iter().filter(|(r, _)| *r == ALL_REGIONS);
            for (region, versions) in named.chain(rest) {
                lines.push(format!(
                    "{pad}  \"{}\": {}",
                    key_of_region(region),
                    versions_text(versions)
                ));
            }
            lines
        }
    }
}

/// Write the state of `env` as a new environment file (sorted, so that diffs of it are minimal).
pub fn write(state: &Deployments, env: &str, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "# What runs in {env}; maintained by `ripple record-deployment`."
    )?;
    writeln!(out, "environment: {env}")?;
    writeln!(out, "deployments:")?;
    for (component, regions) in state.components(env) {
        for line in entry_lines(component, regions, 2) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}
