//! Recorded risk acceptances: for a scan, who wrote the suppression of a window's finding, when,
//! and why.
//!
//! Takes a finished [`ScanResult`] and the repository it came from; gives, for each window whose
//! finding is covered by a suppression comment on its resource at the window's last landing (the
//! tip if it is still open), that suppression and the commit that added it. In a scan a
//! suppression hides nothing: the window is reported as it is, and the suppression is evidence
//! of a decision to accept the risk, which matters for notice and liability.
//!
//! "Who added it" is found the way setting blame finds a value's author, but on the comment:
//! walking the landings back from the window's end while the same suppression (tool, id, on that
//! resource) is still there; the landing after the last one without it added it. A landing whose
//! file blob did not change is not re-read, so the walk costs a tree lookup per landing and a
//! parse per version of the file. Through a merge, the commit of the merged side that added the
//! comment is named, as it is for settings.
//!
//! The resource's declaration is found in each version of the file by its header
//! (`resource "kind" "name"`), so the walk needs no parse of the unit. The walk follows the
//! file's path at the window's end: if the file was renamed after the comment was written, the
//! rename's landing is named (setting blame follows renames; this does not, yet).

use crate::engine::scan::ScanResult;
use crate::engine::suppress::{self, FileSuppressions, Suppression};
use crate::engine::timeline::Window;
use crate::history::Repo;
use git2::Oid;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many landings one walk back may visit.
const MAX_WALK: usize = 100_000;

/// A suppression that held at a window's end, and where it came from.
#[derive(Debug, Clone)]
pub struct Acceptance {
    pub suppression: Suppression,
    /// Commit-table index of the commit that wrote the comment, and of its landing (the same
    /// commit unless it came through a merge). `None` when the walk hit its limit or the start of
    /// readable history with the comment still there (it was added there or before).
    pub added_by: Option<usize>,
    pub landing: Option<usize>,
}

/// `aws_security_group.web["a"]` → (`resource`, `aws_security_group`, `web`);
/// `data.aws_iam_policy_document.x` → (`data`, …).
fn header(address: &str) -> Option<(&'static str, &str, &str)> {
    let base = address.split('[').next().unwrap_or(address);
    let parts: Vec<&str> = base.split('.').collect();
    match parts.as_slice() {
        ["data", kind, name] => Some(("data", kind, name)),
        [kind, name] => Some(("resource", kind, name)),
        _ => None,
    }
}

/// The 1-based line declaring `address` in `text`, found by its block header.
pub fn declaration_line(text: &str, address: &str) -> Option<u32> {
    let (block, kind, name) = header(address)?;
    for (i, line) in text.lines().enumerate() {
        let mut words = line
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '{'));
        if words.next() == Some(block) && words.next() == Some(kind) && words.next() == Some(name) {
            return u32::try_from(i + 1).ok();
        }
    }
    None
}

struct Reader<'r> {
    repo: &'r Repo,
    known: BTreeSet<&'static str>,
    /// Suppressions by (file blob, address, rule): a version of a file is read once.
    cache: HashMap<(Oid, String, &'static str), Option<Suppression>>,
}

impl Reader<'_> {
    /// The blob of `file` at `commit`, if it is a readable regular file.
    fn blob(&self, commit: Oid, file: &str) -> Option<(Oid, i32)> {
        let tree = self.repo.find_tree(self.repo.tree_of(commit)?)?;
        let entries = self
            .repo
            .unit_entries(&tree, crate::formats::unit_of(file))
            .ok()?;
        entries
            .into_iter()
            .find(|(p, _, _)| p == file)
            .map(|(_, id, mode)| (id, mode))
    }

    /// The suppression of `rule` on `address` in `file` at `commit`.
    fn at(
        &mut self,
        commit: Oid,
        file: &str,
        address: &str,
        rule: &'static str,
    ) -> (Option<Oid>, Option<Suppression>) {
        match self.blob(commit, file) {
            Some((blob, mode)) => (Some(blob), self.in_blob(blob, mode, file, address, rule)),
            None => (None, None),
        }
    }

    /// The suppression of `rule` on `address` in one version of `file`.
    fn in_blob(
        &mut self,
        blob: Oid,
        mode: i32,
        file: &str,
        address: &str,
        rule: &'static str,
    ) -> Option<Suppression> {
        let key = (blob, address.to_string(), rule);
        if let Some(s) = self.cache.get(&key) {
            return s.clone();
        }
        let files = self
            .repo
            .read_entries(&[(file.to_string(), blob, mode)])
            .files;
        let found = files.first().and_then(|(_, bytes)| {
            let text = String::from_utf8_lossy(bytes);
            let line = declaration_line(&text, address)?;
            let fs = FileSuppressions::new(file, &text, self.known.clone());
            suppress::find(&fs.for_resource(line), rule).cloned()
        });
        self.cache.insert(key, found.clone());
        found
    }
}

fn same(a: &Suppression, b: &Suppression) -> bool {
    a.tool == b.tool && a.id == b.id
}

/// Acceptances by window index.
pub fn acceptances(repo: &Repo, scan: &ScanResult) -> BTreeMap<usize, Acceptance> {
    let mut reader = Reader {
        repo,
        known: suppress::known_ids(scan.rules),
        cache: HashMap::new(),
    };
    let oid = |li: usize| Oid::from_str(&scan.landing_commit(li).id).ok();
    let mut out = BTreeMap::new();
    for (wi, w) in scan.windows.iter().enumerate() {
        // No file of the unit ever had a marker: nothing to look for (and no trees to read).
        if !scan
            .suppression_units
            .contains(crate::formats::unit_of(&w.file))
        {
            continue;
        }
        let Some(end) = last_landing(scan, w) else {
            continue;
        };
        let Some(end_oid) = oid(end) else { continue };
        let (mut blob, found) = reader.at(end_oid, &w.file, &w.address, w.rule);
        let Some(sup) = found else { continue };
        // Walk back while the same suppression is there.
        let mut added_at = None;
        let mut li = end;
        for _ in 0..MAX_WALK {
            if li == 0 {
                break;
            }
            let Some(prev) = oid(li - 1) else { break };
            // An unchanged blob cannot have gained or lost the comment: not read again.
            let (prev_blob, prev_found) = match reader.blob(prev, &w.file) {
                Some((b, _)) if Some(b) == blob => (Some(b), Some(sup.clone())),
                Some((b, mode)) => (
                    Some(b),
                    reader.in_blob(b, mode, &w.file, &w.address, w.rule),
                ),
                None => (None, None),
            };
            if !prev_found.is_some_and(|p| same(&p, &sup)) {
                added_at = Some(li);
                break;
            }
            blob = prev_blob;
            li -= 1;
        }
        let landing = added_at.map(|l| scan.landings[l]);
        let added_by = added_at.and_then(|l| {
            let landing_oid = oid(l)?;
            Some(
                side_author(repo, &mut reader, landing_oid, w, &sup, scan)
                    .unwrap_or(scan.landings[l]),
            )
        });
        out.insert(
            wi,
            Acceptance {
                suppression: sup,
                added_by,
                landing,
            },
        );
    }
    out
}

/// The last landing at which the window's violation held.
fn last_landing(scan: &ScanResult, w: &Window) -> Option<usize> {
    match w.closed {
        Some(c) => c.checked_sub(1).filter(|&l| l >= w.opened),
        None => scan.landings.len().checked_sub(1),
    }
}

/// Through a merge: the commit of the merged side that added the comment, if it is in the
/// scan's commit table (the scan examined that side).
fn side_author(
    repo: &Repo,
    reader: &mut Reader<'_>,
    landing: Oid,
    w: &Window,
    sup: &Suppression,
    scan: &ScanResult,
) -> Option<usize> {
    let commit = repo.commit(landing).ok()?;
    if commit.parent_count() < 2 {
        return None;
    }
    for c in repo.side_commits(&commit, &[]) {
        let has = |r: &mut Reader<'_>, at: Oid| {
            r.at(at, &w.file, &w.address, w.rule)
                .1
                .is_some_and(|p| same(&p, sup))
        };
        let parent = repo.first_parent(c);
        if has(reader, c) && !parent.is_some_and(|p| has(reader, p)) {
            return scan.commits.get(&c.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_are_found_by_their_header() {
        let text = "# x\nresource \"aws_s3_bucket\" \"b\" {\n}\ndata \"aws_iam_policy_document\" \"d\"{\n}\n";
        assert_eq!(declaration_line(text, "aws_s3_bucket.b"), Some(2));
        assert_eq!(declaration_line(text, "aws_s3_bucket.b[\"k\"]"), Some(2));
        assert_eq!(
            declaration_line(text, "data.aws_iam_policy_document.d"),
            Some(4)
        );
        assert_eq!(declaration_line(text, "aws_s3_bucket.c"), None);
        assert_eq!(declaration_line(text, "module.x.aws_s3_bucket.b"), None);
    }
}
