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

/* What the process holds: file descriptors, mappings, threads. */
struct census {
	u32 fds, maps, threads;
};

/* What it holds once two VMs of cfg came and went: the C library's first-use allocations settle. */
static struct census census_settled(const struct vm_config *cfg)
{
	struct vm *vm;

	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(vm_create(&vm, cfg), 0);
		vm_destroy(vm);
	}
	return (struct census){.fds = kvm_fds(), .maps = kvm_maps(), .threads = kvm_threads()};
}

/* Nothing left behind since c (a macro: failures name the caller's line). */
#define EXPECT_CENSUS(c)                                                                           \
	do {                                                                                       \
		EXPECT_EQ(kvm_fds(), (c).fds);                                                     \
		EXPECT_EQ(kvm_maps(), (c).maps);                                                   \
		EXPECT_EQ(kvm_threads_settled((c).threads), (c).threads);                          \
	} while (0)

TEST(kvm_phase_unwind)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg;
	struct kvm_console kc;
	struct census held;
	struct vm *vm;
	int i, ret;

	kvm_require();
	kvm_config(&cfg, &g, 2);
	/* With the console, so the attach phase has eventfds, an irqfd and an I/O loop to undo. */
	kvm_console(&cfg, &kc, phases_rx, NULL);
	held = census_settled(&cfg);
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
		EXPECT_CENSUS(held);
	}
	/* The table has phases from KVM's open to the devices: more than a handful. */
	EXPECT_GE(i, 6);
	EXPECT_LT(i, PHASES_MAX);
	EXPECT_CENSUS(held);
}

/*
 * vm_begin() alone (the caller's preparation failed), and vm_finish() with
 * another shape: each leaves nothing behind, the build thread included.
 */
TEST(kvm_begin_without_finish)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg, other;
	struct census held;
	struct vm *vm;

	kvm_require();
	kvm_config(&cfg, &g, 2);
	held = census_settled(&cfg);
	ASSERT_EQ(vm_begin(&vm, &cfg), 0);
	ASSERT_TRUE(vm != NULL);
	vm_destroy(vm);
	EXPECT_CENSUS(held);

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
	EXPECT_CENSUS(held);
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
	struct census held;
	struct vm *vm;
	int i, ret;

	kvm_require();
	kvm_config(&cfg, &g, 4);
	held = census_settled(&cfg);
	for (i = 0; i < 4; i++) {
		vcpu_fail_at = i;
		ret = vm_create(&vm, &cfg);
		vcpu_fail_at = -1;
		EXPECT_EQ(ret, -EIO);
		EXPECT_TRUE(vm == NULL);
		EXPECT_TRUE(strstr(error_msg(), "failure injected (vcpu_fail_at)") != NULL);
		EXPECT_CENSUS(held);
	}
}
