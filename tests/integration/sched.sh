# shellcheck shell=sh
# shellcheck disable=SC2154 # out, json, skip_why: run_case's (lib.sh)
# sched_ext cases of the integration tests (sourced by run.sh): a BPF
# scheduler attaches, schedules a workload and detaches in a guest running
# Debian's 7.x kernel (CONFIG_SCHED_CLASS_EXT). Needs KERNEL_7_IMAGE (its
# modules beside it), SCHEDULERS (make schedulers: static schedulers built
# against that kernel's BTF) and PAYLOADS/scx_run; each case skips, saying
# which is missing.

# sched_ready SCHEDULER [PAYLOAD]: whether the case can run (PAYLOAD: the
# test program it needs, scx_run by default); sets skip_why if not.
sched_ready() {
	if [ ! -f "${KERNEL_7_IMAGE:-}" ]; then
		skip_why="no Debian 7.x kernel (KERNEL_7_IMAGE; scripts/fetch-debian.sh kernel DEBARCH 7)"
	elif [ ! -x "${SCHEDULERS:-}/$1" ]; then
		skip_why="no $1 in ${SCHEDULERS:-SCHEDULERS (unset)} (make schedulers)"
	elif [ ! -x "${PAYLOADS:-}/${2:-scx_run}" ]; then
		skip_why="no ${PAYLOADS:-PAYLOADS}/${2:-scx_run}"
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
	# --dump-dir: a run that times out leaves each vCPU's state (run.sh
	# prints it); dumps go where they would go anyway.
	ktvm_run run --kernel "$KERNEL_7_IMAGE" --topology 1,2,2,1 --memory 512 --timeout 240 \
		--json "$json" --dump-dir "$cwd" "$@" -- "$PAYLOADS/burn" 2000
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
	# The host's exit trigger saw one attach and a clean detach: no dump.
	expect_json sched_ext.state clean || return 0
	expect_json sched_ext.attaches 1 || return 0
	expect_json sched_ext.detaches 1 || return 0
	expect_json sched_ext.failures 0 || return 0
	sched_expect_no_dump || return 0
}

# No state dump file in the case's directory.
sched_expect_no_dump() {
	n=$(find "$cwd" -name 'ktvm-dump-*' | wc -l)
	[ "$n" -eq 0 ] || fail "$n state dumps written (expected none): $(ls "$cwd")" || return 1
}

# sched_expect_caught KIND: the host's exit trigger caught KIND: exactly one
# dump, named for it, frozen at the claim (the kernel's message not written
# yet, the pc in the kernel), the claim on stderr and in --json.
sched_expect_caught() {
	sched_expect_err "^ktvm: sched_ext: caught $1 \([0-9]+\) on cpu [0-9]+ at pc 0xffff[0-9a-f]+; state dump " \
		"'ktvm: sched_ext: caught $1 (N) on cpu C at pc 0xffff...; state dump ...'" || return 1
	n=$(find "$cwd" -name 'ktvm-dump-*' | wc -l)
	[ "$n" -eq 1 ] || fail "$n state dumps (expected 1): $(ls "$cwd")" || return 1
	d=$(find "$cwd" -name "ktvm-dump-*-scx-$1.json")
	[ -n "$d" ] || fail "no dump named ktvm-dump-N-scx-$1.json: $(ls "$cwd")" || return 1
	grep -q "\"claim\": true, \"exit_kind\": [0-9]*, \"exit_kind_name\": \"$1\"" "$d" ||
		fail "the dump's sched_ext member does not name $1 as the claim" || return 1
	grep -q '"msg_at_freeze": ""' "$d" ||
		fail "the dump's msg_at_freeze is not empty: the freeze came after the kernel's message" ||
		return 1
	grep -q '"curr_pid": [0-9]*, "curr_comm": ' "$d" ||
		fail "the dump names no CPU's current task" || return 1
	expect_json sched_ext.state failed || return 1
	expect_json sched_ext.exit_kind_name "$1" || return 1
	expect_json sched_ext.failures 1 || return 1
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
	sched_expect_caught SCX_EXIT_ERROR_BPF || return 0
	json_get "$json.flat" sched_ext.msg | grep -q 'error-after=100' ||
		fail "sched_ext.msg (exit_info, read from the host) lacks error-after=100" || return 0
	# The kernel's stack trace at scx_bpf_error(): kernel return addresses.
	json_get "$json.flat" sched_ext.bt.0 | grep -q '^0xffff' ||
		fail "sched_ext.bt has no kernel address: $(json_get "$json.flat" sched_ext.bt.0)" ||
		return 0
}

# The workload's tasks never dispatched: the kernel's watchdog (1 s here)
# kicks the scheduler out for a stall; status 120 naming it.
sched_fifo_stall_case() {
	sched_ready ktvm_fifo || return 0
	sched_run ktvm_fifo --sched-arg stall-comm=burn --sched-arg timeout-ms=1000
	expect_status 120 || return 0
	sched_expect_err '^ktvm: the scheduler failed .*stall' "'ktvm: the scheduler failed ... stall'" ||
		return 0
	sched_expect_caught SCX_EXIT_ERROR_STALL || return 0
	json_get "$json.flat" sched_ext.msg | grep -q 'burn' ||
		fail "sched_ext.msg does not name the stalled task burn" || return 0
}

# --scx-watchdog 2000 over the kernel's default (30 s, ktvm_fifo sets
# none): the stall is reported about 2 s after the task became runnable.
sched_fifo_stall_watchdog_case() {
	sched_ready ktvm_fifo || return 0
	sched_run ktvm_fifo --sched-arg stall-comm=burn --scx-watchdog 2000
	expect_status 120 || return 0
	sched_expect_caught SCX_EXIT_ERROR_STALL || return 0
	expect_json sched_ext.watchdog.want_ms 2000 || return 0
	expect_json sched_ext.watchdog.want_jiffies 500 || return 0
	expect_json sched_ext.watchdog.kernel_jiffies 7500 || return 0
	expect_json sched_ext.watchdog.observed_jiffies 500 || return 0
	msg=$(json_get "$json.flat" sched_ext.msg)
	echo "run.sh: sched_fifo_stall_watchdog: $msg" >&2
	# "... failed to run for 2.013s": between 2 s and 2 s plus the kernel's
	# check interval and emulation's slack.
	secs=$(echo "$msg" | sed -n 's/.*failed to run for \([0-9]*\)\.[0-9]*s.*/\1/p')
	[ -n "$secs" ] || fail "sched_ext.msg has no 'failed to run for N.NNNs': $msg" || return 0
	[ "$secs" -ge 2 ] && [ "$secs" -le 6 ] ||
		fail "the stall was reported after ${secs} s (expected 2-6 s with --scx-watchdog 2000)" ||
		return 0
}

# The polling fallback (forced here; used when no slot is free for
# scx_root): the same failure caught, by polling, with one dump.
sched_fifo_error_poll_case() {
	sched_ready ktvm_fifo || return 0
	export KTVM_SCX_POLL=1
	sched_run ktvm_fifo --sched-arg error-after=100
	unset KTVM_SCX_POLL
	expect_status 120 || return 0
	sched_expect_err '^ktvm: sched_ext: caught SCX_EXIT_ERROR_BPF \(1025\) by polling; state dump ' \
		"'ktvm: sched_ext: caught SCX_EXIT_ERROR_BPF (1025) by polling; state dump ...'" ||
		return 0
	n=$(find "$cwd" -name 'ktvm-dump-*-scx-SCX_EXIT_ERROR_BPF.json' | wc -l)
	[ "$n" -eq 1 ] || fail "$n dumps named for the failure (expected 1): $(ls "$cwd")" || return 0
	expect_json sched_ext.trigger poll || return 0
	echo "run.sh: sched_fifo_error_poll: seen $(json_get "$json.flat" sched_ext.seen)" >&2
	expect_json sched_ext.exit_kind_name SCX_EXIT_ERROR_BPF || return 0
	expect_json sched_ext.failures 1 || return 0
	json_get "$json.flat" sched_ext.msg | grep -q 'error-after=100' ||
		fail "sched_ext.msg lacks error-after=100" || return 0
}

# A host that refuses KVM_SET_GUEST_DEBUG (simulated): the trigger gives
# up its slots, says so once, and polls; the failure is still caught.
sched_fifo_error_refused_case() {
	sched_ready ktvm_fifo || return 0
	export KTVM_TEST_REFUSE_GUEST_DEBUG=1
	sched_run ktvm_fifo --sched-arg error-after=100
	unset KTVM_TEST_REFUSE_GUEST_DEBUG
	expect_status 120 || return 0
	n=$(grep -c '^ktvm: sched_ext: the host refused the watchpoints: .*; polling the exit state every 100 ms instead$' "$err")
	[ "$n" -eq 1 ] || fail "$n lines 'ktvm: sched_ext: the host refused the watchpoints ...' (expected 1)" ||
		return 0
	sched_expect_err '^ktvm: sched_ext: caught SCX_EXIT_ERROR_BPF \(1025\) by polling' \
		"'ktvm: sched_ext: caught SCX_EXIT_ERROR_BPF (1025) by polling'" || return 0
	expect_json sched_ext.trigger poll || return 0
}

# A host with 2 hardware watchpoints (simulated, as many arm64 machines):
# slot 0 and one --watch fit, scx_root does not: the trigger polls; a
# second --watch is refused with status 2 before boot.
sched_two_slots_case() {
	sched_ready ktvm_fifo || return 0
	export KTVM_DEBUG_SLOTS=2
	sched_run ktvm_fifo --sched-arg normal --watch max_threads
	unset KTVM_DEBUG_SLOTS
	expect_status 0 || return 0
	sched_expect_err '^ktvm: sched_ext: polling the exit state every 100 ms \(no hardware watchpoint left for it \(this host has 2' \
		"'ktvm: sched_ext: polling ... (no hardware watchpoint left for it (this host has 2 ...'" ||
		return 0
	expect_json sched_ext.trigger poll || return 0
	expect_json sched_ext.state clean || return 0
	sched_expect_no_dump || return 0
	export KTVM_DEBUG_SLOTS=2
	sched_run ktvm_fifo --sched-arg normal --watch max_threads --watch nr_threads
	unset KTVM_DEBUG_SLOTS
	expect_status 2 || return 0
	sched_expect_err '^ktvm: --watch: this host has 2 hardware watchpoints for the guest .*at most 1 --watch' \
		"'ktvm: --watch: this host has 2 hardware watchpoints ... at most 1 --watch'" || return 0
}

# --watch-scx with a payload that runs the schedulers: ktvm_fifo attached
# and detached cleanly, then again failing; the trigger rebinds to the
# second scx_sched and catches only it.
sched_rebind_case() {
	sched_ready ktvm_fifo scx_seq || return 0
	ktvm_run run --kernel "$KERNEL_7_IMAGE" --cpus 2 --memory 512 --timeout 240 \
		--json "$json" --watch-scx --include "$SCHEDULERS/ktvm_fifo" \
		--env SCX_SEQ_LAST=error-after=50 -- "$PAYLOADS/scx_seq" 1 200 /bin/ktvm_fifo normal
	expect_status 120 || return 0
	grep -q '^scx_seq: 1 cycles$' "$out" || fail "no 'scx_seq: 1 cycles'" || return 0
	expect_json sched_ext.attaches 2 || return 0
	expect_json sched_ext.detaches 2 || return 0
	sched_expect_caught SCX_EXIT_ERROR_BPF || return 0
}

# 100 attach/detach cycles: 100 binds, no false dump.
sched_cycles_case() {
	sched_ready ktvm_fifo scx_seq || return 0
	ktvm_run run --kernel "$KERNEL_7_IMAGE" --cpus 2 --memory 512 --timeout 280 \
		--json "$json" --watch-scx --include "$SCHEDULERS/ktvm_fifo" \
		-- "$PAYLOADS/scx_seq" 100 0 /bin/ktvm_fifo normal
	expect_status 0 || return 0
	grep -q '^scx_seq: 100 cycles$' "$out" || fail "no 'scx_seq: 100 cycles'" || return 0
	expect_json sched_ext.attaches 100 || return 0
	expect_json sched_ext.detaches 100 || return 0
	expect_json sched_ext.failures 0 || return 0
	expect_json sched_ext.state clean || return 0
	sched_expect_no_dump || return 0
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
