#!/usr/bin/env bash
# Rebuild every sample repository NAME.git from its fast-import stream NAME.fi.
#
#   sample-repos/build.sh            rebuild all of them
#   sample-repos/build.sh NAME ...   rebuild only these
#
# Dates and identities are fixed in the streams, so the commit ids are the same on every run and
# every machine; tests/sample_repos.rs rebuilds each stream the same way and checks that its refs
# match the committed NAME.git. The repositories are committed to the project, so only what git
# and libgit2 need to open them is kept: HEAD, config, packed-refs, objects/, refs/.
set -euo pipefail

cd "$(dirname "$0")"

# Only the stream decides the result: no user or system configuration, no inherited repository.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES \
      GIT_TEMPLATE_DIR GIT_DEFAULT_HASH 2>/dev/null || true

if [ "$#" -gt 0 ]; then
  names=("$@")
else
  names=()
  for stream in *.fi; do names+=("${stream%.fi}"); done
fi

for name in "${names[@]}"; do
  name=${name%.fi}
  [ -f "$name.fi" ] || { echo "build.sh: no stream $name.fi" >&2; exit 2; }
  rm -rf "$name.git"
  git init -q --bare "$name.git"
  git -C "$name.git" fast-import --quiet < "$name.fi"
  git -C "$name.git" symbolic-ref HEAD refs/heads/main
  git -C "$name.git" gc -q --aggressive --prune=now
  ( cd "$name.git" && rm -rf hooks logs info branches description FETCH_HEAD COMMIT_EDITMSG gc.log )
  # gc moves every ref into packed-refs; git ignores empty directories, so without these a
  # clone of the project would have no refs/ and nobody would recognise the repository.
  mkdir -p "$name.git/refs/heads" "$name.git/refs/tags"
  : > "$name.git/refs/heads/.keep"
  : > "$name.git/refs/tags/.keep"
  # What a clone of the project will hold: the same files without the empty directories.
  check=$(mktemp -d)
  cp -r "$name.git" "$check/"
  find "$check" -type d -empty -delete
  git -C "$check/$name.git" log --oneline refs/heads/main > /dev/null \
    || { echo "build.sh: $name.git does not open once copied without empty directories" >&2; exit 1; }
  rm -rf "$check"
  printf '%-28s %s\n' "$name" "$(git -C "$name.git" rev-parse refs/heads/main)"
done
