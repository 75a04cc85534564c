#!/bin/sh
# Installs what madoguchi needs on Debian 12 (as root): build tools and libraries, and with
# --test also what the test suite drives (zbar, chromium, tmux, valgrind, clang's fuzzer, node).
set -eu
build="meson ninja-build gcc pkg-config python3 libevent-dev libsqlite3-dev libqrencode-dev
  libjansson-dev libinih-dev libsodium-dev libcmocka-dev libmimalloc-dev"
test="clang libclang-rt-14-dev valgrind zbar-tools chromium fonts-noto-cjk tmux curl sqlite3 e2fsprogs
  python3-prometheus-client"
want="$build"
[ "${1:-}" = "--test" ] && want="$build $test"
command -v node >/dev/null 2>&1 || want="$want nodejs"
command -v npm >/dev/null 2>&1 || want="$want npm"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "missing Debian packages:$missing — run as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi
	echo "installing:$missing" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
