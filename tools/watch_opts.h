/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktvm run --watch / --symbols / --dump-dir: the user's watchpoints
 * (core/debug/watch.h), from parsing to the result. An address is armed before
 * the first vCPU runs; a symbol is looked up by the guest's init in
 * /proc/kallsyms (ktvm.watch= on the kernel command line), and the host
 * arms it when the answer arrives (core/run/agent.h), before init starts the
 * payload. The names are checked before boot against the kallsyms table
 * in the kernel image (core/image/kallsyms_image.h). With --symbols FILE (a
 * vmlinux with symbols or a System.map) they are looked up there instead
 * and placed with the guest's _text (KASLR).
 */
#ifndef KTVM_TOOLS_WATCH_OPTS_H
#define KTVM_TOOLS_WATCH_OPTS_H

#include <stdio.h>

#include "core/run/agent.h"
#include "core/debug/dump.h"
#include "core/debug/scx.h"
#include "core/debug/watch.h"
#include "core/run/monitor.h"

struct vm;
struct channel;

struct watch_opts {
	const char *kernel_name; /* the kernel as the user named it, for messages; NULL: the path */
	struct watch_spec spec[AGENT_MAX_WATCHES];
	u32 n;
	struct dump_region region[DUMP_MAX_REGIONS]; /* --dump-mem */
	u32 nr_regions;
	const char *symbols;  /* --symbols FILE, or NULL */
	const char *dump_dir; /* --dump-dir DIR, or NULL */
	struct vm_debug *dbg; /* core/debug/debug.h, from watch_opts_start() to watch_opts_end() */
	u64 text_file;	      /* _text in it */
	bool agent_live;
	struct agent agent;
	/* The sched_ext exit trigger (core/debug/scx.h): --scheduler or --watch-scx. */
	bool scx;
	struct scx_layout scx_lay; /* from the kernel's BTF (watch_opts_prepare()) */
	struct scx_trigger scx_trig;
	bool scx_live;
	u64 scx_watchdog_ms; /* --scx-watchdog MS, 0: none */
	u32 nr_cpus;
	/* The host-side monitor (core/run/monitor.h): --monitor and its options. */
	bool mon;
	struct monitor_cfg mon_cfg; /* its layout from the kernel's BTF (run_prepare()) */
	bool mon_guest_btf; /* the image has none: the layout from the guest's (ktvm.btf=1) */
	u64 mon_rq_file,
	    mon_pgd_file; /* runqueues and the kernel's pgd in --symbols, 0: not there */
	struct monitor mon_state;
	bool mon_live;
	char mon_error[256]; /* why it did not start, "" if it did or was not asked for */
};

/* --watch SPEC: 0, or -EINVAL with an input error (bad spec, a 4th watch). */
int watch_opts_add(struct watch_opts *w, const char *arg);
/* --dump-mem TARGET:LEN: the same rules, at most DUMP_MAX_REGIONS. */
int watch_opts_add_region(struct watch_opts *w, const char *arg);
/*
 * Before boot: resolve names in --symbols, or check them against the
 * kallsyms table in the image of kernel; append ktvm.watch= for the names
 * to cmdline (size bytes). payload: a program runs (the guest init looks
 * names up). 0, or a negative errno with an input error.
 */
int watch_opts_prepare(struct watch_opts *w, bool payload, const char *kernel, char *cmdline,
		       size_t size);
/*
 * After vm_create, before vm_run: attach the debugger, arm addresses, start
 * the request thread.
 */
int watch_opts_start(struct watch_opts *w, struct vm *vm, struct channel *ch);
/*
 * After vm_run: stop the request thread. 0, or its error: an input error
 * for a symbol the guest lacks or a misaligned one, else a host error.
 */
int watch_opts_finish(struct watch_opts *w);
/* Before vm_destroy: detach the debugger. */
void watch_opts_end(struct watch_opts *w);
/* ",\n  \"watch\": {...}" for the JSON result. */
void watch_opts_json(FILE *f, const struct watch_opts *w, struct vm *vm);

#endif
