/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host-side monitor: a thread that reads every guest CPU's scheduler
 * state straight from guest memory while the vCPUs run on -- no freeze, no
 * help from the guest once it started. Every interval it reads, per CPU,
 * struct rq (found at the runqueues symbol plus the CPU's per-CPU offset)
 * and the current task's pid and comm, at offsets from the guest kernel's
 * BTF (monitor_layout.h), through a software page walk of the kernel's
 * tables (core/debug/arch.h arch_mmu_gva_to_gpa()).
 *
 * The guest changes these while they are read: a sample whose rq->curr or
 * rq->clock moved during the read, or whose values are impossible, is torn
 * (counted, kept out of the verdicts); memory that cannot be read is
 * counted too. Nothing the guest writes can make the monitor read outside
 * guest RAM or loop.
 *
 * The samples are kept per CPU, at most MONITOR_KEEP of them: when full,
 * every other one is dropped and the stride doubles, so a long run keeps
 * an even timeline. Stall verdicts (stall.h) see every sample. A stall,
 * with a debugger attached and dumping on (--dump-dir), freezes the guest
 * and writes a dump holding the monitor's last samples.
 */
#ifndef KTVM_CORE_RUN_MONITOR_H
#define KTVM_CORE_RUN_MONITOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "core/debug/arch.h"
#include "core/run/monitor_layout.h"
#include "core/run/stall.h"

#define MONITOR_KEEP	   4096
#define MONITOR_TASKS	   1024 /* pid -> comm names kept for the result */
#define MONITOR_STALLS	   64
#define MONITOR_MAX_CPUS   512
#define MONITOR_DEFAULT_MS 100
#define MONITOR_STALL_MS   2000
#define MONITOR_TLB	   64 /* translated pages remembered */

struct vm;
struct vm_debug;

struct monitor_cfg {
	u64 interval_ms;
	u64 stall_after_ms;
	u64 runqueues; /* the address of the per-CPU variable runqueues (kallsyms) */
	u64 kernel_pgd; /* the kernel's top-level page table (arch_kernel_pgd_symbol()); 0: unknown */
	struct monitor_layout lay;
	bool dump;     /* freeze and dump the guest on a stall (needs dbg) */
	u64 origin_ns; /* times in the result count from here (process start) */
	const char *btf_from; /* where lay came from, for the result ("kernel", a --btf path) */
	const char *syms_from; /* where runqueues came from ("guest", "--symbols") */
	/* each CPU's LLC (machine-wide index) for the per-LLC imbalance; nr_llcs 0: not known */
	u16 llc_of[MONITOR_MAX_CPUS];
	u32 nr_llcs;
};

struct monitor_task {
	s32 pid;
	char comm[16];
};

struct monitor_stall {
	u32 cpu;
	enum stall_kind kind;
	u64 since_ns, at_ns, end_ns; /* end 0: still on at the end */
	s32 pid;		     /* curr when it was declared */
	char dump[256];		     /* its dump file, "" if none */
};

/* One CPU's kept samples (stride apart). */
struct monitor_lane {
	u64 pcpu;	       /* __per_cpu_offset of the CPU */
	u64 rq;		       /* its struct rq */
	u32 nr[MONITOR_KEEP];  /* rq->nr_running */
	s32 pid[MONITOR_KEEP]; /* curr's pid; -1: torn or unreadable */
	u32 cfs[MONITOR_KEEP]; /* rq->cfs.h_nr_running (0 when absent) */
	u32 scx[MONITOR_KEEP]; /* rq->scx.nr_running (0 when absent) */
	struct stall_cpu st;
	struct stall_sample last; /* the newest sample, kept or not */
	u32 last_scx_flags;
};

/* Reads len bytes of guest kernel memory at gva: 0, or a negative errno. */
typedef int (*monitor_read_fn)(void *ctx, u64 gva, void *buf, size_t len);

struct monitor {
	struct vm *vm;
	struct vm_debug *dbg;
	monitor_read_fn read; /* the page-walk reader, or a test's fake guest */
	void *read_ctx;
	struct monitor_cfg cfg;
	u32 nr_cpus;
	struct arch_mmu mmu; /* walks from the kernel's own table: the same on every CPU */
	bool own_root;	     /* mmu walks from kernel_pgd (else a vCPU's tables as captured) */
	struct monitor_lane *lane;
	u64 t_ns[MONITOR_KEEP]; /* when each kept sample was taken */
	u32 kept, stride, skip;
	u64 samples, torn, unreadable, pages_walked;
	u64 paused;   /* intervals skipped: the guest frozen (a dump) or ending */
	u64 first_ns; /* the first sample, 0 if none */
	u64 cpu_ns;   /* the thread's CPU time in all */
	struct monitor_task task[MONITOR_TASKS];
	u32 nr_tasks;
	u64 tasks_dropped;
	struct monitor_stall stall[MONITOR_STALLS];
	u32 nr_stalls;
	u64 stalls_dropped;
	/* Spread of nr_running across CPUs per sample: its sum and maximum. */
	u64 spread_sum, spread_n;
	u32 spread_max;
	/* across LLCs: the spread of their CPUs' mean nr_running, with 2 LLCs or more */
	u64 *llc_sum;
	u32 *llc_cnt;
	double llc_spread_sum, llc_spread_max;
	u64 llc_spread_n;
	struct {
		u64 gva, gpa; /* page-aligned */
	} tlb[MONITOR_TLB];
	u64 freezes_seen; /* the VM's freeze count at the last look */
	pthread_t thread;
	bool started;
	atomic_bool live; /* started and not destroyed: the dump hook may look */
	atomic_bool stop;
	pthread_mutex_t lock; /* the kept samples, against the dump hook and the result */
	pthread_cond_t cond;
	char error[256]; /* why sampling stopped early, "" if it did not */
};

/*
 * Set m up for nr_cpus CPUs whose per-CPU offsets are pcpu[], reading guest
 * memory with read(ctx, ...): 0, or -ENOMEM / -EINVAL with an error set.
 * monitor_start() does this for a VM; tests call it with a fake guest.
 */
int monitor_init(struct monitor *m, const struct monitor_cfg *cfg, u32 nr_cpus, const u64 *pcpu,
		 monitor_read_fn read, void *ctx);
/*
 * Start sampling the guest of vm (its vCPUs running, the kernel up): the
 * per-CPU offsets and translation registers are captured on the vCPUs'
 * threads through dbg (core/debug/debug.h). 0, or a negative errno with an
 * error set (nothing started). m must stay put until monitor_stop().
 */
int monitor_start(struct monitor *m, struct vm *vm, struct vm_debug *dbg,
		  const struct monitor_cfg *cfg);
/* Stop the thread (idempotent); the samples stay for the result. */
void monitor_stop(struct monitor *m);
void monitor_destroy(struct monitor *m);

/* Take one sample of every CPU now (the thread's step; tests call it directly). */
void monitor_sample(struct monitor *m);
/* The "monitor" member of the --json result (starting with ",\n  \"monitor\": "). */
void monitor_json(FILE *f, struct monitor *m, u64 sys_rdy_ns);
/* One summary line for stderr, without "ktvm: " and the newline. */
void monitor_summary(struct monitor *m, char *buf, size_t size);
/* The comm of pid as last seen, or NULL. */
const char *monitor_comm(const struct monitor *m, s32 pid);

#endif
