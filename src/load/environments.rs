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
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{ALL_REGIONS, Deployments, Graph, parse_id, parse_version};
use crate::source::diagnostic::{Code, Diagnostic, Location, ModelErrors};
use crate::source::yaml::{self, Node, Value};

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
    let at = |pos: yaml::Pos| Location::new(name.clone(), pos.line, pos.column);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            errors.push(Diagnostic::error(
                Code::Io,
                Location::new(name.clone(), 0, 0),
                format!("cannot read: {e}"),
            ));
            return;
        }
    };
    let doc = match yaml::parse(&text) {
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
                    state.set(&env, id, region, parsed);
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

/// Write the state of `env` as an environment file (sorted, so that diffs of it are minimal).
pub fn write(state: &Deployments, env: &str, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "# What runs in {env}; maintained by `ripple record-deployment`."
    )?;
    writeln!(out, "environment: {env}")?;
    writeln!(out, "deployments:")?;
    for (component, regions) in state.components(env) {
        let list = |versions: &std::collections::BTreeSet<semver::Version>| -> String {
            if versions.len() == 1 {
                versions
                    .iter()
                    .next()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            } else {
                format!(
                    "[{}]",
                    versions
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        };
        match (regions.len(), regions.get(ALL_REGIONS)) {
            (0, _) => {}
            (1, Some(versions)) => writeln!(out, "  \"{component}\": {}", list(versions))?,
            _ => {
                writeln!(out, "  \"{component}\":")?;
                for (region, versions) in regions {
                    writeln!(out, "    \"{region}\": {}", list(versions))?;
                }
            }
        }
    }
    Ok(())
}

/// Why a deployment could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// An argument that is not `COMPONENT@VERSION` (or, undeploying, `COMPONENT`).
    #[error("`{0}`: {1}")]
    Syntax(String, String),
    /// The environment files could not be read.
    #[error(transparent)]
    Read(#[from] ModelErrors),
    /// The environment file could not be written.
    #[error("cannot write {0}: {1}")]
    Write(String, std::io::Error),
}

/// Record deployments in the environment file of `env` in `dir` (the file that declares `env`,
/// or a new `<env>.yaml`): each item `COMPONENT@VERSION` replaces what runs in `region` (every
/// region when `None`), or joins it with `add`; with `undeploy`, `COMPONENT@VERSION` or
/// `COMPONENT` removes that version or every version. Returns the file written.
pub fn record(
    items: &[String],
    env: &str,
    region: Option<&str>,
    add: bool,
    undeploy: bool,
    dir: &Path,
) -> Result<PathBuf, RecordError> {
    let region = region.unwrap_or(ALL_REGIONS);
    let mut target = dir.join(format!("{env}.yaml"));
    for file in files(dir) {
        let one = read(std::slice::from_ref(&file), None)?;
        if one.has_environment(env) {
            target = file;
            break;
        }
    }
    let mut state = if target.exists() {
        read(std::slice::from_ref(&target), None)?
    } else {
        Deployments::default()
    };
    for item in items {
        let (id, version) = match item.rsplit_once('@') {
            Some((id, v)) => (
                id,
                Some(parse_version(v).map_err(|e| {
                    RecordError::Syntax(item.clone(), format!("not a semver version: {e}"))
                })?),
            ),
            None if undeploy => (item.as_str(), None),
            None => {
                return Err(RecordError::Syntax(
                    item.clone(),
                    "not COMPONENT@VERSION (e.g. service:checkout@2.4.0)".to_owned(),
                ));
            }
        };
        parse_id(id).map_err(|e| RecordError::Syntax(item.clone(), e.to_string()))?;
        match (undeploy, version) {
            (true, v) => state.remove(env, id, region, v.as_ref()),
            (false, Some(v)) if add => state.add(env, id, region, v),
            (false, Some(v)) => state.set(env, id, region, [v]),
            (false, None) => {
                return Err(RecordError::Syntax(item.clone(), "no version".to_owned()));
            }
        }
    }
    let fail = |e| RecordError::Write(target.display().to_string(), e);
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut text = Vec::new();
    write(&state, env, &mut text).map_err(fail)?;
    let tmp = target.with_extension("yaml.tmp");
    std::fs::write(&tmp, &text).map_err(fail)?;
    std::fs::rename(&tmp, &target).map_err(fail)?;
    Ok(target)
}
