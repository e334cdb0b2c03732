//! RDS: databases reachable from the internet, unencrypted storage, and master passwords written
//! in the code.

use crate::model::{Format, Resource, Value};
use crate::rules::helpers::{attr_path, bool_is, ev, read_str, show, verdict, Read, Tri};
use crate::rules::{Case, Category, Expect, Rule, RuleMeta, Scope, Severity, UnitView, Verdict};

/// ## What it does
/// Flags an `aws_db_instance` or `aws_rds_cluster_instance` with `publicly_accessible = true`.
///
/// ## Why is this bad?
/// The instance gets a public DNS name and address; the database is then one security group rule
/// (or one mistake in it) away from the internet.
///
/// ## Example
/// ```hcl
/// resource "aws_db_instance" "main" {
///   publicly_accessible = true
/// }
/// ```
/// Use instead: `publicly_accessible = false` (the default) in private subnets.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 2.3.3
/// - NIST SP 800-53 rev5 SC-7, AC-3
/// - <https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding>
pub const PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "aws-rds-public",
        title: "RDS database instance is publicly accessible",
        severity: Severity::High,
        category: Category::Network,
        standards: &["CIS AWS 2.3.3", "NIST 800-53 SC-7", "NIST 800-53 AC-3"],
        rationale: "A publicly accessible instance has a public address; only its security \
            groups stand between the database and the internet.",
        remediation: "Set publicly_accessible = false and place the instance in private subnets; \
            reach it through the application tier, a VPN or a bastion.",
        evidence: "publicly_accessible",
        format: Format::Terraform,
        kinds: &["aws_db_instance", "aws_rds_cluster_instance"],
    },
    check: public,
    cases: &[
        Case {
            name: "publicly accessible instance",
            address: "aws_db_instance.main",
            expect: Expect::Violation,
            source: r#"
resource "aws_db_instance" "main" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = true
  storage_encrypted   = true
}
"#,
        },
        Case {
            name: "publicly accessible aurora instance",
            address: "aws_rds_cluster_instance.a",
            expect: Expect::Violation,
            source: r#"
resource "aws_rds_cluster_instance" "a" {
  cluster_identifier  = "main"
  instance_class      = "db.r6g.large"
  publicly_accessible = "true"
}
"#,
        },
        Case {
            name: "default is private",
            address: "aws_db_instance.main",
            expect: Expect::Pass,
            source: r#"
resource "aws_db_instance" "main" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
}
"#,
        },
        Case {
            name: "from a variable without default",
            address: "aws_db_instance.main",
            expect: Expect::Undecided,
            source: r#"
variable "public" {}

resource "aws_db_instance" "main" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = var.public
}
"#,
        },
    ],
};

/// The names a format gives a database's settings: each concept is judged once, by the `_with`
/// functions below, for every format.
pub(crate) struct DbFields {
    pub publicly_accessible: &'static str,
    /// When set, an absent `publicly_accessible` with this (the subnet group) absent too is
    /// undecided: CloudFormation then makes the instance public exactly when the default VPC has
    /// an internet gateway, which the template does not show.
    pub public_unless: Option<&'static str>,
    pub storage_encrypted: &'static str,
    pub replica_source: &'static str,
    pub engine_mode: &'static str,
    pub cluster_kind: &'static str,
    /// The settings that restore the database from a snapshot, whose encryption it then has.
    pub snapshot: &'static [&'static str],
}

const TF_DB: DbFields = DbFields {
    publicly_accessible: "publicly_accessible",
    public_unless: None,
    storage_encrypted: "storage_encrypted",
    replica_source: "replicate_source_db",
    engine_mode: "engine_mode",
    cluster_kind: "aws_rds_cluster",
    snapshot: &["snapshot_identifier"],
};

fn public(res: &Resource, _: &UnitView<'_>) -> Verdict {
    public_with(res, &TF_DB)
}

/// A database instance reachable from the internet.
pub(crate) fn public_with(res: &Resource, f: &DbFields) -> Verdict {
    let attr = f.publicly_accessible;
    let v = res.attr(attr);
    let default_vpc = f
        .public_unless
        .filter(|subnets| matches!(res.attr(subnets), None | Some(Value::Null)));
    let t = match (v, default_vpc) {
        (None | Some(Value::Null), Some(_)) => Tri::Maybe,
        _ => bool_is(v, false, true),
    };
    let mut evidence = vec![ev(res, attr_path(attr))];
    evidence.extend(default_vpc.map(attr_path).map(|p| ev(res, p)));
    verdict(
        t,
        evidence,
        || format!("{attr} = true"),
        Scope::default(),
        || match default_vpc {
            Some(subnets) if v.is_none() => format!(
                "{attr} and {subnets} absent: public exactly when the default VPC has an internet \
                 gateway"
            ),
            _ => format!("{attr} is not known statically: {}", show(v)),
        },
    )
}

/// ## What it does
/// Flags an `aws_db_instance` or `aws_rds_cluster` whose `storage_encrypted` is false or absent
/// (the default is false, except for Aurora Serverless v1 clusters, which are always encrypted).
/// Read replicas (`replicate_source_db`) inherit the source's encryption and pass.
///
/// ## Why is this bad?
/// The database files, automated backups, snapshots and replicas are stored in clear; a leaked
/// or shared snapshot gives the data away. Encryption cannot be switched on later without a
/// snapshot-and-restore.
///
/// ## Example
/// ```hcl
/// resource "aws_db_instance" "main" {
///   engine = "mysql"
/// }
/// ```
/// Use instead: `storage_encrypted = true`, with a customer managed `kms_key_id` if needed.
///
/// ## References
/// - CIS AWS Foundations Benchmark v3.0, 2.3.1
/// - NIST SP 800-53 rev5 SC-28
/// - <https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html>
pub const STORAGE_UNENCRYPTED: Rule = Rule {
    meta: RuleMeta {
        id: "aws-rds-storage-unencrypted",
        title: "RDS storage is not encrypted",
        severity: Severity::Medium,
        category: Category::Encryption,
        standards: &["CIS AWS 2.3.1", "NIST 800-53 SC-28"],
        rationale: "Unencrypted database storage leaves data files, backups, snapshots and \
            replicas readable to anyone who obtains them, e.g. through a shared snapshot.",
        remediation: "Set storage_encrypted = true (an existing database needs a snapshot, an \
            encrypted copy and a restore).",
        evidence: "storage_encrypted (absent means false)",
        format: Format::Terraform,
        kinds: &["aws_db_instance", "aws_rds_cluster"],
    },
    check: storage_unencrypted,
    cases: &[
        Case {
            name: "absent means unencrypted",
            address: "aws_db_instance.main",
            expect: Expect::Violation,
            source: r#"
resource "aws_db_instance" "main" {
  engine         = "mysql"
  instance_class = "db.t3.micro"
}
"#,
        },
        Case {
            name: "cluster with encryption off",
            address: "aws_rds_cluster.main",
            expect: Expect::Violation,
            source: r#"
resource "aws_rds_cluster" "main" {
  engine            = "aurora-postgresql"
  storage_encrypted = false
}
"#,
        },
        Case {
            name: "encrypted",
            address: "aws_db_instance.main",
            expect: Expect::Pass,
            source: r#"
resource "aws_db_instance" "main" {
  engine            = "mysql"
  instance_class    = "db.t3.micro"
  storage_encrypted = true
}
"#,
        },
        Case {
            name: "restored from a snapshot: its encryption is the snapshot's",
            address: "aws_db_instance.restored",
            expect: Expect::Undecided,
            source: r#"
resource "aws_db_instance" "restored" {
  instance_class      = "db.t3.micro"
  snapshot_identifier = "rds:prod-2024-06-01"
}
"#,
        },
        Case {
            name: "read replica inherits",
            address: "aws_db_instance.replica",
            expect: Expect::Pass,
            source: r#"
resource "aws_db_instance" "replica" {
  instance_class      = "db.t3.micro"
  replicate_source_db = "main"
}
"#,
        },
        Case {
            name: "serverless v1 cluster is always encrypted",
            address: "aws_rds_cluster.sls",
            expect: Expect::Pass,
            source: r#"
resource "aws_rds_cluster" "sls" {
  engine      = "aurora-mysql"
  engine_mode = "serverless"
}
"#,
        },
        Case {
            name: "from a variable without default",
            address: "aws_db_instance.main",
            expect: Expect::Undecided,
            source: r#"
variable "encrypted" {}

resource "aws_db_instance" "main" {
  engine            = "mysql"
  instance_class    = "db.t3.micro"
  storage_encrypted = var.encrypted
}
"#,
        },
    ],
};

fn storage_unencrypted(res: &Resource, _: &UnitView<'_>) -> Verdict {
    storage_unencrypted_with(res, &TF_DB)
}

/// Database storage left unencrypted (absent means unencrypted, except where always encrypted).
pub(crate) fn storage_unencrypted_with(res: &Resource, f: &DbFields) -> Verdict {
    // A replica inherits its source's encryption. A reference names a source; an unknown may be
    // null (no replica).
    let replica = match res.attr(f.replica_source) {
        None | Some(Value::Null) => Tri::No,
        Some(Value::Ref(_)) => Tri::Yes,
        Some(Value::String(s)) => Tri::from_bool(!s.trim().is_empty()),
        Some(_) => Tri::Maybe,
    };
    let serverless_v1 = res.kind == f.cluster_kind
        && matches!(read_str(res.attr(f.engine_mode)), Read::Known(m) if m == "serverless");
    let attr = f.storage_encrypted;
    let v = res.attr(attr);
    let off = bool_is(v, serverless_v1, false);
    let mut t = off.and(!replica);
    let mut evidence = vec![ev(res, attr_path(attr))];
    if t == Tri::Maybe && replica == Tri::Maybe {
        evidence.push(ev(res, attr_path(f.replica_source)));
    }
    // Restored from a snapshot: encrypted exactly when the snapshot is, which the code does not
    // show (an encrypted snapshot gives an encrypted database whatever the setting says).
    let snapshot = f.snapshot.iter().find(|s| match res.attr(s) {
        None | Some(Value::Null) => false,
        Some(Value::String(x)) => !x.trim().is_empty(),
        Some(_) => true,
    });
    if let (Some(s), Tri::Yes) = (snapshot, t) {
        t = Tri::Maybe;
        evidence.push(ev(res, attr_path(s)));
        return verdict(t, evidence, String::new, Scope::default(), || {
            format!("restored from a snapshot ({s}): its encryption follows the snapshot, which the code does not show")
        });
    }
    verdict(
        t,
        evidence,
        || match v {
            None | Some(Value::Null) => format!("{attr} absent (defaults to false)"),
            _ => format!("{attr} = false"),
        },
        Scope::default(),
        || format!("{attr} or {} is not known statically", f.replica_source),
    )
}

const PASSWORD_ATTRS: &[&str] = &[
    "master_password",
    "master_password_wo",
    "password",
    "password_wo",
];

/// ## What it does
/// Flags an `aws_db_instance` or `aws_rds_cluster` whose `password` or `master_password` (or their
/// write-only `_wo` forms) is a string written in the code: a literal, or a variable default or
/// tfvars value committed with it. A reference (`random_password.db.result`) or a variable
/// without default is not in the code and passes.
///
/// ## Why is this bad?
/// Everyone who can read the repository, its forks, clones and CI logs, now and for the rest of
/// its history, has the database's master password. Removing it later does not remove it from
/// git.
///
/// ## Example
/// ```hcl
/// resource "aws_db_instance" "main" {
///   password = "hunter22"
/// }
/// ```
/// Use instead: `manage_master_user_password = true` (Secrets Manager), or a variable without
/// default fed from a secret store; then rotate the leaked password.
///
/// ## References
/// - NIST SP 800-53 rev5 IA-5 (IA-5(7): no embedded unencrypted static authenticators)
/// - CWE-798
pub const PASSWORD_LITERAL: Rule = Rule {
    meta: RuleMeta {
        id: "aws-db-password-literal",
        title: "Database master password is written in the code",
        severity: Severity::High,
        category: Category::Secrets,
        standards: &["NIST 800-53 IA-5"],
        rationale: "A password in the repository is known to everyone who can read it, its \
            clones and CI logs, for the rest of its history.",
        remediation: "Use manage_master_user_password = true, or a variable without default fed \
            from a secret store, and rotate the exposed password.",
        evidence: "password / master_password (the value is never printed)",
        format: Format::Terraform,
        kinds: &["aws_db_instance", "aws_rds_cluster"],
    },
    check: password_literal,
    cases: &[
        Case {
            name: "literal password",
            address: "aws_db_instance.main",
            expect: Expect::Violation,
            source: r#"
resource "aws_db_instance" "main" {
  engine   = "mysql"
  username = "admin"
  password = "hunter2hunter2"
}
"#,
        },
        Case {
            name: "variable default committed",
            address: "aws_rds_cluster.main",
            expect: Expect::Violation,
            source: r#"
variable "db_password" {
  default = "changeme123"
}

resource "aws_rds_cluster" "main" {
  engine          = "aurora-postgresql"
  master_username = "admin"
  master_password = var.db_password
}
"#,
        },
        Case {
            name: "variable without default",
            address: "aws_db_instance.main",
            expect: Expect::Pass,
            source: r#"
variable "db_password" {
  sensitive = true
}

resource "aws_db_instance" "main" {
  engine   = "mysql"
  username = "admin"
  password = var.db_password
}
"#,
        },
        Case {
            name: "generated password",
            address: "aws_db_instance.main",
            expect: Expect::Pass,
            source: r#"
resource "random_password" "db" {
  length = 32
}

resource "aws_db_instance" "main" {
  engine   = "mysql"
  username = "admin"
  password = random_password.db.result
}
"#,
        },
        Case {
            name: "managed by secrets manager",
            address: "aws_rds_cluster.main",
            expect: Expect::Pass,
            source: r#"
resource "aws_rds_cluster" "main" {
  engine                      = "aurora-postgresql"
  master_username             = "admin"
  manage_master_user_password = true
}
"#,
        },
    ],
};

fn password_literal(res: &Resource, _: &UnitView<'_>) -> Verdict {
    crate::rules::provider_credentials::literal_secrets(res, PASSWORD_ATTRS, "in the code", false)
}
