//! Azure SQL, PostgreSQL, MySQL and MariaDB: firewall rules that admit the whole internet,
//! servers whose public network access is on, and servers that accept connections without TLS.
//!
//! A firewall rule is a start and an end address. The rule reads the range as the networks it
//! spans (so `0.0.0.0`–`255.255.255.255` is `0.0.0.0/0`) and treats a range of half the IPv4
//! space or more as the internet: nobody writes such a range to admit a partner. Its scope is
//! those networks, so widening a range is a widening. The special `0.0.0.0`–`0.0.0.0` rule
//! ("allow Azure services") is not internet exposure and is not judged here.
//!
//! TLS on the single servers (`azurerm_postgresql_server`, `azurerm_mysql_server`,
//! `azurerm_mariadb_server`; removed in azurerm 4.0 for MySQL and MariaDB, in 5.0 for
//! PostgreSQL) is `ssl_enforcement_enabled`, required since 3.0 (2.x also had the string
//! `ssl_enforcement`), and `ssl_minimal_tls_version_enforced`, default `TLS1_2`. On the flexible
//! servers it is the server parameter `require_secure_transport`, on by default, set through an
//! `azurerm_*_flexible_server_configuration`.

use crate::model::{Format, Resource, Value};
use crate::rules::helpers::{
    attr_path, ev, flag_at, read_str, show, string_at, verdict, Read, Tri,
};
use crate::rules::{
    Case, Category, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};
use ipnet::{IpNet, Ipv4Net, Ipv4Subnets};
use std::net::Ipv4Addr;

const FIREWALL_KINDS: &[&str] = &[
    "azurerm_mariadb_firewall_rule",
    "azurerm_mssql_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_sql_firewall_rule",
];

/// Half the IPv4 space: a range at least this large is the internet for this rule.
const INTERNET_SIZED: u64 = 1 << 31;

/// ## What it does
/// Flags a database firewall rule whose `start_ip_address`–`end_ip_address` range spans half the
/// IPv4 space or more (typically `0.0.0.0`–`255.255.255.255`).
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v2.0, 4.1.2
/// - NIST SP 800-53 rev5 SC-7, AC-3
pub const FIREWALL_OPEN: Rule = Rule {
    meta: RuleMeta {
        id: "azure-db-firewall-open",
        title: "Database firewall admits the whole internet",
        severity: Severity::High,
        category: Category::Network,
        standards: &["CIS Azure 4.1.2", "NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "A firewall rule from 0.0.0.0 to 255.255.255.255 lets every address on the \
            internet reach the server's login: password spraying and exploits of the engine \
            are then one step away from the data.",
        remediation: "Admit only the addresses of the clients that need the server, or turn \
            public network access off and use private endpoints.",
        evidence: "start_ip_address, end_ip_address",
        format: Format::Terraform,
        kinds: FIREWALL_KINDS,
    },
    check: firewall_open,
    cases: &[
        Case {
            name: "sql server open to all",
            address: "azurerm_mssql_firewall_rule.all",
            expect: Expect::Violation,
            source: "resource \"azurerm_mssql_firewall_rule\" \"all\" {\n  name             = \"all\"\n  server_id        = \"sql\"\n  start_ip_address = \"0.0.0.0\"\n  end_ip_address   = \"255.255.255.255\"\n}\n",
        },
        Case {
            name: "postgres flexible, upper half and more",
            address: "azurerm_postgresql_flexible_server_firewall_rule.wide",
            expect: Expect::Violation,
            source: "resource \"azurerm_postgresql_flexible_server_firewall_rule\" \"wide\" {\n  name             = \"wide\"\n  server_id        = \"pg\"\n  start_ip_address = \"1.0.0.0\"\n  end_ip_address   = \"255.255.255.255\"\n}\n",
        },
        Case {
            name: "allow azure services",
            address: "azurerm_mssql_firewall_rule.azure",
            expect: Expect::Pass,
            source: "resource \"azurerm_mssql_firewall_rule\" \"azure\" {\n  name             = \"azure\"\n  server_id        = \"sql\"\n  start_ip_address = \"0.0.0.0\"\n  end_ip_address   = \"0.0.0.0\"\n}\n",
        },
        Case {
            name: "office range",
            address: "azurerm_mysql_flexible_server_firewall_rule.office",
            expect: Expect::Pass,
            source: "resource \"azurerm_mysql_flexible_server_firewall_rule\" \"office\" {\n  name             = \"office\"\n  server_name      = \"db\"\n  start_ip_address = \"203.0.113.0\"\n  end_ip_address   = \"203.0.113.255\"\n}\n",
        },
        Case {
            name: "end from a variable without default",
            address: "azurerm_mssql_firewall_rule.v",
            expect: Expect::Undecided,
            source: "variable \"end\" {}\nresource \"azurerm_mssql_firewall_rule\" \"v\" {\n  name             = \"v\"\n  server_id        = \"sql\"\n  start_ip_address = \"0.0.0.0\"\n  end_ip_address   = var.end\n}\n",
        },
    ],
};

/// An address setting: `Ok(Some)` known, `Ok(None)` absent or not an address, `Err` unknown.
fn address(res: &Resource, name: &str) -> Result<Option<Ipv4Addr>, ()> {
    match read_str(res.attr(name)) {
        Read::Known(s) => Ok(s.trim().parse().ok()),
        Read::Absent => Ok(None),
        Read::Unknown => Err(()),
    }
}

fn firewall_open(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let evidence = vec![
        ev(res, attr_path("start_ip_address")),
        ev(res, attr_path("end_ip_address")),
    ];
    let (start, end) = match (
        address(res, "start_ip_address"),
        address(res, "end_ip_address"),
    ) {
        (Ok(Some(s)), Ok(Some(e))) => (s.min(e), s.max(e)),
        (Err(()), _) | (_, Err(())) => {
            return Verdict::Undecided {
                evidence,
                reason: "the firewall rule's range is not known statically".into(),
            }
        }
        _ => return Verdict::Pass,
    };
    let size = u64::from(u32::from(end)) - u64::from(u32::from(start)) + 1;
    if size < INTERNET_SIZED {
        return Verdict::Pass;
    }
    let networks: Vec<IpNet> = Ipv4Subnets::new(start, end, 0)
        .map(|n: Ipv4Net| IpNet::V4(n))
        .collect();
    Verdict::Violation(Finding {
        evidence,
        summary: format!("firewall admits {start}-{end}"),
        scope: Scope {
            networks,
            ..Scope::default()
        },
    })
}

/// ## What it does
/// Flags an `azurerm_mssql_server`, `azurerm_postgresql_server`, `azurerm_mysql_server` or
/// `azurerm_mariadb_server` whose `public_network_access_enabled` is true or absent (default true
/// in azurerm 3.x and 4.x).
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7
pub const PUBLIC_NETWORK_ACCESS: Rule = Rule {
    meta: RuleMeta {
        id: "azure-db-public-network-access",
        title: "Database server accepts connections from public networks",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7"],
        rationale: "With public network access on, the server has an internet endpoint guarded \
            only by its firewall rules and logins. The azurerm 3.x/4.x default is true, so a \
            server that does not turn it off has it.",
        remediation: "Set public_network_access_enabled = false and connect through private \
            endpoints.",
        evidence: "public_network_access_enabled (absent means true)",
        format: Format::Terraform,
        kinds: &[
            "azurerm_mariadb_server",
            "azurerm_mssql_server",
            "azurerm_mysql_server",
            "azurerm_postgresql_server",
        ],
    },
    check: public_network_access,
    cases: &[
        Case {
            name: "default",
            address: "azurerm_mssql_server.sql",
            expect: Expect::Violation,
            source: "resource \"azurerm_mssql_server\" \"sql\" {\n  name    = \"sql\"\n  version = \"12.0\"\n}\n",
        },
        Case {
            name: "off",
            address: "azurerm_mssql_server.sql",
            expect: Expect::Pass,
            source: "resource \"azurerm_mssql_server\" \"sql\" {\n  name                          = \"sql\"\n  version                       = \"12.0\"\n  public_network_access_enabled = false\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_postgresql_server.pg",
            expect: Expect::Undecided,
            source: "variable \"pub\" {}\nresource \"azurerm_postgresql_server\" \"pg\" {\n  name                          = \"pg\"\n  public_network_access_enabled = var.pub\n}\n",
        },
    ],
};

fn public_network_access(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(
        res,
        "public_network_access_enabled",
        true,
        true,
        "public network access on",
    )
}

/// The single servers, whose TLS settings are attributes of the server.
const SINGLE_SERVER_KINDS: &[&str] = &[
    "azurerm_mariadb_server",
    "azurerm_mysql_server",
    "azurerm_postgresql_server",
];

/// ## What it does
/// Flags a PostgreSQL, MySQL or MariaDB single server with `ssl_enforcement_enabled = false`
/// (2.x: `ssl_enforcement = "Disabled"`) or `ssl_minimal_tls_version_enforced =
/// "TLSEnforcementDisabled"`, and an `azurerm_postgresql_flexible_server_configuration` or
/// `azurerm_mysql_flexible_server_configuration` that sets `require_secure_transport` to `off`
/// (any case; also `false`, `0`, `no`).
///
/// ## References
/// - NIST SP 800-53 rev5 SC-8, SC-13
pub const SSL_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "azure-db-ssl-off",
        title: "Database server accepts connections without TLS",
        severity: Severity::High,
        category: Category::Encryption,
        standards: &["NIST 800-53 SC-8", "NIST 800-53 SC-13"],
        rationale: "Without enforced TLS, clients may connect in clear: logins, passwords and \
            query results cross the network readable and alterable, and a client that is \
            downgraded never notices. ssl_enforcement_enabled is required by azurerm 3.x/4.x, so \
            an absent one (a configuration that would not plan) is not read as off; \
            ssl_minimal_tls_version_enforced defaults to TLS1_2 and the flexible servers' \
            require_secure_transport to on, so only a written off is a violation.",
        remediation: "Set ssl_enforcement_enabled = true with ssl_minimal_tls_version_enforced = \
            \"TLS1_2\" on single servers; on flexible servers remove the \
            require_secure_transport configuration or set its value to \"on\".",
        evidence: "ssl_enforcement_enabled (or ssl_enforcement), ssl_minimal_tls_version_enforced; \
            name and value of a flexible server configuration",
        format: Format::Terraform,
        kinds: &[
            "azurerm_mariadb_server",
            "azurerm_mysql_flexible_server_configuration",
            "azurerm_mysql_server",
            "azurerm_postgresql_flexible_server_configuration",
            "azurerm_postgresql_server",
        ],
    },
    check: ssl_off,
    cases: &[
        Case {
            name: "postgres enforcement off",
            address: "azurerm_postgresql_server.pg",
            expect: Expect::Violation,
            source: "resource \"azurerm_postgresql_server\" \"pg\" {\n  name                             = \"pg\"\n  ssl_enforcement_enabled          = false\n  ssl_minimal_tls_version_enforced = \"TLSEnforcementDisabled\"\n}\n",
        },
        Case {
            name: "mysql 2.x enforcement disabled",
            address: "azurerm_mysql_server.my",
            expect: Expect::Violation,
            source: "resource \"azurerm_mysql_server\" \"my\" {\n  name            = \"my\"\n  ssl_enforcement = \"Disabled\"\n}\n",
        },
        Case {
            name: "minimal tls version disables enforcement",
            address: "azurerm_mariadb_server.maria",
            expect: Expect::Violation,
            source: "resource \"azurerm_mariadb_server\" \"maria\" {\n  name                             = \"maria\"\n  ssl_enforcement_enabled          = true\n  ssl_minimal_tls_version_enforced = \"TLSEnforcementDisabled\"\n}\n",
        },
        Case {
            name: "mysql enforced with tls 1.2",
            address: "azurerm_mysql_server.my",
            expect: Expect::Pass,
            source: "resource \"azurerm_mysql_server\" \"my\" {\n  name                             = \"my\"\n  ssl_enforcement_enabled          = true\n  ssl_minimal_tls_version_enforced = \"TLS1_2\"\n}\n",
        },
        Case {
            name: "enforcement from a variable without default",
            address: "azurerm_postgresql_server.pg",
            expect: Expect::Undecided,
            source: "variable \"ssl\" {}\nresource \"azurerm_postgresql_server\" \"pg\" {\n  name                    = \"pg\"\n  ssl_enforcement_enabled = var.ssl\n}\n",
        },
        Case {
            name: "postgres flexible secure transport off",
            address: "azurerm_postgresql_flexible_server_configuration.tls",
            expect: Expect::Violation,
            source: "resource \"azurerm_postgresql_flexible_server_configuration\" \"tls\" {\n  name      = \"require_secure_transport\"\n  server_id = \"pg\"\n  value     = \"off\"\n}\n",
        },
        Case {
            name: "mysql flexible secure transport OFF",
            address: "azurerm_mysql_flexible_server_configuration.tls",
            expect: Expect::Violation,
            source: "resource \"azurerm_mysql_flexible_server_configuration\" \"tls\" {\n  name                = \"require_secure_transport\"\n  resource_group_name = \"rg\"\n  server_name         = \"my\"\n  value               = \"OFF\"\n}\n",
        },
        Case {
            name: "mysql flexible secure transport ON",
            address: "azurerm_mysql_flexible_server_configuration.tls",
            expect: Expect::Pass,
            source: "resource \"azurerm_mysql_flexible_server_configuration\" \"tls\" {\n  name        = \"require_secure_transport\"\n  server_name = \"my\"\n  value       = \"ON\"\n}\n",
        },
        Case {
            name: "another parameter off",
            address: "azurerm_postgresql_flexible_server_configuration.p",
            expect: Expect::Pass,
            source: "resource \"azurerm_postgresql_flexible_server_configuration\" \"p\" {\n  name      = \"log_checkpoints\"\n  server_id = \"pg\"\n  value     = \"off\"\n}\n",
        },
        Case {
            name: "secure transport from a variable without default",
            address: "azurerm_postgresql_flexible_server_configuration.tls",
            expect: Expect::Undecided,
            source: "variable \"v\" {}\nresource \"azurerm_postgresql_flexible_server_configuration\" \"tls\" {\n  name      = \"require_secure_transport\"\n  server_id = \"pg\"\n  value     = var.v\n}\n",
        },
    ],
};

/// A server parameter value that turns a boolean parameter off, as PostgreSQL and MySQL spell it.
fn is_off(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "off" | "false" | "0" | "no"
    )
}

/// The verdicts joined: any violation wins (evidence and summaries combined), then an undecided,
/// then a pass.
fn any_of(verdicts: Vec<Verdict>) -> Verdict {
    let mut evidence = Vec::new();
    let mut summaries = Vec::new();
    let mut undecided = None;
    for v in verdicts {
        match v {
            Verdict::Violation(f) => {
                evidence.extend(f.evidence);
                summaries.push(f.summary);
            }
            u @ Verdict::Undecided { .. } => {
                undecided.get_or_insert(u);
            }
            Verdict::Pass => {}
        }
    }
    if !summaries.is_empty() {
        return Verdict::Violation(Finding {
            evidence,
            summary: summaries.join("; "),
            scope: Scope::default(),
        });
    }
    undecided.unwrap_or(Verdict::Pass)
}

fn ssl_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    if SINGLE_SERVER_KINDS.contains(&res.kind.as_str()) {
        let written = |a: &str| !matches!(res.attr(a), None | Some(Value::Null));
        // Required: an absent value would not plan, so it is read as enforced rather than
        // invented as a violation.
        let enforcement = if !written("ssl_enforcement_enabled") && written("ssl_enforcement") {
            string_at(
                res,
                "ssl_enforcement",
                None,
                |s| s.eq_ignore_ascii_case("disabled"),
                "TLS not enforced",
            )
        } else {
            flag_at(
                res,
                "ssl_enforcement_enabled",
                true,
                false,
                "TLS not enforced",
            )
        };
        let minimal = string_at(
            res,
            "ssl_minimal_tls_version_enforced",
            Some("TLS1_2"),
            |s| s.eq_ignore_ascii_case("TLSEnforcementDisabled"),
            "TLS not enforced",
        );
        return any_of(vec![enforcement, minimal]);
    }
    // A flexible server's parameter: judged when it is `require_secure_transport`.
    let name = res.attr("name");
    let value = res.attr("value");
    let secure_transport = match read_str(name) {
        Read::Known(n) => Tri::from_bool(n.trim().eq_ignore_ascii_case("require_secure_transport")),
        // Required: without a name there is no parameter.
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    let off = match read_str(value) {
        Read::Known(v) => Tri::from_bool(is_off(&v)),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    verdict(
        secure_transport.and(off),
        vec![ev(res, attr_path("name")), ev(res, attr_path("value"))],
        || {
            format!(
                "require_secure_transport = {}: TLS not required",
                show(value)
            )
        },
        Scope::default(),
        || "the configuration's name or value is not known statically".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_range_is_the_whole_space() {
        let nets: Vec<Ipv4Net> = Ipv4Subnets::new(
            Ipv4Addr::new(0, 0, 0, 0),
            Ipv4Addr::new(255, 255, 255, 255),
            0,
        )
        .collect();
        assert_eq!(nets.len(), 1);
        assert_eq!(nets[0].to_string(), "0.0.0.0/0");
    }
}
