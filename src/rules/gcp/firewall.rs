//! VPC firewall rules that admit the internet: to administration ports, to database ports, or to
//! every port. The AWS security group concept again: the checks of [`crate::rules::aws::sg`] over
//! the shared ingress reading, which
//! applies Google's defaults: `direction` absent is INGRESS, and an ingress rule with no
//! `source_ranges`, `source_tags` or `source_service_accounts` admits 0.0.0.0/0 (the Compute API's
//! behaviour, reported as hashicorp/terraform-provider-google#6789 and unchanged through provider
//! 6.x). An `allow` block without `ports` opens every port of its protocol. Rule priority and
//! `deny` rules are not weighed.
//!
//! And one rule about what a firewall rule leaves behind: an ingress allow rule without
//! `log_config` records nothing of the connections it admits (Firewall Rules Logging is off unless
//! the block is written).

use crate::model::{Format, Resource};
use crate::rules::aws::sg;
use crate::rules::helpers::{
    attr_path, ev, read_bool, read_str, unknown_blocks_of, verdict, Read, Tri,
};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

const KINDS: &[&str] = &["google_compute_firewall"];

const FW_EVIDENCE: &str = "source_ranges (absent means 0.0.0.0/0 when no source tags or \
    service accounts are given), the allow block's protocol and ports, and direction";

/// ## What it does
/// Flags a `google_compute_firewall` that admits 0.0.0.0/0 or ::/0 to SSH (22) or RDP (3389).
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 3.6 and 3.7
/// - NIST SP 800-53 rev5 SC-7, AC-3
pub const ADMIN_PORT_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-firewall-admin-port-public",
        title: "Firewall rule admits the internet to SSH or RDP",
        severity: Severity::High,
        category: Category::Network,
        standards: &[
            "CIS GCP 3.6",
            "CIS GCP 3.7",
            "NIST 800-53 SC-7",
            "NIST 800-53 AC-3",
        ],
        rationale: "SSH and RDP open to 0.0.0.0/0 are found by scanners within minutes. A \
            firewall rule without source ranges, tags or service accounts admits 0.0.0.0/0.",
        remediation: "Set source_ranges to known networks, or use IAP TCP forwarding \
            (35.235.240.0/20) and OS Login.",
        evidence: FW_EVIDENCE,
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: sg::admin_port_public,
    cases: &[
        Case {
            name: "ssh from everywhere",
            address: "google_compute_firewall.ssh",
            expect: Expect::Violation,
            source: r#"
resource "google_compute_firewall" "ssh" {
  name    = "ssh"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = ["0.0.0.0/0"]
}
"#,
        },
        Case {
            name: "no source at all defaults to everywhere",
            address: "google_compute_firewall.rdp",
            expect: Expect::Violation,
            source: r#"
resource "google_compute_firewall" "rdp" {
  name    = "rdp"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["3000-4000"]
  }
}
"#,
        },
        Case {
            name: "ssh from iap only",
            address: "google_compute_firewall.ssh",
            expect: Expect::Pass,
            source: r#"
resource "google_compute_firewall" "ssh" {
  name    = "ssh"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = ["35.235.240.0/20"]
}
"#,
        },
        Case {
            name: "ssh between tagged instances",
            address: "google_compute_firewall.ssh",
            expect: Expect::Pass,
            source: r#"
resource "google_compute_firewall" "ssh" {
  name    = "ssh"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_tags = ["bastion"]
}
"#,
        },
        Case {
            name: "egress rule",
            address: "google_compute_firewall.out",
            expect: Expect::Pass,
            source: r#"
resource "google_compute_firewall" "out" {
  name      = "out"
  network   = "default"
  direction = "EGRESS"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  destination_ranges = ["0.0.0.0/0"]
}
"#,
        },
        Case {
            name: "source from a variable without default",
            address: "google_compute_firewall.ssh",
            expect: Expect::Undecided,
            source: r#"
variable "admin_ranges" {}

resource "google_compute_firewall" "ssh" {
  name    = "ssh"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = var.admin_ranges
}
"#,
        },
    ],
};

/// ## What it does
/// Flags a `google_compute_firewall` that admits 0.0.0.0/0 or ::/0 to a database or cache port
/// (the list of `aws-sg-database-port-public`).
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7, AC-3
pub const DATABASE_PORT_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-firewall-database-port-public",
        title: "Firewall rule admits the internet to a database port",
        severity: Severity::High,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "Databases and caches reachable from the internet are attacked directly: \
            weak or default credentials, instances without authentication, ransom wipes.",
        remediation: "Admit the database port only from the application's tags or service \
            accounts, or from private ranges.",
        evidence: FW_EVIDENCE,
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: sg::database_port_public,
    cases: &[
        Case {
            name: "mysql from everywhere",
            address: "google_compute_firewall.db",
            expect: Expect::Violation,
            source: r#"
resource "google_compute_firewall" "db" {
  name    = "db"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["3306", "5432"]
  }
  source_ranges = ["0.0.0.0/0"]
}
"#,
        },
        Case {
            name: "postgres from the app subnet",
            address: "google_compute_firewall.db",
            expect: Expect::Pass,
            source: r#"
resource "google_compute_firewall" "db" {
  name    = "db"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["5432"]
  }
  source_ranges = ["10.10.0.0/16"]
}
"#,
        },
    ],
};

/// ## What it does
/// Flags a `google_compute_firewall` that admits 0.0.0.0/0 or ::/0 on every port: protocol `all`,
/// or TCP/UDP without `ports` or with `0-65535`.
///
/// ## References
/// - NIST SP 800-53 rev5 SC-7
pub const ALL_PORTS_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-firewall-all-ports-public",
        title: "Firewall rule admits the internet on every port",
        severity: Severity::Critical,
        category: Category::Network,
        standards: &["NIST 800-53 SC-7"],
        rationale: "Every service on the targeted instances, including ones never meant to be \
            published, is reachable from the internet.",
        remediation: "Replace the rule with one per port that must be public.",
        evidence: FW_EVIDENCE,
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: sg::all_ports_public,
    cases: &[
        Case {
            name: "all protocols from everywhere",
            address: "google_compute_firewall.open",
            expect: Expect::Violation,
            source: r#"
resource "google_compute_firewall" "open" {
  name    = "open"
  network = "default"
  allow {
    protocol = "all"
  }
  source_ranges = ["0.0.0.0/0"]
}
"#,
        },
        Case {
            name: "tcp without ports from everywhere",
            address: "google_compute_firewall.open",
            expect: Expect::Violation,
            source: r#"
resource "google_compute_firewall" "open" {
  name    = "open"
  network = "default"
  allow {
    protocol = "tcp"
  }
  source_ranges = ["0.0.0.0/0"]
}
"#,
        },
        Case {
            name: "disabled rule",
            address: "google_compute_firewall.open",
            expect: Expect::Pass,
            source: r#"
resource "google_compute_firewall" "open" {
  name     = "open"
  network  = "default"
  disabled = true
  allow {
    protocol = "all"
  }
  source_ranges = ["0.0.0.0/0"]
}
"#,
        },
    ],
};

/// ## What it does
/// Flags a `google_compute_firewall` that allows ingress (`direction` INGRESS, the default; an
/// `allow` block; not `disabled`) and has no `log_config` block, so Firewall Rules Logging is off.
/// Deny rules, egress rules and disabled rules pass. The `enable_logging` flag of provider 3.x
/// (removed in 4.0) is read too, for histories that predate `log_config`.
///
/// ## References
/// - NIST SP 800-53 rev5 AU-2, AU-12, SI-4
pub const LOGS_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-firewall-logs-off",
        title: "Firewall rule does not log the connections it allows",
        severity: Severity::Low,
        category: Category::Logging,
        standards: &["NIST 800-53 AU-2", "NIST 800-53 AU-12", "NIST 800-53 SI-4"],
        rationale: "Without Firewall Rules Logging there is no record of which sources the rule \
            let in, so an intrusion through it cannot be traced or bounded. Logging is off by \
            default: it is on only when a log_config block is written, so an absent block is a \
            violation.",
        remediation: "Add log_config { metadata = \"INCLUDE_ALL_METADATA\" } (or \
            EXCLUDE_ALL_METADATA to keep the volume down) to the rule.",
        evidence: "log_config (absent means logging off), enable_logging (provider 3.x), the \
            allow blocks, direction (absent means INGRESS) and disabled",
        format: Format::Terraform,
        kinds: KINDS,
    },
    check: logs_off,
    cases: &[
        Case {
            name: "ingress allow without log_config",
            address: "google_compute_firewall.web",
            expect: Expect::Violation,
            source: r#"
resource "google_compute_firewall" "web" {
  name    = "web"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["443"]
  }
  source_ranges = ["0.0.0.0/0"]
}
"#,
        },
        Case {
            name: "logged",
            address: "google_compute_firewall.web",
            expect: Expect::Pass,
            source: r#"
resource "google_compute_firewall" "web" {
  name    = "web"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["443"]
  }
  source_ranges = ["0.0.0.0/0"]
  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}
"#,
        },
        Case {
            name: "legacy enable_logging",
            address: "google_compute_firewall.web",
            expect: Expect::Pass,
            source: r#"
resource "google_compute_firewall" "web" {
  name           = "web"
  network        = "default"
  enable_logging = true
  allow {
    protocol = "tcp"
    ports    = ["443"]
  }
}
"#,
        },
        Case {
            name: "deny rule",
            address: "google_compute_firewall.block",
            expect: Expect::Pass,
            source: r#"
resource "google_compute_firewall" "block" {
  name    = "block"
  network = "default"
  deny {
    protocol = "all"
  }
  source_ranges = ["198.51.100.0/24"]
}
"#,
        },
        Case {
            name: "disabled rule",
            address: "google_compute_firewall.web",
            expect: Expect::Pass,
            source: r#"
resource "google_compute_firewall" "web" {
  name     = "web"
  network  = "default"
  disabled = true
  allow {
    protocol = "tcp"
    ports    = ["443"]
  }
}
"#,
        },
        Case {
            name: "egress rule",
            address: "google_compute_firewall.out",
            expect: Expect::Pass,
            source: r#"
resource "google_compute_firewall" "out" {
  name               = "out"
  network            = "default"
  direction          = "EGRESS"
  destination_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
  }
}
"#,
        },
        Case {
            name: "log_config from a dynamic block over a variable without default",
            address: "google_compute_firewall.web",
            expect: Expect::Undecided,
            source: r#"
variable "log" {}

resource "google_compute_firewall" "web" {
  name    = "web"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["443"]
  }
  dynamic "log_config" {
    for_each = var.log ? [1] : []
    content {
      metadata = "INCLUDE_ALL_METADATA"
    }
  }
}
"#,
        },
        Case {
            name: "allow blocks from a dynamic block over a variable without default",
            address: "google_compute_firewall.web",
            expect: Expect::Undecided,
            source: r#"
variable "rules" {}

resource "google_compute_firewall" "web" {
  name    = "web"
  network = "default"
  dynamic "allow" {
    for_each = var.rules
    content {
      protocol = allow.value.protocol
    }
  }
}
"#,
        },
    ],
};

fn logs_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let ingress = match read_str(res.attr("direction")) {
        Read::Absent => Tri::Yes,
        Read::Known(d) => Tri::from_bool(d.trim().eq_ignore_ascii_case("ingress")),
        Read::Unknown => Tri::Maybe,
    };
    let enabled = match read_bool(res.attr("disabled")) {
        Read::Absent => Tri::Yes,
        Read::Known(d) => Tri::from_bool(!d),
        Read::Unknown => Tri::Maybe,
    };
    let allows = if !res.blocks("allow").is_empty() {
        Tri::Yes
    } else {
        Tri::from_bool(!unknown_blocks_of(res, "allow").is_empty()).and(Tri::Maybe)
    };
    let unlogged = if !res.blocks("log_config").is_empty() {
        Tri::No
    } else if !unknown_blocks_of(res, "log_config").is_empty() {
        Tri::Maybe
    } else {
        match read_bool(res.attr("enable_logging")) {
            Read::Known(on) => Tri::from_bool(!on),
            Read::Absent => Tri::Yes,
            Read::Unknown => Tri::Maybe,
        }
    };
    verdict(
        ingress.and(enabled).and(allows).and(unlogged),
        vec![
            ev(res, attr_path("log_config")),
            ev(res, attr_path("enable_logging")),
            ev(res, attr_path("allow")),
            ev(res, attr_path("direction")),
            ev(res, attr_path("disabled")),
        ],
        || "ingress allow rule without log_config: connections it admits are not logged".into(),
        Scope::default(),
        || "direction, disabled, the allow blocks or log_config is not known statically".into(),
    )
}
