//! gixbench: one fixed object-reading workload run through different object readers, so their
//! time and peak memory can be compared (run each under `/usr/bin/time -f "%e s %M KB"`).
//!
//! Workload: from HEAD, walk the first-parent chain. For each commit read the commit, parse its
//! tree and first parent from the raw bytes, read the parent commit (reused as the next commit),
//! then diff the two root trees recursively (raw tree entries parsed here; only subtrees whose
//! ids differ are descended) and read every blob that was added or modified. Everything read is
//! folded into a checksum that is printed, so all readers can be checked to read the same bytes.
//!
//! Usage: gixbench READER REPO [options]
//!   READER: packs | git2 | gix | gix-tuned
//!   --pack-cache-mib N     gix-tuned: pack (delta-base) cache, a MemoryCappedHashmap of N MiB
//!                          (what core.deltaBaseCacheLimit=N MiB gives); 0 = no pack cache. Default 2.
//!   --object-cache-kib N   gix-tuned: object cache of N KiB; 0 = off (default).
//!   --alloc-limit-mib N    gix, gix-tuned: gitoxide.objects.allocLimit (largest allocation from
//!                          on-disk object data), via a config override at open.
//!   --verify               gix, gix-tuned: hash every object read against its id
//!                          (gix_object::Data::verify_checksum), as packs.rs always does.

// configtrail's pack reader (src/history/packs.rs).
use configtrail::history::packs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const COMMIT: u8 = 1;
const TREE: u8 = 2;
const BLOB: u8 = 3;

enum ReadErr {
    Missing,
    Other(String),
}

trait Odb {
    /// Reads object `id` into `out` (replacing its contents); returns its kind.
    fn read(&mut self, id: &[u8; 20], out: &mut Vec<u8>) -> Result<u8, ReadErr>;
}

fn kind_from_git2(k: git2::ObjectType) -> u8 {
    match k {
        git2::ObjectType::Commit => COMMIT,
        git2::ObjectType::Tree => TREE,
        git2::ObjectType::Blob => BLOB,
        git2::ObjectType::Tag => 4,
        _ => 0,
    }
}

// ---------------------------------------------------------------- configtrail::packs
struct PacksOdb {
    reader: packs::Reader,
}

impl Odb for PacksOdb {
    fn read(&mut self, id: &[u8; 20], out: &mut Vec<u8>) -> Result<u8, ReadErr> {
        match self.reader.read(id) {
            Ok((kind, data)) => {
                *out = data;
                Ok(kind_from_git2(kind))
            }
            Err(packs::Decline::NotHere) => Err(ReadErr::Missing),
            Err(e) => Err(ReadErr::Other(format!("{e:?}"))),
        }
    }
}

// ---------------------------------------------------------------- git2 (libgit2's own odb)
struct Git2Odb {
    odb: git2::Odb<'static>,
    _repo: &'static git2::Repository,
}

impl Odb for Git2Odb {
    fn read(&mut self, id: &[u8; 20], out: &mut Vec<u8>) -> Result<u8, ReadErr> {
        let oid = git2::Oid::from_bytes(id).expect("20 bytes");
        match self.odb.read(oid) {
            Ok(obj) => {
                out.clear();
                out.extend_from_slice(obj.data());
                Ok(kind_from_git2(obj.kind()))
            }
            Err(e) if e.code() == git2::ErrorCode::NotFound => Err(ReadErr::Missing),
            Err(e) => Err(ReadErr::Other(e.to_string())),
        }
    }
}

// ---------------------------------------------------------------- gix
struct GixOdb {
    repo: gix::Repository,
    verify: bool,
}

impl Odb for GixOdb {
    fn read(&mut self, id: &[u8; 20], out: &mut Vec<u8>) -> Result<u8, ReadErr> {
        use gix::objs::Find;
        let oid = gix::ObjectId::from_bytes_or_panic(id);
        let (kind, start, len) = match self.repo.objects.try_find(&oid, out) {
            Ok(Some(data)) => {
                if self.verify {
                    if let Err(e) = data.verify_checksum(&oid) {
                        return Err(ReadErr::Other(format!("verify: {e}")));
                    }
                }
                let kind = match data.kind {
                    gix::objs::Kind::Commit => COMMIT,
                    gix::objs::Kind::Tree => TREE,
                    gix::objs::Kind::Blob => BLOB,
                    gix::objs::Kind::Tag => 4,
                };
                (kind, data.data.as_ptr() as usize, data.data.len())
            }
            Ok(None) => return Err(ReadErr::Missing),
            Err(e) => return Err(ReadErr::Other(format!("{e}"))),
        };
        // The object's bytes are (in practice all of) `out`; make `out` exactly them.
        let base = out.as_ptr() as usize;
        if start >= base && start + len <= base + out.len() {
            let off = start - base;
            out.truncate(off + len);
            out.drain(..off);
        } else {
            return Err(ReadErr::Other(
                "gix returned data outside the buffer".into(),
            ));
        }
        Ok(kind)
    }
}

// ---------------------------------------------------------------- workload
#[derive(Default)]
struct Stats {
    commits: u64,
    trees: u64,
    blobs: u64,
    bytes: u64,
    hash: u64,
    missing: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Stats {
    fn fold(&mut self, kind: u8, data: &[u8]) {
        self.bytes += data.len() as u64;
        let mut h = self.hash ^ (kind as u64) ^ ((data.len() as u64) << 8);
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            h = (h.rotate_left(5) ^ u64::from_le_bytes(c.try_into().unwrap()))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        self.hash = h;
    }

    /// Reads `id` expecting `want`; counts it. `None` when it could not be read.
    fn read(
        &mut self,
        odb: &mut dyn Odb,
        id: &[u8; 20],
        want: u8,
        out: &mut Vec<u8>,
    ) -> Option<()> {
        match odb.read(id, out) {
            Ok(kind) if kind == want => {
                self.fold(kind, out);
                match kind {
                    COMMIT => self.commits += 1,
                    TREE => self.trees += 1,
                    _ => self.blobs += 1,
                }
                Some(())
            }
            Ok(kind) => {
                self.error(format!("{} is kind {kind}, expected {want}", hex(id)));
                None
            }
            Err(ReadErr::Missing) => {
                self.missing += 1;
                None
            }
            Err(ReadErr::Other(e)) => {
                self.error(format!("{}: {e}", hex(id)));
                None
            }
        }
    }

    fn error(&mut self, e: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(e);
        }
    }
}

fn hex(id: &[u8]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &[u8]) -> Option<[u8; 20]> {
    if s.len() < 40 {
        return None;
    }
    let mut id = [0u8; 20];
    for i in 0..20 {
        let d = |c: u8| -> Option<u8> {
            match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                _ => None,
            }
        };
        id[i] = d(s[2 * i])? << 4 | d(s[2 * i + 1])?;
    }
    Some(id)
}

/// Tree id and first parent id from a raw commit.
fn parse_commit(data: &[u8]) -> (Option<[u8; 20]>, Option<[u8; 20]>) {
    let mut tree = None;
    let mut parent = None;
    for line in data.split(|&b| b == b'\n') {
        if line.is_empty() {
            break; // end of headers
        }
        if let Some(rest) = line.strip_prefix(b"tree ") {
            tree = unhex(rest);
        } else if let Some(rest) = line.strip_prefix(b"parent ") {
            if parent.is_none() {
                parent = unhex(rest);
            }
        }
    }
    (tree, parent)
}

struct Entry<'a> {
    mode: &'a [u8],
    name: &'a [u8],
    id: [u8; 20],
}

impl Entry<'_> {
    fn is_tree(&self) -> bool {
        self.mode == b"40000"
    }
    fn is_gitlink(&self) -> bool {
        self.mode == b"160000"
    }
}

/// Raw tree entries, `<mode> <name>\0<20-byte id>`; stops at the first malformed one.
fn parse_tree(data: &[u8]) -> Vec<Entry<'_>> {
    let mut v = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let Some(sp) = rest.iter().position(|&b| b == b' ') else {
            break;
        };
        let Some(nul) = rest[sp..].iter().position(|&b| b == 0).map(|p| p + sp) else {
            break;
        };
        if rest.len() < nul + 21 {
            break;
        }
        v.push(Entry {
            mode: &rest[..sp],
            name: &rest[sp + 1..nul],
            id: rest[nul + 1..nul + 21].try_into().unwrap(),
        });
        rest = &rest[nul + 21..];
    }
    v
}

/// Git's tree order: names compared bytewise, a tree's name as if it ended in '/'.
fn order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    let n = a.name.len().min(b.name.len());
    match a.name[..n].cmp(&b.name[..n]) {
        std::cmp::Ordering::Equal => {
            let end = |e: &Entry| {
                if e.name.len() > n {
                    e.name[n]
                } else if e.is_tree() {
                    b'/'
                } else {
                    0
                }
            };
            end(a).cmp(&end(b))
        }
        o => o,
    }
}

struct Walk<'o> {
    odb: &'o mut dyn Odb,
    stats: Stats,
    blob: Vec<u8>,
    /// Spare buffers for trees, reused across the recursion.
    pool: Vec<Vec<u8>>,
}

impl Walk<'_> {
    fn read_tree(&mut self, id: &[u8; 20]) -> Option<Vec<u8>> {
        let mut buf = self.pool.pop().unwrap_or_default();
        match self.stats.read(self.odb, id, TREE, &mut buf) {
            Some(()) => Some(buf),
            None => {
                self.pool.push(buf);
                None
            }
        }
    }

    fn read_blob(&mut self, id: &[u8; 20]) {
        let mut buf = std::mem::take(&mut self.blob);
        self.stats.read(self.odb, id, BLOB, &mut buf);
        self.blob = buf;
    }

    /// Reads what changed from tree `old` (None: empty) to tree `new`.
    fn diff(&mut self, new: &[u8; 20], old: Option<&[u8; 20]>) {
        if Some(new) == old {
            return;
        }
        let Some(new_buf) = self.read_tree(new) else {
            return;
        };
        let old_buf = match old {
            Some(old) => self.read_tree(old),
            None => None,
        };
        {
            let new_entries = parse_tree(&new_buf);
            let old_entries = old_buf.as_deref().map(parse_tree).unwrap_or_default();
            let mut j = 0;
            for e in &new_entries {
                while j < old_entries.len() && order(&old_entries[j], e) == std::cmp::Ordering::Less
                {
                    j += 1;
                }
                let prev = old_entries
                    .get(j)
                    .filter(|o| order(o, e) == std::cmp::Ordering::Equal);
                if let Some(p) = prev {
                    if p.id == e.id && p.mode == e.mode {
                        continue;
                    }
                }
                if e.is_gitlink() {
                    continue;
                }
                if e.is_tree() {
                    let old_sub = prev.filter(|p| p.is_tree()).map(|p| p.id);
                    self.diff(&e.id, old_sub.as_ref());
                } else if prev.map(|p| p.id) != Some(e.id) {
                    self.read_blob(&e.id);
                }
            }
        }
        self.pool.push(new_buf);
        if let Some(b) = old_buf {
            self.pool.push(b);
        }
    }
}

fn run(odb: &mut dyn Odb, head: [u8; 20]) -> Stats {
    let mut w = Walk {
        odb,
        stats: Stats::default(),
        blob: Vec::new(),
        pool: Vec::new(),
    };
    let mut commit = Vec::new();
    let mut parent_commit = Vec::new();
    if w.stats.read(w.odb, &head, COMMIT, &mut commit).is_none() {
        return w.stats;
    }
    loop {
        let (tree, parent) = parse_commit(&commit);
        let Some(tree) = tree else {
            w.stats.error("commit without tree".into());
            break;
        };
        let mut parent_tree = None;
        let mut have_parent = false;
        if let Some(p) = parent {
            if w.stats
                .read(w.odb, &p, COMMIT, &mut parent_commit)
                .is_some()
            {
                have_parent = true;
                parent_tree = parse_commit(&parent_commit).0;
            }
        }
        w.diff(&tree, parent_tree.as_ref());
        if !have_parent {
            break;
        }
        std::mem::swap(&mut commit, &mut parent_commit);
    }
    w.stats
}

/// HEAD's commit id, from HEAD, a loose ref or packed-refs (the same for every reader).
fn resolve_head(git_dir: &Path) -> anyhow::Result<[u8; 20]> {
    let head = std::fs::read(git_dir.join("HEAD"))?;
    let head = head.trim_ascii();
    let Some(name) = head.strip_prefix(b"ref: ") else {
        return unhex(head).ok_or_else(|| anyhow::anyhow!("bad HEAD"));
    };
    let name = std::str::from_utf8(name)?;
    if let Ok(v) = std::fs::read(git_dir.join(name)) {
        return unhex(v.trim_ascii()).ok_or_else(|| anyhow::anyhow!("bad ref {name}"));
    }
    let packed = std::fs::read(git_dir.join("packed-refs"))?;
    for line in packed.split(|&b| b == b'\n') {
        if line.len() > 41 && &line[41..] == name.as_bytes() {
            return unhex(line).ok_or_else(|| anyhow::anyhow!("bad packed ref"));
        }
    }
    anyhow::bail!("{name} not found")
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        anyhow::bail!("usage: gixbench packs|git2|gix|gix-tuned REPO [--pack-cache-mib N] [--object-cache-kib N] [--alloc-limit-mib N] [--verify]");
    }
    let reader = args[0].as_str();
    let repo = PathBuf::from(&args[1]);
    let mut pack_cache_mib: usize = 2;
    let mut object_cache_kib: usize = 0;
    let mut alloc_limit_mib: Option<usize> = None;
    let mut verify = false;
    let mut i = 2;
    while i < args.len() {
        let val = || args.get(i + 1).and_then(|v| v.parse::<usize>().ok());
        match args[i].as_str() {
            "--pack-cache-mib" => pack_cache_mib = val().expect("number"),
            "--object-cache-kib" => object_cache_kib = val().expect("number"),
            "--alloc-limit-mib" => alloc_limit_mib = Some(val().expect("number")),
            "--verify" => {
                verify = true;
                i += 1;
                continue;
            }
            o => anyhow::bail!("unknown option {o}"),
        }
        i += 2;
    }
    let head = resolve_head(&repo)?;
    let mut odb: Box<dyn Odb> = match reader {
        "packs" => {
            let store = Arc::new(packs::Store::open(&repo.join("objects")));
            Box::new(PacksOdb {
                reader: packs::Reader::new(store),
            })
        }
        "git2" => {
            let r: &'static git2::Repository =
                Box::leak(Box::new(git2::Repository::open_bare(&repo)?));
            Box::new(Git2Odb {
                odb: r.odb()?,
                _repo: r,
            })
        }
        "gix" | "gix-tuned" => {
            let mut overrides = Vec::new();
            if let Some(m) = alloc_limit_mib {
                overrides.push(format!("gitoxide.objects.allocLimit={}", m << 20));
            }
            let opts = gix::open::Options::default().config_overrides(overrides);
            let mut r = gix::open_opts(&repo, opts)?;
            if reader == "gix-tuned" {
                if pack_cache_mib == 0 {
                    r.objects.unset_pack_cache();
                } else {
                    let bytes = pack_cache_mib << 20;
                    r.objects.set_pack_cache(move || {
                        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(bytes))
                    });
                }
                r.object_cache_size(object_cache_kib << 10); // 0 unsets it
            }
            Box::new(GixOdb { repo: r, verify })
        }
        o => anyhow::bail!("unknown reader {o}"),
    };
    let s = run(odb.as_mut(), head);
    println!(
        "reader={reader} commits={} trees={} blobs={} bytes={} hash={:016x} missing={} errors={}{}",
        s.commits,
        s.trees,
        s.blobs,
        s.bytes,
        s.hash,
        s.missing,
        s.errors,
        s.first_error
            .map(|e| format!(" first_error=\"{e}\""))
            .unwrap_or_default()
    );
    if std::env::var_os("GIXBENCH_RSS").is_some() {
        // Where the resident set is at the end: anonymous (heap, caches) vs file-backed (mapped packs/indexes).
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let keep: Vec<&str> = status
            .lines()
            .filter(|l| {
                l.starts_with("VmHWM") || l.starts_with("RssAnon") || l.starts_with("RssFile")
            })
            .collect();
        eprintln!(
            "{}",
            keep.join("  ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    Ok(())
}
