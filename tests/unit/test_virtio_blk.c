// SPDX-License-Identifier: GPL-2.0
/*
 * virtio block device (devices/virtio/blk.c, blk_io.c) behind its
 * virtio-mmio transport, driven through its bus region by a fake driver
 * that lays requests out as virtio 1.2 5.2.6 does, against a backing file
 * in the test's scratch directory: identity and configuration, reads and
 * writes checked against the file, any buffer layout, flush, GET_ID,
 * discard and write-zeroes (holes in the file), read-only disks, many
 * requests in flight, reset, O_DIRECT, creation checks, and hostile
 * requests answered with IOERR/UNSUPP without touching the file outside
 * the disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "devices/virtio/blk.h"
#include "tests/test.h"

#define RAM_BASE  0x80000000ULL
#define RAM_SIZE  (4 * MiB)
#define DESC_GPA  RAM_BASE
#define AVAIL_GPA (RAM_BASE + 0x1000)
#define USED_GPA  (RAM_BASE + 0x2000)
#define HDR_GPA	  (RAM_BASE + 0x4000) /* a 32-byte header slot per descriptor */
#define STAT_GPA  (RAM_BASE + 0x5000) /* a status byte per descriptor */
#define DATA_GPA  (RAM_BASE + 0x10000)
#define DATA_SIZE (RAM_SIZE - 0x10000)
#define MMIO_BASE 0xd0000000ULL
#define QSIZE	  16

#include "tests/unit/virtio_fake.h"

#include "tests/unit/virtio_mmio_regs.h"

/* Spelled out independently of the code under test (virtio 1.2 5.2.3, 5.2.6). */
#define F_SIZE_MAX (1ULL << 1)
#define F_SEG_MAX  (1ULL << 2)
#define F_RO	   (1ULL << 5)
#define F_BLK_SIZE (1ULL << 6)
#define F_FLUSH	   (1ULL << 9)
#define F_DISCARD  (1ULL << 13)
#define F_WZ	   (1ULL << 14)
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WZ = 13 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2, S_UNSET = 0xee };

#define DISK_SIZE (1 * MiB)

static struct fake {
	struct virtio_blk *b;
	struct virtio_mmio *t;
	int fd;
	u16 avail, used_seen, next_desc;
	unsigned int irq_raises;
} fk;

static void fake_irq(struct virtio_mmio *t, bool level)
{
	if (level)
		fk.irq_raises++;
}

static u32 rd(u64 off)
{
	u8 b[4] = {0};

	fk.t->region.access(&fk.t->region, NULL, off, b, 4, false);
	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static void wr(u64 off, u32 val)
{
	u8 b[4] = {(u8)val, (u8)(val >> 8), (u8)(val >> 16), (u8)(val >> 24)};

	fk.t->region.access(&fk.t->region, NULL, off, b, 4, true);
}

static u64 rd_features(void)
{
	u64 f;

	wr(DEV_FEATURES_SEL, 0);
	f = rd(DEV_FEATURES);
	wr(DEV_FEATURES_SEL, 1);
	return f | (u64)rd(DEV_FEATURES) << 32;
}

/* A backing file of DISK_SIZE bytes, byte i = i % 253, opened with extra flags. */
static int backing(const char *dir, int flags)
{
	static u8 pat[DISK_SIZE];
	char path[256];
	int fd;
	u32 i;

	snprintf(path, sizeof(path), "%s/disk-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	for (i = 0; i < DISK_SIZE; i++)
		pat[i] = (u8)(i % 253);
	if (pwrite(fd, pat, DISK_SIZE, 0) != DISK_SIZE || fsync(fd)) {
		close(fd);
		return -1;
	}
	if (flags && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | flags) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int fake_create_cfg(struct virtio_blk_config *cfg)
{
	struct virtq_mem mem = {fake_gpa, NULL};

	memset(ram, 0, sizeof(ram));
	fk.avail = fk.used_seen = fk.next_desc = 0;
	fk.irq_raises = 0;
	fk.b = NULL;
	return virtio_blk_create(&fk.b, cfg, MMIO_BASE, &mem, fake_irq, &fk);
}

/* 3.1.1: a device with its one queue set up, on a fresh backing file (or fd). */
static void fake_up_fd(int fd, bool ro, bool direct)
{
	struct virtio_blk_config cfg = {
	    .fd = fd, .size = DISK_SIZE, .read_only = ro, .direct = direct, .id = "ktvm-test"};
	u64 feat;

	fk.fd = fd;
	ASSERT_GE(fk.fd, 0);
	ASSERT_EQ(fake_create_cfg(&cfg), 0);
	fk.t = virtio_blk_transport(fk.b);
	feat = rd_features() & (F_VERSION_1 | F_SIZE_MAX | F_SEG_MAX | F_BLK_SIZE | F_FLUSH |
				F_DISCARD | F_WZ | F_RO | F_EVENT_IDX);
	wr(STATUS, ACK | DRIVER);
	wr(DRV_FEATURES_SEL, 0);
	wr(DRV_FEATURES, (u32)feat);
	wr(DRV_FEATURES_SEL, 1);
	wr(DRV_FEATURES, (u32)(feat >> 32));
	wr(STATUS, ACK | DRIVER | FEATURES_OK);
	ASSERT_EQ(rd(STATUS), ACK | DRIVER | FEATURES_OK);
	wr(QUEUE_SEL, 0);
	wr(QUEUE_NUM, QSIZE);
	wr(QUEUE_DESC, (u32)DESC_GPA);
	wr(QUEUE_DESC + 4, (u32)(DESC_GPA >> 32));
	wr(QUEUE_DRIVER, (u32)AVAIL_GPA);
	wr(QUEUE_DRIVER + 4, (u32)(AVAIL_GPA >> 32));
	wr(QUEUE_DEVICE, (u32)USED_GPA);
	wr(QUEUE_DEVICE + 4, (u32)(USED_GPA >> 32));
	wr(QUEUE_READY, 1);
	wr(STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
	ASSERT_EQ(rd(STATUS), ACK | DRIVER | FEATURES_OK | DRIVER_OK);
}

static void fake_up(bool ro)
{
	fake_up_fd(backing(test_tmpdir(), 0), ro, false);
}

static void fake_down(void)
{
	virtio_blk_destroy(fk.b);
	fk.b = NULL;
	close(fk.fd);
}

struct seg {
	u64 gpa;
	u32 len;
	bool writable;
};

/* Make a chain available and notify; returns the head. */
static u16 submit(const struct seg *s, u32 n)
{
	struct virtq_avail *a = drv_avail();
	u16 head = fk.next_desc, d = head;
	u32 i;

	for (i = 0; i < n; i++) {
		u16 next = (u16)((d + 1) % QSIZE);

		drv_desc(d, s[i].gpa, s[i].len,
			 (s[i].writable ? VIRTQ_DESC_F_WRITE : 0) |
			     (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0),
			 next);
		d = next;
	}
	fk.next_desc = d;
	a->ring[fk.avail % QSIZE] = head;
	fk.avail++;
	__atomic_store_n(&a->idx, fk.avail, __ATOMIC_RELEASE);
	return head;
}

static void kick(void)
{
	wr(QUEUE_NOTIFY, 0);
	virtio_blk_drain(fk.b);
}

static bool used_next(u16 *head, u32 *len)
{
	struct virtq_used *u = drv_used();
	struct virtq_used_elem e;

	if (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == fk.used_seen)
		return false;
	e = u->ring[fk.used_seen % QSIZE];
	fk.used_seen++;
	*head = (u16)e.id;
	*len = e.len;
	return true;
}

/* The header of a request in descriptor slot `slot`'s header area. */
static u64 hdr(u32 slot, u32 type, u64 sector)
{
	u8 *h = host(HDR_GPA + slot * 32);

	memset(h, 0, 32);
	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	return HDR_GPA + slot * 32;
}

static u64 status_gpa(u32 slot)
{
	*(u8 *)host(STAT_GPA + slot) = S_UNSET;
	return STAT_GPA + slot;
}

static u8 status_of(u32 slot)
{
	return *(u8 *)host(STAT_GPA + slot);
}

/* A simple request: header, one data buffer, status; waits for it and returns the status. */
static u8 rq(u32 type, u64 sector, u64 data_gpa, u32 len, u32 *used_len)
{
	struct seg s[3];
	u32 n = 0, got = 0;
	u16 head, h;

	s[n++] = (struct seg){hdr(0, type, sector), 16, false};
	if (len)
		s[n++] = (struct seg){data_gpa, len, type == T_IN || type == T_GET_ID};
	s[n++] = (struct seg){status_gpa(0), 1, true};
	head = submit(s, n);
	kick();
	if (!used_next(&h, &got)) {
		test_fail_at(__FILE__, __LINE__, "request type %u: not given back", type);
		return S_UNSET;
	}
	if (h != head)
		test_fail_at(__FILE__, __LINE__, "used head %u, expected %u", h, head);
	if (used_len)
		*used_len = got;
	return status_of(0);
}

static void file_read(u64 off, void *buf, u32 len)
{
	ASSERT_EQ(pread(fk.fd, buf, len, (off_t)off), (ssize_t)len);
}

static struct virtio_blk_stats stats(void)
{
	struct virtio_blk_stats s;

	virtio_blk_stats(fk.b, &s);
	return s;
}

TEST(identity_features_and_config)
{
	u8 b[4];

	fake_up(false);
	EXPECT_EQ(rd(DEVICE_ID), 2); /* 5.2.1 */
	EXPECT_EQ(rd_features() &
		      (F_SIZE_MAX | F_SEG_MAX | F_BLK_SIZE | F_FLUSH | F_DISCARD | F_WZ | F_RO),
		  F_SIZE_MAX | F_SEG_MAX | F_BLK_SIZE | F_FLUSH | F_DISCARD | F_WZ);
	EXPECT_EQ(rd(CONFIG + 0), DISK_SIZE / 512); /* capacity, low half */
	EXPECT_EQ(rd(CONFIG + 4), 0);
	EXPECT_EQ(rd(CONFIG + 8), 256 * 1024); /* size_max */
	EXPECT_EQ(rd(CONFIG + 12), 126);       /* seg_max */
	EXPECT_EQ(rd(CONFIG + 20), 512);       /* blk_size */
	EXPECT_EQ(rd(CONFIG + 40), 1);	       /* max_discard_seg */
	EXPECT_EQ(rd(CONFIG + 52), 1);	       /* max_write_zeroes_seg */
	fk.t->region.access(&fk.t->region, NULL, CONFIG + 56, b, 1, false);
	EXPECT_EQ(b[0], 1); /* write_zeroes_may_unmap */
	wr(QUEUE_SEL, 0);
	EXPECT_EQ(rd(QUEUE_NUM_MAX), 128);
	wr(QUEUE_SEL, 1);
	EXPECT_EQ(rd(QUEUE_NUM_MAX), 0); /* one queue */
	fake_down();
}

TEST(write_then_read_matches_the_file)
{
	u8 *src = host(DATA_GPA), back[8192];
	u32 i, used;

	fake_up(false);
	for (i = 0; i < 8192; i++)
		src[i] = (u8)(i * 7 + 3);
	EXPECT_EQ(rq(T_OUT, 8, DATA_GPA, 8192, &used), S_OK);
	EXPECT_EQ(used, 1); /* only the status byte was written */
	file_read(8 * 512, back, sizeof(back));
	EXPECT_EQ(memcmp(back, src, sizeof(back)), 0);
	/* The bytes around it are untouched. */
	file_read(8 * 512 - 1, back, 1);
	EXPECT_EQ(back[0], (8 * 512 - 1) % 253);
	memset(host(DATA_GPA + 0x10000), 0, 8192);
	EXPECT_EQ(rq(T_IN, 8, DATA_GPA + 0x10000, 8192, &used), S_OK);
	EXPECT_EQ(used, 8193);
	EXPECT_EQ(memcmp(host(DATA_GPA + 0x10000), src, 8192), 0);
	/* The last sector of the disk is in range. */
	EXPECT_EQ(rq(T_IN, DISK_SIZE / 512 - 1, DATA_GPA, 512, NULL), S_OK);
	EXPECT_EQ(((u8 *)host(DATA_GPA))[511], (DISK_SIZE - 1) % 253);
	EXPECT_EQ(stats().reads, 2);
	EXPECT_EQ(stats().writes, 1);
	EXPECT_EQ(stats().bytes_written, 8192);
	EXPECT_EQ(stats().bytes_read, 8192 + 512);
	EXPECT_GE(fk.irq_raises, 1);
	fake_down();
}

/* VERSION_1 means any layout (2.7.4): header split, data and status sharing a buffer. */
TEST(any_buffer_layout)
{
	u8 *h = host(DATA_GPA), back[1024];
	u32 type = T_IN, i;
	u64 sector = 2;
	u16 head;
	u32 used;

	fake_up(false);
	memset(h, 0, 0x3000);
	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	{
		/* Header in 3 pieces; 1024 data bytes and the status in one writable buffer. */
		struct seg s[] = {{DATA_GPA, 5, false},
				  {DATA_GPA + 5, 7, false},
				  {DATA_GPA + 12, 4, false},
				  {DATA_GPA + 0x1000, 1025, true}};

		submit(s, 4);
	}
	kick();
	ASSERT_TRUE(used_next(&head, &used));
	EXPECT_EQ(used, 1025);
	EXPECT_EQ(((u8 *)host(DATA_GPA + 0x1000))[1024], S_OK);
	file_read(2 * 512, back, sizeof(back));
	EXPECT_EQ(memcmp(back, host(DATA_GPA + 0x1000), sizeof(back)), 0);
	/* A write whose header and data share one readable buffer. */
	type = T_OUT;
	sector = 100;
	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	for (i = 0; i < 512; i++)
		h[16 + i] = (u8)(0xa0 ^ i);
	{
		struct seg s[] = {{DATA_GPA, 16 + 512, false}, {status_gpa(3), 1, true}};

		submit(s, 2);
	}
	kick();
	ASSERT_TRUE(used_next(&head, &used));
	EXPECT_EQ(status_of(3), S_OK);
	file_read(100 * 512, back, 512);
	EXPECT_EQ(memcmp(back, h + 16, 512), 0);
	fake_down();
}

TEST(flush_and_get_id)
{
	u32 used;

	fake_up(false);
	EXPECT_EQ(rq(T_FLUSH, 0, 0, 0, &used), S_OK);
	EXPECT_EQ(used, 1);
	memset(host(DATA_GPA), 0x55, 64);
	EXPECT_EQ(rq(T_GET_ID, 0, DATA_GPA, 64, &used), S_OK);
	EXPECT_EQ(used, 21); /* 20 bytes at most, then the status */
	EXPECT_EQ(memcmp(host(DATA_GPA), "ktvm-test\0\0\0\0\0\0\0\0\0\0\0", 20), 0);
	EXPECT_EQ(((u8 *)host(DATA_GPA))[20], 0x55); /* nothing past 20 */
	EXPECT_EQ(stats().flushes, 1);
	EXPECT_EQ(stats().get_ids, 1);
	fake_down();
}

static u64 blocks(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (u64)st.st_blocks;
}

/* A range as 5.2.6 lays it out: le64 sector, le32 num_sectors, le32 flags. */
static u8 range_rq(u32 type, u64 sector, u32 sectors, u32 flags)
{
	u8 *r = host(DATA_GPA);
	struct seg s[3];

	memcpy(r, &sector, 8);
	memcpy(r + 8, &sectors, 4);
	memcpy(r + 12, &flags, 4);
	s[0] = (struct seg){hdr(1, type, 0), 16, false};
	s[1] = (struct seg){DATA_GPA, 16, false};
	s[2] = (struct seg){status_gpa(1), 1, true};
	submit(s, 3);
	kick();
	fk.used_seen = drv_used()->idx;
	return status_of(1);
}

TEST(discard_punches_a_hole_and_write_zeroes_zero)
{
	static u8 back[256 * 1024];
	u64 before, after;
	u32 i;

	fake_up(false);
	before = blocks(fk.fd);
	EXPECT_EQ(range_rq(T_DISCARD, 0, 512, 0), S_OK); /* 256 KiB */
	after = blocks(fk.fd);
	EXPECT_LT(after, before);
	file_read(0, back, sizeof(back));
	for (i = 0; i < sizeof(back) && !back[i]; i++)
		;
	EXPECT_EQ(i, sizeof(back));
	/* WRITE_ZEROES without UNMAP: zeroes, blocks may stay. */
	EXPECT_EQ(range_rq(T_WZ, 1024, 16, 0), S_OK);
	file_read(1024 * 512, back, 16 * 512);
	for (i = 0; i < 16 * 512 && !back[i]; i++)
		;
	EXPECT_EQ(i, 16 * 512);
	file_read(1040 * 512, back, 1);
	EXPECT_EQ(back[0], (1040 * 512) % 253);
	/* With UNMAP. */
	EXPECT_EQ(range_rq(T_WZ, 1100, 8, 1), S_OK);
	file_read(1100 * 512, back, 8 * 512);
	for (i = 0; i < 8 * 512 && !back[i]; i++)
		;
	EXPECT_EQ(i, 8 * 512);
	/* 5.2.6.2: flags on a DISCARD, unknown flags on WRITE_ZEROES: unsupported. */
	EXPECT_EQ(range_rq(T_DISCARD, 0, 8, 1), S_UNSUPP);
	EXPECT_EQ(range_rq(T_WZ, 0, 8, 2), S_UNSUPP);
	/* Out of range, too large. */
	EXPECT_EQ(range_rq(T_DISCARD, DISK_SIZE / 512 - 4, 8, 0), S_IOERR);
	EXPECT_EQ(range_rq(T_DISCARD, ~0ULL, 8, 0), S_IOERR);
	EXPECT_EQ(range_rq(T_WZ, 0, 0x7fffffff, 0), S_IOERR);
	EXPECT_EQ(stats().discards, 1);
	EXPECT_EQ(stats().write_zeroes, 2);
	EXPECT_EQ(stats().unsupported, 2);
	EXPECT_EQ(stats().errors, 3);
	fake_down();
}

TEST(read_only_disk_refuses_writes)
{
	u8 back[512];
	u32 i;

	fake_up(true);
	EXPECT_EQ(rd_features() & F_RO, F_RO);
	memset(host(DATA_GPA), 0xff, 512);
	EXPECT_EQ(rq(T_OUT, 0, DATA_GPA, 512, NULL), S_IOERR);
	EXPECT_EQ(range_rq(T_DISCARD, 0, 8, 0), S_IOERR);
	EXPECT_EQ(range_rq(T_WZ, 0, 8, 0), S_IOERR);
	file_read(0, back, sizeof(back));
	for (i = 0; i < sizeof(back); i++)
		if (back[i] != (u8)(i % 253))
			break;
	EXPECT_EQ(i, sizeof(back));
	/* Reads still work. */
	EXPECT_EQ(rq(T_IN, 0, DATA_GPA, 512, NULL), S_OK);
	EXPECT_EQ(((u8 *)host(DATA_GPA))[300], 300 % 253);
	fake_down();
}

TEST(hostile_requests)
{
	u16 head;
	u32 used;

	fake_up(false);
	/* Past the end, straddling it, a sector that overflows a byte offset. */
	EXPECT_EQ(rq(T_IN, DISK_SIZE / 512, DATA_GPA, 512, NULL), S_IOERR);
	EXPECT_EQ(rq(T_OUT, DISK_SIZE / 512 - 1, DATA_GPA, 1024, NULL), S_IOERR);
	EXPECT_EQ(rq(T_IN, ~0ULL, DATA_GPA, 512, NULL), S_IOERR);
	EXPECT_EQ(rq(T_IN, 1ULL << 55, DATA_GPA, 512, NULL), S_IOERR);
	/* Not a whole number of sectors. */
	EXPECT_EQ(rq(T_IN, 0, DATA_GPA, 100, NULL), S_IOERR);
	/* A data buffer larger than size_max. */
	EXPECT_EQ(rq(T_IN, 0, DATA_GPA, 512 * 1024, NULL), S_IOERR);
	/* Unknown type. */
	EXPECT_EQ(rq(77, 0, DATA_GPA, 512, NULL), S_UNSUPP);
	/* A read with readable data after its header. */
	{
		struct seg s[] = {{hdr(2, T_IN, 0), 16, false},
				  {DATA_GPA, 512, false},
				  {DATA_GPA + 4096, 512, true},
				  {status_gpa(2), 1, true}};

		submit(s, 4);
		kick();
		ASSERT_TRUE(used_next(&head, &used));
		EXPECT_EQ(status_of(2), S_IOERR);
	}
	/* A header shorter than 16 bytes. */
	{
		struct seg s[] = {{hdr(2, T_IN, 0), 8, false}, {status_gpa(2), 1, true}};

		submit(s, 2);
		kick();
		ASSERT_TRUE(used_next(&head, &used));
		EXPECT_EQ(status_of(2), S_IOERR);
		EXPECT_EQ(used, 1);
	}
	/* No writable byte at all: nowhere for a status; given back with 0. */
	{
		struct seg s[] = {{hdr(2, T_OUT, 0), 16, false}, {DATA_GPA, 512, false}};

		submit(s, 2);
		kick();
		ASSERT_TRUE(used_next(&head, &used));
		EXPECT_EQ(used, 0);
		EXPECT_EQ(stats().bad_chains, 1);
	}
	/* A write with a writable data buffer besides the status. */
	{
		struct seg s[] = {
		    {hdr(2, T_OUT, 0), 16, false}, {DATA_GPA, 512, true}, {status_gpa(2), 1, true}};

		submit(s, 3);
		kick();
		ASSERT_TRUE(used_next(&head, &used));
		EXPECT_EQ(status_of(2), S_IOERR);
	}
	/* The device goes on. */
	EXPECT_EQ(rq(T_IN, 0, DATA_GPA, 512, NULL), S_OK);
	EXPECT_EQ(rd(STATUS) & NEEDS_RESET, 0);
	EXPECT_EQ(stats().errors, 9);
	EXPECT_EQ(stats().unsupported, 1);
	fake_down();
}

TEST(many_requests_in_flight)
{
	u32 i, done = 0, used;
	u16 head;

	fake_up(false);
	/* 5 chains of 3 descriptors fill 15 of the 16; one notification for all. */
	for (i = 0; i < 5; i++) {
		struct seg s[] = {{hdr(i, T_IN, i * 8), 16, false},
				  {DATA_GPA + i * 4096, 4096, true},
				  {status_gpa(i), 1, true}};

		submit(s, 3);
	}
	kick();
	while (used_next(&head, &used)) {
		EXPECT_EQ(used, 4097);
		done++;
	}
	EXPECT_EQ(done, 5);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(status_of(i), S_OK);
		EXPECT_EQ(((u8 *)host(DATA_GPA + i * 4096))[0], (i * 8 * 512) % 253);
	}
	/* The notifying thread queues them all before a worker can complete one. */
	EXPECT_EQ(stats().in_flight_max, 5);
	EXPECT_EQ(stats().in_flight, 0);
	fake_down();
}

static u32 renotified;

static void count_renotify(void *ctx, u32 q)
{
	renotified++;
}

/*
 * Chains answered at once take no request slot: one notification takes at
 * most a ring's worth and then asks to be notified again, so a guest that
 * keeps posting them cannot hold the notifying thread.
 */
TEST(pass_is_bounded_and_asks_to_be_notified_again)
{
	u32 i, used, n = 0;
	u16 head;

	fake_up(false);
	fk.t->renotify = count_renotify;
	renotified = 0;
	for (i = 0; i < 5; i++) {
		struct seg s[] = {{hdr(i, T_FLUSH, 0), 16, false}};

		submit(s, 1); /* no status byte: given back unanswered */
	}
	kick();
	EXPECT_EQ(renotified, 0);
	for (i = 0; i < QSIZE; i++) {
		struct seg s[] = {{hdr(i, T_FLUSH, 0), 16, false}};

		submit(s, 1);
	}
	kick();
	EXPECT_EQ(renotified, 1);
	while (used_next(&head, &used))
		n++;
	EXPECT_EQ(n, 5 + QSIZE);
	EXPECT_EQ(stats().bad_chains, 5 + QSIZE);
	fake_down();
}

TEST(reset_waits_for_requests_in_flight)
{
	u32 i;

	fake_up(false);
	for (i = 0; i < 4; i++) {
		struct seg s[] = {{hdr(i, T_IN, 0), 16, false},
				  {DATA_GPA + i * 65536, 65536, true},
				  {status_gpa(i), 1, true}};

		submit(s, 3);
	}
	wr(QUEUE_NOTIFY, 0);
	wr(STATUS, 0);
	EXPECT_EQ(stats().in_flight, 0);
	/* Each one either done by a worker or dropped before it started. */
	EXPECT_EQ(stats().reads + stats().cancelled, 4);
	EXPECT_EQ(rd(STATUS), 0);
	fake_down();
}

TEST(uncached_disk_bounces_unaligned_buffers)
{
	static u8 back[8192];
	u8 *src = host(DATA_GPA + 3); /* not aligned as O_DIRECT wants */
	int fd = backing("/var/tmp", O_DIRECT);
	u32 i;

	if (fd < 0)
		SKIP("/var/tmp does not take O_DIRECT (%s)", strerror(errno));
	fake_up_fd(fd, false, true);
	EXPECT_EQ(rd(CONFIG + 20), 4096); /* blk_size: O_DIRECT's alignment */
	for (i = 0; i < 8192; i++)
		src[i] = (u8)(i ^ 0x3c);
	EXPECT_EQ(rq(T_OUT, 8, DATA_GPA + 3, 8192, NULL), S_OK);
	/* A request that is not a whole number of 4 KiB blocks is refused. */
	EXPECT_EQ(rq(T_OUT, 8, DATA_GPA + 3, 512, NULL), S_IOERR);
	memset(host(DATA_GPA + 0x20001), 0, 8192);
	EXPECT_EQ(rq(T_IN, 8, DATA_GPA + 0x20001, 8192, NULL), S_OK);
	EXPECT_EQ(memcmp(host(DATA_GPA + 0x20001), src, 8192), 0);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT);
	file_read(8 * 512, back, sizeof(back));
	EXPECT_EQ(memcmp(back, src, sizeof(back)), 0);
	fake_down();
}

TEST(creation_checks)
{
	struct virtio_blk_config cfg = {.fd = 0, .size = 0};

	EXPECT_EQ(fake_create_cfg(&cfg), -EINVAL);
	EXPECT_TRUE(strstr(error_msg(), "a disk of 0 bytes") != NULL);
	cfg.size = 1000;
	EXPECT_EQ(fake_create_cfg(&cfg), -EINVAL);
	cfg.size = 512;
	cfg.direct = true;
	EXPECT_EQ(fake_create_cfg(&cfg), -EINVAL);
	EXPECT_TRUE(strstr(error_msg(), "cache=none") != NULL);
	cfg.direct = false;
	cfg.workers = 65;
	EXPECT_EQ(fake_create_cfg(&cfg), -EINVAL);
	cfg.fd = -1;
	cfg.workers = 0;
	EXPECT_EQ(fake_create_cfg(&cfg), -EBADF);
	EXPECT_TRUE(fk.b == NULL);
}
