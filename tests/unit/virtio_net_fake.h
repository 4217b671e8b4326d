/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake guest of the virtio-net tests (test_virtio_net.c): 4 MiB of
 * guest RAM with both queues' rings and a 4 KiB buffer per descriptor at
 * fixed places, a region for buffers larger than that, and a driver that
 * talks to the device only through its bus region, as Linux's
 * drivers/net/virtio_net.c does: the standard initialisation (virtio 1.2
 * 3.1.1), receive buffers posted and notified, frames transmitted as header
 * and frame in device-readable buffers.
 *
 * The helpers return what happened instead of asserting, so a forked child
 * (the TAP test in its own network namespace) can use them too.
 */
#ifndef KTVM_TESTS_UNIT_VIRTIO_NET_FAKE_H
#define KTVM_TESTS_UNIT_VIRTIO_NET_FAKE_H

#include <errno.h>

#include "core/base/error.h"
#include "devices/virtio/net.h"
#include "tests/test.h"

/*
 * Guest RAM: queue q's rings at RING_GPA(q) (descriptors, driver area at
 * +0x400, device area at +0x800), a 4 KiB buffer per descriptor at
 * BUF(q, d), and BIG_GPA.. for anything larger.
 */
#define RAM_BASE    0x80000000ULL
#define RAM_SIZE    (4 * MiB)
#define QSIZE	    16
#define NQ	    2
#define SLOT	    0x1000
#define RING_GPA(q) (RAM_BASE + (u64)(q)*0x1000)
#define QAVAIL(q)   (RING_GPA(q) + 0x400)
#define QUSED(q)    (RING_GPA(q) + 0x800)
#define BUF(q, d)   (RAM_BASE + 0x10000 + ((u64)(q)*QSIZE + (d)) * SLOT)
#define BIG_GPA	    (RAM_BASE + 1 * MiB)
#define BIG_SIZE    (RAM_SIZE - 1 * MiB)
#define DESC_GPA    RING_GPA(0)
#define AVAIL_GPA   QAVAIL(0)
#define USED_GPA    QUSED(0)
#define MMIO_BASE   0xd0000000ULL

#include "tests/unit/virtio_fake.h"

#include "tests/unit/virtio_mmio_regs.h"

/* virtio-net feature bits (5.1.3), spelled out independently of the code under test, */
#define F_CSUM	     (1ULL << 0)
#define F_GUEST_CSUM (1ULL << 1)
#define F_MTU	     (1ULL << 3)
#define F_MAC	     (1ULL << 5)
#define F_MRG_RXBUF  (1ULL << 15)
#define F_STATUS     (1ULL << 16)
#define F_NET	     (F_VERSION_1 | F_MAC | F_MTU | F_STATUS)

/* queues (5.1.2), */
#define RXQ 0
#define TXQ 1

/* and the header (5.1.6). */
#define HDR	   12
#define NEEDS_CSUM 1
#define DATA_VALID 2

static const u8 test_mac[6] = {0x02, 0x4b, 0x54, 0x56, 0x00, 0x01};

/* The fake driver. */
static struct fake {
	struct virtio_net *n;
	struct virtio_mmio *t;
	u16 avail[NQ], used_seen[NQ], next_desc[NQ];
	u16 qsize[NQ]; /* as set up: QSIZE unless a test asks for less */
	unsigned int irq_raises;
	bool irq_level;
} fk;

#include "tests/unit/virtio_driver_fake.h"

/* A loopback device with the test MAC; mtu 0 is the default. */
static inline struct virtio_net_config fake_cfg(u16 mtu, bool csum)
{
	struct virtio_net_config cfg = {.mode = VIRTIO_NET_LOOPBACK, .mtu = mtu, .csum = csum};

	memcpy(cfg.mac, test_mac, sizeof(cfg.mac));
	cfg.tap_fd = -1;
	return cfg;
}

static inline int fake_create_cfg(struct fake *f, const struct virtio_net_config *cfg)
{
	struct virtq_mem mem = {fake_gpa, NULL};
	int ret;

	memset(ram, 0, sizeof(ram));
	memset(f, 0, sizeof(*f));
	ret = virtio_net_create(&f->n, cfg, MMIO_BASE, &mem, fake_irq, f);
	if (!ret)
		f->t = virtio_net_transport(f->n);
	return ret;
}

static inline void fake_destroy(struct fake *f)
{
	virtio_net_destroy(f->n);
	f->n = NULL;
}

/* 4.2.3.2: queue q of size (a power of two <= QSIZE) at its place. */
static inline bool setup_queue(struct fake *f, u32 q, u16 size)
{
	f->qsize[q] = size;
	wr(f, QUEUE_SEL, q);
	if (rd(f, QUEUE_NUM_MAX) < size)
		return false;
	wr(f, QUEUE_NUM, size);
	wr64(f, QUEUE_DESC, RING_GPA(q));
	wr64(f, QUEUE_DRIVER, QAVAIL(q));
	wr64(f, QUEUE_DEVICE, QUSED(q));
	wr(f, QUEUE_READY, 1);
	return rd(f, QUEUE_READY) == 1;
}

/* 3.1.1 with both queues set up, of the sizes given; false if the device refused a step. */
static inline bool fake_init_sizes(struct fake *f, u64 features, u16 rx_size, u16 tx_size)
{
	u32 q;

	wr(f, STATUS, 0);
	memset(ram, 0, NQ * 0x1000);
	memset(f->avail, 0, sizeof(f->avail));
	memset(f->used_seen, 0, sizeof(f->used_seen));
	memset(f->next_desc, 0, sizeof(f->next_desc));
	wr(f, STATUS, ACK);
	wr(f, STATUS, ACK | DRIVER);
	wr(f, DRV_FEATURES_SEL, 1);
	wr(f, DRV_FEATURES, (u32)(features >> 32));
	wr(f, DRV_FEATURES_SEL, 0);
	wr(f, DRV_FEATURES, (u32)features);
	wr(f, STATUS, ACK | DRIVER | FEATURES_OK);
	if (rd(f, STATUS) != (ACK | DRIVER | FEATURES_OK))
		return false;
	for (q = 0; q < NQ; q++)
		if (!setup_queue(f, q, q == RXQ ? rx_size : tx_size))
			return false;
	wr(f, STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
	return rd(f, STATUS) == (ACK | DRIVER | FEATURES_OK | DRIVER_OK);
}

static inline bool fake_init(struct fake *f, u64 features)
{
	return fake_init_sizes(f, features, QSIZE, QSIZE);
}

struct seg {
	const void *data; /* readable: its bytes; writable: NULL */
	u32 len;
	bool writable;
	u64 gpa; /* 0: the descriptor's own 4 KiB slot */
};

/*
 * Make a chain of n buffers available on queue q (2.7.13), without
 * notifying. Returns its head, or -1 for a buffer that does not fit its slot.
 */
static inline int post(struct fake *f, u32 q, const struct seg *s, u32 n)
{
	struct virtq_avail *a = host(QAVAIL(q));
	u16 head = f->next_desc[q], d = head, next;
	u64 gpa;
	u32 i;

	for (i = 0; i < n; i++) {
		next = (d + 1) % f->qsize[q];
		gpa = s[i].gpa ? s[i].gpa : BUF(q, d);
		if (!s[i].gpa && s[i].len > SLOT)
			return -1;
		if (s[i].writable)
			memset(host(gpa), 0xee, s[i].len);
		else
			memcpy(host(gpa), s[i].data, s[i].len);
		drv_desc_at(RING_GPA(q), d, gpa, s[i].len,
			    (s[i].writable ? VIRTQ_DESC_F_WRITE : 0) |
				(i + 1 < n ? VIRTQ_DESC_F_NEXT : 0),
			    next);
		d = next;
	}
	f->next_desc[q] = d;
	a->ring[f->avail[q] % f->qsize[q]] = head;
	f->avail[q]++;
	__atomic_store_n(&a->idx, f->avail[q], __ATOMIC_RELEASE);
	return head;
}

static inline int post_out(struct fake *f, const void *data, u32 len)
{
	struct seg s = {data, len, false, 0};

	return post(f, TXQ, &s, 1);
}

/* A receive chain of one len-byte buffer; it is BUF(RXQ, head). */
static inline int post_in(struct fake *f, u32 len)
{
	struct seg s = {NULL, len, true, 0};

	return post(f, RXQ, &s, 1);
}

static inline void notify(struct fake *f, u32 q)
{
	wr(f, QUEUE_NOTIFY, q);
}

/* The next used element of queue q, if any. */
static inline bool used_next(struct fake *f, u32 q, u16 *head, u32 *len)
{
	struct virtq_used *u = host(QUSED(q));
	struct virtq_used_elem e;

	if (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == f->used_seen[q])
		return false;
	e = u->ring[f->used_seen[q] % f->qsize[q]];
	f->used_seen[q]++;
	*head = (u16)e.id;
	*len = e.len;
	return true;
}

static inline u16 used_idx(u32 q)
{
	return ((struct virtq_used *)host(QUSED(q)))->idx;
}

/* Header and frame in one buffer, as Linux sends them; false if it does not fit a slot. */
static inline bool send_pkt(struct fake *f, const u8 *hdr, const u8 *frame, u32 len)
{
	static u8 pkt[SLOT];

	if (HDR + len > sizeof(pkt))
		return false;
	memcpy(pkt, hdr, HDR);
	memcpy(pkt + HDR, frame, len);
	if (post_out(f, pkt, HDR + len) < 0)
		return false;
	notify(f, TXQ);
	return true;
}

/* A frame with an all-zero header. */
static inline bool send_frame(struct fake *f, const u8 *frame, u32 len)
{
	static const u8 hdr[HDR];

	return send_pkt(f, hdr, frame, len);
}

/* A header: flags, gso_type, csum_start, csum_offset (the rest zero). */
static inline void make_hdr(u8 *hdr, u8 flags, u8 gso, u16 start, u16 off)
{
	memset(hdr, 0, HDR);
	hdr[0] = flags;
	hdr[1] = gso;
	hdr[6] = (u8)start;
	hdr[7] = (u8)(start >> 8);
	hdr[8] = (u8)off;
	hdr[9] = (u8)(off >> 8);
}

/*
 * A test frame of len bytes: broadcast destination, our MAC as source,
 * the local experimental EtherType 0x88b5, then bytes derived from seed.
 */
static inline void make_frame(u8 *p, u32 len, u32 seed)
{
	u32 i;

	memset(p, 0xff, 6);
	memcpy(p + 6, test_mac, 6);
	p[12] = 0x88;
	p[13] = 0xb5;
	for (i = 14; i < len; i++)
		p[i] = (u8)(seed * 31 + i * 7 + (i >> 8));
}

static inline u16 hdr16(const u8 *hdr, u32 off)
{
	return (u16)(hdr[off] | hdr[off + 1] << 8);
}

static inline struct virtio_net_stats stats(struct fake *f)
{
	struct virtio_net_stats s;

	virtio_net_stats(f->n, &s);
	return s;
}

/* Helpers the loopback and TAP tests share. */

/* The next used receive chain of one buffer: its bytes, *len of them. */
static inline const u8 *rx_next(u32 *len)
{
	u16 head;

	if (!used_next(&fk, RXQ, &head, len))
		return NULL;
	return host(BUF(RXQ, head));
}

/* Collect the next k used receive chains (one buffer each) into out. */
static inline u32 rx_collect(u32 k, u8 *out, u32 *lens)
{
	u32 i, len, total = 0;
	u16 head;

	for (i = 0; i < k; i++) {
		if (!used_next(&fk, RXQ, &head, &len))
			return total;
		lens[i] = len;
		memcpy(out + total, host(BUF(RXQ, head)), len);
		total += len;
	}
	return total;
}

/* RFC 768/1071, written out here independently of the device: the UDP checksum over IPv4. */
static inline u16 ref_udp_csum(const u8 *ip, const u8 *udp, u32 udp_len)
{
	u32 sum = 17 + udp_len, i;

	for (i = 0; i < 8; i += 2) /* source and destination address */
		sum += (u32)(ip[12 + i] << 8 | ip[13 + i]);
	for (i = 0; i < udp_len; i++)
		if (i != 6 && i != 7) /* the checksum field counts as zero */
			sum += i % 2 ? udp[i] : (u32)udp[i] << 8;
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return (u16)~sum;
}

/* Ethernet + IPv4 + UDP with an odd payload; the UDP checksum field holds the pseudo-header's sum. */
static inline u32 make_udp(u8 *p, u16 *pseudo_sum)
{
	static const u8 ip[20] = {0x45, 0, 0,  0, 0, 1,	 0,  0, 64, 17,
				  0,	0, 10, 0, 2, 15, 10, 0, 2,  2};
	u32 payload = 37, udp_len = 8 + payload, len = 14 + 20 + udp_len, i, sum;
	u8 *u = p + 34;

	make_frame(p, 14, 0);
	p[12] = 0x08;
	p[13] = 0x00;
	memcpy(p + 14, ip, sizeof(ip));
	p[16] = (u8)((20 + udp_len) >> 8);
	p[17] = (u8)(20 + udp_len);
	u[0] = 0x30, u[1] = 0x39, u[2] = 0x00, u[3] = 0x35;
	u[4] = (u8)(udp_len >> 8), u[5] = (u8)udp_len;
	for (i = 0; i < payload; i++)
		u[8 + i] = (u8)(i * 13 + 1);
	/* What Linux puts there for CHECKSUM_PARTIAL: the folded pseudo-header sum. */
	sum = 17 + udp_len + (10 << 8) + (2 << 8 | 15) + (10 << 8) + (2 << 8 | 2);
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	*pseudo_sum = (u16)sum;
	u[6] = (u8)(sum >> 8);
	u[7] = (u8)sum;
	return len;
}

/* Expect the next used receive chain to hold header (num_buffers 1, flags 0) and frame. */
#define EXPECT_RX_FRAME(frame, flen)                                                               \
	do {                                                                                       \
		u32 l_;                                                                            \
		const u8 *b_ = rx_next(&l_);                                                       \
		ASSERT_TRUE(b_ != NULL);                                                           \
		EXPECT_EQ(l_, HDR + (flen));                                                       \
		EXPECT_EQ(b_[0], 0);                                                               \
		EXPECT_EQ(hdr16(b_, 10), 1);                                                       \
		EXPECT_EQ(memcmp(b_ + HDR, frame, flen), 0);                                       \
	} while (0)

#endif
