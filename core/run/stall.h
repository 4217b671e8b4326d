/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stall verdicts over one CPU's samples (the monitor, monitor.h), as pure
 * functions so that synthetic sample streams can test them:
 *
 *   clock  the runqueue has work (nr_running >= 1) but rq->clock does not
 *          advance: the CPU stopped scheduling (interrupts off, a hung
 *          vCPU). An idle CPU's clock may stand still (NOHZ): not a stall.
 *   curr   more than one task is runnable (nr_running > 1) but the same
 *          task stays current: the others starve (a SCHED_FIFO spinner
 *          with RT throttling off, a scheduler that never preempts).
 *
 * Either must last longer than after_ns to be a stall. A stall is reported
 * once, when it passes that length, and ends when the condition does.
 * Samples marked unusable (torn, unreadable) neither start nor end one.
 */
#ifndef KTVM_CORE_RUN_STALL_H
#define KTVM_CORE_RUN_STALL_H

#include "core/base/types.h"

enum stall_kind {
	STALL_NONE,
	STALL_CLOCK,
	STALL_CURR,
};

/* What one CPU looked like at one sample. */
struct stall_sample {
	u64 t_ns;  /* when it was taken (host clock) */
	u64 clock; /* rq->clock */
	u32 nr_running;
	s32 curr_pid; /* -1: unknown */
	bool usable;
};

struct stall_cpu {
	bool have;	    /* a usable sample was seen */
	u64 clock;	    /* the last usable sample's rq->clock */
	s32 pid;	    /* and its current task */
	u64 t_ns;	    /* and when it was taken */
	u64 clock_since_ns; /* start of a run of samples with work and a clock standing still; 0: none */
	u64 curr_since_ns;   /* start of a run with nr_running > 1 and the same curr; 0: none */
	enum stall_kind now; /* the stall in progress (reported), or STALL_NONE */
	u64 now_since_ns;
};

/* A stall passing its threshold: which kind, and since when (the first sample of it). */
struct stall_event {
	enum stall_kind kind;
	u64 since_ns;
};

const char *stall_kind_name(enum stall_kind k);
/*
 * Feed the next sample. Returns 1 and fills *ev when a stall is declared
 * now, -1 when the stall in progress ended (*ev: which one), else 0.
 */
int stall_feed(struct stall_cpu *c, const struct stall_sample *s, u64 after_ns,
	       struct stall_event *ev);

#endif
