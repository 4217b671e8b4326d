# shellcheck shell=sh
# virtio-blk and virtio-net (sourced by run.sh): --disk and --net, checked
# from inside the guest (the payloads blkcheck and netcheck) and from the
# host (the backing file, the JSON counters). The kernel is the default one
# (KERNEL_IMAGE, Debian 6.1: virtio_blk and virtio_net are modules, packed
# by ktvm).

drun() { # ARGS...: ktvm run with a payload, 256 MiB, 180 s
	ktvm_run run --kernel "$KERNEL_IMAGE" --memory 256 --timeout 180 --json "$json" "$@"
}

# The CRC-32 of the first MIB MiB of FILE, by the same program on the host.
host_crc() { # FILE MIB
	"$PAYLOADS/blkcheck" crc "$1" "$2" 2>/dev/null | sed -n 's/.*crc32=\([0-9a-f]*\).*/\1/p'
}

# The result's exit profile names DEVICE among the sites, most hits first.
expect_exit_site() { # DEVICE
	awk -F'\t' -v dev="$1" '
	$1 ~ /^exit_sites\.[0-9]+\.name$/ && index($2, dev) == 1 { found = 1 }
	$1 ~ /^exit_sites\.[0-9]+\.hits$/ { if (n++ && $2 > last) bad = 1; last = $2 }
	END { exit !(found && !bad) }' "$json.flat" ||
		fail "exit_sites (expected $1 among them, most hits first; got $(grep '^exit_sites\.[0-9]*\.name' "$json.flat" | cut -f2 | tr '\n' ' '))"
}

# 64 MiB of pseudo-random data written through /dev/vda, synced, read back
# in the guest; the host file holds the same bytes; the counters add up.
blk_rw_case() {
	truncate -s 80M "$cwd/disk.img"
	drun --disk "$cwd/disk.img" --include "$PAYLOADS/blkcheck:/bin/blkcheck" \
		-- /bin/blkcheck write /dev/vda 64 7
	expect_status 0 || return 0
	line=$(cat "$out")
	case "$line" in
	"blkcheck write bytes=67108864 crc32="*" readback=ok") ;;
	*) fail "guest (expected \"blkcheck write bytes=67108864 crc32=... readback=ok\", got \"$line\")" || return 0 ;;
	esac
	guest=$(printf '%s\n' "$line" | sed -n 's/.*crc32=\([0-9a-f]*\).*/\1/p')
	expect_eq "crc of the host file" "$guest" "$(host_crc "$cwd/disk.img" 64)" || return 0
	expect_json disks.0.name vda || return 0
	expect_json disks.0.bytes $((80 * 1024 * 1024)) || return 0
	expect_json disks.0.errors 0 || return 0
	expect_json disks.0.bad_chains 0 || return 0
	w=$(json_get "$json.flat" disks.0.bytes_written)
	r=$(json_get "$json.flat" disks.0.bytes_read)
	[ "$w" -ge 67108864 ] || fail "disks.0.bytes_written (expected at least 64 MiB, got $w)" || return 0
	[ "$r" -ge 67108864 ] || fail "disks.0.bytes_read (expected at least 64 MiB, got $r)" || return 0
	f=$(json_get "$json.flat" disks.0.flushes)
	[ "$f" -ge 1 ] || fail "disks.0.flushes (expected fsync to flush, got $f)" || return 0
	expect_exit_site virtio-blk || return 0
}

# A read-only disk: the guest's write is refused, the host file unchanged.
blk_ro_case() {
	dd if=/dev/urandom of="$cwd/disk.img" bs=1M count=4 2>/dev/null
	before=$(host_crc "$cwd/disk.img" 4)
	drun --disk "$cwd/disk.img,ro" --include "$PAYLOADS/blkcheck:/bin/blkcheck" \
		-- /bin/busybox sh -c '/bin/blkcheck size /dev/vda && /bin/blkcheck rofail /dev/vda'
	expect_status 0 || return 0
	expect_eq "guest size" "blkcheck size bytes=4194304 ro=1" "$(head -n1 "$out")" || return 0
	case "$(tail -n1 "$out")" in
	"blkcheck rofail errno="E*) ;;
	*) fail "guest write (expected refused, got \"$(tail -n1 "$out")\")" || return 0 ;;
	esac
	expect_eq "host file" "$before" "$(host_crc "$cwd/disk.img" 4)" || return 0
	expect_json disks.0.ro true || return 0
	expect_json disks.0.bytes_written 0 || return 0
}

# DISCARD punches holes: the host file's allocated blocks shrink.
blk_discard_case() {
	dd if=/dev/urandom of="$cwd/disk.img" bs=1M count=32 2>/dev/null
	sync
	before=$(stat -c %b "$cwd/disk.img")
	drun --disk "$cwd/disk.img" --include "$PAYLOADS/blkcheck:/bin/blkcheck" \
		-- /bin/blkcheck discard /dev/vda 0 16
	expect_status 0 || return 0
	expect_eq guest "blkcheck discard ok" "$(cat "$out")" || return 0
	after=$(stat -c %b "$cwd/disk.img")
	# 16 MiB of 32 gone: at least a quarter of the blocks.
	[ "$after" -le $((before * 3 / 4)) ] ||
		fail "host file blocks (expected at most $((before * 3 / 4)) after discarding half, got $after of $before)" || return 0
	d=$(json_get "$json.flat" disks.0.discards)
	[ "$d" -ge 1 ] || fail "disks.0.discards (expected 1 or more, got $d)" || return 0
	expect_eq "discarded range" a738ea1c "$(host_crc "$cwd/disk.img" 1)" || return 0
}

# Four disks, a fresh one among them; several processes' requests at once.
blk_four_case() {
	truncate -s 8M "$cwd/a.img"
	truncate -s 16M "$cwd/b.img"
	dd if=/dev/zero of="$cwd/d.img" bs=1M count=8 2>/dev/null
	drun --disk "$cwd/a.img" --disk "$cwd/b.img,ro" --disk size=24 \
		--disk "$cwd/d.img" --include "$PAYLOADS/blkcheck:/bin/blkcheck" \
		-- /bin/busybox sh -c 'for d in a b c d; do /bin/blkcheck size /dev/vd$d || exit 1; done
			/bin/blkcheck flood /dev/vdc 16 8 && /bin/blkcheck flood /dev/vdd 8 4'
	expect_status 0 || return 0
	expect_eq sizes "blkcheck size bytes=8388608 ro=0
blkcheck size bytes=16777216 ro=1
blkcheck size bytes=25165824 ro=0
blkcheck size bytes=8388608 ro=0" "$(head -n4 "$out")" || return 0
	case "$(sed -n 5,6p "$out" | tr '\n' ' ')" in
	"blkcheck flood ops="*" errors=0 blkcheck flood ops="*" errors=0 ") ;;
	*) fail "flood (expected no errors, got \"$(sed -n 5,6p "$out" | tr '\n' ' ')\")" || return 0 ;;
	esac
	expect_json disks.2.path null || return 0
	expect_json disks.3.cache writeback || return 0
	# How many were in flight at once depends on timing (under TCG the host
	# often finishes one before the guest sends the next): only that it is
	# reported. test_virtio_blk shows requests queued in parallel.
	m=$(json_get "$json.flat" disks.2.in_flight_max)
	[ "$m" -ge 1 ] || fail "disks.2.in_flight_max (expected 1 or more, got $m)" || return 0
	# The fresh disk left nothing behind.
	for f in /var/tmp/ktvm-disk-* /tmp/ktvm-disk-*; do
		[ ! -e "$f" ] || fail "a fresh disk's file is left behind ($f)" || return 0
	done
}

# cache=none (O_DIRECT) where the case's file system takes it (L1's
# initramfs does not: then the refusal is checked and the case skips).
blk_uncached_case() {
	truncate -s 16M "$cwd/d.img"
	drun --disk "$cwd/d.img,cache=none" --include "$PAYLOADS/blkcheck:/bin/blkcheck" \
		-- /bin/busybox sh -c '/bin/blkcheck write /dev/vda 8 3 && /bin/blkcheck flood /dev/vda 8 4'
	if [ "$rc" = 2 ] && grep -q "does not take O_DIRECT" "$err"; then
		expect_eq "stderr lines" 1 "$(wc -l <"$err" | tr -d ' ')" || return 0
		skip_why="$cwd's file system takes no O_DIRECT (refused with status 2 as it should)"
		return 0
	fi
	expect_status 0 || return 0
	case "$(head -n1 "$out")" in
	"blkcheck write bytes=8388608 crc32="*" readback=ok") ;;
	*) fail "guest (expected readback=ok, got \"$(head -n1 "$out")\")" || return 0 ;;
	esac
	expect_json disks.0.cache none || return 0
	expect_json disks.0.errors 0 || return 0
}

# Loopback: N frames sent come back; the host's counters agree.
net_loop_case() {
	drun --net loopback --profile --include "$PAYLOADS/netcheck:/bin/netcheck" \
		-- /bin/netcheck loop 500
	expect_status 0 || return 0
	case "$(cat "$out")" in
	"netcheck loop sent=500 received=500 ifname="*) ;;
	*) fail "guest (expected 500 of 500 back, got \"$(cat "$out")\")" || return 0 ;;
	esac
	tx=$(json_get "$json.flat" net.tx_frames)
	rx=$(json_get "$json.flat" net.rx_frames)
	drop=$(json_get "$json.flat" net.rx_dropped)
	pend=$(json_get "$json.flat" net.rx_pending)
	[ "$tx" -ge 500 ] || fail "net.tx_frames (expected 500 or more, got $tx)" || return 0
	expect_eq "tx_frames = rx_frames + rx_dropped + rx_pending" "$tx" $((rx + drop + pend)) || return 0
	expect_json net.mode loopback || return 0
	expect_json net.bad_chains 0 || return 0
	expect_exit_site virtio-net || return 0
	# --profile: the phases after the run, on stderr.
	expect_console_re "^ktvm:   payload +[0-9]+ ms" "a --profile line \"ktvm:   payload N ms\"" "payload" || return 0
}

# The MAC and MTU options reach the guest.
net_mac_mtu_case() {
	drun --net loopback,mac=02:00:00:aa:bb:cc,mtu=1400,csum \
		--include "$PAYLOADS/netcheck:/bin/netcheck" -- /bin/netcheck info
	expect_status 0 || return 0
	case "$(cat "$out")" in
	"netcheck info ifname="*" mac=02:00:00:aa:bb:cc mtu=1400") ;;
	*) fail "guest (expected mac 02:00:00:aa:bb:cc mtu 1400, got \"$(cat "$out")\")" || return 0 ;;
	esac
}

# TAP, inside a network namespace of the case's own: ping from the guest to
# the TAP's host-side address; the interface is gone afterwards.
net_tap_case() {
	command -v unshare >/dev/null || {
		skip_why="no unshare on this machine"
		return 0
	}
	[ -c /dev/net/tun ] || {
		skip_why="no /dev/net/tun"
		return 0
	}
	ktvm_run_ns() {
		t0=$(now_ms)
		rc=0
		(cd "$cwd" && exec unshare -n sh -c '"$@"; r=$?; ip link show ktvmtap0 >/dev/null 2>&1 && echo "ktvmtap0 still there" >&2; exit $r' sh \
			timeout -s KILL "${KTVM_WATCHDOG:-300}" "$KTVM" "$@") >"$out" 2>"$err" </dev/null || rc=$?
		[ -f "$json" ] && json_flat "$json" >"$json.flat"
	}
	ktvm_run_ns run --kernel "$KERNEL_IMAGE" --memory 256 --timeout 180 --json "$json" \
		--net tap:ktvmtap0,host=10.0.2.1/24 --include "$PAYLOADS/netcheck:/bin/netcheck" \
		-- /bin/netcheck ping 10.0.2.15/24 10.0.2.1 3
	expect_status 0 || return 0
	expect_eq guest "netcheck ping sent=3 replies=3" "$(cat "$out")" || return 0
	grep -q "still there" "$err" && fail "the TAP interface outlived ktvm" || return 0
	expect_json net.mode tap || return 0
	expect_json net.ifname ktvmtap0 || return 0
}
