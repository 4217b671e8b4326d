# shellcheck shell=sh
# shellcheck disable=SC2154 # out, json, skip_why: run_case's (lib.sh)
# sched_ext cases of the integration tests (sourced by run.sh): a BPF
# scheduler attaches, schedules a workload and detaches in a guest running
# Debian's 7.x kernel (CONFIG_SCHED_CLASS_EXT). Needs KERNEL_7_IMAGE (its
# modules beside it), SCHEDULERS (make schedulers: static schedulers built
# against that kernel's BTF) and PAYLOADS/scx_run; each case skips, saying
# which is missing.

# sched_ready SCHEDULER: whether the case can run; sets skip_why if not.
sched_ready() {
	if [ ! -f "${KERNEL_7_IMAGE:-}" ]; then
		skip_why="no Debian 7.x kernel (KERNEL_7_IMAGE; scripts/fetch-debian.sh kernel DEBARCH 7)"
	elif [ ! -x "${SCHEDULERS:-}/$1" ]; then
		skip_why="no $1 in ${SCHEDULERS:-SCHEDULERS (unset)} (make schedulers)"
	elif [ ! -x "${PAYLOADS:-}/scx_run" ]; then
		skip_why="no ${PAYLOADS:-PAYLOADS}/scx_run"
	fi
	[ -z "$skip_why" ]
}

# Upstream scx_simple on 4 vCPUs: enabled with ops "simple", still enabled
# after a CPU-bound process per CPU, disabled again after SIGINT.
sched_scx_simple_case() {
	sched_ready scx_simple || return 0
	ktvm_run run --kernel "$KERNEL_7_IMAGE" --cpus 4 --memory 512 --timeout 240 \
		--json "$json" --include "$SCHEDULERS/scx_simple" \
		-- "$PAYLOADS/scx_run" /bin/scx_simple simple 1000
	echo "run.sh: sched_scx_simple: $(grep '^scx_run: ' "$out" | tr '\n' ';')" >&2
	grep -q '^scx_run: FAIL' "$out" && fail "$(grep -m1 '^scx_run: FAIL' "$out")"
	expect_status 0 || return 0
	grep -Eq '^scx_run: enabled ops=simple after [0-9]+ ms$' "$out" ||
		fail "no line 'scx_run: enabled ops=simple' in the payload's output" || return 0
	grep -Eq '^scx_run: workload 4 processes 1000 ms, state enabled' "$out" ||
		fail "no line 'scx_run: workload 4 processes ... state enabled'" || return 0
	grep -Eq '^scx_run: scheduler exited \(status 0\)$' "$out" ||
		fail "scx_simple did not exit with status 0 after SIGINT" || return 0
	grep -Eq '^scx_run: disabled after [0-9]+ ms$' "$out" ||
		fail "no line 'scx_run: disabled' (sched_ext state after SIGINT)" || return 0
	expect_json channel.exit_status 0 || return 0
}

# --- ktvm run --scheduler: the guest's init runs the scheduler's life -----

# sched_run SCHEDULER [ARGS...]: the 4-vCPU topology, PAYLOADS/burn as the
# workload (one process per CPU for 2 s).
sched_run() {
	s=$1
	shift
	set -- --scheduler "$SCHEDULERS/$s" "$@"
	ktvm_run run --kernel "$KERNEL_7_IMAGE" --topology 1,2,2,1 --memory 512 --timeout 240 \
		--json "$json" "$@" -- "$PAYLOADS/burn" 2000
}

# expect_stderr_re ERE DESCRIPTION: a line of ktvm's stderr matches.
sched_expect_err() {
	grep -Eq "$1" "$err" || fail "no line $2 on ktvm's stderr" || return 1
}

# ktvm's fixture scheduler in normal mode: attached before the workload,
# dispatches counted on every CPU, detached cleanly: PROG's status.
sched_fifo_normal_case() {
	sched_ready ktvm_fifo || return 0
	sched_run ktvm_fifo --sched-arg normal
	expect_status 0 || return 0
	grep -q '^burn: 4 processes 2000 ms$' "$out" || fail "no 'burn: 4 processes' line" || return 0
	sched_expect_err '^ktvm: sched: ktvm_fifo: attached$' "'ktvm: sched: ktvm_fifo: attached'" ||
		return 0
	for cpu in 0 1 2 3; do
		sched_expect_err "^ktvm: sched: ktvm_fifo: cpu $cpu dispatched [1-9][0-9]*\$" \
			"'ktvm: sched: ktvm_fifo: cpu $cpu dispatched N' (N > 0)" || return 0
	done
	sched_expect_err '^ktvm: sched: ktvm_fifo: exit kind 64 ' "'... exit kind 64' (unregistered)" ||
		return 0
	expect_json channel.sched.attached true || return 0
	expect_json channel.sched.ops ktvm_fifo || return 0
	expect_json channel.sched.switch_all true || return 0
	expect_json channel.sched.detached true || return 0
	expect_json channel.sched.failure null || return 0
}

# Upstream scx_simple through --scheduler: attached as "simple", clean detach.
sched_simple_option_case() {
	sched_ready scx_simple || return 0
	sched_run scx_simple
	expect_status 0 || return 0
	expect_json channel.sched.ops simple || return 0
	expect_json channel.sched.detached true || return 0
}

# scx_bpf_error() after 100 dispatches, while the workload runs: status 120
# with the scheduler's message.
sched_fifo_error_case() {
	sched_ready ktvm_fifo || return 0
	sched_run ktvm_fifo --sched-arg error-after=100
	expect_status 120 || return 0
	sched_expect_err '^ktvm: the scheduler failed .*error-after=100' \
		"'ktvm: the scheduler failed ... error-after=100'" || return 0
	expect_json channel.sched.failure.stage run || return 0
}

# The workload's tasks never dispatched: the kernel's watchdog (1 s here)
# kicks the scheduler out for a stall; status 120 naming it.
sched_fifo_stall_case() {
	sched_ready ktvm_fifo || return 0
	sched_run ktvm_fifo --sched-arg stall-comm=burn --sched-arg timeout-ms=1000
	expect_status 120 || return 0
	sched_expect_err '^ktvm: the scheduler failed .*stall' "'ktvm: the scheduler failed ... stall'" ||
		return 0
}

# A program the verifier refuses: never attached, status 119, the
# verifier's words among the scheduler's output.
sched_fifo_reject_case() {
	sched_ready ktvm_fifo || return 0
	sched_run ktvm_fifo --sched-arg reject
	expect_status 119 || return 0
	sched_expect_err '^ktvm: the scheduler did not attach: ' \
		"'ktvm: the scheduler did not attach: ...'" || return 0
	sched_expect_err '^ktvm: sched: .*BEGIN PROG LOAD LOG' "the verifier's log" || return 0
	sched_expect_err '^ktvm: sched: ktvm_fifo: load failed' "'ktvm: sched: ktvm_fifo: load failed'" ||
		return 0
	expect_json channel.sched.failure.stage attach || return 0
}

# Debian 6.1 has no sched_ext: refused before boot, status 2, one line.
sched_bad_kernel_case() {
	[ -x "${SCHEDULERS:-}/ktvm_fifo" ] || {
		skip_why="no ktvm_fifo in ${SCHEDULERS:-SCHEDULERS (unset)} (make schedulers)"
		return 0
	}
	ktvm_run run --kernel "$KERNEL_IMAGE" --scheduler "$SCHEDULERS/ktvm_fifo" \
		-- "$PAYLOADS/burn" 10
	expect_status 2 || return 0
	sched_expect_err '^ktvm: --scheduler: kernel .* has no sched_ext \(CONFIG_SCHED_CLASS_EXT' \
		"'... has no sched_ext (CONFIG_SCHED_CLASS_EXT ...'" || return 0
	[ "$(wc -l <"$err")" -eq 1 ] || fail "stderr has $(wc -l <"$err") lines (expected 1)"
}
