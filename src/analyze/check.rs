//! The can-i-deploy gate: is it safe to run these new versions in this environment?
//!
//! Each candidate `COMPONENT@VERSION` is checked against every provider and consumer deployed in
//! the environment, in the states its rollout passes through: *during* (old and new versions side
//! by side) and *after* (only the new one). Several candidates are one release: they are deployed
//! one at a time in an order that keeps every intermediate state compatible; when no such order
//! exists but the final state is compatible, the set is reported as safe only when deployed
//! together, instead of each member blocking the other.
//!
//! What a version requires is what the model declares. For a candidate that is its new version (CI
//! checks the branch it builds); the old version's requirement is not known, and it runs today, so
//! it is taken to be satisfied. A deployed version of anything else is assumed to require what the
//! model declares for it, and a finding that rests on that assumption says so.
//! Problems that already exist before the release (skew) are not blamed on it.

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;
use serde::Serialize;

use super::Finding;
use crate::model::{DependencyDirection, Deployments, Graph, parse_version};

pub use super::rules::check::{PROVIDER_MISSING, REQUIREMENT_UNMET};

/// A new version to deploy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub component: String,
    pub version: Version,
}

/// Why `COMPONENT@VERSION` arguments were refused.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("`{0}` is not COMPONENT@VERSION (e.g. service:checkout@2.4.0)")]
    Syntax(String),
    #[error("`{0}`: {1}")]
    Version(String, semver::Error),
    /// A component the model does not have; the message says what was probably meant.
    #[error("{0}")]
    Unknown(String),
    #[error("{0} is named twice")]
    Twice(String),
    #[error("no state is known for environment `{0}` (known: {1}){2}")]
    UnknownEnvironment(String, String, String),
    #[error("environment `{0}` has no region `{1}` (its regions: {2}){3}")]
    UnknownRegion(String, String, String, String),
    /// A candidate contract could not be compared.
    #[error(transparent)]
    Contract(#[from] ContractCheckError),
}

/// Parse `service:checkout@2.4.0`.
pub fn parse_candidate(graph: &Graph, text: &str) -> Result<Candidate, CheckError> {
    let (id, version) = text
        .rsplit_once('@')
        .ok_or_else(|| CheckError::Syntax(text.to_owned()))?;
    let version = parse_version(version).map_err(|e| CheckError::Version(text.to_owned(), e))?;
    if graph.get(id).is_none() {
        return Err(CheckError::Unknown(graph.unknown_component_message(id)));
    }
    Ok(Candidate {
        component: id.to_owned(),
        version,
    })
}

/// The verdict on a release in one environment.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    pub environment: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub candidates: Vec<String>,
    pub safe: bool,
    /// Deployment steps that keep every state compatible; a step of several candidates must be
    /// deployed together.
    pub order: Vec<Vec<String>>,
    /// Every problem found.
    pub findings: Vec<Finding>,
}

/// A violated requirement in a state.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    consumer: String,
    consumer_version: String,
    /// The version whose requirement the model declares, when the running one differs.
    declared: Option<String>,
    provider: String,
    /// Empty when the provider is missing.
    provider_version: String,
    requirement: String,
    uses: Vec<String>,
}

type State = BTreeMap<String, BTreeSet<Version>>;

struct Checker<'g> {
    graph: &'g Graph,
    env: &'g str,
    /// One region, or every version live anywhere in the environment.
    region: Option<&'g str>,
    deployments: &'g Deployments,
    candidates: &'g [Candidate],
}

impl Checker<'_> {
    fn new_version(&self, component: &str) -> Option<&Version> {
        self.candidates
            .iter()
            .find(|c| c.component == component)
            .map(|c| &c.version)
    }

    /// The live versions in the environment (any region) of the components around the release.
    fn current(&self) -> State {
        let mut state = State::new();
        let mut around: BTreeSet<&str> = BTreeSet::new();
        for c in self.candidates {
            around.insert(&c.component);
            if let Some(ix) = self.graph.index_of(&c.component) {
                for dir in [DependencyDirection::Forward, DependencyDirection::Reverse] {
                    for d in self.graph.dependencies_of(ix, dir) {
                        around.insert(&d.from().id);
                        around.insert(&d.to().id);
                    }
                }
            }
        }
        for id in around {
            let (versions, _) = self.deployments.versions(self.env, self.region, id);
            state.insert(id.to_owned(), versions.into_iter().cloned().collect());
        }
        state
    }

    /// Requirements broken in `state`, on dependencies that touch a candidate.
    fn violations(&self, state: &State) -> BTreeSet<Violation> {
        let mut out = BTreeSet::new();
        for c in self.candidates {
            let Some(ix) = self.graph.index_of(&c.component) else {
                continue;
            };
            for dir in [DependencyDirection::Forward, DependencyDirection::Reverse] {
                for d in self.graph.dependencies_of(ix, dir) {
                    let dep = d.dependency();
                    // Libraries are built in, not deployed.
                    if !dep.kind.source_needs_target() || d.to().kind == crate::model::Kind::Library
                    {
                        continue;
                    }
                    let (consumer, provider) = (&d.from().id, &d.to().id);
                    let empty = BTreeSet::new();
                    let consumer_versions = state.get(consumer).unwrap_or(&empty);
                    // A candidate's requirement is its new version's; the old version's is not
                    // known. Anything else is assumed to require what the model declares.
                    let governed: Vec<&Version> = match self.new_version(consumer) {
                        Some(new) => consumer_versions.iter().filter(|v| *v == new).collect(),
                        None => consumer_versions.iter().collect(),
                    };
                    let declared = d.from().attrs.version.as_ref();
                    let Some(consumer_version) = governed.first() else {
                        continue;
                    };
                    let providers = state.get(provider).unwrap_or(&empty);
                    let uses: Vec<String> = dep.uses.iter().cloned().collect();
                    if providers.is_empty() {
                        if self.deployments.tracks(provider) || self.new_version(provider).is_some()
                        {
                            out.insert(Violation {
                                consumer: consumer.clone(),
                                consumer_version: consumer_version.to_string(),
                                declared: declared
                                    .filter(|v| v != consumer_version)
                                    .map(ToString::to_string),
                                provider: provider.clone(),
                                provider_version: String::new(),
                                requirement: dep
                                    .version
                                    .as_ref()
                                    .map_or("*".to_owned(), ToString::to_string),
                                uses,
                            });
                        }
                        continue;
                    }
                    let Some(req) = &dep.version else { continue };
                    for pv in providers.iter().filter(|v| !req.matches(v)) {
                        out.insert(Violation {
                            consumer: consumer.clone(),
                            consumer_version: consumer_version.to_string(),
                            declared: declared
                                .filter(|v| v != consumer_version)
                                .map(ToString::to_string),
                            provider: provider.clone(),
                            provider_version: pv.to_string(),
                            requirement: req.to_string(),
                            uses: uses.clone(),
                        });
                    }
                }
            }
        }
        out
    }

    /// The new problems of deploying `step` on top of `state`: during (old and new side by side)
    /// and after.
    fn step(
        &self,
        state: &State,
        step: &[&Candidate],
        baseline: &BTreeSet<Violation>,
    ) -> (State, BTreeSet<(Violation, bool)>) {
        let mut during = state.clone();
        let mut after = state.clone();
        for c in step {
            during
                .entry(c.component.clone())
                .or_default()
                .insert(c.version.clone());
            after.insert(c.component.clone(), BTreeSet::from([c.version.clone()]));
        }
        let mut problems = BTreeSet::new();
        for v in self.violations(&during) {
            if !baseline.contains(&v) {
                problems.insert((v, true));
            }
        }
        for v in self.violations(&after) {
            if !baseline.contains(&v) {
                problems.insert((v, false));
            }
        }
        // A problem present after is reported once, as such.
        let after_set: BTreeSet<Violation> = problems
            .iter()
            .filter(|(_, d)| !d)
            .map(|(v, _)| v.clone())
            .collect();
        problems.retain(|(v, during)| !*during || !after_set.contains(v));
        (after, problems)
    }
}

/// Check `candidates` as one release into `env`, or into one `region` of it. Without a region,
/// an environment that has regions is checked region by region (a problem that exists in one
/// region must not hide a new one in another): the release is safe if it is safe in every region.
pub fn check(
    graph: &Graph,
    deployments: &Deployments,
    env: &str,
    region: Option<&str>,
    candidates: &[Candidate],
) -> Result<CheckReport, CheckError> {
    let regions = deployments.regions(env);
    if region.is_some() || regions.is_empty() {
        return check_one(graph, deployments, env, region, candidates);
    }
    let all_regions: Vec<&str> = regions.into_iter().collect();
    let mut combined: Option<CheckReport> = None;
    // A problem found in several regions is one finding that names them (or none, if all).
    let mut found: Vec<(Finding, Vec<&str>)> = Vec::new();
    for &r in &all_regions {
        let report = check_one(graph, deployments, env, Some(r), candidates)?;
        for finding in &report.findings {
            match found.iter_mut().find(|(f, _)| f == finding) {
                Some((_, rs)) => rs.push(r),
                None => found.push((finding.clone(), vec![r])),
            }
        }
        combined = Some(match combined {
            None => report,
            Some(mut all) => {
                all.safe &= report.safe;
                // Keep the order that groups the most: it is safe wherever a finer one is.
                if report.order.len() < all.order.len() {
                    all.order = report.order;
                }
                all
            }
        });
    }
    let mut report = combined.expect("an environment with regions has at least one");
    report.region = None;
    report.findings = found
        .into_iter()
        .map(|(mut f, rs)| {
            if rs.len() < all_regions.len() {
                f.message = format!("{} (in {})", f.message, rs.join(", "));
            }
            f
        })
        .collect();
    if !report.safe {
        report.order.clear();
    }
    super::sort(&mut report.findings);
    Ok(report)
}

/// `env` must be an environment of the state and `region`, when given, one of its regions
/// (any region is valid in an environment that names none).
pub fn check_scope(
    deployments: &Deployments,
    env: &str,
    region: Option<&str>,
) -> Result<(), CheckError> {
    if !deployments.has_environment(env) {
        let known: Vec<&str> = deployments.environments().collect();
        return Err(CheckError::UnknownEnvironment(
            env.to_owned(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            },
            crate::source::suggest::did_you_mean(env, known.iter().copied()),
        ));
    }
    if let Some(region) = region {
        let regions = deployments.regions(env);
        if !regions.is_empty() && !regions.contains(region) {
            return Err(CheckError::UnknownRegion(
                env.to_owned(),
                region.to_owned(),
                regions.iter().copied().collect::<Vec<_>>().join(", "),
                crate::source::suggest::did_you_mean(region, regions.iter().copied()),
            ));
        }
    }
    Ok(())
}

fn check_one(
    graph: &Graph,
    deployments: &Deployments,
    env: &str,
    region: Option<&str>,
    candidates: &[Candidate],
) -> Result<CheckReport, CheckError> {
    check_scope(deployments, env, region)?;
    let mut seen = BTreeSet::new();
    for c in candidates {
        if !seen.insert(&c.component) {
            return Err(CheckError::Twice(c.component.clone()));
        }
    }
    let checker = Checker {
        graph,
        env,
        region,
        deployments,
        candidates,
    };
    let mut state = checker.current();
    let baseline = checker.violations(&state);
    let mut remaining: Vec<&Candidate> = candidates.iter().collect();
    let mut order: Vec<Vec<String>> = Vec::new();
    let mut blocked: BTreeMap<String, BTreeSet<(Violation, bool)>> = BTreeMap::new();
    // One at a time, in the order given where possible.
    while !remaining.is_empty() {
        let mut progressed = false;
        for i in 0..remaining.len() {
            let (next, problems) = checker.step(&state, &remaining[i..=i], &baseline);
            if problems.is_empty() {
                state = next;
                order.push(vec![label(remaining[i])]);
                remaining.remove(i);
                progressed = true;
                break;
            }
            blocked.insert(remaining[i].component.clone(), problems);
        }
        if !progressed {
            break;
        }
    }
    let mut findings = Vec::new();
    let safe = if remaining.is_empty() {
        true
    } else {
        // No single next step works: can the rest go together?
        let (_, problems) = checker.step(&state, &remaining, &baseline);
        let after_problems: Vec<&Violation> = problems
            .iter()
            .filter(|(_, d)| !d)
            .map(|(v, _)| v)
            .collect();
        if after_problems.is_empty() && remaining.len() > 1 {
            order.push(remaining.iter().map(|c| label(c)).collect());
            true
        } else {
            let stuck: BTreeSet<&str> = remaining.iter().map(|c| c.component.as_str()).collect();
            let mut all: BTreeSet<(Violation, bool)> = BTreeSet::new();
            for (component, problems) in &blocked {
                if stuck.contains(component.as_str()) {
                    all.extend(problems.iter().cloned());
                }
            }
            for (v, during) in all {
                findings.push(to_finding(&v, during, env));
            }
            super::sort(&mut findings);
            false
        }
    };
    Ok(CheckReport {
        environment: env.to_owned(),
        region: region.map(str::to_owned),
        candidates: candidates.iter().map(label).collect(),
        safe,
        order,
        findings,
    })
}

fn label(c: &Candidate) -> String {
    format!("{}@{}", c.component, c.version)
}

fn to_finding(v: &Violation, during: bool, env: &str) -> Finding {
    let uses = if v.uses.is_empty() {
        String::new()
    } else {
        format!(" (uses {})", v.uses.join(", "))
    };
    let assumed = match &v.declared {
        Some(d) => format!(
            " (assuming {} requires what {d} declares)",
            v.consumer_version
        ),
        None => String::new(),
    };
    let when = if during {
        "while both versions run during the rollout"
    } else {
        "after the release"
    };
    let (rule, message) = if v.provider_version.is_empty() {
        (
            PROVIDER_MISSING,
            format!(
                "{}@{} needs {}{uses}, which would not run in {env} {when}",
                v.consumer, v.consumer_version, v.provider
            ),
        )
    } else {
        (
            REQUIREMENT_UNMET,
            format!(
                "{}@{} requires {} {}{uses}, but {}@{} would run in {env} {when}{assumed}",
                v.consumer,
                v.consumer_version,
                v.provider,
                v.requirement,
                v.provider,
                v.provider_version
            ),
        )
    };
    Finding::new(
        rule,
        format!("{} -> {}", v.consumer, v.provider),
        message,
        None,
    )
}

/// Can this release go to `env` (or one `region` of it)? The candidates' versions are checked
/// state by state ([`check`]) and each candidate api's new contract against the consumers
/// running there ([`contract_findings`]); a breaking contract finding makes the release unsafe
/// and leaves no order to follow.
pub fn check_release(
    graph: &Graph,
    deployments: &Deployments,
    env: &str,
    region: Option<&str>,
    candidates: &[Candidate],
    contracts: &[NewContract],
    options: &crate::contract::DiffOptions,
) -> Result<CheckReport, CheckError> {
    let mut report = check(graph, deployments, env, region, candidates)?;
    for contract in contracts {
        let findings = contract_findings(graph, deployments, env, region, contract, options)?;
        if !findings.is_empty() {
            report.safe = false;
            report.order.clear();
        }
        report.findings.extend(findings);
    }
    super::sort(&mut report.findings);
    Ok(report)
}

/// A candidate's new contract, to compare with the one the model holds for what runs now.
#[derive(Clone, Debug)]
pub struct NewContract {
    pub component: String,
    pub path: std::path::PathBuf,
}

/// Why a `--contract` could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum ContractCheckError {
    #[error("`{0}` is not ID=PATH (e.g. api:orders-api=specs/orders.yaml)")]
    Syntax(String),
    #[error("{0} is not an api in the model")]
    NotAnApi(String),
    #[error("{0} has no `definition` to compare the new contract with")]
    NoDefinition(String),
    #[error(transparent)]
    Contract(#[from] crate::contract::ContractErrors),
    #[error(transparent)]
    Api(#[from] super::consumers::ApiLookupError),
}

/// Parse `api:orders-api=specs/orders.yaml`.
pub fn parse_contract(text: &str) -> Result<NewContract, ContractCheckError> {
    let (component, path) = text
        .split_once('=')
        .ok_or_else(|| ContractCheckError::Syntax(text.to_owned()))?;
    Ok(NewContract {
        component: component.to_owned(),
        path: path.into(),
    })
}

/// Breaking changes of a new contract that reach consumers running in `env`: a contract diff
/// against the model's `definition`, judged by who uses what and what runs there. An element
/// removed before its announced sunset is one of them.
pub fn contract_findings(
    graph: &Graph,
    deployments: &Deployments,
    env: &str,
    region: Option<&str>,
    contract: &NewContract,
    options: &crate::contract::DiffOptions,
) -> Result<Vec<Finding>, ContractCheckError> {
    let api = graph
        .get(&contract.component)
        .filter(|c| c.kind == crate::model::Kind::Api)
        .ok_or_else(|| ContractCheckError::NotAnApi(contract.component.clone()))?;
    let old = api
        .attrs
        .definition
        .as_deref()
        .filter(|d| std::path::Path::new(d).exists())
        .ok_or_else(|| ContractCheckError::NoDefinition(api.id.clone()))?;
    let diff = crate::contract::diff_paths(std::path::Path::new(old), &contract.path, options)?;
    let report = super::consumers::report(diff, Some(graph), Some(&api.id))?;
    let verdicts = report.verdicts.unwrap_or_default();
    let mut findings = Vec::new();
    for (change, verdict) in report.diff.changes.iter().zip(verdicts) {
        let Some(verdict) = verdict else { continue };
        if change.class != crate::contract::Class::Breaking {
            continue;
        }
        let running = |id: &String| !deployments.versions(env, region, id).0.is_empty();
        let breaks: Vec<&String> = verdict.breaks.iter().filter(|c| running(c)).collect();
        let may: Vec<&String> = verdict.may_break.iter().filter(|c| running(c)).collect();
        if breaks.is_empty() && may.is_empty() {
            continue;
        }
        let mut who = Vec::new();
        if !breaks.is_empty() {
            who.push(format!(
                "breaks {}",
                breaks
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !may.is_empty() {
            who.push(format!(
                "may break {}",
                may.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        findings.push(Finding::from_change(
            change,
            format!("{}; {} in {env}", change.message, who.join("; ")),
        ));
    }
    Ok(findings)
}
