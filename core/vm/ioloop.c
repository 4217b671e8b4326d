// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/error.h"
#include "core/vm/ioloop.h"
#include "core/vm/kick.h"

static __thread struct ioloop *ioloop_tls;

bool ioloop_on_thread(void)
{
	return ioloop_tls != NULL;
}

bool ioloop_current_stopping(void)
{
	return ioloop_tls && ioloop_stopping(ioloop_tls);
}

int ioloop_init(struct ioloop *l)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};

	memset(l, 0, sizeof(*l));
	l->wake_fd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return error_host(-errno, "epoll_create1: %s", strerror(errno));
	l->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->wake_fd < 0 || epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wake_fd, &ev) < 0) {
		int err = errno;

		ioloop_destroy(l);
		return error_host(-err, "I/O thread wake-up eventfd: %s", strerror(err));
	}
	return 0;
}

int ioloop_add(struct ioloop *l, int fd, ioloop_fn fn, void *ctx)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = l->nr};

	if (l->started)
		return error_host(-EBUSY, "I/O thread: handlers are added before it starts");
	if (l->nr == IOLOOP_MAX_HANDLERS)
		return error_host(-ENOSPC, "I/O thread: more than %u handlers",
				  IOLOOP_MAX_HANDLERS);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return error_host(-errno, "epoll_ctl(ADD, fd %d): %s", fd, strerror(errno));
	l->handlers[l->nr++] = (struct ioloop_handler){.fd = fd, .fn = fn, .ctx = ctx};
	return 0;
}

void ioloop_mute(struct ioloop *l, int fd)
{
	/* The handler table stays as it is: only epoll stops reporting fd. */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void *ioloop_thread(void *arg)
{
	struct ioloop *l = arg;
	struct epoll_event evs[16];
	/* The kick signal must reach this thread to interrupt a blocked handler. */
	kick_unblock();
	ioloop_tls = l;
	while (!ioloop_stopping(l)) {
		int n = epoll_wait(l->epfd, evs, ARRAY_SIZE(evs), -1);

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n && !ioloop_stopping(l); i++) {
			u32 h = evs[i].data.u32;

			if (h >= l->nr)
				continue; /* the wake-up eventfd */
			l->wakeups++;
			l->handlers[h].fn(l->handlers[h].ctx, l->handlers[h].fd);
		}
	}
	return NULL;
}

int ioloop_start(struct ioloop *l)
{
	int ret = kick_setup();

	if (ret < 0)
		return ret;
	ret = pthread_create(&l->thread, NULL, ioloop_thread, l);
	if (ret)
		return error_host(-ret, "cannot start the I/O thread: %s", strerror(ret));
	l->started = true;
	return 0;
}

bool ioloop_stop(struct ioloop *l, u32 limit_ms)
{
	u64 give_up = clock_now_ns() + (u64)limit_ms * 1000000ULL;
	u64 one = 1;

	if (!l->started)
		return true;
	atomic_store(&l->stopping, true);
	if (write(l->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return false;
	for (;;) {
		struct timespec ts = clock_realtime_after_ms(20);

		if (pthread_timedjoin_np(l->thread, NULL, &ts) == 0)
			break;
		if (clock_now_ns() >= give_up)
			return false;
		pthread_kill(l->thread, KICK_SIGNAL);
	}
	l->started = false;
	return true;
}

void ioloop_destroy(struct ioloop *l)
{
	if (l->started)
		ioloop_stop(l, 5000);
	if (l->wake_fd >= 0)
		close(l->wake_fd);
	if (l->epfd >= 0)
		close(l->epfd);
	l->wake_fd = l->epfd = -1;
}
