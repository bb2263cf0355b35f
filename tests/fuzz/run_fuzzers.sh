#!/usr/bin/env bash
# Runs the libFuzzer targets of a COROUTER_FUZZ build, one at a time, at nice 19:
#   tests/fuzz/run_fuzzers.sh SECONDS [BUILD_DIR] [NAME...]
# (BUILD_DIR defaults to build/fuzz; NAMEs to every tests/fuzz/NAME.cc;
# SECONDS 0: no time limit, so FUZZ_FLAGS should hold -runs=N.) More
# libFuzzer flags come from FUZZ_FLAGS, e.g. FUZZ_FLAGS="-seed=1" (CI: the
# same inputs are tried in the same order every run) or
# FUZZ_FLAGS="-runs=10000000". For each target fuzz_NAME:
#  1. each input of tests/fuzz/regressions/NAME/ is run once (a bug found
#     before must stay fixed; one not fixed yet fails here, and the target
#     is fuzzed all the same);
#  2. libFuzzer runs for SECONDS (-max_total_time) on a fresh temporary copy
#     of tests/fuzz/corpus/NAME/, so the committed corpus never grows, with
#     tests/fuzz/dicts/NAME.dict if there is one; an input running over 10 s
#     is a hang (-timeout=10; FUZZ_TIMEOUT=S changes it, for long runs
#     at nice 19 that builds may starve for seconds at a time);
#     with FUZZ_CORPUS_DIR=DIR the corpus is DIR/NAME instead, seeded from
#     the committed one when empty and kept afterwards, so that a long run
#     can go on in several parts from where the last one stopped;
#  3. one line: runs, runs/s, coverage, and the crash, leak, timeout or
#     out-of-memory found, if any (or the inputs slower than 10 s); its input is kept in
#     BUILD_DIR/fuzz-artifacts/NAME/ and the whole log in
#     BUILD_DIR/fuzz-logs/NAME.log.
# Exits 1 if any target found anything (or did not run).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds=${1:?usage: run_fuzzers.sh SECONDS [BUILD_DIR] [NAME...]}
build_dir=$(cd "${2:-$here/../../build/fuzz}" && pwd) || exit 1
shift $(( $# >= 2 ? 2 : 1 ))
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for cc in "$here"/*.cc; do names+=("$(basename "$cc" .cc)"); done
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$build_dir/fuzz-logs" "$build_dir/fuzz-artifacts"
failed=0
printf '%-16s %10s %8s %8s  %s\n' target runs runs/s cov result
for name in "${names[@]}"; do
  bin="$build_dir/tests/fuzz/fuzz_$name"
  log="$build_dir/fuzz-logs/$name.log"
  artifacts="$build_dir/fuzz-artifacts/$name"
  if [ ! -x "$bin" ]; then
    printf '%-16s %s\n' "$name" "MISSING $bin (ninja -C $build_dir fuzzers)"
    failed=1
    continue
  fi
  rm -rf "$artifacts" && mkdir -p "$artifacts"
  : >"$log"
  regressions="$here/regressions/$name"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    # Each input on its own, so that one failing does not hide the others.
    for input in "$regressions"/*; do
      if ! nice -n 19 "$bin" -timeout=10 "$input" >>"$log" 2>&1; then
        printf '%-16s %s\n' "$name" "REGRESSION fails: $input (see $log)"
        failed=1
      fi
    done
  fi
  if [ -n "${FUZZ_CORPUS_DIR:-}" ]; then
    corpus="$FUZZ_CORPUS_DIR/$name"
    mkdir -p "$corpus"
  else
    corpus=$(mktemp -d "${TMPDIR:-/tmp}/corouter-fuzz-$name.XXXXXX")
  fi
  if [ -z "$(ls -A "$corpus")" ] && [ -d "$here/corpus/$name" ]; then
    cp -r "$here/corpus/$name/." "$corpus/"
  fi
  dict=()
  [ -f "$here/dicts/$name.dict" ] && dict=("-dict=$here/dicts/$name.dict")
  # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
  nice -n 19 "$bin" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" ${FUZZ_FLAGS:-} "$corpus" \
    >>"$log" 2>&1
  status=$?
  [ -z "${FUZZ_CORPUS_DIR:-}" ] && rm -rf "$corpus"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  # A slow-unit-* file is an input that took over 10 s without reaching the
  # timeout (only with FUZZ_TIMEOUT above 10): reported, not a failure.
  found=$(ls "$artifacts" | grep -v '^slow-unit-')
  slow=$(ls "$artifacts" | grep -c '^slow-unit-')
  if [ $status -eq 0 ] && [ -z "$found" ]; then
    result="ok: no crash, leak, timeout or OOM"
    [ "$slow" -gt 0 ] && result="$result; $slow input(s) over 10 s kept in $artifacts"
  else
    result="FOUND (exit $status): $(grep -m1 -E '^==[0-9]+==ERROR|runtime error|property violated|deadly signal|Timeout|out-of-memory' "$log" | cut -c1-140); input: $artifacts/$found"
    failed=1
  fi
  printf '%-16s %10s %8s %8s  %s\n' "$name" "${runs:-?}" "${rate:-?}" "${cov:-?}" "$result"
done
exit $failed
