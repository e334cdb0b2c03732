#!/usr/bin/env bash
# Hostile-input check: copies synth-50000g.git to /tmp, damages it, and runs every reader on it.
# A reader "errors cleanly" if it reports errors>0 (and exits 0 or with an error), "panics" on
# rc=101, and "returns wrong data" if it reports errors=0 but a checksum differing from the clean repo.
#   A: 8 bytes overwritten in the middle of the .pack (dd conv=notrunc)
#   B: 8 bytes overwritten at each of 25%, 50% and 75% of the .pack
#   A2: 8 bytes overwritten in the middle of the compressed data of the blob entry nearest the middle
#      of the .pack that the workload reads (A's offset falls in an object the first-parent walk never reads)
#   D: a whole (non-delta) blob entry the workload reads rewritten as a header declaring 1 TiB (then 1 GiB) followed by a
#      valid zlib stream of 16 bytes (tests whether a reader allocates the declared size up front)
#   C: two objects' offsets swapped in the .idx (each id then finds the other blob's bytes: only a
#      reader that hashes what it read against the id can tell)
set -u
cd "$(dirname "$0")"
B=$PWD/bin/gixbench
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)/target/bench-repos/synth-50000g.git}
run_all() {
  for cfg in "packs" "git2" "gix" "gix-tuned --pack-cache-mib 2" "gix-tuned --pack-cache-mib 2 --verify" "gix --alloc-limit-mib 1"; do
    set -- $cfg
    out=$(/usr/bin/time -f '%e s %M KB' -o /tmp/gixbench.htime $B $1 "$REPO" "${@:2}" 2>/tmp/gixbench.herr); rc=$?
    printf '%-40s rc=%-3s %s | %s | stderr: %s\n' "$cfg" "$rc" "$(cat /tmp/gixbench.htime | tail -1)" "$out" "$(head -c 300 /tmp/gixbench.herr | tr '\n' ' ')"
  done
  printf '%-40s rc=%s\n' "git log -p" "$(git -C "$REPO" log --first-parent -p --format=%H >/dev/null 2>/tmp/gixbench.gerr; echo $?) $(head -c 150 /tmp/gixbench.gerr | tr '\n' ' ')"
}
fresh() { rm -rf "$REPO"; cp -r "$SRC" "$REPO"; PACK=$(ls "$REPO"/objects/pack/*.pack); IDX=${PACK%.pack}.idx; rm -f "$REPO"/objects/pack/*.bitmap "$REPO"/objects/pack/*.rev; }
poke() { printf '\xde\xad\xbe\xef\x01\x02\x03\x04' | dd of="$PACK" bs=1 seek="$1" conv=notrunc status=none; }
REPO=/tmp/gixbench-clean.git; fresh
echo "== clean copy"; run_all
REPO=/tmp/gixbench-hostile.git
fresh; SIZE=$(stat -c %s "$PACK")
echo "== A: 8 bytes at offset $((SIZE / 2)) of $SIZE"; poke $((SIZE / 2)); run_all
fresh
echo "== B: 8 bytes at $((SIZE / 4)), $((SIZE / 2)), $((SIZE * 3 / 4))"; poke $((SIZE / 4)); poke $((SIZE / 2)); poke $((SIZE * 3 / 4)); run_all
# Entries: offset id kind size size-in-pack [depth base], sorted by offset; and the blobs the walk reads.
git verify-pack -v "$SRC"/objects/pack/*.idx | awk 'length($1)==40 && NF>=5 {print $5, $1, $2, $3, $4, $6, $7}' | sort -n > /tmp/gixbench-entries.txt
git -C "$SRC" log --first-parent --raw --no-abbrev --format= | awk '/^:/ && $5 ~ /^[AM]/ {print $4}' | sort -u > /tmp/gixbench-readblobs.txt
fresh
python3 - "$PACK" <<'PY'
import os, sys
pack = sys.argv[1]; size = os.path.getsize(pack)
read = set(open("/tmp/gixbench-readblobs.txt").read().split())
best = None
for l in open("/tmp/gixbench-entries.txt"):
    f = l.split()
    off, oid, kind, inpack = int(f[0]), f[1], f[2], int(f[4])
    if kind == "blob" and oid in read and inpack >= 64 and (best is None or abs(off - size // 2) < abs(best[0] - size // 2)):
        best = (off, oid, inpack, len(f) > 5)
off, oid, inpack, delta = best
at = off + inpack // 2
with open(pack, "r+b") as fh:
    fh.seek(at); fh.write(bytes.fromhex("deadbeef01020304"))
print(f"== A2: 8 bytes at {at}, inside blob {oid} (entry at {off}, {inpack} bytes in pack, {'delta' if delta else 'whole'})")
PY
run_all
for DECLARED in $((1 << 40)) $((1 << 30)); do
fresh
python3 - "$PACK" "$DECLARED" <<'PY'
import sys, zlib
pack = sys.argv[1]
read = set(open("/tmp/gixbench-readblobs.txt").read().split())
for l in open("/tmp/gixbench-entries.txt"):
    f = l.split()
    off, oid, kind, inpack = int(f[0]), f[1], f[2], int(f[4])
    if kind == "blob" and oid in read and inpack >= 64 and len(f) == 5:
        break
declared = int(sys.argv[2])
hdr = bytearray([(3 << 4) | (declared & 15)]); n = declared >> 4
hdr[0] |= 0x80 if n else 0
while n:
    b = n & 0x7f; n >>= 7
    hdr.append(b | (0x80 if n else 0))
body = bytes(hdr) + zlib.compress(b"sixteen bytes..\n")
assert len(body) <= inpack
with open(pack, "r+b") as fh:
    fh.seek(off); fh.write(body)
print(f"== D: blob {oid} at {off} ({inpack} bytes in pack) now declares {declared} bytes")
PY
run_all
done
fresh
# C: swap the pack offsets of two blobs the workload reads (HEAD's two largest blobs of equal kind).
python3 - "$IDX" "$REPO" <<'PY'
import struct, subprocess, sys
idx, repo = sys.argv[1], sys.argv[2]
blobs = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "-l", "HEAD"], capture_output=True, text=True).stdout.split("\n")
blobs = sorted((int(l.split()[3]), l.split()[2]) for l in blobs if l and l.split()[1] == "blob")
a, b = blobs[-1][1], blobs[-2][1]
d = bytearray(open(idx, "rb").read())
n = struct.unpack(">I", d[8 + 255 * 4: 8 + 256 * 4])[0]
ids = [bytes(d[8 + 1024 + 20 * i: 8 + 1024 + 20 * (i + 1)]).hex() for i in range(n)]
ia, ib = ids.index(a), ids.index(b)
off = 8 + 1024 + 24 * n  # ids, then crc32s, then offsets
pa, pb = off + 4 * ia, off + 4 * ib
d[pa:pa + 4], d[pb:pb + 4] = d[pb:pb + 4], d[pa:pa + 4]
open(idx, "wb").write(d)
print(f"swapped offsets of {a} and {b} in {idx}")
PY
echo "== C: two blobs' offsets swapped in the .idx"; run_all
