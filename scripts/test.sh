#!/usr/bin/env bash
# Installs what is missing, builds corouter with its tests (Debug, -O0:
# the coroutine stack-depth test is only meaningful unoptimised; warnings are
# errors) and runs the whole suite under ctest.
#   scripts/test.sh                 the suite
#   COROUTER_SANITIZE=address scripts/test.sh   the same under ASan+UBSan+LSan
#   COROUTER_SANITIZE=thread scripts/test.sh    the ThreadSanitizer suite only:
#     the tests labelled `tsan`, whose synchronisation TSan can see
#     (docs/testing.md); builds only their binaries (target tsan_tests)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
sanitize=${COROUTER_SANITIZE:-}
build_dir=build/test${sanitize:+-$sanitize}
targets=()
ctest_args=()
if [ "$sanitize" = thread ]; then
  targets=(-- tsan_tests)
  ctest_args=(-L tsan --no-tests=error)
  # Debian's gRPC and Abseil are not built with TSan: judge only what our
  # instrumented code does (ignore_noninstrumented_modules: the libc calls
  # those libraries make, memcpy or free, are not checked), and a
  # third-party frame TSan still misjudges (tests/tsan.supp says which).
  export TSAN_OPTIONS="ignore_noninstrumented_modules=1:suppressions=$PWD/tests/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
fi
scripts/build.sh "$build_dir" Debug -DCOROUTER_WERROR=ON -DCOROUTER_BUILD_TESTS=ON \
  -DCOROUTER_SANITIZE="$sanitize" "${targets[@]}"
# Third-party caches freed by nobody, by design (tests/lsan.supp says which).
if [ -n "$sanitize" ]; then
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
cd "$build_dir"
ctest --output-on-failure -j"$(nproc)" --timeout 300 "${ctest_args[@]}"
