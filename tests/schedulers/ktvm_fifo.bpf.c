/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktvm_fifo: ktvm's fixture sched_ext scheduler, the BPF side.
 *
 * One global FIFO: every task that becomes runnable goes to the tail of one
 * shared dispatch queue (DSQ), and a CPU that needs work takes the task at
 * its head. Each such move to a CPU is a "dispatch", counted per CPU in
 * dispatched[] (read by the loader, ktvm_fifo.c, at exit).
 *
 * The loader picks a test mode by setting the rodata below before load:
 *   error_after  call scx_bpf_error() at the Nth dispatch (the kernel then
 *                ends the scheduler with SCX_EXIT_ERROR_BPF)
 *   stall_pid,   never dispatch the matching task, so the kernel's watchdog
 *   stall_comm   ends the scheduler with SCX_EXIT_ERROR_STALL once it has
 *                waited ops.timeout_ms (set by the loader)
 * and for "reject" it plugs ktvm_fifo_dispatch_reject in as ops.dispatch:
 * a program the verifier refuses, so loading fails.
 *
 * The API is the sched_ext of Linux 7.x (tools/sched_ext/include/scx in the
 * kernel tree this is built with): scx_bpf_dsq_insert(),
 * scx_bpf_dsq_move_to_local(), UEI_* for the exit information.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

/* The shared queue; IDs below 2^63 are the scheduler's own (SCX_DSQ_FLAG_BUILTIN). */
#define KTVM_FIFO_DSQ 0

const volatile u64 error_after;	    /* 0: never */
const volatile s32 stall_pid;	    /* 0: none */
const volatile char stall_comm[16]; /* TASK_COMM_LEN; "": none */

/* Every dispatch on any CPU, for error_after. */
u64 nr_dispatched;

UEI_DEFINE(uei);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} dispatched SEC(".maps");

/* Called on the CPU that gets the task: the per-CPU slot is that CPU's. */
static void ktvm_fifo_count_dispatch(void)
{
	u32 zero = 0;
	u64 *cnt, n;

	cnt = bpf_map_lookup_elem(&dispatched, &zero);
	if (cnt)
		(*cnt)++;

	n = __sync_add_and_fetch(&nr_dispatched, 1);
	/* Exactly once: only one caller sees the count reach error_after. */
	if (error_after && n == error_after)
		scx_bpf_error("error-after=%llu: %llu dispatches", error_after, n);
}

static bool ktvm_fifo_is_stalled(const struct task_struct *p)
{
	int i;

	if (stall_pid)
		return p->pid == stall_pid;
	if (!stall_comm[0])
		return false;
	for (i = 0; i < sizeof(stall_comm); i++) {
		if (p->comm[i] != stall_comm[i])
			return false;
		if (!stall_comm[i])
			break;
	}
	return true;
}

/*
 * Without ops.select_cpu the kernel's default would insert a waking task
 * straight into an idle CPU's local DSQ, past ops.enqueue: no count, no stall.
 * The default CPU choice is kept; the task still goes through ops.enqueue.
 */
s32 BPF_STRUCT_OPS(ktvm_fifo_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;

	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

void BPF_STRUCT_OPS(ktvm_fifo_enqueue, struct task_struct *p, u64 enq_flags)
{
	/*
	 * A stalled task is never inserted anywhere: it stays runnable and
	 * waiting until the watchdog notices (kernel/sched/ext: "failed to run
	 * for N s").
	 */
	if (ktvm_fifo_is_stalled(p))
		return;

	/*
	 * SCX_OPS_ENQ_LAST (below) sends us the CPU's only runnable task when
	 * its slice ends, which the kernel would otherwise keep running without
	 * asking: a CPU-bound stall target would never be seen. Keep it on
	 * this CPU, as the kernel would have, and count it.
	 */
	if (enq_flags & SCX_ENQ_LAST) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
		ktvm_fifo_count_dispatch();
		return;
	}

	scx_bpf_dsq_insert(p, KTVM_FIFO_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(ktvm_fifo_dispatch, s32 cpu, struct task_struct *prev)
{
	if (scx_bpf_dsq_move_to_local(KTVM_FIFO_DSQ, 0))
		ktvm_fifo_count_dispatch();
}

/*
 * The "reject" mode's ops.dispatch. The map value is one u64 (8 bytes) and
 * this writes the u64 after it, on purpose: the verifier refuses the program
 * ("invalid access to map value, value_size=8 off=8 size=8"), so the
 * scheduler cannot load. Not loaded in the other modes.
 */
void BPF_STRUCT_OPS(ktvm_fifo_dispatch_reject, s32 cpu, struct task_struct *prev)
{
	u32 zero = 0;
	u64 *cnt;

	cnt = bpf_map_lookup_elem(&dispatched, &zero);
	if (cnt)
		cnt[1]++; /* out of bounds: the point of this program */
}

s32 BPF_STRUCT_OPS_SLEEPABLE(ktvm_fifo_init)
{
	s32 ret;

	ret = scx_bpf_create_dsq(KTVM_FIFO_DSQ, -1);
	if (ret)
		scx_bpf_error("creating DSQ %d failed (%d)", KTVM_FIFO_DSQ, ret);
	return ret;
}

void BPF_STRUCT_OPS(ktvm_fifo_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

/* One callback a line. */
/* clang-format off */
SCX_OPS_DEFINE(ktvm_fifo_ops,
	       .select_cpu = (void *)ktvm_fifo_select_cpu,
	       .enqueue = (void *)ktvm_fifo_enqueue,
	       .dispatch = (void *)ktvm_fifo_dispatch,
	       .init = (void *)ktvm_fifo_init,
	       .exit = (void *)ktvm_fifo_exit,
	       .flags = SCX_OPS_ENQ_LAST,
	       .name = "ktvm_fifo");
/* clang-format on */
