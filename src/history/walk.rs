//! The walk: the first-parent chain of landings, commit links read without libgit2's full parse,
//! the commits a merge brings in, and the ancestry questions a review asks (ranges, merge bases).

use super::*;
use git2::{Commit, ObjectType, Oid};
use std::collections::{BTreeMap, HashSet};

/// Where a history stops short of its root: a shallow clone or a missing object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncation {
    /// The oldest landing that could be read.
    pub oldest: String,
    pub reason: String,
}

/// A commit of a pull request's own history, as [`Repo::authors_between`] reads it: who wrote
/// it (as recorded, no mailmap) and what it changed, by its tree and its first parent's.
#[derive(Debug, Clone)]
pub struct Authored {
    pub name: String,
    pub email: String,
    pub tree: Oid,
    pub parent: Option<Oid>,
}

impl Repo {
    /// The first-parent chain ending at `tip`, oldest first, stopping after `limit` (the merge
    /// base for a review) or at the root, or where history is cut (shallow clone, missing object).
    pub fn landings(&self, tip: Oid, stop_before: Option<Oid>) -> (Vec<Oid>, Option<Truncation>) {
        // The walk runs before anything else can start, so it reads each commit's raw bytes and
        // takes the first parent from the header, without libgit2's full parse. A shallow clone
        // is walked through libgit2, whose grafts say where its history begins.
        let shallow = self.shallow;
        let mut out = Vec::new();
        let mut cur = Some(tip);
        let mut truncation = None;
        while let Some(id) = cur {
            if Some(id) == stop_before {
                break;
            }
            let next = if shallow {
                self.commit(id).map(|c| {
                    if c.parent_count() > 0 {
                        c.parent_id(0).ok()
                    } else {
                        // libgit2 grafts a shallow clone's boundary commit into a root; its raw
                        // header still names the parent that is not here.
                        if let Some(parent) = named_parent(c.raw_header_bytes()) {
                            truncation = Some(Truncation {
                                oldest: id.to_string(),
                                reason: format!(
                                    "shallow clone: history begins here; parent {parent} is not in the repository"
                                ),
                            });
                        }
                        None
                    }
                })
            } else {
                self.commit_links(id).map(|(_, parent)| parent)
            };
            match next {
                Ok(parent) => {
                    out.push(id);
                    cur = parent;
                }
                Err(e) => {
                    let oldest = out.last().map(|o: &Oid| o.to_string()).unwrap_or_default();
                    truncation = Some(Truncation {
                        oldest,
                        reason: if shallow {
                            format!("shallow clone: history begins here; parent {id} is not in the repository")
                        } else {
                            format!("commit {id} cannot be read ({})", e.message())
                        },
                    });
                    break;
                }
            }
        }
        out.reverse();
        (out, truncation)
    }

    /// A commit's tree and first parent, read from its raw bytes (verified against its id)
    /// without libgit2's full parse: for walks that need nothing else of a commit. In a shallow
    /// clone libgit2 reads it, so its grafts say where history begins.
    pub fn commit_links(&self, id: Oid) -> Result<(Oid, Option<Oid>), git2::Error> {
        if self.shallow {
            let c = self.commit(id)?;
            let parent = if c.parent_count() > 0 {
                c.parent_id(0).ok()
            } else {
                None
            };
            return Ok((c.tree_id(), parent));
        }
        let (kind, data, checked) = self.read_raw(id)?;
        if kind != ObjectType::Commit {
            return Err(git2::Error::from_str(&format!(
                "object {id} is not a commit"
            )));
        }
        if !checked && !objects::hashes_to("commit", &data, id) {
            return Err(git2::Error::from_str(&format!(
                "commit {id} is corrupt: its content does not hash to its id"
            )));
        }
        let malformed =
            |what: &str| git2::Error::from_str(&format!("commit {id} is malformed: {what}"));
        let hex_id = |hex: &[u8]| {
            std::str::from_utf8(hex)
                .ok()
                .filter(|h| h.len() == 40)
                .and_then(|h| Oid::from_str(h).ok())
        };
        // The header: a `tree` line, then the `parent` lines, first parent first.
        let mut lines = data.split(|&b| b == b'\n');
        let tree = lines
            .next()
            .and_then(|l| l.strip_prefix(b"tree "))
            .and_then(hex_id)
            .ok_or_else(|| malformed("no tree"))?;
        let parent = match lines.next().and_then(|l| l.strip_prefix(b"parent ")) {
            Some(hex) => Some(hex_id(hex).ok_or_else(|| malformed("bad parent"))?),
            None => None,
        };
        Ok((tree, parent))
    }

    /// A commit, verified: its bytes must hash to its id (libgit2's own check is off, see
    /// [`configure_libgit2`]), else it is an error like a missing object.
    pub fn commit(&self, id: Oid) -> Result<Commit<'_>, git2::Error> {
        let c = self.repo.find_commit(id)?;
        match commit_bytes(&self.repo, &c, |b| objects::hashes_to("commit", b, id)) {
            Some(_) => Ok(c),
            None => Err(git2::Error::from_str(&format!(
                "commit {id} is corrupt: its content does not hash to its id"
            ))),
        }
    }

    /// The commits reachable from `head` and not from `base` (what `git rev-list base..head`
    /// prints): one walk that stops where the two histories meet, instead of an ancestry query
    /// per commit (each of which can walk the whole history).
    pub fn range_commits(&self, base: Oid, head: Oid) -> Result<HashSet<Oid>, HistoryError> {
        let git = |e: git2::Error| HistoryError::Git {
            repo: self.given.clone(),
            reason: format!("cannot walk {base}..{head}: {}", e.message()),
        };
        let mut walk = self.repo.revwalk().map_err(git)?;
        walk.push(head).map_err(git)?;
        walk.hide(base).map_err(git)?;
        walk.map(|r| r.map_err(git)).collect()
    }

    /// A commit's first parent, if it has one and it can be read.
    pub fn first_parent(&self, id: Oid) -> Option<Oid> {
        let c = self.commit(id).ok()?;
        if c.parent_count() == 0 {
            return None;
        }
        c.parent_id(0).ok()
    }

    /// The tree of a commit's first parent; `None` for a root commit or an unreadable parent
    /// (the caller then re-reads everything, which is slower but never wrong).
    pub fn first_parent_tree(&self, c: &Commit<'_>) -> Option<Arc<Tree>> {
        if c.parent_count() == 0 {
            return None;
        }
        let parent = self.commit(c.parent_id(0).ok()?).ok()?;
        self.commit_tree(&parent).ok()
    }

    /// The commits a merge brings in (reachable from its other parents, or from `extra`, and
    /// not from the first), oldest first in topological order. `extra` holds the head of the
    /// pull request a squash landed (see [`Repo::pull_request_heads`]): read as the squash's
    /// other parent, which the forge did not record.
    pub fn side_commits(&self, merge: &Commit<'_>, extra: &[Oid]) -> Vec<Oid> {
        let mut out = Vec::new();
        let Ok(mut walk) = self.repo.revwalk() else {
            return out;
        };
        if walk
            .set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
            .is_err()
        {
            return out;
        }
        for (i, p) in merge.parent_ids().chain(extra.iter().copied()).enumerate() {
            let r = if i == 0 { walk.hide(p) } else { walk.push(p) };
            if r.is_err() {
                return out;
            }
        }
        out.extend(walk.flatten());
        out
    }

    /// The heads of pull requests a forge keeps under `refs/pull/N/head` (GitHub's; a mirror
    /// clone fetches them, a plain clone does not), by number. A ref that is not a number's or
    /// does not lead to a commit is left out: the repository may be hostile, and a squash whose
    /// pull request is not found is credited as a single commit, as without these refs.
    pub fn pull_request_heads(&self) -> BTreeMap<u64, Oid> {
        let mut out = BTreeMap::new();
        if !self.limits.pull_refs {
            return out;
        }
        let Ok(refs) = self.repo.references_glob("refs/pull/*/head") else {
            return out;
        };
        for r in refs.flatten() {
            let Some(n) = std::str::from_utf8(r.name_bytes())
                .ok()
                .and_then(|n| n.strip_prefix("refs/pull/"))
                .and_then(|n| n.strip_suffix("/head"))
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            if let Ok(c) = r.peel_to_commit() {
                out.insert(n, c.id());
            }
        }
        out
    }

    /// The commits reachable from `head` and not from `base`, each read once, or `None` when
    /// there are more than `limit` of them (a ref whose history is not the base's: reading it
    /// all would be a walk of another repository).
    pub fn authors_between(&self, base: Oid, head: Oid, limit: usize) -> Option<Vec<Authored>> {
        let mut walk = self.repo.revwalk().ok()?;
        walk.push(head).ok()?;
        walk.hide(base).ok()?;
        let mut out = Vec::new();
        for (n, id) in walk.enumerate() {
            if n >= limit {
                return None;
            }
            let c = self.commit(id.ok()?).ok()?;
            let a = c.author();
            out.push(Authored {
                name: String::from_utf8_lossy(a.name_bytes()).into_owned(),
                email: String::from_utf8_lossy(a.email_bytes()).into_owned(),
                tree: c.tree_id(),
                parent: c.parent_id(0).ok(),
            });
        }
        Some(out)
    }

    /// The merge base of two commits.
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Oid, HistoryError> {
        self.repo.merge_base(a, b).map_err(|e| HistoryError::Git {
            repo: self.given.clone(),
            reason: format!("no merge base of {a} and {b}: {}", e.message()),
        })
    }
}
