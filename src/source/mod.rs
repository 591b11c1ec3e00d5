//! The base layer: reading text files, YAML and JSON with positions, and the diagnostics that
//! name a place in a file.
//!
//! Everything above (model, contract, load, analyze, plan, render, cli) may use this module; it
//! uses nothing of ripple's own, so that any part can report a `file:line:col` without importing
//! another part. An architecture test (`tests/integration/architecture.rs`) keeps it that way.

pub mod boundary;
pub mod diagnostic;
pub mod file;
pub mod json_locate;
pub mod path;
pub mod suggest;
pub mod yaml;
pub mod yaml_reader;
