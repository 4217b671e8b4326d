// SPDX-License-Identifier: GPL-2.0
/*
 * core/run/monitor.c against a fake guest: a buffer standing for guest
 * kernel memory at a made-up base, with per-CPU runqueues and tasks laid out
 * at offsets of a made-up layout. Checks what a sample reads, torn and
 * unreadable samples (a task that switches during the read, pointers out
 * of memory, impossible values, hostile names), the bounded timeline, the
 * --json member (parsed back) and the SVG (well-formed XML, a lane per CPU).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/run/monitor.h"
#include "core/run/monitor_svg.h"
#include "core/vm/topology.h"
#include "tests/test.h"
#include "tests/unit/json_flat.h"

#define BASE	0xffff888000000000ULL
#define MEM	(64 * 1024)
#define RQS	0x100ULL		 /* runqueues: the per-CPU variable's address, minus BASE */
#define PCPU(i) (BASE + 0x2000ULL * (i)) /* per-CPU offsets */
#define TASK(i) (BASE + 0x8000ULL + 0x100ULL * (i))
#define NCPU	4

/* The made-up layout: rq {.., nr_running @4, clock @16, curr @32, cfs @48, scx @64, cpu @80}. */
static struct monitor_layout fake_layout(void)
{
	struct monitor_layout l = {0};

	l.f[MF_RQ_NR_RUNNING] = (struct monitor_field){4, 4};
	l.f[MF_RQ_CLOCK] = (struct monitor_field){16, 8};
	l.f[MF_RQ_CURR] = (struct monitor_field){32, 8};
	l.f[MF_RQ_CFS_NR] = (struct monitor_field){48, 4};
	l.f[MF_RQ_SCX_NR] = (struct monitor_field){64, 4};
	l.f[MF_RQ_CPU] = (struct monitor_field){80, 4};
	l.f[MF_TASK_PID] = (struct monitor_field){8, 4};
	l.f[MF_TASK_COMM] = (struct monitor_field){16, 16};
	l.rq_size = 128;
	return l;
}

struct fake {
	u8 mem[MEM];
	u32 reads;
	int switch_cpu; /* >= 0: after this CPU's task pid is read, its rq->curr changes */
	u64 switch_to;
};

static struct fake g;

static void put(u64 gva, u64 v, int len)
{
	for (int i = 0; i < len; i++)
		g.mem[gva - BASE + (u64)i] = (u8)(v >> (8 * i));
}

static u64 rq_of(u32 cpu)
{
	return RQS + PCPU(cpu);
}

static int fake_read(void *ctx, u64 gva, void *buf, size_t len)
{
	g.reads++;
	if (gva < BASE || gva - BASE > MEM || len > MEM - (gva - BASE))
		return -EFAULT;
	memcpy(buf, g.mem + (gva - BASE), len);
	/* The task switches right after its pid was read: the read is torn. */
	if (g.switch_cpu >= 0 && len == 4) {
		u64 curr = 0;

		memcpy(&curr, g.mem + (rq_of((u32)g.switch_cpu) + 32 - BASE), 8);
		if (gva == curr + 8) {
			put(rq_of((u32)g.switch_cpu) + 32, g.switch_to, 8);
			g.switch_cpu = -1;
		}
	}
	return 0;
}

static void fake_task(u32 i, s32 pid, const char *comm)
{
	put(TASK(i) + 8, (u32)pid, 4);
	memset(g.mem + (TASK(i) + 16 - BASE), 0, 16);
	memcpy(g.mem + (TASK(i) + 16 - BASE), comm, strnlen(comm, 16));
}

static void fake_rq(u32 cpu, u32 nr, u64 clock, u64 curr)
{
	put(rq_of(cpu) + 4, nr, 4);
	put(rq_of(cpu) + 16, clock, 8);
	put(rq_of(cpu) + 32, curr, 8);
	put(rq_of(cpu) + 48, nr, 4);
	put(rq_of(cpu) + 80, cpu, 4);
}

static void setup(struct monitor *m)
{
	struct monitor_cfg cfg = {.interval_ms = 100, .stall_after_ms = 2000};
	u64 pcpu[NCPU];

	memset(&g, 0, sizeof(g));
	g.switch_cpu = -1;
	cfg.lay = fake_layout();
	cfg.runqueues = RQS;
	for (u32 i = 0; i < NCPU; i++)
		pcpu[i] = PCPU(i);
	fake_task(0, 0, "swapper/0");
	fake_task(1, 101, "burn");
	fake_task(2, 102, "burn");
	fake_task(3, 103, "kworker/1:0");
	fake_rq(0, 0, 1000, TASK(0));
	fake_rq(1, 2, 2000, TASK(1));
	fake_rq(2, 1, 3000, TASK(2));
	fake_rq(3, 1, 4000, TASK(3));
	ASSERT_EQ(monitor_init(m, &cfg, NCPU, pcpu, fake_read, NULL), 0);
}

TEST(monitor_sample_reads_each_cpu)
{
	struct monitor m;

	setup(&m);
	monitor_sample(&m);
	EXPECT_EQ(m.samples, 1);
	EXPECT_EQ(m.kept, 1);
	EXPECT_EQ(m.torn, 0);
	EXPECT_EQ(m.unreadable, 0);
	EXPECT_EQ(m.lane[1].nr[0], 2);
	EXPECT_EQ(m.lane[1].pid[0], 101);
	EXPECT_EQ(m.lane[1].cfs[0], 2);
	EXPECT_EQ(m.lane[0].pid[0], 0);
	EXPECT_EQ(m.lane[3].last.clock, 4000);
	EXPECT_STREQ(monitor_comm(&m, 103), "kworker/1:0");
	EXPECT_STREQ(monitor_comm(&m, 0), "swapper/0");
	EXPECT_TRUE(monitor_comm(&m, 55) == NULL);
	monitor_destroy(&m);
}

TEST(monitor_torn_and_unreadable)
{
	struct monitor m;

	setup(&m);
	/* CPU 1's task switches to TASK(2) in the middle of the read. */
	g.switch_cpu = 1;
	g.switch_to = TASK(2);
	/* CPU 2's curr points outside guest memory; CPU 3 claims 2^31 runnable tasks. */
	put(rq_of(2) + 32, 0x1000, 8);
	put(rq_of(3) + 4, 0x80000000u, 4);
	monitor_sample(&m);
	EXPECT_EQ(m.torn, 2);
	EXPECT_EQ(m.unreadable, 1);
	EXPECT_EQ(m.lane[1].pid[0], -1);
	EXPECT_EQ(m.lane[2].pid[0], -1);
	EXPECT_EQ(m.lane[3].pid[0], -1);
	EXPECT_FALSE(m.lane[1].last.usable);
	/* CPU 0 was read as usual. */
	EXPECT_EQ(m.lane[0].pid[0], 0);
	EXPECT_TRUE(m.lane[0].last.usable);
	monitor_destroy(&m);
}

TEST(monitor_hostile_names)
{
	struct monitor m;

	setup(&m);
	/* 16 bytes without a NUL, with control characters and quotes. */
	memcpy(g.mem + (TASK(1) + 16 - BASE), "a\x01<\"b\x7f&ccccccccc", 16);
	put(TASK(1) + 8, (u32)-5, 4); /* a negative pid: torn */
	monitor_sample(&m);
	EXPECT_EQ(m.lane[1].pid[0], -1);
	put(TASK(1) + 8, 101, 4);
	monitor_sample(&m);
	EXPECT_EQ(m.lane[1].pid[1], 101);
	EXPECT_STREQ(monitor_comm(&m, 101), "a?<\"b?&cccccccc");
	monitor_destroy(&m);
}

/* Far more samples than are kept: every other is dropped and the stride doubles. */
TEST(monitor_timeline_bounded)
{
	struct monitor m;
	u32 n = MONITOR_KEEP * 3 + 17;

	setup(&m);
	for (u32 i = 0; i < n; i++) {
		put(rq_of(1) + 4, i % 5, 4);
		monitor_sample(&m);
	}
	EXPECT_EQ(m.samples, n);
	EXPECT_LE(m.kept, MONITOR_KEEP);
	EXPECT_GT(m.kept, MONITOR_KEEP / 2);
	EXPECT_EQ(m.stride, 4);
	for (u32 i = 1; i < m.kept; i++)
		if (m.t_ns[i] < m.t_ns[i - 1])
			EXPECT_GE(m.t_ns[i], m.t_ns[i - 1]);
	/* Kept sample k is round k * stride: its nr_running is (k * stride) % 5. */
	for (u32 k = 0; k < m.kept; k += 97)
		EXPECT_EQ(m.lane[1].nr[k], (k * m.stride) % 5);
	monitor_destroy(&m);
}

static char *read_all(FILE *f, size_t *len)
{
	char *buf;
	long n;

	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

TEST(monitor_json_parses)
{
	struct monitor m;
	struct jf j = {0};
	FILE *f = tmpfile();
	char *text, *doc;
	size_t len;

	ASSERT_TRUE(f != NULL);
	setup(&m);
	for (int i = 0; i < 5; i++)
		monitor_sample(&m);
	monitor_json(f, &m, 0);
	text = read_all(f, &len);
	fclose(f);
	/* The member goes into the result object: wrap it to parse it. */
	ASSERT_TRUE(asprintf(&doc, "{\"x\": 1%s}", text) > 0);
	if (jf_parse(&j, doc, strlen(doc)))
		printf("    %s at %zu: %.60s\n", j.err, j.err_off, doc + j.err_off);
	ASSERT_TRUE(j.err == NULL);
	EXPECT_STREQ(jf_get(&j, "monitor.samples"), "5");
	EXPECT_STREQ(jf_get(&j, "monitor.cpus"), "4");
	EXPECT_STREQ(jf_get(&j, "monitor.lanes.1.nr_running.4"), "2");
	EXPECT_STREQ(jf_get(&j, "monitor.lanes.1.curr_pid.0"), "101");
	EXPECT_STREQ(jf_get(&j, "monitor.tasks.101"), "burn");
	/* The fake layout has no scx.flags, sched_count, yld_count. */
	EXPECT_STREQ(jf_get(&j, "monitor.absent"), "[3]");
	EXPECT_STREQ(jf_get(&j, "monitor.absent.0"), "rq.scx.flags");
	EXPECT_STREQ(jf_get(&j, "monitor.stalls"), "[0]");
	/* no SYS_RDY seen: no delay to report */
	EXPECT_STREQ(jf_get(&j, "monitor.first_after_sys_rdy_ms"), "null");
	EXPECT_STREQ(jf_get(&j, "monitor.btf"), "kernel");
	jf_free(&j);
	free(doc);
	free(text);

	/* SYS_RDY 1 ms after the origin: the first sample's delay counts from it */
	f = tmpfile();
	ASSERT_TRUE(f != NULL);
	m.cfg.btf_from = "/tmp/vmlinux.btf";
	monitor_json(f, &m, 1000000);
	text = read_all(f, &len);
	fclose(f);
	ASSERT_TRUE(asprintf(&doc, "{\"x\": 1%s}", text) > 0);
	ASSERT_EQ(jf_parse(&j, doc, strlen(doc)), 0);
	EXPECT_TRUE(fabs(atof(jf_get(&j, "monitor.first_after_sys_rdy_ms") ?: "nan") -
			 (atof(jf_get(&j, "monitor.first_sample_ms") ?: "0") - 1.0)) < 0.002);
	EXPECT_STREQ(jf_get(&j, "monitor.btf"), "/tmp/vmlinux.btf");
	jf_free(&j);
	free(doc);
	free(text);
	monitor_destroy(&m);
}

/* The picture: well-formed XML (xmllint), a lane per CPU under its node and LLC. */
TEST(monitor_svg_well_formed)
{
	struct monitor m;
	struct topology topo;
	const char *path = test_tmp_path("mon.svg");
	char cmd[1024], *text;
	size_t len;
	FILE *f;

	setup(&m);
	for (int i = 0; i < 30; i++) {
		put(rq_of(2) + 32, i % 2 ? TASK(2) : TASK(3), 8);
		monitor_sample(&m);
	}
	/* A stall to draw. */
	m.stall[0] = (struct monitor_stall){
	    .cpu = 1, .kind = STALL_CURR, .since_ns = m.t_ns[3], .at_ns = m.t_ns[20], .pid = 101};
	m.nr_stalls = 1;
	/* 2 nodes with an LLC each, 2 cores per LLC: cpus 0 and 1 on node 0. */
	ASSERT_EQ(topology_parse_shape(&topo, "2,2,2,1"), 0);
	ASSERT_EQ(monitor_svg_write(&m, &topo, path), 0);
	f = fopen(path, "r");
	ASSERT_TRUE(f != NULL);
	text = read_all(f, &len);
	fclose(f);
	for (u32 c = 0; c < NCPU; c++) {
		char id[32];

		snprintf(id, sizeof(id), "id=\"cpu%u\"", c);
		EXPECT_TRUE(strstr(text, id) != NULL);
	}
	EXPECT_TRUE(strstr(text, "node 1, LLC 1") != NULL);
	EXPECT_TRUE(strstr(text, "class=\"stall\"") != NULL);
	EXPECT_TRUE(strstr(text, "burn (pid 101") != NULL);
	/* SVG 1.1 colours: #rrggbb, no CSS3 hsl(). */
	EXPECT_TRUE(strstr(text, "hsl(") == NULL);
	EXPECT_TRUE(strstr(text, "fill=\"#") != NULL);
	free(text);
	if (system("command -v xmllint >/dev/null 2>&1") != 0) {
		monitor_destroy(&m);
		SKIP("xmllint not installed (libxml2-utils): the SVG was not validated");
	}
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
	EXPECT_EQ(system(cmd), 0);
	monitor_destroy(&m);
}
