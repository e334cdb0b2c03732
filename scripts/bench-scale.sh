#!/usr/bin/env bash
# The performance benchmark of issue 6: a full `scan --format json` against
# `git log --first-parent -p` of the IaC paths on the same synthetic repository, run alternately
# N times (median of each, and median of the per-pair ratios), with peak memory, at several
# history lengths; and `review` of the last 50 commits against git's own first-parent walk of the
# history limited to the IaC directories (`git rev-list --first-parent HEAD -- infra k8s`): to
# name who wrote the settings its findings rest on, review walks back through the history, up to
# its first commit in this repository, so that walk is its floor (`git diff --stat` of the range
# reads no history and takes a few milliseconds).
#
#   scripts/bench-scale.sh [SIZES] [RUNS]      e.g. scripts/bench-scale.sh "5000 20000 50000" 3
#
# A size NqM (e.g. 50000q5000) is the same history with --quiet-after M: its first M landings
# are those of the M-commit repository, and no window opens after them, so its memory against
# the M-commit repository's is what grows with history length alone (findings held equal).
# A size Ng (e.g. 50000g) is the N-commit repository packed by `git gc` (delta chains to depth
# 50, as a forge serves it); Nr the same packed by `git repack -adf --depth=250 --window=250`.
# fast-import writes shallow deltas, so the plain size alone says nothing of deep chains.
# A size Nm (e.g. 50000m) is the history of N commits with module calls: 10 environment roots
# under envs/, each calling 10 of the shared modules (and one of the next environment's), so a
# change to a shared module re-evaluates one or two roots of 11 module instances each.
#
# A size that is a directory (e.g. $HOME/src/terragoat, or a bare mirror) is that repository as it
# is: nothing is built, and the review row compares with git's walk limited to the IaC paths.
#
# The repositories (300 Terraform modules of 3 files, 40 Kubernetes manifests, application files
# changed in most commits, about a third of the commits touching IaC, a merged short branch every
# 25 landings) are built once into target/bench-repos/ by scripts/synth-repo.py. Measurement lives
# here, never in tests.
set -euo pipefail
set -f  # the commands below are word-split from strings; their git pathspecs must not glob here
cd "$(dirname "$0")/.."
sizes=${1:-"5000 20000 50000"}
runs=${2:-3}
cargo build --release --quiet
bin=$PWD/target/release/configtrail
mkdir -p target/bench-repos

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# One timed run of "$@": prints "seconds peak-kB".
timed() {
  /usr/bin/time -f "%e %M" -o /tmp/bench-scale.$$ "$@" >/dev/null 2>&1 || true
  tail -n 1 /tmp/bench-scale.$$
}
# Runs command A and command B alternately $runs times (so both see the same machine: on a
# shared machine the speed drifts between runs) and prints "median-A peak-kB-A median-B
# peak-kB-B median-of-the-ratios-A/B". The commands are given as two strings.
pair() {
  local a=() b=() r=() pa=0 pb=0 ta ma tb mb
  for _ in $(seq "$runs"); do
    read -r ta ma <<<"$(timed $1)"
    read -r tb mb <<<"$(timed $2)"
    a+=("$ta"); b+=("$tb"); (( ma > pa )) && pa=$ma; (( mb > pb )) && pb=$mb
    r+=("$(awk -v x="$ta" -v y="$tb" 'BEGIN { if (y > 0) printf "%.3f", x / y; else print 0 }')")
  done
  printf '%s %s %s %s %s\n' "$(printf '%s\n' "${a[@]}" | median)" "$pa" \
    "$(printf '%s\n' "${b[@]}" | median)" "$pb" "$(printf '%s\n' "${r[@]}" | median)"
}

printf '%-8s %8s %10s %10s %7s %10s %10s | %9s %9s %7s\n' commits landings "scan s" "git log s" ratio "scan MB" "git MB" "review s" "walk s" ratio
iac='*.tf *.tf.json *.tfvars *.yaml *.yml *.json'
for n in $sizes; do
  if [ -d "$n" ]; then
    repo=$n
    landings=$(git -C "$repo" rev-list --first-parent --count HEAD)
    read -r t_scan m_scan t_git m_git ratio <<<"$(pair "$bin scan $repo --format json" \
      "git -C $repo log --first-parent -p -- $iac")"
    t_rev=- t_walk=- r_rev=-
    if (( landings > 50 )); then
      read -r t_rev _ t_walk _ r_rev <<<"$(pair "$bin review HEAD~50..HEAD $repo --format json" \
        "git -C $repo rev-list --first-parent --count HEAD -- $iac")"
    fi
    printf '%-8s %8s %10s %10s %7s %10s %10s | %9s %9s %7s\n' "$(basename "${repo%/repo}")" \
      "$landings" "$t_scan" "$t_git" "$ratio" "$((m_scan / 1024))" "$((m_git / 1024))" \
      "$t_rev" "$t_walk" "$r_rev"
    continue
  fi
  repo=target/bench-repos/synth-$n.git
  commits=${n%%q*} quiet=() pack=
  [ "$commits" != "$n" ] && quiet=(--quiet-after "${n#*q}")
  case $commits in *m) commits=${commits%m}; quiet+=(--envs 10 --calls 10) ;; esac
  case $commits in *g|*r) pack=${commits: -1}; commits=${commits%?} ;; esac
  base=target/bench-repos/synth-$commits.git
  [ -n "$pack" ] || base=$repo
  if [ ! -d "$base" ]; then
    git init -q --bare "$base"
    python3 scripts/synth-repo.py "$commits" 300 7 --files 3 --k8s 40 --app-rate 0.8 "${quiet[@]}" \
      | git -C "$base" fast-import --quiet
    git -C "$base" symbolic-ref HEAD refs/heads/main
  fi
  if [ -n "$pack" ] && [ ! -d "$repo" ]; then
    cp -r "$base" "$repo"
    case $pack in
      g) git -C "$repo" gc --quiet ;;
      r) git -C "$repo" repack -adfq --depth=250 --window=250 ;;
    esac
  fi
  landings=$(git -C "$repo" rev-list --first-parent --count HEAD)
  read -r t_scan m_scan t_git m_git ratio <<<"$(pair "$bin scan $repo --format json" \
    "git -C $repo log --first-parent -p -- $iac")"
  read -r t_rev _ t_walk _ r_rev <<<"$(pair "$bin review HEAD~50..HEAD $repo --format json" \
    "git -C $repo rev-list --first-parent --count HEAD -- infra k8s")"
  printf '%-8s %8s %10s %10s %7s %10s %10s | %9s %9s %7s\n' "$n" "$landings" "$t_scan" "$t_git" "$ratio" \
    "$((m_scan / 1024))" "$((m_git / 1024))" "$t_rev" "$t_walk" "$r_rev"
done
rm -f /tmp/bench-scale.$$
