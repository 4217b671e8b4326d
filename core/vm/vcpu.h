/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU threads.
 *
 * Each vCPU runs KVM_RUN in its own thread. Other threads ask a vCPU to do
 * something (stop, park for a freeze, re-program its watchpoints) by
 * setting a request bit and kicking it: the kick
 * sends SIGRTMIN to the thread, whose handler sets immediate_exit in the
 * thread's own kvm_run (reached through a thread-local pointer that the
 * thread clears before it unmaps kvm_run, so a late signal never writes to a
 * mapping that is gone). KVM_RUN then returns EINTR, or does not enter the
 * guest at all, and the loop looks at its requests before running again.
 */
#ifndef KTVM_CORE_VCPU_H
#define KTVM_CORE_VCPU_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/base/types.h"
#include "core/debug/watch.h"
#include "ktvm-arch.h"

struct vm;
struct kvm_run;

/* Indices into exit counters: KVM_EXIT_* values below this are counted. */
#define VCPU_EXIT_REASONS 64

enum vcpu_request {
	VCPU_REQ_STOP = 1u << 0,
	VCPU_REQ_PARK = 1u << 1,  /* core/vm/freeze.h */
	VCPU_REQ_WATCH = 1u << 2, /* program the published watchpoints (core/debug/watch.h) */
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
	u64 exits[VCPU_EXIT_REASONS]; /* written only by the vCPU thread */
	struct watch_hw watch;	      /* the watchpoints this vCPU programmed */
	struct arch_vcpu arch;
};

/*
 * Install the kick signal's handler (SIGRTMIN, no SA_RESTART), once per
 * process. Other threads that must be interruptible (the I/O thread) use it.
 */
int vcpu_signal_setup(void);
int vcpu_create(struct vm *vm, u32 id, struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);
int vcpu_start(struct vcpu *vcpu);
void vcpu_request(struct vcpu *vcpu, enum vcpu_request req);
void vcpu_kick(struct vcpu *vcpu);
/* Waits for the thread; returns true if it was running and is now joined. */
bool vcpu_join(struct vcpu *vcpu);
/* Like vcpu_join but gives up after timeout_ms; false if still running. */
bool vcpu_timedjoin(struct vcpu *vcpu, u64 timeout_ms);
const char *vcpu_exit_name(u32 reason);

#endif
