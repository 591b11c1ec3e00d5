//! End-to-end tests: the `ripple` binary run on the fixtures, compared with expectations written
//! from what the fixtures mean.

mod contracts;
mod deploy;
mod diff;
mod docs;
mod export;
mod hostile_openapi;
mod inputs;
mod merge;
mod robustness;
mod summary;
mod util;
mod validation;
