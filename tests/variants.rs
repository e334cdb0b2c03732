//! Variants of the sample stories, built in temporary repositories: the same kinds of history as
//! `sample-repos/` written differently (other resource shapes, several moves in one commit,
//! fast-forward merges, `count = 0`, data-source policies), so the tool is held to the kind of
//! story and not to one spelling of it.

mod common;

use common::{exposures, scan_json, sg, Fixture};
use serde_json::{json, Value};

const CAROL: &str = "Carol Client <carol@client.example>";
const ALICE: &str = "Alice Provider <alice@msp.example>";
const BOB: &str = "Bob Provider <bob@msp.example>";
const DAVE: &str = "Dave Client <dave@client.example>";

fn one<'a>(r: &'a Value, rule: &str) -> &'a Value {
    let w = exposures(r, rule);
    assert_eq!(w.len(), 1, "expected one {rule} window in {r:#}");
    w[0]
}

fn cause<'a>(w: &'a Value, setting: &str) -> &'a Value {
    w["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .find(|c| c["setting"] == setting)
        .unwrap_or_else(|| panic!("no cause for {setting} in {w:#}"))
}

#[test]
fn a_standalone_rule_resource_opens_and_its_deletion_closes() {
    let mut f = Fixture::new();
    f.write(
        "net/sg.tf",
        "resource \"aws_security_group\" \"g\" {\n  name = \"g\"\n}\n",
    );
    f.commit(CAROL, "group");
    f.write(
        "net/rules.tf",
        "resource \"aws_security_group_rule\" \"rdp\" {\n  type              = \"ingress\"\n  from_port         = 3389\n  to_port           = 3389\n  protocol          = \"tcp\"\n  cidr_blocks       = [\"0.0.0.0/0\"]\n  security_group_id = aws_security_group.g.id\n}\n",
    );
    let open = f.commit(ALICE, "rdp for the vendor");
    f.remove("net/rules.tf");
    let close = f.commit(CAROL, "no more rdp");
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-sg-admin-port-public");
    assert_eq!(w["resource"]["address"], "aws_security_group_rule.rdp");
    assert_eq!(w["opened"]["landing"], open.as_str());
    assert_eq!(w["closed"]["landing"], close.as_str());
    assert_eq!(cause(w, "cidr_blocks")["commit"], open.as_str());
    assert_eq!(w["remediation"]["commit"], close.as_str());
    assert_eq!(w["remediation"]["setting"], "");
    assert_eq!(w["remediation"]["after"], Value::Null);
}

#[test]
fn an_ipv6_world_ingress_rule_is_an_exposure() {
    let mut f = Fixture::new();
    f.write(
        "net/main.tf",
        "resource \"aws_vpc_security_group_ingress_rule\" \"ssh6\" {\n  security_group_id = \"sg-1\"\n  cidr_ipv6         = \"::/0\"\n  from_port         = 22\n  to_port           = 22\n  ip_protocol       = \"tcp\"\n}\n",
    );
    let open = f.commit(BOB, "ssh over v6");
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-sg-admin-port-public");
    assert_eq!(cause(w, "cidr_ipv6")["commit"], open.as_str());
    assert_eq!(w["open_at_tip"], true);
}

/// Reformatted, moved to another file and the unit directory renamed, all in one commit, while the
/// window is open: one window, and the cause stays with whoever wrote the value.
#[test]
fn reformat_move_and_unit_rename_in_one_commit_keep_the_window_and_the_author() {
    let mut f = Fixture::new();
    f.write("modules/edge/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.write(
        "modules/edge/outputs.tf",
        "output \"x\" {\n  value = 1\n}\n",
    );
    let open = f.commit(ALICE, "open ssh");
    f.remove("modules/edge/main.tf");
    f.remove("modules/edge/outputs.tf");
    f.write(
        "platform/edge/security.tf",
        "# moved here\nresource \"aws_security_group\" \"web\" {\n  ingress {\n    cidr_blocks = [\"0.0.0.0/0\"]\n    protocol = \"tcp\"\n    to_port = 22\n    from_port = 22\n  }\n  name = \"web\"\n}\n",
    );
    f.write(
        "platform/edge/outputs.tf",
        "output \"x\" {\n  value = 1\n}\n",
    );
    f.commit(BOB, "restructure");
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-sg-admin-port-public");
    assert_eq!(w["opened"]["landing"], open.as_str());
    assert_eq!(w["open_at_tip"], true);
    assert_eq!(w["resource"]["unit"], "platform/edge");
    assert_eq!(w["resource"]["file"], "platform/edge/security.tf");
    let c = cause(w, "ingress[0].cidr_blocks");
    assert_eq!(c["commit"], open.as_str());
    assert_eq!(c["author"]["email"], "alice@msp.example");
    assert_eq!(c["file"], "modules/edge/main.tf");
}

/// A value from `*.auto.tfvars` is located there, and a later override closes the window.
#[test]
fn an_auto_tfvars_value_is_the_cause_and_its_location() {
    let mut f = Fixture::new();
    f.write(
        "edge/main.tf",
        "variable \"cidr\" {\n  default = \"10.0.0.0/8\"\n}\nlocals {\n  admin = [var.cidr]\n}\nresource \"aws_security_group\" \"a\" {\n  ingress {\n    from_port   = 3389\n    to_port     = 3389\n    protocol    = \"tcp\"\n    cidr_blocks = local.admin\n  }\n}\n",
    );
    f.commit(CAROL, "admin from the office");
    f.write("edge/vendor.auto.tfvars", "cidr = \"0.0.0.0/0\"\n");
    let open = f.commit(BOB, "vendor access");
    f.write("edge/vendor.auto.tfvars", "cidr = \"203.0.113.0/24\"\n");
    let close = f.commit(CAROL, "vendor's own range");
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-sg-admin-port-public");
    let c = cause(w, "ingress[0].cidr_blocks");
    assert_eq!(c["commit"], open.as_str());
    assert_eq!(c["file"], "edge/vendor.auto.tfvars");
    assert_eq!(c["line"], 1);
    assert_eq!(c["before"], json!(["10.0.0.0/8"]));
    assert_eq!(c["after"], json!(["0.0.0.0/0"]));
    assert_eq!(w["remediation"]["commit"], close.as_str());
    assert_eq!(w["remediation"]["file"], "edge/vendor.auto.tfvars");
}

#[test]
fn count_zero_is_a_removal_that_closes_the_window() {
    let mut f = Fixture::new();
    let db = |count: u8| {
        format!("resource \"aws_db_instance\" \"d\" {{\n  count               = {count}\n  publicly_accessible = true\n  storage_encrypted   = true\n}}\n")
    };
    f.write("db/main.tf", &db(1));
    let open = f.commit(DAVE, "reporting db");
    f.write("db/main.tf", &db(0));
    let close = f.commit(CAROL, "switch it off");
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-rds-public");
    assert_eq!(w["opened"]["landing"], open.as_str());
    assert_eq!(w["closed"]["landing"], close.as_str());
    assert_eq!(w["remediation"]["author"]["email"], "carol@client.example");
}

/// Fast-forward merges have no merge commit: each branch commit is its own landing.
#[test]
fn a_fast_forward_merge_makes_each_commit_a_landing() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit(CAROL, "base");
    f.git(&["checkout", "-q", "-b", "topic"]);
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let open = f.commit(DAVE, "open");
    f.git(&["checkout", "-q", "main"]);
    f.git(&["merge", "-q", "--ff-only", "topic"]);
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-sg-admin-port-public");
    assert_eq!(w["opened"]["landing"], open.as_str());
    let c = cause(w, "ingress[0].cidr_blocks");
    assert_eq!(c["landing"], open.as_str());
    assert_eq!(c["merged_by"], Value::Null);
}

/// On a merged branch that opened, reverted and reopened the setting, the cause is the commit
/// that last gave it its value.
#[test]
fn on_a_merged_branch_the_last_writer_of_the_value_is_the_cause() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit(CAROL, "base");
    f.git(&["checkout", "-q", "-b", "topic"]);
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit(DAVE, "open");
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit(DAVE, "oops, close");
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let last = f.commit(ALICE, "open again");
    f.git(&["checkout", "-q", "main"]);
    f.write("README.md", "main moves on\n");
    f.commit(CAROL, "docs");
    let merge = f.merge(BOB, "topic", None);
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-sg-admin-port-public");
    assert_eq!(w["opened"]["landing"], merge.as_str());
    let c = cause(w, "ingress[0].cidr_blocks");
    assert_eq!(c["commit"], last.as_str());
    assert_eq!(c["author"]["email"], "alice@msp.example");
    assert_eq!(c["landing"], merge.as_str());
    assert_eq!(c["merged_by"]["email"], "bob@msp.example");
}

#[test]
fn deleting_the_whole_unit_closes_its_windows() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit(ALICE, "open");
    f.remove("net/main.tf");
    let close = f.commit(CAROL, "decommission net");
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-sg-admin-port-public");
    assert_eq!(w["closed"]["landing"], close.as_str());
    assert_eq!(w["remediation"]["setting"], "");
    assert_eq!(w["remediation"]["address"], "aws_security_group.web");
}

/// A policy built with `aws_iam_policy_document`: the window is on the policy that attaches
/// it, and the cause is the document's statement.
#[test]
fn a_policy_document_data_source_is_followed_to_its_statement() {
    let doc = |actions: &str| {
        format!(
            "data \"aws_iam_policy_document\" \"ops\" {{\n  statement {{\n    actions   = [{actions}]\n    resources = [\"*\"]\n  }}\n}}\nresource \"aws_iam_policy\" \"ops\" {{\n  name   = \"ops\"\n  policy = data.aws_iam_policy_document.ops.json\n}}\n"
        )
    };
    let mut f = Fixture::new();
    f.write("iam/main.tf", &doc("\"ec2:Describe*\""));
    f.commit(CAROL, "ops policy");
    f.write("iam/main.tf", &doc("\"*\""));
    let open = f.commit(ALICE, "ops needs everything");
    let r = scan_json(&f.repo());
    // Judged where the document is attached and where it is defined: two windows, one cause.
    let windows = exposures(&r, "aws-iam-policy-admin-wildcard");
    let mut addresses: Vec<&str> = windows
        .iter()
        .filter_map(|w| w["resource"]["address"].as_str())
        .collect();
    addresses.sort_unstable();
    assert_eq!(
        addresses,
        ["aws_iam_policy.ops", "data.aws_iam_policy_document.ops"],
        "{r:#}"
    );
    for w in windows {
        let c = cause(w, "statement[0].actions");
        assert_eq!(c["address"], "data.aws_iam_policy_document.ops");
        assert_eq!(c["commit"], open.as_str());
        assert_eq!(c["but_for"], true);
    }
}

/// A change that makes an open window strictly more permissive is a widening, with its cause.
#[test]
fn a_wider_port_range_while_open_is_a_widening() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit(ALICE, "open ssh");
    f.write("net/main.tf", &sg("0.0.0.0/0", 20, 30));
    let wider = f.commit(BOB, "a few more ports");
    f.write("net/main.tf", &sg("0.0.0.0/0", 21, 30));
    f.commit(BOB, "one fewer");
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-sg-admin-port-public");
    let widenings = w["widenings"].as_array().expect("widenings");
    assert_eq!(widenings.len(), 1, "{w:#}");
    assert_eq!(widenings[0]["landing"], wider.as_str());
    assert!(widenings[0]["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .any(|c| c["commit"] == wider.as_str()));
}

/// Two scans of the same repository give the same bytes, and the digest covers the report.
#[test]
fn reports_are_byte_identical_and_sealed() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit(ALICE, "open");
    let run = || {
        common::bin()
            .args(["scan", &f.repo(), "--format", "json"])
            .output()
            .expect("runs")
            .stdout
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    let mut v: Value = serde_json::from_slice(&a).expect("json");
    let digest = v["digest"].as_str().expect("digest").to_string();
    v.as_object_mut().expect("object").remove("digest");
    let canonical = serde_json::to_vec(&v).expect("serialise");
    use sha2::Digest;
    let hex: String = sha2::Sha256::digest(&canonical)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, format!("sha256:{hex}"));
}

/// A module moved and rewritten in the same commit (git cannot pair the files: new names, little
/// shared text) is still the same unit: the window continues, the cause keeps its author.
#[test]
fn a_unit_moved_and_rewritten_at_once_keeps_its_window() {
    let mut f = Fixture::new();
    f.write("old/net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let open = f.commit(ALICE, "open ssh");
    f.remove("old/net/main.tf");
    let mut rewritten = String::from("# Network security, rewritten by the platform team.\n");
    for i in 0..12 {
        rewritten.push_str(&format!(
            "# note {i}: the quick brown fox jumps over the lazy dog\n"
        ));
    }
    rewritten.push_str(
        "resource \"aws_security_group\" \"web\" {\n  description = \"web tier\"\n  name        = \"web\"\n  ingress {\n    description = \"admin\"\n    protocol    = \"tcp\"\n    from_port   = 22\n    to_port     = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
    );
    f.write("platform/network/security_groups.tf", &rewritten);
    let moved = f.commit(BOB, "restructure the platform");
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-sg-admin-port-public");
    assert_eq!(w["opened"]["landing"], open.as_str());
    assert_eq!(w["open_at_tip"], true);
    assert_eq!(w["resource"]["unit"], "platform/network");
    assert_eq!(cause(w, "ingress[0].cidr_blocks")["commit"], open.as_str());
    // The rewrite added descriptions: those are Bob's, but not causes of the exposure.
    assert!(w["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .all(|c| c["commit"] != moved.as_str() || c["but_for"] == false));
}

/// A window opened by deleting a compensating control names the deletion as a but-for cause,
/// though the deleted resource is not the rule's evidence: the check listed public access
/// blocks, so their changes are tried (and changes to resources it never read are not).
#[test]
fn deleting_the_public_access_block_is_the_cause_of_the_opening() {
    let bucket = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\nresource \"aws_s3_bucket_acl\" \"logs\" {\n  bucket = aws_s3_bucket.logs.id\n  acl    = \"public-read\"\n}\nresource \"aws_security_group\" \"unrelated\" {\n  name = \"x\"\n}\n";
    let pab = "resource \"aws_s3_bucket_public_access_block\" \"logs\" {\n  bucket                  = aws_s3_bucket.logs.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n";
    let mut f = Fixture::new();
    f.write("s3/main.tf", bucket);
    f.write("s3/pab.tf", pab);
    f.commit(CAROL, "logs bucket, blocked");
    f.remove("s3/pab.tf");
    f.write(
        "s3/main.tf",
        &bucket.replace("name = \"x\"", "name = \"y\""),
    );
    let open = f.commit(BOB, "drop the block (and rename a group)");
    let r = scan_json(&f.repo());
    let w = one(&r, "aws-s3-acl-public");
    assert_eq!(w["opened"]["landing"], open.as_str());
    let causes = w["causes"].as_array().expect("causes");
    let deletion = causes
        .iter()
        .find(|c| c["address"] == "aws_s3_bucket_public_access_block.logs")
        .unwrap_or_else(|| panic!("no cause on the deleted block in {w:#}"));
    assert_eq!(deletion["commit"], open.as_str());
    assert_eq!(deletion["but_for"], true);
    assert!(
        causes
            .iter()
            .all(|c| c["address"] != "aws_security_group.unrelated"),
        "{w:#}"
    );
}
