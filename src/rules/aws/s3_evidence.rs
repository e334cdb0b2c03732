//! S3 buckets that hold evidence.
//!
//! An *evidence bucket* is one the unit makes the destination of audit records: the
//! `s3_bucket_name` of an `aws_cloudtrail` or of an `aws_config_delivery_channel`, or the
//! `target_bucket` of an `aws_s3_bucket_logging`. Versioning and access logging are judged on
//! those buckets only: on every bucket they would be style checks that flood a report, while on an
//! evidence bucket their absence is what lets an intruder erase the trail unseen, which an
//! investigator needs to know.
//!
//! Object ownership has no rule of its own: `aws-s3-acl-public` judges an ACL grant together with
//! the bucket's ownership controls (a grant counts only where ACLs are enabled), which is the
//! exposure. "ACLs enabled" alone exposes nothing and fired on every bucket that serves ACL-based
//! content, so it was left out.

use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::helpers::{attr_path, ev, read_bool, read_str, verdict, Read, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// Does `v` (a reference or a literal bucket name) name `bucket`?
fn names_bucket(v: Option<&Value>, bucket: &Resource) -> Tri {
    match v {
        Some(Value::Ref(r)) => Tri::from_bool(r.starts_with(&format!("{}.", bucket.address))),
        Some(Value::String(s)) => {
            let name = bucket.attr("bucket").and_then(Value::as_str);
            Tri::from_bool(name == Some(s.as_str()))
        }
        Some(Value::Unknown(_)) => Tri::Maybe,
        _ => Tri::No,
    }
}

/// The (kind, attribute) pairs that make a bucket a destination of audit records.
const EVIDENCE_SINKS: &[(&str, &str)] = &[
    ("aws_cloudtrail", "s3_bucket_name"),
    ("aws_config_delivery_channel", "s3_bucket_name"),
    ("aws_s3_bucket_logging", "target_bucket"),
];

/// Is `bucket` an evidence bucket of the unit? `Maybe` when a sink's bucket is not known.
fn is_evidence_bucket(view: &UnitView<'_>, bucket: &Resource, sinks: &[(&str, &str)]) -> Tri {
    Tri::any(sinks.iter().flat_map(|&(kind, attr)| {
        view.of_kind(kind)
            .map(move |r| names_bucket(r.attr(attr), bucket))
    }))
}

/// The first resource of `kind` whose `bucket` names `target`, by reference or literal name.
fn companion<'a>(view: &UnitView<'a>, kind: &'a str, target: &Resource) -> Option<&'a Resource> {
    view.referencing(kind, "bucket", target).into_iter().next()
}

/// ## What it does
/// Flags an evidence bucket (the destination of a CloudTrail trail, an AWS Config delivery
/// channel, or S3 access logs, in the same unit) whose versioning is not `Enabled`, through an
/// `aws_s3_bucket_versioning` or the legacy inline `versioning` block. Versioning is off by
/// default.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 2.1.2 (MFA delete, which needs versioning)
/// - NIST SP 800-53 rev5 AU-9, AU-11
pub const EVIDENCE_VERSIONING_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "aws-s3-evidence-versioning-off",
        title: "Audit log bucket keeps no versions",
        severity: Severity::Medium,
        category: Category::Logging,
        standards: &["CIS AWS 2.1.2", "NIST 800-53 AU-9", "NIST 800-53 AU-11"],
        rationale: "Without versioning, whoever can write to the bucket can overwrite or delete \
            the audit records it holds, and nothing remains of them. Versioning is off unless \
            enabled; MFA delete (which needs it) additionally protects the versions.",
        remediation: "Add an aws_s3_bucket_versioning with versioning_configuration { status = \
            \"Enabled\" } (and mfa_delete = \"Enabled\" set by the root user), or object lock.",
        evidence: "versioning_configuration[0].status of the bucket's aws_s3_bucket_versioning, \
            or the bucket's inline versioning[0].enabled; absent when neither is written",
        format: Format::Terraform,
        kinds: &["aws_s3_bucket"],
    },
    check: evidence_versioning_off,
    cases: &[
        Case {
            name: "trail bucket without versioning",
            address: "aws_s3_bucket.trail",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "trail" {
  bucket = "org-trail"
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}
"#,
        },
        Case {
            name: "trail bucket with versioning suspended",
            address: "aws_s3_bucket.trail",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "trail" {
  bucket = "org-trail"
}

resource "aws_s3_bucket_versioning" "trail" {
  bucket = aws_s3_bucket.trail.id
  versioning_configuration {
    status = "Suspended"
  }
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = "org-trail"
}
"#,
        },
        Case {
            name: "trail bucket versioned",
            address: "aws_s3_bucket.trail",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "trail" {
  bucket = "org-trail"
}

resource "aws_s3_bucket_versioning" "trail" {
  bucket = aws_s3_bucket.trail.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}
"#,
        },
        Case {
            name: "an ordinary bucket is not judged",
            address: "aws_s3_bucket.assets",
            expect: Expect::Pass,
            source: "resource \"aws_s3_bucket\" \"assets\" {\n  bucket = \"assets\"\n}\n",
        },
        Case {
            name: "versioning status from a variable without default",
            address: "aws_s3_bucket.trail",
            expect: Expect::Undecided,
            source: r#"
variable "status" {}

resource "aws_s3_bucket" "trail" {
  bucket = "org-trail"
}

resource "aws_s3_bucket_versioning" "trail" {
  bucket = aws_s3_bucket.trail.id
  versioning_configuration {
    status = var.status
  }
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}
"#,
        },
    ],
};

fn evidence_versioning_off(bucket: &Resource, view: &UnitView<'_>) -> Verdict {
    let evidence_bucket = is_evidence_bucket(view, bucket, EVIDENCE_SINKS);
    if evidence_bucket == Tri::No {
        return Verdict::Pass;
    }
    let (off, at) = if let Some(v) = companion(view, "aws_s3_bucket_versioning", bucket) {
        let p = SettingPath::parse("versioning_configuration[0].status");
        let t = match read_str(crate::rules::helpers::lookup(v, &p)) {
            Read::Known(s) => Tri::from_bool(!s.trim().eq_ignore_ascii_case("enabled")),
            Read::Absent => Tri::Yes,
            Read::Unknown => Tri::Maybe,
        };
        (t, ev(v, p))
    } else {
        let p = SettingPath::parse("versioning[0].enabled");
        let t = match read_bool(crate::rules::helpers::lookup(bucket, &p)) {
            Read::Known(b) => Tri::from_bool(!b),
            Read::Absent => Tri::Yes,
            Read::Unknown => Tri::Maybe,
        };
        (t, ev(bucket, p))
    };
    verdict(
        evidence_bucket.and(off),
        vec![at],
        || {
            format!(
                "{} receives audit records and keeps no versions",
                bucket.address
            )
        },
        Scope::default(),
        || "versioning, or whether the bucket receives audit records, is not known".into(),
    )
}

/// ## What it does
/// Flags the bucket a CloudTrail trail of the unit writes to when the unit gives it no access
/// logging (no `aws_s3_bucket_logging` for it, no inline `logging` block).
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 3.4
/// - NIST SP 800-53 rev5 AU-2, AU-9
pub const TRAIL_BUCKET_LOGGING_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "aws-s3-trail-bucket-logging-off",
        title: "CloudTrail bucket has no access logging",
        severity: Severity::Low,
        category: Category::Logging,
        standards: &["CIS AWS 3.4", "NIST 800-53 AU-2", "NIST 800-53 AU-9"],
        rationale: "Reads and deletions of the audit trail itself leave no record: nobody can \
            tell afterwards who downloaded or removed the logs.",
        remediation: "Add an aws_s3_bucket_logging for the trail bucket with a target bucket \
            that the trail's writers cannot modify.",
        evidence: "the bucket's logging (absent), and the trail's s3_bucket_name",
        format: Format::Terraform,
        kinds: &["aws_s3_bucket"],
    },
    check: trail_bucket_logging_off,
    cases: &[
        Case {
            name: "trail bucket without logging",
            address: "aws_s3_bucket.trail",
            expect: Expect::Violation,
            source: r#"
resource "aws_s3_bucket" "trail" {
  bucket = "org-trail"
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}
"#,
        },
        Case {
            name: "trail bucket with logging",
            address: "aws_s3_bucket.trail",
            expect: Expect::Pass,
            source: r#"
resource "aws_s3_bucket" "trail" {
  bucket = "org-trail"
}

resource "aws_s3_bucket_logging" "trail" {
  bucket        = aws_s3_bucket.trail.id
  target_bucket = "org-access-logs"
  target_prefix = "trail/"
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}
"#,
        },
        Case {
            name: "trail writing to an unknown bucket",
            address: "aws_s3_bucket.trail",
            expect: Expect::Undecided,
            source: r#"
variable "trail_bucket" {}

resource "aws_s3_bucket" "trail" {
  bucket = "org-trail"
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = var.trail_bucket
}
"#,
        },
    ],
};

fn trail_bucket_logging_off(bucket: &Resource, view: &UnitView<'_>) -> Verdict {
    let trail_bucket = is_evidence_bucket(view, bucket, &EVIDENCE_SINKS[..1]);
    if trail_bucket == Tri::No {
        return Verdict::Pass;
    }
    let logged = companion(view, "aws_s3_bucket_logging", bucket).is_some()
        || !bucket.blocks("logging").is_empty()
        || matches!(
            bucket.attr("logging"),
            Some(Value::Unknown(_) | Value::Ref(_))
        );
    let mut evidence = vec![ev(bucket, attr_path("logging"))];
    evidence.extend(
        view.of_kind("aws_cloudtrail")
            .filter(|t| names_bucket(t.attr("s3_bucket_name"), bucket) != Tri::No)
            .map(|t| ev(t, attr_path("s3_bucket_name"))),
    );
    verdict(
        trail_bucket.and(Tri::from_bool(!logged)),
        evidence,
        || {
            format!(
                "{} receives CloudTrail logs and has no access logging",
                bucket.address
            )
        },
        Scope::default(),
        || "a trail's s3_bucket_name is not known statically".into(),
    )
}
