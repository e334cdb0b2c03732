//! Cloud KMS: keys and key rings whose IAM admits `allUsers` or `allAuthenticatedUsers`.

use crate::model::{Format, Resource};
use crate::rules::gcp::iam::{is_public_member, judge_grants};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity, UnitView, Verdict};

/// ## What it does
/// Flags a crypto key or key ring IAM member, binding or policy that grants any role to
/// `allUsers` or `allAuthenticatedUsers`.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 1.9
/// - NIST SP 800-53 rev5 AC-3, SC-12
pub const KEY_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-kms-key-public",
        title: "Cloud KMS key is granted to allUsers or allAuthenticatedUsers",
        severity: Severity::Critical,
        category: Category::Encryption,
        standards: &["CIS GCP 1.9", "NIST 800-53 AC-3", "NIST 800-53 SC-12"],
        rationale: "Anyone (or anyone with a Google account) can use the key as the role allows: \
            decrypt what it protects, or destroy key versions and with them the data.",
        remediation: "Remove the public member and grant roles/cloudkms.cryptoKeyEncrypterDecrypter \
            to the service accounts that need it.",
        evidence: "role and member(s) of each public grant",
        format: Format::Terraform,
        kinds: &[
            "google_kms_crypto_key_iam_binding",
            "google_kms_crypto_key_iam_member",
            "google_kms_crypto_key_iam_policy",
            "google_kms_key_ring_iam_binding",
            "google_kms_key_ring_iam_member",
            "google_kms_key_ring_iam_policy",
        ],
    },
    check: key_public,
    cases: &[
        Case {
            name: "decrypter for all users",
            address: "google_kms_crypto_key_iam_member.pub",
            expect: Expect::Violation,
            source: "resource \"google_kms_crypto_key_iam_member\" \"pub\" {\n  crypto_key_id = \"projects/p/locations/eu/keyRings/r/cryptoKeys/k\"\n  role          = \"roles/cloudkms.cryptoKeyDecrypter\"\n  member        = \"allUsers\"\n}\n",
        },
        Case {
            name: "service account",
            address: "google_kms_crypto_key_iam_member.app",
            expect: Expect::Pass,
            source: "resource \"google_kms_crypto_key_iam_member\" \"app\" {\n  crypto_key_id = \"projects/p/locations/eu/keyRings/r/cryptoKeys/k\"\n  role          = \"roles/cloudkms.cryptoKeyDecrypter\"\n  member        = \"serviceAccount:app@p.iam.gserviceaccount.com\"\n}\n",
        },
        Case {
            name: "members from a variable without default",
            address: "google_kms_key_ring_iam_binding.v",
            expect: Expect::Undecided,
            source: "variable \"who\" {}\nresource \"google_kms_key_ring_iam_binding\" \"v\" {\n  key_ring_id = \"projects/p/locations/eu/keyRings/r\"\n  role        = \"roles/cloudkms.admin\"\n  members     = var.who\n}\n",
        },
    ],
};

fn key_public(res: &Resource, view: &UnitView<'_>) -> Verdict {
    judge_grants(res, view, |_| true, is_public_member, "public key")
}
