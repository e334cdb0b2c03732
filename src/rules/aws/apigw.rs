//! API Gateway: methods that anyone can call.

use crate::model::{Format, Resource};
use crate::rules::helpers::{attr_path, bool_is, ev, read_str, Read, Tri};
use crate::rules::{
    Case, Category, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// ## What it does
/// Flags an `aws_api_gateway_method` with `authorization = "NONE"` and `api_key_required` not
/// true, except `http_method = "OPTIONS"` (CORS preflight, which browsers send without
/// credentials).
///
/// ## Why is this bad?
/// The method is callable by anyone on the internet with no identity and no key: the backend's
/// own code is the only access control, and there is nothing to throttle or revoke per caller.
///
/// ## Example
/// ```hcl
/// resource "aws_api_gateway_method" "get" {
///   http_method   = "GET"
///   authorization = "NONE"
/// }
/// ```
/// Use instead: `AWS_IAM`, `COGNITO_USER_POOLS` or `CUSTOM` authorization, or at least
/// `api_key_required = true`.
///
/// ## References
/// - NIST SP 800-53 rev5 AC-3, AC-14
/// - <https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html>
pub const METHOD_UNAUTHENTICATED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-apigw-method-unauthenticated",
        title: "API Gateway method requires no authentication",
        severity: Severity::Medium,
        category: Category::Identity,
        standards: &["NIST 800-53 AC-3", "NIST 800-53 AC-14"],
        rationale: "A method with authorization NONE and no API key is callable by anyone; the \
            backend's code is the only access control and no caller can be throttled or revoked.",
        remediation: "Use AWS_IAM, COGNITO_USER_POOLS or CUSTOM authorization, or at least \
            require an API key.",
        evidence: "authorization, api_key_required (absent means false) and http_method",
        format: Format::Terraform,
        kinds: &["aws_api_gateway_method"],
    },
    check: method_unauthenticated,
    cases: &[
        Case {
            name: "open GET",
            address: "aws_api_gateway_method.get",
            expect: Expect::Violation,
            source: r#"
resource "aws_api_gateway_method" "get" {
  rest_api_id   = "abc123"
  resource_id   = "def456"
  http_method   = "GET"
  authorization = "NONE"
}
"#,
        },
        Case {
            name: "cors preflight",
            address: "aws_api_gateway_method.options",
            expect: Expect::Pass,
            source: r#"
resource "aws_api_gateway_method" "options" {
  rest_api_id   = "abc123"
  resource_id   = "def456"
  http_method   = "OPTIONS"
  authorization = "NONE"
}
"#,
        },
        Case {
            name: "api key required",
            address: "aws_api_gateway_method.get",
            expect: Expect::Pass,
            source: r#"
resource "aws_api_gateway_method" "get" {
  rest_api_id      = "abc123"
  resource_id      = "def456"
  http_method      = "GET"
  authorization    = "NONE"
  api_key_required = true
}
"#,
        },
        Case {
            name: "iam authorization",
            address: "aws_api_gateway_method.get",
            expect: Expect::Pass,
            source: r#"
resource "aws_api_gateway_method" "get" {
  rest_api_id   = "abc123"
  resource_id   = "def456"
  http_method   = "GET"
  authorization = "AWS_IAM"
}
"#,
        },
        Case {
            name: "authorization from a variable without default",
            address: "aws_api_gateway_method.get",
            expect: Expect::Undecided,
            source: r#"
variable "auth" {}

resource "aws_api_gateway_method" "get" {
  rest_api_id   = "abc123"
  resource_id   = "def456"
  http_method   = "GET"
  authorization = var.auth
}
"#,
        },
    ],
};

fn method_unauthenticated(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let none = match read_str(res.attr("authorization")) {
        Read::Known(a) => Tri::from_bool(a.trim().eq_ignore_ascii_case("NONE")),
        Read::Unknown => Tri::Maybe,
        Read::Absent => Tri::No,
    };
    let no_key = bool_is(res.attr("api_key_required"), false, false);
    let (not_preflight, method) = match read_str(res.attr("http_method")) {
        Read::Known(m) => (
            Tri::from_bool(!m.trim().eq_ignore_ascii_case("OPTIONS")),
            m.trim().to_ascii_uppercase(),
        ),
        Read::Unknown => (Tri::Maybe, "(unknown method)".to_string()),
        Read::Absent => (Tri::Yes, "(no method)".to_string()),
    };
    let evidence = vec![
        ev(res, attr_path("authorization")),
        ev(res, attr_path("api_key_required")),
        ev(res, attr_path("http_method")),
    ];
    match none.and(no_key).and(not_preflight) {
        Tri::Yes => Verdict::Violation(Finding {
            evidence,
            summary: format!("{method} with authorization = \"NONE\" and no API key"),
            scope: Scope {
                principals: vec!["*".to_string()],
                actions: vec![format!(
                    "execute-api:invoke:{}",
                    method.to_ascii_lowercase()
                )],
                ..Scope::default()
            },
        }),
        Tri::Maybe => Verdict::Undecided {
            evidence,
            reason: "authorization, api_key_required or http_method is not known statically"
                .to_string(),
        },
        Tri::No => Verdict::Pass,
    }
}
