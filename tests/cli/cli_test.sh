#!/usr/bin/env bash
# End to end with the real binaries, as a user runs them: corouter-server on
# 127.0.0.1 with an OS-chosen port, and the corouter CLI against it.
#   cli_test.sh SERVER_BINARY CLIENT_BINARY
# Every command is bounded by `timeout`; prints "N passed, N failed".
set -u
server_bin=$1
client_bin=$2
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=tests/lib/checks.sh
. "$(dirname "$0")/../lib/checks.sh"


# Line number of the first line of FILE matching REGEX (0 if none).
line_of() { grep -n -m1 -E "$2" "$1" | cut -d: -f1 || true; }

# The Variable Tracker section of a `corouter call --trace --tracker` output,
# without the blank line before the summaries.
tracker_of() { awk '/^Variable Tracker$/{on=1} on && /^\[[A-Z]+\] /{exit} on' "$1" | sed '${/^$/d}'; }
golden=$(cd "$(dirname "$0")" && pwd)/golden

timeout 120 "$server_bin" --listen 127.0.0.1:0 --port-file "$work/port" --time-scale 0.1 \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
check "server writes its port file" test -s "$work/port"
server=127.0.0.1:$(cat "$work/port")
check "server says where it listens" grep -q "listening on $server" "$work/server.log"

# Seed 004 traced: /slow_task sleeps 500 ms (5 s x 0.1); /fast_task/ is
# answered while it sleeps.
timeout 20 "$client_bin" call --server "$server" --trace GET '/slow_task/1?q=test' GET /fast_task/ \
  >"$work/trace.out" 2>"$work/trace.err"
check "traced seed 004 exits 0" test $? -eq 0
check "traced seed 004 writes nothing on stderr" test ! -s "$work/trace.err"
a_await=$(line_of "$work/trace.out" ' A +await sleep\(500ms\) +Yes')
b_sent=$(line_of "$work/trace.out" ' B +Send response .*200 \{"message":"This is fast!"\}')
a_resumed=$(line_of "$work/trace.out" ' A +sleep\(500ms\) completed')
a_sent=$(line_of "$work/trace.out" ' A +Send response .*200 \{"item_id":1,"q":"test"\}')
# A and B are sent at once, so either may reach the loop first; what the seed
# promises is that B does not wait for A's sleep.
check "A pauses at its await" test "${a_await:-0}" -gt 0 -a "${a_await:-0}" -lt "${a_resumed:-0}"
check "B answers before A resumes" test "${b_sent:-0}" -gt 0 -a "${b_sent:-0}" -lt "${a_resumed:-0}"
check "A answers last" test "${a_resumed:-0}" -gt 0 -a "${a_resumed:-0}" -lt "${a_sent:-0}"
check "the table has one row per step (12)" test "$(grep -cE '^[0-9]+ ' "$work/trace.out")" -eq 12

# The seeds' Variable Tracker, from real runs at time scale 0.1, against
# tests/cli/golden/. The tracker has no times (its cells are states; the
# sleeps are named at their scaled lengths), so nothing needs masking. Seed
# 000: one `async def` that awaits sleep(2s), here 200 ms.
timeout 20 "$client_bin" call --server "$server" --trace --tracker GET /wait \
  >"$work/seed000.out" 2>"$work/seed000.err"
check "seed 000 with --tracker exits 0" test $? -eq 0
tracker_of "$work/seed000.out" >"$work/seed000.tracker"
check "seed 000's tracker matches its golden" diff -u "$golden/seed000_tracker.txt" "$work/seed000.tracker"

# Seed 003 in the seed's order: A and B pause at their sleeps (200 ms here),
# A and B complete, then C (sent 300 ms after B) blocks the loop, and D, sent
# 10 ms after C, is received only once C's blocking call ended.
seed003=(--trace --stagger 10ms,300ms,10ms GET /wait GET /wait GET /blocking GET /fast_task/)
timeout 20 "$client_bin" call --server "$server" --tracker "${seed003[@]}" \
  >"$work/seed003.out" 2>"$work/seed003.err"
check "seed 003 with --tracker and --stagger exits 0" test $? -eq 0
tracker_of "$work/seed003.out" >"$work/seed003.tracker"
check "seed 003's tracker matches its golden" diff -u "$golden/seed003_tracker.txt" "$work/seed003.tracker"
# The order of the rows that matter, not their times, in 20 runs.
for run in $(seq 20); do
  timeout 20 "$client_bin" call --server "$server" "${seed003[@]}" >"$work/seed003-$run.out" 2>&1
done
check "seed 003's order holds in 20 staggered runs" python3 -c '
import re, sys
bad = 0
for path in sys.argv[1:]:
    rows = []
    for line in open(path):
        m = re.match(r"^\d+ +\S+ +([A-D]) +(.*)", line)
        if not m:
            continue
        req, rest = m.groups()
        kind = ("recv" if rest.startswith("Client sends") else
                "await" if rest.startswith("await ") else
                "block" if rest.startswith("blocking call") else
                "sent" if rest.startswith("Send response") else "other")
        rows.append(req + ":" + kind)
    try:
        at = rows.index
        order = ["A:recv", "A:await", "B:recv", "B:await", "A:sent", "B:sent", "C:recv",
                 "C:block", "C:sent", "D:recv", "D:sent"]
        assert all(at(x) < at(y) for x, y in zip(order, order[1:])), "out of order"
        # While C blocks the loop nothing else runs on it: its next row is its own.
        assert rows[at("C:block") + 1].startswith("C:"), "a row inside the block"
        assert len(rows) == 25, "%d rows" % len(rows)
    except (AssertionError, ValueError) as e:
        bad += 1
        print(path, e, rows, file=sys.stderr)
sys.exit(1 if bad else 0)
' "$work"/seed003-*.out

# Untraced call: status line, headers, body.
timeout 20 "$client_bin" call --server "$server" GET /hello >"$work/hello.out" 2>&1
check "untraced call exits 0" test $? -eq 0
check "untraced call prints the status" grep -qx "HTTP 200" "$work/hello.out"
check "untraced call prints the body" grep -qx '{"message":"Hello"}' "$work/hello.out"

# An HTTP error is an answer, not a failure.
timeout 20 "$client_bin" call --server "$server" GET /nope >"$work/404.out" 2>&1
check "a 404 exits 0" test $? -eq 0
check "a 404 prints FastAPI's body" grep -qx '{"detail":"Not Found"}' "$work/404.out"

# The route table.
timeout 20 "$client_bin" routes --server "$server" >"$work/routes.out" 2>&1
check "routes exits 0" test $? -eq 0
check "routes lists /slow_task/{item_id}" grep -qE 'GET +/slow_task/\{item_id\} +read_item +async' "$work/routes.out"

# The server's counters.
timeout 20 "$client_bin" stats --server "$server" >"$work/stats.out" 2>&1
check "stats exits 0" test $? -eq 0
check "stats shows the loop row" grep -qE '^0 +[0-9]+ +[0-9]+' "$work/stats.out"
check "stats shows /slow_task latencies" grep -qE '^/slow_task/\{item_id\} +read_item +1 ' "$work/stats.out"

# A bad target: one line on stderr naming the field, exit 1.
timeout 20 "$client_bin" call --server "$server" GET no-slash >"$work/bad.out" 2>"$work/bad.err"
check "a bad target exits 1" test $? -eq 1
check "a bad target is one stderr line" test "$(wc -l <"$work/bad.err")" -eq 1
check "a bad target names request.target" grep -q "INVALID_ARGUMENT.*request.target" "$work/bad.err"

# A bad flag: usage error, exit 2, one line.
timeout 20 "$client_bin" call --server "$server" --no-such-flag GET / >"$work/flag.out" 2>"$work/flag.err"
check "a bad client flag exits 2" test $? -eq 2
check "a bad client flag says so on stderr" test -s "$work/flag.err"
for bad in -5ms soon 10ms,,1s; do
  timeout 20 "$client_bin" call --server "$server" --stagger "$bad" GET / >/dev/null 2>"$work/stagger.err"
  check "--stagger $bad is a usage error (exit 2)" test $? -eq 2
  check "--stagger $bad is named in one line" \
    test "$(grep -c -- "--stagger: \"$bad\": .* is not a duration of 0 or more" "$work/stagger.err")" -eq 1
done
timeout 20 "$client_bin" call --server "$server" --tracker GET / >/dev/null 2>"$work/tracker.err"
check "--tracker without --trace is a usage error (exit 2)" test $? -eq 2
check "--tracker without --trace says it needs --trace" grep -q -- "--tracker: needs --trace" "$work/tracker.err"

# The server still serves after all that.
timeout 20 "$client_bin" call --server "$server" GET /ping >"$work/ping.out" 2>&1
check "the server keeps serving" grep -qx '{"ping":"pong"}' "$work/ping.out"

# corouter watch: --plain and --json on pipes, the screen under tmux.
timeout 20 "$client_bin" watch --server "$server" --plain >"$work/watch.out" 2>"$work/watch.err" &
watch_pid=$!
timeout 20 "$client_bin" watch --server "$server" --json --completed --status 4xx \
  >"$work/watch.json" 2>"$work/watch-json.err" &
json_pid=$!
check "two watchers subscribe" await_subscribers 2
timeout 20 "$client_bin" call --server "$server" GET '/slow_task/1?q=test' GET /fast_task/ \
  GET /slow_task/x >/dev/null 2>&1
for _ in $(seq 100); do
  [ "$(grep -c 'RESPONSE_SENT' "$work/watch.out" 2>/dev/null)" -ge 3 ] && break; sleep 0.05
done
# Ctrl-C reaches the watch itself, not the `timeout` around it.
pkill -INT -P "$watch_pid"
pkill -INT -P "$json_pid"
wait "$watch_pid"
check "watch exits 0 on Ctrl-C" test $? -eq 0
wait "$json_pid"
check "watch --json exits 0 on Ctrl-C" test $? -eq 0
check "watch writes nothing on stderr" test ! -s "$work/watch.err"
w_slow_await=$(line_of "$work/watch.out" 'AWAIT_STARTED sleep\(500ms\)')
w_fast_sent=$(line_of "$work/watch.out" 'RESPONSE_SENT 200 27 bytes')
w_slow_resumed=$(line_of "$work/watch.out" 'AWAIT_RESUMED sleep\(500ms\) completed')
# Both are sent at once, so either may reach the loop first: what counts is
# that the fast one does not wait for the slow one's sleep.
check "watch --plain shows the fast request answered while the slow one sleeps" \
  test "${w_slow_await:-0}" -gt 0 -a "${w_fast_sent:-0}" -gt 0 \
  -a "${w_fast_sent:-0}" -lt "${w_slow_resumed:-0}" -a "${w_slow_await:-0}" -lt "${w_slow_resumed:-0}"
check "watch --json lines are proto3 JSON of the 422 only" python3 -c '
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
assert events, "no events"
assert {e["detail"] for e in events if e["step"] == "STEP_RECEIVED"} == {"GET /slow_task/x"}, events
assert events[-1]["step"] == "STEP_RESPONSE_SENT" and events[-1]["response"]["statusCode"] == 422
' "$work/watch.json"
timeout 10 "$client_bin" watch --server "$server" --completed --status 6xx --plain \
  >"$work/watch-bad.out" 2>"$work/watch-bad.err"
check "watch with a bad filter exits 1" test $? -eq 1
check "watch with a bad filter names the field" grep -q "filter.status" "$work/watch-bad.err"
timeout 10 "$client_bin" watch --server "$server" --status 500 >/dev/null 2>"$work/watch-usage.err"
check "watch --status without --completed is a usage error" test $? -eq 2
if command -v tmux >/dev/null; then
  # A tmux server of our own (its own socket): never the user's.
  tmux() { command tmux -L "corouter-cli-test-$$" "$@"; }
  tmux new-session -d -s corouter-watch -x 140 -y 40 \
    "timeout --foreground 20 '$client_bin' watch --server '$server'; echo \$? >'$work/screen.rc'"
  await_subscribers 1
  timeout 20 "$client_bin" call --server "$server" GET '/slow_task/2?q=screen' >/dev/null 2>&1 &
  call_pid=$!
  screen_ok=1
  for _ in $(seq 100); do
    tmux capture-pane -p -t corouter-watch >"$work/screen.txt" 2>/dev/null
    grep -qE '/slow_task/\{item_id\} +AWAIT_STARTED' "$work/screen.txt" && { screen_ok=0; break; }
    sleep 0.05
  done
  check "watch's screen shows the request in flight at its await" test "$screen_ok" -eq 0
  check "watch's screen shows the loops and warnings" \
    grep -q 'BLOCKING WARNINGS' "$work/screen.txt"
  wait "$call_pid"
  tmux send-keys -t corouter-watch q
  for _ in $(seq 100); do [ -s "$work/screen.rc" ] && break; sleep 0.05; done
  check "watch's screen quits on q with exit 0" test "$(cat "$work/screen.rc" 2>/dev/null)" = 0
  tmux kill-server 2>/dev/null
fi

# A watcher attached when the server stops is told so.
timeout 20 "$client_bin" watch --server "$server" --plain >/dev/null 2>"$work/watch-gone.err" &
gone_pid=$!
await_subscribers 1

# SIGTERM: the server stops and exits 0.
kill -TERM "$server_pid"
wait "$server_pid"
check "the server exits 0 on SIGTERM" test $? -eq 0
server_pid=""
wait "$gone_pid"
check "a watcher exits 1 when the server stops" test $? -eq 1
check "a watcher says the server is shutting down" grep -q "shutting down" "$work/watch-gone.err"

# Unreachable server: one clear line, exit 1, no hang.
timeout 20 "$client_bin" call --server "$server" --timeout 2s GET /hello >"$work/down.out" 2>"$work/down.err"
check "an unreachable server exits 1" test $? -eq 1
check "an unreachable server is one line" test "$(wc -l <"$work/down.err")" -eq 1
check "an unreachable server is named" grep -q "cannot reach server $server" "$work/down.err"

# The docs stay true: every server flag docs/deployment.md's table names is one the
# server has, and every `corouter watch` flag docs/tracing.md names is one the
# CLI has.
repo=$(cd "$(dirname "$0")/../.." && pwd)
"$server_bin" --help >"$work/server-help.txt" 2>&1
"$client_bin" watch --help >"$work/watch-help.txt" 2>&1
docs_ok=0
for flag in $(grep -oE '^\| `--[a-z-]+' "$repo/docs/deployment.md" | sed 's/^| `//'); do
  grep -q -- "$flag" "$work/server-help.txt" || { echo "docs/deployment.md names $flag; the server has none" >&2; docs_ok=1; }
done
check "docs/deployment.md's server flags exist" test "$docs_ok" -eq 0
docs_ok=0
for flag in $(sed -n '/^corouter watch \[/,/^```/p' "$repo/docs/tracing.md" | grep -oE -- '--[a-z-]+' | sort -u); do
  grep -q -- "$flag" "$work/watch-help.txt" || { echo "docs/tracing.md names $flag; corouter watch has none" >&2; docs_ok=1; }
done
check "docs/tracing.md's watch flags exist" test "$docs_ok" -eq 0
"$client_bin" call --help >"$work/call-help.txt" 2>&1
docs_ok=0
for flag in $(sed -n '/^corouter call \[/,/^```/p' "$repo/docs/tracing.md" | grep -oE -- '--[a-z-]+' | sort -u); do
  grep -q -- "$flag" "$work/call-help.txt" || { echo "docs/tracing.md names $flag; corouter call has none" >&2; docs_ok=1; }
done
check "docs/tracing.md's call flags exist" test "$docs_ok" -eq 0
check "corouter call --help lists --stagger" grep -q -- "--stagger DURATION" "$work/call-help.txt"
check "corouter call --help lists --tracker" grep -q -- "--tracker " "$work/call-help.txt"
docs_ok=0
for flag in $(sed -n '/^corouter-server --/,/^```/p' "$repo/docs/tracing.md" | grep -oE -- '--[a-z-]+' | sort -u); do
  grep -q -- "$flag" "$work/server-help.txt" || { echo "docs/tracing.md names $flag; corouter-server has none" >&2; docs_ok=1; }
done
check "docs/tracing.md's server flags exist" test "$docs_ok" -eq 0

# Bad server flags are refused before listening.
timeout 10 "$server_bin" --loops 0 >"$work/s1.out" 2>&1
check "server refuses --loops 0" test $? -ne 0
timeout 10 "$server_bin" --grace soon >"$work/s2.out" 2>&1
check "server refuses a bad --grace" grep -q -- "--grace" "$work/s2.out"
timeout 10 "$server_bin" --listen 999.1.1.1:1 >"$work/s3.out" 2>&1
check "server refuses an address it cannot bind" grep -q "cannot listen on 999.1.1.1:1" "$work/s3.out"
timeout 10 "$server_bin" --otlp-endpoint https://collector:4317 >"$work/s6.out" 2>&1
check "server refuses a TLS OTLP endpoint (exit 2)" test $? -eq 2
check "the OTLP refusal names the flag" grep -q -- "--otlp-endpoint: .*TLS" "$work/s6.out"
timeout 10 "$server_bin" --otlp-endpoint collector >"$work/s7.out" 2>&1
check "server refuses an OTLP endpoint without a port" grep -q -- "--otlp-endpoint: .*HOST:PORT" "$work/s7.out"
timeout 10 "$server_bin" --otlp-service-name x >"$work/s8.out" 2>&1
check "--otlp-service-name needs --otlp-endpoint" grep -q -- "--otlp-endpoint" "$work/s8.out"
timeout 10 "$server_bin" --otlp-endpoint 127.0.0.1:4317 --otlp-batch-size 600 --otlp-queue-size 500 \
  >"$work/s9.out" 2>&1
check "a batch larger than the queue is refused" grep -q -- "--otlp-batch-size 600 is more than --otlp-queue-size 500" "$work/s9.out"
timeout 10 "$server_bin" --metrics-listen nowhere >"$work/s10.out" 2>&1
check "server refuses a bad --metrics-listen" grep -q -- "--metrics-listen: .*not HOST:PORT" "$work/s10.out"

# A bad route file: refused before listening, one message naming the file,
# the line and the problem.
printf 'routes:\n  - name: read_item\n    path: /items/{id}\n    steps:\n      - slep: 1s\n' \
  >"$work/bad.yaml"
timeout 10 "$server_bin" --app "$work/bad.yaml" --listen 127.0.0.1:0 >"$work/s4.out" 2>&1
check "server refuses a bad route file" test $? -ne 0
check "a bad route file is named with its line" grep -q "bad.yaml:5: unknown step 'slep'" "$work/s4.out"
check "a bad route file is one line" test "$(wc -l <"$work/s4.out")" -eq 1

# A good route file is served.
printf 'routes:\n  - {name: hi, path: /hi, steps: [{respond: {body: {hi: "{who}"}}}], params: [{name: who, default: you}]}\n' \
  >"$work/good.yaml"
timeout 10 "$server_bin" --app "$work/good.yaml" --listen 127.0.0.1:0 --port-file "$work/port2" \
  >"$work/s5.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port2" ] && break; sleep 0.05; done
timeout 20 "$client_bin" call --server "127.0.0.1:$(cat "$work/port2")" GET '/hi?who=me' \
  >"$work/hi.out" 2>&1
check "a route file's route answers" grep -qx '{"hi":"me"}' "$work/hi.out"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""

# Seed 002's app (examples/seed002_app.yaml: await asyncio.sleep(1), here
# 100 ms) and its tracker against the golden.
timeout 20 "$server_bin" --app "$(dirname "$0")/../../examples/seed002_app.yaml" --time-scale 0.1 \
  --listen 127.0.0.1:0 --port-file "$work/port3" >"$work/seed002-server.out" 2>&1 &
server_pid=$!
await_file "$work/port3"
timeout 20 "$client_bin" call --server "127.0.0.1:$(cat "$work/port3")" --trace --tracker GET /wait \
  >"$work/seed002.out" 2>"$work/seed002.err"
check "seed 002 with --tracker exits 0" test $? -eq 0
tracker_of "$work/seed002.out" >"$work/seed002.tracker"
check "seed 002's tracker matches its golden" diff -u "$golden/seed002_tracker.txt" "$work/seed002.tracker"

# Every `corouter call` line of docs/seeds.md runs and exits 0: against the
# seed app (at time scale 0.1), or seed 002's app for the line that names it.
timeout 120 "$server_bin" --listen 127.0.0.1:0 --port-file "$work/port4" --time-scale 0.1 \
  >"$work/seeds-server.out" 2>&1 &
seeds_pid=$!
await_file "$work/port4"
seeds_doc="$(dirname "$0")/../../docs/seeds.md"
check "docs/seeds.md has its commands" test "$(grep -c '^\$ corouter call ' "$seeds_doc")" -ge 8
while IFS= read -r line; do
  args=${line#'$ corouter call '}
  target=127.0.0.1:$(cat "$work/port4")
  case "$args" in
    "--server 127.0.0.1:50052 "*) target=127.0.0.1:$(cat "$work/port3"); args=${args#--server 127.0.0.1:50052 } ;;
  esac
  eval "set -- $args"
  timeout 30 "$client_bin" call --server "$target" "$@" >"$work/seeds-doc.out" 2>&1
  check "docs/seeds.md: corouter call $args exits 0" test $? -eq 0
done < <(grep '^\$ corouter call ' "$seeds_doc")
kill -TERM "$seeds_pid"
wait "$seeds_pid"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""

finish
