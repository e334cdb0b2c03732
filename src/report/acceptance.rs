//! Recorded risk acceptances in the scan report: the optional `suppression` field on an
//! exposure (JSON) and a section of the text report.
//!
//! Takes the scan's JSON (or text) and the acceptances found by [`crate::acceptance`]; adds to
//! each exposure whose finding was suppressed at the window's end `"suppression": {tool, id,
//! rules, reason, file, line, added: {commit, landing, author, committer} | null}`, and re-seals
//! the digest. Exposures without one are left exactly as they were, so a report of a history with
//! no suppressions is byte-identical to what it was before this field existed.

use super::json::{exposure_id, person};
use crate::acceptance::Acceptance;
use crate::scan::ScanResult;
use serde_json::{json, Value as J};
use std::collections::BTreeMap;
use std::fmt::Write;

fn added(scan: &ScanResult, a: &Acceptance) -> J {
    match (a.added_by, a.landing) {
        (Some(c), Some(l)) => {
            let commit = &scan.commits.infos[c];
            let landing = &scan.commits.infos[l];
            json!({
                "commit": commit.id,
                "landing": landing.id,
                "author": person(&commit.author),
                "committer": person(&commit.committer),
                "message": commit.summary,
                "landed_at": landing.committer.at,
            })
        }
        _ => J::Null,
    }
}

pub fn annotate_json(report: &mut J, scan: &ScanResult, acc: &BTreeMap<usize, Acceptance>) {
    if acc.is_empty() {
        return;
    }
    let by_id: BTreeMap<String, &Acceptance> = acc
        .iter()
        .map(|(&w, a)| (exposure_id(scan, &scan.windows[w]), a))
        .collect();
    if let Some(exposures) = report.get_mut("exposures").and_then(J::as_array_mut) {
        for e in exposures {
            let Some(a) = e.get("id").and_then(J::as_str).and_then(|id| by_id.get(id)) else {
                continue;
            };
            let mut s = a.suppression.to_json();
            if let J::Object(m) = &mut s {
                m.insert("added".into(), added(scan, a));
            }
            if let J::Object(m) = e {
                m.insert("suppression".into(), s);
            }
        }
    }
    if let J::Object(m) = report {
        m.remove("digest");
    }
    super::json::seal(report);
}

/// Lines appended to the text report (nothing when no window was suppressed).
pub fn text_section(scan: &ScanResult, acc: &BTreeMap<usize, Acceptance>) -> String {
    let mut out = String::new();
    if acc.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nRecorded risk acceptances (suppressions; the windows above are reported all the same):"
    );
    for (&w, a) in acc {
        let win = &scan.windows[w];
        let s = &a.suppression;
        let who = match (a.added_by, a.landing) {
            (Some(c), Some(_)) => {
                let ci = &scan.commits.infos[c];
                format!(
                    "added by {} <{}> on {} in {}",
                    ci.author.name,
                    ci.author.email,
                    ci.author.at,
                    ci.id.get(..10).unwrap_or(&ci.id)
                )
            }
            _ => "added at or before the oldest readable landing".to_string(),
        };
        let reason = if s.reason.is_empty() {
            "no reason given"
        } else {
            &s.reason
        };
        let _ = writeln!(
            out,
            "  {} {}: {} {} \"{reason}\" at {}:{}, {who}",
            win.rule,
            win.address,
            s.tool.as_str(),
            s.id,
            s.file,
            s.line
        );
    }
    out
}
