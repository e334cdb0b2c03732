//! EKS: a cluster whose Kubernetes API endpoint is reachable from the whole internet.

use crate::model::{Format, Resource, SettingPath};
use crate::rules::helpers::{bool_is, dedup, ev, unknown_blocks_of, Source, Tri};
use crate::rules::{
    Case, Category, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};
use ipnet::IpNet;

/// ## What it does
/// Flags an `aws_eks_cluster` whose `vpc_config[0].endpoint_public_access` is true or absent
/// (absent is true) while `public_access_cidrs` is absent (absent is `["0.0.0.0/0"]`) or contains
/// `0.0.0.0/0` or `::/0`.
///
/// ## Why is this bad?
/// The cluster's API server answers the whole internet: every Kubernetes or EKS authentication
/// flaw, leaked kubeconfig or token is directly exploitable from anywhere.
///
/// ## Example
/// ```hcl
/// resource "aws_eks_cluster" "main" {
///   vpc_config {
///     subnet_ids = ["subnet-1", "subnet-2"]
///   }
/// }
/// ```
/// Use instead: `endpoint_public_access = false` with `endpoint_private_access = true`, or
/// `public_access_cidrs` limited to known networks.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7, AC-3
/// - <https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html>
pub const ENDPOINT_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-eks-endpoint-public",
        title: "EKS API endpoint is open to the internet",
        severity: Severity::High,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "A public endpoint without CIDR restriction exposes the Kubernetes API server \
            to the whole internet; any credential leak or authentication flaw is directly \
            exploitable.",
        remediation: "Set endpoint_public_access = false and endpoint_private_access = true, or \
            restrict public_access_cidrs to known networks.",
        evidence: "vpc_config[0].endpoint_public_access and vpc_config[0].public_access_cidrs \
            (absent means true and [\"0.0.0.0/0\"])",
        format: Format::Terraform,
        kinds: &["aws_eks_cluster"],
    },
    check: endpoint_public,
    cases: &[
        Case {
            name: "defaults: public to the world",
            address: "aws_eks_cluster.main",
            expect: Expect::Violation,
            source: r#"
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids = ["subnet-1", "subnet-2"]
  }
}
"#,
        },
        Case {
            name: "explicit world cidr",
            address: "aws_eks_cluster.main",
            expect: Expect::Violation,
            source: r#"
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids             = ["subnet-1", "subnet-2"]
    endpoint_public_access = true
    public_access_cidrs    = ["203.0.113.0/24", "0.0.0.0/0"]
  }
}
"#,
        },
        Case {
            name: "private endpoint",
            address: "aws_eks_cluster.main",
            expect: Expect::Pass,
            source: r#"
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids              = ["subnet-1", "subnet-2"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}
"#,
        },
        Case {
            name: "public from the office only",
            address: "aws_eks_cluster.main",
            expect: Expect::Pass,
            source: r#"
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids          = ["subnet-1", "subnet-2"]
    public_access_cidrs = ["203.0.113.0/24"]
  }
}
"#,
        },
        Case {
            name: "cidrs from a variable without default",
            address: "aws_eks_cluster.main",
            expect: Expect::Undecided,
            source: r#"
variable "api_cidrs" {}

resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids          = ["subnet-1", "subnet-2"]
    public_access_cidrs = var.api_cidrs
  }
}
"#,
        },
    ],
};

fn world() -> IpNet {
    IpNet::V4(ipnet::Ipv4Net::default())
}

fn endpoint_public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let vpc_path = SettingPath::root().key("vpc_config");
    let blocks = res.blocks("vpc_config");
    let unknown = unknown_blocks_of(res, "vpc_config");
    if blocks.is_empty() && !unknown.is_empty() {
        return Verdict::Undecided {
            evidence: unknown.into_iter().map(|p| ev(res, p)).collect(),
            reason: "vpc_config is not known statically".to_string(),
        };
    }
    let (path, block) = match blocks.first() {
        Some((p, b)) => (p.clone(), Some(*b)),
        None => (vpc_path.index(0), None),
    };
    let public_path = path.key("endpoint_public_access");
    let cidrs_path = path.key("public_access_cidrs");
    let public = bool_is(
        block.and_then(|b| b.get_path(&SettingPath::root().key("endpoint_public_access"))),
        true,
        true,
    );
    let (open, nets, cidrs_shown) =
        match block.and_then(|b| Source::read(b, path.clone(), "public_access_cidrs")) {
            None => (
                Tri::Yes,
                vec![world()],
                "absent (defaults to 0.0.0.0/0)".to_string(),
            ),
            Some(src) => {
                let shown = src
                    .nets
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                (src.world(), src.nets.clone(), shown)
            }
        };
    let evidence = vec![ev(res, public_path), ev(res, cidrs_path)];
    match public.and(open) {
        Tri::Yes => Verdict::Violation(Finding {
            evidence,
            summary: format!("public API endpoint, public_access_cidrs {cidrs_shown}"),
            scope: Scope {
                networks: dedup(nets),
                ports: vec![(443, 443)],
                ..Scope::default()
            },
        }),
        Tri::Maybe => Verdict::Undecided {
            evidence,
            reason: "endpoint_public_access or public_access_cidrs is not known statically"
                .to_string(),
        },
        Tri::No => Verdict::Pass,
    }
}
