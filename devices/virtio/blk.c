// SPDX-License-Identifier: GPL-2.0
/*
 * virtio block device (virtio 1.2 5.2): the ring side here, the file side
 * in blk_io.c. See blk.h for the threads and what is refused.
 *
 * A request (5.2.6) is one chain: the 16-byte header in device-readable
 * bytes, then the data (readable for OUT, DISCARD and WRITE_ZEROES, writable
 * for IN and GET_ID), then one writable status byte at the very end. No
 * buffer boundaries are assumed (VERSION_1 implies any layout, 2.7.4): the
 * header is gathered from however many buffers hold it, and the status byte
 * is the chain's last writable byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/endian.h"
#include "core/base/error.h"
#include "devices/virtio/blk_internal.h"

static struct virtio_blk *to_blk(struct virtio_mmio *t)
{
	return container_of(t, struct virtio_blk, t);
}

/* Bytes [from, from+len) of buffers [first, end) of ch as iovecs; -1 past max. */
static int blk_iov(const struct virtq_chain *ch, u32 first, u32 end, u64 from, u64 len,
		   struct iovec *iov, u32 max)
{
	u32 i, n = 0;

	for (i = first; i < end && len; i++) {
		u64 blen = ch->buf[i].len;

		if (from >= blen) {
			from -= blen;
			continue;
		}
		if (n == max)
			return -1;
		iov[n].iov_base = (u8 *)ch->buf[i].addr + from;
		iov[n].iov_len = MIN(blen - from, len);
		len -= iov[n].iov_len;
		from = 0;
		n++;
	}
	return (int)n;
}

/* Copy len bytes of iov (from byte `from` on) into dst, a host copy the guest cannot change. */
static void blk_gather(const struct iovec *iov, u32 n, u64 from, void *dst, u64 len)
{
	u8 *d = dst;
	u32 i;

	for (i = 0; i < n && len; i++) {
		u64 c;

		if (from >= iov[i].iov_len) {
			from -= iov[i].iov_len;
			continue;
		}
		c = MIN(iov[i].iov_len - from, len);
		memcpy(d, (u8 *)iov[i].iov_base + from, c);
		d += c;
		len -= c;
		from = 0;
	}
}

/* The chain's last writable byte: where the status goes (5.2.6). */
static u8 *blk_status_byte(const struct virtq_chain *ch)
{
	u32 i;

	for (i = ch->nr; i > ch->nr_readable; i--)
		if (ch->buf[i - 1].len)
			return (u8 *)ch->buf[i - 1].addr + ch->buf[i - 1].len - 1;
	return NULL;
}

/* Is [sector, sector + bytes/512) inside the disk? Overflow-safe. */
static bool blk_in_range(const struct virtio_blk *b, u64 sector, u64 bytes)
{
	u64 sectors = b->size / VIRTIO_BLK_SECTOR;

	return sector <= sectors && bytes / VIRTIO_BLK_SECTOR <= sectors - sector;
}

/*
 * Check a data-carrying request: the data lies in buffers [first, end) from
 * byte `from`, len bytes. Fills r->iov. Returns a VIRTIO_BLK_S_* status.
 */
static u8 blk_map_data(struct virtio_blk *b, struct virtio_blk_req *r, const struct virtq_chain *ch,
		       u32 first, u32 end, u64 from, u64 len)
{
	int n;
	u32 i;

	if (len % b->block || len > (u64)VIRTIO_BLK_SEG_MAX * VIRTIO_BLK_SIZE_MAX)
		return VIRTIO_BLK_S_IOERR;
	if (!blk_in_range(b, r->sector, len))
		return VIRTIO_BLK_S_IOERR;
	n = blk_iov(ch, first, end, from, len, r->iov, VIRTIO_BLK_SEG_MAX);
	if (n < 0)
		return VIRTIO_BLK_S_IOERR;
	for (i = 0; i < (u32)n; i++)
		if (r->iov[i].iov_len > VIRTIO_BLK_SIZE_MAX)
			return VIRTIO_BLK_S_IOERR;
	r->niov = (u32)n;
	r->len = len;
	return VIRTIO_BLK_S_OK;
}

/* DISCARD and WRITE_ZEROES: exactly one range (max_*_seg is 1), copied to the host. */
static u8 blk_map_range(struct virtio_blk *b, struct virtio_blk_req *r,
			const struct virtq_chain *ch)
{
	struct iovec iov[VIRTIO_BLK_SEG_MAX + 1];
	u8 raw[VIRTIO_BLK_RANGE_LEN];
	u32 sectors;
	int n;

	if (ch->readable_len != VIRTIO_BLK_HDR_LEN + VIRTIO_BLK_RANGE_LEN || ch->writable_len != 1)
		return VIRTIO_BLK_S_IOERR;
	n = blk_iov(ch, 0, ch->nr_readable, VIRTIO_BLK_HDR_LEN, VIRTIO_BLK_RANGE_LEN, iov,
		    ARRAY_SIZE(iov));
	if (n < 0)
		return VIRTIO_BLK_S_IOERR;
	blk_gather(iov, (u32)n, 0, raw, sizeof(raw));
	r->sector = get_le64(raw);
	sectors = get_le32(raw + 8);
	r->flags = get_le32(raw + 12);
	r->len = (u64)sectors * VIRTIO_BLK_SECTOR;
	/* 5.2.6.2: unknown flags and, for DISCARD, any flag at all make the device refuse. */
	if (r->flags & ~(u32)(r->type == VIRTIO_BLK_T_WRITE_ZEROES ? VIRTIO_BLK_WZ_FLAG_UNMAP : 0))
		return VIRTIO_BLK_S_UNSUPP;
	if (sectors > VIRTIO_BLK_RANGE_SECTORS_MAX || !blk_in_range(b, r->sector, r->len))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

/* Turn a popped chain into r; the status to answer with at once, or OK to queue it. */
static u8 blk_parse(struct virtio_blk *b, struct virtio_blk_req *r, const struct virtq_chain *ch)
{
	struct iovec iov[VIRTIO_BLK_SEG_MAX + 1];
	u8 hdr[VIRTIO_BLK_HDR_LEN];
	int n;

	if (ch->readable_len < VIRTIO_BLK_HDR_LEN)
		return VIRTIO_BLK_S_IOERR;
	n = blk_iov(ch, 0, ch->nr_readable, 0, VIRTIO_BLK_HDR_LEN, iov, ARRAY_SIZE(iov));
	if (n < 0)
		return VIRTIO_BLK_S_IOERR;
	blk_gather(iov, (u32)n, 0, hdr, sizeof(hdr));
	r->type = get_le32(hdr);
	r->sector = get_le64(hdr + 8);
	r->niov = 0;
	r->len = 0;
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		/* Nothing readable past the header; the data is every writable byte but the status. */
		if (ch->readable_len != VIRTIO_BLK_HDR_LEN)
			return VIRTIO_BLK_S_IOERR;
		return blk_map_data(b, r, ch, ch->nr_readable, ch->nr, 0, ch->writable_len - 1);
	case VIRTIO_BLK_T_OUT:
		if (b->read_only)
			return VIRTIO_BLK_S_IOERR;
		if (ch->writable_len != 1)
			return VIRTIO_BLK_S_IOERR;
		return blk_map_data(b, r, ch, 0, ch->nr_readable, VIRTIO_BLK_HDR_LEN,
				    ch->readable_len - VIRTIO_BLK_HDR_LEN);
	case VIRTIO_BLK_T_FLUSH:
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		if (ch->readable_len != VIRTIO_BLK_HDR_LEN)
			return VIRTIO_BLK_S_IOERR;
		n = blk_iov(ch, ch->nr_readable, ch->nr, 0,
			    MIN(ch->writable_len - 1, VIRTIO_BLK_ID_BYTES), r->iov,
			    VIRTIO_BLK_SEG_MAX);
		if (n < 0)
			return VIRTIO_BLK_S_IOERR;
		r->niov = (u32)n;
		r->len = MIN(ch->writable_len - 1, VIRTIO_BLK_ID_BYTES);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		if (b->read_only)
			return VIRTIO_BLK_S_IOERR;
		return blk_map_range(b, r, ch);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* With b->lock held: give chain `head` back with its status written. */
static void blk_complete(struct virtio_blk *b, struct virtq *vq, u16 head, u8 *status, u8 s,
			 u32 data_written)
{
	*status = s;
	if (s == VIRTIO_BLK_S_IOERR)
		b->errors++;
	else if (s == VIRTIO_BLK_S_UNSUPP)
		b->unsupported++;
	virtq_push(vq, head, data_written + 1);
}

/*
 * Take chains off the ring while a request slot is free, at most the ring's
 * size per call (answering bad chains at once takes no slot, so a guest
 * that keeps posting them must not hold this thread); b->lock held. A
 * chain left in the ring for want of a slot is taken when a worker frees
 * one (blk_done() runs this again), and one left at the bound when the
 * queue is notified again at our request, so no notification is lost even
 * with EVENT_IDX, which re-arms only when virtq_pop() finds the ring empty.
 */
void blk_pass(struct virtio_blk *b)
{
	struct virtq_chain ch = {.buf = b->bufs, .max = ARRAY_SIZE(b->bufs)};
	struct virtq *vq = blk_vq(b);
	bool pushed = false;
	u32 n;

	for (n = 0; vq && b->free; n++) {
		struct virtio_blk_req *r = b->free;
		u8 *status, s;

		if (n == vq->size) {
			virtio_mmio_renotify(&b->t, 0);
			break;
		}
		if (virtq_pop(vq, &ch) != 1)
			break;
		b->requests++;
		status = blk_status_byte(&ch);
		if (!status) {
			/* Nowhere to say what went wrong: give it back untouched (5.2.6.1). */
			b->bad_chains++;
			virtq_push(vq, ch.head, 0);
			pushed = true;
			continue;
		}
		s = blk_parse(b, r, &ch);
		if (s != VIRTIO_BLK_S_OK) {
			blk_complete(b, vq, ch.head, status, s, 0);
			pushed = true;
			continue;
		}
		b->free = r->next;
		r->head = ch.head;
		r->status = status;
		r->gen = b->gen;
		blk_io_queue(b, r);
	}
	if (pushed)
		virtio_mmio_notify_used(&b->t, 0);
}

void blk_done(struct virtio_blk *b, struct virtio_blk_req *r, u8 s, u32 data_written)
{
	struct virtq *vq;

	pthread_mutex_lock(&b->lock);
	vq = blk_vq(b);
	/* A request from before a reset is not the new driver's: its chain is forgotten. */
	if (vq && r->gen == b->gen) {
		blk_complete(b, vq, r->head, r->status, s, data_written);
		virtio_mmio_notify_used(&b->t, 0);
	}
	r->next = b->free;
	b->free = r;
	b->in_flight--;
	if (!b->in_flight)
		pthread_cond_broadcast(&b->idle);
	blk_pass(b);
	pthread_mutex_unlock(&b->lock);
}

/* Transport callbacks. */

static void blk_config_read(struct virtio_mmio *t, u32 off, void *data, u32 len)
{
	struct virtio_blk *b = to_blk(t);
	u8 space[VIRTIO_BLK_CONFIG_LEN] = {0};

	put_le64(space + VIRTIO_BLK_CONFIG_CAPACITY, b->size / VIRTIO_BLK_SECTOR);
	put_le32(space + VIRTIO_BLK_CONFIG_SIZE_MAX, VIRTIO_BLK_SIZE_MAX);
	put_le32(space + VIRTIO_BLK_CONFIG_SEG_MAX, VIRTIO_BLK_SEG_MAX);
	put_le32(space + VIRTIO_BLK_CONFIG_BLK_SIZE, b->block);
	put_le16(space + VIRTIO_BLK_CONFIG_NUM_QUEUES, 1);
	put_le32(space + VIRTIO_BLK_CONFIG_MAX_DISCARD_SECTORS, VIRTIO_BLK_RANGE_SECTORS_MAX);
	put_le32(space + VIRTIO_BLK_CONFIG_MAX_DISCARD_SEG, 1);
	put_le32(space + VIRTIO_BLK_CONFIG_DISCARD_ALIGN, b->block / VIRTIO_BLK_SECTOR);
	put_le32(space + VIRTIO_BLK_CONFIG_MAX_WZ_SECTORS, VIRTIO_BLK_RANGE_SECTORS_MAX);
	put_le32(space + VIRTIO_BLK_CONFIG_MAX_WZ_SEG, 1);
	space[VIRTIO_BLK_CONFIG_WZ_MAY_UNMAP] = 1;
	memcpy(data, space + off, len);
}

static void blk_activate(struct virtio_mmio *t)
{
	struct virtio_blk *b = to_blk(t);

	pthread_mutex_lock(&b->lock);
	b->active = true;
	pthread_mutex_unlock(&b->lock);
}

static void blk_queue_notify(struct virtio_mmio *t, u32 q)
{
	struct virtio_blk *b = to_blk(t);

	pthread_mutex_lock(&b->lock);
	blk_pass(b);
	pthread_mutex_unlock(&b->lock);
}

/*
 * 2.4: after this returns nothing touches the queue. Requests no worker has
 * started are dropped (the driver that sent them is gone); the ones being
 * done are waited for, so the wait is at most one request per worker.
 */
static void blk_reset(struct virtio_mmio *t)
{
	struct virtio_blk *b = to_blk(t);

	pthread_mutex_lock(&b->lock);
	b->active = false;
	b->gen++;
	blk_io_cancel(b);
	while (b->in_flight)
		pthread_cond_wait(&b->idle, &b->lock);
	pthread_mutex_unlock(&b->lock);
}

static const struct virtio_dev_ops blk_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .features = VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
		VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
		VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES),
    .num_queues = 1,
    .queue_max = VIRTIO_BLK_QUEUE_MAX,
    .config_len = VIRTIO_BLK_CONFIG_LEN,
    .config_read = blk_config_read,
    .activate = blk_activate,
    .queue_notify = blk_queue_notify,
    .reset = blk_reset,
};

/* The host's interface. */

void virtio_blk_pause(struct virtio_blk *b)
{
	pthread_mutex_lock(&b->lock);
	while (b->in_flight)
		pthread_cond_wait(&b->idle, &b->lock);
}

void virtio_blk_resume(struct virtio_blk *b)
{
	pthread_mutex_unlock(&b->lock);
}

void virtio_blk_drain(struct virtio_blk *b)
{
	pthread_mutex_lock(&b->lock);
	blk_pass(b);
	while (b->in_flight)
		pthread_cond_wait(&b->idle, &b->lock);
	pthread_mutex_unlock(&b->lock);
}

void virtio_blk_stats(struct virtio_blk *b, struct virtio_blk_stats *out)
{
	pthread_mutex_lock(&b->lock);
	*out = (struct virtio_blk_stats){
	    .requests = b->requests,
	    .reads = b->reads,
	    .writes = b->writes,
	    .flushes = b->flushes,
	    .discards = b->discards,
	    .write_zeroes = b->write_zeroes,
	    .get_ids = b->get_ids,
	    .bytes_read = b->bytes_read,
	    .bytes_written = b->bytes_written,
	    .errors = b->errors,
	    .unsupported = b->unsupported,
	    .bad_chains = b->bad_chains,
	    .cancelled = b->cancelled,
	    .in_flight = b->in_flight,
	    .in_flight_max = b->in_flight_max,
	};
	pthread_mutex_unlock(&b->lock);
}

struct virtio_mmio *virtio_blk_transport(struct virtio_blk *b)
{
	return &b->t;
}

/* Creation. */

static int blk_check(const struct virtio_blk_config *cfg)
{
	if (cfg->fd < 0)
		return error_input(-EBADF, "virtio-blk: no backing file");
	if (!cfg->size || cfg->size % VIRTIO_BLK_SECTOR)
		return error_input(
		    -EINVAL, "virtio-blk: a disk of %llu bytes (need a non-zero multiple of %u)",
		    (unsigned long long)cfg->size, VIRTIO_BLK_SECTOR);
	if (cfg->direct && cfg->size % VIRTIO_BLK_DIRECT_BLOCK)
		return error_input(-EINVAL,
				   "virtio-blk: cache=none needs a size that is a multiple of %u "
				   "(got %llu bytes)",
				   VIRTIO_BLK_DIRECT_BLOCK, (unsigned long long)cfg->size);
	if (cfg->workers > VIRTIO_BLK_WORKERS_MAX)
		return error_input(-EINVAL, "virtio-blk: %u workers (at most %u)", cfg->workers,
				   VIRTIO_BLK_WORKERS_MAX);
	return 0;
}

int virtio_blk_create(struct virtio_blk **out, const struct virtio_blk_config *cfg, u64 mmio_base,
		      const struct virtq_mem *mem, virtio_mmio_irq_fn irq, void *irq_ctx)
{
	struct virtio_blk *b;
	u32 i;
	int ret;

	*out = NULL;
	ret = blk_check(cfg);
	if (ret)
		return ret;
	b = calloc(1, sizeof(*b));
	if (!b)
		return error_host(-ENOMEM, "virtio-blk: cannot allocate the device");
	b->fd = cfg->fd;
	b->size = cfg->size;
	b->read_only = cfg->read_only;
	b->direct = cfg->direct;
	/* O_DIRECT wants aligned offsets and lengths: make the guest's logical block 4 KiB. */
	b->block = cfg->direct ? VIRTIO_BLK_DIRECT_BLOCK : VIRTIO_BLK_SECTOR;
	memcpy(b->id, cfg->id, sizeof(b->id));
	b->id[VIRTIO_BLK_ID_BYTES] = '\0';
	b->ops = blk_ops;
	if (cfg->read_only)
		b->ops.features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	for (i = 0; i < VIRTIO_BLK_QUEUE_MAX; i++) {
		b->reqs[i].next = b->free;
		b->free = &b->reqs[i];
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->idle, NULL);
	ret = virtio_mmio_init(&b->t, "virtio-blk", mmio_base, &b->ops, mem, irq, irq_ctx);
	if (ret) {
		pthread_cond_destroy(&b->idle);
		pthread_mutex_destroy(&b->lock);
		free(b);
		return ret;
	}
	ret = blk_io_start(b, cfg->workers ? cfg->workers : VIRTIO_BLK_WORKERS_DEFAULT);
	if (ret) {
		virtio_blk_destroy(b);
		return ret;
	}
	*out = b;
	return 0;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	if (!b)
		return;
	blk_io_stop(b);
	virtio_mmio_destroy(&b->t);
	pthread_cond_destroy(&b->idle);
	pthread_mutex_destroy(&b->lock);
	free(b);
}
