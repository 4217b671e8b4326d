// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86_64/cpuid.h"
#include "core/base/error.h"

static size_t cpuid_size(u32 nent)
{
	return sizeof(struct kvm_cpuid2) + nent * sizeof(struct kvm_cpuid_entry2);
}

int cpuid_get_supported(int kvm_fd, struct kvm_cpuid2 **out)
{
	struct kvm_cpuid2 *c = calloc(1, cpuid_size(CPUID_MAX_ENTRIES));

	if (!c)
		return error_host(-ENOMEM, "cannot allocate CPUID table");
	/* Leave headroom so cpuid_for_vcpu can add leaves KVM did not list. */
	c->nent = CPUID_MAX_ENTRIES - CPUID_HEADROOM;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		int err = errno;

		free(c);
		return error_host(-err, "KVM_GET_SUPPORTED_CPUID: %s", strerror(err));
	}
	*out = c;
	return 0;
}

struct kvm_cpuid2 *cpuid_dup(const struct kvm_cpuid2 *src)
{
	struct kvm_cpuid2 *c = calloc(1, cpuid_size(CPUID_MAX_ENTRIES));

	if (c)
		memcpy(c, src, cpuid_size(MIN(src->nent, (u32)CPUID_MAX_ENTRIES)));
	return c;
}

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, u32 function, u32 index)
{
	u32 i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}

static struct kvm_cpuid_entry2 *cpuid_add(struct kvm_cpuid2 *c, u32 function)
{
	struct kvm_cpuid_entry2 *e;

	if (c->nent >= CPUID_MAX_ENTRIES)
		return NULL;
	e = &c->entries[c->nent++];
	memset(e, 0, sizeof(*e));
	e->function = function;
	return e;
}

struct kvm_cpuid_entry2 *cpuid_entry(struct kvm_cpuid2 *c, u32 function, u32 index, bool indexed)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, function, index);

	if (e)
		return e;
	e = cpuid_add(c, function);
	if (e && indexed) {
		e->index = index;
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	}
	return e;
}

void cpuid_remove(struct kvm_cpuid2 *c, u32 function)
{
	u32 i, n = 0;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function != function)
			c->entries[n++] = c->entries[i];
	c->nent = n;
}

void cpuid_for_vcpu(struct kvm_cpuid2 *c, const struct topology *t, u32 cpu)
{
	struct kvm_cpuid_entry2 *e;

	e = cpuid_find(c, 1, 0);
	if (e)
		e->ecx |= CPUID_1_ECX_HYPERVISOR;
	cpuid_topo_apply(c, t, cpu);
	/* KVM's paravirtual leaves (Documentation/virt/kvm/x86/cpuid.rst). */
	e = cpuid_entry(c, CPUID_KVM_SIGNATURE, 0, false);
	if (e) {
		/* "KVMKVMKVM\0\0\0" in EBX, ECX, EDX; EAX = highest KVM leaf. */
		e->eax = MAX(e->eax, (u32)CPUID_KVM_FEATURES);
		memcpy(&e->ebx, "KVMK", 4);
		memcpy(&e->ecx, "VMKV", 4);
		memcpy(&e->edx, "M\0\0\0", 4);
	}
	if (!cpuid_find(c, CPUID_KVM_FEATURES, 0)) {
		e = cpuid_entry(c, CPUID_KVM_FEATURES, 0, false);
		/* KVM_FEATURE_CLOCKSOURCE (0) and CLOCKSOURCE2 (3): kvmclock. */
		if (e)
			e->eax = (1u << 0) | (1u << 3);
	}
}

void cpuid_set_tsc_deadline(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 1, 0);

	if (e)
		e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
}
