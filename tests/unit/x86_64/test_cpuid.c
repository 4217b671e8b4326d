// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "arch/x86_64/cpuid.h"
#include "tests/test.h"

/* vCPU cpu of the flat default topology of nr vCPUs: APIC ID = cpu. */
static void for_vcpu(struct kvm_cpuid2 *c, u32 cpu, u32 nr)
{
	struct topology t;

	topology_default(&t, nr, 256);
	cpuid_for_vcpu(c, &t, cpu);
}

static struct kvm_cpuid2 *table(void)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));

	c->nent = 4;
	c->entries[0].function = 0;
	c->entries[0].eax = 0x1f;
	c->entries[1].function = 1;
	c->entries[1].ebx = 0xff010800; /* stale APIC ID 0xff */
	c->entries[1].ecx = 0x00000201;
	c->entries[2].function = 0xb;
	c->entries[2].index = 1;
	c->entries[2].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	c->entries[3].function = 0x1f;
	c->entries[3].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	return c;
}

TEST(cpuid_hypervisor_bit)
{
	struct kvm_cpuid2 *c = table();
	struct kvm_cpuid_entry2 *e;

	for_vcpu(c, 3, 4);
	e = cpuid_find(c, 1, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ecx & CPUID_1_ECX_HYPERVISOR, CPUID_1_ECX_HYPERVISOR);
	EXPECT_EQ(e->ecx & 0x201, 0x201); /* other bits kept */
	EXPECT_EQ(e->ebx >> 24, 3);
	EXPECT_EQ((e->ebx >> 16) & 0xff, 4); /* addressable IDs in the package */
	EXPECT_EQ(e->ebx & 0xffff, 0x0800);  /* CLFLUSH size and brand kept */
	free(c);
}

TEST(cpuid_x2apic_id_leaves)
{
	struct kvm_cpuid2 *c = table();

	for_vcpu(c, 7, 8);
	/* 0BH and 1FH (the maximum basic leaf reaches it) are rewritten: SMT, core, end. */
	for (u32 leaf = 0xb; leaf <= 0x1f; leaf += 0x1f - 0xb)
		for (u32 i = 0; i < 3; i++) {
			struct kvm_cpuid_entry2 *e = cpuid_find(c, leaf, i);

			ASSERT_TRUE(e != NULL);
			EXPECT_EQ(e->edx, 7);
			EXPECT_EQ(e->ecx & 0xff, i);
			EXPECT_EQ(e->flags, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
		}
	EXPECT_TRUE(cpuid_find(c, 0xb, 3) == NULL);
	free(c);
}

TEST(cpuid_kvm_leaves_added)
{
	struct kvm_cpuid2 *c = table();
	struct kvm_cpuid_entry2 *e;
	u32 nent;

	for_vcpu(c, 0, 1);
	e = cpuid_find(c, CPUID_KVM_SIGNATURE, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_GE(e->eax, CPUID_KVM_FEATURES);
	EXPECT_EQ(memcmp(&e->ebx, "KVMK", 4), 0);
	EXPECT_EQ(memcmp(&e->ecx, "VMKV", 4), 0);
	EXPECT_EQ(memcmp(&e->edx, "M\0\0\0", 4), 0);
	e = cpuid_find(c, CPUID_KVM_FEATURES, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->eax & 0x9, 0x9); /* CLOCKSOURCE and CLOCKSOURCE2 */
	nent = c->nent;
	/* Idempotent: a second pass adds nothing. */
	for_vcpu(c, 0, 1);
	EXPECT_EQ(c->nent, nent);
	free(c);
}

TEST(cpuid_kvm_leaves_kept)
{
	struct kvm_cpuid2 *c = table();
	struct kvm_cpuid_entry2 *e;

	c->entries[4].function = CPUID_KVM_FEATURES;
	c->entries[4].eax = 0x01007afb;
	c->nent = 5;
	for_vcpu(c, 0, 1);
	e = cpuid_find(c, CPUID_KVM_FEATURES, 0);
	EXPECT_EQ(e->eax, 0x01007afb); /* what KVM reports stays */
	free(c);
}

TEST(cpuid_dup_copies)
{
	struct kvm_cpuid2 *c = table(), *d = cpuid_dup(c);

	ASSERT_TRUE(d != NULL);
	EXPECT_EQ(d->nent, c->nent);
	EXPECT_EQ(d->entries[1].ebx, c->entries[1].ebx);
	free(c);
	free(d);
}

TEST(cpuid_tsc_deadline)
{
	struct kvm_cpuid2 *c = table();

	cpuid_set_tsc_deadline(c);
	EXPECT_EQ(cpuid_find(c, 1, 0)->ecx & CPUID_1_ECX_TSC_DEADLINE, CPUID_1_ECX_TSC_DEADLINE);
	free(c);
}
