// SPDX-License-Identifier: GPL-2.0
/*
 * core/base/file.c: only regular files are opened or mapped, and a FIFO,
 * a directory or a device is refused at once instead of blocking in open()
 * (a FIFO with no writer blocks a plain open forever). Also the readers
 * that open files themselves (ksyms_file.c). An alarm turns a hang into a
 * failed case.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/file.h"
#include "core/image/ksyms_file.h"
#include "tests/test.h"

static const char *make_fifo(void)
{
	const char *p = test_tmp_path("fifo");

	unlink(p);
	ASSERT_EQ(mkfifo(p, 0600), 0);
	return p;
}

TEST(file_open_ro_regular_files_only)
{
	const char *reg = test_tmp_path("reg");
	FILE *f = fopen(reg, "w");
	int fd;

	ASSERT_TRUE(f != NULL);
	fputs("x", f);
	fclose(f);
	alarm(10);
	fd = file_open_ro(reg);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	EXPECT_EQ(file_open_ro(make_fifo()), -EINVAL);
	EXPECT_EQ(file_open_ro(test_tmpdir()), -EINVAL);
	EXPECT_EQ(file_open_ro("/dev/null"), -EINVAL);
	EXPECT_EQ(file_open_ro(test_tmp_path("none")), -ENOENT);
	EXPECT_STREQ(file_open_why(-EINVAL), "not a regular file");
	alarm(0);
}

TEST(file_map_refuses_a_fifo_at_once)
{
	u8 *buf;
	size_t len;

	alarm(10);
	error_clear();
	EXPECT_EQ(file_map(make_fifo(), "kernel", 1 << 20, &buf, &len), -EINVAL);
	EXPECT_TRUE(strstr(error_msg(), "not a regular file") != NULL);
	EXPECT_TRUE(buf == NULL);
	alarm(0);
}

TEST(ksyms_file_refuses_a_fifo_at_once)
{
	u64 addr;

	alarm(10);
	error_clear();
	EXPECT_LT(ksyms_file_lookup(make_fifo(), "jiffies", &addr), 0);
	EXPECT_TRUE(strstr(error_msg(), "not a regular file") != NULL);
	alarm(0);
}

/*
 * A file cut short while mapped: the next access past its new end raises
 * SIGBUS; with file_sigbus_install() the process ends with one line and
 * the status given. A SIGBUS in a mapping file_map() did not make still
 * kills (default action). In children, so the test runner survives.
 */
static int sigbus_child(bool tracked, int err_fd)
{
	const char *p = test_tmp_path(tracked ? "cut-tracked" : "cut-untracked");
	static u8 block[64 * 1024];
	FILE *f = fopen(p, "w");
	u8 *m = NULL;
	size_t len = 0;
	volatile u8 x;
	int fd;

	if (!f)
		return 10;
	for (int i = 0; i < 16; i++)
		fwrite(block, 1, sizeof(block), f);
	fclose(f);
	dup2(err_fd, STDERR_FILENO);
	file_sigbus_install(2);
	if (tracked) {
		if (file_map(p, "kernel", 1 << 30, &m, &len) < 0)
			return 11;
	} else {
		fd = open(p, O_RDONLY);
		m = mmap(NULL, 16 * sizeof(block), PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED)
			return 12;
	}
	if (truncate(p, 4096) < 0)
		return 13;
	x = m[8 * sizeof(block)];
	(void)x;
	return 14; /* not reached: the page is gone */
}

TEST(file_sigbus_one_line_and_status)
{
	const char *runner = getenv("KTVM_TEST_RUNNER");

	/* qemu-user takes the host SIGBUS of a guest access itself and hangs. */
	if (runner && *runner)
		SKIP("under user-mode emulation (%s), which hangs on a SIGBUS in a file mapping",
		     runner);
	for (int tracked = 1; tracked >= 0; tracked--) {
		int pfd[2], st = 0;
		char buf[256] = "";
		ssize_t n;
		pid_t pid;

		ASSERT_EQ(pipe(pfd), 0);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			close(pfd[0]);
			_exit(sigbus_child(tracked, pfd[1]));
		}
		close(pfd[1]);
		n = read(pfd[0], buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(pfd[0]);
		ASSERT_EQ(waitpid(pid, &st, 0), pid);
		if (tracked) {
			EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 2);
			EXPECT_TRUE(strstr(buf, "ktvm: kernel ") == buf);
			EXPECT_TRUE(strstr(buf, "changed while being read") != NULL);
			EXPECT_EQ(strchr(buf, '\n') - buf, (long)strlen(buf) - 1); /* one line */
		} else {
			EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
		}
	}
}

/*
 * Leases (file_lease()): a file mapped under one keeps its bytes in the
 * process's private mappings when another process rewrites it in place
 * (open O_TRUNC, write), the way `cp new vmlinux` does while a guest runs
 * from the old one; the writer is held until the handler has copied the
 * pages, then goes ahead. In a child: the handler is process-wide.
 */
#define LEASE_LEN (64 * 4096)

static int lease_write_file(const char *p, int c, size_t len)
{
	static u8 block[LEASE_LEN];
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok;

	if (fd < 0)
		return -1;
	memset(block, c, sizeof(block));
	ok = file_write_all(fd, block, len) == 0;
	close(fd);
	return ok ? 0 : -1;
}

static bool lease_all(const u8 *m, size_t len, int c)
{
	for (size_t i = 0; i < len; i++)
		if (m[i] != c)
			return false;
	return true;
}

/* The guard of the second mapping: pauses and resumes counted, as a VM's vCPUs would be. */
static int lease_pauses, lease_resumes;

static bool lease_pause(void *ctx)
{
	(void)ctx;
	lease_pauses++;
	return true;
}

static void lease_resume(void *ctx)
{
	(void)ctx;
	lease_resumes++;
}

static int lease_child(void)
{
	const struct file_guard guard = {lease_pause, lease_resume, NULL};
	const char *p = test_tmp_path("leased");
	u8 *whole, *seg, check[16];
	size_t len;
	bool leased;
	pid_t w;
	int fd, st;

	if (lease_write_file(p, 'A', LEASE_LEN) < 0)
		return 10;
	if (file_lease(0) != -ENOTSUP) /* no handler yet: no lease */
		return 11;
	file_sigbus_install(2);
	if (file_map_lease(p, "kernel", 1 << 30, &whole, &len, &fd, &leased) < 0)
		return 12;
	if (!leased)
		return 13;
	/* A second mapping of part of it, as vm_load_kernel() puts segments into guest RAM. */
	seg = mmap(NULL, LEASE_LEN / 2, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, LEASE_LEN / 2);
	if (seg == MAP_FAILED)
		return 14;
	file_track_fd(seg, LEASE_LEN / 2, "kernel", p, fd, &guard);
	seg[0] = 'x'; /* one page already the process's own */
	/* cp over it: truncated, then rewritten, by another process. */
	w = fork();
	if (w == 0)
		_exit(lease_write_file(p, 'B', LEASE_LEN / 4) < 0 ? 1 : 0);
	while (waitpid(w, &st, 0) < 0)
		if (errno != EINTR)
			return 15;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 16; /* the writer failed */
	/* The file changed: the writer was let through. */
	if (pread(fd, check, sizeof(check), 0) != (ssize_t)sizeof(check) || !lease_all(check, 16, 'B'))
		return 17;
	/*
	 * The mappings did not: every page was copied before the writer went
	 * on (past the file's new end too, where a mapping of the file would
	 * raise SIGBUS, copied on write or not).
	 */
	if (!lease_all(whole, LEASE_LEN, 'A'))
		return 18;
	if (seg[0] != 'x' || !lease_all(seg + 1, LEASE_LEN / 2 - 1, 'A'))
		return 19;
	/* Its writers were paused around the swap, once. */
	if (lease_pauses != 1 || lease_resumes != 1)
		return 20;
	file_untrack_within(seg, LEASE_LEN / 2);
	munmap(seg, LEASE_LEN / 2);
	/* The lease is gone: nothing more of the file is mapped under it. */
	seg = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (seg == MAP_FAILED || file_map_at(seg, 4096, fd, 0, true, "kernel", p, NULL) != -EAGAIN)
		return 21;
	munmap(seg, 4096);
	file_unmap(whole, len);
	close(fd);
	return 0;
}

TEST(file_lease_keeps_mapped_bytes_when_rewritten)
{
	int st = 0;
	pid_t pid;

	alarm(60);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(lease_child());
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	alarm(0);
	ASSERT_TRUE(WIFEXITED(st));
	if (WEXITSTATUS(st) == 13)
		SKIP("no lease could be taken on a file in %s (a file system without leases?)",
		     test_tmpdir());
	EXPECT_EQ(WEXITSTATUS(st), 0);
}

/* A file open for writing elsewhere gets no lease: mapped all the same, but said so. */
static int lease_busy_child(void)
{
	const char *p = test_tmp_path("lease-busy");
	u8 *whole;
	size_t len;
	bool leased = true;
	int fd, wfd;

	if (lease_write_file(p, 'A', 4096) < 0)
		return 10;
	file_sigbus_install(2);
	/* With no writer, a lease (else this file system has none: the case is skipped). */
	if (file_map_lease(p, "initrd", 1 << 30, &whole, &len, &fd, &leased) < 0)
		return 15;
	file_unmap(whole, len);
	close(fd);
	if (!leased)
		return 13;
	wfd = open(p, O_WRONLY | O_CLOEXEC);
	if (wfd < 0)
		return 11;
	if (file_map_lease(p, "initrd", 1 << 30, &whole, &len, &fd, &leased) < 0)
		return 12;
	if (leased)
		return 13;
	file_unmap(whole, len);
	close(fd);
	close(wfd);
	/* And without a descriptor kept, no lease is taken (it would end at once). */
	leased = true;
	if (file_map_lease(p, "initrd", 1 << 30, &whole, &len, NULL, &leased) < 0 || leased)
		return 14;
	file_unmap(whole, len);
	return 0;
}

TEST(file_lease_refused_while_open_for_writing)
{
	int st = 0;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(lease_busy_child());
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_TRUE(WIFEXITED(st));
	if (WEXITSTATUS(st) == 13)
		SKIP("no lease could be taken on a file in %s (a file system without leases?)",
		     test_tmpdir());
	EXPECT_EQ(WEXITSTATUS(st), 0);
}
