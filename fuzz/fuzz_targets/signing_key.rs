//! Fuzzes the reader of the key a commit signature names (OpenPGP packets, SSH signature blobs):
//! the signature is in the commit, written by whoever made the repository.
//! Run: `cargo +nightly fuzz run signing_key fuzz/corpus/signing_key`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = configtrail::signing::key_id(data);
});
