# shellcheck shell=bash disable=SC2154 # tmp, l1kdir, ARCH, now, elapsed: run.sh's
# Sourced by tests/harness/run.sh: what L1 was doing when it froze, told
# before the watchdog stops its QEMU. Nested virtualization under TCG freezes
# L1 now and then, with nothing on its console after the last heartbeat (see
# frozen_limit in run.sh); this report is all such a freeze leaves behind:
#
#   - whether QEMU still burns host CPU (L1 spinning) or not (QEMU idle or
#     blocked), per thread, from /proc/PID/task/*/stat over 2 s;
#   - each L1 CPU's registers twice, 1 s apart (did it move?), through QEMU's
#     human monitor on two FIFOs (-monitor pipe:$tmp/mon, which QEMU opens
#     read-write: nothing blocks on either side), then the code at the PC
#     and the kernel text addresses found on the stack, with symbols.
#
# Every read of the monitor has a timeout: a QEMU that does not answer costs
# the report a few seconds, never the harness.
#
# Symbols: Debian ships no System.map for its kernels (the image package's
# is an 83-byte stub; the real one is in the ~860 MB -dbg package), so L1
# itself lists its /proc/kallsyms text symbols on its console once per
# kernel version (L1_SYMS=1 in /ktvm/env, ~3 s of the first L1 boot), and
# the harness keeps them beside L1's kernel ($l1kdir/l1-kallsyms, stale when
# the kernel's .stamp changes). Every L1 prints where its kernel text and
# its modules lie in that boot (the "KTVM-L1-BASES" console line): arm64's
# KASLR moves the kernel, and modules may load elsewhere from boot to boot.

# The QEMU options of the report: the monitor FIFOs, a pid file (QEMU runs
# under timeout, maybe behind a wrapper script) and thread names ("CPU 0/TCG")
# for the per-thread CPU times. Sets l1_freeze_args.
l1_freeze_qemu_args() {
	rm -f "$tmp/mon.in" "$tmp/mon.out" "$tmp/qemu.pid" "$tmp/freeze.report"
	# shellcheck disable=SC2054 # commas separate QEMU's sub-options
	l1_freeze_args=(-name ktvm-l1,debug-threads=on -pidfile "$tmp/qemu.pid")
	if mkfifo "$tmp/mon.in" "$tmp/mon.out" 2>/dev/null; then
		l1_freeze_args+=(-monitor "pipe:$tmp/mon")
	fi
}

l1_freeze_map=$l1kdir/l1-kallsyms

# True when the symbol map of L1's kernel is missing or belongs to another
# build of it: then L1 lists its symbols on its console.
l1_freeze_syms_wanted() {
	[ "$(head -n 1 "$l1_freeze_map" 2>/dev/null)" != "# $(cat "$l1kdir/.stamp" 2>/dev/null)" ]
}

# Keeps the symbols L1 listed on its console ($1) as the map of its kernel,
# with that boot's KTVM-L1-BASES line. Quiet when there is nothing to keep.
l1_freeze_syms_save() {
	local console=$1 new
	l1_freeze_syms_wanted || return 0
	grep -aq '^KTVM-L1-SYMS-END' "$console" 2>/dev/null || return 0
	new=$l1_freeze_map.tmp.$$
	{
		echo "# $(cat "$l1kdir/.stamp")"
		tr -d '\r' <"$console" | grep -a '^KTVM-L1-BASES ' | tail -n 1
		# A kernel message or a heartbeat may have cut into a line: only
		# whole "ADDRESS TYPE NAME[<tab>[MODULE]]" lines are kept.
		tr -d '\r' <"$console" | sed -n '/^KTVM-L1-SYMS-BEGIN$/,/^KTVM-L1-SYMS-END$/p' |
			grep -aE $'^[0-9a-f]{16} [tTwW] [^ \t]+(\t\\[[A-Za-z0-9_]+\\])?$'
	} >"$new" 2>/dev/null || {
		rm -f "$new"
		return 0
	}
	if [ "$(wc -l <"$new")" -gt 1000 ]; then
		mv -f "$new" "$l1_freeze_map"
	else
		rm -f "$new"
	fi
}

# Prints "TID STATE TICKS NAME" for each thread of process $1; TICKS is
# utime + stime (proc(5): fields 14 and 15 of /proc/PID/task/TID/stat).
l1_freeze_threads() {
	local t s f
	for t in /proc/"$1"/task/*; do
		s=$(cat "$t/stat" 2>/dev/null) || continue
		# The name (field 2) may hold spaces: count from the state (field 3).
		read -r -a f <<<"${s##*) }"
		echo "${t##*/} ${f[0]} $((f[11] + f[12])) $(cat "$t/comm" 2>/dev/null)"
	done
}

# l1_freeze_mon CMD...: sends the commands and a last unknown one to QEMU's
# monitor (descriptor 8) and prints the answers (descriptor 7) up to the
# error about that last one, without the monitor's prompt, the echo of the
# input and CRs. Fails when the monitor went silent for 2 s or 6 s passed.
l1_freeze_mon() {
	local line end=$((SECONDS + 6))
	printf '%s\n' "$@" ktvm-end >&8 || return 1
	while [ $SECONDS -lt $end ] && IFS= read -r -t 2 line <&7; do
		line=${line//$'\r'/}
		case "$line" in
		*"unknown command: 'ktvm-end'"*) return 0 ;;
		"(qemu)"* | "QEMU "*" monitor - "*) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
	return 1
}

# Reads `info registers -a` on stdin; prints "CPU PC SP LR STATE" per CPU
# (LR "-" on x86_64; STATE: the rest worth keeping, without spaces).
l1_freeze_regs() {
	case "$ARCH" in
	x86_64)
		awk '
			function put() { if (cpu != "") print cpu, pc, sp, "-", st }
			/^CPU#/ { put(); cpu = substr($1, 5); pc = sp = "?"; st = ""; next }
			{
				for (i = 1; i <= NF; i++) {
					split($i, kv, "=")
					if (kv[1] == "RIP" || kv[1] == "EIP") pc = kv[2]
					else if (kv[1] == "RSP" || kv[1] == "ESP") sp = kv[2]
					else if (kv[1] == "RFL" || kv[1] == "EFL") st = st "RFL=" kv[2] "," $(i + 1) ","
					else if (kv[1] == "CPL" || kv[1] == "HLT" || kv[1] == "CR3") st = st $i ","
					else if (kv[1] == "EFER") st = st "EFER=" kv[2] ","
				}
			}
			END { put() }'
		;;
	aarch64)
		awk '
			function put() { if (cpu != "") print cpu, pc, sp, lr, st }
			/^CPU#/ { put(); cpu = substr($1, 5); pc = sp = lr = "?"; st = ""; next }
			/PSTATE=/ { st = $1 "," $3; next }
			{
				for (i = 1; i <= NF; i++) {
					split($i, kv, "=")
					if (kv[1] == "PC") pc = kv[2]
					else if (kv[1] == "SP") sp = kv[2]
					else if (kv[1] == "X30") lr = kv[2]
				}
			}
			END { put() }'
		;;
	esac
}

# Reads hexadecimal addresses (no 0x) on stdin; prints "ADDRESS <SYMBOL+0xOFF>"
# for those in L1's kernel text or a module (per this boot's KTVM-L1-BASES
# line in $tmp/console.log and the map), nothing for the others.
l1_freeze_syms() {
	local map=$l1_freeze_map a given off m key b s want=() mapped=() n=0
	# shellcheck disable=SC2034 # map_size: filled, not needed
	local -A cur_base=() cur_size=() map_base=() map_size=()
	[ -f "$map" ] && ! l1_freeze_syms_wanted || return 0
	l1_freeze_bases cur_base cur_size < <(tr -d '\r' <"$tmp/console.log" | grep -a '^KTVM-L1-BASES ' | tail -n 1)
	l1_freeze_bases map_base map_size < <(sed -n 2p "$map")
	[ -n "${cur_base[_text]:-}" ] && [ -n "${map_base[_text]:-}" ] || return 0
	while read -r a; do
		[[ "$a" =~ ^[0-9a-f]{1,16}$ ]] || continue
		a=$((16#$a))
		# Named as given: l1_freeze_sym_of looks it up so.
		given=$(printf '%016x' "$a")
		# arm64 return addresses carry a pointer authentication code in
		# their top bits: a kernel address (bit 55 set) has them all set.
		[ "$ARCH" != aarch64 ] || [ $(((a >> 55) & 1)) = 0 ] || a=$((a | (0xffff << 48)))
		key=
		for m in "${!cur_base[@]}"; do
			if [ "$m" = _text ] || [ -z "${map_base[$m]:-}" ]; then continue; fi
			off=$((a - cur_base[$m]))
			if [ $off -ge 0 ] && [ $off -lt "${cur_size[$m]:-0}" ]; then
				key=$m
				break
			fi
		done
		if [ -z "$key" ]; then
			# The kernel's text is well below 64 MiB from _text.
			off=$((a - cur_base[_text]))
			if [ $off -lt 0 ] || [ $off -ge $((64 << 20)) ]; then continue; fi
			key=_text
		fi
		want+=("$given")
		mapped+=("$(printf '%016x %s' $((map_base[$key] + off)) "$key")")
		n=$((n + 1))
	done
	[ $n -gt 0 ] || return 0
	# One pass over the map: the nearest symbol at or below each address,
	# of the kernel (3 fields) or of its module (4th field "[MODULE]").
	# Addresses are 16 hex digits: compared as strings, not numbers (awk's
	# doubles hold 53 bits).
	printf '%s\n' "${mapped[@]}" | awk '
		NR == FNR { t[NR] = $1; k[NR] = ($2 == "_text") ? "" : "[" $2 "]"; n = NR; next }
		FNR <= 2 { next }
		# arm64 mapping symbols ($x: code starts, $d: data) name no function.
		$3 ~ /^[$]/ { next }
		{
			mod = (NF >= 4) ? $4 : ""
			for (i = 1; i <= n; i++)
				if (mod == k[i] && ($1 "") <= t[i] && ($1 "") > (b[i] "")) { b[i] = $1; s[i] = $3 }
		}
		END { for (i = 1; i <= n; i++) print i, b[i], s[i] }' - "$map" |
		while read -r n b s; do
			[ -n "${s:-}" ] || continue
			off=$((16#${mapped[n - 1]%% *} - 16#$b))
			# Past 64 KiB from the nearest symbol is data (after _etext,
			# _einittext, ...), not a function.
			[ $off -lt $((64 << 10)) ] || continue
			printf '%s <%s+0x%x>\n' "${want[n - 1]}" "$s" "$off"
		done
}

# l1_freeze_bases BASE SIZE: fills the associative arrays named BASE and
# SIZE from a KTVM-L1-BASES line on stdin ("_text=ADDR MODULE=ADDR+SIZE ...").
l1_freeze_bases() {
	local -n bases_to=$1 sizes_to=$2
	local w name v
	read -r -a w || true
	for v in "${w[@]:1}"; do
		name=${v%%=*} v=${v#*=}
		[[ "$v" =~ ^(0x)?[0-9a-f]{1,16}(\+[0-9]+)?$ ]] || continue
		v=${v#0x}
		# shellcheck disable=SC2034,SC2004 # namerefs to associative arrays
		bases_to[$name]=$((16#${v%%+*}))
		# shellcheck disable=SC2034,SC2004
		[[ "$v" != *+* ]] || sizes_to[$name]=${v#*+}
	done
}

# l1_freeze_sym_of ADDR LIST: the "<SYMBOL+0xOFF>" LIST (l1_freeze_syms's
# output) has for ADDR, if any.
l1_freeze_sym_of() {
	local a
	[[ "$1" =~ ^[0-9a-f]{1,16}$ ]] || return 0
	a=$(printf '%016x' $((16#$1)))
	printf '%s\n' "$2" | awk -v a="$a" '$1 == a { print " " $2; exit }'
}

# The report, on stdout: a few lines for each of up to 4 L1 CPUs, in at
# most ~15 s (2 s of CPU times, then monitor rounds that each give up after
# 6 s and are not tried again after that; usually ~4 s in all). It runs in
# a subshell of its own, cut off after 30 s: whatever goes wrong in it, the
# watchdog that called it goes on to stop QEMU.
l1_freeze_report() {
	local start pid n=0
	start=$(now)
	(l1_freeze_look) &
	pid=$!
	while kill -0 "$pid" 2>/dev/null && [ $n -lt 60 ]; do
		sleep 0.5
		n=$((n + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		echo "(report cut off after 30 s)"
	fi
	wait "$pid" 2>/dev/null || echo "(report failed: status $?)"
	echo "(report took $(elapsed "$start") s)"
}

l1_freeze_look() {
	local pid t0 a b dt hz regs1 regs2 cpu pc sp lr st pc2 st2 syms code='' cmds line i
	pid=$(cat "$tmp/qemu.pid" 2>/dev/null) || pid=
	if [ -z "$pid" ]; then
		# QEMU removes it when it exits.
		echo "no QEMU process to look at: no pid file (QEMU exiting, or it never started)"
		return 0
	elif [ ! -d "/proc/$pid" ]; then
		echo "no QEMU process to look at: pid $pid is gone"
		return 0
	fi
	# The symbols this very L1 may have listed at its start.
	l1_freeze_syms_save "$tmp/console.log"
	hz=$(getconf CLK_TCK)
	t0=$(now)
	a=$(l1_freeze_threads "$pid")
	sleep 2
	b=$(l1_freeze_threads "$pid")
	dt=$(elapsed "$t0")
	# Per thread: its share of one host CPU over dt and its state (R
	# running, S sleeping, D in an uninterruptible wait, T stopped).
	awk -v hz="$hz" -v dt="$dt" -v pid="$pid" '
		NR == FNR { t[$1] = $3; next }
		{
			name = $4; for (i = 5; i <= NF; i++) name = name " " $i
			p = ($1 in t) ? ($3 - t[$1]) * 100 / hz / dt : 0
			total += p; all++; if ($2 == "T") stopped++
			line[all] = sprintf("%s %.0f%% %s", name, p, $2); pct[all] = p
		}
		END {
			if (stopped == all) v = "QEMU stopped (every thread in state T)"
			else if (total >= 50) v = "L1 spinning"
			else v = "QEMU idle or blocked"
			printf "QEMU (pid %s) used %.0f%% of a host CPU over %s s: %s\n", pid, total, dt, v
			# The busiest 6 threads, then how many idle ones were left out.
			out = ""; shown = 0
			for (k = 0; k < 6 && k < all; k++) {
				m = 0; for (i = 1; i <= all; i++) if (!(i in used) && (m == 0 || pct[i] > pct[m])) m = i
				used[m] = 1; out = out (shown++ ? "; " : "") line[m]
			}
			if (all > shown) out = out sprintf(" (+%d more threads)", all - shown)
			print "  threads: " out
		}' <(printf '%s\n' "$a") <(printf '%s\n' "$b")

	if [ ! -p "$tmp/mon.in" ] || [ ! -p "$tmp/mon.out" ]; then
		echo "no monitor FIFOs: no registers"
		return 0
	fi
	{
		# stop/cont around each sample: a stopped vCPU has left TCG's
		# chained blocks, so its registers agree with each other, not the
		# last ones TCG stored. While L1 runs L2, stopped samples landed on
		# L1's instruction after VMRUN more often than unstopped ones (2 of
		# 6 against 0 of 6; QEMU's SVM goes back to its main loop at every
		# L2 exit): such a PC says "running L2", not "stuck there".
		regs1=$(l1_freeze_mon stop "info registers -a" cont | l1_freeze_regs) || regs1=
		if [ -z "$regs1" ]; then
			echo "QEMU's monitor did not answer (its main loop or a vCPU thread is stuck, or QEMU is stopped): no registers"
			return 0
		fi
		sleep 1
		regs2=$(l1_freeze_mon stop "info registers -a" cont | l1_freeze_regs) || regs2=
		# Code at the PC (aarch64: from the instruction before, a wfi if the
		# CPU is halted) and 32 stack words, per CPU (the monitor's "cpu N";
		# the unknown command after it marks where that CPU's part starts).
		mapfile -t cmds < <(printf '%s\n' "$regs1" | head -n 4 | while read -r cpu pc sp lr st; do
			[[ "$pc" =~ ^[0-9a-f]+$ ]] || continue
			a=$pc
			[ "$ARCH" != aarch64 ] || a=$(printf '%x' $((16#$pc - 4)))
			printf '%s\n' "cpu $cpu" "ktvm-cpu-$cpu" "x /3i 0x$a"
			[[ ! "$sp" =~ ^[0-9a-f]+$ ]] || echo "x /32gx 0x$sp"
		done)
		# A monitor that stopped answering gets no third round.
		if [ ${#cmds[@]} -gt 0 ] && [ -n "$regs2" ]; then
			code=$(l1_freeze_mon "${cmds[@]}") || true
		fi
	} 7<>"$tmp/mon.out" 8<>"$tmp/mon.in"
	# Each CPU's stack words ("word CPU ADDR": lines of 0x words after an
	# address) and the rest of what the monitor said ("code CPU ...": the
	# instructions, or why it could not read them).
	code=$(printf '%s\n' "$code" | awk '
		/unknown command: .ktvm-cpu-/ { cpu = $0; sub(/.*ktvm-cpu-/, "", cpu); sub(/[^0-9].*/, "", cpu); next }
		cpu == "" || NF == 0 { next }
		{
			words = ($1 ~ /^[0-9a-f]+:$/ && NF > 1)
			for (i = 2; i <= NF && words; i++) words = ($i ~ /^0x[0-9a-f]+$/)
			if (!words) { sub(/^0x/, ""); print "code", cpu, $0; next }
			for (i = 2; i <= NF; i++) print "word", cpu, substr($i, 3)
		}')
	# The symbols of every address worth naming, in one pass over the map.
	syms=$({
		printf '%s\n' "$regs1" "$regs2" | awk '{ print $2; print $4 }'
		printf '%s\n' "$code" | awk '$1 == "word" { print $3 }'
	} | sort -u | l1_freeze_syms)
	if [ -n "$syms" ]; then
		echo "symbols: L1's kernel and modules ($l1_freeze_map); an address in L2 is named as if L2 ran L1's kernel"
	elif l1_freeze_syms_wanted; then
		echo "no symbols: no map of L1's kernel yet (an L1 lists them when the harness has none)"
	fi
	printf '%s\n' "$regs1" | head -n 4 | while read -r cpu pc sp lr st; do
		line="CPU $cpu: PC=$pc$(l1_freeze_sym_of "$pc" "$syms") SP=$sp"
		[ "$lr" = - ] || line="$line LR=$lr$(l1_freeze_sym_of "$lr" "$syms")"
		st=${st%,}
		echo "$line ${st//,/ }"
		read -r _ pc2 _ _ st2 < <(printf '%s\n' "$regs2" | awk -v c="$cpu" '$1 == c') || pc2='' st2=''
		st2=${st2%,}
		[ "$st2" != "$st" ] || st2=
		if [ -z "$pc2" ]; then
			echo "  1 s later: no answer"
		elif [ "$pc2" = "$pc" ]; then
			echo "  1 s later: the same PC${st2:+ ${st2//,/ }}"
		else
			echo "  1 s later: PC=$pc2$(l1_freeze_sym_of "$pc2" "$syms") (moved)${st2:+ ${st2//,/ }}"
		fi
		printf '%s\n' "$code" | awk -v c="$cpu" '$1 == "code" && $2 == c { $1 = $2 = ""; sub(/^ +/, ""); print "  " $0 }' |
			head -n 4
		# QEMU's monitor walks the page tables of L2 (CR3 is L2's while
		# L1's KVM runs it) as if they were L1's, without the nested ones.
		if printf '%s\n' "$code" | grep -q "^code $cpu .*\(unable to read\|Cannot access\)"; then
			echo "  (the monitor could not read there: likely an address in L2, which it does not translate)"
		fi
		# The stack words that are kernel text, 8 at most.
		printf '%s\n' "$code" | awk -v c="$cpu" '$1 == "word" && $2 == c { print $3 }' |
			while read -r a; do
				i=$(l1_freeze_sym_of "$a" "$syms")
				[ -z "$i" ] || echo "  stack $a$i"
			done | head -n 8
	done
}
