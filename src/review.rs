//! Review: what a range of commits introduces, widens and fixes.
//!
//! Takes `BASE..HEAD`; gives the violations at HEAD that the range's landings opened
//! (introduced), the ones held before the range that it made strictly more permissive (widened),
//! and the ones held before the range that it closed (fixed), each attributed by setting blame to
//! the commit in the range that did it.
//!
//! The range's landings are HEAD's first-parent chain back to the first commit BASE already
//! contains. Only they are evaluated, after one full snapshot of the commit they start from, so a
//! review costs what the range touched, not what the history holds. A cause written before the
//! range (the public ACL that a lifted block exposes) is traced back through the landings that
//! changed its unit, so it keeps its real author.

use crate::history::{HistoryError, Repo};
use crate::rules::Severity;
use crate::scan::{self, ScanResult};
use crate::timeline::Cause;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Introduced,
    Widened,
    Fixed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Introduced => "introduced",
            Change::Widened => "widened",
            Change::Fixed => "fixed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub change: Change,
    /// Index into the scan's windows.
    pub window: usize,
    pub causes: Vec<Cause>,
    /// For a widening: the exposure before and after.
    pub before: Option<String>,
    pub after: Option<String>,
}

pub struct ReviewResult {
    pub scan: ScanResult,
    pub range: String,
    pub base: String,
    pub head: String,
    pub merge_base: String,
    /// Index of the first landing in the range.
    pub start: usize,
    pub findings: Vec<Finding>,
}

impl ReviewResult {
    pub fn severity(&self, f: &Finding) -> Option<Severity> {
        let w = &self.scan.windows[f.window];
        crate::rules::find(self.scan.rules, w.rule).map(|r| r.meta.severity)
    }

    /// Something introduced or widened at or above `threshold`?
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings
            .iter()
            .any(|f| f.change != Change::Fixed && self.severity(f).is_some_and(|s| s >= threshold))
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewError {
    #[error("{0}: not a range; write BASE..HEAD (for example main..feature)")]
    BadRange(String),
    #[error(transparent)]
    History(#[from] HistoryError),
}

/// Splits `BASE..HEAD` (also accepts `BASE...HEAD`, which means the same here: the merge base is
/// always used).
pub fn parse_range(range: &str) -> Result<(&str, &str), ReviewError> {
    let (a, b) = range
        .split_once("...")
        .or_else(|| range.split_once(".."))
        .ok_or_else(|| ReviewError::BadRange(range.to_string()))?;
    if a.is_empty() || b.is_empty() {
        return Err(ReviewError::BadRange(range.to_string()));
    }
    Ok((a, b))
}

pub fn review(repo: &mut Repo, range: &str) -> Result<ReviewResult, ReviewError> {
    let (base_spec, head_spec) = parse_range(range)?;
    let base = repo.resolve(base_spec)?;
    let head = repo.resolve(head_spec)?;
    let merge_base = repo.merge_base(base, head)?;
    repo.load_mailmap(head);
    // The range: HEAD's landings that BASE does not contain, and the commit they start from.
    let range_commits = repo.range_commits(base, head)?;
    let mut in_range_landings = Vec::new();
    let mut seed = None;
    let mut cur = Some(head);
    while let Some(c) = cur {
        if c == merge_base || !range_commits.contains(&c) {
            seed = Some(c);
            break;
        }
        in_range_landings.push(c);
        cur = repo.first_parent(c);
    }
    in_range_landings.reverse();
    // Only the range is evaluated: the starting snapshot once, then each landing of the range.
    // Causes written before the range are traced back on demand.
    let mut engine = scan::Engine::new(repo, crate::rules::registry());
    if let Some(s) = seed {
        engine.seed(s);
    }
    for oid in in_range_landings {
        engine.step(oid);
    }
    let scan = engine.finish(head_spec, head);
    let start = usize::from(seed.is_some());
    // A commit BASE already contains is not the range's doing, even when it reaches HEAD through
    // the range (a branch that merged BASE in): such a change is BASE's, not the branch's.
    let in_range = |commit: usize| {
        git2::Oid::from_str(&scan.commits.infos[commit].id)
            .map(|oid| range_commits.contains(&oid))
            .unwrap_or(true)
    };
    let by_range = |causes: &[Cause]| causes.iter().any(|c| in_range(c.blamed.commit));
    let mut findings = Vec::new();
    for (i, w) in scan.windows.iter().enumerate() {
        let reopened = |w: &crate::timeline::Window| {
            scan.windows.iter().any(|o| {
                o.closed.is_none()
                    && o.rule == w.rule
                    && o.unit_id == w.unit_id
                    && o.address == w.address
            })
        };
        match (w.opened >= start, w.closed) {
            (true, None) if by_range(&w.causes) => findings.push(Finding {
                change: Change::Introduced,
                window: i,
                // What the range did, and whatever else was necessary; settings written before
                // the range that made no difference are the scan's business, not the review's.
                causes: w
                    .causes
                    .iter()
                    .filter(|c| in_range(c.blamed.commit) || c.but_for)
                    .cloned()
                    .collect(),
                before: None,
                after: None,
            }),
            (false, None) => {
                let wide: Vec<_> = w
                    .widenings
                    .iter()
                    .filter(|wd| wd.landing >= start && by_range(&wd.causes))
                    .collect();
                if let (Some(first), Some(last)) = (wide.first(), wide.last()) {
                    findings.push(Finding {
                        change: Change::Widened,
                        window: i,
                        causes: wide.iter().flat_map(|wd| wd.causes.clone()).collect(),
                        before: Some(first.before.clone()),
                        after: Some(last.after.clone()),
                    });
                }
            }
            (false, Some(c)) if c >= start && !reopened(w) => findings.push(Finding {
                change: Change::Fixed,
                window: i,
                causes: w.remediation.iter().cloned().collect(),
                before: None,
                after: None,
            }),
            _ => {}
        }
    }
    findings.sort_by(|a, b| {
        let (wa, wb) = (&scan.windows[a.window], &scan.windows[b.window]);
        (a.change, wa.rule, &wa.unit_id, &wa.address).cmp(&(
            b.change,
            wb.rule,
            &wb.unit_id,
            &wb.address,
        ))
    });
    Ok(ReviewResult {
        range: range.to_string(),
        base: base.to_string(),
        head: head.to_string(),
        merge_base: merge_base.to_string(),
        start,
        findings,
        scan,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_bad_ones_are_named() {
        assert_eq!(parse_range("main..feature").ok(), Some(("main", "feature")));
        assert_eq!(parse_range("a...b").ok(), Some(("a", "b")));
        for bad in ["main", "..x", "x..", ""] {
            let e = parse_range(bad).expect_err("bad range");
            assert!(e.to_string().contains(bad), "{e}");
        }
    }
}
