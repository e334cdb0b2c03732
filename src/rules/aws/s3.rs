//! S3 buckets open to everyone: through an ACL, through a bucket policy, and the public access
//! block that would neutralise both being switched off.
//!
//! A bucket's exposure is spread over several resources since provider v4: the bucket, its
//! `aws_s3_bucket_acl`, `aws_s3_bucket_policy`, `aws_s3_bucket_public_access_block` and
//! `aws_s3_bucket_ownership_controls`, tied together by their `bucket` attribute. The two exposure
//! rules judge the bucket and name evidence on whichever resource wrote it, so the window belongs
//! to the bucket and its cause can be the ACL resource or the public access block.

use crate::model::{blocks_of, Format, Resource, SettingPath, Value};
use crate::rules::helpers::{
    attr_path, bool_is, dedup, ev, read_bool, read_str, show, unknown_blocks, unknown_blocks_of,
    Read, Tri,
};
use crate::rules::policy::{resolve, Document, Judgement};
use crate::rules::{
    Case, Category, Evidence, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

// ---------------------------------------------------------------------------------------------
// Shared: the public access block and ownership controls of a bucket
// ---------------------------------------------------------------------------------------------

/// Whether the bucket's public access blocks neutralise an exposure through either of `flags`
/// (`block_public_acls`/`ignore_public_acls`, or `block_public_policy`/`restrict_public_buckets`).
pub(crate) struct Neutraliser {
    /// `Yes` when some block sets one of the flags to true.
    on: Tri,
    /// Both flags of every block, absent ones included (absent is false).
    evidence: Vec<Evidence>,
    /// The flags that are unknown.
    unknown: Vec<Evidence>,
    /// `block_public_acls=false, ignore_public_acls=false on aws_s3_bucket_public_access_block.x`,
    /// or `no public access block`.
    label: String,
}

fn neutraliser(view: &UnitView<'_>, bucket: &Resource, flags: [&str; 2]) -> Neutraliser {
    let pabs = view.referencing("aws_s3_bucket_public_access_block", "bucket", bucket);
    let blocks: Vec<(&Resource, SettingPath)> =
        pabs.into_iter().map(|p| (p, SettingPath::root())).collect();
    neutraliser_of(&blocks, flags)
}

/// The neutraliser of public access blocks found anywhere: each is the resource holding it and
/// the path of the block in it (the root for Terraform's own resource, the bucket's
/// `PublicAccessBlockConfiguration` in CloudFormation).
pub(crate) fn neutraliser_of(blocks: &[(&Resource, SettingPath)], flags: [&str; 2]) -> Neutraliser {
    let mut n = Neutraliser {
        on: Tri::No,
        evidence: Vec::new(),
        unknown: Vec::new(),
        label: String::new(),
    };
    let mut labels = Vec::new();
    for (pab, base) in blocks {
        let mut parts = Vec::new();
        for flag in flags {
            let path = base.key(flag);
            let v = pab.get(&path);
            let t = bool_is(v, false, true);
            n.on = n.on.or(t);
            n.evidence.push(ev(pab, path.clone()));
            if t == Tri::Maybe {
                n.unknown.push(ev(pab, path));
            }
            let shown = match read_bool(v) {
                Read::Absent => "false".to_string(),
                Read::Known(b) => b.to_string(),
                Read::Unknown => show(v),
            };
            parts.push(format!("{flag}={shown}"));
        }
        labels.push(format!("{} on {}", parts.join(", "), pab.address));
    }
    n.label = if labels.is_empty() {
        "no public access block".to_string()
    } else {
        format!("not neutralised: {}", labels.join("; "))
    };
    n
}

/// `Yes` when an `aws_s3_bucket_ownership_controls` of the bucket sets `BucketOwnerEnforced`:
/// ACLs are then disabled and grant nothing.
fn acls_disabled(view: &UnitView<'_>, bucket: &Resource) -> (Tri, Vec<Evidence>) {
    let mut t = Tri::No;
    let mut unknown = Vec::new();
    for oc in view.referencing("aws_s3_bucket_ownership_controls", "bucket", bucket) {
        for path in unknown_blocks_of(oc, "rule") {
            t = t.or(Tri::Maybe);
            unknown.push(ev(oc, path));
        }
        for (path, rule) in oc.blocks("rule") {
            let p = path.key("object_ownership");
            match read_str(rule.get_path(&SettingPath::root().key("object_ownership"))) {
                Read::Known(o) => t = t.or(Tri::from_bool(o == "BucketOwnerEnforced")),
                Read::Unknown => {
                    t = t.or(Tri::Maybe);
                    unknown.push(ev(oc, p));
                }
                Read::Absent => {}
            }
        }
    }
    (t, unknown)
}

// ---------------------------------------------------------------------------------------------
// aws-s3-acl-public
// ---------------------------------------------------------------------------------------------

/// One way an ACL can grant to everyone.
pub(crate) struct AclGrant {
    at: Evidence,
    public: Tri,
    /// `acl public-read on aws_s3_bucket_acl.data`.
    label: String,
    /// `*` for AllUsers, `AuthenticatedUsers`.
    principal: &'static str,
    actions: Vec<&'static str>,
}

const READ: &[&str] = &["s3:listbucket"];
const WRITE: &[&str] = &["s3:putobject", "s3:deleteobject"];
const READ_ACP: &[&str] = &["s3:getbucketacl"];
const WRITE_ACP: &[&str] = &["s3:putbucketacl"];

/// What a canned ACL grants to whom, if it grants to a group of strangers.
/// Both spellings: Terraform's (`public-read`) and CloudFormation's (`PublicRead`).
fn canned(acl: &str) -> Option<(&'static str, Vec<&'static str>)> {
    match acl.trim() {
        "public-read" | "PublicRead" => Some(("*", READ.to_vec())),
        "public-read-write" | "PublicReadWrite" => Some(("*", [READ, WRITE].concat())),
        "authenticated-read" | "AuthenticatedRead" => Some(("AuthenticatedUsers", READ.to_vec())),
        _ => None,
    }
}

fn permission_actions(p: &str) -> Vec<&'static str> {
    match p.trim() {
        "READ" => READ.to_vec(),
        "WRITE" => WRITE.to_vec(),
        "READ_ACP" => READ_ACP.to_vec(),
        "WRITE_ACP" => WRITE_ACP.to_vec(),
        "FULL_CONTROL" => [READ, WRITE, READ_ACP, WRITE_ACP].concat(),
        _ => Vec::new(),
    }
}

/// The grantee group a URI names, if it is one of strangers.
fn group(uri: &str) -> Option<&'static str> {
    let uri = uri.trim().trim_end_matches('/');
    if uri.ends_with("/groups/global/AllUsers") {
        Some("*")
    } else if uri.ends_with("/groups/global/AuthenticatedUsers") {
        Some("AuthenticatedUsers")
    } else {
        None
    }
}

fn canned_grant(res: &Resource, out: &mut Vec<AclGrant>) {
    canned_grant_at(res, "acl", out)
}

/// The grant of a canned ACL written in `attr` (`acl`, or CloudFormation's `AccessControl`).
pub(crate) fn canned_grant_at(res: &Resource, attr: &str, out: &mut Vec<AclGrant>) {
    let at = ev(res, attr_path(attr));
    match read_str(res.attr(attr)) {
        Read::Known(acl) => {
            if let Some((principal, actions)) = canned(&acl) {
                out.push(AclGrant {
                    at,
                    public: Tri::Yes,
                    label: format!("{attr} {} on {}", acl.trim(), res.address),
                    principal,
                    actions,
                });
            }
        }
        Read::Unknown => out.push(AclGrant {
            at,
            public: Tri::Maybe,
            label: format!("{attr} on {} is not known statically", res.address),
            principal: "*",
            actions: Vec::new(),
        }),
        Read::Absent => {}
    }
}

/// A grant block with a grantee URI (`uri` directly, as in the bucket's legacy `grant`, or in
/// `grantee[0].uri`, as in `aws_s3_bucket_acl`), and its permission(s).
fn uri_grant(res: &Resource, path: &SettingPath, grant: &Value, out: &mut Vec<AclGrant>) {
    let mut uris: Vec<(SettingPath, &Value)> = Vec::new();
    if let Some(u) = grant.as_map().and_then(|m| m.get("uri")) {
        uris.push((path.key("uri"), u));
    }
    for gp in unknown_blocks(grant, path, "grantee") {
        out.push(unknown_grant(res, gp));
    }
    for (gp, grantee) in blocks_of(grant, path, "grantee") {
        if let Some(u) = grantee.as_map().and_then(|m| m.get("uri")) {
            uris.push((gp.key("uri"), u));
        }
    }
    let perms: Vec<String> = ["permission", "permissions"]
        .iter()
        .filter_map(|k| grant.as_map().and_then(|m| m.get(*k)))
        .flat_map(|v| v.as_scalar_list())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    for (p, u) in uris {
        match read_str(Some(u)) {
            Read::Known(uri) => {
                if let Some(principal) = group(&uri) {
                    let who = if principal == "*" {
                        "AllUsers"
                    } else {
                        principal
                    };
                    out.push(AclGrant {
                        at: ev(res, p),
                        public: Tri::Yes,
                        label: format!("grant {} to {who} on {}", perms.join(", "), res.address),
                        principal,
                        actions: perms.iter().flat_map(|x| permission_actions(x)).collect(),
                    });
                }
            }
            Read::Unknown => out.push(AclGrant {
                at: ev(res, p),
                public: Tri::Maybe,
                label: format!("grantee on {} is not known statically", res.address),
                principal: "*",
                actions: Vec::new(),
            }),
            Read::Absent => {}
        }
    }
}

/// A grant (or grantee, or whole access control policy) that is not known statically.
fn unknown_grant(res: &Resource, path: SettingPath) -> AclGrant {
    AclGrant {
        label: format!("{path} on {} is not known statically", res.address),
        at: ev(res, path),
        public: Tri::Maybe,
        principal: "*",
        actions: Vec::new(),
    }
}

fn acl_grants(view: &UnitView<'_>, bucket: &Resource) -> Vec<AclGrant> {
    let mut out = Vec::new();
    canned_grant(bucket, &mut out);
    for path in unknown_blocks_of(bucket, "grant") {
        out.push(unknown_grant(bucket, path));
    }
    for (path, g) in bucket.blocks("grant") {
        uri_grant(bucket, &path, g, &mut out);
    }
    for acl in view.referencing("aws_s3_bucket_acl", "bucket", bucket) {
        canned_grant(acl, &mut out);
        for path in unknown_blocks_of(acl, "access_control_policy") {
            out.push(unknown_grant(acl, path));
        }
        for (acp_path, acp) in acl.blocks("access_control_policy") {
            for path in unknown_blocks(acp, &acp_path, "grant") {
                out.push(unknown_grant(acl, path));
            }
            for (gpath, g) in blocks_of(acp, &acp_path, "grant") {
                uri_grant(acl, &gpath, g, &mut out);
            }
        }
    }
    out
}

/// ## What it does
/// Flags an S3 bucket whose ACL grants to everyone (`public-read`, `public-read-write`, a grant to
/// the AllUsers group) or to every AWS account (`authenticated-read`, AuthenticatedUsers), on the
/// bucket itself or on an `aws_s3_bucket_acl` of it, unless the bucket's public access block sets
/// `block_public_acls` or `ignore_public_acls`, or its ownership controls disable ACLs
/// (`BucketOwnerEnforced`).
///
/// ## Why is this bad?
/// Anyone on the internet can list (and with write, replace or delete) the bucket's objects. Most
/// public-bucket data leaks were an ACL, often set "temporarily".
///
/// ## Example
/// ```hcl
/// resource "aws_s3_bucket_acl" "data" {
///   bucket = aws_s3_bucket.data.id
///   acl    = "public-read"
/// }
/// ```
/// Use instead: `acl = "private"`, a public access block with all four settings true, and
/// `BucketOwnerEnforced` ownership.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 2.1.4
/// - NIST SP 800-53 rev5 AC-3, AC-6
/// - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html>
pub const ACL_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-s3-acl-public",
        title: "S3 bucket ACL grants access to everyone",
        severity: Severity::High,
        category: Category::Storage,
        standards: &["CIS AWS 2.1.4", "NIST 800-53 AC-3", "NIST 800-53 AC-6"],
        rationale: "A public-read, public-read-write or authenticated-read ACL (or a grant to the \
            AllUsers or AuthenticatedUsers group) lets anyone list, and with write access replace \
            or delete, the bucket's objects.",
        remediation: "Set the ACL to private, enable the bucket's public access block \
            (block_public_acls and ignore_public_acls), and disable ACLs with BucketOwnerEnforced \
            ownership controls.",
        evidence: "the public ACL setting (acl, or a grantee uri) on the bucket or its \
            aws_s3_bucket_acl, and block_public_acls and ignore_public_acls of the bucket's public \
            access block when it has one",
        format: Format::Terraform,
        kinds: &["aws_s3_bucket"],
    },
    check: acl_public,
    cases: &[
        Case {
            name: "public-read acl resource, public access block off",
            address: "aws_s3_bucket.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_acl" "data" {
  bucket = aws_s3_bucket.data.id
  acl    = "public-read"
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket            = aws_s3_bucket.data.id
  block_public_acls = false
}
"#,
        },
        Case {
            name: "legacy inline acl, no public access block",
            address: "aws_s3_bucket.site",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = "public-read-write"
}
"#,
        },
        Case {
            name: "grant to AllUsers, bucket referenced by name",
            address: "aws_s3_bucket.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_acl" "data" {
  bucket = "example-data"
  access_control_policy {
    grant {
      grantee {
        type = "Group"
        uri  = "http://acs.amazonaws.com/groups/global/AllUsers"
      }
      permission = "READ"
    }
    owner {
      id = "abc"
    }
  }
}
"#,
        },
        Case {
            name: "public-read under a full public access block",
            address: "aws_s3_bucket.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_acl" "data" {
  bucket = aws_s3_bucket.data.id
  acl    = "public-read"
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"#,
        },
        Case {
            name: "private acl",
            address: "aws_s3_bucket.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_acl" "data" {
  bucket = aws_s3_bucket.data.id
  acl    = "private"
}
"#,
        },
        Case {
            name: "acl from a variable without default",
            address: "aws_s3_bucket.data",
            expect: Expect::Undecided,
            source: r#"
variable "acl" {}

resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_acl" "data" {
  bucket = aws_s3_bucket.data.id
  acl    = var.acl
}
"#,
        },
    ],
};

fn acl_public(bucket: &Resource, view: &UnitView<'_>) -> Verdict {
    let grants = acl_grants(view, bucket);
    judge_acl_public(
        &grants,
        || neutraliser(view, bucket, ["block_public_acls", "ignore_public_acls"]),
        || acls_disabled(view, bucket),
    )
}

/// The concept "a bucket's ACL grants to everyone", whatever format wrote it: the grants, the
/// public access blocks that may neutralise them, and whether ACLs are disabled (with the
/// evidence of an unknown ownership setting). The last two are asked only when needed.
pub(crate) fn judge_acl_public(
    grants: &[AclGrant],
    pab: impl FnOnce() -> Neutraliser,
    acls_disabled: impl FnOnce() -> (Tri, Vec<Evidence>),
) -> Verdict {
    let public = Tri::any(grants.iter().map(|g| g.public));
    if public == Tri::No {
        return Verdict::Pass;
    }
    let pab = pab();
    let (disabled, disabled_unknown) = acls_disabled();
    let t = public.and(!pab.on.or(disabled));
    match t {
        Tri::No => Verdict::Pass,
        Tri::Yes => {
            let hits: Vec<&AclGrant> = grants.iter().filter(|g| g.public == Tri::Yes).collect();
            let mut evidence: Vec<Evidence> = hits.iter().map(|g| g.at.clone()).collect();
            evidence.extend(pab.evidence);
            let scope = Scope {
                actions: dedup(
                    hits.iter()
                        .flat_map(|g| g.actions.iter().map(|a| a.to_string()))
                        .collect(),
                ),
                principals: dedup(hits.iter().map(|g| g.principal.to_string()).collect()),
                ..Scope::default()
            };
            let labels: Vec<&str> = hits.iter().map(|g| g.label.as_str()).collect();
            Verdict::Violation(Finding {
                evidence: dedup(evidence),
                summary: format!("{}, {}", labels.join("; "), pab.label),
                scope,
            })
        }
        Tri::Maybe => {
            let mut evidence: Vec<Evidence> = grants
                .iter()
                .filter(|g| g.public == Tri::Maybe)
                .map(|g| g.at.clone())
                .collect();
            evidence.extend(pab.unknown);
            evidence.extend(disabled_unknown);
            let labels: Vec<&str> = grants.iter().map(|g| g.label.as_str()).collect();
            Verdict::Undecided {
                evidence: dedup(evidence),
                reason: format!("{}; {}", labels.join("; "), pab.label),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// aws-s3-policy-public
// ---------------------------------------------------------------------------------------------

/// The bucket's policies: its own `policy` and every `aws_s3_bucket_policy` of it.
fn bucket_policies(view: &UnitView<'_>, bucket: &Resource) -> Vec<Document> {
    let p = attr_path("policy");
    let mut docs = vec![resolve(view, bucket, &p)];
    for bp in view.referencing("aws_s3_bucket_policy", "bucket", bucket) {
        docs.push(resolve(view, bp, &p));
    }
    docs
}

/// ## What it does
/// Flags an S3 bucket whose bucket policy (its `policy`, or an `aws_s3_bucket_policy` of it, also
/// through a `data.aws_iam_policy_document`) has an Allow statement for principal `*` or
/// `{"AWS": "*"}` with no condition that narrows who can call, unless the bucket's public access
/// block sets `block_public_policy` or `restrict_public_buckets`, or a Deny in the same policies
/// takes the Allow away. An `aws_s3_bucket_policy` whose bucket is not in the unit is judged on
/// its own statements.
///
/// A condition narrows who can call when it matches (`StringEquals`, `StringLike`, `ArnLike`,
/// `IpAddress`, `ForAnyValue:`) a key that names the caller, its network or its organisation
/// (`aws:SourceVpce`, `aws:SourceVpc`, `aws:SourceIp`, `aws:PrincipalOrgID`,
/// `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceArn`, `aws:SourceAccount`, …) with
/// values that do not match everyone (`arn:aws:iam::*:…`, `o-*`, `0.0.0.0/0` do). Negated and
/// `…IfExists` operators, `ForAllValues:`, and keys about the request (`aws:SecureTransport`,
/// `aws:Referer`, `aws:UserAgent`, tags, `s3:` request keys) do not. A key configtrail does not
/// know makes the verdict undecided.
///
/// ## Why is this bad?
/// Anyone, without credentials, can perform the statement's actions: read every object, or with
/// write actions plant content in the bucket.
///
/// ## Example
/// ```hcl
/// data "aws_iam_policy_document" "public" {
///   statement {
///     actions   = ["s3:GetObject"]
///     resources = ["${aws_s3_bucket.data.arn}/*"]
///     principals {
///       type        = "*"
///       identifiers = ["*"]
///     }
///   }
/// }
/// ```
/// Use instead: name the principals, or add a condition (`aws:SourceVpce`, `aws:PrincipalOrgID`);
/// serve public content through CloudFront with origin access control.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 2.1.4
/// - NIST SP 800-53 rev5 AC-3, AC-6
/// - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>
pub const POLICY_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-s3-policy-public",
        title: "S3 bucket policy allows everyone",
        severity: Severity::Critical,
        category: Category::Storage,
        standards: &["CIS AWS 2.1.4", "NIST 800-53 AC-3", "NIST 800-53 AC-6"],
        rationale: "An Allow statement for principal * with no condition that narrows who can \
            call (a caller, network or organisation key compared with specific values; \
            aws:SecureTransport or arn:aws:iam::* do not) lets anyone on the internet, without \
            credentials, perform its actions on the bucket, unless a Deny in the same policies \
            takes it away.",
        remediation: "Name the principals that need access or restrict the statement with a \
            condition (aws:SourceVpce, aws:PrincipalOrgID), and enable block_public_policy and \
            restrict_public_buckets on the bucket's public access block.",
        evidence: "the effect and principal of each public statement (on the policy resource or \
            the policy document data source), and block_public_policy and restrict_public_buckets \
            of the bucket's public access block when it has one",
        format: Format::Terraform,
        kinds: &["aws_s3_bucket", "aws_s3_bucket_policy"],
    },
    check: policy_public,
    cases: &[
        Case {
            name: "policy document with principal star",
            address: "aws_s3_bucket.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

data "aws_iam_policy_document" "public" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::example-data/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.public.json
}
"#,
        },
        Case {
            name: "jsonencode policy with AWS star, block present but off",
            address: "aws_s3_bucket.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "s3:*"
      Resource  = "arn:aws:s3:::example-data/*"
    }]
  })
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket              = aws_s3_bucket.data.id
  block_public_policy = false
}
"#,
        },
        Case {
            name: "public statement restricted by a condition",
            address: "aws_s3_bucket.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::example-data/*"
      Condition = { StringEquals = { "aws:SourceVpce" = "vpce-1a2b3c4d" } }
    }]
  })
}
"#,
        },
        Case {
            name: "a PrincipalArn condition that matches every account",
            address: "aws_s3_bucket.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::example-data/*"
      Condition = { ArnLike = { "aws:PrincipalArn" = "arn:aws:iam::*:role/reader" } }
    }]
  })
}
"#,
        },
        Case {
            name: "only a TLS condition",
            address: "aws_s3_bucket.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

data "aws_iam_policy_document" "public" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::example-data/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["true"]
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.public.json
}
"#,
        },
        Case {
            name: "restricted to the organisation",
            address: "aws_s3_bucket.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

data "aws_iam_policy_document" "org" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::example-data/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-a1b2c3d4e5"]
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.org.json
}
"#,
        },
        Case {
            name: "a Deny that spares only the VPC endpoint",
            address: "aws_s3_bucket.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Statement = [
      {
        Effect    = "Allow"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "arn:aws:s3:::example-data/*"
      },
      {
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["arn:aws:s3:::example-data", "arn:aws:s3:::example-data/*"]
        Condition = { StringNotEquals = { "aws:SourceVpce" = "vpce-1a2b3c4d" } }
      },
    ]
  })
}
"#,
        },
        Case {
            name: "a Deny on TLS only does not take the Allow away",
            address: "aws_s3_bucket.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Statement = [
      {
        Effect    = "Allow"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "arn:aws:s3:::example-data/*"
      },
      {
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = "arn:aws:s3:::example-data/*"
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}
"#,
        },
        Case {
            name: "principals that are ARNs the provider computes",
            address: "aws_s3_bucket.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_iam_role" "reader" {
  name = "reader"
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "named" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::example-data/*"]
    principals {
      type = "AWS"
      identifiers = [
        aws_iam_role.reader.arn,
        "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root",
      ]
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.named.json
}
"#,
        },
        Case {
            name: "a condition key configtrail does not know",
            address: "aws_s3_bucket.data",
            expect: Expect::Undecided,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::example-data/*"
      Condition = { StringEquals = { "example:Team" = "data" } }
    }]
  })
}
"#,
        },
        Case {
            name: "a policy for a bucket managed elsewhere",
            address: "aws_s3_bucket_policy.shared",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket_policy" "shared" {
  bucket = "shared-exports"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["s3:GetObject", "s3:ListBucket"]
      Resource  = ["arn:aws:s3:::shared-exports", "arn:aws:s3:::shared-exports/*"]
    }]
  })
}
"#,
        },
        Case {
            name: "a policy judged with its bucket, not twice",
            address: "aws_s3_bucket_policy.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::example-data/*"
    }]
  })
}
"#,
        },
        Case {
            name: "public statement neutralised by restrict_public_buckets",
            address: "aws_s3_bucket.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Statement = {
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::example-data/*"
    }
  })
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  restrict_public_buckets = true
}
"#,
        },
        Case {
            name: "policy from a variable without default",
            address: "aws_s3_bucket.data",
            expect: Expect::Undecided,
            source: r#"
variable "bucket_policy" {}

resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = var.bucket_policy
}
"#,
        },
    ],
};

/// The bucket in the unit that an `aws_s3_bucket_policy` belongs to, by reference
/// (`aws_s3_bucket.data.id`) or by name.
fn policy_bucket<'a>(view: &UnitView<'a>, policy: &Resource) -> Option<&'a Resource> {
    let target = policy.attr("bucket")?;
    if let Some((bucket, _)) = view.follow(target) {
        return (bucket.kind == "aws_s3_bucket").then_some(bucket);
    }
    let name = target.as_str()?;
    view.of_kind("aws_s3_bucket")
        .find(|b| b.attr("bucket").and_then(Value::as_str) == Some(name))
}

fn policy_public(res: &Resource, view: &UnitView<'_>) -> Verdict {
    if res.kind == "aws_s3_bucket_policy" {
        // A policy whose bucket is in the unit is judged with the bucket (one window, the
        // bucket's); one whose bucket is managed elsewhere is judged on its own statements,
        // with the public access blocks that name the same bucket.
        if policy_bucket(view, res).is_some() {
            return Verdict::Pass;
        }
        let docs = vec![resolve(view, res, &attr_path("policy"))];
        let target = res.attr("bucket");
        let blocks: Vec<(&Resource, SettingPath)> = view
            .of_kind("aws_s3_bucket_public_access_block")
            .filter(|p| target.is_some() && p.attr("bucket") == target)
            .map(|p| (p, SettingPath::root()))
            .collect();
        return judge_policy_public(&docs, || {
            neutraliser_of(&blocks, ["block_public_policy", "restrict_public_buckets"])
        });
    }
    let bucket = res;
    let docs = bucket_policies(view, bucket);
    judge_policy_public(&docs, || {
        neutraliser(
            view,
            bucket,
            ["block_public_policy", "restrict_public_buckets"],
        )
    })
}

/// The concept "a bucket policy grants to everyone", whatever format wrote the policies and the
/// public access blocks.
pub(crate) fn judge_policy_public(docs: &[Document], pab: impl FnOnce() -> Neutraliser) -> Verdict {
    let j = Judgement::of(docs, |s| s.grants_public());
    let public = j.outcome();
    if public == Tri::No {
        return Verdict::Pass;
    }
    let pab = pab();
    match public.and(!pab.on) {
        Tri::No => Verdict::Pass,
        Tri::Yes => {
            let mut evidence = j.evidence();
            evidence.extend(pab.evidence);
            let statements: Vec<String> = j
                .hits
                .iter()
                .map(|(s, _)| {
                    format!(
                        "{} allows {} to * {}",
                        s.label(),
                        s.actions_label(),
                        s.condition_label()
                    )
                })
                .collect();
            Verdict::Violation(Finding {
                evidence: dedup(evidence),
                summary: format!("{}, {}", statements.join("; "), pab.label),
                scope: Scope {
                    actions: j.scope_actions(),
                    principals: j.scope_principals(),
                    ..Scope::default()
                },
            })
        }
        Tri::Maybe => {
            let mut evidence = j.maybe.clone();
            evidence.extend(pab.unknown);
            let mut reason = j.reason();
            if reason.is_empty() {
                reason = format!("a public statement may be {}", pab.label);
            }
            Verdict::Undecided {
                evidence: dedup(evidence),
                reason,
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// aws-s3-public-access-block-disabled
// ---------------------------------------------------------------------------------------------

const PAB_FLAGS: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

/// ## What it does
/// Flags an `aws_s3_bucket_public_access_block` or `aws_s3_account_public_access_block` with any
/// of `block_public_acls`, `block_public_policy`, `ignore_public_acls`, `restrict_public_buckets`
/// false or absent (absent is false).
///
/// ## Why is this bad?
/// The public access block is the guard rail that stops one mistaken ACL or policy from
/// publishing a bucket. Each setting left off leaves one path open.
///
/// ## Example
/// ```hcl
/// resource "aws_s3_bucket_public_access_block" "data" {
///   bucket            = aws_s3_bucket.data.id
///   block_public_acls = true
/// }
/// ```
/// Use instead: all four settings `true`.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 2.1.4
/// - NIST SP 800-53 rev5 AC-3, SC-7
/// - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>
pub const PUBLIC_ACCESS_BLOCK_DISABLED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-s3-public-access-block-disabled",
        title: "S3 public access block is not fully enabled",
        severity: Severity::Medium,
        category: Category::Storage,
        standards: &["CIS AWS 2.1.4", "NIST 800-53 AC-3", "NIST 800-53 SC-7"],
        rationale: "The public access block stops a mistaken ACL or bucket policy from \
            publishing data; each of its four settings left false leaves one way open.",
        remediation: "Set block_public_acls, block_public_policy, ignore_public_acls and \
            restrict_public_buckets to true.",
        evidence: "each of the four settings that is false or absent",
        format: Format::Terraform,
        kinds: &[
            "aws_s3_account_public_access_block",
            "aws_s3_bucket_public_access_block",
        ],
    },
    check: public_access_block_disabled,
    cases: &[
        Case {
            name: "only block_public_acls",
            address: "aws_s3_bucket_public_access_block.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket_public_access_block" "data" {
  bucket            = "example-data"
  block_public_acls = true
}
"#,
        },
        Case {
            name: "account block with one setting false",
            address: "aws_s3_account_public_access_block.this",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_account_public_access_block" "this" {
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"#,
        },
        Case {
            name: "all four true",
            address: "aws_s3_bucket_public_access_block.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = "example-data"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"#,
        },
        Case {
            name: "one setting from a variable without default",
            address: "aws_s3_bucket_public_access_block.data",
            expect: Expect::Undecided,
            source: r#"
variable "restrict" {}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = "example-data"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = var.restrict
}
"#,
        },
    ],
};

fn public_access_block_disabled(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let mut off = Vec::new();
    let mut unknown = Vec::new();
    for flag in PAB_FLAGS {
        match bool_is(res.attr(flag), false, false) {
            Tri::Yes => off.push(flag),
            Tri::Maybe => unknown.push(flag),
            Tri::No => {}
        }
    }
    if !off.is_empty() {
        return Verdict::Violation(Finding {
            evidence: off.iter().map(|f| ev(res, attr_path(f))).collect(),
            summary: format!("{} false or absent", off.join(", ")),
            scope: Scope::default(),
        });
    }
    if !unknown.is_empty() {
        return Verdict::Undecided {
            evidence: unknown.iter().map(|f| ev(res, attr_path(f))).collect(),
            reason: format!("{} not known statically", unknown.join(", ")),
        };
    }
    Verdict::Pass
}
