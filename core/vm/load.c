// SPDX-License-Identifier: GPL-2.0
/*
 * vm_load_kernel(): the kernel's bytes into guest RAM. A 60 MiB ELF vmlinux
 * copied page by page costs tens of milliseconds of faults and copying
 * before the first KVM_RUN; mapping the same pages from the file,
 * MAP_PRIVATE, costs a few system calls, and the guest faults in only what
 * it touches, sharing the page cache until it writes (copy on write).
 * KVM follows the change: a memslot names host virtual addresses, and KVM
 * resolves them at fault time through the current mapping (its MMU
 * notifier drops anything stale), also when a lease break later moves
 * copies over the pages while the guest runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/file.h"
#include "core/vm/freeze.h"
#include "core/vm/vm.h"

static u64 load_page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (u64)p : 4096;
}

/* A file to load from: its checked mapping, and a descriptor to read or map it from. */
struct load_src {
	struct vm *vm;		 /* whose vCPUs write the pages (load_map()'s guard) */
	const char *what, *path; /* for the SIGBUS message of a file cut short (file.h) */
	const u8 *img;
	size_t len;
	int fd;	       /* -1: copy from img */
	bool mappable; /* the file never changes, or is leased: its pages may be mapped */
	bool leased;   /* under a lease (file_lease()), which must still be held to map */
	u64 *mapped;   /* bytes mapped, added to */
};

/* How long a lease break may wait for another freeze: lease-break-time less 10 s, 1 s at least. */
static u64 load_lease_wait_ms(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/fs/lease-break-time", O_RDONLY | O_CLOEXEC);
	long s = 0;

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			s = atol(buf);
		close(fd);
	}
	if (s <= 0)
		s = 45; /* the kernel's default */
	return s > 11 ? (u64)(s - 10) * 1000 : 1000;
}

/*
 * A lease break (file_lease()) replaces mapped guest pages with copies.
 * While the guest runs, every vCPU is parked and every device paused
 * (device.h: no ring or buffer written, no block request in flight)
 * meanwhile, so no write to guest memory falls between the copy and the
 * move, and vm_run() does not end under it (run_lock). Before the vCPU
 * threads start, nothing but this thread's setup writes guest memory, and
 * not those pages. A freeze cancelled by the VM's end is not thawed; one
 * that timed out (a vCPU that does not park) is said.
 */
static bool load_guard_pause(void *ctx)
{
	struct vm *vm = ctx;
	int ret;

	pthread_mutex_lock(&vm->run_lock);
	if (!vm->running) {
		pthread_mutex_unlock(&vm->run_lock);
		return false;
	}
	/*
	 * Behind another freeze (a dump being written), waited for only
	 * until 10 s before the kernel would end the lease by force and
	 * truncate the file under the guest; then this joins that freeze,
	 * which then lasts until the copy is done too.
	 */
	ret = freeze_all_bounded(vm, load_lease_wait_ms(), 5000);
	if (ret == -ETIMEDOUT)
		error_warn("a file the guest runs from is being rewritten: %s; copying it anyway",
			   error_msg());
	vm->lease_frozen = ret >= 0 || ret == -ETIMEDOUT;
	vm_devices_pause(vm);
	return true;
}

static void load_guard_resume(void *ctx)
{
	struct vm *vm = ctx;

	vm_devices_resume(vm);
	if (vm->lease_frozen)
		freeze_thaw(vm);
	pthread_mutex_unlock(&vm->run_lock);
}

/* Map file [off, off + len) at dst; all three page-aligned. */
static int load_map(const struct load_src *src, u8 *dst, u64 off, u64 len)
{
	const struct file_guard guard = {load_guard_pause, load_guard_resume, src->vm};
	int ret = file_map_at(dst, len, src->fd, off, src->leased, src->what, src->path, &guard);

	if (ret == 0)
		*src->mapped += len;
	return ret;
}

/*
 * Copy file [off, off + len) to dst: read() straight into guest RAM, which
 * saves faulting in the file's mapping (a fifth of the copy's time for a
 * 57 MiB vmlinux); the mapping the inputs were checked through if that fails.
 */
static void load_copy(const struct load_src *src, u8 *dst, u64 off, u64 len)
{
	u64 done = 0;

	while (src->fd >= 0 && done < len) {
		ssize_t n = pread(src->fd, dst + done, len - done, (off_t)(off + done));

		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		done += n > 0 ? (u64)n : 0;
	}
	memcpy(dst + done, src->img + off + done, len - done);
}

/* Fresh zero pages over dst [0, len), page-aligned: no zeroing by hand, nothing faulted in. */
static int load_zero_pages(u8 *dst, u64 len)
{
	void *m = mmap(dst, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);

	return m == MAP_FAILED ? -errno : 0;
}

/* src [off, off + filesz) at dst (guest address gpa), then zeros to memsz; checked by the caller. */
static int load_span(const struct load_src *src, u8 *dst, u64 gpa, u64 off, u64 filesz, u64 memsz)
{
	u64 page = load_page_size(), head = 0, body = 0, zero_from;

	/*
	 * Guest RAM is anonymous memory the host page size divides: the same
	 * alignment of gpa and the host address.
	 */
	if (src->mappable && src->fd >= 0 && (gpa - off) % page == 0) {
		head = MIN(filesz, (page - gpa % page) % page);
		body = (filesz - head) / page * page;
	}
	/*
	 * A file system that cannot map, a lease already broken, a full table
	 * of mappings: copy instead. A failed MAP_FIXED may have unmapped the
	 * range already: anonymous memory goes back first.
	 */
	if (body && load_map(src, dst + head, off + head, body) < 0) {
		if (load_zero_pages(dst + head, body) < 0)
			return -ENOMEM;
		body = 0;
	}
	load_copy(src, dst, off, head);
	load_copy(src, dst + head + body, off + head + body, filesz - head - body);
	/* The zero tail: whole pages replaced, the partial ones cleared. */
	zero_from = filesz;
	if (memsz - filesz >= 2 * page) {
		u64 a = ALIGN_UP(gpa + filesz, page) - gpa, b = ALIGN_DOWN(gpa + memsz, page) - gpa;

		if (load_zero_pages(dst + a, b - a) < 0)
			return -ENOMEM; /* the range may be gone: see above */
		memset(dst + filesz, 0, a - filesz);
		zero_from = b;
	}
	memset(dst + zero_from, 0, memsz - zero_from);
	return 0;
}

int vm_load_kernel(struct vm *vm, u64 gpa, u64 off, u64 filesz, u64 memsz)
{
	struct load_src src = {.vm = vm,
			       .what = "kernel",
			       .path = vm->cfg.kernel,
			       .img = vm->kernel_img,
			       .len = vm->kernel_len,
			       .fd = vm->kernel_fd,
			       .mappable = vm->cfg.kernel_mappable || vm->kernel_leased,
			       .leased = vm->kernel_leased,
			       .mapped = &vm->kernel_mapped};
	u8 *dst;

	if (filesz > memsz || off > vm->kernel_len || filesz > vm->kernel_len - off)
		return -EINVAL;
	dst = vm_gpa(vm, gpa, memsz);
	if (!dst)
		return -EFAULT;
	return load_span(&src, dst, gpa, off, filesz, memsz);
}

int vm_load_initrd(struct vm *vm, u64 gpa)
{
	struct load_src base = {.vm = vm,
				.what = "initrd",
				.path = vm->cfg.initrd_base,
				.img = vm->initrd_base_img,
				.len = vm->initrd_base_len,
				.fd = vm->initrd_base_fd,
				.mappable = true,
				.mapped = &vm->initrd_mapped};
	struct load_src rest = {.vm = vm,
				.what = "initrd",
				.path = vm->cfg.initrd,
				.img = vm->initrd_img,
				.len = vm->initrd_img_len,
				.fd = vm->initrd_fd,
				.mappable = vm->initrd_leased,
				.leased = vm->initrd_leased,
				.mapped = &vm->initrd_mapped};
	u64 at = ALIGN_UP(vm->initrd_base_len, 4);
	u8 *dst = vm_gpa(vm, gpa, vm->initrd_len);
	int ret = 0;

	if (!dst || vm->initrd_len != at + vm->initrd_img_len)
		return -EFAULT;
	if (vm->initrd_base_len)
		ret = load_span(&base, dst, gpa, 0, vm->initrd_base_len, at);
	if (!ret && vm->initrd_img_len)
		ret =
		    load_span(&rest, dst + at, gpa + at, 0, vm->initrd_img_len, vm->initrd_img_len);
	return ret;
}
