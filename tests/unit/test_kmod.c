// SPDX-License-Identifier: GPL-2.0
/*
 * Module load order from synthetic module trees (modules.dep, or
 * modules.order plus .modinfo as in Debian's packages), the real Debian
 * trees when ~/.cache/ktvm has them, and kernel release extraction.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/base/error.h"
#include "core/image/kmod.h"
#include "tests/test.h"

static void put(const char *dir, const char *rel, const void *data, size_t len)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void puts_at(const char *dir, const char *rel, const char *text)
{
	put(dir, rel, text, strlen(text));
}

/* A fresh modules directory named name under the scratch dir. */
static const char *moddir(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", test_tmpdir(), name);
	mkdir(p, 0755);
	return p;
}

/* "a b c": the list's names, space separated */
static const char *names(const struct kmod_list *l)
{
	static char buf[1024];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", l->v[i].name);
	return buf;
}

static const char dep_text[] = "kernel/a.ko: kernel/sub/b.ko kernel/c.ko.xz\n"
			       "kernel/sub/b.ko: kernel/c.ko.xz\n"
			       "kernel/c.ko.xz:\n"
			       "kernel/e-dash.ko: kernel/c.ko.xz\n"
			       "kernel/x.ko: kernel/gone.ko\n"
			       "kernel/p.ko: kernel/q.ko\n"
			       "kernel/q.ko: kernel/p.ko\n";

TEST(kmod_deps_first_shared_once)
{
	const char *d = moddir("dep");
	const char *want[] = {"a", "e_dash", "b"};
	struct kmod_list l;

	puts_at(d, "modules.dep", dep_text);
	ASSERT_EQ(kmod_resolve(&l, d, want, 3), 0);
	EXPECT_STREQ(names(&l), "c b a e_dash");
	ASSERT_EQ(l.n, 4);
	/* paths as shipped, compressed ones included */
	EXPECT_STREQ(l.v[0].path, "kernel/c.ko.xz");
	EXPECT_STREQ(l.v[1].path, "kernel/sub/b.ko");
	kmod_list_free(&l);
}

TEST(kmod_dash_and_underscore)
{
	const char *d = moddir("dep");
	const char *want[] = {"e_dash", "e-dash"};
	struct kmod_list l;

	puts_at(d, "modules.dep", dep_text);
	ASSERT_EQ(kmod_resolve(&l, d, want, 2), 0);
	EXPECT_STREQ(names(&l), "c e_dash");
	kmod_list_free(&l);
}

TEST(kmod_builtin_skipped)
{
	const char *d = moddir("dep");
	const char *want[] = {"virtio-console", "a"};
	struct kmod_list l;
	char path[1024];

	puts_at(d, "modules.dep", dep_text);
	puts_at(d, "modules.builtin", "kernel/drivers/char/virtio_console.ko\n");
	ASSERT_EQ(kmod_resolve(&l, d, want, 2), 0);
	EXPECT_STREQ(names(&l), "c b a");
	kmod_list_free(&l);
	snprintf(path, sizeof(path), "%s/modules.builtin", d);
	unlink(path);
}

TEST(kmod_missing_module)
{
	const char *d = moddir("dep");
	const char *want[] = {"nosuch"}, *want2[] = {"x"};
	struct kmod_list l;

	puts_at(d, "modules.dep", dep_text);
	error_clear();
	EXPECT_EQ(kmod_resolve(&l, d, want, 1), -ENOENT);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "nosuch") != NULL);
	EXPECT_EQ(error_kind(), ERROR_INPUT);
	EXPECT_EQ(l.n, 0);
	EXPECT_EQ(kmod_resolve(&l, d, want2, 1), -ENOENT);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "gone") != NULL);
	EXPECT_TRUE(strstr(error_msg(), "needed by x") != NULL);
}

TEST(kmod_cycle_rejected)
{
	const char *d = moddir("dep");
	const char *want[] = {"p"};
	struct kmod_list l;

	puts_at(d, "modules.dep", dep_text);
	EXPECT_EQ(kmod_resolve(&l, d, want, 1), -ELOOP);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "p -> q -> p") != NULL);
}

/* An entry that leaves the modules directory ("..", absolute) is refused, naming it. */
TEST(kmod_path_escape_refused)
{
	static const char *const bad[] = {"../../../etc/shadow.ko:\n", "/etc/passwd.ko:\n",
					  "kernel/../../x.ko:\n"};
	const char *want[] = {"shadow"};
	struct kmod_list l;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *d = moddir("escape");

		puts_at(d, "modules.dep", bad[i]);
		error_clear();
		EXPECT_EQ(kmod_resolve(&l, d, want, 1), -EINVAL);
		EXPECT_TRUE(strstr(error_msg(), "leaves it") != NULL);
		EXPECT_EQ(error_kind(), ERROR_INPUT);
	}
	/* ".." inside a name is fine: only a whole component leaves. */
	puts_at(moddir("dots"), "modules.dep", "kernel/a..b.ko:\n");
	EXPECT_EQ(kmod_resolve(&l, moddir("dots"), (const char *[]){"a..b"}, 1), 0);
	kmod_list_free(&l);
}

TEST(kmod_depth_bounded)
{
	const char *d = moddir("deep");
	const char *want[] = {"m0"};
	struct kmod_list l;
	char *text = malloc(64 * 200), *s = text;

	ASSERT_TRUE(text != NULL);
	for (int i = 0; i < KMOD_MAX_DEPTH + 10; i++)
		s += sprintf(s, "m%d.ko: m%d.ko\n", i, i + 1);
	puts_at(d, "modules.dep", text);
	free(text);
	EXPECT_EQ(kmod_resolve(&l, d, want, 1), -ELOOP);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "deeper") != NULL);
}

TEST(kmod_no_index)
{
	const char *want[] = {"a"};
	struct kmod_list l;
	char missing[512];

	EXPECT_EQ(kmod_resolve(&l, moddir("empty"), want, 1), -ENOENT);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "modules.dep") != NULL);
	snprintf(missing, sizeof(missing), "%s/nonexistent", test_tmpdir());
	EXPECT_EQ(kmod_resolve(&l, missing, want, 1), -ENOENT);
	EXPECT_TRUE(strstr(error_msg(), "nonexistent") != NULL);
}

/* A relocatable ELF with only a .modinfo section, like a module to modinfo. */
static size_t fake_ko(u8 *buf, const char *name, const char *depends)
{
	static const char shstr[] = "\0.modinfo\0.shstrtab";
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh;
	size_t off = sizeof(*eh), info, ilen, str;

	memset(buf, 0, 1024);
	info = off;
	off += (size_t)sprintf((char *)buf + off, "license=GPL") + 1;
	off += (size_t)sprintf((char *)buf + off, "depends=%s", depends) + 1;
	off += (size_t)sprintf((char *)buf + off, "name=%s", name) + 1;
	ilen = off - info;
	str = off;
	memcpy(buf + off, shstr, sizeof(shstr));
	off = (off + sizeof(shstr) + 7) & ~7UL;
	sh = (Elf64_Shdr *)(buf + off);
	sh[1] =
	    (Elf64_Shdr){.sh_name = 1, .sh_type = SHT_PROGBITS, .sh_offset = info, .sh_size = ilen};
	sh[2] = (Elf64_Shdr){
	    .sh_name = 10, .sh_type = SHT_STRTAB, .sh_offset = str, .sh_size = sizeof(shstr)};
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_REL;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	eh->e_shoff = off;
	eh->e_shentsize = sizeof(*sh);
	eh->e_shnum = 3;
	eh->e_shstrndx = 2;
	return off + 3 * sizeof(*sh);
}

TEST(kmod_modinfo_without_modules_dep)
{
	const char *d = moddir("order");
	const char *want[] = {"a", "e-dash"};
	struct kmod_list l;
	u8 ko[1024], gz[1024];
	uLongf gzlen;
	size_t n;
	z_stream zs = {0};

	/* Debian's packages ship modules.order and modules.builtin, no modules.dep */
	puts_at(d, "modules.order",
		"kernel/a.ko\nkernel/sub/b.ko\nkernel/c.ko\nkernel/e-dash.ko\n");
	puts_at(d, "modules.builtin", "kernel/bi.ko\n");
	put(d, "kernel/a.ko", ko, fake_ko(ko, "a", "b,c,bi"));
	put(d, "kernel/sub/b.ko", ko, fake_ko(ko, "b", "c"));
	put(d, "kernel/e-dash.ko", ko, fake_ko(ko, "e_dash", ""));
	/* shipped compressed: modules.order still says .ko */
	n = fake_ko(ko, "c", "");
	ASSERT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = ko;
	zs.avail_in = (uInt)n;
	zs.next_out = gz;
	zs.avail_out = sizeof(gz);
	ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
	gzlen = zs.total_out;
	deflateEnd(&zs);
	put(d, "kernel/c.ko.gz", gz, gzlen);

	ASSERT_EQ(kmod_resolve(&l, d, want, 2), 0);
	EXPECT_STREQ(names(&l), "c b a e_dash");
	ASSERT_EQ(l.n, 4);
	EXPECT_STREQ(l.v[0].path, "kernel/c.ko.gz");
	kmod_list_free(&l);
}

/* a.ko compressed by tool (the kernel's own options) must still show its depends= */
static void modinfo_compressed(const char *name, const char *tool, const char *ext)
{
	const char *d = moddir(name);
	const char *want[] = {"a"};
	struct kmod_list l;
	char cmd[1024], path[64];
	u8 ko[1024];
	int ret;

	snprintf(cmd, sizeof(cmd), "%s --version >/dev/null 2>&1", tool);
	if (system(cmd))
		SKIP("no %s tool", tool);
	puts_at(d, "modules.order", "kernel/a.ko\nkernel/b.ko\n");
	put(d, "kernel/a.ko", ko, fake_ko(ko, "a", "b"));
	put(d, "kernel/b.ko", ko, fake_ko(ko, "b", ""));
	snprintf(cmd, sizeof(cmd), "%s %s/kernel/a.ko", tool, d);
	ASSERT_EQ(system(cmd), 0);
	ret = kmod_resolve(&l, d, want, 1);
	if (ret == -ENOSYS)
		SKIP("%s", error_msg());
	ASSERT_EQ(ret, 0);
	EXPECT_STREQ(names(&l), "b a");
	ASSERT_EQ(l.n, 2);
	snprintf(path, sizeof(path), "kernel/a.ko%s", ext);
	EXPECT_STREQ(l.v[1].path, path);
	kmod_list_free(&l);
}

TEST(kmod_modinfo_xz)
{
	modinfo_compressed("order-xz", "xz --check=crc32 --lzma2=dict=1MiB", ".xz");
}

TEST(kmod_modinfo_zst)
{
	modinfo_compressed("order-zst", "zstd -q --rm -T0", ".zst");
}

/* Each module after everything it depends on, by position in l. */
static int pos(const struct kmod_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return (int)i;
	return -1;
}

static void read_release(const char *kdir, char *buf, size_t size)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/release", test_debian_path(kdir));
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

TEST(kmod_debian_6_1_virtio)
{
	const char *want[] = {"virtio_mmio", "virtio_console", "virtio-blk", "virtio_net",
			      "kvm-amd"};
	char rel[128], dir[1024];
	struct kmod_list l;

	read_release("amd64/linux-6.1", rel, sizeof(rel));
	snprintf(dir, sizeof(dir), "%s/root/lib/modules/%s", test_debian_path("amd64/linux-6.1"),
		 rel);
	if (!rel[0] || access(dir, R_OK))
		SKIP("no Debian 6.1 modules under %s (scripts/fetch-debian.sh)",
		     test_debian_path(""));
	ASSERT_EQ(kmod_resolve(&l, dir, want, ARRAY_SIZE(want)), 0);
	printf("    %s\n", names(&l));
	EXPECT_LT(pos(&l, "virtio_ring"), pos(&l, "virtio_mmio"));
	EXPECT_LT(pos(&l, "virtio"), pos(&l, "virtio_mmio"));
	EXPECT_LT(pos(&l, "virtio"), pos(&l, "virtio_console"));
	EXPECT_LT(pos(&l, "failover"), pos(&l, "net_failover"));
	EXPECT_LT(pos(&l, "net_failover"), pos(&l, "virtio_net"));
	EXPECT_LT(pos(&l, "kvm"), pos(&l, "kvm_amd"));
	EXPECT_GE(pos(&l, "virtio_ring"), 0);
	EXPECT_GE(pos(&l, "virtio_blk"), 0);
	kmod_list_free(&l);
}

TEST(kmod_debian_6_12_xz_and_builtin)
{
	const char *want[] = {"virtio_mmio", "virtio_console"};
	char rel[128], dir[1024];
	struct kmod_list l;
	int ret;

	read_release("amd64/linux-6.12", rel, sizeof(rel));
	snprintf(dir, sizeof(dir), "%s/root/usr/lib/modules/%s",
		 test_debian_path("amd64/linux-6.12"), rel);
	if (!rel[0] || access(dir, R_OK))
		SKIP("no Debian 6.12 modules under %s (scripts/fetch-debian.sh)",
		     test_debian_path(""));
	ret = kmod_resolve(&l, dir, want, ARRAY_SIZE(want));
	if (ret == -ENOSYS)
		SKIP("%s", error_msg());
	ASSERT_EQ(ret, 0);
	printf("    %s\n", names(&l));
	/* VIRTIO_CONSOLE=y in 6.12: built in, skipped */
	EXPECT_EQ(pos(&l, "virtio_console"), -1);
	ASSERT_GE(pos(&l, "virtio_mmio"), 0);
	EXPECT_TRUE(strstr(l.v[pos(&l, "virtio_mmio")].path, ".ko.xz") != NULL);
	kmod_list_free(&l);
}

/* --- kernel release ------------------------------------------------------ */

TEST(kmod_release_bzimage_header)
{
	static u8 img[0x1000];
	char rel[65];

	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f; /* boot protocol 2.15 */
	img[0x207] = 0x02;
	img[0x20e] = 0x00; /* kernel_version: 0x300 + 0x200 */
	img[0x20f] = 0x03;
	strcpy((char *)img + 0x500, "6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP");
	ASSERT_EQ(kmod_release_mem(img, sizeof(img), "bz", rel, sizeof(rel)), 0);
	EXPECT_STREQ(rel, "6.1.0-56-amd64");

	img[0x20f] = 0x30; /* points past the end */
	error_clear();
	EXPECT_EQ(kmod_release_mem(img, sizeof(img), "bz", rel, sizeof(rel)), -EINVAL);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "kernel_version") != NULL);
}

TEST(kmod_release_banner)
{
	static u8 img[0x2000];
	char rel[65];

	/* ELF vmlinux and arm64 Image alike: the banner in .rodata */
	memcpy(img, "\177ELF", 4);
	strcpy((char *)img + 0x100, "Linux version %s (%s)"); /* a format string is no release */
	strcpy((char *)img + 0x800, "Linux version 6.12.7-arm64 (gcc) #1 SMP");
	ASSERT_EQ(kmod_release_mem(img, sizeof(img), "vmlinux", rel, sizeof(rel)), 0);
	EXPECT_STREQ(rel, "6.12.7-arm64");
	/* too small a buffer */
	EXPECT_EQ(kmod_release_mem(img, sizeof(img), "vmlinux", rel, 5), -EINVAL);

	memset(img, 0, sizeof(img));
	img[0] = 0x1f;
	img[1] = 0x8b;
	EXPECT_EQ(kmod_release_mem(img, sizeof(img), "Image.gz", rel, sizeof(rel)), -EINVAL);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "gzip") != NULL);
	img[0] = 0;
	EXPECT_EQ(kmod_release_mem(img, sizeof(img), "blob", rel, sizeof(rel)), -EINVAL);
	EXPECT_TRUE(strstr(error_msg(), "blob") != NULL);
}

static void check_real(const char *kdir, const char *file)
{
	char want[128], path[1024], rel[65];

	read_release(kdir, want, sizeof(want));
	snprintf(path, sizeof(path), "%s/%s", test_debian_path(kdir), file);
	if (!want[0] || access(path, R_OK)) {
		printf("    %s: not present\n", path);
		return;
	}
	ASSERT_EQ(kmod_release(path, rel, sizeof(rel)), 0);
	printf("    %s: %s\n", path, rel);
	EXPECT_STREQ(rel, want);
}

TEST(kmod_release_debian_images)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/bzImage", test_debian_path("amd64/linux-6.1"));
	if (access(path, R_OK))
		SKIP("no Debian kernels under %s (scripts/fetch-debian.sh)", test_debian_path(""));
	check_real("amd64/linux-6.1", "bzImage");
	check_real("amd64/linux-6.1", "vmlinux");
	check_real("amd64/linux-6.12", "bzImage");
	check_real("amd64/linux-6.12", "vmlinux");
	check_real("arm64/linux-6.1", "Image");
}
