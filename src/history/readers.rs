//! Reader threads: the landings of a walk read ahead of the fold that consumes them.
//!
//! Takes a repository handle, the landings oldest first, and what to do with each (`prepare`,
//! on a reader thread with a handle of its own, and `fold`, on the caller's thread, in landing
//! order); gives the readers' own state back when they are done, and the landings it did not
//! fold, for the caller to do in order itself. Why: reading (tree compares, blobs, parsing) is
//! most of a scan's cost and depends on nothing the fold holds, and libgit2's handles cannot be
//! shared between threads.
//!
//! Readers claim blocks of consecutive landings in order from a shared counter, and the fold
//! takes the blocks in landing order, so the result is the same as a sequential run. Claiming
//! rather than a fixed share per reader: with fixed shares a reader with heavier blocks held the
//! fold up while the other sat idle with its queue full (the fold waited 1.4 s of 1.9 s,
//! measured). Readers record what they read in the ledger they share with the caller's handle.

use super::Repo;
use git2::Oid;
use std::collections::BTreeMap;

/// Histories at least this long are read on a separate thread (below it, the thread costs more
/// than it saves).
pub const PARALLEL_MIN: usize = 64;

/// Readers take landings in blocks of at most this many consecutive landings: within a block a
/// landing's parent tree is the previous landing's tree, already in the reader's cache
/// (interleaving single landings made every tree be read twice, once by each reader).
const BLOCK: usize = 64;

/// Blocks per reader a history is cut into at least, down to blocks of [`MIN_BLOCK`]: with
/// blocks of 64 a history of a few hundred landings was 5 to 8 blocks, and the reader that drew
/// the heavy ones did two thirds of the reading while the other waited (measured on
/// terraform-aws-iam, 451 landings: 48% against 29% of the run's CPU).
const BLOCKS_PER_READER: usize = 16;
const MIN_BLOCK: usize = 8;

/// The block length for a history of `n` landings.
fn block_len(n: usize) -> usize {
    (n / (READERS * BLOCKS_PER_READER)).clamp(MIN_BLOCK, BLOCK)
}

/// Reader threads.
const READERS: usize = 2;

/// Blocks the readers may have claimed or finished beyond the one the fold is waiting for
/// (bounds memory: at most this many blocks of prepared landings are held).
const BLOCKS_AHEAD: usize = 2 + READERS;

/// The hand-over between the reader threads and the fold: which block is claimed next, and the
/// blocks read but not yet folded.
struct BlockQueue<P> {
    state: std::sync::Mutex<QueueState<P>>,
    changed: std::sync::Condvar,
}

struct QueueState<P> {
    blocks: usize,
    next: usize,
    folded: usize,
    ready: BTreeMap<usize, Vec<P>>,
    /// Readers still able to deliver; when none is left, the fold stops taking.
    readers: usize,
    /// A reader left with a claimed block undelivered.
    lost: bool,
    stopped: bool,
}

/// Stops the queue when the fold ends, however it ends.
struct StopOnDrop<'q, P>(&'q BlockQueue<P>);

impl<P> Drop for StopOnDrop<'_, P> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Tells the queue when a reader thread ends, however it ends.
struct Leaving<'q, P> {
    queue: &'q BlockQueue<P>,
    claimed: Option<usize>,
}

impl<P> Drop for Leaving<'_, P> {
    fn drop(&mut self) {
        self.queue.leave(self.claimed.is_some());
    }
}

impl<P> BlockQueue<P> {
    fn new(blocks: usize) -> Self {
        BlockQueue {
            state: std::sync::Mutex::new(QueueState {
                blocks,
                next: 0,
                folded: 0,
                ready: BTreeMap::new(),
                readers: READERS,
                lost: false,
                stopped: false,
            }),
            changed: std::sync::Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState<P>> {
        // A poisoned lock means a reader panicked while holding it: the state is still
        // consistent (every update is a single assignment or insert), so go on with it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next block to read, once it is within reach of the fold; `None` when all are claimed.
    fn claim(&self) -> Option<usize> {
        let mut st = self.lock();
        loop {
            if st.stopped || st.next >= st.blocks {
                return None;
            }
            if st.next < st.folded + BLOCKS_AHEAD {
                st.next += 1;
                return Some(st.next - 1);
            }
            st = self
                .changed
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    fn deliver(&self, block: usize, prepared: Vec<P>) {
        self.lock().ready.insert(block, prepared);
        self.changed.notify_all();
    }

    /// A reader is gone (done, or unable to go on; `lost`: with a block it claimed and did not
    /// deliver). The fold then stops at the first block nobody will deliver and finishes
    /// sequentially.
    fn leave(&self, lost: bool) {
        let mut st = self.lock();
        st.readers = st.readers.saturating_sub(1);
        st.lost |= lost;
        drop(st);
        self.changed.notify_all();
    }

    /// Block `block` once it is read; `None` if no reader is left to read it.
    fn take(&self, block: usize) -> Option<Vec<P>> {
        let mut st = self.lock();
        loop {
            if let Some(b) = st.ready.remove(&block) {
                st.folded = block + 1;
                drop(st);
                self.changed.notify_all();
                return Some(b);
            }
            if st.readers == 0 || st.lost || block >= st.blocks {
                return None;
            }
            st = self
                .changed
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }
}

/// What [`read_ahead`] leaves to its caller.
pub struct ReadAhead<S> {
    /// Each reader's state, from the readers that ended normally.
    pub readers: Vec<S>,
    /// The landings not folded, oldest first: all of them for a history shorter than
    /// [`PARALLEL_MIN`], else whatever the readers could not read (none opened, one lost).
    pub rest: Vec<Oid>,
}

/// Reads `landings` on reader threads: each opens its own handle, runs `setup` on it, and
/// `prepare`s the landings of the blocks it claims with a state of its own (`S::default()` to
/// begin with); `fold` gets every prepared landing in landing order, on this thread.
pub fn read_ahead<S, P>(
    repo: &Repo,
    landings: Vec<Oid>,
    setup: &(dyn Fn(&mut Repo) + Sync),
    prepare: &(dyn Fn(&Repo, &mut S, Oid) -> P + Sync),
    fold: &mut dyn FnMut(P),
) -> ReadAhead<S>
where
    S: Default + Send,
    P: Send,
{
    if landings.len() < PARALLEL_MIN {
        return ReadAhead {
            readers: Vec::new(),
            rest: landings,
        };
    }
    // The walk's list in the blocks readers claim, each let go once folded: the list would
    // otherwise stay beside the commit table it turns into (1 MB at 50,000 landings).
    let blocks: Vec<std::sync::Mutex<Vec<Oid>>> = landings
        .chunks(block_len(landings.len()))
        .map(|c| std::sync::Mutex::new(c.to_vec()))
        .collect();
    drop(landings);
    let block = |b: usize| {
        blocks[b]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let queue = BlockQueue::new(blocks.len());
    let (folded, readers) = std::thread::scope(|s| {
        let mut handles = Vec::new();
        for k in 0..READERS {
            let (reopener, queue, block) = (repo.reopener(), &queue, &block);
            let spawned = std::thread::Builder::new()
                .name(format!("reader-{k}"))
                .spawn_scoped(s, move || {
                    // However the reader ends (done, unable to open, a panic), the fold learns
                    // it, so it never waits for a block nobody will deliver.
                    let mut leaving = Leaving {
                        queue,
                        claimed: None,
                    };
                    let mut r = reopener.open().ok()?;
                    setup(&mut r);
                    let mut state = S::default();
                    while let Some(b) = queue.claim() {
                        leaving.claimed = Some(b);
                        let ids = block(b).clone();
                        let prepared = ids
                            .iter()
                            .map(|&oid| prepare(&r, &mut state, oid))
                            .collect();
                        queue.deliver(b, prepared);
                        leaving.claimed = None;
                    }
                    Some(state)
                });
            match spawned {
                Ok(h) => handles.push(h),
                // A reader that cannot start claims nothing; if none starts, the caller does
                // everything itself.
                Err(_) => queue.leave(false),
            }
        }
        // Readers waiting for room are released however the fold ends (a panic in it included:
        // the scope joins them before the panic goes on, and they would wait for ever).
        let release = StopOnDrop(&queue);
        let mut folded = 0;
        while let Some(prepared_block) = queue.take(folded) {
            for prepared in prepared_block {
                fold(prepared);
            }
            *block(folded) = Vec::new();
            folded += 1;
        }
        drop(release);
        let readers: Vec<S> = handles
            .into_iter()
            .filter_map(|h| h.join().ok().flatten())
            .collect();
        (folded, readers)
    });
    let rest = (folded..blocks.len())
        .flat_map(|b| std::mem::take(&mut *block(b)))
        .collect();
    ReadAhead { readers, rest }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_taken_in_order_whoever_read_them() {
        let q = BlockQueue::<()>::new(3);
        let (a, b) = (q.claim(), q.claim());
        assert_eq!((a, b), (Some(0), Some(1)));
        // Block 1 is delivered first; the fold still gets block 0 first.
        q.deliver(1, Vec::new());
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(20));
                q.deliver(0, Vec::new());
            });
            assert!(q.take(0).is_some());
        });
        assert!(q.take(1).is_some());
        assert_eq!(q.claim(), Some(2));
        assert_eq!(q.claim(), None, "all claimed");
    }

    #[test]
    fn claims_stay_within_reach_of_the_fold() {
        let q = BlockQueue::<()>::new(100);
        for k in 0..BLOCKS_AHEAD {
            assert_eq!(q.claim(), Some(k));
        }
        // The next claim waits until the fold takes block 0.
        std::thread::scope(|s| {
            let waiting = s.spawn(|| q.claim());
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert!(!waiting.is_finished());
            q.deliver(0, Vec::new());
            assert!(q.take(0).is_some());
            assert_eq!(waiting.join().ok().flatten(), Some(BLOCKS_AHEAD));
        });
    }

    #[test]
    fn a_reader_lost_with_a_block_stops_the_fold_instead_of_hanging_it() {
        let q = BlockQueue::<()>::new(4);
        assert_eq!(q.claim(), Some(0));
        assert_eq!(q.claim(), Some(1));
        q.deliver(1, Vec::new());
        // The reader of block 0 dies; another reader is still there.
        q.leave(true);
        assert!(q.take(0).is_none(), "block 0 will never come");
        // Readers that all leave normally after delivering: what was delivered is still taken.
        let q = BlockQueue::<()>::new(1);
        assert_eq!(q.claim(), Some(0));
        q.deliver(0, Vec::new());
        for _ in 0..READERS {
            q.leave(false);
        }
        assert!(q.take(0).is_some());
        assert!(q.take(1).is_none());
    }
}
