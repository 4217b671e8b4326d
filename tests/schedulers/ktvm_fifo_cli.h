/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure parts of the ktvm_fifo loader: its arguments in, its output lines
 * and exit status out. No BPF here, so tests/unit/test_ktvm_fifo_cli.c can
 * run it on any host.
 */
#ifndef KTVM_TESTS_SCHEDULERS_KTVM_FIFO_CLI_H
#define KTVM_TESTS_SCHEDULERS_KTVM_FIFO_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel's TASK_COMM_LEN: a task name is at most 15 bytes. */
#define KTVM_FIFO_COMM_LEN 16
/* SCX_WATCHDOG_MAX_TIMEOUT (kernel/sched/ext/types.h): 30 s. */
#define KTVM_FIFO_TIMEOUT_MAX_MS 30000

/*
 * enum scx_exit_kind (kernel/sched/ext/internal.h): SCX_EXIT_UNREG is a
 * detach asked for by user space (our link destroyed); kinds from
 * SCX_EXIT_ERROR up are errors (scx_bpf_error, a stall, ...).
 */
#define KTVM_FIFO_EXIT_UNREG 64
#define KTVM_FIFO_EXIT_ERROR 1024

/* The loader's exit status; README "ktvm_fifo" and ktvm_fifo.c say the same. */
enum ktvm_fifo_status {
	KTVM_FIFO_OK = 0,	     /* stopped by a signal, detached cleanly */
	KTVM_FIFO_SETUP_FAILED = 1,  /* no sched_ext, no BTF, out of memory */
	KTVM_FIFO_BAD_ARGS = 2,	     /* an argument is wrong (one line says which) */
	KTVM_FIFO_LOAD_FAILED = 3,   /* the verifier or the kernel refused the programs */
	KTVM_FIFO_ATTACH_FAILED = 4, /* the kernel refused to enable the scheduler */
	KTVM_FIFO_SCHED_ERROR = 5,   /* ended by an error exit (kind >= 1024) */
	KTVM_FIFO_SCHED_ENDED = 6,   /* ended otherwise without being asked (sysrq-S, ...) */
};

enum ktvm_fifo_mode {
	KTVM_FIFO_NORMAL,
	KTVM_FIFO_ERROR_AFTER,
	KTVM_FIFO_STALL_PID,
	KTVM_FIFO_STALL_COMM,
	KTVM_FIFO_REJECT,
};

struct ktvm_fifo_opts {
	enum ktvm_fifo_mode mode;
	uint64_t error_after;		     /* KTVM_FIFO_ERROR_AFTER: >= 1 */
	int32_t stall_pid;		     /* KTVM_FIFO_STALL_PID: >= 1 */
	char stall_comm[KTVM_FIFO_COMM_LEN]; /* KTVM_FIFO_STALL_COMM: 1..15 bytes */
	uint32_t timeout_ms;		     /* ops.timeout_ms; 0: the kernel's (30 s) */
	bool verbose;			     /* -v: libbpf's debug messages */
	bool help;			     /* -h, --help */
};

extern const char ktvm_fifo_cli_usage[];

/*
 * Parses argv[1..argc-1]: at most one mode word (normal, error-after=N,
 * stall-pid=P, stall-comm=NAME, reject; none means normal), timeout-ms=T,
 * -v, -h/--help. Returns 0, or -EINVAL with one line in err (no newline)
 * naming the argument and what is wrong with it.
 */
int ktvm_fifo_cli_parse(struct ktvm_fifo_opts *o, int argc, char *const argv[], char *err,
			size_t errlen);

/* The mode as the arguments that select it, e.g. "stall-comm=spin timeout-ms=2000". */
void ktvm_fifo_cli_describe(const struct ktvm_fifo_opts *o, char *out, size_t size);

/*
 * in (at most inlen bytes, or up to its NUL) as a double-quoted string on one
 * line: \" \\ \n \t and \xHH for other control and non-ASCII bytes. Always
 * NUL-terminates out; a string that does not fit is cut before an escape,
 * never inside one, and still closed with its quote. Returns strlen(out).
 */
size_t ktvm_fifo_cli_quote(char *out, size_t size, const char *in, size_t inlen);

/*
 * The exit line: ktvm_fifo: exit kind K reason "R" msg "M" (strings quoted
 * by ktvm_fifo_cli_quote()).
 */
void ktvm_fifo_cli_exit_line(char *out, size_t size, int kind, const char *reason,
			     size_t reason_len, const char *msg, size_t msg_len);

/*
 * The loader's status once the scheduler is gone: stop_requested is whether
 * a signal asked us to detach, kind the exit kind the kernel reported (0 if
 * the scheduler's ops.exit never ran).
 */
enum ktvm_fifo_status ktvm_fifo_cli_status(bool stop_requested, int kind);

#endif
