//! The rules of the analyses, and the registry of every rule ripple can report.
//!
//! Contract formats own their rules (`crate::contract::rules`); the analyses here own theirs:
//! a finding of `ripple check`, `ripple skew`, `ripple deprecations` or a semver judgement is
//! emitted through one of these constants. [`all`] lists both, for `ripple rules` and
//! `docs/rules.md`.

use crate::contract::Rule;
use crate::contract::rules::declare_rules;

/// Findings of `ripple check`: what a release would make true in an environment.
pub mod check {
    use super::declare_rules;
    declare_rules! {
        PROVIDER_MISSING = "check.provider-missing", Breaking, "a release leaves a consumer without a provider it needs in the environment";
        REQUIREMENT_UNMET = "check.requirement-unmet", Breaking, "a release makes a consumer's version requirement exclude a provider version that runs beside it, during or after the rollout";
    }
}

/// Findings of `ripple skew`: what is true in an environment now.
pub mod skew {
    use super::declare_rules;
    declare_rules! {
        PROVIDER_MISSING = "skew.provider-missing", Breaking, "a consumer runs where a provider it needs does not";
        REQUIREMENT_UNMET = "skew.requirement-unmet", Breaking, "a consumer's version requirement excludes a provider version running beside it";
    }
}

/// Findings of `ripple deprecations`: deprecated elements still in use.
pub mod deprecation {
    use super::declare_rules;
    declare_rules! {
        MIGRATION_DUE = "deprecation.migration-due", Deprecation, "a consumer still uses a deprecated element and must migrate by its deadline";
        SUNSET_PASSED = "deprecation.sunset-passed", Breaking, "a consumer still uses an element whose sunset date has passed";
    }
}

/// Findings about versions rather than contract elements (`crate::analyze::consumers`).
pub mod semver {
    use super::declare_rules;
    declare_rules! {
        BREAKING_CHANGE_WITHOUT_MAJOR = "semver.breaking-change-without-major", Breaking, "a breaking change released without a new major version (a new minor below 1.0)";
        REQUIREMENT_EXCLUDES_VERSION = "semver.requirement-excludes-version", Breaking, "a consumer's version requirement excludes the version it will talk to";
    }
}

/// The analyses' rule tables, each sorted by id.
pub const TABLES: &[&[&Rule]] = &[semver::RULES, check::RULES, skew::RULES, deprecation::RULES];

/// Every rule ripple can report: the contract formats' rules, then the analyses', each table in
/// id order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    crate::contract::rules::all().chain(TABLES.iter().flat_map(|t| t.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_table_is_sorted_unique_and_prefixed() {
        let tables: Vec<&[&Rule]> = crate::contract::rules::TABLES
            .iter()
            .chain(TABLES)
            .copied()
            .collect();
        crate::contract::rules::check_tables(
            &tables,
            &[
                "openapi",
                "asyncapi",
                "protobuf",
                "sql",
                "semver",
                "check",
                "skew",
                "deprecation",
            ],
        )
        .unwrap();
        assert_eq!(all().count(), tables.iter().map(|t| t.len()).sum::<usize>());
    }
}
