#!/usr/bin/env bash
# The client examples in Python and Node against a real server
# (docs/clients.md):
#   tests/clients/clients_test.sh SERVER_BIN BUILD_DIR
# Starts SERVER_BIN (the seed app, --time-scale 0.1, 127.0.0.1, port chosen
# by the OS), then runs examples/clients/python/seed004_client.py (Debian's
# grpcio, stubs generated from proto/ at start) and
# examples/clients/node/seed004_client.js (@grpc/grpc-js and
# @grpc/proto-loader installed with `npm ci` from the committed
# package-lock.json into BUILD_DIR/clients-node, once). Each must exit 0:
# the fast request answered before the slow one, both traces whole, the
# routes listed, a WatchTraces subscriber seeing a request whole. Every
# wait is bounded; the server is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
server_bin=${1:?usage: clients_test.sh SERVER_BIN BUILD_DIR}
build_dir=$(cd "${2:?usage: clients_test.sh SERVER_BIN BUILD_DIR}" && pwd)
# shellcheck source=../lib/checks.sh
source "$here/../lib/checks.sh"
start_scratch corouter-clients
fail() { echo "clients_test: FAIL: $*" >&2; exit 1; }

start_server "$work/server.log" "$work/port" \
  "$server_bin" --listen 127.0.0.1:0 --port-file "$work/port" --time-scale 0.1 ||
  fail "the server did not start and write its port within 10 s"
server=127.0.0.1:$(cat "$work/port")

echo "--- Python (grpcio $(/usr/bin/python3 -c 'import grpc; print(grpc.__version__)'))"
timeout 120 /usr/bin/python3 "$root/examples/clients/python/seed004_client.py" --server "$server" \
  --stubs "$work/python-stubs" || fail "the Python client"

node_dir=$build_dir/clients-node
if ! cmp -s "$root/examples/clients/node/package-lock.json" "$node_dir/package-lock.json" ||
  [ ! -d "$node_dir/node_modules/@grpc/grpc-js" ]; then
  rm -rf "$node_dir"
  mkdir -p "$node_dir"
  cp "$root/examples/clients/node/package.json" "$root/examples/clients/node/package-lock.json" "$node_dir/"
  (cd "$node_dir" && timeout 180 npm ci --cache "$node_dir/npm-cache" --no-audit --no-fund \
    --loglevel=error >"$work/npm.log" 2>&1) || { cat "$work/npm.log" >&2; fail "npm ci"; }
fi
echo "--- Node $(node --version) (@grpc/grpc-js $(node -p "require('$node_dir/node_modules/@grpc/grpc-js/package.json').version"))"
NODE_PATH=$node_dir/node_modules timeout 120 node "$root/examples/clients/node/seed004_client.js" \
  --server "$server" || fail "the Node client"
echo "--- Python, the route-file faults (tests/clients/faults.yaml)"
kill "$server_pid"
wait "$server_pid" 2>/dev/null
rm -f "$work/port"
start_server "$work/faults.log" "$work/port" \
  "$server_bin" --listen 127.0.0.1:0 --port-file "$work/port" --app "$here/faults.yaml" ||
  fail "the faults server did not start and write its port within 10 s"
timeout 60 /usr/bin/python3 "$here/faults_client.py" --server "127.0.0.1:$(cat "$work/port")" \
  --stubs "$work/python-stubs" || fail "the Python faults client"
echo "clients_test: the Python and the Node client both ran seed 004's scenario; Python saw each fault's status"
