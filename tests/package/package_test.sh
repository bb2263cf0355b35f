#!/usr/bin/env bash
# The installable CMake package, end to end (docs/deployment.md, "Embedding"):
#   tests/package/package_test.sh BUILD_DIR
# 1. `cmake --install BUILD_DIR --prefix P` into a fresh directory;
# 2. P holds the binaries, the archives, the .proto files, the package config
#    with its version file, and exactly the public headers (no header of a
#    room that is not public, such as server/grpc/);
# 3. examples/embed/ is configured against P alone (find_package(corouter 0.2)),
#    built, and started on 127.0.0.1, port chosen by the OS;
# 4. its own path operations answer through the installed `corouter` CLI:
#    a 200 after an await, a 422 from a typed path parameter, its
#    HttpException's 404, a sync path operation; and a find_package of a
#    version the package does not promise (0.1) fails;
# 5. SIGTERM stops it cleanly (exit 0, "inventory-server: stopped").
# Every wait is bounded; the temporary directory is removed on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../.." && pwd)"
build_dir=$(cd "${1:?usage: package_test.sh BUILD_DIR}" && pwd)
# shellcheck source=../lib/checks.sh
source "$here/../lib/checks.sh"
start_scratch corouter-package
fail() { echo "package_test: FAIL: $*" >&2; exit 1; }

prefix=$work/prefix
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; fail "cmake --install"; }

for f in bin/corouter-server bin/corouter lib/cmake/corouter/corouterConfig.cmake \
  lib/cmake/corouter/corouterConfigVersion.cmake lib/cmake/corouter/corouterTargets.cmake \
  lib/libcorouter_serve.a share/corouter/proto/corouter/v1/execution.proto \
  include/corouter/server/serve.h include/corouter/server/app/app.h \
  include/corouter/server/loop/task.h include/corouter/server/http/response.h; do
  [ -e "$prefix/$f" ] || fail "the install has no $f"
done
[ ! -e "$prefix/include/corouter/server/grpc" ] || fail "server/grpc/ headers are not public, yet installed"
headers=$(cd "$prefix/include/corouter" && find . -name '*.h' | wc -l)
echo "package_test: installed $headers public headers under include/corouter/"
"$prefix/bin/corouter-server" --help >/dev/null || fail "the installed corouter-server --help"

# The example, against the install tree only (no path into BUILD_DIR).
cmake -S "$source_dir/examples/embed" -B "$work/embed" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log" >&2; fail "configuring examples/embed against the package"; }
timeout 600 cmake --build "$work/embed" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; fail "building examples/embed against the package"; }
if grep -rq "$build_dir" "$work/embed/build.ninja"; then
  fail "examples/embed's build refers to the build tree, not only to the install"
fi

# A version the package does not promise is refused (SameMinorVersion).
mkdir -p "$work/old"
cat >"$work/old/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.22)
project(old LANGUAGES CXX)
find_package(corouter 0.1 REQUIRED)
EOF
if cmake -S "$work/old" -B "$work/old/build" -DCMAKE_PREFIX_PATH="$prefix" >"$work/old.log" 2>&1; then
  fail "find_package(corouter 0.1) succeeded against $(grep -o 'VERSION [0-9.]*' "$prefix/lib/cmake/corouter/corouterConfigVersion.cmake" | head -1)"
fi
grep -q "not compatible\|version" "$work/old.log" || { cat "$work/old.log" >&2; fail "no version message"; }

start_server "$work/server.log" "$work/port" \
  "$work/embed/inventory-server" --listen 127.0.0.1:0 --port-file "$work/port" --time-scale 0.1 ||
  fail "inventory-server did not start and write its port within 10 s"
port=$(cat "$work/port")
grep -q "inventory-server listening on 127.0.0.1:$port (.*inventory app" "$work/server.log" ||
  { cat "$work/server.log" >&2; fail "no startup line"; }

out=$(timeout 30 "$prefix/bin/corouter" call --server "127.0.0.1:$port" --timeout 10s \
  GET '/items/7?q=red' GET /items/seven GET /items/2000 GET /count)
echo "$out"
expect() { grep -qF -- "$1" <<<"$out" || fail "expected '$1' in the responses"; }
expect '{"item_id":7,"q":"red","in_stock":true}'
expect 'HTTP 422'
expect '{"detail":[{"loc":["path","item_id"],"msg":"value is not a valid integer","type":"type_error.integer"}]}'
expect 'HTTP 404'
expect '{"detail":"Item not found"}'
expect '{"count":1000}'

kill -TERM "$server_pid"
status=0
timeout 30 tail --pid="$server_pid" -f /dev/null || fail "inventory-server did not stop within 30 s of SIGTERM"
wait "$server_pid" || status=$?
server_pid=
[ "$status" -eq 0 ] || { cat "$work/server.log" >&2; fail "inventory-server exited $status after SIGTERM"; }
grep -q "inventory-server: stopped" "$work/server.log" || fail "no 'stopped' line"
echo "package_test: 4 responses as expected; find_package(corouter 0.1) refused; clean stop"
