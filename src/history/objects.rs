//! Objects: trees read as raw bytes, verified against their ids, parsed once and cached.
//!
//! Takes the object database's raw bytes of a tree; gives its entries (name, mode, id) in the
//! order they are stored, and whether that order is git's. The history layer reads every tree of
//! every landing through here, so this is the hot path of a scan.
//!
//! Why not libgit2's trees: reading a tree through libgit2 verifies it with the collision-
//! detecting SHA-1 (a fifth of a scan's CPU, measured), allocates an entry table, and caches
//! the result behind a lock shared by every thread. Here the id is checked with the CPU's SHA-1
//! instructions (the `sha1` crate detects them at run time), the entries are offsets into the
//! object's own bytes, and the cache belongs to one reader. A tree whose bytes do not hash to
//! its id is an error, as it was under libgit2's verification: what is under it becomes a blind
//! spot. Commits and blobs, the objects whose bytes are evidence, are still checked with the
//! collision-detecting hash (see `history`).

use git2::Oid;
use sha1::Digest;
use std::collections::HashMap;
use std::sync::Arc;

/// Git's file modes, as libgit2 normalises them.
pub const MODE_TREE: i32 = 0o040000;
pub const MODE_BLOB: i32 = 0o100644;
pub const MODE_EXEC: i32 = 0o100755;
pub const MODE_LINK: i32 = 0o120000;
pub const MODE_COMMIT: i32 = 0o160000;

/// One entry of a tree: its name is a range of the tree's bytes. The id is kept as raw bytes
/// and made an [`Oid`] only when asked: most entries of a large directory are only compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    start: u32,
    len: u32,
    /// The mode, normalised as libgit2 does (any executable bit makes an executable file).
    pub mode: i32,
    raw_id: [u8; 20],
}

impl Entry {
    pub fn id(&self) -> Oid {
        // Twenty bytes always make an id; the fallback cannot be reached.
        Oid::from_bytes(&self.raw_id).unwrap_or(Oid::ZERO_SHA1)
    }

    /// The id's bytes, for comparing entries without making ids.
    pub fn raw_id(&self) -> &[u8; 20] {
        &self.raw_id
    }

    pub fn is_tree(&self) -> bool {
        self.mode == MODE_TREE
    }

    /// A file or a symbolic link (what libgit2 calls a blob entry).
    pub fn is_blob(&self) -> bool {
        matches!(self.mode, MODE_BLOB | MODE_EXEC | MODE_LINK)
    }
}

/// A parsed tree.
#[derive(Debug)]
pub struct Tree {
    data: Box<[u8]>,
    entries: Vec<Entry>,
    /// Entries in git's order (byte order, a subtree's name compared as if it ended in `/`),
    /// no name twice. Git never writes anything else; a hostile repository can.
    sorted: bool,
}

impl Tree {
    /// Parses a tree object's bytes (SHA-1 ids). Rejects what libgit2 rejects: a mode that is
    /// not octal or over 16 bits, a missing space, an empty name, a truncated id.
    pub fn parse(data: Box<[u8]>) -> Result<Tree, String> {
        // An entry is at least 28 bytes (a mode, a one-byte name, an id); most are longer.
        let mut entries = Vec::with_capacity(data.len() / 32);
        let mut i = 0usize;
        while i < data.len() {
            let rest = &data[i..];
            let sp = memchr::memchr(b' ', &rest[..rest.len().min(8)])
                .ok_or("malformed tree: missing space after a file mode")?;
            let digits = &rest[..sp];
            if digits.is_empty()
                || digits.len() > 7
                || !digits.iter().all(|b| (b'0'..=b'7').contains(b))
            {
                return Err("malformed tree: a file mode is not an octal number".into());
            }
            let raw = digits.iter().fold(0u32, |m, d| m * 8 + u32::from(d - b'0'));
            if raw > 0xFFFF {
                return Err("malformed tree: a file mode is out of range".into());
            }
            let name_start = i + sp + 1;
            let nul = memchr::memchr(0, &data[name_start..])
                .ok_or("malformed tree: an entry name is not terminated")?;
            if nul == 0 {
                return Err("malformed tree: an entry has an empty name".into());
            }
            let id_start = name_start + nul + 1;
            let raw_id: [u8; 20] = data
                .get(id_start..id_start + 20)
                .and_then(|b| b.try_into().ok())
                .ok_or("malformed tree: an entry's id is truncated")?;
            entries.push(Entry {
                start: u32::try_from(name_start).map_err(|_| "tree too large")?,
                len: u32::try_from(nul).map_err(|_| "tree too large")?,
                mode: normalise(raw),
                raw_id,
            });
            i = id_start + 20;
        }
        let mut tree = Tree {
            data,
            entries,
            sorted: true,
        };
        tree.sorted = tree.entries.windows(2).all(|w| {
            order(
                tree.name(&w[0]),
                w[0].is_tree(),
                tree.name(&w[1]),
                w[1].is_tree(),
            ) == std::cmp::Ordering::Less
        });
        Ok(tree)
    }

    /// The tree with no entries (the side of a compare where a directory does not exist).
    pub fn empty() -> Tree {
        Tree {
            data: Box::default(),
            entries: Vec::new(),
            sorted: true,
        }
    }

    pub fn name(&self, e: &Entry) -> &[u8] {
        &self.data[e.start as usize..(e.start + e.len) as usize]
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn is_sorted(&self) -> bool {
        self.sorted
    }

    /// The entry named `name`: a binary search in a tree in git's order (a directory's name
    /// sorts as if it ended in `/`, so it is looked for as a directory, then as a file); in any
    /// other tree, the first entry of that name.
    pub fn get(&self, name: &[u8]) -> Option<&Entry> {
        if !self.sorted {
            return self.entries.iter().find(|e| self.name(e) == name);
        }
        [true, false].into_iter().find_map(|as_tree| {
            self.entries
                .binary_search_by(|e| order(self.name(e), e.is_tree(), name, as_tree))
                .ok()
                .map(|i| &self.entries[i])
        })
    }
}

/// libgit2's `normalize_filemode`: what `git_tree_entry_filemode` reports.
fn normalise(mode: u32) -> i32 {
    let kind = mode & 0o170000;
    if kind == 0o040000 {
        MODE_TREE
    } else if mode & 0o100 != 0 {
        MODE_EXEC
    } else if kind == 0o160000 {
        MODE_COMMIT
    } else if kind == 0o120000 {
        MODE_LINK
    } else {
        MODE_BLOB
    }
}

/// Git's tree order: byte order, a subtree's name compared as if it ended in `/`.
pub fn order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        std::cmp::Ordering::Equal => {}
        o => return o,
    }
    let next = |s: &[u8], tree: bool| s.get(n).copied().or(if tree { Some(b'/') } else { None });
    next(a, a_tree).cmp(&next(b, b_tree))
}

/// Whether `data` is the object `id` of type `kind` ("tree", "blob", "commit"): the SHA-1 of
/// `<kind> <length>\0<data>`, computed with the CPU's SHA-1 instructions where it has them.
pub fn hashes_to(kind: &str, data: &[u8], id: Oid) -> bool {
    let mut h = sha1::Sha1::new();
    h.update(kind.as_bytes());
    h.update(b" ");
    h.update(data.len().to_string().as_bytes());
    h.update([0u8]);
    h.update(data);
    h.finalize().as_slice() == id.as_bytes()
}

/// What a cache entry costs, in bytes.
pub trait Weigh {
    fn weight(&self) -> usize;
}

impl Weigh for Tree {
    fn weight(&self) -> usize {
        self.data.len() + self.entries.len() * std::mem::size_of::<Entry>() + 64
    }
}

impl Weigh for [u8] {
    fn weight(&self) -> usize {
        self.len() + 64
    }
}

/// Bytes of parsed trees one reader keeps. A landing reads the trees on the paths it changed;
/// its parent's were read by the landing before, so a small cache holds what is revisited.
pub const TREE_CACHE_BYTES: usize = 4 * 1024 * 1024;

/// Bytes of file contents one reader keeps. A unit is re-read whole when one of its files
/// changes; the others are usually the same blobs as at the last landing that touched it.
pub const BLOB_CACHE_BYTES: usize = 4 * 1024 * 1024;

/// An id's 20 bytes, the key of the tables a scan keeps an entry per landing in (the commit
/// table, the object ledger).
pub fn id_bytes(id: Oid) -> [u8; 20] {
    id.as_bytes().try_into().unwrap_or([0; 20])
}

/// Objects by id, in two generations: when the young one is full it becomes the old one and the
/// old one is dropped, so what was used recently stays (a hit in the old generation moves the
/// object back) and memory is bounded without per-entry bookkeeping.
pub struct Cache<V: Weigh + ?Sized> {
    young: HashMap<Oid, Arc<V>>,
    old: HashMap<Oid, Arc<V>>,
    bytes: usize,
    budget: usize,
}

impl<V: Weigh + ?Sized> Cache<V> {
    pub fn new(budget: usize) -> Self {
        Cache {
            young: HashMap::new(),
            old: HashMap::new(),
            bytes: 0,
            budget,
        }
    }

    pub fn get(&mut self, id: Oid) -> Option<Arc<V>> {
        if let Some(t) = self.young.get(&id) {
            return Some(Arc::clone(t));
        }
        let t = self.old.remove(&id)?;
        self.insert(id, Arc::clone(&t));
        Some(t)
    }

    pub fn insert(&mut self, id: Oid, value: Arc<V>) {
        let w = value.weight();
        if self.bytes + w > self.budget / 2 {
            self.old = std::mem::take(&mut self.young);
            self.bytes = 0;
        }
        self.bytes += w;
        self.young.insert(id, value);
    }
}

/// Records keyed by an object id, for the tables that hold one record per landing or object
/// read (the object ledger, the commit table): kept in fixed chunks of [`ID_TABLE_CHUNK`] (a
/// doubling `Vec` holds up to twice the room it uses), and found through a table of record
/// numbers whose hash is the id's first 8 bytes (ids are SHA-1 hashes already; a map keyed by
/// the ids would hold them a second time).
#[derive(Debug, Clone)]
pub struct IdTable<T> {
    chunks: Vec<Vec<T>>,
    index: hashbrown::HashTable<u32>,
    len: usize,
}

/// What an [`IdTable`] finds its records by.
pub trait Keyed {
    fn key(&self) -> &[u8; 20];
}

/// Records an [`IdTable`] chunk holds.
pub const ID_TABLE_CHUNK: usize = 4096;

/// An id's hash in an [`IdTable`]'s index: its first 8 bytes.
fn id_hash(id: &[u8; 20]) -> u64 {
    u64::from_le_bytes([id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7]])
}

impl<T> Default for IdTable<T> {
    fn default() -> Self {
        IdTable {
            chunks: Vec::new(),
            index: hashbrown::HashTable::new(),
            len: 0,
        }
    }
}

impl<T: Keyed> IdTable<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Record number `n`.
    pub fn get(&self, n: usize) -> &T {
        &self.chunks[n / ID_TABLE_CHUNK][n % ID_TABLE_CHUNK]
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    /// The number of the record with id `id`, if one was pushed indexed.
    pub fn find(&self, id: &[u8; 20]) -> Option<usize> {
        self.index
            .find(id_hash(id), |&n| self.get(n as usize).key() == id)
            .map(|&n| n as usize)
    }

    /// Room in the index for `n` more records.
    pub fn reserve(&mut self, n: usize) {
        let chunks = &self.chunks;
        self.index.reserve(n, |&j| {
            let j = j as usize;
            id_hash(chunks[j / ID_TABLE_CHUNK][j % ID_TABLE_CHUNK].key())
        });
    }

    /// Appends `record` and returns its number; [`IdTable::find`] finds it when `indexed` (and
    /// the table holds fewer than four billion records, past any repository).
    pub fn push(&mut self, record: T, indexed: bool) -> usize {
        let n = self.len;
        let hash = id_hash(record.key());
        if self.chunks.last().is_none_or(|c| c.len() == ID_TABLE_CHUNK) {
            self.chunks.push(Vec::with_capacity(ID_TABLE_CHUNK));
        }
        if let Some(c) = self.chunks.last_mut() {
            c.push(record);
        }
        self.len += 1;
        if let (true, Ok(j)) = (indexed, u32::try_from(n)) {
            let chunks = &self.chunks;
            self.index.insert_unique(hash, j, |&j| {
                let j = j as usize;
                id_hash(chunks[j / ID_TABLE_CHUNK][j % ID_TABLE_CHUNK].key())
            });
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(entries: &[(&str, &[u8], [u8; 20])]) -> Box<[u8]> {
        let mut out = Vec::new();
        for (mode, name, id) in entries {
            out.extend_from_slice(mode.as_bytes());
            out.push(b' ');
            out.extend_from_slice(name);
            out.push(0);
            out.extend_from_slice(id);
        }
        out.into_boxed_slice()
    }

    #[test]
    fn a_tree_parses_into_names_modes_and_ids() {
        let t = Tree::parse(raw(&[
            ("100644", b"main.tf", [1; 20]),
            ("40000", b"modules", [2; 20]),
            ("100664", b"odd.tf", [3; 20]),
            ("100775", b"run.sh", [4; 20]),
            ("120000", b"z-link", [5; 20]),
            ("160000", b"zz-sub", [6; 20]),
        ]))
        .unwrap();
        let got: Vec<(&[u8], i32)> = t.entries().iter().map(|e| (t.name(e), e.mode)).collect();
        assert_eq!(
            got,
            vec![
                (&b"main.tf"[..], MODE_BLOB),
                (b"modules", MODE_TREE),
                (b"odd.tf", MODE_BLOB),
                (b"run.sh", MODE_EXEC),
                (b"z-link", MODE_LINK),
                (b"zz-sub", MODE_COMMIT),
            ]
        );
        assert!(t.is_sorted());
        assert_eq!(
            t.get(b"modules").unwrap().id(),
            Oid::from_bytes(&[2; 20]).unwrap()
        );
        assert!(t.get(b"absent").is_none());
        for e in t.entries() {
            assert_eq!(
                t.get(t.name(e)),
                Some(e),
                "{:?}",
                String::from_utf8_lossy(t.name(e))
            );
        }
    }

    #[test]
    fn order_is_git_order_and_duplicates_are_unsorted() {
        // "a.tf" (file) sorts before "a" (tree), compared as "a/".
        let t = Tree::parse(raw(&[
            ("100644", b"a.tf", [1; 20]),
            ("40000", b"a", [2; 20]),
        ]))
        .unwrap();
        assert!(t.is_sorted());
        let t = Tree::parse(raw(&[("100644", b"b", [1; 20]), ("100644", b"a", [2; 20])])).unwrap();
        assert!(!t.is_sorted());
        let t = Tree::parse(raw(&[("100644", b"a", [1; 20]), ("100644", b"a", [2; 20])])).unwrap();
        assert!(!t.is_sorted());
    }

    #[test]
    fn malformed_trees_are_errors_not_panics() {
        for bad in [
            &b"100644"[..],
            b"100644 name",
            b"100644 name\0short",
            b"1x0644 name\0aaaaaaaaaaaaaaaaaaaa",
            b"7777777 name\0aaaaaaaaaaaaaaaaaaaa",
            b"100644 \0aaaaaaaaaaaaaaaaaaaa",
            b" name\0aaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(
                Tree::parse(bad.into()).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(Tree::parse(Box::default()).unwrap().entries().is_empty());
    }

    use proptest::prelude::*;

    /// Tree-like bytes: well-formed entries, cut short, with stray bytes between them.
    fn tree_bytes() -> impl Strategy<Value = Vec<u8>> {
        let entry = (
            prop::sample::select(vec![
                "100644", "40000", "100755", "120000", "160000", "7", "0",
            ]),
            prop::collection::vec(any::<u8>(), 0..12),
            any::<[u8; 20]>(),
            prop::collection::vec(any::<u8>(), 0..3),
        )
            .prop_map(|(mode, name, id, junk)| {
                let mut e = mode.as_bytes().to_vec();
                e.push(b' ');
                e.extend(name);
                e.push(0);
                e.extend(id);
                e.extend(junk);
                e
            });
        (prop::collection::vec(entry, 0..20), any::<usize>()).prop_map(|(es, cut)| {
            let all = es.concat();
            let cut = if all.is_empty() {
                0
            } else {
                cut % (all.len() + 1)
            };
            all[..cut].to_vec()
        })
    }

    proptest! {
        /// Whatever a hostile repository stores as a tree (its id will match: it wrote both),
        /// parsing ends in entries or an error, and every entry's name is found again by name.
        #[test]
        fn any_bytes_parse_or_fail_without_panicking(bytes in tree_bytes()) {
            if let Ok(t) = Tree::parse(bytes.into_boxed_slice()) {
                for e in t.entries() {
                    let found = t.get(t.name(e));
                    prop_assert!(found.is_some());
                    prop_assert_eq!(t.name(found.unwrap()), t.name(e));
                }
            }
        }

        #[test]
        fn raw_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = Tree::parse(bytes.into_boxed_slice());
        }
    }

    #[test]
    fn an_object_hashes_to_its_git_id() {
        // `git hash-object` of "hello\n".
        let id = Oid::from_str("ce013625030ba8dba906f756967f9e9ca394464a").unwrap();
        assert!(hashes_to("blob", b"hello\n", id));
        assert!(!hashes_to("blob", b"hello!\n", id));
        assert!(!hashes_to("tree", b"hello\n", id));
    }

    #[test]
    fn the_cache_stays_within_its_budget_and_keeps_recent_trees() {
        let mut c: Cache<Tree> = Cache::new(TREE_CACHE_BYTES);
        let big = Arc::new(Tree::parse(vec![0u8; 0].into()).unwrap());
        let first = Oid::from_bytes(&[9; 20]).unwrap();
        c.insert(first, Arc::clone(&big));
        for i in 0..200_000u32 {
            let mut b = [0u8; 20];
            b[..4].copy_from_slice(&i.to_be_bytes());
            c.insert(Oid::from_bytes(&b).unwrap(), Arc::clone(&big));
            if i % 1000 == 0 {
                assert!(c.get(first).is_some(), "a tree in use is kept");
            }
        }
        assert!(c.young.len() + c.old.len() <= TREE_CACHE_BYTES / 64);
    }

    #[test]
    fn tree_order_puts_a_directory_after_a_file_with_its_name_as_prefix() {
        use std::cmp::Ordering::*;
        // git sorts "a.tf" < "a/" (as "a/") < "a0": '.' < '/' < '0'.
        assert_eq!(order(b"a.tf", false, b"a", true), Less);
        assert_eq!(order(b"a", true, b"a0", false), Less);
        assert_eq!(order(b"a", false, b"a", true), Less);
        assert_eq!(order(b"a", true, b"a", true), Equal);
    }
}
