/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the guest init's tests: a pipe whose read end a thread drains into
 * memory (optionally slowly, in small reads, to force short writes on the
 * other end), and the frames in what it collected.
 */
#ifndef KTVM_TESTS_UNIT_GUEST_FRAMES_H
#define KTVM_TESTS_UNIT_GUEST_FRAMES_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/base/types.h"
#include "tests/test.h"
#include "wire/wire.h"

#define FRAMES_MAX (16u << 20)

struct collector {
	int rfd, wfd;  /* the pipe; wfd is for the code under test */
	size_t chunk;  /* bytes per read (0: 64 KiB) */
	long delay_ns; /* pause between reads */
	u8 *buf;       /* what was read */
	size_t len;
	pthread_t thread;
};

static void *collector_main(void *arg)
{
	struct collector *c = arg;
	size_t chunk = c->chunk ? c->chunk : 65536;

	c->buf = malloc(FRAMES_MAX);
	for (;;) {
		struct timespec ts = {.tv_nsec = c->delay_ns};
		ssize_t n;

		if (c->len + chunk > FRAMES_MAX)
			break;
		n = read(c->rfd, c->buf + c->len, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		c->len += n;
		if (c->delay_ns)
			nanosleep(&ts, NULL);
	}
	return NULL;
}

/* pipe_size: 0 for the default, else F_SETPIPE_SZ (at least a page). */
static inline void collector_start(struct collector *c, int pipe_size)
{
	int p[2];

	ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
	c->rfd = p[0];
	c->wfd = p[1];
	c->buf = NULL;
	c->len = 0;
	if (pipe_size)
		ASSERT_GE(fcntl(c->wfd, F_SETPIPE_SZ, pipe_size), pipe_size);
	/*
	 * The thread never takes SIGCHLD: the init under test runs alone in the
	 * guest and expects its own handling of SIGCHLD. (Taken here, a SIGCHLD
	 * raced the runner's restoring of SIG_DFL, and qemu-user then jumped
	 * to address 0.)
	 */
	sigset_t chld, old;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &chld, &old), 0);
	ASSERT_EQ(pthread_create(&c->thread, NULL, collector_main, c), 0);
	ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
}

/* Close the write end (if still open) and wait for the reader. */
static inline void collector_stop(struct collector *c)
{
	if (c->wfd >= 0)
		close(c->wfd);
	c->wfd = -1;
	pthread_join(c->thread, NULL);
	close(c->rfd);
}

static inline void collector_free(struct collector *c)
{
	free(c->buf);
	c->buf = NULL;
}

/* Decode every frame in buf[0..len) into f[0..max); all bytes must be frames. */
static inline size_t frames_decode(const u8 *buf, size_t len, struct wire_frame *f, size_t max)
{
	size_t off = 0, n = 0;

	while (off < len) {
		ssize_t r;

		ASSERT_LT(n, max);
		r = wire_decode(&f[n], buf + off, len - off, WIRE_PAYLOAD_MAX);
		ASSERT_GT(r, 0);
		off += r;
		n++;
	}
	return n;
}

/* The LIFECYCLE phase in f, or 0 for any other frame. */
static inline u32 frame_phase(const struct wire_frame *f)
{
	struct wire_lifecycle lc;

	if (f->type != WIRE_LIFECYCLE || wire_lifecycle_parse(&lc, f->payload, f->len))
		return 0;
	return lc.phase;
}

#endif
