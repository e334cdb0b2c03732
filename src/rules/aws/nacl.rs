//! Network ACLs that let every protocol in from the whole internet.

use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::helpers::{
    bool_is, dedup, ev, read_str, unknown_blocks_of, Protocol, Read, Source, Tri, ALL_PORTS,
};
use crate::rules::{
    Case, Category, Evidence, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};
use ipnet::IpNet;

/// ## What it does
/// Flags an inbound network ACL entry that allows every protocol (`-1`/`all`) from `0.0.0.0/0`
/// or `::/0`: an `aws_network_acl_rule` with `egress` false or absent and `rule_action =
/// "allow"`, or an inline `ingress` block of `aws_network_acl` / `aws_default_network_acl` with
/// `action = "allow"`.
///
/// ## Why is this bad?
/// The subnet's stateless firewall lets everything in: security groups become the only layer,
/// and one permissive group exposes every port of every instance in the subnet.
///
/// ## Example
/// ```hcl
/// resource "aws_network_acl_rule" "in" {
///   rule_number = 100
///   protocol    = "-1"
///   rule_action = "allow"
///   cidr_block  = "0.0.0.0/0"
/// }
/// ```
/// Use instead: allow only the ports the subnet serves (and ephemeral ports for return traffic).
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 5.1
/// - NIST SP 800-53 rev5 SC-7
/// - <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html>
pub const INGRESS_ALL_OPEN: Rule = Rule {
    meta: RuleMeta {
        id: "aws-nacl-ingress-all-open",
        title: "Network ACL lets all traffic in from the internet",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["CIS AWS 5.1", "NIST 800-53 SC-7"],
        rationale: "An inbound allow-all from 0.0.0.0/0 or ::/0 removes the subnet-level layer \
            of defence; one permissive security group then exposes everything in the subnet.",
        remediation: "Allow only the ports the subnet serves and the ephemeral range for return \
            traffic, from the networks that need them.",
        evidence: "the world CIDR (cidr_block, ipv6_cidr_block), protocol, rule_action/action, \
            and egress of aws_network_acl_rule",
        format: Format::Terraform,
        kinds: &[
            "aws_default_network_acl",
            "aws_network_acl",
            "aws_network_acl_rule",
        ],
    },
    check: ingress_all_open,
    cases: &[
        Case {
            name: "standalone rule allows all",
            address: "aws_network_acl_rule.in",
            expect: Expect::Violation,
            source: r#"
resource "aws_network_acl_rule" "in" {
  network_acl_id = "acl-123"
  rule_number    = 100
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
}
"#,
        },
        Case {
            name: "inline ingress allows all from ipv6",
            address: "aws_network_acl.main",
            expect: Expect::Violation,
            source: r#"
resource "aws_network_acl" "main" {
  vpc_id = "vpc-123"
  ingress {
    rule_no         = 100
    protocol        = "all"
    action          = "allow"
    ipv6_cidr_block = "::/0"
    from_port       = 0
    to_port         = 0
  }
}
"#,
        },
        Case {
            name: "egress allow all",
            address: "aws_network_acl_rule.out",
            expect: Expect::Pass,
            source: r#"
resource "aws_network_acl_rule" "out" {
  network_acl_id = "acl-123"
  rule_number    = 100
  egress         = true
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
}
"#,
        },
        Case {
            name: "https only",
            address: "aws_network_acl.main",
            expect: Expect::Pass,
            source: r#"
resource "aws_network_acl" "main" {
  vpc_id = "vpc-123"
  ingress {
    rule_no    = 100
    protocol   = "tcp"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  }
}
"#,
        },
        Case {
            name: "cidr from a variable without default",
            address: "aws_network_acl_rule.in",
            expect: Expect::Undecided,
            source: r#"
variable "cidr" {}

resource "aws_network_acl_rule" "in" {
  network_acl_id = "acl-123"
  rule_number    = 100
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = var.cidr
}
"#,
        },
    ],
};

/// One inbound entry: its truth, evidence when it fires, unknown settings, world networks.
struct Entry {
    t: Tri,
    evidence: Vec<Evidence>,
    unknown: Vec<Evidence>,
    nets: Vec<IpNet>,
    label: String,
}

fn entry(
    res: &Resource,
    block: &Value,
    path: &SettingPath,
    action_key: &str,
    direction: Option<Tri>,
) -> Entry {
    let get = |k: &str| block.as_map().and_then(|m| m.get(k));
    let sources: Vec<Source> = ["cidr_block", "ipv6_cidr_block"]
        .iter()
        .filter_map(|n| Source::read(block, path.clone(), n))
        .collect();
    let world = Tri::any(sources.iter().map(Source::world));
    let allow = match read_str(get(action_key)) {
        Read::Known(a) => Tri::from_bool(a.trim().eq_ignore_ascii_case("allow")),
        Read::Unknown => Tri::Maybe,
        Read::Absent => Tri::No,
    };
    let protocol = match Protocol::read(get("protocol")) {
        Protocol::All => Tri::Yes,
        Protocol::Unknown | Protocol::Absent => Tri::Maybe,
        _ => Tri::No,
    };
    let inbound = direction.unwrap_or(Tri::Yes);
    let t = inbound.and(allow).and(protocol).and(world);
    let mut evidence: Vec<Evidence> = sources
        .iter()
        .filter(|s| s.world() == Tri::Yes)
        .map(|s| ev(res, s.path.clone()))
        .collect();
    evidence.push(ev(res, path.key("protocol")));
    evidence.push(ev(res, path.key(action_key)));
    if direction.is_some() {
        evidence.push(ev(res, path.key("egress")));
    }
    let mut unknown: Vec<Evidence> = sources
        .iter()
        .filter(|s| s.unknown)
        .map(|s| ev(res, s.path.clone()))
        .collect();
    for (tri, key) in [(allow, action_key), (protocol, "protocol")] {
        if tri == Tri::Maybe {
            unknown.push(ev(res, path.key(key)));
        }
    }
    if inbound == Tri::Maybe {
        unknown.push(ev(res, path.key("egress")));
    }
    let nets: Vec<IpNet> = sources
        .iter()
        .flat_map(|s| s.world_nets().copied())
        .collect();
    let label = format!(
        "inbound allow of all protocols from {}{}",
        nets.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        if path.is_root() {
            String::new()
        } else {
            format!(" ({path})")
        }
    );
    Entry {
        t,
        evidence,
        unknown,
        nets,
        label,
    }
}

fn ingress_all_open(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let root = SettingPath::root();
    let entries: Vec<Entry> = if res.kind == "aws_network_acl_rule" {
        let inbound = bool_is(res.attr("egress"), false, false);
        vec![entry(res, &res.body, &root, "rule_action", Some(inbound))]
    } else {
        // A dynamic block over an unknown collection: an entry that might be anything.
        let unknown = unknown_blocks_of(res, "ingress")
            .into_iter()
            .map(|p| Entry {
                t: Tri::Maybe,
                evidence: Vec::new(),
                unknown: vec![ev(res, p)],
                nets: Vec::new(),
                label: String::new(),
            });
        res.blocks("ingress")
            .into_iter()
            .map(|(p, b)| entry(res, b, &p, "action", None))
            .chain(unknown)
            .collect()
    };
    let hits: Vec<&Entry> = entries.iter().filter(|e| e.t == Tri::Yes).collect();
    if !hits.is_empty() {
        return Verdict::Violation(Finding {
            evidence: dedup(
                hits.iter()
                    .flat_map(|e| e.evidence.iter().cloned())
                    .collect(),
            ),
            summary: hits
                .iter()
                .map(|e| e.label.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            scope: Scope {
                networks: dedup(hits.iter().flat_map(|e| e.nets.iter().copied()).collect()),
                ports: vec![ALL_PORTS],
                ..Scope::default()
            },
        });
    }
    let maybe: Vec<&Entry> = entries.iter().filter(|e| e.t == Tri::Maybe).collect();
    if !maybe.is_empty() {
        return Verdict::Undecided {
            evidence: dedup(
                maybe
                    .iter()
                    .flat_map(|e| e.unknown.iter().cloned())
                    .collect(),
            ),
            reason: "a CIDR, protocol, action or direction of an inbound entry is not known \
                statically"
                .to_string(),
        };
    }
    Verdict::Pass
}
