//! Object reads through a handle: trees and blobs from its caches or the object database,
//! verified against their ids, blobs recorded in the ledger; a unit's entries and files; the
//! units of a whole tree.

use super::*;
use git2::{Commit, ObjectType, Oid};
use sha2::Digest;
use std::sync::Arc;

/// The readable files of a unit and the ones that could not be read.
#[derive(Debug, Default)]
pub struct UnitFiles {
    pub files: Vec<(String, Vec<u8>)>,
    pub problems: Vec<(String, String)>,
}

impl Repo {
    /// A commit's tree id, if the commit can be read.
    pub fn tree_of(&self, commit: Oid) -> Option<Oid> {
        self.commit(commit).ok().map(|c| c.tree_id())
    }

    pub fn find_tree(&self, id: Oid) -> Option<Arc<Tree>> {
        self.read_tree(id).ok()
    }

    /// Object `id`'s kind and bytes, and whether they are already checked against the id: read
    /// through this handle's pack reader directly when it holds the object (it hashes what it
    /// gives out, and the bytes are not copied into a libgit2 buffer first), else from libgit2,
    /// unchecked (its own check is off: see [`configure_libgit2`]).
    pub(super) fn read_raw(&self, id: Oid) -> Result<(ObjectType, Vec<u8>, bool), git2::Error> {
        let direct = self.reader.as_ref().and_then(|r| {
            let mut r = r.lock().ok()?;
            r.read(&objects::id_bytes(id)).ok()
        });
        if let Some((kind, data)) = direct {
            return Ok((kind, data, true));
        }
        let odb = self.repo.odb()?;
        let obj = odb.read(id)?;
        Ok((obj.kind(), obj.data().to_vec(), false))
    }

    /// A tree, from this handle's cache or read raw from the object database, verified against
    /// its id and parsed; the error says why it cannot be read.
    pub fn read_tree(&self, id: Oid) -> Result<Arc<Tree>, String> {
        if let Some(t) = self.trees.borrow_mut().get(id) {
            return Ok(t);
        }
        let (kind, data, checked) = self
            .read_raw(id)
            .map_err(|e| format!("tree {id} cannot be read: {}", e.message()))?;
        if kind != ObjectType::Tree {
            return Err(format!(
                "tree {id} cannot be read: the object is not a tree"
            ));
        }
        if !checked && !objects::hashes_to("tree", &data, id) {
            return Err(format!(
                "tree {id} is corrupt: its content does not hash to its id"
            ));
        }
        let tree = Arc::new(
            Tree::parse(data.into_boxed_slice())
                .map_err(|e| format!("tree {id} cannot be read: {e}"))?,
        );
        self.trees.borrow_mut().insert(id, Arc::clone(&tree));
        Ok(tree)
    }

    /// A commit's tree.
    pub fn commit_tree(&self, c: &Commit<'_>) -> Result<Arc<Tree>, String> {
        self.read_tree(c.tree_id())
    }

    /// The entry at `path` (slash-separated, not empty) under `root`: `Ok(None)` when some
    /// component is absent or a file where a directory is needed.
    pub fn entry_at(&self, root: &Tree, path: &str) -> Result<Option<objects::Entry>, String> {
        let mut parts = path.split('/').peekable();
        let mut holder: Option<Arc<Tree>> = None;
        while let Some(part) = parts.next() {
            let t: &Tree = holder.as_deref().unwrap_or(root);
            let Some(e) = t.get(part.as_bytes()).copied() else {
                return Ok(None);
            };
            if parts.peek().is_none() {
                return Ok(Some(e));
            }
            if !e.is_tree() {
                return Ok(None);
            }
            holder = Some(self.read_tree(e.id())?);
        }
        Ok(None)
    }

    /// The entries of the unit `dir` at a commit's tree: the Terraform files directly inside a
    /// directory, or the one file of a manifest unit; path, blob id and file mode. Cheap (no blob is read), so it can key a parse cache.
    pub fn unit_entries(&self, tree: &Tree, dir: &str) -> Result<Vec<(String, Oid, i32)>, String> {
        let sub;
        let t = if dir.is_empty() {
            tree
        } else {
            match self.entry_at(tree, dir)? {
                Some(e) if e.is_tree() => {
                    sub = self.read_tree(e.id())?;
                    &*sub
                }
                // A manifest or template is a unit of its own: the unit is the file.
                Some(e)
                    if matches!(
                        e.mode,
                        objects::MODE_BLOB | objects::MODE_EXEC | objects::MODE_LINK
                    ) && formats::is_manifest_file(dir) =>
                {
                    return Ok(vec![(dir.to_string(), e.id(), e.mode)]);
                }
                _ => return Ok(Vec::new()),
            }
        };
        let mut out = Vec::new();
        for e in t.entries() {
            let Ok(name) = std::str::from_utf8(t.name(e)) else {
                continue;
            };
            let path = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            if formats::belongs_to(&path, dir) && !e.is_tree() {
                out.push((path, e.id(), e.mode));
            }
        }
        Ok(out)
    }

    /// Reads the entries of a unit. Symlinks are never followed (a hostile repository may point
    /// `main.tf` at a file outside the history); oversized or missing blobs are not loaded; each
    /// becomes a problem naming the file.
    pub fn read_entries(&self, entries: &[(String, Oid, i32)]) -> UnitFiles {
        let mut out = UnitFiles::default();
        for (path, id, mode) in entries {
            match *mode {
                0o120000 => out.problems.push((
                    path.clone(),
                    "symbolic link: not followed (its target is outside the history)".into(),
                )),
                0o100644 | 0o100755 => match self.read_blob(*id) {
                    Ok(bytes) => out.files.push((path.clone(), bytes)),
                    Err(reason) => out.problems.push((path.clone(), reason)),
                },
                0o160000 => out.problems.push((
                    path.clone(),
                    "submodule entry: its content is in another repository".into(),
                )),
                _ => {}
            }
        }
        out
    }

    /// The bytes of `path` in `commit` (or in its first parent), for presenting a diff excerpt.
    /// Not recorded in the ledger: excerpts are presentation, read after the analysis; `None`
    /// when the file is absent, too large, or unreadable.
    pub fn file_at(&self, commit: Oid, path: &str, in_parent: bool) -> Option<Vec<u8>> {
        let mut c = self.commit(commit).ok()?;
        if in_parent {
            c = self.commit(c.parent_id(0).ok()?).ok()?;
        }
        let root = self.commit_tree(&c).ok()?;
        let entry = self.entry_at(&root, path).ok()??;
        if !matches!(entry.mode, objects::MODE_BLOB | objects::MODE_EXEC) {
            return None;
        }
        let odb = self.repo.odb().ok()?;
        let (size, _) = odb.read_header(entry.id()).ok()?;
        if size > self.limits.max_file_bytes {
            return None;
        }
        let b = self.repo.find_blob(entry.id()).ok()?;
        objects::hashes_to("blob", b.content(), entry.id()).then(|| b.content().to_vec())
    }

    fn read_blob(&self, id: Oid) -> Result<Vec<u8>, String> {
        // Only a blob that was read whole and verified is cached, so a hit has passed the size
        // limit and the hash check, and is already in the ledger.
        if let Some(b) = self.blobs.borrow_mut().get(id) {
            if b.len() > self.limits.max_file_bytes {
                return Err(self.limits.file_too_large(b.len()));
            }
            return Ok(b.to_vec());
        }
        let odb = self
            .repo
            .odb()
            .map_err(|e| format!("object database cannot be read: {}", e.message()))?;
        let (size, _) = odb
            .read_header(id)
            .map_err(|e| format!("object {id} is missing or corrupt: {}", e.message()))?;
        if size > self.limits.max_file_bytes {
            return Err(self.limits.file_too_large(size));
        }
        let b = self
            .repo
            .find_blob(id)
            .map_err(|e| format!("object {id} is missing or corrupt: {}", e.message()))?;
        // The collision-detecting SHA-1 (libgit2's): a blob's bytes are evidence.
        if !Oid::hash_object(ObjectType::Blob, b.content()).is_ok_and(|h| h == id) {
            return Err(format!(
                "object {id} is missing or corrupt: its content does not hash to its id"
            ));
        }
        // Recorded in the shared ledger, hashed outside the lock the reader threads share.
        let sum: [u8; 32] = sha2::Sha256::digest(b.content()).into();
        let mut ledger = lock(&self.ledger);
        if !ledger.contains(id) {
            ledger.insert(objects::id_bytes(id), Kind::Blob, sum);
        }
        drop(ledger);
        self.blobs.borrow_mut().insert(id, b.content().into());
        Ok(b.content().to_vec())
    }

    /// Every IaC unit directory in a tree (for evaluating a whole snapshot, as `review` does at
    /// its base).
    pub fn all_units(&self, tree: &Tree) -> Vec<String> {
        let mut dirs = std::collections::BTreeSet::new();
        // Depth-first with an explicit stack (a hostile repository can nest directories deeper
        // than any call stack); subtrees that cannot be read are skipped here, as `review`'s
        // base snapshot reads each unit again and reports what it cannot read.
        let mut stack: Vec<(String, Arc<Tree>)> = Vec::new();
        let mut visit = |prefix: &str, t: &Tree, stack: &mut Vec<(String, Arc<Tree>)>| {
            for e in t.entries() {
                let Ok(name) = std::str::from_utf8(t.name(e)) else {
                    continue;
                };
                let path = format!("{prefix}{name}");
                if e.is_tree() {
                    if let Ok(sub) = self.read_tree(e.id()) {
                        stack.push((format!("{path}/"), sub));
                    }
                } else if e.mode != objects::MODE_COMMIT && formats::is_iac_path(&path) {
                    dirs.insert(formats::unit_of(&path).to_string());
                }
            }
        };
        visit("", tree, &mut stack);
        while let Some((prefix, t)) = stack.pop() {
            visit(&prefix, &t, &mut stack);
        }
        dirs.into_iter().collect()
    }
}
