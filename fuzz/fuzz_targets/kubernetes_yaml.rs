//! Fuzzes the reader of `k8s/app.yaml` files and the rule engine on what it parsed: no input may panic,
//! hang or exhaust memory. Run: `cargo +nightly fuzz run kubernetes_yaml fuzz/corpus/kubernetes_yaml`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let unit = configtrail::formats::parse_unit("k8s/app.yaml", &[("k8s/app.yaml".to_string(), data.to_vec())]);
    let _ = configtrail::rules::evaluate_unit(configtrail::rules::registry(), &unit);
});
