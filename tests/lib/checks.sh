# tests/lib/checks.sh: what the shell tests that drive the real binaries
# share. Source it after setting client_bin (for await_subscribers) and
# server ("127.0.0.1:PORT") where those are used.
#   check NAME COMMAND...      runs COMMAND; counts and prints ok/FAIL NAME
#   fails COMMAND...           succeeds when COMMAND fails (for check)
#   await_file FILE            bounded wait (10 s) for a non-empty FILE
#   await_lines FILE REGEX N   bounded wait (10 s) for N lines of FILE matching REGEX
#   await_subscribers N        bounded wait (10 s) for N WatchTraces subscribers on $server
#   finish                     prints "N passed, N failed"; fails if any failed
#   start_scratch PREFIX       sets work (a fresh temporary directory) and an EXIT
#                              trap that stops $server_pid, if set, and removes it
#   start_server LOG PORT_FILE COMMAND...
#                              starts COMMAND in the background (sets server_pid)
#                              and waits (10 s) for PORT_FILE; fails, with LOG on
#                              stderr, if COMMAND exits first or the wait runs out
passed=0
failed=0

check() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}

fails() { ! "$@"; }

await_file() {
  for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done
  return 1
}

await_lines() {
  for _ in $(seq 200); do
    [ "$(grep -cE -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
    sleep 0.05
  done
  return 1
}

subscribers() {  # the server's WatchTraces subscriber count
  timeout 10 "$client_bin" stats --server "$server" 2>/dev/null |
    sed -nE 's/^watch: ([0-9]+) subscribers.*/\1/p'
}

await_subscribers() {
  for _ in $(seq 200); do [ "$(subscribers)" = "$1" ] && return 0; sleep 0.05; done
  return 1
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

start_scratch() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  server_pid=
  trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
}

start_server() {
  local log=$1 port_file=$2
  shift 2
  "$@" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    [ -s "$port_file" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.1
  done
  return 1
}
