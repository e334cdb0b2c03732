//! IAM: identity policies that grant everything, and roles that anyone can assume.
//!
//! All read policies through [`policy::resolve`], so a policy written inline with `jsonencode`,
//! as a JSON string, or in a `data.aws_iam_policy_document` is judged the same way. A policy
//! document is judged where it is defined as well as where it is attached: the
//! `data.aws_iam_policy_document` that says `*` on `*` is a finding of its own (its statements
//! without principals are identity statements; those with principals belong to the resource
//! policy that uses them), and so is each policy, role or user that uses it, with evidence that
//! names the data source's settings. A Deny in the same policies that covers an Allow takes it
//! away (see [`Judgement::of`]).

use crate::model::{Format, Resource};
use crate::rules::helpers::{attr_path, dedup, ev, unknown_blocks_of, Tri};
use crate::rules::policy::{
    data_document, is_all_actions, resolve, Document, Judgement, Statement,
};
use crate::rules::{
    Case, Category, Evidence, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// The policy documents an IAM resource carries: `policy`, or for a role its `inline_policy`
/// blocks.
fn identity_policies(view: &UnitView<'_>, res: &Resource) -> Vec<Document> {
    if res.kind == "data.aws_iam_policy_document" {
        let mut doc = data_document(view, res, 0);
        doc.statements
            .retain(|s| s.principals.is_none() && s.not_principals.is_none());
        return vec![doc];
    }
    if res.kind != "aws_iam_role" {
        return vec![resolve(view, res, &attr_path("policy"))];
    }
    let mut unknown = Document::default();
    for path in unknown_blocks_of(res, "inline_policy") {
        unknown.unknown.push((
            ev(res, path),
            "inline_policy blocks are not known statically".into(),
        ));
    }
    res.blocks("inline_policy")
        .into_iter()
        .map(|(path, _)| resolve(view, res, &path.key("policy")))
        .chain(std::iter::once(unknown))
        .collect()
}

/// Turns a judgement into a verdict, with the summary of each hit.
fn judged(j: &Judgement<'_>, what: impl Fn(&Statement) -> String) -> Verdict {
    match j.outcome() {
        Tri::Yes => Verdict::Violation(Finding {
            evidence: j.evidence(),
            summary: dedup(j.hits.iter().map(|(s, _)| what(s)).collect::<Vec<_>>()).join("; "),
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

/// ## What it does
/// Flags an IAM policy (`aws_iam_policy`, `aws_iam_role_policy`, `aws_iam_user_policy`,
/// `aws_iam_group_policy`, or an `inline_policy` of `aws_iam_role`) with an Allow statement for
/// Action `*` (or `*:*`) on Resource `*`, also when the policy is a
/// `data.aws_iam_policy_document`.
///
/// ## Why is this bad?
/// Full administrator rights: whoever holds the policy, or steals the credentials of whoever
/// does, can do anything in the account, including erasing the evidence.
///
/// ## Example
/// ```hcl
/// resource "aws_iam_policy" "ops" {
///   policy = jsonencode({
///     Version   = "2012-10-17"
///     Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
///   })
/// }
/// ```
/// Use instead: the actions and resources the job needs.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 1.16
/// - NIST SP 800-53 rev5 AC-6, AC-3
/// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>
pub const POLICY_ADMIN_WILDCARD: Rule = Rule {
    meta: RuleMeta {
        id: "aws-iam-policy-admin-wildcard",
        title: "IAM policy grants full administrator rights",
        severity: Severity::Critical,
        category: Category::Identity,
        standards: &["CIS AWS 1.16", "NIST 800-53 AC-6", "NIST 800-53 AC-3"],
        rationale: "Allow * on * gives whoever holds the policy (or their stolen credentials) \
            every right in the account, including deleting logs and creating new identities.",
        remediation: "Grant only the actions and resources the role, user or group needs; use \
            AWS managed job-function policies or IAM Access Analyzer policy generation.",
        evidence: "the effect, Action and Resource of each Allow-*-on-* statement, inside the \
            policy attribute or in the data.aws_iam_policy_document it reads",
        format: Format::Terraform,
        kinds: IDENTITY_POLICY_KINDS,
    },
    check: policy_admin_wildcard,
    cases: &[
        Case {
            name: "jsonencode allow star on star",
            address: "aws_iam_policy.ops",
            expect: Expect::Violation,
            source: r#"
resource "aws_iam_policy" "ops" {
  name = "ops"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" },
      { Effect = "Allow", Action = "*", Resource = "*" },
    ]
  })
}
"#,
        },
        Case {
            name: "policy document data source with star colon star",
            address: "aws_iam_role_policy.admin",
            expect: Expect::Violation,
            source: r#"
data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "admin" {
  name   = "admin"
  role   = "ops"
  policy = data.aws_iam_policy_document.admin.json
}
"#,
        },
        Case {
            name: "role inline policy heredoc",
            address: "aws_iam_role.ops",
            expect: Expect::Violation,
            source: r#"
resource "aws_iam_role" "ops" {
  name               = "ops"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
  inline_policy {
    name   = "all"
    policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}
}
EOF
  }
}
"#,
        },
        Case {
            name: "the policy document where it is defined",
            address: "data.aws_iam_policy_document.admin",
            expect: Expect::Violation,
            source: r#"
data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
"#,
        },
        Case {
            name: "a document with principals is a resource policy",
            address: "data.aws_iam_policy_document.bucket",
            expect: Expect::Pass,
            source: r#"
data "aws_iam_policy_document" "bucket" {
  statement {
    actions   = ["*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
  }
}
"#,
        },
        Case {
            name: "a Deny of everything takes the Allow away",
            address: "aws_iam_policy.quarantine",
            expect: Expect::Pass,
            source: r#"
resource "aws_iam_policy" "quarantine" {
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "*", Resource = "*" },
      { Effect = "Deny", Action = "*", Resource = "*" },
    ]
  })
}
"#,
        },
        Case {
            name: "a Deny of IAM alone leaves the rest",
            address: "aws_iam_policy.poweruser",
            expect: Expect::Violation,
            source: r#"
resource "aws_iam_policy" "poweruser" {
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "*", Resource = "*" },
      { Effect = "Deny", Action = "iam:*", Resource = "*" },
    ]
  })
}
"#,
        },
        Case {
            name: "service wildcard only",
            address: "aws_iam_policy.s3",
            expect: Expect::Pass,
            source: r#"
resource "aws_iam_policy" "s3" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}
"#,
        },
        Case {
            name: "deny star on star",
            address: "aws_iam_user_policy.lock",
            expect: Expect::Pass,
            source: r#"
resource "aws_iam_user_policy" "lock" {
  user = "intern"
  policy = jsonencode({
    Statement = [{ Effect = "Deny", Action = "*", Resource = "*" }]
  })
}
"#,
        },
        Case {
            name: "actions from a variable without default",
            address: "aws_iam_group_policy.ops",
            expect: Expect::Undecided,
            source: r#"
variable "actions" {}

resource "aws_iam_group_policy" "ops" {
  group = "ops"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
  })
}
"#,
        },
    ],
};

fn policy_admin_wildcard(res: &Resource, view: &UnitView<'_>) -> Verdict {
    admin_wildcard(&identity_policies(view, res))
}

/// The concept "an identity policy grants Action * on Resource *", over normalised documents
/// from whichever format wrote them.
pub(crate) fn admin_wildcard(docs: &[Document]) -> Verdict {
    let j = Judgement::of(docs, |s| s.grants_admin());
    judged(&j, |s| {
        format!("{} allows Action * on Resource *", s.label())
    })
}

/// The kinds that carry identity policies, and the policy document data source where such a
/// policy is often defined.
const IDENTITY_POLICY_KINDS: &[&str] = &[
    "aws_iam_group_policy",
    "aws_iam_policy",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "data.aws_iam_policy_document",
];

/// Allow `Action` `*` on resources none of which is `*` (those are full administrator rights,
/// reported by [`POLICY_ADMIN_WILDCARD`]).
fn grants_all_actions(s: &Statement) -> (Tri, Vec<Evidence>) {
    let action = s
        .actions
        .as_ref()
        .map_or(Tri::No, |a| a.any(is_all_actions));
    let (specific, resources_at) = match &s.resources {
        Some(r) if r.known.iter().any(|x| x.trim() == "*") => (Tri::No, None),
        Some(r) if !r.known.is_empty() => (Tri::Yes, Some(r.at.clone())),
        Some(r) if r.unknown => (Tri::Maybe, Some(r.at.clone())),
        _ => (Tri::No, None),
    };
    let t = s.allows().and(action).and(specific);
    let mut at = vec![s.effect_at.clone()];
    at.extend(s.actions.iter().map(|a| a.at.clone()));
    at.extend(resources_at);
    (t, at)
}

/// ## What it does
/// Flags an identity policy (the kinds of [`POLICY_ADMIN_WILDCARD`], the policy document data
/// source included) with an Allow statement for Action `*` (or `*:*`) on specific resources.
///
/// ## Why is this bad?
/// Every action on a resource is full control of it: an `Action = "*"` on one bucket, key or
/// table lets the holder read and delete its data, rewrite its policy to let anyone in, or
/// destroy it. Checkov and KICS flag it for that reason.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-6
/// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>
pub const POLICY_ALL_ACTIONS: Rule = Rule {
    meta: RuleMeta {
        id: "aws-iam-policy-all-actions",
        title: "IAM policy allows every action on a resource",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-6", "NIST 800-53 AC-3"],
        rationale: "Action * on a specific resource is full control of it: reading and deleting \
            its data, changing its policy (to let anyone in), destroying it. On Resource * it is \
            full administrator rights, reported by aws-iam-policy-admin-wildcard instead.",
        remediation: "List the actions the job needs on the resource; keep policy and deletion \
            actions for a separate administrative role.",
        evidence: "the effect, Action and Resource of each Allow-* statement on specific \
            resources, inside the policy attribute or in the data.aws_iam_policy_document it reads",
        format: Format::Terraform,
        kinds: IDENTITY_POLICY_KINDS,
    },
    check: |res, view| {
        let docs = identity_policies(view, res);
        let j = Judgement::of(&docs, grants_all_actions);
        judged(&j, |s| {
            let on = s
                .resources
                .as_ref()
                .map_or_else(String::new, |r| r.known.join(", "));
            format!("{} allows Action * on {on}", s.label())
        })
    },
    cases: &[
        Case {
            name: "every action on one bucket",
            address: "aws_iam_role_policy.etl",
            expect: Expect::Violation,
            source: r#"
resource "aws_iam_role_policy" "etl" {
  role = "etl"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = ["arn:aws:s3:::exports", "arn:aws:s3:::exports/*"]
    }]
  })
}
"#,
        },
        Case {
            name: "defined in a policy document",
            address: "data.aws_iam_policy_document.etl",
            expect: Expect::Violation,
            source: r#"
data "aws_iam_policy_document" "etl" {
  statement {
    actions   = ["*"]
    resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"]
  }
}
"#,
        },
        Case {
            name: "a heredoc policy that interpolates the bucket",
            address: "aws_iam_policy.replication",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "source" {
  bucket = "source"
}

resource "aws_iam_policy" "replication" {
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      "Effect": "Allow",
      "Resource": ["${aws_s3_bucket.source.arn}"]
    }
  ]
}
POLICY
}
"#,
        },
        Case {
            name: "a heredoc policy whose action is interpolated",
            address: "aws_iam_policy.replication",
            expect: Expect::Undecided,
            source: r#"
variable "action" {}

resource "aws_iam_policy" "replication" {
  policy = <<POLICY
{
  "Statement": [
    { "Action": "${var.action}", "Effect": "Allow", "Resource": "arn:aws:s3:::source/*" }
  ]
}
POLICY
}
"#,
        },
        Case {
            name: "named actions on one bucket",
            address: "aws_iam_role_policy.etl",
            expect: Expect::Pass,
            source: r#"
resource "aws_iam_role_policy" "etl" {
  role = "etl"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = "arn:aws:s3:::exports/*"
    }]
  })
}
"#,
        },
        Case {
            name: "star on star is the administrator rule's",
            address: "aws_iam_policy.ops",
            expect: Expect::Pass,
            source: r#"
resource "aws_iam_policy" "ops" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"#,
        },
        Case {
            name: "resources from a variable without default",
            address: "aws_iam_policy.ops",
            expect: Expect::Undecided,
            source: r#"
variable "arns" {}

resource "aws_iam_policy" "ops" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = var.arns }]
  })
}
"#,
        },
    ],
};

/// The actions that assume a role.
const ASSUME: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
];

/// ## What it does
/// Flags an `aws_iam_role` whose `assume_role_policy` allows `sts:AssumeRole*` to principal `*`
/// or `{"AWS": "*"}` without a `Condition`.
///
/// ## Why is this bad?
/// Any AWS account in the world, any identity in it, can assume the role and act with its
/// permissions.
///
/// ## Example
/// ```hcl
/// resource "aws_iam_role" "deploy" {
///   assume_role_policy = jsonencode({
///     Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
///   })
/// }
/// ```
/// Use instead: the account or role ARNs that need it, or a condition (`sts:ExternalId`,
/// `aws:PrincipalOrgID`).
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-6
/// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>
pub const TRUST_ANY_PRINCIPAL: Rule = Rule {
    meta: RuleMeta {
        id: "aws-iam-trust-any-principal",
        title: "IAM role can be assumed by anyone",
        severity: Severity::Critical,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-6"],
        rationale: "A trust policy allowing sts:AssumeRole to principal * without a condition \
            lets any identity in any AWS account take the role and its permissions.",
        remediation: "Name the trusted accounts, roles or services, or add a condition such as \
            sts:ExternalId or aws:PrincipalOrgID.",
        evidence: "the effect, principal and Action of each public statement of \
            assume_role_policy (or of the policy document data source it reads)",
        format: Format::Terraform,
        kinds: &["aws_iam_role"],
    },
    check: trust_any_principal,
    cases: &[
        Case {
            name: "a federated provider the module is given",
            address: "aws_iam_role.irsa",
            expect: Expect::Pass,
            source: r#"
variable "oidc_provider_arn" {}
variable "oidc_provider" {}

data "aws_iam_policy_document" "irsa" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:sub"
      values   = ["system:serviceaccount:kube-system:controller"]
    }
  }
}

resource "aws_iam_role" "irsa" {
  name               = "irsa"
  assume_role_policy = data.aws_iam_policy_document.irsa.json
}
"#,
        },
        Case {
            name: "aws star can assume",
            address: "aws_iam_role.deploy",
            expect: Expect::Violation,
            source: r#"
resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}
"#,
        },
        Case {
            name: "policy document with star principal and wildcard action",
            address: "aws_iam_role.deploy",
            expect: Expect::Violation,
            source: r#"
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"#,
        },
        Case {
            name: "one account",
            address: "aws_iam_role.deploy",
            expect: Expect::Pass,
            source: r#"
resource "aws_iam_role" "deploy" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
    }]
  })
}
"#,
        },
        Case {
            name: "star principal with external id condition",
            address: "aws_iam_role.vendor",
            expect: Expect::Pass,
            source: r#"
resource "aws_iam_role" "vendor" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
      Condition = { StringEquals = { "sts:ExternalId" = "f00d" } }
    }]
  })
}
"#,
        },
        Case {
            name: "principal from a variable without default",
            address: "aws_iam_role.deploy",
            expect: Expect::Undecided,
            source: r#"
variable "trusted" {}

resource "aws_iam_role" "deploy" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = var.trusted }
    }]
  })
}
"#,
        },
    ],
};

fn trust_any_principal(res: &Resource, view: &UnitView<'_>) -> Verdict {
    let docs = vec![resolve(view, res, &attr_path("assume_role_policy"))];
    let j = Judgement::of(&docs, |s| {
        let (public, mut at) = s.grants_public();
        let t = public.and(s.covers_action(ASSUME));
        let action_at: Vec<Evidence> = s
            .actions
            .iter()
            .chain(s.not_actions.iter())
            .map(|a| a.at.clone())
            .collect();
        at.extend(action_at);
        (t, at)
    });
    judged(&j, |s| {
        format!(
            "{} lets * assume the role ({}) {}",
            s.label(),
            s.actions_label(),
            s.condition_label()
        )
    })
}

/// Is a managed policy ARN the administrator policy? The AWS managed `AdministratorAccess`, in any
/// partition (`arn:aws:`, `arn:aws-us-gov:`, `arn:aws-cn:`).
fn is_admin_policy_arn(arn: &str) -> bool {
    arn.starts_with("arn:aws") && arn.ends_with(":iam::aws:policy/AdministratorAccess")
}

/// ## What it does
/// Flags an `aws_iam_user_policy_attachment` (or an `aws_iam_policy_attachment` naming users) of
/// the AWS managed `AdministratorAccess` policy to a user. Inline `*` on `*` policies on users are
/// `aws-iam-policy-admin-wildcard`.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 1.15
/// - NIST SP 800-53 rev5 AC-6, AC-2
pub const USER_ADMIN_ATTACHED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-iam-user-admin-attached",
        title: "IAM user holds AdministratorAccess directly",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["CIS AWS 1.15", "NIST 800-53 AC-6", "NIST 800-53 AC-2"],
        rationale: "An IAM user has long-lived credentials (password, access keys); attached \
            directly, administrator rights follow those credentials wherever they leak, outside \
            any group or role review.",
        remediation: "Grant administration through a role assumed with MFA (or IAM Identity \
            Center), not to users; at least attach it to a group.",
        evidence: "policy_arn, and users for aws_iam_policy_attachment",
        format: Format::Terraform,
        kinds: &["aws_iam_policy_attachment", "aws_iam_user_policy_attachment"],
    },
    check: user_admin_attached,
    cases: &[
        Case {
            name: "administrator access on a user",
            address: "aws_iam_user_policy_attachment.ops",
            expect: Expect::Violation,
            source: "resource \"aws_iam_user_policy_attachment\" \"ops\" {\n  user       = \"ops\"\n  policy_arn = \"arn:aws:iam::aws:policy/AdministratorAccess\"\n}\n",
        },
        Case {
            name: "shared attachment naming users",
            address: "aws_iam_policy_attachment.admins",
            expect: Expect::Violation,
            source: "resource \"aws_iam_policy_attachment\" \"admins\" {\n  name       = \"admins\"\n  users      = [\"ops\"]\n  policy_arn = \"arn:aws:iam::aws:policy/AdministratorAccess\"\n}\n",
        },
        Case {
            name: "read only on a user",
            address: "aws_iam_user_policy_attachment.ops",
            expect: Expect::Pass,
            source: "resource \"aws_iam_user_policy_attachment\" \"ops\" {\n  user       = \"ops\"\n  policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n}\n",
        },
        Case {
            name: "shared attachment to roles only",
            address: "aws_iam_policy_attachment.admins",
            expect: Expect::Pass,
            source: "resource \"aws_iam_policy_attachment\" \"admins\" {\n  name       = \"admins\"\n  roles      = [\"ops\"]\n  policy_arn = \"arn:aws:iam::aws:policy/AdministratorAccess\"\n}\n",
        },
        Case {
            name: "policy from a variable without default",
            address: "aws_iam_user_policy_attachment.ops",
            expect: Expect::Undecided,
            source: "variable \"p\" {}\nresource \"aws_iam_user_policy_attachment\" \"ops\" {\n  user       = \"ops\"\n  policy_arn = var.p\n}\n",
        },
    ],
};

fn user_admin_attached(res: &Resource, _: &UnitView<'_>) -> Verdict {
    use crate::rules::helpers::{read_str, verdict, Read};
    let arn = res.attr("policy_arn");
    let admin = match read_str(arn) {
        Read::Known(a) => Tri::from_bool(is_admin_policy_arn(a.trim())),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    let mut evidence = vec![ev(res, attr_path("policy_arn"))];
    let to_users = if res.kind == "aws_iam_policy_attachment" {
        evidence.push(ev(res, attr_path("users")));
        match res.attr("users") {
            None | Some(crate::model::Value::Null) => Tri::No,
            Some(crate::model::Value::List(l)) => Tri::from_bool(!l.is_empty()),
            Some(_) => Tri::Maybe,
        }
    } else {
        Tri::Yes
    };
    verdict(
        admin.and(to_users),
        evidence,
        || "AdministratorAccess attached to IAM user(s)".to_string(),
        Scope::default(),
        || "policy_arn or users is not known statically".to_string(),
    )
}
