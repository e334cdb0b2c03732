//! The engine: the fold over landings that turns parsed snapshots and rule verdicts into exposure
//! windows with their causes.
//!
//! Takes the landings the history stage reads ([`crate::history`]), the units the formats parse
//! ([`crate::formats`]) and the verdicts of the rules ([`crate::rules`]); gives a
//! [`scan::ScanResult`]: every window, its causes (setting blame and the but-for test), its
//! widenings and remediation, the blind spots, and the commit table the later stages read
//! people from. The people behind a commit come from [`crate::evidence`], the stage below.
//!
//! In the order data flows through it: [`snapshots`] (a unit at a commit, parsed and cached by
//! content), [`scan`] (the fold itself), [`timeline`] (verdicts to windows), [`causes`] (who
//! wrote the value, and whether the window needed it), [`textblame`] (who wrote a line while its
//! file could not be parsed), [`semdiff`] (how much more a change exposed), [`suppress`] and
//! [`acceptance`] (suppression comments as recorded decisions).
//! It is one stage because these parts share one state per landing; split further they would
//! pass that state back and forth.

pub mod snapshots;
pub mod scan;
pub mod timeline;
pub mod causes;
pub mod textblame;
pub mod semdiff;
pub mod suppress;
pub mod acceptance;
