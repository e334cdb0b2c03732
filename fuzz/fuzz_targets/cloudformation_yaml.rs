//! Fuzzes the reader of `cfn/stack.yaml` files and the rule engine on what it parsed: no input may panic,
//! hang or exhaust memory. Run: `cargo +nightly fuzz run cloudformation_yaml fuzz/corpus/cloudformation_yaml`.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The body is configtrail::fuzzing, shared with the CI test that replays this target's corpus.
fuzz_target!(|data: &[u8]| {
    configtrail::fuzzing::run("cloudformation_yaml", data);
});
