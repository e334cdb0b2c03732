//! Snapshot tests of the report formats on bundled sample repositories (insta). The reports are
//! deterministic by contract, so any change to a snapshot is a change to what users read or parse:
//! review it with `cargo insta review` and say why in the commit.

use assert_cmd::Command;

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("configtrail")
        .expect("binary built")
        .args(args)
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn scan_text_merged_feature_branch() {
    insta::assert_snapshot!(run(&["scan", "sample-repos/merged-feature-branch.git"]));
}

#[test]
fn scan_text_iam_and_blind_spot() {
    insta::assert_snapshot!(run(&["scan", "sample-repos/iam-and-blind-spot.git"]));
}

#[test]
fn scan_json_s3_compound() {
    insta::assert_snapshot!(run(&[
        "scan",
        "sample-repos/s3-compound.git",
        "--format",
        "json"
    ]));
}

#[test]
fn review_json_merge_of_feature_branch() {
    insta::assert_snapshot!(run(&[
        "review",
        "main~2..main",
        "sample-repos/merged-feature-branch.git",
        "--format",
        "json"
    ]));
}

#[test]
fn review_text_merge_of_feature_branch() {
    insta::assert_snapshot!(run(&[
        "review",
        "main~2..main",
        "sample-repos/merged-feature-branch.git"
    ]));
}

#[test]
fn scan_markdown_with_parties_and_deploys() {
    insta::assert_snapshot!(run(&[
        "scan",
        "sample-repos/provider-opens-client-fixes.git",
        "--parties",
        "sample-repos/contract/parties.yaml",
        "--deploys",
        "sample-repos/provider-opens-client-fixes.deploys.csv",
        "--format",
        "markdown"
    ]));
}

#[test]
fn scan_text_with_parties_merged_feature_branch() {
    insta::assert_snapshot!(run(&[
        "scan",
        "sample-repos/merged-feature-branch.git",
        "--parties",
        "sample-repos/contract/parties.yaml",
    ]));
}

#[test]
fn scan_dot_provider_opens_client_fixes() {
    insta::assert_snapshot!(run(&[
        "scan",
        "sample-repos/provider-opens-client-fixes.git",
        "--parties",
        "sample-repos/contract/parties.yaml",
        "--format",
        "dot"
    ]));
}

#[test]
fn history_text_reformat_and_move() {
    insta::assert_snapshot!(run(&[
        "history",
        "aws_security_group.bastion",
        "sample-repos/reformat-and-move.git",
    ]));
}
