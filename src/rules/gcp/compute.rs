//! Compute Engine: instances running as the default service account with full API access,
//! instances with the interactive serial console on, OS Login turned off, project-wide SSH keys
//! not blocked, and IP forwarding on.
//!
//! Judged on `google_compute_instance` and `google_compute_instance_template` (what an instance
//! group launches), and for the metadata switches also on project metadata
//! (`google_compute_project_metadata`, `google_compute_project_metadata_item`), where they are
//! usually set. Defaults (Compute Engine, google provider 5.x/6.x): serial port off; OS Login as
//! the project says, so an absent instance setting passes and only an explicit "false" is judged;
//! project-wide SSH keys accepted unless `block-project-ssh-keys` is true, so an absent setting
//! is a violation; `can_ip_forward` false.

use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::gcp::gke::{metadata_false, metadata_true};
use crate::rules::helpers::{
    any_string, ev, flag_at, lookup, read_str, show, unknown_blocks_of, verdict, Read, Tri,
};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// `cloud-platform`, in its short alias or its URL: every Google Cloud API.
fn is_full_scope(s: &str) -> bool {
    s == "cloud-platform" || s == "https://www.googleapis.com/auth/cloud-platform"
}

/// The Compute Engine default service account (`<number>-compute@developer.gserviceaccount.com`)
/// or the `default` alias.
fn is_default_sa(s: &str) -> bool {
    s == "default" || s.ends_with("-compute@developer.gserviceaccount.com")
}

/// ## What it does
/// Flags a `google_compute_instance` or `google_compute_instance_template` whose `service_account`
/// block uses the default Compute Engine service account (no `email`, `default`, or
/// `…-compute@developer.gserviceaccount.com`) with the `cloud-platform` scope.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 4.1 and 4.2
/// - NIST SP 800-53 rev5 AC-6
pub const DEFAULT_SA_FULL_SCOPE: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-compute-default-sa-full-scope",
        title: "Instance runs as the default service account with full API access",
        severity: Severity::High,
        category: Category::Identity,
        standards: &["CIS GCP 4.1", "CIS GCP 4.2", "NIST 800-53 AC-6"],
        rationale: "The default service account has Editor on the project unless changed; with \
            the cloud-platform scope, anyone who gets code running on the instance (or an SSRF \
            to its metadata server) gets a token for nearly every API of the project.",
        remediation: "Run the instance as a dedicated service account with only the roles it \
            needs; the cloud-platform scope is then fine, IAM limits it.",
        evidence: "service_account[0].email (absent means the default account) and \
            service_account[0].scopes",
        format: Format::Terraform,
        kinds: &["google_compute_instance", "google_compute_instance_template"],
    },
    check: default_sa_full_scope,
    cases: &[
        Case {
            name: "default account, full scope",
            address: "google_compute_instance.vm",
            expect: Expect::Violation,
            source: "resource \"google_compute_instance\" \"vm\" {\n  name         = \"vm\"\n  machine_type = \"e2-small\"\n  service_account {\n    scopes = [\"cloud-platform\"]\n  }\n}\n",
        },
        Case {
            name: "dedicated account, full scope",
            address: "google_compute_instance.vm",
            expect: Expect::Pass,
            source: "resource \"google_compute_instance\" \"vm\" {\n  name         = \"vm\"\n  machine_type = \"e2-small\"\n  service_account {\n    email  = \"app@shop.iam.gserviceaccount.com\"\n    scopes = [\"cloud-platform\"]\n  }\n}\n",
        },
        Case {
            name: "default account, narrow scopes",
            address: "google_compute_instance_template.t",
            expect: Expect::Pass,
            source: "resource \"google_compute_instance_template\" \"t\" {\n  machine_type = \"e2-small\"\n  service_account {\n    email  = \"123-compute@developer.gserviceaccount.com\"\n    scopes = [\"logging-write\", \"monitoring-write\"]\n  }\n}\n",
        },
        Case {
            name: "email from a variable without default",
            address: "google_compute_instance.vm",
            expect: Expect::Undecided,
            source: "variable \"sa\" {}\nresource \"google_compute_instance\" \"vm\" {\n  name         = \"vm\"\n  machine_type = \"e2-small\"\n  service_account {\n    email  = var.sa\n    scopes = [\"cloud-platform\"]\n  }\n}\n",
        },
    ],
};

fn default_sa_full_scope(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let email = SettingPath::parse("service_account[0].email");
    let scopes = SettingPath::parse("service_account[0].scopes");
    if res.blocks("service_account").is_empty() {
        let unknown = !unknown_blocks_of(res, "service_account").is_empty();
        return verdict(
            Tri::from_bool(unknown).and(Tri::Maybe),
            vec![ev(res, SettingPath::parse("service_account"))],
            String::new,
            Scope::default(),
            || "service_account is not known statically".into(),
        );
    }
    let default = match read_str(lookup(res, &email)) {
        Read::Absent => Tri::Yes,
        Read::Known(e) => Tri::from_bool(is_default_sa(e.trim())),
        Read::Unknown => Tri::Maybe,
    };
    let (full, _) = any_string(lookup(res, &scopes), is_full_scope);
    verdict(
        default.and(full),
        vec![ev(res, email.clone()), ev(res, scopes)],
        || {
            format!(
                "default service account ({}) with cloud-platform scope",
                show(lookup(res, &email))
            )
        },
        Scope::default(),
        || "the service account's email or scopes are not known statically".into(),
    )
}

/// A metadata key's value on an instance, template or project metadata resource: the path it
/// is at and the value. `google_compute_project_metadata_item` holds one `key`/`value` pair.
fn metadata_entry<'a>(res: &'a Resource, key: &str) -> Option<(SettingPath, Option<&'a Value>)> {
    if res.kind == "google_compute_project_metadata_item" {
        return match read_str(res.attr("key")) {
            Read::Known(k) if k == key => Some((SettingPath::parse("value"), res.attr("value"))),
            Read::Unknown => Some((SettingPath::parse("key"), res.attr("key"))),
            _ => None,
        };
    }
    let path = SettingPath::parse("metadata").key(key);
    Some((path.clone(), lookup(res, &path)))
}

/// The verdict of a metadata switch: violation when the value of `key` satisfies `bad`.
fn metadata_switch(res: &Resource, key: &str, bad: fn(&str) -> bool, what: &str) -> Verdict {
    let Some((path, v)) = metadata_entry(res, key) else {
        return Verdict::Pass;
    };
    let t = match read_str(v) {
        Read::Known(s) => Tri::from_bool(bad(&s)),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    verdict(
        t,
        vec![ev(res, path)],
        || format!("{what} ({key} = {})", show(v)),
        Scope::default(),
        || format!("metadata {key} is not known statically"),
    )
}

const METADATA_KINDS: &[&str] = &[
    "google_compute_instance",
    "google_compute_instance_template",
    "google_compute_project_metadata",
    "google_compute_project_metadata_item",
];

/// ## What it does
/// Flags instance, template or project metadata that sets `serial-port-enable` to true.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 4.5
/// - NIST SP 800-53 rev5 AC-17, CM-7
pub const SERIAL_PORT_ENABLED: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-compute-serial-port-enabled",
        title: "Interactive serial console is enabled",
        severity: Severity::Medium,
        category: Category::Compute,
        standards: &["CIS GCP 4.5", "NIST 800-53 AC-17", "NIST 800-53 CM-7"],
        rationale: "The serial console accepts connections from any address, bypassing the VPC \
            firewall; whoever holds the permission and a local password gets a console.",
        remediation: "Remove serial-port-enable from the metadata (default off), or set it to \
            \"false\".",
        evidence: "metadata[\"serial-port-enable\"] (or the project metadata item's value)",
        format: Format::Terraform,
        kinds: METADATA_KINDS,
    },
    check: serial_port_enabled,
    cases: &[
        Case {
            name: "serial console on an instance",
            address: "google_compute_instance.vm",
            expect: Expect::Violation,
            source: "resource \"google_compute_instance\" \"vm\" {\n  name = \"vm\"\n  metadata = {\n    serial-port-enable = \"TRUE\"\n  }\n}\n",
        },
        Case {
            name: "project metadata item",
            address: "google_compute_project_metadata_item.serial",
            expect: Expect::Violation,
            source: "resource \"google_compute_project_metadata_item\" \"serial\" {\n  key   = \"serial-port-enable\"\n  value = \"1\"\n}\n",
        },
        Case {
            name: "default",
            address: "google_compute_instance.vm",
            expect: Expect::Pass,
            source: "resource \"google_compute_instance\" \"vm\" {\n  name = \"vm\"\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "google_compute_instance.vm",
            expect: Expect::Undecided,
            source: "variable \"s\" {}\nresource \"google_compute_instance\" \"vm\" {\n  name = \"vm\"\n  metadata = {\n    serial-port-enable = var.s\n  }\n}\n",
        },
    ],
};

fn serial_port_enabled(res: &Resource, _: &UnitView<'_>) -> Verdict {
    metadata_switch(
        res,
        "serial-port-enable",
        metadata_true,
        "serial console enabled",
    )
}

/// ## What it does
/// Flags instance, template or project metadata that sets `enable-oslogin` to false. Absent
/// passes: the project's setting applies, and is judged where it is written.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 4.4
/// - NIST SP 800-53 rev5 AC-2, IA-2
pub const OSLOGIN_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-compute-oslogin-off",
        title: "OS Login is turned off",
        severity: Severity::Medium,
        category: Category::Identity,
        standards: &["CIS GCP 4.4", "NIST 800-53 AC-2", "NIST 800-53 IA-2"],
        rationale: "Without OS Login, SSH access is managed by keys in metadata: not tied to IAM, \
            not revoked when a person leaves, and not audited per user.",
        remediation: "Set enable-oslogin = \"TRUE\" in project metadata and remove the \"FALSE\" \
            override.",
        evidence: "metadata[\"enable-oslogin\"] (or the project metadata item's value)",
        format: Format::Terraform,
        kinds: METADATA_KINDS,
    },
    check: oslogin_off,
    cases: &[
        Case {
            name: "project turns it off",
            address: "google_compute_project_metadata.p",
            expect: Expect::Violation,
            source: "resource \"google_compute_project_metadata\" \"p\" {\n  metadata = {\n    enable-oslogin = \"FALSE\"\n  }\n}\n",
        },
        Case {
            name: "instance keeps the project setting",
            address: "google_compute_instance.vm",
            expect: Expect::Pass,
            source: "resource \"google_compute_instance\" \"vm\" {\n  name = \"vm\"\n}\n",
        },
        Case {
            name: "project item turns it on",
            address: "google_compute_project_metadata_item.os",
            expect: Expect::Pass,
            source: "resource \"google_compute_project_metadata_item\" \"os\" {\n  key   = \"enable-oslogin\"\n  value = \"TRUE\"\n}\n",
        },
    ],
};

fn oslogin_off(res: &Resource, _: &UnitView<'_>) -> Verdict {
    metadata_switch(res, "enable-oslogin", metadata_false, "OS Login off")
}

const INSTANCE_KINDS: &[&str] = &[
    "google_compute_instance",
    "google_compute_instance_template",
];

/// ## What it does
/// Flags a `google_compute_instance` or `google_compute_instance_template` whose metadata does
/// not set `block-project-ssh-keys` to true (`"true"`, `"TRUE"` or a bool), unless the same
/// metadata turns OS Login on (`enable-oslogin` true), under which metadata SSH keys are not
/// accepted at all.
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 4.3
/// - NIST SP 800-53 rev5 AC-2, AC-17
pub const PROJECT_SSH_KEYS_ALLOWED: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-compute-project-ssh-keys-allowed",
        title: "Instance accepts project-wide SSH keys",
        severity: Severity::Low,
        category: Category::Identity,
        standards: &["CIS GCP 4.3", "NIST 800-53 AC-2", "NIST 800-53 AC-17"],
        rationale: "A key in project metadata logs in to every instance of the project that does \
            not block it: one leaked or forgotten key reaches them all. Instances accept project \
            keys by default, so an absent block-project-ssh-keys is a violation, reported at low \
            severity because it is the default almost everywhere. OS Login on the instance \
            (enable-oslogin = TRUE in its metadata) ignores metadata keys and passes; OS Login \
            set only in project metadata is not seen here.",
        remediation: "Set metadata = { block-project-ssh-keys = \"TRUE\" } on the instance or \
            template and give it its own keys, or better, enable OS Login.",
        evidence: "metadata[\"block-project-ssh-keys\"] (absent means not blocked) and \
            metadata[\"enable-oslogin\"]",
        format: Format::Terraform,
        kinds: INSTANCE_KINDS,
    },
    check: project_ssh_keys_allowed,
    cases: &[
        Case {
            name: "no metadata",
            address: "google_compute_instance.vm",
            expect: Expect::Violation,
            source: "resource \"google_compute_instance\" \"vm\" {\n  name         = \"vm\"\n  machine_type = \"e2-small\"\n}\n",
        },
        Case {
            name: "template that says false",
            address: "google_compute_instance_template.t",
            expect: Expect::Violation,
            source: "resource \"google_compute_instance_template\" \"t\" {\n  machine_type = \"e2-small\"\n  metadata = {\n    block-project-ssh-keys = \"FALSE\"\n  }\n}\n",
        },
        Case {
            name: "blocked",
            address: "google_compute_instance.vm",
            expect: Expect::Pass,
            source: "resource \"google_compute_instance\" \"vm\" {\n  name         = \"vm\"\n  machine_type = \"e2-small\"\n  metadata = {\n    block-project-ssh-keys = \"TRUE\"\n  }\n}\n",
        },
        Case {
            name: "blocked with a bool",
            address: "google_compute_instance_template.t",
            expect: Expect::Pass,
            source: "resource \"google_compute_instance_template\" \"t\" {\n  machine_type = \"e2-small\"\n  metadata = {\n    block-project-ssh-keys = true\n  }\n}\n",
        },
        Case {
            name: "os login on the instance",
            address: "google_compute_instance.vm",
            expect: Expect::Pass,
            source: "resource \"google_compute_instance\" \"vm\" {\n  name         = \"vm\"\n  machine_type = \"e2-small\"\n  metadata = {\n    enable-oslogin = \"TRUE\"\n  }\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "google_compute_instance.vm",
            expect: Expect::Undecided,
            source: "variable \"block\" {}\nresource \"google_compute_instance\" \"vm\" {\n  name         = \"vm\"\n  machine_type = \"e2-small\"\n  metadata = {\n    block-project-ssh-keys = var.block\n  }\n}\n",
        },
        Case {
            name: "whole metadata from a variable without default",
            address: "google_compute_instance.vm",
            expect: Expect::Undecided,
            source: "variable \"metadata\" {}\nresource \"google_compute_instance\" \"vm\" {\n  name         = \"vm\"\n  machine_type = \"e2-small\"\n  metadata     = var.metadata\n}\n",
        },
    ],
};

/// Does a metadata key say true? Absent is false; unknown is `Maybe`.
fn metadata_says_true(res: &Resource, path: &SettingPath) -> Tri {
    match read_str(lookup(res, path)) {
        Read::Known(s) => Tri::from_bool(metadata_true(&s)),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    }
}

fn project_ssh_keys_allowed(res: &Resource, _: &UnitView<'_>) -> Verdict {
    let block = SettingPath::parse("metadata").key("block-project-ssh-keys");
    let oslogin = SettingPath::parse("metadata").key("enable-oslogin");
    let blocked = metadata_says_true(res, &block).or(metadata_says_true(res, &oslogin));
    let v = lookup(res, &block);
    verdict(
        !blocked,
        vec![ev(res, block.clone()), ev(res, oslogin)],
        || match read_str(v) {
            Read::Absent => {
                "project-wide SSH keys accepted (block-project-ssh-keys absent, default not \
                 blocked)"
                    .into()
            }
            _ => format!(
                "project-wide SSH keys accepted (block-project-ssh-keys = {})",
                show(v)
            ),
        },
        Scope::default(),
        || "block-project-ssh-keys or enable-oslogin is not known statically".into(),
    )
}

/// ## What it does
/// Flags a `google_compute_instance` or `google_compute_instance_template` with
/// `can_ip_forward = true` (default false).
///
/// ## References
/// - CIS Google Cloud Platform Foundation Benchmark v2.0, 4.6
/// - NIST SP 800-53 rev5 SC-7
pub const IP_FORWARDING: Rule = Rule {
    meta: RuleMeta {
        id: "gcp-compute-ip-forwarding",
        title: "Instance may forward packets for other addresses",
        severity: Severity::Medium,
        category: Category::Network,
        standards: &["CIS GCP 4.6", "NIST 800-53 SC-7"],
        rationale: "With IP forwarding the VPC delivers to the instance packets addressed to \
            others and lets it send packets from addresses not its own: a compromised instance \
            can route around firewall rules and spoof its neighbours. Off by default \
            (can_ip_forward false); only a written true is judged. NAT and appliance instances \
            need it, and should be few and known.",
        remediation: "Remove can_ip_forward (or set it false); use Cloud NAT or a managed \
            appliance instead of a forwarding instance.",
        evidence: "can_ip_forward",
        format: Format::Terraform,
        kinds: INSTANCE_KINDS,
    },
    check: ip_forwarding,
    cases: &[
        Case {
            name: "forwarding on",
            address: "google_compute_instance.nat",
            expect: Expect::Violation,
            source: "resource \"google_compute_instance\" \"nat\" {\n  name           = \"nat\"\n  machine_type   = \"e2-small\"\n  can_ip_forward = true\n}\n",
        },
        Case {
            name: "default",
            address: "google_compute_instance_template.t",
            expect: Expect::Pass,
            source: "resource \"google_compute_instance_template\" \"t\" {\n  machine_type = \"e2-small\"\n}\n",
        },
        Case {
            name: "from a variable without default",
            address: "google_compute_instance.nat",
            expect: Expect::Undecided,
            source: "variable \"fwd\" {}\nresource \"google_compute_instance\" \"nat\" {\n  name           = \"nat\"\n  machine_type   = \"e2-small\"\n  can_ip_forward = var.fwd\n}\n",
        },
    ],
};

fn ip_forwarding(res: &Resource, _: &UnitView<'_>) -> Verdict {
    flag_at(res, "can_ip_forward", false, true, "IP forwarding on")
}
