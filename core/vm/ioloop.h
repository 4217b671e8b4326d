/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM's I/O thread: one epoll loop over the eventfds KVM signals
 * (ioeventfds for virtqueue notifications) and any other descriptor a
 * device wants watched. Handlers run on that one thread, one at a time.
 *
 * Handlers are added before ioloop_start() and never removed while the
 * thread runs, so the table needs no lock. A handler may block (a relay
 * writing to a slow stdout); ioloop_stop() then interrupts the blocking
 * call with the vCPU kick signal (SIGRTMIN, no SA_RESTART), and the handler
 * sees EINTR with ioloop_stopping() true and gives up.
 */
#ifndef KTVM_CORE_IOLOOP_H
#define KTVM_CORE_IOLOOP_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/base/types.h"

#define IOLOOP_MAX_HANDLERS 64

/* fd is readable (or hung up). */
typedef void (*ioloop_fn)(void *ctx, int fd);

struct ioloop_handler {
	int fd;
	ioloop_fn fn;
	void *ctx;
};

struct ioloop {
	int epfd;
	int wake_fd; /* eventfd: ioloop_stop() wakes the thread with it */
	pthread_t thread;
	bool started;
	atomic_bool stopping;
	struct ioloop_handler handlers[IOLOOP_MAX_HANDLERS];
	u32 nr;
	u64 wakeups; /* handler calls, for statistics */
};

int ioloop_init(struct ioloop *l);
/* Watch fd for input; before ioloop_start(). The loop does not own fd. */
int ioloop_add(struct ioloop *l, int fd, ioloop_fn fn, void *ctx);
int ioloop_start(struct ioloop *l);
/*
 * Stop watching fd (a descriptor that failed for good and would otherwise
 * be reported readable forever). From fd's own handler, on the I/O thread.
 */
void ioloop_mute(struct ioloop *l, int fd);
/*
 * Stop the thread and join it; a handler blocked in a system call is
 * interrupted. Returns false if the thread did not stop within limit_ms
 * (it is then left running, detached from nothing: the caller must not
 * free what its handlers use).
 */
bool ioloop_stop(struct ioloop *l, u32 limit_ms);
void ioloop_destroy(struct ioloop *l);

/* Called from a handler: is the loop running it being stopped? False elsewhere. */
bool ioloop_current_stopping(void);
/* Is the calling thread an I/O loop's? */
bool ioloop_on_thread(void);

static inline bool ioloop_stopping(struct ioloop *l)
{
	return atomic_load(&l->stopping);
}

#endif
