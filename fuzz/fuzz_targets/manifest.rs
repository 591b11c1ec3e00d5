//! Fuzz the manifest reader: any bytes, loaded as `ripple.yaml`, give a graph or diagnostics, never a
//! panic, an abort or a hang.

#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::load("ripple.yaml", data);
});
