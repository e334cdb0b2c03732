//! The Google Cloud pack for Terraform (`google` provider 5.x and 6.x): the settings through which
//! Google Cloud data and control are opened to the internet or to everyone, and those that leave
//! no trace. Firewall rules open to 0.0.0.0/0 on administrative, database or all ports, and
//! firewall rules and subnets that log nothing; buckets, BigQuery datasets and KMS keys granted
//! to `allUsers`/`allAuthenticatedUsers`; buckets with per-object ACLs; KMS keys never rotated;
//! Cloud SQL with a public IP, authorized to the world or public without SSL; Owner/Editor granted
//! to people or the public, and service account impersonation granted on whole projects; service
//! account keys whose private key lands in Terraform state; GKE legacy ABAC and authentication,
//! open control planes, public nodes and legacy metadata; instances with the default service
//! account at full scope, serial consoles, OS Login off, project-wide SSH keys and IP forwarding;
//! public DNS zones without DNSSEC.
//!
//! Provider and API defaults are part of each rule: where they are permissive (a firewall rule
//! without sources admits 0.0.0.0/0; `uniform_bucket_level_access` false; Cloud SQL public IP on
//! and SSL optional; no master authorized networks; public GKE nodes; no firewall or flow logs;
//! project SSH keys accepted; no key rotation; DNSSEC off), an absent setting is a violation;
//! where they are safe (legacy ABAC, legacy authentication, legacy metadata endpoints, serial
//! port, IP forwarding), only a written value is.
//!
//! IAM comes in three Terraform shapes (member, binding, policy); [`iam::grants`] reads them once
//! for every rule about grants.

use super::Rule;

pub mod bigquery;
pub mod compute;
pub mod dns;
pub mod firewall;
pub mod gke;
pub mod iam;
pub mod kms;
pub mod network;
pub mod sql;
pub mod storage;

/// Every rule of the pack, sorted by id.
pub static RULES: &[Rule] = &[
    bigquery::DATASET_PUBLIC,
    compute::DEFAULT_SA_FULL_SCOPE,
    compute::IP_FORWARDING,
    compute::OSLOGIN_OFF,
    compute::PROJECT_SSH_KEYS_ALLOWED,
    compute::SERIAL_PORT_ENABLED,
    dns::DNSSEC_OFF,
    firewall::ADMIN_PORT_PUBLIC,
    firewall::ALL_PORTS_PUBLIC,
    firewall::DATABASE_PORT_PUBLIC,
    firewall::LOGS_OFF,
    gke::LEGACY_ABAC,
    gke::LEGACY_AUTH,
    gke::LEGACY_METADATA,
    gke::PRIVATE_NODES_OFF,
    gke::PUBLIC_ENDPOINT,
    iam::PRIMITIVE_ROLE,
    iam::SERVICE_ACCOUNT_KEY,
    iam::SERVICE_ACCOUNT_USER_PROJECT,
    kms::KEY_PUBLIC,
    kms::ROTATION_OFF,
    iam::PROVIDER_LITERAL,
    sql::AUTHORIZED_WORLD,
    sql::PUBLIC_IP,
    sql::PUBLIC_NO_SSL,
    storage::BUCKET_PUBLIC,
    storage::UNIFORM_ACCESS_OFF,
    network::SUBNET_FLOW_LOGS_OFF,
];

#[cfg(test)]
mod tests {
    /// The ids reports and the sample repositories depend on; order, prefixes and cases are
    /// checked for every pack in `rules::tests`.
    #[test]
    fn the_pack_has_its_28_rules() {
        assert_eq!(super::RULES.len(), 28);
        assert!(super::RULES.iter().all(|r| r.meta.id.starts_with("gcp-")));
        let ids: Vec<&str> = super::RULES.iter().map(|r| r.meta.id).collect();
        for id in [
            "gcp-bigquery-dataset-public",
            "gcp-compute-project-ssh-keys-allowed",
            "gcp-firewall-logs-off",
            "gcp-gke-legacy-auth",
            "gcp-gke-private-nodes-off",
            "gcp-iam-service-account-user-project",
            "gcp-sql-public-ip",
            "gcp-subnet-flow-logs-off",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
    }
}
