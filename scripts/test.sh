#!/usr/bin/env bash
# Installs what is missing, builds corouter with its tests (Debug, -O0:
# the coroutine stack-depth test is only meaningful unoptimised; warnings are
# errors) and runs the whole suite under ctest.
#   scripts/test.sh                 the suite
#   COROUTER_SANITIZE=address scripts/test.sh   the same under ASan+UBSan+LSan
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
sanitize=${COROUTER_SANITIZE:-}
build_dir=build/test${sanitize:+-$sanitize}
scripts/build.sh "$build_dir" Debug -DCOROUTER_WERROR=ON -DCOROUTER_BUILD_TESTS=ON \
  -DCOROUTER_SANITIZE="$sanitize"
# Third-party caches freed by nobody, by design (tests/lsan.supp says which).
if [ -n "$sanitize" ]; then
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
cd "$build_dir"
ctest --output-on-failure -j"$(nproc)" --timeout 300
