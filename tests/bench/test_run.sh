#!/bin/sh
# bench/run.sh end to end, small: every program of bench/ starts, every figure is printed, and
# madoguchid answers every request of every load (tickets, reads, the mix with event streams)
# without an error. Speed is not judged here (bench/README.md): a missed target (exit 1) is
# fine, a run that cannot finish (exit 2) is not.
set -u
BUILD=$1
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT INT TERM

BENCH_DURATION=1 BENCH_REPEAT=1 BENCH_DAYS=3 BENCH_PER_DAY=20 BENCH_REPORTS=0 BENCH_SSE=10 \
	BENCH_NICE=0 BENCH_VAR="$OUT/var" "$SRC/bench/run.sh" "$BUILD" >"$OUT/out" 2>&1
rc=$?
cat "$OUT/out"
status=0
fail() {
	echo "FAIL: $*"
	status=1
}
[ "$rc" -le 1 ] || fail "bench/run.sh exited $rc"
# Each figure's line, with a number above zero where a rate or a time is.
for figure in "hello: requests/s" "durable hello: requests/s" "ticket issue: tickets/s" \
	"status reads: reads/s" "mix p99 latency (ms)" "peak RSS, year of history (MiB)" "mix: requests/s"; do
	awk -v f="$figure" 'index($0, f) == 1 { v = substr($0, length(f) + 1); split(v, w, " ");
		found = w[1] + 0 > 0 } END { exit !found }' "$OUT/out" || fail "no figure above zero for '$figure'"
done
grep -q '^mix: SSE subscribers *10$' "$OUT/out" || fail "the mix's 10 event-stream subscribers are missing"
grep -Eq '^errors issue / read / mix +0  0  0$' "$OUT/out" || fail "requests failed under load"
exit $status
