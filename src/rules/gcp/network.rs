//! VPC networks: subnets that keep no flow logs.
//!
//! Defaults (google provider 5.x and 6.x, Compute API): a `google_compute_subnetwork` has VPC
//! flow logs only when a `log_config` block is written (or, in the 6.x releases that have it,
//! `enable_flow_logs = true`); without either, logging is off unless an organization policy
//! turns it on, which is outside the code. `purpose` absent is `PRIVATE`. Proxy-only,
//! Private Service Connect and other special-purpose subnets cannot have flow logs and pass.

use crate::model::{Format, Resource, Value};
use crate::rules::helpers::{
    attr_path, ev, lookup, read_bool, read_str, show, unknown_blocks_of, verdict, Read, Tri,
};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// A subnet purpose whose subnets carry VM traffic and can have flow logs: `PRIVATE` (the
/// default) and its older name `PRIVATE_RFC_1918`.
fn carries_vm_traffic(purpose: &str) -> bool {
    let p = purpose.trim().to_ascii_uppercase();
    p == "PRIVATE" || p == "PRIVATE_RFC_1918"
}

/// ## What it does
/// Flags a `google_compute_subnetwork` of purpose `PRIVATE` (or no purpose) without a
/// `log_config` block, or whose `log_config` samples nothing (`flow_sampling = 0`).
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 3.8
/// - NIST SP 800-53 rev5 AU-12, SI-4
pub const SUBNET_FLOW_LOGS_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-subnet-flow-logs-off",
        title: "Subnet does not record VPC flow logs",
        severity: Severity::Low,
        category: Category::Logging,
        standards: &["CIS GCP 3.8", "NIST 800-53 AU-12", "NIST 800-53 SI-4"],
        rationale: "Flow logs are the record of which addresses the subnet's instances talked to: \
            without them an exfiltration or a lateral move cannot be traced after the fact. They \
            are off by default (on only when log_config is written, or by an organization \
            policy outside the code), so an absent block is a violation. Subnets with a purpose \
            other than PRIVATE (proxy-only, Private Service Connect) cannot have flow logs and \
            pass.",
        remediation: "Add log_config { aggregation_interval = \"INTERVAL_5_SEC\", flow_sampling \
            = 1.0, metadata = \"INCLUDE_ALL_METADATA\" } (a lower sampling rate still logs).",
        evidence: "log_config (absent means off) and its flow_sampling, enable_flow_logs, purpose \
            (absent means PRIVATE)",
        format: Format::Terraform,
        kinds: &["google_compute_subnetwork"],
    },
    check: subnet_flow_logs_off,
    cases: &[
        Case {
            name: "no log_config",
            address: "google_compute_subnetwork.app",
            expect: Expect::Violation,
            source: "resource \"google_compute_subnetwork\" \"app\" {\n  name          = \"app\"\n  region        = \"europe-west1\"\n  network       = \"vpc\"\n  ip_cidr_range = \"10.10.0.0/20\"\n}\n",
        },
        Case {
            name: "log_config that samples nothing",
            address: "google_compute_subnetwork.app",
            expect: Expect::Violation,
            source: "resource \"google_compute_subnetwork\" \"app\" {\n  name          = \"app\"\n  region        = \"europe-west1\"\n  network       = \"vpc\"\n  ip_cidr_range = \"10.10.0.0/20\"\n  log_config {\n    flow_sampling = 0\n  }\n}\n",
        },
        Case {
            name: "flow logs on",
            address: "google_compute_subnetwork.app",
            expect: Expect::Pass,
            source: "resource \"google_compute_subnetwork\" \"app\" {\n  name          = \"app\"\n  region        = \"europe-west1\"\n  network       = \"vpc\"\n  ip_cidr_range = \"10.10.0.0/20\"\n  log_config {\n    aggregation_interval = \"INTERVAL_5_SEC\"\n    flow_sampling        = 0.5\n    metadata             = \"INCLUDE_ALL_METADATA\"\n  }\n}\n",
        },
        Case {
            name: "enable_flow_logs without a block",
            address: "google_compute_subnetwork.app",
            expect: Expect::Pass,
            source: "resource \"google_compute_subnetwork\" \"app\" {\n  name             = \"app\"\n  region           = \"europe-west1\"\n  network          = \"vpc\"\n  ip_cidr_range    = \"10.10.0.0/20\"\n  enable_flow_logs = true\n}\n",
        },
        Case {
            name: "proxy-only subnet",
            address: "google_compute_subnetwork.proxy",
            expect: Expect::Pass,
            source: "resource \"google_compute_subnetwork\" \"proxy\" {\n  name          = \"proxy\"\n  region        = \"europe-west1\"\n  network       = \"vpc\"\n  ip_cidr_range = \"10.129.0.0/23\"\n  purpose       = \"REGIONAL_MANAGED_PROXY\"\n  role          = \"ACTIVE\"\n}\n",
        },
        Case {
            name: "log_config from a dynamic block over a variable without default",
            address: "google_compute_subnetwork.app",
            expect: Expect::Undecided,
            source: r#"
variable "flow_logs" {}

resource "google_compute_subnetwork" "app" {
  name          = "app"
  region        = "europe-west1"
  network       = "vpc"
  ip_cidr_range = "10.10.0.0/20"
  dynamic "log_config" {
    for_each = var.flow_logs ? [1] : []
    content {
      flow_sampling = 0.5
    }
  }
}
"#,
        },
        Case {
            name: "purpose from a variable without default",
            address: "google_compute_subnetwork.app",
            expect: Expect::Undecided,
            source: "variable \"purpose\" {}\nresource \"google_compute_subnetwork\" \"app\" {\n  name          = \"app\"\n  region        = \"europe-west1\"\n  network       = \"vpc\"\n  ip_cidr_range = \"10.10.0.0/20\"\n  purpose       = var.purpose\n}\n",
        },
    ],
};

fn subnet_flow_logs_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let applies = match read_str(res.attr("purpose")) {
        Read::Absent => Tri::Yes,
        Read::Known(p) => Tri::from_bool(carries_vm_traffic(&p)),
        Read::Unknown => Tri::Maybe,
    };
    let blocks = res.blocks("log_config");
    let (off, mut evidence, summary) = if let Some((path, _)) = blocks.first() {
        // Written: on, unless it samples nothing (0.0 reports no logs).
        let at = path.key("flow_sampling");
        let v = lookup(res, &at);
        let t = match v {
            None | Some(Value::Null) => Tri::No,
            Some(v) => v.as_f64().map_or(Tri::Maybe, |f| Tri::from_bool(f <= 0.0)),
        };
        let summary = format!("VPC flow logs sample nothing (flow_sampling = {})", show(v));
        (t, vec![ev(res, at)], summary)
    } else {
        let t = if !unknown_blocks_of(res, "log_config").is_empty() {
            Tri::Maybe
        } else {
            match read_bool(res.attr("enable_flow_logs")) {
                Read::Known(on) => Tri::from_bool(!on),
                Read::Absent => Tri::Yes,
                Read::Unknown => Tri::Maybe,
            }
        };
        let evidence = vec![
            ev(res, attr_path("log_config")),
            ev(res, attr_path("enable_flow_logs")),
        ];
        (t, evidence, "VPC flow logs off (no log_config)".to_string())
    };
    evidence.push(ev(res, attr_path("purpose")));
    verdict(
        applies.and(off),
        evidence,
        || summary,
        Scope::default(),
        || "the subnet's purpose or flow log settings are not known statically".into(),
    )
}
