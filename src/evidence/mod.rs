//! Evidence: what joins a commit to the world outside the repository.
//!
//! Takes commit records from [`crate::history`] and the investigator's inputs (the parties
//! file, the deploy log); gives the people behind each change and the parties they act for
//! ([`attribution`]) and when a landing went live ([`deploys`]). It sits below the engine, which names people as it folds, and reads nothing of
//! the engine's: a new source of evidence (audit logs, Terraform state) goes here.

pub mod attribution;
pub mod deploys;
