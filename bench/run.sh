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
#   BENCH_MIX          the mixed run's weights (default issue=4,call=8,read=88)
#   BENCH_VAR          where the generated history is kept between runs (default BUILDDIR/bench/var)
#   BENCH_REPORTS=0    skip the report-time benchmark (5 years of history for 24 offices,
#                      generated once into BENCH_VAR: several minutes and a few GiB)
#   BENCH_NICE         the priority the measured processes run at when root (default -10)
#   BENCH_QUICK=1      a short smoke run: 3 s, one round, 30 days of history, no report timing
# Exit status: 0 when every target is met, 1 when one is missed, 2 when something failed.
set -eu

BUILD=$(cd "${1:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_DURATION:=3}" "${BENCH_REPEAT:=1}" "${BENCH_DAYS:=30}" "${BENCH_REPORTS:=0}"
fi
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
REPEAT=${BENCH_REPEAT:-3}
DAYS=${BENCH_DAYS:-365}
PER_DAY=${BENCH_PER_DAY:-250}
SSE=${BENCH_SSE:-200}
MIX=${BENCH_MIX:-issue=4,call=8,read=88}
REPORTS=${BENCH_REPORTS:-1}
REPORT_PER_DAY=${BENCH_REPORT_PER_DAY:-60}
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

# Others' work on the same machine (builds, browsers) must not take the measured cores away:
# when we may, both servers and the load run at a raised priority, the same for all.
NICE=
if [ "$(id -u)" = 0 ]; then
	NICE="nice -n ${BENCH_NICE:--10}"
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
	$NICE taskset -c "$SERVER_CPU" "$@" 2>"$log" &
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
	$NICE taskset -c "$LOAD_CPU" "$LOAD" --server "$ADDR" --connections "$CONNECTIONS" --duration "$DURATION" \
		--warmup 1 "$@" >"$out" 2>"$out.err" || { cat "$out.err" >&2; exit 2; }
	end=$(date +%s.%N)
	after=$(server_cpu)
	echo "$before $after $start $end" | awk '{ printf "%.0f\n", 100 * ($2 - $1) / ($4 - $3) }' >"$out.cpu"
}

# daemon_start DIR NAME: madoguchid on a fresh copy of the history, with an admin token in TOKEN.
daemon_start() {
	rm -f "$1/madoguchi.db" "$1/madoguchi.db-wal" "$1/madoguchi.db-shm"
	cp "$HISTORY_DB" "$1/madoguchi.db"
	TOKEN=$("$CTL" --db "$1/madoguchi.db" token add --role admin --office '*' --note bench 2>/dev/null)
	start_server "$1/$2.log" "$DAEMON" --db "$1/madoguchi.db" --listen 127.0.0.1:0 --always-open
}

# daemon_stop NAME: its peak memory kept as NAME, then SIGTERM.
daemon_stop() {
	keep "$1" "$(awk '/^VmHWM:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$SERVER_PID/status")"
	stop_server
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

# hello_figures NAME [ARGS…]: madoguchi-hello with ARGS under the hello load, its figures kept
# as NAME_rps, NAME_p99 and NAME_cpu.
hello_figures() {
	name=$1
	shift
	start_server "$R/$name.log" "$HELLO" --listen 127.0.0.1:0 "$@"
	load "$R/$name" --mix hello=1
	stop_server
	keep "${name}_rps" "$(field "$R/$name" hello rps)"
	keep "${name}_p99" "$(field "$R/$name" hello p99_ms)"
	keep "${name}_cpu" "$(cat "$R/$name.cpu")"
}

# --- the rounds ---
round=1
while [ "$round" -le "$REPEAT" ]; do
	echo "bench: round $round of $REPEAT" >&2
	R=$WORK/r$round
	mkdir -p "$R"

	hello_figures hello
	# The same server with each reply held until its request's line is fdatasync'd, a turn's
	# lines written together as madoguchid commits: what durability alone costs here.
	hello_figures durable --durable "$R/durable.lines"

	# Each figure on a fresh daemon and a fresh copy of the history: what one run leaves
	# waiting (the issue run, tens of thousands of tickets) is no state to measure the next in.
	daemon_start "$R" issue
	keep issue_rss0_mib "$(awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$SERVER_PID/status")"
	load "$R/issue" --mix issue=1 --token "$TOKEN"
	keep issue_rps "$(field "$R/issue" issue rps)"
	keep issue_p99 "$(field "$R/issue" issue p99_ms)"
	keep issue_cpu "$(cat "$R/issue.cpu")"
	keep issue_errors "$(field "$R/issue" issue errors)"
	keep issue_replies "$(field "$R/issue" issue replies)"
	daemon_stop issue_rss_mib

	daemon_start "$R" read
	load "$R/read" --mix read=1 --token "$TOKEN" --preload 2000
	keep read_rps "$(field "$R/read" read rps)"
	keep read_p99 "$(field "$R/read" read p99_ms)"
	keep read_cpu "$(cat "$R/read.cpu")"
	keep read_errors "$(field "$R/read" read errors)"
	daemon_stop rss_mib

	# The realistic mix: phones polling their tickets, kiosks issuing, counters calling as fast
	# as tickets come (a call and a start per ticket, so the queue neither grows nor drains),
	# and boards and phones streaming the office's events; 2000 tickets wait when it starts.
	daemon_start "$R" mix
	load "$R/mix" --mix "$MIX" --token "$TOKEN" --sse "$SSE" --preload 2000
	keep mix_rps "$(field "$R/mix" all rps)"
	keep mix_p99 "$(field "$R/mix" all p99_ms)"
	keep mix_issue_p99 "$(field "$R/mix" issue p99_ms)"
	keep mix_call_p99 "$(field "$R/mix" call p99_ms)"
	keep mix_read_p99 "$(field "$R/mix" read p99_ms)"
	keep mix_errors "$(field "$R/mix" all errors)"
	keep mix_sse "$(field "$R/mix" sse subscribers)"
	keep mix_sse_events "$(field "$R/mix" sse events_per_s)"

	daemon_stop rss_mib
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
echo "mix: $MIX with $SSE event-stream subscribers"
echo "database: $DAYS days of history ($db_mib MiB), WAL, every reply after its commit's fdatasync"
echo
printf '%-34s %12s %8s %10s %8s  %s\n' figure median ratio target "srv cpu" verdict
printf '%-34s %12.0f %8s %10s %7s%%  %s\n' "hello: requests/s" "$hello" 1.00 "" "$(median hello_cpu)" ""
durable=$(median durable_rps)
printf '%-34s %12.0f %8s %10s %7s%%  %s\n' "durable hello: requests/s" "$durable" "$(ratio "$durable" "$hello")" "" \
	"$(median durable_cpu)" ""
v=$(median issue_rps); r=$(ratio "$v" "$hello"); ok=$(verdict "$r" '>=' 0.30) || failed=1
printf '%-34s %12.0f %8s %10s %7s%%  %s\n' "ticket issue: tickets/s" "$v" "$r" ">= 0.30" "$(median issue_cpu)" "$ok"
v=$(median read_rps); r=$(ratio "$v" "$hello"); ok=$(verdict "$r" '>=' 0.60) || failed=1
printf '%-34s %12.0f %8s %10s %7s%%  %s\n' "status reads: reads/s" "$v" "$r" ">= 0.60" "$(median read_cpu)" "$ok"
v=$(median mix_p99); ok=$(verdict "$v" '<=' 10) || failed=1
printf '%-34s %12.2f %8s %10s %8s  %s\n' "mix p99 latency (ms)" "$v" "" "<= 10" "" "$ok"
v=$(sort -g "$WORK/fig.rss_mib" | tail -n 1); ok=$(verdict "$v" '<' 64) || failed=1
printf '%-34s %12.1f %8s %10s %8s  %s\n' "peak RSS, year of history (MiB)" "$v" "" "< 64" "" "$ok"
echo
printf '%-34s %12.2f\n' "hello p99 (ms)" "$(median hello_p99)"
printf '%-34s %12.2f\n' "durable hello p99 (ms)" "$(median durable_p99)"
printf '%-34s %12.2f\n' "ticket issue p99 (ms)" "$(median issue_p99)"
printf '%-34s %12s\n' "ticket issue ÷ durable hello" "$(ratio "$(median issue_rps)" "$durable")"
printf '%-34s %12.2f\n' "status read p99 (ms)" "$(median read_p99)"
printf '%-34s %12.0f\n' "mix: requests/s" "$(median mix_rps)"
printf '%-34s %12.2f  %.2f  %.2f\n' "mix p99 issue / call / read (ms)" "$(median mix_issue_p99)" "$(median mix_call_p99)" \
	"$(median mix_read_p99)"
printf '%-34s %12s\n' "mix: SSE subscribers" "$(median mix_sse)"
printf '%-34s %12s\n' "mix: SSE events/s received" "$(median mix_sse_events)"
printf '%-34s %12s  %s  %s\n' "errors issue / read / mix" "$(median issue_errors)" "$(median read_errors)" \
	"$(median mix_errors)"
# The issue run's daemon ends holding every ticket it issued, all waiting, so its memory grows
# with the rate (at 11 500 a second, 126 000 tickets: several big cities' busiest day at once);
# it is shown with what a ticket in line costs, not held to the year-of-history target.
v=$(median issue_rss_mib); v0=$(median issue_rss0_mib)
n=$(median issue_replies | awk -v d="$DURATION" '{ printf "%.0f", $1 * (d + 1) / d }')
printf '%-34s %12.1f  with ~%s tickets waiting: %s bytes a ticket\n' "issue run: peak RSS (MiB)" "$v" "$n" \
	"$(awk -v m="$v" -v m0="$v0" -v n="$n" 'BEGIN { printf "%.0f", (n > 0 ? (m - m0) * 1048576 / n : 0) }')"

# --- report time: a year's report and a progress export over 5 years of 24 offices ---

# A city of Osaka's size: its 24 wards, each with the demo city's procedures, counters and hours.
city24() {
	awk 'BEGIN {
		n = split("kita:北区 miyakojima:都島区 fukushima:福島区 konohana:此花区 chuo:中央区 nishi:西区" \
			" minato:港区 taisho:大正区 tennoji:天王寺区 naniwa:浪速区 nishiyodogawa:西淀川区" \
			" higashiyodogawa:東淀川区 higashinari:東成区 ikuno:生野区 asahi:旭区 joto:城東区 abeno:阿倍野区" \
			" sumiyoshi:住吉区 higashisumiyoshi:東住吉区 nishinari:西成区 yodogawa:淀川区 tsurumi:鶴見区" \
			" suminoe:住之江区 hirano:平野区", wards, " ")
	}
	/^\[office / { office = 1; keep = $0 == "[office naka]"; next }
	/^\[/ { office = 0 }
	!office { print; next }
	keep && !/^name/ { block = block $0 "\n" }
	END {
		for (i = 1; i <= n; i++) {
			split(wards[i], w, ":")
			printf "[office %s]\nname = %s役所\n%s", w[1], w[2], block
		}
	}' "$SRC/etc/demo-city.ini"
}

# seconds CMD…: wall seconds CMD took (its output discarded); fails the bench when CMD fails.
seconds() {
	t0=$(date +%s.%N)
	"$@" >/dev/null || { echo "bench: failed: $*" >&2; exit 2; }
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }'
}

if [ "$REPORTS" != 0 ]; then
	CITY=$VAR/city-24.ini
	REPORT_DB=$VAR/history-5y-24-$REPORT_PER_DAY.db
	city24 >"$CITY.tmp" && mv "$CITY.tmp" "$CITY"
	if [ ! -s "$REPORT_DB" ]; then
		echo "bench: generating 5 years of history for 24 offices into $REPORT_DB (once; minutes)" >&2
		rm -f "$REPORT_DB.tmp" "$REPORT_DB.tmp-wal" "$REPORT_DB.tmp-shm"
		"$HISTORY" --db "$REPORT_DB.tmp" --config "$CITY" --days 1826 --per-day "$REPORT_PER_DAY" >&2
		mv "$REPORT_DB.tmp" "$REPORT_DB"
	fi
	# The last fiscal year (April–March) that is over.
	FY=$(date +%Y)
	[ "$(date +%m)" -ge 4 ] && FY=$((FY - 1)) || FY=$((FY - 2))
	cp "$REPORT_DB" "$WORK/report.db"
	SUPERVISOR=$("$CTL" --db "$WORK/report.db" token add --role supervisor --office '*' --note bench 2>/dev/null)
	start_server "$WORK/report.log" "$DAEMON" --db "$WORK/report.db" --config "$CITY" --listen 127.0.0.1:0
	YEAR="from=$FY-04-01&to=$((FY + 1))-03-31"
	for i in 1 2 3; do
		keep export_s "$(seconds "$CTL" --db "$WORK/report.db" export progress --fy "$FY" --config "$CITY" --format csv)"
		for by in day hour service; do
			keep "report_${by}_s" "$(seconds curl -sf -H "Authorization: Bearer $SUPERVISOR" \
				"http://$ADDR/api/v1/offices/kita/reports/waits?$YEAR&by=$by")"
		done
	done
	stop_server
	report_mib=$(du -m "$REPORT_DB" | cut -f1)
	echo
	echo "report time: 24 offices, 5 years of history ($report_mib MiB), fiscal year $FY; median of 3"
	for f in report_day_s report_hour_s report_service_s export_s; do
		v=$(median $f); ok=$(verdict "$v" '<' 1) || failed=1
		case $f in
		report_day_s) what="a year's report by day (HTTP)" ;;
		report_hour_s) what="a year's report by hour (HTTP)" ;;
		report_service_s) what="a year's report by procedure (HTTP)" ;;
		export_s) what="progress export, all offices (ctl)" ;;
		esac
		printf '%-38s %8.3f s  %8s  %s\n' "$what" "$v" "< 1 s" "$ok"
	done
fi
exit $failed
