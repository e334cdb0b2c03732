//! The AWS pack for Terraform: the settings that open data or control to the world or to everyone
//! (network exposure, public sharing, resource policies for `*`, administrator grants), and the
//! controls whose absence leaves an investigator without a record (trails, Config, GuardDuty,
//! flow logs, versioned log buckets). One file per rule or small family of rules over the same
//! resources, each rule a `const` [`Rule`] with its documentation (ruff's template), its check and
//! its own cases.
//!
//! [`RULES`] lists them all, sorted by id, so that [`crate::rules::registry`], the digest of the
//! rule set and `rules list` are in a stable order. Rules are `const` rather than `static` so the
//! table can hold them by value; a test keeps the table sorted.

use super::Rule;

pub mod access_keys;
pub mod apigw;
pub mod cloudtrail;
pub mod datastores;
pub mod detection;
pub mod ebs;
pub mod ec2;
pub mod edge;
pub mod eks;
pub mod iam;
pub mod kms;
pub mod lambda;
pub mod lb;
pub mod nacl;
pub mod rds;
pub mod redshift;
pub mod resource_policy;
pub mod s3;
pub mod s3_evidence;
pub mod sg;
pub mod sharing;

/// Every rule of the pack, sorted by id.
pub static RULES: &[Rule] = &[
    access_keys::KEY_LITERAL,
    sharing::AMI_PUBLIC,
    apigw::METHOD_UNAUTHENTICATED,
    edge::CLOUDFRONT_HTTP_ALLOWED,
    cloudtrail::KMS_OFF,
    cloudtrail::LOG_VALIDATION_OFF,
    cloudtrail::LOGGING_OFF,
    cloudtrail::SINGLE_REGION,
    detection::CONFIG_RECORDER_OFF,
    rds::PASSWORD_LITERAL,
    sharing::EBS_SNAPSHOT_PUBLIC_SHARING,
    ebs::UNENCRYPTED,
    ec2::IMDSV1_ALLOWED,
    ec2::PUBLIC_IP_SENSITIVE_TIER,
    resource_policy::ECR_POLICY_PUBLIC,
    eks::ENDPOINT_PUBLIC,
    datastores::ELASTICACHE_UNENCRYPTED,
    detection::GUARDDUTY_DISABLED,
    iam::POLICY_ADMIN_WILDCARD,
    iam::POLICY_ALL_ACTIONS,
    iam::TRUST_ANY_PRINCIPAL,
    iam::USER_ADMIN_ATTACHED,
    resource_policy::KMS_KEY_POLICY_PUBLIC,
    kms::ROTATION_OFF,
    lambda::PERMISSION_PUBLIC,
    lambda::URL_UNAUTHENTICATED,
    lb::LISTENER_PLAIN_HTTP,
    edge::LB_TLS_POLICY_OUTDATED,
    nacl::INGRESS_ALL_OPEN,
    resource_policy::OPENSEARCH_POLICY_PUBLIC,
    datastores::OPENSEARCH_UNENCRYPTED,
    access_keys::PROVIDER_LITERAL,
    rds::PUBLIC,
    sharing::RDS_SNAPSHOT_PUBLIC,
    rds::STORAGE_UNENCRYPTED,
    redshift::PUBLIC,
    datastores::REDSHIFT_UNENCRYPTED,
    s3::ACL_PUBLIC,
    s3_evidence::EVIDENCE_VERSIONING_OFF,
    s3::POLICY_PUBLIC,
    s3::PUBLIC_ACCESS_BLOCK_DISABLED,
    s3_evidence::TRAIL_BUCKET_LOGGING_OFF,
    resource_policy::SECRETSMANAGER_POLICY_PUBLIC,
    sg::ADMIN_PORT_PUBLIC,
    sg::ALL_PORTS_PUBLIC,
    sg::DATABASE_PORT_PUBLIC,
    sg::DEFAULT_SG_OPEN,
    resource_policy::SNS_POLICY_PUBLIC,
    resource_policy::SQS_POLICY_PUBLIC,
    detection::VPC_FLOW_LOGS_OFF,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_by_id() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.meta.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);
    }

    /// The ids other stages and their tests depend on: the first 26, then the breadth of issue 8.
    #[test]
    fn the_pack_has_its_50_rules() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.meta.id).collect();
        assert_eq!(ids.len(), 50);
        for id in [
            "aws-sg-admin-port-public",
            "aws-sg-database-port-public",
            "aws-sg-all-ports-public",
            "aws-s3-acl-public",
            "aws-s3-policy-public",
            "aws-s3-public-access-block-disabled",
            "aws-iam-policy-admin-wildcard",
            "aws-iam-trust-any-principal",
            "aws-rds-public",
            "aws-rds-storage-unencrypted",
            "aws-ebs-unencrypted",
            "aws-ec2-imdsv1-allowed",
            "aws-cloudtrail-logging-off",
            "aws-cloudtrail-single-region",
            "aws-cloudtrail-log-validation-off",
            "aws-kms-rotation-off",
            "aws-eks-endpoint-public",
            "aws-redshift-public",
            "aws-sqs-policy-public",
            "aws-sns-policy-public",
            "aws-kms-key-policy-public",
            "aws-lambda-url-unauthenticated",
            "aws-apigw-method-unauthenticated",
            "aws-nacl-ingress-all-open",
            "aws-lb-listener-plain-http",
            "aws-db-password-literal",
            // Issue 8.
            "aws-access-key-literal",
            "aws-ami-public",
            "aws-cloudfront-http-allowed",
            "aws-cloudtrail-kms-off",
            "aws-config-recorder-off",
            "aws-ebs-snapshot-public-sharing-allowed",
            "aws-ec2-public-ip-sensitive-tier",
            "aws-ecr-policy-public",
            "aws-elasticache-unencrypted",
            "aws-guardduty-disabled",
            "aws-iam-user-admin-attached",
            "aws-lambda-permission-public",
            "aws-lb-tls-policy-outdated",
            "aws-opensearch-policy-public",
            "aws-opensearch-unencrypted",
            "aws-provider-credentials-literal",
            "aws-rds-snapshot-public",
            "aws-redshift-unencrypted",
            "aws-s3-evidence-versioning-off",
            "aws-s3-trail-bucket-logging-off",
            "aws-secretsmanager-policy-public",
            "aws-sg-default-open",
            "aws-vpc-flow-logs-off",
        ] {
            assert!(ids.contains(&id), "missing {id}");
        }
    }

    /// Each rule's cases name resources of kinds the rule is evaluated on, and the pack covers
    /// every verdict where unknowns are possible.
    #[test]
    fn cases_are_well_formed() {
        for r in RULES {
            for c in r.cases {
                assert!(
                    !c.name.is_empty() && !c.source.trim().is_empty(),
                    "{}",
                    r.meta.id
                );
                let kind = crate::rules::case_kind(c.address);
                let kind = kind.as_str();
                assert!(
                    r.meta.kinds.contains(&kind),
                    "{} / {}: {kind} is not one of the rule's kinds",
                    r.meta.id,
                    c.name
                );
            }
        }
    }
}
