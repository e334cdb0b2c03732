//! Workloads: what a pod spec lets its containers do to the node and the cluster (privilege, the
//! host's namespaces and filesystem, root, capabilities) and secrets written into it.
//!
//! Every rule here is evaluated on each kind of [`WORKLOADS`] and judges the pod spec wherever the
//! kind keeps it. Absent settings take the API server's defaults (`privileged`, `hostNetwork` and
//! friends default to false). Where the Pod Security Standards' Restricted profile requires a
//! field to be written (`allowPrivilegeEscalation: false`, `runAsNonRoot: true`), a rule of its
//! own reports it unset, at Low severity and saying "not set": nearly every manifest leaves those
//! unset, so their windows open at a file's first commit, and the explicit permissive values
//! (`allowPrivilegeEscalation: true`, `runAsUser: 0`) keep their own, higher-severity rules so
//! the choices that matter stand out. Pod-level and container-level security contexts combine as
//! the kubelet combines them: the container's field, else the pod's.

use super::{combine, containers, pod_spec, Container, Part, WORKLOADS};
use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::helpers::{read_bool, read_i64, show, Read, Tri};
use crate::rules::{
    Case, Category, Evidence, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

fn tri_bool(v: Option<&Value>, bad: bool) -> Tri {
    match read_bool(v) {
        Read::Absent => Tri::No,
        Read::Known(b) => Tri::from_bool(b == bad),
        Read::Unknown => Tri::Maybe,
    }
}

/// A boolean of each container's that is permissive when `bad`.
fn container_flag(res: &Resource, rel: &str, bad: bool) -> Verdict {
    let Some((sp, spec)) = pod_spec(res) else {
        return Verdict::Pass;
    };
    let parts = containers(&sp, spec)
        .into_iter()
        .map(|c| {
            let (path, v) = c.at(rel);
            Part {
                truth: tri_bool(v, bad),
                evidence: vec![Evidence::new(&res.address, path)],
                summary: format!("container {}: {rel} = {}", c.name, show(v)),
            }
        })
        .collect();
    combine(parts, Scope::default())
}

/// A boolean of the pod spec's that is permissive when true.
fn pod_flag(res: &Resource, key: &str) -> Verdict {
    let Some((sp, spec)) = pod_spec(res) else {
        return Verdict::Pass;
    };
    let v = spec.as_map().and_then(|m| m.get(key));
    combine(
        vec![Part {
            truth: tri_bool(v, true),
            evidence: vec![Evidence::new(&res.address, sp.key(key))],
            summary: format!("{key} = {}", show(v)),
        }],
        Scope::default(),
    )
}

const POD_PRIVILEGED: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: app
      image: app:1
    - name: debug
      image: busybox
      securityContext:
        privileged: true
";

/// ## What it does
/// Flags a workload with a container (init and ephemeral containers included) whose
/// `securityContext.privileged` is true.
///
/// ## Why is this bad?
/// A privileged container runs with every capability and the host's devices: it is root on the
/// node, and from the node on every pod scheduled there.
///
/// ## References
/// - CIS Kubernetes Benchmark 5.2.2; Pod Security Standards, Baseline; NSA/CISA Kubernetes
///   Hardening Guide, "Pod security".
pub const PRIVILEGED: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-privileged-container",
        title: "Container runs privileged",
        severity: Severity::Critical,
        category: Category::Compute,
        standards: &[
            "CIS Kubernetes 5.2.2",
            "NSA/CISA Kubernetes Hardening: pod security",
            "PSS Baseline",
        ],
        rationale: "A privileged container has every capability and the host's devices: a \
            compromise of it is a compromise of the node and of every pod on it.",
        remediation: "Remove securityContext.privileged (or set it to false) and grant only the \
            capabilities the container needs.",
        evidence: "containers.NAME.securityContext.privileged of each container (init and \
            ephemeral containers included)",
        format: Format::Kubernetes,
        kinds: WORKLOADS,
    },
    check: |res, _| container_flag(res, "securityContext.privileged", true),
    cases: &[
        Case {
            name: "privileged debug container",
            address: "Pod/shop/web",
            expect: Expect::Violation,
            source: POD_PRIVILEGED,
        },
        Case {
            name: "privileged init container of a cronjob",
            address: "CronJob/backup",
            expect: Expect::Violation,
            source: "\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: '0 3 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: setup
              image: busybox
              securityContext: {privileged: true}
          containers:
            - name: backup
              image: backup:1
",
        },
        Case {
            name: "explicitly unprivileged",
            address: "Deployment/shop/web",
            expect: Expect::Pass,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1
          securityContext:
            privileged: false
",
        },
        Case {
            name: "privileged from an unresolved tag",
            address: "Pod/web",
            expect: Expect::Undecided,
            source: "\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: app
      image: app:1
      securityContext:
        privileged: !env PRIVILEGED
",
        },
    ],
};

const HOST_CASE_PASS: &str = "\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ops}
spec:
  template:
    spec:
      containers:
        - name: agent
          image: agent:1
";

macro_rules! host_namespace_rule {
    ($name:ident, $id:literal, $key:literal, $title:literal, $cis:literal, $why:literal) => {
        #[doc = concat!("Flags a workload whose pod spec sets `", $key, ": true`. ", $why)]
        pub const $name: Rule = Rule {
            meta: RuleMeta {
                id: $id,
                title: $title,
                severity: Severity::High,
                category: Category::Compute,
                standards: &[
                    $cis,
                    "NSA/CISA Kubernetes Hardening: pod security",
                    "PSS Baseline",
                ],
                rationale: $why,
                remediation: concat!(
                    "Remove ",
                    $key,
                    " (it defaults to false); a workload that \
                    really needs the host's namespace belongs on dedicated nodes."
                ),
                evidence: concat!("the pod spec's ", $key),
                format: Format::Kubernetes,
                kinds: WORKLOADS,
            },
            check: |res, _| pod_flag(res, $key),
            cases: &[
                Case {
                    name: "set on a daemonset",
                    address: "DaemonSet/ops/agent",
                    expect: Expect::Violation,
                    source: concat!(
                        "\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ops}
spec:
  template:
    spec:
      ",
                        $key,
                        ": true
      containers:
        - name: agent
          image: agent:1
"
                    ),
                },
                Case {
                    name: "absent",
                    address: "DaemonSet/ops/agent",
                    expect: Expect::Pass,
                    source: HOST_CASE_PASS,
                },
                Case {
                    name: "explicitly false on a pod",
                    address: "Pod/p",
                    expect: Expect::Pass,
                    source: concat!(
                        "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  ",
                        $key,
                        ": false
  containers: [{name: a, image: a}]
"
                    ),
                },
            ],
        };
    };
}

host_namespace_rule!(
    HOST_NETWORK,
    "k8s-host-network",
    "hostNetwork",
    "Pod shares the host's network namespace",
    "CIS Kubernetes 5.2.5",
    "With the host's network the pod sees every interface of the node, can bind its ports and \
     reach services listening on localhost, and bypasses network policies."
);
host_namespace_rule!(
    HOST_PID,
    "k8s-host-pid",
    "hostPID",
    "Pod shares the host's process namespace",
    "CIS Kubernetes 5.2.3",
    "With the host's PID namespace the pod sees every process of the node, can read their \
     environment (secrets included) and, as root, signal or trace them."
);
host_namespace_rule!(
    HOST_IPC,
    "k8s-host-ipc",
    "hostIPC",
    "Pod shares the host's IPC namespace",
    "CIS Kubernetes 5.2.4",
    "With the host's IPC namespace the pod can read and write the shared memory of every process \
     of the node."
);

/// Flags a container whose `securityContext.allowPrivilegeEscalation` is written true. Absent
/// is the Restricted profile's concern, reported at a lower severity by
/// [`k8s-privilege-escalation-not-disabled`](ESCALATION_NOT_DISABLED).
pub const PRIVILEGE_ESCALATION: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-privilege-escalation-allowed",
        title: "Container explicitly allows privilege escalation",
        severity: Severity::Medium,
        category: Category::Compute,
        standards: &[
            "CIS Kubernetes 5.2.6",
            "NSA/CISA Kubernetes Hardening: pod security",
            "PSS Restricted",
        ],
        rationale: "allowPrivilegeEscalation lets a process gain more privileges than its parent \
            (setuid binaries, file capabilities), turning a foothold in the container into root \
            in it.",
        remediation: "Set securityContext.allowPrivilegeEscalation: false.",
        evidence: "containers.NAME.securityContext.allowPrivilegeEscalation of each container",
        format: Format::Kubernetes,
        kinds: WORKLOADS,
    },
    check: |res, _| container_flag(res, "securityContext.allowPrivilegeEscalation", true),
    cases: &[
        Case {
            name: "explicitly allowed",
            address: "Deployment/api",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          securityContext: {allowPrivilegeEscalation: true}
",
        },
        Case {
            name: "disallowed",
            address: "Deployment/api",
            expect: Expect::Pass,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          securityContext: {allowPrivilegeEscalation: false}
",
        },
    ],
};

/// The effective setting of a container: its own, else the pod's.
fn effective<'a>(
    c: &Container<'a>,
    spec: &'a Value,
    sp: &SettingPath,
    key: &str,
) -> (SettingPath, Option<&'a Value>) {
    let (own_path, own) = c.at(&format!("securityContext.{key}"));
    match own {
        Some(v) if *v != Value::Null => (own_path, Some(v)),
        _ => {
            let p = SettingPath::parse(&format!("securityContext.{key}"));
            let mut abs = sp.clone();
            abs.0.extend(p.0.iter().cloned());
            (abs, spec.get_path(&p))
        }
    }
}

fn run_as_root(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let Some((sp, spec)) = pod_spec(res) else {
        return Verdict::Pass;
    };
    let parts = containers(&sp, spec)
        .iter()
        .map(|c| {
            let (upath, user) = effective(c, spec, &sp, "runAsUser");
            let (npath, nonroot) = effective(c, spec, &sp, "runAsNonRoot");
            let (truth, evidence, summary) = match read_i64(user) {
                Read::Known(0) => (
                    Tri::Yes,
                    vec![upath],
                    format!("container {}: runAsUser = 0", c.name),
                ),
                Read::Known(_) => (Tri::No, vec![upath], String::new()),
                Read::Unknown => (
                    Tri::Maybe,
                    vec![upath],
                    format!("container {}: runAsUser is not known statically", c.name),
                ),
                Read::Absent => match read_bool(nonroot) {
                    Read::Known(false) => (
                        Tri::Yes,
                        vec![npath],
                        format!("container {}: runAsNonRoot = false", c.name),
                    ),
                    Read::Unknown => (
                        Tri::Maybe,
                        vec![npath],
                        format!("container {}: runAsNonRoot is not known statically", c.name),
                    ),
                    _ => (Tri::No, Vec::new(), String::new()),
                },
            };
            Part {
                truth,
                evidence: evidence
                    .into_iter()
                    .map(|p| Evidence::new(&res.address, p))
                    .collect(),
                summary,
            }
        })
        .collect();
    combine(parts, Scope::default())
}

/// Flags a container that runs as root: its effective `runAsUser` (its own, else the pod's) is 0,
/// or with no `runAsUser` its effective `runAsNonRoot` is explicitly false.
pub const RUN_AS_ROOT: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-run-as-root",
        title: "Container runs as root",
        severity: Severity::High,
        category: Category::Compute,
        standards: &[
            "CIS Kubernetes 5.2.7",
            "NSA/CISA Kubernetes Hardening: non-root containers",
            "PSS Restricted",
        ],
        rationale: "Root in a container is root on the node's kernel: with any escape, any \
            writable host mount or any extra capability, it becomes root on the node.",
        remediation: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser (on the \
            pod or the container), and build the image to run as an unprivileged user.",
        evidence: "securityContext.runAsUser of the container, else of the pod; \
            securityContext.runAsNonRoot likewise when no runAsUser is written",
        format: Format::Kubernetes,
        kinds: WORKLOADS,
    },
    check: run_as_root,
    cases: &[
        Case {
            name: "pod-level runAsUser 0",
            address: "StatefulSet/data/db",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  template:
    spec:
      securityContext:
        runAsUser: 0
      containers:
        - name: db
          image: postgres:16
",
        },
        Case {
            name: "runAsNonRoot false",
            address: "Job/migrate",
            expect: Expect::Violation,
            source: "\
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: migrate:1
          securityContext: {runAsNonRoot: false}
",
        },
        Case {
            name: "container overrides the pod's root user",
            address: "StatefulSet/data/db",
            expect: Expect::Pass,
            source: "\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  template:
    spec:
      securityContext:
        runAsUser: 0
      containers:
        - name: db
          image: postgres:16
          securityContext:
            runAsUser: 999
",
        },
        Case {
            name: "nothing written",
            address: "Job/migrate",
            expect: Expect::Pass,
            source: "\
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: migrate:1
",
        },
    ],
};

/// Whether the pod declares itself a Windows pod (`spec.os.name: windows`): the Restricted
/// profile exempts those from the Linux-only controls (privilege escalation, seccomp).
fn windows_pod(spec: &Value) -> bool {
    spec.get_path(&SettingPath::parse("os.name"))
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("windows"))
}

/// A boolean the Restricted profile requires written as `required` on every container, read
/// where `at` finds it for a container: a part per container, violating when the value is the
/// other one (`= VALUE`) or absent (`not set` and what `unset` adds).
fn required_flag<'a>(
    res: &Resource,
    sp: &SettingPath,
    spec: &'a Value,
    key: &str,
    required: bool,
    unset: &str,
    at: impl Fn(&Container<'a>) -> (SettingPath, Option<&'a Value>),
) -> Verdict {
    let parts = containers(sp, spec)
        .iter()
        .map(|c| {
            let (path, v) = at(c);
            let (truth, summary) = match read_bool(v.filter(|v| **v != Value::Null)) {
                Read::Known(b) if b == required => (Tri::No, String::new()),
                Read::Known(b) => (Tri::Yes, format!("container {}: {key} = {b}", c.name)),
                Read::Absent => (
                    Tri::Yes,
                    format!("container {}: {key} not set {unset}", c.name),
                ),
                Read::Unknown => (
                    Tri::Maybe,
                    format!("container {}: {key} is not known statically", c.name),
                ),
            };
            Part {
                truth,
                evidence: vec![Evidence::new(&res.address, path)],
                summary,
            }
        })
        .collect();
    combine(parts, Scope::default())
}

fn escalation_not_disabled(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let Some((sp, spec)) = pod_spec(res) else {
        return Verdict::Pass;
    };
    if windows_pod(spec) {
        return Verdict::Pass;
    }
    let key = "allowPrivilegeEscalation";
    required_flag(res, &sp, spec, key, false, "(defaults to true)", |c| {
        c.at(&format!("securityContext.{key}"))
    })
}

/// ## What it does
/// Flags a container (init and ephemeral containers included) whose
/// `securityContext.allowPrivilegeEscalation` is not `false`: not set, or true. The Pod Security
/// Standards' Restricted profile allows only `false`, and the field has no pod-level form, so
/// each container must write it. Pods with `spec.os.name: windows` are exempt, as in the profile.
///
/// ## Why a separate rule
/// Not setting the field is the API server's default, and nearly every manifest ever written
/// leaves it unset: this rule has a lower severity than
/// [`k8s-privilege-escalation-allowed`](PRIVILEGE_ESCALATION), which reports the explicit
/// `true`. An explicit `true` fails both: it is not disabled, and it was chosen.
///
/// ## References
/// - Pod Security Standards, Restricted: "Privilege Escalation"; CIS Kubernetes Benchmark 5.2.6.
pub const ESCALATION_NOT_DISABLED: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-privilege-escalation-not-disabled",
        title: "Container does not disable privilege escalation (PSS Restricted)",
        severity: Severity::Low,
        category: Category::Compute,
        standards: &["PSS Restricted", "CIS Kubernetes 5.2.6"],
        rationale: "Enforces the Pod Security Standards' Restricted level: \
            allowPrivilegeEscalation must be written false on every container. Unset, the \
            kernel's no_new_privs flag is not set and a setuid binary or file capability in the \
            image can raise a process above its parent. Windows pods are exempt.",
        remediation: "Write securityContext.allowPrivilegeEscalation: false on each container, \
            init and ephemeral containers included.",
        evidence: "containers.NAME.securityContext.allowPrivilegeEscalation of each container \
            (absent means true)",
        format: Format::Kubernetes,
        kinds: WORKLOADS,
    },
    check: escalation_not_disabled,
    cases: &[
        Case {
            name: "not set",
            address: "Deployment/api",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
",
        },
        Case {
            name: "an init container leaves it unset",
            address: "Deployment/api",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      initContainers:
        - name: setup
          image: setup:1
      containers:
        - name: api
          image: api:1
          securityContext: {allowPrivilegeEscalation: false}
",
        },
        Case {
            name: "disabled on every container",
            address: "CronJob/report",
            expect: Expect::Pass,
            source: "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: '0 * * * *'
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: report:1
              securityContext: {allowPrivilegeEscalation: false}
",
        },
        Case {
            name: "a Windows pod",
            address: "Pod/win",
            expect: Expect::Pass,
            source: "\
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  containers:
    - name: iis
      image: iis:1
",
        },
        Case {
            name: "from an unresolved tag",
            address: "Deployment/api",
            expect: Expect::Undecided,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          securityContext:
            allowPrivilegeEscalation: !env ESCALATE
",
        },
    ],
};

fn non_root_not_required(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let Some((sp, spec)) = pod_spec(res) else {
        return Verdict::Pass;
    };
    let key = "runAsNonRoot";
    required_flag(
        res,
        &sp,
        spec,
        key,
        true,
        "on the container or the pod",
        |c| effective(c, spec, &sp, key),
    )
}

/// ## What it does
/// Flags a container whose effective `securityContext.runAsNonRoot` is not `true`: the
/// container's own setting, else the pod's (`spec.securityContext.runAsNonRoot`), as the kubelet
/// combines them. The Restricted profile requires it: with it the kubelet refuses to start a
/// container whose user is root, whatever the image says.
///
/// ## Why a separate rule
/// [`k8s-run-as-root`](RUN_AS_ROOT) reports containers that are written to run as root; this one
/// reports the missing guarantee, which most manifests never write, at a lower severity. A
/// non-zero `runAsUser` does not satisfy the profile (the field can be removed, the image's user
/// cannot be checked here), so it does not satisfy this rule either.
///
/// ## References
/// - Pod Security Standards, Restricted: "Running as Non-root"; CIS Kubernetes Benchmark 5.2.7.
pub const NON_ROOT_NOT_REQUIRED: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-run-as-non-root-not-required",
        title: "Container is not required to run as non-root (PSS Restricted)",
        severity: Severity::Low,
        category: Category::Compute,
        standards: &["PSS Restricted", "CIS Kubernetes 5.2.7"],
        rationale: "Enforces the Pod Security Standards' Restricted level: runAsNonRoot must be \
            true on the container or the pod. Without it an image whose user is root (the \
            default of most base images) runs as root, and root in a container is root on the \
            node's kernel.",
        remediation: "Set securityContext.runAsNonRoot: true on the pod (or each container) and \
            a non-zero runAsUser, and build the image to run as an unprivileged user.",
        evidence: "securityContext.runAsNonRoot of the container, else of the pod (absent means \
            not required)",
        format: Format::Kubernetes,
        kinds: WORKLOADS,
    },
    check: non_root_not_required,
    cases: &[
        Case {
            name: "not set anywhere",
            address: "Deployment/api",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
",
        },
        Case {
            name: "a container overrides the pod with false",
            address: "Deployment/api",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
        - name: api
          image: api:1
        - name: sidecar
          image: proxy:1
          securityContext: {runAsNonRoot: false}
",
        },
        Case {
            name: "a non-zero user without the guarantee",
            address: "Job/migrate",
            expect: Expect::Violation,
            source: "\
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: migrate:1
          securityContext: {runAsUser: 1000}
",
        },
        Case {
            name: "required on the pod",
            address: "StatefulSet/data/db",
            expect: Expect::Pass,
            source: "\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 999}
      initContainers:
        - name: init
          image: busybox
      containers:
        - name: db
          image: postgres:16
",
        },
        Case {
            name: "from an unresolved tag",
            address: "Deployment/api",
            expect: Expect::Undecided,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: !env NON_ROOT
      containers:
        - name: api
          image: api:1
",
        },
    ],
};

/// Capabilities the Baseline profile lets a container add; anything else is flagged.
const BASELINE_CAPS: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn dangerous_capabilities(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let Some((sp, spec)) = pod_spec(res) else {
        return Verdict::Pass;
    };
    let mut scope = Scope::default();
    let mut parts = Vec::new();
    for c in containers(&sp, spec) {
        let (path, v) = c.at("securityContext.capabilities.add");
        let Some(v) = v else { continue };
        let mut bad = Vec::new();
        let mut unknown = false;
        for item in v.as_scalar_list() {
            match item.as_str() {
                Some(cap) => {
                    let cap = cap.trim().to_ascii_uppercase();
                    let cap = cap.strip_prefix("CAP_").unwrap_or(&cap).to_string();
                    if !BASELINE_CAPS.contains(&cap.as_str()) {
                        bad.push(cap);
                    }
                }
                None => unknown = true,
            }
        }
        let truth = if !bad.is_empty() {
            Tri::Yes
        } else if unknown {
            Tri::Maybe
        } else {
            Tri::No
        };
        // As a scope, ALL covers every capability, so widening to it is seen as one.
        scope.actions.extend(bad.iter().map(|c| {
            if c == "ALL" {
                "*".to_string()
            } else {
                c.to_ascii_lowercase()
            }
        }));
        parts.push(Part {
            truth,
            evidence: vec![Evidence::new(&res.address, path)],
            summary: if bad.is_empty() {
                format!(
                    "container {}: an added capability is not known statically",
                    c.name
                )
            } else {
                format!("container {} adds {}", c.name, bad.join(", "))
            },
        });
    }
    scope.actions.sort();
    scope.actions.dedup();
    combine(parts, scope)
}

/// Flags a container whose `securityContext.capabilities.add` holds a capability outside the
/// Baseline profile's short list: `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `NET_RAW`, `ALL`, …
pub const DANGEROUS_CAPABILITIES: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-dangerous-capabilities",
        title: "Container adds capabilities beyond the Baseline set",
        severity: Severity::High,
        category: Category::Compute,
        standards: &[
            "CIS Kubernetes 5.2.9",
            "CIS Kubernetes 5.2.8",
            "NSA/CISA Kubernetes Hardening: pod security",
            "PSS Baseline",
        ],
        rationale: "SYS_ADMIN is nearly root on the node, NET_ADMIN reconfigures the pod's and \
            sometimes the node's network, SYS_PTRACE reads other processes, and ALL is all of \
            them: each is a known container-escape or lateral-movement path.",
        remediation: "Drop ALL and add back only capabilities of the Baseline set the container \
            needs (NET_BIND_SERVICE, for instance).",
        evidence: "containers.NAME.securityContext.capabilities.add of each container",
        format: Format::Kubernetes,
        kinds: WORKLOADS,
    },
    check: dangerous_capabilities,
    cases: &[
        Case {
            name: "SYS_ADMIN added",
            address: "Deployment/ops/vpn",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: vpn, namespace: ops}
spec:
  template:
    spec:
      containers:
        - name: vpn
          image: vpn:1
          securityContext:
            capabilities:
              add: [NET_BIND_SERVICE, SYS_ADMIN]
",
        },
        Case {
            name: "ALL added",
            address: "Pod/p",
            expect: Expect::Violation,
            source: "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: a
      securityContext: {capabilities: {add: [ALL]}}
",
        },
        Case {
            name: "only a baseline capability, and ALL dropped",
            address: "Deployment/ops/vpn",
            expect: Expect::Pass,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: vpn, namespace: ops}
spec:
  template:
    spec:
      containers:
        - name: vpn
          image: vpn:1
          securityContext:
            capabilities:
              drop: [ALL]
              add: [NET_BIND_SERVICE]
",
        },
    ],
};

/// Host paths whose mount hands over the node (or a parent of one of them).
const SENSITIVE_HOST_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/root",
    "/var/lib/kubelet",
    "/var/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/var/run/containerd/containerd.sock",
];

struct HostVolume {
    name: String,
    path_setting: SettingPath,
    path: Option<String>,
    unknown: bool,
}

fn host_volumes(spec_path: &SettingPath, spec: &Value) -> Vec<HostVolume> {
    let base = spec_path.key("volumes");
    let entries: Vec<(String, SettingPath, &Value)> =
        match spec.as_map().and_then(|m| m.get("volumes")) {
            Some(Value::Map(m)) => m.iter().map(|(n, v)| (n.clone(), base.key(n), v)).collect(),
            Some(Value::List(l)) => l
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let n = v
                        .as_map()
                        .and_then(|m| m.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    (n, base.index(i), v)
                })
                .collect(),
            _ => Vec::new(),
        };
    entries
        .into_iter()
        .filter_map(|(name, p, v)| {
            let hp = v.as_map()?.get("hostPath")?;
            let path_setting = p.key("hostPath").key("path");
            let raw = hp.as_map().and_then(|m| m.get("path"));
            Some(HostVolume {
                name,
                path_setting,
                path: raw.and_then(Value::as_str).map(str::to_string),
                unknown: raw.is_some_and(Value::contains_unknown) || hp.is_unknown(),
            })
        })
        .collect()
}

/// Flags a workload that mounts any `hostPath` volume.
pub const HOST_PATH_VOLUME: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-host-path-volume",
        title: "Pod mounts a directory of the node (hostPath)",
        severity: Severity::Medium,
        category: Category::Storage,
        standards: &[
            "CIS Kubernetes 5.2.12",
            "NSA/CISA Kubernetes Hardening: pod security",
            "PSS Baseline",
        ],
        rationale: "A hostPath volume ties the pod to the node's filesystem: what it can read \
            there (logs, other pods' data, credentials) leaks, and what it can write persists \
            beyond the pod.",
        remediation: "Use a persistentVolumeClaim, configMap, secret or emptyDir; when a host \
            directory is unavoidable, mount it readOnly and narrow the path.",
        evidence: "volumes.NAME.hostPath.path of each hostPath volume",
        format: Format::Kubernetes,
        kinds: WORKLOADS,
    },
    check: |res, _| {
        let Some((sp, spec)) = pod_spec(res) else {
            return Verdict::Pass;
        };
        let parts = host_volumes(&sp, spec)
            .into_iter()
            .map(|v| Part {
                truth: Tri::Yes,
                evidence: vec![Evidence::new(&res.address, v.path_setting)],
                summary: format!(
                    "volume {} mounts the node's {}",
                    v.name,
                    v.path.as_deref().unwrap_or("(path not known)")
                ),
            })
            .collect();
        combine(parts, Scope::default())
    },
    cases: &[
        Case {
            name: "log directory of the node",
            address: "DaemonSet/logs/shipper",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: shipper, namespace: logs}
spec:
  template:
    spec:
      containers:
        - name: shipper
          image: fluent-bit
          volumeMounts:
            - {name: varlog, mountPath: /var/log, readOnly: true}
      volumes:
        - name: varlog
          hostPath: {path: /var/log}
",
        },
        Case {
            name: "emptyDir only",
            address: "DaemonSet/logs/shipper",
            expect: Expect::Pass,
            source: "\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: shipper, namespace: logs}
spec:
  template:
    spec:
      containers:
        - name: shipper
          image: fluent-bit
      volumes:
        - name: scratch
          emptyDir: {}
",
        },
    ],
};

fn host_path_sensitive(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let Some((sp, spec)) = pod_spec(res) else {
        return Verdict::Pass;
    };
    let cs = containers(&sp, spec);
    let mut parts = Vec::new();
    for v in host_volumes(&sp, spec) {
        let mut evidence = vec![Evidence::new(&res.address, v.path_setting.clone())];
        let mut why = Vec::new();
        let sensitive = match &v.path {
            Some(p) => {
                let p = p.trim_end_matches('/');
                let p = if p.is_empty() { "/" } else { p };
                SENSITIVE_HOST_PATHS
                    .iter()
                    .any(|s| *s == p || p == "/" || s.starts_with(&format!("{p}/")))
            }
            None => false,
        };
        if sensitive {
            why.push(format!("{} is sensitive", v.path.as_deref().unwrap_or("")));
        }
        // Writable: some container mounts the volume without readOnly: true.
        for c in &cs {
            let (mounts_path, mounts) = c.at("volumeMounts");
            for (i, m) in mounts
                .and_then(Value::as_list)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let get = |k: &str| m.as_map().and_then(|mm| mm.get(k));
                if get("name").and_then(Value::as_str) != Some(v.name.as_str()) {
                    continue;
                }
                if read_bool(get("readOnly")) != Read::Known(true) {
                    let mp = mounts_path.index(i);
                    evidence.push(Evidence::new(&res.address, mp.key("readOnly")));
                    why.push(format!("container {} mounts it writable", c.name));
                }
            }
        }
        let truth = if !why.is_empty() {
            Tri::Yes
        } else if v.unknown {
            Tri::Maybe
        } else {
            Tri::No
        };
        parts.push(Part {
            truth,
            evidence,
            summary: if why.is_empty() {
                format!("volume {}: the host path is not known statically", v.name)
            } else {
                format!("hostPath volume {}: {}", v.name, why.join(", "))
            },
        });
    }
    combine(parts, Scope::default())
}

/// Flags a `hostPath` volume of a sensitive path (`/`, `/etc`, `/var/run/docker.sock`, the
/// container runtime's socket, the kubelet's directory, or a parent of one) or mounted writable
/// by a container.
pub const HOST_PATH_SENSITIVE: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-host-path-sensitive",
        title: "Pod mounts a sensitive node path, or a node path writable",
        severity: Severity::Critical,
        category: Category::Compute,
        standards: &[
            "CIS Kubernetes 5.2.12",
            "NSA/CISA Kubernetes Hardening: pod security",
            "PSS Baseline",
        ],
        rationale: "The container runtime's socket or the node's root filesystem is the node: \
            whoever reaches it starts privileged containers or edits the kubelet's credentials. A \
            writable host mount lets a compromised container plant files the node runs.",
        remediation: "Remove the volume; when a host directory is unavoidable, mount a narrow \
            path with readOnly: true.",
        evidence: "volumes.NAME.hostPath.path, and volumeMounts[i].readOnly of each container \
            mounting it writable",
        format: Format::Kubernetes,
        kinds: WORKLOADS,
    },
    check: host_path_sensitive,
    cases: &[
        Case {
            name: "docker socket",
            address: "Deployment/ci/runner",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: runner, namespace: ci}
spec:
  template:
    spec:
      containers:
        - name: runner
          image: runner:1
          volumeMounts:
            - {name: sock, mountPath: /var/run/docker.sock, readOnly: true}
      volumes:
        - name: sock
          hostPath: {path: /var/run/docker.sock}
",
        },
        Case {
            name: "log directory mounted writable",
            address: "DaemonSet/logs/shipper",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: shipper, namespace: logs}
spec:
  template:
    spec:
      containers:
        - name: shipper
          image: fluent-bit
          volumeMounts:
            - {name: varlog, mountPath: /var/log}
      volumes:
        - name: varlog
          hostPath: {path: /var/log}
",
        },
        Case {
            name: "log directory read-only",
            address: "DaemonSet/logs/shipper",
            expect: Expect::Pass,
            source: "\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: shipper, namespace: logs}
spec:
  template:
    spec:
      containers:
        - name: shipper
          image: fluent-bit
          volumeMounts:
            - {name: varlog, mountPath: /var/log, readOnly: true}
      volumes:
        - name: varlog
          hostPath: {path: /var/log}
",
        },
    ],
};

/// Variable names that announce a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
];
/// Suffixes that name where a secret is, not the secret.
const POINTER_SUFFIXES: &[&str] = &[
    "_FILE",
    "_PATH",
    "_NAME",
    "_REF",
    "_ARN",
    "_URL_FILE",
    "_ID",
    "_VERSION",
];

fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| n.contains(w)) && !POINTER_SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// Could this literal be the secret itself, rather than a setting that only sits under a
/// secret-like name? Not when it is empty, a reference to another variable (`$(DB_PASS)`), a
/// number or a flag written as a string (`MAX_TOKENS: "400"`, `"true"`), or a path to where the
/// secret is kept (`GOOGLE_APPLICATION_CREDENTIALS: /var/secrets/google/key.json`). The name
/// alone never makes a finding: the value must be able to hold a secret.
fn could_be_secret(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v.contains("$(") {
        return false;
    }
    if v.parse::<f64>().is_ok()
        || ["true", "false", "yes", "no", "on", "off"]
            .iter()
            .any(|f| v.eq_ignore_ascii_case(f))
    {
        return false;
    }
    // A path: absolute, relative or home-based, with no space; a secret has no reason to look
    // like one, and the file it names is not in the manifest.
    let pathlike =
        (v.starts_with('/') || v.starts_with("./") || v.starts_with("../") || v.starts_with("~/"))
            && !v.contains(char::is_whitespace)
            && v.len() > 1;
    // A placeholder that a setup step replaces (`GOOGLE_API_KEY_VAL`, `<your-token>`,
    // `{{ .Values.token }}`, `${TOKEN}`): the secret is not in the manifest. An upper-case
    // snake-case word is read as a placeholder: a generated secret does not look like one.
    let placeholder = (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || (v.starts_with("${") && v.ends_with('}'))
        || (v.contains('_')
            && v.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && v.starts_with(|c: char| c.is_ascii_uppercase()));
    !pathlike && !placeholder
}

fn secret_literal_env(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let Some((sp, spec)) = pod_spec(res) else {
        return Verdict::Pass;
    };
    let mut parts = Vec::new();
    for c in containers(&sp, spec) {
        let (env_path, env) = c.at("env");
        let vars: Vec<(String, SettingPath, &Value)> = match env {
            Some(Value::Map(m)) => m
                .iter()
                .map(|(n, v)| (n.clone(), env_path.key(n), v))
                .collect(),
            Some(Value::List(l)) => l
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let n = v.as_map()?.get("name")?.as_str()?.to_string();
                    Some((n, env_path.index(i), v))
                })
                .collect(),
            _ => Vec::new(),
        };
        for (name, path, var) in vars {
            if !looks_secret(&name) {
                continue;
            }
            let value = var.as_map().and_then(|m| m.get("value"));
            let truth = match value {
                Some(Value::String(s)) => Tri::from_bool(could_be_secret(s)),
                // A number or a flag under a secret-like name is a setting (`MAX_TOKENS: 400`).
                Some(Value::Number(_) | Value::Bool(_)) => Tri::No,
                Some(Value::Unknown(_)) => Tri::Maybe,
                _ => Tri::No,
            };
            parts.push(Part {
                truth,
                evidence: vec![Evidence::new(&res.address, path.key("value"))],
                summary: format!("container {}: {name} is written as a literal value", c.name),
            });
        }
    }
    combine(parts, Scope::default())
}

/// Flags an environment variable whose name announces a secret (`…PASSWORD`, `…TOKEN`,
/// `…SECRET…`, `…API_KEY`) and whose value is written literally in the manifest rather than taken
/// `valueFrom` a Secret.
pub const SECRET_LITERAL_ENV: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-secret-literal-env",
        title: "Secret written as a literal environment value",
        severity: Severity::High,
        category: Category::Secrets,
        standards: &[
            "CIS Kubernetes 5.4.1",
            "NSA/CISA Kubernetes Hardening: secrets",
        ],
        rationale: "A secret written into a manifest is in the repository's history for good, \
            readable by everyone who can clone it or read the object from the API.",
        remediation: "Move the value into a Secret (or an external secret store) and reference it \
            with valueFrom.secretKeyRef; rotate the exposed secret.",
        evidence: "containers.NAME.env.VAR.value of each variable named like a secret",
        format: Format::Kubernetes,
        kinds: WORKLOADS,
    },
    check: secret_literal_env,
    cases: &[
        Case {
            name: "database password literal",
            address: "Deployment/shop/api",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          env:
            - name: DB_HOST
              value: db.shop
            - name: DB_PASSWORD
              value: hunter2
",
        },
        Case {
            name: "password from a secret",
            address: "Deployment/shop/api",
            expect: Expect::Pass,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: password}
            - name: TOKEN_FILE
              value: /var/run/secrets/token
",
        },
        Case {
            name: "a count, a flag and a key file path under secret-like names",
            address: "Deployment/shop/api",
            expect: Expect::Pass,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          env:
            - name: MAX_TOKENS
              value: \"400\"
            - name: TOKEN_LIMIT
              value: 1000
            - name: SECRET_ROTATION_ENABLED
              value: \"true\"
            - name: GOOGLE_APPLICATION_CREDENTIALS
              value: /var/secrets/google/key.json
",
        },
        Case {
            name: "an API key literal beside settings",
            address: "Deployment/shop/api",
            expect: Expect::Violation,
            source: "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          env:
            - name: MAX_TOKENS
              value: \"400\"
            - name: STRIPE_API_KEY
              value: sk_live_4eC39HqLyjWDarjtT1zdp7dc
",
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert!(looks_secret("DB_PASSWORD") && looks_secret("github_token"));
        assert!(!looks_secret("TOKEN_FILE") && !looks_secret("DB_HOST"));
        assert!(!looks_secret("SECRET_ID") && !looks_secret("SECRET_VERSION"));
    }

    #[test]
    fn secret_values() {
        for v in ["hunter2", "sk_live_abc", "p@ss word", "/"] {
            assert!(could_be_secret(v), "{v}");
        }
        for v in [
            "",
            "  ",
            "400",
            "1.5",
            "true",
            "Off",
            "/var/secrets/key.json",
            "./k",
            "$(DB)",
            "GOOGLE_API_KEY_VAL",
            "<your-token>",
            "{{ .Values.token }}",
            "${TOKEN}",
        ] {
            assert!(!could_be_secret(v), "{v}");
        }
    }
}
