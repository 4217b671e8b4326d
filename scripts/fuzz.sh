#!/bin/sh
# Runs libFuzzer targets (make fuzz): each of $FUZZ_DIR/NAME for
# $FUZZ_SECONDS (60), from the committed seeds tests/fuzz/corpus/NAME and
# the inputs kept in $FUZZ_DIR/corpus/NAME; a crash, a failed check, a leak
# or a hang (10 s per input) fails it, and libFuzzer's artifact is left in
# $FUZZ_DIR. One line per target (runs, coverage), then "N passed, N failed".
#
#   FUZZ_DIR=build/x86_64/fuzz scripts/fuzz.sh fuzz_virtq fuzz_wire ...
# A target may provide seeds made at run time: scripts/fuzz-seeds.sh NAME DIR.
set -u
cd "$(dirname "$0")/.." || exit 2
dir=${FUZZ_DIR:?FUZZ_DIR not set}
secs=${FUZZ_SECONDS:-60}
pass=0 fail=0
for t in "$@"; do
	name=${t#fuzz_}
	mkdir -p "$dir/corpus/$name"
	seeds=
	[ -d "tests/fuzz/corpus/$name" ] && seeds="tests/fuzz/corpus/$name"
	[ ! -x scripts/fuzz-seeds.sh ] || scripts/fuzz-seeds.sh "$name" "$dir/corpus/$name"
	log=$dir/$t.log
	# shellcheck disable=SC2086 # $seeds: no directory, or one
	if "$dir/$t" -max_total_time="$secs" -max_len=70000 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$dir/$t-" "$dir/corpus/$name" $seeds >"$log" 2>&1; then
		runs=$(sed -n 's/.*stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | grep -o '[0-9]*')
		echo "ok   $t: ${runs:-?} runs, coverage ${cov:-?} edges, no crash (${secs} s)"
		pass=$((pass + 1))
	else
		tail -n 25 "$log"
		echo "FAIL $t: crashed or a check failed (log $log, artifacts $dir/$t-*)"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
