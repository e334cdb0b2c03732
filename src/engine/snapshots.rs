//! Snapshots: a unit's files at a commit → its parsed [`Unit`], cached by content.
//!
//! Takes a tree and a unit directory; gives the unit's resources, with every file that could not
//! be read as a problem (which the timeline turns into a blind spot). Parsing is the expensive
//! step of a scan, and histories revisit the same content constantly (reverts, merges, a branch's
//! commits replayed as a merge), so results are cached by the unit's (path, blob id) list: a
//! revert or a re-add costs a map lookup.

use crate::formats;
use crate::history::objects::Tree;
use crate::history::Repo;
use crate::model::{Problem, Unit};
use git2::Oid;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The most directories one Terraform unit's module calls may bring into its evaluation.
const MAX_MODULE_DIRS: usize = 512;

/// Entries kept before the cache is cleared: bounds memory on long histories while keeping the
/// recent past (where reverts and merges look) warm.
const CACHE_LIMIT: usize = 256;

type CacheKey = Vec<(String, Oid, i32)>;

#[derive(Default)]
pub struct Snapshots {
    cache: HashMap<CacheKey, Arc<Unit>>,
    /// The local module directories a Terraform directory calls, by its entries: knowing them
    /// without reading its files again is what lets a unit's whole key be built before the
    /// parse cache is asked.
    calls: HashMap<CacheKey, Arc<Vec<String>>>,
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
                    ..Default::default()
                })
            }
        };
        if entries.is_empty() || formats::is_manifest_file(dir) {
            return self.parse(repo, dir, entries, None);
        }
        // A Terraform directory evaluates with the modules it calls: their entries join the key.
        let mut read: HashMap<String, crate::history::UnitFiles> = HashMap::new();
        let mut all = entries.clone();
        let mut seen: BTreeSet<String> = BTreeSet::from([dir.to_string()]);
        let mut queue: Vec<String> = self.calls_of(repo, dir, &entries, &mut read).to_vec();
        let mut problems = Vec::new();
        // Modules `terraform init` vendored into the root (`.terraform/modules/modules.json`):
        // the manifest is read with the root, and each directory it names is loaded.
        let manifest = formats::modules_manifest(dir);
        if let Ok(Some(e)) = repo.entry_at(tree, &manifest) {
            if !e.is_tree() {
                let entry = (manifest.clone(), e.id(), e.mode);
                let files = repo.read_entries(std::slice::from_ref(&entry));
                if let Some((_, bytes)) = files.files.first() {
                    queue.extend(
                        formats::terraform::modules::vendored(dir, bytes)
                            .into_values()
                            .filter(|d| d != dir),
                    );
                }
                all.push(entry);
            }
        }
        while let Some(d) = queue.pop() {
            if !seen.insert(d.clone()) {
                continue;
            }
            if seen.len() > MAX_MODULE_DIRS {
                problems.push(Problem {
                    file: dir.to_string(),
                    reason: format!(
                        "its module calls reach more than {MAX_MODULE_DIRS} directories: the \
                         rest are not evaluated"
                    ),
                });
                break;
            }
            let Ok(e) = repo.unit_entries(tree, &d) else {
                continue;
            };
            if formats::is_manifest_file(&d) {
                continue;
            }
            queue.extend(self.calls_of(repo, &d, &e, &mut read).iter().cloned());
            all.extend(e);
        }
        // `--var-file`: read with every root, from this tree, so their history counts too.
        for v in &repo.terraform.var_files {
            match repo.entry_at(tree, v) {
                Ok(Some(e)) if !e.is_tree() => all.push((v.clone(), e.id(), e.mode)),
                _ => problems.push(Problem {
                    file: v.clone(),
                    reason: format!(
                        "--var-file {v} is not a file in the tree at this commit: the roots are \
                         evaluated without it"
                    ),
                }),
            }
        }
        all.sort();
        all.dedup();
        let mut unit = self.parse(repo, dir, all, Some(read));
        if !problems.is_empty() {
            let u = Arc::make_mut(&mut unit);
            u.gaps.extend(problems);
            u.gaps.sort();
        }
        unit
    }

    /// The local module directories `dir` calls (its files read into `read` when not known).
    fn calls_of(
        &mut self,
        repo: &Repo,
        dir: &str,
        entries: &CacheKey,
        read: &mut HashMap<String, crate::history::UnitFiles>,
    ) -> Arc<Vec<String>> {
        if let Some(c) = self.calls.get(entries) {
            return Arc::clone(c);
        }
        let files = repo.read_entries(entries);
        let calls = Arc::new(formats::terraform::modules::local_calls(
            dir,
            &files.files,
            &repo.limits,
        ));
        read.insert(dir.to_string(), files);
        if self.calls.len() >= CACHE_LIMIT * 4 {
            self.calls.clear();
        }
        self.calls.insert(entries.clone(), Arc::clone(&calls));
        calls
    }

    /// Parses the files of `entries` as the unit `dir`, or answers from the cache.
    fn parse(
        &mut self,
        repo: &Repo,
        dir: &str,
        entries: CacheKey,
        read: Option<HashMap<String, crate::history::UnitFiles>>,
    ) -> Arc<Unit> {
        if let Some(u) = self.cache.get(&entries) {
            return Arc::clone(u);
        }
        // Files already read to find module calls are not read again.
        let files = match read {
            Some(mut read) if !read.is_empty() => {
                let mut out = crate::history::UnitFiles::default();
                let mut rest: Vec<(String, git2::Oid, i32)> = Vec::new();
                for e in &entries {
                    let d = formats::terraform::dir_of(&e.0);
                    if !read.contains_key(d) {
                        rest.push(e.clone());
                    }
                }
                for (_, f) in read.drain() {
                    out.files.extend(f.files);
                    out.problems.extend(f.problems);
                }
                let more = repo.read_entries(&rest);
                out.files.extend(more.files);
                out.problems.extend(more.problems);
                out
            }
            _ => repo.read_entries(&entries),
        };
        // Marked by each file's own unit (a module's file is found under its own directory).
        for (path, bytes) in &files.files {
            if crate::engine::suppress::may_have_suppressions(bytes) {
                self.marked.insert(formats::unit_of(path).to_string());
            }
        }
        let mut unit =
            formats::parse_root(dir, &files.files, &repo.limits, &repo.terraform.var_files);
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
