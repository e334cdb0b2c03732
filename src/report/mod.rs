//! Reports: views of a scan or review result, one file per format.
//!
//! Takes a [`crate::engine::scan::ScanResult`] (or a review); gives text for a terminal or the JSON
//! contract of DESIGN.md. Every format reads the same result; none computes anything of its own
//! beyond presentation, so formats cannot disagree.

pub mod acceptance;
pub mod check;
pub mod dot;
pub mod history;
pub mod html;
pub mod json;
pub mod markdown;
pub mod review;
pub mod review_markdown;
pub mod sarif;
pub mod text;
pub mod verify;

/// `sha256:<hex>` of the canonical form of a JSON value: keys sorted (serde_json's default map
/// is ordered), no whitespace. The report's own `digest` field is computed over everything else.
pub fn canonical_digest(v: &serde_json::Value) -> String {
    crate::digest::sha256_tag(&serde_json::to_vec(v).unwrap_or_default())
}

/// A person of a commit record in the JSON contract: the one writer the scan report and the
/// acceptances both call, so the two cannot disagree on a person's shape.
pub fn person(p: &crate::history::Person) -> serde_json::Value {
    serde_json::json!({"name": p.name, "email": p.email, "at": p.at})
}

/// What a person must know of a window's object beyond its address, in words, or nothing for
/// a single object in one file: the JSON `identity` field (`copied`, `ambiguous`) said out.
pub fn identity_note(w: &crate::engine::timeline::Window) -> Option<String> {
    match w.identity() {
        "ambiguous" => Some(format!(
            "ambiguous: a copy of this object under the same identity in another file disagrees \
             with it, and each copy's window is its own (held in {})",
            w.files.join(", ")
        )),
        "copied" => Some(format!(
            "copied: one object held in {}, open while any copy still violates",
            w.files.join(", ")
        )),
        _ => None,
    }
}

/// A commit id as people read it: its first ten hex digits.
pub fn short(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

/// Human duration: "12 days 3 hours".
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    let plural = |n: i64, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (d, h, m) {
        (0, 0, m) => plural(m, "minute"),
        (0, h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
        (d, h, _) => format!("{} {}", plural(d, "day"), plural(h, "hour")),
    }
}
