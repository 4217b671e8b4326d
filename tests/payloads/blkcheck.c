// SPDX-License-Identifier: GPL-2.0
/*
 * blkcheck CMD DEV ARGS...: exercises a block device (a virtio disk, /dev/vdX)
 * from inside the guest and prints one line per result, for the integration
 * tests to parse:
 *
 *   blkcheck write DEV MIB SEED    blkcheck write bytes=N crc32=XXXXXXXX readback=ok
 *                                  (or readback=mismatch at=OFFSET, exit 1)
 *   blkcheck crc DEV MIB           blkcheck crc bytes=N crc32=XXXXXXXX
 *   blkcheck rofail DEV            blkcheck rofail errno=NAME      (errno=none: written)
 *   blkcheck discard DEV OFF LEN   blkcheck discard ok             (or errno=NAME, exit 1)
 *   blkcheck size DEV              blkcheck size bytes=N ro=0|1
 *   blkcheck flood DEV MIB PROCS [OPS]
 *                                  blkcheck flood ops=N errors=E
 *   blkcheck bench DEV MIB MS      blkcheck bench seq_write_mibs=F seq_read_mibs=F
 *                                  rand_read_iops=F rand_write_iops=F direct=0|1
 *
 * write: MIB MiB of the stream below from offset 0, in 1 MiB writes, then
 * fsync; then the device's cache is dropped (BLKFLSBUF, and "3" into
 * /proc/sys/vm/drop_caches, both best effort) and the range is read back and
 * compared with the regenerated stream. The stream is xorshift64 (Marsaglia,
 * shifts 13, 7, 17) from the state SEED (0x9e3779b97f4a7c15 if SEED is 0),
 * each step's 64-bit state stored little-endian: 8 bytes per step.
 * crc: the CRC-32 of the first MIB MiB. Both CRCs are zlib's crc32() (IEEE
 * 802.3, reflected 0xedb88320), in 8 lowercase hex digits, so the host side
 * can compare them with the backing file's.
 * rofail: expects DEV to refuse writing: open(O_RDWR) failing (EROFS, EACCES,
 * EPERM), or, if it opens, a 4 KiB pwrite at 0 + fsync failing (EIO, EROFS,
 * EPERM, EACCES). The pwrite writes back the block's own bytes, so a disk that
 * wrongly accepts it is not changed. Exit 0 if refused, 1 if written, 2 if
 * refused with another errno or the check itself failed.
 * discard: BLKDISCARD of bytes [OFF MiB, OFF+LEN MiB).
 * size: BLKGETSIZE64 and BLKROGET.
 * flood: PROCS processes (fork: the payload is static and needs no libpthread)
 * each doing OPS (default 2000) random 4 KiB reads and writes across the
 * first MIB MiB, so PROCS requests are in flight at once. Process i owns the
 * blocks b with b % PROCS == i, so it knows what each of them holds after it
 * wrote it and checks every read of it; errors counts failed I/O and
 * mismatched reads.
 * bench: for make bench: MIB MiB written (then fsync) and read back in 1 MiB
 * requests, then random 4 KiB reads and writes for MS ms each, one at a time.
 *
 * All I/O is O_DIRECT where DEV takes it, else buffered (said on stderr).
 * Errors go to stderr, naming the device; exit 2 on bad usage.
 */
#define _GNU_SOURCE /* O_DIRECT, strerrorname_np */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	   (1u << 20)
#define BLOCK	   4096u
#define MAX_MIB	   (1ull << 20) /* 1 TiB */
#define MAX_PROCS  256
#define MAX_OPS	   10000000ull
#define FLOOD_MSGS 3 /* error messages per flood process */

/* A device opened O_DIRECT if it allows, reopened buffered if it does not. */
struct blk {
	const char *path;
	int fd;
	int flags;
	int direct;
};

static uint32_t crc_table[256];

static const char *errname(int err)
{
	static char num[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(num, sizeof(num), "%d", err);
	return num;
}

static void crc32_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* zlib's crc32(crc, buf, len): start with 0, feed the result back in. */
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t len)
{
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint64_t xorshift64(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* len bytes (a multiple of 8) of the stream, state in *x. */
static void stream_fill(uint64_t *x, unsigned char *buf, size_t len)
{
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t v = xorshift64(x);

		for (int k = 0; k < 8; k++)
			buf[i + k] = (unsigned char)(v >> (8 * k));
	}
}

static int parse_num(const char *what, const char *s, unsigned long long min,
		     unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || *out < min || *out > max) {
		fprintf(stderr, "blkcheck: %s '%s': not a number in %llu-%llu\n", what, s, min,
			max);
		return -1;
	}
	return 0;
}

static void *buf_alloc(size_t len)
{
	void *p;

	/* O_DIRECT wants the buffer aligned to the logical block size */
	if (posix_memalign(&p, BLOCK, len)) {
		fprintf(stderr, "blkcheck: out of memory (%zu bytes)\n", len);
		return NULL;
	}
	return p;
}

static int blk_open(struct blk *b, const char *path, int flags)
{
	b->path = path;
	b->flags = flags;
	b->direct = 1;
	b->fd = open(path, flags | O_DIRECT | O_CLOEXEC);
	if (b->fd < 0 && errno == EINVAL) {
		b->direct = 0;
		b->fd = open(path, flags | O_CLOEXEC);
		if (b->fd >= 0)
			fprintf(stderr,
				"blkcheck: %s: O_DIRECT refused (EINVAL), using buffered I/O\n",
				path);
	}
	if (b->fd < 0) {
		fprintf(stderr, "blkcheck: %s: open: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Some files take O_DIRECT at open and refuse it at the first I/O. */
static int blk_reopen_buffered(struct blk *b)
{
	int fd = open(b->path, b->flags | O_CLOEXEC);

	if (fd < 0)
		return -1;
	fprintf(stderr, "blkcheck: %s: O_DIRECT I/O refused (EINVAL), using buffered I/O\n",
		b->path);
	close(b->fd);
	b->fd = fd;
	b->direct = 0;
	return 0;
}

/* All len bytes at off, or -errno; a short transfer (the end of DEV) is -ENOSPC. */
static int blk_pio(struct blk *b, int wr, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = wr ? pwrite(b->fd, (char *)buf + done, len - done, off + done)
			       : pread(b->fd, (char *)buf + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EINVAL && b->direct && !done) {
			if (blk_reopen_buffered(b))
				return -EINVAL;
			continue;
		}
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOSPC;
		done += (size_t)n;
	}
	return 0;
}

static const char *blk_strerror(int err)
{
	return err == -ENOSPC ? "short transfer, the device ends there" : strerror(-err);
}

static void blk_drop_cache(struct blk *b, off_t len)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	/* best effort: BLKFLSBUF is for block devices, fadvise for files */
	ioctl(b->fd, BLKFLSBUF, 0);
	posix_fadvise(b->fd, 0, len, POSIX_FADV_DONTNEED);
	if (fd >= 0) {
		if (write(fd, "3", 1) < 0)
			fprintf(stderr, "blkcheck: drop_caches: %s (ignored)\n", strerror(errno));
		close(fd);
	}
}

static int blkcheck_write(const char *dev, unsigned long long mib, uint64_t seed)
{
	unsigned char *buf = buf_alloc(CHUNK), *want = buf_alloc(CHUNK);
	uint64_t x = seed ? seed : 0x9e3779b97f4a7c15ull;
	unsigned long long i;
	uint32_t crc = 0;
	struct blk b;
	int err;

	if (!buf || !want || blk_open(&b, dev, O_RDWR))
		return 1;
	for (i = 0; i < mib; i++) {
		stream_fill(&x, buf, CHUNK);
		crc = crc32_update(crc, buf, CHUNK);
		err = blk_pio(&b, 1, buf, CHUNK, (off_t)(i * CHUNK));
		if (err) {
			fprintf(stderr, "blkcheck: %s: write of 1 MiB at %llu: %s\n", dev,
				i * CHUNK, blk_strerror(err));
			return 1;
		}
	}
	if (fsync(b.fd)) {
		fprintf(stderr, "blkcheck: %s: fsync: %s\n", dev, strerror(errno));
		return 1;
	}
	blk_drop_cache(&b, (off_t)(mib * CHUNK));
	close(b.fd);

	if (blk_open(&b, dev, O_RDONLY))
		return 1;
	x = seed ? seed : 0x9e3779b97f4a7c15ull;
	for (i = 0; i < mib; i++) {
		err = blk_pio(&b, 0, buf, CHUNK, (off_t)(i * CHUNK));
		if (err) {
			fprintf(stderr, "blkcheck: %s: read of 1 MiB at %llu: %s\n", dev, i * CHUNK,
				blk_strerror(err));
			return 1;
		}
		stream_fill(&x, want, CHUNK);
		if (memcmp(buf, want, CHUNK)) {
			size_t at = 0;

			while (buf[at] == want[at])
				at++;
			printf("blkcheck write bytes=%llu crc32=%08x readback=mismatch at=%llu\n",
			       mib * CHUNK, crc, i * CHUNK + at);
			fprintf(stderr, "blkcheck: %s: byte %llu reads 0x%02x, wrote 0x%02x\n", dev,
				i * CHUNK + at, buf[at], want[at]);
			return 1;
		}
	}
	close(b.fd);
	printf("blkcheck write bytes=%llu crc32=%08x readback=ok\n", mib * CHUNK, crc);
	return 0;
}

static int blkcheck_crc(const char *dev, unsigned long long mib)
{
	unsigned char *buf = buf_alloc(CHUNK);
	uint32_t crc = 0;
	struct blk b;

	if (!buf || blk_open(&b, dev, O_RDONLY))
		return 1;
	for (unsigned long long i = 0; i < mib; i++) {
		int err = blk_pio(&b, 0, buf, CHUNK, (off_t)(i * CHUNK));

		if (err) {
			fprintf(stderr, "blkcheck: %s: read of 1 MiB at %llu: %s\n", dev, i * CHUNK,
				blk_strerror(err));
			return 1;
		}
		crc = crc32_update(crc, buf, CHUNK);
	}
	close(b.fd);
	printf("blkcheck crc bytes=%llu crc32=%08x\n", mib * CHUNK, crc);
	return 0;
}

static int blkcheck_rofail_result(const char *dev, const char *what, int err)
{
	printf("blkcheck rofail errno=%s\n", errname(err));
	if (err == EIO || err == EROFS || err == EPERM || err == EACCES)
		return 0;
	fprintf(stderr, "blkcheck: %s: %s failed with %s, not a read-only refusal\n", dev, what,
		errname(err));
	return 2;
}

static int blkcheck_rofail(const char *dev)
{
	unsigned char *buf = buf_alloc(BLOCK);
	int fd;

	if (!buf)
		return 2;
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return blkcheck_rofail_result(dev, "open(O_RDWR)", errno);
	if (pread(fd, buf, BLOCK, 0) != BLOCK) {
		fprintf(stderr, "blkcheck: %s: read of 4 KiB at 0 failed\n", dev);
		return 2;
	}
	if (pwrite(fd, buf, BLOCK, 0) < 0)
		return blkcheck_rofail_result(dev, "pwrite", errno);
	if (fsync(fd))
		return blkcheck_rofail_result(dev, "fsync", errno);
	close(fd);
	printf("blkcheck rofail errno=none\n");
	fprintf(stderr, "blkcheck: %s: 4 KiB written at 0 and synced: not read-only\n", dev);
	return 1;
}

static int blkcheck_discard(const char *dev, unsigned long long off_mib, unsigned long long len_mib)
{
	uint64_t range[2] = {off_mib << 20, len_mib << 20};
	/* the kernel refuses BLKDISCARD on a file not open for writing */
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "blkcheck: %s: open: %s\n", dev, strerror(errno));
		return 1;
	}
	if (ioctl(fd, BLKDISCARD, range)) {
		int err = errno;

		printf("blkcheck discard errno=%s\n", errname(err));
		fprintf(stderr, "blkcheck: %s: BLKDISCARD of %llu MiB at %llu MiB: %s\n", dev,
			len_mib, off_mib, strerror(err));
		return 1;
	}
	close(fd);
	printf("blkcheck discard ok\n");
	return 0;
}

static int blkcheck_size(const char *dev)
{
	uint64_t bytes;
	int ro, fd = open(dev, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "blkcheck: %s: open: %s\n", dev, strerror(errno));
		return 1;
	}
	if (ioctl(fd, BLKGETSIZE64, &bytes) || ioctl(fd, BLKROGET, &ro)) {
		fprintf(stderr, "blkcheck: %s: BLKGETSIZE64/BLKROGET: %s\n", dev, strerror(errno));
		return 1;
	}
	close(fd);
	printf("blkcheck size bytes=%llu ro=%d\n", (unsigned long long)bytes, ro ? 1 : 0);
	return 0;
}

struct flood_result {
	unsigned long long ops;
	unsigned long long errors;
};

/* What process proc's gen-th write of block puts there. */
static void flood_fill(unsigned char *buf, uint64_t block, unsigned proc, uint32_t gen)
{
	uint64_t x = (block << 24 ^ (uint64_t)proc << 12 ^ gen) * 0x9e3779b97f4a7c15ull | 1;

	stream_fill(&x, buf, BLOCK);
	memcpy(buf, &block, sizeof(block));
	memcpy(buf + 8, &gen, sizeof(gen));
}

static struct flood_result flood_proc(const char *dev, uint64_t nblocks, unsigned procs,
				      unsigned proc, unsigned long long ops)
{
	uint64_t owned = (nblocks - proc + procs - 1) / procs, x = 0x2545f4914f6cdd1dull + proc;
	unsigned char *buf = buf_alloc(BLOCK), *want = buf_alloc(BLOCK);
	uint32_t *gen = calloc(owned, sizeof(*gen));
	struct flood_result r = {0, 0};
	unsigned msgs = 0;
	struct blk b;

	if (!buf || !want || !gen || blk_open(&b, dev, O_RDWR)) {
		r.errors = 1;
		return r;
	}
	for (; r.ops < ops; r.ops++) {
		uint64_t v = xorshift64(&x), i = (v >> 1) % owned, block = i * procs + proc;
		int wr = v & 1, err;

		if (wr)
			flood_fill(buf, block, proc, ++gen[i]);
		err = blk_pio(&b, wr, buf, BLOCK, (off_t)(block * BLOCK));
		if (err) {
			r.errors++;
			if (msgs++ < FLOOD_MSGS)
				fprintf(stderr, "blkcheck: %s: flood %u: %s of 4 KiB at %llu: %s\n",
					dev, proc, wr ? "write" : "read",
					(unsigned long long)(block * BLOCK), blk_strerror(err));
			continue;
		}
		if (wr || !gen[i])
			continue;
		flood_fill(want, block, proc, gen[i]);
		if (memcmp(buf, want, BLOCK)) {
			r.errors++;
			if (msgs++ < FLOOD_MSGS)
				fprintf(stderr,
					"blkcheck: %s: flood %u: block at %llu does not hold its "
					"write %u\n",
					dev, proc, (unsigned long long)(block * BLOCK), gen[i]);
		}
	}
	if (fsync(b.fd)) {
		r.errors++;
		fprintf(stderr, "blkcheck: %s: flood %u: fsync: %s\n", dev, proc, strerror(errno));
	}
	close(b.fd);
	return r;
}

static int blkcheck_flood(const char *dev, unsigned long long mib, unsigned procs,
			  unsigned long long ops)
{
	struct flood_result sum = {0, 0}, r;
	int fds[2];

	if (pipe(fds)) {
		perror("blkcheck: pipe");
		return 1;
	}
	for (unsigned i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("blkcheck: fork");
			return 1;
		}
		if (pid == 0) {
			close(fds[0]);
			r = flood_proc(dev, mib * (CHUNK / BLOCK), procs, i, ops);
			/* one result, less than PIPE_BUF: written whole */
			_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
		}
	}
	close(fds[1]);
	for (unsigned i = 0; i < procs; i++) {
		int st = 0;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "blkcheck: %s: a flood process failed (status 0x%x)\n", dev,
				st);
			sum.errors++;
		}
	}
	while (read(fds[0], &r, sizeof(r)) == sizeof(r)) {
		sum.ops += r.ops;
		sum.errors += r.errors;
	}
	printf("blkcheck flood ops=%llu errors=%llu\n", sum.ops, sum.errors);
	return sum.errors ? 1 : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Random 4 KiB I/O at queue depth 1 for ms milliseconds; operations per second, or -1. */
static double bench_random(struct blk *b, int wr, unsigned char *buf, uint64_t nblocks,
			   unsigned long long ms)
{
	uint64_t x = 0x2545f4914f6cdd1dULL, ops = 0;
	double t0 = now_s(), t;
	int err;

	do {
		err = blk_pio(b, wr, buf, BLOCK, (off_t)(xorshift64(&x) % nblocks * BLOCK));
		if (err) {
			fprintf(stderr, "blkcheck: %s: random %s: %s\n", b->path,
				wr ? "write" : "read", blk_strerror(err));
			return -1;
		}
		ops++;
		t = now_s() - t0;
	} while (t * 1000 < ms);
	return (double)ops / t;
}

/*
 * The figures make bench compares between the guest's virtio disk and the
 * same file read by the host: sequential 1 MiB writes (then fsync) and
 * reads in MiB/s, random 4 KiB reads and writes in operations per second.
 */
static int blkcheck_bench(const char *dev, unsigned long long mib, unsigned long long ms)
{
	unsigned char *buf = buf_alloc(CHUNK);
	double t0, wr_s, rd_s, rr, rw;
	uint64_t x = 1;
	struct blk b;
	int err = 0;

	if (!buf || blk_open(&b, dev, O_RDWR))
		return 1;
	stream_fill(&x, buf, CHUNK);
	t0 = now_s();
	for (unsigned long long i = 0; i < mib && !err; i++)
		err = blk_pio(&b, 1, buf, CHUNK, (off_t)(i * CHUNK));
	if (!err && fsync(b.fd))
		err = -errno;
	wr_s = now_s() - t0;
	blk_drop_cache(&b, (off_t)(mib * CHUNK));
	t0 = now_s();
	for (unsigned long long i = 0; i < mib && !err; i++)
		err = blk_pio(&b, 0, buf, CHUNK, (off_t)(i * CHUNK));
	rd_s = now_s() - t0;
	if (err) {
		fprintf(stderr, "blkcheck: %s: sequential I/O: %s\n", dev, blk_strerror(err));
		return 1;
	}
	rr = bench_random(&b, 0, buf, mib * (CHUNK / BLOCK), ms);
	rw = rr < 0 ? -1 : bench_random(&b, 1, buf, mib * (CHUNK / BLOCK), ms);
	if (rw < 0)
		return 1;
	printf("blkcheck bench seq_write_mibs=%.1f seq_read_mibs=%.1f rand_read_iops=%.0f "
	       "rand_write_iops=%.0f direct=%d\n",
	       (double)mib / wr_s, (double)mib / rd_s, rr, rw, b.direct);
	close(b.fd);
	free(buf);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: blkcheck write DEV MIB SEED\n"
			"       blkcheck crc DEV MIB\n"
			"       blkcheck rofail DEV\n"
			"       blkcheck discard DEV OFFSET_MIB LEN_MIB\n"
			"       blkcheck size DEV\n"
			"       blkcheck flood DEV MIB PROCS [OPS]\n"
			"       blkcheck bench DEV MIB MS\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "", *dev = argc > 2 ? argv[2] : "";
	unsigned long long a, b, c = 2000;

	crc32_init();
	/* the results line must not sit in a buffer behind stderr's messages */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "write") && argc == 5) {
		if (parse_num("MIB", argv[3], 1, MAX_MIB, &a) ||
		    parse_num("SEED", argv[4], 0, UINT64_MAX, &b))
			return 2;
		return blkcheck_write(dev, a, b);
	}
	if (!strcmp(cmd, "crc") && argc == 4) {
		if (parse_num("MIB", argv[3], 1, MAX_MIB, &a))
			return 2;
		return blkcheck_crc(dev, a);
	}
	if (!strcmp(cmd, "rofail") && argc == 3)
		return blkcheck_rofail(dev);
	if (!strcmp(cmd, "discard") && argc == 5) {
		if (parse_num("OFFSET_MIB", argv[3], 0, MAX_MIB, &a) ||
		    parse_num("LEN_MIB", argv[4], 1, MAX_MIB, &b))
			return 2;
		return blkcheck_discard(dev, a, b);
	}
	if (!strcmp(cmd, "size") && argc == 3)
		return blkcheck_size(dev);
	if (!strcmp(cmd, "flood") && (argc == 5 || argc == 6)) {
		if (parse_num("MIB", argv[3], 1, MAX_MIB, &a) ||
		    parse_num("PROCS", argv[4], 1, MAX_PROCS, &b) ||
		    (argc == 6 && parse_num("OPS", argv[5], 1, MAX_OPS, &c)))
			return 2;
		return blkcheck_flood(dev, a, (unsigned)b, c);
	}
	if (!strcmp(cmd, "bench") && argc == 5) {
		if (parse_num("MIB", argv[3], 1, MAX_MIB, &a) ||
		    parse_num("MS", argv[4], 1, 600000, &b))
			return 2;
		return blkcheck_bench(dev, a, b);
	}
	return usage();
}
