//! The check report: `configtrail.check/1` JSON (DESIGN.md), text, and SARIF.
//!
//! Takes a [`CheckResult`]; gives its views. The JSON keeps DESIGN.md's fields (`rule`,
//! `resource`, `evidence` of `setting`/`value`/`file`/`line`, `blind_spots`, `digest`) and adds
//! `summary`, `suppression`, `fingerprint`, `unmatched_suppressions` and `fails`. Paths are
//! relative to the PATH given, which is recorded as given: no absolute path the user did not type.

use super::json::{seal, tool};
use crate::analysis::check::{CheckFinding, CheckResult};
use crate::rules::Severity;
use serde_json::{json, Value as J};
use std::fmt::Write;

pub const SCHEMA: &str = "configtrail.check/1";

fn fingerprint(f: &CheckFinding) -> String {
    super::sarif::fingerprint(
        f.rule,
        f.format,
        crate::formats::unit_display(&f.unit),
        &f.address,
    )
}

/// The `rule` object, as the scan and review reports write it.
fn rule_meta(rules: &[crate::rules::Rule], id: &str) -> J {
    match crate::rules::find(rules, id).map(|rule| &rule.meta) {
        Some(m) => json!({
            "id": m.id, "title": m.title, "severity": m.severity, "category": m.category,
            "standards": m.standards,
        }),
        None => json!({"id": id}),
    }
}

pub fn json(r: &CheckResult, fail_on: Severity) -> J {
    let findings: Vec<J> = r
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": rule_meta(r.rules, f.rule),
                "resource": {
                    "format": f.format,
                    "unit": crate::formats::unit_display(&f.unit),
                    "file": f.location.file,
                    "line": f.location.line,
                    "address": f.address,
                },
                "summary": f.summary,
                "evidence": f.evidence.iter().map(|e| json!({
                    "address": e.address,
                    "setting": e.setting,
                    "value": e.value.as_ref().map(|v| v.to_json()),
                    "file": e.location.file,
                    "line": e.location.line,
                })).collect::<Vec<_>>(),
                "suppression": f.suppression.as_ref().map(|s| s.to_json()),
                "fingerprint": fingerprint(f),
            })
        })
        .collect();
    let mut report = json!({
        "schema": SCHEMA,
        "tool": tool(),
        "inputs": {
            "path": r.path,
            "paths": r.paths,
            "files": r.files,
            "units": r.units,
            "rules": {"count": r.rules.len(), "digest": crate::rules::digest(r.rules)},
            "fail_on": fail_on,
        },
        "findings": findings,
        "blind_spots": r.blind_spots.iter().map(|b| json!({
            "unit": crate::formats::unit_display(&b.unit),
            "file": b.file,
            "reason": b.reason,
        })).collect::<Vec<_>>(),
        "unmatched_suppressions": r.unmatched_suppressions.iter().map(|s| s.to_json()).collect::<Vec<_>>(),
        "fails": r.fails(fail_on),
        "limitations": crate::analysis::investigation::CHECK_LIMITATIONS,
    });
    // Raised limits are an input like any other; the defaults are not written.
    if let Some(limits) = r.limits.recorded() {
        report["inputs"]["limits"] = limits;
    }
    if r.redaction.show {
        report["inputs"]["show_secrets"] = json!(true);
    }
    if r.redaction.key.is_some() {
        report["inputs"]["fingerprint_key"] = json!(true);
    }
    seal(&mut report);
    report
}

pub fn text(r: &CheckResult, fail_on: Severity) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "configtrail check {}: {} file{} in {} unit{}\n",
        r.paths.join(" "),
        r.files,
        if r.files == 1 { "" } else { "s" },
        r.units,
        if r.units == 1 { "" } else { "s" }
    );
    for f in &r.findings {
        let sev = r
            .severity(f)
            .map(|s| s.as_str().to_uppercase())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{sev:<8} {}  {}  {}:{}",
            f.rule, f.address, f.location.file, f.location.line
        );
        let _ = writeln!(out, "         {}", f.summary);
        for e in &f.evidence {
            let value = e
                .value
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_else(|| "(not set)".into());
            let _ = writeln!(
                out,
                "         {}.{} = {value}  at {}:{}",
                e.address, e.setting, e.location.file, e.location.line
            );
        }
        if let Some(s) = &f.suppression {
            let _ = writeln!(
                out,
                "         SUPPRESSED {}",
                super::review::suppression_line(s)
            );
        }
        out.push('\n');
    }
    for b in &r.blind_spots {
        let _ = writeln!(out, "BLIND    {}: {}", b.file, b.reason);
    }
    for s in &r.unmatched_suppressions {
        let _ = writeln!(
            out,
            "unmatched suppression at {}:{}: {} {} names no configtrail rule",
            s.file,
            s.line,
            s.tool.as_str(),
            s.id
        );
    }
    let suppressed = r
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .count();
    let _ = writeln!(
        out,
        "{} finding{} ({suppressed} suppressed), {} blind spot{}; fails at >= {fail_on}: {}",
        r.findings.len(),
        if r.findings.len() == 1 { "" } else { "s" },
        r.blind_spots.len(),
        if r.blind_spots.len() == 1 { "" } else { "s" },
        if r.fails(fail_on) { "yes" } else { "no" }
    );
    out
}

pub fn sarif(r: &CheckResult) -> J {
    let findings: Vec<super::sarif::SarifFinding> = r
        .findings
        .iter()
        .map(|f| {
            let at = f
                .evidence
                .iter()
                .find(|e| e.address == f.address)
                .map(|e| e.location.clone())
                .unwrap_or_else(|| f.location.clone());
            super::sarif::SarifFinding {
                rule: f.rule,
                format: f.format,
                unit: crate::formats::unit_display(&f.unit).to_string(),
                address: f.address.clone(),
                message: format!("{}: {}", f.address, f.summary),
                file: at.file,
                line: at.line,
                suppression: f.suppression.clone(),
                properties: Default::default(),
            }
        })
        .collect();
    super::sarif::render(r.rules, &findings)
}
