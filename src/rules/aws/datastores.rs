//! Data stores without encryption: OpenSearch/Elasticsearch domains, ElastiCache replication
//! groups and Redshift clusters. Defaults differ by service and provider version, and each rule
//! says which default it applies; where AWS now encrypts by default whatever the provider says
//! (Redshift since 2025), only an explicit `false` is judged.

use crate::model::{Format, Resource};
use crate::rules::helpers::{any_flag, flag_at};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `aws_opensearch_domain` or `aws_elasticsearch_domain` without encryption at rest or
/// without node-to-node encryption. In AWS provider 5.x both blocks default to disabled when
/// absent, so an absent block is a violation.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-28, SC-8
pub const OPENSEARCH_UNENCRYPTED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-opensearch-unencrypted",
        title: "OpenSearch domain is not encrypted at rest or between nodes",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["NIST 800-53 SC-28", "NIST 800-53 SC-8"],
        rationale: "Indices, logs and snapshots of an unencrypted domain are readable by whoever \
            gets the underlying storage or the traffic between nodes. Provider 5.x default: both \
            off when their blocks are absent.",
        remediation: "Set encrypt_at_rest { enabled = true } and node_to_node_encryption \
            { enabled = true } (encryption at rest cannot be turned on in place for old domains).",
        evidence: "encrypt_at_rest[0].enabled, node_to_node_encryption[0].enabled",
        format: Format::Terraform,
        kinds: &["aws_elasticsearch_domain", "aws_opensearch_domain"],
    },
    check: opensearch_unencrypted,
    cases: &[
        Case {
            name: "no encryption blocks",
            address: "aws_opensearch_domain.logs",
            expect: Expect::Violation,
            source: "resource \"aws_opensearch_domain\" \"logs\" {\n  domain_name = \"logs\"\n}\n",
        },
        Case {
            name: "both on",
            address: "aws_opensearch_domain.logs",
            expect: Expect::Pass,
            source: r#"
resource "aws_opensearch_domain" "logs" {
  domain_name = "logs"
  encrypt_at_rest {
    enabled = true
  }
  node_to_node_encryption {
    enabled = true
  }
}
"#,
        },
        Case {
            name: "at rest from a variable without default",
            address: "aws_opensearch_domain.logs",
            expect: Expect::Undecided,
            source: r#"
variable "enc" {}

resource "aws_opensearch_domain" "logs" {
  domain_name = "logs"
  encrypt_at_rest {
    enabled = var.enc
  }
  node_to_node_encryption {
    enabled = true
  }
}
"#,
        },
    ],
};

fn opensearch_unencrypted(res: &Resource, _: &UnitView<'_>) -> Verdict {
    any_flag(
        res,
        &[
            (
                "encrypt_at_rest[0].enabled",
                false,
                false,
                "not encrypted at rest",
            ),
            (
                "node_to_node_encryption[0].enabled",
                false,
                false,
                "no node-to-node encryption",
            ),
        ],
    )
}

/// ## What it does
/// Flags an `aws_elasticache_replication_group` with encryption at rest or in transit off. AWS
/// provider 5.x: `at_rest_encryption_enabled` and `transit_encryption_enabled` default to false
/// for the Redis engine (the default engine), so absent is a violation; for Valkey, encryption at
/// rest defaults to true.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-28, SC-8
pub const ELASTICACHE_UNENCRYPTED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-elasticache-unencrypted",
        title: "ElastiCache replication group is not encrypted at rest or in transit",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["NIST 800-53 SC-28", "NIST 800-53 SC-8"],
        rationale: "Caches hold sessions, tokens and copies of database rows; without transit \
            encryption they cross the network in clear, and without encryption at rest they sit \
            in clear in backups. Provider 5.x default: both false for Redis.",
        remediation: "Set at_rest_encryption_enabled = true and transit_encryption_enabled = true \
            (with an auth token or RBAC user group).",
        evidence: "at_rest_encryption_enabled, transit_encryption_enabled",
        format: Format::Terraform,
        kinds: &["aws_elasticache_replication_group"],
    },
    check: elasticache_unencrypted,
    cases: &[
        Case {
            name: "defaults",
            address: "aws_elasticache_replication_group.sessions",
            expect: Expect::Violation,
            source: "resource \"aws_elasticache_replication_group\" \"sessions\" {\n  replication_group_id = \"sessions\"\n  description          = \"sessions\"\n}\n",
        },
        Case {
            name: "valkey encrypts at rest by default, transit written",
            address: "aws_elasticache_replication_group.sessions",
            expect: Expect::Pass,
            source: "resource \"aws_elasticache_replication_group\" \"sessions\" {\n  replication_group_id       = \"sessions\"\n  description                = \"sessions\"\n  engine                     = \"valkey\"\n  transit_encryption_enabled = true\n}\n",
        },
        Case {
            name: "transit from a variable without default",
            address: "aws_elasticache_replication_group.sessions",
            expect: Expect::Undecided,
            source: "variable \"t\" {}\nresource \"aws_elasticache_replication_group\" \"sessions\" {\n  replication_group_id       = \"sessions\"\n  description                = \"sessions\"\n  at_rest_encryption_enabled = true\n  transit_encryption_enabled = var.t\n}\n",
        },
        Case {
            name: "both on",
            address: "aws_elasticache_replication_group.sessions",
            expect: Expect::Pass,
            source: "resource \"aws_elasticache_replication_group\" \"sessions\" {\n  replication_group_id       = \"sessions\"\n  description                = \"sessions\"\n  at_rest_encryption_enabled = true\n  transit_encryption_enabled = true\n}\n",
        },
    ],
};

fn elasticache_unencrypted(res: &Resource, _: &UnitView<'_>) -> Verdict {
    // The Valkey engine encrypts at rest unless told not to; Redis (the default engine) does not.
    let valkey = matches!(
        crate::rules::helpers::read_str(res.attr("engine")),
        crate::rules::helpers::Read::Known(e) if e.trim().eq_ignore_ascii_case("valkey")
    );
    any_flag(
        res,
        &[
            (
                "at_rest_encryption_enabled",
                valkey,
                false,
                "not encrypted at rest",
            ),
            (
                "transit_encryption_enabled",
                false,
                false,
                "not encrypted in transit",
            ),
        ],
    )
}

/// ## What it does
/// Flags an `aws_redshift_cluster` with `encrypted = false`. An absent setting passes: AWS
/// provider 6.x defaults it to true, and since 2025 Redshift encrypts new clusters whatever the
/// request says, so only an explicit false is evidence.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-28
pub const REDSHIFT_UNENCRYPTED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-redshift-unencrypted",
        title: "Redshift cluster is not encrypted",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["NIST 800-53 SC-28"],
        rationale: "The warehouse's blocks and snapshots are stored in clear. Only an explicit \
            encrypted = false is judged: provider 6.x and the service itself encrypt by default.",
        remediation: "Set encrypted = true (with kms_key_id for a customer-managed key).",
        evidence: "encrypted",
        format: Format::Terraform,
        kinds: &["aws_redshift_cluster"],
    },
    check: redshift_unencrypted,
    cases: &[
        Case {
            name: "explicitly off",
            address: "aws_redshift_cluster.dw",
            expect: Expect::Violation,
            source: "resource \"aws_redshift_cluster\" \"dw\" {\n  cluster_identifier = \"dw\"\n  encrypted          = false\n}\n",
        },
        Case {
            name: "absent",
            address: "aws_redshift_cluster.dw",
            expect: Expect::Pass,
            source: "resource \"aws_redshift_cluster\" \"dw\" {\n  cluster_identifier = \"dw\"\n}\n",
        },
    ],
};

fn redshift_unencrypted(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(
        res,
        "encrypted",
        true,
        false,
        "Redshift cluster not encrypted",
    )
}
