/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM setup as an explicit, ordered list of phases. phases_run() runs each
 * setup in order; if one fails it tears down, in reverse, exactly the phases
 * that completed, so a failed setup leaves nothing behind.
 */
#ifndef KTVM_CORE_PHASE_H
#define KTVM_CORE_PHASE_H

#include "core/base/types.h"

struct vm;

struct phase {
	const char *name;
	int (*setup)(struct vm *vm);
	void (*teardown)(struct vm *vm); /* may be NULL */
};

/*
 * Returns 0 with *done = n, or the failing phase's error with the rest
 * undone. ns, if not NULL, has n entries: each phase's setup time.
 */
int phases_run(struct vm *vm, const struct phase *phases, size_t n, size_t *done, u64 *ns);
/*
 * The same for one of several lists run in turn (or on two threads):
 * phases[0] is number first for phase_fail_at, so one number names one
 * phase of them all.
 */
int phases_run_at(struct vm *vm, const struct phase *phases, size_t n, size_t *done, u64 *ns,
		  size_t first);
/* Tears down phases[done-1] .. phases[0]. */
void phases_unwind(struct vm *vm, const struct phase *phases, size_t done);

/*
 * Test hook (tests/kvm/test_phases.c), -1 outside tests: phases_run() fails
 * the phase at this index with -EIO instead of running its setup, so the
 * unwinding of every prefix of the table can be checked. Set it only while
 * no VM is being built (a build thread reads it).
 */
extern int phase_fail_at;

#endif
