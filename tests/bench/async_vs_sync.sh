#!/usr/bin/env bash
# tests/bench/async_vs_sync.sh: async versus sync with a CPU-bound body
# (issue 12, part 5, "async can be slower"), one command.
#
# Seed 001 says async "adds overhead and may be slower" for CPU-bound or very
# fast work. This runs the same 2 ms CPU-bound body as an async route (it
# holds the event loop) and as a sync route (it runs on the executor), plus the
# seed's /fast_task/ and an instant sync route, with 32 concurrent callers,
# while one more caller times sequential /fast_task/ calls; on corouter over
# gRPC (h2load + grpcio) and on FastAPI 0.92 + uvicorn over HTTP/1.1 (wrk +
# http.client). Routes: tests/bench/async_vs_sync.yaml and
# tests/bench/async_vs_sync_fastapi.py; the driver and what it measures:
# tests/bench/async_vs_sync.py. Results in BENCHMARKS.md, "Async versus sync,
# measured (issue 12)".
#
#   tests/bench/async_vs_sync.sh [--no-build]
#     --no-build   use build/release/server/corouter-server as it is
#   AVS_ROUNDS=3 AVS_SECONDS=3 AVS_CALLERS=32   (environment)
#
# About 2 min 10 s after the build (3 rounds of 13 measurements of 3 s, after a warm-up).
# Everything listens on 127.0.0.1 with ports from the OS; every wait has a
# deadline and the whole run is under `timeout`. Output: build/release/async_vs_sync/<time>/.
set -euo pipefail
cd "$(dirname "$0")/../.."

do_build=1
for arg in "$@"; do
  case $arg in
    --no-build) do_build=0 ;;
    *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
  esac
done

py=/usr/bin/python3  # Debian's python: python3-grpcio, python3-fastapi, python3-uvicorn
build=build/release
if [ "$do_build" = 1 ]; then
  tests/bench/install-bench-deps.sh  # h2load, wrk, FastAPI + uvicorn, grpcio, protobuf
  scripts/build.sh "$build" Release -- corouter-server
fi
[ -x "$build/server/corouter-server" ] || {
  echo "async_vs_sync: no $build/server/corouter-server (run without --no-build)" >&2
  exit 1
}

out=$build/async_vs_sync/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "tools: $(h2load --version | head -n1), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2), $($py -c 'import fastapi, uvicorn, uvloop, httptools, grpc; print(f"fastapi {fastapi.__version__}, uvicorn {uvicorn.__version__} (uvloop {uvloop.__version__}, httptools {httptools.__version__}), grpcio {grpc.__version__}")')"
} | tee "$out/machine.txt"

exec timeout --kill-after=10 600 $py tests/bench/async_vs_sync.py \
  --server-bin "$build/server/corouter-server" --out "$out" \
  --rounds "${AVS_ROUNDS:-3}" --seconds "${AVS_SECONDS:-3}" --callers "${AVS_CALLERS:-32}"
