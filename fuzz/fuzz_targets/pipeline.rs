#![no_main]
//! The whole detect → answers → render pipeline on a generated repository: no panic, and no rendered
//! Dockerfile with an instruction dockgen never writes.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dockgen::fuzzing::pipeline(data);
});
