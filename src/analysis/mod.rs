//! The analyses: what each command computes, each a thin arrangement of the stages below.
//!
//! Takes an opened repository (or files, for `check`) and a command's options; gives a result
//! the report formats read: [`investigation`] (`scan`: the engine's windows in the frame of an
//! incident, parties and a deploy log, with the causal graph), [`review`] (what a range
//! introduces, widens and fixes), [`check`] (the rules on files as they are), [`resource_history`]
//! (every change to one resource) and [`catalogue`] (the rules themselves); `verify`, which
//! recomputes a JSON report and compares it with the JSON writer's output, is in
//! [`crate::report`], above this stage. An analysis is where the repository is asked again
//! after a scan (suppression comments, deploy rows' commits, diff excerpts): the stages below
//! never reopen it on their own.

pub mod investigation;
pub mod review;
pub mod check;
pub mod resource_history;
pub mod catalogue;
