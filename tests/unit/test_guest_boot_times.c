// SPDX-License-Identifier: GPL-2.0
/*
 * guest/boot_times.c: the kernel's "Run /init" timestamp from /dev/kmsg
 * records. The log is played by a SOCK_SEQPACKET socket, which, like
 * /dev/kmsg, gives one record per read() and EAGAIN when there is no more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/boot_times.h"
#include "tests/test.h"

static bool rec(const char *s, u64 *ns)
{
	return boot_times_kmsg_record(s, strlen(s), ns);
}

TEST(boot_times_record_run_init)
{
	u64 ns = 0;

	EXPECT_TRUE(rec("6,812,1234567,-;Run /init as init process\n", &ns));
	EXPECT_EQ(ns, 1234567000ULL);
	/* more prefix fields (caller id), the continuation lines of the record */
	EXPECT_TRUE(rec("6,5,42,-,caller=T1;Run /sbin/init as init process\n"
			" SUBSYSTEM=x\n",
			&ns));
	EXPECT_EQ(ns, 42000ULL);
	/* no flags field, no newline */
	EXPECT_TRUE(rec("6,5,0;Run /init as init process", &ns));
	EXPECT_EQ(ns, 0);
}

TEST(boot_times_record_refuses_others)
{
	u64 ns = 99;

	EXPECT_FALSE(rec("6,812,1234567,-;Freeing unused kernel image memory\n", &ns));
	EXPECT_FALSE(rec("6,812,1234567,-;  Run /init as init process\n", &ns));
	EXPECT_FALSE(rec("6,812,1234567,-;Run /init as init process now\n", &ns));
	EXPECT_FALSE(rec("6,812,1234567,-;Run  as init proces\n", &ns));
	EXPECT_FALSE(rec("6,812,1234567,-;Run\n", &ns));
	EXPECT_FALSE(rec("Run /init as init process\n", &ns));	     /* no prefix */
	EXPECT_FALSE(rec("6,812;Run /init as init process\n", &ns)); /* no time */
	EXPECT_FALSE(rec("6,812,,-;Run /init as init process\n", &ns));
	EXPECT_FALSE(rec("6,812,12x4,-;Run /init as init process\n", &ns));
	EXPECT_FALSE(rec("6,812,-5,-;Run /init as init process\n", &ns));
	/* a time whose ns do not fit in 64 bits */
	EXPECT_FALSE(rec("6,812,18446744073709552,-;Run /init as init process\n", &ns));
	EXPECT_FALSE(rec("6,812,99999999999999999999999,-;Run /init as init process\n", &ns));
	EXPECT_TRUE(rec("6,812,18446744073709551,-;Run /init as init process\n", &ns));
	EXPECT_EQ(ns, 18446744073709551000ULL);
	ns = 99;
	EXPECT_FALSE(boot_times_kmsg_record("", 0, &ns));
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

TEST(boot_times_scan_takes_the_last_run_record)
{
	int fd[2];
	u64 ns = 0;

	log_open(fd);
	log_put(fd[1], "6,1,100,-;Linux version 6.1\n");
	log_put(fd[1], "6,2,200,-;Run /init as init process\n");
	log_put(fd[1], "3,3,300,-;Failed to execute /init (error -2)\n");
	log_put(fd[1], "6,4,400,-;Run /sbin/init as init process\n");
	log_put(fd[1], "6,5,500,-;random: crng init done\n");
	/* the writer stays open: the scan ends at EAGAIN, not at EOF */
	EXPECT_EQ(boot_times_kmsg_scan(fd[0], &ns), 0);
	EXPECT_EQ(ns, 400000ULL);
	close(fd[0]);
	close(fd[1]);
}

/* A file of pad bytes of 'x' and then a "Run /init" record; read 8 KiB at a time. */
static int scan_file(size_t pad, u64 *ns)
{
	static const char run[] = "6,1,5,-;Run /init as init process\n";
	static char x[8192];
	char path[512];
	int fd, r;

	memset(x, 'x', sizeof(x));
	snprintf(path, sizeof(path), "%s/kmsg", test_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_GE(fd, 0);
	for (size_t off = 0; off < pad; off += sizeof(x))
		ASSERT_EQ(write(fd, x, sizeof(x)), (ssize_t)sizeof(x));
	ASSERT_EQ(write(fd, run, sizeof(run) - 1), (ssize_t)sizeof(run) - 1);
	close(fd);
	r = boot_times_kernel_init(path, ns);
	unlink(path);
	return r;
}

TEST(boot_times_scan_none_and_bounded)
{
	int fd[2];
	u64 ns = 7;

	log_open(fd);
	log_put(fd[1], "6,1,100,-;Linux version 6.1\n");
	EXPECT_EQ(boot_times_kmsg_scan(fd[0], &ns), -ENOENT);
	EXPECT_EQ(ns, 7);
	close(fd[0]);
	close(fd[1]);
	EXPECT_EQ(boot_times_kernel_init("/nonexistent/kmsg", &ns), -ENOENT);
	/* the record within BOOT_TIMES_KMSG_MAX bytes is found, past it not read */
	EXPECT_EQ(scan_file(BOOT_TIMES_KMSG_MAX / 2, &ns), 0);
	EXPECT_EQ(ns, 5000);
	ns = 7;
	EXPECT_EQ(scan_file(BOOT_TIMES_KMSG_MAX, &ns), -ENOENT);
	EXPECT_EQ(ns, 7);
}
