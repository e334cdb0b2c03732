//! Images and snapshots shared with every AWS account: AMIs, EBS snapshots, and RDS/Aurora
//! snapshots. A public snapshot is a full copy of a disk or a database that anyone can restore in
//! their own account, so these are among the most complete leaks there are.

use crate::model::{Format, Resource};
use crate::rules::helpers::{list_any_at, string_at};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `aws_ami_launch_permission` with `group = "all"`.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-21
pub const AMI_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-ami-public",
        title: "AMI is shared with every AWS account",
        severity: Severity::High,
        category: Category::Storage,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-21"],
        rationale: "A public AMI can be launched by anyone, with the code, configuration and \
            often the credentials baked into its volumes.",
        remediation: "Share the image with named accounts (account_id) or the organisation \
            (organization_arn) instead of group all.",
        evidence: "group",
        format: Format::Terraform,
        kinds: &["aws_ami_launch_permission"],
    },
    check: ami_public,
    cases: &[
        Case {
            name: "group all",
            address: "aws_ami_launch_permission.base",
            expect: Expect::Violation,
            source: "resource \"aws_ami_launch_permission\" \"base\" {\n  image_id = \"ami-123\"\n  group    = \"all\"\n}\n",
        },
        Case {
            name: "one account",
            address: "aws_ami_launch_permission.base",
            expect: Expect::Pass,
            source: "resource \"aws_ami_launch_permission\" \"base\" {\n  image_id   = \"ami-123\"\n  account_id = \"123456789012\"\n}\n",
        },
        Case {
            name: "group from a variable without default",
            address: "aws_ami_launch_permission.base",
            expect: Expect::Undecided,
            source: "variable \"g\" {}\nresource \"aws_ami_launch_permission\" \"base\" {\n  image_id = \"ami-123\"\n  group    = var.g\n}\n",
        },
    ],
};

fn ami_public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    string_at(
        res,
        "group",
        None,
        |g| g == "all",
        "AMI launch permission for every account",
    )
}

/// ## What it does
/// Flags an `aws_ebs_snapshot_block_public_access` with `state = "unblocked"`: the region's
/// snapshots may be shared publicly. (The provider's `aws_snapshot_create_volume_permission` only
/// takes account ids, so public sharing from Terraform is governed by this switch.)
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-21
pub const EBS_SNAPSHOT_PUBLIC_SHARING: Rule = Rule {
    meta: RuleMeta {
        id: "aws-ebs-snapshot-public-sharing-allowed",
        title: "EBS snapshots may be shared publicly",
        severity: Severity::Medium,
        category: Category::Storage,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-21"],
        rationale: "With block public access unblocked, any snapshot of the region can be made \
            restorable by every AWS account: a full copy of a disk.",
        remediation: "Set state = \"block-all-sharing\" (or \"block-new-sharing\").",
        evidence: "state",
        format: Format::Terraform,
        kinds: &["aws_ebs_snapshot_block_public_access"],
    },
    check: ebs_snapshot_sharing,
    cases: &[
        Case {
            name: "unblocked",
            address: "aws_ebs_snapshot_block_public_access.r",
            expect: Expect::Violation,
            source: "resource \"aws_ebs_snapshot_block_public_access\" \"r\" {\n  state = \"unblocked\"\n}\n",
        },
        Case {
            name: "blocked",
            address: "aws_ebs_snapshot_block_public_access.r",
            expect: Expect::Pass,
            source: "resource \"aws_ebs_snapshot_block_public_access\" \"r\" {\n  state = \"block-all-sharing\"\n}\n",
        },
    ],
};

fn ebs_snapshot_sharing(res: &Resource, _: &UnitView<'_>) -> Verdict {
    string_at(
        res,
        "state",
        None,
        |s| s.eq_ignore_ascii_case("unblocked"),
        "EBS snapshot public sharing unblocked",
    )
}

/// ## What it does
/// Flags an `aws_db_snapshot` or `aws_db_cluster_snapshot` whose `shared_accounts` include
/// `all`.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-21
pub const RDS_SNAPSHOT_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-rds-snapshot-public",
        title: "RDS or Aurora snapshot is shared with every AWS account",
        severity: Severity::Critical,
        category: Category::Storage,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-21"],
        rationale: "A snapshot shared with all can be restored by anyone into their own account: \
            the whole database, without touching the network or the credentials.",
        remediation: "Remove all from shared_accounts; share with named accounts only, and \
            encrypt snapshots with a customer-managed key (encrypted snapshots cannot be public).",
        evidence: "shared_accounts",
        format: Format::Terraform,
        kinds: &["aws_db_cluster_snapshot", "aws_db_snapshot"],
    },
    check: rds_snapshot_public,
    cases: &[
        Case {
            name: "shared with all",
            address: "aws_db_snapshot.nightly",
            expect: Expect::Violation,
            source: "resource \"aws_db_snapshot\" \"nightly\" {\n  db_instance_identifier = \"orders\"\n  db_snapshot_identifier = \"nightly\"\n  shared_accounts        = [\"all\"]\n}\n",
        },
        Case {
            name: "aurora shared with one account",
            address: "aws_db_cluster_snapshot.nightly",
            expect: Expect::Pass,
            source: "resource \"aws_db_cluster_snapshot\" \"nightly\" {\n  db_cluster_identifier          = \"orders\"\n  db_cluster_snapshot_identifier = \"nightly\"\n  shared_accounts                = [\"123456789012\"]\n}\n",
        },
        Case {
            name: "accounts from a variable without default",
            address: "aws_db_snapshot.nightly",
            expect: Expect::Undecided,
            source: "variable \"accts\" {}\nresource \"aws_db_snapshot\" \"nightly\" {\n  db_instance_identifier = \"orders\"\n  db_snapshot_identifier = \"nightly\"\n  shared_accounts        = var.accts\n}\n",
        },
    ],
};

fn rds_snapshot_public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    list_any_at(
        res,
        "shared_accounts",
        |a| a.eq_ignore_ascii_case("all"),
        "snapshot shared publicly",
    )
}
