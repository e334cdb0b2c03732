//! SARIF 2.1.0 for code-scanning tools (GitHub code scanning, GitLab, Azure DevOps).
//!
//! Takes findings in a shape common to `review` and `check` ([`SarifFinding`]) and the rule set;
//! gives one SARIF log with one run: every rule with its help text and severity (mapped to SARIF's
//! `level` and to the `security-severity` property code scanning sorts by), and one result per
//! finding at file:line, with a suppression (`inSource`, with its justification) when the finding
//! was accepted in the code.
//!
//! `partialFingerprints` is what lets a code-scanning service recognise the same alert on the next
//! push. It is a hash of the rule, the format, the unit and the resource address: not of a line
//! number (which moves when anything above it changes) and not of a commit id (which changes on
//! every push). `check` and `review` compute the same fingerprint for the same resource, so a
//! finding keeps its identity whichever of the two reported it.
//!
//! Built with serde-sarif's typed structures; its `version` is a free `serde_json::Value` and its
//! line numbers plain `i64`, so the test suite validates the output against the OASIS schema.

use crate::engine::suppress::Suppression;
use crate::rules::{Rule, Severity};
use serde_json::{json, Value as J};
use serde_sarif::sarif;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The key of our partial fingerprint; versioned so a change of recipe is a new key, not a
/// silently different value.
pub const FINGERPRINT_KEY: &str = "configtrail/v1";

/// A finding as SARIF needs it.
#[derive(Debug, Clone)]
pub struct SarifFinding {
    pub rule: &'static str,
    pub format: &'static str,
    /// The unit path (`.` for the root) and the resource address: the finding's identity.
    pub unit: String,
    pub address: String,
    pub message: String,
    /// Where it is now (repository- or PATH-relative); `line` 0 means unknown.
    pub file: String,
    pub line: u32,
    pub suppression: Option<Suppression>,
    /// Extra facts (change, commit, author…) kept under the result's `properties`.
    pub properties: BTreeMap<String, J>,
}

/// The stable identity of a finding: rule, format, unit, address. No line, no commit.
pub fn fingerprint(rule: &str, format: &str, unit: &str, address: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule, format, unit, address] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    crate::digest::hex(&h.finalize()[..16])
}

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low => sarif::ResultLevel::Note,
    }
}

/// GitHub's scale: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// A path as a relative URI reference: the characters that would change its meaning are escaped.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn descriptor(r: &Rule) -> sarif::ReportingDescriptor {
    let m = &r.meta;
    let standards = if m.standards.is_empty() {
        String::new()
    } else {
        format!("\n\nStandards: {}.", m.standards.join(", "))
    };
    let help_text = format!(
        "{}\n\nHow to fix: {}\n\nEvidence: {}{standards}",
        m.rationale, m.remediation, m.evidence
    );
    let help_md = format!(
        "{}\n\n**How to fix:** {}\n\n**Evidence:** {}{standards}",
        m.rationale, m.remediation, m.evidence
    );
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(security_severity(m.severity)),
    );
    props.insert("severity".to_string(), json!(m.severity.as_str()));
    props.insert("category".to_string(), json!(m.category.as_str()));
    props.insert("standards".to_string(), json!(m.standards));
    sarif::ReportingDescriptor::builder()
        .id(m.id)
        .name(m.id)
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(m.title)
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(m.rationale)
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help_md)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(level(m.severity)))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(vec![
                    "security".to_string(),
                    m.category.as_str().to_string(),
                ])
                .additional_properties(props)
                .build(),
        )
        .build()
}

/// The SARIF log for `findings`, judged by `rules`.
pub fn render(rules: &[Rule], findings: &[SarifFinding]) -> J {
    let results: Vec<sarif::Result> = findings
        .iter()
        .map(|f| {
            let rule = rules.iter().position(|r| r.meta.id == f.rule);
            let sev = rule.map(|i| rules[i].meta.severity);
            let mut region = sarif::Region::builder().build();
            if f.line > 0 {
                region.start_line = Some(i64::from(f.line));
            }
            let location = sarif::Location::builder()
                .physical_location(
                    sarif::PhysicalLocation::builder()
                        .artifact_location(
                            sarif::ArtifactLocation::builder()
                                .uri(uri(&f.file))
                                .uri_base_id("%SRCROOT%")
                                .build(),
                        )
                        .region(region)
                        .build(),
                )
                .logical_locations(vec![sarif::LogicalLocation::builder()
                    .fully_qualified_name(format!("{}/{}", f.unit, f.address))
                    .name(f.address.clone())
                    .kind("resource")
                    .build()])
                .build();
            let mut fp = BTreeMap::new();
            fp.insert(
                FINGERPRINT_KEY.to_string(),
                fingerprint(f.rule, f.format, &f.unit, &f.address),
            );
            let mut result = sarif::Result::builder()
                .rule_id(f.rule)
                .message(sarif::Message::builder().text(f.message.clone()).build())
                .locations(vec![location])
                .partial_fingerprints(fp)
                .properties(
                    sarif::PropertyBag::builder()
                        .additional_properties(f.properties.clone())
                        .build(),
                )
                .build();
            result.rule_index = rule.map(|i| i as i64);
            result.level = sev.map(level);
            if let Some(s) = &f.suppression {
                let justification = if s.reason.is_empty() {
                    format!("{} {} (no reason given)", s.tool.as_str(), s.id)
                } else {
                    format!("{} {}: {}", s.tool.as_str(), s.id, s.reason)
                };
                result.suppressions = Some(vec![sarif::Suppression::builder()
                    .kind(json!("inSource"))
                    .status(json!("accepted"))
                    .justification(justification)
                    .build()]);
            }
            result
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("configtrail")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .build();
    let log = sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_value(log).unwrap_or_else(|e| json!({"error": e.to_string()}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_line_and_commit_but_not_identity() {
        let a = fingerprint("r", "terraform", "net", "aws_security_group.web");
        assert_eq!(
            a,
            fingerprint("r", "terraform", "net", "aws_security_group.web")
        );
        assert_ne!(
            a,
            fingerprint("r", "terraform", "net", "aws_security_group.db")
        );
        assert_ne!(
            a,
            fingerprint("r2", "terraform", "net", "aws_security_group.web")
        );
        // Field boundaries are kept: ("ab","c") is not ("a","bc").
        assert_ne!(
            fingerprint("r", "terraform", "ab", "c"),
            fingerprint("r", "terraform", "a", "bc")
        );
    }

    #[test]
    fn uris_escape_what_would_change_their_meaning() {
        assert_eq!(uri("net/main.tf"), "net/main.tf");
        assert_eq!(uri("a b/#x?.tf"), "a%20b/%23x%3F.tf");
    }

    #[test]
    fn severity_maps_to_level_and_score() {
        assert!(matches!(
            level(Severity::Critical),
            sarif::ResultLevel::Error
        ));
        assert!(matches!(
            level(Severity::Medium),
            sarif::ResultLevel::Warning
        ));
        assert!(matches!(level(Severity::Low), sarif::ResultLevel::Note));
        let score = |s| security_severity(s).parse::<f64>().expect("number");
        assert!(score(Severity::Critical) > 9.0 && score(Severity::High) >= 7.0);
        assert!(score(Severity::Low) < 4.0);
    }
}
