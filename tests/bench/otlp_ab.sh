#!/usr/bin/env bash
# tests/bench/otlp_ab.sh [ROUNDS]: what OTLP export costs Execute (issue 8).
#
# Two corouter-servers run side by side for the whole measurement, one
# without and one with --otlp-endpoint (the bench floor with --empty-reply
# as the receiver: it answers at once and never parses, so it costs the
# machine as little as a receiver can). Rounds alternate between them, 5 s
# of h2load -c4 -m16 on Execute /fast_task/ each, so the machine's drift hits
# both alike; the report sums the rounds: req/s with export on over off, and
# server CPU per request (utime+stime from /proc). Every span must arrive:
# the exporter's drop count is printed and must be 0.
#
# Needs the Release binaries of tests/bench/run_e2e.sh (build/bench) and its
# request frames (run it once first).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-6}
build=build/bench
frames=$(ls -d "$build"/e2e/*/frames 2>/dev/null | tail -n1)
[ -n "$frames" ] || { echo "otlp_ab: run tests/bench/run_e2e.sh first (frames)" >&2; exit 2; }
frame=$frames/fast_task.execute.bin
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
await() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "otlp_ab: no $1" >&2; exit 1; }

"$build/tests/bench/corouter-bench-floor" --empty-reply --listen 127.0.0.1:0 --port-file "$work/sink" >/dev/null 2>&1 &
pids+=($!); await "$work/sink"
"$build/server/corouter-server" --listen 127.0.0.1:0 --port-file "$work/off" --time-scale 0 >/dev/null 2>&1 &
off_pid=$!; pids+=($off_pid)
"$build/server/corouter-server" --listen 127.0.0.1:0 --port-file "$work/on" --time-scale 0 \
  --otlp-endpoint "127.0.0.1:$(cat "$work/sink")" >/dev/null 2>&1 &
on_pid=$!; pids+=($on_pid)
await "$work/off"; await "$work/on"

load() {  # load PORT: req/s of 5 s of load
  timeout 30 h2load -t1 -c4 -m16 -D 5 -H 'content-type: application/grpc' -H 'te: trailers' \
    --data "$frame" "http://127.0.0.1:$1/corouter.v1.ExecutionService/Execute" 2>/dev/null |
    grep -oE '[0-9.]+ req/s' | cut -d' ' -f1
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load "$(cat "$work/off")" >/dev/null; load "$(cat "$work/on")" >/dev/null  # warm-up
echo "rounds: $rounds x 5 s each, alternating; load average $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/rounds"
for i in $(seq "$rounds"); do
  for side in off on; do
    pid=$off_pid; [ "$side" = on ] && pid=$on_pid
    t0=$(ticks "$pid"); rps=$(load "$(cat "$work/$side")"); t1=$(ticks "$pid")
    echo "$side $rps $((t1 - t0))" >>"$work/rounds"
  done
  tail -n2 "$work/rounds" | tr '\n' ' ' | sed "s/^/round $i: /"; echo
done
clk=$(getconf CLK_TCK)
awk -v clk="$clk" '
  { rps[$1] += $2; cpu[$1] += $3 / clk; n[$1]++ }
  END {
    printf "Execute with OTLP export on / off: %.3f x the req/s\n", rps["on"] / rps["off"]
    printf "server CPU per request: off %.1f us, on %.1f us (%.2f x)\n",
      1e6 * cpu["off"] / (rps["off"] * 5), 1e6 * cpu["on"] / (rps["on"] * 5),
      (cpu["on"] / rps["on"]) / (cpu["off"] / rps["off"])
  }' "$work/rounds"
/usr/bin/python3 tests/bench/grpc_requests.py watch-stats --server "127.0.0.1:$(cat "$work/on")" |
  grep -oE 'otlp.*'
