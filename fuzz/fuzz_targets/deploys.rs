//! Fuzzes the deploy-log CSV parser and the choice of environment on what it accepted.
//! Run: `cargo +nightly fuzz run deploys fuzz/corpus/deploys`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = configtrail::deploys::parse("deploys.csv", data) {
        let _ = configtrail::deploys::choose_environment("deploys.csv", &rows, None);
        let _ = configtrail::deploys::choose_environment("deploys.csv", &rows, Some("production"));
    }
});
