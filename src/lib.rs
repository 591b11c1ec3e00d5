//! ripple tells a release organisation what a change will break and in which order to ship it.
//!
//! The pipeline:
//!
//! ```text
//! model files ──load──▶ Graph ──analyze──▶ findings ──render──▶ text | json | dot | mermaid
//! ```
//!
//! - [`load`] reads ripple manifests (`ripple.yaml`), Backstage catalogs and graph fragments
//!   into one [`model::Graph`], reporting every problem as a [`source::diagnostic::Diagnostic`] that names
//!   the file, line and column.
//! - [`model`] is the graph: components (`service`, `api`, `topic`, `datastore`, `library`) with
//!   ids `kind:name`, and dependencies (`provides`, `consumes`, `publishes`, `subscribes`,
//!   `reads`, `writes`, `depends-on`, `calls`) carrying evidence.
//! - [`analyze`] computes over the graph; [`render`] formats; [`cli`] wires them to commands.
//!
//! ```
//! let yaml = "services:\n  checkout:\n    consumes: [payments-api]\n  payments:\n    provides: [payments-api]\napis:\n  payments-api: {}\n";
//! let loaded = ripple::load::load_text("ripple.yaml", yaml).unwrap();
//! let graph = &loaded.graph;
//! assert_eq!(graph.component_count(), 3);
//! assert!(graph.get("api:payments-api").is_some());
//! ```

pub mod analyze;
pub mod cli;
pub mod contract;
pub mod load;
pub mod model;
pub mod render;
pub mod source;
pub mod synth;
