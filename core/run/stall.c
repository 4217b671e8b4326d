// SPDX-License-Identifier: GPL-2.0
/* Stall verdicts over a CPU's samples (stall.h). */
#include <string.h>

#include "core/run/stall.h"

const char *stall_kind_name(enum stall_kind k)
{
	switch (k) {
	case STALL_CLOCK:
		return "clock";
	case STALL_CURR:
		return "curr";
	default:
		return "none";
	}
}

int stall_feed(struct stall_cpu *c, const struct stall_sample *s, u64 after_ns,
	       struct stall_event *ev)
{
	bool clock_stuck, curr_stuck;
	enum stall_kind kind = STALL_NONE;
	u64 since = 0;

	if (!s->usable)
		return 0;
	if (!c->have) {
		/* (Again) a first sample: runs before a pause do not carry over. */
		c->have = true;
		c->clock_since_ns = c->curr_since_ns = 0;
		c->clock = s->clock;
		c->pid = s->curr_pid;
		c->t_ns = s->t_ns;
		return 0;
	}
	/* The idle task current with work queued (a BPF scheduler holding it) is no hung CPU. */
	clock_stuck = s->nr_running >= 1 && s->clock == c->clock && s->curr_pid != 0;
	curr_stuck = s->nr_running > 1 && s->curr_pid >= 0 && s->curr_pid == c->pid;
	/*
	 * A run starts at the previous sample: the clock had this value, the
	 * task was current, from there on (its start lies within one interval).
	 */
	if (!clock_stuck)
		c->clock_since_ns = 0;
	else if (!c->clock_since_ns)
		c->clock_since_ns = c->t_ns;
	if (!curr_stuck)
		c->curr_since_ns = 0;
	else if (!c->curr_since_ns)
		c->curr_since_ns = c->t_ns;
	c->clock = s->clock;
	c->pid = s->curr_pid;
	c->t_ns = s->t_ns;

	/* A stall in progress ends when its condition does, not when its run starts over. */
	if (c->now != STALL_NONE) {
		if (c->now == STALL_CLOCK ? clock_stuck : curr_stuck)
			return 0;
		ev->kind = c->now;
		ev->since_ns = c->now_since_ns;
		c->now = STALL_NONE;
		return -1;
	}
	if (c->clock_since_ns && s->t_ns - c->clock_since_ns >= after_ns) {
		kind = STALL_CLOCK;
		since = c->clock_since_ns;
	} else if (c->curr_since_ns && s->t_ns - c->curr_since_ns >= after_ns) {
		kind = STALL_CURR;
		since = c->curr_since_ns;
	}
	if (kind != STALL_NONE) {
		c->now = kind;
		c->now_since_ns = since;
		ev->kind = kind;
		ev->since_ns = since;
		return 1;
	}
	return 0;
}
