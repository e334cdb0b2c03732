//! History: the repository, read-only, as a sequence of landings and the IaC files they change.
//!
//! Takes a path to a work tree or bare repository and a ref; gives the landings of the ref (its
//! first-parent chain) oldest first, for each the IaC paths it changed against its first parent,
//! and for a merge the commits of the merged side, so a change can be attributed to the commit
//! that wrote it rather than to the merge.
//!
//! Nothing here writes: the repository is opened with `NO_SEARCH`, trees and blobs are read from
//! the object database, nothing is checked out, the index is never touched, and git is never run.
//!
//! Every object read is checked against its id here (libgit2's own check is off, see
//! [`configure_libgit2`]): trees in `objects`, commits and blobs with libgit2's collision-detecting
//! hash. An object that fails is an error naming it, which the scan reports as a blind spot.
//!
//! The tree compare descends only into subtrees whose ids differ: measured 7x faster than
//! libgit2's pathspec diff and as fast as `git log --raw` (CRATES.md). Renames are paired by
//! identical blob, then by content similarity (the `similar` crate) among the remaining adds and
//! deletes of the same file name, which is what keeps a unit's identity through a directory move.

use crate::formats;
use crate::objects::{self, Cache, Tree};
use crate::packs;
use chrono::{DateTime, FixedOffset};
use git2::{Commit, ObjectType, Oid, Repository};
use serde::Serialize;
use sha2::Digest;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// What can go wrong opening or resolving; reading a single object later is a blind spot, not an
/// error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: not a git repository ({reason})")]
    NotARepository { path: String, reason: String },
    #[error("{spec}: no such revision in {repo} ({reason})")]
    UnknownRevision {
        spec: String,
        repo: String,
        reason: String,
    },
    #[error("{repo}: {reason}")]
    Git { repo: String, reason: String },
}

/// Content comparisons per landing when pairing renames (see [`Repo::changes`]).
const MAX_SIMILARITY_DIFFS: usize = 10_000;

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
    let signing_key = raw_signature.as_deref().and_then(crate::signing::key_id);
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

/// One IaC file changed by a commit against its first parent. A rename has both paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub old_path: Option<String>,
    pub new_path: Option<String>,
}

/// Where a history stops short of its root: a shallow clone or a missing object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncation {
    /// The oldest landing that could be read.
    pub oldest: String,
    pub reason: String,
}

pub struct Repo {
    repo: Repository,
    /// The path as the user gave it (reports must not show absolute paths the user did not give).
    pub given: String,
    mailmap: Option<git2::Mailmap>,
    /// Every IaC blob read, with the SHA-256 of its bytes: with the commit table's commits, what
    /// the report certifies. Shared by the handles reopened from this one.
    ledger: SharedLedger,
    /// The run's limits: blobs over the size limit are not loaded (a problem instead), and the
    /// snapshot layer parses under the rest.
    pub limits: crate::limits::Limits,
    /// `--root` and `--var-file`: how Terraform roots are evaluated.
    pub terraform: crate::formats::terraform::modules::RootOptions,
    /// `--show-secrets` and `--fingerprint-key`: how the result is redacted.
    pub redaction: crate::redact::Options,
    /// Parsed trees and verified file contents (see `objects`): each handle has its own, so
    /// reader threads share no lock.
    trees: std::cell::RefCell<Cache<Tree>>,
    blobs: std::cell::RefCell<Cache<[u8]>>,
    /// The pack files' indexes, shared with every handle reopened from this one.
    packs: Arc<packs::Store>,
    /// This handle's pack reader (also libgit2's backend): trees and commit links are read
    /// through it directly. Its objects are hashed against their ids before it gives them out.
    reader: Option<Arc<std::sync::Mutex<packs::Reader>>>,
    /// Whether the repository is a shallow clone, asked once (libgit2 looks at the file system
    /// each time, and walks ask for every commit).
    shallow: bool,
}

/// See [`Repo::reopener`].
#[derive(Debug, Clone)]
pub struct Reopener {
    path: String,
    limits: crate::limits::Limits,
    terraform: crate::formats::terraform::modules::RootOptions,
    packs: Arc<packs::Store>,
    ledger: SharedLedger,
}

impl Reopener {
    pub fn open(&self) -> Result<Repo, HistoryError> {
        let mut r = Repo::open_with(&self.path, Some(Arc::clone(&self.packs)))?;
        r.limits = self.limits;
        r.terraform = self.terraform.clone();
        r.ledger = Arc::clone(&self.ledger);
        Ok(r)
    }
}

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
type SharedLedger = Arc<std::sync::Mutex<Ledger>>;

fn lock(l: &SharedLedger) -> std::sync::MutexGuard<'_, Ledger> {
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
    fn insert(&mut self, id: [u8; 20], kind: Kind, sum: [u8; 32]) {
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
                crate::rules::hex(id),
                crate::rules::hex(sum)
            );
            h.update(line.as_bytes());
        }
        Certificate {
            commits,
            blobs,
            digest: format!("sha256:{}", crate::rules::hex(&h.finalize())),
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

/// libgit2's handle on the repository at `path`, read-only, without searching parent
/// directories.
fn open_git(path: &str) -> Result<Repository, HistoryError> {
    configure_libgit2();
    Repository::open_ext(
        path,
        git2::RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&std::ffi::OsStr>(),
    )
    .map_err(|e| HistoryError::NotARepository {
        path: path.to_string(),
        reason: e.message().to_string(),
    })
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
    /// Opens a work tree or bare repository read-only, without searching parent directories.
    pub fn open(path: &str) -> Result<Repo, HistoryError> {
        Repo::open_with(path, None)
    }

    /// As [`Repo::open`], reading pack files through `packs` (another handle's, see
    /// [`Repo::reopener`]) or, given none, through a [`packs::Store`] of its own.
    fn open_with(path: &str, packs: Option<Arc<packs::Store>>) -> Result<Repo, HistoryError> {
        if !Path::new(path).exists() {
            return Err(HistoryError::NotFound {
                path: path.to_string(),
            });
        }
        let repo = open_git(path)?;
        let packs = packs
            .unwrap_or_else(|| Arc::new(packs::Store::open(&repo.commondir().join("objects"))));
        // Without it every read still works, through libgit2's own pack reading (more memory).
        let reader = packs::register(&repo, Arc::clone(&packs)).ok();
        Ok(Repo {
            packs,
            reader,
            given: path.to_string(),
            mailmap: None,
            ledger: Default::default(),
            limits: Default::default(),
            terraform: Default::default(),
            redaction: Default::default(),
            trees: std::cell::RefCell::new(Cache::new(objects::TREE_CACHE_BYTES)),
            blobs: std::cell::RefCell::new(Cache::new(objects::BLOB_CACHE_BYTES)),
            shallow: repo.is_shallow(),
            repo,
        })
    }

    /// What another thread needs to open its own handle on this repository (libgit2's handles
    /// cannot be shared between threads) under the same limits: a reader under the defaults
    /// would read what the user lowered, or refuse what they raised.
    pub fn reopener(&self) -> Reopener {
        Reopener {
            path: self.given.clone(),
            limits: self.limits,
            terraform: self.terraform.clone(),
            packs: Arc::clone(&self.packs),
            ledger: Arc::clone(&self.ledger),
        }
    }

    /// What reads this repository's commits again for a report (see [`Recall`]).
    pub fn recall(&self) -> Recall {
        Recall {
            path: self.given.clone(),
            packs: Arc::clone(&self.packs),
            handle: Default::default(),
        }
    }

    /// Resolves a revision (`HEAD`, a branch, a tag, a commit id) to a commit id.
    pub fn resolve(&self, spec: &str) -> Result<Oid, HistoryError> {
        let obj = self
            .repo
            .revparse_single(spec)
            .map_err(|e| self.unknown_rev(spec, e))?;
        obj.peel_to_commit()
            .map(|c| c.id())
            .map_err(|e| self.unknown_rev(spec, e))
    }

    fn unknown_rev(&self, spec: &str, e: git2::Error) -> HistoryError {
        // The common cases get a sentence instead of libgit2's "revspec 'HEAD' not found": a
        // repository with no commits, and a HEAD naming a branch that does not exist (a bare
        // clone or import whose default branch has another name).
        let head_target = (spec == "HEAD")
            .then(|| self.repo.find_reference("HEAD").ok())
            .flatten()
            .and_then(|h| h.symbolic_target().ok().flatten().map(str::to_string));
        let reason = match head_target {
            // (libgit2's `is_empty` is true only when HEAD names the configured default branch.)
            _ if self.repo.references().is_ok_and(|mut r| r.next().is_none()) => {
                "the repository has no commits: there is no history to read".to_string()
            }
            Some(target) => format!(
                "HEAD names {target}, which does not exist; give the branch with --ref ({})",
                e.message()
            ),
            None => e.message().to_string(),
        };
        HistoryError::UnknownRevision {
            spec: spec.to_string(),
            repo: self.given.clone(),
            reason,
        }
    }

    /// Loads the `.mailmap` of the tip's tree (not the work tree, which may differ from the
    /// history under investigation). Returns why a `.mailmap` that is there was not applied (over
    /// the file size limit: it is the repository's own claim about who is who, and one that
    /// large is an attack on memory, not a list of people; or unreadable). Identities then stay
    /// as the commits state them, which is still the evidence, and the caller reports it as a
    /// blind spot. No `.mailmap` is not a problem.
    pub fn load_mailmap(&mut self, tip: Oid) -> Option<String> {
        self.mailmap = None;
        let id = self
            .repo
            .find_commit(tip)
            .and_then(|c| c.tree())
            .ok()?
            .get_path(Path::new(".mailmap"))
            .ok()?
            .id();
        let not_applied = |why: String| {
            Some(format!(
                ".mailmap at {tip} {why}: not applied; identities are as the commits state them"
            ))
        };
        let size = match self.repo.odb().and_then(|odb| odb.read_header(id)) {
            Ok((size, _)) => size,
            Err(e) => return not_applied(format!("cannot be read ({})", e.message())),
        };
        if size > self.limits.max_file_bytes {
            return not_applied(format!(
                "is {size} bytes, over the {} byte file limit (--max-file-bytes)",
                self.limits.max_file_bytes
            ));
        }
        let text = match self.repo.find_blob(id) {
            Ok(b) if objects::hashes_to("blob", b.content(), id) => {
                String::from_utf8_lossy(b.content()).into_owned()
            }
            Ok(_) => return not_applied("is corrupt (its content does not hash to its id)".into()),
            Err(e) => return not_applied(format!("cannot be read ({})", e.message())),
        };
        match git2::Mailmap::from_buffer(&text) {
            Ok(m) => {
                self.mailmap = Some(m);
                None
            }
            Err(e) => not_applied(format!("cannot be parsed ({})", e.message())),
        }
    }

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
    fn read_raw(&self, id: Oid) -> Result<(ObjectType, Vec<u8>, bool), git2::Error> {
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

    /// The commits a merge brings in (reachable from its other parents, not from the first),
    /// oldest first in topological order.
    pub fn side_commits(&self, merge: &Commit<'_>) -> Vec<Oid> {
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
        for (i, p) in merge.parent_ids().enumerate() {
            let r = if i == 0 { walk.hide(p) } else { walk.push(p) };
            if r.is_err() {
                return out;
            }
        }
        out.extend(walk.flatten());
        out
    }

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

    /// The objects read so far by this handle and every handle reopened from it, leaving their
    /// shared ledger empty (the scan's at its end: a copy of a long history's ledger was
    /// measured at 5 MB). What they read afterwards is recorded anew, for a later call to hand
    /// over.
    pub fn take_ledger(&self) -> Ledger {
        std::mem::take(&mut *lock(&self.ledger))
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

    /// The merge base of two commits.
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Oid, HistoryError> {
        self.repo.merge_base(a, b).map_err(|e| HistoryError::Git {
            repo: self.given.clone(),
            reason: format!("no merge base of {a} and {b}: {}", e.message()),
        })
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

/// The readable files of a unit and the ones that could not be read.
#[derive(Debug, Default)]
pub struct UnitFiles {
    pub files: Vec<(String, Vec<u8>)>,
    pub problems: Vec<(String, String)>,
}

/// libgit2's global options, set once before any repository is opened (they are process-wide and
/// not thread-safe to change later).
///
/// - Owner check off. Evidence is often a copy owned by someone else (an image mounted
///   read-only, a clone received from the other side). libgit2 refuses such repositories by
///   default, a protection against running another user's hooks and configured programs;
///   configtrail runs none of those (no checkout, no filters, no hooks), so the check would only
///   stand between the investigator and the evidence.
/// - libgit2's hash verification off. It checks every object with the collision-detecting SHA-1,
///   which was a fifth of a scan's CPU. The checks are made here instead, on every object read:
///   trees with the CPU's SHA-1 instructions (`objects`), commits and blobs, whose bytes are the
///   evidence, with libgit2's collision-detecting hash. An object that fails is a blind spot, as
///   before.
/// - libgit2's object cache off. Trees and file contents are parsed and cached by each handle
///   (`objects`); a commit is read again only as the parent of the first landing of a reader's
///   block (the others take their parent's tree from the landing before). What the cache held
///   was commits it evicted again at once: inserting and evicting was a fifth of the landing
///   walk (profiled).
/// - Pack files mapped in windows of 2 MiB, at most 16 MiB at once (defaults: 1 GiB and 8 GiB),
///   for what libgit2 still reads itself: what [`packs`] declines (loose objects, packs beyond
///   its reach). libgit2 maps a pack whole by default, so the resident set grew with the
///   repository's size.
fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: these change libgit2's global options; done once, before any repository is
        // opened and before this process starts threads that use libgit2.
        unsafe {
            let _ = git2::opts::set_verify_owner_validation(false);
            git2::opts::strict_hash_verification(false);
            git2::opts::enable_caching(false);
            let _ = git2::opts::set_mwindow_size(2 << 20);
            let _ = git2::opts::set_mwindow_mapped_limit(16 << 20);
        }
    });
}

/// A commit object's bytes as libgit2 parsed them: the header, a blank line, the message.
/// The bytes of commit `c` for which `hashes` holds: its parsed header and message put back
/// together (the usual case), else, when those do not round-trip (libgit2 normalises a few odd
/// encodings), the bytes the object database stores. `None` when neither does.
fn commit_bytes(
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
fn named_parent(header: &[u8]) -> Option<String> {
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
                crate::rules::hex(&sum)
            ));
        }
        assert_eq!(
            digest(&forward).digest,
            format!("sha256:{}", crate::rules::hex(&h.finalize()))
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
    fn tree_order_puts_a_directory_after_a_file_with_its_name_as_prefix() {
        use std::cmp::Ordering::*;
        // git sorts "a.tf" < "a/" (as "a/") < "a0": '.' < '/' < '0'.
        assert_eq!(crate::objects::order(b"a.tf", false, b"a", true), Less);
        assert_eq!(crate::objects::order(b"a", true, b"a0", false), Less);
        assert_eq!(crate::objects::order(b"a", false, b"a", true), Less);
        assert_eq!(crate::objects::order(b"a", true, b"a", true), Equal);
    }

    #[test]
    fn rfc3339_keeps_the_offset_and_survives_absurd_input() {
        assert_eq!(rfc3339(0, 60), "1970-01-01T01:00:00+01:00");
        assert_eq!(rfc3339(1_700_000_000, -300), "2023-11-14T17:13:20-05:00");
        assert!(rfc3339(i64::MAX, 0).contains("not representable"));
        assert!(rfc3339(0, 100_000).contains("not representable"));
    }
}
