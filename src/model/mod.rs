//! The graph model: components, dependencies, versions and the [`Graph`] that holds them.
//!
//! The model knows nothing about files: loaders (`crate::load`) build it and renderers
//! (`crate::render`) print it.

mod component;
mod deployments;
mod graph;
mod kind;

pub use component::{
    Attributes, Component, Dependency, Evidence, IdError, Policies, SystemInfo, check_name,
    component_id, parse_date, parse_id, parse_requirement, parse_version,
};
pub use deployments::{ALL_REGIONS, Deployments};
pub use graph::{ComponentIndex, DependencyDirection, DependencyIndex, DependencyRef, Graph};
pub use kind::{DependencyKind, Kind, UnknownDependencyKind, UnknownKind};
