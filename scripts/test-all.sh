#!/bin/sh
# Everything CI checks, from a fresh Debian 12 machine: install dependencies,
# build and test x86_64 and aarch64 (cross-built, unit tests under
# qemu-user, KVM tests in the nested harness), then one total line.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM
tp=0 tf=0 ts=0
for arch in x86_64 aarch64; do
	if ! scripts/deps.sh "$arch"; then
		echo "FAIL deps $arch: could not install dependencies"
		tf=$((tf + 1))
		continue
	fi
	make -j"$(nproc)" ARCH="$arch" check 2>&1 | tee "$log"
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$last" ]; then
		echo "FAIL make ARCH=$arch check: no summary (build failed?)"
		tf=$((tf + 1))
		continue
	fi
	p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$last" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
	s=$(echo "$last" | sed -n 's/.*, \([0-9]*\) skipped$/\1/p')
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + ${s:-0}))
done
# A bounded libFuzzer run of the host's wire-frame assembler (host arch only).
if make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}" >"$log" 2>&1; then
	echo "ok   fuzz_wire: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs, no crash"
	tp=$((tp + 1))
else
	tail -n 30 "$log"
	echo "FAIL fuzz_wire: make fuzz failed (artifacts in build/$(uname -m)/fuzz/)"
	tf=$((tf + 1))
fi
echo "### all arches"
if [ "$ts" -gt 0 ]; then
	echo "$tp passed, $tf failed, $ts skipped"
else
	echo "$tp passed, $tf failed"
fi
[ "$tf" -eq 0 ]
