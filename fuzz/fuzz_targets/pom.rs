#![no_main]
//! go.mod/go.work, Go source and pom.xml parsers must take any text without panicking.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        dockgen::fuzzing::pom(text);
    }
});
