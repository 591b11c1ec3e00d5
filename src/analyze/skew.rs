//! Version skew: dependencies whose consumer's requirement disagrees with the provider version
//! running next to it, per environment and region, including both versions of a component that is
//! mid-rollout.
//!
//! The requirement on an edge is the one the model declares for the consumer version it describes
//! (`version`). A consumer running another version is assumed to require the same, and the finding
//! says so (`declared_for`): its own fragment, scanned from its own commit, would know better. A provider a consumer needs that is recorded elsewhere but not in
//! this environment is skew too (`skew.provider-missing`); a provider never recorded anywhere is
//! unknown, not missing.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Finding;
use crate::model::{Deployments, Graph};

pub use super::rules::skew::{PROVIDER_MISSING, REQUIREMENT_UNMET};

/// One disagreement.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skew {
    pub environment: String,
    /// The region, when the disagreement is particular to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub consumer: String,
    pub consumer_versions: Vec<String>,
    pub provider: String,
    /// Every version of the provider live there (two during a rollout); empty when missing.
    pub provider_versions: Vec<String>,
    pub dependency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    /// The provider versions the requirement excludes.
    pub excluded: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<String>,
    /// The consumer version the requirement is declared for, when other versions run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_for: Option<String>,
}

impl Skew {
    /// The finding as a classified change, for the shared renderers.
    pub fn to_finding(&self) -> Finding {
        let place = match &self.region {
            Some(r) => format!("{} ({r})", self.environment),
            None => self.environment.clone(),
        };
        let consumer = format!("{}@{}", self.consumer, self.consumer_versions.join("+"));
        let (rule, message) = if self.provider_versions.is_empty() {
            (
                PROVIDER_MISSING,
                format!(
                    "{place}: {consumer} {} {}, which does not run there",
                    self.dependency, self.provider
                ),
            )
        } else {
            let running = if self.provider_versions.len() > 1 {
                format!(
                    "{} runs {} (a rollout in progress)",
                    self.provider,
                    self.provider_versions.join(" and ")
                )
            } else {
                format!("{} runs {}", self.provider, self.provider_versions[0])
            };
            let assumed = match &self.declared_for {
                Some(d) => format!(" (the requirement is declared for {d})"),
                None => String::new(),
            };
            (
                REQUIREMENT_UNMET,
                format!(
                    "{place}: {consumer} requires {} {}, but {running}; {} excluded{assumed}",
                    self.provider,
                    self.requirement.as_deref().unwrap_or("*"),
                    self.excluded.join(", ")
                ),
            )
        };
        Finding::new(
            rule,
            format!("{} -> {}", self.consumer, self.provider),
            message,
            None,
        )
    }
}

/// Every skew in `env` (or in every environment), sorted.
pub fn skew(graph: &Graph, state: &Deployments, env: Option<&str>) -> Vec<Skew> {
    let envs: Vec<&str> = match env {
        Some(e) => vec![e],
        None => state.environments().collect(),
    };
    let mut out = BTreeSet::new();
    for env in envs {
        let regions: Vec<Option<&str>> = {
            let named = state.regions(env);
            if named.is_empty() {
                vec![None]
            } else {
                named.into_iter().map(Some).collect()
            }
        };
        for dep in graph.dependencies() {
            let d = dep.dependency();
            // Libraries are built in, not deployed: their versions do not run anywhere.
            if !d.kind.source_needs_target() || dep.to().kind == crate::model::Kind::Library {
                continue;
            }
            let (consumer, provider) = (dep.from(), dep.to());
            for region in &regions {
                let (cv, c_wild) = state.versions(env, *region, &consumer.id);
                if cv.is_empty() {
                    continue;
                }
                let (pv, p_wild) = state.versions(env, *region, &provider.id);
                // Entries that hold in every region give the same answer in each: report once.
                let region = if c_wild && p_wild { None } else { *region };
                let excluded: Vec<String> = match &d.version {
                    Some(req) => pv
                        .iter()
                        .filter(|v| !req.matches(v))
                        .map(|v| v.to_string())
                        .collect(),
                    None => Vec::new(),
                };
                let missing = pv.is_empty() && state.tracks(&provider.id);
                if excluded.is_empty() && !missing {
                    continue;
                }
                out.insert(Skew {
                    environment: env.to_owned(),
                    region: region.map(str::to_owned),
                    consumer: consumer.id.clone(),
                    consumer_versions: cv.iter().map(|v| v.to_string()).collect(),
                    provider: provider.id.clone(),
                    provider_versions: pv.iter().map(|v| v.to_string()).collect(),
                    dependency: d.kind.as_str().to_owned(),
                    requirement: d.version.as_ref().map(ToString::to_string),
                    excluded,
                    uses: d.uses.iter().cloned().collect(),
                    declared_for: consumer
                        .attrs
                        .version
                        .as_ref()
                        .filter(|v| !cv.contains(v))
                        .map(ToString::to_string),
                });
            }
        }
    }
    out.into_iter().collect()
}
