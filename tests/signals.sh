#!/bin/sh
# ktvm and signals, without KVM: SIGINT, SIGTERM and SIGHUP while ktvm
# builds a run (held at the "setup" test point, core/base/testpoint.h),
# a second signal, a signal ktvm inherited as ignored, closed standard
# descriptors and --json paths that cannot be written. For each: the exit
# status, the one message line, the --json result, and that no temporary
# file is left. The same cases with a running guest are in
# tests/integration/faults.sh. One line per case, then "N passed, N failed".
#   tests/signals.sh BUILD     (BUILD: build/ARCH; $KTVM_TEST_RUNNER runs its binaries)
set -u
build=$(cd "${1:?usage: tests/signals.sh BUILD}" && pwd) || exit 2
run=${KTVM_TEST_RUNNER:-}
ktvm=$build/ktvm
sigdfl=$build/payloads/sigdfl
pass=0 fail=0
work=$(mktemp -d "${TMPDIR:-/tmp}/ktvm-signals.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A file that passes for a kernel until the VM is built (its release string).
printf 'Linux version 6.1.0-fake (test@ktvm) #1 SMP\0' >"$work/kernel"

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# Wait up to 30 s for TEXT in FILE.
wait_for() { # FILE TEXT
	i=0
	while ! grep -Fq -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 300 ] || return 1
		sleep 0.1
	done
}

# fresh: an empty case directory $d with its own TMPDIR.
fresh() {
	d=$work/case
	rm -rf "$d"
	mkdir -p "$d/tmp"
}

# start PAUSE [ktvm run args...]: ktvm in the background, signals at their
# defaults, held at test point PAUSE; its own temp dir; sets pid. A --json
# among the args replaces $d/r.json (the last one given wins).
start() {
	pause=$1
	shift
	fresh
	# shellcheck disable=SC2086 # $run: a command with arguments, or nothing
	(cd "$d" && KTVM_TEST_PAUSE=$pause TMPDIR=$d/tmp exec $run "$sigdfl" $run "$ktvm" run \
		--kernel "$work/kernel" --json "$d/r.json" "$@" -- "$sigdfl") >"$d/out" 2>"$d/err" </dev/null &
	pid=$!
}

# finish: wait for ktvm (at most 30 s, then it is killed: a hang); sets rc.
finish() {
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			rc=hang
			return
		fi
		sleep 0.1
	done
	wait "$pid"
	rc=$?
}

# held NAME: while ktvm is held, its temporary initramfs and the emptied
# --json file exist (so that their absence afterwards means something).
held() {
	if [ -z "$(ls -A "$d/tmp")" ] || [ ! -f "$d/r.json" ]; then
		bad "$1" "while held: expected a temporary directory and the --json file (got: $(ls -A "$d/tmp" "$d" | tr '\n' ' '))"
		return 1
	fi
}

# check NAME STATUS END DETAIL: the status, the result, no temporary files.
check() {
	if [ "$rc" != "$2" ]; then
		bad "$1" "exit status (expected $2, got $rc); stderr: $(tr '\n' '|' <"$d/err")"
		return 1
	fi
	left=$(ls -A "$d/tmp")
	if [ -n "$left" ]; then
		bad "$1" "temporary files left (expected none, got $left)"
		return 1
	fi
	if [ -n "$3" ]; then
		grep -q "\"end\": \"$3\"" "$d/r.json" 2>/dev/null ||
			{ bad "$1" "--json end (expected $3, got $(grep '"end"' "$d/r.json" 2>&1))"; return 1; }
		grep -q "\"detail\": \"$4\"" "$d/r.json" ||
			{ bad "$1" "--json detail (expected $4, got $(grep '"detail"' "$d/r.json"))"; return 1; }
		grep -q "\"status\": $2," "$d/r.json" ||
			{ bad "$1" "--json status (expected $2, got $(grep '"status"' "$d/r.json"))"; return 1; }
	elif [ -e "$d/r.json" ]; then
		bad "$1" "--json file left (expected none: no result)"
		return 1
	fi
	return 0
}

# A signal while the run is built: the result says so, status 128 + N.
for s in INT:130 TERM:143 HUP:129; do
	sig=${s%%:*} status=${s#*:}
	name=setup_sig$(echo "$sig" | tr 'A-Z' 'a-z')
	start setup
	if ! wait_for "$d/err" "paused at setup"; then
		kill -KILL "$pid" 2>/dev/null
		bad "$name" "never reached the setup test point: $(tr '\n' '|' <"$d/err")"
		continue
	fi
	held "$name" || { kill -KILL "$pid"; continue; }
	kill -"$sig" "$pid"
	finish
	check "$name" "$status" signal "SIG$sig during setup" || continue
	n=$(grep -c "^ktvm: SIG$sig: ending the run" "$d/err")
	[ "$n" = 1 ] || { bad "$name" "stderr (expected one \"ktvm: SIG$sig: ending the run\" line, got $n)"; continue; }
	ok "$name"
done

# A second signal ends ktvm at once: no result, the temporary initramfs removed.
start setup:hold
if ! wait_for "$d/err" "paused at setup"; then
	kill -KILL "$pid" 2>/dev/null
	bad second_sigint "never reached the setup test point"
elif held second_sigint; then
	kill -INT "$pid"
	wait_for "$d/err" "ending the run"
	kill -INT "$pid"
	finish
	if check second_sigint 130 "" ""; then
		if grep -q "SIGINT again: ending at once" "$d/err"; then ok second_sigint; else
			bad second_sigint "stderr (expected \"SIGINT again: ending at once\")"; fi
	fi
else
	kill -KILL "$pid" 2>/dev/null
fi

# --json through a symlink (as /dev/stdout is): a run without a result
# removes neither the link nor what it points to.
echo stale >"$work/target.json"
ln -sf "$work/target.json" "$work/link.json"
start setup:hold --json "$work/link.json"
if wait_for "$d/err" "paused at setup"; then
	kill -INT "$pid"
	wait_for "$d/err" "ending the run"
	kill -INT "$pid"
	finish
	if [ "$rc" != 130 ]; then
		bad json_symlink "exit status (expected 130, got $rc)"
	elif [ ! -L "$work/link.json" ] || [ ! -f "$work/target.json" ]; then
		bad json_symlink "the --json symlink or its target was removed"
	elif [ -s "$work/target.json" ]; then
		bad json_symlink "the target still holds its old text: ktvm did not open the --json path given"
	else
		ok json_symlink
	fi
else
	kill -KILL "$pid" 2>/dev/null
	bad json_symlink "never reached the setup test point"
fi

# SIGINT inherited as ignored (nohup, a script's background job) stays ignored; SIGTERM ends it.
fresh
# shellcheck disable=SC2086
(cd "$d" && trap '' INT && KTVM_TEST_PAUSE=setup TMPDIR=$d/tmp exec $run "$ktvm" run \
	--kernel "$work/kernel" --json "$d/r.json" -- "$sigdfl") >"$d/out" 2>"$d/err" </dev/null &
pid=$!
if wait_for "$d/err" "paused at setup"; then
	kill -INT "$pid"
	sleep 1
	if ! kill -0 "$pid" 2>/dev/null || grep -q "ending the run" "$d/err"; then
		finish
		bad ignored_sigint "an ignored SIGINT ended the run (status $rc)"
	else
		kill -TERM "$pid"
		finish
		check ignored_sigint 143 signal "SIGTERM during setup" && ok ignored_sigint
	fi
else
	kill -KILL "$pid" 2>/dev/null
	bad ignored_sigint "never reached the setup test point"
fi

# stdout and stdin closed: said once, and ktvm works on (nothing written into a reused descriptor).
fresh
# shellcheck disable=SC2086
(cd "$d" && KTVM_TEST_PAUSE=setup TMPDIR=$d/tmp exec $run "$sigdfl" $run "$ktvm" run \
	--kernel "$work/kernel" --json "$d/r.json" -- "$sigdfl") 2>"$d/err" <&- >&- &
pid=$!
if wait_for "$d/err" "paused at setup"; then
	kill -TERM "$pid"
	finish
	if check closed_stdout 143 signal "SIGTERM during setup"; then
		if grep -q "^ktvm: stdout is closed" "$d/err"; then ok closed_stdout; else
			bad closed_stdout "stderr (expected \"ktvm: stdout is closed\")"; fi
	fi
else
	kill -KILL "$pid" 2>/dev/null
	bad closed_stdout "never reached the setup test point: $(tr '\n' '|' <"$d/err")"
fi

# --json that cannot be written: status 2 and one line before anything is built.
mkfifo "$work/fifo"
for j in "missing_dir:$work/no/such/dir/r.json:No such file" "directory:$work:Is a directory" \
	"fifo:$work/fifo:a FIFO with no reader"; do
	name=json_${j%%:*} j=${j#*:}
	path=${j%%:*} words=${j#*:}
	fresh
	# shellcheck disable=SC2086
	(cd "$d" && TMPDIR=$d/tmp exec $run "$ktvm" run --kernel "$work/kernel" --json "$path" \
		-- "$sigdfl") >"$d/out" 2>"$d/err" </dev/null &
	pid=$!
	finish
	lines=$(wc -l <"$d/err" | tr -d ' ')
	if [ "$rc" != 2 ]; then
		bad "$name" "exit status (expected 2, got $rc): $(tr '\n' '|' <"$d/err")"
	elif [ "$lines" != 1 ] || ! grep -q "^ktvm: --json $path: $words" "$d/err"; then
		bad "$name" "stderr (expected one line \"ktvm: --json $path: $words\", got $(tr '\n' '|' <"$d/err"))"
	elif [ -n "$(ls -A "$d/tmp")" ]; then
		bad "$name" "temporary files left: $(ls -A "$d/tmp")"
	else
		ok "$name"
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
