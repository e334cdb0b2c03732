//! GKE: legacy ABAC, a control plane reachable from every address, and node pools that serve the
//! legacy (v0.1/v1beta1) metadata endpoints.
//!
//! Defaults (google provider 5.x/6.x, GKE 1.12 and later): `enable_legacy_abac` false; no
//! `master_authorized_networks_config` means every address may reach the public endpoint; the
//! node metadata `disable-legacy-endpoints` is "true", so only a written "false" is judged.

use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::helpers::{
    any_string, bool_is, ev, flag_at, internet_nets, is_world_str, lookup, read_str, verdict, Read,
    Tri,
};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// ## What it does
/// Flags a `google_container_cluster` with `enable_legacy_abac = true`.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-6
pub const LEGACY_ABAC: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-gke-legacy-abac",
        title: "GKE cluster uses legacy ABAC",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-6"],
        rationale: "Legacy ABAC grants broad static permissions (service accounts with cluster \
            admin-like rights) that RBAC cannot narrow.",
        remediation: "Set enable_legacy_abac = false (the default) and grant with RBAC.",
        evidence: "enable_legacy_abac",
        format: Format::Terraform,
        kinds: &["google_container_cluster"],
    },
    check: legacy_abac,
    cases: &[
        Case {
            name: "abac on",
            address: "google_container_cluster.k",
            expect: Expect::Violation,
            source: "resource \"google_container_cluster\" \"k\" {\n  name               = \"k\"\n  enable_legacy_abac = true\n}\n",
        },
        Case {
            name: "default",
            address: "google_container_cluster.k",
            expect: Expect::Pass,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n}\n",
        },
    ],
};

fn legacy_abac(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(res, "enable_legacy_abac", false, true, "legacy ABAC on")
}

/// ## What it does
/// Flags a `google_container_cluster` whose control plane has a public endpoint
/// (`private_cluster_config.enable_private_endpoint` not true) and admits every address: no
/// `master_authorized_networks_config`, or one whose `cidr_blocks` include 0.0.0.0/0.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7, AC-3
pub const PUBLIC_ENDPOINT: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-gke-public-endpoint",
        title: "GKE control plane is open to the internet",
        severity: Severity::High,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "Without master authorized networks the Kubernetes API answers every address: \
            a leaked credential or an API server vulnerability is usable from anywhere.",
        remediation: "Add master_authorized_networks_config with the admin networks, or set \
            private_cluster_config { enable_private_endpoint = true }.",
        evidence: "private_cluster_config[0].enable_private_endpoint, \
            master_authorized_networks_config (absent) or its cidr_blocks",
        format: Format::Terraform,
        kinds: &["google_container_cluster"],
    },
    check: public_endpoint,
    cases: &[
        Case {
            name: "no authorized networks",
            address: "google_container_cluster.k",
            expect: Expect::Violation,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n}\n",
        },
        Case {
            name: "authorized everyone",
            address: "google_container_cluster.k",
            expect: Expect::Violation,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  master_authorized_networks_config {\n    cidr_blocks {\n      cidr_block   = \"0.0.0.0/0\"\n      display_name = \"all\"\n    }\n  }\n}\n",
        },
        Case {
            name: "office only",
            address: "google_container_cluster.k",
            expect: Expect::Pass,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  master_authorized_networks_config {\n    cidr_blocks {\n      cidr_block   = \"203.0.113.0/24\"\n      display_name = \"office\"\n    }\n  }\n}\n",
        },
        Case {
            name: "private endpoint",
            address: "google_container_cluster.k",
            expect: Expect::Pass,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  private_cluster_config {\n    enable_private_nodes    = true\n    enable_private_endpoint = true\n  }\n}\n",
        },
        Case {
            name: "authorized block from a variable without default",
            address: "google_container_cluster.k",
            expect: Expect::Undecided,
            source: "variable \"c\" {}\nresource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  master_authorized_networks_config {\n    cidr_blocks {\n      cidr_block = var.c\n    }\n  }\n}\n",
        },
    ],
};

fn public_endpoint(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let private_path = SettingPath::parse("private_cluster_config[0].enable_private_endpoint");
    let public = bool_is(lookup(res, &private_path), false, false);
    let man = SettingPath::parse("master_authorized_networks_config");
    let (open, at) = match lookup(res, &man) {
        None | Some(Value::Null) => (Tri::Yes, man),
        Some(Value::Unknown(_) | Value::Ref(_)) => (Tri::Maybe, man),
        Some(_) => {
            let blocks = crate::model::blocks_of(
                &res.body,
                &SettingPath::root(),
                "master_authorized_networks_config",
            );
            let mut t = Tri::No;
            for (path, block) in blocks {
                for (_, c) in crate::model::blocks_of(block, &path, "cidr_blocks") {
                    let v = c.get_path(&SettingPath::root().key("cidr_block"));
                    t = t.or(any_string(v, is_world_str).0);
                }
                if !crate::rules::helpers::unknown_blocks(block, &path, "cidr_blocks").is_empty() {
                    t = t.or(Tri::Maybe);
                }
            }
            (t, man)
        }
    };
    verdict(
        public.and(open),
        vec![ev(res, private_path), ev(res, at)],
        || "public control plane endpoint admits every address".into(),
        Scope {
            networks: internet_nets(),
            ..Scope::default()
        },
        || "the private endpoint or authorized networks are not known statically".into(),
    )
}

/// ## What it does
/// Flags a `google_container_cluster` or `google_container_node_pool` whose `node_config`
/// metadata sets `disable-legacy-endpoints` to "false".
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, SC-7
pub const LEGACY_METADATA: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-gke-legacy-metadata",
        title: "GKE nodes serve the legacy metadata endpoints",
        severity: Severity::Medium,
        category: Category::Compute,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 SC-7"],
        rationale: "The legacy metadata endpoints answer without the Metadata-Flavor header, so \
            a server-side request forgery in any pod can read the node's service account token \
            and kubelet credentials. Disabled by default since GKE 1.12; this is a written choice.",
        remediation: "Remove the metadata entry or set it to \"true\", and enable Workload \
            Identity (workload_metadata_config { mode = \"GKE_METADATA\" }).",
        evidence: "node_config[0].metadata[\"disable-legacy-endpoints\"]",
        format: Format::Terraform,
        kinds: &["google_container_cluster", "google_container_node_pool"],
    },
    check: legacy_metadata,
    cases: &[
        Case {
            name: "legacy endpoints on a node pool",
            address: "google_container_node_pool.p",
            expect: Expect::Violation,
            source: "resource \"google_container_node_pool\" \"p\" {\n  name    = \"p\"\n  cluster = \"k\"\n  node_config {\n    metadata = {\n      disable-legacy-endpoints = \"false\"\n    }\n  }\n}\n",
        },
        Case {
            name: "disabled",
            address: "google_container_node_pool.p",
            expect: Expect::Pass,
            source: "resource \"google_container_node_pool\" \"p\" {\n  name    = \"p\"\n  cluster = \"k\"\n  node_config {\n    metadata = {\n      disable-legacy-endpoints = \"true\"\n    }\n  }\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "google_container_cluster.k",
            expect: Expect::Undecided,
            source: "variable \"d\" {}\nresource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  node_config {\n    metadata = {\n      disable-legacy-endpoints = var.d\n    }\n  }\n}\n",
        },
    ],
};

/// A metadata value that means false (`"false"`, `"FALSE"`, `"0"`), as GCE reads booleans.
pub fn metadata_false(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "false" | "0" | "no" | "off"
    )
}

/// A metadata value that means true.
pub fn metadata_true(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "on"
    )
}

fn legacy_metadata(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let path = SettingPath::parse("node_config[0].metadata").key("disable-legacy-endpoints");
    let v = lookup(res, &path);
    let t = match read_str(v) {
        Read::Known(s) => Tri::from_bool(metadata_false(&s)),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    verdict(
        t,
        vec![ev(res, path)],
        || "disable-legacy-endpoints = false".into(),
        Scope::default(),
        || "disable-legacy-endpoints is not known statically".into(),
    )
}
