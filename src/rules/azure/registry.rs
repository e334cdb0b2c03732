//! Container registries whose admin user is enabled.
//!
//! Default (azurerm 3.x and 4.x): `admin_enabled` false, so only a written `true` is a violation.

use crate::model::{Format, Resource};
use crate::rules::helpers::flag_at;
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `azurerm_container_registry` with `admin_enabled = true` (default false).
///
/// ## References
/// - NIST SP 800-53 rev5 IA-2, AC-6
pub const ADMIN_ENABLED: Rule = Rule {
    meta: RuleMeta {
        id: "azure-acr-admin-enabled",
        title: "Container registry admin user is enabled",
        severity: Severity::Medium,
        category: Category::Identity,
        standards: &["NIST 800-53 IA-2", "NIST 800-53 AC-6"],
        rationale: "The admin user is one shared username and password with push and pull on \
            every repository: whoever reads it (a pipeline variable, a kubeconfig secret) can \
            replace images that clusters then run, and its use names no person. The azurerm \
            3.x/4.x default is false, so this is a written choice.",
        remediation: "Set admin_enabled = false (or remove it) and grant AcrPull/AcrPush to \
            managed identities or service principals, or use repository-scoped tokens.",
        evidence: "admin_enabled (absent means false)",
        format: Format::Terraform,
        kinds: &["azurerm_container_registry"],
    },
    check: admin_enabled,
    cases: &[
        Case {
            name: "admin user on",
            address: "azurerm_container_registry.acr",
            expect: Expect::Violation,
            source: "resource \"azurerm_container_registry\" \"acr\" {\n  name          = \"contosoacr\"\n  sku           = \"Standard\"\n  admin_enabled = true\n}\n",
        },
        Case {
            name: "default",
            address: "azurerm_container_registry.acr",
            expect: Expect::Pass,
            source: "resource \"azurerm_container_registry\" \"acr\" {\n  name = \"contosoacr\"\n  sku  = \"Standard\"\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_container_registry.acr",
            expect: Expect::Undecided,
            source: "variable \"admin\" {}\nresource \"azurerm_container_registry\" \"acr\" {\n  name          = \"contosoacr\"\n  admin_enabled = var.admin\n}\n",
        },
    ],
};

fn admin_enabled(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(
        res,
        "admin_enabled",
        false,
        true,
        "registry admin user enabled",
    )
}
