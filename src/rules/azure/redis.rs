//! Azure Cache for Redis: caches that open the plain-text port.
//!
//! azurerm 4.0 renamed `enable_non_ssl_port` (3.x) to `non_ssl_port_enabled` (available from late
//! 3.x); both are read, and both default to false, so only a written `true` is a violation.

use crate::model::{Format, Resource, Value};
use crate::rules::helpers::flag_at;
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `azurerm_redis_cache` with `non_ssl_port_enabled = true` (4.x) or
/// `enable_non_ssl_port = true` (3.x). Both default to false.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-8
pub const NON_SSL_PORT: Rule = Rule {
    meta: RuleMeta {
        id: "azure-redis-non-ssl-port",
        title: "Redis cache accepts plain-text connections on 6379",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["NIST 800-53 SC-8"],
        rationale: "On the non-TLS port the access key (sent with AUTH) and every cached value \
            cross the network in clear, readable and alterable on the way. Both attribute names \
            default to false, so this is a written choice.",
        remediation: "Set non_ssl_port_enabled = false (enable_non_ssl_port on 3.x), or remove \
            the setting, and connect on 6380 with TLS.",
        evidence: "non_ssl_port_enabled or enable_non_ssl_port",
        format: Format::Terraform,
        kinds: &["azurerm_redis_cache"],
    },
    check: non_ssl_port,
    cases: &[
        Case {
            name: "4.x name on",
            address: "azurerm_redis_cache.cache",
            expect: Expect::Violation,
            source: "resource \"azurerm_redis_cache\" \"cache\" {\n  name                 = \"cache\"\n  capacity             = 1\n  family               = \"C\"\n  sku_name             = \"Standard\"\n  non_ssl_port_enabled = true\n}\n",
        },
        Case {
            name: "3.x name on",
            address: "azurerm_redis_cache.cache",
            expect: Expect::Violation,
            source: "resource \"azurerm_redis_cache\" \"cache\" {\n  name                = \"cache\"\n  enable_non_ssl_port = true\n}\n",
        },
        Case {
            name: "default",
            address: "azurerm_redis_cache.cache",
            expect: Expect::Pass,
            source: "resource \"azurerm_redis_cache\" \"cache\" {\n  name     = \"cache\"\n  capacity = 1\n  family   = \"C\"\n  sku_name = \"Standard\"\n}\n",
        },
        Case {
            name: "3.x name off",
            address: "azurerm_redis_cache.cache",
            expect: Expect::Pass,
            source: "resource \"azurerm_redis_cache\" \"cache\" {\n  name                = \"cache\"\n  enable_non_ssl_port = false\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_redis_cache.cache",
            expect: Expect::Undecided,
            source: "variable \"plain\" {}\nresource \"azurerm_redis_cache\" \"cache\" {\n  name                 = \"cache\"\n  non_ssl_port_enabled = var.plain\n}\n",
        },
    ],
};

fn non_ssl_port(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let name = if matches!(res.attr("enable_non_ssl_port"), Some(v) if *v != Value::Null) {
        "enable_non_ssl_port"
    } else {
        "non_ssl_port_enabled"
    };
    flag_at(res, name, false, true, "plain-text port 6379 open")
}
