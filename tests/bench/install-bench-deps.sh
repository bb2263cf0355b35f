#!/usr/bin/env bash
# Installs the Debian bookworm packages the benchmarks need on top of
# scripts/install-deps.sh, only those that are missing: Google Benchmark, the
# load generators (h2load, wrk), the FastAPI peer (FastAPI + uvicorn with
# uvloop and httptools, as `uvicorn[standard]` would run) and the Python gRPC
# client that checks replies. Needs root or sudo.
set -euo pipefail

packages=(
  libbenchmark-dev
  nghttp2-client wrk
  python3-fastapi python3-uvicorn python3-uvloop python3-httptools
  python3-grpcio python3-protobuf protobuf-compiler
  curl procps
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-bench-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "install-bench-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-bench-deps: installing ${missing[*]}"
$sudo apt-get update -qq
# Another apt may be running (a concurrent install): wait for its lock, bounded.
DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
  --no-install-recommends "${missing[@]}" >/dev/null
echo "install-bench-deps: done"
