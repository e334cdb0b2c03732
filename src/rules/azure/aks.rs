//! AKS: an API server reachable from the whole internet, clusters without Kubernetes RBAC, and
//! clusters that keep their local admin accounts.
//!
//! Defaults (azurerm 3.x and 4.x): `private_cluster_enabled` false (a public API server);
//! authorized IP ranges none (every address); `role_based_access_control_enabled` true;
//! `local_account_disabled` false (the local `clusterAdmin` credential can be downloaded). The
//! authorized ranges moved from `api_server_authorized_ip_ranges` (3.x, removed in 4.0) to
//! `api_server_access_profile.authorized_ip_ranges`; both are read.

use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::helpers::{
    any_string, bool_is, ev, flag_at, internet_nets, is_world_str, lookup, verdict, Tri,
};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `azurerm_kubernetes_cluster` that is not private and whose API server admits every
/// address: no authorized IP ranges, or a range of the whole space.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7, AC-3
pub const API_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "azure-aks-api-public",
        title: "AKS API server is open to the internet",
        severity: Severity::High,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "An API server reachable from every address is exposed to credential attacks \
            and to every Kubernetes API vulnerability; one leaked kubeconfig is enough from \
            anywhere. AKS clusters are public with no authorized ranges unless told otherwise.",
        remediation: "Set private_cluster_enabled = true, or list the admin networks in \
            api_server_access_profile { authorized_ip_ranges = [...] }.",
        evidence: "private_cluster_enabled, and api_server_access_profile[0].authorized_ip_ranges \
            or api_server_authorized_ip_ranges",
        format: Format::Terraform,
        kinds: &["azurerm_kubernetes_cluster"],
    },
    check: api_public,
    cases: &[
        Case {
            name: "public without ranges",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Violation,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name       = \"k\"\n  dns_prefix = \"k\"\n}\n",
        },
        Case {
            name: "public with the whole space authorized",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Violation,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name       = \"k\"\n  dns_prefix = \"k\"\n  api_server_access_profile {\n    authorized_ip_ranges = [\"0.0.0.0/0\"]\n  }\n}\n",
        },
        Case {
            name: "authorized office range",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Pass,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name       = \"k\"\n  dns_prefix = \"k\"\n  api_server_access_profile {\n    authorized_ip_ranges = [\"203.0.113.0/24\"]\n  }\n}\n",
        },
        Case {
            name: "3.x authorized ranges",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Pass,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name                            = \"k\"\n  dns_prefix                      = \"k\"\n  api_server_authorized_ip_ranges = [\"203.0.113.0/24\"]\n}\n",
        },
        Case {
            name: "private cluster",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Pass,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name                    = \"k\"\n  dns_prefix              = \"k\"\n  private_cluster_enabled = true\n}\n",
        },
        Case {
            name: "ranges from a variable without default",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Undecided,
            source: "variable \"r\" {}\nresource \"azurerm_kubernetes_cluster\" \"k\" {\n  name       = \"k\"\n  dns_prefix = \"k\"\n  api_server_access_profile {\n    authorized_ip_ranges = var.r\n  }\n}\n",
        },
    ],
};

fn api_public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let public = bool_is(res.attr("private_cluster_enabled"), false, false);
    let new = SettingPath::parse("api_server_access_profile[0].authorized_ip_ranges");
    let old = SettingPath::parse("api_server_authorized_ip_ranges");
    let (path, v) = match lookup(res, &new) {
        Some(v) => (new, Some(v)),
        None => (old.clone(), lookup(res, &old)),
    };
    let (world_t, world) = any_string(v, is_world_str);
    let empty = match v {
        None | Some(Value::Null) => true,
        Some(Value::List(l)) => l.is_empty(),
        _ => false,
    };
    let open = world_t.or(Tri::from_bool(empty));
    let networks = internet_nets();
    verdict(
        public.and(open),
        vec![
            ev(res, SettingPath::parse("private_cluster_enabled")),
            ev(res, path.clone()),
        ],
        || {
            if empty {
                format!("public API server with no authorized ranges ({path} absent)")
            } else {
                format!("public API server authorizes {}", world.join(", "))
            }
        },
        Scope {
            networks,
            ..Scope::default()
        },
        || "private_cluster_enabled or the authorized ranges are not known statically".into(),
    )
}

/// ## What it does
/// Flags an `azurerm_kubernetes_cluster` with `role_based_access_control_enabled = false`
/// (default true in azurerm 3.x/4.x), or the 2.x block `role_based_access_control { enabled =
/// false }`.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-6
pub const RBAC_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "azure-aks-rbac-off",
        title: "AKS cluster has Kubernetes RBAC turned off",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-6"],
        rationale: "Without RBAC every authenticated identity is effectively cluster \
            administrator: any pod's service account token reads every secret.",
        remediation: "Set role_based_access_control_enabled = true (a new cluster is needed) and \
            grant roles with Entra ID integration.",
        evidence: "role_based_access_control_enabled, or role_based_access_control[0].enabled",
        format: Format::Terraform,
        kinds: &["azurerm_kubernetes_cluster"],
    },
    check: rbac_off,
    cases: &[
        Case {
            name: "rbac off",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Violation,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name                              = \"k\"\n  role_based_access_control_enabled = false\n}\n",
        },
        Case {
            name: "2.x block off",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Violation,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name = \"k\"\n  role_based_access_control {\n    enabled = false\n  }\n}\n",
        },
        Case {
            name: "default",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Pass,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name = \"k\"\n}\n",
        },
    ],
};

fn rbac_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    if res.attr("role_based_access_control").is_some() {
        return flag_at(
            res,
            "role_based_access_control[0].enabled",
            true,
            false,
            "Kubernetes RBAC off",
        );
    }
    flag_at(
        res,
        "role_based_access_control_enabled",
        true,
        false,
        "Kubernetes RBAC off",
    )
}

/// ## What it does
/// Flags an `azurerm_kubernetes_cluster` whose local accounts are enabled:
/// `local_account_disabled` false or absent (azurerm 3.x/4.x: optional, no default, so false).
///
/// ## References
/// - NIST SP 800-53 rev5 IA-2, AC-2
pub const LOCAL_ACCOUNTS_ENABLED: Rule = Rule {
    meta: RuleMeta {
        id: "azure-aks-local-accounts-enabled",
        title: "AKS cluster keeps its local admin account",
        severity: Severity::Medium,
        category: Category::Identity,
        standards: &["NIST 800-53 IA-2", "NIST 800-53 AC-2"],
        rationale: "With local accounts on, anyone allowed to list the cluster's admin \
            credentials (listClusterAdminCredential) gets a static cluster-admin kubeconfig that \
            bypasses Entra ID, its Conditional Access and its sign-in logs, and that stays valid \
            until the certificates are rotated. azurerm sends false when local_account_disabled \
            is absent, so a cluster that does not set it to true keeps them.",
        remediation: "Integrate Entra ID (azure_active_directory_role_based_access_control with \
            azure_rbac_enabled or admin groups), then set local_account_disabled = true.",
        evidence: "local_account_disabled (absent means false)",
        format: Format::Terraform,
        kinds: &["azurerm_kubernetes_cluster"],
    },
    check: local_accounts_enabled,
    cases: &[
        Case {
            name: "provider default",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Violation,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name       = \"k\"\n  dns_prefix = \"k\"\n}\n",
        },
        Case {
            name: "written false",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Violation,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name                   = \"k\"\n  local_account_disabled = false\n}\n",
        },
        Case {
            name: "local accounts disabled",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Pass,
            source: "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name                   = \"k\"\n  dns_prefix             = \"k\"\n  local_account_disabled = true\n  azure_active_directory_role_based_access_control {\n    azure_rbac_enabled = true\n  }\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_kubernetes_cluster.k",
            expect: Expect::Undecided,
            source: "variable \"local\" {}\nresource \"azurerm_kubernetes_cluster\" \"k\" {\n  name                   = \"k\"\n  local_account_disabled = var.local\n}\n",
        },
    ],
};

fn local_accounts_enabled(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(
        res,
        "local_account_disabled",
        false,
        false,
        "local accounts enabled",
    )
}
