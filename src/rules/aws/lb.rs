//! Load balancers: listeners that serve plain HTTP instead of redirecting to HTTPS.

use crate::model::{blocks_of, Format, Resource, SettingPath};
use crate::rules::helpers::{
    attr_path, ev, read_i64, read_str, unknown_blocks, unknown_blocks_of, Read, Tri,
};
use crate::rules::{
    Case, Category, Evidence, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// ## What it does
/// Flags an `aws_lb_listener` or `aws_alb_listener` with `protocol = "HTTP"` whose
/// `default_action` is not a redirect to HTTPS. An absent `protocol` means HTTP on an
/// application load balancer; the listener's load balancer is followed to tell.
///
/// ## Why is this bad?
/// Requests and responses, session cookies and credentials included, cross the network in clear
/// and can be read or altered on the way.
///
/// ## Example
/// ```hcl
/// resource "aws_lb_listener" "web" {
///   port     = 80
///   protocol = "HTTP"
///   default_action {
///     type             = "forward"
///     target_group_arn = aws_lb_target_group.web.arn
///   }
/// }
/// ```
/// Use instead: an HTTPS listener, and on port 80 only a `redirect` with `protocol = "HTTPS"`.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-8
/// - <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html>
pub const LISTENER_PLAIN_HTTP: Rule = Rule {
    meta: RuleMeta {
        id: "aws-lb-listener-plain-http",
        title: "Load balancer listener serves plain HTTP",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["NIST 800-53 SC-8"],
        rationale: "Plain HTTP carries requests, responses, cookies and credentials in clear, \
            readable and alterable on the way.",
        remediation: "Serve HTTPS, and make the HTTP listener's default action a redirect with \
            protocol = \"HTTPS\".",
        evidence: "protocol, and the type (and redirect protocol) of each default_action",
        format: Format::Terraform,
        kinds: &["aws_alb_listener", "aws_lb_listener"],
    },
    check: listener_plain_http,
    cases: &[
        Case {
            name: "http forward",
            address: "aws_lb_listener.web",
            expect: Expect::Violation,
            source: r#"
resource "aws_lb_listener" "web" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1"
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1"
  }
}
"#,
        },
        Case {
            name: "protocol absent on an application load balancer",
            address: "aws_alb_listener.web",
            expect: Expect::Violation,
            source: r#"
resource "aws_lb" "web" {
  name = "web"
}

resource "aws_alb_listener" "web" {
  load_balancer_arn = aws_lb.web.arn
  port              = 8080
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "200"
    }
  }
}
"#,
        },
        Case {
            name: "http redirects to https",
            address: "aws_lb_listener.redirect",
            expect: Expect::Pass,
            source: r#"
resource "aws_lb_listener" "redirect" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1"
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
"#,
        },
        Case {
            name: "https",
            address: "aws_lb_listener.web",
            expect: Expect::Pass,
            source: r#"
resource "aws_lb_listener" "web" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1"
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/1"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1"
  }
}
"#,
        },
        Case {
            name: "protocol from a variable without default",
            address: "aws_lb_listener.web",
            expect: Expect::Undecided,
            source: r#"
variable "proto" {}

resource "aws_lb_listener" "web" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1"
  port              = 80
  protocol          = var.proto
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1"
  }
}
"#,
        },
    ],
};

/// Is the listener's protocol HTTP? Absent means HTTP on an application load balancer (the
/// provider's default) and is not valid on others.
fn is_http(res: &Resource, view: &UnitView<'_>) -> (Tri, Vec<Evidence>) {
    match read_str(res.attr("protocol")) {
        Read::Known(p) => (
            Tri::from_bool(p.trim().eq_ignore_ascii_case("HTTP")),
            vec![ev(res, attr_path("protocol"))],
        ),
        Read::Unknown => (Tri::Maybe, vec![ev(res, attr_path("protocol"))]),
        Read::Absent => {
            let lb = res.attr("load_balancer_arn").and_then(|v| view.follow(v));
            match lb {
                Some((lb, _)) if lb.kind == "aws_lb" || lb.kind == "aws_alb" => {
                    let t = match read_str(lb.attr("load_balancer_type")) {
                        Read::Absent => Tri::Yes,
                        Read::Known(k) => Tri::from_bool(k.trim() == "application"),
                        Read::Unknown => Tri::Maybe,
                    };
                    (
                        t,
                        vec![
                            ev(res, attr_path("protocol")),
                            ev(lb, attr_path("load_balancer_type")),
                        ],
                    )
                }
                _ => (
                    Tri::Maybe,
                    vec![
                        ev(res, attr_path("protocol")),
                        ev(res, attr_path("load_balancer_arn")),
                    ],
                ),
            }
        }
    }
}

/// Does some default action redirect to HTTPS? With its evidence.
fn redirects_to_https(res: &Resource) -> (Tri, Vec<Evidence>) {
    let mut t = Tri::No;
    let mut evidence = Vec::new();
    // An unknown action (a dynamic block over an unknown collection) may be the redirect.
    for path in unknown_blocks_of(res, "default_action") {
        t = Tri::Maybe;
        evidence.push(ev(res, path));
    }
    for (path, action) in res.blocks("default_action") {
        let get = |k: &str| action.get_path(&SettingPath::root().key(k));
        evidence.push(ev(res, path.key("type")));
        let redirect = match read_str(get("type")) {
            Read::Known(k) => Tri::from_bool(k.trim() == "redirect"),
            Read::Unknown => Tri::Maybe,
            Read::Absent => Tri::No,
        };
        if redirect == Tri::No {
            continue;
        }
        let mut https = Tri::No;
        for rp in unknown_blocks(action, &path, "redirect") {
            https = Tri::Maybe;
            evidence.push(ev(res, rp));
        }
        for (rp, r) in blocks_of(action, &path, "redirect") {
            evidence.push(ev(res, rp.key("protocol")));
            https = https.or(
                match read_str(r.get_path(&SettingPath::root().key("protocol"))) {
                    Read::Known(p) => Tri::from_bool(p.trim().eq_ignore_ascii_case("HTTPS")),
                    Read::Unknown => Tri::Maybe,
                    // `#{protocol}`: keeps the request's protocol, HTTP.
                    Read::Absent => Tri::No,
                },
            );
        }
        t = t.or(redirect.and(https));
    }
    (t, evidence)
}

fn listener_plain_http(res: &Resource, view: &UnitView<'_>) -> Verdict {
    let (http, mut evidence) = is_http(res, view);
    if http == Tri::No {
        return Verdict::Pass;
    }
    let (redirect, action_evidence) = redirects_to_https(res);
    evidence.extend(action_evidence);
    let port = match read_i64(res.attr("port")) {
        Read::Known(p) => u16::try_from(p).ok(),
        _ => None,
    };
    match http.and(!redirect) {
        Tri::Yes => Verdict::Violation(Finding {
            evidence,
            summary: format!(
                "plain HTTP listener{} without a redirect to HTTPS",
                port.map(|p| format!(" on port {p}")).unwrap_or_default()
            ),
            scope: Scope {
                ports: port.map(|p| vec![(p, p)]).unwrap_or_default(),
                ..Scope::default()
            },
        }),
        Tri::Maybe => Verdict::Undecided {
            evidence,
            reason: "the listener's protocol or default action is not known statically".to_string(),
        },
        Tri::No => Verdict::Pass,
    }
}
