// SPDX-License-Identifier: GPL-2.0
/*
 * Frames on their way to the guest (virtio 1.2 5.1.6.3, 5.1.6.4): the
 * pending list, the receiveq, and the checks on what the TAP gives us.
 *
 * A frame for the guest is a host copy, header first, queued in order in a
 * bounded list until receive chains take it. Receive chains are
 * device-writable only (5.1.6.3); a chain with a device-readable buffer is
 * used with length 0 and counted in bad_chains, as is one too small for the
 * header where a frame must start in it.
 *
 * Without MRG_RXBUF a frame goes whole into one chain (5.1.6.3.2). If the
 * chain at hand is too small for the oldest frame, the frame is dropped and
 * the chain kept for the next one, which may fit: Linux posts chains of one
 * size, so this only happens when the guest posts less than its MTU needs.
 *
 * With MRG_RXBUF a frame fills chains one after another, each but the last
 * to the full (5.1.6.4.1), and num_buffers in its header says how many. The
 * chains are used together once the frame is complete, so the driver sees
 * them one after another; a frame that runs out of chains keeps those it
 * filled until the driver posts more. One that would need more chains than
 * the ring has (the driver posted less than one MTU's worth, 5.1.4.2) is
 * dropped, its chains used with length 0.
 *
 * rx_dropped counts frames that never reach the guest: beyond the pending
 * list's bounds; too large for a chain (without MRG_RXBUF) or for the whole
 * ring (with it); from the TAP while the driver is not running, or too
 * short, too long, GSO or with checksum offsets outside the frame; and
 * pending at a device reset. In loopback, then, tx_frames == rx_frames +
 * rx_dropped + rx_pending at all times.
 */
#include <stdlib.h>
#include <string.h>

#include "core/base/endian.h"
#include "devices/virtio/net_internal.h"

void virtio_net_rx_queue(struct virtio_net *n, const u8 *pkt, u32 len)
{
	struct virtio_net_frame *f;

	if (n->rx_nr == VIRTIO_NET_PENDING_FRAMES ||
	    len > VIRTIO_NET_PENDING_BYTES - n->rx_pending_bytes) {
		n->rx_dropped++;
		return;
	}
	f = malloc(sizeof(*f) + len);
	if (!f) {
		n->rx_dropped++;
		return;
	}
	f->len = len;
	memcpy(f->data, pkt, len);
	/* 5.1.6.4.1: 1 without MRG_RXBUF; with it, written at delivery once known. */
	put_le16(f->data + VIRTIO_NET_HDR_NUM_BUFFERS, 1);
	n->rx[(n->rx_head + n->rx_nr) % VIRTIO_NET_PENDING_FRAMES] = f;
	n->rx_nr++;
	n->rx_pending_bytes += len;
	n->work |= 1u << VIRTIO_NET_RXQ;
}

void virtio_net_rx_from_tap(struct virtio_net *n, u8 *pkt, u32 len)
{
	bool valid;

	/* Before DRIVER_OK the features that shape the header are not known, and nobody reads. */
	if (!n->active || len < VIRTIO_NET_HDR_LEN + VIRTIO_NET_ETH_HLEN ||
	    len > VIRTIO_NET_HDR_LEN + n->frame_max) {
		n->rx_dropped++;
		return;
	}
	valid = pkt[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_DATA_VALID;
	/*
	 * The TAP was opened without offloads, but its header is checked as
	 * the guest's is: partial checksums and DATA_VALID reach the guest
	 * only with GUEST_CSUM (5.1.6.4.1: else flags are zero).
	 */
	if (!virtio_net_hdr_csum(n, pkt, len, n->guest_csum)) {
		n->rx_dropped++;
		return;
	}
	if (valid && n->guest_csum)
		pkt[VIRTIO_NET_HDR_FLAGS] |= VIRTIO_NET_HDR_F_DATA_VALID;
	virtio_net_rx_queue(n, pkt, len);
}

/* Forget the oldest frame. */
static void virtio_net_rx_unqueue(struct virtio_net *n)
{
	struct virtio_net_frame *f = n->rx[n->rx_head];

	n->rx_pending_bytes -= f->len;
	free(f);
	n->rx[n->rx_head] = NULL;
	n->rx_head = (n->rx_head + 1) % VIRTIO_NET_PENDING_FRAMES;
	n->rx_nr--;
}

static void virtio_net_rx_delivered(struct virtio_net *n)
{
	n->rx_frames++;
	n->rx_bytes += n->rx[n->rx_head]->len - VIRTIO_NET_HDR_LEN;
	virtio_net_rx_unqueue(n);
}

static void virtio_net_rx_drop(struct virtio_net *n)
{
	n->rx_dropped++;
	virtio_net_rx_unqueue(n);
}

/* Up to len bytes of src into the writable buffers of ch, in order; returns how many. */
static u32 virtio_net_rx_fill(const struct virtq_chain *ch, const u8 *src, u32 len)
{
	u32 i, k, done = 0;

	for (i = ch->nr_readable; i < ch->nr && done < len; i++) {
		k = MIN(ch->buf[i].len, len - done);
		memcpy(ch->buf[i].addr, src + done, k);
		done += k;
	}
	return done;
}

/* Byte off of ch's writable bytes (off < ch->writable_len). */
static u8 *virtio_net_rx_byte(const struct virtq_chain *ch, u32 off)
{
	u32 i;

	for (i = ch->nr_readable; i < ch->nr; i++) {
		if (off < ch->buf[i].len)
			return (u8 *)ch->buf[i].addr + off;
		off -= ch->buf[i].len;
	}
	return NULL;
}

/* A receive chain no frame may start in (5.1.6.3): used with nothing written. */
static bool virtio_net_rx_bad(struct virtio_net *n, struct virtq *vq, const struct virtq_chain *ch,
			      u32 need)
{
	if (!ch->nr_readable && ch->writable_len >= need)
		return false;
	n->bad_chains++;
	virtq_push(vq, ch->head, 0);
	return true;
}

/*
 * Without MRG_RXBUF: the oldest frame into one chain, or dropped. 1 when
 * something was done, 0 when no chain is available, -EIO if the queue broke.
 */
static int virtio_net_rx_single(struct virtio_net *n, struct virtq *vq, u32 *budget)
{
	struct virtio_net_frame *f = n->rx[n->rx_head];
	struct virtq_chain *ch = &n->rx_chain;
	int ret;

	(*budget)--;
	if (!n->rx_held) {
		ret = virtq_pop(vq, ch);
		if (ret != 1)
			return ret;
		if (virtio_net_rx_bad(n, vq, ch, VIRTIO_NET_HDR_LEN))
			return 1;
		n->rx_held = true;
	}
	if (ch->writable_len < f->len) {
		virtio_net_rx_drop(n);
		return 1;
	}
	virtq_push(vq, ch->head, virtio_net_rx_fill(ch, f->data, f->len));
	n->rx_held = false;
	virtio_net_rx_delivered(n);
	return 1;
}

/*
 * With MRG_RXBUF: the oldest frame into as many chains as it takes, its
 * chains used once it is complete. Returns as virtio_net_rx_single().
 */
static int virtio_net_rx_merged(struct virtio_net *n, struct virtq *vq, u32 *budget)
{
	struct virtio_net_frame *f = n->rx[n->rx_head];
	struct virtq_chain ch = {.buf = n->rx_bufs, .max = ARRAY_SIZE(n->rx_bufs)};
	u32 i, written;
	int ret;

	while (n->rx_off < f->len) {
		if (!*budget)
			return 1;
		(*budget)--;
		/*
		 * Every chain the ring holds is ours and the frame still does
		 * not fit; popping more would be more in flight than the ring
		 * has, which virtq_pop() refuses.
		 */
		if (n->rx_used_nr == vq->size) {
			for (i = 0; i < n->rx_used_nr; i++)
				virtq_push(vq, n->rx_used[i].head, 0);
			n->rx_used_nr = 0;
			n->rx_off = 0;
			virtio_net_rx_drop(n);
			return 1;
		}
		ret = virtq_pop(vq, &ch);
		if (ret != 1)
			return ret;
		/* 5.1.6.3.1: each chain holds at least a header; any non-empty one may continue a frame. */
		if (virtio_net_rx_bad(n, vq, &ch, n->rx_used_nr ? 1 : VIRTIO_NET_HDR_LEN))
			continue;
		written = virtio_net_rx_fill(&ch, f->data + n->rx_off, f->len - n->rx_off);
		if (!n->rx_used_nr) {
			n->rx_num_buffers[0] = virtio_net_rx_byte(&ch, VIRTIO_NET_HDR_NUM_BUFFERS);
			n->rx_num_buffers[1] =
			    virtio_net_rx_byte(&ch, VIRTIO_NET_HDR_NUM_BUFFERS + 1);
		}
		n->rx_used[n->rx_used_nr++] = (struct virtio_net_used){ch.head, written};
		n->rx_off += written;
	}
	/* 5.1.6.4.1: num_buffers is the number of chains the frame spans, header included. */
	*n->rx_num_buffers[0] = (u8)n->rx_used_nr;
	*n->rx_num_buffers[1] = (u8)(n->rx_used_nr >> 8);
	for (i = 0; i < n->rx_used_nr; i++)
		virtq_push(vq, n->rx_used[i].head, n->rx_used[i].len);
	n->rx_used_nr = 0;
	n->rx_off = 0;
	virtio_net_rx_delivered(n);
	return 1;
}

bool virtio_net_rx_pass(struct virtio_net *n)
{
	struct virtq *vq = virtio_net_vq(n, VIRTIO_NET_RXQ);
	u32 budget;
	int ret = 1;

	if (!vq)
		return false;
	/* A step pops a chain or drops a frame, or both: at most a queue size of them. */
	for (budget = vq->size; budget && n->rx_nr && ret == 1;)
		ret = n->mrg_rxbuf ? virtio_net_rx_merged(n, vq, &budget)
				   : virtio_net_rx_single(n, vq, &budget);
	virtio_mmio_notify_used(&n->t, VIRTIO_NET_RXQ);
	return !budget && n->rx_nr;
}

void virtio_net_rx_reset(struct virtio_net *n)
{
	n->rx_dropped += n->rx_nr;
	while (n->rx_nr)
		virtio_net_rx_unqueue(n);
	n->rx_head = 0;
	/* The transport forgets the chains these held along with the rings. */
	n->rx_held = false;
	n->rx_used_nr = 0;
	n->rx_off = 0;
}
