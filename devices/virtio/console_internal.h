/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio console's state, shared by console.c (transport callbacks,
 * data queues, host interface) and console_ctrl.c (the control queues).
 * Not for other users: they see struct virtio_console as opaque.
 *
 * Everything below t and the fixed configuration is guarded by c->lock,
 * which is also what serialises our use of the queues (virtq.h).
 */
#ifndef KTVM_DEVICES_VIRTIO_CONSOLE_INTERNAL_H
#define KTVM_DEVICES_VIRTIO_CONSOLE_INTERNAL_H

#include "devices/virtio/console.h"

/* Guest bytes go to the sink through a host copy of at most this many at a time. */
#define VIRTIO_CONSOLE_BOUNCE (16 * KiB)

/* A control message in host byte order (the wire form is little-endian). */
struct virtio_console_msg {
	u32 id;
	u16 event;
	u16 value;
};

struct virtio_console_port {
	char name[VIRTIO_CONSOLE_NAME_MAX + 1]; /* "": unnamed */
	u8 *out;				/* host -> guest bytes: a ring of SEND_BUF */
	size_t out_head;			/* first undelivered byte */
	size_t out_len;
	bool guest_open;
	u64 bytes_in, bytes_out;
};

struct virtio_console {
	struct virtio_mmio t;
	struct virtio_dev_ops ops; /* virtio_console_ops with our queue count */
	u32 nr_ports;
	size_t send_buf; /* bytes of each port's out ring */
	virtio_console_rx_fn rx;
	void *rx_ctx;

	pthread_mutex_t lock; /* guards the rest, and our use of the queues */
	bool active;	      /* from activate() to reset(): the queues are ours to use */
	bool multiport;	      /* VIRTIO_CONSOLE_F_MULTIPORT negotiated */
	bool driver_ready;    /* DEVICE_READY 1 seen since the reset */
	u32 work;	      /* bit q: queue q has work left over */
	struct virtio_console_port port[VIRTIO_CONSOLE_MAX_PORTS];
	struct virtio_console_msg ctrl[VIRTIO_CONSOLE_CTRL_PENDING]; /* a ring */
	u32 ctrl_head, ctrl_nr;
	u64 ctrl_msgs, bad_ctrl, ctrl_sent, ctrl_dropped, bad_chains, bytes_discarded;
	/* Scratch space for the passes. */
	struct virtq_buf bufs[VIRTIO_CONSOLE_QUEUE_MAX];
	u8 bounce[VIRTIO_CONSOLE_BOUNCE];
};

/* Port p's receiveq; its transmitq is the next one (5.3.2). */
static inline u32 virtio_console_rxq(u32 p)
{
	return p ? 2 + 2 * p : 0;
}

/* Queue q, if it is ready and ours to use now. */
static inline struct virtq *virtio_console_vq(struct virtio_console *c, u32 q)
{
	if (!c->active || atomic_load(&c->t.needs_reset))
		return NULL;
	return virtio_mmio_queue(&c->t, q);
}

/* console_ctrl.c; with c->lock held. */

/* One pass over the control receiveq / transmitq; true if it stopped at its bound. */
bool virtio_console_ctrl_rx_pass(struct virtio_console *c);
bool virtio_console_ctrl_tx_pass(struct virtio_console *c);

#endif
