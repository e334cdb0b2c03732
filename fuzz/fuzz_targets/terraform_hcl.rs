//! Fuzzes the reader of `net/main.tf` files and the rule engine on what it parsed: no input may panic,
//! hang or exhaust memory. Run: `cargo +nightly fuzz run terraform_hcl fuzz/corpus/terraform_hcl`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let unit = configtrail::formats::parse_unit("net", &[("net/main.tf".to_string(), data.to_vec())]);
    let _ = configtrail::rules::evaluate_unit(configtrail::rules::registry(), &unit);
});
