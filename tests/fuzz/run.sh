#!/bin/sh
# tests/fuzz/run.sh [BUILDDIR] — builds the libFuzzer harnesses (clang, ASan + UBSan) and runs
# each for a bounded time over its corpus: FUZZ_SECONDS each (default 25), two at a time, so
# the whole run stays under five minutes. Exit status: 0 when no harness found anything.
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build-fuzz}
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$build" >/dev/null
exec meson test -C "$build" --suite fuzz --num-processes 2 --print-errorlogs
