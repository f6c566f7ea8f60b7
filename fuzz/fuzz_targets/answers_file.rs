#![no_main]
//! dockgen.toml text: parsed, turned into answers, errors shown without quoting the file.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        dockgen::fuzzing::answers_file(text);
    }
});
