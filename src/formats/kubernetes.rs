//! Kubernetes: the documents of one manifest file → the unit's resources with located settings.
//!
//! Takes the documents [`super::tree`] read from one YAML (or JSON) file; gives one [`Resource`]
//! per Kubernetes object (a document with a string `apiVersion` and `kind`; the items of a
//! `kind: List` count as documents), addressed `Kind/namespace/name`, or `Kind/name` for
//! cluster-scoped kinds and objects that name no namespace (the namespace is then decided at
//! apply time, by `kubectl -n`, which the repository does not record). Documents that are not
//! Kubernetes objects are skipped.
//!
//! The body is the whole object, so setting paths read as the manifest does
//! (`spec.template.spec.containers.api.securityContext.privileged`). One normalisation: lists
//! whose elements Kubernetes itself merges by name (containers, init and ephemeral containers,
//! volumes, env) become maps keyed by that name. Reordering containers therefore changes no
//! setting, and the blame of `containers.api.securityContext` follows the container called `api`,
//! not whichever container happens to be first. A list whose names are missing or repeated
//! (invalid for the API server) is kept as a list.
//!
//! Kubernetes YAML has no expressions; a tagged node (`!something`) is the only thing read as
//! [`Value::Unknown`].

use super::tree::{Kind, Node};
use crate::model::{Location, Problem, Resource, SettingPath, Unit, Value};
use std::collections::BTreeMap;

/// List fields whose elements are identified by `name` (their patch merge key).
const NAMED_LISTS: &[&str] = &[
    "containers",
    "initContainers",
    "ephemeralContainers",
    "volumes",
    "env",
];

/// `path` with the names of the named list items it passes through left out
/// (`spec.template.spec.containers.web.image` → `spec.template.spec.containers.*.image`): how two
/// objects are compared as copies of one another when the copy renamed its containers or
/// volumes, which moves every one of their settings to another path.
pub fn unnamed(path: &SettingPath) -> SettingPath {
    let mut out = Vec::with_capacity(path.0.len());
    let mut after_list = false;
    for seg in &path.0 {
        match seg {
            crate::model::Segment::Key(_) if after_list => {
                out.push(crate::model::Segment::Key("*".to_string()));
                after_list = false;
            }
            crate::model::Segment::Key(k) => {
                after_list = NAMED_LISTS.contains(&k.as_str());
                out.push(seg.clone());
            }
            other => {
                after_list = false;
                out.push(other.clone());
            }
        }
    }
    SettingPath(out)
}

/// Kinds that live outside namespaces: their address never has a namespace.
const CLUSTER_SCOPED: &[&str] = &[
    "ClusterRole",
    "ClusterRoleBinding",
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "CustomResourceDefinition",
    "PodSecurityPolicy",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
];

/// Is this document a Kubernetes object?
pub fn is_object(doc: &Node) -> bool {
    matches!(doc.get("apiVersion").map(|n| &n.kind), Some(Kind::Str(_)))
        && matches!(doc.get("kind").map(|n| &n.kind), Some(Kind::Str(_)))
}

/// The resources of a manifest file. A later object with the same address replaces an earlier
/// one, as applying the file would.
pub fn read(path: &str, docs: &[Node]) -> Unit {
    let mut resources = BTreeMap::new();
    let mut objects: Vec<&Node> = Vec::new();
    for doc in docs {
        if !is_object(doc) {
            continue;
        }
        let is_list = doc
            .get("kind")
            .and_then(Node::as_str)
            .is_some_and(|k| k.ends_with("List"));
        match doc.get("items").map(|n| &n.kind) {
            Some(Kind::Seq(items)) if is_list => {
                objects.extend(items.iter().filter(|n| is_object(n)))
            }
            _ => objects.push(doc),
        }
    }
    // The pre-v1beta3 versions of objects not read in v1's shape: one blind spot each.
    let mut unread: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for (i, obj) in objects.into_iter().enumerate() {
        let modern = legacy::modern(obj).or_else(|| legacy::v1beta3(obj));
        if let (None, Some(v)) = (&modern, obj.get("apiVersion").and_then(Node::as_str)) {
            if LEGACY_APIS.contains(&v) {
                unread.insert(v);
            }
        }
        let res = resource(path, modern.as_ref().unwrap_or(obj), i);
        resources.insert(res.address.clone(), res);
    }
    Unit {
        resources,
        problems: Vec::new(),
        moved: Vec::new(),
        removed: Vec::new(),
        imports: Vec::new(),
        gaps: unread.into_iter().map(|v| legacy_gap(path, v)).collect(),
        ..Default::default()
    }
}

/// The API versions before v1beta3 (2014 to early 2015), whose objects have another shape:
/// named by `id`, labels at the top, a pod under `desiredState.manifest`, a Service's port at the
/// top, `privileged` on the container. Pods, replication controllers and Services are read in
/// v1's shape (see [`legacy`]); any other kind, read as written, has no setting where a rule
/// looks, so a file holding one is a blind spot, not a clean file.
const LEGACY_APIS: &[&str] = &["v1beta1", "v1beta2"];

fn legacy_gap(file: &str, version: &str) -> Problem {
    Problem {
        file: file.to_string(),
        reason: format!(
            "Kubernetes objects of the pre-v1beta3 API `{version}` (named by `id`, pods under \
             `desiredState.manifest`): their settings are not where the rules read them, so \
             they are not judged"
        ),
    }
}

fn resource(file: &str, obj: &Node, index: usize) -> Resource {
    let kind = obj
        .get("kind")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let meta = obj.get("metadata");
    let field = |k: &str| meta.and_then(|m| m.get(k)).and_then(Node::as_str);
    let name = field("name")
        .map(str::to_string)
        .or_else(|| field("generateName").map(|g| format!("{g}*")))
        .unwrap_or_else(|| format!("#{}", index + 1));
    let address = match field("namespace") {
        Some(ns) if !CLUSTER_SCOPED.contains(&kind.as_str()) => format!("{kind}/{ns}/{name}"),
        _ => format!("{kind}/{name}"),
    };
    let mut locations = BTreeMap::new();
    let body = value(file, obj, &SettingPath::root(), None, &mut locations);
    Resource {
        address,
        kind,
        location: Location {
            file: file.to_string(),
            line: obj.line,
        },
        body,
        locations,
    }
}

/// Converts a node; `key` is the field it is the value of (for the named lists).
fn value(
    file: &str,
    node: &Node,
    path: &SettingPath,
    key: Option<&str>,
    locs: &mut BTreeMap<SettingPath, Location>,
) -> Value {
    let loc = |line: u32| Location {
        file: file.to_string(),
        line,
    };
    match &node.kind {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(*b),
        Kind::Number(n) => Value::Number(n.clone()),
        Kind::Str(s) => Value::String(s.clone()),
        Kind::Tagged(tag, inner) => Value::Unknown(format!(
            "{tag} {}",
            inner.as_str().unwrap_or("(collection)")
        )),
        Kind::Map(entries) => {
            let mut m = BTreeMap::new();
            for (k, line, child) in entries {
                let p = path.key(k);
                locs.insert(p.clone(), loc(*line));
                m.insert(k.clone(), value(file, child, &p, Some(k), locs));
            }
            Value::Map(m)
        }
        Kind::Seq(items) => {
            if let Some(names) = key
                .filter(|k| NAMED_LISTS.contains(k))
                .and_then(|_| names(items))
            {
                let mut m = BTreeMap::new();
                for (name, item) in names.into_iter().zip(items) {
                    let p = path.key(&name);
                    locs.insert(p.clone(), loc(item.line));
                    m.insert(name, value(file, item, &p, None, locs));
                }
                return Value::Map(m);
            }
            Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let p = path.index(i);
                        locs.insert(p.clone(), loc(item.line));
                        value(file, item, &p, None, locs)
                    })
                    .collect(),
            )
        }
    }
}

/// The names of a named list's elements, when every element has one and they are distinct.
fn names(items: &[Node]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let n = item.get("name")?.as_str()?.to_string();
        if out.contains(&n) {
            return None;
        }
        out.push(n);
    }
    Some(out)
}

/// Objects of the pre-v1beta3 APIs in v1's shape, each value on the line it was written on.
///
/// Why: a v1beta3 manifest made from a v1beta1 one (kubernetes/examples a2ee541e, 87fd2b85) is
/// a copy of an object, and its values were written by whoever wrote the v1beta1 original; read
/// as written, the original had no name and no containers, so the copier was named. Only the
/// fields whose v1 place is certain are moved; the rest stay under `spec` as written, where no
/// rule reads them.
mod legacy {
    use super::{Kind, Node};

    fn map(line: u32, entries: Vec<(String, u32, Node)>) -> Node {
        Node {
            line,
            kind: Kind::Map(entries),
        }
    }

    /// The entry `key` of a map node, with its key's line (the last one, as `Node::get`).
    fn entry<'a>(node: &'a Node, key: &str) -> Option<&'a (String, u32, Node)> {
        node.entries().iter().rev().find(|(k, _, _)| k == key)
    }

    /// `obj` in v1's shape, when it is a Pod, ReplicationController or Service of a pre-v1beta3
    /// API; `None` for anything else.
    pub(super) fn modern(obj: &Node) -> Option<Node> {
        let version = obj.get("apiVersion")?.as_str()?;
        if !super::LEGACY_APIS.contains(&version) {
            return None;
        }
        let kind = obj.get("kind")?.as_str()?;
        let state = entry(obj, "desiredState");
        let spec = match kind {
            "Pod" => {
                let (_, line, s) = state?;
                let (_, _, m) = entry(s, "manifest")?;
                (*line, pod_spec(m))
            }
            "ReplicationController" => {
                let (_, line, s) = state?;
                (*line, controller_spec(s))
            }
            "Service" => (obj.line, service_spec(obj)),
            _ => return None,
        };
        let mut top: Vec<(String, u32, Node)> = ["apiVersion", "kind"]
            .iter()
            .filter_map(|k| entry(obj, k).cloned())
            .collect();
        let mut meta: Vec<(String, u32, Node)> = Vec::new();
        if let Some((_, l, n)) = entry(obj, "id") {
            meta.push(("name".to_string(), *l, n.clone()));
        }
        for k in ["namespace", "labels", "annotations"] {
            meta.extend(entry(obj, k).cloned());
        }
        if !meta.is_empty() {
            let line = meta[0].1;
            top.push(("metadata".to_string(), line, map(line, meta)));
        }
        top.push(("spec".to_string(), spec.0, spec.1));
        Some(map(obj.line, top))
    }

    /// `obj` with v1's place for what a v1beta3 container kept on itself, when it is a v1beta3
    /// object with a pod (a Pod, or a controller's template) whose containers do: `privileged`
    /// and `capabilities`, which v1 keeps only under `securityContext` (v1beta3 had both, and
    /// read the container's when the context did not say). `None` when there is nothing to
    /// move. Without it, v1's `securityContext.privileged: true` written from v1beta3's
    /// `privileged: true` was a new value, credited to who converted the file
    /// (kubernetes/examples 849017af) rather than who wrote it (1d5ac311).
    pub(super) fn v1beta3(obj: &Node) -> Option<Node> {
        if obj.get("apiVersion")?.as_str()? != "v1beta3" {
            return None;
        }
        let pod: &[&str] = match obj.get("kind")?.as_str()? {
            "Pod" => &["spec"],
            _ => &["spec", "template", "spec"],
        };
        let mut path = pod.to_vec();
        path.push("containers");
        rewrite(obj, &path, &|cs| match &cs.kind {
            Kind::Seq(items) => {
                let moved: Vec<Option<Node>> = items.iter().map(beta3_container).collect();
                moved.iter().any(Option::is_some).then(|| Node {
                    line: cs.line,
                    kind: Kind::Seq(
                        moved
                            .into_iter()
                            .zip(items)
                            .map(|(m, c)| m.unwrap_or_else(|| c.clone()))
                            .collect(),
                    ),
                })
            }
            _ => None,
        })
    }

    /// `node` with the node at `path` (map keys) replaced by what `f` gives for it; `None`
    /// when the path is not there or `f` gives nothing.
    fn rewrite(node: &Node, path: &[&str], f: &dyn Fn(&Node) -> Option<Node>) -> Option<Node> {
        let Some((key, rest)) = path.split_first() else {
            return f(node);
        };
        let entries = node.entries();
        let i = entries.iter().rposition(|(k, _, _)| k == key)?;
        let child = rewrite(&entries[i].2, rest, f)?;
        let mut out = entries.to_vec();
        out[i].2 = child;
        Some(map(node.line, out))
    }

    /// A v1beta3 container with its own `privileged` and `capabilities` under
    /// `securityContext` (where the context already sets one, the context's stands, as v1beta3
    /// read it); `None` when it has neither.
    fn beta3_container(c: &Node) -> Option<Node> {
        const MOVED: [&str; 2] = ["privileged", "capabilities"];
        if !c
            .entries()
            .iter()
            .any(|(k, _, _)| MOVED.contains(&k.as_str()))
        {
            return None;
        }
        let mut out: Vec<(String, u32, Node)> = Vec::new();
        let mut lifted: Vec<(String, u32, Node)> = Vec::new();
        for e in c.entries() {
            if MOVED.contains(&e.0.as_str()) {
                lifted.push(e.clone());
            } else {
                out.push(e.clone());
            }
        }
        match out.iter().rposition(|(k, _, _)| k == "securityContext") {
            Some(i) => {
                let ctx = &out[i].2;
                let mut entries = ctx.entries().to_vec();
                for l in lifted {
                    if !entries.iter().any(|(k, _, _)| *k == l.0) {
                        entries.push(l);
                    }
                }
                let line = ctx.line;
                out[i].2 = map(line, entries);
            }
            None => {
                let line = lifted[0].1;
                out.push(("securityContext".to_string(), line, map(line, lifted)));
            }
        }
        Some(map(c.line, out))
    }

    /// A v1beta1 pod manifest (`desiredState.manifest`) as a v1 pod spec.
    fn pod_spec(m: &Node) -> Node {
        let mut out = Vec::new();
        for (k, line, v) in m.entries() {
            match k.as_str() {
                "version" | "id" | "uuid" => {}
                "containers" => out.push((k.clone(), *line, each(v, container))),
                "volumes" => out.push((k.clone(), *line, each(v, volume))),
                _ => out.push((k.clone(), *line, v.clone())),
            }
        }
        map(m.line, out)
    }

    /// `f` applied to each item of a sequence (anything else as it is).
    fn each(v: &Node, f: fn(&Node) -> Node) -> Node {
        match &v.kind {
            Kind::Seq(items) => Node {
                line: v.line,
                kind: Kind::Seq(items.iter().map(f).collect()),
            },
            _ => v.clone(),
        }
    }

    /// A v1beta1 container: `privileged` under `securityContext`, `cpu` and `memory` as limits.
    fn container(c: &Node) -> Node {
        let mut out = Vec::new();
        let mut limits = Vec::new();
        for (k, line, v) in c.entries() {
            match k.as_str() {
                "privileged" => out.push((
                    "securityContext".to_string(),
                    *line,
                    map(*line, vec![(k.clone(), *line, v.clone())]),
                )),
                "cpu" | "memory" => limits.push((k.clone(), *line, v.clone())),
                _ => out.push((k.clone(), *line, v.clone())),
            }
        }
        if let Some(line) = limits.first().map(|l| l.1) {
            out.push((
                "resources".to_string(),
                line,
                map(line, vec![("limits".to_string(), line, map(line, limits))]),
            ));
        }
        if out.is_empty() {
            return c.clone();
        }
        map(c.line, out)
    }

    /// A v1beta1 volume: its `source` inlined, with v1's names for the sources renamed since.
    fn volume(v: &Node) -> Node {
        let mut out = Vec::new();
        for (k, line, n) in v.entries() {
            if k == "source" {
                for (sk, sl, sn) in n.entries() {
                    let name = match sk.as_str() {
                        "hostDir" => "hostPath",
                        "persistentDisk" => "gcePersistentDisk",
                        other => other,
                    };
                    out.push((name.to_string(), *sl, sn.clone()));
                }
            } else {
                out.push((k.clone(), *line, n.clone()));
            }
        }
        if out.is_empty() {
            return v.clone();
        }
        map(v.line, out)
    }

    /// A v1beta1 replication controller's `desiredState` as a v1 spec.
    fn controller_spec(s: &Node) -> Node {
        let mut out = Vec::new();
        for (k, line, v) in s.entries() {
            match k.as_str() {
                "replicaSelector" => out.push(("selector".to_string(), *line, v.clone())),
                "podTemplate" => {
                    let mut t = Vec::new();
                    if let Some((_, l, labels)) = entry(v, "labels") {
                        t.push((
                            "metadata".to_string(),
                            *l,
                            map(*l, vec![("labels".to_string(), *l, labels.clone())]),
                        ));
                    }
                    if let Some((_, l, m)) =
                        entry(v, "desiredState").and_then(|(_, _, d)| entry(d, "manifest"))
                    {
                        t.push(("spec".to_string(), *l, pod_spec(m)));
                    }
                    out.push(("template".to_string(), *line, map(*line, t)));
                }
                _ => out.push((k.clone(), *line, v.clone())),
            }
        }
        map(s.line, out)
    }

    /// A v1beta1 Service's top-level fields as a v1 spec: one port, its selector.
    fn service_spec(obj: &Node) -> Node {
        let mut out = Vec::new();
        let mut port = Vec::new();
        for (k, line, v) in obj.entries() {
            match k.as_str() {
                "apiVersion" | "kind" | "id" | "namespace" | "labels" | "annotations" => {}
                "port" | "protocol" => port.push((k.clone(), *line, v.clone())),
                "containerPort" => port.push(("targetPort".to_string(), *line, v.clone())),
                _ => out.push((k.clone(), *line, v.clone())),
            }
        }
        if let Some(line) = port.first().map(|p| p.1) {
            out.push((
                "ports".to_string(),
                line,
                Node {
                    line,
                    kind: Kind::Seq(vec![map(line, port)]),
                },
            ));
        }
        map(obj.line, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tree::parse_yaml;

    fn unit(text: &str) -> Unit {
        let d = parse_yaml(text);
        assert!(d.error.is_none(), "{:?}", d.error);
        read("k8s/app.yaml", &d.docs)
    }

    const DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: payments
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          securityContext:
            privileged: true
        - name: sidecar
          image: envoy
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
  namespace: ignored
rules: []
---
ci: not a manifest
";

    #[test]
    fn unnamed_paths_leave_out_the_names_of_named_list_items_only() {
        let u = |p: &str| unnamed(&SettingPath::parse(p)).to_string();
        assert_eq!(
            u("spec.template.spec.containers.web.image"),
            r#"spec.template.spec.containers["*"].image"#
        );
        assert_eq!(
            u("spec.template.spec.containers.web.env.DB_HOST.value"),
            r#"spec.template.spec.containers["*"].env["*"].value"#
        );
        assert_eq!(
            u("spec.template.spec.volumes.ssl-certs.hostPath.path"),
            r#"spec.template.spec.volumes["*"].hostPath.path"#
        );
        // Not a named list: kept as it is.
        assert_eq!(u("metadata.labels.app"), "metadata.labels.app");
        assert_eq!(u("spec.ports[0].port"), "spec.ports[0].port");
    }

    #[test]
    fn addresses_and_located_settings() {
        let u = unit(DEPLOY);
        let keys: Vec<&String> = u.resources.keys().collect();
        assert_eq!(keys, ["ClusterRole/reader", "Deployment/payments/api"]);
        let d = &u.resources["Deployment/payments/api"];
        let p = SettingPath::parse("spec.template.spec.containers.api.securityContext.privileged");
        assert_eq!(d.get(&p), Some(&Value::Bool(true)));
        assert_eq!(d.location_of(&p).line, 13);
        assert_eq!(d.location.line, 1);
        assert_eq!(d.kind, "Deployment");
    }

    #[test]
    fn reordering_containers_and_keys_changes_nothing() {
        let reordered = "\
kind: Deployment
apiVersion: apps/v1
metadata:
  namespace: payments
  name: api
spec:
  template:
    spec:
      containers:
        - image: envoy
          name: sidecar
        - securityContext:
            privileged: true
          name: api
          image: api:1
";
        let a = unit(DEPLOY);
        let b = unit(reordered);
        assert_eq!(
            a.resources["Deployment/payments/api"].body,
            b.resources["Deployment/payments/api"].body
        );
    }

    #[test]
    fn lists_and_unnamed_objects() {
        let u = unit(
            "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: web}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {generateName: cfg-}\n",
        );
        assert!(u.resources.contains_key("Service/web"));
        assert!(u.resources.contains_key("ConfigMap/cfg-*"));
    }

    #[test]
    fn objects_of_the_pre_v1beta3_apis_are_a_blind_spot_not_a_clean_file() {
        let legacy = unit(
            "apiVersion: v1beta1\nkind: Pod\nid: web\ndesiredState:\n  manifest:\n    containers:\n      - name: web\n        privileged: true\n---\napiVersion: v1beta1\nkind: Service\nid: web\nport: 80\n",
        );
        // Pods and Services are read in v1's shape, each value on its own line.
        assert!(legacy.gaps.is_empty(), "{:?}", legacy.gaps);
        let pod = &legacy.resources["Pod/web"];
        let p = SettingPath::parse("spec.containers.web.securityContext.privileged");
        assert_eq!(pod.get(&p), Some(&Value::Bool(true)));
        assert_eq!(pod.locations[&p].line, 8);
        let svc = &legacy.resources["Service/web"];
        let port = SettingPath::parse("spec.ports[0].port");
        assert_eq!(svc.get(&port), Some(&Value::Number("80".into())));
        // A controller's pod template too.
        let rc = unit(
            "apiVersion: v1beta2\nkind: ReplicationController\nid: web\nnamespace: shop\ndesiredState:\n  replicas: 2\n  replicaSelector: {name: web}\n  podTemplate:\n    labels: {name: web}\n    desiredState:\n      manifest:\n        containers:\n          - name: web\n            cpu: 100\n        volumes:\n          - name: data\n            source:\n              hostDir: {path: /data}\n",
        );
        let rc = &rc.resources["ReplicationController/shop/web"];
        for (path, line) in [
            ("spec.template.spec.containers.web.resources.limits.cpu", 14),
            ("spec.template.spec.volumes.data.hostPath.path", 18),
            ("spec.selector.name", 7),
            ("spec.template.metadata.labels.name", 9),
        ] {
            let p = SettingPath::parse(path);
            assert!(rc.get(&p).is_some(), "{path} in {:?}", rc.body);
            assert_eq!(rc.locations[&p].line, line, "{path}");
        }
        // Any other kind of those APIs is a blind spot, once per file and version.
        let other = unit("apiVersion: v1beta1\nkind: Minion\nid: n1\n---\napiVersion: v1beta1\nkind: Event\nid: e\n");
        assert_eq!(other.gaps.len(), 1, "one per file and version");
        assert!(other.gaps[0].reason.contains("`v1beta1`"));
        assert_eq!(other.gaps[0].file, "k8s/app.yaml");
        // v1beta3's container-level `privileged` and `capabilities` are read where v1 has them,
        // on their own lines; a context's own value stands.
        let beta3 = unit(
            "apiVersion: v1beta3\nkind: ReplicationController\nmetadata: {name: nfs}\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          privileged: true\n          capabilities: {add: [NET_ADMIN]}\n        - name: b\n          privileged: true\n          securityContext: {privileged: false}\n        - name: c\n",
        );
        let rc = &beta3.resources["ReplicationController/nfs"];
        let at = |p: &str| {
            let p = SettingPath::parse(p);
            (rc.get(&p).cloned(), rc.locations.get(&p).map(|l| l.line))
        };
        assert_eq!(
            at("spec.template.spec.containers.a.securityContext.privileged"),
            (Some(Value::Bool(true)), Some(9))
        );
        assert_eq!(
            at("spec.template.spec.containers.a.securityContext.capabilities.add[0]").1,
            Some(10)
        );
        assert_eq!(
            at("spec.template.spec.containers.b.securityContext.privileged").0,
            Some(Value::Bool(false))
        );
        assert_eq!(at("spec.template.spec.containers.a.privileged").0, None);
        // v1beta3 has the shape of v1 otherwise, and a group's v1beta1 is another API.
        for v in ["v1beta3", "v1", "extensions/v1beta1", "batch/v1beta1"] {
            let u = unit(&format!(
                "apiVersion: {v}\nkind: Pod\nmetadata: {{name: p}}\n"
            ));
            assert!(u.gaps.is_empty(), "{v}: {:?}", u.gaps);
        }
    }

    #[test]
    fn duplicate_container_names_stay_a_list() {
        let u = unit("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n  - name: a\n");
        let p = &u.resources["Pod/p"];
        assert!(matches!(
            p.get(&SettingPath::parse("spec.containers")),
            Some(Value::List(_))
        ));
    }
}
