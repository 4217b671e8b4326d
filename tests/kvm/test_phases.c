// SPDX-License-Identifier: GPL-2.0
/*
 * vm_create()'s setup phases unwind what they did: a failure injected at
 * each phase in turn (phase_fail_at, core/vm/phase.h) leaves no file
 * descriptor, mapping or thread behind.
 */
#include <errno.h>
#include <string.h>

#include "core/base/error.h"
#include "core/vm/phase.h"
#include "tests/kvm/kvm.h"

/* Far more than vm_phases[] has: the loop ends at the first index that does not fail. */
#define PHASES_MAX 64

static void phases_rx(void *ctx, const u8 *data, size_t len)
{
}

TEST(kvm_phase_unwind)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg;
	struct kvm_console kc;
	struct vm *vm;
	u32 fds, maps, threads;
	int i, ret;

	kvm_require();
	kvm_config(&cfg, &g, 2);
	/* With the console, so the attach phase has eventfds, an irqfd and an I/O loop to undo. */
	kvm_console(&cfg, &kc, phases_rx, NULL);
	/* Twice first: the C library's first-use allocations settle. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(vm_create(&vm, &cfg), 0);
		vm_destroy(vm);
	}
	fds = kvm_fds();
	maps = kvm_maps();
	threads = kvm_threads();
	for (i = 0; i < PHASES_MAX; i++) {
		vm = NULL;
		phase_fail_at = i;
		ret = vm_create(&vm, &cfg);
		phase_fail_at = -1;
		if (ret == 0) {
			/* Past the last phase: nothing was injected. */
			vm_destroy(vm);
			break;
		}
		printf("  phase %d: %s\n", i, error_msg());
		EXPECT_EQ(ret, -EIO);
		EXPECT_TRUE(strstr(error_msg(), "failure injected") != NULL);
		EXPECT_TRUE(vm == NULL);
		EXPECT_EQ(kvm_fds(), fds);
		EXPECT_EQ(kvm_maps(), maps);
		EXPECT_EQ(kvm_threads_settled(threads), threads);
	}
	/* The table has phases from KVM's open to the devices: more than a handful. */
	EXPECT_GE(i, 6);
	EXPECT_LT(i, PHASES_MAX);
	EXPECT_EQ(kvm_fds(), fds);
	EXPECT_EQ(kvm_maps(), maps);
	EXPECT_EQ(kvm_threads_settled(threads), threads);
}

/*
 * vm_begin() alone (the caller's preparation failed), and vm_finish() with
 * another shape: each leaves nothing behind, the build thread included.
 */
TEST(kvm_begin_without_finish)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg, other;
	struct vm *vm;
	u32 fds, maps, threads;
	int i;

	kvm_require();
	kvm_config(&cfg, &g, 2);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(vm_create(&vm, &cfg), 0);
		vm_destroy(vm);
	}
	fds = kvm_fds();
	maps = kvm_maps();
	threads = kvm_threads();
	ASSERT_EQ(vm_begin(&vm, &cfg), 0);
	ASSERT_TRUE(vm != NULL);
	vm_destroy(vm);
	EXPECT_EQ(kvm_fds(), fds);
	EXPECT_EQ(kvm_maps(), maps);
	EXPECT_EQ(kvm_threads_settled(threads), threads);

	other = cfg;
	other.nr_cpus = 1;
	ASSERT_EQ(vm_begin(&vm, &cfg), 0);
	EXPECT_EQ(vm_finish(&vm, &other), -EINVAL);
	EXPECT_TRUE(vm == NULL);
	EXPECT_TRUE(strstr(error_msg(), "differ from those it was begun with") != NULL);
	other = cfg;
	other.mem_size *= 2;
	ASSERT_EQ(vm_begin(&vm, &cfg), 0);
	EXPECT_EQ(vm_finish(&vm, &other), -EINVAL);
	EXPECT_TRUE(vm == NULL);
	EXPECT_EQ(kvm_fds(), fds);
	EXPECT_EQ(kvm_maps(), maps);
	EXPECT_EQ(kvm_threads_settled(threads), threads);
	/* And the same shape finishes and runs as vm_create()'s would. */
	ASSERT_EQ(vm_begin(&vm, &cfg), 0);
	ASSERT_EQ(vm_finish(&vm, &cfg), 0);
	vm_destroy(vm);
}

/*
 * The build thread fails after handing vCPUs on (vcpu_fail_at): those the
 * caller's thread may be setting up are taken back only once it is done
 * with them, and nothing is left behind, whichever vCPU fails.
 */
TEST(kvm_vcpu_create_fails_midway)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg;
	struct vm *vm;
	u32 fds, maps, threads;
	int i, ret;

	kvm_require();
	kvm_config(&cfg, &g, 4);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(vm_create(&vm, &cfg), 0);
		vm_destroy(vm);
	}
	fds = kvm_fds();
	maps = kvm_maps();
	threads = kvm_threads();
	for (i = 0; i < 4; i++) {
		vcpu_fail_at = i;
		ret = vm_create(&vm, &cfg);
		vcpu_fail_at = -1;
		EXPECT_EQ(ret, -EIO);
		EXPECT_TRUE(vm == NULL);
		EXPECT_TRUE(strstr(error_msg(), "failure injected (vcpu_fail_at)") != NULL);
		EXPECT_EQ(kvm_fds(), fds);
		EXPECT_EQ(kvm_maps(), maps);
		EXPECT_EQ(kvm_threads_settled(threads), threads);
	}
}
