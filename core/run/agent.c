// SPDX-License-Identifier: GPL-2.0
/* Guest requests answered off the I/O thread (agent.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/run/agent.h"
#include "core/debug/dump.h"
#include "core/base/error.h"
#include "core/vm/freeze.h"
#include "core/vm/vm.h"
#include "core/run/channel.h"
#include "core/debug/debug.h"
#include "wire/wire.h"

/* How long the guest's reply may wait for room in the port. */
#define AGENT_SEND_TIMEOUT_MS 5000

int agent_init(struct agent *a, struct vm *vm, struct vm_debug *dbg, struct channel *ch,
	       const struct watch_spec *specs, u32 nr_specs)
{
	memset(a, 0, sizeof(*a));
	a->vm = vm;
	a->ch = ch;
	a->dbg = dbg;
	a->specs = specs;
	a->nr_specs = nr_specs;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	return 0;
}

static void *agent_thread(void *arg);

void agent_post(void *ctx, u32 type, const u8 *payload, u32 len)
{
	struct agent *a = ctx;

	pthread_mutex_lock(&a->lock);
	/* The thread is made for the first request (agent_start()). */
	if (a->taking && !a->started && !a->start_failed && !a->stop && len <= AGENT_PAYLOAD_MAX) {
		int err = pthread_create(&a->thread, NULL, agent_thread, a);

		a->started = err == 0;
		/* Not retried: a thread that cannot be made now will not be by the next request. */
		if (err) {
			a->start_failed = true;
			error_warn(
			    "cannot start the thread that answers the guest's requests (%s): "
			    "they are dropped (snapshots, symbol lookups)",
			    strerror(err));
		}
	}
	if (a->count == AGENT_QUEUE || len > AGENT_PAYLOAD_MAX || a->stop || !a->started) {
		a->dropped++;
	} else {
		struct agent_item *it = &a->queue[(a->head + a->count) % AGENT_QUEUE];

		it->type = type;
		it->len = len;
		memcpy(it->data, payload, len);
		a->count++;
		pthread_cond_signal(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
}

/* A frame to the guest; retried while the port is full, for a bounded time. */
static int agent_send(struct agent *a, u32 type, const void *payload, size_t len)
{
	u8 frame[WIRE_HDR_SIZE + 64];
	ssize_t n = wire_encode(frame, sizeof(frame), type, payload, len);

	if (n < 0)
		return (int)n;
	for (int waited = 0;; waited++) {
		int ret = channel_send(a->ch, frame, (size_t)n);

		if (ret != -EAGAIN || waited >= AGENT_SEND_TIMEOUT_MS || vm_stopping(a->vm))
			return ret;
		usleep(1000);
	}
}

static void agent_fail(struct agent *a, int err, const char *msg)
{
	if (!a->error) {
		a->error = err;
		snprintf(a->error_msg, sizeof(a->error_msg), "%s", msg);
	}
}

u64 agent_ksym(const struct wire_ksym *k, u32 n, const char *name)
{
	for (u32 j = 0; j < n; j++)
		if (k[j].addr && !strcmp(k[j].name, name))
			return k[j].addr;
	return 0;
}

/* KSYMS: arm each --watch symbol at its live address. */
static int agent_arm(struct agent *a, const struct wire_ksym *k, u32 n)
{
	u64 slide = 0;
	char msg[512];
	u32 slot = WATCH_SLOT_USER;
	int ret;

	if (a->text_file) {
		u64 text = 0;

		for (u32 j = 0; j < n; j++)
			if (!strcmp(k[j].name, "_text"))
				text = k[j].addr;
		if (!text) {
			agent_fail(a, -ENOENT,
				   "the guest did not report _text: cannot place the "
				   "symbols file's addresses");
			return -ENOENT;
		}
		slide = text - a->text_file;
	}
	for (u32 i = 0; i < a->nr_specs; i++) {
		const struct watch_spec *w = &a->specs[i];
		u64 addr;

		if (!w->sym[0]) {
			slot++; /* armed before the run */
			continue;
		}
		addr = w->addr ? w->addr + slide : agent_ksym(k, n, w->sym);
		if (!addr) {
			if (agent_ksym(k, n, AGENT_DATA_PROBE))
				snprintf(msg, sizeof(msg),
					 "--watch %s: the guest kernel has no symbol %s "
					 "(/proc/kallsyms)",
					 w->label, w->sym);
			else
				snprintf(msg, sizeof(msg),
					 "--watch %s: the guest kernel's "
					 "/proc/kallsyms " AGENT_NO_DATA_HINT,
					 w->label);
			agent_fail(a, -ENOENT, msg);
			return -ENOENT;
		}
		addr += w->offset;
		error_clear();
		if (debug_watch_set(a->dbg, slot++, addr, w->action, w->label) < 0) {
			snprintf(msg, sizeof(msg), "--watch %s: %s", w->label, error_msg());
			agent_fail(a, -EINVAL, msg);
			return -EINVAL;
		}
	}
	/* --dump-mem symbols: their addresses, for the dumps to come. */
	for (u32 i = 0; i < a->dbg->nr_regions; i++) {
		struct dump_region *r = &a->dbg->regions[i];
		u64 addr;

		if (!r->sym[0])
			continue;
		addr = r->file_addr ? r->file_addr + slide : agent_ksym(k, n, r->sym);
		if (!addr) {
			snprintf(
			    msg, sizeof(msg),
			    "--dump-mem %s: the guest kernel has no symbol %s (/proc/kallsyms)",
			    r->label, r->sym);
			agent_fail(a, -ENOENT, msg);
			return -ENOENT;
		}
		r->addr = addr;
	}
	if (a->arm_hook) {
		error_clear();
		ret = a->arm_hook(a->arm_ctx, k, n);
		if (ret < 0) {
			agent_fail(a, ret == -ENOSPC ? -EINVAL : ret, error_msg());
			return ret;
		}
	}
	ret = debug_watch_wait_armed(a->dbg, AGENT_ARM_TIMEOUT_MS);
	if (ret == -ECANCELED)
		return ret; /* the run is ending anyway: nothing to report */
	if (ret < 0) {
		agent_fail(a, -ETIMEDOUT, "the vCPUs did not program the watchpoints in time");
		return -ETIMEDOUT;
	}
	a->armed = true;
	return 0;
}

static void agent_ksyms(struct agent *a, const struct agent_item *it)
{
	struct wire_ksym k[WIRE_KSYMS_MAX];
	u8 reply[16];
	u32 n = 0;
	int ret;
	ssize_t len;

	if (a->armed || a->error)
		return; /* once per run; a repeat is ignored */
	ret = wire_ksyms_parse(k, WIRE_KSYMS_MAX, &n, it->data, it->len);
	if (ret >= 0 && !a->dbg) {
		agent_fail(a, -ENOTSUP, "watchpoints are not supported on this arch");
		ret = -ENOTSUP;
	} else if (ret < 0) {
		agent_fail(a, -EPROTO, "the guest's KSYMS frame is malformed");
		ret = -EPROTO;
	} else {
		ret = agent_arm(a, k, n);
	}
	len = wire_watch_armed_build(reply, sizeof(reply), ret, ret < 0 ? 0 : a->nr_specs);
	if (len >= 0)
		agent_send(a, WIRE_WATCH_ARMED, reply, (size_t)len);
}

static void agent_snapshot(struct agent *a, const struct agent_item *it)
{
	struct wire_snapshot_request rq;
	char tag[WIRE_SNAPSHOT_TAG_MAX + 16];
	u8 reply[16];
	ssize_t len;
	int ret;

	ret = wire_snapshot_request_parse(&rq, it->data, it->len);
	if (ret < 0) {
		a->snapshot_failures++;
		return; /* nothing to answer: no id */
	}
	snprintf(tag, sizeof(tag), "snapshot-%.*s", (int)rq.tag_len, rq.tag);
	if (!a->dbg)
		ret = -ENOTSUP; /* no debug support on this arch (core/debug/arch.h) */
	else
		ret = dump_refused(a->dbg) ? -EDQUOT
					   : freeze_all(a->vm, NULL, a->dbg->cfg.freeze_timeout_ms);
	if (ret != -ECANCELED && ret != -EDQUOT && ret != -ENOTSUP) {
		int d = dump_write(a->dbg, NULL, tag, NULL, a->last_dump, sizeof(a->last_dump));

		freeze_thaw(a->vm);
		if (ret == 0)
			ret = d;
	}
	if (ret < 0)
		a->snapshot_failures++;
	else
		a->snapshots++;
	len = wire_snapshot_reply_build(reply, sizeof(reply), rq.id, ret);
	if (len >= 0)
		agent_send(a, WIRE_SNAPSHOT_REPLY, reply, (size_t)len);
}

static void *agent_thread(void *arg)
{
	struct agent *a = arg;
	struct agent_item *it = &a->cur;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (!a->count && !a->stop)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->stop)
			break;
		*it = a->queue[a->head];
		a->head = (a->head + 1) % AGENT_QUEUE;
		a->count--;
		pthread_mutex_unlock(&a->lock);
		if (it->type == WIRE_KSYMS)
			agent_ksyms(a, it);
		else if (it->type == WIRE_SNAPSHOT_REQUEST)
			agent_snapshot(a, it);
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/*
 * Requests are taken from here on; the thread that answers them starts
 * with the first (agent_post()), not before the guest runs: a thread costs
 * about 0.1 ms of setup, and many runs send no request at all.
 */
int agent_start(struct agent *a)
{
	pthread_mutex_lock(&a->lock);
	a->taking = true;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

void agent_stop(struct agent *a)
{
	bool started;

	pthread_mutex_lock(&a->lock);
	a->stop = true;
	started = a->started;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	if (started)
		pthread_join(a->thread, NULL);
	pthread_mutex_lock(&a->lock);
	a->started = false;
	pthread_mutex_unlock(&a->lock);
}

void agent_destroy(struct agent *a)
{
	agent_stop(a);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
}
