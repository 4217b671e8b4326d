/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host end of the guest channel: the bytes of the "ktvm-bulk" port go
 * through the wire stream assembler (wire/stream.h), and each frame is acted
 * on: STDOUT and STDERR are relayed to the host's descriptors as they
 * arrive, EXIT, LIFECYCLE, KERN_ADDRS, BOOT_TIMES and SYS_RDY are recorded
 * for the result; every other known type is counted.
 *
 * Everything here comes from the guest: typed payloads of the wrong size
 * are counted as malformed and otherwise ignored, reasons are kept only up
 * to WIRE_REASON_MAX bytes, the LIFECYCLE log keeps the first
 * CHANNEL_MAX_EVENTS entries, and a second EXIT does not replace the first.
 *
 * channel_feed() runs on the VM's I/O thread (and once more, from the
 * thread that drains the rings, after the I/O thread stopped); the
 * accessors are for after the run.
 */
#ifndef KTVM_CORE_CHANNEL_H
#define KTVM_CORE_CHANNEL_H

#include <stdio.h>

#include "core/base/types.h"
#include "wire/stream.h"

#define CHANNEL_MAX_EVENTS 32

struct channel_event {
	u32 phase;
	u64 t_ns; /* since the channel's time origin */
	char reason[WIRE_REASON_MAX + 1];
};

struct channel_relay {
	int fd;	     /* -1: not relayed */
	u64 bytes;   /* payload bytes received */
	u64 dropped; /* bytes that could not be written (fd closed, error) */
	int error;   /* errno of the first failed write, 0 if none */
};

/* Scheduler output kept for the result; the rest is counted. */
#define CHANNEL_SCHED_LOG_MAX  (16 * 1024)
#define CHANNEL_SCHED_LINE_MAX 512

/* The scheduler under test (guest/sched.h), as the guest reported it. */
struct channel_sched {
	bool started, attached, detached;
	u64 started_ns, attached_ns, detached_ns; /* since the channel's time origin */
	char path[WIRE_REASON_MAX + 1];
	char ops[WIRE_REASON_MAX + 1];	  /* the kernel's name for it (root/ops) */
	int switch_all;			  /* 1: it runs every task, 0: some of them; -1: unknown */
	char detach[WIRE_REASON_MAX + 1]; /* SCHED_DONE's reason */
	bool failed;			  /* a SCHED_EXIT arrived; the first is kept */
	u32 stage;			  /* enum wire_sched_stage; 0: malformed */
	char reason[WIRE_REASON_MAX + 1];
	struct channel_relay log;	   /* SCHED_LOG bytes, as "ktvm: sched: LINE" lines */
	char line[CHANNEL_SCHED_LINE_MAX]; /* a line not yet complete */
	size_t line_len;
	char text[CHANNEL_SCHED_LOG_MAX + 1]; /* the first CHANNEL_SCHED_LOG_MAX bytes */
	size_t text_len;
	u64 bytes; /* SCHED_LOG bytes in all */
};

/*
 * The guest kernel's BTF, sent in BTF frames when the host asked for it
 * (ktvm.btf=1, as the kernel image has none). Assembled on the I/O thread
 * and read on the agent's thread, which gets the KSYMS request init sends
 * after the last BTF frame: the KSYMS frame seals it (later BTF frames are
 * ignored), so the reader sees bytes that no longer change. The seal is
 * what makes this safe without a lock.
 */
enum channel_btf_state {
	CHANNEL_BTF_NONE,    /* nothing arrived yet */
	CHANNEL_BTF_PARTIAL, /* some of it */
	CHANNEL_BTF_DONE,    /* total bytes, in order */
	CHANNEL_BTF_FAILED,  /* the guest had none, or a frame broke the order; why says */
};

struct channel_btf {
	bool want;   /* asked for: frames are taken only then */
	bool sealed; /* KSYMS came: later frames are ignored (another thread reads it) */
	enum channel_btf_state state;
	u8 *buf; /* grown as bytes arrive: a guest that lies about total costs what it sends */
	u32 total, got, cap;
	char why[WIRE_REASON_MAX + 1];
};

/*
 * The guest-clock times of boot points (BOOT_TIMES, wire.h), in ns of the
 * guest kernel's printk clock. The first value of a point is kept and a later
 * one ignored, as for EXIT; a point this host does not know is counted.
 * Values are kept as sent even when they go backwards (a later point
 * before an earlier one): the guest's clock is what it is, and hiding a
 * value would hide that. channel_gclock_in_order() says whether they do;
 * the JSON has it as "in_order" and --profile shows such a phase as "-".
 */
struct channel_gclock {
	u32 have; /* bit p: ns[p] came */
	u64 ns[WIRE_BOOT_NR];
	u64 unknown; /* entries whose point this host does not know */
};

static inline bool channel_gclock_has(const struct channel_gclock *g, u32 point)
{
	return point < WIRE_BOOT_NR && g->have & 1u << point;
}

/* Are the points that came non-decreasing in enum wire_boot_point's order? */
bool channel_gclock_in_order(const struct channel_gclock *g);

struct channel {
	struct wire_stream ws;
	u64 t_origin_ns;
	struct channel_relay out, err;
	bool sys_rdy;
	u64 sys_rdy_ns;
	bool have_exit;
	s32 exit_status;
	u64 exit_ns;
	u64 stdout_first_ns, stdout_last_ns; /* first and last STDOUT frame; 0: none */
	bool have_kern_addrs;
	struct wire_kern_addrs kern_addrs;
	struct channel_gclock gclock;
	struct channel_event events[CHANNEL_MAX_EVENTS];
	u32 nr_events;
	u64 events_dropped;
	bool failed; /* a LIFECYCLE FAILED arrived; failure holds it */
	struct channel_event failure;
	u64 malformed; /* known frames whose payload has the wrong size */
	bool ended;
	/*
	 * Guest requests (KSYMS, SNAPSHOT_REQUEST) go here unparsed, on the
	 * I/O thread; the callee must copy what it keeps and must not block
	 * or send to the guest from this call (core/run/agent.h queues them).
	 */
	void (*request)(void *ctx, u32 type, const u8 *payload, u32 len);
	void *request_ctx;
	/*
	 * Host -> guest bytes, through the device that carries the channel
	 * (devices/virtio/console_attach.h): 0, -EAGAIN (no room now),
	 * -ENODEV (no device). Set by whoever built the VM's devices.
	 */
	int (*send)(void *ctx, const void *data, size_t len);
	void *send_ctx;
	struct channel_sched sched;
	struct channel_btf btf;
};

/*
 * out_fd/err_fd receive STDOUT/STDERR payloads (-1: count only); err_fd
 * also the scheduler's output, as lines "ktvm: sched: LINE".
 */
int channel_init(struct channel *c, int out_fd, int err_fd, u64 t_origin_ns);
void channel_destroy(struct channel *c);
/*
 * The guest's BTF once whole (CHANNEL_BTF_DONE): 0 with *buf and *len (the
 * channel keeps it until channel_destroy()), else -ENOENT with *why the
 * reason. From the agent's thread once KSYMS came (sealed), or after the run.
 */
int channel_btf_get(const struct channel *c, const u8 **buf, size_t *len, const char **why);
/* Bytes to the guest (the send callback): 0, -EAGAIN, -ENODEV. Any thread but the I/O thread. */
int channel_send(struct channel *c, const void *data, size_t len);
/* Bytes from the port, on the I/O thread (ctx: the channel). */
void channel_feed(void *ctx, const u8 *data, size_t len);
/* No more bytes will come: settle what is pending (wire_stream_end()). */
void channel_end(struct channel *c);

const struct wire_stream_stats *channel_stats(const struct channel *c);
/* The "channel" object of ktvm's JSON result (no trailing newline). */
void channel_write_json(FILE *f, const struct channel *c, const char *indent);

#endif
