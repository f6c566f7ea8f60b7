#![no_main]
//! Every stack's text parsers (`dockgen::fuzzing::parsers`, from the stack registry) on arbitrary text: the
//! first byte picks the parser, so a new stack's parsers are fuzzed without a target of their own.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dockgen::fuzzing::any_parser(data);
});
