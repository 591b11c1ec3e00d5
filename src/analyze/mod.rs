//! Analyses over the [`Graph`](crate::model::Graph). They compute; they never print.

pub mod check;
pub mod consumers;
pub mod deprecations;
pub mod rules;
pub mod skew;
pub mod summary;
