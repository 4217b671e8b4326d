/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --monitor-plot FILE.svg: the monitor's samples as a picture a person can
 * read a run from: one lane per CPU, grouped by node and LLC of topo, the
 * running task over time (a colour per task, named in a tooltip and in the
 * legend), nr_running, and the stalls marked.
 */
#ifndef KTVM_CORE_RUN_MONITOR_SVG_H
#define KTVM_CORE_RUN_MONITOR_SVG_H

struct monitor;
struct topology;

/* 0, or a negative errno with an error set (the file cannot be written). */
int monitor_svg_write(struct monitor *m, const struct topology *topo, const char *path);

#endif
