//! AsyncAPI 2.x and 3.x: channels, operations, messages and their payloads.
//!
//! Both versions are read into one view: channels by name (the 2.x key, which is the address, or
//! the 3.x channel id, which has an `address`), each with its messages by name, and operations
//! (2.x `publish`/`subscribe` inside a channel, 3.x `send`/`receive` pointing at one). Channels
//! match by name, then by address, so that renaming a 3.x channel id or migrating from 2.x to 3.x
//! compares like with like; messages match by name, then by `name`/`messageId`/component name.
//!
//! Payloads are compared as JSON Schemas (`super::schema`) in both directions at once, and the
//! compatibility mode a schema registry enforces for the message decides which changes break:
//! `x-compatibility` on the message, else on its channel, else at the document's top, else
//! `backward` as in Confluent's registry. Under `backward` new consumers read old messages, so the
//! new schema must accept every old message (narrowing breaks); under `forward` old consumers read
//! new messages, so it must produce nothing they reject (widening breaks); `full` is both, `none`
//! neither. Every payload change is reported whatever the mode; the mode only decides its class,
//! and the message says which mode made it breaking. Payloads in other schema formats (Avro,
//! protobuf) are not judged: a change to one is reported as not compared.
//!
//! Elements are `channel <name>` for channel and operation changes and
//! `message <channel>/<message>` for message and payload changes. A removed channel also reports
//! each of its messages as removed, so that consumers naming only the messages they read are
//! reached too. Which side to deploy first for a mode is for the planner, not this module.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::doc::{ContractDocuments, NodeRef};
use super::schema::{self, Comparison, Finding, Kind, SchemaRules};
use super::{Change, Class, ContractErrors, ContractFormat, Rule};
use crate::source::diagnostic::{Code, Diagnostic};
use crate::source::yaml::{Node, Value};

/// AsyncAPI rules: one constant per rule, emitted by constant so that a mistyped rule
/// cannot compile, and [`RULES`], the table of all of them sorted by id.
pub mod rules {
    crate::contract::rules::declare_rules! {
        CHANNEL_ADDED = "asyncapi.channel.added", NonBreaking, "a new channel";
        CHANNEL_ADDRESS_CHANGED = "asyncapi.channel.address-changed", Breaking, "a channel's address (topic, queue, routing key) changed; producers and consumers of the old one no longer meet";
        CHANNEL_DEPRECATED = "asyncapi.channel.deprecated", Deprecation, "a channel became deprecated";
        CHANNEL_REMOVED = "asyncapi.channel.removed", Breaking, "a channel was removed; its producers and consumers fail";
        MESSAGE_ADDED = "asyncapi.message.added", NonBreaking, "a new message on a channel";
        MESSAGE_COMPATIBILITY_RELAXED = "asyncapi.message.compatibility-relaxed", Breaking, "a message's compatibility mode dropped a guarantee (backward or forward) that the deployment order relies on";
        MESSAGE_COMPATIBILITY_TIGHTENED = "asyncapi.message.compatibility-tightened", NonBreaking, "a message's compatibility mode added a guarantee";
        MESSAGE_CONTENT_TYPE_CHANGED = "asyncapi.message.content-type-changed", Breaking, "a message's content type changed; consumers decode the old one";
        MESSAGE_DEPRECATED = "asyncapi.message.deprecated", Deprecation, "a message became deprecated";
        MESSAGE_REMOVED = "asyncapi.message.removed", Breaking, "a message is no longer on a channel; its consumers wait for it in vain";
        OPERATION_ACTION_CHANGED = "asyncapi.operation.action-changed", Breaking, "an operation changed between sending and receiving";
        OPERATION_ADDED = "asyncapi.operation.added", NonBreaking, "a new operation on a channel";
        OPERATION_CHANNEL_CHANGED = "asyncapi.operation.channel-changed", Breaking, "an operation moved to another channel";
        OPERATION_DEPRECATED = "asyncapi.operation.deprecated", Deprecation, "an operation became deprecated";
        OPERATION_REMOVED = "asyncapi.operation.removed", Breaking, "an operation was removed from a channel that remains; what it sent or received is gone";
        PAYLOAD_CONSTRAINT_NARROWED = "asyncapi.payload.constraint-narrowed", Breaking, "a payload value accepts less (max, min, length, pattern, items, additional properties, alternatives); breaks backward and full";
        PAYLOAD_CONSTRAINT_WIDENED = "asyncapi.payload.constraint-widened", NonBreaking, "a payload value accepts more; breaks forward and full";
        PAYLOAD_ENUM_VALUE_ADDED = "asyncapi.payload.enum-value-added", NonBreaking, "a payload enum has a new value; breaks forward and full (old consumers do not know it)";
        PAYLOAD_ENUM_VALUE_REMOVED = "asyncapi.payload.enum-value-removed", Breaking, "a payload enum lost a value old messages carry; breaks backward and full";
        PAYLOAD_FORMAT_CHANGED = "asyncapi.payload.format-changed", Breaking, "a payload value's format changed; breaks the modes whose readers parse the other format";
        PAYLOAD_NOT_COMPARED = "asyncapi.payload.not-compared", NonBreaking, "a payload in a schema format other than JSON Schema (Avro, protobuf) changed; the schema registry must judge it";
        PAYLOAD_NULLABLE_ADDED = "asyncapi.payload.nullable-added", NonBreaking, "a payload value may now be null; breaks forward and full";
        PAYLOAD_NULLABLE_REMOVED = "asyncapi.payload.nullable-removed", Breaking, "a payload value may no longer be null; breaks backward and full";
        PAYLOAD_PROPERTY_ADDED_OPTIONAL = "asyncapi.payload.property-added-optional", NonBreaking, "a new optional payload property; breaks forward and full only when old consumers allow no additional properties";
        PAYLOAD_PROPERTY_ADDED_REQUIRED = "asyncapi.payload.property-added-required", Breaking, "a new required payload property that old messages lack; breaks backward and full";
        PAYLOAD_PROPERTY_BECAME_OPTIONAL = "asyncapi.payload.property-became-optional", NonBreaking, "a payload property is no longer required; breaks forward and full (old consumers expect it)";
        PAYLOAD_PROPERTY_BECAME_REQUIRED = "asyncapi.payload.property-became-required", Breaking, "a payload property became required; breaks backward and full (old messages may lack it)";
        PAYLOAD_PROPERTY_DEPRECATED = "asyncapi.payload.property-deprecated", Deprecation, "a payload property became deprecated";
        PAYLOAD_PROPERTY_REMOVED = "asyncapi.payload.property-removed", NonBreaking, "a payload property was removed; breaks forward and full when old consumers require it";
        PAYLOAD_TYPE_CHANGED = "asyncapi.payload.type-changed", Breaking, "a payload value's type changed; breaks backward when old values no longer fit, forward when new ones do not fit the old type";
    }
}

pub use rules::RULES;

const PAYLOAD_IDS: SchemaRules = SchemaRules {
    type_changed: rules::PAYLOAD_TYPE_CHANGED,
    nullable: rules::PAYLOAD_NULLABLE_REMOVED,
    format_changed: rules::PAYLOAD_FORMAT_CHANGED,
    enum_value_added: rules::PAYLOAD_ENUM_VALUE_ADDED,
    enum_value_removed: rules::PAYLOAD_ENUM_VALUE_REMOVED,
    constraint_narrowed: rules::PAYLOAD_CONSTRAINT_NARROWED,
    constraint_widened: rules::PAYLOAD_CONSTRAINT_WIDENED,
    property_removed: rules::PAYLOAD_PROPERTY_REMOVED,
    property_added_required: rules::PAYLOAD_PROPERTY_ADDED_REQUIRED,
    property_added_optional: rules::PAYLOAD_PROPERTY_ADDED_OPTIONAL,
    property_became_required: rules::PAYLOAD_PROPERTY_BECAME_REQUIRED,
    property_became_optional: rules::PAYLOAD_PROPERTY_BECAME_OPTIONAL,
    property_deprecated: rules::PAYLOAD_PROPERTY_DEPRECATED,
};

/// Payload rules are the same in both directions but for nullability, whose direction is in
/// its name.
const PAYLOAD_RULES: schema::Rules = schema::Rules {
    accept: PAYLOAD_IDS,
    produce: SchemaRules {
        nullable: rules::PAYLOAD_NULLABLE_ADDED,
        ..PAYLOAD_IDS
    },
};

/// A schema registry's compatibility mode for a message's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compatibility {
    /// New consumers read old messages: upgrade consumers first.
    Backward,
    /// Old consumers read new messages: upgrade producers first.
    Forward,
    /// Both: any order.
    Full,
    /// Neither: a new topic or a dual-publish phase.
    None,
}

impl Compatibility {
    /// Parse `backward`, `forward`, `full` or `none`, in any case, and Confluent's
    /// `*_TRANSITIVE` modes. A transitive mode checks a schema against every earlier version
    /// instead of the last one, which for a diff of two versions is the same check.
    pub fn parse(text: &str) -> Option<Compatibility> {
        let text = text.trim().to_ascii_lowercase().replace('-', "_");
        let base = text.strip_suffix("_transitive").unwrap_or(&text);
        match base {
            "backward" => Some(Compatibility::Backward),
            "forward" => Some(Compatibility::Forward),
            "full" => Some(Compatibility::Full),
            "none" => Some(Compatibility::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Compatibility::Backward => "backward",
            Compatibility::Forward => "forward",
            Compatibility::Full => "full",
            Compatibility::None => "none",
        }
    }

    /// Whether new consumers must read old messages.
    pub fn backward(self) -> bool {
        matches!(self, Compatibility::Backward | Compatibility::Full)
    }

    /// Whether old consumers must read new messages.
    pub fn forward(self) -> bool {
        matches!(self, Compatibility::Forward | Compatibility::Full)
    }
}

/// AsyncAPI 2.x and 3.x documents, files or split specs.
pub struct AsyncApi;

impl super::Differ for AsyncApi {
    const FORMAT: ContractFormat = ContractFormat::Asyncapi;
    type Contract = ContractDocuments;

    fn load(
        path: &Path,
        options: &super::DiffOptions,
    ) -> Result<ContractDocuments, ContractErrors> {
        ContractDocuments::load(path, &["asyncapi"], &options.boundary)
    }

    fn warnings(docs: &ContractDocuments) -> Vec<Diagnostic> {
        docs.warnings().to_vec()
    }

    fn version(docs: &ContractDocuments) -> Option<String> {
        docs.info_version()
    }

    fn compare(
        old_docs: &ContractDocuments,
        new_docs: &ContractDocuments,
        _options: &super::DiffOptions,
    ) -> Result<Vec<Change>, ContractErrors> {
        let mut errors = Vec::new();
        let old_api = Api::read(old_docs, &mut errors);
        let new_api = Api::read(new_docs, &mut errors);
        if !errors.is_empty() {
            return Err(ContractErrors { errors });
        }
        let mut comparison = AsyncApiComparison {
            old: old_docs,
            new: new_docs,
            schemas: Comparison::new(old_docs, new_docs, &PAYLOAD_RULES),
            roots: Vec::new(),
            changes: Vec::new(),
        };
        comparison.compare(&old_api, &new_api);
        comparison.finish()
    }
}

/// The normalised view of one contract.
struct Api<'d> {
    channels: BTreeMap<&'d str, Channel<'d>>,
    /// By `operationId` (2.x; `<channel> <publish|subscribe>` without one) or key (3.x).
    operations: BTreeMap<String, Operation<'d>>,
}

struct Channel<'d> {
    at: NodeRef<'d>,
    /// The 3.x `address`, `None` when null (dynamic) or absent; in 2.x the channel's name.
    address: Option<&'d str>,
    /// Where the 3.x `address` is.
    address_at: Option<NodeRef<'d>>,
    deprecated: bool,
    messages: BTreeMap<String, Message<'d>>,
}

struct Message<'d> {
    /// Where the channel or operation lists the message (the `$ref` when it is one).
    listed: NodeRef<'d>,
    at: NodeRef<'d>,
    /// The names it goes by, the one it is known by first: its 3.x key, `messageId`, `name`,
    /// the component it refers to.
    aliases: Vec<&'d str>,
    payload: Payload<'d>,
    /// `contentType`, else the document's `defaultContentType`.
    content_type: Option<&'d str>,
    deprecated: bool,
    /// The mode declared on the message, its channel or the document.
    compatibility: Option<Declared<'d>>,
}

#[derive(Clone, Copy)]
enum Payload<'d> {
    Absent,
    JsonSchema(NodeRef<'d>),
    /// A schema in another format, with that format.
    Other(&'d str, NodeRef<'d>),
}

struct Operation<'d> {
    at: NodeRef<'d>,
    /// Whether the document gave the operation an id.
    named: bool,
    /// `publish`/`subscribe` (2.x) or `send`/`receive` (3.x), as written.
    keyword: &'d str,
    /// Whether the application sends (2.x `subscribe`, 3.x `send`).
    sends: bool,
    channel: Option<&'d str>,
    deprecated: bool,
}

/// An `x-compatibility` declaration.
#[derive(Clone, Copy)]
struct Declared<'d> {
    mode: Compatibility,
    text: &'d str,
    at: NodeRef<'d>,
}

fn mode(declared: Option<Declared<'_>>) -> Compatibility {
    declared.map_or(Compatibility::Backward, |d| d.mode)
}

fn label(declared: Option<Declared<'_>>) -> String {
    declared.map_or_else(|| "backward by default".to_owned(), |d| d.text.to_owned())
}

impl<'d> Api<'d> {
    fn read(docs: &'d ContractDocuments, errors: &mut Vec<Diagnostic>) -> Api<'d> {
        let root = docs.root();
        let spec = root.str("asyncapi").unwrap_or("");
        let mut api = Api {
            channels: BTreeMap::new(),
            operations: BTreeMap::new(),
        };
        if spec.starts_with("1.") {
            push_error(
                errors,
                Diagnostic::error(
                    Code::UnknownFormat,
                    docs.location(root.get("asyncapi").unwrap_or(root)),
                    format!(
                        "AsyncAPI {spec} is not supported: ripple compares AsyncAPI 2.x and 3.x"
                    ),
                ),
            );
            return api;
        }
        let reader = Reader {
            docs,
            root_mode: declared(docs, root, errors),
            default_content_type: root.str("defaultContentType"),
        };
        if spec.starts_with('3') {
            reader.read_v3(&mut api, errors);
        } else {
            reader.read_v2(&mut api, errors);
        }
        api
    }
}

struct Reader<'d> {
    docs: &'d ContractDocuments,
    root_mode: Option<Declared<'d>>,
    default_content_type: Option<&'d str>,
}

impl<'d> Reader<'d> {
    fn read_v2(&self, api: &mut Api<'d>, errors: &mut Vec<Diagnostic>) {
        let docs = self.docs;
        let Some(channels) = docs.get(docs.root(), "channels") else {
            return;
        };
        for (name, ch) in channels.entries() {
            let ch = docs.resolve(ch);
            let channel_mode = declared(docs, ch, errors).or(self.root_mode);
            let mut messages = BTreeMap::new();
            for (keyword, sends) in [("publish", false), ("subscribe", true)] {
                let Some(op) = docs.get(ch, keyword) else {
                    continue;
                };
                if let Some(listed) = op.get("message") {
                    let resolved = docs.resolve(listed);
                    let items: Vec<NodeRef<'d>> = match resolved.get("oneOf") {
                        Some(list) => list.items().collect(),
                        None => vec![listed],
                    };
                    for (i, item) in items.into_iter().enumerate() {
                        let message = self.message(item, None, channel_mode, errors);
                        let name = message.aliases.first().map_or_else(
                            || format!("{keyword} message {}", i + 1),
                            |n| (*n).to_owned(),
                        );
                        messages.entry(name).or_insert(message);
                    }
                }
                let id = op.str("operationId");
                api.operations.insert(
                    id.map_or_else(|| format!("{name} {keyword}"), str::to_owned),
                    Operation {
                        at: op,
                        named: id.is_some(),
                        keyword,
                        sends,
                        channel: Some(name),
                        deprecated: deprecated(op),
                    },
                );
            }
            api.channels.insert(
                name,
                Channel {
                    at: ch,
                    address: Some(name),
                    address_at: None,
                    deprecated: deprecated(ch),
                    messages,
                },
            );
        }
    }

    fn read_v3(&self, api: &mut Api<'d>, errors: &mut Vec<Diagnostic>) {
        let docs = self.docs;
        let root = docs.root();
        let mut by_node = HashMap::new();
        if let Some(channels) = docs.get(root, "channels") {
            for (name, ch) in channels.entries() {
                let ch = docs.resolve(ch);
                by_node.insert(ch.ptr(), name);
                let channel_mode = declared(docs, ch, errors).or(self.root_mode);
                let mut messages = BTreeMap::new();
                if let Some(list) = docs.get(ch, "messages") {
                    for (key, listed) in list.entries() {
                        let message = self.message(listed, Some(key), channel_mode, errors);
                        messages.insert(key.to_owned(), message);
                    }
                }
                let address_at = ch.get("address").filter(|a| !a.node.is_null());
                api.channels.insert(
                    name,
                    Channel {
                        at: ch,
                        address: address_at.and_then(|a| a.node.as_str()),
                        address_at,
                        deprecated: deprecated(ch),
                        messages,
                    },
                );
            }
        }
        if let Some(operations) = docs.get(root, "operations") {
            for (id, op) in operations.entries() {
                let op = docs.resolve(op);
                let keyword = op.str("action").unwrap_or("");
                let channel = docs
                    .get(op, "channel")
                    .and_then(|c| by_node.get(&c.ptr()).copied());
                api.operations.insert(
                    id.to_owned(),
                    Operation {
                        at: op,
                        named: true,
                        keyword,
                        sends: keyword == "send",
                        channel,
                        deprecated: deprecated(op),
                    },
                );
            }
        }
    }

    fn message(
        &self,
        listed: NodeRef<'d>,
        key: Option<&'d str>,
        channel_mode: Option<Declared<'d>>,
        errors: &mut Vec<Diagnostic>,
    ) -> Message<'d> {
        let docs = self.docs;
        let at = docs.resolve(listed);
        let mut aliases: Vec<&'d str> = Vec::new();
        for alias in [
            key,
            at.str("messageId"),
            at.str("name"),
            component_name(listed),
        ]
        .into_iter()
        .flatten()
        {
            if !aliases.contains(&alias) {
                aliases.push(alias);
            }
        }
        // A JSON Schema payload stays as written (a `$ref` stays one, so that a shared schema
        // is compared once); others are resolved, to be compared as trees.
        let payload = match at.get("payload") {
            None => Payload::Absent,
            Some(written) => {
                let p = docs.resolve(written);
                match (p.get("schemaFormat"), p.get("schema")) {
                    // A 3.x Multi Format Schema Object.
                    (Some(_), Some(schema)) => {
                        let format = p.str("schemaFormat").unwrap_or("");
                        if is_json_schema(format) {
                            Payload::JsonSchema(schema)
                        } else {
                            Payload::Other(format, docs.resolve(schema))
                        }
                    }
                    _ => match at.str("schemaFormat") {
                        Some(format) if !is_json_schema(format) => Payload::Other(format, p),
                        _ => Payload::JsonSchema(written),
                    },
                }
            }
        };
        Message {
            listed,
            at,
            aliases,
            payload,
            content_type: at.str("contentType").or(self.default_content_type),
            deprecated: deprecated(at),
            compatibility: declared(docs, at, errors).or(channel_mode),
        }
    }
}

/// The `x-compatibility` declared on a node; an unknown mode is an error.
fn declared<'d>(
    docs: &ContractDocuments,
    at: NodeRef<'d>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Declared<'d>> {
    let value = at.get("x-compatibility")?;
    let text = value.node.as_str().unwrap_or("");
    match Compatibility::parse(text) {
        Some(mode) => Some(Declared {
            mode,
            text,
            at: value,
        }),
        None => {
            push_error(
                errors,
                Diagnostic::error(
                    Code::InvalidValue,
                    docs.location(value),
                    format!(
                        "`x-compatibility: {text}` is not a compatibility mode: expected backward, forward, full or none (or Confluent's BACKWARD, FORWARD, FULL, NONE and their _TRANSITIVE forms)"
                    ),
                ),
            );
            None
        }
    }
}

/// A message listed in several places is read once per place: report its problems once.
fn push_error(errors: &mut Vec<Diagnostic>, error: Diagnostic) {
    if !errors.contains(&error) {
        errors.push(error);
    }
}

fn deprecated(at: NodeRef<'_>) -> bool {
    at.flag("deprecated") || at.flag("x-deprecated")
}

/// The last segment of a `$ref`'s pointer (`#/components/messages/OrderPlaced`).
fn component_name<'d>(listed: NodeRef<'d>) -> Option<&'d str> {
    let text = listed.str("$ref")?;
    let pointer = text.split_once('#').map_or(text, |(_, p)| p);
    pointer.rsplit('/').next().filter(|s| !s.is_empty())
}

/// Whether a `schemaFormat` is JSON Schema or one of its dialects (AsyncAPI, OpenAPI schemas).
fn is_json_schema(format: &str) -> bool {
    let format = format.to_ascii_lowercase();
    [
        "application/vnd.aai.asyncapi",
        "application/schema+json",
        "application/schema+yaml",
        "application/vnd.oai.openapi",
    ]
    .iter()
    .any(|prefix| format.starts_with(prefix))
}

/// Whether two trees hold the same values, wherever they are.
fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Null, Value::Null) => true,
        (Value::Scalar(x, _), Value::Scalar(y, _)) => x == y,
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| same(k, k2) && same(v, v2)))
        }
        _ => false,
    }
}

/// The comparison of two AsyncAPI contracts: the changes found so far, and the payload
/// comparison with the message (and its compatibility mode) each payload comparison started from.
struct AsyncApiComparison<'d> {
    old: &'d ContractDocuments,
    new: &'d ContractDocuments,
    schemas: Comparison<'d>,
    /// (message element, its declared mode) of each payload compared, by root number.
    roots: Vec<(String, Option<Declared<'d>>)>,
    changes: Vec<Change>,
}

impl<'d> AsyncApiComparison<'d> {
    fn push(
        &mut self,
        rule: &'static Rule,
        element: &str,
        message: String,
        old: Option<NodeRef<'_>>,
        new: Option<NodeRef<'_>>,
    ) {
        let old = old.map(|a| self.old.location(a));
        let new = new.map(|a| self.new.location(a));
        self.changes
            .push(Change::new(rule, element, message, old, new));
    }

    fn compare(&mut self, old: &Api<'d>, new: &Api<'d>) {
        // Channels: by name, then by address.
        let mut partner: BTreeMap<&str, &str> = BTreeMap::new();
        for name in old.channels.keys() {
            if new.channels.contains_key(name) {
                partner.insert(name, name);
            }
        }
        for (name, ch) in &old.channels {
            if partner.contains_key(name) {
                continue;
            }
            let Some(address) = ch.address.map(super::normalize_template) else {
                continue;
            };
            let taken: BTreeSet<&str> = partner.values().copied().collect();
            if let Some((new_name, _)) = new.channels.iter().find(|(n, c)| {
                !taken.contains(*n)
                    && c.address.map(super::normalize_template).as_ref() == Some(&address)
            }) {
                partner.insert(name, new_name);
            }
        }
        let old_name_of: BTreeMap<&str, &str> = partner.iter().map(|(o, n)| (*n, *o)).collect();
        for (name, ch) in &old.channels {
            match partner.get(name) {
                Some(new_name) => self.channel(name, ch, &new.channels[new_name]),
                None => self.channel_removed(name, ch),
            }
        }
        for (name, ch) in &new.channels {
            if !old_name_of.contains_key(name) {
                self.push(
                    rules::CHANNEL_ADDED,
                    &format!("channel {name}"),
                    format!("channel {name}{} added", address_note(name, ch)),
                    None,
                    Some(ch.at),
                );
            }
        }
        self.operations(old, new, &partner, &old_name_of);
    }

    fn channel_removed(&mut self, name: &str, ch: &Channel<'d>) {
        let element = format!("channel {name}");
        self.push(
            rules::CHANNEL_REMOVED,
            &element,
            format!("channel {name}{} removed", address_note(name, ch)),
            Some(ch.at),
            None,
        );
        for (message, m) in &ch.messages {
            self.push(
                rules::MESSAGE_REMOVED,
                &format!("message {name}/{message}"),
                format!("message {message} removed with channel {name}"),
                Some(m.listed),
                None,
            );
        }
    }

    fn channel(&mut self, name: &str, a: &Channel<'d>, b: &Channel<'d>) {
        let element = format!("channel {name}");
        if (a.address_at.is_some() || b.address_at.is_some())
            && a.address.map(super::normalize_template) != b.address.map(super::normalize_template)
        {
            let show =
                |x: Option<&str>| x.map_or("none (dynamic)".to_owned(), |x| format!("`{x}`"));
            self.push(
                rules::CHANNEL_ADDRESS_CHANGED,
                &element,
                format!(
                    "channel {name}: address changed from {} to {}; producers and consumers of the old address no longer meet",
                    show(a.address),
                    show(b.address)
                ),
                Some(a.address_at.unwrap_or(a.at)),
                Some(b.address_at.unwrap_or(b.at)),
            );
        }
        if !a.deprecated && b.deprecated {
            self.push(
                rules::CHANNEL_DEPRECATED,
                &element,
                format!("channel {name} deprecated"),
                Some(a.at),
                Some(b.at),
            );
        }
        // Messages: by name, then by any name they go by.
        let mut partner: BTreeMap<&str, &str> = BTreeMap::new();
        for key in a.messages.keys() {
            if b.messages.contains_key(key) {
                partner.insert(key, key);
            }
        }
        for (key, m) in &a.messages {
            if partner.contains_key(key.as_str()) {
                continue;
            }
            let taken: BTreeSet<&str> = partner.values().copied().collect();
            if let Some((new_key, _)) = b.messages.iter().find(|(k, n)| {
                !taken.contains(k.as_str())
                    && !a.messages.contains_key(*k)
                    && n.aliases.iter().any(|x| m.aliases.contains(x))
            }) {
                partner.insert(key, new_key);
            }
        }
        for (key, m) in &a.messages {
            match partner.get(key.as_str()) {
                Some(new_key) => self.message(name, key, m, &b.messages[*new_key]),
                None => self.push(
                    rules::MESSAGE_REMOVED,
                    &format!("message {name}/{key}"),
                    format!("message {key} removed from channel {name}"),
                    Some(m.listed),
                    Some(b.at),
                ),
            }
        }
        let matched: BTreeSet<&str> = partner.values().copied().collect();
        for (key, m) in &b.messages {
            if !matched.contains(key.as_str()) {
                self.push(
                    rules::MESSAGE_ADDED,
                    &format!("message {name}/{key}"),
                    format!("message {key} added to channel {name}"),
                    Some(a.at),
                    Some(m.listed),
                );
            }
        }
    }

    fn message(&mut self, channel: &str, name: &str, a: &Message<'d>, b: &Message<'d>) {
        let element = format!("message {channel}/{name}");
        if !a.deprecated && b.deprecated {
            self.push(
                rules::MESSAGE_DEPRECATED,
                &element,
                format!("message {name} on channel {channel} deprecated"),
                Some(a.at),
                Some(b.at),
            );
        }
        if let (Some(x), Some(y)) = (a.content_type, b.content_type)
            && !x.eq_ignore_ascii_case(y)
        {
            self.push(
                rules::MESSAGE_CONTENT_TYPE_CHANGED,
                &element,
                format!("message {name}: content type changed from `{x}` to `{y}`"),
                Some(a.at),
                Some(b.at),
            );
        }
        let (was, is) = (mode(a.compatibility), mode(b.compatibility));
        if was != is {
            let mut lost = Vec::new();
            if was.backward() && !is.backward() {
                lost.push("new consumers may no longer read old messages");
            }
            if was.forward() && !is.forward() {
                lost.push("old consumers may no longer read new messages");
            }
            let (rule, what) = if lost.is_empty() {
                (rules::MESSAGE_COMPATIBILITY_TIGHTENED, String::new())
            } else {
                (
                    rules::MESSAGE_COMPATIBILITY_RELAXED,
                    format!(": {}", lost.join(", and ")),
                )
            };
            self.push(
                rule,
                &element,
                format!(
                    "message {name}: compatibility changed from {} to {}{what}",
                    label(a.compatibility),
                    label(b.compatibility)
                ),
                Some(a.compatibility.map_or(a.at, |d| d.at)),
                Some(b.compatibility.map_or(b.at, |d| d.at)),
            );
        }
        match (a.payload, b.payload) {
            (Payload::JsonSchema(x), Payload::JsonSchema(y)) => {
                let root = self.roots.len();
                self.roots.push((element.clone(), b.compatibility));
                for found in self.schemas.compare_both(root, "payload", "", x, y) {
                    self.payload_change(&element, found, b.compatibility, Vec::new());
                }
            }
            (Payload::Other(f, x), Payload::Other(g, y)) if f == g && same(x.node, y.node) => {}
            (Payload::Other(format, x), Payload::Other(_, y) | Payload::JsonSchema(y))
            | (Payload::JsonSchema(x), Payload::Other(format, y)) => {
                let (x, y) = (self.old.resolve(x), self.new.resolve(y));
                self.push(
                    rules::PAYLOAD_NOT_COMPARED,
                    &element,
                    format!(
                        "payload in schema format `{format}` changed: ripple judges JSON Schema payloads only, so let the schema registry judge it (compatibility: {})",
                        label(b.compatibility)
                    ),
                    Some(x),
                    Some(y),
                );
            }
            _ => {}
        }
    }

    /// A payload change, classified by the mode the new contract declares for the message;
    /// `affects` lists the messages a change to a shared schema reaches.
    fn payload_change(
        &mut self,
        element: &str,
        found: Finding,
        declared: Option<Declared<'_>>,
        affects: Vec<String>,
    ) {
        let mode = mode(declared);
        let backward = mode.backward() && found.breaks.accept;
        let forward = mode.forward() && found.breaks.produce;
        let (class, message) = if found.kind == Kind::PropertyDeprecated {
            (Class::Deprecation, found.message)
        } else if backward {
            (
                Class::Breaking,
                format!(
                    "{}: {} (compatibility: {})",
                    found.message,
                    backward_reason(found.kind),
                    label(declared)
                ),
            )
        } else if forward {
            (
                Class::Breaking,
                format!(
                    "{}: {} (compatibility: {})",
                    found.message,
                    forward_reason(found.kind),
                    label(declared)
                ),
            )
        } else {
            (
                Class::NonBreaking,
                format!("{} (compatibility: {})", found.message, label(declared)),
            )
        };
        let mut change = Change::new(
            found.rule,
            element,
            message,
            Some(found.old),
            Some(found.new),
        );
        change.class = class;
        change.affects = affects;
        self.changes.push(change);
    }

    /// The changes, with those of schemas shared through `$ref` reported once each per
    /// compatibility mode of the messages that reach them: under the one message that reaches
    /// the schema, or under the schema (`schema OrderLine`) with every message it reaches in
    /// [`Change::affects`].
    fn finish(mut self) -> Result<Vec<Change>, ContractErrors> {
        let schemas = std::mem::replace(
            &mut self.schemas,
            Comparison::new(self.old, self.new, &PAYLOAD_RULES),
        );
        let (shared, errors) = schemas.finish();
        if !errors.is_empty() {
            return Err(ContractErrors { errors });
        }
        for schema in shared {
            // Messages by the mode that judges them, which decides the class.
            let mut by_mode: BTreeMap<String, (Option<Declared<'d>>, BTreeSet<String>)> =
                BTreeMap::new();
            for root in &schema.reached_from {
                let (element, declared) = &self.roots[*root];
                by_mode
                    .entry(label(*declared))
                    .or_insert_with(|| (*declared, BTreeSet::new()))
                    .1
                    .insert(element.clone());
            }
            for (declared, messages) in by_mode.into_values() {
                for found in &schema.findings {
                    let mut found = found.clone();
                    if messages.len() == 1 {
                        let element = messages.first().cloned().unwrap_or_default();
                        found.message = format!("payload, {}", found.message);
                        self.payload_change(&element, found, declared, Vec::new());
                    } else {
                        found.message =
                            format!("{} (in {} messages)", found.message, messages.len());
                        let affects = messages.iter().cloned().collect();
                        self.payload_change(&schema.element, found, declared, affects);
                    }
                }
            }
        }
        Ok(self.changes)
    }

    fn operations(
        &mut self,
        old: &Api<'d>,
        new: &Api<'d>,
        channel_partner: &BTreeMap<&str, &str>,
        old_channel_name: &BTreeMap<&str, &str>,
    ) {
        // Operations: by id, then by action on the same channel.
        let mut partner: BTreeMap<&str, &str> = BTreeMap::new();
        for id in old.operations.keys() {
            if new.operations.contains_key(id) {
                partner.insert(id, id);
            }
        }
        for (id, op) in &old.operations {
            if partner.contains_key(id.as_str()) {
                continue;
            }
            let Some(channel) = op.channel.and_then(|c| channel_partner.get(c)) else {
                continue;
            };
            let taken: BTreeSet<&str> = partner.values().copied().collect();
            if let Some((new_id, _)) = new.operations.iter().find(|(k, n)| {
                !taken.contains(k.as_str())
                    && !old.operations.contains_key(*k)
                    && n.sends == op.sends
                    && n.channel == Some(*channel)
            }) {
                partner.insert(id, new_id);
            }
        }
        let element = |channel: Option<&str>, id: &str| match channel {
            Some(c) => format!("channel {c}"),
            None => format!("operation {id}"),
        };
        for (id, op) in &old.operations {
            let new_channel = op.channel.and_then(|c| channel_partner.get(c).copied());
            if op.channel.is_some() && new_channel.is_none() {
                continue; // the channel's removal says it
            }
            let element = element(op.channel, id);
            let Some(new_op) = partner.get(id.as_str()).map(|n| &new.operations[*n]) else {
                let on = op
                    .channel
                    .map_or(String::new(), |c| format!(" from channel {c}"));
                self.push(
                    rules::OPERATION_REMOVED,
                    &element,
                    format!("{} removed{on}", describe(id, op)),
                    Some(op.at),
                    new_channel.map(|c| new.channels[c].at),
                );
                continue;
            };
            if op.sends != new_op.sends {
                self.push(
                    rules::OPERATION_ACTION_CHANGED,
                    &element,
                    format!(
                        "{} changed from {} to {}",
                        describe(id, op),
                        op.keyword,
                        new_op.keyword
                    ),
                    Some(op.at),
                    Some(new_op.at),
                );
            }
            if new_op.channel != new_channel {
                let to = new_op
                    .channel
                    .map(|c| old_channel_name.get(c).copied().unwrap_or(c))
                    .unwrap_or("none");
                self.push(
                    rules::OPERATION_CHANNEL_CHANGED,
                    &element,
                    format!(
                        "{} moved from channel {} to channel {to}",
                        describe(id, op),
                        op.channel.unwrap_or("none")
                    ),
                    Some(op.at),
                    Some(new_op.at),
                );
            }
            if !op.deprecated && new_op.deprecated {
                self.push(
                    rules::OPERATION_DEPRECATED,
                    &element,
                    format!("{} deprecated", describe(id, op)),
                    Some(op.at),
                    Some(new_op.at),
                );
            }
        }
        let matched: BTreeSet<&str> = partner.values().copied().collect();
        for (id, op) in &new.operations {
            if matched.contains(id.as_str()) {
                continue;
            }
            let old_channel = op.channel.and_then(|c| old_channel_name.get(c).copied());
            if op.channel.is_some() && old_channel.is_none() {
                continue; // on a new channel, whose addition says it
            }
            let on = old_channel.map_or(String::new(), |c| format!(" to channel {c}"));
            self.push(
                rules::OPERATION_ADDED,
                &element(old_channel, id),
                format!("{} added{on}", describe(id, op)),
                old_channel.map(|c| old.channels[c].at),
                Some(op.at),
            );
        }
    }
}

fn describe(id: &str, op: &Operation<'_>) -> String {
    if op.named {
        format!("operation `{id}` ({})", op.keyword)
    } else {
        format!("{} operation", op.keyword)
    }
}

/// ` (address `order-events`)` when a channel's address is not its name.
fn address_note(name: &str, ch: &Channel<'_>) -> String {
    match ch.address {
        Some(address) if address != name => format!(" (address `{address}`)"),
        _ => String::new(),
    }
}

/// Why a change breaks new consumers reading old messages.
fn backward_reason(kind: Kind) -> &'static str {
    match kind {
        Kind::TypeChanged => "old messages hold the old type, which new consumers reject",
        Kind::NullableRemoved => "old messages may hold null",
        Kind::FormatChanged => "old messages use the old format",
        Kind::EnumValueRemoved => "old messages may still carry it",
        Kind::ConstraintNarrowed => "old messages may not satisfy it",
        Kind::PropertyAddedRequired => "old messages lack it",
        Kind::PropertyBecameRequired => "old messages may lack it",
        Kind::PropertyRemoved => {
            "old messages carry it and the new schema allows no additional properties"
        }
        _ => "new consumers may reject old messages",
    }
}

/// Why a change breaks old consumers reading new messages.
fn forward_reason(kind: Kind) -> &'static str {
    match kind {
        Kind::TypeChanged => "new messages hold a type old consumers reject",
        Kind::NullableAdded => "old consumers do not expect null",
        Kind::FormatChanged => "old consumers parse the old format",
        Kind::EnumValueAdded => "old consumers do not know it",
        Kind::ConstraintWidened => "new messages may exceed what old consumers accept",
        Kind::PropertyRemoved => "old consumers still read it",
        Kind::PropertyBecameOptional => "old consumers expect it in every message",
        Kind::PropertyAddedRequired | Kind::PropertyAddedOptional => {
            "old consumers allow no additional properties"
        }
        _ => "old consumers may reject new messages",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Diff;

    fn diff_paths(old: &Path, new: &Path) -> Result<Diff, ContractErrors> {
        let today = jiff::civil::date(2026, 11, 30);
        crate::contract::diff_as::<AsyncApi>(old, new, &crate::contract::DiffOptions::new(today))
    }

    #[test]
    fn compatibility_modes_parse_in_both_spellings() {
        for (text, mode) in [
            ("backward", Compatibility::Backward),
            ("forward", Compatibility::Forward),
            ("full", Compatibility::Full),
            ("none", Compatibility::None),
            ("BACKWARD", Compatibility::Backward),
            ("FORWARD", Compatibility::Forward),
            ("FULL", Compatibility::Full),
            ("NONE", Compatibility::None),
            ("BACKWARD_TRANSITIVE", Compatibility::Backward),
            ("FORWARD_TRANSITIVE", Compatibility::Forward),
            ("FULL_TRANSITIVE", Compatibility::Full),
            ("full-transitive", Compatibility::Full),
            (" Forward ", Compatibility::Forward),
        ] {
            assert_eq!(Compatibility::parse(text), Some(mode), "{text}");
        }
        for text in ["", "backwards", "NONE_TRANSITIVE_X", "transitive", "true"] {
            assert_eq!(Compatibility::parse(text), None, "{text}");
        }
    }

    #[test]
    fn modes_guarantee_what_their_names_say() {
        use Compatibility::*;
        let guarantees: Vec<(bool, bool)> = [Backward, Forward, Full, None]
            .iter()
            .map(|m| (m.backward(), m.forward()))
            .collect();
        assert_eq!(
            guarantees,
            [(true, false), (false, true), (true, true), (false, false)]
        );
        assert_eq!(mode(Option::None), Backward, "Confluent's default");
    }

    #[test]
    fn payload_rules_are_in_the_table() {
        assert!(RULES.iter().all(|r| r.id.starts_with("asyncapi.")));
        for rules in [&PAYLOAD_RULES.accept, &PAYLOAD_RULES.produce] {
            for id in [
                rules.type_changed,
                rules.nullable,
                rules.format_changed,
                rules.enum_value_added,
                rules.enum_value_removed,
                rules.constraint_narrowed,
                rules.constraint_widened,
                rules.property_removed,
                rules.property_added_required,
                rules.property_added_optional,
                rules.property_became_required,
                rules.property_became_optional,
                rules.property_deprecated,
            ] {
                assert!(RULES.contains(&id), "{} is not in RULES", id.id);
            }
        }
    }

    #[test]
    fn an_unknown_mode_is_an_error_where_it_is_declared() {
        let dir = tempfile::tempdir().unwrap();
        let spec = |mode: &str| {
            format!(
                "asyncapi: 2.6.0\ninfo: {{title: t, version: 1.0.0}}\nchannels:\n  orders:\n    x-compatibility: {mode}\n    subscribe:\n      message: {{name: OrderPlaced, payload: {{type: object}}}}\n"
            )
        };
        let (old, new) = (dir.path().join("old.yaml"), dir.path().join("new.yaml"));
        std::fs::write(&old, spec("FORWARD_TRANSITIVE")).unwrap();
        std::fs::write(&new, spec("backwards")).unwrap();
        let errors = diff_paths(&old, &new).unwrap_err().errors;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].code, Code::InvalidValue);
        assert_eq!(
            (errors[0].location.line, errors[0].location.column),
            (5, 22)
        );
        assert!(errors[0].message.contains("`x-compatibility: backwards`"));
        std::fs::write(&new, spec("full")).unwrap();
        let diff = diff_paths(&old, &new).unwrap();
        assert_eq!(
            diff.changes.iter().map(|c| c.rule).collect::<Vec<_>>(),
            [rules::MESSAGE_COMPATIBILITY_TIGHTENED]
        );
    }

    #[test]
    fn addresses_compare_with_parameters_unnamed() {
        assert_eq!(
            crate::contract::normalize_template("users/{userId}/signup"),
            crate::contract::normalize_template("users/{id}/signup")
        );
        assert_ne!(
            crate::contract::normalize_template("order-events"),
            crate::contract::normalize_template("orders")
        );
    }

    #[test]
    fn only_json_schema_dialects_are_compared() {
        assert!(is_json_schema(
            "application/vnd.aai.asyncapi+yaml;version=2.6.0"
        ));
        assert!(is_json_schema("application/schema+json;version=draft-07"));
        assert!(is_json_schema("application/vnd.oai.openapi;version=3.0.0"));
        assert!(!is_json_schema("application/vnd.apache.avro;version=1.9.0"));
        assert!(!is_json_schema("application/vnd.google.protobuf;version=3"));
    }
}
