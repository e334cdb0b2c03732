//! Verify: recompute a JSON report from the inputs it records and say whether it matches.
//!
//! Takes a `configtrail.report/1` file and (optionally) the repository and the parties and deploy
//! files; gives the differences between the report as written and the report recomputed from the
//! recorded head, options and files. Three checks, in order: the report's own digest against its
//! content (an edit after writing shows even without the repository), the recorded file digests
//! against the files given, and the recomputation field by field.

use crate::analysis::investigation::{investigate, parse_instant, InvestigationError, Options};
use crate::history::Repo;
use crate::report::json;
use serde_json::Value as J;

/// Why verification could not run at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{file}: {reason}")]
    Report { file: String, reason: String },
    #[error("{0}")]
    Cannot(String),
    #[error(transparent)]
    Investigation(#[from] InvestigationError),
}

/// The outcome: empty `differences` means the report verifies.
#[derive(Debug)]
pub struct Verification {
    pub digest: String,
    pub differences: Vec<String>,
}

/// How many differing fields are listed before the rest are counted.
const MAX_LISTED: usize = 40;

pub fn verify(
    report_file: &str,
    repo_arg: Option<&str>,
    parties: Option<String>,
    deploys: Option<String>,
    fingerprint_key: Option<Vec<u8>>,
) -> Result<Verification, VerifyError> {
    let bad = |reason: String| VerifyError::Report {
        file: report_file.to_string(),
        reason,
    };
    let bytes = std::fs::read(report_file).map_err(|e| bad(format!("cannot be read: {e}")))?;
    let given: J = serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    if given["schema"] != json::SCHEMA {
        return Err(bad(format!(
            "not a {} report (schema {})",
            json::SCHEMA,
            given["schema"]
        )));
    }
    let mut differences = Vec::new();
    let recorded = given["digest"].as_str().unwrap_or("").to_string();
    let mut body = given.clone();
    if let J::Object(m) = &mut body {
        m.remove("digest");
    }
    let own = crate::report::canonical_digest(&body);
    if own != recorded {
        differences.push(format!(
            "digest: the report records {recorded} but its content hashes to {own}: it was changed after it was written"
        ));
    }
    let version = given["tool"]["version"].as_str().unwrap_or("");
    if version != env!("CARGO_PKG_VERSION") {
        differences.push(format!(
            "tool.version: the report was written by configtrail {version}, this is {}; output may legitimately differ",
            env!("CARGO_PKG_VERSION")
        ));
    }
    let inputs = &given["inputs"];
    let options = &inputs["options"];
    let text = |k: &str| options[k].as_str().map(str::to_string);
    let strings = |k: &str| -> Vec<String> {
        options[k]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let instant = |k: &str| -> Result<_, VerifyError> {
        text(k)
            .map(|t| parse_instant(&t).map_err(|e| bad(format!("inputs.options.{k}: {e}"))))
            .transpose()
    };
    let min_severity = match text("min_severity") {
        Some(s) => Some(
            <crate::rules::Severity as clap::ValueEnum>::from_str(&s, true)
                .map_err(|e| bad(format!("inputs.options.min_severity: {e}")))?,
        ),
        None => None,
    };
    let file_for = |given: Option<String>,
                    key: &str,
                    digest_key: &str|
     -> Result<Option<String>, VerifyError> {
        let recorded_path = text(key);
        match (&inputs[digest_key], given.or(recorded_path)) {
            (J::Null, Some(f)) => Err(VerifyError::Cannot(format!(
                "the report was made without a {digest_key} file, but {f} was given"
            ))),
            (J::Null, None) => Ok(None),
            (_, None) => Err(VerifyError::Cannot(format!(
                "the report was made with a {digest_key} file; pass it with --{digest_key}"
            ))),
            (_, Some(f)) => Ok(Some(f)),
        }
    };
    let opts = Options {
        at: instant("at")?,
        since: instant("since")?,
        until: instant("until")?,
        resource: text("resource"),
        min_severity,
        parties: file_for(parties, "parties_file", "parties")?,
        deploys: file_for(deploys, "deploys_file", "deploys")?,
        environment: text("environment"),
        limits: crate::limits::Limits::from_recorded(&options["limits"])
            .map_err(|e| bad(format!("inputs.options.{e}")))?,
        terraform: crate::formats::terraform::modules::RootOptions {
            roots: strings("roots"),
            var_files: strings("var_files"),
        },
        // A JSON report shows no excerpts, and the comparison is of JSON.
        excerpts: false,
        redaction: crate::redact::Options {
            show: options["show_secrets"].as_bool().unwrap_or(false),
            key: match (
                options["fingerprint_key"].as_bool().unwrap_or(false),
                fingerprint_key,
            ) {
                (false, None) => None,
                (false, Some(_)) => {
                    return Err(VerifyError::Cannot(
                        "the report was made without --fingerprint-key, but a key was given".into(),
                    ))
                }
                (true, None) => return Err(VerifyError::Cannot(
                    "the report was made with --fingerprint-key; pass the same key to verify it"
                        .into(),
                )),
                (true, Some(k)) => Some(k),
            },
        },
    };
    let repo_path = match repo_arg {
        Some(p) => p.to_string(),
        None => inputs["repository"]
            .as_str()
            .ok_or_else(|| bad("inputs.repository is missing".into()))?
            .to_string(),
    };
    let head = inputs["head"]
        .as_str()
        .and_then(|h| git2::Oid::from_str(h).ok())
        .ok_or_else(|| bad("inputs.head is not a commit id".into()))?;
    let reference = inputs["ref"].as_str().unwrap_or("HEAD").to_string();
    let mut repo = Repo::open(&repo_path).map_err(InvestigationError::from)?;
    if repo.commit(head).is_err() {
        return Err(VerifyError::Cannot(format!(
            "{repo_path}: the recorded head {head} is not in this repository"
        )));
    }
    let inv = investigate(&mut repo, &reference, Some(head), opts)?;
    let mut again = json::scan_report(&inv);
    // The repository may be given under another path than the one recorded; that is not a
    // difference in the evidence.
    if repo_arg.is_some() {
        again["inputs"]["repository"] = inputs["repository"].clone();
        if let J::Object(m) = &mut again {
            m.remove("digest");
        }
        json::seal(&mut again);
    }
    let mut found = Vec::new();
    diff("", &given, &again, &mut found);
    let total = found.len();
    differences.extend(found.into_iter().take(MAX_LISTED));
    if total > MAX_LISTED {
        differences.push(format!(
            "… and {} more differing fields",
            total - MAX_LISTED
        ));
    }
    Ok(Verification {
        digest: again["digest"].as_str().unwrap_or("").to_string(),
        differences,
    })
}

/// Field-by-field differences between two JSON values, as `path: given → recomputed`.
pub fn diff(path: &str, a: &J, b: &J, out: &mut Vec<String>) {
    let show = |v: &J| {
        let s = v.to_string();
        if s.chars().count() > 120 {
            format!("{}…", s.chars().take(120).collect::<String>())
        } else {
            s
        }
    };
    match (a, b) {
        (J::Object(x), J::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(a), Some(b)) => diff(&p, a, b, out),
                    (Some(a), None) => out.push(format!(
                        "{p}: {} in the report, absent when recomputed",
                        show(a)
                    )),
                    (None, Some(b)) => out.push(format!(
                        "{p}: absent in the report, {} when recomputed",
                        show(b)
                    )),
                    (None, None) => {}
                }
            }
        }
        (J::Array(x), J::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!(
                    "{path}: {} entries in the report, {} when recomputed",
                    x.len(),
                    y.len()
                ));
            }
            for (i, (a, b)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), a, b, out);
            }
        }
        _ if a != b => out.push(format!(
            "{path}: {} in the report, {} when recomputed",
            show(a),
            show(b)
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::diff;
    use serde_json::json;

    #[test]
    fn differences_name_the_field() {
        let mut out = Vec::new();
        diff(
            "",
            &json!({"a": [1, {"b": 2}], "c": 1}),
            &json!({"a": [1, {"b": 3}], "d": 1}),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                "a[1].b: 2 in the report, 3 when recomputed",
                "c: 1 in the report, absent when recomputed",
                "d: absent in the report, 1 when recomputed",
            ]
        );
    }
}
