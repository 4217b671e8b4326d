// SPDX-License-Identifier: GPL-2.0
/* The kick signal (kick.h). */
#include <errno.h>
#include <string.h>

#include <linux/kvm.h>

#include "core/base/error.h"
#include "core/vm/kick.h"

static __thread struct kvm_run *kick_run;

static void kick_handler(int sig)
{
	struct kvm_run *run = kick_run;

	(void)sig;
	/* KVM API: immediate_exit makes the next (or a pending) KVM_RUN return EINTR. */
	if (run)
		run->immediate_exit = 1;
}

static int kick_ret;

static void kick_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a kick must interrupt, not resume, blocking calls. */
	if (sigaction(KICK_SIGNAL, &sa, NULL) < 0)
		kick_ret = error_host(-errno, "sigaction(SIGRTMIN): %s", strerror(errno));
}

int kick_setup(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, kick_install);
	return kick_ret;
}

void kick_bind(struct kvm_run *run)
{
	kick_run = run;
}

void kick_unblock(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void kick_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, old);
}
