//! Protocol Buffers: packages, services and their rpcs, messages and their fields, enums and their
//! values, read from one `.proto` file or a directory of them (a module, whose imports resolve
//! from the directory as include root).
//!
//! `protobuf-parse`'s pure-Rust parser checks each side and turns it into descriptors, so every
//! type a field or rpc names is fully qualified. The parser keeps no source positions, so a small
//! scanner of our own (`scan`) finds where each element is declared; it runs only on files the
//! parser accepted, so it can be lenient.
//!
//! Classification follows buf's categories. A change that breaks the binary encoding (a field
//! number reused, a type with another wire encoding) is breaking; so is one that keeps the
//! encoding but breaks JSON or the generated code that consumers compile today (a rename, a
//! wire-compatible type change, presence, a oneof move) — buf's default FILE category, because a
//! consumer that cannot rebuild is broken. One exception: deleting a field or enum value while
//! reserving its number is protobuf's sanctioned way to delete; running binaries keep
//! interoperating (buf's WIRE and WIRE_JSON accept it), and code that still names the element
//! fails only when regenerated, so it is non-breaking.
//!
//! Elements are named as consumers list them in `uses`: `inventory.v1.InventoryService/Reserve`
//! for rpcs, `inventory.v1.StockLevel` for messages, `inventory.v1.StockLevel.sku` for fields,
//! `inventory.v1.StockState.STOCK_STATE_LOW` for enum values. This module knows nothing of
//! consumers; since consumers mostly list rpcs, a breaking change to a message or enum says in
//! its message which rpcs of the old contract carry it.
//!
//! Locations: a change points at the element on each side where it exists. A field, enum value
//! or rpc that was added or removed points at its message, enum or service on the other side (at
//! the `reserved` statement when its number was reserved); a message, enum or service that was
//! added or removed has no location on the other side.
//!
//! Not compared: extensions, file options (`go_package`, `java_package`), field defaults and
//! options other than `deprecated` and `json_name`, and editions syntax, which the parser does
//! not read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use protobuf::descriptor::field_descriptor_proto::{Label as ProtoLabel, Type as ProtoType};
use protobuf::descriptor::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
};

use super::{Change, Class, ContractErrors, Diff, Format, Rule};
use crate::source::diagnostic::{Code, Diagnostic, Location};

use super::rules::declare as rule;

use Class::{Breaking as B, Deprecation as D, NonBreaking as N};

/// Protobuf rules, sorted by id.
pub const RULES: &[Rule] = &[
    rule("protobuf.enum.added", N, "a new enum"),
    rule("protobuf.enum.deprecated", D, "an enum became deprecated"),
    rule(
        "protobuf.enum.removed",
        B,
        "an enum was removed or renamed; code that names it no longer compiles",
    ),
    rule(
        "protobuf.enum.value-added",
        N,
        "a new enum value; old readers keep it as an unknown value",
    ),
    rule(
        "protobuf.enum.value-deprecated",
        D,
        "an enum value became deprecated",
    ),
    rule(
        "protobuf.enum.value-number-changed",
        B,
        "an enum value kept its name but changed number; old and new binaries read each other's values as other values",
    ),
    rule(
        "protobuf.enum.value-number-reused",
        B,
        "an enum value takes a number the old enum reserved or gave another value; data written with the old value now reads as the new one",
    ),
    rule(
        "protobuf.enum.value-removed-reserved",
        N,
        "an enum value was removed and its number reserved; binaries still interoperate, and code naming the value breaks only when regenerated",
    ),
    rule(
        "protobuf.enum.value-removed-without-reserve",
        B,
        "an enum value was removed without reserving its number; code and JSON naming it break, and a later value may reuse the number",
    ),
    rule(
        "protobuf.enum.value-renamed",
        B,
        "an enum value changed name but kept its number; the binary encoding is unchanged, but JSON carries the name and generated code uses it",
    ),
    rule(
        "protobuf.field.added",
        N,
        "a new field; old readers skip it",
    ),
    rule(
        "protobuf.field.added-required",
        B,
        "a new proto2 required field; messages from old writers lack it and fail to parse",
    ),
    rule(
        "protobuf.field.cardinality-changed",
        B,
        "a field changed between singular, repeated, map and required; readers get other values and generated code changes",
    ),
    rule("protobuf.field.deprecated", D, "a field became deprecated"),
    rule(
        "protobuf.field.json-name-changed",
        B,
        "a field's JSON name changed (`json_name`); JSON writers and readers disagree",
    ),
    rule(
        "protobuf.field.number-changed",
        B,
        "a field kept its name but changed number; old and new binaries drop or misread each other's value",
    ),
    rule(
        "protobuf.field.number-reused",
        B,
        "a field number that the old version reserved or gave another field is used by a different field; data from old binaries is misread",
    ),
    rule(
        "protobuf.field.oneof-changed",
        B,
        "a field moved into, out of or between oneofs; setting a member now clears others, and generated code changes",
    ),
    rule(
        "protobuf.field.presence-changed",
        B,
        "a scalar field gained or lost explicit presence (proto3 `optional`); the encoding is unchanged, but generated code changes (has-accessors, Go pointers)",
    ),
    rule(
        "protobuf.field.removed-reserved",
        N,
        "a field was removed and its number reserved; binaries still interoperate, and code naming the field breaks only when regenerated",
    ),
    rule(
        "protobuf.field.removed-without-reserve",
        B,
        "a field was removed without reserving its number; readers lose it, and a later field may reuse the number and misread old data",
    ),
    rule(
        "protobuf.field.renamed",
        B,
        "a field changed name but kept its number; the binary encoding is unchanged, but JSON and generated code use the name",
    ),
    rule(
        "protobuf.field.type-changed",
        B,
        "a field's type changed to one with another wire encoding; old and new binaries cannot read each other's value",
    ),
    rule(
        "protobuf.field.type-changed-wire-compatible",
        B,
        "a field's type changed within a wire-compatible group (varints, zigzag, fixed, string and bytes); binaries still parse, but values may be truncated or reinterpreted, and JSON and generated code change",
    ),
    rule("protobuf.message.added", N, "a new message"),
    rule(
        "protobuf.message.deprecated",
        D,
        "a message became deprecated",
    ),
    rule(
        "protobuf.message.removed",
        B,
        "a message was removed or renamed; code and contracts that name it break",
    ),
    rule(
        "protobuf.package.removed",
        B,
        "a package was removed or renamed; the full name of every rpc and type in it changes, so every caller fails",
    ),
    rule("protobuf.rpc.added", N, "a new rpc"),
    rule("protobuf.rpc.deprecated", D, "an rpc became deprecated"),
    rule(
        "protobuf.rpc.removed",
        B,
        "an rpc was removed; its callers fail with UNIMPLEMENTED",
    ),
    rule(
        "protobuf.rpc.request-type-changed",
        B,
        "an rpc takes another request message; old callers send what the server no longer reads",
    ),
    rule(
        "protobuf.rpc.response-type-changed",
        B,
        "an rpc returns another response message; old callers cannot read it",
    ),
    rule(
        "protobuf.rpc.streaming-changed",
        B,
        "an rpc changed between unary, client, server and bidirectional streaming; old stubs call it the wrong way",
    ),
    rule("protobuf.service.added", N, "a new service"),
    rule(
        "protobuf.service.deprecated",
        D,
        "a service became deprecated",
    ),
    rule(
        "protobuf.service.removed",
        B,
        "a service was removed or renamed; every call to its rpcs fails",
    ),
];

/// Compare two protobuf contracts: `.proto` files, or directories of them.
pub fn diff_paths(old: &Path, new: &Path) -> Result<Diff, ContractErrors> {
    let (old_module, new_module) = super::both(Module::load(old), Module::load(new))?;
    let mut cx = Cx {
        old: &old_module,
        new: &new_module,
        changes: Vec::new(),
    };
    cx.compare();
    let mut changes = cx.changes;
    super::sort(&mut changes);
    Ok(Diff {
        format: Format::Protobuf,
        old: super::display(old).to_string(),
        new: super::display(new).to_string(),
        old_version: None,
        new_version: None,
        changes,
    })
}

// ---------------------------------------------------------------------------------------------
// The model of one side.

/// Every declaration of one side, by full name (without the leading dot).
struct Module {
    /// Package → where it is first declared.
    packages: BTreeMap<String, Location>,
    messages: BTreeMap<String, Message>,
    enums: BTreeMap<String, Enum>,
    services: BTreeMap<String, Service>,
}

struct Message {
    package: String,
    /// The message this one is nested in.
    parent: Option<String>,
    at: Location,
    deprecated: bool,
    fields: Vec<Field>,
    reserved: Reserved,
}

/// The rules of a removed field or enum value.
struct MemberRemoval {
    noun: &'static str,
    reused: &'static str,
    reserved: &'static str,
    unreserved: &'static str,
}

const FIELD_REMOVAL: MemberRemoval = MemberRemoval {
    noun: "field",
    reused: "protobuf.field.number-reused",
    reserved: "protobuf.field.removed-reserved",
    unreserved: "protobuf.field.removed-without-reserve",
};

const VALUE_REMOVAL: MemberRemoval = MemberRemoval {
    noun: "enum value",
    reused: "protobuf.enum.value-number-reused",
    reserved: "protobuf.enum.value-removed-reserved",
    unreserved: "protobuf.enum.value-removed-without-reserve",
};

/// The rules of one kind of declaration's lifecycle.
struct Lifecycle {
    noun: &'static str,
    removed: &'static str,
    deprecated: &'static str,
    added: &'static str,
}

/// What messages and enums share: where they are and whether they are deprecated.
trait Declared {
    fn package(&self) -> &str;
    fn parent(&self) -> Option<&str>;
    fn at(&self) -> &Location;
    fn deprecated(&self) -> bool;
}

macro_rules! declared {
    ($($t:ty),*) => {$(
        impl Declared for $t {
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

declared!(Message, Enum);

struct Field {
    name: String,
    number: i32,
    ty: Type,
    label: Label,
    /// The oneof the field belongs to; not the synthetic one of a proto3 `optional` field.
    oneof: Option<String>,
    json_name: String,
    deprecated: bool,
    at: Location,
}

/// A field's cardinality and presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    /// proto3 singular scalar: no presence, the zero value is not sent.
    Implicit,
    /// Explicit presence: proto2 `optional`, proto3 `optional`, messages, oneof members.
    Optional,
    Required,
    Repeated,
    Map,
}

impl Label {
    fn cardinality(self) -> &'static str {
        match self {
            Label::Implicit | Label::Optional => "singular",
            Label::Required => "required",
            Label::Repeated => "repeated",
            Label::Map => "map",
        }
    }
}

/// A field's type, with message and enum names fully qualified.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Type {
    Scalar(Scalar),
    Message(String),
    Enum(String),
    /// A proto2 group: a message with its own wire encoding.
    Group(String),
    Map(Box<Type>, Box<Type>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scalar {
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
    fn name(self) -> &'static str {
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

impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Type::Scalar(s) => f.write_str(s.name()),
            Type::Message(name) | Type::Enum(name) => f.write_str(name),
            Type::Group(name) => write!(f, "group {name}"),
            Type::Map(k, v) => write!(f, "map<{k}, {v}>"),
        }
    }
}

/// Whether values of type `a` on the wire parse as type `b`, per the protobuf language guide's
/// compatibility list: int32, uint32, int64, uint64 and bool; an enum with those integers (not
/// bool) and other enums; sint32 and sint64; fixed32 and sfixed32; fixed64 and sfixed64; string
/// and bytes; an embedded message and bytes. Map keys and values compare the same way.
fn wire_compatible(a: &Type, b: &Type) -> bool {
    use Scalar::*;
    fn varint(t: &Type) -> bool {
        matches!(t, Type::Scalar(Int32 | Int64 | Uint32 | Uint64 | Bool))
    }
    fn enum_int(t: &Type) -> bool {
        matches!(
            t,
            Type::Enum(_) | Type::Scalar(Int32 | Int64 | Uint32 | Uint64)
        )
    }
    fn length_delimited(t: &Type) -> bool {
        matches!(t, Type::Scalar(String | Bytes))
    }
    if a == b {
        return true;
    }
    match (a, b) {
        (Type::Map(ka, va), Type::Map(kb, vb)) => {
            wire_compatible(ka, kb) && wire_compatible(va, vb)
        }
        (Type::Scalar(Sint32 | Sint64), Type::Scalar(Sint32 | Sint64))
        | (Type::Scalar(Fixed32 | Sfixed32), Type::Scalar(Fixed32 | Sfixed32))
        | (Type::Scalar(Fixed64 | Sfixed64), Type::Scalar(Fixed64 | Sfixed64))
        | (Type::Message(_), Type::Scalar(Bytes))
        | (Type::Scalar(Bytes), Type::Message(_)) => true,
        _ => {
            (varint(a) && varint(b))
                || (enum_int(a) && enum_int(b))
                || (length_delimited(a) && length_delimited(b))
        }
    }
}

/// Reserved numbers and names, and where each `reserved` statement is.
#[derive(Default)]
struct Reserved {
    /// Inclusive ranges.
    numbers: Vec<(i64, i64)>,
    names: BTreeSet<String>,
    statements: Vec<ReservedAt>,
}

impl Reserved {
    fn has_number(&self, n: i32) -> bool {
        let n = i64::from(n);
        self.numbers.iter().any(|&(lo, hi)| lo <= n && n <= hi)
    }

    /// The `reserved` statement that reserves `n`.
    fn statement(&self, n: i32) -> Option<&Location> {
        let n = i64::from(n);
        self.statements
            .iter()
            .find(|s| s.ranges.iter().any(|&(lo, hi)| lo <= n && n <= hi))
            .map(|s| &s.at)
    }
}

struct Enum {
    package: String,
    parent: Option<String>,
    at: Location,
    deprecated: bool,
    values: Vec<Value>,
    reserved: Reserved,
}

struct Value {
    name: String,
    number: i32,
    deprecated: bool,
    at: Location,
}

struct Service {
    package: String,
    at: Location,
    deprecated: bool,
    rpcs: BTreeMap<String, Rpc>,
}

struct Rpc {
    request: String,
    response: String,
    client_streaming: bool,
    server_streaming: bool,
    deprecated: bool,
    at: Location,
}

impl Rpc {
    fn kind(&self) -> &'static str {
        match (self.client_streaming, self.server_streaming) {
            (false, false) => "unary",
            (true, false) => "client streaming",
            (false, true) => "server streaming",
            (true, true) => "bidirectional streaming",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Loading.

/// Files the protobuf parser provides itself when they are imported.
const BUILT_IN: &[&str] = &[
    "google/protobuf/any.proto",
    "google/protobuf/api.proto",
    "google/protobuf/descriptor.proto",
    "google/protobuf/duration.proto",
    "google/protobuf/empty.proto",
    "google/protobuf/field_mask.proto",
    "google/protobuf/source_context.proto",
    "google/protobuf/struct.proto",
    "google/protobuf/timestamp.proto",
    "google/protobuf/type.proto",
    "google/protobuf/wrappers.proto",
    "rustproto.proto",
];

/// The `.proto` files of one side, read and checked for syntax, with the files they import.
struct Sources {
    /// The include root: the directory, or a file's parent.
    root: PathBuf,
    /// Import path (relative to the root, `/`-separated) → file.
    files: BTreeMap<String, Source>,
    /// The import paths the contract consists of: a directory's files, or the one file.
    inputs: Vec<String>,
}

struct Source {
    display: Arc<str>,
    text: String,
}

impl Sources {
    fn read(path: &Path) -> Result<Sources, ContractErrors> {
        let listed = super::contract_files(path)?;
        let is_dir = path.is_dir();
        let root = if is_dir {
            path.to_path_buf()
        } else {
            match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        // A single file is imported by its name (`old.proto` has no `./` to strip from it).
        let inputs: Vec<(String, PathBuf)> = if is_dir {
            listed
                .into_iter()
                .filter(|f| f.extension().is_some_and(|e| e == "proto"))
                .filter_map(|f| Some((import_path(&root, &f)?, f)))
                .collect()
        } else {
            listed
                .into_iter()
                .filter_map(|f| Some((f.file_name()?.to_str()?.to_owned(), f)))
                .collect()
        };
        if inputs.is_empty() {
            return Err(Diagnostic::error(
                Code::UnknownFormat,
                Location::new(super::display(path), 0, 0),
                "no .proto files",
            )
            .into());
        }
        let mut sources = Sources {
            root,
            files: BTreeMap::new(),
            inputs: inputs.iter().map(|(rel, _)| rel.clone()).collect(),
        };
        let mut errors = Vec::new();
        let mut imports: BTreeMap<String, Vec<(String, Location)>> = BTreeMap::new();
        let mut queue = inputs;
        queue.reverse();
        let mut seen = BTreeSet::new();
        while let Some((rel, file)) = queue.pop() {
            if !seen.insert(rel.clone()) {
                continue;
            }
            let display = super::display(&file);
            let text = match crate::source::file::read_text(&file, Default::default()) {
                Ok(text) => text,
                Err(e) => {
                    errors.push(e.to_diagnostic(display));
                    continue;
                }
            };
            if let Err(e) = protobuf_parse::pure::parse_dependencies(&text) {
                errors.push(syntax_error(
                    &display,
                    &text,
                    e.line,
                    e.col,
                    &e.error.to_string(),
                ));
                continue;
            }
            let file_imports = scan(&text, "", display.clone()).imports;
            for (import, at) in &file_imports {
                let on_disk = sources.root.join(import);
                if on_disk.is_file() {
                    queue.push((import.clone(), on_disk));
                } else if !BUILT_IN.contains(&import.as_str()) {
                    errors.push(Diagnostic::error(
                        Code::DanglingReference,
                        at.clone(),
                        format!(
                            "import `{import}` not found: imports resolve from {}",
                            super::display(&sources.root)
                        ),
                    ));
                }
            }
            imports.insert(rel.clone(), file_imports);
            sources.files.insert(rel, Source { display, text });
        }
        // The parser recurses through imports without a guard: a cycle would overflow its stack.
        if errors.is_empty()
            && let Some(cycle) = import_cycle(&imports)
        {
            errors.push(cycle);
        }
        if errors.is_empty() {
            Ok(sources)
        } else {
            Err(ContractErrors { errors })
        }
    }

    /// Parse and type-check the inputs into descriptors (inputs and the files they import).
    fn parse(&self) -> Result<Vec<FileDescriptorProto>, ContractErrors> {
        let root = std::path::absolute(&self.root).map_err(|e| {
            Diagnostic::error(
                Code::Io,
                Location::new(super::display(&self.root), 0, 0),
                format!("cannot resolve the directory: {}", super::io_reason(&e)),
            )
        })?;
        let mut parser = protobuf_parse::Parser::new();
        parser.pure().include(&root);
        for rel in &self.inputs {
            parser.input(root.join(rel));
        }
        // The parser is documented as having no stable API and unwraps in places; a panic in it
        // must become a diagnostic, not end the run.
        match std::panic::catch_unwind(AssertUnwindSafe(|| parser.parse_and_typecheck())) {
            Ok(Ok(parsed)) => Ok(parsed.file_descriptors),
            Ok(Err(e)) => Err(self.semantic_error(&root, &e).into()),
            Err(_) => Err(Diagnostic::error(
                Code::Syntax,
                Location::new(super::display(&self.root), 0, 0),
                "the protobuf parser failed on these files",
            )
            .into()),
        }
    }

    /// A type-checking error (a type that is defined nowhere, a bad option), placed at the
    /// first mention of the name it is about.
    fn semantic_error(&self, root: &Path, e: &anyhow::Error) -> Diagnostic {
        let reason = e.root_cause().to_string();
        let file = e.chain().find_map(|c| {
            let s = c.to_string();
            let path = s.strip_prefix("error in `")?.split_once('`')?.0.to_owned();
            Some(path)
        });
        let source = file.as_deref().and_then(|f| {
            let rel = import_path(root, Path::new(f))?;
            self.files.get(&rel)
        });
        let Some(source) = source else {
            return Diagnostic::error(
                Code::Syntax,
                Location::new(super::display(&self.root), 0, 0),
                lower_first(&reason),
            );
        };
        let name = reason.split('`').nth(1).unwrap_or("");
        let at = tokens(&source.text)
            .into_iter()
            .find(|t| t.kind == Kind::Word && !name.is_empty() && t.text == name)
            .map_or(Location::new(source.display.clone(), 0, 0), |t| {
                Location::new(source.display.clone(), t.line, t.column)
            });
        if let Some(rest) = reason.strip_prefix("object is not found by path ") {
            let scope = rest
                .split('`')
                .nth(3)
                .map(|s| s.trim_start_matches('.'))
                .unwrap_or("");
            return Diagnostic::error(
                Code::DanglingReference,
                at,
                format!(
                    "type `{name}` is not defined (looked up from `{scope}`) in this file or its imports"
                ),
            );
        }
        Diagnostic::error(Code::Syntax, at, lower_first(&reason))
    }
}

/// The import path of `file` under `root`: relative, `/`-separated.
fn import_path(root: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(root).ok()?;
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The first import cycle among the files, reported at the import that closes it.
fn import_cycle(imports: &BTreeMap<String, Vec<(String, Location)>>) -> Option<Diagnostic> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit<'a>(
        file: &'a str,
        imports: &'a BTreeMap<String, Vec<(String, Location)>>,
        marks: &mut HashMap<&'a str, Mark>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Diagnostic> {
        marks.insert(file, Mark::Visiting);
        stack.push(file);
        for (import, at) in imports.get(file).into_iter().flatten() {
            match marks.get(import.as_str()) {
                Some(Mark::Visiting) => {
                    let start = stack.iter().position(|f| *f == import).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[start..].to_vec();
                    cycle.push(import);
                    return Some(Diagnostic::error(
                        Code::InvalidValue,
                        at.clone(),
                        format!("import cycle: {}", cycle.join(" -> ")),
                    ));
                }
                Some(Mark::Done) => {}
                None if imports.contains_key(import) => {
                    if let Some(d) = visit(import, imports, marks, stack) {
                        return Some(d);
                    }
                }
                None => {}
            }
        }
        stack.pop();
        marks.insert(file, Mark::Done);
        None
    }
    let mut marks = HashMap::new();
    for file in imports.keys() {
        if !marks.contains_key(file.as_str())
            && let Some(d) = visit(file, imports, &mut marks, &mut Vec::new())
        {
            return Some(d);
        }
    }
    None
}

/// A syntax error from the parser, said as what was expected and what was found.
fn syntax_error(file: &Arc<str>, text: &str, line: u32, column: u32, reason: &str) -> Diagnostic {
    let found = tokens(text)
        .into_iter()
        .find(|t| (t.line, t.column) >= (line, column))
        .map_or("end of file".to_owned(), |t| format!("`{}`", t.text));
    let message = if let Some((what, ch)) = reason
        .strip_prefix("While parsing ")
        .and_then(|r| r.split_once(", expecting char "))
    {
        format!("expected {ch} in {what}, found {found}")
    } else {
        match reason {
            "incorrect input" | "Incorrect input" => format!("unexpected {found}"),
            "Unexpected end of input" | "Unexpected EOF" => {
                "unexpected end of file: a block, statement or string is not closed".to_owned()
            }
            "unknown syntax" => "unknown syntax: expected \"proto2\" or \"proto3\"".to_owned(),
            "label not allowed" => format!(
                "label {found} not allowed here (proto3 has no `required`; oneof members take no label)"
            ),
            _ => format!(
                "{}, found {found}",
                lower_first(reason).replacen("expecting", "expected", 1)
            ),
        }
    };
    Diagnostic::error(
        Code::Syntax,
        Location::new(file.clone(), line, column),
        message,
    )
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Module {
    fn load(path: &Path) -> Result<Module, ContractErrors> {
        let sources = Sources::read(path)?;
        let descriptors = sources.parse()?;
        Module::build(&sources, &descriptors)
    }

    fn build(
        sources: &Sources,
        descriptors: &[FileDescriptorProto],
    ) -> Result<Module, ContractErrors> {
        let mut module = Module {
            packages: BTreeMap::new(),
            messages: BTreeMap::new(),
            enums: BTreeMap::new(),
            services: BTreeMap::new(),
        };
        // Map fields point at synthetic entry messages, which may live in any parsed file.
        let mut entries = HashMap::new();
        for file in descriptors {
            let package = file.package();
            for m in &file.message_type {
                collect_map_entries(&qualify(package, m.name()), m, &mut entries);
            }
        }
        let mut duplicates = Vec::new();
        for rel in &sources.inputs {
            let (Some(file), Some(source)) = (
                descriptors.iter().find(|d| d.name() == rel),
                sources.files.get(rel),
            ) else {
                continue;
            };
            let package = file.package().to_owned();
            let positions = scan(&source.text, &package, source.display.clone());
            let mut b = Builder {
                module: &mut module,
                positions: &positions,
                entries: &entries,
                proto3: file.syntax() == "proto3",
                package: &package,
                file_at: Location::new(source.display.clone(), 0, 0),
                duplicates: &mut duplicates,
            };
            let file_at = positions.package.clone().unwrap_or(b.file_at.clone());
            b.module.packages.entry(package.clone()).or_insert(file_at);
            for m in &file.message_type {
                b.message(m, None);
            }
            for e in &file.enum_type {
                b.enumeration(e, None);
            }
            for s in &file.service {
                let name = qualify(&package, s.name());
                let at = b.at(&name, None);
                let rpcs = s
                    .method
                    .iter()
                    .map(|m| {
                        let key = format!("{name}/{}", m.name());
                        let rpc = Rpc {
                            request: m.input_type().trim_start_matches('.').to_owned(),
                            response: m.output_type().trim_start_matches('.').to_owned(),
                            client_streaming: m.client_streaming(),
                            server_streaming: m.server_streaming(),
                            deprecated: m.options.deprecated(),
                            at: b.at(&key, Some(&at)),
                        };
                        (m.name().to_owned(), rpc)
                    })
                    .collect();
                let service = Service {
                    package: package.clone(),
                    at,
                    deprecated: s.options.deprecated(),
                    rpcs,
                };
                if b.first_definition(&name, &service.at) {
                    b.module.services.insert(name, service);
                }
            }
        }
        if duplicates.is_empty() {
            Ok(module)
        } else {
            Err(ContractErrors { errors: duplicates })
        }
    }
}

fn qualify(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn collect_map_entries(
    name: &str,
    m: &DescriptorProto,
    entries: &mut HashMap<String, (Type, Type)>,
) {
    if m.options.map_entry() {
        let find = |n: i32| {
            m.field
                .iter()
                .find(|f| f.number() == n)
                .map_or(Type::Scalar(Scalar::Bytes), plain_type)
        };
        entries.insert(name.to_owned(), (find(1), find(2)));
    }
    for nested in &m.nested_type {
        collect_map_entries(&qualify(name, nested.name()), nested, entries);
    }
}

/// A field's type, not looking through map entries.
fn plain_type(f: &FieldDescriptorProto) -> Type {
    let name = f.type_name().trim_start_matches('.').to_owned();
    let scalar = match f.type_() {
        ProtoType::TYPE_DOUBLE => Scalar::Double,
        ProtoType::TYPE_FLOAT => Scalar::Float,
        ProtoType::TYPE_INT64 => Scalar::Int64,
        ProtoType::TYPE_UINT64 => Scalar::Uint64,
        ProtoType::TYPE_INT32 => Scalar::Int32,
        ProtoType::TYPE_FIXED64 => Scalar::Fixed64,
        ProtoType::TYPE_FIXED32 => Scalar::Fixed32,
        ProtoType::TYPE_BOOL => Scalar::Bool,
        ProtoType::TYPE_STRING => Scalar::String,
        ProtoType::TYPE_BYTES => Scalar::Bytes,
        ProtoType::TYPE_UINT32 => Scalar::Uint32,
        ProtoType::TYPE_SFIXED32 => Scalar::Sfixed32,
        ProtoType::TYPE_SFIXED64 => Scalar::Sfixed64,
        ProtoType::TYPE_SINT32 => Scalar::Sint32,
        ProtoType::TYPE_SINT64 => Scalar::Sint64,
        ProtoType::TYPE_GROUP => return Type::Group(name),
        ProtoType::TYPE_MESSAGE => return Type::Message(name),
        ProtoType::TYPE_ENUM => return Type::Enum(name),
    };
    Type::Scalar(scalar)
}

/// Builds the module's view of one file.
struct Builder<'b> {
    module: &'b mut Module,
    positions: &'b Positions,
    entries: &'b HashMap<String, (Type, Type)>,
    proto3: bool,
    package: &'b str,
    file_at: Location,
    /// Names defined twice in the module (two files of one package, say).
    duplicates: &'b mut Vec<Diagnostic>,
}

impl Builder<'_> {
    /// Whether `name` is not defined yet; records a duplicate otherwise.
    fn first_definition(&mut self, name: &str, at: &Location) -> bool {
        let module = &self.module;
        let first = module
            .messages
            .get(name)
            .map(|m| &m.at)
            .or_else(|| module.enums.get(name).map(|e| &e.at))
            .or_else(|| module.services.get(name).map(|s| &s.at));
        let Some(first) = first else {
            return true;
        };
        self.duplicates.push(
            Diagnostic::error(
                Code::DuplicateId,
                at.clone(),
                format!("`{name}` is already defined"),
            )
            .with_related(first.clone(), "first defined here"),
        );
        false
    }

    /// Where `key` is declared, else where its parent is, else the file.
    fn at(&self, key: &str, parent: Option<&Location>) -> Location {
        self.positions
            .at
            .get(key)
            .or(parent)
            .unwrap_or(&self.file_at)
            .clone()
    }

    fn reserved(&self, key: &str, numbers: Vec<(i64, i64)>, names: &[String]) -> Reserved {
        Reserved {
            numbers,
            names: names.iter().cloned().collect(),
            statements: self
                .positions
                .reserved
                .get(key)
                .cloned()
                .unwrap_or_default(),
        }
    }

    fn message(&mut self, m: &DescriptorProto, parent: Option<&str>) {
        let name = qualify(parent.unwrap_or(self.package), m.name());
        if m.options.map_entry() {
            return;
        }
        let parent_at = parent.and_then(|p| self.module.messages.get(p).map(|m| m.at.clone()));
        let at = self.at(&name, parent_at.as_ref());
        let oneofs: Vec<&str> = m.oneof_decl.iter().map(|o| o.name()).collect();
        let fields = m
            .field
            .iter()
            .map(|f| self.field(&name, f, &oneofs, &at))
            .collect();
        let reserved = self.reserved(
            &name,
            m.reserved_range
                .iter()
                // Message ranges are end-exclusive.
                .map(|r| (i64::from(r.start()), i64::from(r.end()) - 1))
                .collect(),
            &m.reserved_name,
        );
        if !self.first_definition(&name, &at) {
            return;
        }
        self.module.messages.insert(
            name.clone(),
            Message {
                package: self.package.to_owned(),
                parent: parent.map(str::to_owned),
                at,
                deprecated: m.options.deprecated(),
                fields,
                reserved,
            },
        );
        for nested in &m.nested_type {
            self.message(nested, Some(&name));
        }
        for e in &m.enum_type {
            self.enumeration(e, Some(&name));
        }
    }

    fn field(
        &self,
        message: &str,
        f: &FieldDescriptorProto,
        oneofs: &[&str],
        message_at: &Location,
    ) -> Field {
        let mut ty = plain_type(f);
        let oneof = (f.has_oneof_index() && !f.proto3_optional())
            .then(|| oneofs.get(usize::try_from(f.oneof_index()).ok()?).copied())
            .flatten()
            .map(str::to_owned);
        let label = match f.label() {
            ProtoLabel::LABEL_REPEATED => {
                if let Type::Message(entry) = &ty
                    && let Some((k, v)) = self.entries.get(entry)
                {
                    ty = Type::Map(Box::new(k.clone()), Box::new(v.clone()));
                    Label::Map
                } else {
                    Label::Repeated
                }
            }
            ProtoLabel::LABEL_REQUIRED => Label::Required,
            ProtoLabel::LABEL_OPTIONAL => {
                let has_presence = !self.proto3
                    || f.proto3_optional()
                    || oneof.is_some()
                    || matches!(ty, Type::Message(_) | Type::Group(_));
                if has_presence {
                    Label::Optional
                } else {
                    Label::Implicit
                }
            }
        };
        Field {
            name: f.name().to_owned(),
            number: f.number(),
            ty,
            label,
            oneof,
            json_name: f.json_name().to_owned(),
            deprecated: f.options.deprecated(),
            at: self.at(&format!("{message}.{}", f.name()), Some(message_at)),
        }
    }

    fn enumeration(&mut self, e: &EnumDescriptorProto, parent: Option<&str>) {
        let name = qualify(parent.unwrap_or(self.package), e.name());
        let parent_at = parent.and_then(|p| self.module.messages.get(p).map(|m| m.at.clone()));
        let at = self.at(&name, parent_at.as_ref());
        let values = e
            .value
            .iter()
            .map(|v| Value {
                name: v.name().to_owned(),
                number: v.number(),
                deprecated: v.options.deprecated(),
                at: self.at(&format!("{name}.{}", v.name()), Some(&at)),
            })
            .collect();
        let reserved = self.reserved(
            &name,
            e.reserved_range
                .iter()
                // Enum ranges are inclusive.
                .map(|r| (i64::from(r.start()), i64::from(r.end())))
                .collect(),
            &e.reserved_name,
        );
        if !self.first_definition(&name, &at) {
            return;
        }
        self.module.enums.insert(
            name,
            Enum {
                package: self.package.to_owned(),
                parent: parent.map(str::to_owned),
                at,
                deprecated: e.options.deprecated(),
                values,
                reserved,
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Comparison.

struct Cx<'m> {
    old: &'m Module,
    new: &'m Module,
    changes: Vec<Change>,
}

impl Cx<'_> {
    fn push(
        &mut self,
        rule: &'static str,
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

    fn compare(&mut self) {
        self.packages();
        self.services();
        self.messages();
        self.enums();
        self.name_rpcs_reached();
    }

    /// A consumer's `uses` usually lists rpcs, while a field's change names the field: say
    /// which rpcs of the old contract carry the changed message or enum, so that a reader sees
    /// who is reached.
    fn name_rpcs_reached(&mut self) {
        let reach = Reach::of(self.old);
        for change in &mut self.changes {
            if change.class == Class::NonBreaking {
                continue;
            }
            let rule = change.rule;
            let owner = if rule.starts_with("protobuf.field.")
                || rule.starts_with("protobuf.enum.value-")
            {
                change.element.rsplit_once('.').map(|(owner, _)| owner)
            } else if rule.starts_with("protobuf.message.") || rule.starts_with("protobuf.enum.") {
                Some(change.element.as_str())
            } else {
                None
            };
            let Some(owner) = owner else { continue };
            let rpcs = reach.rpcs(owner);
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

    fn package_gone(&self, package: &str) -> bool {
        !self.new.packages.contains_key(package)
    }

    /// `package inventory.v1 removed (new: inventory.v2)`.
    fn package_removed(&self, package: &str) -> String {
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
    fn packages(&mut self) {
        for (package, at) in &self.old.packages {
            if !self.package_gone(package) {
                continue;
            }
            let empty = !self.old.services.values().any(|s| &s.package == package)
                && !self.old.messages.values().any(|m| &m.package == package)
                && !self.old.enums.values().any(|e| &e.package == package);
            if empty {
                let message = self.package_removed(package);
                self.push("protobuf.package.removed", package, message, Some(at), None);
            }
        }
    }

    fn services(&mut self) {
        let (old, new) = (self.old, self.new);
        for (name, s) in &old.services {
            let Some(ns) = new.services.get(name) else {
                let (rule, cause) = if self.package_gone(&s.package) {
                    ("protobuf.package.removed", self.package_removed(&s.package))
                } else {
                    let renamed: Vec<&str> = new
                        .services
                        .iter()
                        .filter(|(n, ns)| ns.package == s.package && !old.services.contains_key(*n))
                        .map(|(n, _)| n.as_str())
                        .collect();
                    let mut cause = format!("service {name} removed");
                    if !renamed.is_empty() {
                        cause.push_str(&format!(" (new: {})", renamed.join(", ")));
                    }
                    ("protobuf.service.removed", cause)
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
            if !s.deprecated && ns.deprecated {
                self.push(
                    "protobuf.service.deprecated",
                    name,
                    format!("service {name} deprecated"),
                    Some(&s.at),
                    Some(&ns.at),
                );
            }
            for (rpc, r) in &s.rpcs {
                let element = format!("{name}/{rpc}");
                match ns.rpcs.get(rpc) {
                    None => {
                        let mut message = format!("rpc {element} removed");
                        if !r.deprecated {
                            message.push_str(" without being deprecated first");
                        }
                        self.push(
                            "protobuf.rpc.removed",
                            &element,
                            message,
                            Some(&r.at),
                            Some(&ns.at),
                        );
                    }
                    Some(nr) => self.rpc(&element, r, nr),
                }
            }
            for (rpc, nr) in &ns.rpcs {
                if !s.rpcs.contains_key(rpc) {
                    let element = format!("{name}/{rpc}");
                    self.push(
                        "protobuf.rpc.added",
                        &element,
                        format!("rpc {element} added"),
                        Some(&s.at),
                        Some(&nr.at),
                    );
                }
            }
        }
        for (name, ns) in &new.services {
            if old.services.contains_key(name) {
                continue;
            }
            let rpcs: Vec<&str> = ns.rpcs.keys().map(String::as_str).collect();
            let mut message = format!("service {name} added");
            if !rpcs.is_empty() {
                message.push_str(&format!(
                    " with rpc{} {}",
                    plural_s(rpcs.len()),
                    rpcs.join(", ")
                ));
            }
            self.push("protobuf.service.added", name, message, None, Some(&ns.at));
        }
    }

    fn rpc(&mut self, element: &str, old: &Rpc, new: &Rpc) {
        if old.request != new.request {
            self.push(
                "protobuf.rpc.request-type-changed",
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
                "protobuf.rpc.response-type-changed",
                element,
                format!(
                    "rpc {element}: response type changed from {} to {}",
                    old.response, new.response
                ),
                Some(&old.at),
                Some(&new.at),
            );
        }
        if old.kind() != new.kind() {
            self.push(
                "protobuf.rpc.streaming-changed",
                element,
                format!(
                    "rpc {element} changed from {} to {}",
                    old.kind(),
                    new.kind()
                ),
                Some(&old.at),
                Some(&new.at),
            );
        }
        if !old.deprecated && new.deprecated {
            self.push(
                "protobuf.rpc.deprecated",
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
    fn member_removed(
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

    fn messages(&mut self) {
        let (old, new) = (self.old, self.new);
        let rules = Lifecycle {
            noun: "message",
            removed: "protobuf.message.removed",
            deprecated: "protobuf.message.deprecated",
            added: "protobuf.message.added",
        };
        for name in self.declarations(&rules, &old.messages, &new.messages) {
            self.fields(name, &old.messages[name], &new.messages[name]);
        }
    }

    /// Removed, deprecated and added top-level or nested declarations (messages, enums); returns
    /// the names present on both sides. A nested declaration goes and comes with its parent
    /// message, whose own change says so.
    fn declarations<'m, T: Declared>(
        &mut self,
        rules: &Lifecycle,
        old: &'m BTreeMap<String, T>,
        new: &'m BTreeMap<String, T>,
    ) -> Vec<&'m str> {
        let noun = rules.noun;
        let mut both = Vec::new();
        for (name, d) in old {
            let Some(nd) = new.get(name) else {
                let parent_in_new = d.parent().map(|p| self.new.messages.get(p));
                if let Some(None) = parent_in_new {
                    continue;
                }
                if self.package_gone(d.package()) {
                    let cause = self.package_removed(d.package());
                    self.push(
                        "protobuf.package.removed",
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
            if !d.deprecated() && nd.deprecated() {
                self.push(
                    rules.deprecated,
                    name,
                    format!("{noun} {name} deprecated"),
                    Some(d.at()),
                    Some(nd.at()),
                );
            }
            both.push(name.as_str());
        }
        for (name, nd) in new {
            if old.contains_key(name) {
                continue;
            }
            let parent_in_old = nd.parent().map(|p| self.old.messages.get(p));
            if let Some(None) = parent_in_old {
                continue;
            }
            self.push(
                rules.added,
                name,
                format!("{noun} {name} added"),
                parent_in_old.flatten().map(|p| &p.at),
                Some(nd.at()),
            );
        }
        both
    }

    fn fields(&mut self, msg: &str, old: &Message, new: &Message) {
        let by_name = |m: &'_ Message| -> HashMap<String, usize> {
            m.fields
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.clone(), i))
                .collect()
        };
        let by_number = |m: &'_ Message| -> HashMap<i32, usize> {
            m.fields
                .iter()
                .enumerate()
                .map(|(i, f)| (f.number, i))
                .collect()
        };
        let (old_names, new_names) = (by_name(old), by_name(new));
        let (old_numbers, new_numbers) = (by_number(old), by_number(new));
        for f in &old.fields {
            let element = format!("{msg}.{}", f.name);
            if let Some(&g) = new_names.get(&f.name) {
                let g = &new.fields[g];
                if g.number == f.number {
                    self.field(msg, &element, f, g);
                } else {
                    self.push(
                        "protobuf.field.number-changed",
                        &element,
                        format!(
                            "field `{}` of {msg} changed number from {} to {}",
                            f.name, f.number, g.number
                        ),
                        Some(&f.at),
                        Some(&g.at),
                    );
                }
                continue;
            }
            match new_numbers.get(&f.number).map(|&g| &new.fields[g]) {
                // The number now belongs to a field the old version did not have.
                Some(g) if !old_names.contains_key(&g.name) => {
                    if f.ty == g.ty || wire_compatible(&f.ty, &g.ty) {
                        let json = if f.json_name == g.json_name {
                            format!("generated code changes (JSON keeps `{}`)", g.json_name)
                        } else {
                            format!(
                                "generated code and JSON (`{}` -> `{}`) change",
                                f.json_name, g.json_name
                            )
                        };
                        self.push(
                            "protobuf.field.renamed",
                            &element,
                            format!(
                                "field `{}` (number {}) of {msg} renamed to `{}`; the binary encoding is unchanged, but {json}",
                                f.name, f.number, g.name
                            ),
                            Some(&f.at),
                            Some(&g.at),
                        );
                        self.field(msg, &element, f, g);
                    } else {
                        self.push(
                            "protobuf.field.number-reused",
                            &element,
                            format!(
                                "field `{}` ({}, number {}) removed from {msg} and its number reused by `{}` ({})",
                                f.name, f.ty, f.number, g.name, g.ty
                            ),
                            Some(&f.at),
                            Some(&g.at),
                        );
                    }
                }
                // The number now belongs to another old field, which moved to it.
                Some(g) => self.member_removed(
                    &FIELD_REMOVAL,
                    &element,
                    msg,
                    (&f.name, f.number, &f.at),
                    Some((&g.name, &g.at)),
                    &new.reserved,
                    &new.at,
                ),
                None => self.member_removed(
                    &FIELD_REMOVAL,
                    &element,
                    msg,
                    (&f.name, f.number, &f.at),
                    None,
                    &new.reserved,
                    &new.at,
                ),
            }
        }
        for g in &new.fields {
            if old_names.contains_key(&g.name) {
                continue; // the same field, or one whose number changed: reported above
            }
            let element = format!("{msg}.{}", g.name);
            match old_numbers.get(&g.number).map(|&f| &old.fields[f]) {
                // Renamed or reused: reported above.
                Some(f) if !new_names.contains_key(&f.name) => {}
                Some(f) => self.push(
                    "protobuf.field.number-reused",
                    &element,
                    format!(
                        "field `{}` added to {msg} with number {}, which belonged to `{}`",
                        g.name, g.number, f.name
                    ),
                    Some(&f.at),
                    Some(&g.at),
                ),
                None if old.reserved.has_number(g.number) => self.push(
                    "protobuf.field.number-reused",
                    &element,
                    format!(
                        "field `{}` added to {msg} with number {}, which the old version reserved",
                        g.name, g.number
                    ),
                    Some(old.reserved.statement(g.number).unwrap_or(&old.at)),
                    Some(&g.at),
                ),
                None if g.label == Label::Required => self.push(
                    "protobuf.field.added-required",
                    &element,
                    format!(
                        "required field `{}` (number {}) added to {msg}",
                        g.name, g.number
                    ),
                    Some(&old.at),
                    Some(&g.at),
                ),
                None => self.push(
                    "protobuf.field.added",
                    &element,
                    format!("field `{}` (number {}) added to {msg}", g.name, g.number),
                    Some(&old.at),
                    Some(&g.at),
                ),
            }
        }
    }

    /// Compare two versions of one field (same number; the name may have changed).
    fn field(&mut self, msg: &str, element: &str, f: &Field, g: &Field) {
        let place = format!("field `{}` (number {}) of {msg}", f.name, f.number);
        let (old, new) = (Some(&f.at), Some(&g.at));
        if f.name == g.name && f.json_name != g.json_name {
            self.push(
                "protobuf.field.json-name-changed",
                element,
                format!(
                    "{place} changed JSON name from `{}` to `{}`",
                    f.json_name, g.json_name
                ),
                old,
                new,
            );
        }
        let oneof_changed = f.oneof != g.oneof;
        if oneof_changed {
            let what = match (&f.oneof, &g.oneof) {
                (None, Some(b)) => format!("moved into oneof `{b}`"),
                (Some(a), None) => format!("moved out of oneof `{a}`"),
                (Some(a), Some(b)) => format!("moved from oneof `{a}` to oneof `{b}`"),
                (None, None) => String::new(),
            };
            self.push(
                "protobuf.field.oneof-changed",
                element,
                format!("{place} {what}"),
                old,
                new,
            );
        }
        let required = |l: Label| l == Label::Required;
        if f.label.cardinality() != g.label.cardinality() || required(f.label) != required(g.label)
        {
            self.push(
                "protobuf.field.cardinality-changed",
                element,
                format!("{place} changed from {} to {}", describe(f), describe(g)),
                old,
                new,
            );
        } else if f.ty != g.ty {
            let (rule, why) = if wire_compatible(&f.ty, &g.ty) {
                (
                    "protobuf.field.type-changed-wire-compatible",
                    "; the wire encoding is compatible, but values may be truncated or reinterpreted, and JSON and generated code change",
                )
            } else {
                (
                    "protobuf.field.type-changed",
                    ", which has another wire encoding",
                )
            };
            self.push(
                rule,
                element,
                format!("{place} changed type from {} to {}{why}", f.ty, g.ty),
                old,
                new,
            );
        } else if f.label != g.label && !oneof_changed {
            let what = if g.label == Label::Optional {
                "gained explicit presence (`optional`)"
            } else {
                "lost explicit presence (`optional`)"
            };
            self.push(
                "protobuf.field.presence-changed",
                element,
                format!("{place} {what}"),
                old,
                new,
            );
        }
        if !f.deprecated && g.deprecated {
            self.push(
                "protobuf.field.deprecated",
                element,
                format!("{place} deprecated"),
                old,
                new,
            );
        }
    }

    fn enums(&mut self) {
        let (old, new) = (self.old, self.new);
        let rules = Lifecycle {
            noun: "enum",
            removed: "protobuf.enum.removed",
            deprecated: "protobuf.enum.deprecated",
            added: "protobuf.enum.added",
        };
        for name in self.declarations(&rules, &old.enums, &new.enums) {
            self.values(name, &old.enums[name], &new.enums[name]);
        }
    }

    fn values(&mut self, name: &str, old: &Enum, new: &Enum) {
        // With `allow_alias` a number has several names; the first is its own.
        fn by_name(e: &Enum) -> HashMap<&str, &Value> {
            let mut map = HashMap::new();
            for v in &e.values {
                map.entry(v.name.as_str()).or_insert(v);
            }
            map
        }
        fn by_number(e: &Enum) -> HashMap<i32, &Value> {
            let mut map = HashMap::new();
            for v in &e.values {
                map.entry(v.number).or_insert(v);
            }
            map
        }
        let (old_names, new_names) = (by_name(old), by_name(new));
        let (old_numbers, new_numbers) = (by_number(old), by_number(new));
        for v in &old.values {
            let element = format!("{name}.{}", v.name);
            if let Some(w) = new_names.get(v.name.as_str()) {
                if w.number != v.number {
                    self.push(
                        "protobuf.enum.value-number-changed",
                        &element,
                        format!(
                            "enum value {} changed number from {} to {}",
                            element, v.number, w.number
                        ),
                        Some(&v.at),
                        Some(&w.at),
                    );
                } else if !v.deprecated && w.deprecated {
                    self.push(
                        "protobuf.enum.value-deprecated",
                        &element,
                        format!("enum value {element} deprecated"),
                        Some(&v.at),
                        Some(&w.at),
                    );
                }
                continue;
            }
            match new_numbers.get(&v.number) {
                Some(w) if !old_names.contains_key(w.name.as_str()) => self.push(
                    "protobuf.enum.value-renamed",
                    &element,
                    format!(
                        "enum value `{}` (number {}) of {name} renamed to `{}`; the binary encoding is unchanged, but JSON and generated code use the name",
                        v.name, v.number, w.name
                    ),
                    Some(&v.at),
                    Some(&w.at),
                ),
                // An alias of the same number remains.
                Some(w) if old_names[w.name.as_str()].number == v.number => self.push(
                    "protobuf.enum.value-removed-without-reserve",
                    &element,
                    format!(
                        "enum value alias `{}` (number {}) removed from {name}; the number keeps the name `{}`",
                        v.name, v.number, w.name
                    ),
                    Some(&v.at),
                    Some(&w.at),
                ),
                Some(w) => self.member_removed(
                    &VALUE_REMOVAL,
                    &element,
                    name,
                    (&v.name, v.number, &v.at),
                    Some((&w.name, &w.at)),
                    &new.reserved,
                    &new.at,
                ),
                None => self.member_removed(
                    &VALUE_REMOVAL,
                    &element,
                    name,
                    (&v.name, v.number, &v.at),
                    None,
                    &new.reserved,
                    &new.at,
                ),
            }
        }
        for w in &new.values {
            if old_names.contains_key(w.name.as_str()) {
                continue;
            }
            let element = format!("{name}.{}", w.name);
            match old_numbers.get(&w.number) {
                // Renamed: reported above.
                Some(v) if !new_names.contains_key(v.name.as_str()) => {}
                // The old owner of the number moved away.
                Some(v) if new_names[v.name.as_str()].number != w.number => self.push(
                    "protobuf.enum.value-number-reused",
                    &element,
                    format!(
                        "enum value `{}` added to {name} with number {}, which belonged to `{}`",
                        w.name, w.number, v.name
                    ),
                    Some(&v.at),
                    Some(&w.at),
                ),
                None if old.reserved.has_number(w.number) => self.push(
                    "protobuf.enum.value-number-reused",
                    &element,
                    format!(
                        "enum value `{}` added to {name} with number {}, which the old version reserved",
                        w.name, w.number
                    ),
                    Some(old.reserved.statement(w.number).unwrap_or(&old.at)),
                    Some(&w.at),
                ),
                // A new value, or a new alias of a number that keeps its name.
                _ => self.push(
                    "protobuf.enum.value-added",
                    &element,
                    format!("enum value {element} (number {}) added", w.number),
                    Some(&old.at),
                    Some(&w.at),
                ),
            }
        }
    }
}

/// Which rpcs carry each message and enum, directly or inside other messages.
struct Reach<'m> {
    /// Type → the messages with a field of that type.
    users: HashMap<&'m str, Vec<&'m str>>,
    /// Message → the rpcs that take or return it.
    rpcs: HashMap<&'m str, Vec<String>>,
}

impl<'m> Reach<'m> {
    fn of(module: &'m Module) -> Reach<'m> {
        fn names<'t>(ty: &'t Type, out: &mut Vec<&'t str>) {
            match ty {
                Type::Message(n) | Type::Enum(n) | Type::Group(n) => out.push(n),
                Type::Map(k, v) => {
                    names(k, out);
                    names(v, out);
                }
                Type::Scalar(_) => {}
            }
        }
        let mut users: HashMap<&str, Vec<&str>> = HashMap::new();
        for (name, m) in &module.messages {
            for f in &m.fields {
                let mut used = Vec::new();
                names(&f.ty, &mut used);
                for ty in used {
                    users.entry(ty).or_default().push(name);
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
        Reach { users, rpcs }
    }

    /// The rpcs that carry `ty`, sorted.
    fn rpcs(&self, ty: &str) -> BTreeSet<String> {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut todo = vec![ty];
        let mut out = BTreeSet::new();
        while let Some(t) = todo.pop() {
            if !seen.insert(t) {
                continue;
            }
            out.extend(self.rpcs.get(t).into_iter().flatten().cloned());
            todo.extend(self.users.get(t).into_iter().flatten().copied());
        }
        out
    }
}

/// `repeated int32`, `map<string, int64>`, `optional string`.
fn describe(f: &Field) -> String {
    match f.label {
        Label::Implicit | Label::Map => f.ty.to_string(),
        Label::Optional => format!("optional {}", f.ty),
        Label::Required => format!("required {}", f.ty),
        Label::Repeated => format!("repeated {}", f.ty),
    }
}

fn show_package(p: &str) -> &str {
    if p.is_empty() { "(none)" } else { p }
}

fn plural_s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

// ---------------------------------------------------------------------------------------------
// Positions: a lexer and a lenient scanner of declarations.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An identifier, possibly dotted (`google.protobuf.Timestamp`).
    Word,
    Number,
    /// A string literal, with its quotes.
    Str,
    Punct,
}

#[derive(Clone, Copy, Debug)]
struct Token<'t> {
    kind: Kind,
    text: &'t str,
    /// 1-based; the column counts characters.
    line: u32,
    column: u32,
}

/// A position in a text, counting lines and characters.
struct Cursor<'t> {
    text: &'t str,
    chars: Vec<(usize, char)>,
    i: usize,
    line: u32,
    column: u32,
}

impl Cursor<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).map(|&(_, c)| c)
    }

    fn offset(&self) -> usize {
        self.chars.get(self.i).map_or(self.text.len(), |&(o, _)| o)
    }

    fn bump(&mut self) {
        if let Some(&(_, c)) = self.chars.get(self.i) {
            self.i += 1;
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
    }
}

/// The tokens of a `.proto` text, without comments. Never fails: an unterminated string or
/// comment runs to the end of its line or of the text.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut cur = Cursor {
        text,
        chars: text.char_indices().collect(),
        i: 0,
        line: 1,
        column: 1,
    };
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    while let Some(c) = cur.peek(0) {
        if c.is_whitespace() {
            cur.bump();
            continue;
        }
        if c == '/' && cur.peek(1) == Some('/') {
            while cur.peek(0).is_some_and(|c| c != '\n') {
                cur.bump();
            }
            continue;
        }
        if c == '/' && cur.peek(1) == Some('*') {
            cur.bump();
            cur.bump();
            while cur.peek(0).is_some() && !(cur.peek(0) == Some('*') && cur.peek(1) == Some('/')) {
                cur.bump();
            }
            cur.bump();
            cur.bump();
            continue;
        }
        let (start, line, column) = (cur.offset(), cur.line, cur.column);
        cur.bump();
        let kind = if c.is_ascii_alphabetic() || c == '_' {
            loop {
                match cur.peek(0) {
                    Some(c) if ident(c) => cur.bump(),
                    Some('.')
                        if cur
                            .peek(1)
                            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_') =>
                    {
                        cur.bump()
                    }
                    _ => break,
                }
            }
            Kind::Word
        } else if c.is_ascii_digit()
            || (c == '.' && cur.peek(0).is_some_and(|d| d.is_ascii_digit()))
        {
            while let Some(c) = cur.peek(0)
                && (ident(c) || c == '.')
            {
                cur.bump();
                if matches!(c, 'e' | 'E') && matches!(cur.peek(0), Some('+' | '-')) {
                    cur.bump();
                }
            }
            Kind::Number
        } else if c == '"' || c == '\'' {
            loop {
                match cur.peek(0) {
                    None | Some('\n') => break,
                    Some('\\') => {
                        cur.bump();
                        if cur.peek(0) != Some('\n') {
                            cur.bump();
                        }
                    }
                    Some(q) => {
                        cur.bump();
                        if q == c {
                            break;
                        }
                    }
                }
            }
            Kind::Str
        } else {
            Kind::Punct
        };
        out.push(Token {
            kind,
            text: &text[start..cur.offset()],
            line,
            column,
        });
    }
    out
}

/// A string literal's content (escapes are left as written).
fn unquote(s: &str) -> &str {
    let s = s.strip_prefix(['"', '\'']).unwrap_or(s);
    s.strip_suffix(['"', '\'']).unwrap_or(s)
}

/// A protobuf integer literal: decimal, `0x` hex or `0` octal.
fn parse_int(s: &str) -> Option<i64> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        i64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

/// Where the declarations of one file are.
#[derive(Default)]
struct Positions {
    /// `pkg.Message`, `pkg.Message.field`, `pkg.Enum`, `pkg.Enum.VALUE`, `pkg.Service`,
    /// `pkg.Service/Rpc` → the first token of the declaration (an enum value's name).
    at: HashMap<String, Location>,
    /// Message or enum → its `reserved` statements.
    reserved: HashMap<String, Vec<ReservedAt>>,
    package: Option<Location>,
    /// Import paths, at their string literal.
    imports: Vec<(String, Location)>,
}

/// One `reserved` statement: the numbers it reserves (inclusive ranges).
#[derive(Clone, Debug)]
struct ReservedAt {
    ranges: Vec<(i64, i64)>,
    at: Location,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    File,
    Message,
    Oneof,
    Enum,
    Service,
}

/// Find where each declaration of a file is. `package` prefixes the names; the text is assumed
/// to have parsed, and anything not understood is skipped.
fn scan(text: &str, package: &str, file: Arc<str>) -> Positions {
    let mut scanner = Scanner {
        toks: tokens(text),
        i: 0,
        file,
        out: Positions::default(),
    };
    scanner.block(Scope::File, package, 0);
    scanner.out
}

struct Scanner<'t> {
    toks: Vec<Token<'t>>,
    i: usize,
    file: Arc<str>,
    out: Positions,
}

impl Scanner<'_> {
    fn text(&self, i: usize) -> Option<&str> {
        self.toks.get(i).map(|t| t.text)
    }

    fn word(&self, i: usize) -> Option<&str> {
        self.toks
            .get(i)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text)
    }

    fn location(&self, t: &Token<'_>) -> Location {
        Location::new(self.file.clone(), t.line, t.column)
    }

    fn record(&mut self, key: String, t: &Token<'_>) {
        let at = self.location(t);
        self.out.at.entry(key).or_insert(at);
    }

    /// The statements of a block, up to and including its `}`.
    fn block(&mut self, scope: Scope, path: &str, depth: usize) {
        while let Some(t) = self.toks.get(self.i).copied() {
            let keyword = if t.kind == Kind::Word { t.text } else { "" };
            let opens_block = self.word(self.i + 1).is_some() && self.text(self.i + 2) == Some("{");
            match keyword {
                _ if t.text == "}" => {
                    self.i += 1;
                    if scope != Scope::File {
                        return;
                    }
                }
                _ if t.text == ";" => self.i += 1,
                "message" | "enum"
                    if opens_block && matches!(scope, Scope::File | Scope::Message) =>
                {
                    let name = qualify(path, self.text(self.i + 1).unwrap_or(""));
                    self.record(name.clone(), &t);
                    self.i += 3;
                    let inner = if keyword == "message" {
                        Scope::Message
                    } else {
                        Scope::Enum
                    };
                    self.nested(inner, &name, depth);
                }
                "service" if opens_block && scope == Scope::File => {
                    let name = qualify(path, self.text(self.i + 1).unwrap_or(""));
                    self.record(name.clone(), &t);
                    self.i += 3;
                    self.nested(Scope::Service, &name, depth);
                }
                "oneof" if opens_block && scope == Scope::Message => {
                    self.i += 3;
                    self.nested(Scope::Oneof, path, depth);
                }
                "package" if scope == Scope::File => {
                    self.out.package = Some(self.location(&t));
                    self.skip_statement();
                }
                "import" if scope == Scope::File => {
                    let mut j = self.i + 1;
                    while let Some(tok) = self.toks.get(j)
                        && tok.kind == Kind::Word
                    {
                        j += 1; // `public`, `weak`
                    }
                    if let Some(tok) = self.toks.get(j).filter(|t| t.kind == Kind::Str) {
                        let at = self.location(tok);
                        self.out.imports.push((unquote(tok.text).to_owned(), at));
                    }
                    self.skip_statement();
                }
                "reserved" if matches!(scope, Scope::Message | Scope::Enum) => {
                    self.reserved(path, &t);
                }
                "rpc" if scope == Scope::Service => {
                    if let Some(name) = self.word(self.i + 1) {
                        let key = format!("{path}/{name}");
                        self.record(key, &t);
                    }
                    self.skip_statement();
                }
                "option" | "syntax" | "edition" | "extensions" | "extend" | "import"
                | "package" | "reserved" => self.skip_statement(),
                _ if scope == Scope::Enum && t.kind == Kind::Word => {
                    self.record(qualify(path, t.text), &t);
                    self.skip_statement();
                }
                _ if matches!(scope, Scope::Message | Scope::Oneof) && t.kind == Kind::Word => {
                    self.field(path, depth);
                }
                _ => self.skip_statement(),
            }
        }
    }

    fn nested(&mut self, scope: Scope, path: &str, depth: usize) {
        // Deeper nesting than any real file: skip rather than recurse without bound.
        if depth > 64 {
            self.i -= 1;
            self.skip_statement();
        } else {
            self.block(scope, path, depth + 1);
        }
    }

    /// A field: `[label] type name = number [options];`, `map<K, V> name = number;` or a
    /// proto2 `group`.
    fn field(&mut self, path: &str, depth: usize) {
        let start = self.toks[self.i];
        let mut j = self.i;
        if matches!(self.text(j), Some("optional" | "repeated" | "required")) {
            j += 1;
        }
        if self.text(j) == Some("group")
            && let Some(name) = self.word(j + 1).map(str::to_owned)
        {
            // The field is the group's name in lower case; the message keeps the name.
            self.record(qualify(path, &name.to_lowercase()), &start);
            let child = qualify(path, &name);
            self.record(child.clone(), &start);
            let mut k = j + 2;
            while self.text(k).is_some_and(|t| !matches!(t, "{" | ";" | "}")) {
                k += 1;
            }
            if self.text(k) == Some("{") {
                self.i = k + 1;
                self.nested(Scope::Message, &child, depth);
            } else {
                self.skip_statement();
            }
            return;
        }
        if self.text(j) == Some("map") && self.text(j + 1) == Some("<") {
            while self.text(j).is_some_and(|t| !matches!(t, ">" | ";")) {
                j += 1;
            }
            j += 1;
        } else {
            if self.text(j) == Some(".") {
                j += 1;
            }
            j += 1;
        }
        if let Some(name) = self.word(j).map(str::to_owned)
            && self.text(j + 1) == Some("=")
        {
            self.record(qualify(path, &name), &start);
        }
        self.skip_statement();
    }

    /// `reserved 2, 5 to 7, 20 to max;` (names, `reserved "sku";`, come from the descriptor).
    fn reserved(&mut self, path: &str, start: &Token<'_>) {
        let mut ranges = Vec::new();
        let (mut pending, mut to, mut negative) = (None::<i64>, false, false);
        self.i += 1;
        while let Some(t) = self.toks.get(self.i).copied()
            && !matches!(t.text, ";" | "}")
        {
            match (t.kind, t.text) {
                (Kind::Number, _) => {
                    if let Some(n) = parse_int(t.text) {
                        let n = if negative { -n } else { n };
                        if to {
                            if let Some(lo) = pending.take() {
                                ranges.push((lo, n));
                            }
                        } else if let Some(lo) = pending.replace(n) {
                            ranges.push((lo, lo));
                        }
                    }
                    to = false;
                    negative = false;
                }
                (Kind::Word, "to") => to = true,
                (Kind::Word, "max") => {
                    if let Some(lo) = pending.take() {
                        ranges.push((lo, i64::MAX));
                    }
                    to = false;
                }
                (Kind::Punct, "-") => negative = true,
                _ => {}
            }
            self.i += 1;
        }
        if let Some(lo) = pending {
            ranges.push((lo, lo));
        }
        if self.text(self.i) == Some(";") {
            self.i += 1;
        }
        let at = self.location(start);
        self.out
            .reserved
            .entry(path.to_owned())
            .or_default()
            .push(ReservedAt { ranges, at });
    }

    /// Skip to the end of a statement: a `;` or a `{ ... }` block at this level. Stops before
    /// a `}` that closes the enclosing block.
    fn skip_statement(&mut self) {
        let start = self.i;
        let mut depth = 0usize;
        while let Some(t) = self.toks.get(self.i) {
            match t.text {
                "{" | "[" | "(" => depth += 1,
                "}" | "]" | ")" => {
                    if depth == 0 {
                        if self.i == start {
                            self.i += 1;
                        }
                        return;
                    }
                    depth -= 1;
                    if depth == 0 && t.text == "}" {
                        self.i += 1;
                        return;
                    }
                }
                ";" if depth == 0 => {
                    self.i += 1;
                    return;
                }
                _ => {}
            }
            self.i += 1;
        }
    }
}

/// A deprecated rpc (or every rpc of a deprecated service) of a proto contract, for deprecation
/// windows: its element (`pkg.Service/Rpc`) and where it is declared.
pub(crate) fn deprecated_rpcs(path: &Path) -> Result<Vec<(String, Location)>, ContractErrors> {
    let module = Module::load(path)?;
    let mut out = Vec::new();
    for (service_name, service) in &module.services {
        for (rpc_name, rpc) in &service.rpcs {
            if service.deprecated || rpc.deprecated {
                out.push((format!("{service_name}/{rpc_name}"), rpc.at.clone()));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(s: Scalar) -> Type {
        Type::Scalar(s)
    }

    #[test]
    fn wire_compatibility_follows_the_language_guide() {
        use Scalar::*;
        let compatible = [
            (scalar(Int32), scalar(Int64)),
            (scalar(Int32), scalar(Uint64)),
            (scalar(Uint32), scalar(Bool)),
            (scalar(Int64), scalar(Bool)),
            (scalar(Sint32), scalar(Sint64)),
            (scalar(Fixed32), scalar(Sfixed32)),
            (scalar(Fixed64), scalar(Sfixed64)),
            (scalar(String), scalar(Bytes)),
            (Type::Enum("a.E".into()), scalar(Int32)),
            (Type::Enum("a.E".into()), Type::Enum("a.F".into())),
            (Type::Message("a.M".into()), scalar(Bytes)),
            (
                Type::Map(Box::new(scalar(String)), Box::new(scalar(Int32))),
                Type::Map(Box::new(scalar(String)), Box::new(scalar(Int64))),
            ),
        ];
        for (a, b) in &compatible {
            assert!(wire_compatible(a, b), "{a} -> {b}");
            assert!(wire_compatible(b, a), "{b} -> {a}");
        }
        let incompatible = [
            (scalar(Int32), scalar(String)),
            (scalar(Int32), scalar(Sint32)),
            (scalar(Int64), scalar(Fixed64)),
            (scalar(Fixed32), scalar(Float)),
            (scalar(Fixed32), scalar(Fixed64)),
            (scalar(Double), scalar(Float)),
            (Type::Enum("a.E".into()), scalar(Bool)),
            (Type::Enum("a.E".into()), scalar(Sint32)),
            (Type::Message("a.M".into()), scalar(String)),
            (Type::Message("a.M".into()), Type::Message("a.N".into())),
            (Type::Message("a.M".into()), Type::Group("a.M".into())),
            (
                Type::Map(Box::new(scalar(String)), Box::new(scalar(Int32))),
                Type::Map(Box::new(scalar(Int32)), Box::new(scalar(Int32))),
            ),
        ];
        for (a, b) in &incompatible {
            assert!(!wire_compatible(a, b), "{a} -> {b}");
            assert!(!wire_compatible(b, a), "{b} -> {a}");
        }
    }

    #[test]
    fn tokens_skip_comments_and_count_characters() {
        let text =
            "// note: message Fake {}\nmessage Stock /* x { */ {\n  option (n) = \"café\"; }\n";
        let toks = tokens(text);
        let texts: Vec<&str> = toks.iter().map(|t| t.text).collect();
        assert_eq!(
            texts,
            [
                "message",
                "Stock",
                "{",
                "option",
                "(",
                "n",
                ")",
                "=",
                "\"café\"",
                ";",
                "}"
            ]
        );
        // Columns count characters, not bytes: `;` follows the 6-character string at 16.
        let semi = toks.iter().find(|t| t.text == ";").unwrap();
        assert_eq!((semi.line, semi.column), (3, 22));
        let toks = tokens("option (a) = \"x;\\\"y\"; .5e-3 0x1F google.protobuf.Any");
        let kinds: Vec<(Kind, &str)> = toks.iter().map(|t| (t.kind, t.text)).collect();
        assert!(kinds.contains(&(Kind::Str, "\"x;\\\"y\"")));
        assert!(kinds.contains(&(Kind::Number, ".5e-3")));
        assert!(kinds.contains(&(Kind::Number, "0x1F")));
        assert!(kinds.contains(&(Kind::Word, "google.protobuf.Any")));
        // Unterminated literals and comments end the text without a panic.
        assert_eq!(tokens("'abc").len(), 1);
        assert!(tokens("/* never closed").is_empty());
    }

    const SAMPLE: &str = r#"syntax = "proto3";

package inventory.v1;

import "google/protobuf/timestamp.proto";

// A warehouse's stock of one item.
message StockLevel {
  option (custom) = { a: 1 };
  string sku = 1;
  repeated .google.protobuf.Timestamp counted_at = 2 [deprecated = true];
  map<string, int64> by_bin = 3;
  oneof source {
    string scanner_id = 4;
    Manual manual = 5;
  }
  message Manual {
    string operator = 1;
  }
  reserved 6, 8 to 10;
  reserved "legacy_qty";
  optional group Legacy = 11 {
    int32 level = 1;
  }
  enum Kind {
    KIND_UNSPECIFIED = 0;
    KIND_BULK = 1 [deprecated = true];
    reserved 2 to max;
  }
}

service InventoryService {
  rpc GetStock(GetStockRequest) returns (StockLevel);
  rpc WatchStock(GetStockRequest) returns (stream StockLevel) {
    option deprecated = true;
  }
}
"#;

    #[test]
    fn scan_finds_every_declaration() {
        let p = scan(SAMPLE, "inventory.v1", "inv.proto".into());
        let line = |key: &str| {
            let at = p.at.get(key).unwrap_or_else(|| panic!("{key} not found"));
            (at.line, at.column)
        };
        assert_eq!(p.package.as_ref().map(|l| l.line), Some(3));
        assert_eq!(p.imports.len(), 1);
        assert_eq!(p.imports[0].0, "google/protobuf/timestamp.proto");
        assert_eq!((p.imports[0].1.line, p.imports[0].1.column), (5, 8));
        assert_eq!(line("inventory.v1.StockLevel"), (8, 1));
        assert_eq!(line("inventory.v1.StockLevel.sku"), (10, 3));
        assert_eq!(line("inventory.v1.StockLevel.counted_at"), (11, 3));
        assert_eq!(line("inventory.v1.StockLevel.by_bin"), (12, 3));
        assert_eq!(line("inventory.v1.StockLevel.scanner_id"), (14, 5));
        assert_eq!(line("inventory.v1.StockLevel.manual"), (15, 5));
        assert_eq!(line("inventory.v1.StockLevel.Manual"), (17, 3));
        assert_eq!(line("inventory.v1.StockLevel.Manual.operator"), (18, 5));
        assert_eq!(line("inventory.v1.StockLevel.legacy"), (22, 3));
        assert_eq!(line("inventory.v1.StockLevel.Legacy.level"), (23, 5));
        assert_eq!(line("inventory.v1.StockLevel.Kind"), (25, 3));
        assert_eq!(line("inventory.v1.StockLevel.Kind.KIND_BULK"), (27, 5));
        assert_eq!(line("inventory.v1.InventoryService"), (32, 1));
        assert_eq!(line("inventory.v1.InventoryService/GetStock"), (33, 3));
        assert_eq!(line("inventory.v1.InventoryService/WatchStock"), (34, 3));
        assert!(!p.at.contains_key("inventory.v1.StockLevel.source"));
        assert!(!p.at.contains_key("inventory.v1.StockLevel.Kind.reserved"));
        let reserved = &p.reserved["inventory.v1.StockLevel"];
        assert_eq!(reserved[0].ranges, [(6, 6), (8, 10)]);
        assert_eq!(reserved[0].at.line, 20);
        assert!(reserved[1].ranges.is_empty());
        let kind = &p.reserved["inventory.v1.StockLevel.Kind"];
        assert_eq!(kind[0].ranges, [(2, i64::MAX)]);
    }

    #[test]
    fn integers_in_all_bases() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("0"), Some(0));
        assert_eq!(parse_int("0x1f"), Some(31));
        assert_eq!(parse_int("017"), Some(15));
        assert_eq!(parse_int("1.5"), None);
    }

    #[test]
    fn syntax_errors_say_what_was_expected_and_found() {
        let text = "syntax = \"proto3\";\nmessage StockLevel {\n  string sku = 1\n}\n";
        let err = protobuf_parse::pure::parse_dependencies(text).unwrap_err();
        let d = syntax_error(
            &"a.proto".into(),
            text,
            err.line,
            err.col,
            &err.error.to_string(),
        );
        assert_eq!(d.code, Code::Syntax);
        assert_eq!((d.location.line, d.location.column), (4, 1));
        assert_eq!(d.message, "expected `;` in field, found `}`");
        let text = "syntax = \"proto3\";\nmessage StockLevel {\n  int32 = 1;\n}\n";
        let err = protobuf_parse::pure::parse_dependencies(text).unwrap_err();
        let d = syntax_error(
            &"a.proto".into(),
            text,
            err.line,
            err.col,
            &err.error.to_string(),
        );
        assert_eq!(
            d.to_string(),
            "a.proto:3:9: error[syntax]: expected identifier, found `=`"
        );
    }

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    fn rules(diff: &Diff) -> Vec<(&str, &str)> {
        diff.changes
            .iter()
            .map(|c| (c.rule, c.element.as_str()))
            .collect()
    }

    #[test]
    fn swapped_field_numbers_are_two_number_changes() {
        let dir = tempfile::tempdir().unwrap();
        let head = "syntax = \"proto3\";\npackage inv.v1;\n";
        write(
            dir.path(),
            &[
                (
                    "old.proto",
                    &format!("{head}message Item {{ string sku = 1; int32 qty = 2; }}\n"),
                ),
                (
                    "new.proto",
                    &format!("{head}message Item {{ string sku = 2; int32 qty = 1; }}\n"),
                ),
            ],
        );
        let diff =
            diff_paths(&dir.path().join("old.proto"), &dir.path().join("new.proto")).unwrap();
        assert_eq!(
            rules(&diff),
            [
                ("protobuf.field.number-changed", "inv.v1.Item.qty"),
                ("protobuf.field.number-changed", "inv.v1.Item.sku"),
            ]
        );
    }

    #[test]
    fn a_number_taken_by_a_moved_field_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        let head = "syntax = \"proto3\";\npackage inv.v1;\n";
        write(
            dir.path(),
            &[
                (
                    "old.proto",
                    &format!("{head}message Item {{ string sku = 1; int32 qty = 2; }}\n"),
                ),
                (
                    "new.proto",
                    &format!("{head}message Item {{ int32 qty = 1; string note = 2; }}\n"),
                ),
            ],
        );
        let diff =
            diff_paths(&dir.path().join("old.proto"), &dir.path().join("new.proto")).unwrap();
        assert_eq!(
            rules(&diff),
            [
                ("protobuf.field.number-reused", "inv.v1.Item.note"),
                ("protobuf.field.number-changed", "inv.v1.Item.qty"),
                ("protobuf.field.number-reused", "inv.v1.Item.sku"),
            ]
        );
    }

    #[test]
    fn changes_inside_nested_messages_name_the_rpcs_they_reach() {
        let dir = tempfile::tempdir().unwrap();
        let text = |ty: &str| {
            format!(
                "syntax = \"proto3\";\npackage inv.v1;\n\
                 message Line {{ {ty} qty = 1; }}\n\
                 message Order {{ repeated Line lines = 1; }}\n\
                 message PlaceRequest {{ Order order = 1; }}\n\
                 message PlaceResponse {{}}\n\
                 message Audit {{ Line line = 1; }}\n\
                 service Orders {{ rpc Place(PlaceRequest) returns (PlaceResponse); }}\n"
            )
        };
        write(
            dir.path(),
            &[
                ("old.proto", &text("int32")),
                ("new.proto", &text("double")),
            ],
        );
        let diff =
            diff_paths(&dir.path().join("old.proto"), &dir.path().join("new.proto")).unwrap();
        assert_eq!(
            rules(&diff),
            [("protobuf.field.type-changed", "inv.v1.Line.qty")]
        );
        let change = &diff.changes[0];
        assert!(
            change
                .message
                .ends_with("; reaches rpc inv.v1.Orders/Place"),
            "{}",
            change.message
        );
        assert_eq!(
            change.old.as_ref().map(|l| (l.line, l.column)),
            Some((3, 16))
        );
    }

    #[test]
    fn enum_aliases_are_not_renames() {
        let dir = tempfile::tempdir().unwrap();
        let head = "syntax = \"proto3\";\npackage inv.v1;\n";
        write(
            dir.path(),
            &[
                (
                    "old.proto",
                    &format!(
                        "{head}enum State {{ option allow_alias = true; STATE_UNSPECIFIED = 0; STATE_OK = 1; STATE_FINE = 1; }}\n"
                    ),
                ),
                (
                    "new.proto",
                    &format!(
                        "{head}enum State {{ option allow_alias = true; STATE_UNSPECIFIED = 0; STATE_OK = 1; STATE_GOOD = 1; }}\n"
                    ),
                ),
            ],
        );
        let diff =
            diff_paths(&dir.path().join("old.proto"), &dir.path().join("new.proto")).unwrap();
        assert_eq!(
            rules(&diff),
            [
                (
                    "protobuf.enum.value-removed-without-reserve",
                    "inv.v1.State.STATE_FINE"
                ),
                ("protobuf.enum.value-added", "inv.v1.State.STATE_GOOD"),
            ]
        );
    }

    #[test]
    fn errors_are_diagnostics_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "cycle/a.proto",
                    "syntax = \"proto3\";\nimport \"b.proto\";\n",
                ),
                (
                    "cycle/b.proto",
                    "syntax = \"proto3\";\nimport \"a.proto\";\n",
                ),
                (
                    "missing/a.proto",
                    "syntax = \"proto3\";\nimport \"nowhere.proto\";\n",
                ),
                (
                    "undefined/a.proto",
                    "syntax = \"proto3\";\nmessage A {\n  Missing m = 1;\n}\n",
                ),
                (
                    "dup/a.proto",
                    "syntax = \"proto3\";\npackage p;\nmessage A {}\n",
                ),
                (
                    "dup/b.proto",
                    "syntax = \"proto3\";\npackage p;\n\nenum A { A_X = 0; }\n",
                ),
                (
                    "sibling/a.proto",
                    "syntax = \"proto3\";\nimport \"b.proto\";\n",
                ),
                (
                    "sibling/b.proto",
                    "syntax = \"proto3\";\nmessage B { int32 x = 1 }\n",
                ),
                ("ok/a.proto", "syntax = \"proto3\";\nmessage A {}\n"),
            ],
        );
        let ok = dir.path().join("ok");
        let error = |case: &str| {
            let e = diff_paths(&dir.path().join(case), &ok).unwrap_err();
            assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
            e.errors.into_iter().next().unwrap()
        };
        let d = error("cycle");
        assert_eq!(d.code, Code::InvalidValue);
        assert!(
            d.message
                .starts_with("import cycle: a.proto -> b.proto -> a.proto"),
            "{}",
            d.message
        );
        let d = error("missing");
        assert_eq!(
            (d.code, d.location.line, d.location.column),
            (Code::DanglingReference, 2, 8)
        );
        let d = error("undefined");
        assert_eq!(
            (d.code, d.location.line, d.location.column),
            (Code::DanglingReference, 3, 3)
        );
        assert!(d.message.contains("`Missing`"), "{}", d.message);
        let d = error("dup");
        assert_eq!((d.code, d.location.line), (Code::DuplicateId, 4));
        assert_eq!(d.related[0].location.line, 3);
        // A broken file both listed and imported is reported once.
        let d = error("sibling");
        assert_eq!(
            (d.code, d.location.line, d.location.column),
            (Code::Syntax, 2, 25)
        );
    }
}
