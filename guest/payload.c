// SPDX-License-Identifier: GPL-2.0
/* Loading and running the payload (payload.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "guest/boot_times.h"
#include "guest/payload.h"

/* include/uapi/linux/close_range.h (Linux 5.11) */
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
/* The fallback's limit, when close_range() is missing. */
#define PAYLOAD_FD_SCAN_MAX 4096

/* How often orphans are reaped if no SIGCHLD wakes the loop first. */
#define PAYLOAD_TICK_MS 1000

char *const payload_env_default[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/root",
    "TERM=linux",
    NULL,
};

int payload_load(struct payload *p, const char *cmd_path, const char *env_path, char *why,
		 size_t why_size)
{
	int r;

	memset(p, 0, sizeof(*p));
	r = strv_read_cmd(&p->cmd, cmd_path, &p->path, &p->argv, why, why_size);
	if (r)
		return r;

	r = strv_read(&p->env, env_path);
	if (r == -ENOENT) {
		p->envp = payload_env_default;
		return 0;
	}
	if (r) {
		snprintf(why, why_size, "%s: %s", env_path, strerror(-r));
		goto fail;
	}
	p->envp = p->env.v;
	return 0;
fail:
	payload_free(p);
	return r;
}

void payload_free(struct payload *p)
{
	strv_free(&p->cmd);
	strv_free(&p->env);
	p->path = NULL;
	p->argv = p->envp = NULL;
}

s32 payload_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255; /* stopped or continued: not asked for, never reported */
}

s32 payload_exec_status(int err)
{
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

static void payload_sigchld(int sig)
{
	/* only here so that SIGCHLD interrupts ppoll() */
	(void)sig;
}

/*
 * In the child: stdin, stdout, stderr from in, out, err, and the guest
 * channel (wire, if >= 0) as descriptor PAYLOAD_WIRE_FD. They are first
 * moved above that, so that none is overwritten by another's dup2() even if
 * init's own 0-2 were closed and pipe() handed those numbers out.
 */
static int payload_child_stdio(int in, int out, int err, int wire)
{
	int src[4] = {in, out, err, wire};
	int n = wire >= 0 ? 4 : 3;

	for (int i = 0; i < n; i++) {
		src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, PAYLOAD_WIRE_FD + 1);
		if (src[i] < 0)
			return -errno;
	}
	for (int i = 0; i < n; i++)
		if (dup2(src[i], i) < 0)
			return -errno;
	/*
	 * Nothing else goes to the payload: whatever init holds without
	 * O_CLOEXEC (an fd the kernel or a library opened) closes at exec.
	 */
	if (close_range(n, ~0U, CLOSE_RANGE_CLOEXEC))
		for (int fd = n; fd < PAYLOAD_FD_SCAN_MAX; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* In the child: what a freshly exec'd program expects from its parent. */
static void payload_child_signals(void)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;

	/* SIGKILL, SIGSTOP and libc's internal signals refuse; that is fine */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void __attribute__((noreturn))
payload_child(const struct payload *p, int in, int out, int err, int report, int wire)
{
	size_t nenv = 0;
	ssize_t n;
	int e;

	while (p->envp[nenv])
		nenv++;
	{
		/* the environment plus KTVM_WIRE_FD, which the payload may not override */
		char *envp[nenv + 2];
		size_t j = 0;

		for (size_t i = 0; i < nenv; i++)
			if (strncmp(p->envp[i], PAYLOAD_WIRE_ENV "=", sizeof(PAYLOAD_WIRE_ENV)))
				envp[j++] = p->envp[i];
		if (wire >= 0)
			envp[j++] = PAYLOAD_WIRE_ENV "=" PAYLOAD_WIRE_FD_STR;
		envp[j] = NULL;
		payload_child_signals();
		e = -payload_child_stdio(in, out, err, wire);
		if (!e) {
			execve(p->path, p->argv, envp);
			e = errno;
		}
	}
	/*
	 * report is O_CLOEXEC: it reads as EOF in the parent once execve
	 * worked. If this write fails, the parent sees exit status 127.
	 */
	n = write(report, &e, sizeof(e));
	(void)n;
	_exit(127);
}

/* The errno the child sent, or 0 if it exec'd (the pipe closed empty). */
static int payload_exec_result(int report)
{
	int e = 0;
	size_t got = 0;

	while (got < sizeof(e)) {
		ssize_t n = read(report, (u8 *)&e + got, sizeof(e) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	return got == sizeof(e) ? e : 0;
}

struct payload_pipes {
	int fd[2]; /* read ends of stdout, stderr; -1 once closed */
};

static struct {
	int fd;
	void (*fn)(void *ctx, const char *line, size_t len);
	void *ctx;
	char line[PAYLOAD_CTL_LINE];
	size_t len;
} payload_ctl = {.fd = -1};

void payload_set_control(int fd, void (*fn)(void *ctx, const char *line, size_t len), void *ctx)
{
	payload_ctl.fd = fd;
	payload_ctl.fn = fn;
	payload_ctl.ctx = ctx;
	payload_ctl.len = 0;
}

static struct payload_aside payload_aside;

void payload_set_aside(const struct payload_aside *a)
{
	if (a)
		payload_aside = *a;
	else
		payload_aside = (struct payload_aside){0};
}

/* Whatever the control FIFO holds, as lines to payload_ctl.fn. */
static void payload_control(void)
{
	char buf[512];
	ssize_t n = read(payload_ctl.fd, buf, sizeof(buf));

	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			payload_ctl.fn(payload_ctl.ctx, payload_ctl.line, payload_ctl.len);
			payload_ctl.len = 0;
		} else if (payload_ctl.len < sizeof(payload_ctl.line)) {
			payload_ctl.line[payload_ctl.len++] = buf[i];
		}
	}
}

/* One read from fd[i] becomes one frame; EOF or an error closes it. */
static int payload_pump(struct payload_pipes *pp, int i, struct chan *ch)
{
	static u8 buf[PAYLOAD_CHUNK];
	ssize_t n = read(pp->fd[i], buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		close(pp->fd[i]);
		pp->fd[i] = -1;
		return 0;
	}
	return chan_send(ch, i ? WIRE_STDERR : WIRE_STDOUT, buf, n);
}

/*
 * Move output to ch until the payload has exited and both pipes are closed,
 * or drain_ms after it exited. Reaps every child on the way.
 */
static int payload_wait(struct payload_result *res, struct payload_pipes *pp, struct chan *ch,
			int drain_ms, const sigset_t *wait_mask)
{
	u64 deadline = 0;

	for (;;) {
		struct pollfd pfd[4];
		struct timespec ts;
		int status, r;
		u64 now, ms;
		pid_t w;

		while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
			if (w != res->pid) {
				/* the child running beside it, or an orphan reparented to init */
				if (payload_aside.reaped)
					payload_aside.reaped(payload_aside.ctx, w, status);
				continue;
			}
			res->exited = true;
			res->wstatus = status;
			res->exit_ns = clock_now_ns();
			deadline = res->exit_ns + (u64)MAX(drain_ms, 0) * 1000000;
		}
		if (w < 0 && errno == ECHILD && !res->exited)
			return -ECHILD; /* someone else reaped it */
		if (res->exited && pp->fd[0] < 0 && pp->fd[1] < 0)
			return 0;
		now = clock_now_ns();
		if (res->exited && now >= deadline)
			return 0;
		ms = res->exited ? MIN((deadline - now) / 1000000 + 1, (u64)PAYLOAD_TICK_MS)
				 : PAYLOAD_TICK_MS;
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000;
		for (int i = 0; i < 2; i++)
			pfd[i] = (struct pollfd){.fd = pp->fd[i], .events = POLLIN};
		pfd[2] =
		    (struct pollfd){.fd = payload_ctl.fn ? payload_ctl.fd : -1, .events = POLLIN};
		pfd[3] = (struct pollfd){
		    .fd = payload_aside.readable && payload_aside.fd ? *payload_aside.fd : -1,
		    .events = POLLIN};
		r = ppoll(pfd, 4, &ts, wait_mask);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0 && pfd[3].fd >= 0 && pfd[3].revents)
			payload_aside.readable(payload_aside.ctx);
		if (r > 0 && pfd[2].fd >= 0 && (pfd[2].revents & POLLIN))
			payload_control();
		for (int i = 0; r > 0 && i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			r = payload_pump(pp, i, ch);
			if (r)
				return r;
			r = 1;
		}
	}
}

int payload_run(const struct payload *p, struct chan *ch, int drain_ms, struct payload_result *res,
		char *why, size_t why_size)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, report[2] = {-1, -1}, in[2];
	struct payload_pipes pp = {{-1, -1}};
	struct sigaction sa = {.sa_handler = payload_sigchld, .sa_flags = SA_NOCLDSTOP}, old_sa;
	sigset_t chld, old, wait_mask;
	int stdin_fd, r;

	memset(res, 0, sizeof(*res));
	why[0] = '\0';
	r = chan_phase(ch, WIRE_PHASE_PAYLOAD_STARTING);
	if (r) {
		snprintf(why, why_size, "channel: %s", strerror(-r));
		return r;
	}
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(report, O_CLOEXEC)) {
		r = -errno;
		snprintf(why, why_size, "pipe: %s", strerror(errno));
		goto out;
	}
	stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (stdin_fd < 0) {
		/* no /dev: an empty pipe reads as EOF just the same */
		if (pipe2(in, O_CLOEXEC)) {
			r = -errno;
			snprintf(why, why_size, "stdin: %s", strerror(errno));
			goto out;
		}
		close(in[1]);
		stdin_fd = in[0];
	}

	/* SIGCHLD stays blocked except inside ppoll(): none is lost between the two */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	sigaction(SIGCHLD, &sa, &old_sa);
	wait_mask = old;
	sigdelset(&wait_mask, SIGCHLD);

	res->pid = fork();
	if (res->pid == 0)
		payload_child(p, stdin_fd, out[1], err[1], report[1], ch ? ch->fd : -1);
	r = res->pid < 0 ? -errno : 0;
	close(stdin_fd);
	if (r) {
		snprintf(why, why_size, "fork: %s", strerror(-r));
		goto restore;
	}
	close(report[1]);
	report[1] = -1;
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	res->exec_err = payload_exec_result(report[0]);
	/* the report pipe is O_CLOEXEC: its EOF is the moment execve() succeeded */
	if (!res->exec_err)
		res->start_ns = clock_now_ns();

	pp.fd[0] = out[0];
	pp.fd[1] = err[0];
	out[0] = err[0] = -1;
	r = payload_wait(res, &pp, ch, drain_ms, &wait_mask);
	if (r) {
		snprintf(why, why_size, "%s: %s",
			 r == -ECHILD ? "waitpid"
			 : ch->err    ? "channel"
				      : "ppoll",
			 strerror(-r));
		if (!res->exited && r != -ECHILD) {
			kill(res->pid, SIGKILL);
			waitpid(res->pid, NULL, 0);
		}
		goto restore;
	}

	if (res->exec_err) {
		res->status = payload_exec_status(res->exec_err);
		r = chan_lifecycle(ch, WIRE_PHASE_FAILED, "exec %s: %s", p->path,
				   strerror(res->exec_err));
	} else {
		struct wire_boot_time t[2] = {
		    {WIRE_BOOT_PAYLOAD_START, boot_times_clock(res->start_ns)},
		    {WIRE_BOOT_PAYLOAD_EXIT, boot_times_clock(res->exit_ns)}};

		res->status = payload_exit_status(res->wstatus);
		/* before EXIT: the host has them when it sees the payload end */
		r = chan_boot_times(ch, t, 2);
	}
	if (!r)
		r = chan_exit(ch, res->status);
	if (!r)
		r = chan_phase(ch, WIRE_PHASE_PAYLOAD_DONE);
	if (r)
		snprintf(why, why_size, "channel: %s", strerror(-r));

restore:
	sigaction(SIGCHLD, &old_sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	for (int i = 0; i < 2; i++) {
		if (pp.fd[i] >= 0)
			close(pp.fd[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
		if (report[i] >= 0)
			close(report[i]);
	}
	return r;
}
