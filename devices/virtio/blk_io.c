// SPDX-License-Identifier: GPL-2.0
/*
 * virtio block device, the file side: a pool of worker threads doing each
 * request's I/O with plain system calls (preadv/pwritev, fdatasync,
 * fallocate), then handing the status back to blk.c.
 *
 * Why threads and not io_uring: the pool needs no library beyond libc
 * (liburing is not one of ktvm's dependencies), works on every kernel the
 * host may run, and keeps up to nr_workers requests in flight in the host
 * kernel at once, which is what a scheduler test's I/O load needs; the
 * figures are in docs/benchmarks.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"
#include "devices/virtio/blk_internal.h"

/* preadv/pwritev until done: a short transfer is retried from where it stopped. */
static int blk_io_rw(int fd, struct iovec *iov, u32 n, u64 off, bool write)
{
	while (n) {
		ssize_t got = write ? pwritev(fd, iov, (int)n, (off_t)off)
				    : preadv(fd, iov, (int)n, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return -EIO; /* the file shrank under us */
		off += (u64)got;
		while (n && (size_t)got >= iov->iov_len) {
			got -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (u8 *)iov->iov_base + got;
			iov->iov_len -= (size_t)got;
		}
	}
	return 0;
}

/* Copy between the bounce buffer and bytes [from, from+len) of the request's iovecs. */
static void blk_io_bounce_copy(struct virtio_blk_req *r, u64 from, u8 *bounce, u64 len,
			       bool to_guest)
{
	u32 i;

	for (i = 0; i < r->niov && len; i++) {
		u64 c;
		u8 *g;

		if (from >= r->iov[i].iov_len) {
			from -= r->iov[i].iov_len;
			continue;
		}
		c = MIN(r->iov[i].iov_len - from, len);
		g = (u8 *)r->iov[i].iov_base + from;
		if (to_guest)
			memcpy(g, bounce, c);
		else
			memcpy(bounce, g, c);
		bounce += c;
		len -= c;
		from = 0;
	}
}

/* O_DIRECT: through the worker's aligned buffer, a chunk at a time. */
static int blk_io_direct(struct virtio_blk_worker *w, struct virtio_blk_req *r, bool write)
{
	u64 done, off = r->sector * VIRTIO_BLK_SECTOR;

	for (done = 0; done < r->len;) {
		u64 n = MIN(r->len - done, VIRTIO_BLK_BOUNCE);
		struct iovec iov = {w->bounce, n};
		int ret;

		if (write)
			blk_io_bounce_copy(r, done, w->bounce, n, false);
		ret = blk_io_rw(w->b->fd, &iov, 1, off + done, write);
		if (ret)
			return ret;
		if (!write)
			blk_io_bounce_copy(r, done, w->bounce, n, true);
		done += n;
	}
	return 0;
}

/*
 * Zero a range: punch it out (it then reads back as zeroes and frees the
 * host's blocks) when allowed, else zero it in place; a file system that
 * supports neither gets zeroes written (from the worker's aligned buffer
 * under O_DIRECT).
 */
static int blk_io_zero(struct virtio_blk_worker *w, u64 off, u64 len, bool unmap)
{
	static const u8 zeroes[64 * KiB];
	struct virtio_blk *b = w->b;
	int mode = unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE : FALLOC_FL_ZERO_RANGE;
	const u8 *src = zeroes;
	u64 chunk = sizeof(zeroes);

	if (fallocate(b->fd, mode, (off_t)off, (off_t)len) == 0)
		return 0;
	if (b->direct) {
		memset(w->bounce, 0, VIRTIO_BLK_BOUNCE);
		src = w->bounce;
		chunk = VIRTIO_BLK_BOUNCE;
	}
	while (len) {
		u64 n = MIN(len, chunk);
		ssize_t got = pwrite(b->fd, src, n, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		off += (u64)got;
		len -= (u64)got;
	}
	return 0;
}

/* One request; returns its status and the bytes written into the guest's data buffers. */
static u8 blk_io_do(struct virtio_blk_worker *w, struct virtio_blk_req *r, u32 *written)
{
	struct virtio_blk *b = w->b;
	u64 off = r->sector * VIRTIO_BLK_SECTOR;
	int ret = 0;

	*written = 0;
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		bool write = r->type == VIRTIO_BLK_T_OUT;

		ret = b->direct ? blk_io_direct(w, r, write)
				: blk_io_rw(b->fd, r->iov, r->niov, off, write);
		if (!ret && !write)
			*written = (u32)r->len;
		break;
	}
	case VIRTIO_BLK_T_FLUSH:
		ret = fdatasync(b->fd) ? -errno : 0;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		u8 id[VIRTIO_BLK_ID_BYTES] = {0};

		/* 5.2.6: up to 20 bytes, NUL-padded when shorter. */
		memcpy(id, b->id, strnlen(b->id, sizeof(id)));
		blk_io_bounce_copy(r, 0, id, r->len, true);
		*written = (u32)r->len;
		break;
	}
	case VIRTIO_BLK_T_DISCARD:
		/* A hint (5.2.6.2): where the file system cannot punch holes, nothing is lost. */
		if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
			      (off_t)r->len) < 0 &&
		    errno != EOPNOTSUPP)
			ret = -errno;
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		ret = blk_io_zero(w, off, r->len, r->flags & VIRTIO_BLK_WZ_FLAG_UNMAP);
		break;
	}
	return ret ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

static void blk_io_count(struct virtio_blk *b, const struct virtio_blk_req *r, u8 s)
{
	pthread_mutex_lock(&b->lock);
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		b->reads++;
		if (s == VIRTIO_BLK_S_OK)
			b->bytes_read += r->len;
		break;
	case VIRTIO_BLK_T_OUT:
		b->writes++;
		if (s == VIRTIO_BLK_S_OK)
			b->bytes_written += r->len;
		break;
	case VIRTIO_BLK_T_FLUSH:
		b->flushes++;
		break;
	case VIRTIO_BLK_T_GET_ID:
		b->get_ids++;
		break;
	case VIRTIO_BLK_T_DISCARD:
		b->discards++;
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		b->write_zeroes++;
		break;
	}
	pthread_mutex_unlock(&b->lock);
}

static void *blk_io_worker(void *arg)
{
	struct virtio_blk_worker *w = arg;
	struct virtio_blk *b = w->b;

	for (;;) {
		struct virtio_blk_req *r;
		u32 written;
		u8 s;

		pthread_mutex_lock(&b->io_lock);
		while (!b->io_head && !b->io_stop)
			pthread_cond_wait(&b->io_cond, &b->io_lock);
		r = b->io_head;
		if (!r) {
			pthread_mutex_unlock(&b->io_lock);
			return NULL;
		}
		b->io_head = r->next;
		if (!b->io_head)
			b->io_tail = NULL;
		pthread_mutex_unlock(&b->io_lock);
		s = blk_io_do(w, r, &written);
		blk_io_count(b, r, s);
		blk_done(b, r, s, written);
	}
}

void blk_io_queue(struct virtio_blk *b, struct virtio_blk_req *r)
{
	b->in_flight++;
	if (b->in_flight > b->in_flight_max)
		b->in_flight_max = b->in_flight;
	r->next = NULL;
	pthread_mutex_lock(&b->io_lock);
	if (b->io_tail)
		b->io_tail->next = r;
	else
		b->io_head = r;
	b->io_tail = r;
	pthread_cond_signal(&b->io_cond);
	pthread_mutex_unlock(&b->io_lock);
}

void blk_io_cancel(struct virtio_blk *b)
{
	struct virtio_blk_req *r;

	pthread_mutex_lock(&b->io_lock);
	while ((r = b->io_head)) {
		b->io_head = r->next;
		r->next = b->free;
		b->free = r;
		b->in_flight--;
		b->cancelled++;
	}
	b->io_tail = NULL;
	pthread_mutex_unlock(&b->io_lock);
}

int blk_io_start(struct virtio_blk *b, u32 workers)
{
	u32 i;
	int ret;

	pthread_mutex_init(&b->io_lock, NULL);
	pthread_cond_init(&b->io_cond, NULL);
	for (i = 0; i < workers; i++) {
		struct virtio_blk_worker *w = &b->workers[i];

		w->b = b;
		if (b->direct &&
		    posix_memalign((void **)&w->bounce, VIRTIO_BLK_DIRECT_BLOCK, VIRTIO_BLK_BOUNCE))
			return error_host(-ENOMEM, "virtio-blk: cannot allocate a %u KiB buffer",
					  (unsigned)(VIRTIO_BLK_BOUNCE / KiB));
		ret = pthread_create(&w->thread, NULL, blk_io_worker, w);
		if (ret) {
			free(w->bounce);
			w->bounce = NULL;
			return error_host(-ret, "virtio-blk: cannot start an I/O thread: %s",
					  strerror(ret));
		}
		b->nr_workers++;
	}
	return 0;
}

void blk_io_stop(struct virtio_blk *b)
{
	u32 i;

	pthread_mutex_lock(&b->io_lock);
	b->io_stop = true;
	pthread_cond_broadcast(&b->io_cond);
	pthread_mutex_unlock(&b->io_lock);
	for (i = 0; i < b->nr_workers; i++) {
		pthread_join(b->workers[i].thread, NULL);
		free(b->workers[i].bounce);
	}
	b->nr_workers = 0;
	pthread_cond_destroy(&b->io_cond);
	pthread_mutex_destroy(&b->io_lock);
}
