//! Environment state: which versions of each component run in each environment and region.
//!
//! A component normally runs one version per place; during a rolling or canary deployment it runs
//! two, and both must be compatible with every neighbour. The state comes from the model's
//! `environments` attributes, overlaid by environment files (`environments/*.yaml`) that record
//! what was actually deployed.

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;

use super::Graph;

/// The region key of the versions that run in every region of an environment that has no entry
/// of its own: a component's default. Environment files write it `other-regions:` (or give the
/// component a single version, with no regions at all); `"*"` is read too, for older files.
pub const ALL_REGIONS: &str = "*";

/// Versions live per environment, component and region.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deployments {
    /// environment → component id → region (or [`ALL_REGIONS`]) → versions.
    envs: BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeSet<Version>>>>,
}

impl Deployments {
    /// The state the model declares: each component's `environments` attribute, in all regions.
    pub fn from_graph(graph: &Graph) -> Self {
        let mut state = Deployments::default();
        for (_, c) in graph.components() {
            for (env, version) in &c.attrs.environments {
                state.set(env, &c.id, ALL_REGIONS, [version.clone()]);
            }
        }
        state
    }

    /// Replace the versions of `component` in `env` and `region`.
    pub fn set(
        &mut self,
        env: &str,
        component: &str,
        region: &str,
        versions: impl IntoIterator<Item = Version>,
    ) {
        let regions = self
            .envs
            .entry(env.to_owned())
            .or_default()
            .entry(component.to_owned())
            .or_default();
        let versions: BTreeSet<Version> = versions.into_iter().collect();
        if versions.is_empty() {
            regions.remove(region);
        } else {
            regions.insert(region.to_owned(), versions);
        }
    }

    /// Add a version next to those already live (a rollout in progress). A region without an
    /// entry of its own runs the [`ALL_REGIONS`] versions: those stay live beside the new one.
    pub fn add(&mut self, env: &str, component: &str, region: &str, version: Version) {
        let regions = self
            .envs
            .entry(env.to_owned())
            .or_default()
            .entry(component.to_owned())
            .or_default();
        let inherited = regions.get(ALL_REGIONS).cloned().unwrap_or_default();
        regions
            .entry(region.to_owned())
            .or_insert(inherited)
            .insert(version);
    }

    /// The entry of `component` in `env`: region (or [`ALL_REGIONS`]) → versions. An entry
    /// without regions records that the component runs nowhere in `env`.
    pub fn entry(
        &self,
        env: &str,
        component: &str,
    ) -> Option<&BTreeMap<String, BTreeSet<Version>>> {
        self.envs.get(env).and_then(|e| e.get(component))
    }

    /// Replace the whole entry of `component` in `env` (see [`Deployments::entry`]).
    pub fn replace(
        &mut self,
        env: &str,
        component: &str,
        regions: BTreeMap<String, BTreeSet<Version>>,
    ) {
        self.envs
            .entry(env.to_owned())
            .or_default()
            .insert(component.to_owned(), regions);
    }

    /// Remove one version, or every version when `version` is `None`.
    pub fn remove(&mut self, env: &str, component: &str, region: &str, version: Option<&Version>) {
        let Some(regions) = self.envs.get_mut(env).and_then(|e| e.get_mut(component)) else {
            return;
        };
        match version {
            None => {
                regions.remove(region);
            }
            Some(v) => {
                if let Some(set) = regions.get_mut(region) {
                    set.remove(v);
                    if set.is_empty() {
                        regions.remove(region);
                    }
                }
            }
        }
    }

    /// Replace whole components' entries of `other` into this state: recorded deployments win over
    /// declared ones.
    pub fn overlay(&mut self, other: &Deployments) {
        for (env, components) in &other.envs {
            let mine = self.envs.entry(env.clone()).or_default();
            for (component, regions) in components {
                mine.insert(component.clone(), regions.clone());
            }
        }
    }

    /// Environment names, sorted.
    pub fn environments(&self) -> impl Iterator<Item = &str> {
        self.envs.keys().map(String::as_str)
    }

    /// Whether anything is recorded for `env`.
    pub fn has_environment(&self, env: &str) -> bool {
        self.envs.contains_key(env)
    }

    /// Regions named in `env`, sorted (not including [`ALL_REGIONS`]).
    pub fn regions(&self, env: &str) -> BTreeSet<&str> {
        self.envs
            .get(env)
            .into_iter()
            .flat_map(|components| components.values())
            .flat_map(|regions| regions.keys())
            .map(String::as_str)
            .filter(|r| *r != ALL_REGIONS)
            .collect()
    }

    /// The versions of `component` live in `env`, in `region` (falling back to the all-regions
    /// entry), or anywhere in the environment when `region` is `None`. The flag tells whether the
    /// answer came from the all-regions entry.
    pub fn versions(
        &self,
        env: &str,
        region: Option<&str>,
        component: &str,
    ) -> (BTreeSet<&Version>, bool) {
        let Some(regions) = self.envs.get(env).and_then(|e| e.get(component)) else {
            return (BTreeSet::new(), true);
        };
        match region {
            Some(r) => match regions.get(r) {
                Some(v) => (v.iter().collect(), false),
                None => (
                    regions
                        .get(ALL_REGIONS)
                        .map(|v| v.iter().collect())
                        .unwrap_or_default(),
                    true,
                ),
            },
            None => (
                regions.values().flatten().collect(),
                regions.keys().all(|k| k == ALL_REGIONS),
            ),
        }
    }

    /// Whether `component` is recorded in any environment: a component never recorded is not
    /// "missing" anywhere, its state is just unknown.
    pub fn tracks(&self, component: &str) -> bool {
        self.envs.values().any(|e| e.contains_key(component))
    }

    /// Components recorded in `env`, sorted, with their regions and versions.
    pub fn components(
        &self,
        env: &str,
    ) -> impl Iterator<Item = (&str, &BTreeMap<String, BTreeSet<Version>>)> {
        self.envs
            .get(env)
            .into_iter()
            .flat_map(|c| c.iter())
            .map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn regions_fall_back_to_the_all_regions_entry() {
        let mut d = Deployments::default();
        d.set("prod", "service:a", ALL_REGIONS, [v("1.0.0")]);
        d.set("prod", "service:a", "eu", [v("1.1.0")]);
        d.add("prod", "service:a", "eu", v("1.2.0"));
        assert_eq!(d.regions("prod"), BTreeSet::from(["eu"]));
        let (eu, wildcard) = d.versions("prod", Some("eu"), "service:a");
        assert_eq!(eu.len(), 2);
        assert!(!wildcard);
        let (us, wildcard) = d.versions("prod", Some("us"), "service:a");
        assert_eq!(us.into_iter().cloned().collect::<Vec<_>>(), [v("1.0.0")]);
        assert!(wildcard);
        let (all, _) = d.versions("prod", None, "service:a");
        assert_eq!(all.len(), 3);
        d.remove("prod", "service:a", "eu", Some(&v("1.1.0")));
        assert_eq!(d.versions("prod", Some("eu"), "service:a").0.len(), 1);
        assert!(d.tracks("service:a"));
        assert!(!d.tracks("service:b"));
    }

    #[test]
    fn adding_in_a_region_keeps_the_version_inherited_from_all_regions() {
        let mut d = Deployments::default();
        d.set("prod", "service:a", ALL_REGIONS, [v("1.0.0")]);
        d.add("prod", "service:a", "eu", v("1.1.0"));
        let (eu, _) = d.versions("prod", Some("eu"), "service:a");
        assert_eq!(
            eu.into_iter().cloned().collect::<Vec<_>>(),
            [v("1.0.0"), v("1.1.0")]
        );
        let (us, _) = d.versions("prod", Some("us"), "service:a");
        assert_eq!(us.into_iter().cloned().collect::<Vec<_>>(), [v("1.0.0")]);
    }
}
