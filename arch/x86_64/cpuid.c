// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86_64/cpuid.h"
#include "core/error.h"

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
	c->nent = CPUID_MAX_ENTRIES - 8;
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

void cpuid_for_vcpu(struct kvm_cpuid2 *c, u32 apic_id, u32 nr_cpus)
{
	struct kvm_cpuid_entry2 *e;
	u32 i;

	(void)nr_cpus; /* the topology issue sets the count fields */
	e = cpuid_find(c, 1, 0);
	if (e) {
		e->ecx |= CPUID_1_ECX_HYPERVISOR;
		/* Intel SDM 2A, CPUID leaf 01H: EBX[31:24] initial APIC ID. */
		e->ebx = (e->ebx & 0x00ffffffu) | (apic_id << 24);
	}
	/* Leaves 0BH and 1FH report the x2APIC ID in EDX for every subleaf. */
	for (i = 0; i < c->nent; i++) {
		if (c->entries[i].function == 0xb || c->entries[i].function == 0x1f)
			c->entries[i].edx = apic_id;
	}
	/* KVM's paravirtual leaves (Documentation/virt/kvm/x86/cpuid.rst). */
	e = cpuid_find(c, CPUID_KVM_SIGNATURE, 0);
	if (!e)
		e = cpuid_add(c, CPUID_KVM_SIGNATURE);
	if (e) {
		/* "KVMKVMKVM\0\0\0" in EBX, ECX, EDX; EAX = highest KVM leaf. */
		e->eax = MAX(e->eax, (u32)CPUID_KVM_FEATURES);
		memcpy(&e->ebx, "KVMK", 4);
		memcpy(&e->ecx, "VMKV", 4);
		memcpy(&e->edx, "M\0\0\0", 4);
	}
	if (!cpuid_find(c, CPUID_KVM_FEATURES, 0)) {
		e = cpuid_add(c, CPUID_KVM_FEATURES);
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
