// SPDX-License-Identifier: GPL-2.0
/*
 * bench-blkio FILE: how virtio-blk's file side should do its I/O, measured
 * on the host alone (no VM): random 4 KiB reads of FILE, the way
 * devices/virtio/blk_io.c does them (a pool of threads, one synchronous
 * pread each, so N threads keep N requests in flight) against io_uring
 * (one thread keeping N requests in flight), for N = 1, 4, 16, both with
 * O_DIRECT (the disk) and through the page cache (FILE read once first:
 * the system call's own cost). Prints one line per configuration with
 * operations per second and the CPU time per operation, which is what a
 * VMM's I/O path costs the host. Built by `make bench` when liburing's
 * header is there (liburing-dev; ktvm itself does not use it).
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<liburing.h>)
#include <liburing.h>
#define HAVE_URING 1
#else
#define HAVE_URING 0
#endif

#define BLOCK 4096
#define OPS   40000

static int fd;
static uint64_t nblocks;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

struct worker {
	pthread_t t;
	uint64_t seed;
	long ops;
	int err;
};

static void *pool_worker(void *arg)
{
	struct worker *w = arg;
	void *buf;

	if (posix_memalign(&buf, BLOCK, BLOCK)) {
		w->err = ENOMEM;
		return NULL;
	}
	for (long i = 0; i < w->ops; i++)
		if (pread(fd, buf, BLOCK, (off_t)(next(&w->seed) % nblocks * BLOCK)) != BLOCK) {
			w->err = errno ? errno : EIO;
			break;
		}
	free(buf);
	return NULL;
}

static int run_pool(int n)
{
	struct worker w[64];

	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){.seed = 0x9e3779b97f4a7c15ULL + (uint64_t)i, .ops = OPS / n};
		if (pthread_create(&w[i].t, NULL, pool_worker, &w[i]))
			return -1;
	}
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].t, NULL);
		if (w[i].err) {
			fprintf(stderr, "bench-blkio: pread: %s\n", strerror(w[i].err));
			return -1;
		}
	}
	return 0;
}

#if HAVE_URING
static int run_uring(int n)
{
	struct io_uring ring;
	void *bufs[64];
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	long sent = 0, done = 0;
	int ret;

	ret = io_uring_queue_init((unsigned)n, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "bench-blkio: io_uring_queue_init: %s\n", strerror(-ret));
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (posix_memalign(&bufs[i], BLOCK, BLOCK))
			return -1;
	while (done < OPS) {
		struct io_uring_cqe *cqe;

		while (sent < OPS && sent - done < n) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			int slot = (int)(sent % n);

			io_uring_prep_read(sqe, fd, bufs[slot], BLOCK,
					   (off_t)(next(&seed) % nblocks * BLOCK));
			sent++;
		}
		io_uring_submit(&ring);
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret < 0 || cqe->res != BLOCK) {
			fprintf(stderr, "bench-blkio: io_uring read: %s\n",
				strerror(ret < 0	? -ret
					 : cqe->res < 0 ? -cqe->res
							: EIO));
			return -1;
		}
		io_uring_cqe_seen(&ring, cqe);
		done++;
	}
	io_uring_queue_exit(&ring);
	for (int i = 0; i < n; i++)
		free(bufs[i]);
	return 0;
}
#endif

static int measure(const char *mode, const char *how, int n, int (*fn)(int))
{
	double t0 = now(), c0 = cpu(), t, c;

	if (fn(n))
		return -1;
	t = now() - t0;
	c = cpu() - c0;
	printf("%-8s %-7s %4d %12.0f %14.2f\n", mode, how, n, OPS / t, c * 1e6 / OPS);
	return 0;
}

int main(int argc, char **argv)
{
	static const int depths[] = {1, 4, 16};
	static char warm[1 << 16];
	struct stat st;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-blkio FILE (a file of 64 MiB or more)\n");
		return 2;
	}
	for (int direct = 1; direct >= 0; direct--) {
		fd = open(argv[1], O_RDONLY | (direct ? O_DIRECT : 0));
		if (fd < 0 || fstat(fd, &st)) {
			fprintf(stderr, "bench-blkio: %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		nblocks = (uint64_t)st.st_size / BLOCK;
		if (nblocks < 16384) {
			fprintf(stderr, "bench-blkio: %s: smaller than 64 MiB\n", argv[1]);
			return 1;
		}
		if (direct)
			printf("%-8s %-7s %4s %12s %14s\n", "io", "how", "n", "ops_per_s",
			       "cpu_us_per_op");
		else /* the whole file into the page cache first */
			while (read(fd, warm, sizeof(warm)) > 0)
				;
		for (unsigned i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
			if (measure(direct ? "direct" : "cached", "threads", depths[i], run_pool))
				return 1;
#if HAVE_URING
			if (measure(direct ? "direct" : "cached", "uring", depths[i], run_uring))
				return 1;
#else
			printf("%-8s %-7s %4d skipped: built without liburing's header\n",
			       direct ? "direct" : "cached", "uring", depths[i]);
#endif
		}
		close(fd);
	}
	return 0;
}
