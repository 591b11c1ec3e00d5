//! Fuzz the pact reader: any bytes, loaded as `checkout-payments.pact.json`, give a graph or diagnostics, never a
//! panic, an abort or a hang.

#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::load("checkout-payments.pact.json", data);
});
