//! The edge: CloudFront distributions that serve viewers over plain HTTP, and load balancer
//! listeners whose TLS policy still accepts TLS 1.0 or 1.1. (Plain-HTTP listeners are
//! `aws-lb-listener-plain-http` in `lb.rs`.)

use crate::model::{Format, Resource};
use crate::rules::helpers::{
    attr_path, dedup, ev, read_str, show, unknown_blocks_of, verdict, Read, Tri,
};
use crate::rules::{
    Case, Category, Evidence, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// ## What it does
/// Flags an `aws_cloudfront_distribution` whose default or an ordered cache behaviour has
/// `viewer_protocol_policy = "allow-all"`.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-8
pub const CLOUDFRONT_HTTP_ALLOWED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-cloudfront-http-allowed",
        title: "CloudFront serves viewers over plain HTTP",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["NIST 800-53 SC-8"],
        rationale: "With allow-all, viewers may fetch the site, its cookies and tokens included, \
            over HTTP, where they can be read and altered on the way.",
        remediation: "Set viewer_protocol_policy = \"redirect-to-https\" or \"https-only\" on \
            every cache behaviour.",
        evidence: "viewer_protocol_policy of each cache behaviour that allows HTTP",
        format: Format::Terraform,
        kinds: &["aws_cloudfront_distribution"],
    },
    check: cloudfront_http_allowed,
    cases: &[
        Case {
            name: "default behaviour allows http",
            address: "aws_cloudfront_distribution.site",
            expect: Expect::Violation,
            source: r#"
resource "aws_cloudfront_distribution" "site" {
  enabled = true
  default_cache_behavior {
    target_origin_id       = "s3"
    viewer_protocol_policy = "allow-all"
  }
}
"#,
        },
        Case {
            name: "ordered behaviour allows http",
            address: "aws_cloudfront_distribution.site",
            expect: Expect::Violation,
            source: r#"
resource "aws_cloudfront_distribution" "site" {
  enabled = true
  default_cache_behavior {
    target_origin_id       = "s3"
    viewer_protocol_policy = "redirect-to-https"
  }
  ordered_cache_behavior {
    path_pattern           = "/api/*"
    target_origin_id       = "api"
    viewer_protocol_policy = "allow-all"
  }
}
"#,
        },
        Case {
            name: "redirect everywhere",
            address: "aws_cloudfront_distribution.site",
            expect: Expect::Pass,
            source: r#"
resource "aws_cloudfront_distribution" "site" {
  enabled = true
  default_cache_behavior {
    target_origin_id       = "s3"
    viewer_protocol_policy = "redirect-to-https"
  }
}
"#,
        },
        Case {
            name: "policy from a variable without default",
            address: "aws_cloudfront_distribution.site",
            expect: Expect::Undecided,
            source: r#"
variable "vpp" {}

resource "aws_cloudfront_distribution" "site" {
  enabled = true
  default_cache_behavior {
    target_origin_id       = "s3"
    viewer_protocol_policy = var.vpp
  }
}
"#,
        },
    ],
};

fn cloudfront_http_allowed(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let mut hits: Vec<Evidence> = Vec::new();
    let mut maybe: Vec<Evidence> = Vec::new();
    for name in ["default_cache_behavior", "ordered_cache_behavior"] {
        for (path, block) in res.blocks(name) {
            let p = path.key("viewer_protocol_policy");
            let v = block.as_map().and_then(|m| m.get("viewer_protocol_policy"));
            match read_str(v) {
                Read::Known(s) if s.trim() == "allow-all" => hits.push(ev(res, p)),
                Read::Unknown => maybe.push(ev(res, p)),
                _ => {}
            }
        }
        maybe.extend(unknown_blocks_of(res, name).into_iter().map(|p| ev(res, p)));
    }
    if !hits.is_empty() {
        let summary = hits
            .iter()
            .map(|e| format!("{} = allow-all", e.path))
            .collect::<Vec<_>>()
            .join("; ");
        return Verdict::Violation(Finding {
            evidence: dedup(hits),
            summary,
            scope: Scope::default(),
        });
    }
    if !maybe.is_empty() {
        return Verdict::Undecided {
            evidence: dedup(maybe),
            reason: "a cache behaviour's viewer_protocol_policy is not known statically".into(),
        };
    }
    Verdict::Pass
}

/// Does an ELB security policy accept TLS older than 1.2? Judged by AWS's naming, which puts the
/// minimum version in the name of every current policy (`…-TLS-1-2-…`, `…-TLS13-1-3-…`,
/// `…-FS-1-2-…`); older policies (`ELBSecurityPolicy-2016-08`, `…-TLS-1-1-2017-01`,
/// `…-TLS13-1-0-2021-06`) accept TLS 1.0 or 1.1.
pub fn tls_policy_outdated(name: &str) -> bool {
    !(name.contains("-1-2-")
        || name.contains("-1-3-")
        || name.ends_with("-1-2")
        || name.ends_with("-1-3"))
}

/// The provider's default `ssl_policy` for an HTTPS or TLS listener (AWS provider 4.x and 5.x).
pub const LB_DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-2016-08";

/// ## What it does
/// Flags an `aws_lb_listener` or `aws_alb_listener` with `protocol` HTTPS or TLS whose
/// `ssl_policy` accepts TLS 1.0 or 1.1. An absent `ssl_policy` is the provider's default,
/// `ELBSecurityPolicy-2016-08` (AWS provider 4.x and 5.x), which accepts TLS 1.0: a violation.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-8, SC-13
pub const LB_TLS_POLICY_OUTDATED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-lb-tls-policy-outdated",
        title: "Load balancer listener accepts TLS 1.0 or 1.1",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["NIST 800-53 SC-8", "NIST 800-53 SC-13"],
        rationale: "TLS 1.0 and 1.1 are deprecated (RFC 8996) and allow downgrade to weak \
            ciphers. An absent ssl_policy is ELBSecurityPolicy-2016-08 (provider 4.x/5.x \
            default), which accepts TLS 1.0.",
        remediation: "Set ssl_policy = \"ELBSecurityPolicy-TLS13-1-2-2021-06\" (or another \
            policy whose minimum is TLS 1.2).",
        evidence: "ssl_policy (absent or outdated), protocol",
        format: Format::Terraform,
        kinds: &["aws_alb_listener", "aws_lb_listener"],
    },
    check: lb_tls_policy_outdated,
    cases: &[
        Case {
            name: "https with the default policy",
            address: "aws_lb_listener.web",
            expect: Expect::Violation,
            source: "resource \"aws_lb_listener\" \"web\" {\n  load_balancer_arn = \"arn:lb\"\n  port              = 443\n  protocol          = \"HTTPS\"\n  certificate_arn   = \"arn:cert\"\n}\n",
        },
        Case {
            name: "tls 1.1 policy",
            address: "aws_lb_listener.web",
            expect: Expect::Violation,
            source: "resource \"aws_lb_listener\" \"web\" {\n  load_balancer_arn = \"arn:lb\"\n  port              = 443\n  protocol          = \"HTTPS\"\n  ssl_policy        = \"ELBSecurityPolicy-TLS-1-1-2017-01\"\n}\n",
        },
        Case {
            name: "tls 1.3 policy",
            address: "aws_lb_listener.web",
            expect: Expect::Pass,
            source: "resource \"aws_lb_listener\" \"web\" {\n  load_balancer_arn = \"arn:lb\"\n  port              = 443\n  protocol          = \"HTTPS\"\n  ssl_policy        = \"ELBSecurityPolicy-TLS13-1-2-2021-06\"\n}\n",
        },
        Case {
            name: "plain http listener has no tls policy",
            address: "aws_lb_listener.web",
            expect: Expect::Pass,
            source: "resource \"aws_lb_listener\" \"web\" {\n  load_balancer_arn = \"arn:lb\"\n  port              = 80\n  protocol          = \"HTTP\"\n}\n",
        },
        Case {
            name: "policy from a variable without default",
            address: "aws_lb_listener.web",
            expect: Expect::Undecided,
            source: "variable \"p\" {}\nresource \"aws_lb_listener\" \"web\" {\n  load_balancer_arn = \"arn:lb\"\n  port              = 443\n  protocol          = \"TLS\"\n  ssl_policy        = var.p\n}\n",
        },
    ],
};

fn lb_tls_policy_outdated(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let tls = match read_str(res.attr("protocol")) {
        Read::Known(p) => Tri::from_bool(matches!(
            p.trim().to_ascii_uppercase().as_str(),
            "HTTPS" | "TLS"
        )),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    let policy = res.attr("ssl_policy");
    let (outdated, shown) = match read_str(policy) {
        Read::Absent => (
            Tri::Yes,
            format!("absent, provider default {LB_DEFAULT_SSL_POLICY}"),
        ),
        Read::Known(p) => (Tri::from_bool(tls_policy_outdated(p.trim())), p),
        Read::Unknown => (Tri::Maybe, show(policy)),
    };
    verdict(
        tls.and(outdated),
        vec![
            ev(res, attr_path("ssl_policy")),
            ev(res, attr_path("protocol")),
        ],
        || format!("ssl_policy {shown} accepts TLS older than 1.2"),
        Scope::default(),
        || "protocol or ssl_policy is not known statically".to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::tls_policy_outdated;

    #[test]
    fn policy_names_by_minimum_version() {
        for old in [
            "ELBSecurityPolicy-2016-08",
            "ELBSecurityPolicy-TLS-1-1-2017-01",
            "ELBSecurityPolicy-TLS13-1-0-2021-06",
            "ELBSecurityPolicy-FS-2018-06",
        ] {
            assert!(tls_policy_outdated(old), "{old}");
        }
        for new in [
            "ELBSecurityPolicy-TLS-1-2-2017-01",
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
            "ELBSecurityPolicy-FS-1-2-Res-2020-10",
            "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        ] {
            assert!(!tls_policy_outdated(new), "{new}");
        }
    }
}
