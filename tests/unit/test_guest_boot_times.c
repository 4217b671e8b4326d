// SPDX-License-Identifier: GPL-2.0
/*
 * guest/boot_times.c: the kernel's "Run /init" time and init's clock mark
 * from /dev/kmsg records. The log is played by a SOCK_SEQPACKET socket,
 * which, like /dev/kmsg, gives one record per read() and EAGAIN when there
 * is no more, and by a file for the byte bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/boot_times.h"
#include "tests/test.h"

/* The record's time, if it is one; the message must be want (NULL: any). */
static bool rec(const char *s, u64 *ns, const char *want)
{
	const char *msg;
	size_t len;
	bool ok = boot_times_kmsg_record(s, strlen(s), ns, &msg, &len);

	if (ok && want && (len != strlen(want) || memcmp(msg, want, len)))
		test_fail_at(__FILE__, __LINE__, "message \"%.*s\", expected \"%s\"", (int)len, msg,
			     want);
	return ok;
}

TEST(boot_times_record_split)
{
	u64 ns = 0;

	EXPECT_TRUE(
	    rec("6,812,1234567,-;Run /init as init process\n", &ns, "Run /init as init process"));
	EXPECT_EQ(ns, 1234567000ULL);
	/* more prefix fields (caller id), the continuation lines of the record */
	EXPECT_TRUE(rec("6,5,42,-,caller=T1;hello\n SUBSYSTEM=x\n", &ns, "hello"));
	EXPECT_EQ(ns, 42000ULL);
	/* no flags field, no newline, an empty message */
	EXPECT_TRUE(rec("6,5,0;x", &ns, "x"));
	EXPECT_EQ(ns, 0);
	EXPECT_TRUE(rec("6,5,7;", &ns, ""));
	/* the largest time whose ns fit in 64 bits */
	EXPECT_TRUE(rec("6,812,18446744073709551,-;x\n", &ns, "x"));
	EXPECT_EQ(ns, 18446744073709551000ULL);
}

TEST(boot_times_record_refuses_others)
{
	u64 ns = 99;

	EXPECT_FALSE(rec("Run /init as init process\n", &ns, NULL));	   /* no prefix */
	EXPECT_FALSE(rec("6,812;Run /init as init process\n", &ns, NULL)); /* no time */
	EXPECT_FALSE(rec("6,812,,-;x\n", &ns, NULL));
	EXPECT_FALSE(rec("6,812,12x4,-;x\n", &ns, NULL));
	EXPECT_FALSE(rec("6,812,-5,-;x\n", &ns, NULL));
	EXPECT_FALSE(rec("6,812,18446744073709552,-;x\n", &ns, NULL));
	EXPECT_FALSE(rec("6,812,99999999999999999999999,-;x\n", &ns, NULL));
	EXPECT_FALSE(rec("", &ns, NULL));
	EXPECT_EQ(ns, 99);
}

/* A seqpacket pair: records written to fd[1] read back one per read() from fd[0]. */
static void log_open(int fd[2])
{
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fd), 0);
	ASSERT_EQ(fcntl(fd[0], F_SETFL, O_NONBLOCK), 0);
}

static void log_put(int fd, const char *s)
{
	ASSERT_EQ(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

TEST(boot_times_scan_the_last_run_and_the_first_mark)
{
	struct boot_times_kmsg k = {0};
	int fd[2];

	log_open(fd);
	log_put(fd[1], "6,1,100,-;Linux version 6.1\n");
	log_put(fd[1], "6,2,200,-;Run /init as init process\n");
	log_put(fd[1], "3,3,300,-;Failed to execute /init (error -2)\n");
	log_put(fd[1], "6,4,400,-;Run /sbin/init as init process\n");
	log_put(fd[1], "6,5,450,-;  Run /init as init process\n");
	log_put(fd[1], "6,6,460,-;Run /init as init process now\n");
	log_put(fd[1], "15,7,500,-;" BOOT_TIMES_MARK "\n");
	log_put(fd[1], "15,8,600,-;" BOOT_TIMES_MARK "\n");
	log_put(fd[1], "15,9,700,-;" BOOT_TIMES_MARK " not\n");
	/* the writer stays open: the scan ends at EAGAIN, not at EOF */
	boot_times_kmsg_scan(fd[0], &k);
	EXPECT_TRUE(k.have_init);
	EXPECT_EQ(k.init_ns, 400000ULL);
	EXPECT_TRUE(k.have_mark);
	EXPECT_EQ(k.mark_ns, 500000ULL);
	close(fd[0]);
	close(fd[1]);
}

TEST(boot_times_scan_finds_nothing)
{
	struct boot_times_kmsg k = {0};
	int fd[2];

	log_open(fd);
	log_put(fd[1], "6,1,100,-;Linux version 6.1\n");
	log_put(fd[1], "6,2,200,-;Run\n");
	log_put(fd[1], "6,3,300,-;Run  as init proces\n");
	boot_times_kmsg_scan(fd[0], &k);
	EXPECT_FALSE(k.have_init);
	EXPECT_FALSE(k.have_mark);
	close(fd[0]);
	close(fd[1]);
	/* no log at all: the offset stays 0 */
	EXPECT_EQ(boot_times_kernel("/nonexistent/kmsg", &k), -ENOENT);
	EXPECT_EQ(boot_times_clock(12345), 12345);
}

/* A file of pad bytes of 'x' and then a "Run /init" record, read 8 KiB at a time. */
static bool scan_file(size_t pad, u64 *ns)
{
	static const char run[] = "6,1,5,-;Run /init as init process\n";
	static char x[8192];
	struct boot_times_kmsg k = {0};
	char path[512];
	int fd;

	memset(x, 'x', sizeof(x));
	snprintf(path, sizeof(path), "%s/kmsg", test_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_GE(fd, 0);
	for (size_t off = 0; off < pad; off += sizeof(x))
		ASSERT_EQ(write(fd, x, sizeof(x)), (ssize_t)sizeof(x));
	ASSERT_EQ(write(fd, run, sizeof(run) - 1), (ssize_t)sizeof(run) - 1);
	ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
	boot_times_kmsg_scan(fd, &k);
	close(fd);
	unlink(path);
	*ns = k.init_ns;
	return k.have_init;
}

TEST(boot_times_scan_is_bounded)
{
	u64 ns = 0;

	/* the record within BOOT_TIMES_KMSG_MAX bytes is found, past it not read */
	EXPECT_TRUE(scan_file(BOOT_TIMES_KMSG_MAX / 2, &ns));
	EXPECT_EQ(ns, 5000);
	EXPECT_FALSE(scan_file(BOOT_TIMES_KMSG_MAX, &ns));
}
