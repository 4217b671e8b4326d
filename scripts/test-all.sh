#!/bin/sh
# Everything CI checks, from a fresh Debian 12 machine: install dependencies,
# build and test x86_64 and aarch64 (cross-built, unit tests under
# qemu-user, KVM tests in the nested harness), the unit tests and a nested
# subset under ASan and UBSan, the KVM tier under TSan, a bounded run of
# every fuzz target, then one total line.
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
	# Debian's 7.x kernel and its source first: make check then builds the
	# sched_ext schedulers against it (the sched_* cases skip without it).
	case "$arch" in x86_64) debarch=amd64 ;; *) debarch=arm64 ;; esac
	scripts/fetch-debian.sh --quiet kernel "$debarch" 7 ||
		echo "note: no Debian 7.x kernel for $debarch; the sched_* cases will skip"
	make -j"$(nproc)" ARCH="$arch" check 2>&1 | tee "$log"
	summary_add "$log" "make ARCH=$arch check (build failed?)"
done
# Each arch's suite runs under one L1 kernel (x86_64: Debian 6.1, the KVM
# of a Debian 12 host; aarch64: 6.12, see tests/harness/run.sh). A subset
# of x86_64's runs under 6.12's KVM as well: boots, payloads, topologies
# and the watchpoint cases. (No aarch64 counterpart under L1 6.1: its
# guests hang now and then there, 8-vCPU and 2-vCPU ones alike, the
# reason its suite moved to 6.12.)
other_l1() { # ARCH SERIES CASES
	echo "### $1 under an L1 running Debian $2's KVM (a subset)"
	ARCH=$1 KTVM_L1_KERNEL=$2 KTVM_TESTS=$3 tests/harness/run.sh 2>&1 | tee "$log"
	summary_add "$log" "$1 under L1 $2"
}
other_l1 x86_64 6.12 "boot_bzimage_4cpu boot_elf_4cpu payload_busybox payload_32m topo_2221 \
topo_hmat topo_612 watch_sysctl watch_dump watch_guest_debug watch_snapshot"

# The unit tests under AddressSanitizer (with its leak check) and
# UndefinedBehaviorSanitizer (host arch; build/ARCH-san).
echo "### unit tests under ASan and UBSan ($(uname -m))"
make -j"$(nproc)" SANITIZE=1 check-unit 2>&1 | tee "$log"
summary_add "$log" "make SANITIZE=1 check-unit (build failed?)"
# The same sanitizers on ktvm itself, in the nested harness: boots, a
# payload, a watchpoint dump, a freeze at the end of a run, a scheduler,
# signals during a freeze and a dump.
echo "### integration subset with ktvm under ASan and UBSan ($(uname -m))"
if make -j"$(nproc)" SANITIZE=1 >"$log" 2>&1; then
	BUILD=build/$(uname -m)-san KTVM_TESTS="boot_elf_1cpu boot_bzimage_4cpu payload_busybox \
payload_args_env watch_dump timeout_dump crash_panic_dump sched_fifo_error sig_frozen \
sig_twice_in_dump" tests/harness/run.sh 2>&1 |
		tee "$log"
	summary_add "$log" "nested subset under ASan"
else
	tail -n 30 "$log"
	echo "FAIL asan_build: make SANITIZE=1 failed"
	summary_fail
fi
# The KVM tier (tests/kvm: tiny raw guests through every setup phase, its
# unwinding and the build thread's handoffs) with ThreadSanitizer, in the
# nested harness (build/ARCH-tsan; a race report fails its case).
echo "### KVM tier under TSan ($(uname -m))"
make -j"$(nproc)" SANITIZE=thread check-kvm 2>&1 | tee "$log"
summary_add "$log" "make SANITIZE=thread check-kvm (build failed?)"
# A bounded libFuzzer run of every fuzz target (host arch only).
echo "### fuzz targets, ${FUZZ_SECONDS:-20} s each"
make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-20}" >"$log" 2>&1 || tail -n 40 "$log"
grep -E '^(ok|FAIL) ' "$log"
summary_add "$log" "make fuzz (build failed?)"
echo "### all arches"
summary_print
summary_ok
