// SPDX-License-Identifier: GPL-2.0
/*
 * core/vm/ioloop.c: the VM's I/O thread. Handlers run when their descriptor is
 * readable; ioloop_stop() interrupts one blocked in read() or write() (the
 * kick signal, SIGRTMIN) and the handler sees ioloop_current_stopping();
 * the table's limit and its lifetime rules.
 *
 * Handlers run on the loop's thread, where the test macros must not be used
 * (ASSERT_* jumps back into the main thread's stack): they only record what
 * they saw, and the cases check it after waiting a bounded time.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/run/channel.h"
#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/vm/ioloop.h"
#include "tests/test.h"
#include "tests/unit/wire_fake.h"

#define WAIT_MS 2000 /* for what should take microseconds */

/* ---- helpers ---------------------------------------------------------- */

/* What one handler saw. */
struct rec {
	int fd;	     /* the eventfd that triggers it */
	int seen_fd; /* the fd it was called with */
	atomic_uint calls;
	u64 sum;       /* eventfd values it read */
	bool stopping; /* ioloop_current_stopping() on its last call */
	bool on_main;  /* called on the main thread (it must not be) */
	int done;      /* eventfd: the handler ran (or got where a case waits for) */
	/* for the blocking handlers */
	int block_fd;
	ssize_t ret;
	int err;
	atomic_uint eintr;
	atomic_bool release;
	atomic_bool finished;
	struct channel *ch;
	const u8 *frame;
	size_t frame_len;
};

static pthread_t main_thread;

static int efd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	ASSERT_GE(fd, 0);
	return fd;
}

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = efd();
	r->done = efd();
	r->seen_fd = -1;
	r->block_fd = -1;
	main_thread = pthread_self();
}

static void rec_close(struct rec *r)
{
	close(r->fd);
	close(r->done);
}

static void kick(int fd, u64 v)
{
	ASSERT_EQ(write(fd, &v, sizeof(v)), sizeof(v));
}

static void signal_done(struct rec *r)
{
	u64 one = 1;

	if (write(r->done, &one, sizeof(one)) < 0)
		r->err = errno;
}

/* Wait until cond() holds, up to WAIT_MS, woken by r->done. */
static bool wait_for(struct rec *r, bool (*cond)(struct rec *))
{
	u64 give_up = clock_now_ns() + WAIT_MS * 1000000ULL;
	struct pollfd p = {.fd = r->done, .events = POLLIN};
	u64 v;

	while (!cond(r)) {
		if (clock_now_ns() >= give_up)
			return false;
		if (poll(&p, 1, 10) > 0 && read(r->done, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return false;
	}
	return true;
}

static u32 want_calls;

static bool has_calls(struct rec *r)
{
	return atomic_load(&r->calls) >= want_calls;
}

static bool wait_calls(struct rec *r, u32 n)
{
	want_calls = n;
	return wait_for(r, has_calls);
}

/* Drains its eventfd and records the call. */
static void count_fn(void *ctx, int fd)
{
	struct rec *r = ctx;
	u64 v = 0;

	if (read(fd, &v, sizeof(v)) == sizeof(v))
		r->sum += v;
	r->seen_fd = fd;
	r->stopping = ioloop_current_stopping();
	r->on_main = pthread_equal(pthread_self(), main_thread);
	atomic_fetch_add(&r->calls, 1);
	signal_done(r);
}

static u64 ms_since(u64 t0)
{
	return (clock_now_ns() - t0) / 1000000;
}

/* ---- running handlers ----------------------------------------------------- */

TEST(ioloop_handler_runs_on_eventfd_write)
{
	struct ioloop l;
	struct rec r;
	u64 t0;

	rec_init(&r);
	ASSERT_EQ(ioloop_init(&l), 0);
	ASSERT_EQ(ioloop_add(&l, r.fd, count_fn, &r), 0);
	ASSERT_EQ(ioloop_start(&l), 0);
	kick(r.fd, 5);
	ASSERT_TRUE(wait_calls(&r, 1));
	EXPECT_EQ(r.sum, 5);
	EXPECT_EQ(r.seen_fd, r.fd);
	EXPECT_FALSE(r.stopping);
	EXPECT_FALSE(r.on_main);
	kick(r.fd, 2);
	ASSERT_TRUE(wait_calls(&r, 2));
	EXPECT_EQ(r.sum, 7);
	EXPECT_FALSE(ioloop_current_stopping());
	/* a loop idle in epoll_wait stops at once */
	t0 = clock_now_ns();
	EXPECT_TRUE(ioloop_stop(&l, WAIT_MS));
	EXPECT_LT(ms_since(t0), 1000);
	EXPECT_EQ(atomic_load(&r.calls), 2);
	EXPECT_EQ(l.wakeups, 2);
	ioloop_destroy(&l);
	rec_close(&r);
}

TEST(ioloop_each_handler_gets_its_own_fd_and_ctx)
{
	struct rec r[3];
	struct ioloop l;

	ASSERT_EQ(ioloop_init(&l), 0);
	for (int i = 0; i < 3; i++) {
		rec_init(&r[i]);
		ASSERT_EQ(ioloop_add(&l, r[i].fd, count_fn, &r[i]), 0);
	}
	ASSERT_EQ(ioloop_start(&l), 0);
	kick(r[2].fd, 20);
	kick(r[0].fd, 1);
	ASSERT_TRUE(wait_calls(&r[2], 1));
	ASSERT_TRUE(wait_calls(&r[0], 1));
	EXPECT_TRUE(ioloop_stop(&l, WAIT_MS));
	EXPECT_EQ(atomic_load(&r[0].calls), 1);
	EXPECT_EQ(atomic_load(&r[1].calls), 0);
	EXPECT_EQ(atomic_load(&r[2].calls), 1);
	EXPECT_EQ(r[0].seen_fd, r[0].fd);
	EXPECT_EQ(r[2].seen_fd, r[2].fd);
	EXPECT_EQ(r[0].sum, 1);
	EXPECT_EQ(r[2].sum, 20);
	ioloop_destroy(&l);
	for (int i = 0; i < 3; i++)
		rec_close(&r[i]);
}

/* ---- stopping a handler blocked in a system call -------------------------- */

static bool entered(struct rec *r)
{
	return atomic_load(&r->calls) > 0;
}

/* Blocks in read() until interrupted while the loop stops (or data comes). */
static void read_fn(void *ctx, int fd)
{
	struct rec *r = ctx;
	u64 v;
	char c;

	if (read(fd, &v, sizeof(v)) < 0)
		return;
	atomic_fetch_add(&r->calls, 1);
	signal_done(r);
	for (;;) {
		r->ret = read(r->block_fd, &c, 1);
		r->err = r->ret < 0 ? errno : 0;
		if (r->ret < 0 && r->err == EINTR)
			atomic_fetch_add(&r->eintr, 1);
		if (r->ret < 0 && r->err == EINTR && !ioloop_current_stopping())
			continue;
		break;
	}
	r->stopping = ioloop_current_stopping();
	atomic_store(&r->finished, true);
}

/* Let the handler reach its blocking call (it cannot say when it is in it). */
static void settle(void)
{
	struct timespec ts = {.tv_nsec = 20 * 1000000L};

	nanosleep(&ts, NULL);
}

TEST(ioloop_stop_interrupts_blocked_read)
{
	sigset_t kick_set, old_mask;
	struct ioloop l;
	struct rec r;
	int p[2], ret;
	u64 t0;

	rec_init(&r);
	ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
	r.block_fd = p[0]; /* blocking, and p[1] stays open: read() waits forever */
	ASSERT_EQ(ioloop_init(&l), 0);
	ASSERT_EQ(ioloop_add(&l, r.fd, read_fn, &r), 0);
	/* started from a thread that blocks the kick signal: the loop must unblock it */
	sigemptyset(&kick_set);
	sigaddset(&kick_set, SIGRTMIN);
	ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &kick_set, &old_mask), 0);
	ret = ioloop_start(&l);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	ASSERT_EQ(ret, 0);
	kick(r.fd, 1);
	ASSERT_TRUE(wait_for(&r, entered));
	settle();
	EXPECT_FALSE(atomic_load(&r.finished));
	t0 = clock_now_ns();
	EXPECT_TRUE(ioloop_stop(&l, WAIT_MS));
	EXPECT_LT(ms_since(t0), 1000);
	EXPECT_TRUE(atomic_load(&r.finished));
	EXPECT_EQ(r.ret, -1);
	EXPECT_EQ(r.err, EINTR);
	EXPECT_TRUE(r.stopping);
	EXPECT_GE(atomic_load(&r.eintr), 1);
	/* the stopping loop's flag is seen only from its own thread */
	EXPECT_TRUE(ioloop_stopping(&l));
	EXPECT_FALSE(ioloop_current_stopping());
	ioloop_destroy(&l);
	rec_close(&r);
	close(p[0]);
	close(p[1]);
}

/* Relays a STDOUT frame through the channel, into a pipe nobody drains. */
static void relay_fn(void *ctx, int fd)
{
	struct rec *r = ctx;
	u64 v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;
	atomic_fetch_add(&r->calls, 1);
	signal_done(r);
	channel_feed(r->ch, r->frame, r->frame_len);
	r->stopping = ioloop_current_stopping();
	atomic_store(&r->finished, true);
}

/*
 * The case the mechanism exists for (ioloop.h): the channel's relay blocked
 * writing to a stdout nobody reads gives up when the loop stops, and counts
 * the payload as dropped.
 */
TEST(ioloop_stop_interrupts_blocked_channel_write)
{
	static u8 frame[WIRE_HDR_SIZE + 4096];
	char fill[4096];
	struct channel ch;
	struct ioloop l;
	struct rec r;
	int p[2], flags;
	u64 t0;

	memset(fill, 'f', sizeof(fill));
	rec_init(&r);
	ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	while (write(p[1], fill, sizeof(fill)) > 0)
		;
	ASSERT_EQ(errno, EAGAIN);
	/* full; from now on a write blocks */
	flags = fcntl(p[1], F_GETFL);
	ASSERT_EQ(fcntl(p[1], F_SETFL, flags & ~O_NONBLOCK), 0);
	ASSERT_EQ(channel_init(&ch, p[1], -1, clock_now_ns()), 0);
	r.ch = &ch;
	r.frame = frame;
	r.frame_len = put_frame(frame, WIRE_STDOUT, fill, sizeof(fill));
	ASSERT_EQ(ioloop_init(&l), 0);
	ASSERT_EQ(ioloop_add(&l, r.fd, relay_fn, &r), 0);
	ASSERT_EQ(ioloop_start(&l), 0);
	kick(r.fd, 1);
	ASSERT_TRUE(wait_for(&r, entered));
	settle();
	EXPECT_FALSE(atomic_load(&r.finished));
	t0 = clock_now_ns();
	EXPECT_TRUE(ioloop_stop(&l, WAIT_MS));
	EXPECT_LT(ms_since(t0), 1000);
	EXPECT_TRUE(atomic_load(&r.finished));
	EXPECT_TRUE(r.stopping);
	EXPECT_EQ(ch.out.error, EINTR);
	EXPECT_EQ(ch.out.fd, -1);
	EXPECT_EQ(ch.out.bytes, sizeof(fill));
	EXPECT_EQ(ch.out.dropped, sizeof(fill));
	ioloop_destroy(&l);
	channel_destroy(&ch);
	rec_close(&r);
	close(p[0]);
	close(p[1]);
}

static bool got_eintr(struct rec *r)
{
	return atomic_load(&r->eintr) > 0;
}

/* Ignores EINTR until released: a handler that will not stop. */
static void stuck_fn(void *ctx, int fd)
{
	struct rec *r = ctx;
	u64 v;
	char c;

	if (read(fd, &v, sizeof(v)) < 0)
		return;
	atomic_fetch_add(&r->calls, 1);
	signal_done(r);
	while (!atomic_load(&r->release)) {
		if (read(r->block_fd, &c, 1) < 0 && errno == EINTR) {
			atomic_fetch_add(&r->eintr, 1);
			signal_done(r);
		}
	}
	atomic_store(&r->finished, true);
}

TEST(ioloop_stop_gives_up_on_a_stuck_handler)
{
	struct ioloop l;
	struct rec r;
	int p[2];
	u64 t0, ms;

	rec_init(&r);
	ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
	r.block_fd = p[0];
	ASSERT_EQ(ioloop_init(&l), 0);
	ASSERT_EQ(ioloop_add(&l, r.fd, stuck_fn, &r), 0);
	ASSERT_EQ(ioloop_start(&l), 0);
	kick(r.fd, 1);
	ASSERT_TRUE(wait_for(&r, entered));
	t0 = clock_now_ns();
	EXPECT_FALSE(ioloop_stop(&l, 100));
	ms = ms_since(t0);
	EXPECT_GE(ms, 100);
	EXPECT_LT(ms, 1000);
	EXPECT_TRUE(wait_for(&r, got_eintr));
	EXPECT_FALSE(atomic_load(&r.finished));
	/* release it; the next kick gets it out of read() */
	atomic_store(&r.release, true);
	EXPECT_TRUE(ioloop_stop(&l, WAIT_MS));
	EXPECT_TRUE(atomic_load(&r.finished));
	EXPECT_FALSE(l.started);
	ioloop_destroy(&l);
	rec_close(&r);
	close(p[0]);
	close(p[1]);
}

/* ---- limits and lifetime ---------------------------------------------------- */

TEST(ioloop_handler_table_limit)
{
	static struct rec r[IOLOOP_MAX_HANDLERS];
	struct rec extra;
	struct ioloop l;
	const char *msg;

	ASSERT_EQ(ioloop_init(&l), 0);
	for (u32 i = 0; i < IOLOOP_MAX_HANDLERS; i++) {
		rec_init(&r[i]);
		ASSERT_EQ(ioloop_add(&l, r[i].fd, count_fn, &r[i]), 0);
	}
	rec_init(&extra);
	error_clear();
	EXPECT_EQ(ioloop_add(&l, extra.fd, count_fn, &extra), -ENOSPC);
	EXPECT_EQ(error_kind(), ERROR_HOST);
	msg = error_msg();
	EXPECT_TRUE(msg && strstr(msg, "64"));
	EXPECT_EQ(l.nr, IOLOOP_MAX_HANDLERS);
	/* the last slot works; the refused fd was not registered */
	ASSERT_EQ(ioloop_start(&l), 0);
	kick(extra.fd, 1);
	kick(r[IOLOOP_MAX_HANDLERS - 1].fd, 3);
	EXPECT_TRUE(wait_calls(&r[IOLOOP_MAX_HANDLERS - 1], 1));
	EXPECT_TRUE(ioloop_stop(&l, WAIT_MS));
	EXPECT_EQ(r[IOLOOP_MAX_HANDLERS - 1].sum, 3);
	EXPECT_EQ(atomic_load(&extra.calls), 0);
	EXPECT_EQ(atomic_load(&r[0].calls), 0);
	EXPECT_EQ(l.wakeups, 1);
	ioloop_destroy(&l);
	for (u32 i = 0; i < IOLOOP_MAX_HANDLERS; i++)
		rec_close(&r[i]);
	rec_close(&extra);
}

TEST(ioloop_add_after_start_refused)
{
	struct rec r, late;
	struct ioloop l;

	rec_init(&r);
	rec_init(&late);
	ASSERT_EQ(ioloop_init(&l), 0);
	ASSERT_EQ(ioloop_add(&l, r.fd, count_fn, &r), 0);
	ASSERT_EQ(ioloop_start(&l), 0);
	EXPECT_EQ(ioloop_add(&l, late.fd, count_fn, &late), -EBUSY);
	EXPECT_EQ(l.nr, 1);
	kick(late.fd, 1);
	kick(r.fd, 1);
	EXPECT_TRUE(wait_calls(&r, 1));
	EXPECT_TRUE(ioloop_stop(&l, WAIT_MS));
	EXPECT_EQ(atomic_load(&late.calls), 0);
	ioloop_destroy(&l);
	rec_close(&r);
	rec_close(&late);
}

TEST(ioloop_add_bad_fd)
{
	struct ioloop l;
	struct rec r;

	rec_init(&r);
	ASSERT_EQ(ioloop_init(&l), 0);
	EXPECT_EQ(ioloop_add(&l, -1, count_fn, &r), -EBADF);
	EXPECT_EQ(l.nr, 0);
	ioloop_destroy(&l);
	rec_close(&r);
}

/* Descriptors this process has open. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

TEST(ioloop_never_started_stop_and_destroy)
{
	struct ioloop l;
	int before = open_fds();

	ASSERT_GT(before, 0);
	ASSERT_EQ(ioloop_init(&l), 0);
	EXPECT_EQ(open_fds(), before + 2);
	EXPECT_TRUE(ioloop_stop(&l, 0));
	EXPECT_FALSE(l.started);
	ioloop_destroy(&l);
	EXPECT_EQ(l.epfd, -1);
	EXPECT_EQ(l.wake_fd, -1);
	ioloop_destroy(&l);
	EXPECT_EQ(open_fds(), before);
}

TEST(ioloop_destroy_stops_a_running_loop)
{
	struct ioloop l;
	struct rec r;
	int before;

	rec_init(&r);
	before = open_fds();
	ASSERT_EQ(ioloop_init(&l), 0);
	ASSERT_EQ(ioloop_add(&l, r.fd, count_fn, &r), 0);
	ASSERT_EQ(ioloop_start(&l), 0);
	kick(r.fd, 1);
	EXPECT_TRUE(wait_calls(&r, 1));
	ioloop_destroy(&l);
	EXPECT_FALSE(l.started);
	EXPECT_EQ(open_fds(), before);
	/* nothing runs the handler any more */
	kick(r.fd, 1);
	settle();
	EXPECT_EQ(atomic_load(&r.calls), 1);
	rec_close(&r);
}
