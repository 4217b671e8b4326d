// SPDX-License-Identifier: GPL-2.0
/* The scheduler under test (sched.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "guest/log.h"
#include "guest/payload.h"
#include "guest/readfile.h"
#include "guest/sched.h"

#define SCHED_TICK_MS 20
/* Bytes of kernel log read looking for sched_ext lines, at most. */
#define SCHED_KMSG_MAX (1u << 20)

int sched_load(struct sched *s, const char *cmd_path, char *why, size_t why_size)
{
	memset(s, 0, sizeof(*s));
	s->out = -1;
	s->pid = -1;
	s->sysfs = SCHED_SYSFS;
	return strv_read_cmd(&s->cmd, cmd_path, &s->path, &s->argv, why, why_size);
}

void sched_free(struct sched *s)
{
	if (s->out >= 0)
		close(s->out);
	s->out = -1;
	strv_free(&s->cmd);
}

void sched_sysfs(const char *sysfs, const char *name, char *buf, size_t size)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", sysfs, name);
	if (readfile(path, buf, size) < 0)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

bool sched_kmsg_line(const char *rec, size_t len, char *msg, size_t size)
{
	const char *semi = memchr(rec, ';', len), *end;
	size_t n;

	if (!semi || !size)
		return false;
	semi++;
	end = memchr(semi, '\n', len - (size_t)(semi - rec));
	n = end ? (size_t)(end - semi) : len - (size_t)(semi - rec);
	if (!memmem(semi, n, "sched_ext", 9))
		return false;
	n = MIN(n, size - 1);
	memcpy(msg, semi, n);
	msg[n] = '\0';
	return true;
}

bool sched_disabled_reason(const char *msg, char *out, size_t size)
{
	const char *d = strstr(msg, "\" disabled (");
	const char *start, *end;

	if (!d || !size)
		return false;
	start = d + strlen("\" disabled (");
	end = strrchr(start, ')');
	if (!end)
		end = start + strlen(start);
	snprintf(out, size, "%.*s", (int)(end - start), start);
	return true;
}

/* "sched_ext: OPS: MSG" after a disabled line: ": MSG" onto reason. */
static void sched_append_msg(char *reason, size_t size, const char *msg)
{
	const char *p = strncmp(msg, "sched_ext: ", 11) ? NULL : strstr(msg + 11, ": ");
	size_t n = strlen(reason);

	if (p && n + 2 < size)
		snprintf(reason + n, size - n, ": %s", p + 2);
}

static void sched_send(struct sched *s, u32 type, const void *buf, size_t len)
{
	int r;

	if (s->err)
		return;
	r = chan_send(s->ch, type, buf, len);
	if (r)
		s->err = r;
}

/* What the scheduler wrote so far, as SCHED_LOG frames. False at EOF. */
static bool sched_pump(struct sched *s)
{
	static u8 buf[4096];
	ssize_t n;

	if (s->out < 0)
		return false;
	n = read(s->out, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		close(s->out);
		s->out = -1;
		return false;
	}
	sched_send(s, WIRE_SCHED_LOG, buf, (size_t)n);
	return true;
}

static void sched_reap(struct sched *s)
{
	int st;

	if (!s->exited && s->pid > 0 && waitpid(s->pid, &st, WNOHANG) == s->pid) {
		s->exited = true;
		s->wstatus = st;
	}
}

/* Relay output for up to ms (or until the pipe has nothing more), reaping on the way. */
static void sched_tick(struct sched *s, int ms)
{
	struct pollfd p = {.fd = s->out, .events = POLLIN};

	if (s->out >= 0 && poll(&p, 1, ms) > 0)
		sched_pump(s);
	else if (s->out < 0)
		usleep((useconds_t)ms * 1000);
	sched_reap(s);
}

static void sched_how(const struct sched *s, char *buf, size_t size)
{
	if (WIFSIGNALED(s->wstatus))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(s->wstatus));
	else
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(s->wstatus));
}

/*
 * The kernel's sched_ext lines, as SCHED_LOG "kernel: ..." lines; into
 * reason ("" if none) the last 'disabled (REASON)' one's REASON and, when
 * the next line is the scheduler's message ("sched_ext: OPS: MSG", as the
 * kernel prints scx_bpf_error()'s and the watchdog's), ": MSG".
 */
static void sched_kernel_lines(struct sched *s, char *reason, size_t size)
{
	char rec[2048], msg[1024], line[1100];
	size_t total = 0;
	bool after_disabled = false;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	reason[0] = '\0';
	if (fd < 0)
		return;
	while (total < SCHED_KMSG_MAX) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);

		if (n < 0 && errno == EPIPE)
			continue; /* the record was overwritten: the next one */
		if (n <= 0)
			break;
		total += (size_t)n;
		if (!sched_kmsg_line(rec, (size_t)n, msg, sizeof(msg))) {
			after_disabled = false;
			continue;
		}
		if (sched_disabled_reason(msg, reason, size)) {
			after_disabled = true;
		} else if (after_disabled) {
			sched_append_msg(reason, size, msg);
			after_disabled = false;
		}
		n = snprintf(line, sizeof(line), "kernel: %s\n", msg);
		sched_send(s, WIRE_SCHED_LOG, line, (size_t)MIN((size_t)n, sizeof(line) - 1));
	}
	close(fd);
}

static void sched_fail(struct sched *s, u32 stage, const char *reason)
{
	u8 buf[WIRE_SCHED_EXIT_MIN + WIRE_REASON_MAX];
	ssize_t n = wire_sched_exit_build(buf, sizeof(buf), stage, reason);

	log_msg("scheduler %s: %s", stage == WIRE_SCHED_ATTACH ? "did not attach" : "failed",
		reason);
	if (n > 0)
		sched_send(s, WIRE_SCHED_EXIT, buf, (size_t)n);
}

/* What is left in the pipe, for at most ms (a child of the scheduler may hold it open). */
static void sched_drain(struct sched *s, int ms)
{
	u64 until = clock_now_ns() + (u64)ms * 1000000ULL;

	while (s->out >= 0 && clock_now_ns() < until) {
		struct pollfd p = {.fd = s->out, .events = POLLIN};

		if (poll(&p, 1, SCHED_TICK_MS) > 0)
			sched_pump(s);
	}
}

static void sched_kill(struct sched *s)
{
	if (s->pid > 0 && !s->exited) {
		kill(s->pid, SIGKILL);
		if (waitpid(s->pid, &s->wstatus, 0) == s->pid)
			s->exited = true;
	}
	sched_drain(s, 500);
}

static void __attribute__((noreturn)) sched_child(const struct sched *s, int out)
{
	int in = open("/dev/null", O_RDONLY);

	if (in >= 0 && in != 0) {
		dup2(in, 0);
		close(in);
	}
	dup2(out, 1);
	dup2(out, 2);
	execve(s->path, s->argv, payload_env_default);
	dprintf(2, "exec %s: %s\n", s->path, strerror(errno));
	_exit(127);
}

int sched_attach(struct sched *s, struct chan *ch, u32 wait_s, char *why, size_t why_size)
{
	u64 deadline = clock_now_ns() + (u64)wait_s * 1000000000ULL;
	char state[32], kreason[WIRE_REASON_MAX], how[64];
	int p[2];

	s->ch = ch;
	why[0] = '\0';
	if (chan_lifecycle(ch, WIRE_PHASE_SCHED_STARTING, "%s", s->path)) {
		snprintf(why, why_size, "channel: %s", strerror(-ch->err));
		return -EIO;
	}
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(why, why_size, "pipe: %s", strerror(errno));
		sched_fail(s, WIRE_SCHED_ATTACH, why);
		return -errno;
	}
	s->pid = fork();
	if (s->pid == 0)
		sched_child(s, p[1]);
	close(p[1]);
	if (s->pid < 0) {
		close(p[0]);
		snprintf(why, why_size, "fork: %s", strerror(errno));
		sched_fail(s, WIRE_SCHED_ATTACH, why);
		return -errno;
	}
	s->out = p[0];
	fcntl(s->out, F_SETFL, O_NONBLOCK);
	log_msg("scheduler %s started (pid %d)", s->path, (int)s->pid);
	for (;;) {
		sched_tick(s, SCHED_TICK_MS);
		sched_sysfs(s->sysfs, "state", state, sizeof(state));
		sched_sysfs(s->sysfs, "root/ops", s->ops, sizeof(s->ops));
		if (!strcmp(state, "enabled") && s->ops[0] && !s->exited) {
			log_msg("scheduler %s attached", s->ops);
			char sw[8];

			/* switch_all: 1 when sched_ext runs every task, 0 for a partial switch. */
			sched_sysfs(s->sysfs, "switch_all", sw, sizeof(sw));
			if (chan_lifecycle(ch, WIRE_PHASE_SCHED_READY, "%s switch_all=%s", s->ops,
					   sw[0] ? sw : "?")) {
				snprintf(why, why_size, "channel: %s", strerror(-ch->err));
				return -EIO;
			}
			return 0;
		}
		if (s->exited) {
			sched_how(s, how, sizeof(how));
			snprintf(why, why_size, "%s %s before attaching", s->path, how);
			break;
		}
		if (clock_now_ns() >= deadline) {
			snprintf(why, why_size,
				 "%s did not attach within %u s (sched_ext state: %s)", s->path,
				 wait_s, state[0] ? state : "unreadable");
			break;
		}
	}
	sched_kill(s);
	sched_kernel_lines(s, kreason, sizeof(kreason));
	sched_fail(s, WIRE_SCHED_ATTACH, why);
	return -ECANCELED;
}

static void sched_aside_readable(void *ctx)
{
	sched_pump(ctx);
}

static void sched_aside_reaped(void *ctx, pid_t pid, int wstatus)
{
	struct sched *s = ctx;

	if (pid == s->pid) {
		s->exited = true;
		s->wstatus = wstatus;
	}
}

void sched_aside(struct sched *s)
{
	struct payload_aside a = {
	    .fd = &s->out,
	    .readable = sched_aside_readable,
	    .reaped = sched_aside_reaped,
	    .ctx = s,
	};

	payload_set_aside(&a);
}

int sched_finish(struct sched *s)
{
	char state[32], kreason[WIRE_REASON_MAX], why[WIRE_REASON_MAX + 64], how[64];
	u64 deadline;

	payload_set_aside(NULL);
	sched_tick(s, 0);
	sched_sysfs(s->sysfs, "state", state, sizeof(state));
	if (s->exited || strcmp(state, "enabled")) {
		bool died = s->exited; /* by itself, before the kill below */

		if (died)
			sched_how(s, how, sizeof(how));
		sched_kill(s);
		sched_kernel_lines(s, kreason, sizeof(kreason));
		if (kreason[0])
			snprintf(why, sizeof(why), "%s", kreason);
		else if (died)
			snprintf(why, sizeof(why), "%s %s while the payload ran", s->path, how);
		else
			snprintf(why, sizeof(why), "sched_ext state %s while the payload ran",
				 state[0] ? state : "unreadable");
		sched_fail(s, WIRE_SCHED_RUN, why);
		return s->err;
	}
	kill(s->pid, SIGINT);
	deadline = clock_now_ns() + SCHED_STOP_MS * 1000000ULL;
	for (;;) {
		sched_tick(s, SCHED_TICK_MS);
		sched_sysfs(s->sysfs, "state", state, sizeof(state));
		if (s->exited && strcmp(state, "enabled"))
			break;
		if (clock_now_ns() >= deadline) {
			snprintf(why, sizeof(why),
				 "%s did not detach within %d ms of SIGINT (sched_ext state: %s)",
				 s->path, SCHED_STOP_MS, state[0] ? state : "unreadable");
			sched_kill(s);
			sched_kernel_lines(s, kreason, sizeof(kreason));
			sched_fail(s, WIRE_SCHED_RUN, why);
			return s->err;
		}
	}
	sched_drain(s, 500);
	sched_how(s, how, sizeof(how));
	log_msg("scheduler %s detached (%s)", s->ops, how);
	if (!s->err && chan_lifecycle(s->ch, WIRE_PHASE_SCHED_DONE, "%s detached, %s", s->ops, how))
		s->err = -EIO;
	return s->err;
}
