/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware data-write watchpoints on guest kernel memory, arch-neutral.
 *
 * Four slots: slot 0 is reserved for the scheduler-exit trigger, slots 1-3
 * take user requests. A slot watches 4 aligned bytes at a guest virtual
 * address, for writes only. The table is the host's wish; every vCPU
 * programs its own debug registers from a copy of it (struct watch_hw), on
 * its own thread, before its next KVM_RUN (the debugger's VCPU_REQ_HOOK,
 * debug.c), and says which generation it applied.
 *
 * Moving an armed slot to a new address takes two rounds: first the slot is
 * published disarmed; once every vCPU has applied that generation, the new
 * address is published. So no vCPU ever has the old address armed while
 * the table names the new one, and a hit is checked against the table
 * before it is reported (a vCPU whose copy is stale cannot report a slot the
 * table has since changed).
 *
 * A hit is {vcpu, slot, address, pc, value after the write}. The table keeps
 * the first WATCH_MAX_HITS in order and counts the rest.
 *
 * A slot may carry a value filter (watch_set_filter()): a hit whose value
 * after the write does not match is still recorded, but only logged, never
 * frozen on (the scheduler-exit trigger fires on error kinds, >= 1024, not
 * on the clean ones).
 */
#ifndef KTVM_CORE_WATCH_H
#define KTVM_CORE_WATCH_H

#include <pthread.h>

#include "core/base/types.h"

#define WATCH_SLOTS	 4
#define WATCH_SLOT_SCHED 0 /* the scheduler-exit trigger */
#define WATCH_SLOT_USER	 1 /* first user slot */
#define WATCH_LEN	 4 /* bytes watched */
#define WATCH_NAME_MAX	 96
#define WATCH_MAX_HITS	 4096
#define WATCH_MAX_VCPUS	 256

enum watch_action {
	WATCH_LOG,  /* record the hit, run on */
	WATCH_DUMP, /* record, freeze every vCPU, dump, resume */
	WATCH_STOP, /* record, freeze, dump, end the run */
};

/* What a vCPU programs: addr[i] is armed when bit i of mask is set. */
struct watch_hw {
	u64 addr[WATCH_SLOTS];
	u32 mask;
	u32 gen; /* the table generation this copy is of */
};

struct watch_hit {
	u32 vcpu, slot;
	u64 addr, pc;
	u32 value;     /* the 4 bytes after the write, little-endian */
	bool value_ok; /* false: the address could not be read */
	u64 t_ns;      /* clock_now_ns() */
};

/* When a hit's value lets its slot's action happen (watch_set_filter()). */
enum watch_filter {
	WATCH_FILTER_NONE, /* always */
	WATCH_FILTER_GE,   /* value >= filter_value (unsigned) */
	WATCH_FILTER_EQ,   /* value == filter_value */
};

struct watch_slot {
	u64 addr; /* guest virtual; 0: free */
	enum watch_action action;
	enum watch_filter filter;
	u32 filter_value;
	u64 filtered;		   /* hits the filter kept from acting */
	char name[WATCH_NAME_MAX]; /* for reports: "vm_swappiness", "0xffff...+4" */
};

struct watch_table {
	pthread_mutex_t lock;
	struct watch_slot slot[WATCH_SLOTS]; /* what is wanted */
	struct watch_hw pub;		     /* what vCPUs are told to program */
	u32 moving; /* slots published disarmed on the way to slot[].addr */
	u32 nr_vcpus;
	u32 applied[WATCH_MAX_VCPUS]; /* the generation each vCPU programmed */
	struct watch_hit hits[WATCH_MAX_HITS];
	u32 nr_hits;
	u64 hits_dropped; /* past WATCH_MAX_HITS */
	u64 hits_stale;	  /* from a vCPU whose copy the table had moved past */
};

void watch_init(struct watch_table *t, u32 nr_vcpus);
/*
 * watch_init() of a table already zeroed (calloc): the table is 160 KiB,
 * and zeroing it again faults in 40 pages (about 50 us of setup).
 */
void watch_init_zeroed(struct watch_table *t, u32 nr_vcpus);
void watch_destroy(struct watch_table *t);
/* 0, or -EINVAL with an input error naming the address: 0 or not 4-aligned. */
int watch_check_addr(u64 addr);

/*
 * Arm slot at addr (or move it there), or disarm it (addr 0). Returns 1
 * when the published table changed (every vCPU must be asked to re-program:
 * VCPU_REQ_HOOK), 0 when nothing changed, or a negative errno with an
 * input error set (bad slot or address).
 */
int watch_set(struct watch_table *t, u32 slot, u64 addr, enum watch_action action,
	      const char *name);
/*
 * Give slot a value filter (it stays over watch_set() moves until changed
 * here): a hit that does not match, or whose value could not be read, acts
 * as WATCH_LOG. 0, or -EINVAL with an input error (bad slot or filter).
 */
int watch_set_filter(struct watch_table *t, u32 slot, enum watch_filter f, u32 value);
/* Does value (value_ok: it could be read) pass filter f with value fv? */
bool watch_filter_match(enum watch_filter f, u32 fv, u32 value, bool value_ok);

/* The published copy a vCPU is to program now. */
void watch_get(struct watch_table *t, struct watch_hw *hw);
/*
 * vCPU vcpu programmed generation gen. Returns 1 when that completed a
 * disarm round and the moved slots' new addresses are now published (ask
 * every vCPU to re-program again), else 0.
 */
int watch_applied(struct watch_table *t, u32 vcpu, u32 gen);
/*
 * Record a hit that vCPU hit->vcpu took on slot hit->slot with its copy hw.
 * Returns the slot's action (WATCH_LOG when its filter does not match the
 * value), or -ESTALE when the table no longer arms that slot at that
 * address (the hit is counted in hits_stale, not recorded).
 */
int watch_hit(struct watch_table *t, const struct watch_hw *hw, const struct watch_hit *hit);
/* A copy of slot's current settings. */
void watch_slot_get(struct watch_table *t, u32 slot, struct watch_slot *out);

const char *watch_action_name(enum watch_action a);

/* One --watch request: SYMBOL[+OFFSET] or an address, and what a hit does. */
struct watch_spec {
	char sym[WATCH_NAME_MAX]; /* "": addr is the address */
	u64 addr;		  /* the address; with sym, from a symbols file (0: none) */
	u64 offset;
	enum watch_action action;
	char label[WATCH_NAME_MAX]; /* as the user wrote it, for reports */
};

/*
 * Parse "SYMBOL[+OFFSET][:log|dump|stop]" or "0xADDR[:...]" (OFFSET decimal
 * or 0x hex). 0, or -EINVAL with an input error naming the spec.
 */
int watch_spec_parse(struct watch_spec *w, const char *s);
/*
 * The SYMBOL[+OFFSET] or ADDRESS[+OFFSET] in [s, end): symbol into sym
 * ("" for an address), address, offset. 0 or -EINVAL with an input error
 * naming opt and spec.
 */
int watch_target_parse(const char *opt, const char *spec, const char *s, const char *end,
		       char sym[WATCH_NAME_MAX], u64 *addr, u64 *offset);

#endif
