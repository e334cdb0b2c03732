//! Packs: the repository's pack files read with memory that does not grow with the history,
//! served to libgit2 as an object-database backend ahead of its own.
//!
//! Takes the repository's objects directory. Gives a [`Store`] (the packs' indexes, read once and
//! shared by every handle of a run) and, per libgit2 handle, a backend ([`register`]) that every
//! object read of that handle goes through: ours, and libgit2's own (commits, revision walks,
//! merge bases).
//!
//! Why: libgit2 keeps a delta-base cache of 16 MiB per pack, a compiled-in size no option sets,
//! and maps pack windows and whole index files, whose pages count in the resident set. Together
//! they were most of what grew between a 5,000- and a 50,000-commit scan (measured: 32 MB of
//! 43). Here an index is kept as 8 bytes an object (a 4-byte id prefix and the offset; the
//! full id is read from the index file to confirm a match), pack bytes are read with positioned
//! reads (nothing is mapped), and each handle's delta-base cache holds at most
//! [`BASE_CACHE_BYTES`].
//!
//! The backend never answers wrongly; it declines. An object it does not hold (loose, in a pack
//! whose index is not version 2 or past the first [`MAX_PACKS`]), one larger than
//! [`MAX_OBJECT_BYTES`], or
//! one whose bytes do not decode or do not hash to its id is passed on to libgit2's backends,
//! which read it as they did before this module existed. A hostile pack costs at most a bounded
//! chain walk ([`MAX_CHAIN`]) and a bounded allocation before it is declined.

use std::collections::{HashMap, VecDeque};
use std::ffi::{c_int, c_void};
use std::fs::File;
use std::path::Path;
use std::sync::{Arc, Mutex};

use flate2::{Decompress, FlushDecompress, Status};
use git2::{ObjectType, Oid};
use libgit2_sys as raw;

/// Decompressed bases each handle keeps to resolve delta chains. libgit2 keeps 16 MiB a pack;
/// 2 MiB read the 50,000-commit benchmark as fast, and 1, 4 and 8 MiB no faster (alternating
/// runs: see README, "Measurements"). At a scan's peak its handles' caches held 4 MB
/// (heaptrack).
pub const BASE_CACHE_BYTES: usize = 2 << 20;
/// A base larger than this is not cached (libgit2's rule too): one would evict all the others.
const MAX_CACHED_BASE: usize = 1 << 20;
/// Objects larger than this are left to libgit2. The readers check an object's size from its
/// header before loading it (`--max-file-bytes`), so this only bounds what a lookup of a huge
/// object would allocate here.
pub const MAX_OBJECT_BYTES: usize = 64 << 20;
/// Longest delta chain followed (git writes at most 4,095); past it, or in a cycle of
/// references, the object is declined.
pub const MAX_CHAIN: usize = 10_000;
/// Packs indexed at most; a repository with more (never repacked) has the rest read by libgit2,
/// so the process keeps its file descriptors.
const MAX_PACKS: usize = 256;
/// Bytes read at an entry's start: its header and, for most entries, all of its data.
const FIRST_READ: u64 = 1024;
/// The backend's priority: above libgit2's packed (2) and loose (1) backends.
const PRIORITY: i32 = 100;

/// An entry's object kind: pack files number the four kinds as libgit2 does; 6 and 7 (deltas)
/// and the unused codes are no object kind.
fn kind_of(code: u8) -> Result<ObjectType> {
    ObjectType::from_raw(code as raw::git_object_t).ok_or(Decline::Corrupt("unknown type"))
}

/// Why an object was declined. Never shown to a user: a declined object is read by libgit2,
/// whose own error (if it fails too) is the one reported.
#[derive(Debug, PartialEq, Eq)]
pub enum Decline {
    NotHere,
    TooLarge,
    Corrupt(&'static str),
}

type Result<T> = std::result::Result<T, Decline>;

/// One pack and its index.
struct Pack {
    pack: File,
    idx: File,
    /// Where entries end: the pack's length less its trailing checksum.
    end: u64,
    /// Where the ids of each first byte start and end in `prefixes` (the index's fan-out).
    fanout: [u32; 257],
    /// The first 4 bytes of each id, in the index's (sorted) order. A prefix is shared by a few
    /// ids in a large pack (about 6 pairs in 220,000 objects); those are told apart by reading
    /// the full ids from the index file.
    prefixes: Vec<u32>,
    /// Each object's offset; with the top bit set, an index into `large`.
    offsets: Vec<u32>,
    large: Vec<u64>,
}

/// Reads exactly `buf.len()` bytes at `at`.
fn pread(f: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(f, buf, at)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            let n =
                std::os::windows::fs::FileExt::seek_read(f, &mut buf[done..], at + done as u64)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            done += n;
        }
        Ok(())
    }
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

impl Pack {
    /// Opens a version-2 index and its pack; `None` for anything else (libgit2 reads those).
    fn open(idx_path: &Path) -> Option<Pack> {
        use std::io::Read;
        let idx = File::open(idx_path).ok()?;
        let pack = File::open(idx_path.with_extension("pack")).ok()?;
        let idx_len = idx.metadata().ok()?.len();
        let pack_len = pack.metadata().ok()?.len();
        let mut head = [0u8; 8 + 1024];
        pread(&idx, &mut head, 0).ok()?;
        if head[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return None;
        }
        let n = be32(&head[8 + 255 * 4..]) as u64;
        // Header, fan-out, ids, CRCs, offsets, 8 bytes per large offset, two checksums.
        let fixed = 8 + 1024 + n * 28 + 40;
        if idx_len < fixed || !(idx_len - fixed).is_multiple_of(8) || (idx_len - fixed) / 8 > n {
            return None;
        }
        let mut pack_head = [0u8; 12];
        pread(&pack, &mut pack_head, 0).ok()?;
        let version = be32(&pack_head[4..]);
        if &pack_head[..4] != b"PACK" || !(version == 2 || version == 3) {
            return None;
        }
        if be32(&pack_head[8..]) as u64 != n || pack_len < 32 {
            return None;
        }
        let n = n as usize;
        let mut fanout = [0u32; 257];
        for b in 0..256 {
            fanout[b + 1] = be32(&head[8 + 4 * b..]);
            if fanout[b + 1] < fanout[b] {
                return None;
            }
        }
        let mut reader = std::io::BufReader::with_capacity(1 << 16, &idx);
        let mut skip = [0u8; 8 + 1024];
        reader.read_exact(&mut skip).ok()?;
        let mut prefixes = Vec::with_capacity(n);
        let mut id = [0u8; 20];
        let mut last = [0u8; 20];
        for i in 0..n {
            reader.read_exact(&mut id).ok()?;
            // Sorted and distinct, or the index is not one git wrote.
            if i > 0 && id <= last {
                return None;
            }
            last = id;
            let bucket = id[0] as usize;
            if !(fanout[bucket]..fanout[bucket + 1]).contains(&(i as u32)) {
                return None;
            }
            prefixes.push(u32::from_be_bytes(id[..4].try_into().ok()?));
        }
        // The CRCs are not needed: every object given out is hashed against its id.
        reader.seek_relative(n as i64 * 4).ok()?;
        let mut offsets = Vec::with_capacity(n);
        let mut word = [0u8; 4];
        for _ in 0..n {
            reader.read_exact(&mut word).ok()?;
            offsets.push(u32::from_be_bytes(word));
        }
        let large_count = ((idx_len - fixed) / 8) as usize;
        let mut large = Vec::with_capacity(large_count);
        let mut dword = [0u8; 8];
        for _ in 0..large_count {
            reader.read_exact(&mut dword).ok()?;
            large.push(u64::from_be_bytes(dword));
        }
        drop(reader);
        Some(Pack {
            pack,
            idx,
            end: pack_len - 20,
            fanout,
            prefixes,
            offsets,
            large,
        })
    }

    /// The offset of object `id` in this pack. Unless `confirm`, an entry whose prefix no other
    /// entry shares is taken without reading its full id: for a read whose bytes are hashed
    /// against `id` afterwards, which catches an id that is absent but shares the prefix.
    fn find(&self, id: &[u8; 20], confirm: bool) -> Option<u64> {
        let prefix = u32::from_be_bytes(id[..4].try_into().ok()?);
        // The fan-out narrows the search to ids of the same first byte (a 256th of the table):
        // a search over the whole table missed the CPU cache at every step (profiled).
        let (lo, hi) = (
            self.fanout[id[0] as usize] as usize,
            self.fanout[id[0] as usize + 1] as usize,
        );
        let first = lo + first_at_least(self.prefixes.get(lo..hi)?, prefix);
        if self.prefixes.get(first) != Some(&prefix) {
            return None;
        }
        if !confirm && self.prefixes.get(first + 1) != Some(&prefix) {
            return self.offset(first);
        }
        let mut full = [0u8; 20];
        for i in first..self.prefixes.len() {
            if self.prefixes[i] != prefix {
                break;
            }
            pread(&self.idx, &mut full, 8 + 1024 + 20 * i as u64).ok()?;
            if &full == id {
                return self.offset(i);
            }
        }
        None
    }

    fn offset(&self, i: usize) -> Option<u64> {
        let o = *self.offsets.get(i)?;
        let at = if o & 0x8000_0000 != 0 {
            *self.large.get((o & 0x7fff_ffff) as usize)?
        } else {
            o as u64
        };
        // An entry starts after the 12-byte header and before the checksum.
        (12..self.end).contains(&at).then_some(at)
    }
}

/// The position of the first of `sorted` not below `key`. Ids are uniform, so the position is
/// first guessed from the key's value and then walked to (a few steps, within a cache line or
/// two, where a binary search missed the cache at each of its ten steps: profiled); a walk that
/// runs long (ids that are not uniform) ends in a binary search.
fn first_at_least(sorted: &[u32], key: u32) -> usize {
    let n = sorted.len();
    let (Some(&first), Some(&last)) = (sorted.first(), sorted.last()) else {
        return 0;
    };
    if key <= first {
        return 0;
    }
    if key > last {
        return n;
    }
    // first < key <= last, so the span is not zero and the guess lies in 0..n.
    let guess = ((key - first) as u128 * (n - 1) as u128 / (last - first) as u128) as usize;
    let mut i = guess.min(n - 1);
    for _ in 0..32 {
        if sorted[i] < key {
            if sorted.get(i + 1).is_none_or(|&v| v >= key) {
                return i + 1;
            }
            i += 1;
        } else {
            if i == 0 || sorted[i - 1] < key {
                return i;
            }
            i -= 1;
        }
    }
    sorted.partition_point(|&v| v < key)
}

/// The packs of one repository: what every handle of a run shares.
pub struct Store {
    packs: Vec<Pack>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({} packs)", self.packs.len())
    }
}

impl Store {
    /// Indexes the packs under `objects/pack` and under the object directories it borrows from
    /// (`objects/info/alternates`, followed as git does, five deep), each directory's in name
    /// order, so which packs are taken when there are more than [`MAX_PACKS`] does not depend
    /// on the file system's order.
    pub fn open(objects: &Path) -> Store {
        let mut dirs: Vec<std::path::PathBuf> = Vec::new();
        let mut pending = vec![(objects.to_path_buf(), 0)];
        while let Some((dir, depth)) = pending.pop() {
            let Ok(real) = dir.canonicalize() else {
                continue;
            };
            if dirs.contains(&real) {
                continue;
            }
            if depth < 5 {
                let listed = std::fs::read_to_string(real.join("info").join("alternates"));
                for line in listed.iter().flat_map(|l| l.lines()).rev() {
                    let line = line.trim();
                    if !line.is_empty() && !line.starts_with('#') {
                        pending.push((real.join(line), depth + 1));
                    }
                }
            }
            dirs.push(real);
        }
        let mut names = Vec::new();
        for dir in &dirs {
            let mut here: Vec<_> = std::fs::read_dir(dir.join("pack"))
                .map(|d| {
                    d.filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                        .collect()
                })
                .unwrap_or_default();
            here.sort();
            names.extend(here);
        }
        names.truncate(MAX_PACKS);
        Store {
            packs: names.iter().filter_map(|p| Pack::open(p)).collect(),
        }
    }

    /// Which pack holds `id`, and where (see [`Pack::find`] for `confirm`).
    fn locate(&self, id: &[u8; 20], confirm: bool) -> Option<(usize, u64)> {
        self.packs
            .iter()
            .enumerate()
            .find_map(|(i, p)| p.find(id, confirm).map(|at| (i, at)))
    }

    /// How many objects the packs index (for tests and measurements).
    pub fn objects(&self) -> usize {
        self.packs.iter().map(|p| p.prefixes.len()).sum()
    }
}

/// An entry's header: its type code, its size (of the object, or of the delta data), its base
/// if a delta, and where its compressed data starts.
struct Header {
    code: u8,
    size: u64,
    base: Base,
    data: u64,
}

enum Base {
    None,
    At(u64),
    Id([u8; 20]),
}

/// Reads one handle's objects. Not shared: the cache and the inflater are the handle's own.
pub struct Reader {
    store: Arc<Store>,
    inflater: Decompress,
    cache: BaseCache,
    /// The last bytes read from a pack, which pack, and where they start.
    chunk: Vec<u8>,
    chunk_pack: usize,
    chunk_at: u64,
    /// Where the last entry header read ended: an entry that starts soon after it is read with
    /// what follows it (see [`SEQUENTIAL_READ`]).
    last_end: Option<(usize, u64)>,
}

/// Bytes read at once when entries are read in pack order: a walk of the landings reads commits
/// that `git gc` wrote next to each other, one positioned read each (a third of the walk's
/// time was those reads, profiled on the 50,000-commit benchmark), and one read now serves
/// dozens of them.
const SEQUENTIAL_READ: u64 = 32 << 10;

/// How far past the last header an entry may start and still count as read in order.
const SEQUENTIAL_GAP: u64 = 16 << 10;

impl Reader {
    pub fn new(store: Arc<Store>) -> Reader {
        Reader {
            store,
            inflater: Decompress::new(true),
            cache: BaseCache::default(),
            chunk: Vec::new(),
            chunk_pack: 0,
            chunk_at: 0,
            last_end: None,
        }
    }

    /// Whether the packs hold `id`.
    pub fn contains(&self, id: &[u8; 20]) -> bool {
        self.store.locate(id, true).is_some()
    }

    /// Reads the entry at `at`: its header, and the first bytes of its data kept in `chunk`
    /// (most entries are a few hundred bytes, so one read takes the whole of most).
    fn header(&mut self, pack: usize, at: u64) -> Result<Header> {
        let p = &self.store.packs[pack];
        let first = p.end.saturating_sub(at).min(FIRST_READ);
        // Already read with the entries before it (in pack order), or read now.
        let held = self.chunk_pack == pack
            && at >= self.chunk_at
            && at + first <= self.chunk_at + self.chunk.len() as u64;
        if !held {
            let in_order = self
                .last_end
                .is_some_and(|(k, end)| k == pack && at >= end && at - end <= SEQUENTIAL_GAP);
            let len = if in_order {
                p.end.saturating_sub(at).min(SEQUENTIAL_READ)
            } else {
                first
            } as usize;
            self.chunk.resize(len, 0);
            pread(&p.pack, &mut self.chunk, at).map_err(|_| Decline::Corrupt("unreadable"))?;
            self.chunk_pack = pack;
            self.chunk_at = at;
        }
        let buf = self
            .chunk
            .get((at - self.chunk_at) as usize..)
            .ok_or(Decline::Corrupt("truncated header"))?;
        let mut i = 0;
        let mut byte = *buf.first().ok_or(Decline::Corrupt("truncated header"))?;
        let code = (byte >> 4) & 7;
        let mut size = (byte & 15) as u64;
        let mut shift = 4;
        while byte & 0x80 != 0 {
            i += 1;
            byte = *buf.get(i).ok_or(Decline::Corrupt("truncated header"))?;
            if shift > 57 {
                return Err(Decline::Corrupt("size overflows"));
            }
            size |= ((byte & 0x7f) as u64) << shift;
            shift += 7;
        }
        i += 1;
        let base = match code {
            6 => {
                let mut byte = *buf.get(i).ok_or(Decline::Corrupt("truncated offset"))?;
                let mut back = (byte & 0x7f) as u64;
                while byte & 0x80 != 0 {
                    i += 1;
                    byte = *buf.get(i).ok_or(Decline::Corrupt("truncated offset"))?;
                    back = back
                        .checked_add(1)
                        .and_then(|b| b.checked_mul(128))
                        .ok_or(Decline::Corrupt("offset overflows"))?
                        | (byte & 0x7f) as u64;
                }
                i += 1;
                // A base lies before its delta, after the pack header.
                match at.checked_sub(back) {
                    Some(b) if back > 0 && b >= 12 => Base::At(b),
                    _ => return Err(Decline::Corrupt("base offset out of the pack")),
                }
            }
            7 => {
                let id: [u8; 20] = buf
                    .get(i..i + 20)
                    .and_then(|s| s.try_into().ok())
                    .ok_or(Decline::Corrupt("truncated base id"))?;
                i += 20;
                Base::Id(id)
            }
            1..=4 => Base::None,
            _ => return Err(Decline::Corrupt("unknown entry type")),
        };
        self.last_end = Some((pack, at + i as u64));
        Ok(Header {
            code,
            size,
            base,
            data: at + i as u64,
        })
    }

    /// Inflates the zlib stream at `at`, which must produce exactly `size` bytes; with `prefix`,
    /// stops after that many bytes of output (enough for a delta's two sizes).
    fn inflate(
        &mut self,
        pack: usize,
        at: u64,
        size: u64,
        prefix: Option<usize>,
    ) -> Result<Vec<u8>> {
        if size > MAX_OBJECT_BYTES as u64 {
            return Err(Decline::TooLarge);
        }
        let size = size as usize;
        let want = prefix.map_or(size, |p| p.min(size));
        let p = &self.store.packs[pack];
        // One byte more than expected, so a stream that runs long is noticed.
        let mut out = Vec::with_capacity(want + 1);
        self.inflater.reset(true);
        let mut pos = at;
        // The header's read holds the start of the data; the rest comes in growing reads.
        let mut skip = match at.checked_sub(self.chunk_at) {
            Some(d) if d < self.chunk.len() as u64 && self.chunk_pack == pack => d as usize,
            _ => {
                self.chunk.clear();
                0
            }
        };
        let mut step = FIRST_READ;
        loop {
            if skip >= self.chunk.len() {
                let len = p.end.saturating_sub(pos).min(step) as usize;
                if len == 0 {
                    return Err(Decline::Corrupt("data runs past the pack"));
                }
                self.chunk.resize(len, 0);
                pread(&p.pack, &mut self.chunk, pos).map_err(|_| Decline::Corrupt("unreadable"))?;
                self.chunk_pack = pack;
                self.chunk_at = pos;
                skip = 0;
                step = (step * 4).min(1 << 20);
            }
            let (read_before, written_before) = (self.inflater.total_in(), out.len());
            let status = self
                .inflater
                .decompress_vec(&self.chunk[skip..], &mut out, FlushDecompress::None)
                .map_err(|_| Decline::Corrupt("bad zlib data"))?;
            let used = self.inflater.total_in() - read_before;
            pos += used;
            skip += used as usize;
            if out.len() > size {
                return Err(Decline::Corrupt("data longer than its header says"));
            }
            if prefix.is_some() && out.len() >= want {
                out.truncate(want);
                return Ok(out);
            }
            if status == Status::StreamEnd {
                return if out.len() == size {
                    Ok(out)
                } else {
                    Err(Decline::Corrupt("data shorter than its header says"))
                };
            }
            if used == 0 && out.len() == written_before {
                return Err(Decline::Corrupt("zlib data stalls"));
            }
        }
    }

    /// The object at `at` in `pack`, its delta chain resolved.
    fn read_at(&mut self, pack: usize, at: u64) -> Result<(ObjectType, Vec<u8>)> {
        let mut chain: Vec<((usize, u64), Vec<u8>)> = Vec::new();
        let mut key = (pack, at);
        let (kind, mut data, cached) = loop {
            if chain.len() > MAX_CHAIN {
                return Err(Decline::Corrupt("delta chain too long"));
            }
            if let Some((kind, bytes)) = self.cache.get(key) {
                break (kind, bytes.to_vec(), true);
            }
            let h = self.header(key.0, key.1)?;
            match h.base {
                Base::None => {
                    let kind = kind_of(h.code)?;
                    break (kind, self.inflate(key.0, h.data, h.size, None)?, false);
                }
                Base::At(base) => {
                    let delta = self.inflate(key.0, h.data, h.size, None)?;
                    chain.push((key, delta));
                    key = (key.0, base);
                }
                Base::Id(id) => {
                    let delta = self.inflate(key.0, h.data, h.size, None)?;
                    chain.push((key, delta));
                    key = self.store.locate(&id, true).ok_or(Decline::NotHere)?;
                }
            }
        };
        let mut keep = !cached;
        while let Some((next, delta)) = chain.pop() {
            let result = apply(&data, &delta)?;
            if keep {
                self.cache.put(key, kind, data);
            }
            data = result;
            key = next;
            keep = true;
        }
        Ok((kind, data))
    }

    /// Object `id`, its bytes hashed against the id before they are given out.
    pub fn read(&mut self, id: &[u8; 20]) -> Result<(ObjectType, Vec<u8>)> {
        let (pack, at) = self.store.locate(id, false).ok_or(Decline::NotHere)?;
        let (kind, data) = self.read_at(pack, at)?;
        if !hashes_to(kind, &data, id) {
            return Err(Decline::Corrupt("does not hash to its id"));
        }
        Ok((kind, data))
    }

    /// Object `id`'s kind and size, without reading it whole: a delta's size is the first
    /// bytes of its data, its kind that of the chain's base.
    pub fn read_header(&mut self, id: &[u8; 20]) -> Result<(ObjectType, u64)> {
        let (mut pack, mut at) = self.store.locate(id, true).ok_or(Decline::NotHere)?;
        let mut size = None;
        for _ in 0..=MAX_CHAIN {
            if let Some((kind, bytes)) = self.cache.get((pack, at)) {
                return Ok((kind, size.unwrap_or(bytes.len() as u64)));
            }
            let h = self.header(pack, at)?;
            if size.is_none() && !matches!(h.base, Base::None) {
                let head = self.inflate(pack, h.data, h.size, Some(20))?;
                let (_, used) = varint(&head, 0)?;
                size = Some(varint(&head, used)?.0);
            }
            match h.base {
                Base::None => {
                    let kind = kind_of(h.code)?;
                    return Ok((kind, size.unwrap_or(h.size)));
                }
                Base::At(base) => at = base,
                Base::Id(base) => {
                    (pack, at) = self.store.locate(&base, true).ok_or(Decline::NotHere)?
                }
            }
        }
        Err(Decline::Corrupt("delta chain too long"))
    }
}

/// Whether `data`, as an object of `kind`, hashes to `id`: catches any decoding fault here
/// before it could reach libgit2 or a report.
fn hashes_to(kind: ObjectType, data: &[u8], id: &[u8; 20]) -> bool {
    Oid::from_bytes(id).is_ok_and(|id| crate::history::objects::hashes_to(kind.str(), data, id))
}

/// A delta's size field: 7 bits a byte, least significant first.
fn varint(b: &[u8], mut i: usize) -> Result<(u64, usize)> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let byte = *b.get(i).ok_or(Decline::Corrupt("truncated delta size"))?;
        i += 1;
        if shift > 63 {
            return Err(Decline::Corrupt("delta size overflows"));
        }
        v |= ((byte & 0x7f) as u64) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return Ok((v, i));
        }
    }
}

/// Applies a git delta to `base`: copies from the base and inserts of new bytes, every bound
/// checked against the sizes the delta declares.
pub fn apply(base: &[u8], delta: &[u8]) -> Result<Vec<u8>> {
    let (base_size, i) = varint(delta, 0)?;
    if base_size != base.len() as u64 {
        return Err(Decline::Corrupt("delta base size differs"));
    }
    let (size, mut i) = varint(delta, i)?;
    if size > MAX_OBJECT_BYTES as u64 {
        return Err(Decline::TooLarge);
    }
    let size = size as usize;
    let mut out = Vec::with_capacity(size);
    let bad = || Decline::Corrupt("delta instruction out of bounds");
    while i < delta.len() {
        let op = delta[i];
        i += 1;
        if op & 0x80 != 0 {
            let mut field = |bits: u8, count: usize| -> Result<usize> {
                let mut v = 0usize;
                for k in 0..count {
                    if op & (bits << k) != 0 {
                        v |= (*delta.get(i).ok_or_else(bad)? as usize) << (8 * k);
                        i += 1;
                    }
                }
                Ok(v)
            };
            let from = field(0x01, 4)?;
            let len = match field(0x10, 3)? {
                0 => 0x10000,
                n => n,
            };
            let copy = from
                .checked_add(len)
                .and_then(|end| base.get(from..end))
                .ok_or_else(bad)?;
            if out.len() + len > size {
                return Err(bad());
            }
            out.extend_from_slice(copy);
        } else if op != 0 {
            let insert = delta.get(i..i + op as usize).ok_or_else(bad)?;
            if out.len() + insert.len() > size {
                return Err(bad());
            }
            out.extend_from_slice(insert);
            i += op as usize;
        } else {
            return Err(Decline::Corrupt("reserved delta instruction"));
        }
    }
    if out.len() != size {
        return Err(Decline::Corrupt("delta result size differs"));
    }
    Ok(out)
}

/// Decompressed delta bases by (pack, offset), evicted first in, first out under a byte cap:
/// a history read oldest first resolves each chain from its newest version down, so the bases
/// the next read needs are the ones just added.
#[derive(Default)]
struct BaseCache {
    entries: HashMap<(usize, u64), (ObjectType, Vec<u8>)>,
    order: VecDeque<(usize, u64)>,
    bytes: usize,
}

impl BaseCache {
    fn get(&self, key: (usize, u64)) -> Option<(ObjectType, &[u8])> {
        self.entries.get(&key).map(|(k, b)| (*k, b.as_slice()))
    }

    fn put(&mut self, key: (usize, u64), kind: ObjectType, data: Vec<u8>) {
        if data.len() > MAX_CACHED_BASE || self.entries.contains_key(&key) {
            return;
        }
        while self.bytes + data.len() > BASE_CACHE_BYTES {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some((_, b)) = self.entries.remove(&old) {
                self.bytes -= b.len();
            }
        }
        self.bytes += data.len();
        self.order.push_back(key);
        self.entries.insert(key, (kind, data));
    }
}

// ---- The libgit2 backend ----------------------------------------------------------------------

/// A libgit2 backend: libgit2's struct first, so a pointer to one is a pointer to the other.
#[repr(C)]
struct Backend {
    parent: raw::git_odb_backend,
    reader: Arc<Mutex<Reader>>,
}

/// Puts a backend reading `store` ahead of libgit2's own in `repo`'s object database, and
/// gives its reader back: the handle reads trees and commit links through it directly (no copy
/// into libgit2's buffer, and no second hash of bytes the reader has already checked).
pub fn register(
    repo: &git2::Repository,
    store: Arc<Store>,
) -> std::result::Result<Arc<Mutex<Reader>>, git2::Error> {
    use git2::Binding;
    let odb = repo.odb()?;
    let reader = Arc::new(Mutex::new(Reader::new(store)));
    let backend = Box::new(Backend {
        // SAFETY: a C struct of a version number, a pointer and optional function pointers,
        // for all of which zero is a valid value (null, `None`); libgit2 initialises it next.
        parent: unsafe { std::mem::zeroed() },
        reader: Arc::clone(&reader),
    });
    let ptr = Box::into_raw(backend);
    // SAFETY: `ptr` is a valid, exclusively owned backend. Once added, libgit2 owns it and
    // releases it through `backend_free`; if adding fails it is ours to drop.
    unsafe {
        if raw::git_odb_init_backend(&mut (*ptr).parent, raw::GIT_ODB_BACKEND_VERSION) < 0 {
            drop(Box::from_raw(ptr));
            return Err(git2::Error::from_str("cannot initialise the pack reader"));
        }
        (*ptr).parent.read = Some(backend_read);
        (*ptr).parent.read_header = Some(backend_read_header);
        (*ptr).parent.exists = Some(backend_exists);
        (*ptr).parent.free = Some(backend_free);
        if raw::git_odb_add_backend(odb.raw(), ptr.cast(), PRIORITY) < 0 {
            drop(Box::from_raw(ptr));
            return Err(git2::Error::from_str("cannot add the pack reader"));
        }
    }
    Ok(reader)
}

/// Runs `f` on the backend's reader; any failure (a poisoned lock, a panic, which must not
/// unwind into C) reads as "declined", so libgit2 reads the object itself.
///
/// # Safety
/// `backend` must be a pointer `register` gave libgit2, and `oid` a valid id.
unsafe fn with_reader<T>(
    backend: *mut raw::git_odb_backend,
    oid: *const raw::git_oid,
    f: impl FnOnce(&mut Reader, &[u8; 20]) -> Option<T>,
) -> Option<T> {
    let backend = &*(backend as *const Backend);
    let id: [u8; 20] = (*oid).id.get(..20)?.try_into().ok()?;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut reader = backend.reader.lock().ok()?;
        f(&mut reader, &id)
    }))
    .ok()
    .flatten()
}

extern "C" fn backend_read(
    data: *mut *mut c_void,
    len: *mut usize,
    kind: *mut raw::git_object_t,
    backend: *mut raw::git_odb_backend,
    oid: *const raw::git_oid,
) -> c_int {
    // SAFETY: libgit2 calls this with the backend `register` added and valid out-pointers.
    unsafe {
        let Some((k, bytes)) = with_reader(backend, oid, |r, id| r.read(id).ok()) else {
            return raw::GIT_PASSTHROUGH as c_int;
        };
        // libgit2 frees the buffer with `git_odb_backend_data_free`; it must come from here.
        let buf = raw::git_odb_backend_data_alloc(backend, bytes.len().max(1)) as *mut u8;
        if buf.is_null() {
            return raw::GIT_PASSTHROUGH as c_int;
        }
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf, bytes.len());
        *data = buf.cast();
        *len = bytes.len();
        *kind = k.raw();
        0
    }
}

extern "C" fn backend_read_header(
    len: *mut usize,
    kind: *mut raw::git_object_t,
    backend: *mut raw::git_odb_backend,
    oid: *const raw::git_oid,
) -> c_int {
    // SAFETY: as `backend_read`.
    unsafe {
        match with_reader(backend, oid, |r, id| r.read_header(id).ok()) {
            Some((k, size)) if size <= usize::MAX as u64 => {
                *len = size as usize;
                *kind = k.raw();
                0
            }
            _ => raw::GIT_PASSTHROUGH as c_int,
        }
    }
}

extern "C" fn backend_exists(
    backend: *mut raw::git_odb_backend,
    oid: *const raw::git_oid,
) -> c_int {
    // SAFETY: as `backend_read`.
    unsafe { with_reader(backend, oid, |r, id| Some(r.contains(id))).unwrap_or(false) as c_int }
}

extern "C" fn backend_free(backend: *mut raw::git_odb_backend) {
    // SAFETY: libgit2 calls this once, when the database that owns the backend is freed.
    unsafe { drop(Box::from_raw(backend as *mut Backend)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_copies_and_inserts_within_its_bounds() {
        let base = b"hello, world";
        // Base size 12, result size 11: copy 5 bytes from offset 0, insert 6 bytes.
        let delta = [12, 11, 0x90, 5, 6, b' ', b't', b'h', b'e', b'r', b'e'];
        assert_eq!(apply(base, &delta).unwrap(), b"hello there");
    }

    #[test]
    fn a_delta_out_of_bounds_or_of_the_wrong_size_is_declined() {
        let base = b"abc";
        // copy 4 bytes from a 3-byte base
        assert!(apply(base, &[3, 4, 0x90, 4]).is_err());
        // base size differs
        assert!(apply(base, &[4, 1, 1, b'x']).is_err());
        // result shorter than declared
        assert!(apply(base, &[3, 5, 1, b'x']).is_err());
        // insert past the end of the delta
        assert!(apply(base, &[3, 2, 5, b'x']).is_err());
        // reserved instruction
        assert!(apply(base, &[3, 1, 0]).is_err());
        // a declared result larger than the object limit allocates nothing
        let mut huge = vec![3];
        let mut n = (MAX_OBJECT_BYTES as u64) + 1;
        while n >= 0x80 {
            huge.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        huge.push(n as u8);
        assert_eq!(apply(base, &huge), Err(Decline::TooLarge));
    }

    #[test]
    fn a_copy_of_size_zero_means_65536_bytes() {
        let base = vec![7u8; 0x10000];
        let delta = [0x80, 0x80, 0x04, 0x80, 0x80, 0x04, 0x80];
        assert_eq!(apply(&base, &delta).unwrap(), base);
    }

    #[test]
    fn the_guessed_search_agrees_with_a_binary_search() {
        // Uniform, clustered and duplicated keys; every key and its neighbours.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut uniform: Vec<u32> = (0..1000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 32) as u32
            })
            .collect();
        uniform.sort_unstable();
        let clustered: Vec<u32> = (0..300)
            .map(|i| if i < 290 { i } else { u32::MAX - 300 + i })
            .collect();
        let dups = vec![5u32, 5, 5, 7, 7, 9];
        for table in [uniform, clustered, dups, vec![], vec![42]] {
            for &k in table.iter().chain(&[0, 1, 6, 8, 10, u32::MAX]) {
                for key in [k.saturating_sub(1), k, k.saturating_add(1)] {
                    assert_eq!(
                        first_at_least(&table, key),
                        table.partition_point(|&v| v < key),
                        "key {key}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_cache_evicts_oldest_first_under_its_cap() {
        let mut c = BaseCache::default();
        let half = vec![0u8; MAX_CACHED_BASE];
        for i in 0..(BASE_CACHE_BYTES / MAX_CACHED_BASE + 2) as u64 {
            c.put((0, i), ObjectType::Blob, half.clone());
        }
        assert!(c.bytes <= BASE_CACHE_BYTES);
        assert!(c.get((0, 0)).is_none());
        assert!(c
            .get((0, (BASE_CACHE_BYTES / MAX_CACHED_BASE + 1) as u64))
            .is_some());
        c.put((0, 99), ObjectType::Blob, vec![0u8; MAX_CACHED_BASE + 1]);
        assert!(c.get((0, 99)).is_none());
    }
}
