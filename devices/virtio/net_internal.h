/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio network device's state, shared by net.c (transport callbacks,
 * configuration, the host's interface), net_tx.c (the transmitq) and
 * net_rx.c (frames for the guest and the receiveq). Not for other users:
 * they see struct virtio_net as opaque.
 *
 * Everything below t and the fixed configuration is guarded by n->lock,
 * which is also what serialises our use of the queues (virtq.h).
 */
#ifndef KTVM_DEVICES_VIRTIO_NET_INTERNAL_H
#define KTVM_DEVICES_VIRTIO_NET_INTERNAL_H

#include "devices/virtio/net.h"

/* A frame for the guest, host copy: the virtio header, then the frame. */
struct virtio_net_frame {
	u32 len; /* VIRTIO_NET_HDR_LEN + frame bytes */
	u8 data[];
};

/* A receive chain used by a frame that is not complete yet (MRG_RXBUF). */
struct virtio_net_used {
	u16 head;
	u32 len;
};

struct virtio_net {
	struct virtio_mmio t;
	struct virtio_dev_ops ops; /* virtio_net_ops, with the checksum features if offered */
	enum virtio_net_mode mode;
	u8 mac[6];
	u16 mtu;
	bool csum;     /* CSUM and GUEST_CSUM offered */
	int tap_fd;    /* VIRTIO_NET_TAP */
	u32 frame_max; /* mtu + Ethernet header + VLAN tag */

	pthread_mutex_t lock; /* guards the rest, and our use of the queues */
	bool active;	      /* from activate() to reset(): the queues are ours to use */
	bool mrg_rxbuf;	      /* VIRTIO_NET_F_MRG_RXBUF negotiated */
	bool guest_csum;      /* VIRTIO_NET_F_GUEST_CSUM negotiated */
	u32 work;	      /* bit q: queue q has work left over */

	/* Frames waiting for receive buffers: a ring, oldest at rx_head. */
	struct virtio_net_frame *rx[VIRTIO_NET_PENDING_FRAMES];
	u32 rx_head, rx_nr;
	size_t rx_pending_bytes;
	/*
	 * Without MRG_RXBUF: a receive chain popped and too small for the
	 * frames that came so far, kept for one it can hold (net_rx.c).
	 */
	struct virtq_chain rx_chain;
	bool rx_held;
	/*
	 * With MRG_RXBUF: the chains the oldest frame has filled so far
	 * (rx_off bytes of it), and where its num_buffers field lies in the
	 * first one, written once the count is known.
	 */
	struct virtio_net_used rx_used[VIRTIO_NET_QUEUE_MAX];
	u32 rx_used_nr, rx_off;
	u8 *rx_num_buffers[2];

	u64 tx_frames, tx_bytes, rx_frames, rx_bytes, tx_dropped, rx_dropped, bad_chains,
	    csum_fixed;

	/* Scratch space for the passes. */
	struct virtq_buf tx_bufs[VIRTIO_NET_QUEUE_MAX];
	struct virtq_buf rx_bufs[VIRTIO_NET_QUEUE_MAX];
	u8 *tx_buf; /* VIRTIO_NET_HDR_LEN + frame_max: a transmit chain's host copy */
	/* VIRTIO_NET_HDR_LEN + frame_max + 1: TAP reads; virtio_net_tap_readable()'s alone */
	u8 *tap_buf;
};

/* Queue q, if it is ready and ours to use now. */
static inline struct virtq *virtio_net_vq(struct virtio_net *n, u32 q)
{
	if (!n->active || atomic_load(&n->t.needs_reset))
		return NULL;
	return virtio_mmio_queue(&n->t, q);
}

/* net.c; with n->lock held. */

/*
 * Check a frame's header (5.1.6.2) and settle its partial checksum: with
 * NEEDS_CSUM, the checksum is completed here unless keep_partial, and the
 * flag goes only where keep_partial. Returns false (nothing changed) for a
 * GSO frame or checksum offsets outside the frame. pkt is header + frame.
 */
bool virtio_net_hdr_csum(struct virtio_net *n, u8 *pkt, u32 len, bool keep_partial);

/* net_tx.c; with n->lock held. */

/* One pass over the transmitq; true if it stopped at its bound. */
bool virtio_net_tx_pass(struct virtio_net *n);

/* net_rx.c; with n->lock held. */

/* Queue a frame (header + frame, len bytes, a host copy) for the guest, or drop it. */
void virtio_net_rx_queue(struct virtio_net *n, const u8 *pkt, u32 len);
/* A frame read from the TAP: check its header, then queue it. */
void virtio_net_rx_from_tap(struct virtio_net *n, u8 *pkt, u32 len);
/* One pass filling the receiveq; true if it stopped at its bound with frames left. */
bool virtio_net_rx_pass(struct virtio_net *n);
/* Device reset: forget pending frames (counted as dropped) and held chains. */
void virtio_net_rx_reset(struct virtio_net *n);

#endif
