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

mod compare;
mod from_descriptors;
mod model;
mod parse;
mod positions;
pub mod rules;
#[cfg(test)]
mod tests;

use std::path::Path;

use super::{Change, ContractErrors, ContractFormat};
use crate::source::boundary::Boundary;
use crate::source::diagnostic::Location;
use compare::Comparison;
pub use model::Module;

pub use rules::RULES;

/// Protobuf: `.proto` files or modules of them.
pub struct Protobuf;

impl super::Differ for Protobuf {
    const FORMAT: ContractFormat = ContractFormat::Protobuf;
    type Contract = Module;

    fn load(path: &Path, options: &super::DiffOptions) -> Result<Module, ContractErrors> {
        Module::load(path, &options.boundary)
    }

    fn compare(
        old: &Module,
        new: &Module,
        _options: &super::DiffOptions,
    ) -> Result<Vec<Change>, ContractErrors> {
        let mut comparison = Comparison {
            old,
            new,
            changes: Vec::new(),
        };
        comparison.compare();
        Ok(comparison.changes)
    }
}

/// A deprecated rpc (or every rpc of a deprecated service) of a proto contract, for deprecation
/// deprecations: its element (`pkg.Service/Rpc`) and where it is declared. Imports are read
/// wherever they lead: the caller names the contract in a model the user wrote.
pub(crate) fn deprecated_rpcs(
    path: &Path,
    boundary: &Boundary,
) -> Result<Vec<(String, Location)>, ContractErrors> {
    let module = Module::load(path, boundary)?;
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
