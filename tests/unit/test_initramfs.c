// SPDX-License-Identifier: GPL-2.0
/*
 * The initramfs builder: layout of the two archives, the shared libraries of
 * a dynamic payload (this test binary itself), modules and their order file,
 * reproducible output, and the base cache (hit, invalidation, no leftovers).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/image/initramfs.h"
#include "core/image/initramfs_elf.h"
#include "tests/test.h"
#include "tests/unit/test_initramfs_reader.h"

#define RELEASE "9.9.9-ktvm"

static char dir[512], init[600], mods[600], cache[600], data[600];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ASSERT_TRUE(f != NULL);
	fputs(text, f);
	fclose(f);
}

static const char *path_in(const char *base, const char *rel)
{
	static char bufs[4][1024];
	static int i;

	i = (i + 1) % 4;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", base, rel);
	return bufs[i];
}

/* init script, modules tree, cache dir, an include directory */
static void setup(void)
{
	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "%s/build", test_tmpdir());
	snprintf(init, sizeof(init), "%s/init.sh", dir);
	snprintf(mods, sizeof(mods), "%s/modules/%s", dir, RELEASE);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	snprintf(data, sizeof(data), "%s/data", dir);
	mkdir(dir, 0755);
	write_file(init, "#!/bin/sh\nexec /ktvm/payload\n");
	chmod(init, 0755);
	mkdir(path_in(dir, "modules"), 0755);
	mkdir(mods, 0755);
	mkdir(path_in(mods, "kernel"), 0755);
	write_file(path_in(mods, "modules.dep"),
		   "kernel/virtio_mmio.ko.xz: kernel/virtio.ko kernel/virtio_ring.ko\n"
		   "kernel/virtio.ko:\nkernel/virtio_ring.ko:\n");
	write_file(path_in(mods, "modules.builtin"), "kernel/virtio_console.ko\n");
	write_file(path_in(mods, "kernel/virtio_mmio.ko.xz"), "xz module");
	write_file(path_in(mods, "kernel/virtio.ko"), "virtio module");
	write_file(path_in(mods, "kernel/virtio_ring.ko"), "ring module");
	mkdir(data, 0755);
	mkdir(path_in(data, "sub"), 0755);
	write_file(path_in(data, "sub/b.txt"), "bee\n");
	write_file(path_in(data, "a.txt"), "ay\n");
	unlink(path_in(data, "link"));
	ASSERT_EQ(symlink("sub/b.txt", path_in(data, "link")), 0);
}

static const char *const modules[] = {"virtio-mmio", "virtio_console", NULL};

static struct initramfs_spec spec(void)
{
	return (struct initramfs_spec){.init = init,
				       .modules = modules,
				       .modules_dir = mods,
				       .release = RELEASE,
				       .cache_dir = cache};
}

static void expect_entry(const struct rd *r, const char *name, u32 mode, const char *content,
			 int archive)
{
	const struct rd_entry *e = rd_find(r, name);

	if (!e) {
		test_fail_at(__FILE__, __LINE__, "no entry %s", name);
		return;
	}
	EXPECT_EQ(e->mode, mode);
	EXPECT_EQ(e->archive, archive);
	if (content && (e->size != strlen(content) || memcmp(e->data, content, e->size)))
		test_fail_at(__FILE__, __LINE__, "%s: content \"%.*s\", expected \"%s\"", name,
			     (int)e->size, e->data, content);
}

TEST(initramfs_layout)
{
	const char *includes[5];
	struct initramfs_spec s;
	struct initramfs_info info;
	struct initramfs_elf self;
	const struct rd_entry *e;
	char out[1024], self_path[PATH_MAX];
	struct stat st;
	struct rd r;

	setup();
	/* a file to /bin, a file renamed, a directory under a dir, a directory to /bin */
	includes[0] = path_in(data, "a.txt");
	includes[1] = path_in(data, "sub/b.txt:/etc/b.conf");
	includes[2] = path_in(data, "sub:/opt/");
	includes[3] = data;
	includes[4] = NULL;
	/* this binary, dynamic; resolved because qemu-user answers stat() of
	 * /proc/self/exe with its own binary */
	ASSERT_TRUE(realpath("/proc/self/exe", self_path) != NULL);
	s = spec();
	s.payload = self_path;
	s.includes = includes;
	snprintf(out, sizeof(out), "%s/layout.cpio.gz", dir);
	ASSERT_EQ(initramfs_build(&s, out, &info), 0);
	EXPECT_FALSE(info.cache_hit);
	EXPECT_EQ(info.modules, 3);
	EXPECT_GT(info.libraries, 0);
	EXPECT_STREQ(info.release, RELEASE);
	ASSERT_EQ(rd_load(&r, out), 0);
	EXPECT_EQ(r.archives, 2);
	for (size_t i = 0; i < r.n; i++)
		EXPECT_TRUE(!r.v[i].uid && !r.v[i].gid && !r.v[i].mtime);

	expect_entry(&r, "init", S_IFREG | 0755, "#!/bin/sh\nexec /ktvm/payload\n", 0);
	expect_entry(&r, "dev/console", S_IFCHR | 0600, NULL, 0);
	EXPECT_EQ(rd_find(&r, "dev/console")->rmajor, 5);
	expect_entry(&r, "tmp", S_IFDIR | 01777, NULL, 0);
	expect_entry(&r, "proc", S_IFDIR | 0755, NULL, 0);
	expect_entry(&r, "lib/modules/" RELEASE "/kernel/virtio_mmio.ko.xz", S_IFREG | 0644,
		     "xz module", 0);
	/* dependencies first; virtio_console is built in */
	expect_entry(&r, "ktvm/modules.order", S_IFREG | 0644,
		     "/lib/modules/" RELEASE "/kernel/virtio.ko\n"
		     "/lib/modules/" RELEASE "/kernel/virtio_ring.ko\n"
		     "/lib/modules/" RELEASE "/kernel/virtio_mmio.ko.xz\n",
		     0);

	expect_entry(&r, "ktvm/payload", S_IFREG | 0755, NULL, 1);
	ASSERT_EQ(stat(self_path, &st), 0);
	EXPECT_EQ(rd_find(&r, "ktvm/payload")->size, st.st_size);
	/* the payload's interpreter, at the path in its PT_INTERP */
	ASSERT_EQ(initramfs_elf_read(self_path, &self), 0);
	ASSERT_TRUE(self.interp != NULL);
	e = rd_find(&r, self.interp + 1);
	printf("    interpreter %s: %s\n", self.interp, e ? "packed" : "missing");
	EXPECT_TRUE(e != NULL);
	initramfs_elf_free(&self);
	e = NULL;
	for (size_t i = 0; i < r.n; i++)
		if (strstr(r.v[i].name, "/libelf.so"))
			e = &r.v[i];
	EXPECT_TRUE(e != NULL);

	expect_entry(&r, "bin/a.txt", S_IFREG | 0644, "ay\n", 1);
	expect_entry(&r, "etc/b.conf", S_IFREG | 0644, "bee\n", 1);
	expect_entry(&r, "opt/sub/b.txt", S_IFREG | 0644, "bee\n", 1);
	expect_entry(&r, "bin/data/sub/b.txt", S_IFREG | 0644, "bee\n", 1);
	expect_entry(&r, "bin/data/link", S_IFLNK | 0777, "sub/b.txt", 1);
	rd_free(&r);
}

TEST(initramfs_reproducible)
{
	struct initramfs_spec s;
	char a[1024], b[1024], c[1024];

	setup();
	s = spec();
	s.payload = init;
	snprintf(a, sizeof(a), "%s/rep-a", dir);
	snprintf(b, sizeof(b), "%s/rep-b", dir);
	snprintf(c, sizeof(c), "%s/rep-c", dir);
	ASSERT_EQ(initramfs_build(&s, a, NULL), 0);
	ASSERT_EQ(initramfs_build(&s, b, NULL), 0);
	s.no_cache = true;
	ASSERT_EQ(initramfs_build(&s, c, NULL), 0);
	EXPECT_TRUE(rd_same_bytes(a, b));
	EXPECT_TRUE(rd_same_bytes(a, c));
}

/* Names in d containing what. */
static int count_in(const char *d, const char *what)
{
	struct dirent *de;
	DIR *dh = opendir(d);
	int n = 0;

	if (!dh)
		return -1;
	while ((de = readdir(dh)))
		n += strstr(de->d_name, what) != NULL;
	closedir(dh);
	return n;
}

TEST(initramfs_cache_hit)
{
	struct initramfs_spec s;
	struct initramfs_info i1, i2;
	struct stat st1, st2;
	char out[1024];

	setup();
	s = spec();
	snprintf(out, sizeof(out), "%s/hit", dir);
	ASSERT_EQ(initramfs_build(&s, out, &i1), 0);
	ASSERT_EQ(stat(i1.base, &st1), 0);
	printf("    base %s\n", i1.base);
	EXPECT_EQ(strncmp(i1.base, cache, strlen(cache)), 0);
	/* the payload is not part of the base */
	s.payload = init;
	ASSERT_EQ(initramfs_build(&s, out, &i2), 0);
	EXPECT_TRUE(i2.cache_hit);
	EXPECT_STREQ(i2.base, i1.base);
	ASSERT_EQ(stat(i2.base, &st2), 0);
	EXPECT_EQ(st2.st_ino, st1.st_ino);
	EXPECT_EQ(st2.st_mtim.tv_nsec, st1.st_mtim.tv_nsec);
	EXPECT_EQ(st2.st_mtim.tv_sec, st1.st_mtim.tv_sec);
	EXPECT_EQ(count_in(cache, ".tmp."), 0);
	EXPECT_EQ(count_in(dir, ".tmp."), 0);
}

TEST(initramfs_cache_invalidation)
{
	struct initramfs_spec s;
	struct initramfs_info i1, i2, i3;
	char out[1024], init2[1024], manifest[1024];
	struct timespec ts[2] = {{0, UTIME_OMIT}, {12345, 0}};

	setup();
	s = spec();
	snprintf(out, sizeof(out), "%s/inval", dir);
	snprintf(init2, sizeof(init2), "%s/init2.sh", dir);
	write_file(init2, "#!/bin/sh\necho one\n");
	s.init = init2;
	ASSERT_EQ(initramfs_build(&s, out, &i1), 0);
	ASSERT_EQ(initramfs_build(&s, out, &i2), 0);
	EXPECT_TRUE(i2.cache_hit);
	/* new contents of init */
	write_file(init2, "#!/bin/sh\necho two, longer\n");
	ASSERT_EQ(initramfs_build(&s, out, &i2), 0);
	EXPECT_FALSE(i2.cache_hit);
	EXPECT_TRUE(strcmp(i1.base, i2.base) != 0);
	/* same bytes, new mtime of a module: rebuilt too */
	ASSERT_EQ(utimensat(AT_FDCWD, path_in(mods, "kernel/virtio.ko"), ts, 0), 0);
	ASSERT_EQ(initramfs_build(&s, out, &i3), 0);
	EXPECT_FALSE(i3.cache_hit);
	EXPECT_TRUE(strcmp(i3.base, i2.base) != 0);
	/* another module list */
	s.modules = NULL;
	ASSERT_EQ(initramfs_build(&s, out, &i3), 0);
	EXPECT_FALSE(i3.cache_hit);
	EXPECT_EQ(i3.modules, 0);
	/* a damaged manifest is a miss, not a wrong archive */
	snprintf(manifest, sizeof(manifest), "%.*s.manifest", (int)(strlen(i3.base) - 8), i3.base);
	write_file(manifest, "something else\n");
	ASSERT_EQ(initramfs_build(&s, out, &i2), 0);
	EXPECT_FALSE(i2.cache_hit);
	ASSERT_EQ(initramfs_build(&s, out, &i2), 0);
	EXPECT_TRUE(i2.cache_hit);
}

TEST(initramfs_release_from_kernel)
{
	static u8 img[0x1000];
	struct initramfs_spec s;
	struct initramfs_info info;
	char root[1024], kernel[1024], cmd[4096];
	int fd;

	setup();
	/* a bzImage header naming the release; modules under lib_root */
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f;
	img[0x207] = 0x02;
	img[0x20f] = 0x03;
	strcpy((char *)img + 0x500, RELEASE " (test) #1");
	snprintf(kernel, sizeof(kernel), "%s/bzImage", dir);
	fd = open(kernel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, img, sizeof(img)), (ssize_t)sizeof(img));
	close(fd);
	snprintf(root, sizeof(root), "%s/sysroot", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/lib/modules' && cp -r '%s' '%s/lib/modules/'",
		 root, mods, root);
	ASSERT_EQ(system(cmd), 0);
	s = spec();
	s.release = NULL;
	s.modules_dir = NULL;
	s.kernel = kernel;
	s.lib_root = root;
	ASSERT_EQ(initramfs_build(&s, path_in(dir, "rel"), &info), 0);
	EXPECT_STREQ(info.release, RELEASE);
	EXPECT_EQ(info.modules, 3);
	/* and without either */
	s.kernel = NULL;
	error_clear();
	EXPECT_EQ(initramfs_build(&s, path_in(dir, "rel2"), NULL), -EINVAL);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(access(path_in(dir, "rel2"), F_OK) != 0);
}

TEST(initramfs_uncompressed)
{
	struct initramfs_spec s;
	struct initramfs_info info;
	char out[1024];
	struct rd r;

	setup();
	s = spec();
	s.level = -1;
	s.payload = init;
	snprintf(out, sizeof(out), "%s/plain.cpio", dir);
	ASSERT_EQ(initramfs_build(&s, out, &info), 0);
	EXPECT_TRUE(strstr(info.base, ".cpio.gz") == NULL);
	ASSERT_EQ(rd_load(&r, out), 0);
	EXPECT_FALSE(r.gzip);
	EXPECT_EQ(r.archives, 2);
	expect_entry(&r, "ktvm/payload", S_IFREG | 0755, "#!/bin/sh\nexec /ktvm/payload\n", 1);
	rd_free(&r);
}

TEST(initramfs_errors_leave_nothing)
{
	const char *const nomod[] = {"no_such_module", NULL};
	const char *inc[] = {"/nonexistent/file", NULL};
	char out[1024], clash[1024];
	struct initramfs_spec s;

	setup();
	snprintf(out, sizeof(out), "%s/fail/out.cpio.gz", dir);
	mkdir(path_in(dir, "fail"), 0755);
	s = spec();
	s.includes = inc;
	error_clear();
	EXPECT_EQ(initramfs_build(&s, out, NULL), -ENOENT);
	printf("    %s\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "/nonexistent/file") != NULL);
	/* an include may not replace what the base has */
	snprintf(clash, sizeof(clash), "%s/a.txt:/init", data);
	inc[0] = clash;
	EXPECT_EQ(initramfs_build(&s, out, NULL), -EEXIST);
	printf("    %s\n", error_msg());
	s.includes = NULL;
	s.modules = nomod;
	EXPECT_EQ(initramfs_build(&s, out, NULL), -ENOENT);
	printf("    %s\n", error_msg());
	s.modules = modules;
	s.init = "/nonexistent/init";
	EXPECT_EQ(initramfs_build(&s, out, NULL), -ENOENT);
	EXPECT_TRUE(strstr(error_msg(), "init /nonexistent/init") != NULL);
	/* an output directory that does not exist */
	s.init = init;
	EXPECT_EQ(initramfs_build(&s, path_in(dir, "no/such/dir/out"), NULL), -ENOENT);
	printf("    %s\n", error_msg());
	EXPECT_EQ(count_in(path_in(dir, "fail"), ""), 2); /* "." and ".." */
	EXPECT_EQ(count_in(cache, ".tmp."), 0);
}
