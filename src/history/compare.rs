//! The tree compare: the IaC files that differ between two trees, descending only into subtrees
//! whose ids differ, with renames paired by identical blob and then by content similarity.

use super::*;
use git2::{ObjectType, Oid};
use std::collections::BTreeMap;

/// Content comparisons per landing when pairing renames (see [`Repo::changes`]).
const MAX_SIMILARITY_DIFFS: usize = 10_000;

/// One IaC file changed by a commit against its first parent. A rename has both paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub old_path: Option<String>,
    pub new_path: Option<String>,
}

impl Repo {
    /// The IaC files that differ between two trees (`None` = the empty tree), renames paired,
    /// and the subtrees that could not be read (missing or corrupt objects): what is under those
    /// is unknown at this landing, not absent.
    pub fn changes(&self, old: Option<&Tree>, new: Option<&Tree>) -> Changes {
        let mut adds: Vec<(String, Oid)> = Vec::new();
        let mut dels: Vec<(String, Oid)> = Vec::new();
        let mut mods: Vec<String> = Vec::new();
        let mut unreadable: Vec<(String, String)> = Vec::new();
        self.compare(
            old,
            new,
            "",
            &mut Acc {
                adds: &mut adds,
                dels: &mut dels,
                mods: &mut mods,
                unreadable: &mut unreadable,
            },
        );
        let mut out: Vec<FileChange> = mods
            .into_iter()
            .map(|p| FileChange {
                old_path: Some(p.clone()),
                new_path: Some(p),
            })
            .collect();
        // Exact renames: same blob.
        let mut remaining_adds = Vec::new();
        for (path, id) in adds {
            if let Some(pos) = dels.iter().position(|(_, d)| *d == id) {
                let (old_path, _) = dels.remove(pos);
                out.push(FileChange {
                    old_path: Some(old_path),
                    new_path: Some(path),
                });
            } else {
                remaining_adds.push((path, id));
            }
        }
        // Similar renames: same file name, content at least half the same. Each comparison is a
        // diff, and a hostile commit can delete and add thousands of files of one name (every
        // module's `main.tf`): candidates with the same parent directory name go first (a moved
        // tree pairs on the first try), and past a budget of diffs per landing the remaining adds
        // stay adds (the unit is then followed as deleted and created, not as moved: its windows
        // close and reopen under the new path, nothing is lost).
        // (file name, parent directory name) of a path.
        fn tail(p: &str) -> (&str, &str) {
            let mut parts = p.rsplit('/');
            (parts.next().unwrap_or(p), parts.next().unwrap_or(""))
        }
        let mut by_name: std::collections::HashMap<&str, Vec<usize>> = Default::default();
        for (i, (d, _)) in dels.iter().enumerate() {
            by_name.entry(tail(d).0).or_default().push(i);
        }
        let mut taken = vec![false; dels.len()];
        let mut adds_left = Vec::new();
        let mut budget = MAX_SIMILARITY_DIFFS;
        for (path, id) in remaining_adds {
            let (name, parent) = tail(&path);
            let mut candidates: Vec<usize> = match by_name.get(name) {
                Some(c) if budget > 0 => c.iter().copied().filter(|&i| !taken[i]).collect(),
                _ => Vec::new(),
            };
            candidates.sort_by_key(|&i| tail(&dels[i].0).1 != parent);
            let found = candidates.into_iter().find(|&i| {
                budget > 0 && {
                    budget -= 1;
                    self.similar(dels[i].1, id)
                }
            });
            match found {
                Some(i) => {
                    taken[i] = true;
                    out.push(FileChange {
                        old_path: Some(dels[i].0.clone()),
                        new_path: Some(path),
                    });
                }
                None => adds_left.push(path),
            }
        }
        out.extend(adds_left.into_iter().map(|p| FileChange {
            old_path: None,
            new_path: Some(p),
        }));
        out.extend(
            dels.into_iter()
                .zip(taken)
                .filter(|(_, t)| !t)
                .map(|((p, _), _)| FileChange {
                    old_path: Some(p),
                    new_path: None,
                }),
        );
        out.sort_by(|a, b| (&a.new_path, &a.old_path).cmp(&(&b.new_path, &b.old_path)));
        Changes {
            files: out,
            unreadable,
        }
    }

    fn similar(&self, a: Oid, b: Oid) -> bool {
        let (Some(x), Some(y)) = (self.small_blob(a), self.small_blob(b)) else {
            return false;
        };
        let (x, y) = (String::from_utf8_lossy(&x), String::from_utf8_lossy(&y));
        similar::TextDiff::configure()
            .timeout(std::time::Duration::from_millis(200))
            .diff_lines(x.as_ref(), y.as_ref())
            .ratio()
            >= 0.5
    }

    fn small_blob(&self, id: Oid) -> Option<Vec<u8>> {
        let odb = self.repo.odb().ok()?;
        let (size, kind) = odb.read_header(id).ok()?;
        if kind != ObjectType::Blob || size > 1024 * 1024 {
            return None;
        }
        self.repo.find_blob(id).ok().map(|b| b.content().to_vec())
    }

    /// Recursive tree compare that descends only into subtrees whose ids differ.
    fn compare(&self, old: Option<&Tree>, new: Option<&Tree>, prefix: &str, acc: &mut Acc<'_>) {
        // Both trees are walked in step, in git's tree order, without copying their entries:
        // this loop runs for every landing, and allocation was most of its cost (profiled).
        // A tree whose entries are out of order (git never writes one; a hostile repository
        // can) is compared by name instead, which is slower but cannot mispair entries.
        let empty = Tree::empty();
        let (o, n) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
        let pairs = if o.is_sorted() && n.is_sorted() {
            merge_entries(o, n)
        } else {
            let by_name = |t: &Tree| -> BTreeMap<Vec<u8>, (Oid, i32)> {
                t.entries()
                    .iter()
                    .map(|e| (t.name(e).to_vec(), (e.id(), e.mode)))
                    .collect()
            };
            let (o, n) = (by_name(o), by_name(n));
            let mut names: Vec<&Vec<u8>> = o.keys().chain(n.keys()).collect();
            names.sort();
            names.dedup();
            names
                .into_iter()
                .map(|name| (name.clone(), o.get(name).copied(), n.get(name).copied()))
                .collect()
        };
        for (name, oe, ne) in pairs {
            let (oe, ne) = (oe.as_ref(), ne.as_ref());
            if oe == ne {
                continue;
            }
            let Ok(name_str) = std::str::from_utf8(&name) else {
                // Terraform reads any file whose name ends in `.tf`, whatever its other bytes:
                // one named so is IaC this reader cannot address, so it is a blind spot at the
                // landing that adds or changes it, not nothing.
                let lossy = String::from_utf8_lossy(&name);
                let path = if prefix.is_empty() {
                    lossy.into_owned()
                } else {
                    format!("{prefix}/{lossy}")
                };
                if ne.is_some() && formats::is_iac_path(&path) {
                    acc.unreadable.push((
                        path,
                        "file name is not valid UTF-8: not read (shown with U+FFFD for the bad bytes)"
                            .to_string(),
                    ));
                }
                continue;
            };
            let path = if prefix.is_empty() {
                name_str.to_string()
            } else {
                format!("{prefix}/{name_str}")
            };
            let is_tree = |e: Option<&(Oid, i32)>| e.is_some_and(|(_, m)| *m == objects::MODE_TREE);
            let is_file = |e: Option<&(Oid, i32)>| {
                e.is_some_and(|(_, m)| {
                    matches!(
                        *m,
                        objects::MODE_BLOB | objects::MODE_EXEC | objects::MODE_LINK
                    )
                })
            };
            if is_tree(oe) || is_tree(ne) {
                let read = |e: Option<&(Oid, i32)>| match e.filter(|_| is_tree(e)) {
                    None => Ok(None),
                    Some((id, _)) => self.read_tree(*id).map(Some),
                };
                match (read(oe), read(ne)) {
                    (Ok(ot), Ok(nt)) => self.compare(ot.as_deref(), nt.as_deref(), &path, acc),
                    // The old side is gone but the new one reads: everything under it is re-read
                    // (reported as modified, so nothing pairs as a rename by accident).
                    (Err(_), Ok(nt)) => {
                        let (mut adds, mut dels, mut mods) = (Vec::new(), Vec::new(), Vec::new());
                        let mut sub = Acc {
                            adds: &mut adds,
                            dels: &mut dels,
                            mods: &mut mods,
                            unreadable: acc.unreadable,
                        };
                        self.compare(None, nt.as_deref(), &path, &mut sub);
                        acc.mods.extend(mods);
                        acc.mods.extend(adds.into_iter().map(|(p, _)| p));
                    }
                    (_, Err(reason)) => acc.unreadable.push((path.clone(), reason)),
                }
            }
            // A submodule's content is in another repository: whatever IaC it holds (a module a
            // unit sources, a vendored chart) is invisible here, so its appearance or change is
            // a blind spot at this landing rather than nothing.
            if let Some((id, _)) = ne.filter(|(_, m)| *m == 0o160000) {
                acc.unreadable.push((
                    path.clone(),
                    format!(
                        "submodule entry (commit {id}): its content is in another repository, not read"
                    ),
                ));
            }
            if !formats::is_read_path(&path) {
                continue;
            }
            match (oe.filter(|_| is_file(oe)), ne.filter(|_| is_file(ne))) {
                (Some(_), Some(_)) => acc.mods.push(path),
                (None, Some((id, _))) => acc.adds.push((path, *id)),
                (Some((id, _)), None) => acc.dels.push((path, *id)),
                (None, None) => {}
            }
        }
    }
}

type Entry = (Oid, i32);

/// The two sides of a tree compare paired by name, in order.
fn merge_entries(o: &Tree, n: &Tree) -> Vec<(Vec<u8>, Option<Entry>, Option<Entry>)> {
    let key = |e: &objects::Entry| (e.id(), e.mode);
    let (oe, ne) = (o.entries(), n.entries());
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < oe.len() || j < ne.len() {
        let ord = match (oe.get(i), ne.get(j)) {
            // Same name and same kind pair up; a file and a directory of the same name are
            // two entries (a kind change is a delete and an add).
            (Some(a), Some(b)) => objects::order(o.name(a), a.is_tree(), n.name(b), b.is_tree()),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match ord {
            std::cmp::Ordering::Equal => {
                let (a, b) = (&oe[i], &ne[j]);
                if a.raw_id() != b.raw_id() || a.mode != b.mode {
                    out.push((o.name(a).to_vec(), Some(key(a)), Some(key(b))));
                }
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                let a = &oe[i];
                out.push((o.name(a).to_vec(), Some(key(a)), None));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                let b = &ne[j];
                out.push((n.name(b).to_vec(), None, Some(key(b))));
                j += 1;
            }
        }
    }
    out
}

/// What a tree compare found.
#[derive(Debug, Default)]
pub struct Changes {
    pub files: Vec<FileChange>,
    /// Subtrees (path, reason) whose objects could not be read.
    pub unreadable: Vec<(String, String)>,
}

impl Changes {
    /// Whether unit `dir` lies under a subtree that could not be read (the root included): its
    /// files are unknown at this landing, not absent.
    pub fn hides(&self, dir: &str) -> bool {
        self.unreadable.iter().any(|(p, _)| {
            p.is_empty()
                || dir
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }
}

struct Acc<'a> {
    adds: &'a mut Vec<(String, Oid)>,
    dels: &'a mut Vec<(String, Oid)>,
    mods: &'a mut Vec<String>,
    unreadable: &'a mut Vec<(String, String)>,
}
