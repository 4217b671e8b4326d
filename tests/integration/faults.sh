# shellcheck shell=sh
# Signals and faults with a running guest (sourced by run.sh; the same
# without KVM, during setup, is tests/signals.sh): SIGINT, SIGTERM during
# the boot, the payload, a freeze and a dump; a second SIGINT; a full or
# read-only --dump-dir; a closed stdout; a guest flooding every way out at
# once. Each checks the exit status, the message, the result, and that
# nothing is left: no ktvm process, no temporary file, no partial dump.
# Needs PAYLOADS (sigdfl, flood, pattern, sysctl_write, blkcheck).

# bg_ktvm ARGS...: ktvm in the background with SIGINT at its default (a
# script's background job has it ignored; tests/payloads/sigdfl.c), its
# temporary files in $cwd/tmp, KTVM_TEST_PAUSE=$pause; sets pid.
bg_ktvm() {
	# KVM's debugfs lists the live VMs (expect_nothing_left).
	[ -d /sys/kernel/debug/kvm ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || :
	mkdir -p "$cwd/tmp"
	(cd "$cwd" && KTVM_TEST_PAUSE=${pause:-} TMPDIR=$cwd/tmp exec "$PAYLOADS/sigdfl" "$KTVM" "$@") \
		>"$out" 2>"$err" </dev/null &
	pid=$!
	t0=$(now_ms)
}

# bg_wait_for FILE TEXT [SECONDS]: until TEXT appears in FILE (default 180 s).
bg_wait_for() {
	i=0 limit=$((${3:-180} * 10))
	while ! grep -Fq -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $limit ] || ! kill -0 "$pid" 2>/dev/null; then
			fail "never saw \"$2\" (ktvm $(kill -0 "$pid" 2>/dev/null && echo running || echo ended))"
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 1
		fi
		sleep 0.1
	done
}

# bg_finish: wait for ktvm, at most 60 s (then it is a hang: killed, rc=hang);
# sets rc and wall_ms, flattens the result.
bg_finish() {
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ]; then
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	rc=0
	wait "$pid" || rc=$?
	[ $i -le 600 ] || rc=hang
	wall_ms=$(($(now_ms) - t0))
	if [ -s "$json" ]; then json_flat "$json" >"$json.flat"; else : >"$json.flat"; fi
}

# bg_abort: a case that gives up while ktvm still runs ends it first, so
# that the next case does not find it.
bg_abort() {
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Nothing of the run is left: no process, no temporary file, no half-written dump.
expect_nothing_left() {
	if [ -n "${pid:-}" ] && kill -0 "$pid" 2>/dev/null; then
		fail "ktvm (pid $pid) still runs"
		return 1
	fi
	left=$(ktvm_processes | tr '\n' ' ')
	[ -z "$left" ] || { fail "ktvm processes after the run (expected none, got pids $left)"; return 1; }
	# The VM itself: KVM lists each live VM in debugfs as PID-FD.
	for vmdir in /sys/kernel/debug/kvm/"${pid:-none}"-*; do
		[ -e "$vmdir" ] || continue
		fail "KVM still has a VM of pid $pid ($vmdir)"
		return 1
	done
	left=$(ls -A "$cwd/tmp" 2>/dev/null)
	[ -z "$left" ] || { fail "temporary files left in TMPDIR: $left"; return 1; }
	return 0
}

# Every dump in $cwd/dumps is whole JSON.
expect_dumps_whole() { # COUNT
	n=0
	for f in "$cwd"/dumps/ktvm-dump-*.json; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		json_flat "$f" >"$work/d.flat"
		if grep -q '^error' "$work/d.flat"; then
			fail "dump $(basename "$f") is not whole JSON ($(tail -n1 "$work/d.flat"))"
			return 1
		fi
	done
	expect_eq "dump files" "$1" "$n"
}

expect_one_line() { # TEXT: exactly one stderr line starts with it
	c=$(grep -c "^$1" "$err")
	expect_eq "stderr lines \"$1\"" 1 "$c"
}

# With --console the guest's text shares stderr: ktvm's line may follow a
# partial console line.
expect_once() { # TEXT: it appears exactly once on stderr
	c=$(grep -o -- "$1" "$err" | wc -l | tr -d ' ')
	expect_eq "stderr \"$1\" count" 1 "$c"
}

# SIGINT while the kernel boots (its CPUs up, init not started): the guest is
# frozen and dumped (--dump-dir), the result says "signal", status 130.
sig_boot_case() {
	mkdir -p "$cwd/dumps"
	pause=''
	bg_ktvm run --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/hang-init.cpio" --cpus 2 \
		--memory 256 --timeout 300 --console --dump-dir "$cwd/dumps" --json "$json"
	bg_wait_for "$err" "smp: Brought up" || return 0
	kill -INT "$pid"
	bg_finish
	expect_status 130 || return 0
	expect_json end signal || return 0
	expect_json detail SIGINT || return 0
	expect_json status 130 || return 0
	expect_json threads_joined 2 || return 0
	expect_once "ktvm: SIGINT: ending the run" || return 0
	expect_once "ktvm: stopped by a signal (SIGINT)" || return 0
	end_dump_check signal 2
	[ -z "$why" ] || return 0
	expect_nothing_left
}

# SIGTERM while the payload runs: what it printed before arrives, status 143.
sig_payload_case() {
	pause=''
	bg_ktvm run --kernel "$KERNEL_IMAGE" --memory 256 --timeout 300 --json "$json" \
		-- /bin/busybox sh -c 'echo ready; while :; do :; done'
	bg_wait_for "$out" ready || return 0
	kill -TERM "$pid"
	bg_finish
	expect_status 143 || return 0
	expect_json end signal || return 0
	expect_json detail SIGTERM || return 0
	expect_file stdout ready "$out" || return 0
	expect_json channel.stdout_bytes 6 || return 0
	expect_one_line "ktvm: SIGTERM: ending the run" || return 0
	[ "$wall_ms" -lt 60000 ] || fail "took $wall_ms ms after the signal" || return 0
	expect_nothing_left
}

# rewrite_in_place FILE WHAT: FILE rewritten the way cp over it does (open
# with O_TRUNC, then 1 MiB of new bytes) while ktvm runs from it; on
# failure says so, ends ktvm and returns 1.
rewrite_in_place() {
	timeout 120 sh -c ': >"$1" && head -c 1048576 /dev/zero >"$1"' sh "$1" ||
		{ fail "the rewrite of the $2 file did not finish"; bg_abort; return 1; }
}

# expect_lease_kept WHICH FILE MIN_BYTES MIN_TEXT: after a run whose WHICH
# (kernel, initrd) file was rewritten: it was mapped under a lease, more
# than MIN_BYTES of it (said as MIN_TEXT), and the writer went through.
expect_lease_kept() {
	expect_json "load.$1_leased" true || return 1
	mb=$(json_get "$json.flat" "load.$1_mapped_bytes")
	[ "$mb" -gt "$3" ] 2>/dev/null ||
		fail "load.$1_mapped_bytes (expected > $4 mapped, got $mb)" || return 1
	expect_eq "the rewritten file's size" 1048576 "$(stat -c %s "$2")"
}

# rewrite_during_run KTVM-ARGS...: ktvm runs a copy of KERNEL_IMAGE (its
# modules beside it, root/lib/modules) with the arguments given, whose PROG
# says "ready" first; then the copy is rewritten in place, the way cp over
# it does (open with O_TRUNC, then new bytes), and the run is waited for.
# Checks what every such run must show: status 0, the kernel mapped under
# a lease, the writer through (the file's new size), nothing left.
rewrite_during_run() {
	mkdir -p "$cwd/k"
	k=$cwd/k/$(basename "$KERNEL_IMAGE")
	cp "$KERNEL_IMAGE" "$k" || { fail "cannot copy $KERNEL_IMAGE"; return 1; }
	ln -s "$(dirname "$KERNEL_IMAGE")/root" "$cwd/k/root"
	pause=''
	bg_ktvm run --kernel "$k" --memory 256 --cpus 2 --timeout 300 --json "$json" "$@"
	bg_wait_for "$out" ready || return 1
	rewrite_in_place "$k" kernel || return 1
	bg_finish
	expect_status 0 || return 1
	expect_lease_kept kernel "$k" 1048576 "1 MiB" || return 1
	expect_nothing_left
}

# The uncompressed kernel given is rewritten in place while the guest runs
# from it: it was mapped into guest RAM under a lease (core/base/file.h
# file_lease()), so the writer is held until ktvm has parked the vCPUs and
# swapped the pages for copies; the guest goes on with the bytes it booted,
# the writer goes through, the run ends as if nothing happened. Without the
# swap the truncation takes the kernel's pages out of guest RAM (KVM_RUN
# fails, or the guest crashes).
rewrite_kernel_case() {
	rewrite_during_run -- /bin/busybox sh -c 'echo ready; sleep 3; echo done' || return 0
	expect_json end poweroff || return 0
	expect_file stdout "$(printf 'ready\ndone')" "$out"
}

# The same while the guest writes and reads back 64 MiB through a disk:
# the block device is paused (no request in flight, none taken) with the
# vCPUs while the pages are swapped, so no read into guest memory lands in
# a page being replaced; blkcheck's readback compares every byte.
rewrite_kernel_io_case() {
	truncate -s 80M "$cwd/disk.img"
	rewrite_during_run --disk "$cwd/disk.img" --include "$PAYLOADS/blkcheck:/bin/blkcheck" \
		-- /bin/busybox sh -c 'echo ready; /bin/blkcheck write /dev/vda 64 7' || return 0
	case "$(tail -n 1 "$out")" in
	"blkcheck write bytes=67108864 crc32="*" readback=ok") ;;
	*) fail "guest (expected \"blkcheck write bytes=67108864 crc32=... readback=ok\", got \"$(tail -n 1 "$out")\")" || return 0 ;;
	esac
	expect_json disks.0.errors 0
}

# The --initrd given is rewritten in place (cp over it: O_TRUNC, then new
# bytes) while the guest runs, after the kernel has unpacked it and freed
# its pages: guest RAM there is mapped from the file under a lease, so the
# writer is held until ktvm has swapped those pages for copies. Then the
# guest writes nearly all its free memory (touch-init), the freed initrd
# pages among them; without the swap that access faults on the truncated
# file ("KVM_RUN: Bad address"). The copy is padded with 16 MiB of zeros
# (the kernel's unpacker skips zeros between archives) so the mapped part
# is large and the guest surely reuses some of it.
rewrite_initrd_case() {
	ird=$cwd/touch.cpio
	cp "$FIXTURES/touch-init.cpio" "$ird" || { fail "cannot copy touch-init.cpio"; return 0; }
	head -c 16777216 /dev/zero >>"$ird"
	size=$(stat -c %s "$ird")
	pause=''
	bg_ktvm run --kernel "$KERNEL_IMAGE" --initrd "$ird" --memory 256 --cpus 2 --timeout 300 \
		--console --json "$json"
	bg_wait_for "$err" "KTVM-MARKER: touch ready" || return 0
	rewrite_in_place "$ird" initrd || return 0
	# The guest waits 5 s before it touches its memory: the rewrite must
	# come first, or this run says nothing of the swap.
	if grep -q "KTVM-MARKER: touch done" "$err"; then
		fail "the guest touched its memory before the rewrite finished (raise touch_wait_ms)"
		bg_abort
		return 0
	fi
	bg_finish
	expect_status 0 || return 0
	expect_json end reboot || return 0
	expect_console_re "KTVM-MARKER: touch done mib=[1-9][0-9]+" \
		"\"KTVM-MARKER: touch done mib=N\" with N of 10 or more" "touch done" || return 0
	expect_lease_kept initrd "$ird" 8388608 "8 MiB of $size" || return 0
	expect_nothing_left
}

# SIGTERM while a :dump watchpoint holds every vCPU frozen: the hit's dump is
# finished, then the guest is dumped again for the signal, last; all whole.
sig_frozen_case() {
	watch_pick || return 0
	mkdir -p "$cwd/dumps"
	pause=frozen
	bg_ktvm run --kernel "$wkernel" --memory 256 --cpus 2 --timeout 300 \
		--json "$json" --watch vm_swappiness:dump --dump-dir "$cwd/dumps" \
		-- "$PAYLOADS/sysctl_write" /proc/sys/vm/swappiness 3 20
	bg_wait_for "$err" "paused at frozen" || return 0
	kill -TERM "$pid"
	bg_finish
	expect_status 143 || return 0
	expect_json end signal || return 0
	# The held hit's dump, maybe the payload's later hits' (the guest runs
	# on between the thaw and the end hook's freeze), then the signal's, last.
	n=$(find "$cwd/dumps" -name 'ktvm-dump-*.json' | wc -l | tr -d ' ')
	[ "$n" -ge 2 ] || fail "dump files (expected 2 or more, got $n)" || return 0
	expect_dumps_whole "$n" || return 0
	[ -n "$(find "$cwd/dumps" -name 'ktvm-dump-001-watch-vm_swappiness.json')" ] ||
		fail "no watch dump first (got: $(ls "$cwd/dumps" | tr '\n' ' '))" || return 0
	last=$(printf 'ktvm-dump-%03d-signal.json' "$n")
	[ -f "$cwd/dumps/$last" ] ||
		fail "no signal dump last (expected $last, got: $(ls "$cwd/dumps" | tr '\n' ' '))" || return 0
	expect_nothing_left
}

# Two SIGINTs while a dump is being written (held there): ktvm ends at once,
# status 130, and removes the dump it had begun, its --json file and its
# temporary files.
sig_twice_in_dump_case() {
	mkdir -p "$cwd/dumps"
	pause=dump:hold
	bg_ktvm run --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/hang-init.cpio" \
		--cpus 2 --memory 256 --timeout 4 --dump-dir "$cwd/dumps" --json "$json"
	bg_wait_for "$err" "paused at dump" || return 0
	[ -n "$(ls "$cwd/dumps")" ] || fail "no dump file while the dump is held" || return 0
	kill -INT "$pid"
	bg_wait_for "$err" "ending the run" 20 || return 0
	kill -INT "$pid"
	bg_finish
	expect_status 130 || return 0
	expect_one_line "ktvm: SIGINT again: ending at once" || return 0
	[ -z "$(ls "$cwd/dumps")" ] || fail "a partial dump was left: $(ls "$cwd/dumps")" || return 0
	[ ! -e "$json" ] || fail "--json file left (expected none: no result)" || return 0
	[ "$wall_ms" -lt 60000 ] || fail "took $wall_ms ms (expected an end at once)" || return 0
	expect_nothing_left
}

# A --dump-dir with no room: the dump fails with one line and is removed,
# the run ends as it would (timeout), the result counts the failed dump.
dump_dir_full_case() {
	mkdir -p "$cwd/dumps"
	mount -t tmpfs -o size=64k tmpfs "$cwd/dumps" || { skip_why="cannot mount a tmpfs"; return 0; }
	dd if=/dev/zero of="$cwd/dumps/fill" bs=4k 2>/dev/null
	ktvm_run run --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/hang-init.cpio" --cpus 2 \
		--memory 256 --timeout 5 --dump-dir "$cwd/dumps" --json "$json"
	left=$(ls "$cwd/dumps" | grep -v '^fill$')
	umount "$cwd/dumps"
	expect_status 124 || return 0
	expect_json end timeout || return 0
	expect_json watch.dumps 0 || return 0
	expect_json watch.dumps_failed 1 || return 0
	c=$(grep -c "No space left on device (removed)" "$err")
	expect_eq "stderr lines about the full --dump-dir" 1 "$c" || return 0
	[ -z "$left" ] || fail "a partial dump was left: $left"
}

# A read-only --dump-dir: refused before the guest starts, status 2, one line.
dump_dir_readonly_case() {
	mkdir -p "$cwd/dumps"
	mount -t tmpfs -o ro,size=64k tmpfs "$cwd/dumps" || { skip_why="cannot mount a tmpfs"; return 0; }
	ktvm_run run --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/hang-init.cpio" --cpus 1 \
		--memory 256 --timeout 5 --dump-dir "$cwd/dumps" --json "$json"
	umount "$cwd/dumps"
	expect_status 2 || return 0
	expect_eq "stderr" "ktvm: --dump-dir $cwd/dumps: Read-only file system (see 'ktvm run --help')" \
		"$(cat "$err")"
}

# stdout closed: said once, the payload runs, its status comes back.
closed_stdout_case() {
	mkdir -p "$cwd/tmp"
	rc=0
	(cd "$cwd" && TMPDIR=$cwd/tmp exec timeout -s KILL 300 "$KTVM" run --kernel "$KERNEL_IMAGE" \
		--memory 256 --timeout 120 --json "$json" -- /bin/busybox sh -c 'echo hi; exit 5') \
		>&- 2>"$err" </dev/null || rc=$?
	json_flat "$json" >"$json.flat"
	expect_status 5 || return 0
	expect_one_line "ktvm: stdout is closed" || return 0
	expect_json channel.stdout_bytes 3 || return 0
	pid=''
	expect_nothing_left
}

# The guest writes stderr and its console steadily at once (paced:
# tests/payloads/flood.c) while PROG writes 4 MiB to stdout:
# stdout arrives whole and byte-identical, the console capture stays
# bounded (its excess counted), and ktvm's peak RSS stays below guest RAM +
# 96 MiB.
flood_case() {
	want=$("$PAYLOADS/pattern" 4194304 | md5sum | cut -d' ' -f1)
	ktvm_run run --kernel "$KERNEL_IMAGE" --memory 256 --cpus 2 --timeout 240 --json "$json" \
		--include "$PAYLOADS/pattern:/bin/pattern" -- "$PAYLOADS/flood" /bin/pattern 4194304
	expect_status 0 || return 0
	expect_eq "stdout checksum (md5sum)" "$want" "$(md5sum <"$out" | cut -d' ' -f1)" || return 0
	grep -q "^flood: done" "$err" || fail "stderr (expected \"flood: done\" last)" || return 0
	c=$(grep -c "^flood stderr line" "$err")
	[ "$c" -gt 100 ] || fail "stderr flood lines (expected more than 100, got $c)" || return 0
	grep -q "flood console line" "$json" || fail "no console flood line in the result's console" || return 0
	rss=$(json_get "$json.flat" host_maxrss_kib)
	[ "$rss" -lt $(((256 + 96) * 1024)) ] 2>/dev/null ||
		fail "host_maxrss_kib (expected below $(((256 + 96) * 1024)), got $rss)"
}
