//! proto contracts. Not implemented yet: `ripple diff` reports them as unsupported.

use std::path::Path;

use super::{ContractErrors, Diff, Format, Rule};

pub const RULES: &[Rule] = &[];

pub fn diff_paths(old: &Path, _new: &Path) -> Result<Diff, ContractErrors> {
    Err(super::unsupported(old, Format::Protobuf))
}
