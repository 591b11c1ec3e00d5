//! The model built from the parser's descriptors, with positions from our own scanner.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use protobuf::descriptor::field_descriptor_proto::{Label as ProtoLabel, Type as ProtoType};
use protobuf::descriptor::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
};

use super::model::*;
use super::parse::ProtoFiles;
use super::positions::{MAX_NESTING, Positions, scan};
use crate::contract::ContractErrors;
use crate::source::boundary::Boundary;
use crate::source::diagnostic::{Code, Diagnostic, Location};

impl Module {
    /// Read, parse and model one side; imports may lead only where `boundary` allows.
    pub(super) fn load(path: &Path, boundary: &Boundary) -> Result<Module, ContractErrors> {
        let sources = ProtoFiles::read(path, boundary)?;
        let descriptors = sources.parse()?;
        Module::build(&sources, &descriptors)
    }

    pub(super) fn build(
        sources: &ProtoFiles,
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
                collect_map_entries(&qualify(package, m.name()), m, &mut entries, 0);
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
            let mut builder = ModuleBuilder {
                module: &mut module,
                positions: &positions,
                entries: &entries,
                proto3: file.syntax() == "proto3",
                package: &package,
                file_at: Location::new(source.display.clone(), 0, 0),
                duplicates: &mut duplicates,
            };
            let file_at = positions.package.clone().unwrap_or(builder.file_at.clone());
            builder
                .module
                .packages
                .entry(package.clone())
                .or_insert(file_at);
            for m in &file.message_type {
                builder.message(m, None, 0);
            }
            for e in &file.enum_type {
                builder.enumeration(e, None);
            }
            for s in &file.service {
                let name = qualify(&package, s.name());
                let at = builder.at(&name, None);
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
                            at: builder.at(&key, Some(&at)),
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
                if builder.first_definition(&name, &service.at) {
                    builder.module.services.insert(name, service);
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

pub(super) fn qualify(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The key and value types of every map entry message in `m` and the messages nested in it.
/// The walk stops at [`MAX_NESTING`] levels (files nested deeper are refused before parsing).
pub(super) fn collect_map_entries(
    name: &str,
    m: &DescriptorProto,
    entries: &mut HashMap<String, (FieldType, FieldType)>,
    depth: usize,
) {
    if depth > MAX_NESTING {
        return;
    }
    if m.options.map_entry() {
        let find = |n: i32| {
            m.field
                .iter()
                .find(|f| f.number() == n)
                .map_or(FieldType::Scalar(Scalar::Bytes), plain_type)
        };
        entries.insert(name.to_owned(), (find(1), find(2)));
    }
    for nested in &m.nested_type {
        collect_map_entries(&qualify(name, nested.name()), nested, entries, depth + 1);
    }
}

/// A field's type, not looking through map entries.
pub(super) fn plain_type(f: &FieldDescriptorProto) -> FieldType {
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
        ProtoType::TYPE_GROUP => return FieldType::Group(name),
        ProtoType::TYPE_MESSAGE => return FieldType::Message(name),
        ProtoType::TYPE_ENUM => return FieldType::Enum(name),
    };
    FieldType::Scalar(scalar)
}

/// Builds the module's view of one file.
pub(super) struct ModuleBuilder<'b> {
    pub(super) module: &'b mut Module,
    pub(super) positions: &'b Positions,
    pub(super) entries: &'b HashMap<String, (FieldType, FieldType)>,
    proto3: bool,
    pub(super) package: &'b str,
    pub(super) file_at: Location,
    /// Names defined twice in the module (two files of one package, say).
    pub(super) duplicates: &'b mut Vec<Diagnostic>,
}

impl ModuleBuilder<'_> {
    /// Whether `name` is not defined yet; records a duplicate otherwise.
    pub(super) fn first_definition(&mut self, name: &str, at: &Location) -> bool {
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
    pub(super) fn at(&self, key: &str, parent: Option<&Location>) -> Location {
        self.positions
            .declarations
            .get(key)
            .or(parent)
            .unwrap_or(&self.file_at)
            .clone()
    }

    pub(super) fn reserved(
        &self,
        key: &str,
        numbers: Vec<(i64, i64)>,
        names: &[String],
    ) -> Reserved {
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

    /// Add message `m` and the messages and enums nested in it, `depth` levels down. The walk
    /// stops at [`MAX_NESTING`] levels (files nested deeper are refused before parsing).
    pub(super) fn message(&mut self, m: &DescriptorProto, parent: Option<&str>, depth: usize) {
        let name = qualify(parent.unwrap_or(self.package), m.name());
        if m.options.map_entry() || depth > MAX_NESTING {
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
            self.message(nested, Some(&name), depth + 1);
        }
        for e in &m.enum_type {
            self.enumeration(e, Some(&name));
        }
    }

    pub(super) fn field(
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
                if let FieldType::Message(entry) = &ty
                    && let Some((k, v)) = self.entries.get(entry)
                {
                    ty = FieldType::Map(Box::new(k.clone()), Box::new(v.clone()));
                    FieldLabel::Map
                } else {
                    FieldLabel::Repeated
                }
            }
            ProtoLabel::LABEL_REQUIRED => FieldLabel::Required,
            ProtoLabel::LABEL_OPTIONAL => {
                let has_presence = !self.proto3
                    || f.proto3_optional()
                    || oneof.is_some()
                    || matches!(ty, FieldType::Message(_) | FieldType::Group(_));
                if has_presence {
                    FieldLabel::Optional
                } else {
                    FieldLabel::Implicit
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

    pub(super) fn enumeration(&mut self, e: &EnumDescriptorProto, parent: Option<&str>) {
        let name = qualify(parent.unwrap_or(self.package), e.name());
        let parent_at = parent.and_then(|p| self.module.messages.get(p).map(|m| m.at.clone()));
        let at = self.at(&name, parent_at.as_ref());
        let values = e
            .value
            .iter()
            .map(|v| EnumValue {
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
