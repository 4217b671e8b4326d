// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues, device side (virtio 1.2 2.7).
 *
 * What the driver can get wrong, and what happens (the queue is marked
 * broken, the transport sets DEVICE_NEEDS_RESET; nothing is trusted again
 * until the driver resets the device):
 *
 *  setup      queue size not a power of two in [1, device max] (2.7);
 *             a ring not aligned (16/2/4) or not wholly in RAM (2.7.1).
 *             virtq_setup() refuses; the queue never becomes ready.
 *  avail idx  more than `size` entries ahead of what we consumed: a driver
 *             cannot have more than `size` chains outstanding (2.7.13), so
 *             the index is garbage. Likewise more than `size` chains in
 *             flight at once.
 *  head/next  a descriptor index >= the size of the table it indexes.
 *  loops      a chain visiting more descriptors than its table holds: chains
 *             are at most `size` long (2.7.5.3.1), so this is a loop.
 *  indirect   without VIRTIO_F_INDIRECT_DESC; with NEXT; inside an indirect
 *             table (2.7.5.3.1); a table length that is zero, not a multiple
 *             of 16, or longer than `size` descriptors (our cap: the spec
 *             bounds a chain by the queue size, so devices must advertise
 *             limits such as virtio-blk seg_max below it); a table not in
 *             RAM. The table's address needs no alignment (the spec sets
 *             none); descriptors are copied out bytewise.
 *  order      a device-readable buffer after a device-writable one (2.7.4.2).
 *  buffers    not wholly in RAM; more than VIRTQ_CHAIN_MAX_BYTES in total;
 *             more non-empty buffers than the device's segment array holds
 *             (the device's "reasonable limit", 2.7.4.1). Empty buffers are
 *             skipped.
 *
 * Every value is read from guest memory exactly once (the guest may change it
 * under us), then checked, then used.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "devices/virtio/virtio.h"
#include "devices/virtio/virtq.h"

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes (virtio 1.2 2.7.5)");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem is 8 bytes (2.7.8)");

static void virtq_set_error(struct virtq *vq, const char *fmt, va_list ap)
{
	vsnprintf(vq->error, sizeof(vq->error), fmt, ap);
}

void virtq_fail(struct virtq *vq, const char *fmt, ...)
{
	va_list ap;

	/* Keep the first reason: later failures are usually its consequences. */
	if (vq->broken)
		return;
	va_start(ap, fmt);
	virtq_set_error(vq, fmt, ap);
	va_end(ap);
	vq->broken = true;
	if (vq->on_broken)
		vq->on_broken(vq);
}

static int __printf(2, 3) virtq_refuse(struct virtq *vq, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	virtq_set_error(vq, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void *virtq_map(const struct virtq *vq, u64 gpa, u64 len)
{
	return vq->mem.gpa(vq->mem.ctx, gpa, len);
}

/*
 * Guest-shared ring fields are accessed with __atomic builtins: each is read
 * once (no torn or repeated reads the guest could race) and the ordering
 * points are explicit. Only the ring header and entry fields are accessed
 * this way; they are naturally aligned because the rings are.
 */
static u16 virtq_load16(const u16 *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static u16 *virtq_used_event(const struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static u16 *virtq_avail_event(const struct virtq *vq)
{
	return (u16 *)&vq->used->ring[vq->size];
}

void virtq_init(struct virtq *vq, const struct virtq_mem *mem, void (*on_broken)(struct virtq *),
		void *owner)
{
	memset(vq, 0, sizeof(*vq));
	vq->mem = *mem;
	vq->on_broken = on_broken;
	vq->owner = owner;
}

void virtq_reset(struct virtq *vq)
{
	struct virtq_mem mem = vq->mem;
	void (*on_broken)(struct virtq *) = vq->on_broken;
	void *owner = vq->owner;

	virtq_init(vq, &mem, on_broken, owner);
}

int virtq_setup(struct virtq *vq, u32 size, u16 max, u64 desc, u64 avail, u64 used, u64 features)
{
	virtq_reset(vq);
	if (max == 0 || max > VIRTIO_QUEUE_SIZE_MAX || (max & (max - 1)))
		return virtq_refuse(vq, "device queue maximum %u is not a power of two <= %u", max,
				    VIRTIO_QUEUE_SIZE_MAX);
	if (size == 0 || size > max || (size & (size - 1)))
		return virtq_refuse(vq, "queue size %u is not a power of two in 1..%u", size, max);
	if (desc % VIRTQ_DESC_ALIGN || avail % VIRTQ_AVAIL_ALIGN || used % VIRTQ_USED_ALIGN)
		return virtq_refuse(vq,
				    "ring misaligned (descriptors 0x%llx, driver area 0x%llx, "
				    "device area 0x%llx; need 16/2/4)",
				    (unsigned long long)desc, (unsigned long long)avail,
				    (unsigned long long)used);
	vq->desc = virtq_map(vq, desc, VIRTQ_DESC_SIZE(size));
	vq->avail = virtq_map(vq, avail, VIRTQ_AVAIL_SIZE(size));
	vq->used = virtq_map(vq, used, VIRTQ_USED_SIZE(size));
	if (!vq->desc || !vq->avail || !vq->used) {
		u64 bad = !vq->desc ? desc : !vq->avail ? avail : used;

		virtq_reset(vq);
		return virtq_refuse(vq, "ring at 0x%llx (queue size %u) is not in guest RAM",
				    (unsigned long long)bad, size);
	}
	vq->size = size;
	vq->event_idx = features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	vq->indirect = features & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	/*
	 * The device area is ours. Start it from a known state whatever the
	 * driver left there: flags 0 (we never ask the driver to stop
	 * notifying, 2.7.10) and idx 0, matching used_idx.
	 */
	__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vq->used->idx, 0, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Copy descriptor i of a table out of guest memory. An indirect table may be
 * unaligned, so tables are addressed as bytes.
 */
static void virtq_read_desc(const u8 *table, u32 i, struct virtq_desc *d)
{
	memcpy(d, table + (size_t)i * sizeof(*d), sizeof(*d));
	/*
	 * Compiler barrier: from here on only the copy is used; the compiler
	 * may not re-read the (guest-writable) source in its place.
	 */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

/* virtq_fail() and the return value for "this chain is refused". */
#define virtq_refuse_chain(vq, ...) (virtq_fail(vq, __VA_ARGS__), -EIO)

/*
 * An indirect descriptor (2.7.5.3): check it and map its table. Its WRITE
 * flag is ignored (2.7.5.3.2).
 */
static int virtq_map_indirect(struct virtq *vq, const struct virtq_desc *d, u16 head, bool nested,
			      const u8 **table, u32 *table_len)
{
	if (!vq->indirect)
		return virtq_refuse_chain(vq, "chain %u: indirect descriptor not negotiated", head);
	/*
	 * A flag, not a pointer comparison: the guest may point the indirect
	 * table at the queue's own table.
	 */
	if (nested)
		return virtq_refuse_chain(vq, "chain %u: indirect descriptor in an indirect table",
					  head);
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return virtq_refuse_chain(vq, "chain %u: indirect descriptor with NEXT", head);
	if (d->len == 0 || d->len % sizeof(struct virtq_desc) ||
	    d->len / sizeof(struct virtq_desc) > vq->size)
		return virtq_refuse_chain(vq,
					  "chain %u: indirect table of %u bytes (need a multiple "
					  "of 16, at most %u descriptors)",
					  head, d->len, vq->size);
	*table = virtq_map(vq, d->addr, d->len);
	if (!*table)
		return virtq_refuse_chain(vq, "chain %u: indirect table at 0x%llx is not in RAM",
					  head, (unsigned long long)d->addr);
	*table_len = d->len / sizeof(struct virtq_desc);
	return 0;
}

/* One plain descriptor: check it and append its buffer to the chain. */
static int virtq_add_buf(struct virtq *vq, const struct virtq_desc *d, bool *seen_writable,
			 struct virtq_chain *c)
{
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	u64 total = (u64)c->readable_len + c->writable_len + d->len;
	void *p;

	/* 2.7.4.2: device-writable buffers come after all device-readable ones. */
	if (writable)
		*seen_writable = true;
	else if (*seen_writable)
		return virtq_refuse_chain(vq, "chain %u: readable buffer after a writable one",
					  c->head);
	if (total > VIRTQ_CHAIN_MAX_BYTES)
		return virtq_refuse_chain(vq, "chain %u: more than %llu bytes", c->head,
					  (unsigned long long)VIRTQ_CHAIN_MAX_BYTES);
	if (d->len == 0)
		return 0;
	p = virtq_map(vq, d->addr, d->len);
	if (!p)
		return virtq_refuse_chain(vq, "chain %u: buffer 0x%llx+%u is not in RAM", c->head,
					  (unsigned long long)d->addr, d->len);
	if (c->nr == c->max)
		return virtq_refuse_chain(vq, "chain %u: more than %u buffers", c->head, c->max);
	c->buf[c->nr].addr = p;
	c->buf[c->nr].len = d->len;
	c->buf[c->nr].writable = writable;
	c->nr++;
	if (writable) {
		c->writable_len += d->len;
	} else {
		c->readable_len += d->len;
		c->nr_readable++;
	}
	return 0;
}

/*
 * Walk the chain starting at descriptor `head` (2.7.5). Each table (the
 * queue's, then at most one indirect table) is walked at most once through:
 * more steps than it has entries means a loop.
 */
static int virtq_walk(struct virtq *vq, u16 head, struct virtq_chain *c)
{
	const u8 *table = (const u8 *)vq->desc;
	u32 table_len = vq->size, idx = head, steps = 0;
	bool seen_writable = false, indirect = false;
	struct virtq_desc d;
	int ret;

	c->head = head;
	c->nr = 0;
	c->nr_readable = 0;
	c->readable_len = 0;
	c->writable_len = 0;
	if (head >= vq->size)
		return virtq_refuse_chain(vq, "head %u is not below the queue size %u", head,
					  vq->size);
	for (;;) {
		if (++steps > table_len)
			return virtq_refuse_chain(vq,
						  "chain %u: longer than its table (%u "
						  "descriptors): a loop",
						  head, table_len);
		virtq_read_desc(table, idx, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			ret = virtq_map_indirect(vq, &d, head, indirect, &table, &table_len);
			if (ret)
				return ret;
			indirect = true;
			idx = 0;
			steps = 0;
			continue;
		}
		ret = virtq_add_buf(vq, &d, &seen_writable, c);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= table_len)
			return virtq_refuse_chain(vq, "chain %u: next %u is not below %u", head,
						  d.next, table_len);
		idx = d.next;
	}
}

/*
 * avail->idx with acquire ordering: pairs with the barrier the driver issues
 * before publishing idx (2.7.13.3), so the ring entries and descriptors it
 * wrote before are visible to the reads that follow.
 */
static u16 virtq_avail_idx(const struct virtq *vq)
{
	return le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
}

int virtq_pop(struct virtq *vq, struct virtq_chain *c)
{
	u16 avail_idx, pending, head;
	int ret;

	if (!vq->size || vq->broken)
		return -EIO;
	avail_idx = virtq_avail_idx(vq);
	if (avail_idx == vq->last_avail) {
		if (!vq->event_idx)
			return 0;
		/*
		 * Empty: ask the driver to notify when it fills the entry we
		 * wait for (avail_event, 2.7.10), then look again. The driver
		 * publishes avail->idx, issues a full barrier and reads
		 * avail_event (2.7.13.4); we publish avail_event, issue a
		 * full barrier and read avail->idx. One of us sees the other's
		 * store, so an entry added meanwhile is either seen here or
		 * notified.
		 */
		__atomic_store_n(virtq_avail_event(vq), htole16(vq->last_avail), __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = virtq_avail_idx(vq);
		if (avail_idx == vq->last_avail)
			return 0;
	}
	pending = avail_idx - vq->last_avail;
	if (pending > vq->size)
		return virtq_refuse_chain(vq, "avail idx %u is %u entries past %u (queue size %u)",
					  avail_idx, pending, vq->last_avail, vq->size);
	if (vq->in_flight >= vq->size)
		return virtq_refuse_chain(vq, "more than %u chains in flight", vq->size);
	head = virtq_load16(&vq->avail->ring[vq->last_avail & (vq->size - 1)]);
	ret = virtq_walk(vq, head, c);
	if (ret)
		return ret;
	vq->last_avail++;
	vq->in_flight++;
	return 1;
}

int virtq_push(struct virtq *vq, u16 head, u32 written)
{
	struct virtq_used_elem *e;

	if (!vq->size || vq->broken)
		return -EIO;
	/* Device bugs, not guest ones: the queue stays usable. */
	if (head >= vq->size || vq->in_flight == 0)
		return -EINVAL;
	e = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	__atomic_store_n(&e->id, htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, htole32(written), __ATOMIC_RELAXED);
	vq->used_idx++;
	vq->in_flight--;
	/*
	 * Release: the buffer contents and this element must be visible
	 * before the driver can see the new idx (2.7.8.2: len is set, and the
	 * data written, "prior to updating the used idx").
	 */
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx), __ATOMIC_RELEASE);
	return 0;
}

bool virtq_need_notify(struct virtq *vq)
{
	u16 old = vq->signalled_used, new = vq->used_idx, event;

	if (!vq->size || vq->broken || old == new)
		return false;
	vq->signalled_used = new;
	/*
	 * Full barrier between publishing used->idx (virtq_push) and reading
	 * the driver's suppression fields. The driver re-enables
	 * notifications, issues a full barrier and re-reads used->idx (2.7.14);
	 * without this one it could miss our entries while we read a stale
	 * "no interrupt" and skip the notification.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx) {
		/*
		 * 2.7.7.2: notify if used->idx passed used_event + 1 with one of
		 * the entries written since the last check, i.e. used_event is
		 * in [old, new) (mod 2^16).
		 */
		event = virtq_load16(virtq_used_event(vq));
		return (u16)(new - event - 1) < (u16)(new - old);
	}
	return !(virtq_load16(&vq->avail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}
