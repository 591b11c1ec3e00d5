//! Recording deployments in environment files: what `ripple record-deployment` does.
//!
//! A write must not damage anything. The environment's name is checked before it becomes a file
//! name; the components and versions named are checked against the model and the file; the new
//! text replaces the file atomically, through a temporary file created exclusively beside it; a
//! symbolic link leading out of the state folder is refused. A hand-written file keeps its
//! comments and key order: only the entries that changed are rewritten, every other line stays
//! byte-identical. The edited text is read back before it replaces the file, so an edit that
//! would not record what was asked leaves the file as it was.
//!
//! This module reads no clock, environment variable or current directory: the caller passes the
//! state folder, the model and what to record.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use semver::Version;

use super::assemble::suggest;
use super::environments::{self, entry_lines, key_of_region, region_of_key, versions_text};
use crate::model::{ALL_REGIONS, Deployments, Graph, IdError, Kind, parse_id, parse_version};
use crate::source::diagnostic::ModelErrors;
use crate::source::path::{display, io_reason};
use crate::source::suggest::closest;
use crate::source::yaml::{self, Node, Value};

/// What to do with the versions named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Replace the versions live, in the region or (without one) in every region.
    Deploy,
    /// Add the version beside those live: a rollout in progress.
    Add,
    /// Remove the version, or every version when none is named.
    Undeploy,
}

/// One positional argument of `record-deployment`, which mixes model paths and deployments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Argument {
    /// `kind:name@version` (or `kind:name` when undeploying), or a malformed attempt at one
    /// (`checkout@2.0.0`, `api:a@latest`) that [`record`] reports against the model.
    Deployment(String),
    /// Anything else: a model file or directory.
    Path(PathBuf),
}

impl Argument {
    /// Tell a deployment from a model path. A deployment starts with a component kind
    /// (`service:`), or ends in `@VERSION` with a semver version; with [`Action::Undeploy`] a bare
    /// `kind:name` is one too.
    pub fn classify(text: &str, action: Action) -> Argument {
        let has_kind = text
            .split_once(':')
            .is_some_and(|(kind, _)| kind.parse::<Kind>().is_ok());
        let versioned = text
            .rsplit_once('@')
            .is_some_and(|(_, v)| parse_version(v).is_ok());
        if has_kind || versioned || (action == Action::Undeploy && parse_id(text).is_ok()) {
            Argument::Deployment(text.to_owned())
        } else {
            Argument::Path(PathBuf::from(text))
        }
    }
}

/// What to record, and where.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The model: the components that exist, and the versions it declares per environment.
    pub graph: &'a Graph,
    /// The state folder, holding one file per environment.
    pub dir: &'a Path,
    /// The environment's name.
    pub env: &'a str,
    /// Whether an environment known nowhere (no file, not in the model) may be created.
    pub new_env: bool,
    /// The region; `None` means every region.
    pub region: Option<&'a str>,
    pub action: Action,
    /// The deployments as written on the command line (see [`Argument::Deployment`]).
    pub deployments: &'a [String],
}

/// What [`record`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The environment file.
    pub file: PathBuf,
    /// Whether the file is new.
    pub created: bool,
    /// Whether the file changed (recording what is already recorded changes nothing).
    pub changed: bool,
}

/// Why nothing was recorded. The file was not touched.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The environment file (or another file of the state folder) is invalid: every problem,
    /// with its line and column.
    #[error(transparent)]
    File(#[from] ModelErrors),
    /// The environment is in no file of the state folder and not in the model
    /// ([`Problem::UnknownEnvironment`], whose message names the folder).
    #[error("{0}")]
    UnknownEnvironment(Box<Problem>),
    /// A problem with the request or the state folder, about the file (or folder) named.
    #[error("{file}: {problem}")]
    In {
        /// The environment file, or the state folder when no file is concerned yet.
        file: Arc<str>,
        problem: Box<Problem>,
    },
}

/// What is wrong with a request; see [`RecordError::In`] and [`RecordError::UnknownEnvironment`].
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error(
        "`{0}` is not an environment name: expected letters, digits, `-`, `_` and `.` (not leading)"
    )]
    EnvironmentName(String),
    #[error("`{0}` is not a region name: expected letters, digits, `-`, `_` and `.` (not leading)")]
    RegionName(String),
    #[error(
        "no environment `{env}` in {dir} (known: {known}{suggestion}) — pass --new-env to create it"
    )]
    UnknownEnvironment {
        env: String,
        dir: Arc<str>,
        known: String,
        suggestion: Suggestion,
    },
    #[error("environment `{env}` is in two files, this one and {other}: keep one")]
    TwoFiles { env: String, other: Arc<str> },
    #[error("nothing to record: name COMPONENT@VERSION (e.g. service:checkout@2.4.0)")]
    NothingToRecord,
    #[error("`{0}` is not COMPONENT@VERSION (e.g. service:checkout@2.4.0)")]
    MissingVersion(String),
    #[error("`{text}`: not a semver version: {reason}")]
    NotSemver { text: String, reason: String },
    #[error("`{text}` names no component kind: ids are `kind:name`{candidates}")]
    MissingKind {
        text: String,
        candidates: Candidates,
    },
    #[error("`{text}`: {reason}")]
    BadId { text: String, reason: IdError },
    #[error("{id} is not defined in the model{suggestion}")]
    UnknownComponent { id: String, suggestion: Suggestion },
    #[error("cannot undeploy {wanted}: {place} runs {running}{suggestion}")]
    UnknownVersion {
        /// `id@version`.
        wanted: String,
        place: String,
        running: String,
        suggestion: Suggestion,
    },
    #[error("cannot undeploy {id}: nothing of it runs in {place}")]
    NotRunning { id: String, place: String },
    #[error(
        "cannot record that nothing of {id} runs in {region} while the other regions run {running}: undeploy it without --region, or deploy the region's version"
    )]
    EmptyRegion {
        id: String,
        region: String,
        running: String,
    },
    #[error("line {line}: {reason}")]
    Layout { line: u32, reason: &'static str },
    #[error(
        "is a symbolic link to {target}, outside the state folder {dir}: refusing to write through it"
    )]
    SymlinkOutside { target: String, dir: Arc<str> },
    #[error("exists and is not this environment's file: refusing to replace it")]
    NotAFile,
    #[error("cannot {action}: {reason}")]
    Io {
        action: &'static str,
        reason: String,
    },
    #[error("the edit would not read back as recorded (a bug in ripple); nothing was written")]
    ReadBack,
}

/// ` did you mean X?` (inside a parenthesis) or ` (did you mean X?)`, or nothing.
#[derive(Debug, Default)]
pub struct Suggestion {
    text: Option<String>,
    inside: bool,
}

impl Suggestion {
    fn of(text: Option<String>, inside: bool) -> Self {
        Suggestion { text, inside }
    }
}

impl fmt::Display for Suggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.text, self.inside) {
            (None, _) => Ok(()),
            (Some(t), true) => write!(f, "; did you mean {t}?"),
            (Some(t), false) => write!(f, " (did you mean {t}?)"),
        }
    }
}

/// The ids in the model that a kind-less name may have meant.
#[derive(Debug, Default)]
pub struct Candidates(Vec<String>);

impl fmt::Display for Candidates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [] => Ok(()),
            [one] => write!(f, " (did you mean {one}?)"),
            many => write!(f, " (did you mean one of {}?)", many.join(", ")),
        }
    }
}

/// Check a name that becomes part of a file name or a key: letters, digits, `-`, `_`, `.`, not
/// starting with `.`, no `..`; at most 100 characters.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Check an environment name: it becomes the file name `<env>.yaml`, so it must not be a path.
pub fn check_environment_name(name: &str) -> Result<(), Problem> {
    if is_plain_name(name) {
        Ok(())
    } else {
        Err(Problem::EnvironmentName(name.to_owned()))
    }
}

/// Check a region name. `other-regions` and `*` are the all-regions key, not regions.
pub fn check_region_name(name: &str) -> Result<(), Problem> {
    if is_plain_name(name) && region_of_key(name) == name {
        Ok(())
    } else {
        Err(Problem::RegionName(name.to_owned()))
    }
}

/// A deployment named on the command line, checked against the model.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Deployment {
    component: String,
    version: Option<Version>,
}

fn resolve(graph: &Graph, text: &str, action: Action) -> Result<Deployment, Problem> {
    let (id, version) = match text.rsplit_once('@') {
        Some((id, v)) => match parse_version(v) {
            Ok(v) => (id, Some(v)),
            Err(e) => {
                return Err(Problem::NotSemver {
                    text: text.to_owned(),
                    reason: e.to_string(),
                });
            }
        },
        None if action == Action::Undeploy => (text, None),
        None => return Err(Problem::MissingVersion(text.to_owned())),
    };
    match parse_id(id) {
        Ok(_) => {}
        Err(IdError::MissingKind(_)) => {
            let exact: Vec<String> = graph
                .components()
                .filter(|(_, c)| c.name == id)
                .map(|(_, c)| c.id.clone())
                .collect();
            let candidates = if exact.is_empty() {
                let names: BTreeSet<&str> =
                    graph.components().map(|(_, c)| c.name.as_str()).collect();
                let close = closest(id, names.iter().copied());
                graph
                    .components()
                    .filter(|(_, c)| Some(c.name.as_str()) == close)
                    .map(|(_, c)| c.id.clone())
                    .collect()
            } else {
                exact
            };
            let mut candidates: Vec<String> = candidates
                .into_iter()
                .map(|c| match &version {
                    Some(v) => format!("{c}@{v}"),
                    None => c,
                })
                .collect();
            candidates.sort();
            return Err(Problem::MissingKind {
                text: text.to_owned(),
                candidates: Candidates(candidates),
            });
        }
        Err(reason) => {
            return Err(Problem::BadId {
                text: text.to_owned(),
                reason,
            });
        }
    }
    if graph.get(id).is_none() {
        return Err(Problem::UnknownComponent {
            id: id.to_owned(),
            suggestion: Suggestion::of(suggest(graph, id), false),
        });
    }
    Ok(Deployment {
        component: id.to_owned(),
        version,
    })
}

type Regions = BTreeMap<String, BTreeSet<Version>>;

/// Record `request` in its environment file: the file that holds the environment (by its
/// `environment:` key or its name), or a new `<env>.yaml` in the state folder.
pub fn record(request: &Request<'_>) -> Result<Recorded, RecordError> {
    let dir = request.dir;
    let dir_name = display(dir);
    let in_dir = |problem| RecordError::In {
        file: dir_name.clone(),
        problem: Box::new(problem),
    };
    check_environment_name(request.env).map_err(in_dir)?;
    if let Some(region) = request.region {
        check_region_name(region).map_err(in_dir)?;
    }
    if request.deployments.is_empty() {
        return Err(in_dir(Problem::NothingToRecord));
    }

    // The file that holds the environment, and the environments known.
    let declared = Deployments::from_graph(request.graph);
    let mut known: BTreeSet<String> = declared.environments().map(str::to_owned).collect();
    let mut target: Option<PathBuf> = None;
    for file in environments::files(dir) {
        let Some(env) = environments::environment_name(&file) else {
            continue;
        };
        if env == request.env {
            if let Some(first) = &target {
                // A link to the other, inside the folder, is one file.
                let same = std::fs::canonicalize(first)
                    .ok()
                    .zip(std::fs::canonicalize(&file).ok())
                    .is_some_and(|(a, b)| a == b);
                if same {
                    if std::fs::symlink_metadata(first).is_ok_and(|m| m.file_type().is_symlink()) {
                        // Prefer the file itself to the link.
                        target = Some(file.clone());
                    }
                    continue;
                }
                return Err(RecordError::In {
                    file: display(first),
                    problem: Box::new(Problem::TwoFiles {
                        env,
                        other: display(&file),
                    }),
                });
            }
            target = Some(file.clone());
        }
        known.insert(env);
    }
    let exists = target.is_some();
    let target = target.unwrap_or_else(|| dir.join(format!("{}.yaml", request.env)));
    let file_name = display(&target);
    let in_file = |problem| RecordError::In {
        file: file_name.clone(),
        problem: Box::new(problem),
    };
    let deployments = request
        .deployments
        .iter()
        .map(|d| resolve(request.graph, d, request.action))
        .collect::<Result<Vec<_>, _>>()
        .map_err(in_file)?;
    if !exists && !known.contains(request.env) && !request.new_env {
        // `prod` for `production`: an abbreviation is as likely as a typo.
        let suggestion = closest(request.env, known.iter().map(String::as_str))
            .or_else(|| {
                let mut longer = known.iter().filter(|k| k.starts_with(request.env));
                match (longer.next(), longer.next()) {
                    (Some(one), None) => Some(one.as_str()),
                    _ => None,
                }
            })
            .map(str::to_owned);
        let known = if known.is_empty() {
            "none".to_owned()
        } else {
            known.iter().cloned().collect::<Vec<_>>().join(", ")
        };
        return Err(RecordError::UnknownEnvironment(Box::new(
            Problem::UnknownEnvironment {
                env: request.env.to_owned(),
                dir: dir_name.clone(),
                known,
                suggestion: Suggestion::of(suggestion, true),
            },
        )));
    }
    let write_to = checked_destination(dir, &target, exists).map_err(in_file)?;

    let text = if exists {
        crate::source::file::read_text(&target, Default::default()).map_err(|e| {
            in_file(Problem::Io {
                action: "read",
                reason: e.to_string(),
            })
        })?
    } else {
        String::new()
    };
    let recorded = environments::parse(&target, &text, Some(request.graph))?;

    // The new entry of each component named: what the file records, or else what the model
    // declares (an environment file's entry replaces the model's whole).
    let env = request.env;
    let mut entries: BTreeMap<String, Regions> = BTreeMap::new();
    for d in &deployments {
        let entry = entries.entry(d.component.clone()).or_insert_with(|| {
            recorded
                .entry(env, &d.component)
                .or_else(|| declared.entry(env, &d.component))
                .cloned()
                .unwrap_or_default()
        });
        apply(entry, d, request.action, request.region).map_err(in_file)?;
    }
    // What the file should say about each: nothing when nothing runs and the model declares
    // nothing either; `[]` when the model's declared version must be overridden.
    let changes: BTreeMap<&str, Option<&Regions>> = entries
        .iter()
        .filter_map(|(id, regions)| {
            let wanted = if regions.is_empty() && declared.entry(env, id).is_none() {
                None
            } else {
                Some(regions)
            };
            (recorded.entry(env, id) != wanted).then_some((id.as_str(), wanted))
        })
        .collect();
    if changes.is_empty() && exists {
        return Ok(Recorded {
            file: target,
            created: false,
            changed: false,
        });
    }

    let new_text = if exists {
        edit(&text, &changes).map_err(in_file)?
    } else {
        let mut state = Deployments::default();
        for (id, regions) in &changes {
            if let Some(regions) = regions {
                state.replace(env, id, (*regions).clone());
            }
        }
        let mut out = Vec::new();
        // Writing to memory cannot fail.
        let _ = environments::write(&state, env, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    };

    // Read the result back: every entry named says what was asked, every other is unchanged.
    let reread = environments::parse(&target, &new_text, Some(request.graph))?;
    let mut ids: BTreeSet<&str> = recorded.components(env).map(|(id, _)| id).collect();
    ids.extend(reread.components(env).map(|(id, _)| id));
    ids.extend(changes.keys());
    for id in ids {
        let expected = match changes.get(id) {
            Some(wanted) => *wanted,
            None => recorded.entry(env, id),
        };
        if reread.entry(env, id) != expected {
            return Err(in_file(Problem::ReadBack));
        }
    }

    replace_file(&write_to, new_text.as_bytes(), exists).map_err(in_file)?;
    Ok(Recorded {
        file: target,
        created: !exists,
        changed: true,
    })
}

/// Apply one deployment to a component's entry (region → versions).
fn apply(
    entry: &mut Regions,
    d: &Deployment,
    action: Action,
    region: Option<&str>,
) -> Result<(), Problem> {
    let id = &d.component;
    let place = |r: Option<&str>| match r {
        Some(r) => format!("region {r}"),
        None => "this environment".to_owned(),
    };
    let list = |versions: &BTreeSet<&Version>| {
        versions
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (action, region, &d.version) {
        (Action::Deploy | Action::Add, _, None) => Err(Problem::MissingVersion(id.clone())),
        (Action::Deploy, None, Some(v)) => {
            *entry = BTreeMap::from([(ALL_REGIONS.to_owned(), BTreeSet::from([v.clone()]))]);
            Ok(())
        }
        (Action::Deploy, Some(r), Some(v)) => {
            entry.insert(r.to_owned(), BTreeSet::from([v.clone()]));
            Ok(())
        }
        (Action::Add, None, Some(v)) => {
            for versions in entry.values_mut() {
                versions.insert(v.clone());
            }
            entry
                .entry(ALL_REGIONS.to_owned())
                .or_default()
                .insert(v.clone());
            Ok(())
        }
        (Action::Add, Some(r), Some(v)) => {
            let inherited = entry.get(ALL_REGIONS).cloned().unwrap_or_default();
            entry
                .entry(r.to_owned())
                .or_insert(inherited)
                .insert(v.clone());
            Ok(())
        }
        (Action::Undeploy, None, None) => {
            if entry.values().all(BTreeSet::is_empty) {
                return Err(Problem::NotRunning {
                    id: id.clone(),
                    place: place(None),
                });
            }
            entry.clear();
            Ok(())
        }
        (Action::Undeploy, None, Some(v)) => {
            let running: BTreeSet<&Version> = entry.values().flatten().collect();
            if !running.contains(v) {
                return Err(unknown_version(
                    id,
                    v,
                    place(None),
                    &running,
                    list(&running),
                ));
            }
            for versions in entry.values_mut() {
                versions.remove(v);
            }
            // A named region left with nothing would fall back to the other regions' versions.
            let others = entry.get(ALL_REGIONS).cloned().unwrap_or_default();
            if let Some((r, _)) = entry
                .iter()
                .find(|(r, vs)| *r != ALL_REGIONS && vs.is_empty() && !others.is_empty())
            {
                return Err(Problem::EmptyRegion {
                    id: id.clone(),
                    region: r.clone(),
                    running: list(&others.iter().collect()),
                });
            }
            entry.retain(|_, vs| !vs.is_empty());
            Ok(())
        }
        (Action::Undeploy, Some(r), version) => {
            let base = entry
                .get(r)
                .or_else(|| entry.get(ALL_REGIONS))
                .cloned()
                .unwrap_or_default();
            let left = match version {
                None if base.is_empty() => {
                    return Err(Problem::NotRunning {
                        id: id.clone(),
                        place: place(Some(r)),
                    });
                }
                None => BTreeSet::new(),
                Some(v) if !base.contains(v) => {
                    let running: BTreeSet<&Version> = base.iter().collect();
                    return Err(unknown_version(
                        id,
                        v,
                        place(Some(r)),
                        &running,
                        list(&running),
                    ));
                }
                Some(v) => {
                    let mut left = base;
                    left.remove(v);
                    left
                }
            };
            if !left.is_empty() {
                entry.insert(r.to_owned(), left);
                return Ok(());
            }
            let others = entry.get(ALL_REGIONS).cloned().unwrap_or_default();
            if !others.is_empty() {
                return Err(Problem::EmptyRegion {
                    id: id.clone(),
                    region: r.to_owned(),
                    running: list(&others.iter().collect()),
                });
            }
            entry.remove(r);
            Ok(())
        }
    }
}

fn unknown_version(
    id: &str,
    version: &Version,
    place: String,
    running: &BTreeSet<&Version>,
    list: String,
) -> Problem {
    let texts: Vec<String> = running.iter().map(ToString::to_string).collect();
    let wanted = version.to_string();
    let suggestion =
        closest(&wanted, texts.iter().map(String::as_str)).map(|v| format!("{id}@{v}"));
    Problem::UnknownVersion {
        wanted: format!("{id}@{version}"),
        place,
        running: if list.is_empty() {
            "nothing".to_owned()
        } else {
            list
        },
        suggestion: Suggestion::of(suggestion, false),
    }
}

/// Where to write `target`: itself, or the file its symbolic link leads to when that is inside
/// the state folder. A link leading out of the folder, or to nothing, is refused.
fn checked_destination(dir: &Path, target: &Path, exists: bool) -> Result<PathBuf, Problem> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(target.to_path_buf()),
        Err(e) => {
            return Err(Problem::Io {
                action: "read",
                reason: io_reason(&e),
            });
        }
    };
    if meta.file_type().is_symlink() && !exists {
        return Err(Problem::NotAFile);
    }
    if meta.file_type().is_symlink() {
        let shown = std::fs::read_link(target)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let outside = || Problem::SymlinkOutside {
            target: shown.clone(),
            dir: display(dir),
        };
        let (Ok(resolved), Ok(folder)) =
            (std::fs::canonicalize(target), std::fs::canonicalize(dir))
        else {
            return Err(outside());
        };
        if !resolved.starts_with(&folder) || !resolved.is_file() {
            return Err(outside());
        }
        return Ok(resolved);
    }
    if !meta.is_file() || !exists {
        // Something that is not an environment file of ours sits where the new file would go.
        return Err(Problem::NotAFile);
    }
    Ok(target.to_path_buf())
}

/// Replace `path` with `bytes` atomically: a temporary file created exclusively in the same
/// folder (never through a planted link), flushed, then renamed over `path`.
fn replace_file(path: &Path, bytes: &[u8], exists: bool) -> Result<(), Problem> {
    let io = |action: &'static str| {
        move |e: std::io::Error| Problem::Io {
            action,
            reason: io_reason(&e),
        }
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&folder).map_err(io("create the state folder"))?;
    let mut tmp =
        tempfile::NamedTempFile::new_in(&folder).map_err(io("create a temporary file"))?;
    tmp.write_all(bytes).map_err(io("write"))?;
    let permissions = if exists {
        std::fs::metadata(path).map(|m| m.permissions()).ok()
    } else {
        new_file_permissions()
    };
    if let Some(p) = permissions {
        tmp.as_file().set_permissions(p).map_err(io("write"))?;
    }
    tmp.as_file().sync_all().map_err(io("write"))?;
    tmp.persist(path).map_err(|e| io("replace")(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    // A file under version control, read by CI: readable like one git checks out.
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

// ---------------------------------------------------------------------------------------------
// The minimal edit.

/// Lines replacing `start..end` (0-based line indexes; `start == end` inserts).
struct Edit {
    start: usize,
    end: usize,
    lines: Vec<String>,
}

/// One entry of a block mapping: its key, value, and the lines it spans.
struct Entry<'n> {
    key: &'n Node,
    value: &'n Node,
    /// 0-based line indexes, `end` exclusive, without trailing blank and comment lines.
    start: usize,
    end: usize,
}

/// The text of `text` with the entries of `changes` rewritten (`None`: removed), every other
/// line unchanged.
fn edit(text: &str, changes: &BTreeMap<&str, Option<&Regions>>) -> Result<String, Problem> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let doc = yaml::parse(text)
        .ok()
        .and_then(|docs| docs.into_iter().next());
    let layout = |line: u32, reason| Problem::Layout { line, reason };
    let mut edits: Vec<Edit> = Vec::new();
    let new_entries = |indent: usize| -> Vec<String> {
        changes
            .iter()
            .filter_map(|(id, regions)| regions.map(|r| entry_lines(id, r, indent)))
            .flatten()
            .collect()
    };
    let doc_end = document_end(&lines);
    let top = match &doc {
        None => None,
        Some(d) if d.is_null() => None,
        Some(d) => Some(
            d.as_map()
                .filter(|_| !starts_with_at(&lines, d.pos, '{'))
                .ok_or(layout(
                    d.pos.line,
                    "expected a block mapping with `deployments:`",
                ))?,
        ),
    };
    let deployments = top.and_then(|m| {
        m.iter()
            .find(|(k, _)| k.as_str() == Some("deployments"))
            .map(|(k, v)| (k, v, m))
    });
    let Some((key, value, top)) = deployments else {
        // No `deployments:` yet: add it at the end of the document.
        let mut added = vec!["deployments:".to_owned()];
        added.extend(new_entries(2));
        edits.push(Edit {
            start: doc_end,
            end: doc_end,
            lines: added,
        });
        return Ok(apply_edits(&lines, edits, eol));
    };
    let key_line = line_index(key.pos);
    // Where the `deployments:` block ends: at the next top-level key, or the document's end.
    let block_end = top
        .iter()
        .map(|(k, _)| line_index(k.pos))
        .filter(|l| *l > key_line)
        .min()
        .unwrap_or(doc_end)
        .min(doc_end);
    let entries = match &value.value {
        Value::Map(map) if map.iter().all(|(k, _)| line_index(k.pos) > key_line) => {
            block_entries(&lines, map, block_end)
        }
        Value::Map(map) if !map.is_empty() => {
            return Err(layout(
                value.pos.line,
                "`deployments:` is a flow mapping ({...}); ripple edits block mappings only",
            ));
        }
        Value::Null | Value::Map(_) => {
            // `deployments:` with nothing under it (or `{}`, `~`): the entries go below.
            let rest = after_key(lines[key_line]);
            let keep = rest.trim().is_empty() || rest.trim_start().starts_with('#');
            let mut added = Vec::new();
            if !keep {
                added.push(format!("{}deployments:", indent_of(lines[key_line])));
            }
            let indent = indent_of(lines[key_line]).len() + 2;
            added.extend(new_entries(indent));
            edits.push(Edit {
                start: if keep { key_line + 1 } else { key_line },
                end: key_line + 1,
                lines: added,
            });
            if keep {
                // Insert right after the key line, replacing nothing.
                if let Some(e) = edits.last_mut() {
                    e.end = e.start;
                }
            }
            return Ok(apply_edits(&lines, edits, eol));
        }
        _ => {
            return Err(layout(
                value.pos.line,
                "expected `deployments:` to map component ids to versions",
            ));
        }
    };
    let indent = entries
        .first()
        .map_or(indent_of(lines[key_line]).len() + 2, |e| {
            e.key.pos.column as usize - 1
        });
    let by_id: BTreeMap<&str, &Entry<'_>> = entries
        .iter()
        .filter_map(|e| e.key.as_str().map(|k| (k, e)))
        .collect();
    let insert_at = entries.last().map_or(key_line + 1, |e| e.end);
    let mut added = Vec::new();
    for (id, wanted) in changes {
        match (by_id.get(id), wanted) {
            (None, None) => {}
            (None, Some(regions)) => added.extend(entry_lines(id, regions, indent)),
            (Some(entry), None) => edits.push(Edit {
                start: entry.start,
                end: entry.end,
                lines: Vec::new(),
            }),
            (Some(entry), Some(regions)) => {
                edits.extend(edit_entry(&lines, entry, id, regions, indent));
            }
        }
    }
    if !added.is_empty() {
        edits.push(Edit {
            start: insert_at,
            end: insert_at,
            lines: added,
        });
    }
    Ok(apply_edits(&lines, edits, eol))
}

/// The edits that make `entry` say `regions`: values replaced on their own lines where the
/// shape allows (keeping comments), region lines removed or added, else the entry rewritten.
fn edit_entry(
    lines: &[&str],
    entry: &Entry<'_>,
    id: &str,
    regions: &Regions,
    indent: usize,
) -> Vec<Edit> {
    let whole = || {
        vec![Edit {
            start: entry.start,
            end: entry.end,
            lines: entry_lines(id, regions, indent),
        }]
    };
    let key_line = line_index(entry.key.pos);
    let single = regions.len() == 1 && regions.contains_key(ALL_REGIONS);
    // `id: 1.2.0` or `id: [1.2.0, 1.3.0]` on one line, staying one line.
    if line_index(entry.value.pos) == key_line && entry.end == key_line + 1 {
        if regions.is_empty() || single {
            let versions = regions.values().next().cloned().unwrap_or_default();
            if let Some(line) =
                replace_value(lines[key_line], entry.value, &versions_text(&versions))
            {
                return vec![Edit {
                    start: key_line,
                    end: key_line + 1,
                    lines: vec![line],
                }];
            }
        }
        return whole();
    }
    // A block mapping of regions: edit region by region.
    let Value::Map(map) = &entry.value.value else {
        return whole();
    };
    if regions.is_empty() || map.iter().any(|(k, _)| line_index(k.pos) <= key_line) {
        return whole();
    }
    let region_entries = block_entries(lines, map, entry.end);
    let mut old: BTreeMap<&str, &Entry<'_>> = BTreeMap::new();
    for e in &region_entries {
        let Some(key) = e.key.as_str() else {
            return whole();
        };
        if old.insert(region_of_key(key), e).is_some() {
            return whole();
        }
    }
    let pad = region_entries
        .first()
        .map_or(indent + 2, |e| e.key.pos.column as usize - 1);
    let mut edits = Vec::new();
    let mut added = Vec::new();
    let named = regions.iter().filter(|(r, _)| *r != ALL_REGIONS);
    let rest = regions.iter().filter(|(r, _)| *r == ALL_REGIONS);
    for (region, versions) in named.chain(rest) {
        let text = versions_text(versions);
        match old.get(region.as_str()) {
            None => added.push(format!(
                "{}\"{}\": {text}",
                " ".repeat(pad),
                key_of_region(region)
            )),
            Some(e) => {
                let line = line_index(e.key.pos);
                let same_line = line_index(e.value.pos) == line && e.end == line + 1;
                match replace_value(lines[line], e.value, &text).filter(|_| same_line) {
                    Some(new) if new != lines[line].trim_end_matches(['\r', '\n']) => {
                        edits.push(Edit {
                            start: line,
                            end: line + 1,
                            lines: vec![new],
                        });
                    }
                    Some(_) => {}
                    None => edits.push(Edit {
                        start: e.start,
                        end: e.end,
                        lines: vec![format!(
                            "{}\"{}\": {text}",
                            " ".repeat(pad),
                            e.key.as_str().unwrap_or(region)
                        )],
                    }),
                }
            }
        }
    }
    for (region, e) in &old {
        if !regions.contains_key(*region) {
            edits.push(Edit {
                start: e.start,
                end: e.end,
                lines: Vec::new(),
            });
        }
    }
    if !added.is_empty() {
        let at = region_entries.last().map_or(key_line + 1, |e| e.end);
        edits.push(Edit {
            start: at,
            end: at,
            lines: added,
        });
    }
    edits
}

/// The entries of a block mapping and the lines each spans; the last ends at `end` (exclusive).
fn block_entries<'n>(lines: &[&str], map: &'n [(Node, Node)], end: usize) -> Vec<Entry<'n>> {
    let mut sorted: Vec<&(Node, Node)> = map.iter().collect();
    sorted.sort_by_key(|(k, _)| k.pos);
    let starts: Vec<usize> = sorted.iter().map(|(k, _)| line_index(k.pos)).collect();
    sorted
        .iter()
        .enumerate()
        .map(|(i, (key, value))| {
            let start = starts[i];
            let next = starts.get(i + 1).copied().unwrap_or(end).max(start + 1);
            Entry {
                key,
                value,
                start,
                end: trim_trailing(lines, start, next),
            }
        })
        .collect()
}

/// Move `end` back over blank and comment-only lines, keeping at least the line `start`.
fn trim_trailing(lines: &[&str], start: usize, mut end: usize) -> usize {
    end = end.min(lines.len());
    while end > start + 1 {
        let line = lines[end - 1].trim();
        if line.is_empty() || line.starts_with('#') {
            end -= 1;
        } else {
            break;
        }
    }
    end.max(start + 1).min(lines.len().max(start + 1))
}

/// The line (0-based) after the first document: the end of the file, or a `---`/`...` line
/// that follows content.
fn document_end(lines: &[&str]) -> usize {
    let mut seen_content = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_end();
        if seen_content && (t == "---" || t.starts_with("--- ") || t == "...") {
            return trim_trailing(lines, i.saturating_sub(1), i);
        }
        if !t.is_empty() && !t.starts_with('#') && t != "---" {
            seen_content = true;
        }
    }
    let end = lines.len();
    if end == 0 {
        0
    } else {
        trim_trailing(lines, 0, end).max(if seen_content { 1 } else { 0 })
    }
}

fn line_index(pos: yaml::Pos) -> usize {
    (pos.line as usize).saturating_sub(1)
}

fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches(' ').len()]
}

/// What follows the `key:` on a line (for `deployments:`).
fn after_key(line: &str) -> &str {
    line.split_once(':').map_or("", |(_, rest)| rest)
}

/// The byte offset of the 1-based character column `column` in `line`.
fn byte_at(line: &str, column: u32) -> Option<usize> {
    let skip = (column as usize).checked_sub(1)?;
    match line.char_indices().nth(skip) {
        Some((i, _)) => Some(i),
        None if line.chars().count() == skip => Some(line.len()),
        None => None,
    }
}

fn starts_with_at(lines: &[&str], pos: yaml::Pos, c: char) -> bool {
    lines
        .get(line_index(pos))
        .and_then(|l| byte_at(l, pos.column).map(|i| l[i..].starts_with(c)))
        .unwrap_or(false)
}

/// `line` (without its line break) with the scalar or flow sequence `value` replaced by `new`,
/// keeping what precedes and follows it (a comment). `None` when the value is not on one line.
fn replace_value(line: &str, value: &Node, new: &str) -> Option<String> {
    let body = line.trim_end_matches(['\r', '\n']);
    let start = byte_at(body, value.pos.column)?;
    let rest = &body[start..];
    let len = match &value.value {
        Value::Seq(_) if rest.starts_with('[') => rest.find(']')? + 1,
        Value::Scalar(..) if rest.starts_with('"') || rest.starts_with('\'') => {
            let quote = rest.chars().next()?;
            rest[1..].find(quote)? + 2
        }
        Value::Scalar(_, true) => {
            let end = rest.find(" #").unwrap_or(rest.len());
            rest[..end].trim_end().len()
        }
        _ => return None,
    };
    Some(format!("{}{new}{}", &body[..start], &body[start + len..]))
}

fn apply_edits(lines: &[&str], mut edits: Vec<Edit>, eol: &str) -> String {
    // Stable: edits at one place apply in the order made.
    edits.sort_by_key(|e| e.start);
    let mut out = String::new();
    let mut at = 0;
    for e in edits {
        if e.start < at {
            // Overlapping edits cannot be made; the read-back check refuses the result.
            continue;
        }
        for line in &lines[at..e.start.min(lines.len())] {
            out.push_str(line);
        }
        if !e.lines.is_empty() && !out.is_empty() && !out.ends_with('\n') {
            out.push_str(eol);
        }
        for line in &e.lines {
            out.push_str(line);
            out.push_str(eol);
        }
        at = e.end.max(e.start).min(lines.len());
    }
    for line in &lines[at..] {
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_are_not_paths() {
        for good in ["production", "eu-west_1", "prod.2"] {
            assert!(check_environment_name(good).is_ok(), "{good}");
        }
        for bad in [
            "", "../x", "a/b", "a\\b", ".hidden", "a..b", "x y", "prod\n",
        ] {
            assert!(check_environment_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_region_name("other-regions").is_err());
        assert!(check_region_name("*").is_err());
    }

    #[test]
    fn arguments_are_deployments_or_paths() {
        use Argument::*;
        let d = |s: &str| Deployment(s.to_owned());
        let p = |s: &str| Path(PathBuf::from(s));
        assert_eq!(
            Argument::classify("service:a@1.0.0", Action::Deploy),
            d("service:a@1.0.0")
        );
        assert_eq!(
            Argument::classify("api:a@latest", Action::Deploy),
            d("api:a@latest")
        );
        assert_eq!(
            Argument::classify("checkout@2.0.0", Action::Deploy),
            d("checkout@2.0.0")
        );
        assert_eq!(
            Argument::classify("service:a", Action::Undeploy),
            d("service:a")
        );
        assert_eq!(
            Argument::classify("fixtures/deploy", Action::Deploy),
            p("fixtures/deploy")
        );
        assert_eq!(
            Argument::classify("ripple.yaml", Action::Undeploy),
            p("ripple.yaml")
        );
    }

    #[test]
    fn values_are_replaced_in_place() {
        let node = |text: &str| yaml::parse(text).unwrap().remove(0);
        let doc = node("a: [1.0.0, 2.0.0]   # x\n");
        let v = doc.get("a").unwrap();
        assert_eq!(
            replace_value("a: [1.0.0, 2.0.0]   # x\n", v, "3.0.0").as_deref(),
            Some("a: 3.0.0   # x")
        );
        let doc = node("\"a\": \"1.0.0\"\n");
        let v = doc.get("a").unwrap();
        assert_eq!(
            replace_value("\"a\": \"1.0.0\"", v, "[1.0.0, 2.0.0]").as_deref(),
            Some("\"a\": [1.0.0, 2.0.0]")
        );
    }
}
