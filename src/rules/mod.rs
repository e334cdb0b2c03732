//! Rules: predicates over a resource (and the related resources of its unit).
//!
//! Takes a parsed [`Unit`]; gives, per (rule, resource), a [`Verdict`]: a violation naming its
//! evidence settings, a pass, or undecided when a setting the rule needs is unknown. Undecided is a
//! first-class outcome because an unknown must never be silently taken as safe or unsafe: the
//! timeline reports it as a blind spot.
//!
//! Rules are plain data plus a pure function, listed in one table ([`registry`]), in the manner of
//! ripgrep's flag list and ruff's `codes.rs`: adding a rule touches its own file and one line of
//! the table. Each rule carries its own positive and negative cases, run by `cargo test` (and later
//! by `configtrail rules test`).

pub mod aws;
pub mod azure;
pub mod cfn;
pub mod gcp;
pub mod helpers;
pub mod k8s;
pub mod policy;
pub mod provider_credentials;
pub mod scope;

use crate::model::{Format, Resource, SettingPath, Unit, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

pub use scope::Scope;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Network,
    Identity,
    Storage,
    Encryption,
    Logging,
    Compute,
    Secrets,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Network => "network",
            Category::Identity => "identity",
            Category::Storage => "storage",
            Category::Encryption => "encryption",
            Category::Logging => "logging",
            Category::Compute => "compute",
            Category::Secrets => "secrets",
        }
    }
}

/// A setting that is evidence for a verdict: which resource of the unit, which path. The value is
/// read from the unit by the caller, so the evidence can never disagree with the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Evidence {
    pub address: String,
    pub path: SettingPath,
}

impl Evidence {
    pub fn new(address: &str, path: SettingPath) -> Evidence {
        Evidence {
            address: address.to_string(),
            path,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Every setting that makes the rule fire, on this resource or a related one.
    pub evidence: Vec<Evidence>,
    /// One line for people: "ingress on 22/tcp from 0.0.0.0/0".
    pub summary: String,
    /// How much is exposed, for telling a widening from a narrowing.
    pub scope: Scope,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Violation(Finding),
    /// A setting the rule needs is unknown (or unreadable): no claim either way.
    Undecided {
        evidence: Vec<Evidence>,
        reason: String,
    },
}

/// What a rule case expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Violation,
    Pass,
    Undecided,
}

/// A rule's own example: a small unit in the rule's format and the verdict expected for the
/// resource at `address`. The source is one `main.tf` for Terraform, one YAML file for Kubernetes,
/// and one template for CloudFormation (JSON when it starts with `{`, YAML otherwise).
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub name: &'static str,
    pub address: &'static str,
    pub expect: Expect,
    pub source: &'static str,
}

impl Case {
    /// The unit path and file the case is parsed as, for its format.
    pub fn file(&self, format: Format) -> (&'static str, &'static str) {
        match format {
            Format::Terraform => ("case", "case/main.tf"),
            Format::Kubernetes => ("case.yaml", "case.yaml"),
            Format::CloudFormation if self.source.trim_start().starts_with('{') => {
                ("case.json", "case.json")
            }
            Format::CloudFormation => ("case.yaml", "case.yaml"),
        }
    }
}

/// The static description of a rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// Stable kebab-case id naming the exposure: `aws-sg-admin-port-public`.
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// `CIS AWS 5.2`, `NIST 800-53 SC-7`.
    pub standards: &'static [&'static str],
    /// Why it matters.
    pub rationale: &'static str,
    /// How to fix it.
    pub remediation: &'static str,
    /// Which settings are its evidence, in prose.
    pub evidence: &'static str,
    pub format: Format,
    /// The resource kinds it is evaluated on (`aws_security_group`, `data.aws_iam_policy_document`).
    pub kinds: &'static [&'static str],
}

/// A rule: metadata, a pure check, and its own cases.
#[derive(Clone, Copy)]
pub struct Rule {
    pub meta: RuleMeta,
    pub check: fn(&Resource, &UnitView<'_>) -> Verdict,
    pub cases: &'static [Case],
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule").field("id", &self.meta.id).finish()
    }
}

/// The kind a Terraform case's address names: `aws_s3_bucket.b` is an `aws_s3_bucket`;
/// `provider.aws` (or `provider.aws.ALIAS`) is a provider block of kind `provider.aws`.
#[cfg(test)]
pub(crate) fn case_kind(address: &str) -> String {
    if address.starts_with("provider.") {
        address.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
    } else {
        address.rsplit_once('.').map_or("", |(k, _)| k).to_string()
    }
}

/// Read access to the unit a resource belongs to, for rules that judge resources together (a
/// bucket with its ACL, policy and public access block; a policy and its policy document).
///
/// Every read goes through [`UnitView::get`], [`UnitView::of_kind`] or [`UnitView::resources`],
/// for two reasons. The but-for test sees the unit with one resource as a revert leaves it
/// ([`UnitView::patched`]) instead of copying the unit for every setting it tries; and a view
/// can record what a check read ([`UnitView::recording`]), so a change to a resource the check
/// never looked at (by address, or through its kind) is known not to matter without trying it.
/// Without both, one commit opening N windows in one unit cost N² copies of the unit.
#[derive(Debug, Clone, Copy)]
pub struct UnitView<'a> {
    unit: &'a Unit,
    /// One resource as the but-for test leaves it: replaced or added (`Some`), or removed.
    patch: Option<(&'a str, Option<&'a Resource>)>,
    reads: Option<&'a std::cell::RefCell<Reads>>,
}

/// What a check read of the unit through its view.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reads {
    pub addresses: std::collections::BTreeSet<String>,
    pub kinds: std::collections::BTreeSet<String>,
    /// Every resource was enumerated.
    pub all: bool,
}

impl<'a> UnitView<'a> {
    pub fn new(unit: &'a Unit) -> UnitView<'a> {
        UnitView {
            unit,
            patch: None,
            reads: None,
        }
    }

    /// The unit with the resource at `address` replaced by `with` (added if new), or removed
    /// when `with` is `None`.
    pub fn patched(unit: &'a Unit, address: &'a str, with: Option<&'a Resource>) -> UnitView<'a> {
        UnitView {
            unit,
            patch: Some((address, with)),
            reads: None,
        }
    }

    /// The unit, recording every read into `reads`.
    pub fn recording(unit: &'a Unit, reads: &'a std::cell::RefCell<Reads>) -> UnitView<'a> {
        UnitView {
            unit,
            patch: None,
            reads: Some(reads),
        }
    }

    pub fn get(&self, address: &str) -> Option<&'a Resource> {
        if let Some(r) = self.reads {
            r.borrow_mut().addresses.insert(address.to_string());
        }
        match self.patch {
            Some((at, with)) if at == address => with,
            _ => self.unit.resources.get(address),
        }
    }

    /// The resources of `kind`, in address order.
    pub fn of_kind(&self, kind: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        if let Some(r) = self.reads {
            r.borrow_mut().kinds.insert(kind.to_string());
        }
        self.listed(Some(kind)).into_iter()
    }

    /// Every resource of the unit, in address order.
    pub fn resources(&self) -> impl Iterator<Item = &'a Resource> + 'a {
        if let Some(r) = self.reads {
            r.borrow_mut().all = true;
        }
        self.listed(None).into_iter()
    }

    fn listed(&self, kind: Option<&str>) -> Vec<&'a Resource> {
        let wanted = |r: &Resource| kind.is_none_or(|k| r.kind == k);
        let mut out: Vec<&'a Resource> = match self.patch {
            None => return self.unit.resources.values().filter(|r| wanted(r)).collect(),
            Some((at, _)) => self
                .unit
                .resources
                .iter()
                .filter(|(a, r)| a.as_str() != at && wanted(r))
                .map(|(_, r)| r)
                .collect(),
        };
        if let Some((at, Some(with))) = self.patch {
            if wanted(with) {
                let i = out.partition_point(|r| r.address.as_str() < at);
                out.insert(i, with);
            }
        }
        out
    }

    /// Follows a reference value (`data.aws_iam_policy_document.x.json`, `aws_s3_bucket.b.id`) to
    /// the resource it names and the attribute it reads.
    pub fn follow(&self, value: &Value) -> Option<(&'a Resource, String)> {
        let Value::Ref(r) = value else { return None };
        let (address, attr) = crate::model::split_reference(r)?;
        // `count = 1` gives the plain address here; `x[0]` names that one instance.
        self.get(address)
            .or_else(|| self.get(address.strip_suffix("[0]")?))
            .map(|res| (res, attr.to_string()))
    }

    /// Resources of `kind` whose `attr` points at `target`: by reference
    /// (`bucket = aws_s3_bucket.data.id`) or by the target's name given as a literal
    /// (`bucket = "my-bucket"` where the bucket's own `bucket` attribute is `"my-bucket"`).
    pub fn referencing(&self, kind: &'a str, attr: &str, target: &Resource) -> Vec<&'a Resource> {
        let prefix = format!("{}.", target.address);
        let target_name = target.attr(attr).and_then(Value::as_str);
        self.of_kind(kind)
            .filter(|r| match r.attr(attr) {
                Some(Value::Ref(s)) => {
                    s.starts_with(&prefix)
                        || s == &target.address
                        || crate::model::split_reference(s).is_some_and(|(a, _)| {
                            a.strip_suffix("[0]") == Some(target.address.as_str())
                        })
                }
                Some(Value::String(s)) => target_name == Some(s.as_str()),
                _ => false,
            })
            .collect()
    }
}

/// The built-in packs: name, what it judges, and its rules (sorted by id).
pub fn packs() -> [(&'static str, &'static str, &'static [Rule]); 5] {
    [
        ("aws", "Terraform, AWS provider", aws::RULES),
        ("azure", "Terraform, azurerm provider", azure::RULES),
        (
            "cloudformation",
            "CloudFormation templates (AWS)",
            cfn::RULES,
        ),
        ("gcp", "Terraform, Google Cloud provider", gcp::RULES),
        ("kubernetes", "Kubernetes manifests", k8s::RULES),
    ]
}

/// All built-in rules: each pack's table in turn, in the order of [`packs`]. Built once, by
/// copying the packs' static tables into one, so callers keep a plain slice.
pub fn registry() -> &'static [Rule] {
    static ALL: std::sync::OnceLock<Vec<Rule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        packs()
            .iter()
            .flat_map(|(_, _, rules)| rules.iter().copied())
            .collect()
    })
}

/// A digest of the rule set (ids and metadata), so a report records which rules judged it.
pub fn digest(rules: &[Rule]) -> String {
    let mut h = Sha256::new();
    for r in rules {
        let m = &r.meta;
        for part in [
            m.id,
            m.title,
            m.severity.as_str(),
            m.category.as_str(),
            m.rationale,
            m.remediation,
            m.evidence,
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        for s in m.standards.iter().chain(m.kinds) {
            h.update(s.as_bytes());
            h.update([0]);
        }
        h.update([1]);
    }
    format!("sha256:{}", crate::digest::hex(&h.finalize()))
}

/// Evaluates every applicable rule on every resource of a unit. Keyed by (rule id, address).
pub fn evaluate_unit(rules: &[Rule], unit: &Unit) -> BTreeMap<(&'static str, String), Verdict> {
    let view = UnitView::new(unit);
    let mut out = BTreeMap::new();
    for res in unit.resources.values() {
        for rule in rules {
            if rule.meta.kinds.contains(&res.kind.as_str()) {
                let v = match (rule.check)(res, &view) {
                    Verdict::Undecided { evidence, reason } => {
                        let reason = name_unknowns(unit, &evidence, reason);
                        Verdict::Undecided { evidence, reason }
                    }
                    v => v,
                };
                if v != Verdict::Pass {
                    out.insert((rule.meta.id, res.address.clone()), v);
                }
            }
        }
    }
    out
}

/// Most characters of a value an undecided reason quotes. A value can be large while staying
/// under the evaluation limits (locals that repeat each other ten times over render to megabytes
/// from a few lines: found by the hostile corpus), and a reason is one line of a report.
const MAX_SHOWN_VALUE: usize = 300;

/// `s` cut to `max` characters, saying how much was left out.
fn clip(s: String, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s,
        Some((at, _)) => format!(
            "{}… ({} more characters)",
            &s[..at],
            s[at..].chars().count()
        ),
    }
}

/// Appends to an undecided reason the unknown values behind it (`ingress[0].cidr_blocks =
/// [var.cidr (no default, not set in tfvars)]`), so a blind spot says what to supply to decide it.
fn name_unknowns(unit: &Unit, evidence: &[Evidence], reason: String) -> String {
    let mut parts = Vec::new();
    for ev in evidence {
        let value = unit
            .resources
            .get(&ev.address)
            .and_then(|r| r.get(&ev.path));
        if let Some(v) = value.filter(|v| v.contains_unknown()) {
            let part = clip(format!("{} = {v}", ev.path), MAX_SHOWN_VALUE);
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
    }
    if parts.is_empty() {
        reason
    } else {
        format!("{reason} ({})", parts.join("; "))
    }
}

/// The format of the resources a built-in rule judges (each rule is written for one format), for
/// the `resource.format` of reports. An id not in the registry is Terraform's, the first format.
pub fn format_of(id: &str) -> Format {
    find(registry(), id).map_or(Format::Terraform, |r| r.meta.format)
}

/// Looks a rule up by id.
pub fn find<'a>(rules: &'a [Rule], id: &str) -> Option<&'a Rule> {
    rules.iter().find(|r| r.meta.id == id)
}

/// Runs one of a rule's own cases: parses its source in the rule's format and compares the
/// verdict with the one expected. `Err` says how it failed.
pub fn run_case(rule: &Rule, case: &Case) -> Result<(), String> {
    let (unit_path, file) = case.file(rule.meta.format);
    let unit = crate::formats::parse_unit(
        unit_path,
        &[(file.to_string(), case.source.as_bytes().to_vec())],
    );
    if !unit.problems.is_empty() {
        return Err(format!("case does not parse: {:?}", unit.problems));
    }
    let res = unit
        .resources
        .get(case.address)
        .ok_or_else(|| format!("no resource {} in case", case.address))?;
    if !rule.meta.kinds.contains(&res.kind.as_str()) {
        return Err(format!("rule does not apply to kind {}", res.kind));
    }
    let verdict = (rule.check)(res, &UnitView::new(&unit));
    let got = match &verdict {
        Verdict::Pass => Expect::Pass,
        Verdict::Violation(f) => {
            for e in &f.evidence {
                if !unit.resources.contains_key(&e.address) {
                    return Err(format!("evidence names unknown resource {}", e.address));
                }
            }
            if f.evidence.is_empty() {
                return Err("violation without evidence".into());
            }
            Expect::Violation
        }
        Verdict::Undecided { .. } => Expect::Undecided,
    };
    if got != case.expect {
        return Err(format!("expected {:?}, got {verdict:?}", case.expect));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_value_is_clipped_on_a_character_boundary() {
        assert_eq!(clip("abc".into(), 3), "abc");
        assert_eq!(clip("é".repeat(5), 2), "éé… (3 more characters)");
    }

    /// Runs every rule's own cases: the pack's positive and negative examples.
    #[test]
    fn every_rule_passes_its_own_cases() {
        let mut failures = Vec::new();
        for rule in registry() {
            assert!(
                rule.cases.iter().any(|c| c.expect == Expect::Violation)
                    && rule.cases.iter().any(|c| c.expect == Expect::Pass),
                "{} needs at least one violating and one passing case",
                rule.meta.id
            );
            for case in rule.cases {
                if let Err(e) = run_case(rule, case) {
                    failures.push(format!("{} / {}: {e}", rule.meta.id, case.name));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Every pack's table is sorted by id, its ids carry the pack's prefix, and its cases name
    /// resources of kinds the rule is evaluated on.
    #[test]
    fn packs_are_sorted_prefixed_and_their_cases_well_formed() {
        for (pack, _, rules) in packs() {
            let prefix = match pack {
                "aws" => "aws-",
                "azure" => "azure-",
                "cloudformation" => "cfn-",
                "gcp" => "gcp-",
                _ => "k8s-",
            };
            let ids: Vec<&str> = rules.iter().map(|r| r.meta.id).collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            assert_eq!(ids, sorted, "{pack} is not sorted by id");
            for r in rules {
                assert!(r.meta.id.starts_with(prefix), "{} in {pack}", r.meta.id);
                for c in r
                    .cases
                    .iter()
                    .filter(|_| r.meta.format == Format::Terraform)
                {
                    let kind = case_kind(c.address);
                    let kind = kind.as_str();
                    assert!(
                        r.meta.kinds.contains(&kind),
                        "{} / {}: {kind} is not one of the rule's kinds",
                        r.meta.id,
                        c.name
                    );
                }
            }
        }
    }

    #[test]
    fn rule_ids_are_unique_kebab_case_and_sorted_metadata_complete() {
        let mut seen = std::collections::BTreeSet::new();
        for r in registry() {
            let m = &r.meta;
            assert!(seen.insert(m.id), "duplicate id {}", m.id);
            assert!(
                m.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                m.id
            );
            assert!(!m.title.is_empty() && !m.rationale.is_empty() && !m.remediation.is_empty());
            assert!(!m.evidence.is_empty() && !m.kinds.is_empty(), "{}", m.id);
        }
        assert!(
            registry().len() >= 20,
            "the first pack has at least 20 rules"
        );
    }
}
