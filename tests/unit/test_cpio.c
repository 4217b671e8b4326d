// SPDX-License-Identifier: GPL-2.0
/*
 * cpio newc writer: archives are read back by the small independent reader
 * in tests/unit/test_initramfs_reader.h, and by GNU cpio where installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/image/cpio.h"
#include "core/base/error.h"
#include "tests/test.h"
#include "tests/unit/test_initramfs_reader.h"

static int out_fd(const char *name, char *path)
{
	int fd;

	snprintf(path, 512, "%s/%s", test_tmpdir(), name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		test_fail_at(__FILE__, __LINE__, "open %s: %s", path, strerror(errno));
	return fd;
}

static void host_file(const char *name, const char *text, char *path)
{
	FILE *f;

	snprintf(path, 512, "%s/%s", test_tmpdir(), name);
	f = fopen(path, "w");
	ASSERT_TRUE(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* One of every entry type, written with the given level. */
static void write_sample(const char *out, int level)
{
	char path[512], host[512];
	struct cpio *c;
	int fd = out_fd(out, path);

	host_file("hello.txt", "hello, guest\n", host);
	ASSERT_EQ(cpio_open(&c, fd, path, level), 0);
	ASSERT_EQ(cpio_add_dir(c, "/dev", 0755), 0);
	ASSERT_EQ(cpio_add_node(c, "/dev/console", S_IFCHR, 0600, 5, 1), 0);
	ASSERT_EQ(cpio_add_file(c, "/init", 0755, host, "init"), 0);
	ASSERT_EQ(cpio_add_data(c, "etc/deep/er/conf", 0644, "x=1\n", 4), 0);
	ASSERT_EQ(cpio_add_symlink(c, "/lib64/ld.so", "/lib/ld.so.1"), 0);
	ASSERT_EQ(cpio_add_data(c, "empty", 0600, "", 0), 0);
	ASSERT_EQ(cpio_finish(c), 0);
	cpio_free(c);
	close(fd);
}

TEST(cpio_entries_read_back)
{
	struct rd r;
	const struct rd_entry *e;
	char path[512];

	write_sample("sample.cpio.gz", 6);
	snprintf(path, sizeof(path), "%s/sample.cpio.gz", test_tmpdir());
	ASSERT_EQ(rd_load(&r, path), 0);
	EXPECT_TRUE(r.gzip);
	EXPECT_EQ(r.archives, 1);
	for (size_t i = 0; i < r.n; i++) {
		printf("    %06o %2u:%-2u %4u %s\n", r.v[i].mode, r.v[i].rmajor, r.v[i].rminor,
		       r.v[i].size, r.v[i].name);
		EXPECT_EQ(r.v[i].uid, 0);
		EXPECT_EQ(r.v[i].gid, 0);
		EXPECT_EQ(r.v[i].mtime, 0);
		EXPECT_EQ(r.v[i].nlink, S_ISDIR(r.v[i].mode) ? 2 : 1);
		EXPECT_EQ(r.v[i].ino, i + 1);
	}
	/* parents first: etc, etc/deep, etc/deep/er, lib64 */
	EXPECT_EQ(r.n, 10);
	e = rd_find(&r, "dev/console");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->mode, S_IFCHR | 0600);
	EXPECT_EQ(e->rmajor, 5);
	EXPECT_EQ(e->rminor, 1);
	e = rd_find(&r, "init");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->mode, S_IFREG | 0755);
	EXPECT_EQ(e->size, 13);
	EXPECT_TRUE(!memcmp(e->data, "hello, guest\n", 13));
	e = rd_find(&r, "etc/deep");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->mode, S_IFDIR | 0755);
	EXPECT_LT(e - r.v, rd_find(&r, "etc/deep/er/conf") - r.v);
	e = rd_find(&r, "lib64/ld.so");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->mode, S_IFLNK | 0777);
	EXPECT_EQ(e->size, 12);
	EXPECT_TRUE(!memcmp(e->data, "/lib/ld.so.1", 12));
	e = rd_find(&r, "empty");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->size, 0);
	rd_free(&r);
}

TEST(cpio_reproducible)
{
	char a[512], b[512];

	write_sample("r1.cpio.gz", 9);
	write_sample("r2.cpio.gz", 9);
	snprintf(a, sizeof(a), "%s/r1.cpio.gz", test_tmpdir());
	snprintf(b, sizeof(b), "%s/r2.cpio.gz", test_tmpdir());
	EXPECT_TRUE(rd_same_bytes(a, b));
}

TEST(cpio_plain_alignment)
{
	static const char data[] = "abcdefgh";
	char path[512], name[16];
	struct cpio *c;
	struct rd r;
	int fd = out_fd("plain.cpio", path);

	/* every name length mod 4 against every data length mod 4 */
	ASSERT_EQ(cpio_open(&c, fd, path, 0), 0);
	for (int n = 1; n <= 4; n++)
		for (int d = 0; d <= 4; d++) {
			snprintf(name, sizeof(name), "%.*s%d", n, "nnnn", d);
			ASSERT_EQ(cpio_add_data(c, name, 0644, data, (size_t)d), 0);
		}
	ASSERT_EQ(cpio_finish(c), 0);
	cpio_free(c);
	close(fd);
	/* rd_load checks each header is 4-aligned and the trailer ends the file */
	ASSERT_EQ(rd_load(&r, path), 0);
	EXPECT_FALSE(r.gzip);
	EXPECT_EQ(r.n, 20);
	EXPECT_EQ(r.len % 4, 0);
	EXPECT_EQ(rd_find(&r, "nnn3")->size, 3);
	EXPECT_TRUE(!memcmp(rd_find(&r, "nnn3")->data, "abc", 3));
	rd_free(&r);
}

TEST(cpio_names)
{
	char path[512], n[CPIO_MAX_NAME + 1], big[CPIO_MAX_NAME + 8];
	struct cpio *c;
	int fd = out_fd("names.cpio", path);

	EXPECT_EQ(cpio_name("//a/./b//c/", n), 0);
	EXPECT_STREQ(n, "a/b/c");
	EXPECT_EQ(cpio_name("a/../b", n), -EINVAL);
	EXPECT_EQ(cpio_name("/", n), -EINVAL);
	EXPECT_EQ(cpio_name("", n), -EINVAL);
	/* The end-of-archive name, however written: the kernel would stop there. */
	EXPECT_EQ(cpio_name("TRAILER!!!", n), -EPERM);
	EXPECT_EQ(cpio_name("/./TRAILER!!!/", n), -EPERM);
	EXPECT_EQ(cpio_name("d/TRAILER!!!", n), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	EXPECT_EQ(cpio_name(big, n), -ENAMETOOLONG);

	ASSERT_EQ(cpio_open(&c, fd, path, 0), 0);
	error_clear();
	EXPECT_EQ(cpio_add_data(c, big, 0644, "", 0), -ENAMETOOLONG);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "xxxxxxxx") != NULL);
	EXPECT_EQ(cpio_add_data(c, "../etc/passwd", 0644, "", 0), -EINVAL);
	EXPECT_EQ(cpio_add_data(c, "f", 0644, "", 0), 0);
	EXPECT_TRUE(cpio_has(c, "/f"));
	EXPECT_EQ(cpio_add_data(c, "/f", 0644, "", 0), -EEXIST);
	printf("    %s\n", error_msg());
	EXPECT_EQ(cpio_add_data(c, "f/g", 0644, "", 0), -ENOTDIR);
	EXPECT_EQ(cpio_add_dir(c, "d", 0755), 0);
	EXPECT_EQ(cpio_add_dir(c, "d/", 0755), 0); /* again: no-op */
	EXPECT_EQ(cpio_add_node(c, "d/x", S_IFREG, 0644, 0, 0), -EINVAL);
	/* input errors are not sticky: the archive is still good */
	EXPECT_EQ(cpio_finish(c), 0);
	cpio_free(c);
	close(fd);
}

TEST(cpio_file_errors)
{
	char path[512], host[512];
	struct cpio *c;
	int fd = out_fd("errs.cpio", path), big;

	ASSERT_EQ(cpio_open(&c, fd, path, 1), 0);
	snprintf(host, sizeof(host), "%s/no-such-file", test_tmpdir());
	error_clear();
	EXPECT_EQ(cpio_add_file(c, "x", 0644, host, "include"), -ENOENT);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "include") && strstr(error_msg(), "no-such-file"));
	EXPECT_EQ(cpio_add_file(c, "x", 0644, test_tmpdir(), "include"), -EINVAL);
	/* newc sizes are 8 hex digits: a 4 GiB file does not fit (sparse, no disk used) */
	snprintf(host, sizeof(host), "%s/huge", test_tmpdir());
	big = open(host, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_GE(big, 0);
	ASSERT_EQ(ftruncate(big, (off_t)CPIO_MAX_FILE + 1), 0);
	close(big);
	EXPECT_EQ(cpio_add_file(c, "x", 0644, host, "payload"), -EFBIG);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "huge") != NULL);
	unlink(host);
	EXPECT_FALSE(cpio_has(c, "x"));
	EXPECT_EQ(cpio_finish(c), 0);
	cpio_free(c);
	close(fd);
}

TEST(cpio_write_error_is_sticky)
{
	char path[512];
	struct cpio *c;
	int fd = out_fd("ro.cpio", path);

	close(fd);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(cpio_open(&c, fd, path, 0), 0);
	/* plain output is buffered: the failure shows at the latest in cpio_finish */
	(void)cpio_add_data(c, "a", 0644, "x", 1);
	error_clear();
	EXPECT_EQ(cpio_finish(c), -EBADF);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "ro.cpio") != NULL);
	EXPECT_EQ(cpio_add_data(c, "b", 0644, "x", 1), -EBADF);
	cpio_free(c);
	close(fd);
}

TEST(cpio_gnu_cpio_agrees)
{
	char path[512], cmd[1024], line[256];
	const char *want[] = {"dev",	     "dev/console",	 "init",  "etc",	 "etc/deep",
			      "etc/deep/er", "etc/deep/er/conf", "lib64", "lib64/ld.so", "empty"};
	size_t n = 0;
	FILE *p;

	if (system("gzip --version >/dev/null 2>&1 && cpio --version >/dev/null 2>&1"))
		SKIP("gzip or GNU cpio not installed");
	write_sample("gnu.cpio.gz", 6);
	snprintf(path, sizeof(path), "%s/gnu.cpio.gz", test_tmpdir());
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s' | cpio -t --quiet 2>&1", path);
	p = popen(cmd, "r");
	ASSERT_TRUE(p != NULL);
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (n < ARRAY_SIZE(want))
			EXPECT_STREQ(line, want[n]);
		n++;
	}
	EXPECT_EQ(pclose(p), 0);
	EXPECT_EQ(n, ARRAY_SIZE(want));
}
