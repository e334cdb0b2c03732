//! Fuzzes the reader of the key a commit signature names (OpenPGP packets, SSH signature blobs):
//! the signature is in the commit, written by whoever made the repository.
//! Run: `cargo +nightly fuzz run signing_key fuzz/corpus/signing_key`.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The body is configtrail::fuzzing, shared with the CI test that replays this target's corpus.
fuzz_target!(|data: &[u8]| {
    configtrail::fuzzing::run("signing_key", data);
});
