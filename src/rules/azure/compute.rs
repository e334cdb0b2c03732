//! Managed disks and VM OS disks encrypted with platform keys only, and Linux machines that accept
//! password logins.
//!
//! Every Azure managed disk is encrypted at rest with Microsoft-managed keys; nothing is stored in
//! clear. A customer-managed key (a disk encryption set) adds control: the key can be revoked,
//! and its use is logged in the customer's Key Vault. That is a requirement of some contracts and
//! regulators, not a breach setting, so the rule is `low` and exists for the contracts that
//! require it.
//!
//! Password authentication defaults differ by resource (azurerm 3.x and 4.x):
//! `disable_password_authentication` defaults to true on `azurerm_linux_virtual_machine`,
//! `azurerm_linux_virtual_machine_scale_set` and the orchestrated scale set's
//! `os_profile.linux_configuration`; it is required in the legacy `azurerm_virtual_machine`'s
//! `os_profile_linux_config`, and defaults to false in the legacy
//! `azurerm_virtual_machine_scale_set`'s `os_profile_linux_config`, where an absent value is a
//! violation.

use crate::model::{Format, Resource, Value};
use crate::rules::helpers::{ev, flag_at, lookup, verdict, Tri};
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

/// Where a kind keeps `disable_password_authentication`: the Linux block that must be present for
/// the setting to apply (`None` for the Linux-only resources), the setting's path, and the
/// provider default.
fn password_setting(kind: &str) -> (Option<&'static str>, &'static str, bool) {
    match kind {
        "azurerm_orchestrated_virtual_machine_scale_set" => (
            Some("os_profile[0].linux_configuration"),
            "os_profile[0].linux_configuration[0].disable_password_authentication",
            true,
        ),
        // Required there: an absent value would not plan, so it is not read as a violation.
        "azurerm_virtual_machine" => (
            Some("os_profile_linux_config"),
            "os_profile_linux_config[0].disable_password_authentication",
            true,
        ),
        "azurerm_virtual_machine_scale_set" => (
            Some("os_profile_linux_config"),
            "os_profile_linux_config[0].disable_password_authentication",
            false,
        ),
        _ => (None, "disable_password_authentication", true),
    }
}

/// ## What it does
/// Flags a Linux VM or scale set that accepts password logins: `disable_password_authentication
/// = false` on `azurerm_linux_virtual_machine` and `azurerm_linux_virtual_machine_scale_set`
/// (default true), in `os_profile.linux_configuration` of an
/// `azurerm_orchestrated_virtual_machine_scale_set` (default true), or in
/// `os_profile_linux_config` of the legacy `azurerm_virtual_machine` (required) and
/// `azurerm_virtual_machine_scale_set` (default false: absent is a violation). A machine without
/// the Linux block (a Windows one) is not judged.
///
/// ## References
/// - NIST SP 800-53 rev5 IA-2, IA-5
pub const PASSWORD_AUTH: Rule = Rule {
    meta: RuleMeta {
        id: "azure-vm-password-auth",
        title: "Linux VM accepts password logins",
        severity: Severity::Medium,
        category: Category::Identity,
        standards: &["NIST 800-53 IA-2", "NIST 800-53 IA-5"],
        rationale: "With password authentication on, sshd accepts the admin password: one guessed, \
            reused or leaked password is a shell, and every address that reaches port 22 can try. \
            SSH keys cannot be guessed. The default is off (true) on the current Linux VM and \
            scale set resources, so there it is a written choice; the legacy \
            azurerm_virtual_machine_scale_set defaults to false, so an absent value allows \
            passwords.",
        remediation: "Set disable_password_authentication = true (or remove it on the current \
            resources), give the admin an admin_ssh_key, and drop admin_password.",
        evidence: "disable_password_authentication, or its os_profile_linux_config / \
            os_profile.linux_configuration path on the legacy and orchestrated resources",
        format: Format::Terraform,
        kinds: &[
            "azurerm_linux_virtual_machine",
            "azurerm_linux_virtual_machine_scale_set",
            "azurerm_orchestrated_virtual_machine_scale_set",
            "azurerm_virtual_machine",
            "azurerm_virtual_machine_scale_set",
        ],
    },
    check: password_auth,
    cases: &[
        Case {
            name: "linux vm with passwords",
            address: "azurerm_linux_virtual_machine.vm",
            expect: Expect::Violation,
            source: "resource \"azurerm_linux_virtual_machine\" \"vm\" {\n  name                            = \"vm\"\n  admin_username                  = \"azureuser\"\n  admin_password                  = \"P@ssw0rd1234!\"\n  disable_password_authentication = false\n}\n",
        },
        Case {
            name: "linux vm default",
            address: "azurerm_linux_virtual_machine.vm",
            expect: Expect::Pass,
            source: "resource \"azurerm_linux_virtual_machine\" \"vm\" {\n  name           = \"vm\"\n  admin_username = \"azureuser\"\n  admin_ssh_key {\n    username   = \"azureuser\"\n    public_key = \"ssh-ed25519 AAAA\"\n  }\n}\n",
        },
        Case {
            name: "linux vm from a variable without default",
            address: "azurerm_linux_virtual_machine.vm",
            expect: Expect::Undecided,
            source: "variable \"pw\" {}\nresource \"azurerm_linux_virtual_machine\" \"vm\" {\n  name                            = \"vm\"\n  disable_password_authentication = var.pw\n}\n",
        },
        Case {
            name: "linux scale set with passwords",
            address: "azurerm_linux_virtual_machine_scale_set.web",
            expect: Expect::Violation,
            source: "resource \"azurerm_linux_virtual_machine_scale_set\" \"web\" {\n  name                            = \"web\"\n  disable_password_authentication = false\n}\n",
        },
        Case {
            name: "legacy vm with passwords",
            address: "azurerm_virtual_machine.old",
            expect: Expect::Violation,
            source: "resource \"azurerm_virtual_machine\" \"old\" {\n  name = \"old\"\n  os_profile_linux_config {\n    disable_password_authentication = false\n  }\n}\n",
        },
        Case {
            name: "legacy windows vm",
            address: "azurerm_virtual_machine.win",
            expect: Expect::Pass,
            source: "resource \"azurerm_virtual_machine\" \"win\" {\n  name = \"win\"\n  os_profile_windows_config {\n    provision_vm_agent = true\n  }\n}\n",
        },
        Case {
            name: "legacy scale set default",
            address: "azurerm_virtual_machine_scale_set.old",
            expect: Expect::Violation,
            source: "resource \"azurerm_virtual_machine_scale_set\" \"old\" {\n  name = \"old\"\n  os_profile_linux_config {\n    ssh_keys {\n      path     = \"/home/azureuser/.ssh/authorized_keys\"\n      key_data = \"ssh-ed25519 AAAA\"\n    }\n  }\n}\n",
        },
        Case {
            name: "legacy scale set keys only",
            address: "azurerm_virtual_machine_scale_set.old",
            expect: Expect::Pass,
            source: "resource \"azurerm_virtual_machine_scale_set\" \"old\" {\n  name = \"old\"\n  os_profile_linux_config {\n    disable_password_authentication = true\n  }\n}\n",
        },
        Case {
            name: "orchestrated scale set with passwords",
            address: "azurerm_orchestrated_virtual_machine_scale_set.flex",
            expect: Expect::Violation,
            source: "resource \"azurerm_orchestrated_virtual_machine_scale_set\" \"flex\" {\n  name = \"flex\"\n  os_profile {\n    linux_configuration {\n      admin_username                  = \"azureuser\"\n      admin_password                  = \"P@ssw0rd1234!\"\n      disable_password_authentication = false\n    }\n  }\n}\n",
        },
        Case {
            name: "orchestrated linux default",
            address: "azurerm_orchestrated_virtual_machine_scale_set.flex",
            expect: Expect::Pass,
            source: "resource \"azurerm_orchestrated_virtual_machine_scale_set\" \"flex\" {\n  name = \"flex\"\n  os_profile {\n    linux_configuration {\n      admin_username = \"azureuser\"\n    }\n  }\n}\n",
        },
        Case {
            name: "legacy linux block from a dynamic block over a variable",
            address: "azurerm_virtual_machine_scale_set.old",
            expect: Expect::Undecided,
            source: "variable \"linux\" {}\nresource \"azurerm_virtual_machine_scale_set\" \"old\" {\n  name = \"old\"\n  dynamic \"os_profile_linux_config\" {\n    for_each = var.linux\n    content {\n      disable_password_authentication = true\n    }\n  }\n}\n",
        },
    ],
};

fn password_auth(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let (block, path, default) = password_setting(&res.kind);
    if let Some(block) = block {
        let b = lookup(res, &crate::model::SettingPath::parse(block));
        let empty = match b {
            None | Some(Value::Null) => true,
            Some(Value::List(l)) => l.is_empty(),
            _ => false,
        };
        if empty {
            return Verdict::Pass;
        }
    }
    flag_at(res, path, default, false, "password authentication allowed")
}
