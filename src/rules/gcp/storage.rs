//! Cloud Storage: buckets readable by `allUsers` or `allAuthenticatedUsers`, and buckets that keep
//! per-object ACLs (uniform bucket-level access off).
//!
//! Default (google provider 5.x and 6.x): `uniform_bucket_level_access` false. An organization
//! policy (`storage.uniformBucketLevelAccess`) may enforce it outside the code; the rule judges
//! the bucket as written and says so.

use crate::model::{Format, Resource};
use crate::rules::gcp::iam::{is_public_member, judge_grants};
use crate::rules::helpers::flag_at;
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity, UnitView, Verdict};

/// ## What it does
/// Flags a `google_storage_bucket_iam_member`, `_binding` or `_policy` that grants any role to
/// `allUsers` or `allAuthenticatedUsers`.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 5.1
/// - NIST SP 800-53 rev5 AC-3, AC-14
pub const BUCKET_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-storage-bucket-public",
        title: "Cloud Storage bucket is granted to allUsers or allAuthenticatedUsers",
        severity: Severity::Critical,
        category: Category::Storage,
        standards: &["CIS GCP 5.1", "NIST 800-53 AC-3", "NIST 800-53 AC-14"],
        rationale: "allUsers is anyone on the internet and allAuthenticatedUsers anyone with a \
            Google account: the bucket's objects (or, with admin roles, the bucket) are theirs.",
        remediation: "Remove the public member; grant named groups or service accounts, and \
            serve public content through a CDN or signed URLs.",
        evidence: "role and member(s) of each public grant",
        format: Format::Terraform,
        kinds: &[
            "google_storage_bucket_iam_binding",
            "google_storage_bucket_iam_member",
            "google_storage_bucket_iam_policy",
        ],
    },
    check: bucket_public,
    cases: &[
        Case {
            name: "object viewer for all users",
            address: "google_storage_bucket_iam_member.pub",
            expect: Expect::Violation,
            source: "resource \"google_storage_bucket_iam_member\" \"pub\" {\n  bucket = \"exports\"\n  role   = \"roles/storage.objectViewer\"\n  member = \"allUsers\"\n}\n",
        },
        Case {
            name: "binding with all authenticated users",
            address: "google_storage_bucket_iam_binding.b",
            expect: Expect::Violation,
            source: "resource \"google_storage_bucket_iam_binding\" \"b\" {\n  bucket  = \"exports\"\n  role    = \"roles/storage.objectViewer\"\n  members = [\"group:analysts@example.com\", \"allAuthenticatedUsers\"]\n}\n",
        },
        Case {
            name: "a group",
            address: "google_storage_bucket_iam_member.g",
            expect: Expect::Pass,
            source: "resource \"google_storage_bucket_iam_member\" \"g\" {\n  bucket = \"exports\"\n  role   = \"roles/storage.objectViewer\"\n  member = \"group:analysts@example.com\"\n}\n",
        },
        Case {
            name: "member from a variable without default",
            address: "google_storage_bucket_iam_member.v",
            expect: Expect::Undecided,
            source: "variable \"who\" {}\nresource \"google_storage_bucket_iam_member\" \"v\" {\n  bucket = \"exports\"\n  role   = \"roles/storage.objectViewer\"\n  member = var.who\n}\n",
        },
    ],
};

fn bucket_public(res: &Resource, view: &UnitView<'_>) -> Verdict {
    judge_grants(res, view, |_| true, is_public_member, "public bucket")
}

/// ## What it does
/// Flags a `google_storage_bucket` with `uniform_bucket_level_access` false or absent (provider
/// default false).
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 5.2
/// - NIST SP 800-53 rev5 AC-3
pub const UNIFORM_ACCESS_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-storage-uniform-access-off",
        title: "Cloud Storage bucket keeps per-object ACLs",
        severity: Severity::Medium,
        category: Category::Storage,
        standards: &["CIS GCP 5.2", "NIST 800-53 AC-3"],
        rationale: "With fine-grained ACLs any object can be made public on its own, invisible \
            to a review of the bucket's IAM. The provider default is false; an organization \
            policy enforcing uniform access is outside the code and not seen here.",
        remediation: "Set uniform_bucket_level_access = true and grant access with IAM only.",
        evidence: "uniform_bucket_level_access (absent means false)",
        format: Format::Terraform,
        kinds: &["google_storage_bucket"],
    },
    check: uniform_access_off,
    cases: &[
        Case {
            name: "default",
            address: "google_storage_bucket.exports",
            expect: Expect::Violation,
            source: "resource \"google_storage_bucket\" \"exports\" {\n  name     = \"exports\"\n  location = \"EU\"\n}\n",
        },
        Case {
            name: "uniform",
            address: "google_storage_bucket.exports",
            expect: Expect::Pass,
            source: "resource \"google_storage_bucket\" \"exports\" {\n  name                        = \"exports\"\n  location                    = \"EU\"\n  uniform_bucket_level_access = true\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "google_storage_bucket.exports",
            expect: Expect::Undecided,
            source: "variable \"u\" {}\nresource \"google_storage_bucket\" \"exports\" {\n  name                        = \"exports\"\n  uniform_bucket_level_access = var.u\n}\n",
        },
    ],
};

fn uniform_access_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(
        res,
        "uniform_bucket_level_access",
        false,
        false,
        "per-object ACLs in effect",
    )
}
