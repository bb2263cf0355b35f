#!/usr/bin/env bash
# The wire contract stays buf STANDARD lint clean (proto/buf.yaml: corouter's
# own corouter/v1; the vendored subsets keep their upstream names).
#   buf_lint.sh BUILD_DIR
# buf comes from npm (@bufbuild/buf, pinned), installed once under the build
# dir, so a second run needs no network. Prints "N passed, N failed".
set -u
build_dir=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
buf_version=1.75.0
node_dir="$build_dir/node"
# shellcheck source=tests/lib/checks.sh
. "$(dirname "$0")/../lib/checks.sh"

if ! command -v npm >/dev/null; then
  echo "FAIL npm is missing (scripts/install-deps.sh installs it)"; exit 1
fi
installed=$("$node_dir/node_modules/.bin/buf" --version 2>/dev/null)
if [ "$installed" != "$buf_version" ]; then
  mkdir -p "$node_dir"
  [ -f "$node_dir/package.json" ] || echo '{"private": true}' >"$node_dir/package.json"
  timeout 90 npm install --prefix "$node_dir" --cache "$node_dir/npm-cache" --no-audit --no-fund \
    --loglevel=error "@bufbuild/buf@$buf_version" >"$node_dir/buf-npm.log" 2>&1
  check "npm installs @bufbuild/buf $buf_version" test $? -eq 0
  [ -x "$node_dir/node_modules/.bin/buf" ] || cat "$node_dir/buf-npm.log"
fi
buf="$node_dir/node_modules/.bin/buf"
out=$(cd "$repo/proto" && timeout 60 "$buf" lint 2>&1)
check "proto/ is buf STANDARD lint clean" test $? -eq 0 -a -z "$out"
[ -z "$out" ] || echo "$out"
finish
