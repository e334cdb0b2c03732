//! Snapshots: a unit's files at a commit → its parsed [`Unit`], cached by content.
//!
//! Takes a tree and a unit directory; gives the unit's resources, with every file that could not
//! be read as a problem (which the timeline turns into a blind spot). Parsing is the expensive
//! step of a scan, and histories revisit the same content constantly (reverts, merges, a branch's
//! commits replayed as a merge), so results are cached by the unit's (path, blob id) list: a
//! revert or a re-add costs a map lookup.

use crate::formats;
use crate::history::Repo;
use crate::model::{Problem, Unit};
use crate::objects::Tree;
use git2::Oid;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Entries kept before the cache is cleared: bounds memory on long histories while keeping the
/// recent past (where reverts and merges look) warm.
const CACHE_LIMIT: usize = 256;

type CacheKey = Vec<(String, Oid, i32)>;

#[derive(Default)]
pub struct Snapshots {
    cache: HashMap<CacheKey, Arc<Unit>>,
    /// Unit directories in which a file read had a suppression comment's marker. Noted here,
    /// where every version of every file a scan reads passes once, so that looking for risk
    /// acceptances afterwards need not read files that cannot have any.
    pub marked: BTreeSet<String>,
    /// The commit last prepared with this cache, and its tree: the next landing's parent when
    /// landings are prepared in order, so its tree is known without reading that commit again.
    pub previous: Option<(Oid, Oid)>,
}

impl Snapshots {
    /// The unit at `dir` in `tree` (an empty unit when the directory has no IaC files).
    pub fn unit_at(&mut self, repo: &Repo, tree: &Tree, dir: &str) -> Arc<Unit> {
        let entries = match repo.unit_entries(tree, dir) {
            Ok(e) => e,
            Err(reason) => {
                return Arc::new(Unit {
                    resources: Default::default(),
                    problems: vec![Problem {
                        file: dir.to_string(),
                        reason,
                    }],
                    moved: Vec::new(),
                    removed: Vec::new(),
                    imports: Vec::new(),
                })
            }
        };
        if let Some(u) = self.cache.get(&entries) {
            return Arc::clone(u);
        }
        let files = repo.read_entries(&entries);
        if files
            .files
            .iter()
            .any(|(_, bytes)| crate::suppress::may_have_suppressions(bytes))
        {
            self.marked.insert(dir.to_string());
        }
        let mut unit = formats::parse_unit_with(dir, &files.files, &repo.limits);
        unit.problems.extend(
            files
                .problems
                .into_iter()
                .map(|(file, reason)| Problem { file, reason }),
        );
        unit.problems.sort();
        let unit = Arc::new(unit);
        if self.cache.len() >= CACHE_LIMIT {
            self.cache.clear();
        }
        self.cache.insert(entries, Arc::clone(&unit));
        unit
    }
}
