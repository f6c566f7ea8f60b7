#![no_main]
//! package.json and lockfile JSON, Node version strings, workspace files, framework configs, npm scripts and
//! JS/TS sources must take any text without panicking; so must the .dockerignore merge.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        dockgen::fuzzing::parse("node", text);
        dockgen::fuzzing::ignore_file(text);
    }
});
