//! KMS: symmetric keys whose material is never rotated. (Key policies open to everyone are in
//! [`super::resource_policy`], with the other resource policies.)

use crate::model::{Format, Resource};
use crate::rules::helpers::{attr_path, bool_is, ev, read_str, Read, Tri};
use crate::rules::{
    Case, Category, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// ## What it does
/// Flags a symmetric `aws_kms_key` (`customer_master_key_spec` absent or `SYMMETRIC_DEFAULT`)
/// whose `enable_key_rotation` is false or absent (absent is false). Asymmetric and HMAC keys
/// cannot be rotated automatically and pass.
///
/// ## Why is this bad?
/// The same key material protects every piece of data for the key's whole life; a compromised
/// key exposes all of it, and cryptoperiod requirements are not met.
///
/// ## Example
/// ```hcl
/// resource "aws_kms_key" "data" {
///   description = "data"
/// }
/// ```
/// Use instead: `enable_key_rotation = true`.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 3.6
/// - NIST SP 800-53 rev5 SC-12
/// - <https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html>
pub const ROTATION_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "aws-kms-rotation-off",
        title: "KMS key rotation is off",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["CIS AWS 3.6", "NIST 800-53 SC-12", "NIST 800-53 SC-28"],
        rationale: "Without rotation one key material protects everything encrypted under the \
            key for its whole life, and a compromise of it exposes all of that data.",
        remediation: "Set enable_key_rotation = true.",
        evidence: "enable_key_rotation (absent means false), and customer_master_key_spec when \
            written",
        format: Format::Terraform,
        kinds: &["aws_kms_key"],
    },
    check: rotation_off,
    cases: &[
        Case {
            name: "absent means no rotation",
            address: "aws_kms_key.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_kms_key" "data" {
  description = "data"
}
"#,
        },
        Case {
            name: "explicit symmetric without rotation",
            address: "aws_kms_key.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_kms_key" "data" {
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
  enable_key_rotation      = false
}
"#,
        },
        Case {
            name: "rotation on",
            address: "aws_kms_key.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_kms_key" "data" {
  enable_key_rotation = true
}
"#,
        },
        Case {
            name: "asymmetric key",
            address: "aws_kms_key.sign",
            expect: Expect::Pass,
            source: r#"
resource "aws_kms_key" "sign" {
  customer_master_key_spec = "RSA_2048"
  key_usage                = "SIGN_VERIFY"
}
"#,
        },
        Case {
            name: "from a variable without default",
            address: "aws_kms_key.data",
            expect: Expect::Undecided,
            source: r#"
variable "rotate" {}

resource "aws_kms_key" "data" {
  enable_key_rotation = var.rotate
}
"#,
        },
    ],
};

/// The names a format gives a KMS key's settings: the concept is judged once, by
/// [`rotation_off_with`], for every format.
pub(crate) struct KeyFields {
    pub spec: &'static str,
    pub rotation: &'static str,
}

const TF_KEY: KeyFields = KeyFields {
    spec: "customer_master_key_spec",
    rotation: "enable_key_rotation",
};

fn rotation_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    rotation_off_with(res, &TF_KEY)
}

/// A symmetric key whose rotation is off (absent means off).
pub(crate) fn rotation_off_with(res: &Resource, f: &KeyFields) -> Verdict {
    let symmetric = match read_str(res.attr(f.spec)) {
        Read::Absent => Tri::Yes,
        Read::Known(s) => Tri::from_bool(s.trim() == "SYMMETRIC_DEFAULT"),
        Read::Unknown => Tri::Maybe,
    };
    let off = bool_is(res.attr(f.rotation), false, false);
    let mut evidence = vec![ev(res, attr_path(f.rotation))];
    if res.attr(f.spec).is_some() {
        evidence.push(ev(res, attr_path(f.spec)));
    }
    match symmetric.and(off) {
        Tri::Yes => Verdict::Violation(Finding {
            evidence,
            summary: if res.attr(f.rotation).is_none() {
                format!(
                    "symmetric key without rotation ({} absent, defaults to false)",
                    f.rotation
                )
            } else {
                format!("symmetric key without rotation ({} = false)", f.rotation)
            },
            scope: Scope::default(),
        }),
        Tri::Maybe => Verdict::Undecided {
            evidence,
            reason: format!("{} or {} is not known statically", f.rotation, f.spec),
        },
        Tri::No => Verdict::Pass,
    }
}
