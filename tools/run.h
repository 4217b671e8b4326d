/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktvm run, by stage: run_parse() turns the arguments into struct run_opts,
 * run_prepare() builds what the VM needs (the payload's initramfs, the
 * --watch names on the command line, the guest channel), run_vm() creates
 * and runs the VM, run_report() picks the exit status and tells the user.
 * Each returns 0 to go on or the exit status to end with; a stage that fails
 * undoes its own work, run_cleanup() undoes run_prepare()'s and run_vm()'s.
 */
#ifndef KTVM_TOOLS_RUN_H
#define KTVM_TOOLS_RUN_H

#include "core/run/channel.h"
#include "core/vm/topology.h"
#include "core/vm/vm.h"
#include "tools/devlist.h"
#include "tools/devopts.h"
#include "tools/kcache.h"
#include "tools/pack.h"
#include "tools/watch_opts.h"

struct run_opts {
	struct vm_config cfg;
	struct pack_opts po;
	struct topology topo;
	struct watch_opts wo;
	struct devopts dev;   /* --disk, --net */
	const char *json;     /* --json FILE, or NULL */
	const char *mon_plot; /* --monitor-plot FILE, or NULL */
	const char *btf;      /* --btf FILE: the kernel's BTF, or NULL for the image's */
	u64 sched_wait;	      /* --sched-wait SEC, 0: the guest's default */
	char **prog;	      /* PROG [ARGS...], NULL-terminated; NULL: no PROG */
	bool have_shape, have_topo, have_cpus, have_mem;
	bool verbose;
	bool profile;	/* --profile: the time and exit table after the run */
	bool no_kcache; /* --no-kernel-cache: boot the kernel as given */
	int watch_scx;	/* --watch-scx 1, --no-watch-scx 0, neither -1 (on with --scheduler) */
	bool help;	/* -h: print the usage, run nothing */
};

struct run {
	struct run_opts o;
	struct pack_files pf;
	char cmdline[VM_MAX_CMDLINE];
	struct channel ch;
	struct devlist devs;
	struct kcache kc;	  /* the kernel cache's answer */
	const char *kernel_given; /* --kernel as given (cfg.kernel may be the cache's copy) */
	struct vm *vm;
	struct vm_result res;
	/* ktvm's own setup steps (the kernel cache, packing, ...), put before the VM's in res */
	struct vm_setup_step steps[8];
	u32 nr_steps;
	int ret;	/* vm_run()'s */
	int json_fd;	/* --json FILE, opened (and emptied) by run_prepare() */
	bool json_open; /* json_fd is open and the result not written yet */
	bool json_reg;	/* FILE is a regular file: removed if ktvm ends without a result */
};

/*
 * Options and their checks; t_start is the process start (clock_now_ns()).
 * o must be zeroed (a static, as ktvm's is): not zeroed again here, since
 * that faults in the 40 pages of its watch and dump tables (about 50 us of
 * setup) that most runs never touch.
 */
int run_parse(struct run_opts *o, int argc, char **argv, u64 t_start);
int run_prepare(struct run *r);
int run_vm(struct run *r);
/* Instead of run_vm(): a signal came during setup; the result says so. */
void run_interrupted(struct run *r, u64 t_start);
int run_report(struct run *r);
/* After run_vm(), failed or not (then run_report()): free the result, the VM, the channel. */
void run_cleanup(struct run *r);

/*
 * Between the stages' files (run.c, run_report.c): the --json file, opened
 * and emptied by run_prepare() (status as the stages return it), closed by
 * run_report() once written, or removed (written false) on the way out.
 */
int run_open_json(struct run *r);
void run_close_json(struct run *r, bool written);

#endif
