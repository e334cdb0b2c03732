//! The CloudFormation pack: the AWS concepts of the Terraform pack, judged by the same code.
//!
//! Each rule here is a thin adapter. It names the CloudFormation kinds and property names, gathers
//! what the concept needs from the template (the bucket's own `PublicAccessBlockConfiguration`
//! rather than a separate Terraform resource, `Policies[i].PolicyDocument` rather than
//! `inline_policy`), and hands it to the concept's one judgement in [`crate::rules::aws`]:
//! security-group ingress through [`crate::rules::helpers::ingress_entries`], which reads both
//! formats' entries into one shape; S3 ACLs and policies through `judge_acl_public` and
//! `judge_policy_public`; databases, volumes, IMDS, KMS and CloudTrail through the `_with`
//! functions that take a format's field names. A fix to a concept is therefore a fix for both
//! formats, and the rule's text (title, severity, standards, rationale) is the Terraform rule's,
//! with only the evidence and remediation restated in CloudFormation's names.
//!
//! Rule ids are the Terraform rule's with `cfn-` in place of `aws-`, so one concept reads the
//! same in every report.

use crate::model::{Format, Resource, SettingPath, Value};
use crate::rules::aws::{cloudtrail, ebs, ec2, iam, kms, rds, s3, sg};
use crate::rules::helpers::{attr_path, ev, read_str, Read, Tri};
use crate::rules::policy::{normalise, Document};
use crate::rules::{Case, Evidence, Expect, Rule, RuleMeta, UnitView, Verdict};

/// Every rule of the pack, sorted by id.
pub static RULES: &[Rule] = &[
    CLOUDTRAIL_LOG_VALIDATION_OFF,
    CLOUDTRAIL_LOGGING_OFF,
    CLOUDTRAIL_SINGLE_REGION,
    EBS_UNENCRYPTED,
    EC2_IMDSV1_ALLOWED,
    IAM_POLICY_ADMIN_WILDCARD,
    KMS_ROTATION_OFF,
    RDS_PUBLIC,
    RDS_STORAGE_UNENCRYPTED,
    S3_ACL_PUBLIC,
    S3_POLICY_PUBLIC,
    SG_ADMIN_PORT_PUBLIC,
    SG_ALL_PORTS_PUBLIC,
    SG_DATABASE_PORT_PUBLIC,
];

// ---------------------------------------------------------------------------------------------
// Security groups: the ingress entries of both formats are read into one shape by helpers.
// ---------------------------------------------------------------------------------------------

const SG_KINDS: &[&str] = &["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"];
const SG_EVIDENCE: &str = "SecurityGroupIngress[i].CidrIp / CidrIpv6, IpProtocol, FromPort and \
    ToPort of each world-open entry (or the same properties of an AWS::EC2::SecurityGroupIngress)";

const SG_OPEN: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
";

const SG_NARROW: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}
";

pub const SG_ADMIN_PORT_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-sg-admin-port-public",
        remediation: "Restrict CidrIp/CidrIpv6 to known networks (office, VPN) or remove the \
            entry and use Systems Manager Session Manager.",
        evidence: SG_EVIDENCE,
        format: Format::CloudFormation,
        kinds: SG_KINDS,
        ..sg::ADMIN_PORT_PUBLIC.meta
    },
    check: sg::admin_port_public,
    cases: &[
        Case {
            name: "ssh from the world",
            address: "Web",
            expect: Expect::Violation,
            source: SG_OPEN,
        },
        Case {
            name: "ssh from the VPN",
            address: "Web",
            expect: Expect::Pass,
            source: SG_NARROW,
        },
        Case {
            name: "standalone ingress, RDP from a parameter default",
            address: "Rdp",
            expect: Expect::Violation,
            source: r#"{
  "Parameters": {"Admin": {"Type": "String", "Default": "0.0.0.0/0"}},
  "Resources": {
    "Rdp": {
      "Type": "AWS::EC2::SecurityGroupIngress",
      "Properties": {"GroupId": "sg-1", "IpProtocol": "tcp", "FromPort": 3389,
                     "ToPort": 3389, "CidrIp": {"Ref": "Admin"}}
    }
  }
}"#,
        },
        Case {
            name: "source from a parameter without default",
            address: "Web",
            expect: Expect::Undecided,
            source: "\
Parameters:
  Admin: {Type: String}
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Admin}
",
        },
    ],
};

pub const SG_DATABASE_PORT_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-sg-database-port-public",
        remediation: "Restrict CidrIp/CidrIpv6 to the application's security group or private \
            networks; databases belong in private subnets.",
        evidence: SG_EVIDENCE,
        format: Format::CloudFormation,
        kinds: SG_KINDS,
        ..sg::DATABASE_PORT_PUBLIC.meta
    },
    check: sg::database_port_public,
    cases: &[
        Case {
            name: "postgres from the world",
            address: "Db",
            expect: Expect::Violation,
            source: "\
Resources:
  Db:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 0.0.0.0/0}
",
        },
        Case {
            name: "https only",
            address: "Web",
            expect: Expect::Pass,
            source: SG_NARROW,
        },
    ],
};

pub const SG_ALL_PORTS_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-sg-all-ports-public",
        remediation: "Replace IpProtocol -1 (or 0-65535) from the world with the ports the \
            service needs, from the networks that need them.",
        evidence: SG_EVIDENCE,
        format: Format::CloudFormation,
        kinds: SG_KINDS,
        ..sg::ALL_PORTS_PUBLIC.meta
    },
    check: sg::all_ports_public,
    cases: &[
        Case {
            name: "every protocol from the world over IPv6",
            address: "Open",
            expect: Expect::Violation,
            source: "\
Resources:
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: open
      SecurityGroupIngress:
        - {IpProtocol: '-1', CidrIpv6: '::/0'}
",
        },
        Case {
            name: "one port",
            address: "Web",
            expect: Expect::Pass,
            source: SG_NARROW,
        },
    ],
};

// ---------------------------------------------------------------------------------------------
// S3: the bucket carries its own public access block and ownership controls.
// ---------------------------------------------------------------------------------------------

fn bucket_pab(bucket: &Resource, flags: [&str; 2]) -> s3::Neutraliser {
    let base = attr_path("PublicAccessBlockConfiguration");
    let blocks: Vec<(&Resource, SettingPath)> = match bucket.get(&base) {
        None | Some(Value::Null) => Vec::new(),
        Some(_) => vec![(bucket, base)],
    };
    s3::neutraliser_of(&blocks, flags)
}

fn bucket_acls_disabled(bucket: &Resource) -> (Tri, Vec<Evidence>) {
    let base = SettingPath::parse("OwnershipControls.Rules");
    let mut t = Tri::No;
    let mut unknown = Vec::new();
    match bucket.get(&base) {
        Some(Value::List(rules)) => {
            for (i, r) in rules.iter().enumerate() {
                let p = base.index(i).key("ObjectOwnership");
                match read_str(r.as_map().and_then(|m| m.get("ObjectOwnership"))) {
                    Read::Known(o) => t = t.or(Tri::from_bool(o == "BucketOwnerEnforced")),
                    Read::Unknown => {
                        t = t.or(Tri::Maybe);
                        unknown.push(ev(bucket, p));
                    }
                    Read::Absent => {}
                }
            }
        }
        Some(v) if v.contains_unknown() => {
            t = Tri::Maybe;
            unknown.push(ev(bucket, base));
        }
        _ => {}
    }
    (t, unknown)
}

fn s3_acl_public(bucket: &Resource, _: &UnitView<'_>) -> Verdict {
    let mut grants = Vec::new();
    s3::canned_grant_at(bucket, "AccessControl", &mut grants);
    s3::judge_acl_public(
        &grants,
        || bucket_pab(bucket, ["BlockPublicAcls", "IgnorePublicAcls"]),
        || bucket_acls_disabled(bucket),
    )
}

pub const S3_ACL_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-s3-acl-public",
        remediation: "Remove AccessControl (or set Private), set OwnershipControls to \
            BucketOwnerEnforced, and enable PublicAccessBlockConfiguration.",
        evidence: "AccessControl, and PublicAccessBlockConfiguration.BlockPublicAcls / \
            IgnorePublicAcls (absent means false)",
        format: Format::CloudFormation,
        kinds: &["AWS::S3::Bucket"],
        ..s3::ACL_PUBLIC.meta
    },
    check: s3_acl_public,
    cases: &[
        Case {
            name: "public read",
            address: "Data",
            expect: Expect::Violation,
            source: "\
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
",
        },
        Case {
            name: "public read neutralised by the bucket's public access block",
            address: "Data",
            expect: Expect::Pass,
            source: "\
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
",
        },
        Case {
            name: "private",
            address: "Data",
            expect: Expect::Pass,
            source: "\
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: Private
",
        },
        Case {
            name: "ACL chosen by a condition",
            address: "Data",
            expect: Expect::Undecided,
            source: "\
Conditions:
  Open: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: !If [Open, PublicRead, Private]
",
        },
    ],
};

/// The bucket policies of a bucket in the template: `AWS::S3::BucketPolicy` whose `Bucket` is
/// `!Ref` the bucket or its literal `BucketName`.
fn bucket_policies(view: &UnitView<'_>, bucket: &Resource) -> Vec<Document> {
    let name = bucket.attr("BucketName").and_then(Value::as_str);
    view.of_kind("AWS::S3::BucketPolicy")
        .filter(|p| match p.attr("Bucket") {
            Some(Value::Ref(r)) => r == &bucket.address,
            Some(Value::String(s)) => name == Some(s.as_str()),
            _ => false,
        })
        .map(|p| {
            let base = attr_path("PolicyDocument");
            match p.get(&base) {
                Some(doc) => normalise(doc, &p.address, &base),
                None => Document::default(),
            }
        })
        .collect()
}

pub const S3_POLICY_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-s3-policy-public",
        remediation: "Name the principals in the AWS::S3::BucketPolicy (or add a condition such \
            as aws:SourceVpce), and enable PublicAccessBlockConfiguration.",
        evidence: "the public statements of each AWS::S3::BucketPolicy of the bucket, and \
            PublicAccessBlockConfiguration.BlockPublicPolicy / RestrictPublicBuckets",
        format: Format::CloudFormation,
        kinds: &["AWS::S3::Bucket"],
        ..s3::POLICY_PUBLIC.meta
    },
    check: |bucket, view| {
        let docs = bucket_policies(view, bucket);
        s3::judge_policy_public(&docs, || {
            bucket_pab(bucket, ["BlockPublicPolicy", "RestrictPublicBuckets"])
        })
    },
    cases: &[
        Case {
            name: "read for everyone",
            address: "Site",
            expect: Expect::Violation,
            source: "\
Resources:
  Site:
    Type: AWS::S3::Bucket
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: s3:GetObject
            Resource: !Sub 'arn:aws:s3:::${Site}/*'
",
        },
        Case {
            name: "read for one account",
            address: "Site",
            expect: Expect::Pass,
            source: "\
Resources:
  Site:
    Type: AWS::S3::Bucket
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: 'arn:aws:iam::111122223333:root'}
            Action: s3:GetObject
            Resource: '*'
",
        },
    ],
};

// ---------------------------------------------------------------------------------------------
// Databases, volumes, instance metadata, keys, trails: the concept takes the format's names.
// ---------------------------------------------------------------------------------------------

const CFN_DB: rds::DbFields = rds::DbFields {
    publicly_accessible: "PubliclyAccessible",
    public_unless: Some("DBSubnetGroupName"),
    storage_encrypted: "StorageEncrypted",
    replica_source: "SourceDBInstanceIdentifier",
    engine_mode: "EngineMode",
    cluster_kind: "AWS::RDS::DBCluster",
    snapshot: &["DBSnapshotIdentifier", "SnapshotIdentifier"],
};

pub const RDS_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-rds-public",
        remediation: "Set PubliclyAccessible: false and place the instance in a DBSubnetGroupName \
            of private subnets.",
        evidence: "PubliclyAccessible, and DBSubnetGroupName when PubliclyAccessible is absent",
        format: Format::CloudFormation,
        kinds: &["AWS::RDS::DBInstance"],
        ..rds::PUBLIC.meta
    },
    check: |res, _| rds::public_with(res, &CFN_DB),
    cases: &[
        Case {
            name: "publicly accessible",
            address: "Db",
            expect: Expect::Violation,
            source: "\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBSubnetGroupName: private
      PubliclyAccessible: true
",
        },
        Case {
            name: "private subnet group, flag absent",
            address: "Db",
            expect: Expect::Pass,
            source: "\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBSubnetGroupName: private
",
        },
        Case {
            name: "default VPC decides",
            address: "Db",
            expect: Expect::Undecided,
            source: "\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
",
        },
    ],
};

pub const RDS_STORAGE_UNENCRYPTED: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-rds-storage-unencrypted",
        remediation: "Set StorageEncrypted: true (with a KmsKeyId if a customer managed key is \
            needed); an existing database needs a snapshot-and-restore.",
        evidence: "StorageEncrypted (absent means false)",
        format: Format::CloudFormation,
        kinds: &["AWS::RDS::DBCluster", "AWS::RDS::DBInstance"],
        ..rds::STORAGE_UNENCRYPTED.meta
    },
    check: |res, _| {
        // An instance of a cluster stores nothing of its own: the cluster is judged.
        if res.kind == "AWS::RDS::DBInstance"
            && !matches!(res.attr("DBClusterIdentifier"), None | Some(Value::Null))
        {
            return Verdict::Pass;
        }
        rds::storage_unencrypted_with(res, &CFN_DB)
    },
    cases: &[
        Case {
            name: "absent",
            address: "Db",
            expect: Expect::Violation,
            source: "\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: mysql}
",
        },
        Case {
            name: "encrypted cluster",
            address: "Cluster",
            expect: Expect::Pass,
            source: "\
Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties: {Engine: aurora-postgresql, StorageEncrypted: true}
",
        },
        Case {
            name: "member of a cluster",
            address: "Member",
            expect: Expect::Pass,
            source: "\
Resources:
  Member:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: aurora-postgresql, DBClusterIdentifier: main}
",
        },
    ],
};

pub const EBS_UNENCRYPTED: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-ebs-unencrypted",
        remediation: "Set Encrypted: true (and a KmsKeyId if needed), or turn on EBS encryption \
            by default for the account and region.",
        evidence: "Encrypted (absent means false), and SnapshotId when the volume is restored",
        format: Format::CloudFormation,
        kinds: &["AWS::EC2::Volume"],
        ..ebs::UNENCRYPTED.meta
    },
    check: |res, _| {
        let f = ebs::VolumeFields {
            encrypted: "Encrypted",
            snapshot: "SnapshotId",
        };
        // Encryption by default is an account setting CloudFormation does not declare.
        ebs::volume_unencrypted_with(res, &f, Tri::No)
    },
    cases: &[
        Case {
            name: "explicitly unencrypted",
            address: "Vol",
            expect: Expect::Violation,
            source: "\
Resources:
  Vol:
    Type: AWS::EC2::Volume
    Properties: {AvailabilityZone: eu-west-1a, Size: 10, Encrypted: false}
",
        },
        Case {
            name: "encrypted",
            address: "Vol",
            expect: Expect::Pass,
            source: "\
Resources:
  Vol:
    Type: AWS::EC2::Volume
    Properties: {AvailabilityZone: eu-west-1a, Size: 10, Encrypted: true}
",
        },
        Case {
            name: "from a snapshot",
            address: "Vol",
            expect: Expect::Undecided,
            source: "\
Resources:
  Vol:
    Type: AWS::EC2::Volume
    Properties: {AvailabilityZone: eu-west-1a, SnapshotId: snap-1}
",
        },
    ],
};

const CFN_METADATA: ec2::MetadataFields = ec2::MetadataFields {
    block: "MetadataOptions",
    tokens: "HttpTokens",
    endpoint: "HttpEndpoint",
};

/// A launch template's own metadata options.
fn template_metadata(lt: &Resource) -> (Tri, Vec<Evidence>, String) {
    let path = SettingPath::parse("LaunchTemplateData.MetadataOptions");
    match lt.get(&path) {
        Some(v @ Value::Map(_)) => {
            ec2::metadata_judgement(lt, Some((path.clone(), v)), Vec::new(), path, &CFN_METADATA)
        }
        Some(v) if v.contains_unknown() => {
            ec2::metadata_judgement(lt, None, vec![path.clone()], path, &CFN_METADATA)
        }
        _ => ec2::metadata_judgement(lt, None, Vec::new(), path, &CFN_METADATA),
    }
}

fn imdsv1_allowed(res: &Resource, view: &UnitView<'_>) -> Verdict {
    let (t, evidence, label) = if res.kind == "AWS::EC2::LaunchTemplate" {
        template_metadata(res)
    } else {
        // An instance has no metadata options of its own in CloudFormation: its launch
        // template's apply, or the optional-token default.
        let lt_path = SettingPath::parse("LaunchTemplate.LaunchTemplateId");
        match res.get(&lt_path) {
            None | Some(Value::Null) if res.attr("LaunchTemplate").is_none() => (
                Tri::Yes,
                vec![ev(res, attr_path("LaunchTemplate"))],
                format!(
                    "{} has no launch template: HttpTokens defaults to optional",
                    res.address
                ),
            ),
            Some(Value::Ref(id)) => match view.get(id) {
                Some(lt) if lt.kind == "AWS::EC2::LaunchTemplate" => template_metadata(lt),
                _ => (
                    Tri::Maybe,
                    vec![ev(res, lt_path)],
                    format!(
                        "{} uses a launch template outside this template",
                        res.address
                    ),
                ),
            },
            _ => (
                Tri::Maybe,
                vec![ev(res, attr_path("LaunchTemplate"))],
                format!(
                    "{} uses a launch template outside this template",
                    res.address
                ),
            ),
        }
    };
    ec2::imds_verdict(t, evidence, label)
}

pub const EC2_IMDSV1_ALLOWED: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-ec2-imdsv1-allowed",
        remediation: "Set LaunchTemplateData.MetadataOptions.HttpTokens: required in the launch \
            template the instances use.",
        evidence: "LaunchTemplateData.MetadataOptions.HttpTokens (absent means optional) and \
            HttpEndpoint when written; an instance's LaunchTemplate",
        format: Format::CloudFormation,
        kinds: &["AWS::EC2::Instance", "AWS::EC2::LaunchTemplate"],
        ..ec2::IMDSV1_ALLOWED.meta
    },
    check: imdsv1_allowed,
    cases: &[
        Case {
            name: "optional tokens",
            address: "Lt",
            expect: Expect::Violation,
            source: "\
Resources:
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions: {HttpTokens: optional}
",
        },
        Case {
            name: "instance from a template that requires tokens",
            address: "Web",
            expect: Expect::Pass,
            source: "\
Resources:
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions: {HttpTokens: required}
  Web:
    Type: AWS::EC2::Instance
    Properties:
      LaunchTemplate:
        LaunchTemplateId: !Ref Lt
        Version: !GetAtt Lt.LatestVersionNumber
",
        },
        Case {
            name: "tokens from a parameter without default",
            address: "Lt",
            expect: Expect::Undecided,
            source: "\
Parameters:
  Tokens: {Type: String}
Resources:
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions: {HttpTokens: !Ref Tokens}
",
        },
    ],
};

pub const KMS_ROTATION_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-kms-rotation-off",
        remediation: "Set EnableKeyRotation: true.",
        evidence: "EnableKeyRotation (absent means false), and KeySpec when written",
        format: Format::CloudFormation,
        kinds: &["AWS::KMS::Key"],
        ..kms::ROTATION_OFF.meta
    },
    check: |res, _| {
        kms::rotation_off_with(
            res,
            &kms::KeyFields {
                spec: "KeySpec",
                rotation: "EnableKeyRotation",
            },
        )
    },
    cases: &[
        Case {
            name: "absent",
            address: "Key",
            expect: Expect::Violation,
            source: "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties: {Description: data}\n",
        },
        Case {
            name: "rotated",
            address: "Key",
            expect: Expect::Pass,
            source: "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties: {EnableKeyRotation: true}\n",
        },
        Case {
            name: "signing key",
            address: "Key",
            expect: Expect::Pass,
            source: "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties: {KeySpec: ECC_NIST_P256, KeyUsage: SIGN_VERIFY}\n",
        },
    ],
};

pub const CLOUDTRAIL_LOGGING_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-cloudtrail-logging-off",
        remediation: "Set IsLogging: true.",
        evidence: "IsLogging",
        format: Format::CloudFormation,
        kinds: &["AWS::CloudTrail::Trail"],
        ..cloudtrail::LOGGING_OFF.meta
    },
    check: |res, _| cloudtrail::trail_flag(res, "IsLogging", true, false, "trail is not logging"),
    cases: &[
        Case {
            name: "stopped",
            address: "Trail",
            expect: Expect::Violation,
            source: "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {S3BucketName: logs, IsLogging: false}\n",
        },
        Case {
            name: "logging",
            address: "Trail",
            expect: Expect::Pass,
            source: "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {S3BucketName: logs, IsLogging: true, IsMultiRegionTrail: true}\n",
        },
        Case {
            name: "from a parameter without default",
            address: "Trail",
            expect: Expect::Undecided,
            source: "Parameters:\n  On: {Type: String}\nResources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {S3BucketName: logs, IsLogging: !Ref On}\n",
        },
    ],
};

pub const CLOUDTRAIL_SINGLE_REGION: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-cloudtrail-single-region",
        remediation: "Set IsMultiRegionTrail: true.",
        evidence: "IsMultiRegionTrail (absent means false)",
        format: Format::CloudFormation,
        kinds: &["AWS::CloudTrail::Trail"],
        ..cloudtrail::SINGLE_REGION.meta
    },
    check: |res, _| {
        cloudtrail::trail_flag(
            res,
            "IsMultiRegionTrail",
            false,
            false,
            "trail records one region only",
        )
    },
    cases: &[
        Case {
            name: "absent",
            address: "Trail",
            expect: Expect::Violation,
            source: "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {S3BucketName: logs, IsLogging: true}\n",
        },
        Case {
            name: "all regions",
            address: "Trail",
            expect: Expect::Pass,
            source: "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {S3BucketName: logs, IsLogging: true, IsMultiRegionTrail: true}\n",
        },
    ],
};

pub const CLOUDTRAIL_LOG_VALIDATION_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-cloudtrail-log-validation-off",
        remediation: "Set EnableLogFileValidation: true.",
        evidence: "EnableLogFileValidation (absent means false)",
        format: Format::CloudFormation,
        kinds: &["AWS::CloudTrail::Trail"],
        ..cloudtrail::LOG_VALIDATION_OFF.meta
    },
    check: |res, _| {
        cloudtrail::trail_flag(
            res,
            "EnableLogFileValidation",
            false,
            false,
            "log file validation is off",
        )
    },
    cases: &[
        Case {
            name: "absent",
            address: "Trail",
            expect: Expect::Violation,
            source: "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {S3BucketName: logs, IsLogging: true}\n",
        },
        Case {
            name: "on",
            address: "Trail",
            expect: Expect::Pass,
            source: "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {S3BucketName: logs, IsLogging: true, EnableLogFileValidation: true}\n",
        },
    ],
};

/// The identity policies a CloudFormation IAM resource carries: its `PolicyDocument`, or the
/// `Policies[i].PolicyDocument` of a role, user or group.
fn identity_policies(res: &Resource) -> Vec<Document> {
    let own = attr_path("PolicyDocument");
    if let Some(doc) = res.get(&own) {
        return vec![normalise(doc, &res.address, &own)];
    }
    let base = attr_path("Policies");
    match res.get(&base) {
        Some(Value::List(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let path = base.index(i).key("PolicyDocument");
                p.as_map()
                    .and_then(|m| m.get("PolicyDocument"))
                    .map(|doc| normalise(doc, &res.address, &path))
            })
            .collect(),
        Some(v) if v.contains_unknown() => {
            let mut d = Document::default();
            d.unknown.push((
                ev(res, base),
                "Policies is not known statically".to_string(),
            ));
            vec![d]
        }
        _ => Vec::new(),
    }
}

pub const IAM_POLICY_ADMIN_WILDCARD: Rule = Rule {
    meta: RuleMeta {
        id: "cfn-iam-policy-admin-wildcard",
        remediation: "List the actions and resources the identity needs in the PolicyDocument; \
            use AWS managed job-function policies where they fit.",
        evidence: "the Action and Resource of each Allow statement of PolicyDocument (or \
            Policies[i].PolicyDocument) granting * on *",
        format: Format::CloudFormation,
        kinds: &[
            "AWS::IAM::Group",
            "AWS::IAM::ManagedPolicy",
            "AWS::IAM::Policy",
            "AWS::IAM::Role",
            "AWS::IAM::User",
        ],
        ..iam::POLICY_ADMIN_WILDCARD.meta
    },
    check: |res, _| iam::admin_wildcard(&identity_policies(res)),
    cases: &[
        Case {
            name: "role with an admin inline policy",
            address: "Deploy",
            expect: Expect::Violation,
            source: "\
Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: admin
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: '*', Resource: '*'}
",
        },
        Case {
            name: "managed policy for one bucket",
            address: "Read",
            expect: Expect::Pass,
            source: "\
Resources:
  Read:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*'}
",
        },
        Case {
            name: "action from a parameter without default",
            address: "P",
            expect: Expect::Undecided,
            source: "\
Parameters:
  Act: {Type: String}
Resources:
  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: !Ref Act, Resource: '*'}
",
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_every_rule_shares_a_terraform_concept() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.meta.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);
        for r in RULES {
            assert_eq!(r.meta.format, Format::CloudFormation);
            let twin = r.meta.id.replacen("cfn-", "aws-", 1);
            let tf = crate::rules::find(crate::rules::aws::RULES, &twin)
                .unwrap_or_else(|| panic!("{} has no Terraform twin", r.meta.id));
            assert_eq!(r.meta.title, tf.meta.title);
            assert_eq!(r.meta.severity, tf.meta.severity);
        }
    }
}
