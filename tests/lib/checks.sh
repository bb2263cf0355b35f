# tests/lib/checks.sh: what the shell tests that drive the real binaries
# share. Source it after setting client_bin (for await_subscribers) and
# server ("127.0.0.1:PORT") where those are used.
#   check NAME COMMAND...      runs COMMAND; counts and prints ok/FAIL NAME
#   fails COMMAND...           succeeds when COMMAND fails (for check)
#   await_file FILE            bounded wait (10 s) for a non-empty FILE
#   await_lines FILE REGEX N   bounded wait (10 s) for N lines of FILE matching REGEX
#   await_subscribers N        bounded wait (10 s) for N WatchTraces subscribers on $server
#   finish                     prints "N passed, N failed"; fails if any failed
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
    [ "$(grep -cE "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
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
