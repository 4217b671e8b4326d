// SPDX-License-Identifier: GPL-2.0
/* vCPU threads: the raw entry on every vCPU, and stop/kick/join under load. */
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
