//! JSON Schema comparison in a direction: OpenAPI bodies and parameters, AsyncAPI payloads.
//!
//! Whether a schema change breaks depends on which side holds the data. When the new schema must
//! *accept* every value the old one allowed (a request body: old clients still send what they
//! sent; a message under backward compatibility: new consumers still read old messages), a
//! narrowing breaks. When the new schema must *produce* only values the old one allowed (a
//! response: old clients still parse it; a message under forward compatibility: old consumers
//! read new messages), a widening breaks. That one idea decides most classifications, as in
//! oasdiff and in schema registries.
//!
//! This module finds the changes and says, for each, in which direction it breaks. It knows no
//! format: the caller supplies the rule id of each kind of change per direction ([`Rules`]) and
//! turns [`Finding`]s into [`Change`](super::Change)s for its own elements.
//!
//! A schema reached through a `$ref` is compared once per (old schema, new schema, direction),
//! however many operations, messages or other schemas refer to it: its findings are kept apart
//! ([`SharedSchema`]) with every comparison that reached it, so that the caller reports each
//! change once with everything it affects. Without that, a document whose schemas each refer to
//! the next twice takes 2^n comparisons, and a schema that refers to itself would never end.
//! Nesting, counting the schemas passed through, stops at [`MAX_SCHEMA_DEPTH`] with an error.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::Rule;
use super::doc::{ContractDocuments, NodeRef};
use crate::source::diagnostic::{Code, Diagnostic, Location};

/// How deeply schemas may nest in a comparison (properties, items, alternatives, and the schemas
/// `$ref`s lead to, each a level). Deeper, the comparison stops with an error at the schema
/// where the limit is crossed rather than exhaust the stack.
pub const MAX_SCHEMA_DEPTH: usize = 128;

/// Which way values flow between the old and the new schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// The new schema must accept every value the old one allowed: narrowing breaks.
    Accept,
    /// The new schema must allow no value the old one did not: widening breaks.
    Produce,
}

/// The kinds of schema change the comparison reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    TypeChanged,
    /// `null` is no longer allowed.
    NullableRemoved,
    /// `null` is now allowed.
    NullableAdded,
    FormatChanged,
    EnumValueAdded,
    EnumValueRemoved,
    ConstraintNarrowed,
    ConstraintWidened,
    PropertyRemoved,
    PropertyAddedRequired,
    PropertyAddedOptional,
    PropertyBecameRequired,
    PropertyBecameOptional,
    PropertyDeprecated,
}

/// The rule of each kind of schema change, in one direction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SchemaRules {
    pub type_changed: &'static Rule,
    /// The nullability change that breaks in this direction: `null` no longer accepted
    /// ([`Direction::Accept`]) or now possible ([`Direction::Produce`]).
    pub nullable: &'static Rule,
    pub format_changed: &'static Rule,
    pub enum_value_added: &'static Rule,
    pub enum_value_removed: &'static Rule,
    pub constraint_narrowed: &'static Rule,
    pub constraint_widened: &'static Rule,
    pub property_removed: &'static Rule,
    pub property_added_required: &'static Rule,
    pub property_added_optional: &'static Rule,
    pub property_became_required: &'static Rule,
    pub property_became_optional: &'static Rule,
    pub property_deprecated: &'static Rule,
}

impl SchemaRules {
    fn rule(&self, kind: Kind) -> &'static Rule {
        match kind {
            Kind::TypeChanged => self.type_changed,
            Kind::NullableRemoved | Kind::NullableAdded => self.nullable,
            Kind::FormatChanged => self.format_changed,
            Kind::EnumValueAdded => self.enum_value_added,
            Kind::EnumValueRemoved => self.enum_value_removed,
            Kind::ConstraintNarrowed => self.constraint_narrowed,
            Kind::ConstraintWidened => self.constraint_widened,
            Kind::PropertyRemoved => self.property_removed,
            Kind::PropertyAddedRequired => self.property_added_required,
            Kind::PropertyAddedOptional => self.property_added_optional,
            Kind::PropertyBecameRequired => self.property_became_required,
            Kind::PropertyBecameOptional => self.property_became_optional,
            Kind::PropertyDeprecated => self.property_deprecated,
        }
    }
}

/// A format's rule ids for schema changes, per direction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    pub accept: SchemaRules,
    pub produce: SchemaRules,
}

/// In which directions a change breaks: whether the new schema rejects a value the old one
/// allowed (`accept`), and whether it allows a value the old one rejected (`produce`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Breaks {
    pub accept: bool,
    pub produce: bool,
}

impl Breaks {
    const ACCEPT: Breaks = Breaks {
        accept: true,
        produce: false,
    };
    const PRODUCE: Breaks = Breaks {
        accept: false,
        produce: true,
    };
    const NEITHER: Breaks = Breaks {
        accept: false,
        produce: false,
    };
}

/// One schema change.
#[derive(Clone, Debug)]
pub(crate) struct Finding {
    pub kind: Kind,
    pub rule: &'static Rule,
    /// The change, naming its place (`response 200: property `items[].price` removed`).
    pub message: String,
    pub breaks: Breaks,
    pub old: Location,
    pub new: Location,
}

/// The directions a comparison judges.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Judged {
    accept: bool,
    produce: bool,
}

impl Judged {
    /// Whether a change that breaks as `breaks` says is reported when only the breaking changes
    /// of its kind are (types, nullability, formats).
    fn reports(self, breaks: Breaks) -> bool {
        (self.accept && breaks.accept) || (self.produce && breaks.produce)
    }
}

/// A node's identity: its file and address.
type NodePtr = (u32, *const crate::source::yaml::Node);

/// What reached a shared schema comparison: a caller's comparison (by the `root` number it
/// passed) or another shared schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Owner {
    Root(usize),
    Shared(usize),
}

/// The comparison of a pair of schemas reached through `$ref`, done once.
#[derive(Clone, Debug)]
pub(crate) struct SharedSchema {
    /// The element it is known by: `schema Order`.
    pub element: String,
    /// Its own changes (not those of the shared schemas it refers to, which have their own).
    pub findings: Vec<Finding>,
    /// The callers' comparisons (their `root` numbers) that reach it, directly or through other
    /// shared schemas; sorted.
    pub reached_from: Vec<usize>,
}

/// A shared comparison while it is built.
struct Shared {
    element: String,
    findings: Vec<Finding>,
    owners: Vec<Owner>,
}

/// Compares schemas of an old and a new contract.
pub(crate) struct Comparison<'d> {
    old: &'d ContractDocuments,
    new: &'d ContractDocuments,
    rules: &'static Rules,
    /// Pairs reached through `$ref` → their comparison in `shared`, so that each pair is
    /// compared once per direction, and a schema that refers to itself stops.
    memo: HashMap<(NodePtr, NodePtr, Judged), usize>,
    shared: Vec<Shared>,
    /// Whose findings are being collected.
    owner: Owner,
    /// Schemas nested around the one being compared.
    depth: usize,
    found: Vec<Finding>,
    errors: Vec<Diagnostic>,
}

impl<'d> Comparison<'d> {
    pub fn new(
        old: &'d ContractDocuments,
        new: &'d ContractDocuments,
        rules: &'static Rules,
    ) -> Self {
        Comparison {
            old,
            new,
            rules,
            memo: HashMap::new(),
            shared: Vec::new(),
            owner: Owner::Root(0),
            depth: 0,
            found: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Compare two schemas in one direction, reporting what breaks in it and what is worth
    /// knowing. `place` names where the schemas are (`response 200`), for messages; `path` the
    /// property inside it, empty at the top. `root` is the caller's number for this comparison:
    /// the shared schemas it reaches list it in [`SharedSchema::reached_from`]. The findings
    /// returned are those outside shared schemas.
    pub fn compare(
        &mut self,
        dir: Direction,
        root: usize,
        place: &str,
        path: &str,
        old: NodeRef<'d>,
        new: NodeRef<'d>,
    ) -> Vec<Finding> {
        let judged = Judged {
            accept: dir == Direction::Accept,
            produce: dir == Direction::Produce,
        };
        self.owner = Owner::Root(root);
        self.schema(judged, place, path, old, new);
        std::mem::take(&mut self.found)
    }

    /// Compare two schemas in both directions at once: every change either direction reports,
    /// once, with [`Finding::breaks`] saying which it breaks. For contracts whose compatibility
    /// mode, not the place, decides (messages).
    pub fn compare_both(
        &mut self,
        root: usize,
        place: &str,
        path: &str,
        old: NodeRef<'d>,
        new: NodeRef<'d>,
    ) -> Vec<Finding> {
        let judged = Judged {
            accept: true,
            produce: true,
        };
        self.owner = Owner::Root(root);
        self.schema(judged, place, path, old, new);
        std::mem::take(&mut self.found)
    }

    /// The shared schemas that changed, each with the roots that reach it, in the order they
    /// were first reached; and the errors met (schemas nested too deep).
    pub fn finish(self) -> (Vec<SharedSchema>, Vec<Diagnostic>) {
        let mut out = Vec::new();
        for (id, shared) in self.shared.iter().enumerate() {
            if shared.findings.is_empty() {
                continue;
            }
            // Walk up the owners (a graph with cycles when schemas refer to themselves).
            let mut roots = BTreeSet::new();
            let mut seen = HashSet::from([id]);
            let mut stack = vec![id];
            while let Some(at) = stack.pop() {
                for owner in &self.shared[at].owners {
                    match *owner {
                        Owner::Root(r) => {
                            roots.insert(r);
                        }
                        Owner::Shared(s) => {
                            if seen.insert(s) {
                                stack.push(s);
                            }
                        }
                    }
                }
            }
            out.push(SharedSchema {
                element: shared.element.clone(),
                findings: shared.findings.clone(),
                reached_from: roots.into_iter().collect(),
            });
        }
        (out, self.errors)
    }

    fn push(
        &mut self,
        judged: Judged,
        kind: Kind,
        breaks: Breaks,
        message: String,
        old: NodeRef<'_>,
        new: NodeRef<'_>,
    ) {
        // One direction: its table. Both: the table of a direction the change breaks, which
        // tells `null` removed from `null` added apart.
        let table = if !judged.produce || (judged.accept && (breaks.accept || !breaks.produce)) {
            &self.rules.accept
        } else {
            &self.rules.produce
        };
        self.found.push(Finding {
            kind,
            rule: table.rule(kind),
            message,
            breaks,
            old: self.old.location(old),
            new: self.new.location(new),
        });
    }

    /// Compare a pair of schemas, each possibly a `$ref`: a pair reached through one is compared
    /// once, as a shared schema; others in place.
    fn schema(
        &mut self,
        judged: Judged,
        place: &str,
        path: &str,
        old: NodeRef<'d>,
        new: NodeRef<'d>,
    ) {
        if self.depth >= MAX_SCHEMA_DEPTH {
            if self.errors.is_empty() {
                self.errors.push(Diagnostic::error(
                    Code::InvalidValue,
                    self.new.location(new),
                    format!(
                        "schema nested more than {MAX_SCHEMA_DEPTH} levels deep (counting the schemas `$ref`s lead to): not compared"
                    ),
                ));
            }
            return;
        }
        let name = new.str("$ref").or_else(|| old.str("$ref")).map(schema_name);
        let (old, new) = (self.old.resolve(old), self.new.resolve(new));
        self.depth += 1;
        match name {
            None => self.compare_resolved(judged, place, path, old, new),
            Some(name) => {
                let key = (old.ptr(), new.ptr(), judged);
                let owner = self.owner;
                if let Some(&id) = self.memo.get(&key) {
                    // Compared already, or being compared (a schema that refers to itself).
                    if !self.shared[id].owners.contains(&owner) {
                        self.shared[id].owners.push(owner);
                    }
                } else {
                    let id = self.shared.len();
                    let element = format!("schema {name}");
                    self.memo.insert(key, id);
                    self.shared.push(Shared {
                        element,
                        findings: Vec::new(),
                        owners: vec![owner],
                    });
                    let outer = std::mem::take(&mut self.found);
                    self.owner = Owner::Shared(id);
                    self.compare_resolved(judged, &format!("schema `{name}`"), "", old, new);
                    self.owner = owner;
                    self.shared[id].findings = std::mem::replace(&mut self.found, outer);
                }
            }
        }
        self.depth -= 1;
    }

    /// Compare two resolved schemas in place.
    fn compare_resolved(
        &mut self,
        judged: Judged,
        place: &str,
        path: &str,
        old: NodeRef<'d>,
        new: NodeRef<'d>,
    ) {
        // `place` is the body or parameter; `path` the property inside it (`items[].price`).
        let at_path = if path.is_empty() {
            place.to_owned()
        } else {
            format!("{place}: `{path}`")
        };
        let at_path = at_path.as_str();
        let a = View::of(self.old, old);
        let b = View::of(self.new, new);
        // Messages speak of what is sent when the accepting side is judged.
        let req = judged.accept;

        // Types: what old clients send must still be accepted; what they get must still be read.
        if !a.types.is_empty() && !b.types.is_empty() {
            let lost = !accepts(&b.types, &a.types);
            let gained = !accepts(&a.types, &b.types);
            let null_only = without_null(&a.types) == without_null(&b.types);
            if null_only {
                if judged.accept && lost {
                    self.push(
                        judged,
                        Kind::NullableRemoved,
                        Breaks::ACCEPT,
                        format!("{at_path}: no longer accepts null"),
                        old,
                        new,
                    );
                }
                if judged.produce && gained {
                    self.push(
                        judged,
                        Kind::NullableAdded,
                        Breaks::PRODUCE,
                        format!("{at_path}: may now be null"),
                        old,
                        new,
                    );
                }
            } else {
                let breaks = Breaks {
                    accept: lost,
                    produce: gained,
                };
                if judged.reports(breaks) {
                    self.push(
                        judged,
                        Kind::TypeChanged,
                        breaks,
                        format!(
                            "{at_path}: type changed from {} to {}",
                            list(&a.types),
                            list(&b.types)
                        ),
                        old,
                        new,
                    );
                }
            }
        }
        // Formats (a type change already says everything about the value).
        let type_changed = !a.types.is_empty()
            && !b.types.is_empty()
            && without_null(&a.types) != without_null(&b.types);
        if type_changed {
            // Reported above.
        } else if a.format != b.format && a.format.is_some() {
            let widening = matches!(
                (a.format, b.format),
                (Some("int32"), Some("int64")) | (Some("float"), Some("double")) | (_, None)
            );
            let narrowing = matches!(
                (a.format, b.format),
                (Some("int64"), Some("int32")) | (Some("double"), Some("float"))
            );
            let breaks = Breaks {
                accept: !widening,
                produce: !narrowing,
            };
            if judged.reports(breaks) {
                self.push(
                    judged,
                    Kind::FormatChanged,
                    breaks,
                    format!(
                        "{at_path}: format changed from {} to {}",
                        show(a.format),
                        show(b.format)
                    ),
                    old,
                    new,
                );
            }
        } else if a.format.is_none() && b.format.is_some() && judged.accept {
            self.push(
                judged,
                Kind::FormatChanged,
                Breaks::ACCEPT,
                format!("{at_path}: format {} now required", show(b.format)),
                old,
                new,
            );
        }
        // Enums.
        match (&a.enumeration, &b.enumeration) {
            (Some(ea), Some(eb)) => {
                let removed: Vec<&String> = ea.difference(eb).collect();
                let added: Vec<&String> = eb.difference(ea).collect();
                if !removed.is_empty() {
                    self.push(
                        judged,
                        Kind::EnumValueRemoved,
                        Breaks::ACCEPT,
                        format!(
                            "{at_path}: enum value{} {} removed",
                            plural_s(removed.len()),
                            quoted(&removed)
                        ),
                        old,
                        new,
                    );
                }
                if !added.is_empty() {
                    self.push(
                        judged,
                        Kind::EnumValueAdded,
                        Breaks::PRODUCE,
                        format!(
                            "{at_path}: enum value{} {} added",
                            plural_s(added.len()),
                            quoted(&added)
                        ),
                        old,
                        new,
                    );
                }
            }
            (None, Some(eb)) => {
                let values: Vec<&String> = eb.iter().collect();
                self.constraint(
                    judged,
                    at_path,
                    true,
                    format!("now restricted to {}", quoted(&values)),
                    old,
                    new,
                );
            }
            (Some(_), None) => {
                self.constraint(
                    judged,
                    at_path,
                    false,
                    "no longer restricted to an enum".to_owned(),
                    old,
                    new,
                );
            }
            (None, None) => {}
        }
        // Numeric and size constraints: `max`-like keys narrow when they fall, `min`-like when they rise.
        for (key, is_max) in [
            ("maximum", true),
            ("exclusiveMaximum", true),
            ("maxLength", true),
            ("maxItems", true),
            ("maxProperties", true),
            ("minimum", false),
            ("exclusiveMinimum", false),
            ("minLength", false),
            ("minItems", false),
            ("minProperties", false),
        ] {
            // OpenAPI 3.0 and Swagger spell exclusive bounds as booleans beside `maximum`.
            let flag = |at: NodeRef<'_>| at.str(key).and_then(crate::source::yaml::parse_bool);
            if flag(old).is_some() || flag(new).is_some() {
                let (x, y) = (flag(old).unwrap_or(false), flag(new).unwrap_or(false));
                if x != y {
                    let what = if y {
                        "now exclusive"
                    } else {
                        "no longer exclusive"
                    };
                    self.constraint(
                        judged,
                        at_path,
                        y,
                        format!("{key}: the bound is {what}"),
                        old,
                        new,
                    );
                }
                continue;
            }
            let (x, y) = (number(old, key), number(new, key));
            let narrowed = match (x, y) {
                (Some(x), Some(y)) if x == y => continue,
                (Some(x), Some(y)) => (y < x) == is_max,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (None, None) => continue,
            };
            let describe = |v: Option<f64>| v.map_or("none".to_owned(), |v| format!("{v}"));
            self.constraint(
                judged,
                at_path,
                narrowed,
                format!("{key} changed from {} to {}", describe(x), describe(y)),
                old,
                new,
            );
        }
        match (old.str("pattern"), new.str("pattern")) {
            (x, y) if x == y => {}
            (_, Some(y)) => self.constraint(
                judged,
                at_path,
                true,
                format!("pattern changed to `{y}`"),
                old,
                new,
            ),
            (Some(_), None) => self.constraint(
                judged,
                at_path,
                false,
                "pattern removed".to_owned(),
                old,
                new,
            ),
            _ => {}
        }
        if a.closed != b.closed {
            self.constraint(
                judged,
                at_path,
                b.closed,
                if b.closed {
                    "additional properties no longer allowed".to_owned()
                } else {
                    "additional properties now allowed".to_owned()
                },
                old,
                new,
            );
        }
        // Alternatives: paired by the schema they reference when they all name one (`Dog`,
        // `Cat`), else by position.
        let names = |alts: &[NodeRef<'_>]| -> Option<Vec<String>> {
            alts.iter()
                .map(|a| {
                    a.str("$ref")
                        .map(|r| r.rsplit('/').next().unwrap_or(r).to_owned())
                })
                .collect()
        };
        match (names(&a.alternatives), names(&b.alternatives)) {
            (Some(xs), Some(ys)) if !xs.is_empty() && !ys.is_empty() => {
                let removed: Vec<&String> = xs.iter().filter(|x| !ys.contains(x)).collect();
                let added: Vec<&String> = ys.iter().filter(|y| !xs.contains(y)).collect();
                for (list, narrowed, verb) in
                    [(&removed, true, "removed"), (&added, false, "added")]
                {
                    if !list.is_empty() {
                        let quoted: Vec<String> = list.iter().map(|n| format!("`{n}`")).collect();
                        self.constraint(
                            judged,
                            at_path,
                            narrowed,
                            format!(
                                "alternative{} {} {verb}",
                                if list.len() == 1 { "" } else { "s" },
                                quoted.join(", ")
                            ),
                            old,
                            new,
                        );
                    }
                }
                for (i, x) in xs.iter().enumerate() {
                    if let Some(j) = ys.iter().position(|y| y == x) {
                        let alt = format!("{place} alternative `{x}`");
                        self.schema(judged, &alt, path, a.alternatives[i], b.alternatives[j]);
                    }
                }
            }
            _ if a.alternatives.len() != b.alternatives.len() && !a.alternatives.is_empty() => {
                let narrowed = b.alternatives.len() < a.alternatives.len();
                self.constraint(
                    judged,
                    at_path,
                    narrowed,
                    format!(
                        "alternatives (oneOf/anyOf) changed from {} to {}",
                        a.alternatives.len(),
                        b.alternatives.len()
                    ),
                    old,
                    new,
                );
            }
            _ => {
                for (i, (x, y)) in a.alternatives.iter().zip(&b.alternatives).enumerate() {
                    let alt = format!("{place} alternative {}", i + 1);
                    self.schema(judged, &alt, path, *x, *y);
                }
            }
        }
        // Properties.
        let child = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        for (name, raw_p) in &a.properties {
            let p = self.old.resolve(*raw_p);
            if skip_property(judged, p) {
                continue;
            }
            let sub = child(name);
            match b.properties.get(name) {
                None => {
                    // Old data holds it: a closed new schema refuses it, and old readers that
                    // require it miss it.
                    let breaks = Breaks {
                        accept: b.closed,
                        produce: a.required.contains(name),
                    };
                    self.push(
                        judged,
                        Kind::PropertyRemoved,
                        breaks,
                        format!("{place}: property `{sub}` removed"),
                        p,
                        new,
                    );
                }
                Some(raw_np) => {
                    let np = self.new.resolve(*raw_np);
                    if skip_property(judged, np) {
                        // Now readOnly in a request or writeOnly in a response: as good as gone.
                        let marker = if np.flag("writeOnly") {
                            "writeOnly"
                        } else {
                            "readOnly"
                        };
                        let breaks = Breaks {
                            accept: b.closed,
                            produce: a.required.contains(name),
                        };
                        self.push(
                            judged,
                            Kind::PropertyRemoved,
                            breaks,
                            format!("{place}: property `{sub}` removed (now {marker})"),
                            p,
                            np,
                        );
                        continue;
                    }
                    let (was, is) = (a.required.contains(name), b.required.contains(name));
                    let change = match (was, is) {
                        (false, true) => Some((
                            Kind::PropertyBecameRequired,
                            Breaks::ACCEPT,
                            if req {
                                "became required"
                            } else {
                                "is now required"
                            },
                        )),
                        (true, false) => Some((
                            Kind::PropertyBecameOptional,
                            Breaks::PRODUCE,
                            if req {
                                "became optional"
                            } else {
                                "is no longer required"
                            },
                        )),
                        _ => None,
                    };
                    if let Some((kind, breaks, what)) = change {
                        self.push(
                            judged,
                            kind,
                            breaks,
                            format!("{place}: property `{sub}` {what}"),
                            p,
                            np,
                        );
                    }
                    if !p.flag("deprecated") && np.flag("deprecated") {
                        self.push(
                            judged,
                            Kind::PropertyDeprecated,
                            Breaks::NEITHER,
                            format!("{place}: property `{sub}` deprecated"),
                            p,
                            np,
                        );
                    }
                    self.schema(judged, place, &sub, *raw_p, *raw_np);
                }
            }
        }
        for (name, np) in &b.properties {
            if a.properties.contains_key(name) {
                continue;
            }
            let np = self.new.resolve(*np);
            if skip_property(judged, np) {
                continue;
            }
            let sub = child(name);
            let required = b.required.contains(name);
            let kind = if required {
                Kind::PropertyAddedRequired
            } else {
                Kind::PropertyAddedOptional
            };
            // Old data lacks a required newcomer; a closed old schema refuses any newcomer.
            let breaks = Breaks {
                accept: required,
                produce: a.closed,
            };
            let what = if required && req {
                "required property"
            } else {
                "property"
            };
            self.push(
                judged,
                kind,
                breaks,
                format!("{place}: {what} `{sub}` added"),
                old,
                np,
            );
        }
        // Array items.
        if let (Some(x), Some(y)) = (a.items, b.items) {
            let sub = format!("{path}[]");
            self.schema(judged, place, &sub, x, y);
        }
    }

    /// A constraint that narrowed (`true`) or widened: narrowing breaks what must be accepted,
    /// widening what must be produced.
    fn constraint(
        &mut self,
        judged: Judged,
        place: &str,
        narrowed: bool,
        what: String,
        old: NodeRef<'_>,
        new: NodeRef<'_>,
    ) {
        let (kind, breaks) = if narrowed {
            (Kind::ConstraintNarrowed, Breaks::ACCEPT)
        } else {
            (Kind::ConstraintWidened, Breaks::PRODUCE)
        };
        self.push(judged, kind, breaks, format!("{place}: {what}"), old, new);
    }
}

/// `readOnly` properties are never sent, `writeOnly` ones never returned; judged both ways, a
/// property is skipped only when neither side ever holds it.
fn skip_property(judged: Judged, p: NodeRef<'_>) -> bool {
    let read_only = p.flag("readOnly");
    let write_only = p.flag("writeOnly");
    match (judged.accept, judged.produce) {
        (true, false) => read_only,
        (false, true) => write_only,
        _ => read_only && write_only,
    }
}

/// The parts of a schema the comparison looks at, with `allOf` merged in.
struct View<'d> {
    types: BTreeSet<&'d str>,
    format: Option<&'d str>,
    enumeration: Option<BTreeSet<String>>,
    properties: BTreeMap<&'d str, NodeRef<'d>>,
    required: BTreeSet<&'d str>,
    items: Option<NodeRef<'d>>,
    /// `additionalProperties: false`.
    closed: bool,
    alternatives: Vec<NodeRef<'d>>,
}

impl<'d> View<'d> {
    fn of(docs: &'d ContractDocuments, at: NodeRef<'d>) -> View<'d> {
        let mut view = View {
            types: BTreeSet::new(),
            format: None,
            enumeration: None,
            properties: BTreeMap::new(),
            required: BTreeSet::new(),
            items: None,
            closed: false,
            alternatives: Vec::new(),
        };
        view.merge(docs, at, 0, &mut HashSet::new());
        view
    }

    /// Merge a schema and its `allOf` parts, each once (`allOf: [B, B]` down a chain would
    /// otherwise merge 2^n parts), at most [`ALL_OF_DEPTH`] levels down.
    fn merge(
        &mut self,
        docs: &'d ContractDocuments,
        at: NodeRef<'d>,
        depth: usize,
        merged: &mut HashSet<NodePtr>,
    ) {
        let at = docs.resolve(at);
        if depth > ALL_OF_DEPTH || !merged.insert(at.ptr()) {
            return;
        }
        match at.get("type") {
            Some(t) if t.node.as_seq().is_some() => {
                self.types.extend(t.items().filter_map(|i| i.node.as_str()));
            }
            Some(t) => self.types.extend(t.node.as_str()),
            None => {}
        }
        if at.flag("nullable") || at.flag("x-nullable") {
            self.types.insert("null");
        }
        self.format = self.format.or(at.str("format"));
        if let Some(e) = at.get("enum") {
            let values: BTreeSet<String> = e
                .items()
                .map(|i| match i.node.as_str() {
                    Some(s) => s.to_owned(),
                    None => "null".to_owned(),
                })
                .collect();
            self.enumeration = Some(match self.enumeration.take() {
                Some(prev) => prev.intersection(&values).cloned().collect(),
                None => values,
            });
        }
        if let Some(props) = docs.get(at, "properties") {
            for (name, p) in props.entries() {
                self.properties.entry(name).or_insert(p);
            }
        }
        if let Some(req) = at.get("required") {
            self.required
                .extend(req.items().filter_map(|i| i.node.as_str()));
        }
        if let Some(items) = at.get("items") {
            self.items = self.items.or(Some(items));
        }
        if at
            .str("additionalProperties")
            .and_then(crate::source::yaml::parse_bool)
            == Some(false)
        {
            self.closed = true;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(list) = at.get(key) {
                self.alternatives.extend(list.items());
            }
        }
        if let Some(all) = at.get("allOf") {
            for part in all.items() {
                self.merge(docs, part, depth + 1, merged);
            }
        }
    }
}

/// How deep `allOf` parts nest inside each other before the rest is ignored.
const ALL_OF_DEPTH: usize = 16;

/// The name a `$ref` gives its schema: `Order` for `#/components/schemas/Order` (OpenAPI 3,
/// AsyncAPI), `#/definitions/Order` (Swagger 2) or `#/$defs/Order`, with what follows it
/// (`Order/properties/lines`); else the reference as written.
fn schema_name(text: &str) -> String {
    let pointer = text.split_once('#').map_or("", |(_, p)| p);
    for container in ["/schemas/", "/definitions/", "/$defs/"] {
        if let Some((_, name)) = pointer.rsplit_once(container)
            && !name.is_empty()
        {
            return name.replace("~1", "/").replace("~0", "~");
        }
    }
    text.to_owned()
}

fn without_null<'a>(types: &BTreeSet<&'a str>) -> BTreeSet<&'a str> {
    types.iter().filter(|t| **t != "null").copied().collect()
}

/// Whether every value of type set `from` is a value of `to` (`integer` is a `number`). An empty
/// set means any type.
fn accepts(to: &BTreeSet<&str>, from: &BTreeSet<&str>) -> bool {
    if to.is_empty() {
        return true;
    }
    if from.is_empty() {
        return false;
    }
    from.iter()
        .all(|t| to.contains(t) || (*t == "integer" && to.contains("number")))
}

fn number(at: NodeRef<'_>, key: &str) -> Option<f64> {
    at.str(key).and_then(|s| s.parse().ok())
}

/// A value for messages: `` `int32` ``, or `none`.
pub(crate) fn show(v: Option<&str>) -> String {
    v.map_or("none".to_owned(), |v| format!("`{v}`"))
}

fn list(types: &BTreeSet<&str>) -> String {
    types.iter().copied().collect::<Vec<_>>().join("|")
}

fn quoted(values: &[&String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural_s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_come_from_their_pointers() {
        assert_eq!(schema_name("#/components/schemas/Order"), "Order");
        assert_eq!(schema_name("common.yaml#/definitions/Money"), "Money");
        assert_eq!(schema_name("#/$defs/a~1b"), "a/b");
        assert_eq!(schema_name("schemas/order.yaml"), "schemas/order.yaml");
        assert_eq!(
            schema_name("#/components/messages/Placed/payload"),
            "#/components/messages/Placed/payload"
        );
    }

    #[test]
    fn integers_are_numbers_and_no_type_is_any() {
        let set = |ts: &[&'static str]| ts.iter().copied().collect::<BTreeSet<&str>>();
        assert!(accepts(&set(&["number"]), &set(&["integer"])));
        assert!(!accepts(&set(&["integer"]), &set(&["number"])));
        assert!(accepts(&set(&[]), &set(&["string"])));
        assert!(!accepts(&set(&["string"]), &set(&[])));
        assert_eq!(without_null(&set(&["string", "null"])), set(&["string"]));
    }

    /// A rule for these tests only: the schema comparison takes its rules from the caller.
    macro_rules! fake {
        ($id:literal) => {
            &Rule {
                id: $id,
                class: crate::contract::Class::Breaking,
                summary: "",
            }
        };
    }

    const IDS: SchemaRules = SchemaRules {
        type_changed: fake!("type"),
        nullable: fake!("null-removed"),
        format_changed: fake!("format"),
        enum_value_added: fake!("enum-added"),
        enum_value_removed: fake!("enum-removed"),
        constraint_narrowed: fake!("narrowed"),
        constraint_widened: fake!("widened"),
        property_removed: fake!("removed"),
        property_added_required: fake!("added-required"),
        property_added_optional: fake!("added-optional"),
        property_became_required: fake!("became-required"),
        property_became_optional: fake!("became-optional"),
        property_deprecated: fake!("deprecated"),
    };
    const RULES: Rules = Rules {
        accept: IDS,
        produce: SchemaRules {
            nullable: fake!("null-added"),
            ..IDS
        },
    };

    /// The findings of comparing two schemas, as (rule, breaks accept, breaks produce).
    fn findings(old: &str, new: &str, dir: Option<Direction>) -> Vec<(&'static str, bool, bool)> {
        let dir_ = tempfile::tempdir().unwrap();
        let (a, b) = (dir_.path().join("old.yaml"), dir_.path().join("new.yaml"));
        std::fs::write(&a, old).unwrap();
        std::fs::write(&b, new).unwrap();
        let open = crate::source::boundary::Boundary::unrestricted();
        let (a, b) = (
            ContractDocuments::load(&a, &[], &open).unwrap(),
            ContractDocuments::load(&b, &[], &open).unwrap(),
        );
        let mut cmp = Comparison::new(&a, &b, &RULES);
        let found = match dir {
            Some(dir) => cmp.compare(dir, 0, "payload", "", a.root(), b.root()),
            None => cmp.compare_both(0, "payload", "", a.root(), b.root()),
        };
        let mut out: Vec<_> = found
            .iter()
            .map(|f| (f.rule.id, f.breaks.accept, f.breaks.produce))
            .collect();
        out.sort();
        out
    }

    const OLD: &str = "type: object
required: [id, total]
properties:
  id: {type: string}
  total: {type: integer}
  note: {type: [string, 'null']}
  state: {type: string, enum: [open, paid]}
";
    const NEW: &str = "type: object
required: [id, channel]
properties:
  id: {type: string}
  total: {type: number}
  note: {type: string}
  state: {type: string, enum: [open, paid, void]}
  channel: {type: string}
";

    #[test]
    fn both_directions_report_each_change_once_with_where_it_breaks() {
        assert_eq!(
            findings(OLD, NEW, None),
            [
                ("added-required", true, false),
                ("became-optional", false, true),
                ("enum-added", false, true),
                ("null-removed", true, false),
                ("type", false, true),
            ]
        );
    }

    #[test]
    fn one_direction_reports_only_type_changes_that_break_in_it() {
        // `integer` to `number` widens: only a producing side breaks, so a request-like
        // comparison says nothing of it, and a response-like one says nothing of `null` removed.
        assert_eq!(
            findings(OLD, NEW, Some(Direction::Accept)),
            [
                ("added-required", true, false),
                ("became-optional", false, true),
                ("enum-added", false, true),
                ("null-removed", true, false),
            ]
        );
        assert_eq!(
            findings(OLD, NEW, Some(Direction::Produce)),
            [
                ("added-required", true, false),
                ("became-optional", false, true),
                ("enum-added", false, true),
                ("type", false, true),
            ]
        );
    }

    #[test]
    fn both_directions_take_the_nullable_rule_of_the_direction_that_breaks() {
        assert_eq!(
            findings(NEW, OLD, None)
                .into_iter()
                .filter(|f| f.0.starts_with("null"))
                .collect::<Vec<_>>(),
            [("null-added", false, true)]
        );
    }
}
