//! `review BASE..HEAD` reports the net difference between BASE and HEAD, not each window a scan
//! would show: a change undone inside the range contributes nothing, and what is left is
//! attributed to the commit of the range that made the last relevant change. Findings are
//! written with the paths HEAD has. Each story is the smallest history that shows one rule, built
//! with the git CLI (the tool itself never runs git).

mod common;

use common::{sg, Fixture};
use serde_json::Value;

const ALICE: &str = "Alice Provider <alice@msp.example>";
const BOB: &str = "Bob Provider <bob@msp.example>";
const CAROL: &str = "Carol Client <carol@client.example>";
const DAVE: &str = "Dave Client <dave@client.example>";

const SSH: &str = "aws-sg-admin-port-public";
const WEB: &str = "aws_security_group.web";

/// Runs `review RANGE` on the fixture as JSON; gives the exit code and the report.
fn review(f: &Fixture, range: &str) -> (Option<i32>, Value) {
    let out = common::bin()
        .args(["review", range, &f.repo(), "--format", "json"])
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "review {range}: no JSON; {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

fn findings(r: &Value) -> &Vec<Value> {
    r["findings"].as_array().expect("findings")
}

/// (change, rule, address) of every finding, as a reader would list them.
fn summary(r: &Value) -> Vec<(String, String, String)> {
    findings(r)
        .iter()
        .map(|f| {
            (
                f["change"].as_str().unwrap_or_default().to_string(),
                f["rule"]["id"].as_str().unwrap_or_default().to_string(),
                f["resource"]["address"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

fn one<'a>(r: &'a Value, change: &str, rule: &str) -> &'a Value {
    let hits: Vec<&Value> = findings(r)
        .iter()
        .filter(|f| f["change"] == change && f["rule"]["id"] == rule)
        .collect();
    assert_eq!(hits.len(), 1, "one {change} {rule} finding: {r:#}");
    hits[0]
}

/// The commits a finding names (one commit may change several of its settings).
fn cause_commits(f: &Value) -> Vec<&str> {
    let mut commits: Vec<&str> = f["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .filter_map(|c| c["commit"].as_str())
        .collect();
    commits.dedup();
    commits
}

#[test]
fn a_fix_reverted_inside_the_range_is_neither_fixed_nor_introduced() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit(ALICE, "ssh for on-call");
    f.write("README.md", "ops\n");
    let base = f.commit(DAVE, "readme");
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    let fix = f.commit(CAROL, "ssh from the VPC only");
    f.git(&["revert", "--no-edit", &fix]);
    f.write("README.md", "ops, reached through the VPN\n");
    f.commit(DAVE, "readme: the VPN");

    // The scan sees two windows and a fix between them.
    let scan = common::scan_json(&f.repo());
    assert_eq!(common::exposures(&scan, SSH).len(), 2, "{scan:#}");

    let (code, r) = review(&f, &format!("{base}..HEAD"));
    assert!(findings(&r).is_empty(), "{r:#}");
    assert_eq!(r["fails"], false);
    assert_eq!(code, Some(0));

    // The fix alone is still a fix.
    let (code, r) = review(&f, &format!("{base}..{fix}"));
    let fixed = one(&r, "fixed", SSH);
    assert_eq!(cause_commits(fixed), vec![fix.as_str()]);
    assert_eq!(code, Some(0));
    // And the revert alone reopens what the fix closed: introduced, and the review fails.
    let (code, r) = review(&f, &format!("{fix}..HEAD"));
    assert_eq!(
        summary(&r),
        vec![("introduced".into(), SSH.into(), WEB.into())]
    );
    assert_eq!(code, Some(1));
}

#[test]
fn a_window_opened_and_fixed_inside_the_range_leaves_nothing() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    let base = f.commit(CAROL, "ssh from the VPC");
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let open = f.commit(BOB, "ssh from anywhere, to debug");
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit(CAROL, "ssh from the VPC again");

    let (code, r) = review(&f, &format!("{base}..HEAD"));
    assert!(findings(&r).is_empty(), "{r:#}");
    assert_eq!(code, Some(0));
    // The test can fail: without the fix the same range introduces the exposure.
    let (code, r) = review(&f, &format!("{base}..{open}"));
    assert_eq!(
        summary(&r),
        vec![("introduced".into(), SSH.into(), WEB.into())]
    );
    assert_eq!(code, Some(1));
}

#[test]
fn a_fix_undone_by_a_wider_reopening_is_a_widening_by_the_reopening() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let base = f.commit(ALICE, "ssh for on-call");
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit(CAROL, "ssh from the VPC only");
    f.write("net/main.tf", &sg("0.0.0.0/0", 20, 30));
    let reopen = f.commit(BOB, "ssh and friends from anywhere");

    let (code, r) = review(&f, &format!("{base}..HEAD"));
    let w = one(&r, "widened", SSH);
    assert_eq!(findings(&r).len(), 1, "{r:#}");
    assert_eq!(cause_commits(w), vec![reopen.as_str()]);
    // Before is what BASE had, after is what HEAD has.
    assert_eq!(w["scope"]["before"]["ports"], serde_json::json!(["22"]));
    assert_eq!(
        w["scope"]["after"]["ports"],
        serde_json::json!(["20-30"]),
        "{w:#}"
    );
    assert_eq!(code, Some(1));
}

#[test]
fn a_fix_reverted_and_then_fixed_again_is_credited_to_the_last_fix() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let base = f.commit(ALICE, "ssh for on-call");
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    let first = f.commit(CAROL, "ssh from the VPC only");
    f.git(&["revert", "--no-edit", &first]);
    f.write("net/main.tf", &sg("192.168.0.0/16", 22, 22));
    let last = f.commit(DAVE, "ssh from the office only");

    let (code, r) = review(&f, &format!("{base}..HEAD"));
    assert_eq!(summary(&r), vec![("fixed".into(), SSH.into(), WEB.into())]);
    let fixed = one(&r, "fixed", SSH);
    assert_eq!(cause_commits(fixed), vec![last.as_str()]);
    assert_eq!(code, Some(0));
}

/// A Terraform module directory and a Kubernetes manifest renamed inside the range to paths that
/// sort before the old ones (`zone/` → `area/`, `stage/` → `archive/`): the findings that persist
/// are written where HEAD has them, in the review and in the scan.
#[test]
fn a_finding_that_persists_through_a_rename_is_written_at_its_path_in_head() {
    let mut f = Fixture::new();
    f.write("README.md", "infra\n");
    let base = f.commit(CAROL, "readme");
    f.write("zone/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.write(
        "stage/app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: shop/api:1.0\n          securityContext:\n            privileged: true\n",
    );
    let open = f.commit(BOB, "ssh and a privileged api");
    f.git(&["mv", "zone", "area"]);
    f.git(&["mv", "stage", "archive"]);
    f.commit(ALICE, "new layout");

    let (code, r) = review(&f, &format!("{base}..HEAD"));
    assert_eq!(code, Some(1));
    let ssh = one(&r, "introduced", SSH);
    assert_eq!(ssh["resource"]["unit"], "area", "{ssh:#}");
    assert_eq!(ssh["resource"]["file"], "area/main.tf");
    assert_eq!(ssh["location"]["file"], "area/main.tf");
    // The cause is cited where its commit wrote it.
    assert_eq!(ssh["causes"][0]["commit"], open.as_str());
    assert_eq!(ssh["causes"][0]["file"], "zone/main.tf");
    let k8s = one(&r, "introduced", "k8s-privileged-container");
    assert_eq!(k8s["resource"]["unit"], "archive/app.yaml", "{k8s:#}");
    assert_eq!(k8s["resource"]["file"], "archive/app.yaml");
    assert_eq!(k8s["location"]["file"], "archive/app.yaml");

    let scan = common::scan_json(&f.repo());
    for e in scan["exposures"].as_array().expect("exposures") {
        let unit = e["resource"]["unit"].as_str().unwrap_or_default();
        let file = e["resource"]["file"].as_str().unwrap_or_default();
        assert!(
            unit == "area" || unit == "archive/app.yaml",
            "scan names the old path: {e:#}"
        );
        assert!(file.starts_with(unit), "unit {unit}, file {file}");
    }
}

/// A fix inside the range, then its directory renamed: the fixed resource is still there, so the
/// finding is written under HEAD's path. A resource deleted after a rename is written where it
/// was last seen.
#[test]
fn a_fixed_finding_is_written_at_head_or_where_it_was_last_seen() {
    let mut f = Fixture::new();
    f.write("zone/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.write(
        "old/db.tf",
        &sg("0.0.0.0/0", 3389, 3389).replace("\"web\"", "\"rdp\""),
    );
    let base = f.commit(ALICE, "ssh and rdp for on-call");
    f.write("zone/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit(CAROL, "ssh from the VPC only");
    f.git(&["mv", "zone", "area"]);
    f.git(&["mv", "old", "new"]);
    f.commit(ALICE, "new layout");
    f.remove("new/db.tf");
    let delete = f.commit(CAROL, "no more rdp");

    let (code, r) = review(&f, &format!("{base}..HEAD"));
    assert_eq!(code, Some(0));
    let fixed: Vec<&Value> = findings(&r)
        .iter()
        .filter(|x| x["change"] == "fixed")
        .collect();
    assert_eq!(fixed.len(), 2, "{r:#}");
    let web = fixed
        .iter()
        .find(|x| x["resource"]["address"] == WEB)
        .expect("web fixed");
    assert_eq!(web["resource"]["unit"], "area", "{web:#}");
    assert_eq!(web["resource"]["file"], "area/main.tf");
    assert_eq!(web["location"]["file"], "area/main.tf");
    let rdp = fixed
        .iter()
        .find(|x| x["resource"]["address"] == "aws_security_group.rdp")
        .expect("rdp fixed");
    assert_eq!(rdp["resource"]["unit"], "new", "{rdp:#}");
    assert_eq!(rdp["resource"]["file"], "new/db.tf");
    assert_eq!(cause_commits(rdp), vec![delete.as_str()]);
}

/// The sample repository of this rule (`sample-repos/review-revert-in-range`): from Dave's export
/// job (`:2`) to the tip, the bucket's fix is merged and its revert merged, and an SSH exposure
/// is opened and closed. The scan shows three windows; the review shows nothing and passes.
#[test]
fn the_revert_in_range_sample_reviews_clean() {
    let run = |range: &str| {
        let out = common::bin()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "review",
                range,
                "sample-repos/review-revert-in-range.git",
                "--format",
                "json",
            ])
            .output()
            .expect("runs");
        let r: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        (out.status.code(), r)
    };
    // main~5 is :2, main~4 is Erin's merge of the fix (:4).
    let (code, r) = run("main~5..main");
    assert!(findings(&r).is_empty(), "{r:#}");
    assert_eq!(r["fails"], false);
    assert_eq!(code, Some(0));
    // Up to the merge of the fix, the fix is a fix (Carol's commit on the branch)...
    let (code, r) = run("main~5..main~4");
    assert_eq!(
        summary(&r),
        vec![(
            "fixed".into(),
            "aws-s3-acl-public".into(),
            "aws_s3_bucket.exports".into()
        )]
    );
    assert_eq!(
        cause_commits(one(&r, "fixed", "aws-s3-acl-public")),
        vec!["85d3f0d933c62f344dee3a975ded1be2eac412a4"]
    );
    assert_eq!(code, Some(0));
    // ... and from there on, Bob's revert introduces the exposure again.
    let (code, r) = run("main~4..main");
    assert_eq!(
        cause_commits(one(&r, "introduced", "aws-s3-acl-public")),
        vec!["f7d86468e1a796f2786f46a4848e441d46d29757"]
    );
    assert_eq!(findings(&r).len(), 1, "{r:#}");
    assert_eq!(code, Some(1));
}
