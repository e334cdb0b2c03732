//! Cloud DNS: public zones served without DNSSEC.
//!
//! Defaults (google provider 5.x and 6.x): `visibility` public; no `dnssec_config`, or one without
//! `state`, means DNSSEC off. Private zones cannot be signed and pass.

use crate::model::{Format, Resource, SettingPath};
use crate::rules::helpers::{attr_path, ev, lookup, read_str, show, verdict, Read, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// ## What it does
/// Flags a public `google_dns_managed_zone` (`visibility` "public" or absent) whose
/// `dnssec_config.state` is "off" or absent. "on" and "transfer" (signed, while moving the zone
/// between providers) pass.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 3.3
/// - NIST SP 800-53 rev5 SC-20
pub const DNSSEC_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-dns-dnssec-off",
        title: "Public DNS zone is not signed with DNSSEC",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["CIS GCP 3.3", "NIST 800-53 SC-20"],
        rationale: "Without DNSSEC, resolvers cannot tell the zone's answers from forged ones: \
            cache poisoning and spoofing can send the zone's users to an attacker's addresses. \
            DNSSEC is off by default (no dnssec_config, or no state, means off), so an absent \
            setting is a violation for a public zone.",
        remediation: "Add dnssec_config { state = \"on\" } and publish the DS record at the \
            registrar.",
        evidence: "dnssec_config[0].state (absent means off) and visibility (absent means public)",
        format: Format::Terraform,
        kinds: &["google_dns_managed_zone"],
    },
    check: dnssec_off,
    cases: &[
        Case {
            name: "public zone without dnssec_config",
            address: "google_dns_managed_zone.shop",
            expect: Expect::Violation,
            source: "resource \"google_dns_managed_zone\" \"shop\" {\n  name     = \"shop\"\n  dns_name = \"shop.example.com.\"\n}\n",
        },
        Case {
            name: "explicitly off",
            address: "google_dns_managed_zone.shop",
            expect: Expect::Violation,
            source: "resource \"google_dns_managed_zone\" \"shop\" {\n  name       = \"shop\"\n  dns_name   = \"shop.example.com.\"\n  visibility = \"public\"\n  dnssec_config {\n    state = \"off\"\n  }\n}\n",
        },
        Case {
            name: "signed",
            address: "google_dns_managed_zone.shop",
            expect: Expect::Pass,
            source: "resource \"google_dns_managed_zone\" \"shop\" {\n  name     = \"shop\"\n  dns_name = \"shop.example.com.\"\n  dnssec_config {\n    state = \"on\"\n  }\n}\n",
        },
        Case {
            name: "private zone",
            address: "google_dns_managed_zone.internal",
            expect: Expect::Pass,
            source: "resource \"google_dns_managed_zone\" \"internal\" {\n  name       = \"internal\"\n  dns_name   = \"internal.example.com.\"\n  visibility = \"private\"\n  private_visibility_config {\n    networks {\n      network_url = \"projects/p/global/networks/vpc\"\n    }\n  }\n}\n",
        },
        Case {
            name: "state from a variable without default",
            address: "google_dns_managed_zone.shop",
            expect: Expect::Undecided,
            source: "variable \"dnssec\" {}\nresource \"google_dns_managed_zone\" \"shop\" {\n  name     = \"shop\"\n  dns_name = \"shop.example.com.\"\n  dnssec_config {\n    state = var.dnssec\n  }\n}\n",
        },
    ],
};

fn dnssec_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let public = match read_str(res.attr("visibility")) {
        Read::Absent => Tri::Yes,
        Read::Known(v) => Tri::from_bool(v.trim().eq_ignore_ascii_case("public")),
        Read::Unknown => Tri::Maybe,
    };
    let state_path = SettingPath::parse("dnssec_config[0].state");
    let state = lookup(res, &state_path);
    let off = match read_str(state) {
        Read::Absent => Tri::Yes,
        Read::Known(s) => Tri::from_bool(s.trim().eq_ignore_ascii_case("off")),
        Read::Unknown => Tri::Maybe,
    };
    verdict(
        public.and(off),
        vec![ev(res, state_path), ev(res, attr_path("visibility"))],
        || {
            format!(
                "public zone without DNSSEC (dnssec_config state {})",
                show(state)
            )
        },
        Scope::default(),
        || "the zone's visibility or DNSSEC state is not known statically".into(),
    )
}
