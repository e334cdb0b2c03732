//! Fuzzing entry points: one function per reader of untrusted input, shared by the cargo-fuzz
//! targets in `fuzz/` and by the test that replays their corpus and crash inputs in CI
//! (`tests/fuzz_corpus.rs`), so a regression input exercises exactly what the fuzzer did.
//!
//! Each takes arbitrary bytes and must return without panicking, in bounded time and memory.
//! Not part of the tool's interface: hidden from the docs, and free to change with the targets.
#![doc(hidden)]

use crate::formats::parse_unit;
use crate::rules::{evaluate_unit, find, registry, Verdict};

/// The targets, by name (the names of `fuzz/fuzz_targets/*.rs` and `fuzz/corpus/*`).
pub const TARGETS: &[&str] = &[
    "terraform_hcl",
    "terraform_json",
    "kubernetes_yaml",
    "cloudformation_yaml",
    "cloudformation_json",
    "rules",
    "parties",
    "deploys",
    "signing_key",
];

/// Runs target `name` on `data`; false for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "terraform_hcl" => unit_and_rules("net", "net/main.tf", data),
        "terraform_json" => unit_and_rules("net", "net/main.tf.json", data),
        "kubernetes_yaml" => unit_and_rules("k8s/app.yaml", "k8s/app.yaml", data),
        "cloudformation_yaml" => unit_and_rules("cfn/stack.yaml", "cfn/stack.yaml", data),
        "cloudformation_json" => unit_and_rules("cfn/stack.json", "cfn/stack.json", data),
        "rules" => rules(data),
        "parties" => parties(data),
        "deploys" => deploys(data),
        "signing_key" => {
            let _ = crate::signing::key_id(data);
        }
        _ => return false,
    }
    true
}

/// A file read as the only file of its unit, then every rule on the unit.
fn unit_and_rules(unit: &str, file: &str, data: &[u8]) {
    let u = parse_unit(unit, &[(file.to_string(), data.to_vec())]);
    let _ = evaluate_unit(registry(), &u);
}

const FILES: [(&str, &str); 5] = [
    ("net", "net/main.tf"),
    ("net", "net/main.tf.json"),
    ("k8s/app.yaml", "k8s/app.yaml"),
    ("cfn/stack.yaml", "cfn/stack.yaml"),
    ("cfn/stack.json", "cfn/stack.json"),
];

/// The rule engine as a scan runs it between two landings: the first byte picks the format, the
/// rest is an old and a new version of the file split at the first NUL; rules on both, the
/// setting diff, and the but-for test (undo each change, judge again) on the first violations.
fn rules(data: &[u8]) {
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
    let changes = crate::causes::diff(&a.resources, &b.resources);
    for ((rule_id, address), verdict) in verdicts.iter().take(8) {
        let (Verdict::Violation(_), Some(rule)) = (verdict, find(registry(), rule_id)) else {
            continue;
        };
        for change in changes.iter().take(16) {
            let _ = crate::causes::but_for(rule, &b, Some(&a), address, change, true);
        }
    }
}

/// The parties file, and the lookups made on what it accepted.
fn parties(data: &[u8]) {
    if let Ok(p) = crate::attribution::Parties::parse("parties.yaml", data) {
        let _ = p.of("Alice", "alice@example.com");
        let _ = p.responsible_for("network");
    }
}

/// The deploy log, and the choice of environment on what it accepted.
fn deploys(data: &[u8]) {
    if let Ok(rows) = crate::deploys::parse("deploys.csv", data) {
        let _ = crate::deploys::choose_environment("deploys.csv", &rows, None);
        let _ = crate::deploys::choose_environment("deploys.csv", &rows, Some("production"));
    }
}
