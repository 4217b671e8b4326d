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
#include <zlib.h>

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

/* The fake guest; with nr_llcs, CPU i in LLC llc_of[i]. Returns monitor_init()'s status. */
static int setup_llc(struct monitor *m, u32 nr_llcs, const u16 *llc_of)
{
	static struct monitor_cfg cfg;
	u64 pcpu[NCPU];

	memset(&cfg, 0, sizeof(cfg));
	cfg.interval_ms = 100;
	cfg.stall_after_ms = 2000;
	cfg.nr_llcs = nr_llcs;
	for (u32 i = 0; i < NCPU && llc_of; i++)
		cfg.llc_of[i] = llc_of[i];

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
	return monitor_init(m, &cfg, NCPU, pcpu, fake_read, NULL);
}

static void setup(struct monitor *m)
{
	ASSERT_EQ(setup_llc(m, 0, NULL), 0);
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

/* nr_running 0, 2, 1, 1 on CPUs 0-3: the spread across CPUs and across LLCs. */
TEST(monitor_imbalance_across_llcs)
{
	static const u16 pairs[NCPU] = {0, 0, 1, 1}, split[NCPU] = {0, 1, 0, 1}, bad[NCPU] = {0, 1, 2, 1};
	struct monitor m;

	/* LLC 0 = CPUs 0 and 1 (mean 1), LLC 1 = CPUs 2 and 3 (mean 1): balanced */
	ASSERT_EQ(setup_llc(&m, 2, pairs), 0);
	monitor_sample(&m);
	EXPECT_EQ(m.spread_max, 2);
	EXPECT_EQ(m.llc_spread_n, 1);
	EXPECT_TRUE(m.llc_spread_max == 0.0);
	monitor_destroy(&m);

	/* LLC 0 = CPUs 0 and 2 (mean 0.5), LLC 1 = CPUs 1 and 3 (1.5), then 2.5 */
	ASSERT_EQ(setup_llc(&m, 2, split), 0);
	monitor_sample(&m);
	EXPECT_TRUE(m.llc_spread_max == 1.0);
	fake_rq(1, 4, 2100, TASK(1));
	monitor_sample(&m);
	EXPECT_EQ(m.llc_spread_n, 2);
	EXPECT_TRUE(m.llc_spread_max == 2.0);
	EXPECT_TRUE(m.llc_spread_sum == 3.0);
	monitor_destroy(&m);

	/* a CPU in no LLC the map has, or more LLCs than CPUs: refused */
	EXPECT_EQ(setup_llc(&m, 2, bad), -EINVAL);
	EXPECT_EQ(setup_llc(&m, NCPU + 1, pairs), -EINVAL);
	/* one LLC: nothing to compare */
	ASSERT_EQ(setup_llc(&m, 1, NULL), 0);
	monitor_sample(&m);
	EXPECT_EQ(m.llc_spread_n, 0);
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
	/* no LLC map: no spread across LLCs */
	EXPECT_STREQ(jf_get(&j, "monitor.imbalance.llcs"), "0");
	EXPECT_STREQ(jf_get(&j, "monitor.imbalance.llc_mean_spread"), "null");
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

/*
 * A PNG as rsvg-convert writes it (8-bit RGB or RGBA, not interlaced),
 * decoded to RGBA: enough to look at the picture a renderer drew.
 */
struct png {
	u32 w, h;
	u8 *rgba; /* w * h * 4 */
};

static u32 png_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static int png_paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* 0, or -1 for a file this reader does not take. */
static int png_read(const char *path, struct png *png)
{
	static const u8 sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	FILE *f = fopen(path, "rb");
	u8 *file = NULL, *idat = NULL, *raw = NULL;
	size_t flen, ilen = 0, off = 8, bpp = 0, stride;
	uLongf rlen;
	int ret = -1;

	memset(png, 0, sizeof(*png));
	if (!f)
		return -1;
	file = (u8 *)read_all(f, &flen);
	fclose(f);
	if (flen < 8 || memcmp(file, sig, 8))
		goto out;
	idat = malloc(flen);
	while (idat && off + 12 <= flen) {
		u32 n = png_be32(file + off);
		const u8 *type = file + off + 4, *d = file + off + 8;

		if (n > flen - off - 12)
			goto out;
		if (!memcmp(type, "IHDR", 4) && n >= 13) {
			png->w = png_be32(d);
			png->h = png_be32(d + 4);
			/* bit depth 8; colour type 2 (RGB) or 6 (RGBA); no interlace */
			if (d[8] != 8 || (d[9] != 2 && d[9] != 6) || d[12])
				goto out;
			bpp = d[9] == 6 ? 4 : 3;
		} else if (!memcmp(type, "IDAT", 4)) {
			memcpy(idat + ilen, d, n);
			ilen += n;
		} else if (!memcmp(type, "IEND", 4)) {
			break;
		}
		off += 12 + (size_t)n;
	}
	if (!bpp || !png->w || !png->h || png->w > 20000 || png->h > 20000)
		goto out;
	stride = (size_t)png->w * bpp;
	rlen = (uLongf)(png->h * (stride + 1));
	raw = malloc(rlen);
	png->rgba = malloc((size_t)png->w * png->h * 4);
	if (!raw || !png->rgba || uncompress(raw, &rlen, idat, ilen) != Z_OK ||
	    rlen != png->h * (stride + 1))
		goto out;
	for (u32 y = 0; y < png->h; y++) {
		u8 *row = raw + y * (stride + 1), *cur = row + 1;
		const u8 *up = y ? raw + (y - 1) * (stride + 1) + 1 : NULL;

		for (size_t i = 0; i < stride; i++) {
			int a = i >= bpp ? cur[i - bpp] : 0, b = up ? up[i] : 0;
			int c = up && i >= bpp ? up[i - bpp] : 0;

			switch (row[0]) {
			case 0: break;
			case 1: cur[i] += a; break;
			case 2: cur[i] += b; break;
			case 3: cur[i] += (a + b) / 2; break;
			case 4: cur[i] += png_paeth(a, b, c); break;
			default: goto out;
			}
		}
		for (u32 x = 0; x < png->w; x++) {
			u8 *px = png->rgba + ((size_t)y * png->w + x) * 4;

			memcpy(px, cur + (size_t)x * bpp, 3);
			px[3] = bpp == 4 ? cur[(size_t)x * bpp + 3] : 255;
		}
	}
	ret = 0;
out:
	free(file);
	free(idat);
	free(raw);
	if (ret) {
		free(png->rgba);
		png->rgba = NULL;
	}
	return ret;
}

/* Pixels in row y between x0 and x1 of colour rgb (0xrrggbb). */
static u32 png_count(const struct png *png, u32 y, u32 x0, u32 x1, u32 rgb)
{
	u32 n = 0;

	for (u32 x = x0; x < x1 && x < png->w && y < png->h; x++) {
		const u8 *px = png->rgba + ((size_t)y * png->w + x) * 4;

		n += ((u32)px[0] << 16 | (u32)px[1] << 8 | px[2]) == rgb && px[3] == 255;
	}
	return n;
}

/*
 * The picture as a renderer draws it (rsvg-convert, librsvg): the size the
 * SVG declares, and in every CPU's lane the colour of its first task's bar.
 */
static void svg_rendered_check(const char *svg, const char *text)
{
	const char *png_path = test_tmp_path("mon.png");
	unsigned int w = 0, h = 0;
	char cmd[2048];
	struct png png;
	const char *p;

	snprintf(cmd, sizeof(cmd), "rsvg-convert -o '%s' '%s' 2>'%s.err'", png_path, svg,
		 png_path);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(png_read(png_path, &png), 0);
	p = strstr(text, "<svg ");
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(sscanf(strstr(p, "width=") ?: "", "width=\"%u\"", &w), 1);
	ASSERT_EQ(sscanf(strstr(p, "height=") ?: "", "height=\"%u\"", &h), 1);
	EXPECT_EQ(png.w, w);
	EXPECT_EQ(png.h, h);
	for (u32 c = 0; c < NCPU; c++) {
		char id[32];
		unsigned int ly = 0, lh = 0, rgb = 0;
		float bx = 0, bw = 0;
		unsigned int by = 0, bh = 0;
		const char *lane, *bar;

		snprintf(id, sizeof(id), "id=\"cpu%u\"", c);
		lane = strstr(text, id);
		ASSERT_TRUE(lane != NULL);
		/* the lane's background, then its first bar */
		ASSERT_EQ(sscanf(strstr(lane, "<rect ") ?: "",
				 "<rect x=\"%*u\" y=\"%u\" width=\"%*u\" height=\"%u\"", &ly, &lh),
			  2);
		bar = strstr(strstr(lane, "<rect ") + 1, "<rect ");
		ASSERT_TRUE(bar != NULL);
		ASSERT_EQ(sscanf(bar, "<rect x=\"%f\" y=\"%u\" width=\"%f\" height=\"%u\" fill=\"#%x\"",
				 &bx, &by, &bw, &bh, &rgb),
			  5);
		EXPECT_GE(by, ly);
		/* inside the bar, away from its anti-aliased edges */
		if (png_count(&png, by + bh / 2, (u32)bx + 1, (u32)(bx + bw) - 1, rgb) == 0)
			printf("    cpu %u: no pixel of #%06x in its bar at y %u\n", c, rgb,
			       by + bh / 2);
		EXPECT_GT(png_count(&png, by + bh / 2, (u32)bx + 1, (u32)(bx + bw) - 1, rgb), 0);
	}
	free(png.rgba);
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
	if (system("command -v xmllint >/dev/null 2>&1") != 0 ||
	    system("command -v rsvg-convert >/dev/null 2>&1") != 0) {
		free(text);
		monitor_destroy(&m);
		SKIP("xmllint or rsvg-convert not installed (libxml2-utils, librsvg2-bin): the "
		     "SVG was neither validated nor rendered");
	}
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
	EXPECT_EQ(system(cmd), 0);
	svg_rendered_check(path, text);
	free(text);
	monitor_destroy(&m);
}
