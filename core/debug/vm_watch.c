// SPDX-License-Identifier: GPL-2.0
/* Watchpoints of a running VM (vm_watch.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "core/vm/arch.h"
#include "core/base/clock.h"
#include "core/debug/dump.h"
#include "core/base/error.h"
#include "core/vm/freeze.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"
#include "core/debug/vm_watch.h"

static void vm_watch_request_all(struct vm *vm)
{
	for (u32 i = 0; i < vm->cfg.nr_cpus; i++)
		vcpu_request(&vm->vcpus[i], VCPU_REQ_WATCH);
}

int vm_watch_set(struct vm *vm, u32 slot, u64 gva, enum watch_action action, const char *name)
{
	int ret = watch_set(&vm->watch, slot, gva, action, name);

	if (ret > 0)
		vm_watch_request_all(vm);
	return ret < 0 ? ret : 0;
}

int vm_watch_wait_armed(struct vm *vm, u64 timeout_ms)
{
	u64 deadline = clock_now_ns() + timeout_ms * 1000000ULL;

	for (;;) {
		bool all;

		pthread_mutex_lock(&vm->watch.lock);
		all = !vm->watch.moving;
		for (u32 i = 0; i < vm->cfg.nr_cpus && i < WATCH_MAX_VCPUS; i++)
			if (atomic_load(&vm->vcpus[i].in_loop) &&
			    (s32)(vm->watch.applied[i] - vm->watch.pub.gen) < 0)
				all = false;
		pthread_mutex_unlock(&vm->watch.lock);
		if (all)
			return 0;
		if (vm_stopping(vm))
			return -ECANCELED;
		if (clock_now_ns() >= deadline)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

int vm_watch_apply(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct watch_hw hw;
	int ret;

	watch_get(&vm->watch, &hw);
	ret = arch_vcpu_set_watch(vcpu, &hw);
	if (ret < 0) {
		vm_stop(vm, VM_END_ERROR, "vcpu %u: %s", vcpu->id, error_msg());
		return ret;
	}
	vcpu->watch = hw;
	if (watch_applied(&vm->watch, vcpu->id, hw.gen))
		vm_watch_request_all(vm);
	return 0;
}

int vm_read_gva(struct vcpu *vcpu, u64 gva, void *buf, size_t len)
{
	u8 *out = buf;

	while (len) {
		u64 gpa, chunk = 4096 - (gva & 4095);
		void *p;
		int ret;

		if (chunk > len)
			chunk = len;
		ret = arch_vcpu_gva_to_gpa(vcpu, gva, &gpa);
		if (ret < 0)
			return ret;
		p = vm_gpa(vcpu->vm, gpa, chunk);
		if (!p)
			return -EFAULT;
		memcpy(out, p, chunk);
		out += chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

/*
 * Freeze every vCPU but self (NULL: the caller is no vCPU) and write a dump
 * tagged tag, for hit (NULL: none); what fails is said on stderr. The vCPUs
 * stay frozen. -ECANCELED when the run is ending (nothing written), else 0.
 */
static int vm_watch_freeze_write(struct vm *vm, struct vcpu *self, const char *tag,
				 const struct watch_hit *hit)
{
	int ret = freeze_all(vm, self, vm->cfg.freeze_timeout_ms);

	if (ret == -ECANCELED)
		return ret;
	if (ret < 0)
		fprintf(stderr, "ktvm: %s; dumping what can be read\n", error_msg());
	ret = dump_write(vm, self, tag, hit, NULL, 0);
	if (ret < 0 && ret != -EDQUOT)
		fprintf(stderr, "ktvm: dump: %s\n", error_msg());
	return 0;
}

/* Freeze every vCPU, dump, thaw; with stop, end the run instead of thawing. */
static int vm_watch_freeze_dump(struct vcpu *vcpu, const struct watch_hit *hit, bool stop)
{
	struct vm *vm = vcpu->vm;
	struct watch_slot s;
	char tag[WATCH_NAME_MAX + 16];

	watch_slot_get(&vm->watch, hit->slot, &s);
	if (!stop && dump_refused(vm))
		return 0;
	snprintf(tag, sizeof(tag), "watch-%s", s.name[0] ? s.name : "addr");
	if (vm_watch_freeze_write(vm, vcpu, tag, hit) == -ECANCELED)
		return 1;
	if (stop) {
		/*
		 * No thaw: the parked vCPUs leave on their STOP request, so the
		 * guest does not run past the state just dumped.
		 */
		vm_stop(vm, VM_END_WATCH, "watchpoint %s hit on vcpu %u", s.name, vcpu->id);
		return 1;
	}
	freeze_thaw(vm);
	return 0;
}

void vm_watch_end_dump(struct vm *vm, const char *tag)
{
	if (vm->cfg.dump_dir && !dump_refused(vm))
		vm_watch_freeze_write(vm, NULL, tag, NULL);
}

int vm_watch_debug_exit(struct vcpu *vcpu, struct kvm_run *run)
{
	struct vm *vm = vcpu->vm;
	struct watch_hit hit, act_hit;
	struct watch_hw fired, table;
	u64 pc;
	u8 v[WATCH_LEN];
	int ret, act = WATCH_LOG;

	memset(&fired, 0, sizeof(fired));
	ret = arch_vcpu_debug_exit(vcpu, run, &fired, &pc);
	if (ret < 0) {
		vm_stop(vm, VM_END_ERROR, "vcpu %u: %s", vcpu->id, error_msg());
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
		if (vm_read_gva(vcpu, hit.addr, v, sizeof(v)) == 0) {
			hit.value = (u32)v[0] | (u32)v[1] << 8 | (u32)v[2] << 16 | (u32)v[3] << 24;
			hit.value_ok = true;
		}
		/*
		 * Checked against the address the slot had when it fired: on
		 * arm64 the vCPU may have applied a new table during the
		 * step-over.
		 */
		table = vcpu->watch;
		table.addr[s] = hit.addr;
		table.mask |= 1u << s;
		ret = watch_hit(&vm->watch, &table, &hit);
		/* The strongest action wins (stop over dump); its first hit names the dump. */
		if ((ret == WATCH_DUMP || ret == WATCH_STOP) && ret > act) {
			act = ret;
			act_hit = hit;
		}
	}
	if (act == WATCH_DUMP || act == WATCH_STOP)
		return vm_watch_freeze_dump(vcpu, &act_hit, act == WATCH_STOP);
	return 0;
}
