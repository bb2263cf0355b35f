#!/usr/bin/env bash
# Runs libFuzzer targets toward a total number of runs each, in parts, and
# keeps the account in a ledger (FUZZING.md's "10 million runs" tables):
#   tests/fuzz/run_long.sh LEDGER BUILD_DIR NAME...
# For each NAME in turn, the runs the ledger already holds for it are summed;
# while fewer than FUZZ_TOTAL (default 10,000,000), one part of at most
# FUZZ_PART seconds (default 1800) runs through run_fuzzers.sh with
# -runs=<what is left>, resuming from the corpus the last part left
# (FUZZ_CORPUS_DIR, default BUILD_DIR/../fuzz-long/corpus: never the
# committed tests/fuzz/corpus/, which must not grow) and FUZZ_TIMEOUT
# (default 60: builds at normal priority starve nice-19 runs for seconds).
# Each part appends one tab-separated line to LEDGER:
#   date  commit  target  runs  runs/s  cov  result
# where result is "ok" (no crash, leak, UB report, timeout or OOM),
# "interrupted" (stopped by SIGINT, libFuzzer's exit 72: its runs up to
# then count) or "FOUND ..." (the chain stops: fix it first).
# To stop a chain and keep the runs so far, send SIGINT to the fuzzer
# (pkill -INT -f 'tests/fuzz/fuzz_'): the part is recorded and the chain ends.
# Started in a session of its own (setsid), the chain gets its own scheduler
# autogroup, in which nice 19 says nothing about other sessions' builds: it
# sets that autogroup's nice to 19 too, so that builds and tests come first.
set -uo pipefail
echo 19 >/proc/self/autogroup 2>/dev/null || true
here="$(cd "$(dirname "$0")" && pwd)"
ledger=${1:?usage: run_long.sh LEDGER BUILD_DIR NAME...}
build_dir=$(cd "${2:?usage: run_long.sh LEDGER BUILD_DIR NAME...}" && pwd) || exit 1
shift 2
total=${FUZZ_TOTAL:-10000000}
part=${FUZZ_PART:-1800}
mkdir -p "$(dirname "$ledger")"
touch "$ledger"
export FUZZ_CORPUS_DIR=${FUZZ_CORPUS_DIR:-$(dirname "$build_dir")/fuzz-long/corpus}
mkdir -p "$FUZZ_CORPUS_DIR"
FUZZ_CORPUS_DIR=$(cd "$FUZZ_CORPUS_DIR" && pwd)
if [ "$FUZZ_CORPUS_DIR" = "$here/corpus" ]; then
  echo "run_long: FUZZ_CORPUS_DIR is the committed corpus $here/corpus; give another" >&2
  exit 2
fi
export FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-60}
# The commit the binaries were built from (FUZZ_COMMIT), else the tree's.
commit=${FUZZ_COMMIT:-$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)}

done_runs() { awk -F'\t' -v t="$1" '$3 == t { s += $4 } END { print s + 0 }' "$ledger"; }

for name in "$@"; do
  while :; do
    have=$(done_runs "$name")
    left=$((total - have))
    if [ "$left" -le 0 ]; then
      echo "run_long: $name has $have runs"
      break
    fi
    FUZZ_FLAGS="-runs=$left ${FUZZ_FLAGS:-}" "$here/run_fuzzers.sh" "$part" "$build_dir" "$name"
    log="$build_dir/fuzz-logs/$name.log"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    found=$(ls "$build_dir/fuzz-artifacts/$name" | grep -v '^slow-unit-')
    if grep -q 'libFuzzer: run interrupted' "$log"; then
      result=interrupted
    elif [ -n "$found" ] || [ -z "$runs" ]; then
      result="FOUND: $(grep -m1 -E '^==[0-9]+==ERROR|runtime error|property violated|deadly signal|Timeout|out-of-memory' "$log" | cut -c1-120) $found"
    else
      result=ok
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$commit" "$name" "${runs:-0}" \
      "${rate:-0}" "${cov:-0}" "$result" >>"$ledger"
    case "$result" in
      ok) ;;
      interrupted) echo "run_long: interrupted; $name has $(done_runs "$name") runs"; exit 72 ;;
      *) echo "run_long: $name $result"; exit 1 ;;
    esac
  done
done
