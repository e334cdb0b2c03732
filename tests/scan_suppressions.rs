//! In a scan a suppression hides nothing: the window is reported, and the suppression is
//! evidence of a recorded risk acceptance, with who added it, when, and the reason.

mod common;

use common::{exposures, scan_json, sg, Fixture};

const ALICE: &str = "Alice Provider <alice@msp.example>";
const BOB: &str = "Bob Provider <bob@msp.example>";
const CAROL: &str = "Carol Client <carol@client.example>";
const DAVE: &str = "Dave Client <dave@client.example>";

const IGNORE: &str =
    "# configtrail:ignore aws-sg-admin-port-public vendor access until March, SEC-9\n";

#[test]
fn the_window_stays_and_names_who_accepted_the_risk() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let open = f.commit(ALICE, "open ssh");
    f.write(
        "net/main.tf",
        &format!("{IGNORE}{}", sg("0.0.0.0/0", 22, 22)),
    );
    let accepted = f.commit(BOB, "accept the risk");
    // Later edits of the file that keep the comment do not move the blame.
    f.write(
        "net/main.tf",
        &format!("# header\n\n{IGNORE}{}", sg("0.0.0.0/0", 22, 22)),
    );
    f.commit(CAROL, "a header");
    let r = scan_json(&f.repo());
    let ws = exposures(&r, "aws-sg-admin-port-public");
    assert_eq!(ws.len(), 1, "the window is still reported");
    let w = ws[0];
    assert_eq!(w["causes"][0]["commit"], open.as_str());
    let s = &w["suppression"];
    assert_eq!(s["tool"], "configtrail");
    assert_eq!(s["reason"], "vendor access until March, SEC-9");
    assert_eq!(s["line"], 3, "where it is at the tip");
    assert_eq!(s["added"]["commit"], accepted.as_str());
    assert_eq!(s["added"]["author"]["email"], "bob@msp.example");

    // The text report says it too.
    let out = common::bin()
        .args(["scan", &f.repo()])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("accepted   configtrail aws-sg-admin-port-public \"vendor access"),
        "{text}"
    );
    assert!(text.contains("added by Bob Provider"), "{text}");
}

#[test]
fn through_a_merge_the_branch_commit_that_wrote_it_is_named() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit(ALICE, "open ssh");
    f.git(&["checkout", "-q", "-b", "accept"]);
    f.write(
        "net/main.tf",
        &format!("{IGNORE}{}", sg("0.0.0.0/0", 22, 22)),
    );
    let wrote = f.commit(DAVE, "accept the risk");
    f.git(&["checkout", "-q", "main"]);
    let merge = f.merge(CAROL, "accept", None);
    let r = scan_json(&f.repo());
    let w = exposures(&r, "aws-sg-admin-port-public")[0];
    assert_eq!(w["suppression"]["added"]["commit"], wrote.as_str());
    assert_eq!(w["suppression"]["added"]["landing"], merge.as_str());
}

#[test]
fn without_a_suppression_the_exposure_has_no_such_field() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit(ALICE, "open ssh");
    // A suppression for another rule does not count.
    f.write(
        "net/main.tf",
        &format!(
            "# configtrail:ignore aws-s3-acl-public wrong rule\n{}",
            sg("0.0.0.0/0", 22, 22)
        ),
    );
    f.commit(BOB, "unrelated");
    let r = scan_json(&f.repo());
    let w = exposures(&r, "aws-sg-admin-port-public")[0];
    assert!(w.get("suppression").is_none(), "{w:#}");
}
