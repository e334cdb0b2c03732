//! The rule catalogue: `configtrail rules list | show ID | test [PACK] | doc`.
//!
//! Takes the registry of built-in packs ([`crate::rules::packs`]); gives the catalogue as text for
//! people, as JSON for tools, one rule's full text, the result of running a pack's own cases, and
//! `docs/rules.md`. Everything here is generated from the rules' own metadata and cases, the way
//! ripgrep generates its documentation from its flag table, so the documentation cannot say
//! something the code does not do: a test regenerates `docs/rules.md` and fails when the file in
//! the repository differs (regenerate it with `configtrail rules doc > docs/rules.md`).

use crate::exit_codes;
use crate::rules::{self, Case, Expect, Rule};
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write as _;

/// Output of `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// Every built-in rule: id, severity, category, format and title.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// One rule in full: rationale, evidence, standards, remediation and its examples.
    Show {
        /// The rule id, for example k8s-privileged-container.
        id: String,
    },
    /// Runs the rules' own cases (of one pack: aws, azure, cloudformation, gcp, kubernetes); exit 1 when one
    /// fails.
    Test { pack: Option<String> },
    /// Writes the catalogue as Markdown (docs/rules.md is this output).
    Doc,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    #[error("no rule {id}; `configtrail rules list` shows the ids")]
    UnknownRule { id: String },
    #[error("no pack {pack}; the packs are {known}")]
    UnknownPack { pack: String, known: String },
}

/// Runs a `rules` subcommand; returns its output and exit code.
pub fn run(cmd: &RulesCommand) -> Result<(String, i32), CatalogueError> {
    Ok(match cmd {
        RulesCommand::List { format } => (
            match format {
                ListFormat::Text => list_text(rules::registry()),
                ListFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&list_json(rules::registry()))
                        .unwrap_or_default();
                    s.push('\n');
                    s
                }
            },
            exit_codes::CLEAN,
        ),
        RulesCommand::Show { id } => {
            let rule = rules::find(rules::registry(), id)
                .ok_or_else(|| CatalogueError::UnknownRule { id: id.clone() })?;
            (show(rule), exit_codes::CLEAN)
        }
        RulesCommand::Test { pack } => {
            let (text, ok) = test(pack.as_deref())?;
            (
                text,
                if ok {
                    exit_codes::CLEAN
                } else {
                    exit_codes::FINDINGS
                },
            )
        }
        RulesCommand::Doc => (markdown(), exit_codes::CLEAN),
    })
}

/// Writes to stdout; a closed pipe (`| head`) is the reader's choice, not an error.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

fn pack_of(rule: &Rule) -> &'static str {
    rules::packs()
        .iter()
        .find(|(_, _, rs)| rs.iter().any(|r| r.meta.id == rule.meta.id))
        .map_or("", |(name, _, _)| name)
}

/// The catalogue as an aligned table.
pub fn list_text(rules: &[Rule]) -> String {
    let w = rules
        .iter()
        .map(|r| r.meta.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let mut s = format!(
        "{:<w$}  {:<8}  {:<10}  {:<14}  TITLE\n",
        "ID", "SEVERITY", "CATEGORY", "FORMAT"
    );
    for r in rules {
        let m = &r.meta;
        let _ = writeln!(
            s,
            "{:<w$}  {:<8}  {:<10}  {:<14}  {}",
            m.id,
            m.severity.as_str(),
            m.category.as_str(),
            m.format.as_str(),
            m.title
        );
    }
    let _ = writeln!(
        s,
        "\n{} rules; `configtrail rules show ID` for one in full.",
        rules.len()
    );
    s
}

/// The catalogue for tools: `configtrail.rules/1`.
pub fn list_json(rules: &[Rule]) -> serde_json::Value {
    json!({
        "schema": "configtrail.rules/1",
        "digest": rules::digest(rules),
        "rules": rules.iter().map(|r| {
            let m = &r.meta;
            json!({
                "id": m.id, "pack": pack_of(r), "title": m.title, "severity": m.severity,
                "category": m.category, "format": m.format, "standards": m.standards,
                "kinds": m.kinds, "cases": r.cases.len(),
            })
        }).collect::<Vec<_>>(),
    })
}

fn expect_word(e: Expect) -> &'static str {
    match e {
        Expect::Violation => "violation",
        Expect::Pass => "pass",
        Expect::Undecided => "undecided",
    }
}

/// The examples shown for a rule: its first case of each outcome.
fn examples(rule: &Rule) -> Vec<&Case> {
    [Expect::Violation, Expect::Pass, Expect::Undecided]
        .into_iter()
        .filter_map(|e| rule.cases.iter().find(|c| c.expect == e))
        .collect()
}

/// One rule's full text.
pub fn show(rule: &Rule) -> String {
    let m = &rule.meta;
    let mut s = String::new();
    let _ = writeln!(s, "{}: {}", m.id, m.title);
    let _ = writeln!(
        s,
        "severity {} · category {} · format {} · pack {}",
        m.severity.as_str(),
        m.category.as_str(),
        m.format.as_str(),
        pack_of(rule)
    );
    let _ = writeln!(s, "applies to: {}", m.kinds.join(", "));
    let _ = writeln!(s, "standards: {}", m.standards.join("; "));
    let _ = writeln!(s, "\nWhy it matters\n  {}", m.rationale);
    let _ = writeln!(s, "\nEvidence settings\n  {}", m.evidence);
    let _ = writeln!(s, "\nRemediation\n  {}", m.remediation);
    for c in examples(rule) {
        let _ = writeln!(
            s,
            "\nExample ({}): {} [{}]",
            expect_word(c.expect),
            c.name,
            c.address
        );
        for line in c.source.trim_matches('\n').lines() {
            let _ = writeln!(s, "    {line}");
        }
    }
    let _ = writeln!(
        s,
        "\n{} cases; `configtrail rules test {}` runs them.",
        rule.cases.len(),
        pack_of(rule)
    );
    s
}

/// Runs the cases of one built-in pack (or all); the report and whether every case passed.
pub fn test(pack: Option<&str>) -> Result<(String, bool), CatalogueError> {
    test_packs(&rules::packs(), pack)
}

type Pack = (&'static str, &'static str, &'static [Rule]);

fn test_packs(packs: &[Pack], pack: Option<&str>) -> Result<(String, bool), CatalogueError> {
    let chosen: Vec<_> = match pack {
        None => packs.iter().collect(),
        Some(p) => {
            let found: Vec<_> = packs.iter().filter(|(name, _, _)| *name == p).collect();
            if found.is_empty() {
                return Err(CatalogueError::UnknownPack {
                    pack: p.to_string(),
                    known: packs
                        .iter()
                        .map(|(n, _, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            found
        }
    };
    let (mut total, mut failed) = (0usize, 0usize);
    let mut s = String::new();
    for (name, _, rs) in chosen {
        for r in rs.iter() {
            for c in r.cases {
                total += 1;
                match rules::run_case(r, c) {
                    Ok(()) => {}
                    Err(e) => {
                        failed += 1;
                        let _ = writeln!(s, "FAIL {name} {} / {}: {e}", r.meta.id, c.name);
                    }
                }
            }
        }
    }
    let _ = writeln!(
        s,
        "{} cases, {} passed, {failed} failed",
        total,
        total - failed
    );
    Ok((s, failed == 0))
}

/// `docs/rules.md`: every pack, every rule, with its examples.
pub fn markdown() -> String {
    let mut s = String::from(
        "# configtrail rules\n\n\
         <!-- Generated by `configtrail rules doc > docs/rules.md`; do not edit by hand. \
         A test fails when this file differs from the registry. -->\n\n",
    );
    for (name, what, rs) in rules::packs() {
        let _ = writeln!(s, "- [{name}](#pack-{name}): {what}, {} rules", rs.len());
    }
    for (name, what, rs) in rules::packs() {
        let _ = writeln!(s, "\n## Pack {name}\n\n{what}.\n");
        let _ = writeln!(
            s,
            "| id | severity | category | title |\n| --- | --- | --- | --- |"
        );
        for r in rs {
            let m = &r.meta;
            let _ = writeln!(
                s,
                "| [`{}`](#{}) | {} | {} | {} |",
                m.id,
                m.id,
                m.severity.as_str(),
                m.category.as_str(),
                m.title
            );
        }
        for r in rs {
            let m = &r.meta;
            let _ = writeln!(s, "\n### {}\n\n**{}**\n", m.id, m.title);
            let _ = writeln!(
                s,
                "- severity: {}; category: {}; format: {}",
                m.severity.as_str(),
                m.category.as_str(),
                m.format.as_str()
            );
            let _ = writeln!(s, "- applies to: {}", m.kinds.join(", "));
            let _ = writeln!(s, "- standards: {}", m.standards.join("; "));
            let _ = writeln!(s, "\n{}\n", m.rationale);
            let _ = writeln!(s, "Evidence: {}\n", m.evidence);
            let _ = writeln!(s, "Remediation: {}", m.remediation);
            let lang = match m.format {
                crate::model::Format::Terraform => "hcl",
                _ => "yaml",
            };
            for c in examples(r) {
                let lang = if c.source.trim_start().starts_with('{') {
                    "json"
                } else {
                    lang
                };
                let _ = writeln!(
                    s,
                    "\nExample, {} ({}):\n\n```{lang}\n{}\n```",
                    expect_word(c.expect),
                    c.name,
                    c.source.trim_matches('\n')
                );
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_has_every_rule_once() {
        let t = list_text(rules::registry());
        for r in rules::registry() {
            assert_eq!(
                t.lines()
                    .filter(|l| l.starts_with(&format!("{} ", r.meta.id)))
                    .count(),
                1,
                "{}",
                r.meta.id
            );
        }
        let j = list_json(rules::registry());
        assert_eq!(
            j["rules"].as_array().map(Vec::len),
            Some(rules::registry().len())
        );
    }

    #[test]
    fn show_has_the_full_text() {
        let r = rules::find(rules::registry(), "k8s-privileged-container").expect("rule");
        let s = show(r);
        for part in [
            r.meta.rationale,
            r.meta.remediation,
            r.meta.evidence,
            "CIS Kubernetes 5.2.2",
        ] {
            assert!(s.contains(part), "{part}");
        }
        assert!(s.contains("Example (violation)") && s.contains("Example (pass)"));
    }

    /// A pack whose case expects the wrong verdict fails, and says which case.
    #[test]
    fn a_failing_case_fails_the_pack() {
        static WRONG: &[Rule] = &[Rule {
            cases: &[Case {
                name: "claims a pass is a violation",
                address: "Pod/p",
                expect: Expect::Violation,
                source: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a}]\n",
            }],
            ..crate::rules::k8s::pod::PRIVILEGED
        }];
        let (text, ok) = test_packs(&[("wrong", "a broken pack", WRONG)], None).expect("runs");
        assert!(!ok);
        assert!(
            text.contains("FAIL wrong k8s-privileged-container / claims a pass"),
            "{text}"
        );
        assert!(text.contains("1 cases, 0 passed, 1 failed"), "{text}");
    }

    #[test]
    fn every_pack_passes_its_cases_and_unknown_packs_are_errors() {
        for (name, _, _) in rules::packs() {
            let (text, ok) = test(Some(name)).expect("pack");
            assert!(ok, "{text}");
        }
        assert!(test(Some("oracle-cloud")).is_err());
    }

    /// docs/rules.md is generated; regenerate with `configtrail rules doc > docs/rules.md`.
    #[test]
    fn docs_rules_md_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == markdown(),
            "docs/rules.md is stale: run `cargo run -q -- rules doc > docs/rules.md`"
        );
    }
}
