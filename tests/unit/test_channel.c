// SPDX-License-Identifier: GPL-2.0
/*
 * core/run/channel.c: the host end of the guest channel, fed frames as a
 * hostile guest could send them: wrong-size typed payloads, over-long
 * reasons, floods of LIFECYCLE events, a second EXIT, output relayed to a
 * reader that went away, and every split of the byte stream. The JSON it
 * writes is parsed back (tests/unit/json_flat.h) and checked value by value.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/run/channel.h"
#include "core/base/clock.h"
#include "tests/test.h"
#include "tests/unit/json_flat.h"
#include "tests/unit/wire_fake.h"

/* ---- helpers ---------------------------------------------------------- */

/* A byte stream as the guest would write it. */
struct fb {
	u8 *d;
	size_t n, cap;
};

static void fb_reserve(struct fb *b, size_t more)
{
	if (b->n + more <= b->cap)
		return;
	b->cap = (b->n + more) * 2;
	b->d = realloc(b->d, b->cap);
	ASSERT_TRUE(b->d != NULL);
}

static void fb_bytes(struct fb *b, const void *p, size_t len)
{
	fb_reserve(b, len);
	memcpy(b->d + b->n, p, len);
	b->n += len;
}

static void fb_frame(struct fb *b, u32 type, const void *payload, size_t len)
{
	fb_reserve(b, WIRE_HDR_SIZE + len);
	b->n += put_frame(b->d + b->n, type, payload, len);
}

static void fb_str(struct fb *b, u32 type, const char *s)
{
	fb_frame(b, type, s, strlen(s));
}

static void fb_exit(struct fb *b, s32 status)
{
	u8 p[WIRE_EXIT_LEN];

	ASSERT_EQ(wire_exit_build(p, sizeof(p), status), WIRE_EXIT_LEN);
	fb_frame(b, WIRE_EXIT, p, sizeof(p));
}

static void fb_kern_addrs(struct fb *b, u64 phys_base, u64 page_offset_base)
{
	struct wire_kern_addrs ka = {.known = 1u << WIRE_KA_PHYS_BASE | 1u << WIRE_KA_PAGE_OFFSET_BASE};
	u8 p[WIRE_KERN_ADDRS_LEN];

	ka.val[WIRE_KA_PHYS_BASE] = phys_base;
	ka.val[WIRE_KA_PAGE_OFFSET_BASE] = page_offset_base;
	ASSERT_EQ(wire_kern_addrs_build(p, sizeof(p), &ka), WIRE_KERN_ADDRS_LEN);
	fb_frame(b, WIRE_KERN_ADDRS, p, sizeof(p));
}

static void fb_boot_times(struct fb *b, const struct wire_boot_time *t, u32 n)
{
	u8 p[WIRE_BOOT_TIMES_MAX * WIRE_BOOT_TIME_LEN];

	ASSERT_EQ(wire_boot_times_build(p, sizeof(p), t, n), (ssize_t)n * WIRE_BOOT_TIME_LEN);
	fb_frame(b, WIRE_BOOT_TIMES, p, n * WIRE_BOOT_TIME_LEN);
}

/* LIFECYCLE with a reason of any length (the builder refuses over-long ones). */
static void fb_lc_raw(struct fb *b, u32 phase, const void *reason, size_t len)
{
	u8 *p = malloc(WIRE_LIFECYCLE_MIN + len);

	ASSERT_TRUE(p != NULL);
	wire_put_le32(p, phase);
	memcpy(p + WIRE_LIFECYCLE_MIN, reason, len);
	fb_frame(b, WIRE_LIFECYCLE, p, WIRE_LIFECYCLE_MIN + len);
	free(p);
}

static void fb_lc(struct fb *b, u32 phase, const char *reason)
{
	fb_lc_raw(b, phase, reason, strlen(reason));
}

static void fb_free(struct fb *b)
{
	free(b->d);
	memset(b, 0, sizeof(*b));
}

/* An unlinked scratch file to relay into. */
static int sink_open(void)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/sink.XXXXXX", test_tmpdir());
	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	unlink(path);
	return fd;
}

/* What was written to a sink, NUL-terminated; caller frees. */
static char *sink_read(int fd, size_t *len)
{
	struct stat st;
	char *buf;

	ASSERT_EQ(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
	buf[st.st_size] = '\0';
	if (len)
		*len = (size_t)st.st_size;
	return buf;
}

static void sink_reset(int fd)
{
	ASSERT_EQ(ftruncate(fd, 0), 0);
	ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
}

static void expect_sink(int fd, const char *want)
{
	char *got = sink_read(fd, NULL);

	EXPECT_STREQ(got, want);
	free(got);
}

/* A channel that relays nowhere, fed b and ended. */
static void feed_all(struct channel *c, const struct fb *b)
{
	ASSERT_EQ(channel_init(c, -1, -1, clock_now_ns()), 0);
	channel_feed(c, b->d, b->n);
	channel_end(c);
}

/* channel_write_json() output, parsed; fails the case if it is not JSON. */
static void chan_json(const struct channel *c, const char *indent, struct jf *j)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ASSERT_TRUE(f != NULL);
	channel_write_json(f, c, indent);
	ASSERT_EQ(fclose(f), 0);
	if (jf_parse(j, text, len)) {
		test_fail_at(__FILE__, __LINE__, "not JSON (%s at offset %zu): %s", j->err,
			     j->err_off, text);
		free(text);
		jf_free(j);
		test_stop();
	}
	free(text);
}

static void expect_jv(const struct jf *j, const char *path, const char *want)
{
	const char *got = jf_get(j, path);

	if (!got || strcmp(got, want))
		test_fail_at(__FILE__, __LINE__, "JSON %s: actual \"%s\", expected \"%s\"", path,
			     got ? got : "(absent)", want);
}

/* ---- relaying ----------------------------------------------------------- */

TEST(channel_relays_stdout_and_stderr)
{
	int out = sink_open(), err = sink_open();
	struct fb b = {0};
	struct channel c;

	fb_str(&b, WIRE_STDOUT, "hello, ");
	fb_str(&b, WIRE_STDERR, "oops\n");
	fb_frame(&b, WIRE_STDOUT, NULL, 0);
	fb_str(&b, WIRE_STDOUT, "world\n");
	ASSERT_EQ(channel_init(&c, out, err, clock_now_ns()), 0);
	channel_feed(&c, b.d, b.n);
	channel_end(&c);
	expect_sink(out, "hello, world\n");
	expect_sink(err, "oops\n");
	EXPECT_EQ(c.out.bytes, 13);
	EXPECT_EQ(c.err.bytes, 5);
	EXPECT_EQ(c.out.dropped, 0);
	EXPECT_EQ(c.err.dropped, 0);
	EXPECT_EQ(c.out.error, 0);
	EXPECT_EQ(c.out.fd, out);
	EXPECT_EQ(channel_stats(&c)->by_type[WIRE_STDOUT], 3);
	EXPECT_EQ(channel_stats(&c)->by_type[WIRE_STDERR], 1);
	EXPECT_EQ(c.malformed, 0);
	channel_destroy(&c);
	fb_free(&b);
	close(out);
	close(err);
}

TEST(channel_count_only_without_fds)
{
	struct fb b = {0};
	struct channel c;

	fb_str(&b, WIRE_STDOUT, "abc");
	fb_str(&b, WIRE_STDERR, "de");
	feed_all(&c, &b);
	EXPECT_EQ(c.out.bytes, 3);
	EXPECT_EQ(c.err.bytes, 2);
	EXPECT_EQ(c.out.fd, -1);
	EXPECT_EQ(c.out.error, 0);
	EXPECT_EQ(c.err.error, 0);
	/* nothing was meant to be written, so nothing was dropped */
	EXPECT_EQ(c.out.dropped, 0);
	EXPECT_EQ(c.err.dropped, 0);
	channel_destroy(&c);
	fb_free(&b);
}

/*
 * The relay does not handle SIGPIPE itself: a write to a pipe nobody reads
 * would kill the process unless it ignores SIGPIPE, which tools/ktvm.c's
 * main() does (signal(SIGPIPE, SIG_IGN)). Set up the same here, so the
 * write fails with EPIPE and the relay stops.
 */
TEST(channel_closed_pipe_drops_not_dies)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	int p[2], err = sink_open();
	struct fb b = {0};
	struct channel c;
	char big[100];

	memset(big, 'x', sizeof(big));
	ASSERT_EQ(sigaction(SIGPIPE, &ign, &old), 0);
	ASSERT_EQ(pipe(p), 0);
	close(p[0]);
	fb_frame(&b, WIRE_STDOUT, big, sizeof(big));
	fb_str(&b, WIRE_STDERR, "still here\n");
	fb_frame(&b, WIRE_STDOUT, big, 50);
	fb_exit(&b, 0);
	ASSERT_EQ(channel_init(&c, p[1], err, clock_now_ns()), 0);
	channel_feed(&c, b.d, b.n);
	channel_end(&c);
	EXPECT_EQ(c.out.error, EPIPE);
	EXPECT_EQ(c.out.fd, -1);
	EXPECT_EQ(c.out.bytes, 150);
	EXPECT_EQ(c.out.dropped, 150);
	/* the rest of the channel goes on */
	expect_sink(err, "still here\n");
	EXPECT_EQ(c.err.dropped, 0);
	EXPECT_TRUE(c.have_exit);
	channel_destroy(&c);
	sigaction(SIGPIPE, &old, NULL);
	fb_free(&b);
	close(p[1]);
	close(err);
}

/*
 * Off the I/O thread (the final drain), a stdout that takes nothing is
 * given up after CHANNEL_DRAIN_WAIT_MS: the feed returns, the rest is
 * dropped and counted (issue 15: a stalled reader held ktvm past --timeout).
 */
TEST(channel_stalled_stdout_given_up_in_the_drain)
{
	struct fb b = {0};
	struct channel c;
	char fill[4096], big[10000];
	int p[2], fl;

	memset(fill, 'f', sizeof(fill));
	memset(big, 'x', sizeof(big));
	ASSERT_EQ(pipe(p), 0);
	/* Fill the pipe to the brim; nobody reads it. */
	fl = fcntl(p[1], F_GETFL);
	ASSERT_EQ(fcntl(p[1], F_SETFL, fl | O_NONBLOCK), 0);
	while (write(p[1], fill, sizeof(fill)) > 0)
		;
	while (write(p[1], fill, 1) > 0)
		;
	ASSERT_EQ(fcntl(p[1], F_SETFL, fl), 0);
	fb_frame(&b, WIRE_STDOUT, big, sizeof(big));
	fb_exit(&b, 0);
	ASSERT_EQ(channel_init(&c, p[1], -1, clock_now_ns()), 0);
	alarm(20); /* a hang fails the case */
	channel_feed(&c, b.d, b.n);
	alarm(0);
	EXPECT_EQ(c.out.error, ETIMEDOUT);
	EXPECT_EQ(c.out.fd, -1);
	EXPECT_EQ(c.out.bytes, sizeof(big));
	EXPECT_EQ(c.out.dropped, sizeof(big));
	EXPECT_TRUE(c.have_exit); /* the frames after it still count */
	channel_destroy(&c);
	fb_free(&b);
	close(p[0]);
	close(p[1]);
}

TEST(channel_bad_fd_drops)
{
	struct fb b = {0};
	struct channel c;
	int fd = open("/dev/null", O_WRONLY);

	/* a descriptor number that is certainly closed */
	ASSERT_GE(fd, 0);
	close(fd);
	fb_str(&b, WIRE_STDERR, "12345");
	ASSERT_EQ(channel_init(&c, -1, fd, clock_now_ns()), 0);
	channel_feed(&c, b.d, b.n);
	EXPECT_EQ(c.err.error, EBADF);
	EXPECT_EQ(c.err.fd, -1);
	EXPECT_EQ(c.err.bytes, 5);
	EXPECT_EQ(c.err.dropped, 5);
	channel_destroy(&c);
	fb_free(&b);
}

/* A short write then a failure: what was written is not counted as dropped. */
TEST(channel_partial_write_drops_the_rest)
{
	const size_t len = 200000; /* more than a pipe holds */
	u8 *payload = malloc(len), *back = malloc(len);
	struct fb b = {0};
	struct channel c;
	size_t got = 0;
	ssize_t n;
	int p[2];

	ASSERT_TRUE(payload && back);
	for (size_t i = 0; i < len; i++)
		payload[i] = (u8)(i * 7 + i / 251);
	ASSERT_EQ(pipe2(p, O_NONBLOCK), 0);
	fb_frame(&b, WIRE_STDOUT, payload, len);
	ASSERT_EQ(channel_init(&c, p[1], -1, clock_now_ns()), 0);
	channel_feed(&c, b.d, b.n);
	while ((n = read(p[0], back + got, len - got)) > 0)
		got += (size_t)n;
	/* Off the I/O thread the full pipe is waited on, then given up (ETIMEDOUT). */
	EXPECT_TRUE(c.out.error == EAGAIN || c.out.error == ETIMEDOUT);
	EXPECT_EQ(c.out.bytes, len);
	EXPECT_GT(got, 0);
	EXPECT_GT(c.out.dropped, 0);
	EXPECT_EQ(got + c.out.dropped, len);
	EXPECT_EQ(memcmp(back, payload, got), 0);
	channel_destroy(&c);
	fb_free(&b);
	free(payload);
	free(back);
	close(p[0]);
	close(p[1]);
}

/*
 * Signals while the relay writes to a slow reader (no ioloop stopping):
 * one cuts a blocking pipe write short (it returns what it wrote so far),
 * the next interrupts the write of the rest before it wrote anything
 * (EINTR). The relay goes on with the rest, in order, both times. A reader
 * thread waits until the pipe is full, so the relay's write is blocked,
 * signals the relaying thread, and finally drains the pipe.
 */
struct short_write {
	pthread_t writer;
	int fd;
	u8 *back;
	size_t want, got;
	u32 signalled;
};

static atomic_uint short_write_signals;

static void short_write_sig(int sig)
{
	atomic_fetch_add(&short_write_signals, 1);
}

static void *short_write_reader(void *arg)
{
	struct short_write *s = arg;
	u64 give_up = clock_now_ns() + 2000000000ULL;
	int cap = fcntl(s->fd, F_GETPIPE_SZ), queued = 0;
	ssize_t n;

	if (cap <= 0)
		cap = 65536;
	while (clock_now_ns() < give_up && !ioctl(s->fd, FIONREAD, &queued) && queued < cap)
		poll(NULL, 0, 1);
	if (queued >= cap && !pthread_kill(s->writer, SIGUSR1)) {
		s->signalled++;
		/* the handler ran, the short write returned; let the next one block */
		while (clock_now_ns() < give_up && !atomic_load(&short_write_signals))
			poll(NULL, 0, 1);
		poll(NULL, 0, 20);
		s->signalled += !pthread_kill(s->writer, SIGUSR1);
		/* not a byte read before that write returned, or it may write instead */
		while (clock_now_ns() < give_up && atomic_load(&short_write_signals) < 2)
			poll(NULL, 0, 1);
	}
	while (s->got < s->want && (n = read(s->fd, s->back + s->got, s->want - s->got)) > 0)
		s->got += (size_t)n;
	return NULL;
}

TEST(channel_write_resumes_after_a_short_write)
{
	struct sigaction sa = {.sa_handler = short_write_sig}, old; /* no SA_RESTART */
	const size_t len = 200000;
	u8 *payload = malloc(len);
	struct short_write s = {.want = len, .back = malloc(len)};
	struct fb b = {0};
	struct channel c;
	pthread_t reader;
	int p[2];

	ASSERT_TRUE(payload && s.back);
	for (size_t i = 0; i < len; i++)
		payload[i] = (u8)(i * 13 + i / 509);
	ASSERT_EQ(pipe(p), 0);
	ASSERT_EQ(sigaction(SIGUSR1, &sa, &old), 0);
	atomic_store(&short_write_signals, 0);
	fb_frame(&b, WIRE_STDOUT, payload, len);
	ASSERT_EQ(channel_init(&c, p[1], -1, clock_now_ns()), 0);
	s.writer = pthread_self();
	s.fd = p[0];
	ASSERT_EQ(pthread_create(&reader, NULL, short_write_reader, &s), 0);
	channel_feed(&c, b.d, b.n);
	close(p[1]);
	pthread_join(reader, NULL);
	sigaction(SIGUSR1, &old, NULL);
	EXPECT_EQ(s.signalled, 2);
	EXPECT_EQ(atomic_load(&short_write_signals), 2);
	EXPECT_EQ(c.out.error, 0);
	EXPECT_EQ(c.out.dropped, 0);
	EXPECT_EQ(c.out.bytes, len);
	ASSERT_EQ(s.got, len);
	EXPECT_EQ(memcmp(s.back, payload, len), 0);
	channel_destroy(&c);
	fb_free(&b);
	free(payload);
	free(s.back);
	close(p[0]);
}

/* ---- typed frames ------------------------------------------------------- */

TEST(channel_sys_rdy_first_wins)
{
	struct fb b = {0};
	struct channel c;
	u64 first;

	fb_frame(&b, WIRE_SYS_RDY, NULL, 0);
	ASSERT_EQ(channel_init(&c, -1, -1, clock_now_ns()), 0);
	EXPECT_FALSE(c.sys_rdy);
	channel_feed(&c, b.d, b.n);
	ASSERT_TRUE(c.sys_rdy);
	first = c.sys_rdy_ns;
	EXPECT_LT(first, 10ULL * 1000000000);
	/* a later SYS_RDY, with the origin moved 100 s back: must not re-time it */
	c.t_origin_ns -= 100ULL * 1000000000;
	channel_feed(&c, b.d, b.n);
	EXPECT_EQ(c.sys_rdy_ns, first);
	EXPECT_EQ(channel_stats(&c)->by_type[WIRE_SYS_RDY], 2);
	EXPECT_EQ(c.malformed, 0);
	channel_destroy(&c);
	fb_free(&b);
}

/* SYS_RDY's payload is empty (wire.h): anything else is malformed. */
TEST(channel_sys_rdy_with_payload_is_malformed)
{
	struct fb b = {0};
	struct channel c;

	fb_str(&b, WIRE_SYS_RDY, "x");
	feed_all(&c, &b);
	EXPECT_FALSE(c.sys_rdy);
	EXPECT_EQ(c.malformed, 1);
	channel_destroy(&c);
	fb_free(&b);
}

TEST(channel_exit_first_wins)
{
	struct fb b = {0};
	struct channel c;

	fb_exit(&b, 3);
	fb_exit(&b, 7);
	fb_exit(&b, 0);
	feed_all(&c, &b);
	ASSERT_TRUE(c.have_exit);
	EXPECT_EQ(c.exit_status, 3);
	EXPECT_EQ(channel_stats(&c)->by_type[WIRE_EXIT], 3);
	EXPECT_EQ(c.malformed, 0);
	channel_destroy(&c);
	fb_free(&b);
}

TEST(channel_exit_status_negative)
{
	struct fb b = {0};
	struct channel c;
	struct jf j;

	fb_exit(&b, -2);
	feed_all(&c, &b);
	ASSERT_TRUE(c.have_exit);
	EXPECT_EQ(c.exit_status, -2);
	chan_json(&c, "", &j);
	expect_jv(&j, "exit_status", "-2");
	jf_free(&j);
	channel_destroy(&c);
	fb_free(&b);
}

TEST(channel_kern_addrs)
{
	struct fb b = {0};
	struct channel c;

	fb_kern_addrs(&b, 0x1000000, 0xffff888000000000ULL);
	/* a second one (a payload's) changes nothing */
	fb_kern_addrs(&b, 0x2000000, 0xffff000000000000ULL);
	feed_all(&c, &b);
	ASSERT_TRUE(c.have_kern_addrs);
	EXPECT_EQ(c.kern_addrs.val[WIRE_KA_PHYS_BASE], 0x1000000);
	EXPECT_EQ(c.kern_addrs.val[WIRE_KA_PAGE_OFFSET_BASE], 0xffff888000000000ULL);
	EXPECT_EQ(channel_stats(&c)->by_type[WIRE_KERN_ADDRS], 2);
	channel_destroy(&c);
	fb_free(&b);
}

/* Only what init could read is in the JSON; phys_base 0 is a value. */
TEST(channel_kern_addrs_json_names_known_values_only)
{
	struct wire_kern_addrs ka = {.known = 1u << WIRE_KA_PHYS_BASE | 1u << WIRE_KA_MEMSTART_ADDR};
	u8 p[WIRE_KERN_ADDRS_LEN], old[16] = {1};
	struct fb b = {0};
	struct channel c;
	struct jf j;

	ka.val[WIRE_KA_MEMSTART_ADDR] = 0x40000000;
	ASSERT_EQ(wire_kern_addrs_build(p, sizeof(p), &ka), WIRE_KERN_ADDRS_LEN);
	/* the retired 16-byte frame is ignored, not taken for the new one */
	fb_frame(&b, WIRE_KERN_ADDRS_V1, old, sizeof(old));
	fb_frame(&b, WIRE_KERN_ADDRS, p, sizeof(p));
	feed_all(&c, &b);
	EXPECT_EQ(c.malformed, 0);
	chan_json(&c, "", &j);
	expect_jv(&j, "kern_addrs.phys_base", "0x0");
	expect_jv(&j, "kern_addrs.memstart_addr", "0x40000000");
	EXPECT_TRUE(jf_get(&j, "kern_addrs.page_offset_base") == NULL);
	EXPECT_TRUE(jf_get(&j, "kern_addrs.kimage_voffset") == NULL);
	expect_jv(&j, "frames.KERN_ADDRS_V1", "1");
	jf_free(&j);
	channel_destroy(&c);
	fb_free(&b);
}

/*
 * BOOT_TIMES: the first value of each known point, unknown points counted
 * and skipped, a malformed frame counted and taken for nothing.
 */
TEST(channel_boot_times)
{
	struct wire_boot_time early[3] = {{WIRE_BOOT_KERNEL_INIT, 812345678},
					  {WIRE_BOOT_INIT_START, 813000000},
					  {WIRE_BOOT_INIT_READY, 840000000}};
	struct wire_boot_time late[3] = {{WIRE_BOOT_PAYLOAD_START, 841000000},
					 {99, 5}, /* a newer init's point */
					 {WIRE_BOOT_PAYLOAD_EXIT, 1900000000}};
	struct wire_boot_time again = {WIRE_BOOT_KERNEL_INIT, 1};
	u8 bad[WIRE_BOOT_TIME_LEN * 2];
	struct fb b = {0};
	struct channel c;
	struct jf j;

	fb_boot_times(&b, early, 3);
	/* malformed: half an entry, point 0, a nonzero pad */
	ASSERT_EQ(wire_boot_times_build(bad, sizeof(bad), &again, 1), WIRE_BOOT_TIME_LEN);
	fb_frame(&b, WIRE_BOOT_TIMES, bad, WIRE_BOOT_TIME_LEN / 2);
	memcpy(bad + WIRE_BOOT_TIME_LEN, bad, WIRE_BOOT_TIME_LEN);
	wire_put_le32(bad + WIRE_BOOT_TIME_LEN, 0);
	fb_frame(&b, WIRE_BOOT_TIMES, bad, sizeof(bad));
	wire_put_le32(bad + WIRE_BOOT_TIME_LEN, WIRE_BOOT_PAYLOAD_START);
	bad[WIRE_BOOT_TIME_LEN + 4] = 1;
	fb_frame(&b, WIRE_BOOT_TIMES, bad, sizeof(bad));
	fb_boot_times(&b, late, 3);
	/* a second value (a payload's) changes nothing */
	fb_boot_times(&b, &again, 1);
	feed_all(&c, &b);
	EXPECT_EQ(c.malformed, 3);
	EXPECT_EQ(c.gclock.unknown, 1);
	EXPECT_EQ(c.gclock.ns[WIRE_BOOT_KERNEL_INIT], 812345678);
	EXPECT_EQ(c.gclock.ns[WIRE_BOOT_PAYLOAD_START], 841000000);
	EXPECT_TRUE(channel_gclock_in_order(&c.gclock));
	chan_json(&c, "", &j);
	expect_jv(&j, "guest_clock.kernel_init_us", "812345");
	expect_jv(&j, "guest_clock.init_start_us", "813000");
	expect_jv(&j, "guest_clock.init_ready_us", "840000");
	expect_jv(&j, "guest_clock.payload_start_us", "841000");
	expect_jv(&j, "guest_clock.payload_exit_us", "1900000");
	expect_jv(&j, "guest_clock.in_order", "true");
	expect_jv(&j, "guest_clock.unknown_points", "1");
	expect_jv(&j, "frames.BOOT_TIMES", "6");
	jf_free(&j);
	channel_destroy(&c);
	fb_free(&b);
}

/* Values that go backwards are kept as sent, and said to be out of order. */
TEST(channel_boot_times_out_of_order)
{
	struct wire_boot_time t[2] = {{WIRE_BOOT_KERNEL_INIT, 900000000},
				      {WIRE_BOOT_INIT_READY, 800000000}};
	struct fb b = {0};
	struct channel c;
	struct jf j;

	fb_boot_times(&b, t, 2);
	feed_all(&c, &b);
	EXPECT_EQ(c.malformed, 0);
	EXPECT_FALSE(channel_gclock_in_order(&c.gclock));
	chan_json(&c, "", &j);
	expect_jv(&j, "guest_clock.kernel_init_us", "900000");
	expect_jv(&j, "guest_clock.init_ready_us", "800000");
	expect_jv(&j, "guest_clock.init_start_us", "null");
	expect_jv(&j, "guest_clock.in_order", "false");
	jf_free(&j);
	channel_destroy(&c);
	fb_free(&b);
}

/* Wrong-size EXIT, KERN_ADDRS and LIFECYCLE payloads: counted, never acted on. */
TEST(channel_wrong_size_payloads_are_malformed)
{
	static const size_t exit_lens[] = {0, 1, 3, 5, 8, 64};
	static const size_t ka_lens[] = {0, 8, 16, 39, 41, 64};
	static const size_t lc_lens[] = {0, 1, 3, WIRE_LIFECYCLE_MIN + WIRE_REASON_MAX + 1,
					 WIRE_LIFECYCLE_MIN + 4096};
	u8 junk[WIRE_LIFECYCLE_MIN + 4096];
	struct fb b = {0};
	struct channel c;
	u64 want = 0;

	/* each would be a valid value if read: status 1, phase FAILED, ... */
	memset(junk, 0, sizeof(junk));
	junk[0] = WIRE_PHASE_FAILED;
	for (size_t i = 0; i < ARRAY_SIZE(exit_lens); i++, want++)
		fb_frame(&b, WIRE_EXIT, junk, exit_lens[i]);
	for (size_t i = 0; i < ARRAY_SIZE(ka_lens); i++, want++)
		fb_frame(&b, WIRE_KERN_ADDRS, junk, ka_lens[i]);
	for (size_t i = 0; i < ARRAY_SIZE(lc_lens); i++, want++)
		fb_frame(&b, WIRE_LIFECYCLE, junk, lc_lens[i]);
	feed_all(&c, &b);
	EXPECT_EQ(c.malformed, want);
	EXPECT_EQ(channel_stats(&c)->frames, want);
	EXPECT_FALSE(c.have_exit);
	EXPECT_FALSE(c.have_kern_addrs);
	EXPECT_FALSE(c.failed);
	EXPECT_EQ(c.nr_events, 0);
	EXPECT_EQ(c.events_dropped, 0);
	channel_destroy(&c);

	/* a malformed EXIT does not take the "first" place from a valid one */
	fb_exit(&b, 9);
	fb_exit(&b, 10);
	feed_all(&c, &b);
	EXPECT_EQ(c.malformed, want);
	ASSERT_TRUE(c.have_exit);
	EXPECT_EQ(c.exit_status, 9);
	channel_destroy(&c);
	fb_free(&b);
}

TEST(channel_other_types_only_counted)
{
	struct fb b = {0};
	struct channel c;

	for (u32 t = WIRE_SCHED_EXIT; t < WIRE_TYPE_NR; t++)
		fb_str(&b, t, "opaque");
	feed_all(&c, &b);
	for (u32 t = WIRE_SCHED_EXIT; t < WIRE_TYPE_NR; t++)
		EXPECT_EQ(channel_stats(&c)->by_type[t], 1);
	/*
	 * but SCHED_EXIT, which is never only counted ("opaque" is no stage),
	 * KERN_ADDRS (17, after the range's start), whose size is fixed, and
	 * BOOT_TIMES (19), whose size is whole entries
	 */
	EXPECT_EQ(c.malformed, 3);
	EXPECT_EQ(c.gclock.have, 0);
	EXPECT_TRUE(c.sched.failed);
	EXPECT_EQ(c.sched.stage, 0);
	EXPECT_STREQ(c.sched.text, "opaque"); /* SCHED_LOG */
	EXPECT_EQ(c.out.bytes + c.err.bytes, 0);
	EXPECT_FALSE(c.sys_rdy || c.have_exit || c.have_kern_addrs || c.failed);
	EXPECT_EQ(c.nr_events, 0);
	channel_destroy(&c);
	fb_free(&b);
}

/* The scheduler's frames: phases, its output as tagged lines, the first SCHED_EXIT. */
TEST(channel_sched_frames)
{
	struct fb b = {0};
	struct channel c;
	int p[2];
	char out[512] = "";
	u8 se[64];
	ssize_t n;

	ASSERT_EQ(pipe(p), 0);
	ASSERT_EQ(channel_init(&c, -1, p[1], 0), 0);
	fb_lc(&b, WIRE_PHASE_SCHED_STARTING, "/ktvm/scheduler");
	fb_str(&b, WIRE_SCHED_LOG, "loading\npart");
	fb_str(&b, WIRE_SCHED_LOG, "ial line\n");
	fb_lc(&b, WIRE_PHASE_SCHED_READY, "fifo switch_all=1");
	n = wire_sched_exit_build(se, sizeof(se), WIRE_SCHED_RUN, "runnable task stall");
	fb_frame(&b, WIRE_SCHED_EXIT, se, (size_t)n);
	n = wire_sched_exit_build(se, sizeof(se), WIRE_SCHED_ATTACH, "second");
	fb_frame(&b, WIRE_SCHED_EXIT, se, (size_t)n);
	fb_str(&b, WIRE_SCHED_LOG, "no newline at the end");
	channel_feed(&c, b.d, b.n);
	channel_end(&c);
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	ASSERT_GT(n, 0);
	out[n] = '\0';
	EXPECT_STREQ(out, "ktvm: sched: loading\nktvm: sched: partial line\nktvm: sched: no "
			  "newline at the end\n");
	EXPECT_TRUE(c.sched.started);
	EXPECT_STREQ(c.sched.path, "/ktvm/scheduler");
	EXPECT_TRUE(c.sched.attached);
	EXPECT_STREQ(c.sched.ops, "fifo");
	EXPECT_EQ(c.sched.switch_all, 1);
	EXPECT_FALSE(c.sched.detached);
	EXPECT_TRUE(c.sched.failed);
	EXPECT_EQ(c.sched.stage, WIRE_SCHED_RUN);
	EXPECT_STREQ(c.sched.reason, "runnable task stall");
	EXPECT_EQ(c.malformed, 0);
	EXPECT_STREQ(c.sched.text, "loading\npartial line\nno newline at the end");
	channel_destroy(&c);
	fb_free(&b);
}

/* A flood of scheduler output: the result keeps a capped part, every byte counted. */
TEST(channel_sched_log_capped)
{
	struct fb b = {0};
	struct channel c;
	static char chunk[4096];

	memset(chunk, 'x', sizeof(chunk) - 1);
	ASSERT_EQ(channel_init(&c, -1, -1, 0), 0);
	for (int i = 0; i < 10; i++)
		fb_str(&b, WIRE_SCHED_LOG, chunk);
	channel_feed(&c, b.d, b.n);
	channel_end(&c);
	EXPECT_EQ(c.sched.text_len, CHANNEL_SCHED_LOG_MAX);
	EXPECT_EQ(strlen(c.sched.text), CHANNEL_SCHED_LOG_MAX);
	EXPECT_EQ(c.sched.bytes, 10 * (sizeof(chunk) - 1));
	channel_destroy(&c);
	fb_free(&b);
}

/* ---- LIFECYCLE ---------------------------------------------------------- */

TEST(channel_lifecycle_log_in_order)
{
	struct fb b = {0};
	struct channel c;

	fb_lc(&b, WIRE_PHASE_INIT_STARTED, "");
	fb_lc(&b, WIRE_PHASE_PAYLOAD_STARTING, "/bin/true");
	fb_lc(&b, 99, "unknown phase");
	fb_lc(&b, WIRE_PHASE_SHUTDOWN, "bye");
	feed_all(&c, &b);
	ASSERT_EQ(c.nr_events, 4);
	EXPECT_EQ(c.events[0].phase, WIRE_PHASE_INIT_STARTED);
	EXPECT_STREQ(c.events[0].reason, "");
	EXPECT_EQ(c.events[1].phase, WIRE_PHASE_PAYLOAD_STARTING);
	EXPECT_STREQ(c.events[1].reason, "/bin/true");
	EXPECT_EQ(c.events[2].phase, 99);
	EXPECT_STREQ(c.events[2].reason, "unknown phase");
	EXPECT_EQ(c.events[3].phase, WIRE_PHASE_SHUTDOWN);
	EXPECT_STREQ(c.events[3].reason, "bye");
	EXPECT_FALSE(c.failed);
	EXPECT_EQ(c.events_dropped, 0);
	for (u32 i = 1; i < c.nr_events; i++)
		EXPECT_GE(c.events[i].t_ns, c.events[i - 1].t_ns);
	channel_destroy(&c);
	fb_free(&b);
}

/*
 * A reason of exactly WIRE_REASON_MAX bytes is kept whole and terminated; a
 * longer one is not a valid LIFECYCLE payload (wire_lifecycle_parse()), so
 * the frame is malformed and its event is not logged at all.
 */
TEST(channel_reason_length_limit)
{
	char reason[WIRE_REASON_MAX + 2];
	struct fb b = {0};
	struct channel c;

	for (size_t i = 0; i < sizeof(reason); i++)
		reason[i] = (char)('a' + i % 26);
	fb_lc_raw(&b, WIRE_PHASE_FAILED, reason, WIRE_REASON_MAX);
	fb_lc_raw(&b, WIRE_PHASE_SCHED_STARTING, reason, WIRE_REASON_MAX);
	fb_lc_raw(&b, WIRE_PHASE_SHUTDOWN, reason, WIRE_REASON_MAX + 1);
	fb_lc_raw(&b, WIRE_PHASE_SHUTDOWN, reason, WIRE_REASON_MAX + 2);
	feed_all(&c, &b);
	EXPECT_EQ(c.malformed, 2);
	ASSERT_EQ(c.nr_events, 2);
	ASSERT_TRUE(c.failed);
	EXPECT_EQ(strlen(c.failure.reason), WIRE_REASON_MAX);
	EXPECT_EQ(memcmp(c.failure.reason, reason, WIRE_REASON_MAX), 0);
	EXPECT_EQ(strlen(c.events[1].reason), WIRE_REASON_MAX);
	EXPECT_EQ(memcmp(c.events[1].reason, reason, WIRE_REASON_MAX), 0);
	EXPECT_EQ(c.events[1].phase, WIRE_PHASE_SCHED_STARTING);
	channel_destroy(&c);
	fb_free(&b);
}

TEST(channel_lifecycle_cap)
{
	const u32 sent = CHANNEL_MAX_EVENTS + 9;
	struct fb b = {0};
	struct channel c;
	char r[16];

	for (u32 i = 0; i < sent; i++) {
		snprintf(r, sizeof(r), "e%u", i);
		fb_lc(&b, WIRE_PHASE_SCHED_STARTING, r);
	}
	feed_all(&c, &b);
	ASSERT_EQ(c.nr_events, CHANNEL_MAX_EVENTS);
	EXPECT_EQ(c.events_dropped, sent - CHANNEL_MAX_EVENTS);
	for (u32 i = 0; i < CHANNEL_MAX_EVENTS; i++) {
		snprintf(r, sizeof(r), "e%u", i);
		EXPECT_STREQ(c.events[i].reason, r);
	}
	EXPECT_FALSE(c.failed);
	EXPECT_EQ(c.malformed, 0);
	channel_destroy(&c);
	fb_free(&b);
}

TEST(channel_first_failure_kept)
{
	struct fb b = {0};
	struct channel c;

	fb_lc(&b, WIRE_PHASE_INIT_STARTED, "");
	fb_lc(&b, WIRE_PHASE_FAILED, "first");
	fb_lc(&b, WIRE_PHASE_SHUTDOWN, "");
	fb_lc(&b, WIRE_PHASE_FAILED, "second");
	feed_all(&c, &b);
	ASSERT_TRUE(c.failed);
	EXPECT_EQ(c.failure.phase, WIRE_PHASE_FAILED);
	EXPECT_STREQ(c.failure.reason, "first");
	/* both are in the log, in order */
	ASSERT_EQ(c.nr_events, 4);
	EXPECT_EQ(c.events[1].phase, WIRE_PHASE_FAILED);
	EXPECT_STREQ(c.events[1].reason, "first");
	EXPECT_EQ(c.events[1].t_ns, c.failure.t_ns);
	EXPECT_EQ(c.events[3].phase, WIRE_PHASE_FAILED);
	EXPECT_STREQ(c.events[3].reason, "second");
	channel_destroy(&c);
	fb_free(&b);
}

/* A flood of events first must not hide the failure that comes after it. */
TEST(channel_failure_after_full_log)
{
	struct fb b = {0};
	struct channel c;

	for (u32 i = 0; i < CHANNEL_MAX_EVENTS + 3; i++)
		fb_lc(&b, WIRE_PHASE_INIT_STARTED, "spam");
	fb_lc(&b, WIRE_PHASE_FAILED, "the real reason");
	fb_lc(&b, WIRE_PHASE_FAILED, "later");
	feed_all(&c, &b);
	ASSERT_TRUE(c.failed);
	EXPECT_STREQ(c.failure.reason, "the real reason");
	EXPECT_EQ(c.nr_events, CHANNEL_MAX_EVENTS);
	EXPECT_EQ(c.events_dropped, 5);
	for (u32 i = 0; i < c.nr_events; i++)
		EXPECT_EQ(c.events[i].phase, WIRE_PHASE_INIT_STARTED);
	channel_destroy(&c);
	fb_free(&b);
}

/* ---- the stream ----------------------------------------------------------- */

TEST(channel_end_settles_once)
{
	struct fb b = {0};
	struct channel c;

	fb_exit(&b, 5);
	fb_str(&b, WIRE_STDOUT, "cut short");
	b.n -= 3;
	ASSERT_EQ(channel_init(&c, -1, -1, clock_now_ns()), 0);
	channel_feed(&c, b.d, b.n);
	EXPECT_GT(wire_stream_pending(&c.ws), 0);
	EXPECT_EQ(channel_stats(&c)->truncated, 0);
	channel_end(&c);
	channel_end(&c);
	EXPECT_EQ(channel_stats(&c)->truncated, 1);
	EXPECT_EQ(wire_stream_pending(&c.ws), 0);
	EXPECT_EQ(c.out.bytes, 0);
	EXPECT_TRUE(c.have_exit);
	channel_destroy(&c);
	fb_free(&b);
}

/*
 * Garbage, a corrupted frame, the typed frames, malformed ones, more
 * LIFECYCLE events than the log holds, a cut-off tail.
 */
static void mixed_stream(struct fb *b)
{
	char long_reason[300];
	size_t at;

	memset(long_reason, 'r', sizeof(long_reason));
	fb_bytes(b, "\x77garbage!\xff", 10);
	fb_frame(b, WIRE_SYS_RDY, NULL, 0);
	fb_lc(b, WIRE_PHASE_INIT_STARTED, "init");
	fb_kern_addrs(b, 0x2000000, 0xffff000000000000ULL);
	fb_boot_times(b, &(struct wire_boot_time){WIRE_BOOT_INIT_START, 5000000}, 1);
	fb_str(b, WIRE_STDOUT, "hello, ");
	at = b->n;
	fb_str(b, WIRE_STDOUT, "lost to a bad CRC");
	b->d[at + WIRE_HDR_SIZE] ^= 0x20;
	fb_str(b, WIRE_STDERR, "warn\n");
	fb_frame(b, WIRE_EXIT, "abc", 3);
	fb_lc(b, WIRE_PHASE_PAYLOAD_STARTING, "/ktvm/payload");
	fb_bytes(b, "\x01\x02\x03", 3);
	fb_str(b, WIRE_STDOUT, "world\n");
	fb_lc(b, WIRE_PHASE_FAILED, "boom \"quoted\"\n");
	fb_exit(b, 42);
	fb_exit(b, 7);
	fb_str(b, WIRE_DMESG, "[    0.000000] Linux version");
	fb_lc(b, WIRE_PHASE_SHUTDOWN, "");
	fb_lc_raw(b, WIRE_PHASE_SHUTDOWN, long_reason, sizeof(long_reason));
	fb_str(b, WIRE_STDERR, "bye\n");
	for (u32 i = 0; i < CHANNEL_MAX_EVENTS; i++)
		fb_lc(b, WIRE_PHASE_SCHED_READY, "flood");
	at = b->n;
	fb_str(b, WIRE_STDOUT, "never complete");
	b->n = at + 10;
}

static bool same_event(const struct channel_event *a, const struct channel_event *b)
{
	return a->phase == b->phase && !strcmp(a->reason, b->reason);
}

/* Everything but the timestamps, which depend on when a frame completed. */
static bool same_channel(const struct channel *a, const struct channel *b)
{
	const struct wire_stream_stats *x = channel_stats(a), *y = channel_stats(b);
	bool same = a->sys_rdy == b->sys_rdy && a->have_exit == b->have_exit &&
		    a->exit_status == b->exit_status && a->have_kern_addrs == b->have_kern_addrs &&
		    !memcmp(&a->kern_addrs, &b->kern_addrs, sizeof(a->kern_addrs)) &&
		    !memcmp(&a->gclock, &b->gclock, sizeof(a->gclock)) &&
		    a->nr_events == b->nr_events && a->events_dropped == b->events_dropped &&
		    a->failed == b->failed && a->malformed == b->malformed &&
		    a->out.bytes == b->out.bytes && a->out.dropped == b->out.dropped &&
		    a->err.bytes == b->err.bytes && a->err.dropped == b->err.dropped &&
		    x->bytes_in == y->bytes_in && x->frames == y->frames &&
		    !memcmp(x->by_type, y->by_type, sizeof(x->by_type)) &&
		    x->frame_bytes == y->frame_bytes && x->crc_errors == y->crc_errors &&
		    x->crc_bytes == y->crc_bytes && x->bad_headers == y->bad_headers &&
		    x->resync_bytes == y->resync_bytes && x->oversize == y->oversize &&
		    x->truncated == y->truncated && x->dropped_bytes == y->dropped_bytes;

	for (u32 i = 0; same && i < a->nr_events; i++)
		same = same_event(&a->events[i], &b->events[i]);
	return same && (!a->failed || same_event(&a->failure, &b->failure));
}

static bool same_sink(int fd, const char *want)
{
	char *got = sink_read(fd, NULL);
	bool same = !strcmp(got, want);

	free(got);
	return same;
}

/* Cut the stream in two at every byte, then into single bytes: same result. */
TEST(channel_any_split_same_result)
{
	int out = sink_open(), err = sink_open();
	struct channel ref, c;
	struct fb b = {0};
	char *ref_out, *ref_err;
	u32 failures = 0;

	mixed_stream(&b);
	ASSERT_EQ(channel_init(&ref, out, err, clock_now_ns()), 0);
	channel_feed(&ref, b.d, b.n);
	channel_end(&ref);
	ref_out = sink_read(out, NULL);
	ref_err = sink_read(err, NULL);
	/* the reference saw what the stream holds */
	EXPECT_STREQ(ref_out, "hello, world\n");
	EXPECT_STREQ(ref_err, "warn\nbye\n");
	EXPECT_TRUE(ref.sys_rdy);
	EXPECT_TRUE(ref.have_exit);
	EXPECT_EQ(ref.exit_status, 42);
	EXPECT_TRUE(ref.have_kern_addrs);
	EXPECT_EQ(ref.gclock.ns[WIRE_BOOT_INIT_START], 5000000);
	EXPECT_EQ(ref.nr_events, CHANNEL_MAX_EVENTS);
	EXPECT_EQ(ref.events_dropped, 4);
	EXPECT_TRUE(ref.failed);
	EXPECT_STREQ(ref.failure.reason, "boom \"quoted\"\n");
	EXPECT_EQ(ref.malformed, 2);
	EXPECT_EQ(channel_stats(&ref)->crc_errors, 1);
	EXPECT_EQ(channel_stats(&ref)->truncated, 1);
	EXPECT_GE(channel_stats(&ref)->bad_headers, 1);

	for (size_t k = 0; k <= b.n + 1 && failures < 3; k++) {
		sink_reset(out);
		sink_reset(err);
		ASSERT_EQ(channel_init(&c, out, err, clock_now_ns()), 0);
		if (k <= b.n) {
			channel_feed(&c, b.d, k);
			channel_feed(&c, b.d + k, b.n - k);
		} else {
			for (size_t i = 0; i < b.n; i++)
				channel_feed(&c, b.d + i, 1);
		}
		channel_end(&c);
		if (!same_channel(&ref, &c) || !same_sink(out, ref_out) ||
		    !same_sink(err, ref_err)) {
			test_fail_at(__FILE__, __LINE__, "%s %zu of %zu: result differs",
				     k <= b.n ? "split at" : "byte by byte", k, b.n);
			failures++;
		}
		channel_destroy(&c);
	}
	channel_destroy(&ref);
	free(ref_out);
	free(ref_err);
	fb_free(&b);
	close(out);
	close(err);
}

/* ---- JSON ----------------------------------------------------------------- */

TEST(channel_json_fresh)
{
	struct channel c;
	struct jf j;
	char key[64];

	ASSERT_EQ(channel_init(&c, -1, -1, clock_now_ns()), 0);
	chan_json(&c, "", &j);
	expect_jv(&j, "sys_rdy", "false");
	expect_jv(&j, "sys_rdy_ms", "0");
	expect_jv(&j, "exit_status", "null");
	EXPECT_TRUE(jf_get(&j, "kern_addrs") == NULL);
	EXPECT_TRUE(jf_get(&j, "guest_clock") == NULL);
	expect_jv(&j, "failure", "null");
	expect_jv(&j, "lifecycle", "[0]");
	expect_jv(&j, "lifecycle_dropped", "0");
	expect_jv(&j, "malformed", "0");
	expect_jv(&j, "bytes", "0");
	for (u32 t = 1; t < WIRE_TYPE_NR; t++) {
		snprintf(key, sizeof(key), "frames.%s", wire_type_name(t));
		expect_jv(&j, key, "0");
	}
	snprintf(key, sizeof(key), "{%u}", WIRE_TYPE_NR - 1);
	expect_jv(&j, "frames", key);
	jf_free(&j);
	channel_destroy(&c);
}

TEST(channel_json_values)
{
	struct fb b = {0};
	struct channel c;
	struct jf j;
	char num[32];

	mixed_stream(&b);
	ASSERT_EQ(channel_init(&c, -1, -1, clock_now_ns() - 1500000000ULL), 0);
	channel_feed(&c, b.d, b.n);
	channel_end(&c);
	chan_json(&c, "  ", &j);
	expect_jv(&j, "sys_rdy", "true");
	/* the origin was put 1.5 s back */
	EXPECT_GE(atoll(jf_get(&j, "sys_rdy_ms") ?: "0"), 1500);
	EXPECT_LT(atoll(jf_get(&j, "sys_rdy_ms") ?: "0"), 60000);
	expect_jv(&j, "exit_status", "42");
	expect_jv(&j, "kern_addrs.phys_base", "0x2000000");
	expect_jv(&j, "kern_addrs.page_offset_base", "0xffff000000000000");
	expect_jv(&j, "frames.STDOUT", "2");
	expect_jv(&j, "frames.STDERR", "2");
	expect_jv(&j, "frames.EXIT", "3");
	expect_jv(&j, "frames.DMESG", "1");
	expect_jv(&j, "frames.SYS_RDY", "1");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)channel_stats(&c)->bytes_in);
	expect_jv(&j, "bytes", num);
	expect_jv(&j, "crc_errors", "1");
	expect_jv(&j, "truncated", "1");
	expect_jv(&j, "malformed", "2");
	expect_jv(&j, "stdout_bytes", "13");
	expect_jv(&j, "stderr_bytes", "9");
	expect_jv(&j, "failure.phase", "FAILED");
	expect_jv(&j, "failure.reason", "boom \"quoted\"\n");
	expect_jv(&j, "lifecycle", "[32]");
	expect_jv(&j, "lifecycle.0.phase", "INIT_STARTED");
	expect_jv(&j, "lifecycle.0.reason", "init");
	expect_jv(&j, "lifecycle.1.phase", "PAYLOAD_STARTING");
	expect_jv(&j, "lifecycle.2.phase", "FAILED");
	expect_jv(&j, "lifecycle.3.phase", "SHUTDOWN");
	expect_jv(&j, "lifecycle.31.phase", "SCHED_READY");
	expect_jv(&j, "lifecycle.31.reason", "flood");
	expect_jv(&j, "lifecycle_dropped", "4");
	EXPECT_GE(atoll(jf_get(&j, "lifecycle.0.t_ms") ?: "0"), 1500);
	jf_free(&j);
	channel_destroy(&c);
	fb_free(&b);
}

/* Reasons are guest bytes: quotes, control characters, bad UTF-8, a NUL. */
TEST(channel_json_hostile_reason)
{
	static const char reason[] = "a\"b\\c\n\x01\x1b\xff\xc0\xaf\xe2\x82 ok\xc3\xa9";
	struct fb b = {0};
	struct channel c;
	struct jf j;

	fb_lc_raw(&b, WIRE_PHASE_FAILED, reason, sizeof(reason) - 1);
	fb_lc_raw(&b, WIRE_PHASE_SHUTDOWN, "before\0after", 12);
	fb_lc_raw(&b, 0xffffffff, "\x7f", 1);
	feed_all(&c, &b);
	chan_json(&c, "\t", &j);
	expect_jv(&j, "failure.reason",
		  "a\"b\\c\n\x01\x1b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		  " ok\xc3\xa9");
	expect_jv(&j, "lifecycle.1.reason", "before");
	expect_jv(&j, "lifecycle.2.phase", "UNKNOWN");
	expect_jv(&j, "lifecycle.2.reason", "\x7f");
	jf_free(&j);
	channel_destroy(&c);
	fb_free(&b);
}

/* The checker itself must reject what is not JSON, or the cases above prove nothing. */
TEST(channel_json_checker_rejects)
{
	static const char *const bad[] = {
	    "",
	    "{",
	    "{\"a\": 1,}",
	    "{\"a\": 01}",
	    "{\"a\": \"\x01\"}",
	    "{\"a\": 1} x",
	    "{\"a\": \"\xff\"}",
	    "{\"a\": 1, \"a\": 2}",
	    "[1 2]",
	    "{\"a\": tru}",
	    "\"\\ud800\"",
	    "{a: 1}",
	};
	static const char good[] = " {\"a\": [1, -2.5e3, \"\\u00e9\\ud83d\\ude00\"], \"b\": {}} ";
	struct jf j;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (!jf_parse(&j, bad[i], strlen(bad[i])))
			test_fail_at(__FILE__, __LINE__, "accepted as JSON: %s", bad[i]);
		jf_free(&j);
	}
	ASSERT_EQ(jf_parse(&j, good, strlen(good)), 0);
	expect_jv(&j, "a.1", "-2.5e3");
	expect_jv(&j, "a.2", "\xc3\xa9\xf0\x9f\x98\x80");
	expect_jv(&j, "b", "{0}");
	expect_jv(&j, "a", "[3]");
	jf_free(&j);
}
