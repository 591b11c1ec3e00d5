//! End-to-end tests: the `ripple` binary run on the fixtures, compared with expectations written
//! from what the fixtures mean; and the benches' synthetic organisations (`synth`), loaded.

mod architecture;
mod cli;
mod contracts;
mod deploy;
mod diff;
mod docs;
mod export;
mod hostile;
mod hostile_openapi;
mod hostile_proto;
mod hostile_sql;
mod inputs;
mod merge;
mod record;
mod robustness;
mod summary;
mod synth;
mod util;
mod validation;
