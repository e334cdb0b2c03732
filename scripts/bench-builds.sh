#!/usr/bin/env bash
# Two or more configtrail builds side by side on one repository: `scan --format json`, each build
# run in turn RUNS times (alternating, so all see the same machine), with `git log --first-parent
# -p` of the IaC paths in the same rounds; prints each one's median wall and CPU seconds and peak
# memory. For "is this change slower than the build before it" (README, "Measurements").
#
#   scripts/bench-builds.sh REPO RUNS BIN [BIN...]
#   e.g. scripts/bench-builds.sh target/bench-repos/synth-50000g.git 7 /tmp/ct-before target/release/configtrail
#
# A build of another commit: `git worktree add /tmp/wt COMMIT && CARGO_TARGET_DIR=/tmp/wt-target
# cargo build --release --manifest-path /tmp/wt/Cargo.toml`.
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,10p "$0" >&2; exit 2; }
repo=$1 runs=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$runs"); do
  for bin in "$@"; do
    /usr/bin/time -a -o "$out" -f "$bin %e %U %M" "$bin" scan "$repo" --format json >/dev/null 2>&1 || true
  done
  /usr/bin/time -a -o "$out" -f "git-log %e %U %M" git -C "$repo" log --first-parent -p -- \
    '*.tf' '*.tf.json' '*.tfvars' '*.yaml' '*.yml' '*.json' >/dev/null
done
python3 - "$out" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 4:
        rows.setdefault(parts[0], []).append((float(parts[1]), float(parts[2]), int(parts[3])))
git = statistics.median(r[0] for r in rows.pop("git-log"))
print("%-40s %8s %8s %8s %8s" % ("build", "wall s", "cpu s", "peak MB", "/git log"))
for name, v in rows.items():
    wall = statistics.median(r[0] for r in v)
    print("%-40s %8.2f %8.2f %8d %8.2f" % (name[-40:], wall, statistics.median(r[1] for r in v),
                                           max(r[2] for r in v) // 1024, wall / git if git else 0))
print("%-40s %8.2f" % ("git log --first-parent -p (IaC paths)", git))
PY
