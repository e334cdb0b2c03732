//! The integration surface: shell completions and the man page generated from the clap
//! definition, the pre-commit hook definition, and the GitHub Actions example.

mod common;

fn stdout(args: &[&str]) -> String {
    let out = common::bin().args(args).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn completions_know_every_subcommand_and_option() {
    let bash = stdout(&["completions", "bash"]);
    for word in ["scan", "review", "check", "--fail-on", "sarif", "markdown"] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    let zsh = stdout(&["completions", "zsh"]);
    assert!(
        zsh.starts_with("#compdef configtrail"),
        "{}",
        &zsh[..40.min(zsh.len())]
    );
    for shell in ["fish", "elvish", "powershell"] {
        assert!(stdout(&["completions", shell]).contains("configtrail"));
    }
    let out = common::bin()
        .args(["completions", "tcsh"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "an unknown shell is bad usage");
}

#[test]
fn the_man_page_is_roff_with_the_commands() {
    let man = stdout(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH configtrail"),
        "{}",
        &man[..80]
    );
    assert!(man.contains(".TH configtrail"));
    for word in ["review", "check", "Exit codes"] {
        assert!(man.contains(word), "man page lacks {word}");
    }
}

#[test]
fn the_pre_commit_hook_runs_check_on_iac_files() {
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").expect("hook file");
    assert!(hooks.contains("- id: configtrail-check"));
    assert!(hooks.contains("entry: configtrail check"));
    assert!(hooks.contains("pass_filenames: true"));
    // The files pattern covers the names the Terraform reader takes.
    assert!(hooks.contains(r"files: '(\.tf|\.tf\.json|\.tfvars|\.tfvars\.json)$'"));
}

#[test]
fn the_workflow_example_reviews_and_uploads_sarif() {
    let wf = std::fs::read_to_string("examples/github-actions/configtrail-review.yml")
        .expect("workflow example");
    assert!(wf.contains("pull_request"));
    assert!(wf.contains("--format sarif"));
    assert!(wf.contains("github/codeql-action/upload-sarif"));
    assert!(wf.contains("security-events: write"));
    assert!(wf.contains("--format markdown"));
    assert!(wf.contains("fetch-depth: 0"));
    let readme = std::fs::read_to_string("README.md").expect("README");
    assert!(readme.contains("examples/github-actions/configtrail-review.yml"));
    assert!(readme.contains(".pre-commit-hooks.yaml"));
}

#[test]
fn several_paths_are_checked_together_without_duplicates() {
    let d = tempfile::tempdir().expect("dir");
    std::fs::write(
        d.path().join("main.tf"),
        "resource \"aws_security_group\" \"db\" {\n  ingress {\n    from_port = 5432\n    to_port = 5432\n    protocol = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
    )
    .expect("write");
    let out = common::bin()
        .current_dir(d.path())
        .args(["check", "main.tf", ".", "main.tf", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(r["findings"].as_array().expect("findings").len(), 1);
    assert_eq!(
        r["inputs"]["paths"],
        serde_json::json!(["main.tf", ".", "main.tf"])
    );
}
