//! Terraform module calls over history (issue 18): a value is blamed through the module
//! boundary, on whichever side of a merge it was written, and `review` and `check` evaluate
//! modules as `scan` does.

mod common;

use common::{bin, scan_json, Fixture};
use serde_json::Value;

const ALICE: &str = "Alice <alice@msp.example>";
const BOB: &str = "Bob <bob@msp.example>";
const CAROL: &str = "Carol <carol@client.example>";

/// A module with SSH from `var.cidr`, whose default is `default`.
fn module(default: &str) -> String {
    format!(
        "variable \"cidr\" {{\n  default = \"{default}\"\n}}\n\nresource \"aws_security_group\" \"ssh\" {{\n  name = \"ssh\"\n\n  ingress {{\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.cidr]\n  }}\n}}\n"
    )
}

/// A root calling `modules/net` once per environment, passing `cidr` only where given.
fn root(envs: &[(&str, Option<&str>)]) -> String {
    let mut s = String::from("provider \"aws\" {\n  region = \"eu-west-1\"\n}\n");
    for (name, cidr) in envs {
        s.push_str(&format!(
            "\nmodule \"{name}\" {{\n  source = \"./modules/net\"\n"
        ));
        if let Some(c) = cidr {
            s.push_str(&format!("  cidr   = \"{c}\"\n"));
        }
        s.push_str("}\n");
    }
    s
}

fn ssh_windows(r: &Value) -> Vec<&Value> {
    common::exposures(r, "aws-sg-admin-port-public")
}

fn cidr_cause(w: &Value) -> &Value {
    w["causes"]
        .as_array()
        .and_then(|cs| {
            cs.iter().find(|c| {
                c["setting"]
                    .as_str()
                    .is_some_and(|s| s.ends_with("cidr_blocks"))
            })
        })
        .unwrap_or_else(|| panic!("no cidr cause in {w}"))
}

#[test]
fn a_module_default_changed_on_a_merged_branch_is_blamed_on_its_writer_in_every_instance() {
    let mut f = Fixture::new();
    f.write("modules/net/main.tf", &module("10.0.0.0/8"));
    f.write(
        "main.tf",
        &root(&[("a", None), ("b", None), ("c", Some("10.9.0.0/16"))]),
    );
    f.commit(ALICE, "two environments on the default, one narrowed");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("modules/net/main.tf", &module("0.0.0.0/0"));
    let bob = f.commit(BOB, "open the module's default");
    f.git(&["checkout", "-q", "main"]);
    f.write("README.md", "x\n");
    f.commit(ALICE, "unrelated");
    let landing = f.merge(CAROL, "feature", None);
    let r = scan_json(&f.repo());
    let ws = ssh_windows(&r);
    let mut addrs: Vec<&str> = ws
        .iter()
        .filter_map(|w| w["resource"]["address"].as_str())
        .collect();
    addrs.sort();
    // The caller that passes its own range is not opened by the default.
    assert_eq!(
        addrs,
        vec![
            "module.a.aws_security_group.ssh",
            "module.b.aws_security_group.ssh"
        ]
    );
    for w in ws {
        assert_eq!(w["resource"]["unit"], ".");
        let c = cidr_cause(w);
        assert_eq!(c["commit"], bob.as_str(), "{w}");
        assert_eq!(c["landing"], landing.as_str());
        assert_eq!(c["file"], "modules/net/main.tf");
        assert_eq!(c["line"], 2);
        assert_eq!(c["written_by_merge"], false);
    }
}

#[test]
fn review_of_a_change_to_the_callers_argument_alone_reports_the_instance_it_opens() {
    let mut f = Fixture::new();
    f.write("modules/net/main.tf", &module("10.0.0.0/8"));
    f.write("main.tf", &root(&[("a", None)]));
    f.commit(ALICE, "base");
    f.git(&["checkout", "-q", "-b", "pr"]);
    f.write("main.tf", &root(&[("a", Some("0.0.0.0/0"))]));
    let bob = f.commit(BOB, "open a");
    let out = bin()
        .args(["review", "main..pr", &f.repo(), "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = r["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{r}");
    let fnd = &findings[0];
    assert_eq!(fnd["change"], "introduced");
    assert_eq!(
        fnd["resource"]["address"],
        "module.a.aws_security_group.ssh"
    );
    let c = cidr_cause(fnd);
    assert_eq!(c["commit"], bob.as_str());
    assert_eq!(c["file"], "main.tf");
    assert_eq!(c["line"], 7);
}

#[test]
fn check_evaluates_modules_through_their_callers_and_alone_when_nobody_calls_them() {
    let f = Fixture::new();
    f.write("modules/net/main.tf", &module("0.0.0.0/0"));
    f.write("main.tf", &root(&[("a", Some("10.1.0.0/16"))]));
    let run = |path: &str| {
        let out = bin()
            .args(["check", path, "--format", "json"])
            .output()
            .expect("runs");
        serde_json::from_slice::<Value>(&out.stdout).expect("json")
    };
    let whole = run(&f.repo());
    assert_eq!(
        whole["findings"].as_array().map(Vec::len),
        Some(0),
        "{whole}"
    );
    // The module directory on its own has no caller: evaluated with its defaults, it is open.
    let alone = run(&format!("{}/modules/net", f.repo()));
    assert_eq!(
        alone["findings"].as_array().map(Vec::len),
        Some(1),
        "{alone}"
    );
}

fn scan_with(repo: &str, extra: &[&str]) -> Value {
    let mut args = vec!["scan", repo, "--format", "json"];
    args.extend_from_slice(extra);
    let out = bin().args(&args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn a_var_file_named_on_the_command_line_is_read_over_history_and_recorded() {
    let mut f = Fixture::new();
    f.write("main.tf", &module("10.0.0.0/8"));
    f.write("envs/prod.tfvars", "cidr = \"10.1.0.0/16\"\n");
    f.commit(ALICE, "root and the prod variables");
    f.write("envs/prod.tfvars", "cidr = \"0.0.0.0/0\"\n");
    let bob = f.commit(BOB, "open prod");
    // Terraform does not load envs/prod.tfvars by itself: without --var-file nothing opens.
    let plain = scan_with(&f.repo(), &[]);
    assert!(ssh_windows(&plain).is_empty(), "{plain}");
    let report = scan_with(&f.repo(), &["--var-file", "envs/prod.tfvars"]);
    let ws = ssh_windows(&report);
    assert_eq!(ws.len(), 1, "{report}");
    let c = cidr_cause(ws[0]);
    assert_eq!(c["commit"], bob.as_str());
    assert_eq!(c["file"], "envs/prod.tfvars");
    assert_eq!(c["line"], 1);
    assert_eq!(
        report["inputs"]["options"]["var_files"],
        serde_json::json!(["envs/prod.tfvars"])
    );
    // The report records the option, so verify recomputes it under the same.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("r.json");
    std::fs::write(&path, serde_json::to_vec(&report).expect("bytes")).expect("write");
    let v = bin()
        .args(["verify", path.to_str().expect("utf-8"), &f.repo()])
        .output()
        .expect("runs");
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
}

#[test]
fn a_directory_named_root_is_evaluated_as_one_though_it_is_called() {
    let mut f = Fixture::new();
    f.write("modules/net/main.tf", &module("0.0.0.0/0"));
    f.write("main.tf", &root(&[("a", Some("10.1.0.0/16"))]));
    f.commit(ALICE, "base");
    assert!(ssh_windows(&scan_with(&f.repo(), &[])).is_empty());
    let r = scan_with(&f.repo(), &["--root", "modules/net"]);
    let ws = ssh_windows(&r);
    assert_eq!(ws.len(), 1, "{r}");
    assert_eq!(ws[0]["resource"]["unit"], "modules/net");
    assert_eq!(
        r["inputs"]["options"]["roots"],
        serde_json::json!(["modules/net"])
    );
}

#[test]
fn a_vendored_registry_module_is_read_through_its_root_and_never_alone() {
    let mut f = Fixture::new();
    f.write(
        "live/.terraform/modules/modules.json",
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"net","Source":"registry.terraform.io/example/net/aws","Version":"2.0.0","Dir":".terraform/modules/net"}]}"#,
    );
    f.write("live/.terraform/modules/net/main.tf", &module("0.0.0.0/0"));
    f.write(
        "live/main.tf",
        "module \"net\" {\n  source  = \"example/net/aws\"\n  version = \"2.0.0\"\n  cidr    = \"10.1.0.0/16\"\n}\n",
    );
    f.commit(ALICE, "vendored network module");
    f.write(
        "live/main.tf",
        "module \"net\" {\n  source  = \"example/net/aws\"\n  version = \"2.0.0\"\n}\n",
    );
    let bob = f.commit(BOB, "use the module's default");
    // Re-vendored with a narrower default: the root is evaluated again, and the window closes.
    f.write(
        "live/.terraform/modules/net/main.tf",
        &module("10.2.0.0/16"),
    );
    let carol = f.commit(CAROL, "terraform init -upgrade");
    let r = scan_with(&f.repo(), &[]);
    let ws = ssh_windows(&r);
    // One window, in the root: the vendored copy is not evaluated alone as a library.
    assert_eq!(ws.len(), 1, "{r}");
    assert_eq!(ws[0]["resource"]["unit"], "live");
    assert_eq!(
        ws[0]["resource"]["address"],
        "module.net.aws_security_group.ssh"
    );
    assert_eq!(cidr_cause(ws[0])["commit"], bob.as_str());
    assert_eq!(ws[0]["closed"]["landing"], carol.as_str());
    assert!(
        r["blind_spots"].as_array().is_some_and(Vec::is_empty),
        "{r}"
    );
}
