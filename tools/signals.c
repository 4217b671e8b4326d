// SPDX-License-Identifier: GPL-2.0
/* SIGINT, SIGTERM and SIGHUP during a run (signals.h). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/error.h"
#include "core/base/testpoint.h"
#include "core/vm/vm.h"
#include "tools/signals.h"

static const int signals_handled[] = {SIGINT, SIGTERM, SIGHUP};

static pthread_mutex_t signals_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vm *signals_vm; /* under signals_lock */
static atomic_int signals_got;
static sigset_t signals_set;
static pthread_t signals_tid;
static bool signals_running;	  /* the thread was started */
static atomic_bool signals_leave; /* signals_end(): the thread returns on its next wake-up */
static int signals_tty_fd = -1;	  /* under signals_lock */
static const atomic_bool *signals_tty_dirty; /* under signals_lock */

const char *signals_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

void signals_tty_reset(int fd)
{
	/* SGR 0 (ECMA-48 8.3.117): default colours and attributes; DECTCEM: cursor shown. */
	static const char reset[] = "\033[0m\033[?25h";

	if (fd >= 0 && isatty(fd) && write(fd, reset, sizeof(reset) - 1) < 0)
		return;
}

/* Whether fd takes a write now: a stalled stderr or tty must not hold the signal thread. */
static bool signals_writable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};

	return fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

/* One line to stderr without stdio (the main thread may hold stderr's lock), if it takes it. */
static void signals_say(const char *a, const char *b)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "ktvm: %s%s\n", a, b);

	if (n > 0 && signals_writable(STDERR_FILENO) &&
	    write(STDERR_FILENO, line, (size_t)MIN(n, (int)sizeof(line) - 1)) < 0)
		return;
}

/* End by sig itself (a shell then knows the command was interrupted), else 128 + sig. */
static void signals_die(int sig)
{
	sigset_t one;

	signal(sig, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* With signals_lock held: the second signal. Files first, words last. */
static void signals_now(int sig)
{
	cleanup_now();
	if (signals_tty_dirty && atomic_load(signals_tty_dirty) && signals_writable(signals_tty_fd))
		signals_tty_reset(signals_tty_fd);
	signals_say(signals_name(sig), " again: ending at once, without a result");
	signals_die(sig);
}

static void *signals_thread(void *arg)
{
	for (;;) {
		int sig;

		if (sigwait(&signals_set, &sig))
			continue;
		if (atomic_load(&signals_leave))
			return NULL;
		pthread_mutex_lock(&signals_lock);
		if (atomic_load(&signals_got))
			signals_now(sig);
		atomic_store(&signals_got, sig);
		testpoint_release();
		if (signals_vm)
			vm_interrupt(signals_vm, signals_name(sig));
		pthread_mutex_unlock(&signals_lock);
		signals_say(signals_name(sig),
			    ": ending the run (a second signal ends ktvm at once)");
	}
	return arg;
}

int signals_start(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int ret, n = 0;

	sigemptyset(&signals_set);
	for (size_t i = 0; i < ARRAY_SIZE(signals_handled); i++) {
		struct sigaction old;

		if (sigaction(signals_handled[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaddset(&signals_set, signals_handled[i]);
		n++;
	}
	if (!n)
		return 0;
	ret = pthread_sigmask(SIG_BLOCK, &signals_set, NULL);
	if (ret)
		return error_host(-ret, "pthread_sigmask: %s", strerror(ret));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	ret = pthread_create(&t, &attr, signals_thread, NULL);
	pthread_attr_destroy(&attr);
	if (ret) {
		pthread_sigmask(SIG_UNBLOCK, &signals_set, NULL);
		return error_host(-ret, "cannot start the signal thread: %s", strerror(ret));
	}
	signals_tid = t;
	signals_running = true;
	return 0;
}

void signals_attach(struct vm *vm)
{
	int sig;

	pthread_mutex_lock(&signals_lock);
	signals_vm = vm;
	sig = atomic_load(&signals_got);
	if (vm && sig)
		vm_interrupt(vm, signals_name(sig));
	pthread_mutex_unlock(&signals_lock);
}

int signals_first(void)
{
	return atomic_load(&signals_got);
}

void signals_end(void)
{
	int sig = atomic_load(&signals_got);

	if (!sig)
		return;
	fflush(NULL);
	/*
	 * No thread may wait for sig when it is raised: user-mode emulation
	 * (qemu-user) re-sends a fatal signal to the whole process, and a
	 * sigwait() elsewhere would take it instead of letting it kill.
	 */
	if (signals_running) {
		atomic_store(&signals_leave, true);
		pthread_kill(signals_tid, sig);
		pthread_join(signals_tid, NULL);
		signals_running = false;
	}
	signals_die(sig);
}

void signals_tty(int fd, const atomic_bool *dirty)
{
	pthread_mutex_lock(&signals_lock);
	signals_tty_fd = fd;
	signals_tty_dirty = dirty;
	pthread_mutex_unlock(&signals_lock);
}
