/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler under test (ktvm run --scheduler PROG): init starts it
 * before the payload and judges it by the kernel's own sched_ext state,
 * never by the scheduler's exit status (scx_simple exits 0 after being
 * kicked out).
 *
 *   /ktvm/sched  NUL-terminated strings: the path to exec, then argv[0],
 *                argv[1], ... (as /ktvm/cmd, payload.h). Missing: no
 *                scheduler.
 *   ktvm.sched_wait=SEC  how long it may take to attach (default 10 s).
 *
 * It runs with stdin on /dev/null and stdout and stderr on one pipe, whose
 * bytes go to the host as SCHED_LOG frames, as they come. The frames, in
 * order:
 *   LIFECYCLE SCHED_STARTING "PATH"
 *   LIFECYCLE SCHED_READY "OPS switch_all=S" once the kernel's state says
 *     "enabled" and root/ops names it (S: switch_all, 1 when sched_ext runs
 *     every task, "?" if unreadable), or SCHED_EXIT ATTACH "REASON" (it exited, or did
 *     not attach in time) and init gives up;
 *   (the payload runs)
 *   after it: SCHED_EXIT RUN "REASON" if the scheduler left or died while it
 *     ran (REASON: the kernel's 'BPF scheduler "X" disabled (...)' line when
 *     there is one), else SIGINT, and LIFECYCLE SCHED_DONE once it exited
 *     and the kernel's state left "enabled" (SCHED_EXIT RUN if not within
 *     SCHED_STOP_MS).
 * Before each SCHED_EXIT, the kernel's sched_ext lines (from /dev/kmsg) go
 * as SCHED_LOG "kernel: ..." lines.
 */
#ifndef KTVM_GUEST_SCHED_H
#define KTVM_GUEST_SCHED_H

#include <sys/types.h>

#include "core/base/types.h"
#include "guest/chan.h"
#include "guest/strv.h"

#define SCHED_CMD	     "/ktvm/sched"
#define SCHED_WAIT_KEY	     "ktvm.sched_wait"
#define SCHED_WAIT_DEFAULT_S 10
#define SCHED_WAIT_MAX_S     600
/* After SIGINT, how long the scheduler has to leave. */
#define SCHED_STOP_MS 10000
#define SCHED_SYSFS   "/sys/kernel/sched_ext"

struct sched {
	struct strv cmd;
	const char *path;
	char *const *argv;
	pid_t pid;
	bool exited; /* reaped */
	int wstatus;
	int out; /* the read end of its stdout/stderr pipe, -1 at EOF */
	char ops[64];
	const char *sysfs; /* SCHED_SYSFS (sched_load() sets it; tests point it elsewhere) */
	struct chan *ch;
	int err; /* the first channel error */
};

/*
 * Read SCHED_CMD: 0; -ENOENT when there is none; another -errno with why
 * filled in.
 */
int sched_load(struct sched *s, const char *cmd_path, char *why, size_t why_size);
void sched_free(struct sched *s);
/*
 * Start it and wait up to wait_s until the kernel says it attached: 0, or
 * -errno with why (the SCHED_EXIT ATTACH frame is sent and it is killed).
 */
int sched_attach(struct sched *s, struct chan *ch, u32 wait_s, char *why, size_t why_size);
/* While the payload runs: relay its output, note its exit (payload_set_aside()). */
void sched_aside(struct sched *s);
/* After the payload: judge and stop it (the frames above). 0, or -errno if the channel failed. */
int sched_finish(struct sched *s);

/*
 * A file of the kernel's sched_ext directory (state: "enabled",
 * "disabled", ...; root/ops; switch_all), first line, into buf; "" if
 * unreadable.
 */
void sched_sysfs(const char *sysfs, const char *name, char *buf, size_t size);
/*
 * From a /dev/kmsg record ("PRI,SEQ,TS,FLAGS;MESSAGE\n..."), the message
 * (up to its newline) into msg when it is a sched_ext line: true if so.
 */
bool sched_kmsg_line(const char *rec, size_t len, char *msg, size_t size);
/* From 'sched_ext: BPF scheduler "X" disabled (REASON)', REASON into out: true if found. */
bool sched_disabled_reason(const char *msg, char *out, size_t size);

#endif
