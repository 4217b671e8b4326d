// SPDX-License-Identifier: GPL-2.0
/*
 * core/image/ksyms_file.c: symbol addresses from a System.map and from a vmlinux,
 * both written here (the ELF files with libelf), and the files that have
 * none: Debian's placeholder System.map and a stripped vmlinux.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/types.h"
#include "core/base/error.h"
#include "core/image/ksyms_file.h"
#include "tests/test.h"
#include "wire/wire.h"

static const char *write_file(const char *name, const void *data, size_t len)
{
	const char *path = test_tmp_path(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, data, len), (ssize_t)len);
	ASSERT_EQ(close(fd), 0);
	return path;
}

static const char *write_text(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

/* Did the last call fail with an input error whose message has all of want? */
static void expect_msg(const char *want1, const char *want2)
{
	EXPECT_EQ(error_kind(), ERROR_INPUT);
	if (!strstr(error_msg(), want1) || (want2 && !strstr(error_msg(), want2)))
		test_fail_at(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"%s%s%s", error_msg(),
			     want1, want2 ? " or \"" : "", want2 ? want2 : "", want2 ? "\"" : "");
}

/* ---- System.map ------------------------------------------------------------ */

static const char system_map[] = "0000000000000000 D __per_cpu_start\n"
				 "ffffffff81000000 T _text\n"
				 "ffffffff81000000 T startup_64\n"
				 "ffffffff81234560 t twice\n"
				 "ffffffff82a1b2c0 D vm_swappiness\n"
				 "ffffffff82a1b2c8 D vm_swappiness_extra\n"
				 "ffffffff83000000 b twice\n"
				 "ffffffff8300a018 d foo.llvm.123\r\n"
				 "FFFFFFFF83100000 B upper\n"
				 "ffffffff83200000 B last";

TEST(ksyms_file_system_map)
{
	const char *path = write_text("System.map", system_map);
	u64 addr = 1;

	ASSERT_EQ(ksyms_file_lookup(path, "vm_swappiness", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff82a1b2c0ULL);
	ASSERT_EQ(ksyms_file_lookup(path, "_text", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff81000000ULL);
	ASSERT_EQ(ksyms_file_lookup(path, "__per_cpu_start", &addr), 0);
	EXPECT_EQ(addr, 0);
	/* the first of two wins */
	ASSERT_EQ(ksyms_file_lookup(path, "twice", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff81234560ULL);
	ASSERT_EQ(ksyms_file_lookup(path, "foo.llvm.123", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff8300a018ULL);
	ASSERT_EQ(ksyms_file_lookup(path, "upper", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff83100000ULL);
	ASSERT_EQ(ksyms_file_lookup(path, "last", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff83200000ULL);
}

TEST(ksyms_file_system_map_missing_symbol)
{
	const char *path = write_text("System.map", system_map);
	u64 addr = 7;

	error_clear();
	EXPECT_EQ(ksyms_file_lookup(path, "vm_swap", &addr), -ENOENT);
	expect_msg(path, "no symbol vm_swap");
	EXPECT_EQ(addr, 7);
	EXPECT_EQ(ksyms_file_lookup(path, "vm_swappiness_extra_", &addr), -ENOENT);
}

TEST(ksyms_file_system_map_skips_overlong_lines)
{
	char *text = malloc(4 * KSYMS_FILE_LINE_MAX);
	const char *path;
	size_t off = 0;
	u64 addr = 0;

	ASSERT_TRUE(text != NULL);
	off += sprintf(text, "ffffffff81000000 T _text\n");
	/* a line whose tail, one buffer in, looks like a line of its own */
	off += sprintf(text + off, "ffffffff81000000 T ");
	memset(text + off, 'a', 2 * (KSYMS_FILE_LINE_MAX - 1) - 19);
	off += 2 * (KSYMS_FILE_LINE_MAX - 1) - 19;
	off += sprintf(text + off, "0000000000000bad D hidden\n");
	sprintf(text + off, "ffffffff82000000 D after\n");
	path = write_text("System.map-long", text);
	free(text);

	EXPECT_EQ(ksyms_file_lookup(path, "hidden", &addr), -ENOENT);
	ASSERT_EQ(ksyms_file_lookup(path, "after", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff82000000ULL);
}

TEST(ksyms_file_debian_stub)
{
	/* /boot/System.map-6.1.0-57-amd64 as Debian ships it, byte for byte */
	static const char stub[] = "ffffffffffffffff B The real System.map is in the "
				   "linux-image-<version>-dbg package\n";
	const char *path = write_text("System.map-6.1.0-57-amd64", stub);
	u64 addr = 3;

	ASSERT_EQ(strlen(stub), 83);
	error_clear();
	EXPECT_EQ(ksyms_file_lookup(path, "vm_swappiness", &addr), -EINVAL);
	expect_msg(path, "linux-image-<version>-dbg");
	EXPECT_TRUE(strstr(error_msg(), "placeholder") != NULL);
	EXPECT_EQ(addr, 3);
}

TEST(ksyms_file_not_a_system_map)
{
	static const u8 binary[] = {'M', 'Z', 0, 0, 0xff, '\n', 'x'};
	u64 addr;

	error_clear();
	EXPECT_EQ(ksyms_file_lookup(write_text("empty", ""), "x", &addr), -EINVAL);
	expect_msg(test_tmp_path("empty"), "empty");
	EXPECT_EQ(ksyms_file_lookup(write_text("words", "hello world\nffffffff81000000 T x\n"), "x",
				    &addr),
		  -EINVAL);
	expect_msg(test_tmp_path("words"), "neither an ELF vmlinux nor a System.map");
	EXPECT_EQ(ksyms_file_lookup(write_file("bin", binary, sizeof(binary)), "x", &addr),
		  -EINVAL);
	/* shapes a System.map line does not have */
	EXPECT_EQ(ksyms_file_lookup(write_text("l1", "ffff D\n"), "D", &addr), -EINVAL);
	EXPECT_EQ(ksyms_file_lookup(write_text("l2", "ffff  D x\n"), "x", &addr), -EINVAL);
	EXPECT_EQ(ksyms_file_lookup(write_text("l3", "ffff D x y\n"), "x", &addr), -EINVAL);
	EXPECT_EQ(ksyms_file_lookup(write_text("l4", "1ffffffff81000000 T x\n"), "x", &addr),
		  -EINVAL);
	EXPECT_EQ(ksyms_file_lookup(write_text("l5", "ffff D x\t[mod]\n"), "x", &addr), -EINVAL);
	/* after a good first line, bad lines are skipped */
	ASSERT_EQ(ksyms_file_lookup(write_text("l6", "ffff D a\nbad\nffff D b c\n0010 D b\n"), "b",
				    &addr),
		  0);
	EXPECT_EQ(addr, 0x10);
}

TEST(ksyms_file_bad_arguments)
{
	const char *path = write_text("System.map", system_map);
	char longname[WIRE_KSYM_NAME_MAX + 2];
	u64 addr;

	error_clear();
	EXPECT_EQ(ksyms_file_lookup(path, "", &addr), -EINVAL);
	expect_msg("not a kernel symbol name", NULL);
	EXPECT_EQ(ksyms_file_lookup(path, "a b", &addr), -EINVAL);
	EXPECT_EQ(ksyms_file_lookup(path, "vm_swappiness\n", &addr), -EINVAL);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_EQ(ksyms_file_lookup(path, longname, &addr), -EINVAL);

	error_clear();
	EXPECT_EQ(ksyms_file_lookup(test_tmp_path("no-such-file"), "x", &addr), -ENOENT);
	expect_msg(test_tmp_path("no-such-file"), "No such file");
	EXPECT_EQ(ksyms_file_lookup(test_tmpdir(), "x", &addr), -EINVAL);
	expect_msg(test_tmpdir(), "not a regular file");
}

/* ---- vmlinux --------------------------------------------------------------- */

struct sym {
	const char *name;
	u64 value;
	int type, bind;
	u16 shndx;
};

/* The .data section's index in the files written below. */
#define DATA_NDX 1

/*
 * A small x86_64 ET_EXEC with .data, and with syms (n of them) in a .symtab
 * when syms is not NULL; name -1 in st_name stands for an offset outside
 * .strtab. Sections: .data, [.symtab, .strtab,] .shstrtab.
 */
static const char *write_vmlinux(const char *file, const struct sym *syms, size_t n)
{
	static const char shstr[] = "\0.data\0.symtab\0.strtab\0.shstrtab";
	static u8 data[64];
	const char *path = test_tmp_path(file);
	Elf64_Sym *st = calloc(n + 1, sizeof(*st));
	char *str = calloc(1, 1 + n * (WIRE_KSYM_NAME_MAX + 1));
	size_t str_len = 1;
	Elf_Scn *scn;
	Elf_Data *d;
	Elf64_Shdr *sh;
	Elf64_Ehdr *eh;
	Elf *e;
	int fd;

	ASSERT_TRUE(st && str);
	ASSERT_NE(elf_version(EV_CURRENT), EV_NONE);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	ASSERT_TRUE(e != NULL);
	eh = elf64_newehdr(e);
	ASSERT_TRUE(eh != NULL);
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;

	scn = elf_newscn(e);
	ASSERT_EQ(elf_ndxscn(scn), DATA_NDX);
	d = elf_newdata(scn);
	d->d_buf = data;
	d->d_size = sizeof(data);
	d->d_type = ELF_T_BYTE;
	d->d_align = 8;
	sh = elf64_getshdr(scn);
	sh->sh_name = 1;
	sh->sh_type = SHT_PROGBITS;
	sh->sh_flags = SHF_ALLOC | SHF_WRITE;
	sh->sh_addr = 0xffffffff82a00000ULL;

	if (syms) {
		Elf_Scn *strscn;

		for (size_t i = 0; i < n; i++) {
			Elf64_Sym *s = &st[i + 1];

			if (syms[i].name == (const char *)-1) {
				s->st_name = 0x7fffffff;
			} else if (syms[i].name) {
				s->st_name = str_len;
				strcpy(str + str_len, syms[i].name);
				str_len += strlen(syms[i].name) + 1;
			}
			s->st_value = syms[i].value;
			s->st_size = 8;
			s->st_info = ELF64_ST_INFO(syms[i].bind, syms[i].type);
			s->st_shndx = syms[i].shndx;
		}
		scn = elf_newscn(e);
		strscn = elf_newscn(e);
		d = elf_newdata(scn);
		d->d_buf = st;
		d->d_size = (n + 1) * sizeof(*st);
		d->d_type = ELF_T_SYM;
		d->d_align = 8;
		sh = elf64_getshdr(scn);
		sh->sh_name = 7;
		sh->sh_type = SHT_SYMTAB;
		sh->sh_entsize = sizeof(Elf64_Sym);
		sh->sh_link = elf_ndxscn(strscn);
		sh->sh_info = 1; /* one past the last local: just the null symbol */

		d = elf_newdata(strscn);
		d->d_buf = str;
		d->d_size = str_len;
		d->d_type = ELF_T_BYTE;
		d->d_align = 1;
		sh = elf64_getshdr(strscn);
		sh->sh_name = 15;
		sh->sh_type = SHT_STRTAB;
	}

	scn = elf_newscn(e);
	d = elf_newdata(scn);
	d->d_buf = (void *)shstr;
	d->d_size = sizeof(shstr);
	d->d_type = ELF_T_BYTE;
	d->d_align = 1;
	sh = elf64_getshdr(scn);
	sh->sh_name = 23;
	sh->sh_type = SHT_STRTAB;
	eh->e_shstrndx = elf_ndxscn(scn);

	if (elf_update(e, ELF_C_WRITE) < 0)
		test_fail_at(__FILE__, __LINE__, "elf_update: %s", elf_errmsg(-1));
	elf_end(e);
	close(fd);
	free(st);
	free(str);
	return path;
}

static const struct sym vmlinux_syms[] = {
    /* not what is asked for: a section, a file, an undefined reference */
    {"vm_swappiness", 0x1000, STT_SECTION, STB_LOCAL, DATA_NDX},
    {"vm_swappiness", 0x2000, STT_FILE, STB_LOCAL, SHN_ABS},
    {"vm_swappiness", 0, STT_NOTYPE, STB_GLOBAL, SHN_UNDEF},
    {(const char *)-1, 0x3000, STT_OBJECT, STB_GLOBAL, DATA_NDX},
    {"vm_swappiness", 0xffffffff82a1b2c0ULL, STT_OBJECT, STB_GLOBAL, DATA_NDX},
    {"schedule", 0xffffffff81e00000ULL, STT_FUNC, STB_GLOBAL, DATA_NDX},
    {"_text", 0xffffffff81000000ULL, STT_NOTYPE, STB_GLOBAL, DATA_NDX},
    {"twice", 0xffffffff82a00010ULL, STT_OBJECT, STB_LOCAL, DATA_NDX},
    {"twice", 0xffffffff82a00020ULL, STT_OBJECT, STB_LOCAL, DATA_NDX},
    {"tls_thing", 0x40, STT_TLS, STB_GLOBAL, DATA_NDX},
    {"jiffies", 0xffffffff82a00008ULL, STT_OBJECT, STB_GLOBAL, SHN_ABS},
};

TEST(ksyms_file_vmlinux_symtab)
{
	const char *path = write_vmlinux("vmlinux", vmlinux_syms, ARRAY_SIZE(vmlinux_syms));
	u64 addr = 1;

	ASSERT_EQ(ksyms_file_lookup(path, "vm_swappiness", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff82a1b2c0ULL);
	ASSERT_EQ(ksyms_file_lookup(path, "schedule", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff81e00000ULL);
	ASSERT_EQ(ksyms_file_lookup(path, "_text", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff81000000ULL);
	ASSERT_EQ(ksyms_file_lookup(path, "twice", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff82a00010ULL);
	ASSERT_EQ(ksyms_file_lookup(path, "jiffies", &addr), 0);
	EXPECT_EQ(addr, 0xffffffff82a00008ULL);
}

TEST(ksyms_file_vmlinux_missing_symbol)
{
	const char *path = write_vmlinux("vmlinux", vmlinux_syms, ARRAY_SIZE(vmlinux_syms));
	u64 addr = 5;

	error_clear();
	EXPECT_EQ(ksyms_file_lookup(path, "nr_cpu_ids", &addr), -ENOENT);
	expect_msg(path, "no symbol nr_cpu_ids");
	/* a TLS symbol is not a kernel variable's address */
	EXPECT_EQ(ksyms_file_lookup(path, "tls_thing", &addr), -ENOENT);
	EXPECT_EQ(addr, 5);

	/* a symbol table with nothing but the null symbol */
	path = write_vmlinux("vmlinux-empty-symtab", vmlinux_syms, 0);
	EXPECT_EQ(ksyms_file_lookup(path, "vm_swappiness", &addr), -ENOENT);
}

TEST(ksyms_file_stripped_vmlinux)
{
	const char *path = write_vmlinux("vmlinux-stripped", NULL, 0);
	u64 addr = 9;

	error_clear();
	EXPECT_EQ(ksyms_file_lookup(path, "vm_swappiness", &addr), -ENOEXEC);
	expect_msg(path, "no symbol table");
	EXPECT_TRUE(strstr(error_msg(), "stripped") != NULL);
	EXPECT_EQ(addr, 9);
}

TEST(ksyms_file_damaged_elf)
{
	static const u8 magic_only[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	const char *path = write_vmlinux("vmlinux-cut", vmlinux_syms, ARRAY_SIZE(vmlinux_syms));
	struct stat st;
	u64 addr;

	EXPECT_EQ(
	    ksyms_file_lookup(write_file("elf-magic", magic_only, sizeof(magic_only)), "x", &addr),
	    -ENOEXEC);
	/* the section headers, at the end of the file, cut off */
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(truncate(path, st.st_size - 8), 0);
	error_clear();
	EXPECT_EQ(ksyms_file_lookup(path, "vm_swappiness", &addr), -ENOEXEC);
	expect_msg(path, "section header table");
}

/* A file's address where this boot put it: moved with _text, unless below it. */
TEST(ksyms_file_place_moves_with_text)
{
	const u64 text = 0xffffffff81000000ULL, live = 0xffffffff9a200000ULL;

	/* a data symbol above _text moves by the slide, up or down */
	EXPECT_EQ(ksyms_file_place(0xffffffff82a1b2c0ULL, text, live),
		  0xffffffff82a1b2c0ULL + (live - text));
	EXPECT_EQ(ksyms_file_place(0xffffffff9b000000ULL, live, text),
		  0xffffffff9b000000ULL - (live - text));
	/* x86_64's zero-based per-CPU runqueues stays */
	EXPECT_EQ(ksyms_file_place(0x32c40, text, live), 0x32c40);
	/* no slide, no change; unknown stays unknown */
	EXPECT_EQ(ksyms_file_place(0xffffffff82000000ULL, text, text), 0xffffffff82000000ULL);
	EXPECT_EQ(ksyms_file_place(0, text, live), 0);
	EXPECT_EQ(ksyms_file_place(0xffffffff82000000ULL, text, 0), 0);
	/* _text itself lands on the live _text */
	EXPECT_EQ(ksyms_file_place(text, text, live), live);
}
