#!/usr/bin/env bash
# TLS, mutual TLS and token auth with the real binaries, as a user runs them
# (docs/deployment.md, "TLS and token auth"): servers on 127.0.0.1 with
# OS-chosen ports, certificates made now by tests/lib/make_test_certs.sh.
#   tls_auth_test.sh SERVER_BINARY CLIENT_BINARY
# Every command is bounded by `timeout`; prints "N passed, N failed".
set -u
server_bin=$1
client_bin=$2
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/checks.sh
. "$here/../lib/checks.sh"
unset COROUTER_TOKEN COROUTER_SERVER

"$here/../lib/make_test_certs.sh" "$work/certs" >"$work/certs.log" 2>&1
check "openssl makes the test certificates" test -s "$work/certs/server.pem"
c=$work/certs
token=tls-auth-test_T0KEN.$$
printf '%s\n' "$token" >"$work/token"
printf 'wrong-token\n' >"$work/wrong-token"

# start NAME FLAGS...: a server on 127.0.0.1:0; sets $addr to where it listens.
start() {
  local name=$1
  shift
  timeout 120 "$server_bin" --listen 127.0.0.1:0 --port-file "$work/$name.port" --time-scale 0.1 \
    "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  await_file "$work/$name.port"
  addr=127.0.0.1:$(cat "$work/$name.port")
}

# one_line NAME FILE REGEX: FILE is exactly one line and it matches REGEX.
one_line() {
  check "$1: one line" test "$(wc -l <"$2")" -eq 1
  check "$1: says so" grep -qE -- "$3" "$2"
}

# --- Bad flags: refused before listening, one line naming the flag, exit 2.
bad_flag() {  # bad_flag NAME REGEX FLAGS...
  local name=$1 regex=$2
  shift 2
  timeout 10 "$server_bin" --listen 127.0.0.1:0 "$@" >"$work/bad.out" 2>&1
  check "server refuses $name (exit 2)" test $? -eq 2
  one_line "server refuses $name" "$work/bad.out" "^corouter-server: $regex"
}
printf '\n' >"$work/empty-token"
printf 'has space\n' >"$work/space-token"
bad_flag "a missing --tls-cert" "--tls-cert: cannot read $work/nope.pem: No such file or directory" \
  --tls-cert "$work/nope.pem" --tls-key "$c/server.key"
bad_flag "--tls-key without --tls-cert" "--tls-key needs --tls-cert" --tls-key "$c/server.key"
bad_flag "--tls-cert without --tls-key" "--tls-cert needs --tls-key" --tls-cert "$c/server.pem"
bad_flag "--tls-client-ca without --tls-cert" "--tls-client-ca needs --tls-cert" \
  --tls-client-ca "$c/ca.pem"
bad_flag "a key that is not the certificate's" \
  "--tls-key: $c/client.key: the private key does not match the certificate" \
  --tls-cert "$c/server.pem" --tls-key "$c/client.key"
bad_flag "a key file as --tls-cert" "--tls-cert: $c/server.key holds no PEM certificate" \
  --tls-cert "$c/server.key" --tls-key "$c/server.key"
bad_flag "a certificate as --tls-key" "--tls-key: $c/server.pem holds no PEM private key" \
  --tls-cert "$c/server.pem" --tls-key "$c/server.pem"
bad_flag "a missing --tls-client-ca" "--tls-client-ca: cannot read $work/nope-ca.pem" \
  --tls-cert "$c/server.pem" --tls-key "$c/server.key" --tls-client-ca "$work/nope-ca.pem"
bad_flag "an empty token file" "--auth-token-file: $work/empty-token is empty" \
  --auth-token-file "$work/empty-token"
bad_flag "a missing token file" "--auth-token-file: cannot read $work/nope: No such file" \
  --auth-token-file "$work/nope"
bad_flag "a directory as token file" "--auth-token-file: cannot read $work: Is a directory" \
  --auth-token-file "$work"
bad_flag "a token with a space" \
  "--auth-token-file: $work/space-token: byte 4 of 9 is not allowed in a bearer token" \
  --auth-token-file "$work/space-token"
bad_flag "--otlp-tls without --otlp-endpoint" "--otlp-tls needs --otlp-endpoint" --otlp-tls
bad_flag "a missing --otlp-ca" "--otlp-ca: cannot read $work/nope" \
  --otlp-endpoint 127.0.0.1:4317 --otlp-ca "$work/nope"
bad_flag "an https:// OTLP endpoint" "--otlp-endpoint: .*give HOST:PORT and --otlp-tls" \
  --otlp-endpoint https://collector:4317

# --- TLS.
start tls --tls-cert "$c/server.pem" --tls-key "$c/server.key"
tls=$addr
check "a TLS server says so" grep -q "^corouter-server: TLS with the certificate of $c/server.pem$" \
  "$work/tls.log"
check "a TLS server says where it listens" grep -q "listening on $tls" "$work/tls.log"
timeout 20 "$client_bin" call --server "$tls" --ca "$c/ca.pem" GET /hello >"$work/o" 2>"$work/e"
check "call --ca over TLS exits 0" test $? -eq 0
check "call --ca over TLS gets the body" grep -qx '{"message":"Hello"}' "$work/o"
check "call --ca over TLS writes nothing on stderr" test ! -s "$work/e"
timeout 20 "$client_bin" call --server "$tls" --ca "$c/ca.pem" --trace GET /ping >"$work/o" 2>&1
check "call --trace over TLS prints the table" grep -qE ' A +Send response .*200' "$work/o"
timeout 20 "$client_bin" routes --server "$tls" --tls --ca "$c/ca.pem" >"$work/o" 2>&1
check "routes --tls --ca over TLS" grep -qE 'GET +/hello' "$work/o"
timeout 20 "$client_bin" stats --server "localhost:${tls##*:}" --ca "$c/ca.pem" >"$work/o" 2>&1
check "stats to localhost over TLS (DNS:localhost)" grep -q "^uptime" "$work/o"

timeout 20 "$client_bin" call --server "$tls" --timeout 5s GET /hello >"$work/o" 2>"$work/e"
check "a plaintext client of a TLS server exits 1" test $? -eq 1
one_line "a plaintext client of a TLS server" "$work/e" \
  "^corouter: cannot connect to $tls: .*\(is the server using TLS\? try --tls\)$"
timeout 20 "$client_bin" watch --server "$tls" --plain --timeout 2s >"$work/o" 2>"$work/e"
check "a plaintext watch of a TLS server exits 1" test $? -eq 1
one_line "a plaintext watch of a TLS server" "$work/e" \
  "^corouter watch: cannot connect to $tls: .*try --tls\)$"
timeout 20 "$client_bin" routes --server "$tls" --ca "$c/other-ca.pem" >"$work/o" 2>"$work/e"
check "a client that does not trust the server's CA exits 1" test $? -eq 1
one_line "a client that does not trust the server's CA" "$work/e" \
  "cannot connect to $tls: TLS handshake failed: the server's certificate is not trusted \(pass the CA that signed it with --ca\)$"

start plain
plain=$addr
timeout 20 "$client_bin" call --server "$plain" --tls --ca "$c/ca.pem" GET /hello >"$work/o" 2>"$work/e"
check "a TLS client of a plaintext server exits 1" test $? -eq 1
one_line "a TLS client of a plaintext server" "$work/e" \
  "^corouter: cannot connect to $plain: TLS handshake failed: the server did not answer in TLS \(is the server using TLS\? try without --tls\)$"

# Client flag errors: exit 2, one line, before anything is sent.
timeout 10 "$client_bin" routes --server "$tls" --cert "$c/client.pem" >"$work/o" 2>"$work/e"
check "--cert without --key is a usage error (exit 2)" test $? -eq 2
one_line "--cert without --key" "$work/e" "^corouter: --cert needs --key"
timeout 10 "$client_bin" routes --server "$tls" --ca "$work/nope.pem" >"$work/o" 2>"$work/e"
check "a missing --ca is a usage error (exit 2)" test $? -eq 2
one_line "a missing --ca" "$work/e" "^corouter: --ca: cannot read $work/nope.pem: No such file"
timeout 10 "$client_bin" routes --server "$tls" --cert "$c/client.pem" --key "$c/server.key" \
  >"$work/o" 2>"$work/e"
check "a client key of another certificate is a usage error (exit 2)" test $? -eq 2
one_line "a client key of another certificate" "$work/e" "^corouter: --key: .*does not match"

# --- Mutual TLS.
start mtls --tls-cert "$c/server.pem" --tls-key "$c/server.key" --tls-client-ca "$c/ca.pem"
mtls=$addr
check "an mTLS server says it requires client certificates" \
  grep -q "client certificates required, verified against $c/ca.pem" "$work/mtls.log"
timeout 20 "$client_bin" call --server "$mtls" --ca "$c/ca.pem" --cert "$c/client.pem" \
  --key "$c/client.key" GET /hello >"$work/o" 2>&1
check "call with a client certificate over mTLS" grep -qx '{"message":"Hello"}' "$work/o"
timeout 20 "$client_bin" call --server "$mtls" --ca "$c/ca.pem" GET /hello >"$work/o" 2>"$work/e"
check "a client without a certificate exits 1" test $? -eq 1
one_line "a client without a certificate" "$work/e" \
  "cannot connect to $mtls: .*does it require a client certificate\? pass --cert and --key\)$"
timeout 20 "$client_bin" call --server "$mtls" --ca "$c/ca.pem" --cert "$c/other-client.pem" \
  --key "$c/other-client.key" GET /hello >"$work/o" 2>"$work/e"
check "a client certificate of another CA exits 1" test $? -eq 1
one_line "a client certificate of another CA" "$work/e" \
  "cannot connect to $mtls: .*does it trust the client certificate of --cert\?\)$"

# --- Token auth (over plaintext, then with mutual TLS).
start auth --auth-token-file "$work/token"
auth=$addr
check "a token server says what needs the token" \
  grep -q "every call but grpc.health.v1 needs the bearer token of $work/token" "$work/auth.log"
check "a token server without TLS warns that the token is sent in plaintext" \
  grep -q "^corouter-server: warning: --auth-token-file without --tls-cert" "$work/auth.log"
timeout 20 "$client_bin" call --server "$auth" --token-file "$work/token" GET /hello \
  >"$work/o" 2>&1
check "call --token-file is served" grep -qx '{"message":"Hello"}' "$work/o"
COROUTER_TOKEN=$token timeout 20 "$client_bin" routes --server "$auth" >"$work/o" 2>&1
check "routes with COROUTER_TOKEN is served" grep -qE 'GET +/hello' "$work/o"
COROUTER_TOKEN=wrong timeout 20 "$client_bin" stats --server "$auth" --token-file "$work/token" \
  >"$work/o" 2>&1
check "--token-file wins over COROUTER_TOKEN" grep -q "^uptime" "$work/o"
for cmd in "call GET /hello" "routes" "stats"; do
  # shellcheck disable=SC2086
  timeout 20 "$client_bin" $cmd --server "$auth" >"$work/o" 2>"$work/e"
  check "$cmd without a token exits 1" test $? -eq 1
  one_line "$cmd without a token" "$work/e" \
    "UNAUTHENTICATED: this server needs a bearer token: .*; pass --token-file FILE or set COROUTER_TOKEN$"
done
timeout 20 "$client_bin" call --server "$auth" --token-file "$work/wrong-token" GET /hello \
  >"$work/o" 2>"$work/e"
check "a wrong token exits 1" test $? -eq 1
one_line "a wrong token" "$work/e" "^corouter: \[A\] GET /hello: UNAUTHENTICATED: the bearer token is not the server's$"
timeout 20 "$client_bin" watch --server "$auth" --plain >"$work/o" 2>"$work/e"
check "watch without a token exits 1" test $? -eq 1
check "watch without a token says UNAUTHENTICATED" grep -q "WatchTraces: UNAUTHENTICATED" "$work/e"
COROUTER_TOKEN='bad token' timeout 10 "$client_bin" routes --server "$auth" >"$work/o" 2>"$work/e"
check "a COROUTER_TOKEN that cannot be sent is a usage error (exit 2)" test $? -eq 2
one_line "a COROUTER_TOKEN that cannot be sent" "$work/e" \
  "^corouter: COROUTER_TOKEN: byte 4 of 9 is not allowed in a bearer token"

# A watcher with the token sees the traced request of a client with it
# (await_subscribers would ask without the token).
timeout 20 "$client_bin" watch --server "$auth" --token-file "$work/token" --plain \
  >"$work/watch.out" 2>"$work/watch.err" &
watch_pid=$!
for _ in $(seq 200); do
  [ "$(timeout 10 "$client_bin" stats --server "$auth" --token-file "$work/token" 2>/dev/null |
    sed -nE 's/^watch: ([0-9]+) subscribers.*/\1/p')" = 1 ] && break
  sleep 0.05
done
timeout 20 "$client_bin" call --server "$auth" --token-file "$work/token" GET /ping >/dev/null 2>&1
check "a watcher with the token sees the request" await_lines "$work/watch.out" 'RESPONSE_SENT 200' 1
pkill -INT -P "$watch_pid"
wait "$watch_pid"
check "the watcher exits 0 on Ctrl-C" test $? -eq 0

start both --tls-cert "$c/server.pem" --tls-key "$c/server.key" --tls-client-ca "$c/ca.pem" \
  --auth-token-file "$work/token"
both=$addr
check "a TLS token server gives no plaintext warning" fails grep -q "warning" "$work/both.log"
timeout 20 "$client_bin" call --server "$both" --ca "$c/ca.pem" --cert "$c/client.pem" \
  --key "$c/client.key" --token-file "$work/token" GET /hello >"$work/o" 2>&1
check "mTLS and a token together" grep -qx '{"message":"Hello"}' "$work/o"

# corouter dashboard over mTLS with the token: the feed goes live.
timeout 30 "$client_bin" dashboard --server "$both" --ca "$c/ca.pem" --cert "$c/client.pem" \
  --key "$c/client.key" --token-file "$work/token" --listen 127.0.0.1:0 \
  --port-file "$work/dashboard.port" >"$work/dashboard.log" 2>&1 &
dashboard_pid=$!
pids+=("$dashboard_pid")
await_file "$work/dashboard.port"
timeout 10 curl -sN --max-time 3 "http://127.0.0.1:$(cat "$work/dashboard.port")/events" \
  >"$work/events.txt" 2>/dev/null
check "the dashboard's feed over mTLS with the token goes live" grep -q '"state":"live"' \
  "$work/events.txt"
kill -TERM "$dashboard_pid"
wait "$dashboard_pid"

# The token never appears in what the server or the clients printed.
check "the token is in no log or output" fails grep -rqF -- "$token" "$work"/*.log "$work"/o \
  "$work"/e "$work"/watch.out "$work"/watch.err "$work"/events.txt

# The docs' flags exist (docs/deployment.md's client flag table).
"$client_bin" call --help >"$work/call-help.txt" 2>&1
"$server_bin" --help >"$work/server-help.txt" 2>&1
for flag in --tls --ca --cert --key --token-file; do
  check "corouter call --help lists $flag" grep -q -- "$flag" "$work/call-help.txt"
done
for flag in --tls-cert --tls-key --tls-client-ca --auth-token-file --otlp-tls --otlp-ca; do
  check "corouter-server --help lists $flag" grep -q -- "$flag" "$work/server-help.txt"
done

finish
