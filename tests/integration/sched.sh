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
