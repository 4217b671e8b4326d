/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Freezing every vCPU at a rendezvous, so the guest's state can be read as
 * it was at one moment (a watchpoint hit, a snapshot request).
 *
 * freeze_all() sets VCPU_REQ_PARK on every vCPU but the caller's own and
 * kicks them; each leaves KVM_RUN (the kick makes it return EINTR, from a
 * halted vCPU too) and parks in freeze_park() until freeze_thaw(). While
 * parked, no vCPU is inside KVM_RUN, so the freezer may issue vCPU ioctls
 * (registers) on any of them and read guest memory that none is changing.
 * One freeze at a time: a vCPU that wants to freeze while another freeze is
 * on parks first (or it would deadlock with the freezer waiting for it).
 * Only a bounded freeze (freeze_all_bounded()) may, after its wait, join
 * the freeze that is on instead; that freeze then ends with the last thaw.
 */
#ifndef KTVM_CORE_FREEZE_H
#define KTVM_CORE_FREEZE_H

#include <pthread.h>

#include "core/base/types.h"

struct vm;
struct vcpu;

struct freeze {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	/*
	 * How many must thaw before the vCPUs run: 0 while not frozen, else
	 * the freezer and a bounded freeze that joined it. While frozen, the
	 * freezing vCPU (NULL: not a vCPU's thread) and its thread, which
	 * parks when it thaws first.
	 */
	u32 holders;
	struct vcpu *owner;
	pthread_t owner_thread;
	u32 parked;  /* vCPUs in freeze_park() */
	u64 joins;   /* bounded freezes that joined another */
	u64 freezes; /* completed rendezvous */
	u64 last_ns; /* how long the last rendezvous took */
	u64 max_ns;
};

void freeze_init(struct freeze *fz);
void freeze_destroy(struct freeze *fz);
/*
 * Park every vCPU but self (NULL: called from a thread that is not a
 * vCPU's) and wait up to timeout_ms until they are parked (counted from
 * the end of any other freeze it had to wait for). 0; -ETIMEDOUT
 * (error set, naming how many parked) -- the freeze stays on and must still
 * be thawed; -ECANCELED when the VM is stopping.
 */
int freeze_all(struct vm *vm, struct vcpu *self, u64 timeout_ms);
/*
 * freeze_all() from a thread that is not a vCPU's, where waiting for
 * another freeze to end (a dump, a watchpoint holding the guest) may not
 * take longer than wait_ms: it then joins that freeze instead
 * (FREEZE_JOINED), which from then on lasts until both have thawed; a
 * vCPU that froze it and thaws first parks with the others. The vCPUs
 * have timeout_ms to park once this freeze begins or joins (in
 * freeze_all() too). 0 or FREEZE_JOINED; -ETIMEDOUT and -ECANCELED as
 * freeze_all(). For a lease break, which the kernel ends by force after
 * lease-break-time.
 */
#define FREEZE_JOINED 1
int freeze_all_bounded(struct vm *vm, u64 wait_ms, u64 timeout_ms);
/* One holder's end of the freeze: the vCPUs run once the last one thaws. */
void freeze_thaw(struct vm *vm);
/* On a vCPU's thread, for VCPU_REQ_PARK: wait while the VM is frozen. */
void freeze_park(struct vcpu *vcpu);

#endif
