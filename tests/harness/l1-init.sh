#!/bin/busybox sh
# shellcheck shell=dash
# /init of the L1 machine that tests/harness/run.sh boots under QEMU TCG when
# this host cannot run stock kernels under KVM. Arch-neutral: it loads the
# modules /ktvm/env names (x86_64: KVM; aarch64: none, or the virtio console
# of the results port), checks /dev/kvm, runs the job named in /ktvm/env (the
# integration tests, the benchmarks or an --exec command) and powers off.
#
# Everything for the host goes to the port $RESULTS_TTY (a second serial
# port, or hvc0): the job's stdout as is, its stderr with the prefix
# "KTVM-L1-ERR: ", and a final "KTVM-L1-EXIT: STATUS". L1's kernel console
# stays on the other port.

# No "set -e": PID 1 must reach poweroff whatever fails on the way.
set -u
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
# The heartbeat: a line on L1's kernel console every 5 s, with the case the
# job is running (tests/integration/lib.sh writes it to $KTVM_CASE_FILE).
# The host stops an L1 whose console stays silent (frozen under TCG).
export KTVM_CASE_FILE=/tmp/.ktvm-case
while :; do
	read -r beat_up _ </proc/uptime
	beat_case=
	[ ! -f "$KTVM_CASE_FILE" ] || read -r beat_case <"$KTVM_CASE_FILE"
	echo "KTVM-L1-BEAT $beat_up ${beat_case:--}" >/dev/console
	sleep 5
done &
echo $! >/tmp/.ktvm-beat.pid
# shellcheck disable=SC1091
. /ktvm/env
# A restarted L1 (the harness's second try) skips the cases already reported.
if [ -f /ktvm/done ]; then
	KTVM_TESTS_DONE=$(cat /ktvm/done)
	export KTVM_TESTS_DONE
fi
read -r up _ </proc/uptime

# Modules first: the results port may be one of theirs (hvc0). A failure is
# reported once the port is open.
load_err=
for m in $MODULES; do
	err=$(insmod "/lib/modules/$m.ko" 2>&1) || {
		load_err="insmod $m: ${err:-failed} (L1 CPU: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1))"
		break
	}
done

# For the host's report on a frozen L1 (tests/harness/l1-freeze.sh): where
# the kernel's text and each module lie in this boot (arm64's KASLR moves
# them), and, when the host has no map of this kernel's symbols yet
# (L1_SYMS=1, only in the job's first L1), the text symbols (~2 MB, ~3 s).
bases="_text=$(grep -m1 ' _text$' /proc/kallsyms | cut -d' ' -f1)"
while read -r name size _ _ _ addr _; do
	bases="$bases $name=${addr#0x}+$size"
done </proc/modules
echo "KTVM-L1-BASES $bases" >/dev/console
if [ "${L1_SYMS:-0}" = 1 ] && [ ! -f /ktvm/done ]; then
	echo KTVM-L1-SYMS-BEGIN >/dev/console
	grep ' [tTwW] ' /proc/kallsyms >/dev/console
	echo KTVM-L1-SYMS-END >/dev/console
fi

out=/dev/$RESULTS_TTY
# A virtio console adds its ports asynchronously after the module loaded.
i=0
while [ ! -c "$out" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -c "$out" ]; then
	stty -F "$out" raw -echo 2>/dev/null
else
	echo "l1-init: no $out; results go to the console" >/dev/console
	out=/dev/console
fi
exec 3>"$out"
echo "KTVM-L1-ERR: harness: L1 reached init at uptime $up s ($(nproc) CPUs, $(uname -r))" >&3

finish() {
	echo "KTVM-L1-EXIT: $1" >&3
	sync
	poweroff -f
}

# A setup failure: one failed case for the test jobs, status 125 for --exec.
setup_failed() {
	echo "KTVM-L1-ERR: harness: $1" >&3
	if [ "$JOB" = exec ]; then
		finish 125
	fi
	echo "FAIL l1_setup: $1" >&3
	echo "0 passed, 1 failed" >&3
	finish 1
}

[ -z "$load_err" ] || setup_failed "$load_err"
# x86_64: TCG gives L1 no PMU, so L1's KVM answers an L2 kernel's
# perf-counter MSR probe (WRMSR 0xc0010007 in check_hw_exists()) with an
# injected #GP. L1 froze a few seconds after that write in each CI run of
# 2026-12-06; with ignore_msrs the write is dropped instead (L2 still finds
# no PMU: the counter reads back 0) and no #GP goes through nested SVM.
# KTVM_L1_IGNORE_MSRS=0 in the host's environment keeps KVM's default.
if [ "${L1_IGNORE_MSRS:-1}" = 1 ] && [ -w /sys/module/kvm/parameters/ignore_msrs ]; then
	echo Y >/sys/module/kvm/parameters/ignore_msrs
	echo N >/sys/module/kvm/parameters/report_ignored_msrs 2>/dev/null
fi
probe=$(/ktvm/bin/kvm-probe 2>&1) || setup_failed "no usable /dev/kvm in L1: $probe"
echo "KTVM-L1-ERR: harness: $probe" >&3

# The kernel variables (KERNEL_IMAGE, ...) and KTVM_ARCH came with /ktvm/env.
# KTVM_L1=tcg: the job's KVM runs in a machine QEMU emulates (TCG), for the
# cases whose hardware behaviour TCG does not reproduce.
export KTVM_L1=tcg KTVM=/ktvm/bin/ktvm PAYLOADS=/ktvm/payloads FIXTURES=/ktvm/fixtures \
	KVMTESTS=/ktvm/kvm TESTS=/ktvm/tests/integration PATH=/ktvm/bin:/bin:/sbin:/usr/bin:/usr/sbin HOME=/tmp
cd /tmp || setup_failed "cannot enter /tmp"

# The job's stderr reaches the host through a prefixing filter.
mkfifo /tmp/.stderr
while IFS= read -r line; do echo "KTVM-L1-ERR: $line"; done </tmp/.stderr >&3 &
filter=$!
case "$JOB" in
tests) sh /ktvm/tests/integration/run.sh >&3 2>/tmp/.stderr ;;
bench) sh /ktvm/tests/integration/bench.sh >&3 2>/tmp/.stderr ;;
exec) sh /ktvm/exec.sh >&3 2>/tmp/.stderr ;;
*) echo "unknown job $JOB" >/tmp/.stderr ;;
esac
rc=$?
wait "$filter"
finish "$rc"
