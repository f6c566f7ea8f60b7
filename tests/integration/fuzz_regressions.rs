//! Replays the inputs kept under `fuzz/regressions/<target>/` through the same entry points the fuzz targets
//! use, so whatever the fuzzers found (crashes, and edge cases kept from their corpora) stays fixed.

use std::path::Path;

#[test]
fn fuzz_regressions_replay_without_panicking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let parsers: Vec<&str> = dockgen::fuzzing::parsers().map(|parser| parser.name).collect();
    let mut replayed = 0;
    for folder in std::fs::read_dir(&root).unwrap() {
        let folder = folder.unwrap().path();
        let target = folder.file_name().unwrap().to_string_lossy().into_owned();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            match target.as_str() {
                "pipeline" => {
                    std::hint::black_box(dockgen::fuzzing::pipeline(&data));
                }
                "parsers" => {
                    std::hint::black_box(dockgen::fuzzing::any_parser(&data));
                }
                // A stack's parser: fed as its fuzz target feeds it, UTF-8 only.
                name if parsers.contains(&name) => {
                    if let Ok(text) = std::str::from_utf8(&data) {
                        std::hint::black_box(dockgen::fuzzing::parse(name, text));
                    }
                }
                other => panic!("fuzz/regressions/{other}/ names no fuzz entry point"),
            }
            replayed += 1;
        }
    }
    assert!(replayed >= 10, "only {replayed} fuzz regression inputs found");
}
