// SPDX-License-Identifier: GPL-2.0
/*
 * guest/sched.c: the scheduler under test, judged by the kernel's sched_ext
 * state. The kernel is played by files in a temporary directory (state,
 * root/ops) that a shell script, the "scheduler", writes as a real one
 * would make the kernel write them; the frames init sends are collected.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/payload.h"
#include "guest/sched.h"
#include "tests/test.h"
#include "tests/unit/guest_frames.h"

#define MAX_FRAMES 256

struct sched_run {
	struct collector c;
	struct wire_frame f[MAX_FRAMES];
	size_t n;
	struct sched s;
	struct chan ch;
	char dir[256];
};

/* A scheduler: `sh -c SCRIPT` with $D the fake sysfs directory. */
static void sched_setup(struct sched_run *r, const char *script)
{
	static char *argv[4];
	static char cmd[2048];

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "%s/sysfs", test_tmpdir());
	mkdir(r->dir, 0755);
	snprintf(cmd, sizeof(cmd), "D=%s; echo disabled > $D/state; rm -rf $D/root; %s", r->dir,
		 script);
	{
		FILE *f;
		char path[512];

		snprintf(path, sizeof(path), "%s/state", r->dir);
		f = fopen(path, "w");
		ASSERT_TRUE(f != NULL);
		fputs("disabled\n", f);
		fclose(f);
	}
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = cmd;
	argv[3] = NULL;
	r->s.out = -1;
	r->s.pid = -1;
	r->s.path = "/bin/sh";
	r->s.argv = argv;
	r->s.sysfs = r->dir;
	collector_start(&r->c, 0);
	chan_attach(&r->ch, r->c.wfd, 5000);
}

static void sched_collect(struct sched_run *r)
{
	collector_stop(&r->c);
	r->n = frames_decode(r->c.buf, r->c.len, r->f, MAX_FRAMES);
}

/* The SCHED_LOG bytes, NUL-terminated, into buf. */
static void sched_log(const struct sched_run *r, char *buf, size_t size)
{
	size_t len = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].type == WIRE_SCHED_LOG && len + r->f[i].len < size) {
			memcpy(buf + len, r->f[i].payload, r->f[i].len);
			len += r->f[i].len;
		}
	buf[len] = '\0';
}

/* The i-th LIFECYCLE phase among the frames (0 if fewer), with its reason. */
static u32 sched_phase(const struct sched_run *r, int i, char *reason, size_t size)
{
	for (size_t k = 0; k < r->n; k++) {
		struct wire_lifecycle lc;

		if (r->f[k].type != WIRE_LIFECYCLE ||
		    wire_lifecycle_parse(&lc, r->f[k].payload, r->f[k].len))
			continue;
		if (i-- == 0) {
			snprintf(reason, size, "%.*s", (int)lc.reason_len, lc.reason);
			return lc.phase;
		}
	}
	return 0;
}

static bool sched_exit_frame(const struct sched_run *r, struct wire_sched_exit *se)
{
	for (size_t k = 0; k < r->n; k++)
		if (r->f[k].type == WIRE_SCHED_EXIT)
			return wire_sched_exit_parse(se, r->f[k].payload, r->f[k].len) == 0;
	return false;
}

#define ATTACHES                                                                                   \
	"echo loading; mkdir -p $D/root; echo fifo > $D/root/ops; echo 1 > $D/switch_all; "        \
	"echo enabled > $D/state; "

TEST(sched_attaches_runs_and_detaches)
{
	struct sched_run r;
	struct wire_sched_exit se;
	char why[256], reason[256], log[1024];

	sched_setup(&r, ATTACHES "trap 'echo bye; echo disabled > $D/state; rm -rf $D/root; "
				 "exit 0' INT; while :; do sleep 0.02; done");
	ASSERT_EQ(sched_attach(&r.s, &r.ch, 5, why, sizeof(why)), 0);
	EXPECT_STREQ(r.s.ops, "fifo");
	EXPECT_FALSE(r.s.exited);
	EXPECT_EQ(sched_finish(&r.s), 0);
	EXPECT_TRUE(r.s.exited);
	sched_collect(&r);
	EXPECT_EQ(sched_phase(&r, 0, reason, sizeof(reason)), WIRE_PHASE_SCHED_STARTING);
	EXPECT_STREQ(reason, "/bin/sh");
	EXPECT_EQ(sched_phase(&r, 1, reason, sizeof(reason)), WIRE_PHASE_SCHED_READY);
	EXPECT_STREQ(reason, "fifo switch_all=1");
	EXPECT_EQ(sched_phase(&r, 2, reason, sizeof(reason)), WIRE_PHASE_SCHED_DONE);
	EXPECT_STREQ(reason, "fifo detached, exited with status 0");
	EXPECT_FALSE(sched_exit_frame(&r, &se));
	sched_log(&r, log, sizeof(log));
	EXPECT_STREQ(log, "loading\nbye\n");
	sched_free(&r.s);
	collector_free(&r.c);
}

TEST(sched_exits_before_attaching)
{
	struct sched_run r;
	struct wire_sched_exit se;
	char why[256], log[1024];

	sched_setup(&r, "echo 'libbpf: prog rejected by the verifier' >&2; exit 3");
	EXPECT_EQ(sched_attach(&r.s, &r.ch, 5, why, sizeof(why)), -ECANCELED);
	EXPECT_STREQ(why, "/bin/sh exited with status 3 before attaching");
	sched_collect(&r);
	ASSERT_TRUE(sched_exit_frame(&r, &se));
	EXPECT_EQ(se.stage, WIRE_SCHED_ATTACH);
	EXPECT_STREQ(se.reason, why);
	sched_log(&r, log, sizeof(log));
	EXPECT_STREQ(log, "libbpf: prog rejected by the verifier\n");
	sched_free(&r.s);
	collector_free(&r.c);
}

TEST(sched_never_attaches)
{
	struct sched_run r;
	struct wire_sched_exit se;
	char why[256];

	sched_setup(&r, "while :; do sleep 0.05; done");
	EXPECT_EQ(sched_attach(&r.s, &r.ch, 1, why, sizeof(why)), -ECANCELED);
	EXPECT_STREQ(why, "/bin/sh did not attach within 1 s (sched_ext state: disabled)");
	EXPECT_TRUE(r.s.exited); /* killed */
	sched_collect(&r);
	ASSERT_TRUE(sched_exit_frame(&r, &se));
	EXPECT_EQ(se.stage, WIRE_SCHED_ATTACH);
	sched_free(&r.s);
	collector_free(&r.c);
}

/* Kicked out while the payload ran: the kernel's state left "enabled". */
TEST(sched_kicked_out_during_the_run)
{
	struct sched_run r;
	struct wire_sched_exit se;
	char why[256], path[512];
	FILE *f;

	sched_setup(&r, ATTACHES "while :; do sleep 0.02; done");
	ASSERT_EQ(sched_attach(&r.s, &r.ch, 5, why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "%s/state", r.dir);
	f = fopen(path, "w");
	ASSERT_TRUE(f != NULL);
	fputs("disabled\n", f);
	fclose(f);
	sched_finish(&r.s);
	sched_collect(&r);
	ASSERT_TRUE(sched_exit_frame(&r, &se));
	EXPECT_EQ(se.stage, WIRE_SCHED_RUN);
	/* No kernel line here (the host's /dev/kmsg is not the guest's): the state says it. */
	if (strstr(se.reason, "disabled ("))
		SKIP("this host's kernel log has sched_ext lines: %s", se.reason);
	EXPECT_STREQ(se.reason, "sched_ext state disabled while the payload ran");
	sched_free(&r.s);
	collector_free(&r.c);
}

/* Dies while the payload runs: reaped through the payload's aside hook. */
TEST(sched_dies_during_the_run)
{
	struct sched_run r;
	struct wire_sched_exit se;
	char why[256];

	sched_setup(&r, ATTACHES "sleep 0.2; exit 9");
	ASSERT_EQ(sched_attach(&r.s, &r.ch, 5, why, sizeof(why)), 0);
	sched_aside(&r.s);
	{
		char *const argv[] = {"sh", "-c", "sleep 0.5", NULL};
		char *const envp[] = {"PATH=/usr/bin:/bin", NULL};
		struct payload p = {.path = "/bin/sh", .argv = argv, .envp = envp};
		struct payload_result res;
		char pwhy[256];

		ASSERT_EQ(payload_run(&p, &r.ch, 1000, &res, pwhy, sizeof(pwhy)), 0);
	}
	EXPECT_TRUE(r.s.exited);
	sched_finish(&r.s);
	sched_collect(&r);
	ASSERT_TRUE(sched_exit_frame(&r, &se));
	EXPECT_EQ(se.stage, WIRE_SCHED_RUN);
	if (strstr(se.reason, "disabled ("))
		SKIP("this host's kernel log has sched_ext lines: %s", se.reason);
	EXPECT_STREQ(se.reason, "/bin/sh exited with status 9 while the payload ran");
	sched_free(&r.s);
	collector_free(&r.c);
}

TEST(sched_kmsg_lines)
{
	char msg[128], reason[64];
	const char *rec = "6,1234,5678901,-;sched_ext: BPF scheduler \"simple\" disabled "
			  "(runnable task stall)\n SUBSYSTEM=x\n";
	const char *other = "6,1235,5678902,-;virtio_blk virtio1: 1 queue\n";

	ASSERT_TRUE(sched_kmsg_line(rec, strlen(rec), msg, sizeof(msg)));
	EXPECT_STREQ(msg, "sched_ext: BPF scheduler \"simple\" disabled (runnable task stall)");
	ASSERT_TRUE(sched_disabled_reason(msg, reason, sizeof(reason)));
	EXPECT_STREQ(reason, "runnable task stall");
	EXPECT_FALSE(sched_kmsg_line(other, strlen(other), msg, sizeof(msg)));
	EXPECT_FALSE(sched_kmsg_line("no semicolon", 12, msg, sizeof(msg)));
	EXPECT_FALSE(sched_disabled_reason("sched_ext: \"x\" enabled", reason, sizeof(reason)));
	/* cut, never past the buffer */
	ASSERT_TRUE(sched_kmsg_line(rec, strlen(rec), msg, 12));
	EXPECT_STREQ(msg, "sched_ext: ");
}
