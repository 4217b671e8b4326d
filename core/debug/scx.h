/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sched_ext exit trigger: catch a failing BPF scheduler from the host,
 * at the moment the kernel claims its exit, before the kernel's own
 * reporting (and the scheduler's state) is gone.
 *
 * Slot 0 (WATCH_SLOT_SCHED) watches the scheduler's exit kind, filtered to
 * error kinds (>= SCX_EXIT_ERROR, 1024): the kernel writes the kind with a
 * cmpxchg on the CPU that failed, then the message, then (its helper
 * thread) SCX_EXIT_DONE. An error hit freezes every vCPU and writes a dump
 * with a "sched_ext" member (the kind by name, the claiming CPU and pc, the
 * scheduler's name, each CPU's current task and runqueue length, and the
 * exit message as it was at the freeze: empty, since the kernel writes it
 * after the claim). When the scheduler then leaves (DONE, or its scx_sched
 * unpublished), the trigger reads struct scx_exit_info's kind, reason and
 * message for the result. Clean kinds (DONE 1, UNREG* 64-69) never dump.
 *
 * Where the kind lives depends on the kernel:
 *   6.12  a static atomic_t scx_exit_kind: slot 0 is armed there at start.
 *   7.x   sch->exit_kind in the struct scx_sched behind the global
 *         scx_root, set when a scheduler is enabled and cleared when it is
 *         disabled; a re-attached scheduler has a new one. A second slot
 *         (root_slot) watches scx_root itself: every write there is a hit
 *         on the vCPU that made it, which reads the new pointer through its
 *         own page tables and rebinds slot 0 at once (scx_rebind_step()).
 *         A scheduler that fails right after attaching is caught too; no
 *         polling interval to miss it in, no host-side page walk needed.
 *         Moving slot 0 from one scx_sched to the next takes the watch
 *         table's two rounds (disarm on every vCPU, then publish).
 *
 * Offsets and the kind names come from the kernel's BTF (core/run/scx_btf.h
 * fills struct scx_layout); addresses from the guest's kallsyms.
 */
#ifndef KTVM_CORE_DEBUG_SCX_H
#define KTVM_CORE_DEBUG_SCX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "core/base/types.h"

struct vm_debug;
struct vcpu;

#define SCX_EXIT_ERROR_MIN 1024 /* SCX_EXIT_ERROR: kinds from here on are failures */
#define SCX_EXIT_DONE	   1
#define SCX_KINDS_MAX	   24
#define SCX_NAME_MAX	   128	/* SCX_OPS_NAME_LEN */
#define SCX_MSG_MAX	   1024 /* SCX_EXIT_MSG_LEN */
#define SCX_REASON_MAX	   256
#define SCX_BT_MAX	   64 /* SCX_EXIT_BT_LEN */
#define SCX_DUMP_CPUS_MAX  64 /* CPUs a dump describes */

/* Where sched_ext keeps its state in one kernel: byte offsets from its BTF. */
struct scx_layout {
	bool root; /* 7.x: the state is in struct scx_sched behind scx_root */
	/* 7.x, in struct scx_sched */
	u32 sch_exit_kind, sch_exit_info, sch_ops, sch_watchdog;
	u32 hz; /* the kernel's HZ (SCX_WATCHDOG_MAX_TIMEOUT / 30), 0: unknown */
	/* struct sched_ext_ops */
	u32 ops_name, ops_name_len;
	/* struct scx_exit_info */
	u32 ei_kind, ei_reason, ei_msg, ei_exit_cpu, ei_bt, ei_bt_len;
	bool ei_has_exit_cpu;
	/* the dumps' per-CPU view (have_rq false: left out) */
	bool have_rq;
	u32 rq_curr, rq_nr_running, rq_scx_nr_running, task_pid, task_comm, comm_len;
	bool rq_has_scx;
	/* enum scx_exit_kind, for names */
	struct {
		s64 value;
		char name[32];
	} kinds[SCX_KINDS_MAX];
	u32 nr_kinds;
};

/* Guest addresses, from its kallsyms (0: not there). */
struct scx_addrs {
	u64 root;	 /* 7.x scx_root */
	u64 exit_kind;	 /* 6.12 scx_exit_kind */
	u64 exit_info;	 /* 6.12 scx_exit_info (a pointer) */
	u64 ops;	 /* 6.12 scx_ops */
	u64 watchdog;	 /* 6.12 scx_watchdog_timeout */
	u64 runqueues;	 /* per-CPU struct rq */
	u64 pcpu_offset; /* __per_cpu_offset[] */
};

/* The symbols the trigger asks the guest for, with the layout's kind. */
#define SCX_SYMS_ROOT "scx_root,runqueues,__per_cpu_offset"
#define SCX_SYMS_STATIC                                                                            \
	"scx_exit_kind,scx_exit_info,scx_ops,scx_watchdog_timeout,runqueues,__per_cpu_offset"
#define SCX_SYMS_COUNT_MAX 6

/* --scx-watchdog: at most this many ms (the kernel's own cap is 30 s). */
#define SCX_WATCHDOG_MAX_MS 30000
/* How often the watchdog override is checked and re-applied. */
#define SCX_WATCHDOG_CHECK_MS 200

/* What one poll or hit of scx_root means for slot 0 (scx_rebind_step()). */
enum scx_rebind {
	SCX_UNCHANGED, /* the same scx_sched, or still none */
	SCX_DETACHED,  /* the scheduler left: disarm */
	SCX_REBIND,    /* another scx_sched: disarm, publish after the round */
	SCX_PUBLISHED, /* a scheduler attached: arm */
	SCX_DEFERRED,  /* a new scx_sched whose exit kind cannot be read yet: retry */
};

/*
 * The transition from last (the scx_sched slot 0 is bound to, 0: none) to
 * now (*scx_root), readable: now's exit kind could be read.
 */
enum scx_rebind scx_rebind_step(u64 last, u64 now, bool readable);
const char *scx_rebind_name(enum scx_rebind r);

/* How often the polling fallback reads the exit state. */
#define SCX_POLL_MS 100

struct scx_trigger {
	struct vm_debug *d;
	bool poll; /* the polling fallback instead of watchpoints */
	pthread_t poll_thread;
	bool poll_started;
	atomic_bool poll_stop;
	bool pending_dump; /* poll: a failure seen, to be dumped by the poll thread */
	u32 polls, poll_failures;
	char poll_why[320]; /* why the trigger polls */
	/* --scx-watchdog: the timeout wanted (0: the scheduler's own) */
	u64 watchdog_ms, want_jiffies, observed_jiffies, first_jiffies;
	u32 watchdog_writes;
	bool watchdog_seen;
	struct scx_layout lay;
	struct scx_addrs addr;
	u32 root_slot;
	u32 nr_cpus;

	pthread_mutex_t lock;
	u64 sch; /* 7.x: the scx_sched slot 0 is bound to (0: none) */
	u32 attaches, rebinds, detaches, deferred, clean_exits;
	u64 t_attach_ns;
	char sched_name[SCX_NAME_MAX];

	/* The failure caught (the first one; later ones are counted). */
	bool caught;
	bool caught_late; /* poll: seen only once the scheduler had left */
	u64 caught_sch;	  /* the scheduler of the last failure counted */
	u32 failures;
	u32 kind, claim_vcpu;
	u64 claim_pc, t_claim_ns;
	bool msg_read_at_claim;
	char msg_at_claim[64];
	char dump[4096];
	bool in_claim; /* a claim's dump is being written */

	/* scx_exit_info, read when the failed scheduler left */
	bool info;
	u32 info_kind;
	s32 exit_cpu;
	u64 t_done_ns;
	char reason[SCX_REASON_MAX];
	char msg[SCX_MSG_MAX];
	u64 bt[SCX_BT_MAX]; /* the kernel's stack trace at the exit (return addresses) */
	u32 bt_len;
};

/*
 * Start the trigger on debugger d: the layout and addresses, and a free
 * user slot for scx_root (7.x). Registers the slot hooks and the dump hook
 * and arms (6.12: slot 0; 7.x: root_slot). With poll (or, 7.x, when
 * root_slot is no free slot), no watchpoint is used: a thread reads the
 * exit state through vCPU 0 every SCX_POLL_MS (debug_vcpu_call()), and a
 * failure is frozen and dumped when it is seen, up to that much later.
 * With watchdog_ms (--scx-watchdog), the same thread writes the sched_ext
 * watchdog timeout, in the guest's jiffies, into each scheduler that
 * attaches, and writes it again whenever the kernel changed it (it sets
 * its own at enable), every SCX_WATCHDOG_CHECK_MS. 0,
 * or a negative errno with an input error (an address missing), or a host
 * error (no thread).
 */
int scx_trigger_start(struct scx_trigger *t, struct vm_debug *d, const struct scx_layout *lay,
		      const struct scx_addrs *addr, u32 root_slot, u32 nr_cpus, bool poll,
		      u64 watchdog_ms);
/* Stop the polling thread (before vm_destroy()); nothing without one. */
void scx_trigger_stop(struct scx_trigger *t);
void scx_trigger_destroy(struct scx_trigger *t);
/* The name of kind (from the layout's enum), or NULL. */
const char *scx_kind_name(const struct scx_layout *lay, s64 kind);
/* ",\n  \"sched_ext\": {...}" for the run's JSON result. */
void scx_trigger_json(FILE *f, struct scx_trigger *t, const char *in);

#endif
