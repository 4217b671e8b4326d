// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio network device's transmitq (virtio 1.2 5.1.6.2): frames from
 * the guest, to the loopback's receive side or to the TAP.
 *
 * A chain is the 12-byte header and the frame in device-readable buffers,
 * split among them any way the driver likes. It is copied out of guest
 * memory before anything in it is looked at: the guest may change its
 * buffers while we work, and must not be able to change what we checked.
 *
 * Dropped (stats bad_chains and tx_dropped; the chain is used with length 0
 * and the device goes on): a chain with a device-writable buffer; one too
 * short for the header and an Ethernet header; a frame longer than the MTU
 * plus an Ethernet header and a VLAN tag (5.1.4.2 bounds what the driver
 * sends by the MTU); a GSO frame (we offer no HOST_* GSO feature,
 * 5.1.6.2.1); a NEEDS_CSUM header whose checksum field is not inside the
 * frame. A frame the TAP does not take (full, or failing) counts in
 * tx_dropped only: the guest did nothing wrong.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "devices/virtio/net_internal.h"

/* The readable bytes of ch into n->tx_buf; the caller checked that they fit. */
static void virtio_net_tx_copy(struct virtio_net *n, const struct virtq_chain *ch)
{
	u32 i, done = 0;

	for (i = 0; i < ch->nr_readable; i++) {
		memcpy(n->tx_buf + done, ch->buf[i].addr, ch->buf[i].len);
		done += ch->buf[i].len;
	}
	/* From here on only the copy is read; the compiler may not go back to guest memory. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/*
 * One writev per frame: a TAP takes a whole frame per write, the vnet
 * header first. Non-blocking, so a full TAP drops the frame here.
 */
static bool virtio_net_tx_tap(struct virtio_net *n, u32 len)
{
	struct iovec iov[2] = {
	    {.iov_base = n->tx_buf, .iov_len = VIRTIO_NET_HDR_LEN},
	    {.iov_base = n->tx_buf + VIRTIO_NET_HDR_LEN, .iov_len = len - VIRTIO_NET_HDR_LEN},
	};

	return writev(n->tap_fd, iov, ARRAY_SIZE(iov)) == (ssize_t)len;
}

static void virtio_net_tx_chain(struct virtio_net *n, const struct virtq_chain *ch)
{
	u32 len = ch->readable_len;
	bool keep;

	/* 5.1.6.2: the header and frame are output, device-readable, only. */
	if (ch->nr_readable != ch->nr || len < VIRTIO_NET_HDR_LEN + VIRTIO_NET_ETH_HLEN ||
	    len > VIRTIO_NET_HDR_LEN + n->frame_max)
		goto bad;
	virtio_net_tx_copy(n, ch);
	/*
	 * Who completes a partial checksum: in loopback the receiver is the
	 * guest, which takes it partial only with GUEST_CSUM (5.1.6.4.1); a
	 * TAP takes it partial (the kernel completes it) when we offered
	 * CSUM, else the guest should not have sent one and we complete it.
	 */
	keep = n->mode == VIRTIO_NET_LOOPBACK ? n->guest_csum : n->csum;
	if (!virtio_net_hdr_csum(n, n->tx_buf, len, keep))
		goto bad;
	if (n->mode == VIRTIO_NET_TAP && !virtio_net_tx_tap(n, len)) {
		n->tx_dropped++;
		return;
	}
	n->tx_frames++;
	n->tx_bytes += len - VIRTIO_NET_HDR_LEN;
	if (n->mode == VIRTIO_NET_LOOPBACK)
		virtio_net_rx_queue(n, n->tx_buf, len);
	return;
bad:
	n->bad_chains++;
	n->tx_dropped++;
}

bool virtio_net_tx_pass(struct virtio_net *n)
{
	struct virtq *vq = virtio_net_vq(n, VIRTIO_NET_TXQ);
	struct virtq_chain ch = {.buf = n->tx_bufs, .max = ARRAY_SIZE(n->tx_bufs)};
	u32 k;

	if (!vq)
		return false;
	for (k = 0; k < vq->size; k++) {
		if (virtq_pop(vq, &ch) != 1)
			break;
		virtio_net_tx_chain(n, &ch);
		/* The frame was copied out: the buffers go back at once, nothing written. */
		virtq_push(vq, ch.head, 0);
	}
	virtio_mmio_notify_used(&n->t, VIRTIO_NET_TXQ);
	return k == vq->size;
}
