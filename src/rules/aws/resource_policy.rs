//! Resource policies open to everyone: SQS queues, SNS topics, KMS keys, ECR repositories,
//! Secrets Manager secrets and OpenSearch domains. Each takes a policy
//! either on the resource itself or on a separate `*_policy` resource; each rule judges whichever
//! resource carries the policy, so a window opens on the resource whose setting opened it.

use crate::model::{Format, Resource};
use crate::rules::helpers::{attr_path, dedup, Tri};
use crate::rules::policy::{resolve, Judgement};
use crate::rules::{
    Case, Category, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// The `policy` of `res`: violation for an unconditioned Allow to everyone.
fn policy_public(res: &Resource, view: &UnitView<'_>) -> Verdict {
    policy_public_at(res, view, "policy")
}

/// The `access_policies` of an OpenSearch domain (or its `aws_opensearch_domain_policy`).
fn access_policies_public(res: &Resource, view: &UnitView<'_>) -> Verdict {
    policy_public_at(res, view, "access_policies")
}

/// The policy in attribute `attr` of `res`: violation for an unconditioned Allow to everyone.
fn policy_public_at(res: &Resource, view: &UnitView<'_>, attr: &str) -> Verdict {
    let docs = vec![resolve(view, res, &attr_path(attr))];
    let j = Judgement::of(&docs, |s| s.grants_public());
    match j.outcome() {
        Tri::Yes => Verdict::Violation(Finding {
            evidence: j.evidence(),
            summary: dedup(
                j.hits
                    .iter()
                    .map(|(s, _)| {
                        format!(
                            "{} allows {} to * {}",
                            s.label(),
                            s.actions_label(),
                            s.condition_label()
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .join("; "),
            scope: Scope {
                actions: j.scope_actions(),
                principals: j.scope_principals(),
                ..Scope::default()
            },
        }),
        Tri::Maybe => Verdict::Undecided {
            evidence: dedup(j.maybe.clone()),
            reason: j.reason(),
        },
        Tri::No => Verdict::Pass,
    }
}

const POLICY_EVIDENCE: &str = "the effect and principal of each Allow statement for principal * \
    without a condition, in the policy attribute or the policy document data source it reads";

/// ## What it does
/// Flags an `aws_sqs_queue_policy` (or the `policy` of an `aws_sqs_queue`) with an Allow statement
/// for principal `*` or `{"AWS": "*"}` without a `Condition`.
///
/// ## Why is this bad?
/// Anyone can perform the statement's actions on the queue: read (and so delete) its messages,
/// or inject messages that downstream consumers trust.
///
/// ## Example
/// ```hcl
/// resource "aws_sqs_queue_policy" "jobs" {
///   queue_url = aws_sqs_queue.jobs.id
///   policy = jsonencode({
///     Statement = [{ Effect = "Allow", Principal = "*", Action = "sqs:*", Resource = "*" }]
///   })
/// }
/// ```
/// Use instead: name the principals, or add a condition (`aws:SourceArn` of the SNS topic or
/// EventBridge rule that sends to it).
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-6
/// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html>
pub const SQS_POLICY_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-sqs-policy-public",
        title: "SQS queue policy allows everyone",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-6"],
        rationale: "An unconditioned Allow to principal * lets anyone read, delete or inject the \
            queue's messages.",
        remediation: "Name the principals that need the queue, or restrict the statement with a \
            condition such as aws:SourceArn or aws:PrincipalOrgID.",
        evidence: POLICY_EVIDENCE,
        format: Format::Terraform,
        kinds: &["aws_sqs_queue", "aws_sqs_queue_policy"],
    },
    check: policy_public,
    cases: &[
        Case {
            name: "queue policy with principal star",
            address: "aws_sqs_queue_policy.jobs",
            expect: Expect::Violation,
            source: r#"
resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_sqs_queue_policy" "jobs" {
  queue_url = aws_sqs_queue.jobs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "sqs:SendMessage"
      Resource  = "*"
    }]
  })
}
"#,
        },
        Case {
            name: "inline queue policy with AWS star",
            address: "aws_sqs_queue.jobs",
            expect: Expect::Violation,
            source: r#"
resource "aws_sqs_queue" "jobs" {
  name   = "jobs"
  policy = <<EOF
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sqs:*","Resource":"*"}]}
EOF
}
"#,
        },
        Case {
            name: "sns topic as source",
            address: "aws_sqs_queue_policy.jobs",
            expect: Expect::Pass,
            source: r#"
resource "aws_sqs_queue_policy" "jobs" {
  queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "*"
      Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:sns:eu-west-1:123456789012:events" } }
    }]
  })
}
"#,
        },
        Case {
            name: "policy from a variable without default",
            address: "aws_sqs_queue_policy.jobs",
            expect: Expect::Undecided,
            source: r#"
variable "queue_policy" {}

resource "aws_sqs_queue_policy" "jobs" {
  queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
  policy    = var.queue_policy
}
"#,
        },
    ],
};

/// ## What it does
/// Flags an `aws_sns_topic_policy` (or the `policy` of an `aws_sns_topic`) with an Allow statement
/// for principal `*` or `{"AWS": "*"}` without a `Condition`.
///
/// ## Why is this bad?
/// Anyone can publish to the topic (phishing or forged events to every subscriber), subscribe
/// their own endpoint to receive its messages, or change its settings.
///
/// ## Example
/// ```hcl
/// resource "aws_sns_topic_policy" "events" {
///   arn = aws_sns_topic.events.arn
///   policy = jsonencode({
///     Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "SNS:Publish", Resource = "*" }]
///   })
/// }
/// ```
/// Use instead: name the principals, or add a condition (`aws:SourceOwner`, `aws:SourceArn`).
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-6
/// - <https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html>
pub const SNS_POLICY_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-sns-policy-public",
        title: "SNS topic policy allows everyone",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-6"],
        rationale: "An unconditioned Allow to principal * lets anyone publish forged messages to \
            every subscriber, or subscribe to receive the topic's messages.",
        remediation: "Name the principals that need the topic, or restrict the statement with a \
            condition such as aws:SourceOwner or aws:SourceArn.",
        evidence: POLICY_EVIDENCE,
        format: Format::Terraform,
        kinds: &["aws_sns_topic", "aws_sns_topic_policy"],
    },
    check: policy_public,
    cases: &[
        Case {
            name: "topic policy document with star principal",
            address: "aws_sns_topic_policy.events",
            expect: Expect::Violation,
            source: r#"
resource "aws_sns_topic" "events" {
  name = "events"
}

data "aws_iam_policy_document" "events" {
  statement {
    actions   = ["SNS:Publish", "SNS:Subscribe"]
    resources = [aws_sns_topic.events.arn]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_sns_topic_policy" "events" {
  arn    = aws_sns_topic.events.arn
  policy = data.aws_iam_policy_document.events.json
}
"#,
        },
        Case {
            name: "topic policy limited to the owner account",
            address: "aws_sns_topic_policy.events",
            expect: Expect::Pass,
            source: r#"
data "aws_iam_policy_document" "events" {
  statement {
    actions   = ["SNS:Publish"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceOwner"
      values   = ["123456789012"]
    }
  }
}

resource "aws_sns_topic_policy" "events" {
  arn    = "arn:aws:sns:eu-west-1:123456789012:events"
  policy = data.aws_iam_policy_document.events.json
}
"#,
        },
        Case {
            name: "effect from a variable without default",
            address: "aws_sns_topic.events",
            expect: Expect::Undecided,
            source: r#"
variable "effect" {}

resource "aws_sns_topic" "events" {
  name = "events"
  policy = jsonencode({
    Statement = [{ Effect = var.effect, Principal = "*", Action = "SNS:Publish", Resource = "*" }]
  })
}
"#,
        },
    ],
};

/// ## What it does
/// Flags an `aws_kms_key` or `aws_kms_key_policy` whose key policy has an Allow statement for
/// principal `*` or `{"AWS": "*"}` without a `Condition`.
///
/// ## Why is this bad?
/// The key policy is the root of access to a KMS key: any AWS identity in any account can use
/// the key (decrypt everything encrypted under it) or, with `kms:*`, administer and delete it.
///
/// ## Example
/// ```hcl
/// resource "aws_kms_key" "data" {
///   policy = jsonencode({
///     Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "kms:*", Resource = "*" }]
///   })
/// }
/// ```
/// Use instead: the account root (`arn:aws:iam::ACCOUNT:root`) and named roles, or a
/// `kms:CallerAccount` / `aws:PrincipalOrgID` condition.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-6, SC-12
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html>
pub const KMS_KEY_POLICY_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-kms-key-policy-public",
        title: "KMS key policy allows everyone",
        severity: Severity::Critical,
        category: Category::Encryption,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-6", "NIST 800-53 SC-12"],
        rationale: "An unconditioned Allow to principal * in a key policy lets any AWS identity \
            use the key, and so decrypt everything encrypted under it, or administer it.",
        remediation: "Grant the account root and named roles, or restrict the statement with a \
            kms:CallerAccount or aws:PrincipalOrgID condition.",
        evidence: POLICY_EVIDENCE,
        format: Format::Terraform,
        kinds: &["aws_kms_key", "aws_kms_key_policy"],
    },
    check: policy_public,
    cases: &[
        Case {
            name: "key open to every account",
            address: "aws_kms_key.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_kms_key" "data" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Everyone"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
"#,
        },
        Case {
            name: "separate key policy with star",
            address: "aws_kms_key_policy.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_kms_key_policy" "data" {
  key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "kms:Decrypt", Resource = "*" }]
  })
}
"#,
        },
        Case {
            name: "star restricted to the caller account",
            address: "aws_kms_key.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_kms_key" "data" {
  enable_key_rotation = true
  policy = jsonencode({
    Statement = [
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::123456789012:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = ["kms:Decrypt", "kms:DescribeKey"]
        Resource  = "*"
        Condition = { StringEquals = { "kms:CallerAccount" = "123456789012" } }
      },
    ]
  })
}
"#,
        },
        Case {
            name: "no policy: the default key policy",
            address: "aws_kms_key.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_kms_key" "data" {
  enable_key_rotation = true
}
"#,
        },
        Case {
            name: "principals from a variable without default",
            address: "aws_kms_key.data",
            expect: Expect::Undecided,
            source: r#"
variable "key_users" {}

resource "aws_kms_key" "data" {
  enable_key_rotation = true
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = var.key_users }, Action = "kms:Decrypt", Resource = "*" }]
  })
}
"#,
        },
    ],
};

/// ## What it does
/// Flags an `aws_ecr_repository_policy` with an unconditioned Allow to principal `*`.
///
/// ## Why is this bad?
/// Anyone can pull the images (and the secrets and internal code baked into them), or, with push
/// actions, replace an image that production then runs.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-6
pub const ECR_POLICY_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-ecr-policy-public",
        title: "ECR repository policy allows everyone",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-6"],
        rationale: "An unconditioned Allow to principal * lets anyone pull the repository's \
            images, with whatever code and credentials are baked into them, or with push \
            actions replace an image that production runs.",
        remediation: "Name the accounts or roles that pull, or add an aws:PrincipalOrgID \
            condition.",
        evidence: POLICY_EVIDENCE,
        format: Format::Terraform,
        kinds: &["aws_ecr_repository_policy"],
    },
    check: policy_public,
    cases: &[
        Case {
            name: "pull for everyone",
            address: "aws_ecr_repository_policy.app",
            expect: Expect::Violation,
            source: r#"
resource "aws_ecr_repository_policy" "app" {
  repository = "app"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    }]
  })
}
"#,
        },
        Case {
            name: "pull for the organisation",
            address: "aws_ecr_repository_policy.app",
            expect: Expect::Pass,
            source: r#"
resource "aws_ecr_repository_policy" "app" {
  repository = "app"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage"]
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-abc123" } }
    }]
  })
}
"#,
        },
        Case {
            name: "policy from a variable without default",
            address: "aws_ecr_repository_policy.app",
            expect: Expect::Undecided,
            source: r#"
variable "p" {}

resource "aws_ecr_repository_policy" "app" {
  repository = "app"
  policy     = var.p
}
"#,
        },
    ],
};

/// ## What it does
/// Flags an `aws_secretsmanager_secret_policy` (or the `policy` of an `aws_secretsmanager_secret`)
/// with an unconditioned Allow to principal `*`.
///
/// ## Why is this bad?
/// The secret's value (a database password, an API key) can be read by any AWS identity.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-6, IA-5
pub const SECRETSMANAGER_POLICY_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-secretsmanager-policy-public",
        title: "Secrets Manager secret policy allows everyone",
        severity: Severity::Critical,
        category: Category::Secrets,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-6", "NIST 800-53 IA-5"],
        rationale: "An unconditioned Allow to principal * lets any AWS identity read the \
            secret's value: the password or key it exists to protect.",
        remediation: "Name the roles that read the secret, or add an aws:PrincipalOrgID or \
            aws:PrincipalAccount condition.",
        evidence: POLICY_EVIDENCE,
        format: Format::Terraform,
        kinds: &[
            "aws_secretsmanager_secret",
            "aws_secretsmanager_secret_policy",
        ],
    },
    check: policy_public,
    cases: &[
        Case {
            name: "get secret value for everyone",
            address: "aws_secretsmanager_secret_policy.db",
            expect: Expect::Violation,
            source: r#"
resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "secretsmanager:GetSecretValue"
      Resource  = "*"
    }]
  })
}
"#,
        },
        Case {
            name: "one role",
            address: "aws_secretsmanager_secret_policy.db",
            expect: Expect::Pass,
            source: r#"
resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:role/app" }
      Action    = "secretsmanager:GetSecretValue"
      Resource  = "*"
    }]
  })
}
"#,
        },
    ],
};

/// ## What it does
/// Flags an `aws_opensearch_domain` or `aws_elasticsearch_domain` (or its `*_domain_policy`)
/// whose `access_policies` allow principal `*` without a condition.
///
/// ## Why is this bad?
/// For a domain with a public endpoint, an open access policy means anyone on the internet can
/// read, write and delete its indices; exposed Elasticsearch clusters are among the largest data
/// leaks on record.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, SC-7
pub const OPENSEARCH_POLICY_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-opensearch-policy-public",
        title: "OpenSearch domain access policy allows everyone",
        severity: Severity::Critical,
        category: Category::Storage,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 SC-7"],
        rationale: "An unconditioned Allow to principal * on a domain's access policy lets \
            anyone who reaches the endpoint read, write and delete its indices.",
        remediation: "Grant named roles, or restrict by aws:SourceIp, and place the domain in a \
            VPC (vpc_options).",
        evidence: "the effect and principal of each Allow statement for principal * without a \
            condition, in access_policies",
        format: Format::Terraform,
        kinds: &[
            "aws_elasticsearch_domain",
            "aws_elasticsearch_domain_policy",
            "aws_opensearch_domain",
            "aws_opensearch_domain_policy",
        ],
    },
    check: access_policies_public,
    cases: &[
        Case {
            name: "es:* for everyone",
            address: "aws_opensearch_domain_policy.logs",
            expect: Expect::Violation,
            source: r#"
resource "aws_opensearch_domain_policy" "logs" {
  domain_name = "logs"
  access_policies = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "es:*"
      Resource  = "arn:aws:es:eu-west-1:123456789012:domain/logs/*"
    }]
  })
}
"#,
        },
        Case {
            name: "restricted by source ip",
            address: "aws_opensearch_domain.logs",
            expect: Expect::Pass,
            source: r#"
resource "aws_opensearch_domain" "logs" {
  domain_name = "logs"
  access_policies = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "es:*"
      Condition = { IpAddress = { "aws:SourceIp" = ["203.0.113.0/24"] } }
    }]
  })
}
"#,
        },
    ],
};
