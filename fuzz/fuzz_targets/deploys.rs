//! Fuzzes the deploy-log CSV parser and the choice of environment on what it accepted.
//! Run: `cargo +nightly fuzz run deploys fuzz/corpus/deploys`.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The body is configtrail::fuzzing, shared with the CI test that replays this target's corpus.
fuzz_target!(|data: &[u8]| {
    configtrail::fuzzing::run("deploys", data);
});
