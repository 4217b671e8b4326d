// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "core/vm/arch.h"
#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/vm/freeze.h"
#include "core/vm/kick.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"

int vcpu_fail_at = -1;

int vcpu_create(struct vm *vm, u32 id, struct vcpu *vcpu)
{
	int ret;

	if (vcpu_fail_at >= 0 && id == (u32)vcpu_fail_at)
		return error_host(-EIO, "vcpu %u: failure injected (vcpu_fail_at)", id);

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = -1;
	pthread_mutex_init(&vcpu->thread_lock, NULL);
	ret = kick_setup();
	if (ret < 0)
		return ret;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)arch_vcpu_kvm_id(vm, id));
	if (vcpu->fd < 0)
		return error_host(-errno, "vcpu %u: KVM_CREATE_VCPU(%u): %s", id,
				  arch_vcpu_kvm_id(vm, id), strerror(errno));
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		ret = error_host(-errno, "vcpu %u: mmap kvm_run: %s", id, strerror(errno));
		vcpu->run = NULL;
		close(vcpu->fd);
		vcpu->fd = -1;
		return ret;
	}
	return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->fd < 0)
		return;
	vcpu_join(vcpu);
	arch_vcpu_exit(vcpu);
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_size);
	vcpu->run = NULL;
	close(vcpu->fd);
	vcpu->fd = -1;
	pthread_mutex_destroy(&vcpu->thread_lock);
}

static int vcpu_handle_io(struct vcpu *vcpu, struct kvm_run *run)
{
	struct vm *vm = vcpu->vm;
	u32 size = run->io.size, count = run->io.count;
	u64 off = run->io.data_offset;
	u8 *data = (u8 *)run;
	u32 i;

	/* The data area lies inside the kvm_run mapping (KVM API 5, KVM_EXIT_IO). */
	if (size == 0 || size > 4 || off > vm->run_size || (u64)size * count > vm->run_size - off)
		return 0;
	for (i = 0; i < count; i++)
		bus_dispatch(&vm->pio, vcpu, run->io.port, data + off + (u64)i * size, size,
			     run->io.direction == KVM_EXIT_IO_OUT);
	return 0;
}

/* Returns 0 to keep running, 1 when this vCPU should stop. */
static int vcpu_handle_exit(struct vcpu *vcpu, struct kvm_run *run)
{
	struct vm *vm = vcpu->vm;

	if (run->exit_reason < VCPU_EXIT_REASONS && vm->hooks.exit[run->exit_reason].fn)
		return vm->hooks.exit[run->exit_reason].fn(vm->hooks.exit[run->exit_reason].ctx,
							   vcpu, run);
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return vcpu_handle_io(vcpu, run);
	case KVM_EXIT_MMIO:
		if (run->mmio.len > 8)
			return 0;
		bus_dispatch(&vm->mmio, vcpu, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
			     run->mmio.is_write);
		return 0;
	case KVM_EXIT_INTR:
	case KVM_EXIT_HLT:
		return 0;
	case KVM_EXIT_SHUTDOWN:
		vm_stop(vm, VM_END_CRASH, "vcpu %u: shutdown exit (triple fault)", vcpu->id);
		return 1;
	case KVM_EXIT_SYSTEM_EVENT:
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			vm_stop(vm, VM_END_POWEROFF, "vcpu %u: system shutdown event", vcpu->id);
			break;
		case KVM_SYSTEM_EVENT_RESET:
			vm_stop(vm, VM_END_REBOOT, "vcpu %u: system reset event", vcpu->id);
			break;
		default:
			vm_stop(vm, VM_END_CRASH, "vcpu %u: system event %u", vcpu->id,
				run->system_event.type);
			break;
		}
		return 1;
	case KVM_EXIT_INTERNAL_ERROR:
		vm_stop(vm, VM_END_CRASH, "vcpu %u: KVM internal error, suberror %u", vcpu->id,
			run->internal.suberror);
		return 1;
	case KVM_EXIT_FAIL_ENTRY:
		vm_stop(vm, VM_END_CRASH, "vcpu %u: VM entry failed, reason 0x%llx", vcpu->id,
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return 1;
	default:
		if (arch_vcpu_handle_exit(vcpu, run) < 0) {
			if (!vm_stopping(vm))
				vm_stop(vm, VM_END_ERROR, "vcpu %u: unhandled exit %s (%u)",
					vcpu->id, vcpu_exit_name(run->exit_reason),
					run->exit_reason);
			return 1;
		}
		return 0;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	struct kvm_run *run = vcpu->run;
	bool first_run = false;
	char name[16];

	snprintf(name, sizeof(name), "ktvm-vcpu%u", vcpu->id);
	pthread_setname_np(pthread_self(), name);
	/*
	 * In the loop from here for a freeze, which then waits for this vCPU
	 * to park (after its setup: a dump never reads a half-set vCPU).
	 * Kicks stay blocked meanwhile: they are seen as requests in the loop.
	 */
	atomic_store(&vcpu->in_loop, true);
	if (arch_vcpu_prepare(vcpu) < 0) {
		atomic_store(&vcpu->in_loop, false);
		vm_stop(vm, VM_END_ERROR, "%s", error_msg());
		return NULL;
	}
	kick_bind(run);
	kick_unblock();

	for (;;) {
		unsigned int req;

		/*
		 * Clear immediate_exit before looking at requests: a kick whose
		 * request we do not see here sets it again after this point,
		 * so KVM_RUN below returns at once instead of entering the guest.
		 */
		run->immediate_exit = 0;
		req = atomic_load(&vcpu->requests);
		if (req & VCPU_REQ_STOP)
			break;
		if (req & VCPU_REQ_PARK) {
			atomic_fetch_and(&vcpu->requests, ~(unsigned int)VCPU_REQ_PARK);
			freeze_park(vcpu);
			continue;
		}
		if (req & VCPU_REQ_HOOK) {
			atomic_fetch_and(&vcpu->requests, ~(unsigned int)VCPU_REQ_HOOK);
			if (vm->hooks.request && vm->hooks.request(vm->hooks.request_ctx, vcpu) < 0)
				break;
			continue;
		}
		if (!first_run) {
			unsigned long long zero = 0, now = clock_now_ns();

			first_run = true;
			atomic_compare_exchange_strong(&vm->t_first_run_ns, &zero, now);
			/* The last vCPU to get here sets it: all of setup done. */
			if (atomic_fetch_add(&vm->nr_first_run, 1) + 1 == vm->cfg.nr_cpus)
				atomic_store(&vm->t_all_run_ns, now);
		}
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vm_stop(vm, VM_END_ERROR, "vcpu %u: KVM_RUN: %s", vcpu->id,
				strerror(errno));
			break;
		}
		if (run->exit_reason < VCPU_EXIT_REASONS)
			vcpu->exits[run->exit_reason]++;
		if (vcpu_handle_exit(vcpu, run))
			break;
	}
	atomic_store(&vcpu->in_loop, false);
	kick_bind(NULL);
	return NULL;
}

void *vcpu_thread_run(struct vcpu *vcpu)
{
	return vcpu_thread(vcpu);
}

void vcpu_adopt(struct vcpu *vcpu, pthread_t t)
{
	pthread_mutex_lock(&vcpu->thread_lock);
	vcpu->thread = t;
	vcpu->thread_live = true;
	vcpu->thread_started = true;
	pthread_mutex_unlock(&vcpu->thread_lock);
}

int vcpu_start(struct vcpu *vcpu)
{
	sigset_t old;
	int ret;

	/* The thread starts with the kick blocked and unblocks it once its kvm_run is bound. */
	kick_block(&old);
	pthread_mutex_lock(&vcpu->thread_lock);
	ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
	if (ret == 0) {
		vcpu->thread_live = true;
		vcpu->thread_started = true;
	}
	pthread_mutex_unlock(&vcpu->thread_lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return error_host(-ret, "vcpu %u: cannot start thread: %s", vcpu->id,
				  strerror(ret));
	return 0;
}

void vcpu_request(struct vcpu *vcpu, enum vcpu_request req)
{
	atomic_fetch_or(&vcpu->requests, (unsigned int)req);
	vcpu_kick(vcpu);
}

void vcpu_kick(struct vcpu *vcpu)
{
	pthread_mutex_lock(&vcpu->thread_lock);
	/* thread_live is cleared only after the thread has been joined. */
	if (vcpu->thread_live)
		pthread_kill(vcpu->thread, KICK_SIGNAL);
	pthread_mutex_unlock(&vcpu->thread_lock);
}

bool vcpu_join(struct vcpu *vcpu)
{
	bool joined = false;

	pthread_mutex_lock(&vcpu->thread_lock);
	if (vcpu->thread_live) {
		pthread_join(vcpu->thread, NULL);
		vcpu->thread_live = false;
		joined = true;
	}
	pthread_mutex_unlock(&vcpu->thread_lock);
	return joined;
}

/* Like vcpu_join but gives up after timeout_ms; false if still running. */
bool vcpu_timedjoin(struct vcpu *vcpu, u64 timeout_ms)
{
	struct timespec ts = clock_realtime_after_ms(timeout_ms);
	bool done = true;

	pthread_mutex_lock(&vcpu->thread_lock);
	if (vcpu->thread_live) {
		if (pthread_timedjoin_np(vcpu->thread, NULL, &ts) == 0)
			vcpu->thread_live = false;
		else
			done = false;
	}
	pthread_mutex_unlock(&vcpu->thread_lock);
	return done;
}

const char *vcpu_exit_name(u32 reason)
{
	static const char *const names[] = {
	    [KVM_EXIT_UNKNOWN] = "unknown",
	    [KVM_EXIT_EXCEPTION] = "exception",
	    [KVM_EXIT_IO] = "io",
	    [KVM_EXIT_HYPERCALL] = "hypercall",
	    [KVM_EXIT_DEBUG] = "debug",
	    [KVM_EXIT_HLT] = "hlt",
	    [KVM_EXIT_MMIO] = "mmio",
	    [KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
	    [KVM_EXIT_SHUTDOWN] = "shutdown",
	    [KVM_EXIT_FAIL_ENTRY] = "fail_entry",
	    [KVM_EXIT_INTR] = "intr",
	    [KVM_EXIT_SET_TPR] = "set_tpr",
	    [KVM_EXIT_TPR_ACCESS] = "tpr_access",
	    [KVM_EXIT_NMI] = "nmi",
	    [KVM_EXIT_INTERNAL_ERROR] = "internal_error",
	    [KVM_EXIT_OSI] = "osi",
	    [KVM_EXIT_PAPR_HCALL] = "papr_hcall",
	    [KVM_EXIT_WATCHDOG] = "watchdog",
	    [KVM_EXIT_EPR] = "epr",
	    [KVM_EXIT_SYSTEM_EVENT] = "system_event",
	    [KVM_EXIT_IOAPIC_EOI] = "ioapic_eoi",
	    [KVM_EXIT_HYPERV] = "hyperv",
	    [KVM_EXIT_X86_RDMSR] = "x86_rdmsr",
	    [KVM_EXIT_X86_WRMSR] = "x86_wrmsr",
	    [KVM_EXIT_DIRTY_RING_FULL] = "dirty_ring_full",
	    [KVM_EXIT_X86_BUS_LOCK] = "x86_bus_lock",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "other";
}
