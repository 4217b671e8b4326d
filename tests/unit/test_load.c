// SPDX-License-Identifier: GPL-2.0
/*
 * vm_load_kernel() and vm_load_initrd() (core/vm/load.c) without KVM: a guest RAM slot made by
 * hand, a kernel file of random bytes. Whether its pages are mapped or
 * copied, guest RAM must hold the file's bytes and then zeros, however the
 * span is aligned; a write by the guest must never reach the file; a file
 * that may not be mapped is copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/base/file.h"
#include "core/vm/vm.h"
#include "tests/test.h"

#define RAM   (8 * MiB)
#define KFILE (3 * MiB + 1234) /* not a whole number of pages */

static struct vm *vm;
static u8 *want;

/* A VM with one RAM slot at gpa 0 full of 0xaa, and the kernel file open and mapped. */
static void load_setup(bool mappable)
{
	const char *path = test_tmp_path("kernel");
	int fd;

	if (!want) {
		want = malloc(KFILE);
		ASSERT_TRUE(want != NULL);
		srand(7);
		for (size_t i = 0; i < KFILE; i++)
			want[i] = (u8)rand();
		fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(file_write_all(fd, want, KFILE), 0);
		close(fd);
	}
	vm = calloc(1, sizeof(*vm));
	ASSERT_TRUE(vm != NULL);
	vm->mem[0].gpa = 0;
	vm->mem[0].size = RAM;
	vm->mem[0].hva =
	    mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(vm->mem[0].hva != MAP_FAILED);
	memset(vm->mem[0].hva, 0xaa, RAM);
	vm->nr_mem = 1;
	vm->cfg.kernel = path;
	vm->cfg.kernel_mappable = mappable;
	ASSERT_EQ(file_map(path, "kernel", 64 * MiB, &vm->kernel_img, &vm->kernel_len), 0);
	vm->kernel_fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(vm->kernel_fd, 0);
	vm->initrd_base_fd = -1;
}

static void load_teardown(void)
{
	file_unmap(vm->kernel_img, vm->kernel_len);
	if (vm->kernel_fd >= 0)
		close(vm->kernel_fd);
	file_untrack_within(vm->mem[0].hva, RAM);
	munmap(vm->mem[0].hva, RAM);
	free(vm);
	vm = NULL;
}

/* RAM at gpa: file [off, off + filesz), then zeros to memsz, and 0xaa around it. */
static void expect_loaded(u64 gpa, u64 off, u64 filesz, u64 memsz)
{
	const u8 *ram = vm->mem[0].hva;
	u64 i;

	EXPECT_EQ(memcmp(ram + gpa, want + off, filesz), 0);
	for (i = filesz; i < memsz && ram[gpa + i] == 0; i++)
		;
	EXPECT_EQ(i, memsz);
	if (gpa)
		EXPECT_EQ(ram[gpa - 1], 0xaa);
	if (gpa + memsz < RAM)
		EXPECT_EQ(ram[gpa + memsz], 0xaa);
}

TEST(mapped_when_aligned)
{
	load_setup(true);
	ASSERT_EQ(vm_load_kernel(vm, 1 * MiB, 0, KFILE, KFILE + 2 * MiB + 77), 0);
	expect_loaded(1 * MiB, 0, KFILE, KFILE + 2 * MiB + 77);
	EXPECT_GT(vm->kernel_mapped, 2 * MiB);
	load_teardown();
}

/* gpa and offset mid-page but congruent: the partial pages are copied, the rest mapped. */
TEST(partial_pages_copied)
{
	/* 1 MiB - page: a multiple of any host page size (4, 16, 64 KiB). */
	u64 off = 0x234 + (u64)sysconf(_SC_PAGESIZE);

	load_setup(true);
	ASSERT_EQ(vm_load_kernel(vm, 1 * MiB + 0x234, off, 2 * MiB + 5, 2 * MiB + 9000), 0);
	expect_loaded(1 * MiB + 0x234, off, 2 * MiB + 5, 2 * MiB + 9000);
	EXPECT_GT(vm->kernel_mapped, 0);
	EXPECT_LT(vm->kernel_mapped, 2 * MiB + 5);
	load_teardown();
}

/* Offsets that the page size does not align alike: all copied. */
TEST(copied_when_not_congruent)
{
	load_setup(true);
	ASSERT_EQ(vm_load_kernel(vm, 1 * MiB + 8, 0, KFILE, KFILE), 0);
	expect_loaded(1 * MiB + 8, 0, KFILE, KFILE);
	EXPECT_EQ(vm->kernel_mapped, 0);
	load_teardown();
}

TEST(copied_when_not_mappable)
{
	load_setup(false);
	ASSERT_EQ(vm_load_kernel(vm, 2 * MiB, 0, KFILE, KFILE + 4096 * 3), 0);
	expect_loaded(2 * MiB, 0, KFILE, KFILE + 4096 * 3);
	EXPECT_EQ(vm->kernel_mapped, 0);
	load_teardown();
	/* Without the file open: from the checked mapping. */
	load_setup(false);
	close(vm->kernel_fd);
	vm->kernel_fd = -1;
	ASSERT_EQ(vm_load_kernel(vm, 2 * MiB, 4096, KFILE - 4096, KFILE), 0);
	expect_loaded(2 * MiB, 4096, KFILE - 4096, KFILE);
	load_teardown();
}

/*
 * A descriptor that can be neither mapped nor read at an offset (a pipe):
 * the mapping fails without harm and the bytes come from the checked
 * mapping.
 */
TEST(fallback_when_the_file_cannot_be_mapped)
{
	int p[2];

	load_setup(true);
	ASSERT_EQ(pipe(p), 0);
	close(vm->kernel_fd);
	vm->kernel_fd = p[0];
	ASSERT_EQ(vm_load_kernel(vm, 1 * MiB, 0, KFILE, KFILE + 3 * 4096), 0);
	expect_loaded(1 * MiB, 0, KFILE, KFILE + 3 * 4096);
	EXPECT_EQ(vm->kernel_mapped, 0);
	close(p[1]);
	load_teardown();
}

/* The guest's writes are its own: the file keeps its bytes. */
TEST(guest_writes_do_not_reach_the_file)
{
	u8 *file;
	size_t len;

	load_setup(true);
	ASSERT_EQ(vm_load_kernel(vm, 1 * MiB, 0, KFILE, KFILE), 0);
	ASSERT_GT(vm->kernel_mapped, 0);
	memset(vm->mem[0].hva + 1 * MiB, 0x55, KFILE);
	load_teardown();
	ASSERT_EQ(file_map(test_tmp_path("kernel"), "kernel", 64 * MiB, &file, &len), 0);
	EXPECT_EQ(len, (size_t)KFILE);
	EXPECT_EQ(memcmp(file, want, KFILE), 0);
	file_unmap(file, len);
}

TEST(bad_spans)
{
	load_setup(true);
	EXPECT_EQ(vm_load_kernel(vm, 1 * MiB, 0, KFILE + 1, KFILE + 1), -EINVAL);
	EXPECT_EQ(vm_load_kernel(vm, 1 * MiB, KFILE, 1, 1), -EINVAL);
	EXPECT_EQ(vm_load_kernel(vm, 1 * MiB, ~0ULL, 1, 1), -EINVAL);
	EXPECT_EQ(vm_load_kernel(vm, 1 * MiB, 0, 2, 1), -EINVAL);
	EXPECT_EQ(vm_load_kernel(vm, RAM - 4096, 0, KFILE, KFILE), -EFAULT);
	EXPECT_EQ(vm_load_kernel(vm, ~0ULL - 10, 0, 100, 100), -EFAULT);
	EXPECT_EQ(vm->kernel_mapped, 0);
	/* Nothing was written. */
	EXPECT_EQ(vm->mem[0].hva[1 * MiB], 0xaa);
	load_teardown();
}

/* vm_load_initrd(): the base mapped, zeros to a multiple of 4, then the rest copied. */
TEST(initrd_base_then_rest)
{
	const u64 base_len = 2 * MiB + 4096 + 3, rest_len = 70001, at = 3 * MiB;
	const u8 *ram;
	u64 pad = ALIGN_UP(base_len, 4);

	load_setup(true);
	/* The kernel file stands in for both: the base is its head, the rest its tail. */
	vm->initrd_base_img = vm->kernel_img;
	vm->initrd_base_len = base_len;
	vm->initrd_base_fd = dup(vm->kernel_fd);
	vm->initrd_img = vm->kernel_img + 1 * MiB;
	vm->initrd_img_len = rest_len;
	vm->initrd_len = pad + rest_len;
	ASSERT_EQ(vm_load_initrd(vm, at), 0);
	ram = vm->mem[0].hva + at;
	EXPECT_EQ(memcmp(ram, want, base_len), 0);
	for (u64 i = base_len; i < pad; i++)
		EXPECT_EQ(ram[i], 0);
	EXPECT_EQ(memcmp(ram + pad, want + 1 * MiB, rest_len), 0);
	EXPECT_EQ(ram[pad + rest_len], 0xaa);
	EXPECT_EQ(ram[-1], 0xaa);
	EXPECT_GE(vm->initrd_mapped, 2 * MiB);
	EXPECT_EQ(vm->kernel_mapped, 0);
	/* A length that does not add up, or no room: refused, nothing written. */
	vm->initrd_len++;
	EXPECT_EQ(vm_load_initrd(vm, at), -EFAULT);
	vm->initrd_len--;
	EXPECT_EQ(vm_load_initrd(vm, RAM - 4096), -EFAULT);
	close(vm->initrd_base_fd);
	vm->initrd_base_img = vm->initrd_img = NULL;
	load_teardown();
}

/* Only a base, or only the rest (a user's --initrd): all there, nothing else touched. */
TEST(initrd_one_part)
{
	const u8 *ram;

	load_setup(true);
	vm->initrd_img = vm->kernel_img;
	vm->initrd_img_len = 12345;
	vm->initrd_len = 12345;
	ASSERT_EQ(vm_load_initrd(vm, 4 * MiB), 0);
	ram = vm->mem[0].hva + 4 * MiB;
	EXPECT_EQ(memcmp(ram, want, 12345), 0);
	EXPECT_EQ(ram[12345], 0xaa);
	EXPECT_EQ(vm->initrd_mapped, 0);
	vm->initrd_img = NULL;
	vm->initrd_img_len = 0;
	vm->initrd_base_img = vm->kernel_img;
	vm->initrd_base_len = 8192;
	vm->initrd_base_fd = -1; /* cannot map: copied */
	vm->initrd_len = 8192;
	ASSERT_EQ(vm_load_initrd(vm, 5 * MiB), 0);
	EXPECT_EQ(memcmp(vm->mem[0].hva + 5 * MiB, want, 8192), 0);
	EXPECT_EQ(vm->initrd_mapped, 0);
	vm->initrd_base_img = NULL;
	load_teardown();
}
