//! GKE: legacy ABAC, legacy authentication (basic auth, client certificates), a control plane
//! reachable from every address, nodes with public IPs, and node pools that serve the legacy
//! (v0.1/v1beta1) metadata endpoints.
//!
//! Defaults (google provider 5.x/6.x, GKE 1.12 and later): `enable_legacy_abac` false; basic auth
//! and client certificate issuance off; no `master_authorized_networks_config` means every address
//! may reach the public endpoint; no `private_cluster_config.enable_private_nodes` means nodes get
//! public IPs; the node metadata `disable-legacy-endpoints` is "true", so only a written "false" is
//! judged.

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

/// ## What it does
/// Flags a `google_container_cluster` whose `master_auth` turns on a legacy authentication
/// method: basic auth (a non-empty `username` or `password`, provider 3.x and older; GKE removed
/// basic auth in 1.19) or a client certificate (`client_certificate_config.issue_client_certificate
/// = true`). Both are off by default since GKE 1.12, so an absent `master_auth` passes.
///
/// ## References
/// - CIS Google Kubernetes Engine (GKE) Benchmark v1.1.0, 5.8.1 and 5.8.2
/// - NIST SP 800-53 rev5 IA-2, IA-5
pub const LEGACY_AUTH: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-gke-legacy-auth",
        title: "GKE cluster accepts basic auth or client certificates",
        severity: Severity::High,
        category: Category::Identity,
        standards: &[
            "CIS GKE 5.8.1",
            "CIS GKE 5.8.2",
            "NIST 800-53 IA-2",
            "NIST 800-53 IA-5",
        ],
        rationale: "A static password or an issued client certificate authenticates to the \
            Kubernetes API as a cluster administrator outside IAM: it cannot be revoked (a \
            certificate) or is a shared secret kept in Terraform state (a password), and it \
            keeps working for whoever copied it. Both are off by default (GKE 1.12 and later); \
            only a written value is judged.",
        remediation: "Remove username and password from master_auth and set \
            client_certificate_config { issue_client_certificate = false }; authenticate with \
            IAM (gcloud) instead. An issued certificate can only be dropped by recreating the \
            cluster.",
        evidence: "master_auth[0].username, master_auth[0].password and \
            master_auth[0].client_certificate_config[0].issue_client_certificate",
        format: Format::Terraform,
        kinds: &["google_container_cluster"],
    },
    check: legacy_auth,
    cases: &[
        Case {
            name: "client certificate issued",
            address: "google_container_cluster.k",
            expect: Expect::Violation,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  master_auth {\n    client_certificate_config {\n      issue_client_certificate = true\n    }\n  }\n}\n",
        },
        Case {
            name: "basic auth",
            address: "google_container_cluster.k",
            expect: Expect::Violation,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  master_auth {\n    username = \"admin\"\n    password = \"correct-horse-battery-staple\"\n    client_certificate_config {\n      issue_client_certificate = false\n    }\n  }\n}\n",
        },
        Case {
            name: "default",
            address: "google_container_cluster.k",
            expect: Expect::Pass,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n}\n",
        },
        Case {
            name: "basic auth disabled with empty strings",
            address: "google_container_cluster.k",
            expect: Expect::Pass,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  master_auth {\n    username = \"\"\n    password = \"\"\n    client_certificate_config {\n      issue_client_certificate = false\n    }\n  }\n}\n",
        },
        Case {
            name: "certificate from a variable without default",
            address: "google_container_cluster.k",
            expect: Expect::Undecided,
            source: "variable \"cert\" {}\nresource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  master_auth {\n    client_certificate_config {\n      issue_client_certificate = var.cert\n    }\n  }\n}\n",
        },
        Case {
            name: "master_auth from a dynamic block over a variable without default",
            address: "google_container_cluster.k",
            expect: Expect::Undecided,
            source: r#"
variable "auth" {}

resource "google_container_cluster" "k" {
  name = "k"
  dynamic "master_auth" {
    for_each = var.auth
    content {
      username = master_auth.value.username
      password = master_auth.value.password
    }
  }
}
"#,
        },
    ],
};

fn legacy_auth(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let user = SettingPath::parse("master_auth[0].username");
    let password = SettingPath::parse("master_auth[0].password");
    let cert =
        SettingPath::parse("master_auth[0].client_certificate_config[0].issue_client_certificate");
    // An empty username and password is how provider 2.x/3.x configurations turned basic auth off.
    let written = |p: &SettingPath| match read_str(lookup(res, p)) {
        Read::Known(s) => Tri::from_bool(!s.trim().is_empty()),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    let basic = written(&user).or(written(&password));
    let issued = bool_is(lookup(res, &cert), false, true);
    verdict(
        basic.or(issued),
        vec![ev(res, user), ev(res, password), ev(res, cert)],
        || match (basic, issued) {
            (Tri::Yes, Tri::Yes) => "basic auth and client certificate issuance on".into(),
            (Tri::Yes, _) => "basic auth on (master_auth username/password set)".into(),
            _ => "client certificate issued (issue_client_certificate = true)".into(),
        },
        Scope::default(),
        || "master_auth is not known statically".into(),
    )
}

/// ## What it does
/// Flags a `google_container_cluster` without `private_cluster_config { enable_private_nodes =
/// true }`: its nodes get external IP addresses (the default).
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7
pub const PRIVATE_NODES_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-gke-private-nodes-off",
        title: "GKE nodes have public IP addresses",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7"],
        rationale: "Nodes with external IPs are reachable from the internet wherever a firewall \
            rule, a NodePort or a host port lets traffic through, and they reach the internet \
            without a NAT that could be controlled. Nodes are public by default: without \
            private_cluster_config.enable_private_nodes = true (absent means false) the \
            cluster's node pools get external IPs. A node pool's own network_config can override \
            the cluster's setting; that is not weighed here.",
        remediation: "Set private_cluster_config { enable_private_nodes = true } (with a \
            master_ipv4_cidr_block) and give the nodes egress through Cloud NAT. Changing it \
            recreates the cluster.",
        evidence: "private_cluster_config[0].enable_private_nodes (absent means false)",
        format: Format::Terraform,
        kinds: &["google_container_cluster"],
    },
    check: private_nodes_off,
    cases: &[
        Case {
            name: "default",
            address: "google_container_cluster.k",
            expect: Expect::Violation,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n}\n",
        },
        Case {
            name: "private cluster config without private nodes",
            address: "google_container_cluster.k",
            expect: Expect::Violation,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  private_cluster_config {\n    enable_private_endpoint = false\n  }\n}\n",
        },
        Case {
            name: "private nodes",
            address: "google_container_cluster.k",
            expect: Expect::Pass,
            source: "resource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  private_cluster_config {\n    enable_private_nodes    = true\n    enable_private_endpoint = false\n    master_ipv4_cidr_block  = \"172.16.0.0/28\"\n  }\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "google_container_cluster.k",
            expect: Expect::Undecided,
            source: "variable \"private\" {}\nresource \"google_container_cluster\" \"k\" {\n  name = \"k\"\n  private_cluster_config {\n    enable_private_nodes = var.private\n  }\n}\n",
        },
        Case {
            name: "private cluster config from a dynamic block over a variable without default",
            address: "google_container_cluster.k",
            expect: Expect::Undecided,
            source: r#"
variable "private" {}

resource "google_container_cluster" "k" {
  name = "k"
  dynamic "private_cluster_config" {
    for_each = var.private ? [1] : []
    content {
      enable_private_nodes = true
    }
  }
}
"#,
        },
    ],
};

fn private_nodes_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(
        res,
        "private_cluster_config[0].enable_private_nodes",
        false,
        false,
        "nodes get public IPs",
    )
}
