// SPDX-License-Identifier: GPL-2.0
/*
 * vm_load_kernel(): the kernel's bytes into guest RAM. A 60 MiB ELF vmlinux
 * copied page by page costs tens of milliseconds of faults and copying
 * before the first KVM_RUN; mapping the same pages from the file,
 * MAP_PRIVATE, costs a few system calls, and the guest faults in only what
 * it touches, sharing the page cache until it writes (copy on write).
 * KVM follows the change: a memslot names host virtual addresses, and KVM
 * resolves them at fault time through the current mapping (its MMU
 * notifier drops anything stale; nothing has run yet anyway).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/vm/vm.h"

static u64 load_page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (u64)p : 4096;
}

/* Map file [off, off + len) at dst; all three page-aligned. */
static int load_map(struct vm *vm, u8 *dst, u64 off, u64 len)
{
	void *m = mmap(dst, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE,
		       vm->kernel_fd, (off_t)off);

	if (m == MAP_FAILED)
		return -errno;
	vm->kernel_mapped += len;
	return 0;
}

/*
 * Copy file [off, off + len) to dst: read() straight into guest RAM, which
 * saves faulting in the file's mapping (a fifth of the copy's time for a
 * 57 MiB vmlinux); the mapping the inputs were checked through if that fails.
 */
static void load_copy(struct vm *vm, u8 *dst, u64 off, u64 len)
{
	u64 done = 0;

	while (vm->kernel_fd >= 0 && done < len) {
		ssize_t n = pread(vm->kernel_fd, dst + done, len - done, (off_t)(off + done));

		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		done += n > 0 ? (u64)n : 0;
	}
	memcpy(dst + done, vm->kernel_img + off + done, len - done);
}

/* Fresh zero pages over dst [0, len), page-aligned: no zeroing by hand, nothing faulted in. */
static int load_zero_pages(u8 *dst, u64 len)
{
	void *m = mmap(dst, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);

	return m == MAP_FAILED ? -errno : 0;
}

int vm_load_kernel(struct vm *vm, u64 gpa, u64 off, u64 filesz, u64 memsz)
{
	u64 page = load_page_size(), head, body, zero_from;
	u8 *dst;

	if (filesz > memsz || off > vm->kernel_len || filesz > vm->kernel_len - off)
		return -EINVAL;
	dst = vm_gpa(vm, gpa, memsz);
	if (!dst)
		return -EFAULT;
	/*
	 * Guest RAM is anonymous memory the host page size divides: the same
	 * alignment of gpa and the host address.
	 */
	head = body = 0;
	if (vm->cfg.kernel_mappable && vm->kernel_fd >= 0 && (gpa - off) % page == 0) {
		head = MIN(filesz, (page - gpa % page) % page);
		body = (filesz - head) / page * page;
	}
	/*
	 * A file system that cannot map: copy instead. A failed MAP_FIXED may
	 * have unmapped the range already: anonymous memory goes back first.
	 */
	if (body && load_map(vm, dst + head, off + head, body) < 0) {
		if (load_zero_pages(dst + head, body) < 0)
			return -ENOMEM;
		body = 0;
	}
	load_copy(vm, dst, off, head);
	load_copy(vm, dst + head + body, off + head + body, filesz - head - body);
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
