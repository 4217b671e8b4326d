/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debugger: watchpoints on a running VM, freezes and state dumps. It
 * plugs into the runtime through its hooks (core/vm/vm.h struct vm_hooks),
 * as gdb does in Firecracker: the runtime knows nothing of it.
 *
 *   debug_attach()  after vm_create(), before vm_run(): registers the
 *                   KVM_EXIT_DEBUG handler, the VCPU_REQ_HOOK handler (every
 *                   vCPU programs the published watchpoint slots on its own
 *                   thread) and the before-end hook (a run that times out or
 *                   panics is frozen and dumped when a dump directory is set).
 *   debug_detach()  after vm_run(), before vm_destroy().
 *
 * A KVM_EXIT_DEBUG that the arch reports as a completed hit is recorded with
 * the value now in guest memory, and, by the slot's action, the VM is frozen
 * (core/vm/freeze.h) and dumped (core/debug/dump.h), then resumed or
 * stopped. The arch side is core/debug/arch.h.
 */
#ifndef KTVM_CORE_DEBUG_DEBUG_H
#define KTVM_CORE_DEBUG_DEBUG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

#include "core/base/types.h"
#include "core/debug/dump.h"
#include "core/debug/watch.h"

struct vm;
struct vcpu;

#define DEBUG_FREEZE_TIMEOUT_MS 5000

struct debug_config {
	const char *dump_dir;		   /* where dumps go (NULL: "."); also turns on end dumps */
	u64 freeze_timeout_ms;		   /* 0: DEBUG_FREEZE_TIMEOUT_MS */
	const struct dump_region *regions; /* --dump-mem (core/debug/dump.h), copied */
	u32 nr_regions;
};

/*
 * Called on the hitting vCPU's thread for each recorded hit on a slot that
 * has one (debug_slot_hook()), after the table gave action (WATCH_LOG when
 * the slot's filter kept it from acting); returns the action to take. It
 * may read guest memory through the vCPU (gva_read()) and re-arm slots.
 */
typedef int (*debug_hit_fn)(void *ctx, struct vcpu *vcpu, const struct watch_hit *hit, int action);
/* Adds ",\n  \"KEY\": ..." members to a dump, with every vCPU frozen (self: a stopped one). */
typedef void (*debug_dump_fn)(void *ctx, FILE *f, struct vcpu *self);
#define DEBUG_DUMP_HOOKS 4

struct vm_debug {
	struct vm *vm;
	struct debug_config cfg;
	struct watch_table watch;
	struct watch_hw *hw;	    /* per vCPU: the slots it programmed last */
	atomic_uint dumps;	    /* the number of the last dump file written */
	atomic_uint dumps_tried;    /* dump_write() tries, up to DUMP_MAX_PER_RUN */
	atomic_bool dump_cap_noted; /* the cap was said (error_warn()) */
	atomic_uint dumps_written;
	/* --dump-mem; symbols get their address when the guest reports them (agent.c). */
	struct dump_region regions[DUMP_MAX_REGIONS];
	u32 nr_regions;
	struct {
		debug_hit_fn fn;
		void *ctx;
	} hook[WATCH_SLOTS];
	struct {
		_Atomic(debug_dump_fn)
		    fn; /* published after ctx: hooks are added while vCPUs dump */
		void *ctx;
	} dump_extra[DEBUG_DUMP_HOOKS];
	u32 nr_slots; /* hardware watchpoints this host has (arch_debug_slots()) */
	/*
	 * Called on a vCPU's thread when KVM_SET_GUEST_DEBUG fails: true when
	 * the owner of the armed slots gave them up (they are disarmed in the
	 * table), so the run goes on; false ends it (debug_refused_hook()).
	 */
	bool (*refused)(void *ctx, struct vcpu *vcpu, const char *why);
	void *refused_ctx;
	bool test_refuse; /* KTVM_TEST_REFUSE_GUEST_DEBUG=1: every arming fails */
	/* debug_vcpu_call(): one call at a time, run by its vCPU under mu */
	struct {
		pthread_mutex_t serial, mu;
		pthread_cond_t cond;
		int (*fn)(void *ctx, struct vcpu *vcpu);
		void *ctx;
		u32 vcpu;
		bool done;
		int ret;
	} call;
};

/*
 * Attach a debugger to vm (vm->debug points to it). 0, or a negative errno
 * with an error set: -ENOTSUP when the arch has no debug support
 * (core/debug/arch.h), -ENOMEM.
 */
int debug_attach(struct vm_debug **out, struct vm *vm, const struct debug_config *cfg);
void debug_detach(struct vm_debug *d);

/*
 * Arm slot at guest virtual address gva (0: disarm) and ask every vCPU to
 * re-program. 0, or a negative errno with an input error set (-ENOSPC: a
 * slot this host does not have).
 */
int debug_watch_set(struct vm_debug *d, u32 slot, u64 gva, enum watch_action action,
		    const char *name);
/* Call fn for slot's hits (NULL: none). Set before the slot is armed. */
void debug_slot_hook(struct vm_debug *d, u32 slot, debug_hit_fn fn, void *ctx);
/*
 * Run fn(ctx, vcpu) on vCPU id's own thread before its next KVM_RUN (it
 * is kicked out of the guest), e.g. to read guest memory through its page
 * tables from another thread. Waits up to timeout_ms: fn's return, or
 * -ETIMEDOUT (fn will not run after this returns), -ECANCELED when the run
 * is ending, -EINVAL for a bad id.
 */
int debug_vcpu_call(struct vm_debug *d, u32 id, int (*fn)(void *ctx, struct vcpu *vcpu), void *ctx,
		    u64 timeout_ms);
/* Ask fn what to do when the host refuses KVM_SET_GUEST_DEBUG (see struct vm_debug). */
void debug_refused_hook(struct vm_debug *d,
			bool (*fn)(void *ctx, struct vcpu *vcpu, const char *why), void *ctx);
/*
 * Add fn's members to every dump, after those of the hooks added before
 * (the sched_ext trigger's, the monitor's): at most DEBUG_DUMP_HOOKS
 * (-ENOSPC), never removed. May be called while the vCPUs run (from one
 * thread at a time), so a hook's ctx must outlive the VM or tell from its
 * own state that it is gone.
 */
int debug_dump_hook(struct vm_debug *d, debug_dump_fn fn, void *ctx);

/*
 * Wait up to timeout_ms until every running vCPU programmed the published
 * slots: 0, -ETIMEDOUT, or -ECANCELED when the run is ending.
 */
int debug_watch_wait_armed(struct vm_debug *d, u64 timeout_ms);
/*
 * Freeze every vCPU but self (NULL: the caller is no vCPU) and write a dump
 * tagged tag, for hit (NULL: none); what fails is said through
 * error_warn(). The vCPUs stay frozen: the caller thaws or ends the run.
 * -ECANCELED when the run is ending (nothing written), else 0.
 */
int debug_freeze_dump(struct vm_debug *d, struct vcpu *self, const char *tag,
		      const struct watch_hit *hit);
/* The same, and the dump's path in path (size bytes; "" when none was written). */
int debug_freeze_dump_to(struct vm_debug *d, struct vcpu *self, const char *tag,
			 const struct watch_hit *hit, char *path, size_t size);
/*
 * Freeze (as debug_freeze_dump()) and, with the vCPUs stopped, the caller
 * goes on; debug_thaw() resumes them.
 */
void debug_thaw(struct vm_debug *d);

#endif
