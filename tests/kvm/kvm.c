// SPDX-License-Identifier: GPL-2.0
/* Helpers of the KVM test tier (kvm.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/vm/arch.h"
#include "tests/kvm/kvm.h"

#define KVM_MEM (64 * MiB)

void kvm_require(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), ver, ret;

	if (fd < 0)
		SKIP("/dev/kvm: %s", strerror(errno));
	ver = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ver < 0) {
		int err = errno;

		close(fd);
		SKIP("/dev/kvm does not answer KVM_GET_API_VERSION (%s): user-mode emulation?",
		     strerror(err));
	}
	ret = arch_kvm_check(fd);
	close(fd);
	if (ret < 0)
		SKIP("%s", error_msg());
}

void kvm_config(struct vm_config *cfg, const struct kvm_guest *g, u32 nr_cpus)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->raw = g->code;
	cfg->raw_len = g->len;
	cfg->nr_cpus = nr_cpus;
	cfg->mem_size = KVM_MEM;
	cfg->console_fd = -1;
	cfg->t_start_ns = clock_now_ns();
}

void kvm_console(struct vm_config *cfg, struct kvm_console *kc,
		 void (*rx)(void *ctx, const u8 *data, size_t len), void *ctx)
{
	memset(kc, 0, sizeof(*kc));
	kc->con.rx = rx;
	kc->con.rx_ctx = ctx;
	console_attach_device(&kc->con, &kc->dev);
	cfg->devices = &kc->dev;
	cfg->nr_devices = 1;
}

struct vm *kvm_create(const struct vm_config *cfg)
{
	struct vm *vm = NULL;
	int ret = vm_create(&vm, cfg);

	if (ret < 0) {
		test_fail_at(__FILE__, __LINE__, "vm_create: %s (%d)", error_msg(), ret);
		test_stop();
	}
	kvm_set64(vm, G_NR_CPUS, cfg->nr_cpus);
	return vm;
}

u64 kvm_data_gpa(void)
{
	return arch_raw_gpa() + G_DATA;
}

u8 *kvm_data(struct vm *vm)
{
	return vm_gpa(vm, kvm_data_gpa(), 4096);
}

u64 kvm_get64(struct vm *vm, u32 off)
{
	return __atomic_load_n((u64 *)(kvm_data(vm) + off), __ATOMIC_RELAXED);
}

u32 kvm_get32(struct vm *vm, u32 off)
{
	return __atomic_load_n((u32 *)(kvm_data(vm) + off), __ATOMIC_RELAXED);
}

void kvm_set64(struct vm *vm, u32 off, u64 v)
{
	__atomic_store_n((u64 *)(kvm_data(vm) + off), v, __ATOMIC_RELAXED);
}

static void *kvm_bg_thread(void *arg)
{
	struct kvm_bg *bg = arg;

	bg->ret = vm_run(bg->vm, &bg->res);
	return NULL;
}

void kvm_start(struct kvm_bg *bg, struct vm *vm)
{
	memset(bg, 0, sizeof(*bg));
	bg->vm = vm;
	ASSERT_EQ(pthread_create(&bg->thread, NULL, kvm_bg_thread, bg), 0);
	bg->started = true;
}

bool kvm_join(struct kvm_bg *bg, u64 limit_ms)
{
	struct timespec ts = clock_realtime_after_ms(limit_ms);

	if (!bg->started)
		return true;
	if (pthread_timedjoin_np(bg->thread, NULL, &ts) != 0)
		return false;
	bg->started = false;
	return true;
}

u64 kvm_now_ms(void)
{
	return clock_now_ns() / 1000000ULL;
}

bool kvm_wait(struct vm *vm, bool (*cond)(struct vm *vm, u64 arg), u64 arg, u64 limit_ms)
{
	u64 end = kvm_now_ms() + limit_ms;

	for (;;) {
		if (cond(vm, arg))
			return true;
		if (kvm_now_ms() >= end)
			return false;
		usleep(1000);
	}
}

bool kvm_counters_running(struct vm *vm, u64 mask)
{
	for (u32 i = 0; i < G_MAX_CPUS; i++)
		if ((mask & (1ULL << i)) && !kvm_get64(vm, G_COUNTER + 8 * i))
			return false;
	return true;
}

static u32 kvm_count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	u32 n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

u32 kvm_threads(void)
{
	return kvm_count_dir("/proc/self/task");
}

u32 kvm_threads_settled(u32 want)
{
	u32 n = kvm_threads();

	for (int i = 0; i < 200 && n != want; i++) {
		usleep(1000);
		n = kvm_threads();
	}
	return n;
}

u32 kvm_fds(void)
{
	return kvm_count_dir("/proc/self/fd") - 1; /* the directory's own */
}

u32 kvm_maps(void)
{
	FILE *f;
	u32 n = 0;
	int c;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
	/*
	 * ThreadSanitizer's runtime maps memory of its own as threads come
	 * and go, AddressSanitizer's allocator as it grows: not counted.
	 */
	return 0;
#endif
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		if (c == '\n')
			n++;
	fclose(f);
	return n;
}

void kvm_stop(struct kvm_bg *bg)
{
	vm_stop(bg->vm, VM_END_ERROR, "stopped by the test");
	if (!kvm_join(bg, 10000)) {
		test_fail_at(__FILE__, __LINE__, "vm_run did not return within 10 s of vm_stop");
		test_stop();
	}
}
