//! Fuzz the backstage reader: any bytes, loaded as `catalog-info.yaml`, give a graph or diagnostics, never a
//! panic, an abort or a hang.

#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::load("catalog-info.yaml", data);
});
