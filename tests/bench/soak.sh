#!/usr/bin/env bash
# tests/bench/soak.sh SERVER_BINARY [N]: the soak benchmark (issue 10, part 7).
#
# Starts SERVER_BINARY (corouter-server) on 127.0.0.1 with a port from the OS,
# on the embedded seed app with a small --time-scale (sleeps stay real awaits
# but short), then drives N (default 1,000,000) mixed requests against it with
# tests/bench/soak.py (hits, 404, 405, 422, 307, def path operations and
# offloads, background tasks, ExecuteTraced streams, client cancels and
# deadlines; each reply checked), sampling the server's RSS and CPU. Passes
# with 0 errors, flat RSS (soak.py's criterion), and the server still healthy
# and answering after the soak and shutting down cleanly on SIGTERM. Results:
# BENCHMARKS.md, "Soak". A benchmark: not in ctest or .ci/run.
#
#   tests/bench/soak.sh build/release/server/corouter-server            # 1,000,000
#   tests/bench/soak.sh build/test/server/corouter-server 20000
#   SOAK_TIME_SCALE=0.01 SOAK_CONCURRENCY=64 SOAK_CHANNELS=4 SOAK_SEED=1
#   SOAK_TIMEOUT=3600 (seconds, the whole drive)    (environment)
#
# Needs Debian's python3-grpcio, python3-protobuf and protoc
# (tests/bench/install-bench-deps.sh). The server's log: a temporary
# directory, printed (its tail) when the soak fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

server=${1:?usage: $0 SERVER_BINARY [N]}
n=${2:-1000000}
scale=${SOAK_TIME_SCALE:-0.01}
limit=${SOAK_TIMEOUT:-3600}
[ -x "$server" ] || { echo "soak: $server is not an executable" >&2; exit 2; }

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$server" --listen 127.0.0.1:0 --port-file "$work/port" --time-scale "$scale" \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 200); do
  [ -s "$work/port" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "soak: the server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.05
done
[ -s "$work/port" ] || { echo "soak: no port file after 10 s" >&2; exit 1; }
port=$(cat "$work/port")

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "server: $server ($(sed -n 1p "$work/server.log"))"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r), $(/usr/bin/python3 -c 'import grpc; print("grpcio", grpc.__version__)')"
echo "load before: $(uptime | sed 's/.*load average/load average/')"
rc=0
timeout --kill-after=10 "$((limit + 120))" /usr/bin/python3 tests/bench/soak.py \
  --server "127.0.0.1:$port" --pid "$pid" -n "$n" --time-scale "$scale" --timeout "$limit" \
  --concurrency "${SOAK_CONCURRENCY:-64}" --channels "${SOAK_CHANNELS:-4}" \
  --seed "${SOAK_SEED:-1}" || rc=$?
echo "load after: $(uptime | sed 's/.*load average/load average/')"

# The server must still shut down cleanly: SIGTERM, exit 0 within its grace (10 s) + 5 s.
kill -TERM "$pid"
for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  echo "soak: FAILED: the server did not exit 15 s after SIGTERM" >&2
  rc=1
else
  src=0; wait "$pid" || src=$?
  pid=
  echo "server: exited with status $src after SIGTERM"
  [ "$src" = 0 ] || rc=1
fi
if [ "$rc" != 0 ]; then
  echo "soak: FAILED (status $rc); the server's log, its last lines:" >&2
  tail -n 40 "$work/server.log" >&2
fi
exit "$rc"
