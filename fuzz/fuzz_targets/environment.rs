//! Fuzz the environment-state reader (`environments/*.yaml`): any bytes give a state or
//! diagnostics, never a panic, an abort or a hang.

#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::scratch().join("production.yaml");
    std::fs::write(&path, data).expect("scratch write");
    let _ = ripple::load::environments::read(&[path], None);
});
