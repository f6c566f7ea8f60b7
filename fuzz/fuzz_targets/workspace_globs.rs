#![no_main]
//! Workspace globs over a generated folder tree: linear matching, a bounded walk.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dockgen::fuzzing::workspace_globs(data);
});
