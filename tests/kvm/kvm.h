/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the KVM test tier (tests/kvm): tiny guests of a few
 * instructions (tests/kvm/guests/) booted through the raw-image entry
 * (vm_config.raw, arch_boot_raw()), so a case tests ktvm's runtime -- vCPU
 * threads, freezes, watchpoints, setup phases, the virtio notify path --
 * in well under a second of guest time, without a Linux kernel.
 *
 * Every case starts with kvm_require(), which skips the case, with the
 * reason, where /dev/kvm cannot run guest code (missing, a paravirtual
 * kvm_pvm, or user-mode emulation); tests/harness/run.sh runs the tier in
 * a nested L1 there.
 */
#ifndef KTVM_TESTS_KVM_KVM_H
#define KTVM_TESTS_KVM_KVM_H

#include <pthread.h>

#include "core/base/types.h"
#include "core/vm/vm.h"
#include "devices/virtio/console_attach.h"
#include "tests/kvm/guests/layout.h"
#include "tests/test.h"

struct kvm_guest {
	const char *name;
	const u8 *code;
	size_t len;
};

#define KVM_GUEST(n)                                                                               \
	({                                                                                         \
		extern const u8 guest_##n[], guest_##n##_end[];                                    \
		(struct kvm_guest){#n, guest_##n, (size_t)(guest_##n##_end - guest_##n)};          \
	})

/* Skip the case (with the reason) unless /dev/kvm can run guest code here. */
void kvm_require(void);
/* A configuration for guest g on nr_cpus vCPUs: 64 MiB, no console copy, no devices. */
void kvm_config(struct vm_config *cfg, const struct kvm_guest *g, u32 nr_cpus);
/* ktvm's virtio console in cfg's device list, its channel's bytes to rx(ctx, ...). */
struct kvm_console {
	struct console_attach con;
	struct vm_device dev;
};
void kvm_console(struct vm_config *cfg, struct kvm_console *kc,
		 void (*rx)(void *ctx, const u8 *data, size_t len), void *ctx);
/* vm_create() or fail the case with ktvm's message. */
struct vm *kvm_create(const struct vm_config *cfg);
/* The guest's data page (G_DATA), host view. */
u8 *kvm_data(struct vm *vm);
u64 kvm_data_gpa(void);
/* A field of the data page, read once (the guest may be writing it). */
u64 kvm_get64(struct vm *vm, u32 off);
u32 kvm_get32(struct vm *vm, u32 off);
void kvm_set64(struct vm *vm, u32 off, u64 v);

/* vm_run() on a thread of its own, so a case can act on the running VM. */
struct kvm_bg {
	struct vm *vm;
	pthread_t thread;
	struct vm_result res;
	int ret;
	bool started;
};

void kvm_start(struct kvm_bg *bg, struct vm *vm);
/* Waits up to limit_ms for vm_run() to return: false if it did not. */
bool kvm_join(struct kvm_bg *bg, u64 limit_ms);
/* Polls cond(vm, arg) every millisecond for up to limit_ms. */
bool kvm_wait(struct vm *vm, bool (*cond)(struct vm *vm, u64 arg), u64 arg, u64 limit_ms);
/* cond for kvm_wait(): every vCPU in arg's bits has counted past 0. */
bool kvm_counters_running(struct vm *vm, u64 mask);
/* The running vCPU threads of the process (/proc/self/task). */
u32 kvm_threads(void);
/*
 * kvm_threads(), polled for up to 200 ms until it is want: a thread just
 * joined leaves /proc/self/task a moment after pthread_join() returns
 * (the kernel wakes the joiner before it reaps the thread). A thread
 * left running stays counted.
 */
u32 kvm_threads_settled(u32 want);
/* Open file descriptors (/proc/self/fd) and mappings (/proc/self/maps). */
u32 kvm_fds(void);
u32 kvm_maps(void);
u64 kvm_now_ms(void);
/* Stop a run the guest does not end, join it and tear down; fails the case if it hangs. */
void kvm_stop(struct kvm_bg *bg);

#endif
