//! Storage accounts and containers: public blob access, anonymous containers, plain HTTP, TLS
//! older than 1.2, shared keys kept on, and network rules that admit every network.
//!
//! Provider defaults (azurerm 3.x and 4.x, which renamed `enable_https_traffic_only` to
//! `https_traffic_only_enabled`; both names are read): `allow_nested_items_to_be_public` defaults
//! to true, so an account that does not say otherwise lets its containers be made public, and is
//! a violation; HTTPS-only defaults to true and `min_tls_version` to `TLS1_2`, so only a written
//! weaker value is. `shared_access_key_enabled` defaults to true and an account without network
//! rules (inline `network_rules` or a standalone `azurerm_storage_account_network_rules`) admits
//! every network while `public_network_access_enabled` keeps its default true: both absences are
//! violations.

use crate::model::{split_reference, Format, Resource, SettingPath, Value};
use crate::rules::helpers::{
    attr_path, bool_is, ev, flag_at, lookup, read_str, show, string_at, unknown_blocks_of, verdict,
    Read, Tri,
};
use crate::rules::{
    Case, Category, Evidence, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// ## What it does
/// Flags an `azurerm_storage_account` that allows its containers and blobs to be made public:
/// `allow_nested_items_to_be_public` true or absent (azurerm 3.x/4.x default true).
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v2.0, 3.7
/// - NIST SP 800-53 rev5 AC-3
pub const NESTED_PUBLIC_ALLOWED: Rule = Rule {
    meta: RuleMeta {
        id: "azure-storage-public-access-allowed",
        title: "Storage account lets containers be made public",
        severity: Severity::Medium,
        category: Category::Storage,
        standards: &["CIS Azure 3.7", "NIST 800-53 AC-3"],
        rationale: "With public access allowed on the account, one container setting publishes \
            its blobs to anyone. The azurerm 3.x/4.x default is true, so an account that does not \
            set allow_nested_items_to_be_public = false allows it.",
        remediation: "Set allow_nested_items_to_be_public = false and serve public content \
            through a CDN with its own access control.",
        evidence: "allow_nested_items_to_be_public (absent means true)",
        format: Format::Terraform,
        kinds: &["azurerm_storage_account"],
    },
    check: nested_public_allowed,
    cases: &[
        Case {
            name: "provider default",
            address: "azurerm_storage_account.data",
            expect: Expect::Violation,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name                     = \"data\"\n  resource_group_name      = \"rg\"\n  location                 = \"westeurope\"\n  account_tier             = \"Standard\"\n  account_replication_type = \"LRS\"\n}\n",
        },
        Case {
            name: "disallowed",
            address: "azurerm_storage_account.data",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name                            = \"data\"\n  resource_group_name             = \"rg\"\n  location                        = \"westeurope\"\n  account_tier                    = \"Standard\"\n  account_replication_type        = \"LRS\"\n  allow_nested_items_to_be_public = false\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_storage_account.data",
            expect: Expect::Undecided,
            source: "variable \"pub\" {}\nresource \"azurerm_storage_account\" \"data\" {\n  name                            = \"data\"\n  allow_nested_items_to_be_public = var.pub\n}\n",
        },
    ],
};

fn nested_public_allowed(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(
        res,
        "allow_nested_items_to_be_public",
        true,
        true,
        "containers may be made public",
    )
}

/// What an anonymous reader can do with a container access type, as actions for the scope:
/// `blob` reads blobs whose name is known, `container` also lists them.
fn anonymous_actions(access: &str) -> Vec<String> {
    match access {
        "blob" => vec!["storage:readblob".into()],
        "container" => vec!["storage:listblobs".into(), "storage:readblob".into()],
        _ => Vec::new(),
    }
}

/// ## What it does
/// Flags an `azurerm_storage_container` with `container_access_type` `blob` or `container`
/// (default `private`). `container` is wider than `blob` (listing as well as reading), so a
/// change from one to the other is a widening.
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v2.0, 3.7
/// - NIST SP 800-53 rev5 AC-3, AC-14
pub const CONTAINER_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "azure-storage-container-public",
        title: "Storage container allows anonymous access",
        severity: Severity::High,
        category: Category::Storage,
        standards: &["CIS Azure 3.7", "NIST 800-53 AC-3", "NIST 800-53 AC-14"],
        rationale: "Anyone on the internet can read the container's blobs (access type blob) or \
            list and read them all (container), without any credential.",
        remediation: "Set container_access_type = \"private\" and hand out short-lived SAS \
            tokens or use Entra ID authorisation.",
        evidence: "container_access_type",
        format: Format::Terraform,
        kinds: &["azurerm_storage_container"],
    },
    check: container_public,
    cases: &[
        Case {
            name: "container listing for everyone",
            address: "azurerm_storage_container.exports",
            expect: Expect::Violation,
            source: "resource \"azurerm_storage_container\" \"exports\" {\n  name                  = \"exports\"\n  storage_account_name  = \"data\"\n  container_access_type = \"container\"\n}\n",
        },
        Case {
            name: "private by default",
            address: "azurerm_storage_container.exports",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_container\" \"exports\" {\n  name                 = \"exports\"\n  storage_account_name = \"data\"\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_storage_container.exports",
            expect: Expect::Undecided,
            source: "variable \"access\" {}\nresource \"azurerm_storage_container\" \"exports\" {\n  name                  = \"exports\"\n  storage_account_name  = \"data\"\n  container_access_type = var.access\n}\n",
        },
    ],
};

fn container_public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let v = res.attr("container_access_type");
    let (t, actions) = match read_str(v) {
        Read::Known(a) => {
            let actions = anonymous_actions(a.trim());
            (Tri::from_bool(!actions.is_empty()), actions)
        }
        Read::Absent => (Tri::No, Vec::new()),
        Read::Unknown => (Tri::Maybe, Vec::new()),
    };
    verdict(
        t,
        vec![ev(res, attr_path("container_access_type"))],
        || format!("container_access_type = {} (anonymous access)", show(v)),
        Scope {
            actions,
            principals: vec!["*".into()],
            ..Scope::default()
        },
        || format!("container_access_type is not known statically: {}", show(v)),
    )
}

/// ## What it does
/// Flags an `azurerm_storage_account` with `https_traffic_only_enabled = false` (azurerm 4.x) or
/// `enable_https_traffic_only = false` (3.x). Both default to true.
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v2.0, 3.1
/// - NIST SP 800-53 rev5 SC-8
pub const HTTP_ALLOWED: Rule = Rule {
    meta: RuleMeta {
        id: "azure-storage-http-allowed",
        title: "Storage account accepts plain HTTP",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["CIS Azure 3.1", "NIST 800-53 SC-8"],
        rationale: "Requests over HTTP, shared keys and SAS tokens included, cross the network in \
            clear. The provider default (3.x and 4.x) is HTTPS only; this is a written choice.",
        remediation: "Set https_traffic_only_enabled = true (enable_https_traffic_only on 3.x), or \
            remove the setting.",
        evidence: "https_traffic_only_enabled or enable_https_traffic_only",
        format: Format::Terraform,
        kinds: &["azurerm_storage_account"],
    },
    check: http_allowed,
    cases: &[
        Case {
            name: "4.x name off",
            address: "azurerm_storage_account.data",
            expect: Expect::Violation,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name                       = \"data\"\n  https_traffic_only_enabled = false\n}\n",
        },
        Case {
            name: "3.x name off",
            address: "azurerm_storage_account.data",
            expect: Expect::Violation,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name                      = \"data\"\n  enable_https_traffic_only = false\n}\n",
        },
        Case {
            name: "default",
            address: "azurerm_storage_account.data",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name = \"data\"\n}\n",
        },
    ],
};

fn http_allowed(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let name = if matches!(res.attr("enable_https_traffic_only"), Some(v) if *v != Value::Null) {
        "enable_https_traffic_only"
    } else {
        "https_traffic_only_enabled"
    };
    flag_at(res, name, true, false, "plain HTTP accepted")
}

/// TLS versions older than 1.2 as Azure spells them: `TLS1_0`, `TLS1_1` (storage) and `1.0`,
/// `1.1` (SQL, App Service).
pub fn is_old_tls(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_uppercase().as_str(),
        "TLS1_0" | "TLS1_1" | "1.0" | "1.1" | "TLS1.0" | "TLS1.1"
    )
}

/// ## What it does
/// Flags an `azurerm_storage_account` with `min_tls_version` `TLS1_0` or `TLS1_1`. The default is
/// `TLS1_2` since azurerm 3.0.
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v2.0, 3.15
/// - NIST SP 800-53 rev5 SC-8, SC-13
pub const TLS_OLD: Rule = Rule {
    meta: RuleMeta {
        id: "azure-storage-tls-old",
        title: "Storage account accepts TLS older than 1.2",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["CIS Azure 3.15", "NIST 800-53 SC-8", "NIST 800-53 SC-13"],
        rationale: "TLS 1.0 and 1.1 are deprecated (RFC 8996); clients can be downgraded to them. \
            The azurerm 3.x/4.x default is TLS1_2, so this is a written choice.",
        remediation: "Set min_tls_version = \"TLS1_2\" or remove the setting.",
        evidence: "min_tls_version",
        format: Format::Terraform,
        kinds: &["azurerm_storage_account"],
    },
    check: tls_old,
    cases: &[
        Case {
            name: "tls 1.0",
            address: "azurerm_storage_account.data",
            expect: Expect::Violation,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name            = \"data\"\n  min_tls_version = \"TLS1_0\"\n}\n",
        },
        Case {
            name: "default",
            address: "azurerm_storage_account.data",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name = \"data\"\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_storage_account.data",
            expect: Expect::Undecided,
            source: "variable \"tls\" {}\nresource \"azurerm_storage_account\" \"data\" {\n  name            = \"data\"\n  min_tls_version = var.tls\n}\n",
        },
    ],
};

fn tls_old(res: &Resource, _: &UnitView<'_>) -> Verdict {
    string_at(
        res,
        "min_tls_version",
        Some("TLS1_2"),
        is_old_tls,
        "TLS older than 1.2 accepted",
    )
}

/// ## What it does
/// Flags an `azurerm_storage_account` that still accepts Shared Key authorisation:
/// `shared_access_key_enabled` true or absent (azurerm 3.x/4.x default true).
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v4.0.0, 10.3.1.3
/// - NIST SP 800-53 rev5 IA-2, AC-3
pub const SHARED_KEY_ENABLED: Rule = Rule {
    meta: RuleMeta {
        id: "azure-storage-shared-key-enabled",
        title: "Storage account accepts Shared Key authorisation",
        severity: Severity::Medium,
        category: Category::Identity,
        standards: &["CIS Azure v4.0 10.3.1.3", "NIST 800-53 IA-2", "NIST 800-53 AC-3"],
        rationale: "An account key is a password for the whole account: whoever holds it, or a \
            SAS token signed with it, reads and writes every container without an Entra ID \
            identity, outside role assignments and Conditional Access, and the requests name no \
            person. The azurerm 3.x/4.x default is true, so an account that does not set \
            shared_access_key_enabled = false keeps its keys usable.",
        remediation: "Move clients to Entra ID (role assignments such as Storage Blob Data \
            Reader, user delegation SAS), then set shared_access_key_enabled = false.",
        evidence: "shared_access_key_enabled (absent means true)",
        format: Format::Terraform,
        kinds: &["azurerm_storage_account"],
    },
    check: shared_key_enabled,
    cases: &[
        Case {
            name: "provider default",
            address: "azurerm_storage_account.data",
            expect: Expect::Violation,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name                     = \"data\"\n  account_tier             = \"Standard\"\n  account_replication_type = \"LRS\"\n}\n",
        },
        Case {
            name: "written true",
            address: "azurerm_storage_account.data",
            expect: Expect::Violation,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name                      = \"data\"\n  shared_access_key_enabled = true\n}\n",
        },
        Case {
            name: "entra id only",
            address: "azurerm_storage_account.data",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name                      = \"data\"\n  shared_access_key_enabled = false\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "azurerm_storage_account.data",
            expect: Expect::Undecided,
            source: "variable \"keys\" {}\nresource \"azurerm_storage_account\" \"data\" {\n  name                      = \"data\"\n  shared_access_key_enabled = var.keys\n}\n",
        },
    ],
};

fn shared_key_enabled(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(
        res,
        "shared_access_key_enabled",
        true,
        true,
        "Shared Key authorisation accepted",
    )
}

/// The standalone network rules resource of a storage account.
const NETWORK_RULES: &str = "azurerm_storage_account_network_rules";

/// Does a setting of an `azurerm_storage_account_network_rules` name `account`? By reference
/// (`storage_account_id = azurerm_storage_account.data.id`, or the 2.x `storage_account_name =
/// azurerm_storage_account.data.name`), or by a literal resource id or name ending in the
/// account's literal `name`. `Maybe` when the setting is not known statically.
fn names_account(v: Option<&Value>, account: &Resource) -> Tri {
    match v {
        Some(Value::Ref(r)) => Tri::from_bool(split_reference(r).is_some_and(|(a, _)| {
            a == account.address || a.strip_suffix("[0]") == Some(account.address.as_str())
        })),
        Some(Value::String(s)) => {
            let Some(name) = account.attr("name").and_then(Value::as_str) else {
                return Tri::No;
            };
            let s = s.trim().trim_end_matches('/');
            let last = s.rsplit('/').next().unwrap_or(s);
            Tri::from_bool(
                last.eq_ignore_ascii_case(name)
                    && (s == last || s.to_ascii_lowercase().contains("/storageaccounts/")),
            )
        }
        Some(Value::Null) | None => Tri::No,
        Some(_) => Tri::Maybe,
    }
}

/// Whether the unit holds an `azurerm_storage_account_network_rules` for `account`: `Yes` when one
/// names it, `Maybe` when one names an account that is not known statically, with the settings
/// that are not.
fn has_standalone_rules(view: &UnitView<'_>, account: &Resource) -> (Tri, Vec<Evidence>) {
    let mut t = Tri::No;
    let mut unknown = Vec::new();
    for r in view.of_kind(NETWORK_RULES) {
        for attr in ["storage_account_id", "storage_account_name"] {
            let named = names_account(r.attr(attr), account);
            if named == Tri::Maybe {
                unknown.push(ev(r, attr_path(attr)));
            }
            t = t.or(named);
        }
    }
    (t, unknown)
}

/// "Admits every network" for a `default_action` as written: `Allow` (any case) does, `Deny`
/// does not. The attribute is required wherever it appears, so an absent one (a configuration
/// that would not plan) is not read as Allow.
fn allows(v: Option<&Value>) -> Tri {
    match read_str(v) {
        Read::Known(a) => Tri::from_bool(a.trim().eq_ignore_ascii_case("allow")),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    }
}

/// ## What it does
/// Flags an `azurerm_storage_account` whose firewall admits every network while public network
/// access is on (`public_network_access_enabled` true or absent, default true): a
/// `network_rules` block with `default_action = "Allow"`, or no `network_rules` block and no
/// `azurerm_storage_account_network_rules` for it in the unit (an account is created with
/// default action Allow). Also flags an `azurerm_storage_account_network_rules` with
/// `default_action = "Allow"`, unless the account it names turns public network access off.
///
/// ## References
/// - CIS Microsoft Azure Foundations Benchmark v3.0.0, 4.7
/// - NIST SP 800-53 rev5 SC-7, AC-3
pub const NETWORK_DEFAULT_ALLOW: Rule = Rule {
    meta: RuleMeta {
        id: "azure-storage-network-default-allow",
        title: "Storage account firewall admits every network",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["CIS Azure v3.0 4.7", "NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "With the default action Allow, the account's endpoints answer every address \
            on the internet, so a leaked key, SAS token or Entra ID token works from anywhere. An \
            account is created with default action Allow and public network access on (azurerm \
            3.x/4.x default true), so one without network rules, inline or standalone, admits \
            every network. Judged within the unit: network rules kept in another unit are not \
            seen. Removing a network_rules block from an existing account leaves the deployed \
            rules as they were (the block is computed), so a removal reads as Allow here while \
            the account may still deny.",
        remediation: "Add network_rules { default_action = \"Deny\" } with the allowed \
            ip_rules and virtual_network_subnet_ids (or an \
            azurerm_storage_account_network_rules), or set public_network_access_enabled = false \
            and use private endpoints.",
        evidence: "public_network_access_enabled (absent means true), network_rules[0].\
            default_action (no block means Allow unless an azurerm_storage_account_network_rules \
            of the unit names the account), or the standalone resource's default_action",
        format: Format::Terraform,
        kinds: &["azurerm_storage_account", NETWORK_RULES],
    },
    check: network_default_allow,
    cases: &[
        Case {
            name: "no network rules",
            address: "azurerm_storage_account.data",
            expect: Expect::Violation,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name                     = \"data\"\n  account_tier             = \"Standard\"\n  account_replication_type = \"LRS\"\n}\n",
        },
        Case {
            name: "inline default allow",
            address: "azurerm_storage_account.data",
            expect: Expect::Violation,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name = \"data\"\n  network_rules {\n    default_action = \"Allow\"\n  }\n}\n",
        },
        Case {
            name: "inline default deny",
            address: "azurerm_storage_account.data",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name = \"data\"\n  network_rules {\n    default_action = \"Deny\"\n    ip_rules       = [\"203.0.113.0/24\"]\n  }\n}\n",
        },
        Case {
            name: "public network access off",
            address: "azurerm_storage_account.data",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name                          = \"data\"\n  public_network_access_enabled = false\n}\n",
        },
        Case {
            name: "standalone rules judge the account's network",
            address: "azurerm_storage_account.data",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name = \"data\"\n}\nresource \"azurerm_storage_account_network_rules\" \"data\" {\n  storage_account_id = azurerm_storage_account.data.id\n  default_action     = \"Deny\"\n  bypass             = [\"AzureServices\"]\n}\n",
        },
        Case {
            name: "standalone rules that allow",
            address: "azurerm_storage_account_network_rules.data",
            expect: Expect::Violation,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name = \"data\"\n}\nresource \"azurerm_storage_account_network_rules\" \"data\" {\n  storage_account_id = azurerm_storage_account.data.id\n  default_action     = \"Allow\"\n}\n",
        },
        Case {
            name: "standalone rules that deny",
            address: "azurerm_storage_account_network_rules.data",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name = \"data\"\n}\nresource \"azurerm_storage_account_network_rules\" \"data\" {\n  storage_account_id = azurerm_storage_account.data.id\n  default_action     = \"Deny\"\n}\n",
        },
        Case {
            name: "standalone allow on an account without public access",
            address: "azurerm_storage_account_network_rules.data",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name                          = \"data\"\n  public_network_access_enabled = false\n}\nresource \"azurerm_storage_account_network_rules\" \"data\" {\n  storage_account_id = azurerm_storage_account.data.id\n  default_action     = \"Allow\"\n}\n",
        },
        Case {
            name: "standalone rules by literal id",
            address: "azurerm_storage_account.data",
            expect: Expect::Pass,
            source: "resource \"azurerm_storage_account\" \"data\" {\n  name = \"contosodata\"\n}\nresource \"azurerm_storage_account_network_rules\" \"data\" {\n  storage_account_id = \"/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/contosodata\"\n  default_action     = \"Deny\"\n}\n",
        },
        Case {
            name: "standalone rules for an unknown account",
            address: "azurerm_storage_account.data",
            expect: Expect::Undecided,
            source: "variable \"account\" {}\nresource \"azurerm_storage_account\" \"data\" {\n  name = \"data\"\n}\nresource \"azurerm_storage_account_network_rules\" \"data\" {\n  storage_account_id = var.account\n  default_action     = \"Deny\"\n}\n",
        },
        Case {
            name: "default action from a variable without default",
            address: "azurerm_storage_account.data",
            expect: Expect::Undecided,
            source: "variable \"action\" {}\nresource \"azurerm_storage_account\" \"data\" {\n  name = \"data\"\n  network_rules {\n    default_action = var.action\n  }\n}\n",
        },
    ],
};

fn network_default_allow(res: &Resource, view: &UnitView<'_>) -> Verdict {
    let public_path = attr_path("public_network_access_enabled");
    if res.kind == NETWORK_RULES {
        let action = attr_path("default_action");
        let v = res.get(&action);
        let mut evidence = vec![ev(res, action.clone())];
        // The account's own public network access, when the unit holds the account.
        let account = view.of_kind("azurerm_storage_account").find(|acc| {
            names_account(res.attr("storage_account_id"), acc)
                .or(names_account(res.attr("storage_account_name"), acc))
                == Tri::Yes
        });
        let public = match account {
            Some(acc) => {
                evidence.push(ev(acc, public_path.clone()));
                bool_is(acc.get(&public_path), true, true)
            }
            None => Tri::Yes,
        };
        return verdict(
            public.and(allows(v)),
            evidence,
            || {
                format!(
                    "network rules admit every network (default_action = {})",
                    show(v)
                )
            },
            Scope::default(),
            || {
                "default_action, or the account's public network access, is not known statically"
                    .into()
            },
        );
    }
    let public = bool_is(res.get(&public_path), true, true);
    let block = SettingPath::parse("network_rules[0].default_action");
    let unknown = unknown_blocks_of(res, "network_rules");
    let inline = res.blocks("network_rules");
    let mut evidence = vec![ev(res, public_path), ev(res, block.clone())];
    let (open, how) = if !unknown.is_empty() {
        evidence.extend(unknown.iter().map(|p| ev(res, p.clone())));
        (Tri::Maybe, String::new())
    } else if let Some((path, _)) = inline.first() {
        let v = lookup(res, &path.key("default_action"));
        (allows(v), format!("{block} = {}", show(v)))
    } else {
        let (t, unknown) = has_standalone_rules(view, res);
        evidence.extend(unknown);
        match t {
            // Judged on the standalone resource itself.
            Tri::Yes => (Tri::No, String::new()),
            t => (
                !t,
                format!(
                    "no network_rules and no {NETWORK_RULES} in the unit: default action Allow"
                ),
            ),
        }
    };
    verdict(
        public.and(open),
        evidence,
        || format!("storage firewall admits every network ({how})"),
        Scope::default(),
        || {
            "public network access, the network rules, or the account a network rules resource \
             names is not known statically"
                .into()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Resource;
    use std::cmp::Ordering;

    fn container(access: &str) -> Resource {
        let body = Value::Map(
            [("container_access_type".to_string(), Value::str(access))]
                .into_iter()
                .collect(),
        );
        Resource::for_test(
            "azurerm_storage_container.c",
            "azurerm_storage_container",
            body,
        )
    }

    /// `blob` to `container` adds listing: a widening the timeline can see.
    #[test]
    fn container_listing_is_wider_than_blob_reading() {
        let unit = crate::model::Unit::default();
        let view = UnitView::new(&unit);
        let scope = |a: &str| match container_public(&container(a), &view) {
            Verdict::Violation(f) => f.scope,
            v => panic!("{a}: {v:?}"),
        };
        assert_eq!(
            scope("container").compare(&scope("blob")),
            Some(Ordering::Greater)
        );
        assert_eq!(
            container_public(&container("private"), &view),
            Verdict::Pass
        );
    }
}
