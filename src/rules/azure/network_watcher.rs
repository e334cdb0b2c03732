//! Network Watcher: flow logs that are switched off.
//!
//! `enabled` is required on `azurerm_network_watcher_flow_log` (azurerm 3.x and 4.x), so only a
//! written `false` is a violation; an absent value would not plan and is not read as off. The
//! `retention_policy` is not judged: retention disabled keeps the records indefinitely, which is
//! not a loss of evidence.

use crate::model::{Format, Resource};
use crate::rules::helpers::flag_at;
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `azurerm_network_watcher_flow_log` with `enabled = false`. `enabled` is required, so
/// an absent value (a configuration that would not plan) passes.
///
/// ## References
/// - NIST SP 800-53 rev5 AU-12, SI-4
pub const FLOW_LOG_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "azure-nsg-flow-log-off",
        title: "NSG flow log is switched off",
        severity: Severity::Low,
        category: Category::Logging,
        standards: &["NIST 800-53 AU-12", "NIST 800-53 SI-4"],
        rationale: "While the flow log is off there is no record of which addresses talked to \
            the network security group's (or virtual network's) machines: exfiltration and \
            lateral movement in that window leave no network trace. enabled is required by \
            azurerm, so only a written false is judged; an absent value is read as on.",
        remediation: "Set enabled = true on the flow log.",
        evidence: "enabled",
        format: Format::Terraform,
        kinds: &["azurerm_network_watcher_flow_log"],
    },
    check: flow_log_off,
    cases: &[
        Case {
            name: "switched off",
            address: "azurerm_network_watcher_flow_log.nsg",
            expect: Expect::Violation,
            source: "resource \"azurerm_network_watcher_flow_log\" \"nsg\" {\n  name                 = \"nsg\"\n  network_watcher_name = \"nw\"\n  resource_group_name  = \"rg\"\n  target_resource_id   = \"nsg-id\"\n  storage_account_id   = \"sa-id\"\n  enabled              = false\n  retention_policy {\n    enabled = true\n    days    = 90\n  }\n}\n",
        },
        Case {
            name: "on",
            address: "azurerm_network_watcher_flow_log.nsg",
            expect: Expect::Pass,
            source: "resource \"azurerm_network_watcher_flow_log\" \"nsg\" {\n  name                      = \"nsg\"\n  network_security_group_id = \"nsg-id\"\n  storage_account_id        = \"sa-id\"\n  enabled                   = true\n  retention_policy {\n    enabled = false\n    days    = 0\n  }\n}\n",
        },
        Case {
            name: "required value absent",
            address: "azurerm_network_watcher_flow_log.nsg",
            expect: Expect::Pass,
            source: "resource \"azurerm_network_watcher_flow_log\" \"nsg\" {\n  name               = \"nsg\"\n  storage_account_id = \"sa-id\"\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_network_watcher_flow_log.nsg",
            expect: Expect::Undecided,
            source: "variable \"on\" {}\nresource \"azurerm_network_watcher_flow_log\" \"nsg\" {\n  name    = \"nsg\"\n  enabled = var.on\n}\n",
        },
    ],
};

fn flow_log_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    // Required by the provider: an absent value would not apply, so it is read as enabled rather
    // than invented as a violation.
    flag_at(res, "enabled", true, false, "flow log switched off")
}
