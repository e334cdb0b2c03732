//! Replays every fuzz seed and every input that once crashed a fuzz target (`fuzz/corpus/<t>/`,
//! `fuzz/artifacts/<t>/`) through the same entry point the target uses: the fuzzers are not part
//! of CI, but what they found stays found.

use std::path::Path;

#[test]
fn every_fuzz_seed_and_crash_input_runs_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut ran = 0;
    for target in configtrail::fuzzing::TARGETS {
        for dir in ["corpus", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
                continue;
            };
            for e in entries.flatten() {
                let bytes = std::fs::read(e.path()).expect("readable");
                assert!(configtrail::fuzzing::run(target, &bytes), "{target}");
                ran += 1;
            }
        }
    }
    // Every target has seeds: a renamed target or a lost corpus fails here, not silently.
    for target in configtrail::fuzzing::TARGETS {
        let seeds = std::fs::read_dir(root.join("corpus").join(target))
            .map(|d| d.count())
            .unwrap_or(0);
        assert!(seeds > 0, "no seeds for {target}");
    }
    assert!(ran >= configtrail::fuzzing::TARGETS.len());
    assert!(!configtrail::fuzzing::run("no-such-target", b""));
}
