/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio block device's state, shared by blk.c (the ring) and blk_io.c
 * (the worker threads and the file). Not for other users: they see struct
 * virtio_blk as opaque.
 *
 * Everything below the fixed configuration is guarded by b->lock, which also
 * serialises our use of the queue (virtq.h) between the notifying thread
 * and the workers.
 */
#ifndef KTVM_DEVICES_VIRTIO_BLK_INTERNAL_H
#define KTVM_DEVICES_VIRTIO_BLK_INTERNAL_H

#include <sys/uio.h>

#include "devices/virtio/blk.h"

/* The logical block announced with cache=none, which O_DIRECT's alignment needs. */
#define VIRTIO_BLK_DIRECT_BLOCK 4096
/* A worker's aligned bounce buffer for O_DIRECT. */
#define VIRTIO_BLK_BOUNCE (1 * MiB)

/* A request taken off the ring, in host memory except the data and status it points to. */
struct virtio_blk_req {
	struct virtio_blk_req *next; /* the free list, or the workers' queue */
	u32 type;
	u32 flags; /* of a DISCARD/WRITE_ZEROES range */
	u64 sector;
	u64 len; /* data bytes (IN/OUT/GET_ID), or the range's bytes */
	struct iovec iov[VIRTIO_BLK_SEG_MAX];
	u32 niov;
	u16 head;
	u8 *status; /* in guest memory */
	u32 gen;    /* b->gen when it was taken */
};

struct virtio_blk_worker {
	struct virtio_blk *b;
	pthread_t thread;
	u8 *bounce; /* O_DIRECT only */
};

struct virtio_blk {
	struct virtio_mmio t;
	struct virtio_dev_ops ops; /* blk_ops, with RO when read-only */
	int fd;
	u64 size;
	bool read_only, direct;
	u32 block; /* logical block announced: 512, or 4096 with direct */
	char id[VIRTIO_BLK_ID_BYTES + 1];

	pthread_mutex_t lock;
	pthread_cond_t idle; /* in_flight dropped to 0 */
	bool active;	     /* from activate() to reset() */
	u32 gen;	     /* bumped at each reset */
	struct virtio_blk_req reqs[VIRTIO_BLK_QUEUE_MAX];
	struct virtio_blk_req *free;
	u32 in_flight, in_flight_max;
	u64 requests, reads, writes, flushes, discards, write_zeroes, get_ids;
	u64 bytes_read, bytes_written, errors, unsupported, bad_chains, cancelled;
	struct virtq_buf bufs[VIRTIO_BLK_QUEUE_MAX + 2]; /* blk_pass()'s scratch */

	/* The workers' queue (blk_io.c), under io_lock, a leaf lock. */
	pthread_mutex_t io_lock;
	pthread_cond_t io_cond;
	struct virtio_blk_req *io_head, *io_tail;
	bool io_stop;
	struct virtio_blk_worker workers[VIRTIO_BLK_WORKERS_MAX];
	u32 nr_workers;
};

static inline struct virtq *blk_vq(struct virtio_blk *b)
{
	if (!b->active || atomic_load(&b->t.needs_reset))
		return NULL;
	return virtio_mmio_queue(&b->t, 0);
}

/* blk.c */
/* Take what the ring holds while request slots are free; b->lock held. */
void blk_pass(struct virtio_blk *b);
/* A worker finished r with status s; takes b->lock. */
void blk_done(struct virtio_blk *b, struct virtio_blk_req *r, u8 s, u32 data_written);

/* blk_io.c */
int blk_io_start(struct virtio_blk *b, u32 workers);
/* Finish the queued requests, stop and join the workers. */
void blk_io_stop(struct virtio_blk *b);
/* Hand r to the workers; b->lock held (counts it in flight). */
void blk_io_queue(struct virtio_blk *b, struct virtio_blk_req *r);
/* Take back the requests no worker has started; b->lock held. */
void blk_io_cancel(struct virtio_blk *b);

#endif
