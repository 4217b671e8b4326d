// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor's timeline as an SVG picture (monitor_svg.h): one lane per
 * CPU, grouped by NUMA node and LLC; in each lane the running task as
 * coloured bars (a colour per task, its name in a tooltip and the legend),
 * nr_running as a step line, and stalls as red bands with their kind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/error.h"
#include "core/run/monitor.h"
#include "core/run/monitor_svg.h"
#include "core/vm/topology.h"

#define SVG_W	   1200
#define SVG_LEFT   150
#define SVG_RIGHT  20
#define SVG_TOP	   60
#define SVG_LANE   30
#define SVG_GROUP  18 /* a node/LLC header row */
#define SVG_LEGEND 12 /* tasks named in the legend */
#define SVG_PLOT_W (SVG_W - SVG_LEFT - SVG_RIGHT)

/* Text for an XML attribute or element: the five specials escaped. */
static void svg_text(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++) {
		switch (s[i]) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			fputc(s[i], f);
		}
	}
}

/*
 * A colour per pid, stable across runs, as #rrggbb (SVG 1.1 has no hsl()):
 * a hue from the pid, saturation and lightness kept in a readable band.
 * The idle task (pid 0) is pale grey.
 */
static void svg_colour(char *out, size_t size, s32 pid)
{
	u32 h = (u32)pid * 2654435761u;
	double hue = (double)(h % 360) / 60.0, sat = 0.55 + (double)((h >> 9) % 30) / 100.0,
	       light = 0.45 + (double)((h >> 17) % 15) / 100.0;
	double c = (1.0 - (2.0 * light - 1.0 < 0 ? 1.0 - 2.0 * light : 2.0 * light - 1.0)) * sat;
	double hm = hue - 2.0 * (double)(int)(hue / 2.0);
	double x = c * (1.0 - (hm - 1.0 < 0 ? 1.0 - hm : hm - 1.0)), mm = light - c / 2.0;
	double rgb[3] = {0, 0, 0};
	int sector = (int)hue;

	if (pid <= 0) {
		snprintf(out, size, "#e4e4e4");
		return;
	}
	rgb[(sector / 2 + (sector % 2 ? 1 : 0)) % 3] = c;
	rgb[(7 - sector) % 3] = x;
	snprintf(out, size, "#%02x%02x%02x", (unsigned int)((rgb[0] + mm) * 255.0 + 0.5),
		 (unsigned int)((rgb[1] + mm) * 255.0 + 0.5),
		 (unsigned int)((rgb[2] + mm) * 255.0 + 0.5));
}

struct svg_count {
	s32 pid;
	u32 n;
};

static int svg_count_cmp(const void *a, const void *b)
{
	const struct svg_count *x = a, *y = b;

	return x->n != y->n ? (x->n < y->n ? 1 : -1) : (x->pid > y->pid) - (x->pid < y->pid);
}

/* The lanes' order: by node, then LLC, then CPU; a header before each new group. */
struct svg_row {
	u32 cpu;
	bool header;
	u32 node, llc;
};

int monitor_svg_write(struct monitor *m, const struct topology *topo, const char *path)
{
	FILE *f = fopen(path, "we");
	struct svg_row *rows;
	struct svg_count *cnt;
	u32 nrows = 0, ncnt = 0, maxnr = 1, y;
	double t0, t1, span;
	int err = 0;

	if (!f)
		return error_input(-errno, "--monitor-plot %s: %s", path, strerror(errno));
	rows = calloc(2 * (size_t)m->nr_cpus + 1, sizeof(*rows));
	cnt = calloc(MONITOR_TASKS + 1, sizeof(*cnt));
	if (!rows || !cnt) {
		free(rows);
		free(cnt);
		fclose(f);
		return error_host(-ENOMEM, "--monitor-plot: out of memory");
	}
	pthread_mutex_lock(&m->lock);
	/* Rows: CPUs sorted by (node, llc, cpu); the topology numbers LLCs machine-wide. */
	for (u32 node = 0; node < topo->nodes || (node == 0 && !topo->nodes); node++)
		for (u32 llc = 0; llc < (topo->llcs ? topo->llcs : 1); llc++) {
			bool first = true;

			for (u32 c = 0; c < m->nr_cpus; c++) {
				struct topo_cpu tc = {0};

				topology_cpu(topo, c, &tc);
				if (tc.node != node || tc.llc != llc)
					continue;
				if (first)
					rows[nrows++] = (struct svg_row){c, true, node, llc};
				first = false;
				rows[nrows++] = (struct svg_row){c, false, node, llc};
			}
		}
	/* The tasks by samples running, for the legend. */
	for (u32 c = 0; c < m->nr_cpus; c++)
		for (u32 i = 0; i < m->kept; i++) {
			s32 pid = m->lane[c].pid[i];
			u32 k;

			if (m->lane[c].nr[i] > maxnr)
				maxnr = m->lane[c].nr[i];
			if (pid <= 0)
				continue;
			for (k = 0; k < ncnt && cnt[k].pid != pid; k++)
				;
			if (k == ncnt) {
				if (ncnt == MONITOR_TASKS)
					continue;
				cnt[ncnt++] = (struct svg_count){pid, 0};
			}
			cnt[k].n++;
		}
	qsort(cnt, ncnt, sizeof(*cnt), svg_count_cmp);

	t0 = m->kept ? (double)m->t_ns[0] : (double)m->cfg.origin_ns;
	t1 = m->kept ? (double)m->t_ns[m->kept - 1] : t0 + 1;
	span = t1 > t0 ? t1 - t0 : 1;
	y = SVG_TOP;
	for (u32 r = 0; r < nrows; r++)
		y += rows[r].header ? SVG_GROUP : SVG_LANE;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
		"viewBox=\"0 0 %u %u\" font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_W, y + 60 + 16 * ((MIN(ncnt, (u32)SVG_LEGEND) + 3) / 4), SVG_W,
		y + 60 + 16 * ((MIN(ncnt, (u32)SVG_LEGEND) + 3) / 4));
	fprintf(f, "<title>ktvm monitor</title>\n<rect width=\"100%%\" height=\"100%%\" "
		   "fill=\"white\"/>\n");
	fprintf(f,
		"<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">ktvm monitor: %u "
		"CPUs, a sample every %llu ms (%llu samples, %llu torn), %.1f s</text>\n",
		m->nr_cpus, (unsigned long long)m->cfg.interval_ms * m->stride,
		(unsigned long long)m->samples, (unsigned long long)m->torn, span / 1e9);
	fprintf(f,
		"<text x=\"10\" y=\"42\" fill=\"#555\">bars: the running task (a colour each); "
		"line: nr_running (top = %u); red: a stall</text>\n",
		maxnr);

	y = SVG_TOP;
	for (u32 r = 0; r < nrows; r++) {
		const struct monitor_lane *ln = &m->lane[rows[r].cpu];
		u32 c = rows[r].cpu;

		if (rows[r].header) {
			fprintf(f,
				"<text class=\"group\" x=\"10\" y=\"%u\" font-weight=\"bold\" "
				"fill=\"#333\">node %u, LLC %u</text>\n",
				y + 13, rows[r].node, rows[r].llc);
			y += SVG_GROUP;
			continue;
		}
		fprintf(f, "<g class=\"lane\" id=\"cpu%u\">\n", c);
		fprintf(f, "<text x=\"20\" y=\"%u\">cpu %u</text>\n", y + 19, c);
		fprintf(f,
			"<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"#f7f7f7\" "
			"stroke=\"#ddd\"/>\n",
			SVG_LEFT, y + 2, SVG_PLOT_W, SVG_LANE - 4);
		/* Bars: runs of samples with the same task. */
		for (u32 i = 0; i < m->kept;) {
			u32 j = i + 1;
			double x0, x1;
			char col[40];
			const char *comm;

			while (j < m->kept && ln->pid[j] == ln->pid[i])
				j++;
			x0 = SVG_LEFT + SVG_PLOT_W * ((double)m->t_ns[i] - t0) / span;
			x1 = SVG_LEFT +
			     SVG_PLOT_W * ((j < m->kept ? (double)m->t_ns[j] : t1) - t0) / span;
			if (ln->pid[i] >= 0 && x1 > x0) {
				svg_colour(col, sizeof(col), ln->pid[i]);
				comm = monitor_comm(m, ln->pid[i]);
				fprintf(f,
					"<rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"%u\" "
					"fill=\"%s\"><title>cpu %u: ",
					x0, y + 4, x1 - x0 < 0.5 ? 0.5 : x1 - x0, SVG_LANE / 2 - 2,
					col, c);
				svg_text(f, comm ? comm : "?", 16);
				fprintf(f, " (pid %d)</title></rect>\n", ln->pid[i]);
			}
			i = j;
		}
		/* nr_running as a step line in the lower half. */
		if (m->kept) {
			fprintf(f, "<polyline fill=\"none\" stroke=\"#1a4f8b\" "
				   "stroke-width=\"1.2\" points=\"");
			for (u32 i = 0; i < m->kept; i++) {
				double x = SVG_LEFT + SVG_PLOT_W * ((double)m->t_ns[i] - t0) / span;
				double yy = y + SVG_LANE - 3 -
					    (SVG_LANE / 2 - 4) * (double)ln->nr[i] / maxnr;

				fprintf(f, "%s%.2f,%.2f", i ? " " : "", x, yy);
				if (i + 1 < m->kept)
					fprintf(f, " %.2f,%.2f",
						SVG_LEFT + SVG_PLOT_W *
							       ((double)m->t_ns[i + 1] - t0) / span,
						yy);
			}
			fprintf(f, "\"/>\n");
		}
		/* Stalls on this CPU. */
		for (u32 s = 0; s < m->nr_stalls; s++) {
			const struct monitor_stall *st = &m->stall[s];
			double a, b;

			if (st->cpu != c)
				continue;
			a = SVG_LEFT + SVG_PLOT_W * ((double)st->since_ns - t0) / span;
			b = SVG_LEFT +
			    SVG_PLOT_W * ((st->end_ns ? (double)st->end_ns : t1) - t0) / span;
			a = a < SVG_LEFT ? SVG_LEFT : a;
			b = b > SVG_LEFT + SVG_PLOT_W ? SVG_LEFT + SVG_PLOT_W : b;
			fprintf(
			    f,
			    "<rect class=\"stall\" x=\"%.2f\" y=\"%u\" width=\"%.2f\" "
			    "height=\"%u\" "
			    "fill=\"red\" fill-opacity=\"0.3\" stroke=\"red\"><title>stall (%s) "
			    "on cpu %u</title></rect>\n",
			    a, y + 2, b > a ? b - a : 1.0, SVG_LANE - 4, stall_kind_name(st->kind),
			    c);
			fprintf(f,
				"<text x=\"%.2f\" y=\"%u\" fill=\"#b00\" "
				"font-weight=\"bold\">stall (%s)</text>\n",
				a + 3, y + 26, stall_kind_name(st->kind));
		}
		fprintf(f, "</g>\n");
		y += SVG_LANE;
	}
	/* The time axis: a tick per second or so. */
	fprintf(f, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"#333\"/>\n", SVG_LEFT,
		y + 4, SVG_LEFT + SVG_PLOT_W, y + 4);
	{
		double step = 1e9;

		while (span / step > 12)
			step *= 2;
		for (double t = 0; t <= span + 1; t += step) {
			double x = SVG_LEFT + SVG_PLOT_W * t / span;

			fprintf(
			    f,
			    "<line x1=\"%.2f\" y1=\"%u\" x2=\"%.2f\" y2=\"%u\" stroke=\"#333\"/>"
			    "<text x=\"%.2f\" y=\"%u\" text-anchor=\"middle\">%.0f s</text>\n",
			    x, y + 4, x, y + 9, x, y + 22,
			    (t + t0 - (double)m->cfg.origin_ns) / 1e9);
		}
	}
	y += 40;
	for (u32 k = 0; k < ncnt && k < SVG_LEGEND; k++) {
		char col[40];
		const char *comm = monitor_comm(m, cnt[k].pid);
		u32 x = 10 + (k % 4) * 290, yy = y + (k / 4) * 16;

		svg_colour(col, sizeof(col), cnt[k].pid);
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"12\" height=\"12\" fill=\"%s\"/>", x,
			yy, col);
		fprintf(f, "<text x=\"%u\" y=\"%u\">", x + 16, yy + 11);
		svg_text(f, comm ? comm : "?", 16);
		fprintf(f, " (pid %d, %u samples)</text>\n", cnt[k].pid, cnt[k].n);
	}
	fprintf(f, "</svg>\n");
	pthread_mutex_unlock(&m->lock);
	free(rows);
	free(cnt);
	if (ferror(f))
		err = EIO;
	if (fclose(f) && !err)
		err = errno;
	if (err)
		return error_host(-err, "--monitor-plot %s: %s", path, strerror(err));
	return 0;
}
