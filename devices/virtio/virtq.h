/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues, device side (virtio 1.2 2.7).
 *
 * The rings live in guest memory and everything in them is written by the
 * guest: every index, length, flag and address is checked before use, every
 * walk is bounded, and a queue whose driver breaks the rules is marked broken
 * (the transport then sets DEVICE_NEEDS_RESET, virtio 1.2 2.1.2) instead of
 * being trusted further. What is refused, and why, is listed in virtq.c.
 *
 * Guest memory is reached only through struct virtq_mem, so tests can fake it;
 * in ktvm it wraps vm_gpa().
 *
 * A virtqueue is not thread-safe: the device serialises virtq_pop(),
 * virtq_push() and virtq_need_notify() on one queue (one thread, or a lock).
 * The guest runs concurrently; the memory barriers that make that safe are
 * inside these functions.
 */
#ifndef KTVM_DEVICES_VIRTIO_VIRTQ_H
#define KTVM_DEVICES_VIRTIO_VIRTQ_H

#include "core/base/types.h"

/* Descriptor table entry, virtio 1.2 2.7.5. All ring fields are little-endian. */
struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

/* Available ring (driver area), virtio 1.2 2.7.6; used_event is ring[size]. */
struct virtq_avail {
	u16 flags;
	u16 idx;
	u16 ring[];
};

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

/* Used ring (device area), virtio 1.2 2.7.8; avail_event follows ring[size]. */
struct virtq_used_elem {
	u32 id;	 /* head of the chain */
	u32 len; /* bytes written into its device-writable buffers */
};

struct virtq_used {
	u16 flags;
	u16 idx;
	struct virtq_used_elem ring[];
};

/* Sizes and alignments of the three parts, virtio 1.2 2.7 (table). */
#define VIRTQ_DESC_ALIGN    16
#define VIRTQ_AVAIL_ALIGN   2
#define VIRTQ_USED_ALIGN    4
#define VIRTQ_DESC_SIZE(n)  (16ULL * (n))
#define VIRTQ_AVAIL_SIZE(n) (6ULL + 2ULL * (n))
#define VIRTQ_USED_SIZE(n)  (6ULL + 8ULL * (n))

/*
 * Total bytes one chain may describe (readable plus writable). The spec only
 * forbids 4 GiB (2.7.5.2); no ktvm device needs more than this.
 */
#define VIRTQ_CHAIN_MAX_BYTES (64 * MiB)

/*
 * Guest memory: gpa() returns a host pointer to [gpa, gpa+len) if the whole
 * range is guest RAM, else NULL. Rings and buffers are used in place.
 */
struct virtq_mem {
	void *(*gpa)(void *ctx, u64 gpa, u64 len);
	void *ctx;
};

/* One buffer of a chain, mapped into the host. */
struct virtq_buf {
	void *addr;
	u32 len;
	bool writable; /* device-writable (VIRTQ_DESC_F_WRITE) */
};

/*
 * A chain returned by virtq_pop(). The caller provides buf[max]; a chain
 * with more (non-empty) buffers than that is refused. Readable buffers come
 * first: buf[0..nr_readable) are device-readable, buf[nr_readable..nr)
 * device-writable.
 */
struct virtq_chain {
	struct virtq_buf *buf;
	u32 max;
	u32 nr;
	u32 nr_readable;
	u32 readable_len; /* total bytes, <= VIRTQ_CHAIN_MAX_BYTES */
	u32 writable_len;
	u16 head; /* give this back to virtq_push() */
};

struct virtq {
	/* Set by the owner once (virtq_init); kept across resets. */
	struct virtq_mem mem;
	void (*on_broken)(struct virtq *vq); /* called once when the queue breaks */
	void *owner;

	/* Set by virtq_setup(); size 0 means not set up. */
	u16 size;
	bool event_idx; /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;	/* VIRTIO_F_INDIRECT_DESC negotiated */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;

	u16 last_avail;	    /* next avail ring entry to consume */
	u16 used_idx;	    /* our copy of used->idx */
	u16 signalled_used; /* used_idx when virtq_need_notify() last ran */
	u32 in_flight;	    /* popped and not yet pushed */
	bool broken;
	char error[128]; /* why it broke, or why virtq_setup() refused */
};

void virtq_init(struct virtq *vq, const struct virtq_mem *mem, void (*on_broken)(struct virtq *),
		void *owner);

/*
 * Check and map the rings the driver configured. size must be a power of
 * two no larger than max; each part must lie in RAM and be aligned as the
 * spec requires. features are the negotiated feature bits (for EVENT_IDX
 * and INDIRECT_DESC). Returns -EINVAL with vq->error set if refused.
 */
int virtq_setup(struct virtq *vq, u32 size, u16 max, u64 desc, u64 avail, u64 used, u64 features);
/* Forget the rings (device reset); mem, on_broken and owner stay. */
void virtq_reset(struct virtq *vq);

/*
 * Take the next available chain. Returns 1 with *c filled, 0 if the ring is
 * empty (with EVENT_IDX, the driver has then been asked to notify for the
 * next one), or -EIO if the queue is (now) broken.
 */
int virtq_pop(struct virtq *vq, struct virtq_chain *c);
/* Return a popped chain to the driver with `written` bytes written into it. */
int virtq_push(struct virtq *vq, u16 head, u32 written);
/*
 * After one or more virtq_push(): does the driver want a used buffer
 * notification (virtio 1.2 2.7.7)? The caller then raises the interrupt.
 */
bool virtq_need_notify(struct virtq *vq);

/* Mark the queue broken with a reason (also used by devices for their own checks). */
void virtq_fail(struct virtq *vq, const char *fmt, ...) __printf(2, 3);

static inline bool virtq_ready(const struct virtq *vq)
{
	return vq->size != 0;
}

#endif
