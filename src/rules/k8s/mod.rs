//! The Kubernetes pack: workloads (pod specs wherever they live), RBAC, and what exposes a service
//! to the network. One file per family of rules over the same objects, each rule a `const`
//! [`Rule`] with its documentation, its check and its own cases (YAML manifests).
//!
//! The helpers here answer the questions every workload rule asks: where is the pod spec of this
//! object (a Pod's `spec`, a CronJob's `spec.jobTemplate.spec.template.spec`, every other
//! controller's `spec.template.spec`), which containers does it run (containers, init and
//! ephemeral containers, keyed by name as [`crate::formats::kubernetes`] reads them), and how
//! per-container judgements combine into one verdict for the object.
//!
//! Standards are cited as: `CIS Kubernetes 5.2.2` (CIS Kubernetes Benchmark v1.8 section),
//! `NSA/CISA Kubernetes Hardening` (the 2022 guide, v1.2, with the section's topic), and
//! `PSS Baseline` / `PSS Restricted` (the Pod Security Standards profile whose control it is).

use crate::model::{SettingPath, Value};
use crate::rules::helpers::Tri;
use crate::rules::{Evidence, Finding, Rule, Scope, Verdict};

pub mod network;
pub mod pod;
pub mod rbac;

/// The kinds that hold a pod spec.
pub const WORKLOADS: &[&str] = &[
    "CronJob",
    "DaemonSet",
    "Deployment",
    "Job",
    "Pod",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
];

/// Every rule of the pack, sorted by id.
pub static RULES: &[Rule] = &[
    rbac::BINDING_ADMIN_BROAD,
    rbac::BINDING_ANONYMOUS,
    pod::DANGEROUS_CAPABILITIES,
    pod::HOST_IPC,
    pod::HOST_NETWORK,
    pod::HOST_PATH_SENSITIVE,
    pod::HOST_PATH_VOLUME,
    pod::HOST_PID,
    network::INGRESS_NO_TLS,
    network::NETWORK_POLICY_ALLOW_ALL,
    pod::PRIVILEGE_ESCALATION,
    pod::ESCALATION_NOT_DISABLED,
    pod::PRIVILEGED,
    rbac::WILDCARD,
    pod::NON_ROOT_NOT_REQUIRED,
    pod::RUN_AS_ROOT,
    pod::SECRET_LITERAL_ENV,
    network::SERVICE_LB_OPEN,
    network::SERVICE_NODEPORT,
];

/// The pod spec of a workload, with its path.
pub fn pod_spec(res: &crate::model::Resource) -> Option<(SettingPath, &Value)> {
    let path = match res.kind.as_str() {
        "Pod" => "spec",
        "CronJob" => "spec.jobTemplate.spec.template.spec",
        _ => "spec.template.spec",
    };
    let p = SettingPath::parse(path);
    res.get(&p)
        .filter(|v| matches!(v, Value::Map(_)))
        .map(|v| (p, v))
}

/// One container of a pod spec.
pub struct Container<'a> {
    pub name: String,
    pub path: SettingPath,
    pub body: &'a Value,
}

impl<'a> Container<'a> {
    /// The value at a path relative to the container, and that path made absolute.
    pub fn at(&self, rel: &str) -> (SettingPath, Option<&'a Value>) {
        let rel = SettingPath::parse(rel);
        let mut abs = self.path.clone();
        abs.0.extend(rel.0.iter().cloned());
        (abs, self.body.get_path(&rel))
    }
}

/// Containers, init containers and ephemeral containers of a pod spec, named (a list the reader
/// could not key by name gives `#index`).
pub fn containers<'a>(spec_path: &SettingPath, spec: &'a Value) -> Vec<Container<'a>> {
    let mut out = Vec::new();
    for key in ["containers", "initContainers", "ephemeralContainers"] {
        let base = spec_path.key(key);
        match spec.as_map().and_then(|m| m.get(key)) {
            Some(Value::Map(m)) => out.extend(m.iter().map(|(name, body)| Container {
                name: name.clone(),
                path: base.key(name),
                body,
            })),
            Some(Value::List(l)) => out.extend(l.iter().enumerate().map(|(i, body)| {
                Container {
                    name: body
                        .as_map()
                        .and_then(|m| m.get("name"))
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("#{i}"), str::to_string),
                    path: base.index(i),
                    body,
                }
            })),
            _ => {}
        }
    }
    out
}

/// One judgement inside an object (a container, a volume, a rule of a role).
pub struct Part {
    pub truth: Tri,
    pub evidence: Vec<Evidence>,
    pub summary: String,
}

/// Parts combine as the Terraform pack's entries do: any violating part makes the object violate
/// (with the evidence of every violating part), else any undecided part makes it undecided, else
/// it passes.
pub fn combine(parts: Vec<Part>, scope: Scope) -> Verdict {
    let (yes, rest): (Vec<Part>, Vec<Part>) = parts.into_iter().partition(|p| p.truth == Tri::Yes);
    if !yes.is_empty() {
        let mut evidence: Vec<Evidence> = yes.iter().flat_map(|p| p.evidence.clone()).collect();
        evidence.sort();
        evidence.dedup();
        let summary = yes
            .iter()
            .map(|p| p.summary.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        return Verdict::Violation(Finding {
            evidence,
            summary,
            scope,
        });
    }
    let maybe: Vec<Part> = rest.into_iter().filter(|p| p.truth == Tri::Maybe).collect();
    if !maybe.is_empty() {
        let mut evidence: Vec<Evidence> = maybe.iter().flat_map(|p| p.evidence.clone()).collect();
        evidence.sort();
        evidence.dedup();
        return Verdict::Undecided {
            evidence,
            reason: maybe
                .iter()
                .map(|p| p.summary.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        };
    }
    Verdict::Pass
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_by_id_and_has_at_least_15_rules() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.meta.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);
        assert!(ids.len() >= 15);
        for r in RULES {
            assert_eq!(
                r.meta.format,
                crate::model::Format::Kubernetes,
                "{}",
                r.meta.id
            );
            assert!(r.meta.id.starts_with("k8s-"), "{}", r.meta.id);
            assert!(
                r.meta
                    .standards
                    .iter()
                    .any(|s| s.starts_with("CIS Kubernetes")
                        || s.starts_with("NSA/CISA")
                        || s.starts_with("PSS")),
                "{} cites no Kubernetes standard",
                r.meta.id
            );
        }
    }
}
