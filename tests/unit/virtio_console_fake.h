/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake guest of the virtio console tests (test_virtio_console*.c): 2 MiB
 * of guest RAM with every queue's rings and buffers at fixed places, the
 * sink recording what the device hands the host per port, and a driver that
 * talks to the device only through its bus region and behaves as Linux's
 * drivers/char/virtio_console.c does: MULTIPORT, control receive buffers
 * posted before DEVICE_READY and given back after each message, PORT_READY
 * after each DEVICE_ADD, the console port opened after CONSOLE_PORT
 * (virtio 1.2 5.3.6.2), each control message waited for.
 */
#ifndef KTVM_TESTS_UNIT_VIRTIO_CONSOLE_FAKE_H
#define KTVM_TESTS_UNIT_VIRTIO_CONSOLE_FAKE_H

#include <errno.h>

#include "core/base/error.h"
#include "devices/virtio/console.h"
#include "tests/test.h"

/*
 * Guest RAM: queue q's rings at RING_GPA(q) (descriptors, driver area at
 * +0x400, device area at +0x800), and a 4 KiB buffer per descriptor.
 */
#define RAM_BASE    0x80000000ULL
#define RAM_SIZE    (2 * MiB)
#define QSIZE	    16
#define NQ	    16
#define SLOT	    0x1000
#define RING_GPA(q) (RAM_BASE + (u64)(q)*0x1000)
#define QAVAIL(q)   (RING_GPA(q) + 0x400)
#define QUSED(q)    (RING_GPA(q) + 0x800)
#define BUF(q, d)   (RAM_BASE + 0x10000 + ((u64)(q)*QSIZE + (d)) * SLOT)
#define DESC_GPA    RING_GPA(0)
#define AVAIL_GPA   QAVAIL(0)
#define USED_GPA    QUSED(0)
#define MMIO_BASE   0xd0000000ULL

#include "tests/unit/virtio_fake.h"

#include "tests/unit/virtio_mmio_regs.h"

/* Console feature bits (5.3.3), spelled out independently of the code under test, */
#define F_MULTIPORT (1ULL << 1)
#define F_EMERG	    (1ULL << 2)

/* control events (5.3.6.2), */
enum {
	DEVICE_READY = 0,
	DEVICE_ADD = 1,
	DEVICE_REMOVE = 2,
	PORT_READY = 3,
	CONSOLE_PORT = 4,
	RESIZE = 5,
	PORT_OPEN = 6,
	PORT_NAME = 7,
};

/* and queues (5.3.2). */
#define CTRL_RX 2
#define CTRL_TX 3
#define BAD_ID	0xffffffffu /* Linux's VIRTIO_CONSOLE_BAD_ID */

static inline u32 rxq(u32 port)
{
	return port ? 2 + 2 * port : 0;
}

static inline u32 txq(u32 port)
{
	return rxq(port) + 1;
}

/* The fake driver, and what the device handed to the host. */
static struct fake {
	struct virtio_console *c;
	struct virtio_mmio *t;
	u32 nr_ports;
	u16 avail[NQ], used_seen[NQ], next_desc[NQ];
	unsigned int irq_raises;
	bool irq_level;
	u8 got[VIRTIO_CONSOLE_MAX_PORTS][64 * 1024]; /* sink output per port */
	size_t got_len[VIRTIO_CONSOLE_MAX_PORTS];
	unsigned int sink_calls, sink_overflow;
} fk;

static inline void sink(void *ctx, u32 port, const u8 *data, size_t len)
{
	struct fake *f = ctx;

	f->sink_calls++;
	if (port >= VIRTIO_CONSOLE_MAX_PORTS || len > sizeof(f->got[0]) - f->got_len[port]) {
		f->sink_overflow++;
		return;
	}
	memcpy(f->got[port] + f->got_len[port], data, len);
	f->got_len[port] += len;
}

#include "tests/unit/virtio_driver_fake.h"

static inline int fake_create_names(struct fake *f, u32 nr_ports, const char *name1)
{
	struct virtio_console_config cfg = {.nr_ports = nr_ports, .rx = sink, .rx_ctx = f};
	struct virtq_mem mem = {fake_gpa, NULL};

	cfg.names[1] = name1;
	memset(ram, 0, sizeof(ram));
	memset(f, 0, sizeof(*f));
	f->nr_ports = nr_ports;
	return virtio_console_create(&f->c, &cfg, MMIO_BASE, &mem, fake_irq, f);
}

static inline void fake_create(struct fake *f, u32 nr_ports)
{
	ASSERT_EQ(fake_create_names(f, nr_ports, nr_ports > 1 ? "ktvm-bulk" : NULL), 0);
	f->t = virtio_console_transport(f->c);
	ASSERT_TRUE(f->t->irq_ctx == f);
}

static inline void fake_destroy(struct fake *f)
{
	virtio_console_destroy(f->c);
	f->c = NULL;
}

/* 4.2.3.2: queue q of QSIZE at its place. */
static inline void setup_queue(struct fake *f, u32 q)
{
	wr(f, QUEUE_SEL, q);
	ASSERT_GE(rd(f, QUEUE_NUM_MAX), QSIZE);
	wr(f, QUEUE_NUM, QSIZE);
	wr64(f, QUEUE_DESC, RING_GPA(q));
	wr64(f, QUEUE_DRIVER, QAVAIL(q));
	wr64(f, QUEUE_DEVICE, QUSED(q));
	wr(f, QUEUE_READY, 1);
	ASSERT_EQ(rd(f, QUEUE_READY), 1);
}

/* 3.1.1, with every queue the device has for the features set up. */
static inline void fake_init(struct fake *f, u64 features)
{
	u32 q, nq = features & F_MULTIPORT ? 2 + 2 * f->nr_ports : 2;

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
	ASSERT_EQ(rd(f, STATUS), ACK | DRIVER | FEATURES_OK);
	for (q = 0; q < nq; q++)
		setup_queue(f, q);
	wr(f, STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
	ASSERT_EQ(rd(f, STATUS), ACK | DRIVER | FEATURES_OK | DRIVER_OK);
}

struct seg {
	const void *data; /* readable: its bytes; writable: NULL */
	u32 len;
	bool writable;
};

/* Make a chain of n buffers available on queue q (2.7.13), without notifying. */
static inline u16 post(struct fake *f, u32 q, const struct seg *s, u32 n)
{
	struct virtq_avail *a = host(QAVAIL(q));
	u16 head = f->next_desc[q], d = head, next;
	u32 i;

	for (i = 0; i < n; i++) {
		next = (d + 1) % QSIZE;
		ASSERT_LE(s[i].len, SLOT);
		if (s[i].writable)
			memset(host(BUF(q, d)), 0xee, s[i].len);
		else
			memcpy(host(BUF(q, d)), s[i].data, s[i].len);
		drv_desc_at(RING_GPA(q), d, BUF(q, d), s[i].len,
			    (s[i].writable ? VIRTQ_DESC_F_WRITE : 0) |
				(i + 1 < n ? VIRTQ_DESC_F_NEXT : 0),
			    next);
		d = next;
	}
	f->next_desc[q] = d;
	a->ring[f->avail[q] % QSIZE] = head;
	f->avail[q]++;
	__atomic_store_n(&a->idx, f->avail[q], __ATOMIC_RELEASE);
	return head;
}

static inline void post_out(struct fake *f, u32 q, const void *data, u32 len)
{
	struct seg s = {data, len, false};

	post(f, q, &s, 1);
}

static inline void post_in(struct fake *f, u32 q, u32 len)
{
	struct seg s = {NULL, len, true};

	post(f, q, &s, 1);
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
	e = u->ring[f->used_seen[q] % QSIZE];
	f->used_seen[q]++;
	*head = (u16)e.id;
	*len = e.len;
	return true;
}

static inline u16 used_idx(u32 q)
{
	return ((struct virtq_used *)host(QUSED(q)))->idx;
}

/* Control messages. */

static inline void ctrl_send_raw(struct fake *f, const struct seg *s, u32 n)
{
	u16 before = used_idx(CTRL_TX);

	post(f, CTRL_TX, s, n);
	notify(f, CTRL_TX);
	/* Linux waits for each control message to be used. */
	EXPECT_EQ(used_idx(CTRL_TX), (u16)(before + 1));
	f->used_seen[CTRL_TX] = used_idx(CTRL_TX);
}

static inline void ctrl_send(struct fake *f, u32 id, u16 event, u16 value)
{
	u8 m[8] = {(u8)id,    (u8)(id >> 8),	(u8)(id >> 16), (u8)(id >> 24),
		   (u8)event, (u8)(event >> 8), (u8)value,	(u8)(value >> 8)};
	struct seg s = {m, sizeof(m), false};

	ctrl_send_raw(f, &s, 1);
}

struct msg {
	u32 id, len;
	u16 event, value;
	char name[64];
};

/* Post n page-sized control receive buffers, as Linux's fill_queue() does. */
static inline void ctrl_fill(struct fake *f, u32 n)
{
	while (n--)
		post_in(f, CTRL_RX, SLOT);
	notify(f, CTRL_RX);
}

/* The next control message from the device; its buffer goes back, as in Linux. */
static inline bool ctrl_recv(struct fake *f, struct msg *m)
{
	const u8 *b;
	u16 head;
	u32 len;

	memset(m, 0, sizeof(*m));
	if (!used_next(f, CTRL_RX, &head, &len))
		return false;
	b = host(BUF(CTRL_RX, head));
	m->len = len;
	m->id = (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
	m->event = (u16)(b[4] | b[5] << 8);
	m->value = (u16)(b[6] | b[7] << 8);
	if (len > 8 && len - 8 < sizeof(m->name))
		memcpy(m->name, b + 8, len - 8);
	ctrl_fill(f, 1);
	return true;
}

static inline void expect_msg_at(const char *file, int line, struct fake *f, u32 id, u16 event,
				 u16 value, const char *name)
{
	u32 len = 8 + (name ? (u32)strlen(name) : 0);
	struct msg m;

	if (!ctrl_recv(f, &m)) {
		test_fail_at(file, line, "no control message; expected event %u id %u", event, id);
		return;
	}
	if (m.id != id || m.event != event || m.value != value || m.len != len ||
	    strcmp(m.name, name ? name : ""))
		test_fail_at(
		    __FILE__, line,
		    "control message id %u event %u value %u len %u \"%s\"; expected id %u "
		    "event %u value %u len %u \"%s\"",
		    m.id, m.event, m.value, m.len, m.name, id, event, value, len, name ? name : "");
}
#define EXPECT_MSG(f, id, event, value, name)                                                      \
	expect_msg_at(__FILE__, __LINE__, f, id, event, value, name)

static inline void expect_no_msg_at(const char *file, int line, struct fake *f)
{
	struct msg m;

	if (ctrl_recv(f, &m))
		test_fail_at(file, line, "unexpected control message id %u event %u value %u", m.id,
			     m.event, m.value);
}
#define EXPECT_NO_MSG(f) expect_no_msg_at(__FILE__, __LINE__, f)

/* Linux's probe and add_port() for every port, then the guest opens them all. */
static inline void fake_handshake(struct fake *f, bool open)
{
	u32 p;

	ctrl_fill(f, 8);
	ctrl_send(f, BAD_ID, DEVICE_READY, 1);
	for (p = 0; p < f->nr_ports; p++)
		EXPECT_MSG(f, p, DEVICE_ADD, 1, NULL);
	EXPECT_NO_MSG(f);
	for (p = 0; p < f->nr_ports; p++) {
		ctrl_send(f, p, PORT_READY, 1);
		if (p == 0)
			EXPECT_MSG(f, 0, CONSOLE_PORT, 1, NULL);
		else if (p == 1)
			EXPECT_MSG(f, 1, PORT_NAME, 1, "ktvm-bulk");
		EXPECT_MSG(f, p, PORT_OPEN, 1, NULL);
		EXPECT_NO_MSG(f);
	}
	for (p = 0; open && p < f->nr_ports; p++)
		ctrl_send(f, p, PORT_OPEN, 1);
}

/* A device with 2 ports, negotiated, handshake done, both ports open. */
static inline void fake_up(struct fake *f)
{
	fake_create(f, 2);
	fake_init(f, F_VERSION_1 | F_MULTIPORT);
	fake_handshake(f, true);
}

static inline struct virtio_console_stats stats(struct fake *f)
{
	struct virtio_console_stats s;

	virtio_console_stats(f->c, &s);
	return s;
}

#define EXPECT_GOT(f, port, str)                                                                   \
	do {                                                                                       \
		EXPECT_EQ((f)->got_len[port], strlen(str));                                        \
		EXPECT_EQ(memcmp((f)->got[port], str, strlen(str)), 0);                            \
	} while (0)

/* Expect the next used receive chain of q to hold exactly str. */
#define EXPECT_RX(f, q, str)                                                                       \
	do {                                                                                       \
		u16 h_;                                                                            \
		u32 l_;                                                                            \
		ASSERT_TRUE(used_next(f, q, &h_, &l_));                                            \
		EXPECT_EQ(l_, strlen(str));                                                        \
		EXPECT_EQ(memcmp(host(BUF(q, h_)), str, strlen(str)), 0);                          \
	} while (0)

/* After something hostile: the device has not stopped and still carries bytes. */
static inline void expect_still_works(struct fake *f)
{
	EXPECT_EQ(rd(f, STATUS) & NEEDS_RESET, 0);
	f->got_len[1] = 0;
	post_out(f, txq(1), "ok", 2);
	notify(f, txq(1));
	EXPECT_GOT(f, 1, "ok");
}

#endif
