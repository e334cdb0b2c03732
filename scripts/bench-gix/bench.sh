#!/usr/bin/env bash
# Runs every reader configuration on every repository, ROUNDS times, alternating configurations
# within a round (and rotating their order from round to round), one process at a time.
# Appends one line per run to results/runs.tsv: repo config round seconds maxrss_kb output.
# Usage: bench.sh [ROUNDS] [REPO...]     (summarize with: python3 summarize.py results/runs.tsv)
set -u
cd "$(dirname "$0")"
B=${B:-$PWD/bin/gixbench}
ROUNDS=${1:-5}; shift || true
REPOS=("$@")
if [ ${#REPOS[@]} -eq 0 ]; then
  # The packed benchmark repositories scripts/bench-scale.sh builds ("50000 50000g 50000r");
  # give real repositories (bare mirrors or clones) as arguments.
  REPOS=("$PWD"/../../target/bench-repos/synth-50000.git
         "$PWD"/../../target/bench-repos/synth-50000g.git
         "$PWD"/../../target/bench-repos/synth-50000r.git)
fi
CONFIGS=(
  "packs|$B packs REPO"
  "git2|$B git2 REPO"
  "gix(default)|$B gix REPO"
  "gix-tuned-2M|$B gix-tuned REPO --pack-cache-mib 2"
  "gix-tuned-8M|$B gix-tuned REPO --pack-cache-mib 8"
  "gix-tuned-16M|$B gix-tuned REPO --pack-cache-mib 16"
  "gix-tuned-64M|$B gix-tuned REPO --pack-cache-mib 64"
  "gix-tuned-0M|$B gix-tuned REPO --pack-cache-mib 0"
  "gix-tuned-2M+verify|$B gix-tuned REPO --pack-cache-mib 2 --verify"
  "git-log-p|git -C REPO log --first-parent -p --format=%H"
  "git-raw+cat-file|$PWD/git-raw-cat.sh REPO"
)
mkdir -p results
OUT=results/runs.tsv
N=${#CONFIGS[@]}
for repo in "${REPOS[@]}"; do
  name=$(basename "$(dirname "$repo")")/$(basename "$repo")
  for round in $(seq 1 "$ROUNDS"); do
    for k in $(seq 0 $((N - 1))); do
      c=${CONFIGS[$(( (k + round - 1) % N ))]}
      label=${c%%|*}; cmd=${c#*|}; cmd=${cmd//REPO/$repo}
      # Reader configurations print their checksum line on stdout; git's output is discarded.
      if [[ $label == git-* ]]; then cmd="$cmd >/dev/null"; fi
      outl=$(/usr/bin/time -f '%e %M' -o /tmp/gixbench.time sh -c "$cmd" 2>/tmp/gixbench.err)
      rc=$?
      [[ $label == git-* ]] && outl="git rc=$rc $(head -c 120 /tmp/gixbench.err | tr '\n' ' ')"
      [[ $rc -ne 0 && $label != git-* ]] && outl="rc=$rc $outl $(head -c 200 /tmp/gixbench.err | tr '\n' ' ')"
      t=$(grep -E '^[0-9.]+ [0-9]+$' /tmp/gixbench.time | tail -1)
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$label" "$round" "${t% *}" "${t#* }" "$outl" | tee -a "$OUT"
    done
  done
done
