//! Network: services reachable from outside the cluster, network policies that admit everyone,
//! and ingresses that serve plain HTTP.

use super::Part;
use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::helpers::{is_world, parse_net, read_str, show, Read, Tri};
use crate::rules::{
    Case, Category, Evidence, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

fn service_type(res: &Resource) -> Read<String> {
    read_str(res.get(&SettingPath::parse("spec.type")))
}

/// Annotations that make a cloud load balancer internal (AWS, GKE, AKS, OCI).
const INTERNAL_ANNOTATIONS: &[(&str, &str)] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        "internal",
    ),
    ("networking.gke.io/load-balancer-type", "Internal"),
    ("cloud.google.com/load-balancer-type", "Internal"),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        "true",
    ),
];

fn internal_annotation(res: &Resource) -> Option<String> {
    let ann = res
        .get(&SettingPath::parse("metadata.annotations"))?
        .as_map()?;
    INTERNAL_ANNOTATIONS.iter().find_map(|(k, v)| {
        let got = ann.get(*k).map(|x| match x {
            Value::Bool(b) => b.to_string(),
            other => other.as_str().unwrap_or("").to_string(),
        })?;
        got.eq_ignore_ascii_case(v).then(|| k.to_string())
    })
}

fn service_lb_open(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let type_path = SettingPath::parse("spec.type");
    let is_lb = match service_type(res) {
        Read::Known(t) => Tri::from_bool(t == "LoadBalancer"),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    if is_lb == Tri::No || internal_annotation(res).is_some() {
        return Verdict::Pass;
    }
    let ranges_path = SettingPath::parse("spec.loadBalancerSourceRanges");
    let ranges = res.get(&ranges_path);
    let mut scope = Scope::default();
    let open = match ranges {
        None | Some(Value::Null) => Tri::Yes,
        Some(Value::List(l)) if l.is_empty() => Tri::Yes,
        Some(v) => {
            let mut t = Tri::No;
            for item in v.as_scalar_list() {
                match item.as_str().and_then(parse_net) {
                    Some(n) if is_world(&n) => {
                        scope.networks.push(n);
                        t = Tri::Yes;
                    }
                    Some(_) => {}
                    None if item.contains_unknown() => t = t.or(Tri::Maybe),
                    None => {}
                }
            }
            t
        }
    };
    if open == Tri::Yes && scope.networks.is_empty() {
        scope.networks.extend(parse_net("0.0.0.0/0"));
    }
    super::combine(
        vec![Part {
            truth: is_lb.and(open),
            evidence: vec![
                Evidence::new(&res.address, type_path),
                Evidence::new(&res.address, ranges_path),
            ],
            summary: format!(
                "LoadBalancer service open to {}",
                if ranges.is_none() {
                    "the internet (no loadBalancerSourceRanges)".to_string()
                } else {
                    format!("loadBalancerSourceRanges {}", show(ranges))
                }
            ),
        }],
        scope,
    )
}

/// Flags a `type: LoadBalancer` Service whose `loadBalancerSourceRanges` is absent, empty or
/// holds a world CIDR, unless an annotation makes the load balancer internal.
pub const SERVICE_LB_OPEN: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-service-loadbalancer-open",
        title: "LoadBalancer service open to the internet",
        severity: Severity::High,
        category: Category::Network,
        standards: &[
            "NSA/CISA Kubernetes Hardening: network separation",
            "CIS Kubernetes 5.3.2",
        ],
        rationale: "A LoadBalancer service without source ranges gets a public address reachable \
            from anywhere: every port of the service is on the internet.",
        remediation: "Set spec.loadBalancerSourceRanges to the networks that need it, or make the \
            load balancer internal (the provider's annotation) and front it with an ingress.",
        evidence: "spec.type and spec.loadBalancerSourceRanges (absent means open)",
        format: Format::Kubernetes,
        kinds: &["Service"],
    },
    check: service_lb_open,
    cases: &[
        Case {
            name: "no source ranges",
            address: "Service/shop/web",
            expect: Expect::Violation,
            source: "\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  ports: [{port: 443}]
",
        },
        Case {
            name: "world source range",
            address: "Service/shop/web",
            expect: Expect::Violation,
            source: "\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [0.0.0.0/0]
  ports: [{port: 443}]
",
        },
        Case {
            name: "office range",
            address: "Service/shop/web",
            expect: Expect::Pass,
            source: "\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [203.0.113.0/24]
  ports: [{port: 443}]
",
        },
        Case {
            name: "internal load balancer",
            address: "Service/shop/web",
            expect: Expect::Pass,
            source: "\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-internal: 'true'
spec:
  type: LoadBalancer
  ports: [{port: 443}]
",
        },
        Case {
            name: "cluster IP",
            address: "Service/shop/web",
            expect: Expect::Pass,
            source: "\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 443}]
",
        },
    ],
};

/// Flags a `type: NodePort` Service: it has no source ranges, and every node listens on the port.
pub const SERVICE_NODEPORT: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-service-nodeport",
        title: "NodePort service listens on every node",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["NSA/CISA Kubernetes Hardening: network separation"],
        rationale:
            "A NodePort service opens its port on every node's address, with no source \
            ranges of its own: only the nodes' firewall stands between it and whoever reaches them.",
        remediation: "Use a ClusterIP service behind an ingress, or an internal LoadBalancer with \
            source ranges.",
        evidence: "spec.type",
        format: Format::Kubernetes,
        kinds: &["Service"],
    },
    check: |res, _| {
        let truth = match service_type(res) {
            Read::Known(t) => Tri::from_bool(t == "NodePort"),
            Read::Absent => Tri::No,
            Read::Unknown => Tri::Maybe,
        };
        super::combine(
            vec![Part {
                truth,
                evidence: vec![Evidence::new(&res.address, SettingPath::parse("spec.type"))],
                summary: "NodePort service: every node listens on its port".to_string(),
            }],
            Scope::default(),
        )
    },
    cases: &[
        Case {
            name: "node port",
            address: "Service/admin",
            expect: Expect::Violation,
            source: "\
apiVersion: v1
kind: Service
metadata: {name: admin}
spec:
  type: NodePort
  ports: [{port: 8080, nodePort: 30080}]
",
        },
        Case {
            name: "cluster IP",
            address: "Service/admin",
            expect: Expect::Pass,
            source: "\
apiVersion: v1
kind: Service
metadata: {name: admin}
spec:
  type: ClusterIP
  ports: [{port: 8080}]
",
        },
    ],
};

fn network_policy_allow_all(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let base = SettingPath::parse("spec.ingress");
    let Some(rules) = res.get(&base).and_then(Value::as_list) else {
        return Verdict::Pass;
    };
    let mut scope = Scope::default();
    let mut parts = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let p = base.index(i);
        let from = rule.as_map().and_then(|m| m.get("from"));
        let (truth, path, what) = match from {
            None | Some(Value::Null) => (Tri::Yes, p.clone(), "no from: every source".to_string()),
            Some(Value::List(l)) if l.is_empty() => (
                Tri::Yes,
                p.key("from"),
                "empty from: every source".to_string(),
            ),
            Some(Value::List(l)) => {
                let mut t = Tri::No;
                let mut at = p.key("from");
                for (j, peer) in l.iter().enumerate() {
                    let cidr = peer.get_path(&SettingPath::parse("ipBlock.cidr"));
                    match cidr.and_then(Value::as_str).and_then(parse_net) {
                        Some(n) if is_world(&n) => {
                            scope.networks.push(n);
                            t = Tri::Yes;
                            at = p.key("from").index(j).key("ipBlock").key("cidr");
                        }
                        _ if cidr.is_some_and(Value::contains_unknown) => t = t.or(Tri::Maybe),
                        _ => {}
                    }
                }
                (t, at, "ipBlock from the whole internet".to_string())
            }
            Some(_) => (
                Tri::Maybe,
                p.key("from"),
                "from is not known statically".to_string(),
            ),
        };
        parts.push(Part {
            truth,
            evidence: vec![Evidence::new(&res.address, path)],
            summary: format!("{p}: {what}"),
        });
    }
    super::combine(parts, scope)
}

/// Flags a NetworkPolicy with an ingress rule that admits every source: no `from` (or an empty
/// one), or an `ipBlock` of a world CIDR.
pub const NETWORK_POLICY_ALLOW_ALL: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-networkpolicy-allow-all-ingress",
        title: "Network policy admits ingress from every source",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &[
            "CIS Kubernetes 5.3.2",
            "NSA/CISA Kubernetes Hardening: network separation",
        ],
        rationale: "An ingress rule without from (or from 0.0.0.0/0) undoes the isolation the \
            policy was written to give: every pod and, through the nodes, every address reaches \
            the selected pods.",
        remediation: "List the peers (podSelector, namespaceSelector, narrow ipBlock) the \
            selected pods must accept.",
        evidence: "spec.ingress[i] without from, spec.ingress[i].from when empty, or \
            spec.ingress[i].from[j].ipBlock.cidr",
        format: Format::Kubernetes,
        kinds: &["NetworkPolicy"],
    },
    check: network_policy_allow_all,
    cases: &[
        Case {
            name: "empty rule",
            address: "NetworkPolicy/db/allow",
            expect: Expect::Violation,
            source: "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow, namespace: db}
spec:
  podSelector: {}
  ingress:
    - {}
",
        },
        Case {
            name: "world ipBlock",
            address: "NetworkPolicy/db/allow",
            expect: Expect::Violation,
            source: "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow, namespace: db}
spec:
  podSelector: {}
  ingress:
    - from:
        - ipBlock: {cidr: 0.0.0.0/0}
",
        },
        Case {
            name: "from the api pods only",
            address: "NetworkPolicy/db/allow",
            expect: Expect::Pass,
            source: "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow, namespace: db}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from:
        - podSelector: {matchLabels: {app: api}}
",
        },
        Case {
            name: "deny all (no ingress rules)",
            address: "NetworkPolicy/db/deny",
            expect: Expect::Pass,
            source: "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: db}
spec:
  podSelector: {}
  policyTypes: [Ingress]
",
        },
    ],
};

/// Annotations by which an ingress controller serves TLS (or refuses plain HTTP) without
/// `spec.tls`: GKE managed and pre-shared certificates, the AWS Load Balancer Controller's
/// certificate, and GKE's `allow-http: "false"`.
const TLS_ANNOTATIONS: &[(&str, Option<&str>)] = &[
    ("networking.gke.io/managed-certificates", None),
    ("ingress.gcp.kubernetes.io/pre-shared-cert", None),
    ("alb.ingress.kubernetes.io/certificate-arn", None),
    (
        "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
        None,
    ),
    ("kubernetes.io/ingress.allow-http", Some("false")),
];

/// Flags an Ingress with no `spec.tls`: every host it routes is served over plain HTTP.
pub const INGRESS_NO_TLS: Rule = Rule {
    meta: RuleMeta {
        id: "k8s-ingress-no-tls",
        title: "Ingress serves plain HTTP (no TLS)",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["NSA/CISA Kubernetes Hardening: network separation"],
        rationale: "Without TLS, credentials and session cookies sent to the ingress cross the \
            network readable and modifiable by anyone on the path.",
        remediation: "Add spec.tls with the hosts and a certificate secret (cert-manager can \
            issue it), and redirect HTTP to HTTPS.",
        evidence: "spec.tls (absent or empty means no TLS), and the controller annotations that \
            serve TLS without it: networking.gke.io/managed-certificates, \
            ingress.gcp.kubernetes.io/pre-shared-cert, alb.ingress.kubernetes.io/certificate-arn, \
            service.beta.kubernetes.io/aws-load-balancer-ssl-cert, or \
            kubernetes.io/ingress.allow-http: \"false\"",
        format: Format::Kubernetes,
        kinds: &["Ingress"],
    },
    check: |res, _| {
        let path = SettingPath::parse("spec.tls");
        let mut truth = match res.get(&path) {
            None | Some(Value::Null) => Tri::Yes,
            Some(Value::List(l)) => Tri::from_bool(l.is_empty()),
            Some(v) if v.contains_unknown() => Tri::Maybe,
            Some(_) => Tri::No,
        };
        let mut evidence = vec![Evidence::new(&res.address, path)];
        if truth == Tri::Yes {
            for (name, want) in TLS_ANNOTATIONS {
                let at = SettingPath::root()
                    .key("metadata")
                    .key("annotations")
                    .key(name);
                match (res.get(&at), want) {
                    (Some(v), _) if v.is_unknown() => truth = Tri::Maybe,
                    (Some(Value::String(s)), None) if !s.trim().is_empty() => truth = Tri::No,
                    (Some(Value::String(s)), Some(w)) if s.trim() == *w => truth = Tri::No,
                    _ => continue,
                }
                evidence.push(Evidence::new(&res.address, at));
                if truth == Tri::No {
                    break;
                }
            }
        }
        super::combine(
            vec![Part {
                truth,
                evidence,
                summary: "ingress without TLS".to_string(),
            }],
            Scope::default(),
        )
    },
    cases: &[
        Case {
            name: "no tls",
            address: "Ingress/shop/web",
            expect: Expect::Violation,
            source: "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
    - host: shop.example
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: web, port: {number: 80}}}
",
        },
        Case {
            name: "GKE managed certificate without spec.tls",
            address: "Ingress/shop/web",
            expect: Expect::Pass,
            source: "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    networking.gke.io/managed-certificates: shop-cert
    kubernetes.io/ingress.global-static-ip-name: shop-ip
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
",
        },
        Case {
            name: "AWS load balancer certificate",
            address: "Ingress/shop/web",
            expect: Expect::Pass,
            source: "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:eu-west-1:123456789012:certificate/abc
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
",
        },
        Case {
            name: "an unrelated annotation is no TLS",
            address: "Ingress/shop/web",
            expect: Expect::Violation,
            source: "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    kubernetes.io/ingress.allow-http: \"true\"
    kubernetes.io/ingress.global-static-ip-name: shop-ip
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
",
        },
        Case {
            name: "tls",
            address: "Ingress/shop/web",
            expect: Expect::Pass,
            source: "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  tls:
    - hosts: [shop.example]
      secretName: shop-tls
  rules:
    - host: shop.example
",
        },
    ],
};
