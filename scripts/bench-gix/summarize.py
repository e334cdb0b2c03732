#!/usr/bin/env python3
"""Median wall time and peak RSS per (repository, configuration) from bench.sh's runs.tsv,
and whether every reader configuration printed the same checksum line for a repository."""
import collections, re, statistics, sys

rows = collections.defaultdict(list)
sums = collections.defaultdict(set)
order = []
for line in open(sys.argv[1] if len(sys.argv) > 1 else "results/runs.tsv"):
    repo, cfg, rnd, sec, kb, out = line.rstrip("\n").split("\t", 5)
    if (repo, cfg) not in rows:
        order.append((repo, cfg))
    rows[(repo, cfg)].append((float(sec), int(kb), out))
    if out.startswith("reader="):
        sums[repo].add(re.sub(r"^reader=\S+ ", "", out))

print("| repository | reader | median s | min-max s | peak RSS MB (median) | runs | checksum |")
print("|---|---|---|---|---|---|---|")
for repo, cfg in order:
    r = rows[(repo, cfg)]
    secs = [x[0] for x in r]
    mb = statistics.median(x[1] for x in r) / 1024
    out = r[0][2]
    if out.startswith("reader="):
        ok = "agree" if len(sums[repo]) == 1 else "DIFFER"
        m = re.search(r"bytes=(\d+) hash=(\w+) missing=(\d+) errors=(\d+)", out)
        chk = f"{ok} ({int(m.group(1))/1e6:.1f} MB, {m.group(2)[:8]}, missing {m.group(3)}, errors {m.group(4)})"
    else:
        chk = out[:60]
    print(f"| {repo.split('/')[1] if repo.startswith('bench-repos') else repo.split('/')[0].split('+')[1]} | {cfg} | {statistics.median(secs):.2f} | "
          f"{min(secs):.2f}-{max(secs):.2f} | {mb:.1f} | {len(r)} | {chk} |")
for repo, s in sums.items():
    if len(s) != 1:
        print(f"\nchecksums differ for {repo}:", *s, sep="\n  ")
