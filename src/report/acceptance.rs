//! Recorded risk acceptances in the scan reports: the optional `suppression` field of an exposure
//! (JSON) and its one-line description (text, Markdown, HTML).
//!
//! Takes an acceptance found by [`crate::engine::acceptance`]; gives `"suppression": {tool, id, rules,
//! reason, file, line, added: {commit, landing, author, committer} | null}`. The JSON report adds
//! it only to exposures whose finding was suppressed at the window's end, so a report of a history
//! with no suppressions keeps its shape.

use super::person;
use crate::engine::acceptance::Acceptance;
use crate::engine::scan::ScanResult;
use serde_json::{json, Value as J};

fn added(scan: &ScanResult, a: &Acceptance) -> J {
    match (a.added_by, a.landing) {
        (Some(c), Some(l)) => {
            let commit = &scan.commits.info(c);
            let landing = &scan.commits.info(l);
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

/// The `suppression` object of an exposure.
pub fn suppression_json(scan: &ScanResult, a: &Acceptance) -> J {
    let mut s = a.suppression.to_json();
    if let J::Object(m) = &mut s {
        m.insert("added".into(), added(scan, a));
    }
    s
}

/// One line for people: the suppression, its reason, who added it and when.
pub fn describe(scan: &ScanResult, a: &Acceptance) -> String {
    let s = &a.suppression;
    let who = match (a.added_by, a.landing) {
        (Some(c), Some(_)) => {
            let ci = &scan.commits.info(c);
            format!(
                "added by {} <{}> on {} in {}",
                ci.author.name,
                ci.author.email,
                ci.author.at,
                crate::report::short(&ci.id)
            )
        }
        _ => "added at or before the oldest readable landing".to_string(),
    };
    let reason = if s.reason.is_empty() {
        "no reason given"
    } else {
        &s.reason
    };
    format!(
        "{} {} \"{reason}\" at {}:{}, {who}",
        s.tool.as_str(),
        s.id,
        s.file,
        s.line
    )
}
