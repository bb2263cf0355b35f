#!/usr/bin/env bash
# Installs what is missing, builds corouter with its tests (warnings are
# errors) and runs the whole suite under ctest.
#   scripts/test.sh                 the suite, Release (-O3, as a packager
#     builds it: the optimiser's warnings, -Wrestrict among them, are errors)
#   COROUTER_SANITIZE=address scripts/test.sh   the same under ASan+UBSan+LSan,
#     Debug (-O0, assertions on: the coroutine stack-depth test is only
#     meaningful unoptimised)
#   COROUTER_SANITIZE=thread scripts/test.sh    the ThreadSanitizer suite only,
#     RelWithDebInfo (-O2 -g, as TSan is meant to run): the tests labelled
#     `tsan`, whose synchronisation TSan can see (docs/testing.md); builds
#     only their binaries (target tsan_tests)
# COROUTER_BUILD_TYPE overrides the build type (Debug, Release,
# RelWithDebInfo, MinSizeRel); the build tree is build/test[-SANITIZER],
# with -TYPE added when the type is not that mode's default.
# .ci/run runs all three, so each build type is built and tested in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
sanitize=${COROUTER_SANITIZE:-}
case "$sanitize" in
  "") default_type=Release ;;
  address) default_type=Debug ;;
  thread) default_type=RelWithDebInfo ;;
  *) echo "test.sh: COROUTER_SANITIZE is address, thread or empty, not '$sanitize'" >&2; exit 2 ;;
esac
build_type=${COROUTER_BUILD_TYPE:-$default_type}
case "$build_type" in
  Debug | Release | RelWithDebInfo | MinSizeRel) ;;
  *) echo "test.sh: COROUTER_BUILD_TYPE is Debug, Release, RelWithDebInfo or MinSizeRel, not '$build_type'" >&2; exit 2 ;;
esac
build_dir=build/test${sanitize:+-$sanitize}
if [ "$build_type" != "$default_type" ]; then build_dir+="-${build_type,,}"; fi
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
scripts/build.sh "$build_dir" "$build_type" -DCOROUTER_WERROR=ON -DCOROUTER_BUILD_TESTS=ON \
  -DCOROUTER_SANITIZE="$sanitize" "${targets[@]}"
# Third-party caches freed by nobody, by design (tests/lsan.supp says which).
if [ -n "$sanitize" ]; then
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
cd "$build_dir"
ctest --output-on-failure -j"$(nproc)" --timeout 300 "${ctest_args[@]}"
