// SPDX-License-Identifier: GPL-2.0
/*
 * guest/init-blob.S: the init embedded in ktvm is a whole, static ELF
 * executable for the machine ktvm itself was built for.
 */
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/base/types.h"
#include "guest/init-blob.h"
#include "tests/test.h"

static Elf64_Ehdr blob_ehdr(void)
{
	Elf64_Ehdr eh;

	ASSERT_GE(ktvm_init_blob_size, sizeof(eh));
	memcpy(&eh, ktvm_init_blob, sizeof(eh));
	return eh;
}

TEST(blob_is_elf64_executable)
{
	Elf64_Ehdr eh = blob_ehdr();

	EXPECT_EQ(memcmp(eh.e_ident, ELFMAG, SELFMAG), 0);
	EXPECT_EQ(eh.e_ident[EI_CLASS], ELFCLASS64);
	/* static, not static-pie: the initramfs has no loader for it */
	EXPECT_EQ(eh.e_type, ET_EXEC);
	EXPECT_GT(ktvm_init_blob_size, 64 * 1024);
}

/* The same machine as this test binary: under qemu-user, the emulated one. */
TEST(blob_machine_is_the_build_arch)
{
	Elf64_Ehdr eh = blob_ehdr(), self;
	int fd = open("/proc/self/exe", O_RDONLY);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(read(fd, &self, sizeof(self)), (ssize_t)sizeof(self));
	close(fd);
	EXPECT_EQ(eh.e_machine, self.e_machine);
}

TEST(blob_is_whole_and_static)
{
	Elf64_Ehdr eh = blob_ehdr();
	Elf64_Phdr ph;
	u64 end = 0;

	ASSERT_EQ(eh.e_phentsize, sizeof(ph));
	ASSERT_LE(eh.e_phoff + (u64)eh.e_phnum * sizeof(ph), ktvm_init_blob_size);
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, ktvm_init_blob + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		EXPECT_NE(ph.p_type, PT_INTERP);
		EXPECT_NE(ph.p_type, PT_DYNAMIC);
		if (ph.p_type == PT_LOAD && ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	/* every loaded byte is in the blob (sections and symbols follow) */
	EXPECT_GT(end, 0);
	EXPECT_LE(end, ktvm_init_blob_size);
	/* the section headers come last: their end is the file's */
	EXPECT_EQ(eh.e_shoff + (u64)eh.e_shnum * eh.e_shentsize, ktvm_init_blob_size);
}
