//! Digests as configtrail writes them: lower-case hex, and `sha256:<hex>` tags.
//!
//! Takes bytes; gives their text form. Beside the stages: the ledger of what history read, the
//! rules digest, exposure ids and report digests all name hashes the same way, so a digest in
//! one place can be compared with one in another.

use sha2::{Digest, Sha256};

/// `sha256:<hex>` of some bytes: how reports name a file's or a document's digest.
pub fn sha256_tag(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&<Sha256 as Digest>::digest(bytes)))
}

/// Bytes as lower-case hex, two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
