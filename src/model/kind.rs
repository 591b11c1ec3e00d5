//! The two closed vocabularies of the model: component kinds and dependency kinds.
//!
//! Both are tables kept in one place so that parsing, printing and documentation agree on spelling.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a component is. The order of the variants is the order used in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A deployable unit.
    Service,
    /// An interface a service provides (OpenAPI, gRPC, GraphQL, AsyncAPI).
    Api,
    /// A queue or topic (Kafka, SQS, RabbitMQ, NATS).
    Topic,
    /// A database, schema, cache or bucket.
    Datastore,
    /// A shared package with semver versions.
    Library,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 5] = [
        Kind::Service,
        Kind::Api,
        Kind::Topic,
        Kind::Datastore,
        Kind::Library,
    ];

    /// The spelling used in ids, files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Api => "api",
            Kind::Topic => "topic",
            Kind::Datastore => "datastore",
            Kind::Library => "library",
        }
    }

    /// The plural used as a section name in `ripple.yaml`.
    pub fn section(self) -> &'static str {
        match self {
            Kind::Service => "services",
            Kind::Api => "apis",
            Kind::Topic => "topics",
            Kind::Datastore => "datastores",
            Kind::Library => "libraries",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no kind; carries the string for the error message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown component kind `{0}`, expected one of service, api, topic, datastore, library")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// How one component uses another. Edges always point from the actor to the thing it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DependencyKind {
    /// service → api it implements.
    Provides,
    /// service → api it is a client of.
    Consumes,
    /// service → topic it produces to.
    Publishes,
    /// service → topic it consumes from.
    Subscribes,
    /// service → datastore it reads.
    Reads,
    /// service → datastore it writes (and migrates).
    Writes,
    /// anything → library (build time) or a startup dependency.
    DependsOn,
    /// service → service, when the API in between is not known.
    Calls,
}

impl DependencyKind {
    /// Every dependency kind, in report order.
    pub const ALL: [DependencyKind; 8] = [
        DependencyKind::Provides,
        DependencyKind::Consumes,
        DependencyKind::Publishes,
        DependencyKind::Subscribes,
        DependencyKind::Reads,
        DependencyKind::Writes,
        DependencyKind::DependsOn,
        DependencyKind::Calls,
    ];

    /// The spelling used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            DependencyKind::Provides => "provides",
            DependencyKind::Consumes => "consumes",
            DependencyKind::Publishes => "publishes",
            DependencyKind::Subscribes => "subscribes",
            DependencyKind::Reads => "reads",
            DependencyKind::Writes => "writes",
            DependencyKind::DependsOn => "depends-on",
            DependencyKind::Calls => "calls",
        }
    }

    /// The kind a bare name in a `ripple.yaml` list of this dependency kind refers to.
    pub fn default_target(self) -> Kind {
        match self {
            DependencyKind::Provides | DependencyKind::Consumes => Kind::Api,
            DependencyKind::Publishes | DependencyKind::Subscribes => Kind::Topic,
            DependencyKind::Reads | DependencyKind::Writes => Kind::Datastore,
            DependencyKind::DependsOn => Kind::Library,
            DependencyKind::Calls => Kind::Service,
        }
    }

    /// Whether the edge's source *needs* its target (`true`), or the target needs the source.
    ///
    /// A consumer needs the API, but an API needs the service that provides it, and a topic needs
    /// its publishers: following "needs" from a component reaches everything it relies on, and
    /// following it backwards reaches everything that may break when it changes. Datastores are
    /// needed by readers and writers alike, so that a service owning its database is not a cycle.
    pub fn source_needs_target(self) -> bool {
        !matches!(self, DependencyKind::Provides | DependencyKind::Publishes)
    }
}

impl fmt::Display for DependencyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no dependency kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown dependency kind `{0}`, expected one of provides, consumes, publishes, subscribes, reads, writes, depends-on, calls"
)]
pub struct UnknownDependencyKind(pub String);

impl FromStr for DependencyKind {
    type Err = UnknownDependencyKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DependencyKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownDependencyKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_and_are_sorted() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>(), Ok(k));
        }
        for k in DependencyKind::ALL {
            assert_eq!(k.as_str().parse::<DependencyKind>(), Ok(k));
        }
        assert!(Kind::ALL.windows(2).all(|w| w[0] < w[1]));
        assert!(DependencyKind::ALL.windows(2).all(|w| w[0] < w[1]));
        assert!("Service".parse::<Kind>().is_err());
        assert!("depends_on".parse::<DependencyKind>().is_err());
    }
}
