//! EBS: volumes stored unencrypted, and the account's encryption-by-default switched off.

use crate::model::{Format, Resource, Value};
use crate::rules::helpers::{attr_path, bool_is, ev, show, verdict, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `aws_ebs_volume` whose `encrypted` is false or absent, and an
/// `aws_ebs_encryption_by_default` with `enabled = false`.
///
/// A volume passes when the same unit turns EBS encryption by default on (an
/// `aws_ebs_encryption_by_default` with `enabled` true or absent): AWS then encrypts every new
/// volume whatever `encrypted` says. A volume created from a snapshot inherits the snapshot's
/// encryption, which the code does not show; such a volume is undecided unless `encrypted = true`.
///
/// ## Why is this bad?
/// The volume, its snapshots and any copy of them hold the data in clear; a snapshot shared by
/// mistake, or made public, gives it away.
///
/// ## Example
/// ```hcl
/// resource "aws_ebs_volume" "data" {
///   availability_zone = "eu-west-1a"
///   size              = 100
/// }
/// ```
/// Use instead: `encrypted = true`, or `aws_ebs_encryption_by_default` enabled in every region.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 2.2.1
/// - NIST SP 800-53 rev5 SC-28
/// - <https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html>
pub const UNENCRYPTED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-ebs-unencrypted",
        title: "EBS volume is not encrypted",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["CIS AWS 2.2.1", "NIST 800-53 SC-28"],
        rationale: "An unencrypted volume and its snapshots hold data in clear; a shared or \
            public snapshot gives the data away.",
        remediation: "Set encrypted = true on the volume, or enable EBS encryption by default \
            (aws_ebs_encryption_by_default) in every region used.",
        evidence: "encrypted on the volume (absent means false); enabled on \
            aws_ebs_encryption_by_default",
        format: Format::Terraform,
        kinds: &["aws_ebs_encryption_by_default", "aws_ebs_volume"],
    },
    check: unencrypted,
    cases: &[
        Case {
            name: "volume without encrypted",
            address: "aws_ebs_volume.data",
            expect: Expect::Violation,
            source: r#"
resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
}
"#,
        },
        Case {
            name: "encryption by default switched off",
            address: "aws_ebs_encryption_by_default.this",
            expect: Expect::Violation,
            source: r#"
resource "aws_ebs_encryption_by_default" "this" {
  enabled = false
}
"#,
        },
        Case {
            name: "encrypted volume",
            address: "aws_ebs_volume.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
  encrypted         = true
}
"#,
        },
        Case {
            name: "encryption by default on in the unit",
            address: "aws_ebs_volume.data",
            expect: Expect::Pass,
            source: r#"
resource "aws_ebs_encryption_by_default" "this" {}

resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
}
"#,
        },
        Case {
            name: "from a variable without default",
            address: "aws_ebs_volume.data",
            expect: Expect::Undecided,
            source: r#"
variable "encrypt" {}

resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
  encrypted         = var.encrypt
}
"#,
        },
    ],
};

fn unencrypted(res: &Resource, view: &UnitView<'_>) -> Verdict {
    if res.kind == "aws_ebs_encryption_by_default" {
        let v = res.attr("enabled");
        return verdict(
            bool_is(v, true, false),
            vec![ev(res, attr_path("enabled"))],
            || "EBS encryption by default is disabled (enabled = false)".to_string(),
            Scope::default(),
            || format!("enabled is not known statically: {}", show(v)),
        );
    }
    // Encryption by default in the same unit encrypts every new volume.
    let by_default = Tri::any(
        view.of_kind("aws_ebs_encryption_by_default")
            .map(|d| bool_is(d.attr("enabled"), true, true)),
    );
    volume_unencrypted_with(res, &TF_VOLUME, by_default)
}

/// The names a format gives a volume's settings; [`volume_unencrypted_with`] judges the concept
/// once for every format.
pub(crate) struct VolumeFields {
    pub encrypted: &'static str,
    pub snapshot: &'static str,
}

const TF_VOLUME: VolumeFields = VolumeFields {
    encrypted: "encrypted",
    snapshot: "snapshot_id",
};

/// A volume whose storage is not encrypted; `by_default` is whether account-level encryption by
/// default (where the format can declare it) covers it.
pub(crate) fn volume_unencrypted_with(
    res: &Resource,
    f: &VolumeFields,
    by_default: Tri,
) -> Verdict {
    let from_snapshot = match res.attr(f.snapshot) {
        None | Some(Value::Null) => Tri::No,
        Some(Value::String(s)) if s.trim().is_empty() => Tri::No,
        _ => Tri::Yes,
    };
    let v = res.attr(f.encrypted);
    let off = bool_is(v, false, false);
    // From a snapshot, an unencrypted-looking volume may still be encrypted: unknown.
    let off = if off == Tri::Yes && from_snapshot == Tri::Yes {
        Tri::Maybe
    } else {
        off
    };
    let t = off.and(!by_default);
    let mut evidence = vec![ev(res, attr_path(f.encrypted))];
    if t == Tri::Maybe && from_snapshot == Tri::Yes {
        evidence.push(ev(res, attr_path(f.snapshot)));
    }
    verdict(
        t,
        evidence,
        || match v {
            None | Some(Value::Null) => format!("{} absent (defaults to false)", f.encrypted),
            _ => format!("{} = false", f.encrypted),
        },
        Scope::default(),
        || {
            if from_snapshot == Tri::Yes {
                "created from a snapshot whose encryption is not visible in the code".to_string()
            } else {
                format!("{} is not known statically: {}", f.encrypted, show(v))
            }
        },
    )
}
