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
    "pack",
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
            let _ = crate::history::signing::key_id(data);
        }
        "pack" => pack(data),
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
    let changes = crate::engine::causes::diff(&a.resources, &b.resources);
    for ((rule_id, address), verdict) in verdicts.iter().take(8) {
        let (Verdict::Violation(_), Some(rule)) = (verdict, find(registry(), rule_id)) else {
            continue;
        };
        for change in changes.iter().take(16) {
            let _ = crate::engine::causes::but_for(rule, &b, Some(&a), address, change, true);
        }
    }
}

/// The parties file, and the lookups made on what it accepted.
fn parties(data: &[u8]) {
    if let Ok(p) = crate::evidence::attribution::Parties::parse("parties.yaml", data) {
        let _ = p.of("Alice", "alice@example.com");
        let _ = p.responsible_for("network");
    }
}

/// The deploy log, and the choice of environment on what it accepted.
fn deploys(data: &[u8]) {
    if let Ok(rows) = crate::evidence::deploys::parse("deploys.csv", data) {
        let _ = crate::evidence::deploys::choose_environment("deploys.csv", &rows, None);
        let _ =
            crate::evidence::deploys::choose_environment("deploys.csv", &rows, Some("production"));
    }
}

/// The pack reader on a pack of the fuzzer's making: the first byte is the number of entries
/// (1 to 8), then a 2-byte offset for each into the rest, which is the pack's body. Entry k has
/// the id `[k + 1; 20]`, so a reference delta naming `[1; 20]`…`[8; 20]` names another entry
/// (cycles included). The pack and its version-2 index are written to a directory of their own
/// and every entry is read whole and by header: the reader must decline, not panic or hang.
fn pack(data: &[u8]) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = (n as usize % 8) + 1;
    if rest.len() < 2 * n {
        return;
    }
    let (offsets, body) = rest.split_at(2 * n);
    let mut pack = b"PACK\0\0\0\x02".to_vec();
    pack.extend_from_slice(&(n as u32).to_be_bytes());
    pack.extend_from_slice(body);
    pack.extend_from_slice(&[0u8; 20]);
    let mut idx = vec![0xff, b't', b'O', b'c', 0, 0, 0, 2];
    for b in 0..256u32 {
        let count = (1..=n as u32).filter(|&k| k <= b).count() as u32;
        idx.extend_from_slice(&count.to_be_bytes());
    }
    for k in 1..=n as u8 {
        idx.extend_from_slice(&[k; 20]);
    }
    idx.extend_from_slice(&vec![0u8; 4 * n]);
    for pair in offsets.chunks(2) {
        let at = 12 + u16::from_be_bytes([pair[0], pair[1]]) as u32;
        idx.extend_from_slice(&at.to_be_bytes());
    }
    idx.extend_from_slice(&[0u8; 40]);
    let dir = std::env::temp_dir().join(format!(
        "configtrail-fuzz-pack-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    ));
    let packs = dir.join("pack");
    if std::fs::create_dir_all(&packs).is_ok()
        && std::fs::write(packs.join("pack-fuzz.pack"), &pack).is_ok()
        && std::fs::write(packs.join("pack-fuzz.idx"), &idx).is_ok()
    {
        let mut reader = crate::history::packs::Reader::new(std::sync::Arc::new(
            crate::history::packs::Store::open(&dir),
        ));
        for k in 1..=n as u8 {
            let _ = reader.read(&[k; 20]);
            let _ = reader.read_header(&[k; 20]);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
