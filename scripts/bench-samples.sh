#!/usr/bin/env bash
# Times `configtrail scan --format json` on every sample repository against
# `git log --first-parent -p` of the IaC files on the same repository, in the same run.
# Median of N runs (default 15). Usage: scripts/bench-samples.sh [N]
# Measurement lives here, never in tests.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
cargo build --release --quiet
bin=target/release/configtrail

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { # runs "$@" $runs times, prints the median wall time in milliseconds
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | median | awk '{printf "%.2f", $1/1000}'
}

printf '%-30s %9s %12s %12s %7s\n' repository landings "scan ms" "git log ms" ratio
for repo in sample-repos/*.git; do
  landings=$(git -C "$repo" rev-list --first-parent --count HEAD)
  t_scan=$(time_ms "$bin" scan "$repo" --format json)
  t_git=$(time_ms git -C "$repo" log --first-parent -p -- '*.tf' '*.tf.json' '*.tfvars' '*.yaml' '*.yml' '*.json')
  ratio=$(awk -v a="$t_scan" -v b="$t_git" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf '%-30s %9s %12s %12s %7s\n' "$(basename "$repo")" "$landings" "$t_scan" "$t_git" "$ratio"
done
