//! Consumer-aware verdicts and semver discipline for a contract diff.
//!
//! A breaking change only matters to the consumers that use the element it breaks. Given the
//! graph, each breaking or deprecating change lists the consumers whose `uses` name its element,
//! and those whose `uses` are unknown (they may be affected); a change no consumer uses says so.
//! Independently of consumers, a breaking change must come with a new major version, and a
//! consumer's version requirement must admit the version it will talk to.

use serde::Serialize;

use crate::contract::{Change, Class, Diff};
use crate::model::{DependencyKind, Graph, parse_version};

/// A diff with what the graph knows about who it affects.
#[derive(Clone, Debug, Serialize)]
pub struct DiffReport {
    #[serde(flatten)]
    pub diff: Diff,
    /// The API component the contract belongs to, when a graph was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// One entry per change of `diff.changes` (same order) when a graph was given; `None` for
    /// non-breaking changes.
    #[serde(skip)]
    pub verdicts: Option<Vec<Option<Verdict>>>,
}

/// Who a breaking or deprecating change reaches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Consumers whose `uses` name the changed element.
    pub breaks: Vec<String>,
    /// Consumers that do not say what they use.
    pub may_break: Vec<String>,
}

impl Verdict {
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.breaks.is_empty() {
            parts.push(format!("breaks {}", self.breaks.join(", ")));
        }
        if !self.may_break.is_empty() {
            parts.push(format!(
                "may break {} (what they use is not known)",
                self.may_break.join(", ")
            ));
        }
        if parts.is_empty() {
            "no known consumer uses it".to_owned()
        } else {
            parts.join("; ")
        }
    }
}

/// Why the API of a contract could not be found in the graph.
#[derive(Debug, thiserror::Error)]
pub enum ApiLookupError {
    #[error("--api {0}: no such component in the model")]
    Unknown(String),
    #[error(
        "no component in the model has `definition: {0}`: name the contract's component with --api (e.g. --api api:orders-api or --api datastore:orders-db)"
    )]
    NotFound(String),
}

/// Semver rules: findings about versions rather than contract elements.
use super::rules::semver::{
    BREAKING_CHANGE_WITHOUT_MAJOR as BREAKING_WITHOUT_MAJOR,
    REQUIREMENT_EXCLUDES_VERSION as REQUIREMENT_EXCLUDES,
};

/// Add semver findings and, given a graph, consumer verdicts to a diff.
pub fn report(
    mut diff: Diff,
    graph: Option<&Graph>,
    api: Option<&str>,
) -> Result<DiffReport, ApiLookupError> {
    let new_version = diff
        .new_version
        .as_deref()
        .and_then(|v| parse_version(v).ok());
    let old_version = diff
        .old_version
        .as_deref()
        .and_then(|v| parse_version(v).ok());
    let breaking = diff.breaking();
    if breaking > 0
        && let (Some(old), Some(new)) = (&old_version, &new_version)
        && !is_major_bump(old, new)
    {
        let needed = if old.major == 0 {
            format!("0.{}.0", old.minor + 1)
        } else {
            format!("{}.0.0", old.major + 1)
        };
        diff.changes.push(Change::new(
            BREAKING_WITHOUT_MAJOR,
            "version",
            if old == new {
                format!(
                    "{breaking} breaking change{} while the version stays {new}: breaking changes need a new major version ({needed} or later)",
                    if breaking == 1 { "" } else { "s" }
                )
            } else {
                format!(
                    "{breaking} breaking change{} released as {old} -> {new}: breaking changes need a new major version ({needed} or later)",
                    if breaking == 1 { "" } else { "s" }
                )
            },
            None,
            None,
        ));
    }
    let Some(graph) = graph else {
        crate::contract::sort(&mut diff.changes);
        return Ok(DiffReport {
            diff,
            api: None,
            verdicts: None,
        });
    };
    let api_ix = match api {
        Some(id) => graph
            .index_of(id)
            .ok_or_else(|| ApiLookupError::Unknown(id.to_owned()))?,
        None => find_api(graph, &diff).ok_or_else(|| ApiLookupError::NotFound(diff.new.clone()))?,
    };
    let api_id = graph.component(api_ix).id.clone();
    // Who uses a contract depends on what it is the contract of.
    let users: &[DependencyKind] = match graph.component(api_ix).kind {
        crate::model::Kind::Topic => &[DependencyKind::Subscribes, DependencyKind::Publishes],
        crate::model::Kind::Datastore => &[DependencyKind::Reads, DependencyKind::Writes],
        crate::model::Kind::Library => &[DependencyKind::DependsOn],
        _ => &[DependencyKind::Consumes, DependencyKind::Calls],
    };
    let mut consumers: Vec<(&str, &crate::model::Dependency)> = graph
        .dependencies_of(api_ix, crate::model::DependencyDirection::Reverse)
        .filter(|d| users.contains(&d.dependency().kind))
        .map(|d| (d.from().id.as_str(), d.dependency()))
        .collect();
    // Callers of the api's providers use it too: a Pact records a consumer calling a provider
    // service, with the requests it makes.
    if graph.component(api_ix).kind == crate::model::Kind::Api {
        for provides in graph.dependencies_of(api_ix, crate::model::DependencyDirection::Reverse) {
            if provides.dependency().kind != DependencyKind::Provides {
                continue;
            }
            consumers.extend(
                graph
                    .dependencies_of(provides.source, crate::model::DependencyDirection::Reverse)
                    .filter(|d| d.dependency().kind == DependencyKind::Calls)
                    .map(|d| (d.from().id.as_str(), d.dependency())),
            );
        }
    }
    consumers.sort_unstable_by_key(|(id, _)| *id);
    if let Some(new) = &new_version {
        for (consumer, dep) in &consumers {
            if let Some(req) = &dep.version
                && !req.matches(new)
            {
                diff.changes.push(Change::new(
                    REQUIREMENT_EXCLUDES,
                    "version",
                    format!(
                        "{consumer} requires {api_id} {req}, which excludes the new version {new}"
                    ),
                    None,
                    None,
                ));
            }
        }
    }
    crate::contract::sort(&mut diff.changes);
    let verdicts = diff
        .changes
        .iter()
        .map(|change| {
            if change.class == Class::NonBreaking
                || super::rules::semver::RULES.contains(&change.rule)
            {
                return None;
            }
            let mut verdict = Verdict::default();
            for (consumer, dep) in &consumers {
                if dep.uses.is_empty() {
                    verdict.may_break.push((*consumer).to_owned());
                } else if dep.uses.iter().any(|u| change.used_by(u)) {
                    verdict.breaks.push((*consumer).to_owned());
                }
            }
            // A reader and writer of one store is one consumer; what it says it uses decides.
            verdict.breaks.sort_unstable();
            verdict.breaks.dedup();
            verdict.may_break.sort_unstable();
            verdict.may_break.dedup();
            verdict
                .may_break
                .retain(|c| verdict.breaks.binary_search(c).is_err());
            Some(verdict)
        })
        .collect();
    Ok(DiffReport {
        diff,
        api: Some(api_id),
        verdicts: Some(verdicts),
    })
}

impl DiffReport {
    pub fn breaking(&self) -> usize {
        self.diff.breaking()
    }
}

/// A breaking release needs a new major (or, below 1.0, a new minor) version.
fn is_major_bump(old: &semver::Version, new: &semver::Version) -> bool {
    if old.major == 0 && new.major == 0 {
        new.minor > old.minor
    } else {
        new.major > old.major
    }
}

/// The component whose `definition` is the diffed contract's new or old file or folder.
fn find_api(graph: &Graph, diff: &Diff) -> Option<crate::model::ComponentIndex> {
    let trim = |s: &str| s.trim_end_matches('/').to_owned();
    let wanted = [trim(&diff.new), trim(&diff.old)];
    graph.components().find_map(|(ix, c)| {
        c.attrs
            .definition
            .as_deref()
            .is_some_and(|d| wanted.contains(&trim(d)))
            .then_some(ix)
    })
}
