//! The rule table: every rule id a contract diff can report, its default class and what it means.
//!
//! Rules are data. Each format keeps its own table (sorted by id, checked by a test); this module
//! joins them so that a rule id is looked up in one place and documented in one list.

use super::Class;

/// One kind of contract change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, `<format>.<area>.<what>`.
    pub id: &'static str,
    pub class: Class,
    /// One line: what the rule detects and, for breaking rules, who breaks.
    pub summary: &'static str,
}

/// A rule, for the formats' tables.
pub(crate) const fn declare(id: &'static str, class: Class, summary: &'static str) -> Rule {
    Rule { id, class, summary }
}

/// Every format's rules.
pub const RULES: &[&[Rule]] = &[
    super::openapi::RULES,
    super::asyncapi::RULES,
    super::proto::RULES,
    super::sql::RULES,
    SEMVER,
    DEPLOY,
];

/// Findings of `ripple check` and `ripple skew` (`crate::analyze`): about what runs where.
const DEPLOY: &[Rule] = &[
    Rule {
        id: "check.provider-missing",
        class: Class::Breaking,
        summary: "a release leaves a consumer without a provider it needs in the environment",
    },
    Rule {
        id: "check.requirement-unmet",
        class: Class::Breaking,
        summary: "a release makes a consumer's version requirement exclude a provider version that runs beside it, during or after the rollout",
    },
    Rule {
        id: "skew.provider-missing",
        class: Class::Breaking,
        summary: "a consumer runs where a provider it needs does not",
    },
    Rule {
        id: "skew.requirement-unmet",
        class: Class::Breaking,
        summary: "a consumer's version requirement excludes a provider version running beside it",
    },
    Rule {
        id: "window.migration-due",
        class: Class::Deprecation,
        summary: "a consumer still uses a deprecated element and must migrate by its deadline",
    },
    Rule {
        id: "window.sunset-passed",
        class: Class::Breaking,
        summary: "a consumer still uses an element whose sunset date has passed",
    },
];

/// Findings about versions rather than contract elements (`crate::analyze::consumers`).
const SEMVER: &[Rule] = &[
    Rule {
        id: "semver.breaking-change-without-major",
        class: Class::Breaking,
        summary: "a breaking change released without a new major version (a new minor below 1.0)",
    },
    Rule {
        id: "semver.requirement-excludes-version",
        class: Class::Breaking,
        summary: "a consumer's version requirement excludes the version it will talk to",
    },
];

/// All rules, in id order within each format.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    RULES.iter().flat_map(|table| table.iter())
}

/// The rule with this id. Rule ids are compile-time constants of the format modules, so an unknown
/// id is a programming error caught by the tests that run every rule.
pub fn rule(id: &str) -> &'static Rule {
    all()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("rule {id} is not in any rule table"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_tables_are_sorted_unique_and_prefixed() {
        for table in RULES {
            assert!(
                table.windows(2).all(|w| w[0].id < w[1].id),
                "a rule table is not sorted by id: {:?}",
                table.iter().map(|r| r.id).collect::<Vec<_>>()
            );
        }
        let mut ids: Vec<&str> = all().map(|r| r.id).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
        for r in all() {
            let prefix = r.id.split('.').next().unwrap();
            assert!(
                [
                    "openapi", "asyncapi", "protobuf", "sql", "semver", "check", "skew", "window",
                ]
                .contains(&prefix),
                "{}",
                r.id
            );
            assert!(
                !r.summary.is_empty() && !r.summary.ends_with('.'),
                "{}",
                r.id
            );
        }
    }
}
