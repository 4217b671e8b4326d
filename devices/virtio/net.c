// SPDX-License-Identifier: GPL-2.0
/*
 * virtio network device (virtio 1.2 5.1): the transport callbacks, the
 * configuration space, checksums, and the host's interface. See net.h for
 * the interface, the threads and the locks; net_tx.c for the transmitq,
 * net_rx.c for frames on their way to the guest.
 *
 * What the driver can get wrong on top of what virtq.c refuses (which
 * breaks the queue and sets DEVICE_NEEDS_RESET) is counted in the stats and
 * otherwise ignored; the device goes on.
 *
 * Bounds: a pass over a queue handles at most the queue size of chains (and
 * frames, on the receiveq), and an event runs at most VIRTIO_NET_PASSES
 * passes per queue. With VIRTIO_F_EVENT_IDX the driver notifies only when it
 * passes avail_event, which virtq_pop() moves only when it finds the ring
 * empty, so a queue whose passes ran out with work left would not be
 * notified again: it is remembered in n->work and resumed after the next
 * event (a notification of either queue, a TAP read, virtio_net_drain()),
 * the first of which is the notification we ask for (virtio_mmio_renotify()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/endian.h"
#include "core/base/error.h"
#include "devices/virtio/net_internal.h"

#define VIRTIO_NET_PASSES 8

static struct virtio_net *to_net(struct virtio_mmio *t)
{
	return container_of(t, struct virtio_net, t);
}

/* Checksums. */

/*
 * The Internet checksum's ones' complement sum (RFC 1071) of len bytes:
 * big-endian 16-bit words, an odd last byte padded with a zero, folded.
 */
static u16 virtio_net_csum_sum(const u8 *p, u32 len)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)sum;
}

bool virtio_net_hdr_csum(struct virtio_net *n, u8 *pkt, u32 len, bool keep_partial)
{
	u8 *frame = pkt + VIRTIO_NET_HDR_LEN;
	u32 frame_len = len - VIRTIO_NET_HDR_LEN;
	bool partial = pkt[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM;
	u16 start = get_le16(pkt + VIRTIO_NET_HDR_CSUM_START);
	u16 off = get_le16(pkt + VIRTIO_NET_HDR_CSUM_OFFSET);
	u16 sum;

	/* No HOST_TSO/UFO/USO and no GUEST_* GSO bits are offered: only GSO_NONE exists. */
	if (pkt[VIRTIO_NET_HDR_GSO_TYPE] != VIRTIO_NET_HDR_GSO_NONE)
		return false;
	/* The 16-bit checksum field must lie inside the frame. */
	if (partial && (u32)start + off + 2 > frame_len)
		return false;
	if (partial && !keep_partial) {
		/*
		 * 5.1.6.2: the field holds the pseudo-header's sum; the
		 * complement of the sum from csum_start to the end of the
		 * frame, field included, completes the checksum.
		 */
		sum = ~virtio_net_csum_sum(frame + start, frame_len - start);
		/* As Linux does: for UDP a 0 would mean "no checksum"; 0xffff is the same sum. */
		if (!sum)
			sum = 0xffff;
		frame[start + off] = (u8)(sum >> 8);
		frame[start + off + 1] = (u8)sum;
		n->csum_fixed++;
		partial = false;
	}
	/*
	 * What goes on: NEEDS_CSUM where it is kept, no flag bits we do not
	 * know (5.1.6.2.2 says to ignore them), no GSO hints, num_buffers 0
	 * until the receive side sets it.
	 */
	memset(pkt, 0, VIRTIO_NET_HDR_LEN);
	if (partial) {
		pkt[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		put_le16(pkt + VIRTIO_NET_HDR_CSUM_START, start);
		put_le16(pkt + VIRTIO_NET_HDR_CSUM_OFFSET, off);
	}
	return true;
}

/* Running the queues. Called with n->lock held. */

static bool virtio_net_pass(struct virtio_net *n, u32 q)
{
	return q == VIRTIO_NET_TXQ ? virtio_net_tx_pass(n) : virtio_net_rx_pass(n);
}

static void virtio_net_run(struct virtio_net *n, u32 q)
{
	u32 i;

	n->work &= ~(1u << q);
	for (i = 0; i < VIRTIO_NET_PASSES; i++)
		if (!virtio_net_pass(n, q))
			return;
	n->work |= 1u << q;
	virtio_mmio_renotify(&n->t, q);
}

/* What earlier events left. The transmitq first: in loopback it makes receive work. */
static void virtio_net_run_work(struct virtio_net *n)
{
	if (n->work & (1u << VIRTIO_NET_TXQ))
		virtio_net_run(n, VIRTIO_NET_TXQ);
	if (n->work & (1u << VIRTIO_NET_RXQ))
		virtio_net_run(n, VIRTIO_NET_RXQ);
}

/* Transport callbacks, with t->lock held. */

static void virtio_net_config_read(struct virtio_mmio *t, u32 off, void *data, u32 len)
{
	struct virtio_net *n = to_net(t);
	u8 space[VIRTIO_NET_CONFIG_LEN];

	/* Fixed for the device's life: no lock, no configuration change notification. */
	memcpy(space + VIRTIO_NET_CONFIG_MAC, n->mac, sizeof(n->mac));
	put_le16(space + VIRTIO_NET_CONFIG_STATUS, VIRTIO_NET_S_LINK_UP);
	put_le16(space + VIRTIO_NET_CONFIG_MAX_PAIRS, 1);
	put_le16(space + VIRTIO_NET_CONFIG_MTU, n->mtu);
	memcpy(data, space + off, len);
}

static void virtio_net_activate(struct virtio_mmio *t)
{
	struct virtio_net *n = to_net(t);
	u64 features = virtio_mmio_features(t);

	pthread_mutex_lock(&n->lock);
	n->mrg_rxbuf = features & VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
	n->guest_csum = features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM);
	n->active = true;
	pthread_mutex_unlock(&n->lock);
}

static void virtio_net_queue_notify(struct virtio_mmio *t, u32 q)
{
	struct virtio_net *n = to_net(t);

	pthread_mutex_lock(&n->lock);
	virtio_net_run(n, q);
	virtio_net_run_work(n);
	pthread_mutex_unlock(&n->lock);
}

/* Every queue access checks n->active under n->lock: none follows this. */
static void virtio_net_reset(struct virtio_mmio *t)
{
	struct virtio_net *n = to_net(t);

	pthread_mutex_lock(&n->lock);
	n->active = false;
	n->mrg_rxbuf = false;
	n->guest_csum = false;
	n->work = 0;
	virtio_net_rx_reset(n);
	pthread_mutex_unlock(&n->lock);
}

/*
 * No config_write: every field is read-only for the driver (5.1.4.2), and
 * no features_ok: none of the offered bits depends on another (5.1.3.1).
 * CSUM and GUEST_CSUM are added per device (cfg->csum).
 */
static const struct virtio_dev_ops virtio_net_ops = {
    .device_id = VIRTIO_ID_NET,
    .features = VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_MTU) |
		VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF),
    .num_queues = 2,
    .queue_max = VIRTIO_NET_QUEUE_MAX,
    .config_len = VIRTIO_NET_CONFIG_LEN,
    .config_read = virtio_net_config_read,
    .activate = virtio_net_activate,
    .queue_notify = virtio_net_queue_notify,
    .reset = virtio_net_reset,
};

/* The host's interface. */

int virtio_net_tap_readable(struct virtio_net *n)
{
	size_t size = VIRTIO_NET_HDR_LEN + (size_t)n->frame_max + 1;
	ssize_t r;
	u32 i;

	if (n->mode != VIRTIO_NET_TAP)
		return 0;
	for (i = 0; i < VIRTIO_NET_TAP_BURST; i++) {
		/*
		 * Outside the lock: the guest's register accesses need not
		 * wait for the system call. One byte more than the largest
		 * frame we take tells an oversize (truncated) one apart.
		 */
		r = read(n->tap_fd, n->tap_buf, size);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EAGAIN)
			return -errno;
		if (r <= 0)
			break; /* EAGAIN: empty */
		pthread_mutex_lock(&n->lock);
		virtio_net_rx_from_tap(n, n->tap_buf, (u32)r);
		virtio_net_run(n, VIRTIO_NET_RXQ);
		virtio_net_run_work(n);
		pthread_mutex_unlock(&n->lock);
	}
	return 0;
}

void virtio_net_pause(struct virtio_net *n)
{
	pthread_mutex_lock(&n->lock);
}

void virtio_net_resume(struct virtio_net *n)
{
	pthread_mutex_unlock(&n->lock);
}

void virtio_net_drain(struct virtio_net *n)
{
	pthread_mutex_lock(&n->lock);
	virtio_net_run(n, VIRTIO_NET_TXQ);
	virtio_net_run_work(n);
	pthread_mutex_unlock(&n->lock);
}

void virtio_net_stats(struct virtio_net *n, struct virtio_net_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&n->lock);
	out->tx_frames = n->tx_frames;
	out->tx_bytes = n->tx_bytes;
	out->rx_frames = n->rx_frames;
	out->rx_bytes = n->rx_bytes;
	out->tx_dropped = n->tx_dropped;
	out->rx_dropped = n->rx_dropped;
	out->bad_chains = n->bad_chains;
	out->csum_fixed = n->csum_fixed;
	out->rx_pending = n->rx_nr;
	pthread_mutex_unlock(&n->lock);
}

struct virtio_mmio *virtio_net_transport(struct virtio_net *n)
{
	return &n->t;
}

/* Creation. */

static int virtio_net_check(const struct virtio_net_config *cfg)
{
	int flags;

	if (cfg->mode != VIRTIO_NET_LOOPBACK && cfg->mode != VIRTIO_NET_TAP)
		return error_input(-EINVAL, "virtio-net: unknown mode %d (loopback or tap)",
				   (int)cfg->mode);
	if (cfg->mtu && cfg->mtu < VIRTIO_NET_MTU_MIN)
		return error_input(-EINVAL, "virtio-net: mtu %u (need %u..65535)", cfg->mtu,
				   VIRTIO_NET_MTU_MIN);
	/* The driver sets this as its address (5.1.4.2): it must be one a NIC can have. */
	if (cfg->mac[0] & 1)
		return error_input(-EINVAL,
				   "virtio-net: mac %02x:%02x:%02x:%02x:%02x:%02x is a multicast "
				   "address",
				   cfg->mac[0], cfg->mac[1], cfg->mac[2], cfg->mac[3], cfg->mac[4],
				   cfg->mac[5]);
	if (cfg->mode != VIRTIO_NET_TAP)
		return 0;
	flags = cfg->tap_fd < 0 ? -1 : fcntl(cfg->tap_fd, F_GETFL);
	if (flags < 0)
		return error_input(-EBADF, "virtio-net: tap fd %d is not open", cfg->tap_fd);
	/* The device reads and writes it with locks held, and from the I/O thread. */
	if (!(flags & O_NONBLOCK))
		return error_input(-EINVAL, "virtio-net: tap fd %d is blocking (need O_NONBLOCK)",
				   cfg->tap_fd);
	return 0;
}

static void virtio_net_free(struct virtio_net *n)
{
	free(n->tx_buf);
	free(n->tap_buf);
	free(n);
}

int virtio_net_create(struct virtio_net **out, const struct virtio_net_config *cfg, u64 mmio_base,
		      const struct virtq_mem *mem, virtio_mmio_irq_fn irq, void *irq_ctx)
{
	struct virtio_net *n;
	size_t size;
	int ret;

	*out = NULL;
	ret = virtio_net_check(cfg);
	if (ret)
		return ret;
	n = calloc(1, sizeof(*n));
	if (!n)
		return error_host(-ENOMEM, "virtio-net: cannot allocate the device");
	n->mode = cfg->mode;
	memcpy(n->mac, cfg->mac, sizeof(n->mac));
	n->mtu = cfg->mtu ? cfg->mtu : VIRTIO_NET_MTU_DEFAULT;
	n->csum = cfg->csum;
	n->ops = virtio_net_ops;
	if (n->csum)
		n->ops.features |=
		    VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM);
	n->tap_fd = cfg->mode == VIRTIO_NET_TAP ? cfg->tap_fd : -1;
	n->frame_max = n->mtu + VIRTIO_NET_ETH_HLEN + VIRTIO_NET_VLAN_HLEN;
	n->rx_chain = (struct virtq_chain){.buf = n->rx_bufs, .max = ARRAY_SIZE(n->rx_bufs)};
	size = VIRTIO_NET_HDR_LEN + (size_t)n->frame_max + 1;
	n->tx_buf = malloc(size);
	if (n->mode == VIRTIO_NET_TAP)
		n->tap_buf = malloc(size);
	if (!n->tx_buf || (n->mode == VIRTIO_NET_TAP && !n->tap_buf)) {
		virtio_net_free(n);
		return error_host(-ENOMEM, "virtio-net: cannot allocate %zu-byte frame buffers",
				  size);
	}
	ret = pthread_mutex_init(&n->lock, NULL);
	if (ret) {
		virtio_net_free(n);
		return error_host(-ret, "virtio-net: cannot initialise lock: %s", strerror(ret));
	}
	ret = virtio_mmio_init(&n->t, "virtio-net", mmio_base, &n->ops, mem, irq, irq_ctx);
	if (ret) {
		pthread_mutex_destroy(&n->lock);
		virtio_net_free(n);
		return ret;
	}
	*out = n;
	return 0;
}

void virtio_net_destroy(struct virtio_net *n)
{
	if (!n)
		return;
	virtio_mmio_destroy(&n->t);
	virtio_net_rx_reset(n);
	pthread_mutex_destroy(&n->lock);
	virtio_net_free(n);
}
