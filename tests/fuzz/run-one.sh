#!/bin/sh
# run-one.sh HARNESS CORPUS-DIR: runs one libFuzzer harness for $FUZZ_SECONDS (default 25)
# over its corpus. New inputs go to a scratch directory, so the corpus in the tree changes
# only when someone copies findings into it on purpose; a crash is written next to this
# script as crash-<sha1> (git ignores those) and fails the run.
set -eu
harness=$1
corpus=$2
seconds=${FUZZ_SECONDS:-25}
artifacts=${FUZZ_ARTIFACTS:-$(dirname "$0")}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/madoguchi-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' INT TERM
[ -d "$corpus" ] || { echo "run-one.sh: no corpus at $corpus" >&2; exit 2; }
echo "$(basename "$harness"): ${seconds} s over $corpus"
# Not exec: the shell stays to remove the scratch directory when the harness ends.
status=0
"$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$artifacts/" "$scratch" "$corpus" || status=$?
exit $status
