#!/bin/bash
# Runs ktvm's KVM integration tests (tests/integration/run.sh) where KVM can
# run stock guest kernels: directly on a host of the build's arch with
# hardware virtualization, else inside an emulated L1 machine (QEMU TCG:
# nested SVM for x86_64, EL2 for aarch64) whose own kernel provides a real
# /dev/kvm. One L1 boot runs the whole job.
#
#   tests/harness/run.sh              the integration tests
#   tests/harness/run.sh --bench      tests/integration/bench.sh instead
#   tests/harness/run.sh --exec CMD   a shell command (sh -c CMD)
#
# The job gets KTVM (the ktvm binary), KTVM_ARCH (its arch), KERNEL_IMAGE
# and KERNEL_612_IMAGE (Debian's 6.1 and 6.12 kernels in the form the cases
# boot by default: x86_64 the ELF vmlinux, aarch64 the Image), on x86_64
# also KERNEL_BZIMAGE and KERNEL_VMLINUX (6.1 as bzImage and as ELF vmlinux)
# and KERNEL_612_VMLINUX, on aarch64 KERNEL_FOREIGN (an x86 bzImage, which
# ktvm must refuse); each kernel with its modules beside it. KERNEL_7_IMAGE
# is Debian's newest 7.x kernel (sched_ext) in the same form, when it could
# be fetched, and SCHEDULERS the sched_ext schedulers built against it
# (make schedulers: build/$ARCH/schedulers), when built. Also FIXTURES
# (the guest initrds NAME.cpio), PAYLOADS (the test programs of
# tests/payloads), KVMTESTS (the KVM test tier's programs, tests/kvm,
# which tests/integration/run.sh runs first) and TESTS (the
# tests/integration directory).
#
# Environment:
#   ARCH, BUILD, KTVM_CACHE   as in the Makefile (host arch, build/$ARCH,
#                             ~/.cache/ktvm)
#   KTVM_HARNESS_TIMEOUT      seconds for the whole job (1800) per L1 boot
#   KTVM_HARNESS_STALL        seconds without a result line after which L1 is
#                             stopped (420; tests and bench jobs)
#   KTVM_HARNESS_FROZEN       seconds without L1's heartbeat (a console line
#                             every 5 s) after which L1 counts as frozen and
#                             is stopped (90), after a report on what it was
#                             doing (tests/harness/l1-freeze.sh)
#   KTVM_HARNESS_RESTARTS     how often a job gets a fresh L1 after L1 froze,
#                             stalled or died (8): a tests job for the cases
#                             not reported yet, an --exec job for its
#                             command again (only after a freeze)
#   KTVM_HARNESS_CASE_FREEZES how many freezes of L1 under one case make that
#                             case fail (3); before that it runs again
#   KTVM_HARNESS_NESTED       1: use L1 even where direct runs work; 0: never
#   KTVM_HARNESS_KEEP         directory to keep L1's console log, results and
#                             freeze reports (freeze.reports) in
#   KTVM_TESTS                names of the cases to run (default: all)
#   KTVM_HARNESS_FREEZE_CASE  a case that stops L1's heartbeat and hangs, to
#                             check the handling of a frozen L1
#   BENCH_RUNS                --bench: runs per configuration (3)
#   BENCH_PARTS               --bench: which parts (default all; see
#                             tests/integration/bench.sh). With microvm
#                             (x86_64), L1 also gets QEMU's microvm binary,
#                             its libraries and firmware (MICROVM,
#                             MICROVM_DATA in the job's environment)
#   KTVM_L1_SMP, KTVM_L1_MEM  L1's CPUs (1) and MiB (2048)
#   KTVM_L1_APPEND            extra L1 kernel parameters
#   KTVM_L1_IGNORE_MSRS       0: L1's KVM injects #GP for MSRs it does not
#                             handle (its default); 1 (default): it drops them
#   KTVM_L1_KERNEL            the Debian series L1 boots: 6.1 or 6.12 (default:
#                             6.1 on x86_64, 6.12 on aarch64)
#   KTVM_QEMU                 QEMU binary for L1 (default: the one
#                             scripts/fetch-debian.sh set up)
#
# Output: the job's lines on stdout; details and harness notes on stderr.
# Tests and bench end with the line "N passed, N failed[, N skipped]"; the
# status is 0 only when nothing failed (1 otherwise). --exec returns the
# command's status, 124 if the job timed out, 125 if the harness could not
# run it.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
ARCH=${ARCH:-$(uname -m)}
BUILD=${BUILD:-build/$ARCH}
case "$BUILD" in /*) ;; *) BUILD=$root/$BUILD ;; esac
KTVM_CACHE=${KTVM_CACHE:-$HOME/.cache/ktvm}
export KTVM_CACHE
job_timeout=${KTVM_HARNESS_TIMEOUT:-1800}
# A tests or bench job whose L1 reports nothing for this long is stopped
# (ktvm's own watchdog inside L1 ends any one run after 300 s).
stall_limit=${KTVM_HARNESS_STALL:-420}
# Nested virtualization under TCG occasionally freezes L1 itself (no console
# output, no lockup report: seen about once per 100 L2 boots on x86_64, CI
# 2026-12-06). L1's init prints a heartbeat every 5 s; this long without
# one, L1 is frozen.
frozen_limit=${KTVM_HARNESS_FROZEN:-90}
l1_mem=${KTVM_L1_MEM:-2048}

job=tests
exec_cmd=
while [ $# -gt 0 ]; do
	case "$1" in
	--bench) job=bench ;;
	--exec)
		[ $# -ge 2 ] || {
			echo "harness: --exec needs a command" >&2
			exit 2
		}
		job=exec exec_cmd=$2
		shift
		;;
	-h | --help)
		sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "harness: unknown argument $1 (see --help)" >&2
		exit 2
		;;
	esac
	shift
done

note() { echo "harness: $*" >&2; }

# The harness itself failed: a failed case and the summary (status 1), or
# status 125 for --exec.
harness_fail() {
	note "$*"
	[ "$job" != exec ] || exit 125
	echo "FAIL harness: $*"
	echo "$passed passed, $((failed + 1)) failed"
	summary_printed=1
	exit 1
}

# --- per-arch part ---------------------------------------------------------
# debarch: Debian architecture of the kernels; qemu_target and l1_qemu_args:
# how to start L1; l1_console / l1_results: L1's console and result ports;
# l1_modules: the modules to load in L1 (dependencies are added);
# l1_kernel: the file L1 boots; l2_kernels: the 6.1 files the tests boot,
# l2_default the one a case boots unless it tests a form, l2_612 the 6.12
# one; foreign: "DEBARCH FILE", a kernel of another arch that ktvm must
# refuse; hw_virt: /proc/cpuinfo flags of hardware virtualization (empty:
# a /dev/kvm is enough); cross: the cross-compiler prefix for target
# helpers (kvm-probe) when this host is of another arch.
host_arch=$(uname -m)
case "$ARCH" in
x86_64)
	debarch=amd64
	qemu_target=x86_64
	# QEMU's TCG emulates AMD SVM (with nested paging) but not Intel VMX.
	l1_qemu_args=(-M q35 -cpu max)
	l1_console=ttyS0 l1_results=ttyS1
	# Measured under TCG: these save ~0.5 s of L1's boot. Not added:
	# lapic=notscdeadline, against the "QEMU idle" L1 freezes (L1 halted
	# with interrupts on, no timer): kernel_cache alone froze once in 6
	# runs with it, never in 6 without (2026-12-08).
	l1_append='mitigations=off cryptomgr.notests'
	# tun: the TAP interfaces of ktvm's --net tap cases.
	l1_modules='kvm_amd tun'
	# L1 boots the ELF vmlinux (PVH entry: no in-guest decompression, ~4 s
	# less under TCG); the L2 kernels are both forms of the same kernel.
	l1_kernel=vmlinux
	l2_kernels='bzImage vmlinux' l2_default=vmlinux l2_612=vmlinux
	foreign=
	hw_virt='vmx|svm'
	cross=x86_64-linux-gnu-
	l1_series_default=6.1
	# One L1 CPU. With two (multi-threaded TCG), nested SVM was not
	# reliable here: an L2 kernel died of a page fault on its exception
	# stack in CI, and one L1 reset itself after 6 four-vCPU L2 boots; with
	# one L1 CPU, 40 of 40 such boots passed (2026-11-22). L2 boots with 4
	# vCPUs take ~14 s instead of ~11 s.
	l1_smp_default=1
	;;
aarch64)
	debarch=arm64
	qemu_target=aarch64
	# EL2 for L1's KVM; pauth-impdef: QEMU's cheap pointer-authentication
	# hash (Debian's arm64 kernels sign return addresses), 3-4x faster.
	# shellcheck disable=SC2054 # commas separate QEMU's sub-options
	l1_qemu_args=(-M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on)
	# Results on the virt board's second PL011 (ttyAMA1, QEMU >= 10 with two
	# -serial options), else on a virtio console (hvc0; see l1_results_args).
	l1_console=ttyAMA0 l1_results=ttyAMA1
	# L1 reaches init in ~2.3 s; the x86 parameters made no difference.
	l1_append=
	# KVM is built into Debian's arm64 kernels; tun: --net tap's cases.
	l1_modules=tun
	# Debian's arm64 vmlinuz is already the uncompressed Image: one form.
	l1_kernel=Image
	l2_kernels=Image l2_default=Image l2_612=Image
	# The aarch64 build must refuse an x86 bzImage.
	foreign='amd64 bzImage'
	# No cpuinfo flag: an arm64 kernel registers /dev/kvm only when it
	# was booted at EL2 (with KVM).
	hw_virt=
	cross=aarch64-linux-gnu-
	# One L1 CPU, as for x86_64: the suite takes ~2.5 min with it.
	l1_smp_default=1
	# L1 runs Debian's 6.12: under its KVM an 8-vCPU L2 boot with the
	# topology payload took 7-10 s in 8 of 8 runs (2026-12-04); under
	# 6.1's it took 53-63 s, and 2 of 10 such boots hung (CPUs stopped
	# taking timer interrupts: hard LOCKUP, RCU stalls with
	# timer-softirq=0).
	l1_series_default=6.12
	;;
*)
	echo "harness: ARCH=$ARCH is not supported" >&2
	exit 2
	;;
esac
l1_smp=${KTVM_L1_SMP:-$l1_smp_default}
cc=gcc
[ "$ARCH" = "$host_arch" ] || cc=${cross}gcc
# The target's multiarch triplet: where its shared libraries live.
multiarch=$("$cc" -print-multiarch 2>/dev/null || echo "$ARCH-linux-gnu")

# --- shared state and cleanup ----------------------------------------------

passed=0 failed=0 skipped=0 summary='' exit_status='' summary_printed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ktvm-harness.XXXXXX")
runner_pid=
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	local status=$?
	# A tests/bench job that stopped early still ends with its summary.
	if [ "$job" != exec ] && [ "$summary_printed" = 0 ]; then
		echo "FAIL harness: stopped early (status $status; see the messages above)"
		echo "$passed passed, $((failed + 1)) failed"
		[ "$status" != 0 ] || status=1
	fi
	if [ -n "$runner_pid" ]; then
		kill "$runner_pid" 2>/dev/null || true
		wait "$runner_pid" 2>/dev/null || true
	fi
	if [ -n "${KTVM_HARNESS_KEEP:-}" ]; then
		mkdir -p "$KTVM_HARNESS_KEEP"
		cp -f "$tmp/console.log" "$tmp/results" "$tmp/freeze.reports" "$KTVM_HARNESS_KEEP/" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s.%N | cut -c1-14; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Why this host cannot run stock guest kernels under its /dev/kvm; empty if
# it can.
no_direct_reason() {
	if [ "$ARCH" != "$host_arch" ]; then
		echo "this host is $host_arch, the build is for $ARCH"
	elif [ ! -e /dev/kvm ]; then
		echo "no /dev/kvm"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "/dev/kvm is not accessible"
	elif [ -d /sys/module/kvm_pvm ]; then
		echo "/dev/kvm is the paravirtual PVM hypervisor (kvm_pvm), which runs only PVM-aware guests"
	elif [ -n "$hw_virt" ] && ! grep -Eqw "$hw_virt" /proc/cpuinfo; then
		echo "the CPU has no hardware virtualization ($hw_virt) flag"
	fi
}

# Helpers the jobs need that are built here: kvm-probe and the fixtures'
# initramfs images ($BUILD/fixtures/NAME.cpio from $BUILD/fixtures/NAME).
build_helpers() {
	local bin
	mkdir -p "$BUILD/harness"
	if [ ! "$BUILD/harness/kvm-probe" -nt "$root/tests/harness/kvm-probe.c" ]; then
		"$cc" -static -O2 -Wall -Wextra -Werror -o "$BUILD/harness/kvm-probe" \
			"$root/tests/harness/kvm-probe.c"
	fi
	for bin in "$BUILD"/fixtures/*; do
		case "$bin" in *.cpio | *.tmp.*) continue ;; esac
		if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
		[ "$bin.cpio" -nt "$bin" ] ||
			"$root/tests/harness/mkinitrd.sh" "$bin.cpio" "$bin"
	done
}

# --- the result stream -----------------------------------------------------

is_summary() {
	[[ "$1" =~ ^[0-9]+\ passed,\ [0-9]+\ failed(,\ [0-9]+\ skipped)?$ ]]
}

# Relays the job's lines: results to stdout as they arrive, stderr lines
# (prefixed KTVM-L1-ERR) to stderr; keeps the summary for the end.
relay() {
	local line
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		*"KTVM-L1-EXIT: "*)
			# The job's last output may lack its newline.
			[ -z "${line%%KTVM-L1-EXIT: *}" ] || printf '%s\n' "${line%%KTVM-L1-EXIT: *}"
			exit_status=${line##*KTVM-L1-EXIT: }
			exit_status=${exit_status//[^0-9]/}
			;;
		"KTVM-L1-ERR: "*) printf '%s\n' "${line#KTVM-L1-ERR: }" >&2 ;;
		*)
			if [ "$job" != exec ] && is_summary "$line"; then
				summary=$line
				continue
			fi
			case "$line" in
			"ok "*) passed=$((passed + 1)) ;;
			"FAIL "*) failed=$((failed + 1)) ;;
			"skip "*) skipped=$((skipped + 1)) ;;
			esac
			printf '%s\n' "$line"
			;;
		esac
	done
}

# Ends a tests/bench job: the summary is the last line.
finish_job() {
	local why=$1
	if [ -z "$summary" ]; then
		echo "FAIL harness: no summary from the job ($why)"
		failed=$((failed + 1))
		summary="$passed passed, $failed failed"
		[ $skipped = 0 ] || summary="$summary, $skipped skipped"
	fi
	echo "$summary"
	summary_printed=1
	[[ "$summary" =~ ^[0-9]+\ passed,\ 0\ failed ]] || exit 1
	exit 0
}

# --- kernels ---------------------------------------------------------------

kdir=$KTVM_CACHE/debian/$debarch/linux-6.1
kdir612=$KTVM_CACHE/debian/$debarch/linux-6.12
kdir7=$KTVM_CACHE/debian/$debarch/linux-7
case "${KTVM_L1_KERNEL:-$l1_series_default}" in
6.1) l1kdir=$kdir ;;
6.12) l1kdir=$kdir612 ;;
*) harness_fail "KTVM_L1_KERNEL=$KTVM_L1_KERNEL: not 6.1 or 6.12" ;;
esac
foreign_kernel=
[ -z "$foreign" ] || foreign_kernel=$KTVM_CACHE/debian/${foreign% *}/linux-6.1/${foreign#* }

# The Debian kernels the job boots (6.1, 6.12 and the foreign one).
fetch_kernels() {
	"$root/scripts/fetch-debian.sh" --quiet kernel "$debarch" ||
		harness_fail "scripts/fetch-debian.sh kernel $debarch failed"
	"$root/scripts/fetch-debian.sh" --quiet kernel "$debarch" 6.12 ||
		harness_fail "scripts/fetch-debian.sh kernel $debarch 6.12 failed"
	# Debian's 7.x (sched_ext) comes from suites that move; without it the
	# sched_* cases skip and say so.
	"$root/scripts/fetch-debian.sh" --quiet kernel "$debarch" 7 ||
		note "no Debian 7.x kernel for $debarch: the sched_* cases will skip"
	if [ -n "$foreign" ]; then
		"$root/scripts/fetch-debian.sh" --quiet kernel "${foreign% *}" ||
			harness_fail "scripts/fetch-debian.sh kernel ${foreign% *} failed"
	fi
}

# kernel_vars DIR DIR612 FOREIGN DIR7: the job's kernel variables as
# NAME=PATH lines, for the 6.1 files in DIR, the 6.12 one in DIR612, the
# foreign kernel FOREIGN and the 7.x one in DIR7 (empty: none).
kernel_vars() {
	local f
	echo "KERNEL_IMAGE=$1/$l2_default"
	echo "KERNEL_612_IMAGE=$2/$l2_612"
	[ -z "$4" ] || echo "KERNEL_7_IMAGE=$4/$l2_default"
	for f in $l2_kernels; do
		case "$f" in
		bzImage) echo "KERNEL_BZIMAGE=$1/$f" ;;
		vmlinux) echo "KERNEL_VMLINUX=$1/$f" ;;
		esac
	done
	[ "$l2_612" != vmlinux ] || echo "KERNEL_612_VMLINUX=$2/$l2_612"
	[ -z "$3" ] || echo "KERNEL_FOREIGN=$3"
}

# --- QEMU microvm, the bench's peer ------------------------------------------

# The bench's microvm part compares ktvm with QEMU's microvm machine (x86
# only) on the same L2 kernel. Its binary comes from the QEMU 10 that
# scripts/fetch-debian.sh fetched for L1, so it needs this host to be of
# the build's arch; the firmware: qboot (its -bios) and the option ROMs
# that load a bzImage (linuxboot_dma.bin) or an ELF's PVH entry (pvh.bin).
microvm_root=$KTVM_CACHE/debian/host-$(dpkg --print-architecture 2>/dev/null || echo none)/qemu-x86_64/root
microvm_bin=$microvm_root/usr/bin/qemu-system-x86_64-microvm
microvm_firmware='qboot.rom linuxboot_dma.bin pvh.bin kvmvapic.bin'

# True when this is a bench job whose parts include microvm and there is a
# microvm binary for the build's arch.
want_microvm() {
	[ "$job" = bench ] && [ "$ARCH" = x86_64 ] && [ "$host_arch" = x86_64 ] || return 1
	case " ${BENCH_PARTS:-microvm} " in *" microvm "*) ;; *) return 1 ;; esac
	[ -x "$microvm_bin" ] || {
		note "no $microvm_bin (scripts/fetch-debian.sh): the bench's microvm part will skip"
		return 1
	}
}

# stage_microvm DEST: the binary at DEST/ktvm/qemu/bin, its libraries at
# their paths under DEST (L1's root), the firmware in DEST/ktvm/qemu/share.
stage_microvm() {
	local stage=$1 f
	copy_with_libs "$microvm_bin" "$stage" /ktvm/qemu/bin/qemu-system-x86_64-microvm
	mkdir -p "$stage/ktvm/qemu/share"
	for f in $microvm_firmware; do
		cp -L "$microvm_root/usr/share/qemu/$f" "$stage/ktvm/qemu/share/"
	done
}

# --- direct run ------------------------------------------------------------

run_direct() {
	local rc=0 var
	fetch_kernels
	build_helpers
	while IFS= read -r var; do
		export "${var?}"
	done < <(kernel_vars "$kdir" "$kdir612" "$foreign_kernel" \
		"$([ ! -f "$kdir7/$l2_default" ] || echo "$kdir7")")
	[ ! -x "$BUILD/schedulers/scx_simple" ] || export SCHEDULERS=$BUILD/schedulers
	if want_microvm; then
		export MICROVM=$microvm_bin MICROVM_DATA=$microvm_root/usr/share/qemu
	fi
	export KTVM=$BUILD/ktvm KTVM_ARCH=$ARCH PAYLOADS=$BUILD/payloads \
		FIXTURES=$BUILD/fixtures TESTS=$root/tests/integration KVMTESTS=$BUILD/tests/kvm
	case "$job" in
	tests) set -- sh "$root/tests/integration/run.sh" ;;
	bench) set -- sh "$root/tests/integration/bench.sh" ;;
	exec) set -- sh -c "$exec_cmd" ;;
	esac
	timeout -k 10 "$job_timeout" "$@" >"$tmp/results" &
	runner_pid=$!
	relay < <(tail -s 0.2 -n +1 -f --pid="$runner_pid" "$tmp/results")
	wait "$runner_pid" || rc=$?
	runner_pid=
	[ "$job" = exec ] && exit "$rc"
	[ $rc != 124 ] || finish_job "timed out after $job_timeout s"
	finish_job "the job ended with status $rc"
}

# --- nested run in L1 ------------------------------------------------------

# What a frozen L1 was doing: l1_freeze_report and its QEMU options.
# shellcheck source=tests/harness/l1-freeze.sh
. "$root/tests/harness/l1-freeze.sh"

# Prints the module names NAME depends on, then NAME, in load order, as
# paths relative to lib/modules/RELEASE (one a line, no duplicates).
module_closure() {
	local mdir=$1 name=$2 f dep deps
	f=$(find "$mdir/kernel" -name "$name.ko*" -o -name "${name//_/-}.ko*" | head -n1)
	[ -n "$f" ] || {
		note "module $name not found under $mdir"
		return 1
	}
	case "$f" in
	*.xz) deps=$(xz -dc "$f" | tr '\0' '\n' | sed -n 's/^depends=//p') ;;
	*.zst) deps=$(zstd -qdc "$f" | tr '\0' '\n' | sed -n 's/^depends=//p') ;;
	*) deps=$(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p') ;;
	esac
	for dep in ${deps//,/ }; do
		module_closure "$mdir" "$dep"
	done
	echo "${f#"$mdir"/}"
}

# The modules ktvm packs for its guests (virtio_mmio, virtio_console for
# the channel, virtio_blk and virtio_net for --disk and --net, and what they
# need), laid out as ktvm finds them beside a kernel:
# DEST/root/lib/modules/RELEASE/ with modules.order and modules.builtin.
stage_l2_modules() {
	local kdir=$1 dest=$2 rel mdir m to
	rel=$(cat "$kdir/release")
	mdir=$kdir/root/lib/modules/$rel
	[ -d "$mdir" ] || mdir=$kdir/root/usr/lib/modules/$rel
	to=$dest/root/lib/modules/$rel
	mkdir -p "$to"
	for m in modules.order modules.builtin modules.dep; do
		[ ! -f "$mdir/$m" ] || cp "$mdir/$m" "$to/"
	done
	# A module built into the kernel (6.12's virtio_console) has no file: skip it.
	for m in $(for n in virtio_mmio virtio_console virtio_blk virtio_net; do module_closure "$mdir" "$n" 2>/dev/null; done | awk '!seen[$0]++'); do
		mkdir -p "$to/$(dirname "$m")"
		cp "$mdir/$m" "$to/$m"
	done
}

# Prints the host paths of the shared libraries a program of another arch
# needs (DT_NEEDED closure, breadth first) and of its ELF interpreter, as
# that arch's ld.so would find them in the multiarch directories, where
# Debian's :arch packages install them (libc6, libelf1, zlib1g, ...).
target_libs() {
	local bin=$1 interp queue=() seen=' ' lib name d found
	interp=$(readelf -lW "$bin" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	[ -z "$interp" ] || echo "$interp"
	queue=("$bin")
	while [ ${#queue[@]} -gt 0 ]; do
		lib=${queue[0]}
		queue=("${queue[@]:1}")
		for name in $(readelf -dW "$lib" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			case "$seen" in *" $name "*) continue ;; esac
			seen="$seen$name "
			found=
			for d in "/lib/$multiarch" "/usr/lib/$multiarch" /lib /usr/lib; do
				if [ -e "$d/$name" ]; then
					found=$d/$name
					break
				fi
			done
			if [ -z "$found" ]; then
				note "$bin needs $name, which is not in /lib/$multiarch or /usr/lib/$multiarch"
				continue
			fi
			echo "$found"
			queue+=("$found")
		done
	done
}

# Copies a dynamically linked program and its shared-library closure
# (including the dynamic loader) into DEST, the libraries at their paths.
copy_with_libs() {
	local bin=$1 dest=$2 to=$3 lib
	mkdir -p "$dest$(dirname "$to")"
	cp -L "$bin" "$dest$to"
	if [ "$ARCH" = "$host_arch" ]; then
		ldd "$bin" 2>/dev/null | awk '/=> \// { print $3 } /^[ \t]*\// { print $1 }'
	else
		target_libs "$bin"
	fi | while read -r lib; do
		mkdir -p "$dest$(dirname "$lib")"
		cp -L "$lib" "$dest$lib"
	done
}

stage_l1() {
	local stage=$1 rel m mods=
	rel=$(cat "$l1kdir/release")
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp,lib/modules} "$stage"/ktvm/{bin,kernels,fixtures,tests}
	cp "$KTVM_CACHE/debian/$debarch/busybox/root/bin/busybox" "$stage/bin/"
	cp "$root/tests/harness/l1-init.sh" "$stage/init"
	chmod 755 "$stage/init"
	mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true

	# L1's modules (KVM, the results port), uncompressed (busybox insmod),
	# in load order.
	local mdir=$l1kdir/root/lib/modules/$rel
	[ -d "$mdir" ] || mdir=$l1kdir/root/usr/lib/modules/$rel
	for m in $(for n in $l1_modules; do module_closure "$mdir" "$n"; done | awk '!seen[$0]++'); do
		local name=${m##*/}
		name=${name%%.ko*}
		case "$m" in
		*.xz) xz -dc "$mdir/$m" >"$stage/lib/modules/$name.ko" ;;
		*.zst) zstd -qdc "$mdir/$m" >"$stage/lib/modules/$name.ko" ;;
		*) cp "$mdir/$m" "$stage/lib/modules/$name.ko" ;;
		esac
		mods="$mods $name"
	done

	if [ -x "$BUILD/ktvm" ]; then
		copy_with_libs "$BUILD/ktvm" "$stage" /ktvm/bin/ktvm
	fi
	# ktvm reads .ko.xz modules (6.12) through a dlopen()ed liblzma, which ldd does not list.
	for m in /lib/"$multiarch"/liblzma.so.5*; do
		[ -e "$m" ] || continue
		mkdir -p "$stage$(dirname "$m")"
		cp -L "$m" "$stage$m"
	done
	# Test payloads: static ones as they are, zcrc with its shared libraries.
	mkdir -p "$stage/ktvm/payloads"
	for m in "$BUILD"/payloads/*; do
		[ -f "$m" ] || continue
		copy_with_libs "$m" "$stage" "/ktvm/payloads/${m##*/}"
	done
	# The KVM test tier's programs (tests/kvm), with their shared libraries.
	mkdir -p "$stage/ktvm/kvm"
	for m in "$BUILD"/tests/kvm/test_*; do
		case "$m" in *.o | *.d) continue ;; esac
		[ -f "$m" ] && [ -x "$m" ] || continue
		copy_with_libs "$m" "$stage" "/ktvm/kvm/${m##*/}"
	done
	# L2 kernels, laid out as kernel_vars describes them, each with the
	# modules ktvm packs for its guests.
	for m in $l2_kernels; do
		cp "$kdir/$m" "$stage/ktvm/kernels/$m"
	done
	stage_l2_modules "$kdir" "$stage/ktvm/kernels"
	if [ -f "$kdir612/$l2_612" ]; then
		mkdir -p "$stage/ktvm/kernels/6.12"
		cp "$kdir612/$l2_612" "$stage/ktvm/kernels/6.12/$l2_612"
		stage_l2_modules "$kdir612" "$stage/ktvm/kernels/6.12"
	fi
	if [ -f "$kdir7/$l2_default" ]; then
		mkdir -p "$stage/ktvm/kernels/7"
		cp -L "$kdir7/$l2_default" "$stage/ktvm/kernels/7/$l2_default"
		cp "$kdir7/release" "$stage/ktvm/kernels/7/"
		stage_l2_modules "$kdir7" "$stage/ktvm/kernels/7"
	fi
	# The sched_ext schedulers (static), when make schedulers built them.
	if [ -x "$BUILD/schedulers/scx_simple" ]; then
		mkdir -p "$stage/ktvm/schedulers"
		for m in "$BUILD"/schedulers/*; do
			if [ -f "$m" ] && [ -x "$m" ]; then
				cp "$m" "$stage/ktvm/schedulers/"
			fi
		done
	fi
	if [ -n "$foreign_kernel" ]; then
		mkdir -p "$stage/ktvm/kernels/foreign"
		cp -L "$foreign_kernel" "$stage/ktvm/kernels/foreign/"
	fi
	# Only a bench with the microvm part gets QEMU (~11 MiB with its libraries).
	local microvm=0
	if want_microvm; then
		stage_microvm "$stage" && microvm=1
	fi
	cp "$BUILD/harness/kvm-probe" "$stage/ktvm/bin/"
	cp "$BUILD"/fixtures/*.cpio "$stage/ktvm/fixtures/" 2>/dev/null || true
	cp -r "$root/tests/integration" "$stage/ktvm/tests/"
	printf '%s\n' "$exec_cmd" >"$stage/ktvm/exec.sh"
	{
		echo "JOB=$job"
		echo "RESULTS_TTY=$l1_results"
		echo "MODULES='${mods# }'"
		echo "export KTVM_ARCH=$ARCH"
		kernel_vars /ktvm/kernels /ktvm/kernels/6.12 \
			"${foreign_kernel:+/ktvm/kernels/foreign/${foreign_kernel##*/}}" \
			"$([ ! -d "$stage/ktvm/kernels/7" ] || echo /ktvm/kernels/7)" |
			sed "s/^\([A-Z0-9_]*\)=\(.*\)/export \1='\2'/"
		[ ! -d "$stage/ktvm/schedulers" ] || echo "export SCHEDULERS=/ktvm/schedulers"
		[ $microvm = 0 ] || echo "export MICROVM=/ktvm/qemu/bin/qemu-system-x86_64-microvm MICROVM_DATA=/ktvm/qemu/share"
		# Test selection, the per-run watchdog and the bench's run count
		# pass through to L1.
		[ -z "${KTVM_TESTS:-}" ] || echo "export KTVM_TESTS='$KTVM_TESTS'"
		[ -z "${KTVM_WATCHDOG:-}" ] || echo "export KTVM_WATCHDOG='$KTVM_WATCHDOG'"
		[ -z "${KTVM_HARNESS_FREEZE_CASE:-}" ] || echo "export KTVM_HARNESS_FREEZE_CASE='$KTVM_HARNESS_FREEZE_CASE'"
		[ -z "${KTVM_L1_IGNORE_MSRS:-}" ] || echo "L1_IGNORE_MSRS='$KTVM_L1_IGNORE_MSRS'"
		# No symbol map of L1's kernel yet: L1 lists its symbols once.
		! l1_freeze_syms_wanted || echo "L1_SYMS=1"
		[ -z "${BENCH_RUNS:-}" ] || echo "export BENCH_RUNS='$BENCH_RUNS'"
		[ -z "${BENCH_PARTS:-}" ] || echo "export BENCH_PARTS='$BENCH_PARTS'"
	} >"$stage/ktvm/env"
}

# Sets l1_results_args, the QEMU options of L1's results port. The port is
# a second serial port where the machine has one. The virt board (aarch64)
# has a second PL011 only from QEMU 10 on, with two -serial options; an
# older QEMU (the system's, when the one from bookworm-backports cannot run
# here) gets a virtio console instead: hvc0 in L1, which needs virtio_mmio
# and virtio_console there (modules in Debian's 6.1 arm64 kernel).
l1_results_port() {
	local qemu=$1 n
	l1_results_args=(-serial "file:$tmp/results")
	[ "$ARCH" = aarch64 ] || return 0
	n=$("$qemu" "${l1_qemu_args[@]}" -M "dumpdtb=$tmp/virt.dtb" -m "$l1_mem" -nodefaults \
		-display none -serial null -serial null </dev/null >/dev/null 2>&1 &&
		grep -ao 'arm,pl011' "$tmp/virt.dtb" | wc -l)
	rm -f "$tmp/virt.dtb"
	[ "${n:-0}" -lt 2 ] || return 0
	note "L1: this QEMU's virt board has no second PL011; results go through a virtio console"
	l1_results=hvc0
	l1_modules="$l1_modules virtio_mmio virtio_console"
	# shellcheck disable=SC2054 # commas separate QEMU's sub-options
	l1_results_args=(-device virtio-serial-device -chardev "file,id=results,path=$tmp/results"
		-device virtconsole,chardev=results)
}

# One L1 boot: QEMU in the background, its results relayed as they come,
# and a watchdog that stops it when L1's console (its heartbeat) stays
# silent for $frozen_limit s ($tmp/frozen; first $tmp/freeze.report says
# what L1 was doing) or the results port for $stall_limit s, longer than
# ktvm's own per-run watchdog inside L1 ($tmp/stalled). Sets rc (QEMU's
# status).
run_l1() {
	local qemu=$1 watch_pid
	rm -f "$tmp/stalled" "$tmp/frozen" "$tmp/results"
	: >"$tmp/results"
	: >"$tmp/console.log"
	rc=0 exit_status=
	l1_freeze_qemu_args
	timeout -k 10 "$job_timeout" "$qemu" -accel tcg,thread=multi "${l1_qemu_args[@]}" \
		-smp "$l1_smp" -m "$l1_mem" -nodefaults -display none -no-reboot \
		-kernel "$l1kdir/$l1_kernel" -initrd "$tmp/l1.cpio" \
		-append "console=$l1_console panic=-1 quiet $l1_append ${KTVM_L1_APPEND:-}" \
		-serial "file:$tmp/console.log" "${l1_results_args[@]}" "${l1_freeze_args[@]}" \
		</dev/null >"$tmp/qemu.out" 2>&1 &
	runner_pid=$!
	(
		last=-1 idle=0 clast=-1 cidle=0
		while kill -0 "$runner_pid" 2>/dev/null; do
			sleep 5
			size=$(stat -c %s "$tmp/results" 2>/dev/null || echo 0)
			if [ "$size" != "$last" ]; then
				last=$size idle=0
			else
				idle=$((idle + 5))
			fi
			size=$(stat -c %s "$tmp/console.log" 2>/dev/null || echo 0)
			if [ "$size" != "$clast" ]; then
				clast=$size cidle=0
			else
				cidle=$((cidle + 5))
			fi
			if [ $cidle -ge "$frozen_limit" ]; then
				: >"$tmp/frozen"
				l1_freeze_report >"$tmp/freeze.report" 2>&1 || true
				kill "$runner_pid" 2>/dev/null
				break
			fi
			if [ "$job" != exec ] && [ $idle -ge "$stall_limit" ]; then
				: >"$tmp/stalled"
				kill "$runner_pid" 2>/dev/null
				break
			fi
		done
	) &
	watch_pid=$!
	relay < <(tail -s 0.2 -n +1 -f --pid="$runner_pid" "$tmp/results")
	wait "$runner_pid" || rc=$?
	runner_pid=
	kill "$watch_pid" 2>/dev/null || true
	wait "$watch_pid" 2>/dev/null || true
	# Keep this boot's results for the list of reported cases.
	cp "$tmp/results" "$tmp/results.$(date +%s%N)"
	# The symbols L1 listed, if it did (L1_SYMS).
	l1_freeze_syms_save "$tmp/console.log"
}

# Appends to L1's initramfs a second archive with /ktvm/done, the cases
# already reported (the kernel unpacks concatenated newc archives in order).
restart_cpio() {
	local d=$tmp/restart
	rm -rf "$d"
	mkdir -p "$d/ktvm"
	printf '%s\n' "$1" >"$d/ktvm/done"
	(cd "$d" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >>"$tmp/l1.cpio"
	rm -rf "$d"
}

run_nested() {
	local reason=$1 qemu t0 rc=0 size
	local host_debarch
	host_debarch=$(dpkg --print-architecture)
	qemu=${KTVM_QEMU:-$KTVM_CACHE/debian/host-$host_debarch/qemu-$qemu_target/qemu-system-$qemu_target}
	note "this host cannot run stock $ARCH kernels under KVM ($reason); running in a nested L1 under QEMU TCG"
	"$root/scripts/fetch-debian.sh" --quiet all "$debarch" ||
		harness_fail "scripts/fetch-debian.sh all $debarch failed"
	fetch_kernels
	build_helpers
	l1_results_port "$qemu"

	t0=$(now)
	stage_l1 "$tmp/l1"
	(cd "$tmp/l1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp/l1.cpio"
	rm -rf "$tmp/l1"
	size=$(du -m "$tmp/l1.cpio" | cut -f1)
	note "L1: $("$qemu" -version | head -n1), -smp $l1_smp -m $l1_mem, initramfs ${size} MiB (staged in $(elapsed "$t0") s)"

	# Restarts: each freeze of L1 takes one, so 8 let a job live through 8
	# freezes. About 3 come in a full x86_64 run (CI 2026-12); taken as a
	# Poisson count with mean 3, 7 or more (a job dead of the cap at 6)
	# come in about 3% of runs, 9 or more in about 0.4%. Enough too for one
	# case under which L1 froze case_freezes (3) times and a few freezes
	# under other cases.
	local attempt=1 restarts=${KTVM_HARNESS_RESTARTS:-8} done_cases why='' env_fault
	local case_freezes=${KTVM_HARNESS_CASE_FREEZES:-3}
	local case_now harness_done='' c
	# Per case: how often L1 froze (or died without reporting) under it.
	local -A froze_under=()
	while :; do
		t0=$(now)
		run_l1 "$qemu"
		note "L1 ran for $(elapsed "$t0") s (QEMU status $rc)"
		# The case L1's last heartbeat named (empty between cases).
		case_now=$(tr -d '\r' <"$tmp/console.log" | sed -n 's/.*KTVM-L1-BEAT [0-9.]* \([A-Za-z0-9_]*\).*/\1/p' | tail -n 1)
		# A case already reported was not the one running.
		if [ -n "$case_now" ] && cat "$tmp"/results* | tr -d '\r' | grep -Eq "^(ok|FAIL|skip) $case_now([: ]|\$)"; then
			case_now=
		fi
		why='' env_fault=0
		if [ -f "$tmp/frozen" ]; then
			why="L1 froze: no heartbeat for $frozen_limit s (KTVM_HARNESS_FROZEN)" env_fault=1
		elif [ -f "$tmp/stalled" ]; then
			why="L1 stalled: no result for $stall_limit s (KTVM_HARNESS_STALL) while its heartbeat went on"
		elif [ $rc = 124 ]; then
			why="timed out after $job_timeout s (KTVM_HARNESS_TIMEOUT)"
		elif [ -z "$exit_status" ]; then
			why="L1 ended without reporting (QEMU status $rc)" env_fault=1
		fi
		if [ -n "$why" ]; then
			[ "$job" != tests ] || [ -z "$case_now" ] || why="$why, during case $case_now"
			note "$why; QEMU said:"
			tail -n 20 "$tmp/qemu.out" >&2
			note "last 50 lines of L1's console (heartbeats and L1's symbol list left out):"
			tr -d '\r' <"$tmp/console.log" | sed '/^KTVM-L1-SYMS-BEGIN$/,/^KTVM-L1-SYMS-END$/d' |
				grep -av '^KTVM-L1-BEAT \|^KTVM-L1-BASES ' | tail -n 50 >&2
			if [ -s "$tmp/freeze.report" ]; then
				note "what L1 was doing when it froze (before QEMU was stopped):"
				head -n 60 "$tmp/freeze.report" | sed 's/^/harness:   /' >&2
				{
					echo "--- L1 boot $attempt: $why"
					cat "$tmp/freeze.report"
				} >>"$tmp/freeze.reports"
			fi
		fi
		if [ -z "$why" ] || [ "$attempt" -gt "$restarts" ]; then break; fi
		# The whole job's time ran out: no second try.
		[ $rc != 124 ] || [ -f "$tmp/stalled" ] || [ -f "$tmp/frozen" ] || break
		# Nested virtualization under TCG occasionally freezes or resets L1
		# itself (see frozen_limit): an --exec job runs its command again in
		# a fresh L1; a tests job gets a fresh L1 for the cases not reported
		# yet, where the case that was running starts again from scratch,
		# unless L1 has now frozen case_freezes times under that case, or
		# L1 lived on while the case reported nothing: then the case fails.
		# A freeze is an environment fault that comes back at random cases
		# (about 3 in a full run), and it hit one case twice in CI
		# (boot_elf_4cpu, which passed 3 of 3 runs alone): a case fails
		# only when L1 keeps freezing under it.
		case "$job" in
		exec)
			[ $env_fault = 1 ] || break
			note "restarting L1 (attempt $((attempt + 1))): the command runs again from the start"
			attempt=$((attempt + 1))
			continue
			;;
		tests) ;;
		*) break ;;
		esac
		if [ -n "$case_now" ]; then
			if [ $env_fault = 0 ]; then
				echo "FAIL $case_now: no result for $stall_limit s while L1 was alive"
			else
				froze_under[$case_now]=$((${froze_under[$case_now]:-0} + 1))
				if [ "${froze_under[$case_now]}" -ge "$case_freezes" ]; then
					c="${froze_under[$case_now]} times"
					[ "$c" != "1 times" ] || c=once
					echo "FAIL $case_now: L1 froze $c while this case ran"
				else
					case_now=
				fi
			fi
			if [ -n "$case_now" ]; then
				failed=$((failed + 1))
				harness_done="$harness_done $case_now"
			fi
		fi
		done_cases=$({
			sed -n 's/^\(ok\|FAIL\|skip\) \([A-Za-z0-9_]*\).*/\2/p' "$tmp"/results*
			for c in $harness_done; do echo "$c"; done
		} | sort -u | tr '\n' ' ')
		note "restarting L1 (attempt $((attempt + 1))) for the cases not reported yet; done: ${done_cases:-none}"
		restart_cpio "$done_cases"
		attempt=$((attempt + 1))
		# The summary is counted here from now on: each L1 counts only its own cases.
		summary_from_counts=1
	done
	if [ -n "${summary_from_counts:-}" ] && [ -n "$summary" ] && [ -z "$why" ]; then
		summary="$passed passed, $failed failed"
		[ $skipped = 0 ] || summary="$summary, $skipped skipped"
	fi
	if [ "$job" = exec ]; then
		[ $rc != 124 ] || exit 124
		[ -z "$why" ] || exit 125
		exit "$exit_status"
	fi
	finish_job "${why:-the job ended with status $exit_status}"
}

# --- main ------------------------------------------------------------------

if [ "$job" != exec ] && [ ! -x "$BUILD/ktvm" ]; then
	harness_fail "$BUILD/ktvm is not built (run make)"
fi
[ -x "$BUILD/ktvm" ] || note "$BUILD/ktvm is not built; KTVM points to nothing"

reason=$(no_direct_reason)
case "${KTVM_HARNESS_NESTED:-}" in
1) run_nested "${reason:-KTVM_HARNESS_NESTED=1}" ;;
0) run_direct ;;
*) if [ -z "$reason" ]; then run_direct; else run_nested "$reason"; fi ;;
esac
