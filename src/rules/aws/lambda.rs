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

/// ## What it does
/// Flags an `aws_lambda_permission` whose `principal` is `*` with neither `source_arn` nor
/// `source_account` to narrow it (nor a `function_url_auth_type` of `AWS_IAM`).
///
/// ## Why is this bad?
/// The resource policy statement it writes lets any AWS account (and, for function URLs with
/// `NONE`, anyone) invoke the function.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-6
pub const PERMISSION_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-lambda-permission-public",
        title: "Lambda resource policy lets anyone invoke the function",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-6"],
        rationale: "A permission for principal * without source_arn or source_account adds a \
            statement to the function's resource policy that every AWS account satisfies.",
        remediation: "Name the service or account as principal and set source_arn (the bucket, \
            topic or API that calls it) or source_account.",
        evidence: "principal, and source_arn and source_account (absent)",
        format: Format::Terraform,
        kinds: &["aws_lambda_permission"],
    },
    check: permission_public,
    cases: &[
        Case {
            name: "anyone may invoke",
            address: "aws_lambda_permission.all",
            expect: Expect::Violation,
            source: r#"
resource "aws_lambda_permission" "all" {
  statement_id  = "all"
  action        = "lambda:InvokeFunction"
  function_name = "api"
  principal     = "*"
}
"#,
        },
        Case {
            name: "s3 with source arn",
            address: "aws_lambda_permission.s3",
            expect: Expect::Pass,
            source: r#"
resource "aws_lambda_permission" "s3" {
  statement_id  = "s3"
  action        = "lambda:InvokeFunction"
  function_name = "api"
  principal     = "s3.amazonaws.com"
  source_arn    = "arn:aws:s3:::uploads"
}
"#,
        },
        Case {
            name: "star narrowed to an account",
            address: "aws_lambda_permission.acct",
            expect: Expect::Pass,
            source: r#"
resource "aws_lambda_permission" "acct" {
  action         = "lambda:InvokeFunction"
  function_name  = "api"
  principal      = "*"
  source_account = "123456789012"
}
"#,
        },
        Case {
            name: "principal from a variable without default",
            address: "aws_lambda_permission.v",
            expect: Expect::Undecided,
            source: r#"
variable "who" {}

resource "aws_lambda_permission" "v" {
  action        = "lambda:InvokeFunction"
  function_name = "api"
  principal     = var.who
}
"#,
        },
    ],
};

fn permission_public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let principal = match read_str(res.attr("principal")) {
        Read::Known(p) => Tri::from_bool(p.trim() == "*"),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    // A narrowing setting that is written (even as an unknown) narrows: any value it can take is
    // one source, not everyone.
    let narrowed = ["source_arn", "source_account", "principal_org_id"]
        .iter()
        .any(|k| !matches!(res.attr(k), None | Some(crate::model::Value::Null)));
    let iam_url =
        matches!(read_str(res.attr("function_url_auth_type")), Read::Known(t) if t == "AWS_IAM");
    let t = principal.and(Tri::from_bool(!narrowed && !iam_url));
    verdict(
        t,
        vec![ev(res, attr_path("principal"))],
        || "principal = \"*\" without source_arn or source_account".to_string(),
        Scope {
            principals: vec!["*".into()],
            ..Scope::default()
        },
        || {
            format!(
                "principal is not known statically: {}",
                show(res.attr("principal"))
            )
        },
    )
}
