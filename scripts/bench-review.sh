#!/usr/bin/env bash
# Review latency: `configtrail review` of a 50-landing range at the tip of a large synthetic
# history, against git's own first-parent walk of the history limited to the IaC directories
# (`git rev-list --first-parent main -- infra k8s`: review walks back through the history to name
# who wrote the settings its findings rest on) and `git diff --stat` of the same range (which
# reads no history), in the same run. Median of N runs.
#
#   scripts/bench-review.sh [COMMITS] [MODULES] [RANGE] [N]     defaults: 30000 500 50 15
#   SYNTH_GROW=1 scripts/bench-review.sh ...    modules added through the history (synth-repo.py grow)
#
# The repository is built by scripts/synth-repo.py (deterministic: same arguments, same commit
# ids) into ${BENCH_DIR:-/tmp/configtrail-bench}/synth-COMMITS-MODULES.git and reused. Measurement
# lives here, never in tests.
set -euo pipefail
cd "$(dirname "$0")/.."
commits=${1:-30000}
modules=${2:-500}
range=${3:-50}
runs=${4:-15}
dir=${BENCH_DIR:-/tmp/configtrail-bench}
grow=${SYNTH_GROW:+grow}
repo="$dir/synth-$commits-$modules${grow:+-grow}.git"

if [ ! -d "$repo" ]; then
  mkdir -p "$dir"
  git init -q --bare "$repo"
  python3 scripts/synth-repo.py "$commits" "$modules" 7 $grow | git -C "$repo" fast-import --quiet
  git -C "$repo" symbolic-ref HEAD refs/heads/main
  git -C "$repo" gc -q --aggressive 2>/dev/null || git -C "$repo" gc -q
  git -C "$repo" commit-graph write --reachable 2>/dev/null || true
fi
cargo build --release --quiet
bin=target/release/configtrail

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cpu_ms() { # median user+system CPU time in ms: steadier than wall time on a shared machine
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%U %S' -o /tmp/bench-review.cpu "$@" >/dev/null 2>&1 || true
    tail -n 1 /tmp/bench-review.cpu | awk '{printf "%d\n", ($1 + $2) * 1000}'
  done | median
}
time_ms() { # runs "$@" $runs times, prints the median wall time in milliseconds
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | median | awk '{printf "%.1f", $1/1000}'
}

spec="main~$range..main"
all=$(git -C "$repo" rev-list --count main)
landings=$(git -C "$repo" rev-list --first-parent --count main)
dirs=$(git -C "$repo" ls-tree -d --name-only main:infra | wc -l)
in_range=$(git -C "$repo" rev-list --count "$spec")
iac=$(git -C "$repo" diff --name-only "$spec" -- '*.tf' | wc -l)

t_review=$("$bin" --version >/dev/null; time_ms "$bin" review "$spec" "$repo" --format json)
t_sarif=$(time_ms "$bin" review "$spec" "$repo" --format sarif)
t_diff=$(time_ms git -C "$repo" diff --stat "$spec")
t_walk=$(time_ms git -C "$repo" rev-list --first-parent main -- infra k8s)
c_review=$(cpu_ms "$bin" review "$spec" "$repo" --format json)
c_one=$(cpu_ms "$bin" review "main~1..main" "$repo" --format json)
ratio=$(awk -v a="$t_review" -v b="$t_diff" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')
walk_ratio=$(awk -v a="$t_review" -v b="$t_walk" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')

echo "repository: $repo"
echo "history: $all commits ($landings landings), $dirs module directories"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "range: $spec = $range landings, $in_range commits, $iac IaC files changed"
printf '%-34s %10s\n' "measure (median of $runs)" "ms"
printf '%-34s %10s\n' "configtrail review --format json" "$t_review"
printf '%-34s %10s\n' "configtrail review --format sarif" "$t_sarif"
printf '%-34s %10s\n' "git rev-list --first-parent (walk)" "$t_walk"
printf '%-34s %10s\n' "git diff --stat (same range)" "$t_diff"
printf '%-34s %10s\n' "review --format json, CPU" "$c_review"
printf '%-34s %10s\n' "review of 1 landing, CPU" "$c_one"
printf '%-34s %10s\n' "ratio review / git's walk" "$walk_ratio"
printf '%-34s %10s\n' "ratio review / git diff --stat" "$ratio"
