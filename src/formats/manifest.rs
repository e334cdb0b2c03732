//! Manifests: one YAML or JSON file → a Kubernetes or CloudFormation unit, or nothing.
//!
//! Takes a file's path and bytes; decides from the content which format it is and hands its
//! documents to [`super::kubernetes`] or [`super::cloudformation`]. A file that is neither (a CI
//! pipeline, Helm values, `package.json`) gives an empty unit and no problem: repositories are
//! full of YAML and JSON that is not infrastructure, and a blind spot for each would bury the
//! real ones.
//!
//! Two cases do become problems (blind spots), because something the rules should judge may be
//! in them and could not be read:
//!
//! - a Helm template (a file under a `templates/` directory holding `{{`): it is not YAML until
//!   rendered, so it is not parsed at all and says so once, for the file, for as long as it
//!   stays a template;
//! - a file that does not parse but looks like a manifest or a template (it mentions
//!   `apiVersion` and `kind`, or `AWSTemplateFormatVersion` or an `AWS::` type). A file that
//!   does not parse and looks like neither is skipped silently, like any other foreign file.

use super::{cloudformation, kubernetes, tree};
use crate::limits::Limits;
use crate::model::{Problem, Unit};

/// The reason a Helm template is not read (one blind spot per template file).
pub const HELM_TEMPLATE: &str = "Helm template: not YAML until rendered, so not read; render the \
    chart (helm template) and scan the output to judge it";

/// Reads one manifest or template file under the default limits.
pub fn parse(path: &str, bytes: &[u8]) -> Unit {
    parse_with(path, bytes, &Limits::default())
}

/// Reads one manifest or template file under the run's limits.
pub fn parse_with(path: &str, bytes: &[u8], limits: &Limits) -> Unit {
    if bytes.len() > limits.max_file_bytes {
        return problem(path, limits.file_too_large(bytes.len()));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        // Binary or another encoding is usually not a manifest anyone applies, and is skipped
        // like any foreign file; but one that reads as a manifest or template around the bad
        // bytes (a hostile edit, a mis-encoded comment) is a file the rules should have judged.
        Err(e) if looks_like_iac(&String::from_utf8_lossy(bytes)) => {
            return problem(
                path,
                format!("not valid UTF-8 (at byte {}): not read", e.valid_up_to()),
            );
        }
        Err(_) => return Unit::default(),
    };
    // Editors on Windows write a byte order mark; the JSON reader would refuse it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if is_helm_template(path, text) {
        return problem(path, HELM_TEMPLATE.to_string());
    }
    // Every Kubernetes object names its apiVersion, and every template its format version or an
    // AWS:: type: text with none of them is not parsed at all (a substring search is far cheaper
    // than a parse, and most YAML and JSON in a repository is neither).
    if !looks_like_iac(text) {
        return Unit::default();
    }
    let docs = if path.ends_with(".json") {
        tree::parse_json_with(text, limits)
    } else {
        tree::parse_yaml_with(text, limits)
    };
    let mut unit = if docs.docs.iter().any(cloudformation::is_template) {
        cloudformation::read(path, &docs.docs)
    } else {
        kubernetes::read(path, &docs.docs)
    };
    if let Some(error) = docs.error {
        if !unit.resources.is_empty() || looks_like_iac(text) {
            unit.problems.push(Problem {
                file: path.to_string(),
                reason: error,
            });
            unit.problems.sort();
        }
    }
    unit
}

fn problem(path: &str, reason: String) -> Unit {
    Unit {
        resources: Default::default(),
        problems: vec![Problem {
            file: path.to_string(),
            reason,
        }],
        moved: Vec::new(),
        removed: Vec::new(),
        imports: Vec::new(),
        ..Default::default()
    }
}

/// A file of a Helm chart's `templates/` directory with template actions in it.
pub fn is_helm_template(path: &str, text: &str) -> bool {
    path.split('/').rev().skip(1).any(|d| d == "templates") && text.contains("{{")
}

/// Could this text be a manifest or a template? Asked before parsing (text that cannot be is not
/// parsed) and after a failed parse (text that could be is a blind spot).
fn looks_like_iac(text: &str) -> bool {
    (text.contains("apiVersion") && text.contains("kind"))
        || text.contains("AWSTemplateFormatVersion")
        || text.contains("AWS::")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_yaml_and_json_are_skipped_silently() {
        let ci = parse(
            ".github/workflows/ci.yml",
            b"on: push\njobs:\n  b:\n    runs-on: x\n",
        );
        assert_eq!(ci, Unit::default());
        let values = parse("chart/values.yaml", b"image:\n  tag: 1.2\n");
        assert_eq!(values, Unit::default());
        let tsconfig = parse("tsconfig.json", b"{ // comment\n \"a\": 1 }");
        assert_eq!(tsconfig, Unit::default());
    }

    /// A manifest with one bad byte was skipped as foreign (found by the hostile corpus): what
    /// reads as a manifest around the bad bytes is a problem; binary that does not stays silent.
    #[test]
    fn invalid_utf8_is_a_problem_when_it_reads_as_a_manifest() {
        let u = parse("k8s/pod.yaml", b"apiVersion: v1\nkind: Pod # \xc3\x28\n");
        assert_eq!(u.problems.len(), 1, "{u:?}");
        assert!(u.problems[0]
            .reason
            .contains("not valid UTF-8 (at byte 27)"));
        assert_eq!(
            parse("img/logo.json", b"\x89PNG\r\n\x1a\n\xff"),
            Unit::default()
        );
    }

    #[test]
    fn limits_are_the_runs() {
        let low = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        let u = parse_with("k8s/pod.yaml", b"apiVersion: v1\nkind: Pod\n", &low);
        assert!(u.problems[0].reason.contains("--max-file-bytes"), "{u:?}");
        let few = Limits {
            max_yaml_nodes: 3,
            ..Limits::default()
        };
        let u = parse_with(
            "k8s/pod.yaml",
            b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
            &few,
        );
        assert!(u.problems[0].reason.contains("--max-yaml-nodes"), "{u:?}");
    }

    #[test]
    fn helm_templates_are_a_problem_not_a_parse_error() {
        let u = parse(
            "chart/templates/deploy.yaml",
            b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
        );
        assert!(u.resources.is_empty());
        assert_eq!(u.problems.len(), 1);
        assert_eq!(u.problems[0].reason, HELM_TEMPLATE);
    }

    #[test]
    fn broken_manifest_is_a_problem() {
        let u = parse("k8s/app.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: [\n");
        assert_eq!(u.problems.len(), 1);
    }

    /// Text made of YAML's and JSON's punctuation, anchors, aliases and tags, after a header that
    /// gets it past the cheap pre-filter: reading it never panics and never hangs.
    fn hostile() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let token = prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ":",
            ": ",
            "- ",
            ",",
            "&a ",
            "*a",
            "&b ",
            "*b",
            "!Ref ",
            "!!str ",
            "<<: ",
            "---\n",
            "\n",
            "\n  ",
            "\t",
            "'",
            "\"",
            "|",
            ">",
            "#",
            "x",
            "0",
            "true",
            "AWS::S3::Bucket",
            "Resources:",
            "Type: ",
            "{{ ",
            "\u{feff}",
        ]);
        prop::collection::vec(token, 0..200).prop_map(|t| t.concat())
    }

    proptest::proptest! {
        #[test]
        fn hostile_text_never_panics(body in hostile()) {
            for (path, head) in [
                ("k8s/x.yaml", "apiVersion: v1\nkind: Pod\n"),
                ("cfn/x.yaml", "AWSTemplateFormatVersion: x\n"),
                ("cfn/x.json", "{\"AWSTemplateFormatVersion\": 1, "),
                ("c/templates/x.yaml", "apiVersion: v1\nkind: Pod\n"),
            ] {
                let text = format!("{head}{body}");
                let _ = parse(path, text.as_bytes());
            }
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_an_error() {
        let u = parse(
            "cfn/x.json",
            "\u{feff}{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}}}".as_bytes(),
        );
        assert!(u.problems.is_empty(), "{:?}", u.problems);
        assert!(u.resources.contains_key("B"));
    }

    #[test]
    fn kubernetes_json_manifests_are_read() {
        let u = parse(
            "k8s/pod.json",
            br#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
  "spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}"#,
        );
        let p = &u.resources["Pod/p"];
        let path = crate::model::SettingPath::parse("spec.containers.a.securityContext.privileged");
        assert_eq!(p.get(&path), Some(&crate::model::Value::Bool(true)));
        assert_eq!(p.location_of(&path).line, 2);
    }

    #[test]
    fn format_is_told_by_content() {
        let k = parse(
            "x.yaml",
            b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n",
        );
        assert!(k.resources.contains_key("Pod/p"));
        let c = parse("x.yaml", b"Resources:\n  B:\n    Type: AWS::S3::Bucket\n");
        assert!(c.resources.contains_key("B"));
    }
}
