// SPDX-License-Identifier: GPL-2.0
/*
 * tools/pack.c, the payload packing of `ktvm run -- PROG`: PROG looked up
 * as a shell does, an absolute path that is not a host file run as a guest
 * path, where the kernel's modules are found (in the order pack.c lists),
 * the release read from the kernel that boots (the kernel cache's copy),
 * and that pack_cleanup() leaves nothing behind, after success or failure.
 *
 * Everything lives in this binary's scratch directory: TMPDIR (where pack
 * makes its private directory), KTVM_CACHE, PATH and a fake kernel (a file
 * with a "Linux version" banner) are all set here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/image/initramfs.h"
#include "tests/test.h"
#include "tests/unit/test_initramfs_reader.h"
#include "tools/pack.h"

#define RELEASE "9.9.9-ktvmtest"

static char root[256], tmp[320], bin1[320], bin2[320], bin3[320], kdir[320], kernel[400];

/* ---- helpers ---------------------------------------------------------- */

static const char *path_in(const char *base, const char *rel)
{
	static char bufs[8][PATH_MAX + 64];
	static int i;

	i = (i + 1) % 8;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", base, rel);
	return bufs[i];
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ASSERT_TRUE(f != NULL);
	fputs(text, f);
	ASSERT_EQ(fclose(f), 0);
	ASSERT_EQ(chmod(path, mode), 0);
}

static void mkdirs(const char *path)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
	ASSERT_EQ(access(p, F_OK), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Entries in a directory, "." and ".." not counted; -1 if it cannot be read. */
static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* pack's private directories all go to TMPDIR: it must be empty again. */
static void expect_tmp_empty(void)
{
	EXPECT_EQ(dir_entries(tmp), 0);
}

static char orig_path[4096], orig_cwd[PATH_MAX];

/*
 * The PATH and current directory this binary started with, back after a
 * case changed them (the scratch directory is removed with `rm` from PATH).
 */
static void env_reset(void)
{
	setenv("PATH", orig_path, 1);
	ASSERT_EQ(chdir(orig_cwd), 0);
}

/* Once: the scratch tree and the environment; then env_reset() before each case. */
static void setup(void)
{
	if (root[0]) {
		env_reset();
		return;
	}
	snprintf(orig_path, sizeof(orig_path), "%s", getenv("PATH") ?: "/usr/bin:/bin");
	ASSERT_TRUE(getcwd(orig_cwd, sizeof(orig_cwd)) != NULL);
	snprintf(root, sizeof(root), "%s/pack", test_tmpdir());
	snprintf(tmp, sizeof(tmp), "%s/tmp", root);
	snprintf(bin1, sizeof(bin1), "%s/bin1", root);
	snprintf(bin2, sizeof(bin2), "%s/bin2", root);
	snprintf(bin3, sizeof(bin3), "%s/bin3", root);
	snprintf(kdir, sizeof(kdir), "%s/k/boot", root);
	snprintf(kernel, sizeof(kernel), "%s/vmlinux", kdir);
	mkdirs(tmp);
	mkdirs(bin1);
	mkdirs(bin2);
	mkdirs(bin3);
	mkdirs(kdir);
	/* what kmod_release() reads from an uncompressed image */
	write_file(kernel,
		   "\x7f"
		   "ELF?not really\nLinux version " RELEASE " (t@h) #1 SMP\n",
		   0644);
	setenv("TMPDIR", tmp, 1);
	setenv("KTVM_CACHE", path_in(root, "cache"), 1);
}

static struct pack_opts opts(char **argv)
{
	return (struct pack_opts){.kernel = kernel, .argv = argv};
}

/* The NUL-separated contents of f->dir/name equal want[0..len). */
static void expect_file_bytes(const struct pack_files *f, const char *name, const char *want,
			      size_t len)
{
	size_t got_len;
	u8 *got = rd_slurp(path_in(f->dir, name), &got_len);

	if (!got || got_len != len || memcmp(got, want, len))
		test_fail_at(__FILE__, __LINE__, "%s/%s: %zu bytes \"%.*s\", expected %zu", f->dir,
			     name, got_len, (int)got_len, got ? (char *)got : "", len);
	free(got);
}

/* The payload packed, as text ("" if there is none). */
static char *payload_text(const struct pack_files *f, bool *has)
{
	static char text[256];
	const struct rd_entry *e;
	struct rd r;

	text[0] = '\0';
	*has = false;
	if (rd_load(&r, f->initrd))
		return text;
	e = rd_find(&r, INITRAMFS_PAYLOAD + 1);
	if (e) {
		*has = true;
		snprintf(text, sizeof(text), "%.*s", (int)e->size, e->data);
	}
	rd_free(&r);
	return text;
}

static void expect_payload(const struct pack_files *f, const char *want)
{
	bool has;
	const char *got = payload_text(f, &has);

	EXPECT_TRUE(has);
	EXPECT_STREQ(got, want);
}

/* Pack argv, check the payload and /ktvm/cmd, clean up. */
static void expect_packs(char **argv, const char *payload, const char *cmd, size_t cmd_len)
{
	struct pack_opts o = opts(argv);
	struct pack_files f;
	int ret = pack_prepare(&o, &f);

	if (ret)
		test_fail_at(__FILE__, __LINE__, "PATH=\"%s\": pack_prepare: %d: %s",
			     getenv("PATH"), ret, error_msg());
	if (!ret) {
		expect_payload(&f, payload);
		expect_file_bytes(&f, "cmd", cmd, cmd_len);
	}
	pack_cleanup(&f);
	expect_tmp_empty();
}

static void expect_not_found(char **argv, const char *msg)
{
	struct pack_opts o = opts(argv);
	struct pack_files f;

	error_clear();
	EXPECT_EQ(pack_prepare(&o, &f), -ENOENT);
	EXPECT_EQ(error_kind(), ERROR_INPUT);
	EXPECT_STREQ(error_msg(), msg);
	EXPECT_STREQ(f.dir, "");
	pack_cleanup(&f);
	expect_tmp_empty();
}

/* ---- --initramfs-compress ----------------------------------------------- */

/* Plain newc by default; gzip members (each archive its own) when asked; same files. */
TEST(pack_compress_none_and_gzip)
{
	char prog[] = "/bin/true", *argv[] = {prog, NULL};
	struct pack_opts o = opts(argv);
	struct pack_files f;
	struct rd r;

	setup();
	for (int gz = 0; gz <= 1; gz++) {
		o.gzip = gz;
		EXPECT_EQ(pack_prepare(&o, &f), 0);
		EXPECT_EQ(f.gzip, (bool)gz);
		EXPECT_EQ(rd_load(&r, f.initrd), 0);
		EXPECT_EQ(r.gzip, (bool)gz);
		EXPECT_TRUE(rd_find(&r, "ktvm/cmd") != NULL);
		EXPECT_TRUE(f.bytes > 0);
		rd_free(&r);
		pack_cleanup(&f);
	}
	expect_tmp_empty();
}

/* ---- finding PROG --------------------------------------------------------- */

/*
 * split: initrd holds only the run's own archive; the cached base, named in
 * base, followed by it is the archive a whole pack makes, byte for byte.
 */
TEST(pack_split_base)
{
	char prog[] = "/bin/true", *argv[] = {prog, NULL}, cat[3 * PATH_MAX + 64];
	struct pack_opts o = opts(argv);
	struct pack_files whole, f;
	struct stat st, sb;
	struct rd r;

	setup();
	ASSERT_EQ(pack_prepare(&o, &whole), 0);
	EXPECT_EQ(whole.base[0], '\0');
	o.split = true;
	ASSERT_EQ(pack_prepare(&o, &f), 0);
	ASSERT_TRUE(f.base[0] != '\0');
	ASSERT_TRUE(f.initrd[0] != '\0'); /* /bin/true and its libraries */
	ASSERT_EQ(stat(f.base, &sb), 0);
	ASSERT_EQ(stat(f.initrd, &st), 0);
	EXPECT_EQ(f.bytes, (u64)(sb.st_size + st.st_size));
	EXPECT_EQ(sb.st_size % 4, 0); /* the next archive starts 4-aligned (buffer-format.rst) */
	snprintf(cat, sizeof(cat), "cat '%s' '%s' | cmp -s - '%s'", f.base, f.initrd, whole.initrd);
	EXPECT_EQ(system(cat), 0);
	EXPECT_EQ(rd_load(&r, f.initrd), 0);
	EXPECT_TRUE(rd_find(&r, "ktvm/cmd") != NULL);
	EXPECT_TRUE(rd_find(&r, "init") == NULL);
	rd_free(&r);
	pack_cleanup(&f);
	pack_cleanup(&whole);
	expect_tmp_empty();
}

TEST(pack_prog_from_path)
{
	char prog[] = "hello", arg[] = "a b", *argv[] = {prog, arg, NULL};
	static const char cmd[] = "/ktvm/payload\0hello\0a b";
	char path[1024];

	setup();
	write_file(path_in(bin2, "hello"), "#!/bin/sh\necho bin2\n", 0755);
	snprintf(path, sizeof(path), "%s:%s", bin1, bin2);
	setenv("PATH", path, 1);
	expect_packs(argv, "#!/bin/sh\necho bin2\n", cmd, sizeof(cmd));

	/* the first directory that has it wins */
	write_file(path_in(bin1, "hello"), "#!/bin/sh\necho bin1\n", 0755);
	expect_packs(argv, "#!/bin/sh\necho bin1\n", cmd, sizeof(cmd));
	unlink(path_in(bin1, "hello"));
	unlink(path_in(bin2, "hello"));
	env_reset();
}

/* As a shell: a hit that is not an executable regular file is passed over. */
TEST(pack_prog_skips_non_executables)
{
	char prog[] = "tool", *argv[] = {prog, NULL};
	static const char cmd[] = "/ktvm/payload\0tool";
	char path[1024];

	setup();
	write_file(path_in(bin1, "tool"), "not executable\n", 0644);
	mkdirs(path_in(bin2, "tool"));
	write_file(path_in(bin3, "tool"), "#!/bin/sh\necho bin3\n", 0755);
	snprintf(path, sizeof(path), "%s:%s:%s", bin1, bin2, bin3);
	setenv("PATH", path, 1);
	expect_packs(argv, "#!/bin/sh\necho bin3\n", cmd, sizeof(cmd));
	unlink(path_in(bin1, "tool"));
	rmdir(path_in(bin2, "tool"));
	unlink(path_in(bin3, "tool"));
	env_reset();
}

TEST(pack_prog_not_found)
{
	char prog[] = "ktvm-test-no-such-prog", *argv[] = {prog, NULL};
	char rel[] = "./ktvm-test-no-dir/prog", *rargv[] = {rel, NULL};

	setup();
	write_file(path_in(bin1, "ktvm-test-no-such-prog"), "not executable\n", 0644);
	setenv("PATH", bin1, 1);
	expect_not_found(argv, "ktvm-test-no-such-prog: not found in PATH");
	/* a relative path with a '/' is not searched for and must be a host file */
	expect_not_found(rargv, "./ktvm-test-no-dir/prog: no such file");
	unlink(path_in(bin1, "ktvm-test-no-such-prog"));
	env_reset();
}

/* An empty PATH element (leading, inner, trailing, or all of it) is the current directory. */
TEST(pack_prog_empty_path_element_is_cwd)
{
	static const char *const fmts[] = {":%s", "%s::%s", "%s:", ""};
	char prog[] = "here", *argv[] = {prog, NULL};
	static const char cmd[] = "/ktvm/payload\0here";
	char path[1024];

	setup();
	write_file(path_in(bin3, "here"), "#!/bin/sh\necho cwd\n", 0755);
	ASSERT_EQ(chdir(bin3), 0);
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		snprintf(path, sizeof(path), fmts[i], bin1, bin2);
		setenv("PATH", path, 1);
		expect_packs(argv, "#!/bin/sh\necho cwd\n", cmd, sizeof(cmd));
	}
	/* and without an empty element, the current directory is not searched */
	snprintf(path, sizeof(path), "%s:%s", bin1, bin2);
	setenv("PATH", path, 1);
	expect_not_found(argv, "here: not found in PATH");
	unlink(path_in(bin3, "here"));
	env_reset();
}

TEST(pack_prog_paths_with_a_slash)
{
	char abs[512], rel[] = "bin2/rel", *argv[] = {abs, NULL}, *rargv[] = {rel, NULL};
	static const char rcmd[] = "/ktvm/payload\0bin2/rel";
	char cmd[1024];
	int n;

	setup();
	setenv("PATH", bin1, 1);
	/* an absolute host file is packed; argv[0] stays as given */
	snprintf(abs, sizeof(abs), "%s", path_in(bin2, "abs"));
	write_file(abs, "#!/bin/sh\necho abs\n", 0755);
	n = snprintf(cmd, sizeof(cmd), "/ktvm/payload%c%s", 0, abs);
	expect_packs(argv, "#!/bin/sh\necho abs\n", cmd, (size_t)n + 1);
	unlink(abs);
	/* a relative one is relative to the current directory, not PATH */
	write_file(path_in(bin2, "rel"), "#!/bin/sh\necho rel\n", 0755);
	ASSERT_EQ(chdir(root), 0);
	expect_packs(rargv, "#!/bin/sh\necho rel\n", rcmd, sizeof(rcmd));
	unlink(path_in(bin2, "rel"));
	env_reset();
}

/* An absolute path that is not a host file: run in the guest as given, nothing packed. */
TEST(pack_prog_guest_path)
{
	char prog[] = "/ktvm-test-no-such-dir/prog", arg[] = "-x";
	char *argv[] = {prog, arg, NULL};
	static const char cmd[] = "/ktvm-test-no-such-dir/prog\0/ktvm-test-no-such-dir/prog\0-x";
	struct pack_opts o;
	const struct rd_entry *e;
	struct pack_files f;
	struct rd r;

	setup();
	o = opts(argv);
	ASSERT_TRUE(access(prog, F_OK) != 0);
	ASSERT_EQ(pack_prepare(&o, &f), 0);
	expect_file_bytes(&f, "cmd", cmd, sizeof(cmd));
	ASSERT_EQ(rd_load(&r, f.initrd), 0);
	EXPECT_TRUE(rd_find(&r, INITRAMFS_PAYLOAD + 1) == NULL);
	e = rd_find(&r, "ktvm/cmd");
	EXPECT_TRUE(e && e->size == sizeof(cmd) && !memcmp(e->data, cmd, sizeof(cmd)));
	EXPECT_TRUE(rd_find(&r, "init") != NULL);
	EXPECT_TRUE(rd_find(&r, "ktvm/env") == NULL);
	rd_free(&r);
	pack_cleanup(&f);
	expect_tmp_empty();
}

TEST(pack_env_file)
{
	char prog[] = "/ktvm-test-no-such-dir/prog", *argv[] = {prog, NULL};
	static const char env[] = "A=1\0B=two words\0C=";
	struct pack_opts o;
	const struct rd_entry *e;
	struct pack_files f;
	struct rd r;

	setup();
	o = opts(argv);
	o.env[0] = "A=1";
	o.env[1] = "B=two words";
	o.env[2] = "C=";
	o.nr_env = 3;
	ASSERT_EQ(pack_prepare(&o, &f), 0);
	expect_file_bytes(&f, "env", env, sizeof(env));
	ASSERT_EQ(rd_load(&r, f.initrd), 0);
	e = rd_find(&r, "ktvm/env");
	EXPECT_TRUE(e && e->size == sizeof(env) && !memcmp(e->data, env, sizeof(env)));
	rd_free(&r);
	pack_cleanup(&f);
	expect_tmp_empty();
}

/* ---- where the modules are ------------------------------------------------ */

/* A modules tree with the two modules pack asks for, marked with `mark`. */
static void make_modules(const char *dir, const char *mark)
{
	mkdirs(path_in(dir, "kernel"));
	write_file(path_in(dir, "modules.dep"),
		   "kernel/virtio_mmio.ko:\nkernel/virtio_console.ko:\n", 0644);
	write_file(path_in(dir, "kernel/virtio_mmio.ko"), mark, 0644);
	write_file(path_in(dir, "kernel/virtio_console.ko"), "console", 0644);
}

/* Pack with the kernel k, expect modules from dir (marked mark), or none. */
static void expect_modules(const char *k, const char *modules_dir, const char *dir,
			   const char *mark)
{
	char prog[] = "/ktvm-test-no-such-dir/prog", *argv[] = {prog, NULL};
	struct pack_opts o = opts(argv);
	const struct rd_entry *e;
	struct pack_files f;
	struct rd r;

	o.kernel = k;
	o.modules_dir = modules_dir;
	if (pack_prepare(&o, &f)) {
		test_fail_at(__FILE__, __LINE__, "pack_prepare: %s", error_msg());
		pack_cleanup(&f);
		return;
	}
	EXPECT_STREQ(f.release, RELEASE);
	EXPECT_STREQ(f.modules_dir, dir);
	EXPECT_EQ(f.modules, mark ? 2 : 0);
	if (!rd_load(&r, f.initrd)) {
		e = rd_find(&r, "lib/modules/" RELEASE "/kernel/virtio_mmio.ko");
		if (mark)
			EXPECT_TRUE(e && e->size == strlen(mark) &&
				    !memcmp(e->data, mark, e->size));
		else
			EXPECT_TRUE(e == NULL);
		rd_free(&r);
	}
	pack_cleanup(&f);
	expect_tmp_empty();
}

/*
 * The order pack.c's summary gives: beside an unpacked Debian kernel
 * (DIR/root/lib/modules, DIR/root/usr/lib/modules), beside an installed one
 * (DIR/../lib/modules, DIR/../usr/lib/modules), then the host's
 * /lib/modules/R. Each is found while those before it are missing.
 */
/* --scheduler: the host ELF packed as /ktvm/scheduler, its command in /ktvm/sched. */
TEST(pack_scheduler)
{
	char prog[] = "/ktvm-test-no-such-dir/prog", *argv[] = {prog, NULL};
	static const char cmd[] = "/ktvm/scheduler\0/proc/self/exe\0--mode\0error-after=5";
	struct pack_opts o;
	const struct rd_entry *e;
	struct pack_files f;
	struct rd r;

	setup();
	o = opts(argv);
	o.sched = "/proc/self/exe"; /* this test: an ELF of the guest's arch */
	o.sched_args[0] = "--mode";
	o.sched_args[1] = "error-after=5";
	o.nr_sched_args = 2;
	if (pack_prepare(&o, &f)) {
		test_fail_at(__FILE__, __LINE__, "pack_prepare: %s", error_msg());
		pack_cleanup(&f);
		return;
	}
	ASSERT_EQ(rd_load(&r, f.initrd), 0);
	e = rd_find(&r, "ktvm/sched");
	EXPECT_TRUE(e && e->size == sizeof(cmd) && !memcmp(e->data, cmd, sizeof(cmd)));
	e = rd_find(&r, "ktvm/scheduler");
	EXPECT_TRUE(e && e->size > 64 && !memcmp(e->data, "\177ELF", 4));
	rd_free(&r);
	pack_cleanup(&f);
	expect_tmp_empty();
}

/* --scheduler refuses what cannot run in the guest, before anything is built. */
TEST(pack_scheduler_refused)
{
	char prog[] = "/ktvm-test-no-such-dir/prog", *argv[] = {prog, NULL};
	struct pack_opts o;
	struct pack_files f;

	setup();
	o = opts(argv);
	o.sched = "/ktvm-test-no-such-dir/sched";
	EXPECT_EQ(pack_prepare(&o, &f), -ENOENT);
	EXPECT_STREQ(error_msg(), "--scheduler /ktvm-test-no-such-dir/sched: no such file");
	pack_cleanup(&f);
	o.sched = "/etc/passwd";
	EXPECT_EQ(pack_prepare(&o, &f), -ENOEXEC);
	EXPECT_STREQ(error_msg(), "--scheduler /etc/passwd: not an ELF program");
	pack_cleanup(&f);
	expect_tmp_empty();
}

TEST(pack_modules_dir_order)
{
	const char *rel[] = {
	    "root/lib/modules/" RELEASE,
	    "root/usr/lib/modules/" RELEASE,
	    "../lib/modules/" RELEASE,
	    "../usr/lib/modules/" RELEASE,
	};
	char mark[32];

	setup();
	if (!access("/lib/modules/" RELEASE, F_OK))
		SKIP("the host has /lib/modules/%s", RELEASE);
	for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
		snprintf(mark, sizeof(mark), "mmio %zu", i);
		make_modules(path_in(kdir, rel[i]), mark);
	}
	for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
		snprintf(mark, sizeof(mark), "mmio %zu", i);
		expect_modules(kernel, NULL, path_in(kdir, rel[i]), mark);
		rm_rf(path_in(kdir, rel[i]));
	}
	expect_modules(kernel, NULL, "", NULL);
}

/* A candidate must be a directory; an explicit modules_dir wins over all. */
TEST(pack_modules_dir_explicit_and_non_dirs)
{
	char first[1024], second[1024], other[1024];

	setup();
	snprintf(first, sizeof(first), "%s", path_in(kdir, "root/lib/modules/" RELEASE));
	snprintf(second, sizeof(second), "%s", path_in(kdir, "root/usr/lib/modules/" RELEASE));
	snprintf(other, sizeof(other), "%s", path_in(root, "other-modules"));
	mkdirs(path_in(kdir, "root/lib/modules"));
	write_file(first, "a file, not a tree", 0644);
	make_modules(second, "second");
	make_modules(other, "other");
	expect_modules(kernel, NULL, second, "second");
	expect_modules(kernel, other, other, "other");
	rm_rf(path_in(kdir, "root"));
	rm_rf(other);
}

/* A kernel named without a directory: its directory is the current one. */
TEST(pack_modules_dir_kernel_in_cwd)
{
	setup();
	make_modules(path_in(kdir, "root/lib/modules/" RELEASE), "cwd");
	ASSERT_EQ(chdir(kdir), 0);
	expect_modules("vmlinux", NULL, "./root/lib/modules/" RELEASE, "cwd");
	env_reset();
	rm_rf(path_in(kdir, "root"));
}

/*
 * A compressed kernel (an EFI zboot image, which has no banner to read)
 * booted through the kernel cache: the release comes from the booted
 * copy, the modules from beside the image given. Without the copy, the
 * message says what the image is.
 */
TEST(pack_release_from_booted_kernel)
{
	char prog[] = "/ktvm-test-no-such-dir/prog", *argv[] = {prog, NULL};
	struct pack_opts o = opts(argv);
	char zdir[1024], zk[1100], mods[1100];
	struct pack_files f;

	setup();
	snprintf(zdir, sizeof(zdir), "%s", path_in(root, "z"));
	snprintf(zk, sizeof(zk), "%s/vmlinuz.efi", zdir);
	snprintf(mods, sizeof(mods), "%s/root/lib/modules/" RELEASE, zdir);
	make_modules(mods, "beside the image");
	write_file(zk, "MZ\x01\x01zimg compressed", 0644);
	o.kernel = zk;
	o.booted = kernel;
	ASSERT_EQ(pack_prepare(&o, &f), 0);
	EXPECT_STREQ(f.release, RELEASE);
	EXPECT_STREQ(f.modules_dir, mods);
	EXPECT_EQ(f.modules, 2);
	pack_cleanup(&f);
	o.booted = NULL;
	EXPECT_LT(pack_prepare(&o, &f), 0);
	EXPECT_TRUE(strstr(error_msg(), "an EFI zboot image") != NULL);
	pack_cleanup(&f);
	expect_tmp_empty();
	rm_rf(zdir);
}

/* ---- cleanup ---------------------------------------------------------------- */

TEST(pack_cleanup_after_success)
{
	char prog[] = "/ktvm-test-no-such-dir/prog", *argv[] = {prog, NULL};
	struct pack_opts o;
	struct pack_files f;

	setup();
	o = opts(argv);
	o.env[0] = "A=1";
	o.nr_env = 1;
	ASSERT_EQ(pack_prepare(&o, &f), 0);
	/* what prepare leaves is exactly what cleanup knows to remove */
	EXPECT_EQ(dir_entries(f.dir), 3);
	EXPECT_EQ(access(path_in(f.dir, "cmd"), F_OK), 0);
	EXPECT_EQ(access(path_in(f.dir, "env"), F_OK), 0);
	EXPECT_EQ(access(f.initrd, F_OK), 0);
	EXPECT_EQ(strncmp(f.dir, tmp, strlen(tmp)), 0);
	pack_cleanup(&f);
	EXPECT_STREQ(f.dir, "");
	expect_tmp_empty();
	pack_cleanup(&f);
}

TEST(pack_cleanup_safe_on_empty)
{
	struct pack_files f;

	memset(&f, 0, sizeof(f));
	pack_cleanup(&f);
	pack_cleanup(&f);
	EXPECT_STREQ(f.dir, "");
}

/* Failures after the private directory exists: cleanup still removes it all. */
TEST(pack_cleanup_after_failures)
{
	char prog[] = "/ktvm-test-no-such-dir/prog", *argv[] = {prog, NULL};
	char missing[512], mods[512];
	struct pack_files f;
	struct pack_opts o;

	setup();
	snprintf(mods, sizeof(mods), "%s", path_in(kdir, "root/lib/modules/" RELEASE));
	/* no kernel */
	o = opts(argv);
	o.kernel = path_in(root, "no-such-kernel");
	EXPECT_LT(pack_prepare(&o, &f), 0);
	EXPECT_NE(f.dir[0], '\0');
	pack_cleanup(&f);
	expect_tmp_empty();

	/* an include that does not exist: the initramfs build fails */
	o = opts(argv);
	snprintf(missing, sizeof(missing), "%s", path_in(root, "no-such-include"));
	o.includes[0] = missing;
	o.nr_includes = 1;
	o.env[0] = "A=1";
	o.nr_env = 1;
	EXPECT_LT(pack_prepare(&o, &f), 0);
	EXPECT_TRUE(strstr(error_msg(), "no-such-include") != NULL);
	pack_cleanup(&f);
	expect_tmp_empty();

	/* a modules tree without the modules the channel needs */
	mkdirs(mods);
	write_file(path_in(mods, "modules.dep"), "kernel/other.ko:\n", 0644);
	o = opts(argv);
	EXPECT_EQ(pack_prepare(&o, &f), -ENOENT);
	EXPECT_STREQ(f.modules_dir, mods);
	pack_cleanup(&f);
	expect_tmp_empty();
	rm_rf(path_in(kdir, "root"));
}

/*
 * pack names its files to the initramfs builder as "HOST:GUEST" includes: a
 * ':' in TMPDIR would cut those names short and send the wrong file (here:
 * the directory "a", while /ktvm/cmd goes missing). It is refused instead.
 */
TEST(pack_tmpdir_with_colon_refused)
{
	char prog[] = "/ktvm-test-no-such-dir/prog", *argv[] = {prog, NULL};
	struct pack_opts o;
	struct pack_files f;
	char odd[512];

	setup();
	o = opts(argv);
	snprintf(odd, sizeof(odd), "%s/a:b", root);
	mkdirs(odd);
	mkdirs(path_in(root, "a"));
	setenv("TMPDIR", odd, 1);
	error_clear();
	EXPECT_EQ(pack_prepare(&o, &f), -EINVAL);
	EXPECT_EQ(error_kind(), ERROR_INPUT);
	EXPECT_TRUE(strstr(error_msg(), "TMPDIR") != NULL);
	pack_cleanup(&f);
	EXPECT_EQ(dir_entries(odd), 0);
	setenv("TMPDIR", tmp, 1);
	rmdir(odd);
	rmdir(path_in(root, "a"));
}
