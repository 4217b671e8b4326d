// SPDX-License-Identifier: GPL-2.0
/*
 * guest/kaddr.c: /proc/kallsyms lines and lookups, and reading kernel memory
 * through an ELF64 core file, on fake files built here.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "guest/kaddr.h"
#include "tests/test.h"

#define TEXT_VADDR 0xffffffff81000000ULL
#define TEXT_OFF   0x3000ULL
#define TEXT_SIZE  0x200ULL
#define MAP_VADDR  0xffff888000000000ULL
#define MAP_OFF	   0x1000ULL
#define MAP_SIZE   0x1000ULL

/* ---- kallsyms ------------------------------------------------------------ */

TEST(kaddr_parse_core_symbol)
{
	char name[64];
	u64 addr = 0;

	ASSERT_EQ(kaddr_parse_line("ffffffff82a0f010 D phys_base\n", &addr, name, sizeof(name)), 0);
	EXPECT_EQ(addr, 0xffffffff82a0f010ULL);
	EXPECT_STREQ(name, "phys_base");
	ASSERT_EQ(
	    kaddr_parse_line("0000000000000000 d page_offset_base", &addr, name, sizeof(name)), 0);
	EXPECT_EQ(addr, 0);
	EXPECT_STREQ(name, "page_offset_base");
	ASSERT_EQ(kaddr_parse_line("ffffffc008000000 T _text\n", &addr, name, sizeof(name)), 0);
	EXPECT_EQ(addr, 0xffffffc008000000ULL);
}

TEST(kaddr_parse_rejects_other_lines)
{
	char name[8];
	u64 addr;

	EXPECT_EQ(kaddr_parse_line("ffffffffc0a01000 t foo\t[virtio_console]\n", &addr, name,
				   sizeof(name)),
		  -ENOENT);
	EXPECT_EQ(kaddr_parse_line("", &addr, name, sizeof(name)), -EINVAL);
	EXPECT_EQ(kaddr_parse_line("\n", &addr, name, sizeof(name)), -EINVAL);
	EXPECT_EQ(kaddr_parse_line("zzzz D x\n", &addr, name, sizeof(name)), -EINVAL);
	EXPECT_EQ(kaddr_parse_line("ffff D\n", &addr, name, sizeof(name)), -EINVAL);
	EXPECT_EQ(kaddr_parse_line("ffff  D x\n", &addr, name, sizeof(name)), -EINVAL);
	EXPECT_EQ(kaddr_parse_line("ffff DD x\n", &addr, name, sizeof(name)), -EINVAL);
	EXPECT_EQ(kaddr_parse_line("ffff D x y\n", &addr, name, sizeof(name)), -EINVAL);
	/* 17 hex digits is not a 64-bit address */
	EXPECT_EQ(kaddr_parse_line("1ffffffff81000000 T x\n", &addr, name, sizeof(name)), -EINVAL);
	/* longer than the caller's buffer */
	EXPECT_EQ(kaddr_parse_line("ffff D long_name\n", &addr, name, sizeof(name)), -EINVAL);
}

static FILE *kallsyms_file(const char *text)
{
	FILE *f = fopen(test_tmp_path("kallsyms"), "w+");

	ASSERT_TRUE(f != NULL);
	fputs(text, f);
	rewind(f);
	return f;
}

TEST(kaddr_lookup_core_symbols_only)
{
	static const char *const names[] = {"phys_base", "page_offset_base", "absent"};
	FILE *f = kallsyms_file("ffffffff81000000 T _text\n"
				"ffffffff81000010 T phys_base_helper\n"
				"ffffffff82a0f010 D phys_base\n"
				"garbage line\n"
				"ffffffff8300a018 D page_offset_base\n"
				"ffffffffc0000000 d absent\t[mod]\n");
	u64 addrs[3];
	bool found[3];

	EXPECT_EQ(kaddr_lookup(f, names, addrs, found, 3), 2);
	fclose(f);
	EXPECT_TRUE(found[0]);
	EXPECT_EQ(addrs[0], 0xffffffff82a0f010ULL);
	EXPECT_TRUE(found[1]);
	EXPECT_EQ(addrs[1], 0xffffffff8300a018ULL);
	EXPECT_FALSE(found[2]);
	EXPECT_EQ(addrs[2], 0);
}

TEST(kaddr_lookup_first_match_and_hidden)
{
	static const char *const names[] = {"phys_base"};
	FILE *f = kallsyms_file("0000000000000000 D phys_base\n"
				"ffffffff82a0f010 D phys_base\n");
	u64 addr;
	bool found;

	EXPECT_EQ(kaddr_lookup(f, names, &addr, &found, 1), 1);
	fclose(f);
	EXPECT_TRUE(found);
	EXPECT_EQ(addr, 0);
}

/* ---- kcore --------------------------------------------------------------- */

struct fake_core {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
};

/*
 * PT_NOTE, then the direct map at file offset MAP_OFF and the kernel text
 * at TEXT_OFF, as /proc/kcore lays them out. Every 8-byte word holds its
 * own virtual address, so any read shows where it came from.
 */
static int fake_kcore(const char *name, bool xnum)
{
	struct fake_core c;
	Elf64_Shdr sh;
	int fd = open(test_tmp_path(name), O_RDWR | O_CREAT | O_TRUNC, 0600);
	u64 v;

	ASSERT_GE(fd, 0);
	memset(&c, 0, sizeof(c));
	memcpy(c.eh.e_ident, ELFMAG, SELFMAG);
	c.eh.e_ident[EI_CLASS] = ELFCLASS64;
	c.eh.e_ident[EI_DATA] =
	    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	c.eh.e_ident[EI_VERSION] = EV_CURRENT;
	c.eh.e_type = ET_CORE;
	c.eh.e_version = EV_CURRENT;
	c.eh.e_phoff = offsetof(struct fake_core, ph);
	c.eh.e_ehsize = sizeof(c.eh);
	c.eh.e_phentsize = sizeof(Elf64_Phdr);
	c.eh.e_phnum = 3;
	c.ph[0] = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = 0x800, .p_filesz = 0x10};
	c.ph[1] = (Elf64_Phdr){.p_type = PT_LOAD,
			       .p_offset = MAP_OFF,
			       .p_vaddr = MAP_VADDR,
			       .p_filesz = MAP_SIZE,
			       .p_memsz = MAP_SIZE};
	c.ph[2] = (Elf64_Phdr){.p_type = PT_LOAD,
			       .p_offset = TEXT_OFF,
			       .p_vaddr = TEXT_VADDR,
			       .p_filesz = TEXT_SIZE,
			       .p_memsz = TEXT_SIZE};
	if (xnum) {
		/* elf(5): the real count is in section header 0's sh_info */
		c.eh.e_phnum = PN_XNUM;
		c.eh.e_shoff = 0x400;
		c.eh.e_shentsize = sizeof(sh);
		c.eh.e_shnum = 0;
		memset(&sh, 0, sizeof(sh));
		sh.sh_info = 3;
		ASSERT_EQ(pwrite(fd, &sh, sizeof(sh), 0x400), (ssize_t)sizeof(sh));
	}
	ASSERT_EQ(pwrite(fd, &c, sizeof(c), 0), (ssize_t)sizeof(c));
	for (u64 o = 0; o < MAP_SIZE; o += 8) {
		v = MAP_VADDR + o;
		ASSERT_EQ(pwrite(fd, &v, 8, MAP_OFF + o), 8);
	}
	for (u64 o = 0; o < TEXT_SIZE; o += 8) {
		v = TEXT_VADDR + o;
		ASSERT_EQ(pwrite(fd, &v, 8, TEXT_OFF + o), 8);
	}
	return fd;
}

TEST(kaddr_kcore_reads_the_right_segment)
{
	int fd = fake_kcore("kcore", false);
	u64 v = 0;

	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR + 0x10, &v, 8), 0);
	EXPECT_EQ(v, TEXT_VADDR + 0x10);
	EXPECT_EQ(kaddr_kcore_read(fd, MAP_VADDR + 0xff8, &v, 8), 0);
	EXPECT_EQ(v, MAP_VADDR + 0xff8);
	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR + TEXT_SIZE - 8, &v, 8), 0);
	EXPECT_EQ(v, TEXT_VADDR + TEXT_SIZE - 8);
	close(fd);
}

TEST(kaddr_kcore_outside_segments)
{
	int fd = fake_kcore("kcore", false);
	u64 v = 0x1234;

	/* straddles the end of a segment, or in none at all */
	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR + TEXT_SIZE - 4, &v, 8), -EFAULT);
	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR + TEXT_SIZE, &v, 8), -EFAULT);
	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR - 8, &v, 8), -EFAULT);
	EXPECT_EQ(kaddr_kcore_read(fd, 0, &v, 8), -EFAULT);
	EXPECT_EQ(kaddr_kcore_read(fd, ~0ULL, &v, 8), -EFAULT);
	EXPECT_EQ(v, 0x1234);
	close(fd);
}

TEST(kaddr_kcore_pn_xnum)
{
	int fd = fake_kcore("kcore-xnum", true);
	u64 v = 0;

	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR + 0x20, &v, 8), 0);
	EXPECT_EQ(v, TEXT_VADDR + 0x20);
	close(fd);
}

TEST(kaddr_kcore_rejects_non_core)
{
	int fd = fake_kcore("kcore-bad", false);
	Elf64_Ehdr eh;
	u64 v;

	ASSERT_EQ(pread(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	eh.e_type = ET_EXEC;
	ASSERT_EQ(pwrite(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR, &v, 8), -ENOEXEC);
	eh.e_type = ET_CORE;
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	ASSERT_EQ(pwrite(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR, &v, 8), -ENOEXEC);
	/* a segment table past the end of the file */
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_phoff = 1 << 20;
	ASSERT_EQ(pwrite(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR, &v, 8), -ENOEXEC);
	eh.e_phoff = ~0ULL - 8;
	ASSERT_EQ(pwrite(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR, &v, 8), -ENOEXEC);
	ASSERT_EQ(ftruncate(fd, 10), 0);
	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR, &v, 8), -ENOEXEC);
	close(fd);
}

TEST(kaddr_kcore_data_past_file_end)
{
	int fd = fake_kcore("kcore-short", false);
	u64 v;

	/* the text segment's bytes are cut off: pread hits EOF */
	ASSERT_EQ(ftruncate(fd, TEXT_OFF + 0x10), 0);
	EXPECT_EQ(kaddr_kcore_read(fd, TEXT_VADDR + 0x100, &v, 8), -EFAULT);
	close(fd);
}

/* ---- the frame's fields -------------------------------------------------- */

static const unsigned int x86_fields[] = {WIRE_KA_PHYS_BASE, WIRE_KA_PAGE_OFFSET_BASE};
static const unsigned int a64_fields[] = {WIRE_KA_KIMAGE_VOFFSET, WIRE_KA_MEMSTART_ADDR};

/*
 * kaddr_collect_fields() of fields[0..n) (NULL: this arch's, through
 * kaddr_collect()) from a kallsyms file holding fmt's text and the fake
 * kcore named kcore. Returns its status.
 */
static __printf(5, 6) int collect(struct wire_kern_addrs *ka, const char *kcore,
				  const unsigned int *fields, size_t n, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fclose(kallsyms_file(text));
	if (!fields)
		return kaddr_collect(ka, test_tmp_path("kallsyms"), test_tmp_path(kcore));
	return kaddr_collect_fields(ka, test_tmp_path("kallsyms"), test_tmp_path(kcore), fields, n);
}

TEST(kaddr_collect_reads_both_variables)
{
	struct wire_kern_addrs ka;

	close(fake_kcore("kcore-collect", false));
	EXPECT_EQ(collect(&ka, "kcore-collect", x86_fields, 2,
			  "%llx T _text\n%llx D phys_base\n%llx D page_offset_base\n", TEXT_VADDR,
			  TEXT_VADDR + 0x40, TEXT_VADDR + 0x48),
		  0);
	EXPECT_EQ(ka.known, 1u << WIRE_KA_PHYS_BASE | 1u << WIRE_KA_PAGE_OFFSET_BASE);
	EXPECT_EQ(ka.val[WIRE_KA_PHYS_BASE], TEXT_VADDR + 0x40);
	EXPECT_EQ(ka.val[WIRE_KA_PAGE_OFFSET_BASE], TEXT_VADDR + 0x48);
	EXPECT_EQ(ka.val[WIRE_KA_KIMAGE_VOFFSET], 0);

	/* the aarch64 pair, from the same kind of files */
	EXPECT_EQ(collect(&ka, "kcore-collect", a64_fields, 2,
			  "%llx D memstart_addr\n%llx D kimage_voffset\n", TEXT_VADDR + 0x50,
			  TEXT_VADDR + 0x58),
		  0);
	EXPECT_EQ(ka.known, 1u << WIRE_KA_KIMAGE_VOFFSET | 1u << WIRE_KA_MEMSTART_ADDR);
	EXPECT_EQ(ka.val[WIRE_KA_KIMAGE_VOFFSET], TEXT_VADDR + 0x58);
	EXPECT_EQ(ka.val[WIRE_KA_MEMSTART_ADDR], TEXT_VADDR + 0x50);
	EXPECT_EQ(ka.val[WIRE_KA_PHYS_BASE], 0);

	/* this arch's own set */
	EXPECT_EQ(collect(&ka, "kcore-collect", NULL, 0,
			  "%llx D phys_base\n%llx D page_offset_base\n%llx D memstart_addr\n"
			  "%llx D kimage_voffset\n",
			  TEXT_VADDR + 0x40, TEXT_VADDR + 0x48, TEXT_VADDR + 0x50, TEXT_VADDR + 0x58),
		  0);
	EXPECT_EQ(__builtin_popcount(ka.known), KADDR_ARCH_FIELDS);
}

TEST(kaddr_collect_missing_parts_are_unknown)
{
	static const unsigned int bad[] = {WIRE_KA_NR};
	struct wire_kern_addrs ka;

	close(fake_kcore("kcore-collect", false));
	/* phys_base hidden, page_offset_base absent */
	EXPECT_EQ(collect(&ka, "kcore-collect", x86_fields, 2, "0000000000000000 D phys_base\n"),
		  2);
	EXPECT_EQ(ka.known, 0);

	/* one readable, one outside every kcore segment */
	EXPECT_EQ(collect(&ka, "kcore-collect", x86_fields, 2,
			  "%llx D phys_base\n%llx D page_offset_base\n", TEXT_VADDR + 0x40,
			  TEXT_VADDR - 0x1000),
		  1);
	EXPECT_EQ(ka.known, 1u << WIRE_KA_PHYS_BASE);

	/* addresses fine, kcore missing */
	EXPECT_EQ(collect(&ka, "no-kcore", x86_fields, 2,
			  "%llx D phys_base\n%llx D page_offset_base\n", TEXT_VADDR + 0x40,
			  TEXT_VADDR + 0x48),
		  2);
	EXPECT_EQ(ka.known, 0);

	EXPECT_EQ(kaddr_collect_fields(&ka, test_tmp_path("no-kallsyms"),
				       test_tmp_path("no-kcore"), x86_fields, 2),
		  2);
	EXPECT_EQ(ka.known, 0);
	EXPECT_EQ(kaddr_collect(&ka, test_tmp_path("no-kallsyms"), test_tmp_path("no-kcore")),
		  KADDR_ARCH_FIELDS);

	/* nothing asked, or a field that does not exist */
	EXPECT_EQ(kaddr_collect_fields(&ka, test_tmp_path("no-kallsyms"),
				       test_tmp_path("no-kcore"), x86_fields, 0),
		  0);
	EXPECT_EQ(kaddr_collect_fields(&ka, test_tmp_path("kallsyms"), test_tmp_path("no-kcore"),
				       bad, 1),
		  -EINVAL);
}
