// SPDX-License-Identifier: GPL-2.0
/*
 * The control queues of the virtio console (virtio 1.2 5.3.6.2), used once
 * VIRTIO_CONSOLE_F_MULTIPORT is negotiated. The protocol, as Linux's
 * drivers/char/virtio_console.c drives it:
 *
 *   driver                          device
 *   DEVICE_READY (id ~0, value 1) ->
 *                                 <- DEVICE_ADD (id p) for every port
 *   PORT_READY (id p, value 1)    ->
 *                                 <- CONSOLE_PORT (id 0, value 1)  port 0
 *                                 <- PORT_NAME (id p, name)        named ports
 *                                 <- PORT_OPEN (id p, value 1)     host connected
 *   PORT_OPEN (id p, value 0/1)   ->  guest opened or closed the port
 *
 * Our messages wait in a bounded list (VIRTIO_CONSOLE_CTRL_PENDING; more
 * are dropped and counted) until the driver posts control receive buffers.
 *
 * A message from the driver is refused (stats bad_ctrl) and otherwise
 * ignored if it is shorter than its 8-byte header, comes in a chain with a
 * device-writable buffer, has an event the driver does not send, a port id
 * >= nr_ports, a value other than 0/1, or is a second DEVICE_READY.
 */
#include <endian.h>
#include <string.h>

#include "devices/virtio/console_internal.h"

/* Per port, the handshake queues DEVICE_ADD, CONSOLE_PORT or PORT_NAME, and PORT_OPEN. */
_Static_assert(VIRTIO_CONSOLE_CTRL_PENDING >= 3 * VIRTIO_CONSOLE_MAX_PORTS,
	       "the whole handshake fits in the pending list");

/* Control messages, device -> driver. */

static void virtio_console_ctrl_queue(struct virtio_console *c, u32 id, u16 event, u16 value)
{
	if (c->ctrl_nr == VIRTIO_CONSOLE_CTRL_PENDING) {
		c->ctrl_dropped++;
		return;
	}
	c->ctrl[(c->ctrl_head + c->ctrl_nr) % VIRTIO_CONSOLE_CTRL_PENDING] =
	    (struct virtio_console_msg){.id = id, .event = event, .value = value};
	c->ctrl_nr++;
	c->work |= 1u << VIRTIO_CONSOLE_CTRL_RXQ;
}

/* The wire form of m into buf; returns its length. */
static u32 virtio_console_ctrl_encode(const struct virtio_console *c,
				      const struct virtio_console_msg *m, u8 *buf)
{
	u32 id = htole32(m->id), len = VIRTIO_CONSOLE_CTRL_LEN;
	u16 event = htole16(m->event), value = htole16(m->value);
	size_t n;

	memcpy(buf, &id, sizeof(id));
	memcpy(buf + 4, &event, sizeof(event));
	memcpy(buf + 6, &value, sizeof(value));
	if (m->event == VIRTIO_CONSOLE_PORT_NAME) {
		/*
		 * 5.3.6.2: the UTF-8 name follows the header, without a NUL;
		 * Linux takes it up to the used length.
		 */
		n = strlen(c->port[m->id].name);
		memcpy(buf + len, c->port[m->id].name, n);
		len += n;
	}
	return len;
}

/* One pass delivering pending messages into the control receiveq. */
bool virtio_console_ctrl_rx_pass(struct virtio_console *c)
{
	struct virtq *vq = virtio_console_vq(c, VIRTIO_CONSOLE_CTRL_RXQ);
	struct virtq_chain ch = {.buf = c->bufs, .max = ARRAY_SIZE(c->bufs)};
	u8 msg[VIRTIO_CONSOLE_CTRL_LEN + VIRTIO_CONSOLE_NAME_MAX];
	u32 n, i, len, done, k;

	if (!vq)
		return false;
	for (n = 0; n < vq->size && c->ctrl_nr; n++) {
		if (virtq_pop(vq, &ch) != 1)
			break;
		len = virtio_console_ctrl_encode(c, &c->ctrl[c->ctrl_head], msg);
		/* Linux posts a page per buffer; a smaller one waits for the next. */
		if (ch.nr_readable || ch.writable_len < len) {
			c->bad_chains++;
			virtq_push(vq, ch.head, 0);
			continue;
		}
		for (i = 0, done = 0; i < ch.nr && done < len; i++) {
			k = MIN(len - done, ch.buf[i].len);
			memcpy(ch.buf[i].addr, msg + done, k);
			done += k;
		}
		virtq_push(vq, ch.head, len);
		c->ctrl_head = (c->ctrl_head + 1) % VIRTIO_CONSOLE_CTRL_PENDING;
		c->ctrl_nr--;
		c->ctrl_sent++;
	}
	virtio_mmio_notify_used(&c->t, VIRTIO_CONSOLE_CTRL_RXQ);
	return n == vq->size && c->ctrl_nr;
}

/* Control messages, driver -> device. */

/* Act on a message from the driver; false if it is refused. */
static bool virtio_console_ctrl_handle(struct virtio_console *c, const struct virtio_console_msg *m)
{
	u32 p;

	if (m->value > 1)
		return false;
	switch (m->event) {
	case VIRTIO_CONSOLE_DEVICE_READY:
		/* id is unused (Linux sends ~0). Value 0: the driver failed. */
		if (!m->value)
			return true;
		/* 5.3.6.2.1: no DEVICE_ADD for a port that exists, so once per reset. */
		if (c->driver_ready)
			return false;
		c->driver_ready = true;
		for (p = 0; p < c->nr_ports; p++)
			virtio_console_ctrl_queue(c, p, VIRTIO_CONSOLE_DEVICE_ADD, 1);
		return true;
	case VIRTIO_CONSOLE_PORT_READY:
		/*
		 * Not tied to DEVICE_READY: Linux's resume path sends
		 * PORT_READY for the ports it knows without one.
		 */
		if (m->id >= c->nr_ports)
			return false;
		if (!m->value)
			return true; /* the driver could not set the port up */
		if (m->id == 0)
			virtio_console_ctrl_queue(c, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
		if (c->port[m->id].name[0])
			virtio_console_ctrl_queue(c, m->id, VIRTIO_CONSOLE_PORT_NAME, 1);
		/* The host end is always there; Linux blocks port writers until it is. */
		virtio_console_ctrl_queue(c, m->id, VIRTIO_CONSOLE_PORT_OPEN, 1);
		return true;
	case VIRTIO_CONSOLE_PORT_OPEN:
		if (m->id >= c->nr_ports)
			return false;
		c->port[m->id].guest_open = m->value;
		if (m->value)
			c->work |= 1u << virtio_console_rxq(m->id);
		return true;
	}
	/* DEVICE_ADD, DEVICE_REMOVE, CONSOLE_PORT, RESIZE, PORT_NAME go the other way. */
	return false;
}

/* The first len readable bytes of ch into dst; false if it has fewer. */
static bool virtio_console_ctrl_gather(const struct virtq_chain *ch, u8 *dst, u32 len)
{
	u32 i, n;

	if (ch->readable_len < len)
		return false;
	for (i = 0; i < ch->nr_readable && len; i++) {
		n = MIN(len, ch->buf[i].len);
		memcpy(dst, ch->buf[i].addr, n);
		dst += n;
		len -= n;
	}
	return true;
}

/* One pass over the control transmitq. */
bool virtio_console_ctrl_tx_pass(struct virtio_console *c)
{
	struct virtq *vq = virtio_console_vq(c, VIRTIO_CONSOLE_CTRL_TXQ);
	struct virtq_chain ch = {.buf = c->bufs, .max = ARRAY_SIZE(c->bufs)};
	u8 raw[VIRTIO_CONSOLE_CTRL_LEN];
	struct virtio_console_msg m;
	u32 n, id;
	u16 event, value;
	bool ok;

	if (!vq)
		return false;
	for (n = 0; n < vq->size; n++) {
		if (virtq_pop(vq, &ch) != 1)
			break;
		c->ctrl_msgs++;
		ok = false;
		if (ch.nr_readable != ch.nr) {
			c->bad_chains++;
		} else if (virtio_console_ctrl_gather(&ch, raw, sizeof(raw))) {
			/* Bytes past the header are ignored: no driver message has any. */
			memcpy(&id, raw, sizeof(id));
			memcpy(&event, raw + 4, sizeof(event));
			memcpy(&value, raw + 6, sizeof(value));
			m = (struct virtio_console_msg){le32toh(id), le16toh(event),
							le16toh(value)};
			ok = virtio_console_ctrl_handle(c, &m);
		}
		if (!ok)
			c->bad_ctrl++;
		virtq_push(vq, ch.head, 0);
	}
	virtio_mmio_notify_used(&c->t, VIRTIO_CONSOLE_CTRL_TXQ);
	return n == vq->size;
}
