// SPDX-License-Identifier: GPL-2.0
/* The debugger on a running VM (debug.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "core/base/clock.h"
#include "core/base/endian.h"
#include "core/base/error.h"
#include "core/base/testpoint.h"
#include "core/debug/arch.h"
#include "core/debug/debug.h"
#include "core/debug/dump.h"
#include "core/debug/gva.h"
#include "core/vm/freeze.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"

int debug_watch_set(struct vm_debug *d, u32 slot, u64 gva, enum watch_action action,
		    const char *name)
{
	int ret;

	if (gva && slot >= d->nr_slots)
		return error_input(-ENOSPC,
				   "watch slot %u: this host has %u hardware watchpoints for the "
				   "guest",
				   slot, d->nr_slots);
	ret = watch_set(&d->watch, slot, gva, action, name);

	if (ret > 0)
		vm_request_all(d->vm, VCPU_REQ_HOOK);
	return ret < 0 ? ret : 0;
}

int debug_watch_wait_armed(struct vm_debug *d, u64 timeout_ms)
{
	struct vm *vm = d->vm;
	u64 deadline = clock_now_ns() + timeout_ms * 1000000ULL;

	for (;;) {
		bool all;

		pthread_mutex_lock(&d->watch.lock);
		all = !d->watch.moving;
		for (u32 i = 0; i < vm->cfg.nr_cpus && i < WATCH_MAX_VCPUS; i++)
			if (atomic_load(&vm->vcpus[i].in_loop) &&
			    (s32)(d->watch.applied[i] - d->watch.pub.gen) < 0)
				all = false;
		pthread_mutex_unlock(&d->watch.lock);
		if (all)
			return 0;
		if (vm_stopping(vm))
			return -ECANCELED;
		if (clock_now_ns() >= deadline)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

/* VCPU_REQ_HOOK, on the vCPU's thread: program the published slots. */
static int debug_apply(void *ctx, struct vcpu *vcpu)
{
	struct vm_debug *d = ctx;
	struct watch_hw hw;
	int ret;

	watch_get(&d->watch, &hw);
	/* A request for a debug_vcpu_call() only: the table did not change. */
	if (hw.gen != d->hw[vcpu->id].gen) {
		/* Nothing armed before or now: no need to ask the host. */
		if (!hw.mask && !d->hw[vcpu->id].mask)
			ret = 0;
		else if (d->test_refuse && hw.mask)
			ret = error_host(-EINVAL, "KVM_SET_GUEST_DEBUG: refused "
						  "(KTVM_TEST_REFUSE_GUEST_DEBUG=1)");
		else
			ret = arch_vcpu_set_watch(vcpu, &hw);
		if (ret < 0 && d->refused && d->refused(d->refused_ctx, vcpu, error_msg())) {
			/* The slots were given up: this vCPU applies the next table. */
			vm_request_all(d->vm, VCPU_REQ_HOOK);
			goto calls;
		}
		if (ret < 0) {
			vm_stop(d->vm, VM_END_ERROR, "vcpu %u: %s", vcpu->id, error_msg());
			return ret;
		}
		d->hw[vcpu->id] = hw;
		if (watch_applied(&d->watch, vcpu->id, hw.gen))
			vm_request_all(d->vm, VCPU_REQ_HOOK);
	}
calls:
	pthread_mutex_lock(&d->call.mu);
	if (d->call.fn && d->call.vcpu == vcpu->id && !d->call.done) {
		d->call.ret = d->call.fn(d->call.ctx, vcpu);
		d->call.done = true;
		pthread_cond_broadcast(&d->call.cond);
	}
	pthread_mutex_unlock(&d->call.mu);
	return 0;
}

int debug_vcpu_call(struct vm_debug *d, u32 id, int (*fn)(void *ctx, struct vcpu *vcpu), void *ctx,
		    u64 timeout_ms)
{
	struct timespec until = clock_realtime_after_ms(timeout_ms);
	int ret = 0;

	if (id >= d->vm->cfg.nr_cpus)
		return -EINVAL;
	pthread_mutex_lock(&d->call.serial);
	pthread_mutex_lock(&d->call.mu);
	d->call.fn = fn;
	d->call.ctx = ctx;
	d->call.vcpu = id;
	d->call.done = false;
	pthread_mutex_unlock(&d->call.mu);
	vcpu_request(&d->vm->vcpus[id], VCPU_REQ_HOOK);
	pthread_mutex_lock(&d->call.mu);
	while (!d->call.done && ret == 0 && !vm_stopping(d->vm))
		ret = pthread_cond_timedwait(&d->call.cond, &d->call.mu, &until);
	if (d->call.done)
		ret = d->call.ret;
	else
		ret = vm_stopping(d->vm) ? -ECANCELED : -ETIMEDOUT;
	d->call.fn = NULL;
	pthread_mutex_unlock(&d->call.mu);
	pthread_mutex_unlock(&d->call.serial);
	return ret;
}

void debug_slot_hook(struct vm_debug *d, u32 slot, debug_hit_fn fn, void *ctx)
{
	if (slot >= WATCH_SLOTS)
		return;
	d->hook[slot].fn = fn;
	d->hook[slot].ctx = ctx;
}

void debug_refused_hook(struct vm_debug *d,
			bool (*fn)(void *ctx, struct vcpu *vcpu, const char *why), void *ctx)
{
	d->refused = fn;
	d->refused_ctx = ctx;
}

int debug_dump_hook(struct vm_debug *d, debug_dump_fn fn, void *ctx)
{
	for (u32 i = 0; i < DEBUG_DUMP_HOOKS; i++)
		if (!atomic_load(&d->dump_extra[i].fn)) {
			d->dump_extra[i].ctx = ctx;
			atomic_store_explicit(&d->dump_extra[i].fn, fn, memory_order_release);
			return 0;
		}
	return -ENOSPC;
}

int debug_freeze_dump_to(struct vm_debug *d, struct vcpu *self, const char *tag,
			 const struct watch_hit *hit, char *path, size_t size)
{
	int ret = freeze_all(d->vm, self, d->cfg.freeze_timeout_ms);

	if (path && size)
		path[0] = '\0';
	if (ret == -ECANCELED)
		return ret;
	if (ret < 0)
		error_warn("%s; dumping what can be read", error_msg());
	else
		testpoint("frozen");
	ret = dump_write(d, self, tag, hit, path, size);
	if (ret < 0 && ret != -EDQUOT)
		error_warn("dump: %s", error_msg());
	return 0;
}

int debug_freeze_dump(struct vm_debug *d, struct vcpu *self, const char *tag,
		      const struct watch_hit *hit)
{
	return debug_freeze_dump_to(d, self, tag, hit, NULL, 0);
}

void debug_thaw(struct vm_debug *d)
{
	freeze_thaw(d->vm);
}

/* Freeze every vCPU, dump, thaw; with stop, end the run instead of thawing. */
static int debug_hit_dump(struct vm_debug *d, struct vcpu *vcpu, const struct watch_hit *hit,
			  bool stop)
{
	struct watch_slot s;
	char tag[WATCH_NAME_MAX + 16];

	watch_slot_get(&d->watch, hit->slot, &s);
	if (!stop && dump_refused(d))
		return 0;
	snprintf(tag, sizeof(tag), "watch-%s", s.name[0] ? s.name : "addr");
	if (debug_freeze_dump(d, vcpu, tag, hit) == -ECANCELED)
		return 1;
	if (stop) {
		/*
		 * No thaw: the parked vCPUs leave on their STOP request, so the
		 * guest does not run past the state just dumped.
		 */
		vm_stop(d->vm, VM_END_WATCH, "watchpoint %s hit on vcpu %u", s.name, vcpu->id);
		return 1;
	}
	freeze_thaw(d->vm);
	return 0;
}

/* The before-end hook: a failed guest is dumped as it is (debug.h). */
static void debug_end(void *ctx, struct vm *vm, const char *why)
{
	struct vm_debug *d = ctx;

	if (d->cfg.dump_dir && !dump_refused(d))
		debug_freeze_dump(d, NULL, why, NULL);
}

/* KVM_EXIT_DEBUG: 0 to run on, 1 when this vCPU must stop. */
static int debug_exit(void *ctx, struct vcpu *vcpu, struct kvm_run *run)
{
	struct vm_debug *d = ctx;
	struct watch_hit hit, act_hit;
	struct watch_hw fired, table;
	u64 pc;
	u8 v[WATCH_LEN];
	int ret, act = WATCH_LOG;

	memset(&fired, 0, sizeof(fired));
	ret = arch_vcpu_debug_exit(vcpu, run, &fired, &pc);
	if (ret < 0) {
		vm_stop(d->vm, VM_END_ERROR, "vcpu %u: %s", vcpu->id, error_msg());
		return 1;
	}
	if (ret == 0)
		return 0;
	/* A hit per slot the store met, lowest slot first; one freeze for them all. */
	for (u32 s = 0; s < WATCH_SLOTS; s++) {
		if (!(fired.mask & 1u << s))
			continue;
		memset(&hit, 0, sizeof(hit));
		hit.slot = s;
		hit.addr = fired.addr[s];
		hit.pc = pc;
		hit.vcpu = vcpu->id;
		hit.t_ns = clock_now_ns();
		/* x86 reports after the write; arm64 after stepping over it (arch). */
		if (gva_read(vcpu, hit.addr, v, sizeof(v)) == 0) {
			hit.value = get_le32(v);
			hit.value_ok = true;
		}
		/*
		 * Checked against the address the slot had when it fired: on
		 * arm64 the vCPU may have applied a new table during the
		 * step-over.
		 */
		table = d->hw[vcpu->id];
		table.addr[s] = hit.addr;
		table.mask |= 1u << s;
		ret = watch_hit(&d->watch, &table, &hit);
		if (ret >= 0 && d->hook[s].fn)
			ret = d->hook[s].fn(d->hook[s].ctx, vcpu, &hit, ret);
		/* The strongest action wins (stop over dump); its first hit names the dump. */
		if ((ret == WATCH_DUMP || ret == WATCH_STOP) && ret > act) {
			act = ret;
			act_hit = hit;
		}
	}
	if (act == WATCH_DUMP || act == WATCH_STOP)
		return debug_hit_dump(d, vcpu, &act_hit, act == WATCH_STOP);
	return 0;
}

int debug_attach(struct vm_debug **out, struct vm *vm, const struct debug_config *cfg)
{
	struct vm_debug *d;
	int ret;

	*out = NULL;
	if (!arch_debug_supported())
		return error_input(-ENOTSUP, "watchpoints and state dumps are not supported on %s",
				   arch_name());
	d = calloc(1, sizeof(*d));
	if (d)
		d->hw = calloc(vm->cfg.nr_cpus, sizeof(*d->hw));
	if (!d || !d->hw) {
		free(d);
		return error_host(-ENOMEM, "cannot allocate the debugger");
	}
	d->vm = vm;
	d->cfg = *cfg;
	if (!d->cfg.freeze_timeout_ms)
		d->cfg.freeze_timeout_ms = DEBUG_FREEZE_TIMEOUT_MS;
	d->nr_regions = MIN(cfg->nr_regions, (u32)DUMP_MAX_REGIONS);
	if (d->nr_regions)
		memcpy(d->regions, cfg->regions, d->nr_regions * sizeof(d->regions[0]));
	d->cfg.regions = d->regions;
	watch_init_zeroed(&d->watch, vm->cfg.nr_cpus); /* d is calloc()ed */
	d->nr_slots = arch_debug_slots(vm);
	/* Test hooks: a host with fewer watchpoints, a host that refuses them. */
	if (getenv("KTVM_DEBUG_SLOTS")) {
		unsigned long n = strtoul(getenv("KTVM_DEBUG_SLOTS"), NULL, 10);

		if (n < d->nr_slots)
			d->nr_slots = (u32)n;
	}
	d->test_refuse = getenv("KTVM_TEST_REFUSE_GUEST_DEBUG") &&
			 !strcmp(getenv("KTVM_TEST_REFUSE_GUEST_DEBUG"), "1");
	if (d->nr_slots > WATCH_SLOTS)
		d->nr_slots = WATCH_SLOTS;
	pthread_mutex_init(&d->call.serial, NULL);
	pthread_mutex_init(&d->call.mu, NULL);
	pthread_cond_init(&d->call.cond, NULL);
	ret = vm_set_exit_handler(vm, KVM_EXIT_DEBUG, debug_exit, d);
	if (ret < 0) {
		debug_detach(d);
		return error_host(ret, "cannot hook KVM_EXIT_DEBUG");
	}
	vm_set_request_handler(vm, debug_apply, d);
	vm_set_end_handler(vm, debug_end, d);
	vm->debug = d;
	*out = d;
	return 0;
}

void debug_detach(struct vm_debug *d)
{
	struct vm *vm;

	if (!d)
		return;
	vm = d->vm;
	if (vm->debug == d) {
		vm_set_exit_handler(vm, KVM_EXIT_DEBUG, NULL, NULL);
		vm_set_request_handler(vm, NULL, NULL);
		vm_set_end_handler(vm, NULL, NULL);
		vm->debug = NULL;
	}
	watch_destroy(&d->watch);
	pthread_mutex_destroy(&d->call.serial);
	pthread_mutex_destroy(&d->call.mu);
	pthread_cond_destroy(&d->call.cond);
	free(d->hw);
	free(d);
}
