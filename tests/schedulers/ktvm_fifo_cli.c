// SPDX-License-Identifier: GPL-2.0
/*
 * ktvm_fifo's command line and output lines (see ktvm_fifo_cli.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ktvm_fifo_cli.h"

const char ktvm_fifo_cli_usage[] =
    "usage: ktvm_fifo [MODE] [timeout-ms=T] [-v]\n"
    "  ktvm's fixture sched_ext scheduler: one global FIFO queue.\n"
    "MODE (one; default normal):\n"
    "  normal           schedule until SIGINT/SIGTERM, then detach\n"
    "  error-after=N    call scx_bpf_error() at the Nth dispatch\n"
    "  stall-pid=P      never dispatch thread P: the kernel's watchdog ends the scheduler\n"
    "  stall-comm=NAME  never dispatch tasks named NAME (at most 15 bytes)\n"
    "  reject           load a program the verifier refuses\n"
    "  timeout-ms=T     the watchdog's timeout, ops.timeout_ms (1..30000; default 30000)\n"
    "  -v               print libbpf's debug messages\n"
    "Prints \"ktvm_fifo: attached\", at exit one \"ktvm_fifo: cpu N dispatched M\" line\n"
    "per possible CPU and \"ktvm_fifo: exit kind K reason \\\"...\\\" msg \\\"...\\\"\".\n"
    "Exit status: 0 detached on a signal, 1 setup failed, 2 bad arguments, 3 load\n"
    "failed, 4 attach failed, 5 the scheduler ended with an error, 6 it ended otherwise.\n";

/* Whole decimal numbers only: no sign, no spaces, no 0x, no overflow. */
static int ktvm_fifo_cli_number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d = (unsigned char)*s - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int ktvm_fifo_cli_bad(char *err, size_t errlen, const char *arg, const char *why)
{
	snprintf(err, errlen, "ktvm_fifo: argument \"%s\": %s", arg, why);
	return -EINVAL;
}

/* Sets the mode, once: a second mode word is an error. */
static int ktvm_fifo_cli_set_mode(struct ktvm_fifo_opts *o, bool *have_mode, enum ktvm_fifo_mode m,
				  const char *arg, char *err, size_t errlen)
{
	if (*have_mode)
		return ktvm_fifo_cli_bad(err, errlen, arg,
					 "a mode was already given (one mode only)");
	*have_mode = true;
	o->mode = m;
	return 0;
}

int ktvm_fifo_cli_parse(struct ktvm_fifo_opts *o, int argc, char *const argv[], char *err,
			size_t errlen)
{
	bool have_mode = false, have_timeout = false;
	const char *a, *v;
	uint64_t n;
	int i, ret;

	memset(o, 0, sizeof(*o));
	o->mode = KTVM_FIFO_NORMAL;
	if (errlen)
		err[0] = '\0';

	for (i = 1; i < argc; i++) {
		a = argv[i];
		v = strchr(a, '=');
		v = v ? v + 1 : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
		} else if (!strcmp(a, "-v")) {
			o->verbose = true;
		} else if (!strcmp(a, "normal")) {
			ret =
			    ktvm_fifo_cli_set_mode(o, &have_mode, KTVM_FIFO_NORMAL, a, err, errlen);
			if (ret)
				return ret;
		} else if (!strcmp(a, "reject")) {
			ret =
			    ktvm_fifo_cli_set_mode(o, &have_mode, KTVM_FIFO_REJECT, a, err, errlen);
			if (ret)
				return ret;
		} else if (!strncmp(a, "error-after=", 12)) {
			ret = ktvm_fifo_cli_set_mode(o, &have_mode, KTVM_FIFO_ERROR_AFTER, a, err,
						     errlen);
			if (ret)
				return ret;
			if (ktvm_fifo_cli_number(v, 1, UINT64_MAX, &n))
				return ktvm_fifo_cli_bad(err, errlen, a,
							 "N must be a whole number of at least 1");
			o->error_after = n;
		} else if (!strncmp(a, "stall-pid=", 10)) {
			ret = ktvm_fifo_cli_set_mode(o, &have_mode, KTVM_FIFO_STALL_PID, a, err,
						     errlen);
			if (ret)
				return ret;
			if (ktvm_fifo_cli_number(v, 1, INT32_MAX, &n))
				return ktvm_fifo_cli_bad(
				    err, errlen, a, "P must be a thread id from 1 to 2147483647");
			o->stall_pid = (int32_t)n;
		} else if (!strncmp(a, "stall-comm=", 11)) {
			ret = ktvm_fifo_cli_set_mode(o, &have_mode, KTVM_FIFO_STALL_COMM, a, err,
						     errlen);
			if (ret)
				return ret;
			if (!*v || strlen(v) >= KTVM_FIFO_COMM_LEN)
				return ktvm_fifo_cli_bad(
				    err, errlen, a,
				    "NAME must be 1 to 15 bytes (the kernel's task name length)");
			strcpy(o->stall_comm, v);
		} else if (!strncmp(a, "timeout-ms=", 11)) {
			if (have_timeout)
				return ktvm_fifo_cli_bad(err, errlen, a, "given twice");
			have_timeout = true;
			if (ktvm_fifo_cli_number(v, 1, KTVM_FIFO_TIMEOUT_MAX_MS, &n))
				return ktvm_fifo_cli_bad(
				    err, errlen, a,
				    "T must be milliseconds from 1 to 30000 (the kernel's limit)");
			o->timeout_ms = (uint32_t)n;
		} else {
			return ktvm_fifo_cli_bad(err, errlen, a, "unknown (try ktvm_fifo --help)");
		}
	}
	return 0;
}

void ktvm_fifo_cli_describe(const struct ktvm_fifo_opts *o, char *out, size_t size)
{
	int n = 0;

	switch (o->mode) {
	case KTVM_FIFO_NORMAL:
		n = snprintf(out, size, "normal");
		break;
	case KTVM_FIFO_ERROR_AFTER:
		n = snprintf(out, size, "error-after=%" PRIu64, o->error_after);
		break;
	case KTVM_FIFO_STALL_PID:
		n = snprintf(out, size, "stall-pid=%" PRId32, o->stall_pid);
		break;
	case KTVM_FIFO_STALL_COMM:
		n = snprintf(out, size, "stall-comm=%s", o->stall_comm);
		break;
	case KTVM_FIFO_REJECT:
		n = snprintf(out, size, "reject");
		break;
	}
	if (o->timeout_ms && n >= 0 && (size_t)n < size)
		snprintf(out + n, size - n, " timeout-ms=%" PRIu32, o->timeout_ms);
}

size_t ktvm_fifo_cli_quote(char *out, size_t size, const char *in, size_t inlen)
{
	size_t o = 0, i;
	char esc[5];

	if (size < 3) {
		if (size)
			out[0] = '\0';
		return 0;
	}
	out[o++] = '"';
	for (i = 0; i < inlen && in[i]; i++) {
		unsigned char c = in[i];

		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else if (c < 0x20 || c >= 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		/* Room for this piece, the closing quote and the NUL. */
		if (o + strlen(esc) + 2 > size)
			break;
		memcpy(out + o, esc, strlen(esc));
		o += strlen(esc);
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

void ktvm_fifo_cli_exit_line(char *out, size_t size, int kind, const char *reason,
			     size_t reason_len, const char *msg, size_t msg_len)
{
	char r[4 * 128 + 3], m[4 * 1024 + 3];

	ktvm_fifo_cli_quote(r, sizeof(r), reason, reason_len);
	ktvm_fifo_cli_quote(m, sizeof(m), msg, msg_len);
	snprintf(out, size, "ktvm_fifo: exit kind %d reason %s msg %s", kind, r, m);
}

enum ktvm_fifo_status ktvm_fifo_cli_status(bool stop_requested, int kind)
{
	if (kind >= KTVM_FIFO_EXIT_ERROR)
		return KTVM_FIFO_SCHED_ERROR;
	if (stop_requested && kind == KTVM_FIFO_EXIT_UNREG)
		return KTVM_FIFO_OK;
	return KTVM_FIFO_SCHED_ENDED;
}
