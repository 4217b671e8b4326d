// SPDX-License-Identifier: GPL-2.0
/*
 * Shared-library closure against synthetic ELF files in a fake root, so the
 * same cases run on every host arch (the target here is always aarch64).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/image/elfdeps.h"
#include "core/base/error.h"
#include "tests/test.h"

struct fake_elf {
	u16 type, machine;
	const char *interp, *rpath, *runpath, *soname;
	const char *needed[4];
};

static char root[256];

/* mkdir -p for the parent of path */
static void mkparents(const char *path)
{
	char p[512];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
}

static const char *at(const char *rel)
{
	static char bufs[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(bufs[i], sizeof(bufs[i]), "%s%s", root, rel);
	return bufs[i];
}

/* One PT_LOAD over the whole file (vaddr = 0x10000 + offset), PT_INTERP, PT_DYNAMIC. */
static void write_elf(const char *rel, const struct fake_elf *f)
{
	u8 buf[2048] = {0};
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	Elf64_Dyn *dyn;
	size_t off = sizeof(*eh) + 3 * sizeof(*ph), str, ndyn = 0, interp = 0, nph = 1;
	const char *strs[8];
	u64 tags[8], offs[8];
	int n = 0, fd;

	if (f->interp) {
		interp = off;
		strcpy((char *)buf + off, f->interp);
		off += strlen(f->interp) + 1;
	}
	for (int i = 0; i < 4 && f->needed[i]; i++, n++)
		tags[n] = DT_NEEDED, strs[n] = f->needed[i];
	if (f->rpath)
		tags[n] = DT_RPATH, strs[n++] = f->rpath;
	if (f->runpath)
		tags[n] = DT_RUNPATH, strs[n++] = f->runpath;
	if (f->soname)
		tags[n] = DT_SONAME, strs[n++] = f->soname;
	str = off++;
	for (int i = 0; i < n; i++) {
		offs[i] = off - str;
		strcpy((char *)buf + off, strs[i]);
		off += strlen(strs[i]) + 1;
	}
	off = (off + 7) & ~7UL;
	dyn = (Elf64_Dyn *)(buf + off);
	for (int i = 0; i < n; i++)
		dyn[ndyn++] = (Elf64_Dyn){.d_tag = (s64)tags[i], .d_un.d_val = offs[i]};
	dyn[ndyn++] = (Elf64_Dyn){.d_tag = DT_STRTAB, .d_un.d_ptr = 0x10000 + str};
	dyn[ndyn++] = (Elf64_Dyn){.d_tag = DT_STRSZ, .d_un.d_val = (u64)(off - str)};
	dyn[ndyn++] = (Elf64_Dyn){.d_tag = DT_NULL};

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = f->type;
	eh->e_machine = f->machine;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	if (f->interp)
		ph[nph++] = (Elf64_Phdr){.p_type = PT_INTERP,
					 .p_offset = interp,
					 .p_vaddr = 0x10000 + interp,
					 .p_filesz = strlen(f->interp) + 1};
	if (n || f->interp)
		ph[nph++] = (Elf64_Phdr){.p_type = PT_DYNAMIC,
					 .p_offset = off,
					 .p_vaddr = 0x10000 + off,
					 .p_filesz = ndyn * sizeof(*dyn)};
	off += ndyn * sizeof(*dyn);
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_vaddr = 0x10000, .p_filesz = off};
	eh->e_phnum = (u16)nph;

	mkparents(at(rel));
	fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, buf, off), (ssize_t)off);
	close(fd);
}

static void lib(const char *rel, u16 machine, const char *soname, const char *n0, const char *n1)
{
	struct fake_elf f = {.type = ET_DYN, .machine = machine, .soname = soname};

	f.needed[0] = n0;
	f.needed[1] = n0 ? n1 : NULL;
	write_elf(rel, &f);
}

static void link_at(const char *target, const char *rel)
{
	mkparents(at(rel));
	unlink(at(rel));
	ASSERT_EQ(symlink(target, at(rel)), 0);
}

/* The fake aarch64 system every case shares. */
static void make_root(void)
{
	if (root[0])
		return;
	snprintf(root, sizeof(root), "%s/root", test_tmpdir());
	lib("/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1", EM_AARCH64, "ld-linux-aarch64.so.1",
	    NULL, NULL);
	link_at("aarch64-linux-gnu/ld-linux-aarch64.so.1", "/lib/ld-linux-aarch64.so.1");
	lib("/lib/aarch64-linux-gnu/libc.so.6", EM_AARCH64, "libc.so.6", "ld-linux-aarch64.so.1",
	    NULL);
	lib("/usr/lib/aarch64-linux-gnu/libfoo.so.1.2.3", EM_AARCH64, "libfoo.so.1", "libbar.so",
	    "libc.so.6");
	link_at("libfoo.so.1.2.3", "/usr/lib/aarch64-linux-gnu/libfoo.so.1");
	/* earlier in the search order, but for another machine: skipped */
	lib("/lib/aarch64-linux-gnu/libbar.so", EM_X86_64, NULL, NULL, NULL);
	lib("/usr/lib/libbar.so", EM_AARCH64, NULL, "libfoo.so.1", NULL);
}

static const struct elfdeps_file *find(const struct elfdeps *d, const char *guest)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].guest, guest))
			return &d->v[i];
	return NULL;
}

#define EXPECT_FILE(d, guest, rel)                                                                 \
	do {                                                                                       \
		const struct elfdeps_file *f_ = find(d, guest);                                    \
		ASSERT_TRUE(f_ != NULL);                                                           \
		EXPECT_TRUE(f_->link == NULL);                                                     \
		EXPECT_STREQ(f_->host, at(rel));                                                   \
	} while (0)
#define EXPECT_LINK(d, guest, target)                                                              \
	do {                                                                                       \
		const struct elfdeps_file *f_ = find(d, guest);                                    \
		ASSERT_TRUE(f_ != NULL);                                                           \
		EXPECT_STREQ(f_->link, target);                                                    \
	} while (0)

TEST(elfdeps_static_needs_nothing)
{
	struct fake_elf f = {.type = ET_EXEC, .machine = EM_AARCH64};
	struct elfdeps_opts o = {.root = root};
	struct elfdeps d = {0};

	make_root();
	write_elf("/bin/static", &f);
	ASSERT_EQ(elfdeps_resolve(&d, at("/bin/static"), "/init", &o), 0);
	EXPECT_EQ(d.n, 0);
}

TEST(elfdeps_not_elf_needs_nothing)
{
	struct elfdeps_opts o = {.root = root};
	struct elfdeps d = {0};
	FILE *f;

	make_root();
	f = fopen(at("/script"), "w");
	ASSERT_TRUE(f != NULL);
	fputs("#!/bin/sh\necho hi\n", f);
	fclose(f);
	ASSERT_EQ(elfdeps_resolve(&d, at("/script"), "/init", &o), 0);
	EXPECT_EQ(d.n, 0);
}

TEST(elfdeps_closure_links_and_machine)
{
	struct fake_elf f = {.type = ET_DYN,
			     .machine = EM_AARCH64,
			     .interp = "/lib/ld-linux-aarch64.so.1",
			     .needed = {"libfoo.so.1", "libc.so.6"}};
	struct elfdeps_opts o = {.root = root};
	struct elfdeps d = {0};

	make_root();
	write_elf("/bin/app", &f);
	ASSERT_EQ(elfdeps_resolve(&d, at("/bin/app"), "/init", &o), 0);
	EXPECT_LINK(&d, "/lib/ld-linux-aarch64.so.1", "aarch64-linux-gnu/ld-linux-aarch64.so.1");
	EXPECT_FILE(&d, "/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1",
		    "/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1");
	EXPECT_LINK(&d, "/usr/lib/aarch64-linux-gnu/libfoo.so.1", "libfoo.so.1.2.3");
	EXPECT_FILE(&d, "/usr/lib/aarch64-linux-gnu/libfoo.so.1.2.3",
		    "/usr/lib/aarch64-linux-gnu/libfoo.so.1.2.3");
	EXPECT_FILE(&d, "/lib/aarch64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6");
	EXPECT_FILE(&d, "/usr/lib/libbar.so", "/usr/lib/libbar.so");
	/* libbar <-> libfoo is a cycle; libc's ld-linux is the interpreter already */
	EXPECT_EQ(d.n, 6);
	for (size_t i = 0; i < d.n; i++)
		printf("    %s%s%s\n", d.v[i].guest, d.v[i].link ? " -> " : "",
		       d.v[i].link ? d.v[i].link : "");

	/* a second executable adds only what is new */
	f.needed[0] = "libc.so.6";
	f.needed[1] = NULL;
	write_elf("/bin/app2", &f);
	ASSERT_EQ(elfdeps_resolve(&d, at("/bin/app2"), "/bin/app2", &o), 0);
	EXPECT_EQ(d.n, 6);
	elfdeps_free(&d);
}

TEST(elfdeps_runpath_origin)
{
	struct fake_elf f = {.type = ET_EXEC,
			     .machine = EM_AARCH64,
			     .runpath = "/nonexistent:$ORIGIN/../lib",
			     .needed = {"libapp.so"}};
	struct elfdeps_opts o = {.root = root};
	struct elfdeps d = {0};

	make_root();
	lib("/opt/app/lib/libapp.so", EM_AARCH64, NULL, NULL, NULL);
	write_elf("/opt/app/bin/app", &f);
	/* in the guest the executable is /ktvm/payload: $ORIGIN is /ktvm there */
	ASSERT_EQ(elfdeps_resolve(&d, at("/opt/app/bin/app"), "/ktvm/payload", &o), 0);
	ASSERT_EQ(d.n, 1);
	EXPECT_STREQ(d.v[0].guest, "/lib/libapp.so");
	EXPECT_STREQ(d.v[0].host, at("/opt/app/bin/../lib/libapp.so"));
	elfdeps_free(&d);
}

TEST(elfdeps_rpath_inherited_runpath_not)
{
	struct fake_elf f = {.type = ET_EXEC, .machine = EM_AARCH64, .needed = {"libmid.so"}};
	struct elfdeps_opts o = {.root = root};
	struct elfdeps d = {0};

	make_root();
	lib("/opt/r/libmid.so", EM_AARCH64, NULL, "libdeep.so", NULL);
	lib("/opt/r/libdeep.so", EM_AARCH64, NULL, NULL, NULL);
	/* DT_RPATH of the executable also serves the libraries it loads */
	f.rpath = "/opt/r";
	write_elf("/bin/rp", &f);
	ASSERT_EQ(elfdeps_resolve(&d, at("/bin/rp"), "/init", &o), 0);
	EXPECT_FILE(&d, "/opt/r/libmid.so", "/opt/r/libmid.so");
	EXPECT_FILE(&d, "/opt/r/libdeep.so", "/opt/r/libdeep.so");
	elfdeps_free(&d);

	/* DT_RUNPATH only its direct needs */
	f.rpath = NULL;
	f.runpath = "/opt/r";
	write_elf("/bin/rup", &f);
	error_clear();
	EXPECT_EQ(elfdeps_resolve(&d, at("/bin/rup"), "/init", &o), -ENOENT);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "libdeep.so") != NULL);
	EXPECT_TRUE(strstr(error_msg(), "libmid.so") != NULL);
	elfdeps_free(&d);
}

TEST(elfdeps_ld_so_conf_include)
{
	struct fake_elf f = {.type = ET_EXEC, .machine = EM_AARCH64, .needed = {"libconf.so"}};
	struct elfdeps_opts o = {.root = root};
	struct elfdeps d = {0};
	FILE *c;

	make_root();
	mkparents(at("/etc/ld.so.conf.d/x"));
	c = fopen(at("/etc/ld.so.conf"), "w");
	ASSERT_TRUE(c != NULL);
	fputs("# main\ninclude /etc/ld.so.conf.d/*.conf\n", c);
	fclose(c);
	c = fopen(at("/etc/ld.so.conf.d/a.conf"), "w");
	ASSERT_TRUE(c != NULL);
	fputs("  /opt/conf   # comment\n\n", c);
	fclose(c);
	lib("/opt/conf/libconf.so", EM_AARCH64, NULL, NULL, NULL);
	write_elf("/bin/conf", &f);
	ASSERT_EQ(elfdeps_resolve(&d, at("/bin/conf"), "/init", &o), 0);
	ASSERT_EQ(d.n, 1);
	EXPECT_FILE(&d, "/opt/conf/libconf.so", "/opt/conf/libconf.so");
	elfdeps_free(&d);
}

TEST(elfdeps_cross_toolchain_dir)
{
	struct fake_elf f = {.type = ET_EXEC,
			     .machine = EM_AARCH64,
			     .interp = "/lib/ld-cross.so.1",
			     .needed = {"libcross.so.1"}};
	struct elfdeps_opts o = {.root = root};
	struct elfdeps d = {0};

	make_root();
	lib("/usr/aarch64-linux-gnu/lib/ld-cross.so.1", EM_AARCH64, NULL, NULL, NULL);
	lib("/usr/aarch64-linux-gnu/lib/libcross-2.so", EM_AARCH64, NULL, NULL, NULL);
	link_at("libcross-2.so", "/usr/aarch64-linux-gnu/lib/libcross.so.1");
	write_elf("/bin/cross", &f);
	ASSERT_EQ(elfdeps_resolve(&d, at("/bin/cross"), "/init", &o), 0);
	/* not guest paths: packed where the guest's loader looks, as plain files */
	ASSERT_EQ(d.n, 2);
	EXPECT_FILE(&d, "/lib/ld-cross.so.1", "/usr/aarch64-linux-gnu/lib/ld-cross.so.1");
	EXPECT_FILE(&d, "/lib/aarch64-linux-gnu/libcross.so.1",
		    "/usr/aarch64-linux-gnu/lib/libcross-2.so");
	elfdeps_free(&d);
}

TEST(elfdeps_missing_library)
{
	struct fake_elf f = {.type = ET_EXEC, .machine = EM_AARCH64, .needed = {"libnope.so.9"}};
	struct elfdeps_opts o = {.root = root};
	struct elfdeps d = {0};

	make_root();
	write_elf("/bin/nope", &f);
	/* a symlink loop is not a library either */
	link_at("libloop.so", "/lib/aarch64-linux-gnu/libloop.so");
	error_clear();
	EXPECT_EQ(elfdeps_resolve(&d, at("/bin/nope"), "/init", &o), -ENOENT);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "libnope.so.9") != NULL);
	EXPECT_TRUE(strstr(error_msg(), "/bin/nope") != NULL);
	EXPECT_TRUE(strstr(error_msg(), "aarch64-linux-gnu") != NULL);
	f.needed[0] = "libloop.so";
	write_elf("/bin/loop", &f);
	EXPECT_EQ(elfdeps_resolve(&d, at("/bin/loop"), "/init", &o), -ENOENT);
	elfdeps_free(&d);
}

/*
 * --root confines the libraries: a DT_NEEDED path with "..", or a symlink
 * inside the root whose target climbs out of it, never packs a file from
 * outside (issue 15).
 */
TEST(elfdeps_root_escape_refused)
{
	struct fake_elf f = {
	    .type = ET_EXEC, .machine = EM_AARCH64, .needed = {"../outside/libout.so"}};
	struct elfdeps_opts o = {.root = root};
	struct elfdeps d = {0};

	make_root();
	lib("/../outside/libout.so", EM_AARCH64, "libout.so", NULL, NULL);
	write_elf("/bin/climb", &f);
	error_clear();
	EXPECT_EQ(elfdeps_resolve(&d, at("/bin/climb"), "/init", &o), -ENOENT);
	for (size_t i = 0; i < d.n; i++)
		EXPECT_TRUE(strstr(d.v[i].host ? d.v[i].host : "", "outside") == NULL);
	link_at("../../../outside/libout.so", "/lib/aarch64-linux-gnu/libesc.so");
	f.needed[0] = "libesc.so";
	write_elf("/bin/esc", &f);
	error_clear();
	EXPECT_EQ(elfdeps_resolve(&d, at("/bin/esc"), "/init", &o), -ENOENT);
	for (size_t i = 0; i < d.n; i++)
		EXPECT_TRUE(strstr(d.v[i].host ? d.v[i].host : "", "outside") == NULL);
	elfdeps_free(&d);
}

TEST(elfdeps_bad_dynamic_section)
{
	struct fake_elf f = {.type = ET_EXEC, .machine = EM_AARCH64, .needed = {"libc.so.6"}};
	struct elfdeps_opts o = {.root = root};
	struct elfdeps d = {0};
	Elf64_Dyn bad = {.d_tag = DT_NEEDED, .d_un.d_val = 100000};
	int fd;

	make_root();
	write_elf("/bin/bad", &f);
	/* the first DT_NEEDED now points far past the string table */
	fd = open(at("/bin/bad"), O_RDWR);
	ASSERT_GE(fd, 0);
	for (off_t off = 64; off < 1024; off += 8) {
		Elf64_Dyn cur;

		if (pread(fd, &cur, sizeof(cur), off) == sizeof(cur) && cur.d_tag == DT_NEEDED &&
		    cur.d_un.d_val == 1) {
			ASSERT_EQ(pwrite(fd, &bad, sizeof(bad), off), (ssize_t)sizeof(bad));
			break;
		}
	}
	close(fd);
	error_clear();
	EXPECT_EQ(elfdeps_resolve(&d, at("/bin/bad"), "/init", &o), -ENOEXEC);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "/bin/bad") != NULL);
	elfdeps_free(&d);
}
