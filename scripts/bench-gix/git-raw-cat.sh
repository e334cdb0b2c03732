#!/bin/sh
# Reference for the same workload done by git itself: first-parent log with raw diffs, then every
# added/modified/type-changed blob read by one cat-file --batch process (missing ones print "missing").
git -C "$1" log --first-parent --raw --no-abbrev --format=%H |
  awk '/^:/ && $5 ~ /^[AMT]/ && $2 != "160000" {print $4}' |
  git -C "$1" cat-file --batch
