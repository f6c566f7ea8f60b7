#![no_main]
//! Maven `${}` property expansion: bounded in depth, steps and size whatever the values.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        dockgen::fuzzing::parse("maven_properties", text);
    }
});
