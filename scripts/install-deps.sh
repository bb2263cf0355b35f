#!/usr/bin/env bash
# Installs the Debian bookworm packages corouter needs to build and test,
# only those that are missing. Safe to run again. Needs root or sudo.
#   scripts/install-deps.sh [EXTRA_PACKAGE...]   (tests/bench adds its own)
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev nlohmann-json3-dev libcli11-dev libre2-dev
  libgtest-dev libgmock-dev libyaml-cpp-dev libncurses-dev tmux procps
  # `corouter call --timeline`: cairo draws the picture, in DejaVu Sans.
  libcairo2-dev fonts-dejavu-core
  # tests/conformance: the real FastAPI 0.92 and what drives it, and the
  # OpenAPI 3.0 schema its documents are validated against.
  python3-fastapi python3-httpx python3-yaml python3-grpcio python3-protobuf
  # Form() and File() parameters: Starlette parses forms with python-multipart.
  python3-multipart
  python3-jsonschema openapi-specification
  # GET /metrics (cpp-httplib serves it; the test parses it with the
  # Prometheus client's own parser).
  libcpp-httplib-dev python3-prometheus-client
  # TLS and token auth: OpenSSL parses the PEM files and hashes tokens (the
  # library gRPC links); the tests make their certificates with openssl.
  libssl-dev openssl
  # cpack -G DEB (tests/package/deb_test.sh): dpkg-shlibdeps computes Depends.
  dpkg-dev
)
# tests/dashboard: `corouter dashboard` (cpp-httplib too) in a real browser,
# chromium driven by playwright-core from npm. Debian's npm brings nodejs; a
# node installed otherwise (NodeSource's ships its own npm and conflicts with
# Debian's) is kept.
packages+=(chromium)
command -v npm >/dev/null || packages+=(npm)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
# Another apt may be running (a concurrent install): wait for its lock, bounded.
DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
  --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
