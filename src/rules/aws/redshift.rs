//! Redshift: a cluster reachable from the internet.

use crate::model::{Format, Resource};
use crate::rules::helpers::{attr_path, bool_is, ev, show, verdict};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `aws_redshift_cluster` with `publicly_accessible = true`.
///
/// Providers before 6.0 defaulted an absent `publicly_accessible` to true; this rule judges only
/// what is written, so an absent setting passes whatever the provider version.
///
/// ## Why is this bad?
/// The cluster gets a public address: the data warehouse, usually the most complete copy of the
/// business's data, is one security group rule away from the internet.
///
/// ## Example
/// ```hcl
/// resource "aws_redshift_cluster" "dw" {
///   publicly_accessible = true
/// }
/// ```
/// Use instead: `publicly_accessible = false` in private subnets.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7, AC-3
/// - <https://docs.aws.amazon.com/redshift/latest/mgmt/managing-clusters-vpc.html>
pub const PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-redshift-public",
        title: "Redshift cluster is publicly accessible",
        severity: Severity::High,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "A publicly accessible cluster has a public address; only its security groups \
            stand between the data warehouse and the internet.",
        remediation: "Set publicly_accessible = false and place the cluster in private subnets.",
        evidence: "publicly_accessible",
        format: Format::Terraform,
        kinds: &["aws_redshift_cluster"],
    },
    check: public,
    cases: &[
        Case {
            name: "publicly accessible",
            address: "aws_redshift_cluster.dw",
            expect: Expect::Violation,
            source: r#"
resource "aws_redshift_cluster" "dw" {
  cluster_identifier  = "dw"
  node_type           = "ra3.xlplus"
  publicly_accessible = true
}
"#,
        },
        Case {
            name: "private",
            address: "aws_redshift_cluster.dw",
            expect: Expect::Pass,
            source: r#"
resource "aws_redshift_cluster" "dw" {
  cluster_identifier  = "dw"
  node_type           = "ra3.xlplus"
  publicly_accessible = false
}
"#,
        },
        Case {
            name: "from a variable without default",
            address: "aws_redshift_cluster.dw",
            expect: Expect::Undecided,
            source: r#"
variable "public" {}

resource "aws_redshift_cluster" "dw" {
  cluster_identifier  = "dw"
  node_type           = "ra3.xlplus"
  publicly_accessible = var.public
}
"#,
        },
    ],
};

fn public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let v = res.attr("publicly_accessible");
    verdict(
        bool_is(v, false, true),
        vec![ev(res, attr_path("publicly_accessible"))],
        || "publicly_accessible = true".to_string(),
        Scope::default(),
        || format!("publicly_accessible is not known statically: {}", show(v)),
    )
}
