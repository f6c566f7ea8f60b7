#![no_main]
//! The parser of this name (`dockgen::fuzzing::parsers`) must take any text without panicking.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        dockgen::fuzzing::parse("go_source", text);
    }
});
