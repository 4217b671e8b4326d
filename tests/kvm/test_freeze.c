// SPDX-License-Identifier: GPL-2.0
/* The freeze rendezvous (core/vm/freeze.h) on a running guest, and the timeout's. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/vm/freeze.h"
#include "tests/kvm/kvm.h"
#include "tests/kvm/kvm_debug.h"

static u32 freeze_parked(struct vm *vm)
{
	u32 n;

	pthread_mutex_lock(&vm->freeze.lock);
	n = vm->freeze.parked;
	pthread_mutex_unlock(&vm->freeze.lock);
	return n;
}

/* The freeze's holders and owner, read under its lock (vCPU threads change them). */
static u32 freeze_holders(struct vm *vm, struct vcpu **owner)
{
	u32 n;

	pthread_mutex_lock(&vm->freeze.lock);
	n = vm->freeze.holders;
	if (owner)
		*owner = vm->freeze.owner;
	pthread_mutex_unlock(&vm->freeze.lock);
	return n;
}

static bool freeze_none_parked(struct vm *vm, u64 unused)
{
	return freeze_parked(vm) == 0;
}

static bool freeze_counter_past(struct vm *vm, u64 at)
{
	return kvm_get64(vm, G_COUNTER) > at;
}

/*
 * n vCPUs, those in halt_mask in HLT / WFI, vCPU 0 spinning: every vCPU
 * parks, vCPU 0's counter stands still while frozen and moves after thaw.
 */
static void freeze_case(u32 n, u64 halt_mask)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm;
	u64 c0, c1;
	int ret;

	kvm_require();
	kvm_config(&cfg, &g, n);
	vm = kvm_create(&cfg);
	kvm_set64(vm, G_HALT_MASK, halt_mask);
	kvm_start(&bg, vm);
	if (!kvm_wait(vm, (void *)kvm_counters_running, (1ULL << n) - 1, 10000)) {
		kvm_stop(&bg);
		ASSERT_TRUE(kvm_counters_running(vm, (1ULL << n) - 1));
	}
	ret = freeze_all(vm, NULL, 5000);
	EXPECT_EQ(ret, 0);
	EXPECT_EQ(freeze_parked(vm), n);
	c0 = kvm_get64(vm, G_COUNTER);
	usleep(200 * 1000);
	c1 = kvm_get64(vm, G_COUNTER);
	EXPECT_EQ(c1, c0);
	EXPECT_EQ(vm->freeze.freezes, 1);
	freeze_thaw(vm);
	EXPECT_TRUE(kvm_wait(vm, (void *)freeze_counter_past, c1, 5000));
	/* The halted ones leave their park too (they may be scheduled after vCPU 0). */
	EXPECT_TRUE(kvm_wait(vm, freeze_none_parked, 0, 5000));
	kvm_stop(&bg);
	EXPECT_EQ(bg.ret, 0);
	EXPECT_EQ(bg.res.threads_joined, n);
	vm_result_free(&bg.res);
	vm_destroy(vm);
}

TEST(kvm_freeze_spin)
{
	freeze_case(3, 0);
}

/* vCPUs 1 and 2 halted with interrupts masked: the kick must still bring them out. */
TEST(kvm_freeze_halt)
{
	freeze_case(3, 0x6);
}

/*
 * A guest that never ends, with a timeout and a dump directory: the run
 * ends as a timeout, after freezing every vCPU for the timeout dump, and
 * every thread is joined (parked ones leave on their stop request).
 */
TEST(kvm_freeze_timeout)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg;
	struct vm_result res;
	struct vm *vm;
	char path[512];
	u64 c;

	kvm_require();
	kvm_config(&cfg, &g, 2);
	cfg.timeout_ms = 500;
	vm = kvm_create(&cfg);
	kvm_debug(vm); /* its before-end hook writes the timeout dump */
	EXPECT_EQ(vm_run(vm, &res), 0);
	EXPECT_EQ(res.end, VM_END_TIMEOUT);
	EXPECT_TRUE(res.timed_out);
	EXPECT_EQ(res.threads_joined, 2);
	EXPECT_GE(res.duration_ns, 500 * 1000000ULL);
	EXPECT_LT(res.duration_ns, 6000 * 1000000ULL);
	EXPECT_EQ(vm->freeze.freezes, 1);
	EXPECT_EQ(freeze_parked(vm), 0);
	EXPECT_EQ(atomic_load(&vm->debug->dumps_written), 1);
	snprintf(path, sizeof(path), "%s/ktvm-dump-001-timeout.json", test_tmpdir());
	EXPECT_EQ(access(path, R_OK), 0);
	EXPECT_GT(kvm_get64(vm, G_COUNTER), 0);
	EXPECT_GT(kvm_get64(vm, G_COUNTER + 8), 0);
	c = kvm_get64(vm, G_COUNTER);
	usleep(50 * 1000);
	EXPECT_EQ(kvm_get64(vm, G_COUNTER), c);
	vm_result_free(&res);
	kvm_destroy_debug(vm);
}

/*
 * A lease break's freeze (freeze_all_bounded()) behind another freeze that
 * does not end: at its deadline it joins that freeze (FREEZE_JOINED), and
 * the guest runs again only once both have thawed (here the first freezer
 * thaws first; kvm_freeze_joined_owner_parks has a vCPU as the first).
 * freeze_all() would wait for ever here.
 */
TEST(kvm_freeze_bounded_behind_another)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm;
	u64 t0, waited, c;
	int ret;

	kvm_require();
	kvm_config(&cfg, &g, 2);
	vm = kvm_create(&cfg);
	kvm_start(&bg, vm);
	if (!kvm_wait(vm, (void *)kvm_counters_running, 0x3, 10000)) {
		kvm_stop(&bg);
		ASSERT_TRUE(kvm_counters_running(vm, 0x3));
	}
	ASSERT_EQ(freeze_all(vm, NULL, 5000), 0);
	t0 = clock_now_ns();
	ret = freeze_all_bounded(vm, 300, 5000);
	waited = clock_now_ns() - t0;
	EXPECT_EQ(ret, FREEZE_JOINED);
	EXPECT_GE(waited, 300 * 1000000ULL);
	EXPECT_GT(freeze_holders(vm, NULL), 0);
	EXPECT_EQ(freeze_parked(vm), 2);
	EXPECT_EQ(vm->freeze.freezes, 1);
	EXPECT_EQ(vm->freeze.joins, 1);
	/* The first freezer's thaw leaves the guest frozen for the one that joined. */
	c = kvm_get64(vm, G_COUNTER);
	freeze_thaw(vm);
	usleep(200 * 1000);
	EXPECT_GT(freeze_holders(vm, NULL), 0);
	EXPECT_EQ(kvm_get64(vm, G_COUNTER), c);
	freeze_thaw(vm);
	EXPECT_TRUE(kvm_wait(vm, (void *)freeze_counter_past, c, 5000));
	/* Alone, the bounded freeze is a freeze like any other. */
	EXPECT_EQ(freeze_all_bounded(vm, 5000, 5000), 0);
	EXPECT_EQ(freeze_parked(vm), 2);
	freeze_thaw(vm);
	kvm_stop(&bg);
	EXPECT_EQ(bg.ret, 0);
	vm_result_free(&bg.res);
	vm_destroy(vm);
}

/* A freeze held by vCPU 1 itself (a watchpoint's dump), from its own thread. */
struct freeze_owner {
	struct vm *vm;
	atomic_int frozen;   /* vCPU 1's freeze_all() returned this + 1 */
	atomic_bool release; /* vCPU 1 may thaw */
	int ret;
};

static int freeze_owner_fn(void *ctx, struct vcpu *vcpu)
{
	struct freeze_owner *o = ctx;
	int ret = freeze_all(o->vm, vcpu, 5000);

	atomic_store(&o->frozen, ret + 1);
	for (int i = 0; i < 1000 && !atomic_load(&o->release); i++)
		usleep(10 * 1000);
	freeze_thaw(o->vm);
	return 0;
}

static void *freeze_owner_thread(void *arg)
{
	struct freeze_owner *o = arg;

	o->ret = debug_vcpu_call(o->vm->debug, 1, freeze_owner_fn, o, 20000);
	return NULL;
}

static bool freeze_owner_frozen(struct vm *vm, u64 o)
{
	return atomic_load(&((struct freeze_owner *)(uintptr_t)o)->frozen) != 0;
}

static bool freeze_all_parked(struct vm *vm, u64 n)
{
	return freeze_parked(vm) == n;
}

/*
 * Two spinning vCPUs; vCPU 1 freezes the guest from its own thread (*t,
 * through debug_vcpu_call()) and a bounded freeze from this thread joins
 * it: the state both owner cases start from, each thawing in its order.
 */
static struct vm *freeze_owner_joined(struct kvm_bg *bg, struct freeze_owner *o, pthread_t *t)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct vm_config cfg;
	struct vm *vm;

	kvm_config(&cfg, &g, 2);
	vm = kvm_create(&cfg);
	kvm_debug(vm);
	kvm_start(bg, vm);
	if (!kvm_wait(vm, (void *)kvm_counters_running, 0x3, 10000)) {
		kvm_stop(bg);
		ASSERT_TRUE(kvm_counters_running(vm, 0x3));
	}
	o->vm = vm;
	if (pthread_create(t, NULL, freeze_owner_thread, o) != 0) {
		kvm_stop(bg);
		test_fail_at(__FILE__, __LINE__, "pthread_create: cannot start vCPU 1's caller");
		test_stop();
	}
	EXPECT_TRUE(kvm_wait(vm, freeze_owner_frozen, (u64)(uintptr_t)o, 10000));
	EXPECT_EQ(atomic_load(&o->frozen), 1); /* freeze_all() returned 0 */
	EXPECT_EQ(freeze_parked(vm), 1);       /* vCPU 0; vCPU 1 holds the freeze */
	EXPECT_EQ(freeze_all_bounded(vm, 200, 5000), FREEZE_JOINED);
	return vm;
}

/*
 * The freezer is vCPU 1 (as at a watchpoint) and thaws before the lease
 * break that joined it: vCPU 1 then parks with the others, and both
 * vCPUs run again once the joined freeze thaws.
 */
TEST(kvm_freeze_joined_owner_parks)
{
	struct freeze_owner o = {0};
	struct kvm_bg bg;
	pthread_t t;
	struct vm *vm;
	u64 c0, c1;

	kvm_require();
	vm = freeze_owner_joined(&bg, &o, &t);
	atomic_store(&o.release, true);
	pthread_join(t, NULL);
	EXPECT_EQ(o.ret, 0);
	/* vCPU 1 thawed first: it parks too, and neither runs. */
	EXPECT_TRUE(kvm_wait(vm, freeze_all_parked, 2, 5000));
	c0 = kvm_get64(vm, G_COUNTER);
	c1 = kvm_get64(vm, G_COUNTER + 8);
	usleep(200 * 1000);
	EXPECT_EQ(kvm_get64(vm, G_COUNTER), c0);
	EXPECT_EQ(kvm_get64(vm, G_COUNTER + 8), c1);
	EXPECT_GT(freeze_holders(vm, NULL), 0);
	freeze_thaw(vm);
	EXPECT_TRUE(kvm_wait(vm, (void *)freeze_counter_past, c0, 5000));
	EXPECT_TRUE(kvm_wait(vm, freeze_none_parked, 0, 5000));
	EXPECT_EQ(freeze_holders(vm, NULL), 0);
	kvm_stop(&bg);
	EXPECT_EQ(bg.ret, 0);
	vm_result_free(&bg.res);
	kvm_destroy_debug(vm);
}

static bool freeze_counter1_past(struct vm *vm, u64 at)
{
	return kvm_get64(vm, G_COUNTER + 8) > at;
}

/*
 * The other order: the lease break that joined vCPU 1's freeze thaws
 * first. The guest stays frozen (vCPU 1 still holds it), and runs again
 * once vCPU 1 thaws, which leaves nothing parked.
 */
TEST(kvm_freeze_joiner_thaws_first)
{
	struct freeze_owner o = {0};
	struct kvm_bg bg;
	struct vcpu *owner = NULL;
	pthread_t t;
	struct vm *vm;
	u64 c0, c1;

	kvm_require();
	vm = freeze_owner_joined(&bg, &o, &t);
	c1 = kvm_get64(vm, G_COUNTER + 8);
	freeze_thaw(vm);
	/* vCPU 1 still holds the freeze, as its owner: vCPU 0 stays parked. */
	c0 = kvm_get64(vm, G_COUNTER);
	usleep(200 * 1000);
	EXPECT_EQ(kvm_get64(vm, G_COUNTER), c0);
	EXPECT_EQ(freeze_parked(vm), 1);
	EXPECT_EQ(freeze_holders(vm, &owner), 1);
	EXPECT_TRUE(owner == &vm->vcpus[1]);
	atomic_store(&o.release, true);
	pthread_join(t, NULL);
	EXPECT_EQ(o.ret, 0);
	EXPECT_TRUE(kvm_wait(vm, (void *)freeze_counter_past, c0, 5000));
	EXPECT_TRUE(kvm_wait(vm, freeze_counter1_past, c1, 5000));
	EXPECT_TRUE(kvm_wait(vm, freeze_none_parked, 0, 5000));
	EXPECT_EQ(freeze_holders(vm, NULL), 0);
	kvm_stop(&bg);
	EXPECT_EQ(bg.ret, 0);
	vm_result_free(&bg.res);
	kvm_destroy_debug(vm);
}

/* A bounded freeze waiting behind another one, on a thread of its own. */
struct freeze_waiter {
	struct vm *vm;
	atomic_bool entered; /* about to call freeze_all_bounded() */
	int ret;
};

static void *freeze_waiter_thread(void *arg)
{
	struct freeze_waiter *w = arg;

	atomic_store(&w->entered, true);
	w->ret = freeze_all_bounded(w->vm, 20000, 5000);
	return NULL;
}

static bool freeze_waiter_entered(struct vm *vm, u64 w)
{
	return atomic_load(&((struct freeze_waiter *)(uintptr_t)w)->entered);
}

/*
 * The VM stops while a lease break waits for another freeze: its wait ends
 * with -ECANCELED, well before its 20 s, and it holds nothing (no join),
 * so the first freezer's thaw alone ends the freeze.
 */
TEST(kvm_freeze_bounded_cancelled)
{
	struct kvm_guest g = KVM_GUEST(spin);
	struct freeze_waiter w = {0};
	struct vm_config cfg;
	struct kvm_bg bg;
	pthread_t t;
	struct vm *vm;
	u64 t0;
	int ret;

	kvm_require();
	kvm_config(&cfg, &g, 2);
	vm = kvm_create(&cfg);
	kvm_start(&bg, vm);
	if (!kvm_wait(vm, (void *)kvm_counters_running, 0x3, 10000)) {
		kvm_stop(&bg);
		ASSERT_TRUE(kvm_counters_running(vm, 0x3));
	}
	ret = freeze_all(vm, NULL, 5000);
	w.vm = vm;
	if (ret != 0 || pthread_create(&t, NULL, freeze_waiter_thread, &w) != 0) {
		kvm_stop(&bg);
		freeze_thaw(vm); /* a timed-out freeze_all() is on all the same */
		test_fail_at(__FILE__, __LINE__, "freeze_all: %d, or no thread for the waiter",
			     ret);
		test_stop();
	}
	/* In its wait: the thread has started and a while has passed. */
	EXPECT_TRUE(kvm_wait(vm, freeze_waiter_entered, (u64)(uintptr_t)&w, 5000));
	usleep(200 * 1000);
	EXPECT_EQ(freeze_holders(vm, NULL), 1);
	t0 = clock_now_ns();
	kvm_stop(&bg);
	pthread_join(t, NULL);
	EXPECT_LT(clock_now_ns() - t0, 10000 * 1000000ULL);
	EXPECT_EQ(w.ret, -ECANCELED);
	EXPECT_EQ(vm->freeze.joins, 0);
	EXPECT_EQ(freeze_holders(vm, NULL), 1);
	freeze_thaw(vm);
	EXPECT_EQ(freeze_holders(vm, NULL), 0);
	EXPECT_EQ(bg.ret, 0);
	vm_result_free(&bg.res);
	vm_destroy(vm);
}
