#!/usr/bin/env bash
# Are two builds' outputs byte-identical? For changes that must not change behaviour (a layout
# move, a speed-up): every sample repository through every command and format, and `scan --format
# json` of any further repository given (the benchmark repositories, real histories).
#
#   scripts/same-output.sh BASE_BINARY NEW_BINARY [REPO ...]
#
# Prints one line per difference and a total; exits 0 when everything is the same, 1 otherwise.
# Both binaries are run the same way in the same run; a report is compared with its exit code.
# Only the two binaries read the repositories (read-only, as configtrail always does).
set -uo pipefail

if [ "$#" -lt 2 ]; then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
base=$1 new=$2
shift 2
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

checked=0 differ=0
# One run of each binary with the same arguments; stdout, stderr and the exit code compared.
same() {
  local what=$1
  shift
  "$base" "$@" >"$out/a" 2>"$out/ae"
  echo "exit $?" >>"$out/a"
  "$new" "$@" >"$out/b" 2>"$out/be"
  echo "exit $?" >>"$out/b"
  checked=$((checked + 1))
  if ! cmp -s "$out/a" "$out/b" || ! cmp -s "$out/ae" "$out/be"; then
    differ=$((differ + 1))
    echo "DIFF  $what: configtrail $*"
  fi
}

for repo in sample-repos/*.git; do
  name=$(basename "$repo" .git)
  extra=(--parties sample-repos/contract/parties.yaml)
  [ -f "sample-repos/$name.deploys.csv" ] && extra+=(--deploys "sample-repos/$name.deploys.csv")
  for format in text json markdown html dot; do
    same "$name scan $format" scan "$repo" --format "$format" "${extra[@]}"
  done
  # The whole history as a review, and the history of the first address a window names.
  first=$(git -C "$repo" rev-list --max-parents=0 HEAD | tail -1)
  for format in text json markdown sarif; do
    same "$name review $format" review "$first..HEAD" "$repo" --format "$format"
  done
  address=$("$base" scan "$repo" --format json 2>/dev/null |
    sed -n 's/^ *"address": "\(.*\)",$/\1/p' | head -1)
  if [ -n "$address" ]; then
    for format in text json; do
      same "$name history $format" history "$address" "$repo" --format "$format"
    done
  fi
done
# `check` reads files, not history: the fuzz corpus is the widest set of them the project keeps.
for dir in fuzz/corpus/*/; do
  for format in text json sarif; do
    same "check $dir $format" check "$dir" --format "$format"
  done
done
for repo in "$@"; do
  same "$repo scan json" scan "$repo" --format json
done
echo "$checked outputs compared, $differ different"
[ "$differ" -eq 0 ]
