#!/bin/sh
# ktvm's boot benchmark: the Debian kernel in each form the arch boots
# (x86_64: bzImage and ELF vmlinux; aarch64: Image), on 1 and 4 vCPUs, 3
# runs each (BENCH_RUNS). Prints one table row per run
# (setup_ms: ktvm's setup before the first vCPU runs; init_ms: until the
# guest's init started; duration_ms: the whole guest run; exits by reason),
# then the mean per configuration. Then the payload path (KERNEL_IMAGE, 1 vCPU):
# `ktvm run -- busybox true` for boot-to-payload time (sys_rdy_ms: process
# start to the guest init's SYS_RDY frame; exit_ms: to the payload's EXIT),
# and `-- pattern 32 MiB` for the relay throughput over the virtio console
# (stdout bytes over the span between the first and the last STDOUT frame).
# disk: blkcheck bench (sequential 1 MiB and random 4 KiB I/O) on a file read
# by L1 itself and through --disk from the guest, and the ratio; net:
# loopback frames per second (netcheck loop) with --net loopback.
# microvm: ktvm against QEMU's microvm machine (x86_64; MICROVM, MICROVM_DATA)
# on the same kernel and marker init, runs alternating, wall time from exec
# to exit, medians and ratios ktvm/microvm. initramfs: `ktvm run -- busybox
# true` with the payload's initramfs plain and gzip-compressed, alternating.
# Ends with "N passed, N failed" counting runs that did not end cleanly.
#
# Same environment as run.sh (see lib.sh).
set -eu
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

check_env marker-init
[ -x "${PAYLOADS:-}/pattern" ] || { echo "bench.sh: no \$PAYLOADS/pattern" >&2; exit 2; }
runs=${BENCH_RUNS:-3}
# BENCH_PARTS: which parts run (default all: boot payload freeze sched monitor disk net
# microvm initramfs).
bench_part() { case " ${BENCH_PARTS:-boot payload freeze sched monitor disk net microvm initramfs} " in *" $1 "*) return 0 ;; esac; return 1; }
rows=$work/rows

# bench_median FILE COLUMN [KEY]: the median of COLUMN over FILE's rows
# (those whose first column is KEY, when given); "-" when there are none.
bench_median() {
	awk -v c="$2" -v k="${3:-}" '(k == "" || $1 == k) && $c != "-" { print $c }' "$1" | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_ratio A B: A / B to two decimals, "-" if either is not a number.
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "-" }'
}

# bench_run LABEL KERNEL CPUS RUN [OPTION...]
bench_run() {
	label=$1 kern=$2 ncpu=$3 nrun=$4
	shift 4
	ktvm_run run --kernel "$kern" --initrd "$FIXTURES/marker-init.cpio" --cpus "$ncpu" \
		--memory 256 --timeout 120 --json "$json" "$@"
	set -- "$label" "$kern" "$ncpu" "$nrun"
	end=$(json_get "$json.flat" end)
	exits=$(awk -F'\t' '$1 ~ /^exits\./ { sub(/^exits\./, "", $1); printf "%s%s=%s", sep, $1, $2; sep = " " }' "$json.flat")
	printf '%-8s %4s %3s  %-8s %8s %8s %11s  %s\n' "$1" "$3" "$4" "$end" \
		"$(json_get "$json.flat" setup_ms)" "$(json_get "$json.flat" init_ms)" \
		"$(json_get "$json.flat" duration_ms)" "${exits:-none}" | tee -a "$rows"
	if [ "$rc" = 0 ] && [ "$end" = reboot ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "bench.sh: $1 cpus=$3 run $4: exit status $rc: $(ktvm_summary)" >&2
	fi
}

if bench_part boot; then
printf '%-8s %4s %3s  %-8s %8s %8s %11s  %s\n' kernel cpus run end setup_ms init_ms \
	duration_ms "exits by reason"
# A compressed kernel twice: as given (--no-kernel-cache: the guest
# decompresses it) and through the kernel cache (warmed first), labelled +c.
forms=$boot_forms
[ "$KTVM_ARCH" != x86_64 ] || forms="$forms bzimage+c"
for form in $forms; do
	kernel=$(form_kernel "${form%+c}")
	k=$(basename "$kernel")
	set --
	case "$form" in
	*+c)
		k=$k+c
		json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
		ktvm_run run --kernel "$kernel" --watch ktvm_bench_warm_cache -- /bin/true || true
		;;
	bzimage) set -- --no-kernel-cache ;;
	esac
	for cpus in 1 4; do
		i=1
		while [ $i -le "$runs" ]; do
			json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
			rm -f "$json"
			bench_run "$k" "$kernel" $cpus $i "$@"
			i=$((i + 1))
		done
	done
done

echo
echo "mean over the runs that rebooted:"
awk '$4 == "reboot" {
	key = $1 " " $2; if (!(key in n)) order[++keys] = key
	n[key]++; s[key] += $5; t[key] += $6; d[key] += $7
}
END {
	printf "%-8s %4s  %8s %8s %11s\n", "kernel", "cpus", "setup_ms", "init_ms", "duration_ms"
	for (i = 1; i <= keys; i++) {
		k = order[i]; split(k, f, " ")
		printf "%-8s %4s  %8.0f %8.0f %11.0f\n", f[1], f[2], s[k] / n[k], t[k] / n[k], d[k] / n[k]
	}
}' "$rows"
fi

# payload_run LABEL RUN ARGS...: one payload run, stdout to a file.
payload_run() {
	label=$1 i=$2
	shift 2
	ktvm_run run --kernel "$KERNEL_IMAGE" --memory 256 --timeout 180 --json "$json" -- "$@"
	j() { json_get "$json.flat" "$1"; }
	bytes=$(j channel.stdout_bytes)
	first=$(j channel.stdout_first_us) last=$(j channel.stdout_last_us)
	mibs=$(awk -v b="$bytes" -v f="$first" -v l="$last" \
		'BEGIN { if (b >= 1048576 && l > f) printf "%.1f", b / 1048576 / ((l - f) / 1e6); else print "-" }')
	printf '%-8s %3s  %8s %10s %8s %11s %10s %8s\n' "$label" "$i" "$(j setup_ms)" \
		"$(j channel.sys_rdy_ms)" "$(j channel.exit_ms)" "$(j duration_ms)" "$bytes" "$mibs" |
		tee -a "$prows"
	if [ "$rc" = 0 ] && [ "$(j channel.exit_status)" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "bench.sh: payload $label run $i: exit status $rc: $(ktvm_summary)" >&2
	fi
}

if bench_part payload; then
prows=$work/prows
echo
echo "payload runs ($(basename "$KERNEL_IMAGE"), 1 vCPU, 256 MiB; times in ms from process start):"
printf '%-8s %3s  %8s %10s %8s %11s %10s %8s\n' payload run setup_ms sys_rdy_ms exit_ms \
	duration_ms stdout_B "MiB/s"
i=1
while [ $i -le "$runs" ]; do
	json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
	payload_run true $i /bin/busybox true
	payload_run pattern $i "$PAYLOADS/pattern" 33554432
	i=$((i + 1))
done
echo
echo "payload means:"
awk '{ n[$1]++; r[$1] += $4; e[$1] += $5; d[$1] += $6; if ($8 != "-") { t[$1] += $8; tn[$1]++ } }
END {
	printf "%-8s %10s %8s %11s %8s\n", "payload", "sys_rdy_ms", "exit_ms", "duration_ms", "MiB/s"
	for (k in n)
		printf "%-8s %10.0f %8.0f %11.0f %8s\n", k, r[k] / n[k], e[k] / n[k], d[k] / n[k],
			tn[k] ? sprintf("%.1f", t[k] / tn[k]) : "-"
}' "$prows"
fi
# freeze_run RUN: 4 vCPUs, four of the guest's processes spinning, and a
# watchpoint with :dump on vm_swappiness written 10 times: each write freezes
# every vCPU (the rendezvous time is freeze_ms in each dump), dumps and
# resumes; the payload must still finish with the right output.
freeze_run() {
	rm -rf "$work/fdumps"
	mkdir -p "$work/fdumps"
	ktvm_run run --kernel "$fkernel" --cpus 4 --memory 256 --timeout 180 --json "$json" \
		--watch vm_swappiness:dump --dump-dir "$work/fdumps" \
		--include "$PAYLOADS/sysctl_write:/bin/sysctl_write" -- /bin/busybox sh -c \
		'for i in 1 2 3 4; do (while :; do :; done) & done; sysctl_write /proc/sys/vm/swappiness 10 60; kill $(jobs -p)'
	stats=$(cat "$work"/fdumps/*.json 2>/dev/null | awk -F'[:,]' '/"freeze_ms"/ { v = $2 + 0; n++; s += v; if (v > m) m = v }
		END { if (n) printf "%d %.3f %.3f", n, s / n, m; else print "0 - -" }')
	ok=no
	grep -qx 'wrote 10 last 69' "$out" && ok=yes
	printf '%3s  %7s %12s %11s  %s\n' "$1" $stats "$ok" | tee -a "$frows"
	if [ "$rc" = 0 ] && [ "$ok" = yes ] && [ "${stats%% *}" = 10 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "bench.sh: freeze run $1: exit status $rc, $stats: $(ktvm_summary)" >&2
	fi
}

if bench_part freeze; then
frows=$work/frows
# aarch64's Debian 6.1 lists no data symbols in /proc/kallsyms: 6.12 there.
fkernel=$KERNEL_IMAGE
[ "$KTVM_ARCH" != aarch64 ] || fkernel=${KERNEL_612_IMAGE:-$KERNEL_IMAGE}
echo
echo "freeze of 4 spinning vCPUs ($(basename "$fkernel"), a dump per watchpoint hit; ms):"
printf '%3s  %7s %12s %11s  %s\n' run freezes mean_freeze max_freeze "payload ok"
i=1
while [ $i -le "$runs" ]; do
	json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
	freeze_run $i
	i=$((i + 1))
done
awk '{ n += $2; s += $2 * $3; if ($4 > m) m = $4 } END { if (n) printf "freeze mean %.3f ms, max %.3f ms over %d freezes\n", s / n, m, n }' "$frows"
fi
# sched_phase_ms FLAT PHASE: t_ms of the guest's lifecycle event PHASE, or "-".
sched_phase_ms() {
	awk -F'\t' -v p="$2" '$1 ~ /^channel\.lifecycle\.[0-9]+\.phase$/ && $2 == p && !k {
		k = $1; sub(/\.phase$/, ".t_ms", k) } { v[$1] = $2 } END { print (k in v) ? v[k] : "-" }' "$1"
}

# sched_run RUN: Debian's 7.x kernel on 4 vCPUs with ktvm_fifo: from ktvm's
# start to the scheduler's start in the guest, to its attach (the kernel
# says enabled), and from attach to the payload's start (lifecycle t_ms).
sched_bench_run() {
	ktvm_run run --kernel "$KERNEL_7_IMAGE" --topology 1,2,2,1 --memory 512 --timeout 180 \
		--json "$json" --scheduler "$SCHEDULERS/ktvm_fifo" -- "$PAYLOADS/burn" 200
	f=$json.flat
	start=$(sched_phase_ms "$f" SCHED_STARTING)
	attached=$(json_get "$f" channel.sched.attached_ms)
	attach=$(json_get "$f" channel.sched.attach_ms)
	pstart=$(sched_phase_ms "$f" PAYLOAD_STARTING)
	gap=-
	case "$pstart$attached" in *[!0-9]*) ;; *) gap=$((pstart - attached)) ;; esac
	printf '%3s  %9s %11s %9s %15s\n' "$1" "$start" "$attached" "$attach" "$gap" | tee -a "$srows"
	if [ "$rc" = 0 ] && [ "$gap" != - ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "bench.sh: sched run $1: exit status $rc: $(ktvm_summary)" >&2
	fi
}

if bench_part sched; then
	if [ -f "${KERNEL_7_IMAGE:-}" ] && [ -x "${SCHEDULERS:-}/ktvm_fifo" ]; then
		srows=$work/srows
		echo
		echo "sched_ext: ktvm_fifo on Debian 7.x, 4 vCPUs (ms since ktvm started; attach = start to enabled):"
		printf '%3s  %9s %11s %9s %15s\n' run sched_start attached_ms attach_ms attach_to_prog
		i=1
		while [ $i -le "$runs" ]; do
			json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
			sched_bench_run $i
			i=$((i + 1))
		done
		awk '{ n++; a += $3; b += $4; c += $5 } END { if (n) printf "means: attached %.0f ms after ktvm started, attach %.0f ms, attach to PROG %.0f ms\n", a / n, b / n, c / n }' "$srows"
	else
		echo "bench.sh: sched part skipped: no Debian 7.x kernel or no ktvm_fifo (make schedulers)"
	fi
fi
# monitor_bench_run RUN MODE: burn on every vCPU for 4 s, with (on) or
# without (off) the host-side monitor: its loops, the guest's KVM exits
# (the monitor reads guest memory without stopping a vCPU, so it should add
# none past its start), the monitor's host CPU time per sample per vCPU and
# its share of one host CPU over the run.
monitor_bench_run() {
	n=${BENCH_MONITOR_CPUS:-8}
	mon=''
	[ "$2" = off ] || mon=--monitor
	# shellcheck disable=SC2086 # $mon: the option or nothing
	ktvm_run run --kernel "$KERNEL_IMAGE" --cpus "$n" --memory 512 --timeout 180 \
		--json "$json" $mon -- "$PAYLOADS/burn" 4000 "$n"
	loops=$(awk '$1 == "burn:" && $2 == "loops" { print $3 }' "$out")
	exits=$(awk -F'\t' '$1 ~ /^exits\./ { e += $2 } END { print e + 0 }' "$json.flat")
	us=- share=-
	if [ "$2" = on ]; then
		us=$(awk -F'\t' '$1 == "monitor.host_cpu_ms" { c = $2 } $1 == "monitor.samples" { s = $2 }
			END { if (s) printf "%.1f", c * 1000 / s / '"$n"'; else print "-" }' "$json.flat")
		share=$(awk -F'\t' '$1 == "monitor.host_cpu_ms" { c = $2 } $1 == "duration_ms" { d = $2 }
			END { if (d) printf "%.3f", c * 100 / d; else print "-" }' "$json.flat")
	fi
	printf '%3s  %-4s %14s %8s %18s %10s\n' "$1" "$2" "${loops:--}" "$exits" "$us" "$share" | tee -a "$mrows"
	if [ "$rc" = 0 ] && [ -n "$loops" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "bench.sh: monitor run $1 $2: exit status $rc: $(ktvm_summary)" >&2
	fi
}

if bench_part monitor; then
	mrows=$work/mrows
	echo
	echo "monitor: burn on ${BENCH_MONITOR_CPUS:-8} vCPUs for 4 s, without and with --monitor (100 ms):"
	printf '%3s  %-4s %14s %8s %18s %10s\n' run mode loops exits us_per_sample_cpu cpu_share_%
	i=1
	while [ $i -le "$runs" ]; do
		json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
		monitor_bench_run $i off
		monitor_bench_run $i on
		i=$((i + 1))
	done
	# Medians: under nested TCG one slow run (L1 busy elsewhere) moves a mean.
	for m in off on; do
		awk -v m=$m '$2 == m { print $3, $4, $5, $6 }' "$mrows" >"$work/m.$m"
	done
	med() { # FILE COLUMN: the median of a column, "-" entries left out
		awk -v c="$2" '$c != "-" { print $c }' "$1" | sort -n |
			awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
	}
	lo=$(med "$work/m.off" 1) ln=$(med "$work/m.on" 1)
	eo=$(med "$work/m.off" 2) en=$(med "$work/m.on" 2)
	awk -v lo="$lo" -v ln="$ln" -v eo="$eo" -v en="$en" -v us="$(med "$work/m.on" 3)" \
		-v sh="$(med "$work/m.on" 4)" 'BEGIN {
		if (lo + 0 > 0)
			printf "medians: %.0f loops without, %.0f with (%+.2f%%); exits %d without, %d with; the monitor %s us of host CPU per sample per vCPU, %s%% of one host CPU\n",
				lo, ln, (ln - lo) * 100 / lo, eo, en, us, sh }'
fi
if bench_part disk; then
	echo
	mib=${BENCH_DISK_MIB:-32} ms=${BENCH_DISK_MS:-3000}
	echo "disk: blkcheck bench $mib MiB sequential, $ms ms of random 4 KiB each; the same file by the host (L1) and through --disk (1 vCPU):"
	printf '%3s  %-5s %14s %13s %14s %15s %6s\n' run side seq_write_MiBs seq_read_MiBs rand_read_iops rand_write_iops direct
	drows=$work/drows
	i=1
	while [ $i -le "$runs" ]; do
		json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
		rm -f "$work/disk.img"
		truncate -s $((mib + 8))M "$work/disk.img"
		for side in host guest; do
			if [ $side = host ]; then
				rc=0
				"$PAYLOADS/blkcheck" bench "$work/disk.img" "$mib" "$ms" >"$out" 2>"$err" || rc=$?
			else
				ktvm_run run --kernel "$KERNEL_IMAGE" --memory 256 --timeout 300 --json "$json" \
					--disk "$work/disk.img" --include "$PAYLOADS/blkcheck:/bin/blkcheck" \
					-- /bin/blkcheck bench /dev/vda "$mib" "$ms"
			fi
			line=$(grep '^blkcheck bench ' "$out" || true)
			if [ "$rc" = 0 ] && [ -n "$line" ]; then
				passed=$((passed + 1))
				# shellcheck disable=SC2086 # the fields are key=value words
				set -- $(printf '%s\n' "$line" | sed 's/[a-z_]*=//g; s/^blkcheck bench //')
				printf '%3s  %-5s %14s %13s %14s %15s %6s\n' $i $side "$1" "$2" "$3" "$4" "$5" | tee -a "$drows"
			else
				failed=$((failed + 1))
				echo "bench.sh: disk $side run $i: exit status $rc: $(tail -n1 "$err")" >&2
			fi
		done
		i=$((i + 1))
	done
	awk '{ for (c = 3; c <= 6; c++) v[$2, c] += $c; n[$2]++ }
	END { if (n["host"] && n["guest"]) {
		printf "means, guest/host: seq write %.2f, seq read %.2f, random read %.2f, random write %.2f\n",
			v["guest", 3] / v["host", 3], v["guest", 4] / v["host", 4],
			v["guest", 5] / v["host", 5], v["guest", 6] / v["host", 6] } }' "$drows"
fi
if bench_part net; then
	echo
	frames=${BENCH_NET_FRAMES:-20000}
	echo "net: netcheck loop $frames (bursts of 32, 60-1514 bytes) over --net loopback (1 vCPU):"
	printf '%3s %9s %8s %14s %10s\n' run received ms frames_per_s rx_dropped
	i=1
	while [ $i -le "$runs" ]; do
		json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
		ktvm_run run --kernel "$KERNEL_IMAGE" --memory 256 --timeout 300 --json "$json" \
			--net loopback --include "$PAYLOADS/netcheck:/bin/netcheck" -- /bin/netcheck loop "$frames"
		got=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$out")
		took=$(sed -n 's/.* ms=\([0-9]*\).*/\1/p' "$out")
		if [ "$rc" = 0 ] && [ -n "$took" ]; then
			passed=$((passed + 1))
			printf '%3s %9s %8s %14s %10s\n' $i "$got" "$took" \
				"$(awk -v n="$got" -v ms="$took" 'BEGIN { printf "%.0f", ms ? n * 1000 / ms : 0 }')" \
				"$(json_get "$json.flat" net.rx_dropped)"
		else
			failed=$((failed + 1))
			echo "bench.sh: net run $i: exit status $rc: $(ktvm_summary)" >&2
		fi
		i=$((i + 1))
	done
fi
# --- microvm: ktvm against QEMU's microvm ------------------------------------

# mvm_run LABEL RUN: one boot of the marker init in configuration LABEL,
# timed from exec to exit (wall_ms, /proc/uptime: 10 ms steps) the same way
# for both VMMs; the run counts only if the guest's init printed its line
# (and, for ktvm, the guest rebooted).
mvm_run() {
	label=$1 i=$2
	json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
	rm -f "$json"
	case "$label" in
	ktvm-*)
		case "$label" in
		ktvm-bz+c) set -- --kernel "$KERNEL_BZIMAGE" ;;
		ktvm-bz) set -- --kernel "$KERNEL_BZIMAGE" --no-kernel-cache ;;
		ktvm-elf) set -- --kernel "$KERNEL_VMLINUX" ;;
		esac
		# --console: the guest's console on stderr, as microvm's on stdout.
		ktvm_run run "$@" --initrd "$FIXTURES/marker-init.cpio" --cpus 1 --memory 256 \
			--cmdline quiet --console --timeout 120 --json "$json"
		end=$(json_get "$json.flat" end) cache=$(json_get "$json.flat" kernel.cache)
		[ "$cache" != error ] ||
			echo "bench.sh: microvm $label run $i: the kernel cache failed: $(json_get "$json.flat" kernel.why)" >&2
		;;
	mvm-*)
		k=$KERNEL_BZIMAGE
		[ "$label" = mvm-bz ] || k=$KERNEL_VMLINUX
		# The console on the ISA serial port (ttyS0) to stdout; -no-reboot:
		# the guest's reset ends QEMU. reboot=t (a triple fault): booted
		# through its PVH entry, the ELF's reboot did not reset the machine
		# (the marker printed, then QEMU ran on to the timeout); ktvm's own
		# command line has reboot=k, its i8042's reset line.
		t0=$(now_ms)
		rc=0
		(cd "$cwd" && exec timeout -s KILL 60 "$MICROVM" -M microvm -accel kvm -cpu host \
			-smp 1 -m 256 -nodefaults -no-user-config -display none -serial stdio -no-reboot \
			-L "$MICROVM_DATA" -bios qboot.rom -kernel "$k" \
			-initrd "$FIXTURES/marker-init.cpio" -append "console=ttyS0 reboot=t panic=-1 quiet") \
			>"$out" 2>"$err" </dev/null || rc=$?
		wall_ms=$(($(now_ms) - t0))
		end=exit cache=-
		[ "$rc" = 0 ] || end="status $rc"
		;;
	esac
	marker=no
	! cat "$out" "$err" | grep -q 'KTVM-MARKER: init started' || marker=yes
	ok=no
	case "$label:$rc:$end:$marker" in
	ktvm-*:0:reboot:yes | mvm-*:0:exit:yes) ok=yes ;;
	esac
	printf '%-9s %3s  %8s  %-6s %-6s %-12s\n' "$label" "$i" "$wall_ms" "$marker" "$ok" "$cache" |
		tee -a "$vrows"
	if [ $ok = yes ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "bench.sh: microvm $label run $i: status $rc, end $end, marker line $marker: $(tr -d '\r' <"$err" | grep -v '^$' | tail -n1 | cut -c1-160)" >&2
	fi
}

if bench_part microvm; then
	echo
	if [ "$KTVM_ARCH" != x86_64 ]; then
		echo "skip microvm: QEMU's microvm is an x86 machine; on $KTVM_ARCH the comparable one is QEMU's virt (-M virt -accel kvm with the arm64 Image), not measured here"
		skipped=$((skipped + 1))
	elif [ ! -x "${MICROVM:-}" ] || [ ! -d "${MICROVM_DATA:-}" ]; then
		echo "skip microvm: no QEMU microvm binary or firmware (MICROVM, MICROVM_DATA: tests/harness/run.sh stages them when BENCH_PARTS has microvm)"
		skipped=$((skipped + 1))
	else
		vrows=$work/vrows
		: >"$vrows"
		echo "microvm: $("$MICROVM" -version | head -n1 | sed 's/ Copyright.*//') -M microvm -accel kvm -cpu host vs ktvm;"
		echo "the marker init on Debian 6.1, 1 vCPU, 256 MiB, \"quiet\"; wall ms from exec to exit, runs alternating:"
		# The kernel cache warmed first (an unknown --watch name ends the run
		# after the lookup), as in the boot part; not a timed run.
		json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
		ktvm_run run --kernel "$KERNEL_BZIMAGE" --watch ktvm_bench_warm_cache -- /bin/true || true
		printf '%-9s %3s  %8s  %-6s %-6s %-12s\n' config run wall_ms marker ok kernel.cache
		i=1
		while [ $i -le "$runs" ]; do
			for c in ktvm-bz+c ktvm-bz ktvm-elf mvm-bz mvm-elf; do
				mvm_run $c "$i"
			done
			i=$((i + 1))
		done
		awk '$5 == "yes"' "$vrows" >"$vrows.ok"
		echo
		echo "medians over the runs that reached the marker (wall ms):"
		for c in ktvm-bz+c ktvm-bz ktvm-elf mvm-bz mvm-elf; do
			printf '%-9s %8s  (%s of %s runs)\n' $c "$(bench_median "$vrows.ok" 3 $c)" \
				"$(awk -v c=$c '$1 == c' "$vrows.ok" | wc -l | tr -d ' ')" "$runs"
		done
		mbz=$(bench_median "$vrows.ok" 3 mvm-bz) melf=$(bench_median "$vrows.ok" 3 mvm-elf)
		rc_=$(bench_ratio "$(bench_median "$vrows.ok" 3 ktvm-bz+c)" "$mbz")
		echo "ratios ktvm/microvm: bzImage through the kernel cache $rc_, bzImage as given $(bench_ratio "$(bench_median "$vrows.ok" 3 ktvm-bz)" "$mbz"), ELF vmlinux $(bench_ratio "$(bench_median "$vrows.ok" 3 ktvm-elf)" "$melf")"
		goal=not
		awk -v r="$rc_" 'BEGIN { exit !(r != "-" && r <= 0.5) }' && goal=''
		echo "goal ktvm on a bzImage <= 0.5x microvm on it (ktvm's default, the kernel cache): ${goal:+not }met ($rc_)"
	fi
fi

# --- initramfs: the payload's initramfs plain or gzip-compressed -------------

# irun MODE RUN: `ktvm run -- busybox true` with --initramfs-compress MODE.
irun() {
	json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
	rm -f "$json"
	ktvm_run run --kernel "$KERNEL_IMAGE" --memory 256 --timeout 180 --json "$json" \
		--initramfs-compress "$1" -- /bin/busybox true
	j() { json_get "$json.flat" "$1"; }
	printf '%-5s %3s  %8s %10s %8s %11s %8s %10s\n' "$1" "$2" "$(j setup_ms)" \
		"$(j channel.sys_rdy_ms)" "$(j channel.exit_ms)" "$(j duration_ms)" "$wall_ms" \
		"$(j initramfs.bytes)" | tee -a "$irows"
	if [ "$rc" = 0 ] && [ "$(j channel.exit_status)" = 0 ] && [ "$(j initramfs.compress)" = "$1" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "bench.sh: initramfs $1 run $2: exit status $rc: $(ktvm_summary)" >&2
	fi
}

if bench_part initramfs; then
	irows=$work/irows
	: >"$irows"
	echo
	echo "initramfs: ktvm run --kernel $(basename "$KERNEL_IMAGE") -- busybox true, 1 vCPU, 256 MiB, the payload's"
	echo "initramfs plain (none) or gzip-compressed, runs alternating after one untimed run each (which"
	echo "builds the cached base); ms from process start, wall_ms from exec to exit:"
	for m in none gzip; do
		json=$work/bench.json out=$work/bench.out err=$work/bench.err cwd=$work
		ktvm_run run --kernel "$KERNEL_IMAGE" --memory 256 --timeout 180 \
			--initramfs-compress $m -- /bin/busybox true || true
	done
	printf '%-5s %3s  %8s %10s %8s %11s %8s %10s\n' mode run setup_ms sys_rdy_ms exit_ms \
		duration_ms wall_ms bytes
	i=1
	while [ $i -le "$runs" ]; do
		irun none $i
		irun gzip $i
		i=$((i + 1))
	done
	echo
	echo "medians:"
	printf '%-5s %8s %10s %8s %8s\n' mode setup_ms sys_rdy_ms exit_ms wall_ms
	for m in none gzip; do
		printf '%-5s %8s %10s %8s %8s\n' $m "$(bench_median "$irows" 3 $m)" \
			"$(bench_median "$irows" 4 $m)" "$(bench_median "$irows" 5 $m)" "$(bench_median "$irows" 7 $m)"
	done
	echo "ratio gzip/none: sys_rdy $(bench_ratio "$(bench_median "$irows" 4 gzip)" "$(bench_median "$irows" 4 none)"), wall $(bench_ratio "$(bench_median "$irows" 7 gzip)" "$(bench_median "$irows" 7 none)")"
fi
summary
