//! `configtrail check`: the rules on files as they are now, on a plain directory that is not a
//! repository and on a single file; suppressions; blind spots for what cannot be read; the
//! `configtrail.check/1` JSON, text and schema-valid SARIF; exit codes.

mod common;

use serde_json::Value;
use std::path::Path;

const BASTION: &str = r#"variable "admin_cidr" {
  default = "0.0.0.0/0"
}

# configtrail:ignore aws-sg-admin-port-public bastion host, accepted in SEC-12
resource "aws_security_group" "bastion" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
"#;

const DB: &str = r#"resource "aws_security_group" "db" {
  #checkov:skip=CKV_AWS_999:not a configtrail rule
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

/// A plain directory (no `.git` of its own): two units, a broken file, things to skip.
fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("temp dir");
    let w = |p: &str, s: &str| {
        let path = d.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, s).expect("write");
    };
    w("net/main.tf", BASTION);
    w("db/main.tf", DB);
    w("broken/main.tf", "resource \"x\" {");
    w("README.md", "not IaC");
    // Terraform's module cache and git's directory are not the user's code.
    w(".terraform/modules/m/main.tf", DB);
    w(".git/main.tf", DB);
    #[cfg(unix)]
    {
        let outside = tempfile::NamedTempFile::new().expect("outside file");
        std::fs::write(outside.path(), DB).expect("write outside");
        std::os::unix::fs::symlink(outside.path(), d.path().join("net/escape.tf"))
            .expect("symlink");
        std::os::unix::fs::symlink(d.path(), d.path().join("net/loop")).expect("symlink");
        // Keep the outside file alive only as long as needed: the link must not be followed
        // whether or not its target exists.
        drop(outside);
    }
    d
}

fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = common::bin()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("UTF-8"),
    )
}

#[test]
fn a_plain_directory_is_checked_with_suppressions_and_blind_spots() {
    let d = tree();
    let (code, json) = check(d.path(), &[".", "--format", "json"]);
    let r: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(r["schema"], "configtrail.check/1");
    assert_eq!(r["inputs"]["path"], ".");
    let findings = r["findings"].as_array().expect("findings");
    let addrs: Vec<&str> = findings
        .iter()
        .map(|f| f["resource"]["address"].as_str().expect("address"))
        .collect();
    assert_eq!(
        addrs,
        vec!["aws_security_group.db", "aws_security_group.bastion"],
        "sorted by unit, then address; nothing from .git or .terraform"
    );
    let bastion = &findings[1];
    assert_eq!(
        bastion["suppression"]["reason"],
        "bastion host, accepted in SEC-12"
    );
    let cidr = bastion["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .find(|e| e["setting"] == "ingress[0].cidr_blocks")
        .expect("cidr evidence");
    assert_eq!(cidr["value"], serde_json::json!(["0.0.0.0/0"]));
    assert_eq!(cidr["file"], "net/main.tf");
    assert_eq!(
        cidr["line"], 2,
        "the value is written at the variable's default"
    );

    let blind: Vec<(&str, &str)> = r["blind_spots"]
        .as_array()
        .expect("blind spots")
        .iter()
        .map(|b| {
            (
                b["file"].as_str().expect("file"),
                b["reason"].as_str().expect("reason"),
            )
        })
        .collect();
    assert!(
        blind.iter().any(|(f, _)| *f == "broken/main.tf"),
        "{blind:?}"
    );
    #[cfg(unix)]
    assert!(
        blind
            .iter()
            .any(|(f, why)| *f == "net/escape.tf" && why.contains("symbolic link")),
        "{blind:?}"
    );
    assert_eq!(r["unmatched_suppressions"][0]["id"], "CKV_AWS_999");
    // The db finding is unsuppressed and high.
    assert_eq!(code, Some(1));
    assert_eq!(r["fails"], true);
}

#[test]
fn exit_codes_follow_fail_on_and_suppressions() {
    let d = tree();
    // The db is high: fails at high, passes at critical.
    assert_eq!(check(d.path(), &["db"]).0, Some(1));
    assert_eq!(check(d.path(), &["db", "--fail-on", "critical"]).0, Some(0));
    // The bastion is high but suppressed: it never fails.
    assert_eq!(check(d.path(), &["net", "--fail-on", "low"]).0, Some(0));
    // Bad input is 2, with a message that names it.
    let out = common::bin()
        .args(["check", "/no/such/path"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/path"));
    let out = common::bin()
        .current_dir(d.path())
        .args(["check", "README.md"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_single_file_is_judged_with_its_unit_and_reported_alone() {
    let d = tree();
    // The variable lives in another file of the unit: the file alone would be undecided.
    let (variable, rest) = BASTION.split_once("\n\n").expect("two parts");
    std::fs::write(d.path().join("net/variables.tf"), variable).expect("write");
    std::fs::write(d.path().join("net/main.tf"), rest).expect("write");
    let (_, json) = check(d.path(), &["net/main.tf", "--format", "json"]);
    let r: Value = serde_json::from_str(&json).expect("JSON");
    let findings = r["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{r:#}");
    assert_eq!(findings[0]["resource"]["file"], "net/main.tf");
    assert_eq!(findings[0]["evidence"][0]["file"], "net/variables.tf");
    assert!(
        r["blind_spots"]
            .as_array()
            .expect("blind")
            .iter()
            .all(|b| b["file"] == "net/main.tf"),
        "only the file's own blind spots: {r:#}"
    );
}

#[test]
fn check_sarif_is_schema_valid_and_shares_fingerprints_with_json() {
    let d = tree();
    let (_, text) = check(d.path(), &[".", "--format", "sarif"]);
    let sarif = common::validate_sarif(&text);
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    let (_, json) = check(d.path(), &[".", "--format", "json"]);
    let r: Value = serde_json::from_str(&json).expect("JSON");
    for (s, j) in results
        .iter()
        .zip(r["findings"].as_array().expect("findings"))
    {
        assert_eq!(s["partialFingerprints"]["configtrail/v1"], j["fingerprint"]);
    }
}

#[test]
fn check_json_snapshot() {
    let d = tree();
    let (_, json) = check(d.path(), &[".", "--format", "json"]);
    insta::assert_snapshot!(json);
}

#[test]
fn check_text_snapshot() {
    let d = tree();
    let (_, text) = check(d.path(), &["."]);
    insta::assert_snapshot!(text);
}

#[test]
fn check_reads_the_sample_repositories_work_tree_formats() {
    // A bare repository has no work tree: nothing to read, and that is said, not an error.
    let (code, text) = check(Path::new("."), &["sample-repos/s3-compound.git"]);
    assert_eq!(code, Some(0));
    assert!(text.contains("0 files in 0 units"), "{text}");
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_iac_is_a_blind_spot_not_a_hang() {
    let d = tempfile::tempdir().expect("dir");
    let fifo = d.path().join("main.tf");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let (code, json) = check(d.path(), &[".", "--format", "json"]);
    assert_eq!(code, Some(0));
    let r: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(r["blind_spots"][0]["file"], "main.tf");
    assert_eq!(
        r["blind_spots"][0]["reason"],
        "not a regular file: not read"
    );
}

#[test]
fn an_oversized_file_is_a_blind_spot() {
    let d = tempfile::tempdir().expect("dir");
    let f = std::fs::File::create(d.path().join("big.tf")).expect("create");
    f.set_len(9 * 1024 * 1024).expect("sparse file");
    let (_, json) = check(d.path(), &[".", "--format", "json"]);
    let r: Value = serde_json::from_str(&json).expect("JSON");
    let reason = r["blind_spots"][0]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("over the limit of 8388608 bytes (raise with --max-file-bytes)"),
        "{reason}"
    );
}

#[test]
fn a_raised_limit_is_recorded_and_what_check_cannot_say_is_stated() {
    let d = tree();
    let (_, json) = check(d.path(), &[".", "--format", "json"]);
    let r: Value = serde_json::from_str(&json).expect("JSON");
    assert!(r["inputs"]["limits"].is_null(), "defaults are not written");
    let said = r["limitations"].as_array().expect("limitations");
    assert!(said[0]
        .as_str()
        .is_some_and(|l| l.contains("there is no history")));
    let (_, json) = check(
        d.path(),
        &[".", "--format", "json", "--max-file-bytes", "16777216"],
    );
    let r: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(r["inputs"]["limits"]["max_file_bytes"], 16_777_216);
}
