//! Managed disks and VM OS disks encrypted with platform keys only.
//!
//! Every Azure managed disk is encrypted at rest with Microsoft-managed keys; nothing is stored in
//! clear. A customer-managed key (a disk encryption set) adds control: the key can be revoked,
//! and its use is logged in the customer's Key Vault. That is a requirement of some contracts and
//! regulators, not a breach setting, so the rule is `low` and exists for the contracts that
//! require it.

use crate::model::{Format, Resource, Value};
use crate::rules::helpers::{ev, lookup, verdict, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `azurerm_managed_disk` without `disk_encryption_set_id`, or an
/// `azurerm_linux_virtual_machine` / `azurerm_windows_virtual_machine` whose `os_disk` has none.
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v2.0, 7.3
/// - NIST SP 800-53 rev5 SC-12, SC-28
pub const DISK_NO_CMK: Rule = Rule {
    meta: RuleMeta {
        id: "azure-disk-no-customer-key",
        title: "Managed disk is not encrypted with a customer-managed key",
        severity: Severity::Low,
        category: Category::Encryption,
        standards: &["CIS Azure 7.3", "NIST 800-53 SC-12", "NIST 800-53 SC-28"],
        rationale: "The disk is encrypted with platform keys only: the data is not in clear, but \
            the customer cannot revoke the key or audit its use. Low severity; it matters where a \
            contract or regulator requires customer-managed keys.",
        remediation: "Create an azurerm_disk_encryption_set over a Key Vault key and set \
            disk_encryption_set_id on the disk (os_disk of a VM).",
        evidence: "disk_encryption_set_id, or os_disk[0].disk_encryption_set_id",
        format: Format::Terraform,
        kinds: &[
            "azurerm_linux_virtual_machine",
            "azurerm_managed_disk",
            "azurerm_windows_virtual_machine",
        ],
    },
    check: disk_no_cmk,
    cases: &[
        Case {
            name: "platform key disk",
            address: "azurerm_managed_disk.data",
            expect: Expect::Violation,
            source: "resource \"azurerm_managed_disk\" \"data\" {\n  name                 = \"data\"\n  storage_account_type = \"Premium_LRS\"\n  create_option        = \"Empty\"\n  disk_size_gb         = 128\n}\n",
        },
        Case {
            name: "vm os disk with encryption set",
            address: "azurerm_linux_virtual_machine.vm",
            expect: Expect::Pass,
            source: "resource \"azurerm_linux_virtual_machine\" \"vm\" {\n  name = \"vm\"\n  os_disk {\n    caching                = \"ReadWrite\"\n    storage_account_type   = \"Premium_LRS\"\n    disk_encryption_set_id = \"des-id\"\n  }\n}\n",
        },
        Case {
            name: "os disk from a dynamic block over a variable",
            address: "azurerm_linux_virtual_machine.vm",
            expect: Expect::Undecided,
            source: "variable \"disks\" {}\nresource \"azurerm_linux_virtual_machine\" \"vm\" {\n  name = \"vm\"\n  dynamic \"os_disk\" {\n    for_each = var.disks\n    content {\n      caching = \"ReadWrite\"\n    }\n  }\n}\n",
        },
    ],
};

fn disk_no_cmk(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let path = crate::model::SettingPath::parse(if res.kind == "azurerm_managed_disk" {
        "disk_encryption_set_id"
    } else {
        "os_disk[0].disk_encryption_set_id"
    });
    // Any written key id, known or not, is a customer key; only an absent one is judged, and an
    // os_disk that is itself not known statically is undecided.
    let t = match lookup(res, &path) {
        None | Some(Value::Null) => Tri::Yes,
        Some(Value::Unknown(_)) if res.kind != "azurerm_managed_disk" => {
            match res.attr("os_disk") {
                Some(Value::Unknown(_) | Value::Ref(_)) => Tri::Maybe,
                Some(Value::List(l)) if l.iter().any(Value::is_unknown) => Tri::Maybe,
                _ => Tri::No,
            }
        }
        Some(_) => Tri::No,
    };
    verdict(
        t,
        vec![ev(res, path.clone())],
        || format!("{path} absent: platform-managed keys only"),
        Scope::default(),
        || "the disk's settings are not known statically".into(),
    )
}
