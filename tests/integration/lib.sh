# shellcheck shell=sh
# shellcheck disable=SC2034 # the variables set here are read by run.sh and bench.sh
# Helpers for ktvm's integration tests (run.sh, bench.sh). POSIX sh that
# busybox ash runs too: the tests run inside the nested harness's L1 or
# directly on a host with hardware virtualization.
#
# Environment (set by tests/harness/run.sh): KTVM (the ktvm binary),
# KTVM_ARCH (its arch; default: this machine's), KERNEL_IMAGE (the kernel a
# case boots unless it tests a form: x86_64 the ELF vmlinux, aarch64 the
# Image), on x86_64 KERNEL_BZIMAGE and KERNEL_VMLINUX (the same kernel as
# bzImage and as ELF vmlinux with a PVH entry), FIXTURES (directory of
# NAME.cpio guest initrds).

KTVM_ARCH=${KTVM_ARCH:-$(uname -m)}
# The forms of the kernel this arch boots (form_kernel gives each one's
# file), and the form in the boot loader's format, whose own checks
# (truncation, size) the bad-input cases exercise.
case "$KTVM_ARCH" in
x86_64)
	: "${KERNEL_IMAGE:=${KERNEL_VMLINUX:-}}" "${KERNEL_612_IMAGE:=${KERNEL_612_VMLINUX:-}}"
	boot_forms='bzimage elf' loader_form=bzimage
	;;
*)
	boot_forms=image loader_form=image
	;;
esac
form_kernel() { # FORM
	case "$1" in
	bzimage) echo "$KERNEL_BZIMAGE" ;;
	elf) echo "$KERNEL_VMLINUX" ;;
	image) echo "$KERNEL_IMAGE" ;;
	esac
}

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# json_flat FILE: prints one "PATH<TAB>VALUE" line per scalar of a JSON
# document; PATH joins object keys and array indices with dots
# ("exits.io"), VALUE is the literal or the string without its quotes
# (escapes kept). A malformed document gives "error<TAB>..." last.
json_flat() {
	awk '
	function ws() { while (pos <= n && index(" \t\r\n", substr(s, pos, 1))) pos++ }
	# A string token starting at pos (a quote); returns its raw content.
	function str(   start, rest, q, b) {
		start = ++pos
		for (;;) {
			rest = substr(s, pos)
			q = index(rest, "\"")
			if (!q) { bad = 1; pos = n + 1; return "" }
			pos += q
			for (b = pos - 2; b >= start && substr(s, b, 1) == "\\"; b--)
				;
			if ((pos - 2 - b) % 2 == 0)
				return substr(s, start, pos - 1 - start)
		}
	}
	function value(path, depth,   c, k, i) {
		ws()
		if (pos > n || depth > 64) { bad = 1; return }
		c = substr(s, pos, 1)
		if (c == "{" || c == "[") {
			pos++; ws()
			if (substr(s, pos, 1) == (c == "{" ? "}" : "]")) { pos++; return }
			for (i = 0; pos <= n && !bad; i++) {
				if (c == "{") {
					ws()
					if (substr(s, pos, 1) != "\"") { bad = 1; return }
					k = str(); ws()
					if (substr(s, pos++, 1) != ":") { bad = 1; return }
				} else
					k = i
				value(path == "" ? k : path "." k, depth + 1); ws()
				if (substr(s, pos, 1) == ",") { pos++; continue }
				if (substr(s, pos++, 1) != (c == "{" ? "}" : "]")) bad = 1
				return
			}
			bad = 1
			return
		}
		if (c == "\"") { k = str(); if (!bad) print path "\t" k; return }
		if (match(substr(s, pos, 64), /^[-+0-9.eEa-z]+/)) {
			print path "\t" substr(s, pos, RLENGTH)
			pos += RLENGTH
			return
		}
		bad = 1
	}
	{ s = s $0 "\n" }
	END {
		n = length(s); pos = 1; bad = 0
		value("", 0)
		if (bad) print "error\tmalformed JSON near offset " pos
	}' "$1"
}

# json_get FLAT KEY: the value of KEY from json_flat output in file FLAT.
json_get() { awk -F'\t' -v k="$2" '$1 == k { print $2; found = 1; exit } END { if (!found) print "<none>" }' "$1"; }

# ktvm_run ARGS...: runs "$KTVM ARGS" in $cwd with stdout in $out and stderr
# in $err; sets rc and wall_ms. A watchdog kills ktvm if it outlives its own
# --timeout by far ($KTVM_WATCHDOG seconds, default 300).
ktvm_run() {
	t0=$(now_ms)
	rc=0
	(cd "$cwd" && exec timeout -s KILL "${KTVM_WATCHDOG:-300}" "$KTVM" "$@") \
		>"$out" 2>"$err" </dev/null || rc=$?
	wall_ms=$(($(now_ms) - t0))
	if [ -n "${json:-}" ] && [ -f "$json" ]; then
		json_flat "$json" >"$json.flat"
	else
		: >"${json:-$work/none}.flat"
	fi
}

# The line ktvm ends with ("ktvm: guest rebooted (...) after 2.345 s"), or
# else the last line of its stderr.
ktvm_summary() {
	{ grep '^ktvm: ' "$err" || tail -n1 "$err"; } | tail -n1 | tr -d '\r' | cut -c1-160
}

# Expectations: each records the first failure of the case in $why and
# returns 1, so a case can stop with "expect_... || return 0".
fail() {
	[ -n "$why" ] || why=$*
	return 1
}
expect_eq() { # WHAT EXPECTED ACTUAL
	[ "$2" = "$3" ] || fail "$1 (expected $2, got $3)"
}
expect_status() { # EXPECTED
	[ "$rc" = "$1" ] && return 0
	if [ "$rc" -gt 128 ]; then
		fail "exit status (expected $1, got $rc: killed by signal $((rc - 128)))"
	else
		fail "exit status (expected $1, got $rc: $(ktvm_summary))"
	fi
}
expect_json() { # KEY EXPECTED
	expect_eq "json $1" "$2" "$(json_get "$json.flat" "$1")"
}
expect_console() { # FIXED-STRING
	grep -Fq -- "$1" "$err" ||
		fail "console (expected a line with \"$1\", got last line \"$(grep -v '^ktvm: ' "$err" | tail -n1 | tr -d '\r' | cut -c1-120)\")"
}
expect_console_re() { # ERE DESCRIPTION
	grep -Eq -- "$1" "$err" ||
		fail "console (expected $2, got $(grep -E "${3:-$1}" "$err" | head -n1 | tr -d '\r' | sed 's/^$/no such line/'))"
}

# --- the case runner ---------------------------------------------------------

passed=0 failed=0 skipped=0
# run_case NAME FUNCTION [ARGS...]: runs one case in a fresh scratch
# directory and prints its result line.
run_case() {
	name=$1
	shift
	if [ -n "${only:-}" ]; then
		case " $only " in *" $name "*) ;; *) return 0 ;; esac
	fi
	ran="${ran:-} $name"
	# Cases an earlier L1 already reported (the harness restarted L1).
	case " ${KTVM_TESTS_DONE:-} " in *" $name "*) return 0 ;; esac
	why='' skip_why=''
	cwd=$work/$name/cwd out=$work/$name/stdout err=$work/$name/stderr json=$work/$name/result.json
	mkdir -p "$cwd"
	start=$(now_ms)
	# The case running now, for the L1 harness's heartbeat.
	if [ -n "${KTVM_CASE_FILE:-}" ]; then
		printf '%s\n' "$name" >"$KTVM_CASE_FILE"
		# A beat now, so the host knows the case even if L1 froze at once.
		read -r case_up _ </proc/uptime
		echo "KTVM-L1-BEAT $case_up $name" >/dev/console 2>/dev/null
	fi
	# The harness's own check: this case stops L1's heartbeat and hangs, as
	# if L1 froze under it (KTVM_HARNESS_FREEZE_CASE).
	if [ "$name" = "${KTVM_HARNESS_FREEZE_CASE:-}" ] && [ -f /tmp/.ktvm-beat.pid ]; then
		kill "$(cat /tmp/.ktvm-beat.pid)"
		sleep 100000
	fi
	"$@" || true
	[ -z "${KTVM_CASE_FILE:-}" ] || : >"$KTVM_CASE_FILE"
	echo "run.sh: $name took $(awk -v ms=$(($(now_ms) - start)) 'BEGIN { printf "%.1f", ms / 1000 }') s" >&2
	if [ -n "$skip_why" ]; then
		echo "skip $name: $skip_why"
		skipped=$((skipped + 1))
	elif [ -n "$why" ]; then
		echo "FAIL $name: $why"
		failed=$((failed + 1))
		if [ -s "$err" ]; then
			echo "run.sh: $name: last lines of ktvm's stderr:" >&2
			tail -n 15 "$err" | tr -d '\r' | sed 's/^/    /' >&2
		fi
		# A run that timed out with --dump-dir left the guest's state:
		# where each vCPU was (one that never parked is not frozen).
		for d in "$cwd"/ktvm-dump-*-timeout.json; do
			[ -f "$d" ] || continue
			echo "run.sh: $name: vCPUs in ${d##*/}:" >&2
			grep -o '{"id": [0-9]*, "frozen": [a-z]*, "regs": [n{]"*[a-z0-9]*"*:* *"*[0-9a-fx]*' "$d" |
				sed 's/^/    /' >&2
			grep -o '"pc": "0x[0-9a-f]*"' "$d" | sed 's/^/    /' >&2
		done
	else
		echo "ok $name"
		passed=$((passed + 1))
	fi
	rm -rf "${work:?}/$name"
}

summary() {
	# A name asked for that no case has here (a typo, another arch's case)
	# would otherwise just not run.
	for n in ${only:-}; do
		case " ${ran:-} " in *" $n "*) ;; *)
			echo "FAIL $n: no such case on $KTVM_ARCH (KTVM_TESTS or the arguments)"
			failed=$((failed + 1))
			;;
		esac
	done
	line="$passed passed, $failed failed"
	[ "$skipped" = 0 ] || line="$line, $skipped skipped"
	echo "$line"
	[ "$failed" = 0 ]
}

# Checks the environment; prints a failed setup case and the summary if
# something is missing.
check_env() {
	missing=''
	[ -x "${KTVM:-}" ] || missing="$missing KTVM=${KTVM:-unset} (not executable)"
	vars=KERNEL_IMAGE
	for form in $boot_forms; do
		case "$form" in
		bzimage) vars="$vars KERNEL_BZIMAGE" ;;
		elf) vars="$vars KERNEL_VMLINUX" ;;
		esac
	done
	for v in $vars; do
		eval "f=\${$v:-}"
		[ -f "$f" ] || missing="$missing $v=${f:-unset} (no such file)"
	done
	for f in "$@"; do
		[ -f "${FIXTURES:-}/$f.cpio" ] || missing="$missing ${FIXTURES:-FIXTURES unset}/$f.cpio"
	done
	for f in pattern garbage zcrc topo sysctl_write; do
		[ -x "${PAYLOADS:-}/$f" ] || missing="$missing ${PAYLOADS:-PAYLOADS unset}/$f"
	done
	if [ -z "$missing" ]; then
		# Cases run ktvm from their own working directory.
		for v in KTVM $vars KERNEL_612_IMAGE KERNEL_612_VMLINUX KERNEL_FOREIGN FIXTURES \
			PAYLOADS KERNEL_7_IMAGE SCHEDULERS; do
			eval "f=\${$v:-}"
			case "$f" in /* | '') ;; *) eval "$v=\$(pwd)/\$f" ;; esac
		done
		return 0
	fi
	echo "FAIL setup: missing${missing}"
	echo "0 passed, 1 failed"
	exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/ktvm-it.XXXXXX")
# ktvm's caches (initramfs bases, the extracted init) stay inside the run.
export KTVM_CACHE="$work/cache"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
