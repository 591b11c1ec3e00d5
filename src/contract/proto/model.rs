//! The model of one side: every declaration of a module's files, by full name, with where it is.

use std::collections::{BTreeMap, BTreeSet};

use super::positions::ReservedStatement;
use super::rules;
use crate::contract::Rule;
use crate::source::diagnostic::Location;

/// One side of a protobuf comparison: every declaration of its files, by full name (without the
/// leading dot).
pub struct Module {
    /// Package → where it is first declared.
    pub(super) packages: BTreeMap<String, Location>,
    pub(super) messages: BTreeMap<String, Message>,
    pub(super) enums: BTreeMap<String, Enum>,
    pub(super) services: BTreeMap<String, Service>,
}

pub(super) struct Message {
    pub(super) package: String,
    /// The message this one is nested in.
    pub(super) parent: Option<String>,
    pub(super) at: Location,
    pub(super) deprecated: bool,
    pub(super) fields: Vec<Field>,
    pub(super) reserved: Reserved,
}

/// The rules of a removed field or enum value.
pub(super) struct MemberRemoval {
    pub(super) noun: &'static str,
    pub(super) reused: &'static Rule,
    pub(super) reserved: &'static Rule,
    pub(super) unreserved: &'static Rule,
}

pub(super) const FIELD_REMOVAL: MemberRemoval = MemberRemoval {
    noun: "field",
    reused: rules::FIELD_NUMBER_REUSED,
    reserved: rules::FIELD_REMOVED_RESERVED,
    unreserved: rules::FIELD_REMOVED_WITHOUT_RESERVE,
};

pub(super) const VALUE_REMOVAL: MemberRemoval = MemberRemoval {
    noun: "enum value",
    reused: rules::ENUM_VALUE_NUMBER_REUSED,
    reserved: rules::ENUM_VALUE_REMOVED_RESERVED,
    unreserved: rules::ENUM_VALUE_REMOVED_WITHOUT_RESERVE,
};

/// The rules of one kind of declaration's lifecycle.
pub(super) struct Lifecycle {
    pub(super) noun: &'static str,
    pub(super) removed: &'static Rule,
    pub(super) deprecated: &'static Rule,
    pub(super) added: &'static Rule,
}

/// What messages and enums share: where they are and whether they are deprecated.
pub(super) trait Declaration {
    fn package(&self) -> &str;
    fn parent(&self) -> Option<&str>;
    fn at(&self) -> &Location;
    fn deprecated(&self) -> bool;
}

macro_rules! impl_declaration {
    ($($t:ty),*) => {$(
        impl Declaration for $t {
            fn package(&self) -> &str {
                &self.package
            }
            fn parent(&self) -> Option<&str> {
                self.parent.as_deref()
            }
            fn at(&self) -> &Location {
                &self.at
            }
            fn deprecated(&self) -> bool {
                self.deprecated
            }
        }
    )*};
}

impl_declaration!(Message, Enum);

pub(super) struct Field {
    pub(super) name: String,
    pub(super) number: i32,
    pub(super) ty: FieldType,
    pub(super) label: FieldLabel,
    /// The oneof the field belongs to; not the synthetic one of a proto3 `optional` field.
    pub(super) oneof: Option<String>,
    pub(super) json_name: String,
    pub(super) deprecated: bool,
    pub(super) at: Location,
}

/// A field's cardinality and presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FieldLabel {
    /// proto3 singular scalar: no presence, the zero value is not sent.
    Implicit,
    /// Explicit presence: proto2 `optional`, proto3 `optional`, messages, oneof members.
    Optional,
    Required,
    Repeated,
    Map,
}

impl FieldLabel {
    pub(super) fn cardinality(self) -> &'static str {
        match self {
            FieldLabel::Implicit | FieldLabel::Optional => "singular",
            FieldLabel::Required => "required",
            FieldLabel::Repeated => "repeated",
            FieldLabel::Map => "map",
        }
    }
}

/// A field's type, with message and enum names fully qualified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum FieldType {
    Scalar(Scalar),
    Message(String),
    Enum(String),
    /// A proto2 group: a message with its own wire encoding.
    Group(String),
    Map(Box<FieldType>, Box<FieldType>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scalar {
    Double,
    Float,
    Int32,
    Int64,
    Uint32,
    Uint64,
    Sint32,
    Sint64,
    Fixed32,
    Fixed64,
    Sfixed32,
    Sfixed64,
    Bool,
    String,
    Bytes,
}

impl Scalar {
    pub(super) fn name(self) -> &'static str {
        match self {
            Scalar::Double => "double",
            Scalar::Float => "float",
            Scalar::Int32 => "int32",
            Scalar::Int64 => "int64",
            Scalar::Uint32 => "uint32",
            Scalar::Uint64 => "uint64",
            Scalar::Sint32 => "sint32",
            Scalar::Sint64 => "sint64",
            Scalar::Fixed32 => "fixed32",
            Scalar::Fixed64 => "fixed64",
            Scalar::Sfixed32 => "sfixed32",
            Scalar::Sfixed64 => "sfixed64",
            Scalar::Bool => "bool",
            Scalar::String => "string",
            Scalar::Bytes => "bytes",
        }
    }
}

impl std::fmt::Display for FieldType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldType::Scalar(s) => f.write_str(s.name()),
            FieldType::Message(name) | FieldType::Enum(name) => f.write_str(name),
            FieldType::Group(name) => write!(f, "group {name}"),
            FieldType::Map(k, v) => write!(f, "map<{k}, {v}>"),
        }
    }
}

/// Whether values of type `a` on the wire parse as type `b`, per the protobuf language guide's
/// compatibility list: int32, uint32, int64, uint64 and bool; an enum with those integers (not
/// bool) and other enums; sint32 and sint64; fixed32 and sfixed32; fixed64 and sfixed64; string
/// and bytes; an embedded message and bytes. Map keys and values compare the same way.
pub(super) fn wire_compatible(a: &FieldType, b: &FieldType) -> bool {
    use Scalar::*;
    fn varint(t: &FieldType) -> bool {
        matches!(t, FieldType::Scalar(Int32 | Int64 | Uint32 | Uint64 | Bool))
    }
    fn enum_int(t: &FieldType) -> bool {
        matches!(
            t,
            FieldType::Enum(_) | FieldType::Scalar(Int32 | Int64 | Uint32 | Uint64)
        )
    }
    fn length_delimited(t: &FieldType) -> bool {
        matches!(t, FieldType::Scalar(String | Bytes))
    }
    if a == b {
        return true;
    }
    match (a, b) {
        (FieldType::Map(ka, va), FieldType::Map(kb, vb)) => {
            wire_compatible(ka, kb) && wire_compatible(va, vb)
        }
        (FieldType::Scalar(Sint32 | Sint64), FieldType::Scalar(Sint32 | Sint64))
        | (FieldType::Scalar(Fixed32 | Sfixed32), FieldType::Scalar(Fixed32 | Sfixed32))
        | (FieldType::Scalar(Fixed64 | Sfixed64), FieldType::Scalar(Fixed64 | Sfixed64))
        | (FieldType::Message(_), FieldType::Scalar(Bytes))
        | (FieldType::Scalar(Bytes), FieldType::Message(_)) => true,
        _ => {
            (varint(a) && varint(b))
                || (enum_int(a) && enum_int(b))
                || (length_delimited(a) && length_delimited(b))
        }
    }
}

/// Reserved numbers and names, and where each `reserved` statement is.
#[derive(Default)]
pub(super) struct Reserved {
    /// Inclusive ranges.
    pub(super) numbers: Vec<(i64, i64)>,
    pub(super) names: BTreeSet<String>,
    pub(super) statements: Vec<ReservedStatement>,
}

impl Reserved {
    pub(super) fn has_number(&self, n: i32) -> bool {
        let n = i64::from(n);
        self.numbers.iter().any(|&(lo, hi)| lo <= n && n <= hi)
    }

    /// The `reserved` statement that reserves `n`.
    pub(super) fn statement(&self, n: i32) -> Option<&Location> {
        let n = i64::from(n);
        self.statements
            .iter()
            .find(|s| s.ranges.iter().any(|&(lo, hi)| lo <= n && n <= hi))
            .map(|s| &s.at)
    }
}

pub(super) struct Enum {
    pub(super) package: String,
    pub(super) parent: Option<String>,
    pub(super) at: Location,
    pub(super) deprecated: bool,
    pub(super) values: Vec<EnumValue>,
    pub(super) reserved: Reserved,
}

pub(super) struct EnumValue {
    pub(super) name: String,
    pub(super) number: i32,
    pub(super) deprecated: bool,
    pub(super) at: Location,
}

pub(super) struct Service {
    pub(super) package: String,
    pub(super) at: Location,
    pub(super) deprecated: bool,
    pub(super) rpcs: BTreeMap<String, Rpc>,
}

pub(super) struct Rpc {
    pub(super) request: String,
    pub(super) response: String,
    pub(super) client_streaming: bool,
    pub(super) server_streaming: bool,
    pub(super) deprecated: bool,
    pub(super) at: Location,
}

impl Rpc {
    pub(super) fn streaming(&self) -> &'static str {
        match (self.client_streaming, self.server_streaming) {
            (false, false) => "unary",
            (true, false) => "client streaming",
            (false, true) => "server streaming",
            (true, true) => "bidirectional streaming",
        }
    }
}
