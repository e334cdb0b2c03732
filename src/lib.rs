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
//! `model` is the one shape the stages pass along. Only `history` (a folder: the walk, the reader
//! threads, the tree compare, object reads, commit records, the ledger, and the pack reader under
//! them) touches git; `scan` is the fold over the landings it reads; only `report` formats
//! output; `main.rs` only parses the command line.

pub mod acceptance;
pub mod attribution;
pub mod catalogue;
pub mod causes;
pub mod check;
pub mod cli;
pub mod deploys;
pub mod exit_codes;
pub mod formats;
pub mod fuzzing;
pub mod graph;
pub mod history;
pub mod investigation;
pub mod limits;
pub mod model;
pub mod redact;
pub mod report;
pub mod resource_history;
pub mod review;
pub mod rules;
pub mod scan;
pub mod semdiff;
pub mod signing;
pub mod snapshots;
pub mod suppress;
pub mod timeline;
pub mod verify;
