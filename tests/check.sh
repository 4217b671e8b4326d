#!/bin/sh
# make check: unit tests, then the KVM integration tests (nested harness or
# direct), then one total line "N passed, N failed[, N skipped]".
#   env: ARCH BUILD KTVM_CACHE TARGET_RUN; args: unit-test binaries
set -u
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM
total_p=0 total_f=0 total_s=0
add_summary() {
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$last" ]; then
		echo "FAIL $1: no summary line"
		total_f=$((total_f + 1))
		return
	fi
	p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$last" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
	s=$(echo "$last" | sed -n 's/.*, \([0-9]*\) skipped$/\1/p')
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + ${s:-0}))
}

echo "### unit tests ($ARCH)"
tests/run-unit.sh "${TARGET_RUN:-}" "$@" | tee "$log"
add_summary "unit tests"

echo "### integration tests ($ARCH)"
tests/harness/run.sh | tee "$log"
add_summary "integration tests"

echo "### total ($ARCH)"
if [ "$total_s" -gt 0 ]; then
	echo "$total_p passed, $total_f failed, $total_s skipped"
else
	echo "$total_p passed, $total_f failed"
fi
[ "$total_f" -eq 0 ]
