//! Fuzzes the pack reader (entry headers, zlib data, delta chains by offset and by id, delta
//! instructions): pack files are written by whoever made the repository.
//! Run: `cargo +nightly fuzz run pack fuzz/corpus/pack`.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The body is configtrail::fuzzing, shared with the CI test that replays this target's corpus.
fuzz_target!(|data: &[u8]| {
    configtrail::fuzzing::run("pack", data);
});
