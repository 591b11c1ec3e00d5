//! Deprecations still in use: what each consumer must migrate away from, and by when.
//!
//! Deprecations come from the model (a component with `lifecycle: deprecated`, a `sunset` or a
//! `deprecated-since` date) and from contracts (OpenAPI operations marked `deprecated`, with their
//! `x-sunset` and `x-deprecated-since` dates; protobuf rpcs and services with `deprecated = true`).
//! An element without dates of its own takes its component's. A deprecation without a sunset gets
//! its deadline from the `deprecation-window-days` policy counted from its deprecation date, when
//! both are known. Each consumer still using a deprecated element is listed with the deadline, the days
//! left, and the environments where it still runs.

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde::Serialize;

use super::Finding;
use crate::contract::uses_element;
use crate::model::{Deployments, Graph, Kind};
use crate::source::boundary::Boundary;
use crate::source::diagnostic::{Code, Diagnostic, Location};

pub use super::rules::deprecation::{MIGRATION_DUE, SUNSET_PASSED};

/// Deadlines this close are "due soon".
pub const DUE_SOON_DAYS: i64 = 30;

/// Where a deadline stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The sunset has passed and the consumer still uses the element.
    Overdue,
    /// Within [`DUE_SOON_DAYS`].
    DueSoon,
    Open,
    /// Deprecated without a date to migrate by.
    Undated,
}

/// One consumer that must migrate away from one deprecated element.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deprecation {
    pub consumer: String,
    /// The deprecated component, or the component whose contract holds the deprecated element.
    pub component: String,
    /// The deprecated contract element (`GET /orders/{id}`), absent when the whole component is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    pub status: Status,
    /// What set the deadline: `sunset`, `x-sunset`, `policy`, or nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_from: Option<String>,
    /// The consumer's `uses` do not say: it may use the element.
    pub uncertain: bool,
    /// Environments where the consumer runs.
    pub environments: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_at: Option<Location>,
}

impl Deprecation {
    fn sort_key(&self) -> (&str, Status, &Option<String>, &str, &Option<String>) {
        (
            &self.consumer,
            self.status,
            &self.deadline,
            &self.component,
            &self.element,
        )
    }

    /// The window as a classified change for the shared renderers.
    pub fn to_finding(&self) -> Finding {
        let what = match &self.element {
            Some(e) => format!("{} `{e}`", self.component),
            None => self.component.clone(),
        };
        let when = match (&self.deadline, self.days_left) {
            (Some(d), Some(n)) if n < 0 => format!("sunset {d} passed {} days ago", -n),
            (Some(d), Some(n)) => format!("migrate by {d} ({n} days left)"),
            _ => "no sunset date set".to_owned(),
        };
        let verb = if self.uncertain { "may use" } else { "uses" };
        let runs = if self.environments.is_empty() {
            String::new()
        } else {
            format!("; runs in {}", self.environments.join(", "))
        };
        let rule = if self.status == Status::Overdue {
            SUNSET_PASSED
        } else {
            MIGRATION_DUE
        };
        Finding::new(
            rule,
            self.consumer.clone(),
            format!("{verb} deprecated {what}: {when}{runs}"),
            self.declared_at.clone(),
        )
    }
}

/// A deprecated element of a contract.
struct SpecDeprecation {
    element: String,
    sunset: Option<Date>,
    since: Option<Date>,
    at: Location,
}

/// Every consumer of a deprecated element as of `today`, sorted by consumer. The contracts the
/// model names (`definition`) are read within `boundary`, as are the files they import or refer
/// to. Contracts that cannot be read are returned as diagnostics, next to the deprecations of
/// everything else.
pub fn deprecations(
    graph: &Graph,
    state: &Deployments,
    today: Date,
    boundary: &Boundary,
) -> (Vec<Deprecation>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let policy_days = graph.policies().deprecation_window_days;
    let deadline =
        |sunset: Option<Date>, since: Option<Date>| -> (Option<Date>, Option<&'static str>) {
            match (sunset, since, policy_days) {
                (Some(s), _, _) => (Some(s), Some("sunset")),
                (None, Some(since), Some(days)) => (
                    since
                        .checked_add(jiff::Span::new().days(i64::from(days)))
                        .ok(),
                    Some("policy"),
                ),
                _ => (None, None),
            }
        };
    for (ix, c) in graph.components() {
        let consumers: Vec<_> = graph
            .dependencies_of(ix, crate::model::DependencyDirection::Reverse)
            .filter(|d| d.dependency().kind.source_needs_target())
            .collect();
        if consumers.is_empty() {
            continue;
        }
        if c.attrs.is_deprecated() {
            let (date, from) = deadline(c.attrs.sunset, c.attrs.deprecated_since);
            for d in &consumers {
                out.push(window(
                    d.from().id.clone(),
                    c.id.clone(),
                    None,
                    date,
                    from,
                    false,
                    state,
                    today,
                    None,
                ));
            }
        }
        if c.kind != Kind::Api {
            continue;
        }
        let Some(definition) = &c.attrs.definition else {
            continue;
        };
        let path = std::path::Path::new(definition);
        if definition.contains("://") || !path.exists() {
            continue;
        }
        if let Err(refused) = boundary.check(path) {
            problems.push(Diagnostic::error(
                Code::Io,
                Location::new(definition.as_str().into(), 0, 0),
                format!("the definition of {}: {refused}", c.id),
            ));
            continue;
        }
        let read = if path.extension().is_some_and(|e| e == "proto") || path.is_dir() {
            proto_deprecations(path, boundary)
        } else if is_openapi(path) {
            openapi_deprecations(path, boundary)
        } else {
            continue;
        };
        let deprecations = match read {
            Ok(d) => d,
            Err(errors) => {
                problems.extend(errors);
                continue;
            }
        };
        for dep in deprecations {
            let (date, from) = match (dep.sunset, dep.since) {
                (Some(s), _) => (Some(s), Some("x-sunset")),
                (None, Some(since)) => deadline(None, Some(since)),
                // The element names no date of its own: the component's apply.
                (None, None) => deadline(c.attrs.sunset, c.attrs.deprecated_since),
            };
            for d in &consumers {
                let uses = &d.dependency().uses;
                let uncertain = uses.is_empty();
                if uncertain || uses.iter().any(|u| uses_element(u, &dep.element)) {
                    out.push(window(
                        d.from().id.clone(),
                        c.id.clone(),
                        Some(dep.element.clone()),
                        date,
                        from,
                        uncertain,
                        state,
                        today,
                        Some(dep.at.clone()),
                    ));
                }
            }
        }
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.dedup();
    (out, problems)
}

#[allow(clippy::too_many_arguments)]
fn window(
    consumer: String,
    component: String,
    element: Option<String>,
    deadline: Option<Date>,
    from: Option<&str>,
    uncertain: bool,
    state: &Deployments,
    today: Date,
    declared_at: Option<Location>,
) -> Deprecation {
    let days_left = deadline
        .and_then(|d| today.until(d).ok())
        .map(|span| i64::from(span.get_days()));
    let status = match days_left {
        None => Status::Undated,
        Some(n) if n < 0 => Status::Overdue,
        Some(n) if n <= DUE_SOON_DAYS => Status::DueSoon,
        Some(_) => Status::Open,
    };
    let environments: BTreeSet<String> = state
        .environments()
        .filter(|env| !state.versions(env, None, &consumer).0.is_empty())
        .map(str::to_owned)
        .collect();
    Deprecation {
        consumer,
        component,
        element,
        deadline: deadline.map(|d| d.to_string()),
        days_left,
        status,
        deadline_from: from.map(str::to_owned),
        uncertain,
        environments: environments.into_iter().collect(),
        declared_at,
    }
}

fn is_openapi(path: &std::path::Path) -> bool {
    crate::source::file::read_text(path, Default::default())
        .ok()
        .and_then(|t| crate::contract::sniff_text(&t))
        == Some(crate::contract::ContractFormat::Openapi)
}

/// Deprecated rpcs of a proto file or module. Protobuf has no sunset option: their deadline comes
/// from the api's `sunset` or the deprecation window policy.
fn proto_deprecations(
    path: &std::path::Path,
    boundary: &Boundary,
) -> Result<Vec<SpecDeprecation>, Vec<Diagnostic>> {
    let rpcs = crate::contract::proto::deprecated_rpcs(path, boundary).map_err(|e| e.errors)?;
    Ok(rpcs
        .into_iter()
        .map(|(element, at)| SpecDeprecation {
            element,
            sunset: None,
            since: None,
            at,
        })
        .collect())
}

/// Deprecated operations of an OpenAPI or Swagger document, as the OpenAPI module reads them.
fn openapi_deprecations(
    path: &std::path::Path,
    boundary: &Boundary,
) -> Result<Vec<SpecDeprecation>, Vec<Diagnostic>> {
    let operations =
        crate::contract::openapi::deprecated_operations(path, boundary).map_err(|e| e.errors)?;
    Ok(operations
        .into_iter()
        .map(|op| SpecDeprecation {
            element: op.element,
            sunset: op.sunset,
            since: op.since,
            at: op.location,
        })
        .collect())
}
