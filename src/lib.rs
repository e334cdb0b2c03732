//! configtrail: which security-relevant settings of an infrastructure-as-code repository became
//! permissive, through which commits, for how long, and who is responsible.
//!
//! The modules follow the pipeline of `DESIGN.md`, in order:
//!
//! ```text
//! history ──▶ snapshots ──▶ rules ──▶ timeline ──▶ causes ──▶ attribution ──▶ report
//! (git2)      (formats:      (violations (windows)   (setting     (people,         (text, json)
//!              text → model)  per unit)               blame, but-for) trailers)
//! ```
//!
//! `model` is the one shape the stages pass along. Only `history` touches git; only `report`
//! formats output; `main.rs` only parses the command line.

pub mod model;
pub mod history;
pub mod formats;
pub mod snapshots;
pub mod rules;
pub mod timeline;
pub mod causes;
pub mod attribution;
pub mod scan;
pub mod review;
pub mod report;
pub mod exit_codes;
pub mod cli;
