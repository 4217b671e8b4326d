# shellcheck shell=sh
# shellcheck disable=SC2154,SC2034 # out, err, work, skip_why: run_case's (lib.sh)
# The KVM test tier (tests/kvm, README "The KVM test tier"): C programs
# $KVMTESTS/test_* that boot guests of a few instructions through ktvm's
# raw-image entry. Each of their cases (PROGRAM --list) is one case here,
# run in a process of its own, so KTVM_TESTS selects them by name, a
# restarted L1 skips the ones reported, and they count with the rest.
# KTVM_TESTS=kvm (the word) selects the whole tier.

# "PROGRAM CASE" lines, for every case of every program.
kvm_cases() {
	[ -n "${KVMTESTS:-}" ] || return 0
	for prog in "$KVMTESTS"/test_*; do
		[ -x "$prog" ] || continue
		"$prog" --list | while read -r c; do echo "$prog $c"; done
	done
}

# The word "kvm" in $only stands for every case of the tier.
kvm_select() {
	case " ${only:-} " in *" kvm "*) ;; *) return 0 ;; esac
	rest=''
	for n in $only; do [ "$n" = kvm ] || rest="$rest $n"; done
	only="$rest $(kvm_cases | awk '{ print $2 }' | tr '\n' ' ')"
}

kvm_case() { # PROGRAM CASE
	rc=0
	timeout -s KILL "${KTVM_WATCHDOG:-300}" "$1" "$2" </dev/null >"$out" 2>"$err" || rc=$?
	# The program's own lines (assertion messages, notes) for the log.
	sed "s/^/    /" "$out" "$err" >&2
	line=$(grep -E "^(ok|FAIL|skip) +$2(:|\$)" "$out" | head -n 1)
	case "$line" in
	"ok "*) expect_eq "exit status of ${1##*/} $2" 0 "$rc" ;;
	"skip "*) skip_why=${line#skip "$2": } ;;
	"FAIL "*) fail "$(grep '^  ' "$out" | head -n 3 | sed 's/^ *//' | tr '\n' ';' | sed 's/;$//')" ;;
	*) fail "no result line from ${1##*/} $2 (exit status $rc)" ;;
	esac
}

# Runs the tier; a missing $KVMTESTS is a failure only when the tier was asked for.
kvm_tier() {
	if [ -z "${KVMTESTS:-}" ] || [ ! -d "$KVMTESTS" ]; then
		echo "run.sh: no KVM test tier (KVMTESTS=${KVMTESTS:-unset}; make check-kvm builds it)" >&2
		return 0
	fi
	kvm_cases >"$work/kvm-cases"
	while read -r prog c; do
		run_case "$c" kvm_case "$prog" "$c"
	done <"$work/kvm-cases"
}
