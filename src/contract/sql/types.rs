//! Types: a column type reduced to what decides compatibility, and how two of them compare.

use sqlparser::ast::{CharacterLength, DataType, EnumMember, ExactNumberInfo, TimezoneInfo};

use super::ast::object_name;

/// A column type reduced to what decides compatibility: its family and capacity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum ColumnType {
    Int {
        bytes: u8,
        unsigned: bool,
    },
    /// `numeric(p, s)`; no precision is unbounded.
    Decimal {
        precision: Option<u64>,
        scale: u64,
    },
    Float {
        bytes: u8,
    },
    /// Character strings; no length is unbounded.
    Text {
        max: Option<u64>,
    },
    Bytes {
        max: Option<u64>,
    },
    Bool,
    Date,
    Time {
        tz: bool,
        precision: u64,
    },
    Timestamp {
        tz: bool,
        precision: u64,
    },
    Interval,
    Uuid,
    Json {
        binary: bool,
    },
    /// An inline enum (MySQL `enum('a','b')`).
    Enum(Vec<String>),
    Array(Box<ColumnType>),
    /// A user-defined type (a PostgreSQL enum by name) or one ripple does not size.
    Named(String),
}

/// How a column's type changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TypeCompatibility {
    Same,
    Widened,
    Narrowed,
    Changed,
}

/// PostgreSQL's serial pseudo-types: an integer with a sequence default.
pub(super) fn serial_bytes(name: &str) -> Option<u8> {
    match name {
        "smallserial" | "serial2" => Some(2),
        "serial" | "serial4" => Some(4),
        "bigserial" | "serial8" => Some(8),
        _ => None,
    }
}

impl ColumnType {
    /// The type a column declared as `dt` holds; `mysql` for MySQL's sizes.
    pub(super) fn from_data_type(dt: &DataType, mysql: bool) -> ColumnType {
        use DataType as D;
        let int = |bytes, unsigned| ColumnType::Int { bytes, unsigned };
        let decimal = |info: &ExactNumberInfo| match *info {
            ExactNumberInfo::None if mysql => ColumnType::Decimal {
                precision: Some(10),
                scale: 0,
            },
            ExactNumberInfo::None => ColumnType::Decimal {
                precision: None,
                scale: 0,
            },
            ExactNumberInfo::Precision(p) => ColumnType::Decimal {
                precision: Some(p),
                scale: 0,
            },
            ExactNumberInfo::PrecisionAndScale(p, s) => ColumnType::Decimal {
                precision: Some(p),
                scale: u64::try_from(s).unwrap_or(0),
            },
        };
        let chars = |len: &Option<CharacterLength>, default: Option<u64>| match len {
            Some(CharacterLength::IntegerLength { length, .. }) => {
                ColumnType::Text { max: Some(*length) }
            }
            Some(CharacterLength::Max) => ColumnType::Text { max: None },
            None => ColumnType::Text { max: default },
        };
        let tz =
            |info: &TimezoneInfo| matches!(info, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz);
        match dt {
            D::TinyInt(_) => int(1, false),
            D::TinyIntUnsigned(_) | D::UTinyInt | D::UInt8 => int(1, true),
            D::Int2(_) | D::SmallInt(_) | D::Int16 => int(2, false),
            D::Int2Unsigned(_) | D::SmallIntUnsigned(_) | D::USmallInt | D::UInt16 => int(2, true),
            D::MediumInt(_) => int(3, false),
            D::MediumIntUnsigned(_) => int(3, true),
            D::Int(_) | D::Int4(_) | D::Integer(_) | D::Int32 | D::Signed | D::SignedInteger => {
                int(4, false)
            }
            D::IntUnsigned(_)
            | D::Int4Unsigned(_)
            | D::IntegerUnsigned(_)
            | D::UInt32
            | D::Unsigned
            | D::UnsignedInteger => int(4, true),
            D::BigInt(_) | D::Int8(_) | D::Int64 => int(8, false),
            D::BigIntUnsigned(_) | D::UBigInt | D::Int8Unsigned(_) | D::UInt64 => int(8, true),
            D::Int128 | D::HugeInt => int(16, false),
            D::UInt128 | D::UHugeInt => int(16, true),
            D::Int256 => int(32, false),
            D::UInt256 => int(32, true),
            D::Numeric(info)
            | D::Decimal(info)
            | D::DecimalUnsigned(info)
            | D::BigNumeric(info)
            | D::BigDecimal(info)
            | D::Dec(info)
            | D::DecUnsigned(info) => decimal(info),
            // PostgreSQL: `float(p)` is single precision up to 24 bits, `float` is double. MySQL:
            // `float` is single, `real` is double.
            D::Float(info) | D::FloatUnsigned(info) => match info {
                ExactNumberInfo::Precision(p) | ExactNumberInfo::PrecisionAndScale(p, _) => {
                    ColumnType::Float {
                        bytes: if *p <= 24 { 4 } else { 8 },
                    }
                }
                ExactNumberInfo::None => ColumnType::Float {
                    bytes: if mysql { 4 } else { 8 },
                },
            },
            D::Real | D::RealUnsigned => ColumnType::Float {
                bytes: if mysql { 8 } else { 4 },
            },
            D::Float4 | D::Float32 => ColumnType::Float { bytes: 4 },
            D::Double(_)
            | D::DoubleUnsigned(_)
            | D::DoublePrecision
            | D::DoublePrecisionUnsigned
            | D::Float8
            | D::Float64 => ColumnType::Float { bytes: 8 },
            D::Character(len) | D::Char(len) => chars(len, Some(1)),
            D::CharacterVarying(len) | D::CharVarying(len) | D::Varchar(len) | D::Nvarchar(len) => {
                chars(len, None)
            }
            D::Text => ColumnType::Text {
                max: if mysql { Some(65_535) } else { None },
            },
            D::TinyText => ColumnType::Text { max: Some(255) },
            D::MediumText => ColumnType::Text {
                max: Some(16_777_215),
            },
            D::LongText => ColumnType::Text {
                max: Some(4_294_967_295),
            },
            D::String(len) => ColumnType::Text { max: *len },
            D::Clob(_) | D::CharacterLargeObject(_) | D::CharLargeObject(_) => {
                ColumnType::Text { max: None }
            }
            D::Uuid => ColumnType::Uuid,
            D::Binary(len) => ColumnType::Bytes {
                max: Some(len.unwrap_or(1)),
            },
            D::Varbinary(_) | D::Bytea => ColumnType::Bytes { max: None },
            D::Blob(len) => ColumnType::Bytes {
                max: Some(len.unwrap_or(65_535)),
            },
            D::TinyBlob => ColumnType::Bytes { max: Some(255) },
            D::MediumBlob => ColumnType::Bytes {
                max: Some(16_777_215),
            },
            D::LongBlob => ColumnType::Bytes {
                max: Some(4_294_967_295),
            },
            D::Bytes(len) => ColumnType::Bytes { max: *len },
            D::Bool | D::Boolean => ColumnType::Bool,
            D::Date | D::Date32 => ColumnType::Date,
            D::Time(p, info) => ColumnType::Time {
                tz: tz(info),
                precision: p.unwrap_or(if mysql { 0 } else { 6 }),
            },
            D::Timestamp(p, info) => ColumnType::Timestamp {
                tz: tz(info),
                precision: p.unwrap_or(if mysql { 0 } else { 6 }),
            },
            D::Datetime(p) => ColumnType::Timestamp {
                tz: false,
                precision: p.unwrap_or(0),
            },
            D::TimestampNtz(p) => ColumnType::Timestamp {
                tz: false,
                precision: p.unwrap_or(6),
            },
            D::Datetime64(p, _) => ColumnType::Timestamp {
                tz: false,
                precision: *p,
            },
            D::Interval { .. } => ColumnType::Interval,
            D::JSON => ColumnType::Json { binary: false },
            D::JSONB => ColumnType::Json { binary: true },
            D::Enum(members, _) => ColumnType::Enum(
                members
                    .iter()
                    .map(|m| match m {
                        EnumMember::Name(s) | EnumMember::NamedValue(s, _) => s.clone(),
                    })
                    .collect(),
            ),
            D::Array(elem) => {
                use sqlparser::ast::ArrayElemTypeDef as A;
                match elem {
                    A::AngleBracket(t)
                    | A::SquareBracket(t, _)
                    | A::Parenthesis(t)
                    | A::Qualified(t, _) => {
                        ColumnType::Array(Box::new(ColumnType::from_data_type(t, mysql)))
                    }
                    A::None => ColumnType::Array(Box::new(ColumnType::Named(String::new()))),
                }
            }
            D::Custom(name, modifiers) => {
                let name = object_name(name);
                if let Some(bytes) = serial_bytes(&name) {
                    return int(bytes, false);
                }
                if modifiers.is_empty() {
                    ColumnType::Named(name)
                } else {
                    ColumnType::Named(format!("{name}({})", modifiers.join(",")))
                }
            }
            other => ColumnType::Named(other.to_string().to_lowercase()),
        }
    }
}

/// The number of decimal digits every value of an integer type needs: all numbers of one digit
/// fewer fit in it.
fn int_digits(bytes: u8, unsigned: bool) -> u64 {
    match (bytes, unsigned) {
        (1, _) => 3,
        (2, _) => 5,
        (3, false) => 7,
        (3, true) => 8,
        (4, _) => 10,
        (8, false) => 19,
        (8, true) => 20,
        (16, _) => 39,
        _ => 78,
    }
}

/// Whether every value of type `from` is a value of type `to`, unchanged.
pub(super) fn accepts(to: &ColumnType, from: &ColumnType) -> bool {
    fn cap(max: Option<u64>) -> u64 {
        max.unwrap_or(u64::MAX)
    }
    match (to, from) {
        (
            ColumnType::Int {
                bytes: a,
                unsigned: ua,
            },
            ColumnType::Int {
                bytes: b,
                unsigned: ub,
            },
        ) => match (ua, ub) {
            (false, false) | (true, true) => a >= b,
            (false, true) => a > b,
            (true, false) => false,
        },
        (
            ColumnType::Decimal {
                precision: pa,
                scale: sa,
            },
            ColumnType::Decimal {
                precision: pb,
                scale: sb,
            },
        ) => match (pa, pb) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(pa), Some(pb)) => {
                sa >= sb && i128::from(*pa) - i128::from(*sa) >= i128::from(*pb) - i128::from(*sb)
            }
        },
        (ColumnType::Decimal { precision, scale }, ColumnType::Int { bytes, unsigned }) => {
            precision.is_none_or(|p| {
                i128::from(p) - i128::from(*scale) >= i128::from(int_digits(*bytes, *unsigned))
            })
        }
        (
            ColumnType::Int { bytes, unsigned },
            ColumnType::Decimal {
                precision: Some(p),
                scale: 0,
            },
        ) => !unsigned && *p < int_digits(*bytes, false),
        // A float holds integers exactly up to its mantissa: 24 bits single, 53 double.
        (ColumnType::Float { bytes: f }, ColumnType::Int { bytes, .. }) => {
            if *f >= 8 {
                *bytes <= 4
            } else {
                *bytes <= 2
            }
        }
        (ColumnType::Float { bytes: a }, ColumnType::Float { bytes: b }) => a >= b,
        (ColumnType::Text { max: a }, ColumnType::Text { max: b })
        | (ColumnType::Bytes { max: a }, ColumnType::Bytes { max: b }) => cap(*a) >= cap(*b),
        (
            ColumnType::Timestamp {
                tz: ta,
                precision: pa,
            },
            ColumnType::Timestamp {
                tz: tb,
                precision: pb,
            },
        )
        | (
            ColumnType::Time {
                tz: ta,
                precision: pa,
            },
            ColumnType::Time {
                tz: tb,
                precision: pb,
            },
        ) => pa >= pb && (*ta || !*tb),
        (ColumnType::Json { .. }, ColumnType::Json { .. }) => true,
        (ColumnType::Enum(a), ColumnType::Enum(b)) => b.iter().all(|v| a.contains(v)),
        (ColumnType::Array(a), ColumnType::Array(b)) => accepts(a, b),
        (a, b) => a == b,
    }
}

/// Types whose values convert into each other, some with loss: a change within a family that
/// loses values is a narrowing, across families an incompatible change.
pub(super) fn type_family(t: &ColumnType) -> u8 {
    match t {
        ColumnType::Int { .. } | ColumnType::Decimal { .. } | ColumnType::Float { .. } => 1,
        ColumnType::Text { .. } => 2,
        ColumnType::Bytes { .. } => 3,
        ColumnType::Timestamp { .. } => 4,
        ColumnType::Time { .. } => 5,
        ColumnType::Json { .. } => 6,
        ColumnType::Enum(_) => 7,
        ColumnType::Array(inner) => 100 + type_family(inner),
        _ => 0,
    }
}

pub(super) fn compare_types(old: &ColumnType, new: &ColumnType) -> TypeCompatibility {
    if old == new {
        return TypeCompatibility::Same;
    }
    if accepts(new, old) {
        TypeCompatibility::Widened
    } else if accepts(old, new) || (type_family(old) != 0 && type_family(old) == type_family(new)) {
        TypeCompatibility::Narrowed
    } else {
        TypeCompatibility::Changed
    }
}
