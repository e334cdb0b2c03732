//! configtrail: which security-relevant settings of an infrastructure-as-code repository became
//! permissive, through which commits, for how long, and who is responsible.
//!
//! The tree is the pipeline. The stages, in order (each uses only the ones before it in this
//! list, never one after; `tests/layout.rs` holds the code to that):
//!
//! 1. [`model`]: the one shape every format produces (resources, settings, values, locations).
//! 2. [`formats`]: file text to the model: Terraform (parse, evaluate, modules), Kubernetes,
//!    CloudFormation; and which paths are whose (what the history stage reads).
//! 3. [`history`]: the git side, read-only: landings, merged sides, objects, packs, commit
//!    records and signatures, the reader threads.
//! 4. [`rules`]: the verdicts: which resources of a unit violate which rule, and how much.
//! 5. [`evidence`]: what joins a commit to the world: people, parties, the deploy log.
//! 6. [`engine`]: the fold over landings: snapshots, windows, causes, remediations, acceptances.
//! 7. [`graph`]: the causal graph of a scan; every scan report is a view of it.
//! 8. [`analysis`]: what each command computes: investigation, review, check, a resource's
//!    history, the rule catalogue.
//! 9. [`report`]: one writer per output format, reading the analyses' results; `verify`, which
//!    recomputes a JSON report and compares it with that writer's output.
//! 10. [`cli`]: the commands: arguments to an analysis to a report; `main.rs` only calls it.
//!
//! Beside the stages: [`limits`] (the run's bounds on hostile input), [`digest`] (hashes as
//! reports write them), [`progress`] (bars on stderr) and [`exit_codes`], which any stage may
//! use; [`redact`] (secrets never repeated, found by the rules' own detectors), just after
//! [`rules`]; and [`fuzzing`] (the entry points the fuzz targets and the corpus test share), on
//! top.

pub mod model;
pub mod formats;
pub mod history;
pub mod rules;
pub mod evidence;
pub mod engine;
pub mod graph;
pub mod analysis;
pub mod report;
pub mod cli;

pub mod digest;
pub mod exit_codes;
pub mod fuzzing;
pub mod limits;
pub mod progress;
pub mod redact;
