//! The sample repositories hold the tool to stories known by construction.
//!
//! Each scenario `NAME` in `sample-repos/` is kept three times: `NAME.fi`, a readable
//! `git fast-import` stream with fixed identities and dates; `NAME.git`, the bare repository built
//! from it by `sample-repos/build.sh` and committed so that `configtrail scan` works on a fresh
//! clone; and `NAME.expected.json`, the story and the windows, causes, remediations and blind
//! spots it must produce. Two kinds of test follow from that:
//!
//! - every stream, rebuilt the way `build.sh` does it, gives exactly the refs of the committed
//!   repository, so the text a reviewer reads and the repository the tool reads cannot drift apart;
//! - `configtrail scan sample-repos/NAME.git --format json` reports exactly the expected windows
//!   (keyed by rule, resource address and opening landing), and for each the closing landing, the
//!   unit, the causes and the remediation the story names, and exactly the expected blind spots.
//!
//! The expected files name parties by email glob; the test checks that every `party` written in
//! them follows from those globs, so a story cannot contradict its own parties.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// One `#[test]` per scenario, so that a failure names the story it breaks.
macro_rules! scenarios {
    ($($test:ident => $name:literal,)*) => {
        /// Every scenario with a test of its own; `every_scenario_has_a_test` keeps it complete.
        const SCENARIOS: &[&str] = &[$($name),*];

        $(
            #[test]
            fn $test() {
                check_scenario($name);
            }
        )*
    };
}

scenarios! {
    provider_opens_client_fixes => "provider-opens-client-fixes",
    reformat_and_move => "reformat-and-move",
    merged_feature_branch => "merged-feature-branch",
    s3_compound => "s3-compound",
    tfvars_override => "tfvars-override",
    revert_reopens => "revert-reopens",
    review_revert_in_range => "review-revert-in-range",
    resource_deleted => "resource-deleted",
    unit_renamed => "unit-renamed",
    iam_and_blind_spot => "iam-and-blind-spot",
    hardened_no_exposure => "hardened-no-exposure",
    k8s_privileged_reordered => "k8s-privileged-reordered",
    k8s_rbac_service_helm => "k8s-rbac-service-helm",
    cfn_parameter_default_public => "cfn-parameter-default-public",
    cfn_json_security_group => "cfn-json-security-group",
    azure_storage_nsg => "azure-storage-nsg",
    gcp_bucket_firewall => "gcp-bucket-firewall",
    forge_merge => "forge-merge",
    nested_merge => "nested-merge",
    evil_merge => "evil-merge",
    k8s_manifests_consolidated => "k8s-manifests-consolidated",
    k8s_copy_then_delete => "k8s-copy-then-delete",
    tf_moved_across_units => "tf-moved-across-units",
    merge_cause_lines => "merge-cause-lines",
    tf_renamed_without_moved => "tf-renamed-without-moved",
    k8s_identity_edited_on_branch => "k8s-identity-edited-on-branch",
    tf_dir_copied_then_deleted => "tf-dir-copied-then-deleted",
    tf_removed_and_imported => "tf-removed-and-imported",
    tf_module_argument_public => "tf-module-argument-public",
    tf_module_default_narrowed => "tf-module-default-narrowed",
    tf_module_for_each_envs => "tf-module-for-each-envs",
    tf_module_nested => "tf-module-nested",
    tf_module_registry => "tf-module-registry",
    tf_override_file => "tf-override-file",
    tf_library_then_called => "tf-library-then-called",
    k8s_history_imported_under_folder => "k8s-history-imported-under-folder",
    k8s_copy_renamed_container => "k8s-copy-renamed-container",
    k8s_copy_renamed_throughout => "k8s-copy-renamed-throughout",
    k8s_copies_disagree => "k8s-copies-disagree",
    k8s_copy_from_untouched_file => "k8s-copy-from-untouched-file",
    k8s_copy_on_merged_side => "k8s-copy-on-merged-side",
    tf_root_copied_calls_renamed => "tf-root-copied-calls-renamed",
    k8s_written_unreadable => "k8s-written-unreadable",
    k8s_pod_converted_to_controller => "k8s-pod-converted-to-controller",
    k8s_legacy_api_copied => "k8s-legacy-api-copied",
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sample_dir() -> PathBuf {
    manifest_dir().join("sample-repos")
}

/// Scenario names that have a file `NAME<suffix>` in `sample-repos/`, sorted.
fn names_with_suffix(suffix: &str) -> Vec<String> {
    let entries = std::fs::read_dir(sample_dir()).expect("sample-repos/ is readable");
    let mut names: Vec<String> = entries
        .map(|entry| entry.expect("a directory entry of sample-repos/"))
        .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
        .filter_map(|file| file.strip_suffix(suffix).map(str::to_owned))
        .collect();
    names.sort();
    names
}

#[test]
fn every_scenario_has_a_test() {
    let tested: BTreeSet<String> = SCENARIOS.iter().map(ToString::to_string).collect();
    for (what, suffix) in [("stream", ".fi"), ("story", ".expected.json")] {
        let present: BTreeSet<String> = names_with_suffix(suffix).into_iter().collect();
        assert_eq!(
            present, tested,
            "the scenarios with a {what} (sample-repos/*{suffix}) and the scenarios! list in \
             tests/sample_repos.rs differ"
        );
    }
}

// --- The streams rebuild the committed repositories ----------------------------------------

/// A git command that only the given repository decides: no system or user configuration and no
/// repository inherited from the environment (as `sample-repos/build.sh` runs it). The checkout
/// may belong to another user than the one running the tests (a container, CI), and without the
/// user's configuration nothing would list it as safe.
fn git(repo: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(["-c", "safe.directory=*", "-C"]).arg(repo);
    cmd.env("GIT_CONFIG_NOSYSTEM", "1");
    cmd.env(
        "GIT_CONFIG_GLOBAL",
        if cfg!(windows) { "NUL" } else { "/dev/null" },
    );
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_TEMPLATE_DIR",
        "GIT_DEFAULT_HASH",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Runs a git command and returns its stdout, or panics with its stderr.
fn run_git(mut cmd: Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run git: {e}"));
    assert!(
        out.status.success(),
        "{what}: git failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{what}: git output is not UTF-8: {e}"))
}

/// Builds `stream` into the bare repository `repo` with the commands of `sample-repos/build.sh`.
fn build(stream: &Path, repo: &Path) {
    let what = format!("building {}", repo.display());
    let mut init = git(Path::new("."));
    init.args(["init", "-q", "--bare"]).arg(repo);
    run_git(init, &what);

    let input = std::fs::File::open(stream)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", stream.display()));
    let mut import = git(repo);
    import.args(["fast-import", "--quiet"]).stdin(input);
    run_git(import, &what);

    let mut head = git(repo);
    head.args(["symbolic-ref", "HEAD", "refs/heads/main"]);
    run_git(head, &what);

    let mut gc = git(repo);
    gc.args(["gc", "-q", "--aggressive", "--prune=now"]);
    run_git(gc, &what);
}

/// Every ref of a repository, with the object it points to; and where HEAD points.
fn refs(repo: &Path) -> (String, BTreeMap<String, String>) {
    let what = format!("reading the refs of {}", repo.display());
    let mut each = git(repo);
    each.args(["for-each-ref", "--format=%(refname) %(objectname)"]);
    let refs = run_git(each, &what)
        .lines()
        .map(|line| {
            let (name, id) = line.split_once(' ').expect("for-each-ref prints `name id`");
            (name.to_owned(), id.to_owned())
        })
        .collect();
    let mut head = git(repo);
    head.args(["symbolic-ref", "HEAD"]);
    (run_git(head, &what).trim().to_owned(), refs)
}

/// True when some file lies under `dir`: git does not keep empty directories, so a committed
/// repository whose `refs/` held none would lose it in a clone and no longer open.
fn holds_a_file(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|entry| {
            let path = entry.path();
            path.is_file() || (path.is_dir() && holds_a_file(&path))
        })
    })
}

#[test]
fn streams_rebuild_the_committed_repositories() {
    if !git_available() {
        eprintln!(
            "skipping streams_rebuild_the_committed_repositories: `git` is not on PATH, so \
             sample-repos/*.fi cannot be rebuilt and compared with the committed *.git"
        );
        return;
    }
    let streams = names_with_suffix(".fi");
    assert!(!streams.is_empty(), "no sample-repos/*.fi found");
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let mut failures = Vec::new();
    for name in &streams {
        let committed = sample_dir().join(format!("{name}.git"));
        if !committed.join("HEAD").is_file() {
            failures.push(format!(
                "{name}: sample-repos/{name}.git is missing; run sample-repos/build.sh"
            ));
            continue;
        }
        if !holds_a_file(&committed.join("refs")) {
            failures.push(format!(
                "{name}: sample-repos/{name}.git/refs holds no file, so a clone of the project \
                 drops it and the repository no longer opens; run sample-repos/build.sh"
            ));
        }
        let rebuilt = tmp.path().join(format!("{name}.git"));
        build(&sample_dir().join(format!("{name}.fi")), &rebuilt);
        let (want_head, want) = refs(&rebuilt);
        let (got_head, got) = refs(&committed);
        if want_head != got_head {
            failures.push(format!(
                "{name}: HEAD of the committed repository is {got_head}, the stream gives {want_head}"
            ));
        }
        if want != got {
            failures.push(format!(
                "{name}: sample-repos/{name}.git does not match sample-repos/{name}.fi; \
                 run sample-repos/build.sh {name} and commit the result\n  \
                 from the stream: {want:?}\n  committed:       {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// --- The scan tells the story --------------------------------------------------------------

/// Runs `configtrail scan sample-repos/NAME.git --format json` from the project root, so the
/// report records the relative path as given.
fn scan(name: &str) -> Output {
    let repo = format!("sample-repos/{name}.git");
    let out = assert_cmd::Command::cargo_bin("configtrail")
        .expect("the configtrail binary is built for integration tests")
        .current_dir(manifest_dir())
        .args(["scan", &repo, "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{name}: cannot run configtrail: {e}"));
    // 0: nothing at or above the failing threshold, 1: findings at or above it; 2 is an error.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{name}: `configtrail scan {repo} --format json` exited with {}:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn load_expected(name: &str) -> Value {
    let path = sample_dir().join(format!("{name}.expected.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{name}: cannot read {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{name}: {} is not JSON: {e}", path.display()))
}

/// The string at a JSON pointer, `None` when it is absent, null or not a string.
fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// The array at a JSON pointer; an absent or null array reads as empty.
fn items<'a>(value: &'a Value, pointer: &str) -> &'a [Value] {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `*` matches any run of characters, `?` any one; ASCII case is ignored, as in email domains.
fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((&b'*', rest)) => (0..=t.len()).any(|skip| go(rest, &t[skip..])),
            Some((&c, rest)) => t
                .split_first()
                .is_some_and(|(&d, t)| (c == b'?' || c.eq_ignore_ascii_case(&d)) && go(rest, t)),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

/// The party whose globs match `email`, from the expected file's `parties` object.
fn party_of<'a>(parties: &'a Value, email: &str) -> Option<&'a str> {
    parties.as_object()?.iter().find_map(|(party, globs)| {
        let globs = globs.as_array()?;
        globs
            .iter()
            .filter_map(Value::as_str)
            .any(|glob| glob_match(glob, email))
            .then_some(party.as_str())
    })
}

/// Commit ids of one repository described for people: `6fe88ab1d378 (Alice Provider: Open SSH…)`.
struct Commits(BTreeMap<String, String>);

impl Commits {
    fn of(name: &str) -> Commits {
        let repo = sample_dir().join(format!("{name}.git"));
        let mut log = git(&repo);
        log.args(["log", "--all", "--format=%H %an: %s"]);
        let listing = log
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default();
        Commits(
            listing
                .lines()
                .filter_map(|line| line.split_once(' '))
                .map(|(id, what)| (id.to_owned(), what.to_owned()))
                .collect(),
        )
    }

    fn describe(&self, id: Option<&str>) -> String {
        match id {
            None => "none".to_owned(),
            Some(id) => match self.0.get(id) {
                Some(what) => format!("{} ({what})", &id[..12]),
                None => id.to_owned(),
            },
        }
    }
}

/// (rule, address, opening landing): what identifies a window in the expected file and the report.
type WindowKey = (String, String, String);

fn expected_key(window: &Value) -> WindowKey {
    let field = |name: &str| {
        text(window, &format!("/{name}"))
            .unwrap_or_default()
            .to_owned()
    };
    (field("rule"), field("address"), field("opened_landing"))
}

fn reported_key(exposure: &Value) -> WindowKey {
    let field = |pointer: &str| text(exposure, pointer).unwrap_or_default().to_owned();
    (
        field("/rule/id"),
        field("/resource/address"),
        field("/opened/landing"),
    )
}

fn check_scenario(name: &str) {
    let expected = load_expected(name);
    let out = scan(name);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: the scan did not print JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let commits = Commits::of(name);
    let mut failures = Vec::new();
    check_parties(&expected, &mut failures);
    check_windows(&expected, &report, &commits, &mut failures);
    check_blind_spots(&expected, &report, &commits, &mut failures);
    assert!(
        failures.is_empty(),
        "scenario {name}: the scan does not tell the story of sample-repos/{name}.expected.json\n\
         story: {}\n\n{}",
        text(&expected, "/story").unwrap_or("(none)"),
        failures.join("\n")
    );
}

/// Every `party` in the expected file follows from its own `parties` globs.
fn check_parties(expected: &Value, failures: &mut Vec<String>) {
    let parties = &expected["parties"];
    for window in items(expected, "/windows") {
        let people = items(window, "/causes")
            .iter()
            .chain(window.get("remediation").filter(|r| !r.is_null()));
        for person in people {
            let email = text(person, "/author_email").unwrap_or_default();
            let written = text(person, "/party");
            let derived = party_of(parties, email);
            if written != derived {
                failures.push(format!(
                    "the expected file is inconsistent: {email} is written as party {written:?} \
                     but the parties globs make it {derived:?}"
                ));
            }
        }
    }
}

fn check_windows(expected: &Value, report: &Value, commits: &Commits, failures: &mut Vec<String>) {
    let reported: BTreeMap<WindowKey, &Value> = items(report, "/exposures")
        .iter()
        .map(|exposure| (reported_key(exposure), exposure))
        .collect();
    let wanted: BTreeMap<WindowKey, &Value> = items(expected, "/windows")
        .iter()
        .map(|window| (expected_key(window), window))
        .collect();
    let show = |(rule, address, opened): &WindowKey| {
        format!(
            "{rule} on {address} opened at {}",
            commits.describe(Some(opened))
        )
    };

    for (key, window) in &wanted {
        let Some(exposure) = reported.get(key) else {
            failures.push(format!("missing window: {}", show(key)));
            continue;
        };
        let mut issues = Vec::new();
        let mut differ = |field: &str, want: String, got: String| {
            if want != got {
                issues.push(format!("{field}: expected {want}, reported {got}"));
            }
        };
        differ(
            "closed landing",
            commits.describe(text(window, "/closed_landing")),
            commits.describe(text(exposure, "/closed/landing")),
        );
        differ(
            "open_at_tip",
            flag(window, "/open_at_tip"),
            flag(exposure, "/open_at_tip"),
        );
        differ(
            "unit",
            quoted(window, "/unit"),
            quoted(exposure, "/resource/unit"),
        );
        differ(
            "remediation commit",
            commits.describe(text(window, "/remediation/commit")),
            commits.describe(text(exposure, "/remediation/commit")),
        );
        differ(
            "remediation author",
            quoted(window, "/remediation/author_email"),
            quoted(exposure, "/remediation/author/email"),
        );
        // Optional in the expected file: how the object was held while the window was open
        // (one file, agreeing copies, or copies that disagree) and every file that held it.
        // Terraform modules: the unit (root) the window is in, a library module evaluated alone,
        // and a window that ended because its module became called.
        for (key, pointer) in [
            ("identity", "/identity"),
            ("files", "/files"),
            ("unit", "/resource/unit"),
            ("evaluated_as", "/evaluated_as"),
            ("closed_because", "/closed_because"),
        ] {
            if let Some(want) = window.get(key) {
                differ(key, render(Some(want)), render(exposure.pointer(pointer)));
            }
        }
        for cause in items(window, "/causes") {
            check_cause(cause, items(exposure, "/causes"), commits, &mut issues);
        }
        if !issues.is_empty() {
            failures.push(format!(
                "window {}:\n  - {}",
                show(key),
                issues.join("\n  - ")
            ));
        }
    }

    for (key, exposure) in &reported {
        if !wanted.contains_key(key) {
            failures.push(format!(
                "unexpected window: {} (unit {}, closed at {})",
                show(key),
                quoted(exposure, "/resource/unit"),
                commits.describe(text(exposure, "/closed/landing")),
            ));
        }
    }
}

/// A string field for a message: `"net"`, or `none` when absent or null.
fn quoted(value: &Value, pointer: &str) -> String {
    text(value, pointer).map_or_else(|| "none".to_owned(), |s| format!("{s:?}"))
}

/// Any JSON value for a message, `none` when absent: compared as written, so `11` differs from
/// `"11"` and `["a", "b"]` from `["b", "a"]`.
fn render(value: Option<&Value>) -> String {
    value.map_or_else(|| "none".to_owned(), Value::to_string)
}

/// A boolean field for a message: `true`, `false`, or `none` when absent or not a boolean.
fn flag(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_bool)
        .map_or_else(|| "none".to_owned(), |b| b.to_string())
}

/// One expected cause is among the reported ones (same commit, address and setting), with the
/// same landing, author, file and but-for verdict; and, where the expected file names them, the
/// same merger, line (true of the cited commit), place at the landing and merge authorship. The
/// optional keys let older stories stay as they were written while newer ones pin more.
fn check_cause(cause: &Value, reported: &[Value], commits: &Commits, issues: &mut Vec<String>) {
    let commit = text(cause, "/commit");
    let address = text(cause, "/address");
    let setting = text(cause, "/setting");
    let found = reported.iter().find(|r| {
        text(r, "/commit") == commit
            && text(r, "/address") == address
            && text(r, "/setting") == setting
    });
    let name = |r: &Value| {
        format!(
            "{} {} by {}",
            text(r, "/address").unwrap_or("?"),
            text(r, "/setting").unwrap_or("?"),
            commits.describe(text(r, "/commit"))
        )
    };
    let Some(found) = found else {
        let listed: Vec<String> = reported
            .iter()
            .map(|r| format!("\n      {}", name(r)))
            .collect();
        issues.push(format!(
            "missing cause {}; reported causes:{}",
            name(cause),
            if listed.is_empty() {
                " none".to_owned()
            } else {
                listed.concat()
            }
        ));
        return;
    };
    let mut differ = |field: &str, want: String, got: String| {
        if want != got {
            issues.push(format!(
                "cause {}: {field}: expected {want}, reported {got}",
                name(cause)
            ));
        }
    };
    differ(
        "landing",
        commits.describe(text(cause, "/landing")),
        commits.describe(text(found, "/landing")),
    );
    differ(
        "author",
        quoted(cause, "/author_email"),
        quoted(found, "/author/email"),
    );
    differ("file", quoted(cause, "/file"), quoted(found, "/file"));
    differ("but_for", flag(cause, "/but_for"), flag(found, "/but_for"));
    if cause.get("merged_by_email").is_some() {
        differ(
            "merged_by",
            quoted(cause, "/merged_by_email"),
            quoted(found, "/merged_by/email"),
        );
    }
    for key in [
        "line",
        "landing_file",
        "landing_line",
        "written_by_merge",
        "written_on",
        "written_unreadable",
        "forge",
    ] {
        if let Some(want) = cause.get(key) {
            differ(key, render(Some(want)), render(found.get(key)));
        }
    }
}

/// The reported blind spots are exactly the expected ones, matched on file and span. A blind spot
/// the story does not have means the tool could not read a unit the story relies on, and every
/// "no window there" above would then hold for the wrong reason.
fn check_blind_spots(
    expected: &Value,
    report: &Value,
    commits: &Commits,
    failures: &mut Vec<String>,
) {
    let key = |spot: &Value| {
        (
            text(spot, "/file").unwrap_or_default().to_owned(),
            commits.describe(text(spot, "/from_landing")),
            commits.describe(text(spot, "/to_landing")),
        )
    };
    let wanted: BTreeMap<_, &Value> = items(expected, "/blind_spots")
        .iter()
        .map(|s| (key(s), s))
        .collect();
    let reported: BTreeMap<_, &Value> = items(report, "/blind_spots")
        .iter()
        .map(|s| (key(s), s))
        .collect();
    for ((file, from, to), spot) in &wanted {
        match reported.get(&(file.clone(), from.clone(), to.clone())) {
            None => failures.push(format!("missing blind spot: {file} from {from} to {to}")),
            Some(found) if text(found, "/unit") != text(spot, "/unit") => failures.push(format!(
                "blind spot {file} from {from}: unit expected {}, reported {}",
                quoted(spot, "/unit"),
                quoted(found, "/unit")
            )),
            // Optional: words the reason must hold (the module source a gap names).
            Some(found)
                if items(spot, "/reason_holds").iter().any(|w| {
                    !text(found, "/reason")
                        .unwrap_or_default()
                        .contains(w.as_str().unwrap_or_default())
                }) =>
            {
                failures.push(format!(
                    "blind spot {file} from {from}: reason {} does not hold all of {}",
                    quoted(found, "/reason"),
                    spot["reason_holds"]
                ))
            }
            Some(_) => {}
        }
    }
    for ((file, from, to), spot) in &reported {
        if !wanted.contains_key(&(file.clone(), from.clone(), to.clone())) {
            failures.push(format!(
                "unexpected blind spot: {file} from {from} to {to} ({})",
                text(spot, "/reason").unwrap_or("no reason given")
            ));
        }
    }
}

#[test]
fn scan_is_byte_identical_across_runs() {
    for name in SCENARIOS {
        let first = scan(name).stdout;
        let second = scan(name).stdout;
        assert!(
            first == second,
            "scenario {name}: two runs of `configtrail scan sample-repos/{name}.git --format json` \
             printed different bytes\nfirst:\n{}\nsecond:\n{}",
            String::from_utf8_lossy(&first),
            String::from_utf8_lossy(&second)
        );
    }
}

/// Issue 17's "done means": `verify` still round-trips every sample. The report is written to a
/// file and recomputed from the inputs it records (the repository path as given, relative to
/// the project root), so every field a scenario's report holds is covered by its digest and
/// comes out the same.
#[test]
fn every_sample_report_verifies() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let mut failures = Vec::new();
    for name in SCENARIOS {
        let report = tmp.path().join(format!("{name}.json"));
        let report = report.to_str().expect("a UTF-8 temporary path");
        let run = |args: &[&str]| {
            assert_cmd::Command::cargo_bin("configtrail")
                .expect("the configtrail binary is built for integration tests")
                .current_dir(manifest_dir())
                .args(args)
                .output()
                .unwrap_or_else(|e| panic!("{name}: cannot run configtrail: {e}"))
        };
        let repo = format!("sample-repos/{name}.git");
        let scanned = run(&["scan", &repo, "--format", "json", "--output", report]);
        if !matches!(scanned.status.code(), Some(0 | 1)) {
            failures.push(format!(
                "{name}: scan --output exited with {}: {}",
                scanned.status,
                String::from_utf8_lossy(&scanned.stderr)
            ));
            continue;
        }
        let verified = run(&["verify", report]);
        if verified.status.code() != Some(0) {
            failures.push(format!(
                "{name}: verify exited with {}: {}{}",
                verified.status,
                String::from_utf8_lossy(&verified.stdout),
                String::from_utf8_lossy(&verified.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn glob_matches_emails_as_parties_files_do() {
    assert!(glob_match("*@msp.example", "alice@msp.example"));
    assert!(glob_match("*@msp.example", "Bob@MSP.example"));
    assert!(!glob_match("*@msp.example", "carol@client.example"));
    assert!(!glob_match("*@msp.example", "mallory@msp.example.evil"));
    assert!(glob_match("?ave@client.example", "dave@client.example"));
}
