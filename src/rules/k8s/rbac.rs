//! RBAC: roles that grant everything, and bindings that hand roles to everyone.
//!
//! A binding's role is judged by what the unit shows of it: `cluster-admin` by name (it is built
//! in), or a Role/ClusterRole of the same file whose rules use wildcards. A role defined in
//! another file is not followed (a unit is a file), so such a binding is judged only when its
//! role is `cluster-admin`; this is a known limit, not a guess that the role is harmless.

use super::Part;
use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::helpers::Tri;
use crate::rules::{
    Case, Category, Evidence, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// The `rules[i]` of a role that grant every verb or every resource, with the settings that do.
fn wildcard_rules(res: &Resource) -> Vec<(SettingPath, Vec<&'static str>)> {
    let mut out = Vec::new();
    let Some(rules) = res.attr("rules").and_then(Value::as_list) else {
        return out;
    };
    for (i, r) in rules.iter().enumerate() {
        let mut fields = Vec::new();
        for field in ["verbs", "resources", "apiGroups"] {
            let star = r
                .as_map()
                .and_then(|m| m.get(field))
                .map(|v| v.as_scalar_list().iter().any(|x| x.as_str() == Some("*")))
                .unwrap_or(false);
            if star && field != "apiGroups" {
                fields.push(field);
            }
        }
        if !fields.is_empty() {
            out.push((SettingPath::root().key("rules").index(i), fields));
        }
    }
    out
}

/// Flags a Role or ClusterRole with a rule whose `verbs` or `resources` is `*`.
pub const WILDCARD: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-rbac-wildcard",
        title: "RBAC role grants wildcard verbs or resources",
        severity: Severity::High,
        category: Category::Identity,
        standards: &[
            "CIS Kubernetes 5.1.3",
            "NSA/CISA Kubernetes Hardening: authentication and authorization",
        ],
        rationale: "A wildcard grants every verb (escalate, bind, impersonate included) or every \
            resource (secrets included), today's and those added by future API versions and CRDs.",
        remediation: "List the verbs and resources the subject needs; never grant escalate, bind \
            or impersonate without a reason written next to it.",
        evidence: "rules[i].verbs and rules[i].resources of each rule with a wildcard",
        format: Format::Kubernetes,
        kinds: &["ClusterRole", "Role"],
    },
    check: |res, _| {
        let parts = wildcard_rules(res)
            .into_iter()
            .map(|(p, fields)| Part {
                truth: Tri::Yes,
                evidence: fields
                    .iter()
                    .map(|f| Evidence::new(&res.address, p.key(f)))
                    .collect(),
                summary: format!("{p}: {} = *", fields.join(" and ")),
            })
            .collect();
        super::combine(parts, Scope::default())
    },
    cases: &[
        Case {
            name: "every verb on secrets",
            address: "Role/app/secret-admin",
            expect: Expect::Violation,
            source: "\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-admin, namespace: app}
rules:
  - apiGroups: ['']
    resources: [secrets]
    verbs: ['*']
",
        },
        Case {
            name: "read-only pods",
            address: "ClusterRole/pod-reader",
            expect: Expect::Pass,
            source: "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules:
  - apiGroups: ['']
    resources: [pods]
    verbs: [get, list, watch]
",
        },
    ],
};

const ANONYMOUS: &[&str] = &["system:anonymous", "system:unauthenticated"];

struct Subject {
    path: SettingPath,
    kind: String,
    name: String,
    namespace: Option<String>,
}

fn subjects(res: &Resource) -> Vec<Subject> {
    let Some(list) = res.attr("subjects").and_then(Value::as_list) else {
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let m = s.as_map()?;
            let get = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
            Some(Subject {
                path: SettingPath::root().key("subjects").index(i),
                kind: get("kind").unwrap_or_default(),
                name: get("name").unwrap_or_default(),
                namespace: get("namespace"),
            })
        })
        .collect()
}

fn role_name(res: &Resource) -> Option<&str> {
    res.get(&SettingPath::parse("roleRef.name"))
        .and_then(Value::as_str)
}

/// Flags a RoleBinding or ClusterRoleBinding whose subjects include `system:anonymous` or the
/// group `system:unauthenticated`, whatever the role.
pub const BINDING_ANONYMOUS: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-binding-anonymous",
        title: "Role bound to anonymous or unauthenticated users",
        severity: Severity::Critical,
        category: Category::Identity,
        standards: &[
            "CIS Kubernetes 5.1.1",
            "NSA/CISA Kubernetes Hardening: authentication and authorization",
        ],
        rationale: "Anything bound to system:anonymous or system:unauthenticated is granted to \
            whoever reaches the API server, with no credentials at all.",
        remediation: "Remove the subject; grant the role to named users, groups or service \
            accounts.",
        evidence: "subjects[i].name of each anonymous subject, and roleRef.name",
        format: Format::Kubernetes,
        kinds: &["ClusterRoleBinding", "RoleBinding"],
    },
    check: |res, _| {
        let parts = subjects(res)
            .into_iter()
            .filter(|s| ANONYMOUS.contains(&s.name.as_str()))
            .map(|s| Part {
                truth: Tri::Yes,
                evidence: vec![
                    Evidence::new(&res.address, s.path.key("name")),
                    Evidence::new(&res.address, SettingPath::parse("roleRef.name")),
                ],
                summary: format!(
                    "{} bound to {} {}",
                    role_name(res).unwrap_or("a role"),
                    s.kind,
                    s.name
                ),
            })
            .collect();
        super::combine(parts, Scope::default())
    },
    cases: &[
        Case {
            name: "viewer for anonymous",
            address: "ClusterRoleBinding/anon-view",
            expect: Expect::Violation,
            source: "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: anon-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: User, name: system:anonymous, apiGroup: rbac.authorization.k8s.io}
",
        },
        Case {
            name: "named group",
            address: "ClusterRoleBinding/ops-view",
            expect: Expect::Pass,
            source: "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}
",
        },
    ],
};

/// Is the bound role all-powerful, as far as the unit shows?
fn admin_role<'a>(res: &Resource, view: &UnitView<'a>) -> Option<(String, Option<&'a Resource>)> {
    let name = role_name(res)?;
    if name == "cluster-admin" {
        return Some((name.to_string(), None));
    }
    let kind = res
        .get(&SettingPath::parse("roleRef.kind"))
        .and_then(Value::as_str)?;
    let role = view.resources().find(|r| {
        r.kind == kind
            && r.get(&SettingPath::parse("metadata.name"))
                .and_then(Value::as_str)
                == Some(name)
    })?;
    (!wildcard_rules(role).is_empty()).then(|| (name.to_string(), Some(role)))
}

/// Is this subject everyone, every service account, or a namespace's default service account?
fn broad(s: &Subject) -> bool {
    match s.kind.as_str() {
        "Group" => {
            s.name == "system:authenticated"
                || s.name == "system:serviceaccounts"
                || s.name.starts_with("system:serviceaccounts:")
        }
        "ServiceAccount" => s.name == "default",
        "User" => s.name.starts_with("system:serviceaccount:") && s.name.ends_with(":default"),
        _ => false,
    }
}

fn binding_admin_broad(res: &Resource, view: &UnitView<'_>) -> Verdict {
    let Some((role, role_res)) = admin_role(res, view) else {
        return Verdict::Pass;
    };
    let parts = subjects(res)
        .into_iter()
        .filter(broad)
        .map(|s| {
            let mut evidence = vec![
                Evidence::new(&res.address, s.path.key("name")),
                Evidence::new(&res.address, SettingPath::parse("roleRef.name")),
            ];
            if let Some(r) = role_res {
                for (p, fields) in wildcard_rules(r) {
                    evidence.extend(fields.iter().map(|f| Evidence::new(&r.address, p.key(f))));
                }
            }
            Part {
                truth: Tri::Yes,
                evidence,
                summary: format!(
                    "{role} bound to {} {}{}",
                    s.kind,
                    s.name,
                    s.namespace
                        .as_deref()
                        .map(|n| format!(" in {n}"))
                        .unwrap_or_default()
                ),
            }
        })
        .collect();
    super::combine(parts, Scope::default())
}

/// Flags a binding of `cluster-admin` (or a wildcard role of the same file) to every
/// authenticated user, every service account, or a namespace's `default` service account.
pub const BINDING_ADMIN_BROAD: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-binding-admin-broad",
        title: "Cluster-admin or wildcard role bound to a broad subject",
        severity: Severity::Critical,
        category: Category::Identity,
        standards: &[
            "CIS Kubernetes 5.1.1",
            "CIS Kubernetes 5.1.5",
            "NSA/CISA Kubernetes Hardening: authentication and authorization",
        ],
        rationale: "Every pod that does not name a service account runs as its namespace's \
            default one, and system:authenticated is anyone with any credential: binding an \
            all-powerful role to them hands the cluster to any compromised pod or user.",
        remediation: "Bind the role to a dedicated service account or a named group, and narrow \
            the role to what that subject needs.",
        evidence: "subjects[i].name of each broad subject, roleRef.name, and the wildcard \
            settings of the role when it is in the same file",
        format: Format::Kubernetes,
        kinds: &["ClusterRoleBinding", "RoleBinding"],
    },
    check: binding_admin_broad,
    cases: &[
        Case {
            name: "cluster-admin for the default service account",
            address: "ClusterRoleBinding/ci-admin",
            expect: Expect::Violation,
            source: "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: default, namespace: ci}
",
        },
        Case {
            name: "wildcard role of the same file for all authenticated users",
            address: "ClusterRoleBinding/everyone",
            expect: Expect::Violation,
            source: "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: god}
rules:
  - apiGroups: ['*']
    resources: ['*']
    verbs: ['*']
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: god}
subjects:
  - {kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}
",
        },
        Case {
            name: "cluster-admin for a dedicated service account",
            address: "ClusterRoleBinding/ci-admin",
            expect: Expect::Pass,
            source: "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ci}
",
        },
        Case {
            name: "view for all authenticated users",
            address: "ClusterRoleBinding/everyone",
            expect: Expect::Pass,
            source: "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}
",
        },
    ],
};
