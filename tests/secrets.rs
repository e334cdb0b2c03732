//! A report is evidence handed to the other side: it never repeats a secret (issue 19). A
//! repository holding several known secret formats is scanned, reviewed, checked and its
//! history asked, in every output format, and no byte written holds any of them.

mod common;

use common::{bin, Fixture};

const ALICE: &str = "Alice <alice@msp.example>";
const BOB: &str = "Bob <bob@msp.example>";

const PASSWORD: &str = "Aa1234321Bb";
const KEY_ID: &str = "AKIA2E0A8F3B244C9986";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY1";
const ENV_PASSWORD: &str = "hunter2hunter2";
const GITHUB: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
const PROVIDER_SECRET: &str = "pr0v1derS3cretValue";
const URL_PASSWORD: &str = "urlS3cretT0ken";

fn terraform(cidr: &str) -> String {
    format!(
        r#"provider "aws" {{
  region     = "eu-west-1"
  access_key = "{KEY_ID}"
  secret_key = "{PROVIDER_SECRET}"
}}

resource "aws_db_instance" "db" {{
  engine              = "postgres"
  username            = "admin"
  password            = "{PASSWORD}"
  publicly_accessible = false
}}

resource "aws_instance" "app" {{
  ami       = "ami-12345678"
  user_data = "export AWS_ACCESS_KEY_ID={KEY_ID} AWS_SECRET_ACCESS_KEY={SECRET_KEY}"
}}

module "remote" {{
  source = "git::https://deploy:{URL_PASSWORD}@git.example/modules.git"
}}

resource "aws_security_group" "web" {{
  name = "web"

  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["{cidr}"]
  }}
}}
"#
    )
}

fn deployment(privileged: bool) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.25\n        env:\n        - name: DB_PASSWORD\n          value: \"{ENV_PASSWORD}\"\n        - name: GITHUB_TOKEN\n          value: \"{GITHUB}\"\n        securityContext:\n          privileged: {privileged}\n"
    )
}

fn leaks(what: &str, bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    [
        PASSWORD,
        KEY_ID,
        SECRET_KEY,
        ENV_PASSWORD,
        GITHUB,
        PROVIDER_SECRET,
        URL_PASSWORD,
    ]
    .iter()
    .filter(|s| text.contains(**s))
    .map(|s| format!("{what} repeats {s}"))
    .collect()
}

#[test]
fn no_report_in_any_format_repeats_a_secret() {
    let mut f = Fixture::new();
    f.write("main.tf", &terraform("10.0.0.0/8"));
    f.write("k8s/api.yaml", &deployment(false));
    f.commit(ALICE, "base");
    f.git(&["checkout", "-q", "-b", "pr"]);
    f.write("main.tf", &terraform("0.0.0.0/0"));
    f.write("k8s/api.yaml", &deployment(true));
    f.commit(BOB, "open SSH, privileged api");
    f.git(&["checkout", "-q", "main"]);
    f.git(&["merge", "-q", "--ff-only", "pr"]);
    let repo = f.repo();
    let mut problems = Vec::new();
    let mut ran = 0;
    let mut run = |args: Vec<String>| {
        let out = bin().args(&args).output().expect("runs");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{args:?} wrote nothing");
        ran += 1;
        problems.extend(leaks(&args.join(" "), &out.stdout));
        problems.extend(leaks(&format!("{} (stderr)", args.join(" ")), &out.stderr));
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    for fmt in ["text", "json", "markdown", "html", "dot"] {
        run(s(&["scan", &repo, "--format", fmt]));
    }
    for fmt in ["text", "json", "markdown", "sarif"] {
        run(s(&["review", "HEAD~1..HEAD", &repo, "--format", fmt]));
    }
    for fmt in ["text", "json"] {
        run(s(&[
            "history",
            "aws_db_instance.db",
            &repo,
            "--format",
            fmt,
        ]));
        run(s(&["history", "aws_instance.app", &repo, "--format", fmt]));
    }
    for fmt in ["text", "json", "sarif"] {
        run(s(&[
            "check",
            f.path().to_str().expect("utf-8"),
            "--format",
            fmt,
        ]));
    }
    assert!(ran > 10);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_secrets_are_still_found_and_said_to_be_redacted() {
    let mut f = Fixture::new();
    f.write("main.tf", &terraform("10.0.0.0/8"));
    f.write("k8s/api.yaml", &deployment(false));
    f.commit(ALICE, "base");
    let out = bin()
        .args([
            "check",
            f.path().to_str().expect("utf-8"),
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for rule in [
        "aws-db-password-literal",
        "aws-access-key-literal",
        "k8s-secret-literal-env",
    ] {
        assert!(text.contains(rule), "{rule} not found:\n{text}");
    }
    assert!(text.contains("(redacted: "), "{text}");
}

#[test]
fn fingerprints_match_across_reports_and_verify_needs_the_key() {
    let mut f = Fixture::new();
    f.write("main.tf", &terraform("0.0.0.0/0"));
    f.commit(ALICE, "base");
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("key");
    std::fs::write(&key, b"the investigator's key").expect("write");
    let key = key.to_str().expect("utf-8");
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan".to_string(),
            f.repo(),
            "--format".into(),
            "json".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let out = bin().args(&args).output().expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let a = scan(&["--fingerprint-key", key]);
    let text = String::from_utf8_lossy(&a).to_string();
    assert!(leaks("fingerprinted", &a).is_empty());
    assert!(text.contains("fingerprint "), "{text}");
    assert!(text.contains("\"fingerprint_key\": true"));
    assert!(!text.contains("investigator"));
    let path = dir.path().join("r.json");
    std::fs::write(&path, &a).expect("write");
    let report = path.to_str().expect("utf-8");
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify".to_string(), report.to_string(), f.repo()];
        args.extend(extra.iter().map(|s| s.to_string()));
        bin().args(&args).output().expect("runs").status.code()
    };
    assert_eq!(verify(&["--fingerprint-key", key]), Some(0));
    assert_eq!(
        verify(&[]),
        Some(2),
        "verify without the key cannot recompute"
    );
    // --show-secrets, for the investigator's own machine: shown, and recorded as shown.
    let shown = String::from_utf8_lossy(&scan(&["--show-secrets"])).to_string();
    assert!(shown.contains(PASSWORD) && shown.contains("\"show_secrets\": true"));
}
