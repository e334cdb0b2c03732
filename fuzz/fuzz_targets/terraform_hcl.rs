//! Fuzzes the reader of `net/main.tf` files and the rule engine on what it parsed: no input may panic,
//! hang or exhaust memory. Run: `cargo +nightly fuzz run terraform_hcl fuzz/corpus/terraform_hcl`.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The body is configtrail::fuzzing, shared with the CI test that replays this target's corpus.
fuzz_target!(|data: &[u8]| {
    configtrail::fuzzing::run("terraform_hcl", data);
});
