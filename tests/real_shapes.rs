//! The shapes of real history that blamed movers, copiers and mergers (issue 17), each as the
//! minimal shell story: a repository built with the git CLI, scanned, and held to who really
//! wrote the value. Where plain `git blame -w -M -C -C` at the opening landing already names the
//! writer, configtrail must name the same commit.

mod common;

use common::{scan_json, sg, Fixture};
use serde_json::Value;

const ALICE: &str = "Alice <alice@msp.example>";
const BOB: &str = "Bob <bob@msp.example>";
const CAROL: &str = "Carol <carol@client.example>";
const DAVE: &str = "Dave <dave@client.example>";
const ERIN: &str = "Erin <erin@client.example>";

fn windows<'a>(r: &'a Value, rule: &str) -> Vec<&'a Value> {
    common::exposures(r, rule)
}

/// The cause that set `setting` (a suffix of the setting path).
fn cause<'a>(w: &'a Value, setting: &str) -> &'a Value {
    w["causes"]
        .as_array()
        .and_then(|cs| {
            cs.iter()
                .find(|c| c["setting"].as_str().is_some_and(|s| s.ends_with(setting)))
        })
        .unwrap_or_else(|| panic!("no cause for {setting} in {w}"))
}

/// The commit `git blame -w -M -C -C` names for `line` of `file` at `rev`.
fn blame(f: &Fixture, rev: &str, file: &str, line: u64) -> String {
    let out = f.git(&[
        "blame",
        "-w",
        "-M",
        "-C",
        "-C",
        "--porcelain",
        "-L",
        &format!("{line},{line}"),
        rev,
        "--",
        file,
    ]);
    out.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Alice's base of `file` (SSH from 10.0.0.0/8) on main, Dave's `on_branch` on branch `feature`,
/// then Alice's `on_main` on main: two sides ready to merge. Returns Dave's commit.
fn diverged(f: &mut Fixture, file: &str, on_branch: &str, on_main: &str) -> String {
    f.write(file, &sg("10.0.0.0/8", 22, 22));
    f.commit(ALICE, "base");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write(file, on_branch);
    let dave = f.commit(DAVE, "on the branch");
    f.git(&["checkout", "-q", "main"]);
    f.write(file, on_main);
    f.commit(ALICE, "on main");
    dave
}

/// The cause of the SSH window's CIDR, in a report with one such window.
fn ssh_cause(r: &Value) -> &Value {
    cause(windows(r, "aws-sg-admin-port-public")[0], "cidr_blocks")
}

fn deployment(privileged: bool) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.25\n        securityContext:\n          privileged: {privileged}\n"
    )
}

const SERVICE: &str =
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  type: ClusterIP\n";

#[test]
fn a_value_three_merges_deep_is_blamed_on_its_writer_as_line_blame_does() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit(ALICE, "base");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.git(&["checkout", "-q", "-b", "inner"]);
    f.git(&["checkout", "-q", "-b", "innermost"]);
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let bob = f.commit(BOB, "open SSH");
    f.git(&["checkout", "-q", "inner"]);
    f.merge(CAROL, "innermost", None);
    f.git(&["checkout", "-q", "feature"]);
    f.merge(DAVE, "inner", None);
    f.git(&["checkout", "-q", "main"]);
    f.write("README.md", "x\n");
    f.commit(ALICE, "unrelated");
    let landing = f.merge(ERIN, "feature", None);
    let r = scan_json(&f.repo());
    let w = windows(&r, "aws-sg-admin-port-public");
    assert_eq!(w.len(), 1);
    let c = cause(w[0], "cidr_blocks");
    assert_eq!(c["commit"], bob.as_str());
    assert_eq!(c["author"]["email"], "bob@msp.example");
    assert_eq!(c["landing"], landing.as_str());
    assert_eq!(c["merged_by"]["email"], "erin@client.example");
    assert_eq!(c["written_by_merge"], false);
    let line = c["landing_line"].as_u64().expect("line");
    assert_eq!(blame(&f, &landing, "net/main.tf", line), bob);
}

#[test]
fn a_value_through_the_first_parent_of_an_inner_merge_keeps_its_writer() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit(ALICE, "base");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let bob = f.commit(BOB, "open SSH on the feature branch");
    f.git(&["checkout", "-q", "-b", "side", "main"]);
    f.write("README.md", "docs\n");
    f.commit(CAROL, "docs on a side branch");
    f.git(&["checkout", "-q", "feature"]);
    // The inner merge's first parent carries Bob's value; its second brings only docs.
    f.merge(DAVE, "side", None);
    f.git(&["checkout", "-q", "main"]);
    f.merge(ERIN, "feature", None);
    let r = scan_json(&f.repo());
    let c = ssh_cause(&r);
    assert_eq!(c["commit"], bob.as_str());
    assert_eq!(c["written_by_merge"], false);
}

#[test]
fn a_value_in_neither_parent_is_the_merges_own_and_says_so() {
    let mut f = Fixture::new();
    diverged(
        &mut f,
        "net/main.tf",
        &sg("10.1.0.0/16", 22, 22),
        &sg("10.2.0.0/16", 22, 22),
    );
    let merge = f.merge(
        ERIN,
        "feature",
        Some(("net/main.tf", &sg("0.0.0.0/0", 22, 22))),
    );
    let r = scan_json(&f.repo());
    let c = ssh_cause(&r);
    assert_eq!(c["commit"], merge.as_str());
    assert_eq!(c["written_by_merge"], true);
}

#[test]
fn a_cited_line_is_true_of_the_cited_commit() {
    let mut f = Fixture::new();
    let dave = diverged(
        &mut f,
        "db/main.tf",
        &sg("0.0.0.0/0", 22, 22),
        &format!("# one\n# two\n# three\n{}", sg("10.0.0.0/8", 22, 22)),
    );
    let landing = f.merge(ERIN, "feature", None);
    let r = scan_json(&f.repo());
    let c = ssh_cause(&r);
    assert_eq!(c["commit"], dave.as_str());
    let (line, at_landing) = (c["line"].as_u64(), c["landing_line"].as_u64());
    assert_eq!(at_landing.zip(line).map(|(a, l)| a - l), Some(3));
    let text = f.git(&["show", &format!("{dave}:db/main.tf")]);
    let cited = text
        .lines()
        .nth(line.expect("line") as usize - 1)
        .unwrap_or_default();
    assert!(
        cited.contains("0.0.0.0/0"),
        "line {line:?} of {dave} is {cited:?}"
    );
    let shown = f.git(&["show", &format!("{landing}:db/main.tf")]);
    let there = shown
        .lines()
        .nth(at_landing.expect("line") as usize - 1)
        .unwrap_or_default();
    assert!(there.contains("0.0.0.0/0"), "{there:?}");
}

#[test]
fn manifests_folded_into_one_file_and_split_again_are_the_same_objects() {
    let mut f = Fixture::new();
    f.write("kubernetes-manifests/api.yaml", &deployment(false));
    f.write("kubernetes-manifests/web.yaml", SERVICE);
    f.commit(ALICE, "manifests");
    f.write("kubernetes-manifests/api.yaml", &deployment(true));
    let bob = f.commit(BOB, "privileged");
    f.write(
        "release/all.yaml",
        &format!("{}---\n{SERVICE}", deployment(true)),
    );
    f.git(&["rm", "-q", "-r", "kubernetes-manifests"]);
    let fold = f.commit(CAROL, "one file for the release");
    f.write("manifests/api.yaml", &deployment(true));
    f.write("manifests/web.yaml", SERVICE);
    f.git(&["rm", "-q", "-r", "release"]);
    f.commit(DAVE, "split again");
    std::fs::create_dir_all(f.path().join("deploy")).expect("mkdir");
    f.git(&["mv", "manifests/api.yaml", "deploy/api.yaml"]);
    f.commit(DAVE, "git mv to another folder");
    f.write("deploy/api.yaml", &deployment(false));
    let erin = f.commit(ERIN, "unprivileged");
    let r = scan_json(&f.repo());
    let w = windows(&r, "k8s-privileged-container");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(cause(w[0], "privileged")["commit"], bob.as_str());
    assert_eq!(w[0]["closed"]["landing"], erin.as_str());
    assert_eq!(w[0]["remediation"]["commit"], erin.as_str());
    assert_eq!(w[0]["identity"], "single");
    assert_eq!(w[0]["files"].as_array().map(Vec::len), Some(4));
    // Line blame follows the fold too; configtrail must not do worse.
    assert_eq!(blame(&f, &fold, "release/all.yaml", 13), bob);
}

#[test]
fn a_copy_then_delete_keeps_the_window_and_its_writer_and_review_sees_nothing() {
    let mut f = Fixture::new();
    f.write("old/app.yaml", &deployment(true));
    let bob = f.commit(BOB, "privileged");
    f.write("new/app.yaml", &deployment(true));
    let copy = f.commit(CAROL, "copy into the new layout");
    f.git(&["rm", "-q", "-r", "old"]);
    let delete = f.commit(DAVE, "remove the old layout");
    f.write("new/app.yaml", &deployment(false));
    let erin = f.commit(ERIN, "unprivileged");
    let r = scan_json(&f.repo());
    let w = windows(&r, "k8s-privileged-container");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(cause(w[0], "privileged")["commit"], bob.as_str());
    assert_eq!(w[0]["closed"]["landing"], erin.as_str());
    assert_eq!(w[0]["identity"], "copied");
    assert_eq!(
        w[0]["files"],
        serde_json::json!(["new/app.yaml", "old/app.yaml"])
    );
    for range in [format!("{copy}^..{delete}"), format!("{copy}..{delete}")] {
        let out = common::bin()
            .args(["review", &range, &f.repo(), "--format", "json"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{range}");
        let j: Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(j["findings"], serde_json::json!([]), "{range}: {j}");
    }
}

#[test]
fn copies_that_disagree_keep_the_window_open_and_say_it_is_ambiguous() {
    let mut f = Fixture::new();
    f.write("old/app.yaml", &deployment(true));
    f.commit(BOB, "privileged");
    f.write("new/app.yaml", &deployment(true));
    f.commit(CAROL, "copy");
    f.write("old/app.yaml", &deployment(false));
    f.commit(DAVE, "fix only the old copy");
    let r = scan_json(&f.repo());
    let w = windows(&r, "k8s-privileged-container");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["open_at_tip"], true);
    assert_eq!(w[0]["identity"], "ambiguous");
    let history = common::bin()
        .args(["history", "Deployment/shop/api", &f.repo()])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&history.stdout);
    assert!(text.contains("names 2 objects at the tip"), "{text}");
    assert!(text.contains("ambiguous"), "{text}");
}

/// kubernetes-engine-samples 02373a66: a manifest of a ConfigMap and a Deployment deleted, and a
/// file of the ConfigMap alone added under the same long header, which git pairs as a rename.
/// The Deployment is gone; its window is shown in the file that held it, not in the one git
/// paired it with.
#[test]
fn an_object_deleted_with_its_file_is_shown_where_it_was_not_where_git_paired_the_file() {
    let header: String = (0..30)
        .map(|i| format!("# line {i} of the same licence header\n"))
        .collect();
    let config = |value: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\n  namespace: shop\ndata:\n  a: {value}\n")
    };
    let mut f = Fixture::new();
    f.write(
        "k8s/proxy.yaml",
        &format!("{header}{}---\n{}", config("b"), deployment(true)),
    );
    f.commit(BOB, "privileged proxy and its config");
    f.remove("k8s/proxy.yaml");
    f.write("k8s/config.yaml", &format!("{header}{}", config("c")));
    let gone = f.commit(CAROL, "the proxy is replaced by a config map");
    let moved = f.git(&["show", "-M", "--name-status", "--format=", &gone]);
    assert!(moved.starts_with('R'), "git must pair the files: {moved}");
    let r = scan_json(&f.repo());
    let w = windows(&r, "k8s-privileged-container");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["closed"]["landing"], gone.as_str());
    assert_eq!(w[0]["resource"]["unit"], "k8s/proxy.yaml");
    assert_eq!(w[0]["resource"]["file"], "k8s/proxy.yaml");
}

#[test]
fn a_resource_moved_to_another_directory_and_renamed_by_moved_keeps_its_window() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.write(
        "net/other.tf",
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
    );
    f.write(
        "edge/main.tf",
        "resource \"aws_s3_bucket\" \"edge\" {\n  bucket = \"edge\"\n}\n",
    );
    let alice = f.commit(ALICE, "open SSH");
    f.git(&["mv", "net/main.tf", "edge/web.tf"]);
    f.commit(BOB, "move the group to edge");
    f.write(
        "edge/web.tf",
        &format!(
            "{}\nmoved {{\n  from = aws_security_group.web\n  to   = aws_security_group.jump\n}}\n",
            sg("0.0.0.0/0", 22, 22).replace("\"web\" {", "\"jump\" {")
        ),
    );
    f.commit(BOB, "rename with a moved block");
    f.write(
        "edge/web.tf",
        &sg("10.0.0.0/8", 22, 22).replace("\"web\" {", "\"jump\" {"),
    );
    let carol = f.commit(CAROL, "close");
    let r = scan_json(&f.repo());
    let w = windows(&r, "aws-sg-admin-port-public");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(cause(w[0], "cidr_blocks")["commit"], alice.as_str());
    assert_eq!(w[0]["resource"]["address"], "aws_security_group.jump");
    assert_eq!(w[0]["remediation"]["commit"], carol.as_str());
}

/// `review RANGE` on the fixture, as JSON, with its exit code.
fn review(f: &Fixture, range: &str) -> (Option<i32>, Value) {
    let out = common::bin()
        .args(["review", range, &f.repo(), "--format", "json"])
        .output()
        .expect("runs");
    let j = serde_json::from_slice(&out.stdout).expect("json");
    (out.status.code(), j)
}

#[test]
fn a_terraform_rename_without_moved_keeps_the_writer_and_review_sees_no_fix() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let alice = f.commit(ALICE, "open SSH");
    let renamed = sg("0.0.0.0/0", 22, 22).replace("\"web\" {", "\"jump\" {");
    f.write("net/main.tf", &format!("# the jump host\n{renamed}"));
    let bob = f.commit(BOB, "rename the group, no moved block");
    let r = scan_json(&f.repo());
    let w = windows(&r, "aws-sg-admin-port-public");
    assert_eq!(w.len(), 2, "{w:?}");
    let jump = w
        .iter()
        .find(|w| w["resource"]["address"] == "aws_security_group.jump")
        .expect("the renamed group's window");
    let c = cause(jump, "cidr_blocks");
    assert_eq!(c["commit"], alice.as_str());
    assert_eq!(c["written_on"], "aws_security_group.web");
    assert_eq!(jump["opened"]["landing"], bob.as_str());
    // Line blame names Alice for the moved line too.
    let line = c["landing_line"].as_u64().expect("a line");
    assert_eq!(blame(&f, &bob, "net/main.tf", line), alice);
    // A reviewer of the rename sees nothing opened or fixed.
    let (code, j) = review(&f, &format!("{alice}..{bob}"));
    assert_eq!(code, Some(0));
    assert_eq!(j["findings"], serde_json::json!([]), "{j}");
}

/// kubernetes/examples f30c03dd: a Pod's file deleted and a controller running the same
/// container from its template added, on a branch merged as a whole and on main directly. The
/// controller is a new object (its windows its own), but `privileged` is still Bob's. Line blame
/// cannot say so here: `git blame -C -C` moves no fewer than 20 alphanumeric characters, and
/// the line is `privileged: true`, re-indented.
#[test]
fn a_pod_converted_to_a_controller_keeps_the_writer_of_its_container() {
    let mut f = Fixture::new();
    f.write("k8s/web-pod.yaml", &pod("web", true, "web:1"));
    let bob = f.commit(BOB, "privileged pod");
    let controller = |kind: &str| {
        format!(
            "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: app\n          image: web:1\n          securityContext:\n            privileged: true\n"
        )
    };
    f.git(&["checkout", "-q", "-b", "convert"]);
    f.remove("k8s/web-pod.yaml");
    f.write("k8s/web-rc.yaml", &controller("ReplicationController"));
    let carol = f.commit(CAROL, "run it under a controller");
    f.git(&["checkout", "-q", "main"]);
    f.write("README.md", "shop\n");
    f.commit(ERIN, "readme");
    f.git(&["merge", "-q", "--no-ff", "convert", "-m", "merge convert"]);
    // And on main itself, a landing: the controller turned back into a Pod.
    f.remove("k8s/web-rc.yaml");
    f.write("k8s/web-pod.yaml", &pod("web", true, "web:1"));
    let dave = f.commit(DAVE, "back to a pod");
    let r = scan_json(&f.repo());
    let w = windows(&r, "k8s-privileged-container");
    let rc = w
        .iter()
        .find(|w| w["resource"]["address"] == "ReplicationController/web")
        .expect("the controller's window");
    let c = cause(rc, "privileged");
    assert_eq!(c["commit"], bob.as_str(), "not the converter {carol}");
    assert_eq!(c["written_on"], "Pod/web");
    assert_eq!(c["file"], "k8s/web-pod.yaml");
    assert_eq!(c["line"], 10);
    // Converted back: the Pod's window is a new one, its value still Bob's.
    let again = w
        .iter()
        .find(|w| w["resource"]["address"] == "Pod/web" && w["open_at_tip"] == true)
        .expect("the Pod's new window");
    assert_eq!(
        cause(again, "privileged")["commit"],
        bob.as_str(),
        "not {dave}"
    );
}

#[test]
fn a_namespace_dropped_on_a_merged_branch_keeps_the_writer() {
    let mut f = Fixture::new();
    f.write("k8s/app.yaml", &deployment(true));
    let bob = f.commit(BOB, "privileged");
    f.git(&["checkout", "-q", "-b", "cleanup"]);
    f.write(
        "k8s/app.yaml",
        &deployment(true).replace("  namespace: shop\n", ""),
    );
    let carol = f.commit(CAROL, "default namespace");
    f.git(&["checkout", "-q", "main"]);
    f.write("README.md", "shop\n");
    f.commit(ERIN, "readme");
    f.git(&["merge", "-q", "--no-ff", "cleanup", "-m", "merge cleanup"]);
    let r = scan_json(&f.repo());
    let w = windows(&r, "k8s-privileged-container");
    let new = w
        .iter()
        .find(|w| w["resource"]["address"] == "Deployment/api")
        .expect("the renamed object's window");
    let c = cause(new, "privileged");
    assert_eq!(c["commit"], bob.as_str(), "not the renamer {carol}");
    assert_eq!(c["written_on"], "Deployment/shop/api");
}

#[test]
fn a_terraform_directory_copied_then_deleted_keeps_the_window_and_review_sees_nothing() {
    let mut f = Fixture::new();
    f.write("old/net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let alice = f.commit(ALICE, "open SSH");
    f.write("platform/net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let copy = f.commit(CAROL, "copy into the new layout");
    f.git(&["rm", "-q", "-r", "old"]);
    let delete = f.commit(DAVE, "remove the duplicates");
    let r = scan_json(&f.repo());
    let w = windows(&r, "aws-sg-admin-port-public");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(cause(w[0], "cidr_blocks")["commit"], alice.as_str());
    assert_eq!(w[0]["open_at_tip"], true);
    assert_eq!(w[0]["identity"], "copied");
    for range in [format!("{copy}^..{delete}"), format!("{copy}..{delete}")] {
        let (code, j) = review(&f, &range);
        assert_eq!(code, Some(0), "{range}");
        assert_eq!(j["findings"], serde_json::json!([]), "{range}: {j}");
    }
}

#[test]
fn a_terraform_copy_with_edits_is_a_new_resource_whose_kept_values_keep_their_writer() {
    let mut f = Fixture::new();
    f.write("old/net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let alice = f.commit(ALICE, "open SSH");
    f.write(
        "platform/net/main.tf",
        &sg("0.0.0.0/0", 22, 22).replace("\"web\"", "\"web\" # platform"),
    );
    f.write(
        "platform/net/main.tf",
        &sg("0.0.0.0/0", 22, 22).replace("ingress {", "description = \"platform\"\n  ingress {"),
    );
    let copy = f.commit(CAROL, "copy and describe");
    let r = scan_json(&f.repo());
    let w = windows(&r, "aws-sg-admin-port-public");
    assert_eq!(w.len(), 2, "{w:?}");
    let platform = w
        .iter()
        .find(|w| w["resource"]["unit"] == "platform/net")
        .expect("the copy's window");
    assert_eq!(cause(platform, "cidr_blocks")["commit"], alice.as_str());
    // A reviewer sees the new resource, with the writer of its open CIDR.
    let (code, j) = review(&f, &format!("{alice}..{copy}"));
    assert_eq!(code, Some(1), "{j}");
    assert_eq!(j["findings"][0]["change"], "introduced", "{j}");
}

#[test]
fn a_resource_removed_with_destroy_false_stays_exposed_and_an_import_says_it_is_older() {
    let mut f = Fixture::new();
    let bucket = |acl: &str| {
        format!("resource \"aws_s3_bucket\" \"logs\" {{\n  bucket = \"logs\"\n  acl    = \"{acl}\"\n}}\n")
    };
    f.write(
        "net/main.tf",
        &format!("{}{}", sg("0.0.0.0/0", 22, 22), bucket("private")),
    );
    f.commit(ALICE, "open SSH");
    f.write(
        "net/main.tf",
        &format!(
            "{}removed {{\n  from = aws_security_group.web\n  lifecycle {{\n    destroy = false\n  }}\n}}\n",
            bucket("private")
        ),
    );
    let bob = f.commit(BOB, "hand the group over, keep it running");
    // The removed block goes once applied; the group is still not Terraform's, still open.
    f.write("net/main.tf", &bucket("private"));
    f.commit(CAROL, "drop the applied removed block");
    f.write(
        "net/main.tf",
        &format!(
            "{}import {{\n  to = aws_s3_bucket.old\n  id = \"old\"\n}}\nresource \"aws_s3_bucket\" \"old\" {{\n  bucket = \"old\"\n  acl    = \"public-read\"\n}}\n",
            bucket("private")
        ),
    );
    let dave = f.commit(DAVE, "adopt the old bucket");
    let r = scan_json(&f.repo());
    let ssh = windows(&r, "aws-sg-admin-port-public");
    assert_eq!(ssh.len(), 1, "{ssh:?}");
    assert_eq!(
        ssh[0]["open_at_tip"], true,
        "a forgotten group is not a fix"
    );
    let spots = r["blind_spots"].as_array().expect("blind spots");
    let forgotten = spots
        .iter()
        .find(|b| {
            b["reason"]
                .as_str()
                .is_some_and(|s| s.contains("destroy = false"))
        })
        .expect("the forgotten group is a blind spot");
    assert_eq!(forgotten["from_landing"], bob.as_str());
    assert!(forgotten["to_landing"].is_null(), "{forgotten}");
    let imported = spots
        .iter()
        .find(|b| b["reason"].as_str().is_some_and(|s| s.contains("imported")))
        .expect("the import is a blind spot");
    assert_eq!(imported["from_landing"], dave.as_str());
    assert!(
        imported["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("aws_s3_bucket.old"),
        "{imported}"
    );
}

/// A pod privileged or not, in its own file.
fn pod(name: &str, privileged: bool, image: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n    - name: app\n      image: {image}\n      securityContext:\n        privileged: {privileged}\n"
    )
}

/// A merge bringing a long side (read on two threads in runs of commits, see `read_side`): 80
/// side commits, each adding a privileged pod, one rewriting an earlier pod's image only, one
/// turning an earlier pod's privileged off and a later one on again, and a branch merged into
/// the side. Each window names the side commit that last wrote its value, whichever thread read
/// it: the same as reading the side in order on one.
#[test]
fn a_long_merged_side_credits_each_value_to_its_writer_in_order() {
    let mut f = Fixture::new();
    f.write("README.md", "# shop\n");
    f.commit(ALICE, "start");
    f.git(&["checkout", "-q", "-b", "side"]);
    let mut writer: std::collections::BTreeMap<String, String> = Default::default();
    for i in 0..80 {
        let who = if i % 2 == 0 { BOB } else { CAROL };
        let file = format!("k8s/app-{i}.yaml");
        f.write(&file, &pod(&format!("app-{i}"), true, "shop:1"));
        if i == 30 {
            f.write("k8s/app-7.yaml", &pod("app-7", false, "shop:1"));
        }
        if i == 60 {
            f.write("k8s/app-5.yaml", &pod("app-5", true, "shop:2"));
        }
        let c = f.commit(who, &format!("pod {i}"));
        writer.insert(format!("Pod/app-{i}"), c.clone());
        if i == 50 {
            f.write("k8s/app-7.yaml", &pod("app-7", true, "shop:1"));
            let again = f.commit(ERIN, "app-7 privileged again");
            writer.insert("Pod/app-7".into(), again);
        }
        if i == 40 {
            f.git(&["checkout", "-q", "-b", "inner"]);
            f.write("k8s/inner.yaml", &pod("inner", true, "shop:1"));
            let inner = f.commit(DAVE, "inner pod");
            writer.insert("Pod/inner".into(), inner);
            f.git(&["checkout", "-q", "side"]);
            f.merge(ERIN, "inner", None);
        }
    }
    f.git(&["checkout", "-q", "main"]);
    let landing = f.merge(DAVE, "side", None);
    let r = scan_json(&f.repo());
    let ws = windows(&r, "k8s-privileged-container");
    assert_eq!(ws.len(), writer.len(), "one window per pod: {ws:#?}");
    for w in ws {
        let address = w["resource"]["address"].as_str().unwrap_or_default();
        assert_eq!(w["opened"]["landing"], landing.as_str(), "{address}");
        let c = cause(w, "privileged");
        assert_eq!(
            c["commit"].as_str(),
            writer.get(address).map(String::as_str),
            "{address}: {c}"
        );
    }
}

/// A pull request of two people squashed by its author, the forge keeping its head under
/// `refs/pull/7/head` (kubernetes/examples e4cc298a: an import of 73 commits by 20 people,
/// squashed by the importer). Bob opened SSH on the branch, Carol added a README; Carol squashed.
/// The squash is read through the pull request: Bob wrote the value. Without the ref, or when
/// the squash holds what the head does not (the base moved under it), Carol's squash is credited.
#[test]
fn a_squash_of_another_persons_commits_is_read_through_its_pull_request_ref() {
    let build = |keep_ref: bool, squash_differs: bool| {
        let mut f = Fixture::new();
        f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
        f.commit(ALICE, "base");
        f.git(&["checkout", "-q", "-b", "pr"]);
        f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
        let bob = f.commit(BOB, "open SSH for the migration");
        f.write("README.md", "notes\n");
        f.commit(CAROL, "notes");
        let head = f.git(&["rev-parse", "HEAD"]).trim().to_string();
        f.git(&["checkout", "-q", "main"]);
        f.git(&["merge", "-q", "--squash", "pr"]);
        if squash_differs {
            f.write(
                "net/main.tf",
                &format!("{}\n# reviewed\n", sg("0.0.0.0/0", 22, 22)),
            );
        }
        let squash = f.commit(CAROL, "Migrate the bastion (#7)");
        if keep_ref {
            f.git(&["update-ref", "refs/pull/7/head", &head]);
        }
        f.git(&["branch", "-q", "-D", "pr"]);
        (f, bob, head, squash)
    };
    let with_refs = |f: &Fixture| common::scan_json_with(&f.repo(), &["--pull-refs"]);
    let (f, bob, head, squash) = build(true, false);
    // Not asked: the ref's own history only.
    let plain = scan_json(&f.repo());
    assert_eq!(plain["inputs"]["pull_request_heads"], 0);
    assert_eq!(ssh_cause(&plain)["commit"], squash.as_str());
    let r = with_refs(&f);
    // Recorded, so that `verify` reads the same way.
    assert_eq!(r["inputs"]["options"]["limits"]["pull_refs"], true);
    assert_eq!(r["inputs"]["pull_request_heads"], 1);
    let c = ssh_cause(&r);
    assert_eq!(c["commit"], bob.as_str(), "{c}");
    assert_eq!(c["author"]["email"], "bob@msp.example");
    assert_eq!(c["landing"], squash.as_str());
    assert_eq!(c["pull_request"]["number"], 7);
    assert_eq!(c["pull_request"]["ref"], "refs/pull/7/head");
    assert_eq!(c["pull_request"]["head"], head.as_str());
    assert_eq!(c["written_by_merge"], false);
    // The cited line is true of Bob's commit.
    let line = c["line"].as_u64().expect("line");
    let text = f.git(&["show", &format!("{bob}:net/main.tf")]);
    assert!(
        text.lines()
            .nth(line as usize - 1)
            .is_some_and(|l| l.contains("0.0.0.0/0")),
        "line {line} of {text}"
    );
    // Without the ref (a plain clone), or when the squash is not what the head holds: the squash.
    for (keep_ref, differs) in [(false, false), (true, true)] {
        let (f, _, _, squash) = build(keep_ref, differs);
        let r = with_refs(&f);
        let c = ssh_cause(&r);
        assert_eq!(
            c["commit"],
            squash.as_str(),
            "ref {keep_ref}, differs {differs}: {c}"
        );
        assert_eq!(c["pull_request"], Value::Null);
    }
}

/// A squash whose pull request is its author's own commits is credited as one commit: reading
/// the pull request would name the same person, and a plain clone holds the squash.
#[test]
fn a_squash_of_the_authors_own_commits_stays_the_cause() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit(ALICE, "base");
    f.git(&["checkout", "-q", "-b", "pr"]);
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit("Bob <bob@users.noreply.example>", "open SSH");
    let head = f.git(&["rev-parse", "HEAD"]).trim().to_string();
    f.git(&["checkout", "-q", "main"]);
    f.git(&["merge", "-q", "--squash", "pr"]);
    let squash = f.commit(BOB, "Open SSH (#3)");
    f.git(&["update-ref", "refs/pull/3/head", &head]);
    let r = common::scan_json_with(&f.repo(), &["--pull-refs"]);
    assert_eq!(r["inputs"]["pull_request_heads"], 1);
    let c = ssh_cause(&r);
    assert_eq!(c["commit"], squash.as_str(), "{c}");
    assert_eq!(c["pull_request"], Value::Null);
}
