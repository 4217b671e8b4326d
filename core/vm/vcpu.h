/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU threads.
 *
 * Each vCPU runs KVM_RUN in its own thread. Other threads ask a vCPU to do
 * something (stop, park for a freeze, run the request hook that a subsystem
 * such as the debugger registered) by setting a request bit and kicking it
 * (core/vm/kick.h): KVM_RUN then returns EINTR, or does not enter the guest
 * at all, and the loop looks at its requests before running again.
 *
 * The loop handles the exits every VM needs (I/O and MMIO through the
 * buses, shutdown, reset, crashes); an exit reason a subsystem registered a
 * handler for (vm_set_exit_handler(), e.g. KVM_EXIT_DEBUG) goes to that
 * handler first, and what is left to the arch.
 */
#ifndef KTVM_CORE_VCPU_H
#define KTVM_CORE_VCPU_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/base/types.h"
#include "ktvm-arch.h"

struct vm;
struct kvm_run;

/* Indices into exit counters: KVM_EXIT_* values below this are counted. */
#define VCPU_EXIT_REASONS 64

enum vcpu_request {
	VCPU_REQ_STOP = 1u << 0,
	VCPU_REQ_PARK = 1u << 1, /* core/vm/freeze.h */
	VCPU_REQ_HOOK = 1u << 2, /* call the VM's request hook (vm_set_request_handler()) */
};

struct vcpu {
	struct vm *vm;
	u32 id;
	int fd;
	struct kvm_run *run;

	pthread_t thread;
	pthread_mutex_t thread_lock; /* guards thread_live against kicks */
	bool thread_live;
	bool thread_started;

	atomic_uint requests;
	atomic_bool in_loop;	      /* the thread runs its loop (core/vm/freeze.c counts them) */
	bool parked;		      /* in freeze_park(); under the VM's freeze lock */
	u64 exits[VCPU_EXIT_REASONS]; /* written only by the vCPU thread */
	struct arch_vcpu arch;
};

int vcpu_create(struct vm *vm, u32 id, struct vcpu *vcpu);
/*
 * Test hook (tests/kvm/test_phases.c), -1 outside tests: vcpu_create() of
 * this vCPU fails with -EIO, after the ones before it were made (and
 * handed on to be set up). Set it only while no VM is being built.
 */
extern int vcpu_fail_at;
void vcpu_destroy(struct vcpu *vcpu);
int vcpu_start(struct vcpu *vcpu);
/*
 * Instead of vcpu_start(): thread t, one of the caller's, runs vcpu by
 * calling vcpu_thread_run() (with KICK_SIGNAL blocked, as a new thread
 * starts); vcpu_join() and the kicks take it as vcpu_start()'s thread.
 */
void vcpu_adopt(struct vcpu *vcpu, pthread_t t);
void *vcpu_thread_run(struct vcpu *vcpu);
void vcpu_request(struct vcpu *vcpu, enum vcpu_request req);
void vcpu_kick(struct vcpu *vcpu);
/* Waits for the thread; returns true if it was running and is now joined. */
bool vcpu_join(struct vcpu *vcpu);
/* Like vcpu_join but gives up after timeout_ms; false if still running. */
bool vcpu_timedjoin(struct vcpu *vcpu, u64 timeout_ms);
const char *vcpu_exit_name(u32 reason);

#endif
