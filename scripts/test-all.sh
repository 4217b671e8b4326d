#!/bin/sh
# Everything CI checks, from a fresh Debian 12 machine: install dependencies,
# build and test x86_64 and aarch64 (cross-built, unit tests under
# qemu-user, KVM tests in the nested harness), a bounded fuzz run, then one
# total line.
set -u
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=tests/summary.sh
. tests/summary.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM
for arch in x86_64 aarch64; do
	if ! scripts/deps.sh "$arch"; then
		echo "FAIL deps $arch: could not install dependencies"
		summary_fail
		continue
	fi
	make -j"$(nproc)" ARCH="$arch" check 2>&1 | tee "$log"
	summary_add "$log" "make ARCH=$arch check (build failed?)"
done
# A bounded libFuzzer run of the host's wire-frame assembler (host arch only).
if make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}" >"$log" 2>&1; then
	echo "ok   fuzz_wire: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs, no crash"
	summary_pass
else
	tail -n 30 "$log"
	echo "FAIL fuzz_wire: make fuzz failed (artifacts in build/$(uname -m)/fuzz/)"
	summary_fail
fi
echo "### all arches"
summary_print
summary_ok
