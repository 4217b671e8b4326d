// SPDX-License-Identifier: GPL-2.0
/*
 * pack_prepare() on its own thread (pack.h): the payload's initramfs is
 * built while vm_create() sets KVM up, and the VM's "initrd" phase waits
 * for it (vm_config.initrd_wait). The error record is per thread, so a
 * failure's message and kind are carried back and recorded again on the
 * thread that waits.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/base/error.h"
#include "tools/pack.h"

static void *pack_job_main(void *arg)
{
	struct pack_job *j = arg;

	j->ret = pack_prepare(j->o, j->f);
	if (j->ret < 0) {
		j->kind = error_kind();
		snprintf(j->msg, sizeof(j->msg), "%s", error_msg());
	}
	return NULL;
}

void pack_start(struct pack_job *j, const struct pack_opts *o, struct pack_files *f)
{
	sigset_t all, old;

	memset(j, 0, sizeof(*j));
	j->o = o;
	j->f = f;
	/* ktvm's signal handling is the main thread's: the packer takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	j->running = pthread_create(&j->thread, NULL, pack_job_main, j) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!j->running)
		pack_job_main(j); /* no thread to be had: pack now */
	j->started = true;
}

int pack_wait(struct pack_job *j)
{
	if (!j->started)
		return 0;
	if (j->running) {
		pthread_join(j->thread, NULL);
		j->running = false;
	}
	if (j->ret < 0)
		return error_set(j->kind ? j->kind : ERROR_HOST, j->ret, "%s", j->msg);
	return 0;
}
