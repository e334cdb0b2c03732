//! Commit records: who wrote and committed a commit (through the mailmap), when, its trailers,
//! the signature it carries, and the SHA-256 of its bytes for the certificate; and [`Recall`],
//! which reads a report's commits again for what the scan does not keep of every landing.

use super::*;
use chrono::{DateTime, FixedOffset};
use git2::{Commit, ObjectType, Oid, Repository};
use serde::Serialize;
use sha2::Digest;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A person as a commit names them, after the repository's mailmap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub name: String,
    pub email: String,
    /// RFC 3339 with the commit's own offset.
    pub at: String,
    #[serde(skip)]
    pub seconds: i64,
    /// The offset `at` is written in (the commit table keeps times as numbers).
    #[serde(skip)]
    pub offset_minutes: i32,
}

/// The signature a commit carries (its presence; git2 cannot verify it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureKind {
    Gpg,
    Ssh,
    X509,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    pub id: String,
    pub author: Person,
    pub committer: Person,
    /// Identity before the mailmap, when the mailmap changed it.
    #[serde(skip)]
    pub mailmapped: bool,
    pub signature: Option<SignatureKind>,
    /// The key the signature names (OpenPGP fingerprint or key id, SSH key fingerprint); not
    /// verified.
    pub signing_key: Option<String>,
    /// Trailers by key (`Co-authored-by`, `Reviewed-by`, `Signed-off-by`, …), values in order.
    pub trailers: BTreeMap<String, Vec<String>>,
    pub summary: String,
    /// Parent ids, first parent first (ids as bytes: a record is kept for every landing).
    #[serde(skip)]
    pub parents: Vec<Oid>,
    /// SHA-256 of the commit object's bytes, when they hash to its id: the commit's line in the
    /// certificate of what was read. Every commit read is interned in a commit table, which
    /// keeps this; the ledger keeps the blobs (see [`Ledger::certificate`]).
    #[serde(skip)]
    pub sum: Option<[u8; 32]>,
}

/// What a report shows of a commit beyond who and when, and which the scan does not keep for
/// every landing (see [`Recall`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitDetails {
    pub signing_key: Option<String>,
    pub trailers: BTreeMap<String, Vec<String>>,
    pub summary: String,
    pub parents: Vec<Oid>,
}

/// The signature kind and the details of `c`, as [`Repo::commit_info`] and [`Recall`] read them.
fn commit_details(c: &Commit<'_>) -> (Option<SignatureKind>, CommitDetails) {
    let message = String::from_utf8_lossy(c.message_raw_bytes()).into_owned();
    let mut trailers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Ok(t) = git2::message_trailers_strs(&message) {
        for (k, v) in t.iter() {
            trailers
                .entry(k.to_string())
                .or_default()
                .push(v.to_string());
        }
    }
    // Read from the header already in memory: libgit2's extract_signature would read and
    // inflate the object a second time for every landing (measured).
    let raw_signature = header_signature(c.raw_header_bytes());
    let signing_key = raw_signature
        .as_deref()
        .and_then(crate::history::signing::key_id);
    let signature = raw_signature.map(|sig| {
        let s = String::from_utf8_lossy(&sig);
        if s.contains("BEGIN SSH SIGNATURE") {
            SignatureKind::Ssh
        } else if s.contains("BEGIN PGP SIGNATURE") {
            SignatureKind::Gpg
        } else if s.contains("BEGIN SIGNED MESSAGE") {
            SignatureKind::X509
        } else {
            SignatureKind::Other
        }
    });
    let details = CommitDetails {
        signing_key,
        trailers,
        summary: message.lines().next().unwrap_or("").to_string(),
        parents: c.parent_ids().collect(),
    };
    (signature, details)
}

/// Reads commits again by id, for the commits a report names: the scan keeps only who and when
/// of each landing (see `attribution::Commits`), not what a report alone shows. Its own handle,
/// opened on first use (a report that names no commit never opens it) and reading pack files
/// through the scan's store; it records nothing in the ledger, which has these commits already.
/// A handle, not a `Repo`: it is shared by the threads that write a report, and a `Repo` (its
/// mailmap) cannot be; identities are the scan's, so no mailmap is needed here.
pub struct Recall {
    path: String,
    packs: Arc<packs::Store>,
    handle: std::sync::Mutex<Option<Result<RecallHandle, String>>>,
}

struct RecallHandle {
    repo: Repository,
    /// Kept for as long as the handle, which reads through it.
    _reader: Option<Arc<std::sync::Mutex<packs::Reader>>>,
}

impl std::fmt::Debug for Recall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recall").field("path", &self.path).finish()
    }
}

impl Recall {
    /// What [`Repo::commit_info`] reads of commit `id` beyond who and when. With `verified`
    /// (the scan hashed the commit's bytes to its id, see [`CommitInfo::sum`]) the bytes read
    /// again must hash to the id too; a commit the scan could not verify is read as the scan
    /// read it.
    pub fn details(&self, id: Oid, verified: bool) -> Result<CommitDetails, String> {
        let mut handle = self
            .handle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let handle = handle.get_or_insert_with(|| {
            let repo = open_git(&self.path).map_err(|e| e.to_string())?;
            let reader = packs::register(&repo, Arc::clone(&self.packs)).ok();
            Ok(RecallHandle {
                repo,
                _reader: reader,
            })
        });
        let repo = &handle.as_ref().map_err(Clone::clone)?.repo;
        let unreadable =
            |e: git2::Error| format!("commit {id} cannot be read again: {}", e.message());
        let c = repo.find_commit(id).map_err(unreadable)?;
        if verified && commit_bytes(repo, &c, |b| objects::hashes_to("commit", b, id)).is_none() {
            return Err(format!(
                "commit {id} cannot be read again: its bytes no longer hash to its id"
            ));
        }
        Ok(commit_details(&c).1)
    }
}

impl Repo {
    /// What reads this repository's commits again for a report (see [`Recall`]).
    pub fn recall(&self) -> Recall {
        Recall {
            path: self.given.clone(),
            packs: Arc::clone(&self.packs),
            handle: Default::default(),
        }
    }

    /// Author, committer (through the mailmap), trailers and signature presence of a commit.
    pub fn commit_info(&self, c: &Commit<'_>) -> CommitInfo {
        let sum = self.commit_sum(c);
        let raw_author = person(&c.author());
        let raw_committer = person(&c.committer());
        let (author, committer) = match &self.mailmap {
            Some(mm) => (
                c.author_with_mailmap(mm)
                    .map(|s| person(&s))
                    .unwrap_or_else(|_| raw_author.clone()),
                c.committer_with_mailmap(mm)
                    .map(|s| person(&s))
                    .unwrap_or_else(|_| raw_committer.clone()),
            ),
            None => (raw_author.clone(), raw_committer.clone()),
        };
        let mailmapped = author != raw_author || committer != raw_committer;
        let (signature, details) = commit_details(c);
        CommitInfo {
            id: c.id().to_string(),
            author,
            committer,
            mailmapped,
            signature,
            signing_key: details.signing_key,
            trailers: details.trailers,
            summary: details.summary,
            parents: details.parents,
            sum,
        }
    }

    /// The SHA-256 of a commit object's raw bytes, for the certificate of what was read. The
    /// bytes are the parsed header and message put back together, accepted only when they hash
    /// to the commit's id (so they are exactly the object); otherwise they are read again from
    /// the object database. `None` when neither hashes to the id.
    fn commit_sum(&self, c: &Commit<'_>) -> Option<[u8; 32]> {
        let id = c.id();
        // The collision-detecting SHA-1 (libgit2's), once per commit read: commits are evidence.
        let collision_checked =
            |b: &[u8]| Oid::hash_object(ObjectType::Commit, b).is_ok_and(|h| h == id);
        let bytes = commit_bytes(&self.repo, c, collision_checked)?;
        Some(sha2::Sha256::digest(&bytes).into())
    }
}

/// A commit object's bytes as libgit2 parsed them: the header, a blank line, the message.
/// The bytes of commit `c` for which `hashes` holds: its parsed header and message put back
/// together (the usual case), else, when those do not round-trip (libgit2 normalises a few odd
/// encodings), the bytes the object database stores. `None` when neither does.
pub(super) fn commit_bytes(
    repo: &Repository,
    c: &Commit<'_>,
    hashes: impl Fn(&[u8]) -> bool,
) -> Option<Vec<u8>> {
    let raw = raw_commit(c);
    if hashes(&raw) {
        return Some(raw);
    }
    let odb = repo.odb().ok()?;
    let obj = odb.read(c.id()).ok()?;
    hashes(obj.data()).then(|| obj.data().to_vec())
}

fn raw_commit(c: &Commit<'_>) -> Vec<u8> {
    let (header, message) = (c.raw_header_bytes(), c.message_raw_bytes());
    let mut raw = Vec::with_capacity(header.len() + 1 + message.len());
    raw.extend_from_slice(header);
    raw.push(b'\n');
    raw.extend_from_slice(message);
    raw
}

/// The signature a raw commit header carries (`gpgsig`, or `gpgsig-sha256`), unfolded: the
/// continuation lines of a header value start with one space, which is removed.
fn header_signature(header: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    for line in header.split(|&b| b == b'\n') {
        match (&mut out, line.first()) {
            (Some(sig), Some(b' ')) => {
                sig.push(b'\n');
                sig.extend_from_slice(&line[1..]);
            }
            (Some(_), _) => break,
            (None, _) => {
                let value = line
                    .strip_prefix(b"gpgsig ")
                    .or_else(|| line.strip_prefix(b"gpgsig-sha256 "));
                if let Some(v) = value {
                    out = Some(v.to_vec());
                }
            }
        }
    }
    out
}

/// The first `parent` a raw commit header names, if any.
pub(super) fn named_parent(header: &[u8]) -> Option<String> {
    header
        .split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(b"parent "))
        .map(|p| String::from_utf8_lossy(p).trim().to_string())
}

fn person(s: &git2::Signature<'_>) -> Person {
    let t = s.when();
    Person {
        name: String::from_utf8_lossy(s.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(s.email_bytes()).into_owned(),
        at: rfc3339(t.seconds(), t.offset_minutes()),
        seconds: t.seconds(),
        offset_minutes: t.offset_minutes(),
    }
}

/// RFC 3339 with the original offset; an absurd time or offset is written plainly instead of
/// panicking.
pub fn rfc3339(seconds: i64, offset_minutes: i32) -> String {
    let dt = FixedOffset::east_opt(offset_minutes.saturating_mul(60))
        .and_then(|off| DateTime::from_timestamp(seconds, 0).map(|d| d.with_timezone(&off)));
    match dt {
        Some(d) => d.to_rfc3339(),
        None => format!("@{seconds} {offset_minutes:+}min (not representable)"),
    }
}

/// Parses an RFC 3339 time back to seconds (for durations).
pub fn seconds_of(at: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(at).ok().map(|d| d.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_unfolded_from_the_header() {
        let header = b"tree 1\nparent 2\nauthor a\ncommitter c\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\nmergetag x\n";
        assert_eq!(
            header_signature(header).as_deref(),
            Some(&b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----"[..])
        );
        assert_eq!(header_signature(b"tree 1\nauthor a\n"), None);
    }

    #[test]
    fn rfc3339_keeps_the_offset_and_survives_absurd_input() {
        assert_eq!(rfc3339(0, 60), "1970-01-01T01:00:00+01:00");
        assert_eq!(rfc3339(1_700_000_000, -300), "2023-11-14T17:13:20-05:00");
        assert!(rfc3339(i64::MAX, 0).contains("not representable"));
        assert!(rfc3339(0, 100_000).contains("not representable"));
    }
}
