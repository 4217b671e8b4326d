// SPDX-License-Identifier: GPL-2.0
/* The vCPU rendezvous (freeze.h). */
#include <errno.h>
#include <time.h>

#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/vm/freeze.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"

/* How often a parked or waiting thread looks at VCPU_REQ_STOP and the deadline. */
#define FREEZE_POLL_NS (20 * 1000000ULL)

void freeze_init(struct freeze *fz)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&fz->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fz->cond, &ca);
	pthread_condattr_destroy(&ca);
	fz->holders = 0;
	fz->owner = NULL;
	fz->parked = 0;
	fz->joins = fz->freezes = fz->last_ns = fz->max_ns = 0;
}

void freeze_destroy(struct freeze *fz)
{
	pthread_cond_destroy(&fz->cond);
	pthread_mutex_destroy(&fz->lock);
}

static void freeze_wait(struct freeze *fz, u64 until_ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(until_ns / 1000000000ULL);
	ts.tv_nsec = (long)(until_ns % 1000000000ULL);
	pthread_cond_timedwait(&fz->cond, &fz->lock, &ts);
}

static bool freeze_stop_asked(const struct vcpu *vcpu)
{
	return vcpu && (atomic_load(&((struct vcpu *)vcpu)->requests) & VCPU_REQ_STOP);
}

/* Called with fz->lock held: park vcpu until the freeze ends (or it must stop). */
static void freeze_park_locked(struct freeze *fz, struct vcpu *vcpu)
{
	if (vcpu)
		vcpu->parked = true;
	fz->parked++;
	pthread_cond_broadcast(&fz->cond);
	while (fz->holders && !freeze_stop_asked(vcpu))
		freeze_wait(fz, clock_now_ns() + FREEZE_POLL_NS);
	fz->parked--;
	if (vcpu)
		vcpu->parked = false;
	pthread_cond_broadcast(&fz->cond);
}

void freeze_park(struct vcpu *vcpu)
{
	struct freeze *fz = &vcpu->vm->freeze;

	pthread_mutex_lock(&fz->lock);
	if (fz->holders)
		freeze_park_locked(fz, vcpu);
	pthread_mutex_unlock(&fz->lock);
}

/* vCPU threads that are running (started and not yet past their loop). */
static u32 freeze_live(struct vm *vm)
{
	u32 n = 0;

	for (u32 i = 0; i < vm->cfg.nr_cpus; i++)
		if (atomic_load(&vm->vcpus[i].in_loop))
			n++;
	return n;
}

/*
 * With fz->lock held and the freeze on: wait until every running vCPU but
 * the freezing one is parked, or deadline. 0, or -ECANCELED / -ETIMEDOUT
 * (error set) with the lock dropped.
 */
static int freeze_wait_parked(struct vm *vm, u64 deadline, u64 timeout_ms)
{
	struct freeze *fz = &vm->freeze;

	for (;;) {
		/* The freezing vCPU is not parked, unless it has left its loop (the VM's end). */
		u32 live = freeze_live(vm);
		u32 want = live - (fz->owner && atomic_load(&fz->owner->in_loop) && live ? 1 : 0);

		if (fz->parked >= want)
			return 0;
		if (vm_stopping(vm)) {
			pthread_mutex_unlock(&fz->lock);
			return -ECANCELED;
		}
		if (clock_now_ns() >= deadline) {
			u32 parked = fz->parked;

			pthread_mutex_unlock(&fz->lock);
			return error_host(-ETIMEDOUT,
					  "freeze: %u of %u vCPUs parked within %llu ms", parked,
					  want, (unsigned long long)timeout_ms);
		}
		freeze_wait(fz, MIN(deadline, clock_now_ns() + FREEZE_POLL_NS));
	}
}

/*
 * With fz->lock held: join the freeze that is on (freeze_all_bounded()).
 * A join the VM's end cancels is taken back: its holder will not thaw.
 */
static int freeze_join(struct vm *vm, u64 timeout_ms)
{
	struct freeze *fz = &vm->freeze;
	int ret;

	fz->holders++;
	ret = freeze_wait_parked(vm, clock_now_ns() + timeout_ms * 1000000ULL, timeout_ms);
	if (ret == -ECANCELED) {
		freeze_thaw(vm);
		return ret;
	}
	if (ret < 0)
		return ret; /* -ETIMEDOUT: joined all the same, to be thawed */
	fz->joins++;
	pthread_mutex_unlock(&fz->lock);
	return FREEZE_JOINED;
}

/*
 * freeze_all(); with wait_ms (and no self), the wait for another freeze
 * ends after wait_ms too, and this one joins it. The vCPUs then have
 * timeout_ms to park, counted from when this freeze begins or joins.
 */
static int freeze_all_until(struct vm *vm, struct vcpu *self, u64 timeout_ms, u64 wait_ms)
{
	struct freeze *fz = &vm->freeze;
	u64 t0 = clock_now_ns(), deadline;
	u64 wait_end = wait_ms ? t0 + wait_ms * 1000000ULL : UINT64_MAX;
	int ret;

	pthread_mutex_lock(&fz->lock);
	/* Another freeze is on: take part in it first. */
	while (fz->holders) {
		if (vm_stopping(vm)) {
			pthread_mutex_unlock(&fz->lock);
			return -ECANCELED;
		}
		if (clock_now_ns() >= wait_end)
			return freeze_join(vm, timeout_ms);
		if (self)
			freeze_park_locked(fz, self);
		else
			freeze_wait(fz, MIN(wait_end, clock_now_ns() + FREEZE_POLL_NS));
	}
	deadline = clock_now_ns() + timeout_ms * 1000000ULL;
	fz->holders = 1;
	fz->owner = self;
	if (self)
		fz->owner_thread = pthread_self();
	pthread_mutex_unlock(&fz->lock);

	for (u32 i = 0; i < vm->cfg.nr_cpus; i++)
		if (&vm->vcpus[i] != self)
			vcpu_request(&vm->vcpus[i], VCPU_REQ_PARK);

	pthread_mutex_lock(&fz->lock);
	ret = freeze_wait_parked(vm, deadline, timeout_ms);
	if (ret < 0)
		return ret;
	fz->freezes++;
	fz->last_ns = clock_now_ns() - t0;
	if (fz->last_ns > fz->max_ns)
		fz->max_ns = fz->last_ns;
	pthread_mutex_unlock(&fz->lock);
	return 0;
}

int freeze_all(struct vm *vm, struct vcpu *self, u64 timeout_ms)
{
	return freeze_all_until(vm, self, timeout_ms, 0);
}

int freeze_all_bounded(struct vm *vm, u64 wait_ms, u64 timeout_ms)
{
	return freeze_all_until(vm, NULL, timeout_ms, wait_ms ? wait_ms : 1);
}

void freeze_thaw(struct vm *vm)
{
	struct freeze *fz = &vm->freeze;

	pthread_mutex_lock(&fz->lock);
	if (fz->holders > 1) {
		fz->holders--;
		/*
		 * Another holder keeps the freeze on. The freezing vCPU, which
		 * was not parked, is from now on: it parks before its next KVM_RUN.
		 */
		if (fz->owner && pthread_equal(pthread_self(), fz->owner_thread)) {
			atomic_fetch_or(&fz->owner->requests, (unsigned int)VCPU_REQ_PARK);
			fz->owner = NULL;
		}
		pthread_mutex_unlock(&fz->lock);
		return;
	}
	fz->holders = 0;
	fz->owner = NULL;
	pthread_cond_broadcast(&fz->cond);
	pthread_mutex_unlock(&fz->lock);
}
