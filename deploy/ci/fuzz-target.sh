#!/usr/bin/env bash
# Runs one fuzz target: fuzz-target.sh PKG TARGET FUZZTIME MINIMIZETIME.
# Go's fuzzing engine sometimes ends a clean run with "context deadline exceeded" when a worker
# is busy with an input as the time runs out (no failing input is written then): such a run is
# tried once more. A real failure writes its input under testdata/fuzz and fails at once.
set -uo pipefail
pkg=$1 target=$2 fuzztime=$3 minimize=$4
for try in 1 2; do
  out=$(go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -fuzzminimizetime="$minimize" "$pkg" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  if [ $rc -eq 0 ]; then exit 0; fi
  if grep -q 'Failing input written' <<<"$out" || ! grep -q 'context deadline exceeded' <<<"$out"; then exit $rc; fi
  echo "fuzz $pkg $target: ended on the engine's deadline without a failing input; trying once more ($try)"
done
exit 1
