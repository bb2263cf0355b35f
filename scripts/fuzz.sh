#!/usr/bin/env bash
# Installs clang and its sanitizer runtimes (libFuzzer among them) if
# missing, builds the libFuzzer targets of tests/fuzz into build/fuzz
# (clang, -DCOROUTER_FUZZ=ON: every library with
# -fsanitize=fuzzer-no-link,address,undefined; -O1 -g, assertions on) and
# runs each for SECONDS (default 60) on a fresh copy of its corpus:
#   scripts/fuzz.sh [SECONDS] [NAME...]     e.g. scripts/fuzz.sh 10 json_loads
# docs/testing.md ("Fuzzing") and FUZZING.md say more.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
scripts/install-deps.sh clang libclang-rt-14-dev
scripts/build.sh build/fuzz RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" -DCOROUTER_FUZZ=ON -DCOROUTER_BUILD_TESTS=OFF \
  -- fuzzers
exec tests/fuzz/run_fuzzers.sh "$seconds" build/fuzz "$@"
