// SPDX-License-Identifier: GPL-2.0
/*
 * virtio console with multiport (virtio 1.2 5.3): the transport callbacks,
 * the data queues and the host's interface. See console.h for the interface,
 * the threads and the locks, console_ctrl.c for the control queues.
 *
 * What the driver can get wrong here (on top of what virtq.c refuses, which
 * breaks the queue and sets DEVICE_NEEDS_RESET) is counted in the stats and
 * otherwise ignored; the device goes on. bad_chains counts a device-writable
 * buffer in a transmit chain (its data is not delivered), a device-readable
 * one in a receive chain, a receive chain with no room, and a control
 * receive buffer too small for the message (which waits for the next one).
 *
 * Bounds: a pass over a queue handles at most the queue size of chains, and
 * an event runs at most VIRTIO_CONSOLE_PASSES passes per queue. With
 * VIRTIO_F_EVENT_IDX the driver notifies only when it passes avail_event,
 * which virtq_pop() moves only when it finds the ring empty, so a queue whose
 * passes ran out with chains left would not be notified again: it is
 * remembered in c->work and resumed after the next notification of any of
 * our queues (and by virtio_console_drain()), or when the queue is notified
 * again at our request (virtio_mmio_renotify()).
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/error.h"
#include "devices/virtio/console_internal.h"

#define VIRTIO_CONSOLE_PASSES 8

_Static_assert(2 + 2 * VIRTIO_CONSOLE_MAX_PORTS <= 32, "c->work has a bit per queue");

static struct virtio_console *to_console(struct virtio_mmio *t)
{
	return container_of(t, struct virtio_console, t);
}

/* The port a data queue belongs to. */
static u32 virtio_console_queue_port(u32 q)
{
	return q < 2 ? 0 : (q - 2) / 2;
}

static void virtio_console_sink(struct virtio_console *c, u32 p, const u8 *data, size_t len)
{
	c->port[p].bytes_in += len;
	if (c->rx)
		c->rx(c->rx_ctx, p, data, len);
}

/* Guest -> host: transmitqs. */

/* A transmit chain's bytes, copied out of guest memory before the sink sees them. */
static void virtio_console_deliver(struct virtio_console *c, u32 p, const struct virtq_chain *ch)
{
	size_t fill = 0, n;
	u32 i, off;

	for (i = 0; i < ch->nr_readable; i++) {
		const u8 *src = ch->buf[i].addr;

		for (off = 0; off < ch->buf[i].len; off += n) {
			n = MIN(ch->buf[i].len - off, sizeof(c->bounce) - fill);
			memcpy(c->bounce + fill, src + off, n);
			fill += n;
			if (fill == sizeof(c->bounce)) {
				virtio_console_sink(c, p, c->bounce, fill);
				fill = 0;
			}
		}
	}
	if (fill)
		virtio_console_sink(c, p, c->bounce, fill);
}

/* One pass over port p's transmitq; true if it stopped at its bound. */
static bool virtio_console_tx_pass(struct virtio_console *c, u32 p)
{
	u32 q = virtio_console_rxq(p) + 1, n;
	struct virtq *vq = virtio_console_vq(c, q);
	struct virtq_chain ch = {.buf = c->bufs, .max = ARRAY_SIZE(c->bufs)};

	if (!vq)
		return false;
	for (n = 0; n < vq->size; n++) {
		if (virtq_pop(vq, &ch) != 1)
			break;
		/* 5.3.6.1: the driver's output is in device-readable buffers only. */
		if (ch.nr_readable != ch.nr)
			c->bad_chains++;
		else
			virtio_console_deliver(c, p, &ch);
		virtq_push(vq, ch.head, 0);
	}
	virtio_mmio_notify_used(&c->t, q);
	return n == vq->size;
}

/* Host -> guest: receiveqs. */

/* Move queued bytes of port into the writable buffers of ch; returns how many. */
static u32 virtio_console_fill(struct virtio_console_port *port, const struct virtq_chain *ch,
			       size_t ring)
{
	u32 i, off, written = 0;
	size_t n;

	for (i = ch->nr_readable; i < ch->nr && port->out_len; i++) {
		for (off = 0; off < ch->buf[i].len && port->out_len; off += n) {
			n = MIN(ch->buf[i].len - off, port->out_len);
			n = MIN(n, ring - port->out_head);
			memcpy((u8 *)ch->buf[i].addr + off, port->out + port->out_head, n);
			port->out_head = (port->out_head + n) % ring;
			port->out_len -= n;
			written += n;
		}
	}
	port->bytes_out += written;
	return written;
}

/* One pass filling port p's receiveq; true if it stopped at its bound with bytes left. */
static bool virtio_console_rx_pass(struct virtio_console *c, u32 p)
{
	struct virtio_console_port *port = &c->port[p];
	u32 q = virtio_console_rxq(p), n, written;
	struct virtq *vq = virtio_console_vq(c, q);
	struct virtq_chain ch = {.buf = c->bufs, .max = ARRAY_SIZE(c->bufs)};

	/* Linux drops what arrives on a generic port nobody has open. */
	if (!vq || !port->guest_open)
		return false;
	for (n = 0; n < vq->size && port->out_len; n++) {
		if (virtq_pop(vq, &ch) != 1)
			break;
		written = 0;
		/* 5.3.6.1: receive buffers are device-writable only. */
		if (ch.nr_readable || !ch.writable_len)
			c->bad_chains++;
		else
			written = virtio_console_fill(port, &ch, c->send_buf);
		virtq_push(vq, ch.head, written);
	}
	virtio_mmio_notify_used(&c->t, q);
	return n == vq->size && port->out_len;
}

/* Running the queues. Called with c->lock held. */

/* One pass of queue q's work; true if it stopped at its bound with work left. */
static bool virtio_console_pass(struct virtio_console *c, u32 q)
{
	u32 p = virtio_console_queue_port(q);

	/* Without MULTIPORT only port 0's queues exist (5.3.2). */
	if (q >= 2 && !c->multiport)
		return false;
	if (q == VIRTIO_CONSOLE_CTRL_RXQ)
		return virtio_console_ctrl_rx_pass(c);
	if (q == VIRTIO_CONSOLE_CTRL_TXQ)
		return virtio_console_ctrl_tx_pass(c);
	if (p >= c->nr_ports)
		return false;
	return q % 2 ? virtio_console_tx_pass(c, p) : virtio_console_rx_pass(c, p);
}

static void virtio_console_run(struct virtio_console *c, u32 q)
{
	u32 i;

	c->work &= ~(1u << q);
	for (i = 0; i < VIRTIO_CONSOLE_PASSES; i++)
		if (!virtio_console_pass(c, q))
			return;
	c->work |= 1u << q;
	virtio_mmio_renotify(&c->t, q);
}

/* What earlier events left: one run per queue. The control transmitq first, it makes work. */
static void virtio_console_run_work(struct virtio_console *c)
{
	u32 q;

	if (c->work & (1u << VIRTIO_CONSOLE_CTRL_TXQ))
		virtio_console_run(c, VIRTIO_CONSOLE_CTRL_TXQ);
	for (q = 0; q < c->ops.num_queues; q++)
		if (q != VIRTIO_CONSOLE_CTRL_TXQ && (c->work & (1u << q)))
			virtio_console_run(c, q);
}

/* Transport callbacks, with t->lock held. */

static void virtio_console_config_read(struct virtio_mmio *t, u32 off, void *data, u32 len)
{
	struct virtio_console *c = to_console(t);
	u8 space[VIRTIO_CONSOLE_CONFIG_LEN] = {0};
	u32 max = htole32(c->nr_ports);

	/* cols and rows mean nothing without VIRTIO_CONSOLE_F_SIZE; emerg_wr reads as 0. */
	memcpy(space + VIRTIO_CONSOLE_CONFIG_MAX_NR_PORTS, &max, sizeof(max));
	memcpy(data, space + off, len);
}

static void virtio_console_config_write(struct virtio_mmio *t, u32 off, const void *data, u32 len)
{
	struct virtio_console *c = to_console(t);

	/*
	 * emerg_wr is the only field the driver writes (5.3.4): its low byte
	 * is output on port 0, at any time, even unconfigured (5.3.5.1). The
	 * field is little-endian, so offset 8 holds that byte at any width.
	 */
	if (off != VIRTIO_CONSOLE_CONFIG_EMERG_WR)
		return;
	pthread_mutex_lock(&c->lock);
	virtio_console_sink(c, 0, data, 1);
	pthread_mutex_unlock(&c->lock);
}

static void virtio_console_activate(struct virtio_mmio *t)
{
	struct virtio_console *c = to_console(t);

	pthread_mutex_lock(&c->lock);
	c->multiport = virtio_mmio_features(t) & VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT);
	/*
	 * Without MULTIPORT nothing is announced: Linux makes port 0 a
	 * console straight away and takes input from then on.
	 */
	if (!c->multiport)
		c->port[0].guest_open = true;
	c->active = true;
	pthread_mutex_unlock(&c->lock);
}

static void virtio_console_queue_notify(struct virtio_mmio *t, u32 q)
{
	struct virtio_console *c = to_console(t);

	pthread_mutex_lock(&c->lock);
	virtio_console_run(c, q);
	virtio_console_run_work(c);
	pthread_mutex_unlock(&c->lock);
}

/* Every queue access checks c->active under c->lock: none follows this. */
static void virtio_console_reset(struct virtio_mmio *t)
{
	struct virtio_console *c = to_console(t);
	u32 p;

	pthread_mutex_lock(&c->lock);
	c->active = false;
	c->multiport = false;
	c->driver_ready = false;
	c->work = 0;
	c->ctrl_head = 0;
	c->ctrl_nr = 0;
	for (p = 0; p < c->nr_ports; p++) {
		c->port[p].guest_open = false;
		c->bytes_discarded += c->port[p].out_len;
		c->port[p].out_head = 0;
		c->port[p].out_len = 0;
	}
	pthread_mutex_unlock(&c->lock);
}

static const struct virtio_dev_ops virtio_console_ops = {
    .device_id = VIRTIO_ID_CONSOLE,
    .features = VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT) | VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE),
    .queue_max = VIRTIO_CONSOLE_QUEUE_MAX,
    .config_len = VIRTIO_CONSOLE_CONFIG_LEN,
    .config_read = virtio_console_config_read,
    .config_write = virtio_console_config_write,
    .activate = virtio_console_activate,
    .queue_notify = virtio_console_queue_notify,
    .reset = virtio_console_reset,
};

/* The host's interface. */

int virtio_console_send(struct virtio_console *c, u32 port, const void *data, size_t len)
{
	struct virtio_console_port *p;
	size_t tail, n, queued;

	if (port >= c->nr_ports)
		return error_input(-EINVAL, "virtio-console: no port %u (there are %u)", port,
				   c->nr_ports);
	if (!len)
		return 0;
	pthread_mutex_lock(&c->lock);
	p = &c->port[port];
	queued = p->out_len;
	if (len > c->send_buf - queued) {
		pthread_mutex_unlock(&c->lock);
		return error_host(
		    -EAGAIN, "virtio-console port %u: %zu bytes do not fit (%zu of %zu queued)",
		    port, len, queued, c->send_buf);
	}
	tail = (p->out_head + queued) % c->send_buf;
	n = MIN(len, c->send_buf - tail);
	memcpy(p->out + tail, data, n);
	memcpy(p->out, (const u8 *)data + n, len - n);
	p->out_len += len;
	virtio_console_run(c, virtio_console_rxq(port));
	pthread_mutex_unlock(&c->lock);
	return 0;
}

void virtio_console_pause(struct virtio_console *c)
{
	pthread_mutex_lock(&c->lock);
}

void virtio_console_resume(struct virtio_console *c)
{
	pthread_mutex_unlock(&c->lock);
}

void virtio_console_drain(struct virtio_console *c)
{
	u32 p;

	pthread_mutex_lock(&c->lock);
	for (p = 0; p < c->nr_ports; p++)
		virtio_console_run(c, virtio_console_rxq(p) + 1);
	pthread_mutex_unlock(&c->lock);
}

void virtio_console_stats(struct virtio_console *c, struct virtio_console_stats *out)
{
	u32 p;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->lock);
	out->nr_ports = c->nr_ports;
	for (p = 0; p < c->nr_ports; p++) {
		out->port[p].bytes_in = c->port[p].bytes_in;
		out->port[p].bytes_out = c->port[p].bytes_out;
		out->port[p].bytes_pending = c->port[p].out_len;
		out->port[p].guest_open = c->port[p].guest_open;
	}
	out->ctrl_msgs = c->ctrl_msgs;
	out->bad_ctrl = c->bad_ctrl;
	out->ctrl_sent = c->ctrl_sent;
	out->ctrl_dropped = c->ctrl_dropped;
	out->ctrl_pending = c->ctrl_nr;
	out->bad_chains = c->bad_chains;
	out->bytes_discarded = c->bytes_discarded;
	pthread_mutex_unlock(&c->lock);
}

struct virtio_mmio *virtio_console_transport(struct virtio_console *c)
{
	return &c->t;
}

/* Creation. */

/* Names become /dev/virtio-ports/<name> through udev: keep them plain. */
static int virtio_console_check_name(u32 p, const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > VIRTIO_CONSOLE_NAME_MAX)
		return error_input(-EINVAL,
				   "virtio-console port %u: name of %zu bytes (need 1..%u)", p, len,
				   VIRTIO_CONSOLE_NAME_MAX);
	for (i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    name[i]))
			return error_input(-EINVAL,
					   "virtio-console port %u: name \"%s\" has a character "
					   "other than [A-Za-z0-9._-]",
					   p, name);
	return 0;
}

static int virtio_console_check(const struct virtio_console_config *cfg)
{
	u32 p, q;
	int ret;

	if (cfg->nr_ports == 0 || cfg->nr_ports > VIRTIO_CONSOLE_MAX_PORTS)
		return error_input(-EINVAL, "virtio-console: %u ports (virtio-mmio allows 1..%u)",
				   cfg->nr_ports, VIRTIO_CONSOLE_MAX_PORTS);
	if (cfg->send_buf > VIRTIO_CONSOLE_SEND_BUF_MAX)
		return error_input(-EINVAL,
				   "virtio-console: a send buffer of %zu bytes (at most %llu)",
				   cfg->send_buf, (unsigned long long)VIRTIO_CONSOLE_SEND_BUF_MAX);
	if (cfg->names[0])
		return error_input(
		    -EINVAL, "virtio-console port 0: the console port has no name (got \"%s\")",
		    cfg->names[0]);
	for (p = 1; p < VIRTIO_CONSOLE_MAX_PORTS; p++) {
		if (!cfg->names[p])
			continue;
		if (p >= cfg->nr_ports)
			return error_input(-EINVAL,
					   "virtio-console port %u: named \"%s\" but there are "
					   "only %u ports",
					   p, cfg->names[p], cfg->nr_ports);
		ret = virtio_console_check_name(p, cfg->names[p]);
		if (ret)
			return ret;
		for (q = 1; q < p; q++)
			if (cfg->names[q] && !strcmp(cfg->names[q], cfg->names[p]))
				return error_input(
				    -EINVAL, "virtio-console ports %u and %u: both named \"%s\"", q,
				    p, cfg->names[p]);
	}
	return 0;
}

static void virtio_console_free(struct virtio_console *c)
{
	u32 p;

	for (p = 0; p < VIRTIO_CONSOLE_MAX_PORTS; p++)
		free(c->port[p].out);
	free(c);
}

int virtio_console_create(struct virtio_console **out, const struct virtio_console_config *cfg,
			  u64 mmio_base, const struct virtq_mem *mem, virtio_mmio_irq_fn irq,
			  void *irq_ctx)
{
	struct virtio_console *c;
	u32 p;
	int ret;

	*out = NULL;
	ret = virtio_console_check(cfg);
	if (ret)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return error_host(-ENOMEM, "virtio-console: cannot allocate the device");
	c->nr_ports = cfg->nr_ports;
	c->send_buf = cfg->send_buf ? cfg->send_buf : VIRTIO_CONSOLE_SEND_BUF;
	c->rx = cfg->rx;
	c->rx_ctx = cfg->rx_ctx;
	c->ops = virtio_console_ops;
	c->ops.num_queues = 2 + 2 * cfg->nr_ports;
	for (p = 0; p < c->nr_ports; p++) {
		if (cfg->names[p])
			memcpy(c->port[p].name, cfg->names[p], strlen(cfg->names[p]) + 1);
		/* Untouched pages cost nothing until bytes are queued. */
		c->port[p].out = malloc(c->send_buf);
		if (!c->port[p].out) {
			size_t sz = c->send_buf;

			virtio_console_free(c);
			return error_host(
			    -ENOMEM, "virtio-console port %u: cannot allocate %zu bytes", p, sz);
		}
	}
	ret = pthread_mutex_init(&c->lock, NULL);
	if (ret) {
		virtio_console_free(c);
		return error_host(-ret, "virtio-console: cannot initialise lock: %s",
				  strerror(ret));
	}
	ret = virtio_mmio_init(&c->t, "virtio-console", mmio_base, &c->ops, mem, irq, irq_ctx);
	if (ret) {
		pthread_mutex_destroy(&c->lock);
		virtio_console_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

void virtio_console_destroy(struct virtio_console *c)
{
	if (!c)
		return;
	virtio_mmio_destroy(&c->t);
	pthread_mutex_destroy(&c->lock);
	virtio_console_free(c);
}
