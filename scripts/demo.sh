#!/usr/bin/env bash
# Installs what is missing, builds corouter (Release), starts corouter-server
# on the embedded seed app on a free loopback port, and runs seed 004's
# scenario with the client: GET /slow_task/1?q=test, then GET /fast_task/
# 10 ms later (so that the server receives A first, as in the seed), their
# execution tables printed interleaved as the steps happen.
# Extra arguments go to the server (e.g. --time-scale 0.2).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build/release Release -DCOROUTER_BUILD_TESTS=OFF -- corouter-server corouter-cli

port_file=$(mktemp)
log=$(mktemp)
build/release/server/corouter-server --listen 127.0.0.1:0 --port-file "$port_file" "$@" >"$log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null; rm -f "$port_file" "$log"' EXIT
for _ in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.1; done
if [ ! -s "$port_file" ]; then
  echo "demo: the server did not start:" >&2; cat "$log" >&2; exit 1
fi
cat "$log"
server=127.0.0.1:$(cat "$port_file")
echo
echo "\$ corouter call --server $server --trace --stagger 10ms GET '/slow_task/1?q=test' GET /fast_task/"
build/release/client/corouter call --server "$server" --trace --stagger 10ms GET '/slow_task/1?q=test' \
  GET /fast_task/
