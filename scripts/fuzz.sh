#!/usr/bin/env bash
# Installs clang and its sanitizer runtimes (libFuzzer among them) if
# missing, builds the libFuzzer targets of tests/fuzz into build/fuzz
# (clang, -DCOROUTER_FUZZ=ON: every library with
# -fsanitize=fuzzer-no-link,address,undefined; -O1 -g, assertions on;
# warnings are errors, as in scripts/test.sh) and
# runs each for SECONDS (default 60) on a fresh copy of its corpus:
#   scripts/fuzz.sh [SECONDS] [NAME...]     e.g. scripts/fuzz.sh 10 json_loads
# FUZZ_BUILD_DIR (default build/fuzz) names the build tree; FUZZ_FLAGS adds
# libFuzzer flags (tests/fuzz/run_fuzzers.sh).
# docs/testing.md ("Fuzzing") and FUZZING.md say more.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
scripts/install-deps.sh clang libclang-rt-14-dev
build_dir=${FUZZ_BUILD_DIR:-build/fuzz}
scripts/build.sh "$build_dir" RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" -DCOROUTER_FUZZ=ON -DCOROUTER_BUILD_TESTS=OFF -DCOROUTER_WERROR=ON \
  -- fuzzers
exec tests/fuzz/run_fuzzers.sh "$seconds" "$build_dir" "$@"
