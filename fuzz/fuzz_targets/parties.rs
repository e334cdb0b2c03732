//! Fuzzes the parties file parser (YAML: parties, people, responsibility matrix), and the lookups
//! made on what it accepted. Run: `cargo +nightly fuzz run parties fuzz/corpus/parties`.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The body is configtrail::fuzzing, shared with the CI test that replays this target's corpus.
fuzz_target!(|data: &[u8]| {
    configtrail::fuzzing::run("parties", data);
});
