//! The JSON report, `configtrail.report/1`, as DESIGN.md specifies it (a public contract: fields
//! are added, never renamed or dropped).
//!
//! Keys are written sorted, with no wall-clock time and no absolute path the user did not give,
//! so the same input gives byte-identical output; `digest` is the SHA-256 of the canonical
//! (compact, sorted) JSON of everything else in the report, so any edit to a report shows.

use crate::history::{seconds_of, Person};
use crate::scan::ScanResult;
use crate::timeline::{Cause, Window};
use serde_json::{json, Value as J};
use sha2::{Digest, Sha256};

pub const SCHEMA: &str = "configtrail.report/1";

pub fn tool() -> J {
    json!({"name": "configtrail", "version": env!("CARGO_PKG_VERSION")})
}

pub fn person(p: &Person) -> J {
    json!({"name": p.name, "email": p.email, "at": p.at})
}

/// A cause or remediation in the shape DESIGN.md gives.
pub fn cause(r: &ScanResult, c: &Cause) -> J {
    let commit = &r.commits.infos[c.blamed.commit];
    let landing = &r.commits.infos[c.blamed.landing_commit];
    let merged_by = (landing.parents.len() > 1).then(|| person(&landing.committer));
    let ch = &c.blamed.change;
    json!({
        "commit": commit.id,
        "landing": landing.id,
        "author": person(&commit.author),
        "committer": person(&commit.committer),
        "merged_by": merged_by,
        "signed": commit.signature.is_some(),
        "signature": commit.signature,
        "trailers": commit.trailers,
        "party": J::Null,
        "responsible_party": J::Null,
        "address": ch.address,
        "file": ch.location.file,
        "line": ch.location.line,
        "setting": ch.path.to_string(),
        "before": ch.before.as_ref().map(|v| v.to_json()),
        "after": ch.after.as_ref().map(|v| v.to_json()),
        "but_for": c.but_for,
        "summary": c.summary,
        "message": commit.summary,
    })
}

fn landing_ref(r: &ScanResult, li: usize) -> J {
    let c = r.landing_commit(li);
    json!({"landing": c.id, "landed_at": c.committer.at, "deployed_at": J::Null})
}

/// A stable id: the rule, the resource's identity and the opening landing.
pub fn exposure_id(r: &ScanResult, w: &Window) -> String {
    let mut h = Sha256::new();
    for part in [
        w.rule,
        crate::rules::format_of(w.rule).as_str(),
        &w.unit_id,
        &w.address,
        &r.landing_commit(w.opened).id,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    crate::rules::hex(&h.finalize()[..8])
}

/// Seconds from the opening landing to the closing one (or to the tip), never negative.
pub fn duration_seconds(r: &ScanResult, w: &Window) -> i64 {
    let at = |li: usize| {
        seconds_of(&r.landing_commit(li).committer.at)
            .unwrap_or(r.landing_commit(li).committer.seconds)
    };
    let end = w.closed.unwrap_or(r.landings.len().saturating_sub(1));
    (at(end) - at(w.opened)).max(0)
}

/// The `rule` object of reports.
pub fn rule(r: &ScanResult, id: &str) -> J {
    match crate::rules::find(r.rules, id).map(|rule| &rule.meta) {
        Some(m) => json!({
            "id": m.id, "title": m.title, "severity": m.severity, "category": m.category,
            "standards": m.standards,
        }),
        None => json!({"id": id}),
    }
}

/// The `resource` object of reports.
pub fn resource(w: &Window) -> J {
    json!({
        "format": crate::rules::format_of(w.rule),
        "unit": crate::formats::unit_display(&w.unit_path),
        "file": w.file,
        "address": w.address,
    })
}

pub fn exposure(r: &ScanResult, w: &Window) -> J {
    json!({
        "id": exposure_id(r, w),
        "rule": rule(r, w.rule),
        "resource": resource(w),
        "summary": w.finding.summary,
        "opened": landing_ref(r, w.opened),
        "closed": w.closed.map(|c| landing_ref(r, c)),
        "open_at_tip": w.closed.is_none(),
        "duration_seconds": duration_seconds(r, w),
        "causes": w.causes.iter().map(|c| cause(r, c)).collect::<Vec<_>>(),
        "widenings": w.widenings.iter().map(|wd| json!({
            "landing": r.landing_commit(wd.landing).id,
            "landed_at": r.landing_commit(wd.landing).committer.at,
            "before": wd.before, "after": wd.after,
            "causes": wd.causes.iter().map(|c| cause(r, c)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "remediation": w.remediation.as_ref().map(|c| cause(r, c)),
    })
}

pub fn blind_spots(r: &ScanResult) -> J {
    J::Array(
        r.blind_spots
            .iter()
            .map(|b| {
                json!({
                    // A blind spot of the history itself (a shallow clone) names no unit.
                    "unit": if b.unit.is_empty() && b.file.is_empty() { "" } else { crate::formats::unit_display(&b.unit) },
                    "file": b.file,
                    "from_landing": r.landing_commit(b.from).id,
                    "to_landing": b.to.map(|t| r.landing_commit(t).id.clone()),
                    "reason": b.reason,
                })
            })
            .collect(),
    )
}

/// The windows in report order: by opening landing, then rule, unit and address.
pub fn ordered(r: &ScanResult) -> Vec<&Window> {
    let mut ws: Vec<&Window> = r.windows.iter().collect();
    ws.sort_by(|a, b| {
        (a.opened, a.rule, &a.unit_id, &a.address).cmp(&(b.opened, b.rule, &b.unit_id, &b.address))
    });
    ws
}

pub fn scan_report(r: &ScanResult) -> J {
    let mut report = json!({
        "schema": SCHEMA,
        "tool": tool(),
        "inputs": {
            "repository": r.repository,
            "ref": r.reference,
            "head": r.head,
            "landings": r.landings.len(),
            "rules": {"count": r.rules.len(), "digest": crate::rules::digest(r.rules)},
            "parties": J::Null,
            "deploys": J::Null,
            "options": {"at": J::Null, "since": J::Null, "until": J::Null},
        },
        "exposures": ordered(r).into_iter().map(|w| exposure(r, w)).collect::<Vec<_>>(),
        "blind_spots": blind_spots(r),
        "anomalies": r.anomalies,
    });
    seal(&mut report);
    report
}

/// Adds `digest` over the canonical form of the rest.
pub fn seal(report: &mut J) {
    let d = super::canonical_digest(report);
    if let J::Object(m) = report {
        m.insert("digest".into(), J::String(d));
    }
}

/// Pretty JSON with a trailing newline.
pub fn render(v: &J) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}
