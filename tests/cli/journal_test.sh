#!/usr/bin/env bash
# `corouter requests` against a real server (docs/testing.md#the-request-journal):
#   tests/cli/journal_test.sh SERVER_BIN CLIENT_BIN
# The table in order with routes, parameters and statuses; --count, --json,
# --clear; --wait returning once the requests came and failing when they do
# not; a filter the server refuses; --journal 0.
set -u -o pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server_bin=${1:?usage: journal_test.sh SERVER_BIN CLIENT_BIN}
client_bin=${2:?usage: journal_test.sh SERVER_BIN CLIENT_BIN}
# shellcheck source=../lib/checks.sh
source "$here/../lib/checks.sh"
start_scratch corouter-journal

start_server "$work/server.log" "$work/port" "$server_bin" --listen 127.0.0.1:0 \
  --port-file "$work/port" --time-scale 0.01 ||
  { echo "journal_test: the server did not start" >&2; exit 1; }
server=127.0.0.1:$(cat "$work/port")
requests() { timeout 20 "$client_bin" requests --server "$server" "$@"; }

timeout 20 "$client_bin" call --server "$server" --stagger 20ms GET '/slow_task/7?q=test' \
  GET /fast_task/ GET /nope -H 'x-suite: checkout' >/dev/null
requests >"$work/table.out" 2>&1
check "requests exits 0" test $? -eq 0
check "the table lists the fast request before the slow one (the order they ended)" \
  test "$(grep -nE '/fast_task/ ' "$work/table.out" | cut -d: -f1)" -lt \
  "$(grep -nE '/slow_task/7' "$work/table.out" | cut -d: -f1)"
check "a row has the route, endpoint, status and coerced parameters" \
  grep -qE '^[0-9]+ +[0-9:.]+ +GET +/slow_task/7\?q=test +/slow_task/\{item_id\} +read_item +200 +[0-9.]+m?s +item_id=7 q="test"$' "$work/table.out"
check "a 404 has no route" grep -qE ' /nope +- +- +404 ' "$work/table.out"
check "the table says how many" grep -qx "3 requests" "$work/table.out"
check "--count with a status class" test "$(requests --status 4xx --count)" = 1
check "--count with a header" test "$(requests -H 'x-suite: checkout' --count)" = 3
requests --path '/slow_task/{item_id}' --json >"$work/json.out"
check "--json lines are JournalEntry JSON" /usr/bin/python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
e = json.loads(lines[0])
assert len(lines) == 1, lines
assert e["endpoint"] == "read_item" and e["statusCode"] == 200, e
assert e["parameters"] == [{"name": "item_id", "valueJson": "7"}, {"name": "q", "valueJson": "\"test\""}], e
' "$work/json.out"

# --wait: begun before the requests it waits for.
requests --path /hello --wait 2 --wait-timeout 20s >"$work/wait.out" 2>&1 &
wait_pid=$!
timeout 20 "$client_bin" call --server "$server" GET /hello GET /hello >/dev/null
wait "$wait_pid"
check "--wait returns 0 once the requests came" test $? -eq 0
check "--wait prints them" test "$(grep -c ' /hello ' "$work/wait.out")" -eq 2
requests --path /hello --wait 3 --wait-timeout 200ms >/dev/null 2>"$work/wait-fail.err"
check "--wait that runs out exits 1" test $? -eq 1
check "it says how many came" grep -q "2 of the 3 matching requests waited for came within 200ms" "$work/wait-fail.err"

requests --status 6xx >/dev/null 2>"$work/bad.err"
check "a status the server refuses exits 1" test $? -eq 1
check "its error names filter.status" grep -q "INVALID_ARGUMENT.*filter.status" "$work/bad.err"
requests --wait 0 >/dev/null 2>"$work/usage.err"
check "--wait 0 is a usage error" test $? -eq 2
check "--clear says how many" test "$(requests --clear)" = "cleared 5 requests"
check "the journal is empty after --clear" test "$(requests --count)" = 0
kill "$server_pid"
wait "$server_pid"

rm -f "$work/port"
start_server "$work/off.log" "$work/port" "$server_bin" --listen 127.0.0.1:0 \
  --port-file "$work/port" --journal 0
server=127.0.0.1:$(cat "$work/port")
requests >/dev/null 2>"$work/off.err"
check "with --journal 0 requests exits 1" test $? -eq 1
check "and says the journal is off" grep -q "FAILED_PRECONDITION.*journal is off" "$work/off.err"
finish
