//! Hostile repositories: the repository under investigation may belong to the other side of a
//! dispute, or to an attacker. For each kind of hostile content the scan must finish in bounded
//! time and memory without a panic, keep every window it can still see elsewhere in the history,
//! and report what it could not read as a blind spot naming the file, the landing and the reason.
//!
//! Most repositories here are written with `git fast-import` from a stream the test generates:
//! it sets modes (symlinks, submodules), dates and offsets exactly, and writes a 64 MB blob or
//! 20,000 files in well under a second. Damage that needs loose objects (a missing object) uses
//! the git CLI fixture.
//!
//! Every scan runs under a 1 GiB address-space limit and a time limit: a parser that expanded an
//! alias bomb, loaded the 64 MB blob into a tree, or recursed without end fails the test instead
//! of passing slowly.

mod common;

use common::{sg, Fixture};
use serde_json::Value;
use std::io::Write;
use std::time::Duration;

const RULE: &str = "aws-sg-admin-port-public";
const WHO: &str = "Mallory Other <mallory@other.example>";

// --- building repositories ------------------------------------------------------------------

/// A file in a fast-import commit: mode and content, or a gitlink (submodule) to a commit id.
enum Op<'a> {
    File(&'a str, Vec<u8>),
    Mode(&'a str, &'a str, Vec<u8>),
    Gitlink(&'a str, &'a str),
    Delete(&'a str),
    /// A file whose path is raw bytes (not necessarily UTF-8).
    RawPath(Vec<u8>, Vec<u8>),
}

/// A fast-import stream of a single branch, `main`.
struct Stream {
    out: Vec<u8>,
    mark: usize,
}

impl Stream {
    fn new() -> Stream {
        Stream {
            out: Vec::new(),
            mark: 0,
        }
    }

    /// A commit at `when` (`<seconds> <±hhmm>`, the committer and author time) with `ops`.
    fn commit(&mut self, when: &str, msg: &str, ops: Vec<Op<'_>>) -> usize {
        self.mark += 1;
        let who = WHO;
        write!(
            self.out,
            "commit refs/heads/main\nmark :{}\nauthor {who} {when}\ncommitter {who} {when}\ndata {}\n{msg}\n",
            self.mark,
            msg.len()
        )
        .expect("write");
        if self.mark > 1 {
            writeln!(self.out, "from :{}", self.mark - 1).expect("write");
        }
        for op in ops {
            let (mode, path, data) = match op {
                Op::File(p, d) => ("100644", p, d),
                Op::Mode(m, p, d) => (m, p, d),
                Op::Gitlink(p, id) => {
                    writeln!(self.out, "M 160000 {id} {p}").expect("write");
                    continue;
                }
                Op::Delete(p) => {
                    writeln!(self.out, "D {p}").expect("write");
                    continue;
                }
                Op::RawPath(p, d) => {
                    self.out.extend_from_slice(b"M 100644 inline ");
                    self.out.extend_from_slice(&p);
                    writeln!(self.out, "\ndata {}", d.len()).expect("write");
                    self.out.extend_from_slice(&d);
                    self.out.push(b'\n');
                    continue;
                }
            };
            writeln!(self.out, "M {mode} inline {path}\ndata {}", data.len()).expect("write");
            self.out.extend_from_slice(&data);
            self.out.push(b'\n');
        }
        self.out.push(b'\n');
        self.mark
    }

    /// Writes the stream into a new bare repository; returns it and the landing ids by mark.
    fn build(self) -> (tempfile::TempDir, Vec<String>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let git = |args: &[&str], input: Option<&[u8]>| -> String {
            let mut child = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("git runs");
            if let Some(bytes) = input {
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(bytes)
                    .expect("stream written");
            }
            let out = child.wait_with_output().expect("git ends");
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        git(&["init", "-q", "--bare", "-b", "main"], None);
        git(&["fast-import", "--quiet"], Some(&self.out));
        let ids = (1..=self.mark)
            .map(|m| {
                // Marks are in commit order on one branch: HEAD~(n - m).
                git(&["rev-parse", &format!("main~{}", self.mark - m)], None)
            })
            .collect();
        (dir, ids)
    }
}

/// The ordinary window every hostile repository also holds: SSH open to the world from its
/// first commit. The scan must still report it whatever else the repository does.
fn normal_window() -> Op<'static> {
    Op::File("net/main.tf", sg("0.0.0.0/0", 22, 22).into_bytes())
}

// --- running and asserting ------------------------------------------------------------------

/// Runs `configtrail <args>` under a 1 GiB address-space limit and a time limit; returns the
/// exit code, stdout and stderr. A crash, a hang or a blow-up fails here.
fn run_bounded(args: &[&str], secs: u64) -> (i32, String, String) {
    let bin = assert_cmd::cargo::cargo_bin("configtrail");
    let out = assert_cmd::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(bin)
        .args(args)
        .timeout(Duration::from_secs(secs))
        .output()
        .expect("runs");
    let code = out.status.code().unwrap_or(-1);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        !stderr.contains("panicked"),
        "panic running {args:?}: {stderr}"
    );
    (code, stdout, stderr)
}

/// A JSON scan of `repo` with `extra` options: exit 0 (no `--fail-on`), valid JSON.
fn scan(repo: &str, extra: &[&str]) -> Value {
    let mut args = vec!["scan", repo, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run_bounded(&args, 60);
    assert_eq!(code, 0, "scan {repo} {extra:?} exited {code}: {stderr}");
    serde_json::from_str(&stdout).expect("valid JSON")
}

/// The normal window is still reported, open at the tip, opened at `landing`.
fn assert_window_kept(r: &Value, landing: &str) {
    let w: Vec<&Value> = r["exposures"]
        .as_array()
        .expect("exposures")
        .iter()
        .filter(|e| e["rule"]["id"] == RULE)
        .collect();
    assert_eq!(w.len(), 1, "the ordinary window is lost: {r:#}");
    assert_eq!(w[0]["opened"]["landing"], landing, "{:#}", w[0]);
}

/// The blind spot naming `file` (or, with an empty `file`, the unit or history itself) at
/// `landing` whose reason contains every one of `reason`: asserted present, and returned.
fn blind_spot<'a>(r: &'a Value, file: &str, landing: &str, reason: &[&str]) -> &'a Value {
    let spots = r["blind_spots"].as_array().expect("blind_spots");
    spots
        .iter()
        .find(|b| {
            (b["file"] == file || (file.is_empty() && b["file"] == ""))
                && b["from_landing"] == landing
                && reason
                    .iter()
                    .all(|part| b["reason"].as_str().is_some_and(|s| s.contains(part)))
        })
        .unwrap_or_else(|| {
            panic!(
                "no blind spot for {file:?} at {landing} with {reason:?}; blind spots: {:#}",
                r["blind_spots"]
            )
        })
}

/// A YAML stream of `levels` of aliases, each ten of the previous: 10^levels nodes on expansion.
fn billion_laughs(levels: usize) -> String {
    let mut s = String::from("  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..=levels {
        let p = format!("*a{}", i - 1);
        s.push_str(&format!("  a{i}: &a{i} [{}]\n", vec![p; 10].join(", ")));
    }
    s
}

// --- the corpus -----------------------------------------------------------------------------

/// The billion laughs, in a Kubernetes manifest and in a CloudFormation template: stopped at the
/// node limit, named, and the option to raise it said.
#[test]
fn alias_bombs_stop_at_the_node_limit() {
    let mut s = Stream::new();
    s.commit("1704070800 +0000", "open ssh", vec![normal_window()]);
    let k8s = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n{}",
        billion_laughs(9)
    );
    let cfn = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n{}Resources:\n  B:\n    Type: AWS::S3::Bucket\n",
        billion_laughs(9)
    );
    s.commit(
        "1704074400 +0000",
        "bombs",
        vec![
            Op::File("k8s/bomb.yaml", k8s.into_bytes()),
            Op::File("cfn/bomb.yaml", cfn.into_bytes()),
        ],
    );
    // The HCL counterpart: locals that each repeat the previous ten times, used as the ingress
    // of a security group (10^9 strings if expanded).
    let mut hcl = String::from("locals {\n  a0 = [\"0.0.0.0/0\"]\n");
    for i in 1..=9 {
        hcl.push_str(&format!(
            "  a{i} = [{}]\n",
            vec![format!("local.a{}", i - 1); 10].join(", ")
        ));
    }
    hcl.push_str("}\n");
    hcl.push_str(&sg("0.0.0.0/0", 3389, 3389).replace("[\"0.0.0.0/0\"]", "flatten(local.a9)"));
    s.commit(
        "1704078000 +0000",
        "hcl bomb",
        vec![Op::File("hclbomb/main.tf", hcl.into_bytes())],
    );
    let (repo, ids) = s.build();
    let r = scan(&repo.path().display().to_string(), &[]);
    assert_window_kept(&r, &ids[0]);
    for file in ["k8s/bomb.yaml", "cfn/bomb.yaml"] {
        blind_spot(&r, file, &ids[1], &["500000 nodes", "--max-yaml-nodes"]);
    }
    // Not expanded: the value is unknown and says why, so the rule cannot decide; and the reason
    // quotes only the start of it (it rendered to 1.6 MB before).
    let spot = blind_spot(
        &r,
        "hclbomb/main.tf",
        &ids[2],
        &[
            "cannot be decided",
            "larger than the limit",
            "more characters",
        ],
    );
    let reason = spot["reason"].as_str().unwrap_or_default();
    assert!(reason.len() < 1_000, "{} bytes", reason.len());
}

/// JSON (`.tf.json` and a CloudFormation template), HCL and YAML nested 100,000 levels deep are
/// refused before any parser recurses.
#[test]
fn nesting_a_hundred_thousand_deep_is_refused() {
    const N: usize = 100_000;
    let (open, close) = ("[".repeat(N), "]".repeat(N));
    let mut s = Stream::new();
    s.commit("1704070800 +0000", "open ssh", vec![normal_window()]);
    s.commit(
        "1704074400 +0000",
        "deep",
        vec![
            Op::File(
                "hcl/main.tf",
                format!("locals {{\n  x = {open}1{close}\n}}\n").into_bytes(),
            ),
            Op::File(
                "tfjson/main.tf.json",
                format!("{{\"locals\": {{\"x\": {open}1{close}}}}}").into_bytes(),
            ),
            Op::File(
                "cfn/deep.json",
                format!(
                    "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"B\": {{\"Type\": \"AWS::S3::Bucket\", \"Properties\": {{\"Tags\": {open}1{close}}}}}}}}}"
                )
                .into_bytes(),
            ),
            Op::File(
                "k8s/deep.yaml",
                format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x: {open}1{close}\n")
                    .into_bytes(),
            ),
        ],
    );
    let (repo, ids) = s.build();
    let r = scan(&repo.path().display().to_string(), &[]);
    assert_window_kept(&r, &ids[0]);
    for file in ["hcl/main.tf", "tfjson/main.tf.json", "cfn/deep.json"] {
        blind_spot(&r, file, &ids[1], &["deeper than", "128", "--max-depth"]);
    }
    // YAML's own parser stops flow nesting at 255, before our limit is reached.
    blind_spot(
        &r,
        "k8s/deep.yaml",
        &ids[1],
        &["nested deeper than", "255", "line 6"],
    );
}

/// Raising `--max-depth` to its ceiling reads what the default refused, and the ceiling holds:
/// every parser and tree walk at the deepest allowed nesting fits the stack (in a debug build,
/// whose frames are the largest). Above the ceiling the option is a usage error. HCL keeps its
/// parser's own fixed limit of 64 levels, and says so.
#[test]
fn the_depth_ceiling_fits_the_stack() {
    const N: usize = 495;
    let (open, close) = ("[".repeat(N), "]".repeat(N));
    let mut s = Stream::new();
    s.commit("1704070800 +0000", "open ssh", vec![normal_window()]);
    s.commit(
        "1704074400 +0000",
        "deep but allowed",
        vec![
            Op::File(
                "hcl/main.tf",
                format!(
                    "locals {{\n  x = {}1{}\n}}\n",
                    "[".repeat(100),
                    "]".repeat(100)
                )
                .into_bytes(),
            ),
            Op::File(
                "tfjson/main.tf.json",
                format!("{{\"locals\": {{\"x\": {open}1{close}}}}}").into_bytes(),
            ),
            // Block nesting: YAML's parser caps flow nesting at 255 on its own.
            Op::File(
                "k8s/deep.yaml",
                format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n{}",
                    (1..N)
                        .map(|i| format!("{}k:\n", " ".repeat(i)))
                        .collect::<String>()
                )
                .into_bytes(),
            ),
        ],
    );
    let (repo, ids) = s.build();
    let path = repo.path().display().to_string();
    let r = scan(&path, &["--max-depth", "500"]);
    assert_window_kept(&r, &ids[0]);
    assert_eq!(r["inputs"]["options"]["limits"]["max_depth"], 500);
    let spots = r["blind_spots"].as_array().expect("blind spots");
    assert_eq!(spots.len(), 1, "{r:#}");
    blind_spot(&r, "hcl/main.tf", &ids[1], &["at most 64 nested levels"]);
    // The default refuses the other two.
    let r = scan(&path, &[]);
    for file in ["tfjson/main.tf.json", "k8s/deep.yaml"] {
        blind_spot(&r, file, &ids[1], &["deeper than", "--max-depth"]);
    }
    let (code, _, err) = run_bounded(&["scan", &path, "--max-depth", "501"], 30);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--max-depth"), "{err}");
}

/// A 64 MB binary blob named `.tf`: not loaded (its size is read from the object header), a
/// blind spot naming the limit; `--max-file-bytes` can raise it.
#[test]
fn a_64_mb_blob_named_tf_is_not_loaded() {
    let mut blob = vec![0u8; 64 * 1024 * 1024];
    blob[..8].copy_from_slice(b"\x7fELF\x02\x01\x01\x00");
    let mut s = Stream::new();
    s.commit("1704070800 +0000", "open ssh", vec![normal_window()]);
    s.commit(
        "1704074400 +0000",
        "blob",
        vec![Op::File("blob/huge.tf", blob)],
    );
    let (repo, ids) = s.build();
    let r = scan(&repo.path().display().to_string(), &[]);
    assert_window_kept(&r, &ids[0]);
    blind_spot(
        &r,
        "blob/huge.tf",
        &ids[1],
        &["67108864 bytes", "8388608", "--max-file-bytes"],
    );
}

/// Invalid UTF-8 inside an otherwise valid Terraform file and Kubernetes manifest: each is a
/// blind spot saying where the bad byte is, and what the rest of the history shows is kept.
#[test]
fn invalid_utf8_inside_a_valid_file_is_named() {
    let mut tf = b"# comment \xff\xfe not UTF-8\n".to_vec();
    tf.extend_from_slice(sg("0.0.0.0/0", 3389, 3389).as_bytes());
    let mut yaml = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p # \xc3\x28\n".to_vec();
    yaml.extend_from_slice(b"spec:\n  containers:\n  - name: c\n    image: x\n");
    let mut s = Stream::new();
    s.commit("1704070800 +0000", "open ssh", vec![normal_window()]);
    s.commit(
        "1704074400 +0000",
        "encoding",
        vec![Op::File("rdp/main.tf", tf), Op::File("k8s/pod.yaml", yaml)],
    );
    let (repo, ids) = s.build();
    let r = scan(&repo.path().display().to_string(), &[]);
    assert_window_kept(&r, &ids[0]);
    blind_spot(
        &r,
        "rdp/main.tf",
        &ids[1],
        &["not valid UTF-8", "at byte 10"],
    );
    blind_spot(
        &r,
        "k8s/pod.yaml",
        &ids[1],
        &["not valid UTF-8", "at byte 47"],
    );
}

/// A file whose name is not valid UTF-8 but ends in `.tf` (Terraform would read it): a blind
/// spot at the landing that adds it, not skipped.
#[test]
fn a_tf_file_with_a_non_utf8_name_is_named() {
    let mut s = Stream::new();
    s.commit("1704070800 +0000", "open ssh", vec![normal_window()]);
    s.commit(
        "1704074400 +0000",
        "hidden",
        vec![Op::RawPath(
            b"hid/ma\xffin.tf".to_vec(),
            b"locals {}\n".to_vec(),
        )],
    );
    let (repo, ids) = s.build();
    let r = scan(&repo.path().display().to_string(), &[]);
    assert_window_kept(&r, &ids[0]);
    let spot = blind_spot(&r, "", &ids[1], &["file name is not valid UTF-8"]);
    assert_eq!(spot["unit"], "hid/ma\u{fffd}in.tf", "{spot:#}");
}

/// A symlink named `main.tf` pointing at `/etc/passwd` (and a manifest pointing at it): never
/// followed. The report holds nothing of the target, and says the file is a symbolic link. Two
/// more links make "never opened" testable: one at a FIFO (opening it would block, and the time
/// limit would fail the test), one at a file holding a canary that must not reach the report.
#[test]
fn a_symlink_is_never_followed() {
    let traps = tempfile::tempdir().expect("temp dir");
    let fifo = traps.path().join("trap.tf");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let canary = traps.path().join("canary.tf");
    std::fs::write(&canary, "resource \"aws_s3_bucket\" \"CANARY_7f3a\" {}\n").expect("write");
    let target = |p: &std::path::Path| p.display().to_string().into_bytes();
    let mut s = Stream::new();
    s.commit("1704070800 +0000", "open ssh", vec![normal_window()]);
    s.commit(
        "1704074400 +0000",
        "links",
        vec![
            Op::Mode("120000", "link/main.tf", b"/etc/passwd".to_vec()),
            Op::Mode("120000", "k8s/app.yaml", b"/etc/passwd".to_vec()),
            Op::Mode("120000", "fifo/main.tf", target(&fifo)),
            Op::Mode("120000", "canary/main.tf", target(&canary)),
        ],
    );
    let (repo, ids) = s.build();
    let path = repo.path().display().to_string();
    let r = scan(&path, &[]);
    assert_window_kept(&r, &ids[0]);
    for file in [
        "link/main.tf",
        "k8s/app.yaml",
        "fifo/main.tf",
        "canary/main.tf",
    ] {
        blind_spot(&r, file, &ids[1], &["symbolic link", "not followed"]);
    }
    assert!(!r.to_string().contains("CANARY_7f3a"), "{r:#}");
    // Nothing of the target reached any report: not in JSON, not in the text report, not in
    // the formats that quote file excerpts.
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let first = passwd.lines().next().unwrap_or("root:x:0:0").to_string();
    for format in ["json", "text", "markdown", "html"] {
        let (code, out, err) = run_bounded(&["scan", &path, "--format", format], 60);
        assert_eq!(code, 0, "{err}");
        assert!(
            !out.contains(&first) && !out.contains("root:x:0"),
            "{format}"
        );
    }
    // check, on a work tree holding the same link: not followed either.
    let tree = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(tree.path().join("link")).expect("mkdir");
    std::os::unix::fs::symlink("/etc/passwd", tree.path().join("link/main.tf")).expect("link");
    let dir = tree.path().display().to_string();
    let (code, out, err) = run_bounded(&["check", &dir, "--format", "json"], 30);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("symbolic link: not followed"), "{out}");
    assert!(!out.contains(&first) && !out.contains("root:x:0"), "{out}");
}

/// A submodule entry: its content is in another repository, so the landing that adds it is
/// blind to it, and says so with the commit it points at.
#[test]
fn a_submodule_entry_is_a_blind_spot() {
    let target = "0123456789abcdef0123456789abcdef01234567";
    let mut s = Stream::new();
    s.commit("1704070800 +0000", "open ssh", vec![normal_window()]);
    s.commit(
        "1704074400 +0000",
        "vendor a module",
        vec![
            Op::Gitlink("modules/vpc", target),
            Op::Gitlink("net/vendored.tf", target),
        ],
    );
    s.commit(
        "1704078000 +0000",
        "touch net",
        vec![Op::File(
            "net/main.tf",
            format!("# touched\n{}", sg("0.0.0.0/0", 22, 22)).into_bytes(),
        )],
    );
    let (repo, ids) = s.build();
    let r = scan(&repo.path().display().to_string(), &[]);
    assert_window_kept(&r, &ids[0]);
    let spot = blind_spot(&r, "", &ids[1], &["submodule entry", target]);
    assert_eq!(spot["unit"], "modules/vpc", "{spot:#}");
    // A submodule named like a Terraform file inside a unit is named when the unit is read.
    blind_spot(&r, "net/vendored.tf", &ids[2], &["submodule entry"]);
}

/// Commits dated 1970 and 2100, with offsets of +14:00 and -12:00, and a landing dated before
/// its predecessor: times are reported as RFC 3339 with each commit's own offset, and the
/// backwards step is an anomaly.
#[test]
fn absurd_dates_and_offsets_are_reported_as_written() {
    let mut s = Stream::new();
    // 1970-01-01T00:00:01Z: the window opens then.
    s.commit("1 +0000", "open ssh in 1970", vec![normal_window()]);
    s.commit(
        "4102444800 +1400",
        "2100, +14:00",
        vec![Op::File("docs/a.tf", b"locals {}\n".to_vec())],
    );
    // Back to 2024 with the most negative offset: before its predecessor.
    s.commit(
        "1704067200 -1200",
        "backwards, -12:00",
        vec![Op::File(
            "net/main.tf",
            sg("10.0.0.0/8", 22, 22).into_bytes(),
        )],
    );
    let (repo, ids) = s.build();
    let r = scan(&repo.path().display().to_string(), &[]);
    let text = r.to_string();
    assert!(text.contains("1970-01-01T00:00:01+00:00"), "{r:#}");
    assert!(text.contains("2100-01-01T14:00:00+14:00"), "{r:#}");
    assert!(text.contains("2023-12-31T12:00:00-12:00"), "{r:#}");
    let w: Vec<&Value> = r["exposures"]
        .as_array()
        .expect("exposures")
        .iter()
        .filter(|e| e["rule"]["id"] == RULE)
        .collect();
    assert_eq!(w.len(), 1, "{r:#}");
    assert_eq!(w[0]["opened"]["landing"], ids[0].as_str());
    assert_eq!(w[0]["closed"]["landing"], ids[2].as_str(), "{:#}", w[0]);
    let anomalies = r["anomalies"].as_array().expect("anomalies");
    assert!(
        anomalies
            .iter()
            .any(|a| a["kind"] == "landing-time-backwards" && a["commit"] == ids[2].as_str()),
        "{r:#}"
    );
}

/// One commit adding 20,000 IaC files (Terraform in 200 directories and 2,000 manifests): read
/// in bounded time and memory, and the ordinary window is still found among them.
#[test]
fn twenty_thousand_files_in_one_commit() {
    let mut s = Stream::new();
    s.commit("1704070800 +0000", "open ssh", vec![normal_window()]);
    let mut names = Vec::new();
    for i in 0..18_000 {
        names.push((
            format!("mod{:03}/f{i}.tf", i % 200),
            format!("locals {{\n  v{i} = {i}\n}}\n"),
        ));
    }
    for i in 0..2_000 {
        names.push((
            format!("k8s/cm{i}.yaml"),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  k: v\n"),
        ));
    }
    let ops = names
        .iter()
        .map(|(p, c)| Op::File(p, c.clone().into_bytes()))
        .collect();
    s.commit("1704074400 +0000", "twenty thousand files", ops);
    let (repo, ids) = s.build();
    let started = std::time::Instant::now();
    let r = scan(&repo.path().display().to_string(), &[]);
    assert_window_kept(&r, &ids[0]);
    assert_eq!(r["inputs"]["objects"]["blobs"], 20_001, "{:#}", r["inputs"]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

/// A file that does not parse at some landings: a blind spot from the landing that broke it to
/// the one that fixed it, and the window it holds stays open through it (blindness closes
/// nothing).
#[test]
fn a_file_that_does_not_parse_at_some_landings() {
    let mut s = Stream::new();
    s.commit("1704070800 +0000", "open ssh", vec![normal_window()]);
    s.commit(
        "1704074400 +0000",
        "break it",
        vec![Op::File(
            "net/main.tf",
            format!("{}\nresource \"x\" {{\n", sg("0.0.0.0/0", 22, 22)).into_bytes(),
        )],
    );
    s.commit(
        "1704078000 +0000",
        "still broken",
        vec![Op::File(
            "net/main.tf",
            format!("{}\nresource \"x\" {{ = \n", sg("0.0.0.0/0", 22, 22)).into_bytes(),
        )],
    );
    s.commit(
        "1704081600 +0000",
        "fix it",
        vec![Op::File(
            "net/main.tf",
            format!("# fixed\n{}", sg("0.0.0.0/0", 22, 22)).into_bytes(),
        )],
    );
    let (repo, ids) = s.build();
    let r = scan(&repo.path().display().to_string(), &[]);
    assert_window_kept(&r, &ids[0]);
    let spot = blind_spot(&r, "net/main.tf", &ids[1], &["HCL syntax error at line"]);
    assert_eq!(spot["to_landing"], ids[3].as_str(), "{spot:#}");
    assert_eq!(r["exposures"][0]["open_at_tip"], true);
}

/// A shallow clone: the history before its first landing is not there, and the report says
/// where it begins; what it does show is kept.
#[test]
fn a_shallow_clone_says_where_history_begins() {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("10.0.0.0/8", 22, 22));
    f.commit(WHO, "base");
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let opened = f.commit(WHO, "open");
    f.write("README.md", "x\n");
    f.commit(WHO, "docs");
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
    let r = scan(&dest.display().to_string(), &[]);
    assert_window_kept(&r, &opened);
    let spot = blind_spot(
        &r,
        "",
        &opened,
        &["shallow clone", "history begins here", &opened],
    );
    assert_eq!(spot["unit"], "", "{spot:#}");
}

/// Three landings in loose objects: the ordinary SSH window opened by `net` at the first, then
/// `app/main.tf` added and edited: the history the object-level tests damage.
fn three_landings() -> (Fixture, String, String, String) {
    let mut f = Fixture::new();
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let c1 = f.commit(WHO, "open ssh");
    f.write("app/main.tf", &sg("0.0.0.0/0", 443, 443));
    let c2 = f.commit(WHO, "https");
    f.write(
        "app/main.tf",
        &format!("# v3\n{}", sg("0.0.0.0/0", 443, 443)),
    );
    let c3 = f.commit(WHO, "comment");
    (f, c1, c2, c3)
}

/// A missing object in the middle of history: a blob (the file is a blind spot at that landing,
/// naming the object) and, separately, a commit (the history before it is cut, naming it).
#[test]
fn a_missing_object_names_itself() {
    let (f, c1, c2, c3) = three_landings();
    let blob = f.git(&["rev-parse", &format!("{c2}:app/main.tf")]);
    let loose = |id: &str| f.path().join(".git/objects").join(&id[..2]).join(&id[2..]);
    std::fs::remove_file(loose(&blob)).expect("loose blob");
    let r = scan(&f.repo(), &[]);
    assert_window_kept(&r, &c1);
    blind_spot(
        &r,
        "app/main.tf",
        &c2,
        &["object", &blob, "missing or corrupt"],
    );

    // A commit object gone: the landings before it cannot be reached. What the remaining
    // landing shows is still reported (from there: the history before it is the blind spot).
    std::fs::remove_file(loose(&c2)).expect("loose commit");
    let r = scan(&f.repo(), &[]);
    let spot = blind_spot(&r, "", &c3, &["cannot be read", &c2]);
    assert_eq!(spot["unit"], "", "{spot:#}");
    assert_window_kept(&r, &c3);
}

/// An object whose bytes are not what its id says (the file of another object put in its place,
/// as tampering or disk corruption would leave it) is not read as if it were: a blob, a tree and
/// a commit each become a blind spot naming the object, and the rest of the history is reported.
/// libgit2's own hash check is off (configtrail checks every object itself); this holds it to
/// that.
#[test]
fn a_tampered_object_is_a_blind_spot_not_evidence() {
    let (f, c1, c2, c3) = three_landings();
    let loose = |id: &str| f.path().join(".git/objects").join(&id[..2]).join(&id[2..]);
    let swap = |victim: &str, donor: &str| {
        std::fs::remove_file(loose(victim)).expect("loose object");
        std::fs::copy(loose(donor), loose(victim)).expect("copy object");
    };

    // A blob: app/main.tf at c2 holds the bytes of net/main.tf.
    let blob = f.git(&["rev-parse", &format!("{c2}:app/main.tf")]);
    let donor = f.git(&["rev-parse", &format!("{c1}:net/main.tf")]);
    swap(&blob, &donor);
    let r = scan(&f.repo(), &[]);
    assert_window_kept(&r, &c1);
    blind_spot(&r, "app/main.tf", &c2, &[&blob, "does not hash to its id"]);

    // A tree: the `app` directory of c2 holds the bytes of the `net` directory.
    let tree = f.git(&["rev-parse", &format!("{c2}:app")]);
    let donor = f.git(&["rev-parse", &format!("{c1}:net")]);
    swap(&tree, &donor);
    let r = scan(&f.repo(), &[]);
    assert_window_kept(&r, &c1);
    let spot = blind_spot(&r, "", &c2, &[&tree, "does not hash to its id"]);
    assert_eq!(spot["unit"], "app", "{spot:#}");

    // A commit: c2 holds the bytes of c1. History before c3 is cut there, and says why.
    swap(&c2, &c1);
    let r = scan(&f.repo(), &[]);
    let spot = blind_spot(&r, "", &c3, &[&c2, "does not hash to its id"]);
    assert_eq!(spot["unit"], "", "{spot:#}");
}

// --- limits apply to every command ----------------------------------------------------------

/// A lowered limit is applied by scan, review, history and check alike, each naming the option;
/// when nothing of a resource can be read, history says which file and why instead of claiming
/// the resource never existed. The history is long enough for scan to read it on its reader
/// thread, which must read under the same limits.
#[test]
fn limits_apply_to_every_command_that_reads_files() {
    let big = format!("# {}\n{}", "padding ".repeat(250), sg("0.0.0.0/0", 22, 22));
    let mut s = Stream::new();
    s.commit(
        "1704070800 +0000",
        "base",
        vec![Op::File("docs/a.tf", b"locals {}\n".to_vec())],
    );
    s.commit("1704074400 +0000", "open ssh", vec![normal_window()]);
    for i in 0..70 {
        s.commit(
            &format!("{} +0000", 1704078000 + i * 60),
            "filler",
            vec![Op::File(
                "docs/a.tf",
                format!("locals {{ v = {i} }}\n").into_bytes(),
            )],
        );
    }
    let grown = s.commit(
        "1704999999 +0000",
        "grow",
        vec![Op::File("net/main.tf", big.clone().into_bytes())],
    );
    let (repo, ids) = s.build();
    let path = repo.path().display().to_string();
    let lowered = ["--max-file-bytes", "1000"];
    let r = scan(&path, &lowered);
    assert_eq!(r["inputs"]["landings"], 73);
    assert_window_kept(&r, &ids[1]);
    blind_spot(
        &r,
        "net/main.tf",
        &ids[grown - 1],
        &["over the limit of 1000 bytes", "--max-file-bytes"],
    );
    assert_eq!(r["inputs"]["options"]["limits"]["max_file_bytes"], 1000);
    // verify recomputes under the limits the report records (under the defaults the grown file
    // would be read, and the report would not verify).
    let out_dir = tempfile::tempdir().expect("temp dir");
    let report = out_dir.path().join("r.json").display().to_string();
    let mut args = vec!["scan", &path, "--format", "json", "--output", &report];
    args.extend_from_slice(&lowered);
    assert_eq!(run_bounded(&args, 30).0, 0);
    let (code, out, err) = run_bounded(&["verify", &report, &path], 30);
    assert_eq!(code, 0, "{out}{err}");

    let range = format!("{}..{}", ids[0], ids[grown - 1]);
    let mut args = vec!["review", &range, &path, "--format", "json"];
    args.extend_from_slice(&lowered);
    let (code, out, err) = run_bounded(&args, 30);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("over the limit of 1000 bytes"), "{out}");

    for format in ["json", "text"] {
        let mut args = vec![
            "history",
            "aws_security_group.web",
            &path,
            "--format",
            format,
        ];
        args.extend_from_slice(&lowered);
        let (code, out, err) = run_bounded(&args, 30);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("over the limit of 1000 bytes"),
            "{format}: {out}"
        );
    }

    let (code, _, err) = run_bounded(
        &[
            "history",
            "aws_security_group.web",
            &path,
            "--max-file-bytes",
            "100",
        ],
        30,
    );
    assert_eq!(code, 2, "{err}");
    for part in [
        "could not be read",
        "net/main.tf",
        &ids[1],
        "--max-file-bytes",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }

    // check reads files on disk under the same limits.
    let tree = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(tree.path().join("net")).expect("mkdir");
    std::fs::write(tree.path().join("net/main.tf"), &big).expect("write");
    let dir = tree.path().display().to_string();
    let (code, out, err) = run_bounded(
        &[
            "check",
            &dir,
            "--format",
            "json",
            "--max-file-bytes",
            "1000",
        ],
        30,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("over the limit of 1000 bytes (raise with --max-file-bytes)"),
        "{out}"
    );
    let (code, out, err) = run_bounded(&["check", &dir, "--format", "json"], 30);
    assert_eq!(code, 1, "{err}");
    assert!(!out.contains("over the limit"), "{out}");
}

/// A commit that deletes 2,000 files of one name and adds 2,000 others of the same name, each
/// different: rename pairing compares contents pair by pair, so without a budget this is
/// millions of diffs in one landing. It must stay quick, and the window it carries is kept.
#[test]
fn many_same_named_files_moved_at_once_stay_quick() {
    let body = |i: usize, salt: &str| {
        format!(
            "locals {{\n  {salt}{i} = \"{}\"\n}}\n",
            format!("{salt}{i}-").repeat(20)
        )
        .into_bytes()
    };
    let mut s = Stream::new();
    let paths_a: Vec<String> = (0..2_000).map(|i| format!("a/m{i}/main.tf")).collect();
    let paths_b: Vec<String> = (0..2_000).map(|i| format!("b/m{i}/main.tf")).collect();
    let mut first = vec![normal_window()];
    first.extend(
        paths_a
            .iter()
            .enumerate()
            .map(|(i, p)| Op::File(p, body(i, "x"))),
    );
    s.commit("1704070800 +0000", "open ssh, 2000 modules", first);
    let mut moved: Vec<Op<'_>> = paths_a.iter().map(|p| Op::Delete(p)).collect();
    moved.extend(
        paths_b
            .iter()
            .enumerate()
            .map(|(i, p)| Op::File(p, body(i, "y"))),
    );
    s.commit("1704074400 +0000", "replace them", moved);
    let (repo, ids) = s.build();
    let started = std::time::Instant::now();
    let r = scan(&repo.path().display().to_string(), &[]);
    assert_window_kept(&r, &ids[0]);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
