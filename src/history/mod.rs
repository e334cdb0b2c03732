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
//!
//! One file per concern, in the order a scan uses them:
//!
//! | file | what it does |
//! | --- | --- |
//! | `mod.rs` | opening the repository read-only, revisions, the mailmap; handles for other threads |
//! | `walk.rs` | the first-parent chain of landings, commit links, a merge's side commits, ranges |
//! | `readers.rs` | reader threads that read landings ahead of the fold, in blocks, in order |
//! | `chain.rs` | the chain before a review's seed, read on a thread, and where each unit changed |
//! | `compare.rs` | the tree compare and rename pairing |
//! | `read.rs` | trees and blobs through a handle's caches, verified; a unit's files |
//! | `commits.rs` | commit records: people, times, trailers, signatures; reading them again |
//! | `ledger.rs` | what was read, with SHA-256, for the report's certificate |
//! | `objects.rs` | parsed trees, the caches, the id tables |
//! | `packs.rs` | the pack reader served to libgit2 as its object backend |
//! | `signing.rs` | the key a commit signature names (OpenPGP, SSH), bounds-checked |

pub mod chain;
mod commits;
mod compare;
mod ledger;
pub mod objects;
pub mod packs;
mod read;
pub mod readers;
pub mod signing;
mod walk;

pub use commits::*;
pub use compare::*;
pub use ledger::*;
pub use read::*;
pub use walk::*;

use crate::formats;
use git2::{Oid, Repository};
use ledger::SharedLedger;
use objects::{Cache, Tree};
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
