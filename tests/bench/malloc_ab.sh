#!/usr/bin/env bash
# req/s against the floor with glibc's malloc, jemalloc and mimalloc, for the
# request shapes of issue 15, every server (the floor too) given the same
# malloc with LD_PRELOAD, which is what linking it (-DCOROUTER_MALLOC=...)
# does:
#   tests/bench/malloc_ab.sh [ROUNDS] [SECONDS] [BUILD_DIR]
# (3 rounds of 3 s, build/release.) Load: h2load -t1 -c16 -m16, issue 15's
# setting. In each round every (malloc, server) pair runs once, in the same
# order, so that a change in the machine's load hits all alike; the table
# gives each pair's total req/s over the rounds and the ratio to the floor
# run with the same malloc. Needs Debian's libjemalloc2 and libmimalloc2.0.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
seconds=${2:-3}
build=${3:-build/release}
py=/usr/bin/python3
server=$build/server/corouter-server
floor=$build/tests/bench/corouter-bench-floor
lib=/usr/lib/x86_64-linux-gnu
declare -A preload=([glibc]="" [jemalloc]=$lib/libjemalloc.so.2 [mimalloc]=$lib/libmimalloc.so.2)
for f in "$server" "$floor" "${preload[jemalloc]}" "${preload[mimalloc]}"; do
  [ -e "$f" ] || { echo "malloc_ab: $f missing" >&2; exit 1; }
done
out=$build/malloc_ab/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
$py tests/bench/grpc_requests.py frames "$out/frames" >/dev/null
$py tests/bench/grpc_requests.py routes-file "$out/routes_1000.yaml" >/dev/null
method=corouter.v1.ExecutionService/Execute
# name frame server-args...
shapes=(
  "floor|fast_task.execute|$floor"
  "fast_task|fast_task.execute|$server --time-scale 0"
  "slow_task|slow_task.execute|$server --time-scale 0"
  "hello|hello.execute|$server --time-scale 0"
  "invalid_422|invalid.execute|$server --time-scale 0"
  "routes_1000|routes_1000.execute|$server --time-scale 0 --app $out/routes_1000.yaml"
)
declare -A total
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT
for round in $(seq "$rounds"); do
  for malloc in glibc jemalloc mimalloc; do
    for entry in "${shapes[@]}"; do
      IFS='|' read -r name frame cmd <<<"$entry"
      port_file=$out/port
      rm -f "$port_file"
      # shellcheck disable=SC2086 # cmd is a command line
      env ${preload[$malloc]:+LD_PRELOAD=${preload[$malloc]}} $cmd --listen 127.0.0.1:0 \
        --port-file "$port_file" >"$out/server.log" 2>&1 &
      pid=$!
      for _ in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.1; done
      port=$(cat "$port_file")
      h2=(-H 'content-type: application/grpc' -H 'te: trailers' --data "$out/frames/$frame.bin"
          "http://127.0.0.1:$port/$method")
      timeout 60 h2load -t1 -c16 -m16 -n 2000 "${h2[@]}" >/dev/null  # warm-up
      timeout $((seconds + 60)) h2load -t1 -c16 -m16 -D "$seconds" "${h2[@]}" >"$out/h2load.txt"
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      pid=
      ok=$(sed -n 's/.* \([0-9]*\) succeeded.*/\1/p' "$out/h2load.txt")
      [ -n "$ok" ] || { echo "malloc_ab: $name/$malloc: no result" >&2; cat "$out/h2load.txt" >&2; exit 1; }
      total[$malloc.$name]=$(( ${total[$malloc.$name]:-0} + ok ))
      echo "round $round $malloc $name: $((ok / seconds)) req/s" >>"$out/rounds.txt"
    done
  done
done
{
  echo "| shape | glibc req/s | x floor | jemalloc req/s | x floor | mimalloc req/s | x floor |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for entry in "${shapes[@]}"; do
    name=${entry%%|*}
    row="| $name"
    for malloc in glibc jemalloc mimalloc; do
      row+=$(awk -v n="${total[$malloc.$name]}" -v f="${total[$malloc.floor]}" -v t=$((rounds * seconds)) \
        'BEGIN { printf " | %.0f | %.2f", n / t, n / f }')
    done
    echo "$row |"
  done
} | tee "$out/table.md"
echo "malloc_ab: $rounds rounds of ${seconds}s; rounds in $out/rounds.txt"
