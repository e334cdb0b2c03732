//! The Azure pack for Terraform (`azurerm` 3.x and 4.x): the settings through which Azure data and
//! control are opened to the internet or to everyone. Storage accounts and containers (public
//! blob access, anonymous containers, plain HTTP, old TLS, Shared Key authorisation, firewalls
//! that admit every network), network security groups open to the internet on administrative,
//! database or all ports, NSG flow logs switched off, database firewalls, public network access
//! and TLS not enforced, Key Vault purge protection and network rules, AKS public API servers,
//! RBAC and local accounts, Owner at subscription scope, App Service HTTPS, TLS and plain FTP,
//! container registry admin users, Redis plain-text ports, Linux VMs that accept passwords, and
//! disks without customer-managed keys.
//!
//! Provider defaults are part of each rule: where the azurerm default is permissive
//! (`allow_nested_items_to_be_public`, `https_only`, `purge_protection_enabled`,
//! `public_network_access_enabled`, `shared_access_key_enabled`, `local_account_disabled`, an
//! AKS cluster without authorized ranges, a storage account without network rules), an absent
//! setting is a violation and the summary says it was defaulted; where it is safe (HTTPS-only
//! storage, TLS 1.2, `admin_enabled`, `disable_password_authentication`), only a written weaker
//! value is; where the provider requires the setting (`ssl_enforcement_enabled`, a flow log's
//! `enabled`), an absent one would not plan and is not read as a violation. Attributes renamed
//! between 3.x and 4.x are read under both names.
//!
//! [`RULES`] lists them sorted by id; the network rules reuse the AWS security group concept
//! (ports, internet sources, widening by scope) through the shared ingress reading.

use super::Rule;

pub mod aks;
pub mod appservice;
pub mod compute;
pub mod database;
pub mod identity;
pub mod keyvault;
pub mod network;
pub mod network_watcher;
pub mod redis;
pub mod registry;
pub mod storage;

/// Every rule of the pack, sorted by id.
pub static RULES: &[Rule] = &[
    registry::ADMIN_ENABLED,
    aks::API_PUBLIC,
    aks::LOCAL_ACCOUNTS_ENABLED,
    aks::RBAC_OFF,
    appservice::FTP_ALLOWED,
    appservice::HTTP_ALLOWED,
    appservice::TLS_OLD,
    database::FIREWALL_OPEN,
    database::PUBLIC_NETWORK_ACCESS,
    database::SSL_OFF,
    compute::DISK_NO_CMK,
    keyvault::NETWORK_OPEN,
    keyvault::PURGE_PROTECTION_OFF,
    network::ADMIN_PORT_PUBLIC,
    network::ALL_PORTS_PUBLIC,
    network::DATABASE_PORT_PUBLIC,
    network_watcher::FLOW_LOG_OFF,
    identity::PROVIDER_LITERAL,
    redis::NON_SSL_PORT,
    identity::OWNER_SUBSCRIPTION,
    storage::CONTAINER_PUBLIC,
    storage::HTTP_ALLOWED,
    storage::NETWORK_DEFAULT_ALLOW,
    storage::NESTED_PUBLIC_ALLOWED,
    storage::SHARED_KEY_ENABLED,
    storage::TLS_OLD,
    compute::PASSWORD_AUTH,
];

#[cfg(test)]
mod tests {
    /// The ids reports and the sample repositories depend on; order, prefixes and cases are
    /// checked for every pack in `rules::tests`.
    #[test]
    fn the_pack_has_its_27_rules() {
        assert_eq!(super::RULES.len(), 27);
        assert!(super::RULES.iter().all(|r| r.meta.id.starts_with("azure-")));
    }
}
