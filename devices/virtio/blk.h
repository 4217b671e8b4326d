/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio block device (virtio 1.2 5.2) on the virtio-mmio transport
 * (mmio.h), backed by a host file descriptor (a raw image).
 *
 * One request queue. The thread that delivers a queue notification (the
 * VMM's I/O thread, or a vCPU without ioeventfd) only takes chains off the
 * ring, checks them and copies what it needs out of guest memory (the
 * request header and discard ranges: the guest may rewrite them at any
 * time); the file I/O runs on a pool of worker threads, so several requests
 * are in flight at once and neither a vCPU nor the I/O thread ever waits
 * for the disk. A worker writes the status byte, gives the chain back and
 * raises the interrupt (through the irqfd in ktvm).
 *
 * Data moves with preadv()/pwritev() straight between the file and the
 * guest's buffers, except with cfg->direct (the file opened O_DIRECT, for
 * cache=none), where it goes through an aligned per-worker bounce buffer,
 * since guest buffers need not be aligned as O_DIRECT requires.
 *
 * What the driver can get wrong (on top of what virtq.c refuses) is answered
 * with VIRTIO_BLK_S_IOERR or _UNSUPP and counted; a chain with no byte for
 * the status is given back unanswered and counted in bad_chains. No request
 * reaches outside [0, capacity) of the file.
 *
 * Threads and locks: the transport calls our ops with t->lock held; the
 * device lock nests inside it and serialises the queue between the
 * notifying thread and the workers. Workers never take t->lock, so reset()
 * (which holds it) may wait for them: it returns once no request is in
 * flight. virtio_blk_stats() and virtio_blk_drain() may be called from any
 * thread.
 */
#ifndef KTVM_DEVICES_VIRTIO_BLK_H
#define KTVM_DEVICES_VIRTIO_BLK_H

#include "core/base/types.h"
#include "devices/virtio/mmio.h"

/* Feature bits, virtio 1.2 5.2.3. */
#define VIRTIO_BLK_F_SIZE_MAX	  1
#define VIRTIO_BLK_F_SEG_MAX	  2
#define VIRTIO_BLK_F_RO		  5
#define VIRTIO_BLK_F_BLK_SIZE	  6
#define VIRTIO_BLK_F_FLUSH	  9
#define VIRTIO_BLK_F_DISCARD	  13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Configuration space offsets, virtio 1.2 5.2.4 (struct virtio_blk_config). */
#define VIRTIO_BLK_CONFIG_CAPACITY	      0	 /* le64, in 512-byte sectors */
#define VIRTIO_BLK_CONFIG_SIZE_MAX	      8	 /* le32 */
#define VIRTIO_BLK_CONFIG_SEG_MAX	      12 /* le32 */
#define VIRTIO_BLK_CONFIG_BLK_SIZE	      20 /* le32 */
#define VIRTIO_BLK_CONFIG_NUM_QUEUES	      34 /* le16 */
#define VIRTIO_BLK_CONFIG_MAX_DISCARD_SECTORS 36 /* le32 */
#define VIRTIO_BLK_CONFIG_MAX_DISCARD_SEG     40 /* le32 */
#define VIRTIO_BLK_CONFIG_DISCARD_ALIGN	      44 /* le32, sectors */
#define VIRTIO_BLK_CONFIG_MAX_WZ_SECTORS      48 /* le32 */
#define VIRTIO_BLK_CONFIG_MAX_WZ_SEG	      52 /* le32 */
#define VIRTIO_BLK_CONFIG_WZ_MAY_UNMAP	      56 /* u8 */
#define VIRTIO_BLK_CONFIG_LEN		      60

/* Request types and status values, virtio 1.2 5.2.6. */
#define VIRTIO_BLK_T_IN		  0
#define VIRTIO_BLK_T_OUT	  1
#define VIRTIO_BLK_T_FLUSH	  4
#define VIRTIO_BLK_T_GET_ID	  8
#define VIRTIO_BLK_T_DISCARD	  11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK		  0
#define VIRTIO_BLK_S_IOERR	  1
#define VIRTIO_BLK_S_UNSUPP	  2
/* The request header: le32 type, le32 reserved, le64 sector. */
#define VIRTIO_BLK_HDR_LEN 16
/* A DISCARD/WRITE_ZEROES range: le64 sector, le32 num_sectors, le32 flags. */
#define VIRTIO_BLK_RANGE_LEN	 16
#define VIRTIO_BLK_WZ_FLAG_UNMAP 1
#define VIRTIO_BLK_ID_BYTES	 20
#define VIRTIO_BLK_SECTOR	 512

/* What the device announces and enforces. */
#define VIRTIO_BLK_QUEUE_MAX 128
#define VIRTIO_BLK_SEG_MAX   (VIRTIO_BLK_QUEUE_MAX - 2) /* data buffers per request */
#define VIRTIO_BLK_SIZE_MAX  (256 * KiB)		/* bytes per data buffer */
/* Sectors one DISCARD or WRITE_ZEROES range may cover (32 MiB). */
#define VIRTIO_BLK_RANGE_SECTORS_MAX (32 * MiB / VIRTIO_BLK_SECTOR)
#define VIRTIO_BLK_WORKERS_MAX	     64
#define VIRTIO_BLK_WORKERS_DEFAULT   4

struct virtio_blk_config {
	int fd;		/* the backing file; the device does not close it */
	u64 size;	/* bytes of it the guest sees: a multiple of 512, > 0 */
	bool read_only; /* VIRTIO_BLK_F_RO: writes, discards and write-zeroes refused */
	bool direct;	/* fd is O_DIRECT: bounce through aligned buffers, 4 KiB blocks */
	u32 workers;	/* I/O threads, 1..VIRTIO_BLK_WORKERS_MAX; 0: the default */
	char id[VIRTIO_BLK_ID_BYTES + 1]; /* GET_ID's answer (the serial), may be "" */
};

struct virtio_blk_stats {
	u64 requests; /* chains taken off the ring */
	u64 reads, writes, flushes, discards, write_zeroes, get_ids;
	u64 bytes_read;	   /* file -> guest */
	u64 bytes_written; /* guest -> file */
	u64 errors;	   /* answered VIRTIO_BLK_S_IOERR */
	u64 unsupported;   /* answered VIRTIO_BLK_S_UNSUPP */
	u64 bad_chains;	   /* no room for a status byte: given back unanswered */
	u64 cancelled;	   /* taken before a reset and dropped by it, not started */
	u32 in_flight;	   /* now */
	u32 in_flight_max; /* the most at once */
};

struct virtio_blk;

/*
 * Create the device, its transport at mmio_base and its worker threads.
 * Returns -errno with the error message set (core/base/error.h).
 */
int virtio_blk_create(struct virtio_blk **out, const struct virtio_blk_config *cfg, u64 mmio_base,
		      const struct virtq_mem *mem, virtio_mmio_irq_fn irq, void *irq_ctx);
/* Stops the workers (after the requests in flight). NULL is ignored. */
void virtio_blk_destroy(struct virtio_blk *b);
struct virtio_mmio *virtio_blk_transport(struct virtio_blk *b);
/*
 * Start what the driver left in the ring without notifying and wait until
 * no request is in flight. For after the vCPUs have stopped.
 */
void virtio_blk_drain(struct virtio_blk *b);
/*
 * Wait for the requests in flight (the workers read into guest memory),
 * then hold the device lock: nothing is taken from the queue, so no guest
 * memory written, until resume.
 */
void virtio_blk_pause(struct virtio_blk *b);
void virtio_blk_resume(struct virtio_blk *b);
/* A consistent snapshot. Any thread. */
void virtio_blk_stats(struct virtio_blk *b, struct virtio_blk_stats *out);

#endif
