//! Lambda: function URLs that anyone can call.

use crate::model::{Format, Resource};
use crate::rules::helpers::{attr_path, ev, read_str, show, verdict, Read, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `aws_lambda_function_url` with `authorization_type = "NONE"`.
///
/// ## Why is this bad?
/// The function is invoked by anyone on the internet who has the URL, with no AWS signature: the
/// function's own code is the only access control, and every call is billed to the account.
///
/// ## Example
/// ```hcl
/// resource "aws_lambda_function_url" "api" {
///   function_name      = aws_lambda_function.api.function_name
///   authorization_type = "NONE"
/// }
/// ```
/// Use instead: `authorization_type = "AWS_IAM"`, or put the function behind API Gateway with an
/// authorizer.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-14
/// - <https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html>
pub const URL_UNAUTHENTICATED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-lambda-url-unauthenticated",
        title: "Lambda function URL requires no authentication",
        severity: Severity::High,
        category: Category::Compute,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-14"],
        rationale: "With authorization_type NONE anyone with the URL invokes the function; its \
            own code is the only access control.",
        remediation: "Set authorization_type = \"AWS_IAM\", or front the function with API \
            Gateway and an authorizer.",
        evidence: "authorization_type",
        format: Format::Terraform,
        kinds: &["aws_lambda_function_url"],
    },
    check: url_unauthenticated,
    cases: &[
        Case {
            name: "no auth",
            address: "aws_lambda_function_url.api",
            expect: Expect::Violation,
            source: r#"
resource "aws_lambda_function_url" "api" {
  function_name      = "api"
  authorization_type = "NONE"
}
"#,
        },
        Case {
            name: "iam auth",
            address: "aws_lambda_function_url.api",
            expect: Expect::Pass,
            source: r#"
resource "aws_lambda_function_url" "api" {
  function_name      = "api"
  authorization_type = "AWS_IAM"
}
"#,
        },
        Case {
            name: "from a variable without default",
            address: "aws_lambda_function_url.api",
            expect: Expect::Undecided,
            source: r#"
variable "auth" {}

resource "aws_lambda_function_url" "api" {
  function_name      = "api"
  authorization_type = var.auth
}
"#,
        },
    ],
};

fn url_unauthenticated(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let v = res.attr("authorization_type");
    let t = match read_str(v) {
        Read::Known(a) => Tri::from_bool(a.trim().eq_ignore_ascii_case("NONE")),
        Read::Unknown => Tri::Maybe,
        // Required: a function URL without it does not apply.
        Read::Absent => Tri::No,
    };
    verdict(
        t,
        vec![ev(res, attr_path("authorization_type"))],
        || "function URL with authorization_type = \"NONE\"".to_string(),
        Scope {
            principals: vec!["*".to_string()],
            actions: vec!["lambda:invokefunctionurl".to_string()],
            ..Scope::default()
        },
        || format!("authorization_type is not known statically: {}", show(v)),
    )
}
