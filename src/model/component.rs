//! Components (nodes) and dependencies (edges) with their attributes and evidence.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};

use super::kind::{DependencyKind, Kind};

/// Why a fact is believed: the file and line it came from and the rule that read it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Evidence {
    /// Path of the file, as given on the command line or recorded by the scanner.
    pub file: Arc<str>,
    /// 1-based line number (0 when the source has no lines).
    pub line: u32,
    /// Stable id of the rule that produced the fact, e.g. `ripple-yaml.consumes`.
    pub rule: Arc<str>,
}

/// The attributes any component may carry. Absent attributes are `None` or empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    pub description: Option<String>,
    /// Owning team.
    pub owner: Option<String>,
    /// The system (bounded context) the component belongs to.
    pub system: Option<String>,
    /// Criticality from 1 (most critical) to 4.
    pub tier: Option<u8>,
    /// Compliance tags: sox, hipaa, gdpr, pci or free-form.
    pub compliance: BTreeSet<String>,
    pub user_facing: Option<bool>,
    /// Path of the component's source in its repository or monorepo.
    pub repository: Option<String>,
    pub lifecycle: Option<String>,
    /// Free-form sub-type: `openapi`, `grpc`, `kafka`, `postgres`, `website`...
    pub kind_detail: Option<String>,
    pub tags: BTreeSet<String>,
    /// The version in the repository now.
    pub version: Option<Version>,
    /// The version running in each environment.
    pub environments: BTreeMap<String, Version>,
    /// Where the contract is defined (an API spec path).
    pub definition: Option<String>,
    /// The day the component stops being supported (it is deprecated until then).
    pub sunset: Option<jiff::civil::Date>,
    /// The day the component was deprecated; with a deprecation window policy and no sunset, it
    /// fixes the deadline.
    pub deprecated_since: Option<jiff::civil::Date>,
}

impl Attributes {
    /// Deprecated: `lifecycle: deprecated`, or a sunset or deprecation date.
    pub fn is_deprecated(&self) -> bool {
        self.lifecycle.as_deref() == Some("deprecated")
            || self.sunset.is_some()
            || self.deprecated_since.is_some()
    }
}

/// Organisation-wide rules stated in manifests or fragments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policies {
    /// How many days a deprecated element stays supported when it names no sunset date, counted
    /// from its deprecation ("support the previous major for 90 days").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation_window_days: Option<u32>,
}

impl Policies {
    pub fn is_empty(&self) -> bool {
        self.deprecation_window_days.is_none()
    }
}

/// Parse a calendar date `YYYY-MM-DD` (a date-time's date part is accepted).
pub fn parse_date(s: &str) -> Result<jiff::civil::Date, jiff::Error> {
    let s = s.trim();
    s.get(..10).unwrap_or(s).parse()
}

/// One node of the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    /// `kind:name`.
    pub id: String,
    pub kind: Kind,
    pub name: String,
    pub attrs: Attributes,
}

impl Component {
    /// A component with no attributes.
    pub fn new(kind: Kind, name: &str) -> Self {
        Component {
            id: component_id(kind, name),
            kind,
            name: name.to_owned(),
            attrs: Attributes::default(),
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// One edge of the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    pub kind: DependencyKind,
    /// The provider versions the source accepts.
    pub version: Option<VersionReq>,
    /// Contract elements the source uses (operations, rpcs, fields, tables).
    pub uses: BTreeSet<String>,
    /// Sorted and free of duplicates.
    pub evidence: Vec<Evidence>,
}

impl Dependency {
    pub fn new(kind: DependencyKind) -> Self {
        Dependency {
            kind,
            version: None,
            uses: BTreeSet::new(),
            evidence: Vec::new(),
        }
    }
}

/// A system (bounded context) and what is known about it beyond its members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The id of a component: `kind:name`.
pub fn component_id(kind: Kind, name: &str) -> String {
    let mut id = String::with_capacity(kind.as_str().len() + 1 + name.len());
    id.push_str(kind.as_str());
    id.push(':');
    id.push_str(name);
    id
}

/// Why an id or a name was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("`{0}` is not a component id: expected `kind:name`")]
    MissingKind(String),
    #[error(transparent)]
    UnknownKind(#[from] super::kind::UnknownKind),
    #[error(
        "`{0}` is not a valid component name: expected letters, digits, `-`, `_`, `.` or `/`, not empty"
    )]
    BadName(String),
}

/// Check a component name: letters, digits, `-`, `_`, `.`, `/` (namespace), not empty.
pub fn check_name(name: &str) -> Result<(), IdError> {
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/');
    // ASCII first: ids are checked once per edge end, millions of times in a large fragment.
    let chars_ok = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        || name.chars().all(allowed);
    let ok = !name.is_empty() && !name.starts_with('/') && !name.ends_with('/') && chars_ok;
    if ok {
        Ok(())
    } else {
        Err(IdError::BadName(name.to_owned()))
    }
}

/// Split and check an id `kind:name`.
pub fn parse_id(id: &str) -> Result<(Kind, &str), IdError> {
    let (kind, name) = id
        .split_once(':')
        .ok_or_else(|| IdError::MissingKind(id.to_owned()))?;
    let kind: Kind = kind.parse()?;
    check_name(name)?;
    Ok((kind, name))
}

/// Parse a version leniently in the one way real repositories need: a leading `v` (`v1.2.3`, as in
/// git tags and image tags) is accepted. Everything else must be semver.
pub fn parse_version(s: &str) -> Result<Version, semver::Error> {
    let s = s.trim();
    let s = s
        .strip_prefix('v')
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(s);
    Version::parse(s)
}

/// Parse a version requirement (`^1.2`, `>=2.1, <3`, `~1.4`, `1.x`, `*`).
pub fn parse_requirement(s: &str) -> Result<VersionReq, semver::Error> {
    VersionReq::parse(s.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_reject() {
        assert_eq!(
            parse_id("service:billing/invoicer"),
            Ok((Kind::Service, "billing/invoicer"))
        );
        assert!(matches!(parse_id("checkout"), Err(IdError::MissingKind(_))));
        assert!(matches!(
            parse_id("queue:orders"),
            Err(IdError::UnknownKind(_))
        ));
        assert!(matches!(parse_id("api:"), Err(IdError::BadName(_))));
        assert!(matches!(parse_id("api:a b"), Err(IdError::BadName(_))));
    }

    #[test]
    fn versions_accept_a_v_prefix_only() {
        assert_eq!(parse_version("v1.2.3").unwrap(), Version::new(1, 2, 3));
        assert!(parse_version("1.2").is_err());
        assert!(parse_version("version").is_err());
        assert!(parse_requirement(">=2.1, <3").is_ok());
        assert!(parse_requirement(">>2").is_err());
    }
}
