//! Kubernetes manifests and CloudFormation templates through the unchanged pipeline: scan and
//! review find, time and attribute their exposures as they do Terraform's; reordering opens
//! nothing; a renamed manifest keeps its window; hostile YAML is a blind spot, not a crash; and
//! the `rules` catalogue commands behave as documented.

mod common;

use common::{bin, exposures, scan_json, Fixture};
use serde_json::Value;

fn deployment(containers: &[(&str, bool)]) -> String {
    let mut s = String::from(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n",
    );
    for (name, privileged) in containers {
        s.push_str(&format!(
            "        - name: {name}\n          image: {name}:1\n"
        ));
        if *privileged {
            s.push_str("          securityContext:\n            privileged: true\n");
        }
    }
    s
}

fn review(repo: &str, range: &str) -> (i32, Value) {
    let out = bin()
        .args(["review", range, repo, "--format", "json"])
        .output()
        .expect("runs");
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v)
}

#[test]
fn scan_times_and_attributes_a_privileged_container_by_name() {
    let mut f = Fixture::new();
    f.write(
        "k8s/api.yaml",
        &deployment(&[("api", false), ("envoy", false)]),
    );
    f.commit("Alice Provider <alice@msp.example>", "deploy");
    f.write(
        "k8s/api.yaml",
        &deployment(&[("api", false), ("envoy", true)]),
    );
    let opener = f.commit("Bob Provider <bob@msp.example>", "privileged envoy");
    // Reordering the containers is not a change.
    f.write(
        "k8s/api.yaml",
        &deployment(&[("envoy", true), ("api", false)]),
    );
    f.commit("Carol Client <carol@client.example>", "reorder");
    f.write(
        "k8s/api.yaml",
        &deployment(&[("envoy", false), ("api", false)]),
    );
    let closer = f.commit("Carol Client <carol@client.example>", "unprivileged");

    let r = scan_json(&f.repo());
    let w = exposures(&r, "k8s-privileged-container");
    assert_eq!(w.len(), 1, "{r:#}");
    let w = w[0];
    assert_eq!(w["resource"]["format"], "kubernetes");
    assert_eq!(w["resource"]["unit"], "k8s/api.yaml");
    assert_eq!(w["resource"]["address"], "Deployment/shop/api");
    assert_eq!(w["opened"]["landing"], opener.as_str());
    assert_eq!(w["closed"]["landing"], closer.as_str());
    let cause = &w["causes"][0];
    assert_eq!(cause["commit"], opener.as_str());
    assert_eq!(
        cause["setting"],
        "spec.template.spec.containers.envoy.securityContext.privileged"
    );
    assert_eq!(cause["file"], "k8s/api.yaml");
    assert_eq!(cause["line"], 15);
    assert_eq!(cause["but_for"], true);
    assert_eq!(w["remediation"]["commit"], closer.as_str());
}

#[test]
fn review_of_kubernetes_and_cloudformation_branches() {
    let mut f = Fixture::new();
    f.write(
        "k8s/api.yaml",
        &deployment(&[("api", false), ("envoy", false)]),
    );
    f.write(
        "cfn/net.json",
        r#"{"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
  "GroupDescription": "x",
  "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"}]}}}}"#,
    );
    f.commit("Carol Client <carol@client.example>", "base");

    // A branch that only reorders: nothing introduced, exit 0.
    f.git(&["checkout", "-q", "-b", "reorder"]);
    f.write(
        "k8s/api.yaml",
        &deployment(&[("envoy", false), ("api", false)]),
    );
    f.commit("Dave Client <dave@client.example>", "reorder");
    let (code, r) = review(&f.repo(), "main..reorder");
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["findings"], serde_json::json!([]));

    // A branch that opens SSH in the JSON template and makes a container privileged.
    f.git(&["checkout", "-q", "main"]);
    f.git(&["checkout", "-q", "-b", "open"]);
    f.write(
        "cfn/net.json",
        r#"{"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
  "GroupDescription": "x",
  "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]}}}}"#,
    );
    let ssh = f.commit("Bob Provider <bob@msp.example>", "ssh from anywhere");
    f.write(
        "k8s/api.yaml",
        &deployment(&[("api", true), ("envoy", false)]),
    );
    let privileged = f.commit("Bob Provider <bob@msp.example>", "privileged api");
    let (code, r) = review(&f.repo(), "main..open");
    assert_eq!(code, 1, "{r:#}");
    let findings = r["findings"].as_array().expect("findings");
    let by_rule = |id: &str| {
        findings
            .iter()
            .find(|x| x["rule"]["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {r:#}"))
    };
    let sg = by_rule("cfn-sg-admin-port-public");
    assert_eq!(sg["change"], "introduced");
    assert_eq!(sg["resource"]["format"], "cloudformation");
    assert!(sg["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .any(|c| c["commit"] == ssh.as_str() && c["setting"] == "SecurityGroupIngress[0].CidrIp"));
    let k = by_rule("k8s-privileged-container");
    assert_eq!(k["resource"]["format"], "kubernetes");
    assert!(k["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .any(|c| c["commit"] == privileged.as_str()));
}

#[test]
fn a_renamed_manifest_keeps_its_window() {
    let mut f = Fixture::new();
    f.write("k8s/api.yaml", &deployment(&[("api", true)]));
    f.commit("Alice Provider <alice@msp.example>", "privileged");
    f.git(&["mv", "k8s/api.yaml", "k8s/payments-api.yaml"]);
    f.commit("Bob Provider <bob@msp.example>", "rename");
    let r = scan_json(&f.repo());
    let w = exposures(&r, "k8s-privileged-container");
    assert_eq!(w.len(), 1, "{r:#}");
    assert_eq!(w[0]["open_at_tip"], true);
    assert_eq!(w[0]["resource"]["unit"], "k8s/payments-api.yaml");
}

#[test]
fn hostile_yaml_is_a_blind_spot_and_foreign_yaml_is_silent() {
    let mut f = Fixture::new();
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    f.write("k8s/bomb.yaml", &bomb);
    f.write(
        "k8s/deep.yaml",
        &format!(
            "apiVersion: v1\nkind: Pod\nspec: {}1{}\n",
            "[".repeat(5000),
            "]".repeat(5000)
        ),
    );
    f.write(".gitlab-ci.yml", "stages: [test]\ntest:\n  script: make\n");
    f.write("chart/values.yaml", "replicas: 2\n");
    f.commit("Alice Provider <alice@msp.example>", "hostile");
    let r = scan_json(&f.repo());
    let spots = r["blind_spots"].as_array().expect("blind spots");
    let files: Vec<&str> = spots.iter().filter_map(|b| b["file"].as_str()).collect();
    assert_eq!(files, ["k8s/bomb.yaml", "k8s/deep.yaml"], "{r:#}");
    assert!(spots[0]["reason"]
        .as_str()
        .is_some_and(|s| s.contains("nodes")));
    // Refused by the parser's own nesting limit or ours, whichever comes first.
    assert!(spots[1]["reason"]
        .as_str()
        .is_some_and(|s| s.contains("deeper") || s.contains("recursion limit")));
}

// --- the catalogue ---------------------------------------------------------------------------

#[test]
fn rules_list_json_has_every_pack() {
    let out = bin()
        .args(["rules", "list", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["schema"], "configtrail.rules/1");
    let rules = v["rules"].as_array().expect("rules");
    let count = |fmt: &str| rules.iter().filter(|r| r["format"] == fmt).count();
    assert!(count("kubernetes") >= 15);
    assert!(count("cloudformation") >= 8);
    assert_eq!(count("terraform"), 105);
    let pack = |p: &str| rules.iter().filter(|r| r["pack"] == p).count();
    assert_eq!((pack("aws"), pack("azure"), pack("gcp")), (50, 27, 28));
    let text = bin().args(["rules", "list"]).output().expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.starts_with("ID "));
    assert!(text.contains("k8s-privileged-container") && text.contains("cfn-s3-acl-public"));
}

#[test]
fn rules_show_and_test_and_their_errors() {
    let out = bin()
        .args(["rules", "show", "cfn-s3-acl-public"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    for part in [
        "Why it matters",
        "Evidence settings",
        "Remediation",
        "AccessControl",
        "Example (violation)",
    ] {
        assert!(s.contains(part), "{part} in {s}");
    }
    let out = bin()
        .args(["rules", "show", "no-such-rule"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rule no-such-rule"));

    for pack in ["kubernetes", "cloudformation", "aws", "azure", "gcp"] {
        let out = bin().args(["rules", "test", pack]).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{pack}");
        assert!(String::from_utf8_lossy(&out.stdout).contains(" 0 failed"));
    }
    let out = bin()
        .args(["rules", "test", "oracle-cloud"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rules_doc_is_the_committed_docs_rules_md() {
    let out = bin().args(["rules", "doc"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md"))
        .expect("docs/rules.md");
    assert!(
        out.stdout == committed,
        "regenerate: configtrail rules doc > docs/rules.md"
    );
}

/// A cause older than the range is traced back through the manifest's own history (the unit is a
/// file, so the trace follows the file's blob, not a directory's tree).
#[test]
fn review_traces_an_older_cause_through_a_manifest() {
    let mut f = Fixture::new();
    let svc = |ranges: &str| {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: web}}\nspec:\n  type: LoadBalancer\n{ranges}"
        )
    };
    f.write(
        "k8s/svc.yaml",
        &svc("  loadBalancerSourceRanges: [203.0.113.0/24]\n"),
    );
    let base = f.commit("Alice Provider <alice@msp.example>", "internal service");
    f.write("README.md", "docs\n");
    f.commit("Carol Client <carol@client.example>", "docs");
    f.git(&["checkout", "-q", "-b", "open"]);
    f.write("k8s/svc.yaml", &svc(""));
    let opener = f.commit("Bob Provider <bob@msp.example>", "open to all");
    let (code, r) = review(&f.repo(), "main..open");
    assert_eq!(code, 1, "{r:#}");
    let causes = r["findings"][0]["causes"].as_array().expect("causes");
    let by = |commit: &str, setting: &str| {
        causes
            .iter()
            .any(|c| c["commit"] == commit && c["setting"] == setting && c["but_for"] == true)
    };
    assert!(by(&opener, "spec.loadBalancerSourceRanges"), "{r:#}");
    assert!(by(&base, "spec.type"), "{r:#}");
}
