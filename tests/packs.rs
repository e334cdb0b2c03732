//! The pack reader (`configtrail::history::packs`) against git itself: every object of a repository
//! repacked with deep delta chains reads as `git cat-file` prints it, and damaged or crafted
//! packs are declined (left to libgit2) rather than misread, with no panic and no hang.

mod common;

use common::{sg, Fixture};
use configtrail::history::packs::{Decline, Reader, Store};
use git2::ObjectType;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

const WHO: &str = "Ann <ann@example.com>";

/// Every object git holds: id → (kind, bytes), from `git cat-file --batch-all-objects --batch`.
fn all_objects(f: &Fixture) -> BTreeMap<[u8; 20], (String, Vec<u8>)> {
    let out = std::process::Command::new("git")
        .args(["cat-file", "--batch-all-objects", "--batch"])
        .current_dir(f.path())
        .output()
        .expect("git cat-file");
    let (mut rest, mut all) = (&out.stdout[..], BTreeMap::new());
    while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
        let head = String::from_utf8_lossy(&rest[..nl]).to_string();
        let mut parts = head.split(' ');
        let (id, kind, size) = (
            parts.next().expect("id"),
            parts.next().expect("kind"),
            parts.next().expect("size").parse::<usize>().expect("size"),
        );
        all.insert(
            id_bytes(id),
            (kind.to_string(), rest[nl + 1..nl + 1 + size].to_vec()),
        );
        rest = &rest[nl + 1 + size + 1..];
    }
    all
}

fn id_bytes(hex: &str) -> [u8; 20] {
    let mut id = [0u8; 20];
    for (i, b) in id.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex id");
    }
    id
}

/// Forty versions of two files, a binary file and an empty one, repacked with deep delta chains;
/// then one commit more, left loose. `net/main.tf` has sixty lines of unrelated values and each
/// version changes one of them, so each version's nearest delta base is the next one and git
/// writes chains twenty and more deep (a file that only grows gets shallow chains on one base).
fn repacked() -> (Fixture, String) {
    let mut f = Fixture::new();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut values: Vec<u64> = (0..60).map(|_| next()).collect();
    for i in 0..40usize {
        values[(i * 7) % 60] = next();
        let body: String = values
            .iter()
            .enumerate()
            .map(|(j, v)| format!("  v{j} = \"{v:016x}\"\n"))
            .collect();
        f.write("net/main.tf", &format!("locals {{\n{body}}}\n"));
        f.write(
            "k8s/app.yaml",
            &format!(
                "apiVersion: v1\nkind: ConfigMap\ndata:\n  n: \"{i}\"\n{}",
                "  pad: x\n".repeat(i)
            ),
        );
        if i == 0 {
            f.write("empty.tf", "");
            let binary: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
            std::fs::write(f.path().join("blob.bin"), binary).expect("binary file");
        }
        f.commit(WHO, &format!("revision {i}"));
    }
    f.git(&["repack", "-adf", "--depth=50", "--window=50", "-q"]);
    f.write("net/main.tf", &sg("0.0.0.0/0", 22, 22));
    let loose = f.commit(WHO, "open");
    (f, loose)
}

fn pack_dir(f: &Fixture) -> std::path::PathBuf {
    f.path().join(".git/objects/pack")
}

/// The one pack's path, without its extension.
fn the_pack(f: &Fixture) -> std::path::PathBuf {
    let idx = std::fs::read_dir(pack_dir(f))
        .expect("pack dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .expect("an index");
    idx.with_extension("")
}

/// `git verify-pack -v`: id → (offset, delta depth).
fn entries(f: &Fixture) -> BTreeMap<[u8; 20], (u64, usize)> {
    let idx = the_pack(f).with_extension("idx");
    let out = f.git(&["verify-pack", "-v", &idx.display().to_string()]);
    out.lines()
        .filter_map(|l| {
            let p: Vec<&str> = l.split_whitespace().collect();
            if p.len() < 5 || p[0].len() != 40 {
                return None;
            }
            let depth = p.get(5).and_then(|d| d.parse().ok()).unwrap_or(0);
            Some((id_bytes(p[0]), (p[4].parse().ok()?, depth)))
        })
        .collect()
}

#[test]
fn every_packed_object_reads_as_git_prints_it() {
    let (f, loose) = repacked();
    let packed = entries(&f);
    assert!(
        packed.values().any(|&(_, depth)| depth >= 10),
        "the fixture must hold deep delta chains"
    );
    let store = Arc::new(Store::open(&f.path().join(".git/objects")));
    assert_eq!(store.objects(), packed.len());
    let mut reader = Reader::new(Arc::clone(&store));
    let all = all_objects(&f);
    let mut read = 0;
    for (id, (kind, bytes)) in &all {
        if packed.contains_key(id) {
            let (k, got) = reader.read(id).expect("a packed object reads");
            assert_eq!((k.str(), &got), (kind.as_str(), bytes));
            let (k, size) = reader.read_header(id).expect("its header reads");
            assert_eq!((k.str(), size), (kind.as_str(), bytes.len() as u64));
            read += 1;
        } else {
            // Loose: libgit2's to read.
            assert_eq!(reader.read(id).err(), Some(Decline::NotHere));
        }
    }
    assert_eq!(read, packed.len());
    assert!(!packed.contains_key(&id_bytes(&loose)) && all.contains_key(&id_bytes(&loose)));
    // A second handle on the same store, reading newest first (the other order through the
    // chains and the cache), agrees.
    let mut other = Reader::new(store);
    for (id, (_, bytes)) in all.iter().rev().filter(|(id, _)| packed.contains_key(*id)) {
        assert_eq!(&other.read(id).expect("reads").1, bytes);
    }
}

/// A pack damaged anywhere (a byte flipped in each entry in turn, or the file cut short) never
/// yields wrong bytes: each object reads as git printed it before the damage, or is declined.
#[test]
fn a_damaged_pack_is_declined_never_misread() {
    let (f, _) = repacked();
    let all = all_objects(&f);
    let packed = entries(&f);
    let pack = the_pack(&f).with_extension("pack");
    let original = std::fs::read(&pack).expect("pack bytes");
    let mut offsets: Vec<u64> = packed.values().map(|&(at, _)| at).collect();
    offsets.sort_unstable();
    let copy = tempfile::tempdir().expect("temp dir");
    let objects = copy.path().join("objects");
    std::fs::create_dir_all(objects.join("pack")).expect("pack dir");
    let name = pack.file_name().expect("name").to_owned();
    std::fs::copy(
        pack.with_extension("idx"),
        objects.join("pack").join(&name).with_extension("idx"),
    )
    .expect("copy index");
    let damaged_path = objects.join("pack").join(&name);
    let check = |damaged: &[u8]| -> usize {
        std::fs::write(&damaged_path, damaged).expect("write damaged pack");
        let mut reader = Reader::new(Arc::new(Store::open(&objects)));
        let mut declined = 0;
        for id in packed.keys() {
            match reader.read(id) {
                Ok((_, bytes)) => assert_eq!(bytes, all[id].1),
                Err(_) => declined += 1,
            }
            let _ = reader.read_header(id);
        }
        declined
    };
    assert_eq!(check(&original), 0);
    let mut any = 0;
    for &at in offsets.iter().step_by(3) {
        for delta in [0u64, 1, 3, 12] {
            let mut damaged = original.clone();
            let i = (at + delta) as usize;
            if i < damaged.len() - 20 {
                damaged[i] ^= 0x5a;
                any += check(&damaged);
            }
        }
    }
    assert!(any > 0, "some damage must be noticed");
    assert!(check(&original[..original.len() / 2]) > 0);
}

/// A clone that borrows its objects (`git clone --shared`: `objects/info/alternates`) is read
/// through the packs it borrows from, not left to libgit2.
#[test]
fn the_packs_of_an_alternate_are_read() {
    let (f, _) = repacked();
    let clone = tempfile::tempdir().expect("temp dir");
    let dest = clone.path().join("borrower.git");
    f.git(&[
        "clone",
        "-q",
        "--bare",
        "--shared",
        &f.repo(),
        &dest.display().to_string(),
    ]);
    assert!(dest.join("objects/info/alternates").exists());
    let store = Store::open(&dest.join("objects"));
    assert_eq!(store.objects(), entries(&f).len());
    let head = f.git(&["rev-parse", "HEAD~1"]);
    let (kind, _) = Reader::new(Arc::new(store))
        .read(&id_bytes(&head))
        .expect("a borrowed commit reads");
    assert_eq!(kind, ObjectType::Commit);
}

/// An index whose ids are out of order is not one git wrote: its pack is left to libgit2.
#[test]
fn an_index_out_of_order_is_not_used() {
    let (f, _) = repacked();
    let idx_path = the_pack(&f).with_extension("idx");
    let mut idx = std::fs::read(&idx_path).expect("index");
    let ids = 8 + 1024;
    let (a, b) = (ids, ids + 20);
    let first: Vec<u8> = idx[a..a + 20].to_vec();
    idx.copy_within(b..b + 20, a);
    idx[b..b + 20].copy_from_slice(&first);
    let copy = tempfile::tempdir().expect("temp dir");
    let objects = copy.path().join("objects");
    std::fs::create_dir_all(objects.join("pack")).expect("pack dir");
    let name = idx_path.file_name().expect("name").to_owned();
    std::fs::write(objects.join("pack").join(&name), idx).expect("write index");
    std::fs::copy(
        idx_path.with_extension("pack"),
        objects.join("pack").join(&name).with_extension("pack"),
    )
    .expect("copy pack");
    assert_eq!(Store::open(&objects).objects(), 0);
}

/// A pack and version-2 index written by hand: entries given as (id, entry bytes).
fn write_pack(objects: &Path, entries: &[([u8; 20], Vec<u8>)]) {
    let dir = objects.join("pack");
    std::fs::create_dir_all(&dir).expect("pack dir");
    let mut pack = b"PACK".to_vec();
    pack.extend_from_slice(&2u32.to_be_bytes());
    pack.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    let mut at = Vec::new();
    for (id, entry) in entries {
        at.push((*id, pack.len() as u32));
        pack.extend_from_slice(entry);
    }
    pack.extend_from_slice(&[0u8; 20]);
    at.sort();
    let mut idx = vec![0xff, b't', b'O', b'c', 0, 0, 0, 2];
    for b in 0..256usize {
        let n = at.iter().filter(|(id, _)| (id[0] as usize) <= b).count() as u32;
        idx.extend_from_slice(&n.to_be_bytes());
    }
    for (id, _) in &at {
        idx.extend_from_slice(id);
    }
    idx.extend_from_slice(&vec![0u8; 4 * at.len()]);
    for (_, off) in &at {
        idx.extend_from_slice(&off.to_be_bytes());
    }
    idx.extend_from_slice(&[0u8; 40]);
    std::fs::write(dir.join("pack-test.pack"), pack).expect("pack");
    std::fs::write(dir.join("pack-test.idx"), idx).expect("index");
}

/// An entry header: type and size, 4 bits then 7 a byte.
fn entry_header(code: u8, mut size: u64) -> Vec<u8> {
    let mut out = vec![(code << 4) | (size & 15) as u8];
    size >>= 4;
    while size > 0 {
        *out.last_mut().expect("a byte") |= 0x80;
        out.push((size & 0x7f) as u8);
        size >>= 7;
    }
    out
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).expect("compress");
    z.finish().expect("compress")
}

/// Crafted packs: two reference deltas based on each other (a cycle git never writes), an
/// entry claiming a terabyte, and a delta claiming a result it does not produce. Each is
/// declined at once.
#[test]
fn crafted_packs_are_declined_without_hanging_or_allocating() {
    let (a, b, huge, short) = ([0x11u8; 20], [0x22u8; 20], [0x33u8; 20], [0x44u8; 20]);
    let delta = [3u8, 3, 3, b'a', b'b', b'c'];
    let ref_delta = |base: [u8; 20]| {
        let mut e = entry_header(7, delta.len() as u64);
        e.extend_from_slice(&base);
        e.extend(zlib(&delta));
        e
    };
    let mut terabyte = entry_header(3, 1 << 40);
    terabyte.extend(zlib(b"x"));
    // A base blob "abc", and a delta on it claiming 5 bytes but inserting 3.
    let mut base = entry_header(3, 3);
    base.extend(zlib(b"abc"));
    let bad_delta = [3u8, 5, 3, b'x', b'y', b'z'];
    let mut short_entry = entry_header(7, bad_delta.len() as u64);
    short_entry.extend_from_slice(&[0x55; 20]);
    short_entry.extend(zlib(&bad_delta));
    let dir = tempfile::tempdir().expect("temp dir");
    write_pack(
        dir.path(),
        &[
            (a, ref_delta(b)),
            (b, ref_delta(a)),
            (huge, terabyte),
            ([0x55; 20], base),
            (short, short_entry),
        ],
    );
    let store = Arc::new(Store::open(dir.path()));
    assert_eq!(store.objects(), 5);
    let mut reader = Reader::new(store);
    assert!(matches!(reader.read(&a), Err(Decline::Corrupt(_))));
    assert!(matches!(reader.read_header(&b), Err(Decline::Corrupt(_))));
    assert_eq!(reader.read(&huge).err(), Some(Decline::TooLarge));
    assert!(matches!(reader.read(&short), Err(Decline::Corrupt(_))));
    // The base itself is fine, but its id is not its hash: declined, not given out.
    assert!(matches!(reader.read(&[0x55; 20]), Err(Decline::Corrupt(_))));
}

/// Through the binary: a blob whose pack entry is damaged is a blind spot (libgit2, to which the
/// reader declines, cannot read it either), as are the older versions whose delta chains pass
/// through it, each naming its object; the rest of the history is read.
#[test]
fn a_damaged_blob_in_a_pack_is_a_blind_spot() {
    let (f, _) = repacked();
    let blob = f.git(&["rev-parse", "HEAD~1:net/main.tf"]);
    let (at, _) = entries(&f)[&id_bytes(&blob)];
    let pack = the_pack(&f).with_extension("pack");
    let mut bytes = std::fs::read(&pack).expect("pack");
    // Past the header: into the compressed data.
    bytes[at as usize + 8] ^= 0xff;
    let mut perms = std::fs::metadata(&pack).expect("meta").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).expect("writable");
    std::fs::write(&pack, bytes).expect("damage");
    let out = common::bin()
        .args(["scan", &f.repo(), "--format", "json"])
        .output()
        .expect("scan runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&text).expect("a JSON report");
    let spots = report["blind_spots"].as_array().expect("blind spots");
    assert!(!spots.is_empty());
    for spot in spots {
        assert_eq!(spot["file"], "net/main.tf", "{spot:#}");
        let reason = spot["reason"].as_str().expect("a reason");
        assert!(reason.contains("missing or corrupt"), "{reason}");
    }
    assert_eq!(report["inputs"]["landings"], 41);
}
