#!/bin/sh
# bench/run.sh [BUILDDIR] — madoguchid's figures, each as a ratio to a bare evhttp server
# measured in the same run on the same core (see bench/README.md).
#
# The server under test (madoguchi-hello, then madoguchid) is pinned to one core and the load
# generator to another, so the two never share a core; on a noisy machine both servers see
# the same noise, and the ratios hold where raw numbers would not.
#
# Environment:
#   BENCH_DURATION     seconds measured per figure (default 10)
#   BENCH_CONNECTIONS  keep-alive connections (default 64)
#   BENCH_REPEAT       rounds; medians are printed (default 3)
#   BENCH_DAYS         days of generated history in the database (default 365)
#   BENCH_PER_DAY      residents per office on an ordinary day (default 250)
#   BENCH_SSE          event-stream subscribers in the mixed run (default 200)
#   BENCH_VAR          where the generated history is kept between runs (default BUILDDIR/bench/var)
#   BENCH_QUICK=1      a short smoke run: 3 s, one round, 30 days of history
# Exit status: 0 when every target is met, 1 when one is missed, 2 when something failed.
set -eu

BUILD=$(cd "${1:-build}" && pwd)
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_DURATION:=3}" "${BENCH_REPEAT:=1}" "${BENCH_DAYS:=30}"
fi
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
REPEAT=${BENCH_REPEAT:-3}
DAYS=${BENCH_DAYS:-365}
PER_DAY=${BENCH_PER_DAY:-250}
SSE=${BENCH_SSE:-200}
VAR=${BENCH_VAR:-$BUILD/bench/var}

DAEMON=$BUILD/daemon/madoguchid
CTL=$BUILD/daemon/madoguchictl
HELLO=$BUILD/bench/hello/madoguchi-hello
LOAD=$BUILD/bench/load/madoguchi-load
HISTORY=$BUILD/bench/history/madoguchi-bench-history
for p in "$DAEMON" "$CTL" "$HELLO" "$LOAD" "$HISTORY"; do
	[ -x "$p" ] || { echo "bench: $p is missing; build first (ninja -C $BUILD)" >&2; exit 2; }
done

# Two cores: the server gets the first, the load the last.
CPUS=$(nproc)
SERVER_CPU=0
LOAD_CPU=$((CPUS - 1))
if [ "$CPUS" -lt 2 ]; then
	echo "bench: one core only: server and load share it, the ratios still compare like with like" >&2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/madoguchi-bench.XXXXXX")
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# --- a year of history, generated once and kept ---
mkdir -p "$VAR"
HISTORY_DB=$VAR/history-${DAYS}d-${PER_DAY}.db
if [ ! -s "$HISTORY_DB" ]; then
	echo "bench: generating $DAYS days of history into $HISTORY_DB (once)" >&2
	rm -f "$HISTORY_DB" "$HISTORY_DB-wal" "$HISTORY_DB-shm"
	"$HISTORY" --db "$HISTORY_DB.tmp" --days "$DAYS" --per-day "$PER_DAY" >&2
	mv "$HISTORY_DB.tmp" "$HISTORY_DB"
fi

# --- helpers ---

# start_server LOG CMD…: runs CMD on the server core, waits for "listening on", sets ADDR.
start_server() {
	log=$1
	shift
	taskset -c "$SERVER_CPU" "$@" 2>"$log" &
	SERVER_PID=$!
	i=0
	while ! grep -q '^listening on ' "$log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
			echo "bench: $1 did not start:" >&2
			cat "$log" >&2
			exit 2
		fi
		sleep 0.05
	done
	ADDR=$(sed -n 's/^listening on //p' "$log" | head -n 1)
}

stop_server() {
	kill -TERM "$SERVER_PID"
	if ! wait "$SERVER_PID"; then
		echo "bench: the server did not exit cleanly" >&2
		exit 2
	fi
	SERVER_PID=
}

# CPU seconds the server has used so far (user + system).
server_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / hz }' "/proc/$SERVER_PID/stat"
}

# load OUT ARGS…: one load run against $ADDR on the load core; OUT gets its report, and
# OUT.cpu the server's CPU share during it.
load() {
	out=$1
	shift
	before=$(server_cpu)
	start=$(date +%s.%N)
	taskset -c "$LOAD_CPU" "$LOAD" --server "$ADDR" --connections "$CONNECTIONS" --duration "$DURATION" \
		--warmup 1 "$@" >"$out" 2>"$out.err" || { cat "$out.err" >&2; exit 2; }
	end=$(date +%s.%N)
	after=$(server_cpu)
	echo "$before $after $start $end" | awk '{ printf "%.0f\n", 100 * ($2 - $1) / ($4 - $3) }' >"$out.cpu"
}

# field FILE OP KEY: a value from a `result op=OP … KEY=value` line.
field() {
	awk -v op="$2" -v key="$3" '$1 == "result" && $2 == "op=" op {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) print kv[2] } }' "$1"
}

# keep NAME VALUE: one round's figure, for the median.
keep() {
	touch "$WORK/fig.$1"
	[ -z "$2" ] || echo "$2" >>"$WORK/fig.$1"
}

median() {
	sort -g "$WORK/fig.$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- the rounds ---
round=1
while [ "$round" -le "$REPEAT" ]; do
	echo "bench: round $round of $REPEAT" >&2
	R=$WORK/r$round
	mkdir -p "$R"

	start_server "$R/hello.log" "$HELLO" --listen 127.0.0.1:0
	load "$R/hello" --mix hello=1
	stop_server
	keep hello_rps "$(field "$R/hello" hello rps)"
	keep hello_p99 "$(field "$R/hello" hello p99_ms)"
	keep hello_cpu "$(cat "$R/hello.cpu")"

	cp "$HISTORY_DB" "$R/madoguchi.db"
	TOKEN=$("$CTL" --db "$R/madoguchi.db" token add --role admin --office '*' --note bench 2>/dev/null)
	start_server "$R/daemon.log" "$DAEMON" --db "$R/madoguchi.db" --listen 127.0.0.1:0 --always-open

	load "$R/issue" --mix issue=1 --token "$TOKEN"
	keep issue_rps "$(field "$R/issue" issue rps)"
	keep issue_p99 "$(field "$R/issue" issue p99_ms)"
	keep issue_cpu "$(cat "$R/issue.cpu")"
	keep issue_errors "$(field "$R/issue" issue errors)"

	load "$R/read" --mix read=1 --token "$TOKEN" --preload 2000
	keep read_rps "$(field "$R/read" read rps)"
	keep read_p99 "$(field "$R/read" read p99_ms)"
	keep read_cpu "$(cat "$R/read.cpu")"
	keep read_errors "$(field "$R/read" read errors)"

	# The realistic mix: kiosks, counters, phones polling, and phones and boards streaming.
	load "$R/mix" --mix issue=20,call=10,read=70 --token "$TOKEN" --sse "$SSE"
	keep mix_rps "$(field "$R/mix" all rps)"
	keep mix_p99 "$(field "$R/mix" all p99_ms)"
	keep mix_issue_p99 "$(field "$R/mix" issue p99_ms)"
	keep mix_call_p99 "$(field "$R/mix" call p99_ms)"
	keep mix_read_p99 "$(field "$R/mix" read p99_ms)"
	keep mix_errors "$(field "$R/mix" all errors)"
	keep mix_sse "$(field "$R/mix" sse subscribers)"
	keep mix_sse_events "$(field "$R/mix" sse events_per_s)"

	keep rss_mib "$(awk '/^VmHWM:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$SERVER_PID/status")"
	stop_server
	round=$((round + 1))
done

# --- the figures ---
hello=$(median hello_rps)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
	ok = (op == ">=" ? v >= t : op == "<" ? v < t : v <= t); printf "%s", ok ? "ok" : "MISSED"; exit !ok }'; }

db_mib=$(du -m "$HISTORY_DB" | cut -f1)
failed=0
echo
echo "madoguchid vs bare evhttp — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1))"
echo "server on core $SERVER_CPU, load on core $LOAD_CPU; $CONNECTIONS connections; ${DURATION} s per figure; median of $REPEAT"
echo "database: $DAYS days of history ($db_mib MiB), WAL, synchronous=FULL"
echo
printf '%-34s %12s %8s %10s %8s  %s\n' figure median ratio target "srv cpu" verdict
printf '%-34s %12.0f %8s %10s %7s%%  %s\n' "hello: requests/s" "$hello" 1.00 "" "$(median hello_cpu)" ""
v=$(median issue_rps); r=$(ratio "$v" "$hello"); ok=$(verdict "$r" '>=' 0.30) || failed=1
printf '%-34s %12.0f %8s %10s %7s%%  %s\n' "ticket issue: tickets/s" "$v" "$r" ">= 0.30" "$(median issue_cpu)" "$ok"
v=$(median read_rps); r=$(ratio "$v" "$hello"); ok=$(verdict "$r" '>=' 0.60) || failed=1
printf '%-34s %12.0f %8s %10s %7s%%  %s\n' "status reads: reads/s" "$v" "$r" ">= 0.60" "$(median read_cpu)" "$ok"
v=$(median mix_p99); ok=$(verdict "$v" '<=' 10) || failed=1
printf '%-34s %12.2f %8s %10s %8s  %s\n' "mix p99 latency (ms)" "$v" "" "<= 10" "" "$ok"
v=$(median rss_mib); ok=$(verdict "$v" '<' 64) || failed=1
printf '%-34s %12.1f %8s %10s %8s  %s\n' "peak RSS with history (MiB)" "$v" "" "< 64" "" "$ok"
echo
printf '%-34s %12.2f\n' "hello p99 (ms)" "$(median hello_p99)"
printf '%-34s %12.2f\n' "ticket issue p99 (ms)" "$(median issue_p99)"
printf '%-34s %12.2f\n' "status read p99 (ms)" "$(median read_p99)"
printf '%-34s %12.0f\n' "mix: requests/s" "$(median mix_rps)"
printf '%-34s %12.2f  %.2f  %.2f\n' "mix p99 issue / call / read (ms)" "$(median mix_issue_p99)" "$(median mix_call_p99)" \
	"$(median mix_read_p99)"
printf '%-34s %12s\n' "mix: SSE subscribers" "$(median mix_sse)"
printf '%-34s %12s\n' "mix: SSE events/s received" "$(median mix_sse_events)"
printf '%-34s %12s  %s  %s\n' "errors issue / read / mix" "$(median issue_errors)" "$(median read_errors)" \
	"$(median mix_errors)"
exit $failed
