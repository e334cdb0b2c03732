//! VPC firewall rules that admit the internet: to administration ports, to database ports, or to
//! every port. The AWS security group concept again: the checks of [`crate::rules::aws::sg`] over
//! the shared ingress reading, which
//! applies Google's defaults: `direction` absent is INGRESS, and an ingress rule with no
//! `source_ranges`, `source_tags` or `source_service_accounts` admits 0.0.0.0/0 (the Compute API's
//! behaviour, reported as hashicorp/terraform-provider-google#6789 and unchanged through provider
//! 6.x). An `allow` block without `ports` opens every port of its protocol. Rule priority and
//! `deny` rules are not weighed.

use crate::model::Format;
use crate::rules::aws::sg;
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Severity};

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
