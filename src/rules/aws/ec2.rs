//! EC2: instances and launch templates whose metadata service still answers IMDSv1.

use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::helpers::{attr_path, ev, read_str, unknown_blocks_of, Read, Tri};
use crate::rules::{
    Case, Category, Evidence, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// ## What it does
/// Flags an `aws_instance` or `aws_launch_template` whose `metadata_options[0].http_tokens` is not
/// `"required"` (the block or the attribute absent means `"optional"`, IMDSv1 allowed), unless
/// `http_endpoint = "disabled"`. An instance without `metadata_options` launched from a launch
/// template of the same unit is judged by the template's settings.
///
/// ## Why is this bad?
/// IMDSv1 answers any plain GET from the instance, so a server-side request forgery in any
/// application on it hands out the instance role's credentials (the 2019 Capital One breach).
///
/// ## Example
/// ```hcl
/// resource "aws_instance" "web" {
///   metadata_options {
///     http_tokens = "optional"
///   }
/// }
/// ```
/// Use instead: `http_tokens = "required"`.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 5.6
/// - NIST SP 800-53 rev5 AC-3, AC-6
/// - <https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html>
pub const IMDSV1_ALLOWED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-ec2-imdsv1-allowed",
        title: "EC2 instance metadata service allows IMDSv1",
        severity: Severity::Medium,
        category: Category::Compute,
        standards: &["CIS AWS 5.6", "NIST 800-53 AC-3", "NIST 800-53 AC-6"],
        rationale: "IMDSv1 answers any GET from the instance, so a server-side request forgery \
            in any application on it leaks the instance role's credentials.",
        remediation: "Set metadata_options { http_tokens = \"required\" } (or disable the \
            endpoint when the instance needs no metadata).",
        evidence: "metadata_options[0].http_tokens, or metadata_options when the block is absent; \
            metadata_options[0].http_endpoint when written",
        format: Format::Terraform,
        kinds: &["aws_instance", "aws_launch_template"],
    },
    check: imdsv1_allowed,
    cases: &[
        Case {
            name: "no metadata options",
            address: "aws_instance.web",
            expect: Expect::Violation,
            source: r#"
resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
}
"#,
        },
        Case {
            name: "launch template with optional tokens",
            address: "aws_launch_template.web",
            expect: Expect::Violation,
            source: r#"
resource "aws_launch_template" "web" {
  image_id = "ami-123"
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }
}
"#,
        },
        Case {
            name: "tokens required",
            address: "aws_instance.web",
            expect: Expect::Pass,
            source: r#"
resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "required"
  }
}
"#,
        },
        Case {
            name: "endpoint disabled",
            address: "aws_instance.web",
            expect: Expect::Pass,
            source: r#"
resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  metadata_options {
    http_endpoint = "disabled"
  }
}
"#,
        },
        Case {
            name: "instance from a template that requires tokens",
            address: "aws_instance.web",
            expect: Expect::Pass,
            source: r#"
resource "aws_launch_template" "web" {
  image_id = "ami-123"
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_instance" "web" {
  launch_template {
    id = aws_launch_template.web.id
  }
}
"#,
        },
        Case {
            name: "tokens from a variable without default",
            address: "aws_instance.web",
            expect: Expect::Undecided,
            source: r#"
variable "tokens" {}

resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = var.tokens
  }
}
"#,
        },
    ],
};

/// IMDSv1 on one resource's own `metadata_options`: the verdict's truth and evidence.
fn own_metadata(res: &Resource) -> (Tri, Vec<Evidence>, String) {
    let blocks = res.blocks("metadata_options");
    let unknown = unknown_blocks_of(res, "metadata_options");
    metadata_judgement(
        res,
        blocks.first().map(|(p, b)| (p.clone(), *b)),
        unknown,
        attr_path("metadata_options"),
        &TF_METADATA,
    )
}

/// The names a format gives the metadata options; [`metadata_judgement`] judges the concept once
/// for every format.
pub(crate) struct MetadataFields {
    pub block: &'static str,
    pub tokens: &'static str,
    pub endpoint: &'static str,
}

const TF_METADATA: MetadataFields = MetadataFields {
    block: "metadata_options",
    tokens: "http_tokens",
    endpoint: "http_endpoint",
};

/// IMDSv1 allowed by a metadata options block (at its path), none (`absent_path` is where it
/// would be written), or blocks that are not known (`unknown`).
pub(crate) fn metadata_judgement(
    res: &Resource,
    block: Option<(SettingPath, &Value)>,
    unknown: Vec<SettingPath>,
    absent_path: SettingPath,
    f: &MetadataFields,
) -> (Tri, Vec<Evidence>, String) {
    let Some((path, block)) = block else {
        if !unknown.is_empty() {
            return (
                Tri::Maybe,
                unknown.into_iter().map(|p| ev(res, p)).collect(),
                format!("{} of {} is not known statically", f.block, res.address),
            );
        }
        return (
            Tri::Yes,
            vec![ev(res, absent_path)],
            format!(
                "no {} on {}: {} defaults to optional",
                f.block, res.address, f.tokens
            ),
        );
    };
    let get = |k: &str| block.get_path(&SettingPath::root().key(k));
    let tokens_path = path.key(f.tokens);
    let endpoint_path = path.key(f.endpoint);
    let endpoint = match read_str(get(f.endpoint)) {
        Read::Absent => Tri::Yes,
        Read::Known(e) => Tri::from_bool(!e.trim().eq_ignore_ascii_case("disabled")),
        Read::Unknown => Tri::Maybe,
    };
    let (optional, shown) = match read_str(get(f.tokens)) {
        Read::Absent => (Tri::Yes, "absent (defaults to optional)".to_string()),
        Read::Known(t) => (
            Tri::from_bool(!t.trim().eq_ignore_ascii_case("required")),
            format!("{t:?}"),
        ),
        Read::Unknown => (Tri::Maybe, "not known statically".to_string()),
    };
    let t = endpoint.and(optional);
    let mut evidence = vec![ev(res, tokens_path.clone())];
    if get(f.endpoint).is_some() {
        evidence.push(ev(res, endpoint_path));
    }
    (
        t,
        evidence,
        format!("{} on {}: {shown}", tokens_path, res.address),
    )
}

fn imdsv1_allowed(res: &Resource, view: &UnitView<'_>) -> Verdict {
    // An instance without its own metadata options takes its launch template's.
    let (t, evidence, label) = if res.kind == "aws_instance"
        && res.attr("metadata_options").is_none()
        && !(res.blocks("launch_template").is_empty()
            && unknown_blocks_of(res, "launch_template").is_empty())
    {
        let template = res
            .blocks("launch_template")
            .into_iter()
            .find_map(|(_, lt)| {
                let m = lt.as_map()?;
                let r = m.get("id").or_else(|| m.get("name"))?;
                view.follow(r).map(|(t, _)| t)
            });
        match template {
            Some(t) if t.kind == "aws_launch_template" => own_metadata(t),
            _ => (
                Tri::Maybe,
                vec![ev(res, attr_path("launch_template"))],
                format!(
                    "{} takes its metadata options from a launch template outside this unit",
                    res.address
                ),
            ),
        }
    } else {
        own_metadata(res)
    };
    imds_verdict(t, evidence, label)
}

/// The verdict of an IMDS judgement.
pub(crate) fn imds_verdict(t: Tri, evidence: Vec<Evidence>, label: String) -> Verdict {
    match t {
        Tri::Yes => Verdict::Violation(Finding {
            evidence,
            summary: format!("IMDSv1 allowed: {label}"),
            scope: Scope::default(),
        }),
        Tri::Maybe => Verdict::Undecided {
            evidence,
            reason: label,
        },
        Tri::No => Verdict::Pass,
    }
}

/// Words that, as a whole token of a `Name`, `Tier` or `Role` tag, say an instance belongs to a
/// tier that should never face the internet: data stores, back ends, internal services.
const SENSITIVE_TIER_WORDS: &[&str] = &[
    "backend",
    "cache",
    "data",
    "database",
    "db",
    "internal",
    "mongo",
    "mongodb",
    "mysql",
    "postgres",
    "postgresql",
    "private",
    "redis",
];

/// The tags that name a tier, in the order they are consulted.
const TIER_TAGS: &[&str] = &["Tier", "tier", "Role", "role", "Name"];

/// Does a tag value name a sensitive tier? Whole tokens only (split on anything not alphanumeric),
/// so `orders-db-1` is a database and `dbadmin-portal` or `metadata` are not.
pub fn names_sensitive_tier(value: &str) -> bool {
    value
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| SENSITIVE_TIER_WORDS.contains(&t))
}

/// ## What it does
/// Flags an `aws_instance` with `associate_public_ip_address = true` whose `Tier`, `Role` or
/// `Name` tag names a tier that should not face the internet (database, cache, back end,
/// internal, private). Web and bastion tiers are not judged: a public address is their purpose.
/// An absent setting is not judged either: the subnet's `map_public_ip_on_launch` decides it.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7, AC-4
pub const PUBLIC_IP_SENSITIVE_TIER: Rule = Rule {
    meta: RuleMeta {
        id: "aws-ec2-public-ip-sensitive-tier",
        title: "Instance of a private tier has a public IP address",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7", "NIST 800-53 AC-4"],
        rationale: "A database, cache or back-end instance with a public address is one security \
            group rule away from the internet, and bypasses the load balancers and NAT that the \
            architecture relies on. Judged only where the tags name such a tier, to stay quiet \
            on web and bastion hosts.",
        remediation: "Set associate_public_ip_address = false and place the instance in a private \
            subnet; reach it through a load balancer, NAT or Session Manager.",
        evidence: "associate_public_ip_address, and the tag that names the tier",
        format: Format::Terraform,
        kinds: &["aws_instance"],
    },
    check: public_ip_sensitive_tier,
    cases: &[
        Case {
            name: "database with a public ip",
            address: "aws_instance.db",
            expect: Expect::Violation,
            source: r#"
resource "aws_instance" "db" {
  ami                         = "ami-123"
  instance_type               = "r6g.large"
  associate_public_ip_address = true
  tags = {
    Name = "orders-db-1"
  }
}
"#,
        },
        Case {
            name: "web server with a public ip",
            address: "aws_instance.web",
            expect: Expect::Pass,
            source: r#"
resource "aws_instance" "web" {
  ami                         = "ami-123"
  instance_type               = "t3.small"
  associate_public_ip_address = true
  tags = {
    Name = "web-1"
    Tier = "frontend"
  }
}
"#,
        },
        Case {
            name: "database without a public ip",
            address: "aws_instance.db",
            expect: Expect::Pass,
            source: r#"
resource "aws_instance" "db" {
  ami                         = "ami-123"
  instance_type               = "r6g.large"
  associate_public_ip_address = false
  tags = {
    Tier = "database"
  }
}
"#,
        },
        Case {
            name: "public ip from a variable without default",
            address: "aws_instance.db",
            expect: Expect::Undecided,
            source: r#"
variable "public" {}

resource "aws_instance" "db" {
  ami                         = "ami-123"
  instance_type               = "r6g.large"
  associate_public_ip_address = var.public
  tags = {
    Tier = "backend"
  }
}
"#,
        },
    ],
};

fn public_ip_sensitive_tier(res: &Resource, _: &UnitView<'_>) -> Verdict {
    use crate::rules::helpers::{bool_is, show, verdict};
    let public_path = attr_path("associate_public_ip_address");
    let public = bool_is(res.attr("associate_public_ip_address"), false, true);
    let tags = res.attr("tags");
    let mut tier = Tri::No;
    let mut tier_path = attr_path("tags");
    let mut tier_label = String::new();
    match tags {
        Some(Value::Map(m)) => {
            for key in TIER_TAGS {
                match m.get(*key) {
                    Some(Value::String(v)) if names_sensitive_tier(v) => {
                        tier = Tri::Yes;
                        tier_path = attr_path("tags").key(key);
                        tier_label = format!("{key} = {v}");
                        break;
                    }
                    Some(Value::Unknown(_) | Value::Ref(_)) => tier = tier.or(Tri::Maybe),
                    _ => {}
                }
            }
        }
        Some(Value::Unknown(_) | Value::Ref(_)) => tier = Tri::Maybe,
        _ => {}
    }
    verdict(
        public.and(tier),
        vec![ev(res, public_path), ev(res, tier_path)],
        || format!("associate_public_ip_address = true on a private tier ({tier_label})"),
        Scope::default(),
        || {
            format!(
                "associate_public_ip_address or the tier tags are not known statically: {}",
                show(res.attr("associate_public_ip_address"))
            )
        },
    )
}
