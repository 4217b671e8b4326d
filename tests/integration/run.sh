#!/bin/sh
# ktvm's KVM integration tests: boots the Debian kernel under ktvm and checks
# how runs end. One line per case ("ok NAME", "FAIL NAME: reason (expected X,
# got Y)", "skip NAME: reason"), then "N passed, N failed[, N skipped]";
# details and per-case times go to stderr. Exit status 0 when nothing failed.
#
#   tests/integration/run.sh [CASE...]      (default: all; or $KTVM_TESTS)
#
# Needs KTVM, KERNEL_IMAGE (on x86_64 KERNEL_BZIMAGE and KERNEL_VMLINUX),
# FIXTURES (see lib.sh); run it through tests/harness/run.sh, which provides
# them and a usable /dev/kvm. The same cases run on every arch: one boot
# case per form of the kernel the arch boots (x86_64: bzImage and ELF
# vmlinux; aarch64: Image), and the few that test one arch's formats or
# firmware are listed for that arch only (see the end).
set -eu
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/payload.sh
. "$(dirname "$0")/payload.sh"
# shellcheck source=tests/integration/topology.sh
. "$(dirname "$0")/topology.sh"
# shellcheck source=tests/integration/watch.sh
. "$(dirname "$0")/watch.sh"
# shellcheck source=tests/integration/kvm.sh
. "$(dirname "$0")/kvm.sh"
# shellcheck source=tests/integration/sched.sh
. "$(dirname "$0")/sched.sh"
# shellcheck source=tests/integration/faults.sh
. "$(dirname "$0")/faults.sh"
# shellcheck source=tests/integration/monitor.sh
. "$(dirname "$0")/monitor.sh"
# shellcheck source=tests/integration/devices.sh
. "$(dirname "$0")/devices.sh"
# shellcheck source=tests/integration/zboot.sh
. "$(dirname "$0")/zboot.sh"

# Read by run_case.
# shellcheck disable=SC2034
only=${*:-${KTVM_TESTS:-}}
kvm_select

# --- boot: the guest reaches init with every CPU and reboots --------------

boot() { # KERNEL CPUS [CMDLINE]
	if [ -n "${3:-}" ]; then
		set -- "$1" "$2" --cmdline "$3"
	else
		set -- "$1" "$2"
	fi
	k=$1 n=$2
	shift 2
	# The bzImage's own boot protocol, not the kernel cache's ELF (boot_bzimage_cached).
	[ "$k" != "${KERNEL_BZIMAGE:-}" ] || set -- "$@" --no-kernel-cache
	ktvm_run run --kernel "$k" --initrd "$FIXTURES/marker-init.cpio" --cpus "$n" \
		--memory 256 --timeout 120 --console --json "$json" "$@"
	expect_status 0 || return 0
	expect_console "KTVM-MARKER: init started cpus=$n" || return 0
	expect_console_re "smp: Brought up [0-9]+ nodes?, $n CPUs?" \
		"\"smp: Brought up 1 node, $n CPU(s)\"" "smp: Brought up" || return 0
	expect_json end reboot || return 0
	expect_json timed_out false || return 0
	expect_json vcpus "$n" || return 0
	expect_json threads_joined "$n" || return 0
}

# --- crash: a kernel panic ends the run as a crash, not a reboot ---------

# No /init in the initramfs at this path: the kernel finds no root either
# and panics ("VFS: Unable to mount root fs"); with panic=-1 it then resets.
crash_case() {
	ktvm_run run --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/marker-init.cpio" --cpus 1 \
		--memory 256 --timeout 120 --cmdline "rdinit=/no-such-init" --console --json "$json"
	expect_status 121 || return 0
	expect_json end crash || return 0
	expect_console "Kernel panic - not syncing" || return 0
	grep -q "Kernel panic" "$err" || fail "stderr (expected the panic line in the summary)"
}

# --- tick: timers and the scheduler tick work in the guest -----------------

tick_case() {
	ktvm_run run --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/tick-init.cpio" --cpus 2 \
		--memory 256 --timeout 120 --cmdline quiet --console --json "$json"
	expect_status 0 || return 0
	expect_console_re "KTVM-MARKER: tick slept_ms=(9[5-9][0-9]|1[0-9][0-9][0-9]) " \
		"slept_ms between 950 and 1999" "KTVM-MARKER: tick" || return 0
	expect_console_re "uptime_ms=(9[0-9][0-9]|[1-9][0-9][0-9][0-9]+)" \
		"uptime_ms of 900 or more (jiffies advancing)" "uptime_ms" || return 0
}

# --- closed stderr: ktvm keeps running when its console reader goes away ---

closed_stderr_case() {
	(
		cd "$cwd" && timeout -s KILL 300 "$KTVM" run --kernel "$KERNEL_IMAGE" \
			--initrd "$FIXTURES/marker-init.cpio" --memory 256 --timeout 120 --console \
			--json "$json" 2>&1 </dev/null
		echo $? >"$work/rc"
	) | head -n 1 >/dev/null
	json_flat "$json" >"$json.flat" 2>/dev/null || : >"$json.flat"
	expect_eq "exit status with stderr closed early" 0 "$(cat "$work/rc")" || return 0
	expect_json end reboot || return 0
}

# --- timeout: a guest that never ends is stopped, all threads joined ------

ktvm_processes() {
	real=$(readlink -f "$KTVM")
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$real" ] && echo "${p#/proc/}"
	done
	return 0
}

# The kernel in its boot loader's format (x86_64: the bzImage): its setup is
# short, so the wall time measures the timeout.
timeout_case() {
	ktvm_run run --kernel "$(form_kernel $loader_form)" --initrd "$FIXTURES/hang-init.cpio" --cpus 2 \
		--memory 256 --timeout 5 --console --json "$json"
	expect_status 124 || return 0
	[ "$wall_ms" -ge 5000 ] && [ "$wall_ms" -le 15000 ] ||
		fail "wall time (expected 5000..15000 ms, got $wall_ms ms)" || return 0
	expect_json timed_out true || return 0
	expect_json end timeout || return 0
	expect_json threads_joined "$(json_get "$json.flat" vcpus)" || return 0
	left=$(ktvm_processes | tr '\n' ' ')
	[ -z "$left" ] || fail "ktvm processes after the run (expected none, got pids $left)"
}

# stdout is a pipe whose reader never reads: the payload's output stalls,
# --timeout still ends the run, and the last output is dropped and counted,
# not waited for (the final drain gives up a stalled reader).
stalled_stdout_case() {
	mkfifo "$work/stalled"
	sleep 300 <"$work/stalled" &
	reader=$!
	t0=$(now_ms)
	rc=0
	(cd "$cwd" && exec timeout -s KILL "${KTVM_WATCHDOG:-300}" "$KTVM" run --kernel "$KERNEL_IMAGE" \
		--timeout 15 --json "$json" -- "$PAYLOADS/pattern" 33554432) \
		>"$work/stalled" 2>"$err" </dev/null || rc=$?
	wall_ms=$(($(now_ms) - t0))
	kill "$reader" 2>/dev/null
	wait "$reader" 2>/dev/null
	json_flat "$json" >"$json.flat"
	expect_status 124 || return 0
	[ "$wall_ms" -le 60000 ] || fail "wall time $wall_ms ms (expected the 15 s timeout, not a hang)" ||
		return 0
	dropped=$(json_get "$json.flat" channel.stdout_dropped)
	[ "$dropped" != "<none>" ] && [ "$dropped" -gt 0 ] ||
		fail "channel.stdout_dropped is $dropped (expected the stalled output counted)" || return 0
}

# With --dump-dir, a guest that times out is frozen where it hangs and
# dumped: every vCPU's registers, before the run ends.
timeout_dump_case() {
	mkdir -p "$cwd/dumps"
	ktvm_run run --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/hang-init.cpio" --cpus 2 \
		--memory 256 --timeout 5 --dump-dir "$cwd/dumps" --json "$json"
	expect_status 124 || return 0
	end_dump_check timeout 2
}

# end_dump_check TAG VCPUS: one dump named for TAG, all VCPUS frozen, each
# with registers and no error.
end_dump_check() {
	f=$(find "$cwd/dumps" -name "ktvm-dump-001-$1.json")
	[ -n "$f" ] || fail "no $1 dump (got: $(ls "$cwd/dumps" | tr '\n' ' '))" || return 0
	json_flat "$f" >"$work/dump.flat" || fail "the dump is not JSON" || return 0
	expect_eq "dump tag" "$1" "$(json_get "$work/dump.flat" tag)" || return 0
	expect_eq "dump frozen_vcpus" "$2" "$(json_get "$work/dump.flat" frozen_vcpus)" || return 0
	i=0
	while [ $i -lt "$2" ]; do
		pc=$(json_get "$work/dump.flat" "vcpus.$i.regs.$end_pc")
		case "$pc" in 0x[0-9a-f]*) ;; *) fail "dump vcpus.$i.regs.$end_pc (expected an address, got \"$pc\")" || return 0 ;; esac
		i=$((i + 1))
	done
	grep -q '"error"' "$f" && fail "the dump has an error: $(grep -o '"error"[^,}]*' "$f" | head -n1)"
	return 0
}

# A panic that does not reboot (panic=0 replaces ktvm's panic=-1): after
# the grace period the run ends as a crash, and with --dump-dir the frozen
# guest is dumped first.
crash_panic_dump_case() {
	mkdir -p "$cwd/dumps"
	ktvm_run run --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/marker-init.cpio" --cpus 2 \
		--memory 256 --timeout 120 --cmdline "rdinit=/no-such-init panic=0" \
		--dump-dir "$cwd/dumps" --json "$json"
	expect_status 121 || return 0
	expect_json end crash || return 0
	end_dump_check panic 2
}

# --- bad input: exit status 2, one "ktvm:" line naming the problem, and ---
# --- nothing left behind ----------------------------------------------------

# bad WORDS ARGS...: ktvm run ARGS must fail as bad input with a message
# that contains each of the space-separated WORDS.
bad() {
	word=$1
	shift
	ls -A "$cwd" >"$work/cwd.before"
	ls -A /tmp >"$work/tmp.before"
	ktvm_run run "$@"
	expect_status 2 || return 0
	lines=$(wc -l <"$err" | tr -d ' ')
	# A last line without its newline still counts.
	[ -z "$(tail -c1 "$err")" ] || lines=$((lines + 1))
	expect_eq "stderr lines" 1 "$lines" || return 0
	first=$(head -n1 "$err" | cut -c1-160)
	case "$first" in ktvm:*) ;; *) fail "stderr (expected a line starting with \"ktvm:\", got \"$first\")" || return 0 ;; esac
	for w in $word; do
		case "$first" in
		*"$w"*) ;;
		*) fail "message (expected it to name \"$w\", got \"$first\")" || return 0 ;;
		esac
	done
	[ ! -s "$out" ] || fail "stdout (expected nothing, got \"$(head -n1 "$out" | cut -c1-80)\")" || return 0
	ls -A "$cwd" >"$work/cwd.after"
	ls -A /tmp >"$work/tmp.after"
	new=$(tr '\n' ' ' <"$work/cwd.after")
	[ -z "$new" ] || fail "files left in the working directory (expected none, got $new)" || return 0
	new=$(awk 'NR == FNR { seen[$0] = 1; next } !seen[$0]' "$work/tmp.before" "$work/tmp.after" | tr '\n' ' ')
	[ -z "$new" ] || fail "files left in /tmp (expected none, got $new)" || return 0
}

# A FIFO with no writer: refused at once (a plain open() would block forever).
bad_fifo_kernel() {
	mkfifo "$work/fifo-kernel"
	bad "fifo-kernel regular" --kernel "$work/fifo-kernel" \
		--initrd "$FIXTURES/marker-init.cpio" --timeout 30
}

bad_fifo_initrd() {
	mkfifo "$work/fifo-initrd"
	bad "fifo-initrd regular" --kernel "$KERNEL_IMAGE" --initrd "$work/fifo-initrd" --timeout 30
}

bad_fifo_symbols() {
	mkfifo "$work/fifo-symbols"
	bad "fifo-symbols regular" --kernel "$KERNEL_IMAGE" --symbols "$work/fifo-symbols" \
		--watch jiffies -- "$PAYLOADS/pattern"
}

bad_missing_kernel() {
	bad "$work/no-such-kernel" --kernel "$work/no-such-kernel" \
		--initrd "$FIXTURES/marker-init.cpio" --timeout 30
}

# The first 4 KiB of the bzImage or Image, under its file name.
bad_truncated_kernel() {
	k=$(form_kernel $loader_form)
	t=$work/truncated-$(basename "$k")
	head -c 4096 "$k" >"$t"
	bad "$(basename "$t")" --kernel "$t" --initrd "$FIXTURES/marker-init.cpio" --timeout 30
}

# An x86 bzImage given to the aarch64 build (KERNEL_FOREIGN).
bad_foreign_kernel() {
	bad "$KERNEL_FOREIGN arm64" --kernel "$KERNEL_FOREIGN" \
		--initrd "$FIXTURES/marker-init.cpio" --timeout 30
}

bad_random_kernel() {
	dd if=/dev/urandom of="$work/random-kernel" bs=1024 count=1024 2>/dev/null
	bad random-kernel --kernel "$work/random-kernel" \
		--initrd "$FIXTURES/marker-init.cpio" --timeout 30
}

# Debian's 6.1 kernel needs about 80 MiB on x86_64: its ELF segments end at
# 74 MiB, the bzImage's init_size is 64 MiB above the 16 MiB load address.
# On aarch64 the Image needs about 37 MiB (image_size 32 MiB and the device
# tree's 2 MiB block). The memory given is above ktvm's minimum guest size
# (32 MiB), so the kernel itself must be refused.
case "$KTVM_ARCH" in
x86_64) too_small_mib=48 end_pc=rip ;;
*) too_small_mib=32 end_pc=pc ;;
esac
bad_kernel_too_big() {
	bad "$(basename "$KERNEL_IMAGE") memory" --kernel "$KERNEL_IMAGE" \
		--initrd "$FIXTURES/marker-init.cpio" --memory $too_small_mib --timeout 30
}

bad_bzimage_too_big() {
	bad "$(basename "$KERNEL_BZIMAGE") memory" --kernel "$KERNEL_BZIMAGE" --no-kernel-cache \
		--initrd "$FIXTURES/marker-init.cpio" --memory 48 --timeout 30
}

# The kernel cache: a compressed kernel boots through its uncompressed form
# (x86_64: the bzImage's ELF vmlinux with its PVH entry; aarch64: an
# Image.gz's Image): decompressed and kept on the first run, reused on the
# second, named as given in messages.
kcache_case() {
	case "$KTVM_ARCH" in
	x86_64) k=$KERNEL_BZIMAGE ;;
	*)
		k=$cwd/Image.gz
		gzip -1 -c "$KERNEL_IMAGE" >"$k"
		sleep 2 # a file younger than 2 s is not indexed (kcache.c)
		;;
	esac
	for want in miss hit; do
		KTVM_KERNEL_CACHE=$cwd/kc ktvm_run run --kernel "$k" --initrd "$FIXTURES/marker-init.cpio" \
			--memory 256 --timeout 120 --console --json "$json"
		expect_status 0 || return 0
		expect_console "KTVM-MARKER: init started" || return 0
		expect_json kernel.cache $want || return 0
		expect_json kernel.given "$k" || return 0
		case "$(json_get "$json.flat" kernel.booted)" in
		"$cwd/kc/vmlinux-"*) ;;
		*) fail "kernel.booted (expected a file in $cwd/kc, got $(json_get "$json.flat" kernel.booted))" || return 0 ;;
		esac
		# The second lookup goes by the index, not the checksum; the
		# cache's file is mapped into guest RAM, not copied.
		[ $want = miss ] || expect_json kernel.by_index true || return 0
		mb=$(json_get "$json.flat" load.kernel_mapped_bytes)
		[ "$mb" -gt 1048576 ] 2>/dev/null || fail "load.kernel_mapped_bytes (expected > 1 MiB, got $mb)" || return 0
	done
	expect_eq "cache entries" 1 "$(ls "$cwd/kc" | grep -c '^vmlinux-')" || return 0
	expect_eq "cache index links" 1 "$(ls "$cwd/kc" | grep -c '^idx-')" || return 0
	# Turned off: the image as given (arm64: refused, with the reason).
	KTVM_KERNEL_CACHE=$cwd/kc ktvm_run run --kernel "$k" --initrd "$FIXTURES/marker-init.cpio" \
		--memory 256 --timeout 120 --json "$json" --no-kernel-cache
	case "$KTVM_ARCH" in
	x86_64)
		expect_status 0 || return 0
		expect_json kernel.cache off || return 0
		expect_json load.kernel_mapped_bytes 0 || return 0
		;;
	*)
		expect_status 2 || return 0
		grep -q "gzip-compressed Image" "$err" || fail "message (expected it to say the Image is gzip-compressed, got \"$(head -n1 "$err")\")" || return 0
		;;
	esac
}

# An EFI zboot image (vmlinuz.efi, zboot.sh wraps the kernel): on aarch64
# the Image inside boots through the cache, to init (a miss) and running a
# program, its modules found beside the image (a hit); without the cache,
# one line and status 2. x86_64 has no zboot: not a bzImage.
kcache_zboot_case() {
	k=$cwd/vmlinuz.efi
	if [ "$KTVM_ARCH" = x86_64 ]; then
		# The kernel's first MiB is enough to be refused.
		head -c 1048576 "$KERNEL_IMAGE" >"$cwd/head"
		zboot_wrap "$cwd/head" "$k" || fail "zboot_wrap $KERNEL_IMAGE" || return 0
		ktvm_run run --kernel "$k" --initrd "$FIXTURES/marker-init.cpio" --timeout 30
		expect_status 2 || return 0
		grep -q "not a bzImage" "$err" || fail "message (expected \"not a bzImage\", got \"$(head -n1 "$err")\")"
		return 0
	fi
	zboot_wrap "$KERNEL_IMAGE" "$k" || fail "zboot_wrap $KERNEL_IMAGE" || return 0
	ln -s "$(dirname "$KERNEL_IMAGE")/root" "$cwd/root"
	KTVM_KERNEL_CACHE=$cwd/kc ktvm_run run --kernel "$k" --initrd "$FIXTURES/marker-init.cpio" \
		--memory 256 --timeout 120 --console --json "$json"
	expect_status 0 || return 0
	expect_console "KTVM-MARKER: init started" || return 0
	expect_json kernel.cache miss || return 0
	KTVM_KERNEL_CACHE=$cwd/kc ktvm_run run --kernel "$k" --memory 256 --timeout 120 \
		--json "$json" -- /bin/busybox sh -c 'echo zboot-payload; exit 7'
	expect_status 7 || return 0
	expect_file stdout zboot-payload "$out" || return 0
	expect_json kernel.cache hit || return 0
	expect_eq "cache entries" 1 "$(ls "$cwd/kc" | grep -c '^vmlinux-')" || return 0
	KTVM_KERNEL_CACHE=$cwd/kc ktvm_run run --kernel "$k" --initrd "$FIXTURES/marker-init.cpio" \
		--memory 256 --timeout 120 --no-kernel-cache
	expect_status 2 || return 0
	expect_eq "message lines" 1 "$(wc -l <"$err" | tr -d ' ')" || return 0
	grep -q "an EFI zboot image (gzip-compressed Image)" "$err" ||
		fail "message (expected it to say an EFI zboot image, got \"$(head -n1 "$err")\")"
}

bad_initrd_too_big() {
	dd if=/dev/zero of="$work/big-initrd" bs=1M count=120 2>/dev/null
	bad "big-initrd memory" --kernel "$(form_kernel $loader_form)" --no-kernel-cache \
		--initrd "$work/big-initrd" --memory 128 --timeout 30
}

bad_cmdline_too_long() {
	long=$(head -c 3000 /dev/zero | tr '\0' a)
	bad "command line" --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/marker-init.cpio" \
		--cmdline "$long" --timeout 30
}

# 100 kB: the message gives the true length, not where the buffer filled.
bad_cmdline_huge() {
	long=$(head -c 100000 /dev/zero | tr '\0' a)
	bad "command line 1000" --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/marker-init.cpio" \
		--cmdline "$long" --timeout 30
	case "$(cat "$err")" in *" 1000"[0-9][0-9]" bytes"*) ;; *) fail "the length is not 1000NN bytes: $(cut -c1-120 "$err")" ;; esac
}

# Blanks and signs before a number (strtoull() would take them): refused.
bad_number_blank_sign() {
	for opt in --cpus --memory --timeout; do
		bad "$opt" --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/marker-init.cpio" \
			"$opt" ' -18446744073709551614' || return 0
		[ -z "$why" ] || return 0
		bad "$opt" --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/marker-init.cpio" \
			"$opt" ' 2' || return 0
		[ -z "$why" ] || return 0
	done
}

bad_missing_value() {
	bad "--kernel value" --kernel
}

bad_cpus_zero() {
	bad cpus --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/marker-init.cpio" \
		--cpus 0 --timeout 30
}

bad_memory_one() {
	bad memory --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/marker-init.cpio" \
		--memory 1 --timeout 30
}

bad_unknown_option() {
	bad frobnicate --kernel "$KERNEL_IMAGE" --frobnicate --timeout 30
}

# The KVM test tier first (kvm.sh): tiny raw guests, well under a second each.
kvm_tier
check_env marker-init hang-init

for form in $boot_forms; do
	run_case "boot_${form}_1cpu" boot "$(form_kernel "$form")" 1
	run_case "boot_${form}_4cpu" boot "$(form_kernel "$form")" 4
done
# The x86 guest without ACPI (MP table, no virtio-mmio in a DSDT).
[ "$KTVM_ARCH" != x86_64 ] || run_case boot_acpi_off boot "$KERNEL_VMLINUX" 2 acpi=off
run_case crash_panic crash_case
run_case tick tick_case
run_case closed_stderr closed_stderr_case
run_case timeout timeout_case
run_case stalled_stdout stalled_stdout_case
run_case timeout_dump timeout_dump_case
run_case crash_panic_dump crash_panic_dump_case
# Signals and faults (faults.sh): nothing lost, nothing left running.
run_case sig_boot sig_boot_case
run_case sig_payload sig_payload_case
run_case rewrite_kernel rewrite_kernel_case
run_case rewrite_kernel_io rewrite_kernel_io_case
run_case rewrite_initrd rewrite_initrd_case
run_case sig_frozen sig_frozen_case
run_case sig_twice_in_dump sig_twice_in_dump_case
run_case dump_dir_full dump_dir_full_case
run_case dump_dir_readonly dump_dir_readonly_case
run_case closed_stdout closed_stdout_case
run_case flood flood_case
# The host-side monitor (monitor.sh).
run_case monitor_burn monitor_burn_case
run_case monitor_stall monitor_stall_case
run_case monitor_btf monitor_btf_case
run_case monitor_guest_btf monitor_guest_btf_case
run_case monitor_symbols monitor_symbols_case
run_case monitor_sched monitor_sched_case
[ "$KTVM_ARCH" != x86_64 ] || [ ! -f "${KERNEL_612_IMAGE:-}" ] ||
	run_case monitor_burn_612 monitor_burn_case "$KERNEL_612_IMAGE"
[ "$KTVM_ARCH" != aarch64 ] || run_case monitor_off monitor_off_case
run_case bad_missing_kernel bad_missing_kernel
run_case bad_fifo_kernel bad_fifo_kernel
run_case bad_fifo_initrd bad_fifo_initrd
run_case bad_fifo_symbols bad_fifo_symbols
run_case "bad_truncated_$loader_form" bad_truncated_kernel
# The acceptance criterion of the aarch64 backend: an x86 kernel is refused.
[ -z "${KERNEL_FOREIGN:-}" ] || run_case bad_foreign_kernel bad_foreign_kernel
run_case bad_random_kernel bad_random_kernel
run_case bad_kernel_too_big bad_kernel_too_big
# The bzImage's own size check (init_size), apart from the ELF's.
[ "$KTVM_ARCH" != x86_64 ] || run_case bad_bzimage_too_big bad_bzimage_too_big
run_case kernel_cache kcache_case
run_case kernel_cache_zboot kcache_zboot_case
run_case bad_initrd_too_big bad_initrd_too_big
run_case bad_cmdline_too_long bad_cmdline_too_long
run_case bad_cmdline_huge bad_cmdline_huge
run_case bad_number_blank_sign bad_number_blank_sign
run_case bad_missing_value bad_missing_value
run_case bad_cpus_zero bad_cpus_zero
run_case bad_memory_one bad_memory_one
run_case bad_unknown_option bad_unknown_option
run_case payload_busybox payload_busybox_case
run_case payload_boot_times payload_boot_times_case
run_case payload_signal payload_signal_case
run_case payload_args_env payload_args_env_case
run_case payload_dynamic payload_dynamic_case
run_case payload_32m payload_32m_case
run_case payload_garbage payload_garbage_case
run_case payload_missing payload_missing_case
run_case payload_noexec payload_noexec_case
run_case payload_cache payload_cache_case
run_case payload_gzip payload_gzip_case
run_case payload_include payload_include_case
run_case payload_612 payload_612_case
run_case bad_payload_not_found bad_payload_not_found
run_case bad_payload_with_initrd bad_payload_with_initrd
run_case bad_include_missing bad_include_missing
# Topology (topology.sh): the guest sees the nodes, LLCs, cores, SMT
# siblings, distances and node memory asked for.
run_case topo_1111 topo_boot 1,1,1,1 256 '' ''
run_case topo_1142 topo_boot 1,1,4,2 256 '' ''
run_case topo_1222 topo_boot 1,2,2,2 256 '' ''
run_case topo_2221 topo_boot 2,2,2,1 512 '' ''
run_case topo_2412 topo_boot 2,4,1,2 512 '' ''
run_case topo_4411_dist topo_boot 4,4,1,1 512 '' \
	'10,15,20,30;15,10,25,35;20,25,10,40;30,35,40,10'
run_case topo_memory_only_node topo_boot 2,2,1,1 640 256,256,128 ''
run_case topo_uneven_mem topo_boot 2,2,2,1 512 384,128 ''
# Counts that are not powers of two (on x86_64: holes in the APIC IDs).
run_case topo_3331 topo_boot 3,3,3,1 384 '' ''
run_case topo_1213 topo_boot 1,2,1,3 256 '' ''
run_case topo_612 topo_612_case
run_case topo_hmat topo_hmat_case
run_case topo_bad_latency_shape topo_bad --numa-latency \
	--topology 2,2,1,1 --numa-latency '80,140,200;140,80,200'
run_case topo_bad_nodes_zero topo_bad "--topology NODES" --topology 0,1,1,1
run_case topo_bad_cores_zero topo_bad "--topology CORES" --topology 1,1,0,1
run_case topo_bad_too_many_vcpus topo_bad "--topology $topo_max_vcpus" \
	--topology "1,1,$((topo_max_vcpus + 1)),1"
run_case topo_bad_llcs_uneven topo_bad --topology --topology 2,3,1,1
run_case topo_bad_dist_asym topo_bad "--numa-dist symmetric" \
	--topology 2,2,1,1 --numa-dist '10,20;30,10'
run_case topo_bad_dist_diag topo_bad "--numa-dist itself" \
	--topology 2,2,1,1 --numa-dist '11,20;20,11'
run_case topo_bad_dist_low topo_bad --numa-dist \
	--topology 2,2,1,1 --numa-dist '10,10;10,10'
run_case topo_bad_dist_count topo_bad --numa-dist \
	--topology 2,2,1,1 --numa-dist '10,20,20;20,10,20;20,20,10'
run_case topo_bad_dist_ragged topo_bad --numa-dist \
	--topology 2,2,1,1 --numa-dist '10,20;20'
run_case topo_bad_mem_sum topo_bad "--numa-mem --memory" \
	--topology 2,2,1,1 --numa-mem 256,256 --memory 384
# Watchpoints (watch.sh): hardware data-write watchpoints on guest kernel
# variables, freezes and dumps.
run_case watch_sysctl watch_sysctl_case
run_case watch_dump watch_dump_case
run_case watch_three watch_three_case
run_case watch_wide_store watch_wide_store_case
run_case watch_guest_debug watch_guest_debug_case
run_case watch_unknown_symbol watch_unknown_symbol_case
run_case watch_unknown_symbol_bzimage watch_unknown_symbol_bzimage_case
run_case watch_unknown_symbol_guest watch_unknown_symbol_guest_case
run_case watch_snapshot watch_snapshot_case
run_case watch_snapshot_cap watch_snapshot_cap_case
run_case watch_dump_cap watch_dump_cap_case
run_case watch_612 watch_612_case
run_case watch_no_data_symbols watch_no_data_symbols_case
run_case bad_watch_symbols_missing watch_symbols_missing_case
run_case bad_watch_symbols_stub watch_symbols_stub_case
run_case bad_watch_fourth bad "--watch at most 3" --kernel "$KERNEL_IMAGE" \
	--watch a --watch b --watch c --watch d -- /bin/busybox true
run_case bad_watch_unaligned bad "--watch aligned" --kernel "$KERNEL_IMAGE" \
	--watch vm_swappiness+2 -- /bin/busybox true
run_case bad_watch_address bad "--watch aligned" --kernel "$KERNEL_IMAGE" \
	--watch 0xffffffff81000002 --initrd "$FIXTURES/marker-init.cpio"
run_case bad_watch_action bad "--watch action" --kernel "$KERNEL_IMAGE" \
	--watch vm_swappiness:explode -- /bin/busybox true
run_case bad_watch_symbol_without_prog bad "--watch PROG" --kernel "$KERNEL_IMAGE" \
	--watch vm_swappiness --initrd "$FIXTURES/marker-init.cpio"
# sched_ext (sched.sh): a BPF scheduler's life on Debian's 7.x kernel.
run_case sched_scx_simple sched_scx_simple_case
run_case sched_fifo_normal sched_fifo_normal_case
run_case sched_simple_option sched_simple_option_case
run_case sched_fifo_error sched_fifo_error_case
run_case sched_fifo_stall sched_fifo_stall_case
run_case sched_fifo_stall_watchdog sched_fifo_stall_watchdog_case
run_case sched_fifo_error_poll sched_fifo_error_poll_case
run_case sched_fifo_error_refused sched_fifo_error_refused_case
run_case sched_two_slots sched_two_slots_case
run_case sched_rebind sched_rebind_case
run_case sched_cycles sched_cycles_case
run_case sched_fifo_reject sched_fifo_reject_case
run_case sched_bad_kernel sched_bad_kernel_case
# virtio-blk and virtio-net (devices.sh).
run_case blk_rw blk_rw_case
run_case blk_ro blk_ro_case
run_case blk_discard blk_discard_case
run_case blk_four blk_four_case
run_case blk_uncached blk_uncached_case
run_case net_loop net_loop_case
run_case net_mac_mtu net_mac_mtu_case
run_case net_tap net_tap_case
run_case bad_disk_missing bad "--disk no-such" --kernel "$KERNEL_IMAGE" \
	--disk "$work/no-such.img" -- /bin/busybox true
run_case bad_disk_option bad "--disk option" --kernel "$KERNEL_IMAGE" \
	--disk "$work/x.img,rw" -- /bin/busybox true
run_case bad_disk_size bad "--disk size" --kernel "$KERNEL_IMAGE" \
	--disk size=0 -- /bin/busybox true
run_case bad_net_mode bad "--net mode" --kernel "$KERNEL_IMAGE" \
	--net bridge -- /bin/busybox true
run_case bad_net_mac bad "--net mac" --kernel "$KERNEL_IMAGE" \
	--net loopback,mac=01:00:00:00:00:01 -- /bin/busybox true
summary
