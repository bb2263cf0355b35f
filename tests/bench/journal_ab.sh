#!/usr/bin/env bash
# What the request journal costs a request: callgrind's instruction count
# per Execute of GET /fast_task/ with the journal on (10000, not yet full;
# 100, full, so each request also evicts one) and off (0). Instructions, not
# time: repeatable on a noisy machine (BENCHMARKS.md).
#   tests/bench/journal_ab.sh [BUILD_DIR]     (default build/test)
# Needs valgrind and h2load (tests/bench/install-bench-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/test}
server=$build/server/corouter-server
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 tests/bench/grpc_requests.py frames "$work/frames" >/dev/null
h2load_grpc=(-t1 -c1 -m1 -H 'content-type: application/grpc' -H 'te: trailers'
  --data "$work/frames/fast_task.execute.bin")
for journal in 10000 100 0; do
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/$journal.out" \
    "$server" --listen 127.0.0.1:0 --port-file "$work/$journal.port" --journal "$journal" \
    >"$work/$journal.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do [ -s "$work/$journal.port" ] && break; sleep 0.1; done
  url=http://127.0.0.1:$(cat "$work/$journal.port")/corouter.v1.ExecutionService/Execute
  h2load "${h2load_grpc[@]}" -n 500 "$url" >/dev/null
  callgrind_control -i on "$pid" >/dev/null
  h2load "${h2load_grpc[@]}" -n 2000 "$url" | grep -q "2000 succeeded"
  callgrind_control -i off "$pid" >/dev/null
  kill -INT "$pid"
  wait "$pid" || true
  total=$(sed -nE 's/.*Collected : ([0-9]+).*/\1/p' "$work/$journal.log")
  echo "--journal $journal: $((total / 2000)) instructions per call"
done
