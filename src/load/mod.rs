//! Reading model files into a [`Graph`]: ripple manifests, Backstage catalogs and graph fragments.
//!
//! Each file is read on its own (in parallel) into a fragment of declarations that remember
//! where they came from; the assembler then merges all fragments into one graph, reporting
//! duplicates, contradictions and dangling references with the places involved. Nothing here
//! prints: problems come back as [`Diagnostic`]s.

mod assemble;
mod backstage;
pub mod environments;
pub mod fragment;
mod manifest;
mod pact;
pub mod state;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::model::{Component, Dependency, Graph, SystemInfo};
use crate::source::boundary::{Boundary, Refused};
use crate::source::diagnostic::{self, Code, Diagnostic, Location, ModelErrors};
use crate::source::file::{Limits, read_text};
use crate::source::json_locate::Index as JsonIndex;

pub use crate::source::json_locate::{Segment, locate as locate_json};
use crate::source::path::{display, io_reason};
use crate::source::yaml;

/// The formats of model file ripple reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ModelFormat {
    /// `ripple.yaml`.
    Manifest,
    /// Backstage `catalog-info.yaml`.
    Backstage,
    /// Graph fragment JSON.
    Fragment,
    /// A Pact contract file.
    Pact,
}

/// A loaded graph and the warnings met on the way.
#[derive(Debug)]
pub struct Loaded {
    pub graph: Graph,
    pub warnings: Vec<Diagnostic>,
    /// The model files read, in the order read.
    pub files: Vec<Arc<str>>,
}

/// Find the model files under `paths` and load them into one graph.
///
/// Fails with every error found, never only the first.
pub fn load(paths: &[PathBuf]) -> Result<Loaded, ModelErrors> {
    load_with(paths, Options::default())
}

/// How strict loading is, and what it may read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Dangling references are warnings and their dependencies are left out, instead of errors.
    /// Real catalogs name components they do not define (Backstage tolerates it); this loads
    /// what is known and says what was left out.
    pub lenient: bool,
    /// Follow Backstage `Location` targets outside the repositories of the paths loaded
    /// (`--allow-outside-root`). Off, such a target is an error and is not read.
    pub allow_outside_root: bool,
    /// The directory ripple runs in, which bounds what Location targets may name when the paths
    /// lie inside it (see [`Boundary::around`]). The CLI reads it once; the library never does.
    pub cwd: Option<PathBuf>,
}

impl Options {
    /// The roots Location targets may name for a run over `paths`.
    fn boundary(&self, paths: &[PathBuf]) -> Boundary {
        match &self.cwd {
            Some(cwd) => Boundary::around(paths, cwd, self.allow_outside_root),
            None => Boundary::around_paths(paths, self.allow_outside_root),
        }
    }
}

/// [`load`] with options.
pub fn load_with(paths: &[PathBuf], options: Options) -> Result<Loaded, ModelErrors> {
    let mut diagnostics = Vec::new();
    let boundary = options.boundary(paths);
    let mut files = discover(paths, &mut diagnostics);
    // Every file of the run, to add each Location target once without a scan of the list.
    let mut known: HashSet<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    let mut fragments: Vec<Fragment> = Vec::with_capacity(files.len());
    let mut formats: Vec<Option<ModelFormat>> = Vec::with_capacity(files.len());
    let mut broken: Vec<bool> = Vec::with_capacity(files.len());
    // Rounds: the files found, then the files their Backstage `Location` entities point at, until
    // no new file turns up. File ids only grow, so every origin stays valid.
    loop {
        let sources = Sources::of(&files);
        let start = fragments.len();
        let read: Vec<(Option<ModelFormat>, Fragment, Vec<Diagnostic>)> = files[start..]
            .par_iter()
            .enumerate()
            .map(|(i, (path, explicit))| read_file(&sources, (start + i) as u32, path, *explicit))
            .collect();
        for (format, fragment, diags) in read {
            formats.push(format);
            broken.push(!diags.is_empty());
            fragments.push(fragment);
            diagnostics.extend(diags);
        }
        let mut next = Vec::new();
        for fragment in &mut fragments[start..] {
            for (target, origin) in std::mem::take(&mut fragment.locations) {
                for path in
                    location_targets(&sources, &boundary, &target, &origin, &mut diagnostics)
                {
                    if known.insert(path.clone()) {
                        next.push(path);
                    }
                }
            }
        }
        if next.is_empty() {
            break;
        }
        files.extend(next.into_iter().map(|p| (p, true)));
    }
    let sources = Sources::of(&files);
    let model_files: Vec<Arc<str>> = formats
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_some())
        .map(|(id, _)| sources.name(id as u32))
        .collect();
    // A directory whose YAML files all turned out to be something else (CI, Kubernetes) holds no
    // model: that is a mistake in the arguments, not an empty organisation.
    for dir in paths.iter().filter(|p| p.is_dir()) {
        let under = |id: usize| files[id].0.starts_with(dir);
        let walked_any = (0..files.len()).any(under);
        let meant = (0..files.len()).any(|id| under(id) && (formats[id].is_some() || broken[id]));
        if walked_any && !meant {
            diagnostics.push(no_model_files(dir));
        }
    }
    let graph = assemble::assemble(&sources, fragments, &mut diagnostics, &options);
    finish(graph, diagnostics, model_files)
}

/// The files a Location target names: a path relative to the Location's file, possibly a glob.
/// URLs are not fetched: ripple reads what is on disk. Every file named must lie inside
/// `boundary` (the repositories of the paths loaded, unless the user allowed more); a glob is
/// matched by a walk that never follows a symlink to a directory, so it neither leaves the tree
/// nor loops.
fn location_targets(
    sources: &Sources,
    boundary: &Boundary,
    target: &str,
    origin: &Origin,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let location = sources.locate(origin);
    if target.contains("://") {
        diagnostics.push(Diagnostic::warning(
            Code::Io,
            location,
            format!("not followed: location target `{target}` is a URL; ripple reads files only"),
        ));
        return Vec::new();
    }
    let refuse = |refused: Refused, diagnostics: &mut Vec<Diagnostic>| {
        diagnostics.push(Diagnostic::error(
            Code::Io,
            location.clone(),
            format!("location target `{target}`: {refused}"),
        ));
    };
    let (base, pattern) = split_glob(target);
    // The directory a glob walks (or the file a plain target names) must be inside the
    // boundary before anything is read or listed: `/**/*.yaml` would walk the whole disk.
    if let Err(refused) = boundary.check(&base) {
        refuse(refused, diagnostics);
        return Vec::new();
    }
    let mut found: Vec<PathBuf> = match pattern {
        None => vec![base].into_iter().filter(|p| p.is_file()).collect(),
        Some(pattern) => match glob_files(&base, &pattern) {
            Ok(found) => found,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    Code::InvalidValue,
                    location,
                    format!("location target `{target}` is not a valid pattern: {e}"),
                ));
                return Vec::new();
            }
        },
    };
    // A match may be a symlink to a file elsewhere.
    let mut outside = Vec::new();
    found.retain(|path| match boundary.check(path) {
        Ok(()) => true,
        Err(refused) => {
            outside.push(refused);
            false
        }
    });
    let refused_any = !outside.is_empty();
    for refused in outside {
        refuse(refused, diagnostics);
    }
    if found.is_empty() && !refused_any {
        diagnostics.push(Diagnostic::error(
            Code::Io,
            location,
            format!("location target `{target}` matches no file"),
        ));
    }
    found.sort();
    found
}

/// A target split into the directory before its first wildcard component and the pattern of the
/// rest (`teams/*/catalog-info.yaml` is `teams` and `*/catalog-info.yaml`); a target without
/// wildcards is a plain path.
fn split_glob(target: &str) -> (PathBuf, Option<String>) {
    let is_wild = |c: &str| c.contains(['*', '?', '[', '{']);
    let parts: Vec<&str> = target.split('/').collect();
    let Some(first_wild) = parts.iter().position(|c| is_wild(c)) else {
        return (PathBuf::from(target), None);
    };
    let base = parts[..first_wild].join("/");
    let base = match base.as_str() {
        "" if target.starts_with('/') => PathBuf::from("/"),
        "" => PathBuf::from("."),
        _ => PathBuf::from(base),
    };
    (base, Some(parts[first_wild..].join("/")))
}

/// The files under `base` whose path relative to `base` matches `pattern` (`*` stays within one
/// directory, `**` crosses any number). Symlinks to directories are not followed; symlinks to
/// files are returned for the caller to check.
fn glob_files(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, globset::Error> {
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()?
        .compile_matcher();
    let mut walk = ignore::WalkBuilder::new(base);
    walk.standard_filters(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b));
    if !pattern.contains("**") {
        walk.max_depth(Some(pattern.split('/').count()));
    }
    let mut found = Vec::new();
    for entry in walk.build().filter_map(Result::ok) {
        if entry.depth() == 0 {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(base) else {
            continue;
        };
        if !matcher.is_match(relative) {
            continue;
        }
        let is_file = match entry.file_type() {
            Some(t) if t.is_file() => true,
            // `metadata` follows the link: a link to a file counts, one to a directory (or a
            // loop, or nothing) does not.
            Some(t) if t.is_symlink() => std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file()),
            _ => false,
        };
        if is_file {
            found.push(entry.into_path());
        }
    }
    Ok(found)
}

/// Load model text that is not in a file (tests, embedding). `name` stands in for the path in
/// messages and its extension selects the format as for a file named on the command line.
pub fn load_text(name: &str, text: &str) -> Result<Loaded, ModelErrors> {
    let sources = Sources {
        files: vec![name.into()],
        paths: vec![PathBuf::from(name)],
        texts: vec![OnceLock::from(Arc::<str>::from(text))],
        indexes: vec![OnceLock::new()],
    };
    let mut diagnostics = Vec::new();
    let (_, fragment) = read_model_text(&sources, 0, Path::new(name), text, true, &mut diagnostics);
    let graph = assemble::assemble(
        &sources,
        vec![fragment],
        &mut diagnostics,
        &Options::default(),
    );
    finish(graph, diagnostics, sources.files)
}

fn finish(
    graph: Graph,
    mut diagnostics: Vec<Diagnostic>,
    files: Vec<Arc<str>>,
) -> Result<Loaded, ModelErrors> {
    diagnostic::sort(&mut diagnostics);
    diagnostics.dedup();
    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics.into_iter().partition(|d| d.is_error());
    if errors.is_empty() {
        Ok(Loaded {
            graph,
            warnings,
            files,
        })
    } else {
        Err(ModelErrors { errors, warnings })
    }
}

/// The files of a run, by the number declarations refer to them with.
pub(crate) struct Sources {
    files: Vec<Arc<str>>,
    paths: Vec<PathBuf>,
    /// The text of a JSON file, read again (once) when a position in it is needed.
    texts: Vec<OnceLock<Arc<str>>>,
    /// Positions in a JSON file's text, indexed on the first look-up: a file may have as many
    /// errors as items.
    indexes: Vec<OnceLock<JsonIndex>>,
}

impl Sources {
    fn of(files: &[(PathBuf, bool)]) -> Self {
        Sources {
            files: files.iter().map(|(p, _)| display(p)).collect(),
            paths: files.iter().map(|(p, _)| p.clone()).collect(),
            texts: files.iter().map(|_| OnceLock::new()).collect(),
            indexes: files.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    pub(crate) fn name(&self, file: u32) -> Arc<str> {
        self.files[file as usize].clone()
    }

    /// Resolve an origin to a line and column. JSON origins are found by reading the file again:
    /// that only happens on the error path, and keeps positions out of the hot load path.
    pub(crate) fn locate(&self, origin: &Origin) -> Location {
        match origin {
            Origin::Yaml { file, pos } => Location::new(self.name(*file), pos.line, pos.column),
            Origin::Json { file, path } => {
                let text = self.texts[*file as usize].get_or_init(|| {
                    read_text(&self.paths[*file as usize], Limits::default())
                        .unwrap_or_default()
                        .into()
                });
                self.locate_in(*file, text, path)
            }
        }
    }

    pub(crate) fn locate_in(&self, file: u32, text: &str, path: &JsonPath) -> Location {
        let index =
            self.indexes[file as usize].get_or_init(|| JsonIndex::new(text, &["nodes", "edges"]));
        let (line, column) = index.locate(text, &path.segments()).unwrap_or((1, 1));
        Location::new(self.name(file), line, column)
    }
}

/// Where in a file a declaration was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    Yaml { file: u32, pos: yaml::Pos },
    Json { file: u32, path: JsonPath },
}

impl Origin {
    pub(crate) fn file(&self) -> u32 {
        match self {
            Origin::Yaml { file, .. } | Origin::Json { file, .. } => *file,
        }
    }
}

/// A place in a fragment: an item of `nodes`/`edges`/`systems`, optionally one field of it and
/// one key below that field (`environments.production`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonPath {
    pub section: &'static str,
    pub item: JsonItem,
    pub field: Option<&'static str>,
    pub key: Option<Box<str>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum JsonItem {
    Index(u32),
    Key(Box<str>),
}

impl JsonPath {
    fn segments(&self) -> Vec<Segment<'_>> {
        let mut segments = vec![Segment::Key(self.section)];
        segments.push(match &self.item {
            JsonItem::Index(i) => Segment::Index(*i as usize),
            JsonItem::Key(k) => Segment::Key(k),
        });
        segments.extend(self.field.map(Segment::Key));
        segments.extend(self.key.as_deref().map(Segment::Key));
        segments
    }
}

/// A component as one file declares it.
#[derive(Debug)]
pub(crate) struct NodeDecl {
    pub component: Component,
    pub origin: Origin,
    /// YAML only: where each attribute was set (`owner`, `environments.production`).
    pub field_pos: Vec<(Box<str>, yaml::Pos)>,
}

impl NodeDecl {
    pub(crate) fn new(component: Component, origin: Origin) -> Self {
        NodeDecl {
            component,
            origin,
            field_pos: Vec::new(),
        }
    }

    /// Where the attribute `field` (and for maps, the entry `key`) was set.
    pub(crate) fn field_origin(&self, field: &'static str, key: Option<&str>) -> Origin {
        match &self.origin {
            Origin::Yaml { file, pos } => {
                let full = match key {
                    Some(k) => format!("{field}.{k}"),
                    None => field.to_owned(),
                };
                let pos = self
                    .field_pos
                    .iter()
                    .find(|(f, _)| **f == *full)
                    .or_else(|| self.field_pos.iter().find(|(f, _)| **f == *field))
                    .map_or(*pos, |(_, p)| *p);
                Origin::Yaml { file: *file, pos }
            }
            Origin::Json { file, path } => Origin::Json {
                file: *file,
                path: JsonPath {
                    field: Some(json_field_name(field)),
                    key: key.map(Into::into),
                    ..path.clone()
                },
            },
        }
    }
}

/// Attribute names are kebab-case in YAML and snake_case in JSON.
fn json_field_name(field: &'static str) -> &'static str {
    match field {
        "user-facing" => "user_facing",
        other => other,
    }
}

/// A dependency as one file declares it.
#[derive(Debug)]
pub(crate) struct EdgeDecl {
    pub from: String,
    pub to: String,
    pub dependency: Dependency,
    /// Where the reference to `to` was made.
    pub origin: Origin,
}

/// A system description as one file declares it.
#[derive(Debug)]
pub(crate) struct SystemDecl {
    pub name: String,
    pub info: SystemInfo,
    pub origin: Origin,
}

/// Everything one file declares.
#[derive(Debug, Default)]
pub(crate) struct Fragment {
    pub nodes: Vec<NodeDecl>,
    pub edges: Vec<EdgeDecl>,
    pub systems: Vec<SystemDecl>,
    /// Backstage `Location` targets: files to read too (paths relative to where ripple runs).
    pub locations: Vec<(String, Origin)>,
    /// Policies the file states.
    pub policies: Vec<(crate::model::Policies, Origin)>,
}

fn no_model_files(dir: &Path) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownFormat,
        Location::new(display(dir), 0, 0),
        "no model files found: expected ripple.yaml, catalog-info.yaml, Backstage YAML or *.ripple.json",
    )
}

/// The model files under `paths`: files named explicitly (any name), and in directories the
/// files whose names mark them as model files, sorted. `true` marks an explicit file.
fn discover(paths: &[PathBuf], diagnostics: &mut Vec<Diagnostic>) -> Vec<(PathBuf, bool)> {
    let mut found = Vec::new();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    Code::Io,
                    Location::new(display(path), 0, 0),
                    format!("cannot read: {}", io_reason(&e)),
                ));
                continue;
            }
        };
        if !meta.is_dir() {
            found.push((path.clone(), true));
            continue;
        }
        let before = found.len();
        let walker = ignore::WalkBuilder::new(path)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    if entry.file_type().is_some_and(|t| t.is_file())
                        && is_model_file_name(entry.path())
                    {
                        found.push((entry.into_path(), false));
                    }
                }
                Err(e) => diagnostics.push(Diagnostic::error(
                    Code::Io,
                    Location::new(display(path), 0, 0),
                    format!("cannot walk: {e}"),
                )),
            }
        }
        if found.len() == before {
            diagnostics.push(no_model_files(path));
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.0 == b.0);
    found
}

/// Names that mark a file as a model file when found in a directory. Other YAML files are
/// sniffed for a Backstage `apiVersion` when read.
fn is_model_file_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let in_pacts = path
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|d| d == "pacts");
    name.ends_with(".yaml")
        || name.ends_with(".yml")
        || name.ends_with(".ripple.json")
        || name == "ripple.json"
        || name.ends_with(".pact.json")
        || (in_pacts && name.ends_with(".json"))
}

fn read_file(
    sources: &Sources,
    id: u32,
    path: &Path,
    explicit: bool,
) -> (Option<ModelFormat>, Fragment, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let text = match read_text(path, Limits::default()) {
        Ok(text) => text,
        Err(e) => {
            diagnostics.push(e.to_diagnostic(sources.name(id)));
            return (None, Fragment::default(), diagnostics);
        }
    };
    let (format, fragment) = read_model_text(sources, id, path, &text, explicit, &mut diagnostics);
    (format, fragment, diagnostics)
}

fn read_model_text(
    sources: &Sources,
    id: u32,
    path: &Path,
    text: &str,
    explicit: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Option<ModelFormat>, Fragment) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with(".json") && pact::is_pact(text) {
        return (
            Some(ModelFormat::Pact),
            pact::read(sources, id, text, diagnostics),
        );
    }
    if name.ends_with(".json") {
        return (
            Some(ModelFormat::Fragment),
            fragment::read(sources, id, text, diagnostics),
        );
    }
    if !explicit && !might_be_model_yaml(name, text) {
        return (None, Fragment::default());
    }
    let documents = match yaml::parse(text) {
        Ok(docs) => docs,
        // Met while walking, a YAML file that does not parse and does not claim to be a model
        // file is some other tool's (a Helm template full of `{{ }}`): not ripple's to judge.
        Err(_) if !explicit && !claims_to_be_model(name, text) => {
            return (None, Fragment::default());
        }
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                Code::Syntax,
                Location::new(sources.name(id), e.pos.line, e.pos.column),
                format!("malformed YAML: {}", e.message),
            ));
            return (None, Fragment::default());
        }
    };
    match detect_yaml(name, &documents, explicit) {
        Some(ModelFormat::Manifest) => (
            Some(ModelFormat::Manifest),
            manifest::read(sources, id, &documents, diagnostics),
        ),
        Some(ModelFormat::Backstage) => (
            Some(ModelFormat::Backstage),
            backstage::read(sources, id, &documents, diagnostics),
        ),
        Some(ModelFormat::Fragment | ModelFormat::Pact) | None => {
            if explicit {
                diagnostics.push(Diagnostic::error(
                    Code::UnknownFormat,
                    Location::new(sources.name(id), 1, 1),
                    "not a model file: expected a ripple manifest (top-level `services:`, `apis:`... or `ripple: 1`) or a Backstage catalog (`apiVersion: backstage.io/v1alpha1`)",
                ));
            }
            (None, Fragment::default())
        }
    }
}

/// Cheap pre-filter for YAML met while walking a directory: a repository holds many YAML files
/// (CI, Kubernetes, compose) that are none of ripple's business and should not be parsed.
fn might_be_model_yaml(name: &str, text: &str) -> bool {
    claims_to_be_model(name, text) || text.starts_with("ripple:") || text.contains("\nripple:")
}

/// Named as a model file, or declaring a Backstage entity (`apiVersion: backstage.io/...`; the
/// `backstage.io/kubernetes-id` label of a Kubernetes manifest does not count).
fn claims_to_be_model(name: &str, text: &str) -> bool {
    is_manifest_name(name)
        || name.starts_with("catalog-info.")
        || text.lines().any(|line| {
            line.trim_start_matches(['-', ' '])
                .strip_prefix("apiVersion:")
                .is_some_and(|v| {
                    v.trim()
                        .trim_matches(['"', '\''])
                        .starts_with("backstage.io/")
                })
        })
}

fn is_manifest_name(name: &str) -> bool {
    matches!(name, "ripple.yaml" | "ripple.yml")
        || name.ends_with(".ripple.yaml")
        || name.ends_with(".ripple.yml")
}

fn detect_yaml(name: &str, documents: &[yaml::Node], explicit: bool) -> Option<ModelFormat> {
    if is_manifest_name(name) {
        return Some(ModelFormat::Manifest);
    }
    let first = documents.iter().find(|d| !d.is_null())?;
    let is_backstage = documents.iter().any(|d| {
        d.get("apiVersion")
            .and_then(yaml::Node::as_str)
            .is_some_and(|v| v.starts_with("backstage.io/"))
    });
    if is_backstage {
        return Some(ModelFormat::Backstage);
    }
    // Named on the command line, a file with manifest sections is a manifest. Met while walking,
    // only `ripple: 1` says so: a compose file has `services:` too.
    let manifest_keys: &[&str] = if explicit {
        &[
            "ripple",
            "services",
            "apis",
            "topics",
            "datastores",
            "libraries",
        ]
    } else {
        &["ripple"]
    };
    if documents.len() == 1 && manifest_keys.iter().any(|k| first.get(k).is_some()) {
        return Some(ModelFormat::Manifest);
    }
    None
}
