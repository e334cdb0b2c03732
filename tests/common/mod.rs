//! Shared by the integration tests: a scratch repository driven by the git CLI with fixed
//! identities and dates, and helpers to run the binary. (The tool itself never runs git.)
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// A scratch repository driven by the git CLI, with fixed identities and dates.
pub struct Fixture {
    dir: tempfile::TempDir,
    /// The committer time of the last commit, in seconds.
    pub tick: i64,
}

impl Fixture {
    pub fn new() -> Fixture {
        let f = Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
            tick: 1_704_067_200, // 2024-01-01T00:00:00Z
        };
        f.git(&["init", "-q", "-b", "main"]);
        f
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn repo(&self) -> String {
        self.path().display().to_string()
    }

    /// Runs git as `who` (`Name <email>`) with author and committer dates given in seconds.
    fn run_as(
        &self,
        who: &str,
        author_at: i64,
        commit_at: i64,
        args: &[&str],
    ) -> std::process::Output {
        let (name, email) = who
            .split_once(" <")
            .map(|(n, e)| (n, e.trim_end_matches('>')))
            .expect("Name <email>");
        std::process::Command::new("git")
            .args(["-c", "safe.directory=*", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_AUTHOR_DATE", format!("{author_at} +0000"))
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", email)
            .env("GIT_COMMITTER_DATE", format!("{commit_at} +0000"))
            .output()
            .expect("git runs")
    }

    /// Runs git; panics with its stderr when it fails; returns its trimmed stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.run_as("Ci Committer <ci@example.test>", self.tick, self.tick, args);
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn write(&self, file: &str, content: &str) {
        let p = self.path().join(file);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    pub fn remove(&self, file: &str) {
        std::fs::remove_file(self.path().join(file)).expect("rm");
    }

    /// Commits everything as `who` (`Name <email>`), one hour after the previous commit.
    pub fn commit(&mut self, who: &str, msg: &str) -> String {
        self.commit_at(who, msg, None)
    }

    /// Commits with an explicit author time (committer time is one hour after the previous).
    pub fn commit_at(&mut self, who: &str, msg: &str, author_time: Option<i64>) -> String {
        self.tick += 3600;
        self.git(&["add", "-A"]);
        let out = self.run_as(
            who,
            author_time.unwrap_or(self.tick),
            self.tick,
            &["commit", "-q", "--allow-empty", "-m", msg],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.git(&["rev-parse", "HEAD"])
    }

    /// Merges `branch` into the current branch with a merge commit by `who`, resolving a
    /// conflict by writing `resolution` (file, content) when one is given.
    pub fn merge(&mut self, who: &str, branch: &str, resolution: Option<(&str, &str)>) -> String {
        self.tick += 3600;
        let out = self.run_as(
            who,
            self.tick,
            self.tick,
            &["merge", "-q", "--no-ff", "--no-edit", branch],
        );
        if let Some((file, content)) = resolution {
            assert!(!out.status.success(), "expected a conflict");
            self.write(file, content);
            self.git(&["add", "-A"]);
            let out = self.run_as(who, self.tick, self.tick, &["commit", "-q", "--no-edit"]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        } else {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        self.git(&["rev-parse", "HEAD"])
    }
}

pub fn sg(cidr: &str, from: u16, to: u16) -> String {
    format!(
        "resource \"aws_security_group\" \"web\" {{\n  name = \"web\"\n\n  ingress {{\n    from_port   = {from}\n    to_port     = {to}\n    protocol    = \"tcp\"\n    cidr_blocks = [\"{cidr}\"]\n  }}\n}}\n"
    )
}

pub fn bin() -> Command {
    Command::cargo_bin("configtrail").expect("binary built")
}

pub fn scan_json(repo: &str) -> Value {
    scan_json_with(repo, &[])
}

/// [`scan_json`] with more options.
pub fn scan_json_with(repo: &str, options: &[&str]) -> Value {
    let out = bin()
        .args(["scan", repo, "--format", "json"])
        .args(options)
        .output()
        .expect("runs");
    assert!(
        out.status.code() == Some(0),
        "scan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

pub fn exposures<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["exposures"]
        .as_array()
        .expect("exposures array")
        .iter()
        .filter(|e| e["rule"]["id"] == rule)
        .collect()
}

/// Every file under `dir` with its bytes and modification time: compared before and after a
/// command to show it wrote nothing (a rewrite with the same bytes, such as an index refresh that
/// finds nothing new, still changes the time).
pub fn snapshot(
    dir: &Path,
) -> std::collections::BTreeMap<std::path::PathBuf, (Vec<u8>, std::time::SystemTime)> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let modified = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .expect("modification time");
                out.insert(p.clone(), (std::fs::read(&p).expect("readable"), modified));
            }
        }
    }
    out
}

/// The vendored OASIS schema, with its one pattern that is not a valid regular expression for a
/// Rust (ECMA-compatible) engine replaced by what it evidently means. The pattern constrains
/// `run.language`, which configtrail does not write, so nothing is weakened for our output.
pub fn schema() -> Value {
    let text = include_str!("../sarif-schema-2.1.0.json");
    let broken = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(
        text.contains(broken),
        "the schema changed: revisit this patch"
    );
    let fixed = text.replace(broken, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    serde_json::from_str(&fixed).expect("the vendored schema is JSON")
}

pub fn validate_sarif(text: &str) -> Value {
    let schema = schema();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    let sarif: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
    sarif
}
