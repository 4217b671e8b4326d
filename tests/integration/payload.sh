# shellcheck shell=sh
# Payload cases of the integration tests (sourced by run.sh): ktvm run
# --kernel K -- PROG ARGS runs PROG under ktvm's guest init and relays its
# output and exit status. Needs PAYLOADS (static test programs: pattern,
# garbage; zcrc, linked dynamically with zlib) and optionally
# KERNEL_612_IMAGE (Debian's 6.12 kernel; its modules beside it).

# prun ARGS...: ktvm run with the 6.1 kernel (KERNEL_IMAGE, or $pkernel)
# and a 120 s timeout.
prun() {
	ktvm_run run --kernel "${pkernel:-$KERNEL_IMAGE}" --memory 256 --timeout 120 \
		--json "$json" "$@"
}

expect_file() { # WHAT EXPECTED-TEXT FILE
	got=$(cat "$3")
	[ "$got" = "$2" ] || fail "$1 (expected \"$2\", got \"$(printf '%s' "$got" | head -c 120)\")"
}

# The acceptance example: stdout "hi", stderr "err", status 3.
payload_busybox_case() {
	prun -- /bin/busybox sh -c 'echo hi; echo err >&2; exit 3'
	expect_status 3 || return 0
	expect_file stdout hi "$out" || return 0
	expect_file stderr err "$err" || return 0
	expect_json channel.exit_status 3 || return 0
	expect_json channel.sys_rdy true || return 0
	expect_json channel.crc_errors 0 || return 0
	expect_json status 3 || return 0
	expect_json end poweroff || return 0
}

# The guest's own times of the boot points (BOOT_TIMES) under the default
# `quiet`, which keeps the kernel's "Run /init" off the console: every
# point there, in order, and beside the host's phases in --profile.
payload_boot_times_case() {
	prun --profile -- /bin/busybox true
	expect_status 0 || return 0
	expect_json channel.frames.BOOT_TIMES 2 || return 0
	expect_json channel.guest_clock.in_order true || return 0
	expect_json channel.guest_clock.unknown_points 0 || return 0
	last=1
	for p in kernel_init init_start init_ready payload_start payload_exit; do
		v=$(json_get "$json.flat" "channel.guest_clock.${p}_us")
		[ "$v" -ge "$last" ] 2>/dev/null ||
			fail "channel.guest_clock.${p}_us (expected a time >= $last, got $v)" || return 0
		last=$v
	done
	# The host never saw "Run /init" on the console; the guest's clock did.
	expect_json init_ms 0 || return 0
	expect_console_re '^ktvm:   kernel to init +- +[0-9]+ ms ' \
		"a --profile line \"kernel to init - N ms\"" "kernel to init" || return 0
	expect_console_re '^ktvm:   guest clock \(ms\): "Run /init" [0-9.]+, init [0-9.]+, ready [0-9.]+, exec [0-9.]+, exit [0-9.]+$' \
		"the --profile line of the guest's points" "guest clock" || return 0
}

# A signal: 128 + 9.
payload_signal_case() {
	prun -- /bin/busybox sh -c 'kill -9 $$'
	expect_status 137 || return 0
	expect_json channel.exit_status 137 || return 0
}

# The guest sees the arguments and --env as given, and the kernel's addresses.
payload_args_env_case() {
	prun --env KTVM_TEST_VAR='a b  c' -- /bin/busybox sh -c \
		'printf "[%s]" "$0" "$@" "$KTVM_TEST_VAR"; echo' 'x y' '' "it's"
	expect_status 0 || return 0
	expect_file stdout "[x y][][it's][a b  c]" "$out" || return 0
	# Each arch's pair of kernel variables, read by init before SYS_RDY.
	case "$KTVM_ARCH" in
	x86_64)
		pb=$(json_get "$json.flat" channel.kern_addrs.page_offset_base)
		case "$pb" in 0xffff*) ;; *) fail "kern_addrs.page_offset_base (expected 0xffff..., got $pb)" ;; esac
		pb=$(json_get "$json.flat" channel.kern_addrs.phys_base)
		case "$pb" in 0x*) ;; *) fail "kern_addrs.phys_base (expected a value, got '$pb')" ;; esac
		;;
	aarch64)
		# Debian's arm64 6.1 lists no data symbols in kallsyms: nothing
		# known, and nothing said to be 0. Its 6.12 has both values.
		expect_eq "kern_addrs on 6.1" "" "$(grep '^channel\.kern_addrs\.' "$json.flat")" || return 0
		expect_json channel.frames.KERN_ADDRS 1 || return 0
		[ -f "${KERNEL_612_IMAGE:-}" ] || return 0
		ktvm_run run --kernel "$KERNEL_612_IMAGE" --memory 256 --json "$json" -- /bin/busybox true
		expect_status 0 || return 0
		# memstart_addr: where the linear map starts in physical memory
		# (RAM's start rounded down; KASLR may move it further down).
		pb=$(json_get "$json.flat" channel.kern_addrs.memstart_addr)
		case "$pb" in 0x*) ;; *) fail "kern_addrs.memstart_addr (expected a value, got '$pb')" ;; esac
		pb=$(json_get "$json.flat" channel.kern_addrs.kimage_voffset)
		case "$pb" in 0xffff*) ;; *) fail "kern_addrs.kimage_voffset (expected 0xffff..., got $pb)" ;; esac
		;;
	esac
	expect_json channel.frames.KERN_ADDRS 1 || return 0
	expect_json channel.frames.KERN_ADDRS_V1 0 || return 0
}

# A dynamically linked program runs unchanged: ktvm packs libz and libc.
payload_dynamic_case() {
	want=$("$PAYLOADS/zcrc" one two) || { fail "zcrc does not run in L1"; return 0; }
	case "$want" in "zcrc "*) ;; *) fail "zcrc in L1 (got \"$want\")"; return 0 ;; esac
	prun -- "$PAYLOADS/zcrc" one two
	expect_status 0 || return 0
	expect_file stdout "$want" "$out" || return 0
}

# 32 MiB through the channel, byte-identical.
payload_32m_case() {
	want=$("$PAYLOADS/pattern" 33554432 | md5sum | cut -d' ' -f1)
	case "$want" in [0-9a-f]*) ;; *) fail "md5sum of the pattern in L1 (got \"$want\")"; return 0 ;; esac
	prun -- "$PAYLOADS/pattern" 33554432
	expect_status 0 || return 0
	expect_eq "stdout checksum (md5sum)" "$want" "$(md5sum <"$out" | cut -d' ' -f1)" || return 0
	expect_json channel.stdout_bytes 33554432 || return 0
	expect_json channel.crc_errors 0 || return 0
}

# Garbage on the channel: counted, survived, the good frame behind it found.
# "garbage 16" also floods 32 MiB: 16 frames announcing 1 MiB with bad CRCs,
# then 16 MiB of random bytes. The assembler's buffer must stay at one frame
# (16 + 1 MiB) and ktvm's peak RSS below guest RAM + 96 MiB.
payload_garbage_case() {
	prun -- "$PAYLOADS/garbage" 16
	expect_status 0 || return 0
	expect_file stdout after-garbage "$out" || return 0
	expect_json channel.crc_errors 17 || return 0
	ov=$(json_get "$json.flat" channel.oversize)
	[ "$ov" -ge 1 ] 2>/dev/null || fail "channel.oversize (expected >= 1, got $ov)" || return 0
	bh=$(json_get "$json.flat" channel.bad_headers)
	[ "$bh" -ge 2 ] 2>/dev/null || fail "channel.bad_headers (expected >= 2, got $bh)" || return 0
	by=$(json_get "$json.flat" channel.bytes)
	[ "$by" -ge 33554432 ] 2>/dev/null || fail "channel.bytes (expected >= 32 MiB, got $by)" || return 0
	ab=$(json_get "$json.flat" channel.assembler_buffer_bytes)
	[ "$ab" -le 1048592 ] 2>/dev/null ||
		fail "channel.assembler_buffer_bytes (expected <= 1048592, got $ab)" || return 0
	rss=$(json_get "$json.flat" host_maxrss_kib)
	[ "$rss" -lt $(((256 + 96) * 1024)) ] 2>/dev/null ||
		fail "host_maxrss_kib (expected < $(((256 + 96) * 1024)), got $rss)" || return 0
	expect_json channel.exit_status 0 || return 0
}

# A guest path that does not exist: 127 and the reason, no hang.
payload_missing_case() {
	prun -- /no/such/program arg
	expect_status 127 || return 0
	expect_json channel.failure.phase FAILED || return 0
	r=$(json_get "$json.flat" channel.failure.reason)
	case "$r" in *"/no/such/program"*) ;; *) fail "failure reason (expected it to name /no/such/program, got \"$r\")" ;; esac
}

# A payload without execute permission: 126.
payload_noexec_case() {
	printf '#!/bin/sh\necho should-not-run\n' >"$work/not-executable"
	chmod 644 "$work/not-executable"
	prun -- "$work/not-executable"
	expect_status 126 || return 0
	[ ! -s "$out" ] || fail "stdout (expected nothing, got \"$(head -c 80 "$out")\")" || return 0
	expect_json channel.failure.phase FAILED || return 0
}

# The second of two identical runs reuses the cached initramfs base (init,
# libraries, modules); the modules were found beside the kernel.
# Both leave nothing in TMPDIR.
payload_cache_case() {
	old_tmpdir=${TMPDIR-} tmpd=$work/payload-tmp
	mkdir -p "$tmpd"
	export TMPDIR="$tmpd"
	prun -- /bin/busybox true
	rc1=$rc
	prun -- /bin/busybox true
	if [ -n "$old_tmpdir" ]; then TMPDIR=$old_tmpdir; else unset TMPDIR; fi
	expect_eq "first run's exit status" 0 "$rc1" || return 0
	expect_status 0 || return 0
	left=$(ls -A "$tmpd")
	[ -z "$left" ] || fail "files left in TMPDIR: $left" || return 0
	expect_json initramfs.cache_hit true || return 0
	m=$(json_get "$json.flat" initramfs.modules)
	[ "$m" -ge 1 ] 2>/dev/null || fail "initramfs.modules (expected >= 1 for Debian 6.1, got $m)"
}

# --initramfs-compress gzip: the guest's kernel inflates the payload's
# initramfs and the payload runs as with the plain one.
payload_gzip_case() {
	prun --initramfs-compress gzip -- /bin/busybox sh -c 'echo gz-ok'
	expect_status 0 || return 0
	expect_file stdout gz-ok "$out" || return 0
	expect_json initramfs.compress gzip || return 0
}

# --include: a host directory appears in the guest, and a guest path runs.
payload_include_case() {
	mkdir -p "$work/inc/sub"
	printf 'included-data\n' >"$work/inc/sub/data.txt"
	prun --include "$work/inc:/opt/inc" --include /bin/busybox:/opt/bin/busybox \
		-- /opt/bin/busybox cat /opt/inc/sub/data.txt
	expect_status 0 || return 0
	expect_file stdout included-data "$out" || return 0
}

# Debian 6.12: virtio_console built in, virtio_mmio a .ko.xz.
payload_612_case() {
	if [ ! -f "${KERNEL_612_IMAGE:-}" ]; then
		skip_why="no Debian 6.12 kernel (KERNEL_612_IMAGE)"
		return 0
	fi
	pkernel=$KERNEL_612_IMAGE
	prun -- /bin/busybox sh -c 'echo hi; echo err >&2; exit 3'
	pkernel=
	expect_status 3 || return 0
	expect_file stdout hi "$out" || return 0
	expect_file stderr err "$err" || return 0
}

# Bad input on the host: exit 2 before any VM exists.
bad_payload_not_found() {
	bad "no-such-program-xyz PATH" --kernel "$KERNEL_IMAGE" -- no-such-program-xyz
}

bad_payload_with_initrd() {
	bad "initrd" --kernel "$KERNEL_IMAGE" --initrd "$FIXTURES/marker-init.cpio" \
		-- /bin/busybox true
}

bad_include_missing() {
	bad "$work/no-such-include" --kernel "$KERNEL_IMAGE" \
		--include "$work/no-such-include" -- /bin/busybox true
}
