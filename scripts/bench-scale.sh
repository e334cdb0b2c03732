#!/usr/bin/env bash
# The performance benchmark of issue 6: a full `scan --format json` against
# `git log --first-parent -p` of the IaC paths on the same synthetic repository, timed side by
# side in the same run (median of N runs), with peak memory, at several history lengths; and
# `review` of the last 50 commits against `git diff --stat` of the same range.
#
#   scripts/bench-scale.sh [SIZES] [RUNS]      e.g. scripts/bench-scale.sh "5000 20000 50000" 3
#
# The repositories (300 Terraform modules of 3 files, 40 Kubernetes manifests, application files
# changed in most commits, about a third of the commits touching IaC, a merged short branch every
# 25 landings) are built once into target/bench-repos/ by scripts/synth-repo.py. Measurement lives
# here, never in tests.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-"5000 20000 50000"}
runs=${2:-3}
cargo build --release --quiet
bin=$PWD/target/release/configtrail
mkdir -p target/bench-repos

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Runs "$@" $runs times; prints "median-seconds peak-kB" (peak of the runs).
measure() {
  local times=() peak=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o /tmp/bench-scale.$$ "$@" >/dev/null 2>&1 || true
    read -r t m < <(tail -n 1 /tmp/bench-scale.$$)
    times+=("$t"); (( m > peak )) && peak=$m
  done
  printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | median)" "$peak"
}

printf '%-8s %8s %10s %10s %7s %10s %10s | %9s %9s %7s\n' commits landings "scan s" "git log s" ratio "scan MB" "git MB" "review s" "diff s" ratio
for n in $sizes; do
  repo=target/bench-repos/synth-$n.git
  if [ ! -d "$repo" ]; then
    git init -q --bare "$repo"
    python3 scripts/synth-repo.py "$n" 300 7 --files 3 --k8s 40 --app-rate 0.8 | git -C "$repo" fast-import --quiet
    git -C "$repo" symbolic-ref HEAD refs/heads/main
  fi
  landings=$(git -C "$repo" rev-list --first-parent --count HEAD)
  read -r t_scan m_scan <<<"$(measure "$bin" scan "$repo" --format json)"
  read -r t_git m_git <<<"$(measure git -C "$repo" log --first-parent -p -- '*.tf' '*.tf.json' '*.tfvars' '*.yaml' '*.yml' '*.json')"
  read -r t_rev _ <<<"$(measure "$bin" review HEAD~50..HEAD "$repo" --format json)"
  read -r t_diff _ <<<"$(measure git -C "$repo" diff --stat HEAD~50 HEAD)"
  ratio=$(awk -v a="$t_scan" -v b="$t_git" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  rratio=$(awk -v a="$t_rev" -v b="$t_diff" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')
  printf '%-8s %8s %10s %10s %7s %10s %10s | %9s %9s %7s\n' "$n" "$landings" "$t_scan" "$t_git" "$ratio" \
    "$((m_scan / 1024))" "$((m_git / 1024))" "$t_rev" "$t_diff" "$rratio"
done
rm -f /tmp/bench-scale.$$
