//! Key Vault: vaults whose deleted keys and secrets can be purged at once, and vaults reachable
//! from every network.
//!
//! Defaults (azurerm 3.x and 4.x): `purge_protection_enabled` false; without a `network_acls`
//! block, and with `public_network_access_enabled` at its default true, the vault accepts
//! requests from any network. Both absences are violations.

use crate::model::{Format, Resource, SettingPath};
use crate::rules::helpers::{bool_is, ev, flag_at, lookup, read_str, show, verdict, Read, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `azurerm_key_vault` with `purge_protection_enabled` false or absent (default false).
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v2.0, 8.5
/// - NIST SP 800-53 rev5 CP-9, SC-12
pub const PURGE_PROTECTION_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "azure-keyvault-purge-protection-off",
        title: "Key Vault can be purged without waiting",
        severity: Severity::Medium,
        category: Category::Secrets,
        standards: &["CIS Azure 8.5", "NIST 800-53 CP-9", "NIST 800-53 SC-12"],
        rationale: "Without purge protection a compromised or careless administrator can delete \
            and purge keys at once, making everything encrypted under them unrecoverable \
            (a ransom technique). The provider default is off.",
        remediation: "Set purge_protection_enabled = true (it cannot be turned off again).",
        evidence: "purge_protection_enabled (absent means false)",
        format: Format::Terraform,
        kinds: &["azurerm_key_vault"],
    },
    check: purge_protection_off,
    cases: &[
        Case {
            name: "default",
            address: "azurerm_key_vault.kv",
            expect: Expect::Violation,
            source: "resource \"azurerm_key_vault\" \"kv\" {\n  name     = \"kv\"\n  sku_name = \"standard\"\n}\n",
        },
        Case {
            name: "on",
            address: "azurerm_key_vault.kv",
            expect: Expect::Pass,
            source: "resource \"azurerm_key_vault\" \"kv\" {\n  name                     = \"kv\"\n  sku_name                 = \"standard\"\n  purge_protection_enabled = true\n}\n",
        },
    ],
};

fn purge_protection_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(
        res,
        "purge_protection_enabled",
        false,
        false,
        "purge protection off",
    )
}

/// ## What it does
/// Flags an `azurerm_key_vault` that accepts requests from every network: public network access
/// on (default) and either no `network_acls` block or `network_acls.default_action = "Allow"`.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7, AC-3
pub const NETWORK_OPEN: Rule = Rule {
    meta: RuleMeta {
        id: "azure-keyvault-network-open",
        title: "Key Vault accepts requests from every network",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "A vault open to every network can be reached with a stolen token from \
            anywhere; network rules make a leaked credential useless outside known networks. \
            Without network_acls the provider default admits all networks.",
        remediation: "Add network_acls { default_action = \"Deny\", bypass = \"AzureServices\" } \
            with the allowed subnets and addresses, or set public_network_access_enabled = false \
            and use a private endpoint.",
        evidence: "public_network_access_enabled, network_acls[0].default_action",
        format: Format::Terraform,
        kinds: &["azurerm_key_vault"],
    },
    check: network_open,
    cases: &[
        Case {
            name: "no network rules",
            address: "azurerm_key_vault.kv",
            expect: Expect::Violation,
            source: "resource \"azurerm_key_vault\" \"kv\" {\n  name     = \"kv\"\n  sku_name = \"standard\"\n}\n",
        },
        Case {
            name: "default action allow",
            address: "azurerm_key_vault.kv",
            expect: Expect::Violation,
            source: "resource \"azurerm_key_vault\" \"kv\" {\n  name     = \"kv\"\n  sku_name = \"standard\"\n  network_acls {\n    default_action = \"Allow\"\n    bypass         = \"AzureServices\"\n  }\n}\n",
        },
        Case {
            name: "default action deny",
            address: "azurerm_key_vault.kv",
            expect: Expect::Pass,
            source: "resource \"azurerm_key_vault\" \"kv\" {\n  name     = \"kv\"\n  sku_name = \"standard\"\n  network_acls {\n    default_action = \"Deny\"\n    bypass         = \"AzureServices\"\n    ip_rules       = [\"203.0.113.0/24\"]\n  }\n}\n",
        },
        Case {
            name: "private only",
            address: "azurerm_key_vault.kv",
            expect: Expect::Pass,
            source: "resource \"azurerm_key_vault\" \"kv\" {\n  name                          = \"kv\"\n  sku_name                      = \"standard\"\n  public_network_access_enabled = false\n}\n",
        },
        Case {
            name: "default action from a variable without default",
            address: "azurerm_key_vault.kv",
            expect: Expect::Undecided,
            source: "variable \"a\" {}\nresource \"azurerm_key_vault\" \"kv\" {\n  name     = \"kv\"\n  sku_name = \"standard\"\n  network_acls {\n    default_action = var.a\n    bypass         = \"None\"\n  }\n}\n",
        },
    ],
};

fn network_open(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let public = bool_is(res.attr("public_network_access_enabled"), true, true);
    let p = SettingPath::parse("network_acls[0].default_action");
    let v = lookup(res, &p);
    let allow = match read_str(v) {
        Read::Absent => Tri::Yes,
        Read::Known(a) => Tri::from_bool(a.trim().eq_ignore_ascii_case("allow")),
        Read::Unknown => Tri::Maybe,
    };
    verdict(
        public.and(allow),
        vec![
            ev(res, SettingPath::parse("public_network_access_enabled")),
            ev(res, p.clone()),
        ],
        || format!("vault open to every network ({p}: {})", show(v)),
        Scope::default(),
        || "public network access or the network rules are not known statically".into(),
    )
}
