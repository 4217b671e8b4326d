/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host-side monitor (monitor.h) reads of each CPU's struct rq and
 * of the task running there, from the guest kernel's BTF. Every field is
 * looked up by name; one this kernel does not have is marked absent, and
 * the monitor reports it so, it is never guessed. Names differ between
 * kernels: the fair class's runnable count is cfs.h_nr_running up to 6.13
 * and cfs.h_nr_queued from 6.14; sched_ext's per-rq state (rq.scx) exists
 * only with CONFIG_SCHED_CLASS_EXT.
 */
#ifndef KTVM_CORE_RUN_MONITOR_LAYOUT_H
#define KTVM_CORE_RUN_MONITOR_LAYOUT_H

#include "core/base/types.h"

struct btf;

/* A field: byte offset and size; size 0 when this kernel has no such field. */
struct monitor_field {
	u32 off, size;
};

enum monitor_fields {
	MF_RQ_CLOCK,	   /* rq.clock: u64 ns, advances while the CPU runs tasks */
	MF_RQ_NR_RUNNING,  /* rq.nr_running: runnable tasks, all classes */
	MF_RQ_CURR,	   /* rq.curr: the task_struct running now */
	MF_RQ_CFS_NR,	   /* rq.cfs.h_nr_running (or h_nr_queued) */
	MF_RQ_SCX_NR,	   /* rq.scx.nr_running */
	MF_RQ_SCX_FLAGS,   /* rq.scx.flags */
	MF_RQ_SCHED_COUNT, /* rq.sched_count (CONFIG_SCHEDSTATS) */
	MF_RQ_YLD_COUNT,   /* rq.yld_count (CONFIG_SCHEDSTATS) */
	MF_RQ_CPU,	   /* rq.cpu: checks that a per-CPU offset leads to that CPU's rq */
	MF_TASK_PID,	   /* task_struct.pid */
	MF_TASK_COMM,	   /* task_struct.comm */
	MF_COUNT,
};

struct monitor_layout {
	struct monitor_field f[MF_COUNT];
	u32 rq_size; /* sizeof(struct rq) */
};

/* The field's name as the result shows it ("rq.clock", "task_struct.comm"). */
const char *monitor_field_name(enum monitor_fields i);
/*
 * Fill lay from btf. 0; or -ENOENT with an input error when a field the
 * monitor cannot do without is missing (rq.clock, rq.nr_running, rq.curr,
 * task_struct.pid, task_struct.comm) or has a size it does not expect.
 */
int monitor_layout_get(const struct btf *btf, struct monitor_layout *lay);

#endif
