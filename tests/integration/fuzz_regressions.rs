//! Replays the inputs kept under `fuzz/regressions/<target>/` through the same entry points the fuzz targets
//! use, so whatever the fuzzers found (crashes, and edge cases kept from their corpora) stays fixed.

use std::path::Path;

#[test]
fn fuzz_regressions_replay_without_panicking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for target in ["go_mod", "go_source", "pom", "node", "pipeline"] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in entries {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            let text = std::str::from_utf8(&data).ok();
            match (target, text) {
                ("go_mod", Some(text)) => {
                    std::hint::black_box(dockgen::fuzzing::go_mod(text));
                }
                ("go_source", Some(text)) => {
                    std::hint::black_box(dockgen::fuzzing::go_source(text));
                }
                ("pom", Some(text)) => {
                    std::hint::black_box(dockgen::fuzzing::pom(text));
                }
                ("node", Some(text)) => {
                    std::hint::black_box(dockgen::fuzzing::node(text));
                }
                ("pipeline", _) => {
                    std::hint::black_box(dockgen::fuzzing::pipeline(&data));
                }
                _ => {}
            }
            replayed += 1;
        }
    }
    assert!(replayed >= 10, "only {replayed} fuzz regression inputs found");
}
