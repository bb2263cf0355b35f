#!/usr/bin/env bash
# Two corouter-server replicas behind Debian's nginx (grpc_pass, the committed
# deploy/nginx/corouter.conf), and the same two with gRPC's client-side
# round_robin (deploy/README.md shows this test's figures):
#   tests/deploy/replicas_test.sh SERVER_BIN CLIENT_BIN
# Installs nginx when it is missing (apt-get; root only, else exit 77: skip).
# Everything binds 127.0.0.1: the replicas on ports the OS picks (--port-file),
# nginx on a port the OS picked for a probe socket just before.
# Checks, each bounded:
#  1. nginx spreads calls over both replicas: the per-replica counts from
#     `corouter stats --server A --server B` (merged, labelled);
#  2. ExecuteTraced streams pass through nginx whole (the same steps as
#     straight from a replica);
#  3. SIGTERM to one replica while calls nginx gave it are running: every one
#     of them is answered, the replica exits 0 once drained, and new calls go
#     to the other replica;
#  4. `corouter call --lb round_robin --server ipv4:A,B` and the Python
#     example with --lb round_robin spread their calls over both replicas;
#  5. `corouter watch` with both replicas labels each event with its server.
# Prints the figures (calls per replica) that deploy/README.md quotes.
set -u -o pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
server_bin=${1:?usage: replicas_test.sh SERVER_BIN CLIENT_BIN}
client_bin=${2:?usage: replicas_test.sh SERVER_BIN CLIENT_BIN}
# shellcheck source=../lib/checks.sh
source "$here/../lib/checks.sh"
start_scratch corouter-replicas
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
fail() { echo "replicas_test: FAIL: $*" >&2; exit 1; }

if ! command -v nginx >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "replicas_test: skipped: nginx is not installed, and installing it needs root"
    exit 77
  fi
  echo "--- installing Debian's nginx"
  # RUNLEVEL=1: the package's scripts do not start the system's nginx.
  install_nginx() {
    RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive timeout 600 \
      apt-get install -y --no-install-recommends nginx >"$work/apt.log" 2>&1
  }
  install_nginx || { timeout 600 apt-get update >>"$work/apt.log" 2>&1 && install_nginx; } ||
    { cat "$work/apt.log" >&2; fail "apt-get install nginx"; }
fi
nginx_bin=$(command -v nginx)
echo "--- $("$nginx_bin" -v 2>&1)"

# One replica: the seed app, slow_task's 5 s sleep scaled to 2 s.
start_replica() {  # NAME: sets NAME_pid and NAME_port
  local name=$1
  "$server_bin" --listen 127.0.0.1:0 --port-file "$work/$name.port" --time-scale 0.4 \
    --grace 10s >"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    [ -s "$work/$name.port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log" >&2; fail "replica $name exited"; }
    sleep 0.1
  done
  [ -s "$work/$name.port" ] || fail "replica $name wrote no port within 10 s"
  printf -v "${name}_pid" %s "$pid"
  printf -v "${name}_port" %s "$(cat "$work/$name.port")"
}
start_replica a
start_replica b
a=127.0.0.1:$a_port
b=127.0.0.1:$b_port
echo "replica a: $a, replica b: $b"

# A replica's completed requests: its loops' COMPLETED column, summed.
completed() {  # SERVER
  timeout 20 "$client_bin" stats --server "$1" 2>/dev/null |
    awk '/^[0-9]+ +[0-9]+ +[0-9]+ / { n += $3 } END { print n + 0 }'
}
in_flight() {  # SERVER: its own stats' summary line
  timeout 10 "$client_bin" stats --server "$1" 2>/dev/null | sed -nE 's/^uptime .*, ([0-9]+) in flight$/\1/p'
}
ok_count() { grep -cx 'HTTP 200' "$1" || true; }
calls() {  # N METHOD TARGET: N pairs for `corouter call`
  local i
  for i in $(seq "$1"); do printf '%s\n%s\n' "$2" "$3"; done
}

# nginx with the committed config, the replicas' and its own ports put in.
start_nginx() {
  nginx_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/nginx/tmp"
  chmod 755 "$work" "$work/nginx"
  chmod 777 "$work/nginx/tmp"
  sed -e "s/127\.0\.0\.1:50052/$a/" -e "s/127\.0\.0\.1:50053/$b/" \
    -e "s/listen 127\.0\.0\.1:50051 /listen 127.0.0.1:$nginx_port /" \
    "$root/deploy/nginx/corouter.conf" >"$work/nginx/corouter.conf"
  [ "$(grep -cE "server ($a|$b) |listen 127\.0\.0\.1:$nginx_port " "$work/nginx/corouter.conf")" -eq 3 ] ||
    fail "deploy/nginx/corouter.conf no longer has the addresses this test replaces"
  cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log info;
events { worker_connections 512; }
http {
  log_format replicas '\$request_uri \$status \$upstream_addr \$upstream_trailer_grpc_status';
  access_log $work/nginx/access.log replicas;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  include $work/nginx/corouter.conf;
}
EOF
  "$nginx_bin" -t -p "$work/nginx" -e "$work/nginx/startup.log" -c "$work/nginx/nginx.conf" \
    >"$work/nginx/test.log" 2>&1 || { cat "$work/nginx/test.log" >&2; fail "nginx -t"; }
  "$nginx_bin" -p "$work/nginx" -e "$work/nginx/startup.log" -c "$work/nginx/nginx.conf" \
    >"$work/nginx/out.log" 2>&1 &
  nginx_pid=$!
  pids+=("$nginx_pid")
  for _ in $(seq 100); do
    timeout 5 "$client_bin" routes --server "127.0.0.1:$nginx_port" --timeout 2s >/dev/null 2>&1 && return 0
    kill -0 "$nginx_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
started=0
for _ in 1 2 3; do  # another process may take the probed port first
  if start_nginx; then started=1; break; fi
  kill "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
done
[ "$started" -eq 1 ] || { cat "$work/nginx/error.log" "$work/nginx/startup.log" >&2; fail "nginx did not start"; }
lb=127.0.0.1:$nginx_port
echo "nginx: $lb (grpc_pass to both)"
base_a=$(completed "$a")
base_b=$(completed "$b")

# 1. The spread: 40 calls on one client connection to nginx.
mapfile -t pairs < <(calls 40 GET /fast_task/)
timeout 60 "$client_bin" call --server "$lb" "${pairs[@]}" >"$work/spread.out" 2>&1
check "40 calls through nginx all answer 200" test "$(ok_count "$work/spread.out")" -eq 40
spread_a=$(($(completed "$a") - base_a))
spread_b=$(($(completed "$b") - base_b))
echo "figure: nginx, 40 calls on one connection: replica a $spread_a, replica b $spread_b"
check "the replicas' counts add up to the 40 calls" test $((spread_a + spread_b)) -eq 40
check "nginx gives each replica at least a quarter of the calls" \
  test "$spread_a" -ge 10 -a "$spread_b" -ge 10
timeout 20 "$client_bin" stats --server "$a" --server "$b" >"$work/merged-stats.out" 2>&1
sed 's/^/  | /' "$work/merged-stats.out"
check "merged stats label both replicas and total them" \
  grep -qE "^total +[0-9]+ +$((base_a + base_b + 40)) " "$work/merged-stats.out"
check "merged stats count /fast_task/ per replica" \
  grep -qE "^/fast_task/ +read_root +$((spread_a + spread_b)) +$spread_a +$spread_b " "$work/merged-stats.out"

# 2. ExecuteTraced through nginx: the same execution table as straight from
# a replica, times aside (--stagger: the server receives them in order).
table() { sed -E 's/[0-9]+\.[0-9]{3}s/T/g; s/\(T\)$//' "$1"; }
timeout 60 "$client_bin" call --trace --stagger 20ms --server "$lb" GET '/slow_task/1?q=test' \
  GET /fast_task/ >"$work/traced-lb.out" 2>&1
check "ExecuteTraced through nginx exits 0" test $? -eq 0
timeout 60 "$client_bin" call --trace --stagger 20ms --server "$a" GET '/slow_task/1?q=test' \
  GET /fast_task/ >"$work/traced-a.out" 2>&1
check "ExecuteTraced through nginx streams both requests to their response" \
  test "$(grep -c 'Send response .*Request complete' "$work/traced-lb.out")" -eq 2
check "ExecuteTraced through nginx shows every step a replica shows" \
  test "$(grep -cE '^[0-9]+ ' "$work/traced-lb.out")" -ge 12 -a \
  "$(table "$work/traced-lb.out" | md5sum)" = "$(table "$work/traced-a.out" | md5sum)"

# 3. SIGTERM to replica a while calls nginx gave it run.
base_b=$(completed "$b")
mapfile -t pairs < <(calls 8 GET /slow_task/1)
timeout 60 "$client_bin" call --server "$lb" "${pairs[@]}" >"$work/slow.out" 2>&1 &
slow_pid=$!
running_a=0
for _ in $(seq 100); do
  running_a=$(in_flight "$a")
  [ "${running_a:-0}" -ge 4 ] && break
  sleep 0.05
done
echo "figure: SIGTERM to replica a with $running_a of the 8 slow calls running on it"
check "replica a runs slow calls when it is stopped" test "${running_a:-0}" -ge 1
# A steady stream across the SIGTERM too: 100 calls 10 ms apart, begun before it.
mapfile -t pairs < <(calls 100 GET /fast_task/)
timeout 60 "$client_bin" call --server "$lb" --stagger 10ms "${pairs[@]}" >"$work/steady.out" 2>&1 &
steady_pid=$!
sleep 0.3  # not a synchronisation: only so that the SIGTERM falls inside the stream
kill -TERM "$a_pid"
mapfile -t pairs < <(calls 10 GET /fast_task/)
timeout 60 "$client_bin" call --server "$lb" "${pairs[@]}" >"$work/after.out" 2>&1 || true
check "the 10 calls sent after the SIGTERM all answer 200" test "$(ok_count "$work/after.out")" -eq 10
wait "$slow_pid" || true
wait "$steady_pid" || true
check "all 100 calls of the steady stream across the SIGTERM answer 200" \
  test "$(ok_count "$work/steady.out")" -eq 100
check "all 8 slow calls answer 200, those on the stopped replica too" \
  test "$(ok_count "$work/slow.out")" -eq 8
a_rc=0
for _ in $(seq 150); do kill -0 "$a_pid" 2>/dev/null || break; sleep 0.1; done
wait "$a_pid" || a_rc=$?
check "the stopped replica exits 0 once drained" test "$a_rc" -eq 0
check "the stopped replica said it was shutting down" grep -q "shutting down" "$work/a.log"
after_b=$(($(completed "$b") - base_b))
# nginx's log: a call it could not hand to replica a lists both upstreams.
retried=$(grep -c "$a, $b\|$b, $a" "$work/nginx/access.log" || true)
echo "figure: nginx passed $retried calls on to replica b after replica a refused them"
echo "figure: after the SIGTERM replica b answered $after_b calls: the 10 new ones, $((8 - running_a)) slow ones and the rest of the steady stream"
check "replica b answered the 10 new calls, its share of the slow ones and the steady stream's rest" \
  test "$after_b" -ge $((10 + 8 - running_a))

# Replica a again, for the client-side balancing.
rm -f "$work/a.port"
start_replica a
a=127.0.0.1:$a_port

# 4. Client-side round_robin over both addresses, no balancer in between.
base_a=$(completed "$a")
base_b=$(completed "$b")
mapfile -t pairs < <(calls 40 GET /fast_task/)
timeout 60 "$client_bin" call --lb round_robin --server "ipv4:$a,$b" --stagger 5ms "${pairs[@]}" \
  >"$work/rr.out" 2>&1
check "40 round_robin calls all answer 200" test "$(ok_count "$work/rr.out")" -eq 40
rr_a=$(($(completed "$a") - base_a))
rr_b=$(($(completed "$b") - base_b))
echo "figure: corouter call --lb round_robin, 40 calls 5 ms apart: replica a $rr_a, replica b $rr_b"
check "round_robin reaches both replicas" test "$rr_a" -ge 1 -a "$rr_b" -ge 1
check "round_robin's counts add up to the 40 calls" test $((rr_a + rr_b)) -eq 40
timeout 20 "$client_bin" call --lb pick_first --server "ipv4:$a,$b" GET /fast_task/ \
  >/dev/null 2>&1
check "--lb pick_first is accepted" test $? -eq 0
timeout 20 "$client_bin" call --lb random --server "$a" GET /fast_task/ >/dev/null 2>"$work/lb.err"
check "--lb with an unknown policy is a usage error" test $? -eq 2
check "--lb's error names the policies" grep -q "pick_first or round_robin" "$work/lb.err"

base_a=$(completed "$a")
base_b=$(completed "$b")
timeout 120 /usr/bin/python3 "$root/examples/clients/python/seed004_client.py" --lb round_robin \
  --server "ipv4:$a,$b" --stubs "$work/python-stubs" >"$work/python.out" 2>&1
check "the Python example runs seed 004 with --lb round_robin" test $? -eq 0
py_a=$(($(completed "$a") - base_a))
py_b=$(($(completed "$b") - base_b))
echo "figure: the Python example with round_robin: replica a $py_a, replica b $py_b"
check "the Python example's calls reach both replicas" test "$py_a" -ge 1 -a "$py_b" -ge 1

# 5. One watch over both replicas: each event labelled with its server.
timeout 30 "$client_bin" watch --plain --server "$a" --server "$b" >"$work/watch.out" \
  2>"$work/watch.err" &
watch_pid=$!
server=$a await_subscribers 1 || true
server=$b await_subscribers 1 || true
timeout 20 "$client_bin" call --server "$a" GET /hello >/dev/null
timeout 20 "$client_bin" call --server "$b" GET /hello >/dev/null
await_lines "$work/watch.out" 'RESPONSE_SENT' 2 || true
pkill -INT -P "$watch_pid" || true
watch_rc=0
wait "$watch_pid" || watch_rc=$?
grep RESPONSE_SENT "$work/watch.out" | sed 's/^/  | /'
check "a watch of both replicas exits 0 on Ctrl-C" test "$watch_rc" -eq 0
check "its lines from replica a start with a's address" grep -qE "^$a [0-9:.]+ [0-9]+-[0-9]+ .*RESPONSE_SENT 200" "$work/watch.out"
check "its lines from replica b start with b's address" grep -qE "^$b [0-9:.]+ [0-9]+-[0-9]+ .*RESPONSE_SENT 200" "$work/watch.out"
check "it wrote nothing on stderr" test ! -s "$work/watch.err"
finish
