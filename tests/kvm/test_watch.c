// SPDX-License-Identifier: GPL-2.0
/*
 * Watchpoints on a running guest (core/debug/debug.h): a hit is recorded
 * with its slot, address, value and vCPU; a moved slot reports only its new
 * address once armed; hits from a vCPU whose copy the table moved past are
 * counted as stale; the stop action ends the run where the store was; a
 * value filter lets only matching values act; a slot hook sees every hit
 * on the vCPU's thread; debug_vcpu_call() runs on the vCPU named.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/base/endian.h"
#include "core/debug/debug.h"
#include "core/debug/gva.h"
#include "core/vm/vcpu.h"
#include "tests/kvm/kvm_debug.h"
#include "tests/kvm/kvm.h"

#define WATCH_SLOT  WATCH_SLOT_USER
#define WATCH_DELAY 4096 /* guest loop iterations between rounds of stores */
#define WATCH_WAIT  10000

static u64 watch_a(void)
{
	return kvm_data_gpa() + G_WORD_A;
}

static u64 watch_b(void)
{
	return kvm_data_gpa() + G_WORD_B;
}

static u32 watch_nr_hits(struct vm *vm)
{
	u32 n;

	pthread_mutex_lock(&vm->debug->watch.lock);
	n = vm->debug->watch.nr_hits;
	pthread_mutex_unlock(&vm->debug->watch.lock);
	return n;
}

static bool watch_hits_reach(struct vm *vm, u64 n)
{
	return watch_nr_hits(vm) >= n;
}

/* A vCPU stores its round number n to A, then B: consecutive hits of one slot count up by one. */
static void watch_expect_run(struct vm *vm, u32 from, u32 n, u64 addr)
{
	for (u32 i = from; i < from + n; i++) {
		const struct watch_hit *h = &vm->debug->watch.hits[i];

		EXPECT_EQ(h->slot, WATCH_SLOT);
		EXPECT_EQ(h->addr, addr);
		EXPECT_EQ(h->vcpu, 0);
		EXPECT_TRUE(h->value_ok);
		EXPECT_GE(h->value, 1);
		if (i > from)
			EXPECT_EQ(h->value, vm->debug->watch.hits[i - 1].value + 1);
	}
}

/* One vCPU storing (vCPU 1 halted), slot 1 armed on A before the run starts. */
static struct vm *watch_vm(struct vm_config *cfg, struct kvm_guest *g, enum watch_action action)
{
	struct vm *vm;

	kvm_require();
	kvm_config(cfg, g, 2);
	cfg->timeout_ms = 30000;
	vm = kvm_create(cfg);
	kvm_debug(vm);
	kvm_set64(vm, G_HALT_MASK, 0x2);
	kvm_set64(vm, G_DELAY, WATCH_DELAY);
	ASSERT_EQ(debug_watch_set(vm->debug, WATCH_SLOT, watch_a(), action, "word_a"), 0);
	return vm;
}

TEST(kvm_watch_hit)
{
	struct kvm_guest g = KVM_GUEST(store);
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm = watch_vm(&cfg, &g, WATCH_LOG);

	kvm_start(&bg, vm);
	EXPECT_TRUE(kvm_wait(vm, (void *)watch_hits_reach, 3, WATCH_WAIT));
	kvm_stop(&bg);
	EXPECT_EQ(bg.res.threads_joined, 2);
	ASSERT_GE(vm->debug->watch.nr_hits, 3);
	watch_expect_run(vm, 0, 3, watch_a());
	EXPECT_EQ(vm->debug->watch.hits_stale, 0);
	vm_result_free(&bg.res);
	kvm_destroy_debug(vm);
}

/*
 * Move slot 1 from A to B: once debug_watch_set() returned no hit names A
 * (the slot is disarmed everywhere before B is armed), and after
 * debug_watch_wait_armed() B's hits come.
 */
TEST(kvm_watch_move)
{
	struct kvm_guest g = KVM_GUEST(store);
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm = watch_vm(&cfg, &g, WATCH_LOG);
	u32 moved, armed, n;

	kvm_start(&bg, vm);
	if (!kvm_wait(vm, (void *)watch_hits_reach, 2, WATCH_WAIT)) {
		kvm_stop(&bg);
		ASSERT_GE(watch_nr_hits(vm), 2);
	}
	ASSERT_EQ(debug_watch_set(vm->debug, WATCH_SLOT, watch_b(), WATCH_LOG, "word_b"), 0);
	moved = watch_nr_hits(vm);
	EXPECT_EQ(debug_watch_wait_armed(vm->debug, 5000), 0);
	armed = watch_nr_hits(vm);
	EXPECT_EQ(vm->debug->watch.moving, 0);
	EXPECT_TRUE(kvm_wait(vm, (void *)watch_hits_reach, armed + 3, WATCH_WAIT));
	kvm_stop(&bg);
	n = vm->debug->watch.nr_hits;
	ASSERT_GE(n, armed + 3);
	ASSERT_LT(n, WATCH_MAX_HITS);
	/* Before the move returned: A; in between: A or B (the vCPUs armed B quickly). */
	EXPECT_EQ(vm->debug->watch.hits[0].addr, watch_a());
	EXPECT_EQ(vm->debug->watch.hits[1].addr, watch_a());
	for (u32 i = 2; i < moved; i++)
		EXPECT_TRUE(vm->debug->watch.hits[i].addr == watch_a() ||
			    vm->debug->watch.hits[i].addr == watch_b());
	for (u32 i = moved; i < n; i++)
		EXPECT_EQ(vm->debug->watch.hits[i].addr, watch_b());
	watch_expect_run(vm, armed, 3, watch_b());
	vm_result_free(&bg.res);
	kvm_destroy_debug(vm);
}

/*
 * Both vCPUs storing with no pause while the slot moves back and forth: a
 * vCPU that hits with the copy it had before a move reports a slot the
 * table no longer arms there, which is counted as stale, not recorded.
 * Racy by nature: the case moves up to 500 times, or 10 s, until one is seen.
 */
TEST(kvm_watch_stale)
{
	struct kvm_guest g = KVM_GUEST(store);
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm = watch_vm(&cfg, &g, WATCH_LOG);
	u64 end = kvm_now_ms() + 10000, stale = 0;
	u32 moves = 0;

	kvm_set64(vm, G_HALT_MASK, 0);
	kvm_set64(vm, G_DELAY, 0);
	kvm_start(&bg, vm);
	if (!kvm_wait(vm, (void *)watch_hits_reach, 1, WATCH_WAIT)) {
		kvm_stop(&bg);
		ASSERT_GE(watch_nr_hits(vm), 1);
	}
	while (moves < 500 && kvm_now_ms() < end) {
		u64 to = moves % 2 ? watch_a() : watch_b();

		ASSERT_EQ(debug_watch_set(vm->debug, WATCH_SLOT, to, WATCH_LOG, "moving"), 0);
		moves++;
		pthread_mutex_lock(&vm->debug->watch.lock);
		stale = vm->debug->watch.hits_stale;
		pthread_mutex_unlock(&vm->debug->watch.lock);
		if (stale)
			break;
		EXPECT_EQ(debug_watch_wait_armed(vm->debug, 5000), 0);
	}
	kvm_stop(&bg);
	printf("  %llu stale hit(s) after %u moves, %u recorded\n", (unsigned long long)stale,
	       moves, vm->debug->watch.nr_hits);
	EXPECT_GT(stale, 0);
	for (u32 i = 0; i < vm->debug->watch.nr_hits; i++)
		EXPECT_TRUE(vm->debug->watch.hits[i].addr == watch_a() ||
			    vm->debug->watch.hits[i].addr == watch_b());
	vm_result_free(&bg.res);
	kvm_destroy_debug(vm);
}

/* The stop action: the run ends as "watch" right at the store (B and the counter not yet written). */
TEST(kvm_watch_stop)
{
	struct kvm_guest g = KVM_GUEST(store);
	struct vm_config cfg;
	struct vm_result res;
	struct vm *vm = watch_vm(&cfg, &g, WATCH_STOP);
	u32 v;

	EXPECT_EQ(vm_run(vm, &res), 0);
	EXPECT_EQ(res.end, VM_END_WATCH);
	EXPECT_EQ(res.threads_joined, 2);
	ASSERT_EQ(vm->debug->watch.nr_hits, 1);
	watch_expect_run(vm, 0, 1, watch_a());
	v = vm->debug->watch.hits[0].value;
	EXPECT_EQ(kvm_get32(vm, G_WORD_A), v);
	EXPECT_EQ(kvm_get32(vm, G_WORD_B), v - 1);
	EXPECT_EQ(kvm_get64(vm, G_COUNTER), v - 1);
	EXPECT_EQ(atomic_load(&vm->debug->dumps_written), 1);
	vm_result_free(&res);
	kvm_destroy_debug(vm);
}

/* The value filter: only the store of 5 freezes and dumps; the others are logged and counted. */
TEST(kvm_watch_filter)
{
	struct kvm_guest g = KVM_GUEST(store);
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm = watch_vm(&cfg, &g, WATCH_DUMP);
	struct watch_slot s;
	u32 n, fives = 0;

	ASSERT_EQ(watch_set_filter(&vm->debug->watch, WATCH_SLOT, WATCH_FILTER_EQ, 5), 0);
	kvm_start(&bg, vm);
	EXPECT_TRUE(kvm_wait(vm, (void *)watch_hits_reach, 7, WATCH_WAIT));
	kvm_stop(&bg);
	n = watch_nr_hits(vm);
	ASSERT_GE(n, 7);
	for (u32 i = 0; i < n; i++)
		fives += vm->debug->watch.hits[i].value == 5;
	EXPECT_EQ(fives, 1);
	watch_slot_get(&vm->debug->watch, WATCH_SLOT, &s);
	EXPECT_EQ(s.filtered, n - 1);
	EXPECT_EQ(atomic_load(&vm->debug->dumps_written), 1);
	vm_result_free(&bg.res);
	kvm_destroy_debug(vm);
}

struct hook_seen {
	atomic_uint calls;
	atomic_uint last_value;
	atomic_bool on_vcpu_thread;
	pthread_t thread0;
};

static int hook_count(void *ctx, struct vcpu *vcpu, const struct watch_hit *hit, int action)
{
	struct hook_seen *h = ctx;

	atomic_fetch_add(&h->calls, 1);
	atomic_store(&h->last_value, hit->value);
	atomic_store(&h->on_vcpu_thread, pthread_equal(pthread_self(), vcpu->thread));
	return action == WATCH_DUMP ? WATCH_LOG : action; /* the hook decides: never dump */
}

static bool hook_calls_reach(struct vm *vm, u64 n)
{
	struct hook_seen *h = vm->debug->hook[WATCH_SLOT].ctx;

	return atomic_load(&h->calls) >= n;
}

/* A slot hook runs on the hitting vCPU's thread for every recorded hit and decides the action. */
TEST(kvm_watch_hook)
{
	struct kvm_guest g = KVM_GUEST(store);
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm = watch_vm(&cfg, &g, WATCH_DUMP);
	struct hook_seen h = {0};

	debug_slot_hook(vm->debug, WATCH_SLOT, hook_count, &h);
	kvm_start(&bg, vm);
	EXPECT_TRUE(kvm_wait(vm, hook_calls_reach, 3, WATCH_WAIT));
	kvm_stop(&bg);
	EXPECT_EQ(atomic_load(&h.calls), watch_nr_hits(vm));
	EXPECT_GE(atomic_load(&h.last_value), 3);
	EXPECT_TRUE(atomic_load(&h.on_vcpu_thread));
	EXPECT_EQ(atomic_load(&vm->debug->dumps_written), 0);
	vm_result_free(&bg.res);
	kvm_destroy_debug(vm);
}

struct call_ctx {
	u32 vcpu;
	bool on_thread;
	u32 word;
};

static int call_read(void *ctx, struct vcpu *vcpu)
{
	struct call_ctx *c = ctx;
	u8 b[4];

	c->vcpu = vcpu->id;
	c->on_thread = pthread_equal(pthread_self(), vcpu->thread);
	if (gva_read(vcpu, watch_a(), b, sizeof(b)) < 0)
		return -EFAULT;
	c->word = get_le32(b);
	return 42;
}

/*
 * debug_vcpu_call(): run on the named vCPU's own thread, a storing one and
 * a halted one alike, reading guest memory through its page tables.
 */
TEST(kvm_vcpu_call)
{
	struct kvm_guest g = KVM_GUEST(store);
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm = watch_vm(&cfg, &g, WATCH_LOG);
	struct call_ctx c;

	ASSERT_EQ(debug_watch_set(vm->debug, WATCH_SLOT, 0, WATCH_LOG, ""), 0);
	kvm_start(&bg, vm);
	EXPECT_TRUE(kvm_wait(vm, (void *)kvm_counters_running, 0x1, WATCH_WAIT));
	for (u32 id = 0; id < 2; id++) {
		memset(&c, 0, sizeof(c));
		EXPECT_EQ(debug_vcpu_call(vm->debug, id, call_read, &c, 5000), 42);
		EXPECT_EQ(c.vcpu, id);
		EXPECT_TRUE(c.on_thread);
		EXPECT_GE(c.word, 1); /* vCPU 0 has stored there */
	}
	EXPECT_EQ(debug_vcpu_call(vm->debug, 2, call_read, &c, 100), -EINVAL);
	kvm_stop(&bg);
	vm_result_free(&bg.res);
	kvm_destroy_debug(vm);
}

struct hook_block {
	atomic_bool block, in_hook;
};

static int hook_sleep(void *ctx, struct vcpu *vcpu, const struct watch_hit *hit, int action)
{
	struct hook_block *b = ctx;

	if (atomic_exchange(&b->block, false)) {
		u64 end = kvm_now_ms() + 2000;

		atomic_store(&b->in_hook, true);
		/* 2 s whatever signals come: the freeze's kick interrupts a plain sleep. */
		while (kvm_now_ms() < end)
			usleep(10000);
		atomic_store(&b->in_hook, false);
	}
	return action;
}

static bool hook_entered(struct vm *vm, u64 unused)
{
	struct hook_block *b = vm->debug->hook[WATCH_SLOT].ctx;

	return atomic_load(&b->in_hook);
}

/*
 * A freeze that times out (vCPU 0 is busy in its exit handler and does not
 * park): the dump still comes, at once, says vCPU 0 was not frozen and does
 * not read it (reading a vCPU in KVM_RUN would wait for it); vCPU 1 parked.
 */
TEST(kvm_dump_unfrozen_vcpu)
{
	struct kvm_guest g = KVM_GUEST(store);
	struct vm_config cfg;
	struct kvm_bg bg;
	struct vm *vm = watch_vm(&cfg, &g, WATCH_LOG);
	struct hook_block b = {0};
	char path[4096], text[65536];
	bool still_in_hook;
	FILE *f;
	size_t n;

	debug_slot_hook(vm->debug, WATCH_SLOT, hook_sleep, &b);
	vm->debug->cfg.freeze_timeout_ms = 300;
	kvm_start(&bg, vm);
	EXPECT_TRUE(kvm_wait(vm, (void *)watch_hits_reach, 1, WATCH_WAIT));
	atomic_store(&b.block, true);
	EXPECT_TRUE(kvm_wait(vm, hook_entered, 0, WATCH_WAIT));
	EXPECT_EQ(debug_freeze_dump_to(vm->debug, NULL, "unfrozen", NULL, path, sizeof(path)), 0);
	still_in_hook = atomic_load(&b.in_hook);
	debug_thaw(vm->debug);
	kvm_stop(&bg);
	EXPECT_TRUE(still_in_hook); /* the dump did not wait for vCPU 0 */
	ASSERT_TRUE(path[0] != '\0');
	f = fopen(path, "r");
	ASSERT_TRUE(f != NULL);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	EXPECT_TRUE(strstr(text, "\"id\": 0, \"frozen\": false, \"regs\": null") != NULL);
	EXPECT_TRUE(strstr(text, "\"id\": 1, \"frozen\": true, \"regs\": {") != NULL);
	EXPECT_TRUE(strstr(text, "\"frozen_vcpus\": 1,") != NULL);
	vm_result_free(&bg.res);
	kvm_destroy_debug(vm);
}
