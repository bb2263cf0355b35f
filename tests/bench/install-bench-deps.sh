#!/usr/bin/env bash
# Installs, besides what scripts/install-deps.sh always installs, the Debian
# bookworm packages the benchmarks need, only those that are missing: Google
# Benchmark, the load generators (h2load, wrk), the FastAPI peer (FastAPI +
# uvicorn with uvloop and httptools, as `uvicorn[standard]` would run) and the
# Python gRPC client that checks replies. Needs root or sudo.
set -euo pipefail
exec "$(dirname "$0")/../../scripts/install-deps.sh" \
  libbenchmark-dev \
  nghttp2-client wrk \
  python3-fastapi python3-uvicorn python3-uvloop python3-httptools \
  python3-grpcio python3-protobuf \
  curl procps \
  valgrind heaptrack libjemalloc-dev libmimalloc-dev  # profile_shapes.sh, malloc_ab.sh
