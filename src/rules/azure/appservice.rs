//! App Service and Functions: apps that serve plain HTTP, apps that accept TLS older than 1.2,
//! and apps that accept plain FTP.
//!
//! Defaults (azurerm 3.x and 4.x): `https_only` false, so an app that does not set it serves HTTP
//! and is a violation; the minimum TLS version defaults to 1.2 (`site_config.minimum_tls_version`
//! on the 3.x/4.x web and function app resources, `site_config.min_tls_version` on the 2.x/3.x
//! `azurerm_app_service`), so only a written weaker value is. `site_config.ftps_state` defaults
//! to `Disabled` on the web and function app resources; on the legacy `azurerm_app_service` and
//! `azurerm_function_app` it has no provider default (Azure's own value is kept), which the rule
//! does not guess, so there too only a written `AllAllowed` is a violation.

use crate::model::{Format, Resource};
use crate::rules::azure::storage::is_old_tls;
use crate::rules::helpers::{flag_at, string_at};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity, UnitView, Verdict};

const KINDS: &[&str] = &[
    "azurerm_app_service",
    "azurerm_function_app",
    "azurerm_linux_function_app",
    "azurerm_linux_web_app",
    "azurerm_windows_function_app",
    "azurerm_windows_web_app",
];

/// ## What it does
/// Flags an App Service or Function app whose `https_only` is false or absent (default false).
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v2.0, 9.2
/// - NIST SP 800-53 rev5 SC-8
pub const HTTP_ALLOWED: Rule = Rule {
    meta: RuleMeta {
        id: "azure-appservice-http-allowed",
        title: "App Service app serves plain HTTP",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["CIS Azure 9.2", "NIST 800-53 SC-8"],
        rationale: "Without https_only the app answers HTTP: sessions, tokens and form posts can \
            be read and altered on the way. The provider default is false.",
        remediation: "Set https_only = true.",
        evidence: "https_only (absent means false)",
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: http_allowed,
    cases: &[
        Case {
            name: "default",
            address: "azurerm_linux_web_app.api",
            expect: Expect::Violation,
            source: "resource \"azurerm_linux_web_app\" \"api\" {\n  name            = \"api\"\n  service_plan_id = \"plan\"\n  site_config {}\n}\n",
        },
        Case {
            name: "https only",
            address: "azurerm_linux_web_app.api",
            expect: Expect::Pass,
            source: "resource \"azurerm_linux_web_app\" \"api\" {\n  name            = \"api\"\n  service_plan_id = \"plan\"\n  https_only      = true\n  site_config {}\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_windows_function_app.f",
            expect: Expect::Undecided,
            source: "variable \"h\" {}\nresource \"azurerm_windows_function_app\" \"f\" {\n  name       = \"f\"\n  https_only = var.h\n  site_config {}\n}\n",
        },
    ],
};

fn http_allowed(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(res, "https_only", false, false, "plain HTTP served")
}

/// ## What it does
/// Flags an App Service or Function app whose minimum TLS version is 1.0 or 1.1.
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v2.0, 9.3
/// - NIST SP 800-53 rev5 SC-8, SC-13
pub const TLS_OLD: Rule = Rule {
    meta: RuleMeta {
        id: "azure-appservice-tls-old",
        title: "App Service app accepts TLS older than 1.2",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["CIS Azure 9.3", "NIST 800-53 SC-8", "NIST 800-53 SC-13"],
        rationale: "TLS 1.0 and 1.1 are deprecated (RFC 8996) and let clients be downgraded. The \
            default is 1.2, so this is a written choice.",
        remediation: "Set site_config { minimum_tls_version = \"1.2\" } (min_tls_version on \
            azurerm_app_service) or remove the setting.",
        evidence: "site_config[0].minimum_tls_version or site_config[0].min_tls_version",
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: tls_old,
    cases: &[
        Case {
            name: "tls 1.0",
            address: "azurerm_windows_web_app.portal",
            expect: Expect::Violation,
            source: "resource \"azurerm_windows_web_app\" \"portal\" {\n  name       = \"portal\"\n  https_only = true\n  site_config {\n    minimum_tls_version = \"1.0\"\n  }\n}\n",
        },
        Case {
            name: "legacy app service tls 1.1",
            address: "azurerm_app_service.old",
            expect: Expect::Violation,
            source: "resource \"azurerm_app_service\" \"old\" {\n  name = \"old\"\n  site_config {\n    min_tls_version = \"1.1\"\n  }\n}\n",
        },
        Case {
            name: "default",
            address: "azurerm_windows_web_app.portal",
            expect: Expect::Pass,
            source: "resource \"azurerm_windows_web_app\" \"portal\" {\n  name = \"portal\"\n  site_config {}\n}\n",
        },
    ],
};

fn tls_old(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let path = if res.kind == "azurerm_app_service" || res.kind == "azurerm_function_app" {
        "site_config[0].min_tls_version"
    } else {
        "site_config[0].minimum_tls_version"
    };
    string_at(
        res,
        path,
        Some("1.2"),
        is_old_tls,
        "TLS older than 1.2 accepted",
    )
}

/// The kinds whose `ftps_state` has no provider default (optional and computed).
const LEGACY_KINDS: &[&str] = &["azurerm_app_service", "azurerm_function_app"];

/// ## What it does
/// Flags an App Service or Function app with `site_config { ftps_state = "AllAllowed" }`. The
/// default is `Disabled` on the web and function app resources; the legacy resources have no
/// provider default and pass when the setting is absent.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-8, IA-5
pub const FTP_ALLOWED: Rule = Rule {
    meta: RuleMeta {
        id: "azure-appservice-ftp-allowed",
        title: "App Service app accepts plain FTP deployments",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["NIST 800-53 SC-8", "NIST 800-53 IA-5"],
        rationale: "With AllAllowed the app's FTP endpoint takes unencrypted FTP: the deployment \
            (publishing) credentials and the site's code cross the network in clear, and whoever \
            reads them can replace the app. The default is Disabled on the current web and \
            function app resources; the legacy azurerm_app_service and azurerm_function_app keep \
            Azure's value when ftps_state is absent, which is not assumed here.",
        remediation: "Set site_config { ftps_state = \"Disabled\" } (or \"FtpsOnly\" if FTP \
            deployment is needed) and deploy through zip deploy or a pipeline.",
        evidence: "site_config[0].ftps_state",
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: ftp_allowed,
    cases: &[
        Case {
            name: "all allowed",
            address: "azurerm_linux_web_app.api",
            expect: Expect::Violation,
            source: "resource \"azurerm_linux_web_app\" \"api\" {\n  name       = \"api\"\n  https_only = true\n  site_config {\n    ftps_state = \"AllAllowed\"\n  }\n}\n",
        },
        Case {
            name: "legacy app service all allowed",
            address: "azurerm_app_service.old",
            expect: Expect::Violation,
            source: "resource \"azurerm_app_service\" \"old\" {\n  name = \"old\"\n  site_config {\n    ftps_state = \"AllAllowed\"\n  }\n}\n",
        },
        Case {
            name: "ftps only",
            address: "azurerm_windows_function_app.f",
            expect: Expect::Pass,
            source: "resource \"azurerm_windows_function_app\" \"f\" {\n  name = \"f\"\n  site_config {\n    ftps_state = \"FtpsOnly\"\n  }\n}\n",
        },
        Case {
            name: "default",
            address: "azurerm_linux_web_app.api",
            expect: Expect::Pass,
            source: "resource \"azurerm_linux_web_app\" \"api\" {\n  name = \"api\"\n  site_config {}\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_linux_web_app.api",
            expect: Expect::Undecided,
            source: "variable \"ftp\" {}\nresource \"azurerm_linux_web_app\" \"api\" {\n  name = \"api\"\n  site_config {\n    ftps_state = var.ftp\n  }\n}\n",
        },
    ],
};

fn ftp_allowed(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let default = if LEGACY_KINDS.contains(&res.kind.as_str()) {
        None
    } else {
        Some("Disabled")
    };
    string_at(
        res,
        "site_config[0].ftps_state",
        default,
        |s| s.eq_ignore_ascii_case("AllAllowed"),
        "plain FTP accepted",
    )
}
