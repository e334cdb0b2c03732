//! Review: what a range of commits introduces, widens and fixes.
//!
//! Takes `BASE..HEAD`; gives the violations at HEAD that the range's landings opened
//! (introduced), the ones held before the range that it made strictly more permissive (widened),
//! and the ones held before the range that it closed (fixed), each attributed by setting blame to
//! the commit in the range that did it.
//!
//! What is reported is the net difference between BASE and HEAD, not each window of the range: a
//! change undone inside the range (a fix and its revert, an exposure opened and closed) leaves
//! nothing, and what is left is attributed to the last relevant change. A reviewer asks what the
//! merge changes; the scan is where every intermediate window is told. Paths are HEAD's.
//!
//! The range's landings are HEAD's first-parent chain back to the first commit BASE already
//! contains. Only they are evaluated, after one full snapshot of the commit they start from, so a
//! review costs what the range touched, not what the history holds. A cause written before the
//! range (the public ACL that a lifted block exposes) is traced back through the landings that
//! changed its unit, so it keeps its real author.

use crate::engine::scan::{self, ScanResult};
use crate::engine::semdiff::{self, Movement};
use crate::engine::suppress::{self, FileSuppressions, Suppression};
use crate::engine::timeline::{Cause, Widening, Window};
use crate::history::{HistoryError, Repo};
use crate::model::{Location, Unit};
use crate::rules::{Scope, Severity};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Introduced,
    Widened,
    Narrowed,
    Fixed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Introduced => "introduced",
            Change::Widened => "widened",
            Change::Narrowed => "narrowed",
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
    /// How much was exposed before the range and at HEAD (`None`: the rule did not fire): the
    /// values of the semantic diff.
    pub before_scope: Option<Scope>,
    pub after_scope: Option<Scope>,
    /// The resource's unit and file as HEAD has them (renames after the window included); for
    /// a fix that removed the resource, where it was last seen.
    pub unit_path: String,
    pub file: String,
    /// Where the finding is in HEAD: the first evidence setting on the resource, else the
    /// resource's declaration. For a fix that removed the resource, where the fix was made.
    pub location: Option<Location>,
    /// A recorded decision to accept this finding (a suppression comment on the resource in
    /// HEAD). A suppressed finding is reported, but does not fail the review.
    pub suppression: Option<Suppression>,
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
    /// Suppression comments on the resources of the findings whose id configtrail has no
    /// equivalent for (or does not know): shown, so a decision is never silently dropped.
    pub unmatched_suppressions: Vec<Suppression>,
    /// The limits the files were read under (recorded in the report when raised).
    pub limits: crate::limits::Limits,
}

impl ReviewResult {
    pub fn severity(&self, f: &Finding) -> Option<Severity> {
        let w = &self.scan.windows[f.window];
        crate::rules::find(self.scan.rules, w.rule).map(|r| r.meta.severity)
    }

    /// Something introduced or widened at or above `threshold`, and not suppressed?
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| {
            matches!(f.change, Change::Introduced | Change::Widened)
                && f.suppression.is_none()
                && self.severity(f).is_some_and(|s| s >= threshold)
        })
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

pub fn review(
    repo: &mut Repo,
    range: &str,
    redaction: crate::redact::Options,
) -> Result<ReviewResult, ReviewError> {
    let (base_spec, head_spec) = parse_range(range)?;
    let base = repo.resolve(base_spec)?;
    let head = repo.resolve(head_spec)?;
    let merge_base = repo.merge_base(base, head)?;
    let mailmap_problem = repo.load_mailmap(head);
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
    let mut engine = scan::Engine::new(repo, crate::rules::registry(), redaction);
    if let Some(p) = mailmap_problem {
        engine.history_blind_spot(p);
    }
    if let Some(s) = seed {
        engine.seed(s);
    }
    for oid in in_range_landings {
        engine.step(oid);
    }
    let units_at_head = engine.current_units();
    let unit_paths = engine.current_unit_paths();
    let scan = engine.finish(head_spec, head);
    let start = usize::from(seed.is_some());
    // A commit BASE already contains is not the range's doing, even when it reaches HEAD through
    // the range (a branch that merged BASE in): such a change is BASE's, not the branch's.
    let in_range = |commit: usize| {
        git2::Oid::from_str(&scan.commits.info(commit).id)
            .map(|oid| range_commits.contains(&oid))
            .unwrap_or(true)
    };
    let by_range = |causes: &[Cause]| causes.iter().any(|c| in_range(c.blamed.commit));
    // One (rule, resource) can hold, stop and hold again inside the range (a fix, then its
    // revert): its windows in the order they opened. What is reported is BASE against HEAD, not
    // each window: a window opened and closed inside the range leaves nothing, a fix undone
    // before HEAD is no fix, and a violation held at both ends is at most wider or narrower.
    let mut chains: BTreeMap<(&str, &str, &str), Vec<usize>> = BTreeMap::new();
    for (i, w) in scan.windows.iter().enumerate() {
        chains
            .entry((w.rule, w.unit_id.as_str(), w.address.as_str()))
            .or_default()
            .push(i);
    }
    // An object renamed inside the range (a Terraform resource without a `moved` block, a
    // Kubernetes object whose namespace or name was edited) is, to a reviewer, the old object
    // going on: the old address's chain continues with the new one's, so the rename is neither
    // a fix nor an introduction, only whatever it changed.
    type ChainKey<'a> = (&'a str, &'a str, &'a str);
    let mut renames: Vec<(usize, ChainKey, ChainKey)> = chains
        .iter()
        .filter_map(|(key, ws)| {
            let first = &scan.windows[*ws.first()?];
            let origin = first.carried_from.as_ref()?;
            let from = (first.rule, origin.unit_id.as_str(), origin.address.as_str());
            let old = &scan.windows[*chains.get(&from)?.last()?];
            (first.opened >= start && old.closed == Some(first.opened)).then_some((
                first.opened,
                from,
                *key,
            ))
        })
        .collect();
    // Oldest first, so that A renamed B renamed C is one chain.
    renames.sort();
    let mut joined: BTreeMap<ChainKey, ChainKey> = BTreeMap::new();
    for (_, mut from, to) in renames {
        while let Some(next) = joined.get(&from) {
            from = *next;
        }
        if from == to || !chains.contains_key(&from) {
            continue;
        }
        if let Some(ws) = chains.remove(&to) {
            if let Some(c) = chains.get_mut(&from) {
                c.extend(ws);
            }
            joined.insert(to, from);
        }
    }
    let mut findings = Vec::new();
    for chain in chains.values() {
        let windows = || chain.iter().map(|&i| (i, &*scan.windows[i]));
        let at_base = windows().find(|(_, w)| w.opened < start);
        let at_head = windows().find(|(_, w)| w.closed.is_none());
        // Where the resource was last seen (a fix that removed it is written there).
        let Some(last) = chain.last().map(|&i| &scan.windows[i]) else {
            continue;
        };
        // `before`/`after` (summaries) are kept as the contract had them: set for a widening or
        // narrowing only. The scopes carry the values for every kind of change.
        let finding = |change,
                       window: usize,
                       causes,
                       before_scope: Option<&Scope>,
                       after_scope: Option<&Scope>| Finding {
            change,
            window,
            causes,
            before: None,
            after: None,
            before_scope: before_scope.cloned(),
            after_scope: after_scope.cloned(),
            unit_path: last.unit_path.clone(),
            file: last.file.clone(),
            location: None,
            suppression: None,
        };
        match (at_base, at_head) {
            // Opened and closed inside the range: the range leaves nothing behind.
            (None, None) => {}
            // Opened by the range: by what it wrote, or by a copy it made of an object whose
            // values were written before it (a new resource all the same).
            (None, Some((i, w))) if by_range(&w.causes) || w.carried_from.is_some() => findings
                .push(finding(
                    Change::Introduced,
                    i,
                    // What the range did, and whatever else was necessary; settings written before
                    // the range that made no difference are the scan's business, not the review's.
                    w.causes
                        .iter()
                        .filter(|c| in_range(c.blamed.commit) || c.but_for)
                        .cloned()
                        .collect(),
                    None,
                    Some(&w.latest.scope),
                )),
            (None, Some(_)) => {}
            // Held at BASE, not at HEAD: fixed, by what closed it last (an earlier fix that a
            // revert undid is not the fix). The exposure is the one BASE had.
            (Some((i, b)), None) => findings.push(finding(
                Change::Fixed,
                // Renamed inside the range: shown as HEAD's side last had it.
                if last.address == b.address {
                    i
                } else {
                    chain.last().copied().unwrap_or(i)
                },
                last.remediation.iter().cloned().collect(),
                Some(&b.finding.scope),
                None,
            )),
            (Some((bi, _)), Some((hi, _))) => {
                // Held at both ends, through one window or several: did the range move it, and
                // which way? Each move inside a window counts, and so does each gap, as a move
                // from what held at the close to what held at the reopening (a revert that
                // brings back what BASE had moves nothing).
                let span: Vec<&Window> = windows()
                    .filter(|(i, _)| (bi..=hi).contains(i))
                    .map(|(_, w)| w)
                    .collect();
                let mut all: Vec<Widening> = Vec::new();
                for (k, w) in span.iter().enumerate() {
                    if k > 0 {
                        let prev = span[k - 1];
                        all.push(Widening {
                            landing: w.opened,
                            before: prev.latest.summary.clone(),
                            after: w.finding.summary.clone(),
                            causes: w
                                .causes
                                .iter()
                                .filter(|c| in_range(c.blamed.commit))
                                .cloned()
                                .collect(),
                            before_scope: prev.latest.scope.clone(),
                            after_scope: w.finding.scope.clone(),
                        });
                    }
                    all.extend(w.widenings.iter().chain(&w.other_moves).cloned());
                }
                all.retain(|wd| wd.landing >= start && by_range(&wd.causes));
                all.sort_by_key(|wd| wd.landing);
                let (Some(first), Some(end)) = (all.first(), all.last()) else {
                    continue;
                };
                let (before, after) = (&first.before_scope, &end.after_scope);
                let change = match semdiff::classify(Some(before), Some(after)) {
                    Movement::Widened => Change::Widened,
                    Movement::Narrowed => Change::Narrowed,
                    // Wider somewhere and narrower elsewhere (SSH exposure moved to RDP): for a
                    // reviewer something is newly exposed, so it is wider.
                    Movement::Shifted => Change::Widened,
                    _ => continue,
                };
                // The commits that moved it the reported way (for a shift, every move that was
                // not a narrowing); a move that changed nothing (a reopening at the exposure
                // that closed) is no one's doing.
                let causes: Vec<Cause> = all
                    .iter()
                    .filter(|wd| {
                        let order = wd.after_scope.compare(&wd.before_scope);
                        order != Some(Ordering::Equal)
                            && (order == Some(Ordering::Less)) == (change == Change::Narrowed)
                    })
                    .flat_map(|wd| wd.causes.clone())
                    .collect();
                let mut f = finding(change, hi, causes, Some(before), Some(after));
                f.before = Some(first.before.clone());
                f.after = Some(end.after.clone());
                findings.push(f);
            }
        }
    }
    let unmatched_suppressions = place_and_suppress(
        repo,
        head,
        &scan,
        &units_at_head,
        &unit_paths,
        &mut findings,
    );
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
        unmatched_suppressions,
        limits: repo.limits,
        scan,
    })
}

/// Places each finding at file:line in HEAD and attaches the suppression written on its resource
/// there, if any. Returns the suppressions on those resources that name no configtrail rule.
/// Reads only the files of units that have findings, from HEAD's tree.
fn place_and_suppress(
    repo: &Repo,
    head: git2::Oid,
    scan: &ScanResult,
    units: &BTreeMap<String, Arc<Unit>>,
    unit_paths: &BTreeMap<String, String>,
    findings: &mut [Finding],
) -> Vec<Suppression> {
    let known = suppress::known_ids(scan.rules);
    let head_tree = repo.tree_of(head).and_then(|t| repo.find_tree(t));
    let mut files: BTreeMap<String, FileSuppressions> = BTreeMap::new();
    let mut unmatched = std::collections::BTreeSet::new();
    for f in findings.iter_mut() {
        let w: &Window = &scan.windows[f.window];
        // The unit by its identity, wherever renames took it (a fixed window's own path is the
        // one it had when it closed).
        let at_head = unit_paths.get(&w.unit_id).and_then(|dir| {
            let res = units.get(dir)?.resources.get(&w.address)?;
            Some((dir, res))
        });
        let Some((dir, res)) = at_head else {
            // Removed by the range: the fix's own location is the best there is.
            f.location = f.causes.first().map(|c| c.blamed.change.location.clone());
            continue;
        };
        f.unit_path = dir.clone();
        f.file = res.location.file.clone();
        let evidence = w
            .latest
            .evidence
            .iter()
            .find(|e| e.address == w.address)
            .map(|e| res.location_of(&e.path));
        f.location = Some(evidence.unwrap_or_else(|| res.location.clone()));
        // A fixed finding no longer holds: there is nothing left to accept.
        if f.change == Change::Fixed {
            continue;
        }
        let file = res.location.file.clone();
        if !files.contains_key(&file) {
            let text = head_tree
                .as_ref()
                .and_then(|t| {
                    let entries = repo.unit_entries(t, crate::formats::unit_of(&file)).ok()?;
                    let wanted: Vec<_> = entries.into_iter().filter(|e| e.0 == file).collect();
                    repo.read_entries(&wanted).files.into_iter().next()
                })
                .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default();
            files.insert(
                file.clone(),
                FileSuppressions::new(&file, &text, known.clone()),
            );
        }
        if let Some(fs) = files.get(&file) {
            let sups = fs.for_resource(res.location.line);
            f.suppression = suppress::find(&sups, w.rule).cloned();
            unmatched.extend(sups.into_iter().filter(|s| s.rules.is_empty()));
        }
    }
    unmatched.into_iter().collect()
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
