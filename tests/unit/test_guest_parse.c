// SPDX-License-Identifier: GPL-2.0
/*
 * guest/: the parsing the guest's init does before it runs anything: its
 * log backlog, kernel command-line keys, /ktvm/cmd and /ktvm/env, the module
 * order file, /proc/filesystems, /dev links, and exit status encoding.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest/kcmdline.h"
#include "guest/log.h"
#include "guest/modules.h"
#include "guest/mounts.h"
#include "guest/payload.h"
#include "guest/strv.h"
#include "tests/test.h"

static void write_bytes(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* ---- log ----------------------------------------------------------------- */

/* First in this file: the log's state is global and starts unopened. */
TEST(log_keeps_backlog_until_opened)
{
	char buf[256];
	int p[2];
	ssize_t n;

	ASSERT_EQ(pipe(p), 0);
	log_msg("early %d", 1);
	log_msg("early %s", "two");
	log_set_fd(p[1]);
	log_msg("late");
	n = read(p[0], buf, sizeof(buf) - 1);
	ASSERT_GT(n, 0);
	buf[n] = '\0';
	EXPECT_STREQ(buf, "ktvm-init: early 1\nktvm-init: early two\nktvm-init: late\n");
	log_set_fd(-1);
	close(p[0]);
}

TEST(log_cuts_long_lines)
{
	char big[2000], buf[4096];
	int p[2];
	ssize_t n;

	ASSERT_EQ(pipe(p), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_set_fd(p[1]);
	log_msg("%s", big);
	n = read(p[0], buf, sizeof(buf));
	log_set_fd(-1);
	close(p[0]);
	ASSERT_GT(n, 100);
	EXPECT_LE(n, 512);
	EXPECT_EQ(buf[n - 1], '\n');
	EXPECT_EQ(memcmp(buf, LOG_PREFIX "xxx", sizeof(LOG_PREFIX) + 2), 0);
}

/* ---- kernel command line ------------------------------------------------- */

static const char *get(const char *line, const char *key)
{
	static char val[64];
	ssize_t r = kcmdline_get(line, key, val, sizeof(val));

	if (r == -ENOENT)
		return "(absent)";
	if (r < 0)
		return "(error)";
	EXPECT_EQ(r, (ssize_t)strlen(val));
	return val;
}

TEST(kcmdline_finds_keys_among_others)
{
	const char *line = "console=ttyS0 ktvm.log=/dev/ttyS2 quiet ktvm.port=bulk2\n";

	EXPECT_STREQ(get(line, "ktvm.log"), "/dev/ttyS2");
	EXPECT_STREQ(get(line, "ktvm.port"), "bulk2");
	EXPECT_STREQ(get(line, "console"), "ttyS0");
	EXPECT_STREQ(get(line, "quiet"), "");
	EXPECT_STREQ(get(line, "ktvm"), "(absent)");
	EXPECT_STREQ(get("", "ktvm.log"), "(absent)");
	EXPECT_STREQ(get("   \t\n", "ktvm.log"), "(absent)");
}

TEST(kcmdline_key_must_match_whole)
{
	EXPECT_STREQ(get("ktvm.logx=1 xktvm.log=2 ktvm.lo=3", "ktvm.log"), "(absent)");
	EXPECT_STREQ(get("ktvm.log=a=b", "ktvm.log"), "a=b");
	/* the kernel's parameq(): '-' and '_' are the same in names */
	EXPECT_STREQ(get("foo-bar=1", "foo_bar"), "1");
	EXPECT_STREQ(get("foo_bar=2", "foo-bar"), "2");
}

TEST(kcmdline_quotes)
{
	EXPECT_STREQ(get("a=1 ktvm.port=\"my port\" b=2", "ktvm.port"), "my port");
	EXPECT_STREQ(get("\"ktvm.port=a b\" c", "ktvm.port"), "a b");
	EXPECT_STREQ(get("\"ktvm.port=a b\" c", "c"), "");
	EXPECT_STREQ(get("x=\"ktvm.log=no\" y", "ktvm.log"), "(absent)");
	/* an unterminated quote runs to the end, as in the kernel */
	EXPECT_STREQ(get("ktvm.log=\"a b c", "ktvm.log"), "a b c");
}

TEST(kcmdline_last_wins_and_stops_at_dashes)
{
	EXPECT_STREQ(get("ktvm.log=a ktvm.log=b", "ktvm.log"), "b");
	EXPECT_STREQ(get("ktvm.log=a -- ktvm.log=b", "ktvm.log"), "a");
	EXPECT_STREQ(get("-- ktvm.log=b", "ktvm.log"), "(absent)");
	EXPECT_STREQ(get("ktvm.log=a\t--x ktvm.log=c", "ktvm.log"), "c");
}

TEST(kcmdline_value_too_long)
{
	char val[4];

	EXPECT_EQ(kcmdline_get("k=abcdef", "k", val, sizeof(val)), -ENAMETOOLONG);
	EXPECT_STREQ(val, "abc");
	EXPECT_EQ(kcmdline_get("k=abc", "k", val, sizeof(val)), 3);
	EXPECT_STREQ(val, "abc");
}

/* ---- NUL-separated strings ----------------------------------------------- */

static int parse(struct strv *sv, const void *data, size_t len)
{
	char *buf = malloc(len + 1);

	memcpy(buf, data, len);
	return strv_parse(sv, buf, len);
}

TEST(strv_splits_at_nul)
{
	struct strv sv;

	ASSERT_EQ(parse(&sv, "a\0\0bc\0", 6), 0);
	ASSERT_EQ(sv.n, 3);
	EXPECT_STREQ(sv.v[0], "a");
	EXPECT_STREQ(sv.v[1], "");
	EXPECT_STREQ(sv.v[2], "bc");
	EXPECT_TRUE(sv.v[3] == NULL);
	strv_free(&sv);

	/* the last string's NUL is optional */
	ASSERT_EQ(parse(&sv, "x\0yz", 4), 0);
	ASSERT_EQ(sv.n, 2);
	EXPECT_STREQ(sv.v[1], "yz");
	EXPECT_TRUE(sv.v[2] == NULL);
	strv_free(&sv);

	ASSERT_EQ(parse(&sv, "", 0), 0);
	EXPECT_EQ(sv.n, 0);
	EXPECT_TRUE(sv.v[0] == NULL);
	strv_free(&sv);
}

TEST(strv_caps_count)
{
	size_t len = STRV_COUNT_MAX + 1;
	char *buf = calloc(1, len + 1);
	struct strv sv;

	ASSERT_TRUE(buf != NULL);
	EXPECT_EQ(strv_parse(&sv, buf, len), -E2BIG);
	strv_free(&sv);
	buf = calloc(1, len);
	ASSERT_EQ(strv_parse(&sv, buf, len - 1), 0);
	EXPECT_EQ(sv.n, STRV_COUNT_MAX);
	strv_free(&sv);
}

TEST(strv_read_caps_size)
{
	size_t len = STRV_BYTES_MAX;
	char *big = malloc(len + 1);
	struct strv sv;

	ASSERT_TRUE(big != NULL);
	memset(big, 'a', len + 1);
	write_bytes(test_tmp_path("max"), big, len);
	write_bytes(test_tmp_path("over"), big, len + 1);
	free(big);
	ASSERT_EQ(strv_read(&sv, test_tmp_path("max")), 0);
	EXPECT_EQ(sv.n, 1);
	EXPECT_EQ(strlen(sv.v[0]), len);
	strv_free(&sv);
	EXPECT_EQ(strv_read(&sv, test_tmp_path("over")), -EFBIG);
	EXPECT_EQ(strv_read(&sv, test_tmp_path("missing")), -ENOENT);
}

/* ---- /ktvm/cmd and /ktvm/env --------------------------------------------- */

TEST(payload_load_cmd_and_env)
{
	static const char cmd[] = "/ktvm/payload\0/bin/busybox\0sh\0-c\0echo hi\0";
	static const char env[] = "A=1\0B=two words\0";
	struct payload p;
	char why[256];

	write_bytes(test_tmp_path("cmd"), cmd, sizeof(cmd) - 1);
	write_bytes(test_tmp_path("env"), env, sizeof(env) - 1);
	ASSERT_EQ(payload_load(&p, test_tmp_path("cmd"), test_tmp_path("env"), why, sizeof(why)),
		  0);
	EXPECT_STREQ(p.path, "/ktvm/payload");
	EXPECT_STREQ(p.argv[0], "/bin/busybox");
	EXPECT_STREQ(p.argv[1], "sh");
	EXPECT_STREQ(p.argv[3], "echo hi");
	EXPECT_TRUE(p.argv[4] == NULL);
	EXPECT_STREQ(p.envp[0], "A=1");
	EXPECT_STREQ(p.envp[1], "B=two words");
	EXPECT_TRUE(p.envp[2] == NULL);
	payload_free(&p);
}

TEST(payload_load_defaults)
{
	static const char cmd[] = "/bin/true";
	struct payload p;
	char why[256];

	/* only a path, without its NUL; no env file */
	write_bytes(test_tmp_path("cmd1"), cmd, sizeof(cmd) - 1);
	ASSERT_EQ(payload_load(&p, test_tmp_path("cmd1"), test_tmp_path("noenv"), why, sizeof(why)),
		  0);
	EXPECT_STREQ(p.path, "/bin/true");
	EXPECT_STREQ(p.argv[0], "/bin/true");
	EXPECT_TRUE(p.argv[1] == NULL);
	EXPECT_STREQ(p.envp[0],
		     "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	EXPECT_STREQ(p.envp[1], "HOME=/root");
	EXPECT_STREQ(p.envp[2], "TERM=linux");
	EXPECT_TRUE(p.envp[3] == NULL);
	payload_free(&p);

	/* an empty env file is an empty environment */
	write_bytes(test_tmp_path("env0"), "", 0);
	ASSERT_EQ(payload_load(&p, test_tmp_path("cmd1"), test_tmp_path("env0"), why, sizeof(why)),
		  0);
	EXPECT_TRUE(p.envp[0] == NULL);
	payload_free(&p);
}

TEST(payload_load_errors)
{
	struct payload p;
	char why[256];

	EXPECT_EQ(
	    payload_load(&p, test_tmp_path("nocmd"), test_tmp_path("noenv"), why, sizeof(why)),
	    -ENOENT);
	write_bytes(test_tmp_path("cmd0"), "", 0);
	EXPECT_EQ(payload_load(&p, test_tmp_path("cmd0"), test_tmp_path("noenv"), why, sizeof(why)),
		  -EINVAL);
	EXPECT_TRUE(strstr(why, "no path to exec") != NULL);
	write_bytes(test_tmp_path("cmd00"), "\0argv0\0", 7);
	EXPECT_EQ(
	    payload_load(&p, test_tmp_path("cmd00"), test_tmp_path("noenv"), why, sizeof(why)),
	    -EINVAL);
	/* a directory cannot be read */
	write_bytes(test_tmp_path("cmd2"), "/x", 2);
	EXPECT_EQ(payload_load(&p, test_tmp_path("cmd2"), test_tmpdir(), why, sizeof(why)),
		  -EISDIR);
	EXPECT_TRUE(strstr(why, test_tmpdir()) != NULL);
}

/* ---- exit status --------------------------------------------------------- */

TEST(payload_status_encoding)
{
	EXPECT_EQ(payload_exit_status(W_EXITCODE(0, 0)), 0);
	EXPECT_EQ(payload_exit_status(W_EXITCODE(3, 0)), 3);
	EXPECT_EQ(payload_exit_status(W_EXITCODE(255, 0)), 255);
	EXPECT_EQ(payload_exit_status(W_EXITCODE(0, SIGKILL)), 128 + SIGKILL);
	EXPECT_EQ(payload_exit_status(W_EXITCODE(0, SIGSEGV) | 0x80), 128 + SIGSEGV);
	EXPECT_EQ(payload_exec_status(ENOENT), 127);
	EXPECT_EQ(payload_exec_status(ENOTDIR), 127);
	EXPECT_EQ(payload_exec_status(EACCES), 126);
	EXPECT_EQ(payload_exec_status(ENOEXEC), 126);
}

/* ---- modules ------------------------------------------------------------- */

TEST(modules_flags_by_suffix)
{
	EXPECT_EQ(modules_flags("/lib/modules/6.12/kernel/a.ko"), 0);
	EXPECT_EQ(modules_flags("/lib/modules/6.12/kernel/a.ko.xz"), 4);
	EXPECT_EQ(modules_flags("a.ko.zst"), 4);
	EXPECT_EQ(modules_flags("a.ko.gz"), 4);
	EXPECT_EQ(modules_flags("a.xz.ko"), 0);
}

TEST(modules_name_from_path)
{
	char name[32];

	modules_name("/lib/modules/6.12.9/kernel/drivers/char/virtio_console.ko.xz", name,
		     sizeof(name));
	EXPECT_STREQ(name, "virtio_console");
	modules_name("virtio_mmio.ko", name, sizeof(name));
	EXPECT_STREQ(name, "virtio_mmio");
	modules_name("/x/noext", name, sizeof(name));
	EXPECT_STREQ(name, "noext");
	modules_name("/x/a_very_long_module_name_that_is_cut.ko", name, 8);
	EXPECT_STREQ(name, "a_very_");
}

TEST(modules_order_missing_is_none)
{
	struct modules_result res;

	EXPECT_EQ(modules_load_order(test_tmp_path("no-order"), &res), 0);
	EXPECT_EQ(res.loaded, 0);
	EXPECT_EQ(res.failed, 0);
	EXPECT_STREQ(res.failures, "");
}

/* Only paths that do not exist: nothing reaches finit_module() on this host. */
TEST(modules_order_failures_continue)
{
	char order[8192];
	struct modules_result res;
	int n;

	n = snprintf(order, sizeof(order),
		     "# comment\n\n  %s/missing/a.ko.xz  \r\n%s/missing/b.ko\n%s/missing/c.ko.zst",
		     test_tmpdir(), test_tmpdir(), test_tmpdir());
	write_bytes(test_tmp_path("order"), order, n);
	EXPECT_EQ(modules_load_order(test_tmp_path("order"), &res), 0);
	EXPECT_EQ(res.loaded, 0);
	EXPECT_EQ(res.failed, 3);
	EXPECT_STREQ(res.failures, "a: No such file or directory, b: No such file or directory, "
				   "c: No such file or directory");
}

TEST(modules_order_long_line_skipped)
{
	static char order[10000];
	struct modules_result res;
	int n;

	memset(order, 'x', 6000);
	n = 6000 +
	    snprintf(order + 6000, sizeof(order) - 6000, "\n%s/missing/d.ko\n", test_tmpdir());
	write_bytes(test_tmp_path("order-long"), order, n);
	EXPECT_EQ(modules_load_order(test_tmp_path("order-long"), &res), 0);
	EXPECT_EQ(res.failed, 1);
	EXPECT_STREQ(res.failures, "d: No such file or directory");
}

TEST(modules_failures_text_is_bounded)
{
	static char order[65536];
	struct modules_result res;
	size_t n = 0;

	for (int i = 0; i < 200; i++)
		n += snprintf(order + n, sizeof(order) - n, "%s/missing/module_number_%d.ko\n",
			      test_tmpdir(), i);
	write_bytes(test_tmp_path("order-many"), order, n);
	EXPECT_EQ(modules_load_order(test_tmp_path("order-many"), &res), 0);
	EXPECT_EQ(res.failed, 200);
	EXPECT_LT(strlen(res.failures), sizeof(res.failures));
}

/* ---- mounts -------------------------------------------------------------- */

TEST(mounts_fs_listed_reads_proc_filesystems)
{
	static const char fs[] = "nodev\tsysfs\nnodev\ttmpfs\n\text4\nnodev\tbpf\n"
				 "nodev\ttracefs\n\tvfat";

	EXPECT_TRUE(mounts_fs_listed(fs, "bpf"));
	EXPECT_TRUE(mounts_fs_listed(fs, "tracefs"));
	EXPECT_TRUE(mounts_fs_listed(fs, "ext4"));
	EXPECT_TRUE(mounts_fs_listed(fs, "vfat"));
	EXPECT_FALSE(mounts_fs_listed(fs, "debugfs"));
	EXPECT_FALSE(mounts_fs_listed(fs, "tmp"));
	EXPECT_FALSE(mounts_fs_listed(fs, "nodev"));
	EXPECT_FALSE(mounts_fs_listed("", "bpf"));
}

TEST(mounts_dev_links_made_once)
{
	char dir[512], target[64];
	ssize_t n;

	snprintf(dir, sizeof(dir), "%s/dev", test_tmpdir());
	ASSERT_EQ(mkdir(dir, 0755), 0);
	EXPECT_EQ(mounts_dev_links(dir), 0);
	n = readlink(test_tmp_path("dev/fd"), target, sizeof(target) - 1);
	ASSERT_GT(n, 0);
	target[n] = '\0';
	EXPECT_STREQ(target, "/proc/self/fd");
	n = readlink(test_tmp_path("dev/stderr"), target, sizeof(target) - 1);
	ASSERT_GT(n, 0);
	target[n] = '\0';
	EXPECT_STREQ(target, "/proc/self/fd/2");
	/* existing entries are left alone */
	EXPECT_EQ(mounts_dev_links(dir), 0);
	EXPECT_EQ(mounts_dev_links(test_tmp_path("no-such-dir")), 4);
}
