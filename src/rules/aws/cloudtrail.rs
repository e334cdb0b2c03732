//! CloudTrail: a trail that does not log, that logs one region only, whose log files can be
//! altered undetected, or whose logs are not encrypted with a customer-managed key. Three settings of one resource, each its own exposure (an investigator
//! asks "was the trail recording?" separately from "would tampering have shown?").

use crate::model::{Format, Resource};
use crate::rules::helpers::{attr_path, bool_is, ev, show, verdict};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// One boolean setting of a trail: the verdict when its value (absent = `default`) is `bad`.
pub(crate) fn trail_flag(
    res: &Resource,
    attr: &str,
    default: bool,
    bad: bool,
    summary: &str,
) -> Verdict {
    let v = res.attr(attr);
    verdict(
        bool_is(v, default, bad),
        vec![ev(res, attr_path(attr))],
        || {
            if v.is_none() {
                format!("{summary} ({attr} absent, defaults to {default})")
            } else {
                format!("{summary} ({attr} = {bad})")
            }
        },
        Scope::default(),
        || format!("{attr} is not known statically: {}", show(v)),
    )
}

/// ## What it does
/// Flags an `aws_cloudtrail` with `enable_logging = false`.
///
/// ## Why is this bad?
/// The trail exists but records nothing: API activity during the window, including an
/// attacker's, leaves no CloudTrail record. Stopping a trail is a classic first step of an
/// intrusion.
///
/// ## Example
/// ```hcl
/// resource "aws_cloudtrail" "main" {
///   enable_logging = false
/// }
/// ```
/// Use instead: leave `enable_logging` absent or `true`.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 3.1
/// - NIST SP 800-53 rev5 AU-2, AU-12
/// - <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html>
pub const LOGGING_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "aws-cloudtrail-logging-off",
        title: "CloudTrail trail is not logging",
        severity: Severity::High,
        category: Category::Logging,
        standards: &["CIS AWS 3.1", "NIST 800-53 AU-2", "NIST 800-53 AU-12"],
        rationale: "A stopped trail records no API activity; whatever happens while it is off, \
            an attacker's actions included, leaves no CloudTrail record.",
        remediation: "Remove enable_logging = false (logging is on by default).",
        evidence: "enable_logging",
        format: Format::Terraform,
        kinds: &["aws_cloudtrail"],
    },
    check: logging_off,
    cases: &[
        Case {
            name: "logging disabled",
            address: "aws_cloudtrail.main",
            expect: Expect::Violation,
            source: r#"
resource "aws_cloudtrail" "main" {
  name                          = "main"
  s3_bucket_name                = "trail-logs"
  is_multi_region_trail         = true
  enable_log_file_validation    = true
  enable_logging                = false
}
"#,
        },
        Case {
            name: "logging by default",
            address: "aws_cloudtrail.main",
            expect: Expect::Pass,
            source: r#"
resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = "trail-logs"
}
"#,
        },
        Case {
            name: "from a variable without default",
            address: "aws_cloudtrail.main",
            expect: Expect::Undecided,
            source: r#"
variable "logging" {}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = "trail-logs"
  enable_logging = var.logging
}
"#,
        },
    ],
};

fn logging_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    trail_flag(res, "enable_logging", true, false, "trail is not logging")
}

/// ## What it does
/// Flags an `aws_cloudtrail` whose `is_multi_region_trail` is false or absent (absent is false).
///
/// ## Why is this bad?
/// Activity in every other region goes unrecorded by this trail; attackers launch resources
/// (crypto-mining fleets, persistence) in regions nobody watches.
///
/// ## Example
/// ```hcl
/// resource "aws_cloudtrail" "main" {
///   s3_bucket_name = "trail-logs"
/// }
/// ```
/// Use instead: `is_multi_region_trail = true`.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 3.1
/// - NIST SP 800-53 rev5 AU-2, AU-12
/// - <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html>
pub const SINGLE_REGION: Rule = Rule {
    meta: RuleMeta {
        id: "aws-cloudtrail-single-region",
        title: "CloudTrail trail records one region only",
        severity: Severity::Medium,
        category: Category::Logging,
        standards: &["CIS AWS 3.1", "NIST 800-53 AU-2", "NIST 800-53 AU-12"],
        rationale: "A single-region trail leaves activity in every other region unrecorded, \
            which is where attackers start resources nobody watches.",
        remediation: "Set is_multi_region_trail = true.",
        evidence: "is_multi_region_trail (absent means false)",
        format: Format::Terraform,
        kinds: &["aws_cloudtrail"],
    },
    check: single_region,
    cases: &[
        Case {
            name: "absent means single region",
            address: "aws_cloudtrail.main",
            expect: Expect::Violation,
            source: r#"
resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = "trail-logs"
}
"#,
        },
        Case {
            name: "multi region",
            address: "aws_cloudtrail.main",
            expect: Expect::Pass,
            source: r#"
resource "aws_cloudtrail" "main" {
  name                  = "main"
  s3_bucket_name        = "trail-logs"
  is_multi_region_trail = true
}
"#,
        },
        Case {
            name: "from a variable without default",
            address: "aws_cloudtrail.main",
            expect: Expect::Undecided,
            source: r#"
variable "multi" {}

resource "aws_cloudtrail" "main" {
  name                  = "main"
  s3_bucket_name        = "trail-logs"
  is_multi_region_trail = var.multi
}
"#,
        },
    ],
};

fn single_region(res: &Resource, _: &UnitView<'_>) -> Verdict {
    trail_flag(
        res,
        "is_multi_region_trail",
        false,
        false,
        "trail records one region only",
    )
}

/// ## What it does
/// Flags an `aws_cloudtrail` whose `enable_log_file_validation` is false or absent (absent is
/// false).
///
/// ## Why is this bad?
/// Without digest files, a log file deleted or edited after delivery cannot be shown to have
/// been tampered with: the trail's records lose their value as evidence.
///
/// ## Example
/// ```hcl
/// resource "aws_cloudtrail" "main" {
///   enable_log_file_validation = false
/// }
/// ```
/// Use instead: `enable_log_file_validation = true`.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 3.2
/// - NIST SP 800-53 rev5 AU-9
/// - <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html>
pub const LOG_VALIDATION_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "aws-cloudtrail-log-validation-off",
        title: "CloudTrail log file validation is off",
        severity: Severity::Low,
        category: Category::Logging,
        standards: &["CIS AWS 3.2", "NIST 800-53 AU-9"],
        rationale: "Without digest files, deleting or editing a delivered log file cannot be \
            detected, so the trail's records cannot be relied on as evidence.",
        remediation: "Set enable_log_file_validation = true.",
        evidence: "enable_log_file_validation (absent means false)",
        format: Format::Terraform,
        kinds: &["aws_cloudtrail"],
    },
    check: log_validation_off,
    cases: &[
        Case {
            name: "validation off",
            address: "aws_cloudtrail.main",
            expect: Expect::Violation,
            source: r#"
resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "trail-logs"
  enable_log_file_validation = false
}
"#,
        },
        Case {
            name: "validation on",
            address: "aws_cloudtrail.main",
            expect: Expect::Pass,
            source: r#"
resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "trail-logs"
  enable_log_file_validation = true
}
"#,
        },
        Case {
            name: "from a variable without default",
            address: "aws_cloudtrail.main",
            expect: Expect::Undecided,
            source: r#"
variable "validate" {}

resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "trail-logs"
  enable_log_file_validation = var.validate
}
"#,
        },
    ],
};

fn log_validation_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    trail_flag(
        res,
        "enable_log_file_validation",
        false,
        false,
        "log file validation is off",
    )
}

/// ## What it does
/// Flags an `aws_cloudtrail` without `kms_key_id`: its log files are encrypted only with S3's own
/// keys (SSE-S3), so anyone who can read the bucket can read the trail.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 3.5
/// - NIST SP 800-53 rev5 AU-9, SC-28
pub const KMS_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "aws-cloudtrail-kms-off",
        title: "CloudTrail logs are not encrypted with a KMS key",
        severity: Severity::Low,
        category: Category::Encryption,
        standards: &["CIS AWS 3.5", "NIST 800-53 AU-9", "NIST 800-53 SC-28"],
        rationale: "Without SSE-KMS, read access to the log bucket is enough to read the trail; \
            a KMS key adds a second, separately audited permission (kms:Decrypt).",
        remediation: "Set kms_key_id to a customer-managed key whose policy lets CloudTrail \
            encrypt and only the security team decrypt.",
        evidence: "kms_key_id (absent)",
        format: Format::Terraform,
        kinds: &["aws_cloudtrail"],
    },
    check: kms_off,
    cases: &[
        Case {
            name: "no key",
            address: "aws_cloudtrail.main",
            expect: Expect::Violation,
            source: "resource \"aws_cloudtrail\" \"main\" {\n  name           = \"main\"\n  s3_bucket_name = \"trail\"\n}\n",
        },
        Case {
            name: "with key",
            address: "aws_cloudtrail.main",
            expect: Expect::Pass,
            source: "resource \"aws_cloudtrail\" \"main\" {\n  name           = \"main\"\n  s3_bucket_name = \"trail\"\n  kms_key_id     = \"arn:aws:kms:eu-west-1:123456789012:key/abc\"\n}\n",
        },
    ],
};

fn kms_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    // Any written key, even one not known statically, is a key: only absence is judged.
    let absent = matches!(
        res.attr("kms_key_id"),
        None | Some(crate::model::Value::Null)
    );
    verdict(
        crate::rules::helpers::Tri::from_bool(absent),
        vec![ev(res, attr_path("kms_key_id"))],
        || "kms_key_id absent: logs encrypted with SSE-S3 only".to_string(),
        Scope::default(),
        String::new,
    )
}
