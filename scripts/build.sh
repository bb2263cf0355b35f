#!/usr/bin/env bash
# Configures and builds corouter.
#   scripts/build.sh BUILD_DIR BUILD_TYPE [extra cmake args...] [-- ninja targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:?build dir}
build_type=${2:?build type}
shift 2
cmake_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmake_args+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "${cmake_args[@]}" >/dev/null
# 2 cores; gRPC headers are heavy, so keep parallelism at the core count.
ninja -C "$build_dir" -j"$(nproc)" "$@"
