//! Cloud KMS: keys and key rings whose IAM admits `allUsers` or `allAuthenticatedUsers`, and
//! symmetric keys that are not rotated within 90 days.
//!
//! Defaults (google provider 5.x and 6.x): `purpose` ENCRYPT_DECRYPT; no `rotation_period`, so a
//! key is never rotated unless one is written.

use crate::model::{Format, Resource};
use crate::rules::gcp::iam::{is_public_member, judge_grants};
use crate::rules::helpers::{attr_path, ev, read_str, show, verdict, Read, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

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

/// The longest rotation period CIS accepts: 90 days, in seconds.
const MAX_ROTATION_SECONDS: f64 = 90.0 * 86_400.0;

/// A rotation period as the API writes it (`"7776000s"`, up to nine fractional digits), in
/// seconds. `None` for anything else, which the API rejects.
fn rotation_seconds(s: &str) -> Option<f64> {
    let n: f64 = s.trim().strip_suffix('s')?.parse().ok()?;
    n.is_finite().then_some(n)
}

/// ## What it does
/// Flags a `google_kms_crypto_key` of purpose `ENCRYPT_DECRYPT` (the default) without a
/// `rotation_period`, or with one longer than 90 days (7776000s). Keys of other purposes
/// (asymmetric, MAC, raw) cannot be rotated automatically and pass.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 1.10
/// - NIST SP 800-53 rev5 SC-12
pub const ROTATION_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-kms-rotation-off",
        title: "Cloud KMS key is not rotated within 90 days",
        severity: Severity::Low,
        category: Category::Encryption,
        standards: &["CIS GCP 1.10", "NIST 800-53 SC-12"],
        rationale: "A key version that is never replaced protects ever more data, so its \
            compromise exposes all of it. Keys are not rotated by default: without \
            rotation_period (absent means never) a symmetric key keeps its first version for \
            new data indefinitely.",
        remediation: "Set rotation_period = \"7776000s\" (90 days) or shorter.",
        evidence: "rotation_period (absent means never rotated) and purpose (absent means \
            ENCRYPT_DECRYPT)",
        format: Format::Terraform,
        kinds: &["google_kms_crypto_key"],
    },
    check: rotation_off,
    cases: &[
        Case {
            name: "no rotation",
            address: "google_kms_crypto_key.k",
            expect: Expect::Violation,
            source: "resource \"google_kms_crypto_key\" \"k\" {\n  name     = \"k\"\n  key_ring = \"projects/p/locations/eu/keyRings/r\"\n}\n",
        },
        Case {
            name: "yearly rotation",
            address: "google_kms_crypto_key.k",
            expect: Expect::Violation,
            source: "resource \"google_kms_crypto_key\" \"k\" {\n  name            = \"k\"\n  key_ring        = \"projects/p/locations/eu/keyRings/r\"\n  rotation_period = \"31536000s\"\n}\n",
        },
        Case {
            name: "90 days",
            address: "google_kms_crypto_key.k",
            expect: Expect::Pass,
            source: "resource \"google_kms_crypto_key\" \"k\" {\n  name            = \"k\"\n  key_ring        = \"projects/p/locations/eu/keyRings/r\"\n  rotation_period = \"7776000s\"\n}\n",
        },
        Case {
            name: "asymmetric signing key",
            address: "google_kms_crypto_key.sign",
            expect: Expect::Pass,
            source: "resource \"google_kms_crypto_key\" \"sign\" {\n  name     = \"sign\"\n  key_ring = \"projects/p/locations/eu/keyRings/r\"\n  purpose  = \"ASYMMETRIC_SIGN\"\n  version_template {\n    algorithm = \"EC_SIGN_P384_SHA384\"\n  }\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "google_kms_crypto_key.k",
            expect: Expect::Undecided,
            source: "variable \"period\" {}\nresource \"google_kms_crypto_key\" \"k\" {\n  name            = \"k\"\n  key_ring        = \"projects/p/locations/eu/keyRings/r\"\n  rotation_period = var.period\n}\n",
        },
    ],
};

fn rotation_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let rotatable = match read_str(res.attr("purpose")) {
        Read::Absent => Tri::Yes,
        Read::Known(p) => Tri::from_bool(p.trim() == "ENCRYPT_DECRYPT"),
        Read::Unknown => Tri::Maybe,
    };
    let period = res.attr("rotation_period");
    let slow = match read_str(period) {
        Read::Absent => Tri::Yes,
        Read::Known(p) => {
            Tri::from_bool(rotation_seconds(&p).is_some_and(|s| s > MAX_ROTATION_SECONDS))
        }
        Read::Unknown => Tri::Maybe,
    };
    verdict(
        rotatable.and(slow),
        vec![
            ev(res, attr_path("rotation_period")),
            ev(res, attr_path("purpose")),
        ],
        || match read_str(period) {
            Read::Absent => "key never rotated (rotation_period absent)".into(),
            _ => format!(
                "key rotated less often than every 90 days (rotation_period = {})",
                show(period)
            ),
        },
        Scope::default(),
        || "rotation_period or purpose is not known statically".into(),
    )
}
