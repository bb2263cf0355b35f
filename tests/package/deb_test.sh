#!/usr/bin/env bash
# The Debian package, end to end (docs/embedding.md, "A Debian package"):
#   tests/package/deb_test.sh BUILD_DIR
# 1. `cpack -G DEB` in BUILD_DIR makes corouter_VERSION_amd64.deb;
# 2. its Depends names the bookworm runtime libraries the binaries link
#    (dpkg-shlibdeps), and it holds the binaries, the package config, the
#    systemd unit and the .proto files;
# 3. `apt-get install ./corouter_*.deb` installs it, the installed
#    corouter-server and corouter answer --help, and systemd's unit file
#    is where systemd looks;
# 4. `apt-get remove` takes it away again, binaries included.
# Installing a package needs root (CI runs as root): as another user the test
# is skipped (exit 77). It refuses to run over a corouter package installed
# before, which it would otherwise remove.
set -euo pipefail
build_dir=$(cd "${1:?usage: deb_test.sh BUILD_DIR}" && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "deb_test: SKIPPED: installing a .deb needs root"
  exit 77
fi
if dpkg-query -W -f='${Status}' corouter 2>/dev/null | grep -q "install ok installed"; then
  echo "deb_test: FAIL: a corouter package is installed already; remove it first" >&2
  exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/corouter-deb.XXXXXX")
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 remove -y -qq corouter \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "deb_test: FAIL: $*" >&2; exit 1; }

(cd "$build_dir" && timeout 600 cpack -G DEB -B "$work" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB"; }
deb=$(ls "$work"/corouter_*_amd64.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { cat "$work/cpack.log" >&2; fail "no corouter_*_amd64.deb made"; }
echo "deb_test: made $(basename "$deb"), $(du -h "$deb" | cut -f1)"

depends=$(dpkg-deb -f "$deb" Depends)
echo "deb_test: Depends: $depends"
for lib in 'libgrpc++1.51' libprotobuf32 libyaml-cpp0.7 libc6; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/corouter-server ./usr/bin/corouter ./usr/lib/systemd/system/corouter.service \
  ./usr/lib/cmake/corouter/corouterConfig.cmake ./usr/share/corouter/proto/corouter/v1/execution.proto \
  ./usr/include/corouter/server/serve.h; do
  grep -q " $f\$" <<<"$contents" || fail "the package has no $f"
done

DEBIAN_FRONTEND=noninteractive timeout 300 apt-get -o DPkg::Lock::Timeout=120 install -y -qq \
  --no-install-recommends "$deb" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; fail "apt-get install $deb"; }
installed=1
dpkg-query -W -f='${Status} ${Version}\n' corouter | grep -q "install ok installed" ||
  fail "dpkg does not list corouter as installed"
# Not `--help | grep -q`: grep quits at its match, and with pipefail the
# server's SIGPIPE on the rest of its help would fail the pipeline.
server_help=$(/usr/bin/corouter-server --help) || fail "/usr/bin/corouter-server --help exits non-zero"
grep -q -- "--listen" <<<"$server_help" || fail "/usr/bin/corouter-server --help has no --listen"
/usr/bin/corouter --help >/dev/null || fail "/usr/bin/corouter --help"
grep -q '^ExecStart=/usr/bin/corouter-server ' /usr/lib/systemd/system/corouter.service \
  || fail "the systemd unit does not start /usr/bin/corouter-server"
echo "deb_test: installed $(dpkg-query -W -f='${Package} ${Version}' corouter); --help answers"

DEBIAN_FRONTEND=noninteractive timeout 300 apt-get -o DPkg::Lock::Timeout=120 remove -y -qq corouter \
  >"$work/remove.log" 2>&1 || { cat "$work/remove.log" >&2; fail "apt-get remove corouter"; }
installed=0
[ ! -e /usr/bin/corouter-server ] || fail "/usr/bin/corouter-server is still there after removal"
echo "deb_test: removed; /usr/bin/corouter-server is gone"
