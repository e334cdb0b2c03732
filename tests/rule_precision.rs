//! Rules that hold on real code (issue 19), each shape told as a small history and scanned end to
//! end: Pod Security Standards fields left unset, IAM documents judged where they are defined, a
//! Deny that takes an Allow away, bucket-policy conditions judged by what they narrow, a bucket
//! policy whose bucket lives elsewhere, and CloudFormation YAML that only the AWS CLI's reader
//! accepts.

mod common;

use common::{exposures, scan_json, Fixture};
use serde_json::Value;

const ALICE: &str = "Alice Provider <alice@msp.example>";
const CAROL: &str = "Carol Client <carol@client.example>";

fn summary(w: &Value) -> &str {
    w["summary"].as_str().unwrap_or_default()
}

fn deployment(security_context: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: api, namespace: shop}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api:1\n{security_context}"
    )
}

#[test]
fn restricted_fields_left_unset_open_low_windows_and_an_explicit_true_opens_its_own() {
    let mut f = Fixture::new();
    f.write("k8s/api.yaml", &deployment(""));
    let created = f.commit(ALICE, "deploy the api");
    f.write(
        "k8s/api.yaml",
        &deployment("          securityContext: {allowPrivilegeEscalation: true}\n"),
    );
    let chosen = f.commit(CAROL, "the api needs sudo");
    f.write(
        "k8s/api.yaml",
        &deployment(
            "          securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true}\n",
        ),
    );
    let fixed = f.commit(ALICE, "restricted profile");
    let r = scan_json(&f.repo());

    let unset = exposures(&r, "k8s-privilege-escalation-not-disabled");
    assert_eq!(unset.len(), 1, "{r:#}");
    let w = unset[0];
    assert_eq!(w["rule"]["severity"], "low");
    assert_eq!(w["opened"]["landing"], created.as_str());
    assert_eq!(w["closed"]["landing"], fixed.as_str());
    assert!(summary(w).contains("not set"), "{w:#}");
    // Writing true later is no remediation of the unset window: it stays open through it.
    assert_eq!(w["remediation"]["commit"], fixed.as_str());

    let explicit = exposures(&r, "k8s-privilege-escalation-allowed");
    assert_eq!(explicit.len(), 1, "{r:#}");
    assert_eq!(explicit[0]["rule"]["severity"], "medium");
    assert_eq!(explicit[0]["opened"]["landing"], chosen.as_str());
    assert_eq!(explicit[0]["closed"]["landing"], fixed.as_str());

    let non_root = exposures(&r, "k8s-run-as-non-root-not-required");
    assert_eq!(non_root.len(), 1, "{r:#}");
    assert_eq!(non_root[0]["opened"]["landing"], created.as_str());
    assert_eq!(non_root[0]["closed"]["landing"], fixed.as_str());
}

#[test]
fn a_pod_level_run_as_non_root_covers_its_containers() {
    let mut f = Fixture::new();
    f.write(
        "k8s/db.yaml",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      securityContext: {runAsNonRoot: true}\n      containers:\n        - name: db\n          image: postgres:16\n          securityContext: {allowPrivilegeEscalation: false}\n",
    );
    f.commit(ALICE, "db");
    let r = scan_json(&f.repo());
    assert!(exposures(&r, "k8s-run-as-non-root-not-required").is_empty());
    assert!(exposures(&r, "k8s-privilege-escalation-not-disabled").is_empty());
}

#[test]
fn an_iam_document_is_judged_where_defined_and_a_covering_deny_cancels() {
    let mut f = Fixture::new();
    f.write(
        "iam/main.tf",
        r#"
data "aws_iam_policy_document" "unused" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "etl" {
  role = "etl"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::exports/*" }]
  })
}

resource "aws_iam_policy" "quarantined" {
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "*", Resource = "*" },
      { Effect = "Deny", Action = "*", Resource = "*" },
    ]
  })
}
"#,
    );
    let open = f.commit(ALICE, "iam");
    let r = scan_json(&f.repo());
    let admin: Vec<&str> = exposures(&r, "aws-iam-policy-admin-wildcard")
        .iter()
        .filter_map(|w| w["resource"]["address"].as_str())
        .collect();
    assert_eq!(admin, ["data.aws_iam_policy_document.unused"], "{r:#}");
    let all = exposures(&r, "aws-iam-policy-all-actions");
    assert_eq!(all.len(), 1, "{r:#}");
    assert_eq!(all[0]["resource"]["address"], "aws_iam_role_policy.etl");
    assert_eq!(all[0]["opened"]["landing"], open.as_str());
    assert!(summary(all[0]).contains("arn:aws:s3:::exports/*"));
}

fn bucket_policy(condition: &str) -> String {
    format!(
        r#"
resource "aws_s3_bucket" "data" {{
  bucket = "example-data"
}}

resource "aws_s3_bucket_policy" "data" {{
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({{
    Statement = [{{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::example-data/*"
      {condition}
    }}]
  }})
}}
"#
    )
}

#[test]
fn a_bucket_policy_condition_counts_only_when_it_narrows_who_can_call() {
    let mut f = Fixture::new();
    f.write(
        "s3/main.tf",
        &bucket_policy(r#"Condition = { StringEquals = { "aws:SourceVpce" = "vpce-1a2b3c4d" } }"#),
    );
    f.commit(ALICE, "bucket reachable from the endpoint");
    f.write(
        "s3/main.tf",
        &bucket_policy(
            r#"Condition = { ArnLike = { "aws:PrincipalArn" = "arn:aws:iam::*:role/reader" } }"#,
        ),
    );
    let widened = f.commit(CAROL, "readers in any account");
    let r = scan_json(&f.repo());
    let w = exposures(&r, "aws-s3-policy-public");
    assert_eq!(w.len(), 1, "{r:#}");
    assert_eq!(w[0]["opened"]["landing"], widened.as_str());
    assert!(
        summary(w[0]).contains("no condition that narrows who can call"),
        "{}",
        summary(w[0])
    );
}

#[test]
fn a_bucket_policy_for_a_bucket_managed_elsewhere_is_judged_on_its_own() {
    let mut f = Fixture::new();
    f.write(
        "shared/policy.tf",
        r#"
resource "aws_s3_bucket_policy" "shared" {
  bucket = "shared-exports"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::shared-exports/*"
    }]
  })
}
"#,
    );
    let open = f.commit(ALICE, "share the exports");
    let r = scan_json(&f.repo());
    let w = exposures(&r, "aws-s3-policy-public");
    assert_eq!(w.len(), 1, "{r:#}");
    assert_eq!(w[0]["resource"]["address"], "aws_s3_bucket_policy.shared");
    assert_eq!(w[0]["opened"]["landing"], open.as_str());
}

#[test]
fn cloudformation_yaml_that_the_aws_cli_accepts_is_read() {
    let mut f = Fixture::new();
    f.write(
        "cfn/web.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: 'web servers, reachable\n      from anywhere on ssh'\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n  Policy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: logs\n      PolicyDocument:\n        Statement:\n          - Effect: Deny\n            Principal: '*'\n            Action: s3:PutObject\n            Resource: arn:aws:s3:::logs/*\n            Condition:\n              StringNotEquals:\n                's3:x-amz-server-side-encryption': [\n                  \"aws:kms\"\n              ]\n",
    );
    f.commit(ALICE, "web");
    let r = scan_json(&f.repo());
    assert_eq!(r["blind_spots"], serde_json::json!([]), "{r:#}");
    let w = exposures(&r, "cfn-sg-admin-port-public");
    assert_eq!(w.len(), 1, "{r:#}");
}
