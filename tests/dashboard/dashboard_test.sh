#!/usr/bin/env bash
# `corouter dashboard` in a real browser: corouter-server and the dashboard
# on 127.0.0.1 with OS-chosen ports, Debian's chromium driven by
# playwright-core (dashboard_browser.mjs), requests sent with the real
# `corouter call` after the page opened.
#   dashboard_test.sh SERVER_BINARY CLIENT_BINARY BUILD_DIR
# playwright-core is installed once under BUILD_DIR/playwright (pinned; a
# second run needs no network). The screenshot is kept at
# BUILD_DIR/artifacts/dashboard.png. Every wait is bounded; prints
# "N passed, N failed".
set -u
server_bin=$1
client_bin=$2
build_dir=$(mkdir -p "$3" && cd "$3" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
playwright_version=1.61.1  # the last that runs on bookworm's nodejs 18 (later ones need 20)
chromium=${CHROMIUM:-/usr/bin/chromium}
node_dir=$build_dir/playwright
artifacts=$build_dir/artifacts
work=$(mktemp -d)
server_pid=""
server_b_pid=""
dashboard_pid=""
cleanup() {
  [ -n "$dashboard_pid" ] && kill "$dashboard_pid" 2>/dev/null && wait "$dashboard_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$server_b_pid" ] && kill "$server_b_pid" 2>/dev/null && wait "$server_b_pid" 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=tests/lib/checks.sh
. "$(dirname "$0")/../lib/checks.sh"


for tool in node npm "$chromium"; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL $tool is missing (scripts/install-deps.sh installs it)"; exit 1
  fi
done
installed=$(node -p "require('$node_dir/node_modules/playwright-core/package.json').version" 2>/dev/null)
if [ "$installed" != "$playwright_version" ]; then
  mkdir -p "$node_dir"
  [ -f "$node_dir/package.json" ] || echo '{"private": true}' >"$node_dir/package.json"
  timeout 90 npm install --prefix "$node_dir" --cache "$node_dir/npm-cache" --no-audit --no-fund \
    --loglevel=error "playwright-core@$playwright_version" >"$work/npm.log" 2>&1
  check "npm installs playwright-core $playwright_version" test $? -eq 0 || cat "$work/npm.log"
fi
mkdir -p "$artifacts"

# The docs stay true: every flag docs/tracing.md's synopsis names exists.
repo=$(cd "$here/../.." && pwd)
"$client_bin" dashboard --help >"$work/help.txt" 2>&1
docs_ok=0
doc_flags=$(sed -n '/^corouter dashboard \[/,/^```/p' "$repo/docs/tracing.md" | grep -oE -- '--[a-z-]+' | sort -u)
for flag in $doc_flags; do
  grep -q -- "$flag" "$work/help.txt" || { echo "docs/tracing.md names $flag; corouter dashboard has none"; docs_ok=1; }
done
check "docs/tracing.md's dashboard flags exist ($(echo $doc_flags | wc -w))" test "$docs_ok" -eq 0 -a -n "$doc_flags"

# A bad flag: one line naming it, exit 2, nothing served.
timeout 10 "$client_bin" dashboard --listen nowhere >"$work/bad.out" 2>"$work/bad.err"
check "a bad --listen exits 2" test $? -eq 2
check "a bad --listen is named on stderr" grep -q -- "--listen" "$work/bad.err"

# Ctrl-C: a dashboard whose server is not there (it keeps retrying) exits 0.
timeout 20 "$client_bin" dashboard --server 127.0.0.1:1 --listen 127.0.0.1:0 \
  --port-file "$work/int-port" >"$work/int.out" 2>&1 &
int_pid=$!
check "a dashboard with an unreachable server serves anyway" await_file "$work/int-port"
pkill -INT -P "$int_pid"  # the dashboard itself, not the `timeout` around it
wait "$int_pid"
check "dashboard exits 0 on Ctrl-C" test $? -eq 0

# Two servers watched by one dashboard: A at full time (seed 003's
# sleep(2s) and blocking call take 2 s), B at half (its def blocks 1 s).
timeout 100 "$server_bin" --listen 127.0.0.1:0 --port-file "$work/port" \
  >"$work/server.log" 2>&1 &
server_pid=$!
timeout 100 "$server_bin" --listen 127.0.0.1:0 --port-file "$work/port-b" --time-scale 0.5 \
  >"$work/server-b.log" 2>&1 &
server_b_pid=$!
check "server A writes its port file" await_file "$work/port"
check "server B writes its port file" await_file "$work/port-b"
server=127.0.0.1:$(cat "$work/port")
server_b=127.0.0.1:$(cat "$work/port-b")

timeout 100 "$client_bin" dashboard --server "$server" --server "$server_b" --listen 127.0.0.1:0 \
  --port-file "$work/dashboard-port" >"$work/dashboard.out" 2>"$work/dashboard.err" &
dashboard_pid=$!
check "dashboard writes its port file" await_file "$work/dashboard-port"
url=http://127.0.0.1:$(cat "$work/dashboard-port")/
check "dashboard prints the URL it serves" grep -q "^dashboard: $url" "$work/dashboard.out"

DASHBOARD_URL=$url COROUTER_CLI=$client_bin COROUTER_SERVER=$server SERVER_PID=$server_pid \
  COROUTER_SERVER_B=$server_b SERVER_B_PID=$server_b_pid SERVER_BIN=$server_bin \
  CHROMIUM=$chromium SCREENSHOT=$artifacts/dashboard.png \
  PLAYWRIGHT_CORE=$node_dir/node_modules/playwright-core \
  timeout 90 node "$here/dashboard_browser.mjs"
check "the browser test passes" test $? -eq 0
# The browser test stopped them already, unless it failed early.
kill -TERM "$server_pid" "$server_b_pid" 2>/dev/null
wait "$server_pid" "$server_b_pid"
server_pid=""
server_b_pid=""
[ -s "$artifacts/dashboard.png" ] && echo "screenshot: $artifacts/dashboard.png"

# The servers are gone; the dashboard still serves, and SIGTERM ends it with 0.
kill -TERM "$dashboard_pid"
wait "$dashboard_pid"
check "dashboard exits 0 on SIGTERM" test $? -eq 0
dashboard_pid=""
check "dashboard writes nothing on stderr" test ! -s "$work/dashboard.err"

finish
