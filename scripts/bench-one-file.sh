#!/usr/bin/env bash
# Many findings in one file (issue 20): one commit adds N security groups open to the world on
# port 22 to a single main.tf, or N privileged pods to one multi-document YAML, on a branch `pr`
# off a one-commit `main`. Times `scan --format json` of the whole history and `review main..pr`
# against `git log -p` of the same history, side by side, median of RUNS alternating runs, with
# peak memory. The cost of a landing must grow with what it changed, not with its square: before
# the but-for test read the unit through a patched view and the lines of a file were indexed,
# N = 200 groups took 76 s to scan.
#
#   scripts/bench-one-file.sh [SIZES] [RUNS]      e.g. scripts/bench-one-file.sh "200 2000" 3
#
# The repositories are built into target/bench-repos/one-file-*; measurement lives here, never in
# tests.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-"200 500 2000"}
runs=${2:-3}
cargo build --release --quiet
bin=$PWD/target/release/configtrail
out=$PWD/target/bench-repos
mkdir -p "$out"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() {
  /usr/bin/time -f "%e %M" -o /tmp/bench-one-file.$$ "$@" >/dev/null 2>&1 || true
  tail -n 1 /tmp/bench-one-file.$$
}

build() { # kind n → repository path
  local kind=$1 n=$2 dir="$out/one-file-$1-$2"
  if [ ! -d "$dir/.git" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    git -C "$dir" init -q -b main
    git -C "$dir" config user.name Bench && git -C "$dir" config user.email bench@example.com
    if [ "$kind" = tf ]; then
      echo 'provider "aws" {}' >"$dir/main.tf"
    else
      printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: pods}\n' >"$dir/pods.yaml"
    fi
    git -C "$dir" add -A && git -C "$dir" commit -qm base
    git -C "$dir" checkout -qb pr
    python3 - "$kind" "$n" "$dir" <<'EOF'
import sys
kind, n, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "tf":
    with open(f"{d}/main.tf", "a") as f:
        for i in range(n):
            f.write(f'resource "aws_security_group" "g{i}" {{\n  name = "g{i}"\n  ingress {{\n'
                    f'    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n'
                    f'    cidr_blocks = ["0.0.0.0/0"]\n  }}\n}}\n')
else:
    with open(f"{d}/pods.yaml", "a") as f:
        for i in range(n):
            f.write(f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: pods}}\n"
                    f"spec:\n  containers:\n    - name: c\n      image: busybox\n"
                    f"      securityContext: {{privileged: true}}\n")
EOF
    git -C "$dir" add -A && git -C "$dir" commit -qm "$n findings in one file"
  fi
  echo "$dir"
}

printf '| case | N | scan (s) | review main..pr (s) | git log -p (s) | scan / git | peak MB (scan, review) |\n'
printf '| --- | --- | --- | --- | --- | --- | --- |\n'
for kind in tf k8s; do
  for n in $sizes; do
    repo=$(build "$kind" "$n")
    s=() r=() g=() sm=0 rm=0
    for _ in $(seq "$runs"); do
      read -r t m < <(timed "$bin" scan "$repo" --format json); s+=("$t"); sm=$m
      read -r t m < <(timed "$bin" review main..pr "$repo" --format json); r+=("$t"); rm=$m
      read -r t _ < <(timed git -C "$repo" log -p pr); g+=("$t")
    done
    ms=$(printf '%s\n' "${s[@]}" | median)
    mr=$(printf '%s\n' "${r[@]}" | median)
    mg=$(printf '%s\n' "${g[@]}" | median)
    ratio=$(awk -v a="$ms" -v b="$mg" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')
    printf '| %s | %s | %s | %s | %s | %s | %d, %d |\n' \
      "$([ "$kind" = tf ] && echo 'security groups, one main.tf' || echo 'privileged pods, one YAML')" \
      "$n" "$ms" "$mr" "$mg" "$ratio" $((sm / 1024)) $((rm / 1024))
  done
done
