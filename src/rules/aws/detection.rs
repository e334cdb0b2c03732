//! Detection switched off: GuardDuty detectors disabled, AWS Config recorders stopped, and VPCs
//! without flow logs. Each is a control whose absence during a window means an investigator has
//! no record of what happened in it, so the window itself is the finding.
//!
//! "Absent" has to be judged within a unit: a VPC is flagged only when the unit that declares it
//! declares no `aws_flow_log` for it. A flow log written in another unit (a central logging
//! module) is invisible here, which is the trade-off stated in the rule: the rule is about the
//! unit that owns the VPC, and a team that logs centrally should say so with a flow log resource
//! next to the VPC or suppress the rule.

use crate::model::{Format, Resource, Value};
use crate::rules::helpers::{attr_path, ev, flag_at, verdict, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `aws_guardduty_detector` with `enable = false` (absent is true in AWS provider 4.x to
/// 6.x).
///
/// ## References
/// - NIST SP 800-53 rev5 SI-4
pub const GUARDDUTY_DISABLED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-guardduty-disabled",
        title: "GuardDuty detector is disabled",
        severity: Severity::Medium,
        category: Category::Logging,
        standards: &["NIST 800-53 SI-4", "NIST 800-53 AU-6"],
        rationale: "A disabled detector raises no findings: credential exfiltration, crypto \
            mining and reconnaissance during the window go unnoticed.",
        remediation: "Set enable = true (or remove the setting; the provider default is true).",
        evidence: "enable",
        format: Format::Terraform,
        kinds: &["aws_guardduty_detector"],
    },
    check: guardduty_disabled,
    cases: &[
        Case {
            name: "disabled",
            address: "aws_guardduty_detector.main",
            expect: Expect::Violation,
            source: "resource \"aws_guardduty_detector\" \"main\" {\n  enable = false\n}\n",
        },
        Case {
            name: "default is enabled",
            address: "aws_guardduty_detector.main",
            expect: Expect::Pass,
            source: "resource \"aws_guardduty_detector\" \"main\" {}\n",
        },
        Case {
            name: "from a variable without default",
            address: "aws_guardduty_detector.main",
            expect: Expect::Undecided,
            source: "variable \"on\" {}\nresource \"aws_guardduty_detector\" \"main\" {\n  enable = var.on\n}\n",
        },
    ],
};

fn guardduty_disabled(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(res, "enable", true, false, "GuardDuty detector disabled")
}

/// ## What it does
/// Flags an `aws_config_configuration_recorder_status` with `is_enabled = false` (the attribute is
/// required by the provider, so absent is not judged).
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 3.3
/// - NIST SP 800-53 rev5 CM-8, AU-12
pub const CONFIG_RECORDER_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "aws-config-recorder-off",
        title: "AWS Config recorder is stopped",
        severity: Severity::Medium,
        category: Category::Logging,
        standards: &["CIS AWS 3.3", "NIST 800-53 CM-8", "NIST 800-53 AU-12"],
        rationale: "A stopped recorder keeps no configuration history: what a resource looked \
            like during the window, and who changed it, cannot be reconstructed from Config.",
        remediation: "Set is_enabled = true.",
        evidence: "is_enabled",
        format: Format::Terraform,
        kinds: &["aws_config_configuration_recorder_status"],
    },
    check: config_recorder_off,
    cases: &[
        Case {
            name: "stopped",
            address: "aws_config_configuration_recorder_status.main",
            expect: Expect::Violation,
            source: "resource \"aws_config_configuration_recorder_status\" \"main\" {\n  name       = \"main\"\n  is_enabled = false\n}\n",
        },
        Case {
            name: "recording",
            address: "aws_config_configuration_recorder_status.main",
            expect: Expect::Pass,
            source: "resource \"aws_config_configuration_recorder_status\" \"main\" {\n  name       = \"main\"\n  is_enabled = true\n}\n",
        },
    ],
};

fn config_recorder_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    // Required by the provider: an absent value would not apply, so it is read as enabled
    // rather than invented as a violation.
    flag_at(
        res,
        "is_enabled",
        true,
        false,
        "AWS Config recorder stopped",
    )
}

/// ## What it does
/// Flags an `aws_vpc` for which the unit declares no `aws_flow_log` (by `vpc_id`, referencing the
/// VPC). A flow log whose `vpc_id` is not known statically makes the verdict undecided.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 3.7
/// - NIST SP 800-53 rev5 AU-12, SI-4
pub const VPC_FLOW_LOGS_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "aws-vpc-flow-logs-off",
        title: "VPC has no flow log in its unit",
        severity: Severity::Low,
        category: Category::Logging,
        standards: &["CIS AWS 3.7", "NIST 800-53 AU-12", "NIST 800-53 SI-4"],
        rationale: "Without flow logs there is no record of which addresses talked to which \
            during the window: exfiltration and lateral movement leave no network trace. Judged \
            within the unit that declares the VPC; a flow log kept in another unit is not seen.",
        remediation:
            "Add an aws_flow_log with vpc_id = the VPC's id next to the VPC (traffic_type \
            ALL or REJECT).",
        evidence: "the VPC resource itself (its cidr_block); no aws_flow_log of the unit refers \
            to it",
        format: Format::Terraform,
        kinds: &["aws_vpc"],
    },
    check: vpc_flow_logs_off,
    cases: &[
        Case {
            name: "vpc alone",
            address: "aws_vpc.main",
            expect: Expect::Violation,
            source: "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
        },
        Case {
            name: "vpc with flow log",
            address: "aws_vpc.main",
            expect: Expect::Pass,
            source: r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "main" {
  vpc_id          = aws_vpc.main.id
  traffic_type    = "ALL"
  log_destination = "arn:aws:s3:::flow-logs"
}
"#,
        },
        Case {
            name: "flow log for an unknown vpc",
            address: "aws_vpc.main",
            expect: Expect::Undecided,
            source: r#"
variable "vpc" {}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "main" {
  vpc_id       = var.vpc
  traffic_type = "ALL"
}
"#,
        },
    ],
};

fn vpc_flow_logs_off(res: &Resource, view: &UnitView<'_>) -> Verdict {
    let logged = !view.referencing("aws_flow_log", "vpc_id", res).is_empty();
    let unknown = view
        .of_kind("aws_flow_log")
        .any(|f| matches!(f.attr("vpc_id"), Some(Value::Unknown(_))));
    let t = if logged {
        Tri::No
    } else if unknown {
        Tri::Maybe
    } else {
        Tri::Yes
    };
    verdict(
        t,
        vec![ev(res, attr_path("cidr_block"))],
        || format!("no aws_flow_log in the unit refers to {}", res.address),
        Scope::default(),
        || "an aws_flow_log of the unit has a vpc_id that is not known statically".to_string(),
    )
}
