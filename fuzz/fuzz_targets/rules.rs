//! Fuzzes the rule engine on parsed input of every format, and the setting diff between two
//! parses (what scan does between landings): the first byte picks the format, the rest is split
//! at the first NUL into an old and a new version of the file.
//! Run: `cargo +nightly fuzz run rules fuzz/corpus/rules`.
#![no_main]

use configtrail::formats::parse_unit;
use configtrail::causes::but_for;
use configtrail::rules::{evaluate_unit, find, registry, Verdict};
use libfuzzer_sys::fuzz_target;

const FILES: [(&str, &str); 5] = [
    ("net", "net/main.tf"),
    ("net", "net/main.tf.json"),
    ("k8s/app.yaml", "k8s/app.yaml"),
    ("cfn/stack.yaml", "cfn/stack.yaml"),
    ("cfn/stack.json", "cfn/stack.json"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (unit, file) = FILES[usize::from(selector) % FILES.len()];
    let (old, new) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, rest),
    };
    let a = parse_unit(unit, &[(file.to_string(), old.to_vec())]);
    let b = parse_unit(unit, &[(file.to_string(), new.to_vec())]);
    let _ = evaluate_unit(registry(), &a);
    let verdicts = evaluate_unit(registry(), &b);
    // The cause analysis scan runs on each violation: undo each change, judge again.
    let changes = configtrail::causes::diff(&a.resources, &b.resources);
    for ((rule_id, address), verdict) in verdicts.iter().take(8) {
        let (Verdict::Violation(_), Some(rule)) = (verdict, find(registry(), rule_id)) else {
            continue;
        };
        for change in changes.iter().take(16) {
            let _ = but_for(rule, &b, Some(&a), address, change, true);
        }
    }
});
