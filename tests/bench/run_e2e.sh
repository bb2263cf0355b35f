#!/usr/bin/env bash
# tests/bench/run_e2e.sh: the end-to-end benchmark of issue 5, one command.
#
# Installs what is missing, builds Release with the benchmarks (build/bench),
# then, scenario by scenario, starts a fresh corouter-server, a fresh floor
# server (tests/bench/floor_server.cc: a generic async gRPC echo server, one
# completion-queue thread) and, where the seed app has the route, FastAPI +
# uvicorn on the same seed routes (tests/bench/fastapi_seed_app.py), and
# drives them in turn, round after round, with the same load: h2load doing
# unary gRPC (same connections, streams and request bytes for corouter and the
# floor), wrk over HTTP/1.1 at the same number of requests in flight for
# FastAPI.
# Before each gRPC load a real gRPC client (grpc_requests.py check) sends the
# same bytes and asserts gRPC status OK (h2load only counts HTTP 200).
#
# Reports req/s, p50/p99 latency, server CPU (utime+stime from /proc/PID/stat)
# and peak RSS (VmHWM), the ratios corouter/floor and corouter/FastAPI, the
# 10,000-sleeping-calls scenario and the issue's targets; the raw outputs and
# report.md go to build/bench/e2e/<time>/.
#
#   tests/bench/run_e2e.sh [--perf] [--no-build]
#     --perf       afterwards, profile corouter and the floor under the
#                  /fast_task/ load with perf (top symbols in perf-*.txt)
#     --no-build   use the binaries already in build/bench
#   BENCH_ROUNDS=5 BENCH_ROUND_SECONDS=2 BENCH_CLIENTS=4 BENCH_STREAMS=16
#   BENCH_LOADS="4 16" (the throughput scenarios once per client count)
#                (environment: each server gets ROUNDS x ROUND_SECONDS of load)
#
# Every load targets 127.0.0.1 only and is bounded in time (h2load -D, wrk -d)
# or in count (-n), each under `timeout`. Servers are stopped on exit.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/../.."

rounds=${BENCH_ROUNDS:-5}
round_s=${BENCH_ROUND_SECONDS:-2}
clients=${BENCH_CLIENTS:-4}
streams=${BENCH_STREAMS:-16}
in_flight=$((clients * streams))
do_perf=0
do_build=1
for arg in "$@"; do
  case $arg in
    --perf) do_perf=1 ;;
    --no-build) do_build=0 ;;
    *) echo "usage: $0 [--perf] [--no-build]" >&2; exit 2 ;;
  esac
done

py=/usr/bin/python3  # Debian's python: python3-grpcio, python3-fastapi
build=build/bench
server_bin=$build/server/corouter-server
floor_bin=$build/tests/bench/corouter-bench-floor
client_bin=$build/client/corouter

if [ "$do_build" = 1 ]; then
  tests/bench/install-bench-deps.sh  # scripts/install-deps.sh plus the bench's packages
  scripts/build.sh "$build" Release -DCOROUTER_BUILD_TESTS=OFF -DCOROUTER_BUILD_BENCHMARKS=ON \
    -- corouter-server corouter-cli corouter-bench-floor corouter_micro_bench
fi

out=$build/e2e/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
results=$out/results.jsonl
clk_tck=$(getconf CLK_TCK)

# Processes this script started and has not reaped yet (only those: a reaped
# pid may be reused by someone else's process).
declare -A live=()
cleanup() {
  local pid
  for pid in "${!live[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${!live[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

log() { echo "run_e2e: $*"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
cpu_seconds() { awk -v a="$1" -v b="$2" -v hz="$clk_tck" 'BEGIN {printf "%.2f", (b - a) / hz}'; }

# start_grpc NAME BINARY ARGS...: starts a server that writes its port to a
# file; sets server_pid and server_port.
start_grpc() {
  local name=$1
  shift
  local port_file=$out/$name.port
  "$@" --listen 127.0.0.1:0 --port-file "$port_file" >"$out/$name.log" 2>&1 &
  server_pid=$!
  live[$server_pid]=1
  for _ in $(seq 100); do
    [ -s "$port_file" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ ! -s "$port_file" ]; then
    echo "run_e2e: $name did not start:" >&2
    cat "$out/$name.log" >&2
    exit 1
  fi
  server_port=$(cat "$port_file")
}

# start_fastapi NAME TIME_SCALE: uvicorn, one worker, no access log.
start_fastapi() {
  local name=$1
  server_port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  COROUTER_BENCH_TIME_SCALE=$2 $py -m uvicorn fastapi_seed_app:app --app-dir tests/bench \
    --host 127.0.0.1 --port "$server_port" --workers 1 --no-access-log --log-level warning \
    >"$out/$name.log" 2>&1 &
  server_pid=$!
  live[$server_pid]=1
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$server_port/ping" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "run_e2e: $name did not start:" >&2
  cat "$out/$name.log" >&2
  exit 1
}

stop_server() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "live[$pid]"
}

# check PORT FILE METHOD KIND N CONCURRENCY: gRPC status OK on every call;
# prints events per call.
check() {
  $py tests/bench/grpc_requests.py check --server "127.0.0.1:$1" --file "$2" --method "$3" \
    --kind "$4" -n "$5" --concurrency "$6" --http-status "${HTTP_STATUS:-200}" |
    tee -a "$out/checks.txt" >&2 ||
    { echo "run_e2e: the gRPC check failed on port $1 ($3, $4)" >&2; exit 1; }
  tail -n1 "$out/checks.txt" | sed -n 's/.*events\/call \([0-9.]*\).*/\1/p'
}

h2load_grpc=(-H 'content-type: application/grpc' -H 'te: trailers')
grpc_url() { echo "http://127.0.0.1:$1/corouter.v1.ExecutionService/$2"; }

# Per server of the current scenario: its pid, URL, the files of its rounds
# and the CPU ticks it spent in them.
declare -A srv_pid srv_url srv_files srv_logs srv_ticks

# measure SCENARIO SERVER ROUND: one bounded round of load on one server.
measure() {
  local scenario=$1 server=$2 round=$3
  local pid=${srv_pid[$server]} url=${srv_url[$server]}
  local base=$out/$scenario.$server.$round t0 t1
  t0=$(cpu_ticks "$pid")
  if [ "$server" = fastapi ]; then
    timeout $((round_s + 30)) wrk -t1 -c "$in_flight" -d "${round_s}s" --latency --timeout 10s \
      "$url" >"$base.wrk.txt"
    srv_files[$server]+=${srv_files[$server]:+,}$base.wrk.txt
  else
    timeout $((round_s + 30)) h2load -t1 -c "$clients" -m "$streams" -D "$round_s" \
      --log-file "$base.h2load.log" "${h2load_grpc[@]}" --data "$frame" "$url" \
      >"$base.h2load.txt"
    srv_files[$server]+=${srv_files[$server]:+,}$base.h2load.txt
    srv_logs[$server]+=${srv_logs[$server]:+,}$base.h2load.log
  fi
  t1=$(cpu_ticks "$pid")
  srv_ticks[$server]=$((${srv_ticks[$server]:-0} + t1 - t0))
}

# throughput SCENARIO FRAME RPC CHECK_KIND HTTP_PATH [floor_health] [SUBSCRIBER]:
# corouter-server, the floor, (with floor_health) the floor also serving
# grpc.health.v1 as corouter-server does, and (when HTTP_PATH is set) FastAPI,
# all started fresh, checked, warmed up, then loaded in turn, round after
# round, so that a change in the machine's load hits all of them alike.
# SERVER_ARGS (environment, for one call): extra corouter-server flags.
# OTLP_SINK=1: start the floor with --empty-reply as an OTLP receiver first
# and give corouter-server --otlp-endpoint to it; its export counters are
# recorded at the end.
# SUBSCRIBER: "live" attaches `corouter watch --plain` (every event, LIVE) to
# corouter-server for the whole scenario, "stuck" a WatchTraces stream that is
# never read; the server's watch counters are recorded at the end.
throughput() {
  local scenario=$1 rpc=$3 kind=$4 http_path=$5 floor_health=${6:-} subscriber=${7:-} server events
  local watcher_pid=""
  frame=$out/frames/$2.bin
  local method=/corouter.v1.ExecutionService/$rpc
  local servers=(corouter floor)
  srv_pid=() srv_url=() srv_files=() srv_logs=() srv_ticks=()

  log "$scenario: starting corouter-server, the floor${floor_health:+ (also with the health service)}${http_path:+ and FastAPI}"
  local sink_pid="" otlp_args=()
  if [ -n "${OTLP_SINK:-}" ]; then
    start_grpc "$scenario.otlp_sink" "$floor_bin" --empty-reply
    sink_pid=$server_pid
    otlp_args=(--otlp-endpoint "127.0.0.1:$server_port")
  fi
  # shellcheck disable=SC2086  # SERVER_ARGS is a list of words
  start_grpc "$scenario.corouter" "$server_bin" --time-scale 0 --grace 1s ${SERVER_ARGS:-} \
    "${otlp_args[@]}"
  srv_pid[corouter]=$server_pid srv_url[corouter]=$(grpc_url "$server_port" "$rpc")
  events=$(check "$server_port" "$frame" "$method" "$kind" 200 16)
  local corouter_port=$server_port
  if [ "$subscriber" = live ]; then
    "$client_bin" watch --server "127.0.0.1:$server_port" --plain >/dev/null 2>"$out/$scenario.watch.err" &
    watcher_pid=$!
  elif [ "$subscriber" = stuck ]; then
    $py tests/bench/grpc_requests.py stuck-watch --server "127.0.0.1:$server_port" \
      2>"$out/$scenario.watch.err" &
    watcher_pid=$!
  fi
  if [ -n "$watcher_pid" ]; then
    live[$watcher_pid]=1
    for _ in $(seq 100); do
      $py tests/bench/grpc_requests.py watch-stats --server "127.0.0.1:$server_port" |
        grep -q 'subscribers=1 ' && break
      sleep 0.1
    done
  fi
  start_grpc "$scenario.floor" "$floor_bin"
  srv_pid[floor]=$server_pid srv_url[floor]=$(grpc_url "$server_port" "$rpc")
  check "$server_port" "$frame" "$method" echo 200 16 >/dev/null
  if [ -n "$floor_health" ]; then
    start_grpc "$scenario.floor_health" "$floor_bin" --health-service
    srv_pid[floor_health]=$server_pid srv_url[floor_health]=$(grpc_url "$server_port" "$rpc")
    check "$server_port" "$frame" "$method" echo 200 16 >/dev/null
    servers+=(floor_health)
  fi
  if [ -n "$http_path" ]; then
    start_fastapi "$scenario.fastapi" 0
    srv_pid[fastapi]=$server_pid srv_url[fastapi]=http://127.0.0.1:$server_port$http_path
    curl -sf "${srv_url[fastapi]}" | tee -a "$out/checks.txt" >&2
    echo | tee -a "$out/checks.txt" >&2
    servers+=(fastapi)
  fi

  for server in "${servers[@]}"; do  # warm-up, not measured
    if [ "$server" = fastapi ]; then
      timeout 60 wrk -t1 -c "$in_flight" -d 1s "${srv_url[$server]}" >/dev/null
    else
      timeout 60 h2load -t1 -c "$clients" -m "$streams" -n 2000 "${h2load_grpc[@]}" \
        --data "$frame" "${srv_url[$server]}" >/dev/null
    fi
  done

  local load round
  load=$(loadavg)
  for round in $(seq "$rounds"); do
    for server in "${servers[@]}"; do measure "$scenario" "$server" "$round"; done
  done

  local watch_words=()
  if [ -n "$watcher_pid" ] || [ -n "$sink_pid" ]; then
    read -r -a watch_words < <($py tests/bench/grpc_requests.py watch-stats --server "127.0.0.1:$corouter_port")
  fi
  if [ -n "$watcher_pid" ]; then
    watch_words+=(subscriber="$subscriber")
    kill -TERM "$watcher_pid" 2>/dev/null || true
    wait "$watcher_pid" 2>/dev/null || true
    unset "live[$watcher_pid]"
  fi
  for server in "${servers[@]}"; do
    local parsed=(h2load="${srv_files[$server]}" h2load_log="${srv_logs[$server]:-}")
    [ "$server" = fastapi ] && parsed=(wrk="${srv_files[$server]}")
    local extra=()
    [ "$server" = corouter ] && [ "$kind" = traced ] && extra=(events_per_call="$events")
    [ "$server" = corouter ] && extra+=("${watch_words[@]}")
    $py tests/bench/e2e_report.py record "$results" kind=throughput scenario="$scenario" \
      server="$server" "${parsed[@]}" cpu_s="$(cpu_seconds 0 "${srv_ticks[$server]}")" \
      hwm_kb="$(status_kb "${srv_pid[$server]}" VmHWM)" loadavg="$load" "${extra[@]}"
    stop_server "${srv_pid[$server]}"
  done
  if [ -n "$sink_pid" ]; then stop_server "$sink_pid"; fi
  rm -f "$out/$scenario".*.h2load.log  # large; the percentiles are in results.jsonl
}

# in_flight_run SERVER PID PORT FRAME CHECK_KIND SLEEP_S: 10,000 calls at once
# (100 connections x 100 streams), each sleeping SLEEP_S.
in_flight_run() {
  local server=$1 pid=$2 port=$3 frame=$4 kind=$5 sleep_s=$6
  local base=$out/wait_10k.$server
  check "$port" "$frame" /corouter.v1.ExecutionService/Execute "$kind" 20 20 >/dev/null
  local idle load t0 t1
  idle=$(status_kb "$pid" VmRSS)
  load=$(loadavg)
  t0=$(cpu_ticks "$pid")
  timeout 120 h2load -t1 -c 100 -m 100 -n 10000 --log-file "$base.h2load.log" \
    "${h2load_grpc[@]}" --data "$frame" "$(grpc_url "$port" Execute)" >"$base.h2load.txt"
  t1=$(cpu_ticks "$pid")
  $py tests/bench/e2e_report.py record "$results" kind=inflight scenario=wait_10k \
    server="$server" h2load="$base.h2load.txt" h2load_log="$base.h2load.log" \
    cpu_s="$(cpu_seconds "$t0" "$t1")" idle_kb="$idle" hwm_kb="$(status_kb "$pid" VmHWM)" \
    inflight=10000 sleep_s="$sleep_s" loadavg="$load"
}

log "output in $out"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r)"
  echo "load: h2load -t1 -c $clients -m $streams ($in_flight in flight), wrk -t1 -c $in_flight; $rounds rounds of ${round_s}s per server, interleaved, after a warm-up"
  echo "tools: $(h2load --version | head -n1), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2), $($py -c 'import fastapi, uvicorn, uvloop, httptools; print(f"fastapi {fastapi.__version__}, uvicorn {uvicorn.__version__} (uvloop {uvloop.__version__}, httptools {httptools.__version__})")')"
} | tee "$out/machine.txt"

$py tests/bench/grpc_requests.py frames "$out/frames" >/dev/null

$py tests/bench/grpc_requests.py routes-file "$out/routes_1000.yaml" >/dev/null

# The throughput scenarios run once per load in BENCH_LOADS (clients per
# run, each with BENCH_STREAMS streams): "4 16" is today's -c4 -m16 and
# issue 15's -c16 -m16; a scenario run at another load than the first gets
# the suffix _c<clients>.
first_clients=""
for clients in ${BENCH_LOADS:-$clients 16}; do
  in_flight=$((clients * streams))
  first_clients=${first_clients:-$clients}
  sfx=""
  [ "$clients" = "$first_clients" ] || sfx=_c$clients
  throughput execute_fast_task$sfx fast_task.execute Execute execute /fast_task/ floor_health
  # What recording every request for replay (--trace-history, default 1000)
  # costs when nobody watches: the same load with no history.
  SERVER_ARGS="--trace-history 0" throughput execute_fast_task_no_history$sfx fast_task.execute \
    Execute execute ''
  throughput execute_slow_task$sfx slow_task.execute Execute execute '/slow_task/1?q=test'
  # Issue 15's other shapes: a `def` path operation (an executor round
  # trip), a 422, and the last of 1,000 routes from a route file.
  throughput execute_hello$sfx hello.execute Execute execute /hello
  HTTP_STATUS=422 throughput execute_422$sfx invalid.execute Execute execute ''
  SERVER_ARGS="--app $out/routes_1000.yaml" throughput execute_1000_routes$sfx \
    routes_1000.execute Execute execute ''
  throughput traced_fast_task$sfx fast_task.traced ExecuteTraced traced ''
  throughput watch_live_fast_task$sfx fast_task.execute Execute execute '' '' live
  throughput watch_stuck_fast_task$sfx fast_task.execute Execute execute '' '' stuck
  # Issue 8: every request exported as an OTLP span, to a receiver that
  # answers at once (the floor with --empty-reply).
  OTLP_SINK=1 throughput execute_fast_task_otlp$sfx fast_task.execute Execute execute ''
done
clients=$first_clients
in_flight=$((clients * streams))

log "wait_10k: corouter-server --time-scale 0.5 (GET /wait sleeps 1 s)"
start_grpc wait_10k.corouter "$server_bin" --time-scale 0.5 --grace 1s
in_flight_run corouter "$server_pid" "$server_port" "$out/frames/wait.execute.bin" execute 1
stop_server "$server_pid"
log "wait_10k: floor --hold-ms 1000 (what a held call costs gRPC itself)"
start_grpc wait_10k.floor "$floor_bin" --hold-ms 1000
in_flight_run floor "$server_pid" "$server_port" "$out/frames/wait.execute.bin" echo 1
stop_server "$server_pid"

if [ "$do_perf" = 1 ] && ! command -v perf >/dev/null; then
  log "perf: not installed (apt-get install linux-perf); no profile"
elif [ "$do_perf" = 1 ]; then
  for server in corouter floor; do
    log "perf: $server under the execute_fast_task load"
    if [ "$server" = corouter ]; then
      start_grpc "perf.$server" "$server_bin" --time-scale 0 --grace 1s
    else
      start_grpc "perf.$server" "$floor_bin"
    fi
    perf_s=$((rounds * round_s))
    timeout $((perf_s + 30)) perf record -F 999 -g -p "$server_pid" -o "$out/perf-$server.data" \
      -- sleep "$perf_s" >/dev/null 2>&1 &
    perf_pid=$!
    live[$perf_pid]=1
    timeout $((perf_s + 60)) h2load -t1 -c "$clients" -m "$streams" -D "$perf_s" \
      "${h2load_grpc[@]}" --data "$out/frames/fast_task.execute.bin" \
      "$(grpc_url "$server_port" Execute)" >"$out/perf-$server.h2load.txt"
    wait "$perf_pid" || true
    unset "live[$perf_pid]"
    for sort in comm dso dso,symbol; do
      echo "--- $server: share of CPU samples by $sort"
      perf report -i "$out/perf-$server.data" --no-children --percent-limit 0.7 --stdio -g none \
        --sort "$sort" 2>/dev/null | grep -v '^#' | grep -v '^$' |
        sed -E 's/ +- +- *$//; s/ {2,}/  /g' | head -n 25 || true
    done >"$out/perf-$server.txt"
    stop_server "$server_pid"
    log "perf: $server ($out/perf-$server.txt)"
    cat "$out/perf-$server.txt"
  done
fi

echo
$py tests/bench/e2e_report.py table "$results" | tee "$out/report.md"
log "done: $out/report.md"
