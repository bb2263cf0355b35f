#!/usr/bin/env bash
# Instructions and allocations per call for each request shape of issue 15,
# and for the floor (tests/bench/floor_server.cc), counted rather than timed
# so that the figures repeat on a busy machine:
#   tests/bench/profile_shapes.sh [CALLS] [BUILD_DIR]
# (CALLS: 2000; BUILD_DIR: build/release, a Release build with
# -DCOROUTER_BUILD_BENCHMARKS=ON.) For each shape a fresh server runs under
# valgrind --tool=callgrind with instrumentation off; after a warm-up of CALLS/4
# calls, instrumentation is switched on for exactly CALLS calls (h2load -n CALLS
# -c1 -m1, the calls one after the other), then dumped. Instructions per
# call is the dump's total over CALLS (the whole process: every thread, gRPC
# included). Allocations per call come from a second run under heaptrack:
# (allocation calls after warm-up + CALLS) - (after the warm-up alone), over
# CALLS. Outputs, with the callgrind files for callgrind_annotate, go to
# BUILD_DIR/profile/<time>/; the table is printed and written to table.md.
# PROFILE_PRELOAD=LIB runs every server (the floor too) with LD_PRELOAD=LIB,
# e.g. Debian's libjemalloc.so.2 or libmimalloc.so.2 in place of glibc's
# malloc; PROFILE_ALLOCS=0 skips the heaptrack runs (the number of
# allocations does not depend on the allocator).
set -euo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-2000}
build=${2:-build/release}
py=/usr/bin/python3
server=$build/server/corouter-server
floor=$build/tests/bench/corouter-bench-floor
for bin in "$server" "$floor"; do
  [ -x "$bin" ] || { echo "profile_shapes: $bin missing (build $build with benchmarks)" >&2; exit 1; }
done
for tool in valgrind callgrind_control heaptrack heaptrack_print h2load; do
  command -v "$tool" >/dev/null || { echo "profile_shapes: needs $tool" >&2; exit 1; }
done
out=$build/profile/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
$py tests/bench/grpc_requests.py frames "$out/frames" >/dev/null
$py tests/bench/grpc_requests.py routes-file "$out/routes_1000.yaml" >/dev/null
warm=$((calls / 4))
h2load_grpc=(-H 'content-type: application/grpc' -H 'te: trailers')

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start NAME TOOL... -- SERVER ARGS: sets $pid and $port.
start() {
  local name=$1
  shift
  local port_file=$out/$name.port
  rm -f "$port_file"
  "$@" --listen 127.0.0.1:0 --port-file "$port_file" >"$out/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 600); do  # valgrind starts slowly: up to 60 s
    [ -s "$port_file" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -s "$port_file" ] || { echo "profile_shapes: $name did not start" >&2; cat "$out/$name.log" >&2; exit 1; }
  port=$(cat "$port_file")
}

load() {  # load N FRAME METHOD
  timeout 600 h2load -t1 -c1 -m1 -n "$1" "${h2load_grpc[@]}" --data "$2" \
    "http://127.0.0.1:$port/$3" >"$out/h2load.txt"
  grep -q "$1 succeeded" "$out/h2load.txt" || {
    echo "profile_shapes: not every call succeeded:" >&2
    cat "$out/h2load.txt" >&2
    exit 1
  }
}

# stop SERVER_BINARY: SIGINT to the server itself (under heaptrack, a child
# of its wrapper script), then wait for the tool to write its output.
stop() {
  local target
  target=$(pgrep -P "$pid" -f "$1" || true)
  kill -INT "${target:-$pid}" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# shape NAME FRAME METHOD SERVER ARGS...
printf '| shape | instructions per call | allocations per call |\n|---|---:|---:|\n' >"$out/table.md"
shape() {
  local name=$1 frame=$out/frames/$2.bin method=$3
  shift 3
  start "$name.callgrind" env ${PROFILE_PRELOAD:+LD_PRELOAD=$PROFILE_PRELOAD} \
    valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$out/$name.callgrind.out" "$@"
  load "$warm" "$frame" "$method"
  callgrind_control -i on "$pid" >/dev/null
  load "$calls" "$frame" "$method"
  callgrind_control -i off "$pid" >/dev/null
  stop "$1"
  local ir
  ir=$(sed -n 's/^totals: *//p' "$out/$name.callgrind.out" | head -1 | cut -d' ' -f1)
  local allocs=(0 0)
  [ "${PROFILE_ALLOCS:-1}" = 0 ] || allocs=()
  [ "${PROFILE_ALLOCS:-1}" = 0 ] || for n in "$warm" $((warm + calls)); do
    start "$name.heaptrack" heaptrack -o "$out/$name.$n" "$@"
    load "$n" "$frame" "$method"
    stop "$1"
    allocs+=("$(heaptrack_print "$out/$name.$n".*zst 2>/dev/null |
      sed -n 's/^calls to allocation functions: \([0-9]*\).*/\1/p')")
  done
  local row
  row=$(awk -v ir="$ir" -v a0="${allocs[0]}" -v a1="${allocs[1]}" -v n="$calls" -v name="$name" \
    'BEGIN { printf "| %s | %.0f | %.1f |", name, ir / n, (a1 - a0) / n }')
  echo "$row" | tee -a "$out/table.md"
}

echo "profile_shapes: $calls calls per shape after $warm, into $out${PROFILE_PRELOAD:+, LD_PRELOAD=$PROFILE_PRELOAD}"
cat "$out/table.md"
shape floor fast_task.execute corouter.v1.ExecutionService/Execute "$floor"
shape fast_task fast_task.execute corouter.v1.ExecutionService/Execute "$server" --time-scale 0
shape slow_task slow_task.execute corouter.v1.ExecutionService/Execute "$server" --time-scale 0
shape hello hello.execute corouter.v1.ExecutionService/Execute "$server" --time-scale 0
shape invalid_422 invalid.execute corouter.v1.ExecutionService/Execute "$server" --time-scale 0
shape routes_1000 routes_1000.execute corouter.v1.ExecutionService/Execute "$server" \
  --time-scale 0 --app "$out/routes_1000.yaml"
echo "profile_shapes: table in $out/table.md; callgrind_annotate $out/NAME.callgrind.out"
