// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel cache (tools/kcache.c) on Debian's 6.1 kernel of this arch: a
 * compressed image (x86_64: the bzImage; aarch64: the Image gzipped here)
 * is decompressed into the cache on the first lookup and found there on
 * the second, under a name that changes with the image's content; the
 * kernel itself (ELF vmlinux, Image) needs nothing; a file that is no
 * kernel is left to the boot to refuse; the size cap evicts the least
 * recently used entry; an unusable cache directory is reported and the
 * image booted as given. An EFI zboot image (made here, zboot_fixture.h)
 * goes through the cache to the Image inside on aarch64 (one it cannot
 * decompress says why) and is no kernel for x86_64.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/base/file.h"
#include "core/image/zboot.h"
#include "core/vm/arch.h"
#include "tests/test.h"
#include "tools/kcache.h"
#include "tests/unit/zboot_fixture.h"

static bool is_x86(void)
{
	return !strcmp(arch_name(), "x86_64");
}

/* The kernel itself, as Debian ships it for this arch. */
static const char *plain_kernel(void)
{
	const char *p =
	    test_debian_path(is_x86() ? "amd64/linux-6.1/vmlinux" : "arm64/linux-6.1/Image");

	if (access(p, R_OK))
		SKIP("no %s (scripts/fetch-debian.sh)", p);
	return p;
}

/* A compressed kernel in the scratch directory: the bzImage, or the Image gzipped. */
static const char *compressed_kernel(const char *name)
{
	static char path[512];
	const char *src;
	u8 *buf;
	size_t len;
	gzFile gz;

	snprintf(path, sizeof(path), "%s", test_tmp_path(name));
	if (is_x86()) {
		src = test_debian_path("amd64/linux-6.1/bzImage");
		if (access(src, R_OK))
			SKIP("no %s (scripts/fetch-debian.sh)", src);
		if (file_map(src, "kernel", 1 * GiB, &buf, &len) < 0)
			SKIP("cannot read %s", src);
		{
			int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

			ASSERT_GE(fd, 0);
			ASSERT_EQ(file_write_all(fd, buf, len), 0);
			close(fd);
		}
		file_unmap(buf, len);
		return path;
	}
	src = plain_kernel();
	ASSERT_EQ(file_map(src, "kernel", 1 * GiB, &buf, &len), 0);
	gz = gzopen(path, "wb1");
	ASSERT_TRUE(gz != NULL);
	ASSERT_EQ(gzwrite(gz, buf, (unsigned)len), (int)len);
	gzclose(gz);
	file_unmap(buf, len);
	return path;
}

/* How many names in dir start with prefix ("vmlinux-": entries; "idx-": index links). */
static int count_names(const char *dir, const char *prefix)
{
	char cmd[600];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls '%s' 2>/dev/null | grep -c '^%s'", dir, prefix);
	p = popen(cmd, "r");
	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

static int entries(const char *dir)
{
	return count_names(dir, "vmlinux-");
}

static int index_links(const char *dir)
{
	return count_names(dir, "idx-");
}

TEST(miss_then_hit)
{
	static struct kcache k;
	const char *img = compressed_kernel("k1");
	char first[PATH_MAX];
	struct stat st;

	setenv("KTVM_KERNEL_CACHE", test_tmp_path("kc"), 1);
	unsetenv("KTVM_KERNEL_CACHE_MAX_MIB");
	ASSERT_TRUE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_MISS);
	EXPECT_TRUE(strncmp(k.path, test_tmp_path("kc/vmlinux-"),
			    strlen(test_tmp_path("kc/vmlinux-"))) == 0);
	ASSERT_EQ(stat(k.path, &st), 0);
	EXPECT_EQ((u64)st.st_size, k.bytes);
	EXPECT_GT(k.bytes, 16 * MiB); /* the whole kernel, not the image */
	snprintf(first, sizeof(first), "%s", k.path);
	ASSERT_TRUE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_HIT);
	EXPECT_EQ(strcmp(k.path, first), 0);
	EXPECT_EQ(entries(test_tmp_path("kc")), 1);
}

TEST(changed_image_is_a_new_entry)
{
	static struct kcache k;
	const char *img = compressed_kernel("k2");
	char first[PATH_MAX];
	int fd;

	setenv("KTVM_KERNEL_CACHE", test_tmp_path("kc2"), 1);
	ASSERT_TRUE(kcache_lookup(img, &k));
	snprintf(first, sizeof(first), "%s", k.path);
	/* One byte more at the end: the same kernel inside, another image. */
	fd = open(img, O_WRONLY | O_APPEND);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "", 1), 1);
	close(fd);
	ASSERT_TRUE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_MISS);
	EXPECT_TRUE(strcmp(k.path, first) != 0);
	EXPECT_EQ(entries(test_tmp_path("kc2")), 2);
}

TEST(cap_evicts_least_recently_used)
{
	static struct kcache k;
	char a[PATH_MAX], pa[PATH_MAX];
	const char *b;
	int fd;

	snprintf(a, sizeof(a), "%s", compressed_kernel("ka")); /* its buffer is reused */
	setenv("KTVM_KERNEL_CACHE", test_tmp_path("kc3"), 1);
	ASSERT_TRUE(kcache_lookup(a, &k));
	snprintf(pa, sizeof(pa), "%s", k.path);
	/* A cap of one entry: the second kernel pushes the first out. */
	{
		char cap[32];

		snprintf(cap, sizeof(cap), "%llu", (unsigned long long)(k.bytes / MiB + 1));
		setenv("KTVM_KERNEL_CACHE_MAX_MIB", cap, 1);
	}
	b = compressed_kernel("kb");
	fd = open(b, O_WRONLY | O_APPEND);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "x", 1), 1);
	close(fd);
	ASSERT_TRUE(kcache_lookup(b, &k));
	EXPECT_EQ(k.state, KCACHE_MISS);
	EXPECT_EQ(k.evicted, 1);
	EXPECT_EQ(access(pa, F_OK), -1);
	EXPECT_EQ(access(k.path, F_OK), 0);
	/* A cap smaller than one kernel: the image boots as given, the reason said. */
	setenv("KTVM_KERNEL_CACHE_MAX_MIB", "1", 1);
	EXPECT_FALSE(kcache_lookup(a, &k));
	EXPECT_EQ(k.state, KCACHE_ERROR);
	EXPECT_TRUE(strstr(k.why, "larger than the cache's cap") != NULL);
	EXPECT_EQ(k.path[0], '\0');
	unsetenv("KTVM_KERNEL_CACHE_MAX_MIB");
}

TEST(kernel_itself_and_non_kernels)
{
	static struct kcache k;
	const char *junk = test_tmp_path("junk");
	int fd;

	setenv("KTVM_KERNEL_CACHE", test_tmp_path("kc4"), 1);
	EXPECT_FALSE(kcache_lookup(plain_kernel(), &k));
	EXPECT_EQ(k.state, KCACHE_UNCOMPRESSED);
	fd = open(junk, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "not a kernel at all", 19), 19);
	close(fd);
	EXPECT_FALSE(kcache_lookup(junk, &k));
	EXPECT_EQ(k.state, KCACHE_NOT_BOOTABLE);
	EXPECT_FALSE(kcache_lookup(test_tmp_path("missing"), &k));
	EXPECT_EQ(k.state, KCACHE_ERROR);
	EXPECT_EQ(entries(test_tmp_path("kc4")), 0);
	/* Nothing to store: not even the directory is made (L1's HOME has no ~/.cache). */
	EXPECT_EQ(access(test_tmp_path("kc4"), F_OK), -1);
}

/* arch_kernel_form(): the first bytes decide whether the cache reads further. */
TEST(kernel_form_from_the_head)
{
	static u8 head[ARCH_KERNEL_HEAD];
	static u8 image[ZF_IMAGE_LEN], zb[ZF_MAX];
	static const u8 gz[] = {0x1f, 0x8b, 8, 0};
	const bool x86 = is_x86();

	/* An ELF: x86_64's vmlinux; nothing aarch64 boots or unpacks. */
	memset(head, 0, sizeof(head));
	memcpy(head, "\177ELF", 4);
	EXPECT_EQ(arch_kernel_form(head, sizeof(head)), x86 ? ARCH_KERNEL_PLAIN : ARCH_KERNEL_OTHER);
	/* A bzImage's setup header magic at 0x202. */
	memset(head, 0, sizeof(head));
	memcpy(head + 0x202, "HdrS", 4);
	EXPECT_EQ(arch_kernel_form(head, sizeof(head)), x86 ? ARCH_KERNEL_PACKED : ARCH_KERNEL_OTHER);
	EXPECT_EQ(arch_kernel_form(head, 0x205), ARCH_KERNEL_OTHER); /* cut before the magic ends */
	/* An arm64 Image's magic at byte 56; gzip; an EFI zboot image. */
	memset(head, 0, sizeof(head));
	memcpy(head + 56, "ARM\x64", 4);
	EXPECT_EQ(arch_kernel_form(head, sizeof(head)), x86 ? ARCH_KERNEL_OTHER : ARCH_KERNEL_PLAIN);
	EXPECT_EQ(arch_kernel_form(gz, sizeof(gz)), x86 ? ARCH_KERNEL_OTHER : ARCH_KERNEL_PACKED);
	zf_gzip_zboot(zb, image);
	EXPECT_EQ(arch_kernel_form(zb, sizeof(head)), x86 ? ARCH_KERNEL_OTHER : ARCH_KERNEL_PACKED);
	/* Nothing, or text. */
	EXPECT_EQ(arch_kernel_form(head, 0), ARCH_KERNEL_OTHER);
	EXPECT_EQ(arch_kernel_form((const u8 *)"not a kernel", 12), ARCH_KERNEL_OTHER);
}

TEST(zboot_miss_then_hit)
{
	static u8 image[ZF_IMAGE_LEN], file[ZF_MAX];
	static struct kcache k;
	const char *path = test_tmp_path("vmlinuz.efi");
	size_t len = zf_gzip_zboot(file, image), n;
	u8 *cached;
	int fd;

	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(file_write_all(fd, file, len), 0);
	close(fd);
	setenv("KTVM_KERNEL_CACHE", test_tmp_path("kc6"), 1);
	unsetenv("KTVM_KERNEL_CACHE_MAX_MIB");
	if (is_x86()) {
		EXPECT_FALSE(kcache_lookup(path, &k));
		EXPECT_EQ(k.state, KCACHE_NOT_BOOTABLE);
		EXPECT_EQ(entries(test_tmp_path("kc6")), 0);
		return;
	}
	ASSERT_TRUE(kcache_lookup(path, &k));
	EXPECT_EQ(k.state, KCACHE_MISS);
	EXPECT_EQ(k.bytes, sizeof(image));
	ASSERT_EQ(file_map(k.path, "cached", 1 * MiB, &cached, &n), 0);
	EXPECT_EQ(n, sizeof(image));
	EXPECT_TRUE(n == sizeof(image) && !memcmp(cached, image, n));
	file_unmap(cached, n);
	ASSERT_TRUE(kcache_lookup(path, &k));
	EXPECT_EQ(k.state, KCACHE_HIT);
	EXPECT_EQ(entries(test_tmp_path("kc6")), 1);
	/* One it cannot undo: the reason kept for --json's kernel.why. */
	memset(file + 24, 0, ZBOOT_COMP_MAX);
	strcpy((char *)file + 24, "lz4");
	fd = open(path, O_TRUNC | O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(file_write_all(fd, file, len), 0);
	close(fd);
	EXPECT_FALSE(kcache_lookup(path, &k));
	EXPECT_EQ(k.state, KCACHE_ERROR);
	EXPECT_TRUE(strstr(k.why, "compressed with lz4, which ktvm does not decompress") != NULL);
}

TEST(unusable_directory_boots_the_image)
{
	static struct kcache k;
	const char *img = compressed_kernel("k5");
	int fd = open(test_tmp_path("file"), O_CREAT | O_WRONLY, 0644);

	ASSERT_GE(fd, 0);
	close(fd);
	/* A regular file where the directory should be. */
	setenv("KTVM_KERNEL_CACHE", test_tmp_path("file"), 1);
	EXPECT_FALSE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_ERROR);
	EXPECT_TRUE(strstr(k.why, "no cache directory") != NULL ||
		    strstr(k.why, "cannot make the cache directory") != NULL ||
		    strstr(k.why, "cannot write") != NULL);
	unsetenv("KTVM_KERNEL_CACHE");
}

/* A file written just now is looked up by its checksums alone, and not indexed. */
TEST(fresh_file_not_indexed)
{
	static struct kcache k;
	const char *dir = test_tmp_path("kc15"), *img = compressed_kernel("k15");

	unsetenv("KTVM_TEST_KCACHE_SETTLE_S");
	setenv("KTVM_KERNEL_CACHE", dir, 1);
	ASSERT_TRUE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_MISS);
	ASSERT_TRUE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_HIT);
	EXPECT_FALSE(k.by_index);
	EXPECT_EQ(index_links(dir), 0);
}

/* The path of dir's one index link, in out. */
static void index_link(const char *dir, char *out, size_t size)
{
	char cmd[600];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -d '%s'/idx-* | head -n1", dir);
	p = popen(cmd, "r");
	ASSERT_TRUE(p != NULL);
	ASSERT_TRUE(fgets(out, (int)size, p) != NULL);
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
}

/*
 * The index finds a known image without checksumming it; a copy (another
 * identity) is found by its checksum and indexed too; a change in place
 * that keeps the size and the modification time still moves the change
 * time, so it is never taken for the old image.
 */
TEST(index_finds_known_images)
{
	static struct kcache k;
	const char *dir = test_tmp_path("kc16"), *img = compressed_kernel("k16");
	char first[PATH_MAX], copy[PATH_MAX], cmd[2 * PATH_MAX + 16];
	struct stat st;
	struct timespec keep[2];
	int fd;

	setenv("KTVM_TEST_KCACHE_SETTLE_S", "0", 1); /* index files just written */
	setenv("KTVM_KERNEL_CACHE", dir, 1);
	ASSERT_TRUE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_MISS);
	snprintf(first, sizeof(first), "%s", k.path);
	EXPECT_EQ(index_links(dir), 1);
	ASSERT_TRUE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_HIT);
	EXPECT_EQ(strcmp(k.path, first), 0);
	EXPECT_GT(k.bytes, 16 * MiB);
	EXPECT_TRUE(k.by_index);
	snprintf(copy, sizeof(copy), "%s", test_tmp_path("k16-copy"));
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", img, copy);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_TRUE(kcache_lookup(copy, &k));
	EXPECT_EQ(k.state, KCACHE_HIT);
	EXPECT_FALSE(k.by_index);
	EXPECT_EQ(strcmp(k.path, first), 0);
	EXPECT_EQ(index_links(dir), 2);
	/*
	 * Same size, same mtime, other bytes (the last one): never the old
	 * entry. x86's bzImage still holds the same kernel (a new entry);
	 * aarch64's gzip fails its length check (the image boots as given).
	 */
	ASSERT_EQ(stat(copy, &st), 0);
	keep[0] = st.st_atim;
	keep[1] = st.st_mtim;
	fd = open(copy, O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pwrite(fd, "\x5a", 1, st.st_size - 1), 1);
	ASSERT_EQ(futimens(fd, keep), 0);
	close(fd);
	if (kcache_lookup(copy, &k)) {
		EXPECT_EQ(k.state, KCACHE_MISS);
		EXPECT_TRUE(strcmp(k.path, first) != 0);
		EXPECT_EQ(entries(dir), 2);
	} else {
		EXPECT_TRUE(k.state != KCACHE_HIT);
		EXPECT_EQ(entries(dir), 1);
	}
	EXPECT_FALSE(k.by_index);
}

/* An index link that points outside the cache, or at nothing, is not followed. */
TEST(index_links_are_not_trusted)
{
	static struct kcache k;
	const char *dir = test_tmp_path("kc17"), *img = compressed_kernel("k17");
	char link[PATH_MAX], first[PATH_MAX];

	setenv("KTVM_TEST_KCACHE_SETTLE_S", "0", 1); /* index files just written */
	setenv("KTVM_KERNEL_CACHE", dir, 1);
	ASSERT_TRUE(kcache_lookup(img, &k));
	snprintf(first, sizeof(first), "%s", k.path);
	index_link(dir, link, sizeof(link));
	ASSERT_EQ(unlink(link), 0);
	ASSERT_EQ(symlink("../../etc/passwd", link), 0);
	ASSERT_TRUE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_HIT);
	EXPECT_FALSE(k.by_index);
	EXPECT_EQ(strcmp(k.path, first), 0);
	ASSERT_EQ(unlink(link), 0);
	ASSERT_EQ(symlink("vmlinux-0000000000000000-1", link), 0);
	ASSERT_TRUE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_HIT);
	EXPECT_FALSE(k.by_index);
	EXPECT_EQ(strcmp(k.path, first), 0);
	/* Re-pointed at the entry by the hit. */
	ASSERT_TRUE(kcache_lookup(img, &k));
	EXPECT_TRUE(k.by_index);
	EXPECT_EQ(strcmp(k.path, first), 0);
}

/* Eviction removes the index links whose entry it removed. */
TEST(eviction_prunes_the_index)
{
	static struct kcache k;
	const char *dir = test_tmp_path("kc18");
	char a[PATH_MAX], cap[32];
	const char *b;
	int fd;

	snprintf(a, sizeof(a), "%s", compressed_kernel("k8a"));
	setenv("KTVM_TEST_KCACHE_SETTLE_S", "0", 1); /* index files just written */
	setenv("KTVM_KERNEL_CACHE", dir, 1);
	ASSERT_TRUE(kcache_lookup(a, &k));
	snprintf(cap, sizeof(cap), "%llu", (unsigned long long)(k.bytes / MiB + 1));
	setenv("KTVM_KERNEL_CACHE_MAX_MIB", cap, 1);
	b = compressed_kernel("k8b");
	fd = open(b, O_WRONLY | O_APPEND);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "y", 1), 1);
	close(fd);
	ASSERT_TRUE(kcache_lookup(b, &k));
	EXPECT_EQ(k.evicted, 1);
	EXPECT_EQ(entries(dir), 1);
	EXPECT_EQ(index_links(dir), 1);
	unsetenv("KTVM_KERNEL_CACHE_MAX_MIB");
}

/* Without KTVM_KERNEL_CACHE or XDG_CACHE_HOME, in a HOME that has no .cache yet. */
TEST(fresh_home_gets_its_cache)
{
	static struct kcache k;
	const char *img = compressed_kernel("k9");
	char home[512], want[600], *old_home = getenv("HOME"), *old_xdg = getenv("XDG_CACHE_HOME");

	old_home = old_home ? strdup(old_home) : NULL;
	old_xdg = old_xdg ? strdup(old_xdg) : NULL;
	snprintf(home, sizeof(home), "%s", test_tmp_path("home"));
	ASSERT_EQ(mkdir(home, 0755), 0);
	unsetenv("KTVM_KERNEL_CACHE");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", home, 1);
	EXPECT_TRUE(kcache_lookup(img, &k));
	EXPECT_EQ(k.state, KCACHE_MISS);
	snprintf(want, sizeof(want), "%s/.cache/ktvm/kernels/vmlinux-", home);
	EXPECT_TRUE(strncmp(k.path, want, strlen(want)) == 0);
	if (old_home)
		setenv("HOME", old_home, 1);
	else
		unsetenv("HOME");
	if (old_xdg)
		setenv("XDG_CACHE_HOME", old_xdg, 1);
	free(old_home);
	free(old_xdg);
}
