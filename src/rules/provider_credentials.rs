//! Secrets written as literals: one check for every rule about them, the database passwords of
//! `aws-db-password-literal` and the credentials in a Terraform `provider` block
//! (`provider.aws`, `provider.azurerm`, `provider.google`), which each cloud's pack instantiates.
//!
//! A literal string in a credential argument is a secret in the repository, readable by everyone
//! who can read any clone of it, for as long as the history exists. A value from a variable
//! without default, the environment or a file outside the repository is not in the code and
//! passes; an unknown value is not claimed either way.

use crate::model::{Resource, SettingPath, Value};
use crate::rules::helpers::ev;
use crate::rules::{Finding, Scope, Verdict};

/// Why credentials in a provider block matter, for each pack's rule.
pub const RATIONALE: &str = "Credentials in a provider block are readable by everyone who can \
    read the repository or any of its clones, for as long as the history exists, and they stay \
    valid until someone rotates them.";

/// The credential arguments of `res` (one of `attrs`) that hold a literal, non-empty string:
/// a violation naming each, with its length, never its value.
pub fn literal_credentials(res: &Resource, attrs: &[&str]) -> Verdict {
    literal_secrets(res, attrs, "in the provider block", true)
}

/// The arguments of `res` (one of `attrs`) written as literal, non-empty strings (and, with
/// `json`, literal JSON, as a pasted service-account key is read): a violation saying each is
/// written `place`, with its length, never its value. Shared by every rule about a secret
/// written in the code.
pub fn literal_secrets(res: &Resource, attrs: &[&str], place: &str, json: bool) -> Verdict {
    let mut evidence = Vec::new();
    let mut parts = Vec::new();
    for attr in attrs {
        let written = match res.attr(attr) {
            Some(Value::String(s)) => Some(s.chars().count()),
            Some(v @ Value::Map(_)) if json && !v.contains_unknown() => {
                Some(v.to_json().to_string().len())
            }
            _ => None,
        };
        if let Some(n) = written {
            if n > 0 {
                evidence.push(ev(res, SettingPath::root().key(attr)));
                parts.push(format!(
                    "{attr} is written {place} (redacted, {n} characters)"
                ));
            }
        }
    }
    if evidence.is_empty() {
        return Verdict::Pass;
    }
    Verdict::Violation(Finding {
        evidence,
        summary: parts.join("; "),
        scope: Scope::default(),
    })
}
