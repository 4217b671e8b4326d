/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio network device (virtio 1.2 5.1), on the virtio-mmio transport
 * (mmio.h): one receiveq/transmitq pair, no control queue, no offloads but
 * checksums. Two backends:
 *
 *   VIRTIO_NET_LOOPBACK  every frame the guest transmits comes back on its
 *                        receive queue, in order: a link with a mirror at
 *                        the far end, for tests that need traffic and no
 *                        host network.
 *   VIRTIO_NET_TAP       frames go to and come from a host TAP interface
 *                        (devices/tap.h) opened with a 12-byte vnet header,
 *                        so the header travels with each frame unchanged in
 *                        layout.
 *
 * Every frame on either queue is preceded by the 12-byte struct
 * virtio_net_hdr (5.1.6): VERSION_1 is always negotiated, so num_buffers is
 * always there. Frames the guest has no receive buffers for wait in a
 * bounded list (VIRTIO_NET_PENDING_FRAMES frames, VIRTIO_NET_PENDING_BYTES
 * bytes); beyond it they are dropped and counted, as a NIC drops when its
 * ring is full.
 *
 * Threads and locks, as the console's (console.h): the transport calls our
 * ops with t->lock held and we take the device lock inside it. In TAP mode
 * the device writes the TAP from the thread that delivered the transmit
 * notification (non-blocking: a full TAP drops, never waits), and the VMM's
 * I/O thread calls virtio_net_tap_readable() when the TAP has frames.
 * virtio_net_stats() and virtio_net_drain() take the device lock and may be
 * called from any thread.
 *
 * A device reset forgets the driver's state, including frames not yet
 * delivered (counted in rx_dropped: they were meant for a driver that is
 * gone). Statistics are kept.
 */
#ifndef KTVM_DEVICES_VIRTIO_NET_H
#define KTVM_DEVICES_VIRTIO_NET_H

#include "core/base/types.h"
#include "devices/virtio/mmio.h"

/* Feature bits, virtio 1.2 5.1.3. No GSO bits: no segmentation offload either way. */
#define VIRTIO_NET_F_CSUM	0 /* device completes partial checksums */
#define VIRTIO_NET_F_GUEST_CSUM 1 /* driver accepts partial checksums */
#define VIRTIO_NET_F_MTU	3
#define VIRTIO_NET_F_MAC	5
#define VIRTIO_NET_F_MRG_RXBUF	15 /* a received frame may span receive chains */
#define VIRTIO_NET_F_STATUS	16

/*
 * Configuration space, virtio 1.2 5.1.4: u8 mac[6], le16 status, le16
 * max_virtqueue_pairs, le16 mtu. Later fields (speed, duplex, RSS) belong
 * to features we do not offer.
 */
#define VIRTIO_NET_CONFIG_MAC	    0
#define VIRTIO_NET_CONFIG_STATUS    6
#define VIRTIO_NET_CONFIG_MAX_PAIRS 8
#define VIRTIO_NET_CONFIG_MTU	    10
#define VIRTIO_NET_CONFIG_LEN	    12
#define VIRTIO_NET_S_LINK_UP	    1

/*
 * struct virtio_net_hdr (5.1.6), byte offsets: u8 flags, u8 gso_type,
 * le16 hdr_len, le16 gso_size, le16 csum_start, le16 csum_offset, le16
 * num_buffers.
 */
#define VIRTIO_NET_HDR_FLAGS	    0
#define VIRTIO_NET_HDR_GSO_TYPE	    1
#define VIRTIO_NET_HDR_HDR_LEN	    2
#define VIRTIO_NET_HDR_GSO_SIZE	    4
#define VIRTIO_NET_HDR_CSUM_START   6
#define VIRTIO_NET_HDR_CSUM_OFFSET  8
#define VIRTIO_NET_HDR_NUM_BUFFERS  10
#define VIRTIO_NET_HDR_LEN	    12
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE	    0

/* Queues, 5.1.2: N = 1 without MQ, and no controlq without CTRL_VQ. */
#define VIRTIO_NET_RXQ	     0
#define VIRTIO_NET_TXQ	     1
#define VIRTIO_NET_QUEUE_MAX 256

/* Frame sizes: the MTU plus an Ethernet header and one VLAN tag. */
#define VIRTIO_NET_ETH_HLEN    14
#define VIRTIO_NET_VLAN_HLEN   4
#define VIRTIO_NET_MTU_MIN     68 /* 5.1.4.1 */
#define VIRTIO_NET_MTU_DEFAULT 1500

/* Frames waiting for receive buffers; more are dropped (stats rx_dropped). */
#define VIRTIO_NET_PENDING_FRAMES 256
#define VIRTIO_NET_PENDING_BYTES  (4 * MiB)
/* Frames one virtio_net_tap_readable() call takes from the TAP. */
#define VIRTIO_NET_TAP_BURST 64

enum virtio_net_mode { VIRTIO_NET_LOOPBACK, VIRTIO_NET_TAP };

struct virtio_net_config {
	enum virtio_net_mode mode;
	u8 mac[6];
	u16 mtu;   /* 68..65535; 0 -> 1500 */
	bool csum; /* offer CSUM and GUEST_CSUM */
	/*
	 * VIRTIO_NET_TAP: an open, non-blocking TAP fd with IFF_VNET_HDR and
	 * a vnet header size of 12 (tap_open()); the device does not close it.
	 */
	int tap_fd;
};

struct virtio_net_stats {
	u64 tx_frames;	/* guest frames handed on: to the loopback's receive side, or the TAP */
	u64 tx_bytes;	/* ... their bytes, without the virtio header */
	u64 rx_frames;	/* frames written into the guest's receive buffers */
	u64 rx_bytes;	/* ... their bytes, without the virtio header */
	u64 tx_dropped; /* guest frames not handed on: bad chains or headers, TAP full or failing */
	u64 rx_dropped; /* frames for the guest not delivered: see net_rx.c */
	u64 bad_chains; /* chains or headers breaking the rules; the device goes on */
	u64 csum_fixed; /* partial checksums completed in software */
	u32 rx_pending; /* frames waiting for receive buffers now */
};

struct virtio_net;

/*
 * Create the device and its transport at mmio_base; interrupts go to
 * irq(t, level) with t->irq_ctx == irq_ctx. The caller puts
 * virtio_net_transport(n)->region on its MMIO bus. Returns -errno with the
 * error message set (core/base/error.h).
 */
int virtio_net_create(struct virtio_net **out, const struct virtio_net_config *cfg, u64 mmio_base,
		      const struct virtq_mem *mem, virtio_mmio_irq_fn irq, void *irq_ctx);
/* No guest access or other call may be in progress. NULL is ignored. */
void virtio_net_destroy(struct virtio_net *n);
struct virtio_mmio *virtio_net_transport(struct virtio_net *n);

/*
 * TAP mode: the TAP fd is readable. Reads at most VIRTIO_NET_TAP_BURST
 * frames and queues them for the guest; what does not fit in the pending
 * list, or arrives while the driver is not running, is dropped and counted,
 * so a guest that stops reading never blocks or spins the caller. One
 * thread at a time (the VMM's I/O thread). Does nothing in loopback mode.
 * Returns 0, or -errno when the TAP failed for good (its interface was
 * deleted: EBADFD), after which the caller should stop watching it.
 */
int virtio_net_tap_readable(struct virtio_net *n);
/*
 * Take every chain waiting in the transmit queue now, whether or not the
 * driver notified; for after the vCPUs have stopped.
 */
void virtio_net_drain(struct virtio_net *n);
/* Hold the device lock: no queue is used, so no guest memory written, until resume. */
void virtio_net_pause(struct virtio_net *n);
void virtio_net_resume(struct virtio_net *n);
/* A consistent snapshot. Any thread. */
void virtio_net_stats(struct virtio_net *n, struct virtio_net_stats *out);

#endif
