// SPDX-License-Identifier: GPL-2.0
/* vCPU threads: the raw entry on every vCPU, stop/kick/join under load, vm_interrupt(). */
#include <stdio.h>
#include <unistd.h>

#include "core/vm/vcpu.h"
#include "tests/kvm/kvm.h"

/* Every vCPU starts at the code with its index; the guest powers off the ACPI / PSCI way. */
TEST(kvm_raw_boot)
{
	struct kvm_guest g = KVM_GUEST(boot);
	struct vm_config cfg;
	struct vm_result res;
	struct vm *vm;

	kvm_require();
	kvm_config(&cfg, &g, 4);
	cfg.timeout_ms = 20000;
	vm = kvm_create(&cfg);
	EXPECT_EQ(vm_run(vm, &res), 0);
	EXPECT_EQ(res.end, VM_END_POWEROFF);
	EXPECT_EQ(res.threads_joined, 4);
	EXPECT_EQ(kvm_get32(vm, G_WORD_A), G_MAGIC);
#ifdef __x86_64__
	/*
	 * vCPU 0's setup reached the guest: ktvm's CPUID (its hypervisor bit;
	 * with no CPUID set the guest reads zeros) and LINT1 in NMI mode (KVM's
	 * reset leaves it masked in fixed mode).
	 */
	EXPECT_TRUE(kvm_get32(vm, G_BOOT_CPUID) & (1u << 31));
	EXPECT_EQ((kvm_get32(vm, G_BOOT_LINT1) >> 8) & 7u, 4u);
#endif
	for (u32 i = 0; i < 4; i++)
		EXPECT_EQ(kvm_get64(vm, G_COUNTER + 8 * i), i + 1);
	vm_result_free(&res);
	vm_destroy(vm);
}

/* vm_stop with every vCPU spinning in the guest: all threads leave KVM_RUN and are joined. */
TEST(kvm_stop_join)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm;
	u64 t0, c[4];
	u32 n = 4;

	kvm_require();
	kvm_config(&cfg, &g, n);
	vm = kvm_create(&cfg);
	kvm_start(&bg, vm);
	if (!kvm_wait(vm, (void *)kvm_counters_running, 0xf, 10000)) {
		kvm_stop(&bg);
		ASSERT_TRUE(kvm_counters_running(vm, 0xf));
	}
	usleep(100 * 1000);
	t0 = kvm_now_ms();
	vm_stop(vm, VM_END_ERROR, "stopped by the test");
	ASSERT_TRUE(kvm_join(&bg, 10000));
	/* The kick is a signal and KVM_RUN returns at once: well under the 5 s join limit. */
	EXPECT_LT(kvm_now_ms() - t0, 2000);
	EXPECT_EQ(bg.ret, 0);
	EXPECT_EQ(bg.res.end, VM_END_ERROR);
	EXPECT_EQ(bg.res.nr_vcpus, n);
	EXPECT_EQ(bg.res.threads_joined, n);
	for (u32 i = 0; i < n; i++) {
		EXPECT_FALSE(vm->vcpus[i].thread_live);
		EXPECT_FALSE(atomic_load(&vm->vcpus[i].in_loop));
		c[i] = kvm_get64(vm, G_COUNTER + 8 * i);
	}
	usleep(50 * 1000);
	for (u32 i = 0; i < n; i++)
		EXPECT_EQ(kvm_get64(vm, G_COUNTER + 8 * i), c[i]);
	vm_result_free(&bg.res);
	vm_destroy(vm);
}

struct interrupt_seen {
	char why[32];
	u64 counter; /* vCPU 0's counter when the end hook ran */
	u64 later;   /* and 20 ms later: the guest still runs during the hook */
};

static void interrupt_end(void *ctx, struct vm *vm, const char *why)
{
	struct interrupt_seen *s = ctx;

	snprintf(s->why, sizeof(s->why), "%s", why);
	s->counter = kvm_get64(vm, G_COUNTER);
	usleep(20 * 1000);
	s->later = kvm_get64(vm, G_COUNTER);
}

/*
 * vm_interrupt() (ktvm's SIGINT) ends a running guest as VM_END_SIGNAL with
 * its reason, after the end hook saw the guest as it was, like the timeout.
 */
TEST(kvm_interrupt)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct interrupt_seen seen = {0};
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm;

	kvm_require();
	kvm_config(&cfg, &g, 2);
	vm = kvm_create(&cfg);
	vm_set_end_handler(vm, interrupt_end, &seen);
	kvm_start(&bg, vm);
	if (!kvm_wait(vm, (void *)kvm_counters_running, 0x3, 10000)) {
		kvm_stop(&bg);
		ASSERT_TRUE(kvm_counters_running(vm, 0x3));
	}
	vm_interrupt(vm, "SIGINT");
	vm_interrupt(vm, "SIGTERM"); /* the first reason stays */
	ASSERT_TRUE(kvm_join(&bg, 10000));
	EXPECT_EQ(bg.ret, 0);
	EXPECT_EQ(bg.res.end, VM_END_SIGNAL);
	EXPECT_STREQ(bg.res.detail, "SIGINT");
	EXPECT_STREQ(vm_end_name(bg.res.end), "signal");
	EXPECT_STREQ(seen.why, "signal");
	EXPECT_GT(seen.later, seen.counter);
	EXPECT_EQ(bg.res.threads_joined, 2);
	vm_result_free(&bg.res);
	vm_destroy(vm);
}

/* An interrupt that came before the run started ends it at once, with no vCPU left behind. */
TEST(kvm_interrupt_before_run)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg;
	struct vm_result res;
	struct vm *vm;

	kvm_require();
	kvm_config(&cfg, &g, 2);
	cfg.timeout_ms = 20000;
	vm = kvm_create(&cfg);
	vm_interrupt(vm, "SIGTERM");
	EXPECT_EQ(vm_run(vm, &res), 0);
	EXPECT_EQ(res.end, VM_END_SIGNAL);
	EXPECT_STREQ(res.detail, "SIGTERM");
	EXPECT_EQ(res.threads_joined, 2);
	vm_result_free(&res);
	vm_destroy(vm);
}
