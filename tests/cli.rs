//! End-to-end tests of the binary on repositories built in a temporary directory with the git CLI
//! (the tool itself never runs git): bad input, merges and conflict resolutions, review exit
//! codes and widening, mailmap and trailers, anomalies, and that the evidence is never touched.

mod common;

use common::{bin, exposures, scan_json, sg, Fixture};
use serde_json::Value;

// --- bad input: exit 2 with a message that names the input --------------------------------

#[test]
fn a_missing_path_is_exit_2_and_named() {
    let out = bin()
        .args(["scan", "/no/such/repo"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/no/such/repo") && err.contains("no such"),
        "{err}"
    );
}

#[test]
fn a_directory_that_is_not_a_repository_is_exit_2() {
    let d = tempfile::tempdir().expect("temp");
    let out = bin()
        .args(["scan", &d.path().display().to_string()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a git repository"), "{err}");
}

#[test]
fn an_unknown_ref_and_a_bad_range_are_exit_2_and_named() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit("Carol Client <carol@client.example>", "sg");
    let out = bin()
        .args(["scan", &f.repo(), "--ref", "nope-branch"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope-branch"));
    let out = bin()
        .args(["review", "main", &f.repo()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("BASE..HEAD"));
    let out = bin()
        .args(["review", "main..nope", &f.repo()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

#[test]
fn an_empty_repository_is_a_clear_error_not_a_panic() {
    let f = Fixture::new();
    let out = bin().args(["scan", &f.repo()]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HEAD") && err.contains("no commits"), "{err}");
    assert!(err.contains(&f.repo()), "{err}");
}

/// A HEAD naming a branch that does not exist (the default branch has another name) says so and
/// what to do, rather than libgit2's "revspec not found".
#[test]
fn a_head_naming_a_missing_branch_says_which_and_what_to_do() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit("Carol Client <carol@client.example>", "base");
    f.git(&["branch", "-m", "trunk"]);
    f.git(&["symbolic-ref", "HEAD", "refs/heads/master"]);
    let out = bin().args(["scan", &f.repo()]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refs/heads/master") && err.contains("--ref"),
        "{err}"
    );
    let out = bin()
        .args(["scan", &f.repo(), "--ref", "trunk"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
}

// --- merges ---------------------------------------------------------------------------------

/// A change that exists only in the merge commit (a conflict resolution) belongs to the merge.
#[test]
fn a_conflict_resolution_is_attributed_to_the_merge() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit("Carol Client <carol@client.example>", "base");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("net/main.tf", &sg("10.2.0.0/16", 22, 22));
    f.commit("Dave Client <dave@client.example>", "branch narrows");
    f.git(&["checkout", "-q", "main"]);
    f.write("net/main.tf", &sg("10.1.0.0/16", 22, 22));
    f.commit("Bob Provider <bob@msp.example>", "main narrows differently");
    let merge = f.merge(
        "Erin Client <erin@client.example>",
        "feature",
        Some(("net/main.tf", &sg("0.0.0.0/0", 22, 22))),
    );
    let r = scan_json(&f.repo());
    let w = exposures(&r, "aws-sg-admin-port-public");
    assert_eq!(w.len(), 1, "{r:#}");
    assert_eq!(w[0]["opened"]["landing"], merge.as_str());
    let cidr = w[0]["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .find(|c| c["setting"] == "ingress[0].cidr_blocks")
        .expect("cidr cause");
    assert_eq!(cidr["commit"], merge.as_str());
    assert_eq!(cidr["author"]["email"], "erin@client.example");
    assert_eq!(cidr["merged_by"]["email"], "erin@client.example");
    assert_eq!(cidr["but_for"], true);
    assert_eq!(cidr["after"], serde_json::json!(["0.0.0.0/0"]));
}

// --- review -------------------------------------------------------------------------------

fn review(repo: &str, range: &str, extra: &[&str]) -> (i32, Value) {
    let out = bin()
        .args(["review", range, repo, "--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v)
}

#[test]
fn review_reports_what_a_branch_introduces_and_fails_at_high() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit("Carol Client <carol@client.example>", "base");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("README.md", "docs\n");
    f.commit("Dave Client <dave@client.example>", "docs");
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let opener = f.commit("Dave Client <dave@client.example>", "open ssh");

    let (code, r) = review(&f.repo(), "main..feature", &[]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(r["schema"], "configtrail.review/1");
    let found = r["findings"].as_array().expect("findings");
    assert_eq!(found.len(), 1, "{r:#}");
    assert_eq!(found[0]["change"], "introduced");
    assert_eq!(found[0]["rule"]["id"], "aws-sg-admin-port-public");
    assert!(found[0]["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .any(|c| c["commit"] == opener.as_str() && c["but_for"] == true));
    assert!(r["digest"]
        .as_str()
        .is_some_and(|d| d.starts_with("sha256:")));

    // The same range, failing only at critical: reported, exit 0.
    let (code, _) = review(&f.repo(), "main..feature", &["--fail-on", "critical"]);
    assert_eq!(code, 0);
    // Nothing in an empty range.
    let (code, r) = review(&f.repo(), "feature..feature", &[]);
    assert_eq!(code, 0);
    assert_eq!(r["findings"], serde_json::json!([]));
}

#[test]
fn review_reports_widening_and_fixing() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.write(
        "db/main.tf",
        "resource \"aws_db_instance\" \"d\" {\n  publicly_accessible = true\n  storage_encrypted = true\n}\n",
    );
    f.commit(
        "Carol Client <carol@client.example>",
        "base: ssh open, db public",
    );
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("net/main.tf", &sg("0.0.0.0/0", 0, 1024));
    let widener = f.commit("Bob Provider <bob@msp.example>", "open a port range");
    f.write(
        "db/main.tf",
        "resource \"aws_db_instance\" \"d\" {\n  publicly_accessible = false\n  storage_encrypted = true\n}\n",
    );
    let fixer = f.commit("Carol Client <carol@client.example>", "make db private");
    let (code, r) = review(&f.repo(), "main..feature", &[]);
    assert_eq!(code, 1, "{r:#}");
    let found = r["findings"].as_array().expect("findings");
    let widened = found
        .iter()
        .find(|x| x["change"] == "widened")
        .unwrap_or_else(|| panic!("no widening in {r:#}"));
    assert_eq!(widened["rule"]["id"], "aws-sg-admin-port-public");
    assert!(widened["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .any(|c| c["commit"] == widener.as_str()));
    let fixed = found
        .iter()
        .find(|x| x["change"] == "fixed")
        .unwrap_or_else(|| panic!("no fix in {r:#}"));
    assert_eq!(fixed["rule"]["id"], "aws-rds-public");
    assert_eq!(fixed["causes"][0]["commit"], fixer.as_str());
}

// --- attribution --------------------------------------------------------------------------

#[test]
fn mailmap_trailers_and_anomalies_are_reported() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit("Carol Client <carol@client.example>", "base");
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    // Authored a day after it was committed: an anomaly.
    let tick = f.tick + 3600 + 86_400;
    let opener = f.commit_at(
        "Al <al@old.example>",
        "open ssh\n\nReviewed-by: Rita Reviewer <rita@msp.example>\nCo-authored-by: Bob Provider <bob@msp.example>",
        Some(tick),
    );
    f.write(
        ".mailmap",
        "Alice Provider <alice@msp.example> <al@old.example>\n",
    );
    f.commit("Carol Client <carol@client.example>", "mailmap");
    let r = scan_json(&f.repo());
    let w = exposures(&r, "aws-sg-admin-port-public");
    let c = &w[0]["causes"][0];
    assert_eq!(c["commit"], opener.as_str());
    assert_eq!(c["author"]["email"], "alice@msp.example");
    assert_eq!(c["author"]["name"], "Alice Provider");
    assert_eq!(
        c["trailers"]["Reviewed-by"],
        serde_json::json!(["Rita Reviewer <rita@msp.example>"])
    );
    assert_eq!(c["signed"], false);
    let kinds: Vec<&str> = r["anomalies"]
        .as_array()
        .expect("anomalies")
        .iter()
        .filter(|a| a["commit"] == opener.as_str())
        .filter_map(|a| a["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"authored-after-committed"), "{kinds:?}");
    assert!(kinds.contains(&"mailmap-identity"), "{kinds:?}");
}

#[test]
fn a_mailmap_that_cannot_be_applied_is_a_blind_spot_not_a_silent_skip() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit("Carol Client <carol@client.example>", "base");
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let opener = f.commit("Al <al@old.example>", "open ssh");
    // A mailmap padded past the limit given below; the Terraform files are well under it.
    let mut mailmap = "Alice Provider <alice@msp.example> <al@old.example>\n".to_string();
    mailmap.push_str(&"# padding\n".repeat(200));
    f.write(".mailmap", &mailmap);
    f.commit("Carol Client <carol@client.example>", "mailmap");
    let limit = ["--max-file-bytes", "1500"];
    let out = bin()
        .args(["scan", &f.repo(), "--format", "json"])
        .args(limit)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let says_why = |report: &Value| {
        report["blind_spots"].as_array().is_some_and(|spots| {
            spots.iter().any(|b| {
                let reason = b["reason"].as_str().unwrap_or_default();
                reason.starts_with(".mailmap at ")
                    && reason.contains("over the 1500 byte file limit (--max-file-bytes)")
                    && reason.contains("not applied")
                    && b["to_landing"].is_null()
            })
        })
    };
    assert!(says_why(&r), "{:#}", r["blind_spots"]);
    // Not applied: the cause names the identity the commit states.
    let c = &exposures(&r, "aws-sg-admin-port-public")[0]["causes"][0];
    assert_eq!(c["commit"], opener.as_str());
    assert_eq!(c["author"]["email"], "al@old.example");
    // Under the default limit it is applied, and nothing is said.
    let r = scan_json(&f.repo());
    assert!(!says_why(&r));
    let c = &exposures(&r, "aws-sg-admin-port-public")[0]["causes"][0];
    assert_eq!(c["author"]["email"], "alice@msp.example");
    // A review says so too.
    let (_, rv) = review(&f.repo(), "HEAD~2..HEAD", &limit);
    assert!(says_why(&rv), "{rv:#}");
    // The raised limit is recorded as an input, and the report says what it cannot know.
    assert_eq!(rv["inputs"]["limits"]["max_file_bytes"], 1500);
    assert!(rv["limitations"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x
            .as_str()
            .is_some_and(|x| x.contains("A landing is not an apply")))));
    let (_, rv) = review(&f.repo(), "HEAD~2..HEAD", &[]);
    assert!(rv["inputs"]["limits"].is_null(), "defaults are not written");
}

#[test]
fn an_unknown_value_is_a_blind_spot_not_a_verdict() {
    let mut f = Fixture::new();
    f.write(
        "net/main.tf",
        "variable \"cidr\" {}\nresource \"aws_security_group\" \"web\" {\n  ingress {\n    from_port = 22\n    to_port = 22\n    protocol = \"tcp\"\n    cidr_blocks = [var.cidr]\n  }\n}\n",
    );
    f.commit(
        "Carol Client <carol@client.example>",
        "cidr from a variable",
    );
    let r = scan_json(&f.repo());
    assert_eq!(r["exposures"], serde_json::json!([]), "{r:#}");
    let spots = r["blind_spots"].as_array().expect("blind spots");
    assert!(
        spots
            .iter()
            .any(|b| b["reason"].as_str().is_some_and(|s| s.contains("var.cidr"))),
        "{r:#}"
    );
}

// --- the evidence is never touched ----------------------------------------------------------

// (Covered for every command in tests/investigation.rs,
// `no_command_writes_anything_into_the_repository`.)

#[test]
fn text_report_tells_the_story() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit("Carol Client <carol@client.example>", "base");
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit(
        "Alice Provider <alice@msp.example>",
        "open ssh for the vendor",
    );
    f.write("net/main.tf", &sg("10.9.0.0/16", 22, 22));
    f.commit("Carol Client <carol@client.example>", "close it");
    let out = bin().args(["scan", &f.repo()]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "aws_security_group.web",
        "aws-sg-admin-port-public",
        "opened by",
        "Alice Provider <alice@msp.example>",
        "closed by",
        "Carol Client <carol@client.example>",
        "1 exposure window (0 open at the tip)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    // --fail-on: nothing open at the tip, so exit 0 even at low.
    bin()
        .args(["scan", &f.repo(), "--fail-on", "low"])
        .assert()
        .code(0);
}

// --- damaged and partial histories ----------------------------------------------------------

/// A tree object missing in the middle of history is a blind spot at that landing; the window
/// that was open stays open through it (blindness closes nothing), and the next landing reads
/// the unit again.
#[test]
fn a_missing_tree_mid_history_is_a_blind_spot_and_closes_nothing() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let c1 = f.commit("Alice Provider <alice@msp.example>", "open ssh");
    f.write(
        "net/main.tf",
        &format!("# revision 2\n{}", sg("0.0.0.0/0", 22, 22)),
    );
    let c2 = f.commit("Bob Provider <bob@msp.example>", "comment");
    f.write(
        "net/main.tf",
        &format!("# revision 3\n{}", sg("0.0.0.0/0", 22, 22)),
    );
    f.commit("Bob Provider <bob@msp.example>", "another comment");
    let tree = f.git(&["rev-parse", &format!("{c2}:net")]);
    let object = f
        .path()
        .join(".git/objects")
        .join(&tree[..2])
        .join(&tree[2..]);
    std::fs::remove_file(&object).expect("loose object exists");

    let r = scan_json(&f.repo());
    let w = exposures(&r, "aws-sg-admin-port-public");
    assert_eq!(w.len(), 1, "{r:#}");
    assert_eq!(w[0]["opened"]["landing"], c1.as_str());
    assert_eq!(w[0]["open_at_tip"], true);
    let spots = r["blind_spots"].as_array().expect("blind spots");
    assert!(
        spots.iter().any(|b| b["from_landing"] == c2.as_str()
            && b["reason"].as_str().is_some_and(|s| s.contains(&tree))),
        "{r:#}"
    );
}

/// A shallow clone says where its history begins.
#[test]
fn a_shallow_clone_says_where_history_begins() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit("Carol Client <carol@client.example>", "base");
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit("Alice Provider <alice@msp.example>", "open");
    f.write("README.md", "x\n");
    let tip = f.commit("Carol Client <carol@client.example>", "docs");
    let shallow = tempfile::tempdir().expect("temp");
    let dest = shallow.path().join("clone");
    f.git(&[
        "clone",
        "-q",
        "--depth",
        "2",
        &format!("file://{}", f.repo()),
        &dest.display().to_string(),
    ]);
    let r = scan_json(&dest.display().to_string());
    assert_eq!(r["inputs"]["head"], tip.as_str());
    assert_eq!(r["inputs"]["landings"], 2);
    let spots = r["blind_spots"].as_array().expect("blind spots");
    assert!(
        spots
            .iter()
            .any(|b| b["reason"].as_str().is_some_and(|s| s.contains("shallow"))),
        "{r:#}"
    );
    // What the shallow history does show is still reported.
    assert_eq!(exposures(&r, "aws-sg-admin-port-public").len(), 1, "{r:#}");
}

/// Deleting a compensating control is the cause of what it was holding back, even though the
/// deleted resource is not evidence of the violation any more.
#[test]
fn deleting_the_public_access_block_is_the_cause() {
    let bucket = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"images\"\n  acl    = \"public-read\"\n}\n";
    let block = "resource \"aws_s3_bucket_public_access_block\" \"b\" {\n  bucket                  = aws_s3_bucket.b.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n";
    let mut f = Fixture::new();
    f.write("s3/main.tf", bucket);
    f.write("s3/block.tf", block);
    let acl = f.commit(
        "Carol Client <carol@client.example>",
        "public images behind a block",
    );
    std::fs::remove_file(f.path().join("s3/block.tf")).expect("rm");
    let removal = f.commit("Bob Provider <bob@msp.example>", "tidy up");
    let r = scan_json(&f.repo());
    let w = exposures(&r, "aws-s3-acl-public");
    assert_eq!(w.len(), 1, "{r:#}");
    assert_eq!(w[0]["opened"]["landing"], removal.as_str());
    let causes = w[0]["causes"].as_array().expect("causes");
    let by = |commit: &str| {
        causes
            .iter()
            .find(|c| c["commit"] == commit)
            .unwrap_or_else(|| panic!("no cause from {commit} in {r:#}"))
    };
    let removed = by(&removal);
    assert_eq!(removed["address"], "aws_s3_bucket_public_access_block.b");
    assert_eq!(removed["setting"], "");
    assert_eq!(removed["but_for"], true);
    assert_eq!(removed["after"], Value::Null);
    assert_eq!(by(&acl)["setting"], "acl");
    assert_eq!(by(&acl)["but_for"], true);
}

/// A branch that merged BASE in does not "introduce" BASE's own exposures: only what commits
/// of the range did is reported.
#[test]
fn review_does_not_blame_the_branch_for_what_it_merged_from_base() {
    let db = |public: bool| {
        format!("resource \"aws_db_instance\" \"d\" {{\n  publicly_accessible = {public}\n  storage_encrypted   = true\n}}\n")
    };
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.write("db/main.tf", &db(false));
    f.commit("Carol Client <carol@client.example>", "base");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let opener = f.commit("Dave Client <dave@client.example>", "open ssh");
    f.git(&["checkout", "-q", "main"]);
    f.write("db/main.tf", &db(true));
    f.commit("Carol Client <carol@client.example>", "public db on main");
    f.git(&["checkout", "-q", "feature"]);
    f.merge("Dave Client <dave@client.example>", "main", None);
    let (code, r) = review(&f.repo(), "main..feature", &[]);
    assert_eq!(code, 1, "{r:#}");
    let found = r["findings"].as_array().expect("findings");
    let rules: Vec<&str> = found
        .iter()
        .filter_map(|x| x["rule"]["id"].as_str())
        .collect();
    assert_eq!(rules, vec!["aws-sg-admin-port-public"], "{r:#}");
    assert!(found[0]["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .any(|c| c["commit"] == opener.as_str()));
}

/// Review evaluates only the range, yet a necessary cause written before it keeps its real
/// commit, author, landing and before-value (traced back through the unit's history).
#[test]
fn review_traces_a_cause_from_before_the_range_to_its_author() {
    let acl = |acl: &str| {
        format!("resource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"images\"\n}}\nresource \"aws_s3_bucket_acl\" \"b\" {{\n  bucket = aws_s3_bucket.b.id\n  acl    = \"{acl}\"\n}}\n")
    };
    let block = |on: bool| {
        format!("resource \"aws_s3_bucket_public_access_block\" \"b\" {{\n  bucket                  = aws_s3_bucket.b.id\n  block_public_acls       = {on}\n  block_public_policy     = true\n  ignore_public_acls      = {on}\n  restrict_public_buckets = true\n}}\n")
    };
    let mut f = Fixture::new();
    f.write("s3/main.tf", &acl("private"));
    f.write("s3/block.tf", &block(true));
    f.commit("Dave Client <dave@client.example>", "bucket");
    f.write("s3/main.tf", &acl("public-read"));
    let public = f.commit("Carol Client <carol@client.example>", "public images");
    for i in 0..3 {
        f.write("app/readme.md", &format!("{i}\n"));
        f.commit("Carol Client <carol@client.example>", "unrelated");
    }
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("s3/block.tf", &block(false));
    let lift = f.commit("Alice Provider <alice@msp.example>", "lift the block");

    let (code, r) = review(&f.repo(), "main..feature", &[]);
    assert_eq!(code, 1, "{r:#}");
    let found = r["findings"].as_array().expect("findings");
    let acl_finding = found
        .iter()
        .find(|x| x["rule"]["id"] == "aws-s3-acl-public")
        .unwrap_or_else(|| panic!("no acl finding in {r:#}"));
    assert_eq!(acl_finding["change"], "introduced");
    let causes = acl_finding["causes"].as_array().expect("causes");
    let old = causes
        .iter()
        .find(|c| c["setting"] == "acl")
        .unwrap_or_else(|| panic!("no acl cause in {r:#}"));
    assert_eq!(old["commit"], public.as_str());
    assert_eq!(old["landing"], public.as_str());
    assert_eq!(old["author"]["email"], "carol@client.example");
    assert_eq!(old["before"], "private");
    assert_eq!(old["after"], "public-read");
    assert_eq!(old["but_for"], true);
    assert!(causes
        .iter()
        .any(|c| c["commit"] == lift.as_str() && c["setting"] == "block_public_acls"));
    assert_eq!(r["inputs"]["landings"], 1);
}

/// The limit options say their defaults in `--help`, and those are the defaults the code uses
/// (the help text is written by hand, so this is what keeps it from drifting).
#[test]
fn limit_options_document_the_defaults_they_apply() {
    let d = configtrail::limits::Limits::default();
    for command in ["scan", "review", "history", "check"] {
        let out = bin().args([command, "--help"]).output().expect("runs");
        let help = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for needle in [
            "--max-file-bytes <BYTES>".to_string(),
            format!("[default: {}", d.max_file_bytes),
            format!(
                "[default: {}; at most {}]",
                d.max_depth,
                configtrail::limits::MAX_DEPTH_CEILING
            ),
            format!("[default: {}]", d.max_yaml_nodes),
        ] {
            assert!(help.contains(&needle), "{command}: {needle} not in {help}");
        }
    }
}

/// `--until` before the first landing cannot proceed (exit 2), and says which landing is first
/// and when it was committed, so the investigator can see the date they gave is the problem.
#[test]
fn until_before_the_history_names_the_first_landing() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    let first = f.commit("Carol Client <carol@client.example>", "base");
    let out = bin()
        .args(["scan", &f.repo(), "--until", "2000-01-01"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&first)
            && err.contains("2024-01-01T01:00:00+00:00")
            && err.contains(&f.repo()),
        "{err}"
    );
}

#[test]
fn history_of_a_missing_address_does_not_count_undecided_verdicts_as_unread() {
    let mut f = common::Fixture::new();
    // A CIDR from a variable without default: the verdict is undecided, the file was read.
    f.write(
        "main.tf",
        "variable \"cidr\" {}\n\nresource \"aws_security_group\" \"web\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.cidr]\n  }\n}\n",
    );
    f.commit("Alice <alice@msp.example>", "group from a variable");
    let out = common::bin()
        .args(["history", "aws_s3_bucket.nope", &f.repo()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no resource aws_s3_bucket.nope"), "{err}");
    assert!(!err.contains("could not be read"), "{err}");
}
