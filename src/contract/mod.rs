//! Contract diffs: what changed between two versions of an API, message or schema contract, and
//! whether each change breaks the contract's users.
//!
//! Each format module (OpenAPI and Swagger, AsyncAPI, protobuf, SQL) loads a contract from a file
//! or a directory and compares two of them into [`Change`]s. Every change has a stable rule id from
//! the rule tables ([`rules::all`]), a [`Class`] (breaking, deprecation, non-breaking), the contract element it
//! concerns, in the vocabulary consumers list in `uses`, and where it is in the old and new files.
//! This module knows nothing of consumers or environments: `crate::analyze` adds those.

pub mod asyncapi;
pub mod doc;
pub mod openapi;
pub mod proto;
pub mod rules;
mod schema;
pub mod sql;

use std::path::Path;

use serde::Serialize;

use crate::source::boundary::Boundary;
use crate::source::diagnostic::{Code, Diagnostic, Location};
pub(crate) use crate::source::path::{display, io_reason};

pub use rules::Rule;

/// A rule serializes as its id, the stable name tools match on.
fn serialize_rule_id<S: serde::Serializer>(rule: &&'static Rule, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rule.id)
}

/// How a change affects the contract's users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Some existing user can fail.
    Breaking,
    /// Nothing fails yet, but something is scheduled to go away.
    Deprecation,
    /// No existing user can fail.
    NonBreaking,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Deprecation => "deprecation",
            Class::NonBreaking => "non-breaking",
        }
    }
}

/// One classified difference between two versions of a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Stable rule id, e.g. `openapi.response.property-removed`.
    #[serde(serialize_with = "serialize_rule_id")]
    pub rule: &'static Rule,
    pub class: Class,
    /// The contract element a consumer uses: `GET /orders/{id}`, `inventory.v1.Inventory/Reserve`,
    /// `channel order-events`, `table orders`.
    pub element: String,
    /// What changed, in a sentence that names the exact place (`response 200: property
    /// items[].price removed`).
    pub message: String,
    /// Where in the old contract (absent for additions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Location>,
    /// Where in the new contract (absent for removals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Location>,
    /// Other elements the change reaches, that consumers may list in `uses` instead: the rpcs
    /// whose messages carry a changed field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub affects: Vec<String>,
}

impl Change {
    /// A change classified by its rule's default class.
    pub fn new(
        rule: &'static Rule,
        element: impl Into<String>,
        message: impl Into<String>,
        old: Option<Location>,
        new: Option<Location>,
    ) -> Self {
        Change {
            rule,
            class: rule.class,
            element: element.into(),
            message: message.into(),
            old,
            new,
            affects: Vec::new(),
        }
    }

    /// Whether a consumer's `uses` entry reaches this change.
    pub fn used_by(&self, uses: &str) -> bool {
        uses_element(uses, &self.element) || self.affects.iter().any(|a| uses_element(uses, a))
    }

    /// The place to show first: the new contract's, or the old one's for removals.
    pub fn location(&self) -> Option<&Location> {
        self.new.as_ref().or(self.old.as_ref())
    }

    fn sort_key(&self) -> (Class, &str, &str, &str) {
        (self.class, &self.element, self.rule.id, &self.message)
    }
}

/// Sort changes: breaking first, then by element, rule and message.
pub fn sort(changes: &mut Vec<Change>) {
    changes.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    changes.dedup();
}

/// The contract formats ripple diffs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContractFormat {
    /// OpenAPI 3.0/3.1 and Swagger 2.0.
    Openapi,
    Asyncapi,
    Protobuf,
    Sql,
}

impl ContractFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ContractFormat::Openapi => "openapi",
            ContractFormat::Asyncapi => "asyncapi",
            ContractFormat::Protobuf => "protobuf",
            ContractFormat::Sql => "sql",
        }
    }
}

/// The result of comparing two contracts.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    pub format: ContractFormat,
    pub old: String,
    pub new: String,
    /// The versions the contracts declare (`info.version`), when they do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_version: Option<String>,
    /// Sorted: breaking first.
    pub changes: Vec<Change>,
    /// Problems that did not stop the diff but leave part of it unjudged (a remote `$ref` that
    /// is never fetched), sorted by place.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Diagnostic>,
}

impl Diff {
    pub fn breaking(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.class == Class::Breaking)
            .count()
    }
}

/// Contracts that could not be read: every problem found.
#[derive(Debug, thiserror::Error)]
#[error("{} reading the contracts", crate::source::diagnostic::plural(errors.len(), "error"))]
pub struct ContractErrors {
    pub errors: Vec<Diagnostic>,
}

impl From<Diagnostic> for ContractErrors {
    fn from(d: Diagnostic) -> Self {
        ContractErrors { errors: vec![d] }
    }
}

/// What a diff needs from its caller: nothing here is read from the clock, the environment or
/// the current directory; the CLI decides each once.
#[derive(Clone, Debug)]
pub struct DiffOptions {
    /// The day sunsets are compared with (`x-sunset` passed or not). The CLI reads the clock or
    /// `RIPPLE_TODAY` once.
    pub today: jiff::civil::Date,
    /// Where references written inside contracts (`$ref`, imports) may lead.
    pub boundary: Boundary,
}

impl DiffOptions {
    /// Options for `today`, reading references anywhere (trusted input: tests, embedding).
    pub fn new(today: jiff::civil::Date) -> Self {
        DiffOptions {
            today,
            boundary: Boundary::unrestricted(),
        }
    }
}

/// A contract format's differ: how one side is read and how two sides compare. Each format module
/// (OpenAPI and Swagger, AsyncAPI, protobuf, SQL) implements it once; [`diff_as`] does the rest
/// (both sides' errors together, sorting, the [`Diff`] envelope).
pub trait Differ {
    /// The format, for reports.
    const FORMAT: ContractFormat;
    /// One side, read from a file or a directory (split spec, proto module, migrations).
    type Contract;
    /// Read one side; every problem found is in the error.
    fn load(path: &Path, options: &DiffOptions) -> Result<Self::Contract, ContractErrors>;
    /// The version a contract declares (`info.version`), if the format has one.
    fn version(_contract: &Self::Contract) -> Option<String> {
        None
    }
    /// Problems found reading one side that do not stop the diff (a remote `$ref`).
    fn warnings(_contract: &Self::Contract) -> Vec<Diagnostic> {
        Vec::new()
    }
    /// The changes from `old` to `new`, in any order.
    fn compare(
        old: &Self::Contract,
        new: &Self::Contract,
        options: &DiffOptions,
    ) -> Result<Vec<Change>, ContractErrors>;
}

/// Compare two sides of one format `F`: both are read (errors of both reported together), then
/// compared; the changes come sorted, breaking first.
pub fn diff_as<F: Differ>(
    old: &Path,
    new: &Path,
    options: &DiffOptions,
) -> Result<Diff, ContractErrors> {
    let (old_contract, new_contract) = both(F::load(old, options), F::load(new, options))?;
    let mut changes = F::compare(&old_contract, &new_contract, options)?;
    sort(&mut changes);
    let mut warnings = F::warnings(&old_contract);
    warnings.extend(F::warnings(&new_contract));
    crate::source::diagnostic::sort(&mut warnings);
    warnings.dedup();
    Ok(Diff {
        format: F::FORMAT,
        old: display(old).to_string(),
        new: display(new).to_string(),
        old_version: F::version(&old_contract),
        new_version: F::version(&new_contract),
        changes,
        warnings,
    })
}

/// Compare two contracts, files or directories, of a format detected from their content.
pub fn diff_paths(old: &Path, new: &Path, options: &DiffOptions) -> Result<Diff, ContractErrors> {
    let old_format = detect(old)?;
    let new_format = detect(new)?;
    if old_format != new_format {
        return Err(Diagnostic::error(
            Code::UnknownFormat,
            Location::new(display(new), 0, 0),
            format!(
                "{} is {} but {} is {}: a diff compares two versions of one contract",
                display(old),
                old_format.as_str(),
                display(new),
                new_format.as_str()
            ),
        )
        .into());
    }
    match old_format {
        ContractFormat::Openapi => diff_as::<openapi::OpenApi>(old, new, options),
        ContractFormat::Asyncapi => diff_as::<asyncapi::AsyncApi>(old, new, options),
        ContractFormat::Protobuf => diff_as::<proto::Protobuf>(old, new, options),
        ContractFormat::Sql => diff_as::<sql::Sql>(old, new, options),
    }
}

/// Both sides of a comparison, or every error of both.
pub(crate) fn both<T>(
    old: Result<T, ContractErrors>,
    new: Result<T, ContractErrors>,
) -> Result<(T, T), ContractErrors> {
    match (old, new) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => {
            let mut errors: Vec<Diagnostic> = Vec::new();
            for e in [a.err(), b.err()].into_iter().flatten() {
                for d in e.errors {
                    // Comparing a file with itself finds each of its errors twice.
                    if !errors.contains(&d) {
                        errors.push(d);
                    }
                }
            }
            Err(ContractErrors { errors })
        }
    }
}

/// Detect the format of a contract file or directory from its content.
pub fn detect(path: &Path) -> Result<ContractFormat, ContractErrors> {
    let files = contract_files(path)?;
    let mut found: Vec<ContractFormat> = Vec::new();
    let mut unreadable: Vec<Diagnostic> = Vec::new();
    for file in &files {
        match sniff_file(file) {
            Ok(Some(format)) if !found.contains(&format) => found.push(format),
            Ok(_) => {}
            Err(e) => unreadable.push(e),
        }
    }
    match found.as_slice() {
        [one] => Ok(*one),
        // Nothing recognised, and something could not be read (too large, not UTF-8): that is
        // the problem to report, not an unknown format.
        [] if !unreadable.is_empty() => Err(ContractErrors { errors: unreadable }),
        [] => Err(Diagnostic::error(
            Code::UnknownFormat,
            Location::new(display(path), 0, 0),
            "unknown contract format: expected an OpenAPI 3.x or Swagger 2.0 document (`openapi:`/`swagger:`), an AsyncAPI document (`asyncapi:`), .proto files or SQL (.sql DDL or migrations)",
        )
        .into()),
        many => {
            let mut names: Vec<&str> = many.iter().map(|f| f.as_str()).collect();
            names.sort_unstable();
            // A directory of OpenAPI documents often carries SQL or protos beside it; the
            // first listed wins only when the caller names a file instead.
            Err(Diagnostic::error(
                Code::UnknownFormat,
                Location::new(display(path), 0, 0),
                format!(
                    "contains contracts of several formats ({}): name the contract's file or folder",
                    names.join(", ")
                ),
            )
            .into())
        }
    }
}

/// The files of a contract: the file itself, or the files of a directory (sorted, recursively,
/// honouring `.gitignore`).
pub(crate) fn contract_files(path: &Path) -> Result<Vec<std::path::PathBuf>, ContractErrors> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(
            Code::Io,
            Location::new(display(path), 0, 0),
            format!("cannot read: {}", io_reason(&e)),
        )
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<std::path::PathBuf> = ignore::WalkBuilder::new(path)
        .require_git(false)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    Ok(files)
}

/// The format of one file, by its extension or, for YAML and JSON, its top-level keys; an error
/// when a YAML or JSON file cannot be read.
fn sniff_file(path: &Path) -> Result<Option<ContractFormat>, Diagnostic> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "proto" => return Ok(Some(ContractFormat::Protobuf)),
        "sql" => return Ok(Some(ContractFormat::Sql)),
        "yaml" | "yml" | "json" => {}
        _ => return Ok(None),
    }
    let text = crate::source::file::read_text(path, Default::default())
        .map_err(|e| e.to_diagnostic(display(path)))?;
    Ok(sniff_text(&text))
}

/// The format a YAML or JSON document declares by a top-level key (`openapi`, `swagger`,
/// `asyncapi`), wherever the key is among the others and whether or not a byte-order mark
/// comes first.
pub(crate) fn sniff_text(text: &str) -> Option<ContractFormat> {
    match first_top_level_key(text, &["openapi", "swagger", "asyncapi"])? {
        "asyncapi" => Some(ContractFormat::Asyncapi),
        _ => Some(ContractFormat::Openapi),
    }
}

/// The first of `wanted` that is a key of the document's top-level mapping, found without parsing
/// the values: in block YAML the keys are the lines that start at column 0; in JSON (or a YAML
/// flow mapping) they are the keys at depth 1, found by a scan that skips strings and nested
/// collections. A leading byte-order mark, comments and a `---` line are skipped; only the first
/// document of a stream is read.
pub(crate) fn first_top_level_key<'k>(text: &str, wanted: &[&'k str]) -> Option<&'k str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let find = |key: &str| wanted.iter().find(|w| **w == key).copied();
    // Skip blank lines, comments, directives and the document start marker.
    let mut body = text;
    loop {
        let trimmed = body.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with('%') || trimmed.starts_with("---") {
            body = trimmed.split_once('\n').map_or("", |(_, rest)| rest);
        } else {
            body = trimmed;
            break;
        }
    }
    if body.starts_with('{') {
        return flow_top_level_keys(body).find_map(find);
    }
    for line in body.lines() {
        // A second document starts: the first one's keys are all read.
        if line.starts_with("---") {
            break;
        }
        let key = match line.as_bytes().first() {
            None | Some(b' ' | b'\t' | b'#' | b'-' | b'%' | b'}' | b']') => continue,
            Some(b'"') => line[1..].split_once('"').map(|(k, _)| k),
            Some(b'\'') => line[1..].split_once('\'').map(|(k, _)| k),
            Some(_) => line.split_once(':').map(|(k, _)| k.trim_end()),
        };
        if let Some(found) = key.and_then(find) {
            return Some(found);
        }
    }
    None
}

/// The keys at depth 1 of a JSON object or YAML flow mapping that starts `text`, quoted or plain,
/// in order. Stops at the end of the mapping.
fn flow_top_level_keys(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    let mut expect_key = false;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'"' | b'\'' => {
                    let start = i + 1;
                    let mut j = start;
                    while j < bytes.len() && bytes[j] != b {
                        j += if b == b'"' && bytes[j] == b'\\' { 2 } else { 1 };
                    }
                    let end = j.min(bytes.len());
                    i = j + 1;
                    if depth == 1 && expect_key {
                        expect_key = false;
                        return text.get(start..end);
                    }
                }
                b'{' | b'[' => {
                    depth += 1;
                    expect_key = depth == 1 && b == b'{';
                    i += 1;
                }
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        i = bytes.len();
                        return None;
                    }
                    i += 1;
                }
                b',' => {
                    expect_key = depth == 1;
                    i += 1;
                }
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                _ if depth == 1 && expect_key => {
                    // A plain YAML key: up to the `:` that ends it.
                    let start = i;
                    while i < bytes.len() && !matches!(bytes[i], b':' | b',' | b'}' | b'\n') {
                        i += 1;
                    }
                    expect_key = false;
                    return text.get(start..i).map(str::trim_end);
                }
                _ => i += 1,
            }
        }
        None
    })
}

/// Whether a consumer's `uses` entry names `element`, or something that contains it.
///
/// - Paths compare with their parameters unnamed: `GET /orders/{id}` uses `GET /orders/{orderId}`.
/// - An rpc's short name uses the qualified rpc: `GetOrder` uses `orders.v1.OrderService/GetOrder`
///   (only rpcs: a bare `status` must not match every field or column called `status`).
/// - A container uses its members: `table orders` uses `column orders.status`,
///   `orders.v1.Order` uses `orders.v1.Order.total`, `channel order-events` uses
///   `message order-events/OrderPlaced`.
pub fn uses_element(uses: &str, element: &str) -> bool {
    if uses == element
        || normalize_template(uses) == normalize_template(element)
        || concrete_path_matches(uses, element)
    {
        return true;
    }
    let is_rpc = !element.contains(' ') && element.contains('/');
    if is_rpc && element.rsplit_once('/').is_some_and(|(_, rpc)| rpc == uses) {
        return true;
    }
    let (uses_kind, uses_name) = split_kind(uses);
    let (element_kind, element_name) = split_kind(element);
    let same_family = match (uses_kind, element_kind) {
        (a, b) if a == b => true,
        ("table", "column") | ("view", "column") | ("channel", "message") => true,
        _ => false,
    };
    // HTTP operations (`GET /orders`) contain nothing: `/orders/{id}` is another operation.
    same_family
        && !element_name.contains(' ')
        && element_name.len() > uses_name.len()
        && element_name.starts_with(uses_name)
        && matches!(element_name.as_bytes()[uses_name.len()], b'.' | b'/')
}

/// A concrete request (`GET /orders/42`, as Pact records it) against an operation's template
/// (`GET /orders/{orderId}`): same method, same segments, a `{…}` segment matching any one.
fn concrete_path_matches(concrete: &str, template: &str) -> bool {
    let (Some((m1, p1)), Some((m2, p2))) = (concrete.split_once(' '), template.split_once(' '))
    else {
        return false;
    };
    if !m1.eq_ignore_ascii_case(m2) || !p1.starts_with('/') || !p2.starts_with('/') {
        return false;
    }
    let p1 = p1.split('?').next().unwrap_or(p1).trim_end_matches('/');
    let p2 = p2.trim_end_matches('/');
    let (a, b): (Vec<&str>, Vec<&str>) = (p1.split('/').collect(), p2.split('/').collect());
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || (y.starts_with('{') && y.ends_with('}') && !x.is_empty()))
}

/// `table orders` → (`table`, `orders`); `orders.v1.Order` → (``, `orders.v1.Order`).
fn split_kind(s: &str) -> (&str, &str) {
    const KINDS: &[&str] = &[
        "table", "column", "view", "type", "channel", "message", "security",
    ];
    match s.split_once(' ') {
        Some((kind, name)) if KINDS.contains(&kind) => (kind, name),
        _ => ("", s),
    }
}

pub(crate) fn normalize_template(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{}");
                }
            }
            '}' => depth -= 1,
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_matches_templates_and_short_names() {
        assert!(uses_element("GET /orders/{id}", "GET /orders/{orderId}"));
        assert!(!uses_element(
            "GET /orders/{id}",
            "DELETE /orders/{orderId}"
        ));
        assert!(uses_element("GetOrder", "orders.v1.OrderService/GetOrder"));
        assert!(!uses_element("Get", "orders.v1.OrderService/GetOrder"));
        assert!(uses_element("table orders", "table orders"));
    }

    #[test]
    fn containers_use_their_members_and_bare_names_do_not_spread() {
        assert!(uses_element("table orders", "column orders.status"));
        assert!(!uses_element(
            "table orders",
            "column orders_archive.status"
        ));
        assert!(!uses_element("status", "column orders.status"));
        assert!(uses_element("orders.v1.Order", "orders.v1.Order.total"));
        assert!(!uses_element(
            "orders.v1.Order",
            "orders.v1.OrderLine.total"
        ));
        assert!(uses_element(
            "channel order-events",
            "message order-events/OrderPlaced"
        ));
        assert!(!uses_element("GET /orders", "GET /orders/{id}"));
    }

    #[test]
    fn concrete_requests_match_templates() {
        assert!(uses_element("GET /orders/42", "GET /orders/{orderId}"));
        assert!(uses_element(
            "get /orders/42?expand=lines",
            "GET /orders/{orderId}"
        ));
        assert!(!uses_element(
            "GET /orders/42/lines",
            "GET /orders/{orderId}"
        ));
        assert!(!uses_element("POST /orders/42", "GET /orders/{orderId}"));
    }

    #[test]
    fn sniffing_reads_yaml_and_json() {
        assert_eq!(
            sniff_text("openapi: 3.0.3\ninfo: {}"),
            Some(ContractFormat::Openapi)
        );
        assert_eq!(
            sniff_text("{\n  \"swagger\": \"2.0\""),
            Some(ContractFormat::Openapi)
        );
        assert_eq!(
            sniff_text("# c\nasyncapi: '2.6.0'"),
            Some(ContractFormat::Asyncapi)
        );
        assert_eq!(sniff_text("apiVersion: v1"), None);
    }

    #[test]
    fn sniffing_ignores_byte_order_marks_and_key_order() {
        let openapi = Some(ContractFormat::Openapi);
        let asyncapi = Some(ContractFormat::Asyncapi);
        assert_eq!(sniff_text("\u{feff}openapi: 3.0.3\npaths: {}"), openapi);
        assert_eq!(sniff_text("\u{feff}{\"openapi\": \"3.0.3\"}"), openapi);
        assert_eq!(
            sniff_text(r#"{"info":{"openapi":"no","x":["{"]},"paths":{},"openapi":"3.1.0"}"#),
            openapi
        );
        assert_eq!(
            sniff_text(r#"{"info":{"title":"a \"}\" b"},"asyncapi":"3.0.0"}"#),
            asyncapi
        );
        assert_eq!(
            sniff_text("info:\n  openapi: 1\n# asyncapi: x\nchannels: {}\nasyncapi: 2.6.0\n"),
            asyncapi
        );
        assert_eq!(sniff_text("{info: {title: t}, asyncapi: 2.6.0}"), asyncapi);
        assert_eq!(sniff_text(r#"{"info":{"openapi":"3.0.0"}}"#), None);
        assert_eq!(sniff_text("info:\n  openapi: 3.0.0\n"), None);
        assert_eq!(sniff_text("a: 1\n---\nopenapi: 3.0.0\n"), None);
    }
}
