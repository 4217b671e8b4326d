# shellcheck shell=sh
# Watchpoint cases of the integration tests (sourced by run.sh): ktvm run
# --watch SYMBOL[:dump] arms a hardware data-write watchpoint on a guest
# kernel variable; the payload $PAYLOADS/sysctl_write writes a sysctl
# backed by a plain int N times (vm.swappiness -> vm_swappiness), and the
# host must see exactly those N writes, in order, with the values written,
# from kernel text, while the guest keeps running.

# The hits in the JSON result as "VALUE PC" lines, in order.
watch_hits() {
	awk -F'\t' '
	$1 ~ /^watch\.hits\.[0-9]+\.value$/ { split($1, p, "."); v[p[3]] = $2; if (p[3] + 1 > n) n = p[3] + 1 }
	$1 ~ /^watch\.hits\.[0-9]+\.pc$/ { split($1, p, "."); pc[p[3]] = $2 }
	END { for (i = 0; i < n; i++) print v[i], pc[i] }' "$json.flat"
}

# watch_check_hits FIRST N: the hits are FIRST..FIRST+N-1 and every pc lies
# in the kernel text the payload printed ("text 0xSTART 0xEND").
watch_check_hits() {
	watch_hits >"$work/hits"
	text=$(awk '$1 == "text" { print $2, $3 }' "$out")
	d=$(awk -v first="$1" -v n="$2" -v text="$text" '
	function pad(h) { sub(/^0x/, "", h); while (length(h) < 16) h = "0" h; return tolower(h) }
	BEGIN { split(text, t, " "); lo = pad(t[1]); hi = pad(t[2]) }
	{
		k++
		if ($1 != first + k - 1) { printf "hit %d value (expected %d, got %s)", k, first + k - 1, $1; done = 1; exit }
		p = pad($2)
		if (lo == pad("0") || p < lo || p >= hi) { printf "hit %d pc %s outside the kernel text %s", k, $2, text; done = 1; exit }
	}
	END { if (!done && k != n) printf "hits (expected %d, got %d)", n, k }' "$work/hits")
	[ -z "$d" ] || fail "$d"
}

# The kernel the watch cases boot: Debian's 6.1, except on aarch64, whose
# 6.1 is built without CONFIG_KALLSYMS_ALL (its /proc/kallsyms has no data
# symbols: watch_no_data_symbols checks what ktvm says then): 6.12 there.
watch_pick() {
	wkernel=$KERNEL_IMAGE
	[ "$KTVM_ARCH" = aarch64 ] || return 0
	if [ ! -f "${KERNEL_612_IMAGE:-}" ]; then
		skip_why="aarch64 needs Debian's 6.12 kernel here (KERNEL_612_IMAGE)"
		return 1
	fi
	wkernel=$KERNEL_612_IMAGE
}

watch_run() {
	ktvm_run run --kernel "$wkernel" --memory 256 --timeout 120 --json "$json" "$@"
}

# N writes, N hits, values and pcs right, the guest runs to the end.
watch_sysctl_case() {
	watch_pick || return 0
	watch_run --cpus 2 --watch vm_swappiness -- "$PAYLOADS/sysctl_write" \
		/proc/sys/vm/swappiness 7 40
	expect_status 0 || return 0
	grep -qx 'wrote 7 last 46' "$out" || fail "payload output (expected \"wrote 7 last 46\", got \"$(tail -n1 "$out")\")" || return 0
	expect_json watch.armed true || return 0
	expect_json watch.slots.0.name vm_swappiness || return 0
	expect_json watch.hits_stale 0 || return 0
	watch_check_hits 40 7
}

# :dump freezes every vCPU at each hit and writes a dump; the last one holds
# the last value written and a pc in kernel text; the guest goes on.
watch_dump_case() {
	watch_pick || return 0
	mkdir -p "$cwd/dumps"
	watch_run --cpus 2 --watch vm_swappiness:dump --dump-dir "$cwd/dumps" \
		--dump-mem vm_swappiness:8 --dump-mem max_threads:4 \
		-- "$PAYLOADS/sysctl_write" /proc/sys/vm/swappiness 3 20
	expect_status 0 || return 0
	grep -qx 'wrote 3 last 22' "$out" || fail "payload output (expected \"wrote 3 last 22\")" || return 0
	watch_check_hits 20 3
	[ -z "$why" ] || return 0
	expect_json watch.dumps 3 || return 0
	n=$(find "$cwd/dumps" -name 'ktvm-dump-*.json' | wc -l | tr -d ' ')
	expect_eq "dump files" 3 "$n" || return 0
	last=$(find "$cwd/dumps" -name 'ktvm-dump-003-*.json')
	# For the log: the start of the dump.
	head -c 1500 "$last" | sed "s/^/    $name: /" >&2
	json_flat "$last" >"$work/dump.flat"
	expect_eq "dump trigger.value" 22 "$(json_get "$work/dump.flat" trigger.value)" || return 0
	expect_eq "dump memory.0.value" 22 "$(json_get "$work/dump.flat" memory.0.value)" || return 0
	# --dump-mem: the same variable as bytes (22 little-endian), and another one.
	expect_eq "dump memory.1.name" vm_swappiness "$(json_get "$work/dump.flat" memory.1.name)" || return 0
	b=$(json_get "$work/dump.flat" memory.1.bytes)
	case "$b" in 16000000????????) ;; *) fail "dump memory.1.bytes (expected 16000000 and 4 more bytes, got $b)" || return 0 ;; esac
	b=$(json_get "$work/dump.flat" memory.2.bytes)
	case "$b" in ????????) ;; *) fail "dump memory.2.bytes (max_threads: expected 4 bytes, got $b)" || return 0 ;; esac
	expect_eq "dump frozen_vcpus" 2 "$(json_get "$work/dump.flat" frozen_vcpus)" || return 0
	expect_eq "dump vcpus.1.id" 1 "$(json_get "$work/dump.flat" vcpus.1.id)" || return 0
	pc=$(json_get "$work/dump.flat" trigger.pc)
	hit3=$(sed -n 3p "$work/hits" | awk '{ print $2 }')
	expect_eq "dump trigger.pc" "$hit3" "$pc" || return 0
	grep -q '"error"' "$last" && fail "dump has an error: $(grep -o '"error"[^,}]*' "$last" | head -n1)"
}

# Three user slots at once, each seeing its own writes.
watch_three_case() {
	watch_pick || return 0
	watch_run --watch vm_swappiness --watch vm_dirty_ratio --watch dirty_background_ratio \
		--include "$PAYLOADS/sysctl_write:/bin/sysctl_write" -- /bin/busybox sh -c \
		'sysctl_write /proc/sys/vm/swappiness 2 50 && sysctl_write /proc/sys/vm/dirty_ratio 3 30 && sysctl_write /proc/sys/vm/dirty_background_ratio 1 5'
	expect_status 0 || return 0
	expect_json watch.slots.2.name dirty_background_ratio || return 0
	got=$(awk -F'\t' '$1 ~ /^watch\.hits\.[0-9]+\.slot$/ { printf "%s", $2 }' "$json.flat")
	expect_eq "hit slots in order" 112223 "$got" || return 0
	got=$(awk -F'\t' '$1 ~ /^watch\.hits\.[0-9]+\.value$/ { printf "%s ", $2 }' "$json.flat")
	expect_eq "hit values" "50 51 30 31 32 5 " "$got"
}

# The guest's own debug exceptions while ktvm watches, which KVM hands to
# ktvm while it debugs the guest; ktvm must give them back, and the
# watchpoint keep counting writes. x86_64: ptrace single-steps (EFLAGS.TF,
# each a #DB; x86 kprobes use int3, which KVM does not hand over); arm64: a
# kprobe (BRK). (An arm64 guest's own single-step cannot work meanwhile:
# KVM clears its MDSCR_EL1.SS while the host debugs it.)
watch_guest_debug_case() {
	watch_pick || return 0
	if [ "$KTVM_ARCH" = x86_64 ]; then
		what="ptrace steps" want=200
		set -- --include "$PAYLOADS/singlestep:/bin/singlestep" -- /bin/busybox sh -c '
			sysctl_write /proc/sys/vm/swappiness 3 70 || exit 13
			singlestep 200 | sed "s/^steps/debug hits/"'
	else
		what="kprobe hits" want=3
		set -- -- /bin/busybox sh -c '
			t=/sys/kernel/tracing
			[ -e $t/kprobe_events ] || busybox mount -t tracefs none $t || exit 10
			echo 0 > /proc/sys/debug/kprobes-optimization
			echo "p:ktvmprobe ksys_write" > $t/kprobe_events || exit 11
			echo 1 > $t/events/kprobes/ktvmprobe/enable || exit 12
			sysctl_write /proc/sys/vm/swappiness 3 70 || exit 13
			echo 0 > $t/events/kprobes/ktvmprobe/enable
			echo "debug hits $(grep -c ktvmprobe: $t/trace)"'
	fi
	watch_run --cpus 2 --watch vm_swappiness \
		--include "$PAYLOADS/sysctl_write:/bin/sysctl_write" "$@"
	expect_status 0 || return 0
	n=$(awk '$1 == "debug" && $2 == "hits" { print $3 }' "$out")
	[ -n "$n" ] && [ "$n" -ge "$want" ] || fail "$what (expected at least $want, got ${n:-none})" || return 0
	watch_check_hits 70 3
	[ -z "$why" ] || return 0
	# Each of them came through ktvm as a debug exit, besides the watch's.
	d=$(json_get "$json.flat" exits.debug)
	[ "${d:-0}" -ge $((n + 3)) ] || fail "debug exits (expected at least $((n + 3)): $n $what and 3 watch hits, got ${d:-0})"
}

# One store over two watched words: vm.dirty_bytes is an unsigned long, so
# each write is one 8-byte store to vm_dirty_bytes and its upper half, and
# each slot reports it (x86: both DR6 B bits of one exit; arm64: the step
# over the store traps once more for the second slot).
watch_wide_store_case() {
	watch_pick || return 0
	watch_run --watch vm_dirty_bytes --watch vm_dirty_bytes+4 \
		--include "$PAYLOADS/sysctl_write:/bin/sysctl_write" -- /bin/busybox sh -c \
		'sysctl_write /proc/sys/vm/dirty_bytes 3 1048576'
	expect_status 0 || return 0
	got=$(awk -F'\t' '$1 ~ /^watch\.hits\.[0-9]+\.slot$/ { printf "%s", $2 }' "$json.flat")
	if [ "$KTVM_ARCH" = x86_64 ] && [ "${KTVM_L1:-}" = tcg ] && [ "$got" = 111 ]; then
		got=$(awk -F'\t' '$1 ~ /^watch\.hits\.[0-9]+\.value$/ { printf "%s ", $2 }' "$json.flat")
		expect_eq "hit values" "1048576 1048577 1048578 " "$got" || return 0
		skip_why="x86_64 under QEMU TCG: one DR6 B bit per store (target/i386 marks only the first watchpoint a store meets), so slot 2's share is not seen here; slot 1's hits checked, DR6 decoding unit-tested"
		return 0
	fi
	expect_eq "hit slots in order" 121212 "$got" || return 0
	got=$(awk -F'\t' '$1 ~ /^watch\.hits\.[0-9]+\.value$/ { printf "%s ", $2 }' "$json.flat")
	expect_eq "hit values" "1048576 0 1048577 0 1048578 0 " "$got" || return 0
	got=$(awk -F'\t' '$1 ~ /^watch\.hits\.[0-9]+\.pc$/ { printf "%s ", $2 }' "$json.flat")
	set -- $got
	[ $# -eq 6 ] && [ "$1" = "$2" ] && [ "$3" = "$4" ] && [ "$5" = "$6" ] ||
		fail "hit pcs (expected pairs, one store each, got $got)"
}

# A guest asking for snapshots in a loop: the run's 64 dumps are written,
# later requests are refused (-EDQUOT, -122) without freezing, ktvm says so
# once, and the guest goes on.
watch_snapshot_cap_case() {
	watch_pick || return 0
	mkdir -p "$cwd/dumps"
	watch_run --dump-dir "$cwd/dumps" -- /bin/busybox sh -c '
		i=1
		while [ $i -le 66 ]; do
			echo "t$i" >/run/ktvm/snapshot
			n=0
			until grep -q "^$i " /run/ktvm/snapshot.status; do
				sleep 0.02; n=$((n+1)); [ $n -lt 1000 ] || exit 9
			done
			i=$((i+1))
		done
		sed -n "64,66p" /run/ktvm/snapshot.status'
	expect_status 0 || return 0
	printf '64 0\n65 -122\n66 -122\n' >"$work/want"
	expect_file "status lines 64-66" "$(cat "$work/want")" "$out" || return 0
	expect_json watch.snapshots 64 || return 0
	expect_json watch.snapshot_failures 2 || return 0
	# The two refused requests froze nothing.
	watch_expect_cap
}

# The run's 64 dumps reached: 64 freezes, 64 files, the cap said once.
watch_expect_cap() {
	expect_json watch.freezes 64 || return 0
	n=$(find "$cwd/dumps" -name 'ktvm-dump-*' | wc -l | tr -d ' ')
	expect_eq "dump files" 64 "$n" || return 0
	n=$(grep -c 'reached its 64 dumps' "$err")
	expect_eq "cap notices on stderr" 1 "$n"
}

# The same cap for :dump: 66 watched writes, each recorded, 64 of them
# frozen and dumped, the cap said once, the guest unharmed.
watch_dump_cap_case() {
	watch_pick || return 0
	mkdir -p "$cwd/dumps"
	watch_run --watch vm_swappiness:dump --dump-dir "$cwd/dumps" -- "$PAYLOADS/sysctl_write" \
		/proc/sys/vm/swappiness 66 10
	expect_status 0 || return 0
	grep -qx 'wrote 66 last 75' "$out" || fail "payload output (expected \"wrote 66 last 75\")" || return 0
	watch_check_hits 10 66
	[ -z "$why" ] || return 0
	expect_json watch.dumps 64 || return 0
	watch_expect_cap
}

# A symbol the guest kernel does not have: one line, status 2, found before
# boot in the image's kallsyms table: no guest ran, so no
# result was written.
watch_unknown_symbol_case() {
	watch_pick || return 0
	watch_run --watch ktvm_no_such_symbol -- /bin/busybox true
	watch_expect_before_boot ktvm_no_such_symbol
}

# The guest's own check, for images whose table ktvm cannot read
# (KTVM_NO_IMAGE_KSYMS=1 skips the image): status 2 after boot, the line
# naming the symbol and the guest's /proc/kallsyms.
watch_unknown_symbol_guest_case() {
	watch_pick || return 0
	KTVM_NO_IMAGE_KSYMS=1
	export KTVM_NO_IMAGE_KSYMS
	watch_run --watch ktvm_no_such_symbol -- /bin/busybox true
	unset KTVM_NO_IMAGE_KSYMS
	expect_status 2 || return 0
	grep -q 'ktvm_no_such_symbol.*/proc/kallsyms' "$err" || fail "stderr (expected the symbol and /proc/kallsyms named, got \"$(ktvm_summary)\")" || return 0
	[ -e "$json" ] || fail "no result: the guest did not boot"
}

# watch_expect_before_boot WORD: status 2, one stderr line naming WORD and
# the kernel's kallsyms table, and no result file (the guest never ran).
watch_expect_before_boot() {
	expect_status 2 || return 0
	grep -q "$1.*kallsyms table" "$err" || fail "stderr (expected $1 and the kallsyms table named, got \"$(ktvm_summary)\")" || return 0
	[ ! -e "$json" ] || fail "a result was written: the guest booted first"
}

# The same from an x86 bzImage, whose kernel is xz-compressed (Debian's
# 6.1): ktvm decompresses it to read the table.
watch_unknown_symbol_bzimage_case() {
	if [ "$KTVM_ARCH" != x86_64 ]; then
		skip_why="only x86_64 boots a compressed kernel (bzImage)"
		return 0
	fi
	wkernel=$KERNEL_BZIMAGE
	watch_run --watch ktvm_no_such_symbol -- /bin/busybox true
	watch_expect_before_boot ktvm_no_such_symbol
}

# A guest-requested snapshot: the payload writes a tag into the FIFO, the
# host freezes every vCPU and dumps; the reply reaches the status file. A
# hostile tag cannot put the dump anywhere else.
watch_snapshot_case() {
	watch_pick || return 0
	mkdir -p "$cwd/dumps"
	# An earlier run's dump of the same name is kept; this one takes 002.
	echo old >"$cwd/dumps/ktvm-dump-001-snapshot-.._.._evil_tag.json"
	watch_run --cpus 2 --dump-dir "$cwd/dumps" -- /bin/busybox sh -c \
		'echo "../../evil tag" > /run/ktvm/snapshot; n=0; until grep -q "^1 " /run/ktvm/snapshot.status; do sleep 0.05; n=$((n+1)); [ $n -lt 200 ] || exit 9; done; cat /run/ktvm/snapshot.status'
	expect_status 0 || return 0
	expect_file "status file" "1 0" "$out" || return 0
	expect_json watch.snapshots 1 || return 0
	n=$(find "$cwd" -name 'ktvm-dump-*' | wc -l | tr -d ' ')
	expect_eq "dump files" 2 "$n" || return 0
	expect_file "the earlier dump" old "$cwd/dumps/ktvm-dump-001-snapshot-.._.._evil_tag.json" || return 0
	f=$(find "$cwd/dumps" -maxdepth 1 -name 'ktvm-dump-002-snapshot-*.json')
	[ -n "$f" ] || fail "no dump in the dump directory (got $(find "$cwd" -name 'ktvm-dump-*'))" || return 0
	json_flat "$f" >"$work/dump.flat"
	expect_eq "dump frozen_vcpus" 2 "$(json_get "$work/dump.flat" frozen_vcpus)" || return 0
	expect_eq "dump trigger" null "$(json_get "$work/dump.flat" trigger)"
}

# The same on Debian's 6.12 (x86_64; aarch64 runs the cases above on it).
watch_612_case() {
	if [ ! -f "${KERNEL_612_IMAGE:-}" ]; then
		skip_why="no Debian 6.12 kernel (KERNEL_612_IMAGE)"
		return 0
	fi
	if [ "$KTVM_ARCH" = aarch64 ]; then
		skip_why="aarch64 runs every watch case on 6.12 already"
		return 0
	fi
	wkernel=$KERNEL_612_IMAGE
	watch_run --cpus 2 --watch vm_swappiness -- "$PAYLOADS/sysctl_write" \
		/proc/sys/vm/swappiness 4 70
	expect_status 0 || return 0
	watch_check_hits 70 4
}

# A kernel whose /proc/kallsyms has no data symbols (aarch64 Debian 6.1):
# status 2, and the line says why and what to do.
watch_no_data_symbols_case() {
	if [ "$KTVM_ARCH" != aarch64 ]; then
		skip_why="only Debian's aarch64 6.1 kernel lacks CONFIG_KALLSYMS_ALL"
		return 0
	fi
	wkernel=$KERNEL_IMAGE
	watch_run --watch vm_swappiness -- /bin/busybox true
	watch_expect_before_boot vm_swappiness || return 0
	grep -q 'CONFIG_KALLSYMS_ALL' "$err" || fail "stderr (expected CONFIG_KALLSYMS_ALL named, got \"$(ktvm_summary)\")" || return 0
	# The guest's check says the same after boot.
	KTVM_NO_IMAGE_KSYMS=1
	export KTVM_NO_IMAGE_KSYMS
	watch_run --watch vm_swappiness -- /bin/busybox true
	unset KTVM_NO_IMAGE_KSYMS
	expect_status 2 || return 0
	grep -q '/proc/kallsyms.*CONFIG_KALLSYMS_ALL' "$err" || fail "stderr after boot (expected /proc/kallsyms and CONFIG_KALLSYMS_ALL named, got \"$(ktvm_summary)\")"
}

# --symbols FILE: names are checked before boot (status 2 at once, no
# guest); Debian's stub System.map is named as such.
watch_symbols_missing_case() {
	printf 'ffffffff81000000 T _text\nffffffff82000000 D other_var\n' >"$work/missing.map"
	bad "--watch vm_swappiness" --kernel "$KERNEL_IMAGE" --symbols "$work/missing.map" \
		--watch vm_swappiness -- /bin/busybox true
}
watch_symbols_stub_case() {
	printf 'ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n' \
		>"$work/stub.map"
	bad "--watch placeholder" --kernel "$KERNEL_IMAGE" --symbols "$work/stub.map" \
		--watch vm_swappiness -- /bin/busybox true
}
