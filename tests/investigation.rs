//! Investigation features on the sample repositories: the incident instant and the period,
//! filters, parties and responsibility, deployments, verify, history, and the report formats
//! for people (Markdown, HTML, DOT).

mod common;

use common::{bin, sg, Fixture};
use serde_json::Value;

const FIXES: &str = "sample-repos/provider-opens-client-fixes.git";
const REVERT: &str = "sample-repos/revert-reopens.git";
const PARTIES: &str = "sample-repos/contract/parties.yaml";
const DEPLOYS: &str = "sample-repos/provider-opens-client-fixes.deploys.csv";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, out, err) = run(&all);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).expect("JSON")
}

fn exposures(r: &Value) -> &Vec<Value> {
    r["exposures"].as_array().expect("exposures")
}

// --- the incident and the period ------------------------------------------------------------

#[test]
fn at_keeps_the_windows_open_at_the_incident_instant() {
    // revert-reopens: SSH open 2024-08-05 → closed 2024-08-14, reopened 2024-09-02 → tip.
    let r = json(&["scan", REVERT, "--at", "2024-08-10"]);
    assert_eq!(r["windows_total"], 2);
    assert_eq!(exposures(&r).len(), 1, "{r:#}");
    assert_eq!(
        exposures(&r)[0]["closed"]["landing"],
        "01580ddd90d5df74c78b8e9ae407249987909145"
    );
    assert_eq!(exposures(&r)[0]["at"]["open"], true);
    assert_eq!(r["inputs"]["options"]["at"], "2024-08-10T00:00:00+00:00");

    let between = json(&["scan", REVERT, "--at", "2024-08-20T12:00:00+02:00"]);
    assert!(exposures(&between).is_empty(), "{between:#}");

    let later = json(&["scan", REVERT, "--at", "2024-09-05T00:00:00Z"]);
    assert_eq!(exposures(&later).len(), 1);
    assert_eq!(exposures(&later)[0]["open_at_tip"], true);

    let (code, _, err) = run(&["scan", REVERT, "--at", "last tuesday"]);
    assert_eq!(code, 2);
    assert!(err.contains("RFC 3339"), "{err}");
}

#[test]
fn until_ends_the_analysis_and_measures_an_open_window_to_it() {
    let r = json(&["scan", FIXES, "--until", "2024-02-01"]);
    assert_eq!(
        r["inputs"]["landings"], 3,
        "landings after --until are not read"
    );
    let x = &exposures(&r)[0];
    assert_eq!(x["closed"], Value::Null, "the fix landed after --until");
    // 2024-01-22T16:52:10Z (the opening landing) to 2024-02-01T00:00:00Z.
    assert_eq!(x["duration_seconds"], 9 * 86_400 + 7 * 3600 + 7 * 60 + 50);
    let text = run(&["scan", FIXES, "--until", "2024-02-01"]).1;
    assert!(
        text.contains("still open at the end of the period"),
        "{text}"
    );
}

#[test]
fn since_resource_and_severity_narrow_the_report_not_the_analysis() {
    let r = json(&["scan", REVERT, "--since", "2024-08-20"]);
    assert_eq!(exposures(&r).len(), 1);
    assert_eq!(exposures(&r)[0]["open_at_tip"], true);
    assert_eq!(r["windows_total"], 2);

    let none = json(&["scan", FIXES, "--resource", "aws_security_group.other"]);
    assert!(exposures(&none).is_empty());
    let web = json(&["scan", FIXES, "--resource", "aws_security_group.web"]);
    assert_eq!(exposures(&web).len(), 1);
    // The causes do not depend on the filter.
    let all = json(&["scan", FIXES]);
    assert_eq!(exposures(&web)[0]["causes"], exposures(&all)[0]["causes"]);

    let critical = json(&["scan", FIXES, "--min-severity", "critical"]);
    assert!(exposures(&critical).is_empty());
    assert_eq!(critical["inputs"]["options"]["min_severity"], "critical");
}

// --- parties and the contract ---------------------------------------------------------------

#[test]
fn parties_name_who_made_each_change_and_who_was_responsible() {
    let r = json(&["scan", FIXES, "--parties", PARTIES]);
    let x = &exposures(&r)[0];
    assert_eq!(x["causes"][0]["party"], "provider", "Alice opened it");
    assert_eq!(x["causes"][0]["responsible_party"], "provider");
    assert_eq!(
        x["responsible_party"], "provider",
        "network is the provider's"
    );
    assert_eq!(x["remediation"]["party"], "client", "Carol fixed it");
    let table = r["parties"]["table"].as_array().expect("table");
    let provider = table
        .iter()
        .find(|t| t["party"] == "provider")
        .expect("row");
    assert_eq!(provider["windows_opened"], 1);
    assert_eq!(provider["inside_responsibility"], 1);
    assert_eq!(provider["exposure_seconds"], x["duration_seconds"]);
    assert!(r["inputs"]["parties"]
        .as_str()
        .is_some_and(|d| d.starts_with("sha256:")));

    let text = run(&["scan", FIXES, "--parties", PARTIES]).1;
    assert!(text.contains("[provider] in 6fe88ab1d3"), "{text}");
    assert!(text.contains("responsible provider"), "{text}");
    assert!(text.contains("Parties ("), "{text}");
}

#[test]
fn unmatched_identities_are_listed_not_guessed() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("p.yaml");
    std::fs::write(
        &file,
        "parties:\n  - name: provider\n    match: [\"*@msp.example\"]\nresponsibility:\n  identity: provider\n",
    )
    .expect("write");
    let r = json(&["scan", FIXES, "--parties", file.to_str().expect("utf-8")]);
    let x = &exposures(&r)[0];
    assert_eq!(x["remediation"]["party"], Value::Null);
    assert_eq!(
        x["responsible_party"],
        Value::Null,
        "network is in nobody's column"
    );
    let unmatched = r["parties"]["unmatched_identities"].to_string();
    assert!(unmatched.contains("carol@client.example"), "{unmatched}");
    assert!(!unmatched.contains("alice@msp.example"), "{unmatched}");

    std::fs::write(&file, "parties: [{name: a}]\nresponsibility: {netwrk: a}\n").expect("write");
    let (code, _, err) = run(&["scan", FIXES, "--parties", file.to_str().expect("utf-8")]);
    assert_eq!(code, 2);
    assert!(err.contains("p.yaml") && err.contains("netwrk"), "{err}");
}

#[test]
fn a_forge_is_nobodys_party_and_is_said_in_every_format() {
    // forge-merge: Bob's SSH merged in GitHub's web interface by Dave; Erin's RDP squashed by
    // GitHub. A parties file that names GitHub (by name and by domain) and not Erin: Erin's
    // squash must not become the provider's through its committer, and GitHub is not an
    // identity "no party matches".
    const FORGE: &str = "sample-repos/forge-merge.git";
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("p.yaml");
    std::fs::write(
        &file,
        "parties:\n  - name: provider\n    match: [\"*@msp.example\", \"name:GitHub\", \"*@github.com\"]\nresponsibility:\n  network: provider\n",
    )
    .expect("write");
    let parties = file.to_str().expect("utf-8");
    let r = json(&["scan", FORGE, "--parties", parties]);
    let by_address = |address: &str| {
        exposures(&r)
            .iter()
            .find(|x| x["resource"]["address"] == address)
            .unwrap_or_else(|| panic!("no window on {address}: {r:#}"))
    };
    let web = &by_address("aws_security_group.web")["causes"][0];
    assert_eq!(web["author"]["email"], "bob@msp.example");
    assert_eq!(web["party"], "provider", "Bob's");
    assert_eq!(web["merged_by"]["email"], "dave@client.example");
    assert_eq!(web["forge"], "GitHub");
    let rdp = &by_address("aws_security_group.rdp")["causes"][0];
    assert_eq!(rdp["author"]["email"], "erin@client.example");
    assert_eq!(
        rdp["committer"]["email"], "noreply@github.com",
        "as recorded"
    );
    assert_eq!(rdp["merged_by"], Value::Null, "a squash has no merger");
    assert_eq!(rdp["forge"], "GitHub");
    assert_eq!(rdp["party"], Value::Null, "not the forge's party");
    let unmatched = r["parties"]["unmatched_identities"].to_string();
    assert!(unmatched.contains("erin@client.example"), "{unmatched}");
    assert!(!unmatched.contains("noreply@github.com"), "{unmatched}");

    let text = run(&["scan", FORGE, "--parties", parties]).1;
    assert!(
        text.contains("merged by Dave Client <dave@client.example> through GitHub in 45b09e0030"),
        "{text}"
    );
    assert!(
        text.contains("landed through GitHub in 350ffc3203"),
        "{text}"
    );
    assert!(
        text.contains("Erin Client <erin@client.example> [no party matched]"),
        "{text}"
    );
    for format in ["markdown", "html"] {
        let out = run(&["scan", FORGE, "--format", format]).1;
        assert!(out.contains("by Dave Client"), "{format}: {out}");
        assert!(out.contains("through GitHub"), "{format}: {out}");
        assert!(
            out.contains("landed through GitHub"),
            "{format}: the squash's forge is said: {out}"
        );
        assert!(
            !out.contains("by GitHub"),
            "{format}: the forge is nobody: {out}"
        );
    }
    let history = json(&["history", "aws_security_group.rdp", FORGE]);
    let change = &history["changes"][0];
    assert_eq!(change["forge"], "GitHub");
    assert_eq!(change["merged_by"], Value::Null);
}

// --- deployments ----------------------------------------------------------------------------

#[test]
fn deployments_measure_when_a_window_was_live() {
    let r = json(&["scan", FIXES, "--deploys", DEPLOYS]);
    let x = &exposures(&r)[0];
    assert_eq!(x["opened"]["deployed_at"], "2024-01-24T09:00:00Z");
    assert_eq!(x["closed"]["deployed_at"], "2024-03-04T15:00:00Z");
    assert_eq!(x["live_seconds"], 40 * 86_400 + 6 * 3600);
    assert_eq!(
        x["live"]["environment"], "production",
        "chosen over staging"
    );
    assert_eq!(x["live"]["start"], "exact");
    assert_eq!(x["live"]["end"], "exact");

    // Staging got the opening change but never the fix: the known bound is stated.
    let s = json(&[
        "scan",
        FIXES,
        "--deploys",
        DEPLOYS,
        "--environment",
        "staging",
    ]);
    let x = &exposures(&s)[0];
    assert_eq!(x["opened"]["deployed_at"], "2024-01-22T18:30:00+01:00");
    assert_eq!(x["closed"]["deployed_at"], Value::Null);
    assert_eq!(x["live"]["end"], "fix-not-deployed");
    assert_eq!(
        x["live"]["start"], "no-later-than",
        "the log begins with it"
    );
}

#[test]
fn a_bad_deploy_log_names_its_line_and_an_unknown_commit_is_listed() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("d.csv");
    std::fs::write(&file, "commit,deployed_at\n6fe88ab1d3,yesterday\n").expect("write");
    let (code, _, err) = run(&["scan", FIXES, "--deploys", file.to_str().expect("utf-8")]);
    assert_eq!(code, 2);
    assert!(err.contains("d.csv: line 2"), "{err}");

    std::fs::write(
        &file,
        "commit,deployed_at\n6fe88ab1d3,2024-01-24T09:00:00Z\ndeadbeefdeadbeef,2024-01-25T09:00:00Z\n",
    )
    .expect("write");
    let r = json(&["scan", FIXES, "--deploys", file.to_str().expect("utf-8")]);
    assert!(
        r["deployments"]["ignored"].to_string().contains("deadbeef"),
        "{:#}",
        r["deployments"]
    );
    assert_eq!(exposures(&r)[0]["live"]["end"], "fix-not-deployed");
}

// --- evidence -------------------------------------------------------------------------------

#[test]
fn a_report_verifies_and_a_changed_number_does_not() {
    let dir = tempfile::tempdir().expect("tmp");
    let report = dir.path().join("r.json");
    let report_s = report.to_str().expect("utf-8");
    let (code, _, err) = run(&[
        "scan",
        FIXES,
        "--parties",
        PARTIES,
        "--deploys",
        DEPLOYS,
        "--at",
        "2024-02-20",
        "--format",
        "json",
        "--output",
        report_s,
    ]);
    assert_eq!(code, 0, "{err}");
    let original: Value =
        serde_json::from_slice(&std::fs::read(&report).expect("read")).expect("json");
    assert!(original["inputs"]["objects"]["digest"]
        .as_str()
        .is_some_and(|d| d.starts_with("sha256:")));
    assert!(original["inputs"]["objects"]["commits"].as_u64() >= Some(7));

    let (code, out, _) = run(&["verify", report_s]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("verified"), "{out}");

    // One number changed: the digest no longer matches, and the recomputation names the field.
    let mut edited = original.clone();
    edited["exposures"][0]["live_seconds"] = Value::from(1);
    std::fs::write(&report, serde_json::to_vec_pretty(&edited).expect("json")).expect("write");
    let (code, out, _) = run(&["verify", report_s]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("changed after it was written"), "{out}");
    assert!(
        out.contains("exposures[0].live_seconds: 1 in the report"),
        "{out}"
    );

    // A forger who also fixes up the digest is caught by the recomputation.
    let mut body = edited.clone();
    body.as_object_mut().expect("object").remove("digest");
    let bytes = serde_json::to_vec(&body).expect("json");
    use sha2::Digest;
    let hex: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    edited["digest"] = Value::from(format!("sha256:{hex}"));
    std::fs::write(&report, serde_json::to_vec_pretty(&edited).expect("json")).expect("write");
    let (code, out, _) = run(&["verify", report_s]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("changed after it was written"), "{out}");
    assert!(out.contains("exposures[0].live_seconds"), "{out}");

    // A different parties file is a different input.
    std::fs::write(&report, serde_json::to_vec_pretty(&original).expect("json")).expect("write");
    let other = dir.path().join("p.yaml");
    std::fs::write(
        &other,
        "parties:\n  - name: provider\n    match: [\"*@msp.example\"]\n",
    )
    .expect("write");
    let (code, out, _) = run(&[
        "verify",
        report_s,
        FIXES,
        "--parties",
        other.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("inputs.parties:"), "{out}");

    // Cannot run: no such repository, or not a report.
    let (code, _, err) = run(&["verify", report_s, "/nonexistent/repo"]);
    assert_eq!(code, 2, "{err}");
    std::fs::write(&report, "{}").expect("write");
    let (code, _, err) = run(&["verify", report_s]);
    assert_eq!(code, 2);
    assert!(err.contains("r.json"), "{err}");
}

#[test]
fn ssh_signing_keys_are_named_and_an_unsigned_landing_among_signed_is_flagged() {
    let Ok(status) = std::process::Command::new("ssh-keygen").arg("-?").output() else {
        eprintln!("ssh-keygen is not installed; skipping");
        return;
    };
    let _ = status;
    let mut f = Fixture::new();
    let keys = tempfile::tempdir().expect("tmp");
    let key = keys.path().join("id");
    let ok = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "signer", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen runs");
    assert!(ok.success());
    let fp = std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(key.with_extension("pub"))
        .output()
        .expect("runs");
    let fingerprint = String::from_utf8_lossy(&fp.stdout)
        .split_whitespace()
        .nth(1)
        .expect("fingerprint")
        .to_string();
    let signing = format!("user.signingkey={}", key.display());
    let signed = |f: &mut Fixture, msg: &str| {
        f.tick += 3600;
        f.git(&["add", "-A"]);
        f.git(&[
            "-c",
            "gpg.format=ssh",
            "-c",
            &signing,
            "commit",
            "-q",
            "-S",
            "--allow-empty",
            "-m",
            msg,
        ]);
    };
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    signed(&mut f, "base");
    signed(&mut f, "two");
    signed(&mut f, "three");
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    signed(&mut f, "open");
    f.commit("Mallory <m@example.test>", "unsigned");
    let r = common::scan_json(&f.repo());
    let cause = &r["exposures"][0]["causes"][0];
    assert_eq!(cause["signature"], "ssh");
    assert_eq!(cause["signing_key"], fingerprint.as_str());
    let anomalies = r["anomalies"].to_string();
    assert!(anomalies.contains("unsigned-among-signed"), "{anomalies}");
}

#[test]
fn anomalies_on_causes_are_listed_and_the_rest_summarised_by_kind() {
    if std::process::Command::new("ssh-keygen")
        .arg("-?")
        .output()
        .is_err()
    {
        eprintln!("ssh-keygen is not installed; skipping");
        return;
    }
    let mut f = Fixture::new();
    // Eight signed landings (a forge's merges, say), three unsigned direct pushes that touch
    // nothing, and one unsigned push that opens SSH: the only anomaly that touches a cause.
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    for k in 0..8 {
        signed_commit(&mut f, "Forge <forge@example.test>", &format!("signed {k}"));
    }
    let mut pushes = Vec::new();
    for k in 0..3 {
        f.write("README.md", &format!("push {k}\n"));
        pushes.push(f.commit("Pat <pat@example.test>", &format!("direct push {k}")));
    }
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let opener = f.commit("Mallory <m@example.test>", "open SSH");
    let r = common::scan_json(&f.repo());
    let all = r["anomalies"].as_array().expect("anomalies");
    assert_eq!(all.len(), 4, "every anomaly is kept in JSON: {all:?}");
    let relevant: Vec<&str> = all
        .iter()
        .filter(|a| a["relevant"] == true)
        .filter_map(|a| a["commit"].as_str())
        .collect();
    assert_eq!(relevant, vec![opener.as_str()]);
    let summary = r["anomaly_summary"].as_array().expect("summary");
    assert_eq!(summary.len(), 1, "{summary:?}");
    assert_eq!(summary[0]["kind"], "unsigned-among-signed");
    assert_eq!(summary[0]["count"], 3);
    let examples: Vec<&str> = summary[0]["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .filter_map(|e| e.as_str())
        .collect();
    assert_eq!(examples.len(), 3);
    assert!(examples.iter().all(|e| pushes.iter().any(|p| p == e)));
    let text = run(&["scan", &f.repo()]).1;
    assert!(
        text.contains("3 unsigned-among-signed touching no cause or remediation"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} unsigned-among-signed:", &opener[..10])),
        "{text}"
    );
    let md = run(&["scan", &f.repo(), "--format", "markdown"]).1;
    assert!(md.contains("3 × unsigned-among-signed"), "{md}");
}

/// Commits the work tree as `who` with a `gpgsig` header written by hand: the tool records a
/// signature as present or absent (it verifies none), so a flood of signed landings needs no
/// key and no `ssh-keygen`.
fn signed_commit(f: &mut Fixture, who: &str, msg: &str) -> String {
    f.tick += 3600;
    f.git(&["add", "-A"]);
    let tree = f.git(&["write-tree"]);
    let parent = std::process::Command::new("git")
        .args([
            "-c",
            "safe.directory=*",
            "rev-parse",
            "--verify",
            "-q",
            "HEAD",
        ])
        .current_dir(f.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let mut object = format!("tree {tree}\n");
    if let Some(p) = parent {
        object.push_str(&format!("parent {p}\n"));
    }
    object.push_str(&format!(
        "author {who} {t} +0000\ncommitter {who} {t} +0000\n\
         gpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\n\n{msg}\n",
        t = f.tick
    ));
    let file = f.path().join(".git").join("signed-commit");
    std::fs::write(&file, object).expect("write the commit object");
    let id = f.git(&[
        "hash-object",
        "-t",
        "commit",
        "-w",
        file.to_str().expect("utf-8"),
    ]);
    std::fs::remove_file(&file).expect("rm");
    f.git(&["update-ref", "refs/heads/main", &id]);
    id
}

#[test]
fn a_flood_of_unsigned_pushes_is_counted_and_those_on_causes_listed() {
    // Twelve signed landings, six unsigned direct pushes that touch nothing a rule sees, then an
    // unsigned push that opens SSH and another that closes it: 8 anomalies, of which the opener
    // (a cause) and the closer (a remediation) are listed one by one and the six are one line.
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    let first = signed_commit(
        &mut f,
        "Carol Client <carol@client.example>",
        "SSH from the VPC",
    );
    for k in 0..11 {
        f.write("README.md", &format!("signed {k}\n"));
        signed_commit(
            &mut f,
            "Carol Client <carol@client.example>",
            &format!("signed {k}"),
        );
    }
    let mut pushes = Vec::new();
    for k in 0..6 {
        f.write("README.md", &format!("push {k}\n"));
        pushes.push(f.commit("Pat <pat@example.test>", &format!("direct push {k}")));
    }
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let opener = f.commit("Mallory <m@example.test>", "open SSH");
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    let closer = f.commit("Carol Client <carol@client.example>", "close SSH");

    let r = common::scan_json(&f.repo());
    let all = r["anomalies"].as_array().expect("anomalies");
    assert_eq!(all.len(), 8, "JSON keeps every anomaly: {all:#?}");
    assert!(
        all.iter()
            .all(|a| a["kind"] == "unsigned-among-signed" && a["commit"] != first),
        "{all:#?}"
    );
    let relevant: std::collections::BTreeSet<&str> = all
        .iter()
        .filter(|a| a["relevant"] == true)
        .filter_map(|a| a["commit"].as_str())
        .collect();
    assert_eq!(
        relevant,
        [opener.as_str(), closer.as_str()].into_iter().collect(),
        "the cause's and the remediation's commits"
    );
    assert!(all.iter().all(|a| a["relevant"].is_boolean()), "{all:#?}");
    assert_eq!(
        r["anomaly_summary"],
        serde_json::json!([{
            "kind": "unsigned-among-signed",
            "count": 6,
            "examples": [pushes[0], pushes[1], pushes[2]],
        }]),
        "the six pushes counted, the first three as examples"
    );

    let text = run(&["scan", &f.repo()]).1;
    for id in [&opener, &closer] {
        assert!(
            text.contains(&format!("{} unsigned-among-signed:", &id[..10])),
            "listed one by one: {text}"
        );
    }
    assert!(
        text.contains(&format!(
            "6 unsigned-among-signed touching no cause or remediation (e.g. {}, {}, {})",
            &pushes[0][..10],
            &pushes[1][..10],
            &pushes[2][..10]
        )),
        "{text}"
    );
    for format in ["markdown", "html"] {
        let out = run(&["scan", &f.repo(), "--format", format]).1;
        assert!(out.contains("6 × unsigned-among-signed"), "{format}: {out}");
        assert!(out.contains(&opener[..10]), "{format}: {out}");
        assert!(out.contains(&closer[..10]), "{format}: {out}");
        assert!(
            out.contains(&pushes[2][..10]),
            "{format}: an example: {out}"
        );
    }
    for (format, out) in [
        ("text", text),
        (
            "markdown",
            run(&["scan", &f.repo(), "--format", "markdown"]).1,
        ),
        ("html", run(&["scan", &f.repo(), "--format", "html"]).1),
    ] {
        for p in &pushes[3..] {
            assert!(
                !out.contains(&p[..10]),
                "{format}: past the examples: {out}"
            );
        }
    }
}

// --- setting history ------------------------------------------------------------------------

#[test]
fn history_lists_every_change_of_a_resource_with_the_windows_it_moved() {
    let r = json(&["history", "aws_security_group.web", FIXES]);
    assert_eq!(r["schema"], "configtrail.history/1");
    let changes = r["changes"].as_array().expect("changes");
    let opening = changes
        .iter()
        .find(|c| {
            c["setting"] == "ingress[0].cidr_blocks"
                && c["after"] == serde_json::json!(["0.0.0.0/0"])
        })
        .expect("the opening change");
    assert_eq!(
        opening["landing"],
        "6fe88ab1d3785b69f407ae292dbfc7bbeae2a293"
    );
    assert_eq!(opening["author"]["email"], "alice@msp.example");
    assert_eq!(opening["before"], serde_json::json!(["10.0.0.0/8"]));
    assert_eq!(opening["file"], "net/main.tf");
    assert_eq!(opening["line"], 11);
    assert_eq!(
        opening["rules"],
        serde_json::json!(["aws-sg-admin-port-public"])
    );
    assert_eq!(opening["opened"].as_array().map(Vec::len), Some(1));
    let description = changes
        .iter()
        .find(|c| c["setting"] == "ingress[0].description" && c["landing"] == opening["landing"])
        .expect("listed too");
    assert_eq!(description["rules"], serde_json::json!([]));
    assert_eq!(r["windows"].as_array().map(Vec::len), Some(1));

    let text = run(&["history", "aws_security_group.web", FIXES]).1;
    assert!(text.contains("closed window"), "{text}");
    let (code, _, err) = run(&["history", "aws_security_group.nope", FIXES]);
    assert_eq!(code, 2);
    assert!(err.contains("aws_security_group.nope"), "{err}");
}

// --- formats for people ---------------------------------------------------------------------

#[test]
fn markdown_is_a_report_an_expert_can_attach() {
    let (code, md, err) = run(&[
        "scan",
        FIXES,
        "--parties",
        PARTIES,
        "--deploys",
        DEPLOYS,
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0, "{err}");
    for needle in [
        "## Summary",
        "## Method",
        "## Inputs",
        "## Exposures",
        "#### Causal chain",
        "```diff",
        "  11 +     cidr_blocks = [\"0.0.0.0/0\"]",
        "## Parties",
        "| provider | 1 |",
        "## Limitations",
        "JSON report digest",
        "live in production",
    ] {
        assert!(md.contains(needle), "missing {needle:?}:\n{md}");
    }
}

#[test]
fn html_is_one_self_contained_page_with_the_timeline_and_graph() {
    let (code, html, err) = run(&[
        "scan",
        FIXES,
        "--parties",
        PARTIES,
        "--deploys",
        DEPLOYS,
        "--at",
        "2024-02-20",
        "--format",
        "html",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert_eq!(html.matches("<svg").count(), 2, "timeline and graph");
    assert!(html.contains("aria-label=\"exposure timeline\""));
    assert!(html.contains("incident 2024-02-20"));
    assert!(html.contains("deployment of 6fe88ab1d3"));
    for fetch in [
        "<script",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(http",
        "url(//",
    ] {
        assert!(!html.contains(fetch), "fetches or runs something: {fetch}");
    }
}

#[test]
fn dot_is_the_graph_and_graphviz_renders_it() {
    let (code, dot, err) = run(&[
        "scan",
        FIXES,
        "--parties",
        PARTIES,
        "--deploys",
        DEPLOYS,
        "--format",
        "dot",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(dot.starts_with("digraph configtrail {"));
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    for edge in [
        "written in",
        "landed in",
        "caused (but-for)",
        "remediated",
        "acts for",
        "made live",
        "responsibility of",
    ] {
        assert!(
            dot.contains(&format!("[label=\"{edge}\"]")),
            "no {edge} edge:\n{dot}"
        );
    }
    if let Ok(mut child) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(dot.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("dot runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
    }
    let (code, _, err) = run(&["review", "HEAD~1..HEAD", FIXES, "--format", "dot"]);
    assert_eq!(code, 2, "{err}");
}

// --- the evidence is never touched ----------------------------------------------------------

/// Every command that reads a repository leaves every file under it (work tree and `.git`)
/// byte- and time-identical: no lock file, no index refresh, no object, no config written. The
/// work tree is left with a stale index entry (a file rewritten after the commit), which any
/// status or index refresh would rewrite; the repository has branches, a tag and a report.
#[test]
fn no_command_writes_anything_into_the_repository() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    let base = f.commit("Carol Client <carol@client.example>", "base");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    f.commit("Alice Provider <alice@msp.example>", "open");
    f.git(&["tag", "v1"]);
    // Same bytes, newer mtime: the index's stat data is now stale.
    std::thread::sleep(std::time::Duration::from_millis(20));
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let dir = tempfile::tempdir().expect("tmp");
    let deploys = dir.path().join("d.csv");
    std::fs::write(
        &deploys,
        format!("commit,deployed_at\n{base},2024-01-01T05:00:00Z\n"),
    )
    .expect("write");
    let report = dir.path().join("r.json");
    let before = common::snapshot(f.path());
    let repo = f.repo();
    let d = deploys.to_str().expect("utf-8");
    let r = report.to_str().expect("utf-8");
    for format in ["text", "json", "markdown", "html", "dot"] {
        let (code, _, err) = run(&[
            "scan",
            &repo,
            "--parties",
            PARTIES,
            "--deploys",
            d,
            "--format",
            format,
        ]);
        assert_eq!(code, 0, "{format}: {err}");
    }
    let (code, _, err) = run(&[
        "scan",
        &repo,
        "--ref",
        "v1",
        "--parties",
        PARTIES,
        "--format",
        "json",
        "--output",
        r,
    ]);
    assert_eq!(code, 0, "{err}");
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["verify", r, &repo],
        vec!["rules", "list"],
        vec!["rules", "show", "aws-sg-admin-port-public"],
    ];
    for format in ["text", "json"] {
        commands.push(vec![
            "history",
            "aws_security_group.web",
            &repo,
            "--format",
            format,
        ]);
    }
    for format in ["text", "json", "markdown", "sarif"] {
        commands.push(vec![
            "review",
            "main..feature",
            &repo,
            "--format",
            format,
            "--fail-on",
            "critical",
        ]);
    }
    // check reads the work tree (skipping .git), which is part of the evidence too.
    for format in ["text", "json", "sarif"] {
        commands.push(vec![
            "check",
            &repo,
            "--format",
            format,
            "--fail-on",
            "critical",
        ]);
    }
    for args in &commands {
        let (code, _, err) = run(args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let after = common::snapshot(f.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "files were added or removed"
    );
    for (path, was) in &before {
        assert!(after.get(path) == Some(was), "{} changed", path.display());
    }
}

#[test]
fn the_streamed_json_is_byte_for_byte_the_json_tree_rendered() {
    use configtrail::analysis::investigation::{investigate, Options};
    use configtrail::report::json;
    let mut checked = 0;
    for entry in std::fs::read_dir("sample-repos").expect("samples") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "git") {
            continue;
        }
        let p = path.to_str().expect("utf-8").to_string();
        for parties in [None, Some(PARTIES.to_string())] {
            let mut repo = configtrail::history::Repo::open(&p).expect("opens");
            let options = Options {
                parties,
                ..Options::default()
            };
            let inv = investigate(&mut repo, "HEAD", None, options).expect("scans");
            let tree = json::scan_report(&inv);
            let (streamed, digest) = json::render_scan(&inv);
            assert_eq!(streamed, json::render(&tree), "{p}");
            assert_eq!(tree["digest"], digest.as_str(), "{p}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} reports compared");
}
