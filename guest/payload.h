/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The payload: what the host asked the guest to run, and running it.
 *
 *   /ktvm/cmd  NUL-terminated strings: the path to exec, then argv[0],
 *              argv[1], ... (argv[0] is what the user typed: busybox
 *              dispatches on it). Only a path: argv is { path }. Missing:
 *              there is no payload.
 *   /ktvm/env  NUL-terminated "KEY=VALUE" strings, the whole environment.
 *              Missing: payload_env_default (PATH as Debian's, HOME=/root,
 *              TERM=linux).
 *
 * The payload runs with stdin on /dev/null and stdout and stderr on pipes,
 * and with the guest channel itself open as descriptor 3, named in its
 * environment as KTVM_WIRE_FD=3: a payload may send its own frames
 * (TEST_RESULT, SCHED_EXIT, ...). It must write each frame with one write()
 * of at most 32 KiB (Linux's virtio port write limit), or its frames may
 * interleave with init's; the descriptor is non-blocking (EAGAIN: poll).
 * Every read from a pipe (at most PAYLOAD_CHUNK bytes) goes to the host as
 * one STDOUT or STDERR frame holding exactly those bytes. The frames sent,
 * in order:
 *
 *   LIFECYCLE PAYLOAD_STARTING, STDOUT/STDERR..., then either
 *   BOOT_TIMES payload_start payload_exit,
 *   EXIT <code, or 128 + signal>                         (it ran), or
 *   LIFECYCLE FAILED "exec PATH: REASON", EXIT 127|126    (exec failed;
 *                    127 for ENOENT and ENOTDIR, 126 otherwise, as shells do)
 *   and LIFECYCLE PAYLOAD_DONE.
 */
#ifndef KTVM_GUEST_PAYLOAD_H
#define KTVM_GUEST_PAYLOAD_H

#include <sys/types.h>

#include "core/base/types.h"
#include "guest/chan.h"
#include "guest/strv.h"

#define PAYLOAD_CMD "/ktvm/cmd"
/* Where the payload finds the guest channel. */
#define PAYLOAD_WIRE_FD	    3
#define PAYLOAD_WIRE_FD_STR "3"
#define PAYLOAD_WIRE_ENV    "KTVM_WIRE_FD"
#define PAYLOAD_ENV	    "/ktvm/env"
/*
 * Bytes per STDOUT/STDERR frame: with its header, the most Linux's
 * virtio_console takes in one write() (CHAN_WRITE_ATOMIC), so that every
 * frame is one buffer and cannot interleave with the payload's own frames.
 */
#define PAYLOAD_CHUNK (CHAN_WRITE_ATOMIC - WIRE_HDR_SIZE)
/* After the payload exits, how long a process it left behind may keep its pipes. */
#define PAYLOAD_DRAIN_MS 2000

extern char *const payload_env_default[];

struct payload {
	const char *path;
	char *const *argv;
	char *const *envp;
	struct strv cmd, env; /* what path, argv and envp point into */
};

struct payload_result {
	pid_t pid;
	bool exited;  /* reaped */
	int exec_err; /* errno of the failed execve, or 0 */
	int wstatus;  /* from waitpid() */
	s32 status;   /* what the EXIT frame carried */
	/* CLOCK_MONOTONIC ns: execve() succeeded, init reaped it; 0: not (sent as BOOT_TIMES) */
	u64 start_ns, exit_ns;
};

/*
 * Read the payload from cmd_path and env_path. 0; -ENOENT if cmd_path does
 * not exist (no payload); another -errno with why (why_size bytes) filled in.
 */
int payload_load(struct payload *p, const char *cmd_path, const char *env_path, char *why,
		 size_t why_size);
void payload_free(struct payload *p);

/* EXIT status of a payload that ran: its exit code, or 128 + the signal. */
s32 payload_exit_status(int wstatus);
/* EXIT status when execve failed with err. */
s32 payload_exec_status(int err);

/*
 * Run p and send its frames (above) to ch. Reaps every child that exits
 * meanwhile (as PID 1 must), and waits at most drain_ms after the payload
 * exited for its pipes to close. Returns 0 once PAYLOAD_DONE is sent,
 * whatever the payload did; -errno with why if init could not run it or
 * could not send (the payload is then killed).
 */
int payload_run(const struct payload *p, struct chan *ch, int drain_ms, struct payload_result *res,
		char *why, size_t why_size);

/*
 * While payload_run() waits, also read lines from fd (a FIFO the payload
 * writes requests into, snapshot.h) and call fn(ctx, line, len) for each,
 * without its newline; lines longer than PAYLOAD_CTL_LINE are cut. fd -1:
 * none.
 */
#define PAYLOAD_CTL_LINE 128
void payload_set_control(int fd, void (*fn)(void *ctx, const char *line, size_t len), void *ctx);

/*
 * A process init runs beside the payload (the scheduler under test,
 * sched.h): while payload_run() waits, readable(ctx) is called when *fd
 * has input or hung up (the callee reads it, and closes it and sets *fd to
 * -1 at EOF; *fd < 0: nothing to watch), and reaped(ctx, pid, wstatus) for
 * every child but the payload that exits. NULL: none.
 */
struct payload_aside {
	int *fd;
	void (*readable)(void *ctx);
	void (*reaped)(void *ctx, pid_t pid, int wstatus);
	void *ctx;
};
void payload_set_aside(const struct payload_aside *a);

#endif
