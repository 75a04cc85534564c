#!/bin/sh
# Quick start: install what is missing, build, and run madoguchid on the bundled demo city
# (堺市, seven ward offices) at http://127.0.0.1:8080 with its database in ./var/.
# Extra arguments go to madoguchid, e.g. etc/demo.sh --always-open
set -eu
cd "$(dirname "$0")/.."
etc/debian-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build
exec build/daemon/madoguchid "$@"
