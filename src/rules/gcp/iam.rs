//! Google Cloud IAM: who is granted what, read from the three Terraform shapes every resource's
//! IAM comes in, and the rules about grants of projects and service account keys.
//!
//! `google_*_iam_member` grants one role to one member, `google_*_iam_binding` one role to a list
//! of members, and `google_*_iam_policy` a whole policy, usually from a `data.google_iam_policy`
//! whose `binding` blocks are followed. [`grants`] reads all three into (role, member) pairs with
//! the setting each comes from; the bucket, key and project rules differ only in which roles and
//! members they look for. The scope of a violation is its members and roles, so adding a member
//! or a role to a public grant is a widening.

use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::helpers::{attr_path, dedup, ev, read_str, Read, Tri};
use crate::rules::{
    Case, Category, Evidence, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// One (role, member) grant and the setting that names the member.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub at: Vec<Evidence>,
    /// `None` when the role is not known statically.
    pub role: Option<String>,
    /// `None` when the member is not known statically.
    pub member: Option<String>,
}

/// The grants an IAM resource makes. A policy that cannot be followed (a literal JSON
/// `policy_data`, a policy from another unit) gives one grant with role and member unknown.
pub(crate) fn grants(res: &Resource, view: &UnitView<'_>) -> Vec<Grant> {
    let mut out = Vec::new();
    if res.kind.ends_with("_iam_member") {
        push_members(&mut out, res, &res.body, &SettingPath::root(), "member");
    } else if res.kind.ends_with("_iam_binding") {
        push_members(&mut out, res, &res.body, &SettingPath::root(), "members");
    } else if res.kind.ends_with("_iam_policy") {
        let policy = res.attr("policy_data");
        match policy.and_then(|p| view.follow(p)) {
            Some((data, _)) if data.kind == "data.google_iam_policy" => {
                for (path, binding) in data.blocks("binding") {
                    push_members(&mut out, data, binding, &path, "members");
                }
                for path in crate::rules::helpers::unknown_blocks_of(data, "binding") {
                    out.push(Grant {
                        at: vec![ev(data, path)],
                        role: None,
                        member: None,
                    });
                }
            }
            _ => out.push(Grant {
                at: vec![ev(res, attr_path("policy_data"))],
                role: None,
                member: None,
            }),
        }
    }
    out
}

/// The grants of one role and its member(s) in `block` (at `path` of `res`).
fn push_members(
    out: &mut Vec<Grant>,
    res: &Resource,
    block: &Value,
    path: &SettingPath,
    key: &str,
) {
    let get = |k: &str| block.as_map().and_then(|m| m.get(k));
    let role = match read_str(get("role")) {
        Read::Known(r) => Some(r.trim().to_string()),
        _ => None,
    };
    let at = vec![ev(res, path.key("role")), ev(res, path.key(key))];
    let members = get(key).map(Value::as_scalar_list).unwrap_or_default();
    for m in members {
        out.push(Grant {
            at: at.clone(),
            role: role.clone(),
            member: match m {
                Value::String(s) => Some(s.trim().to_string()),
                _ => None,
            },
        });
    }
    if matches!(get(key), Some(Value::Unknown(_) | Value::Ref(_))) {
        out.push(Grant {
            at,
            role,
            member: None,
        });
    }
}

/// `allUsers` (anyone on the internet) or `allAuthenticatedUsers` (anyone with a Google account).
pub fn is_public_member(m: &str) -> bool {
    m == "allUsers" || m == "allAuthenticatedUsers"
}

/// Judges the grants of `res`: a violation for each grant whose role satisfies `role` and whose
/// member satisfies `member`; undecided when none does but one might.
pub(crate) fn judge_grants(
    res: &Resource,
    view: &UnitView<'_>,
    role: impl Fn(&str) -> bool,
    member: impl Fn(&str) -> bool,
    what: &str,
) -> Verdict {
    let mut evidence = Vec::new();
    let mut maybe = Vec::new();
    let mut members = Vec::new();
    let mut roles = Vec::new();
    for g in grants(res, view) {
        let r = g
            .role
            .as_deref()
            .map_or(Tri::Maybe, |x| Tri::from_bool(role(x)));
        let m = g
            .member
            .as_deref()
            .map_or(Tri::Maybe, |x| Tri::from_bool(member(x)));
        match r.and(m) {
            Tri::Yes => {
                evidence.extend(g.at);
                members.extend(g.member);
                roles.extend(g.role);
            }
            Tri::Maybe => maybe.extend(g.at),
            Tri::No => {}
        }
    }
    if !members.is_empty() {
        let (members, roles) = (dedup(members), dedup(roles));
        return Verdict::Violation(Finding {
            evidence: dedup(evidence),
            summary: format!(
                "{what}: {} granted to {}",
                roles.join(", "),
                members.join(", ")
            ),
            scope: Scope {
                actions: roles,
                principals: members,
                ..Scope::default()
            },
        });
    }
    if !maybe.is_empty() {
        return Verdict::Undecided {
            evidence: dedup(maybe),
            reason: "a role or member of the grant is not known statically".into(),
        };
    }
    Verdict::Pass
}

/// Primitive roles that give write access to (nearly) everything in their scope.
fn is_primitive_write_role(r: &str) -> bool {
    r == "roles/owner" || r == "roles/editor"
}

/// Members that are people or the public, rather than workloads: users, groups, whole domains,
/// `allUsers`, `allAuthenticatedUsers`.
fn is_person_or_public(m: &str) -> bool {
    is_public_member(m)
        || ["user:", "group:", "domain:"]
            .iter()
            .any(|p| m.starts_with(p))
}

/// ## What it does
/// Flags a project, folder or organization IAM grant of `roles/owner` or `roles/editor` to a
/// user, group, domain, `allUsers` or `allAuthenticatedUsers`.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-6, AC-2
pub const PRIMITIVE_ROLE: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-iam-primitive-role",
        title: "Owner or Editor granted to people or the public",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-6", "NIST 800-53 AC-2"],
        rationale: "The primitive Owner and Editor roles grant write access to nearly every \
            service of the project; to a user, group or domain they follow those people's \
            credentials anywhere, and to allUsers or allAuthenticatedUsers they give the project \
            away.",
        remediation: "Grant predefined or custom roles limited to the services needed, through \
            groups, and keep Owner for break-glass accounts.",
        evidence: "role and member(s) of each offending grant (in the binding of the \
            data.google_iam_policy for *_iam_policy)",
        format: Format::Terraform,
        kinds: &[
            "google_folder_iam_binding",
            "google_folder_iam_member",
            "google_folder_iam_policy",
            "google_organization_iam_binding",
            "google_organization_iam_member",
            "google_organization_iam_policy",
            "google_project_iam_binding",
            "google_project_iam_member",
            "google_project_iam_policy",
        ],
    },
    check: primitive_role,
    cases: &[
        Case {
            name: "editor to a user",
            address: "google_project_iam_member.dev",
            expect: Expect::Violation,
            source: "resource \"google_project_iam_member\" \"dev\" {\n  project = \"shop\"\n  role    = \"roles/editor\"\n  member  = \"user:dev@example.com\"\n}\n",
        },
        Case {
            name: "owner through a policy document",
            address: "google_project_iam_policy.p",
            expect: Expect::Violation,
            source: r#"
data "google_iam_policy" "p" {
  binding {
    role    = "roles/viewer"
    members = ["group:staff@example.com"]
  }
  binding {
    role    = "roles/owner"
    members = ["group:engineering@example.com"]
  }
}

resource "google_project_iam_policy" "p" {
  project     = "shop"
  policy_data = data.google_iam_policy.p.policy_data
}
"#,
        },
        Case {
            name: "editor to a service account",
            address: "google_project_iam_binding.ci",
            expect: Expect::Pass,
            source: "resource \"google_project_iam_binding\" \"ci\" {\n  project = \"shop\"\n  role    = \"roles/editor\"\n  members = [\"serviceAccount:ci@shop.iam.gserviceaccount.com\"]\n}\n",
        },
        Case {
            name: "viewer to a user",
            address: "google_project_iam_member.dev",
            expect: Expect::Pass,
            source: "resource \"google_project_iam_member\" \"dev\" {\n  project = \"shop\"\n  role    = \"roles/viewer\"\n  member  = \"user:dev@example.com\"\n}\n",
        },
        Case {
            name: "owner to members from a variable without default",
            address: "google_project_iam_binding.owners",
            expect: Expect::Undecided,
            source: "variable \"owners\" {}\nresource \"google_project_iam_binding\" \"owners\" {\n  project = \"shop\"\n  role    = \"roles/owner\"\n  members = var.owners\n}\n",
        },
    ],
};

fn primitive_role(res: &Resource, view: &UnitView<'_>) -> Verdict {
    judge_grants(
        res,
        view,
        is_primitive_write_role,
        is_person_or_public,
        "primitive role",
    )
}

/// Roles that let their holder act as any service account of the scope they are granted on:
/// attach it to workloads (`serviceAccountUser`) or mint its tokens (`serviceAccountTokenCreator`).
fn is_impersonation_role(r: &str) -> bool {
    r == "roles/iam.serviceAccountUser" || r == "roles/iam.serviceAccountTokenCreator"
}

/// ## What it does
/// Flags a project-level grant (`google_project_iam_member`, `_binding`, `_policy`) of
/// `roles/iam.serviceAccountUser` or `roles/iam.serviceAccountTokenCreator`, to any member.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 1.6
/// - NIST SP 800-53 rev5 AC-6
pub const SERVICE_ACCOUNT_USER_PROJECT: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-iam-service-account-user-project",
        title: "Service Account User or Token Creator granted on the whole project",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["CIS GCP 1.6", "NIST 800-53 AC-6"],
        rationale: "Granted on the project, these roles apply to every service account in it, \
            present and future: the member can run workloads as, or mint tokens for, the most \
            privileged of them (the default Compute Engine account is often an Editor) and so \
            holds their roles too. Granted on one service account \
            (google_service_account_iam_member) they are limited to it.",
        remediation: "Remove the project-level grant and grant the role on the service accounts \
            the member needs, with google_service_account_iam_member.",
        evidence: "role and member(s) of each offending grant (in the binding of the \
            data.google_iam_policy for google_project_iam_policy)",
        format: Format::Terraform,
        kinds: &[
            "google_project_iam_binding",
            "google_project_iam_member",
            "google_project_iam_policy",
        ],
    },
    check: service_account_user_project,
    cases: &[
        Case {
            name: "service account user to a group",
            address: "google_project_iam_member.deployers",
            expect: Expect::Violation,
            source: "resource \"google_project_iam_member\" \"deployers\" {\n  project = \"shop\"\n  role    = \"roles/iam.serviceAccountUser\"\n  member  = \"group:deployers@example.com\"\n}\n",
        },
        Case {
            name: "token creator through a policy document",
            address: "google_project_iam_policy.p",
            expect: Expect::Violation,
            source: r#"
data "google_iam_policy" "p" {
  binding {
    role    = "roles/viewer"
    members = ["group:staff@example.com"]
  }
  binding {
    role    = "roles/iam.serviceAccountTokenCreator"
    members = ["serviceAccount:ci@shop.iam.gserviceaccount.com"]
  }
}

resource "google_project_iam_policy" "p" {
  project     = "shop"
  policy_data = data.google_iam_policy.p.policy_data
}
"#,
        },
        Case {
            name: "another role",
            address: "google_project_iam_binding.viewers",
            expect: Expect::Pass,
            source: "resource \"google_project_iam_binding\" \"viewers\" {\n  project = \"shop\"\n  role    = \"roles/iam.serviceAccountViewer\"\n  members = [\"group:staff@example.com\"]\n}\n",
        },
        Case {
            name: "role from a variable without default",
            address: "google_project_iam_member.m",
            expect: Expect::Undecided,
            source: "variable \"role\" {}\nresource \"google_project_iam_member\" \"m\" {\n  project = \"shop\"\n  role    = var.role\n  member  = \"group:deployers@example.com\"\n}\n",
        },
    ],
};

fn service_account_user_project(res: &Resource, view: &UnitView<'_>) -> Verdict {
    judge_grants(
        res,
        view,
        is_impersonation_role,
        |_| true,
        "project-wide service account impersonation",
    )
}

/// ## What it does
/// Flags a `google_service_account_key` generated by Google for Terraform (no `public_key_data`):
/// a user-managed key whose private key is returned to Terraform and kept in its state.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 1.4
/// - NIST SP 800-53 rev5 IA-5, SC-12
pub const SERVICE_ACCOUNT_KEY: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-iam-service-account-key-in-state",
        title: "Service account key created by Terraform (private key in state)",
        severity: Severity::Medium,
        category: Category::Secrets,
        standards: &["CIS GCP 1.4", "NIST 800-53 IA-5", "NIST 800-53 SC-12"],
        rationale: "A user-managed key never expires by default and authenticates as the service \
            account from anywhere; created this way its private key sits in the Terraform state \
            (private_key), readable by whoever reads the state.",
        remediation: "Use Workload Identity Federation or attached service accounts instead of \
            keys; if a key is unavoidable, generate it outside Terraform and upload only its \
            public_key_data.",
        evidence: "service_account_id and public_key_data (absent)",
        format: Format::Terraform,
        kinds: &["google_service_account_key"],
    },
    check: service_account_key,
    cases: &[
        Case {
            name: "generated key",
            address: "google_service_account_key.ci",
            expect: Expect::Violation,
            source: "resource \"google_service_account_key\" \"ci\" {\n  service_account_id = \"ci@shop.iam.gserviceaccount.com\"\n}\n",
        },
        Case {
            name: "uploaded public key",
            address: "google_service_account_key.ci",
            expect: Expect::Pass,
            source: "resource \"google_service_account_key\" \"ci\" {\n  service_account_id = \"ci@shop.iam.gserviceaccount.com\"\n  public_key_data    = \"LS0tLS1CRUdJTi...\"\n}\n",
        },
    ],
};

fn service_account_key(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let generated = matches!(res.attr("public_key_data"), None | Some(Value::Null));
    crate::rules::helpers::verdict(
        Tri::from_bool(generated),
        vec![
            ev(res, attr_path("service_account_id")),
            ev(res, attr_path("public_key_data")),
        ],
        || "service account key generated by Google: the private key is in Terraform state".into(),
        Scope::default(),
        String::new,
    )
}

/// ## What it does
/// Flags credentials written as literals in a `provider "google"` block.
///
/// ## References
/// - NIST SP 800-53 rev5 IA-5(7) (no embedded unencrypted static authenticators)
pub const PROVIDER_LITERAL: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-provider-credentials-literal",
        title: "Google Cloud provider credentials written in the code",
        severity: Severity::High,
        category: Category::Secrets,
        standards: &["NIST 800-53 IA-5(7)"],
        rationale: crate::rules::provider_credentials::RATIONALE,
        remediation: "Revoke the key now; use application default credentials, workload identity federation or GOOGLE_CREDENTIALS from the environment.",
        evidence: "credentials, access_token given as a literal string",
        format: Format::Terraform,
        kinds: &["provider.google"],
    },
    check: |res, _| crate::rules::provider_credentials::literal_credentials(res, &["credentials", "access_token"]),
    cases: &[
        Case {
            name: "literal credentials",
            address: "provider.google",
            expect: Expect::Violation,
            source: r#"
provider "google" {
  project     = "p"
  credentials = "{\"type\": \"service_account\", \"private_key_id\": \"abc\"}"
}
"#,
        },
        Case {
            name: "credentials from a variable without default",
            address: "provider.google",
            expect: Expect::Pass,
            source: r#"
provider "google" {
  project = "p"
}
"#,
        },
    ],
};
