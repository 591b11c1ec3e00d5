//! Analyses over the [`Graph`](crate::model::Graph). They compute; they never print.

pub mod check;
pub mod consumers;
pub mod deprecations;
pub mod rules;
pub mod skew;
pub mod summary;

use serde::Serialize;

use crate::contract::{Change, Class, Rule};
use crate::source::diagnostic::Location;

/// One finding of an analysis of what runs where (`check`, `skew`, `deprecations`): the rule it
/// breaks, what it is about and why. Contract changes are [`Change`]s; a finding may carry one
/// (a candidate contract's breaking change, blamed on the consumers running in an environment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Serialised as the rule's id.
    #[serde(serialize_with = "rule_id")]
    pub rule: &'static Rule,
    pub class: Class,
    /// What the finding is about: a dependency `service:checkout -> api:payments-api`, a
    /// consumer `service:billing`, or a contract element `GET /orders/{id}`.
    pub element: String,
    /// What is wrong, in a sentence that names versions, environment and region.
    pub message: String,
    /// Where the fact behind the finding is written, when one place is (a contract line, a
    /// declaration of use).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

fn rule_id<S: serde::Serializer>(rule: &&'static Rule, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rule.id)
}

impl Finding {
    /// A finding classified by its rule's default class.
    pub fn new(
        rule: &'static Rule,
        element: impl Into<String>,
        message: impl Into<String>,
        location: Option<Location>,
    ) -> Self {
        Finding {
            rule,
            class: rule.class,
            element: element.into(),
            message: message.into(),
            location,
        }
    }

    /// A contract change as a finding, with its message replaced by `message`; it is placed at
    /// the change's new line, or its old one for removals.
    pub fn from_change(change: &Change, message: String) -> Self {
        Finding {
            rule: change.rule,
            class: change.class,
            element: change.element.clone(),
            message,
            location: change.location().cloned(),
        }
    }

    fn sort_key(&self) -> (Class, &str, &str, &str) {
        (self.class, &self.element, self.rule.id, &self.message)
    }
}

/// Sort findings: breaking first, then by element, rule and message; duplicates removed.
pub fn sort(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
}
