#!/bin/sh
# The whole test suite, as CI runs it: installs what is missing, then builds and runs
#   1. every suite (unit, integration, browser, printer, kiosk, bench) on a normal build,
#   2. the unit and integration suites again under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. the unit suite, and the integration suite's daemons, under valgrind,
#   4. each libFuzzer harness for a bounded time over its corpus.
# It ends with one line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
rm -rf build-results
etc/debian-deps.sh --test || exit 1
npm ci --prefix tests --no-audit --no-fund --loglevel=error || exit 1

status=0
runs=""
run_suite() { # NAME BUILD-DIR SETUP-ARGS… -- TEST-ARGS…
	name=$1 dir=$2; shift 2
	setup=""; while [ "$1" != "--" ]; do setup="$setup $1"; shift; done; shift
	echo "=== $name"
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" $setup >/dev/null || { status=1; return; }
	else
		meson setup "$dir" $setup >/dev/null || { status=1; return; }
	fi
	ninja -C "$dir" >/dev/null || { ninja -C "$dir" | tail -30; status=1; return; }
	meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" || status=1
	keep "$dir" "$name"
}
keep() { # each run's results, before the next run in the same build dir overwrites them
	mkdir -p build-results
	cp "$1/meson-logs/testlog.json" "build-results/$(echo "$2" | tr ' /' '__').json" 2>/dev/null &&
		runs="$runs build-results/$(echo "$2" | tr ' /' '__').json"
}

run_suite "all suites" build-test -Dtests=enabled -- --no-suite fuzz
run_suite "sanitizers" build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dtests=enabled -- \
	--suite unit --suite integration
run_suite "valgrind" build-test -- --setup valgrind --suite unit
echo "=== valgrind: integration"
tests/integration/valgrind.sh build-test || status=1
keep build-test "valgrind integration"

if [ -x tests/fuzz/run.sh ]; then
	echo "=== fuzz"
	tests/fuzz/run.sh build-fuzz || status=1
	keep build-fuzz fuzz
fi

# One closing line over every run above.
python3 - $runs <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        r = json.loads(line)['result']
        if r in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif r == 'SKIP':
            skipped += 1
        else:
            failed += 1
print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
PY
exit $status
