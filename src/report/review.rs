//! The review report: `configtrail.review/1` JSON and a text summary for a pull request.

use super::json::{cause, resource, rule, seal, tool};
use crate::review::ReviewResult;
use crate::rules::Severity;
use serde_json::{json, Value as J};
use std::fmt::Write;

pub const SCHEMA: &str = "configtrail.review/1";

pub fn json(r: &ReviewResult, fail_on: Severity) -> J {
    let s = &r.scan;
    let findings: Vec<J> = r
        .findings
        .iter()
        .map(|f| {
            let w = &s.windows[f.window];
            json!({
                "change": f.change.as_str(),
                "rule": rule(s, w.rule),
                "resource": resource(w),
                "summary": w.finding.summary,
                "before": f.before,
                "after": f.after,
                "causes": f.causes.iter().map(|c| cause(s, c)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut report = json!({
        "schema": SCHEMA,
        "tool": tool(),
        "inputs": {
            "repository": s.repository,
            "range": r.range,
            "base": r.base,
            "head": r.head,
            "merge_base": r.merge_base,
            "landings": s.landings.len() - r.start,
            "rules": {"count": s.rules.len(), "digest": crate::rules::digest(s.rules)},
            "fail_on": fail_on,
        },
        "findings": findings,
        "fails": r.fails(fail_on),
        "blind_spots": super::json::blind_spots(s)
            .as_array()
            .map(|a| a.iter().enumerate()
                .filter(|(i, _)| s.blind_spots[*i].to.is_none_or(|t| t >= r.start))
                .map(|(_, b)| b.clone()).collect::<Vec<_>>())
            .unwrap_or_default(),
    });
    seal(&mut report);
    report
}

pub fn text(r: &ReviewResult, fail_on: Severity) -> String {
    let s = &r.scan;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "configtrail review {} in {}: {} landing{} in range (merge base {})\n",
        r.range,
        s.repository,
        s.landings.len() - r.start,
        if s.landings.len() - r.start == 1 {
            ""
        } else {
            "s"
        },
        r.merge_base.get(..10).unwrap_or(&r.merge_base)
    );
    for f in &r.findings {
        let w = &s.windows[f.window];
        let sev = r
            .severity(f)
            .map(|s| s.as_str().to_uppercase())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<10} {sev:<8} {}  {}  ({})",
            f.change.as_str().to_uppercase(),
            w.rule,
            w.address,
            w.file
        );
        match (&f.before, &f.after) {
            (Some(b), Some(a)) => {
                let _ = writeln!(out, "           {b} -> {a}");
            }
            _ => {
                let _ = writeln!(out, "           {}", w.finding.summary);
            }
        }
        for c in &f.causes {
            let commit = &s.commits.infos[c.blamed.commit];
            let _ = writeln!(
                out,
                "           {} <{}> in {} \"{}\": {} at {}:{}{}",
                commit.author.name,
                commit.author.email,
                commit.id.get(..10).unwrap_or(&commit.id),
                commit.summary,
                c.summary,
                c.blamed.change.location.file,
                c.blamed.change.location.line,
                if c.but_for { " [but-for]" } else { "" }
            );
        }
        out.push('\n');
    }
    let count = |c: crate::review::Change| r.findings.iter().filter(|f| f.change == c).count();
    let _ = writeln!(
        out,
        "{} introduced, {} widened, {} fixed; fails at >= {fail_on}: {}",
        count(crate::review::Change::Introduced),
        count(crate::review::Change::Widened),
        count(crate::review::Change::Fixed),
        if r.fails(fail_on) { "yes" } else { "no" }
    );
    out
}
