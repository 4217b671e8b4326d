#!/bin/sh
# Run unit-test binaries and sum their "N passed, N failed[, N skipped]" lines.
#   tests/run-unit.sh "RUNNER" BIN...   (RUNNER: e.g. qemu-aarch64-static, or "")
set -u
runner=$1
shift
passed=0 failed=0 skipped=0
for bin in "$@"; do
	echo "== $(basename "$bin")"
	out=$($runner "$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	last=$(printf '%s\n' "$out" | tail -n 1)
	p=$(printf '%s\n' "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
	f=$(printf '%s\n' "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
	s=$(printf '%s\n' "$last" | sed -n 's/.*, \([0-9]*\) skipped$/\1/p')
	if [ -z "$p" ]; then
		echo "FAIL $(basename "$bin"): exited $rc without a summary line"
		failed=$((failed + 1))
		continue
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $(basename "$bin"): exit status $rc"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
done
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
