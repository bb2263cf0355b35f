#!/usr/bin/env bash
# Apps at run time with the real binaries (docs/route-files.md#apps-at-run-time):
#   tests/cli/reload_test.sh SERVER_BIN CLIENT_BIN
#  - corouter-server --app FILE --watch reloads FILE when it changes (written
#    in place, or a new file renamed over it as editors do), within a
#    bounded wait, and logs the version;
#  - a file that does not load is logged with its line and the old app keeps
#    serving;
#  - `corouter app` shows the version and route file, `corouter app --load
#    FILE` replaces the app (--admin), a bad file is refused with its line,
#    and a server without --admin says how to turn it on;
#  - `corouter stats` names the app version;
#  - --watch without --app is a usage error.
set -u -o pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server_bin=${1:?usage: reload_test.sh SERVER_BIN CLIENT_BIN}
client_bin=${2:?usage: reload_test.sh SERVER_BIN CLIENT_BIN}
# shellcheck source=../lib/checks.sh
source "$here/../lib/checks.sh"
start_scratch corouter-reload

route() {  # NAME PATH: a route file with one route answering {"route": NAME}
  printf 'routes:\n  - name: %s\n    path: %s\n    kind: async\n    steps:\n      - respond: {body: {route: %s}}\n' "$1" "$2" "$1"
}
answers() {  # TARGET BODY: the server answers TARGET with BODY
  timeout 10 "$client_bin" call --server "$server" GET "$1" 2>/dev/null | tail -1 | grep -qxF "$2"
}
await_answer() {  # TARGET BODY: bounded wait (10 s) until it does
  for _ in $(seq 200); do answers "$1" "$2" && return 0; sleep 0.05; done
  return 1
}

route one /one >"$work/app.yaml"
start_server "$work/server.log" "$work/port" "$server_bin" --listen 127.0.0.1:0 \
  --port-file "$work/port" --app "$work/app.yaml" --watch --admin ||
  { echo "reload_test: the server did not start" >&2; exit 1; }
server=127.0.0.1:$(cat "$work/port")
check "the server says it watches the file" grep -q "watching $work/app.yaml for changes" "$work/server.log"
check "version 1 serves /one" answers /one '{"route":"one"}'

# Written in place.
route two /two >"$work/app.yaml"
check "a file written in place is reloaded" await_answer /two '{"route":"two"}'
check "the old route is gone" answers /one '{"detail":"Not Found"}'
check "the reload is logged with the version" \
  await_lines "$work/server.log" "--watch: loaded $work/app.yaml as app version 2 \(2 routes\)" 1

# A new file renamed over it, as editors save.
route three /three >"$work/app.yaml.new"
mv "$work/app.yaml.new" "$work/app.yaml"
check "a file renamed over it is reloaded" await_answer /three '{"route":"three"}'

# A file that does not load: logged with its line; version 3 keeps serving.
printf 'routes:\n  - name: bad\n    path: no-slash\n' >"$work/app.yaml"
check "a bad file is logged with its line" \
  await_lines "$work/server.log" "--watch: $work/app.yaml:3: .*; still serving app version 3" 1
check "the old app keeps serving after a bad file" answers /three '{"route":"three"}'

# corouter app: show, load, refuse.
timeout 10 "$client_bin" app --server "$server" >"$work/app.out" 2>&1
check "corouter app exits 0" test $? -eq 0
check "corouter app names the version and its source" \
  grep -qE "^app version 3 \(--watch $work/app.yaml\), 2 routes, loaded [0-9-]+ [0-9:]+ UTC$" "$work/app.out"
check "corouter app prints the route file" grep -qx "  - name: three" "$work/app.out"
route four /four >"$work/four.yaml"
timeout 10 "$client_bin" app --server "$server" --load "$work/four.yaml" >"$work/load.out" 2>&1
check "corouter app --load exits 0" test $? -eq 0
check "corouter app --load says the new version" \
  grep -qE "^loaded $work/four.yaml: app version 4 \(LoadApp\), 2 routes" "$work/load.out"
check "the loaded app serves at once" answers /four '{"route":"four"}'
printf 'routes: [ {bad\n' >"$work/bad.yaml"
timeout 10 "$client_bin" app --server "$server" --load "$work/bad.yaml" >/dev/null 2>"$work/bad.err"
check "corouter app --load of a bad file exits 1" test $? -eq 1
check "its error names the file and line" grep -qE "INVALID_ARGUMENT.*$work/bad.yaml:[0-9]+: YAML syntax" "$work/bad.err"
check "the app is still version 4" answers /four '{"route":"four"}'
timeout 10 "$client_bin" app --server "$server" --load "$work/missing.yaml" >/dev/null 2>"$work/missing.err"
check "corouter app --load of a missing file is a usage error" test $? -eq 2
timeout 10 "$client_bin" stats --server "$server" >"$work/stats.out" 2>&1
check "corouter stats names the app version" grep -qE "^app version 4 \(LoadApp\)" "$work/stats.out"
kill "$server_pid"
wait "$server_pid"
check "the watching server stops with exit 0" test $? -eq 0

# Without --admin.
rm -f "$work/port"
start_server "$work/plain.log" "$work/port" "$server_bin" --listen 127.0.0.1:0 \
  --port-file "$work/port" --app "$work/four.yaml"
server=127.0.0.1:$(cat "$work/port")
timeout 10 "$client_bin" app --server "$server" >/dev/null 2>"$work/off.err"
check "corouter app against a server without --admin exits 1" test $? -eq 1
check "it says how to turn admin on" grep -q "FAILED_PRECONDITION.*--admin" "$work/off.err"
kill "$server_pid"
wait "$server_pid"
server_pid=

timeout 10 "$server_bin" --check "$work/four.yaml" >"$work/check.out" 2>&1
check "--check of a good file exits 0 with its route count" \
  test $? -eq 0 -a "$(cat "$work/check.out")" = "$work/four.yaml: OK, 2 routes"
timeout 10 "$server_bin" --check "$work/app.yaml" >/dev/null 2>"$work/check.err"
check "--check of a bad file exits 1" test $? -eq 1
check "--check names the file and line" grep -q -- "--check $work/app.yaml:3: " "$work/check.err"
timeout 10 "$server_bin" --watch --listen 127.0.0.1:0 >/dev/null 2>"$work/usage.err"
check "--watch without --app is a usage error" test $? -ne 0 -a -s "$work/usage.err"
check "its message names --app" grep -q -- "--app" "$work/usage.err"
finish
