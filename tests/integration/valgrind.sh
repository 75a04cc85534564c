#!/bin/sh
# tests/integration/valgrind.sh [BUILDDIR] [meson test arguments…] — the integration suite with
# every madoguchid it starts running under valgrind's memcheck (through MADOGUCHI_WRAPPER,
# see harness.py). Fails when a test fails, when a daemon exits with memcheck's error status
# (invalid accesses, uninitialised values, definite leaks), and — because a daemon killed
# with SIGKILL never reaches its exit status — when any daemon's log shows an error at all.
set -u
cd "$(dirname "$0")/../.."
build=${1:-build}
[ $# -gt 0 ] && shift
logs=$(mktemp -d "${TMPDIR:-/tmp}/madoguchi-valgrind.XXXXXX")
trap 'rm -rf "$logs"' EXIT
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }

MADOGUCHI_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
--show-leak-kinds=definite --track-fds=no --num-callers=30 --log-file=$logs/memcheck.%p.log"
export MADOGUCHI_WRAPPER
status=0
meson test -C "$build" --suite integration --timeout-multiplier 6 --num-processes 2 --print-errorlogs "$@" || status=1

errors=$(grep -lE 'Invalid (read|write|free)|uninitialised|Conditional jump|Mismatched free|Syscall param|overlap|definitely lost in' "$logs"/memcheck.*.log 2>/dev/null)
if [ -n "$errors" ]; then
	for f in $errors; do
		echo "=== $(basename "$f")"
		cat "$f"
	done
	status=1
fi
echo "valgrind: $(ls "$logs" | wc -l) daemons checked, $(echo "$errors" | grep -c . ) with errors"
exit $status
