//! Analyses over the [`Graph`](crate::model::Graph). They compute; they never print.

pub mod consumers;
pub mod summary;
