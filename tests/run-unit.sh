#!/bin/sh
# Run unit-test binaries and sum their "N passed, N failed[, N skipped]" lines.
#   tests/run-unit.sh "RUNNER" BIN...   (RUNNER: e.g. qemu-aarch64-static, or "";
#                                       BIN may be SCRIPT.sh:ARG, run on the host)
set -u
# shellcheck source=tests/summary.sh
. "$(dirname "$0")/summary.sh"
runner=$1
shift
# The tests see the runner (user-mode emulation skips what it cannot do).
KTVM_TEST_RUNNER=$runner
export KTVM_TEST_RUNNER
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM
for bin in "$@"; do
	name=$(basename "$bin")
	echo "== $name"
	case "$bin" in
	*.sh:*) # a host-side check script and its argument, not a target binary
		name=$(basename "${bin%%:*}")
		"${bin%%:*}" "${bin#*:}" >"$log" 2>&1
		;;
	*)
		# A hung binary is a failure, not a hung run.
		# shellcheck disable=SC2086 # the runner is a command with arguments
		timeout -k 10 "${KTVM_UNIT_TIMEOUT:-600}" $runner "$bin" >"$log" 2>&1
		;;
	esac
	rc=$?
	cat "$log"
	before=$sum_f
	summary_add "$log" "$name (exit status $rc)"
	# A binary that fails without counting a failed case (a crash after its summary).
	if [ "$rc" -ne 0 ] && [ "$sum_f" -eq "$before" ]; then
		echo "FAIL $name: exit status $rc"
		summary_fail
	fi
done
summary_print
summary_ok
