//! Fuzz the protobuf contract reader and comparison: any two inputs (the first byte splits the
//! data into an old and a new side) give a diff or errors, never a panic, an abort or a hang.

#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::diff::<ripple::contract::proto::Protobuf>(data, "proto");
});
