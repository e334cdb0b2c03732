//! The chain before a review's seed: the first-parent history behind the commit a review starts
//! from, read lazily in doubling steps (on a thread of its own when it can), and for every unit
//! directory present at the seed the landings where its tree changed.
//!
//! Takes a repository handle and the seed; gives [`BeforeSeed`], which a review's traces share:
//! a trace then parses its unit only at the landings where that unit changed, and the walk goes
//! back only as far as some trace needs. Why here: it reads commits and trees and nothing else,
//! so it is the git side of a review, not its fold.

use super::Repo;
use git2::Oid;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The first-parent history before a review's starting commit, read lazily and shared by every
/// trace: the chain of commits, and for every unit directory present at the seed the landings
/// where its tree changed. A trace then parses its unit only at those landings.
///
/// The chain is walked back in doubling steps, only as far as some trace needs: a trace stops
/// where its setting got its value, at the latest where its unit was created, so a setting of a
/// unit created recently is not followed to the root (one created in the first commit still is:
/// about 0.5 s on 30,000 landings and 500 units, see the README's "Review latency").
#[derive(Default)]
pub struct BeforeSeed {
    /// (commit, tree) from the seed back towards the root, the seed first.
    chain: Vec<(Oid, Oid)>,
    started: bool,
    /// No older landing: the root was reached (or the walk's limit, or an unreadable commit).
    exhausted: bool,
    /// The unit directories at the seed; chain entries below `visited` have been visited.
    trie: DirTrie,
    visited: usize,
    /// The next commit to append to the chain (when it is read here, not by `reader`).
    next: Option<Oid>,
    /// The chain read ahead on a thread of its own.
    reader: Option<ChainReader>,
    /// Unit directory → chain indices `i` where the directory differs from `i + 1`'s, in
    /// increasing order; complete for every `i < visited - 1`.
    changed_at: HashMap<String, Vec<usize>>,
}

/// The first-parent chain before a review's seed, read on a thread of its own (with its own handle
/// on the repository and its own delta-base cache: see `packs`) while the walk visits what is
/// already read: reading the chain is a third of the walk, and it depends on nothing the walk
/// does. It reads on until the root, the walk's limit, an unreadable commit, or until the engine
/// is dropped.
struct ChainReader {
    shared: Arc<(std::sync::Mutex<ChainShared>, std::sync::Condvar)>,
    handle: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct ChainShared {
    entries: Vec<(Oid, Oid)>,
    /// How far the walk has asked for: the reader reads ahead to twice that (the walk's next
    /// step, which doubles) and then waits, so a trace that ends early does not pay for reading
    /// the whole history.
    wanted: usize,
    /// No more entries will come.
    done: bool,
    /// The walk is over: stop reading.
    stop: bool,
}

/// Chain entries the reader hands over at a time.
const CHAIN_BATCH: usize = 256;

impl ChainReader {
    fn start(repo: &Repo, from: Oid) -> Option<ChainReader> {
        let shared = Arc::new((
            std::sync::Mutex::new(ChainShared::default()),
            std::sync::Condvar::new(),
        ));
        let theirs = Arc::clone(&shared);
        let reopener = repo.reopener();
        let handle = std::thread::Builder::new()
            .name("chain".into())
            .spawn(move || {
                let (lock, changed) = &*theirs;
                let publish = |batch: &mut Vec<(Oid, Oid)>, done: bool| -> bool {
                    let mut st = lock
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    st.entries.append(batch);
                    st.done |= done;
                    changed.notify_all();
                    while !st.stop && !st.done && st.entries.len() >= 2 * st.wanted.max(FIRST_STEP)
                    {
                        st = changed
                            .wait(st)
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                    }
                    st.stop
                };
                let Ok(r) = reopener.open() else {
                    publish(&mut Vec::new(), true);
                    return;
                };
                let (mut next, mut read, mut batch) = (Some(from), 0usize, Vec::new());
                while let Some(c) = next.filter(|_| read < MAX_TRACE) {
                    next = match r.commit_links(c) {
                        Ok((tree, parent)) => {
                            batch.push((c, tree));
                            read += 1;
                            parent
                        }
                        Err(_) => None,
                    };
                    if batch.len() >= CHAIN_BATCH && publish(&mut batch, false) {
                        return;
                    }
                }
                publish(&mut batch, true);
            })
            .ok()?;
        Some(ChainReader {
            shared,
            handle: Some(handle),
        })
    }

    /// Entries `from..to` of the chain, waiting for them; fewer when the chain ends first. The
    /// flag is true when no entry exists past those returned.
    fn take(&self, from: usize, to: usize) -> (Vec<(Oid, Oid)>, bool) {
        let (lock, changed) = &*self.shared;
        let mut st = lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if to > st.wanted {
            st.wanted = to;
            changed.notify_all();
        }
        while st.entries.len() < to && !st.done {
            st = changed
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        let end = st.entries.len().min(to);
        let got = st
            .entries
            .get(from..end)
            .map(<[_]>::to_vec)
            .unwrap_or_default();
        (got, st.done && end == st.entries.len())
    }
}

impl Drop for ChainReader {
    fn drop(&mut self) {
        let (lock, changed) = &*self.shared;
        lock.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .stop = true;
        changed.notify_all();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Landings the before-seed walk reads in its first step; each later step doubles.
const FIRST_STEP: usize = 64;

/// Steps of the before-seed walk at least this long visit their two halves on two threads.
const PARALLEL_VISIT_MIN: usize = 2_048;

/// Visits chain entries `from..to` in order, recording where each unit directory changed.
///
/// A long stretch is split in two: a second thread, with its own handle on the repository (and
/// its own pack reader) and a copy of the trie, visits the second half, after first
/// visiting the landing just before it so that every node holds that landing's ids (a subtree
/// whose id did not change there has the same ids below it, so nodes it does not descend into
/// are right too). Its records come after
/// the first half's, so each directory's list stays in order, and its trie is then the walk's.
/// This is most of a review's time on a long history (the trace of a setting written in the
/// first commit walks all of it), and the two halves need nothing from each other.
fn visit_chain(repo: &Repo, bs: &mut BeforeSeed, from: usize, to: usize) {
    let BeforeSeed {
        chain,
        trie,
        changed_at,
        ..
    } = bs;
    let sequential = |trie: &mut DirTrie, out: &mut HashMap<String, Vec<usize>>, a, b| {
        for (i, &(_, root)) in chain.iter().enumerate().take(b).skip(a) {
            trie.visit(repo, Some(root), i, out);
        }
    };
    if to - from < PARALLEL_VISIT_MIN {
        sequential(trie, changed_at, from, to);
        return;
    }
    let mid = from + (to - from) / 2;
    let reopener = repo.reopener();
    let chain: &[(Oid, Oid)] = chain;
    let mut second_trie = trie.clone();
    let second = std::thread::scope(|s| {
        let handle = s.spawn(move || {
            let r = reopener.open().ok()?;
            let mut discarded = HashMap::new();
            second_trie.visit(&r, Some(chain[mid - 1].1), mid - 1, &mut discarded);
            let mut out: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, &(_, root)) in chain.iter().enumerate().take(to).skip(mid) {
                second_trie.visit(&r, Some(root), i, &mut out);
            }
            Some((second_trie, out))
        });
        sequential(trie, changed_at, from, mid);
        handle.join().ok().flatten()
    });
    match second {
        Some((second_trie, out)) => {
            *trie = second_trie;
            for (dir, at) in out {
                changed_at.entry(dir).or_default().extend(at);
            }
        }
        // The second handle could not be opened: the same, here.
        None => sequential(trie, changed_at, mid, to),
    }
}

/// The unit directories as a tree of path components, so one descent per landing serves them all
/// and a subtree whose id did not change is skipped whole (as in the scan's tree compare).
#[derive(Default, Clone)]
struct DirTrie {
    children: BTreeMap<String, DirTrie>,
    /// Set when a unit directory ends here.
    dir: Option<String>,
    /// The subtree id at the previous landing visited.
    last: Option<Oid>,
}

impl DirTrie {
    fn insert(&mut self, dir: &str) {
        let mut node = self;
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            node = node.children.entry(part.to_string()).or_default();
        }
        node.dir = Some(dir.to_string());
    }

    /// Visits the tree `id` of landing `i`; records `i - 1` for each directory that differs from
    /// landing `i - 1` (its child in the chain).
    fn visit(
        &mut self,
        repo: &Repo,
        id: Option<Oid>,
        i: usize,
        out: &mut HashMap<String, Vec<usize>>,
    ) {
        if i > 0 && self.last == id {
            return;
        }
        if i > 0 {
            if let Some(d) = &self.dir {
                out.entry(d.clone()).or_default().push(i - 1);
            }
        }
        self.last = id;
        // A unit directory with no unit below it needs only its id, which its parent's entry
        // gave: reading its tree was a quarter of the trees a review's walk read.
        if self.children.is_empty() {
            return;
        }
        let tree = id.and_then(|t| repo.find_tree(t));
        // Children and tree entries are both sorted by name (git sorts a directory as if its
        // name ended in '/', which only differs for names with characters below '/'), so a
        // cursor finds most children a few entries on, without a search per child: a directory
        // of hundreds of modules is visited at every landing that changed any of them.
        let mut cursor = 0usize;
        for (name, child) in self.children.iter_mut() {
            let cid = tree.as_ref().and_then(|t| {
                let entries = t.entries();
                let near = (cursor..(cursor + 4).min(entries.len()))
                    .find(|&k| t.name(&entries[k]) == name.as_bytes());
                let entry = match near {
                    Some(k) => {
                        cursor = k + 1;
                        entries.get(k)
                    }
                    None => t.get(name.as_bytes()),
                };
                entry
                    // A manifest unit is a file: its blob id tells when it changed.
                    .filter(|e| e.is_tree() || (child.dir.is_some() && e.is_blob()))
                    .map(|e| e.id())
            });
            child.visit(repo, cid, i, out);
        }
    }
}

/// How many landings a trace of one setting walks back before giving up (and leaving the cause
/// on the review's starting commit).
const MAX_TRACE: usize = 100_000;

impl BeforeSeed {
    /// Starts the walk at `seed` (its first step), if it has not started: chain entry 0 is the
    /// seed from then on.
    pub fn start(&mut self, repo: &Repo, seed: Option<Oid>) {
        if !self.started {
            self.walk(repo, seed);
        }
    }

    /// The `k`-th landing, newest first, at which unit directory `dir` changed before `seed`:
    /// the chain index `i` where the directory differs from `i + 1`'s. The walk goes further
    /// back as far as that needs; `None` when it reached the end first.
    pub fn change(&mut self, repo: &Repo, seed: Option<Oid>, dir: &str, k: usize) -> Option<usize> {
        self.start(repo, seed);
        loop {
            if let Some(&i) = self.changed_at.get(dir).and_then(|at| at.get(k)) {
                return Some(i);
            }
            if !self.walk(repo, seed) {
                return None;
            }
        }
    }

    /// Chain entry `i`: (landing, its tree), the seed first.
    pub fn entry(&self, i: usize) -> Option<(Oid, Oid)> {
        self.chain.get(i).copied()
    }

    /// Walks the history before `seed` one step further back (the first call starts at the
    /// seed). Returns false when there is nothing older to read.
    fn walk(&mut self, repo: &Repo, seed: Option<Oid>) -> bool {
        let bs = self;
        if !bs.started {
            bs.started = true;
            bs.next = seed;
            bs.reader = seed.and_then(|s| ChainReader::start(repo, s));
            if let Some(seed_tree) = seed
                .and_then(|s| repo.tree_of(s))
                .and_then(|t| repo.find_tree(t))
            {
                for d in repo.all_units(&seed_tree) {
                    bs.trie.insert(&d);
                }
            }
        }
        if bs.exhausted {
            return false;
        }
        let step = bs.chain.len().max(FIRST_STEP);
        let target = (bs.chain.len() + step).min(MAX_TRACE);
        if let Some(reader) = &bs.reader {
            let (more, ended) = reader.take(bs.chain.len(), target);
            bs.chain.extend(more);
            if ended {
                bs.next = None;
            }
        } else {
            // No thread for the chain: read it here.
            while bs.chain.len() < target {
                let Some(c) = bs.next else { break };
                let Ok((tree, parent)) = repo.commit_links(c) else {
                    bs.next = None;
                    break;
                };
                bs.chain.push((c, tree));
                bs.next = parent;
            }
        }
        let (from, to) = (bs.visited, bs.chain.len());
        visit_chain(repo, bs, from, to);
        bs.visited = bs.chain.len();
        if bs.next.is_none() || bs.chain.len() >= MAX_TRACE {
            // Past the oldest landing there is nothing: every directory was created there.
            bs.trie
                .visit(repo, None, bs.chain.len(), &mut bs.changed_at);
            bs.exhausted = true;
        }
        true
    }
}
