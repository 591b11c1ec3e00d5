//! Shared by the fuzz targets: readers that take files get them in a scratch directory of this
//! process, written anew for each input.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// This process's scratch directory (under the system temp dir, removed by the OS).
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ripple-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        dir
    })
}

/// The input split in two (the first byte says where), for readers that compare an old and a new
/// side.
pub fn halves(data: &[u8]) -> (&[u8], &[u8]) {
    match data.split_first() {
        None => (&[], &[]),
        Some((&cut, rest)) => rest.split_at(cut as usize * rest.len() / 255),
    }
}

/// Write both sides to `old.EXT` and `new.EXT` and diff them with every check of the CLI.
pub fn diff<F: ripple::contract::Differ>(data: &[u8], ext: &str) {
    let (old, new) = halves(data);
    let old_path = scratch().join(format!("old.{ext}"));
    let new_path = scratch().join(format!("new.{ext}"));
    std::fs::write(&old_path, old).expect("scratch write");
    std::fs::write(&new_path, new).expect("scratch write");
    let options = ripple::contract::DiffOptions::new(jiff::civil::date(2026, 11, 30));
    let _ = ripple::contract::diff_as::<F>(&old_path, &new_path, &options);
}

/// Load model text under `name` (its name selects the reader).
pub fn load(name: &str, data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ripple::load::load_text(name, text);
    }
}
