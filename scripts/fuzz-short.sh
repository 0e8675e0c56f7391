#!/usr/bin/env bash
# Runs every fuzz target in the module for a short time each, stopping at
# the first failure: a smoke test for the parsers, not a fuzzing campaign.
#
#   scripts/fuzz-short.sh              # 3,000 executions per target
#   FUZZTIME=1m scripts/fuzz-short.sh  # longer (a duration or a count like 100000x)
#
# Targets are found with `go test -list '^Fuzz' ./...`. A failing input the
# fuzzer finds is written to the package's testdata/fuzz/<Target>/; commit
# it with the fix, and plain `go test ./...` replays it from then on (it
# already replays every committed seed corpus).
#
# FUZZMINIMIZETIME (default 1s) bounds how long the fuzzer spends shrinking
# an input; the default 60s would eat a short run whole.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
# An execution count, not a duration: with a duration of a few seconds the
# fuzzer itself can fail with "context deadline exceeded" when time runs out
# while a worker is busy, which would make CI fail at random.
fuzztime=${FUZZTIME:-3000x}
minimize=${FUZZMINIMIZETIME:-1s}

# "package target" pairs: -list prints a package's matching names, then
# its "ok <package>" line.
if ! listing=$($GO test -list '^Fuzz' ./... 2>&1); then
  echo "fuzz-short: listing the fuzz targets failed:" >&2
  echo "$listing" >&2
  exit 1
fi
targets=$(awk '/^Fuzz/ { names[n++] = $1; next }
  /^ok[ \t]/ { for (i = 0; i < n; i++) print $2, names[i]; n = 0 }' <<<"$listing")
if [ -z "$targets" ]; then
  echo "fuzz-short: no fuzz targets found" >&2
  exit 1
fi

count=$(wc -l <<<"$targets")
echo "fuzz-short: $count targets, $fuzztime each"
while read -r pkg target; do
  echo "--- $target ($pkg)"
  if ! $GO test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "$pkg" </dev/null; then
    echo "fuzz-short: $target in $pkg failed; a new failing input is under its testdata/fuzz/$target/" >&2
    exit 1
  fi
done <<<"$targets"
echo "fuzz-short: all $count targets passed"
