//! AWS access keys written into the code: a key id (`AKIA…`, `ASIA…`) anywhere in the settings of
//! the resources that carry configuration to running code (Lambda environments, instance and
//! launch template user data, ECS and Batch container definitions, CodeBuild variables), or a
//! literal value for a variable named like the secret key.
//!
//! The rule reads literals only. A value from a variable without a default is not written in
//! the code, which is certain, so it passes rather than being undecided; a variable's default or
//! a tfvars value is a literal and is read. Terraform `provider "aws"` blocks are not resources in
//! the model, so keys in a provider block are not seen: that is the reader's gap, stated here so
//! nobody takes silence for a pass.

use crate::model::{Format, Resource, Value};
use crate::rules::helpers::ev;
use crate::rules::{
    Case, Category, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// AWS's documented example key id: not a credential.
const EXAMPLE_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";

/// The access key ids in `s`: `AKIA` (long-term) or `ASIA` (temporary) and 16 upper-case letters
/// or digits, not inside a longer token.
pub fn access_key_ids(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let token = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    let mut i = 0;
    while i + 20 <= b.len() {
        let start_ok = i == 0 || !token(b[i - 1]);
        let prefix = &b[i..i + 4];
        if start_ok
            && (prefix == b"AKIA" || prefix == b"ASIA")
            && b[i + 4..i + 20].iter().all(|&c| token(c))
            && (i + 20 == b.len() || !token(b[i + 20]))
        {
            let id = &s[i..i + 20];
            if id != EXAMPLE_KEY_ID {
                out.push(id.to_string());
            }
            i += 20;
        } else {
            i += 1;
        }
    }
    out
}

/// Names under which the secret half of a key is passed to code.
fn names_secret_key(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "aws_secret_access_key" || n == "secret_access_key" || n == "aws_secret_key"
}

/// The literal strings in a value (descending lists and maps).
fn strings_in(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::List(l) => l.iter().flat_map(strings_in).collect(),
        Value::Map(m) => m.values().flat_map(strings_in).collect(),
        _ => Vec::new(),
    }
}

/// A key id with all but its last four characters masked, for summaries.
fn masked(id: &str) -> String {
    format!("{}…{}", &id[..4], &id[id.len().saturating_sub(4)..])
}

/// ## What it does
/// Flags an AWS access key id, or a literal secret access key variable, in the settings of a
/// resource that hands configuration to running code.
///
/// ## References
/// - NIST SP 800-53 rev5 IA-5(7) (no embedded unencrypted static authenticators), SC-28
pub const KEY_LITERAL: Rule = Rule {
    meta: RuleMeta {
        id: "aws-access-key-literal",
        title: "AWS access key written in the code",
        severity: Severity::High,
        category: Category::Secrets,
        standards: &["NIST 800-53 IA-5(7)", "NIST 800-53 SC-28"],
        rationale: "A key in the repository is readable by everyone who can read the repository \
            or any of its clones and forks, for as long as the history exists; it stays valid \
            until someone rotates it.",
        remediation: "Rotate the key now; give the code an IAM role (Lambda execution role, \
            instance profile, task role) and keep any remaining secret in Secrets Manager or SSM \
            SecureString.",
        evidence: "each setting whose literal value holds an access key id, or that sets a \
            variable named AWS_SECRET_ACCESS_KEY",
        format: Format::Terraform,
        kinds: &[
            "aws_batch_job_definition",
            "aws_codebuild_project",
            "aws_ecs_task_definition",
            "aws_instance",
            "aws_lambda_function",
            "aws_launch_configuration",
            "aws_launch_template",
        ],
    },
    check: key_literal,
    cases: &[
        Case {
            name: "lambda environment with a key pair",
            address: "aws_lambda_function.sync",
            expect: Expect::Violation,
            source: r#"
resource "aws_lambda_function" "sync" {
  function_name = "sync"
  role          = "arn:aws:iam::123456789012:role/sync"
  environment {
    variables = {
      AWS_ACCESS_KEY_ID     = "AKIA2E0A8F3B244C9986"
      AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY0000000000"
    }
  }
}
"#,
        },
        Case {
            name: "key id in user data",
            address: "aws_instance.batch",
            expect: Expect::Violation,
            source: r#"
resource "aws_instance" "batch" {
  ami           = "ami-123"
  instance_type = "t3.small"
  user_data     = <<EOT
#!/bin/sh
aws configure set aws_access_key_id ASIAY34FZKBOKMUTVV7A
EOT
}
"#,
        },
        Case {
            name: "documented example key and a role",
            address: "aws_lambda_function.sync",
            expect: Expect::Pass,
            source: r#"
resource "aws_lambda_function" "sync" {
  function_name = "sync"
  role          = "arn:aws:iam::123456789012:role/sync"
  environment {
    variables = {
      EXAMPLE = "AKIAIOSFODNN7EXAMPLE"
      BUCKET  = "exports"
    }
  }
}
"#,
        },
        Case {
            name: "secret from a variable without default is not in the code",
            address: "aws_lambda_function.sync",
            expect: Expect::Pass,
            source: r#"
variable "secret" {}

resource "aws_lambda_function" "sync" {
  function_name = "sync"
  role          = "arn:aws:iam::123456789012:role/sync"
  environment {
    variables = {
      AWS_SECRET_ACCESS_KEY = var.secret
    }
  }
}
"#,
        },
    ],
};

fn key_literal(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let mut evidence = Vec::new();
    let mut found = Vec::new();
    for (path, v) in res.body.leaves() {
        let ids: Vec<String> = strings_in(v).into_iter().flat_map(access_key_ids).collect();
        let last = path.0.last().map(|s| match s {
            crate::model::Segment::Key(k) => k.as_str(),
            crate::model::Segment::Index(_) => "",
        });
        let secret = last.is_some_and(names_secret_key)
            && matches!(v, Value::String(s) if !s.trim().is_empty());
        if ids.is_empty() && !secret {
            continue;
        }
        found.extend(
            ids.iter()
                .map(|id| format!("key id {} at {path}", masked(id))),
        );
        if secret {
            found.push(format!("secret access key at {path}"));
        }
        evidence.push(ev(res, path));
    }
    if evidence.is_empty() {
        return Verdict::Pass;
    }
    Verdict::Violation(Finding {
        evidence,
        summary: found.join("; "),
        scope: Scope::default(),
    })
}

/// ## What it does
/// Flags credentials written as literals in a `provider "aws"` block.
///
/// ## References
/// - NIST SP 800-53 rev5 IA-5(7) (no embedded unencrypted static authenticators)
pub const PROVIDER_LITERAL: Rule = Rule {
    meta: RuleMeta {
        id: "aws-provider-credentials-literal",
        title: "AWS provider credentials written in the code",
        severity: Severity::High,
        category: Category::Secrets,
        standards: &["NIST 800-53 IA-5(7)", "CIS AWS 1.4"],
        rationale: crate::rules::provider_credentials::RATIONALE,
        remediation: "Rotate the keys now; let the provider take credentials from the environment, a shared credentials file or an assumed role (assume_role), never from the code.",
        evidence: "access_key, secret_key, token given as a literal string",
        format: Format::Terraform,
        kinds: &["provider.aws"],
    },
    check: |res, _| crate::rules::provider_credentials::literal_credentials(res, &["access_key", "secret_key", "token"]),
    cases: &[
        Case {
            name: "literal credentials",
            address: "provider.aws",
            expect: Expect::Violation,
            source: r#"
provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIA2E0A8F3B244C9986"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY0000000000"
}
"#,
        },
        Case {
            name: "credentials from a variable without default",
            address: "provider.aws",
            expect: Expect::Pass,
            source: r#"
variable "secret_key" {}

provider "aws" {
  region     = "eu-west-1"
  secret_key = var.secret_key
}
"#,
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::access_key_ids;

    #[test]
    fn key_ids_are_whole_tokens() {
        assert_eq!(
            access_key_ids("id=AKIA2E0A8F3B244C9986;"),
            vec!["AKIA2E0A8F3B244C9986"]
        );
        assert!(access_key_ids("XAKIA2E0A8F3B244C9986").is_empty());
        assert!(access_key_ids("AKIA2E0A8F3B244C99867").is_empty());
        assert!(access_key_ids("AKIAIOSFODNN7EXAMPLE").is_empty());
        assert!(access_key_ids("akia2e0a8f3b244c9986").is_empty());
        assert!(access_key_ids("AKIA").is_empty());
    }
}
