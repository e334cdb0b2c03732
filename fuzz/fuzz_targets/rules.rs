//! Fuzzes the rule engine on parsed input of every format, and the setting diff between two
//! parses (what scan does between landings): the first byte picks the format, the rest is split
//! at the first NUL into an old and a new version of the file.
//! Run: `cargo +nightly fuzz run rules fuzz/corpus/rules`.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The body is configtrail::fuzzing, shared with the CI test that replays this target's corpus.
fuzz_target!(|data: &[u8]| {
    configtrail::fuzzing::run("rules", data);
});
