#!/usr/bin/env bash
# End to end with the real binaries: the files `corouter call --trace
# --record/--timeline` and `corouter watch --record` write, checked by
# check_timeline_files.py (the Trace Event Format's rules; the picture's
# lanes and fills). corouter-server runs on 127.0.0.1 with an OS-chosen port
# at time scale 0.1 (sleep(2s) and the 2 s blocking call last 200 ms).
#   trace_files_test.sh SERVER_BINARY CLIENT_BINARY
# Every command is bounded by `timeout`; prints "N passed, N failed".
set -u
server_bin=$1
client_bin=$2
here=$(cd "$(dirname "$0")" && pwd)
check_files="python3 $here/check_timeline_files.py"
work=$(mktemp -d)
server_pid=""
server2_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$server2_pid" ] && kill "$server2_pid" 2>/dev/null && wait "$server2_pid" 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=tests/lib/checks.sh
. "$(dirname "$0")/../lib/checks.sh"


timeout 60 "$server_bin" --listen 127.0.0.1:0 --port-file "$work/port" --time-scale 0.1 \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
check "server writes its port file" test -s "$work/port"
server=127.0.0.1:$(cat "$work/port")
# Seed 003: A and B await sleep(200ms), C blocks the loop 200 ms, D awaits too.
seed003=(GET /wait GET /wait GET /blocking GET /wait)

# --- corouter call --trace --record / --timeline --------------------------------
timeout 20 "$client_bin" call --server "$server" --trace --record "$work/s3.json" \
  --timeline "$work/s3.svg" "${seed003[@]}" >"$work/s3.out" 2>"$work/s3.err"
check "call --record --timeline exits 0" test $? -eq 0
check "call --record says where the trace went" \
  grep -q -- "--record: wrote the trace of 4 requests to $work/s3.json" "$work/s3.err"
check "the trace file follows the Trace Event Format, with C's blocking slice holding the loop" \
  $check_files trace "$work/s3.json" --requests 4 --blocked "C GET /blocking" --block-at-least 150
check "the trace file names the thread track loop-0 and the process after the server" python3 -c '
import json, sys
events = json.load(open(sys.argv[1]))["traceEvents"]
names = {(e["name"], e["args"]["name"]) for e in events if e["ph"] == "M" and "name" in e["args"]}
assert ("thread_name", "loop-0") in names and ("process_name", sys.argv[2]) in names, names
' "$work/s3.json" "$server"
check "the SVG has 4 request lanes, loop-0's lane, and C blocked on both" \
  $check_files svg "$work/s3.svg" --request-lanes 4 --thread-lanes 1 --blocked-lane 2
timeout 20 "$client_bin" call --server "$server" --trace --timeline "$work/s3.png" "${seed003[@]}" \
  >/dev/null 2>"$work/png.err"
check "call --timeline FILE.png exits 0" test $? -eq 0
check "the PNG decodes and shows awaiting and blocked stretches" \
  $check_files png "$work/s3.png" --blocked --awaiting
# Offloads; and the checker can fail: requests that never block the loop
# have no blocked stretch, and a wrong lane count is noticed.
timeout 20 "$client_bin" call --server "$server" --trace --record "$work/offload.json" \
  --timeline "$work/offload.png" GET /sync-wait GET /sync-task >/dev/null 2>&1
check "call --record of offloads exits 0" test $? -eq 0
check "offloads flow from loop-0 to an executor thread and back" \
  $check_files trace "$work/offload.json" --requests 2 --flows
check "the checker notices a missing blocked stretch" \
  fails $check_files png "$work/offload.png" --blocked 2>/dev/null
check "the checker notices a missing blocked slice" \
  fails $check_files trace "$work/offload.json" --blocked "GET /sync-wait" 2>/dev/null
check "the checker notices a wrong lane count" \
  fails $check_files svg "$work/s3.svg" --request-lanes 3 --thread-lanes 1 2>/dev/null

# --- corouter watch --record -------------------------------------------------------
timeout 30 "$client_bin" watch --server "$server" --plain --record "$work/watch.json" \
  >"$work/watch.out" 2>"$work/watch.err" &
watch_pid=$!
check "the recording watcher subscribes" await_subscribers 1
timeout 20 "$client_bin" call --server "$server" "${seed003[@]}" >/dev/null 2>&1
check "the watcher sees the 4 responses" await_lines "$work/watch.out" RESPONSE_SENT 4
pkill -INT -P "$watch_pid"  # Ctrl-C reaches the watch itself, not the `timeout` around it.
wait "$watch_pid"
check "watch --record exits 0 on Ctrl-C" test $? -eq 0
check "watch --record says where the trace went" \
  grep -q -- "--record: wrote the trace of 4 requests" "$work/watch.err"
check "watch's trace file follows the format, with /blocking's slice holding the loop" \
  $check_files trace "$work/watch.json" --requests 4 --blocked "GET /blocking" --block-at-least 150

# A request still in flight when the watch ends keeps its last state until the
# end. On a server of its own at the real time scale: the request sleeps 5 s,
# far longer than the watch takes to stop.
timeout 30 "$server_bin" --listen 127.0.0.1:0 --port-file "$work/port2" --grace 1s \
  >"$work/server2.log" 2>&1 &
server2_pid=$!
for _ in $(seq 100); do [ -s "$work/port2" ] && break; sleep 0.05; done
server2=127.0.0.1:$(cat "$work/port2")
timeout 30 "$client_bin" watch --server "$server2" --json --record "$work/inflight.json" \
  >"$work/inflight.out" 2>/dev/null &
watch_pid=$!
for _ in $(seq 200); do
  [ "$(timeout 10 "$client_bin" stats --server "$server2" 2>/dev/null |
    sed -nE 's/^watch: ([0-9]+) subscribers.*/\1/p')" = 1 ] && break; sleep 0.05
done
timeout 20 "$client_bin" call --server "$server2" GET '/slow_task/1?q=test' >/dev/null 2>&1 &
call_pid=$!
check "the watcher sees the request at its await" await_lines "$work/inflight.out" AWAIT_STARTED 1
kill -TERM "$(pgrep -P "$watch_pid")"
wait "$watch_pid"
check "watch --record exits 0 on SIGTERM" test $? -eq 0
check "a request in flight is a whole async track" \
  $check_files trace "$work/inflight.json" --requests 1
check "the request in flight is marked unfinished" python3 -c '
import json, sys
events = json.load(open(sys.argv[1]))["traceEvents"]
begins = [e for e in events if e["ph"] == "b" and e["cat"] == "request" and "finished" in e["args"]]
assert len(begins) == 1 and begins[0]["args"]["finished"] is False, begins
' "$work/inflight.json"
kill -TERM "$server2_pid"  # cancels the sleeping request (1 s grace)
wait "$server2_pid"
server2_pid=""
wait "$call_pid"

# --- bad input: usage errors (exit 2) naming the flag, nothing sent or written ------
timeout 10 "$client_bin" call --server "$server" --trace --record /nonexistent-dir/t.json \
  GET /hello >"$work/bad1.out" 2>"$work/bad1.err"
check "--record to an unwritable path exits 2" test $? -eq 2
check "--record to an unwritable path names the flag and the cause" \
  grep -q -- "--record.*/nonexistent-dir/t.json.*No such file or directory" "$work/bad1.err"
check "--record to an unwritable path sends nothing" test ! -s "$work/bad1.out"
timeout 10 "$client_bin" call --server "$server" --trace --timeline "$work/t.txt" GET /hello \
  >/dev/null 2>"$work/bad2.err"
check "--timeline x.txt exits 2" test $? -eq 2
check "--timeline x.txt names the flag and the formats" grep -q -- "--timeline.*\.svg nor \.png" "$work/bad2.err"
check "--timeline x.txt writes nothing" test ! -e "$work/t.txt"
timeout 10 "$client_bin" call --server "$server" --timeline "$work/t.svg" GET /hello \
  >/dev/null 2>"$work/bad3.err"
check "--timeline without --trace exits 2" test $? -eq 2
check "--timeline without --trace says it needs --trace" grep -q -- "--timeline: needs --trace" "$work/bad3.err"
timeout 10 "$client_bin" call --server "$server" --record "$work/t.json" GET /hello \
  >/dev/null 2>"$work/bad4.err"
check "--record without --trace exits 2" test $? -eq 2
check "--record without --trace says it needs --trace" grep -q -- "--record: needs --trace" "$work/bad4.err"
timeout 10 "$client_bin" watch --server "$server" --record /nonexistent-dir/w.json \
  >/dev/null 2>"$work/bad5.err"
check "watch --record to an unwritable path exits 2" test $? -eq 2
check "watch --record to an unwritable path names the flag" grep -q -- "--record" "$work/bad5.err"

# --- the server goes away: the watch still writes what it saw --------------------
timeout 30 "$client_bin" watch --server "$server" --plain --record "$work/gone.json" \
  >"$work/gone.out" 2>"$work/gone.err" &
gone_pid=$!
await_subscribers 1
timeout 20 "$client_bin" call --server "$server" GET /hello >/dev/null 2>&1
await_lines "$work/gone.out" RESPONSE_SENT 1
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
wait "$gone_pid"
check "a recording watcher exits 1 when the server stops" test $? -eq 1
check "it says the server is shutting down" grep -q "shutting down" "$work/gone.err"
check "and still writes what it saw" $check_files trace "$work/gone.json" --requests 1

finish
