# shellcheck shell=sh
# The host-side monitor (sourced by run.sh): ktvm run --monitor reads every
# CPU's runqueue from guest memory while the guest runs. Needs PAYLOADS
# (burn, rtspin). The kernel is watch.sh's (watch_pick): one whose
# /proc/kallsyms lists data symbols such as runqueues.

# lane_stat FLAT CPU: "SAMPLES TWO_OR_MORE BURN" for lane CPU: its samples,
# those with nr_running >= 2, those whose current task is called burn.
lane_stat() {
	awk -F'\t' -v cpu="$2" '
	$1 ~ "^monitor\\.tasks\\." { split($1, p, "."); comm[p[3]] = $2 }
	$1 ~ "^monitor\\.lanes\\." cpu "\\.nr_running\\.[0-9]+$" { n++; if ($2 >= 2) two++ }
	$1 ~ "^monitor\\.lanes\\." cpu "\\.curr_pid\\.[0-9]+$" { pid[++np] = $2 }
	END { for (i = 1; i <= np; i++) if (comm[pid[i]] == "burn") b++; printf "%d %d %d\n", n, two, b }' "$1"
}

# Two CPU-bound loops pinned to CPU 1 of 2, each CPU its own LLC: the
# samples show nr_running 2 there and burn running, and not on CPU 0; the
# LLCs out of balance; no stall anywhere.
monitor_burn_case() { # [KERNEL]
	watch_pick || return 0 # a kernel whose kallsyms lists runqueues
	[ -z "${1:-}" ] || wkernel=$1
	ktvm_run run --kernel "$wkernel" --memory 256 --topology 1,2,1,1 --timeout 120 --json "$json" \
		--monitor --monitor-plot "$cwd/mon.svg" --include "$PAYLOADS/burn:/bin/burn" \
		-- /bin/busybox taskset -c 1 /bin/burn 3000 2
	expect_status 0 || return 0
	# The kernel's own page table found (not a process's, which may go away).
	expect_json monitor.own_root true || return 0
	set -- $(lane_stat "$json.flat" 1)
	[ "$1" -ge 20 ] || fail "cpu 1: $1 samples (expected 20 or more in 3 s)" || return 0
	[ $(($2 * 2)) -ge "$1" ] || fail "cpu 1: nr_running >= 2 in $2 of $1 samples (expected most)" || return 0
	[ $(($3 * 2)) -ge "$1" ] || fail "cpu 1: burn current in $3 of $1 samples (expected most)" || return 0
	set -- $(lane_stat "$json.flat" 0)
	[ $(($3 * 10)) -le "$1" ] || fail "cpu 0: burn current in $3 of $1 samples (expected almost none)" || return 0
	n=$(grep -c '^monitor\.stalls\.' "$json.flat")
	expect_eq "stalls" 0 "$n" || return 0
	expect_json monitor.imbalance.llcs 2 || return 0
	sp=$(json_get "$json.flat" monitor.imbalance.llc_mean_spread)
	awk -v s="$sp" 'BEGIN { exit !(s + 0 >= 1) }' ||
		fail "monitor.imbalance.llc_mean_spread $sp (expected 1 or more: two loops on one LLC's only CPU)" || return 0
	grep -q "^ktvm: monitor: [0-9]* samples of 2 CPUs every 100 ms.*; no stall" "$err" ||
		fail "stderr (expected the monitor's summary with no stall)" || return 0
	# The picture: an SVG with a lane for each CPU and the task named.
	[ -s "$cwd/mon.svg" ] || fail "no --monitor-plot file" || return 0
	for c in 0 1; do
		grep -q "id=\"cpu$c\"" "$cwd/mon.svg" || fail "the SVG has no lane for cpu $c" || return 0
	done
	grep -q "burn (pid" "$cwd/mon.svg" || fail "the SVG names no burn task" || return 0
	[ "$(grep -c '<g ' "$cwd/mon.svg")" = "$(grep -c '</g>' "$cwd/mon.svg")" ] &&
		[ "$(tail -n1 "$cwd/mon.svg")" = "</svg>" ] || fail "the SVG is not closed"
}

# A SCHED_FIFO spinner with RT throttling off starves a normal task on CPU
# 1: a "curr" stall there within --stall-after + one interval, and a dump.
monitor_stall_case() {
	watch_pick || return 0
	mkdir -p "$cwd/dumps"
	ktvm_run run --kernel "$wkernel" --memory 256 --cpus 2 --timeout 120 --json "$json" \
		--stall-after 1000 --dump-dir "$cwd/dumps" -- "$PAYLOADS/rtspin" 1 4
	expect_status 0 || return 0
	grep -q "rtspin: done" "$out" || fail "payload output (expected \"rtspin: done\")" || return 0
	expect_json monitor.stalls.0.cpu 1 || return 0
	expect_json monitor.stalls.0.kind curr || return 0
	expect_json monitor.stalls.0.comm rtspin || return 0
	since=$(json_get "$json.flat" monitor.stalls.0.since_ms)
	at=$(json_get "$json.flat" monitor.stalls.0.at_ms)
	late=$(awk -v a="$at" -v s="$since" 'BEGIN { printf "%d", a - s }')
	# At the first sample past the threshold: within one sampling gap of it
	# (100 ms, and the monitor thread's own wake-up delays under L1's TCG).
	[ "$late" -ge 1000 ] && [ "$late" -le 1300 ] ||
		fail "stall declared $late ms after it began (expected 1000..1300)" || return 0
	d=$(json_get "$json.flat" monitor.stalls.0.dump)
	[ -f "$d" ] || fail "no stall dump (monitor.stalls.0.dump is $d)" || return 0
	json_flat "$d" >"$work/d.flat"
	expect_eq "dump tag" stall-cpu1 "$(json_get "$work/d.flat" tag)" || return 0
	expect_eq "dump monitor.cpus.1.stall" curr "$(json_get "$work/d.flat" monitor.cpus.1.stall)" || return 0
	grep -q "^ktvm: monitor: .* 1 stall, the first on cpu 1 (curr" "$err" ||
		fail "stderr (expected the monitor's stall summary)"
}

# --btf: the kernel's types from a raw BTF blob (what the guest's
# /sys/kernel/btf/vmlinux holds) instead of the image. A file without BTF
# is refused (status 2, one line), and so is a --btf nothing would use.
monitor_btf_case() {
	watch_pick || return 0
	"$KTVM" btf --kernel "$wkernel" --raw "$cwd/vmlinux.btf" >"$work/btf.out" 2>&1 ||
		fail "ktvm btf --raw: $(tail -n1 "$work/btf.out")" || return 0
	ktvm_run run --kernel "$wkernel" --memory 256 --cpus 2 --timeout 120 --json "$json" \
		--btf "$cwd/vmlinux.btf" --monitor --include "$PAYLOADS/burn:/bin/burn" \
		-- /bin/busybox taskset -c 1 /bin/burn 1500 1
	expect_status 0 || return 0
	expect_json monitor.btf "$cwd/vmlinux.btf" || return 0
	set -- $(lane_stat "$json.flat" 1)
	[ "$1" -ge 8 ] && [ $(($3 * 2)) -ge "$1" ] ||
		fail "cpu 1: burn current in $3 of $1 samples (expected most of 8 or more)" || return 0
	# The first sample follows init's SYS_RDY (it waits for init's kallsyms).
	d=$(json_get "$json.flat" monitor.first_after_sys_rdy_ms)
	case "$d" in [0-9]*) ;; *) fail "monitor.first_after_sys_rdy_ms (expected a delay, got '$d')" || return 0 ;; esac
	printf 'no BTF in here\n' >"$cwd/junk.btf"
	ktvm_run run --kernel "$wkernel" --btf "$cwd/junk.btf" --monitor -- /bin/busybox true
	expect_status 2 || return 0
	expect_eq "stderr" 1 "$(grep -c "^ktvm: --monitor: --btf $cwd/junk.btf: " "$err")" || return 0
	ktvm_run run --kernel "$wkernel" --btf "$cwd/vmlinux.btf" -- /bin/busybox true
	expect_status 2 || return 0
	expect_eq "stderr" 1 "$(grep -c "^ktvm: --btf $cwd/vmlinux.btf: nothing uses it" "$err")"
}

# An image without BTF (KTVM_TEST_NO_IMAGE_BTF=1 makes ktvm take it for
# one): init sends the guest's /sys/kernel/btf/vmlinux before KSYMS, and
# the monitor's layout comes from that.
monitor_guest_btf_case() {
	watch_pick || return 0
	export KTVM_TEST_NO_IMAGE_BTF=1
	ktvm_run run --kernel "$wkernel" --memory 256 --cpus 2 --timeout 120 --json "$json" \
		--monitor --include "$PAYLOADS/burn:/bin/burn" \
		-- /bin/busybox taskset -c 1 /bin/burn 1500 1
	unset KTVM_TEST_NO_IMAGE_BTF
	expect_status 0 || return 0
	expect_json channel.btf.state done || return 0
	total=$(json_get "$json.flat" channel.btf.total)
	[ "${total:-0}" -gt 1000000 ] || fail "channel.btf.total $total (expected a kernel's BTF, over 1 MB)" || return 0
	expect_json channel.btf.bytes "$total" || return 0
	expect_json monitor.btf guest || return 0
	set -- $(lane_stat "$json.flat" 1)
	[ "$1" -ge 8 ] && [ $(($3 * 2)) -ge "$1" ] ||
		fail "cpu 1: burn current in $3 of $1 samples (expected most of 8 or more)"
}

# --symbols: runqueues and the kernel's page table from a symbols file
# (what a kernel without CONFIG_KALLSYMS_ALL needs, from its System.map),
# moved by this boot's KASLR offset. The file is an earlier boot's
# /proc/kallsyms; the monitor's check of each CPU's rq->cpu proves the
# address right.
monitor_symbols_case() {
	watch_pick || return 0
	ktvm_run run --kernel "$wkernel" --memory 256 --timeout 120 -- /bin/busybox cat /proc/kallsyms
	expect_status 0 || return 0
	grep -v '\[' "$out" >"$cwd/kallsyms.map"
	grep -q ' runqueues$' "$cwd/kallsyms.map" || fail "no runqueues in the guest's kallsyms" || return 0
	ktvm_run run --kernel "$wkernel" --memory 256 --cpus 2 --timeout 120 --json "$json" \
		--symbols "$cwd/kallsyms.map" --monitor --include "$PAYLOADS/burn:/bin/burn" \
		-- /bin/busybox taskset -c 1 /bin/burn 1500 1
	expect_status 0 || return 0
	expect_json monitor.symbols --symbols || return 0
	expect_json monitor.own_root true || return 0
	set -- $(lane_stat "$json.flat" 1)
	[ "$1" -ge 8 ] && [ $(($3 * 2)) -ge "$1" ] ||
		fail "cpu 1: burn current in $3 of $1 samples (expected most of 8 or more)"
}

# Under a sched_ext scheduler (ktvm_fifo on Debian's 7.x kernel), two
# CPU-bound loops per CPU: the lanes show sched_ext's own count, the loops
# take turns (no curr stall: no false positive), and the run ends cleanly.
monitor_sched_case() {
	sched_ready ktvm_fifo || return 0
	ktvm_run run --kernel "$KERNEL_7_IMAGE" --topology 1,2,2,1 --memory 512 --timeout 240 \
		--json "$json" --scheduler "$SCHEDULERS/ktvm_fifo" --sched-arg normal --monitor \
		-- "$PAYLOADS/burn" 3000 8
	expect_status 0 || return 0
	expect_json sched_ext.state clean || return 0
	n=$(grep -c '^monitor\.stalls\.' "$json.flat")
	expect_eq "stalls" 0 "$n" || return 0
	# sched_ext's nr_running on each CPU: 2 or more for a second or more of
	# the loops' 3 s (the samples also cover the boot and the detach)
	for c in 0 1 2 3; do
		set -- $(awk -F'\t' -v c="$c" '$1 ~ "^monitor\\.lanes\\." c "\\.scx_nr_running\\.[0-9]+$" { n++; if ($2 >= 2) two++ }
			END { printf "%d %d\n", n, two }' "$json.flat")
		[ "$2" -ge 10 ] ||
			fail "cpu $c: scx nr_running >= 2 in $2 of $1 samples (expected 10 or more)" || return 0
	done
}

# A kernel whose kallsyms lists no data symbols (Debian's arm64 6.1): the
# run goes on without the monitor, which says why in one line and in the
# result.
monitor_off_case() {
	ktvm_run run --kernel "$KERNEL_IMAGE" --memory 256 --cpus 2 --timeout 120 --json "$json" \
		--monitor -- /bin/busybox true
	expect_status 0 || return 0
	expect_one_line "ktvm: monitor: off: the guest kernel's /proc/kallsyms has no runqueues" ||
		return 0
	case "$(json_get "$json.flat" monitor.error)" in
	*"no runqueues"*) ;;
	*) fail "json monitor.error (expected the reason, got $(json_get "$json.flat" monitor.error))" ;;
	esac
}
