// SPDX-License-Identifier: GPL-2.0
/*
 * guest/payload.c: the payload runner, on this host. /bin/sh stands in for
 * the payload; its output comes back as frames written into a pipe and is
 * decoded with wire_decode(), as the host would.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "guest/payload.h"
#include "tests/test.h"
#include "tests/unit/guest_frames.h"

/*
 * How many frames a run may send: one STDOUT frame per read of the pipe, and
 * a busy machine splits 300000 bytes into more reads than 64 (seen here).
 */
#define MAX_FRAMES 4096

struct run {
	struct payload_result res;
	struct wire_frame f[MAX_FRAMES];
	size_t n;
	struct collector c;
	char out[4096], err[4096]; /* STDOUT and STDERR bytes, NUL-terminated */
	size_t out_len, err_len;
	u64 ns;
};

static char *const sh_env[] = {"PATH=/usr/bin:/bin", "FOO=bar baz", NULL};

/*
 * Run path with argv through payload_run(); the frames land in r. Checks
 * what every run must send: PAYLOAD_STARTING first, PAYLOAD_DONE last, one
 * EXIT just before it holding res.status, and before that, when the exec
 * worked, BOOT_TIMES: the payload's start and exit within the run, in order.
 */
static void run(struct run *r, const char *path, char *const *argv, int drain_ms)
{
	struct payload p = {.path = path, .argv = argv, .envp = sh_env};
	struct chan ch;
	char why[256];
	s32 status;
	u64 t0;

	memset(r, 0, sizeof(*r));
	collector_start(&r->c, 0);
	chan_attach(&ch, r->c.wfd, 5000);
	t0 = clock_now_ns();
	ASSERT_EQ(payload_run(&p, &ch, drain_ms, &r->res, why, sizeof(why)), 0);
	r->ns = clock_now_ns() - t0;
	EXPECT_STREQ(why, "");
	collector_stop(&r->c);
	r->n = frames_decode(r->c.buf, r->c.len, r->f, MAX_FRAMES);
	for (size_t i = 0; i < r->n; i++) {
		const struct wire_frame *f = &r->f[i];

		if (f->type == WIRE_STDOUT && r->out_len + f->len < sizeof(r->out)) {
			memcpy(r->out + r->out_len, f->payload, f->len);
			r->out_len += f->len;
		}
		if (f->type == WIRE_STDERR && r->err_len + f->len < sizeof(r->err)) {
			memcpy(r->err + r->err_len, f->payload, f->len);
			r->err_len += f->len;
		}
	}
	ASSERT_GE(r->n, 3);
	EXPECT_EQ(frame_phase(&r->f[0]), WIRE_PHASE_PAYLOAD_STARTING);
	EXPECT_EQ(frame_phase(&r->f[r->n - 1]), WIRE_PHASE_PAYLOAD_DONE);
	ASSERT_EQ(r->f[r->n - 2].type, WIRE_EXIT);
	ASSERT_EQ(wire_exit_parse(&status, r->f[r->n - 2].payload, r->f[r->n - 2].len), 0);
	EXPECT_EQ(status, r->res.status);
	EXPECT_TRUE(r->res.exited);
	if (!r->res.exec_err) {
		const struct wire_frame *f = &r->f[r->n - 3];
		struct wire_boot_time t[WIRE_BOOT_TIMES_MAX];
		u32 nt = 0;

		ASSERT_GE(r->n, 4);
		ASSERT_EQ(f->type, WIRE_BOOT_TIMES);
		ASSERT_EQ(wire_boot_times_parse(t, WIRE_BOOT_TIMES_MAX, &nt, f->payload, f->len),
			  0);
		ASSERT_EQ(nt, 2);
		EXPECT_EQ(t[0].point, WIRE_BOOT_PAYLOAD_START);
		EXPECT_EQ(t[1].point, WIRE_BOOT_PAYLOAD_EXIT);
		EXPECT_GE(t[0].ns, t0);
		EXPECT_LE(t[0].ns, t[1].ns);
		EXPECT_LE(t[1].ns, t0 + r->ns);
		EXPECT_EQ(t[0].ns, r->res.start_ns);
		EXPECT_EQ(t[1].ns, r->res.exit_ns);
	} else {
		EXPECT_EQ(r->res.start_ns, 0);
	}
}

static void run_sh(struct run *r, const char *script, int drain_ms)
{
	char *const argv[] = {"sh", "-c", (char *)script, NULL};

	run(r, "/bin/sh", argv, drain_ms);
}

TEST(payload_stdout_stderr_and_exit_code)
{
	struct run r;

	run_sh(&r, "echo hi; echo err >&2; exit 3", PAYLOAD_DRAIN_MS);
	EXPECT_STREQ(r.out, "hi\n");
	EXPECT_STREQ(r.err, "err\n");
	EXPECT_EQ(r.res.status, 3);
	EXPECT_EQ(r.res.exec_err, 0);
	/* STARTING, "hi", "err" (either order), BOOT_TIMES, EXIT, DONE */
	EXPECT_EQ(r.n, 6);
	collector_free(&r.c);
}

TEST(payload_argv_env_stdin)
{
	char *const argv[] = {
	    "custom-argv0", "-c",
	    "echo \"$0|$FOO|$HOME|$KTVM_WIRE_FD\"; wc -c; ls /proc/self/fd/ | wc -l", NULL};
	struct run r;

	run(&r, "/bin/sh", argv, PAYLOAD_DRAIN_MS);
	/*
	 * argv[0] as given, the environment as given (no HOME) plus
	 * KTVM_WIRE_FD, stdin at EOF (/dev/null), and no fd but 0-2 and the
	 * channel on 3 leaked (ls's own directory fd is the fifth entry).
	 */
	EXPECT_STREQ(r.out, "custom-argv0|bar baz||3\n0\n5\n");
	EXPECT_EQ(r.res.status, 0);
	collector_free(&r.c);
}

TEST(payload_killed_by_signal)
{
	struct run r;

	run_sh(&r, "kill -TERM $$", PAYLOAD_DRAIN_MS);
	EXPECT_EQ(r.res.status, 128 + SIGTERM);
	EXPECT_TRUE(WIFSIGNALED(r.res.wstatus));
	collector_free(&r.c);
}

/* More than one pipe's worth: several frames, each at most PAYLOAD_CHUNK. */
TEST(payload_large_output_in_chunks)
{
	struct run r;
	size_t total = 0, frames = 0;

	run_sh(&r, "head -c 300000 /dev/zero", PAYLOAD_DRAIN_MS);
	for (size_t i = 0; i < r.n; i++) {
		if (r.f[i].type != WIRE_STDOUT)
			continue;
		EXPECT_LE(r.f[i].len, PAYLOAD_CHUNK);
		EXPECT_GT(r.f[i].len, 0);
		total += r.f[i].len;
		frames++;
	}
	EXPECT_EQ(total, 300000);
	EXPECT_GE(frames, 5);
	EXPECT_EQ(r.res.status, 0);
	collector_free(&r.c);
}

TEST(payload_exec_missing_file)
{
	char *const argv[] = {"nope", NULL};
	struct wire_lifecycle lc;
	const char *want = "exec /nonexistent/payload: No such file or directory";
	struct run r;

	run(&r, "/nonexistent/payload", argv, PAYLOAD_DRAIN_MS);
	EXPECT_EQ(r.res.exec_err, ENOENT);
	EXPECT_EQ(r.res.status, 127);
	/* STARTING, FAILED, EXIT, DONE */
	ASSERT_EQ(r.n, 4);
	EXPECT_EQ(frame_phase(&r.f[1]), WIRE_PHASE_FAILED);
	ASSERT_EQ(wire_lifecycle_parse(&lc, r.f[1].payload, r.f[1].len), 0);
	EXPECT_EQ(lc.reason_len, strlen(want));
	EXPECT_EQ(memcmp(lc.reason, want, strlen(want)), 0);
	collector_free(&r.c);
}

TEST(payload_exec_not_executable)
{
	char path[512];
	char *const argv[] = {"x", NULL};
	struct run r;
	int fd;

	/* no execute bit: EACCES; an executable file of no known format: ENOEXEC */
	snprintf(path, sizeof(path), "%s/not-exec", test_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "\x01\x02garbage", 9), 9);
	close(fd);
	run(&r, path, argv, PAYLOAD_DRAIN_MS);
	EXPECT_EQ(r.res.exec_err, EACCES);
	EXPECT_EQ(r.res.status, 126);
	collector_free(&r.c);

	ASSERT_EQ(chmod(path, 0755), 0);
	run(&r, path, argv, PAYLOAD_DRAIN_MS);
	EXPECT_EQ(r.res.exec_err, ENOEXEC);
	EXPECT_EQ(r.res.status, 126);
	collector_free(&r.c);
}

/*
 * A background process keeps stdout open after the payload exits: output
 * up to then arrives, and the runner stops waiting after drain_ms.
 */
TEST(payload_drain_is_bounded)
{
	struct run r;
	pid_t bg;

	run_sh(&r, "sleep 5 & echo $!; exit 0", 300);
	EXPECT_EQ(r.res.status, 0);
	EXPECT_GE(r.ns, 300 * 1000000ULL);
	EXPECT_LT(r.ns, 3000 * 1000000ULL);
	bg = atoi(r.out);
	EXPECT_GT(bg, 0);
	if (bg > 0)
		kill(bg, SIGKILL);
	collector_free(&r.c);
}

/*
 * As PID 1 the runner inherits every orphan. A child subreaper stands in
 * for that here: an orphan that exits while the payload's pipes are still
 * open must be reaped, not left a zombie.
 */
TEST(payload_reaps_orphans)
{
	struct run r;
	pid_t orphan;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		SKIP("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	/* the orphan prints its pid and exits at 0.1 s; sleep holds stdout to 0.6 s */
	run_sh(&r, "sh -c 'echo $$; exec sleep 0.1' & sleep 0.6 & exit 0", PAYLOAD_DRAIN_MS);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	EXPECT_EQ(r.res.status, 0);
	orphan = atoi(r.out);
	ASSERT_GT(orphan, 0);
	/* a zombie still takes signals (kill returns 0); a reaped pid is gone */
	EXPECT_EQ(kill(orphan, 0), -1);
	EXPECT_EQ(errno, ESRCH);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	collector_free(&r.c);
}

/* The runner puts SIGCHLD back as it was. */
TEST(payload_restores_signal_state)
{
	struct sigaction sa;
	sigset_t mask;
	struct run r;

	run_sh(&r, "true", PAYLOAD_DRAIN_MS);
	collector_free(&r.c);
	ASSERT_EQ(sigaction(SIGCHLD, NULL, &sa), 0);
	EXPECT_TRUE(sa.sa_handler == SIG_DFL);
	ASSERT_EQ(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
	EXPECT_FALSE(sigismember(&mask, SIGCHLD));
}

/* A host that stops reading: the runner reports it and kills the payload. */
TEST(payload_stalled_port_kills_payload)
{
	char *const argv[] = {"sh", "-c", "head -c 1000000 /dev/zero; sleep 10", NULL};
	struct payload p = {.path = "/bin/sh", .argv = argv, .envp = sh_env};
	struct payload_result res;
	struct chan ch;
	char why[256];
	int fds[2];
	u64 t0;

	ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
	chan_attach(&ch, fds[1], 200);
	t0 = clock_now_ns();
	EXPECT_EQ(payload_run(&p, &ch, PAYLOAD_DRAIN_MS, &res, why, sizeof(why)), -ETIMEDOUT);
	EXPECT_LT(clock_now_ns() - t0, 5000 * 1000000ULL);
	EXPECT_TRUE(strstr(why, "channel: ") != NULL);
	/* killed and reaped */
	EXPECT_EQ(kill(res.pid, 0), -1);
	close(fds[0]);
	close(fds[1]);
}
