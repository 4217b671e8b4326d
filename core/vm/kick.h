/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kicking a thread out of a blocking call: KVM_RUN on a vCPU thread, or a
 * system call a handler of the I/O thread blocks in.
 *
 * The kick is KICK_SIGNAL (SIGRTMIN) sent to the thread, installed without
 * SA_RESTART so the blocking call returns EINTR. A vCPU thread also binds
 * its kvm_run: the handler then sets immediate_exit in it, so a kick that
 * lands just before KVM_RUN makes KVM_RUN return at once instead of
 * entering the guest (KVM API, "immediate_exit"). The binding is thread
 * local and cleared before kvm_run is unmapped, so a late signal never
 * writes to a mapping that is gone.
 */
#ifndef KTVM_CORE_VM_KICK_H
#define KTVM_CORE_VM_KICK_H

#include <pthread.h>
#include <signal.h>

#define KICK_SIGNAL SIGRTMIN

struct kvm_run;

/* Install the handler, once per process: 0, or a negative errno with a host error set. */
int kick_setup(void);
/* On the thread to be kicked: the kvm_run whose immediate_exit a kick sets (NULL: none). */
void kick_bind(struct kvm_run *run);
/* Let KICK_SIGNAL reach the calling thread (threads start with it blocked). */
void kick_unblock(void);
/* Block KICK_SIGNAL on the calling thread; the old mask goes to old. */
void kick_block(sigset_t *old);

#endif
