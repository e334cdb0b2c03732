//! Pre-merge review for CI and people: the semantic diff (introduced, widened, narrowed, fixed,
//! with before → after values and the commit that did it), suppressions, and the Markdown and
//! SARIF views, on a scratch repository whose story is known. The SARIF is validated against the
//! OASIS schema vendored in `tests/sarif-schema-2.1.0.json` (see `tests/SARIF-SCHEMA.md`).

mod common;

use common::{schema, validate_sarif, Fixture};
use serde_json::Value;

const CAROL: &str = "Carol Client <carol@client.example>";
const ALICE: &str = "Alice Provider <alice@msp.example>";
const BOB: &str = "Bob Provider <bob@msp.example>";

fn sg(name: &str, cidr: &str, from: u16, to: u16, comment: &str) -> String {
    format!(
        "{comment}resource \"aws_security_group\" \"{name}\" {{\n  name = \"{name}\"\n\n  ingress {{\n    from_port   = {from}\n    to_port     = {to}\n    protocol    = \"tcp\"\n    cidr_blocks = [\"{cidr}\"]\n  }}\n}}\n"
    )
}

/// main: four security groups. The branch widens one, narrows one, fixes one, introduces two
/// (one of which is suppressed with a reason), each in its own commit.
struct Story {
    f: Fixture,
    widen: String,
    narrow: String,
    fix: String,
    intro: String,
}

fn story() -> Story {
    let mut f = Fixture::new();
    f.write("net/wide.tf", &sg("wide", "0.0.0.0/0", 22, 22, ""));
    f.write("net/narrow.tf", &sg("narrow", "0.0.0.0/0", 0, 65535, ""));
    f.write("net/fixme.tf", &sg("fixme", "0.0.0.0/0", 3389, 3389, ""));
    f.write("db/main.tf", "");
    f.commit(CAROL, "baseline");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("net/wide.tf", &sg("wide", "0.0.0.0/0", 20, 30, ""));
    let widen = f.commit(ALICE, "ssh from anywhere");
    f.write("net/narrow.tf", &sg("narrow", "0.0.0.0/0", 22, 22, ""));
    let narrow = f.commit(BOB, "only ssh");
    f.write("net/fixme.tf", &sg("fixme", "10.0.0.0/8", 3389, 3389, ""));
    let fix = f.commit(BOB, "rdp from the office only");
    f.write(
        "db/main.tf",
        &format!(
            "{}\n{}",
            sg("db", "0.0.0.0/0", 5432, 5432, ""),
            sg(
                "bastion",
                "0.0.0.0/0",
                22,
                22,
                "# configtrail:ignore aws-sg-admin-port-public bastion host, accepted in SEC-12\n#tfsec:ignore:aws-custom-thing\n"
            )
        ),
    );
    let intro = f.commit(ALICE, "reporting SaaS and a bastion");
    Story {
        f,
        widen,
        narrow,
        fix,
        intro,
    }
}

fn review(s: &Story, extra: &[&str]) -> (Option<i32>, String) {
    let out = common::bin()
        .args(["review", "main..feature", &s.f.repo()])
        .args(extra)
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    (out.status.code(), text.replace(&s.f.repo(), "<repo>"))
}

fn finding<'a>(r: &'a Value, change: &str, address: &str) -> &'a Value {
    r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["change"] == change && f["resource"]["address"] == address)
        .unwrap_or_else(|| panic!("no {change} finding on {address}: {r:#}"))
}

#[test]
fn review_reports_each_direction_with_values_and_the_commit() {
    let s = story();
    let (code, json) = review(&s, &["--format", "json"]);
    let r: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(r["schema"], "configtrail.review/1");

    let w = finding(&r, "widened", "aws_security_group.wide");
    assert_eq!(w["scope"]["before"]["ports"], serde_json::json!(["22"]));
    assert_eq!(w["scope"]["after"]["ports"], serde_json::json!(["20-30"]));
    assert_eq!(w["changes"], serde_json::json!(["ports 22 → 20-30"]));
    assert_eq!(w["causes"][0]["commit"], s.widen.as_str());
    assert_eq!(w["location"]["file"], "net/wide.tf");

    let n = finding(&r, "narrowed", "aws_security_group.narrow");
    assert_eq!(
        n["scope"]["before"]["ports"],
        serde_json::json!(["0-65535"])
    );
    assert_eq!(n["scope"]["after"]["ports"], serde_json::json!(["22"]));
    assert_eq!(n["causes"][0]["commit"], s.narrow.as_str());
    // Narrowing 0-65535 to 22 also ends the all-ports finding: that one is fixed.
    let all = finding(&r, "fixed", "aws_security_group.narrow");
    assert_eq!(all["rule"]["id"], "aws-sg-all-ports-public");

    let fx = finding(&r, "fixed", "aws_security_group.fixme");
    assert_eq!(fx["causes"][0]["commit"], s.fix.as_str());
    assert_eq!(fx["scope"]["after"], Value::Null);

    let i = finding(&r, "introduced", "aws_security_group.db");
    assert_eq!(i["causes"][0]["commit"], s.intro.as_str());
    assert_eq!(i["scope"]["before"], Value::Null);
    assert_eq!(
        i["location"],
        serde_json::json!({"file": "db/main.tf", "line": 8})
    );
    assert_eq!(i["suppression"], Value::Null);

    // The bastion is introduced too, but suppressed with its reason: shown, not hidden.
    let b = finding(&r, "introduced", "aws_security_group.bastion");
    assert_eq!(b["suppression"]["tool"], "configtrail");
    assert_eq!(
        b["suppression"]["reason"],
        "bastion host, accepted in SEC-12"
    );
    let unmatched = r["unmatched_suppressions"].as_array().expect("array");
    assert_eq!(unmatched.len(), 1, "{unmatched:?}");
    assert_eq!(unmatched[0]["id"], "aws-custom-thing");

    assert_eq!(code, Some(1), "the db is new and high");
    assert_eq!(r["fails"], true);
}

#[test]
fn suppressed_findings_do_not_fail_the_review() {
    let mut f = Fixture::new();
    f.write("net/main.tf", "");
    f.commit(CAROL, "empty");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write(
        "net/main.tf",
        &sg(
            "bastion",
            "0.0.0.0/0",
            22,
            22,
            "#checkov:skip=CKV_AWS_24:bastion, accepted\n",
        ),
    );
    f.commit(ALICE, "bastion");
    let out = common::bin()
        .args(["review", "main..feature", &f.repo()])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("SUPPRESSED by checkov CKV_AWS_24: bastion, accepted"),
        "{text}"
    );
    // Without the comment the same change fails.
    f.write("net/main.tf", &sg("bastion", "0.0.0.0/0", 22, 22, ""));
    f.commit(ALICE, "drop the decision");
    let out = common::bin()
        .args(["review", "main..feature", &f.repo()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_schema_test_can_fail() {
    // A log the schema must refuse: wrong version, a line number of 0.
    let schema = schema();
    let bad = serde_json::json!({"version": "9.9", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation":
        {"region": {"startLine": 0}}}]}]}]});
    let v = jsonschema::validator_for(&schema).expect("compiles");
    assert!(v.iter_errors(&bad).count() >= 2);
}

#[test]
fn review_sarif_is_schema_valid_with_stable_fingerprints() {
    let s = story();
    let (_, text) = review(&s, &["--format", "sarif"]);
    let sarif = validate_sarif(&text);
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let sg_rule = rules
        .iter()
        .find(|r| r["id"] == "aws-sg-database-port-public")
        .expect("rule metadata");
    assert_eq!(sg_rule["properties"]["security-severity"], "8.0");
    assert!(sg_rule["help"]["text"]
        .as_str()
        .expect("help")
        .contains("How to fix"));
    let results = run["results"].as_array().expect("results");
    // Fixes are not alerts: introduced (2), widened (1), narrowed (1).
    assert_eq!(results.len(), 4, "{results:#?}");
    let db = results
        .iter()
        .find(|r| r["ruleId"] == "aws-sg-database-port-public")
        .expect("db result");
    assert_eq!(db["level"], "error");
    let loc = &db["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "db/main.tf");
    assert_eq!(loc["region"]["startLine"], 8);
    let bastion = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .is_some_and(|m| m.contains("bastion"))
        })
        .expect("bastion");
    assert_eq!(bastion["suppressions"][0]["kind"], "inSource");

    // The same finding after lines move above it and another commit lands: same fingerprint.
    let fp = db["partialFingerprints"]["configtrail/v1"].clone();
    let mut f = s.f;
    let body = std::fs::read_to_string(f.path().join("db/main.tf")).expect("read");
    f.write("db/main.tf", &format!("# moved down\n\n\n{body}"));
    f.commit(BOB, "comment");
    let out = common::bin()
        .args(["review", "main..feature", &f.repo(), "--format", "sarif"])
        .output()
        .expect("runs");
    let again = validate_sarif(&String::from_utf8_lossy(&out.stdout));
    let db2 = again["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "aws-sg-database-port-public")
        .expect("db result")
        .clone();
    assert_eq!(
        db2["locations"][0]["physicalLocation"]["region"]["startLine"],
        11
    );
    assert_eq!(db2["partialFingerprints"]["configtrail/v1"], fp);
}

#[test]
fn review_markdown_snapshot() {
    let s = story();
    let (_, md) = review(&s, &["--format", "markdown"]);
    insta::assert_snapshot!(md);
}

#[test]
fn review_sarif_snapshot() {
    let s = story();
    let (_, sarif) = review(&s, &["--format", "sarif"]);
    insta::assert_snapshot!(sarif);
}

#[test]
fn review_text_snapshot() {
    let s = story();
    let (_, text) = review(&s, &[]);
    insta::assert_snapshot!(text);
}

/// Exposure moved rather than grown (SSH to RDP): something is newly exposed, so for a reviewer
/// it is wider, with the commit that moved it.
#[test]
fn an_incomparable_move_is_reported_as_widened() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("admin", "0.0.0.0/0", 22, 22, ""));
    f.commit(CAROL, "ssh open (known)");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("net/main.tf", &sg("admin", "0.0.0.0/0", 3389, 3389, ""));
    let moved = f.commit(BOB, "rdp instead");
    let out = common::bin()
        .args(["review", "main..feature", &f.repo(), "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let w = finding(&r, "widened", "aws_security_group.admin");
    assert_eq!(w["changes"], serde_json::json!(["ports 22 → 3389"]));
    assert_eq!(w["causes"][0]["commit"], moved.as_str());
}

/// Every sample repository, over ranges of its last one to three landings: SARIF is schema-valid
/// and holds one result per introduced, widened or narrowed finding of the JSON; Markdown says
/// the same counts.
#[test]
fn sarif_is_schema_valid_on_every_sample_and_agrees_with_json() {
    let mut checked = 0;
    for entry in std::fs::read_dir("sample-repos").expect("sample-repos") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "git") {
            continue;
        }
        let repo = path.display().to_string();
        for n in 1..=3 {
            let range = format!("HEAD~{n}..HEAD");
            let run = |format: &str| {
                let out = common::bin()
                    .args(["review", &range, &repo, "--format", format])
                    .output()
                    .expect("runs");
                (
                    out.status.code(),
                    String::from_utf8(out.stdout).expect("UTF-8"),
                )
            };
            let (code, json) = run("json");
            if code == Some(2) {
                continue; // shorter history than the range
            }
            let r: Value = serde_json::from_str(&json).expect("JSON");
            let alerts = r["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|f| f["change"] != "fixed")
                .count();
            let (_, sarif) = run("sarif");
            let sarif = validate_sarif(&sarif);
            let results = sarif["runs"][0]["results"].as_array().expect("results");
            assert_eq!(results.len(), alerts, "{repo} {range}");
            let (_, md) = run("markdown");
            assert!(md.starts_with("### configtrail review: "), "{repo} {range}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} ranges checked");
}

/// A cause written long before the range (the world CIDR set 150 landings earlier, its unit
/// edited many times since without touching it) keeps its real author: the walk back through
/// the history before the range goes as far as the trace needs, in steps.
#[test]
fn a_cause_written_long_before_the_range_keeps_its_author() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("web", "0.0.0.0/0", 443, 443, ""));
    let wrote = f.commit(CAROL, "https from anywhere");
    for n in 0..150 {
        // Every third landing edits the same unit, the rest another one.
        let file = if n % 3 == 0 {
            "net/notes.tf"
        } else {
            "app/main.tf"
        };
        f.write(file, &format!("locals {{\n  n = {n}\n}}\n"));
        f.commit(BOB, "unrelated");
    }
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("net/main.tf", &sg("web", "0.0.0.0/0", 22, 22, ""));
    let moved = f.commit(ALICE, "ssh on the web group");
    let out = common::bin()
        .args(["review", "main..feature", &f.repo(), "--format", "json"])
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let i = finding(&r, "introduced", "aws_security_group.web");
    let causes = i["causes"].as_array().expect("causes");
    let by = |setting: &str| {
        causes
            .iter()
            .find(|c| c["setting"] == setting)
            .unwrap_or_else(|| panic!("no cause {setting}: {causes:#?}"))
    };
    assert_eq!(by("ingress[0].cidr_blocks")["commit"], wrote.as_str());
    assert_eq!(by("ingress[0].cidr_blocks")["but_for"], true);
    assert_eq!(by("ingress[0].from_port")["commit"], moved.as_str());
}

/// The same trace on a history long enough that the walk reads it on three handles at once
/// (each with its own pack reader over one shared index), and on a clone whose objects are all
/// borrowed through `objects/info/alternates` (whose packs the pack reader follows): the cause
/// still names the commit that wrote it, 4,200 landings back, and both reviews find the same.
#[test]
fn a_trace_through_thousands_of_landings_reads_the_same_through_alternates() {
    let f = Fixture::new();
    const LANDINGS: usize = 4_200;
    let mut stream = String::new();
    let mut commit = |branch: &str, mark: usize, from: &str, who: &str, file: &str, body: &str| {
        let at = 1_704_067_200 + mark * 3600;
        stream.push_str(&format!(
            "commit refs/heads/{branch}\nmark :{mark}\nauthor {who} {at} +0000\ncommitter {who} {at} +0000\ndata 6\nchange\n{from}M 100644 inline {file}\ndata {}\n{body}\n\n",
            body.len()
        ));
    };
    commit(
        "main",
        1,
        "",
        CAROL,
        "net/main.tf",
        &sg("web", "0.0.0.0/0", 443, 443, ""),
    );
    for n in 2..=LANDINGS + 1 {
        // Every third landing edits the same unit, the rest another one.
        let file = if n % 3 == 0 {
            "net/notes.tf"
        } else {
            "app/main.tf"
        };
        let from = format!("from :{}\n", n - 1);
        commit(
            "main",
            n,
            &from,
            BOB,
            file,
            &format!("locals {{\n  n = {n}\n}}\n"),
        );
    }
    let from = format!("from :{}\n", LANDINGS + 1);
    let ssh = sg("web", "0.0.0.0/0", 22, 22, "");
    commit("feature", LANDINGS + 2, &from, ALICE, "net/main.tf", &ssh);
    let mut import = std::process::Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(f.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    use std::io::Write;
    import
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream.as_bytes())
        .expect("stream written");
    assert!(import.wait().expect("git ends").success());
    let wrote = f.git(&["rev-parse", &format!("main~{LANDINGS}")]);
    let shared = f.path().join("shared.git");
    let shared = shared.to_str().expect("utf-8");
    f.git(&["clone", "-q", "--bare", "--shared", &f.repo(), shared]);
    let borrowed_from = std::path::Path::new(shared).join("objects/info/alternates");
    assert!(borrowed_from.is_file(), "the clone borrows its objects");

    let review = |repo: &str| -> Value {
        let out = common::bin()
            .args(["review", "main..feature", repo, "--format", "json"])
            .output()
            .expect("runs");
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let (own, borrowed) = (review(&f.repo()), review(shared));
    let i = finding(&own, "introduced", "aws_security_group.web");
    let cidr = i["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .find(|c| c["setting"] == "ingress[0].cidr_blocks")
        .expect("the CIDR is a cause");
    assert_eq!(cidr["commit"], wrote.as_str());
    assert_eq!(cidr["author"]["name"], "Carol Client");
    assert_eq!(own["findings"], borrowed["findings"]);
}
