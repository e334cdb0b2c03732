//! Fuzzes the reader of `cfn/stack.yaml` files and the rule engine on what it parsed: no input may panic,
//! hang or exhaust memory. Run: `cargo +nightly fuzz run cloudformation_yaml fuzz/corpus/cloudformation_yaml`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let unit = configtrail::formats::parse_unit("cfn/stack.yaml", &[("cfn/stack.yaml".to_string(), data.to_vec())]);
    let _ = configtrail::rules::evaluate_unit(configtrail::rules::registry(), &unit);
});
