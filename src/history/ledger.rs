//! The ledger: every object an analysis read, with the SHA-256 of its bytes, and the
//! certificate of what was read that a report carries.

use super::*;
use git2::Oid;
use sha2::Digest;
use std::sync::Arc;

/// The objects an analysis read: id → (kind, SHA-256 of the object's bytes). Kept apart from the
/// git object id because SHA-1 is no longer collision-resistant: the report's certificate of what
/// was examined should not rest on it alone.
///
/// A repository handle records the blobs it reads here. The commits it reads are certified by
/// the commit table instead (`attribution::Commits`, which keeps each commit's id already and
/// its SHA-256 beside it: every commit read is interned there), and [`Ledger::certificate`]
/// takes both. When commits were here, this was an entry per landing; it is laid out for that
/// still: entries are 53 bytes each in an [`objects::IdTable`]. As a hash map of id to kind and
/// digest it was 3.5 MB at 54,000 entries and would have doubled past 57,000; as a B-tree, 5.6
/// MB (measured). Sorted only to compute the digest.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    entries: objects::IdTable<LedgerEntry>,
}

#[derive(Debug, Clone, Copy)]
struct LedgerEntry {
    id: [u8; 20],
    sum: [u8; 32],
    kind: Kind,
}

impl objects::Keyed for LedgerEntry {
    fn key(&self) -> &[u8; 20] {
        &self.id
    }
}

/// A ledger the handles of one analysis share (see [`Repo::reopener`]): what the reader threads
/// record goes into one table, not one each to merge at the end (merging two halves of a
/// 50,000-landing scan's was the peak of its memory, 7 MB against 3.5, measured).
pub(super) type SharedLedger = Arc<std::sync::Mutex<Ledger>>;

pub(super) fn lock(l: &SharedLedger) -> std::sync::MutexGuard<'_, Ledger> {
    l.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The kinds of object the ledger records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Blob,
    Commit,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Blob => "blob",
            Kind::Commit => "commit",
        }
    }
}

impl Ledger {
    /// Adds an entry not in the ledger yet.
    pub(super) fn insert(&mut self, id: [u8; 20], kind: Kind, sum: [u8; 32]) {
        self.entries.push(LedgerEntry { id, sum, kind }, true);
    }

    pub fn contains(&self, id: Oid) -> bool {
        self.entries.find(&objects::id_bytes(id)).is_some()
    }

    /// Adds the objects another reader read (the same object is the same bytes).
    pub fn merge(&mut self, other: Ledger) {
        if self.entries.is_empty() {
            *self = other;
            return;
        }
        for e in other.entries.iter() {
            if self.entries.find(&e.id).is_none() {
                self.insert(e.id, e.kind, e.sum);
            }
        }
    }

    /// The certificate of what was read: these objects and `commits` (id, SHA-256), each
    /// object once. Its digest is `sha256:<hex>` over one line per object in id order:
    /// `<kind> <git id> <sha256 of bytes>`. The order is the ids' so the digest does not depend
    /// on the order the scan read them in.
    pub fn certificate<'a>(
        &'a self,
        commits: impl Iterator<Item = (&'a [u8; 20], &'a [u8; 32])>,
    ) -> Certificate {
        let mut entries: Vec<(&[u8; 20], Kind, &[u8; 32])> = self
            .entries
            .iter()
            .map(|e| (&e.id, e.kind, &e.sum))
            .chain(commits.map(|(id, sum)| (id, Kind::Commit, sum)))
            .collect();
        entries.sort_unstable_by_key(|e| e.0);
        entries.dedup_by_key(|e| e.0);
        let mut h = sha2::Sha256::new();
        let mut line = String::with_capacity(128);
        let (mut commits, mut blobs) = (0, 0);
        for (id, kind, sum) in entries {
            use std::fmt::Write;
            match kind {
                Kind::Commit => commits += 1,
                Kind::Blob => blobs += 1,
            }
            line.clear();
            let _ = writeln!(
                line,
                "{} {} {}",
                kind.as_str(),
                crate::digest::hex(id),
                crate::digest::hex(sum)
            );
            h.update(line.as_bytes());
        }
        Certificate {
            commits,
            blobs,
            digest: format!("sha256:{}", crate::digest::hex(&h.finalize())),
        }
    }
}

/// What an analysis read, as its report certifies it (see [`Ledger::certificate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub commits: usize,
    pub blobs: usize,
    pub digest: String,
}

impl Repo {
    /// The objects read so far by this handle and every handle reopened from it, leaving their
    /// shared ledger empty (the scan's at its end: a copy of a long history's ledger was
    /// measured at 5 MB). What they read afterwards is recorded anew, for a later call to hand
    /// over.
    pub fn take_ledger(&self) -> Ledger {
        std::mem::take(&mut *lock(&self.ledger))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries across several chunks, recorded in two orders and in two halves merged: the same
    /// counts and digest, every id found, no entry twice, and the digest is over the documented
    /// lines.
    #[test]
    fn the_ledger_digest_does_not_depend_on_order_or_chunks() {
        let n = 2 * objects::ID_TABLE_CHUNK + 100;
        // Ids that share their first 8 bytes (the table's hash) in pairs, as a collision would.
        let id = |i: usize| {
            let mut b = [0u8; 20];
            b[..8].copy_from_slice(&((i / 2) as u64).to_le_bytes());
            b[19] = (i % 2) as u8;
            Oid::from_bytes(&b).unwrap()
        };
        let kind = |i: usize| {
            if i.is_multiple_of(3) {
                Kind::Commit
            } else {
                Kind::Blob
            }
        };
        let note = |l: &mut Ledger, i: usize| {
            let oid = id(i);
            if !l.contains(oid) {
                let sum: [u8; 32] = sha2::Sha256::digest(i.to_string()).into();
                l.insert(objects::id_bytes(oid), kind(i), sum);
            }
        };
        let (mut forward, mut backward, mut a, mut b) = Default::default();
        for i in 0..n {
            note(&mut forward, i);
            note(&mut backward, n - 1 - i);
            note(if i % 2 == 0 { &mut a } else { &mut b }, i);
            // Recording again changes nothing.
            note(&mut forward, i / 2);
        }
        let mut merged: Ledger = a;
        merged.merge(b.clone());
        merged.merge(b);
        let digest = |l: &Ledger| l.certificate(std::iter::empty());
        for l in [&backward, &merged] {
            assert_eq!(digest(l), digest(&forward));
        }
        assert_eq!(forward.entries.len(), n);
        assert_eq!(digest(&forward).commits, n.div_ceil(3));
        assert_eq!(digest(&forward).blobs, n - n.div_ceil(3));
        assert!((0..n).all(|i| merged.contains(id(i))));
        assert!(!merged.contains(Oid::from_bytes(&[7; 20]).unwrap()));
        let mut h = sha2::Sha256::new();
        let mut ids: Vec<usize> = (0..n).collect();
        ids.sort_by_key(|&i| objects::id_bytes(id(i)));
        for i in ids {
            let sum: [u8; 32] = sha2::Sha256::digest(i.to_string()).into();
            h.update(format!(
                "{} {} {}\n",
                kind(i).as_str(),
                id(i),
                crate::digest::hex(&sum)
            ));
        }
        assert_eq!(
            digest(&forward).digest,
            format!("sha256:{}", crate::digest::hex(&h.finalize()))
        );

        // Commits given beside the ledger count and hash as if recorded in it, once each.
        let commits: Vec<([u8; 20], [u8; 32])> = (0..n)
            .filter(|&i| kind(i) == Kind::Commit)
            .map(|i| {
                let sum: [u8; 32] = sha2::Sha256::digest(i.to_string()).into();
                (objects::id_bytes(id(i)), sum)
            })
            .collect();
        let mut blobs = Ledger::default();
        for i in (0..n).filter(|&i| kind(i) == Kind::Blob) {
            note(&mut blobs, i);
        }
        let beside = |l: &Ledger| l.certificate(commits.iter().map(|(a, b)| (a, b)));
        assert_eq!(beside(&blobs), digest(&forward));
        assert_eq!(beside(&forward), digest(&forward), "in both, counted once");
    }
}
