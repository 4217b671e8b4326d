// SPDX-License-Identifier: GPL-2.0
/*
 * guest/chan.c: finding the channel port in a fake sysfs tree, and writing
 * frames whole through short writes, interrupted waits and a host that
 * stops reading.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "guest/chan.h"
#include "tests/test.h"
#include "tests/unit/guest_frames.h"

static char class_dir[512], dev_dir[512];

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ASSERT_TRUE(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* A fresh sysfs class directory and /dev under the test's scratch dir. */
static void fake_tree(const char *name)
{
	char base[256];

	snprintf(base, sizeof(base), "%s/%s", test_tmpdir(), name);
	snprintf(class_dir, sizeof(class_dir), "%s/virtio-ports", base);
	snprintf(dev_dir, sizeof(dev_dir), "%s/dev", base);
	ASSERT_EQ(mkdir(base, 0755), 0);
	ASSERT_EQ(mkdir(class_dir, 0755), 0);
	ASSERT_EQ(mkdir(dev_dir, 0755), 0);
}

/* A port directory; name NULL leaves it unnamed; node makes /dev/<port>. */
static void fake_port(const char *port, const char *name, bool node)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", class_dir, port);
	ASSERT_EQ(mkdir(path, 0755), 0);
	if (name) {
		snprintf(path, sizeof(path), "%s/%s/name", class_dir, port);
		write_text(path, name);
	}
	if (node) {
		snprintf(path, sizeof(path), "%s/%s", dev_dir, port);
		write_text(path, "");
	}
}

/* ---- finding the port ---------------------------------------------------- */

TEST(chan_find_named_port)
{
	char path[1024], why[512], want[1024];

	fake_tree("find");
	fake_port("vport0p0", NULL, true);
	fake_port("vport0p1", "other\n", true);
	fake_port("vport0p2", "ktvm-bulk\n", true);
	ASSERT_EQ(
	    chan_find(class_dir, dev_dir, "ktvm-bulk", 1000, path, sizeof(path), why, sizeof(why)),
	    0);
	snprintf(want, sizeof(want), "%s/vport0p2", dev_dir);
	EXPECT_STREQ(path, want);
	EXPECT_STREQ(why, "");
}

TEST(chan_find_says_what_is_missing)
{
	char path[1024], why[2048], want[2048], missing[600];
	u64 t0;

	/* no class directory at all: no virtio-serial device */
	snprintf(missing, sizeof(missing), "%s/none", test_tmpdir());
	t0 = clock_now_ns();
	EXPECT_EQ(
	    chan_find(missing, dev_dir, "ktvm-bulk", 50, path, sizeof(path), why, sizeof(why)),
	    -ETIMEDOUT);
	EXPECT_GE(clock_now_ns() - t0, 50 * 1000000ULL);
	EXPECT_TRUE(strstr(why, "virtio_console") != NULL);

	/* ports, none with the name: list them */
	fake_tree("names");
	fake_port("vport0p0", NULL, true);
	fake_port("vport0p1", "other\n", true);
	EXPECT_EQ(
	    chan_find(class_dir, dev_dir, "ktvm-bulk", 0, path, sizeof(path), why, sizeof(why)),
	    -ETIMEDOUT);
	EXPECT_TRUE(strstr(why, "no port named \"ktvm-bulk\"") != NULL);
	EXPECT_TRUE(strstr(why, "vport0p0 unnamed") != NULL);
	EXPECT_TRUE(strstr(why, "vport0p1=\"other\"") != NULL);

	/*
	 * named, but devtmpfs made no node; the port's name in why comes from
	 * the directory entry, which must be read before closedir() (ASan
	 * reported a use-after-free here)
	 */
	fake_port("vport0p2", "ktvm-bulk\n", false);
	EXPECT_EQ(
	    chan_find(class_dir, dev_dir, "ktvm-bulk", 0, path, sizeof(path), why, sizeof(why)),
	    -ETIMEDOUT);
	snprintf(want, sizeof(want),
		 "port \"ktvm-bulk\" is %s/vport0p2 but %s/vport0p2 does not exist", class_dir,
		 dev_dir);
	EXPECT_STREQ(why, want);

	/* no ports */
	fake_tree("empty");
	EXPECT_EQ(
	    chan_find(class_dir, dev_dir, "ktvm-bulk", 0, path, sizeof(path), why, sizeof(why)),
	    -ETIMEDOUT);
	EXPECT_TRUE(strstr(why, "(ports: none)") != NULL);
}

/* The name after 150 ms, its /dev node 150 ms later (no ASSERTs: a thread). */
static void *late_port(void *arg)
{
	struct timespec ts = {.tv_nsec = 150 * 1000000L};
	char path[1024];
	FILE *f;

	(void)arg;
	nanosleep(&ts, NULL);
	snprintf(path, sizeof(path), "%s/vport1p1", class_dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/vport1p1/name", class_dir);
	f = fopen(path, "w");
	if (f) {
		fputs("late\n", f);
		fclose(f);
	}
	nanosleep(&ts, NULL);
	snprintf(path, sizeof(path), "%s/vport1p1", dev_dir);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	return NULL;
}

TEST(chan_find_waits_for_name_and_node)
{
	char path[1024], why[512];
	pthread_t t;
	u64 t0;

	fake_tree("late");
	ASSERT_EQ(pthread_create(&t, NULL, late_port, NULL), 0);
	t0 = clock_now_ns();
	EXPECT_EQ(chan_find(class_dir, dev_dir, "late", 5000, path, sizeof(path), why, sizeof(why)),
		  0);
	EXPECT_GE(clock_now_ns() - t0, 300 * 1000000ULL);
	EXPECT_LT(clock_now_ns() - t0, 4000 * 1000000ULL);
	pthread_join(t, NULL);
	EXPECT_TRUE(strstr(path, "/vport1p1") != NULL);
}

/* ---- writing frames ------------------------------------------------------ */

static void alarm_handler(int sig)
{
	(void)sig;
}

/*
 * A 60 KiB frame through a one-page pipe drained 1000 bytes at a time: every
 * write is short and most find the pipe full. A 1 ms interval timer without
 * SA_RESTART interrupts the waits on top.
 */
TEST(chan_frames_survive_short_writes_and_signals)
{
	struct sigaction sa = {.sa_handler = alarm_handler}, old_sa;
	struct itimerval it = {{0, 1000}, {0, 1000}}, off = {{0, 0}, {0, 0}};
	static u8 big[60000];
	struct wire_frame f[8];
	struct collector c = {.chunk = 1000, .delay_ns = 20000};
	sigset_t alrm, old;
	struct chan ch;
	size_t n;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i * 7 + 1);
	/* the reader thread must not take the timer's signals */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	collector_start(&c, 4096);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	chan_attach(&ch, c.wfd, 10000);
	sigaction(SIGALRM, &sa, &old_sa);
	setitimer(ITIMER_REAL, &it, NULL);

	EXPECT_EQ(chan_send(&ch, WIRE_SYS_RDY, NULL, 0), 0);
	EXPECT_EQ(chan_send(&ch, WIRE_STDOUT, big, sizeof(big)), 0);
	EXPECT_EQ(chan_exit(&ch, -3), 0);
	EXPECT_EQ(chan_send(&ch, WIRE_STDERR, big, 5000), 0);

	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	collector_stop(&c);
	n = frames_decode(c.buf, c.len, f, 8);
	ASSERT_EQ(n, 4);
	EXPECT_EQ(f[0].type, WIRE_SYS_RDY);
	EXPECT_EQ(f[0].len, 0);
	EXPECT_EQ(f[1].type, WIRE_STDOUT);
	ASSERT_EQ(f[1].len, sizeof(big));
	EXPECT_EQ(memcmp(f[1].payload, big, sizeof(big)), 0);
	EXPECT_EQ(f[2].type, WIRE_EXIT);
	EXPECT_EQ((s32)wire_get_le32(f[2].payload), -3);
	EXPECT_EQ(f[3].type, WIRE_STDERR);
	EXPECT_EQ(f[3].len, 5000);
	collector_free(&c);
}

TEST(chan_lifecycle_and_kern_addrs_payloads)
{
	struct wire_kern_addrs ka = {.known = 3, .val = {0x1000000, 0xffff888000000000ULL}}, back;
	struct collector c = {0};
	struct wire_lifecycle lc;
	struct wire_frame f[4];
	char longer[400];
	struct chan ch;

	memset(longer, 'r', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	collector_start(&c, 0);
	chan_attach(&ch, c.wfd, 1000);
	EXPECT_EQ(chan_phase(&ch, WIRE_PHASE_INIT_STARTED), 0);
	EXPECT_EQ(chan_lifecycle(&ch, WIRE_PHASE_FAILED, "exec %s: %s", "/x", "No such file"), 0);
	EXPECT_EQ(chan_lifecycle(&ch, WIRE_PHASE_FAILED, "%s", longer), 0);
	EXPECT_EQ(chan_kern_addrs(&ch, &ka), 0);
	collector_stop(&c);

	ASSERT_EQ(frames_decode(c.buf, c.len, f, 4), 4);
	ASSERT_EQ(wire_lifecycle_parse(&lc, f[0].payload, f[0].len), 0);
	EXPECT_EQ(lc.phase, WIRE_PHASE_INIT_STARTED);
	EXPECT_EQ(lc.reason_len, 0);
	ASSERT_EQ(wire_lifecycle_parse(&lc, f[1].payload, f[1].len), 0);
	EXPECT_EQ(lc.phase, WIRE_PHASE_FAILED);
	EXPECT_EQ(lc.reason_len, strlen("exec /x: No such file"));
	EXPECT_EQ(memcmp(lc.reason, "exec /x: No such file", lc.reason_len), 0);
	/* a long reason is cut to what the frame allows, not refused */
	ASSERT_EQ(wire_lifecycle_parse(&lc, f[2].payload, f[2].len), 0);
	EXPECT_EQ(lc.reason_len, WIRE_REASON_MAX);
	ASSERT_EQ(f[3].type, WIRE_KERN_ADDRS);
	ASSERT_EQ(wire_kern_addrs_parse(&back, f[3].payload, f[3].len), 0);
	EXPECT_EQ(back.known, 3);
	EXPECT_EQ(back.val[WIRE_KA_PHYS_BASE], ka.val[WIRE_KA_PHYS_BASE]);
	EXPECT_EQ(back.val[WIRE_KA_PAGE_OFFSET_BASE], ka.val[WIRE_KA_PAGE_OFFSET_BASE]);
	collector_free(&c);
}

/* Nobody reads: the send gives up after the stall bound, and stays failed. */
TEST(chan_stalled_port_times_out)
{
	static u8 big[65536];
	struct chan ch;
	int p[2];
	u64 t0, dt;

	ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
	chan_attach(&ch, p[1], 200);
	t0 = clock_now_ns();
	EXPECT_EQ(chan_send(&ch, WIRE_STDOUT, big, sizeof(big)), -ETIMEDOUT);
	dt = clock_now_ns() - t0;
	EXPECT_GE(dt, 200 * 1000000ULL);
	EXPECT_LT(dt, 2000 * 1000000ULL);
	t0 = clock_now_ns();
	EXPECT_EQ(chan_send(&ch, WIRE_SYS_RDY, NULL, 0), -ETIMEDOUT);
	EXPECT_LT(clock_now_ns() - t0, 50 * 1000000ULL);
	close(p[0]);
	chan_close(&ch);
	EXPECT_EQ(ch.fd, -1);
}

TEST(chan_closed_reader_is_an_error)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	struct chan ch;
	int p[2];

	ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
	close(p[0]);
	sigaction(SIGPIPE, &ign, &old);
	chan_attach(&ch, p[1], 1000);
	EXPECT_EQ(chan_send(&ch, WIRE_SYS_RDY, NULL, 0), -EPIPE);
	EXPECT_EQ(ch.err, -EPIPE);
	sigaction(SIGPIPE, &old, NULL);
	chan_close(&ch);
}

TEST(chan_rejects_bad_frames_without_writing)
{
	struct collector c = {0};
	struct chan ch;

	collector_start(&c, 0);
	chan_attach(&ch, c.wfd, 1000);
	EXPECT_EQ(chan_send(&ch, WIRE_INVALID, NULL, 0), -EINVAL);
	EXPECT_EQ(chan_send(&ch, WIRE_STDOUT, "x", WIRE_PAYLOAD_MAX + 1), -EMSGSIZE);
	/* encoding errors leave the stream in step: later frames still go */
	EXPECT_EQ(ch.err, 0);
	EXPECT_EQ(chan_send(&ch, WIRE_SYS_RDY, NULL, 0), 0);
	collector_stop(&c);
	EXPECT_EQ(c.len, WIRE_HDR_SIZE);
	collector_free(&c);
}
