//! The review report: `configtrail.review/1` JSON, a text summary, and SARIF, for a pull request.
//! (The Markdown comment is in `review_markdown.rs`.)

use super::json::{cause, rule, seal, tool};
use crate::analysis::review::{Finding, ReviewResult};
use crate::engine::semdiff;
use crate::engine::timeline::Window;
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
                "resource": resource(w, f),
                "summary": w.finding.summary,
                "before": f.before,
                "after": f.after,
                "scope": {
                    "before": f.before_scope.as_ref().map(semdiff::scope_json),
                    "after": f.after_scope.as_ref().map(semdiff::scope_json),
                },
                "changes": delta(f),
                "location": f.location,
                "suppression": f.suppression.as_ref().map(|x| x.to_json()),
                "fingerprint": fingerprint(w, f),
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
        "unmatched_suppressions": r.unmatched_suppressions.iter().map(|x| x.to_json()).collect::<Vec<_>>(),
        "blind_spots": super::json::blind_spots(s)
            .as_array()
            .map(|a| a.iter().enumerate()
                .filter(|(i, _)| s.blind_spots[*i].to.is_none_or(|t| t >= r.start))
                .map(|(_, b)| b.clone()).collect::<Vec<_>>())
            .unwrap_or_default(),
        "limitations": crate::analysis::investigation::LIMITATIONS,
    });
    // Raised limits are an input like any other; the defaults are not written, so a report
    // made with them keeps its shape.
    if let Some(limits) = r.limits.recorded() {
        report["inputs"]["limits"] = limits;
    }
    let redaction = s.redactor.options();
    if redaction.show {
        report["inputs"]["show_secrets"] = json!(true);
    }
    if redaction.key.is_some() {
        report["inputs"]["fingerprint_key"] = json!(true);
    }
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
        crate::report::short(&r.merge_base)
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
            f.file
        );
        match (&f.before, &f.after) {
            (Some(b), Some(a)) => {
                let _ = writeln!(out, "           {b} -> {a}");
                for d in delta(f) {
                    let _ = writeln!(out, "           {d}");
                }
            }
            _ => {
                let _ = writeln!(out, "           {}", w.finding.summary);
            }
        }
        if let Some(l) = &f.location {
            let _ = writeln!(out, "           at {}:{} in HEAD", l.file, l.line);
        }
        if let Some(sup) = &f.suppression {
            let _ = writeln!(out, "           SUPPRESSED {}", suppression_line(sup));
        }
        for c in &f.causes {
            let commit = &s.commits.info(c.blamed.commit);
            let _ = writeln!(
                out,
                "           {} <{}> in {} \"{}\": {} at {}:{}{}",
                commit.author.name,
                commit.author.email,
                crate::report::short(&commit.id),
                commit.summary,
                c.summary,
                c.blamed.cited_location().file,
                c.blamed.cited_location().line,
                if c.but_for { " [but-for]" } else { "" }
            );
        }
        out.push('\n');
    }
    let count =
        |c: crate::analysis::review::Change| r.findings.iter().filter(|f| f.change == c).count();
    for sup in &r.unmatched_suppressions {
        let _ = writeln!(
            out,
            "unmatched suppression at {}:{}: {} {} names no configtrail rule",
            sup.file,
            sup.line,
            sup.tool.as_str(),
            sup.id
        );
    }
    let _ = writeln!(
        out,
        "{} introduced, {} widened, {} narrowed, {} fixed, {} suppressed; fails at >= {fail_on}: {}",
        count(crate::analysis::review::Change::Introduced),
        count(crate::analysis::review::Change::Widened),
        count(crate::analysis::review::Change::Narrowed),
        count(crate::analysis::review::Change::Fixed),
        r.findings.iter().filter(|f| f.suppression.is_some()).count(),
        if r.fails(fail_on) { "yes" } else { "no" }
    );
    out
}

/// `tool ID: reason (file:line)`, the way every format shows a suppression.
pub fn suppression_line(sup: &crate::engine::suppress::Suppression) -> String {
    let reason = if sup.reason.is_empty() {
        "no reason given".to_string()
    } else {
        sup.reason.clone()
    };
    format!(
        "by {} {}: {reason} ({}:{})",
        sup.tool.as_str(),
        sup.id,
        sup.file,
        sup.line
    )
}

/// The dimensions a widening or narrowing moved, `networks 10.0.0.0/8 → 0.0.0.0/0`.
pub fn delta(f: &Finding) -> Vec<String> {
    match (&f.before_scope, &f.after_scope) {
        (Some(b), Some(a)) => semdiff::delta(b, a),
        _ => Vec::new(),
    }
}

/// The finding's resource, written with the paths HEAD has (see [`Finding::unit_path`]).
pub fn resource(w: &Window, f: &Finding) -> J {
    let mut j = super::json::resource(w);
    j["unit"] = json!(crate::formats::unit_display(&f.unit_path));
    j["file"] = json!(f.file);
    j
}

/// The finding's stable identity, shared with SARIF and `check` (both name the unit as HEAD has
/// it).
pub fn fingerprint(w: &Window, f: &Finding) -> String {
    super::sarif::fingerprint(
        w.rule,
        "terraform",
        crate::formats::unit_display(&f.unit_path),
        &w.address,
    )
}

/// SARIF for code scanning: the introduced, widened and narrowed findings at file:line in HEAD
/// (a fix is not an alert; its absence closes the alert on the next upload).
pub fn sarif(r: &ReviewResult) -> J {
    let s = &r.scan;
    let findings: Vec<super::sarif::SarifFinding> = r
        .findings
        .iter()
        .filter(|f| f.change != crate::analysis::review::Change::Fixed)
        .map(|f| {
            let w = &s.windows[f.window];
            let mut props = std::collections::BTreeMap::new();
            props.insert("change".to_string(), json!(f.change.as_str()));
            if let (Some(b), Some(a)) = (&f.before, &f.after) {
                props.insert("before".to_string(), json!(b));
                props.insert("after".to_string(), json!(a));
            }
            let commits: Vec<J> = f
                .causes
                .iter()
                .map(|c| {
                    let ci = &s.commits.info(c.blamed.commit);
                    json!({
                        "commit": ci.id, "author": ci.author.name, "email": ci.author.email,
                        "setting": format!("{}.{}", c.blamed.change.address, c.blamed.change.path),
                        "but_for": c.but_for,
                    })
                })
                .collect();
            props.insert("causes".to_string(), J::Array(commits));
            let who = f
                .causes
                .first()
                .map(|c| {
                    let ci = &s.commits.info(c.blamed.commit);
                    format!(" by {} in {}", ci.author.name, crate::report::short(&ci.id))
                })
                .unwrap_or_default();
            let moved = delta(f);
            let what = if moved.is_empty() {
                w.latest.summary.clone()
            } else {
                format!("{} ({})", w.latest.summary, moved.join("; "))
            };
            let (file, line) = f
                .location
                .as_ref()
                .map(|l| (l.file.clone(), l.line))
                .unwrap_or_else(|| (f.file.clone(), 0));
            super::sarif::SarifFinding {
                rule: w.rule,
                format: "terraform",
                unit: crate::formats::unit_display(&f.unit_path).to_string(),
                address: w.address.clone(),
                message: format!("{} {}: {what}{who}", w.address, f.change.as_str()),
                file,
                line,
                suppression: f.suppression.clone(),
                properties: props,
            }
        })
        .collect();
    super::sarif::render(s.rules, &findings)
}
