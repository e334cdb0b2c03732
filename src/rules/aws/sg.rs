//! Security groups that admit the whole internet: to administration ports, to database ports, or
//! to every port. The three rules share the ingress reading of [`helpers::ingress_entries`], which
//! knows the three Terraform shapes of a permission (inline `ingress` blocks,
//! `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule`); they differ only in which
//! protocol and ports they care about. The Azure NSG and Google firewall rules use the same three
//! checks: the ingress reading knows their shapes too.

use crate::model::{Format, Resource};
use crate::rules::helpers::{self, judge_world_ingress, tcp_on_any, Ports, Protocol, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity, UnitView, Verdict};

const KINDS: &[&str] = &[
    "aws_default_security_group",
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
];

const SG_EVIDENCE: &str = "per offending permission: the CIDR setting that contains the whole \
    address space (cidr_blocks, ipv6_cidr_blocks, cidr_ipv4, cidr_ipv6), from_port and to_port \
    (unless the protocol is all), the protocol, and for aws_security_group_rule its type";

/// SSH and RDP.
pub const ADMIN_PORTS: &[(u16, u16)] = &[(22, 22), (3389, 3389)];

/// MySQL, PostgreSQL, SQL Server, Oracle, MongoDB, Redis, Elasticsearch, Redshift, Memcached,
/// Cassandra (client and inter-node), CouchDB.
pub const DATABASE_PORTS: &[(u16, u16)] = &[
    (1433, 1433),
    (1521, 1521),
    (3306, 3306),
    (5432, 5432),
    (5439, 5439),
    (5984, 5984),
    (6379, 6379),
    (7000, 7001),
    (9042, 9042),
    (9200, 9200),
    (11211, 11211),
    (27017, 27017),
];

/// ## What it does
/// Flags a security group permission that admits `0.0.0.0/0` or `::/0` to SSH (22) or RDP (3389)
/// over TCP (or all protocols).
///
/// ## Why is this bad?
/// Administration ports open to the internet are scanned within minutes of exposure and are the
/// usual way in for credential stuffing and remote-access exploits.
///
/// ## Example
/// ```hcl
/// resource "aws_security_group" "bastion" {
///   ingress {
///     from_port   = 22
///     to_port     = 22
///     protocol    = "tcp"
///     cidr_blocks = ["0.0.0.0/0"]
///   }
/// }
/// ```
/// Use instead: a narrow CIDR (the office, the VPN), or Systems Manager Session Manager.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 5.2 and 5.3
/// - NIST SP 800-53 rev5 SC-7, AC-3
/// - <https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html>
pub const ADMIN_PORT_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-sg-admin-port-public",
        title: "Security group admits the internet to SSH or RDP",
        severity: Severity::High,
        category: Category::Network,
        standards: &[
            "CIS AWS 5.2",
            "CIS AWS 5.3",
            "NIST 800-53 SC-7",
            "NIST 800-53 AC-3",
        ],
        rationale: "SSH (22) and RDP (3389) open to 0.0.0.0/0 or ::/0 are found by internet-wide \
            scanners within minutes and attacked with stolen credentials and remote-access exploits.",
        remediation: "Restrict the source to known networks (office, VPN) or remove the rule and \
            use Systems Manager Session Manager or a bastion reachable only from known networks.",
        evidence: SG_EVIDENCE,
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: admin_port_public,
    cases: &[
        Case {
            name: "ssh from the world",
            address: "aws_security_group.web",
            expect: Expect::Violation,
            source: r#"
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
        },
        Case {
            name: "rdp in a range from ipv6 everywhere, standalone rule",
            address: "aws_security_group_rule.rdp",
            expect: Expect::Violation,
            source: r#"
resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  security_group_id = "sg-123"
  from_port         = 3000
  to_port           = 4000
  protocol          = "6"
  ipv6_cidr_blocks  = ["::/0"]
}
"#,
        },
        Case {
            name: "all protocols via vpc ingress rule",
            address: "aws_vpc_security_group_ingress_rule.all",
            expect: Expect::Violation,
            source: r#"
resource "aws_vpc_security_group_ingress_rule" "all" {
  security_group_id = "sg-123"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}
"#,
        },
        Case {
            name: "ssh from a private network only",
            address: "aws_security_group.web",
            expect: Expect::Pass,
            source: r#"
resource "aws_security_group" "web" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
        },
        Case {
            name: "https from the world, unknown cidr on port 80",
            address: "aws_security_group.web",
            expect: Expect::Pass,
            source: r#"
variable "office" {}

resource "aws_security_group" "web" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [var.office]
  }
}
"#,
        },
        Case {
            name: "ssh from a variable without default",
            address: "aws_security_group.web",
            expect: Expect::Undecided,
            source: r#"
variable "admin_cidr" {}

resource "aws_security_group" "web" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
"#,
        },
        Case {
            name: "dynamic ingress over a variable without default",
            address: "aws_security_group.web",
            expect: Expect::Undecided,
            source: r#"
variable "rules" {}

resource "aws_security_group" "web" {
  dynamic "ingress" {
    for_each = var.rules
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = ingress.value.cidrs
    }
  }
}
"#,
        },
    ],
};

pub(crate) fn admin_port_public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    judge_world_ingress(res, |p, ports| tcp_on_any(p, ports, ADMIN_PORTS))
}

/// ## What it does
/// Flags a security group permission that admits `0.0.0.0/0` or `::/0` to a database or cache
/// port (MySQL 3306, PostgreSQL 5432, SQL Server 1433, Oracle 1521, MongoDB 27017, Redis 6379,
/// Elasticsearch 9200, Redshift 5439, Memcached 11211, Cassandra 9042 and 7000-7001, CouchDB 5984)
/// over TCP (or all protocols).
///
/// ## Why is this bad?
/// Data stores reachable from the internet are found by scanners and attacked directly: default
/// or weak credentials, unauthenticated instances (Redis, Elasticsearch, MongoDB), and ransom
/// wipes of exposed databases are common.
///
/// ## Example
/// ```hcl
/// resource "aws_security_group_rule" "pg" {
///   type        = "ingress"
///   from_port   = 5432
///   to_port     = 5432
///   protocol    = "tcp"
///   cidr_blocks = ["0.0.0.0/0"]
/// }
/// ```
/// Use instead: the application's security group as the source.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7, AC-3
/// - <https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.RDSSecurityGroups.html>
pub const DATABASE_PORT_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-sg-database-port-public",
        title: "Security group admits the internet to a database port",
        severity: Severity::High,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "Databases and caches reachable from 0.0.0.0/0 or ::/0 are attacked directly: \
            weak or default credentials, instances without authentication, ransom wipes.",
        remediation: "Allow the database port only from the security groups of the applications \
            that use it, or from private networks.",
        evidence: SG_EVIDENCE,
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: database_port_public,
    cases: &[
        Case {
            name: "postgres from the world",
            address: "aws_security_group_rule.pg",
            expect: Expect::Violation,
            source: r#"
resource "aws_security_group_rule" "pg" {
  type              = "ingress"
  security_group_id = "sg-123"
  from_port         = 5432
  to_port           = 5432
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
"#,
        },
        Case {
            name: "cassandra inter-node port inside a range",
            address: "aws_vpc_security_group_ingress_rule.c",
            expect: Expect::Violation,
            source: r#"
resource "aws_vpc_security_group_ingress_rule" "c" {
  security_group_id = "sg-123"
  cidr_ipv6         = "::/0"
  ip_protocol       = "tcp"
  from_port         = 7001
  to_port           = 7100
}
"#,
        },
        Case {
            name: "mysql from the application subnet",
            address: "aws_security_group.db",
            expect: Expect::Pass,
            source: r#"
resource "aws_security_group" "db" {
  ingress {
    from_port   = 3306
    to_port     = 3306
    protocol    = "tcp"
    cidr_blocks = ["10.1.0.0/16"]
  }
}
"#,
        },
        Case {
            name: "redis port from a variable without default",
            address: "aws_security_group.cache",
            expect: Expect::Undecided,
            source: r#"
variable "redis_port" {}

resource "aws_security_group" "cache" {
  ingress {
    from_port   = var.redis_port
    to_port     = var.redis_port
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
        },
    ],
};

pub(crate) fn database_port_public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    judge_world_ingress(res, |p, ports| tcp_on_any(p, ports, DATABASE_PORTS))
}

/// ## What it does
/// Flags a security group permission that admits `0.0.0.0/0` or `::/0` on every port: protocol
/// `-1`/`all`, or TCP or UDP from port 0 or 1 to 65535.
///
/// ## Why is this bad?
/// Every service on the instances, including the ones nobody meant to publish (debug endpoints,
/// metrics, databases, management agents), becomes reachable from the internet.
///
/// ## Example
/// ```hcl
/// resource "aws_security_group" "app" {
///   ingress {
///     from_port   = 0
///     to_port     = 0
///     protocol    = "-1"
///     cidr_blocks = ["0.0.0.0/0"]
///   }
/// }
/// ```
/// Use instead: one permission per published port.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 5.2 and 5.3
/// - NIST SP 800-53 rev5 SC-7
pub const ALL_PORTS_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-sg-all-ports-public",
        title: "Security group admits the internet on every port",
        severity: Severity::Critical,
        category: Category::Network,
        standards: &["CIS AWS 5.2", "CIS AWS 5.3", "NIST 800-53 SC-7"],
        rationale: "Every service on the attached instances, including ones never meant to be \
            published (debug endpoints, metrics, databases, agents), is reachable from the internet.",
        remediation: "Replace the permission with one per port that must be public, and reach \
            everything else through private networks.",
        evidence: SG_EVIDENCE,
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: all_ports_public,
    cases: &[
        Case {
            name: "all protocols from the world",
            address: "aws_security_group.app",
            expect: Expect::Violation,
            source: r#"
resource "aws_security_group" "app" {
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
        },
        Case {
            name: "every udp port from ipv6 everywhere",
            address: "aws_security_group_rule.udp",
            expect: Expect::Violation,
            source: r#"
resource "aws_security_group_rule" "udp" {
  type              = "ingress"
  security_group_id = "sg-123"
  from_port         = 1
  to_port           = 65535
  protocol          = "udp"
  ipv6_cidr_blocks  = ["::/0"]
}
"#,
        },
        Case {
            name: "a wide but not full range",
            address: "aws_security_group.app",
            expect: Expect::Pass,
            source: r#"
resource "aws_security_group" "app" {
  ingress {
    from_port   = 1024
    to_port     = 65535
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
        },
        Case {
            name: "all protocols as egress rule",
            address: "aws_security_group_rule.out",
            expect: Expect::Pass,
            source: r#"
resource "aws_security_group_rule" "out" {
  type              = "egress"
  security_group_id = "sg-123"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}
"#,
        },
        Case {
            name: "protocol from a variable without default",
            address: "aws_security_group.app",
            expect: Expect::Undecided,
            source: r#"
variable "proto" {}

resource "aws_security_group" "app" {
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = var.proto
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
        },
    ],
};

/// Every protocol, or TCP/UDP over the whole port range (0 or 1 to 65535).
fn every_port(protocol: &Protocol, ports: &Ports) -> Tri {
    match protocol {
        Protocol::All => Tri::Yes,
        Protocol::Unknown | Protocol::Absent => Tri::Maybe,
        Protocol::Tcp | Protocol::Udp => match ports {
            Ports::Range(lo, hi) => Tri::from_bool(*lo <= 1 && *hi == helpers::ALL_PORTS.1),
            Ports::Unknown => Tri::Maybe,
            Ports::NotApplicable => Tri::No,
        },
        _ => Tri::No,
    }
}

pub(crate) fn all_ports_public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    judge_world_ingress(res, every_port)
}

/// ## What it does
/// Flags an `aws_default_security_group` that keeps any `ingress` or `egress` rule. Terraform
/// removes the default group's rules when it adopts it, so every rule left here was written.
///
/// ## Why is this bad?
/// Resources launched without a security group land in the default one; a default group that
/// admits traffic exposes them without anyone having chosen to.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 5.4
/// - NIST SP 800-53 rev5 SC-7, CM-7
pub const DEFAULT_SG_OPEN: Rule = Rule {
    meta: RuleMeta {
        id: "aws-sg-default-open",
        title: "Default security group allows traffic",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["CIS AWS 5.4", "NIST 800-53 SC-7", "NIST 800-53 CM-7"],
        rationale: "Anything launched without an explicit security group joins the VPC's default \
            group; rules on it expose those resources without anyone having chosen to.",
        remediation: "Declare the aws_default_security_group with no ingress and no egress \
            blocks, and give every resource a purpose-made group.",
        evidence: "each ingress and egress block of the default group",
        format: Format::Terraform,
        kinds: &["aws_default_security_group"],
    },
    check: default_sg_open,
    cases: &[
        Case {
            name: "default group admits the vpc",
            address: "aws_default_security_group.default",
            expect: Expect::Violation,
            source: r#"
resource "aws_default_security_group" "default" {
  vpc_id = "vpc-123"
  ingress {
    protocol  = -1
    self      = true
    from_port = 0
    to_port   = 0
  }
}
"#,
        },
        Case {
            name: "default group emptied",
            address: "aws_default_security_group.default",
            expect: Expect::Pass,
            source:
                "resource \"aws_default_security_group\" \"default\" {\n  vpc_id = \"vpc-123\"\n}\n",
        },
        Case {
            name: "dynamic egress over a variable without default",
            address: "aws_default_security_group.default",
            expect: Expect::Undecided,
            source: r#"
variable "rules" {}

resource "aws_default_security_group" "default" {
  vpc_id = "vpc-123"
  dynamic "egress" {
    for_each = var.rules
    content {
      protocol    = "-1"
      from_port   = 0
      to_port     = 0
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
"#,
        },
    ],
};

fn default_sg_open(res: &Resource, _: &UnitView<'_>) -> Verdict {
    use crate::rules::helpers::{ev, unknown_blocks_of};
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for name in ["ingress", "egress"] {
        known.extend(res.blocks(name).into_iter().map(|(p, _)| ev(res, p)));
        unknown.extend(unknown_blocks_of(res, name).into_iter().map(|p| ev(res, p)));
    }
    if !known.is_empty() {
        return Verdict::Violation(crate::rules::Finding {
            summary: format!("default security group keeps {} rule(s)", known.len()),
            evidence: known,
            scope: crate::rules::Scope::default(),
        });
    }
    if !unknown.is_empty() {
        return Verdict::Undecided {
            evidence: unknown,
            reason: "the default group's rules are not known statically".into(),
        };
    }
    Verdict::Pass
}
