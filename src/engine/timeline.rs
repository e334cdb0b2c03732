//! Timeline: per-landing verdicts folded into exposure windows.
//!
//! Takes, for each unit a landing touched, the verdicts before and after; gives the transitions
//! that turn them into windows: a window opens when a violation appears, continues (and may widen)
//! while it holds, and closes when it stops holding. Untouched units keep their verdicts, so the
//! fold costs what the changed units cost.
//!
//! ```text
//!  landing:   L1     L2     L3     L4     L5
//!  verdict:   pass   VIOL   VIOL   ?      pass        (? = undecided: a needed value is unknown)
//!  window:           [opened ─────────── closed at L5]  the unknown neither opens nor closes it
//!  blind spot:                     [L4 ─ L5)
//! ```
//!
//! An undecided verdict is blindness, not a change: a window open before it stays open through it,
//! and a window cannot open or close because of it.

use crate::engine::causes::Blamed;
use crate::rules::{Finding, Verdict};
use std::collections::BTreeMap;

/// (rule id, resource address) within one unit.
pub type Key = (&'static str, String);

/// What the timeline remembers per (rule, resource) between landings. A pass is not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    Violating(Finding),
    /// Undecided since `since`; `prior` is the violation that held before, if any.
    Undecided {
        prior: Option<Finding>,
        reason: String,
        since: usize,
    },
}

/// What a landing does to one (rule, resource).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Open(Finding),
    Continue { before: Finding, after: Finding },
    Close(Finding),
    UndecidedStart { reason: String },
    UndecidedEnd { since: usize, reason: String },
}

/// Compares what was held with the new verdicts of a unit; returns the transitions and the new
/// held state. `landing` is the index of the current landing (for undecided spans).
pub fn transitions(
    old: &BTreeMap<Key, Held>,
    new: &BTreeMap<Key, Verdict>,
    landing: usize,
) -> (Vec<(Key, Transition)>, BTreeMap<Key, Held>) {
    let mut out = Vec::new();
    let mut held = BTreeMap::new();
    let keys: std::collections::BTreeSet<&Key> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let mut push = |t: Transition| out.push((key.clone(), t));
        match (old.get(key), new.get(key)) {
            (None, Some(Verdict::Violation(f))) => {
                push(Transition::Open(f.clone()));
                held.insert(key.clone(), Held::Violating(f.clone()));
            }
            (None, Some(Verdict::Undecided { reason, .. })) => {
                push(Transition::UndecidedStart {
                    reason: reason.clone(),
                });
                held.insert(
                    key.clone(),
                    Held::Undecided {
                        prior: None,
                        reason: reason.clone(),
                        since: landing,
                    },
                );
            }
            (Some(Held::Violating(b)), Some(Verdict::Violation(a))) => {
                if b != a {
                    push(Transition::Continue {
                        before: b.clone(),
                        after: a.clone(),
                    });
                }
                held.insert(key.clone(), Held::Violating(a.clone()));
            }
            (Some(Held::Violating(b)), None | Some(Verdict::Pass)) => {
                push(Transition::Close(b.clone()));
            }
            (Some(Held::Violating(b)), Some(Verdict::Undecided { reason, .. })) => {
                push(Transition::UndecidedStart {
                    reason: reason.clone(),
                });
                held.insert(
                    key.clone(),
                    Held::Undecided {
                        prior: Some(b.clone()),
                        reason: reason.clone(),
                        since: landing,
                    },
                );
            }
            (Some(h @ Held::Undecided { .. }), Some(Verdict::Undecided { .. })) => {
                held.insert(key.clone(), h.clone());
            }
            (
                Some(Held::Undecided {
                    prior,
                    reason,
                    since,
                }),
                v,
            ) => {
                push(Transition::UndecidedEnd {
                    since: *since,
                    reason: reason.clone(),
                });
                match (prior, v) {
                    (None, Some(Verdict::Violation(f))) => {
                        push(Transition::Open(f.clone()));
                        held.insert(key.clone(), Held::Violating(f.clone()));
                    }
                    (Some(b), Some(Verdict::Violation(a))) => {
                        if b != a {
                            push(Transition::Continue {
                                before: b.clone(),
                                after: a.clone(),
                            });
                        }
                        held.insert(key.clone(), Held::Violating(a.clone()));
                    }
                    (Some(b), _) => push(Transition::Close(b.clone())),
                    (None, _) => {}
                }
            }
            (None, None | Some(Verdict::Pass)) => {}
        }
    }
    (out, held)
}

/// A cause or remediation: the change, who made it, and whether it was necessary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// Shared with the blame store, and with every other cause that names the same change.
    pub blamed: std::sync::Arc<Blamed>,
    pub but_for: bool,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widening {
    pub landing: usize,
    pub before: String,
    pub after: String,
    pub causes: Vec<Cause>,
    /// How much was exposed before and after: the values of the semantic diff.
    pub before_scope: crate::rules::Scope,
    pub after_scope: crate::rules::Scope,
}

/// Where a renamed or copied object came from: the unit (identity and path at the time) and
/// the address it had there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub unit_id: String,
    pub unit_path: String,
    pub address: String,
}

/// A maximal run of landings in which a violation holds.
#[derive(Debug, Clone)]
pub struct Window {
    pub rule: &'static str,
    /// The unit's identity (its path when first seen) and its path at the end of the window.
    pub unit_id: String,
    pub unit_path: String,
    pub address: String,
    /// The resource's file at the end of the window.
    pub file: String,
    pub opened: usize,
    pub closed: Option<usize>,
    /// Shared with `latest` until the finding changes (one copy of its evidence, not two).
    pub finding: std::sync::Arc<Finding>,
    pub causes: Vec<Cause>,
    pub widenings: Vec<Widening>,
    /// The other changes of scope inside the window: strictly less permissive without closing
    /// it (a narrowing), or wider in one dimension and narrower in another (a shift, such as SSH
    /// exposure moved to RDP). Kept apart from `widenings`, which stay strictly wider; a review
    /// compares the scope before its range with the scope at HEAD across both lists.
    pub other_moves: Vec<Widening>,
    /// The finding as it holds at the window's last landing (or at the tip): `finding` is the
    /// one that opened it.
    pub latest: std::sync::Arc<Finding>,
    pub remediation: Option<Cause>,
    /// Held already at the start of a review range (not introduced by it).
    pub baseline: bool,
    /// Every file that held the object while the window was open, in the order first seen: more
    /// than one when it moved between files or was copied.
    pub files: Vec<String>,
    /// Copies of the object in other files joined the window (a file copied whole): the window
    /// is the object's, and stays open while any copy still violates.
    pub copied: bool,
    /// Two live copies disagreed (one changed or fixed, the other not): which of them is "the"
    /// object is ambiguous, and the report says so.
    pub ambiguous: bool,
    /// The object this one was renamed or copied from in the landing that opened the window,
    /// as (unit identity, address): its kept values are credited to their writers there. A
    /// review reads a rename as the old object's window going on, not as a fix and an
    /// introduction.
    pub carried_from: Option<Origin>,
    /// A Terraform library module (nobody calls it, and nothing in its directory says how it is
    /// deployed) evaluated alone with its variables' defaults.
    pub library: bool,
    /// Why the window ended when not by a change of the configuration: the library module
    /// became called, and is evaluated through its callers from then on.
    pub superseded: Option<String>,
}

impl Window {
    /// What the report says of the object's identity: `single`, `copied` or `ambiguous`.
    pub fn identity(&self) -> &'static str {
        if self.ambiguous {
            "ambiguous"
        } else if self.copied {
            "copied"
        } else {
            "single"
        }
    }

    /// Every change the window names: its causes, the causes of its widenings, its remediation.
    pub fn every_change(&self) -> impl Iterator<Item = &Cause> {
        self.causes
            .iter()
            .chain(self.widenings.iter().flat_map(|x| x.causes.iter()))
            .chain(self.remediation.iter())
    }

    /// Notes that the object is (also) in `file`.
    pub fn held_in(&mut self, file: &str) {
        if !file.is_empty() && !self.files.iter().any(|f| f == file) {
            self.files.push(file.to_string());
        }
    }
}

/// Is this the blind spot of a verdict that could not be decided (a setting unknown), rather
/// than of something that could not be read?
pub fn undecided_reason(reason: &str) -> bool {
    reason.contains(" cannot be decided for ")
}

/// A span of landings in which something could not be read or decided.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BlindSpot {
    pub from: usize,
    pub unit: String,
    pub file: String,
    pub to: Option<usize>,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Scope;

    fn f(s: &str) -> Finding {
        Finding {
            evidence: vec![],
            summary: s.into(),
            scope: Scope::default(),
        }
    }

    fn run(
        old: &BTreeMap<Key, Held>,
        v: Option<Verdict>,
    ) -> (Vec<Transition>, BTreeMap<Key, Held>) {
        let mut new = BTreeMap::new();
        if let Some(v) = v {
            new.insert(("r", "a".to_string()), v);
        }
        let (t, h) = transitions(old, &new, 7);
        (t.into_iter().map(|(_, t)| t).collect(), h)
    }

    #[test]
    fn open_continue_close() {
        let (t, h) = run(&BTreeMap::new(), Some(Verdict::Violation(f("x"))));
        assert_eq!(t, vec![Transition::Open(f("x"))]);
        let (t, h) = run(&h, Some(Verdict::Violation(f("x"))));
        assert!(t.is_empty());
        let (t, h) = run(&h, Some(Verdict::Violation(f("y"))));
        assert_eq!(
            t,
            vec![Transition::Continue {
                before: f("x"),
                after: f("y")
            }]
        );
        let (t, h) = run(&h, None);
        assert_eq!(t, vec![Transition::Close(f("y"))]);
        assert!(h.is_empty());
    }

    #[test]
    fn undecided_neither_opens_nor_closes() {
        let undecided = || Verdict::Undecided {
            evidence: vec![],
            reason: "var.x unknown".into(),
        };
        let (_, h) = run(&BTreeMap::new(), Some(Verdict::Violation(f("x"))));
        let (t, h) = run(&h, Some(undecided()));
        assert_eq!(
            t,
            vec![Transition::UndecidedStart {
                reason: "var.x unknown".into()
            }]
        );
        let (t, _) = run(&h, Some(Verdict::Violation(f("x"))));
        assert_eq!(
            t,
            vec![Transition::UndecidedEnd {
                since: 7,
                reason: "var.x unknown".into()
            }]
        );
        // Undecided from a pass, then a pass: no window at all.
        let (_, h) = run(&BTreeMap::new(), Some(undecided()));
        let (t, _) = run(&h, None);
        assert!(t
            .iter()
            .all(|t| matches!(t, Transition::UndecidedEnd { .. })));
    }
}
