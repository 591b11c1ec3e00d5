//! Comparison: the changes from one side's model to the other's, each classified by its rule.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::model::*;
use super::rules;
use crate::contract::{Change, Class, Rule};
use crate::source::diagnostic::Location;

/// One comparison of two sides: the changes found so far.
pub(super) struct Comparison<'m> {
    pub(super) old: &'m Module,
    pub(super) new: &'m Module,
    pub(super) changes: Vec<Change>,
}

impl Comparison<'_> {
    pub(super) fn push(
        &mut self,
        rule: &'static Rule,
        element: &str,
        message: String,
        old: Option<&Location>,
        new: Option<&Location>,
    ) {
        self.changes.push(Change::new(
            rule,
            element,
            message,
            old.cloned(),
            new.cloned(),
        ));
    }

    pub(super) fn compare(&mut self) {
        self.packages();
        self.services();
        self.messages();
        self.enums();
        self.name_rpcs_reached();
    }

    /// A consumer's `uses` usually lists rpcs, while a field's change names the field: say
    /// which rpcs of the old contract carry the changed message or enum, so that a reader sees
    /// who is reached.
    pub(super) fn name_rpcs_reached(&mut self) {
        let carriers = RpcCarriers::of(self.old);
        for change in &mut self.changes {
            if change.class == Class::NonBreaking {
                continue;
            }
            let rule = change.rule;
            let owner = if rule.id.starts_with("protobuf.field.")
                || rule.id.starts_with("protobuf.enum.value-")
            {
                change.element.rsplit_once('.').map(|(owner, _)| owner)
            } else if rule.id.starts_with("protobuf.message.")
                || rule.id.starts_with("protobuf.enum.")
            {
                Some(change.element.as_str())
            } else {
                None
            };
            let Some(owner) = owner else { continue };
            let rpcs = carriers.rpcs(owner);
            if rpcs.is_empty() {
                continue;
            }
            change.affects = rpcs.iter().cloned().collect();
            let mut shown: Vec<&str> = rpcs.iter().take(3).map(String::as_str).collect();
            let more = rpcs.len() - shown.len();
            let list = if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else if shown.len() > 1 {
                let last = shown.pop().unwrap_or_default();
                format!("{} and {last}", shown.join(", "))
            } else {
                shown.join("")
            };
            change
                .message
                .push_str(&format!("; reaches rpc{} {list}", plural_s(rpcs.len())));
        }
    }

    pub(super) fn package_gone(&self, package: &str) -> bool {
        !self.new.packages.contains_key(package)
    }

    /// `package inventory.v1 removed (new: inventory.v2)`.
    pub(super) fn package_removed(&self, package: &str) -> String {
        let added: Vec<&str> = self
            .new
            .packages
            .keys()
            .filter(|p| !self.old.packages.contains_key(*p))
            .map(|p| show_package(p))
            .collect();
        let mut message = format!("package {} removed", show_package(package));
        if !added.is_empty() {
            message.push_str(&format!(" (new: {})", added.join(", ")));
        }
        message
    }

    /// A package removed with nothing in it; the others are reported element by element.
    pub(super) fn packages(&mut self) {
        for (package, at) in &self.old.packages {
            if !self.package_gone(package) {
                continue;
            }
            let empty = !self.old.services.values().any(|s| &s.package == package)
                && !self.old.messages.values().any(|m| &m.package == package)
                && !self.old.enums.values().any(|e| &e.package == package);
            if empty {
                let message = self.package_removed(package);
                self.push(rules::PACKAGE_REMOVED, package, message, Some(at), None);
            }
        }
    }

    pub(super) fn services(&mut self) {
        let (old, new) = (self.old, self.new);
        for (name, s) in &old.services {
            let Some(new_service) = new.services.get(name) else {
                let (rule, cause) = if self.package_gone(&s.package) {
                    (rules::PACKAGE_REMOVED, self.package_removed(&s.package))
                } else {
                    let renamed: Vec<&str> = new
                        .services
                        .iter()
                        .filter(|(n, new_service)| {
                            new_service.package == s.package && !old.services.contains_key(*n)
                        })
                        .map(|(n, _)| n.as_str())
                        .collect();
                    let mut cause = format!("service {name} removed");
                    if !renamed.is_empty() {
                        cause.push_str(&format!(" (new: {})", renamed.join(", ")));
                    }
                    (rules::SERVICE_REMOVED, cause)
                };
                if s.rpcs.is_empty() {
                    self.push(rule, name, cause.clone(), Some(&s.at), None);
                }
                for (rpc, r) in &s.rpcs {
                    let element = format!("{name}/{rpc}");
                    self.push(
                        rule,
                        &element,
                        format!("{cause}, and with it rpc {element}"),
                        Some(&r.at),
                        None,
                    );
                }
                continue;
            };
            if !s.deprecated && new_service.deprecated {
                self.push(
                    rules::SERVICE_DEPRECATED,
                    name,
                    format!("service {name} deprecated"),
                    Some(&s.at),
                    Some(&new_service.at),
                );
            }
            for (rpc, r) in &s.rpcs {
                let element = format!("{name}/{rpc}");
                match new_service.rpcs.get(rpc) {
                    None => {
                        let mut message = format!("rpc {element} removed");
                        if !r.deprecated {
                            message.push_str(" without being deprecated first");
                        }
                        self.push(
                            rules::RPC_REMOVED,
                            &element,
                            message,
                            Some(&r.at),
                            Some(&new_service.at),
                        );
                    }
                    Some(new_rpc) => self.rpc(&element, r, new_rpc),
                }
            }
            for (rpc, new_rpc) in &new_service.rpcs {
                if !s.rpcs.contains_key(rpc) {
                    let element = format!("{name}/{rpc}");
                    self.push(
                        rules::RPC_ADDED,
                        &element,
                        format!("rpc {element} added"),
                        Some(&s.at),
                        Some(&new_rpc.at),
                    );
                }
            }
        }
        for (name, new_service) in &new.services {
            if old.services.contains_key(name) {
                continue;
            }
            let rpcs: Vec<&str> = new_service.rpcs.keys().map(String::as_str).collect();
            let mut message = format!("service {name} added");
            if !rpcs.is_empty() {
                message.push_str(&format!(
                    " with rpc{} {}",
                    plural_s(rpcs.len()),
                    rpcs.join(", ")
                ));
            }
            self.push(
                rules::SERVICE_ADDED,
                name,
                message,
                None,
                Some(&new_service.at),
            );
        }
    }

    pub(super) fn rpc(&mut self, element: &str, old: &Rpc, new: &Rpc) {
        if old.request != new.request {
            self.push(
                rules::RPC_REQUEST_TYPE_CHANGED,
                element,
                format!(
                    "rpc {element}: request type changed from {} to {}",
                    old.request, new.request
                ),
                Some(&old.at),
                Some(&new.at),
            );
        }
        if old.response != new.response {
            self.push(
                rules::RPC_RESPONSE_TYPE_CHANGED,
                element,
                format!(
                    "rpc {element}: response type changed from {} to {}",
                    old.response, new.response
                ),
                Some(&old.at),
                Some(&new.at),
            );
        }
        if old.streaming() != new.streaming() {
            self.push(
                rules::RPC_STREAMING_CHANGED,
                element,
                format!(
                    "rpc {element} changed from {} to {}",
                    old.streaming(),
                    new.streaming()
                ),
                Some(&old.at),
                Some(&new.at),
            );
        }
        if !old.deprecated && new.deprecated {
            self.push(
                rules::RPC_DEPRECATED,
                element,
                format!("rpc {element} deprecated"),
                Some(&old.at),
                Some(&new.at),
            );
        }
    }

    /// A field or enum value gone from `owner`: its number taken by another member, reserved
    /// (wire-safe), or neither.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn member_removed(
        &mut self,
        rules: &MemberRemoval,
        element: &str,
        owner: &str,
        (name, number, at): (&str, i32, &Location),
        taken_by: Option<(&str, &Location)>,
        reserved: &Reserved,
        owner_at: &Location,
    ) {
        let what = rules.noun;
        match taken_by {
            Some((other, other_at)) => self.push(
                rules.reused,
                element,
                format!(
                    "{what} `{name}` (number {number}) removed from {owner}; its number now belongs to `{other}`"
                ),
                Some(at),
                Some(other_at),
            ),
            None if reserved.has_number(number) => {
                let mut message =
                    format!("{what} `{name}` (number {number}) removed from {owner}; its number is reserved");
                if !reserved.names.contains(name) {
                    message.push_str(&format!(
                        " (reserve the name `{name}` too, so that JSON never sees it reused)"
                    ));
                }
                self.push(
                    rules.reserved,
                    element,
                    message,
                    Some(at),
                    Some(reserved.statement(number).unwrap_or(owner_at)),
                );
            }
            None => self.push(
                rules.unreserved,
                element,
                format!(
                    "{what} `{name}` (number {number}) removed from {owner} without reserving its number"
                ),
                Some(at),
                Some(owner_at),
            ),
        }
    }

    pub(super) fn messages(&mut self) {
        let (old, new) = (self.old, self.new);
        let rules = Lifecycle {
            noun: "message",
            removed: rules::MESSAGE_REMOVED,
            deprecated: rules::MESSAGE_DEPRECATED,
            added: rules::MESSAGE_ADDED,
        };
        for name in self.declarations(&rules, &old.messages, &new.messages) {
            self.fields(name, &old.messages[name], &new.messages[name]);
        }
    }

    /// Removed, deprecated and added top-level or nested declarations (messages, enums); returns
    /// the names present on both sides. A nested declaration goes and comes with its parent
    /// message, whose own change says so.
    pub(super) fn declarations<'m, T: Declaration>(
        &mut self,
        rules: &Lifecycle,
        old: &'m BTreeMap<String, T>,
        new: &'m BTreeMap<String, T>,
    ) -> Vec<&'m str> {
        let noun = rules.noun;
        let mut both = Vec::new();
        for (name, d) in old {
            let Some(new_declaration) = new.get(name) else {
                let parent_in_new = d.parent().map(|p| self.new.messages.get(p));
                if let Some(None) = parent_in_new {
                    continue;
                }
                if self.package_gone(d.package()) {
                    let cause = self.package_removed(d.package());
                    self.push(
                        rules::PACKAGE_REMOVED,
                        name,
                        format!("{cause}, and with it {noun} {name}"),
                        Some(d.at()),
                        None,
                    );
                } else {
                    self.push(
                        rules.removed,
                        name,
                        format!("{noun} {name} removed"),
                        Some(d.at()),
                        parent_in_new.flatten().map(|p| &p.at),
                    );
                }
                continue;
            };
            if !d.deprecated() && new_declaration.deprecated() {
                self.push(
                    rules.deprecated,
                    name,
                    format!("{noun} {name} deprecated"),
                    Some(d.at()),
                    Some(new_declaration.at()),
                );
            }
            both.push(name.as_str());
        }
        for (name, new_declaration) in new {
            if old.contains_key(name) {
                continue;
            }
            let parent_in_old = new_declaration.parent().map(|p| self.old.messages.get(p));
            if let Some(None) = parent_in_old {
                continue;
            }
            self.push(
                rules.added,
                name,
                format!("{noun} {name} added"),
                parent_in_old.flatten().map(|p| &p.at),
                Some(new_declaration.at()),
            );
        }
        both
    }

    pub(super) fn fields(&mut self, message_name: &str, old: &Message, new: &Message) {
        let by_name = |m: &'_ Message| -> HashMap<String, usize> {
            m.fields
                .iter()
                .enumerate()
                .map(|(i, field)| (field.name.clone(), i))
                .collect()
        };
        let by_number = |m: &'_ Message| -> HashMap<i32, usize> {
            m.fields
                .iter()
                .enumerate()
                .map(|(i, field)| (field.number, i))
                .collect()
        };
        let (old_names, new_names) = (by_name(old), by_name(new));
        let (old_numbers, new_numbers) = (by_number(old), by_number(new));
        for old_field in &old.fields {
            let element = format!("{message_name}.{}", old_field.name);
            if let Some(&index) = new_names.get(&old_field.name) {
                let new_field = &new.fields[index];
                if new_field.number == old_field.number {
                    self.field(message_name, &element, old_field, new_field);
                } else {
                    self.push(
                        rules::FIELD_NUMBER_CHANGED,
                        &element,
                        format!(
                            "field `{}` of {message_name} changed number from {} to {}",
                            old_field.name, old_field.number, new_field.number
                        ),
                        Some(&old_field.at),
                        Some(&new_field.at),
                    );
                }
                continue;
            }
            match new_numbers
                .get(&old_field.number)
                .map(|&index| &new.fields[index])
            {
                // The number now belongs to a field the old version did not have.
                Some(new_field) if !old_names.contains_key(&new_field.name) => {
                    if old_field.ty == new_field.ty || wire_compatible(&old_field.ty, &new_field.ty)
                    {
                        let json = if old_field.json_name == new_field.json_name {
                            format!(
                                "generated code changes (JSON keeps `{}`)",
                                new_field.json_name
                            )
                        } else {
                            format!(
                                "generated code and JSON (`{}` -> `{}`) change",
                                old_field.json_name, new_field.json_name
                            )
                        };
                        self.push(
                            rules::FIELD_RENAMED,
                            &element,
                            format!(
                                "field `{}` (number {}) of {message_name} renamed to `{}`; the binary encoding is unchanged, but {json}",
                                old_field.name, old_field.number, new_field.name
                            ),
                            Some(&old_field.at),
                            Some(&new_field.at),
                        );
                        self.field(message_name, &element, old_field, new_field);
                    } else {
                        self.push(
                            rules::FIELD_NUMBER_REUSED,
                            &element,
                            format!(
                                "field `{}` ({}, number {}) removed from {message_name} and its number reused by `{}` ({})",
                                old_field.name, old_field.ty, old_field.number, new_field.name, new_field.ty
                            ),
                            Some(&old_field.at),
                            Some(&new_field.at),
                        );
                    }
                }
                // The number now belongs to another old field, which moved to it.
                Some(new_field) => self.member_removed(
                    &FIELD_REMOVAL,
                    &element,
                    message_name,
                    (&old_field.name, old_field.number, &old_field.at),
                    Some((&new_field.name, &new_field.at)),
                    &new.reserved,
                    &new.at,
                ),
                None => self.member_removed(
                    &FIELD_REMOVAL,
                    &element,
                    message_name,
                    (&old_field.name, old_field.number, &old_field.at),
                    None,
                    &new.reserved,
                    &new.at,
                ),
            }
        }
        for new_field in &new.fields {
            if old_names.contains_key(&new_field.name) {
                continue; // the same field, or one whose number changed: reported above
            }
            let element = format!("{message_name}.{}", new_field.name);
            match old_numbers.get(&new_field.number).map(|&index| &old.fields[index]) {
                // Renamed or reused: reported above.
                Some(old_field) if !new_names.contains_key(&old_field.name) => {}
                Some(old_field) => self.push(
                    rules::FIELD_NUMBER_REUSED,
                    &element,
                    format!(
                        "field `{}` added to {message_name} with number {}, which belonged to `{}`",
                        new_field.name, new_field.number, old_field.name
                    ),
                    Some(&old_field.at),
                    Some(&new_field.at),
                ),
                None if old.reserved.has_number(new_field.number) => self.push(
                    rules::FIELD_NUMBER_REUSED,
                    &element,
                    format!(
                        "field `{}` added to {message_name} with number {}, which the old version reserved",
                        new_field.name, new_field.number
                    ),
                    Some(old.reserved.statement(new_field.number).unwrap_or(&old.at)),
                    Some(&new_field.at),
                ),
                None if new_field.label == FieldLabel::Required => self.push(
                    rules::FIELD_ADDED_REQUIRED,
                    &element,
                    format!(
                        "required field `{}` (number {}) added to {message_name}",
                        new_field.name, new_field.number
                    ),
                    Some(&old.at),
                    Some(&new_field.at),
                ),
                None => self.push(
                    rules::FIELD_ADDED,
                    &element,
                    format!("field `{}` (number {}) added to {message_name}", new_field.name, new_field.number),
                    Some(&old.at),
                    Some(&new_field.at),
                ),
            }
        }
    }

    /// Compare two versions of one field (same number; the name may have changed).
    pub(super) fn field(
        &mut self,
        message_name: &str,
        element: &str,
        old_field: &Field,
        new_field: &Field,
    ) {
        let place = format!(
            "field `{}` (number {}) of {message_name}",
            old_field.name, old_field.number
        );
        let (old, new) = (Some(&old_field.at), Some(&new_field.at));
        if old_field.name == new_field.name && old_field.json_name != new_field.json_name {
            self.push(
                rules::FIELD_JSON_NAME_CHANGED,
                element,
                format!(
                    "{place} changed JSON name from `{}` to `{}`",
                    old_field.json_name, new_field.json_name
                ),
                old,
                new,
            );
        }
        let oneof_changed = old_field.oneof != new_field.oneof;
        if oneof_changed {
            let what = match (&old_field.oneof, &new_field.oneof) {
                (None, Some(b)) => format!("moved into oneof `{b}`"),
                (Some(a), None) => format!("moved out of oneof `{a}`"),
                (Some(a), Some(b)) => format!("moved from oneof `{a}` to oneof `{b}`"),
                (None, None) => String::new(),
            };
            self.push(
                rules::FIELD_ONEOF_CHANGED,
                element,
                format!("{place} {what}"),
                old,
                new,
            );
        }
        let required = |l: FieldLabel| l == FieldLabel::Required;
        if old_field.label.cardinality() != new_field.label.cardinality()
            || required(old_field.label) != required(new_field.label)
        {
            self.push(
                rules::FIELD_CARDINALITY_CHANGED,
                element,
                format!(
                    "{place} changed from {} to {}",
                    describe(old_field),
                    describe(new_field)
                ),
                old,
                new,
            );
        } else if old_field.ty != new_field.ty {
            let (rule, why) = if wire_compatible(&old_field.ty, &new_field.ty) {
                (
                    rules::FIELD_TYPE_CHANGED_WIRE_COMPATIBLE,
                    "; the wire encoding is compatible, but values may be truncated or reinterpreted, and JSON and generated code change",
                )
            } else {
                (
                    rules::FIELD_TYPE_CHANGED,
                    ", which has another wire encoding",
                )
            };
            self.push(
                rule,
                element,
                format!(
                    "{place} changed type from {} to {}{why}",
                    old_field.ty, new_field.ty
                ),
                old,
                new,
            );
        } else if old_field.label != new_field.label && !oneof_changed {
            let what = if new_field.label == FieldLabel::Optional {
                "gained explicit presence (`optional`)"
            } else {
                "lost explicit presence (`optional`)"
            };
            self.push(
                rules::FIELD_PRESENCE_CHANGED,
                element,
                format!("{place} {what}"),
                old,
                new,
            );
        }
        if !old_field.deprecated && new_field.deprecated {
            self.push(
                rules::FIELD_DEPRECATED,
                element,
                format!("{place} deprecated"),
                old,
                new,
            );
        }
    }

    pub(super) fn enums(&mut self) {
        let (old, new) = (self.old, self.new);
        let rules = Lifecycle {
            noun: "enum",
            removed: rules::ENUM_REMOVED,
            deprecated: rules::ENUM_DEPRECATED,
            added: rules::ENUM_ADDED,
        };
        for name in self.declarations(&rules, &old.enums, &new.enums) {
            self.values(name, &old.enums[name], &new.enums[name]);
        }
    }

    pub(super) fn values(&mut self, name: &str, old: &Enum, new: &Enum) {
        // With `allow_alias` a number has several names; the first is its own.
        fn by_name(enumeration: &Enum) -> HashMap<&str, &EnumValue> {
            let mut map = HashMap::new();
            for value in &enumeration.values {
                map.entry(value.name.as_str()).or_insert(value);
            }
            map
        }
        fn by_number(enumeration: &Enum) -> HashMap<i32, &EnumValue> {
            let mut map = HashMap::new();
            for value in &enumeration.values {
                map.entry(value.number).or_insert(value);
            }
            map
        }
        let (old_names, new_names) = (by_name(old), by_name(new));
        let (old_numbers, new_numbers) = (by_number(old), by_number(new));
        for old_value in &old.values {
            let element = format!("{name}.{}", old_value.name);
            if let Some(new_value) = new_names.get(old_value.name.as_str()) {
                if new_value.number != old_value.number {
                    self.push(
                        rules::ENUM_VALUE_NUMBER_CHANGED,
                        &element,
                        format!(
                            "enum value {} changed number from {} to {}",
                            element, old_value.number, new_value.number
                        ),
                        Some(&old_value.at),
                        Some(&new_value.at),
                    );
                } else if !old_value.deprecated && new_value.deprecated {
                    self.push(
                        rules::ENUM_VALUE_DEPRECATED,
                        &element,
                        format!("enum value {element} deprecated"),
                        Some(&old_value.at),
                        Some(&new_value.at),
                    );
                }
                continue;
            }
            match new_numbers.get(&old_value.number) {
                Some(new_value) if !old_names.contains_key(new_value.name.as_str()) => self.push(
                    rules::ENUM_VALUE_RENAMED,
                    &element,
                    format!(
                        "enum value `{}` (number {}) of {name} renamed to `{}`; the binary encoding is unchanged, but JSON and generated code use the name",
                        old_value.name, old_value.number, new_value.name
                    ),
                    Some(&old_value.at),
                    Some(&new_value.at),
                ),
                // An alias of the same number remains.
                Some(new_value) if old_names[new_value.name.as_str()].number == old_value.number => self.push(
                    rules::ENUM_VALUE_REMOVED_WITHOUT_RESERVE,
                    &element,
                    format!(
                        "enum value alias `{}` (number {}) removed from {name}; the number keeps the name `{}`",
                        old_value.name, old_value.number, new_value.name
                    ),
                    Some(&old_value.at),
                    Some(&new_value.at),
                ),
                Some(new_value) => self.member_removed(
                    &VALUE_REMOVAL,
                    &element,
                    name,
                    (&old_value.name, old_value.number, &old_value.at),
                    Some((&new_value.name, &new_value.at)),
                    &new.reserved,
                    &new.at,
                ),
                None => self.member_removed(
                    &VALUE_REMOVAL,
                    &element,
                    name,
                    (&old_value.name, old_value.number, &old_value.at),
                    None,
                    &new.reserved,
                    &new.at,
                ),
            }
        }
        for new_value in &new.values {
            if old_names.contains_key(new_value.name.as_str()) {
                continue;
            }
            let element = format!("{name}.{}", new_value.name);
            match old_numbers.get(&new_value.number) {
                // Renamed: reported above.
                Some(old_value) if !new_names.contains_key(old_value.name.as_str()) => {}
                // The old owner of the number moved away.
                Some(old_value) if new_names[old_value.name.as_str()].number != new_value.number => self.push(
                    rules::ENUM_VALUE_NUMBER_REUSED,
                    &element,
                    format!(
                        "enum value `{}` added to {name} with number {}, which belonged to `{}`",
                        new_value.name, new_value.number, old_value.name
                    ),
                    Some(&old_value.at),
                    Some(&new_value.at),
                ),
                None if old.reserved.has_number(new_value.number) => self.push(
                    rules::ENUM_VALUE_NUMBER_REUSED,
                    &element,
                    format!(
                        "enum value `{}` added to {name} with number {}, which the old version reserved",
                        new_value.name, new_value.number
                    ),
                    Some(old.reserved.statement(new_value.number).unwrap_or(&old.at)),
                    Some(&new_value.at),
                ),
                // A new value, or a new alias of a number that keeps its name.
                _ => self.push(
                    rules::ENUM_VALUE_ADDED,
                    &element,
                    format!("enum value {element} (number {}) added", new_value.number),
                    Some(&old.at),
                    Some(&new_value.at),
                ),
            }
        }
    }
}

/// Which rpcs carry each message and enum, directly or inside other messages.
pub(super) struct RpcCarriers<'m> {
    /// Message or enum name → the messages with a field of that type.
    pub(super) messages_using: HashMap<&'m str, Vec<&'m str>>,
    /// Message → the rpcs that take or return it.
    pub(super) rpcs: HashMap<&'m str, Vec<String>>,
}

impl<'m> RpcCarriers<'m> {
    pub(super) fn of(module: &'m Module) -> RpcCarriers<'m> {
        fn names<'t>(ty: &'t FieldType, out: &mut Vec<&'t str>) {
            match ty {
                FieldType::Message(n) | FieldType::Enum(n) | FieldType::Group(n) => out.push(n),
                FieldType::Map(k, v) => {
                    names(k, out);
                    names(v, out);
                }
                FieldType::Scalar(_) => {}
            }
        }
        let mut messages_using: HashMap<&str, Vec<&str>> = HashMap::new();
        for (name, m) in &module.messages {
            for f in &m.fields {
                let mut used = Vec::new();
                names(&f.ty, &mut used);
                for ty in used {
                    messages_using.entry(ty).or_default().push(name);
                }
            }
        }
        let mut rpcs: HashMap<&str, Vec<String>> = HashMap::new();
        for (service, s) in &module.services {
            for (rpc, r) in &s.rpcs {
                for ty in [&r.request, &r.response] {
                    rpcs.entry(ty).or_default().push(format!("{service}/{rpc}"));
                }
            }
        }
        RpcCarriers {
            messages_using,
            rpcs,
        }
    }

    /// The rpcs that carry `ty`, sorted.
    pub(super) fn rpcs(&self, ty: &str) -> BTreeSet<String> {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut todo = vec![ty];
        let mut out = BTreeSet::new();
        while let Some(t) = todo.pop() {
            if !seen.insert(t) {
                continue;
            }
            out.extend(self.rpcs.get(t).into_iter().flatten().cloned());
            todo.extend(self.messages_using.get(t).into_iter().flatten().copied());
        }
        out
    }
}

/// `repeated int32`, `map<string, int64>`, `optional string`.
pub(super) fn describe(f: &Field) -> String {
    match f.label {
        FieldLabel::Implicit | FieldLabel::Map => f.ty.to_string(),
        FieldLabel::Optional => format!("optional {}", f.ty),
        FieldLabel::Required => format!("required {}", f.ty),
        FieldLabel::Repeated => format!("repeated {}", f.ty),
    }
}

pub(super) fn show_package(p: &str) -> &str {
    if p.is_empty() { "(none)" } else { p }
}

pub(super) fn plural_s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
