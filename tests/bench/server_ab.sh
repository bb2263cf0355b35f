#!/usr/bin/env bash
# tests/bench/server_ab.sh OLD_SERVER NEW_SERVER FRAME [ROUNDS]: two builds of
# corouter-server side by side on the seed app (--time-scale 0), 5 s rounds
# of h2load -t1 -c4 -m16 on rpc Execute with FRAME (a gRPC-framed
# ExecuteRequest, e.g. the fast_task.execute.bin that run_e2e.sh or
# async_vs_sync.sh write), alternating OLD, NEW, so the machine's drift hits
# both. Prints each round's req/s and the server's CPU ticks (utime+stime),
# then NEW/OLD over all rounds.
set -euo pipefail
old=$1 new=$2 frame=$3 rounds=${4:-6}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
"$old" --listen 127.0.0.1:0 --port-file "$work/old" --time-scale 0 >/dev/null 2>&1 & pids+=($!); old_pid=$!
"$new" --listen 127.0.0.1:0 --port-file "$work/new" --time-scale 0 >/dev/null 2>&1 & pids+=($!); new_pid=$!
for _ in $(seq 200); do [ -s "$work/old" ] && [ -s "$work/new" ] && break; sleep 0.05; done
load() {
  timeout 30 h2load -t1 -c4 -m16 -D 5 -H 'content-type: application/grpc' -H 'te: trailers' \
    --data "$frame" "http://127.0.0.1:$1/corouter.v1.ExecutionService/Execute" 2>/dev/null |
    grep -oE '[0-9.]+ req/s' | cut -d' ' -f1
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for r in $(seq "$rounds"); do
  for side in old new; do
    pid=$([ $side = old ] && echo $old_pid || echo $new_pid)
    t0=$(ticks "$pid"); rate=$(load "$(cat "$work/$side")"); t1=$(ticks "$pid")
    echo "round $r $side ${rate} req/s, $((t1 - t0)) CPU ticks" | tee -a "$work/rounds"
  done
done
awk -v n="$rounds" '{s[$3] += $4} END {printf "new/old req/s over %d rounds: %.3f\n", n, s["new"] / s["old"]}' \
  "$work/rounds"
