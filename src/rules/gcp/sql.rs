//! Cloud SQL: instances with a public IP, instances that authorize the whole internet, and
//! instances with a public IP that accept unencrypted connections.
//!
//! The three are layers of one exposure: `gcp-sql-public-ip` is the public address itself (any
//! authorized network, now or later, reaches it); `gcp-sql-authorized-world` is that address open
//! to every client; `gcp-sql-public-no-ssl` is traffic over it allowed in clear.
//!
//! Defaults (google provider 5.x and 6.x): `settings.ip_configuration.ipv4_enabled` true (a
//! public IP); `ssl_mode` absent is `ALLOW_UNENCRYPTED_AND_ENCRYPTED`, and `require_ssl` (5.x,
//! removed in 6.0) false. Both `require_ssl` and `ssl_mode` are read.

use crate::model::{Format, Resource, SettingPath};
use crate::rules::helpers::{
    bool_is, dedup, ev, flag_at, is_world_str, lookup, read_bool, read_str, unknown_blocks,
    verdict, Read, Tri,
};
use crate::rules::{
    Case, Category, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

const IP: &str = "settings[0].ip_configuration[0]";

/// ## What it does
/// Flags a `google_sql_database_instance` whose `authorized_networks` include 0.0.0.0/0 (or ::/0).
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 6.5
/// - NIST SP 800-53 rev5 SC-7, AC-3
pub const AUTHORIZED_WORLD: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-sql-authorized-world",
        title: "Cloud SQL instance authorizes the whole internet",
        severity: Severity::High,
        category: Category::Network,
        standards: &["CIS GCP 6.5", "NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "An authorized network of 0.0.0.0/0 lets every address reach the database \
            login over the public IP: password spraying and engine exploits from anywhere.",
        remediation: "Authorize only the clients' addresses, or use private IP and the Cloud SQL \
            Auth Proxy.",
        evidence: "settings[0].ip_configuration[0].authorized_networks[n].value",
        format: Format::Terraform,
        kinds: &["google_sql_database_instance"],
    },
    check: authorized_world,
    cases: &[
        Case {
            name: "everyone authorized",
            address: "google_sql_database_instance.db",
            expect: Expect::Violation,
            source: r#"
resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = "POSTGRES_15"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      authorized_networks {
        name  = "office"
        value = "203.0.113.0/24"
      }
      authorized_networks {
        name  = "all"
        value = "0.0.0.0/0"
      }
    }
  }
}
"#,
        },
        Case {
            name: "office only",
            address: "google_sql_database_instance.db",
            expect: Expect::Pass,
            source: r#"
resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = "POSTGRES_15"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      authorized_networks {
        name  = "office"
        value = "203.0.113.0/24"
      }
    }
  }
}
"#,
        },
        Case {
            name: "dynamic networks over a variable without default",
            address: "google_sql_database_instance.db",
            expect: Expect::Undecided,
            source: r#"
variable "nets" {}

resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = "POSTGRES_15"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      dynamic "authorized_networks" {
        for_each = var.nets
        content {
          value = authorized_networks.value
        }
      }
    }
  }
}
"#,
        },
    ],
};

fn authorized_world(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let ip = SettingPath::parse(IP);
    let Some(ipc) = lookup(res, &ip) else {
        return Verdict::Pass;
    };
    if ipc.is_unknown() || matches!(ipc, crate::model::Value::Ref(_)) {
        return Verdict::Undecided {
            evidence: vec![ev(res, ip)],
            reason: "ip_configuration is not known statically".into(),
        };
    }
    let mut hits = Vec::new();
    let mut maybe: Vec<_> = unknown_blocks(ipc, &ip, "authorized_networks")
        .into_iter()
        .map(|p| ev(res, p))
        .collect();
    for (path, net) in crate::model::blocks_of(ipc, &ip, "authorized_networks") {
        let p = path.key("value");
        match read_str(net.get_path(&SettingPath::root().key("value"))) {
            Read::Known(v) if is_world_str(&v) => hits.push((ev(res, p), v)),
            Read::Unknown => maybe.push(ev(res, p)),
            _ => {}
        }
    }
    if !hits.is_empty() {
        let nets = dedup(
            hits.iter()
                .filter_map(|(_, v)| v.trim().parse().ok())
                .collect(),
        );
        return Verdict::Violation(Finding {
            summary: format!(
                "authorized network {}",
                dedup(hits.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>()).join(", ")
            ),
            evidence: hits.into_iter().map(|(e, _)| e).collect(),
            scope: Scope {
                networks: nets,
                ..Scope::default()
            },
        });
    }
    if !maybe.is_empty() {
        return Verdict::Undecided {
            evidence: dedup(maybe),
            reason: "an authorized network is not known statically".into(),
        };
    }
    Verdict::Pass
}

/// ## What it does
/// Flags a `google_sql_database_instance` with a public IP (`ipv4_enabled` true or absent) that
/// does not require SSL (`ssl_mode` absent or `ALLOW_UNENCRYPTED_AND_ENCRYPTED`, and `require_ssl`
/// not true).
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 6.4
/// - NIST SP 800-53 rev5 SC-8
pub const PUBLIC_NO_SSL: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-sql-public-no-ssl",
        title: "Cloud SQL instance with a public IP accepts unencrypted connections",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["CIS GCP 6.4", "NIST 800-53 SC-8"],
        rationale: "Over the public IP, credentials and query results may cross the internet in \
            clear. Provider 5.x/6.x defaults: public IP on, unencrypted connections allowed.",
        remediation: "Set ssl_mode = \"ENCRYPTED_ONLY\" (or TRUSTED_CLIENT_CERTIFICATE_REQUIRED), \
            or turn ipv4_enabled off and use private IP.",
        evidence: "ip_configuration ipv4_enabled, ssl_mode, require_ssl",
        format: Format::Terraform,
        kinds: &["google_sql_database_instance"],
    },
    check: public_no_ssl,
    cases: &[
        Case {
            name: "defaults",
            address: "google_sql_database_instance.db",
            expect: Expect::Violation,
            source: "resource \"google_sql_database_instance\" \"db\" {\n  name             = \"db\"\n  database_version = \"MYSQL_8_0\"\n  settings {\n    tier = \"db-f1-micro\"\n  }\n}\n",
        },
        Case {
            name: "encrypted only",
            address: "google_sql_database_instance.db",
            expect: Expect::Pass,
            source: "resource \"google_sql_database_instance\" \"db\" {\n  name             = \"db\"\n  database_version = \"MYSQL_8_0\"\n  settings {\n    tier = \"db-f1-micro\"\n    ip_configuration {\n      ssl_mode = \"ENCRYPTED_ONLY\"\n    }\n  }\n}\n",
        },
        Case {
            name: "private ip only",
            address: "google_sql_database_instance.db",
            expect: Expect::Pass,
            source: "resource \"google_sql_database_instance\" \"db\" {\n  name             = \"db\"\n  database_version = \"MYSQL_8_0\"\n  settings {\n    tier = \"db-f1-micro\"\n    ip_configuration {\n      ipv4_enabled    = false\n      private_network = \"projects/p/global/networks/vpc\"\n    }\n  }\n}\n",
        },
        Case {
            name: "ssl mode from a variable without default",
            address: "google_sql_database_instance.db",
            expect: Expect::Undecided,
            source: "variable \"m\" {}\nresource \"google_sql_database_instance\" \"db\" {\n  name             = \"db\"\n  database_version = \"MYSQL_8_0\"\n  settings {\n    tier = \"db-f1-micro\"\n    ip_configuration {\n      ssl_mode = var.m\n    }\n  }\n}\n",
        },
    ],
};

fn public_no_ssl(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let p = |k: &str| SettingPath::parse(&format!("{IP}.{k}"));
    let public = bool_is(lookup(res, &p("ipv4_enabled")), true, true);
    let by_mode = match read_str(lookup(res, &p("ssl_mode"))) {
        Read::Known(m) => Tri::from_bool(m.trim() == "ALLOW_UNENCRYPTED_AND_ENCRYPTED"),
        Read::Absent => Tri::Yes,
        Read::Unknown => Tri::Maybe,
    };
    let by_flag = match read_bool(lookup(res, &p("require_ssl"))) {
        Read::Known(b) => Tri::from_bool(!b),
        Read::Absent => Tri::Yes,
        Read::Unknown => Tri::Maybe,
    };
    verdict(
        public.and(by_mode).and(by_flag),
        vec![
            ev(res, p("ipv4_enabled")),
            ev(res, p("ssl_mode")),
            ev(res, p("require_ssl")),
        ],
        || "public IP and unencrypted connections allowed".into(),
        Scope::default(),
        || "ipv4_enabled, ssl_mode or require_ssl is not known statically".into(),
    )
}

/// ## What it does
/// Flags a `google_sql_database_instance` with a public IPv4 address:
/// `settings.ip_configuration.ipv4_enabled` true or absent (the provider default is true).
///
/// Unlike `gcp-sql-authorized-world` (the public address open to 0.0.0.0/0) and
/// `gcp-sql-public-no-ssl` (the public address without SSL), this is the address itself: with no
/// authorized networks nobody can connect to it directly, but it is one `authorized_networks`
/// entry away from the internet and the Cloud SQL Auth Proxy reaches it from anywhere with IAM
/// credentials.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 6.6
/// - NIST SP 800-53 rev5 SC-7
pub const PUBLIC_IP: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-sql-public-ip",
        title: "Cloud SQL instance has a public IP address",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["CIS GCP 6.6", "NIST 800-53 SC-7"],
        rationale: "A public IP puts the database on the internet's edge: one authorized network \
            (judged by gcp-sql-authorized-world) opens it to those addresses, and clients can \
            reach it from anywhere through the Cloud SQL Auth Proxy. Provider 5.x/6.x default: \
            ipv4_enabled true, so an instance without ip_configuration, or without ipv4_enabled, \
            has a public IP. This rule is the address itself, whatever the authorized networks \
            and SSL settings (gcp-sql-public-no-ssl) say.",
        remediation: "Set settings { ip_configuration { ipv4_enabled = false, private_network = \
            <VPC> } } and connect over private IP (Private Service Access or Private Service \
            Connect).",
        evidence: "settings[0].ip_configuration[0].ipv4_enabled (absent means true)",
        format: Format::Terraform,
        kinds: &["google_sql_database_instance"],
    },
    check: public_ip,
    cases: &[
        Case {
            name: "defaults",
            address: "google_sql_database_instance.db",
            expect: Expect::Violation,
            source: "resource \"google_sql_database_instance\" \"db\" {\n  name             = \"db\"\n  database_version = \"POSTGRES_15\"\n  settings {\n    tier = \"db-custom-2-7680\"\n  }\n}\n",
        },
        Case {
            name: "ip configuration without ipv4_enabled",
            address: "google_sql_database_instance.db",
            expect: Expect::Violation,
            source: "resource \"google_sql_database_instance\" \"db\" {\n  name             = \"db\"\n  database_version = \"POSTGRES_15\"\n  settings {\n    tier = \"db-custom-2-7680\"\n    ip_configuration {\n      ssl_mode = \"ENCRYPTED_ONLY\"\n    }\n  }\n}\n",
        },
        Case {
            name: "private ip only",
            address: "google_sql_database_instance.db",
            expect: Expect::Pass,
            source: "resource \"google_sql_database_instance\" \"db\" {\n  name             = \"db\"\n  database_version = \"POSTGRES_15\"\n  settings {\n    tier = \"db-custom-2-7680\"\n    ip_configuration {\n      ipv4_enabled    = false\n      private_network = \"projects/p/global/networks/vpc\"\n    }\n  }\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "google_sql_database_instance.db",
            expect: Expect::Undecided,
            source: "variable \"public\" {}\nresource \"google_sql_database_instance\" \"db\" {\n  name             = \"db\"\n  database_version = \"POSTGRES_15\"\n  settings {\n    tier = \"db-custom-2-7680\"\n    ip_configuration {\n      ipv4_enabled = var.public\n    }\n  }\n}\n",
        },
        Case {
            name: "ip configuration from a dynamic block over a variable without default",
            address: "google_sql_database_instance.db",
            expect: Expect::Undecided,
            source: r#"
variable "ip" {}

resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = "POSTGRES_15"
  settings {
    tier = "db-custom-2-7680"
    dynamic "ip_configuration" {
      for_each = var.ip
      content {
        ipv4_enabled = ip_configuration.value.public
      }
    }
  }
}
"#,
        },
    ],
};

fn public_ip(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(
        res,
        &format!("{IP}.ipv4_enabled"),
        true,
        true,
        "public IPv4 address",
    )
}
