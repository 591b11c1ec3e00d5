//! Rules: every kind of change a contract diff reports, with its default class and meaning.
//!
//! Rules are data with one owner each. Each format declares its rules once, in a `rules` module
//! made by `declare_rules!`: a constant per rule and a table of them all, sorted by id (checked
//! by a test). Code emits a rule through its constant (`openapi::rules::OPERATION_REMOVED`), so a
//! mistyped rule cannot compile and no lookup by id can fail at run time. The rules of the
//! analyses (check, skew, deprecations, semver) are declared the same way in `crate::analyze`,
//! whose registry lists every rule of ripple.

use serde::Serialize;

use super::Class;

/// One kind of change or finding.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Rule {
    /// Stable id, `<format>.<area>.<what>` (e.g. `openapi.response.property.removed`).
    pub id: &'static str,
    /// The class a change of this rule has unless its context decides otherwise.
    pub class: Class,
    /// One line: what the rule detects and, for breaking rules, who breaks.
    pub summary: &'static str,
}

/// Declares a table of rules: `NAME = "id", Class, "summary";` for each rule, in id order.
///
/// Expands to one `pub const NAME: &Rule` per rule (documented with its summary and id) and
/// `pub const RULES: &[&Rule]`, every rule of the table in the order written.
macro_rules! declare_rules {
    ($($name:ident = $id:literal, $class:ident, $summary:literal;)*) => {
        $(
            #[doc = concat!($summary, " (`", $id, "`).")]
            pub const $name: &$crate::contract::Rule = &$crate::contract::Rule {
                id: $id,
                class: $crate::contract::Class::$class,
                summary: $summary,
            };
        )*
        /// Every rule of this table, sorted by id.
        pub const RULES: &[&$crate::contract::Rule] = &[$($name),*];
    };
}
pub(crate) use declare_rules;

/// The contract formats' rule tables, each sorted by id.
pub const TABLES: &[&[&Rule]] = &[
    super::openapi::RULES,
    super::asyncapi::RULES,
    super::proto::RULES,
    super::sql::RULES,
];

/// Every contract rule, table by table, in id order within each table.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    TABLES.iter().flat_map(|table| table.iter().copied())
}

/// Checks a set of rule tables: each sorted by id, ids unique across tables, each id starting
/// with one of `prefixes`, each summary non-empty and without a final full stop. Returns the
/// first problem found.
pub fn check_tables(tables: &[&[&Rule]], prefixes: &[&str]) -> Result<(), String> {
    for table in tables {
        if let Some(w) = table.windows(2).find(|w| w[0].id >= w[1].id) {
            return Err(format!(
                "rule table not sorted by id: {} before {}",
                w[0].id, w[1].id
            ));
        }
    }
    let mut ids: Vec<&str> = tables.iter().flat_map(|t| t.iter().map(|r| r.id)).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("duplicate rule id {}", w[0]));
    }
    for r in tables.iter().flat_map(|t| t.iter()) {
        let prefix = r.id.split('.').next().unwrap_or("");
        if !prefixes.contains(&prefix) {
            return Err(format!("rule {} has an unknown prefix", r.id));
        }
        if r.summary.is_empty() || r.summary.ends_with('.') {
            return Err(format!("rule {}: empty summary or final full stop", r.id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_tables_are_sorted_unique_and_prefixed() {
        check_tables(TABLES, &["openapi", "asyncapi", "protobuf", "sql"]).unwrap();
    }

    #[test]
    fn a_misordered_table_is_caught() {
        let a = &Rule {
            id: "sql.b",
            class: Class::Breaking,
            summary: "b",
        };
        let b = &Rule {
            id: "sql.a",
            class: Class::Breaking,
            summary: "a",
        };
        assert!(check_tables(&[&[a, b]], &["sql"]).is_err());
        assert!(check_tables(&[&[b, a]], &["sql"]).is_ok());
        assert!(check_tables(&[&[b], &[b]], &["sql"]).is_err());
        assert!(check_tables(&[&[b]], &["openapi"]).is_err());
    }
}
