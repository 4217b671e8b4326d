// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel cache (tools/kcache.c) on Debian's 6.1 kernel of this arch: a
 * compressed image (x86_64: the bzImage; aarch64: the Image gzipped here)
 * is decompressed into the cache on the first lookup and found there on
 * the second, under a name that changes with the image's content; the
 * kernel itself (ELF vmlinux, Image) needs nothing; a file that is no
 * kernel is left to the boot to refuse; the size cap evicts the least
 * recently used entry; an unusable cache directory is reported and the
 * image booted as given.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/base/file.h"
#include "core/vm/arch.h"
#include "tests/test.h"
#include "tools/kcache.h"

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

static int entries(const char *dir)
{
	char cmd[600];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -c '^vmlinux-'", dir);
	p = popen(cmd, "r");
	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
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
		    strstr(k.why, "cannot write") != NULL);
	unsetenv("KTVM_KERNEL_CACHE");
}

/* Without KTVM_KERNEL_CACHE or XDG_CACHE_HOME, in a HOME that has no .cache yet. */
TEST(fresh_home_gets_its_cache)
{
	static struct kcache k;
	const char *img = compressed_kernel("k6");
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
