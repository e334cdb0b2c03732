//! BigQuery: datasets readable by `allUsers` or `allAuthenticatedUsers`.
//!
//! A dataset's access comes in two ways: its own access list (`access` blocks of
//! `google_bigquery_dataset`, or one entry per `google_bigquery_dataset_access`), where the public
//! is written as `special_group = "allAuthenticatedUsers"` or `iam_member = "allUsers"`; and its
//! IAM (`google_bigquery_dataset_iam_member`, `_binding`, `_policy`), read with the pack's
//! [`grants`](crate::rules::gcp::iam::grants). Without `access` blocks BigQuery grants the
//! project's owners, writers and readers and the creator: nothing public, so absent passes.

use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::gcp::iam::{is_public_member, judge_grants};
use crate::rules::helpers::{dedup, ev, read_str, unknown_blocks_of, Read};
use crate::rules::{
    Case, Category, Evidence, Expect, Finding, Rule, RuleMeta, Scope, Severity, UnitView, Verdict,
};

/// The access entry fields that can name the public.
const PUBLIC_FIELDS: &[&str] = &["special_group", "iam_member"];

/// ## What it does
/// Flags a BigQuery dataset granted to `allUsers` or `allAuthenticatedUsers`: an `access` block of
/// `google_bigquery_dataset` or a `google_bigquery_dataset_access` whose `special_group` or
/// `iam_member` is public, or a `google_bigquery_dataset_iam_member`, `_binding` or `_policy`
/// granting any role to them.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 7.1
/// - NIST SP 800-53 rev5 AC-3, AC-14
pub const DATASET_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-bigquery-dataset-public",
        title: "BigQuery dataset is granted to allUsers or allAuthenticatedUsers",
        severity: Severity::Critical,
        category: Category::Storage,
        standards: &["CIS GCP 7.1", "NIST 800-53 AC-3", "NIST 800-53 AC-14"],
        rationale: "allUsers is anyone on the internet and allAuthenticatedUsers anyone with a \
            Google account: every table of the dataset can be queried (or, with WRITER/OWNER, \
            changed) by them. Only a written grant is judged: without access blocks BigQuery \
            grants the project's own roles and the creator.",
        remediation: "Remove the public entry or member; grant named groups or service \
            accounts, and publish data through an authorized view or Analytics Hub listing.",
        evidence: "special_group / iam_member of each public access entry, or role and \
            member(s) of each public IAM grant",
        format: Format::Terraform,
        kinds: &[
            "google_bigquery_dataset",
            "google_bigquery_dataset_access",
            "google_bigquery_dataset_iam_binding",
            "google_bigquery_dataset_iam_member",
            "google_bigquery_dataset_iam_policy",
        ],
    },
    check: dataset_public,
    cases: &[
        Case {
            name: "access block for all authenticated users",
            address: "google_bigquery_dataset.sales",
            expect: Expect::Violation,
            source: r#"
resource "google_bigquery_dataset" "sales" {
  dataset_id = "sales"
  location   = "EU"
  access {
    role          = "OWNER"
    user_by_email = "etl@shop.iam.gserviceaccount.com"
  }
  access {
    role          = "READER"
    special_group = "allAuthenticatedUsers"
  }
}
"#,
        },
        Case {
            name: "dataset access entry for all users",
            address: "google_bigquery_dataset_access.pub",
            expect: Expect::Violation,
            source: "resource \"google_bigquery_dataset_access\" \"pub\" {\n  dataset_id = \"sales\"\n  role       = \"READER\"\n  iam_member = \"allUsers\"\n}\n",
        },
        Case {
            name: "iam member for all users",
            address: "google_bigquery_dataset_iam_member.pub",
            expect: Expect::Violation,
            source: "resource \"google_bigquery_dataset_iam_member\" \"pub\" {\n  dataset_id = \"sales\"\n  role       = \"roles/bigquery.dataViewer\"\n  member     = \"allUsers\"\n}\n",
        },
        Case {
            name: "project readers and a group",
            address: "google_bigquery_dataset.sales",
            expect: Expect::Pass,
            source: r#"
resource "google_bigquery_dataset" "sales" {
  dataset_id = "sales"
  location   = "EU"
  access {
    role          = "READER"
    special_group = "projectReaders"
  }
  access {
    role           = "READER"
    group_by_email = "analysts@example.com"
  }
}
"#,
        },
        Case {
            name: "no access blocks",
            address: "google_bigquery_dataset.sales",
            expect: Expect::Pass,
            source: "resource \"google_bigquery_dataset\" \"sales\" {\n  dataset_id = \"sales\"\n  location   = \"EU\"\n}\n",
        },
        Case {
            name: "iam binding to a group",
            address: "google_bigquery_dataset_iam_binding.b",
            expect: Expect::Pass,
            source: "resource \"google_bigquery_dataset_iam_binding\" \"b\" {\n  dataset_id = \"sales\"\n  role       = \"roles/bigquery.dataViewer\"\n  members    = [\"group:analysts@example.com\"]\n}\n",
        },
        Case {
            name: "access member from a variable without default",
            address: "google_bigquery_dataset_access.v",
            expect: Expect::Undecided,
            source: "variable \"who\" {}\nresource \"google_bigquery_dataset_access\" \"v\" {\n  dataset_id = \"sales\"\n  role       = \"READER\"\n  iam_member = var.who\n}\n",
        },
        Case {
            name: "access blocks from a dynamic block over a variable without default",
            address: "google_bigquery_dataset.sales",
            expect: Expect::Undecided,
            source: r#"
variable "readers" {}

resource "google_bigquery_dataset" "sales" {
  dataset_id = "sales"
  location   = "EU"
  dynamic "access" {
    for_each = var.readers
    content {
      role          = "READER"
      special_group = access.value
    }
  }
}
"#,
        },
    ],
};

/// Public members named by one access entry (`entry` at `path` of `res`): the evidence and
/// member of each, and the settings that are not known statically.
fn public_entries(
    res: &Resource,
    entry: &Value,
    path: &SettingPath,
    hits: &mut Vec<(Evidence, Option<String>, String)>,
    maybe: &mut Vec<Evidence>,
) {
    let get = |k: &str| entry.as_map().and_then(|m| m.get(k));
    let role = match read_str(get("role")) {
        Read::Known(r) => Some(r.trim().to_string()),
        _ => None,
    };
    for field in PUBLIC_FIELDS {
        match read_str(get(field)) {
            Read::Known(m) if is_public_member(m.trim()) => {
                hits.push((ev(res, path.key(field)), role.clone(), m.trim().to_string()));
            }
            Read::Unknown => maybe.push(ev(res, path.key(field))),
            _ => {}
        }
    }
}

fn dataset_public(res: &Resource, view: &UnitView<'_>) -> Verdict {
    if res.kind.starts_with("google_bigquery_dataset_iam_") {
        return judge_grants(res, view, |_| true, is_public_member, "public dataset");
    }
    let mut hits = Vec::new();
    let mut maybe = Vec::new();
    if res.kind == "google_bigquery_dataset_access" {
        public_entries(res, &res.body, &SettingPath::root(), &mut hits, &mut maybe);
    } else {
        for (path, entry) in res.blocks("access") {
            public_entries(res, entry, &path, &mut hits, &mut maybe);
        }
        maybe.extend(
            unknown_blocks_of(res, "access")
                .into_iter()
                .map(|p| ev(res, p)),
        );
    }
    if !hits.is_empty() {
        let roles = dedup(hits.iter().filter_map(|(_, r, _)| r.clone()).collect());
        let members = dedup(hits.iter().map(|(_, _, m)| m.clone()).collect());
        let granted = if roles.is_empty() {
            "access".to_string()
        } else {
            roles.join(", ")
        };
        return Verdict::Violation(Finding {
            summary: format!(
                "public dataset: {granted} granted to {}",
                members.join(", ")
            ),
            evidence: dedup(hits.into_iter().map(|(e, _, _)| e).collect()),
            scope: Scope {
                actions: roles,
                principals: members,
                ..Scope::default()
            },
        });
    }
    if !maybe.is_empty() {
        return Verdict::Undecided {
            evidence: dedup(maybe),
            reason: "a member of the dataset's access is not known statically".into(),
        };
    }
    Verdict::Pass
}
