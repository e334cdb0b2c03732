//! Role assignments that hand a whole subscription (or management group) to one principal as
//! Owner.
//!
//! "Broad principal" cannot be read from Terraform: a `principal_id` is an object id, and whether
//! it is one engineer, a group of thousands or a CI service principal is known to Entra ID, not to
//! the code. The rule therefore judges the role and the scope, which the code does say, and names
//! the principal in its evidence so a reviewer can weigh it.

use crate::model::{Format, Resource, Value};
use crate::rules::helpers::{attr_path, ev, read_str, show, verdict, Read, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// The built-in Owner role's definition id (the same in every tenant).
const OWNER_ROLE_ID: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

/// Is a scope a whole subscription or a management group? Literal ids
/// (`/subscriptions/<id>`, `/providers/Microsoft.Management/managementGroups/<id>`) and references
/// to a subscription resource or data source (`data.azurerm_subscription.current.id`).
fn broad_scope(v: Option<&Value>) -> Tri {
    match v {
        Some(Value::Ref(r)) => Tri::from_bool(
            r.starts_with("data.azurerm_subscription.")
                || r.starts_with("azurerm_subscription.")
                || r.starts_with("azurerm_management_group.")
                || r.starts_with("data.azurerm_management_group."),
        ),
        _ => match read_str(v) {
            Read::Known(s) => {
                let parts: Vec<&str> = s.trim().trim_end_matches('/').split('/').collect();
                Tri::from_bool(
                    matches!(parts.as_slice(), ["", sub, _] if sub.eq_ignore_ascii_case("subscriptions"))
                        || s.to_ascii_lowercase()
                            .starts_with("/providers/microsoft.management/managementgroups/"),
                )
            }
            Read::Absent => Tri::No,
            Read::Unknown => Tri::Maybe,
        },
    }
}

/// Is the role Owner, by name or by definition id?
fn owner_role(res: &Resource) -> Tri {
    let by_name = match read_str(res.attr("role_definition_name")) {
        Read::Known(n) => Tri::from_bool(n.trim().eq_ignore_ascii_case("owner")),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    let by_id = match read_str(res.attr("role_definition_id")) {
        Read::Known(n) => Tri::from_bool(n.to_ascii_lowercase().ends_with(OWNER_ROLE_ID)),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    by_name.or(by_id)
}

/// ## What it does
/// Flags an `azurerm_role_assignment` of the built-in Owner role (by `role_definition_name` or
/// `role_definition_id`) whose `scope` is a subscription or a management group.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-6, AC-2
pub const OWNER_SUBSCRIPTION: Rule = Rule {
    meta: RuleMeta {
        id: "azure-role-owner-subscription",
        title: "Owner role granted on a whole subscription",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-6", "NIST 800-53 AC-2"],
        rationale: "Owner on a subscription can read every resource's data plane keys, grant \
            itself or others any role, and delete everything; whoever holds or compromises the \
            principal holds the subscription. Whether the principal is one person or a large \
            group is not visible in the code, so the grant itself is judged.",
        remediation: "Grant narrower built-in roles (Contributor, Reader, service-specific roles) \
            on resource groups, and Owner only through Privileged Identity Management.",
        evidence: "role_definition_name or role_definition_id, scope, principal_id",
        format: Format::Terraform,
        kinds: &["azurerm_role_assignment"],
    },
    check: owner_subscription,
    cases: &[
        Case {
            name: "owner on the current subscription",
            address: "azurerm_role_assignment.ops",
            expect: Expect::Violation,
            source: r#"
data "azurerm_subscription" "current" {}

resource "azurerm_role_assignment" "ops" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Owner"
  principal_id         = "11111111-1111-1111-1111-111111111111"
}
"#,
        },
        Case {
            name: "owner by id on a literal subscription",
            address: "azurerm_role_assignment.ops",
            expect: Expect::Violation,
            source: "resource \"azurerm_role_assignment\" \"ops\" {\n  scope              = \"/subscriptions/00000000-0000-0000-0000-000000000000\"\n  role_definition_id = \"/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635\"\n  principal_id       = \"11111111-1111-1111-1111-111111111111\"\n}\n",
        },
        Case {
            name: "owner on a resource group",
            address: "azurerm_role_assignment.ops",
            expect: Expect::Pass,
            source: "resource \"azurerm_role_assignment\" \"ops\" {\n  scope                = \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/app\"\n  role_definition_name = \"Owner\"\n  principal_id         = \"11111111-1111-1111-1111-111111111111\"\n}\n",
        },
        Case {
            name: "reader on the subscription",
            address: "azurerm_role_assignment.ops",
            expect: Expect::Pass,
            source: "resource \"azurerm_role_assignment\" \"ops\" {\n  scope                = \"/subscriptions/00000000-0000-0000-0000-000000000000\"\n  role_definition_name = \"Reader\"\n  principal_id         = \"11111111-1111-1111-1111-111111111111\"\n}\n",
        },
        Case {
            name: "owner on a scope from a variable without default",
            address: "azurerm_role_assignment.ops",
            expect: Expect::Undecided,
            source: "variable \"scope\" {}\nresource \"azurerm_role_assignment\" \"ops\" {\n  scope                = var.scope\n  role_definition_name = \"Owner\"\n  principal_id         = \"11111111-1111-1111-1111-111111111111\"\n}\n",
        },
    ],
};

fn owner_subscription(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let scope = res.attr("scope");
    let role_path = if res.attr("role_definition_id").is_some() {
        "role_definition_id"
    } else {
        "role_definition_name"
    };
    verdict(
        owner_role(res).and(broad_scope(scope)),
        vec![
            ev(res, attr_path(role_path)),
            ev(res, attr_path("scope")),
            ev(res, attr_path("principal_id")),
        ],
        || {
            format!(
                "Owner on {} to principal {}",
                show(scope),
                show(res.attr("principal_id"))
            )
        },
        Scope::default(),
        || "the role or the scope is not known statically".into(),
    )
}

/// ## What it does
/// Flags credentials written as literals in a `provider "azurerm"` block.
///
/// ## References
/// - NIST SP 800-53 rev5 IA-5(7) (no embedded unencrypted static authenticators)
pub const PROVIDER_LITERAL: Rule = Rule {
    meta: RuleMeta {
        id: "azure-provider-credentials-literal",
        title: "Azure provider credentials written in the code",
        severity: Severity::High,
        category: Category::Secrets,
        standards: &["NIST 800-53 IA-5(7)"],
        rationale: crate::rules::provider_credentials::RATIONALE,
        remediation: "Rotate the secret now; authenticate with a managed identity, OIDC or the ARM_CLIENT_SECRET environment variable instead.",
        evidence: "client_secret, client_certificate_password given as a literal string",
        format: Format::Terraform,
        kinds: &["provider.azurerm"],
    },
    check: |res, _| crate::rules::provider_credentials::literal_credentials(res, &["client_secret", "client_certificate_password"]),
    cases: &[
        Case {
            name: "literal credentials",
            address: "provider.azurerm",
            expect: Expect::Violation,
            source: r#"
provider "azurerm" {
  features {}
  client_id     = "00000000-0000-0000-0000-000000000000"
  client_secret = "Zx8Q~verysecretvalue.abc"
}
"#,
        },
        Case {
            name: "credentials from a variable without default",
            address: "provider.azurerm",
            expect: Expect::Pass,
            source: r#"
variable "client_secret" {}

provider "azurerm" {
  features {}
  client_secret = var.client_secret
}
"#,
        },
    ],
};
