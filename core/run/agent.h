/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's answers to guest requests, on a thread of their own: the
 * channel's sink runs on the I/O thread, which must neither block (arming
 * waits for every vCPU, a snapshot freezes them) nor send to the guest from
 * there. Requests are copied into a small bounded queue (a flooding guest
 * loses requests, counted, never host memory).
 *
 *   KSYMS             the live addresses of the --watch symbols: the
 *                     watchpoints are armed on every vCPU, then WATCH_ARMED
 *                     tells init it may start the payload.
 *   SNAPSHOT_REQUEST  freeze every vCPU, dump (core/debug/dump.h), thaw, and
 *                     answer SNAPSHOT_REPLY with the status.
 */
#ifndef KTVM_CORE_AGENT_H
#define KTVM_CORE_AGENT_H

#include <pthread.h>

#include "core/base/types.h"
#include "core/debug/watch.h"

#define AGENT_QUEUE	     8
#define AGENT_PAYLOAD_MAX    4096
#define AGENT_MAX_WATCHES    (WATCH_SLOTS - WATCH_SLOT_USER)
#define AGENT_ARM_TIMEOUT_MS 5000
/*
 * Asked for with the --watch names: if the guest finds no address for it
 * either, its /proc/kallsyms has no data symbols at all (a kernel built
 * without CONFIG_KALLSYMS_ALL, as Debian's arm64 6.1), which the error says.
 */
#define AGENT_DATA_PROBE "max_threads"
/* How a kernel without data symbols is told, by the host's and the guest's checks. */
#define AGENT_NO_DATA_HINT                                                                         \
	"lists no data symbols (built without CONFIG_KALLSYMS_ALL): give --symbols FILE (its "     \
	"System.map or vmlinux) or an address"

struct vm;
struct vm_debug;
struct channel;
struct wire_ksym;

struct agent_item {
	u32 type, len;
	u8 data[AGENT_PAYLOAD_MAX];
};

/*
 * Called on the agent's thread once the --watch symbols are armed, with the
 * guest's KSYMS entries: arms what else wants the live addresses (the
 * sched_ext trigger). 0, or a negative errno with an error set, which
 * fails the arming (-ENOENT/-EINVAL/-ENOSPC: the user's input).
 */
typedef int (*agent_arm_fn)(void *ctx, const struct wire_ksym *k, u32 n);

struct agent {
	struct vm *vm;
	struct vm_debug *dbg; /* core/debug/debug.h: watchpoints, dumps (NULL: none) */
	struct channel *ch;   /* replies go out through it */
	const struct watch_spec *specs;
	u32 nr_specs;
	u64 text_file; /* _text in the symbols file (0: none): KASLR slide = live - this */
	agent_arm_fn arm_hook;
	void *arm_ctx;

	pthread_t thread;
	bool taking;	   /* agent_start(): requests are taken */
	bool started;	   /* the thread runs (made by the first request); under lock */
	bool start_failed; /* it could not be made: said once, requests dropped */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	struct agent_item queue[AGENT_QUEUE];
	struct agent_item cur; /* the one being answered (agent thread only) */
	u32 head, count;
	u64 dropped; /* requests that found the queue full, were too long, or had no thread */

	/* What happened, for the result (read after agent_stop()). */
	bool armed; /* the symbol watchpoints were armed */
	int error;  /* 0, or why arming failed (-ENOENT: no such symbol) */
	char error_msg[512];
	u32 snapshots, snapshot_failures;
	char last_dump[4096];
};

/* The first nonzero address k[0..n) gives name, 0 if none. */
u64 agent_ksym(const struct wire_ksym *k, u32 n, const char *name);
int agent_init(struct agent *a, struct vm *vm, struct vm_debug *dbg, struct channel *ch,
	       const struct watch_spec *specs, u32 nr_specs);
int agent_start(struct agent *a);
/* The channel's request callback (core/run/channel.h). */
void agent_post(void *ctx, u32 type, const u8 *payload, u32 len);
void agent_stop(struct agent *a);
void agent_destroy(struct agent *a);

#endif
