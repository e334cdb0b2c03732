//! Network security groups that admit the internet: to administration ports, to database ports,
//! or to every port. The same three concepts as AWS security groups (`aws-sg-…`), judged by the
//! same checks ([`crate::rules::aws::sg`]) over the entries that
//! [`crate::rules::helpers::ingress_entries`] reads from both Terraform shapes of an NSG rule: inline `security_rule` blocks of an
//! `azurerm_network_security_group`, and `azurerm_network_security_rule`.
//!
//! What counts as the internet: `*`, `Any`, `Internet` (the service tag for every public address)
//! and CIDRs of the whole space (`0.0.0.0/0`, `::/0`), in `source_address_prefix` or
//! `source_address_prefixes`. Ports are NSG strings (`"22"`, `"20-25"`, `"*"`), single or listed,
//! so a range that contains 22 is SSH exposure and widening from `"22"` to `"*"` is a widening.
//! Only `Inbound` + `Allow` rules open anything; priorities are not weighed (a Deny at a lower
//! number would shadow the Allow, which the rule does not claim to see).

use crate::model::Format;
use crate::rules::aws::sg;
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity};

const KINDS: &[&str] = &[
    "azurerm_network_security_group",
    "azurerm_network_security_rule",
];

const NSG_EVIDENCE: &str = "per offending rule: source_address_prefix(es) naming the internet, \
    destination_port_range(s), protocol, direction and access";

/// ## What it does
/// Flags an NSG rule that allows inbound traffic from the internet to SSH (22) or RDP (3389) over
/// TCP or any protocol.
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v2.0, 6.1 and 6.2
/// - NIST SP 800-53 rev5 SC-7, AC-3
pub const ADMIN_PORT_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "azure-nsg-admin-port-public",
        title: "Network security group admits the internet to SSH or RDP",
        severity: Severity::High,
        category: Category::Network,
        standards: &[
            "CIS Azure 6.1",
            "CIS Azure 6.2",
            "NIST 800-53 SC-7",
            "NIST 800-53 AC-3",
        ],
        rationale: "SSH and RDP reachable from Internet, *, Any or 0.0.0.0/0 are found by \
            scanners within minutes and attacked with stolen credentials and remote-access \
            exploits.",
        remediation: "Restrict source_address_prefix to known networks, or remove the rule and \
            use Azure Bastion or just-in-time VM access.",
        evidence: NSG_EVIDENCE,
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: sg::admin_port_public,
    cases: &[
        Case {
            name: "inline rdp from Internet",
            address: "azurerm_network_security_group.vm",
            expect: Expect::Violation,
            source: r#"
resource "azurerm_network_security_group" "vm" {
  name                = "vm"
  location            = "westeurope"
  resource_group_name = "rg"

  security_rule {
    name                       = "rdp"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "3389"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}
"#,
        },
        Case {
            name: "standalone rule, any protocol, range containing ssh, from star",
            address: "azurerm_network_security_rule.mgmt",
            expect: Expect::Violation,
            source: r#"
resource "azurerm_network_security_rule" "mgmt" {
  name                        = "mgmt"
  priority                    = 110
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_ranges     = ["20-25", "443"]
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = "vm"
}
"#,
        },
        Case {
            name: "ssh from the office only, https from anywhere",
            address: "azurerm_network_security_group.vm",
            expect: Expect::Pass,
            source: r#"
resource "azurerm_network_security_group" "vm" {
  name                = "vm"
  location            = "westeurope"
  resource_group_name = "rg"

  security_rule {
    name                       = "ssh"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefixes    = ["203.0.113.0/24"]
    destination_address_prefix = "*"
  }
  security_rule {
    name                       = "https"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}
"#,
        },
        Case {
            name: "deny rule from the internet",
            address: "azurerm_network_security_rule.deny",
            expect: Expect::Pass,
            source: r#"
resource "azurerm_network_security_rule" "deny" {
  name                        = "deny-ssh"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "22"
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = "vm"
}
"#,
        },
        Case {
            name: "source from a variable without default",
            address: "azurerm_network_security_rule.ssh",
            expect: Expect::Undecided,
            source: r#"
variable "admin_source" {}

resource "azurerm_network_security_rule" "ssh" {
  name                        = "ssh"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "22"
  source_address_prefix       = var.admin_source
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = "vm"
}
"#,
        },
    ],
};

/// ## What it does
/// Flags an NSG rule that allows inbound traffic from the internet to a database or cache port
/// (the list of `aws-sg-database-port-public`: SQL Server 1433, MySQL 3306, PostgreSQL 5432,
/// Redis 6379, MongoDB 27017, …).
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7, AC-3
pub const DATABASE_PORT_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "azure-nsg-database-port-public",
        title: "Network security group admits the internet to a database port",
        severity: Severity::High,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "Databases and caches reachable from the internet are attacked directly: \
            weak or default credentials, instances without authentication, ransom wipes.",
        remediation: "Allow the database port only from the application subnets or their \
            application security groups.",
        evidence: NSG_EVIDENCE,
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: sg::database_port_public,
    cases: &[
        Case {
            name: "sql server from 0.0.0.0/0",
            address: "azurerm_network_security_rule.sql",
            expect: Expect::Violation,
            source: r#"
resource "azurerm_network_security_rule" "sql" {
  name                        = "sql"
  priority                    = 120
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "1433"
  source_address_prefix       = "0.0.0.0/0"
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = "db"
}
"#,
        },
        Case {
            name: "postgres from the virtual network",
            address: "azurerm_network_security_rule.pg",
            expect: Expect::Pass,
            source: r#"
resource "azurerm_network_security_rule" "pg" {
  name                        = "pg"
  priority                    = 120
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "5432"
  source_address_prefix       = "VirtualNetwork"
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = "db"
}
"#,
        },
    ],
};

/// ## What it does
/// Flags an NSG rule that allows inbound traffic from the internet on every port (`"*"` or
/// `"0-65535"`, TCP, UDP or any protocol).
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7
pub const ALL_PORTS_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "azure-nsg-all-ports-public",
        title: "Network security group admits the internet on every port",
        severity: Severity::Critical,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7"],
        rationale: "Every service on the protected subnets and NICs, including ones never meant \
            to be published, is reachable from the internet.",
        remediation: "Replace the rule with one per port that must be public.",
        evidence: NSG_EVIDENCE,
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: sg::all_ports_public,
    cases: &[
        Case {
            name: "any to any from Any",
            address: "azurerm_network_security_group.open",
            expect: Expect::Violation,
            source: r#"
resource "azurerm_network_security_group" "open" {
  name                = "open"
  location            = "westeurope"
  resource_group_name = "rg"

  security_rule {
    name                       = "all"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "*"
    source_port_range          = "*"
    destination_port_range     = "*"
    source_address_prefix      = "Any"
    destination_address_prefix = "*"
  }
}
"#,
        },
        Case {
            name: "every port outbound",
            address: "azurerm_network_security_group.open",
            expect: Expect::Pass,
            source: r#"
resource "azurerm_network_security_group" "open" {
  name                = "open"
  location            = "westeurope"
  resource_group_name = "rg"

  security_rule {
    name                       = "out"
    priority                   = 100
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "*"
    source_port_range          = "*"
    destination_port_range     = "*"
    source_address_prefix      = "*"
    destination_address_prefix = "Internet"
  }
}
"#,
        },
    ],
};
