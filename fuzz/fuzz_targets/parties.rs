//! Fuzzes the parties file parser (YAML: parties, people, responsibility matrix), and the lookups
//! made on what it accepted. Run: `cargo +nightly fuzz run parties fuzz/corpus/parties`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = configtrail::attribution::Parties::parse("parties.yaml", data) {
        let _ = p.of("Alice", "alice@example.com");
        let _ = p.responsible_for("network");
    }
});
